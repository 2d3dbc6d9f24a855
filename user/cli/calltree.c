// SPDX-License-Identifier: GPL-2.0
/*
 * The call tree of one stage, from the function-graph tracer's text
 * (tracefs.c records it), and its report: the spine by default, that is
 * the chain from each traced entry point down to each driver callback and
 * to each call that writes a page-table entry, with the other calls
 * folded into a count; or the whole tree (--calls=all); or, in JSON, the
 * whole tree with each node's role.
 *
 * Which functions are the driver's is read from the kernel's own
 * available_filter_functions (those of the module "mmapdemo"), and the
 * code above a trace's entry points that the tracer cannot see is named
 * only where /proc/kallsyms has it and available_filter_functions does not.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/*
 * The functions that write a leaf entry themselves (set_pte_at(),
 * set_ptes(), set_pmd_at(), set_pud_at() in their body or in helpers
 * inlined into them), in Debian's 6.1, 6.12 and 7.x sources:
 * insert_pfn() (->fault of a BAR), insert_page_into_pte_locked()
 * (vm_insert_pages()), remap_pte_range() and, where it is inlined, the
 * remap_pfn_range_internal() or remap_pfn_range_notrack() that holds it
 * (remap_pfn_range()), do_set_pte() (6.1) and set_pte_range() (6.12, 7.x)
 * (finish_fault() of a ->fault that returned a page), wp_page_copy()
 * (copy on write; on 7.x inlined into do_wp_page()), insert_pfn_pmd() and
 * insert_pfn_pud() (6.1, 6.12) or insert_pmd() and insert_pud() (7.x),
 * inlined on some builds into vmf_insert_pfn_pmd() and
 * vmf_insert_pfn_pud() (6.12, 7.x; the _prot variants on 6.1)
 * (->huge_fault); remap_pfn_range_complete() (7.x) and remap_pfn_range()
 * hold the remap_pfn_range_* helpers where those are inlined.  The
 * deepest of them that the trace saw on a chain is the one marked: a
 * deeper one would be in the trace if the kernel could trace it.
 */
static const char *const writers[] = {
	"insert_pfn", "insert_page_into_pte_locked", "remap_pte_range",
	"remap_pfn_range_internal", "remap_pfn_range_notrack", "remap_pfn_range",
	"do_set_pte",
	"set_pte_range", "wp_page_copy", "insert_pfn_pmd", "insert_pfn_pud",
	"insert_pmd", "insert_pud", "remap_pfn_range_complete", "do_wp_page",
	"vmf_insert_pfn_pmd", "vmf_insert_pfn_pud", "vmf_insert_pfn_pmd_prot",
	"vmf_insert_pfn_pud_prot", NULL
};

/* @name, without a suffix like ".isra.0", is in @list (NULL-ended, or NULL). */
static bool in_list(const char *const *list, const char *name)
{
	size_t len = strcspn(name, ".");	/* "insert_pfn.isra.0" */

	for (; list && *list; list++)
		if (strlen(*list) == len && !strncmp(*list, name, len))
			return true;
	return false;
}

struct call_node *calltree_node_new(struct call_node *parent,
				    const char *text, size_t len)
{
	struct call_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = strndup(text, len);
	if (!n->name) {
		free(n);
		return NULL;
	}
	n->parent = parent;
	if (parent->last)
		parent->last->next = n;
	else
		parent->child = n;
	parent->last = n;
	return n;
}

static void node_free(struct call_node *n)
{
	struct call_node *c = n->child, *next;

	for (; c; c = next) {
		next = c->next;
		node_free(c);
		free(c);
	}
	free(n->name);
}

void calltree_free(struct call_tree *t)
{
	node_free(&t->root);
	memset(t, 0, sizeof(*t));
}

/*
 * Marks each node's role; returns whether @n is on the spine.  A driver
 * function called by the kernel is a callback; the driver's own calls
 * below it are on the spine only on the way to a writer.
 */
