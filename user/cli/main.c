// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo: map /dev/mmapdemo and show what the kernel did, from the
 * system call to the page-table entry.  This file dispatches to the
 * commands and explains failures; each command lives in its own file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct command *const commands[] = {
	&cmd_info, &cmd_stats, &cmd_load, &cmd_unload, &cmd_map, &cmd_path,
	&cmd_tour, &cmd_ipc, &cmd_trace, &cmd_bench, &cmd_edu,
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f, const char *prog)
{
	unsigned int i;

	fprintf(f,
		"usage: %s [--json] [--device PATH] COMMAND [ARGS...]\n"
		"       %s COMMAND --help\n\n"
		"Map /dev/mmapdemo and show the whole path of an address: the\n"
		"system call, the VMA, the fault, each page-table level, the page\n"
		"frame and the device page.\n\ncommands:\n",
		prog, prog);
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name,
			commands[i]->summary);
	fprintf(f,
		"\noptions:\n"
		"  --json         print data as one JSON document\n"
		"  --device PATH  the device node (default %s)\n"
		"  --version      print the versions of the CLI and the library\n"
		"\nexit status: 0 ok, 1 failed, 2 usage, 3 no device, 4 not permitted\n"
		"See mmapdemo(1).\n",
		MMAPDEMO_DEVICE);
}

int cli_usage(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	if (!cmd)
		return EXIT_USAGE;	/* a parse that says nothing */
	fprintf(stderr, "mmapdemo %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: mmapdemo %s\n", cmd->usage);
	return EXIT_USAGE;
}

int cli_common_option(const struct command *cmd, int c)
{
	switch (c) {
	case 'J':
		return -1;	/* main() has seen it */
	case 'h':
		if (cmd)
			printf("usage: mmapdemo %s\n", cmd->usage);
		return EXIT_OK;
	default:
		if (!cmd)
			return EXIT_USAGE;
		fprintf(stderr, "usage: mmapdemo %s\n", cmd->usage);
		return EXIT_USAGE;
	}
}

int cli_strategy_option(const struct command *cmd, const char *arg,
			int *strategy)
{
	*strategy = mmapdemo_strategy_parse(arg);
	if (*strategy < 0)
		return cli_usage(cmd, "--strategy %s: fault, remap, insert, huge or defio",
				 arg);
	return -1;
}

int cli_error(const struct cli *cli, const char *what, int err)
{
	const char *dev = cli->device ? cli->device : MMAPDEMO_DEVICE;

	if (err > 0)
		err = -err;
	fprintf(stderr, "mmapdemo: %s: %s\n", what, strerror(-err));
	switch (-err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		fprintf(stderr,
			"hint: %s is missing: load the module with\n"
			"      'mmapdemo load PATH/mmapdemo.ko' (or insmod), or try it\n"
			"      in the lab VM with 'make shell'\n", dev);
		return EXIT_NODEV;
	case EACCES:
	case EPERM:
		fprintf(stderr,
			"hint: %s is 0600 and module loading needs root;\n"
			"      run as root (in the lab VM you are)\n", dev);
		return EXIT_PERM;
	case EBUSY:
	case EWOULDBLOCK:
		fprintf(stderr,
			"hint: files or mappings of the device are still open\n");
		break;
	case EEXIST:
		fprintf(stderr,
			"hint: the module is loaded already ('mmapdemo info')\n");
		break;
	}
	return EXIT_FAILED;
}

/* The rules behind mmap()'s refusals; other errors go to cli_error(). */
static const struct {
	int err;
	int status;
	const char *why;
} mmap_refusals[] = {
	{ EPERM, EXIT_FAILED,
	  "why: the device's rule: no PROT_EXEC, for every caller, root too\n"
	  "     (Documentation/semantics.rst)\n"
	  "hint: map it without x in --prot\n" },
	{ EACCES, EXIT_FAILED,
	  "why: the core's rule: a writable MAP_SHARED mapping needs the file\n"
	  "     open for writing (do_mmap(); Documentation/semantics.rst)\n" },
	{ ENXIO, EXIT_FAILED,
	  "why: the DMA device's rule: a mapping lies inside one of its\n"
	  "     buffers (Documentation/dma.rst)\n" },
	{ ENODEV, EXIT_NODEV,
	  "why: the device was removed or unbound; it maps nothing until\n"
	  "     it is bound again (Documentation/device-memory.rst)\n" },
};

int cli_mmap_error(const struct cli *cli, const char *what, int err)
{
	if (err > 0)
		err = -err;
	for (size_t i = 0; i < sizeof(mmap_refusals) / sizeof(mmap_refusals[0]);
	     i++) {
		if (mmap_refusals[i].err != -err)
			continue;
		fprintf(stderr, "mmapdemo: %s: %s\n%s", what, strerror(-err),
			mmap_refusals[i].why);
		return mmap_refusals[i].status;
	}
	return cli_error(cli, what, err);
}

int cli_open(const struct cli *cli, int flags, int strategy,
	     struct mmapdemo_info *info, struct mmapdemo **md)
{
	struct mmapdemo_info local;
	const char *what;
	char buf[160];
	int ret;

