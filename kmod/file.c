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
	/*
	 * misc_open() holds misc_mtx, which misc_deregister() takes too: the
	 * device is still registered, so its own reference is still held.
	 */
	mmapdemo_dev_get(md);
	mf->dev = md;
	mutex_init(&mf->lock);
	mf->strategy = READ_ONCE(md->default_strategy);
	if (!mmapdemo_strategy_usable(md, mf->strategy))
		mf->strategy = &mmapdemo_strategy_fault;
	/*
	 * All files of a device share its address_space, as VFIO's do,
	 * whichever device node they were opened through.
	 */
	file->f_mapping = md->inode->i_mapping;
	/* DEFIO as the default: deferred I/O is set up here, not in ->mmap. */
	if (mf->strategy == &mmapdemo_strategy_defio) {
		int ret = mmapdemo_defio_bind(md);

		if (ret) {
			mmapdemo_dev_put(md);
			mutex_destroy(&mf->lock);
			kfree(mf);
			return ret;
		}
	}
	file->private_data = mf;
	return 0;
}

static int mmapdemo_release(struct inode *inode, struct file *file)
{
	struct mmapdemo_file *mf = file->private_data;

	/* Its mappings are gone: what they wrote reaches the device now. */
	if (mf->mapped && mf->strategy == &mmapdemo_strategy_defio)
		mmapdemo_defio_flush(mf->dev, MMAPDEMO_DEFIO_RELEASE);
	mmapdemo_dev_put(mf->dev);
	mutex_destroy(&mf->lock);
	kfree(mf);
	return 0;
}

/*
 * Copy between the device and user memory through a bounce buffer: the
 * device part under memory_lock, the user part outside it, since a user
 * copy may fault on a mapping of this very device and take memory_lock
 * again behind a waiting remover.  Returns bytes copied, or an error if
 * none were.
 */
static ssize_t mmapdemo_copy(struct mmapdemo_dev *md, char __user *to,
			     const char __user *from, size_t len, loff_t pos)
{
	bool write = from;
	size_t done = 0, n;
	ssize_t ret = 0;
	void *bounce;

	bounce = kmalloc(min_t(size_t, len, PAGE_SIZE), GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < len) {
		n = min_t(size_t, len - done, PAGE_SIZE);
		if (write && copy_from_user(bounce, from + done, n)) {
			ret = -EFAULT;
			break;
		}
		ret = mmapdemo_dev_enter(md);
		if (ret)
			break;
		mmapdemo_dev_rw(md, pos + done, bounce, n, write);
		mmapdemo_dev_leave(md);
		if (!write && copy_to_user(to + done, bounce, n)) {
			ret = -EFAULT;
			break;
		}
		done += n;
	}
	kfree(bounce);
	return done ? done : ret;
}

/*
 * What read() and write() share.  A read at or past the end returns 0
 * (end of file); a write there fails with ENOSPC, as on a full block
 * device.  Both are cut short at the end.
 */
static ssize_t mmapdemo_rw(struct file *file, char __user *to,
			   const char __user *from, size_t len, loff_t *ppos)
{
	struct mmapdemo_file *mf = file->private_data;
	struct mmapdemo_dev *md = mf->dev;
	loff_t pos = *ppos;
	ssize_t ret;

	if (pos < 0)
		return -EINVAL;
	if (READ_ONCE(md->revoked))
		return -ENODEV;
	if (!len)
		return 0;
	if (pos >= md->backing.size)
		return from ? -ENOSPC : 0;
	len = min_t(size_t, len, md->backing.size - pos);
	ret = mmapdemo_copy(md, to, from, len, pos);
	if (ret > 0)
		*ppos = pos + ret;
	return ret;
}

static ssize_t mmapdemo_read(struct file *file, char __user *buf, size_t len,
			     loff_t *ppos)
{
	return mmapdemo_rw(file, buf, NULL, len, ppos);
}

static ssize_t mmapdemo_write(struct file *file, const char __user *buf,
			      size_t len, loff_t *ppos)
{
	return mmapdemo_rw(file, NULL, buf, len, ppos);
}

/*
 * fsync() and msync(MS_SYNC) of a DEFIO file: flush, and return once the
 * dirty pages are on the device side (all of them: as fbdev, the range is
 * not looked at), on a BAR device once they are written to the BAR.
 * Other strategies write the device memory directly and keep the answer
 * the core gives a file without ->fsync, EINVAL.  A removed BAR device
 * answers ENODEV: its removal flushed what was dirty.
 */
static int mmapdemo_fsync(struct file *file, loff_t start, loff_t end,
			  int datasync)
{
	struct mmapdemo_file *mf = file->private_data;
	bool defio;

	mutex_lock(&mf->lock);
	defio = mf->strategy == &mmapdemo_strategy_defio;
	mutex_unlock(&mf->lock);
	if (!defio)
		return -EINVAL;
	if (READ_ONCE(mf->dev->revoked))
		return -ENODEV;
	mmapdemo_defio_flush(mf->dev, MMAPDEMO_DEFIO_FSYNC);
	return 0;
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
	.fsync = mmapdemo_fsync,
#ifdef MMAPDEMO_HAVE_MMAP_PREPARE
	.mmap_prepare = mmapdemo_mmap_prepare,
#else
	.mmap = mmapdemo_mmap,
#endif
	.get_unmapped_area = mmapdemo_get_unmapped_area,
	.unlocked_ioctl = mmapdemo_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
