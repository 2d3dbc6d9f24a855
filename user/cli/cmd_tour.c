// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo tour: a table of experiments, each opening with one sentence on
 * what it shows and ending in a verdict that says what happened, whether
 * that is what the experiment expects, and which kernel function is
 * responsible.  The experiments themselves are in tour_classic.c (the
 * classic tutorial's, file and device side by side), tour_lifecycle.c
 * (a device mapping's life) and tour_device.c (PCI BAR devices: huge
 * entries, device memory against RAM); this file runs them and holds
 * their helpers.  An experiment whose device is missing ends in a skip
 * line with the reason and the fix instead of a verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "tour.h"

#define FAULT_AROUND_PARAM "/sys/module/mmapdemo/parameters/fault_around"

/* The tour, in the order it runs; the letters in the headings follow it. */
static const struct tour_experiment *const experiments[] = {
	&tour_shared_write, &tour_prot_read, &tour_private_write,
	&tour_two_processes, &tour_lazy_vs_eager, &tour_populate,
	&tour_map_sync, &tour_map_hugetlb, &tour_fork, &tour_munmap_partial,
	&tour_mremap, &tour_dontneed, &tour_rmmod, &tour_huge,
	&tour_device_not_ram,
	&tour_disk_fault, &tour_disk_dirty, &tour_disk_msync, &tour_disk_private,
	/* It takes a BAR device away for a moment. */
	&tour_revoke,
	/* Added last: the letters of the others (tour.rst) stay. */
	&tour_dma,
};

#define NR_EXPERIMENTS (sizeof(experiments) / sizeof(experiments[0]))

void tour_verdict(struct tour *t, bool ok, const char *fmt, ...)
{
	char msg[512], kernel[sizeof(t->seen) + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->run++;
	if (ok)
		t->expected++;
	/* What the traces saw, or in one line why there are none. */
	if (!t->traced || !t->st.graph)
		snprintf(kernel, sizeof(kernel), "calls not traced: %s",
			 t->st.why);
	else if (!t->seen[0] && t->st.empty[0])
		snprintf(kernel, sizeof(kernel),
			 "no stage traced; at the first empty stage, %s",
			 t->st.empty);
	else if (!t->seen[0])
		snprintf(kernel, sizeof(kernel), "no stage traced");
	else
		snprintf(kernel, sizeof(kernel), "traced: %s", t->seen);
	if (report_json()) {
		report_bool("as_expected", NULL, ok);
		report_str("verdict", NULL, msg);
		report_str("kernel", NULL, kernel);
	} else {
		report_text("verdict: %s: %s [kernel: %s]",
			    ok ? "as expected" : "NOT as expected", msg, kernel);
	}
}

void tour_skip(struct tour *t, const char *why, const char *fix)
{
	t->skipped++;
	if (report_json()) {
		report_bool("skipped", NULL, true);
		report_str("why", NULL, why);
		report_str("fix", NULL, fix);
	} else {
		report_text("skipped: %s; %s", why, fix);
	}
}

const char *tour_err_text(int err, char *buf, size_t size)
{
	if (!err)
		return "ok";
	snprintf(buf, size, "%s (errno %d, %s)", strerrorname_np(-err) ?: "?",
		 -err, strerror(-err));
	return buf;
}

int tour_map_fd(int fd, size_t len, int prot, int flags, void **addr)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

int tour_dev_open(struct tour *t, unsigned int strategy,
		  struct mmapdemo **md)
{
	int ret;

	ret = mmapdemo_open(t->cli->device, O_RDWR, md);
	if (ret)
		return ret;
	ret = mmapdemo_set_strategy(*md, strategy);
	if (ret) {
		mmapdemo_close(*md);
		*md = NULL;
	}
	return ret;
}

void tour_device_section(unsigned int strategy)
{
	const char *name = mmapdemo_strategy_name(strategy) ?: "?";
	char key[32], title[64];

	snprintf(key, sizeof(key), "device_%s", name);
	snprintf(title, sizeof(title), "device, strategy %s", name);
	report_section(key, title);
	if (report_json())
		report_str("strategy", NULL, name);
}

int tour_fill(int fd, char c, size_t len)
{
	char *buf = malloc(len);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	memset(buf, c, len);
	n = pwrite(fd, buf, len, 0);
	free(buf);
	return n == (ssize_t)len ? 0 : -EIO;
}

bool tour_holds(int fd, const char *s)
{
	char buf[128];
	size_t len = strlen(s);

	if (len > sizeof(buf) || pread(fd, buf, len, 0) != (ssize_t)len)
		return false;
	return !memcmp(buf, s, len);
}

/* The number in the file at @path, or 0 when it cannot be read. */
static unsigned long read_number(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoul(buf, NULL, 10);
}

unsigned int tour_fault_around(void)
{
	return (unsigned int)read_number(FAULT_AROUND_PARAM);
}

unsigned long tour_fault_around_bytes(void)
{
	return read_number("/sys/kernel/debug/fault_around_bytes");
}

void tour_touch_pages(const volatile char *p, unsigned int pages, uint32_t ps)
{
	for (unsigned int i = 0; i < pages; i++)
		(void)p[(size_t)i * ps];
}

/* The file system @fd is on, by statfs(2)'s magic number. */
static const char *fs_name(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf))
		return "unknown";
	switch ((unsigned long)sf.f_type) {
	case TMPFS_MAGIC:
		return "tmpfs";
	case RAMFS_MAGIC:
		return "ramfs";
	case EXT4_SUPER_MAGIC:
		return "ext4";
	case XFS_SUPER_MAGIC:
		return "xfs";
	case BTRFS_SUPER_MAGIC:
		return "btrfs";
	}
	return "another file system";
}

