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
 *          fault (vm_insert_page() on RAM), and page_mkwrite
 *          counts the first write to each page.
 *  REMAP   remap_pfn_range() maps the whole range at mmap time (VM_PFNMAP).
 *  INSERT  vm_insert_pages() maps the whole range in one batch at mmap time.
 *  HUGE    as FAULT, on a BAR device only, but a fault maps a 2 MiB (PMD)
 *          or 1 GiB (PUD) entry where the address, the offset and the BAR
 *          are aligned and the kernel supports huge PFN-map entries
 *          (MMAPDEMO_FEATURE_HUGE_PMD, MMAPDEMO_FEATURE_HUGE_PUD); one
 *          page per fault elsewhere.
 *  DEFIO   deferred I/O, as fbdev's: on RAM mapped as FAULT, but the
 *          mapped memory is a shadow of a separate device-side copy; on
 *          a BAR of memory (at most 256 MiB, not registers) the mapping
 *          shows shadow pages of RAM and the device side is the BAR.
 *          page_mkwrite records each page written; a flush copies the
 *          dirty pages to the device side and write-protects them again,
 *          so that the next write faults again.  fsync() and
 *          msync(MS_SYNC) flush and return once the data is there; a
 *          delayed work flushes "defio_delay_ms" after a first write.
 *          MMAPDEMO_IOC_DEFIO_READ reads the device side.
 */
#define MMAPDEMO_STRATEGY_FAULT 0
#define MMAPDEMO_STRATEGY_REMAP 1
#define MMAPDEMO_STRATEGY_INSERT 2
#define MMAPDEMO_STRATEGY_HUGE 3
#define MMAPDEMO_STRATEGY_DEFIO 4

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
#define MMAPDEMO_FEATURE_WALK (1U << 4) /* MMAPDEMO_IOC_WALK */
#define MMAPDEMO_FEATURE_HUGE (1U << 5) /* strategy HUGE */
#define MMAPDEMO_FEATURE_HUGE_PMD (1U << 6) /* HUGE maps PMD entries */
#define MMAPDEMO_FEATURE_HUGE_PUD (1U << 7) /* HUGE maps PUD entries */
#define MMAPDEMO_FEATURE_DEFIO (1U << 8) /* strategy DEFIO */
/*
 * A DEFIO flush write-protects in place; without it, it unmaps, and REMAP
 * and DEFIO mappings of the device exclude each other (EBUSY).
 */
#define MMAPDEMO_FEATURE_DEFIO_WRPROTECT (1U << 9)
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
 * non-zero @flags; -EBUSY once this file has been mapped; -ENOMEM (DEFIO
 * sets its device side up here); -EFAULT, -E2BIG.  Every file of a device
 * shares its mappings, whichever device node it was opened through.
 */
struct mmapdemo_set_strategy {
	__u32 strategy;
	__u32 flags;
};

