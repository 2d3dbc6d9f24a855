// SPDX-License-Identifier: GPL-2.0
/*
 * The module's life: parameters good and bad, reloading, and rmmod refused
 * while a file or a mapping of the device is alive.  Needs root and the
 * module's path in $LAB_MODULE (the lab sets it); leaves the module loaded
 * with its defaults.
 */
#include <dirent.h>
#include <limits.h>
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

/*
 * A PCI device of none of mmapdemo's kinds, with no driver bound: its
 * address in @bdf.  False if there is none.
 */
static bool foreign_pci_device(char *bdf, size_t size)
{
	char path[PATH_MAX];
	long vendor, device;
	struct dirent *e;
	bool found = false;
	DIR *d;

	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver",
			 e->d_name);
		if (!access(path, F_OK))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vendor",
			 e->d_name);
		vendor = mmapdemo_read_hex(path);
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/device",
			 e->d_name);
		device = mmapdemo_read_hex(path);
		/* ivshmem-plain and edu, the ID table's, or unreadable. */
		if (vendor < 0 || device < 0 ||
		    (vendor == 0x1af4 && device == 0x1110) ||
		    (vendor == 0x1234 && device == 0x11e8))
			continue;
		snprintf(bdf, size, "%s", e->d_name);
		found = true;
	}
	closedir(d);
	return found;
}

/*
 * driver_override binds any device to any driver, and the PCI core then
 * hands the probe its catch-all ID, whose driver_data is 0: the probe
 * must refuse a device that is not of its kinds, not take it for one.
 */
