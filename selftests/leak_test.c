// SPDX-License-Identifier: GPL-2.0
/*
 * Nothing of the kernel's leaks out: every output struct comes back with
 * its reserved fields, its padding and its unused entries zero although the
 * caller filled it with 0xA5 first; a longer struct's tail is left as the
 * caller had it (Documentation/abi.rst); an unprivileged caller sees no
 * frame numbers; the sysfs files hold their value and a newline, nothing
 * more; and the trace events carry no kernel addresses.
 */
#include <ctype.h>
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

/*
 * Where user addresses end: 47 bits on x86-64 (4-level paging; 5-level
 * gives 56 only to a mapping asked for above), 52 on arm64 with
 * CONFIG_ARM64_VA_BITS=52 (Debian's 7.x; 48 on 6.1 and 6.12).  Kernel
 * addresses are above both.
 */
#ifdef __aarch64__
#define USER_ADDR_END (1ULL << 52)
#else
#define USER_ADDR_END 0x0000800000000000ULL
#endif

#define FILL		0xa5
#define TAIL		64
#define SYSFS		"/sys/class/misc/mmapdemo"
#define TRACEFS		"/sys/kernel/tracing"
#define WITH_SIZE(cmd, size) \
	(((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) | \
	 ((unsigned int)(size) << _IOC_SIZESHIFT))

static bool all_bytes(const void *p, int c, size_t n)
{
	const unsigned char *b = p;

	while (n--)
		if (*b++ != c)
			return false;
	return true;
}

FIXTURE(leak)
{
	int fd;
	size_t page;
};

FIXTURE_SETUP(leak)
{
	self->fd = open(MMAPDEMO_DEV, O_RDWR);
	if (self->fd < 0)
		MMAPDEMO_SETUP_SKIP(MMAPDEMO_HINT);
	self->page = sysconf(_SC_PAGESIZE);
}

FIXTURE_TEARDOWN(leak)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Every byte of struct mmapdemo_info is a field; none keeps the fill. */
TEST_F(leak, info_has_no_stale_bytes)
{
	struct {
		struct mmapdemo_info info;
		unsigned char tail[TAIL];
	} b;
	const __u32 all = MMAPDEMO_FEATURE_FAULT | MMAPDEMO_FEATURE_REMAP |
			  MMAPDEMO_FEATURE_INSERT |
			  MMAPDEMO_FEATURE_TRACEPOINTS | MMAPDEMO_FEATURE_WALK |
			  MMAPDEMO_FEATURE_DEFIO |
			  MMAPDEMO_FEATURE_DEFIO_WRPROTECT;

	/* No implicit padding: the fields add up to the struct. */
	ASSERT_EQ(6 * 4 + 8UL, sizeof(b.info));
	memset(&b, FILL, sizeof(b));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_INFO, &b.info));
	EXPECT_EQ((__u32)MMAPDEMO_ABI_VERSION, b.info.abi_version);
	EXPECT_GE((__u32)MMAPDEMO_STRATEGY_INSERT, b.info.strategy);
	EXPECT_GE((__u32)MMAPDEMO_STRATEGY_INSERT, b.info.default_strategy);
	EXPECT_EQ(0U, b.info.features & ~all);
	EXPECT_EQ(0U, b.info.flags & ~MMAPDEMO_INFO_MAPPED);
	EXPECT_EQ(self->page, (size_t)b.info.page_size);
	EXPECT_GT(1ULL << 31, b.info.size);
	EXPECT_TRUE(all_bytes(b.tail, FILL, TAIL));

	/* A newer caller's longer struct: the module's part, tail untouched. */
	memset(&b, FILL, sizeof(b));
	ASSERT_EQ(0, ioctl(self->fd, WITH_SIZE(MMAPDEMO_IOC_INFO, sizeof(b)), &b));
	EXPECT_EQ((__u32)MMAPDEMO_ABI_VERSION, b.info.abi_version);
	EXPECT_EQ(0U, b.info.flags & ~MMAPDEMO_INFO_MAPPED);
	EXPECT_EQ(0U, b.info.features & ~all);
	EXPECT_TRUE(all_bytes(b.tail, FILL, TAIL));
}

