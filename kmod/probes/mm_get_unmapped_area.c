// SPDX-License-Identifier: GPL-2.0
/*
 * After 6.12 (by 7.3): mm_get_unmapped_area(), the mm's own placement
 * that a file's get_unmapped_area falls back to, no longer takes the mm.
 */
#include <linux/mm.h>

static unsigned long __maybe_unused probe(struct file *file)
{
	return mm_get_unmapped_area(file, 0, PAGE_SIZE, 0, 0);
}
