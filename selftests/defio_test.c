// SPDX-License-Identifier: GPL-2.0
/*
 * The defio strategy: deferred I/O as fbdev does it.  A write to a mapped
 * page is recorded by page_mkwrite; a flush copies the dirty pages to the
 * device side (read back with MMAPDEMO_IOC_DEFIO_READ) after
 * write-protecting them again, so that the next write faults again.
 *
 * Each test loads the module itself, with the delayed work's delay at its
 * largest (1 h), so that no flush but the test's own runs while it looks
 * (the tests of the delayed work set their own delay).  A flush that
 * forgets to write-protect made every test here fail but the argument
 * checks (session 9, before removal_cancels_the_pending_work, which tests
 * the cancellation of the work instead: a removal that does not cancel
 * it makes it fail).
 *
 * The fixture's tests run twice: on the RAM device, and on the ivshmem
 * BAR device (variant bar; scripts/vm.sh -d ivshmem=FILE), where the
 * mapping shows shadow RAM pages and the device side that DEFIO_READ
 * reads is the BAR itself.  The bar_* tests are the BAR's own: a flush
 * reaches the BAR as its other mappings see it, and a removal under a
 * DEFIO mapping loses no write made before it and cancels the delayed
 * work, which never runs after it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define DELAY_PARAM "/sys/module/mmapdemo/parameters/defio_delay_ms"
#define ALIVE "/sys/bus/pci/drivers/mmapdemo/devices_alive"
#define TRACEFS "/sys/kernel/tracing"
#define REMOVED "defio_test: removal returned"
#define NPAGES 8

/* What both fixtures have: a DEFIO file and its mapping of NPAGES pages. */
struct defio_map {
	int fd;
	char *map;
	size_t page, len;
};

FIXTURE(defio)
{
	struct defio_map m;
};

FIXTURE_VARIANT(defio)
{
	bool bar;
};

FIXTURE_VARIANT_ADD(defio, ram)
{
	.bar = false,
};

FIXTURE_VARIANT_ADD(defio, bar)
{
	.bar = true,
};

/*
 * Load the module with the longest delay, then open the RAM device or the
 * ivshmem BAR device with DEFIO and map its first NPAGES pages.
 */
static void defio_map_setup(struct __test_metadata *_metadata,
			    struct defio_map *self, bool bar)
{
	const char *why;

	self->fd = -1;
	self->map = MAP_FAILED;
	mmapdemo_dev = MMAPDEMO_DEV;
	if (getuid() != 0)
		MMAPDEMO_SETUP_SKIP("loading modules needs root");
	if (!getenv("LAB_MODULE") || access(getenv("LAB_MODULE"), R_OK))
		MMAPDEMO_SETUP_SKIP("set LAB_MODULE to the path of mmapdemo.ko");
	if (mmapdemo_loaded())
		ASSERT_EQ(0, mmapdemo_unload())
			TH_LOG("unload: %s", strerror(errno));
	ASSERT_EQ(0, mmapdemo_load("defio_delay_ms=3600000"))
		TH_LOG("load: %s", strerror(errno));
	if (bar) {
		why = mmapdemo_need_ivshmem();
		if (why)
			MMAPDEMO_SETUP_SKIP("%s", why);
	}
	self->page = (size_t)sysconf(_SC_PAGESIZE);
	self->len = NPAGES * self->page;
	self->fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_DEFIO);
	ASSERT_LE(0, self->fd) TH_LOG("defio: %s", strerror(errno));
	self->map = mmap(NULL, self->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map) TH_LOG("mmap: %s", strerror(errno));
}

static void defio_map_teardown(struct defio_map *self)
{
	if (self->map != MAP_FAILED)
		munmap(self->map, self->len);
	if (self->fd >= 0)
		close(self->fd);
	/* Unloading cancels the delayed work, pending or not. */
	if (mmapdemo_loaded())
		mmapdemo_unload();
	mmapdemo_load("");
}

FIXTURE_SETUP(defio)
{
	defio_map_setup(_metadata, &self->m, variant->bar);
}

FIXTURE_TEARDOWN(defio)
{
	defio_map_teardown(&self->m);
}

/* Read the device side: 0 or -1 (errno). */
static int device_read(int fd, size_t offset, void *buf, size_t len)
{
	struct mmapdemo_defio_read req = {
		.offset = offset,
		.addr = (uintptr_t)buf,
		.len = len,
	};

	return ioctl(fd, MMAPDEMO_IOC_DEFIO_READ, &req);
}

/* The device side of [0, len) equals @want. */
static bool device_has(int fd, const char *want, size_t len)
{
	char *buf = malloc(len);
	bool same;

	if (!buf || device_read(fd, 0, buf, len)) {
		free(buf);
		return false;
	}
	same = !memcmp(buf, want, len);
	free(buf);
	return same;
}

TEST_F(defio, write_after_flush_faults_again)
{
	struct mmapdemo_stats a, b;
	volatile char *p = self->m.map;

	a = mmapdemo_stats(self->m.fd);
	p[0] = 1;
	p[1] = 2;
	b = mmapdemo_stats(self->m.fd);
	/* One first write: one page_mkwrite, one page dirty. */
	EXPECT_EQ(a.mkwrites + 1, b.mkwrites);
	EXPECT_EQ(a.defio_dirtied + 1, b.defio_dirtied);

	ASSERT_EQ(0, fsync(self->m.fd));
	a = mmapdemo_stats(self->m.fd);
	EXPECT_EQ(b.defio_flushed + 1, a.defio_flushed);
	EXPECT_EQ(b.defio_reprotected + 1, a.defio_reprotected);

	/* Write-protected again: the next write faults, and only that one. */
	p[2] = 3;
	p[3] = 4;
	b = mmapdemo_stats(self->m.fd);
	EXPECT_EQ(a.mkwrites + 1, b.mkwrites);
	EXPECT_EQ(a.defio_dirtied + 1, b.defio_dirtied);

	/* A flush with nothing dirty copies nothing. */
	ASSERT_EQ(0, fsync(self->m.fd));
	ASSERT_EQ(0, fsync(self->m.fd));
	a = mmapdemo_stats(self->m.fd);
	EXPECT_EQ(b.defio_flushed + 1, a.defio_flushed);
}