TEST_F(leak, stats_have_no_stale_bytes)
{
	struct {
		struct mmapdemo_stats st;
		unsigned char tail[TAIL];
	} b;
	__u64 *v = (__u64 *)&b.st;
	const unsigned int n = sizeof(b.st) / sizeof(__u64);
	unsigned int i, j;

	/* Nothing but counters: no padding, no reserved field. */
	ASSERT_EQ(15 * 8UL, sizeof(b.st));
	for (i = 0; i < 2; i++) {
		memset(&b, FILL, sizeof(b));
		ASSERT_EQ(0, ioctl(self->fd,
				   i ? WITH_SIZE(MMAPDEMO_IOC_STATS, sizeof(b)) :
				       MMAPDEMO_IOC_STATS, &b));
		/* Counters since load, far below the fill's 0xa5a5... */
		for (j = 0; j < n; j++)
			EXPECT_GT(1ULL << 48, v[j]) TH_LOG("counter %u", j);
		EXPECT_EQ(b.st.mmaps + b.st.vma_opens - b.st.vma_closes,
			  b.st.live_vmas);
		EXPECT_TRUE(all_bytes(b.tail, FILL, TAIL));
	}
}

/*
 * A caller built before around_pages existed passes the first, shorter
 * struct: it gets the counters it knows and nothing is written past them.
 */
TEST_F(leak, stats_first_version_gets_no_more)
{
	const size_t first = offsetof(struct mmapdemo_stats, around_pages);
	unsigned char b[sizeof(struct mmapdemo_stats) + TAIL];
	struct mmapdemo_stats st;

	memset(b, FILL, sizeof(b));
	ASSERT_EQ(0, ioctl(self->fd, WITH_SIZE(MMAPDEMO_IOC_STATS, first), b));
	memcpy(&st, b, sizeof(st));
	EXPECT_EQ(st.mmaps + st.vma_opens - st.vma_closes, st.live_vmas);
	EXPECT_TRUE(all_bytes(b + first, FILL, sizeof(b) - first));
}

/* A walk's reserved fields and the levels it did not reach are zero. */
static void check_walk(struct __test_metadata *_metadata,
		       const struct mmapdemo_walk *w, bool frames)
{
	unsigned int i;

	EXPECT_EQ(0U, w->flags);
	EXPECT_EQ(0U, w->reserved);
	EXPECT_LE(1U, w->levels);
	EXPECT_GE((__u32)MMAPDEMO_LEVELS, w->levels);
	EXPECT_GE((__u32)MMAPDEMO_WALK_MAPPED, w->result);
	EXPECT_GE((__u32)MMAPDEMO_VMA_MMAPDEMO, w->vma_kind);
	EXPECT_GE((__u32)MMAPDEMO_STRATEGY_INSERT, w->vma_strategy);
	for (i = 0; i < MMAPDEMO_LEVELS; i++) {
		EXPECT_EQ(0U, w->entry[i].reserved) TH_LOG("level %u", i);
		EXPECT_EQ(0U, w->entry[i].bits & ~((MMAPDEMO_PTE_NX << 1) - 1));
		if (i >= w->levels)
			EXPECT_TRUE(all_bytes(&w->entry[i], 0, sizeof(w->entry[i])))
				TH_LOG("level %u beyond the walk's %u", i, w->levels);
		if (!frames) {
			/*
			 * Frame bits 12..51 hidden, as in /proc/PID/pagemap;
			 * on arm64 12..49, as 50 and 51 are GP and DBM.
			 */
			EXPECT_EQ(0ULL, w->entry[i].raw &
						(w->arch == MMAPDEMO_ARCH_ARM64 ?
							 0x0003fffffffff000ULL :
							 0x000ffffffffff000ULL))
				TH_LOG("level %u", i);
			EXPECT_EQ(0ULL, w->entry[i].pfn);
		}
	}
	if (!frames) {
		EXPECT_EQ(0ULL, w->pfn);
		EXPECT_EQ(0ULL, w->phys);
	}
	EXPECT_EQ(0U, w->reserved2);
	EXPECT_GE((__u32)MMAPDEMO_MEMTYPE_DEVICE_NGNRE, w->memtype);
	if (w->result == MMAPDEMO_WALK_HOLE) {
		EXPECT_EQ(0ULL, w->pfn | w->phys);
		EXPECT_EQ(0U, w->memtype);
	}
	if (w->vma_kind == MMAPDEMO_VMA_NONE)
		EXPECT_EQ(0ULL, w->vma_start | w->vma_end | w->vma_flags |
				  w->vma_vmflags | w->vma_pgoff |
				  w->vma_strategy);
	if (w->vma_kind != MMAPDEMO_VMA_MMAPDEMO)
		EXPECT_EQ(0U, w->vma_strategy);
}