TEST_F(module, binding_a_device_of_no_kind_is_refused)
{
	char bdf[NAME_MAX + 1], path[PATH_MAX], node[PATH_MAX];
	int ret;

	ASSERT_EQ(0, mmapdemo_load(""));
	if (!foreign_pci_device(bdf, sizeof(bdf)))
		SKIP(return, "no PCI device without a driver that is not mmapdemo's");
	TH_LOG("binding %s", bdf);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver_override",
		 bdf);
	ASSERT_EQ(0, mmapdemo_write_file(path, "mmapdemo"))
		TH_LOG("%s: %s", path, strerror(errno));
	ret = mmapdemo_write_file("/sys/bus/pci/drivers/mmapdemo/bind", bdf);
	EXPECT_EQ(-1, ret);
	EXPECT_EQ(ENODEV, errno) TH_LOG("bind: %s", strerror(errno));
	EXPECT_EQ(0, mmapdemo_write_file(path, "\n"));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	EXPECT_NE(0, access(path, F_OK)) TH_LOG("%s has a driver now", bdf);
	snprintf(node, sizeof(node), "/dev/mmapdemo-%s", bdf);
	EXPECT_NE(0, access(node, F_OK)) TH_LOG("%s exists", node);
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
 * A failure of the core after the driver's part.  On 7.x (->mmap_prepare)
 * the core makes the VMA after the driver's hook (vm_area_alloc(),
 * vma_iter_prealloc()) and then runs the driver's action, whose page
 * tables it allocates, unmapping the new VMA if that fails (7.3 mm/vma.c
 * __mmap_region(), mm/util.c mmap_action_finish()).  Only allocation
 * failures can cause these, so the test needs a kernel with fault
 * injection (the lab's debug kernels): /proc/thread-self/fail-nth makes the
 * n-th allocation of one system call fail, for n = 1, 2, 3, ... until an
 * mmap() passes every allocation.  Every failed mmap() must leave the
 * device as it was: the counters, the mmapdemo_mmap tracepoint, the
 * file's strategy (not fixed), and no VMA.
 *
 * That some of these failures come after the driver's hook is counted,
 * not assumed: fail-nth, read back, tells how many allocations a system
 * call passed.  An mmap() that the driver refuses in its hook (an offset
 * past the device's end, its first check) passes every allocation the
 * core makes before the hook, and the hook itself allocates nothing
 * here (the BAR device's list of mms already holds this mm, from a first
 * mapping), so a failure at an n beyond that count is a failure after
 * the hook.
 */
#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define FAULT_DEBUGFS	"/sys/kernel/debug/"
#define TRACEFS		"/sys/kernel/tracing"
/* Far from every other mapping, so that the action needs page tables. */
#define CORE_FAIL_ADDR	((void *)0x500000000000UL)

/* failslab and fail_page_alloc for fail-nth, and their previous values. */
static struct {
	const char *knob, *val;
	char old[32];
} fault_knobs[] = {
	/* GFP_KERNEL allocations too, the mmap path's. */
	{ .knob = "failslab/ignore-gfp-wait", .val = "N" },
	{ .knob = "fail_page_alloc/ignore-gfp-wait", .val = "N" },
	{ .knob = "fail_page_alloc/ignore-gfp-highmem", .val = "N" },
	/* Page tables are order 0; the default is 1. */
	{ .knob = "fail_page_alloc/min-order", .val = "0" },
	/* No line, no stack trace in the kernel log for an injected failure. */
	{ .knob = "failslab/verbose", .val = "0" },
	{ .knob = "fail_page_alloc/verbose", .val = "0" },
};

static int read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* Set the knobs, saving the old values; -1 if one is missing. */
static int fault_knobs_set(void)
{
	char path[128];
	unsigned int i;

	for (i = 0; i < sizeof(fault_knobs) / sizeof(fault_knobs[0]); i++) {
		snprintf(path, sizeof(path), FAULT_DEBUGFS "%s", fault_knobs[i].knob);
		if (read_small(path, fault_knobs[i].old, sizeof(fault_knobs[i].old)))
			return -1;
	}
	for (i = 0; i < sizeof(fault_knobs) / sizeof(fault_knobs[0]); i++) {
		snprintf(path, sizeof(path), FAULT_DEBUGFS "%s", fault_knobs[i].knob);
		if (mmapdemo_write_file(path, fault_knobs[i].val))
			return -1;
	}
	return 0;
}

static void fault_knobs_restore(void)
{
	char path[128];
	unsigned int i;

	for (i = 0; i < sizeof(fault_knobs) / sizeof(fault_knobs[0]); i++) {
		snprintf(path, sizeof(path), FAULT_DEBUGFS "%s", fault_knobs[i].knob);
		if (fault_knobs[i].old[0])
			mmapdemo_write_file(path, fault_knobs[i].old);
	}
}

/*
 * mmap() @len bytes of @fd at CORE_FAIL_ADDR from device page @pgoff with
 * the @nth allocation of the call made to fail.  Returns the mapping or
 * MAP_FAILED (errno set), and in @left what fail-nth says afterwards: 0
 * if the failure was injected, else @nth less the allocations passed.
 */
static void *mmap_fail_nth(int nth_fd, unsigned int nth, int fd, size_t len,
			   off_t off, unsigned int *left)
{
	char buf[16];
	void *m;
	int err;
	ssize_t n;

	n = snprintf(buf, sizeof(buf), "%u", nth);
	if (pwrite(nth_fd, buf, n, 0) != n) {
		*left = ~0U;
		return MAP_FAILED;
	}
	m = mmap(CORE_FAIL_ADDR, len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_FIXED_NOREPLACE, fd, off);
	err = errno;
	memset(buf, 0, sizeof(buf));
	n = pread(nth_fd, buf, sizeof(buf) - 1, 0);
	/* Nothing after this may fail by injection. */
	if (pwrite(nth_fd, "0", 1, 0) != 1 || n <= 0)
		*left = ~0U;
	else
		*left = strtoul(buf, NULL, 10);
	errno = err;
	return m;
}

/* Whether /proc/self/maps has a VMA of @path. */
static bool maps_has(const char *path)
{
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");
	size_t plen = strlen(path);

	if (!f)
		return true;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, path);

		/* /dev/mmapdemo, not /dev/mmapdemo-0000:00:04.0 */
		if (p && (p[plen] == '\n' || p[plen] == ' ' || !p[plen]))
			found = true;
	}
	fclose(f);
	return found;
}

