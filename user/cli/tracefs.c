// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs through libtracefs: the module's tracepoints (events/mmapdemo/)
 * for "mmapdemo trace" and the tour, and the function-graph tracer for the
 * call trees of "mmapdemo path" and "mmapdemo map" (calltree.c parses what
 * it records).  tracefs is root-only, as are the PFNs the fault event
 * carries.
 *
 * Everything here works on the top-level instance: 6.1's function_graph
 * tracer refuses instances (6.12 added .allow_instances), and the events
 * share the graph's buffer so that each event lands inside the call that
 * fired it.  A graph session leaves the files it set as it found them.
 */
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tracefs.h>

#include "cli.h"

/*
 * tracefs's directory, or NULL: the first tracefs in /proc/mounts, handed
 * to libtracefs, which would otherwise mount one itself where none is.
 */
static const char *tracing_dir(void)
{
	static char dir[256];
	struct mntent *m;
	FILE *f;

	if (dir[0])
		return dir;
	f = setmntent("/proc/mounts", "re");
	if (!f)
		return NULL;
	while ((m = getmntent(f))) {
		if (!strcmp(m->mnt_type, "tracefs")) {
			snprintf(dir, sizeof(dir), "%s", m->mnt_dir);
			break;
		}
	}
	endmntent(f);
	if (!dir[0] || tracefs_set_tracing_dir(dir)) {
		dir[0] = '\0';
		return NULL;
	}
	return dir;
}

static int clear_trace(void)
{
	return tracefs_instance_file_clear(NULL, "trace") ? -errno : 0;
}

/*
 * Undoing a session, also from a signal handler.  A ^C (SIGINT), SIGTERM
 * or SIGHUP in the middle of "mmapdemo path", "map" or "tour" would leave
 * the function_graph tracer set, this process's PID in set_ftrace_pid,
 * the entry points in set_graph_function, tracing off: found so by the
 * next user of tracefs, long after this process is gone.
 *
 * A handler cannot call libtracefs, which allocates (signal-safety(7));
 * and a flag the command tested on its way out would be seen only when it
 * next looked, never by a command blocked in a write to a full pipe or in
 * a fault.  So each session writes down, before it changes a file, what
 * puts the file back: its path and the text to write, or no text for the
 * lists that opening with O_TRUNC empties (set_ftrace_pid and the like,
 * the trace buffer).  trace_restore_signal() replays what is written down
 * with open(), write() and close(), all async-signal-safe; so does the
 * ordinary end of a session, so that every run of the commands uses the
 * list the handler relies on.
 */
#define UNDO_STEPS 16

struct undo_step {
	char path[160];
	char text[24];		/* "" : O_TRUNC alone */
	size_t len;
};

struct undo_list {
	struct undo_step step[UNDO_STEPS];
	volatile sig_atomic_t n;	/* steps written down */
	volatile sig_atomic_t armed;	/* replayed by the handler */
	pid_t owner;		/* not in a child of fork() */
};

/* One of each session at a time: the graph, and the events alone. */
static struct undo_list undo_graph, undo_events;

static void undo_reset(struct undo_list *u)
{
	u->armed = 0;
	u->n = 0;
	u->owner = getpid();
}

/* Write down "@text into @file" (NULL: empty it); set before arming. */
static void undo_add(struct undo_list *u, const char *file, const char *text)
{
	struct undo_step *s;

	if (u->n >= UNDO_STEPS)
		return;
	s = &u->step[u->n];
	snprintf(s->path, sizeof(s->path), "%s/%s", tracing_dir(), file);
	snprintf(s->text, sizeof(s->text), "%s", text ?: "");
	s->text[strcspn(s->text, "\n")] = '\0';
	s->len = strlen(s->text);
	u->n++;
}

/* Async-signal-safe: open(), write() and close() only. */
static void undo_run(struct undo_list *u)
{
	for (sig_atomic_t i = 0; i < u->n; i++) {
		const struct undo_step *s = &u->step[i];
		int fd = open(s->path, O_WRONLY | O_TRUNC | O_CLOEXEC);

		if (fd < 0)
			continue;
		if (s->len && write(fd, s->text, s->len) < 0) {
			/* Nothing more to do about it, here least of all. */
		}
		close(fd);
	}
}

