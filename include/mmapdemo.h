/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmmapdemo: map /dev/mmapdemo and look at what the kernel did.
 *
 * Every function that can fail returns 0 (or a count) on success and a
 * negative errno value on failure; none prints, none exits, none keeps
 * global state, and all are safe to call from several threads on different
 * handles.  The kernel ABI (ioctl structs, strategy and bit numbers) is in
 * <linux/mmapdemo.h>, which this header includes.
 *
 * Link with -lmmapdemo (pkg-config --libs mmapdemo).
 */
#ifndef MMAPDEMO_H
#define MMAPDEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/mmapdemo.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MMAPDEMO_DEVICE "/dev/mmapdemo"
#define MMAPDEMO_MODULE "mmapdemo"

/* ------------------------------------------------------------------ */
/* The device                                                          */

/* An open file of the device; its strategy is chosen per open file. */
struct mmapdemo;

/*
 * Open @path (NULL for MMAPDEMO_DEVICE) with open(2) @flags (O_RDWR,
 * O_RDONLY; O_CLOEXEC is always added).  Returns 0 and sets *@out, or
 * -ENOENT (module not loaded), -EACCES (the node is 0600: run as root), ...
 */
int mmapdemo_open(const char *path, int flags, struct mmapdemo **out);
void mmapdemo_close(struct mmapdemo *md);
/* The file descriptor, for poll, pread, mmap of your own. */
int mmapdemo_fd(const struct mmapdemo *md);

int mmapdemo_get_info(struct mmapdemo *md, struct mmapdemo_info *info);
int mmapdemo_get_stats(struct mmapdemo *md, struct mmapdemo_stats *stats);
/*
 * The device side of deferred I/O (the defio strategy), @len bytes at
 * @offset into @buf: MMAPDEMO_IOC_DEFIO_READ; -ENODATA before the first
 * defio mapping.  Since 1.3.
 */
int mmapdemo_defio_read(struct mmapdemo *md, uint64_t offset, void *buf,
			size_t len);
/* MMAPDEMO_STRATEGY_*; -EBUSY once the file has been mapped. */
int mmapdemo_set_strategy(struct mmapdemo *md, unsigned int strategy);

/* "fault", "remap", "insert", "huge", "defio"; NULL for an unknown number. */
const char *mmapdemo_strategy_name(unsigned int strategy);
/* The number of a strategy name, or -EINVAL. */
int mmapdemo_strategy_parse(const char *name);

/*
 * mmap(2) @length bytes of the device at byte @offset; @flags must hold
 * MAP_SHARED or MAP_PRIVATE and may add MAP_POPULATE and others.  Returns
 * 0 and sets *@addr, or the negative errno of mmap(2); -EINVAL for
 * MAP_FIXED or MAP_FIXED_NOREPLACE, which need an address: use
 * mmapdemo_map_at().
 */
int mmapdemo_map(struct mmapdemo *md, size_t length, int prot, int flags,
		 off_t offset, void **addr);
/*
 * The same at address @hint: a hint, or the address itself with
 * MAP_FIXED_NOREPLACE (or MAP_FIXED, which replaces what is there).
 * A NULL @hint with a fixed flag is -EINVAL rather than a mapping at
 * address 0, which root may otherwise get.
 */
int mmapdemo_map_at(struct mmapdemo *md, void *hint, size_t length, int prot,
		    int flags, off_t offset, void **addr);
int mmapdemo_unmap(void *addr, size_t length);

/*
 * The kernel's page-table walk of @addr in the calling process
 * (MMAPDEMO_IOC_WALK).  PFNs and physical addresses are zero unless the
 * caller has CAP_SYS_ADMIN.  Since 1.2 it fills the whole struct,
 * arch, result_flags and the decoded level[] too; programs linked against
 * 1.0 or 1.1 keep the old mmapdemo_walk, which writes their shorter
 * struct only.
 */
int mmapdemo_walk(struct mmapdemo *md, const void *addr,
		  struct mmapdemo_walk *walk);

/* "PGD", "P4D", "PUD", "PMD", "PTE"; NULL for an unknown level. */
const char *mmapdemo_level_name(unsigned int level);

/*
 * Names of the MMAPDEMO_PTE_* bits set in @bits, separated by spaces, into
 * @buf ("present write user accessed dirty leaf").  Returns the length the
 * full string needs, like snprintf.
 */
int mmapdemo_pte_bits_format(uint32_t bits, char *buf, size_t size);