/* Lines of the trace buffer with "mmapdemo_mmap: start=CORE_FAIL_ADDR". */
static int traced_mmaps(void)
{
	char want[64], buf[4096], *p;
	size_t carry = 0, wlen;
	int fd, count = 0;
	ssize_t n;

	snprintf(want, sizeof(want), "mmapdemo_mmap: start=%p ", CORE_FAIL_ADDR);
	wlen = strlen(want);
	fd = open(TRACEFS "/trace", O_RDONLY);
	if (fd < 0)
		return -1;
	/* Keep the last wlen - 1 bytes so that a match across reads counts. */
	while ((n = read(fd, buf + carry, sizeof(buf) - 1 - carry)) > 0) {
		size_t len = carry + n;

		buf[len] = 0;
		for (p = buf; (p = strstr(p, want)); p += wlen)
			count++;
		carry = len >= wlen ? wlen - 1 : len;
		memmove(buf, buf + len - carry, carry);
	}
	close(fd);
	return count;
}

struct core_fail_result {
	unsigned int before_hook;	/* allocations before the hook */
	unsigned int warmups;		/* first mappings, traced too */
	unsigned int passes;		/* allocations of a whole mmap() */
	unsigned int failed;		/* mmap()s failed by injection */
	unsigned int failed_after_hook;	/* of those, past the hook */
	unsigned int succeeded;		/* mmap()s that passed */
	bool failed_at[1024];		/* n of each failed mmap() */
};

/*
 * The allocations an mmap() of @fd passes when the driver refuses it at
 * its first check, an offset at the device's end (@size): those the core
 * makes before the hook, and any of its way out.  0 if unknown.
 */
static unsigned int allocations_before_hook(struct __test_metadata *_metadata,
					    int nth_fd, int fd, __u64 size)
{
	unsigned int left;
	void *m;

	m = mmap_fail_nth(nth_fd, 1000000, fd, sysconf(_SC_PAGESIZE), size,
			  &left);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EINVAL, errno);
	/* Not failed by injection: the driver refused it. */
	EXPECT_NE(0U, left);
	EXPECT_NE(~0U, left);
	if (m != MAP_FAILED || !left || left == ~0U)
		return 0;
	return 1000000 - left;
}

/*
 * The errno of an mmap() that an injected allocation failure failed:
 * ENOMEM, except where the kernel says otherwise (7.3 mm/memory.c):
 * insert_pages(), behind vm_insert_pages() and the map_kernel_pages
 * action, returns EFAULT when a page table above the PTE level cannot be
 * allocated (walk_to_pmd()), and pfnmap_track_ctx_alloc(), behind
 * remap_pfn_range() of memory without struct pages (a BAR), turns any
 * failure of x86 PAT's pfnmap_track() into EINVAL.
 */
static bool injected_errno(int err, __u32 strategy, bool bar)
{
	return err == ENOMEM ||
	       (err == EFAULT && strategy == MMAPDEMO_STRATEGY_INSERT) ||
	       (err == EINVAL && strategy == MMAPDEMO_STRATEGY_REMAP && bar);
}

/*
 * Run the fail-nth loop on @path with @strategy; EXPECT that every failed
 * mmap() changed nothing.
 */
static void core_fail_loop(struct __test_metadata *_metadata, int nth_fd,
			   const char *path, __u32 strategy,
			   struct core_fail_result *res)
{
	struct mmapdemo_set_strategy req = { .strategy = strategy };
	struct mmapdemo_stats before, after;
	long page = sysconf(_SC_PAGESIZE);
	unsigned int nth, left;
	__u64 size;
	void *m;
	bool bar = strcmp(path, MMAPDEMO_DEV) != 0;
	int fd;

