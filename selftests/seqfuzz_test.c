// SPDX-License-Identifier: GPL-2.0
/*
 * The sequence fuzzer: random, seeded sequences of open, close, mmap,
 * munmap, mprotect, mremap, madvise, fork, read, write, pread, pwrite and
 * the ioctls on one device, with strategy changes and, on a BAR device,
 * caching changes and the device's removal (driver unbind and bind) mixed
 * in.  syzkaller's idea, applied to one device.
 *
 * Every call's result (errno included) is checked against a model of what
 * it must return, taken from Documentation/semantics.rst, device-memory.rst
 * and the uapi header; after each call that touches memory, what a page
 * must then hold (or which signal touching it must raise) is checked too.
 * The model knows the device's memory (a window at its start), every file,
 * every mapping and every VMA the process has, so it also knows the
 * device's live_vmas and each VMA's bounds, which STATS and WALK report.
 *
 * Mappings live in slots of an arena reserved at the start, placed with
 * MAP_FIXED_NOREPLACE, so that a range operation touches nothing but the
 * mapping it was aimed at.
 *
 * MMAPDEMO_SEQFUZZ_SEED (default 1, the same run every time; 0: one from
 * the time) replays a run and MMAPDEMO_SEQFUZZ_STEPS (default 4000, 1000
 * for -m32) sets its length; a failure prints the seed, the step, the steps before it and
 * the model's VMAs next to the kernel's.
 */
#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define PG		4096UL
#define WINDOW		32	/* pages of the device the fuzzer uses */
#define MAXPG		8	/* pages of one mapping at most */
#define NSLOTS		12	/* places for mappings */
#define SLOT		16	/* pages per slot */
#define MAXFILES	6
#define MAXVMAS		32
#define HISTORY		24	/* steps printed on failure */
/*
 * Steps per variant: about 10 s per program on a stock kernel under TCG,
 * 70 s per variant on 7-debug.  The 32-bit build, there for the compat
 * ABI, runs a quarter of them.
 */
#define DEFAULT_STEPS	(sizeof(long) == 4 ? 1000 : 4000)
#define DEFAULT_SEED	1	/* make check's run; 0 takes one from the time */

struct file {
	bool used;
	int fd;
	bool rdonly;
	bool mapped;		/* the strategy is fixed */
	uint32_t strategy;
	unsigned int gen;	/* the device instance it was opened on */
};

/* One successful mmap(): pages [off, off + npg) of the device. */
struct mapping {
	bool used;
	int slot;
	uint32_t strategy;
	bool shared;
	bool rdonly;		/* its file was opened O_RDONLY */
	unsigned int gen;
	uint32_t memtype;	/* MMAPDEMO_MEMTYPE_* of its PTEs */
	size_t off;
	size_t npg;
	uint8_t *cow[MAXPG];	/* private copies, by page of the mapping */
};

/* One VMA: pages [first, first + npg) of its mapping. */
struct vma {
	bool used;
	int map;
	size_t first;
	size_t npg;
	int prot;
	bool dontcopy;
};

static struct fz {
	struct __test_metadata *meta;
	bool bar;
	const char *dev;
	char bdf[24];
	char caching_attr[96];
	unsigned int gen;	/* bumped by each removal */
	bool wc;		/* the caching mode */
	bool wc_before;		/* the mode before the run, restored after */
	size_t dev_pages;
	uint32_t features;
	uint32_t default_strategy;
	uint64_t seed, rng;
	unsigned long step, steps;
	bool failed;
	bool dofork_refuses_special;	/* the kernel's MADV_DOFORK rule */
	uint32_t run_of[WINDOW];	/* RAM: each page's contiguous run */
	char *arena;
	struct file files[MAXFILES];
	struct mapping maps[NSLOTS];
	struct vma vmas[MAXVMAS];
	uint8_t mem[WINDOW * PG];	/* what the device holds */
	uint8_t buf[PG];
	char *child_msg;	/* MAP_SHARED: a forked child's failure */
	char now[256];		/* the step being done */
	char hist[HISTORY][256];
	unsigned long counts[32];
} *fz;

static const char *const strategy_names[] = { "fault", "remap", "insert",
					      "huge", "defio", "bogus" };

/* -------------------------------------------------------------------- */
/* The rules that differ by kernel and by what the device says.          */
/* -------------------------------------------------------------------- */

/*
 * Does a VMA of this mapping allow a split at page @at (of the mapping)?
 * The one place for the split rules (Documentation/semantics.rst, "On a
 * PCI BAR device").  Every mapping splits: remap maps a BAR only where the
 * kernel tracks PFN-map memory types per reservation (6.16 and later, INFO
 * has MMAPDEMO_FEATURE_REMAP on a BAR), and there each piece holds a
 * reference on the one reservation.  Should a kernel allow some splits of
 * a remap BAR mapping and not others, read that from the device here.
 */
static bool model_split_allowed(const struct mapping *m, size_t at)
{
	(void)m;
	(void)at;
	return true;
}

/*
 * May this file use @strategy?  What INFO's features say: on RAM fault,
 * remap and insert; on a BAR fault, huge, and remap from 6.16 on.
 */
static bool model_strategy_allowed(uint32_t strategy)
{
	return strategy <= MMAPDEMO_STRATEGY_HUGE &&
	       (fz->features & (strategy == MMAPDEMO_STRATEGY_HUGE ?
				MMAPDEMO_FEATURE_HUGE : 1U << strategy));
}

static bool model_bar_remap_allowed(void)
{
	return model_strategy_allowed(MMAPDEMO_STRATEGY_REMAP);
}

/* VM_PFNMAP: every BAR mapping, and remap on RAM. */
static bool pfnmap(const struct mapping *m)
{
	return fz->bar || m->strategy == MMAPDEMO_STRATEGY_REMAP;
}

/*
 * MADV_DOFORK: 6.12 refuses VM_IO VMAs, 7.3 every VM_SPECIAL one, which
 * every VMA of the device is (VM_DONTEXPAND).  The core's rule, not the
 * device's: asked of the kernel with the vDSO (VM_DONTEXPAND, no VM_IO).
 */
static bool model_dofork_refused(const struct mapping *m)
{
	return fz->dofork_refuses_special || pfnmap(m);
}

static bool probe_dofork_rule(void)
{
	unsigned long start, end;
	char line[256];
	bool refused = false;
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "[vdso]") &&
		    sscanf(line, "%lx-%lx", &start, &end) == 2)
			refused = madvise((void *)start, end - start,
					  MADV_DOFORK) && errno == EINVAL;
	if (f)
		fclose(f);
	return refused;
}

/* -------------------------------------------------------------------- */
/* Randomness, the log of steps and failures.                            */
/* -------------------------------------------------------------------- */

static uint64_t rnd(void)
{
	fz->rng ^= fz->rng >> 12;
	fz->rng ^= fz->rng << 25;
	fz->rng ^= fz->rng >> 27;
	return fz->rng * 0x2545F4914F6CDD1DULL;
}

static size_t below(size_t n)
{
	return n ? rnd() % n : 0;
}

static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	size_t n = strlen(fz->now);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fz->now + n, sizeof(fz->now) - n, fmt, ap);
	va_end(ap);
}

