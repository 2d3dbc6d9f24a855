// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo path: the whole path of one address, stage by stage.
 *
 *   1. mmap(2) of the device, and what the driver did
 *   2. the VMA it made (smaps and the kernel's own view)
 *   3. the page tables before the first touch
 *   4. the first touch and the fault it took
 *   5. each page-table level after it, the PFN, the device page, and
 *      /proc/self/pagemap beside the walk
 *   6. munmap(2)
 * With --revoke, on a BAR device, stage 6 is the revocation instead: the
 * device unbound from the driver under the mapping (revoke.c), then
 *   7. a touch after it, which must get SIGBUS
 *   8. munmap(2)
 * and the device is bound again.
 * Stages 1, 4, 6 and those after it show the calls the kernel made,
 * traced (calltree.c): what ran is read from this kernel, never written
 * down here.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"

struct path_opts {
	bool have_addr;
	uint64_t addr;
	uint64_t offset;
	uint64_t length;	/* bytes to map from the offset's page; 0: one page */
	int strategy;		/* or CLI_DEFAULT_STRATEGY */
	bool private_map;
	bool write;
	const char *dot;	/* --dot FILE: the walk as a Graphviz graph */
	enum calls_mode calls;	/* --calls */
	unsigned int depth;	/* --calls-depth */
	bool revoke;		/* --revoke: unbind the BAR device under it */
	char bdf[32];		/* --revoke: its PCI address */
};

/*
 * The touch took no ->fault call: say what did happen, from what was
 * observed, the minor faults of the touch and the PTE before and after it.
 */
static void explain_no_fault(struct mmapdemo *md, const char *addr,
			     const struct mmapdemo_walk *before, bool write,
			     long minflt)
{
	bool was = before->result == MMAPDEMO_WALK_MAPPED && before->levels;
	struct mmapdemo_walk after;
	bool now;

	if (mmapdemo_walk(md, addr, &after))
		return;
	now = after.result == MMAPDEMO_WALK_MAPPED;
	/* A write fault on a present entry is one on a read-only entry. */
	was = was && write &&
	      !(before->entry[before->levels - 1].bits & MMAPDEMO_PTE_WRITE);
	if (!minflt) {
		report_text("no fault at all: the PTE was already there (mapped at mmap time, or by");
		report_text("an earlier fault) and allowed the access");
	} else if (was && now &&
		   before->device_page != MMAPDEMO_NO_DEVICE_PAGE &&
		   after.device_page == MMAPDEMO_NO_DEVICE_PAGE) {
		report_text("a copy-on-write fault, not the driver's: the PTE was there, read-only in");
		report_text("this MAP_PRIVATE mapping, so the write faulted, and the core's copy on");
		report_text("write (wp_page_copy()) copied the device page into an anonymous page of");
		report_text("this process's own and mapped that (the address no longer maps the");
		report_text("device's page); no ->fault call (the calls below, where traced, show the way)");
	} else if (was && now && after.device_page == before->device_page) {
		report_text("a write fault on the present, read-only PTE, which the core made writable");
		report_text("(do_wp_page()) without calling ->fault");
	} else {
		report_text("%ld minor fault(s), but no ->fault call: the core handled them from the", minflt);
		report_text("page-table state without the driver");
	}
}

/* What a touch did: the signal if any, the faults. */
static void report_touch(const struct touch_call *t)
{
	report_str("signal", "signal", t->sig ? strsignal(t->sig) : "none");
	if (t->sig)
		report_str("si_code", "si_code",
			   signal_code_name(t->sig, t->code));
	report_i64("minor_faults", "minor faults (getrusage)", t->minflt);
}

/* The stage touch_after of --revoke (@arg a struct touch_call). */
static void show_touch(struct stage_trace *st, void *arg)
{
	(void)st;
	report_touch(arg);
}

/* A first touch: the access, then what it did. */
static void show_first_touch(const struct touch_call *t)
{
	report_str("access", "access", t->write ? "write" : "read");
	report_touch(t);
}

/* path's first touch: its counters and, where ->fault did not run, why. */
struct path_touch {
	struct touch_call t;
	struct mmapdemo *md;
	const struct mmapdemo_walk *before;	/* the walk before it */
	const struct mmapdemo_stats *s1;	/* the counters before it */
	struct mmapdemo_stats s2;		/* after it */
};

static void show_path_touch(struct stage_trace *st, void *arg)
{
	struct path_touch *p = arg;

	(void)st;
	mmapdemo_get_stats(p->md, &p->s2);
	show_first_touch(&p->t);
	show_stats_delta("counters", "device counters that moved", p->s1,
			 &p->s2);
	if (p->s2.faults == p->s1->faults && !p->t.sig)
		explain_no_fault(p->md, (const char *)p->t.addr, p->before,
				 p->t.write, p->t.minflt);
}

/*
 * --revoke: the device unbound from the driver under the mapping, a stage
 * traced from write() down to the driver's ->remove and the zap below it;
 * the walk after it; the touch after it, which must get SIGBUS (its own
 * traced stage).  The walk before the unbind (@w, stage 5; NULL if it
 * failed), its frame's label (@frame, read while the device was bound) and
 * the stages' spines go to --dot.  Returns whether it went as a revocation
 * must: unbound, node gone, the PTE zapped, SIGBUS.
 */
static bool path_revoke(struct cli *cli, struct stage_trace *st,
			const struct path_opts *o, char *addr,
			const struct mmapdemo_walk *w, const char *frame,
			int *dot_err)
{
	struct mmapdemo *walker = NULL;
	struct mmapdemo_walk after;
	bool gone, present = false;
	int ret, walk_err, sig;
	struct touch_call t = { 0 };
	const struct stage_op op = {
		.key = "touch_after", .base = o->write ?
			"7. touch after the unbind: a write" :
			"7. touch after the unbind: a read",
		.fault = true, .run = touch_call_run, .show = show_touch,
		.arg = &t,
	};

	/* The revoked device's file answers ENODEV: the RAM device walks. */
	walk_err = mmapdemo_open(MMAPDEMO_DEVICE, O_RDONLY, &walker);
	ret = revoke_unbind(st, o->bdf);
	if (o->dot && w)
		*dot_err = path_dot_write(o->dot, addr, w, frame,
					  st->have_kept[0] ? &st->kept[0] : NULL,
					  st->have_kept[1] ? &st->kept[1] : NULL,
					  st->have_tree ? &st->tree : NULL);
	stage_trace_section(st, "revoke", "6. revocation: write(unbind)");
	report_str("unbind", "PCI address written to",
		   PCI_DRIVER_DIR "/unbind");
	report_str("pci_address", "PCI address", o->bdf);
	report_str("result", "result", ret ? strerror(-ret) : "ok");
	gone = access(cli->device, F_OK) != 0;
	report_bool("node_gone", "device node gone", gone);
	if (!walk_err)
		walk_err = mmapdemo_walk(walker, addr, &after);
	present = !walk_err && after.result == MMAPDEMO_WALK_MAPPED;
	report_str("pte_after", "PTE after the unbind",
		   walk_err ? strerror(-walk_err) : present ? "present" : "none");
	if (o->dot && w)
		report_str("dot", "graph (Graphviz)",
			   *dot_err ? strerror(-*dot_err) : o->dot);
	stage_trace_report(st, false);
	report_close();
	if (walker)
		mmapdemo_close(walker);

	t.addr = addr;
	t.write = o->write;
	sig = stage_run(st, &op);
	return !ret && gone && !walk_err && !present && sig == SIGBUS;
}

static int path_show(struct cli *cli, struct mmapdemo *md,
		     const struct path_opts *o, const struct mmapdemo_info *info)
{
	uint32_t ps = info->page_size;
	struct mmapdemo_stats s0, s1, s2;
	struct map_call mc = { 0 };
	struct stage_trace st;
	struct mmapdemo_walk w, w_before = { 0 };
	struct path_touch pt = { 0 };
	const struct stage_op touch = {
		.key = "fault", .base = o->write ? "4. first touch: a write" :
						   "4. first touch: a read",
		.fault = true, .run = touch_call_run, .show = show_path_touch,
		.arg = &pt,
	};
	char *addr, frame[256] = "";
	int sig, dot_err = 0, unmap_err, ret;
	bool revoked = true, back = true, have_w;

	mc.offset = o->offset & ~(uint64_t)(ps - 1);
	/* More than a page lets the huge strategy map a PMD or PUD entry. */
	mc.length = o->length ? (o->length + ps - 1) & ~(uint64_t)(ps - 1) : ps;
	mc.prot = PROT_READ | PROT_WRITE;
	mc.flags = o->private_map ? MAP_PRIVATE : MAP_SHARED;
	mc.file = cli->device ?: MMAPDEMO_DEVICE;
	if (o->have_addr) {
		mc.hint = o->addr & ~(uint64_t)(ps - 1);
		mc.flags |= MAP_FIXED_NOREPLACE;
	}
	stage_trace_begin(&st, o->calls, o->depth);
	if (o->revoke && !st.graph && o->calls != CALLS_NONE) {
		/* What --revoke is for: the removal's calls. */
		fprintf(stderr,
			"%s path: --revoke: the unbind's calls cannot be traced here: %s\n"
			"hint: tracing needs root, tracefs (mount -t tracefs nodev /sys/kernel/tracing)\n"
			"      and a kernel with the function_graph tracer; --calls none unbinds untraced\n",
			cli->prog, st.why);
		stage_trace_end(&st);
		return EXIT_FAILED;
	}
	ret = o->revoke ? revoke_add_roots(&st) : 0;
	if (ret) {
		fprintf(stderr, "%s path: --revoke: tracing from write(): %s\n",
			cli->prog, strerror(-ret));
		stage_trace_end(&st);
		return EXIT_FAILED;
	}
	stage_trace_recorded(&st, path_case(mc.file, (unsigned int)o->strategy,
					    o->private_map));

	report_begin(cli);
	report_str("strategy", "strategy",
		   mmapdemo_strategy_name((unsigned int)o->strategy));
	mmapdemo_get_stats(md, &s0);
	stage_mmap(&st, md, &mc, "1. mmap(2)", &s0, &s1);
	if (mc.err) {
		stage_trace_end(&st);
		report_end();
		ret = cli_mmap_error(cli, "mmap of the device", mc.err);
		cli_mmap_explain(cli, info, (unsigned int)o->strategy, mc.flags,
				 mc.offset, mc.length, mc.err);
		return ret;
	}
	addr = (char *)mc.result + (o->offset - mc.offset);
	if (o->have_addr)
		addr = (char *)(uintptr_t)o->addr;
	report_hex("address", "the address", (uintptr_t)addr);

	show_vma(md, addr, "2. the VMA the mmap made");

	report_section("before", "3. page tables before the first touch");
	if (!mmapdemo_walk(md, addr, &w)) {
		w_before = w;
		show_walk(&w);
		if (w.result == MMAPDEMO_WALK_MAPPED &&
		    (w.level[MMAPDEMO_LEVEL_PTE].flags &
		     MMAPDEMO_ENTRY_ACCESSED)) {
			/* Name the builder of this strategy's entry only. */
			report_text("accessed is set, yet nothing has touched the page: the PTE was built");
			report_text("from vma->vm_page_prot%s, and every protection_map[]",
				    o->strategy == MMAPDEMO_STRATEGY_REMAP ?
				    " (pfn_pte() in remap_pte_range())" :
				    o->strategy == MMAPDEMO_STRATEGY_INSERT ?
				    " (mk_pte() in insert_page_into_pte_locked())" : "");
			if (w.arch == MMAPDEMO_ARCH_ARM64)
				report_text("entry (PAGE_SHARED, PAGE_READONLY, ...) includes PTE_AF (PROT_DEFAULT).");
			else
				report_text("entry (PAGE_SHARED, PAGE_READONLY, ...) includes _PAGE_ACCESSED.");
			report_text("The kernel set it, not the CPU.");
		}
	}
	report_close();

	pt.t.addr = addr;
	pt.t.write = o->write;
	pt.md = md;
	pt.before = &w_before;
	pt.s1 = &s1;
	sig = stage_run(&st, &touch);
	s2 = pt.s2;

	report_section("after", "5. page tables after the touch");
	have_w = !mmapdemo_walk(md, addr, &w);
	if (have_w) {
		show_walk(&w);
		show_frame(&w, addr, ps);
		/* Before --revoke unbinds the device its sysfs names. */
		frame_label(mc.file, &w, ps, frame, sizeof(frame));
		/* With --revoke, the graph waits for the unbind's calls. */
		if (o->dot && !o->revoke) {
			dot_err = path_dot_write(o->dot, addr, &w, frame,
						 st.have_kept[0] ? &st.kept[0] : NULL,
						 st.have_kept[1] ? &st.kept[1] : NULL,
						 NULL);
			report_str("dot", "graph (Graphviz)",
				   dot_err ? strerror(-dot_err) : o->dot);
		}
		show_bar(cli->device, &w);
	}
	report_close();

	if (o->revoke)
		revoked = path_revoke(cli, &st, o, addr, have_w ? &w : NULL,
				      frame, &dot_err);
	unmap_err = stage_munmap(&st, md, mc.result, mc.length,
				 o->revoke ? "8. munmap(2)" : "6. munmap(2)",
				 &s2, &s1);
	stage_trace_end(&st);
	if (o->revoke) {
		back = revoke_bind(o->bdf, cli->device);
		report_section("bind", "9. bound again");
		report_str("bind", "PCI address written to",
			   PCI_DRIVER_DIR "/bind");
		report_bool("node_back", "device node back", back);
		report_close();
	}
	if (!o->have_addr && geteuid() != 0)
		fprintf(stderr, "note: PFNs are shown to CAP_SYS_ADMIN only\n");
	return report_end() ?:
	       (sig || dot_err || unmap_err || !revoked || !back ?
		EXIT_FAILED : EXIT_OK);
}

/*
 * --revoke: only a PCI device can be unbound from the driver, and only by
 * root; 0 with its PCI address in @o, or the exit code after saying which
 * rule refused it.
 */
static int path_revoke_allowed(const struct cli *cli, struct path_opts *o)
{
	const char *dev = cli->device ?: MMAPDEMO_DEVICE;
	struct mmapdemo_bar bar;

	if (mmapdemo_bar_query(dev, &bar)) {
		fprintf(stderr,
			"%s path: --revoke: %s is not a PCI BAR device: only a PCI device can be\n"
			"unbound from the driver, whose ->remove revokes its BAR and zaps the\n"
			"mappings (Documentation/device-memory.rst, \"Revocation\"); the RAM\n"
			"device is never revoked\n"
			"hint: --device /dev/mmapdemo-<PCI address> (ls /dev/mmapdemo-*)\n",
			cli->prog, dev);
		return EXIT_USAGE;
	}
	if (geteuid() != 0) {
		fprintf(stderr,
			"%s path: --revoke: unbinding a PCI device needs root (it writes\n"
			"%s/unbind)\n"
			"hint: run as root (in the lab VM you are)\n",
			cli->prog, PCI_DRIVER_DIR);
		return EXIT_PERM;
	}
	snprintf(o->bdf, sizeof(o->bdf), "%s", bar.pci_address);
	return 0;
}

/*
 * The first touch of a DMA buffer: whether it faulted, said from what was
 * seen (the touch's trace, whose roots include the fault's entry, else
 * getrusage()'s minor faults), and, where it did not, which call of the
 * mmap's trace wrote the entry (@mmap_calls, NULL if not traced).
 */
static void explain_dma_touch(const struct stage_trace *st,
			      const struct call_tree *mmap_calls, long minflt)
{
	char writers[256] = "";
	bool faulted;

	if (mmap_calls)
		calltree_writers(mmap_calls, writers, sizeof(writers));
	faulted = st->have_tree ? st->tree.nr_calls > 0 : minflt > 0;
	report_bool("faulted", "faulted", faulted);
	report_str("fault_seen_by", "seen by", st->have_tree ?
		   "the touch's trace" : "getrusage (calls not traced)");
	if (faulted) {
		report_text(st->have_tree ?
			    "the touch faulted: the calls below are the fault's" :
			    "the touch faulted (minor faults above)");
	} else if (st->have_tree) {
		report_text("no fault: the trace of the touch holds no call, where a fault would have");
		report_text("entered the kernel's fault handling, which this trace follows");
	} else {
		report_text("no fault: getrusage counted no minor fault");
	}
	if (!faulted && writers[0]) {
		report_str("entry_written_by", "entry written by", writers);
		report_text("(in the mmap, as its trace above shows: the driver maps every page there)");
	}
}

static void show_dma_touch(struct stage_trace *st, void *arg)
{
	const struct touch_call *t = arg;

	show_first_touch(t);
	if (!t->sig)
		explain_dma_touch(st, st->have_kept[0] ? &st->kept[0] : NULL,
				  t->minflt);
}

/* The munmap of path on a DMA device: its result (no counters). */
static void dma_unmap_show(struct stage_trace *st, void *arg)
{
	const struct unmap_call *u = arg;

	(void)st;
	report_str("result", "result", u->err ? strerror(-u->err) : "ok");
}

/*
 * path on a DMA device (/dev/mmapdemo-dma-<PCI address>): the driver maps
 * its coherent buffer (from offset 0) and its page array (from the info's
 * pages_offset) itself, every PTE in ->mmap (kmod/dma.c), so there is no
 * fault to follow.  The stages: the mmap, traced down to the driver's
 * ->mmap and the calls under it that write the entries; the VMA; the
 * first touch, traced, which shows whether it faulted; the page tables
 * and the addresses of the byte (physical, and the DMA address the device
 * uses); the munmap, traced down to the driver's ->close and the zap.
 * What the kernel ran is read from the trace (calltree.c), never written
 * down here.  The walk is the RAM device's (/dev/mmapdemo), which walks
 * any address of the caller.
 */
static int path_dma(struct cli *cli, const struct path_opts *o)
{
	uint32_t ps = (uint32_t)sysconf(_SC_PAGESIZE);
	struct mmapdemo_dma_info info;
	struct mmapdemo *dma, *md;
	struct map_call mc = { 0 };
	struct stage_trace st;
	struct mmapdemo_walk w;
	struct touch_call t = { 0 };
	const struct stage_op touch = {
		.key = "touch", .base = o->write ? "3. first touch: a write" :
						   "3. first touch: a read",
		.fault = true, .run = touch_call_run, .show = show_dma_touch,
		.arg = &t,
	};
	struct unmap_call unmap = { 0 };
	const struct stage_op unmap_op = {
		.key = "munmap", .base = "5. munmap(2)",
		.zaps = zap_marks, .run = unmap_call_run,
		.show = dma_unmap_show, .arg = &unmap,
	};
	int sig, ret, dot_err = 0;
	bool shown = false;
	const char *buffer;
	bool coherent;
	char *addr, frame[256];
	uint64_t offset;

	if (o->strategy != CLI_DEFAULT_STRATEGY || o->private_map)
		return cli_usage(&cmd_path,
				 "--strategy and --private are not for a DMA device: its driver maps its buffers itself, MAP_SHARED only (Documentation/dma.rst)");
	if (o->revoke)
		return cli_usage(&cmd_path,
				 "--revoke is for a BAR device (/dev/mmapdemo-<PCI address>): the DMA device is revoked with the same edu's BAR device, so unbind that one (see dma.rst, Removal)");
	ret = mmapdemo_open(cli->device, O_RDWR, &dma);
	if (ret)
		return cli_error(cli, cli->device, ret);
	ret = mmapdemo_dma_info(dma, &info);
	if (ret) {
		mmapdemo_close(dma);
		return cli_error(cli, "MMAPDEMO_IOC_DMA_INFO", ret);
	}
	buffer = dma_buffer_name(&info, o->offset);
	if (!strcmp(buffer, "none")) {
		mmapdemo_close(dma);
		fprintf(stderr, "mmapdemo path: --offset %#llx is in neither DMA buffer: the coherent one is [0, %#llx), the page array [%#llx, %#llx)\n",
			(unsigned long long)o->offset,
			(unsigned long long)info.size,
			(unsigned long long)info.pages_offset,
			(unsigned long long)(info.pages_offset +
					     info.pages_size));
		return EXIT_USAGE;
	}
	/* The page-table walk is the RAM device's ioctl. */
	ret = mmapdemo_open(MMAPDEMO_DEVICE, O_RDONLY, &md);
	if (ret) {
		mmapdemo_close(dma);
		return cli_error(cli, "cannot open " MMAPDEMO_DEVICE " (its page-table walk)",
				 ret);
	}

	mc.offset = o->offset & ~(uint64_t)(ps - 1);
	mc.length = o->length ? (o->length + ps - 1) & ~(uint64_t)(ps - 1) : ps;
	mc.prot = PROT_READ | PROT_WRITE;
	mc.flags = MAP_SHARED;
	mc.file = cli->device;
	if (o->have_addr) {
		mc.hint = o->addr & ~(uint64_t)(ps - 1);
		mc.flags |= MAP_FIXED_NOREPLACE;
	}
	coherent = !strcmp(buffer, "coherent");
	stage_trace_begin(&st, o->calls, o->depth);
	/* scripts/paths.sh's names of the two cases. */
	stage_trace_recorded(&st, coherent ? "dma-coherent" : "dma-pages");
	report_begin(cli);
	report_str("device_kind", "device",
		   coherent ? "DMA buffer (coherent)" :
			      "DMA buffer (page array)");
	if (stage_mmap(&st, dma, &mc, "1. mmap(2)", NULL, NULL)) {
		stage_trace_end(&st);
		report_end();
		mmapdemo_close(md);
		mmapdemo_close(dma);
		return cli_mmap_error(cli, "mmap of the DMA buffer", mc.err);
	}
	addr = (char *)mc.result + (o->offset - mc.offset);
	if (o->have_addr)
		addr = (char *)(uintptr_t)o->addr;
	report_hex("address", "the address", (uintptr_t)addr);

	show_vma(md, addr, "2. the VMA the mmap made");

	t.addr = addr;
	t.write = o->write;
	sig = stage_run(&st, &touch);

	report_section("after", "4. page tables, and the addresses of the byte");
	if (!mmapdemo_walk(md, addr, &w)) {
		show_walk(&w);
		offset = mc.offset + ((uintptr_t)addr - (uintptr_t)mc.result);
		shown = show_dma_addresses(cli->device, dma, &info, &w, offset);
		if (o->dot) {
			dma_frame_label(dma, &info, &w, offset, frame,
					sizeof(frame));
			/* A touch that took no call draws no calls. */
			dot_err = path_dot_write(o->dot, addr, &w, frame,
						 st.have_kept[0] ? &st.kept[0] : NULL,
						 st.have_kept[1] &&
						 st.kept[1].nr_calls ?
						 &st.kept[1] : NULL, NULL);
			report_str("dot", "graph (Graphviz)",
				   dot_err ? strerror(-dot_err) : o->dot);
		}
	}
	report_close();

	unmap.addr = mc.result;
	unmap.length = mc.length;
	ret = stage_run(&st, &unmap_op);
	stage_trace_end(&st);
	mmapdemo_close(md);
	mmapdemo_close(dma);
	if (!shown && geteuid() != 0)
		fprintf(stderr, "note: PFNs, physical and DMA addresses are shown to CAP_SYS_ADMIN only\n");
	return report_end() ?: (sig || ret || dot_err ? EXIT_FAILED : EXIT_OK);
}

static int path_run(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "offset", required_argument, NULL, 'o' },
		{ "length", required_argument, NULL, 'l' },
		{ "strategy", required_argument, NULL, 'S' },
		{ "private", no_argument, NULL, 'p' },
		{ "write", no_argument, NULL, 'w' },
		{ "legend", no_argument, NULL, 'L' },
		{ "dot", required_argument, NULL, 'D' },
		{ "calls", required_argument, NULL, 'C' },
		{ "calls-depth", required_argument, NULL, 'd' },
		{ "revoke", no_argument, NULL, 'R' },
		CLI_COMMON_OPTIONS
	};
	struct path_opts o = { .strategy = CLI_DEFAULT_STRATEGY,
			       .depth = CALLS_DEPTH };
	struct mmapdemo_info info;
	struct mmapdemo *md;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (parse_size(optarg, &o.offset))
				return cli_usage(&cmd_path,
						 "--offset %s: want a byte offset",
						 optarg);
			break;
		case 'l':
			if (parse_size(optarg, &o.length))
				return cli_usage(&cmd_path,
						 "--length %s: want a byte count",
						 optarg);
			break;
		case 'S':
			ret = cli_strategy_option(&cmd_path, optarg, &o.strategy);
			if (ret >= 0)
				return ret;
			break;
		case 'p':
			o.private_map = true;
			break;
		case 'w':
			o.write = true;
			break;
		case 'D':
			o.dot = optarg;
			break;
		case 'C':
			ret = calls_option(&cmd_path, optarg, &o.calls);
			if (ret >= 0)
				return ret;
			break;
		case 'd':
			ret = calls_depth_option(&cmd_path, optarg, &o.depth);
			if (ret >= 0)
				return ret;
			break;
		case 'R':
			o.revoke = true;
			break;
		case 'L':
			/* The legend needs no device: print it and stop. */
			report_begin(cli);
			show_legend();
			return report_end();
		default:
			ret = cli_common_option(&cmd_path, c);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind < argc) {
		if (parse_address(argv[optind], &o.addr) || !o.addr)
			return cli_usage(&cmd_path, "%s: want an address like 0x7f0000001234",
					 argv[optind]);
		o.have_addr = true;
		optind++;
	}
	if (optind < argc)
		return cli_usage(&cmd_path, "unexpected argument '%s'",
				 argv[optind]);
	if (mmapdemo_dma_is_device(cli->device))
		return path_dma(cli, &o);

	if (o.revoke) {
		ret = path_revoke_allowed(cli, &o);
		if (ret)
			return ret;
	}
	ret = cli_open(cli, O_RDWR, o.strategy, &info, &md);
	if (ret)
		return ret;
	o.strategy = (int)info.strategy;
	if (o.offset >= info.size) {
		mmapdemo_close(md);
		fprintf(stderr, "mmapdemo path: --offset %#llx is beyond the device (%llu bytes)\n",
			(unsigned long long)o.offset,
			(unsigned long long)info.size);
		return EXIT_USAGE;
	}
	ret = path_show(cli, md, &o, &info);
	mmapdemo_close(md);
	return ret;
}

