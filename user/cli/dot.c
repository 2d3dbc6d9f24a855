// SPDX-License-Identifier: GPL-2.0
/*
 * The walk of one address as a Graphviz graph, for "mmapdemo path --dot
 * FILE": the address, the VMA around it, each page-table level with its
 * entry and decoded bits, and the page frame with what the caller found
 * behind it (a page of the device's RAM or BAR, of a DMA buffer, a private
 * copy); and, where they were traced, the spines of the
 * mmap's and the first touch's calls, the writer pointing at the entry
 * (and with --revoke the unbind's, its zap pointing at the entry it
 * cleared).  Graphviz (dot -Tsvg) draws it; nothing here
 * places anything.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* A DOT string literal's body: quotes and backslashes escaped. */
static void dot_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* One node: @id [label="..."] with the label from @fmt. */
static void dot_node(FILE *f, const char *id, const char *attrs,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void dot_node(FILE *f, const char *id, const char *attrs,
		     const char *fmt, ...)
{
	char label[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(label, sizeof(label), fmt, ap);
	va_end(ap);
	fprintf(f, "  %s [label=\"", id);
	dot_escape(f, label);
	fprintf(f, "\"%s%s];\n", attrs ? ", " : "", attrs ? attrs : "");
}

/*
 * The spine of one stage's calls as a cluster: each call a node, each
 * call an edge from its caller; the call that writes the entry (or zaps
 * it) gets an edge to the leaf entry @leaf (NULL: none).
 */
static void dot_calls(FILE *f, const struct call_tree *t, const char *stage,
		      const char *title, unsigned int *id, const char *leaf)
{
	const struct call_node *n = t->root.child;
	unsigned int parent_of[64], depth = 0, me;
	char name[16];

	if (!n)
		return;
	fprintf(f, "  subgraph cluster_%s {\n    label=\"%s (function_graph)\";\n",
		stage, title);
	fprintf(f, "    style=dashed;\n");
	/* Preorder over the spine, with the ids of the callers on a stack. */
	while (n) {
		if (n->spine && !n->event) {
			me = (*id)++;
			snprintf(name, sizeof(name), "c%u", me);
			dot_node(f, name, n->callback ? "style=\"rounded,bold\"" :
				 n->writes || n->zaps ? "style=\"rounded,filled\", fillcolor=lightgrey" : NULL,
				 "%s%s", n->name,
				 n->callback ? "\nthe driver's callback" :
				 n->writes ? "\nwrites the entry" :
				 n->zaps ? "\nzaps the entries" : "");
			if (depth)
				fprintf(f, "  c%u -> c%u;\n", parent_of[depth - 1], me);
			if ((n->writes || n->zaps) && leaf)
				fprintf(f, "  c%u -> %s [label=\"%s\", style=dotted];\n",
					me, leaf, n->writes ? "writes" : "zaps");
			if (n->child && depth < 64) {
				parent_of[depth++] = me;
				n = n->child;
				continue;
			}
		}
		while (n && !n->next) {
			n = n->parent;
			if (!n || n == &t->root) {
				n = NULL;
				break;
			}
			depth--;
		}
		if (n)
			n = n->next;
	}
	fprintf(f, "  }\n");
}

int path_dot_write(const char *path, const void *addr,
		   const struct mmapdemo_walk *w, const char *frame,
		   const struct call_tree *mmap_calls,
		   const struct call_tree *fault_calls,
		   const struct call_tree *unbind_calls)
{
	unsigned int calls = 0;
	char leaf[8] = "";
	char bits[160], soft[40], all[512], flags[256], id[8], prev[8] = "addr";
	unsigned int l;
	FILE *f;

	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "// mmapdemo path --dot: the walk of one address\n");
	fprintf(f, "digraph mmapdemo_path {\n");
	fprintf(f, "  rankdir=TB;\n");
	fprintf(f, "  node [shape=box, style=rounded, fontname=\"monospace\", fontsize=10];\n");
	fprintf(f, "  edge [fontname=\"sans-serif\", fontsize=9];\n");
	dot_node(f, "addr", "shape=ellipse", "virtual address\n0x%llx",
		 (unsigned long long)(uintptr_t)addr);
	if (w->vma_kind != MMAPDEMO_VMA_NONE) {
		mmapdemo_vm_flags_format(w->vma_vmflags, flags, sizeof(flags));
		dot_node(f, "vma", "style=dashed",
			 "VMA 0x%llx-0x%llx\nflags (MMAPDEMO_VMF_*) 0x%llx: %s\nvm_pgoff %llu%s%s",
			 (unsigned long long)w->vma_start,
			 (unsigned long long)w->vma_end,
			 (unsigned long long)w->vma_vmflags, flags,
			 (unsigned long long)w->vma_pgoff,
			 w->vma_kind == MMAPDEMO_VMA_MMAPDEMO ?
				 ", strategy " : "",
			 w->vma_kind == MMAPDEMO_VMA_MMAPDEMO ?
				 mmapdemo_strategy_name(w->vma_strategy) ?: "?" :
				 "");
		fprintf(f, "  addr -> vma [label=\"inside\", style=dashed];\n");
	}
	for (l = 0; l < w->levels && l < MMAPDEMO_LEVELS; l++) {
		const struct mmapdemo_walk_entry *e = &w->entry[l];
		const struct mmapdemo_walk_level *lv = &w->level[l];

		/* The decoded flags, then the raw entry's bits by name. */
		mmapdemo_entry_flags_format(lv->flags, flags, sizeof(flags));
		mmapdemo_pte_bits_format(e->bits, bits, sizeof(bits));
		if (w->arch == MMAPDEMO_ARCH_ARM64)
			arm64_bits_format(lv->raw, l == MMAPDEMO_LEVEL_PTE,
					  bits, sizeof(bits));
		if (w->arch != MMAPDEMO_ARCH_ARM64 &&
		    pte_soft_bits_format(e->raw, e->bits, soft, sizeof(soft)))
			snprintf(all, sizeof(all), "%s\n%s: %s %s", flags,
				 mmapdemo_arch_name(w->arch) ?: "?", bits,
				 soft);
		else
			snprintf(all, sizeof(all), "%s\n%s: %s", flags,
				 mmapdemo_arch_name(w->arch) ?: "?", bits);
		snprintf(id, sizeof(id), "l%u", l);
		dot_node(f, id, NULL, "%s entry\n0x%016llx\n%s",
			 mmapdemo_level_name(l), (unsigned long long)lv->raw,
			 lv->raw ? all : "empty: a hole");
		fprintf(f, "  %s -> %s [label=\"%s\"];\n", prev, id,
			l ? "next table" : "CR3 + index");
		snprintf(prev, sizeof(prev), "%s", id);
	}
	if (w->result == MMAPDEMO_WALK_MAPPED)
		snprintf(leaf, sizeof(leaf), "l%u", w->levels - 1);
	if (mmap_calls)
		dot_calls(f, mmap_calls, "mmap", "mmap(2)", &calls,
			  leaf[0] ? leaf : NULL);
	if (fault_calls)
		dot_calls(f, fault_calls, "touch", "first touch", &calls,
			  leaf[0] ? leaf : NULL);
	if (unbind_calls)
		dot_calls(f, unbind_calls, "unbind", "write(unbind)", &calls,
			  leaf[0] ? leaf : NULL);
	if (w->result == MMAPDEMO_WALK_MAPPED) {
		const char *type =
			mmapdemo_memtype_name(w->level[w->levels - 1].memtype) ?:
			"?";

		/* Hex as everywhere in the CLI; a hidden PFN reads as 0. */
		if (w->pfn)
			dot_node(f, "page", "style=filled, fillcolor=lightgrey",
				 "page frame 0x%llx (%s)\nphysical 0x%llx\n%s",
				 (unsigned long long)w->pfn, type,
				 (unsigned long long)w->phys, frame);
		else
			dot_node(f, "page", "style=filled, fillcolor=lightgrey",
				 "page frame (%s)\nPFN and physical address hidden:\nCAP_SYS_ADMIN only, as in pagemap\n%s",
				 type, frame);
		fprintf(f, "  %s -> page [label=\"PFN\"];\n", prev);
	}
	fprintf(f, "}\n");
	if (fclose(f))
		return -errno;
	return 0;
}
