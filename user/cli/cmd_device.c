// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo info and mmapdemo stats: what the device is and what it has
 * counted since the module loaded.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>

#include "cli.h"

static const struct option no_options[] = { CLI_COMMON_OPTIONS };

/* Only --json and --help: returns -1 to go on, or the exit code. */
static int no_args(const struct command *cmd, int argc, char **argv)
{
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", no_options, NULL)) != -1) {
		ret = cli_common_option(cmd, c);
		if (ret >= 0)
			return ret;
	}
	if (optind != argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return -1;
}

static void report_features(uint32_t features)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{ MMAPDEMO_FEATURE_FAULT, "fault" },
		{ MMAPDEMO_FEATURE_REMAP, "remap" },
		{ MMAPDEMO_FEATURE_INSERT, "insert" },
		{ MMAPDEMO_FEATURE_TRACEPOINTS, "tracepoints" },
		{ MMAPDEMO_FEATURE_WALK, "walk" },
		{ MMAPDEMO_FEATURE_HUGE, "huge" },
		{ MMAPDEMO_FEATURE_HUGE_PMD, "huge-pmd" },
		{ MMAPDEMO_FEATURE_HUGE_PUD, "huge-pud" },
		{ MMAPDEMO_FEATURE_DEFIO, "defio" },
		{ MMAPDEMO_FEATURE_DEFIO_WRPROTECT, "defio-wrprotect" },
	};
	char buf[128] = "";
	size_t len = 0;
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((features & names[i].bit) && len < sizeof(buf))
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s",
					len ? " " : "", names[i].name);
	report_str("features", "features", buf);
}

static int info_run(struct cli *cli, int argc, char **argv)
{
	struct mmapdemo_module_state st;
	struct mmapdemo_info info;
	struct mmapdemo *md;
	int ret;

	ret = no_args(&cmd_info, argc, argv);
	if (ret >= 0)
		return ret;
	ret = mmapdemo_module_query(&st);
	if (ret)
		return cli_error(cli, "querying the module", ret);
	if (!st.loaded)
		return cli_error(cli, "module mmapdemo is not loaded", -ENOENT);
	ret = cli_open(cli, O_RDONLY, CLI_DEFAULT_STRATEGY, &info, &md);
	if (ret)
		return ret;
	mmapdemo_close(md);

	report_begin(cli);
	report_section("module", "module");
	report_u64("refcount", "users (refcount)", (uint64_t)st.refcount);
	report_u64("size", "size parameter", st.size);
	report_str("strategy", "strategy parameter", st.strategy);
	if (st.version[0])
		report_str("srcversion", "srcversion", st.version);
	report_close();
	report_section("device", "device");
	report_str("path", "node", cli->device ?: MMAPDEMO_DEVICE);
	report_u64("abi_version", "ABI version", info.abi_version);
	report_u64("size", "size (bytes)", info.size);
	report_u64("pages", "pages", info.size / info.page_size);
	report_u64("page_size", "page size", info.page_size);
	report_str("default_strategy", "default strategy",
		   mmapdemo_strategy_name(info.default_strategy) ?: "?");
	report_features(info.features);
	report_close();
	report_section("library", "library");
	report_str("version", "libmmapdemo", mmapdemo_version());
	report_u64("abi_version", "built for ABI", MMAPDEMO_ABI_VERSION);
	report_close();
	return report_end();
}

const struct command cmd_info = {
	.name = "info",
	.summary = "the module, the device and the library",
	.usage = "info [--json]",
	.run = info_run,
};

static int stats_run(struct cli *cli, int argc, char **argv)
{
	struct mmapdemo_stats s;
	struct mmapdemo *md;
	int ret;

	ret = no_args(&cmd_stats, argc, argv);
	if (ret >= 0)
		return ret;
	ret = cli_open(cli, O_RDONLY, CLI_DEFAULT_STRATEGY, NULL, &md);
	if (ret)
		return ret;
	ret = mmapdemo_get_stats(md, &s);
	mmapdemo_close(md);
	if (ret)
		return cli_error(cli, "MMAPDEMO_IOC_STATS", ret);
	report_begin(cli);
	report_section("stats", "device counters since the module loaded");
	report_u64("mmaps", "mmap() calls", s.mmaps);
	report_u64("faults", "pages mapped by ->fault", s.faults);
	report_u64("fault_sigbus", "faults refused (SIGBUS)", s.fault_sigbus);
	report_u64("mkwrites", "->page_mkwrite calls", s.mkwrites);
	report_u64("eager_pages", "pages mapped at mmap()", s.eager_pages);
	report_u64("vma_opens", "->open (split, fork)", s.vma_opens);
	report_u64("vma_closes", "->close", s.vma_closes);
	report_u64("live_vmas", "VMAs alive now", s.live_vmas);
	report_u64("around_pages", "pages mapped around faults", s.around_pages);
	report_u64("pmd_faults", "PMD entries mapped by ->huge_fault",
		   s.pmd_faults);
	report_u64("pud_faults", "PUD entries mapped by ->huge_fault",
		   s.pud_faults);
	report_u64("huge_fallbacks", "huge faults fallen back",
		   s.huge_fallbacks);
	report_u64("defio_dirtied", "defio: pages dirtied", s.defio_dirtied);
	report_u64("defio_flushed", "defio: pages flushed", s.defio_flushed);
	report_u64("defio_reprotected", "defio: pages re-protected",
		   s.defio_reprotected);
	report_close();
	return report_end();
}

const struct command cmd_stats = {
	.name = "stats",
	.summary = "the device's counters",
	.usage = "stats [--json]",
	.run = stats_run,
};
