// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark engine of "mmapdemo bench".
 *
 * For each size, each repetition maps every subject in turn (the device's
 * strategies, anonymous memory and a memfd), so that whatever else the
 * machine is doing spreads over all subjects alike and the ratios between
 * them, taken from the same run, stay meaningful.  Repetition 0 is a
 * warm-up and is thrown away.
 *
 * Two mappings per subject and repetition:
 *  - read run: mmap, read one byte of every page, munmap;
 *  - write run: mmap, write one byte of every page, then a second pass
 *    (memset the whole buffer, then read every 64-bit word), munmap.
 * The memfd's pages are allocated (fallocate) before its first mapping, as
 * the device's memory is allocated when the module loads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"

const char *const bench_subject_names[NR_SUBJECTS] = {
	[SUBJ_FAULT] = "fault",
	[SUBJ_FAULT_POPULATE] = "fault+populate",
	[SUBJ_FAULT_AROUND] = "fault+around",
	[SUBJ_REMAP] = "remap",
	[SUBJ_INSERT] = "insert",
	[SUBJ_BAR_FAULT] = "bar-fault",
	[SUBJ_BAR_REMAP] = "bar-remap",
	[SUBJ_BAR_HUGE] = "bar-huge",
	[SUBJ_ANON] = "anon",
	[SUBJ_MEMFD] = "memfd",
	[SUBJ_IO] = "io",
};

const struct bench_metric_desc bench_metrics[NR_METRICS] = {
	[M_MMAP] = { "mmap", UNIT_NS, true },
	[M_TOUCH_READ] = { "touch_read", UNIT_NS, true },
	[M_SETUP_READ] = { "mmap_touch_read", UNIT_NS, true },
	[M_CYCLE_READ] = { "cycle_read", UNIT_NS, true },
	[M_FAULTS_READ] = { "dev_faults_read", UNIT_COUNT, true },
	[M_AROUND_READ] = { "dev_around_read", UNIT_COUNT, true },
	[M_MINFLT_READ] = { "minflt_read", UNIT_COUNT, true },
	[M_EAGER] = { "dev_eager_pages", UNIT_COUNT, true },
	[M_TOUCH_WRITE] = { "touch_write", UNIT_NS, true },
	[M_SETUP_WRITE] = { "mmap_touch_write", UNIT_NS, true },
	[M_CYCLE_WRITE] = { "cycle_write", UNIT_NS, true },
	[M_MUNMAP] = { "munmap", UNIT_NS, true },
	[M_FAULTS_WRITE] = { "dev_faults_write", UNIT_COUNT, true },
	[M_MKWRITES_WRITE] = { "dev_mkwrites_write", UNIT_COUNT, true },
	[M_MINFLT_WRITE] = { "minflt_write", UNIT_COUNT, true },
	[M_PASS_READ] = { "pass_read", UNIT_MBPS, true },
	[M_PASS_WRITE] = { "pass_write", UNIT_MBPS, true },
	[M_READ_4K] = { "read_4k", UNIT_MBPS, false },
	[M_READ_64K] = { "read_64k", UNIT_MBPS, false },
	[M_READ_1M] = { "read_1m", UNIT_MBPS, false },
	[M_WRITE_4K] = { "write_4k", UNIT_MBPS, false },
	[M_WRITE_64K] = { "write_64k", UNIT_MBPS, false },
	[M_WRITE_1M] = { "write_1m", UNIT_MBPS, false },
	[M_MEMCPY_FROM] = { "memcpy_from_map", UNIT_MBPS, false },
	[M_MEMCPY_TO] = { "memcpy_to_map", UNIT_MBPS, false },
	[M_MMAP_COPY] = { "mmap_copy", UNIT_MBPS, false },
};

const char *const bench_dma_metric_names[NR_DMA_METRICS] = {
	[DMA_XFER_MAPPED] = "dma_xfer_mapped_read",
	[DMA_XFER_COPY] = "dma_xfer_read_copy",
	[DMA_MAPPED] = "dma_mapped_read",
	[DMA_COPY] = "dma_read_copy",
};

/* Keeps the compiler from dropping loads whose values nobody uses. */
static volatile uint64_t bench_sink;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long minflt_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, unsigned int n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int bench_sizes_upto(struct bench_config *cfg, uint64_t max)
{
	cfg->nr_sizes = 0;
	if (max < 65536)
		return -EINVAL;
	for (uint64_t v = 65536; v <= max && cfg->nr_sizes < BENCH_MAX_SIZES;
	     v *= 4)
		cfg->sizes[cfg->nr_sizes++] = v;
	return 0;
}

int bench_parse_sizes(const char *s, struct bench_config *cfg)
{
	char buf[256], *tok, *save = NULL;
	uint64_t v, max;
	int ret;

	cfg->nr_sizes = 0;
	if (!strchr(s, ',')) {
		ret = parse_size(s, &max);
		if (ret)
			return ret;
		return bench_sizes_upto(cfg, max);
	}
	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (cfg->nr_sizes == BENCH_MAX_SIZES)
			return -E2BIG;
		ret = parse_size(tok, &v);
		if (ret)
			return ret;
		if (!v || v % 4096)
			return -EINVAL;
		cfg->sizes[cfg->nr_sizes++] = v;
	}
	return cfg->nr_sizes ? 0 : -EINVAL;
}

static double *sample_slot(struct bench *b, unsigned int si, int subj,
			   int metric)
{
	unsigned int *n = &b->nr_samples[si][subj][metric];
	size_t idx;

	if (*n >= BENCH_MAX_REPS)
		return NULL;
	idx = (((size_t)si * NR_SUBJECTS + subj) * NR_METRICS + metric) *
	      BENCH_MAX_REPS + *n;
	(*n)++;
	return &b->samples[idx];
}