TEST_F(defio, msync_returns_after_the_data_reached_the_device)
{
	char *want = malloc(self->m.len);
	unsigned int round;

	ASSERT_NE(NULL, want);
	for (round = 1; round <= 3; round++) {
		mmapdemo_fill(want, self->m.len, round);
		memcpy(self->m.map, want, self->m.len);
		/* The delay is 1 h: nothing has flushed it yet. */
		EXPECT_FALSE(device_has(self->m.fd, want, self->m.len))
			TH_LOG("round %u: on the device before msync", round);
		ASSERT_EQ(0, msync(self->m.map, self->m.len, MS_SYNC));
		EXPECT_TRUE(device_has(self->m.fd, want, self->m.len))
			TH_LOG("round %u: not on the device after msync",
			       round);
	}
	free(want);
}

/* Three rounds of at most 30 s each, inside the harness's time limit. */
TEST_F_TIMEOUT(defio, delayed_work_flushes_each_write, 120)
{
	char *want = malloc(self->m.len);
	unsigned int round, waited;
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	const unsigned int limit = mmapdemo_scaled(30) * 100;

	ASSERT_NE(NULL, want);
	ASSERT_EQ(0, mmapdemo_write_file(DELAY_PARAM, "1"));
	for (round = 1; round <= 3; round++) {
		mmapdemo_fill(want, self->m.len, 10 + round);
		memcpy(self->m.map, want, self->m.len);
		for (waited = 0; waited < limit; waited++) {
			if (device_has(self->m.fd, want, self->m.len))
				break;
			nanosleep(&tick, NULL);
		}
		EXPECT_LT(waited, limit)
			TH_LOG("round %u: the work did not flush in %u s",
			       round, limit / 100);
	}
	free(want);
}

struct writer {
	char *map;
	size_t len;
	unsigned int id, nthreads, rounds;
};

/*
 * Each thread owns every nthreads-th byte of every page, so that all of
 * them write every page, and flushes after each round while the others
 * write on.
 */
static void *writer(void *arg)
{
	struct writer *w = arg;
	unsigned int r;
	size_t i;

	for (r = 1; r <= w->rounds; r++) {
		for (i = w->id; i < w->len; i += w->nthreads)
			((volatile char *)w->map)[i] = (char)(r * 16 + w->id);
		if (msync(w->map, w->len, MS_SYNC))
			return (void *)1;
	}
	return NULL;
}

TEST_F(defio, no_write_lost_across_concurrent_writers)
{
	enum { THREADS = 4 };
	struct writer w[THREADS];
	pthread_t t[THREADS];
	void *ret;
	unsigned int i;

	for (i = 0; i < THREADS; i++) {
		w[i] = (struct writer){ self->m.map, self->m.len, i, THREADS, 20 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, writer, &w[i]));
	}
	for (i = 0; i < THREADS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
	/* Every thread's last write came before its own last msync. */
	EXPECT_TRUE(device_has(self->m.fd, self->m.map, self->m.len));
}

TEST_F(defio, no_write_lost_across_munmap_and_close)
{
	char *want = malloc(self->m.len);
	int fd;

	ASSERT_NE(NULL, want);
	mmapdemo_fill(want, self->m.len, 1);
	memcpy(self->m.map, want, self->m.len);
	ASSERT_EQ(0, msync(self->m.map, self->m.len, MS_SYNC));
	/* After a flush, written again, then unmapped: fsync still has it. */
	mmapdemo_fill(want, self->m.len, 2);
	memcpy(self->m.map, want, self->m.len);
	ASSERT_EQ(0, munmap(self->m.map, self->m.len));
	self->m.map = MAP_FAILED;
	ASSERT_EQ(0, fsync(self->m.fd));
	EXPECT_TRUE(device_has(self->m.fd, want, self->m.len));

	/* And the release of the last reference flushes without fsync. */
	self->m.map = mmap(NULL, self->m.len, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->m.fd, 0);
	ASSERT_NE(MAP_FAILED, self->m.map);
	mmapdemo_fill(want, self->m.len, 3);
	memcpy(self->m.map, want, self->m.len);
	ASSERT_EQ(0, munmap(self->m.map, self->m.len));
	self->m.map = MAP_FAILED;
	ASSERT_EQ(0, close(self->m.fd));
	self->m.fd = -1;
	fd = open(mmapdemo_dev, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_TRUE(device_has(fd, want, self->m.len));
	close(fd);
	free(want);
}

/*
 * The parent writes, forks (the child's PTEs are copies of the parent's
 * writable ones), and flushes: the flush must write-protect the child's
 * PTEs too, through the device's address_space, without the driver ever
 * touching the child's page tables itself.  The child's write after it
 * must reach the device.
 */
TEST_F(defio, no_write_lost_across_fork)
{
	char *want = malloc(self->m.len);
	int go[2], status;
	pid_t pid;
	char c;

	ASSERT_NE(NULL, want);
	ASSERT_EQ(0, pipe(go));
	mmapdemo_fill(self->m.map, self->m.len, 1);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		mmapdemo_fill(self->m.map, self->m.len, 2);
		_exit(0);
	}
	close(go[0]);
	ASSERT_EQ(0, msync(self->m.map, self->m.len, MS_SYNC));
	ASSERT_EQ(1, write(go[1], "g", 1));
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	mmapdemo_fill(want, self->m.len, 2);
	EXPECT_EQ(0, memcmp(want, self->m.map, self->m.len));
	ASSERT_EQ(0, msync(self->m.map, self->m.len, MS_SYNC));
	EXPECT_TRUE(device_has(self->m.fd, want, self->m.len))
		TH_LOG("the child's write after the flush did not reach the device");
	free(want);
}