/* A temporary file of t->pages pages, all in the page cache. */
static int tour_file_create(struct tour *t)
{
	int fd, ret;

	snprintf(t->file_path, sizeof(t->file_path),
		 "/tmp/mmapdemo-tour-XXXXXX");
	fd = mkstemp(t->file_path);
	if (fd < 0)
		return -errno;
	cli_temp_file(0, t->file_path);
	ret = tour_fill(fd, 'f', (size_t)t->pages * t->ps);
	if (ret) {
		close(fd);
		cli_temp_file(0, NULL);
		unlink(t->file_path);
		return ret;
	}
	t->file_fd = fd;
	t->file_fs = fs_name(fd);
	return 0;
}

/* The heading, the one sentence, the experiment and its verdict. */
static void experiment_run(struct tour *t, unsigned int i)
{
	const struct tour_experiment *e = experiments[i];
	char title[160];

	snprintf(title, sizeof(title), "%c. %s: %s", 'a' + i, e->name,
		 e->title);
	report_section(e->name, title);
	tour_trace_reset(t);
	if (report_json())
		report_str("shows", NULL, e->shows);
	else
		report_text("What it shows: %s", e->shows);
	e->run(t);
	report_close();
}

/* "shared_write, prot_read, ...": the names for the usage and errors. */
static void names(char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < NR_EXPERIMENTS && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
				experiments[i]->name);
}

/*
 * Is @name in @only, a comma-separated list of names?  One tour with
 * several experiments pays the tracer's setup once.
 */
static bool only_has(const char *only, const char *name)
{
	for (const char *p = only;; p++) {
		size_t len = strcspn(p, ",");

		if (len == strlen(name) && !strncmp(p, name, len))
			return true;
		p += len;
		if (!*p)
			return false;
	}
}

/* The first name of @only that is no experiment (into @buf), or NULL. */
static const char *only_unknown(const char *only, char *buf, size_t size)
{
	for (const char *p = only;; p++) {
		size_t len = strcspn(p, ",");
		unsigned int i;

		for (i = 0; i < NR_EXPERIMENTS; i++)
			if (strlen(experiments[i]->name) == len &&
			    !strncmp(p, experiments[i]->name, len))
				break;
		if (i == NR_EXPERIMENTS) {
			snprintf(buf, size, "%.*s", (int)len, p);
			return buf;
		}
		p += len;
		if (!*p)
			return NULL;
	}
}

