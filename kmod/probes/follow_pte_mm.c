// SPDX-License-Identifier: GPL-2.0
/* 6.1: follow_pte() takes the mm and returns the PTE under its lock. */
#include <linux/mm.h>

static int __maybe_unused probe(struct mm_struct *mm, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *ptep;
	int ret = follow_pte(mm, addr, &ptep, &ptl);

	if (!ret)
		pte_unmap_unlock(ptep, ptl);
	return ret;
}
