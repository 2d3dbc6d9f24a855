// SPDX-License-Identifier: GPL-2.0
/*
 * What every mmapdemo device shares, RAM or BAR: its lifetime (a kref
 * held by the device itself and by each open file), the memory_lock that
 * makes a BAR device's removal safe, and revocation: after it, no user
 * PTE maps the BAR, faults get SIGBUS and everything else ENODEV.
 *
 * Revocation follows VFIO (drivers/vfio/pci/vfio_pci_core.c): every file
 * of a BAR device shares the device's own address_space, so that one
 * unmap_mapping_range() zaps every mapping of every file, and faults
 * re-check @revoked under memory_lock, which the removal holds for writing
 * to set it.  Where VFIO zaps under memory_lock, the zap here runs mm by mm
 * after it, for the reasons below.
 *
 * VFIO never maps eagerly; the remap strategy does, and that opens two
 * windows that VFIO never has, so the zap is done differently.
 *
 * First, the core links a new VMA into the file's i_mmap tree only after
 * ->mmap returns (6.1 mmap_region(), 6.12 __mmap_region(): mmap_file(),
 * then vma_link_file()); on 7.3 ->mmap_prepare's action writes the PTEs
 * after the hook returns.  An unmap_mapping_range() between the PTEs and
 * the link would miss them.  Both steps run under the mm's mmap_lock held
 * for writing.
 *
 * Second, fork() on x86 before 6.16 copies a remap VMA's PAT reservation
 * (VM_PAT) in track_pfn_copy() by reading the parent's first PTE, then
 * copies the PTEs.  A zap of the parent between the two leaves the child a
 * VM_PAT VMA without a PTE: its next zap or its exit WARNs in
 * get_pat_info() and leaks the reservation.  unmap_mapping_range() takes
 * no mmap_lock, so it cannot keep out of a fork.
 *
 * So each mm that maps a BAR device is on the device's list: ->mmap
 * records its mm, and vm_ops->open the child's at fork.  The removal sets
 * @revoked, then zaps the device's VMAs of each mm under that mm's
 * mmap_lock held for writing: an ->mmap in flight on that mm has linked
 * its VMA by then, and no fork or exit of it runs meanwhile.  A child forked
 * before its parent's zap is on the list by then and gets its own; one
 * forked after it copied no PTE.  A last unmap_mapping_range() reaches
 * what the list missed, a child whose entry could not be allocated.
 * Any ->mmap after @revoked fails before recording (Documentation/
 * device-memory.rst, "Revocation").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "compat.h"
#include "internal.h"

/**
 * struct mmapdemo_mm - an mm that maps a BAR device
 * @node: in mmapdemo_dev.mms
 * @mm: held with mmgrab(): the struct stays, its memory may go
 * @zapped: the removal has zapped the device's VMAs of @mm
 */
struct mmapdemo_mm {
	struct list_head node;
	struct mm_struct *mm;
	bool zapped;
};

/*
 * A pseudo file system that only holds the inodes of BAR devices, as
 * VFIO's (vfio_main.c): each device's files set their f_mapping to its
 * inode's address_space.  It is mounted while any device has an inode.
 */
#define MMAPDEMO_FS_MAGIC 0x6d6d6170 /* "mmap" */

static struct vfsmount *mmapdemo_mnt;
static int mmapdemo_mnt_count;

/*
 * Devices (struct mmapdemo_dev, the RAM one included) and BAR inodes that
 * exist: made and not yet freed.  A removed BAR device lives on while a
 * file of it is open.  Read-only in sysfs (pci.c), for the tests that
 * prove that bind, unbind, remove and rescan leak nothing.
 */
static atomic_t mmapdemo_devs_alive = ATOMIC_INIT(0);
static atomic_t mmapdemo_inodes_alive = ATOMIC_INIT(0);

/**
 * mmapdemo_alive() - how many devices and BAR inodes exist now
 * @inodes: false for devices, true for inodes
 *
 * Context: any.
 * Return: the count.
 */
int mmapdemo_alive(bool inodes)
{
	return atomic_read(inodes ? &mmapdemo_inodes_alive :
				    &mmapdemo_devs_alive);
}

static int mmapdemo_fs_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, MMAPDEMO_FS_MAGIC) ? 0 : -ENOMEM;
}

