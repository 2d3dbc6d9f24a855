/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark engine of "mmapdemo bench": what it measures, on which
 * subjects, and the figures it derives (median, min, max, ratio to the
 * kernel's own mappings measured in the same run).  cmd_bench.c prints
 * them; Documentation/performance.rst explains them.
 */
#ifndef MMAPDEMO_BENCH_H
#define MMAPDEMO_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "mmapdemo.h"

#define BENCH_MAX_SIZES 12
#define BENCH_MAX_REPS 64

/*
 * The open files bench_run() works on: the RAM device's, indexed by
 * strategy, then a BAR device's (NULL without one).
 */
enum bench_dev {
	DEV_FAULT = MMAPDEMO_STRATEGY_FAULT,
	DEV_REMAP = MMAPDEMO_STRATEGY_REMAP,
	DEV_INSERT = MMAPDEMO_STRATEGY_INSERT,
	DEV_BAR_FAULT,
	DEV_BAR_REMAP,
	DEV_BAR_HUGE,
	NR_DEVS
};

/* What is mapped: the device's strategies, then the kernel's anchors. */
enum bench_subject {
	SUBJ_FAULT,		/* device, fault strategy, MAP_SHARED */
	SUBJ_FAULT_POPULATE,	/* the same with MAP_POPULATE */
	SUBJ_FAULT_AROUND,	/* the same with the module's fault_around=16 */
	SUBJ_REMAP,
	SUBJ_INSERT,
	SUBJ_BAR_FAULT,		/* a BAR device (--bar), fault strategy */
	SUBJ_BAR_REMAP,		/* the same, remap */
	SUBJ_BAR_HUGE,		/* the same, huge: PMD and PUD entries */
	SUBJ_ANON,		/* MAP_PRIVATE | MAP_ANONYMOUS */
	SUBJ_MEMFD,		/* MAP_SHARED of a memfd whose pages exist */
	SUBJ_IO,		/* read()/write() of the device against memcpy */
	NR_SUBJECTS
};

#define NR_MAP_SUBJECTS SUBJ_IO

enum bench_unit {
	UNIT_NS,		/* a time, reported also per page */
	UNIT_COUNT,		/* faults, pages */
	UNIT_MBPS,		/* bandwidth, MiB/s */
};

enum bench_metric {
	/* A mapping touched for reading: mmap, touch each page, munmap. */
	M_MMAP,			/* mmap() */
	M_TOUCH_READ,		/* first read of every page */
	M_SETUP_READ,		/* mmap() + first read touch */
	M_CYCLE_READ,		/* mmap() + read touch + munmap() */
	M_FAULTS_READ,		/* device "faults" counter over the touch */
	M_AROUND_READ,		/* device "around_pages" counter over it */
	M_MINFLT_READ,		/* getrusage minor faults over the touch */
	M_EAGER,		/* device "eager_pages" counter over mmap() */
	/* A mapping touched for writing, then passed over twice more. */
	M_TOUCH_WRITE,		/* first write of every page */
	M_SETUP_WRITE,		/* mmap() + first write touch */
	M_CYCLE_WRITE,		/* mmap() + write touch + munmap() */
	M_MUNMAP,		/* munmap() of the written mapping */
	M_FAULTS_WRITE,
	M_MKWRITES_WRITE,	/* device "mkwrites" counter over the touch */
	M_MINFLT_WRITE,
	M_PASS_READ,		/* second pass: read every word */
	M_PASS_WRITE,		/* second pass: memset */
	/* SUBJ_IO: the whole device through its file and through a mapping. */
	M_READ_4K,
	M_READ_64K,
	M_READ_1M,
	M_WRITE_4K,
	M_WRITE_64K,
	M_WRITE_1M,
	M_MEMCPY_FROM,		/* memcpy out of an established mapping */
	M_MEMCPY_TO,		/* memcpy into it */
	M_MMAP_COPY,		/* mmap (fault) + memcpy out + munmap, fresh */
	NR_METRICS
};

struct bench_metric_desc {
	const char *name;	/* in CSV and JSON */
	enum bench_unit unit;
	bool mapping;		/* measured for mapping subjects (else SUBJ_IO) */
};

extern const struct bench_metric_desc bench_metrics[NR_METRICS];
extern const char *const bench_subject_names[NR_SUBJECTS];

/* One figure: the repetitions summed up. */
struct bench_stat {
	bool valid;
	unsigned int n;
	double median, min, max;
	double ratio;		/* median against the reference, 0 if none */
	int ratio_to;		/* the reference subject, or -1 */
	int ratio_metric;	/* the reference metric */
};

struct bench_config {
	uint64_t sizes[BENCH_MAX_SIZES];
	unsigned int nr_sizes;
	unsigned int reps;		/* below BENCH_BIG_SIZE */
	unsigned int reps_big;		/* from BENCH_BIG_SIZE */
	bool progress;			/* a line per size on stderr */
};

/* The fault-around window of SUBJ_FAULT_AROUND: the core's for files. */
#define BENCH_FAULT_AROUND 16
#define BENCH_FAULT_AROUND_PARAM "/sys/module/mmapdemo/parameters/fault_around"

/* Bandwidth passes repeat for this long, at most this many times. */
#define BENCH_PASS_NS 20e6
#define BENCH_MAX_PASSES 64

/* Sizes from here take cfg->reps_big repetitions. */
#define BENCH_BIG_SIZE (64ULL << 20)
/* The largest size when none is given, if the device is that large. */
#define BENCH_DEFAULT_MAX (256ULL << 20)

/*
 * The DMA row (--dma DEVICE): a transfer of the device's buffer into the
 * coherent DMA buffer, then every byte of it read, in place through the
 * mapping or from a copy that pread() made; the read part also alone.
 */
enum bench_dma_metric {
	DMA_XFER_MAPPED,	/* transfer + read every byte of the mapping */
	DMA_XFER_COPY,		/* transfer + pread() + read every byte copied */
	DMA_MAPPED,		/* the read part alone: the mapping */
	DMA_COPY,		/* the read part alone: pread() and the copy */
	NR_DMA_METRICS
};

extern const char *const bench_dma_metric_names[NR_DMA_METRICS];

/*
 * Its repetitions: four times --reps, as each takes two transfers of 100
 * ms (QEMU's edu) and little CPU, and the read part is short.
 */
#define BENCH_DMA_REPS(b) \
	((b)->cfg.reps * 4 < BENCH_MAX_REPS ? (b)->cfg.reps * 4 : BENCH_MAX_REPS)

struct bench_dma {
	bool valid;
	uint32_t len;		/* bytes per transfer: the device's buffer */
	unsigned int n[NR_DMA_METRICS];
	double samples[NR_DMA_METRICS][BENCH_MAX_REPS];
	/* ratio: DMA_XFER_COPY to DMA_XFER_MAPPED, DMA_COPY to DMA_MAPPED */
	struct bench_stat stat[NR_DMA_METRICS];
};

struct bench {
	struct bench_config cfg;
	struct bench_dma dma;
	uint32_t page_size;
	uint64_t device_size;
	uint64_t bar_size;	/* 0 without a BAR device */
	char kernel[160];
	char machine[128];
	double elapsed_s;
	bool no_fault_around;	/* the module has no fault_around parameter */
	/* samples[size][subject][metric][rep] */
	double *samples;
	unsigned int nr_samples[BENCH_MAX_SIZES][NR_SUBJECTS][NR_METRICS];
	struct bench_stat stat[BENCH_MAX_SIZES][NR_SUBJECTS][NR_METRICS];
};

/* Sizes from 64 KiB up to @max in powers of 4; 0 or -EINVAL. */
int bench_sizes_upto(struct bench_config *cfg, uint64_t max);
/* Sizes: "256M" (64K up to it in powers of 4) or "64K,1M,16M". */
int bench_parse_sizes(const char *s, struct bench_config *cfg);
/* The median of @n values (sorted in place). */
double bench_median(double *v, unsigned int n);

/*
 * Run everything on the open files @md[enum bench_dev]; the BAR
 * subjects only where @md has them and for sizes up to @b->bar_size.  Returns 0 or a negative errno; *@what says what failed.
 */
int bench_run(struct bench *b, struct mmapdemo *md[NR_DEVS],
	      const char **what);
void bench_free(struct bench *b);
/*
 * The DMA row on the open DMA device @dma, BENCH_DMA_REPS() repetitions
 * after a warm-up; 0 or a negative errno, *@what saying what failed.
 */
int bench_run_dma(struct bench *b, struct mmapdemo *dma, const char **what);

/* A figure's value per page (times) or as is. */
double bench_per_page(const struct bench *b, unsigned int si, int metric,
		      double v);

/* The targets of Documentation/performance.rst, judged from the medians. */
struct bench_target {
	const char *key;
	const char *text;
	bool evaluated;
	bool met;
	double value;		/* the worst measured figure */
	double limit;
	bool at_least;		/* the value must reach the limit, not stay below */
	char detail[160];	/* where the worst figure is */
};
#define NR_TARGETS 10
void bench_targets(const struct bench *b, struct bench_target t[NR_TARGETS]);

/* Output. */
void bench_write_csv(const struct bench *b, FILE *f);
void bench_write_table(const struct bench *b, FILE *f);
/* gnuplot data: size, then ns per page of M_CYCLE_* for each subject. */
void bench_write_plot_data(const struct bench *b, FILE *f, int metric);

#endif /* MMAPDEMO_BENCH_H */
