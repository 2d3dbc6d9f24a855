// SPDX-License-Identifier: GPL-2.0
/*
 * The "remap" strategy: remap_pfn_range() writes the page-table entries for
 * the whole range at mmap() time, as drivers of device memory without
 * struct pages do (/dev/mem, UIO, frame buffers).  The VMA becomes
 * VM_PFNMAP: the core treats its PTEs as "special", takes no references on
 * the pages, and never faults on them.
 *
 * One call per VMA, of one physically contiguous range: on a BAR, which
 * is one, vm_iomap_memory() with the device's memory type, which checks
 * the VMA against the BAR itself (as drivers/misc/open-dice.c does on
 * 6.12; on 7.3 it uses mmap_action_simple_ioremap()); on RAM,
 * remap_pfn_range() of a VMA that lies in one contiguous run of the
 * device memory, EINVAL otherwise.  On kernels with ->mmap_prepare the
 * core makes that call (mmap_action_remap() and
 * mmap_action_simple_ioremap()).
 *
 * On a BAR only from 6.16 (MMAPDEMO_BAR_REMAP, compat.h): before, the
 * memory type that remap_pfn_range() reserves cannot survive a revocation
 * that races with fork or exit, so there the strategy needs struct pages
 * and SET_STRATEGY refuses it on a BAR with EINVAL.  VFIO has mapped BARs
 * by fault since 5.8 for the same reason; the fault and huge strategies
 * do that here.
 *
 * MAP_PRIVATE is refused with EINVAL: remap_pfn_range() maps a
 * copy-on-write VM_PFNMAP mapping only whole and writes its first PFN
 * into vm_pgoff (remap_pfn_range_prepare() into the descriptor), the rule
 * by which vm_normal_page() tells original PTEs from copied pages on an
 * architecture without pte_special(); this strategy's vm_pgoff is the
 * device offset that ->access, the walk and /proc/PID/maps rely on
 * (Documentation/semantics.rst).
 */
#include <linux/mm.h>

#include "compat.h"
#include "internal.h"

static const struct vm_operations_struct remap_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
#ifdef MMAPDEMO_HAVE_MMAP_PREPARE
	.mapped = mmapdemo_vma_mapped,
#endif
	.access = mmapdemo_vma_access,
};

/*
 * One PFN range per VMA, as upstream maps with one remap_pfn_range() call
 * (and as the one mmap_action of ->mmap_prepare can): the pages the VMA
 * asks for must be physically contiguous.  A BAR always is; the RAM
 * device is made of physically contiguous runs (backing_kbuf.c), and a
 * VMA that crosses from one run to another is refused with EINVAL.
 */
static int remap_describe(struct mmapdemo_dev *md,
			  const struct mmapdemo_map_req *req,
			  struct mmapdemo_map_desc *desc)
{
	struct mmapdemo_backing *backing = &md->backing;
	unsigned long pfn = backing->ops->pfn(backing, req->pgoff), i;

	for (i = 1; i < req->npages; i++)
		if (backing->ops->pfn(backing, req->pgoff + i) != pfn + i)
			return -EINVAL;
	desc->flags |= MMAPDEMO_MAP_IO | MMAPDEMO_MAP_PFNMAP;
	desc->eager = mmapdemo_has_pages(md) ? MMAPDEMO_EAGER_PFN :
					       MMAPDEMO_EAGER_IO_PFN;
	desc->pfn = pfn;
	desc->npages = req->npages;
	desc->io_phys = md->backing.phys;
	desc->io_size = md->backing.size;
	return 0;
}

const struct mmapdemo_strategy mmapdemo_strategy_remap = {
	.name = "remap",
	.id = MMAPDEMO_STRATEGY_REMAP,
	.vm_ops = &remap_vm_ops,
#ifdef MMAPDEMO_BAR_REMAP
	/*
	 * A BAR's VMAs split like any other mapping (munmap of a part,
	 * mprotect, mremap): every part holds a reference on the one
	 * pfnmap_track_ctx that remap_pfn_range() made for the whole range,
	 * and the last part to go frees the reservation (mm/memory.c,
	 * remap_pfn_range_track(); mm/vma_init.c, vm_area_dup()).
	 */
	.pfn_vm_ops = &remap_vm_ops,
#else
	.needs_pages = true,
#endif
	.private_ok = false,
	.maps_eagerly = true,
	.describe = remap_describe,
};