/* Record one repetition's figure; the warm-up (@keep false) is dropped. */
static void record(struct bench *b, bool keep, unsigned int si, int subj,
		   int metric, double v)
{
	double *slot;

	if (!keep)
		return;
	slot = sample_slot(b, si, subj, metric);
	if (slot)
		*slot = v;
}

/* Another pass after @done of them, started at @t0? */
static bool pass_more(double t0, uint64_t done)
{
	return done < BENCH_MAX_PASSES && now_ns() - t0 < BENCH_PASS_NS;
}

static double mbps(uint64_t bytes, double ns)
{
	return ns > 0 ? (double)bytes / (1 << 20) / (ns / 1e9) : 0;
}

/* Where a subject's mappings come from. */
struct source {
	struct mmapdemo *md;	/* a device file, or NULL */
	int fd;			/* what to mmap, or -1 (anonymous) */
	int flags;
};

static int source_of(struct mmapdemo *md[NR_DEVS], int memfd, int subj,
		     struct source *src)
{
	src->md = NULL;
	src->fd = -1;
	src->flags = MAP_SHARED;
	switch (subj) {
	case SUBJ_FAULT_POPULATE:
		src->flags |= MAP_POPULATE;
		/* fall through */
	case SUBJ_FAULT:
	case SUBJ_FAULT_AROUND:
		src->md = md[MMAPDEMO_STRATEGY_FAULT];
		break;
	case SUBJ_REMAP:
		src->md = md[MMAPDEMO_STRATEGY_REMAP];
		break;
	case SUBJ_INSERT:
		src->md = md[MMAPDEMO_STRATEGY_INSERT];
		break;
	case SUBJ_BAR_FAULT:
		src->md = md[DEV_BAR_FAULT];
		break;
	case SUBJ_BAR_REMAP:
		src->md = md[DEV_BAR_REMAP];
		break;
	case SUBJ_BAR_HUGE:
		src->md = md[DEV_BAR_HUGE];
		break;
	case SUBJ_ANON:
		src->flags = MAP_PRIVATE | MAP_ANONYMOUS;
		return 0;
	case SUBJ_MEMFD:
		src->fd = memfd;
		return 0;
	default:
		return -EINVAL;
	}
	if (!src->md)
		return -ENODEV;
	src->fd = mmapdemo_fd(src->md);
	return 0;
}

static void stats_of(const struct source *src, struct mmapdemo_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (src->md)
		mmapdemo_get_stats(src->md, st);
}


static int map_read_run(struct bench *b, bool keep, unsigned int si,
			int subj, const struct source *src)
{
	const uint64_t size = b->cfg.sizes[si];
	const size_t ps = b->page_size;
	struct mmapdemo_stats s0, s1, s2;
	double t[6];
	volatile char *p;
	uint64_t sum = 0;
	long f0, f1;
	void *m;

	stats_of(src, &s0);
	t[0] = now_ns();
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, src->flags, src->fd, 0);
	t[1] = now_ns();
	if (m == MAP_FAILED)
		return -errno;
	stats_of(src, &s1);
	p = m;
	f0 = minflt_now();
	t[2] = now_ns();
	for (size_t off = 0; off < size; off += ps)
		sum += (unsigned char)p[off];
	t[3] = now_ns();
	f1 = minflt_now();
	stats_of(src, &s2);
	bench_sink += sum;
	t[4] = now_ns();
	if (munmap(m, size))
		return -errno;
	t[5] = now_ns();

	record(b, keep, si, subj, M_MMAP, t[1] - t[0]);
	record(b, keep, si, subj, M_TOUCH_READ, t[3] - t[2]);
	record(b, keep, si, subj, M_SETUP_READ, (t[1] - t[0]) + (t[3] - t[2]));
	record(b, keep, si, subj, M_CYCLE_READ,
	       (t[1] - t[0]) + (t[3] - t[2]) + (t[5] - t[4]));
	record(b, keep, si, subj, M_MINFLT_READ, (double)(f1 - f0));
	if (src->md) {
		record(b, keep, si, subj, M_EAGER,
		       (double)(s1.eager_pages - s0.eager_pages));
		record(b, keep, si, subj, M_FAULTS_READ,
		       (double)(s2.faults - s1.faults));
		record(b, keep, si, subj, M_AROUND_READ,
		       (double)(s2.around_pages - s1.around_pages));
	}
	return 0;
}

