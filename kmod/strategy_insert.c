// SPDX-License-Identifier: GPL-2.0
/*
 * The "insert" strategy: vm_insert_pages() maps the whole range at mmap()
 * time in batches, taking each page-table lock once per batch rather than
 * once per page.  The PTEs are ordinary ones for ordinary pages (the VMA
 * becomes VM_MIXEDMAP), so the core can copy them on write for MAP_PRIVATE.
 *
 * The fault handler of the "fault" strategy stays as a fallback: after
 * MADV_DONTNEED zaps the PTEs, the next touch faults the page back in.
 */
#include <linux/mm.h>

#include "compat.h"
#include "internal.h"

/* Pages per vm_insert_pages() call: bounds the array on the stack. */
#define INSERT_BATCH 64

static vm_fault_t insert_fault(struct vm_fault *vmf)
{
	return mmapdemo_fault_page(vmf, MMAPDEMO_STRATEGY_INSERT);
}

static const struct vm_operations_struct insert_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.mprotect = mmapdemo_vma_mprotect,
	.fault = insert_fault,
};

static int insert_mmap(struct mmapdemo_dev *md, struct vm_area_struct *vma)
{
	struct mmapdemo_backing *backing = &md->backing;
	struct page *pages[INSERT_BATCH];
	unsigned long addr = vma->vm_start, n, left, i;
	pgoff_t pgoff = vma->vm_pgoff, end = pgoff + vma_pages(vma);
	int ret;

	vm_flags_set(vma, VM_MIXEDMAP);

	while (pgoff < end) {
		n = min_t(unsigned long, end - pgoff, INSERT_BATCH);
		for (i = 0; i < n; i++)
			pages[i] = backing->ops->page(backing, pgoff + i);
		left = n;
		ret = vm_insert_pages(vma, addr, pages, &left);
		if (ret)
			return ret;
		/* All inserted: vm_insert_pages() leaves 0 in @left. */
		addr += n << PAGE_SHIFT;
		pgoff += n;
	}
	atomic64_add(vma_pages(vma), &md->stats.eager_pages);
	return 0;
}

const struct mmapdemo_strategy mmapdemo_strategy_insert = {
	.name = "insert",
	.id = MMAPDEMO_STRATEGY_INSERT,
	.needs_pages = true,
	.vm_ops = &insert_vm_ops,
	.private_ok = true,
	.mmap = insert_mmap,
};
