// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: several processes with several threads each do random operations
 * on /dev/mmapdemo for a bounded time: mmap with every strategy, shared and
 * private, at random offsets and lengths; touch and verify; munmap of whole
 * and partial ranges; mprotect; mremap; MADV_DONTNEED; fork; read, write,
 * pread, pwrite; reads and writes through /proc/self/mem, as ptrace does
 * them; and the ioctls.
 *
 * The device's pages are dealt out among the owners (process x thread):
 * page p belongs to owner p % NOWNERS.  An owner writes only its own pages,
 * each with a pattern that names the owner, the page and a generation, and
 * checks them exactly through another path than the one it wrote with (a
 * second mapping with another strategy, pread).  Anyone may read any page,
 * and checks that its header names the right owner and page.  A page lost
 * or mapped in the wrong place, a private write that reaches the device, or
 * a write that never arrives is caught.  At the end the device's live_vmas
 * must be back where it was and every page must hold its owner's last
 * generation.
 *
 * The same workload runs on the ivshmem BAR device, /dev/mmapdemo-<PCI
 * address>, with the strategies a BAR allows (fault, remap, huge: no
 * private mappings, no MADV_DONTNEED), over the BAR's first MiB (the host
 * proof of bar_proof_test owns the rest).  Meanwhile a revoker process
 * removes the device and rescans the bus, or unbinds and binds it, again
 * and again: a worker may then see SIGBUS from a mapping and ENODEV (EIO
 * through /proc/self/mem) from a call, and nothing else, and only after a
 * revocation began (the shared epoch moved).  It then drops its mappings
 * and files, waits for the new device and goes on; pages it was writing
 * when the device went are written again.  The BAR's memory is a file on
 * the host, so the data checks hold across revocations.
 *
 * And on the DMA device of an edu, /dev/mmapdemo-dma-<PCI address>
 * (stress_dma_with_revocation, in the edu VM): mappings of both DMA buffers
 * at random pages, munmaps, round trips through the device's DMA engine
 * and the DMA commands, with the revoker taking the edu away and back;
 * see the comment above its workers.
 *
 * MMAPDEMO_STRESS_SECONDS (default 10) bounds each run and
 * MMAPDEMO_STRESS_SEED (default: the time) seeds it; the seed is printed.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define NPROC		3
#define NTHREAD		3
#define NOWNERS		(NPROC * NTHREAD)
#define MAXMAPS		4
#define MAXPAGES	64	/* pages per mapping: fits the 64-bit masks */
#define MAGIC		0x6d6d6170U	/* an owner's page */
#define PRIV_MAGIC	0x70726976U	/* a private copy's page */
#define BAR_WINDOW	(1UL << 20)	/* bytes of the BAR the stress uses */
#define REVOKED		(-2)		/* an op saw the device go */
#define CHILD_SIGBUS	99		/* a forked child's SIGBUS */

/* What the run works on; set before anything forks. */
static struct {
	const char *dev;		/* the device file */
	bool bar;			/* a BAR: PFN-mapped, no private */
	bool dma;			/* edu's DMA device (stress_dma_...) */
	bool revoke;			/* a revoker runs */
	char bdf[24];			/* the BAR device's PCI address */
	uint32_t strategies[3];		/* what op_map chooses from */
} mode = {
	MMAPDEMO_DEV, false, false, false, "",
	{ MMAPDEMO_STRATEGY_FAULT, MMAPDEMO_STRATEGY_REMAP,
	  MMAPDEMO_STRATEGY_INSERT },
};

static const char *strategy_name(uint32_t s)
{
	static const char *const names[] = { "fault", "remap", "insert",
					     "huge" };

	return s < 4 ? names[s] : "?";
}

/* The first bytes of every page of the device. */
struct page_hdr {
	uint32_t magic;
	uint32_t owner;
	uint64_t page;
	uint64_t gen;
};

enum op {
	OP_MAP, OP_WRITE_SHARED, OP_WRITE_PRIVATE, OP_PWRITE, OP_VERIFY,
	OP_MUNMAP_PART, OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_MADVISE,
	OP_FORK, OP_IOCTL, OP_PTRACE, NOPS
};

static const char *const op_names[NOPS] = {
	"map", "write_shared", "write_private", "pwrite", "verify",
	"munmap_part", "munmap", "mprotect", "mremap", "madvise", "fork",
	"ioctl", "ptrace",
};

/* Shared by every process of the test (MAP_SHARED | MAP_ANONYMOUS). */
struct shared {
	uint64_t failures;
	int msg_taken;
	char msg[512];
	uint64_t ops[NOPS];
	uint64_t private_einval;	/* remap refused MAP_PRIVATE */
	uint64_t cross_einval;		/* remap refused across runs */
	uint64_t epoch;			/* odd while the device is revoked */
	uint64_t revocations;		/* done by the revoker */
	uint64_t sigbus;		/* SIGBUS seen after a revocation */
	uint64_t enodev;		/* ENODEV/EIO seen after one */
	uint64_t recoveries;		/* workers that reopened the device */
	uint64_t raced_maps;		/* DMA mmaps that overlapped a removal */
	uint64_t cut_writes;		/* writes a revocation may have cut */
	uint64_t opened;		/* workers that opened their files */
	uint64_t dma_ops[5];		/* the DMA device's steps, by kind */
	uint64_t dma_runs;		/* transfers the DMA workers made */
	uint8_t *unsure;		/* per page: a write cut by revocation */
	uint64_t gen[];			/* per page: its owner's last gen */
};

/* One mapping of a thread: pages [off, off + npg) of the device. */
struct map {
	char *addr;
	int fd;
	uint32_t strategy;
	bool shared;
	bool writable;
	bool pristine;		/* one VMA, never split: mremap may resize */
	size_t off;
	size_t npg;
	uint64_t present;	/* pages still mapped */
	uint64_t dirty;		/* private pages this thread wrote */
};

struct thr {
	unsigned int owner;
	uint64_t rng;
	struct shared *sh;
	size_t page;
	size_t npages;
	int fd;			/* for read/write/pread/pwrite and ioctls */
	int mem;		/* /proc/self/mem */
	uint64_t epoch;		/* the device's epoch when fd was opened */
	struct map maps[MAXMAPS];
	int nmaps;
	char *buf;		/* one page */
};

