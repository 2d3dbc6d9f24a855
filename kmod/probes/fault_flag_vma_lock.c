// SPDX-License-Identifier: GPL-2.0
/*
 * FAULT_FLAG_VMA_LOCK: a fault that holds only the VMA's own lock, not the
 * mmap_lock (per-VMA locks, 6.4).  In 6.12 and 7.3, not in 6.1.
 */
#include <linux/mm.h>

static __maybe_unused bool probe_vma_lock(struct vm_fault *vmf)
{
	return vmf->flags & FAULT_FLAG_VMA_LOCK;
}
