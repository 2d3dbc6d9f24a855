// SPDX-License-Identifier: GPL-2.0
/*
 * The huge strategy on a large ivshmem BAR (Documentation/huge.rst): PMD
 * and PUD entries where the kernel has huge PFN-map entries (6.12 and
 * later), 4 KiB entries where it has not (6.1), and on every kernel:
 *  - aligned placement, and the plain placement when there is no room;
 *  - what splits an entry (munmap, mprotect, mremap of part of it) leaves
 *    the rest working, fork shares it, MADV_DONTNEED is refused
 *    (VM_PFNMAP), ->access reaches it, MAP_PRIVATE is refused;
 *  - revocation zaps huge entries.
 * Needs root and an ivshmem-plain BAR of at least 64 MiB (scripts/vm.sh -d
 * ivshmem=FILE,size=1G; scripts/check.sh attaches one).
 */
#include <stdio.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define SZ_2M (2UL << 20)
#define SZ_64M (64UL << 20)
#define SZ_1G (1UL << 30)
#define PAGE 4096UL

static char huge_path[64], huge_bdf[24];
static unsigned long huge_size;

/* The ivshmem BAR device with the largest BAR, if it has 64 MiB. */
static const char *need_huge_bar(void)
{
	const char *drv = "/sys/bus/pci/drivers/mmapdemo";
	char sys[128], name[24], buf[32];
	unsigned long size;
	int i, fd;
	ssize_t n;

	if (getuid() != 0)
		return "needs root (PCI remove and rescan)";
	huge_size = 0;
	for (i = 0; i < 32; i++) {
		snprintf(name, sizeof(name), "0000:00:%02x.0", i);
		snprintf(sys, sizeof(sys), "%s/%s/vendor", drv, name);
		if (mmapdemo_read_hex(sys) != MMAPDEMO_IVSHMEM_VENDOR)
			continue;
		snprintf(sys, sizeof(sys), "%s/%s/device", drv, name);
		if (mmapdemo_read_hex(sys) != MMAPDEMO_IVSHMEM_DEVICE)
			continue;
		snprintf(sys, sizeof(sys), "/sys/class/misc/mmapdemo-%s/size",
			 name);
		fd = open(sys, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		size = strtoul(buf, NULL, 0);
		if (size > huge_size) {
			huge_size = size;
			snprintf(huge_bdf, sizeof(huge_bdf), "%s", name);
			snprintf(huge_path, sizeof(huge_path),
				 "/dev/mmapdemo-%s", name);
		}
	}
	if (huge_size < SZ_64M)
		return "no ivshmem-plain BAR of 64 MiB or more bound to "
		       "mmapdemo: boot with scripts/vm.sh -d "
		       "ivshmem=FILE,size=1G";
	mmapdemo_dev = huge_path;
	return NULL;
}

/*
 * Whether this kernel should map huge PFN-map entries: 6.12 added them
 * (CONFIG_ARCH_SUPPORTS_PMD_PFNMAP).  The module says so in its features;
 * the test checks that it says what Documentation/huge.rst claims.
 */
static bool kernel_has_huge_pfnmap(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	if (major < 6 || (major == 6 && minor < 12))
		return false;
	/*
	 * ARCH_SUPPORTS_HUGE_PFNMAP depends on TRANSPARENT_HUGEPAGE (6.12
	 * mm/Kconfig), which PREEMPT_RT kernels such as 6.12-rt lack; only
	 * a kernel with THP has this sysfs directory.
	 */
	return access("/sys/kernel/mm/transparent_hugepage", F_OK) == 0;
}

/*
 * The level of the leaf that maps @addr, or -1 if none; -2 if the decoded
 * level disagrees with it (the leaf flags, the huge flag, the size) or the
 * leaf of this VM_PFNMAP mapping was not read under its lock.
 */
static int leaf_level(int fd, const void *addr)
{
	static const unsigned int shift[MMAPDEMO_LEVELS] = {
		[MMAPDEMO_LEVEL_PUD] = 30, [MMAPDEMO_LEVEL_PMD] = 21,
		[MMAPDEMO_LEVEL_PTE] = 12,
	};
	struct mmapdemo_walk w = mmapdemo_walk_at(fd, addr);
	const struct mmapdemo_walk_level *l;
	int level = (int)w.levels - 1;
	__u32 huge;

	if (w.result != MMAPDEMO_WALK_MAPPED || !w.levels ||
	    !(w.entry[level].bits & MMAPDEMO_PTE_LEAF))
		return -1;
	l = &w.level[level];
	huge = level < MMAPDEMO_LEVEL_PTE ? MMAPDEMO_ENTRY_HUGE : 0;
	if ((l->flags & (MMAPDEMO_ENTRY_LEAF | MMAPDEMO_ENTRY_HUGE)) !=
		    (MMAPDEMO_ENTRY_LEAF | huge) ||
	    l->shift != shift[level] ||
	    !(w.result_flags & MMAPDEMO_WALK_LEAF_LOCKED))
		return -2;
	return level;
}

/* A write to every page: the first touch of the whole range. */
static void touch(char *m, unsigned long len, unsigned int seed)
{
	unsigned long off;

	for (off = 0; off < len; off += PAGE)
		m[off] = mmapdemo_pattern(seed, off);
}

/* The first page of @m whose first byte is not what touch() wrote, or -1. */
static long check(const char *m, unsigned long len, unsigned int seed,
		  unsigned long base)
{
	unsigned long off;

	for (off = 0; off < len; off += PAGE)
		if (m[off] != mmapdemo_pattern(seed, base + off))
			return (long)off;
	return -1;
}

FIXTURE(huge)
{
	int fd;
	bool pmd, pud;
	struct mmapdemo_stats before;
};

FIXTURE_SETUP(huge)
{
	const char *why = need_huge_bar();
	struct mmapdemo_info info;

	self->fd = -1;
	if (why)
		MMAPDEMO_SETUP_SKIP("%s", why);
	self->fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_HUGE);
	ASSERT_LE(0, self->fd);
	info = mmapdemo_info(self->fd);
	ASSERT_NE(0U, info.features & MMAPDEMO_FEATURE_HUGE);
	self->pmd = info.features & MMAPDEMO_FEATURE_HUGE_PMD;
	self->pud = info.features & MMAPDEMO_FEATURE_HUGE_PUD;
	/* What Documentation/huge.rst says of each kernel. */
	ASSERT_EQ(kernel_has_huge_pfnmap(), self->pmd);
	/*
	 * PUD entries of a PFN map only where the architecture has PUD THP
	 * (ARCH_SUPPORTS_PUD_PFNMAP needs HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD,
	 * mm/Kconfig): x86-64 selects it, arm64 does not.
	 */
#ifdef __x86_64__
	ASSERT_EQ(self->pmd && huge_size >= SZ_1G, self->pud);
#else
	ASSERT_FALSE(self->pud);
#endif
	self->before = mmapdemo_stats(self->fd);
}

