// SPDX-License-Identifier: GPL-2.0
/*
 * After 6.12 (by 7.3): pfn_t is gone, and vmf_insert_pfn_pmd() takes an
 * unsigned long PFN.
 */
#include <linux/mm.h>

static vm_fault_t __maybe_unused probe(struct vm_fault *vmf)
{
	return vmf_insert_pfn_pmd(vmf, 0UL, false);
}