TEST_F(defio, bad_requests_get_errors)
{
	struct mmapdemo_defio_read req = { 0 };
	char buf[16];
	void *p;
	int fd;

	req.addr = (uintptr_t)buf;
	req.len = sizeof(buf);
	req.flags = 1;
	EXPECT_EQ(-1, ioctl(self->m.fd, MMAPDEMO_IOC_DEFIO_READ, &req));
	EXPECT_EQ(EINVAL, errno);
	req.flags = 0;
	req.offset = mmapdemo_info(self->m.fd).size;
	EXPECT_EQ(-1, ioctl(self->m.fd, MMAPDEMO_IOC_DEFIO_READ, &req));
	EXPECT_EQ(EINVAL, errno);
	req.offset = 0;
	req.len = ~0ULL;
	EXPECT_EQ(-1, ioctl(self->m.fd, MMAPDEMO_IOC_DEFIO_READ, &req));
	EXPECT_EQ(EINVAL, errno);

	/* A private copy is never written back: refused. */
	fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_DEFIO);
	ASSERT_LE(0, fd);
	p = mmap(NULL, self->m.page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EINVAL, errno);
	close(fd);

	/* Other strategies write the memory directly: no fsync. */
	fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_FAULT);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, fsync(fd));
	EXPECT_EQ(EINVAL, errno);
	close(fd);

	EXPECT_EQ(-1, mmapdemo_write_file(DELAY_PARAM, "3600001"));
	EXPECT_EQ(-1, mmapdemo_write_file(DELAY_PARAM, "soon"));
}

/*
 * The tests below that load the module themselves: NULL once the module
 * is loaded afresh with @params, else why the test cannot run (a skip), or
 * "" when the unload or the load failed (errno says why).
 */
static const char *reload(const char *params)
{
	if (getuid() != 0)
		return "loading modules needs root";
	if (!getenv("LAB_MODULE") || access(getenv("LAB_MODULE"), R_OK))
		return "set LAB_MODULE to the path of mmapdemo.ko";
	if (mmapdemo_loaded() && mmapdemo_unload())
		return "";
	return mmapdemo_load(params) ? "" : NULL;
}

TEST(device_side_needs_a_defio_mapping)
{
	struct mmapdemo_defio_read req = { 0 };
	const char *why;
	char buf[16];
	int fd;

	why = reload("");
	if (why && *why)
		SKIP(return, "%s", why);
	ASSERT_EQ(NULL, why) TH_LOG("reloading the module: %s", strerror(errno));
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_NE(0U, mmapdemo_info(fd).features & MMAPDEMO_FEATURE_DEFIO);
	req.addr = (uintptr_t)buf;
	req.len = sizeof(buf);
	EXPECT_EQ(-1, ioctl(fd, MMAPDEMO_IOC_DEFIO_READ, &req));
	EXPECT_EQ(ENODATA, errno);
	close(fd);
}

/*
 * A DEFIO file and a remap file of the RAM device, the module loaded with
 * the longest delay, and the kernel log watched from the start.
 */
FIXTURE(defio_remap)
{
	int dfd, rfd, kmsg;
	bool wrprotect;
};

FIXTURE_SETUP(defio_remap)
{
	const char *why;

	self->dfd = self->rfd = self->kmsg = -1;
	why = reload("defio_delay_ms=3600000");
	if (why && *why)
		MMAPDEMO_SETUP_SKIP("%s", why);
	ASSERT_EQ(NULL, why) TH_LOG("reloading the module: %s", strerror(errno));
	self->kmsg = mmapdemo_kmsg_open();
	ASSERT_LE(0, self->kmsg);
	self->dfd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_DEFIO);
	ASSERT_LE(0, self->dfd);
	self->rfd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_REMAP);
	ASSERT_LE(0, self->rfd);
	self->wrprotect = mmapdemo_info(self->dfd).features &
			  MMAPDEMO_FEATURE_DEFIO_WRPROTECT;
}

FIXTURE_TEARDOWN(defio_remap)
{
	static const char *const bad[] = { "WARNING:", "BUG:", NULL };
	char line[1024] = "";

	if (self->kmsg >= 0) {
		EXPECT_FALSE(mmapdemo_kmsg_grep(self->kmsg, bad, line,
						sizeof(line)))
			TH_LOG("the kernel logged: %s", line);
		close(self->kmsg);
	}
	if (self->rfd >= 0)
		close(self->rfd);
	if (self->dfd >= 0)
		close(self->dfd);
	if (mmapdemo_loaded())
		mmapdemo_unload();
	mmapdemo_load("");
}

/* Whether a flush unmapped the page: the DEFIO mapping's next read faults. */
static bool flush_unmaps(struct __test_metadata *_metadata, int fd,
			 volatile char *d)
{
	struct mmapdemo_stats a, b;

	d[0] = 7;
	EXPECT_EQ(0, fsync(fd));
	a = mmapdemo_stats(fd);
	EXPECT_EQ(7, d[0]);
	b = mmapdemo_stats(fd);
	return b.faults != a.faults;
}