const struct command cmd_path = {
	.name = "path",
	.summary = "the whole path of one address: mmap, VMA, fault, page tables, frame",
	.usage = "path [ADDRESS] [--offset N] [--length N] [--strategy S] [--private] [--write]\n"
		 "    [--dot FILE] [--calls spine|all|none] [--calls-depth N] [--revoke]\n"
		 "    [--json]\n"
		 "  maps one page of the device, or N bytes with --length (at ADDRESS\n"
		 "  if given, with MAP_FIXED_NOREPLACE; at device byte offset N),\n"
		 "  touches the page of the offset, and shows every stage from the\n"
		 "  system call to the page-table entry (a PMD or PUD leaf for the\n"
		 "  huge strategy on a BAR, from --length 2M); --dot also writes the\n"
		 "  walk as a Graphviz graph (dot -Tsvg FILE draws it), with the\n"
		 "  calls traced; each stage's calls are traced with the\n"
		 "  function_graph tracer (root): the spine from the entry point\n"
		 "  to the driver's functions and to the call that writes the\n"
		 "  entry by default, --calls all for every call to --calls-depth\n"
		 "  (default 16); --revoke (root, a BAR device's --device) then\n"
		 "  unbinds the device from the driver under the mapping, traced\n"
		 "  to depth 24 from write() down to ->remove and the zap, touches\n"
		 "  the page again (SIGBUS) and binds the device again\n"
		 "path --device /dev/mmapdemo-dma-PCI [ADDRESS] [--offset N] [--length N]\n"
		 "    [--write] [--dot FILE] [--calls spine|all|none] [--calls-depth N]\n"
		 "    [--json]\n"
		 "  a byte of a DMA device's buffers (coherent from offset 0, the\n"
		 "  page array from 1 MiB): the mapping, its VMA and page-table\n"
		 "  entry, the physical address (the walk's and the driver's) and\n"
		 "  the DMA address the device uses, equal or not, and why (what\n"
		 "  sysfs says of the device's IOMMU); addresses for CAP_SYS_ADMIN\n"
		 "  only; the mmap, the touch and the munmap traced as above, the\n"
		 "  munmap down to the zap\n"
		 "path --legend [--json]\n"
		 "  what each bit of a page-table entry means, and the memory types",
	.run = path_run,
};
