// SPDX-License-Identifier: GPL-2.0
/*
 * The device's attributes and counters in sysfs, under the misc device:
 * /sys/class/misc/mmapdemo/ and, for a BAR device,
 * /sys/class/misc/mmapdemo-<PCI address>/, with its caching mode
 * (Documentation/ABI/testing/).
 */
#include <linux/device.h>
#include <linux/miscdevice.h>
#include <linux/sysfs.h>

#include "internal.h"

static struct mmapdemo_dev *to_mmapdemo_dev(struct device *dev)
{
	/* misc_register() makes the miscdevice the device's driver data. */
	struct miscdevice *misc = dev_get_drvdata(dev);

	return container_of(misc, struct mmapdemo_dev, misc);
}

/* The kernel's layout of a macro that defines a function. */
/* clang-format off */
#define MMAPDEMO_COUNTER_ATTR(name)					\
static ssize_t name##_show(struct device *dev,				\
			   struct device_attribute *attr, char *buf)	\
{									\
	struct mmapdemo_dev *md = to_mmapdemo_dev(dev);			\
									\
	return sysfs_emit(buf, "%lld\n", atomic64_read(&md->stats.name)); \
}									\
static DEVICE_ATTR_RO(name)
/* clang-format on */

MMAPDEMO_COUNTER_ATTR(mmaps);
MMAPDEMO_COUNTER_ATTR(faults);
MMAPDEMO_COUNTER_ATTR(fault_sigbus);
MMAPDEMO_COUNTER_ATTR(mkwrites);
MMAPDEMO_COUNTER_ATTR(eager_pages);
MMAPDEMO_COUNTER_ATTR(vma_opens);
MMAPDEMO_COUNTER_ATTR(vma_closes);
MMAPDEMO_COUNTER_ATTR(live_vmas);
MMAPDEMO_COUNTER_ATTR(around_pages);
MMAPDEMO_COUNTER_ATTR(pmd_faults);
MMAPDEMO_COUNTER_ATTR(pud_faults);
MMAPDEMO_COUNTER_ATTR(huge_fallbacks);
MMAPDEMO_COUNTER_ATTR(defio_dirtied);
MMAPDEMO_COUNTER_ATTR(defio_flushed);
MMAPDEMO_COUNTER_ATTR(defio_reprotected);

static struct attribute *mmapdemo_stats_attrs[] = {
	&dev_attr_mmaps.attr,
	&dev_attr_faults.attr,
	&dev_attr_fault_sigbus.attr,
	&dev_attr_mkwrites.attr,
	&dev_attr_eager_pages.attr,
	&dev_attr_vma_opens.attr,
	&dev_attr_vma_closes.attr,
	&dev_attr_live_vmas.attr,
	&dev_attr_pmd_faults.attr,
	&dev_attr_pud_faults.attr,
	&dev_attr_huge_fallbacks.attr,
	&dev_attr_defio_dirtied.attr,
	&dev_attr_defio_flushed.attr,
	&dev_attr_defio_reprotected.attr,
	&dev_attr_around_pages.attr, /* always 0: the driver maps no window */
	NULL,
};

static const struct attribute_group mmapdemo_stats_group = {
	.name = "stats",
	.attrs = mmapdemo_stats_attrs,
};

static ssize_t size_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%zu\n", to_mmapdemo_dev(dev)->backing.size);
}
static DEVICE_ATTR_RO(size);

static ssize_t backing_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", to_mmapdemo_dev(dev)->backing.ops->name);
}
static DEVICE_ATTR_RO(backing);

/* "mmap" or "mmap_prepare": the file operation the module was built with. */
static ssize_t front_end_show(struct device *dev, struct device_attribute *attr,
			      char *buf)
{
	return sysfs_emit(buf, "%s\n", MMAPDEMO_FRONT_END);
}
static DEVICE_ATTR_RO(front_end);

static struct attribute *mmapdemo_attrs[] = {
	&dev_attr_size.attr,
	&dev_attr_backing.attr,
	&dev_attr_front_end.attr,
	NULL,
};

static const struct attribute_group mmapdemo_group = {
	.attrs = mmapdemo_attrs,
};

const struct attribute_group *mmapdemo_attr_groups[] = { &mmapdemo_group,
							 &mmapdemo_stats_group,
							 NULL };

/* A BAR device's caching mode: "uc" or "wc"; writable by root. */
static ssize_t caching_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct mmapdemo_dev *md = to_mmapdemo_dev(dev);
	enum mmapdemo_caching caching = READ_ONCE(md->backing.caching);

	return sysfs_emit(buf, "%s\n", mmapdemo_caching_name(caching));
}

static ssize_t caching_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	enum mmapdemo_caching caching;
	int ret;

	if (sysfs_streq(buf, "uc"))
		caching = MMAPDEMO_CACHING_UC;
	else if (sysfs_streq(buf, "wc"))
		caching = MMAPDEMO_CACHING_WC;
	else
		return -EINVAL;
	ret = mmapdemo_pci_set_caching(to_mmapdemo_dev(dev), caching);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(caching);

/* Which BAR of the PCI device (its "device" link) is the memory. */
static ssize_t bar_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%d\n", to_mmapdemo_dev(dev)->bar);
}
static DEVICE_ATTR_RO(bar);

static struct attribute *mmapdemo_bar_attrs[] = {
	/* What every device has, */
	&dev_attr_size.attr,
	&dev_attr_backing.attr,
	&dev_attr_front_end.attr,
	/* and the BAR's own. */
	&dev_attr_caching.attr,
	&dev_attr_bar.attr,
	NULL,
};

static const struct attribute_group mmapdemo_bar_group = {
	.attrs = mmapdemo_bar_attrs,
};

const struct attribute_group *mmapdemo_bar_attr_groups[] = {
	&mmapdemo_bar_group, &mmapdemo_stats_group, NULL
};