/*
 * A flush and a remap mapping of the same page of RAM, in another file of
 * the device.  Where the kernel has mapping_wrprotect_range() (7.x),
 * the flush write-protects every PTE of the page, and the two mappings
 * live side by side: the remap one reads what the DEFIO one wrote.
 * Before (6.1, 6.12), the flush unmaps the page from every mapping of the
 * device (compat.h), which a remap mapping must never meet: the two
 * exclude each other, with EBUSY.  Which one the kernel does is seen, not
 * assumed (the DEFIO mapping's next read faults only where the page was
 * unmapped), and MMAPDEMO_FEATURE_DEFIO_WRPROTECT must say the same.
 * Either way, dirty pages left by a DEFIO mapping that is gone keep no
 * remap mapping out, and their flush leaves the remap mapping whole.
 */
TEST_F(defio_remap, remap_and_defio_mappings_of_one_device)
{
	struct mmapdemo_defio_read req = { 0 };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	int dfd = self->dfd, rfd = self->rfd, sig, hold[2], status;
	char out[2048], got = 0, side = 0;
	char *d, *r, *d2;
	pid_t child = 0;
	bool unmaps;
	FILE *cli;
	size_t n;

	d = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	ASSERT_NE(MAP_FAILED, d);
	unmaps = flush_unmaps(_metadata, dfd, d);
	TH_LOG("the flush %s the page", unmaps ? "unmapped" : "write-protected");
	EXPECT_EQ(!unmaps, self->wrprotect);

	/* Beside a live DEFIO mapping; the CLI names the rule that refused. */
	r = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
	if (unmaps) {
		EXPECT_EQ(MAP_FAILED, r);
		EXPECT_EQ(EBUSY, errno);
		cli = popen("mmapdemo map --strategy remap --calls none 2>&1", "r");
		ASSERT_NE(NULL, cli);
		n = fread(out, 1, sizeof(out) - 1, cli);
		out[n] = '\0';
		EXPECT_NE(0, pclose(cli)) TH_LOG("%s", out);
		EXPECT_NE(NULL, strstr(out, "why: the deferred-I/O rule of this kernel"))
			TH_LOG("%s", out);
	} else {
		ASSERT_NE(MAP_FAILED, r);
		EXPECT_EQ(0, mmapdemo_probe_read(r, &got));
		EXPECT_EQ(7, got);
		EXPECT_EQ(0, munmap(r, page));
	}

	/* A forked copy of the DEFIO mapping counts as one. */
	if (unmaps) {
		ASSERT_EQ(0, pipe(hold));
		child = fork();
		ASSERT_LE(0, child);
		if (!child) {
			close(hold[1]);
			_exit(read(hold[0], &got, 1) == 0 ? 0 : 1);
		}
		close(hold[0]);
	}

	/* A dirty page whose DEFIO mapping is gone, then a remap mapping. */
	d[0] = 8;
	EXPECT_EQ(0, munmap(d, page));
	if (unmaps) {
		r = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
		EXPECT_EQ(MAP_FAILED, r) TH_LOG("remap beside the child's copy");
		EXPECT_EQ(EBUSY, errno);
		close(hold[1]);
		ASSERT_EQ(child, waitpid(child, &status, 0));
		EXPECT_EQ(0, status);
	}
	r = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
	ASSERT_NE(MAP_FAILED, r) TH_LOG("remap beside no DEFIO mapping: %s",
					strerror(errno));
	d2 = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	if (unmaps) {
		EXPECT_EQ(MAP_FAILED, d2);
		EXPECT_EQ(EBUSY, errno);
	} else {
		ASSERT_NE(MAP_FAILED, d2);
		EXPECT_EQ(0, munmap(d2, page));
	}
	EXPECT_EQ(0, fsync(dfd));
	sig = mmapdemo_probe_read(r, &got);
	EXPECT_EQ(0, sig) TH_LOG("the remap mapping after the flush: signal %d",
				 sig);
	EXPECT_EQ(8, got);
	req.addr = (uintptr_t)&side;
	req.len = 1;
	EXPECT_EQ(0, ioctl(dfd, MMAPDEMO_IOC_DEFIO_READ, &req));
	EXPECT_EQ(8, side);
	EXPECT_EQ(0, munmap(r, page));

	/* The remap mapping gone, a DEFIO one can be made again. */
	d = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
	EXPECT_NE(MAP_FAILED, d);
	if (d != MAP_FAILED)
		EXPECT_EQ(0, munmap(d, page));
}

/*
 * The two sides of flushes_race_remap_mappings.  Each counts its mmap()
 * attempts and says when its last one failed with EBUSY (@starved).  A
 * side that unmaps hands the turn to a starved other side
 * (race_hand_over()); where no mmap() is refused, they never wait, and
 * their calls overlap as much as the machine lets them.
 */
struct race_side {
	unsigned long attempts, starved;
};

struct remap_race {
	int fd;
	bool may_be_busy;
	unsigned long done;
	struct race_side flusher, mapper;
	unsigned long mapped, busy, signals, errors;
};

static unsigned long race_get(unsigned long *v)
{
	return __atomic_load_n(v, __ATOMIC_ACQUIRE);
}

static void race_attempted(struct race_side *me, bool busy)
{
	__atomic_store_n(&me->starved, busy, __ATOMIC_RELEASE);
	__atomic_add_fetch(&me->attempts, 1, __ATOMIC_RELEASE);
}

/* If the other side is starved, wait until it has tried again. */
static void race_hand_over(struct remap_race *m, struct race_side *other)
{
	unsigned long seen = race_get(&other->attempts);

	while (race_get(&other->starved) && race_get(&other->attempts) == seen &&
	       !race_get(&m->done))
		usleep(10);
}

