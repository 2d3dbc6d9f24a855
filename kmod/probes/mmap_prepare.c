// SPDX-License-Identifier: GPL-2.0
/*
 * f_op->mmap_prepare with what mmapdemo's prepare front end uses: struct
 * vm_area_desc with vma_flags_t and VMA_*_BIT, the mmap_action_*() helpers
 * (remap, ioremap, simple_ioremap and map_kernel_pages) and vm_ops->mapped:
 * all of it in 7.3, none of it in 6.12.
 */
#include <linux/fs.h>
#include <linux/mm.h>

static int probe_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
			const struct file *file, void **vm_private_data)
{
	return 0;
}

static const struct vm_operations_struct probe_vm_ops = {
	.mapped = probe_mapped,
};

static int probe_mmap_prepare(struct vm_area_desc *desc)
{
	struct page **pages = desc->private_data;

	if (vma_desc_test(desc, VMA_MAYSHARE_BIT))
		vma_desc_set_flags(desc, VMA_IO_BIT, VMA_PFNMAP_BIT);
	desc->vm_ops = &probe_vm_ops;
	if (vma_desc_pages(desc) == 1)
		mmap_action_ioremap_full(desc, 0);
	else if (vma_desc_pages(desc) == 2)
		mmap_action_simple_ioremap(desc, 0, PAGE_SIZE);
	else if (vma_desc_test(desc, VMA_EXEC_BIT))
		mmap_action_remap_full(desc, 0);
	else
		mmap_action_map_kernel_pages_full(desc, pages);
	return 0;
}

static const struct file_operations probe_fops __maybe_unused = {
	.mmap_prepare = probe_mmap_prepare,
};
