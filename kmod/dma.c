// SPDX-License-Identifier: GPL-2.0
/*
 * The DMA device of QEMU's edu: /dev/mmapdemo-dma-<PCI address>, a buffer
 * of coherent DMA memory that user space maps and the device's own DMA
 * engine reads and writes, with its interrupt at the end of a transfer.
 *
 * The device (QEMU docs/specs/edu.rst, hw/misc/edu.c): registers at 0x80
 * (source), 0x88 (destination), 0x90 (count) and 0x98 (command) program
 * one transfer between a DMA address and the device's own 4 KiB buffer,
 * which the registers name as 0x40000 to 0x40fff.  Writing the command
 * with its start bit runs the transfer (QEMU does it 100 ms of virtual
 * time later); with its interrupt bit, the device then sets bit 0x100 of
 * the interrupt status (0x24) and raises its interrupt, MSI if enabled,
 * else INTx, which a write of the bit to 0x64 acknowledges.  The device
 * drives only 28 address bits by default (its "dma_mask" property).
 *
 * User space never gives a DMA address: MMAPDEMO_IOC_DMA_XFER names
 * offsets in the two buffers, checked against both, and the driver
 * programs the engine with its own buffer's DMA address.  (A process that
 * maps edu's registers, /dev/mmapdemo-<PCI address>, can program any
 * address: that device is root's only, like /dev/mem.  An IOMMU confines
 * the device to what the DMA API mapped for it.)
 *
 * The mapping: dma_mmap_coherent(), the DMA API's own way to map coherent
 * memory to user space, in ->mmap on every kernel.  7.x's ->mmap_prepare
 * has no DMA helper (no dma_mmap_*() takes a struct vm_area_desc, and the
 * mmap_action_*() helpers take PFNs or pages, which only the DMA API may
 * derive from a coherent allocation), and 7.x still calls ->mmap; so this
 * device keeps it there too.
 *
 * Removal follows the BAR devices' (dev.c): all files share this device's
 * own address_space; removal sets @revoked under @lock held for writing,
 * which waits for a transfer under way, then zaps every user PTE of the
 * buffer (unmap_mapping_range()): faults on old mappings get SIGBUS, the
 * rest ENODEV.  The device stops mastering the bus before its interrupt
 * goes.  An mmap() whose ->mmap ran before the removal may link its VMA,
 * with its PTEs, after the zap (6.1 to 7.x link a VMA after ->mmap): so
 * each mapping holds the buffer (@buf_ref), as videobuf2's dma-contig
 * buffers do, and the buffer is freed by the removal if nothing maps it,
 * else by the last munmap() (but see mmapdemo_dma_buf_release() for a
 * device removed from behind an IOMMU).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "internal.h"

/* edu's registers, 32-bit accesses (edu takes 32 or 64 from 0x80 up). */
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_CMD_RUN BIT(0)
#define EDU_DMA_CMD_FROM_DEV BIT(1) /* 0: RAM to edu, 1: edu to RAM */
#define EDU_DMA_CMD_IRQ BIT(2)
#define EDU_IRQ_DMA BIT(8)
#define EDU_DEV_BUF 0x40000 /* the device's buffer, to its DMA engine */
#define EDU_DEV_BUF_SIZE 4096
/*
 * The bytes of it a transfer may use: all but the last.  QEMU 7.2's edu
 * (Debian 12's) wants a transfer's end strictly inside the buffer
 * (edu_check_range(): within(end1, start, end2)), and anything else is a
 * hw_error() that aborts the whole virtual machine; newer QEMU takes an
 * end at the buffer's end.
 */
#define EDU_DEV_BUF_USABLE (EDU_DEV_BUF_SIZE - 1)
#define EDU_DMA_BITS 28
#define EDU_REGS_SIZE 0x100

/* The DMA buffer user space maps: four pages, for offsets across pages. */
#define MMAPDEMO_DMA_SIZE (4 * PAGE_SIZE)

/*
 * How long a transfer may take: QEMU runs it 100 ms of virtual time after
 * the start, so 10 s means a device that will not answer, even on a very
 * busy emulated machine.
 */
#define MMAPDEMO_DMA_TIMEOUT (10 * HZ)