static void *remap_mapper(void *arg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	struct remap_race *m = arg;
	char got;
	char *r;

	while (!race_get(&m->done)) {
		r = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED,
			 m->fd, 0);
		race_attempted(&m->mapper, r == MAP_FAILED && errno == EBUSY);
		if (r == MAP_FAILED) {
			if (errno == EBUSY && m->may_be_busy)
				m->busy++;
			else
				m->errors++;
			usleep(10);
			continue;
		}
		m->mapped++;
		if (mmapdemo_probe_read(r, &got) ||
		    mmapdemo_probe_read(r + page, &got))
			m->signals++;
		if (munmap(r, 2 * page))
			m->errors++;
		race_hand_over(m, &m->flusher);
	}
	return NULL;
}

/*
 * Flushes race with remap mappings of the same pages, made and unmapped
 * in another thread: each round maps the DEFIO page, writes and flushes
 * it eight times, writes it once more, unmaps it, and flushes that write
 * with no DEFIO mapping left.  Where a flush unmaps (6.1, 6.12), it once
 * zapped remap VMAs (VM_PAT) too: the mapper's reads got SIGBUS, and the
 * zap's untrack_pfn() raced the mapper's munmap() and WARNed in
 * get_pat_info().  Now every remap mapping must read, the DEFIO side must
 * hold every write, and the kernel must log nothing; EBUSY is allowed
 * only where the two kinds of mapping exclude each other.  Bounded by
 * rounds, not time: the waits only hand the turn over.
 */
TEST_F_TIMEOUT(defio_remap, flushes_race_remap_mappings, 300)
{
	struct mmapdemo_defio_read req = { 0 };
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned long round, flushes = 0, dbusy = 0;
	struct remap_race m = {
		.fd = self->rfd, .may_be_busy = !self->wrprotect,
	};
	int dfd = self->dfd, i;
	char side = 0, last = 0;
	pthread_t t;
	char *d;

	ASSERT_EQ(0, pthread_create(&t, NULL, remap_mapper, &m));
	for (round = 0; round < 300 && _metadata->passed;) {
		d = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, dfd, 0);
		race_attempted(&m.flusher, d == MAP_FAILED && errno == EBUSY);
		if (d == MAP_FAILED) {
			EXPECT_TRUE(errno == EBUSY && m.may_be_busy)
				TH_LOG("DEFIO mmap: %s", strerror(errno));
			dbusy++;
			usleep(10);
			continue;
		}
		for (i = 0; i < 8; i++) {
			d[0] = (char)(round + i);
			EXPECT_EQ(0, fsync(dfd));
			flushes++;
		}
		last = (char)(round * 3 + 1);
		d[0] = last;
		EXPECT_EQ(0, munmap(d, page));
		EXPECT_EQ(0, fsync(dfd));
		req.addr = (uintptr_t)&side;
		req.len = 1;
		EXPECT_EQ(0, ioctl(dfd, MMAPDEMO_IOC_DEFIO_READ, &req));
		EXPECT_EQ(last, side);
		round++;
		race_hand_over(&m, &m.mapper);
	}
	__atomic_store_n(&m.done, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(t, NULL));
	TH_LOG("%lu rounds, %lu flushes, DEFIO mmap busy %lu; remap mapped %lu, busy %lu",
	       round, flushes, dbusy, m.mapped, m.busy);
	EXPECT_EQ(0UL, m.signals);
	EXPECT_EQ(0UL, m.errors);
}

/*
 * One round of deferred I/O through @fd's mapping @p: write @a, flush
 * (fsync() of @sync), find @a on the device side; write @b, flush, find
 * @b.  The second write reaches the device side only if the first flush
 * write-protected @p's PTE again, so that the write faulted and marked
 * the page dirty: the flush reached this mapping.
 */
static void defio_round(struct __test_metadata *_metadata, volatile char *p,
			int sync, int side_fd, char a, char b)
{
	char side;

	p[0] = a;
	ASSERT_EQ(0, fsync(sync));
	ASSERT_EQ(0, device_read(side_fd, 0, &side, 1));
	EXPECT_EQ(a, side);
	p[0] = b;
	ASSERT_EQ(0, fsync(sync));
	ASSERT_EQ(0, device_read(side_fd, 0, &side, 1));
	EXPECT_EQ(b, side) TH_LOG("the second write did not reach the device side: the flush did not write-protect this mapping's PTE");
}

/*
 * Deferred I/O is set up when a file chooses DEFIO, never by ->mmap
 * (which changes nothing before the core commits the VMA): the device side
 * is there before any mapping, a copy of the memory.  Every file of the
 * device shares the device's own address_space, through whichever device
 * node it was opened, so that a flush reaches the mappings of all of
 * them; and the driver keeps no reference to a node.  Here the first file
 * that chooses DEFIO is opened through a node on a tmpfs, which is then
 * unmounted: had the driver kept that node's inode, the unmount would find
 * it busy ("VFS: Busy inodes after unmount", which the kernel reports as
 * data corruption), and the module's unload would put an inode whose
 * super block is gone.
 */
