// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: a character device, /dev/mmapdemo, whose mmap file operation
 * maps a buffer of device memory into user space in several ways, so that
 * the mmap and fault paths can be studied and compared.
 *
 * This file holds the module's parameters, the choice of strategy, and the
 * device's setup and teardown.  See Documentation/mmapdemo.rst.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "compat.h"
#include "internal.h"

static const struct mmapdemo_strategy *const mmapdemo_strategies[] = {
	[MMAPDEMO_STRATEGY_FAULT] = &mmapdemo_strategy_fault,
	[MMAPDEMO_STRATEGY_REMAP] = &mmapdemo_strategy_remap,
	[MMAPDEMO_STRATEGY_INSERT] = &mmapdemo_strategy_insert,
	[MMAPDEMO_STRATEGY_HUGE] = &mmapdemo_strategy_huge,
	[MMAPDEMO_STRATEGY_DEFIO] = &mmapdemo_strategy_defio,
};

/**
 * mmapdemo_strategy_by_id() - look a strategy up by its uapi number
 * @id: MMAPDEMO_STRATEGY_*
 *
 * Context: any.
 * Return: the strategy, or NULL for an unknown @id.
 */
const struct mmapdemo_strategy *mmapdemo_strategy_by_id(u32 id)
{
	return id < ARRAY_SIZE(mmapdemo_strategies) ? mmapdemo_strategies[id] :
						      NULL;
}

/**
 * mmapdemo_strategy_by_name() - look a strategy up by its name
 * @name: "fault", "remap" or "insert"; a trailing newline is ignored
 *
 * Context: any.
 * Return: the strategy, or NULL for an unknown @name.
 */
const struct mmapdemo_strategy *mmapdemo_strategy_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mmapdemo_strategies); i++)
		if (sysfs_streq(name, mmapdemo_strategies[i]->name))
			return mmapdemo_strategies[i];
	return NULL;
}

/**
 * mmapdemo_strategy_of_vma() - the strategy that made a VMA
 * @vma: any VMA
 *
 * Context: the VMA must be stable (mmap_lock or its VMA lock held).
 * Return: the strategy, or NULL if @vma is not a mapping of this module.
 */
const struct mmapdemo_strategy *
mmapdemo_strategy_of_vma(const struct vm_area_struct *vma)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mmapdemo_strategies); i++)
		if ((vma->vm_ops &&
		     vma->vm_ops == mmapdemo_strategies[i]->vm_ops) ||
		    (vma->vm_ops &&
		     vma->vm_ops == mmapdemo_strategies[i]->pfn_vm_ops))
			return mmapdemo_strategies[i];
	return NULL;
}

/**
 * mmapdemo_strategy_usable() - can this device's memory be mapped this way
 * @md: the device
 * @s: the strategy
 *
 * Context: any.
 * Return: true if @s works with the device's backing.
 */
bool mmapdemo_strategy_usable(const struct mmapdemo_dev *md,
			      const struct mmapdemo_strategy *s)
{
	if (s->usable && !s->usable(md))
		return false;
	if (mmapdemo_has_pages(md))
		return !s->pfn_only;
	return !s->needs_pages;
}

/*
 * Module parameters.  Both are read once, at load time: reloading the
 * module is how to change them (and gives a fresh, zeroed buffer).
 */
static unsigned long mmapdemo_size = 4UL << 20;
static const struct mmapdemo_strategy *mmapdemo_default_strategy =
	&mmapdemo_strategy_fault;

/*
 * A byte count with an optional K, M or G suffix.  Not memparse(): it
 * wraps around on overflow, so that 2^64 + 4096 would read as 4096.
 */
static int parse_size(const char *val, unsigned long long *size)
{
	unsigned int shift = 0;
	char buf[32], *p;
	int ret;

	if (strscpy(buf, val, sizeof(buf)) < 0)
		return -EINVAL;
	p = buf + strlen(buf);
	if (p > buf && p[-1] == '\n')
		*--p = '\0';
	if (p > buf) {
		switch (p[-1]) {
		case 'G':
		case 'g':
			shift += 10;
			fallthrough;
		case 'M':
		case 'm':
			shift += 10;
			fallthrough;
		case 'K':
		case 'k':
			shift += 10;
			*--p = '\0';
		}
	}
	ret = kstrtoull(buf, 0, size);
	if (ret)
		return ret;
	return check_shl_overflow(*size, shift, size) ? -ERANGE : 0;
}

static int size_param_set(const char *val, const struct kernel_param *kp)
{
	unsigned long long size;

	if (parse_size(val, &size) || !size || size > MMAPDEMO_MAX_SIZE) {
		pr_err("size=%s: must be between 1 and %lu bytes (suffixes K, M, G)\n",
		       val, MMAPDEMO_MAX_SIZE);
		return -EINVAL;
	}
	*(unsigned long *)kp->arg = PAGE_ALIGN(size);
	return 0;
}

static const struct kernel_param_ops size_param_ops = {
	.set = size_param_set,
	.get = param_get_ulong,
};

module_param_cb(size, &size_param_ops, &mmapdemo_size, 0444);
/* Rounded up to whole pages. */
MODULE_PARM_DESC(size, "Bytes of memory, max 1G, K/M/G ok (default 4M)");