FIXTURE_TEARDOWN(huge)
{
	if (self->fd >= 0) {
		EXPECT_EQ(self->before.live_vmas,
			  mmapdemo_stats(self->fd).live_vmas);
		close(self->fd);
	}
}

static char *map(int fd, unsigned long len, unsigned long off)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
}

/*
 * A BAR of 1 GiB has no deferred I/O: its shadow would be 1 GiB of RAM,
 * past the limit of 256 MiB, and the limit keeps every BAR with deferred
 * I/O too small for the huge strategy's PUD entries, which the 7.x flush
 * could not walk (kmod/strategy_defio.c, defio_usable()).
 */
TEST_F(huge, no_defio_on_a_bar_of_1g)
{
	struct mmapdemo_set_strategy req = {
		.strategy = MMAPDEMO_STRATEGY_DEFIO
	};
	int fd;

	if (huge_size < SZ_1G)
		SKIP(return, "the BAR has %lu MiB, less than 1 GiB",
		     huge_size >> 20);
	EXPECT_EQ(0U, mmapdemo_info(self->fd).features &
			      MMAPDEMO_FEATURE_DEFIO);
	fd = open(huge_path, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* The RAM device has no huge strategy; the feature says so. */
TEST(huge_is_refused_on_ram)
{
	struct mmapdemo_set_strategy req = {
		.strategy = MMAPDEMO_STRATEGY_HUGE
	};
	int fd = open(MMAPDEMO_DEV, O_RDWR);

	if (fd < 0)
		SKIP(return, MMAPDEMO_HINT);
	EXPECT_EQ(-1, ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0U, mmapdemo_info(fd).features & MMAPDEMO_FEATURE_HUGE);
	close(fd);
}

/*
 * 64 MiB touched page by page: 32 PMD faults where the kernel has huge
 * PFN-map entries, else one fault per page; the data is the BAR's.
 */
TEST_F(huge, touch_64m_counts_faults)
{
	struct mmapdemo_stats st;
	char *m, c;

	m = map(self->fd, SZ_64M, 0);
	ASSERT_NE(MAP_FAILED, m);
	if (self->pmd)
		EXPECT_EQ(0UL, (uintptr_t)m % SZ_2M);
	touch(m, SZ_64M, 3);
	st = mmapdemo_stats(self->fd);
	if (self->pmd) {
		EXPECT_EQ(32ULL, st.pmd_faults - self->before.pmd_faults);
		EXPECT_EQ(32ULL, st.faults - self->before.faults);
		EXPECT_EQ(MMAPDEMO_LEVEL_PMD, leaf_level(self->fd, m));
		EXPECT_EQ(MMAPDEMO_LEVEL_PMD,
			  leaf_level(self->fd, m + SZ_64M - PAGE));
	} else {
		EXPECT_EQ(SZ_64M / PAGE, st.faults - self->before.faults);
		EXPECT_EQ(0ULL, st.pmd_faults - self->before.pmd_faults);
		EXPECT_EQ(MMAPDEMO_LEVEL_PTE, leaf_level(self->fd, m));
	}
	EXPECT_EQ(0ULL, st.fault_sigbus - self->before.fault_sigbus);
	EXPECT_EQ(-1, check(m, SZ_64M, 3, 0));
	ASSERT_EQ(0, munmap(m, SZ_64M));
	/* What the mapping wrote is in the BAR: read() sees it. */
	ASSERT_EQ(1, pread(self->fd, &c, 1, SZ_2M + PAGE));
	EXPECT_EQ(mmapdemo_pattern(3, SZ_2M + PAGE), c);
}

/* 1 GiB, where the BAR has it and the kernel maps PUDs: one fault. */
TEST_F(huge, touch_1g_is_one_pud_fault)
{
	struct mmapdemo_stats st;
	unsigned long off;
	char *m;
	const char *why = "the kernel has no huge PFN-map entries";

	if (self->pmd)
#ifdef __x86_64__
		why = "the BAR is smaller than 1 GiB";
#else
		why = "no PUD PFN maps here: arm64 lacks HAVE_ARCH_TRANSPARENT_HUGEPAGE_PUD";
#endif
	if (!self->pud)
		SKIP(return, "no PUD entries: %s", why);
	m = map(self->fd, SZ_1G, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(0UL, (uintptr_t)m % SZ_1G);
	for (off = 0; off < SZ_1G; off += SZ_2M)
		m[off] = mmapdemo_pattern(4, off);
	st = mmapdemo_stats(self->fd);
	EXPECT_EQ(1ULL, st.pud_faults - self->before.pud_faults);
	EXPECT_EQ(1ULL, st.faults - self->before.faults);
	EXPECT_EQ(MMAPDEMO_LEVEL_PUD, leaf_level(self->fd, m + SZ_1G - 1));
	for (off = 0; off < SZ_1G; off += SZ_2M)
		ASSERT_EQ(mmapdemo_pattern(4, off), m[off]);
	ASSERT_EQ(0, munmap(m, SZ_1G));
}

/*
 * An offset into the BAR that is not 2 MiB aligned: the address follows
 * it, so the 2 MiB blocks inside are still PMD entries, and the partial
 * blocks at both ends fall back to 4 KiB.
 */
TEST_F(huge, placement_follows_the_offset)
{
	unsigned long off = SZ_2M + 5 * PAGE, len = 3 * SZ_2M;
	struct mmapdemo_stats st;
	unsigned long first;
	char *m;

	m = map(self->fd, len, off);
	ASSERT_NE(MAP_FAILED, m);
	if (!self->pmd) {
		ASSERT_EQ(0, munmap(m, len));
		SKIP(return, "no huge PFN-map entries: placement is the mm's");
	}
	EXPECT_EQ(off % SZ_2M, (uintptr_t)m % SZ_2M);
	touch(m, len, 5);
	st = mmapdemo_stats(self->fd);
	/* Two whole blocks; the rest is (2 MiB - 5 pages) + 5 pages. */
	EXPECT_EQ(2ULL, st.pmd_faults - self->before.pmd_faults);
	EXPECT_EQ(2ULL + SZ_2M / PAGE, st.faults - self->before.faults);
	EXPECT_LT(0ULL, st.huge_fallbacks - self->before.huge_fallbacks);
	first = SZ_2M - off % SZ_2M;
	EXPECT_EQ(MMAPDEMO_LEVEL_PTE, leaf_level(self->fd, m));
	EXPECT_EQ(MMAPDEMO_LEVEL_PMD, leaf_level(self->fd, m + first));
	EXPECT_EQ(-1, check(m, len, 5, 0));
	ASSERT_EQ(0, munmap(m, len));
}

/*
 * No room for the padded length: the plain placement, which leaves the
 * mapping unaligned; faults fall back to 4 KiB and the data is right.
 * The address space is filled with PROT_NONE reservations, in a child,
 * but for one 64 MiB hole 1 MiB off a 2 MiB boundary.
 */
TEST_F(huge, no_room_gives_the_plain_placement)
{
	unsigned long size, hole = 0;
	struct mmapdemo_stats st;
	int status;
	pid_t pid;
	char *m;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		for (size = 1UL << 46; size >= SZ_64M; size >>= 1) {
			while ((m = mmap(NULL, size, PROT_NONE,
					 MAP_PRIVATE | MAP_ANONYMOUS |
						 MAP_NORESERVE,
					 -1, 0)) != MAP_FAILED) {
				if (!hole && size >= 2 * SZ_64M)
					hole = ((uintptr_t)m + SZ_2M) /
						       SZ_2M * SZ_2M +
					       SZ_2M / 2;
			}
		}
		if (!hole || munmap((void *)hole, SZ_64M))
			_exit(10);
		m = map(self->fd, SZ_64M, 0);
		if (m == MAP_FAILED)
			_exit(11);
		if ((uintptr_t)m != hole)
			_exit(12);
		touch(m, SZ_64M, 6);
		if (check(m, SZ_64M, 6, 0) != -1)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	st = mmapdemo_stats(self->fd);
	EXPECT_EQ(0ULL, st.pmd_faults - self->before.pmd_faults);
	EXPECT_EQ(SZ_64M / PAGE, st.faults - self->before.faults);
	if (self->pmd)
		EXPECT_LT(0ULL, st.huge_fallbacks - self->before.huge_fallbacks);
}

/*
 * munmap, mprotect and mremap of one page inside a PMD entry split it:
 * the rest of the block keeps its data and stays writable, and refaults
 * with 4 KiB entries; the other block keeps its PMD.
 */
TEST_F(huge, partial_munmap_mprotect_mremap_split)
{
	unsigned long len = 4 * SZ_2M;
	char *m, *moved, *resv, *dest;

	m = map(self->fd, len, 0);
	ASSERT_NE(MAP_FAILED, m);
	touch(m, len, 7);
	if (self->pmd)
		ASSERT_EQ(MMAPDEMO_LEVEL_PMD, leaf_level(self->fd, m));

	/* munmap one page in block 0. */
	ASSERT_EQ(0, munmap(m + 5 * PAGE, PAGE));
	EXPECT_EQ(SIGSEGV, mmapdemo_probe_write(m + 5 * PAGE, 1));
	EXPECT_EQ(-1, check(m, 5 * PAGE, 7, 0));
	EXPECT_EQ(-1, check(m + 6 * PAGE, SZ_2M - 6 * PAGE, 7, 6 * PAGE));
	m[6 * PAGE] = mmapdemo_pattern(7, 6 * PAGE);
	EXPECT_EQ(MMAPDEMO_LEVEL_PTE, leaf_level(self->fd, m + 6 * PAGE));
	if (self->pmd)
		EXPECT_EQ(MMAPDEMO_LEVEL_PMD, leaf_level(self->fd, m + SZ_2M));

	/* mprotect one page of block 1 read-only. */
	ASSERT_EQ(0, mprotect(m + SZ_2M + PAGE, PAGE, PROT_READ));
	EXPECT_EQ(SIGSEGV, mmapdemo_probe_write(m + SZ_2M + PAGE, 1));
	EXPECT_EQ(-1, check(m + SZ_2M, SZ_2M, 7, SZ_2M));
	EXPECT_EQ(0, mmapdemo_probe_write(m + SZ_2M + 2 * PAGE,
					  mmapdemo_pattern(7, SZ_2M + 2 * PAGE)));
	EXPECT_EQ(MMAPDEMO_LEVEL_PTE, leaf_level(self->fd, m + SZ_2M));

	/* mremap: shrink inside block 3, then move blocks 2 and 3. */
	moved = mremap(m + 2 * SZ_2M, 2 * SZ_2M, 2 * SZ_2M - PAGE, 0);
	ASSERT_EQ(m + 2 * SZ_2M, moved);
	EXPECT_EQ(-1, check(moved, 2 * SZ_2M - PAGE, 7, 2 * SZ_2M));
	/* To a 2 MiB aligned place reserved for it: the PMD moves whole. */
	resv = mmap(NULL, 3 * SZ_2M, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, resv);
	dest = (char *)(((uintptr_t)resv + SZ_2M - 1) / SZ_2M * SZ_2M);
	moved = mremap(moved, 2 * SZ_2M - PAGE, 2 * SZ_2M - PAGE,
		       MREMAP_MAYMOVE | MREMAP_FIXED, dest);
	ASSERT_EQ(dest, moved);
	EXPECT_EQ(-1, check(moved, 2 * SZ_2M - PAGE, 7, 2 * SZ_2M));
	EXPECT_EQ(0, mmapdemo_probe_write(moved + PAGE,
					  mmapdemo_pattern(7, 2 * SZ_2M + PAGE)));
	ASSERT_EQ(0, munmap(resv, 4 * SZ_2M));
	ASSERT_EQ(0, munmap(m, 5 * PAGE));
	ASSERT_EQ(0, munmap(m + 6 * PAGE, 2 * SZ_2M - 6 * PAGE));
}

/* The child of a fork sees the parent's huge mapping and writes to it. */
TEST_F(huge, fork_shares_the_entry)
{
	unsigned long len = 2 * SZ_2M;
	int status;
	pid_t pid;
	char *m;

	m = map(self->fd, len, 0);
	ASSERT_NE(MAP_FAILED, m);
	touch(m, len, 8);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (check(m, len, 8, 0) != -1)
			_exit(1);
		m[SZ_2M + PAGE] = 'C';
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ('C', m[SZ_2M + PAGE]);
	if (self->pmd)
		EXPECT_EQ(MMAPDEMO_LEVEL_PMD, leaf_level(self->fd, m));
	ASSERT_EQ(0, munmap(m, len));
}

/*
 * MADV_DONTNEED is refused on VM_PFNMAP (EINVAL), as for the other BAR
 * strategies, and leaves the entry and the data as they were.
 */
/*
 * The VmFlags code @flag ("sd") of the VMA that holds @addr, from
 * /proc/self/smaps: 1 if set, 0 if not, -1 if the VMA was not found.
 */
static int vma_flag(const void *addr, const char *flag)
{
	unsigned long start, end, a = (uintptr_t)addr;
	char line[512], word[8];
	bool in = false;
	int found = -1;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = start <= a && a < end;
			continue;
		}
		if (!in || strncmp(line, "VmFlags:", 8))
			continue;
		snprintf(word, sizeof(word), " %s ", flag);
		line[strcspn(line, "\n")] = ' ';
		found = strstr(line + 7, word) != NULL;
		break;
	}
	fclose(f);
	return found;
}

/*
 * Soft-dirty tracking ("4" to /proc/PID/clear_refs, as CRIU's pre-dump
 * writes it) clears VM_SOFTDIRTY and takes write away from a shared
 * mapping's protection (vma_wants_writenotify()), so that the next
 * write faults.  For a huge leaf that write fault comes back to
 * ->huge_fault through wp_huge_pmd() (wp_huge_pud()), which must make
 * the present read-only leaf writable: the driver passes the fault's
 * write to vmf_insert_pfn_pmd(), as device-dax does.  Without it the
 * insert left the leaf as it was, and the write faulted for ever (in the
 * kernel, for a copy into the mapping, without a way to kill the task).
 */
TEST_F(huge, write_after_clear_refs_completes)
{
	unsigned int limit = mmapdemo_scaled(20), waited = 0;
	int cr, status;
	pid_t pid;
	char *m;

	m = map(self->fd, (2 * SZ_2M), 0);
	ASSERT_NE(MAP_FAILED, m);
	if (vma_flag(m, "sd") != 1) {
		munmap(m, (2 * SZ_2M));
		SKIP(return, "no soft-dirty tracking (CONFIG_MEM_SOFT_DIRTY is off on this kernel): no VM_SOFTDIRTY to clear");
	}
	cr = open("/proc/self/clear_refs", O_WRONLY);
	ASSERT_LE(0, cr);
	ASSERT_EQ(1, write(cr, "4", 1));
	close(cr);
	ASSERT_EQ(0, vma_flag(m, "sd")) TH_LOG("clear_refs left VM_SOFTDIRTY set");
	/* A read fault: the leaf is read-only now, though the VMA is not. */
	(void)*(volatile char *)m;
	if (self->pmd) {
		struct mmapdemo_walk w = mmapdemo_walk_at(self->fd, m);

		ASSERT_EQ(MMAPDEMO_LEVEL_PMD, leaf_level(self->fd, m));
		EXPECT_EQ(0U, w.level[MMAPDEMO_LEVEL_PMD].flags &
			      MMAPDEMO_ENTRY_WRITABLE);
	}
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		*(volatile char *)m = 'w';
		_exit(0);
	}
	while (waitpid(pid, &status, WNOHANG) == 0 && waited < limit * 10) {
		usleep(100000);
		waited++;
	}
	if (waited >= limit * 10) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		munmap(m, 2 * SZ_2M);
	}
	ASSERT_GT(limit * 10, waited)
		TH_LOG("a write after clear_refs did not complete in %u s: the write fault on the read-only leaf repeats", limit);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ('w', *(volatile char *)m);
	if (self->pmd) {
		struct mmapdemo_walk w;

		/* The parent's write: the same fault, in this process. */
		*(volatile char *)(m + PAGE) = 'x';
		w = mmapdemo_walk_at(self->fd, m);
		EXPECT_EQ(MMAPDEMO_ENTRY_WRITABLE,
			  w.level[MMAPDEMO_LEVEL_PMD].flags &
				  MMAPDEMO_ENTRY_WRITABLE);
	}
	ASSERT_EQ(0, munmap(m, (2 * SZ_2M)));
}