/*
 * Names of the MMAPDEMO_ENTRY_* flags of a walk level set in @flags,
 * separated by spaces ("present writable user accessed dirty noexec
 * leaf"), which mean the same on every architecture; returns the length
 * the full string needs, like snprintf.  (Since 1.2.)
 */
int mmapdemo_entry_flags_format(uint32_t flags, char *buf, size_t size);

/* "x86_64" (or "none") for the MMAPDEMO_ARCH_* of mmapdemo_walk.arch,
 * the format of the raw entries; NULL for a number the library does not
 * know.  (Since 1.2.)
 */
const char *mmapdemo_arch_name(unsigned int arch);

/* "WB", "WC", "UC-", "UC", "WT", "WP", "unknown", or "none" for
 * MMAPDEMO_MEMTYPE_*; NULL for a number the library does not know.
 * (Since 1.1.)
 */
const char *mmapdemo_memtype_name(unsigned int memtype);

/* ------------------------------------------------------------------ */
/* PCI BAR devices, /dev/mmapdemo-<PCI address> (since 1.1)            */

/* What sysfs says about a BAR device. */
struct mmapdemo_bar {
	char pci_address[32];   /* "0000:00:02.0" */
	int bar;                /* the BAR's number */
	char caching[8];        /* "uc" or "wc" */
	uint64_t start;         /* physical range, as .../resource lists it */
	uint64_t end;           /* inclusive */
};

/*
 * Query the BAR device at @path ("/dev/mmapdemo-0000:00:02.0").  Returns
 * 0, -ENODEV if @path is not a BAR device of mmapdemo (the RAM device is
 * not), or the errno of reading sysfs.
 */
int mmapdemo_bar_query(const char *path, struct mmapdemo_bar *bar);
/*
 * The device node of the first PCI device with these IDs bound to
 * mmapdemo, into @path.  Returns 0 or -ENODEV.
 */
int mmapdemo_bar_find(unsigned int vendor, unsigned int device, char *path,
		      size_t size);

/* ------------------------------------------------------------------ */
/* DMA devices, /dev/mmapdemo-dma-<PCI address> (since 1.4)           */

/*
 * MMAPDEMO_IOC_DMA_INFO of an open DMA device: the buffer's size, the
 * device's buffer, the interrupt and the counters; dma_addr and phys only
 * for CAP_SYS_ADMIN (flags has MMAPDEMO_DMA_INFO_ADDRS), else zero.
 * Returns 0, -ENOTTY for a file that is no DMA device, -ENODEV once the
 * device is removed.
 */
int mmapdemo_dma_info(struct mmapdemo *md, struct mmapdemo_dma_info *info);
/*
 * MMAPDEMO_IOC_DMA_XFER: the device's DMA engine copies @len bytes
 * between byte @offset of the DMA buffer and byte @dev_offset of its own
 * buffer, in MMAPDEMO_DMA_TO_DEVICE or MMAPDEMO_DMA_FROM_DEVICE
 * @direction, and the call returns after the device's interrupt.  Returns
 * 0; -EINVAL for a range outside either buffer or an unknown direction;
 * -ETIMEDOUT, -EBUSY, -ENODEV as the ioctl does.
 */
int mmapdemo_dma_xfer(struct mmapdemo *md, unsigned int direction,
		      uint64_t offset, uint32_t dev_offset, uint32_t len);
/*
 * The DMA address the device uses for the byte at @offset of the file
 * (either buffer: the coherent one from 0, the page array from the info's
 * pages_offset), and its physical address, as the driver knows them
 * (MMAPDEMO_IOC_DMA_ADDR).  Returns 0; -EPERM where the kernel gave no
 * addresses (the caller lacks CAP_SYS_ADMIN); -EINVAL for an offset in
 * neither buffer; -ENOTTY, -ENODEV as the ioctl does.  Both are 0 unless
 * it returns 0.
 */
int mmapdemo_dma_addr_of(struct mmapdemo *md, uint64_t offset,
			 uint64_t *dma_addr, uint64_t *phys);
/* Is @path ("/dev/mmapdemo-dma-0000:00:03.0") named as a DMA device? */
bool mmapdemo_dma_is_device(const char *path);
/* The first DMA device's node into @path; 0 or -ENODEV. */
int mmapdemo_dma_find(char *path, size_t size);

/* ------------------------------------------------------------------ */
/* /proc/self/pagemap                                                  */

