// SPDX-License-Identifier: GPL-2.0
/*
 * assert_fault_locked(): the lock a fault holds, the mmap_lock or (with
 * per-VMA locks, 6.4 and later) the VMA's own lock; in 6.12 and 7.3, not
 * in 6.1.
 */
#include <linux/mm.h>

static vm_fault_t __maybe_unused probe_fault(struct vm_fault *vmf)
{
	assert_fault_locked(vmf);
	return 0;
}
