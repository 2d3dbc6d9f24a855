// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo bench: what each mapping strategy costs, against the kernel's
 * own anonymous and memfd mappings measured in the same run.  The engine
 * is bench.c; this file takes the options and prints the figures as a
 * table, CSV, JSON and gnuplot input.  See Documentation/performance.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"

static void report_results(const struct bench *b,
			   const struct bench_target t[NR_TARGETS])
{
	report_section("bench", "benchmark");
	report_str("kernel", "kernel", b->kernel);
	report_str("machine", "machine", b->machine);
	report_u64("page_size", "page size", b->page_size);
	report_u64("device_size", "device size", b->device_size);
	report_u64("reps", "repetitions", b->cfg.reps);
	report_u64("reps_big", "repetitions from 64 MiB", b->cfg.reps_big);
	report_u64("warmup", "warm-up runs (dropped)", 1);
	report_double("elapsed_s", "elapsed", b->elapsed_s, "s");
	report_close();

	if (report_json()) {
		report_list("results", NULL);
		for (unsigned int si = 0; si < b->cfg.nr_sizes; si++) {
			for (int s = 0; s < NR_SUBJECTS; s++) {
				for (int m = 0; m < NR_METRICS; m++) {
					const struct bench_stat *st = &b->stat[si][s][m];

					if (!st->valid)
						continue;
					report_item(NULL);
					report_u64("size", NULL, b->cfg.sizes[si]);
					report_str("subject", NULL, bench_subject_names[s]);
					report_str("metric", NULL, bench_metrics[m].name);
					report_str("unit", NULL,
						   bench_metrics[m].unit == UNIT_NS ? "ns" :
						   bench_metrics[m].unit == UNIT_MBPS ?
						   "MiB/s" : "count");
					report_u64("reps", NULL, st->n);
					report_double("median", NULL, st->median, NULL);
					report_double("min", NULL, st->min, NULL);
					report_double("max", NULL, st->max, NULL);
					report_double("median_per_page", NULL,
						      bench_per_page(b, si, m, st->median),
						      NULL);
					if (st->ratio_to >= 0) {
						report_double("ratio", NULL, st->ratio, NULL);
						report_str("ratio_to", NULL,
							   bench_subject_names[st->ratio_to]);
					}
					report_close();
				}
			}
		}
		report_close();
		if (b->dma.valid) {
			report_list("dma", NULL);
			for (int m = 0; m < NR_DMA_METRICS; m++) {
				const struct bench_stat *st = &b->dma.stat[m];

				if (!st->valid)
					continue;
				report_item(NULL);
				report_u64("size", NULL, b->dma.len);
				report_str("metric", NULL, bench_dma_metric_names[m]);
				report_str("unit", NULL, "ns");
				report_u64("reps", NULL, st->n);
				report_double("median", NULL, st->median, NULL);
				report_double("min", NULL, st->min, NULL);
				report_double("max", NULL, st->max, NULL);
				if (st->ratio > 0) {
					report_double("ratio", NULL, st->ratio, NULL);
					report_str("ratio_to", NULL,
						   bench_dma_metric_names[st->ratio_metric]);
				}
				report_close();
			}
			report_close();
		}
	} else {
		fflush(stdout);
		putchar('\n');
		bench_write_table(b, stdout);
	}

	report_list("targets", "targets");
	for (int i = 0; i < NR_TARGETS; i++) {
		char verdict[200];

		report_item(report_json() ? NULL : t[i].text);
		report_str("target", "target", t[i].key);
		if (report_json())
			report_str("text", NULL, t[i].text);
		report_bool("evaluated", "evaluated", t[i].evaluated);
		report_bool("met", "met", t[i].met);
		report_double("value", "worst measured", t[i].value, NULL);
		report_double("limit", "limit", t[i].limit, NULL);
		snprintf(verdict, sizeof(verdict), "%s", t[i].detail);
		report_str("where", "where", verdict);
		report_close();
	}
	report_close();
}