/**
 * struct mmapdemo_stats - the device's counters since the module loaded
 * @mmaps: successful mmap() calls on the device
 * @faults: faults served by vm_ops->fault, each mapping its page
 * @fault_sigbus: faults refused with SIGBUS (beyond the end of the device)
 * @mkwrites: page_mkwrite calls: first writes to a page of a shared mapping
 * @eager_pages: pages mapped at mmap time (REMAP and INSERT)
 * @vma_opens: vm_ops->open calls (a VMA split, copied by fork or moved)
 * @vma_closes: vm_ops->close calls
 * @live_vmas: VMAs of the device that exist now
 * @around_pages: always 0: pages mapped around a read fault, which the
 *                module no longer does (it had a "fault_around"
 *                parameter once; the field stays for the ABI).
 *                @faults counts the faults, one page each (but see
 *                @pmd_faults).
 * @pmd_faults: faults of the HUGE strategy that mapped a PMD entry (2 MiB
 *              on x86-64); counted in @faults too
 * @pud_faults: the same for PUD entries (1 GiB on x86-64)
 * @huge_fallbacks: huge faults that fell back to a smaller entry, because
 *                  the address, the offset or the BAR was not aligned, or
 *                  the entry would not fit the mapping or the device; the
 *                  smaller fault that follows is counted in @faults
 * @defio_dirtied: pages of the DEFIO strategy that became dirty: a first
 *                 write through a mapping (page_mkwrite) to a page that
 *                 was clean
 * @defio_flushed: dirty pages a flush copied to the device side
 * @defio_reprotected: pages a flush write-protected again in every
 *                     mapping before copying them, so that the next write
 *                     faults (7.x: mapping_wrprotect_range(); before: the
 *                     pages are unmapped, unmap_mapping_range())
 *
 * MMAPDEMO_IOC_STATS fills it; the same numbers are in sysfs.  A caller
 * built before @around_pages passes the shorter struct and gets the rest.
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
	__u64 around_pages;
	__u64 pmd_faults;
	__u64 pud_faults;
	__u64 huge_fallbacks;
	__u64 defio_dirtied;
	__u64 defio_flushed;
	__u64 defio_reprotected;
};

/* Levels of a page-table walk, from the top. */
#define MMAPDEMO_LEVEL_PGD 0
#define MMAPDEMO_LEVEL_P4D 1
#define MMAPDEMO_LEVEL_PUD 2
#define MMAPDEMO_LEVEL_PMD 3
#define MMAPDEMO_LEVEL_PTE 4
#define MMAPDEMO_LEVELS 5

/**
 * struct mmapdemo_walk_entry - one page-table entry on the way to an address
 * @raw: the entry as the CPU reads it; its frame bits, and every bit of
 *       an entry that is not present (a swap or migration entry holds a
 *       frame in its offset), are zero for callers without CAP_SYS_ADMIN
 * @pfn: the frame it points to (the next table, or the page for a leaf);
 *       zero without CAP_SYS_ADMIN
 * @bits: the entry decoded, MMAPDEMO_PTE_*, with x86-64 bit meanings;
 *        kept for callers built before &struct mmapdemo_walk_level, whose
 *        @flags mean the same on every architecture.  On arm64, the bits
 *        whose meaning an arm64 descriptor has too (present, write, user,
 *        accessed, dirty, leaf, special, nx); PWT, PCD, PAT and GLOBAL
 *        are clear
 * @reserved: zero
 */
struct mmapdemo_walk_entry {
	__u64 raw;
	__u64 pfn;
	__u32 bits;
#define MMAPDEMO_PTE_PRESENT (1U << 0)
#define MMAPDEMO_PTE_WRITE (1U << 1)
#define MMAPDEMO_PTE_USER (1U << 2)
#define MMAPDEMO_PTE_PWT (1U << 3) /* write-through caching */
#define MMAPDEMO_PTE_PCD (1U << 4) /* caching disabled */
#define MMAPDEMO_PTE_ACCESSED (1U << 5)
#define MMAPDEMO_PTE_DIRTY (1U << 6)
#define MMAPDEMO_PTE_LEAF (1U << 7) /* maps a page: PTE, or huge PMD/PUD */
#define MMAPDEMO_PTE_GLOBAL (1U << 8)
#define MMAPDEMO_PTE_SPECIAL (1U << 9) /* no struct page use (VM_PFNMAP) */
#define MMAPDEMO_PTE_PAT (1U << 10)
#define MMAPDEMO_PTE_NX (1U << 11)
	__u32 reserved;
};