	ret = mmapdemo_open(cli->device, flags, md);
	if (ret) {
		snprintf(buf, sizeof(buf), "cannot open %s",
			 cli->device ?: MMAPDEMO_DEVICE);
		return cli_error(cli, buf, ret);
	}
	if (!info)
		info = &local;
	what = "MMAPDEMO_IOC_INFO";
	ret = mmapdemo_get_info(*md, info);
	if (!ret) {
		if (strategy == CLI_DEFAULT_STRATEGY)
			strategy = (int)info->default_strategy;
		snprintf(buf, sizeof(buf), "strategy %s",
			 mmapdemo_strategy_name((unsigned int)strategy) ?: "?");
		what = buf;
		ret = mmapdemo_set_strategy(*md, (unsigned int)strategy);
		info->strategy = (unsigned int)strategy;
	}
	if (ret == -EINVAL && strategy == MMAPDEMO_STRATEGY_REMAP &&
	    !(info->features & MMAPDEMO_FEATURE_REMAP)) {
		fprintf(stderr,
			"%s: remap does not map a BAR on this kernel: before Linux 6.16 the\n"
			"memory type that remap_pfn_range() reserves cannot be revoked safely\n"
			"(Documentation/device-memory.rst, \"Revocation\")\n"
			"hint: --strategy fault or --strategy huge\n",
			cli->prog);
		mmapdemo_close(*md);
		*md = NULL;
		return EXIT_FAILED;
	}
	if (ret) {
		mmapdemo_close(*md);
		*md = NULL;
		return cli_error(cli, what, ret);
	}
	return EXIT_OK;
}

unsigned int cli_eager_strategy(const char *path)
{
	struct mmapdemo_info info;
	struct mmapdemo *md;
	bool remap = false;

	if (!mmapdemo_open(path, O_RDONLY, &md)) {
		remap = !mmapdemo_get_info(md, &info) &&
			(info.features & MMAPDEMO_FEATURE_REMAP);
		mmapdemo_close(md);
	}
	return remap ? MMAPDEMO_STRATEGY_REMAP : MMAPDEMO_STRATEGY_FAULT;
}

/*
 * SIGINT (^C), SIGTERM and SIGHUP in the middle of a traced command: put
 * tracefs back (trace_restore_signal(), async-signal-safe), unlink the
 * temporary files the command named (cli_temp_file()), then die of
 * same signal, as the command would have without the handler, so that
 * the shell sees the signal.  SA_RESETHAND has put the default action
 * back: raise() ends the process at once, or when the handler returns
 * where the signal is blocked in here.
 */
static char temp_path[CLI_TEMP_FILES][256];
static volatile sig_atomic_t temp_set[CLI_TEMP_FILES];
static pid_t temp_owner;

void cli_temp_file(unsigned int slot, const char *path)
{
	if (slot >= CLI_TEMP_FILES)
		return;
	temp_set[slot] = 0;
	if (!path)
		return;
	snprintf(temp_path[slot], sizeof(temp_path[slot]), "%s", path);
	temp_owner = getpid();
	temp_set[slot] = 1;
}

static void fatal_signal(int sig)
{
	int saved = errno;

	trace_restore_signal();
	for (unsigned int i = 0; i < CLI_TEMP_FILES; i++)
		if (temp_set[i] && temp_owner == getpid())
			unlink(temp_path[i]);
	errno = saved;
	raise(sig);
}

/*
 * A signal this process started with ignored (nohup's SIGHUP, SIGINT of
 * a command a script ran in the background) stays ignored.
 */
static void catch_fatal_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, 0 };
	struct sigaction sa = { .sa_handler = fatal_signal,
				.sa_flags = SA_RESETHAND };
	struct sigaction old;

	sigemptyset(&sa.sa_mask);
	for (unsigned int i = 0; sigs[i]; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (unsigned int i = 0; sigs[i]; i++) {
		if (sigaction(sigs[i], NULL, &old) || old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

int main(int argc, char **argv)
{
	struct cli cli = { .prog = argv[0] };
	unsigned int i;
	int arg = 1;

	/*
	 * A reader that goes away (| head) makes writes fail with EPIPE
	 * rather than kill the CLI in the middle of a command that must
	 * undo what it set up, such as the tracer of path and map.
	 */
	signal(SIGPIPE, SIG_IGN);
	catch_fatal_signals();

	for (; arg < argc && argv[arg][0] == '-'; arg++) {
		if (!strcmp(argv[arg], "--json")) {
			cli.json = true;
		} else if (!strcmp(argv[arg], "--device") && arg + 1 < argc) {
			cli.device = argv[++arg];
		} else if (!strcmp(argv[arg], "--help") ||
			   !strcmp(argv[arg], "-h")) {
			usage(stdout, argv[0]);
			return EXIT_OK;
		} else if (!strcmp(argv[arg], "--version")) {
			printf("mmapdemo %s, libmmapdemo %s, ABI %d\n",
			       MMAPDEMO_CLI_VERSION, mmapdemo_version(),
			       MMAPDEMO_ABI_VERSION);
			return EXIT_OK;
		} else {
			fprintf(stderr, "mmapdemo: unknown option %s\n",
				argv[arg]);
			usage(stderr, argv[0]);
			return EXIT_USAGE;
		}
	}
	if (arg == argc) {
		usage(stderr, argv[0]);
		return EXIT_USAGE;
	}
	for (i = 0; i < NR_COMMANDS; i++) {
		if (strcmp(argv[arg], commands[i]->name))
			continue;
		/* "--json" is also accepted after the command's name. */
		for (int j = arg + 1; j < argc && strcmp(argv[j], "--"); j++)
			if (!strcmp(argv[j], "--json"))
				cli.json = true;
		return commands[i]->run(&cli, argc - arg, argv + arg);
	}
	fprintf(stderr, "mmapdemo: no command '%s'\n", argv[arg]);
	usage(stderr, argv[0]);
	return EXIT_USAGE;
}