/* Open @dir/@name for writing, or NULL after saying why. */
static FILE *out_file(const char *dir, const char *name, char *path,
		      size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "mmapdemo bench: %s: %s\n", path,
			strerror(errno));
	return f;
}

static const char plot_script[] =
	"# gnuplot script written by mmapdemo bench: gnuplot ns_per_page.gp\n"
	"set terminal pngcairo size 1200,520 noenhanced\n"
	"set output 'ns_per_page.png'\n"
	"set multiplot layout 1,2 title '%s'\n"
	"set logscale xy\n"
	"set xtics ('64K' 65536, '256K' 262144, '1M' 1048576, '4M' 4194304, "
	"'16M' 16777216, '64M' 67108864, '256M' 268435456, '1G' 1073741824)\n"
	"set xlabel 'buffer size'\n"
	"set ylabel 'ns per page (median)'\n"
	"set key top right\n"
	"set grid\n"
	"set title 'mmap + first read of each page + munmap'\n"
	"plot for [i=2:%d] 'ns_per_page_read.dat' using 1:i with linespoints title columnhead(i)\n"
	"set title 'mmap + first write of each page + munmap'\n"
	"plot for [i=2:%d] 'ns_per_page_write.dat' using 1:i with linespoints title columnhead(i)\n"
	"unset multiplot\n";

/* Plot data with a header line gnuplot's columnhead() reads. */
static int write_plot(const struct bench *b, const char *dir)
{
	static const struct {
		const char *name;
		int metric;
	} files[] = {
		{ "ns_per_page_read.dat", M_CYCLE_READ },
		{ "ns_per_page_write.dat", M_CYCLE_WRITE },
	};
	char path[4096], title[320];
	FILE *f;

	for (unsigned int i = 0; i < 2; i++) {
		f = out_file(dir, files[i].name, path, sizeof(path));
		if (!f)
			return -1;
		fprintf(f, "size");
		for (int s = 0; s < NR_MAP_SUBJECTS; s++)
			fprintf(f, " %s", bench_subject_names[s]);
		fputc('\n', f);
		bench_write_plot_data(b, f, files[i].metric);
		if (fclose(f))
			return -1;
	}
	f = out_file(dir, "ns_per_page.gp", path, sizeof(path));
	if (!f)
		return -1;
	snprintf(title, sizeof(title), "mmapdemo bench: %s, %s", b->kernel,
		 b->machine);
	for (char *c = title; *c; c++)
		if (*c == '\'')
			*c = '"';
	fprintf(f, plot_script, title, NR_MAP_SUBJECTS + 1, NR_MAP_SUBJECTS + 1);
	return fclose(f) ? -1 : 0;
}

/*
 * Everything into @dir: results.csv, results.json, table.txt and the
 * gnuplot input.  The JSON is the report itself, sent to the file.
 */
static int write_out(const struct cli *cli, const struct bench *b,
		     const struct bench_target t[NR_TARGETS], const char *dir)
{
	struct cli json = *cli;
	char path[4096];
	int saved, fd, ret;
	FILE *f;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "mmapdemo bench: %s: %s\n", dir, strerror(errno));
		return EXIT_FAILED;
	}
	f = out_file(dir, "results.csv", path, sizeof(path));
	if (!f)
		return EXIT_FAILED;
	bench_write_csv(b, f);
	if (fclose(f))
		return EXIT_FAILED;
	f = out_file(dir, "table.txt", path, sizeof(path));
	if (!f)
		return EXIT_FAILED;
	bench_write_table(b, f);
	if (fclose(f))
		return EXIT_FAILED;
	if (write_plot(b, dir))
		return EXIT_FAILED;

	snprintf(path, sizeof(path), "%s/results.json", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "mmapdemo bench: %s: %s\n", path, strerror(errno));
		return EXIT_FAILED;
	}
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	close(fd);
	json.json = true;
	report_begin(&json);
	report_results(b, t);
	ret = report_end();
	dup2(saved, STDOUT_FILENO);
	close(saved);
	return ret;
}