/**
 * struct mmapdemo_walk_level - one page-table entry, decoded for any
 * architecture
 * @raw: the entry as the CPU reads it, in the format that
 *       &struct mmapdemo_walk.arch names; its frame bits, and every bit
 *       of an entry that is not present, are zero for callers without
 *       CAP_SYS_ADMIN
 * @pfn: the frame the entry points to (the next table, or the memory of a
 *       leaf: its first page for a huge leaf); zero without CAP_SYS_ADMIN
 *       and for an entry that is not present
 * @flags: MMAPDEMO_ENTRY_* bits, which mean the same on every
 *         architecture; a bit the entry's format lacks at this level (a
 *         table entry has no dirty bit on x86-64) is clear
 * @memtype: the memory type of a present leaf, MMAPDEMO_MEMTYPE_*;
 *           MMAPDEMO_MEMTYPE_NONE for a table entry or an entry that is
 *           not present
 * @shift: log2 of the bytes of address space the entry covers; on x86-64
 *         12 for a PTE, 21 for a PMD, 30 for a PUD, 39 for a P4D, and for
 *         the PGD 39 with 4-level paging (the P4D is folded into it) or 48
 *         with 5-level paging
 * @reserved: zero
 */
struct mmapdemo_walk_level {
	__u64 raw;
	__u64 pfn;
	__u32 flags;
#define MMAPDEMO_ENTRY_PRESENT (1U << 0) /* the MMU uses it */
#define MMAPDEMO_ENTRY_WRITABLE (1U << 1) /* writes allowed through it */
#define MMAPDEMO_ENTRY_USER (1U << 2) /* user mode may use it */
#define MMAPDEMO_ENTRY_ACCESSED (1U << 3) /* the MMU has used it */
#define MMAPDEMO_ENTRY_DIRTY (1U << 4) /* a leaf written through */
#define MMAPDEMO_ENTRY_NOEXEC (1U << 5) /* no instruction fetch through it */
#define MMAPDEMO_ENTRY_SPECIAL (1U << 6) /* a leaf without struct page use */
#define MMAPDEMO_ENTRY_LEAF (1U << 7) /* maps memory, at any level */
#define MMAPDEMO_ENTRY_HUGE (1U << 8) /* a leaf above the PTE level */
	__u32 memtype;
	__u32 shift;
	__u32 reserved;
};

/**
 * struct mmapdemo_walk - the page-table walk of one address of the caller
 * @addr: in: a user address in the calling process
 * @flags: in: must be zero
 * @result: MMAPDEMO_WALK_MAPPED, or MMAPDEMO_WALK_HOLE where an entry on
 *          the way is empty or not present
 * @levels: entries filled in @entry, from PGD down; the last one is where
 *          the walk stopped (the leaf, or the empty entry)
 * @reserved: zero
 * @pfn: the page frame behind @addr; zero without CAP_SYS_ADMIN or if not
 *       mapped
 * @phys: the physical address of @addr; same conditions
 * @entry: the entries, indexed by MMAPDEMO_LEVEL_*; a level that a 4-level
 *         machine folds (P4D) repeats the level above
 * @vma_start: the VMA holding @addr, if any
 * @vma_end: its end
 * @vma_flags: its vm_flags as the kernel holds them: kernel-internal values
 *             that may change between releases, kept for callers built
 *             before @vma_vmflags; use @vma_vmflags
 * @vma_pgoff: its vm_pgoff
 * @vma_kind: MMAPDEMO_VMA_*
 * @vma_strategy: MMAPDEMO_STRATEGY_* if the VMA maps this device
 * @device_page: the page of device memory behind @addr, or
 *               MMAPDEMO_NO_DEVICE_PAGE (not mapped, not this device, or a
 *               private copy)
 * @memtype: the memory type of the leaf entry, MMAPDEMO_MEMTYPE_*: its
 *           PWT, PCD and PAT bits as the kernel's PAT table reads them
 *           (on arm64 its AttrIndx, as the kernel's MAIR_EL1 reads it);
 *           MMAPDEMO_MEMTYPE_NONE if not mapped (added after ABI 1's
 *           first struct: shorter callers do not get it)
 * @reserved2: zero
 * @vma_vmflags: the VMA's flags as MMAPDEMO_VMF_* bits, which mean the same
 *               on every kernel; flags of the VMA that have no
 *               MMAPDEMO_VMF_* bit are left out.  Added in the second
 *               version of the struct: a caller built before it passes
 *               the shorter struct and does not get it.
 * @arch: the format of the raw entries, MMAPDEMO_ARCH_*
 * @result_flags: MMAPDEMO_WALK_* bits about how the walk read the tables
 * @level: the entries again, indexed by MMAPDEMO_LEVEL_* as @entry and
 *         filled for the same @levels, decoded by the module into fields
 *         that mean the same on every architecture.  @arch, @result_flags
 *         and @level were added in the third version of the struct: a
 *         caller built before them passes the shorter struct, and gets
 *         what it got before.
 *
 * MMAPDEMO_IOC_WALK reads the caller's page tables as they are at the time
 * of the call, and allocates and frees none.  Return: 0; -EINVAL for non-zero
 * @flags or an address outside user space; -EOPNOTSUPP on architectures
 * other than x86-64 and arm64; -EFAULT; -E2BIG.
 */
