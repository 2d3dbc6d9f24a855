// SPDX-License-Identifier: GPL-2.0
/*
 * The semantics table of Documentation/semantics.rst, one test per row, for
 * every mapping strategy of /dev/mmapdemo, and for the strategies that work
 * on a PCI BAR (the bar_* variants) of an ivshmem-plain device's
 * /dev/mmapdemo-<PCI address>.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif

/* Pages each test maps: enough to split in three and to see counts move. */
#define NPAGES	8ULL

FIXTURE(mmap)
{
	int fd;
	size_t page;
	size_t len;
	size_t size;
	struct mmapdemo_stats before;
};

FIXTURE_VARIANT(mmap)
{
	__u32 strategy;
	bool eager;		/* maps everything at mmap time */
	bool private_ok;	/* MAP_PRIVATE is copy-on-write, not EINVAL */
	bool dontneed_ok;	/* MADV_DONTNEED accepted (not VM_PFNMAP) */
	bool bar;		/* the ivshmem BAR device, not RAM */
	bool mkwrite;		/* page_mkwrite sees first writes */
	bool prefault_ok;	/* MAP_POPULATE and mlock map the pages */
};

FIXTURE_VARIANT_ADD(mmap, fault)
{
	.strategy = MMAPDEMO_STRATEGY_FAULT,
	.eager = false,
	.private_ok = true,
	.dontneed_ok = true,
	.mkwrite = true,
	.prefault_ok = true,
};

FIXTURE_VARIANT_ADD(mmap, remap)
{
	.strategy = MMAPDEMO_STRATEGY_REMAP,
	.eager = true,
	.private_ok = false,
	.dontneed_ok = false,
	.prefault_ok = true,
};

FIXTURE_VARIANT_ADD(mmap, insert)
{
	.strategy = MMAPDEMO_STRATEGY_INSERT,
	.eager = true,
	.private_ok = true,
	.dontneed_ok = true,
	.prefault_ok = true,
};

/*
 * On a BAR (VM_IO | VM_PFNMAP, no struct page): no copy on write, no
 * MADV_DONTNEED, no page_mkwrite, and MAP_POPULATE and mlock skip the
 * VMA, so the fault strategy still faults.
 */
FIXTURE_VARIANT_ADD(mmap, bar_fault)
{
	.strategy = MMAPDEMO_STRATEGY_FAULT,
	.eager = false,
	.bar = true,
};

/*
 * The huge strategy (BAR only) behaves as bar_fault on mappings too small
 * for a huge entry; huge_test has the 2 MiB and 1 GiB cases.
 */
FIXTURE_VARIANT_ADD(mmap, bar_huge)
{
	.strategy = MMAPDEMO_STRATEGY_HUGE,
	.eager = false,
	.bar = true,
};

/*
 * Only where the kernel tracks PFN-map memory types per reservation
 * (6.16), which also lets its VMAs split: kmod/strategy_remap.c.
 */
FIXTURE_VARIANT_ADD(mmap, bar_remap)
{
	.strategy = MMAPDEMO_STRATEGY_REMAP,
	.eager = true,
	.bar = true,
	.prefault_ok = true,
};

static char bar_path[64];

FIXTURE_SETUP(mmap)
{
	char *buf;

	if (variant->bar) {
		self->fd = -1;
		if (mmapdemo_find_bar(MMAPDEMO_IVSHMEM_VENDOR,
				      MMAPDEMO_IVSHMEM_DEVICE, bar_path,
				      sizeof(bar_path), NULL, 0))
			MMAPDEMO_SETUP_SKIP(MMAPDEMO_BAR_HINT("ivshmem-plain"));
		mmapdemo_dev = bar_path;
		if (variant->strategy == MMAPDEMO_STRATEGY_REMAP &&
		    mmapdemo_remap_why(bar_path))
			MMAPDEMO_SETUP_SKIP("%s", mmapdemo_remap_why(bar_path));
	}
	self->fd = mmapdemo_open_strategy(O_RDWR, variant->strategy);
	if (self->fd < 0)
		MMAPDEMO_SETUP_SKIP(MMAPDEMO_HINT);
	self->page = sysconf(_SC_PAGESIZE);
	self->len = NPAGES * self->page;
	self->size = mmapdemo_info(self->fd).size;
	ASSERT_GE(self->size, self->len);

	/* Each test starts from a known pattern in the pages it maps. */
	buf = malloc(self->len);
	ASSERT_NE(NULL, buf);
	mmapdemo_fill(buf, self->len, 1);
	ASSERT_EQ((ssize_t)self->len, pwrite(self->fd, buf, self->len, 0));
	free(buf);
	self->before = mmapdemo_stats(self->fd);
}

