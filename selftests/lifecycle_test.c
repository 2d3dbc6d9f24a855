// SPDX-License-Identifier: GPL-2.0
/*
 * The module's life over many loads: load and unload again and again with
 * mappings of every strategy made and dropped in between, and the memory
 * the module takes given back whole when it unloads.  Refused rmmod, bad
 * parameters and unprivileged opens are in module_test.c and file_test.c.
 * And the BAR device's life over many removals and rescans, unbinds and
 * binds, with files open and mappings of every strategy live across each,
 * in this process and in a child: every device struct and inode freed once
 * its last file goes (the driver's devices_alive and inodes_alive), no mm
 * kept (mm_struct in /proc/slabinfo), and the module unloads after.
 *
 * Needs root and the module's path in $LAB_MODULE (the lab sets it);
 * leaves the module loaded with its defaults.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define CYCLES		20
#define BIG		(64UL << 20)	/* bytes: a signal well above noise */
#define TOLERANCE	(4UL << 20)	/* bytes: per-CPU lists, slab, tables */

static void write_proc(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	/* Best effort: it only settles the numbers. */
	if (fd >= 0) {
		n = write(fd, s, strlen(s));
		(void)n;
		close(fd);
	}
}

/* Pages on the per-CPU free lists ("count:" of each pageset in
 * /proc/zoneinfo): free, but not in MemFree until they are drained.
 */
static long pcp_bytes(void)
{
	char line[128];
	long n, sum = 0;
	FILE *f = fopen("/proc/zoneinfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			sum += n;
	fclose(f);
	return sum * sysconf(_SC_PAGESIZE);
}

/* Free memory in bytes, MemFree plus the per-CPU lists, once it has
 * settled: caches dropped, memory compacted, and two readings in a row
 * within 256 KiB.
 */
static long mem_free(void)
{
	long prev = -1, cur = -1, kb;
	char line[128];
	FILE *f;
	int i;

	for (i = 0; i < 20; i++) {
		write_proc("/proc/sys/vm/drop_caches", "3");
		write_proc("/proc/sys/vm/compact_memory", "1");
		usleep(100000);
		f = fopen("/proc/meminfo", "r");
		if (!f)
			return -1;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
				cur = kb * 1024;
		fclose(f);
		cur += pcp_bytes();
		if (prev >= 0 && labs(cur - prev) < (256 << 10))
			break;
		prev = cur;
	}
	return cur;
}

MMAPDEMO_MODULE_FIXTURE(lifecycle);

/* Map two pages at @pgoff with strategy @s, write through the mapping, read
 * back through pread and a forked child's own mapping; a private mapping
 * too where the strategy has one.  Returns 0 or the step that failed.
 */
static int use_the_device(__u32 s, size_t pgoff, unsigned int cycle)
{
	size_t page = sysconf(_SC_PAGESIZE), len = 2 * page;
	char buf[64], want[64], *m, *priv;
	int fd, status;
	pid_t pid;

	fd = mmapdemo_open_strategy(O_RDWR, s);
	if (fd < 0)
		return 1;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 pgoff * page);
	if (m == MAP_FAILED)
		return 2;
	snprintf(want, sizeof(want), "cycle %u strategy %u", cycle, s);
	memcpy(m + page + 8, want, sizeof(want));
	if (pread(fd, buf, sizeof(buf), (pgoff + 1) * page + 8) != sizeof(buf) ||
	    memcmp(buf, want, sizeof(want)))
		return 3;

	pid = fork();
	if (pid < 0)
		return 4;
	if (pid == 0) {
		int cfd = open(MMAPDEMO_DEV, O_RDONLY);
		char *cm = mmap(NULL, len, PROT_READ, MAP_SHARED, cfd,
				pgoff * page);

		_exit(cm != MAP_FAILED && !memcmp(cm + page + 8, want,
						  sizeof(want)) ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid || status)
		return 5;

	priv = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		    pgoff * page);
	if (s == MMAPDEMO_STRATEGY_REMAP) {
		if (priv != MAP_FAILED || errno != EINVAL)
			return 6;
	} else {
		if (priv == MAP_FAILED)
			return 7;
		priv[page + 8] = '!';
		if (m[page + 8] != want[0])
			return 8;
		munmap(priv, len);
	}
	if (munmap(m + page, page) || munmap(m, page))
		return 9;
	close(fd);
	return 0;
}