struct mmapdemo_walk {
	__u64 addr;
	__u32 flags;
	__u32 result;
#define MMAPDEMO_WALK_HOLE 0
#define MMAPDEMO_WALK_MAPPED 1
	__u32 levels;
	__u32 reserved;
	__u64 pfn;
	__u64 phys;
	struct mmapdemo_walk_entry entry[MMAPDEMO_LEVELS];
	__u64 vma_start;
	__u64 vma_end;
	__u64 vma_flags;
	__u64 vma_pgoff;
	__u32 vma_kind;
#define MMAPDEMO_VMA_NONE 0 /* no VMA holds the address */
#define MMAPDEMO_VMA_OTHER 1 /* another mapping */
#define MMAPDEMO_VMA_MMAPDEMO 2 /* a mapping of this device */
	__u32 vma_strategy;
	__u64 device_page;
#define MMAPDEMO_NO_DEVICE_PAGE (~0ULL)
	__u32 memtype;
#define MMAPDEMO_MEMTYPE_NONE 0 /* not mapped */
#define MMAPDEMO_MEMTYPE_WB 1 /* write-back: RAM */
#define MMAPDEMO_MEMTYPE_WC 2 /* write-combining */
#define MMAPDEMO_MEMTYPE_UC_MINUS 3 /* uncached, MTRRs may override */
#define MMAPDEMO_MEMTYPE_UC 4 /* uncached */
#define MMAPDEMO_MEMTYPE_WT 5 /* write-through */
#define MMAPDEMO_MEMTYPE_WP 6 /* write-protected */
#define MMAPDEMO_MEMTYPE_UNKNOWN 7 /* bits no mode of the kernel uses */
/*
 * arm64 has no PAT: a leaf's AttrIndx selects an attribute of MAIR_EL1.
 * Normal write-back is WB, Normal non-cacheable (pgprot_writecombine())
 * WC, Device-nGnRnE (pgprot_noncached()) UC, and Device-nGnRE
 * (pgprot_device(), ioremap()) this one.
 */
#define MMAPDEMO_MEMTYPE_DEVICE_NGNRE 8 /* arm64 Device-nGnRE */
	__u32 reserved2;
	__u64 vma_vmflags;
/*
 * mmapdemo's own numbers for VMA flags, translated by the module from the
 * kernel's VM_* flags, whose values are the kernel's to change.  Each is
 * the flag that /proc/PID/smaps shows as the VmFlags code in the comment.
 * The numbers are those of the VM_* flags in 6.1, and never change.
 */
#define MMAPDEMO_VMF_READ (1ULL << 0) /* rd */
#define MMAPDEMO_VMF_WRITE (1ULL << 1) /* wr */
#define MMAPDEMO_VMF_EXEC (1ULL << 2) /* ex */
#define MMAPDEMO_VMF_SHARED (1ULL << 3) /* sh */
#define MMAPDEMO_VMF_MAYREAD (1ULL << 4) /* mr */
#define MMAPDEMO_VMF_MAYWRITE (1ULL << 5) /* mw */
#define MMAPDEMO_VMF_MAYEXEC (1ULL << 6) /* me */
#define MMAPDEMO_VMF_MAYSHARE (1ULL << 7) /* ms */
#define MMAPDEMO_VMF_GROWSDOWN (1ULL << 8) /* gd */
#define MMAPDEMO_VMF_UFFD_MISSING (1ULL << 9) /* um */
#define MMAPDEMO_VMF_PFNMAP (1ULL << 10) /* pf */
#define MMAPDEMO_VMF_UFFD_WP (1ULL << 12) /* uw */
#define MMAPDEMO_VMF_LOCKED (1ULL << 13) /* lo */
#define MMAPDEMO_VMF_IO (1ULL << 14) /* io */
#define MMAPDEMO_VMF_SEQ_READ (1ULL << 15) /* sr */
#define MMAPDEMO_VMF_RAND_READ (1ULL << 16) /* rr */
#define MMAPDEMO_VMF_DONTCOPY (1ULL << 17) /* dc */
#define MMAPDEMO_VMF_DONTEXPAND (1ULL << 18) /* de */
#define MMAPDEMO_VMF_LOCKONFAULT (1ULL << 19) /* lf */
#define MMAPDEMO_VMF_ACCOUNT (1ULL << 20) /* ac */
#define MMAPDEMO_VMF_NORESERVE (1ULL << 21) /* nr */
#define MMAPDEMO_VMF_HUGETLB (1ULL << 22) /* ht */
#define MMAPDEMO_VMF_SYNC (1ULL << 23) /* sf */
#define MMAPDEMO_VMF_ARCH_1 (1ULL << 24) /* ar: on x86, PAT */
#define MMAPDEMO_VMF_WIPEONFORK (1ULL << 25) /* wf */
#define MMAPDEMO_VMF_DONTDUMP (1ULL << 26) /* dd */
#define MMAPDEMO_VMF_SOFTDIRTY (1ULL << 27) /* sd */
#define MMAPDEMO_VMF_MIXEDMAP (1ULL << 28) /* mm */
#define MMAPDEMO_VMF_HUGEPAGE (1ULL << 29) /* hg */
#define MMAPDEMO_VMF_NOHUGEPAGE (1ULL << 30) /* nh */
#define MMAPDEMO_VMF_MERGEABLE (1ULL << 31) /* mg */
	__u32 arch;
#define MMAPDEMO_ARCH_NONE 0 /* no entries read */
#define MMAPDEMO_ARCH_X86_64 1 /* x86-64 (AMD64, Intel 64) entries */
#define MMAPDEMO_ARCH_ARM64 2 /* arm64 (AArch64) descriptors, 4 KiB granule */
	__u32 result_flags;
/* The leaf was read under the lock the kernel's follow_pfnmap_start()
 * takes (VM_IO and VM_PFNMAP mappings); without it, a lockless snapshot.
 */
#define MMAPDEMO_WALK_LEAF_LOCKED (1U << 0)
	struct mmapdemo_walk_level level[MMAPDEMO_LEVELS];
};

