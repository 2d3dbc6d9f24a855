// SPDX-License-Identifier: GPL-2.0
/*
 * The file operations of /dev/mmapdemo other than mmap: each open file
 * chooses its own strategy, and read(), write() and lseek() work on the
 * same device memory that the mappings show, so that the "old way" and the
 * mmap way can be compared on one device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

static int mmapdemo_open(struct inode *inode, struct file *file)
{
	/* misc_open() left our miscdevice in private_data. */
	struct mmapdemo_dev *md =
		container_of(file->private_data, struct mmapdemo_dev, misc);
	struct mmapdemo_file *mf;

	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	mf->dev = md;
	mutex_init(&mf->lock);
	mf->strategy = READ_ONCE(md->default_strategy);
	file->private_data = mf;
	return 0;
}

static int mmapdemo_release(struct inode *inode, struct file *file)
{
	struct mmapdemo_file *mf = file->private_data;

	mutex_destroy(&mf->lock);
	kfree(mf);
	return 0;
}

static ssize_t mmapdemo_read(struct file *file, char __user *buf, size_t len,
			     loff_t *ppos)
{
	struct mmapdemo_file *mf = file->private_data;
	struct mmapdemo_backing *backing = &mf->dev->backing;

	return simple_read_from_buffer(buf, len, ppos, backing->vaddr,
				       backing->size);
}

/*
 * Writes past the end are cut short; a write that starts at or past the
 * end fails with ENOSPC, as on a full block device.
 */
static ssize_t mmapdemo_write(struct file *file, const char __user *buf,
			      size_t len, loff_t *ppos)
{
	struct mmapdemo_file *mf = file->private_data;
	struct mmapdemo_backing *backing = &mf->dev->backing;

	if (*ppos < 0)
		return -EINVAL;
	if (len && *ppos >= backing->size)
		return -ENOSPC;
	return simple_write_to_buffer(backing->vaddr, backing->size, ppos, buf,
				      len);
}

/* SEEK_END is the end of the device memory. */
static loff_t mmapdemo_llseek(struct file *file, loff_t offset, int whence)
{
	struct mmapdemo_file *mf = file->private_data;

	return fixed_size_llseek(file, offset, whence, mf->dev->backing.size);
}

const struct file_operations mmapdemo_fops = {
	.owner = THIS_MODULE,
	.open = mmapdemo_open,
	.release = mmapdemo_release,
	.read = mmapdemo_read,
	.write = mmapdemo_write,
	.llseek = mmapdemo_llseek,
	.mmap = mmapdemo_mmap,
	.unlocked_ioctl = mmapdemo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
