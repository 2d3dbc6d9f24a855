// SPDX-License-Identifier: GPL-2.0
/*
 * The tour's traced stages: the calls the kernel made for one step of an
 * experiment (an mmap(), a first touch, a fork(), an madvise(), ...),
 * recorded with the function-graph tracer through the same session as
 * "mmapdemo path" (calltree.c, tracefs.c), for the calling task only.
 *
 * Each stage is reported as its spine: the chain of calls from the entry
 * point to each driver callback, to each call that writes a page-table
 * entry, and to the deepest of the functions the experiment asks about
 * (the zap, the copy, the refusal) that the trace saw.  The functions at
 * the ends of the chains make the verdict's "[kernel: ...]".  Nothing of
 * it is written down here: a function the trace did not see on this
 * kernel is not named.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tour.h"

/*
 * Entry points of the tour's stages beyond those of path and map: the
 * system calls fork() (and its copy of the address space), msync(),
 * delete_module() and vmsplice() make, write() (of a sysfs file: the
 * revocation) and ioctl() (the DMA transfer), __x64_sys_* on x86-64 and
 * __arm64_sys_* on arm64; and x86-64's bad_area_access_error(), which
 * do_user_addr_fault() (inlined into the untraceable exc_page_fault on
 * these kernels) calls for a forbidden access.  Names the kernel cannot
 * trace are left out.
 */
static const char *const tour_roots[] = {
	"__x64_sys_clone", "__x64_sys_clone3", "kernel_clone", "dup_mmap",
	"__x64_sys_msync", "__x64_sys_delete_module",
	"__do_sys_delete_module", "__x64_sys_vmsplice",
	"bad_area_access_error", "__x64_sys_write", "__x64_sys_ioctl",
	"__arm64_sys_clone", "__arm64_sys_clone3", "__arm64_sys_msync",
	"__arm64_sys_delete_module", "__arm64_sys_vmsplice",
	"__arm64_sys_write", "__arm64_sys_ioctl", NULL
};

/*
 * The allocator's calls, left out of the tour's graphs: no path the tour
 * explains runs through them, and a fork() of the tour copies every VMA
 * (dup_mmap()), whose allocations (with the slab's debug checks where they
 * are on) would otherwise overflow the trace buffer before the stage ends.
 */
static const char *const tour_notrace[] = {
	"kmem_cache_alloc", "kmem_cache_alloc_noprof", "kmem_cache_alloc_lru",
	"kmem_cache_alloc_lru_noprof", "kmem_cache_free", "__kmalloc",
	"__kmalloc_noprof", "__kmalloc_cache_noprof", "kmalloc_trace", "kfree",
	NULL
};

#define CHAIN_MAX 64	/* deeper than CALLS_DEPTH_MAX */

struct chains {
	struct tour *t;
	const char *const *marks;
	const char *path[CHAIN_MAX];	/* the chain being walked */
	const char *prev[CHAIN_MAX];	/* the last chain printed */
	unsigned int prev_len;
	char *out;			/* the stage's chains */
	size_t size;
	char *full;			/* "\n"-separated, each printed once */
	size_t full_size;
	unsigned int targets;
};

/* @name, without a compiler's ".isra.0" suffix, is one of @marks. */
static bool is_mark(const char *const *marks, const char *name)
{
	size_t len = strcspn(name, ".");

	for (; marks && *marks; marks++)
		if (strlen(*marks) == len && !strncmp(*marks, name, len))
			return true;
	return false;
}

static bool mark_below(const struct call_node *n, const char *const *marks)
{
	for (const struct call_node *c = n->child; c; c = c->next)
		if (!c->event &&
		    (is_mark(marks, c->name) || mark_below(c, marks)))
			return true;
	return false;
}

static void append(char *buf, size_t size, const char *fmt, const char *s)
{
	size_t len = strlen(buf);

	if (len + 1 < size)
		snprintf(buf + len, size - len, fmt, s);
}

/* @name into t->seen, once. */
static void seen_add(struct tour *t, const char *name)
{
	const char *p = t->seen;
	size_t len = strlen(name);

	while ((p = strstr(p, name))) {
		if ((p == t->seen || p[-1] == ' ') &&
		    (p[len] == ',' || p[len] == '\0'))
			return;
		p += len;
	}
	append(t->seen, sizeof(t->seen), t->seen[0] ? ", %s" : "%s", name);
}

/* The chain path[0..@len) ends at a target: print what is new of it. */
static void chain_add(struct chains *c, unsigned int len)
{
	char full[1024] = "\n";
	unsigned int common = 0, i;

	for (i = 0; i < len; i++)
		append(full, sizeof(full), i ? " -> %s" : "%s", c->path[i]);
	append(full, sizeof(full), "%s", "\n");
	seen_add(c->t, c->path[len - 1]);
	c->targets++;
	if (strstr(c->full, full))
		return;		/* the same chain again: another fault, ... */
	append(c->full, c->full_size, "%s", full + 1);
	while (common < len && common < c->prev_len &&
	       !strcmp(c->path[common], c->prev[common]))
		common++;
	if (common && common == c->prev_len) {
		/* It goes on from the last chain's end. */
		for (i = common; i < len; i++)
			append(c->out, c->size, " -> %s", c->path[i]);
	} else if (common) {
		append(c->out, c->size, "; ...%s", c->path[common - 1]);
		for (i = common; i < len; i++)
			append(c->out, c->size, " -> %s", c->path[i]);
	} else {
		for (i = 0; i < len; i++)
			append(c->out, c->size,
			       i ? " -> %s" : c->out[0] ? "; %s" : "%s",
			       c->path[i]);
	}
	memcpy(c->prev, c->path, len * sizeof(c->path[0]));
	c->prev_len = len;
}