static int map_write_run(struct bench *b, bool keep, unsigned int si,
			 int subj, const struct source *src)
{
	const uint64_t size = b->cfg.sizes[si];
	const size_t ps = b->page_size;
	struct mmapdemo_stats s0, s1;
	const uint64_t *w;
	volatile char *p;
	uint64_t sum = 0, k[2];
	double t[9];
	long f0, f1;
	void *m;

	t[0] = now_ns();
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, src->flags, src->fd, 0);
	t[1] = now_ns();
	if (m == MAP_FAILED)
		return -errno;
	p = m;
	stats_of(src, &s0);
	f0 = minflt_now();
	t[2] = now_ns();
	for (size_t off = 0; off < size; off += ps)
		p[off] = (char)(off >> 12);
	t[3] = now_ns();
	f1 = minflt_now();
	stats_of(src, &s1);

	/*
	 * The second pass: every page is mapped and writable now.  Passes
	 * repeat for BENCH_PASS_NS (at most BENCH_MAX_PASSES of them), so
	 * that a small buffer's pass is not one 100 us window at the mercy
	 * of the scheduler; the bandwidth is over all of them.
	 */
	t[4] = now_ns();
	for (k[0] = 0; !k[0] || pass_more(t[4], k[0]); k[0]++)
		memset(m, 0x5a + k[0], size);
	t[5] = now_ns();
	w = m;
	for (k[1] = 0; !k[1] || pass_more(t[5], k[1]); k[1]++)
		for (size_t i = 0; i < size / sizeof(*w); i++)
			sum += w[i];
	t[6] = now_ns();
	bench_sink += sum;

	t[7] = now_ns();
	if (munmap(m, size))
		return -errno;
	t[8] = now_ns();

	record(b, keep, si, subj, M_TOUCH_WRITE, t[3] - t[2]);
	record(b, keep, si, subj, M_SETUP_WRITE, (t[1] - t[0]) + (t[3] - t[2]));
	record(b, keep, si, subj, M_CYCLE_WRITE,
	       (t[1] - t[0]) + (t[3] - t[2]) + (t[8] - t[7]));
	record(b, keep, si, subj, M_MUNMAP, t[8] - t[7]);
	record(b, keep, si, subj, M_MINFLT_WRITE, (double)(f1 - f0));
	if (src->md) {
		record(b, keep, si, subj, M_FAULTS_WRITE,
		       (double)(s1.faults - s0.faults));
		record(b, keep, si, subj, M_MKWRITES_WRITE,
		       (double)(s1.mkwrites - s0.mkwrites));
	}
	record(b, keep, si, subj, M_PASS_WRITE, mbps(size * k[0], t[5] - t[4]));
	record(b, keep, si, subj, M_PASS_READ, mbps(size * k[1], t[6] - t[5]));
	return 0;
}

/* The whole device with read()/write() calls of @chunk bytes. */
static int io_pass(int fd, char *buf, uint64_t size, size_t chunk, bool write,
		   double *ns)
{
	double t0 = now_ns();
	ssize_t n;

	for (uint64_t off = 0; off < size; off += (uint64_t)n) {
		size_t len = size - off < chunk ? size - off : chunk;

		n = write ? pwrite(fd, buf + off, len, (off_t)off) :
			    pread(fd, buf + off, len, (off_t)off);
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
	}
	*ns = now_ns() - t0;
	return 0;
}

/*
 * read() and write() of the whole buffer in 4 KiB, 64 KiB and 1 MiB calls,
 * against memcpy through an insert mapping that is already established,
 * and against a fresh fault mapping: mmap, memcpy out, munmap.
 */
static int io_run(struct bench *b, bool keep, unsigned int si,
		  struct mmapdemo *md[NR_DEVS], char *buf)
{
	static const struct {
		size_t chunk;
		bool write;
		int metric;
	} calls[] = {
		{ 4096, false, M_READ_4K },	{ 65536, false, M_READ_64K },
		{ 1 << 20, false, M_READ_1M },	{ 4096, true, M_WRITE_4K },
		{ 65536, true, M_WRITE_64K },	{ 1 << 20, true, M_WRITE_1M },
	};
	const uint64_t size = b->cfg.sizes[si];
	int fd = mmapdemo_fd(md[MMAPDEMO_STRATEGY_INSERT]);
	double t0, t1;
	unsigned int i;
	void *m;
	int ret;

	uint64_t k;

	/* Each figure repeats its pass as the second pass does. */
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		double ns = 0, total = 0;

		t0 = now_ns();
		for (k = 0; !k || pass_more(t0, k); k++) {
			ret = io_pass(fd, buf, size, calls[i].chunk,
				      calls[i].write, &ns);
			if (ret)
				return ret;
			total += ns;
		}
		record(b, keep, si, SUBJ_IO, calls[i].metric,
		       mbps(size * k, total));
	}

	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	t0 = now_ns();
	for (k = 0; !k || pass_more(t0, k); k++)
		memcpy(buf, m, size);
	t1 = now_ns();
	record(b, keep, si, SUBJ_IO, M_MEMCPY_FROM, mbps(size * k, t1 - t0));
	t0 = now_ns();
	for (k = 0; !k || pass_more(t0, k); k++)
		memcpy(m, buf, size);
	t1 = now_ns();
	record(b, keep, si, SUBJ_IO, M_MEMCPY_TO, mbps(size * k, t1 - t0));
	munmap(m, size);

	fd = mmapdemo_fd(md[MMAPDEMO_STRATEGY_FAULT]);
	t0 = now_ns();
	for (k = 0; !k || pass_more(t0, k); k++) {
		m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED)
			return -errno;
		memcpy(buf, m, size);
		munmap(m, size);
	}
	t1 = now_ns();
	record(b, keep, si, SUBJ_IO, M_MMAP_COPY, mbps(size * k, t1 - t0));
	return 0;
}

/*
 * Set the module's fault_around parameter, returning the old value in
 * *@old; 0 or a negative errno (-ENOENT: a module without fault-around).
 */
static int fault_around_set(unsigned int pages, unsigned int *old)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(BENCH_FAULT_AROUND_PARAM, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n > 0 && old) {
		buf[n] = '\0';
		*old = (unsigned int)strtoul(buf, NULL, 10);
	}
	n = snprintf(buf, sizeof(buf), "%u\n", pages);
	if (pwrite(fd, buf, (size_t)n, 0) != n) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return 0;
}

/* One subject's read and write runs, with fault-around set for it. */
static int subject_run(struct bench *b, bool keep, unsigned int si, int s,
		       struct mmapdemo *md[NR_DEVS], int memfd)
{
	unsigned int old = 0;
	struct source src;
	int ret;

