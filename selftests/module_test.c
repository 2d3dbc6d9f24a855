// SPDX-License-Identifier: GPL-2.0
/*
 * The module's life: parameters good and bad, reloading, and rmmod refused
 * while a file or a mapping of the device is alive.  Needs root and the
 * module's path in $LAB_MODULE (the lab sets it); leaves the module loaded
 * with its defaults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

MMAPDEMO_MODULE_FIXTURE(module);

TEST_F(module, parameters_shape_the_device)
{
	struct mmapdemo_info info;
	int fd;

	ASSERT_EQ(0, mmapdemo_load("size=1M strategy=remap"));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	info = mmapdemo_info(fd);
	EXPECT_EQ(1ULL << 20, info.size);
	EXPECT_EQ((__u32)MMAPDEMO_STRATEGY_REMAP, info.default_strategy);
	EXPECT_EQ((__u32)MMAPDEMO_STRATEGY_REMAP, info.strategy);
	close(fd);
	ASSERT_EQ(0, mmapdemo_unload());

	/* Sizes round up to whole pages. */
	ASSERT_EQ(0, mmapdemo_load("size=12345 strategy=insert"));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	info = mmapdemo_info(fd);
	EXPECT_EQ(16384ULL, info.size);
	EXPECT_EQ((__u32)MMAPDEMO_STRATEGY_INSERT, info.strategy);
	close(fd);
}

TEST_F(module, bad_parameters_fail_the_load_cleanly)
{
	const char *bad[] = {
		"size=0", "size=2G", "size=-1", "size=12abc", "size=", "size=K",
		/* 2^64 + 4096 and 2^54 G: must not wrap around to small sizes */
		"size=18446744073709555712", "size=18014398509481985G",
		"size=1T", "size=4k4",
		"strategy=bogus", "strategy=", "strategy=faults",
	};
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, mmapdemo_load(bad[i])) TH_LOG("%s loaded", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", bad[i], strerror(errno));
		EXPECT_FALSE(mmapdemo_loaded()) TH_LOG("%s left the module", bad[i]);
		if (mmapdemo_loaded())
			mmapdemo_unload();
	}
	/* And the defaults still load afterwards. */
	EXPECT_EQ(0, mmapdemo_load(""));
}

TEST_F(module, too_much_memory_is_enomem)
{
	/* More than half of RAM: refused before a page is taken, and never
	 * an OOM kill or an allocation-failure splat.
	 */
	if (sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) >= (2L << 30))
		SKIP(return, "1G is less than half of this machine's memory");
	EXPECT_EQ(-1, mmapdemo_load("size=1G"));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_FALSE(mmapdemo_loaded());
}

TEST_F(module, reload_gives_a_zeroed_buffer)
{
	char buf[4096], zero[4096] = { 0 };
	int fd;

	ASSERT_EQ(0, mmapdemo_load(""));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	memset(buf, 'z', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), pwrite(fd, buf, sizeof(buf), 8192));
	close(fd);
	ASSERT_EQ(0, mmapdemo_unload());
	ASSERT_EQ(0, mmapdemo_load(""));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ((ssize_t)sizeof(buf), pread(fd, buf, sizeof(buf), 8192));
	EXPECT_EQ(0, memcmp(buf, zero, sizeof(buf)));
	close(fd);
}

TEST_F(module, rmmod_refused_while_file_or_mapping_lives)
{
	char *m;
	int fd;

	ASSERT_EQ(0, mmapdemo_load(""));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, mmapdemo_unload());
	EXPECT_EQ(EWOULDBLOCK, errno);

	/* The mapping holds the file, and the file holds the module. */
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	close(fd);
	EXPECT_EQ(-1, mmapdemo_unload());
	EXPECT_EQ(EWOULDBLOCK, errno);
	m[0] = 'x';
	EXPECT_TRUE(mmapdemo_loaded());

	ASSERT_EQ(0, munmap(m, 4096));
	EXPECT_EQ(0, mmapdemo_unload()) TH_LOG("unload: %s", strerror(errno));
	EXPECT_FALSE(mmapdemo_loaded());
}