/* Walks of a hole, an anonymous page and a device page, each pre-filled. */
static void walk_all(struct __test_metadata *_metadata, int fd, size_t page,
		     bool frames)
{
	struct {
		struct mmapdemo_walk w;
		unsigned char tail[TAIL];
	} b;
	char *anon, *dev, *hole;
	char *addrs[3];
	unsigned int i;

	anon = mmap(NULL, page, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	anon[0] = 1;
	dev = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, dev);
	(void)*(volatile char *)dev;
	hole = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, page));
	addrs[0] = hole;
	addrs[1] = anon;
	addrs[2] = dev;

	for (i = 0; i < 3; i++) {
		/*
		 * Input fields other than addr and flags are ignored, so
		 * they may hold the fill; a longer struct's tail must be
		 * zero going in, and is left alone.
		 */
		memset(&b, FILL, sizeof(b));
		b.w.addr = (uintptr_t)addrs[i];
		b.w.flags = 0;
		ASSERT_EQ(0, ioctl(fd, MMAPDEMO_IOC_WALK, &b.w));
		check_walk(_metadata, &b.w, frames);
		EXPECT_TRUE(all_bytes(b.tail, FILL, TAIL));

		memset(&b, FILL, sizeof(b));
		memset(b.tail, 0, TAIL);
		b.w.addr = (uintptr_t)addrs[i];
		b.w.flags = 0;
		ASSERT_EQ(0, ioctl(fd, WITH_SIZE(MMAPDEMO_IOC_WALK, sizeof(b)), &b));
		check_walk(_metadata, &b.w, frames);
		EXPECT_TRUE(all_bytes(b.tail, 0, TAIL));
	}
	munmap(anon, page);
	munmap(dev, page);
}

TEST_F(leak, walk_has_no_stale_bytes)
{
	if (!(mmapdemo_info(self->fd).features & MMAPDEMO_FEATURE_WALK))
		SKIP(return, "MMAPDEMO_IOC_WALK is x86-64 and arm64 only");
	walk_all(_metadata, self->fd, self->page, getuid() == 0);
}

/* An unprivileged caller with an open file sees no frame numbers. */
TEST_F(leak, walk_hides_frames_from_the_unprivileged)
{
	int status;
	pid_t pid;

	if (!(mmapdemo_info(self->fd).features & MMAPDEMO_FEATURE_WALK))
		SKIP(return, "MMAPDEMO_IOC_WALK is x86-64 and arm64 only");
	if (getuid() != 0)
		SKIP(return, "needs root to drop to an unprivileged user");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (mmapdemo_become_nobody())
			_exit(2);
		walk_all(_metadata, self->fd, self->page, false);
		_exit(_metadata->passed ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

/* A refused call (E2BIG, EINVAL) writes nothing back. */
TEST_F(leak, refused_calls_write_nothing)
{
	struct {
		struct mmapdemo_walk w;
		unsigned char tail[TAIL];
	} b, copy;

	memset(&b, FILL, sizeof(b));
	b.w.addr = (uintptr_t)&b;
	b.w.flags = 0;
	copy = b;
	EXPECT_EQ(-1, ioctl(self->fd, WITH_SIZE(MMAPDEMO_IOC_WALK, sizeof(b)), &b));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(0, memcmp(&b, &copy, sizeof(b)));

	b.w.flags = 1;
	copy = b;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_WALK, &b));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, memcmp(&b, &copy, sizeof(b)));
}

/*
 * Read a whole sysfs file; it must be @want if given, else digits; in
 * both cases with one newline at the end and nothing else.
 */
static void check_sysfs(struct __test_metadata *_metadata, const char *path,
			const char *want)
{
	char buf[4096];
	ssize_t n;
	int fd, i;

	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	memset(buf, FILL, sizeof(buf));
	n = read(fd, buf, sizeof(buf));
	ASSERT_LT(1, n) TH_LOG("%s", path);
	EXPECT_EQ('\n', buf[n - 1]) TH_LOG("%s", path);
	if (want) {
		EXPECT_EQ(strlen(want), (size_t)n) TH_LOG("%s", path);
		EXPECT_EQ(0, memcmp(want, buf, n)) TH_LOG("%s: %.*s", path, (int)n, buf);
	} else {
		for (i = 0; i < n - 1; i++)
			EXPECT_TRUE(isdigit((unsigned char)buf[i]))
				TH_LOG("%s: byte %d is %#x", path, i,
				       (unsigned char)buf[i]);
	}
	/* Nothing more to read. */
	EXPECT_EQ(0, read(fd, buf, sizeof(buf)));
	close(fd);
}

