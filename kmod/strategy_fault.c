// SPDX-License-Identifier: GPL-2.0
/*
 * The "fault" strategy: mmap() maps nothing.  Each first touch of a page
 * faults, and the fault handler maps that one page.  A shared writable
 * mapping also has page_mkwrite, so that the first write to each page is
 * noticed, which is how fbdev's deferred I/O tracks dirty pages.
 *
 * On RAM the VMA is VM_MIXEDMAP and the handler inserts the device page
 * itself with vm_insert_page(), as vm_insert_page()'s kernel-doc tells a
 * page-fault handler to, and returns VM_FAULT_NOPAGE.  The PTE is an
 * ordinary one for an ordinary page, mapped with vma->vm_page_prot: in a
 * MAP_PRIVATE mapping that is read-only, and a write fault then copies
 * the page on write (do_wp_page(), wp_page_copy()), so copy-on-write
 * needs no help from the driver.  The older way, LDD3's, sets vmf->page
 * and leaves the mapping to the core; drivers moved away from it
 * (udmabuf sets vmf->page on 6.1 and calls vmf_insert_pfn() on 6.12).
 * fbdev's deferred I/O still does it on 7.3, for pages it gives a
 * ->mapping so that the core can write-protect them again.
 *
 * One page per fault, and no ->map_pages: the core's fault-around
 * (do_fault_around()) works through ->map_pages, which runs under RCU
 * and whose only exported implementation, filemap_map_pages(), maps a
 * file's page cache.  A driver has nothing to give it.  Without
 * ->map_pages, 6.12 and 7.3 do not call ->fault or ->page_mkwrite under
 * the per-VMA lock (vmf_can_call_fault()): the core drops it and retries
 * the fault under the mmap_lock, as for every driver's VMAs.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

static vm_fault_t fault_fault(struct vm_fault *vmf)
{
	return mmapdemo_fault_page(vmf, MMAPDEMO_STRATEGY_FAULT);
}

/*
 * On RAM the fault handler inserts pages itself, which a VMA allows from
 * a fault only with VM_MIXEDMAP set at mmap time (vm_insert_page()).  A
 * VM_PFNMAP VMA (a BAR) must never become VM_MIXEDMAP too.  Nothing is
 * mapped eagerly.
 */
static int fault_describe(struct mmapdemo_dev *md,
			  const struct mmapdemo_map_req *req,
			  struct mmapdemo_map_desc *desc)
{
	if (mmapdemo_has_pages(md))
		desc->flags |= MMAPDEMO_MAP_MIXEDMAP;
	return 0;
}

/*
 * The first write to a page of a shared mapping: the page's PTE was mapped
 * read-only because this vm_ops has page_mkwrite (vma_wants_writenotify()),
 * so the write faults on the present PTE and do_wp_page() calls this with
 * vmf->page set from the PTE.  Return with the page locked: the core
 * otherwise locks it itself and, seeing no page->mapping, takes the page
 * for truncated and retries the fault for ever.
 */
static vm_fault_t fault_page_mkwrite(struct vm_fault *vmf)
{
	struct mmapdemo_dev *md = mmapdemo_vma_dev(vmf->vma);

	/*
	 * No assert_fault_locked() here: do_page_mkwrite() replaces
	 * vmf->flags with FAULT_FLAG_WRITE | FAULT_FLAG_MKWRITE, so they no
	 * longer say whether the VMA lock or the mmap_lock is held.
	 */
	atomic64_inc(&md->stats.mkwrites);
	trace_mmapdemo_mkwrite(vmf);
	lock_page(vmf->page);
	return VM_FAULT_LOCKED;
}

static const struct vm_operations_struct fault_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
#ifdef MMAPDEMO_HAVE_MMAP_PREPARE
	.mapped = mmapdemo_vma_mapped,
#endif
	.fault = fault_fault,
	.page_mkwrite = fault_page_mkwrite,
};

/*
 * On memory without struct pages (a BAR): one vmf_insert_pfn_prot() per
 * fault.  No page_mkwrite: there is no page to track, so a shared
 * writable mapping's PTEs are writable from the first fault on.  No
 * ->map_pages either, so 6.12 and 7.3 run these faults under the
 * mmap_lock.
 */
static vm_fault_t fault_pfn_fault(struct vm_fault *vmf)
{
	return mmapdemo_fault_pfn(vmf, MMAPDEMO_STRATEGY_FAULT);
}

static const struct vm_operations_struct fault_pfn_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
#ifdef MMAPDEMO_HAVE_MMAP_PREPARE
	.mapped = mmapdemo_vma_mapped,
#endif
	.fault = fault_pfn_fault,
	.access = mmapdemo_vma_access,
};

const struct mmapdemo_strategy mmapdemo_strategy_fault = {
	.name = "fault",
	.id = MMAPDEMO_STRATEGY_FAULT,
	.needs_pages = false,
	.vm_ops = &fault_vm_ops,
	.pfn_vm_ops = &fault_pfn_vm_ops,
	.private_ok = true,
	/* Maps nothing at mmap time: fault_describe() only sets a flag. */
	.describe = fault_describe,
};