TEST_F(module, sysfs_counters_match_the_ioctl)
{
	static const char *const names[] = {
		"mmaps", "faults", "fault_sigbus", "mkwrites", "eager_pages",
		"vma_opens", "vma_closes", "live_vmas", "around_pages",
	};
	struct mmapdemo_stats st;
	__u64 *vals = (__u64 *)&st;
	char path[128], buf[32] = { 0 };
	unsigned int i;
	char *m;
	int fd, sfd;

	ASSERT_EQ(0, mmapdemo_load("size=64K"));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 1;
	st = mmapdemo_stats(fd);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "/sys/class/misc/mmapdemo/stats/%s",
			 names[i]);
		sfd = open(path, O_RDONLY);
		ASSERT_GE(sfd, 0) TH_LOG("%s", path);
		memset(buf, 0, sizeof(buf));
		ASSERT_LT(0, read(sfd, buf, sizeof(buf) - 1));
		close(sfd);
		EXPECT_EQ(vals[i], strtoull(buf, NULL, 10)) TH_LOG("%s", names[i]);
		/* Read-only: root cannot write them either. */
		EXPECT_EQ(-1, open(path, O_WRONLY));
	}
	EXPECT_EQ(1ULL, st.mmaps);
	EXPECT_EQ(1ULL, st.faults);
	EXPECT_EQ(1ULL, st.live_vmas);

	sfd = open("/sys/class/misc/mmapdemo/size", O_RDONLY);
	ASSERT_GE(sfd, 0);
	memset(buf, 0, sizeof(buf));
	ASSERT_LT(0, read(sfd, buf, sizeof(buf) - 1));
	EXPECT_STREQ("65536\n", buf);
	close(sfd);
	munmap(m, 8192);
	close(fd);
}

/* Which file operation the module uses, by the kernel's release. */
TEST_F(module, front_end_is_mmap_prepare_on_7_and_mmap_before)
{
	struct utsname u;
	char buf[32] = { 0 };
	int sfd;

	ASSERT_EQ(0, uname(&u));
	ASSERT_EQ(0, mmapdemo_load("size=64K"));
	sfd = open("/sys/class/misc/mmapdemo/front_end", O_RDONLY);
	ASSERT_GE(sfd, 0);
	ASSERT_LT(0, read(sfd, buf, sizeof(buf) - 1));
	close(sfd);
	/* The lab's kernels: 6.1 and 6.12 have ->mmap only, 7.x both. */
	EXPECT_STREQ(atoi(u.release) >= 7 ? "mmap_prepare\n" : "mmap\n", buf)
	TH_LOG("%s", u.release);
}

/* A refused mmap() changes no counter and does not fix the strategy. */
TEST_F(module, refused_mmaps_change_nothing)
{
	struct mmapdemo_set_strategy req = { .strategy = MMAPDEMO_STRATEGY_FAULT };
	struct mmapdemo_stats before, after;
	struct rlimit old, rl;
	long page = sysconf(_SC_PAGESIZE);
	void *m;
	int fd;

	ASSERT_EQ(0, mmapdemo_load("size=64K strategy=remap"));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	before = mmapdemo_stats(fd);

	/* The driver's refusals: past the end, PROT_EXEC, private remap. */
	m = mmap(NULL, 2 * 65536, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EINVAL, errno);
	m = mmap(NULL, page, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EPERM, errno);
	m = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EINVAL, errno);

	/* The core's: RLIMIT_AS, checked before the driver on every kernel. */
	ASSERT_EQ(0, getrlimit(RLIMIT_AS, &old));
	rl = old;
	rl.rlim_cur = 0;
	ASSERT_EQ(0, setrlimit(RLIMIT_AS, &rl));
	m = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_EQ(0, setrlimit(RLIMIT_AS, &old));
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(ENOMEM, errno);

	after = mmapdemo_stats(fd);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	EXPECT_EQ(0U, mmapdemo_info(fd).flags & MMAPDEMO_INFO_MAPPED);
	/* Nothing was fixed: the file may still change its strategy. */
	EXPECT_EQ(0, ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
	close(fd);
}

