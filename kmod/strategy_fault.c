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
 *
 * With the "fault_around" module parameter, a read fault also maps the
 * pages around the faulting one, as the core does for files through
 * vm_ops->map_pages.  A module cannot do that in ->map_pages for its own
 * pages: ->map_pages may not sleep (on 6.12 it runs under RCU) and must
 * set the PTEs under the PTE lock with do_set_pte() (6.1) or
 * set_pte_range() (6.12) and the rmap helpers, none of which is exported;
 * filemap_map_pages() is, but only maps the file's page cache.  So the
 * fault handler inserts the neighbours itself with vm_insert_pages(),
 * which a VM_MIXEDMAP VMA allows without the mmap_lock held for writing.
 */
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/pagemap.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

/* Pages per vm_insert_pages() call: bounds the array on the stack. */
#define AROUND_BATCH 16

/*
 * Map the pages of the fault-around window of @vmf, except the faulting
 * one, which the core maps from vmf->page.  The window is the core's:
 * @nr pages from the @nr-aligned address below the fault, or from the
 * VMA's start if that is later.  Pages already mapped (or
 * copied on write in a MAP_PRIVATE mapping) are left alone: their PTE is
 * not empty and vm_insert_pages() stops there with -EBUSY.  Like the
 * core's fault-around, this is best effort: it gives up quietly on any
 * other error, since the fault itself is served anyway.
 *
 * The pages are mapped with vma->vm_page_prot, which leaves them
 * read-only wherever a write must be seen first: page_mkwrite still
 * counts the first write to each page of a shared mapping, and a
 * MAP_PRIVATE mapping still copies on write.
 */
static void fault_map_around(struct vm_fault *vmf, unsigned int nr)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_dev *md = vma->vm_private_data;
	struct mmapdemo_backing *backing = &md->backing;
	unsigned long size = (unsigned long)nr << PAGE_SHIFT;
	unsigned long start, end, addr, first, n, left;
	struct page *pages[AROUND_BATCH];
	unsigned long mapped = 0;
	pgoff_t pgoff;
	int ret;

	/*
	 * The core's window (do_fault_around()): from the aligned start, or
	 * the VMA's start if later, @nr pages, within the VMA and within
	 * the page table that holds the faulting address.
	 */
	start = max(ALIGN_DOWN(vmf->address, size), vma->vm_start);
	end = min3(start + size, vma->vm_end,
		   ALIGN_DOWN(vmf->address, PMD_SIZE) + PMD_SIZE);
	for (addr = start; addr < end;) {
		if (addr == vmf->address) {
			addr += PAGE_SIZE;
			continue;
		}
		first = addr;
		for (n = 0;
		     n < AROUND_BATCH && addr < end && addr != vmf->address;
		     n++, addr += PAGE_SIZE) {
			pgoff = vma->vm_pgoff +
				((addr - vma->vm_start) >> PAGE_SHIFT);
			if (pgoff >= backing->npages)
				break;
			pages[n] = backing->ops->page(backing, pgoff);
		}
		if (!n)
			break;
		left = n;
		ret = vm_insert_pages(vma, first, pages, &left);
		mapped += n - left;
		if (ret == -EBUSY) {
			/* Skip the page that is mapped already. */
			addr = first + ((n - left + 1) << PAGE_SHIFT);
			continue;
		}
		if (ret)
			break;
	}
	if (mapped)
		atomic64_add(mapped, &md->stats.around_pages);
}

static vm_fault_t fault_fault(struct vm_fault *vmf)
{
	unsigned int nr = READ_ONCE(mmapdemo_fault_around);
	vm_fault_t ret;

	ret = mmapdemo_fault_page(vmf, MMAPDEMO_STRATEGY_FAULT);
	/*
	 * Only read faults, as in the core: a write fault maps one page,
	 * and VM_MIXEDMAP says the VMA was set up for it at mmap time.
	 */
	if (!ret && nr > 1 && !(vmf->flags & FAULT_FLAG_WRITE) &&
	    (vmf->vma->vm_flags & VM_MIXEDMAP))
		fault_map_around(vmf, nr);
	return ret;
}

/*
 * A mapping made while fault-around is on becomes VM_MIXEDMAP, which lets
 * the fault handler call vm_insert_pages() without the mmap_lock held for
 * writing.  Mappings made while it is off stay as they always were.
 * Nothing is mapped eagerly.
 */
static int fault_describe(struct mmapdemo_dev *md,
			  const struct mmapdemo_map_req *req,
			  struct mmapdemo_map_desc *desc)
{
	/* A VM_PFNMAP VMA must never become VM_MIXEDMAP too. */
	if (mmapdemo_has_pages(md) && READ_ONCE(mmapdemo_fault_around) > 1)
		desc->flags |= MMAPDEMO_MAP_MIXEDMAP;
	return 0;
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

/*
 * Maps nothing: fault-around is done in ->fault.  On 6.12 the core calls
 * ->fault and ->page_mkwrite under the per-VMA lock, without the
 * mmap_lock, only for vm_ops that have ->map_pages (vmf_can_call_fault());
 * for the others it drops the VMA lock and retries the whole fault under
 * the mmap_lock.  Neither handler here needs the mmap_lock (see
 * internal.h), so having ->map_pages saves that retry on every fault.
 */
static vm_fault_t fault_map_pages(struct vm_fault *vmf, pgoff_t start_pgoff,
				  pgoff_t end_pgoff)
{
	return 0;
}

static const struct vm_operations_struct fault_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.mprotect = mmapdemo_vma_mprotect,
#ifdef MMAPDEMO_HAVE_MMAP_PREPARE
	.mapped = mmapdemo_vma_mapped,
#endif
	.fault = fault_fault,
	.map_pages = fault_map_pages,
	.page_mkwrite = fault_page_mkwrite,
};

/*
 * On memory without struct pages (a BAR): one vmf_insert_pfn_prot() per
 * fault.  No page_mkwrite: there is no page to track, so a shared
 * writable mapping's PTEs are writable from the first fault on.  No
 * ->map_pages either, so 6.12 runs these faults under the mmap_lock.
 */
static vm_fault_t fault_pfn_fault(struct vm_fault *vmf)
{
	return mmapdemo_fault_pfn(vmf, MMAPDEMO_STRATEGY_FAULT);
}

static const struct vm_operations_struct fault_pfn_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
	.mprotect = mmapdemo_vma_mprotect,
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
