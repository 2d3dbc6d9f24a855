// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of include/uapi/linux/mmapdemo.h.
 *
 * The size of each struct travels in the command number.  Commands are
 * matched on type, number and direction; the size is the caller's, so that
 * structs can grow: copy_struct_from_user() zero-fills what an older caller
 * does not send and rejects what a newer caller sends non-zero (E2BIG),
 * and outputs are copied back up to the caller's size.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "internal.h"

/* A command without its size, to match callers of any struct version. */
#define IOC_NOSIZE(cmd) ((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

/* The first version of each struct is the smallest a caller may pass. */
#define MIN_SIZE_INFO sizeof(struct mmapdemo_info)
#define MIN_SIZE_SET_STRATEGY sizeof(struct mmapdemo_set_strategy)
#define MIN_SIZE_STATS offsetofend(struct mmapdemo_stats, live_vmas)
#define MIN_SIZE_WALK offsetofend(struct mmapdemo_walk, device_page)
#define MIN_SIZE_DEFIO_READ sizeof(struct mmapdemo_defio_read)

/* Copy an output struct back, as much of it as the caller has room for. */
static int copy_out(void __user *uarg, const void *karg, size_t ksize,
		    size_t usize)
{
	return copy_to_user(uarg, karg, min(ksize, usize)) ? -EFAULT : 0;
}

static u32 mmapdemo_features(const struct mmapdemo_dev *md)
{
	u32 features = MMAPDEMO_FEATURE_TRACEPOINTS;

	if (IS_ENABLED(CONFIG_X86_64) || IS_ENABLED(CONFIG_ARM64))
		features |= MMAPDEMO_FEATURE_WALK;

	if (mmapdemo_strategy_usable(md, &mmapdemo_strategy_fault))
		features |= MMAPDEMO_FEATURE_FAULT;
	if (mmapdemo_strategy_usable(md, &mmapdemo_strategy_remap))
		features |= MMAPDEMO_FEATURE_REMAP;
	if (mmapdemo_strategy_usable(md, &mmapdemo_strategy_insert))
		features |= MMAPDEMO_FEATURE_INSERT;
	if (mmapdemo_strategy_usable(md, &mmapdemo_strategy_huge))
		features |= MMAPDEMO_FEATURE_HUGE | mmapdemo_huge_features(md);
	if (mmapdemo_strategy_usable(md, &mmapdemo_strategy_defio))
		features |= MMAPDEMO_FEATURE_DEFIO;
	if ((features & MMAPDEMO_FEATURE_DEFIO) &&
	    !MMAPDEMO_DEFIO_EXCLUDES_REMAP)
		features |= MMAPDEMO_FEATURE_DEFIO_WRPROTECT;
	return features;
}

static int ioctl_info(struct mmapdemo_file *mf, void __user *uarg, size_t usize)
{
	struct mmapdemo_dev *md = mf->dev;
	struct mmapdemo_info info;

	if (usize < MIN_SIZE_INFO)
		return -EINVAL;
	/* memset, not "= {}": padding must not leak either. */
	memset(&info, 0, sizeof(info));
	info.abi_version = MMAPDEMO_ABI_VERSION;
	info.size = md->backing.size;
	info.page_size = PAGE_SIZE;
	info.features = mmapdemo_features(md);
	info.default_strategy = READ_ONCE(md->default_strategy)->id;
	mutex_lock(&mf->lock);
	info.strategy = mf->strategy->id;
	if (mf->mapped)
		info.flags |= MMAPDEMO_INFO_MAPPED;
	mutex_unlock(&mf->lock);
	return copy_out(uarg, &info, sizeof(info), usize);
}

static int ioctl_set_strategy(struct file *file, void __user *uarg,
			      size_t usize)
{
	struct mmapdemo_file *mf = file->private_data;
	const struct mmapdemo_strategy *s;
	struct mmapdemo_set_strategy req;
	int ret;

	if (usize < MIN_SIZE_SET_STRATEGY)
		return -EINVAL;
	ret = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags)
		return -EINVAL;
	s = mmapdemo_strategy_by_id(req.strategy);
	if (!s || !mmapdemo_strategy_usable(mf->dev, s))
		return -EINVAL;
	/* Deferred I/O is set up here, never in ->mmap. */
	if (s == &mmapdemo_strategy_defio) {
		ret = mmapdemo_defio_bind(mf->dev);
		if (ret)
			return ret;
	}

	mutex_lock(&mf->lock);
	if (mf->mapped) {
		ret = -EBUSY;
	} else {
		mf->strategy = s;
		ret = 0;
	}
	mutex_unlock(&mf->lock);
	return ret;
}

