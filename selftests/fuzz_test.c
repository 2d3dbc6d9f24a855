// SPDX-License-Identifier: GPL-2.0
/*
 * ioctl fuzzing: random command numbers (random type, number, direction
 * and size, and the device's own numbers with every kind of wrong size),
 * with NULL, unmapped, kernel-half, non-canonical, misaligned, read-only
 * and straddling pointers, and structs shorter and longer than the
 * module's with zero and non-zero tails.  Every answer must be the one
 * Documentation/abi.rst promises: ENOTTY for what is not the device's,
 * EINVAL for a struct too short, EFAULT for a bad pointer, E2BIG for a
 * non-zero tail, and for valid input a valid result, with the caller's
 * tail beyond the module's struct left alone.  The kernel log must stay
 * clean (the lab's gate reads it).
 *
 * Each test runs on the RAM device and on the ivshmem BAR device (fixture
 * variants), whose strategies differ (huge, not insert) and whose walk is
 * fuzzed on addresses of its own mappings too; the BAR device's writable
 * sysfs attribute, caching, is fuzzed with random and long strings, mapped
 * and not.
 *
 * MMAPDEMO_FUZZ_ITERATIONS (default 20000) bounds the run and
 * MMAPDEMO_FUZZ_SEED (default: the time) seeds it; the seed is printed.
 */
#include <linux/ioctl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define BUF_PAGES	5	/* room for the largest size, 16383 bytes */
#define MAP_PAGES	16	/* of the device, for the walk */
#define MIN(a, b)	((a) < (b) ? (a) : (b))

static uint64_t rng;

/* Whether remap maps a BAR on this kernel (6.16 and later): set up below. */
static bool bar_remap;

/* The strategies SET_STRATEGY accepts on the RAM device, or on a BAR. */
static bool strategy_ok(bool bar, __u32 s)
{
	if (bar)
		return s == MMAPDEMO_STRATEGY_FAULT ||
		       (s == MMAPDEMO_STRATEGY_REMAP && bar_remap) ||
		       s == MMAPDEMO_STRATEGY_HUGE;
	return s <= MMAPDEMO_STRATEGY_INSERT;
}

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