static int bench_main(struct cli *cli, struct bench *b, const char *csv,
		      const char *out, const char *bar, const char *dma)
{
	static const unsigned int bar_strategy[] = {
		[DEV_BAR_FAULT] = MMAPDEMO_STRATEGY_FAULT,
		[DEV_BAR_REMAP] = MMAPDEMO_STRATEGY_REMAP,
		[DEV_BAR_HUGE] = MMAPDEMO_STRATEGY_HUGE,
	};
	struct mmapdemo *md[NR_DEVS] = { NULL };
	struct mmapdemo *dmd = NULL;
	struct bench_target t[NR_TARGETS];
	struct mmapdemo_info info;
	const char *what = "";
	char hint[64];
	int ret;

	for (unsigned int s = 0; s < 3; s++) {
		ret = cli_open(cli, O_RDWR, (int)s, s ? NULL : &info, &md[s]);
		if (ret)
			goto out_close;
	}
	for (unsigned int d = DEV_BAR_FAULT; bar && d < NR_DEVS; d++) {
		struct mmapdemo_info bar_info = { 0 };

		ret = mmapdemo_open(bar, O_RDWR, &md[d]);
		if (!ret)
			ret = mmapdemo_get_info(md[d], &bar_info);
		if (!ret)
			ret = mmapdemo_set_strategy(md[d], bar_strategy[d]);
		if (ret == -EINVAL && d == DEV_BAR_REMAP &&
		    !(bar_info.features & MMAPDEMO_FEATURE_REMAP)) {
			/* remap maps a BAR from 6.16 on: no such rows before. */
			mmapdemo_close(md[d]);
			md[d] = NULL;
			ret = 0;
			continue;
		}
		if (ret) {
			ret = cli_error(cli, bar, ret);
			goto out_close;
		}
		b->bar_size = bar_info.size;
	}
	if (dma) {
		ret = mmapdemo_open(dma, O_RDWR, &dmd);
		if (ret) {
			ret = cli_error(cli, dma, ret);
			goto out_close;
		}
	}
	b->page_size = info.page_size;
	b->device_size = info.size;
	/* By default, 64 KiB up to the device's size or 256 MiB. */
	if (!b->cfg.nr_sizes &&
	    bench_sizes_upto(&b->cfg, info.size < BENCH_DEFAULT_MAX ?
				      info.size : BENCH_DEFAULT_MAX)) {
		fprintf(stderr, "mmapdemo bench: the device is smaller than 64 KiB\n");
		ret = EXIT_FAILED;
		goto out_close;
	}

	ret = bench_run(b, md, &what);
	if (ret == -ENOSPC) {
		uint64_t max = 0;

		for (unsigned int i = 0; i < b->cfg.nr_sizes; i++)
			max = b->cfg.sizes[i] > max ? b->cfg.sizes[i] : max;
		snprintf(hint, sizeof(hint), "size=%lluM",
			 (unsigned long long)(max + (1 << 20) - 1) >> 20);
		fprintf(stderr,
			"mmapdemo bench: the device has %llu KiB, the largest size is %llu KiB\n"
			"hint: reload the module with %s (and enough RAM: at most half of it)\n",
			(unsigned long long)info.size >> 10,
			(unsigned long long)max >> 10, hint);
		ret = EXIT_FAILED;
		goto out_close;
	}
	if (!ret && dmd) {
		if (b->cfg.progress)
			fprintf(stderr, "bench: DMA, %u reps + warm-up\n",
				BENCH_DMA_REPS(b));
		ret = bench_run_dma(b, dmd, &what);
	}
	if (ret) {
		ret = cli_error(cli, what, ret);
		goto out_close;
	}
	bench_targets(b, t);

	if (csv) {
		FILE *f = strcmp(csv, "-") ? fopen(csv, "w") : stdout;

		if (!f) {
			ret = cli_error(cli, csv, -errno);
			goto out_close;
		}
		bench_write_csv(b, f);
		if (f != stdout && fclose(f)) {
			ret = cli_error(cli, csv, -errno);
			goto out_close;
		}
	}
	if (out) {
		ret = write_out(cli, b, t, out);
		if (ret)
			goto out_close;
	}
	report_begin(cli);
	report_results(b, t);
	ret = report_end();

out_close:
	if (dmd)
		mmapdemo_close(dmd);
	for (unsigned int s = 0; s < NR_DEVS; s++)
		if (md[s])
			mmapdemo_close(md[s]);
	return ret;
}

