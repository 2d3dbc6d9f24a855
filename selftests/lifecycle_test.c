// SPDX-License-Identifier: GPL-2.0
/*
 * The module's life over many loads: load and unload again and again with
 * mappings of every strategy made and dropped in between, and the memory
 * the module takes given back whole when it unloads.  Refused rmmod, bad
 * parameters and unprivileged opens are in module_test.c and file_test.c.
 *
 * Needs root and the module's path in $LAB_MODULE (the lab sets it);
 * leaves the module loaded with its defaults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>

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

TEST_HARNESS_MAIN
