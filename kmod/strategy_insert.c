// SPDX-License-Identifier: GPL-2.0
/*
 * The "insert" strategy: vm_insert_pages() (or, on kernels with
 * ->mmap_prepare, the core's mmap_action_map_kernel_pages()) maps the whole
 * range at mmap() time in batches, taking each page-table lock once per batch rather than
 * once per page.  The PTEs are ordinary ones for ordinary pages (the VMA
 * becomes VM_MIXEDMAP), so the core can copy them on write for MAP_PRIVATE.
 *
 * The fault handler of the "fault" strategy stays as a fallback: after
 * MADV_DONTNEED zaps the PTEs, the next touch faults the page back in.
 */
#include <linux/mm.h>

#include "compat.h"
#include "internal.h"

static vm_fault_t insert_fault(struct vm_fault *vmf)
{
	return mmapdemo_fault_page(vmf, MMAPDEMO_STRATEGY_INSERT);
}

static const struct vm_operations_struct insert_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
#ifdef MMAPDEMO_HAVE_MMAP_PREPARE
	.mapped = mmapdemo_vma_mapped,
#endif
	.fault = insert_fault,
};

/* The whole range, one run of the backing's pages. */
static int insert_describe(struct mmapdemo_dev *md,
			   const struct mmapdemo_map_req *req,
			   struct mmapdemo_map_desc *desc)
{
	desc->flags |= MMAPDEMO_MAP_MIXEDMAP;
	desc->eager = MMAPDEMO_EAGER_PAGES;
	desc->pages = md->backing.pages + req->pgoff;
	desc->npages = req->npages;
	return 0;
}

const struct mmapdemo_strategy mmapdemo_strategy_insert = {
	.name = "insert",
	.id = MMAPDEMO_STRATEGY_INSERT,
	.needs_pages = true,
	.vm_ops = &insert_vm_ops,
	.private_ok = true,
	.maps_eagerly = true,
	.describe = insert_describe,
};
