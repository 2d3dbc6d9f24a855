// SPDX-License-Identifier: GPL-2.0
/*
 * MMAPDEMO_IOC_WALK: the page-table walk of one address agrees with
 * /proc/self/pagemap and with the device's own idea of its pages, hides
 * frames from the unprivileged, stops where a hole is, sees a THP as a
 * PMD leaf, decodes each level for any architecture, serves callers built
 * against older structs, allocates no page table where the kernel has
 * freed one, and finds no arm64 Contiguous bit in a device mapping (and
 * finds it where the kernel folds anonymous memory).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>

/* 6.4's, which the C library's headers of bookworm (6.1) lack. */
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define PM_PFN_MASK	((1ULL << 55) - 1)
#define PM_PRESENT	(1ULL << 63)

static int walk(int fd, const void *addr, struct mmapdemo_walk *w)
{
	memset(w, 0xa5, sizeof(*w));
	w->addr = (uintptr_t)addr;
	w->flags = 0;
	return ioctl(fd, MMAPDEMO_IOC_WALK, w);
}

/* The pagemap entry of @addr: PFN bits need CAP_SYS_ADMIN, as here. */
static uint64_t pagemap(const void *addr)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)addr / page * sizeof(e)) !=
	    (ssize_t)sizeof(e))
		e = 0;
	close(fd);
	return e;
}

FIXTURE(walk)
{
	int fd;
	long page;
};

FIXTURE_VARIANT(walk)
{
	__u32 strategy;
	bool special;	/* PTEs of VM_PFNMAP */
};

FIXTURE_VARIANT_ADD(walk, fault) { .strategy = MMAPDEMO_STRATEGY_FAULT };
FIXTURE_VARIANT_ADD(walk, remap)
{
	.strategy = MMAPDEMO_STRATEGY_REMAP,
	.special = true,
};
FIXTURE_VARIANT_ADD(walk, insert) { .strategy = MMAPDEMO_STRATEGY_INSERT };

FIXTURE_SETUP(walk)
{
	self->fd = mmapdemo_open_strategy(O_RDWR, variant->strategy);
	if (self->fd < 0)
		MMAPDEMO_SETUP_SKIP(MMAPDEMO_HINT);
	if (!(mmapdemo_info(self->fd).features & MMAPDEMO_FEATURE_WALK))
		MMAPDEMO_SETUP_SKIP("MMAPDEMO_IOC_WALK is for x86-64 and arm64 only");
	self->page = sysconf(_SC_PAGESIZE);
}

FIXTURE_TEARDOWN(walk)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The walk's PFN is pagemap's PFN and the device page the address maps. */
TEST_F(walk, device_page_down_to_the_pte)
{
	struct mmapdemo_walk w;
	uint64_t pm;
	char *m;
	int i;

	m = mmap(NULL, 4 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 2 * self->page);
	ASSERT_NE(MAP_FAILED, m);
	m[self->page + 8] = 'w';

	ASSERT_EQ(0, walk(self->fd, m + self->page + 8, &w));
	EXPECT_EQ((__u32)MMAPDEMO_WALK_MAPPED, w.result);
	EXPECT_EQ((__u32)MMAPDEMO_LEVELS, w.levels);
	for (i = 0; i < MMAPDEMO_LEVEL_PTE; i++) {
		EXPECT_NE(0U, w.entry[i].bits & MMAPDEMO_PTE_PRESENT);
		EXPECT_EQ(0U, w.entry[i].bits & MMAPDEMO_PTE_LEAF);
		EXPECT_NE(0ULL, w.entry[i].pfn);
	}
	EXPECT_EQ(MMAPDEMO_PTE_PRESENT | MMAPDEMO_PTE_LEAF | MMAPDEMO_PTE_USER |
			  MMAPDEMO_PTE_WRITE | MMAPDEMO_PTE_DIRTY,
		  w.entry[MMAPDEMO_LEVEL_PTE].bits &
			  (MMAPDEMO_PTE_PRESENT | MMAPDEMO_PTE_LEAF |
			   MMAPDEMO_PTE_USER | MMAPDEMO_PTE_WRITE |
			   MMAPDEMO_PTE_DIRTY));
	EXPECT_NE(0U, w.entry[MMAPDEMO_LEVEL_PTE].bits & MMAPDEMO_PTE_NX);
	EXPECT_EQ(variant->special ? MMAPDEMO_PTE_SPECIAL : 0U,
		  w.entry[MMAPDEMO_LEVEL_PTE].bits & MMAPDEMO_PTE_SPECIAL);

	pm = pagemap(m + self->page + 8);
	if (variant->special) {
		/* pagemap's walk skips VM_PFNMAP VMAs: it cannot see them.
		 * Compare with a fault-strategy mapping of the same page.
		 */
		int fd = mmapdemo_open_strategy(O_RDONLY, MMAPDEMO_STRATEGY_FAULT);
		char *f;

		EXPECT_EQ(0ULL, pm & PM_PRESENT);
		ASSERT_GE(fd, 0);
		f = mmap(NULL, self->page, PROT_READ, MAP_SHARED, fd,
			 3 * self->page);
		ASSERT_NE(MAP_FAILED, f);
		EXPECT_EQ('w', f[8]);
		pm = pagemap(f);
		munmap(f, self->page);
		close(fd);
	}
	ASSERT_NE(0ULL, pm & PM_PRESENT);
	EXPECT_EQ(pm & PM_PFN_MASK, w.pfn);
	EXPECT_EQ(w.pfn, w.entry[MMAPDEMO_LEVEL_PTE].pfn);
	EXPECT_EQ((w.pfn * self->page) | 8, w.phys);

	EXPECT_EQ((__u32)MMAPDEMO_VMA_MMAPDEMO, w.vma_kind);
	EXPECT_EQ(variant->strategy, w.vma_strategy);
	EXPECT_EQ((uintptr_t)m, w.vma_start);
	EXPECT_EQ((uintptr_t)m + 4 * self->page, w.vma_end);
	EXPECT_EQ(2ULL, w.vma_pgoff);
	EXPECT_EQ(3ULL, w.device_page);
	EXPECT_EQ(0U, w.reserved);
	ASSERT_EQ(0, munmap(m, 4 * self->page));
}