static void dump_model(void);

static void __attribute__((format(printf, 2, 3)))
fail_at(int line, const char *fmt, ...)
{
	char msg[512];
	unsigned long i, first;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (fz->failed)
		return;
	fz->failed = true;
	first = fz->step >= HISTORY ? fz->step - HISTORY + 1 : 0;
	ksft_print_msg("seqfuzz: FAILED at step %lu of seed %llu (replay: MMAPDEMO_SEQFUZZ_SEED=%llu MMAPDEMO_SEQFUZZ_STEPS=%lu), the last steps:\n",
		       fz->step, (unsigned long long)fz->seed,
		       (unsigned long long)fz->seed, fz->step + 1);
	for (i = first; i < fz->step; i++)
		ksft_print_msg("  %5lu %s\n", i, fz->hist[i % HISTORY]);
	ksft_print_msg("  %5lu %s\n", fz->step, fz->now);
	ksft_print_msg("line %d: %s\n", line, msg);
	dump_model();
	/* The harness ends a failed test without flushing a pipe's buffer. */
	fflush(stdout);
}

#define FAIL(...) fail_at(__LINE__, __VA_ARGS__)

static char *map_addr(const struct mapping *m, size_t page);

/* The model's mappings and VMAs, and the kernel's VMAs in the arena. */
static void dump_model(void)
{
	unsigned long start, end, lo = (uintptr_t)fz->arena;
	unsigned long hi = lo + NSLOTS * SLOT * PG;
	const struct mapping *m;
	const struct vma *v;
	char line[256];
	FILE *f;
	int i;

	for (i = 0; i < MAXVMAS; i++) {
		v = &fz->vmas[i];
		if (!v->used)
			continue;
		m = &fz->maps[v->map];
		ksft_print_msg("model: mapping %d (%s %s, dev %u%s, dev pages %zu+%zu): VMA %p-%p prot %d%s\n",
			       v->map, strategy_names[m->strategy],
			       m->shared ? "shared" : "private", m->gen,
			       fz->bar && m->gen != fz->gen ? " revoked" : "",
			       m->off, m->npg, map_addr(m, v->first),
			       map_addr(m, v->first + v->npg), v->prot,
			       v->dontcopy ? " dontfork" : "");
	}
	f = fopen("/proc/self/maps", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    end > lo && start < hi && !strstr(line, " 00:00 0 "))
			ksft_print_msg("kernel: %s", line);
	if (f)
		fclose(f);
}

static const char *err_name(int e)
{
	static char s[16];

	switch (e) {
	case 0: return "0";
	case EINVAL: return "EINVAL";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case EFAULT: return "EFAULT";
	case ENODEV: return "ENODEV";
	case ENOMEM: return "ENOMEM";
	case ENOSPC: return "ENOSPC";
	case EBADF: return "EBADF";
	case EEXIST: return "EEXIST";
	case EAGAIN: return "EAGAIN";
	}
	snprintf(s, sizeof(s), "errno %d", e);
	return s;
}

/* A call returned @ret (errno when -1): it must be @want (0: success). */
static void expect_err(const char *what, long ret, int want)
{
	int got = ret == -1 ? errno : 0;

	say(" -> %s", err_name(got));
	if (got != want)
		FAIL("%s: got %s, the model says %s", what, err_name(got),
		     err_name(want));
}

/* -------------------------------------------------------------------- */
/* The model's objects.                                                  */
/* -------------------------------------------------------------------- */

static bool revoked_gen(unsigned int gen)
{
	return fz->bar && gen != fz->gen;
}

static char *map_addr(const struct mapping *m, size_t page)
{
	return fz->arena + (m->slot * SLOT + page) * PG;
}

/* The device's live_vmas: the VMAs of the current device. */
static uint64_t model_live_vmas(void)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < MAXVMAS; i++)
		if (fz->vmas[i].used &&
		    !revoked_gen(fz->maps[fz->vmas[i].map].gen))
			n++;
	return n;
}

/*
 * The memory type that a remap mapping of a removed device still reserves
 * (on 7.x each VMA holds its mapping's reservation until it is unmapped,
 * removal or not), or 0 if none does.  The next device comes up in the
 * mode of that type, and cannot change to the other mode while it lives
 * (device-memory.rst, "Changing the mode").  x86-64 only: elsewhere
 * nothing reserves a memory type.
 */
static uint32_t model_leftover_memtype(void)
{
	const struct mapping *m;
	int i;

#ifndef __x86_64__
	/* Only x86's PAT reserves a type (pgtable.h's pfnmap_track() stub). */
	return 0;
#endif
	for (i = 0; i < MAXVMAS; i++) {
		if (!fz->vmas[i].used)
			continue;
		m = &fz->maps[fz->vmas[i].map];
		if (revoked_gen(m->gen) && m->strategy == MMAPDEMO_STRATEGY_REMAP)
			return m->memtype;
	}
	return 0;
}

/* The VMA holding page @p of mapping @mi, or -1 (a hole). */
static int vma_at(int mi, size_t p)
{
	int i;

	for (i = 0; i < MAXVMAS; i++)
		if (fz->vmas[i].used && fz->vmas[i].map == mi &&
		    p >= fz->vmas[i].first &&
		    p < fz->vmas[i].first + fz->vmas[i].npg)
			return i;
	return -1;
}

static int new_vma(void)
{
	int i;

	for (i = 0; i < MAXVMAS; i++)
		if (!fz->vmas[i].used)
			return i;
	return -1;
}

/* Split VMA @vi at page @at of its mapping; returns the upper part. */
static int split_vma(int vi, size_t at)
{
	struct vma *v = &fz->vmas[vi];
	int ni = new_vma();

	if (ni < 0)
		return -1;
	fz->vmas[ni] = *v;
	fz->vmas[ni].first = at;
	fz->vmas[ni].npg = v->first + v->npg - at;
	v->npg = at - v->first;
	return ni;
}

static int count_vmas(int mi)
{
	int i, n = 0;

	for (i = 0; i < MAXVMAS; i++)
		n += fz->vmas[i].used && fz->vmas[i].map == mi;
	return n;
}