static unsigned long env_ul(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

/*
 * The device's commands, without their size; the size of their first
 * version, the smallest the module takes; and their size now, the most it
 * reads or writes.
 */
static const struct {
	unsigned int cmd;
	size_t min;
	size_t size;
	bool in;	/* reads a struct: tail must be zero */
	bool out;	/* writes a struct back */
} known[] = {
	{ MMAPDEMO_IOC_INFO, sizeof(struct mmapdemo_info),
	  sizeof(struct mmapdemo_info), false, true },
	{ MMAPDEMO_IOC_SET_STRATEGY, sizeof(struct mmapdemo_set_strategy),
	  sizeof(struct mmapdemo_set_strategy), true, false },
	/* ABI 1 grew it by around_pages. */
	{ MMAPDEMO_IOC_STATS, offsetof(struct mmapdemo_stats, around_pages),
	  sizeof(struct mmapdemo_stats), false, true },
	/* And the walk, by memtype, then by vma_vmflags. */
	{ MMAPDEMO_IOC_WALK, offsetof(struct mmapdemo_walk, memtype),
	  sizeof(struct mmapdemo_walk), true, true },
	/* Reads the defio device side into a buffer it points to. */
	{ MMAPDEMO_IOC_DEFIO_READ, sizeof(struct mmapdemo_defio_read),
	  sizeof(struct mmapdemo_defio_read), true, false },
};

#define NOSIZE(cmd) ((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))
#define WITH_SIZE(cmd, size) \
	(NOSIZE(cmd) | ((unsigned int)(size) << _IOC_SIZESHIFT))

static int known_index(unsigned int cmd)
{
	unsigned int i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (NOSIZE(cmd) == NOSIZE(known[i].cmd))
			return i;
	return -1;
}

/*
 * Types whose commands the VFS answers itself before the driver sees
 * them (FIOCLEX, FIONBIO, FIGETBSZ, FS_IOC_*, FICLONE, FS_IOC_GETFSUUID):
 * the fuzzer leaves them out rather than second-guess the VFS.
 */
static bool vfs_type(unsigned int type)
{
	return type == 0 || type == 'T' || type == 'X' || type == 'f' ||
	       type == 0x94 || type == 0x15;
}

static unsigned int random_cmd(void)
{
	unsigned int cmd, dir, k;

	switch (rnd_below(4)) {
	case 0:		/* anything at all */
		do {
			cmd = (unsigned int)rnd();
		} while (vfs_type(_IOC_TYPE(cmd)));
		return cmd;
	case 1:		/* our type, any number, direction and size */
		dir = rnd_below(4);
		return _IOC(dir, MMAPDEMO_IOCTL_TYPE, rnd_below(16),
			    rnd_below(_IOC_SIZEMASK + 1));
	default:	/* our commands with a size near the module's */
		k = rnd_below(sizeof(known) / sizeof(known[0]));
		switch (rnd_below(8)) {
		case 0:
			return WITH_SIZE(known[k].cmd, 0);
		case 1:
			return WITH_SIZE(known[k].cmd,
					 rnd_below(known[k].min));
		case 2:
			return WITH_SIZE(known[k].cmd, known[k].min - 1);
		case 3:
			return WITH_SIZE(known[k].cmd, known[k].min + 1 +
							rnd_below(64));
		case 4:
			return WITH_SIZE(known[k].cmd,
					 rnd_below(_IOC_SIZEMASK + 1));
		case 5:
			return WITH_SIZE(known[k].cmd, _IOC_SIZEMASK);
		default:
			return known[k].cmd;
		}
	}
}

enum ptr_kind {
	P_VALID, P_NULL, P_LOW, P_UNMAPPED, P_KERNEL, P_NONCANON, P_MINUS1,
	P_READONLY, P_STRADDLE, NPTR
};

struct fuzz {
	int fd;
	bool bar;
	char *map;	/* MAP_PAGES of the device, half of them touched */
	int map_fd;
	size_t page;
	char *buf;	/* BUF_PAGES read-write pages and a PROT_NONE guard */
	char *ro;	/* a read-only page */
	char *gone;	/* an unmapped page */
	char *shadow;	/* what buf held before the call */
	unsigned long calls, ok, errs[4];
	struct timespec start;	/* of the test, for the calls per second */
};

/* Returns a pointer of @kind for a struct of @size bytes. */
static char *pick_ptr(struct fuzz *f, enum ptr_kind kind, size_t size)
{
	size_t room = BUF_PAGES * f->page;

	switch (kind) {
	case P_NULL:
		return NULL;
	case P_LOW:
		return (char *)(uintptr_t)(1 + rnd_below(f->page * 16));
	case P_UNMAPPED:
		return f->gone + rnd_below(f->page);
	case P_KERNEL:
		return (char *)(uintptr_t)(rnd_below(2) ? 0xffff888000000000ULL :
							  0xffffffff81000000ULL) +
		       rnd_below(f->page);
	case P_NONCANON:
		return (char *)(uintptr_t)(0x0000800000000000ULL << rnd_below(16));
	case P_MINUS1:
		return (char *)(uintptr_t)-1;
	case P_READONLY:
		return f->ro + rnd_below(f->page / 2);
	case P_STRADDLE:
		/* Starts in the buffer, ends in the guard page. */
		return f->buf + room - (size > 1 ? 1 + rnd_below(size - 1) : 0);
	default:
		/* Misaligned as often as not. */
		return f->buf + room - size - rnd_below(8) -
		       (rnd_below(2) ? rnd_below(room - size - 7) : 0);
	}
}

static void fill_random(char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (char)rnd();
}

static bool all_zero(const char *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/*
 * What a valid call of command @k with @usize bytes at @p must do.
 * Returns 0, the errno expected, or -1 if either may happen.  May shape the input to hit the
 * interesting cases: zero or non-zero tails, valid or invalid fields.
 */
static int shape_valid_input(struct fuzz *f, int k, char *p, size_t usize)
{
	size_t ksize = known[k].size;
	bool tail_zero = usize <= ksize || rnd_below(2);
	struct mmapdemo_set_strategy *req = (void *)p;
	struct mmapdemo_walk *w = (void *)p;
	struct mmapdemo_defio_read *dr = (void *)p;

	if (rnd_below(2))
		fill_random(p, usize);
	else
		memset(p, rnd_below(2) ? 0 : 0xa5, usize);
	if (usize > ksize && tail_zero)
		memset(p + ksize, 0, usize - ksize);
	else if (usize > ksize && known[k].in && all_zero(p + ksize, usize - ksize))
		p[ksize + rnd_below(usize - ksize)] = 1;

	if (known[k].cmd == MMAPDEMO_IOC_SET_STRATEGY) {
		if (rnd_below(2)) {
			req->strategy = rnd_below(4);
			req->flags = 0;
		}
		if (usize > ksize && !tail_zero)
			return E2BIG;
		if (req->flags || !strategy_ok(f->bar, req->strategy))
			return EINVAL;
		return 0;
	}
	if (known[k].cmd == MMAPDEMO_IOC_WALK) {
		if (rnd_below(2)) {
			switch (rnd_below(3)) {
			case 0:
				w->addr = (uintptr_t)f->buf;
				break;
			case 1:
				w->addr = (uintptr_t)&rng;
				break;
			default:	/* the device's own mapping */
				w->addr = (uintptr_t)(f->map + rnd_below(MAP_PAGES *
									 f->page));
			}
			w->flags = 0;
		}
		if (usize > ksize && !tail_zero)
			return E2BIG;
		if (w->flags || w->addr >= 1ULL << 56)
			return EINVAL;
		/* Where user space ends depends on 4- or 5-level paging. */
		return w->addr < 0x00007ffffffff000ULL ? 0 : -1;
	}
	if (known[k].cmd == MMAPDEMO_IOC_DEFIO_READ) {
		if (rnd_below(2)) {
			dr->offset = rnd_below(2) ? 0 : rnd_below(1U << 24);
			dr->addr = (uintptr_t)f->buf;
			dr->len = rnd_below(BUF_PAGES * f->page + 1);
			dr->flags = 0;
			dr->reserved = 0;
		}
		if (usize > ksize && !tail_zero)
			return E2BIG;
		if (dr->flags || dr->reserved)
			return EINVAL;
		/*
		 * A range past the device is EINVAL; inside it, ENODATA
		 * until a defio mapping made the device side, else 0 or
		 * EFAULT as the pointer goes.
		 */
		return -1;
	}
	return 0;
}

/* A successful output: valid values, and zero in what is reserved. */
static void check_output(struct __test_metadata *_metadata, struct fuzz *f,
			 int k, const char *p)
{
	const struct mmapdemo_info *info = (const void *)p;
	const struct mmapdemo_walk *w = (const void *)p;
	unsigned int i;

	if (known[k].cmd == MMAPDEMO_IOC_INFO) {
		EXPECT_EQ((__u32)MMAPDEMO_ABI_VERSION, info->abi_version);
		EXPECT_EQ((__u32)sysconf(_SC_PAGESIZE), info->page_size);
		EXPECT_TRUE(strategy_ok(f->bar, info->strategy));
		EXPECT_EQ(0U, info->flags);
	} else if (known[k].cmd == MMAPDEMO_IOC_WALK) {
		EXPECT_EQ(0U, w->flags);
		EXPECT_EQ(0U, w->reserved);
		EXPECT_GE((__u32)MMAPDEMO_LEVELS, w->levels);
		EXPECT_GE((__u32)MMAPDEMO_VMA_MMAPDEMO, w->vma_kind);
		for (i = 0; i < MMAPDEMO_LEVELS; i++) {
			EXPECT_EQ(0U, w->entry[i].reserved);
			if (i >= w->levels)
				EXPECT_EQ(0ULL, w->entry[i].raw | w->entry[i].pfn |
						  w->entry[i].bits);
		}
		if (w->vma_kind == MMAPDEMO_VMA_NONE)
			EXPECT_EQ(0ULL, w->vma_start | w->vma_end |
					  w->vma_flags | w->vma_pgoff);
	}
}

/* One call; EXPECTs that its outcome is the one the ABI promises. */
static void one_call(struct __test_metadata *_metadata, struct fuzz *f,
		     unsigned int cmd, enum ptr_kind kind)
{
	size_t usize = _IOC_SIZE(cmd), room = BUF_PAGES * f->page;
	int k = known_index(cmd), want = 0, ret, err;
	char *p = pick_ptr(f, kind, usize);
	bool valid = kind == P_VALID;
	size_t touched;

	if (valid && k >= 0 && usize >= known[k].min)
		want = shape_valid_input(f, k, p, usize);
	else if (valid)
		fill_random(p, usize);
	memcpy(f->shadow, f->buf, room);

	errno = 0;
	ret = ioctl(f->fd, cmd, p);
	err = errno;
	f->calls++;

	if (ret == 0)
		f->ok++;
	else if (err == ENOTTY)
		f->errs[0]++;
	else if (err == EINVAL)
		f->errs[1]++;
	else if (err == EFAULT)
		f->errs[2]++;
	else
		f->errs[3]++;

	/*
	 * What the module reads or writes: all of an input, the module's
	 * part of an output.  A straddling struct whose touched part lies
	 * in the buffer is no bad pointer.
	 */
	touched = k < 0 ? 0 : known[k].in ? usize : MIN(usize, known[k].size);
	if (k >= 0 && kind == P_STRADDLE && p + touched <= f->buf + room)
		return;

	if (k < 0) {
		EXPECT_EQ(-1, ret) TH_LOG("cmd %#x arg %p: not the device's", cmd, p);
		EXPECT_EQ(ENOTTY, err) TH_LOG("cmd %#x arg %p", cmd, p);
	} else if (usize < known[k].min) {
		EXPECT_EQ(-1, ret) TH_LOG("cmd %#x: %zu bytes is too short", cmd, usize);
		EXPECT_EQ(EINVAL, err) TH_LOG("cmd %#x arg %p", cmd, p);
	} else if (!valid && known[k].in && usize > known[k].min) {
		/*
		 * The tail of a longer input is checked first: where it is
		 * readable and not zero, the answer is E2BIG.  Read-only
		 * memory is a fine input, so only an output fails there.
		 */
		if (kind != P_READONLY || known[k].out) {
			EXPECT_EQ(-1, ret) TH_LOG("cmd %#x arg %p: a bad pointer", cmd, p);
			EXPECT_TRUE(err == EFAULT || err == E2BIG)
				TH_LOG("cmd %#x arg %p: %s", cmd, p, strerror(err));
		}
	} else if (!valid && (kind != P_READONLY || known[k].out)) {
		EXPECT_EQ(-1, ret) TH_LOG("cmd %#x arg %p: a bad pointer", cmd, p);
		EXPECT_EQ(EFAULT, err) TH_LOG("cmd %#x arg %p", cmd, p);
	} else if (valid && want > 0) {
		EXPECT_EQ(-1, ret) TH_LOG("cmd %#x: want errno %d", cmd, want);
		EXPECT_EQ(want, err) TH_LOG("cmd %#x", cmd);
		/* A refused call writes nothing back. */
		EXPECT_EQ(0, memcmp(f->shadow, f->buf, room)) TH_LOG("cmd %#x", cmd);
	} else if (valid && want == 0) {
		EXPECT_EQ(0, ret) TH_LOG("cmd %#x arg %p: %s", cmd, p, strerror(err));
		if (ret == 0 && known[k].out)
			check_output(_metadata, f, k, p);
		/* Nothing outside the module's part of the struct changes. */
		if (ret == 0)
			EXPECT_TRUE(!memcmp(f->shadow, f->buf, p - f->buf) &&
				    !memcmp(f->shadow + (p - f->buf) + touched,
					    p + touched,
					    room - (p - f->buf) - touched))
				TH_LOG("cmd %#x: the caller's tail changed", cmd);
	}
}

FIXTURE(fuzz)
{
	struct fuzz f;
};

FIXTURE_VARIANT(fuzz)
{
	bool bar;
};

FIXTURE_VARIANT_ADD(fuzz, ram)
{
	.bar = false,
};

FIXTURE_VARIANT_ADD(fuzz, bar)
{
	.bar = true,
};

static char bar_path[64], bar_bdf[24];

/* The ivshmem BAR device, or why there is none to fuzz. */
static const char *find_ivshmem(void)
{
	if (getuid() != 0)
		return "the BAR device is root's (mode 0600)";
	if (mmapdemo_find_bar(MMAPDEMO_IVSHMEM_VENDOR, MMAPDEMO_IVSHMEM_DEVICE,
			      bar_path, sizeof(bar_path), bar_bdf,
			      sizeof(bar_bdf)))
		return MMAPDEMO_BAR_HINT("ivshmem-plain");
	bar_remap = !mmapdemo_remap_why(bar_path);
	return NULL;
}

FIXTURE_SETUP(fuzz)
{
	struct fuzz *f = &self->f;
	const char *why;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->map_fd = -1;
	f->bar = variant->bar;
	if (f->bar) {
		why = find_ivshmem();
		if (why)
			SKIP(return, "%s", why);
		mmapdemo_dev = bar_path;
	}
	f->fd = open(mmapdemo_dev, O_RDWR);
	if (f->fd < 0)
		SKIP(return, MMAPDEMO_HINT);
	f->page = sysconf(_SC_PAGESIZE);
	/* A mapping of the device for the walk: fault, half of it touched. */
	f->map_fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_FAULT);
	ASSERT_LE(0, f->map_fd);
	f->map = mmap(NULL, MAP_PAGES * f->page, PROT_READ, MAP_SHARED,
		      f->map_fd, 0);
	ASSERT_NE(MAP_FAILED, f->map);
	for (i = 0; i < MAP_PAGES; i += 2)
		(void)*(volatile char *)(f->map + i * f->page);
	f->buf = mmap(NULL, (BUF_PAGES + 1) * f->page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f->buf);
	ASSERT_EQ(0, mprotect(f->buf + BUF_PAGES * f->page, f->page, PROT_NONE));
	f->ro = mmap(NULL, f->page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	ASSERT_NE(MAP_FAILED, f->ro);
	/* A one-page hole between two pages: nothing later fits in it. */
	f->gone = mmap(NULL, 3 * f->page, PROT_READ,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, f->gone);
	f->gone += f->page;
	ASSERT_EQ(0, munmap(f->gone, f->page));
	f->shadow = malloc(BUF_PAGES * f->page);
	ASSERT_NE(NULL, f->shadow);
	rng = env_ul("MMAPDEMO_FUZZ_SEED", 0);
	if (!rng)
		rng = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	ksft_print_msg("fuzz: seed %llu (MMAPDEMO_FUZZ_SEED)\n",
		       (unsigned long long)rng);
	clock_gettime(CLOCK_MONOTONIC, &f->start);
}

FIXTURE_TEARDOWN(fuzz)
{
	if (self->f.map && self->f.map != MAP_FAILED)
		munmap(self->f.map, MAP_PAGES * self->f.page);
	if (self->f.map_fd >= 0)
		close(self->f.map_fd);
	if (self->f.fd >= 0)
		close(self->f.fd);
	free(self->f.shadow);
}

static void report(struct fuzz *f)
{
	struct timespec now;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &now);
	s = now.tv_sec - f->start.tv_sec +
	    (now.tv_nsec - f->start.tv_nsec) / 1e9;
	ksft_print_msg("fuzz: %lu calls: %lu ok, %lu ENOTTY, %lu EINVAL, %lu EFAULT, %lu other errors; %.0f s, %.0f calls/s\n",
		       f->calls, f->ok, f->errs[0], f->errs[1], f->errs[2],
		       f->errs[3], s, s > 0 ? f->calls / s : 0);
}

/*
 * Random commands with random pointers.  Bounded by the number of calls,
 * not by time: 20000 of them took more than the harness's default 30 s in
 * a TCG guest on a host at a load of 11.
 */
TEST_F_TIMEOUT(fuzz, random_commands_and_pointers, 300)
{
	unsigned long n = env_ul("MMAPDEMO_FUZZ_ITERATIONS", 20000), i;
	enum ptr_kind kind;

	for (i = 0; i < n && _metadata->passed; i++) {
		/* Valid pointers half the time, to get past the checks. */
		kind = rnd_below(2) ? P_VALID : (enum ptr_kind)rnd_below(NPTR);
		one_call(_metadata, &self->f, random_cmd(), kind);
	}
	report(&self->f);
}

/* Each command of the device with each kind of pointer and each size. */
TEST_F(fuzz, every_command_every_pointer)
{
	static const int deltas[] = { -1000, -9, -8, -1, 0, 1, 7, 8, 64, 4096 };
	unsigned int k, d, kind, rep;
	int size;

	for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		for (d = 0; d < sizeof(deltas) / sizeof(deltas[0]); d++)
			for (kind = 0; kind < NPTR; kind++)
				for (rep = 0; rep < 4; rep++) {
					size = (int)known[k].min + deltas[d];
					if (size < 0)
						size = 0;
					one_call(_metadata, &self->f,
						 WITH_SIZE(known[k].cmd, size),
						 (enum ptr_kind)kind);
				}
	report(&self->f);
}

/* The same as an unprivileged caller that was handed an open file. */
TEST_F(fuzz, unprivileged_caller)
{
	unsigned long n = env_ul("MMAPDEMO_FUZZ_ITERATIONS", 20000) / 4, i;
	int status;
	pid_t pid;

	if (getuid() != 0)
		SKIP(return, "needs root to drop to an unprivileged user");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (mmapdemo_become_nobody())
			_exit(2);
		for (i = 0; i < n && _metadata->passed; i++)
			one_call(_metadata, &self->f, random_cmd(),
				 rnd_below(2) ? P_VALID :
						(enum ptr_kind)rnd_below(NPTR));
		report(&self->f);
		_exit(_metadata->passed ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

/*
 * What a write of @len bytes of @s to the caching attribute must give:
 * sysfs hands the attribute at most a page (kernfs_fop_write_iter(), a
 * shorter write() then), ends the string at its first NUL, and
 * sysfs_streq() ignores one trailing newline.  0 for "uc" or "wc" (EBUSY
 * while mapped), else EINVAL.
 */
static int caching_answer(const char *s, size_t len, bool mapped, char *mode)
{
	size_t n = strnlen(s, len);

	if (n && s[n - 1] == '\n')
		n--;
	if (n != 2 || (memcmp(s, "uc", 2) && memcmp(s, "wc", 2)))
		return EINVAL;
	if (mapped)
		return EBUSY;
	memcpy(mode, s, 2);
	return 0;
}

/* Random strings, long strings and near misses into sysfs "caching". */
TEST(bar_sysfs_caching_fuzz)
{
	static const struct {
		const char *s;
		size_t len;
	} near[] = {
		{ "uc", 2 }, { "wc", 2 }, { "uc\n", 3 }, { "wc\n", 3 },
		{ "uc\n\n", 4 }, { " uc", 3 }, { "UC", 2 }, { "wb", 2 },
		{ "w", 1 }, { "ucc", 3 }, { "uc\0junk", 7 }, { "wc\0\n", 4 },
		{ "\n", 1 }, { "uc ", 3 }, { "wc\r\n", 4 }, { "\0uc", 3 },
	};
	unsigned long n = env_ul("MMAPDEMO_FUZZ_ITERATIONS", 20000) / 20, i;
	char attr[128], orig[8] = "", cur[8] = "", want[3] = "", *big, *m = NULL;
	const char *why = find_ivshmem();
	size_t len, k, page = sysconf(_SC_PAGESIZE);
	unsigned long counts[4] = { 0 };
	int afd, mfd, expect;
	ssize_t w;

	if (why)
		SKIP(return, "%s", why);
	mmapdemo_dev = bar_path;
	rng = env_ul("MMAPDEMO_FUZZ_SEED", 0);
	if (!rng)
		rng = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	ksft_print_msg("fuzz: sysfs seed %llu (MMAPDEMO_FUZZ_SEED)\n",
		       (unsigned long long)rng);
	snprintf(attr, sizeof(attr), "/sys/class/misc/mmapdemo-%s/caching",
		 bar_bdf);
	afd = open(attr, O_RDONLY);
	ASSERT_LE(0, afd);
	ASSERT_LT(0, read(afd, orig, sizeof(orig) - 1));
	close(afd);
	memcpy(want, orig, 2);
	big = malloc(3 * page);
	ASSERT_NE(NULL, big);
	mfd = mmapdemo_open_strategy(O_RDWR, mmapdemo_eager_strategy(bar_path));
	ASSERT_LE(0, mfd);

	for (i = 0; i < n && _metadata->passed; i++) {
		/* Mapped a third of the time: then nothing may change. */
		if (!m && rnd_below(3) == 0) {
			m = mmap(NULL, page, PROT_READ, MAP_SHARED, mfd, 0);
			ASSERT_NE(MAP_FAILED, m);
		} else if (m && rnd_below(2)) {
			ASSERT_EQ(0, munmap(m, page));
			m = NULL;
		}
		switch (rnd_below(4)) {
		case 0:		/* near misses */
			k = rnd_below(sizeof(near) / sizeof(near[0]));
			len = near[k].len;
			memcpy(big, near[k].s, len);
			break;
		case 1:		/* random bytes, short */
			len = 1 + rnd_below(64);
			fill_random(big, len);
			break;
		case 2:		/* long: up to and past a page */
			len = page - 2 + rnd_below(4) +
			      (rnd_below(4) ? 0 : page + rnd_below(page));
			memset(big, 'a' + rnd_below(26), len);
			/* Valid up to a NUL, half of these. */
			if (rnd_below(2))
				memcpy(big, "uc\0", 2 + rnd_below(2));
			break;
		default:	/* a valid mode, possibly with a newline */
			len = 2 + rnd_below(2);
			memcpy(big, rnd_below(2) ? "uc\n" : "wc\n", 3);
		}
		expect = caching_answer(big, len < page ? len : page, m, want);
		afd = open(attr, O_WRONLY);
		ASSERT_LE(0, afd);
		errno = 0;
		w = write(afd, big, len);
		close(afd);
		if (expect) {
			EXPECT_EQ(-1, w) TH_LOG("%zu bytes \"%.8s\": want errno %d",
						len, big, expect);
			EXPECT_EQ(expect, errno) TH_LOG("%zu bytes \"%.8s\"",
							len, big);
			counts[expect == EINVAL ? 1 : 2]++;
		} else {
			EXPECT_EQ((ssize_t)(len < page ? len : page), w)
				TH_LOG("%zu bytes \"%.8s\": %s", len, big,
				       strerror(errno));
			counts[0]++;
		}
		counts[3] += len > page;
		/* What is read back is the last mode that was accepted. */
		afd = open(attr, O_RDONLY);
		ASSERT_LE(0, afd);
		memset(cur, 0, sizeof(cur));
		ASSERT_EQ(3, read(afd, cur, sizeof(cur) - 1));
		close(afd);
		EXPECT_EQ(0, memcmp(cur, want, 2))
			TH_LOG("caching is %s, want %.2s", cur, want);
		EXPECT_EQ('\n', cur[2]);
	}
	if (m)
		munmap(m, page);
	close(mfd);
	ksft_print_msg("fuzz: caching: %lu accepted, %lu EINVAL, %lu EBUSY; %lu longer than a page\n",
		       counts[0], counts[1], counts[2], counts[3]);
	EXPECT_LT(0UL, counts[0]);
	EXPECT_LT(0UL, counts[1]);
	EXPECT_LT(0UL, counts[2]);
	EXPECT_EQ(0, mmapdemo_write_file(attr, orig));
	free(big);
}

/* A BAR device's read-only attributes refuse writers, root included. */
TEST(bar_sysfs_read_only_attributes)
{
	static const char *const ro[] = {
		"size", "backing", "front_end", "bar", "stats/faults",
		"stats/live_vmas", "stats/mmaps",
	};
	const char *why = find_ivshmem();
	char path[160];
	unsigned int i;

	if (why)
		SKIP(return, "%s", why);
	for (i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		snprintf(path, sizeof(path), "/sys/class/misc/mmapdemo-%s/%s",
			 bar_bdf, ro[i]);
		EXPECT_EQ(-1, open(path, O_WRONLY)) TH_LOG("%s", path);
		EXPECT_EQ(EACCES, errno) TH_LOG("%s", path);
	}
}

/* The harness of 6.1 has no TEST_TIMEOUT(): 1000 sysfs writes, on TCG. */
static void __attribute__((constructor)) sysfs_fuzz_timeout(void)
{
	_bar_sysfs_caching_fuzz_object.timeout = 300;
}

/*
 * The limits above are for the default 20000 calls, which make fuzz
 * runs with more (make fuzz: a million) multiply, after the slowdown.
 */
static void fuzz_timeouts(void)
{
	unsigned long n = env_ul("MMAPDEMO_FUZZ_ITERATIONS", 20000);
	struct __test_metadata *t;

	if (n <= 20000)
		return;
	for (t = _fixture_global.tests; t; t = t->next)
		t->timeout = (int)((double)t->timeout * n / 20000 + 1);
	for (t = _fuzz_fixture_object.tests; t; t = t->next)
		t->timeout = (int)((double)t->timeout * n / 20000 + 1);
	ksft_print_msg("fuzz: time limits x %.1f for %lu calls (MMAPDEMO_FUZZ_ITERATIONS)\n",
		       n / 20000.0, n);
}

MMAPDEMO_HARNESS_MAIN_THEN(fuzz_timeouts)