/* Without CAP_SYS_ADMIN every frame number is zero, as in pagemap. */
TEST_F(walk, unprivileged_caller_sees_no_frames)
{
	int status;
	pid_t pid;
	char *m;

	if (getuid() != 0)
		SKIP(return, "needs root to drop to an unprivileged user");
	m = mmap(NULL, self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	(void)*(volatile char *)m;
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct mmapdemo_walk w;
		int i, bad = 0;

		/* The open file stays usable after dropping privileges. */
		if (mmapdemo_become_nobody())
			_exit(2);
		(void)*(volatile char *)m;
		if (walk(self->fd, m, &w) || w.result != MMAPDEMO_WALK_MAPPED)
			_exit(3);
		for (i = 0; i < MMAPDEMO_LEVELS; i++) {
			bad |= w.entry[i].pfn || (w.entry[i].raw & 0x000ffffffffff000ULL);
			bad |= w.level[i].pfn || (w.level[i].raw & 0x000ffffffffff000ULL);
		}
		bad |= w.pfn || w.phys;
		/* Bits and the device page are no secret. */
		bad |= !(w.entry[MMAPDEMO_LEVEL_PTE].bits & MMAPDEMO_PTE_PRESENT);
		bad |= !(w.level[MMAPDEMO_LEVEL_PTE].flags & MMAPDEMO_ENTRY_PRESENT);
		bad |= w.device_page != 0;
		_exit(bad ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, munmap(m, self->page));
}

/*
 * A non-present entry that is not empty is a swap, migration or marker
 * entry, whose offset can hold a frame number (x86-64 keeps it inverted
 * from bit 9, below the frame bits): /proc/PID/pagemap shows none of it
 * without CAP_SYS_ADMIN, and neither does the walk.  The lab's VMs have
 * no swap, and a migration entry lives for an instant; a userfaultfd
 * write-protect marker (UFFD_FEATURE_WP_UNPOPULATED, 6.4) is such an
 * entry that stays, made here by the unprivileged child itself.
 */
TEST(unprivileged_caller_sees_nothing_of_a_non_present_entry)
{
	int fd, status;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root to drop to an unprivileged user");
	fd = mmapdemo_open_strategy(O_RDONLY, MMAPDEMO_STRATEGY_FAULT);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct uffdio_api api = {
			.api = UFFD_API,
			.features = UFFD_FEATURE_WP_UNPOPULATED,
		};
		struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_WP };
		struct uffdio_writeprotect wp = { .mode = UFFDIO_WRITEPROTECT_MODE_WP };
		long page = sysconf(_SC_PAGESIZE);
		struct mmapdemo_walk w;
		int uffd, i;
		char *m;

		if (mmapdemo_become_nobody())
			_exit(2);
		uffd = syscall(__NR_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
		if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
			_exit(10);	/* no userfaultfd, or no WP_UNPOPULATED */
		m = mmap(NULL, page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(3);
		reg.range.start = wp.range.start = (uintptr_t)m;
		reg.range.len = wp.range.len = page;
		if (ioctl(uffd, UFFDIO_REGISTER, &reg))
			_exit(11);	/* no write-protect on this architecture */
		if (ioctl(uffd, UFFDIO_WRITEPROTECT, &wp))
			_exit(4);
		if (walk(fd, m, &w) || w.levels != MMAPDEMO_LEVELS)
			_exit(5);
		/* The marker is there, and not present. */
		if (w.level[MMAPDEMO_LEVEL_PTE].flags & MMAPDEMO_ENTRY_PRESENT)
			_exit(6);
		for (i = 0; i < MMAPDEMO_LEVELS; i++)
			if (!(w.level[i].flags & MMAPDEMO_ENTRY_PRESENT) &&
			    (w.level[i].raw || w.entry[i].raw))
				_exit(1);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(fd);
	ASSERT_TRUE(WIFEXITED(status));
	if (WEXITSTATUS(status) == 10)
		SKIP(return, "userfaultfd offers an unprivileged user no UFFD_FEATURE_WP_UNPOPULATED here (6.4 and later, with CONFIG_PTE_MARKER_UFFD_WP)");
	if (WEXITSTATUS(status) == 11)
		SKIP(return, "userfaultfd has no write-protect mode on this architecture and kernel");
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("1: a non-present entry's bits reached an unprivileged caller; 5: the walk stopped early; 6: no marker");
}

/* A mapped but untouched page of the fault strategy, and an address with
 * no VMA: the walk says where it stopped.
 */
TEST_F(walk, holes_say_where_the_walk_stopped)
{
	struct mmapdemo_walk w;
	char *m;

	m = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	(void)*(volatile char *)m;
	ASSERT_EQ(0, walk(self->fd, m + self->page, &w));
	if (variant->strategy == MMAPDEMO_STRATEGY_FAULT) {
		/* The PTE table exists (page 0 is mapped); the entry is empty. */
		EXPECT_EQ((__u32)MMAPDEMO_WALK_HOLE, w.result);
		EXPECT_EQ((__u32)MMAPDEMO_LEVELS, w.levels);
		EXPECT_EQ(0ULL, w.entry[MMAPDEMO_LEVEL_PTE].raw);
		EXPECT_EQ(MMAPDEMO_NO_DEVICE_PAGE, w.device_page);
	} else {
		EXPECT_EQ((__u32)MMAPDEMO_WALK_MAPPED, w.result);
		EXPECT_EQ(1ULL, w.device_page);
	}
	EXPECT_EQ((__u32)MMAPDEMO_VMA_MMAPDEMO, w.vma_kind);
	ASSERT_EQ(0, munmap(m, 2 * self->page));

	/* Unmapped now: no VMA, and no present leaf. */
	ASSERT_EQ(0, walk(self->fd, m, &w));
	EXPECT_EQ((__u32)MMAPDEMO_WALK_HOLE, w.result);
	EXPECT_EQ((__u32)MMAPDEMO_VMA_NONE, w.vma_kind);
	EXPECT_LE(1U, w.levels);
	EXPECT_GE((__u32)MMAPDEMO_LEVELS, w.levels);
	EXPECT_EQ(0U, w.entry[w.levels - 1].bits & MMAPDEMO_PTE_LEAF);
	EXPECT_EQ(0ULL, w.pfn);
}

/* An anonymous THP is a PMD leaf: the walk ends one level early. */
TEST(thp_is_a_pmd_leaf)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t huge = 2UL << 20;
	struct mmapdemo_walk w;
	char *raw, *m;
	uint64_t pm;
	int fd;

	fd = open(MMAPDEMO_DEV, O_RDONLY);
	if (fd < 0)
		SKIP(return, MMAPDEMO_HINT);
	raw = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, raw);
	m = (char *)(((uintptr_t)raw + huge - 1) & ~(huge - 1));
	madvise(m, huge, MADV_HUGEPAGE);
	memset(m, 1, huge);

	ASSERT_EQ(0, walk(fd, m + 12345, &w));
	if (w.levels == MMAPDEMO_LEVELS)
		SKIP(munmap(raw, 2 * huge); close(fd); return,
		     "no transparent huge page was allocated (THP disabled?)");
	EXPECT_EQ((__u32)MMAPDEMO_WALK_MAPPED, w.result);
	EXPECT_EQ((__u32)MMAPDEMO_LEVEL_PMD + 1, w.levels);
	EXPECT_NE(0U, w.entry[MMAPDEMO_LEVEL_PMD].bits & MMAPDEMO_PTE_LEAF);
	EXPECT_EQ((__u32)MMAPDEMO_VMA_OTHER, w.vma_kind);
	pm = pagemap(m + 12345);
	EXPECT_EQ(pm & PM_PFN_MASK, w.pfn);
	EXPECT_EQ(w.entry[MMAPDEMO_LEVEL_PMD].pfn + 12345 / page, w.pfn);
	munmap(raw, 2 * huge);
	close(fd);
}

