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
 * And on the DMA device of an edu (the dma variant, Documentation/dma.rst;
 * the edu VM runs it, scripts/bar-proof.sh edu): its three commands, with
 * MMAPDEMO_IOC_DMA_XFER's offsets, lengths, directions and flags and
 * MMAPDEMO_IOC_DMA_ADDR's offsets drawn near the edges of both buffers and
 * far from them, each answer checked against a model of the documented
 * bounds, DMA_INFO at every size, and addresses only to CAP_SYS_ADMIN.
 * fuzz_dma's test then makes random transfers, most of them valid, and
 * checks that each moved exactly its range: every other byte of both
 * mapped buffers unchanged, the device's buffer as a model of it says
 * (read back at the end), and the counters moved by one transfer and one
 * interrupt per run, or not at all for a refused request; after each
 * call, eight read()s or pread()s near the edges give what the mappings
 * show.
 *
 * MMAPDEMO_FUZZ_ITERATIONS (default 20000) bounds the run and
 * MMAPDEMO_FUZZ_SEED (default: the time) seeds it; the seed is printed.
 * edu's DMA engine is slow (QEMU runs each run 100 ms of virtual time
 * after its start), so valid transfers have a bound of their own,
 * MMAPDEMO_FUZZ_DMA_XFERS (default: one per 500 calls, at least 8): that
 * many in fuzz_dma's test, a quarter of it in each test of the dma
 * variant, which turns a request that would be valid past its bound into
 * an invalid one (a flag set).
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

/* Whether the edu sits behind an IOMMU: DMA and physical addresses differ. */
static bool dma_iommu;

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
struct known_cmd {
	unsigned int cmd;
	size_t min;
	size_t size;
	bool in;	/* reads a struct: tail must be zero */
	bool out;	/* writes a struct back */
};

