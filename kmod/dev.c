// SPDX-License-Identifier: GPL-2.0
/*
 * What every mmapdemo device shares, RAM or BAR: its lifetime (a kref
 * held by the device itself and by each open file), the memory_lock that
 * makes a BAR device's removal safe, and revocation: after it, no user
 * PTE maps the BAR, faults get SIGBUS and everything else ENODEV.
 *
 * Revocation follows VFIO (drivers/vfio/pci/vfio_pci_core.c): every file
 * of a BAR device shares the device's own address_space, so one
 * unmap_mapping_range() under memory_lock held for writing zaps every
 * mapping of every file, and faults re-check @revoked under the read lock.
 *
 * VFIO never maps eagerly; the remap strategy does, and that opens a
 * window: the core links a new VMA into the file's i_mmap tree only after
 * ->mmap returns (6.1 mmap_region(), 6.12 __mmap_region(): mmap_file(),
 * then vma_link_file()).  An ->mmap that passed the revoked check and
 * wrote PTEs, with the removal's unmap_mapping_range() running between its
 * return and the link, would leave PTEs to a released BAR that the zap
 * never saw.  Both steps run under the mm's mmap_lock held for writing,
 * so ->mmap records its mm on the device's list, and the removal, once
 * @revoked is set and the first zap done, takes and drops the mmap_lock of
 * each recorded mm: every ->mmap that saw the device alive has linked its
 * VMA by then, and a second zap reaches it.  Any later ->mmap sees
 * @revoked and fails.  ->mmap_prepare records its mm the same way: there
 * the core writes the PTEs (the mmap_action) after the hook returns and
 * outside memory_lock, still under the mmap_lock held for writing, so the
 * same barrier covers it (Documentation/path.rst, "The mmap path on 7.3").
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

#include "internal.h"

/**
 * struct mmapdemo_mm - an mm that mapped a BAR device
 * @node: in mmapdemo_dev.mms
 * @mm: held with mmgrab(): the struct stays, its memory may go
 */
struct mmapdemo_mm {
	struct list_head node;
	struct mm_struct *mm;
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

/**
 * mmapdemo_dev_record_mm() - remember an mm that maps a BAR device
 * @md: the device
 * @mm: the mm whose ->mmap is running
 *
 * Each mm is on the list once.  Entries of mms that have exited (no
 * users left) are pruned here, so the list is as long as the number of
 * live processes that mapped the device.
 *
 * Context: ->mmap: mmap_lock of @mm held for writing, memory_lock held
 * for reading; takes mm_lock and may sleep to allocate.
 * Return: 0 or -ENOMEM.
 */
int mmapdemo_dev_record_mm(struct mmapdemo_dev *md, struct mm_struct *mm)
{
	struct mmapdemo_mm *m, *tmp;
	bool found = false;

	mmap_assert_write_locked(mm);
	lockdep_assert_held_read(&md->memory_lock);
	mutex_lock(&md->mm_lock);
	list_for_each_entry_safe(m, tmp, &md->mms, node) {
		if (m->mm == mm) {
			found = true;
		} else if (!atomic_read(&m->mm->mm_users)) {
			list_del(&m->node);
			mmdrop(m->mm);
			kfree(m);
		}
	}
	if (!found) {
		m = kmalloc(sizeof(*m), GFP_KERNEL);
		if (!m) {
			mutex_unlock(&md->mm_lock);
			return -ENOMEM;
		}
		mmgrab(mm);
		m->mm = mm;
		list_add(&m->node, &md->mms);
	}
	mutex_unlock(&md->mm_lock);
	return 0;
}

/* Zap every user PTE of every mapping of every file of @md. */
static void mmapdemo_dev_zap(struct mmapdemo_dev *md)
{
	unmap_mapping_range(md->inode->i_mapping, 0, 0, 1);
}

/**
 * mmapdemo_dev_revoke() - the BAR goes away: no access to it from now on
 * @md: a BAR device
 *
 * After it returns, no user PTE maps the BAR, no fault maps it again (they
 * SIGBUS), read(), write(), ioctl(), mmap() and ->access fail with ENODEV,
 * and nothing touches the BAR: the caller may release it.  See the top of
 * this file for the two zaps.
 *
 * Context: process context, may sleep; takes memory_lock for writing and
 * the mmap_lock of each mm that mapped the device, never both at once.
 */
void mmapdemo_dev_revoke(struct mmapdemo_dev *md)
{
	struct mmapdemo_mm *m, *tmp;
	LIST_HEAD(mms);

	down_write(&md->memory_lock);
	WRITE_ONCE(md->revoked, true);
	mmapdemo_dev_zap(md);
	up_write(&md->memory_lock);

	/* No new entries once revoked: ->mmap fails before recording. */
	mutex_lock(&md->mm_lock);
	list_splice_init(&md->mms, &mms);
	mutex_unlock(&md->mm_lock);
	list_for_each_entry_safe(m, tmp, &mms, node) {
		/* A barrier: an ->mmap in flight on this mm has linked its VMA. */
		mmap_write_lock(m->mm);
		mmap_write_unlock(m->mm);
		list_del(&m->node);
		mmdrop(m->mm);
		kfree(m);
	}
	mmapdemo_dev_zap(md);
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