/*
 * A failure of the core after the driver's part: none of the lab's
 * kernels has one that a test can cause.  See Documentation/path.rst.
 */
TEST_F(module, core_failure_after_the_driver_changes_nothing)
{
	SKIP(return,
	     "no core failure after ->mmap (6.1, 6.12) or after ->mmap_prepare "
	     "(7.x) can be caused from user space: only allocation failures "
	     "(vm_area_alloc, vma_iter_prealloc) and, on 7.x, a failing "
	     "mmap_action; RLIMIT_AS and the map count are checked first "
	     "(Documentation/path.rst)");
}

/* The physical frame of each page of the device, through the walk. */
static int device_pfns(int fd, unsigned long npages, __u64 *pfns)
{
	long page = sysconf(_SC_PAGESIZE);
	struct mmapdemo_walk w;
	unsigned long i;
	char *m;

	m = mmap(NULL, npages * page, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -1;
	for (i = 0; i < npages; i++) {
		(void)*(volatile char *)(m + i * page);
		memset(&w, 0, sizeof(w));
		w.addr = (unsigned long)(m + i * page);
		if (ioctl(fd, MMAPDEMO_IOC_WALK, &w) || !w.pfn)
			break;
		pfns[i] = w.pfn;
	}
	munmap(m, npages * page);
	return i == npages ? 0 : -1;
}

/*
 * remap maps one PFN range per VMA: a mapping inside one physically
 * contiguous run of the device works, one across two runs is EINVAL.
 */
TEST_F(module, remap_maps_one_contiguous_run)
{
	const unsigned long npages = 2048; /* 8M with 4K pages */
	long page = sysconf(_SC_PAGESIZE);
	unsigned long i, brk = 0;
	__u64 *pfns;
	void *m;
	int fd;

	ASSERT_EQ(4096, page);
	ASSERT_EQ(0, mmapdemo_load("size=8M"));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	pfns = calloc(npages, sizeof(*pfns));
	ASSERT_NE(NULL, pfns);
	ASSERT_EQ(0, device_pfns(fd, npages, pfns));
	close(fd);
	for (i = 1; i < npages && !brk; i++)
		if (pfns[i] != pfns[i - 1] + 1)
			brk = i;

	fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_REMAP);
	ASSERT_GE(fd, 0);
	if (!brk) {
		/* One run: the whole device is one PFN range. */
		m = mmap(NULL, npages * page, PROT_READ, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, m);
		munmap(m, npages * page);
	} else {
		TH_LOG("runs break at page %lu", brk);
		m = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd,
			 (brk - 1) * page);
		EXPECT_EQ(MAP_FAILED, m);
		EXPECT_EQ(EINVAL, errno);
		m = mmap(NULL, brk * page, PROT_READ, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, m);
		EXPECT_EQ(brk, mmapdemo_stats(fd).eager_pages);
		munmap(m, brk * page);
	}
	EXPECT_EQ(0ULL, mmapdemo_stats(fd).live_vmas);
	close(fd);
	free(pfns);
}

static int write_param(const char *name, const char *val)
{
	char path[128];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/module/mmapdemo/parameters/%s", name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, val, strlen(val)) == (ssize_t)strlen(val) ? 0 : -1;
	close(fd);
	return ret;
}

static unsigned long read_param(const char *name)
{
	char path[128], buf[32] = { 0 };
	int fd;

	snprintf(path, sizeof(path), "/sys/module/mmapdemo/parameters/%s", name);
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		buf[0] = '?';
	if (fd >= 0)
		close(fd);
	return strtoul(buf, NULL, 10);
}

/*
 * A mapping at an address aligned to @align, as fault-around windows are
 * aligned in the address space (not in the file).
 */