FIXTURE_TEARDOWN(mmap)
{
	/* Every VMA a test made is gone again: open/close accounting holds. */
	if (self->fd >= 0) {
		EXPECT_EQ(self->before.live_vmas,
			  mmapdemo_stats(self->fd).live_vmas);
		close(self->fd);
	}
}

static char *map(int fd, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, fd, off);
}

/* A write through a MAP_SHARED mapping reaches read(), other mappings and
 * other processes at once.
 */
TEST_F(mmap, shared_write_is_seen_everywhere)
{
	char *a, *b, c = 0;
	int fd2, status;
	pid_t pid;

	a = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, a);
	fd2 = mmapdemo_open_strategy(O_RDWR, variant->strategy);
	ASSERT_GE(fd2, 0);
	b = map(fd2, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, b);

	a[3 * self->page + 5] = 'S';
	ASSERT_EQ(1, pread(self->fd, &c, 1, 3 * self->page + 5));
	EXPECT_EQ('S', c);
	EXPECT_EQ('S', b[3 * self->page + 5]);

	/* Another process that opens and maps the device itself. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		int fd = open(mmapdemo_dev, O_RDONLY);
		char *m = map(fd, self->len, PROT_READ, MAP_SHARED, 0);

		_exit(m != MAP_FAILED && m[3 * self->page + 5] == 'S' ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);

	ASSERT_EQ(0, munmap(a, self->len));
	ASSERT_EQ(0, munmap(b, self->len));
	close(fd2);
}

/* write() to the device shows in existing mappings at once. */
TEST_F(mmap, write_syscall_is_seen_by_mappings)
{
	const char msg[] = "written with pwrite";
	char *m;

	m = map(self->fd, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	/* Map the page first, so that the PTE exists before the write. */
	EXPECT_EQ(mmapdemo_pattern(1, self->page), m[self->page]);
	ASSERT_EQ((ssize_t)sizeof(msg),
		  pwrite(self->fd, msg, sizeof(msg), self->page));
	EXPECT_EQ(0, memcmp(m + self->page, msg, sizeof(msg)));
	ASSERT_EQ(0, munmap(m, self->len));
}

/* A MAP_PRIVATE write is copy-on-write: only the writer sees it.  The
 * remap strategy refuses MAP_PRIVATE with EINVAL instead.
 */
TEST_F(mmap, private_write_stays_private)
{
	char *priv, *shared, c = 0;

	priv = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	if (!variant->private_ok) {
		EXPECT_EQ(MAP_FAILED, priv);
		EXPECT_EQ(EINVAL, errno);
		return;
	}
	ASSERT_NE(MAP_FAILED, priv);
	shared = map(self->fd, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, shared);

	/* Before the write the private mapping shows the device data. */
	EXPECT_EQ(mmapdemo_pattern(1, 2 * self->page), priv[2 * self->page]);
	priv[2 * self->page] = 'P';
	EXPECT_EQ('P', priv[2 * self->page]);
	EXPECT_EQ(mmapdemo_pattern(1, 2 * self->page), shared[2 * self->page]);
	ASSERT_EQ(1, pread(self->fd, &c, 1, 2 * self->page));
	EXPECT_EQ(mmapdemo_pattern(1, 2 * self->page), c);

	/* And later device writes no longer show in the copied page. */
	ASSERT_EQ(1, pwrite(self->fd, "D", 1, 2 * self->page + 1));
	EXPECT_EQ(mmapdemo_pattern(1, 2 * self->page + 1),
		  priv[2 * self->page + 1]);

	ASSERT_EQ(0, munmap(priv, self->len));
	ASSERT_EQ(0, munmap(shared, self->len));
}

/* Writing a PROT_READ mapping raises SIGSEGV and changes nothing. */
TEST_F(mmap, write_to_prot_read_segfaults)
{
	char *m, c = 0;

	m = map(self->fd, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(SIGSEGV, mmapdemo_probe_write(m + 7, 'X'));
	ASSERT_EQ(1, pread(self->fd, &c, 1, 7));
	EXPECT_EQ(mmapdemo_pattern(1, 7), c);
	ASSERT_EQ(0, munmap(m, self->len));
}

/* A file opened O_RDONLY cannot give a writable shared mapping, now or
 * later.
 */
TEST_F(mmap, rdonly_file_cannot_map_shared_writable)
{
	int ro = mmapdemo_open_strategy(O_RDONLY, variant->strategy);
	char *m;

	ASSERT_GE(ro, 0);
	m = map(ro, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EACCES, errno);

	m = map(ro, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(-1, mprotect(m, self->len, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	ASSERT_EQ(0, munmap(m, self->len));
	close(ro);
}

/*
 * Device memory is never executable: EPERM for PROT_EXEC at mmap, and
 * EACCES at mprotect, since the mapping has no VM_MAYEXEC.
 */
TEST_F(mmap, exec_is_refused)
{
	char *m;

	m = map(self->fd, self->len, PROT_READ | PROT_EXEC, MAP_SHARED, 0);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EPERM, errno);

	m = map(self->fd, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(-1, mprotect(m, self->len, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	/* The refusal left the mapping as it was. */
	EXPECT_EQ(mmapdemo_pattern(1, 9), m[9]);
	ASSERT_EQ(0, munmap(m, self->len));
}

/* The permissions column of the /proc/self/maps line of @addr, or "". */
static void maps_perms(const void *addr, char perms[5])
{
	unsigned long start, end;
	char line[512], p[5];
	FILE *f = fopen("/proc/self/maps", "r");

	perms[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %4s", &start, &end, p) == 3 &&
		    start <= (unsigned long)addr && (unsigned long)addr < end) {
			memcpy(perms, p, 5);
			break;
		}
	fclose(f);
}

/*
 * Under the READ_IMPLIES_EXEC personality the core asks for exec with
 * every readable mapping.  The device maps anyway, without exec, as the
 * core does for a file on a noexec mount; mprotect() adds no exec either,
 * since the mapping has no VM_MAYEXEC.
 */
TEST_F(mmap, read_implies_exec_maps_without_exec)
{
	char perms[5], *m;
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (personality(READ_IMPLIES_EXEC) == -1)
			_exit(10);
		m = map(self->fd, self->len, PROT_READ, MAP_SHARED, 0);
		if (m == MAP_FAILED)
			_exit(11);
		maps_perms(m, perms);
		if (strcmp(perms, "r--s"))
			_exit(12);
		if (m[9] != mmapdemo_pattern(1, 9))
			_exit(13);
		if (mprotect(m, self->len, PROT_READ))
			_exit(14);
		maps_perms(m, perms);
		if (strcmp(perms, "r--s"))
			_exit(15);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	/*
	 * 10: personality() failed; 11: mmap failed; 12, 15: the mapping
	 * is executable after mmap, mprotect; 13: wrong data; 14: mprotect
	 * failed.
	 */
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Ranges outside the device and malformed requests: EINVAL. */
TEST_F(mmap, bad_ranges_are_einval)
{
	const struct {
		const char *what;
		size_t len;
		off_t off;
	} bad[] = {
		{ "offset not page aligned", self->page, 1 },
		{ "length 0", 0, 0 },
		{ "offset at the end", self->page, (off_t)self->size },
		{ "offset past the end", self->page, (off_t)self->size * 2 },
		{ "offset + length past the end", 2 * self->page,
		  (off_t)(self->size - self->page) },
		{ "length past the end", self->size + self->page, 0 },
		{ "offset near 2^63", self->page,
		  (off_t)(INT64_MAX & ~(int64_t)(self->page - 1)) },
	};
	unsigned int i;
	char *m;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = map(self->fd, bad[i].len, PROT_READ, MAP_SHARED, bad[i].off);
		EXPECT_EQ(MAP_FAILED, m)
			TH_LOG("%s: mapped", bad[i].what);
		EXPECT_EQ(EINVAL, errno)
			TH_LOG("%s: errno %d", bad[i].what, errno);
		if (m != MAP_FAILED)
			munmap(m, bad[i].len);
	}
	/* The last page alone is fine. */
	m = map(self->fd, self->page, PROT_READ, MAP_SHARED,
		(off_t)(self->size - self->page));
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, munmap(m, self->page));
}

/* MAP_SYNC is for DAX files only. */
TEST_F(mmap, map_sync_is_eopnotsupp)
{
	char *m = map(self->fd, self->len, PROT_READ | PROT_WRITE,
		      MAP_SHARED_VALIDATE | MAP_SYNC, 0);

	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EOPNOTSUPP, errno);
}

/* mremap cannot grow a device mapping (VM_DONTEXPAND: EFAULT) and leaves
 * it intact; shrinking works.
 */
TEST_F(mmap, mremap_grow_fails_shrink_works)
{
	char *m, *n;

	m = map(self->fd, self->len / 2, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	n = mremap(m, self->len / 2, self->len, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, n);
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(mmapdemo_pattern(1, self->page + 1), m[self->page + 1]);

	n = mremap(m, self->len / 2, self->page, 0);
	ASSERT_EQ(m, n);
	EXPECT_EQ(mmapdemo_pattern(1, 3), n[3]);
	ASSERT_EQ(0, munmap(n, self->page));
}

/* munmap or mprotect of part of a mapping: the rest keeps working, and the
 * device counts each piece as a VMA of its own.
 */
TEST_F(mmap, partial_munmap_and_mprotect)
{
	struct mmapdemo_stats st;
	char *m, c = 0;
	size_t p = self->page;

	m = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(self->before.live_vmas + 1,
		  mmapdemo_stats(self->fd).live_vmas);

	/* A hole in the middle: two VMAs, one ->open for the split. */
	ASSERT_EQ(0, munmap(m + 2 * p, p));
	EXPECT_EQ(self->before.live_vmas + 2,
		  mmapdemo_stats(self->fd).live_vmas);
	EXPECT_EQ(SIGSEGV, mmapdemo_probe_read(m + 2 * p, &c));
	m[p] = 'a';
	m[5 * p] = 'b';
	ASSERT_EQ(1, pread(self->fd, &c, 1, 5 * p));
	EXPECT_EQ('b', c);

	/* Read-only in part: writes there fault, elsewhere they work. */
	ASSERT_EQ(0, mprotect(m + 4 * p, p, PROT_READ));
	EXPECT_EQ(self->before.live_vmas + 4,
		  mmapdemo_stats(self->fd).live_vmas);
	EXPECT_EQ(SIGSEGV, mmapdemo_probe_write(m + 4 * p, 'x'));
	EXPECT_EQ(0, mmapdemo_probe_write(m + 6 * p, 'y'));
	EXPECT_EQ(mmapdemo_pattern(1, 4 * p), m[4 * p]);

	ASSERT_EQ(0, munmap(m, self->len));
	st = mmapdemo_stats(self->fd);
	EXPECT_EQ(self->before.live_vmas, st.live_vmas);
	/* Every VMA that was made or opened was closed. */
	EXPECT_EQ(st.mmaps - self->before.mmaps +
			  st.vma_opens - self->before.vma_opens,
		  st.vma_closes - self->before.vma_closes);
}

/* fork: the child shares the mapping; MADV_DONTFORK leaves it out. */
TEST_F(mmap, fork_shares_and_dontfork_is_honoured)
{
	char *m, *kept;
	int status;
	pid_t pid;

	m = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	kept = map(self->fd, self->page, PROT_READ, MAP_SHARED, self->page);
	ASSERT_NE(MAP_FAILED, kept);
	ASSERT_EQ(0, madvise(kept, self->page, MADV_DONTFORK));

	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char c;

		m[4 * self->page] = 'C';
		/* The MADV_DONTFORK mapping is not there at all. */
		_exit(mmapdemo_probe_read(kept, &c) == SIGSEGV ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	EXPECT_EQ('C', m[4 * self->page]);
	ASSERT_EQ(0, munmap(m, self->len));
	ASSERT_EQ(0, munmap(kept, self->page));
}

/* MADV_DONTNEED drops the PTEs; touching again brings the same device data
 * back.  The kernel refuses MADV_DONTNEED on VM_PFNMAP (remap) with EINVAL.
 */
TEST_F(mmap, madv_dontneed_then_touch_again)
{
	struct mmapdemo_stats st;
	char *m;
	int ret;

	m = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[self->page] = 'K';

	ret = madvise(m, self->len, MADV_DONTNEED);
	if (!variant->dontneed_ok) {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EINVAL, errno);
	} else {
		EXPECT_EQ(0, ret);
	}
	st = mmapdemo_stats(self->fd);
	EXPECT_EQ('K', m[self->page]);
	EXPECT_EQ(mmapdemo_pattern(1, 3 * self->page), m[3 * self->page]);
	/*
	 * Pages come back through the fault handler where it was zapped;
	 * where nothing was zapped, the lazy BAR mapping faults in the page
	 * not touched before.
	 */
	EXPECT_EQ(variant->dontneed_ok ? 2ULL : variant->eager ? 0ULL : 1ULL,
		  mmapdemo_stats(self->fd).faults - st.faults);
	ASSERT_EQ(0, munmap(m, self->len));
}

/* Laziness: the fault strategy maps on first touch, one fault per page;
 * the eager ones map everything at mmap time and never fault.
 */
TEST_F(mmap, lazy_or_eager)
{
	struct mmapdemo_stats st;
	size_t i;
	char *m;

	m = map(self->fd, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	st = mmapdemo_stats(self->fd);
	EXPECT_EQ(variant->eager ? NPAGES : 0ULL,
		  st.eager_pages - self->before.eager_pages);
	EXPECT_EQ(0ULL, st.faults - self->before.faults);
	for (i = 0; i < NPAGES; i++)
		EXPECT_EQ(mmapdemo_pattern(1, i * self->page),
			  m[i * self->page]);
	/* Twice: the second round finds the PTEs there. */
	for (i = 0; i < NPAGES; i++)
		EXPECT_EQ(mmapdemo_pattern(1, i * self->page + 1),
			  m[i * self->page + 1]);
	EXPECT_EQ(variant->eager ? 0ULL : NPAGES,
		  mmapdemo_stats(self->fd).faults - st.faults);
	ASSERT_EQ(0, munmap(m, self->len));
}

/* page_mkwrite sees the first write to each page of a shared writable
 * mapping of the fault strategy, and only the first.
 */
TEST_F(mmap, first_write_is_noticed_once)
{
	struct mmapdemo_stats st;
	size_t i;
	char *m;

	m = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i < NPAGES; i++)
		m[i * self->page] = 'w';
	for (i = 0; i < NPAGES; i++)
		m[i * self->page + 1] = 'W';
	st = mmapdemo_stats(self->fd);
	EXPECT_EQ(variant->mkwrite ? NPAGES : 0ULL,
		  st.mkwrites - self->before.mkwrites);
	ASSERT_EQ(0, munmap(m, self->len));
}

/* MAP_POPULATE, MAP_LOCKED and mlock leave every page present: touching
 * them takes no fault.
 */
TEST_F(mmap, populate_and_mlock_prefault)
{
	const int how[] = { MAP_POPULATE, MAP_LOCKED, 0 };
	struct mmapdemo_stats st;
	unsigned int h;
	size_t i;
	char *m;

	for (h = 0; h < 3; h++) {
		m = map(self->fd, self->len, PROT_READ, MAP_SHARED | how[h], 0);
		ASSERT_NE(MAP_FAILED, m);
		if (!how[h])
			ASSERT_EQ(0, mlock(m, self->len));
		st = mmapdemo_stats(self->fd);
		for (i = 0; i < NPAGES; i++)
			EXPECT_EQ(mmapdemo_pattern(1, i * self->page + 2),
				  m[i * self->page + 2]);
		EXPECT_EQ(variant->prefault_ok ? 0ULL : NPAGES,
			  mmapdemo_stats(self->fd).faults - st.faults)
			TH_LOG("%s: touching faulted",
			       how[h] == MAP_POPULATE ? "MAP_POPULATE" :
			       how[h] ? "MAP_LOCKED" : "mlock");
		ASSERT_EQ(0, munmap(m, self->len));
	}
}

/*
 * ptrace and /proc/PID/mem go through access_remote_vm().  For the pages of
 * "fault" and "insert" it uses get_user_pages(), which checks the VMA's
 * protection; it cannot reach the VM_PFNMAP mappings of "remap" and asks
 * vm_ops->access instead, which must be just as strict.  The tests below
 * hold every strategy to the same rules.
 */
static ssize_t proc_mem_read(void *buf, size_t len, const void *addr)
{
	int mem = open("/proc/self/mem", O_RDONLY), err;
	ssize_t ret;

	if (mem < 0)
		return -1;
	ret = pread(mem, buf, len, (off_t)(uintptr_t)addr);
	err = errno;
	close(mem);
	errno = err;
	return ret;
}

static ssize_t proc_mem_write(const void *buf, size_t len, const void *addr)
{
	int mem = open("/proc/self/mem", O_WRONLY), err;
	ssize_t ret;

	if (mem < 0)
		return -1;
	ret = pwrite(mem, buf, len, (off_t)(uintptr_t)addr);
	err = errno;
	close(mem);
	errno = err;
	return ret;
}

/*
 * Whether /proc/self/mem may write a read-only private mapping (FOLL_FORCE)
 * without ptrace: the kernel's proc_mem.force_override policy, "always" in
 * Debian's 6.1 and 6.12 (CONFIG_PROC_MEM_ALWAYS_FORCE), "ptrace" in its
 * 7.x (CONFIG_PROC_MEM_FORCE_PTRACE).  Asked of anonymous memory.
 */
static bool proc_mem_forces_writes(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *a = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	bool ok;

	if (a == MAP_FAILED)
		return true;
	ok = proc_mem_write("A", 1, a) == 1;
	munmap(a, page);
	return ok;
}

/* Fork a child that stops under ptrace; the tracer is the caller. */
static pid_t traced_child(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status))
		return -1;
	return pid;
}

static void traced_child_end(pid_t pid)
{
	int status;

	ptrace(PTRACE_CONT, pid, NULL, NULL);
	waitpid(pid, &status, 0);
}

/* /proc/self/mem reads and writes the device data through the mapping. */
TEST_F(mmap, proc_self_mem_reaches_device)
{
	char *m, buf[8] = { 0 };

	m = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(8, proc_mem_read(buf, 8, m + 3 * self->page));
	EXPECT_EQ(mmapdemo_pattern(1, 3 * self->page), buf[0]);
	EXPECT_EQ(mmapdemo_pattern(1, 3 * self->page + 7), buf[7]);

	ASSERT_EQ(4, proc_mem_write("mem!", 4, m + 10));
	ASSERT_EQ(4, pread(self->fd, buf, 4, 10));
	EXPECT_EQ(0, memcmp(buf, "mem!", 4));
	ASSERT_EQ(0, munmap(m, self->len));
}

/* A tracer reads a traced child's mapping with PTRACE_PEEKDATA, as gdb
 * does.
 */
TEST_F(mmap, ptrace_peek_reads_device)
{
	long word;
	char *m;
	pid_t pid;

	m = map(self->fd, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	pid = traced_child();
	ASSERT_GT(pid, 0);
	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, pid, m + 5 * self->page, NULL);
	EXPECT_EQ(0, errno);
	EXPECT_EQ(0, memcmp(&word, m + 5 * self->page, sizeof(word)));
	traced_child_end(pid);
	ASSERT_EQ(0, munmap(m, self->len));
}

/*
 * A file opened O_RDONLY, mapped PROT_READ and MAP_SHARED, cannot be
 * written through /proc/self/mem: the core reports EIO, as for any
 * read-only shared mapping, and the device is unchanged.
 */
TEST_F(mmap, proc_mem_write_to_rdonly_mapping_is_refused)
{
	int ro = mmapdemo_open_strategy(O_RDONLY, variant->strategy);
	char *m, c = 0;

	ASSERT_GE(ro, 0);
	m = map(ro, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(-1, proc_mem_write("W", 1, m + 42));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(1, pread(self->fd, &c, 1, 42));
	EXPECT_EQ(mmapdemo_pattern(1, 42), c);
	/* Reading the same mapping keeps working. */
	ASSERT_EQ(1, proc_mem_read(&c, 1, m + 43));
	EXPECT_EQ(mmapdemo_pattern(1, 43), c);
	ASSERT_EQ(0, munmap(m, self->len));
	close(ro);
}

/* The same from a tracer: PTRACE_POKEDATA into a traced child's PROT_READ
 * mapping of an O_RDONLY file fails with EIO and changes nothing.
 */
TEST_F(mmap, ptrace_poke_to_rdonly_mapping_is_refused)
{
	int ro = mmapdemo_open_strategy(O_RDONLY, variant->strategy);
	char buf[sizeof(long)];
	long word;
	char *m;
	pid_t pid;

	ASSERT_GE(ro, 0);
	m = map(ro, self->len, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	pid = traced_child();
	ASSERT_GT(pid, 0);
	memset(&word, 'T', sizeof(word));
	errno = 0;
	EXPECT_EQ(-1, ptrace(PTRACE_POKEDATA, pid, m + self->page, word));
	EXPECT_EQ(EIO, errno);
	traced_child_end(pid);
	ASSERT_EQ((ssize_t)sizeof(buf),
		  pread(self->fd, buf, sizeof(buf), self->page));
	EXPECT_EQ(mmapdemo_pattern(1, self->page), buf[0]);
	EXPECT_EQ(mmapdemo_pattern(1, self->page + sizeof(buf) - 1),
		  buf[sizeof(buf) - 1]);
	ASSERT_EQ(0, munmap(m, self->len));
	close(ro);
}

/* mprotect(PROT_READ) takes the write permission away from /proc/self/mem
 * too, even on a file opened O_RDWR.
 */
TEST_F(mmap, proc_mem_write_after_mprotect_read_is_refused)
{
	char *m, c = 0;

	m = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mprotect(m, self->len, PROT_READ));
	EXPECT_EQ(-1, proc_mem_write("W", 1, m + 2 * self->page));
	EXPECT_EQ(EIO, errno);
	ASSERT_EQ(1, pread(self->fd, &c, 1, 2 * self->page));
	EXPECT_EQ(mmapdemo_pattern(1, 2 * self->page), c);
	ASSERT_EQ(0, munmap(m, self->len));
}

/*
 * A read through /proc/self/mem that starts 100 bytes before the end of a
 * mapping, with the next page mapped as something else, gets those 100
 * device bytes and then the other mapping's bytes, never the device data
 * that lies beyond what this mapping maps.
 */
TEST_F(mmap, proc_mem_read_stops_at_vma_end)
{
	char buf[200], other[100];
	char *res, *m;

	/* The device bytes just past the mapping: something recognisable. */
	memset(buf, 'D', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf),
		  pwrite(self->fd, buf, sizeof(buf), self->len));

	/* Anonymous memory for the mapping and one page after it. */
	res = mmap(NULL, self->len + self->page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	memset(res + self->len, 'A', self->page);
	m = mmap(res, self->len, PROT_READ, MAP_SHARED | MAP_FIXED, self->fd, 0);
	ASSERT_EQ(res, m);

	memset(buf, 0, sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf),
		  proc_mem_read(buf, sizeof(buf), m + self->len - 100));
	EXPECT_EQ(mmapdemo_pattern(1, self->len - 100), buf[0]);
	EXPECT_EQ(mmapdemo_pattern(1, self->len - 1), buf[99]);
	memset(other, 'A', sizeof(other));
	EXPECT_EQ(0, memcmp(buf + 100, other, sizeof(other)));
	ASSERT_EQ(0, munmap(res, self->len + self->page));
}

/* No regression: a writable shared mapping is still written through
 * /proc/self/mem (above) and by PTRACE_POKEDATA, and the device sees it.
 */
TEST_F(mmap, ptrace_poke_to_writable_mapping_reaches_device)
{
	char buf[sizeof(long)];
	long word;
	char *m;
	pid_t pid;

	m = map(self->fd, self->len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	pid = traced_child();
	ASSERT_GT(pid, 0);
	memcpy(&word, "pokedat", sizeof(word));
	errno = 0;
	EXPECT_EQ(0, ptrace(PTRACE_POKEDATA, pid, m + 4 * self->page, word));
	EXPECT_EQ(0, errno);
	traced_child_end(pid);
	ASSERT_EQ((ssize_t)sizeof(buf),
		  pread(self->fd, buf, sizeof(buf), 4 * self->page));
	EXPECT_EQ(0, memcmp(buf, "pokedat", sizeof(buf)));
	ASSERT_EQ(0, munmap(m, self->len));
}

/*
 * /proc/self/mem may write a PROT_READ MAP_PRIVATE mapping, as gdb does to
 * set a breakpoint: the core copies the page on write (FOLL_FORCE), so the
 * writer sees the change and the device never does.  remap refuses
 * MAP_PRIVATE.
 */
TEST_F(mmap, proc_mem_write_to_private_mapping_stays_private)
{
	char *m, c = 0;

	m = map(self->fd, self->len, PROT_READ, MAP_PRIVATE, 0);
	if (!variant->private_ok) {
		EXPECT_EQ(MAP_FAILED, m);
		EXPECT_EQ(EINVAL, errno);
		return;
	}
	ASSERT_NE(MAP_FAILED, m);
	if (!proc_mem_forces_writes()) {
		/* As for anonymous memory: EIO, and nothing changes. */
		EXPECT_EQ(-1, proc_mem_write("B", 1, m + 3 * self->page + 5));
		EXPECT_EQ(EIO, errno);
		EXPECT_EQ(mmapdemo_pattern(1, 3 * self->page + 5),
			  m[3 * self->page + 5]);
	} else {
		ASSERT_EQ(1, proc_mem_write("B", 1, m + 3 * self->page + 5));
		EXPECT_EQ('B', m[3 * self->page + 5]);
	}
	ASSERT_EQ(1, pread(self->fd, &c, 1, 3 * self->page + 5));
	EXPECT_EQ(mmapdemo_pattern(1, 3 * self->page + 5), c);
	ASSERT_EQ(0, munmap(m, self->len));
}

/* The strategy is fixed by the first mmap of a file: EBUSY after. */
TEST_F(mmap, strategy_fixed_after_first_mmap)
{
	struct mmapdemo_set_strategy req = {
		.strategy = MMAPDEMO_STRATEGY_FAULT,
	};
	char *m;

	EXPECT_EQ(0U, mmapdemo_info(self->fd).flags & MMAPDEMO_INFO_MAPPED);
	EXPECT_EQ(variant->strategy, mmapdemo_info(self->fd).strategy);
	m = map(self->fd, self->page, PROT_READ, MAP_SHARED, 0);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_NE(0U, mmapdemo_info(self->fd).flags & MMAPDEMO_INFO_MAPPED);
	ASSERT_EQ(0, munmap(m, self->page));
}

MMAPDEMO_HARNESS_MAIN