static bool mark(const struct graph_session *gs, struct call_node *n,
		 const char *const *zaps, bool *writer_below, bool *zap_below)
{
	bool spine = false, below = false, zbelow = false;

	if (!n->event && n->name) {
		const struct graph_func *f = graph_func_find(gs, n->name);

		n->driver = n->module_driver || (f && f->driver);
		n->callback = n->driver && !n->parent->driver;
	}

	for (struct call_node *c = n->child; c; c = c->next) {
		bool w = false, z = false;

		if (mark(gs, c, zaps, &w, &z))
			spine = true;
		below |= w;
		zbelow |= z;
	}
	if (!n->event && n->name) {
		n->writes = in_list(writers, n->name) && !below;
		below |= n->writes;
		n->zaps = in_list(zaps, n->name) && !zbelow;
		zbelow |= n->zaps;
	}
	n->spine = spine || n->callback || n->writes || n->zaps;
	*writer_below = below;
	*zap_below = zbelow;
	return n->spine;
}

void calltree_mark(const struct graph_session *gs, struct call_tree *t,
		   const char *const *zaps)
{
	bool w, z;

	mark(gs, &t->root, zaps, &w, &z);
}

static bool reaches_driver(const struct call_node *n)
{
	for (const struct call_node *c = n->child; c; c = c->next)
		if (!c->event && (c->driver || reaches_driver(c)))
			return true;
	return false;
}

static void unspine(struct call_node *n)
{
	n->spine = n->writes = n->zaps = false;
	for (struct call_node *c = n->child; c; c = c->next)
		unspine(c);
}

bool calltree_is_syscall(const struct call_node *n)
{
	return !n->event && (!strncmp(n->name, "__x64_sys_", 10) ||
			     !strncmp(n->name, "__arm64_sys_", 12));
}

void calltree_fold_own(struct call_tree *t)
{
	struct call_node *c;

	for (c = t->root.child; c && !calltree_is_syscall(c); c = c->next)
		;
	if (!c)
		return;
	for (c = t->root.child; c; c = c->next) {
		if (c->event || calltree_is_syscall(c) || c->driver ||
		    reaches_driver(c))
			continue;
		unspine(c);
		t->own_faults += !strcmp(c->name, "handle_mm_fault");
	}
}

/*
 * A line of function_graph's output, after the CPU and duration columns
 * and the first '|':  "  do_mmap() {", "    vma_merge();", "  }",
 * "  } /+ do_mmap +/" (funcgraph-tail), "  /+ mmapdemo_fault: ... +/" (an
 * event).  The indentation is not needed: braces give the nesting.
 */
int calltree_parse(const struct graph_session *gs, const char *text,
		   struct call_tree *t)
{
	struct call_node *cur = &t->root;
	const char *line = text;

	memset(t, 0, sizeof(*t));
	while (line && *line) {
		const char *next = strchr(line, '\n');
		size_t len = next ? (size_t)(next - line) : strlen(line);
		const char *bar = memchr(line, '|', len), *p, *end = line + len;
		const char *start = line;

		line = next ? next + 1 : NULL;
		if (!bar || *start == '#')
			continue;
		for (p = bar + 1; p < end && *p == ' '; p++)
			;
		if (p == end)
			continue;
		if (!strncmp(p, "/*", 2)) {
			const char *s = p + 2, *e = end;
			struct call_node *n;

			while (s < e && *s == ' ')
				s++;
			if (e - s >= 2 && !strncmp(e - 2, "*/", 2))
				e -= 2;
			while (e > s && e[-1] == ' ')
				e--;
			n = calltree_node_new(cur, s, (size_t)(e - s));
			if (!n)
				return -ENOMEM;
			n->event = true;
			t->nr_events++;
			continue;
		}
		if (*p == '}') {
			if (cur != &t->root)
				cur = cur->parent;
			continue;
		}
		{
			/* "name();", "name() {", "name [module]() {" */
			const char *paren = memchr(p, '(', (size_t)(end - p));
			size_t len = strcspn(p, " (");
			struct call_node *n;

			if (!paren || !len || p + len > paren)
				continue;
			n = calltree_node_new(cur, p, len);
			if (!n)
				return -ENOMEM;
			n->module_driver = p + len < paren &&
					   !strncmp(p + len, " [mmapdemo]", 11);
			t->nr_calls++;
			if (memchr(paren, '{', (size_t)(end - paren)))
				cur = n;
		}
	}
	calltree_mark(gs, t, NULL);
	return 0;
}