/**
 * struct mmapdemo_dma - the DMA device of one edu
 * @misc: /dev/mmapdemo-dma-<PCI address>
 * @name: @misc's name
 * @ref: one for the device's existence, one per open file; the last frees
 *       the struct
 * @buf_ref: one for the device's existence, one per mapping; the last
 *           frees the buffer
 * @pdev: the PCI device, held (pci_dev_get()) until the struct is freed,
 *        for the buffer's late free
 * @cpu: the buffer, the kernel's address
 * @dma_addr: the buffer's DMA address
 * @size: its bytes
 * @regs: the kernel's mapping of edu's registers; until removal
 * @irq: the Linux interrupt number of the device's vector
 * @msi: whether that vector is an MSI
 * @iommu: whether the buffer was mapped through an IOMMU
 * @inode: the inode whose address_space every open file shares
 * @lock: held for reading by mmap() and by a transfer from start to end,
 *        for writing by the removal to set @revoked
 * @revoked: the device is gone: faults SIGBUS, the rest ENODEV
 * @xfer_lock: one transfer at a time; taken before @lock
 * @done: completed by the interrupt of a transfer's end
 * @transfers: transfers that ended
 * @irqs: DMA interrupts handled
 * @timeouts: transfers whose interrupt did not come in time
 * @live_vmas: mappings that exist
 */
struct mmapdemo_dma {
	struct miscdevice misc;
	char name[32];
	struct kref ref;
	struct kref buf_ref;
	struct pci_dev *pdev;
	void *cpu;
	dma_addr_t dma_addr;
	size_t size;
	void __iomem *regs;
	int irq;
	bool msi;
	bool iommu;
	struct inode *inode;
	/* protects revoked; see above */
	struct rw_semaphore lock;
	bool revoked;
	/* serializes transfers */
	struct mutex xfer_lock;
	struct completion done;
	atomic64_t transfers;
	atomic64_t irqs;
	atomic64_t timeouts;
	atomic64_t live_vmas;
};

static void mmapdemo_dma_release(struct kref *ref)
{
	struct mmapdemo_dma *dma = container_of(ref, struct mmapdemo_dma, ref);

	mmapdemo_inode_put(dma->inode);
	pci_dev_put(dma->pdev);
	mutex_destroy(&dma->xfer_lock);
	kfree(dma);
}

static void mmapdemo_dma_put(struct mmapdemo_dma *dma)
{
	kref_put(&dma->ref, mmapdemo_dma_release);
}

/*
 * The last user of the buffer is gone: the removal, or the last munmap()
 * after it.  A device removed (not only unbound) under a mapping has left
 * its IOMMU group by then (device_del(), iommu_release_device()), and the
 * DMA API can no longer free memory it mapped through that IOMMU: the
 * release stopped the device's IOMMU DMA ops (6.1: intel-iommu's
 * release_device sets them NULL; 6.12: dma_iommu = false; 7.3:
 * DEV_FLAG_DMA_IOMMU cleared), so dma_free_attrs() would take the buffer
 * for dma-direct memory and free the pages at its I/O virtual address.
 * The buffer is then never freed, and the log says so.
 */
static void mmapdemo_dma_buf_release(struct kref *ref)
{
	struct mmapdemo_dma *dma =
		container_of(ref, struct mmapdemo_dma, buf_ref);
	struct device *dev = &dma->pdev->dev;

	if (dma->iommu && !device_iommu_mapped(dev)) {
		dev_info(dev, "gone from its IOMMU: DMA buffer not freed\n");
		return;
	}
	dma_free_coherent(dev, dma->size, dma->cpu, dma->dma_addr);
	dma->cpu = NULL;
}

static irqreturn_t mmapdemo_dma_irq(int irq, void *data)
{
	struct mmapdemo_dma *dma = data;
	u32 status = readl(dma->regs + EDU_IRQ_STATUS);

	/* INTx may be shared: not edu's, or edu's but already handled. */
	if (!status)
		return IRQ_NONE;
	writel(status, dma->regs + EDU_IRQ_ACK);
	if (status & EDU_IRQ_DMA) {
		atomic64_inc(&dma->irqs);
		complete(&dma->done);
	}
	return IRQ_HANDLED;
}