TEST_F_TIMEOUT(lifecycle, reload_many_times_with_mappings, 300)
{
	static const char *const params[] = {
		"", "size=64K strategy=remap", "size=1M strategy=insert",
		"size=12345 strategy=fault", "size=8M",
	};
	unsigned int cycle, s;
	size_t npages;
	int fd, step;

	for (cycle = 0; cycle < CYCLES; cycle++) {
		const char *p = params[cycle % 5];

		ASSERT_EQ(0, mmapdemo_load(p)) TH_LOG("cycle %u, '%s': %s", cycle, p,
					     strerror(errno));
		fd = open(MMAPDEMO_DEV, O_RDWR);
		ASSERT_LE(0, fd) TH_LOG("cycle %u: %s", cycle, strerror(errno));
		npages = mmapdemo_info(fd).size / sysconf(_SC_PAGESIZE);
		ASSERT_LE(2UL, npages);
		/* A fresh device: no mapping counted from the last life. */
		EXPECT_EQ(0ULL, mmapdemo_stats(fd).live_vmas);
		EXPECT_EQ(0ULL, mmapdemo_stats(fd).mmaps);
		for (s = 0; s < 3; s++) {
			step = use_the_device(s, (cycle * 7 + s) % (npages - 1),
					      cycle);
			EXPECT_EQ(0, step) TH_LOG("cycle %u '%s' strategy %u",
						  cycle, p, s);
		}
		EXPECT_EQ(0ULL, mmapdemo_stats(fd).live_vmas);
		close(fd);
		ASSERT_EQ(0, mmapdemo_unload()) TH_LOG("cycle %u: %s", cycle,
					      strerror(errno));
		EXPECT_FALSE(mmapdemo_loaded());
		EXPECT_NE(0, access(MMAPDEMO_DEV, F_OK));
		EXPECT_NE(0, access("/sys/class/misc/mmapdemo", F_OK));
	}
}

/*
 * While loaded with size=64M, free memory (MemFree and the per-CPU lists)
 * is about 64 MiB lower; after unload
 * it is back within TOLERANCE of where it was, also after several loads
 * with the whole device mapped and touched in between.
 */
TEST_F_TIMEOUT(lifecycle, memory_comes_back_after_unload, 300)
{
	size_t page = sysconf(_SC_PAGESIZE);
	long before, during, after;
	unsigned int i;
	char *m;
	int fd;

	if (sysconf(_SC_PHYS_PAGES) * page < 4 * BIG)
		SKIP(return, "needs 256 MiB of memory");
	before = mem_free();
	ASSERT_LT(0, before);
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, mmapdemo_load("size=64M strategy=insert"));
		fd = open(MMAPDEMO_DEV, O_RDWR);
		ASSERT_LE(0, fd);
		m = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, m);
		memset(m, 'm', BIG);
		ASSERT_EQ(0, munmap(m, BIG));
		close(fd);
		during = mem_free();
		ksft_print_msg("free before %ld KiB, loaded %ld KiB (-%ld KiB)\n",
			       before >> 10, during >> 10,
			       (before - during) >> 10);
		EXPECT_LT((long)(BIG - TOLERANCE), before - during);
		EXPECT_GT((long)(BIG + TOLERANCE), before - during);
		ASSERT_EQ(0, mmapdemo_unload());
	}
	after = mem_free();
	ksft_print_msg("free before %ld KiB, after unload %ld KiB (%+ld KiB), tolerance %lu KiB\n",
		       before >> 10, after >> 10, (after - before) >> 10,
		       TOLERANCE >> 10);
	EXPECT_GT((long)TOLERANCE, labs(before - after));
}

#define BAR_CYCLES	20
#define BAR_SECONDS	240	/* at most, after at least 5 cycles */
#define DRV		"/sys/bus/pci/drivers/mmapdemo"
#define MM_SLACK	4	/* mm_structs: processes of the system */

static long unreclaimable_slab(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "SUnreclaim: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool wait_path(const char *path, bool present)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if ((access(path, F_OK) == 0) == present)
			return true;
		usleep(10000);
	}
	return false;
}

/* What one cycle holds of the device across its revocation. */
struct bar_use {
	int fd[3];
	char *map[3];
	size_t len[3];
	pid_t child;
};

