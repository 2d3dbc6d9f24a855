// SPDX-License-Identifier: GPL-2.0
/*
 * 6.16: PFN-map tracking per reservation.  remap_pfn_range() of a whole
 * VMA reserves the memory type once (pfnmap_track()) and hangs a reference-
 * counted pfnmap_track_ctx on the VMA, which fork and splits share; before,
 * track_pfn_remap() set VM_PAT and each unmap freed the VMA's own range.
 */
#include <linux/pgtable.h>

static int __maybe_unused probe(unsigned long pfn, pgprot_t *prot)
{
	return pfnmap_track(pfn, PAGE_SIZE, prot);
}