static int tour_run(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "only", required_argument, NULL, 'o' },
		{ "disk", required_argument, NULL, 'D' },
		{ "calls", required_argument, NULL, 'C' },
		CLI_COMMON_OPTIONS
	};
	struct tour t = { .cli = cli, .file_fd = -1, .disk_dir = "/var/tmp" };
	enum calls_mode calls = CALLS_SPINE;
	const char *only = NULL;
	char all[512], bad[64];
	unsigned int i;
	char fe[32];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			only = optarg;
			break;
		case 'D':
			t.disk_dir = optarg;
			break;
		case 'C':
			ret = calls_option(&cmd_tour, optarg, &calls);
			if (ret >= 0)
				return ret;
			if (calls == CALLS_ALL)
				return cli_usage(&cmd_tour,
						 "--calls all: the tour prints the spine (mmapdemo path --calls all prints the whole tree)");
			break;
		default:
			ret = cli_common_option(&cmd_tour, c);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind != argc)
		return cli_usage(&cmd_tour, "unexpected argument '%s'",
				 argv[optind]);
	if (only && only_unknown(only, bad, sizeof(bad))) {
		names(all, sizeof(all));
		return cli_usage(&cmd_tour,
				 "--only %s: no such experiment (%s)", bad,
				 all);
	}

	ret = cli_open(cli, O_RDWR, CLI_DEFAULT_STRATEGY, &t.info, &t.md);
	if (ret)
		return ret;
	t.ps = t.info.page_size;
	t.pages = TOUR_PAGES;
	if (t.info.size / t.ps < t.pages)
		t.pages = (unsigned int)(t.info.size / t.ps);
	ret = tour_file_create(&t);
	if (ret) {
		mmapdemo_close(t.md);
		return cli_error(cli, "creating a file in /tmp", ret);
	}

	report_begin(cli);
	report_text("The classic mmap experiments, each on a regular file (%s) and on %s,",
		    t.file_path, cli->device ?: MMAPDEMO_DEVICE);
	report_text("then the life of a device mapping: fork, munmap, mremap, madvise, rmmod,");
	report_text("then device memory: huge entries on a PCI BAR, and a BAR against RAM,");
	report_text("then a file on a disk (ext4 in %s): page cache, dirty pages, msync,",
		    t.disk_dir);
	report_text("then a BAR device revoked under a mapping (unbound, then bound again),");
	report_text("and last a device that writes by DMA into memory you have mapped.");
	report_text("The file is on %s%s.", t.file_fs,
		    !strcmp(t.file_fs, "tmpfs") ?
			    ": shmem, whose pages live in RAM with no disk behind them" :
			    "");
	report_text("The device's default strategy is %s; experiments that compare strategies",
		    mmapdemo_strategy_name(t.info.default_strategy) ?: "?");
	report_text("open the device once per strategy.  Device data at offset 0 is overwritten.");
	cli_front_end(cli->device, fe, sizeof(fe));
	t.mmap_fn = cli_mmap_handler(cli->device);
	report_text("The module maps through its f_op->%s (the front end for this kernel).",
		    fe);
	tour_trace_begin(&t, calls);
	if (t.traced) {
		report_text("The stages the experiments explain are traced (function_graph, this");
		report_text("task only): each shows the chain of calls this kernel made from the");
		report_text("system call or fault to each driver callback and to each call that");
		report_text("writes or zaps an entry, and its verdict names them.");
	} else {
		report_text("Calls are not traced: %s.", t.st.why);
	}
	report_str("file", NULL, t.file_path);
	report_str("file_system", "file system", t.file_fs);
	report_str("front_end", NULL, fe);
	report_str("default_strategy", NULL,
		   mmapdemo_strategy_name(t.info.default_strategy));
	for (i = 0; i < NR_EXPERIMENTS; i++) {
		if (only && !only_has(only, experiments[i]->name))
			continue;
		experiment_run(&t, i);
	}
	if (!only)
		tour_disk_table(&t);
	report_section("summary", "summary");
	report_u64("experiments", "experiments", t.run);
	report_u64("as_expected", "as expected", t.expected);
	report_u64("skipped", "skipped", t.skipped);
	if (t.skipped)
		report_text("%u experiment%s, %u as expected, %u skipped (see their reasons)",
			    t.run, t.run == 1 ? "" : "s", t.expected, t.skipped);
	else
		report_text("%u experiment%s, %u as expected", t.run,
			    t.run == 1 ? "" : "s", t.expected);
	report_close();
	tour_trace_end(&t);

	close(t.file_fd);
	cli_temp_file(0, NULL);
	unlink(t.file_path);
	if (t.md)
		mmapdemo_close(t.md);
	ret = report_end();
	if (ret)
		return ret;
	return t.expected == t.run ? EXIT_OK : EXIT_FAILED;
}

const struct command cmd_tour = {
	.name = "tour",
	.summary = "the classic mmap experiments, a mapping's life, device memory and a disk file, each with a verdict",
	.usage = "tour [--only NAME[,NAME...]] [--disk DIR] [--calls spine|none] [--json]\n"
		 "  runs each experiment (on a temporary file in /tmp and on the device,\n"
		 "  or on the device alone, or on a file on the ext4 disk in DIR, default\n"
		 "  /var/tmp), each ending in a verdict; NAME is one of\n"
		 "  shared_write, prot_read, private_write, two_processes, lazy_vs_eager,\n"
		 "  populate, map_sync, map_hugetlb, fork, munmap_partial, mremap,\n"
		 "  dontneed, rmmod, huge (needs a BAR device of 64 MiB or more, such\n"
		 "  as QEMU's ivshmem-plain), device_not_ram (needs QEMU's edu device),\n"
		 "  disk_fault, disk_dirty, disk_msync, disk_private (need DIR to be\n"
		 "  ext4 on a block device), revoke (needs an ivshmem device), dma\n"
		 "  (needs QEMU's edu device).  An experiment that lacks what it needs is\n"
		 "  skipped, with the reason and the fix.  The stages an experiment\n"
		 "  explains are traced with the function_graph tracer (root): each\n"
		 "  prints the chain of calls this kernel made to the driver's\n"
		 "  callbacks and to the calls that write or zap an entry, and the\n"
		 "  verdict names them; --calls none turns that off.  Exit status 0\n"
		 "  if every verdict that ran is as expected, else 1",
	.run = tour_run,
};
