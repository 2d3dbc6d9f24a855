// SPDX-License-Identifier: GPL-2.0
/*
 * The "remap" strategy: remap_pfn_range() writes the page-table entries for
 * the whole range at mmap() time, as drivers of device memory without
 * struct pages do (/dev/mem, UIO, frame buffers).  The VMA becomes
 * VM_PFNMAP: the core treats its PTEs as "special", takes no references on
 * the pages, and never faults on them.
 *
 * On a BAR, which is one contiguous range, that is one
 * io_remap_pfn_range() call with the device's memory type, as VFIO did
 * before 5.9 and /dev/mem and UIO do.
 *
 * MAP_PRIVATE is refused with EINVAL: copy-on-write of a VM_PFNMAP mapping
 * needs the whole VMA remapped in one call from one contiguous PFN range,
 * and device memory need not be one.
 */
#include <linux/mm.h>

#include "compat.h"
#include "internal.h"

static const struct vm_operations_struct remap_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.mprotect = mmapdemo_vma_mprotect,
	.access = mmapdemo_vma_access,
};

/*
 * On x86, remap_pfn_range() reserves the memory type of the range it maps
 * (track_pfn_remap()), and unmapping a VMA frees the reservation of the
 * VMA's range (untrack_pfn()).  A VMA split by a partial munmap,
 * mprotect or mremap would free a part of the range, which was never
 * reserved as such: "x86/PAT: ... freeing invalid memtype", and the whole
 * range's reservation is never freed, so later mappings of the BAR
 * silently get its memory type, whatever the caching mode says.  For RAM
 * there is no reservation.  So a remap mapping of a BAR is never split:
 * EINVAL, as for hugetlb mappings split off their huge-page boundary.
 */
static int remap_pfn_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct remap_pfn_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.mprotect = mmapdemo_vma_mprotect,
	.may_split = remap_pfn_may_split,
	.access = mmapdemo_vma_access,
};

static int remap_mmap(struct mmapdemo_dev *md, struct vm_area_struct *vma)
{
	struct mmapdemo_backing *backing = &md->backing;
	unsigned long addr = vma->vm_start, pfn, run;
	pgoff_t pgoff = vma->vm_pgoff, end = pgoff + vma_pages(vma);
	int ret;

	/* remap_pfn_range() sets these too; say so where a reader looks. */
	vm_flags_set(vma, VM_IO | VM_PFNMAP);

	/* One call per physically contiguous run of device pages. */
	while (pgoff < end) {
		pfn = backing->ops->pfn(backing, pgoff);
		for (run = 1; pgoff + run < end; run++)
			if (backing->ops->pfn(backing, pgoff + run) !=
			    pfn + run)
				break;
		ret = io_remap_pfn_range(vma, addr, pfn, run << PAGE_SHIFT,
					 vma->vm_page_prot);
		if (ret)
			return ret;
		addr += run << PAGE_SHIFT;
		pgoff += run;
	}
	atomic64_add(vma_pages(vma), &md->stats.eager_pages);
	return 0;
}

const struct mmapdemo_strategy mmapdemo_strategy_remap = {
	.name = "remap",
	.id = MMAPDEMO_STRATEGY_REMAP,
	.needs_pages = false,
	.vm_ops = &remap_vm_ops,
	.pfn_vm_ops = &remap_pfn_vm_ops,
	.private_ok = false,
	.mmap = remap_mmap,
};