TEST_F(huge, madv_dontneed_is_refused)
{
	unsigned long len = SZ_2M;
	char *m;

	m = map(self->fd, len, 0);
	ASSERT_NE(MAP_FAILED, m);
	touch(m, len, 9);
	EXPECT_EQ(-1, madvise(m, len, MADV_DONTNEED));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, check(m, len, 9, 0));
	if (self->pmd)
		EXPECT_EQ(MMAPDEMO_LEVEL_PMD, leaf_level(self->fd, m));
	ASSERT_EQ(0, munmap(m, len));
}

/*
 * /proc/self/mem (->access) reads and writes through a PMD entry, refuses
 * a write to a read-only mapping and stops at the end of the VMA.
 */
TEST_F(huge, access_reaches_huge_entries)
{
	unsigned long len = SZ_2M;
	char buf[2 * PAGE], c = 'W';
	char *m, *ro;
	int mem;

	m = map(self->fd, len, 0);
	ASSERT_NE(MAP_FAILED, m);
	touch(m, len, 10);
	mem = open("/proc/self/mem", O_RDWR);
	ASSERT_LE(0, mem);
	ASSERT_EQ(1, pread(mem, buf, 1, (uintptr_t)m + PAGE));
	EXPECT_EQ(mmapdemo_pattern(10, PAGE), buf[0]);
	ASSERT_EQ(1, pwrite(mem, &c, 1, (uintptr_t)m + 3 * PAGE));
	EXPECT_EQ('W', m[3 * PAGE]);
	ASSERT_EQ((ssize_t)sizeof(buf),
		  pread(mem, buf, sizeof(buf), (uintptr_t)m + SZ_2M / 2));
	EXPECT_EQ(-1, check(buf, sizeof(buf), 10, SZ_2M / 2));
	if (self->pmd)
		EXPECT_EQ(MMAPDEMO_LEVEL_PMD, leaf_level(self->fd, m));

	ro = mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ('W', ro[3 * PAGE]);
	EXPECT_EQ(-1, pwrite(mem, &c, 1, (uintptr_t)ro + PAGE));
	EXPECT_EQ(EIO, errno);
	close(mem);
	ASSERT_EQ(0, munmap(ro, len));
	ASSERT_EQ(0, munmap(m, len));
}