TEST(defio_is_set_up_by_choosing_it_through_any_node)
{
	static const char *const busy[] = { "Busy inodes", NULL };
	struct mmapdemo_set_strategy defio = { .strategy = MMAPDEMO_STRATEGY_DEFIO };
	char dir[] = "/tmp/defio_test-XXXXXX", node[64], line[512];
	const char *node2 = "/tmp/defio_test-node";
	size_t page = getpagesize();
	char mem[16], side[16];
	char *p, *q, *r;
	int fd, fd2, fd3, kmsg;
	struct stat st;

	if (getuid() != 0)
		SKIP(return, "loading modules, mknod and mount need root");
	if (!getenv("LAB_MODULE") || access(getenv("LAB_MODULE"), R_OK))
		SKIP(return, "set LAB_MODULE to the path of mmapdemo.ko");
	if (mmapdemo_loaded())
		ASSERT_EQ(0, mmapdemo_unload());
	ASSERT_EQ(0, mmapdemo_load(""));
	ASSERT_EQ(0, stat(MMAPDEMO_DEV, &st));
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("none", dir, "tmpfs", 0, NULL))
		TH_LOG("mount tmpfs: %s", strerror(errno));
	snprintf(node, sizeof(node), "%s/mmapdemo", dir);
	ASSERT_EQ(0, mknod(node, S_IFCHR | 0600, st.st_rdev))
		TH_LOG("mknod: %s", strerror(errno));

	/* The first file to choose DEFIO, through the tmpfs node. */
	fd = open(node, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", node, strerror(errno));
	ASSERT_EQ((ssize_t)sizeof(mem), pwrite(fd, "before any mmap", sizeof(mem), 0));
	ASSERT_EQ(0, ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &defio))
		TH_LOG("SET_STRATEGY defio: %s", strerror(errno));
	ASSERT_EQ(0, device_read(fd, 0, side, sizeof(side)))
		TH_LOG("DEFIO_READ after choosing defio, before mmap: %s",
		       strerror(errno));
	ASSERT_EQ((ssize_t)sizeof(mem), pread(fd, mem, sizeof(mem), 0));
	EXPECT_EQ(0, memcmp(mem, side, sizeof(mem)));
	p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	defio_round(_metadata, p, fd, fd, 'A', 'B');
	ASSERT_EQ(0, munmap(p, page));
	ASSERT_EQ(0, close(fd));

	/* Nothing of the driver's holds the node or its file system. */
	kmsg = mmapdemo_kmsg_open();
	ASSERT_LE(0, kmsg);
	ASSERT_EQ(0, unlink(node));
	EXPECT_EQ(0, umount(dir)) TH_LOG("umount %s: %s", dir, strerror(errno));
	EXPECT_FALSE(mmapdemo_kmsg_grep(kmsg, busy, line, sizeof(line)))
		TH_LOG("the kernel: %s", line);
	close(kmsg);
	rmdir(dir);

	/* Files through /dev/mmapdemo and through a second node, together. */
	fd = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &defio))
		TH_LOG("SET_STRATEGY defio through %s: %s", MMAPDEMO_DEV,
		       strerror(errno));
	unlink(node2);
	ASSERT_EQ(0, mknod(node2, S_IFCHR | 0600, st.st_rdev))
		TH_LOG("mknod: %s", strerror(errno));
	fd3 = open(node2, O_RDWR);
	ASSERT_LE(0, fd3) TH_LOG("%s: %s", node2, strerror(errno));
	ASSERT_EQ(0, ioctl(fd3, MMAPDEMO_IOC_SET_STRATEGY, &defio))
		TH_LOG("SET_STRATEGY defio through %s: %s", node2,
		       strerror(errno));
	q = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, q);
	r = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd3, 0);
	ASSERT_NE(MAP_FAILED, r);
	/* A flush through one file reaches the other node's mapping too. */
	defio_round(_metadata, q, fd3, fd, 'C', 'D');
	defio_round(_metadata, r, fd, fd3, 'E', 'F');
	EXPECT_EQ('F', q[0]);

	/* DEFIO_READ reads the device: not through a write-only file. */
	fd2 = open(node2, O_WRONLY);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(-1, device_read(fd2, 0, side, 1));
	EXPECT_EQ(EBADF, errno);
	close(fd2);

	EXPECT_EQ(0, munmap(q, page));
	EXPECT_EQ(0, munmap(r, page));
	close(fd3);
	unlink(node2);
	close(fd);
}

/*
 * The ivshmem BAR device's own: the device side is the BAR, which its
 * other mappings and read() see too, and the device can be removed under
 * a DEFIO mapping.
 */
FIXTURE(defio_bar)
{
	struct defio_map m;
};

FIXTURE_SETUP(defio_bar)
{
	defio_map_setup(_metadata, &self->m, true);
}

FIXTURE_TEARDOWN(defio_bar)
{
	/* Left on if a test of the work failed half way. */
	mmapdemo_write_file(TRACEFS "/events/mmapdemo/enable", "0");
	defio_map_teardown(&self->m);
}

/* The BAR's first @len bytes through a mapping of the fault strategy. */
static bool bar_has(const char *want, size_t len)
{
	int fd = mmapdemo_open_strategy(O_RDONLY, MMAPDEMO_STRATEGY_FAULT);
	bool same;
	char *p;

	if (fd < 0)
		return false;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	same = p != MAP_FAILED && !memcmp(p, want, len);
	if (p != MAP_FAILED)
		munmap(p, len);
	close(fd);
	return same;
}

/*
 * Until a flush, the BAR keeps what it had, whichever way it is read: a
 * mapping of the BAR itself (fault strategy), read(), DEFIO_READ.  After
 * msync(MS_SYNC) returns, all three see the writes.
 */
TEST_F(defio_bar, flush_reaches_the_bar)
{
	char *old = malloc(self->m.len), *want = malloc(self->m.len);
	char *got = malloc(self->m.len);
	unsigned int round;

	ASSERT_NE(NULL, old);
	ASSERT_NE(NULL, want);
	ASSERT_NE(NULL, got);
	for (round = 1; round <= 2; round++) {
		memcpy(old, self->m.map, self->m.len);
		mmapdemo_fill(want, self->m.len, 40 + round);
		memcpy(self->m.map, want, self->m.len);
		EXPECT_TRUE(bar_has(old, self->m.len))
			TH_LOG("round %u: the BAR changed before msync", round);
		EXPECT_TRUE(device_has(self->m.fd, old, self->m.len));
		ASSERT_EQ(0, msync(self->m.map, self->m.len, MS_SYNC));
		EXPECT_TRUE(bar_has(want, self->m.len))
			TH_LOG("round %u: not in the BAR after msync", round);
		EXPECT_TRUE(device_has(self->m.fd, want, self->m.len));
		ASSERT_EQ((ssize_t)self->m.len,
			  pread(self->m.fd, got, self->m.len, 0));
		EXPECT_EQ(0, memcmp(got, want, self->m.len));
	}
	free(got);
	free(want);
	free(old);
}

