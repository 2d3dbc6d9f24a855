// SPDX-License-Identifier: GPL-2.0
/*
 * MMAPDEMO_IOC_WALK: the page-table walk of one address agrees with
 * /proc/self/pagemap and with the device's own idea of its pages, hides
 * frames from the unprivileged, stops where a hole is, and sees a THP as a
 * PMD leaf.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

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
		SKIP(return, MMAPDEMO_HINT);
	if (!(mmapdemo_info(self->fd).features & MMAPDEMO_FEATURE_WALK))
		SKIP(return, "MMAPDEMO_IOC_WALK is for x86-64 only");
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
		for (i = 0; i < MMAPDEMO_LEVELS; i++)
			bad |= w.entry[i].pfn || (w.entry[i].raw & 0x000ffffffffff000ULL);
		bad |= w.pfn || w.phys;
		/* Bits and the device page are no secret. */
		bad |= !(w.entry[MMAPDEMO_LEVEL_PTE].bits & MMAPDEMO_PTE_PRESENT);
		bad |= w.device_page != 0;
		_exit(bad ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, munmap(m, self->page));
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
	 * and VM_MAYEXEC stay (the driver refuses PROT_EXEC in ->mprotect,
	 * not by clearing VM_MAYEXEC).  Soft-dirty and x86's PAT flag
	 * (VM_ARCH_1, set by remap_pfn_range() on 6.x) are the core's.
	 */
	const __u64 core = MMAPDEMO_VMF_SOFTDIRTY | MMAPDEMO_VMF_ARCH_1;
	__u64 want = MMAPDEMO_VMF_READ | MMAPDEMO_VMF_SHARED |
		     MMAPDEMO_VMF_MAYREAD | MMAPDEMO_VMF_MAYWRITE |
		     MMAPDEMO_VMF_MAYEXEC | MMAPDEMO_VMF_MAYSHARE |
		     MMAPDEMO_VMF_DONTEXPAND | MMAPDEMO_VMF_DONTDUMP;
	struct mmapdemo_walk w, old;
	char *m;

	m = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	(void)*(volatile char *)m;
	ASSERT_EQ(0, walk(self->fd, m, &w));
	if (variant->strategy == MMAPDEMO_STRATEGY_REMAP)
		want |= MMAPDEMO_VMF_IO | MMAPDEMO_VMF_PFNMAP;
	if (variant->strategy == MMAPDEMO_STRATEGY_INSERT)
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