#define MMAPDEMO_IOC_INFO _IOR(MMAPDEMO_IOCTL_TYPE, 0x00, struct mmapdemo_info)
#define MMAPDEMO_IOC_SET_STRATEGY \
	_IOW(MMAPDEMO_IOCTL_TYPE, 0x01, struct mmapdemo_set_strategy)
#define MMAPDEMO_IOC_STATS \
	_IOR(MMAPDEMO_IOCTL_TYPE, 0x02, struct mmapdemo_stats)
#define MMAPDEMO_IOC_WALK _IOWR(MMAPDEMO_IOCTL_TYPE, 0x03, struct mmapdemo_walk)

/**
 * struct mmapdemo_defio_read - read the device side of deferred I/O
 * @offset: in: the first byte of the device to read
 * @addr: in: user buffer
 * @len: in: bytes; @offset + @len must lie inside the device
 * @flags: in: must be zero
 * @reserved: in: must be zero
 *
 * The DEFIO strategy maps a shadow of the device; what a flush has copied
 * to the device itself is read here, so that a test can tell flushed data
 * from data still waiting.  The device side starts as a copy of the
 * memory, made when a file first chooses the DEFIO strategy (open() with
 * it the default, or MMAPDEMO_IOC_SET_STRATEGY); on a BAR device it is
 * the BAR itself.
 * MMAPDEMO_IOC_DEFIO_READ.  Return: 0; -EBADF on a file not open for
 * reading, as read(); -EINVAL for a range outside the
 * device or non-zero @flags; -ENODATA before a file first chose DEFIO or on
 * a device without deferred I/O; -ENODEV once a BAR device is removed;
 * -EFAULT, -E2BIG.
 */