/*
 * The physical address of the buffer's first page: the kernel's address
 * is in the linear map where the DMA API allocated from the page
 * allocator, or in vmalloc space where it remapped the pages.
 */
static phys_addr_t mmapdemo_dma_phys(const struct mmapdemo_dma *dma)
{
	if (is_vmalloc_addr(dma->cpu))
		return page_to_phys(vmalloc_to_page(dma->cpu));
	return virt_to_phys(dma->cpu);
}

static int mmapdemo_dma_open(struct inode *inode, struct file *file)
{
	/* misc_open() left our miscdevice in private_data. */
	struct mmapdemo_dma *dma =
		container_of(file->private_data, struct mmapdemo_dma, misc);

	/* Still registered (misc_open() holds misc_mtx): @ref is held. */
	kref_get(&dma->ref);
	file->f_mapping = dma->inode->i_mapping;
	file->private_data = dma;
	return 0;
}

static int mmapdemo_dma_file_release(struct inode *inode, struct file *file)
{
	mmapdemo_dma_put(file->private_data);
	return 0;
}

static void mmapdemo_dma_vma_open(struct vm_area_struct *vma)
{
	struct mmapdemo_dma *dma = vma->vm_private_data;

	kref_get(&dma->buf_ref);
	atomic64_inc(&dma->live_vmas);
}

static void mmapdemo_dma_vma_close(struct vm_area_struct *vma)
{
	struct mmapdemo_dma *dma = vma->vm_private_data;

	atomic64_dec(&dma->live_vmas);
	kref_put(&dma->buf_ref, mmapdemo_dma_buf_release);
}

/*
 * Every PTE was written by dma_mmap_coherent(): a fault comes only after
 * the removal zapped them.
 */
static vm_fault_t mmapdemo_dma_fault(struct vm_fault *vmf)
{
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct mmapdemo_dma_vm_ops = {
	.open = mmapdemo_dma_vma_open,
	.close = mmapdemo_dma_vma_close,
	.fault = mmapdemo_dma_fault,
};

/**
 * mmapdemo_dma_mmap() - the mmap file operation of a DMA device
 * @file: the open device
 * @vma: the new VMA
 *
 * Maps the buffer, or the part of it from vma->vm_pgoff, with
 * dma_mmap_coherent(), which checks that the VMA lies inside the buffer
 * and gives the PTEs the memory type the DMA API chose for it.  Without
 * an IOMMU (dma-direct) that is one remap_pfn_range() of the buffer's
 * PFNs (VM_IO | VM_PFNMAP); with one, the buffer may be pages the IOMMU
 * code remapped into vmalloc space, and it maps them with vm_map_pages()
 * (VM_MIXEDMAP, pages with struct page and a reference each).
 *
 * Context: process context, mmap_lock held for writing; takes the
 * device's lock for reading.
 * Return: 0; -EINVAL for a MAP_PRIVATE mapping (a copy of a DMA buffer is
 * not what the device writes); -EPERM for PROT_EXEC without
 * READ_IMPLIES_EXEC; -ENODEV once the device is gone; -ENXIO beyond the
 * buffer; or what dma_mmap_coherent() returns.
 */
static int mmapdemo_dma_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmapdemo_dma *dma = file->private_data;
	int ret;

	mmap_assert_write_locked(vma->vm_mm);
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/*
	 * A DMA buffer holds data, never code: as on the other devices
	 * (mmapdemo_begin_mapping()), PROT_EXEC is refused, except where
	 * READ_IMPLIES_EXEC asked for it, and VM_MAYEXEC goes, so that
	 * mprotect() cannot add it later (EACCES).
	 */
	if ((vma->vm_flags & VM_EXEC) &&
	    !(current->personality & READ_IMPLIES_EXEC))
		return -EPERM;
	vm_flags_clear(vma, VM_EXEC | VM_MAYEXEC);
	/*
	 * The buffer cannot grow, so neither can its mappings, and core
	 * dumps leave it out.  remap_pfn_range() sets both, but with an
	 * IOMMU the DMA API may map the pages with vm_map_pages(), which
	 * sets neither.
	 */
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	down_read(&dma->lock);
	if (dma->revoked) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = dma_mmap_coherent(&dma->pdev->dev, vma, dma->cpu, dma->dma_addr,
				dma->size);
	if (ret)
		goto out_unlock;
	/* From here the core fails the mapping no more: it is counted. */
	vma->vm_ops = &mmapdemo_dma_vm_ops;
	vma->vm_private_data = dma;
	mmapdemo_dma_vma_open(vma);
out_unlock:
	up_read(&dma->lock);
	return ret;
}