static void chains_walk(struct chains *c, const struct call_node *n,
			unsigned int depth)
{
	for (const struct call_node *k = n->child; k; k = k->next) {
		unsigned int targets = c->targets;

		if (k->event || depth >= CHAIN_MAX)
			continue;
		c->path[depth] = k->name;
		if (k->callback || k->writes ||
		    (is_mark(c->marks, k->name) && !mark_below(k, c->marks)))
			chain_add(c, depth + 1);
		chains_walk(c, k, depth + 1);
		/*
		 * A system call that reached none of them is still the
		 * stage's own: named alone (delete_module() refused, msync()
		 * of a private mapping).
		 */
		if (!depth && c->targets == targets && calltree_is_syscall(k))
			chain_add(c, 1);
	}
}

void tour_trace_begin(struct tour *t, enum calls_mode mode)
{
	int ret;

	/* The spine is what the tour prints; "all" would be --calls all. */
	stage_trace_begin(&t->st, mode == CALLS_NONE ? CALLS_NONE : CALLS_SPINE,
			  CALLS_DEPTH);
	t->traced = t->st.graph;
	if (t->traced) {
		ret = graph_add_roots(&t->st.gs, tour_roots);
		if (ret >= 0)
			ret = graph_add_notrace(&t->st.gs, tour_notrace);
		if (ret >= 0)
			return;
		snprintf(t->st.why, sizeof(t->st.why),
			 "adding the tour's entry points: %s", strerror(-ret));
		t->traced = false;
	}
	/*
	 * Without the graph the tour wants no events session either: the
	 * lifecycle experiments open their own (tour_lifecycle.c).
	 */
	stage_trace_end(&t->st);
}

void tour_trace_end(struct tour *t)
{
	if (t->traced)
		stage_trace_end(&t->st);
	t->traced = false;
}

void tour_trace_reset(struct tour *t)
{
	t->seen[0] = '\0';
}

/* Both keep errno: the stage's system call may have just set it. */
void tour_trace_start(struct tour *t)
{
	int err = errno;

	if (t->traced)
		stage_trace_start(&t->st);
	errno = err;
}

static void report_stage(struct tour *t, struct chains *c, const char *key,
			 const char *label)
{
	char *out = c->out;
	size_t size = c->size;

	if (!t->st.have_tree) {
		report_str(key, label, "(the trace could not be read)");
		return;
	}
	chains_walk(c, &t->st.tree.root, 0);
	/* Beside the system call: the task's own faults (calltree.c). */
	if (t->st.tree.own_faults) {
		char own[64];

		snprintf(own, sizeof(own), "(+%u fault%s of this task's own memory)",
			 t->st.tree.own_faults,
			 t->st.tree.own_faults == 1 ? "" : "s");
		append(out, size, out[0] ? " %s" : "%s", own);
	}
	/* The buffer overran: the chains may begin mid-path (calltree.c). */
	if (t->st.tree.lost) {
		char lost[80];

		snprintf(lost, sizeof(lost),
			 "(the trace lost %llu entries: its start may be missing)",
			 t->st.tree.lost);
		append(out, size, out[0] ? " %s" : "%s", lost);
	}
	if (!c->targets) {
		/* No callback, no entry written: say where it went. */
		for (const struct call_node *k = t->st.tree.root.child; k;
		     k = k->next) {
			if (k->event || strstr(out, k->name))
				continue;
			append(out, size, out[0] ? ", %s" : "%s", k->name);
			seen_add(t, k->name);
		}
		append(out, size, "%s",
		       out[0] ? " (no driver callback, no entry written)" :
				"(no call traced)");
	}
	report_str(key, label, out);
	calltree_free(&t->st.tree);
	t->st.have_tree = false;
}

void tour_trace_report(struct tour *t, const char *key, const char *label,
		       const char *const *marks)
{
	char out[2048] = "", full[4096] = "";
	struct chains c = {
		.t = t, .marks = marks, .out = out, .size = sizeof(out),
		.full = full, .full_size = sizeof(full),
	};
	int err = errno;

	if (!t->traced)
		return;
	report_stage(t, &c, key, label);
	errno = err;
}

void tour_trace_stop(struct tour *t, const char *key, const char *label,
		     const char *const *marks)
{
	int err = errno;

	if (!t->traced)
		return;
	stage_trace_stop(&t->st);
	errno = err;
	tour_trace_report(t, key, label, marks);
}

long tour_touch_traced(struct tour *t, const volatile char *p,
		       unsigned int pages, const char *key, const char *label,
		       const char *const *marks)
{
	long m0, m1, m2;

	if (!pages)
		return 0;
	/* The tracing's own minor faults (its buffers) are not counted. */
	m0 = minor_faults();
	tour_trace_start(t);
	(void)p[0];
	m1 = minor_faults();
	tour_trace_stop(t, key, label, marks);
	m2 = minor_faults();
	for (unsigned int i = 1; i < pages; i++)
		(void)p[(size_t)i * t->ps];
	return m1 - m0 + minor_faults() - m2;
}
