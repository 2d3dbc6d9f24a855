// SPDX-License-Identifier: GPL-2.0
/*
 * The "huge" strategy, for BAR devices: as "fault", mmap() maps nothing,
 * but where the kernel supports huge PFN-map entries (see compat.h), a
 * fault maps a whole PMD (2 MiB on x86-64) or PUD (1 GiB) block of the
 * BAR with one entry, as VFIO maps BARs (drivers/vfio/pci/vfio_pci_core.c,
 * 6.12: vfio_pci_mmap_huge_fault()).
 *
 * The core calls ->huge_fault with the order of the largest entry it may
 * use at the faulting address (PUD first, where the architecture has
 * them, then PMD) while that level of the page table is empty.  An entry
 * of order N can map the block only if the block lies inside the VMA, its
 * first page is inside the device with all the others, and its PFN is
 * aligned to N: the address, the offset into the BAR and the BAR itself
 * must all be aligned.  Otherwise ->huge_fault returns VM_FAULT_FALLBACK
 * and the core tries the next order down, and at last ->fault, which maps
 * 4 KiB.  mmapdemo_get_unmapped_area() places a new mapping so that the
 * address and the BAR offset agree modulo the largest entry that fits.
 *
 * Every entry is inserted under the device's memory_lock held for reading
 * after the revoked check, as the 4 KiB fault does: the removal's
 * unmap_mapping_range() zaps PMD and PUD leaves as it zaps PTEs.  What
 * splits a huge entry (munmap, mprotect or mremap of part of it,
 * MADV_DONTNEED of part of it) zaps the whole leaf in a VM_PFNMAP VMA
 * (__split_huge_pmd_locked(): vma_is_special_huge()), and the next touch
 * faults again, with whatever order the block still allows.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mman.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

static vm_fault_t huge_pfn_fault(struct vm_fault *vmf)
{
	return mmapdemo_fault_pfn(vmf, MMAPDEMO_STRATEGY_HUGE);
}

#ifdef MMAPDEMO_HUGE_PMD
/* The orders this kernel can map: PMD, and PUD where it has them. */
static bool huge_order_ok(unsigned int order)
{
#ifdef MMAPDEMO_HUGE_PUD
	if (order == PUD_ORDER)
		return true;
#endif
	return order == PMD_ORDER;
}

/**
 * huge_fault() - map a PMD or PUD block of the BAR with one entry
 * @vmf: the fault
 * @order: of the entry the core asks for: PMD_ORDER or PUD_ORDER
 *
 * VFIO's order logic: the block of @order that holds the faulting address
 * must lie in the VMA and in the device, and its PFN be aligned to @order.
 *
 * Context: mmap_lock held for reading, or only the VMA's lock; takes the
 * device's memory_lock for reading.
 * Return: VM_FAULT_NOPAGE, VM_FAULT_FALLBACK for a block that does not
 * fit or an order this kernel cannot map, VM_FAULT_SIGBUS once the device
 * is gone, or what the insertion returns.
 */
static vm_fault_t huge_fault(struct vm_fault *vmf, unsigned int order)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_dev *md = mmapdemo_vma_dev(vma);
	struct mmapdemo_backing *backing = &md->backing;
	unsigned long nr = 1UL << order;
	unsigned long addr = ALIGN_DOWN(vmf->address, PAGE_SIZE << order);
	pgoff_t pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	unsigned long pfn = 0;
	vm_fault_t ret;

	if (!huge_order_ok(order))
		goto out_fallback;
	/* Compare in pages, as mmapdemo_range_ok() does: nothing wraps. */
	if (addr < vma->vm_start || vma->vm_end - addr < (PAGE_SIZE << order) ||
	    pgoff >= backing->npages || backing->npages - pgoff < nr)
		goto out_fallback;
	pfn = backing->ops->pfn(backing, pgoff);
	if (pfn & (nr - 1))
		goto out_fallback;

	if (mmapdemo_dev_enter(md)) {
		atomic64_inc(&md->stats.fault_sigbus);
		trace_mmapdemo_huge_fault(vmf, order, 0, VM_FAULT_SIGBUS);
		return VM_FAULT_SIGBUS;
	}
#ifdef MMAPDEMO_HUGE_PUD
	if (order == PUD_ORDER)
		ret = mmapdemo_insert_pfn_pud(vmf, pfn);
	else
#endif
		ret = mmapdemo_insert_pfn_pmd(vmf, pfn);
	mmapdemo_dev_leave(md);
	if (ret == VM_FAULT_NOPAGE) {
		atomic64_inc(&md->stats.faults);
		atomic64_inc(order == PMD_ORDER ? &md->stats.pmd_faults :
						  &md->stats.pud_faults);
	}
	trace_mmapdemo_huge_fault(vmf, order, pfn, ret);
	return ret;

out_fallback:
	atomic64_inc(&md->stats.huge_fallbacks);
	trace_mmapdemo_huge_fault(vmf, order, pfn, VM_FAULT_FALLBACK);
	return VM_FAULT_FALLBACK;
}
#endif /* MMAPDEMO_HUGE_PMD */

/*
 * No ->map_pages, as the fault strategy's BAR VMAs: 6.12 runs ->fault
 * under the mmap_lock.  ->huge_fault runs under the VMA lock alone where
 * the kernel allows it.
 */
