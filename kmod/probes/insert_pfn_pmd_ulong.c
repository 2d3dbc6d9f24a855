// SPDX-License-Identifier: GPL-2.0
/* 6.17: pfn_t is gone; vmf_insert_pfn_pmd() takes an unsigned long PFN. */
#include <linux/mm.h>

static vm_fault_t __maybe_unused probe(struct vm_fault *vmf)
{
	return vmf_insert_pfn_pmd(vmf, 0UL, false);
}