/*
 * No .owner: a mount holds its file system type's module, and the mount
 * lives as long as any BAR device, so the module could never be unloaded
 * with a device bound.  Nothing outlives the module: the last device goes
 * in the PCI driver's unregistration at module exit, or in the release of
 * its last open file, which holds the module until after ->release.
 */
static struct file_system_type mmapdemo_fs_type = {
	.name = "mmapdemo",
	.init_fs_context = mmapdemo_fs_init_fs_context,
	.kill_sb = kill_anon_super,
};

/**
 * mmapdemo_inode_new() - an inode whose address_space a device's files share
 *
 * Context: process context, may sleep.
 * Return: the inode, or an ERR_PTR().
 */
struct inode *mmapdemo_inode_new(void)
{
	struct inode *inode;
	int ret;

	ret = simple_pin_fs(&mmapdemo_fs_type, &mmapdemo_mnt,
			    &mmapdemo_mnt_count);
	if (ret)
		return ERR_PTR(ret);
	inode = alloc_anon_inode(mmapdemo_mnt->mnt_sb);
	if (IS_ERR(inode))
		simple_release_fs(&mmapdemo_mnt, &mmapdemo_mnt_count);
	else
		atomic_inc(&mmapdemo_inodes_alive);
	return inode;
}

/**
 * mmapdemo_inode_put() - drop what mmapdemo_inode_new() gave
 * @inode: the inode
 *
 * Context: process context, may sleep.
 */
void mmapdemo_inode_put(struct inode *inode)
{
	iput(inode);
	atomic_dec(&mmapdemo_inodes_alive);
	simple_release_fs(&mmapdemo_mnt, &mmapdemo_mnt_count);
}

/**
 * mmapdemo_dev_init() - set up what every device has, with one reference
 * @md: the zeroed device, from kzalloc(); freed by its last
 *      mmapdemo_dev_put(), or by mmapdemo_dev_free() before it has a
 *      backing
 *
 * Context: any.
 */
void mmapdemo_dev_init(struct mmapdemo_dev *md)
{
	atomic_inc(&mmapdemo_devs_alive);
	kref_init(&md->ref);
	init_rwsem(&md->memory_lock);
	mutex_init(&md->mm_lock);
	INIT_LIST_HEAD(&md->mms);
}

/**
 * mmapdemo_dev_free() - free a device that never had a backing
 * @md: the device, set up by mmapdemo_dev_init()
 *
 * Context: any.
 */
void mmapdemo_dev_free(struct mmapdemo_dev *md)
{
	atomic_dec(&mmapdemo_devs_alive);
	kfree(md);
}

/**
 * mmapdemo_dev_get() - take a reference on a device
 * @md: the device, whose caller holds a reference or keeps it registered
 *
 * Context: any.
 */
void mmapdemo_dev_get(struct mmapdemo_dev *md)
{
	kref_get(&md->ref);
}

static void mmapdemo_dev_forget_mms(struct mmapdemo_dev *md)
{
	struct mmapdemo_mm *m, *tmp;

	list_for_each_entry_safe(m, tmp, &md->mms, node) {
		list_del(&m->node);
		mmdrop(m->mm);
		kfree(m);
	}
}

static void mmapdemo_dev_release(struct kref *ref)
{
	struct mmapdemo_dev *md = container_of(ref, struct mmapdemo_dev, ref);

	mmapdemo_dev_forget_mms(md);
	md->backing.ops->release(&md->backing);
	if (md->inode)
		mmapdemo_inode_put(md->inode);
	mutex_destroy(&md->mm_lock);
	mmapdemo_dev_free(md);
}

/**
 * mmapdemo_dev_put() - drop a reference; the last one frees the device
 * @md: the device
 *
 * Context: process context, may sleep.
 */
void mmapdemo_dev_put(struct mmapdemo_dev *md)
{
	kref_put(&md->ref, mmapdemo_dev_release);
}

/**
 * mmapdemo_dev_enter() - begin using the device's memory
 * @md: the device
 *
 * Holds memory_lock for reading if the device is alive.  The RAM device
 * is never revoked.
 *
 * Context: process context, may sleep; not with memory_lock held.
 * Return: 0 with the lock held, or -ENODEV without it once revoked.
 */
int mmapdemo_dev_enter(struct mmapdemo_dev *md)
{
	down_read(&md->memory_lock);
	if (md->revoked) {
		up_read(&md->memory_lock);
		return -ENODEV;
	}
	return 0;
}

/**
 * mmapdemo_dev_leave() - end what mmapdemo_dev_enter() began
 * @md: the device
 *
 * Context: memory_lock held for reading.
 */
