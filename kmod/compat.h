/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernel APIs of the releases mmapdemo builds on
 * (6.1 to 7.3), in one place.  Each shim names the release that changed
 * the API and is the newer API's spelling, so the rest of the module reads
 * as code for the newest kernel.
 */
#ifndef _MMAPDEMO_COMPAT_H
#define _MMAPDEMO_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/*
 * 6.3 made vma->vm_flags read-only and added vm_flags_set() and
 * vm_flags_clear(), which also assert the mmap_lock is held for writing.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	mmap_assert_write_locked(vma->vm_mm);
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	mmap_assert_write_locked(vma->vm_mm);
	vma->vm_flags &= ~flags;
}
#endif

/*
 * The largest order the page allocator hands out: MAX_ORDER - 1 before 6.4,
 * where MAX_ORDER became inclusive; 6.8 renamed it MAX_PAGE_ORDER.
 */
#if defined(MAX_PAGE_ORDER)
#define MMAPDEMO_MAX_PAGE_ORDER MAX_PAGE_ORDER
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define MMAPDEMO_MAX_PAGE_ORDER (MAX_ORDER - 1)
#else
#define MMAPDEMO_MAX_PAGE_ORDER MAX_ORDER
#endif

#endif /* _MMAPDEMO_COMPAT_H */