/* The bounds of a transfer, in both buffers, computed without wrapping. */
static bool mmapdemo_dma_xfer_ok(const struct mmapdemo_dma *dma,
				 const struct mmapdemo_dma_xfer *x)
{
	if (x->flags || !x->len || x->len > EDU_DEV_BUF_USABLE)
		return false;
	if (x->direction != MMAPDEMO_DMA_TO_DEVICE &&
	    x->direction != MMAPDEMO_DMA_FROM_DEVICE)
		return false;
	if (x->offset >= dma->size || x->len > dma->size - x->offset)
		return false;
	return x->dev_offset < EDU_DEV_BUF_USABLE &&
	       x->len <= EDU_DEV_BUF_USABLE - x->dev_offset;
}

/**
 * mmapdemo_dma_run() - program one checked transfer and wait for its end
 * @dma: the device
 * @x: the transfer, checked by mmapdemo_dma_xfer_ok()
 *
 * The coherent buffer needs no dma_sync_*() call: the CPU and the device
 * see the same data without one, which is what coherent memory means.
 * The register writes are ordered after the CPU's earlier writes to the
 * buffer by writel() itself (a write barrier before the MMIO write).
 *
 * Context: process context, may sleep; the device's xfer_lock held, its
 * lock held for reading and not revoked.
 * Return: 0; -EBUSY if the engine still runs an earlier transfer (one
 * that timed out); -ETIMEDOUT if the interrupt did not come.
 */
static int mmapdemo_dma_run(struct mmapdemo_dma *dma,
			    const struct mmapdemo_dma_xfer *x)
{
	u32 buf = lower_32_bits(dma->dma_addr + x->offset);
	u32 dev = EDU_DEV_BUF + x->dev_offset;
	u32 cmd = EDU_DMA_CMD_RUN | EDU_DMA_CMD_IRQ;
	unsigned long left;

	lockdep_assert_held(&dma->xfer_lock);
	lockdep_assert_held_read(&dma->lock);
	if (readl(dma->regs + EDU_DMA_CMD) & EDU_DMA_CMD_RUN)
		return -EBUSY;
	if (x->direction == MMAPDEMO_DMA_TO_DEVICE) {
		writel(buf, dma->regs + EDU_DMA_SRC);
		writel(dev, dma->regs + EDU_DMA_DST);
	} else {
		writel(dev, dma->regs + EDU_DMA_SRC);
		writel(buf, dma->regs + EDU_DMA_DST);
		cmd |= EDU_DMA_CMD_FROM_DEV;
	}
	writel(x->len, dma->regs + EDU_DMA_COUNT);
	reinit_completion(&dma->done);
	writel(cmd, dma->regs + EDU_DMA_CMD);

	/*
	 * The run bit clears before the interrupt is raised; an interrupt
	 * that a process with edu's registers mapped raised by hand (0x60)
	 * is not the end of the transfer.
	 */
	left = MMAPDEMO_DMA_TIMEOUT;
	do {
		left = wait_for_completion_timeout(&dma->done, left);
		if (!left) {
			atomic64_inc(&dma->timeouts);
			return -ETIMEDOUT;
		}
	} while (readl(dma->regs + EDU_DMA_CMD) & EDU_DMA_CMD_RUN);
	atomic64_inc(&dma->transfers);
	return 0;
}