/* What the event node @n says: "mmapdemo_fault" and its detail. */
static void event_split(const struct call_node *n, char *event, size_t size,
			const char **detail)
{
	size_t len = strcspn(n->name, ":");

	snprintf(event, size, "%.*s", (int)len, n->name);
	*detail = n->name + len;
	if (**detail == ':')
		(*detail)++;
	while (**detail == ' ')
		(*detail)++;
}

static unsigned int folded(const struct call_node *n)
{
	unsigned int k = 0;

	for (const struct call_node *c = n->child; c; c = c->next)
		k += !c->spine && !c->event;
	return k;
}

static void text_node(const struct call_node *n, int indent, unsigned int depth,
		      bool all)
{
	char event[64], more[32];
	const char *detail;

	for (const struct call_node *c = n->child; c; c = c->next) {
		unsigned int k;

		if (!all && !c->spine)
			continue;
		if (c->event) {
			event_split(c, event, sizeof(event), &detail);
			report_text("%*s[event %s: %s]", indent, "", event, detail);
			continue;
		}
		k = all ? 0 : folded(c) + c->folded;
		snprintf(more, sizeof(more), k ? "  (+%u folded)" : "", k);
		report_text("%*s%s%s%s%s", indent, "", c->name,
			    c->callback ? "  <- the driver's callback" :
			    c->driver ? "  (the driver's)" : "",
			    c->writes ? "  <- writes the entry" :
			    c->zaps ? "  <- zaps the entries" : "", more);
		if (depth > 1)
			text_node(c, indent + 2, depth - 1, all);
	}
}

static void json_node(const struct call_node *n)
{
	char event[64];
	const char *detail;

	for (const struct call_node *c = n->child; c; c = c->next) {
		report_item(NULL);
		if (c->event) {
			event_split(c, event, sizeof(event), &detail);
			report_str("event", NULL, event);
			report_str("detail", NULL, detail);
		} else {
			report_str("function", NULL, c->name);
			report_bool("driver", NULL, c->driver);
			report_bool("callback", NULL, c->callback);
			report_bool("writes_entry", NULL, c->writes);
			/* Only in a stage that marks zaps (munmap, the unbind). */
			if (c->zaps)
				report_bool("zaps_entries", NULL, true);
			report_bool("spine", NULL, c->spine);
			if (c->child) {
				report_list("calls", NULL);
				json_node(c);
				report_close();
			}
		}
		report_close();
	}
}

/* Preorder: the driver's functions and the writers, each name once. */
static void heading_names(const struct call_node *n, char *buf, size_t size)
{
	for (const struct call_node *c = n->child; c; c = c->next) {
		size_t len = strlen(buf);

		if (c->event || !c->spine)
			continue;
		if ((c->callback || c->writes || c->zaps) &&
		    !strstr(buf, c->name) &&
		    len + strlen(c->name) + 6 < size)
			snprintf(buf + len, size - len, " ... %s", c->name);
		heading_names(c, buf, size);
	}
}

/* Preorder: each node marked as writing the entry, each name once. */
static void writer_names(const struct call_node *n, char *buf, size_t size)
{
	for (const struct call_node *c = n->child; c; c = c->next) {
		size_t len = strlen(buf);

		if (c->event)
			continue;
		if (c->writes && !strstr(buf, c->name) &&
		    len + strlen(c->name) + 5 < size)
			snprintf(buf + len, size - len, "%s%s()",
				 len ? ", " : "", c->name);
		writer_names(c, buf, size);
	}
}

void calltree_writers(const struct call_tree *t, char *buf, size_t size)
{
	buf[0] = '\0';
	writer_names(&t->root, buf, size);
}

void calltree_heading(const struct call_tree *t, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (const struct call_node *c = t->root.child; c; c = c->next) {
		if (c->event || !c->spine || strstr(buf, c->name))
			continue;
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
			 c->name);
	}
	heading_names(&t->root, buf, size);
}

/*
 * The callers above a stage's entry points, in the order they run, with
 * whether they are a fault's (else a system call's): x86-64's
 * (arch/x86/entry/syscall_64.c, arch/x86/mm/fault.c), then arm64's
 * (arch/arm64/kernel/entry-common.c and syscall.c, arch/arm64/mm/fault.c).
 * A kernel has one architecture's in /proc/kallsyms; those of them absent
 * from available_filter_functions are the ones it cannot trace.
 */