/* One 64-bit pagemap entry, decoded (Documentation/admin-guide/mm/pagemap.rst). */
struct mmapdemo_pagemap {
	uint64_t raw;
	bool present;       /* bit 63 */
	bool swapped;       /* bit 62 */
	bool file_or_shared; /* bit 61: file page or shared anonymous */
	bool exclusive;     /* bit 56: exclusively mapped */
	bool soft_dirty;    /* bit 55 */
	bool uffd_wp;       /* bit 57 */
	uint64_t pfn;       /* bits 0-54 if present; 0 without CAP_SYS_ADMIN */
};

/* Decode a raw entry; never fails. */
void mmapdemo_pagemap_decode(uint64_t raw, struct mmapdemo_pagemap *pm);
/* Read and decode the entry of @addr in the calling process. */
int mmapdemo_pagemap_read(const void *addr, struct mmapdemo_pagemap *pm);

/* ------------------------------------------------------------------ */
/* /proc/self/smaps                                                    */

#define MMAPDEMO_VMFLAGS_MAX 48

/* One VMA as /proc/PID/smaps shows it. */
struct mmapdemo_vma {
	uint64_t start;
	uint64_t end;
	char perms[5];          /* "rw-s" */
	uint64_t offset;        /* bytes into the file */
	unsigned int dev_major;
	unsigned int dev_minor;
	uint64_t inode;
	char path[256];         /* "/dev/mmapdemo", "[heap]", "" */
	/* The kB fields of smaps that tell how much is mapped. */
	uint64_t size_kb;
	uint64_t rss_kb;
	uint64_t pss_kb;
	uint64_t shared_clean_kb;
	uint64_t shared_dirty_kb;
	uint64_t private_clean_kb;
	uint64_t private_dirty_kb;
	uint64_t referenced_kb;
	uint64_t anonymous_kb;
	uint64_t anon_huge_kb;
	/* VmFlags: the two-letter codes and the kernel flags they stand for. */
	unsigned int nr_vmflags;
	char vmflags[MMAPDEMO_VMFLAGS_MAX][3];
	uint64_t vm_flags;      /* MMAPDEMO_VMF_* bits of the codes */
};

/*
 * Find the VMA that holds @addr in smaps text (as read from
 * /proc/PID/smaps) and decode it.  Returns 0, -ENOENT if no VMA holds
 * @addr, -EINVAL if the text is not smaps.
 */
int mmapdemo_smaps_parse(const char *text, uint64_t addr,
			 struct mmapdemo_vma *vma);
/* The same, from /proc/self/smaps. */
int mmapdemo_smaps_read(const void *addr, struct mmapdemo_vma *vma);

/* What a VmFlags code means ("sh" -> "shared"), or NULL if unknown. */
const char *mmapdemo_vmflag_describe(const char *code);
/* The MMAPDEMO_VMF_* bit of a VmFlags code, or 0 if it has none. */
uint64_t mmapdemo_vmflag_bit(const char *code);
/*
 * The VmFlags codes of the MMAPDEMO_VMF_* bits in @vm_flags (as in
 * mmapdemo_walk.vma_vmflags), separated by
 * spaces ("rd wr sh mr mw ms pf io de dd"), into @buf.  Bits without a
 * code are shown as hex.  Returns the length needed, like snprintf.
 */
int mmapdemo_vm_flags_format(uint64_t vm_flags, char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* The module (through libkmod)                                         */

/* The state of the module, from /sys/module/mmapdemo. */
struct mmapdemo_module_state {
	bool loaded;
	int refcount;           /* open files and live mappings hold it */
	uint64_t size;          /* the "size" parameter, bytes */
	char strategy[16];      /* the "strategy" parameter */
	char version[64];       /* srcversion, if the kernel shows it */
};

/*
 * Load the module from @path (a .ko file), or by name from the kernel's
 * module directory when @path is NULL, with @params ("size=16M
 * strategy=remap", or NULL).  Returns 0, -EEXIST if already loaded,
 * -ENOENT, -EINVAL (bad parameter: see the kernel log), -EPERM.
 */
int mmapdemo_module_load(const char *path, const char *params);
/* Unload; -EWOULDBLOCK while files or mappings of the device live. */
int mmapdemo_module_unload(void);
int mmapdemo_module_query(struct mmapdemo_module_state *state);

/* ------------------------------------------------------------------ */

/* The library's version, as in debian/changelog, e.g. "1.2.0". */
const char *mmapdemo_version(void);

#ifdef __cplusplus
}
#endif

#endif /* MMAPDEMO_H */