/* No copy on write of a BAR: MAP_PRIVATE is EINVAL (semantics table). */
TEST_F(huge, private_mapping_is_refused)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE, self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * Removal of the device zaps huge entries too: the next touch is SIGBUS.
 * Rescan brings the device back.
 */
TEST_F(huge, removal_zaps_huge_entries)
{
	unsigned long len = 2 * SZ_2M;
	char path[128], c;
	int i, ram;
	char *m;

	m = map(self->fd, len, 0);
	ASSERT_NE(MAP_FAILED, m);
	touch(m, len, 11);
	if (self->pmd)
		ASSERT_EQ(MMAPDEMO_LEVEL_PMD, leaf_level(self->fd, m));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove",
		 huge_bdf);
	ASSERT_EQ(0, mmapdemo_write_file(path, "1"));
	/* The walk of a removed device is ENODEV; the RAM device walks. */
	ram = open(MMAPDEMO_DEV, O_RDONLY);
	if (ram >= 0) {
		EXPECT_EQ(-1, leaf_level(ram, m));
		EXPECT_EQ(-1, leaf_level(ram, m + SZ_2M));
		close(ram);
	}
	EXPECT_EQ(SIGBUS, mmapdemo_probe_read(m, &c));
	EXPECT_EQ(SIGBUS, mmapdemo_probe_read(m + SZ_2M + PAGE, &c));
	ASSERT_EQ(0, munmap(m, len));
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, mmapdemo_write_file("/sys/bus/pci/rescan", "1"));
	for (i = 0; i < 100 && access(huge_path, F_OK); i++)
		usleep(10000);
	ASSERT_EQ(0, access(huge_path, F_OK));
}

MMAPDEMO_HARNESS_MAIN