static const struct {
	const char *name;
	bool fault;
} entry_callers[] = {
	{ "do_syscall_64", false },	   { "exc_page_fault", true },
	{ "handle_page_fault", true },	   { "do_user_addr_fault", true },
	{ "access_error", true },	   { "el0_svc", false },
	{ "do_el0_svc", false },	   { "el0_da", true },
	{ "do_mem_abort", true },	   { "do_translation_fault", true },
	{ "do_page_fault", true },	   { NULL, false }
};

static unsigned int untraceable_mask(const struct graph_session *gs)
{
	static int mask = -1;
	char line[256], name[128];
	FILE *f;

	if (mask >= 0)
		return (unsigned int)mask;
	mask = 0;
	f = fopen("/proc/kallsyms", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %127s", name) != 1)
			continue;
		for (unsigned int i = 0; entry_callers[i].name; i++)
			if (!strcmp(name, entry_callers[i].name) &&
			    !graph_func_find(gs, name))
				mask |= 1 << i;
	}
	fclose(f);
	return (unsigned int)mask;
}

void calltree_untraceable(const struct graph_session *gs, bool fault,
			  char *buf, size_t size)
{
	unsigned int mask = untraceable_mask(gs);
	size_t len;

	buf[0] = '\0';
	for (unsigned int i = 0; entry_callers[i].name; i++) {
		if (!(mask & (1 << i)) || fault != entry_callers[i].fault)
			continue;
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
			 entry_callers[i].name);
	}
}

/*
 * The callers above a stage's entry points that this build inlined, as
 * make paths found them on this release: in the source, not in kallsyms.
 */
static void calltree_inlined(bool fault, char *buf, size_t size)
{
	const struct json *rec, *funcs;
	char why[300];
	size_t len;

	buf[0] = '\0';
	rec = recorded_kernel(why, sizeof(why));
	funcs = json_get(rec, "functions");
	for (unsigned int i = 0; funcs && entry_callers[i].name; i++) {
		const struct json *f = json_get(funcs, entry_callers[i].name);

		if (!f || json_bool(f, "traceable") || json_bool(f, "kallsyms") ||
		    !json_bool(f, "source") || fault != entry_callers[i].fault)
			continue;
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
			 entry_callers[i].name);
	}
}

void calltree_report(const struct graph_session *gs,
		     const struct call_tree *t, bool fault, enum calls_mode mode)
{
	char buf[256];
	unsigned int depth = t->depth ?: gs->depth;

	report_section("calls", "calls (function_graph, this task only)");
	report_u64("depth", "depth traced", depth);
	report_u64("nr_calls", "calls recorded", t->nr_calls);
	calltree_untraceable(gs, fault, buf, sizeof(buf));
	if (buf[0])
		report_str("untraceable", "above, not traceable", buf);
	if (buf[0] && !report_json())
		report_text("(in /proc/kallsyms, not in available_filter_functions)");
	calltree_inlined(fault, buf, sizeof(buf));
	if (buf[0])
		report_str("inlined", "above, inlined on this build", buf);
	if (buf[0] && !report_json())
		report_text("(in its source, not in /proc/kallsyms: make paths' recording of this release)");
	if (t->lost)
		report_u64("lost", "entries lost", t->lost);
	if (t->lost && !report_json())
		report_text("(the ring buffer overran while the stage ran: its oldest calls are gone, and the tree may begin in the middle of the path, with the system call's entry missing)");
	if (t->own_faults)
		report_u64("own_faults", "own faults, folded", t->own_faults);
	if (t->own_faults && !report_json())
		report_text("(faults beside the system call that reach no driver function: this task's own memory, such as its first writes after fork(), copy on write; --calls all shows them)");
	if (report_json()) {
		report_list("tree", NULL);
		json_node(&t->root);
		report_close();
	} else if (!t->nr_calls) {
		report_text("(no call traced)");
	} else {
		text_node(&t->root, 0, mode == CALLS_ALL ? depth : ~0u,
			  mode == CALLS_ALL);
	}
	report_close();
	/* The module's events, as a list, as without the graph. */
	report_list("trace", NULL);
	if (!report_json() && t->nr_events)
		report_text("tracepoints:");
	calltree_events(&t->root);
	report_close();
}