static unsigned int stress_seconds(void)
{
	const char *s = getenv("MMAPDEMO_STRESS_SECONDS");

	return s && atoi(s) > 0 ? (unsigned int)atoi(s) : 10;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: small, fast, and the same on every machine */
static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static uint64_t rnd(struct thr *t)
{
	return xorshift(&t->rng);
}

static size_t rnd_below(struct thr *t, size_t n)
{
	return n ? rnd(t) % n : 0;
}

/* The first failure's message is kept; the count says how many there were. */
static void __attribute__((format(printf, 3, 4)))
report(struct shared *sh, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	__atomic_add_fetch(&sh->failures, 1, __ATOMIC_SEQ_CST);
	if (__atomic_exchange_n(&sh->msg_taken, 1, __ATOMIC_SEQ_CST))
		return;
	n = snprintf(sh->msg, sizeof(sh->msg), "line %d: ", line);
	va_start(ap, fmt);
	vsnprintf(sh->msg + n, sizeof(sh->msg) - n, fmt, ap);
	va_end(ap);
}

#define FAIL(t, fmt, ...) \
	do { \
		report((t)->sh, __LINE__, "owner %u: " fmt, (t)->owner, \
		       ##__VA_ARGS__); \
		return -1; \
	} while (0)

/*
 * Has a revocation begun since this thread opened its files?  A macro: the
 * DMA device's workers (struct dthr) ask it too.
 */
#define revoked_since(t) \
	(mode.revoke && \
	 __atomic_load_n(&(t)->sh->epoch, __ATOMIC_SEQ_CST) != (t)->epoch)

/*
 * A call failed: with @ok (ENODEV, or EIO through /proc/self/mem) after a
 * revocation began, that is the device going (REVOKED); anything else is
 * a failure.
 */
#define GONE_OR_FAIL(t, ok, fmt, ...) \
	do { \
		if ((ok) && revoked_since(t)) { \
			__atomic_add_fetch(&(t)->sh->enodev, 1, \
					   __ATOMIC_RELAXED); \
			return REVOKED; \
		} \
		FAIL(t, fmt, ##__VA_ARGS__); \
	} while (0)

static bool own(const struct thr *t, size_t p)
{
	return p % NOWNERS == t->owner;
}

/* The words of a page after its header, for @magic/@owner/@p/@gen. */
static uint64_t body_word(uint32_t magic, uint32_t owner, uint64_t p,
			  uint64_t gen, size_t i)
{
	return ((uint64_t)magic << 32 | owner) ^ (p << 24) ^
	       (gen * 0x9E3779B97F4A7C15ULL) ^ (i * 0x100000001B3ULL);
}

static void fill_page(char *dst, size_t page, uint32_t magic, uint32_t owner,
		      uint64_t p, uint64_t gen)
{
	struct page_hdr h = { magic, owner, p, gen };
	uint64_t *w = (uint64_t *)dst;
	size_t i;

	for (i = sizeof(h) / 8; i < page / 8; i++)
		w[i] = body_word(magic, owner, p, gen, i);
	memcpy(dst, &h, sizeof(h));
}

/* 0 if @src is exactly that page, else the index of the first bad word + 1. */
static size_t page_differs(const char *src, size_t page, uint32_t magic,
			   uint32_t owner, uint64_t p, uint64_t gen)
{
	const volatile uint64_t *w = (const volatile uint64_t *)src;
	struct page_hdr h;
	size_t i;

	memcpy(&h, src, sizeof(h));
	if (h.magic != magic || h.owner != owner || h.page != p || h.gen != gen)
		return 1;
	for (i = sizeof(h) / 8; i < page / 8; i++)
		if (w[i] != body_word(magic, owner, p, gen, i))
			return i + 1;
	return 0;
}

/*
 * Check device page @p as seen at @src by this thread: exactly for its own
 * pages, the header only for others' (they may be writing a new
 * generation).  @priv_dirty: @src is this thread's private copy.
 * Async-signal-safe, for forked children: returns a reason or NULL.
 */
static const char *check_page(const struct thr *t, const char *src, size_t p,
			      bool priv_dirty)
{
	struct page_hdr h;

	if (priv_dirty)
		return page_differs(src, t->page, PRIV_MAGIC, t->owner, p, 0) ?
			       "private copy changed" : NULL;
	if (own(t, p) && !__atomic_load_n(&t->sh->unsure[p], __ATOMIC_SEQ_CST))
		return page_differs(src, t->page, MAGIC, t->owner, p,
				    __atomic_load_n(&t->sh->gen[p],
						    __ATOMIC_SEQ_CST)) ?
			       "own page is not its last generation" : NULL;
	memcpy(&h, src, sizeof(h));
	if (h.magic != MAGIC || h.owner != p % NOWNERS || h.page != p)
		return "another owner's page has a wrong header";
	return NULL;
}

static int check_map(struct thr *t, struct map *m)
{
	const char *why;
	size_t i;

	for (i = 0; i < m->npg; i++) {
		if (!(m->present >> i & 1))
			continue;
		why = check_page(t, m->addr + i * t->page, m->off + i,
				 m->dirty >> i & 1);
		if (why) {
			struct page_hdr h;

			memcpy(&h, m->addr + i * t->page, sizeof(h));
			FAIL(t, "%s: page %zu via %s %s mapping (pgoff %zu): header magic %#x owner %u page %llu gen %llu, want gen %llu",
			     why, m->off + i, m->shared ? "shared" : "private",
			     strategy_name(m->strategy),
			     m->off, h.magic, h.owner, (unsigned long long)h.page,
			     (unsigned long long)h.gen,
			     (unsigned long long)t->sh->gen[m->off + i]);
		}
	}
	return 0;
}

/* Check pages [first, first + n) through pread(). */
static int check_pread(struct thr *t, size_t p)
{
	const char *why;

	if (pread(t->fd, t->buf, t->page, p * t->page) != (ssize_t)t->page)
		GONE_OR_FAIL(t, errno == ENODEV, "pread of page %zu: %s", p,
			     strerror(errno));
	why = check_page(t, t->buf, p, false);
	if (why)
		FAIL(t, "%s: page %zu via pread", why, p);
	return 0;
}

/* What a worker is doing, for fatal_signal(). */
static __thread struct thr *cur_thr;
static __thread enum op cur_op;
static __thread struct map *cur_map;
/* A SIGBUS of a revoked mapping jumps back to the worker's loop. */
static __thread sigjmp_buf bus_jmp;
static __thread volatile sig_atomic_t bus_armed;
static __thread volatile size_t writing = SIZE_MAX; /* page being written */
static __thread bool in_child;
/* recover()'s probe of a revoked mapping. */
static __thread sigjmp_buf probe_jmp;
static __thread volatile sig_atomic_t probe_armed;

/* A write to page @p may have been cut short: checked loosely till redone. */
static void mark_unsure(struct thr *t, size_t p)
{
	__atomic_add_fetch(&t->sh->cut_writes, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&t->sh->unsure[p], 1, __ATOMIC_SEQ_CST);
}

/* The file, or -1 with the reason reported, or REVOKED. */
static int open_strategy(struct thr *t, uint32_t s)
{
	int fd = mmapdemo_open_strategy(O_RDWR, s);

	if (fd < 0)
		GONE_OR_FAIL(t, errno == ENODEV || errno == ENOENT,
			     "open with strategy %u: %s", s, strerror(errno));
	return fd;
}

/*
 * Unmap pages [a, b) of @m, only those still mapped: the holes of an
 * earlier partial munmap may hold another thread's mappings by now.
 */
static int unmap_range(struct thr *t, struct map *m, size_t a, size_t b)
{
	size_t end;

	for (; a < b; a = end) {
		for (end = a + 1; end < b && (m->present >> a & 1) ==
						 (m->present >> end & 1);
		     end++)
			;
		if (!(m->present >> a & 1))
			continue;
		if (munmap(m->addr + a * t->page, (end - a) * t->page))
			FAIL(t, "munmap of pages %zu+%zu: %s", m->off + a,
			     end - a, strerror(errno));
		for (; a < end; a++) {
			m->present &= ~(1ULL << a);
			m->dirty &= ~(1ULL << a);
		}
	}
	return 0;
}

static int drop_map(struct thr *t, int i)
{
	struct map *m = &t->maps[i];
	int ret = unmap_range(t, m, 0, m->npg);

	close(m->fd);
	t->maps[i] = t->maps[--t->nmaps];
	return ret;
}

static struct map *pick_map(struct thr *t)
{
	cur_map = t->nmaps ? &t->maps[rnd_below(t, t->nmaps)] : NULL;
	return cur_map;
}

/*
 * The physically contiguous run each page of the device belongs to:
 * remap maps one run per mapping and refuses one that crosses runs.
 * Filled before the processes fork, from the walk's PFNs (root).
 */
static uint32_t *run_of;

static bool crosses_runs(size_t off, size_t npg)
{
	return run_of[off] != run_of[off + npg - 1];
}

/* Fill run_of[]; 0, or -1 if the walk gives no PFNs. */
static int find_runs(size_t npages, size_t page)
{
	run_of = calloc(npages, sizeof(*run_of));
	return run_of ? mmapdemo_find_runs(npages, page, run_of) : -1;
}

static int op_map(struct thr *t)
{
	struct map m = { 0 };
	int flags, prot;

	if (t->nmaps == MAXMAPS && drop_map(t, rnd_below(t, t->nmaps)))
		return -1;
	m.strategy = mode.strategies[rnd_below(t, 3)];
	m.shared = rnd_below(t, 10) < 7;
	m.writable = rnd_below(t, 10) < 8;
	m.off = rnd_below(t, t->npages);
	m.npg = 1 + rnd_below(t, (t->npages - m.off < MAXPAGES ? t->npages - m.off : MAXPAGES));
	m.fd = open_strategy(t, m.strategy);
	if (m.fd < 0)
		return m.fd;
	prot = PROT_READ | (m.writable ? PROT_WRITE : 0);
	flags = m.shared ? MAP_SHARED : MAP_PRIVATE;
	/* Populating a private writable mapping would copy every page. */
	if (m.shared && rnd_below(t, 4) == 0)
		flags |= MAP_POPULATE;
	m.addr = mmap(NULL, m.npg * t->page, prot, flags, m.fd,
		      m.off * t->page);
	if (m.addr == MAP_FAILED && errno == ENODEV) {
		close(m.fd);
		GONE_OR_FAIL(t, true, "mmap: %s", strerror(errno));
	}
	if (m.shared && m.strategy == MMAPDEMO_STRATEGY_REMAP &&
	    crosses_runs(m.off, m.npg)) {
		close(m.fd);
		if (m.addr != MAP_FAILED || errno != EINVAL)
			FAIL(t, "remap of pages %zu+%zu across runs: %p, %s, want EINVAL",
			     m.off, m.npg, m.addr, strerror(errno));
		__atomic_add_fetch(&t->sh->cross_einval, 1, __ATOMIC_RELAXED);
		return 0;
	}
	/* Memory without struct pages is never copied on write. */
	if (!m.shared && (mode.bar || m.strategy == MMAPDEMO_STRATEGY_REMAP)) {
		close(m.fd);
		if (m.addr != MAP_FAILED || errno != EINVAL)
			FAIL(t, "%s MAP_PRIVATE: %p, %s, want EINVAL",
			     strategy_name(m.strategy), m.addr,
			     strerror(errno));
		__atomic_add_fetch(&t->sh->private_einval, 1, __ATOMIC_RELAXED);
		return 0;
	}
	if (m.addr == MAP_FAILED) {
		close(m.fd);
		FAIL(t, "mmap of pages %zu+%zu strategy %u %s: %s", m.off,
		     m.npg, m.strategy, m.shared ? "shared" : "private",
		     strerror(errno));
	}
	m.pristine = true;
	m.present = m.npg == 64 ? ~0ULL : (1ULL << m.npg) - 1;
	t->maps[t->nmaps++] = m;
	return check_map(t, &t->maps[t->nmaps - 1]);
}

/*
 * Write new generations of some own pages through a shared mapping, then
 * check them through pread and through a second mapping of the same range
 * with another strategy.
 */
static int op_write_shared(struct thr *t)
{
	struct map *m = pick_map(t), second = { 0 };
	size_t i, p, wrote = 0, k;
	int ret;

	if (!m || !m->shared || !m->writable)
		return 0;
	for (i = 0; i < m->npg; i++) {
		p = m->off + i;
		if (!own(t, p) || !(m->present >> i & 1) || rnd_below(t, 2))
			continue;
		fill_page(t->buf, t->page, MAGIC, t->owner, p,
			  t->sh->gen[p] + 1);
		writing = p;
		memcpy(m->addr + i * t->page, t->buf, t->page);
		writing = SIZE_MAX;
		__atomic_add_fetch(&t->sh->gen[p], 1, __ATOMIC_SEQ_CST);
		ret = check_pread(t, p);
		if (ret)
			return ret;
		wrote++;
	}
	if (!wrote)
		return 0;

	/* Another of the run's strategies than the first mapping's. */
	for (k = 0; mode.strategies[k] != m->strategy; k++)
		;
	k = (k + 1 + rnd_below(t, 2)) % 3;
	second.strategy = mode.strategies[k];
	/* remap cannot map a range across runs: the third strategy can. */
	if (second.strategy == MMAPDEMO_STRATEGY_REMAP &&
	    crosses_runs(m->off, m->npg))
		for (k = 0; k < 3; k++)
			if (mode.strategies[k] != m->strategy &&
			    mode.strategies[k] != MMAPDEMO_STRATEGY_REMAP)
				second.strategy = mode.strategies[k];
	second.fd = open_strategy(t, second.strategy);
	if (second.fd < 0)
		return second.fd;
	second.shared = true;
	second.off = m->off;
	second.npg = m->npg;
	second.present = m->npg == 64 ? ~0ULL : (1ULL << m->npg) - 1;
	second.addr = mmap(NULL, m->npg * t->page, PROT_READ, MAP_SHARED,
			   second.fd, m->off * t->page);
	if (second.addr == MAP_FAILED) {
		close(second.fd);
		GONE_OR_FAIL(t, errno == ENODEV, "second mapping: %s",
			     strerror(errno));
	}
	/* A SIGBUS here leaves it mapped: harmless, the fd is closed at exit. */
	ret = check_map(t, &second);
	munmap(second.addr, m->npg * t->page);
	close(second.fd);
	return ret;
}

/* Private writes to any page stay in this thread's copy. */
static int op_write_private(struct thr *t)
{
	struct map *m = pick_map(t);
	size_t i, p;

	if (!m || m->shared || !m->writable)
		return 0;
	for (i = 0; i < m->npg; i++) {
		if (!(m->present >> i & 1) || rnd_below(t, 3))
			continue;
		p = m->off + i;
		fill_page(m->addr + i * t->page, t->page, PRIV_MAGIC, t->owner,
			  p, 0);
		m->dirty |= 1ULL << i;
		/* The device still holds its owner's page. */
		if (check_pread(t, p))
			return -1;	/* the RAM device is never revoked */
	}
	return check_map(t, m);
}

/* write() or pwrite() a new generation of an own page. */
static int op_pwrite(struct thr *t)
{
	size_t p = rnd_below(t, t->npages / NOWNERS) * NOWNERS + t->owner;
	ssize_t n;
	int i, ret;

	if (p >= t->npages)
		return 0;
	fill_page(t->buf, t->page, MAGIC, t->owner, p, t->sh->gen[p] + 1);
	if (rnd_below(t, 2)) {
		n = pwrite(t->fd, t->buf, t->page, p * t->page);
	} else {
		if (lseek(t->fd, p * t->page, SEEK_SET) != (off_t)(p * t->page))
			FAIL(t, "lseek: %s", strerror(errno));
		n = write(t->fd, t->buf, t->page);
	}
	if (n != (ssize_t)t->page) {
		/* One page is copied at once, but say so only if it was. */
		if (n < 0 && errno == ENODEV)
			mark_unsure(t, p);
		GONE_OR_FAIL(t, n < 0 && errno == ENODEV,
			     "write of page %zu: %zd, %s", p, n,
			     strerror(errno));
	}
	__atomic_add_fetch(&t->sh->gen[p], 1, __ATOMIC_SEQ_CST);
	ret = check_pread(t, p);
	if (ret)
		return ret;
	/* Every mapping of this thread shows it, unless privately copied. */
	for (i = 0; i < t->nmaps; i++)
		if (check_map(t, &t->maps[i]))
			return -1;
	return 0;
}

static int op_verify(struct thr *t)
{
	struct map *m = pick_map(t);

	return m ? check_map(t, m) : 0;
}

static int op_munmap_part(struct thr *t)
{
	struct map *m = pick_map(t);
	size_t a, b;

	if (!m || m->npg < 2)
		return 0;
	a = rnd_below(t, m->npg);
	b = a + 1 + rnd_below(t, m->npg - a);
	if (a == 0 && b == m->npg)
		b--;
	if (unmap_range(t, m, a, b))
		return -1;
	m->pristine = false;
	return check_map(t, m);
}

static int op_munmap(struct thr *t)
{
	return t->nmaps ? drop_map(t, rnd_below(t, t->nmaps)) : 0;
}

static int op_mprotect(struct thr *t)
{
	struct map *m = pick_map(t);
	size_t i = m ? rnd_below(t, m->npg) : 0;
	char *p;

	if (!m || !(m->present >> i & 1))
		return 0;
	p = m->addr + i * t->page;
	if (mprotect(p, t->page, PROT_READ))
		FAIL(t, "mprotect PROT_READ: %s", strerror(errno));
	if (mprotect(p, t->page, PROT_READ | PROT_EXEC) == 0 || errno != EACCES)
		FAIL(t, "mprotect PROT_EXEC: %s, want EACCES", strerror(errno));
	if (check_map(t, m))
		return -1;
	if (m->writable && mprotect(p, t->page, PROT_READ | PROT_WRITE))
		FAIL(t, "mprotect back to PROT_WRITE: %s", strerror(errno));
	m->pristine = false;
	return check_map(t, m);
}

/* Growing fails with EFAULT; shrinking in place and moving work. */
static int op_mremap(struct thr *t)
{
	struct map *m = pick_map(t);
	size_t len, newpg;
	void *n, *dst;

	if (!m || !m->pristine)
		return 0;
	len = m->npg * t->page;
	n = mremap(m->addr, len, len + t->page, MREMAP_MAYMOVE);
	if (n != MAP_FAILED || errno != EFAULT)
		FAIL(t, "mremap grow: %p, %s, want EFAULT", n, strerror(errno));
	if (m->npg > 1) {
		newpg = 1 + rnd_below(t, m->npg - 1);
		n = mremap(m->addr, len, newpg * t->page, 0);
		if (n != m->addr)
			FAIL(t, "mremap shrink: %p, %s", n, strerror(errno));
		m->npg = newpg;
		m->present &= (1ULL << newpg) - 1;
		m->dirty &= (1ULL << newpg) - 1;
		len = newpg * t->page;
	}
	if (rnd_below(t, 2)) {
		dst = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
		if (dst == MAP_FAILED)
			FAIL(t, "mmap a place to move to: %s", strerror(errno));
		n = mremap(m->addr, len, len, MREMAP_MAYMOVE | MREMAP_FIXED,
			   dst);
		if (n != dst) {
			munmap(dst, len);
			FAIL(t, "mremap move: %p, %s", n, strerror(errno));
		}
		m->addr = n;
	}
	return check_map(t, m);
}

static int op_madvise(struct thr *t)
{
	struct map *m = pick_map(t);
	size_t i = m ? rnd_below(t, m->npg) : 0;
	int ret;

	if (!m || !(m->present >> i & 1))
		return 0;
	ret = madvise(m->addr + i * t->page, t->page, MADV_DONTNEED);
	/* VM_PFNMAP: a BAR, and remap on RAM. */
	if (mode.bar || m->strategy == MMAPDEMO_STRATEGY_REMAP) {
		if (ret == 0 || errno != EINVAL)
			FAIL(t, "MADV_DONTNEED on %s: %d, %s, want EINVAL",
			     strategy_name(m->strategy), ret, strerror(errno));
	} else {
		if (ret)
			FAIL(t, "MADV_DONTNEED: %s", strerror(errno));
		/* A private copy is gone: the device's page is back. */
		m->dirty &= ~(1ULL << i);
	}
	return check_map(t, m);
}

/*
 * A child checks the mapping it inherited and writes a new generation of
 * an own page through it; the parent sees it through pread.  The child of a
 * threaded process only reads memory, copies and exits.
 */
static int op_fork(struct thr *t)
{
	struct map *m = pick_map(t);
	size_t i, p = SIZE_MAX;
	int status, ret;
	pid_t pid;

	if (!m)
		return 0;
	for (i = 0; i < m->npg; i++)
		if (own(t, m->off + i) && m->present >> i & 1)
			p = m->off + i;
	if (m->shared && m->writable && p != SIZE_MAX)
		fill_page(t->buf, t->page, MAGIC, t->owner, p,
			  t->sh->gen[p] + 1);
	else
		p = SIZE_MAX;
	pid = fork();
	if (pid < 0)
		FAIL(t, "fork: %s", strerror(errno));
	if (pid == 0) {
		in_child = true;
		for (i = 0; i < m->npg; i++)
			if (m->present >> i & 1 &&
			    check_page(t, m->addr + i * t->page, m->off + i,
				       m->dirty >> i & 1))
				_exit(10 + (int)(i % 100));
		if (p != SIZE_MAX)
			memcpy(m->addr + (p - m->off) * t->page, t->buf,
			       t->page);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		FAIL(t, "waitpid: %s", strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_SIGBUS &&
	    revoked_since(t)) {
		if (p != SIZE_MAX)
			mark_unsure(t, p);
		__atomic_add_fetch(&t->sh->sigbus, 1, __ATOMIC_RELAXED);
		return REVOKED;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		FAIL(t, "forked child found a bad page in pgoff %zu+: status %#x",
		     m->off, status);
	if (p != SIZE_MAX) {
		__atomic_add_fetch(&t->sh->gen[p], 1, __ATOMIC_SEQ_CST);
		ret = check_pread(t, p);
		if (ret)
			return ret;
	}
	return check_map(t, m);
}

/*
 * The VMAs this thread's mappings must have at least: one for each run of
 * pages still mapped.  A mapping whose pages were all unmapped, piece by
 * piece, has none left, though it stays in t->maps.
 */
static int min_vmas(const struct thr *t)
{
	const struct map *m;
	int i, n = 0;
	size_t p;

	for (i = 0; i < t->nmaps; i++) {
		m = &t->maps[i];
		for (p = 0; p < m->npg; p++)
			if (m->present >> p & 1 &&
			    (p == 0 || !(m->present >> (p - 1) & 1)))
				n++;
	}
	return n;
}

static int op_ioctl(struct thr *t)
{
	struct map *m = pick_map(t);
	struct mmapdemo_set_strategy req = { 0 };
	struct mmapdemo_stats st;
	struct mmapdemo_info info;
	struct mmapdemo_walk w;
	size_t i;

	memset(&st, 0, sizeof(st));
	if (ioctl(t->fd, MMAPDEMO_IOC_STATS, &st))
		GONE_OR_FAIL(t, errno == ENODEV, "STATS: %s", strerror(errno));
	/* Signed: a count that went below zero is a lost update, not 2^64-1. */
	if ((int64_t)st.live_vmas < min_vmas(t))
		FAIL(t, "live_vmas %lld with %d VMAs of this thread alive (%d mappings)",
		     (long long)st.live_vmas, min_vmas(t), t->nmaps);
	if (!m)
		return 0;
	memset(&info, 0, sizeof(info));
	if (ioctl(m->fd, MMAPDEMO_IOC_INFO, &info))
		GONE_OR_FAIL(t, errno == ENODEV, "INFO: %s", strerror(errno));
	if (info.strategy != m->strategy || !(info.flags & MMAPDEMO_INFO_MAPPED))
		FAIL(t, "INFO: strategy %u flags %#x", info.strategy, info.flags);
	req.strategy = mode.strategies[rnd_below(t, 3)];
	if (ioctl(m->fd, MMAPDEMO_IOC_SET_STRATEGY, &req) == 0 ||
	    errno != EBUSY)
		GONE_OR_FAIL(t, errno == ENODEV,
			     "SET_STRATEGY after mmap: %s, want EBUSY",
			     strerror(errno));

	i = rnd_below(t, m->npg);
	if (!(m->present >> i & 1))
		return 0;
	/* Touch it, so that every strategy has it mapped. */
	if (check_map(t, m))
		return -1;
	memset(&w, 0, sizeof(w));
	w.addr = (uintptr_t)(m->addr + i * t->page);
	if (ioctl(t->fd, MMAPDEMO_IOC_WALK, &w))
		GONE_OR_FAIL(t, errno == ENODEV, "WALK: %s", strerror(errno));
	/* Zapped since the touch: the device went meanwhile. */
	if (w.result != MMAPDEMO_WALK_MAPPED && revoked_since(t))
		return REVOKED;
	if (w.result != MMAPDEMO_WALK_MAPPED ||
	    w.vma_kind != MMAPDEMO_VMA_MMAPDEMO ||
	    w.vma_strategy != m->strategy)
		FAIL(t, "WALK: result %u kind %u strategy %u", w.result,
		     w.vma_kind, w.vma_strategy);
	if (w.device_page != (m->dirty >> i & 1 ? MMAPDEMO_NO_DEVICE_PAGE :
						  m->off + i))
		FAIL(t, "WALK of page %zu (%s): device page %lld", m->off + i,
		     m->dirty >> i & 1 ? "private copy" : "device",
		     (long long)w.device_page);
	return 0;
}

/*
 * What ptrace and /proc/PID/mem do (the module's ->access on PFN
 * mappings): read a page of a mapping and check it, or write a new
 * generation of an own page through a shared writable one.
 */
static int op_ptrace(struct thr *t)
{
	struct map *m = pick_map(t);
	size_t i = m ? rnd_below(t, m->npg) : 0, p = m ? m->off + i : 0;
	off_t addr = m ? (off_t)(uintptr_t)(m->addr + i * t->page) : 0;
	const char *why;
	ssize_t n;
	int ret;

	if (!m || !(m->present >> i & 1))
		return 0;
	if (m->shared && m->writable && own(t, p) && rnd_below(t, 2)) {
		fill_page(t->buf, t->page, MAGIC, t->owner, p,
			  t->sh->gen[p] + 1);
		n = pwrite(t->mem, t->buf, t->page, addr);
		if (n != (ssize_t)t->page) {
			if (n < 0 && errno == EIO)
				mark_unsure(t, p);
			GONE_OR_FAIL(t, n < 0 && errno == EIO,
				     "write of page %zu through /proc/self/mem: %zd, %s",
				     p, n, strerror(errno));
		}
		__atomic_add_fetch(&t->sh->gen[p], 1, __ATOMIC_SEQ_CST);
		ret = check_pread(t, p);
		return ret ? ret : check_map(t, m);
	}
	n = pread(t->mem, t->buf, t->page, addr);
	if (n != (ssize_t)t->page)
		GONE_OR_FAIL(t, n < 0 && errno == EIO,
			     "read of page %zu through /proc/self/mem: %zd, %s",
			     p, n, strerror(errno));
	why = check_page(t, t->buf, p, m->dirty >> i & 1);
	if (why)
		FAIL(t, "%s: page %zu through /proc/self/mem", why, p);
	return 0;
}

static int (*const ops[NOPS])(struct thr *t) = {
	[OP_MAP] = op_map,
	[OP_WRITE_SHARED] = op_write_shared,
	[OP_WRITE_PRIVATE] = op_write_private,
	[OP_PWRITE] = op_pwrite,
	[OP_VERIFY] = op_verify,
	[OP_MUNMAP_PART] = op_munmap_part,
	[OP_MUNMAP] = op_munmap,
	[OP_MPROTECT] = op_mprotect,
	[OP_MREMAP] = op_mremap,
	[OP_MADVISE] = op_madvise,
	[OP_FORK] = op_fork,
	[OP_IOCTL] = op_ioctl,
	[OP_PTRACE] = op_ptrace,
};

static double deadline;

/*
 * Whether a worker goes on: until the deadline, and with a revoker past
 * it until a worker has reopened the device after a revocation, which the
 * revoker makes at least once however slow the machine: the run is then
 * a run with revocation, whatever the deadline left of it.
 */
static bool work_on(struct shared *sh)
{
	if (__atomic_load_n(&sh->failures, __ATOMIC_RELAXED))
		return false;
	return now() < deadline ||
	       (mode.revoke &&
		!__atomic_load_n(&sh->recoveries, __ATOMIC_SEQ_CST));
}

/*
 * A worker that takes SIGSEGV or SIGBUS says where and in which step
 * before it dies, so that the failure can be told from a crash of the test.
 */
static void fatal_signal(int sig, siginfo_t *si, void *uc)
{
	struct thr *t = cur_thr;

	struct map *m = cur_map;

	/* A revoked mapping: the loop or the parent decide if it may be. */
	if (sig == SIGBUS && in_child)
		_exit(CHILD_SIGBUS);
	if (sig == SIGBUS && probe_armed) {
		probe_armed = 0;
		siglongjmp(probe_jmp, 1);
	}
	if (sig == SIGBUS && bus_armed) {
		bus_armed = 0;
		siglongjmp(bus_jmp, 1);
	}
	if (t && m)
		report(t->sh, __LINE__, "owner %u (pid %d): signal %d at %p during %s of a %s %s mapping at %p, pages %zu+%zu present %#llx dirty %#llx%s",
		       t->owner, getpid(), sig, si->si_addr, op_names[cur_op],
		       m->shared ? "shared" : "private",
		       strategy_name(m->strategy),
		       m->addr, m->off, m->npg,
		       (unsigned long long)m->present,
		       (unsigned long long)m->dirty,
		       m->pristine ? " pristine" : "");
	else if (t)
		report(t->sh, __LINE__, "owner %u: signal %d at %p during %s",
		       t->owner, sig, si->si_addr, op_names[cur_op]);
	_exit(1);
}

/* Does reading @p raise SIGBUS? */
static bool sigbus_at(const char *p)
{
	if (sigsetjmp(probe_jmp, 1))
		return true;
	probe_armed = 1;
	(void)*(const volatile char *)p;
	probe_armed = 0;
	return false;
}

/* Wait until the device the thread opened is gone and a new one is there. */
static int wait_new_epoch(struct thr *t, uint64_t *e)
{
	double give_up = now() + mmapdemo_scaled(60);

	for (;;) {
		*e = __atomic_load_n(&t->sh->epoch, __ATOMIC_SEQ_CST);
		if (!(*e & 1) && *e != t->epoch)
			return 0;
		if (now() > give_up)
			FAIL(t, "the device is not back after %u s", mmapdemo_scaled(60));
		usleep(10000);
	}
}

/*
 * The device went: once the revocation is over, every page of every
 * mapping of the old device must SIGBUS, faulted before or not; then drop
 * them and the files (munmap and close must work), open the new device,
 * and write again the own pages whose writes the revocation may have cut.
 * 0, or -1 on failure.
 */
static int recover(struct thr *t)
{
	double give_up = now() + mmapdemo_scaled(60);
	struct map *m;
	uint64_t e;
	size_t p, i;
	int ret, k;

	if (wait_new_epoch(t, &e))
		return -1;
	for (k = 0; k < t->nmaps; k++) {
		m = &t->maps[k];
		for (i = 0; i < m->npg; i++)
			if (m->present >> i & 1 &&
			    !sigbus_at(m->addr + i * t->page))
				FAIL(t, "page %zu of a revoked %s mapping still reads",
				     m->off + i, strategy_name(m->strategy));
	}
	while (t->nmaps)
		if (drop_map(t, 0))
			return -1;
	for (;;) {
		if (t->fd >= 0 && close(t->fd))
			FAIL(t, "close of a revoked file: %s", strerror(errno));
		t->fd = -1;
		for (;;) {
			e = __atomic_load_n(&t->sh->epoch, __ATOMIC_SEQ_CST);
			if (!(e & 1) && e != t->epoch) {
				t->fd = open(mode.dev, O_RDWR);
				if (t->fd >= 0)
					break;
				if (errno != ENOENT && errno != ENODEV)
					FAIL(t, "open of the new device: %s",
					     strerror(errno));
			}
			if (now() > give_up)
				FAIL(t, "the device is not back after %u s", mmapdemo_scaled(60));
			usleep(10000);
		}
		t->epoch = e;
		__atomic_add_fetch(&t->sh->recoveries, 1, __ATOMIC_RELAXED);
		for (p = t->owner, ret = 0; p < t->npages && !ret; p += NOWNERS) {
			if (!__atomic_load_n(&t->sh->unsure[p], __ATOMIC_SEQ_CST))
				continue;
			fill_page(t->buf, t->page, MAGIC, t->owner, p,
				  t->sh->gen[p] + 1);
			if (pwrite(t->fd, t->buf, t->page, p * t->page) !=
			    (ssize_t)t->page) {
				if (errno != ENODEV || !revoked_since(t))
					FAIL(t, "rewrite of page %zu: %s", p,
					     strerror(errno));
				ret = REVOKED;
				break;
			}
			__atomic_add_fetch(&t->sh->gen[p], 1, __ATOMIC_SEQ_CST);
			__atomic_store_n(&t->sh->unsure[p], 0, __ATOMIC_SEQ_CST);
			ret = check_pread(t, p);
		}
		if (ret != REVOKED)
			return ret;
		/* Gone again already: once more. */
	}
}

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	volatile enum op op;
	int ret;

	cur_thr = t;
	t->epoch = __atomic_load_n(&t->sh->epoch, __ATOMIC_SEQ_CST);
	t->fd = open(mode.dev, O_RDWR);
	t->mem = open("/proc/self/mem", O_RDWR);
	t->buf = malloc(t->page);
	if (t->fd < 0 || t->mem < 0 || !t->buf) {
		report(t->sh, __LINE__, "owner %u: open: %s", t->owner,
		       strerror(errno));
		return NULL;
	}
	__atomic_add_fetch(&t->sh->opened, 1, __ATOMIC_SEQ_CST);
	while (work_on(t->sh)) {
		if (sigsetjmp(bus_jmp, 1)) {
			/* A SIGBUS from a mapping: only a revoked one may. */
			if (!revoked_since(t)) {
				report(t->sh, __LINE__, "owner %u: SIGBUS during %s with the device alive",
				       t->owner, op_names[op]);
				break;
			}
			__atomic_add_fetch(&t->sh->sigbus, 1, __ATOMIC_RELAXED);
			if (writing != SIZE_MAX)
				mark_unsure(t, writing);
			writing = SIZE_MAX;
			if (recover(t))
				break;
			continue;
		}
		/* Mapping is the most common step, so that there is work. */
		op = t->nmaps == 0 || rnd_below(t, 5) == 0 ?
			     OP_MAP : (enum op)(1 + rnd_below(t, NOPS - 1));
		__atomic_add_fetch(&t->sh->ops[op], 1, __ATOMIC_RELAXED);
		cur_op = op;
		cur_map = NULL;
		bus_armed = mode.revoke;
		ret = ops[op](t);
		bus_armed = 0;
		/* recover() returns 0 or -1 (reported), never REVOKED. */
		if (ret == REVOKED && !recover(t))
			continue;
		if (ret)
			break;
	}
	bus_armed = 0;
	/* Half the threads leave their mappings to the exit of the process. */
	if (t->rng & 1)
		while (t->nmaps)
			if (drop_map(t, 0))
				break;
	return NULL;
}

static void process_main(struct shared *sh, unsigned int proc, uint64_t seed,
			 size_t page, size_t npages)
{
	struct thr thr[NTHREAD];
	pthread_t tid[NTHREAD];
	struct sigaction sa;
	unsigned int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fatal_signal;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < NTHREAD; i++) {
		memset(&thr[i], 0, sizeof(thr[i]));
		thr[i].owner = proc * NTHREAD + i;
		thr[i].rng = seed ^ (0x9E3779B97F4A7C15ULL * (thr[i].owner + 1));
		thr[i].sh = sh;
		thr[i].page = page;
		thr[i].npages = npages;
		if (pthread_create(&tid[i], NULL, thread_main, &thr[i])) {
			report(sh, __LINE__, "pthread_create failed");
			_exit(1);
		}
	}
	for (i = 0; i < NTHREAD; i++)
		pthread_join(tid[i], NULL);
	_exit(0);
}

/* Does page @p hold its owner's last generation (the header only if a
 * revocation cut its last write)?
 */
static bool final_page_ok(struct shared *sh, const char *src, size_t page,
			  size_t p)
{
	struct page_hdr h;

	if (!sh->unsure[p])
		return !page_differs(src, page, MAGIC, p % NOWNERS, p,
				     sh->gen[p]);
	memcpy(&h, src, sizeof(h));
	return h.magic == MAGIC && h.owner == p % NOWNERS && h.page == p;
}

/* Every page holds its owner's last generation, through pread and through
 * a mapping of the whole device with each strategy.
 */
static int check_whole_device(struct shared *sh, int fd, size_t page,
			      size_t npages, char *buf)
{
	uint32_t s;
	size_t p;
	char *m;
	int i;

	for (p = 0; p < npages; p++) {
		if (pread(fd, buf, page, p * page) != (ssize_t)page ||
		    !final_page_ok(sh, buf, page, p)) {
			report(sh, __LINE__, "final pread: page %zu is not its owner's gen %llu",
			       p, (unsigned long long)sh->gen[p]);
			return -1;
		}
	}
	for (i = 0; i < 3; i++) {
		int sfd;

		s = mode.strategies[i];
		/* remap maps one run: the pread pass above covers the rest. */
		if (s == MMAPDEMO_STRATEGY_REMAP && crosses_runs(0, npages))
			continue;
		sfd = mmapdemo_open_strategy(O_RDONLY, s);
		m = sfd < 0 ? MAP_FAILED :
			      mmap(NULL, npages * page, PROT_READ, MAP_SHARED,
				   sfd, 0);
		if (m == MAP_FAILED) {
			report(sh, __LINE__, "final mmap, strategy %u: %s", s,
			       strerror(errno));
			return -1;
		}
		for (p = 0; p < npages; p++)
			if (!final_page_ok(sh, m + p * page, page, p)) {
				report(sh, __LINE__, "final mapping, strategy %u: page %zu is not its owner's gen %llu",
				       s, p, (unsigned long long)sh->gen[p]);
				break;
			}
		munmap(m, npages * page);
		close(sfd);
	}
	return sh->failures ? -1 : 0;
}

static int write_sysfs(const char *fmt, const char *arg, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), fmt, arg);
	return mmapdemo_write_file(path, val);
}

/* Wait up to @seconds for the device node to come or go. */
static bool wait_node(bool present, double seconds)
{
	double end = now() + seconds;

	while ((access(mode.dev, F_OK) == 0) != present) {
		if (now() > end)
			return false;
		usleep(10000);
	}
	return true;
}

/* A new BAR device works: a mapping shows page 0's header. */
static bool new_bar_device_works(struct shared *sh)
{
	struct page_hdr h;
	int fd;
	char *m;

	fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_FAULT);
	m = fd < 0 ? MAP_FAILED :
		     mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		report(sh, __LINE__, "revoker: the new device: %s",
		       strerror(errno));
		return false;
	}
	memcpy(&h, m, sizeof(h));
	munmap(m, 4096);
	close(fd);
	if (h.magic != MAGIC || h.owner != 0 || h.page != 0) {
		report(sh, __LINE__, "revoker: page 0 of the new device: magic %#x owner %u page %llu",
		       h.magic, h.owner, (unsigned long long)h.page);
		return false;
	}
	return true;
}

