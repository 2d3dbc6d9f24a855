// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI driver: each bound device gets its own mmapdemo device,
 * /dev/mmapdemo-<PCI address>, whose memory is one of its BARs.
 *
 *  - QEMU's ivshmem-plain (1af4:1110): BAR 2 is shared memory, a file on
 *    the host.  Caching "wc" by default: it is RAM on the host side, with
 *    no side effects on read, so write combining only batches writes;
 *    "uc" may be chosen.
 *  - QEMU's edu (1234:11e8): BAR 0 is registers.  Always "uc": a read
 *    may have side effects, and write combining would merge and reorder
 *    writes that the device must see one by one, in order.
 *
 * Removal (driver unbind, device removal, module unload) revokes the
 * device before pcim releases the BAR; files opened before stay valid
 * and answer ENODEV (dev.c).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "internal.h"

#define PCI_VENDOR_ID_QEMU_EDU 0x1234
#define PCI_DEVICE_ID_QEMU_EDU 0x11e8
#define PCI_VENDOR_ID_REDHAT_QUMRANET_IVSHMEM 0x1af4
#define PCI_DEVICE_ID_IVSHMEM 0x1110

/**
 * struct mmapdemo_pci_kind - what mmapdemo maps of one kind of PCI device
 * @bar: the BAR
 * @caching: its mode when bound
 * @wc_ok: whether write combining may be chosen (memory, not registers)
 * @dma: whether it has edu's DMA engine: a DMA device too (dma.c)
 */
struct mmapdemo_pci_kind {
	int bar;
	enum mmapdemo_caching caching;
	bool wc_ok;
	bool dma;
};

static const struct mmapdemo_pci_kind ivshmem_kind = {
	.bar = 2,
	.caching = MMAPDEMO_CACHING_WC,
	.wc_ok = true,
};

static const struct mmapdemo_pci_kind edu_kind = {
	.bar = 0,
	.caching = MMAPDEMO_CACHING_UC,
	.wc_ok = false,
	.dma = true,
};

static const struct pci_device_id mmapdemo_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT_QUMRANET_IVSHMEM,
		     PCI_DEVICE_ID_IVSHMEM),
	  .driver_data = (kernel_ulong_t)&ivshmem_kind },
	{ PCI_DEVICE(PCI_VENDOR_ID_QEMU_EDU, PCI_DEVICE_ID_QEMU_EDU),
	  .driver_data = (kernel_ulong_t)&edu_kind },
	{}
};
MODULE_DEVICE_TABLE(pci, mmapdemo_pci_ids);

/**
 * mmapdemo_pci_set_caching() - change a BAR device's caching mode
 * @md: a BAR device
 * @caching: MMAPDEMO_CACHING_UC or MMAPDEMO_CACHING_WC
 *
 * Context: process context, may sleep; takes the device's i_mmap_rwsem
 * for reading, then memory_lock for writing.
 * Return: 0; -EINVAL for wc on registers or for the RAM device; -EBUSY
 * while the device has mappings; -ENODEV once removed; -ENOMEM.
 */
int mmapdemo_pci_set_caching(struct mmapdemo_dev *md,
			     enum mmapdemo_caching caching)
{
	int ret;