void calltree_events(const struct call_node *n)
{
	char event[64];
	const char *detail;

	for (const struct call_node *c = n->child; c; c = c->next) {
		if (!c->event) {
			calltree_events(c);
			continue;
		}
		if (strncmp(c->name, "mmapdemo_", 9))
			continue;
		event_split(c, event, sizeof(event), &detail);
		if (report_json()) {
			report_item(NULL);
			report_str("event", NULL, event);
			report_str("detail", NULL, detail);
			report_close();
		} else {
			report_text("  %-20s %s", event, detail);
		}
	}
}

/*
 * A command's stages: the graph where it can be had, else the module's
 * events alone, else nothing; the reason goes out once, in one line.
 */
void stage_trace_begin(struct stage_trace *st, enum calls_mode mode,
		       unsigned int depth)
{
	memset(st, 0, sizeof(*st));
	st->mode = mode;
	if (mode == CALLS_NONE) {
		snprintf(st->why, sizeof(st->why), "--calls=none");
	} else if (!graph_begin(&st->gs, depth)) {
		st->graph = true;
		return;
	} else {
		snprintf(st->why, sizeof(st->why), "%s", st->gs.why);
		if (st->gs.busy)
			return;
	}
	st->events = !trace_start(&st->ts);
}

void stage_trace_start(struct stage_trace *st)
{
	memset(&st->tree, 0, sizeof(st->tree));
	st->have_tree = false;
	if (st->graph && graph_stage_begin(&st->gs)) {
		/* No later stage is traced: say why, as for a refusal. */
		snprintf(st->why, sizeof(st->why), "%s", st->gs.why);
		st->graph = false;
	}
}

void stage_trace_stop(struct stage_trace *st)
{
	char *text = NULL;

	if (st->graph) {
		if (!graph_stage_end(&st->gs, &text) &&
		    !calltree_parse(&st->gs, text, &st->tree))
			st->have_tree = true;
		st->tree.lost = graph_lost();
		/*
		 * A stage that recorded no call at all: what tracefs held,
		 * once, for whoever wonders why (the tour says it).
		 */
		if (st->have_tree && !st->tree.root.child && !st->empty[0])
			graph_state(st->empty, sizeof(st->empty));
		if (st->have_tree && st->zaps)
			calltree_mark(&st->gs, &st->tree, st->zaps);
		if (st->have_tree)
			calltree_fold_own(&st->tree);
		/* A stage traced deeper than the others (path --revoke). */
		st->tree.depth = st->gs.depth;
		free(text);
	}
}

void stage_trace_title(const struct stage_trace *st, const char *base,
		       char *buf, size_t size)
{
	char names[384];

	if (!st->have_tree) {
		snprintf(buf, size, "%s", base);
		return;
	}
	calltree_heading(&st->tree, names, sizeof(names));
	snprintf(buf, size, "%s%s%s", base, names[0] ? ": " : "", names);
}

void stage_trace_recorded(struct stage_trace *st, const char *name)
{
	st->recorded_case = name;
	st->recorded_lookup = true;
}

/*
 * The entry code above a recorded stage that the kernel cannot trace, as
 * make paths found it on that kernel: "name (why)", with the reasons.
 */
static void recorded_untraceable(const struct json *rec, bool fault)
{
	const struct json *funcs = json_get(rec, "functions");

	for (unsigned int i = 0; entry_callers[i].name; i++) {
		const struct json *f = json_get(funcs, entry_callers[i].name);
		const char *why = json_str(f, "why");

		if (!f || json_bool(f, "traceable") ||
		    fault != entry_callers[i].fault)
			continue;
		/* "not in this kernel" is no untraceable caller. */
		if (!json_bool(f, "kallsyms") && !json_bool(f, "source"))
			continue;
		if (report_json()) {
			report_item(NULL);
			report_str("function", NULL, entry_callers[i].name);
			report_str("why", NULL, why ?: "");
			report_close();
		} else {
			report_text("  %s  (not traceable: %s)",
				    entry_callers[i].name, why ?: "?");
		}
	}
}

/*
 * Tracing is impossible: the calls make paths recorded for this case on
 * this kernel's release, labelled as recorded, or (once) why there are
 * none.
 */