/*
 * Remove the device under a DEFIO mapping with writes that no flush has
 * written yet (the delay is 1 h).  The model: the removal first revokes
 * (no PTE maps the shadow any more, no fault maps it again), then flushes
 * every dirty page to the BAR while the BAR is still mapped, so every
 * write made before the removal is in the BAR, a forked child's too;
 * after it, any access to the mapping is SIGBUS, in the child as in the
 * parent, fsync() and DEFIO_READ are ENODEV, and munmap() and close()
 * (and the child's exit) free the device (devices_alive).  The rescanned
 * device's BAR (the host's file) holds the last writes.
 */
TEST_F(defio_bar, removal_loses_no_write_and_revokes)
{
	char *want = malloc(self->m.len), *last, buf[16], c;
	int written[2], go[2], status;
	long alive;
	pid_t pid;

	ASSERT_NE(NULL, want);
	/* One flush before, so that both flushed and unflushed pages exist. */
	mmapdemo_fill(self->m.map, self->m.len, 51);
	ASSERT_EQ(0, msync(self->m.map, self->m.len, MS_SYNC));
	mmapdemo_fill(want, self->m.len, 52);
	memcpy(self->m.map, want, self->m.len);
	/* A child writes the last page, and keeps its mapping past the removal. */
	last = self->m.map + self->m.len - self->m.page;
	ASSERT_EQ(0, pipe(written));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		mmapdemo_fill(last, self->m.page, 53);
		if (write(written[1], "w", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(mmapdemo_probe_write(last, 1) == SIGBUS ? 0 : 1);
	}
	ASSERT_EQ(1, read(written[0], &c, 1));
	mmapdemo_fill(want + self->m.len - self->m.page, self->m.page, 53);
	EXPECT_FALSE(device_has(self->m.fd, want, self->m.len));
	alive = mmapdemo_read_long(ALIVE, 10);
	ASSERT_LT(0, alive);

	ASSERT_EQ(0, mmapdemo_pci_remove());
	EXPECT_TRUE(mmapdemo_wait_node(mmapdemo_bar_path, false));
	EXPECT_EQ(SIGBUS, mmapdemo_probe_read(self->m.map, buf));
	EXPECT_EQ(SIGBUS, mmapdemo_probe_write(self->m.map + self->m.page, 1));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("the child's write after the removal did not SIGBUS");
	EXPECT_EQ(-1, fsync(self->m.fd));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, device_read(self->m.fd, 0, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(0, munmap(self->m.map, self->m.len));
	self->m.map = MAP_FAILED;
	EXPECT_EQ(0, close(self->m.fd));
	self->m.fd = -1;
	EXPECT_EQ(alive - 1, mmapdemo_read_long(ALIVE, 10));

	ASSERT_EQ(0, mmapdemo_pci_rescan());
	EXPECT_TRUE(bar_has(want, self->m.len))
		TH_LOG("a write made before the removal is not in the BAR");
	close(written[0]);
	close(written[1]);
	close(go[0]);
	close(go[1]);
	free(want);
}

/* How many times @needle occurs in [@from, @to) of a trace. */
static int count_in(const char *from, const char *to, const char *needle)
{
	int n = 0;
	const char *p;

	for (p = from; (p = strstr(p, needle)) && p < to; p++)
		n++;
	return n;
}

/* Trace the delayed work and the flushes only, from an empty buffer. */
static int trace_defio(bool on)
{
	static const char *const events[] = { "mmapdemo_defio_work",
					      "mmapdemo_defio_flush" };
	char path[128];
	unsigned int i;

	if (on && mmapdemo_write_file(TRACEFS "/trace", ""))
		return -1;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), TRACEFS "/events/mmapdemo/%s/enable",
			 events[i]);
		if (mmapdemo_write_file(path, on ? "1" : "0"))
			return -1;
	}
	return 0;
}

/*
 * A delayed work still pending when the device is removed: the removal
 * cancels it, so it never runs after the removal, which has flushed
 * every dirty page itself; and after a rescan the BAR holds every write.
 *
 * Pending is checked, not assumed: the test writes every page with the
 * delay at D, checks that nothing was flushed yet, removes the device
 * and writes a marker into the trace when the removal has returned.  The
 * trace (events mmapdemo_defio_work, which the work emits each time it
 * runs, even with nothing to write, and mmapdemo_defio_flush) then says
 * whether the BAR device's work ran before the removal finished (bar=1
 * before the marker: the work fired first, or ran while the removal
 * flushed, which its lock serializes); such a round does not count, and
 * the next one doubles D.  A counted round shows the removal's flush of
 * every page (why=remove) and no run of the work.
 *
 * After the removal the test waits past D without guessing how long
 * that takes: a witness, the RAM device's work, is scheduled with the
 * same D once the removal has returned, so its timer expires after the
 * removed device's; the test polls the RAM device's side until the
 * witness has flushed, then waits a quarter of D more.  Then no
 * mmapdemo_defio_work of the BAR device may be in the trace after the
 * marker.  A detach that does not cancel the work fails here; a work
 * that wrote the BAR after the iounmap would oops (or KASAN would say
 * so) and the kernel-log gate would fail.
 *
 * Not covered deterministically: the work running (holding the defio
 * lock) at the moment the removal begins.  Only kernel locks (the defio
 * lock, a page lock, i_mmap_rwsem, memory_lock) are held there, none of
 * which user space can hold to stop the work at that point; a round
 * where it happens is logged and not counted.
 */