static char *map_aligned(int fd, size_t len, int prot, int flags, size_t align)
{
	char *r = mmap(NULL, len + align, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (r == MAP_FAILED)
		return r;
	a = (char *)(((uintptr_t)r + align - 1) & ~(uintptr_t)(align - 1));
	return mmap(a, len, prot, flags | MAP_FIXED, fd, 0);
}

/*
 * fault_around=16: a read fault maps the aligned 16-page window around the
 * faulting page (around_pages counts the others), a write fault maps one
 * page, page_mkwrite still sees the first write to a page mapped around,
 * and a MAP_PRIVATE mapping still copies on write.
 */
TEST_F(module, fault_around_maps_the_window_of_a_read_fault)
{
	long page = sysconf(_SC_PAGESIZE);
	struct mmapdemo_stats st, st2;
	char c = 0, *m, *p;
	pid_t pid;
	int fd, i, status;

	ASSERT_EQ(0, mmapdemo_load("size=256K fault_around=16"));
	EXPECT_EQ(16UL, read_param("fault_around"));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, pwrite(fd, "D", 1, 3 * page));
	m = map_aligned(fd, 64 * page, PROT_READ | PROT_WRITE, MAP_SHARED,
			16 * page);
	ASSERT_NE(MAP_FAILED, m);

	st = mmapdemo_stats(fd);
	EXPECT_EQ('D', m[3 * page]);
	st2 = mmapdemo_stats(fd);
	EXPECT_EQ(1ULL, st2.faults - st.faults);
	EXPECT_EQ(15ULL, st2.around_pages - st.around_pages);
	for (i = 0; i < 16; i++)
		c |= m[i * page];
	st = mmapdemo_stats(fd);
	EXPECT_EQ(0ULL, st.faults - st2.faults) TH_LOG("the window faulted again");
	/* A page mapped around is read-only until page_mkwrite has seen it. */
	m[7 * page] = 'W';
	st2 = mmapdemo_stats(fd);
	EXPECT_EQ(1ULL, st2.mkwrites - st.mkwrites);
	EXPECT_EQ(0ULL, st2.faults - st.faults);
	ASSERT_EQ(1, pread(fd, &c, 1, 7 * page));
	EXPECT_EQ('W', c);
	/* A write fault maps its page only. */
	m[40 * page] = 'w';
	st = mmapdemo_stats(fd);
	EXPECT_EQ(1ULL, st.faults - st2.faults);
	EXPECT_EQ(0ULL, st.around_pages - st2.around_pages);
	/* A read next to it maps the rest of that window. */
	EXPECT_EQ(0, m[41 * page]);
	st2 = mmapdemo_stats(fd);
	EXPECT_EQ(1ULL, st2.faults - st.faults);
	EXPECT_EQ(14ULL, st2.around_pages - st.around_pages);
	/* fork copies the PTEs of the VM_MIXEDMAP mapping; the child reads. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(m[3 * page] == 'D' && m[7 * page] == 'W' ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_EQ(0, munmap(m, 64 * page));

	/* MAP_PRIVATE: pages mapped around are copied on write. */
	p = map_aligned(fd, 16 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			16 * page);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ('D', p[3 * page]);
	p[3 * page] = 'P';
	EXPECT_EQ('P', p[3 * page]);
	ASSERT_EQ(1, pread(fd, &c, 1, 3 * page));
	EXPECT_EQ('D', c);
	ASSERT_EQ(0, munmap(p, 16 * page));

	/* Off again: a new mapping takes one fault per page. */
	ASSERT_EQ(0, write_param("fault_around", "0"));
	m = mmap(NULL, 16 * page, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	st = mmapdemo_stats(fd);
	for (i = 0; i < 16; i++)
		c |= m[i * page];
	st2 = mmapdemo_stats(fd);
	EXPECT_EQ(16ULL, st2.faults - st.faults);
	EXPECT_EQ(0ULL, st2.around_pages - st.around_pages);
	ASSERT_EQ(0, munmap(m, 16 * page));

	/* Powers of two up to 64; others round down, too big is refused. */
	EXPECT_EQ(0, write_param("fault_around", "12"));
	EXPECT_EQ(8UL, read_param("fault_around"));
	EXPECT_EQ(-1, write_param("fault_around", "65"));
	EXPECT_EQ(8UL, read_param("fault_around"));
	close(fd);
	EXPECT_EQ(0, mmapdemo_unload());
}

TEST_HARNESS_MAIN