static int parse_reps(const char *s, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || !v || v > BENCH_MAX_REPS)
		return -EINVAL;
	*out = (unsigned int)v;
	return 0;
}

static int bench_cmd(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "reps", required_argument, NULL, 'r' },
		{ "reps-big", required_argument, NULL, 'R' },
		{ "quick", no_argument, NULL, 'q' },
		{ "csv", required_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "bar", required_argument, NULL, 'b' },
		{ "dma", required_argument, NULL, 'D' },
		CLI_COMMON_OPTIONS
	};
	struct bench *b;
	const char *csv = NULL, *out = NULL, *sizes = NULL, *bar = NULL;
	const char *dma = NULL;
	unsigned int reps = 0, reps_big = 0;
	bool quick = false, quiet = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 's':
			sizes = optarg;
			break;
		case 'r':
			if (parse_reps(optarg, &reps))
				return cli_usage(&cmd_bench, "--reps %s: want 1 to %d",
						 optarg, BENCH_MAX_REPS);
			break;
		case 'R':
			if (parse_reps(optarg, &reps_big))
				return cli_usage(&cmd_bench, "--reps-big %s: want 1 to %d",
						 optarg, BENCH_MAX_REPS);
			break;
		case 'q':
			quick = true;
			break;
		case 'c':
			csv = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'Q':
			quiet = true;
			break;
		case 'b':
			bar = optarg;
			break;
		case 'D':
			if (!mmapdemo_dma_is_device(optarg))
				return cli_usage(&cmd_bench,
						 "--dma %s: want a DMA device, /dev/mmapdemo-dma-<PCI address> (mmapdemo list)",
						 optarg);
			dma = optarg;
			break;
		default:
			ret = cli_common_option(&cmd_bench, c);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind != argc)
		return cli_usage(&cmd_bench, "unexpected argument '%s'",
				 argv[optind]);

	b = calloc(1, sizeof(*b));
	if (!b)
		return cli_error(cli, "memory", -ENOMEM);
	if (quick) {
		sizes = "64K,256K,1M";
		reps = reps ?: 3;
	}
	if (sizes && bench_parse_sizes(sizes, &b->cfg)) {
		free(b);
		return cli_usage(&cmd_bench,
				 "--sizes %s: want a maximum (256M) or a list (64K,1M,16M) of page multiples",
				 sizes);
	}
	/* 5 repetitions, 3 from 64 MiB where one takes seconds under TCG. */
	b->cfg.reps = reps ?: 5;
	b->cfg.reps_big = reps_big ?: (b->cfg.reps < 3 ? b->cfg.reps : 3);
	b->cfg.progress = !quiet;

	ret = bench_main(cli, b, csv, out, bar, dma);
	bench_free(b);
	free(b);
	return ret;
}

const struct command cmd_bench = {
	.name = "bench",
	.summary = "what each strategy costs, against anon and memfd mappings",
	.usage = "bench [--sizes MAX|LIST] [--reps N] [--reps-big N] [--quick]\n"
		 "    [--csv FILE] [--out DIR] [--quiet] [--json] [--bar DEVICE]\n"
		 "    [--dma DEVICE]",
	.run = bench_cmd,
};