TEST_F_TIMEOUT(defio_bar, removal_cancels_the_pending_work, 300)
{
	enum { ROUNDS = 4, POLLS = 40 };
	char *want = malloc(self->m.len), *witness = malloc(self->m.page);
	char *log = NULL, *marker, *map, *wmap, param[16];
	unsigned int round, delay_ms = 2000, poll, counted = 0;
	struct timespec quarter;
	const char *ram;
	int fd, wfd;

	if (access(TRACEFS "/events/mmapdemo/mmapdemo_defio_work", F_OK)) {
		free(witness);
		free(want);
		SKIP(return, "no " TRACEFS "/events/mmapdemo: mount tracefs");
	}
	ASSERT_NE(NULL, want);
	ASSERT_NE(NULL, witness);
	/* The fixture's mapping goes; each round maps the device anew. */
	munmap(self->m.map, self->m.len);
	self->m.map = MAP_FAILED;
	close(self->m.fd);
	self->m.fd = -1;
	/* The witness: the RAM device, with DEFIO. */
	ram = mmapdemo_dev;
	mmapdemo_dev = MMAPDEMO_DEV;
	wfd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_DEFIO);
	mmapdemo_dev = ram;
	ASSERT_LE(0, wfd) TH_LOG("%s: %s", MMAPDEMO_DEV, strerror(errno));
	wmap = mmap(NULL, self->m.page, PROT_READ | PROT_WRITE, MAP_SHARED,
		    wfd, 0);
	ASSERT_NE(MAP_FAILED, wmap);

	for (round = 1; round <= ROUNDS && !counted; round++, delay_ms *= 2) {
		quarter.tv_sec = delay_ms / 4000;
		quarter.tv_nsec = (delay_ms / 4 % 1000) * 1000000L;
		snprintf(param, sizeof(param), "%u", delay_ms);
		ASSERT_EQ(0, mmapdemo_write_file(DELAY_PARAM, param));
		ASSERT_EQ(0, trace_defio(true));
		fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_DEFIO);
		ASSERT_LE(0, fd) TH_LOG("defio: %s", strerror(errno));
		map = mmap(NULL, self->m.len, PROT_READ | PROT_WRITE,
			   MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, map);
		/* The first write schedules the work, D from now. */
		mmapdemo_fill(want, self->m.len, 60 + round);
		memcpy(map, want, self->m.len);
		log = mmapdemo_read_trace();
		ASSERT_NE(NULL, log);
		if (device_has(fd, want, self->m.len) ||
		    strstr(log, "mmapdemo_defio_work: bar=1")) {
			TH_LOG("round %u: the work ran within %u ms, before the removal; again",
			       round, delay_ms);
			free(log);
			EXPECT_EQ(0, fsync(fd));
			munmap(map, self->m.len);
			close(fd);
			continue;
		}
		free(log);

		ASSERT_EQ(0, mmapdemo_pci_remove());
		EXPECT_EQ(0, mmapdemo_write_file(TRACEFS "/trace_marker",
						 REMOVED));
		/* The witness's work: D from now, after the removed one's. */
		mmapdemo_fill(witness, self->m.page, 70 + round);
		memcpy(wmap, witness, self->m.page);
		for (poll = 0; poll < POLLS; poll++) {
			if (device_has(wfd, witness, self->m.page))
				break;
			nanosleep(&quarter, NULL);
		}
		EXPECT_LT(poll, (unsigned int)POLLS)
			TH_LOG("round %u: the RAM device's work did not run in %d rounds of %u ms",
			       round, POLLS, delay_ms / 4);
		nanosleep(&quarter, NULL);
		log = mmapdemo_read_trace();
		EXPECT_EQ(0, trace_defio(false));
		EXPECT_NE(NULL, log);
		marker = log ? strstr(log, REMOVED) : NULL;
		EXPECT_NE(NULL, marker) TH_LOG("no marker in the trace");

		if (marker) {
			/* Never after the removal returned. */
			EXPECT_EQ(0, count_in(marker, marker + strlen(marker),
					      "mmapdemo_defio_work: bar=1"))
				TH_LOG("round %u: the BAR device's work ran after its removal:\n%s",
				       round, log);
			EXPECT_EQ(0, count_in(marker, marker + strlen(marker),
					      "why=remove"));
			if (count_in(log, marker, "mmapdemo_defio_work: bar=1")) {
				TH_LOG("round %u: the work ran during the removal (%s); again",
				       round,
				       strstr(log, "bar=1 detached=1") ?
					       "after its flush, detached" :
					       "before its flush");
			} else {
				/* Pending at the removal: its flush wrote all. */
				EXPECT_EQ(NPAGES,
					  count_in(log, marker, "why=remove"))
					TH_LOG("round %u:\n%s", round, log);
				EXPECT_EQ(0, count_in(log, marker, "why=work"));
				counted = round;
			}
		}
		free(log);
		EXPECT_EQ(0, munmap(map, self->m.len));
		EXPECT_EQ(0, close(fd));
		ASSERT_EQ(0, mmapdemo_pci_rescan());
		EXPECT_TRUE(bar_has(want, self->m.len))
			TH_LOG("round %u: a write made before the removal is not in the BAR",
			       round);
	}
	EXPECT_NE(0U, counted)
		TH_LOG("the work ran before the removal in all %d rounds",
		       ROUNDS);
	if (counted)
		TH_LOG("round %u counted: the work was pending at the removal (delay %u ms)",
		       counted, delay_ms / 2);
	munmap(wmap, self->m.page);
	close(wfd);
	free(witness);
	free(want);
}

MMAPDEMO_HARNESS_MAIN