static int mmapdemo_dma_ioctl_xfer(struct mmapdemo_dma *dma, void __user *uarg,
				   size_t usize)
{
	struct mmapdemo_dma_xfer x;
	int ret;

	if (usize < sizeof(x))
		return -EINVAL;
	ret = copy_struct_from_user(&x, sizeof(x), uarg, usize);
	if (ret)
		return ret;
	if (!mmapdemo_dma_xfer_ok(dma, &x))
		return -EINVAL;

	ret = mutex_lock_killable(&dma->xfer_lock);
	if (ret)
		return ret;
	down_read(&dma->lock);
	ret = dma->revoked ? -ENODEV : mmapdemo_dma_run(dma, &x);
	up_read(&dma->lock);
	mutex_unlock(&dma->xfer_lock);
	return ret;
}

static int mmapdemo_dma_ioctl_info(struct mmapdemo_dma *dma, void __user *uarg,
				   size_t usize)
{
	struct mmapdemo_dma_info info;

	if (usize < sizeof(info))
		return -EINVAL;
	/* memset, not "= {}": padding must not leak either. */
	memset(&info, 0, sizeof(info));
	info.size = dma->size;
	info.dev_buf_size = EDU_DEV_BUF_USABLE;
	info.irq_kind = dma->msi ? MMAPDEMO_DMA_IRQ_MSI : MMAPDEMO_DMA_IRQ_INTX;
	info.dma_mask = dma_get_mask(&dma->pdev->dev);
	info.transfers = atomic64_read(&dma->transfers);
	info.irqs = atomic64_read(&dma->irqs);
	info.timeouts = atomic64_read(&dma->timeouts);
	info.live_vmas = atomic64_read(&dma->live_vmas);
	/* Addresses only to the administrator, as /proc/PID/pagemap's PFNs. */
	if (capable(CAP_SYS_ADMIN)) {
		down_read(&dma->lock);
		if (!dma->revoked) {
			info.flags |= MMAPDEMO_DMA_INFO_ADDRS;
			info.dma_addr = dma->dma_addr;
			info.phys = mmapdemo_dma_phys(dma);
		}
		up_read(&dma->lock);
	}
	return copy_to_user(uarg, &info, min(sizeof(info), usize)) ? -EFAULT :
								     0;
}

/* A command without its size, to match callers of any struct version. */
#define IOC_NOSIZE(cmd) ((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