struct mmapdemo_defio_read {
	__u64 offset;
	__u64 addr;
	__u64 len;
	__u32 flags;
	__u32 reserved;
};

#define MMAPDEMO_IOC_DEFIO_READ \
	_IOW(MMAPDEMO_IOCTL_TYPE, 0x04, struct mmapdemo_defio_read)

/*
 * The DMA device of a PCI device with a DMA engine (QEMU's edu):
 * /dev/mmapdemo-dma-<PCI address>.  It has two DMA buffers, which the
 * device reads and writes, at two ranges of the file's offsets:
 *  - from offset 0, coherent memory (&struct mmapdemo_dma_info.size bytes);
 *  - from MMAPDEMO_DMA_PAGES_OFFSET, an array of pages, each allocated and
 *    mapped for the device on its own, non-coherent: the driver syncs
 *    them around every transfer (&struct mmapdemo_dma_info.pages_size
 *    bytes).
 * mmap() (MAP_SHARED) at an offset maps that buffer from there, and
 * MMAPDEMO_IOC_DMA_XFER takes the same offsets, to have the device copy
 * between a buffer and its own.  User space never sees or programs a DMA
 * address for a transfer.
 */
#define MMAPDEMO_DMA_PAGES_OFFSET 0x100000ULL /* 1 MiB */

/**
 * struct mmapdemo_dma_info - a DMA device, its buffer and its counters
 * @size: bytes of the DMA buffer, a multiple of the page size
 * @dev_buf_size: bytes of the device's own buffer that transfers use:
 *                edu's is 4096, of which 4095 (QEMU 7.2 aborts on a
 *                transfer that reaches its last byte)
 * @irq_kind: MMAPDEMO_DMA_IRQ_* the device's interrupt is
 * @flags: MMAPDEMO_DMA_INFO_ADDRS when @dma_addr and @phys are given
 * @reserved: zero
 * @dma_addr: the buffer's DMA address, which the device is programmed
 *            with: equal to @phys without an IOMMU, an I/O virtual address
 *            with one; 0 unless the caller has CAP_SYS_ADMIN
 * @phys: the buffer's physical address; 0 unless CAP_SYS_ADMIN
 * @dma_mask: the device's DMA mask (edu: 28 bits)
 * @transfers: transfers that ended, both directions
 * @irqs: the device's DMA interrupts the driver handled
 * @timeouts: transfers whose interrupt did not come in time
 * @live_vmas: mappings of the buffers that exist now
 * @pages_offset: since the page-array buffer: where it starts in the
 *                file's offsets, MMAPDEMO_DMA_PAGES_OFFSET
 * @pages_size: its bytes, a multiple of the page size
 *
 * @dma_addr and @phys are those of the coherent buffer's first byte;
 * MMAPDEMO_IOC_DMA_ADDR gives them for any offset.  @transfers counts
 * MMAPDEMO_IOC_DMA_XFER calls, @irqs the device's transfers: one per page
 * of the page-array buffer a call touches.
 *
 * MMAPDEMO_IOC_DMA_INFO fills it.  Return: 0, or -EFAULT, -EINVAL (struct
 * too short), -ENODEV once the device is removed.
 */