static int strategy_param_set(const char *val, const struct kernel_param *kp)
{
	const struct mmapdemo_strategy *s = mmapdemo_strategy_by_name(val);

	/* The RAM device's default: not a strategy for BARs only. */
	if (!s || s->pfn_only) {
		pr_err("strategy=%s: must be fault, remap, insert or defio\n",
		       val);
		return -EINVAL;
	}
	*(const struct mmapdemo_strategy **)kp->arg = s;
	return 0;
}

static int strategy_param_get(char *buf, const struct kernel_param *kp)
{
	const struct mmapdemo_strategy *s =
		*(const struct mmapdemo_strategy **)kp->arg;

	return sysfs_emit(buf, "%s\n", s->name);
}

static const struct kernel_param_ops strategy_param_ops = {
	.set = strategy_param_set,
	.get = strategy_param_get,
};

module_param_cb(strategy, &strategy_param_ops, &mmapdemo_default_strategy,
		0444);
MODULE_PARM_DESC(strategy, "fault, remap, insert or defio (default fault)");

/*
 * The strategies a BAR device can use: remap only where the kernel tracks
 * PFN-map memory types per reservation (compat.h).
 */
#ifdef MMAPDEMO_BAR_REMAP
#define MMAPDEMO_BAR_STRATEGIES "fault, remap, huge or defio"
#else
#define MMAPDEMO_BAR_STRATEGIES "fault, huge or defio"
#endif

/* What a BAR device's new opens start with, read when the device appears. */
const struct mmapdemo_strategy *mmapdemo_bar_default_strategy =
	&mmapdemo_strategy_fault;

static int bar_strategy_param_set(const char *val,
				  const struct kernel_param *kp)
{
	const struct mmapdemo_strategy *s = mmapdemo_strategy_by_name(val);

	if (!s || s->needs_pages) {
		pr_err("bar_strategy=%s: must be " MMAPDEMO_BAR_STRATEGIES "\n",
		       val);
		return -EINVAL;
	}
	*(const struct mmapdemo_strategy **)kp->arg = s;
	return 0;
}

static const struct kernel_param_ops bar_strategy_param_ops = {
	.set = bar_strategy_param_set,
	.get = strategy_param_get,
};

module_param_cb(bar_strategy, &bar_strategy_param_ops,
		&mmapdemo_bar_default_strategy, 0444);
MODULE_PARM_DESC(bar_strategy,
		 "BAR devices: " MMAPDEMO_BAR_STRATEGIES " (default fault)");

static struct mmapdemo_dev *mmapdemo;

static int __init mmapdemo_init(void)
{
	struct mmapdemo_dev *md;
	int ret;

	md = kzalloc(sizeof(*md), GFP_KERNEL);
	if (!md)
		return -ENOMEM;
	mmapdemo_dev_init(md);

	ret = mmapdemo_kbuf_create(&md->backing, mmapdemo_size);
	if (ret) {
		pr_err("cannot allocate %lu bytes of device memory (at most half of RAM): %d\n",
		       mmapdemo_size, ret);
		mmapdemo_dev_free(md);
		return ret;
	}
	md->default_strategy = mmapdemo_default_strategy;
	/* Its own address_space, whatever node a file is opened through. */
	md->inode = mmapdemo_inode_new();
	if (IS_ERR(md->inode)) {
		ret = PTR_ERR(md->inode);
		md->inode = NULL;
		goto out_put;
	}

	/* Without any PCI device of ours, /dev/mmapdemo is all there is. */
	ret = mmapdemo_pci_register();
	if (ret) {
		pr_err("cannot register the PCI driver: %d\n", ret);
		goto out_put;
	}

	/*
	 * Last: once registered, the device can be opened, and nothing
	 * after this may fail (a failed init frees the module under a file
	 * that holds it).
	 */
	md->misc.minor = MISC_DYNAMIC_MINOR;
	md->misc.name = KBUILD_MODNAME;
	md->misc.fops = &mmapdemo_fops;
	/* Every opener shares the buffer: not for every user by default. */
	md->misc.mode = 0600;
	md->misc.groups = mmapdemo_attr_groups;
	ret = misc_register(&md->misc);
	if (ret) {
		pr_err("cannot register the misc device: %d\n", ret);
		goto out_unregister;
	}
	mmapdemo = md;
	pr_info("/dev/%s: %zu bytes of %s memory, default strategy %s\n",
		md->misc.name, md->backing.size, md->backing.ops->name,
		md->default_strategy->name);
	return 0;

out_unregister:
	mmapdemo_pci_unregister();
out_put:
	/* The backing's release, and the inode's if it has one. */
	mmapdemo_dev_put(md);
	return ret;
}

static void __exit mmapdemo_exit(void)
{
	struct mmapdemo_dev *md = mmapdemo;

	misc_deregister(&md->misc);
	mmapdemo_pci_unregister();
	/* No file is open (they hold the module): this frees the device. */
	mmapdemo_dev_put(md);
}

module_init(mmapdemo_init);
module_exit(mmapdemo_exit);

MODULE_DESCRIPTION("mmap of device memory: remap, fault and insert strategies");
MODULE_AUTHOR("The mmapdemo developers");
MODULE_LICENSE("GPL");