static void recorded_report(struct stage_trace *st, bool fault)
{
	const struct json *rec;
	struct call_tree t;
	char why[300], label[400];
	const char *release;

	rec = recorded_kernel(why, sizeof(why));
	if (!rec || !st->key || !st->recorded_case ||
	    recorded_tree(rec, st->recorded_case, st->key, &t)) {
		if (!st->said_recorded)
			report_str("recorded", "recorded path",
				   rec ? "none recorded for this case" : why);
		st->said_recorded = true;
		return;
	}
	release = json_str(rec, "release");
	snprintf(label, sizeof(label),
		 "calls RECORDED by the lab on %s (%s), not traced here",
		 release ?: "?", json_str(rec, "command") ?: "make paths");
	report_section("recorded_calls", label);
	report_str("release", "recorded on", release ?: "?");
	report_str("case", "recorded as",
		   json_str(json_get(json_get(rec, "cases"), st->recorded_case),
			    "command") ?: st->recorded_case);
	report_list("untraceable", NULL);
	if (!report_json())
		report_text("above, as that kernel's available_filter_functions, kallsyms and source say:");
	recorded_untraceable(rec, fault);
	report_close();
	if (report_json()) {
		report_list("tree", NULL);
		json_node(&t.root);
		report_close();
	} else {
		text_node(&t.root, 0, ~0u, false);
	}
	report_close();
	calltree_free(&t);
}

void stage_trace_report(struct stage_trace *st, bool fault)
{
	char *text;

	if (st->have_tree) {
		calltree_report(&st->gs, &st->tree, fault, st->mode);
		if (st->have_kept[fault])
			calltree_free(&st->kept[fault]);
		st->kept[fault] = st->tree;
		for (struct call_node *c = st->kept[fault].root.child; c;
		     c = c->next)
			c->parent = &st->kept[fault].root;
		st->have_kept[fault] = true;
		memset(&st->tree, 0, sizeof(st->tree));
		st->have_tree = false;
		return;
	}
	if (!st->said_why) {
		report_str("calls_not_traced", "calls not traced", st->why);
		st->said_why = true;
	}
	if (st->recorded_lookup && st->mode != CALLS_NONE)
		recorded_report(st, fault);
	if (!st->events)
		return;
	if (trace_take(&st->ts, &text)) {
		trace_cancel(&st->ts);
		st->events = false;
		return;
	}
	if (!report_json())
		report_text("tracepoints:");
	if (!trace_report("trace", text) && !report_json())
		report_text("  (no mmapdemo event)");
	free(text);
}

void stage_trace_end(struct stage_trace *st)
{
	for (unsigned int i = 0; i < 2; i++)
		if (st->have_kept[i])
			calltree_free(&st->kept[i]);
	memset(st->have_kept, 0, sizeof(st->have_kept));
	if (st->graph)
		graph_end(&st->gs);
	if (st->events)
		trace_cancel(&st->ts);
	st->graph = st->events = false;
}

void stage_trace_section(struct stage_trace *st, const char *key,
			 const char *base)
{
	char title[512];

	st->key = key;
	stage_trace_title(st, base, title, sizeof(title));
	report_section(key, title);
}

int stage_run(struct stage_trace *st, const struct stage_op *op)
{
	int ret;

	st->zaps = op->zaps;
	stage_trace_start(st);
	ret = op->run(op->arg);
	stage_trace_stop(st);
	st->zaps = NULL;
	stage_trace_section(st, op->key, op->base);
	if (op->show)
		op->show(st, op->arg);
	stage_trace_report(st, op->fault);
	report_close();
	return ret;
}

int touch_call_run(void *arg)
{
	struct touch_call *t = arg;

	t->sig = touch_probe(t->addr, t->write, 'M', NULL, &t->minflt,
			     &t->code);
	return t->sig;
}

int unmap_call_run(void *arg)
{
	struct unmap_call *u = arg;

	u->err = mmapdemo_unmap(u->addr, u->length);
	return u->err;
}

/* The mmap(2) and munmap(2) stages' operations and reports. */
struct map_stage {
	struct mmapdemo *md;
	struct map_call *mc;	/* the mmap's */
	struct unmap_call u;	/* the munmap's */
	const struct mmapdemo_stats *before;	/* NULL: no counters */
	struct mmapdemo_stats *after;
};