static const struct vm_operations_struct huge_pfn_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
#ifdef MMAPDEMO_HAVE_MMAP_PREPARE
	.mapped = mmapdemo_vma_mapped,
#endif
	.fault = huge_pfn_fault,
#ifdef MMAPDEMO_HUGE_PMD
	.huge_fault = huge_fault,
#endif
	.access = mmapdemo_vma_access,
};

/*
 * The largest entry this kernel can map of @md, in bytes; 0 for none.
 * Entries of a size the BAR cannot hold whole are never used.
 */
static unsigned long huge_max_size(const struct mmapdemo_dev *md)
{
	if (mmapdemo_has_pages(md))
		return 0;
#ifdef MMAPDEMO_HUGE_PUD
	if (md->backing.size >= PUD_SIZE)
		return PUD_SIZE;
#endif
#ifdef MMAPDEMO_HUGE_PMD
	if (md->backing.size >= PMD_SIZE)
		return PMD_SIZE;
#endif
	return 0;
}

/**
 * mmapdemo_huge_features() - what the huge strategy can map on a device
 * @md: the device
 *
 * Context: any.
 * Return: MMAPDEMO_FEATURE_HUGE_PMD and MMAPDEMO_FEATURE_HUGE_PUD bits.
 */
u32 mmapdemo_huge_features(const struct mmapdemo_dev *md)
{
	unsigned long max = huge_max_size(md);
	u32 features = 0;

	if (max >= PMD_SIZE)
		features |= MMAPDEMO_FEATURE_HUGE_PMD;
#ifdef MMAPDEMO_HUGE_PUD
	if (max >= PUD_SIZE)
		features |= MMAPDEMO_FEATURE_HUGE_PUD;
#endif
	return features;
}

/* Whether [@start, @end) holds a whole block of @size aligned to @size. */
static bool holds_block(unsigned long start, unsigned long end,
			unsigned long size)
{
	unsigned long first = ALIGN(start, size);

	/* ALIGN() wraps to below @start at the top of the address space. */
	return first >= start && first < end && end - first >= size;
}

/*
 * The alignment a shared mapping of @len bytes at page @pgoff wants: the
 * largest entry size of which the device part it maps holds one whole,
 * aligned block.  0 if none, or if the mapping will not be the huge
 * strategy's.
 */
static unsigned long huge_align(struct mmapdemo_file *mf, unsigned long len,
				unsigned long pgoff)
{
	struct mmapdemo_dev *md = mf->dev;
	unsigned long size, start, end;
	bool huge;

	mutex_lock(&mf->lock);
	huge = mf->strategy == &mmapdemo_strategy_huge;
	mutex_unlock(&mf->lock);
	if (!huge || pgoff >= md->backing.npages ||
	    len > md->backing.size - (pgoff << PAGE_SHIFT))
		return 0;
	start = md->backing.phys + (pgoff << PAGE_SHIFT);
	end = start + len;
	size = huge_max_size(md);
	if (size > PMD_SIZE && !holds_block(start, end, size))
		size = PMD_SIZE;
	return size && holds_block(start, end, size) ? size : 0;
}

/**
 * mmapdemo_get_unmapped_area() - place a new mapping of the device
 * @file: the open device
 * @addr: the caller's hint, or the address of a MAP_FIXED mapping
 * @len: bytes
 * @pgoff: the offset into the device, in pages
 * @flags: the mmap() flags
 *
 * For a shared mapping of the huge strategy without MAP_FIXED: an address
 * congruent to the BAR's physical address of @pgoff modulo the largest
 * entry (PUD or PMD) that fits whole into the range, so that every block
 * of that size inside it can be one entry.  It asks the mm for @len plus
 * that size and moves up inside what it got, as thp_get_unmapped_area()
 * does for files; if the mm has no room for the padded length, or honours
 * the hint as it is, the mm's placement is the answer.  Anything else
 * gets the mm's placement unchanged.
 *
 * Context: process context, mmap_lock held for writing; takes the file's
 * lock.
 * Return: the address, or a negative errno as the mm's placement returns.
 */
unsigned long mmapdemo_get_unmapped_area(struct file *file, unsigned long addr,
					 unsigned long len, unsigned long pgoff,
					 unsigned long flags)
{
	struct mmapdemo_file *mf = file->private_data;
	unsigned long align, ret, off;

	if ((flags & MAP_FIXED) || (flags & MAP_TYPE) == MAP_PRIVATE)
		goto out_plain;
	align = huge_align(mf, len, pgoff);
	if (!align || len + align < len)
		goto out_plain;
	ret = mmapdemo_mm_get_unmapped_area(file, addr, len + align, pgoff,
					    flags);
	if (IS_ERR_VALUE(ret))
		goto out_plain;
	if (addr && ret == addr)
		return ret;
	off = mf->dev->backing.phys + (pgoff << PAGE_SHIFT);
	return ret + ((off - ret) & (align - 1));

out_plain:
	return mmapdemo_mm_get_unmapped_area(file, addr, len, pgoff, flags);
}

const struct mmapdemo_strategy mmapdemo_strategy_huge = {
	.name = "huge",
	.id = MMAPDEMO_STRATEGY_HUGE,
	.pfn_only = true,
	.pfn_vm_ops = &huge_pfn_vm_ops,
	.private_ok = false,
	/*
	 * No ->describe: it maps nothing at mmap time and needs no flag
	 * beyond what mmapdemo_describe() gives every BAR mapping.
	 */
};