static int ioctl_stats(struct mmapdemo_file *mf, void __user *uarg,
		       size_t usize)
{
	struct mmapdemo_stats_counters *c = &mf->dev->stats;
	struct mmapdemo_stats st;

	if (usize < MIN_SIZE_STATS)
		return -EINVAL;
	memset(&st, 0, sizeof(st));
	st.mmaps = atomic64_read(&c->mmaps);
	st.faults = atomic64_read(&c->faults);
	st.fault_sigbus = atomic64_read(&c->fault_sigbus);
	st.mkwrites = atomic64_read(&c->mkwrites);
	st.eager_pages = atomic64_read(&c->eager_pages);
	st.vma_opens = atomic64_read(&c->vma_opens);
	st.vma_closes = atomic64_read(&c->vma_closes);
	st.live_vmas = atomic64_read(&c->live_vmas);
	st.around_pages = atomic64_read(&c->around_pages);
	st.pmd_faults = atomic64_read(&c->pmd_faults);
	st.pud_faults = atomic64_read(&c->pud_faults);
	st.huge_fallbacks = atomic64_read(&c->huge_fallbacks);
	st.defio_dirtied = atomic64_read(&c->defio_dirtied);
	st.defio_flushed = atomic64_read(&c->defio_flushed);
	st.defio_reprotected = atomic64_read(&c->defio_reprotected);
	return copy_out(uarg, &st, sizeof(st), usize);
}

static int ioctl_walk(struct mmapdemo_file *mf, void __user *uarg, size_t usize)
{
	struct mmapdemo_walk w;
	u64 addr;
	u32 flags;
	int ret;

	if (usize < MIN_SIZE_WALK)
		return -EINVAL;
	ret = copy_struct_from_user(&w, sizeof(w), uarg, usize);
	if (ret)
		return ret;
	addr = w.addr;
	flags = w.flags;
	if (flags)
		return -EINVAL;
	/* Everything but the input is output: start from zero. */
	memset(&w, 0, sizeof(w));
	w.addr = addr;
	ret = mmapdemo_walk(mf->dev, &w);
	if (ret)
		return ret;
	return copy_out(uarg, &w, sizeof(w), usize);
}

static int ioctl_defio_read(struct mmapdemo_file *mf, void __user *uarg,
			    size_t usize)
{
	struct mmapdemo_defio_read req;
	int ret;

	if (usize < MIN_SIZE_DEFIO_READ)
		return -EINVAL;
	ret = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	if (req.flags || req.reserved)
		return -EINVAL;
	return mmapdemo_defio_read(mf->dev, req.offset,
				   u64_to_user_ptr(req.addr), req.len);
}

/**
 * mmapdemo_ioctl() - the ioctl file operation of /dev/mmapdemo
 * @file: the open device
 * @cmd: MMAPDEMO_IOC_*, with the caller's struct size
 * @arg: user pointer to the struct
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno: -ENODEV once a BAR device is removed,
 * -ENOTTY for a command this device does not know, and what each command
 * documents in the uapi header.
 */
long mmapdemo_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct mmapdemo_file *mf = file->private_data;
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);

	/*
	 * Only DEFIO_READ of a BAR device touches the device memory, under
	 * memory_lock and with no user copy inside it; no other ioctl holds
	 * memory_lock (the walk takes the mmap_lock, which must not nest
	 * inside it): a removed device only answers ENODEV.
	 */
	if (READ_ONCE(mf->dev->revoked))
		return -ENODEV;
	switch (IOC_NOSIZE(cmd)) {
	case IOC_NOSIZE(MMAPDEMO_IOC_INFO):
		return ioctl_info(mf, uarg, usize);
	case IOC_NOSIZE(MMAPDEMO_IOC_SET_STRATEGY):
		return ioctl_set_strategy(file, uarg, usize);
	case IOC_NOSIZE(MMAPDEMO_IOC_STATS):
		return ioctl_stats(mf, uarg, usize);
	case IOC_NOSIZE(MMAPDEMO_IOC_WALK):
		return ioctl_walk(mf, uarg, usize);
	case IOC_NOSIZE(MMAPDEMO_IOC_DEFIO_READ):
		/* It reads the device, as read() does: not through O_WRONLY. */
		if (!(file->f_mode & FMODE_READ))
			return -EBADF;
		return ioctl_defio_read(mf, uarg, usize);
	default:
		return -ENOTTY;
	}
}