/* A new DMA device: it opens, and DMA_INFO shows it unmapped and idle. */
static bool new_dma_device_works(struct shared *sh)
{
	struct mmapdemo_dma_info i;
	int fd = open(mode.dev, O_RDWR);

	memset(&i, 0, sizeof(i));
	if (fd < 0 || ioctl(fd, MMAPDEMO_IOC_DMA_INFO, &i)) {
		report(sh, __LINE__, "revoker: the new device: %s",
		       strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	if (i.live_vmas || i.transfers || i.timeouts) {
		report(sh, __LINE__, "revoker: the new device has %llu mappings, %llu transfers, %llu timeouts",
		       (unsigned long long)i.live_vmas,
		       (unsigned long long)i.transfers,
		       (unsigned long long)i.timeouts);
		return false;
	}
	return true;
}

/*
 * The revoker: until three quarters of the run, and at least once, revoke
 * the device (PCI remove, or driver unbind, in turn) and bring it back
 * (rescan, or bind), with the epoch odd from before the revocation until
 * the new device has been seen to work.
 */
static void revoker_main(struct shared *sh, uint64_t seed, double stop)
{
	uint64_t r = seed | 1;
	unsigned int n;

	/*
	 * Not before every worker has opened the device: on a slow machine
	 * the revoker can be first, and a worker would find no device to
	 * start with.  Then at least one revocation, however late: on a
	 * busy host the workers' start once took all of the time before
	 * @stop, and a run without a revocation proves nothing of it
	 * (work_on() keeps the workers going until one has reopened).
	 */
	while (__atomic_load_n(&sh->opened, __ATOMIC_SEQ_CST) < NOWNERS &&
	       !sh->failures)
		usleep(10000);
	for (n = 0; (n == 0 || now() + 1 < stop) && !sh->failures; n++) {
		r ^= r >> 12, r ^= r << 25, r ^= r >> 27;
		usleep(200000 + (r * 0x2545F4914F6CDD1DULL) % 600000);
		__atomic_add_fetch(&sh->epoch, 1, __ATOMIC_SEQ_CST);
		if (n & 1 ? write_sysfs("/sys/bus/pci/drivers/mmapdemo/%s",
					"unbind", mode.bdf) :
			    write_sysfs("/sys/bus/pci/devices/%s/remove",
					mode.bdf, "1")) {
			report(sh, __LINE__, "revoker: %s: %s",
			       n & 1 ? "unbind" : "remove", strerror(errno));
			break;
		}
		if (!wait_node(false, mmapdemo_scaled(10))) {
			report(sh, __LINE__, "revoker: %s still there",
			       mode.dev);
			break;
		}
		/* Gone for a while, for the workers to run into it. */
		usleep(100000 + (r >> 8) % 200000);
		if (n & 1 ? write_sysfs("/sys/bus/pci/drivers/mmapdemo/%s",
					"bind", mode.bdf) :
			    mmapdemo_write_file("/sys/bus/pci/rescan", "1")) {
			report(sh, __LINE__, "revoker: %s: %s",
			       n & 1 ? "bind" : "rescan", strerror(errno));
			break;
		}
		if (!wait_node(true, mmapdemo_scaled(30))) {
			report(sh, __LINE__, "revoker: %s not back",
			       mode.dev);
			break;
		}
		if (!(mode.dma ? new_dma_device_works(sh) :
				 new_bar_device_works(sh)))
			break;
		__atomic_add_fetch(&sh->revocations, 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&sh->epoch, 1, __ATOMIC_SEQ_CST);
	}
	_exit(0);
}

/*
 * Wait for the @nproc processes of a run, each of which must exit 0.
 * Bounded: a process that outlives the deadline by far (the revoker's
 * first cycle included, with its waits scaled) is stuck, and all are
 * killed.
 */
static void wait_workers(struct shared *sh, const pid_t *pids,
			 unsigned int nproc)
{
	unsigned int i;
	int status;
	pid_t pid;

	for (i = 0; i < nproc;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0)
			break;
		if (pid == 0) {
			if (now() > deadline + mmapdemo_scaled(120)) {
				report(sh, __LINE__, "processes still running %u s after the deadline: killed",
				       mmapdemo_scaled(120));
				for (i = 0; i < nproc; i++)
					kill(pids[i], SIGKILL);
				while (waitpid(-1, NULL, 0) > 0)
					;
				break;
			}
			usleep(100000);
			continue;
		}
		i++;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			report(sh, __LINE__, "process %d ended with status %#x",
			       pid, status);
	}
}

/*
 * The run: fill every page with generation 0, let NPROC processes (and
 * the revoker) loose until the deadline, then check the counters and every
 * page of the device.
 */
static void run_stress(struct __test_metadata *_metadata, size_t window)
{
	unsigned int seconds = stress_seconds(), i, nproc = NPROC;
	const char *seed_env = getenv("MMAPDEMO_STRESS_SEED");
	struct mmapdemo_stats before, after;
	size_t page = sysconf(_SC_PAGESIZE), npages, p, shsize;
	pid_t pids[NPROC + 1];
	uint64_t seed, total = 0;
	struct shared *sh;
	int fd;
	char *buf;

	fd = open(mode.dev, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", mode.dev, strerror(errno));
	npages = mmapdemo_info(fd).size;
	if (window && npages > window)
		npages = window;
	npages /= page;
	ASSERT_GE(npages, (size_t)NOWNERS);
	seed = seed_env ? strtoull(seed_env, NULL, 0) :
			  (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	ksft_print_msg("stress: %s, seed %llu (MMAPDEMO_STRESS_SEED), %u s (MMAPDEMO_STRESS_SECONDS), %d processes x %d threads, %zu pages, strategies %s %s %s%s\n",
		       mode.dev, (unsigned long long)seed, seconds, NPROC,
		       NTHREAD, npages, strategy_name(mode.strategies[0]),
		       strategy_name(mode.strategies[1]),
		       strategy_name(mode.strategies[2]),
		       mode.revoke ? ", with a revoker" : "");

	shsize = sizeof(*sh) + npages * (sizeof(sh->gen[0]) + 1);
	sh = mmap(NULL, shsize, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	sh->unsure = (uint8_t *)&sh->gen[npages];
	buf = malloc(page);
	ASSERT_NE(NULL, buf);

	ASSERT_EQ(0, find_runs(npages, page))
		TH_LOG("no PFNs from MMAPDEMO_IOC_WALK: run as root on x86-64");

	/* Generation 0 of every page, written before anyone starts. */
	for (p = 0; p < npages; p++) {
		fill_page(buf, page, MAGIC, p % NOWNERS, p, 0);
		ASSERT_EQ((ssize_t)page, pwrite(fd, buf, page, p * page));
	}
	before = mmapdemo_stats(fd);

	deadline = now() + seconds;
	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (pids[i] == 0)
			process_main(sh, i, seed, page, npages);
	}
	if (mode.revoke) {
		pids[nproc] = fork();
		ASSERT_GE(pids[nproc], 0);
		if (pids[nproc] == 0)
			revoker_main(sh, seed, deadline - seconds / 4.0);
		nproc++;
	}
	wait_workers(sh, pids, nproc);

	for (i = 0; i < NOPS; i++) {
		total += sh->ops[i];
		ksft_print_msg("stress: %-14s %llu\n", op_names[i],
			       (unsigned long long)sh->ops[i]);
	}
	ksft_print_msg("stress: %llu operations, %llu private mappings refused, %llu remap across runs\n",
		       (unsigned long long)total,
		       (unsigned long long)sh->private_einval,
		       (unsigned long long)sh->cross_einval);
	EXPECT_EQ(0ULL, sh->failures) TH_LOG("%llu failures, first: %s (seed %llu)",
					     (unsigned long long)sh->failures,
					     sh->msg, (unsigned long long)seed);

	if (mode.revoke) {
		size_t unsure = 0;

		for (p = 0; p < npages; p++)
			unsure += sh->unsure[p];
		ksft_print_msg("stress: %llu revocations; workers saw %llu SIGBUS and %llu ENODEV/EIO, reopened %llu times; %llu writes cut, %zu pages left so\n",
			       (unsigned long long)sh->revocations,
			       (unsigned long long)sh->sigbus,
			       (unsigned long long)sh->enodev,
			       (unsigned long long)sh->recoveries,
			       (unsigned long long)sh->cut_writes, unsure);
		EXPECT_LT(0ULL, sh->revocations);
		EXPECT_LT(0ULL, sh->sigbus + sh->enodev);
		EXPECT_LT(0ULL, sh->recoveries);
		/* The files from before are revoked: the device's new one. */
		close(fd);
		fd = open(mode.dev, O_RDWR);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", mode.dev, strerror(errno));
		memset(&before, 0, sizeof(before));
	}

	/* Every VMA that any process made is gone with its process. */
	after = mmapdemo_stats(fd);
	EXPECT_EQ(before.live_vmas, after.live_vmas);
	EXPECT_EQ(after.mmaps + after.vma_opens - after.vma_closes,
		  after.live_vmas);
	if (!mode.revoke)
		EXPECT_LT(before.mmaps + 10, after.mmaps);

	if (!sh->failures)
		EXPECT_EQ(0, check_whole_device(sh, fd, page, npages, buf))
			TH_LOG("%s (seed %llu)", sh->msg,
			       (unsigned long long)seed);
	free(buf);
	munmap(sh, shsize);
	close(fd);
}

TEST(stress_random_operations)
{
	if (access(MMAPDEMO_DEV, F_OK))
		SKIP(return, MMAPDEMO_HINT);
	run_stress(_metadata, 0);
}

/*
 * The same on the ivshmem BAR device, with the strategies a BAR has, while
 * the device is revoked and brought back again and again.
 */
TEST(stress_bar_with_revocation)
{
	static char path[64];

	if (getuid() != 0)
		SKIP(return, "needs root (PCI remove, rescan, unbind, bind)");
	if (mmapdemo_find_bar(MMAPDEMO_IVSHMEM_VENDOR, MMAPDEMO_IVSHMEM_DEVICE,
			      path, sizeof(path), mode.bdf, sizeof(mode.bdf)))
		SKIP(return, MMAPDEMO_BAR_HINT("ivshmem-plain"));
	mode.dev = mmapdemo_dev = path;
	mode.bar = true;
	mode.revoke = true;
	mode.strategies[2] = MMAPDEMO_STRATEGY_HUGE;
	if (mmapdemo_remap_why(path)) {
		ksft_print_msg("%s: fault in its place\n", MMAPDEMO_NO_BAR_REMAP);
		mode.strategies[1] = MMAPDEMO_STRATEGY_FAULT;
	}
	run_stress(_metadata, BAR_WINDOW);
}

/*
 * The DMA device of an edu (kmod/dma.c, Documentation/dma.rst): the same
 * processes and threads map both DMA buffers (the coherent one and the
 * page array) at random pages, write through the mappings, have edu's
 * engine copy to its own buffer and back, and unmap, while the revoker
 * removes and rescans, or unbinds and binds, the edu.  Each owner has a
 * slice of each DMA buffer and of the device's 4 KiB buffer, and keeps a
 * model of its slices of the DMA buffers: after each round trip both
 * slices must be as the model says, read through a mapping of the whole
 * buffer other than the one written through.  A transfer that reached
 * outside its range, or ran on top of another (the driver serializes
 * them), shows as another owner's slice changed.  SIGBUS and ENODEV only
 * after a revocation began; never ETIMEDOUT or EBUSY.
 */
#define DMA_MAPS	4

enum dma_op { D_MAP, D_UNMAP, D_ROUND_TRIP, D_INFO, D_ADDR, ND };

static const char *const dma_op_names[ND] = {
	"map", "munmap", "round_trip", "info", "addr",
};

/*
 * A mapping of pages [pg, pg + npg) of DMA buffer b.  raced: the epoch
 * moved while mmap() ran, so a removal may have begun before the core
 * linked the VMA; the removal's zap can then miss it, and it keeps
 * reading the old buffer, which it holds (Documentation/dma.rst,
 * Removal).  Only such a mapping may read after the revocation.
 */
struct dma_map {
	char *addr;
	unsigned int b;
	size_t pg;
	size_t npg;
	bool raced;
};

struct dthr {
	unsigned int owner;
	uint64_t rng;
	struct shared *sh;
	struct mmapdemo_dma_info info;
	size_t page;
	int fd;
	uint64_t epoch;		/* the device's epoch when fd was opened */
	uint64_t base[2];	/* each buffer's first offset in the file */
	size_t size[2];		/* and its bytes */
	char *all[2];		/* each buffer mapped whole, for the checks */
	bool all_raced[2];	/* as dma_map's raced */
	struct dma_map maps[DMA_MAPS];	/* and at random pages */
	int nmaps;
	size_t slice[2];	/* this owner's bytes of each buffer, from */
	size_t start[2];	/* here */
	size_t dslice, dstart;	/* and of the device's buffer */
	unsigned char *model[2];	/* what its slices hold */
	uint32_t gen;
};

static size_t drnd_below(struct dthr *t, size_t n)
{
	return n ? xorshift(&t->rng) % n : 0;
}

static int dma_xfer(struct dthr *t, __u32 dir, __u64 off, __u32 dev_off,
		    __u32 len)
{
	struct mmapdemo_dma_xfer x = {
		.direction = dir, .offset = off, .dev_offset = dev_off,
		.len = len,
	};

	return ioctl(t->fd, MMAPDEMO_IOC_DMA_XFER, &x);
}

/* A mapping of the whole of buffer @b, or REVOKED, or -1. */
static int dma_map_all(struct dthr *t, unsigned int b)
{
	t->all[b] = mmap(NULL, t->size[b], PROT_READ | PROT_WRITE, MAP_SHARED,
			 t->fd, t->base[b]);
	t->all_raced[b] = __atomic_load_n(&t->sh->epoch, __ATOMIC_SEQ_CST) !=
			  t->epoch;
	if (t->all[b] == MAP_FAILED) {
		t->all[b] = NULL;
		GONE_OR_FAIL(t, errno == ENODEV, "mmap of DMA buffer %u: %s", b,
			     strerror(errno));
	}
	return 0;
}

/*
 * New bytes in this owner's slices, through the whole mappings: 0, or
 * REVOKED if they went meanwhile, or -1.
 */
static int dma_fill_slices(struct dthr *t)
{
	unsigned int b;
	size_t i;

	if (sigsetjmp(probe_jmp, 1)) {
		if (!revoked_since(t))
			FAIL(t, "SIGBUS filling its slices with the device alive");
		__atomic_add_fetch(&t->sh->sigbus, 1, __ATOMIC_RELAXED);
		return REVOKED;
	}
	probe_armed = 1;
	for (b = 0; b < 2; b++)
		for (i = 0; i < t->slice[b]; i++) {
			t->model[b][i] = (unsigned char)(t->owner * 31 + i + b);
			t->all[b][t->start[b] + i] = (char)t->model[b][i];
		}
	probe_armed = 0;
	return 0;
}

/*
 * Open the device of epoch @e (even: no revocation under way when it was
 * read), map both buffers, fill the slices: 0, REVOKED or -1.
 */
static int dma_open(struct dthr *t, uint64_t e)
{
	int ret;

	t->epoch = e;
	t->fd = open(mode.dev, O_RDWR);
	if (t->fd < 0)
		GONE_OR_FAIL(t, errno == ENODEV || errno == ENOENT,
			     "open: %s", strerror(errno));
	ret = dma_map_all(t, 0);
	if (!ret)
		ret = dma_map_all(t, 1);
	if (!ret)
		ret = dma_fill_slices(t);
	return ret;
}

/* Is [a, a + n) of buffer @b inside one of the random mappings? */
static char *dma_mapped_at(struct dthr *t, unsigned int b, size_t a, size_t n)
{
	struct dma_map *m;
	int k;

	for (k = 0; k < t->nmaps; k++) {
		m = &t->maps[k];
		if (m->b == b && a >= m->pg * t->page &&
		    a + n <= (m->pg + m->npg) * t->page)
			return m->addr + a - m->pg * t->page;
	}
	return NULL;
}

/* Both slices as the model says, through the whole mappings. */
static int dma_check_slices(struct dthr *t, const char *when)
{
	unsigned int b;
	size_t i;

	for (b = 0; b < 2; b++)
		for (i = 0; i < t->slice[b]; i++)
			if ((unsigned char)t->all[b][t->start[b] + i] !=
			    t->model[b][i])
				FAIL(t, "%s: byte %zu of its slice of DMA buffer %u is %#x, not %#x",
				     when, i, b,
				     (unsigned char)t->all[b][t->start[b] + i],
				     t->model[b][i]);
	return 0;
}

static int dop_map(struct dthr *t)
{
	struct dma_map *m;
	unsigned int b = drnd_below(t, 2);
	size_t npages = t->size[b] / t->page;

	if (t->nmaps == DMA_MAPS)
		return 0;
	m = &t->maps[t->nmaps];
	m->b = b;
	m->pg = drnd_below(t, npages);
	m->npg = 1 + drnd_below(t, npages - m->pg);
	m->addr = mmap(NULL, m->npg * t->page, PROT_READ | PROT_WRITE,
		       MAP_SHARED, t->fd, t->base[b] + m->pg * t->page);
	m->raced = __atomic_load_n(&t->sh->epoch, __ATOMIC_SEQ_CST) !=
		   t->epoch;
	if (m->addr == MAP_FAILED)
		GONE_OR_FAIL(t, errno == ENODEV, "mmap of pages %zu+%zu of DMA buffer %u: %s",
			     m->pg, m->npg, b, strerror(errno));
	t->nmaps++;
	/* Mapped eagerly: every page reads. */
	(void)*(volatile char *)(m->addr + (m->npg - 1) * t->page);
	return 0;
}

/* munmap of a random mapping: whole, or its first pages. */
static int dop_unmap(struct dthr *t)
{
	struct dma_map *m;
	size_t n;
	int k;

	if (!t->nmaps)
		return 0;
	k = drnd_below(t, t->nmaps);
	m = &t->maps[k];
	n = drnd_below(t, 2) ? m->npg : 1 + drnd_below(t, m->npg);
	if (munmap(m->addr, n * t->page))
		FAIL(t, "munmap of a DMA mapping: %s", strerror(errno));
	if (n < m->npg) {
		m->addr += n * t->page;
		m->pg += n;
		m->npg -= n;
		return 0;
	}
	t->maps[k] = t->maps[--t->nmaps];
	return 0;
}

/*
 * New bytes in a range of its slice of one buffer (through a random
 * mapping where one covers it), to its part of the device's buffer and
 * back into a range of its slice of either buffer; then both slices
 * checked against the model.
 */
static int dop_round_trip(struct dthr *t)
{
	unsigned int b = drnd_below(t, 2), b2 = drnd_below(t, 2);
	size_t len, r, r2, dv, i;
	unsigned char v;
	char *w;

	len = 1 + drnd_below(t, t->dslice);
	r = drnd_below(t, t->slice[b] - len + 1);
	r2 = drnd_below(t, t->slice[b2] - len + 1);
	dv = drnd_below(t, t->dslice - len + 1);
	w = dma_mapped_at(t, b, t->start[b] + r, len);
	if (!w)
		w = t->all[b] + t->start[b] + r;
	t->gen++;
	for (i = 0; i < len; i++) {
		v = (unsigned char)(t->gen * 7 + t->owner * 13 + i);
		w[i] = (char)v;
		t->model[b][r + i] = v;
	}
	if (dma_xfer(t, MMAPDEMO_DMA_TO_DEVICE, t->base[b] + t->start[b] + r,
		     t->dstart + dv, len))
		GONE_OR_FAIL(t, errno == ENODEV, "transfer to the device: %s",
			     strerror(errno));
	if (dma_xfer(t, MMAPDEMO_DMA_FROM_DEVICE,
		     t->base[b2] + t->start[b2] + r2, t->dstart + dv, len))
		GONE_OR_FAIL(t, errno == ENODEV, "transfer from the device: %s",
			     strerror(errno));
	__atomic_add_fetch(&t->sh->dma_runs, 2, __ATOMIC_RELAXED);
	/* What was written, copied there; the rest as it was. */
	for (i = 0; i < len; i++)
		t->model[b2][r2 + i] = (unsigned char)(t->gen * 7 + t->owner * 13 + i);
	return dma_check_slices(t, "after a round trip");
}

static int dop_info(struct dthr *t)
{
	struct mmapdemo_dma_info i;

	if (ioctl(t->fd, MMAPDEMO_IOC_DMA_INFO, &i))
		GONE_OR_FAIL(t, errno == ENODEV, "DMA_INFO: %s", strerror(errno));
	if (i.size != t->info.size || i.pages_size != t->info.pages_size ||
	    i.timeouts)
		FAIL(t, "DMA_INFO: size %llu, pages %llu, %llu timeouts",
		     (unsigned long long)i.size,
		     (unsigned long long)i.pages_size,
		     (unsigned long long)i.timeouts);
	return 0;
}

static int dop_addr(struct dthr *t)
{
	unsigned int b = drnd_below(t, 2);
	struct mmapdemo_dma_addr a = {
		.offset = t->base[b] + t->start[b] + drnd_below(t, t->slice[b]),
	};

	if (ioctl(t->fd, MMAPDEMO_IOC_DMA_ADDR, &a))
		GONE_OR_FAIL(t, errno == ENODEV, "DMA_ADDR: %s", strerror(errno));
	if (a.flags != MMAPDEMO_DMA_INFO_ADDRS ||
	    a.dma_addr % t->page != a.offset % t->page ||
	    a.dma_addr > t->info.dma_mask)
		FAIL(t, "DMA_ADDR at %#llx: flags %#x, DMA address %#llx",
		     (unsigned long long)a.offset, a.flags,
		     (unsigned long long)a.dma_addr);
	return 0;
}

static int (*const dma_ops[ND])(struct dthr *t) = {
	dop_map, dop_unmap, dop_round_trip, dop_info, dop_addr,
};

/* Everything mapped goes, and the file: munmap and close must work. */
static int dma_drop_all(struct dthr *t)
{
	unsigned int b;

	for (; t->nmaps; t->nmaps--)
		if (munmap(t->maps[t->nmaps - 1].addr,
			   t->maps[t->nmaps - 1].npg * t->page))
			FAIL(t, "munmap: %s", strerror(errno));
	for (b = 0; b < 2; b++) {
		if (t->all[b] && munmap(t->all[b], t->size[b]))
			FAIL(t, "munmap of DMA buffer %u: %s", b,
			     strerror(errno));
		t->all[b] = NULL;
	}
	if (t->fd >= 0 && close(t->fd))
		FAIL(t, "close of a revoked DMA file: %s", strerror(errno));
	t->fd = -1;
	return 0;
}

/*
 * The device went: once the revocation is over, every page of every
 * mapping of the old device SIGBUSes; drop them, open the new device,
 * map it and fill the slices again (its buffers are new).
 */
static int dma_recover(struct dthr *t)
{
	double give_up = now() + mmapdemo_scaled(60);
	bool first = true;
	unsigned int b;
	uint64_t e;
	size_t i;
	int k, ret;

	do {
		for (;;) {
			e = __atomic_load_n(&t->sh->epoch, __ATOMIC_SEQ_CST);
			if (!(e & 1) && e != t->epoch)
				break;
			if (now() > give_up)
				FAIL(t, "the DMA device is not back after %u s",
				     mmapdemo_scaled(60));
			usleep(10000);
		}
		for (b = 0; first && b < 2; b++) {
			if (t->all[b] && t->all_raced[b]) {
				__atomic_add_fetch(&t->sh->raced_maps, 1,
						   __ATOMIC_RELAXED);
				continue;
			}
			for (i = 0; t->all[b] && i < t->size[b]; i += t->page)
				if (!sigbus_at(t->all[b] + i))
					FAIL(t, "page %zu of revoked DMA buffer %u still reads",
					     i / t->page, b);
		}
		for (k = 0; first && k < t->nmaps; k++) {
			if (t->maps[k].raced) {
				__atomic_add_fetch(&t->sh->raced_maps, 1,
						   __ATOMIC_RELAXED);
				continue;
			}
			if (!sigbus_at(t->maps[k].addr))
				FAIL(t, "a revoked DMA mapping still reads (mapped before the removal began)");
		}
		first = false;
		if (dma_drop_all(t))
			return -1;
		/* Gone again already: once more. */
		ret = dma_open(t, e);
	} while (ret == REVOKED);
	if (!ret)
		__atomic_add_fetch(&t->sh->recoveries, 1, __ATOMIC_RELAXED);
	return ret;
}

static void *dma_thread_main(void *arg)
{
	struct dthr *t = arg;
	volatile enum dma_op op = D_MAP;
	volatile bool first = true;
	unsigned int b;
	int ret;

	for (b = 0; b < 2; b++) {
		t->model[b] = malloc(t->slice[b]);
		if (!t->model[b]) {
			report(t->sh, __LINE__, "owner %u: malloc", t->owner);
			return NULL;
		}
	}
	t->fd = -1;
	ret = dma_open(t, __atomic_load_n(&t->sh->epoch, __ATOMIC_SEQ_CST));
	if (ret) {
		report(t->sh, __LINE__, "owner %u: the DMA device at the start: %d",
		       t->owner, ret);
		return NULL;
	}
	__atomic_add_fetch(&t->sh->opened, 1, __ATOMIC_SEQ_CST);
	/* At least one round trip, however slow the machine. */
	while ((first && !__atomic_load_n(&t->sh->failures,
					  __ATOMIC_RELAXED)) ||
	       work_on(t->sh)) {
		if (sigsetjmp(bus_jmp, 1)) {
			if (!revoked_since(t)) {
				report(t->sh, __LINE__, "owner %u: SIGBUS during DMA %s with the device alive",
				       t->owner, dma_op_names[op]);
				break;
			}
			__atomic_add_fetch(&t->sh->sigbus, 1, __ATOMIC_RELAXED);
			if (dma_recover(t))
				break;
			continue;
		}
		op = first ? D_ROUND_TRIP :
			     t->nmaps == 0 || drnd_below(t, 4) == 0 ?
			     D_MAP : (enum dma_op)(1 + drnd_below(t, ND - 1));
		__atomic_add_fetch(&t->sh->dma_ops[op], 1, __ATOMIC_RELAXED);
		bus_armed = 1;
		ret = dma_ops[op](t);
		bus_armed = 0;
		if (ret == REVOKED && !dma_recover(t))
			continue;
		if (ret)
			break;
		first = false;
	}
	bus_armed = 0;
	/* Half the threads leave their mappings to the exit. */
	if (t->rng & 1)
		dma_drop_all(t);
	return NULL;
}

static void dma_process_main(struct shared *sh, unsigned int proc,
			     uint64_t seed,
			     const struct mmapdemo_dma_info *info)
{
	struct dthr thr[NTHREAD];
	pthread_t tid[NTHREAD];
	struct sigaction sa;
	unsigned int i, b;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fatal_signal;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < NTHREAD; i++) {
		struct dthr *t = &thr[i];

		memset(t, 0, sizeof(*t));
		t->owner = proc * NTHREAD + i;
		t->rng = seed ^ (0x9E3779B97F4A7C15ULL * (t->owner + 1));
		t->sh = sh;
		t->info = *info;
		t->page = sysconf(_SC_PAGESIZE);
		t->base[0] = 0;
		t->size[0] = info->size;
		t->base[1] = info->pages_offset;
		t->size[1] = info->pages_size;
		for (b = 0; b < 2; b++) {
			t->slice[b] = t->size[b] / NOWNERS;
			t->start[b] = t->owner * t->slice[b];
		}
		t->dslice = info->dev_buf_size / NOWNERS;
		t->dstart = t->owner * t->dslice;
		if (pthread_create(&tid[i], NULL, dma_thread_main, t)) {
			report(sh, __LINE__, "pthread_create failed");
			_exit(1);
		}
	}
	for (i = 0; i < NTHREAD; i++)
		pthread_join(tid[i], NULL);
	_exit(0);
}

/*
 * NPROC processes of NTHREAD workers on the DMA device for the run's
 * seconds (each at least one round trip), and the revoker; then the
 * counters, and the device that is left: no mapping, no timeout.
 */
TEST(stress_dma_with_revocation)
{
	unsigned int seconds = stress_seconds(), i, nproc = NPROC + 1;
	const char *seed_env = getenv("MMAPDEMO_STRESS_SEED");
	static char path[64];
	const char *none;
	struct mmapdemo_dma_info info;
	pid_t pids[NPROC + 1];
	struct shared *sh;
	uint64_t seed;
	int fd;

	if (getuid() != 0)
		SKIP(return, "needs root (PCI remove, rescan, unbind, bind)");
	none = mmapdemo_find_dma(path, sizeof(path), mode.bdf,
				 sizeof(mode.bdf));
	if (none)
		SKIP(return, "%s", none);
	mode.dev = path;
	mode.dma = true;
	mode.revoke = true;
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(0, ioctl(fd, MMAPDEMO_IOC_DMA_INFO, &info));
	close(fd);
	ASSERT_LE((size_t)NOWNERS, (size_t)info.dev_buf_size);
	seed = seed_env ? strtoull(seed_env, NULL, 0) :
			  (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
	ksft_print_msg("stress: %s, seed %llu (MMAPDEMO_STRESS_SEED), %u s (MMAPDEMO_STRESS_SECONDS), %d processes x %d threads, with a revoker\n",
		       path, (unsigned long long)seed, seconds, NPROC, NTHREAD);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);

	deadline = now() + seconds;
	for (i = 0; i < NPROC; i++) {
		pids[i] = fork();
		ASSERT_GE(pids[i], 0);
		if (pids[i] == 0)
			dma_process_main(sh, i, seed, &info);
	}
	pids[NPROC] = fork();
	ASSERT_GE(pids[NPROC], 0);
	if (pids[NPROC] == 0)
		revoker_main(sh, seed, deadline - seconds / 4.0);
	wait_workers(sh, pids, nproc);
	for (i = 0; i < ND; i++)
		ksft_print_msg("stress: %-14s %llu\n", dma_op_names[i],
			       (unsigned long long)sh->dma_ops[i]);
	ksft_print_msg("stress: %llu transfers; %llu revocations; workers saw %llu SIGBUS and %llu ENODEV, reopened %llu times\n",
		       (unsigned long long)sh->dma_runs,
		       (unsigned long long)sh->revocations,
		       (unsigned long long)sh->sigbus,
		       (unsigned long long)sh->enodev,
		       (unsigned long long)sh->recoveries);
	ksft_print_msg("stress: %llu mappings made while a removal began, exempt from its SIGBUS check\n",
		       (unsigned long long)sh->raced_maps);
	EXPECT_EQ(0ULL, sh->failures) TH_LOG("%llu failures, first: %s (seed %llu)",
					     (unsigned long long)sh->failures,
					     sh->msg, (unsigned long long)seed);
	EXPECT_LT(0ULL, sh->dma_runs);
	EXPECT_LT(0ULL, sh->revocations);
	EXPECT_LT(0ULL, sh->sigbus + sh->enodev);
	/* The device left: every mapping gone with its process, no timeout. */
	fd = open(path, O_RDWR);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(0, ioctl(fd, MMAPDEMO_IOC_DMA_INFO, &info));
	EXPECT_EQ(0ULL, info.live_vmas);
	EXPECT_EQ(0ULL, info.timeouts);
	close(fd);
	munmap(sh, sizeof(*sh));
}

/*
 * The harness's timeout is a constant in the test's metadata; the run's
 * length is known only at run time, so set it before the harness starts:
 * the run, and the time to start and check it on this machine.
 */
static void stress_timeout(void)
{
	_stress_random_operations_object.timeout = stress_seconds() +
						   mmapdemo_scaled(180);
	_stress_bar_with_revocation_object.timeout = stress_seconds() +
						     mmapdemo_scaled(240);
	_stress_dma_with_revocation_object.timeout = stress_seconds() +
						     mmapdemo_scaled(240);
}

MMAPDEMO_HARNESS_MAIN_THEN(stress_timeout)