void mmapdemo_dev_leave(struct mmapdemo_dev *md)
{
	up_read(&md->memory_lock);
}

static struct mmapdemo_mm *mmapdemo_dev_find_mm(struct mmapdemo_dev *md,
						struct mm_struct *mm)
{
	struct mmapdemo_mm *m;

	lockdep_assert_held(&md->mm_lock);
	list_for_each_entry(m, &md->mms, node)
		if (m->mm == mm)
			return m;
	return NULL;
}

/* At the tail: the removal zaps a parent before the children it forked. */
static int mmapdemo_dev_add_mm(struct mmapdemo_dev *md, struct mm_struct *mm)
{
	struct mmapdemo_mm *m;

	lockdep_assert_held(&md->mm_lock);
	m = kmalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	mmgrab(mm);
	m->mm = mm;
	m->zapped = false;
	list_add_tail(&m->node, &md->mms);
	return 0;
}

/*
 * Forget the mms that have exited (no users left), so that the list is as
 * long as the number of live processes that map the device.  The mm that
 * maps or forks has users, so it stays.  Not once the removal has begun:
 * its walk keeps a cursor in the list.
 */
static void mmapdemo_dev_prune_mms(struct mmapdemo_dev *md)
{
	struct mmapdemo_mm *m, *tmp;

	lockdep_assert_held(&md->mm_lock);
	if (READ_ONCE(md->revoked))
		return;
	list_for_each_entry_safe(m, tmp, &md->mms, node) {
		if (!atomic_read(&m->mm->mm_users)) {
			list_del(&m->node);
			mmdrop(m->mm);
			kfree(m);
		}
	}
}

/**
 * mmapdemo_dev_record_mm() - remember an mm that maps a BAR device
 * @md: the device
 * @mm: the mm whose ->mmap is running
 *
 * Each mm is on the list once; exited ones are pruned here and at fork.
 * Never called once @revoked is set: the caller checked it under
 * memory_lock, which the removal holds for writing to set it.
 *
 * Context: ->mmap: mmap_lock of @mm held for writing, memory_lock held
 * for reading; takes mm_lock and may sleep to allocate.
 * Return: 0 or -ENOMEM.
 */
int mmapdemo_dev_record_mm(struct mmapdemo_dev *md, struct mm_struct *mm)
{
	int ret = 0;

	mmap_assert_write_locked(mm);
	lockdep_assert_held_read(&md->memory_lock);
	mutex_lock(&md->mm_lock);
	mmapdemo_dev_prune_mms(md);
	if (!mmapdemo_dev_find_mm(md, mm))
		ret = mmapdemo_dev_add_mm(md, mm);
	mutex_unlock(&md->mm_lock);
	return ret;
}

/**
 * mmapdemo_dev_record_copy() - remember the mm of a VMA the core copied
 * @md: a BAR device
 * @vma: the new VMA, from vm_ops->open: a split or a move stays in its
 *       mm, which is on the list already; a fork puts it in the child's
 *
 * A child forked before the removal zapped its parent may hold copies of
 * the parent's PTEs: it must be zapped under its own mmap_lock too.  Once
 * the removal has begun, a child of a parent that is not on the list or
 * already zapped copied no PTE and is not recorded, so the removal's walk
 * of the list ends even while processes keep forking.  If the allocation
 * fails, the child is left to the removal's last unmap_mapping_range(),
 * which is then exposed to the race that the list avoids.
 *
 * Context: vm_ops->open: the mmap_lock of @vma's mm held for writing, and
 * at fork the parent's (current->mm) too; takes mm_lock and may sleep to
 * allocate.
 */
void mmapdemo_dev_record_copy(struct mmapdemo_dev *md,
			      struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct mmapdemo_mm *parent;

	mmap_assert_write_locked(mm);
	mutex_lock(&md->mm_lock);
	if (mmapdemo_dev_find_mm(md, mm))
		goto out;
	/*
	 * The removal sets @revoked before it first takes mm_lock: read
	 * under mm_lock, it is either seen here or this entry is on the list
	 * before the removal walks it.
	 */
	if (READ_ONCE(md->revoked)) {
		parent = current->mm ? mmapdemo_dev_find_mm(md, current->mm) :
				       NULL;
		if (!parent || parent->zapped)
			goto out;
	}
	/* A process that forks again and again must not grow the list. */
	mmapdemo_dev_prune_mms(md);
	/* -ENOMEM: kmalloc() has said so; see above for what it costs. */
	mmapdemo_dev_add_mm(md, mm);
out:
	mutex_unlock(&md->mm_lock);
}