TEST(sysfs_holds_only_its_values)
{
	static const char *const counters[] = {
		"mmaps", "faults", "fault_sigbus", "mkwrites", "eager_pages",
		"vma_opens", "vma_closes", "live_vmas",
	};
	static const char *const strategies[] = { "fault\n", "remap\n", "insert\n" };
	char path[256], buf[64] = { 0 };
	unsigned int i;
	int fd;

	if (access(SYSFS, F_OK))
		SKIP(return, MMAPDEMO_HINT);
	check_sysfs(_metadata, SYSFS "/size", NULL);
	check_sysfs(_metadata, SYSFS "/backing", "kbuf\n");
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		snprintf(path, sizeof(path), SYSFS "/stats/%s", counters[i]);
		check_sysfs(_metadata, path, NULL);
	}
	check_sysfs(_metadata, "/sys/module/mmapdemo/parameters/size", NULL);

	fd = open("/sys/module/mmapdemo/parameters/strategy", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf) - 1));
	close(fd);
	for (i = 0; i < 3; i++)
		if (!strcmp(buf, strategies[i]))
			break;
	EXPECT_GT(3U, i) TH_LOG("parameters/strategy: '%s'", buf);
	check_sysfs(_metadata, "/sys/module/mmapdemo/parameters/strategy", buf);
}

/*
 * The events' fields are numbers, none a pointer, and the printed lines
 * hold no kernel address: every hex number is a user address or less.
 */
TEST(trace_events_carry_no_kernel_addresses)
{
	static char log[1 << 20];
	size_t page = sysconf(_SC_PAGESIZE), len = 0;
	char path[512], line[512], *m, *p, *end;
	unsigned long long v;
	unsigned int lines = 0;
	struct dirent *de;
	FILE *f;
	DIR *d;
	ssize_t n;
	int fd, tfd;

	if (access(TRACEFS "/events/mmapdemo", F_OK))
		SKIP(return, "no " TRACEFS "/events/mmapdemo: mount tracefs and load the module");

	/* No field of any event is a pointer. */
	d = opendir(TRACEFS "/events/mmapdemo");
	ASSERT_NE(NULL, d);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "mmapdemo_", 9))
			continue;
		snprintf(path, sizeof(path), TRACEFS "/events/mmapdemo/%s/format",
			 de->d_name);
		f = fopen(path, "r");
		ASSERT_NE(NULL, f) TH_LOG("%s", path);
		while (fgets(line, sizeof(line), f))
			if (strstr(line, "field:") && !strstr(line, "common_"))
				EXPECT_EQ(NULL, strchr(line, '*'))
					TH_LOG("%s: %s", de->d_name, line);
		fclose(f);
	}
	closedir(d);

	fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_FAULT);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mmapdemo_write_file(TRACEFS "/trace", ""));
	ASSERT_EQ(0, mmapdemo_write_file(TRACEFS "/events/mmapdemo/enable", "1"));
	m = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 1;
	m[page] = 2;
	munmap(m + page, page);			/* a split: vma_open */
	munmap(m, 3 * page);
	mmapdemo_write_file(TRACEFS "/events/mmapdemo/enable", "0");
	close(fd);

	tfd = open(TRACEFS "/trace", O_RDONLY);
	ASSERT_LE(0, tfd);
	while (len < sizeof(log) - 1 &&
	       (n = read(tfd, log + len, sizeof(log) - 1 - len)) > 0)
		len += n;
	close(tfd);
	log[len] = 0;

	for (p = strstr(log, "mmapdemo_"); p; p = strstr(end, "mmapdemo_")) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		lines++;
		for (char *q = p; q < end; q++) {
			if (q[0] != '0' || q[1] != 'x')
				continue;
			v = strtoull(q, NULL, 16);
			EXPECT_GT(USER_ADDR_END, v)
				TH_LOG("a kernel address in: %.*s", (int)(end - p), p);
		}
	}
	EXPECT_LE(4U, lines) TH_LOG("too few events:\n%s", log);
}

MMAPDEMO_HARNESS_MAIN
