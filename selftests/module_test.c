// SPDX-License-Identifier: GPL-2.0
/*
 * The module's life: parameters good and bad, reloading, and rmmod refused
 * while a file or a mapping of the device is alive.  Needs root and the
 * module's path in $LAB_MODULE (the lab sets it); leaves the module loaded
 * with its defaults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

static int load(const char *params)
{
	const char *path = getenv("LAB_MODULE");
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(SYS_delete_module, "mmapdemo", O_NONBLOCK);
}

static bool loaded(void)
{
	return access("/sys/module/mmapdemo", F_OK) == 0;
}

FIXTURE(module)
{
	int unused;
};

FIXTURE_SETUP(module)
{
	if (getuid() != 0)
		SKIP(return, "loading modules needs root");
	if (!getenv("LAB_MODULE") || access(getenv("LAB_MODULE"), R_OK))
		SKIP(return, "set LAB_MODULE to the path of mmapdemo.ko");
	if (loaded())
		ASSERT_EQ(0, unload()) TH_LOG("unload: %s", strerror(errno));
}

FIXTURE_TEARDOWN(module)
{
	/* Leave the module as the next test program expects it. */
	if (getuid() == 0 && getenv("LAB_MODULE")) {
		if (loaded())
			unload();
		load("");
	}
}

TEST_F(module, parameters_shape_the_device)
{
	struct mmapdemo_info info;
	int fd;

	ASSERT_EQ(0, load("size=1M strategy=remap"));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	info = mmapdemo_info(fd);
	EXPECT_EQ(1ULL << 20, info.size);
	EXPECT_EQ((__u32)MMAPDEMO_STRATEGY_REMAP, info.default_strategy);
	EXPECT_EQ((__u32)MMAPDEMO_STRATEGY_REMAP, info.strategy);
	close(fd);
	ASSERT_EQ(0, unload());

	/* Sizes round up to whole pages. */
	ASSERT_EQ(0, load("size=12345 strategy=insert"));
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
		EXPECT_EQ(-1, load(bad[i])) TH_LOG("%s loaded", bad[i]);
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s: %s", bad[i], strerror(errno));
		EXPECT_FALSE(loaded()) TH_LOG("%s left the module", bad[i]);
		if (loaded())
			unload();
	}
	/* And the defaults still load afterwards. */
	EXPECT_EQ(0, load(""));
}

TEST_F(module, too_much_memory_is_enomem)
{
	/* More than half of RAM: refused before a page is taken, and never
	 * an OOM kill or an allocation-failure splat.
	 */
	if (sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE) >= (2L << 30))
		SKIP(return, "1G is less than half of this machine's memory");
	EXPECT_EQ(-1, load("size=1G"));
	EXPECT_EQ(ENOMEM, errno);
	EXPECT_FALSE(loaded());
}

TEST_F(module, reload_gives_a_zeroed_buffer)
{
	char buf[4096], zero[4096] = { 0 };
	int fd;

	ASSERT_EQ(0, load(""));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	memset(buf, 'z', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), pwrite(fd, buf, sizeof(buf), 8192));
	close(fd);
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(""));
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

	ASSERT_EQ(0, load(""));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	EXPECT_EQ(-1, unload());
	EXPECT_EQ(EWOULDBLOCK, errno);

	/* The mapping holds the file, and the file holds the module. */
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	close(fd);
	EXPECT_EQ(-1, unload());
	EXPECT_EQ(EWOULDBLOCK, errno);
	m[0] = 'x';
	EXPECT_TRUE(loaded());

	ASSERT_EQ(0, munmap(m, 4096));
	EXPECT_EQ(0, unload()) TH_LOG("unload: %s", strerror(errno));
	EXPECT_FALSE(loaded());
}

TEST_F(module, sysfs_counters_match_the_ioctl)
{
	static const char *const names[] = {
		"mmaps", "faults", "fault_sigbus", "mkwrites", "eager_pages",
		"vma_opens", "vma_closes", "live_vmas",
	};
	struct mmapdemo_stats st;
	__u64 *vals = (__u64 *)&st;
	char path[128], buf[32] = { 0 };
	unsigned int i;
	char *m;
	int fd, sfd;

	ASSERT_EQ(0, load("size=64K"));
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

TEST_HARNESS_MAIN