static long mmapdemo_dma_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct mmapdemo_dma *dma = file->private_data;
	void __user *uarg = (void __user *)arg;
	size_t usize = _IOC_SIZE(cmd);

	if (READ_ONCE(dma->revoked))
		return -ENODEV;
	switch (IOC_NOSIZE(cmd)) {
	case IOC_NOSIZE(MMAPDEMO_IOC_DMA_INFO):
		return mmapdemo_dma_ioctl_info(dma, uarg, usize);
	case IOC_NOSIZE(MMAPDEMO_IOC_DMA_XFER):
		return mmapdemo_dma_ioctl_xfer(dma, uarg, usize);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mmapdemo_dma_fops = {
	.owner = THIS_MODULE,
	.open = mmapdemo_dma_open,
	.release = mmapdemo_dma_file_release,
	.mmap = mmapdemo_dma_mmap,
	.unlocked_ioctl = mmapdemo_dma_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * The interrupt: one vector, MSI where the kernel and the device have it,
 * else the INTx pin, which other devices may share.
 */
static int mmapdemo_dma_setup_irq(struct mmapdemo_dma *dma)
{
	struct pci_dev *pdev = dma->pdev;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI | PCI_IRQ_INTX);
	if (ret < 0)
		return ret;
	dma->msi = pdev->msi_enabled;
	dma->irq = pci_irq_vector(pdev, 0);
	ret = request_irq(dma->irq, mmapdemo_dma_irq,
			  dma->msi ? 0 : IRQF_SHARED, dma->name, dma);
	if (ret)
		pci_free_irq_vectors(pdev);
	return ret;
}

/**
 * mmapdemo_dma_probe() - give an edu device its DMA device
 * @md: the BAR device of the edu, registered
 *
 * Context: PCI probe, process context, may sleep; the BAR's region is
 * requested and the device enabled.
 * Return: 0 with md->dma set, or a negative errno.
 */
int mmapdemo_dma_probe(struct mmapdemo_dev *md)
{
	struct pci_dev *pdev = md->pdev;
	struct mmapdemo_dma *dma;
	int ret;

	/* What the device really drives; the DMA API allocates below it. */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret)
		return ret;
	dma = kzalloc(sizeof(*dma), GFP_KERNEL);
	if (!dma)
		return -ENOMEM;
	kref_init(&dma->ref);
	kref_init(&dma->buf_ref);
	init_rwsem(&dma->lock);
	mutex_init(&dma->xfer_lock);
	init_completion(&dma->done);
	dma->pdev = pci_dev_get(pdev);
	dma->size = MMAPDEMO_DMA_SIZE;
	snprintf(dma->name, sizeof(dma->name), "%s-dma-%s", KBUILD_MODNAME,
		 pci_name(pdev));

	dma->inode = mmapdemo_inode_new();
	if (IS_ERR(dma->inode)) {
		ret = PTR_ERR(dma->inode);
		goto out_free;
	}
	/*
	 * The registers, a second kernel mapping of the BAR's first bytes:
	 * the BAR device's own (md->backing.ioaddr) is for paths that hold
	 * its memory_lock, which an interrupt handler cannot take.  The
	 * same memory type, uncached.
	 */
	dma->regs = ioremap_uc(pci_resource_start(pdev, 0), EDU_REGS_SIZE);
	if (!dma->regs) {
		ret = -ENOMEM;
		goto out_inode;
	}
	dma->cpu = dma_alloc_coherent(&pdev->dev, dma->size, &dma->dma_addr,
				      GFP_KERNEL);
	if (!dma->cpu) {
		ret = -ENOMEM;
		goto out_iounmap;
	}
	dma->iommu = device_iommu_mapped(&pdev->dev);
	pci_set_master(pdev);
	ret = mmapdemo_dma_setup_irq(dma);
	if (ret)
		goto out_free_buf;

	dma->misc.minor = MISC_DYNAMIC_MINOR;
	dma->misc.name = dma->name;
	dma->misc.fops = &mmapdemo_dma_fops;
	dma->misc.mode = 0600;
	dma->misc.parent = &pdev->dev;
	ret = misc_register(&dma->misc);
	if (ret)
		goto out_irq;
	md->dma = dma;
	pci_info(pdev, "/dev/%s: %zu bytes of coherent DMA memory, %s\n",
		 dma->name, dma->size, dma->msi ? "MSI" : "INTx");
	return 0;

out_irq:
	free_irq(dma->irq, dma);
	pci_free_irq_vectors(pdev);
out_free_buf:
	pci_clear_master(pdev);
	dma_free_coherent(&pdev->dev, dma->size, dma->cpu, dma->dma_addr);
out_iounmap:
	iounmap(dma->regs);
out_inode:
	mmapdemo_inode_put(dma->inode);
out_free:
	pci_dev_put(dma->pdev);
	mutex_destroy(&dma->xfer_lock);
	kfree(dma);
	return ret;
}

/**
 * mmapdemo_dma_remove() - the edu goes away: so does its DMA device
 * @md: the BAR device of the edu; md->dma set by mmapdemo_dma_probe()
 *
 * Waits for a transfer under way (bounded by its timeout), then: no user
 * PTE maps the buffer, faults get SIGBUS and everything else ENODEV, the
 * device no longer masters the bus, and its interrupt is freed.  The
 * buffer goes now, or with the last mapping (see the top of this file).
 *
 * Context: PCI remove, process context, may sleep; takes the device's
 * lock for writing, then i_mmap_rwsem (unmap_mapping_range()) without it.
 */
void mmapdemo_dma_remove(struct mmapdemo_dev *md)
{
	struct mmapdemo_dma *dma = md->dma;
	struct pci_dev *pdev = dma->pdev;

	misc_deregister(&dma->misc);
	down_write(&dma->lock);
	WRITE_ONCE(dma->revoked, true);
	up_write(&dma->lock);
	unmap_mapping_range(dma->inode->i_mapping, 0, 0, 1);

	/* A transfer that timed out may still run: stop its DMA. */
	pci_clear_master(pdev);
	free_irq(dma->irq, dma);
	pci_free_irq_vectors(pdev);
	iounmap(dma->regs);
	dma->regs = NULL;
	kref_put(&dma->buf_ref, mmapdemo_dma_buf_release);
	md->dma = NULL;
	mmapdemo_dma_put(dma);
}