static int mmap_stage_run(void *arg)
{
	struct map_stage *m = arg;
	struct map_call *mc = m->mc;

	mc->err = mmapdemo_map_at(m->md, (void *)(uintptr_t)mc->hint,
				  mc->length, mc->prot, mc->flags,
				  (off_t)mc->offset, &mc->result);
	return mc->err;
}

static void mmap_stage_show(struct stage_trace *st, void *arg)
{
	struct map_stage *m = arg;

	(void)st;
	show_mmap_call(m->mc);
	if (!m->before)
		return;
	mmapdemo_get_stats(m->md, m->after);
	show_stats_delta("counters", "device counters that moved", m->before,
			 m->after);
}

int stage_mmap(struct stage_trace *st, struct mmapdemo *md,
	       struct map_call *mc, const char *base,
	       const struct mmapdemo_stats *s0, struct mmapdemo_stats *s1)
{
	struct map_stage m = { .md = md, .mc = mc, .before = s0, .after = s1 };
	const struct stage_op op = {
		.key = "mmap", .base = base, .run = mmap_stage_run,
		.show = mmap_stage_show, .arg = &m,
	};

	return stage_run(st, &op);
}

static int munmap_stage_run(void *arg)
{
	struct map_stage *m = arg;

	return unmap_call_run(&m->u);
}

static void munmap_stage_show(struct stage_trace *st, void *arg)
{
	struct map_stage *m = arg;
	/* A revoked device (path --revoke) answers ENODEV. */
	int stats_err = mmapdemo_get_stats(m->md, m->after);

	(void)st;
	if (m->u.err)
		report_str("error", "error", strerror(-m->u.err));
	if (stats_err) {
		*m->after = *m->before;
		report_str("counters_error", "device counters",
			   strerror(-stats_err));
	} else {
		show_stats_delta("counters", "device counters that moved",
				 m->before, m->after);
	}
}

/*
 * The calls that zap a range's entries, down to its page tables, as far
 * as the trace goes: below munmap()'s unmap_vmas(), and below a
 * revocation's ->remove (unmap_mapping_range() of the device's
 * address_space).  Each is in mm/memory.c of one of the kernels, not all
 * (7.x has zap_vma_range*() and __zap_vma_range() where 6.x has
 * zap_page_range_single() and unmap_single_vma()); calltree_mark() marks
 * the deepest one the trace saw on each chain.
 */
const char *const zap_marks[] = {
	"unmap_mapping_range", "unmap_mapping_pages",
	"unmap_mapping_range_tree", "unmap_mapping_range_vma",
	"zap_page_range_single", "zap_vma_range", "zap_vma_range_batched",
	"__zap_vma_range",
	"unmap_single_vma", "unmap_page_range", "zap_pmd_range",
	"zap_pte_range", NULL
};

int stage_munmap(struct stage_trace *st, struct mmapdemo *md, void *addr,
		 size_t length, const char *base,
		 const struct mmapdemo_stats *before,
		 struct mmapdemo_stats *after)
{
	struct map_stage m = {
		.md = md, .u = { .addr = addr, .length = length },
		.before = before, .after = after,
	};
	const struct stage_op op = {
		.key = "munmap", .base = base, .zaps = zap_marks,
		.run = munmap_stage_run, .show = munmap_stage_show, .arg = &m,
	};

	return stage_run(st, &op);
}

int calls_option(const struct command *cmd, const char *arg,
		 enum calls_mode *mode)
{
	if (!strcmp(arg, "spine"))
		*mode = CALLS_SPINE;
	else if (!strcmp(arg, "all"))
		*mode = CALLS_ALL;
	else if (!strcmp(arg, "none"))
		*mode = CALLS_NONE;
	else
		return cli_usage(cmd, "--calls %s: want spine, all or none", arg);
	return -1;
}

int calls_depth_option(const struct command *cmd, const char *arg,
		       unsigned int *depth)
{
	uint64_t n;

	if (parse_size(arg, &n) || n < 1 || n > CALLS_DEPTH_MAX)
		return cli_usage(cmd, "--calls-depth %s: want 1 to %u", arg,
				 CALLS_DEPTH_MAX);
	*depth = (unsigned int)n;
	return -1;
}