static const __u32 bar_strategies[3] = {
	MMAPDEMO_STRATEGY_FAULT, MMAPDEMO_STRATEGY_REMAP,
	MMAPDEMO_STRATEGY_HUGE,
};

/*
 * Open a file per strategy, map it (huge: 2 MiB, a block one PMD entry
 * can map where the kernel has them), write a pattern through it; and fork a child that maps the
 * device itself and waits, having dropped what it inherited of @prev (the
 * device before, if any): its files and mappings.  0 or the step that
 * failed.
 */
static int bar_use_start(struct bar_use *u, unsigned int cycle,
			 const struct bar_use *prev)
{
	size_t page = sysconf(_SC_PAGESIZE);
	int i, pipefd[2];
	char c;

	for (i = 0; i < 3; i++) {
		__u32 s = bar_strategies[i];

		/* remap maps a BAR from 6.16 on; fault in its place before. */
		if (s == MMAPDEMO_STRATEGY_REMAP && mmapdemo_remap_why(mmapdemo_dev))
			s = MMAPDEMO_STRATEGY_FAULT;
		u->len[i] = s == MMAPDEMO_STRATEGY_HUGE ? 2UL << 20 : 8 * page;
		u->fd[i] = mmapdemo_open_strategy(O_RDWR, s);
		if (u->fd[i] < 0)
			return 1;
		u->map[i] = mmap(NULL, u->len[i], PROT_READ | PROT_WRITE,
				 MAP_SHARED, u->fd[i], 0);
		if (u->map[i] == MAP_FAILED)
			return 2;
		/* Page i + 4: away from bar_test's page 0 and 1. */
		u->map[i][(i + 4) * page] = (char)(cycle + i);
	}
	for (i = 0; i < 3; i++)
		if (u->map[(i + 1) % 3][(i + 4) * page] != (char)(cycle + i))
			return 3;
	if (pipe(pipefd))
		return 4;
	u->child = fork();
	if (u->child < 0)
		return 5;
	if (u->child == 0) {
		int fd;
		char *m;

		/* Not the mappings and files of the device before. */
		for (i = 0; prev && i < 3; i++) {
			munmap(prev->map[i], prev->len[i]);
			close(prev->fd[i]);
		}
		fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_FAULT);
		m = fd < 0 ? MAP_FAILED :
			     mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);

		c = 'x';
		if (m != MAP_FAILED && !mmapdemo_probe_read(m, &c))
			c = 'm';
		if (write(pipefd[1], &c, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1 || c != 'm')
		return 6;
	close(pipefd[0]);
	return 0;
}

/* After the revocation: SIGBUS and ENODEV; then close it all.  0 or step. */
static int bar_use_end(struct bar_use *u)
{
	int i, status;
	char c;

	for (i = 0; i < 3; i++) {
		if (mmapdemo_probe_read(u->map[i], &c) != SIGBUS)
			return 11;
		if (pread(u->fd[i], &c, 1, 0) != -1 || errno != ENODEV)
			return 12;
	}
	for (i = 0; i < 3; i++) {
		if (munmap(u->map[i], u->len[i]))
			return 13;
		if (close(u->fd[i]))
			return 14;
	}
	if (kill(u->child, SIGKILL) || waitpid(u->child, &status, 0) != u->child)
		return 15;
	return 0;
}

/* The DMA devices that exist (one per edu, dma.rst), each with an inode. */
static long dma_devices(void)
{
	glob_t g;
	long n;

	if (glob("/sys/class/misc/mmapdemo-dma-*", 0, NULL, &g))
		return 0;
	n = (long)g.gl_pathc;
	globfree(&g);
	return n;
}