	if (s == SUBJ_FAULT_AROUND) {
		if (b->no_fault_around)
			return 0;
		ret = fault_around_set(BENCH_FAULT_AROUND, &old);
		if (ret == -ENOENT) {
			b->no_fault_around = true;
			return 0;
		}
		if (ret)
			return ret;
	}
	/* A BAR subject without a BAR, or a size the BAR cannot hold. */
	if (source_of(md, memfd, s, &src) ||
	    (s >= SUBJ_BAR_FAULT && s <= SUBJ_BAR_HUGE &&
	     b->cfg.sizes[si] > b->bar_size))
		return 0;
	ret = map_read_run(b, keep, si, s, &src);
	if (!ret)
		ret = map_write_run(b, keep, si, s, &src);
	/*
	 * remap maps one physically contiguous run of the device memory per
	 * mapping: a size that crosses runs is refused with EINVAL before
	 * anything is mapped, and gets no figures instead of ending the
	 * bench.
	 */
	if (s == SUBJ_REMAP && ret == -EINVAL)
		ret = 0;
	if (s == SUBJ_FAULT_AROUND)
		fault_around_set(old, NULL);
	return ret;
}

/* The figures of @n samples @v (sorted on the way), no ratio yet. */
static void stat_from(struct bench_stat *st, double *v, unsigned int n)
{
	memset(st, 0, sizeof(*st));
	st->ratio_to = -1;
	if (!n)
		return;
	st->valid = true;
	st->n = n;
	st->median = bench_median(v, n);
	st->min = v[0];
	st->max = v[n - 1];
}

static void summarize(struct bench *b)
{
	for (unsigned int si = 0; si < b->cfg.nr_sizes; si++)
		for (int s = 0; s < NR_SUBJECTS; s++)
			for (int m = 0; m < NR_METRICS; m++)
				stat_from(&b->stat[si][s][m],
					&b->samples[(((size_t)si * NR_SUBJECTS + s) *
						     NR_METRICS + m) * BENCH_MAX_REPS],
					b->nr_samples[si][s][m]);
	/*
	 * Ratios, all within the run: times and fault counts to memfd,
	 * bandwidth to anonymous memory, read()/write() to memcpy through a
	 * mapping in the same direction.
	 */
	for (unsigned int si = 0; si < b->cfg.nr_sizes; si++) {
		for (int s = 0; s < NR_SUBJECTS; s++) {
			for (int m = 0; m < NR_METRICS; m++) {
				struct bench_stat *st = &b->stat[si][s][m];
				const struct bench_stat *ref;
				int rs = -1, rm = m;

				if (!st->valid)
					continue;
				if (s == SUBJ_IO)
					rm = m == M_WRITE_4K || m == M_WRITE_64K ||
					     m == M_WRITE_1M || m == M_MEMCPY_TO ?
					     M_MEMCPY_TO : M_MEMCPY_FROM, rs = SUBJ_IO;
				else if (bench_metrics[m].unit == UNIT_MBPS)
					rs = SUBJ_ANON;
				else if (bench_metrics[m].unit == UNIT_NS ||
					 m == M_MINFLT_READ || m == M_MINFLT_WRITE)
					rs = SUBJ_MEMFD;
				if (rs < 0)
					continue;
				ref = &b->stat[si][rs][rm];
				if (!ref->valid || ref->median <= 0)
					continue;
				st->ratio = st->median / ref->median;
				st->ratio_to = rs;
				st->ratio_metric = rm;
			}
		}
	}
}

static void describe_machine(struct bench *b)
{
	struct utsname u;
	char line[256];
	FILE *f;

	if (!uname(&u))
		snprintf(b->kernel, sizeof(b->kernel), "%s %s", u.release,
			 u.machine);
	snprintf(b->machine, sizeof(b->machine), "unknown CPU");
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		colon += 1 + (colon[1] == ' ');
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(b->machine, sizeof(b->machine), "%ld x %s",
			 sysconf(_SC_NPROCESSORS_ONLN), colon);
		break;
	}
	fclose(f);
}

