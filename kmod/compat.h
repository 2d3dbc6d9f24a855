/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernel APIs of the releases mmapdemo builds on
 * (6.1 to 7.x), in one place.  Each shim names the release that changed
 * the API and is the newer API's spelling, so the rest of the module reads
 * as code for the newest kernel.
 *
 * Where distributions backport an API, a version number would lie: those
 * differences are decided by the Kbuild feature probes (kmod/probes/), whose
 * results probes.h holds as MMAPDEMO_HAVE_*.
 */
#ifndef _MMAPDEMO_COMPAT_H
#define _MMAPDEMO_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

#include "probes.h"

/*
 * 6.3 made vma->vm_flags read-only and added vm_flags_set() and
 * vm_flags_clear(), which also assert the mmap_lock is held for writing.
 */
#ifndef MMAPDEMO_HAVE_VM_FLAGS_SET
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
 * The lock a fault holds: the mmap_lock for reading, or since 6.4 the
 * VMA's own lock without it (FAULT_FLAG_VMA_LOCK).  Before per-VMA locks,
 * always the mmap_lock.
 */
#ifndef MMAPDEMO_HAVE_ASSERT_FAULT_LOCKED
static inline void assert_fault_locked(struct vm_fault *vmf)
{
	mmap_assert_locked(vmf->vma->vm_mm);
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