void trace_restore_signal(void)
{
	int saved = errno;
	pid_t me = getpid();

	if (undo_graph.armed && undo_graph.owner == me)
		undo_run(&undo_graph);
	if (undo_events.armed && undo_events.owner == me)
		undo_run(&undo_events);
	errno = saved;
}

/*
 * The signals the CLI's handler catches, held off while this process
 * changes tracefs: set_graph_function and set_graph_notrace take what is
 * written to them when the file is closed (ftrace_graph_release()), so a
 * handler that emptied them while a write was open would see the exit's
 * close() put the list back.  Held, a signal waits until the change is
 * whole, and the handler then undoes all of it.
 */
static void hold_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void release_signals(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

/*
 * The trace, read with the signals held: an open "trace" file is a reader
 * of the ring buffer, and while one is open the kernel refuses to resize
 * the buffer (EBUSY on 6.12 and 7.x, ENOMEM on 6.1).  A handler that ran
 * in the middle of the read could not put buffer_size_kb back.
 */
static int read_trace(char **text)
{
	sigset_t old;
	int size = 0;

	hold_signals(&old);
	*text = tracefs_instance_file_read(NULL, "trace", &size);
	release_signals(&old);
	return *text ? 0 : -(errno ?: EIO);
}

static int trace_start_held(struct trace_session *ts)
{
	const char *dir;

	memset(ts, 0, sizeof(*ts));
	tracefs_set_loglevel(TEP_LOG_NONE);
	dir = tracing_dir();
	if (!dir)
		return -ENODEV;
	if (!tracefs_file_exists(NULL, "events/mmapdemo/enable"))
		return -ENOENT;
	ts->was_on = tracefs_trace_is_on(NULL) == 1;
	undo_reset(&undo_events);
	undo_add(&undo_events, "events/mmapdemo/enable", "0");
	undo_add(&undo_events, "tracing_on", ts->was_on ? "1" : "0");
	undo_events.armed = 1;
	if (clear_trace())
		return -errno;
	if (tracefs_event_enable(NULL, "mmapdemo", NULL))
		return -(errno ?: EIO);
	if (tracefs_trace_on(NULL))
		return -(errno ?: EIO);
	return 0;
}

int trace_start(struct trace_session *ts)
{
	sigset_t old;
	int ret;

	hold_signals(&old);
	ret = trace_start_held(ts);
	release_signals(&old);
	return ret;
}

void trace_cancel(struct trace_session *ts)
{
	sigset_t old;

	(void)ts;
	hold_signals(&old);
	undo_run(&undo_events);
	undo_events.armed = 0;
	release_signals(&old);
}

int trace_stop(struct trace_session *ts, char **text)
{
	trace_cancel(ts);
	return read_trace(text);
}

int trace_take(struct trace_session *ts, char **text)
{
	int ret = read_trace(text);

	(void)ts;
	if (!ret)
		clear_trace();
	return ret;
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

/* The function-graph tracer. */

/* "name" or "name [module]" per line; __ftrace_invalid_address___ skipped. */
static int load_functions(struct graph_session *gs)
{
	char *text, *line, *save = NULL;
	int size = 0;
	size_t cap = 0;

	text = tracefs_instance_file_read(NULL, "available_filter_functions",
					  &size);
	if (!text)
		return -(errno ?: EIO);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *mod = strchr(line, ' ');
		struct graph_func *f;

		if (mod)
			*mod++ = '\0';
		if (!strncmp(line, "__ftrace_invalid_address__", 26))
			continue;
		if (gs->nr_funcs == cap) {
			cap = cap ? 2 * cap : 65536;
			f = realloc(gs->funcs, cap * sizeof(*f));
			if (!f) {
				free(text);
				return -ENOMEM;
			}
			gs->funcs = f;
		}
		f = &gs->funcs[gs->nr_funcs++];
		f->name = line;
		f->driver = mod && !strcmp(mod, "[mmapdemo]");
	}
	gs->func_text = text;
	qsort(gs->funcs, gs->nr_funcs, sizeof(*gs->funcs), graph_func_cmp);
	return 0;
}

int graph_func_cmp(const void *a, const void *b)
{
	return strcmp(((const struct graph_func *)a)->name,
		      ((const struct graph_func *)b)->name);
}

const struct graph_func *graph_func_find(const struct graph_session *gs,
					 const char *name)
{
	const struct graph_func key = { .name = name };

	if (!gs->nr_funcs)
		return NULL;
	return bsearch(&key, gs->funcs, gs->nr_funcs, sizeof(key),
		       graph_func_cmp);
}

/*
 * Append the names of @names that this kernel can trace to @file, one
 * write each (the kernel takes one name per write here); returns how
 * many, or -errno.
 */
static int append_traceable(struct graph_session *gs, const char *file,
			    const char *const *names)
{
	int n = 0;

	for (; *names; names++) {
		if (!graph_func_find(gs, *names))
			continue;
		if (tracefs_instance_file_append(NULL, file, *names) < 0)
			return -(errno ?: EIO);
		n++;
	}
	return n;
}

/* The same into an emptied @file. */
static int write_traceable(struct graph_session *gs, const char *file,
			   const char *const *names)
{
	if (tracefs_instance_file_clear(NULL, file) < 0)
		return -(errno ?: EIO);
	return append_traceable(gs, file, names);
}

/* Why the kernel's lockdown forbids tracefs, if it does. */
static bool locked_down(void)
{
	char buf[128] = "";
	ssize_t n;
	int fd;

	fd = open("/sys/kernel/security/lockdown", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, "[confidentiality]") != NULL;
}

/*
 * Where a stage's trace starts.  The entry of each system call the
 * commands trace (fork() is clone or clone3; __x64_sys_* on x86-64,
 * __arm64_sys_* on arm64, from each architecture's syscall_wrapper.h),
 * and of a page fault: handle_mm_fault(), and lock_vma_under_rcu() where
 * the kernel has the per-VMA lock.  The code above them (on x86-64:
 * entry_SYSCALL_64, do_syscall_64, exc_page_fault) is noinstr on these
 * kernels and cannot be traced: graph_untraceable() says so from
 * the kernel's own lists.  Names this kernel lacks are left out.
 */
static const char *const graph_roots[] = {
	"__x64_sys_mmap", "__x64_sys_munmap", "__x64_sys_mremap",
	"__x64_sys_madvise", "__x64_sys_clone", "__x64_sys_clone3",
	"__arm64_sys_mmap", "__arm64_sys_munmap", "__arm64_sys_mremap",
	"__arm64_sys_madvise", "__arm64_sys_clone", "__arm64_sys_clone3",
	"lock_vma_under_rcu", "handle_mm_fault", NULL
};

/*
 * Scheduling and soft interrupts: not part of any path, left out.  So are
 * the slab allocator's debug checks and page poisoning, which a kernel
 * booted with slub_debug (the lab's VMs) runs inside every allocation:
 * under fork() they are thousands of calls of no path.
 *
 * Each is entered and left in the same context.  irq_exit_rcu() is not
 * (it is entered in the hard interrupt and returns in the interrupted
 * context), so it is not here: the graph tracer marks the task "inside a
 * notrace function" on the entry and unmarks it on the return.  Where the
 * return handler takes the tracer's recursion lock (7.x's
 * __ftrace_return_to_handler(), kernel/trace/fgraph.c; 6.12's does not),
 * it skips the return when the interrupted context holds that
 * lock and its one nesting level, and the task then stays untraced for
 * the rest of the session.  The soft interrupts irq_exit_rcu() runs are
 * left out by __do_softirq() and handle_softirqs() all the same.
 */
static const char *const graph_notrace[] = {
	"schedule", "preempt_schedule", "preempt_schedule_common",
	"__cond_resched", "_cond_resched", "__do_softirq", "handle_softirqs",
	"alloc_debug_processing", "free_debug_processing",
	"free_to_partial_list", "check_object", "slab_pad_check", "init_object",
	"check_slab", "on_freelist", "set_track_prepare", "set_track_update",
	"__kernel_poison_pages", "__kernel_unpoison_pages", NULL
};

/*
 * The ring buffer's size per CPU while tracing, in KiB: a fork() is some
 * 20,000 calls, more than the default buffer (1,408 KiB) holds, and a
 * full buffer drops the start of the stage.
 */
#define GRAPH_BUFFER_KB 8192u

/* buffer_size_kb now: "1408", or "7 (expanded: 1408)"; 0 if unknown. */
static unsigned long buffer_kb(void)
{
	char *text = tracefs_instance_file_read(NULL, "buffer_size_kb", NULL);
	const char *exp = text ? strstr(text, "expanded: ") : NULL;
	unsigned long kb = 0;

	if (text)
		kb = strtoul(exp ? exp + 10 : text, NULL, 10);
	free(text);
	return kb;
}

/* The lists a session fills, emptied at its end (O_TRUNC). */
static const char *const graph_lists[] = {
	"set_ftrace_pid", "set_event_pid", "set_graph_function",
	"set_graph_notrace", NULL
};

/*
 * Does @file list anything?  Empty, they read nothing, or one line of
 * their own: "no pid", "#### all functions enabled ####" (ftrace.c).
 */
static bool list_in_use(const char *file)
{
	char *text = tracefs_instance_file_read(NULL, file, NULL);
	bool used = text && text[0] && text[0] != '#' &&
		    strcmp(text, "no pid\n");

	free(text);
	return used;
}

static void graph_restore(void)
{
	undo_run(&undo_graph);
	undo_graph.armed = 0;
}

static int graph_begin_held(struct graph_session *gs, unsigned int depth)
{
	char num[32], *tracer, *old;
	const char *dir;
	unsigned long kb;
	int ret, size;

	memset(gs, 0, sizeof(*gs));
	gs->on_fd = -1;
	tracefs_set_loglevel(TEP_LOG_NONE);
	if (geteuid() != 0) {
		snprintf(gs->why, sizeof(gs->why),
			 "tracing needs root (tracefs is root-only)");
		return -EPERM;
	}
	if (locked_down()) {
		snprintf(gs->why, sizeof(gs->why),
			 "the kernel is locked down (confidentiality), which closes tracefs");
		return -EPERM;
	}
	dir = tracing_dir();
	if (!dir) {
		snprintf(gs->why, sizeof(gs->why),
			 "tracefs is not mounted (mount -t tracefs tracefs /sys/kernel/tracing)");
		return -ENODEV;
	}
	if (!tracefs_tracer_available(dir, "function_graph")) {
		snprintf(gs->why, sizeof(gs->why),
			 "this kernel has no function_graph tracer (CONFIG_FUNCTION_GRAPH_TRACER)");
		return -ENOENT;
	}
	tracer = tracefs_instance_file_read(NULL, "current_tracer", &size);
	if (!tracer) {
		ret = -(errno ?: EIO);
		snprintf(gs->why, sizeof(gs->why), "reading current_tracer: %s",
			 strerror(-ret));
		return ret;
	}
	tracer[strcspn(tracer, "\n")] = '\0';
	if (strcmp(tracer, "nop")) {
		snprintf(gs->why, sizeof(gs->why),
			 "another tracer (%s) is in use; it is left alone", tracer);
		free(tracer);
		gs->busy = true;
		return -EBUSY;
	}
	free(tracer);
	/* Another "mmapdemo trace" around this command: its buffer, not ours. */
	if (tracefs_file_exists(NULL, "events/mmapdemo/enable") &&
	    tracefs_event_is_enabled(NULL, "mmapdemo", NULL) !=
		    TRACEFS_ALL_DISABLED) {
		snprintf(gs->why, sizeof(gs->why),
			 "the module's events are being traced already (mmapdemo trace?); left alone");
		gs->busy = true;
		return -EBUSY;
	}
	ret = load_functions(gs);
	if (ret) {
		snprintf(gs->why, sizeof(gs->why),
			 "reading available_filter_functions: %s", strerror(-ret));
		graph_end(gs);
		return ret;
	}
	/*
	 * The lists this session fills are emptied again at its end: they
	 * must be empty now, or they are someone else's.
	 */
	for (const char *const *f = graph_lists; *f; f++) {
		if (!list_in_use(*f))
			continue;
		snprintf(gs->why, sizeof(gs->why),
			 "%s is set already (another tracing session?); left alone",
			 *f);
		gs->busy = true;
		graph_end(gs);
		return -EBUSY;
	}
	old = tracefs_instance_file_read(NULL, "max_graph_depth", &size);
	gs->was_on = tracefs_trace_is_on(NULL) == 1;
	kb = buffer_kb();
	/*
	 * What puts each file back, written down before any is changed,
	 * in the order the handler replays it: tracing off and the tracer
	 * gone first, tracing_on as found last.
	 */
	undo_reset(&undo_graph);
	undo_add(&undo_graph, "tracing_on", "0");
	undo_add(&undo_graph, "current_tracer", "nop");
	if (tracefs_file_exists(NULL, "events/mmapdemo/enable"))
		undo_add(&undo_graph, "events/mmapdemo/enable", "0");
	for (const char *const *f = graph_lists; *f; f++)
		undo_add(&undo_graph, *f, NULL);
	undo_add(&undo_graph, "max_graph_depth", old ?: "0");
	free(old);
	if (kb && kb < GRAPH_BUFFER_KB) {
		snprintf(num, sizeof(num), "%lu", kb);
		undo_add(&undo_graph, "buffer_size_kb", num);
	}
	if (tracefs_option_is_enabled(NULL, TRACEFS_OPTION_FGRAPH_IRQS))
		undo_add(&undo_graph, "options/funcgraph-irqs", "1");
	undo_add(&undo_graph, "trace", NULL);
	undo_add(&undo_graph, "tracing_on", gs->was_on ? "1" : "0");
	undo_graph.armed = 1;
	gs->depth = depth;
	gs->active = true;

	snprintf(num, sizeof(num), "%d", (int)getpid());
	snprintf(gs->step, sizeof(gs->step), "setting up the tracer");
	if (tracefs_trace_off(NULL) ||
	    tracefs_instance_file_write(NULL, "set_ftrace_pid", num) < 0 ||
	    tracefs_instance_file_write(NULL, "set_event_pid", num) < 0)
		goto fail;
	if (write_traceable(gs, "set_graph_function", graph_roots) <= 0)
		goto fail;
	if (write_traceable(gs, "set_graph_notrace", graph_notrace) < 0)
		goto fail;
	snprintf(num, sizeof(num), "%u", depth);
	if (tracefs_instance_file_write(NULL, "max_graph_depth", num) < 0)
		goto fail;
	if (kb && kb < GRAPH_BUFFER_KB) {
		snprintf(num, sizeof(num), "%u", GRAPH_BUFFER_KB);
		/* A smaller buffer still traces: only a large stage is cut. */
		tracefs_instance_file_write(NULL, "buffer_size_kb", num);
	}
	tracefs_option_disable(NULL, TRACEFS_OPTION_FGRAPH_IRQS);
	/* The module's events, if it has them, land inside the calls. */
	if (tracefs_file_exists(NULL, "events/mmapdemo/enable"))
		tracefs_event_enable(NULL, "mmapdemo", NULL);
	if (tracefs_tracer_set(NULL, TRACEFS_TRACER_FUNCTION_GRAPH))
		goto fail;
	gs->on_fd = tracefs_trace_on_get_fd(NULL);
	if (gs->on_fd < 0)
		goto fail;
	return 0;
fail:
	ret = -(errno ?: EIO);
	snprintf(gs->why, sizeof(gs->why), "%s: %s", gs->step, strerror(-ret));
	graph_end(gs);
	return ret;
}

int graph_begin(struct graph_session *gs, unsigned int depth)
{
	sigset_t old;
	int ret;

	hold_signals(&old);
	ret = graph_begin_held(gs, depth);
	release_signals(&old);
	return ret;
}

/*
 * Turn tracing on or off through tracing_on, kept open in @fd, with
 * pwrite(): a stage whose entry point is write() (the tour's revocation)
 * would otherwise trace the write() that ends it (libtracefs's
 * tracefs_trace_off_fd() calls write()); the kernel's own part of it,
 * rb_simple_write() in kernel/trace/, cannot be traced to tell it apart.
 */
static int switch_tracing(int fd, const char *on)
{
	return pwrite(fd, on, 1, 0) == 1 ? 0 : -(errno ?: EIO);
}

int graph_stage_begin(struct graph_session *gs)
{
	int ret;

	if (!gs->active)
		return -ENODEV;
	ret = clear_trace();
	if (ret) {
		snprintf(gs->why, sizeof(gs->why),
			 "clearing the trace for a stage: %s", strerror(-ret));
		return ret;
	}
	ret = switch_tracing(gs->on_fd, "1");
	if (ret)
		snprintf(gs->why, sizeof(gs->why),
			 "writing 1 to tracing_on for a stage: %s",
			 strerror(-ret));
	return ret;
}

/* The first line of @file, or "?" with the error. */
static void first_line(const char *file, char *buf, size_t size)
{
	char *text;
	int len = 0;

	text = tracefs_instance_file_read(NULL, file, &len);
	if (!text) {
		snprintf(buf, size, "? (%s)", strerror(errno ?: EIO));
		return;
	}
	text[strcspn(text, "\n")] = '\0';
	snprintf(buf, size, "%s", text[0] ? text : "(empty)");
	free(text);
}

/* The ring buffer's own counts, summed over the CPUs: how many CPUs. */
static int buffer_stats(unsigned long long *entries,
			unsigned long long *overrun,
			unsigned long long *dropped)
{
	char path[64], *text, *l, *save;
	unsigned long long v;
	int cpu, len;

	*entries = *overrun = *dropped = 0;
	for (cpu = 0; cpu < 1024; cpu++) {
		snprintf(path, sizeof(path), "per_cpu/cpu%d/stats", cpu);
		if (!tracefs_file_exists(NULL, path))
			break;
		text = tracefs_instance_file_read(NULL, path, &len);
		if (!text)
			continue;
		for (l = strtok_r(text, "\n", &save); l;
		     l = strtok_r(NULL, "\n", &save)) {
			if (sscanf(l, "entries: %llu", &v) == 1)
				*entries += v;
			else if (sscanf(l, "overrun: %llu", &v) == 1)
				*overrun += v;
			else if (sscanf(l, "dropped events: %llu", &v) == 1)
				*dropped += v;
		}
		free(text);
	}
	return cpu;
}

void graph_state(char *buf, size_t size)
{
	unsigned long long entries, overrun, dropped;
	char tracer[32], on[8], pid[32], pause[8];
	int cpus;

	first_line("current_tracer", tracer, sizeof(tracer));
	first_line("tracing_on", on, sizeof(on));
	first_line("set_ftrace_pid", pid, sizeof(pid));
	if (tracefs_file_exists(NULL, "options/pause-on-trace"))
		first_line("options/pause-on-trace", pause, sizeof(pause));
	else
		snprintf(pause, sizeof(pause), "none");
	cpus = buffer_stats(&entries, &overrun, &dropped);
	snprintf(buf, size,
		 "current_tracer %s, tracing_on %s, set_ftrace_pid %s (this process %d), pause-on-trace %s; %d CPUs' buffers: %llu entries, %llu overrun, %llu dropped",
		 tracer, on, pid, (int)getpid(), pause, cpus, entries, overrun,
		 dropped);
}

unsigned long long graph_lost(void)
{
	unsigned long long entries, overrun, dropped;

	buffer_stats(&entries, &overrun, &dropped);
	return overrun + dropped;
}

int graph_stage_end(struct graph_session *gs, char **text)
{
	*text = NULL;
	if (!gs->active)
		return -ENODEV;
	switch_tracing(gs->on_fd, "0");
	return read_trace(text);
}

void graph_end(struct graph_session *gs)
{
	sigset_t old;

	hold_signals(&old);
	if (gs->on_fd >= 0)
		close(gs->on_fd);
	gs->on_fd = -1;
	if (gs->active)
		graph_restore();
	gs->active = false;
	release_signals(&old);
	free(gs->funcs);
	free(gs->func_text);
	gs->funcs = NULL;
	gs->func_text = NULL;
	gs->nr_funcs = 0;
}

/*
 * More entry points for one session, after graph_begin(): the tour's
 * system calls other than mmap, munmap, mremap and madvise, and the
 * calls it starts a stage's trace at.  Names this kernel cannot trace are
 * left out; returns how many were added, or -errno.
 */
static int graph_append(struct graph_session *gs, const char *file,
			const char *const *names)
{
	sigset_t old;
	int ret;

	if (!gs->active)
		return -ENODEV;
	hold_signals(&old);
	ret = append_traceable(gs, file, names);
	release_signals(&old);
	return ret;
}

int graph_set_depth(struct graph_session *gs, unsigned int depth)
{
	char num[16];
	sigset_t old;
	int ret = 0;

	if (!gs->active)
		return -ENODEV;
	snprintf(num, sizeof(num), "%u", depth);
	hold_signals(&old);
	if (tracefs_instance_file_write(NULL, "max_graph_depth", num) < 0)
		ret = -(errno ?: EIO);
	release_signals(&old);
	if (!ret)
		gs->depth = depth;
	return ret;
}

int graph_add_roots(struct graph_session *gs, const char *const *names)
{
	return graph_append(gs, "set_graph_function", names);
}

/*
 * Calls whose subtrees to leave out of the graph (set_graph_notrace),
 * after graph_begin(): how many were added, or -errno.
 */
int graph_add_notrace(struct graph_session *gs, const char *const *names)
{
	return graph_append(gs, "set_graph_notrace", names);
}
