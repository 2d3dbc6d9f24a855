// SPDX-License-Identifier: GPL-2.0
/* 7.x: zap_vma_ptes() became zap_special_vma_range(). */
#include <linux/mm.h>

static void __maybe_unused probe(struct vm_area_struct *vma)
{
	zap_special_vma_range(vma, vma->vm_start, vma->vm_end - vma->vm_start);
}
