// SPDX-License-Identifier: GPL-2.0
/* 6.12: follow_pfnmap_start() reads a PFN-map entry under its lock. */
#include <linux/mm.h>

static int __maybe_unused probe(struct vm_area_struct *vma, unsigned long addr)
{
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };
	int ret = follow_pfnmap_start(&args);

	if (!ret)
		follow_pfnmap_end(&args);
	return ret;
}