/*
 * The VMA's flags in mmapdemo's own numbers, and a caller built before
 * them (the struct up to device_page) still gets the rest.
 */
TEST_F(walk, vma_flags_in_mmapdemo_numbers)
{
	const size_t old_size = offsetof(struct mmapdemo_walk, vma_vmflags);
	/*
	 * A MAP_SHARED PROT_READ mapping of a file opened O_RDWR: VM_MAYWRITE
	 * stays, VM_MAYEXEC does not (the driver clears it, so that
	 * mprotect() cannot add PROT_EXEC).  Soft-dirty and x86's PAT flag
	 * (VM_ARCH_1, set by remap_pfn_range() on 6.x) are the core's.
	 */
	const __u64 core = MMAPDEMO_VMF_SOFTDIRTY | MMAPDEMO_VMF_ARCH_1;
	__u64 want = MMAPDEMO_VMF_READ | MMAPDEMO_VMF_SHARED |
		     MMAPDEMO_VMF_MAYREAD | MMAPDEMO_VMF_MAYWRITE |
		     MMAPDEMO_VMF_MAYSHARE |
		     MMAPDEMO_VMF_DONTEXPAND | MMAPDEMO_VMF_DONTDUMP;
	struct mmapdemo_walk w, old;
	char *m;

	m = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	(void)*(volatile char *)m;
	ASSERT_EQ(0, walk(self->fd, m, &w));
	if (variant->strategy == MMAPDEMO_STRATEGY_REMAP)
		want |= MMAPDEMO_VMF_IO | MMAPDEMO_VMF_PFNMAP;
	/* fault inserts pages from its handler, which needs VM_MIXEDMAP. */
	if (variant->strategy == MMAPDEMO_STRATEGY_INSERT ||
	    variant->strategy == MMAPDEMO_STRATEGY_FAULT)
		want |= MMAPDEMO_VMF_MIXEDMAP;
	EXPECT_EQ(want, w.vma_vmflags & ~core);
	EXPECT_EQ(0ULL, w.vma_vmflags & (MMAPDEMO_VMF_WRITE | MMAPDEMO_VMF_EXEC));

	memset(&old, 0xa5, sizeof(old));
	old.addr = (uintptr_t)m;
	old.flags = 0;
	ASSERT_EQ(0, ioctl(self->fd,
			   _IOWR(MMAPDEMO_IOCTL_TYPE, 0x03, char[old_size]),
			   &old));
	EXPECT_EQ(w.vma_start, old.vma_start);
	EXPECT_EQ(w.vma_flags, old.vma_flags);
	EXPECT_EQ(w.device_page, old.device_page);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, old.vma_vmflags);
	munmap(m, 2 * self->page);

	/* Shorter than the first version (which ended before memtype): EINVAL. */
	EXPECT_EQ(-1, ioctl(self->fd,
			    _IOWR(MMAPDEMO_IOCTL_TYPE, 0x03,
				  char[offsetof(struct mmapdemo_walk, memtype) - 8]),
			    &old));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * The decoded levels say what the raw x86-64 or arm64 entries say, and a caller
 * built against the second struct (up to vma_vmflags) gets exactly what
 * the newer one gets up to there.
 */