int bench_run(struct bench *b, struct mmapdemo *md[NR_DEVS], const char **what)
{
	uint64_t max = 0;
	double start = now_ns();
	char *buf;
	int ret = 0;

	describe_machine(b);
	for (unsigned int si = 0; si < b->cfg.nr_sizes; si++)
		if (b->cfg.sizes[si] > max)
			max = b->cfg.sizes[si];
	if (max > b->device_size) {
		*what = "the device is smaller than the largest size";
		return -ENOSPC;
	}
	b->samples = calloc((size_t)BENCH_MAX_SIZES * NR_SUBJECTS * NR_METRICS *
			    BENCH_MAX_REPS, sizeof(double));
	/* The other end of read(), write() and memcpy, faulted in once. */
	buf = mmap(NULL, max, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (!b->samples || buf == MAP_FAILED) {
		*what = "memory for the benchmark";
		free(b->samples);
		b->samples = NULL;
		return -ENOMEM;
	}

	for (unsigned int si = 0; si < b->cfg.nr_sizes && !ret; si++) {
		const uint64_t size = b->cfg.sizes[si];
		unsigned int reps = size >= BENCH_BIG_SIZE ? b->cfg.reps_big :
							     b->cfg.reps;
		int memfd;

		if (b->cfg.progress)
			fprintf(stderr, "bench: %llu KiB, %u reps + warm-up\n",
				(unsigned long long)size >> 10, reps);
		memfd = memfd_create("mmapdemo-bench", MFD_CLOEXEC);
		if (memfd < 0 || fallocate(memfd, 0, 0, (off_t)size)) {
			ret = -errno;
			*what = "a memfd of the size";
			if (memfd >= 0)
				close(memfd);
			break;
		}
		for (unsigned int rep = 0; rep <= reps && !ret; rep++) {
			bool keep = rep > 0;

			for (int s = 0; s < NR_MAP_SUBJECTS && !ret; s++) {
				ret = subject_run(b, keep, si, s, md, memfd);
				if (ret)
					*what = bench_subject_names[s];
			}
			if (!ret) {
				ret = io_run(b, keep, si, md, buf);
				if (ret)
					*what = "read()/write() of the device";
			}
		}
		close(memfd);
	}
	munmap(buf, max);
	b->elapsed_s = (now_ns() - start) / 1e9;
	if (!ret)
		summarize(b);
	return ret;
}

/* Every byte of @p read once: its sum, for bench_sink. */
static uint64_t sum_bytes(const unsigned char *p, size_t len)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

static void dma_record(struct bench_dma *d, bool keep, int metric, double v)
{
	if (keep && d->n[metric] < BENCH_MAX_REPS)
		d->samples[metric][d->n[metric]++] = v;
}

/* One way: a transfer into the buffer, then its bytes read. */
static int dma_way(struct bench *b, struct mmapdemo *dma, bool keep,
		   bool copy, const unsigned char *map, unsigned char *buf)
{
	struct bench_dma *d = &b->dma;
	double t0, t1, t2;
	ssize_t n;
	int ret;

	t0 = now_ns();
	ret = mmapdemo_dma_xfer(dma, MMAPDEMO_DMA_FROM_DEVICE, 0, 0, d->len);
	if (ret)
		return ret;
	t1 = now_ns();
	if (copy) {
		n = pread(mmapdemo_fd(dma), buf, d->len, 0);
		if (n != (ssize_t)d->len)
			return n < 0 ? -errno : -EIO;
		bench_sink += sum_bytes(buf, d->len);
	} else {
		bench_sink += sum_bytes(map, d->len);
	}
	t2 = now_ns();
	dma_record(d, keep, copy ? DMA_XFER_COPY : DMA_XFER_MAPPED, t2 - t0);
	dma_record(d, keep, copy ? DMA_COPY : DMA_MAPPED, t2 - t1);
	return 0;
}

static void dma_summarize(struct bench_dma *d)
{
	for (int m = 0; m < NR_DMA_METRICS; m++)
		stat_from(&d->stat[m], d->samples[m], d->n[m]);
	for (int m = DMA_XFER_COPY; m < NR_DMA_METRICS; m += 2) {
		const struct bench_stat *ref = &d->stat[m - 1];

		if (!d->stat[m].valid || !ref->valid || ref->median <= 0)
			continue;
		d->stat[m].ratio = d->stat[m].median / ref->median;
		d->stat[m].ratio_metric = m - 1;
	}
}

/*
 * Each repetition runs both ways, in turns first, so that neither always
 * finds what the other left in the caches.  The device's buffer is first
 * filled from the mapping with a pattern, and the first copy is checked
 * against the mapping: the two ways read the same bytes.
 */
int bench_run_dma(struct bench *b, struct mmapdemo *dma, const char **what)
{
	struct bench_dma *d = &b->dma;
	struct mmapdemo_dma_info info;
	unsigned char *map, *buf;
	int ret;

	memset(d, 0, sizeof(*d));
	*what = "the DMA device";
	ret = mmapdemo_dma_info(dma, &info);
	if (ret)
		return ret;
	d->len = info.dev_buf_size;
	if (d->len > info.size)
		d->len = (uint32_t)info.size;
	map = mmap(NULL, info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   mmapdemo_fd(dma), 0);
	if (map == MAP_FAILED) {
		*what = "a mapping of the DMA buffer";
		return -errno;
	}
	buf = malloc(d->len);
	if (!buf) {
		munmap(map, info.size);
		*what = "memory for the benchmark";
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < d->len; i++)
		map[i] = (unsigned char)(i * 7 + 1);
	*what = "a DMA transfer";
	ret = mmapdemo_dma_xfer(dma, MMAPDEMO_DMA_TO_DEVICE, 0, 0, d->len);
	memset(map, 0, d->len);
	for (unsigned int rep = 0; rep <= BENCH_DMA_REPS(b) && !ret; rep++) {
		bool keep = rep > 0;

		ret = dma_way(b, dma, keep, rep & 1, map, buf);
		if (!ret)
			ret = dma_way(b, dma, keep, !(rep & 1), map, buf);
		if (!ret && !rep &&
		    (memcmp(map, buf, d->len) ||
		     map[d->len - 1] != (unsigned char)((d->len - 1) * 7 + 1))) {
			*what = "read() against the mapping";
			ret = -EIO;
		}
	}
	free(buf);
	munmap(map, info.size);
	if (ret)
		return ret;
	dma_summarize(d);
	d->valid = true;
	return 0;
}

void bench_free(struct bench *b)
{
	free(b->samples);
	b->samples = NULL;
}

double bench_per_page(const struct bench *b, unsigned int si, int metric,
		      double v)
{
	if (bench_metrics[metric].unit != UNIT_NS)
		return v;
	return v / (double)(b->cfg.sizes[si] / b->page_size);
}

static const struct bench_stat *stat_of(const struct bench *b, unsigned int si,
					int subj, int metric)
{
	const struct bench_stat *st = &b->stat[si][subj][metric];

	return st->valid ? st : NULL;
}

static void worse(struct bench_target *t, bool higher_is_worse, double v,
		  const char *fmt, const char *subj, uint64_t size)
{
	if (t->evaluated &&
	    (higher_is_worse ? v <= t->value : v >= t->value))
		return;
	t->evaluated = true;
	t->value = v;
	snprintf(t->detail, sizeof(t->detail), fmt, subj,
		 (unsigned long long)size >> 10);
}

/* A ratio of two medians of one size, or 0 where either is missing. */
static double median_ratio(const struct bench *b, unsigned int si, int s1,
			   int s2, int metric)
{
	const struct bench_stat *a = stat_of(b, si, s1, metric);
	const struct bench_stat *c = stat_of(b, si, s2, metric);

	return a && c && c->median > 0 ? a->median / c->median : 0;
}

/*
 * The targets for the huge strategy on a BAR (performance.rst), from
 * 64 MiB: the write touch, which faults every page of bar-fault and one
 * entry per 2 MiB (or 1 GiB) of bar-huge.
 */
static void bench_huge_targets(const struct bench *b,
			       struct bench_target t[NR_TARGETS])
{
	t[7] = (struct bench_target){ "huge_faults",
		"bar-huge: at least 100x fewer faults than bar-fault from 64 MiB",
		.limit = 100, .at_least = true };
	t[8] = (struct bench_target){ "huge_touch",
		"bar-huge: first write touch at least 10x faster than bar-fault from 64 MiB",
		.limit = 10, .at_least = true };
	t[9] = (struct bench_target){ "huge_vs_remap",
		"bar-huge: mmap + first write touch within 1.5x of bar-remap from 64 MiB",
		.limit = 1.5 };
	for (unsigned int si = 0; si < b->cfg.nr_sizes; si++) {
		uint64_t size = b->cfg.sizes[si];
		double r;

		if (size < (64 << 20))
			continue;
		r = median_ratio(b, si, SUBJ_BAR_FAULT, SUBJ_BAR_HUGE,
				 M_FAULTS_WRITE);
		if (r > 0)
			worse(&t[7], false, r, "%s at %llu KiB",
			      "bar-fault / bar-huge", size);
		r = median_ratio(b, si, SUBJ_BAR_FAULT, SUBJ_BAR_HUGE,
				 M_TOUCH_WRITE);
		if (r > 0)
			worse(&t[8], false, r, "%s at %llu KiB",
			      "bar-fault / bar-huge", size);
		r = median_ratio(b, si, SUBJ_BAR_HUGE, SUBJ_BAR_REMAP,
				 M_SETUP_WRITE);
		if (r > 0)
			worse(&t[9], true, r, "%s at %llu KiB",
			      "bar-huge / bar-remap", size);
	}
}

void bench_targets(const struct bench *b, struct bench_target t[NR_TARGETS])
{
	static const int eager[] = { SUBJ_REMAP, SUBJ_INSERT };
	/* The devices's mappings, for bandwidth and flatness. */
	static const int device[] = { SUBJ_FAULT, SUBJ_FAULT_POPULATE,
				      SUBJ_FAULT_AROUND, SUBJ_REMAP,
				      SUBJ_INSERT };
	const struct bench_stat *st, *ref;

	memset(t, 0, sizeof(*t) * NR_TARGETS);
	t[0] = (struct bench_target){ "fault_touch_read",
		"fault: first read touch per page within 1.2x of memfd", .limit = 1.2 };
	t[1] = (struct bench_target){ "fault_around_touch_read",
		"fault+around: first read touch per page within 1.2x of memfd",
		.limit = 1.2 };
	t[2] = (struct bench_target){ "fault_touch_write",
		"fault: first write touch per page within 1.2x of memfd", .limit = 1.2 };
	t[3] = (struct bench_target){ "eager_setup",
		"remap, insert: mmap + first touch at most 0.5x fault's from 16 MiB",
		.limit = 0.5 };
	t[4] = (struct bench_target){ "pass_bandwidth",
		"second-pass bandwidth of device mappings at least 0.9x anon",
		.limit = 0.9, .at_least = true };
	t[5] = (struct bench_target){ "map_vs_read4k",
		"memcpy through a mapping at least 2x read() in 4 KiB calls",
		.limit = 2.0, .at_least = true };
	t[6] = (struct bench_target){ "flat_per_page",
		"device: mmap + touch + munmap per page within 20% from 1 MiB",
		.limit = 1.2 };

	for (unsigned int si = 0; si < b->cfg.nr_sizes; si++) {
		uint64_t size = b->cfg.sizes[si];

		st = stat_of(b, si, SUBJ_FAULT, M_TOUCH_READ);
		if (st && st->ratio_to >= 0)
			worse(&t[0], true, st->ratio, "%s at %llu KiB", "fault",
			      size);
		st = stat_of(b, si, SUBJ_FAULT_AROUND, M_TOUCH_READ);
		if (st && st->ratio_to >= 0)
			worse(&t[1], true, st->ratio, "%s at %llu KiB",
			      "fault+around", size);
		st = stat_of(b, si, SUBJ_FAULT, M_TOUCH_WRITE);
		if (st && st->ratio_to >= 0)
			worse(&t[2], true, st->ratio, "%s at %llu KiB", "fault",
			      size);
		for (int m = M_SETUP_READ; size >= (16 << 20) && m <= M_SETUP_WRITE;
		     m += M_SETUP_WRITE - M_SETUP_READ) {
			ref = stat_of(b, si, SUBJ_FAULT, m);
			for (unsigned int i = 0; ref && i < 2; i++) {
				st = stat_of(b, si, eager[i], m);
				if (st && ref->median > 0)
					worse(&t[3], true, st->median / ref->median,
					      m == M_SETUP_READ ? "%s (read) at %llu KiB" :
					      "%s (write) at %llu KiB",
					      bench_subject_names[eager[i]], size);
			}
		}
		for (unsigned int d = 0; d < sizeof(device) / sizeof(device[0]);
		     d++) {
			int s = device[d];

			for (int m = M_PASS_READ; m <= M_PASS_WRITE; m++) {
				st = stat_of(b, si, s, m);
				if (st && st->ratio_to >= 0)
					worse(&t[4], false, st->ratio,
					      m == M_PASS_READ ? "%s (read) at %llu KiB" :
					      "%s (write) at %llu KiB",
					      bench_subject_names[s], size);
			}
		}
		st = stat_of(b, si, SUBJ_IO, M_MEMCPY_FROM);
		ref = stat_of(b, si, SUBJ_IO, M_READ_4K);
		if (st && ref && ref->median > 0)
			worse(&t[5], false, st->median / ref->median,
			      "%s at %llu KiB", "memcpy_from_map / read_4k", size);
	}
	/* Flatness: the spread of ns per page over the sizes from 1 MiB. */
	for (unsigned int d = 0; d < sizeof(device) / sizeof(device[0]); d++) {
		int s = device[d];

		for (int m = M_CYCLE_READ; m <= M_CYCLE_WRITE;
		     m += M_CYCLE_WRITE - M_CYCLE_READ) {
			double lo = 0, hi = 0;
			unsigned int n = 0;

			for (unsigned int si = 0; si < b->cfg.nr_sizes; si++) {
				double v;

				st = stat_of(b, si, s, m);
				if (!st || b->cfg.sizes[si] < (1 << 20))
					continue;
				v = bench_per_page(b, si, m, st->median);
				lo = n && lo < v ? lo : v;
				hi = n && hi > v ? hi : v;
				n++;
			}
			if (n >= 2 && lo > 0)
				worse(&t[6], true, hi / lo,
				      m == M_CYCLE_READ ? "%s (read), %llu sizes" :
				      "%s (write), %llu sizes",
				      bench_subject_names[s], (uint64_t)n << 10);
		}
	}
	bench_huge_targets(b, t);
	for (int i = 0; i < NR_TARGETS; i++)
		t[i].met = t[i].evaluated &&
			   (t[i].at_least ? t[i].value >= t[i].limit :
			    t[i].value <= t[i].limit);
}

static const char *unit_name(enum bench_unit u)
{
	return u == UNIT_NS ? "ns" : u == UNIT_MBPS ? "MiB/s" : "count";
}

void bench_write_csv(const struct bench *b, FILE *f)
{
	fprintf(f, "size,pages,subject,metric,unit,reps,median,min,max,"
		   "median_per_page,ratio,ratio_to\n");
	for (unsigned int si = 0; si < b->cfg.nr_sizes; si++) {
		uint64_t size = b->cfg.sizes[si];

		for (int s = 0; s < NR_SUBJECTS; s++) {
			for (int m = 0; m < NR_METRICS; m++) {
				const struct bench_stat *st = stat_of(b, si, s, m);

				if (!st)
					continue;
				fprintf(f, "%llu,%llu,%s,%s,%s,%u,%.1f,%.1f,%.1f,%.2f,",
					(unsigned long long)size,
					(unsigned long long)(size / b->page_size),
					bench_subject_names[s], bench_metrics[m].name,
					unit_name(bench_metrics[m].unit), st->n,
					st->median, st->min, st->max,
					bench_per_page(b, si, m, st->median));
				if (st->ratio_to >= 0)
					fprintf(f, "%.3f,%s\n", st->ratio,
						bench_subject_names[st->ratio_to]);
				else
					fprintf(f, ",\n");
			}
		}
	}
	/* The DMA row: its ratio is to the mapped way, named as a metric. */
	for (int m = 0; b->dma.valid && m < NR_DMA_METRICS; m++) {
		const struct bench_stat *st = &b->dma.stat[m];

		if (!st->valid)
			continue;
		fprintf(f, "%u,1,dma,%s,ns,%u,%.1f,%.1f,%.1f,%.1f,", b->dma.len,
			bench_dma_metric_names[m], st->n, st->median, st->min,
			st->max, st->median);
		if (st->ratio > 0)
			fprintf(f, "%.3f,%s\n", st->ratio,
				bench_dma_metric_names[st->ratio_metric]);
		else
			fprintf(f, ",\n");
	}
}

static void size_name(uint64_t size, char *buf, size_t len)
{
	if (size >= (1 << 20))
		snprintf(buf, len, "%lluM", (unsigned long long)size >> 20);
	else
		snprintf(buf, len, "%lluK", (unsigned long long)size >> 10);
}

/* "1234 x1.05" or "1234" for one cell: median per page and its ratio. */
static void cell(const struct bench *b, unsigned int si, int s, int m,
		 bool ratio, char *buf, size_t len)
{
	const struct bench_stat *st = stat_of(b, si, s, m);
	double v;

	if (!st) {
		snprintf(buf, len, "-");
		return;
	}
	v = bench_per_page(b, si, m, st->median);
	if (ratio && st->ratio_to >= 0)
		snprintf(buf, len, "%.0f x%.2f", v, st->ratio);
	else
		snprintf(buf, len, "%.0f", v);
}

/*
 * The DMA row: a transfer then the read, and the read alone, each way;
 * xN is the copy's median against the mapping's.
 */
static void bench_write_dma_table(const struct bench *b, FILE *f)
{
	static const char *const head[NR_DMA_METRICS] = {
		[DMA_XFER_MAPPED] = "transfer+mapped",
		[DMA_XFER_COPY] = "transfer+read()",
		[DMA_MAPPED] = "mapped read",
		[DMA_COPY] = "read() copy",
	};
	const struct bench_dma *d = &b->dma;
	char buf[32];

	fprintf(f, "\nThe DMA device: a transfer of %u bytes from the device "
		   "into its coherent buffer, then every byte read, in place "
		   "through the mapping or from pread()'s copy; ns, xN: read() "
		   "against the mapping\n%-5s", d->len, "size");
	for (int m = 0; m < NR_DMA_METRICS; m++)
		fprintf(f, " %18s", head[m]);
	fputc('\n', f);
	snprintf(buf, sizeof(buf), "%u", d->len);
	fprintf(f, "%-5s", buf);
	for (int m = 0; m < NR_DMA_METRICS; m++) {
		const struct bench_stat *st = &d->stat[m];

		if (!st->valid)
			snprintf(buf, sizeof(buf), "-");
		else if (st->ratio > 0)
			snprintf(buf, sizeof(buf), "%.0f x%.2f", st->median,
				 st->ratio);
		else
			snprintf(buf, sizeof(buf), "%.0f", st->median);
		fprintf(f, " %18s", buf);
	}
	fputc('\n', f);
}

void bench_write_table(const struct bench *b, FILE *f)
{
	static const struct {
		int metric;
		bool ratio;
		const char *head;
	} cols[] = {
		{ M_MMAP, false, "mmap" },
		{ M_TOUCH_READ, true, "touch-r" },
		{ M_TOUCH_WRITE, true, "touch-w" },
		{ M_MUNMAP, false, "munmap" },
		{ M_SETUP_WRITE, true, "mmap+touch-w" },
		{ M_FAULTS_READ, false, "flt-r" },
		{ M_MINFLT_READ, false, "minflt-r" },
		{ M_MINFLT_WRITE, false, "minflt-w" },
		{ M_PASS_READ, true, "pass-r" },
		{ M_PASS_WRITE, true, "pass-w" },
	};
	static const int io_cols[] = { M_READ_4K, M_READ_64K, M_READ_1M,
				       M_WRITE_4K, M_WRITE_64K, M_WRITE_1M,
				       M_MEMCPY_FROM, M_MEMCPY_TO, M_MMAP_COPY };
	char sz[16], buf[32];

	fprintf(f, "mmapdemo bench: %s, %s, page %u bytes\n", b->kernel,
		b->machine, b->page_size);
	fprintf(f, "medians of %u repetitions (%u from %llu MiB) after a warm-up; "
		   "min and max in the CSV and JSON\n",
		b->cfg.reps, b->cfg.reps_big,
		(unsigned long long)BENCH_BIG_SIZE >> 20);
	fprintf(f, "\nMappings: times in ns per page (xN: ratio to memfd), "
		   "faults per run, bandwidth in MiB/s (xN: ratio to anon)\n");
	fprintf(f, "%-5s %-14s", "size", "subject");
	for (unsigned int c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
		fprintf(f, " %*s", cols[c].ratio ? 13 : 8, cols[c].head);
	fputc('\n', f);
	for (unsigned int si = 0; si < b->cfg.nr_sizes; si++) {
		size_name(b->cfg.sizes[si], sz, sizeof(sz));
		for (int s = 0; s < NR_MAP_SUBJECTS; s++) {
			fprintf(f, "%-5s %-14s", s ? "" : sz, bench_subject_names[s]);
			for (unsigned int c = 0; c < sizeof(cols) / sizeof(cols[0]);
			     c++) {
				cell(b, si, s, cols[c].metric, cols[c].ratio, buf,
				     sizeof(buf));
				fprintf(f, " %*s", cols[c].ratio ? 13 : 8, buf);
			}
			fputc('\n', f);
		}
	}
	fprintf(f, "\nThe device's file: MiB/s (xN: ratio to memcpy through an "
		   "established mapping, same direction)\n%-5s", "size");
	for (unsigned int c = 0; c < sizeof(io_cols) / sizeof(io_cols[0]); c++)
		fprintf(f, " %16s", bench_metrics[io_cols[c]].name);
	fputc('\n', f);
	for (unsigned int si = 0; si < b->cfg.nr_sizes; si++) {
		size_name(b->cfg.sizes[si], sz, sizeof(sz));
		fprintf(f, "%-5s", sz);
		for (unsigned int c = 0; c < sizeof(io_cols) / sizeof(io_cols[0]);
		     c++) {
			cell(b, si, SUBJ_IO, io_cols[c], true, buf, sizeof(buf));
			fprintf(f, " %16s", buf);
		}
		fputc('\n', f);
	}
	if (b->dma.valid)
		bench_write_dma_table(b, f);
}

void bench_write_plot_data(const struct bench *b, FILE *f, int metric)
{
	fprintf(f, "# size_bytes");
	for (int s = 0; s < NR_MAP_SUBJECTS; s++)
		fprintf(f, " %s", bench_subject_names[s]);
	fprintf(f, "   (%s, ns per page)\n", bench_metrics[metric].name);
	for (unsigned int si = 0; si < b->cfg.nr_sizes; si++) {
		fprintf(f, "%llu", (unsigned long long)b->cfg.sizes[si]);
		for (int s = 0; s < NR_MAP_SUBJECTS; s++) {
			const struct bench_stat *st = stat_of(b, si, s, metric);

			if (st)
				fprintf(f, " %.1f",
					bench_per_page(b, si, metric, st->median));
			else
				fprintf(f, " NaN");
		}
		fputc('\n', f);
	}
}