static const struct known_cmd ram_known[] = {
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

/* The DMA device's: every other command is ENOTTY there. */
static const struct known_cmd dma_known[] = {
	/* It grew pages_offset and pages_size with the page array. */
	{ MMAPDEMO_IOC_DMA_INFO, offsetof(struct mmapdemo_dma_info, pages_offset),
	  sizeof(struct mmapdemo_dma_info), false, true },
	{ MMAPDEMO_IOC_DMA_XFER, sizeof(struct mmapdemo_dma_xfer),
	  sizeof(struct mmapdemo_dma_xfer), true, false },
	{ MMAPDEMO_IOC_DMA_ADDR, sizeof(struct mmapdemo_dma_addr),
	  sizeof(struct mmapdemo_dma_addr), true, true },
};

/* The table of the device under test: set by the fixture's setup. */
static const struct known_cmd *known = ram_known;
static unsigned int nknown = sizeof(ram_known) / sizeof(ram_known[0]);

#define NOSIZE(cmd) ((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))
#define WITH_SIZE(cmd, size) \
	(NOSIZE(cmd) | ((unsigned int)(size) << _IOC_SIZESHIFT))

static int known_index(unsigned int cmd)
{
	unsigned int i;

	for (i = 0; i < nknown; i++)
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
	case 1:		/* our type, any number (the DMA device's too) */
		dir = rnd_below(4);
		return _IOC(dir, MMAPDEMO_IOCTL_TYPE, rnd_below(0x30),
			    rnd_below(_IOC_SIZEMASK + 1));
	default:	/* our commands with a size near the module's */
		k = rnd_below(nknown);
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
	bool dma;
	struct mmapdemo_dma_info dinfo;	/* the DMA device, as root saw it */
	char *dmap[2];	/* both DMA buffers, mapped whole, or NULL */
	long xfers_left;	/* valid transfers this test may still make */
	__u64 addr_offset;	/* the offset of the last DMA_ADDR input */
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

/*
 * The DMA device's bounds, as Documentation/abi.rst and dma.rst state them:
 * the coherent buffer at [0, size), the page array at [pages_offset,
 * pages_offset + pages_size) of the file's offsets, and the bytes of the
 * device's buffer a transfer may use, [0, dev_buf_size).
 */
static bool in_dma_buffer(const struct mmapdemo_dma_info *i, __u64 off,
			  __u64 len)
{
	if (off < i->size && len <= i->size - off)
		return true;
	return off >= i->pages_offset && off - i->pages_offset < i->pages_size &&
	       len <= i->pages_size - (off - i->pages_offset);
}

/* What MMAPDEMO_IOC_DMA_XFER must answer: 0 (a transfer) or EINVAL. */
static int xfer_answer(const struct mmapdemo_dma_info *i,
		       const struct mmapdemo_dma_xfer *x)
{
	if (x->flags || !x->len || x->len > i->dev_buf_size)
		return EINVAL;
	if (x->direction != MMAPDEMO_DMA_TO_DEVICE &&
	    x->direction != MMAPDEMO_DMA_FROM_DEVICE)
		return EINVAL;
	if (x->dev_offset >= i->dev_buf_size ||
	    x->len > i->dev_buf_size - x->dev_offset)
		return EINVAL;
	return in_dma_buffer(i, x->offset, x->len) ? 0 : EINVAL;
}

/* An offset of the file near an edge of a DMA buffer, inside or out. */
static __u64 dma_offset(const struct mmapdemo_dma_info *i, size_t page)
{
	__u64 near = rnd_below(2 * page + 1);

	switch (rnd_below(9)) {
	case 0:
		return rnd_below(i->size);
	case 1:
		return i->pages_offset + rnd_below(i->pages_size);
	case 2:		/* the coherent buffer's end */
		return i->size - page + near;
	case 3:		/* the page array's start */
		return i->pages_offset - page + near;
	case 4:		/* its end */
		return i->pages_offset + i->pages_size - page + near;
	case 5:		/* between the buffers */
		return i->size + rnd_below(i->pages_offset - i->size);
	case 6:		/* wrapping */
		return ~0ULL - rnd_below(2 * page);
	case 7:
		return 1ULL << rnd_below(64);
	default:
		return rnd();
	}
}

/* A length for a transfer: small, large, at the limits, or anything. */
static __u32 dma_len(const struct mmapdemo_dma_info *i, size_t page)
{
	switch (rnd_below(7)) {
	case 0:
		return 1 + rnd_below(64);
	case 1:
		return 1 + rnd_below(i->dev_buf_size);
	case 2:		/* around the most a transfer may move */
		return i->dev_buf_size - 2 + rnd_below(4);
	case 3:
		return page - 8 + rnd_below(16);
	case 4:
		return 0;
	case 5:
		return ~0U - rnd_below(2 * page);
	default:
		return (__u32)rnd();
	}
}

/* A valid one, in buffer @b (0 coherent, 1 the page array). */
static void valid_xfer(const struct mmapdemo_dma_info *i, size_t page,
		       unsigned int b, struct mmapdemo_dma_xfer *x)
{
	__u64 base = b ? i->pages_offset : 0, size = b ? i->pages_size : i->size;

	x->direction = 1 + rnd_below(2);
	x->flags = 0;
	/* Short ones often: they start and end in every place. */
	x->len = rnd_below(3) ? 1 + rnd_below(rnd_below(2) ? 64 : page) :
				1 + rnd_below(i->dev_buf_size);
	if (x->len > i->dev_buf_size)
		x->len = i->dev_buf_size;
	x->offset = base + (rnd_below(4) ? rnd_below(size - x->len + 1) :
			    rnd_below(2) ? 0 : size - x->len);
	x->dev_offset = rnd_below(4) ? rnd_below(i->dev_buf_size - x->len + 1) :
			rnd_below(2) ? 0 : i->dev_buf_size - x->len;
}

/*
 * A valid transfer with one field just past its edge: the range running
 * past a buffer's end by 1 byte to a page (most often: the bound that
 * keeps the device inside the driver's memory), starting just before the
 * page array, past the end of edu's buffer, of length 0 or over the most,
 * an unknown direction, a flag.
 */
static void edge_xfer(const struct mmapdemo_dma_info *i, size_t page,
		      struct mmapdemo_dma_xfer *x)
{
	unsigned int b = rnd_below(2);
	__u64 end = b ? i->pages_offset + i->pages_size : i->size, k;

	valid_xfer(i, page, b, x);
	switch (rnd_below(9)) {
	case 0 ... 2:	/* past the buffer's end */
		k = 1 + rnd_below(page);
		x->len = k + 1 + rnd_below(page);
		if (x->len > i->dev_buf_size) {
			x->len = i->dev_buf_size;
			k = x->len - 1 - rnd_below(x->len - 1);
		}
		x->offset = end - k;
		x->dev_offset = rnd_below(i->dev_buf_size - x->len + 1);
		break;
	case 3:		/* from just before the page array */
		x->offset = i->pages_offset - 1 - rnd_below(x->len);
		break;
	case 4:		/* past the end of edu's buffer */
		x->dev_offset = i->dev_buf_size - x->len + 1 + rnd_below(page);
		break;
	case 5:
		x->len = rnd_below(2) ? 0 : i->dev_buf_size + 1 + rnd_below(page);
		break;
	case 6:
		x->direction = rnd_below(2) ? 0 : 3 + rnd_below(1000);
		break;
	case 7:
		x->flags = 1U << rnd_below(32);
		break;
	default:	/* so far that the range wraps */
		x->offset = ~0ULL - rnd_below(x->len);
	}
}

/* A random transfer request: near an edge, or with every field's edges. */
static void random_xfer(const struct mmapdemo_dma_info *i, size_t page,
			struct mmapdemo_dma_xfer *x)
{
	if (rnd_below(2)) {
		edge_xfer(i, page, x);
		return;
	}
	x->direction = rnd_below(4) ? 1 + rnd_below(2) :
		       rnd_below(2) ? rnd_below(4) : (__u32)rnd();
	x->flags = rnd_below(8) ? 0 : 1U << rnd_below(32);
	x->offset = dma_offset(i, page);
	x->len = dma_len(i, page);
	switch (rnd_below(4)) {
	case 0:		/* near the end of the device's buffer */
		x->dev_offset = i->dev_buf_size - 4 + rnd_below(8);
		break;
	case 1:
		x->dev_offset = rnd_below(2) ? ~0U - rnd_below(8) : (__u32)rnd();
		break;
	default:
		x->dev_offset = rnd_below(i->dev_buf_size);
	}
}

/* The runs of edu's engine, so its interrupts, for a valid transfer. */
static __u64 xfer_runs(const struct mmapdemo_dma_info *i,
		       const struct mmapdemo_dma_xfer *x, size_t page)
{
	__u64 rel = x->offset - i->pages_offset;

	if (x->offset < i->size)
		return 1;
	return (rel + x->len - 1) / page - rel / page + 1;
}

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
 * A transfer request at @p (perhaps misaligned: copied, not cast): a valid
 * one, one near the edges, or the random bytes, a third of the time each;
 * the answer the model gives.  A valid one beyond the test's bound of
 * transfers gets a flag, and so EINVAL.
 */
static int shape_xfer(struct fuzz *f, char *p, bool e2big)
{
	struct mmapdemo_dma_xfer x;
	int want;

	memcpy(&x, p, sizeof(x));
	switch (rnd_below(3)) {
	case 0:
		valid_xfer(&f->dinfo, f->page, rnd_below(2), &x);
		break;
	case 1:
		random_xfer(&f->dinfo, f->page, &x);
		break;
	}
	if (e2big) {
		memcpy(p, &x, sizeof(x));
		return E2BIG;
	}
	want = xfer_answer(&f->dinfo, &x);
	if (!want && f->xfers_left <= 0) {
		x.flags = 1U << rnd_below(32);
		want = EINVAL;
	} else if (!want) {
		f->xfers_left--;
	}
	memcpy(p, &x, sizeof(x));
	return want;
}

/* An address request: an offset near the edges, half the time. */
static int shape_addr(struct fuzz *f, char *p, bool e2big)
{
	struct mmapdemo_dma_addr a;

	memcpy(&a, p, sizeof(a));
	if (rnd_below(2)) {
		a.offset = dma_offset(&f->dinfo, f->page);
		a.flags = rnd_below(8) ? 0 : 1U << rnd_below(32);
		a.reserved = rnd_below(8) ? 0 : (__u32)rnd();
	}
	f->addr_offset = a.offset;
	memcpy(p, &a, sizeof(a));
	if (e2big)
		return E2BIG;
	return a.flags || a.reserved || !in_dma_buffer(&f->dinfo, a.offset, 1) ?
		       EINVAL : 0;
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
	if (known[k].cmd == MMAPDEMO_IOC_DMA_XFER)
		return shape_xfer(f, p, usize > ksize && !tail_zero);
	if (known[k].cmd == MMAPDEMO_IOC_DMA_ADDR)
		return shape_addr(f, p, usize > ksize && !tail_zero);
	return 0;
}

/*
 * DMA_INFO's output, the @usize bytes of it the caller asked for: the
 * device as root saw it at setup, and the addresses only to
 * CAP_SYS_ADMIN (the unprivileged caller runs as nobody).
 */
static void check_dma_info(struct __test_metadata *_metadata,
			   const struct fuzz *f, const char *p, size_t usize)
{
	const struct mmapdemo_dma_info *d = &f->dinfo;
	const bool root = geteuid() == 0;
	struct mmapdemo_dma_info i;

	memset(&i, 0, sizeof(i));
	memcpy(&i, p, MIN(usize, sizeof(i)));
	EXPECT_EQ(d->size, i.size);
	EXPECT_EQ(d->dev_buf_size, i.dev_buf_size);
	EXPECT_EQ(d->irq_kind, i.irq_kind);
	EXPECT_EQ(root ? MMAPDEMO_DMA_INFO_ADDRS : 0U, i.flags);
	EXPECT_EQ(0U, i.reserved);
	EXPECT_EQ(root ? d->dma_addr : 0ULL, i.dma_addr);
	EXPECT_EQ(root ? d->phys : 0ULL, i.phys);
	EXPECT_EQ(d->dma_mask, i.dma_mask);
	EXPECT_LE(d->transfers, i.transfers);
	EXPECT_LE(d->irqs, i.irqs);
	/* Not one transfer of the fuzzer may time out. */
	EXPECT_EQ(d->timeouts, i.timeouts);
	/* The fixture's two mappings, and a child's copies of them. */
	EXPECT_LE(2ULL, i.live_vmas);
	if (usize >= offsetof(struct mmapdemo_dma_info, pages_size) + 8) {
		EXPECT_EQ(d->pages_offset, i.pages_offset);
		EXPECT_EQ(d->pages_size, i.pages_size);
	}
}

/*
 * DMA_ADDR's output for the offset the input named: the offset kept, and
 * for CAP_SYS_ADMIN the addresses of that byte, in the page the offset
 * names, below the device's mask, the coherent buffer one range from its
 * DMA address, and without an IOMMU the DMA address the physical one.
 */
static void check_dma_addr(struct __test_metadata *_metadata,
			   const struct fuzz *f, const char *p)
{
	const struct mmapdemo_dma_info *d = &f->dinfo;
	const __u64 off = f->addr_offset, pg = f->page;
	struct mmapdemo_dma_addr a;

	memcpy(&a, p, sizeof(a));
	EXPECT_EQ(off, a.offset);
	EXPECT_EQ(0U, a.reserved);
	if (geteuid() != 0) {
		EXPECT_EQ(0U, a.flags);
		EXPECT_EQ(0ULL, a.dma_addr | a.phys);
		return;
	}
	EXPECT_EQ(MMAPDEMO_DMA_INFO_ADDRS, a.flags);
	EXPECT_EQ(off % pg, a.dma_addr % pg) TH_LOG("offset %#llx", (unsigned long long)off);
	EXPECT_EQ(off % pg, a.phys % pg) TH_LOG("offset %#llx", (unsigned long long)off);
	EXPECT_GE(d->dma_mask, a.dma_addr);
	if (off < d->size)
		EXPECT_EQ(d->dma_addr + off, a.dma_addr)
			TH_LOG("offset %#llx", (unsigned long long)off);
	if (!dma_iommu)
		EXPECT_EQ(a.phys, a.dma_addr);
}

/* A successful output: valid values, and zero in what is reserved. */
static void check_output(struct __test_metadata *_metadata, struct fuzz *f,
			 int k, const char *p, size_t usize)
{
	const struct mmapdemo_info *info = (const void *)p;
	const struct mmapdemo_walk *w = (const void *)p;
	unsigned int i;

	if (known[k].cmd == MMAPDEMO_IOC_DMA_INFO) {
		check_dma_info(_metadata, f, p, usize);
	} else if (known[k].cmd == MMAPDEMO_IOC_DMA_ADDR) {
		check_dma_addr(_metadata, f, p);
	} else if (known[k].cmd == MMAPDEMO_IOC_INFO) {
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
			check_output(_metadata, f, k, p, usize);
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
	bool dma;
};

FIXTURE_VARIANT_ADD(fuzz, ram)
{
	.bar = false,
};

FIXTURE_VARIANT_ADD(fuzz, bar)
{
	.bar = true,
};

FIXTURE_VARIANT_ADD(fuzz, dma)
{
	.dma = true,
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

/*
 * Valid DMA transfers a test may make (MMAPDEMO_FUZZ_DMA_XFERS): one per
 * 500 calls of MMAPDEMO_FUZZ_ITERATIONS, at least 8.
 */
static long dma_xfers(void)
{
	unsigned long n = env_ul("MMAPDEMO_FUZZ_ITERATIONS", 20000) / 500;

	return (long)env_ul("MMAPDEMO_FUZZ_DMA_XFERS", n < 8 ? 8 : n);
}

/*
 * The DMA device of the first edu bound to mmapdemo, opened, and its
 * DMA_INFO as root sees it; or why there is none.
 */
static const char *open_dma(int *fd, struct mmapdemo_dma_info *info)
{
	char bdf[24], path[64];
	const char *none;

	if (getuid() != 0)
		return "the DMA device is root's (mode 0600)";
	none = mmapdemo_find_dma(path, sizeof(path), bdf, sizeof(bdf));
	if (none)
		return none;
	*fd = open(path, O_RDWR);
	if (*fd < 0)
		return "the edu's DMA device cannot be opened";
	memset(info, 0, sizeof(*info));
	if (ioctl(*fd, MMAPDEMO_IOC_DMA_INFO, info) ||
	    !(info->flags & MMAPDEMO_DMA_INFO_ADDRS))
		return "MMAPDEMO_IOC_DMA_INFO failed or gave root no addresses";
	dma_iommu = mmapdemo_have_iommu();
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
	f->dma = variant->dma;
	f->page = sysconf(_SC_PAGESIZE);
	known = f->dma ? dma_known : ram_known;
	nknown = f->dma ? sizeof(dma_known) / sizeof(dma_known[0]) :
			  sizeof(ram_known) / sizeof(ram_known[0]);
	if (f->bar) {
		why = find_ivshmem();
		if (why)
			MMAPDEMO_SETUP_SKIP("%s", why);
		mmapdemo_dev = bar_path;
	}
	if (f->dma) {
		why = open_dma(&f->fd, &f->dinfo);
		if (why)
			MMAPDEMO_SETUP_SKIP("%s", why);
		/* Both buffers mapped while the calls come. */
		f->dmap[0] = mmap(NULL, f->dinfo.size, PROT_READ | PROT_WRITE,
				  MAP_SHARED, f->fd, 0);
		ASSERT_NE(MAP_FAILED, f->dmap[0]);
		f->dmap[1] = mmap(NULL, f->dinfo.pages_size,
				  PROT_READ | PROT_WRITE, MAP_SHARED, f->fd,
				  f->dinfo.pages_offset);
		ASSERT_NE(MAP_FAILED, f->dmap[1]);
		f->xfers_left = dma_xfers() / 4;
	} else {
		f->fd = open(mmapdemo_dev, O_RDWR);
		if (f->fd < 0)
			MMAPDEMO_SETUP_SKIP(MMAPDEMO_HINT);
		/* A mapping of the device for the walk: fault, half touched. */
		f->map_fd = mmapdemo_open_strategy(O_RDWR,
						   MMAPDEMO_STRATEGY_FAULT);
		ASSERT_LE(0, f->map_fd);
		f->map = mmap(NULL, MAP_PAGES * f->page, PROT_READ, MAP_SHARED,
			      f->map_fd, 0);
		ASSERT_NE(MAP_FAILED, f->map);
		for (i = 0; i < MAP_PAGES; i += 2)
			(void)*(volatile char *)(f->map + i * f->page);
	}
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
	if (self->f.dmap[0] && self->f.dmap[0] != MAP_FAILED)
		munmap(self->f.dmap[0], self->f.dinfo.size);
	if (self->f.dmap[1] && self->f.dmap[1] != MAP_FAILED)
		munmap(self->f.dmap[1], self->f.dinfo.pages_size);
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
	if (f->dma)
		ksft_print_msg("fuzz: %ld valid DMA transfers made, %ld of them left\n",
			       dma_xfers() / 4 - f->xfers_left, f->xfers_left);
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

/*
 * Each command of the device with each kind of pointer and each size near
 * its own; on the DMA device, DMA_INFO at every size the command's number
 * can carry too.
 */
TEST_F_TIMEOUT(fuzz, every_command_every_pointer, 120)
{
	static const int deltas[] = { -1000, -9, -8, -1, 0, 1, 7, 8, 64, 4096 };
	unsigned int k, d, kind, rep;
	int size;

	for (size = 0; self->f.dma && size <= _IOC_SIZEMASK; size++)
		one_call(_metadata, &self->f,
			 WITH_SIZE(MMAPDEMO_IOC_DMA_INFO, size), P_VALID);

	for (k = 0; k < nknown; k++)
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
 * Random transfers on the DMA device, most of them valid, each checked
 * for moving exactly its range: both buffers mapped whole and filled with
 * new random bytes before each call, a model of the device's buffer, and
 * the counters.
 */
FIXTURE(fuzz_dma)
{
	int fd;
	size_t page;
	struct mmapdemo_dma_info info;
	char *m[2];		/* the coherent buffer, the page array */
	size_t size[2];
	char *shadow[2];	/* what they held before the call */
	unsigned char dev[4096];	/* what the device's buffer holds */
};

FIXTURE_SETUP(fuzz_dma)
{
	const char *why;
	unsigned int b;

	self->fd = -1;
	self->page = sysconf(_SC_PAGESIZE);
	why = open_dma(&self->fd, &self->info);
	if (why)
		MMAPDEMO_SETUP_SKIP("%s", why);
	ASSERT_GE(sizeof(self->dev), (size_t)self->info.dev_buf_size);
	self->size[0] = self->info.size;
	self->size[1] = self->info.pages_size;
	for (b = 0; b < 2; b++) {
		self->m[b] = mmap(NULL, self->size[b], PROT_READ | PROT_WRITE,
				  MAP_SHARED, self->fd,
				  b ? self->info.pages_offset : 0);
		ASSERT_NE(MAP_FAILED, self->m[b]);
		self->shadow[b] = malloc(self->size[b]);
		ASSERT_NE(NULL, self->shadow[b]);
	}
	rng = env_ul("MMAPDEMO_FUZZ_SEED", 0);
	if (!rng)
		rng = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	ksft_print_msg("fuzz: DMA transfers, seed %llu (MMAPDEMO_FUZZ_SEED)\n",
		       (unsigned long long)rng);
}

FIXTURE_TEARDOWN(fuzz_dma)
{
	unsigned int b;

	for (b = 0; b < 2; b++) {
		if (self->m[b] && self->m[b] != MAP_FAILED)
			munmap(self->m[b], self->size[b]);
		free(self->shadow[b]);
	}
	if (self->fd >= 0)
		close(self->fd);
}

/* The first byte where @a and @b differ, or -1. */
static long first_diff(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

/*
 * One call of MMAPDEMO_IOC_DMA_XFER, @x, against the model: refused with
 * EINVAL and nothing moved, or done with exactly its bytes moved.  Out of
 * the test's function: -m32 warns of its 64-bit values there.  Returns
 * whether it was a transfer.
 */
static bool __attribute__((noinline))
xfer_checked(struct __test_metadata *_metadata, FIXTURE_DATA(fuzz_dma) *self,
	     const struct mmapdemo_dma_xfer *x)
{
	const struct mmapdemo_dma_info *i = &self->info;
	int want = xfer_answer(i, x), ret, err;
	struct mmapdemo_dma_info before, after;
	unsigned int b = x->offset >= i->pages_offset, o;
	const __u64 rel = x->offset - (b ? i->pages_offset : 0);
	long at;

	for (o = 0; o < 2; o++) {
		fill_random(self->m[o], self->size[o]);
		memcpy(self->shadow[o], self->m[o], self->size[o]);
	}
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_DMA_INFO, &before));
	errno = 0;
	ret = ioctl(self->fd, MMAPDEMO_IOC_DMA_XFER, x);
	err = errno;
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_DMA_INFO, &after));
	if (want) {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(want, err);
		EXPECT_EQ(before.transfers, after.transfers);
		EXPECT_EQ(before.irqs, after.irqs);
	} else {
		EXPECT_EQ(0, ret) TH_LOG("%s", strerror(err));
		EXPECT_EQ(before.transfers + 1, after.transfers);
		EXPECT_EQ(before.irqs + xfer_runs(i, x, self->page), after.irqs);
	}
	EXPECT_EQ(before.timeouts, after.timeouts);
	/*
	 * What the device read, into the model; where it wrote, the model's
	 * bytes, and the buffer's shadow gets them too: then every byte of
	 * both buffers must be as the shadow says.
	 */
	if (!want && ret == 0 && x->direction == MMAPDEMO_DMA_TO_DEVICE)
		memcpy(self->dev + x->dev_offset, self->shadow[b] + rel, x->len);
	else if (!want && ret == 0)
		memcpy(self->shadow[b] + rel, self->dev + x->dev_offset, x->len);
	for (o = 0; o < 2; o++) {
		at = first_diff(self->shadow[o], self->m[o], self->size[o]);
		EXPECT_EQ(-1L, at)
			TH_LOG("%s buffer, byte %ld differs from what it must hold",
			       o ? "page-array" : "coherent", at);
	}
	if (!_metadata->passed)
		TH_LOG("the request: direction %u flags %#x offset %#llx dev_offset %u len %u: %s, want %s",
		       x->direction, x->flags, (unsigned long long)x->offset,
		       x->dev_offset, x->len, ret ? strerror(err) : "done",
		       want ? strerror(want) : "a transfer");
	return !want;
}

/*
 * A read of the DMA device at a random offset near an edge (pread(), or
 * lseek() then read()), against the model: the bytes the mapped buffers
 * hold, cut at the buffer's end, 0 in neither buffer, EINVAL for an
 * offset that is negative as an off_t (and for lseek() past the page
 * array); nothing written past what it returned.  Out of the test's
 * function, as xfer_checked().
 */
static void __attribute__((noinline))
read_checked(struct __test_metadata *_metadata, FIXTURE_DATA(fuzz_dma) *self)
{
	const struct mmapdemo_dma_info *i = &self->info;
	const __u64 off = dma_offset(i, self->page);
	const __u64 end = i->pages_offset + i->pages_size;
	size_t len = rnd_below(2) ? rnd_below(2 * self->page + 1) :
				    rnd_below(i->pages_size + self->page + 1);
	bool seek = rnd_below(2), neg = (__s64)off < 0;
	const char *want = NULL;
	ssize_t n = 0, ret;
	char *r;
	int err;

	if (off < i->size) {
		n = MIN(len, i->size - off);
		want = self->m[0] + off;
	} else if (off >= i->pages_offset && off < end) {
		n = MIN(len, end - off);
		want = self->m[1] + (off - i->pages_offset);
	}
	r = malloc(len + 1);
	ASSERT_NE(NULL, r);
	memset(r, 0x5a, len + 1);
	errno = 0;
	if (seek) {
		off_t at = lseek(self->fd, (off_t)off, SEEK_SET);

		if (neg || off > end) {
			EXPECT_EQ(-1, at);
			EXPECT_EQ(EINVAL, errno);
			free(r);
			return;
		}
		ASSERT_EQ((off_t)off, at);
		ret = read(self->fd, r, len);
	} else {
		ret = pread(self->fd, r, len, (off_t)off);
	}
	err = errno;
	if (neg) {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EINVAL, err);
	} else {
		EXPECT_EQ(n, ret) TH_LOG("%s", strerror(err));
		if (ret == n && n)
			EXPECT_EQ(-1L, first_diff(want, r, n));
		EXPECT_EQ(0x5a, r[ret > 0 ? ret : 0]);
	}
	if (!_metadata->passed)
		TH_LOG("the read: %s at %#llx, %zu bytes", seek ? "read" : "pread",
		       (unsigned long long)off, len);
	free(r);
}

/*
 * MMAPDEMO_FUZZ_DMA_XFERS valid transfers, in both buffers and both
 * directions at random offsets and lengths, with random requests among
 * them (a third of the calls: edges of every field, most of them refused);
 * then the device's whole buffer read back against the model.  Bounded by
 * the number of transfers, not by time: each takes edu 100 ms of virtual
 * time per run.
 */
TEST_F_TIMEOUT(fuzz_dma, transfers_move_only_their_range, 300)
{
	const long n = dma_xfers();
	const __u32 dbs = self->info.dev_buf_size;
	struct mmapdemo_dma_xfer x;
	long done = 0, refused = 0, pages = 0, calls = 0, reads = 0;

	/* The model starts as what a first transfer wrote. */
	x = (struct mmapdemo_dma_xfer){ MMAPDEMO_DMA_TO_DEVICE, 0, 0, 0, dbs };
	xfer_checked(_metadata, self, &x);
	while (done < n && _metadata->passed) {
		calls++;
		if (rnd_below(3))
			valid_xfer(&self->info, self->page, rnd_below(2), &x);
		else
			random_xfer(&self->info, self->page, &x);
		if (xfer_checked(_metadata, self, &x)) {
			done++;
			pages += x.offset >= self->info.pages_offset;
		} else {
			refused++;
		}
		/* Reads are cheap next to a transfer's 100 ms: eight. */
		for (int r = 0; r < 8 && _metadata->passed; r++, reads++)
			read_checked(_metadata, self);
	}
	/* All of the device's buffer: nothing landed outside a range. */
	x = (struct mmapdemo_dma_xfer){ MMAPDEMO_DMA_FROM_DEVICE, 0, 0, 0, dbs };
	if (_metadata->passed)
		xfer_checked(_metadata, self, &x);
	ksft_print_msg("fuzz: %ld calls, %ld transfers (%ld in the page array), %ld refused, %ld reads\n",
		       calls, done, pages, refused, reads);
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
	for (t = _fuzz_dma_fixture_object.tests; t; t = t->next)
		t->timeout = (int)((double)t->timeout * n / 20000 + 1);
	ksft_print_msg("fuzz: time limits x %.1f for %lu calls (MMAPDEMO_FUZZ_ITERATIONS)\n",
		       n / 20000.0, n);
}

MMAPDEMO_HARNESS_MAIN_THEN(fuzz_timeouts)
