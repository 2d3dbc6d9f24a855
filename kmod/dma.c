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
 *
 * The second buffer, from MMAPDEMO_DMA_PAGES_OFFSET in the file, is an
 * array of pages, each from its own dma_alloc_pages(): the way to get
 * pages for a device that the DMA API allocates below the device's mask
 * (edu's 28 bits: without an IOMMU, dma-direct takes a page of
 * ZONE_DMA32 and, if that lies above the mask, one of ZONE_DMA) and maps
 * through the IOMMU if there is one, each page at a DMA address of its
 * own.  The other way,
 * alloc_page() then dma_map_page() (videobuf2-dma-sg's), would leave the
 * mask to swiotlb's bounce buffer, which need not lie below 256 MiB.  Such
 * pages are not coherent: a transfer syncs each page it touches, before
 * (dma_sync_single_for_device()) and after (dma_sync_single_for_cpu());
 * see mmapdemo_dma_xfer_pages().  They are ordinary pages, so ->mmap maps
 * them with vm_map_pages_zero(), as videobuf2-dma-sg maps its array with
 * vm_map_pages().  7.3 has an mmap_action for page arrays
 * (mmap_action_map_kernel_pages()), for ->mmap_prepare, but no driver of
 * 7.3 uses it, and this file's ->mmap must stay for the coherent buffer:
 * one file has one of the two.  Both buffers share @buf_ref, the file's
 * address_space and so the revocation.
 *
 * read() and pread() copy the same bytes out, at mmap()'s offsets, for
 * a comparison of the two ways (mmapdemo bench): see
 * mmapdemo_dma_read_iter().  There is no write(): the device's data comes
 * in by DMA, and a program writes the buffer through its mapping.
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
#include <linux/uio.h>
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
/* The page-array buffer: as many pages, from MMAPDEMO_DMA_PAGES_OFFSET. */
#define MMAPDEMO_DMA_NR_PAGES 4
#define MMAPDEMO_DMA_PAGES_SIZE (MMAPDEMO_DMA_NR_PAGES * PAGE_SIZE)
/* The end of the page array, the last offset of the file. */
#define MMAPDEMO_DMA_END (MMAPDEMO_DMA_PAGES_OFFSET + MMAPDEMO_DMA_PAGES_SIZE)
/* Both buffers are read and written by the device. */
#define MMAPDEMO_DMA_PAGES_DIR DMA_BIDIRECTIONAL

/* Which DMA buffer a range of the file's offsets lies in. */
enum mmapdemo_dma_buf {
	MMAPDEMO_DMA_BUF_NONE,
	MMAPDEMO_DMA_BUF_COHERENT,
	MMAPDEMO_DMA_BUF_PAGES,
};

/*
 * How long a transfer may take: QEMU runs it 100 ms of virtual time after
 * the start, so 10 s means a device that will not answer, even on a very
 * busy emulated machine.
 */
#define MMAPDEMO_DMA_TIMEOUT (10 * HZ)

/* struct mmapdemo_dma_info before pages_offset. */
#define MIN_SIZE_DMA_INFO offsetofend(struct mmapdemo_dma_info, live_vmas)

/**
 * struct mmapdemo_dma - the DMA device of one edu
 * @misc: /dev/mmapdemo-dma-<PCI address>
 * @name: @misc's name
 * @ref: one for the device's existence, one per open file; the last frees
 *       the struct
 * @buf_ref: one for the device's existence, one per mapping and one per
 *           read() under way; the last frees the buffers
 * @pdev: the PCI device, held (pci_dev_get()) until the struct is freed,
 *        for the buffer's late free
 * @cpu: the coherent buffer, the kernel's address
 * @dma_addr: the coherent buffer's DMA address
 * @size: its bytes
 * @pages: the page-array buffer, one dma_alloc_pages() each
 * @pages_dma: the DMA address of each of @pages
 * @regs: the kernel's mapping of edu's registers; until removal
 * @irq: the Linux interrupt number of the device's vector
 * @msi: whether that vector is an MSI
 * @iommu: whether the buffer was mapped through an IOMMU
 * @inode: the inode whose address_space every open file shares
 * @lock: held for reading by mmap(), by a transfer from start to end and
 *        by read() to take @buf_ref (not across its copy), for writing
 *        by the removal to set @revoked
 * @revoked: the device is gone: faults SIGBUS, the rest ENODEV
 * @xfer_lock: one transfer at a time; taken before @lock
 * @done: completed by the interrupt of a transfer's end
 * @transfers: MMAPDEMO_IOC_DMA_XFER calls that ended
 * @irqs: DMA interrupts handled: one per run of the engine
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
	struct page *pages[MMAPDEMO_DMA_NR_PAGES];
	dma_addr_t pages_dma[MMAPDEMO_DMA_NR_PAGES];
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

/* Frees what mmapdemo_dma_alloc_bufs() allocated, all or part. */
static void mmapdemo_dma_free_bufs(struct mmapdemo_dma *dma)
{
	struct device *dev = &dma->pdev->dev;
	unsigned int i;

	for (i = 0; i < MMAPDEMO_DMA_NR_PAGES && dma->pages[i]; i++) {
		dma_free_pages(dev, PAGE_SIZE, dma->pages[i], dma->pages_dma[i],
			       MMAPDEMO_DMA_PAGES_DIR);
		dma->pages[i] = NULL;
	}
	if (dma->cpu)
		dma_free_coherent(dev, dma->size, dma->cpu, dma->dma_addr);
	dma->cpu = NULL;
}

/* Both buffers; on failure, none. */
static int mmapdemo_dma_alloc_bufs(struct mmapdemo_dma *dma)
{
	struct device *dev = &dma->pdev->dev;
	unsigned int i;

	dma->cpu =
		dma_alloc_coherent(dev, dma->size, &dma->dma_addr, GFP_KERNEL);
	if (!dma->cpu)
		return -ENOMEM;
	/* Zeroed: the pages go to user space. */
	for (i = 0; i < MMAPDEMO_DMA_NR_PAGES; i++) {
		dma->pages[i] = dma_alloc_pages(dev, PAGE_SIZE,
						&dma->pages_dma[i],
						MMAPDEMO_DMA_PAGES_DIR,
						GFP_KERNEL | __GFP_ZERO);
		if (!dma->pages[i]) {
			mmapdemo_dma_free_bufs(dma);
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * The last user of the buffers is gone: the removal, or the last munmap()
 * after it.  A device removed (not only unbound) under a mapping has left
 * its IOMMU group by then (device_del(), iommu_release_device()), and the
 * DMA API can no longer free memory it mapped through that IOMMU: the
 * release stopped the device's IOMMU DMA ops (6.1: intel-iommu's
 * release_device sets them NULL; 6.12: dma_iommu = false; 7.3:
 * DEV_FLAG_DMA_IOMMU cleared), so dma_free_attrs() would take the buffer
 * for dma-direct memory and free the pages at its I/O virtual address.
 * The buffers are then never freed, and the log says so.
 */
static void mmapdemo_dma_buf_release(struct kref *ref)
{
	struct mmapdemo_dma *dma =
		container_of(ref, struct mmapdemo_dma, buf_ref);
	struct device *dev = &dma->pdev->dev;

	if (dma->iommu && !device_iommu_mapped(dev)) {
		dev_info(dev, "gone from its IOMMU: DMA buffers not freed\n");
		return;
	}
	mmapdemo_dma_free_bufs(dma);
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
 * Which buffer holds the whole of [@off, @off + @len) of the file's
 * offsets, and where in it (@rel); computed without wrapping.
 */
static enum mmapdemo_dma_buf mmapdemo_dma_locate(const struct mmapdemo_dma *dma,
						 u64 off, u64 len, u64 *rel)
{
	if (off < dma->size && len <= dma->size - off) {
		*rel = off;
		return MMAPDEMO_DMA_BUF_COHERENT;
	}
	if (off < MMAPDEMO_DMA_PAGES_OFFSET)
		return MMAPDEMO_DMA_BUF_NONE;
	off -= MMAPDEMO_DMA_PAGES_OFFSET;
	if (off >= MMAPDEMO_DMA_PAGES_SIZE ||
	    len > MMAPDEMO_DMA_PAGES_SIZE - off)
		return MMAPDEMO_DMA_BUF_NONE;
	*rel = off;
	return MMAPDEMO_DMA_BUF_PAGES;
}

/*
 * The DMA and physical addresses of byte @rel of a buffer.  The coherent
 * buffer is one range of DMA addresses; its kernel address is in the
 * linear map where the DMA API allocated from the page allocator, or in
 * vmalloc space where it remapped pages (an IOMMU's), which need not be
 * physically contiguous.  Each page of the page array has its own.
 *
 * Context: the device's lock held, not revoked: the buffers exist.
 */
static void mmapdemo_dma_addrs(const struct mmapdemo_dma *dma,
			       enum mmapdemo_dma_buf buf, u64 rel,
			       dma_addr_t *dma_addr, phys_addr_t *phys)
{
	void *cpu;

	lockdep_assert_held(&dma->lock);
	if (buf == MMAPDEMO_DMA_BUF_PAGES) {
		*dma_addr =
			dma->pages_dma[rel >> PAGE_SHIFT] + offset_in_page(rel);
		*phys = page_to_phys(dma->pages[rel >> PAGE_SHIFT]) +
			offset_in_page(rel);
		return;
	}
	*dma_addr = dma->dma_addr + rel;
	cpu = dma->cpu + rel;
	if (is_vmalloc_addr(cpu))
		*phys = page_to_phys(vmalloc_to_page(cpu)) +
			offset_in_page(cpu);
	else
		*phys = virt_to_phys(cpu);
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
 * Every PTE was written by dma_mmap_coherent() or vm_map_pages_zero(): a
 * fault comes only after the removal zapped them.
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
 * Maps the buffer that holds the VMA's range of the file's offsets, from
 * there.  The coherent buffer with dma_mmap_coherent(), which gives the
 * PTEs the memory type the DMA API chose for it.  Without an IOMMU
 * (dma-direct) that is one remap_pfn_range() of the buffer's PFNs (VM_IO |
 * VM_PFNMAP); with one, the buffer may be pages the IOMMU code remapped
 * into vmalloc space, and it maps them with vm_map_pages() (VM_MIXEDMAP,
 * pages with struct page and a reference each).  The page-array buffer
 * with vm_map_pages_zero() from the VMA's first page: vm_map_pages() would
 * take vma->vm_pgoff as the index in the array, but the array starts at
 * MMAPDEMO_DMA_PAGES_OFFSET.  Its PTEs are cacheable, as the kernel's own
 * mapping of the pages: the sync calls keep both right.
 *
 * Context: process context, mmap_lock held for writing; takes the
 * device's lock for reading.
 * Return: 0; -EINVAL for a MAP_PRIVATE mapping (a copy of a DMA buffer is
 * not what the device writes); -EPERM for PROT_EXEC without
 * READ_IMPLIES_EXEC; -ENODEV once the device is gone; -ENXIO for a range
 * not inside one buffer; or what dma_mmap_coherent() or
 * vm_map_pages_zero() returns.
 */
static int mmapdemo_dma_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmapdemo_dma *dma = file->private_data;
	enum mmapdemo_dma_buf buf;
	u64 rel;
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
	buf = mmapdemo_dma_locate(dma, (u64)vma->vm_pgoff << PAGE_SHIFT,
				  vma->vm_end - vma->vm_start, &rel);
	if (buf == MMAPDEMO_DMA_BUF_NONE)
		return -ENXIO;
	down_read(&dma->lock);
	if (dma->revoked) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (buf == MMAPDEMO_DMA_BUF_PAGES)
		ret = vm_map_pages_zero(vma, dma->pages + (rel >> PAGE_SHIFT),
					vma_pages(vma));
	else
		ret = dma_mmap_coherent(&dma->pdev->dev, vma, dma->cpu,
					dma->dma_addr, dma->size);
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

/*
 * The bounds of a transfer, in a DMA buffer and the device's, computed
 * without wrapping: the buffer, and @rel the offset in it; or none.
 */
static enum mmapdemo_dma_buf
mmapdemo_dma_xfer_check(const struct mmapdemo_dma *dma,
			const struct mmapdemo_dma_xfer *x, u64 *rel)
{
	if (x->flags || !x->len || x->len > EDU_DEV_BUF_USABLE)
		return MMAPDEMO_DMA_BUF_NONE;
	if (x->direction != MMAPDEMO_DMA_TO_DEVICE &&
	    x->direction != MMAPDEMO_DMA_FROM_DEVICE)
		return MMAPDEMO_DMA_BUF_NONE;
	if (x->dev_offset >= EDU_DEV_BUF_USABLE ||
	    x->len > EDU_DEV_BUF_USABLE - x->dev_offset)
		return MMAPDEMO_DMA_BUF_NONE;
	return mmapdemo_dma_locate(dma, x->offset, x->len, rel);
}

/**
 * mmapdemo_dma_run() - program one run of the engine and wait for its end
 * @dma: the device
 * @addr: the DMA address of the run's first byte in a DMA buffer, below
 *        the 28-bit mask
 * @dev_off: the offset in the device's buffer, checked
 * @len: bytes, checked against both buffers
 * @to_dev: whether the run copies the DMA buffer into the device's
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
static int mmapdemo_dma_run(struct mmapdemo_dma *dma, dma_addr_t addr,
			    u32 dev_off, u32 len, bool to_dev)
{
	u32 buf = lower_32_bits(addr);
	u32 dev = EDU_DEV_BUF + dev_off;
	u32 cmd = EDU_DMA_CMD_RUN | EDU_DMA_CMD_IRQ;
	unsigned long left;

	lockdep_assert_held(&dma->xfer_lock);
	lockdep_assert_held_read(&dma->lock);
	if (readl(dma->regs + EDU_DMA_CMD) & EDU_DMA_CMD_RUN)
		return -EBUSY;
	if (to_dev) {
		writel(buf, dma->regs + EDU_DMA_SRC);
		writel(dev, dma->regs + EDU_DMA_DST);
	} else {
		writel(dev, dma->regs + EDU_DMA_SRC);
		writel(buf, dma->regs + EDU_DMA_DST);
		cmd |= EDU_DMA_CMD_FROM_DEV;
	}
	writel(len, dma->regs + EDU_DMA_COUNT);
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
	return 0;
}

/**
 * mmapdemo_dma_xfer_pages() - a transfer in the page-array buffer
 * @dma: the device
 * @x: the transfer, checked by mmapdemo_dma_xfer_check()
 * @rel: its offset in the buffer
 *
 * One run of the engine per page the range touches: the pages are not
 * contiguous in DMA addresses, each has its own.  Around each run, the
 * page is handed to the device and back, as the DMA API wants for memory
 * that is not coherent:
 *
 * - dma_sync_single_for_device() before the run: to the device, it
 *   writes back what the CPU wrote (through the user's mapping too) from
 *   the CPU's caches to memory, for the device to read; from the device,
 *   it makes sure no dirty line is written back over what the device
 *   will write.
 * - dma_sync_single_for_cpu() after it: from the device, it discards
 *   the lines the CPU may have loaded since (speculatively too), so that
 *   the CPU reads what the device wrote; where the memory was bounced
 *   (swiotlb), it is the copy back.
 *
 * On x86 both are cheap: the DMA is cache coherent (dev_is_dma_coherent()
 * is true) and nothing bounces memory from dma_alloc_pages(), so 6.1's
 * dma-direct calls do no cache maintenance, and 6.12's and 7.3's inline
 * dma_sync_single_*() return at once on the device's dma_skip_sync, unless
 * CONFIG_DMA_API_DEBUG, which then checks the range against the
 * allocation.  With an IOMMU, 6.12 and 7.3 set dma_skip_sync the same
 * way, and 6.1's iommu_dma_sync_single_for_*() returns at once for a
 * coherent device that is not bounced.  After a run that timed out the
 * device may still own the page: no sync for the CPU then.
 *
 * Context: process context, may sleep; the device's xfer_lock held, its
 * lock held for reading and not revoked.
 * Return: 0, or what mmapdemo_dma_run() returns.
 */
static int mmapdemo_dma_xfer_pages(struct mmapdemo_dma *dma,
				   const struct mmapdemo_dma_xfer *x, u64 rel)
{
	bool to_dev = x->direction == MMAPDEMO_DMA_TO_DEVICE;
	enum dma_data_direction dir = to_dev ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	struct device *dev = &dma->pdev->dev;
	u32 done, n;
	int ret;

	for (done = 0; done < x->len; done += n) {
		u64 off = rel + done;
		dma_addr_t addr =
			dma->pages_dma[off >> PAGE_SHIFT] + offset_in_page(off);

		n = min_t(u32, x->len - done, PAGE_SIZE - offset_in_page(off));
		dma_sync_single_for_device(dev, addr, n, dir);
		ret = mmapdemo_dma_run(dma, addr, x->dev_offset + done, n,
				       to_dev);
		if (ret)
			return ret;
		dma_sync_single_for_cpu(dev, addr, n, dir);
	}
	return 0;
}

static int mmapdemo_dma_ioctl_xfer(struct mmapdemo_dma *dma, void __user *uarg,
				   size_t usize)
{
	struct mmapdemo_dma_xfer x;
	enum mmapdemo_dma_buf buf;
	u64 rel;
	int ret;

	if (usize < sizeof(x))
		return -EINVAL;
	ret = copy_struct_from_user(&x, sizeof(x), uarg, usize);
	if (ret)
		return ret;
	buf = mmapdemo_dma_xfer_check(dma, &x, &rel);
	if (buf == MMAPDEMO_DMA_BUF_NONE)
		return -EINVAL;

	ret = mutex_lock_killable(&dma->xfer_lock);
	if (ret)
		return ret;
	down_read(&dma->lock);
	if (dma->revoked)
		ret = -ENODEV;
	else if (buf == MMAPDEMO_DMA_BUF_PAGES)
		ret = mmapdemo_dma_xfer_pages(dma, &x, rel);
	else
		ret = mmapdemo_dma_run(dma, dma->dma_addr + rel, x.dev_offset,
				       x.len,
				       x.direction == MMAPDEMO_DMA_TO_DEVICE);
	if (!ret)
		atomic64_inc(&dma->transfers);
	up_read(&dma->lock);
	mutex_unlock(&dma->xfer_lock);
	return ret;
}

static int mmapdemo_dma_ioctl_info(struct mmapdemo_dma *dma, void __user *uarg,
				   size_t usize)
{
	struct mmapdemo_dma_info info;
	dma_addr_t dma_addr;
	phys_addr_t phys;
	int ret;

	if (usize < MIN_SIZE_DMA_INFO)
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
	info.pages_offset = MMAPDEMO_DMA_PAGES_OFFSET;
	info.pages_size = MMAPDEMO_DMA_PAGES_SIZE;
	/*
	 * Addresses only to the administrator, as /proc/PID/pagemap's PFNs.
	 * A removal that began after the ioctl's own check is seen here:
	 * ENODEV, as for a call that starts after it, never a success that
	 * would read as "addresses hidden" to the administrator.
	 */
	if (capable(CAP_SYS_ADMIN)) {
		down_read(&dma->lock);
		if (!dma->revoked) {
			mmapdemo_dma_addrs(dma, MMAPDEMO_DMA_BUF_COHERENT, 0,
					   &dma_addr, &phys);
			info.flags |= MMAPDEMO_DMA_INFO_ADDRS;
			info.dma_addr = dma_addr;
			info.phys = phys;
		}
		ret = dma->revoked ? -ENODEV : 0;
		up_read(&dma->lock);
		if (ret)
			return ret;
	}
	return copy_to_user(uarg, &info, min(sizeof(info), usize)) ? -EFAULT :
								     0;
}

static int mmapdemo_dma_ioctl_addr(struct mmapdemo_dma *dma, void __user *uarg,
				   size_t usize)
{
	struct mmapdemo_dma_addr req;
	enum mmapdemo_dma_buf buf;
	dma_addr_t dma_addr;
	phys_addr_t phys;
	u64 rel;
	int ret;

	if (usize < sizeof(req))
		return -EINVAL;
	ret = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;
	buf = mmapdemo_dma_locate(dma, req.offset, 1, &rel);
	if (req.flags || req.reserved || buf == MMAPDEMO_DMA_BUF_NONE)
		return -EINVAL;
	/* Every byte of the output is written: no padding, no old input. */
	req.dma_addr = 0;
	req.phys = 0;
	/* As in DMA_INFO: a removal that began since the check is ENODEV. */
	if (capable(CAP_SYS_ADMIN)) {
		down_read(&dma->lock);
		if (!dma->revoked) {
			mmapdemo_dma_addrs(dma, buf, rel, &dma_addr, &phys);
			req.flags = MMAPDEMO_DMA_INFO_ADDRS;
			req.dma_addr = dma_addr;
			req.phys = phys;
		}
		ret = dma->revoked ? -ENODEV : 0;
		up_read(&dma->lock);
		if (ret)
			return ret;
	}
	return copy_to_user(uarg, &req, min(sizeof(req), usize)) ? -EFAULT : 0;
}

/*
 * Copies [@rel, @rel + @len) of the page-array buffer to @to, page by
 * page: the pages are not contiguous, and each is reached through
 * copy_page_to_iter(), which maps it where it has no kernel address.
 * Return: the bytes copied, fewer than @len at the first fault.
 */
static size_t mmapdemo_dma_read_pages(struct mmapdemo_dma *dma, u64 rel,
				      size_t len, struct iov_iter *to)
{
	size_t done = 0, n, copied;

	while (done < len) {
		u64 off = rel + done;

		n = min_t(size_t, len - done, PAGE_SIZE - offset_in_page(off));
		copied = copy_page_to_iter(dma->pages[off >> PAGE_SHIFT],
					   offset_in_page(off), n, to);
		done += copied;
		if (copied < n)
			break;
	}
	return done;
}

/**
 * mmapdemo_dma_read_iter() - read() and pread() of a DMA device
 * @iocb: the file and the position, mmap()'s offsets
 * @to: the user's buffer
 *
 * The same bytes a mapping at the same offset shows, through a copy: the
 * coherent buffer at [0, size), the page array at
 * [MMAPDEMO_DMA_PAGES_OFFSET, + its size).  A read is cut short at its
 * buffer's end; a position in neither buffer (the coherent buffer's end
 * and the gap up to the page array, or the page array's end and beyond)
 * reads as the end of the file, 0, so that cat(1) reads the coherent
 * buffer and stops.  The page array is read with pread() or after
 * lseek(), as mmap() maps it, at its offset.
 *
 * The device's lock is held only to see that the device is still there
 * and to take a reference to the buffers (@buf_ref), never across the
 * copy: a copy to user space may fault, or wait without bound on a
 * userfaultfd, and the removal takes the lock for writing.  The removal
 * then only frees the buffers once this read drops its reference.
 *
 * A read does not wait for a transfer (nor does a load through a
 * mapping).  Between transfers the CPU owns every page of the page array
 * (a transfer ends with dma_sync_single_for_cpu()), so the copy reads
 * what the device wrote.  A read concurrent with a transfer sees what a
 * mapped load sees then: in the bytes the transfer writes, the old data,
 * the new or a mix; and in a page of the page array the device owns at
 * that moment (between the two syncs), on a non-coherent machine, even
 * data that is neither, until the transfer's sync for the CPU.
 *
 * Context: process context, may sleep (faults on @to); takes the
 * device's lock for reading, and not across the copy.
 * Return: the bytes read; 0 at a position in neither buffer or for a
 * read of 0 bytes; -EINVAL for a negative position; -ENODEV once the
 * device is gone; -EFAULT if no byte could be copied to @to.
 */
static ssize_t mmapdemo_dma_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct mmapdemo_dma *dma = iocb->ki_filp->private_data;
	loff_t pos = iocb->ki_pos;
	enum mmapdemo_dma_buf buf;
	size_t len, done;
	u64 rel, end;

	if (pos < 0)
		return -EINVAL;
	buf = mmapdemo_dma_locate(dma, pos, 1, &rel);
	down_read(&dma->lock);
	if (dma->revoked) {
		up_read(&dma->lock);
		return -ENODEV;
	}
	if (buf == MMAPDEMO_DMA_BUF_NONE || !iov_iter_count(to)) {
		up_read(&dma->lock);
		return 0;
	}
	/* Not revoked: the device's own reference is still held. */
	kref_get(&dma->buf_ref);
	up_read(&dma->lock);

	end = buf == MMAPDEMO_DMA_BUF_PAGES ? MMAPDEMO_DMA_PAGES_SIZE :
					      dma->size;
	len = min_t(u64, iov_iter_count(to), end - rel);
	if (buf == MMAPDEMO_DMA_BUF_PAGES)
		done = mmapdemo_dma_read_pages(dma, rel, len, to);
	else
		done = copy_to_iter(dma->cpu + rel, len, to);
	kref_put(&dma->buf_ref, mmapdemo_dma_buf_release);
	if (!done)
		return -EFAULT;
	iocb->ki_pos = pos + done;
	return done;
}

/*
 * lseek(): SEEK_END is the coherent buffer's end, where read() first
 * returns 0; SEEK_SET and SEEK_CUR reach any position up to the page
 * array's end, MMAPDEMO_DMA_PAGES_OFFSET included, and no further.
 *
 * SEEK_DATA and SEEK_HOLE are refused.  They describe a file whose holes
 * read as zeros, up to one end; this one is two buffers, and the gap
 * between them reads as the end.  generic_file_llseek_size() would answer
 * ENXIO ("no data past here") at the page array, which holds data.
 */
static loff_t mmapdemo_dma_llseek(struct file *file, loff_t offset, int whence)
{
	struct mmapdemo_dma *dma = file->private_data;

	if (whence == SEEK_DATA || whence == SEEK_HOLE)
		return -EINVAL;
	return generic_file_llseek_size(file, offset, whence, MMAPDEMO_DMA_END,
					dma->size);
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
		/*
		 * Either direction writes: the buffer that every opener maps,
		 * or the device's own memory.  Not through O_RDONLY.
		 */
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return mmapdemo_dma_ioctl_xfer(dma, uarg, usize);
	case IOC_NOSIZE(MMAPDEMO_IOC_DMA_ADDR):
		return mmapdemo_dma_ioctl_addr(dma, uarg, usize);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations mmapdemo_dma_fops = {
	.owner = THIS_MODULE,
	.open = mmapdemo_dma_open,
	.release = mmapdemo_dma_file_release,
	.read_iter = mmapdemo_dma_read_iter,
	.llseek = mmapdemo_dma_llseek,
	.mmap = mmapdemo_dma_mmap,
	.unlocked_ioctl = mmapdemo_dma_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
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
 * A machine whose DMA cannot give edu memory it addresses (28 bits, and
 * no IOMMU to translate: QEMU's arm64 "virt" has no RAM below 1 GiB) gets
 * no DMA device, and says so; the edu's registers stay mapped through its
 * BAR device.
 *
 * Context: PCI probe, process context, may sleep; the BAR's region is
 * requested and the device enabled.
 * Return: 0, with md->dma set or with no DMA device; or a negative errno.
 */
int mmapdemo_dma_probe(struct mmapdemo_dev *md)
{
	struct pci_dev *pdev = md->pdev;
	struct mmapdemo_dma *dma;
	int ret;

	/* What the device really drives; the DMA API allocates below it. */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(EDU_DMA_BITS));
	if (ret) {
		pci_info(pdev, "no DMA device: %d-bit DMA not possible (%d)\n",
			 EDU_DMA_BITS, ret);
		return 0;
	}
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
	ret = mmapdemo_dma_alloc_bufs(dma);
	if (ret)
		goto out_iounmap;
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
	pci_info(pdev,
		 "/dev/%s: %zu bytes of coherent DMA memory, %d pages, %s\n",
		 dma->name, dma->size, MMAPDEMO_DMA_NR_PAGES,
		 dma->msi ? "MSI" : "INTx");
	return 0;

out_irq:
	free_irq(dma->irq, dma);
	pci_free_irq_vectors(pdev);
out_free_buf:
	pci_clear_master(pdev);
	mmapdemo_dma_free_bufs(dma);
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
