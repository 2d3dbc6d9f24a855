// SPDX-License-Identifier: GPL-2.0
/* 6.6: ->huge_fault takes the order of the entry, not enum page_entry_size. */
#include <linux/mm.h>

static vm_fault_t probe_huge_fault(struct vm_fault *vmf, unsigned int order)
{
	return VM_FAULT_FALLBACK;
}

static const struct vm_operations_struct probe_ops __maybe_unused = {
	.huge_fault = probe_huge_fault,
};

/*
 * C takes an unsigned int for the old enum page_entry_size, so the above
 * alone would compile before 6.6 too.  PE_SIZE_PTE, one of that enum's
 * names, is free for a variable only where the enum is gone.
 */
static int PE_SIZE_PTE __maybe_unused;