	if (!md->pdev || caching == MMAPDEMO_CACHING_WB)
		return -EINVAL;
	/*
	 * On 7.x the core writes an eager mapping's PTEs (its action) with
	 * i_mmap_rwsem held for writing (mmap.c), and remap_pfn_range()
	 * reserves their memory type against the kernel's reservation of
	 * the BAR: none may run while that reservation is remade below,
	 * or x86 PAT would give the mapping, and then the kernel's new
	 * ioremap(), the type the other one asked for.
	 */
	i_mmap_lock_read(md->inode->i_mapping);
	down_write(&md->memory_lock);
	if (md->revoked) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (caching == MMAPDEMO_CACHING_WC && md->registers) {
		ret = -EINVAL;
		goto out_unlock;
	}
	/*
	 * Existing PTEs would keep the old type.  An mmap counts its VMA in
	 * live_vmas under memory_lock, after checking that the mode is still
	 * the one it was described with (mmap.c, mmapdemo_commit_mapping()):
	 * one under way now fails with EBUSY there, so none can appear with
	 * the old type.
	 */
	if (atomic64_read(&md->stats.live_vmas)) {
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = mmapdemo_bar_backing_set_caching(&md->backing, caching);
	if (!md->backing.ioaddr) {
		/* Neither mode could be mapped again: nothing may use it. */
		pci_err(md->pdev, "lost the kernel mapping of BAR %d\n",
			md->bar);
		WRITE_ONCE(md->revoked, true);
	}
out_unlock:
	up_write(&md->memory_lock);
	i_mmap_unlock_read(md->inode->i_mapping);
	return ret;
}

static int mmapdemo_pci_probe(struct pci_dev *pdev,
			      const struct pci_device_id *id)
{
	const struct mmapdemo_pci_kind *kind = (const void *)id->driver_data;
	resource_size_t start, len;
	struct mmapdemo_dev *md;
	int ret;

	/*
	 * A device bound through driver_override matches with the PCI
	 * core's catch-all ID, whose driver_data is 0: not a device this
	 * driver knows.
	 */
	if (!kind) {
		pci_info(pdev, "not a device of mmapdemo's ID table\n");
		return -ENODEV;
	}
	start = pci_resource_start(pdev, kind->bar);
	len = pci_resource_len(pdev, kind->bar);
	if (!(pci_resource_flags(pdev, kind->bar) & IORESOURCE_MEM) ||
	    !PAGE_ALIGNED(start) || !PAGE_ALIGNED(len) || !len) {
		pci_err(pdev, "BAR %d is not page-aligned memory\n", kind->bar);
		return -ENODEV;
	}
	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	/*
	 * Released by hand, in remove() and on the way out of here: up to
	 * 6.12 a region requested after pcim_enable_device() was managed,
	 * but 7.x dropped that mode, and the region then stayed busy after
	 * an unbind.  pci_release_region() also drops the devres entry where
	 * there is one, so this is right on every kernel.
	 */
	ret = pci_request_region(pdev, kind->bar, KBUILD_MODNAME);
	if (ret)
		return ret;

	md = kzalloc(sizeof(*md), GFP_KERNEL);
	if (!md) {
		ret = -ENOMEM;
		goto out_release_region;
	}
	mmapdemo_dev_init(md);
	ret = mmapdemo_bar_backing_init(&md->backing, start, len,
					kind->caching);
	if (ret == -EBUSY)
		pci_err(pdev,
			"BAR %d is reserved with a memory type of neither mode\n",
			kind->bar);
	if (ret) {
		/* The release of a backing that has nothing. */
		mmapdemo_dev_free(md);
		goto out_release_region;
	}
	md->pdev = pdev;
	md->bar = kind->bar;
	md->registers = !kind->wc_ok;
	md->default_strategy = mmapdemo_bar_default_strategy;
	md->inode = mmapdemo_inode_new();
	if (IS_ERR(md->inode)) {
		ret = PTR_ERR(md->inode);
		md->inode = NULL;
		goto out_put;
	}

	/* /dev/mmapdemo-0000:00:04.0: PCI addresses are unique and stable. */
	snprintf(md->name, sizeof(md->name), "%s-%s", KBUILD_MODNAME,
		 pci_name(pdev));
	if (kind->dma) {
		ret = mmapdemo_dma_probe(md);
		if (ret)
			goto out_put;
	}
	/*
	 * Last: once registered, the device can be opened, so nothing after
	 * this may fail (an error path would have to revoke what a file
	 * opened in between maps, as remove() does).
	 */
	md->misc.minor = MISC_DYNAMIC_MINOR;
	md->misc.name = md->name;
	md->misc.fops = &mmapdemo_fops;
	md->misc.mode = 0600;
	md->misc.parent = &pdev->dev;
	md->misc.groups = mmapdemo_bar_attr_groups;
	ret = misc_register(&md->misc);
	if (ret) {
		if (md->dma)
			mmapdemo_dma_remove(md);
		goto out_put;
	}
	pci_set_drvdata(pdev, md);
	pci_info(pdev, "/dev/%s: BAR %d, %pa, %zu bytes, caching %s\n",
		 md->name, md->bar, &start, md->backing.size,
		 mmapdemo_caching_name(md->backing.caching));
	/* See mmapdemo_bar_backing_init(): a mapping from before a removal. */
	if (md->backing.caching != kind->caching)
		pci_info(pdev, "BAR %d stays %s for an old mapping\n", md->bar,
			 mmapdemo_caching_name(md->backing.caching));
	return 0;

out_put:
	mmapdemo_dev_put(md);
out_release_region:
	pci_release_region(pdev, kind->bar);
	return ret;
}

static void mmapdemo_pci_remove(struct pci_dev *pdev)
{
	struct mmapdemo_dev *md = pci_get_drvdata(pdev);
	int bar = md->bar;

	if (md->dma)
		mmapdemo_dma_remove(md);
	/* No new opens; open files keep their reference. */
	misc_deregister(&md->misc);
	mmapdemo_dev_revoke(md);
	/* Deferred I/O's last flush, to the BAR that is still mapped. */
	mmapdemo_defio_detach(md);
	/* Nothing uses the kernel's mapping once revoked and detached. */
	md->backing.ops->release(&md->backing);
	mmapdemo_dev_put(md);
	pci_release_region(pdev, bar);
	/* pcim disables the device after this. */
}

/*
 * /sys/bus/pci/drivers/mmapdemo/devices_alive and inodes_alive: the
 * devices (the RAM one too) and their inodes (with the DMA devices') that
 * exist, bound or removed but still open.  Read-only; for the lifecycle tests.
 */
static ssize_t devices_alive_show(struct device_driver *drv, char *buf)
{
	return sysfs_emit(buf, "%d\n", mmapdemo_alive(false));
}
static DRIVER_ATTR_RO(devices_alive);

static ssize_t inodes_alive_show(struct device_driver *drv, char *buf)
{
	return sysfs_emit(buf, "%d\n", mmapdemo_alive(true));
}
static DRIVER_ATTR_RO(inodes_alive);

static struct attribute *mmapdemo_pci_driver_attrs[] = {
	&driver_attr_devices_alive.attr,
	&driver_attr_inodes_alive.attr,
	NULL,
};
ATTRIBUTE_GROUPS(mmapdemo_pci_driver);

static struct pci_driver mmapdemo_pci_driver = {
	.name = KBUILD_MODNAME,
	.id_table = mmapdemo_pci_ids,
	.groups = mmapdemo_pci_driver_groups,
	.probe = mmapdemo_pci_probe,
	.remove = mmapdemo_pci_remove,
};

/**
 * mmapdemo_pci_register() - bind the PCI devices mmapdemo knows
 *
 * Context: module init.
 * Return: 0 or a negative errno from pci_register_driver().
 */
int mmapdemo_pci_register(void)
{
	return pci_register_driver(&mmapdemo_pci_driver);
}

/**
 * mmapdemo_pci_unregister() - unbind them all
 *
 * Context: module exit.
 */
void mmapdemo_pci_unregister(void)
{
	pci_unregister_driver(&mmapdemo_pci_driver);
}
