// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/self/pagemap: one 64-bit entry per virtual page, as described in
 * the kernel's Documentation/admin-guide/mm/pagemap.rst.  Without
 * CAP_SYS_ADMIN the kernel zeroes the PFN field; VM_PFNMAP mappings (the
 * remap strategy) show as not present, because pagemap_pte_range() reports
 * only pages it can find through vm_normal_page().
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "mmapdemo.h"

#define PM_PFN_MASK ((1ULL << 55) - 1)
#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_MMAP_EXCLUSIVE (1ULL << 56)
#define PM_UFFD_WP (1ULL << 57)
#define PM_FILE (1ULL << 61)
#define PM_SWAP (1ULL << 62)
#define PM_PRESENT (1ULL << 63)

void mmapdemo_pagemap_decode(uint64_t raw, struct mmapdemo_pagemap *pm)
{
	memset(pm, 0, sizeof(*pm));
	pm->raw = raw;
	pm->present = raw & PM_PRESENT;
	pm->swapped = raw & PM_SWAP;
	pm->file_or_shared = raw & PM_FILE;
	pm->exclusive = raw & PM_MMAP_EXCLUSIVE;
	pm->soft_dirty = raw & PM_SOFT_DIRTY;
	pm->uffd_wp = raw & PM_UFFD_WP;
	/* A swapped entry holds the swap type and offset there, not a PFN. */
	if (pm->present)
		pm->pfn = raw & PM_PFN_MASK;
}

int mmapdemo_pagemap_read(const void *addr, struct mmapdemo_pagemap *pm)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t raw;
	ssize_t n;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, &raw, sizeof(raw),
		  (off_t)((uintptr_t)addr / (uintptr_t)page * sizeof(raw)));
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	if (n != sizeof(raw))
		return -EIO;
	mmapdemo_pagemap_decode(raw, pm);
	return 0;
}
