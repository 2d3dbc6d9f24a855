// SPDX-License-Identifier: GPL-2.0
/*
 * The "fault" strategy: mmap() maps nothing.  Each first touch of a page
 * faults, and the fault handler gives the core the device page to map.
 * A shared writable mapping also has page_mkwrite, so that the first write
 * to each page is noticed, which is how fbdev's deferred I/O tracks dirty
 * pages.
 *
 * Because the core maps a struct page here, a MAP_PRIVATE mapping gets
 * copy-on-write for free: a write fault copies the device page into an
 * anonymous page of the writer's own.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "internal.h"
#include "trace.h"

static vm_fault_t fault_fault(struct vm_fault *vmf)
{
	return mmapdemo_fault_page(vmf, MMAPDEMO_STRATEGY_FAULT);
}

/*
 * The first write to a page of a shared mapping: the page's PTE was mapped
 * read-only because this vm_ops has page_mkwrite.  Return with the page
 * locked: the core otherwise locks it itself and, seeing no
 * page->mapping, takes the page for truncated and retries the fault for
 * ever.
 */
static vm_fault_t fault_page_mkwrite(struct vm_fault *vmf)
{
	struct mmapdemo_dev *md = vmf->vma->vm_private_data;

	atomic64_inc(&md->stats.mkwrites);
	trace_mmapdemo_mkwrite(vmf);
	lock_page(vmf->page);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct fault_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.mprotect = mmapdemo_vma_mprotect,
	.fault = fault_fault,
	.page_mkwrite = fault_page_mkwrite,
};

const struct mmapdemo_strategy mmapdemo_strategy_fault = {
	.name = "fault",
	.id = MMAPDEMO_STRATEGY_FAULT,
	.needs_pages = true,
	.vm_ops = &fault_vm_ops,
	.private_ok = true,
	/* Nothing to map at mmap time. */
};
