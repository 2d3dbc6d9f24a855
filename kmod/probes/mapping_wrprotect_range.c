// SPDX-License-Identifier: GPL-2.0
/*
 * After 6.12 (7.3 has it): mapping_wrprotect_range() write-protects every
 * shared mapping of a range of an address_space, for pages without a
 * ->mapping of their own.
 */
#include <linux/rmap.h>

static int __maybe_unused probe(struct address_space *mapping, pgoff_t pgoff,
				unsigned long pfn)
{
	return mapping_wrprotect_range(mapping, pgoff, pfn, 1);
}