struct mmapdemo_dma_info {
	__u64 size;
	__u32 dev_buf_size;
	__u32 irq_kind;
#define MMAPDEMO_DMA_IRQ_INTX 1 /* the PCI interrupt pin, maybe shared */
#define MMAPDEMO_DMA_IRQ_MSI 2 /* a message signalled interrupt */
	__u32 flags;
#define MMAPDEMO_DMA_INFO_ADDRS (1U << 0) /* @dma_addr and @phys are set */
	__u32 reserved;
	__u64 dma_addr;
	__u64 phys;
	__u64 dma_mask;
	__u64 transfers;
	__u64 irqs;
	__u64 timeouts;
	__u64 live_vmas;
	__u64 pages_offset;
	__u64 pages_size;
};

/**
 * struct mmapdemo_dma_xfer - one transfer by the device's DMA engine
 * @direction: MMAPDEMO_DMA_TO_DEVICE copies the DMA buffer (what user
 *             space wrote through its mapping) into the device's buffer;
 *             MMAPDEMO_DMA_FROM_DEVICE copies the device's buffer into the
 *             DMA buffer, where the mapping shows it without a copy
 * @flags: 0
 * @offset: byte offset in the file: in the coherent buffer, or from
 *          MMAPDEMO_DMA_PAGES_OFFSET in the page-array buffer
 * @dev_offset: byte offset in the device's buffer
 * @len: bytes, 1 to &struct mmapdemo_dma_info.dev_buf_size
 *
 * MMAPDEMO_IOC_DMA_XFER starts the transfer and sleeps until the device's
 * interrupt says it ended; in the page-array buffer, one run of the
 * device per page the range touches, each page at its own DMA address.
 * Return: 0; -EBADF on a file not open for writing (either direction
 * writes memory); -EINVAL for a range not inside one DMA buffer and the
 * device's buffer, a zero length, an unknown direction or flags;
 * -ETIMEDOUT if the interrupt did not come; -EBUSY if the device still
 * runs a transfer that timed out; -ENODEV once the device is removed;
 * -EFAULT.
 */
struct mmapdemo_dma_xfer {
	__u32 direction;
#define MMAPDEMO_DMA_TO_DEVICE 1
#define MMAPDEMO_DMA_FROM_DEVICE 2
	__u32 flags;
	__u64 offset;
	__u32 dev_offset;
	__u32 len;
};

#define MMAPDEMO_IOC_DMA_INFO \
	_IOR(MMAPDEMO_IOCTL_TYPE, 0x20, struct mmapdemo_dma_info)
#define MMAPDEMO_IOC_DMA_XFER \
	_IOW(MMAPDEMO_IOCTL_TYPE, 0x21, struct mmapdemo_dma_xfer)

/**
 * struct mmapdemo_dma_addr - the addresses behind one offset of the file
 * @offset: in: a byte offset in either DMA buffer, as for mmap()
 * @flags: in: 0; out: MMAPDEMO_DMA_INFO_ADDRS when @dma_addr and @phys are
 *         given, which they are only to CAP_SYS_ADMIN
 * @reserved: zero
 * @dma_addr: the DMA address of that byte, which the device uses: equal
 *            to @phys without an IOMMU, an I/O virtual address with one
 * @phys: its physical address
 *
 * MMAPDEMO_IOC_DMA_ADDR fills it.  Without CAP_SYS_ADMIN the call succeeds
 * with @flags, @dma_addr and @phys 0, as MMAPDEMO_IOC_DMA_INFO's.
 * Return: 0; -EINVAL for an offset in neither buffer or non-zero @flags or
 * @reserved; -ENODEV once the device is removed; -EFAULT, -E2BIG.
 */
struct mmapdemo_dma_addr {
	__u64 offset;
	__u32 flags;
	__u32 reserved;
	__u64 dma_addr;
	__u64 phys;
};

#define MMAPDEMO_IOC_DMA_ADDR \
	_IOWR(MMAPDEMO_IOCTL_TYPE, 0x22, struct mmapdemo_dma_addr)

#endif /* _UAPI_LINUX_MMAPDEMO_H */
