/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the experiments of "mmapdemo tour" share: the tour's state, the
 * table entry of one experiment, and the helpers that map, fill and check
 * a file or the device.  cmd_tour.c runs the table; tour_classic.c holds
 * the experiments of the classic tutorial, tour_lifecycle.c those of a
 * mapping's life (fork, munmap, mremap, madvise, rmmod), tour_device.c
 * those that need a PCI BAR device (huge entries, device memory,
 * revocation).
 */
#ifndef MMAPDEMO_TOUR_H
#define MMAPDEMO_TOUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli.h"

/* Pages the fault-counting experiments map: four fault-around windows. */
#define TOUR_PAGES 64

struct tour {
	const struct cli *cli;
	struct mmapdemo *md;	/* for the counters, which are device-wide */
	struct mmapdemo_info info;
	uint32_t ps;
	unsigned int pages;	/* TOUR_PAGES, or fewer on a small device */
	int file_fd;
	char file_path[64];
	const char *file_fs;	/* "tmpfs", "ext4", ...: statfs() of the file */
	const char *disk_dir;	/* where the disk experiments make their files */
	const char *mmap_fn;	/* "mmapdemo_mmap()" or "mmapdemo_mmap_prepare()" */
	/*
	 * The calls of the experiments' stages, traced with the
	 * function-graph tracer (tour_trace.c), one session for the tour;
	 * @traced is false where that is impossible, @st.why says why.
	 */
	struct stage_trace st;
	bool traced;
	/* What the traces of the running experiment saw, for its verdict. */
	char seen[1024];
	unsigned int run;
	unsigned int expected;
	unsigned int skipped;	/* experiments without what they need */
};

/* One experiment: a row of the table in cmd_tour.c. */
struct tour_experiment {
	const char *name;	/* for --only and the JSON key */
	const char *title;	/* what the heading says after the name */
	const char *shows;	/* one sentence: what the experiment shows */
	void (*run)(struct tour *t);
};

extern const struct tour_experiment tour_shared_write, tour_prot_read,
	tour_private_write, tour_two_processes, tour_lazy_vs_eager,
	tour_populate, tour_map_sync, tour_map_hugetlb, tour_fork,
	tour_munmap_partial, tour_mremap, tour_dontneed, tour_rmmod,
	tour_huge, tour_device_not_ram, tour_revoke;
extern const struct tour_experiment tour_dma;
extern const struct tour_experiment tour_disk_fault, tour_disk_dirty,
	tour_disk_msync, tour_disk_private;

/*
 * The verdict that ends an experiment: whether it went as expected, what
 * happened, and the kernel functions its traced stages saw (t->seen), or
 * why its calls were not traced.
 */
void tour_verdict(struct tour *t, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * tour_trace.c: the calls of an experiment's stages.  tour_trace_begin()
 * sets the function-graph tracer up once for the tour (@mode CALLS_NONE:
 * not at all); between tour_trace_start() and tour_trace_stop() the
 * calling task's calls are recorded, and tour_trace_stop() reports the
 * spine under @key/@label: the chain from the entry point to each driver
 * callback, to each call that writes a page-table entry, and to the
 * deepest of @marks (NULL-ended, or NULL) the trace saw; each function
 * at the end of a chain goes into t->seen for the verdict.
 */
void tour_trace_begin(struct tour *t, enum calls_mode mode);
void tour_trace_start(struct tour *t);
void tour_trace_stop(struct tour *t, const char *key, const char *label,
		     const char *const *marks);
/* The report of tour_trace_stop(), for a stage stopped by stage_trace_stop(). */
void tour_trace_report(struct tour *t, const char *key, const char *label,
		       const char *const *marks);
void tour_trace_end(struct tour *t);
/* A new experiment: forget what the last one saw. */
void tour_trace_reset(struct tour *t);
/*
 * Read the first of @pages pages traced (@label), then the rest untraced;
 * returns the minor faults of the reads alone.
 */
long tour_touch_traced(struct tour *t, const volatile char *p,
		       unsigned int pages, const char *key, const char *label,
		       const char *const *marks);
/*
 * What ends an experiment that cannot run here instead of a verdict: why
 * (@why, the device or feature it lacks) and how to get it (@fix).
 */
void tour_skip(struct tour *t, const char *why, const char *fix);
/*
 * The table of how each backing (an ext4 file shared and private, a tmpfs
 * file, shared anonymous memory) is like and unlike the device, its
 * msync(MS_SYNC) column measured here.
 */
void tour_disk_table(struct tour *t);
/* A mapping's outcome as text: "ok" or the errno's name and message. */
const char *tour_err_text(int err, char *buf, size_t size);
/* mmap() of @fd at offset 0; 0 or the negative errno. */
int tour_map_fd(int fd, size_t len, int prot, int flags, void **addr);
/* A fresh open file of the device with its own @strategy; 0 or -errno. */
int tour_dev_open(struct tour *t, unsigned int strategy,
		  struct mmapdemo **md);
/* A section for the device opened with @strategy: "device_fault". */
void tour_device_section(unsigned int strategy);
/* Fill the first @len bytes of @fd with @c; 0 or -errno. */
int tour_fill(int fd, char c, size_t len);
/* Does @fd hold @s at offset 0, as pread(2) sees it? */
bool tour_holds(int fd, const char *s);
/* The module's fault_around parameter (0 if it cannot be read). */
unsigned int tour_fault_around(void);
/* The kernel's fault-around window (debugfs; 0 if it cannot be read). */
unsigned long tour_fault_around_bytes(void);
/* Read one byte of each of @pages pages from @p. */
void tour_touch_pages(const volatile char *p, unsigned int pages,
		      uint32_t ps);

#endif /* MMAPDEMO_TOUR_H */
