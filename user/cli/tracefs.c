// SPDX-License-Identifier: GPL-2.0
/*
 * The module's tracepoints through tracefs (events/mmapdemo/): enable them,
 * clear the buffer, and read back what was recorded.  tracefs is root-only,
 * as are the PFNs the fault event carries.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int write_text(const struct trace_session *ts, const char *file,
		      const char *text)
{
	char path[192];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", ts->dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0)
		n = -errno;
	close(fd);
	return n < 0 ? (int)n : 0;
}

static int read_text(const struct trace_session *ts, const char *file,
		     char **text)
{
	size_t len = 0, cap = 1 << 16;
	char path[192], *buf, *bigger;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", ts->dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (len == cap) {
			bigger = realloc(buf, 2 * cap + 1);
			if (!bigger) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*text = buf;
	return 0;
}

int trace_start(struct trace_session *ts)
{
	static const char *const dirs[] = { "/sys/kernel/tracing",
					    "/sys/kernel/debug/tracing" };
	char path[192], *on;
	unsigned int i;
	int ret;

	memset(ts, 0, sizeof(*ts));
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/events/mmapdemo/enable",
			 dirs[i]);
		if (!access(path, F_OK)) {
			snprintf(ts->dir, sizeof(ts->dir), "%s", dirs[i]);
			break;
		}
	}
	if (!ts->dir[0])
		return access("/sys/kernel/tracing/trace", F_OK) &&
				       access("/sys/kernel/debug/tracing/trace", F_OK) ?
			       -ENODEV : -ENOENT;
	ret = read_text(ts, "tracing_on", &on);
	if (ret)
		return ret;
	ts->was_on = on[0] == '1';
	free(on);
	ret = write_text(ts, "trace", "");
	if (!ret)
		ret = write_text(ts, "events/mmapdemo/enable", "1");
	if (!ret)
		ret = write_text(ts, "tracing_on", "1");
	return ret;
}

int trace_stop(struct trace_session *ts, char **text)
{
	int ret;

	ret = write_text(ts, "events/mmapdemo/enable", "0");
	if (!ts->was_on)
		write_text(ts, "tracing_on", "0");
	if (ret)
		return ret;
	return read_text(ts, "trace", text);
}

int trace_take(struct trace_session *ts, char **text)
{
	int ret = read_text(ts, "trace", text);

	if (!ret)
		write_text(ts, "trace", "");
	return ret;
}

void trace_cancel(struct trace_session *ts)
{
	write_text(ts, "events/mmapdemo/enable", "0");
	if (!ts->was_on)
		write_text(ts, "tracing_on", "0");
}

/*
 * A line of the trace file:
 *   "  mmapdemo-123   [001] .....   12.345678: mmapdemo_fault: address=..."
 * Only mmapdemo's events are reported; other enabled events are not ours.
 */
static bool parse_line(const char *line, char *task, size_t tsize, int *pid,
		       int *cpu, char *stamp, char *event, const char **detail)
{
	const char *p = line, *dash, *colon;
	int n = 0;

	while (*p == ' ')
		p++;
	colon = strstr(p, ": mmapdemo_");
	if (!colon)
		return false;
	dash = strstr(p, " [");
	if (!dash || dash > colon)
		return false;
	/* The task name may hold dashes: the PID follows the last one. */
	for (const char *q = dash; q > p; q--) {
		if (q[-1] == '-') {
			snprintf(task, tsize, "%.*s", (int)(q - 1 - p), p);
			*pid = atoi(q);
			break;
		}
	}
	if (sscanf(dash, " [%d] %*s %31[0-9.]%n", cpu, stamp, &n) < 2)
		return false;
	if (sscanf(colon + 2, "%31[a-z_]", event) != 1)
		return false;
	*detail = colon + 2 + strlen(event);
	if (**detail == ':')
		(*detail)++;
	while (**detail == ' ')
		(*detail)++;
	return true;
}

int trace_report(const char *key, const char *text)
{
	const char *line = text, *detail;
	char task[32], stamp[32], event[32], buf[512];
	int pid, cpu, count = 0;

	report_list(key, NULL);
	while (line && *line) {
		const char *next = strchr(line, '\n');
		size_t len = next ? (size_t)(next - line) : strlen(line);

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		line = next ? next + 1 : NULL;
		task[0] = '\0';
		pid = 0;
		if (buf[0] == '#' ||
		    !parse_line(buf, task, sizeof(task), &pid, &cpu, stamp,
				event, &detail))
			continue;
		count++;
		if (report_json()) {
			report_item(NULL);
			report_str("time", NULL, stamp);
			report_str("task", NULL, task);
			report_i64("pid", NULL, pid);
			report_i64("cpu", NULL, cpu);
			report_str("event", NULL, event);
			report_str("detail", NULL, detail);
			report_close();
		} else {
			report_text("%12s  %-20s %s  (%s-%d)", stamp, event,
				    detail, task, pid);
		}
	}
	report_close();
	return count;
}