TEST_F_TIMEOUT(lifecycle, bar_remove_rescan_unbind_bind_leak_nothing, 600)
{
	char path[64], bdf[24], attr[128];
	long devs, inodes, mms = -1, slab, n;
	double start = seconds_now();
	struct bar_use u, next;
	unsigned int cycle;
	int step;

	ASSERT_EQ(0, mmapdemo_load("")) TH_LOG("%s", strerror(errno));
	if (mmapdemo_find_bar(MMAPDEMO_IVSHMEM_VENDOR, MMAPDEMO_IVSHMEM_DEVICE,
			      path, sizeof(path), bdf, sizeof(bdf)))
		SKIP(return, MMAPDEMO_BAR_HINT("ivshmem-plain"));
	mmapdemo_dev = path;
	/*
	 * The RAM device and each bound BAR device; an inode per device,
	 * and one per DMA device (an edu's).
	 */
	devs = mmapdemo_read_long(DRV "/devices_alive", 10);
	inodes = mmapdemo_read_long(DRV "/inodes_alive", 10);
	ASSERT_LE(2, devs);
	ASSERT_EQ(devs + dma_devices(), inodes);
	write_proc("/proc/sys/vm/drop_caches", "3");
	mms = mmapdemo_slab_objects("mm_struct");
	slab = unreclaimable_slab();

	memset(&u, 0, sizeof(u));
	step = bar_use_start(&u, 0, NULL);
	ASSERT_EQ(0, step);
	for (cycle = 0; cycle < BAR_CYCLES; cycle++) {
		if (cycle >= 5 && seconds_now() - start > BAR_SECONDS)
			break;
		if (cycle & 1) {
			ASSERT_EQ(0, mmapdemo_write_file(DRV "/unbind", bdf));
		} else {
			snprintf(attr, sizeof(attr),
				 "/sys/bus/pci/devices/%s/remove", bdf);
			ASSERT_EQ(0, mmapdemo_write_file(attr, "1"));
		}
		ASSERT_TRUE(wait_path(path, false));
		/* Removed, but its files hold it: one device more. */
		EXPECT_EQ(devs, mmapdemo_read_long(DRV "/devices_alive", 10));
		if (cycle & 1) {
			ASSERT_EQ(0, mmapdemo_write_file(DRV "/bind", bdf));
		} else {
			ASSERT_EQ(0, mmapdemo_write_file("/sys/bus/pci/rescan",
							 "1"));
		}
		ASSERT_TRUE(wait_path(path, true)) TH_LOG("cycle %u", cycle);
		EXPECT_EQ(devs + 1, mmapdemo_read_long(DRV "/devices_alive", 10))
			TH_LOG("cycle %u", cycle);
		EXPECT_EQ(inodes + 1, mmapdemo_read_long(DRV "/inodes_alive", 10))
			TH_LOG("cycle %u", cycle);
		/* The new device is mapped before the old one is let go. */
		memset(&next, 0, sizeof(next));
		step = bar_use_start(&next, cycle + 1, &u);
		ASSERT_EQ(0, step) TH_LOG("cycle %u", cycle);
		step = bar_use_end(&u);
		ASSERT_EQ(0, step) TH_LOG("cycle %u", cycle);
		/* The last file of the old device is gone, and with it the device. */
		EXPECT_EQ(devs, mmapdemo_read_long(DRV "/devices_alive", 10))
			TH_LOG("cycle %u", cycle);
		EXPECT_EQ(inodes, mmapdemo_read_long(DRV "/inodes_alive", 10))
			TH_LOG("cycle %u", cycle);
		u = next;
	}
	/* The live device's files and mappings go the ordinary way. */
	for (step = 0; step < 3; step++) {
		EXPECT_EQ(0, munmap(u.map[step], u.len[step]));
		EXPECT_EQ(0, close(u.fd[step]));
	}
	kill(u.child, SIGKILL);
	waitpid(u.child, NULL, 0);
	EXPECT_EQ(devs, mmapdemo_read_long(DRV "/devices_alive", 10));
	EXPECT_EQ(inodes, mmapdemo_read_long(DRV "/inodes_alive", 10));

	write_proc("/proc/sys/vm/drop_caches", "3");
	usleep(200000);
	n = mmapdemo_slab_objects("mm_struct");
	ksft_print_msg("%u cycles in %.0f s; mm_struct objects %ld -> %ld; SUnreclaim %ld -> %ld KiB\n",
		       cycle, seconds_now() - start, mms, n, slab,
		       unreclaimable_slab());
	if (mms < 0)
		ksft_print_msg("no mm_struct line in /proc/slabinfo (no CONFIG_SLUB_DEBUG, or merged): mm check left out\n");
	else
		EXPECT_GE(mms + MM_SLACK, n) TH_LOG("%u cycles kept mms", cycle);
	/* Everything mmapdemo made is gone with it. */
	ASSERT_EQ(0, mmapdemo_unload()) TH_LOG("%s", strerror(errno));
	EXPECT_NE(0, access(DRV, F_OK));
}

MMAPDEMO_HARNESS_MAIN