/* Reserve pages of the arena again, so that nothing else lands there. */
static void reserve(char *addr, size_t pages)
{
	if (pages)
		mmap(addr, pages * PG, PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static void drop_mapping_if_empty(int mi)
{
	struct mapping *m = &fz->maps[mi];
	size_t p;

	if (count_vmas(mi))
		return;
	for (p = 0; p < MAXPG; p++)
		free(m->cow[p]);
	reserve(map_addr(m, 0), SLOT);
	memset(m, 0, sizeof(*m));
}

/* The bytes page @p of mapping @m must show, if it can be read. */
static const uint8_t *model_page(const struct mapping *m, size_t p)
{
	if (!m->shared && m->cow[p])
		return m->cow[p];
	return fz->mem + (m->off + p) * PG;
}

/* What touching page @p of VMA @v raises: 0, SIGSEGV or SIGBUS. */
static int model_signal(const struct vma *v, bool write)
{
	const struct mapping *m = &fz->maps[v->map];

	if (!(v->prot & (write ? PROT_WRITE : PROT_READ)))
		return SIGSEGV;
	if (revoked_gen(m->gen))
		return SIGBUS;
	return 0;
}

/* -------------------------------------------------------------------- */
/* Checks of memory and counters.                                        */
/* -------------------------------------------------------------------- */

/* Read page @p (of its mapping) of VMA @vi and compare with the model. */
static void check_page(int vi, size_t p, const char *who)
{
	const struct vma *v = &fz->vmas[vi];
	const struct mapping *m = &fz->maps[v->map];
	const uint8_t *want = model_page(m, p);
	const char *addr = map_addr(m, p);
	int sig, wsig = model_signal(v, false);
	char c;
	size_t i;

	sig = mmapdemo_probe_read(addr, &c);
	if (sig != wsig) {
		FAIL("%s: reading page %zu of mapping %d (%s, dev page %zu): signal %d, the model says %d",
		     who, p, v->map, strategy_names[m->strategy], m->off + p,
		     sig, wsig);
		return;
	}
	if (sig)
		return;
	if (memcmp(addr, want, PG)) {
		for (i = 0; i < PG && addr[i] == (char)want[i]; i++)
			;
		FAIL("%s: page %zu of mapping %d (%s %s, dev page %zu), byte %zu: %#x, the model says %#x",
		     who, p, v->map, strategy_names[m->strategy],
		     m->shared ? "shared" : "private", m->off + p, i,
		     (uint8_t)addr[i], want[i]);
	}
}

/* An fd of the current device, to ask STATS and WALK; -1 if none. */
static int current_fd(bool same_dev_of_map, int mi)
{
	int i;

	for (i = 0; i < MAXFILES; i++)
		if (fz->files[i].used && !revoked_gen(fz->files[i].gen) &&
		    (!same_dev_of_map || fz->files[i].gen == fz->maps[mi].gen))
			return fz->files[i].fd;
	return -1;
}

static void check_live_vmas(void)
{
	struct mmapdemo_stats st;
	int fd = current_fd(false, 0);

	if (fd < 0)
		return;
	memset(&st, 0, sizeof(st));
	if (ioctl(fd, MMAPDEMO_IOC_STATS, &st)) {
		FAIL("STATS: %s", strerror(errno));
		return;
	}
	if (st.live_vmas != model_live_vmas())
		FAIL("live_vmas %llu, the model counts %llu VMAs",
		     (unsigned long long)st.live_vmas,
		     (unsigned long long)model_live_vmas());
}

/* -------------------------------------------------------------------- */
/* The operations.  Each describes itself with say() and checks itself.  */
/* -------------------------------------------------------------------- */

static int pick_file(void)
{
	int i, n = 0, pick = -1;

	for (i = 0; i < MAXFILES; i++)
		if (fz->files[i].used && below(++n) == 0)
			pick = i;
	return pick;
}

static int pick_vma(void)
{
	int i, n = 0, pick = -1;

	for (i = 0; i < MAXVMAS; i++)
		if (fz->vmas[i].used && below(++n) == 0)
			pick = i;
	return pick;
}

static int pick_map(void)
{
	int i, n = 0, pick = -1;

	for (i = 0; i < NSLOTS; i++)
		if (fz->maps[i].used && below(++n) == 0)
			pick = i;
	return pick;
}

static void op_open(void)
{
	struct file *f = NULL;
	struct mmapdemo_info info;
	int i;

	for (i = 0; i < MAXFILES && !f; i++)
		if (!fz->files[i].used)
			f = &fz->files[i];
	if (!f)
		return;
	memset(f, 0, sizeof(*f));
	f->rdonly = below(4) == 0;
	say("open %s %s", fz->dev, f->rdonly ? "O_RDONLY" : "O_RDWR");
	f->fd = open(fz->dev, f->rdonly ? O_RDONLY : O_RDWR);
	expect_err("open", f->fd, 0);
	if (f->fd < 0)
		return;
	f->used = true;
	f->gen = fz->gen;
	f->strategy = model_strategy_allowed(fz->default_strategy) ?
			      fz->default_strategy : MMAPDEMO_STRATEGY_FAULT;
	say(" fd %d", f->fd);
	info = mmapdemo_info(f->fd);
	if (info.strategy != f->strategy || info.flags)
		FAIL("a new file's INFO: strategy %u flags %#x, the model says %u, 0",
		     info.strategy, info.flags, f->strategy);
}

static void op_close(void)
{
	int i = pick_file();

	if (i < 0)
		return;
	say("close fd %d", fz->files[i].fd);
	expect_err("close", close(fz->files[i].fd), 0);
	fz->files[i].used = false;
}

static void op_set_strategy(void)
{
	struct mmapdemo_set_strategy req = { .strategy = below(5) };
	struct file *f;
	int i = pick_file(), want;
	long ret;

	/*
	 * The fifth choice is a number no strategy has.  defio (deferred
	 * I/O, defio_test) is left out of the model: its flushes would make
	 * the device side a second state to follow.
	 */
	if (req.strategy == MMAPDEMO_STRATEGY_DEFIO)
		req.strategy = MMAPDEMO_STRATEGY_DEFIO + 1;
	if (i < 0)
		return;
	f = &fz->files[i];
	say("SET_STRATEGY fd %d %s", f->fd, strategy_names[req.strategy]);
	ret = ioctl(f->fd, MMAPDEMO_IOC_SET_STRATEGY, &req);
	if (revoked_gen(f->gen))
		want = ENODEV;
	else if (!model_strategy_allowed(req.strategy))
		want = EINVAL;
	else if (f->mapped)
		want = EBUSY;
	else
		want = 0;
	expect_err("SET_STRATEGY", ret, want);
	if (!ret)
		f->strategy = req.strategy;
}

static void op_mmap(void)
{
	static const int prots[] = { PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_WRITE, PROT_READ,
				     PROT_NONE, PROT_READ | PROT_EXEC };
	struct mapping *m = NULL;
	struct file *f;
	size_t npg, off, p;
	int i = pick_file(), mi, vi, prot, want;
	bool shared, bad_range = false;
	char *addr, *got;
	off_t offset;

	for (mi = 0; mi < NSLOTS && !m; mi++)
		if (!fz->maps[mi].used)
			m = &fz->maps[mi];
	vi = new_vma();
	if (i < 0 || !m || vi < 0)
		return;
	mi = m - fz->maps;
	f = &fz->files[i];
	npg = 1 + below(MAXPG);
	off = below(WINDOW - npg + 1);
	offset = off * PG;
	switch (below(24)) {
	case 0:		/* past the end */
		offset = fz->dev_pages * PG;
		bad_range = true;
		break;
	case 1:		/* across the end */
		offset = (fz->dev_pages - 1) * PG;
		npg = 2;
		bad_range = true;
		break;
	case 2:		/* an end that would wrap */
		offset = (off_t)1 << 62;
		bad_range = true;
		break;
	}
	shared = below(4) != 0;
	prot = prots[below(5)];
	if (below(4) == 0 && prot == PROT_READ)
		prot = PROT_WRITE | PROT_READ | PROT_EXEC;
	say("mmap fd %d (%s%s) dev page %lld +%zu %s prot %d",
	    f->fd, strategy_names[f->strategy], f->rdonly ? ", rdonly" : "",
	    (long long)(offset / (off_t)PG), npg,
	    shared ? "MAP_SHARED" : "MAP_PRIVATE", prot);

	/*
	 * The C library's check (a 32-bit mmap2() takes the offset in
	 * pages, in 32 bits), the core's, then the driver's
	 * (mmapdemo_describe()).
	 */
	if (sizeof(long) == 4 && offset >= (off_t)1 << 44)
		want = EINVAL;
	else if (shared && f->rdonly && (prot & PROT_WRITE))
		want = EACCES;
	else if (revoked_gen(f->gen))
		want = ENODEV;
	else if (bad_range)
		want = EINVAL;
	else if (prot & PROT_EXEC)
		want = EPERM;
	else if (!shared && (fz->bar ||
			     f->strategy == MMAPDEMO_STRATEGY_REMAP ||
			     f->strategy == MMAPDEMO_STRATEGY_HUGE))
		want = EINVAL;
	else if (!fz->bar && f->strategy == MMAPDEMO_STRATEGY_REMAP &&
		 fz->run_of[off] != fz->run_of[off + npg - 1])
		want = EINVAL;
	else
		want = 0;

	addr = fz->arena + mi * SLOT * PG;
	munmap(addr, SLOT * PG);
	got = mmap(addr, npg * PG, prot,
		   (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED_NOREPLACE,
		   f->fd, offset);
	expect_err("mmap", got == MAP_FAILED ? -1 : 0, want);
	if (got != MAP_FAILED && (want || got != addr)) {
		if (got != addr)
			FAIL("mmap with MAP_FIXED_NOREPLACE at %p gave %p",
			     addr, got);
		munmap(got, npg * PG);	/* the model has no such mapping */
		got = MAP_FAILED;
	}
	if (got == MAP_FAILED) {
		reserve(addr, SLOT);
		return;
	}
	reserve(addr + npg * PG, SLOT - npg);
	memset(m, 0, sizeof(*m));
	m->used = true;
	m->slot = mi;
	m->strategy = f->strategy;
	m->shared = shared;
	m->rdonly = f->rdonly;
	m->gen = f->gen;
	m->off = off;
	m->npg = npg;
	m->memtype = !fz->bar ? MMAPDEMO_MEMTYPE_WB :
		     fz->wc ? MMAPDEMO_MEMTYPE_WC : MMAPDEMO_MEMTYPE_UC;
	fz->vmas[vi] = (struct vma){ .used = true, .map = mi, .first = 0,
				     .npg = npg, .prot = prot };
	f->mapped = true;
	say(" mapping %d", mi);
	for (p = 0; p < npg && prot & PROT_READ; p += 1 + below(npg))
		check_page(vi, p, "new mapping");
}

/* A range of pages of a mapping, [*a, *b), that may hold holes. */
static int pick_range(size_t *a, size_t *b)
{
	int mi = pick_map();
	size_t n;

	if (mi < 0)
		return -1;
	n = fz->maps[mi].npg;
	*a = below(n);
	*b = below(3) ? *a + 1 + below(n - *a) : n;
	if (below(3) == 0)
		*a = 0;
	return mi;
}

static void op_munmap(void)
{
	size_t a, b, p;
	int mi = pick_range(&a, &b), vi, want = 0, i;
	bool split_start = false, split_end = false;

	if (mi < 0)
		return;
	say("munmap mapping %d pages %zu-%zu", mi, a, b);
	/* The start's split first; if the end's fails, the start's stays. */
	vi = vma_at(mi, a);
	if (vi >= 0 && fz->vmas[vi].first < a) {
		if (!model_split_allowed(&fz->maps[mi], a))
			want = EINVAL;
		else
			split_start = true;
	}
	vi = vma_at(mi, b - 1);
	if (!want && vi >= 0 && fz->vmas[vi].first + fz->vmas[vi].npg > b) {
		if (!model_split_allowed(&fz->maps[mi], b))
			want = EINVAL;
		else
			split_end = true;
	}
	expect_err("munmap", munmap(map_addr(&fz->maps[mi], a), (b - a) * PG), want);
	if (split_start)
		split_vma(vma_at(mi, a), a);
	if (want)
		return;
	if (split_end)
		split_vma(vma_at(mi, b - 1), b);
	for (i = 0; i < MAXVMAS; i++)
		if (fz->vmas[i].used && fz->vmas[i].map == mi &&
		    fz->vmas[i].first >= a && fz->vmas[i].first < b)
			fz->vmas[i].used = false;
	for (p = a; p < b; p++) {
		free(fz->maps[mi].cow[p]);
		fz->maps[mi].cow[p] = NULL;
	}
	drop_mapping_if_empty(mi);
}

/*
 * Change [a, b) of mapping @mi VMA by VMA, as mprotect() and madvise()
 * do: a VMA whose flags do not change is left alone, one that does is
 * split at the range's ends, and the first refusal ends the call with
 * what was done before it left done.  @change returns 0 and what the
 * VMA's flags become, or an errno.
 */
struct change {
	int prot;
	bool dontcopy;
};

static int change_range(int mi, size_t a, size_t b, bool holes_enomem,
			int (*change)(const struct vma *, struct change *,
				      void *), void *arg)
{
	struct mapping *m = &fz->maps[mi];
	size_t cur = a, end;
	int vi, err, unmapped = 0;
	struct change c;

	while (cur < b) {
		vi = vma_at(mi, cur);
		if (vi < 0) {
			if (!holes_enomem)
				return ENOMEM;
			unmapped = ENOMEM;
			cur++;
			continue;
		}
		end = fz->vmas[vi].first + fz->vmas[vi].npg;
		if (end > b)
			end = b;
		err = change(&fz->vmas[vi], &c, arg);
		if (err)
			return err;
		if (c.prot != fz->vmas[vi].prot ||
		    c.dontcopy != fz->vmas[vi].dontcopy) {
			if (fz->vmas[vi].first < cur) {
				if (!model_split_allowed(m, cur))
					return EINVAL;
				vi = split_vma(vi, cur);
			}
			if (fz->vmas[vi].first + fz->vmas[vi].npg > end) {
				if (!model_split_allowed(m, end))
					return EINVAL;
				split_vma(vi, end);
			}
			fz->vmas[vi].prot = c.prot;
			fz->vmas[vi].dontcopy = c.dontcopy;
		}
		cur = end;
	}
	return unmapped;
}

static int mprotect_change(const struct vma *v, struct change *c, void *arg)
{
	const struct mapping *m = &fz->maps[v->map];
	int prot = *(int *)arg;

	/* The core clears VM_MAYWRITE of a shared mapping of an O_RDONLY file. */
	if (m->shared && m->rdonly && (prot & PROT_WRITE))
		return EACCES;
	/* The driver clears VM_MAYEXEC of every mapping. */
	if (prot & PROT_EXEC)
		return EACCES;
	c->prot = prot;
	c->dontcopy = v->dontcopy;
	return 0;
}

static void op_mprotect(void)
{
	static const int prots[] = { PROT_NONE, PROT_READ,
				     PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC };
	size_t a, b;
	int mi = pick_range(&a, &b), prot = prots[below(5)], want;

	if (mi < 0)
		return;
	say("mprotect mapping %d pages %zu-%zu prot %d", mi, a, b, prot);
	/*
	 * The model changes as the kernel does, VMA by VMA: compute the
	 * answer by doing it to the model, then ask the kernel.
	 */
	want = change_range(mi, a, b, false, mprotect_change, &prot);
	expect_err("mprotect",
		   mprotect(map_addr(&fz->maps[mi], a), (b - a) * PG, prot), want);
}

static int madvise_change(const struct vma *v, struct change *c, void *arg)
{
	struct mapping *m = &fz->maps[v->map];
	int adv = *(int *)arg;

	c->prot = v->prot;
	c->dontcopy = v->dontcopy;
	switch (adv) {
	case MADV_DONTNEED:
		/* madvise_dontneed_free_valid_vma() */
		return pfnmap(m) ? EINVAL : 0;
	case MADV_DONTFORK:
		c->dontcopy = true;
		return 0;
	case MADV_DOFORK:
		if (model_dofork_refused(m))
			return EINVAL;
		c->dontcopy = false;
		return 0;
	}
	return EINVAL;
}

static void op_madvise(void)
{
	static const int advs[] = { MADV_DONTNEED, MADV_DONTNEED,
				    MADV_DONTFORK, MADV_DOFORK };
	static const char *const names[] = { "DONTNEED", "DONTNEED",
					     "DONTFORK", "DOFORK" };
	size_t a, b, p;
	int mi = pick_range(&a, &b), k = below(4), adv = advs[k], want, vi;

	if (mi < 0)
		return;
	say("madvise mapping %d pages %zu-%zu MADV_%s", mi, a, b, names[k]);
	want = change_range(mi, a, b, true, madvise_change, &adv);
	expect_err("madvise",
		   madvise(map_addr(&fz->maps[mi], a), (b - a) * PG, adv), want);
	if (adv != MADV_DONTNEED || want == EINVAL)
		return;
	/* Private copies go; the next touch shows the device again. */
	for (p = a; p < b; p++) {
		vi = vma_at(mi, p);
		if (vi < 0)
			continue;
		free(fz->maps[mi].cow[p]);
		fz->maps[mi].cow[p] = NULL;
		if (below(2))
			check_page(vi, p, "after MADV_DONTNEED");
	}
}

static void op_mremap(void)
{
	int vi = pick_vma(), mi, want, k = below(3), to = -1, i;
	struct mapping *m;
	struct vma *v;
	size_t len, nlen;
	char *old, *got, *dst = NULL;

	if (vi < 0)
		return;
	v = &fz->vmas[vi];
	mi = v->map;
	m = &fz->maps[mi];
	old = map_addr(m, v->first);
	len = v->npg * PG;
	if (k == 2) {
		/* A move of a whole mapping of one VMA to a free slot. */
		for (i = 0; i < NSLOTS && to < 0; i++)
			if (!fz->maps[i].used)
				to = i;
		if (to < 0 || count_vmas(mi) != 1)
			k = 0;
	}
	switch (k) {
	case 0:		/* shrink: a split, the tail unmapped */
		if (v->npg < 2)
			return;
		nlen = (1 + below(v->npg - 1)) * PG;
		say("mremap mapping %d pages %zu-%zu to %zu pages", mi,
		    v->first, v->first + v->npg, (size_t)(nlen / PG));
		want = model_split_allowed(m, v->first + nlen / PG) ?
			       0 : EINVAL;
		got = mremap(old, len, nlen, 0);
		expect_err("mremap shrink", got == MAP_FAILED ? -1 : 0,
			   want);
		if (got != MAP_FAILED && got != old)
			FAIL("mremap shrink moved %p to %p", old, got);
		if (!want) {
			for (i = v->first + nlen / PG;
			     i < (int)(v->first + v->npg); i++) {
				free(m->cow[i]);
				m->cow[i] = NULL;
			}
			v->npg = nlen / PG;
		}
		return;
	case 1:		/* grow: VM_DONTEXPAND */
		say("mremap mapping %d pages %zu-%zu to grow by a page", mi,
		    v->first, v->first + v->npg);
		got = mremap(old, len, len + PG, below(2) ? MREMAP_MAYMOVE : 0);
		expect_err("mremap grow", got == MAP_FAILED ? -1 : 0,
			   EFAULT);
		return;
	}
	dst = fz->arena + (to * SLOT + v->first) * PG;
	say("mremap mapping %d pages %zu-%zu to slot %d", mi, v->first,
	    v->first + v->npg, to);
	munmap(fz->arena + to * SLOT * PG, SLOT * PG);
	got = mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	expect_err("mremap move", got == MAP_FAILED ? -1 : 0, 0);
	if (got == MAP_FAILED) {
		reserve(fz->arena + to * SLOT * PG, SLOT);
		return;
	}
	if (got != dst)
		FAIL("mremap moved to %p, not %p", got, dst);
	/*
	 * The old slot is reserved again, and the new one past the
	 * mapping's pages: a hole the mapping had stays a hole.
	 */
	reserve(map_addr(m, 0), SLOT);
	reserve(fz->arena + (to * SLOT + m->npg) * PG, SLOT - m->npg);
	fz->maps[to] = *m;
	fz->maps[to].slot = to;
	memset(m, 0, sizeof(*m));
	v->map = to;
	check_page(vi, v->first + below(v->npg), "after the move");
}

/* Touch a page of a VMA: a read checks it whole, a write changes bytes. */
static void op_touch(bool write)
{
	int vi = pick_vma(), sig, wsig;
	struct mapping *m;
	struct vma *v;
	size_t p, o, n, i;
	uint8_t *dst;
	char *addr;
	char val;

	if (vi < 0)
		return;
	v = &fz->vmas[vi];
	m = &fz->maps[v->map];
	p = v->first + below(v->npg);
	if (!write) {
		say("read page %zu of mapping %d", p, v->map);
		check_page(vi, p, "read");
		return;
	}
	o = below(PG);
	n = 1 + below(PG - o < 64 ? PG - o : 64);
	val = (char)rnd();
	addr = map_addr(m, p) + o;
	say("write %zu bytes %#x at page %zu + %zu of mapping %d", n,
	    (uint8_t)val, p, o, v->map);
	wsig = model_signal(v, true);
	sig = mmapdemo_probe_write(addr, val);
	if (sig != wsig) {
		FAIL("writing page %zu of mapping %d: signal %d, the model says %d",
		     p, v->map, sig, wsig);
		return;
	}
	if (sig)
		return;
	for (i = 1; i < n; i++)
		addr[i] = (char)(val + i);
	if (m->shared) {
		dst = fz->mem + (m->off + p) * PG;
	} else {
		if (!m->cow[p]) {
			m->cow[p] = malloc(PG);
			memcpy(m->cow[p], fz->mem + (m->off + p) * PG, PG);
		}
		dst = m->cow[p];
	}
	for (i = 0; i < n; i++)
		dst[o + i] = (uint8_t)(val + i);
}

/* read(), write(), pread() or pwrite(), mostly in the window. */
static void op_rw(void)
{
	int i = pick_file(), k = below(4), want;
	bool w = k & 1, at_end = below(16) == 0;
	size_t off = below(WINDOW * PG), len = 1 + below(512), wlen;
	struct file *f;
	ssize_t got;

	if (i < 0)
		return;
	f = &fz->files[i];
	if (off + len > WINDOW * PG)
		len = WINDOW * PG - off;
	if (at_end)
		off = fz->dev_pages * PG;
	say("%s fd %d at %zu len %zu", (const char *[]){ "read", "write",
		"pread", "pwrite" }[k], f->fd, off, len);
	if (w)
		for (wlen = 0; wlen < len; wlen++)
			fz->buf[wlen] = (uint8_t)rnd();
	if (k < 2 && lseek(f->fd, off, SEEK_SET) != (off_t)off) {
		FAIL("lseek: %s", strerror(errno));
		return;
	}
	switch (k) {
	case 0: got = read(f->fd, fz->buf, len); break;
	case 1: got = write(f->fd, fz->buf, len); break;
	case 2: got = pread(f->fd, fz->buf, len, off); break;
	default: got = pwrite(f->fd, fz->buf, len, off); break;
	}
	if (w && f->rdonly)
		want = EBADF;
	else if (revoked_gen(f->gen))
		want = ENODEV;
	else if (at_end && w)
		want = ENOSPC;
	else
		want = 0;
	expect_err("read/write", got < 0 ? -1 : 0, want);
	if (got < 0)
		return;
	if ((size_t)got != (at_end ? 0 : len)) {
		FAIL("%zd bytes, the model says %zu", got, at_end ? 0 : len);
		return;
	}
	if (k < 2 && lseek(f->fd, 0, SEEK_CUR) != (off_t)(off + got))
		FAIL("the file position is %lld after it, the model says %zu",
		     (long long)lseek(f->fd, 0, SEEK_CUR), off + got);
	if (at_end)
		return;
	if (w)
		memcpy(fz->mem + off, fz->buf, got);
	else if (memcmp(fz->buf, fz->mem + off, got))
		FAIL("read data differ from the model");
}

static void op_ioctl(void)
{
	int i = pick_file(), k = below(3), vi, want;
	struct mmapdemo_info info;
	struct mmapdemo_walk w;
	struct mapping *m;
	struct file *f;
	struct vma *v;
	size_t p;
	long ret;

	if (i < 0)
		return;
	f = &fz->files[i];
	want = revoked_gen(f->gen) ? ENODEV : 0;
	if (k == 0) {
		say("INFO fd %d", f->fd);
		memset(&info, 0, sizeof(info));
		ret = ioctl(f->fd, MMAPDEMO_IOC_INFO, &info);
		expect_err("INFO", ret, want);
		if (!ret && (info.strategy != f->strategy ||
			     !!(info.flags & MMAPDEMO_INFO_MAPPED) != f->mapped ||
			     info.size != fz->dev_pages * PG ||
			     info.features != fz->features))
			FAIL("INFO: strategy %u mapped %u size %llu features %#x; the model says %u %u %zu %#x",
			     info.strategy, info.flags, (unsigned long long)info.size,
			     info.features, f->strategy, f->mapped,
			     (size_t)(fz->dev_pages * PG), fz->features);
		return;
	}
	if (k == 1) {
		say("STATS fd %d", f->fd);
		ret = ioctl(f->fd, MMAPDEMO_IOC_STATS, &(struct mmapdemo_stats){});
		expect_err("STATS", ret, want);
		if (!ret)
			check_live_vmas();
		return;
	}
	vi = pick_vma();
	if (vi < 0)
		return;
	v = &fz->vmas[vi];
	m = &fz->maps[v->map];
	p = v->first + below(v->npg);
	say("WALK fd %d page %zu of mapping %d", f->fd, p, v->map);
	memset(&w, 0, sizeof(w));
	w.addr = (uintptr_t)map_addr(m, p);
	ret = ioctl(f->fd, MMAPDEMO_IOC_WALK, &w);
	expect_err("WALK", ret, want);
	if (ret || f->gen != m->gen || revoked_gen(m->gen))
		return;
	if (w.vma_kind != MMAPDEMO_VMA_MMAPDEMO ||
	    w.vma_strategy != m->strategy ||
	    w.vma_start != (uintptr_t)map_addr(m, v->first) ||
	    w.vma_end != (uintptr_t)map_addr(m, v->first + v->npg) ||
	    w.vma_pgoff != m->off + v->first)
		FAIL("WALK: VMA kind %u strategy %u %#llx-%#llx pgoff %llu; the model says %s %p-%p pgoff %zu",
		     w.vma_kind, w.vma_strategy, (unsigned long long)w.vma_start,
		     (unsigned long long)w.vma_end,
		     (unsigned long long)w.vma_pgoff,
		     strategy_names[m->strategy], map_addr(m, v->first),
		     map_addr(m, v->first + v->npg), m->off + v->first);
	/* remap maps every page at mmap, and no call of ours unmaps one. */
	if (m->strategy == MMAPDEMO_STRATEGY_REMAP && v->prot != PROT_NONE &&
	    w.result != MMAPDEMO_WALK_MAPPED)
		FAIL("WALK: a page of a remap mapping is not mapped");
	if (w.result != MMAPDEMO_WALK_MAPPED)
		return;
	if (w.device_page != (m->shared || !m->cow[p] ? m->off + p :
			      MMAPDEMO_NO_DEVICE_PAGE) ||
	    w.memtype != (m->shared || !m->cow[p] ? m->memtype :
			  MMAPDEMO_MEMTYPE_WB))
		FAIL("WALK: device page %lld memtype %u; the model says %lld %u",
		     (long long)w.device_page, w.memtype,
		     m->shared || !m->cow[p] ? (long long)(m->off + p) : -1LL,
		     m->shared || !m->cow[p] ? m->memtype :
					       MMAPDEMO_MEMTYPE_WB);
}

/*
 * fork(): the child checks a page of every VMA it inherited (a
 * MADV_DONTFORK one must be absent), the device's live_vmas with its
 * copies counted, and writes to one shared page, which the parent then
 * sees.
 */
static void op_fork(void)
{
	int i, status, wi = -1, copies = 0;
	uint64_t live = model_live_vmas();
	struct mmapdemo_stats st;
	struct vma *v;
	size_t wp = 0, p;
	uint8_t val = (uint8_t)rnd();
	pid_t pid;
	int fd = current_fd(false, 0);
	char c;

	for (i = 0; i < MAXVMAS; i++) {
		v = &fz->vmas[i];
		if (!v->used)
			continue;
		if (!v->dontcopy && !revoked_gen(fz->maps[v->map].gen))
			copies++;
		if (!v->dontcopy && fz->maps[v->map].shared &&
		    !model_signal(v, true) && below(2) == 0)
			wi = i;
	}
	if (wi >= 0)
		wp = fz->vmas[wi].first + below(fz->vmas[wi].npg);
	say("fork; the child writes %#x to page %zu of mapping %d", val, wp,
	    wi >= 0 ? fz->vmas[wi].map : -1);
	fz->child_msg[0] = '\0';
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		FAIL("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		for (i = 0; i < MAXVMAS && !fz->failed; i++) {
			v = &fz->vmas[i];
			if (!v->used)
				continue;
			p = v->first + below(v->npg);
			if (v->dontcopy) {
				if (mmapdemo_probe_read(map_addr(&fz->maps[v->map], p), &c) != SIGSEGV)
					snprintf(fz->child_msg, 256, "page %zu of MADV_DONTFORK mapping %d is in the child",
						 p, v->map);
				continue;
			}
			check_page(i, p, "the child");
		}
		if (fd >= 0 && !ioctl(fd, MMAPDEMO_IOC_STATS, &st) &&
		    st.live_vmas != live + copies)
			snprintf(fz->child_msg, 256, "live_vmas %llu in the child, the model says %llu",
				 (unsigned long long)st.live_vmas,
				 (unsigned long long)(live + copies));
		if (fz->failed && !fz->child_msg[0])
			snprintf(fz->child_msg, 256, "see above");
		if (wi >= 0)
			*map_addr(&fz->maps[fz->vmas[wi].map], wp) = (char)val;
		_exit(fz->child_msg[0] ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid ||
	    !WIFEXITED(status) || WEXITSTATUS(status)) {
		FAIL("the child: status %#x: %s", status, fz->child_msg);
		return;
	}
	if (wi >= 0) {
		v = &fz->vmas[wi];
		fz->mem[(fz->maps[v->map].off + wp) * PG] = val;
		check_page(wi, wp, "the child's write");
	}
	check_live_vmas();
}

static bool read_caching_wc(bool *wc)
{
	char s[8] = "";
	int fd = open(fz->caching_attr, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, s, sizeof(s) - 1);

	if (fd >= 0)
		close(fd);
	if (n < 2)
		return false;
	*wc = !strncmp(s, "wc", 2);
	return true;
}

static void op_caching(void)
{
	bool wc = below(2), now;
	uint32_t left = model_leftover_memtype();
	int want = model_live_vmas() ? EBUSY : 0;
	int fd, ret;

	/* A leftover reservation of the other mode's type: EBUSY. */
	if (!want && wc != fz->wc && left &&
	    left != (wc ? MMAPDEMO_MEMTYPE_WC : MMAPDEMO_MEMTYPE_UC))
		want = EBUSY;

	say("caching %s", wc ? "wc" : "uc");
	fd = open(fz->caching_attr, O_WRONLY);
	if (fd < 0) {
		FAIL("%s: %s", fz->caching_attr, strerror(errno));
		return;
	}
	ret = write(fd, wc ? "wc" : "uc", 2) == 2 ? 0 : -1;
	expect_err("caching", ret, want);
	close(fd);
	if (!want)
		fz->wc = wc;
	if (!read_caching_wc(&now) || now != fz->wc)
		FAIL("caching reads back %s, the model says %s",
		     now ? "wc" : "uc", fz->wc ? "wc" : "uc");
}

static bool wait_node(bool present)
{
	int i;

	/* Rounds, not time: 3000 polls of 10 ms at most. */
	for (i = 0; i < 3000; i++) {
		if ((access(fz->dev, F_OK) == 0) == present)
			return true;
		usleep(10000);
	}
	return false;
}

/*
 * Driver unbind and bind: a new device.  Never a PCI remove and rescan: a
 * rescan is bus-wide, and would bring back a device that a test beside
 * this one (make soak's stress) has removed.
 */
static void op_remove(void)
{
	const char *drv = "/sys/bus/pci/drivers/mmapdemo";
	char path[128];
	bool wc, want_wc;

	/* The draw that once chose PCI removal: a seed keeps its sequence. */
	(void)below(2);
	say("unbind and bind");
	snprintf(path, sizeof(path), "%s/unbind", drv);
	if (mmapdemo_write_file(path, fz->bdf) || !wait_node(false)) {
		FAIL("%s: %s", path, strerror(errno));
		return;
	}
	fz->gen++;
	snprintf(path, sizeof(path), "%s/bind", drv);
	if (mmapdemo_write_file(path, fz->bdf) || !wait_node(true)) {
		FAIL("bringing %s back: %s", fz->dev, strerror(errno));
		return;
	}
	/*
	 * A new device starts in ivshmem's default mode, or in the mode of a
	 * leftover reservation (device-memory.rst).
	 */
	want_wc = model_leftover_memtype() != MMAPDEMO_MEMTYPE_UC;
	if (!read_caching_wc(&wc) || wc != want_wc)
		FAIL("the new device's caching is not %s", want_wc ? "wc" : "uc");
	fz->wc = want_wc;
}

/*
 * With nothing mapped any more: a new mapping's PTE has the memory type
 * that the caching mode names (bar_test: caching_mode_is_the_pte_memory_type).
 */
static void check_fresh_memtype(void)
{
	uint32_t want = fz->wc ? MMAPDEMO_MEMTYPE_WC : MMAPDEMO_MEMTYPE_UC;
	struct mmapdemo_walk w;
	int fd = current_fd(false, 0);
	char *m;

	if (!fz->bar || fd < 0)
		return;
	m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		FAIL("mmap: %s", strerror(errno));
		return;
	}
	(void)*(volatile char *)m;
	w = mmapdemo_walk_at(fd, m);
	if (w.memtype != want)
		FAIL("a new mapping's memory type is %u, the caching mode %s says %u",
		     w.memtype, fz->wc ? "wc" : "uc", want);
	munmap(m, PG);
}

/* The whole window through pread(), against the model. */
static void op_verify(void)
{
	int fd = current_fd(false, 0);
	size_t p;

	if (fd < 0)
		return;
	say("pread of the window through fd %d", fd);
	for (p = 0; p < WINDOW && !fz->failed; p++) {
		if (pread(fd, fz->buf, PG, p * PG) != (ssize_t)PG) {
			FAIL("pread of page %zu: %s", p, strerror(errno));
			return;
		}
		if (memcmp(fz->buf, fz->mem + p * PG, PG))
			FAIL("page %zu of the device differs from the model", p);
	}
}

enum {
	OP_OPEN, OP_CLOSE, OP_STRATEGY, OP_MMAP, OP_MUNMAP, OP_MPROTECT,
	OP_MREMAP, OP_MADVISE, OP_READ, OP_WRITE, OP_RW, OP_IOCTL, OP_FORK,
	OP_VERIFY, OP_CACHING, OP_REMOVE, NOPS
};

static const char *const op_names[NOPS] = {
	"open", "close", "set_strategy", "mmap", "munmap", "mprotect",
	"mremap", "madvise", "touch_read", "touch_write", "read_write",
	"ioctl", "fork", "verify", "caching", "remove",
};

/* Weights, per 1000 steps. */
static const unsigned int weights[NOPS] = {
	50, 25, 50, 140, 70, 70, 60, 70, 120, 120, 100, 70, 15, 15, 10, 5,
};

static void one_step(void)
{
	unsigned int r = below(1000), op = 0;

	while (op < NOPS - 1 && r >= weights[op])
		r -= weights[op++];
	if (!fz->bar && (op == OP_CACHING || op == OP_REMOVE))
		op = OP_VERIFY;
	fz->now[0] = '\0';
	fz->counts[op]++;
	switch (op) {
	case OP_OPEN: op_open(); break;
	case OP_CLOSE: op_close(); break;
	case OP_STRATEGY: op_set_strategy(); break;
	case OP_MMAP: op_mmap(); break;
	case OP_MUNMAP: op_munmap(); break;
	case OP_MPROTECT: op_mprotect(); break;
	case OP_MREMAP: op_mremap(); break;
	case OP_MADVISE: op_madvise(); break;
	case OP_READ: op_touch(false); break;
	case OP_WRITE: op_touch(true); break;
	case OP_RW: op_rw(); break;
	case OP_IOCTL: op_ioctl(); break;
	case OP_FORK: op_fork(); break;
	case OP_VERIFY: op_verify(); break;
	case OP_CACHING: op_caching(); break;
	case OP_REMOVE: op_remove(); break;
	}
	/* Nothing to do it on: open a file, or map one. */
	if (!fz->now[0])
		pick_file() < 0 ? op_open() : op_mmap();
	if (!fz->now[0])
		say("(%s: nothing to do it on)", op_names[op]);
	if (!fz->failed && op != OP_IOCTL && op != OP_RW && op != OP_READ)
		check_live_vmas();
	snprintf(fz->hist[fz->step % HISTORY], sizeof(fz->hist[0]), "%s",
		 fz->now);
}

/* -------------------------------------------------------------------- */
/* Setting up, the run, the tests.                                       */
/* -------------------------------------------------------------------- */

static unsigned long env_ulong(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

FIXTURE(seqfuzz)
{
	int unused;
};

FIXTURE_VARIANT(seqfuzz)
{
	bool bar;
};

FIXTURE_VARIANT_ADD(seqfuzz, ram) { .bar = false };
FIXTURE_VARIANT_ADD(seqfuzz, bar) { .bar = true };

FIXTURE_SETUP(seqfuzz)
{
	struct mmapdemo_info info;
	const char *why;
	int fd;

	if (getuid() != 0)
		MMAPDEMO_SETUP_SKIP("needs root (the walk's PFNs; on a BAR, unbind and bind)");
	fz = calloc(1, sizeof(*fz));
	ASSERT_NE(NULL, fz);
	fz->bar = variant->bar;
	fz->dev = MMAPDEMO_DEV;
	if (fz->bar) {
		why = mmapdemo_need_ivshmem();
		if (why)
			MMAPDEMO_SETUP_SKIP("%s", why);
		fz->dev = mmapdemo_bar_path;
		snprintf(fz->bdf, sizeof(fz->bdf), "%s", mmapdemo_bar_bdf);
		snprintf(fz->caching_attr, sizeof(fz->caching_attr),
			 "/sys/class/misc/mmapdemo-%s/caching", fz->bdf);
		ASSERT_TRUE(read_caching_wc(&fz->wc));
		fz->wc_before = fz->wc;
	} else if (access(MMAPDEMO_DEV, F_OK)) {
		MMAPDEMO_SETUP_SKIP(MMAPDEMO_HINT);
	}
	fd = open(fz->dev, O_RDWR);
	ASSERT_LE(0, fd);
	info = mmapdemo_info(fd);
	ASSERT_EQ(0U, info.size % PG);
	/* A BAR's first MiB: bar_proof_test's pattern lies beyond. */
	ASSERT_LE(WINDOW * PG, fz->bar ? 1UL << 20 : info.size);
	fz->dev_pages = info.size / PG;
	fz->features = info.features;
	fz->default_strategy = info.default_strategy;
	/* The device's window starts as a known pattern. */
	mmapdemo_fill((char *)fz->mem, WINDOW * PG, 0x5eed);
	ASSERT_EQ((ssize_t)(WINDOW * PG), pwrite(fd, fz->mem, WINDOW * PG, 0));
	close(fd);
	if (!fz->bar)
		ASSERT_EQ(0, mmapdemo_find_runs(WINDOW, PG, fz->run_of))
			TH_LOG("the walk gives no PFNs");
	fz->dofork_refuses_special = probe_dofork_rule();
	fz->child_msg = mmap(NULL, PG, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fz->child_msg);
	fz->arena = mmap(NULL, NSLOTS * SLOT * PG, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fz->arena);
}

FIXTURE_TEARDOWN(seqfuzz)
{
	int i;

	if (!fz)
		return;
	for (i = 0; i < MAXFILES; i++)
		if (fz->files[i].used)
			close(fz->files[i].fd);
	if (fz->arena && fz->arena != MAP_FAILED)
		munmap(fz->arena, NSLOTS * SLOT * PG);
	/* The next test programs find the mode they found before. */
	if (fz->bar)
		mmapdemo_write_file(fz->caching_attr,
				    fz->wc_before ? "wc" : "uc");
}

TEST_F_TIMEOUT(seqfuzz, random_sequences, 900)
{
	unsigned long i;
	int op;

	fz->meta = _metadata;
	fz->seed = env_ulong("MMAPDEMO_SEQFUZZ_SEED", DEFAULT_SEED);
	if (!fz->seed)
		fz->seed = (uint64_t)time(NULL) * 1000003ULL + getpid();
	fz->steps = env_ulong("MMAPDEMO_SEQFUZZ_STEPS", DEFAULT_STEPS);
	/* Every seed its own sequence (xorshift needs a state other than 0). */
	fz->rng = (fz->seed + 1) * 0x9E3779B97F4A7C15ULL ?: 1;
	ksft_print_msg("seqfuzz %s: seed %llu, %lu steps; remap %s; MADV_DOFORK refuses %s\n",
		       fz->bar ? fz->dev : "ram", (unsigned long long)fz->seed,
		       fz->steps, model_bar_remap_allowed() ? "allowed" : "refused",
		       fz->dofork_refuses_special ? "VM_SPECIAL" : "VM_IO");
	for (fz->step = 0; fz->step < fz->steps && !fz->failed; fz->step++)
		one_step();
	/* Everything unmapped and closed: the device counts no VMA. */
	for (i = 0; i < MAXVMAS && !fz->failed; i++)
		if (fz->vmas[i].used) {
			munmap(map_addr(&fz->maps[fz->vmas[i].map],
					fz->vmas[i].first),
			       fz->vmas[i].npg * PG);
			fz->vmas[i].used = false;
		}
	if (!fz->failed) {
		fz->now[0] = '\0';
		say("the end: everything unmapped");
		for (i = 0; i < MAXFILES; i++)
			if (fz->files[i].used)
				close(fz->files[i].fd);
		memset(fz->files, 0, sizeof(fz->files));
		fz->files[0].fd = open(fz->dev, O_RDWR);
		fz->files[0].used = fz->files[0].fd >= 0;
		fz->files[0].gen = fz->gen;
		if (!fz->files[0].used)
			FAIL("open %s: %s", fz->dev, strerror(errno));
		check_live_vmas();
		op_verify();
		check_fresh_memtype();
	}
	for (op = 0; op < NOPS; op++)
		if (fz->counts[op])
			ksft_print_msg("  %s: %lu\n", op_names[op], fz->counts[op]);
	fflush(stdout);
	ASSERT_FALSE(fz->failed)
		TH_LOG("seed %llu failed at step %lu",
		       (unsigned long long)fz->seed, fz->step);
}

MMAPDEMO_HARNESS_MAIN