	memset(res, 0, sizeof(*res));
	/* The device mmapdemo_open_strategy() opens. */
	mmapdemo_dev = path;
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(0, ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
	size = mmapdemo_info(fd).size;

	/* A first mapping: the BAR device records this mm now, not later. */
	m = mmap(CORE_FAIL_ADDR, page, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE,
		 fd, 0);
	ASSERT_EQ(CORE_FAIL_ADDR, m);
	ASSERT_EQ(0, munmap(m, page));
	res->warmups++;
	res->before_hook = allocations_before_hook(_metadata, nth_fd, fd, size);
	close(fd);
	/* A new file, whose strategy nothing has fixed yet. */
	fd = mmapdemo_open_strategy(O_RDWR, strategy);
	ASSERT_LE(0, fd);

	for (nth = 1; nth < sizeof(res->failed_at); nth++) {
		before = mmapdemo_stats(fd);
		m = mmap_fail_nth(nth_fd, nth, fd, page, 0, &left);
		if (m != MAP_FAILED) {
			ASSERT_EQ(CORE_FAIL_ADDR, m);
			ASSERT_NE(~0U, left);
			/* Counted once; passed, or a failure the core tolerated. */
			after = mmapdemo_stats(fd);
			EXPECT_EQ(before.mmaps + 1, after.mmaps);
			EXPECT_EQ(before.live_vmas + 1, after.live_vmas);
			ASSERT_EQ(0, munmap(m, page));
			res->succeeded++;
			if (left) {
				res->passes = nth - left;
				break;
			}
			/* A new file again: this one's strategy is fixed. */
			close(fd);
			fd = mmapdemo_open_strategy(O_RDWR, strategy);
			ASSERT_LE(0, fd);
			continue;
		}
		/* Only the injected failure may fail it. */
		EXPECT_TRUE(injected_errno(errno, strategy, bar))
		TH_LOG("n=%u: %s", nth, strerror(errno));
		EXPECT_EQ(0U, left) TH_LOG("n=%u failed with %u left", nth, left);
		res->failed++;
		res->failed_at[nth] = true;
		after = mmapdemo_stats(fd);
		EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)))
		TH_LOG("n=%u: mmaps %llu -> %llu, live_vmas %llu -> %llu, eager_pages %llu -> %llu",
		       nth, (unsigned long long)before.mmaps,
		       (unsigned long long)after.mmaps,
		       (unsigned long long)before.live_vmas,
		       (unsigned long long)after.live_vmas,
		       (unsigned long long)before.eager_pages,
		       (unsigned long long)after.eager_pages);
		EXPECT_EQ(0U, mmapdemo_info(fd).flags & MMAPDEMO_INFO_MAPPED)
		TH_LOG("n=%u: the file is marked mapped", nth);
		/* Nothing fixed the strategy: it may still change. */
		EXPECT_EQ(0, ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req))
		TH_LOG("n=%u: SET_STRATEGY: %s", nth, strerror(errno));
		EXPECT_FALSE(maps_has(path)) TH_LOG("n=%u: a VMA of %s is left", nth, path);
	}
	EXPECT_NE(0U, res->passes) TH_LOG("no mmap() passed in %u tries", nth);
	/* Measured again, in the state the loop ends in: the larger counts. */
	nth = allocations_before_hook(_metadata, nth_fd, fd, size);
	if (nth > res->before_hook) {
		TH_LOG("%u allocations before the hook now, %u at first", nth,
		       res->before_hook);
		res->before_hook = nth;
	}
	close(fd);
	for (nth = res->before_hook + 1; nth < sizeof(res->failed_at); nth++)
		res->failed_after_hook += res->failed_at[nth];
}

/*
 * x86 before 6.16 tracks a remap_pfn_range() over a whole VMA with VM_PAT.
 * When an allocation inside remap_pfn_range() fails before the first PTE
 * is written, its cleanup (remap_pfn_range_notrack() ->
 * zap_page_range_single() -> untrack_pfn()) finds no PTE to learn the PFN
 * from, and get_pat_info() WARNs: a bug of the core (6.1 and 6.12 have the
 * same code), which 6.16's pfnmap tracking rework removed.  Injecting
 * failures into the remap strategy's ->mmap there would fail the
 * kernel-log gate for the core's sake.  A version check, as user space
 * cannot see VM_PAT: a kernel with the rework backported only loses this
 * part of the test, and says so.
 */
