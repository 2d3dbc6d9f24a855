// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo load and mmapdemo unload, through libkmod as modprobe does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int load_run(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "size", required_argument, NULL, 's' },
		{ "strategy", required_argument, NULL, 'S' },
		CLI_COMMON_OPTIONS
	};
	const char *strategy = NULL, *path = NULL;
	char params[96] = "", what[300];
	uint64_t size = 0;
	int c, ret, id;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_size(optarg, &size) || !size)
				return cli_usage(&cmd_load,
						 "--size %s: want bytes, e.g. 4M",
						 optarg);
			break;
		case 'S':
			ret = cli_strategy_option(&cmd_load, optarg, &id);
			if (ret >= 0)
				return ret;
			strategy = optarg;
			break;
		default:
			ret = cli_common_option(&cmd_load, c);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc)
		return cli_usage(&cmd_load, "unexpected argument '%s'",
				 argv[optind]);
	if (size)
		snprintf(params, sizeof(params), "size=%llu",
			 (unsigned long long)size);
	if (strategy)
		snprintf(params + strlen(params), sizeof(params) - strlen(params),
			 "%sstrategy=%s", *params ? " " : "", strategy);

	ret = mmapdemo_module_load(path, params);
	if (ret) {
		snprintf(what, sizeof(what), "loading %s%s%s",
			 path ?: "mmapdemo", *params ? " " : "", params);
		if (ret == -ENOENT && !path) {
			fprintf(stderr,
				"mmapdemo: %s: not in the kernel's module directory\n"
				"hint: give the path: 'mmapdemo load kmod/mmapdemo.ko'%s\n",
				what,
				getenv("LAB_MODULE") ? " (in the lab: $LAB_MODULE)" : "");
			return EXIT_NODEV;
		}
		if (ret == -EINVAL)
			fprintf(stderr,
				"mmapdemo: the module refused a parameter; 'dmesg | tail' says which\n");
		return cli_error(cli, what, ret);
	}
	report_begin(cli);
	report_section("load", "loaded");
	report_str("module", "module", path ?: MMAPDEMO_MODULE);
	report_str("params", "parameters", params);
	report_close();
	return report_end();
}

const struct command cmd_load = {
	.name = "load",
	.summary = "load the module (through libkmod)",
	.usage = "load [--size N[K|M|G]] [--strategy fault|remap|insert|defio] [PATH.ko]",
	.run = load_run,
};

static int unload_run(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = { CLI_COMMON_OPTIONS };
	int c, ret;

	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		ret = cli_common_option(&cmd_unload, c);
		if (ret >= 0)
			return ret;
	}
	if (optind != argc)
		return cli_usage(&cmd_unload, "unexpected argument '%s'",
				 argv[optind]);
	ret = mmapdemo_module_unload();
	if (ret)
		return cli_error(cli, "unloading mmapdemo", ret);
	report_begin(cli);
	report_section("unload", "unloaded");
	report_str("module", "module", MMAPDEMO_MODULE);
	report_close();
	return report_end();
}

const struct command cmd_unload = {
	.name = "unload",
	.summary = "unload the module",
	.usage = "unload",
	.run = unload_run,
};