TEST_F(walk, levels_decoded_for_any_architecture)
{
	const size_t v2 = offsetof(struct mmapdemo_walk, arch);
	struct mmapdemo_walk w, old;
	const struct mmapdemo_walk_level *l;
	char *m;
	int i;

	m = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[8] = 'w';
	ASSERT_EQ(0, walk(self->fd, m + 8, &w));
	ASSERT_EQ((__u32)MMAPDEMO_WALK_MAPPED, w.result);
	ASSERT_EQ((__u32)MMAPDEMO_LEVELS, w.levels);
	EXPECT_EQ((__u32)MMAPDEMO_TEST_ARCH, w.arch);
	for (i = 0; i < MMAPDEMO_LEVELS; i++) {
		l = &w.level[i];
		EXPECT_EQ(w.entry[i].raw, l->raw);
		EXPECT_EQ(w.entry[i].pfn, l->pfn);
		EXPECT_EQ(!!(l->raw & 0x1), !!(l->flags & MMAPDEMO_ENTRY_PRESENT));
#ifdef __aarch64__
		/*
		 * A table descriptor: APTable (62:61) and UXNTable (60), no
		 * access flag; the page: AP[2] (7) or DBM (51), AP[1] (6),
		 * AF (10), UXN (54).  pte-bits.rst, "arm64 descriptors".
		 */
		if (i != MMAPDEMO_LEVEL_PTE) {
			EXPECT_EQ(!(l->raw >> 62 & 1), !!(l->flags & MMAPDEMO_ENTRY_WRITABLE));
			EXPECT_EQ(!(l->raw >> 61 & 1), !!(l->flags & MMAPDEMO_ENTRY_USER));
			EXPECT_EQ(0U, l->flags & MMAPDEMO_ENTRY_ACCESSED);
			EXPECT_EQ(!!(l->raw >> 60 & 1), !!(l->flags & MMAPDEMO_ENTRY_NOEXEC));
		} else {
			EXPECT_EQ(!(l->raw & 0x80) || (l->raw >> 51 & 1),
				  !!(l->flags & MMAPDEMO_ENTRY_WRITABLE));
			EXPECT_EQ(!!(l->raw & 0x40), !!(l->flags & MMAPDEMO_ENTRY_USER));
			EXPECT_EQ(!!(l->raw & 0x400), !!(l->flags & MMAPDEMO_ENTRY_ACCESSED));
			EXPECT_EQ(!!(l->raw >> 54 & 1), !!(l->flags & MMAPDEMO_ENTRY_NOEXEC));
		}
#else
		EXPECT_EQ(!!(l->raw & 0x2), !!(l->flags & MMAPDEMO_ENTRY_WRITABLE));
		EXPECT_EQ(!!(l->raw & 0x4), !!(l->flags & MMAPDEMO_ENTRY_USER));
		EXPECT_EQ(!!(l->raw & 0x20), !!(l->flags & MMAPDEMO_ENTRY_ACCESSED));
		EXPECT_EQ(!!(l->raw >> 63), !!(l->flags & MMAPDEMO_ENTRY_NOEXEC));
#endif
		EXPECT_EQ(0U, l->reserved);
		if (i == MMAPDEMO_LEVEL_PTE)
			break;
		EXPECT_EQ(0U, l->flags & (MMAPDEMO_ENTRY_LEAF |
					  MMAPDEMO_ENTRY_HUGE |
					  MMAPDEMO_ENTRY_DIRTY |
					  MMAPDEMO_ENTRY_SPECIAL));
		EXPECT_EQ((__u32)MMAPDEMO_MEMTYPE_NONE, l->memtype);
	}
	EXPECT_EQ(21U, w.level[MMAPDEMO_LEVEL_PMD].shift);
	EXPECT_EQ(30U, w.level[MMAPDEMO_LEVEL_PUD].shift);
	l = &w.level[MMAPDEMO_LEVEL_PTE];
	EXPECT_EQ(12U, l->shift);
	EXPECT_EQ(MMAPDEMO_ENTRY_PRESENT | MMAPDEMO_ENTRY_WRITABLE |
			  MMAPDEMO_ENTRY_USER | MMAPDEMO_ENTRY_ACCESSED |
			  MMAPDEMO_ENTRY_DIRTY | MMAPDEMO_ENTRY_NOEXEC |
			  MMAPDEMO_ENTRY_LEAF |
			  (variant->special ? MMAPDEMO_ENTRY_SPECIAL : 0),
		  l->flags);
	EXPECT_EQ(w.memtype, l->memtype);
	/* RAM: write-back, whichever strategy maps it. */
	EXPECT_EQ((__u32)MMAPDEMO_MEMTYPE_WB, l->memtype);
	/* A VM_PFNMAP leaf is read under its lock; page-backed ones are not. */
	EXPECT_EQ(variant->special ? MMAPDEMO_WALK_LEAF_LOCKED : 0U,
		  w.result_flags);

	memset(&old, 0xa5, sizeof(old));
	old.addr = (uintptr_t)(m + 8);
	old.flags = 0;
	ASSERT_EQ(0, ioctl(self->fd, _IOWR(MMAPDEMO_IOCTL_TYPE, 0x03, char[v2]),
			   &old));
	EXPECT_EQ(0, memcmp(&w, &old, v2));
	EXPECT_EQ(0xa5a5a5a5U, old.arch);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, old.level[0].raw);
	ASSERT_EQ(0, munmap(m, 2 * self->page));
}