static bool remap_failure_warns(void)
{
	unsigned int major, minor;
	struct utsname u;

	if (uname(&u) || strcmp(u.machine, "x86_64") ||
	    sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major < 6 || (major == 6 && minor < 16);
}

TEST_F(module, core_failure_after_the_driver_changes_nothing)
{
	static const struct {
		const char *name;
		__u32 strategy, feature;
	} strategies[] = {
		{ "fault", MMAPDEMO_STRATEGY_FAULT, MMAPDEMO_FEATURE_FAULT },
		{ "remap", MMAPDEMO_STRATEGY_REMAP, MMAPDEMO_FEATURE_REMAP },
		{ "insert", MMAPDEMO_STRATEGY_INSERT, MMAPDEMO_FEATURE_INSERT },
		{ "huge", MMAPDEMO_STRATEGY_HUGE, MMAPDEMO_FEATURE_HUGE },
	};
	char bar[64], front_end[32] = "";
	const char *paths[2] = { MMAPDEMO_DEV, bar };
	struct core_fail_result res;
	unsigned int d, s, ndev = 1, after_hook = 0, successes = 0;
	bool prepare;
	int nth_fd, fd, traced;
	__u32 features;

	if (access(FAIL_NTH, F_OK))
		SKIP(return, "no fault injection on this kernel (" FAIL_NTH
		     " is missing: CONFIG_FAULT_INJECTION is off, as in Debian's"
		     " kernels; the lab's debug kernels have it)");
	if (access(FAULT_DEBUGFS "failslab", F_OK) ||
	    access(FAULT_DEBUGFS "fail_page_alloc", F_OK))
		SKIP(return, "no " FAULT_DEBUGFS "failslab or fail_page_alloc"
		     " (CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC,"
		     " CONFIG_FAULT_INJECTION_DEBUG_FS, debugfs mounted)");
	if (access(TRACEFS "/events", F_OK))
		SKIP(return, "no " TRACEFS ": mount tracefs");
	ASSERT_EQ(0, mmapdemo_load("size=64K"));
	ASSERT_EQ(0, read_small("/sys/class/misc/mmapdemo/front_end", front_end,
				sizeof(front_end)));
	prepare = !strcmp(front_end, "mmap_prepare");
	if (!mmapdemo_find_bar(MMAPDEMO_IVSHMEM_VENDOR, MMAPDEMO_IVSHMEM_DEVICE,
			       bar, sizeof(bar), NULL, 0))
		ndev = 2;
	else
		TH_LOG("%s: the RAM device only", MMAPDEMO_BAR_HINT("ivshmem-plain"));
	ASSERT_EQ(0, mmapdemo_write_file(TRACEFS "/trace", ""));
	ASSERT_EQ(0, mmapdemo_write_file(TRACEFS "/events/mmapdemo/mmapdemo_mmap/enable", "1"));
	nth_fd = open(FAIL_NTH, O_RDWR);
	ASSERT_LE(0, nth_fd);
	/*
	 * Restored at the end; a failed ASSERT leaves them set, which is
	 * harmless: they act only with fail-nth or a probability, both 0.
	 */
	if (fault_knobs_set()) {
		fault_knobs_restore();
		ASSERT_TRUE(false) TH_LOG("setting the fault injection: %s",
					  strerror(errno));
	}

	for (d = 0; d < ndev; d++) {
		fd = open(paths[d], O_RDWR);
		ASSERT_LE(0, fd);
		features = mmapdemo_info(fd).features;
		close(fd);
		for (s = 0; s < sizeof(strategies) / sizeof(strategies[0]); s++) {
			if (!(features & strategies[s].feature))
				continue;
			if (strategies[s].strategy == MMAPDEMO_STRATEGY_REMAP &&
			    remap_failure_warns()) {
				ksft_print_msg("%s remap: no failures injected: a failed allocation inside remap_pfn_range() WARNs in the core's get_pat_info() before 6.16 on x86\n",
					       paths[d]);
				continue;
			}
			core_fail_loop(_metadata, nth_fd, paths[d],
				       strategies[s].strategy, &res);
			TH_LOG("%s %s: an mmap() passes %u allocations, %u before the hook; %u failed by injection, %u of them after the hook; %u passed",
			       paths[d], strategies[s].name, res.passes,
			       res.before_hook, res.failed,
			       res.failed_after_hook, res.succeeded);
			after_hook += res.failed_after_hook;
			successes += res.succeeded + res.warmups;
			if (prepare)
				EXPECT_NE(0U, res.failed_after_hook)
				TH_LOG("no failure after ->mmap_prepare for %s",
				       strategies[s].name);
		}
	}
	fault_knobs_restore();
	close(nth_fd);
	mmapdemo_write_file(TRACEFS "/events/mmapdemo/mmapdemo_mmap/enable", "0");

	/* The tracepoint saw the mappings that exist, and only those. */
	traced = traced_mmaps();
	EXPECT_EQ((int)successes, traced);
	TH_LOG("front end %s: %u failures after the hook, %d mappings traced",
	       front_end, after_hook, traced);
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

/*
 * The fault strategy's handler maps one page per fault with
 * vm_insert_page() into a VM_MIXEDMAP VMA: no window around it (there is
 * no fault_around parameter any more), page_mkwrite on the first write to
 * each page, fork copying the PTEs (the child takes no fault), and copy on
 * write in a MAP_PRIVATE mapping without vmf->page.
 */
TEST_F(module, fault_maps_one_page_and_copies_on_write)
{
	long page = sysconf(_SC_PAGESIZE);
	struct mmapdemo_stats st, st2;
	char c = 0, *m, *p;
	pid_t pid;
	int fd, i, status;

	ASSERT_EQ(0, mmapdemo_load("size=256K"));
	EXPECT_NE(0, access("/sys/module/mmapdemo/parameters/fault_around",
			    F_OK));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(1, pwrite(fd, "D", 1, 3 * page));
	m = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);

	st = mmapdemo_stats(fd);
	for (i = 0; i < 8; i++)
		c |= m[i * page];
	st2 = mmapdemo_stats(fd);
	EXPECT_EQ(8ULL, st2.faults - st.faults);
	EXPECT_EQ(0ULL, st2.around_pages - st.around_pages);
	EXPECT_EQ('D', m[3 * page]);
	/* A write to a page read before: page_mkwrite, no fault. */
	m[7 * page] = 'W';
	st = mmapdemo_stats(fd);
	EXPECT_EQ(1ULL, st.mkwrites - st2.mkwrites);
	EXPECT_EQ(0ULL, st.faults - st2.faults);
	/* To an untouched page: a fault maps it read-only, then page_mkwrite. */
	m[9 * page] = 'w';
	st2 = mmapdemo_stats(fd);
	EXPECT_EQ(1ULL, st2.faults - st.faults);
	EXPECT_EQ(1ULL, st2.mkwrites - st.mkwrites);
	ASSERT_EQ(1, pread(fd, &c, 1, 9 * page));
	EXPECT_EQ('w', c);
	/* fork copies the PTEs of the VM_MIXEDMAP mapping: no fault. */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(m[3 * page] == 'D' && m[7 * page] == 'W' ? 0 : 1);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	st = mmapdemo_stats(fd);
	EXPECT_EQ(0ULL, st.faults - st2.faults);
	ASSERT_EQ(0, munmap(m, 16 * page));

	/* MAP_PRIVATE: a read maps the device page, a write copies it. */
	p = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	st = mmapdemo_stats(fd);
	EXPECT_EQ('D', p[3 * page]);
	p[3 * page] = 'P';
	EXPECT_EQ('P', p[3 * page]);
	/* A write to an untouched page: one fault, then the copy. */
	p[5 * page] = 'Q';
	EXPECT_EQ('Q', p[5 * page]);
	st2 = mmapdemo_stats(fd);
	EXPECT_EQ(2ULL, st2.faults - st.faults);
	EXPECT_EQ(0ULL, st2.mkwrites - st.mkwrites);
	ASSERT_EQ(1, pread(fd, &c, 1, 3 * page));
	EXPECT_EQ('D', c);
	ASSERT_EQ(1, pread(fd, &c, 1, 5 * page));
	EXPECT_EQ(0, c);
	/* A later device write no longer shows in the copied page. */
	ASSERT_EQ(1, pwrite(fd, "E", 1, 3 * page));
	EXPECT_EQ('P', p[3 * page]);
	ASSERT_EQ(0, munmap(p, 16 * page));
	close(fd);
	EXPECT_EQ(0, mmapdemo_unload());
}

MMAPDEMO_HARNESS_MAIN
