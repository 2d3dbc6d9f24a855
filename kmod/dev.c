// SPDX-License-Identifier: GPL-2.0
/*
 * What every mmapdemo device shares, RAM or BAR: its lifetime (a kref
 * held by the device itself and by each open file), the memory_lock that
 * makes a BAR device's removal safe, and revocation: after it, no user
 * PTE maps the BAR, faults get SIGBUS and everything else ENODEV.
 *
 * Revocation follows VFIO (drivers/vfio/pci/vfio_pci_core.c): every file
 * of a BAR device shares the device's own address_space, so that one
 * unmap_mapping_range() zaps every mapping of every file, and everything
 * that touches the BAR (a fault, ->access, read(), write(), the end of
 * an mmap) checks @revoked under memory_lock, which the removal holds for
 * writing to set it.  The removal never takes a mapping process's
 * mmap_lock and never walks its address space.
 *
 * Faults check @revoked and insert their entry under memory_lock held for
 * reading: a fault either ends before the removal sets @revoked, and its
 * entry is there for the zap, or begins after, and gets SIGBUS.
 *
 * An eager mapping writes its PTEs before mmap() returns, where a fault
 * would not have run yet.  Before 6.16 (6.1 and 6.12) a BAR is mapped by
 * fault only (compat.h says why).  On 7.x, the remap strategy's ->mmap_prepare asks
 * the core to keep the new VMA hidden from the rmap until its action and
 * vm_ops->mapped are done (mmap_action.hide_from_rmap_until_complete: the
 * core holds the address_space's i_mmap_rwsem for writing from linking
 * the VMA to the end of ->mapped), and ->mapped checks @revoked: a removal
 * whose zap comes after sees the VMA with its PTEs, and one that came
 * before has set @revoked, so ->mapped fails and the core unmaps the VMA.
 * Either way, once the removal's zap is done, no PTE maps the BAR.
 *
 * @revoked is set with memory_lock held for writing, but the zap runs
 * after memory_lock is dropped: ->mapped takes memory_lock inside
 * i_mmap_rwsem, and unmap_mapping_range() takes i_mmap_rwsem.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/slab.h>

#include "compat.h"
#include "internal.h"

/*
 * A pseudo file system that only holds the inodes of the devices, as
 * VFIO's (vfio_main.c): each device's files set their f_mapping to its
 * inode's address_space, whatever device node they were opened through.
 * It is mounted while any device has an inode.
 */
#define MMAPDEMO_FS_MAGIC 0x6d6d6170 /* "mmap" */

static struct vfsmount *mmapdemo_mnt;
static int mmapdemo_mnt_count;

/*
 * Devices (struct mmapdemo_dev, the RAM one included) and their inodes
 * (one for each device, and one for each edu's DMA device) that exist:
 * made and not yet freed.  A removed BAR device lives on while a
 * file of it is open.  Read-only in sysfs (pci.c), for the tests that
 * prove that bind, unbind, remove and rescan leak nothing.
 */
static atomic_t mmapdemo_devs_alive = ATOMIC_INIT(0);
static atomic_t mmapdemo_inodes_alive = ATOMIC_INIT(0);

/**
 * mmapdemo_alive() - how many devices and inodes exist now
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
 * lives as long as any device, the RAM one included, so the module could
 * never be unloaded.  Nothing outlives the module: the last device goes
 * at module exit, or in the release of its last open file, which holds
 * the module until after ->release.
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
	struct mmapdemo_vma_data *data;
	unsigned int c, s, k;

	atomic_inc(&mmapdemo_devs_alive);
	kref_init(&md->ref);
	init_rwsem(&md->memory_lock);
	mmapdemo_defio_init(md);
	for (c = 0; c < 2; c++)
		for (s = 0; s < MMAPDEMO_NR_STRATEGIES; s++)
			for (k = 0; k < MMAPDEMO_NR_CACHING; k++) {
				data = &md->vma_data[c][s][k];
				data->dev = md;
				data->strategy = mmapdemo_strategy_by_id(s);
				data->caching = k;
				data->committed = c;
			}
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

static void mmapdemo_dev_release(struct kref *ref)
{
	struct mmapdemo_dev *md = container_of(ref, struct mmapdemo_dev, ref);

	mmapdemo_defio_release(md);
	md->backing.ops->release(&md->backing);
	if (md->inode)
		mmapdemo_inode_put(md->inode);
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
 * mmapdemo_dev_revoke() - the BAR goes away: no access to it from now on
 * @md: a BAR device
 *
 * After it returns, no user PTE maps the BAR, no fault maps it again (they
 * SIGBUS), read(), write(), ioctl(), mmap() and ->access fail with ENODEV,
 * and nothing touches the BAR: the caller may release it.  See the top of
 * this file for why no mapping escapes the zap.
 *
 * Context: process context, may sleep; takes memory_lock for writing, then
 * the address_space's i_mmap_rwsem (unmap_mapping_range()) without it.
 */
void mmapdemo_dev_revoke(struct mmapdemo_dev *md)
{
	/* Faults that saw the device alive are done; later ones SIGBUS. */
	down_write(&md->memory_lock);
	WRITE_ONCE(md->revoked, true);
	up_write(&md->memory_lock);

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
