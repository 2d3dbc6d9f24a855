// SPDX-License-Identifier: GPL-2.0
/*
 * 6.10 to 6.12: mm_get_unmapped_area(mm, ...) replaces the mm's
 * get_unmapped_area function pointer, which 6.1 calls directly.
 */
#include <linux/mm.h>
#include <linux/sched.h>

static unsigned long __maybe_unused probe(struct file *file)
{
	return mm_get_unmapped_area(current->mm, file, 0, PAGE_SIZE, 0, 0);
}
