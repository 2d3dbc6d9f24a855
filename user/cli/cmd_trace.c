// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo trace -- COMMAND...: turn the module's tracepoints on, run the
 * command, print the events it caused in order, and turn them off again.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static int trace_run(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = { CLI_COMMON_OPTIONS };
	struct trace_session ts;
	int c, ret, status, count;
	char *text;
	pid_t pid;

	optind = 1;
	/* "+": stop at the first non-option, the command. */
	while ((c = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
		ret = cli_common_option(&cmd_trace, c);
		if (ret >= 0)
			return ret;
	}
	if (optind >= argc)
		return cli_usage(&cmd_trace, "which command should run?");

	ret = trace_start(&ts);
	if (ret == -ENOENT)
		return cli_error(cli, "no events/mmapdemo in tracefs", -ENOENT);
	if (ret == -ENODEV) {
		fprintf(stderr, "mmapdemo trace: tracefs is not mounted\n"
			"hint: mount -t tracefs tracefs /sys/kernel/tracing\n");
		return EXIT_FAILED;
	}
	if (ret)
		return cli_error(cli, "enabling the tracepoints", ret);

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		trace_cancel(&ts);
		return cli_error(cli, "fork", ret);
	}
	if (pid == 0) {
		/* The command's own output goes to stderr under --json. */
		if (cli->json)
			dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "mmapdemo trace: %s: %s\n", argv[optind],
			strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	ret = trace_stop(&ts, &text);
	if (ret)
		return cli_error(cli, "reading the trace", ret);

	report_begin(cli);
	report_section("trace", "events/mmapdemo, in order");
	report_str("command", "command", argv[optind]);
	if (WIFEXITED(status))
		report_i64("exit_status", "exit status", WEXITSTATUS(status));
	else
		report_str("signal", "killed by", strsignal(WTERMSIG(status)));
	count = trace_report("events", text);
	report_u64("count", "events", (uint64_t)count);
	report_close();
	free(text);
	ret = report_end();
	if (ret)
		return ret;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? EXIT_OK :
							       EXIT_FAILED;
}

const struct command cmd_trace = {
	.name = "trace",
	.summary = "run a command with the module's tracepoints on, print the events",
	.usage = "trace [--json] -- COMMAND [ARGS...]",
	.run = trace_run,
};