/**
 * mmapdemo_dev_count_mms() - how many mms the device's list holds
 * @md: a BAR device
 *
 * For sysfs: the mms a removal would visit now, each process that maps
 * the device, and exited ones until the next mmap() or fork() prunes them.
 *
 * Context: process context; takes mm_lock.
 * Return: the length of the list.
 */
unsigned int mmapdemo_dev_count_mms(struct mmapdemo_dev *md)
{
	struct mmapdemo_mm *m;
	unsigned int n = 0;

	mutex_lock(&md->mm_lock);
	list_for_each_entry(m, &md->mms, node)
		n++;
	mutex_unlock(&md->mm_lock);
	return n;
}

/*
 * Zap every PTE of the device in @mm, under its mmap_lock held for
 * writing: no fork of @mm, no ->mmap on it and no other unmap of its VMAs
 * runs meanwhile.  Writing, because exit_mmap() unmaps under the read lock
 * (6.12), and untrack_pfn() tests and clears VM_PAT without a lock of its
 * own: two unmaps of one VMA at once free its PAT reservation twice
 * ("x86/PAT: ... freeing invalid memtype").  An mm that is exiting (no
 * users) is zapped too: before exit_mmap() unmaps, or after, when it has
 * nothing of the device left.
 */
static void mmapdemo_dev_zap_mm(struct mmapdemo_dev *md, struct mm_struct *mm)
{
	struct address_space *mapping = md->inode->i_mapping;
	struct vm_area_struct *vma;

	VMA_ITERATOR(vmi, mm, 0);

	mmap_write_lock(mm);
	while ((vma = vma_next(&vmi))) /* for_each_vma(), for clang-format */
		if (vma->vm_file && vma->vm_file->f_mapping == mapping)
			zap_special_vma_range(vma, vma->vm_start,
					      vma->vm_end - vma->vm_start);
	mmap_write_unlock(mm);
}

/**
 * mmapdemo_dev_revoke() - the BAR goes away: no access to it from now on
 * @md: a BAR device
 *
 * After it returns, no user PTE maps the BAR, no fault maps it again (they
 * SIGBUS), read(), write(), ioctl(), mmap() and ->access fail with ENODEV,
 * and nothing touches the BAR: the caller may release it.  See the top of
 * this file for why the zap goes mm by mm.
 *
 * Context: process context, may sleep; takes memory_lock for writing, then
 * mm_lock, and the mmap_lock of each mm that maps the device with neither
 * held.
 */
void mmapdemo_dev_revoke(struct mmapdemo_dev *md)
{
	struct mmapdemo_mm *m;

	/* Faults that saw the device alive are done; later ones SIGBUS. */
	down_write(&md->memory_lock);
	WRITE_ONCE(md->revoked, true);
	up_write(&md->memory_lock);

	/*
	 * Nothing leaves the list until the walk ends (no ->mmap records or
	 * prunes once @revoked is set), so the cursor stays valid while
	 * mm_lock is dropped; children that forks add at the tail are
	 * walked too.
	 */
	mutex_lock(&md->mm_lock);
	list_for_each_entry(m, &md->mms, node) {
		mutex_unlock(&md->mm_lock);
		mmapdemo_dev_zap_mm(md, m->mm);
		mutex_lock(&md->mm_lock);
		m->zapped = true;
	}
	mmapdemo_dev_forget_mms(md);
	mutex_unlock(&md->mm_lock);

	unmap_mapping_range(md->inode->i_mapping, 0, 0, 1);
}

/**
 * mmapdemo_dev_rw() - copy between the device memory and a kernel buffer
 * @md: the device
 * @offset: where in the device memory
 * @buf: kernel buffer
 * @len: bytes; [@offset, @offset + @len) is inside the device
 * @write: copy @buf to the device, else the other way
 *
 * Context: memory_lock held for reading (mmapdemo_dev_enter()).
 */
void mmapdemo_dev_rw(struct mmapdemo_dev *md, unsigned long offset, void *buf,
		     size_t len, bool write)
{
	lockdep_assert_held_read(&md->memory_lock);
	if (write)
		md->backing.ops->write(&md->backing, offset, buf, len);
	else
		md->backing.ops->read(&md->backing, offset, buf, len);
}
