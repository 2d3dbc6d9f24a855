/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mmapdemo: a character device that maps a buffer of device memory into
 * user space in several ways, so that the mmap and fault paths can be
 * studied and compared.
 *
 * This is the one ABI header, shared by the module, libmmapdemo and the
 * selftests.
 *
 * Every ioctl takes a pointer to a struct whose size is encoded in the
 * command number (_IOR/_IOW/_IOWR).  Structs only ever grow at the end:
 *  - a caller built against an older, shorter struct gets the fields it
 *    knows, and input fields it does not know are taken as zero;
 *  - a caller built against a newer, longer struct works as long as the
 *    bytes the module does not know are zero, and gets E2BIG otherwise;
 *  - a struct shorter than the first version gets EINVAL.
 * Output structs are fully written: padding and unused fields are zero.
 */
#ifndef _UAPI_LINUX_MMAPDEMO_H
#define _UAPI_LINUX_MMAPDEMO_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define MMAPDEMO_ABI_VERSION 1

/* The ioctl type letter; 0xD0 is unused in ioctl-number.rst. */
#define MMAPDEMO_IOCTL_TYPE 0xD0

/*
 * Mapping strategies, chosen per open file before its first mmap:
 *  FAULT   nothing is mapped at mmap time; vm_ops->fault maps one page per
 *          fault, and page_mkwrite counts the first write to each page.
 *  REMAP   remap_pfn_range() maps the whole range at mmap time (VM_PFNMAP).
 *  INSERT  vm_insert_pages() maps the whole range in one batch at mmap time.
 */
#define MMAPDEMO_STRATEGY_FAULT 0
#define MMAPDEMO_STRATEGY_REMAP 1
#define MMAPDEMO_STRATEGY_INSERT 2

/**
 * struct mmapdemo_info - what the device is and what it can do
 * @abi_version: %MMAPDEMO_ABI_VERSION of the module
 * @strategy: strategy of this open file, MMAPDEMO_STRATEGY_*
 * @size: bytes of device memory, a multiple of @page_size
 * @page_size: the kernel's page size
 * @features: MMAPDEMO_FEATURE_* bits
 * @default_strategy: strategy that new opens start with (module parameter)
 * @flags: MMAPDEMO_INFO_* bits about this open file
 *
 * MMAPDEMO_IOC_INFO fills it.  Return: 0, or -EFAULT, -EINVAL (struct too
 * short).
 */
struct mmapdemo_info {
	__u32 abi_version;
	__u32 strategy;
	__u64 size;
	__u32 page_size;
	__u32 features;
#define MMAPDEMO_FEATURE_FAULT (1U << 0) /* strategy FAULT */
#define MMAPDEMO_FEATURE_REMAP (1U << 1) /* strategy REMAP */
#define MMAPDEMO_FEATURE_INSERT (1U << 2) /* strategy INSERT */
#define MMAPDEMO_FEATURE_TRACEPOINTS (1U << 3) /* events/mmapdemo/ */
	__u32 default_strategy;
	__u32 flags;
#define MMAPDEMO_INFO_MAPPED (1U << 0) /* strategy now fixed */
};

/**
 * struct mmapdemo_set_strategy - choose how this open file maps
 * @strategy: MMAPDEMO_STRATEGY_*
 * @flags: must be zero
 *
 * MMAPDEMO_IOC_SET_STRATEGY.  Return: 0; -EINVAL for an unknown strategy or
 * non-zero @flags; -EBUSY once this file has been mapped; -EFAULT, -E2BIG.
 */
struct mmapdemo_set_strategy {
	__u32 strategy;
	__u32 flags;
};

/**
 * struct mmapdemo_stats - the device's counters since the module loaded
 * @mmaps: successful mmap() calls on the device
 * @faults: pages mapped by vm_ops->fault
 * @fault_sigbus: faults refused with SIGBUS (beyond the end of the device)
 * @mkwrites: page_mkwrite calls: first writes to a page of a shared mapping
 * @eager_pages: pages mapped at mmap time (REMAP and INSERT)
 * @vma_opens: vm_ops->open calls (a VMA split, copied by fork or moved)
 * @vma_closes: vm_ops->close calls
 * @live_vmas: VMAs of the device that exist now
 *
 * MMAPDEMO_IOC_STATS fills it; the same numbers are in sysfs.
 * Return: 0, or -EFAULT, -EINVAL (struct too short).
 */
struct mmapdemo_stats {
	__u64 mmaps;
	__u64 faults;
	__u64 fault_sigbus;
	__u64 mkwrites;
	__u64 eager_pages;
	__u64 vma_opens;
	__u64 vma_closes;
	__u64 live_vmas;
};

#define MMAPDEMO_IOC_INFO _IOR(MMAPDEMO_IOCTL_TYPE, 0x00, struct mmapdemo_info)
#define MMAPDEMO_IOC_SET_STRATEGY \
	_IOW(MMAPDEMO_IOCTL_TYPE, 0x01, struct mmapdemo_set_strategy)
#define MMAPDEMO_IOC_STATS \
	_IOR(MMAPDEMO_IOCTL_TYPE, 0x02, struct mmapdemo_stats)

#endif /* _UAPI_LINUX_MMAPDEMO_H */