/* VmPTE of /proc/self/status, in kB, read without allocating memory. */
static long vm_pte_kb(void)
{
	static char buf[4096];
	ssize_t n;
	char *p;
	int fd;

	fd = open("/proc/self/status", O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strstr(buf, "\nVmPTE:");
	return p ? strtol(p + 8, NULL, 10) : -1;
}

#define PMD_BYTES (2UL << 20)

/* A PMD-aligned 2 MiB of the device (@fd >= 0) or of anonymous memory. */
static char *map_one_pmd(int fd, void **reserve)
{
	char *r, *m;

	r = mmap(NULL, 2 * PMD_BYTES, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return NULL;
	*reserve = r;
	m = (char *)(((uintptr_t)r + PMD_BYTES - 1) & ~(PMD_BYTES - 1));
	if (fd >= 0)
		m = mmap(m, PMD_BYTES, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, 0);
	else
		m = mmap(m, PMD_BYTES, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	/*
	 * An anonymous THP would be a PMD leaf, with no PTE table; a kernel
	 * without THP (6.12-rt) refuses the advice with EINVAL, and has none.
	 */
	if (fd < 0 && madvise(m, PMD_BYTES, MADV_NOHUGEPAGE) && errno != EINVAL)
		return NULL;
	return m;
}

/*
 * Whether MADV_DONTNEED of the whole PMD frees its empty PTE table here
 * (7.x's CONFIG_PT_RECLAIM, mm/memory.c: zap_pte_range()), as VmPTE
 * shows; @m is touched, so the table exists, and zapped again.
 */
static bool dontneed_frees_the_table(char *m)
{
	long before, after;

	m[0] = 1;
	before = vm_pte_kb();
	if (madvise(m, PMD_BYTES, MADV_DONTNEED))
		return false;
	after = vm_pte_kb();
	return before > 0 && after >= 0 && after < before;
}

/*
 * The walk of an address whose PTE table MADV_DONTNEED freed: it stops at
 * the PMD, and VmPTE says it allocated no table, where touching the page
 * again does.
 */
static void walk_of_a_freed_table(struct __test_metadata *_metadata, int fd,
				  int walk_fd)
{
	struct mmapdemo_walk w;
	void *reserve = NULL;
	long freed, after;
	char *m;

	m = map_one_pmd(fd, &reserve);
	ASSERT_NE(NULL, m);
	if (!dontneed_frees_the_table(m))
		SKIP(munmap(reserve, 2 * PMD_BYTES); return,
		     "MADV_DONTNEED frees no PTE table on this kernel "
		     "(no CONFIG_PT_RECLAIM)");
	freed = vm_pte_kb();
	ASSERT_EQ(0, walk(walk_fd, m, &w));
	EXPECT_EQ((__u32)MMAPDEMO_WALK_HOLE, w.result);
	EXPECT_EQ((__u32)MMAPDEMO_LEVEL_PMD + 1, w.levels);
	ASSERT_EQ(0, walk(walk_fd, m + PMD_BYTES - 1, &w));
	EXPECT_EQ((__u32)MMAPDEMO_LEVEL_PMD + 1, w.levels);
	after = vm_pte_kb();
	EXPECT_EQ(freed, after);
	/* The measure sees a table: a touch allocates one. */
	m[0] = 1;
	EXPECT_LT(after, vm_pte_kb());
	munmap(reserve, 2 * PMD_BYTES);
}

TEST_F(walk, freed_table_stays_freed)
{
	if (variant->special)
		SKIP(return, "MADV_DONTNEED refuses VM_PFNMAP mappings");
	if (mmapdemo_info(self->fd).size < PMD_BYTES)
		SKIP(return, "the device is smaller than 2 MiB");
	walk_of_a_freed_table(_metadata, self->fd, self->fd);
}

TEST(anonymous_freed_table_stays_freed)
{
	int fd = open(MMAPDEMO_DEV, O_RDONLY);

	if (fd < 0)
		SKIP(return, MMAPDEMO_HINT);
	walk_of_a_freed_table(_metadata, -1, fd);
	close(fd);
}

/*
 * arm64's Contiguous bit (52 of a page descriptor) says that the entry is
 * one of 16 adjacent PTEs that map 64 KiB of contiguous memory alike, so
 * that the TLB may cache them as one.  The kernel sets it only where it
 * folds the 16 entries of one large folio, and never on a special entry,
 * which has no folio (contpte_try_fold(), Documentation/pte-bits.rst).
 */
#define CONT_PTES	16
#define PTE_CONT(raw)	((raw) >> 52 & 1)

/*
 * The number of PTEs of @m (@pages of them, each first touched by a
 * write) with the Contiguous bit, or -1 if one was not mapped.
 */
static int contiguous_ptes(struct __test_metadata *_metadata, int fd,
			   char *m, int pages, long page)
{
	struct mmapdemo_walk w;
	int i, cont = 0;

	memset(m, 'c', (size_t)pages * page);
	for (i = 0; i < pages; i++) {
		EXPECT_EQ(0, walk(fd, m + (size_t)i * page, &w));
		if (w.result != MMAPDEMO_WALK_MAPPED ||
		    w.levels != MMAPDEMO_LEVELS)
			return -1;
		cont += PTE_CONT(w.level[MMAPDEMO_LEVEL_PTE].raw);
	}
	return cont;
}

/* A mapping of @len at an address aligned to @align, or MAP_FAILED. */
static char *map_aligned(size_t len, size_t align, int fd, int flags,
			 char **reserve)
{
	char *r, *m;

	*reserve = mmap(NULL, len + align, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*reserve == MAP_FAILED)
		return MAP_FAILED;
	r = (char *)(((uintptr_t)*reserve + align - 1) & ~(align - 1));
	m = mmap(r, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd, 0);
	if (m == MAP_FAILED)
		munmap(*reserve, len + align);
	return m;
}

/*
 * No PTE of a device mapping has the Contiguous bit, whatever the
 * strategy: remap's entries are special, and the fault and insert
 * strategies map order-0 pages.  The mapping starts 64 KiB aligned, at
 * offset 0, so that a fold would have its chance.
 */
TEST_F(walk, no_contiguous_bit_in_a_device_mapping)
{
	size_t len = 2 * CONT_PTES * self->page;
	char *reserve, *m;

	if (MMAPDEMO_TEST_ARCH != MMAPDEMO_ARCH_ARM64)
		SKIP(return, "x86-64's entries have no Contiguous bit");
	m = map_aligned(len, CONT_PTES * self->page, self->fd, MAP_SHARED,
			&reserve);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(0, contiguous_ptes(_metadata, self->fd, m,
				     2 * CONT_PTES, self->page));
	munmap(reserve, len + CONT_PTES * self->page);
}

/*
 * The walk shows the bit where the kernel sets it: anonymous memory in
 * 64 KiB folios (mTHP, hugepages-64kB set to "always" for the test) is
 * folded, 16 PTEs at a time.  This is what makes the test above able to
 * fail.
 */
TEST(anonymous_64k_folio_has_the_contiguous_bit)
{
	static const char knob[] =
		"/sys/kernel/mm/transparent_hugepage/hugepages-64kB/enabled";
	static const char allocs[] =
		"/sys/kernel/mm/transparent_hugepage/hugepages-64kB/stats/anon_fault_alloc";
	long page = sysconf(_SC_PAGESIZE), before, after;
	size_t len = CONT_PTES * page;
	char was[64] = "", *reserve, *m, *sel;
	int fd, cont;
	FILE *f;

	if (MMAPDEMO_TEST_ARCH != MMAPDEMO_ARCH_ARM64)
		SKIP(return, "x86-64's entries have no Contiguous bit");
	fd = open(MMAPDEMO_DEV, O_RDONLY);
	if (fd < 0)
		SKIP(return, MMAPDEMO_HINT);
	f = fopen(knob, "r");
	if (!f || !fgets(was, sizeof(was), f)) {
		if (f)
			fclose(f);
		close(fd);
		SKIP(return, "this kernel has no 64 KiB anonymous folios (%s)",
		     knob);
	}
	fclose(f);
	/* "always [inherit] madvise never": the word in brackets. */
	sel = strchr(was, '[');
	ASSERT_NE(NULL, sel);
	*strchrnul(sel, ']') = '\0';
	sel++;
	ASSERT_EQ(0, mmapdemo_write_file(knob, "always"));

	/* The faults' count of 64 KiB folios, where the kernel keeps it. */
	before = mmapdemo_read_long(allocs, 10);
	m = map_aligned(len, len, -1, MAP_PRIVATE | MAP_ANONYMOUS, &reserve);
	cont = m == MAP_FAILED ? -2 : contiguous_ptes(_metadata, fd, m,
						      CONT_PTES, page);
	after = mmapdemo_read_long(allocs, 10);
	EXPECT_EQ(0, mmapdemo_write_file(knob, sel));
	ASSERT_NE(-2, cont);
	munmap(reserve, 2 * len);
	close(fd);
	if (before >= 0 && after == before)
		SKIP(return, "the fault allocated no 64 KiB folio (%s did not move)",
		     allocs);
	EXPECT_EQ(CONT_PTES, cont);
}

/* The other side of the race below: MADV_DONTNEED on each signal. */
struct dontneed_thread {
	char *m;
	atomic_int go, done;
	int err;
};

static void *dontneed_loop(void *arg)
{
	struct dontneed_thread *t = arg;
	int round = 0;

	for (;;) {
		while (atomic_load(&t->go) == round)
			;
		round = atomic_load(&t->go);
		if (round < 0)
			return NULL;
		if (madvise(t->m, PMD_BYTES, MADV_DONTNEED))
			t->err = errno;
		atomic_store(&t->done, round);
	}
}

#define RACE_ROUNDS 500

/*
 * The walk racing the MADV_DONTNEED that frees the PTE table under it.
 * Each round the table exists (a touch), another thread zaps and frees it
 * while this one walks the address, and afterwards VmPTE must be one
 * table lower than before the zap: a walker that fills in a missing table
 * (as apply_to_page_range() does) leaves one behind whenever the free
 * lands between its lockless read and its locked one.  The walk starts
 * after a delay that changes each round, to sweep the two against each
 * other.  Round 0 does not walk: it measures what one table adds.
 */
TEST_F_TIMEOUT(walk, racing_reclaim_allocates_nothing, 900)
{
	struct dontneed_thread t = { 0 };
	long with_table, table = 0;
	struct mmapdemo_walk w;
	void *reserve = NULL;
	pthread_t thread;
	int round, left = 0;

	if (variant->special)
		SKIP(return, "MADV_DONTNEED refuses VM_PFNMAP mappings");
	if (mmapdemo_info(self->fd).size < PMD_BYTES)
		SKIP(return, "the device is smaller than 2 MiB");
	t.m = map_one_pmd(self->fd, &reserve);
	ASSERT_NE(NULL, t.m);
	if (!dontneed_frees_the_table(t.m))
		SKIP(munmap(reserve, 2 * PMD_BYTES); return,
		     "MADV_DONTNEED frees no PTE table on this kernel "
		     "(no CONFIG_PT_RECLAIM)");
	ASSERT_EQ(0, pthread_create(&thread, NULL, dontneed_loop, &t));
	for (round = 1; round <= RACE_ROUNDS + 1; round++) {
		volatile int spin;
		long after;

		t.m[0] = 1;
		with_table = vm_pte_kb();
		atomic_store(&t.go, round);
		for (spin = 0; spin < (round % 64) * 16; spin++)
			;
		if (round > 1 && walk(self->fd, t.m, &w))
			break;
		while (atomic_load(&t.done) != round)
			;
		after = vm_pte_kb();
		if (round == 1) {
			table = with_table - after;
			if (table <= 0)
				break;
		} else if (after != with_table - table) {
			left++;
		}
	}
	atomic_store(&t.go, -1);
	pthread_join(thread, NULL);
	EXPECT_EQ(RACE_ROUNDS + 2, round);
	EXPECT_LT(0, table);
	EXPECT_EQ(0, t.err);
	EXPECT_EQ(0, left)
		TH_LOG("a PTE table was left behind by the walk in %d of %d rounds",
		       left, RACE_ROUNDS);
	munmap(reserve, 2 * PMD_BYTES);
}

TEST_F(walk, bad_requests)
{
	struct mmapdemo_walk w;

	memset(&w, 0, sizeof(w));
	w.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_WALK, &w));
	EXPECT_EQ(EINVAL, errno);
	memset(&w, 0, sizeof(w));
	w.addr = 0xffffffff81000000ULL;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_WALK, &w));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_WALK, NULL));
	EXPECT_EQ(EFAULT, errno);
}

MMAPDEMO_HARNESS_MAIN
