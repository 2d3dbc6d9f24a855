// SPDX-License-Identifier: GPL-2.0
/*
 * The life of a device mapping, as experiments with the device's counters
 * and tracepoints:
 *
 *   fork            the child's PTEs: copied for VM_PFNMAP/VM_MIXEDMAP,
 *                   refaulted otherwise
 *   munmap_partial  a hole in the middle splits the VMA: ->open, ->close
 *   mremap          grow is refused, shrink and move work
 *   dontneed        MADV_DONTNEED drops the PTEs and a touch refaults them
 *   rmmod           the module cannot go while a mapping holds its file
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tour.h"

/* Pages the lifecycle experiments map. */
#define LC_PAGES 4

#define REFCNT_PATH "/sys/module/mmapdemo/refcnt"

/* The module's tracepoints around one step, counted by event. */
struct lc_trace {
	struct trace_session ts;
	bool on;
	long opens, closes, faults;
};

/*
 * The events alone, where the tour does not trace the calls: a traced
 * tour's graph records this task's events only (set_event_pid), not the
 * child's, and its stages show the callbacks themselves.
 */
static void lc_trace_start(struct tour *t, struct lc_trace *lt)
{
	memset(lt, 0, sizeof(*lt));
	lt->on = !t->traced && !trace_start(&lt->ts);
}

/* Occurrences of "@event:" in @text. */
static long count_event(const char *text, const char *event)
{
	size_t len = strlen(event);
	const char *p = text;
	long n = 0;

	while ((p = strstr(p, event))) {
		p += len;
		if (*p == ':')
			n++;
	}
	return n;
}

/* Stop tracing and report the events seen, under "tracepoints". */
static void lc_trace_stop(struct tour *t, struct lc_trace *lt)
{
	char *text = NULL;

	if (t->traced)
		return;
	if (!lt->on || trace_stop(&lt->ts, &text)) {
		lt->on = false;
		report_str("tracepoints", "tracepoints",
			   "not available (needs tracefs)");
		return;
	}
	lt->opens = count_event(text, "mmapdemo_vma_open");
	lt->closes = count_event(text, "mmapdemo_vma_close");
	lt->faults = count_event(text, "mmapdemo_fault");
	free(text);
	report_section("tracepoints", "tracepoints seen");
	report_i64("vma_open", "mmapdemo_vma_open", lt->opens);
	report_i64("vma_close", "mmapdemo_vma_close", lt->closes);
	report_i64("fault", "mmapdemo_fault", lt->faults);
	report_close();
}

/* Do the tracepoints agree with the counters (if there are any)? */
static bool lc_trace_agrees(const struct lc_trace *lt,
			    const struct mmapdemo_stats *a,
			    const struct mmapdemo_stats *b)
{
	return !lt->on ||
	       (lt->opens == (long)(b->vma_opens - a->vma_opens) &&
		lt->closes == (long)(b->vma_closes - a->vma_closes) &&
		lt->faults == (long)(b->faults - a->faults));
}

/* Is the PTE of @addr present, as MMAPDEMO_IOC_WALK sees it? */
static bool pte_present(struct mmapdemo *md, const void *addr,
			uint64_t *vm_flags)
{
	struct mmapdemo_walk w;

	if (mmapdemo_walk(md, addr, &w))
		return false;
	if (vm_flags)
		*vm_flags = w.vma_vmflags;
	return w.result == MMAPDEMO_WALK_MAPPED;
}

/* Map LC_PAGES of a fresh open file with @strategy and read each page. */
static int lc_map(struct tour *t, unsigned int strategy, struct mmapdemo **md,
		  char **p)
{
	void *addr;
	int ret;

	ret = tour_dev_open(t, strategy, md);
	if (ret)
		return ret;
	ret = tour_map_fd(mmapdemo_fd(*md), (size_t)LC_PAGES * t->ps,
			  PROT_READ | PROT_WRITE, MAP_SHARED, &addr);
	if (ret) {
		mmapdemo_close(*md);
		*md = NULL;
		return ret;
	}
	*p = addr;
	tour_touch_pages(*p, LC_PAGES, t->ps);
	return 0;
}

/* ------------------------------------------------------------------ */

struct fork_result {
	int present;	/* the child's first PTE before it touched anything */
	long faults;	/* ->fault calls and pages mapped around, in the child */
};

/* In the child: look at the PTE, touch every page, report through @fd. */
static void fork_child(struct tour *t, struct mmapdemo *md, char *p, int fd)
{
	struct mmapdemo_stats a, b;
	struct fork_result r;

	r.present = pte_present(md, p, NULL);
	mmapdemo_get_stats(md, &a);
	tour_touch_pages(p, LC_PAGES, t->ps);
	mmapdemo_get_stats(md, &b);
	r.faults = (long)(b.faults - a.faults);
	_exit(write(fd, &r, sizeof(r)) == sizeof(r) ? 0 : 1);
}

/* What fork() runs for the mapping: the copy of its page tables. */
static const char *const fork_marks[] = {
	"dup_mmap", "copy_page_range", "copy_pte_range", NULL
};

/* Fork with a mapping of @strategy; true if the child saw what it should. */
static bool fork_one(struct tour *t, unsigned int strategy, bool *copied)
{
	struct fork_result r = { .present = -1, .faults = -1 };
	struct mmapdemo_stats s0, s1;
	struct lc_trace lt;
	struct mmapdemo *md;
	int pipefd[2], status = 0, ret;
	uint64_t vm_flags = 0;
	char err[96], *p;
	bool ok;
	pid_t pid;

	ret = lc_map(t, strategy, &md, &p);
	report_str("mmap", "mmap and read 4 pages",
		   tour_err_text(ret, err, sizeof(err)));
	if (ret)
		return false;
	pte_present(md, p, &vm_flags);
	*copied = vm_flags & (MMAPDEMO_VMF_PFNMAP | MMAPDEMO_VMF_MIXEDMAP);
	report_str("vma_kind", "VMA",
		   vm_flags & MMAPDEMO_VMF_PFNMAP ? "VM_PFNMAP" :
		   vm_flags & MMAPDEMO_VMF_MIXEDMAP ? "VM_MIXEDMAP" :
						 "neither VM_PFNMAP nor VM_MIXEDMAP");
	ok = !pipe(pipefd);
	if (ok) {
		mmapdemo_get_stats(t->md, &s0);
		lc_trace_start(t, &lt);
		fflush(stdout);
		tour_trace_start(t);
		pid = fork();
		if (pid == 0) {
			close(pipefd[0]);
			fork_child(t, md, p, pipefd[1]);
		}
		tour_trace_stop(t, "fork_calls", "calls in fork()", fork_marks);
		close(pipefd[1]);
		ok = pid > 0 && read(pipefd[0], &r, sizeof(r)) == sizeof(r);
		if (pid > 0)
			waitpid(pid, &status, 0);
		close(pipefd[0]);
		mmapdemo_get_stats(t->md, &s1);
		ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
		report_str("child_pte", "child PTE, before touch",
			   r.present > 0 ? "present: fork copied it" :
			   r.present == 0 ? "hole: fork did not copy it" : "?");
		report_i64("child_faults", "->fault in the child",
			   r.faults);
		show_stats_delta("counters", "device counters that moved",
				 &s0, &s1);
		lc_trace_stop(t, &lt);
		ok = ok && s1.vma_opens - s0.vma_opens == 1 &&
		     s1.vma_closes - s0.vma_closes == 1 &&
		     lc_trace_agrees(&lt, &s0, &s1);
		if (*copied)
			ok = ok && r.present == 1 && r.faults == 0;
		else
			ok = ok && r.present == 0 && r.faults >= 1;
	}
	munmap(p, (size_t)LC_PAGES * t->ps);
	mmapdemo_close(md);
	return ok;
}

static void fork_run(struct tour *t)
{
	static const unsigned int strategies[] = {
		MMAPDEMO_STRATEGY_FAULT, MMAPDEMO_STRATEGY_REMAP,
		MMAPDEMO_STRATEGY_INSERT,
	};
	bool ok[3], copied[3] = { false };

	report_text("The parent maps 4 pages and reads each, so all 4 PTEs are present, then");
	report_text("forks.  The kernel copies each VMA into the child and calls vm_ops->open");
	report_text("on the copy.  It copies the PTEs too only where a fault might not rebuild");
	report_text("them: for VM_PFNMAP and VM_MIXEDMAP VMAs and ones with anonymous pages,");
	report_text("among a few others.  Elsewhere the child starts with holes and its first");
	report_text("touches fault the pages in again.  The child's exit closes its copy");
	report_text("(->close).");
	for (unsigned int i = 0; i < 3; i++) {
		tour_device_section(strategies[i]);
		ok[i] = fork_one(t, strategies[i], &copied[i]);
		report_close();
	}
	if (ok[0] && ok[1] && ok[2])
		tour_verdict(t, true,
			     "fault: PTEs %s; remap (VM_PFNMAP) and insert (VM_MIXEDMAP): PTEs copied, no ->fault in the child; one ->open and one ->close per child",
			     copied[0] ? "copied (VM_MIXEDMAP: its ->fault inserts pages)" :
					 "not copied, the child refaulted");
	else
		tour_verdict(t, false,
			     "fault %s, remap %s, insert %s (expected: PTEs copied exactly for VM_PFNMAP/VM_MIXEDMAP, one ->open and one ->close)",
			     ok[0] ? "ok" : "NOT ok", ok[1] ? "ok" : "NOT ok",
			     ok[2] ? "ok" : "NOT ok");
}

const struct tour_experiment tour_fork = {
	.name = "fork",
	.title = "what fork() does to a device mapping",
	.shows = "fork() gives the child a copy of each VMA, but copies the page-table entries only where a fault could not rebuild them.",
	.run = fork_run,
};

/* ------------------------------------------------------------------ */

static void munmap_partial_run(struct tour *t)
{
	unsigned int s = t->info.default_strategy;
	struct mmapdemo_vma lo = { 0 }, hi = { 0 };
	struct mmapdemo_stats s0, s1;
	struct mmapdemo *md;
	struct lc_trace lt;
	int ret, sig = 0, code = 0;
	char err[96], *p;
	bool ok, two;

	report_text("Unmapping the middle page of a 3-page mapping: the kernel splits the VMA");
	report_text("twice, at the hole's start and at its end, calling vm_ops->open on each");
	report_text("new VMA, then removes the middle one, calling ->close.  One VMA became");
	report_text("two: live VMAs go up by one.");
	tour_device_section(s);
	ret = lc_map(t, s, &md, &p);
	report_str("mmap", "mmap and read 4 pages",
		   tour_err_text(ret, err, sizeof(err)));
	if (ret) {
		report_close();
		tour_verdict(t, false, "mmap failed");
		return;
	}
	/* Three pages: the last of the four goes first, unobserved. */
	munmap(p + 3 * (size_t)t->ps, t->ps);
	mmapdemo_get_stats(t->md, &s0);
	lc_trace_start(t, &lt);
	tour_trace_start(t);
	ret = munmap(p + t->ps, t->ps) ? -errno : 0;
	tour_trace_stop(t, "munmap_calls", "calls in munmap()", zap_marks);
	mmapdemo_get_stats(t->md, &s1);
	report_str("munmap", "munmap(the middle page)",
		   tour_err_text(ret, err, sizeof(err)));
	show_stats_delta("counters", "device counters that moved", &s0, &s1);
	lc_trace_stop(t, &lt);
	two = !mmapdemo_smaps_read(p, &lo) &&
	      !mmapdemo_smaps_read(p + 2 * (size_t)t->ps, &hi) &&
	      lo.end == (uintptr_t)p + t->ps &&
	      hi.start == (uintptr_t)p + 2 * t->ps;
	report_bool("two_vmas", "two VMAs (smaps)",
		    two);
	sig = touch_probe(p + t->ps, false, 0, NULL, NULL, &code);
	report_str("hole", "reading the hole",
		   sig ? signal_code_name(sig, code) : "no signal");
	report_close();
	ok = !ret && two && sig == SIGSEGV && code == SEGV_MAPERR &&
	     s1.vma_opens - s0.vma_opens == 2 &&
	     s1.vma_closes - s0.vma_closes == 1 &&
	     s1.live_vmas - s0.live_vmas == 1 && lc_trace_agrees(&lt, &s0, &s1);
	munmap(p, t->ps);
	munmap(p + 2 * (size_t)t->ps, t->ps);
	mmapdemo_close(md);
	if (ok)
		tour_verdict(t, true,
			     "one VMA became two: 2 ->open, 1 ->close, live VMAs +1; the hole raises SIGSEGV (SEGV_MAPERR)");
	else
		tour_verdict(t, false,
			     "->open %lld, ->close %lld, live VMAs %+lld, two VMAs %s, hole %s (expected 2, 1, +1, yes, SEGV_MAPERR)",
			     (long long)(s1.vma_opens - s0.vma_opens),
			     (long long)(s1.vma_closes - s0.vma_closes),
			     (long long)(s1.live_vmas - s0.live_vmas),
			     two ? "yes" : "no",
			     sig ? signal_code_name(sig, code) : "no signal");
}

const struct tour_experiment tour_munmap_partial = {
	.name = "munmap_partial",
	.title = "munmap() of a page in the middle",
	.shows = "Unmapping part of a mapping splits its VMA, and the driver sees each new piece through ->open and the removed one through ->close.",
	.run = munmap_partial_run,
};

/* ------------------------------------------------------------------ */

static void mremap_run(struct tour *t)
{
	static const char *const grow_marks[] = {
		"vma_to_resize", "check_prep_vma", NULL
	};
	static const char *const move_marks[] = {
		"copy_vma", "move_page_tables", NULL
	};
	unsigned int s = t->info.default_strategy;
	size_t ps = t->ps;
	struct mmapdemo_stats s0, s1, s2, s3, s4;
	int grow_err, shrink_err, move_err;
	struct mmapdemo *md;
	struct lc_trace lt;
	char err[96], *p, *q = NULL;
	void *target, *r;
	bool same = false, present = false, ok;
	int ret;

	report_text("mremap() of a 4-page device mapping: growing it is refused with EFAULT");
	report_text("because %s asked for VM_DONTEXPAND (the device cannot grow);",
		    t->mmap_fn);
	report_text("shrinking it to 2 pages unmaps the tail (a split: one ->open, one ->close);");
	report_text("moving it copies the VMA (which calls ->open), moves the PTEs and unmaps");
	report_text("the old range (->close).");
	tour_device_section(s);
	ret = lc_map(t, s, &md, &p);
	report_str("mmap", "mmap and read 4 pages",
		   tour_err_text(ret, err, sizeof(err)));
	if (ret) {
		report_close();
		tour_verdict(t, false, "mmap failed");
		return;
	}
	memcpy(p, "moved", 6);
	lc_trace_start(t, &lt);
	mmapdemo_get_stats(t->md, &s0);
	tour_trace_start(t);
	r = mremap(p, 4 * ps, 8 * ps, MREMAP_MAYMOVE);
	tour_trace_stop(t, "grow_calls", "calls, grow", grow_marks);
	grow_err = r == MAP_FAILED ? -errno : 0;
	if (!grow_err)
		p = r;
	report_str("grow", "mremap: grow 4 -> 8",
		   tour_err_text(grow_err, err, sizeof(err)));
	mmapdemo_get_stats(t->md, &s1);
	tour_trace_start(t);
	r = mremap(p, 4 * ps, 2 * ps, 0);
	tour_trace_stop(t, "shrink_calls", "calls, shrink", zap_marks);
	shrink_err = r == MAP_FAILED ? -errno : 0;
	report_str("shrink", "mremap: shrink 4 -> 2",
		   tour_err_text(shrink_err, err, sizeof(err)));
	mmapdemo_get_stats(t->md, &s2);
	show_stats_delta("shrink_counters", "device counters the shrink moved",
			 &s1, &s2);
	/* Somewhere free to move to: an anonymous mapping MREMAP_FIXED replaces. */
	target = mmap(NULL, 2 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		      0);
	r = MAP_FAILED;
	if (target != MAP_FAILED) {
		tour_trace_start(t);
		r = mremap(p, 2 * ps, 2 * ps, MREMAP_MAYMOVE | MREMAP_FIXED,
			   target);
		tour_trace_stop(t, "move_calls", "calls, move", move_marks);
	}
	move_err = r == MAP_FAILED ? -errno : 0;
	report_str("move", "mremap: move",
		   tour_err_text(move_err, err, sizeof(err)));
	mmapdemo_get_stats(t->md, &s3);
	show_stats_delta("move_counters", "device counters the move moved",
			 &s2, &s3);
	if (!move_err) {
		q = r;
		present = pte_present(md, q, NULL);
		same = !memcmp(q, "moved", 6);
		report_bool("pte_moved", "PTE at the new address",
			    present);
		report_bool("data_same", "same data there",
			    same);
	}
	mmapdemo_get_stats(t->md, &s4);
	lc_trace_stop(t, &lt);
	report_close();
	ok = grow_err == -EFAULT && !shrink_err && !move_err && same &&
	     present && s4.faults == s3.faults &&
	     s1.vma_opens == s0.vma_opens && s1.vma_closes == s0.vma_closes &&
	     s2.vma_opens - s1.vma_opens == 1 &&
	     s2.vma_closes - s1.vma_closes == 1 &&
	     s3.vma_opens - s2.vma_opens == 1 &&
	     s3.vma_closes - s2.vma_closes == 1 &&
	     s3.live_vmas == s0.live_vmas && lc_trace_agrees(&lt, &s0, &s4);
	munmap(q ? q : p, (q ? 2 : 4) * ps);
	if (q == NULL && target != MAP_FAILED)
		munmap(target, 2 * ps);
	mmapdemo_close(md);
	if (ok)
		tour_verdict(t, true,
			     "grow refused with EFAULT; shrink: 1 ->open, 1 ->close; move: 1 ->open, 1 ->close, the PTE moved with the data and no ->fault");
	else
		tour_verdict(t, false,
			     "grow %s (expected EFAULT), shrink %s (%lld ->open, %lld ->close), move %s (%lld ->open, %lld ->close); data moved %s, PTE moved %s (expected 1 and 1 each)",
			     grow_err ? strerrorname_np(-grow_err) : "worked",
			     shrink_err ? strerrorname_np(-shrink_err) : "ok",
			     (long long)(s2.vma_opens - s1.vma_opens),
			     (long long)(s2.vma_closes - s1.vma_closes),
			     move_err ? strerrorname_np(-move_err) : "ok",
			     (long long)(s3.vma_opens - s2.vma_opens),
			     (long long)(s3.vma_closes - s2.vma_closes),
			     same ? "yes" : "no", present ? "yes" : "no");
}

const struct tour_experiment tour_mremap = {
	.name = "mremap",
	.title = "mremap() grow, shrink and move",
	.shows = "A device mapping cannot grow, but it can shrink and move, and a move carries its page-table entries along.",
	.run = mremap_run,
};

/* ------------------------------------------------------------------ */

/* MADV_DONTNEED: the zap, or where a VMA is refused. */
static const char *const dontneed_marks[] = {
	"madvise_dontneed_free", "madvise_dontneed_single_vma",
	"zap_page_range_single", "zap_vma_range_batched", "unmap_page_range",
	"zap_pmd_range", "zap_pte_range", NULL
};

/* MADV_DONTNEED on a mapping of @strategy; true if it went as it should. */
static bool dontneed_one(struct tour *t, unsigned int strategy)
{
	bool pfnmap = strategy == MMAPDEMO_STRATEGY_REMAP;
	struct mmapdemo_stats s0, s1;
	bool before, after, kept;
	struct mmapdemo *md;
	long faults;
	char err[96], *p;
	int ret;

	ret = lc_map(t, strategy, &md, &p);
	report_str("mmap", "mmap and read 4 pages",
		   tour_err_text(ret, err, sizeof(err)));
	if (ret)
		return false;
	memcpy(p, "kept", 5);
	before = pte_present(md, p, NULL);
	tour_trace_start(t);
	ret = madvise(p, LC_PAGES * (size_t)t->ps, MADV_DONTNEED) ? -errno : 0;
	tour_trace_stop(t, "madvise_calls", "calls in madvise()",
			dontneed_marks);
	after = pte_present(md, p, NULL);
	report_str("madvise", "madvise(MADV_DONTNEED)",
		   tour_err_text(ret, err, sizeof(err)));
	report_str("pte", "PTE of page 0",
		   !before ? "hole before madvise?" :
		   after ? "still present" : "present, then a hole");
	mmapdemo_get_stats(t->md, &s0);
	tour_touch_pages(p, LC_PAGES, t->ps);
	mmapdemo_get_stats(t->md, &s1);
	kept = !memcmp(p, "kept", 5);
	faults = (long)(s1.faults - s0.faults + s1.around_pages -
			s0.around_pages);
	report_i64("refaults", "pages refaulted", faults);
	report_bool("kept", "the data is still there", kept);
	munmap(p, LC_PAGES * (size_t)t->ps);
	mmapdemo_close(md);
	if (pfnmap)
		return ret == -EINVAL && before && after && faults == 0 && kept;
	return !ret && before && !after && faults == LC_PAGES && kept;
}

static void dontneed_run(struct tour *t)
{
	static const unsigned int strategies[] = {
		MMAPDEMO_STRATEGY_FAULT, MMAPDEMO_STRATEGY_INSERT,
		MMAPDEMO_STRATEGY_REMAP,
	};
	bool ok[3];

	report_text("MADV_DONTNEED drops the PTEs of a range (the zap traced below); the");
	report_text("next touch faults the pages in again through ->fault, and the data,");
	report_text("which lives in the device, is still there.  The insert strategy keeps");
	report_text("a ->fault for this.  The core refuses every VM_PFNMAP VMA by that flag");
	report_text("alone, even one with a ->fault (fault and huge on a BAR): remap's VMA");
	report_text("is VM_PFNMAP, so madvise() fails with EINVAL there.");
	for (unsigned int i = 0; i < 3; i++) {
		tour_device_section(strategies[i]);
		ok[i] = dontneed_one(t, strategies[i]);
		report_close();
	}
	if (ok[0] && ok[1] && ok[2])
		tour_verdict(t, true,
			     "fault and insert: PTEs dropped, 4 pages faulted in again, data kept; remap: EINVAL, PTEs kept");
	else
		tour_verdict(t, false,
			     "fault %s, insert %s, remap %s",
			     ok[0] ? "ok" : "NOT ok", ok[1] ? "ok" : "NOT ok",
			     ok[2] ? "ok" : "NOT ok");
}

const struct tour_experiment tour_dontneed = {
	.name = "dontneed",
	.title = "MADV_DONTNEED and the refault",
	.shows = "MADV_DONTNEED empties page-table entries that a fault can fill again; the device's data stays where it is.",
	.run = dontneed_run,
};

/* ------------------------------------------------------------------ */

/* The module's reference count, or -1. */
static long module_refcnt(void)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open(REFCNT_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

static void rmmod_run(struct tour *t)
{
	static const char *const marks[] = { "try_stop_module", NULL };
	long ref_open, ref_mapped, ref_after;
	int ret, unload_err = 0;
	struct mmapdemo *md;
	char err[96], *p;
	bool still, ok;

	report_text("Opening /dev/mmapdemo takes a reference on the module (the misc core's");
	report_text("open takes the driver's file operations, which pin their module), dropped");
	report_text("when the file is released.  The VMA holds the file");
	report_text("(vma->vm_file), so after close() the mapping alone keeps the module:");
	report_text("delete_module() fails with EWOULDBLOCK (EAGAIN) until munmap().  The tour");
	report_text("closes its own file for this, and does not unload the module.");
	tour_device_section(t->info.default_strategy);
	mmapdemo_close(t->md);
	t->md = NULL;
	ret = lc_map(t, t->info.default_strategy, &md, &p);
	report_str("mmap", "mmap and read 4 pages",
		   tour_err_text(ret, err, sizeof(err)));
	if (ret) {
		report_close();
		tour_verdict(t, false, "mmap failed");
		goto reopen;
	}
	memcpy(p, "alive", 6);
	ref_open = module_refcnt();
	mmapdemo_close(md);
	ref_mapped = module_refcnt();
	tour_trace_start(t);
	unload_err = mmapdemo_module_unload();
	tour_trace_stop(t, "unload_calls", "calls in delete_module()", marks);
	still = access(t->cli->device ?: MMAPDEMO_DEVICE, F_OK) == 0 &&
		!memcmp(p, "alive", 6);
	munmap(p, LC_PAGES * (size_t)t->ps);
	ref_after = module_refcnt();
	report_i64("refcnt_open", "refcnt: open, mapped",
		   ref_open);
	report_i64("refcnt_mapped", "refcnt: closed, mapped",
		   ref_mapped);
	report_str("unload", "rmmod, still mapped",
		   tour_err_text(unload_err, err, sizeof(err)));
	report_bool("still_there", "device still there", still);
	report_i64("refcnt_after", "refcnt: after munmap", ref_after);
	report_close();
	ok = unload_err == -EWOULDBLOCK && still && ref_mapped >= 1 &&
	     ref_mapped == ref_open && ref_after == ref_mapped - 1;
	if (ok)
		tour_verdict(t, true,
			     "rmmod failed with EWOULDBLOCK (EAGAIN) while the mapping held the file; munmap() dropped the module's refcount from %ld to %ld",
			     ref_mapped, ref_after);
	else
		tour_verdict(t, false,
			     "rmmod %s (expected EWOULDBLOCK); refcount open %ld, mapped %ld, after munmap %ld",
			     unload_err ? strerrorname_np(-unload_err) : "succeeded",
			     ref_open, ref_mapped, ref_after);
reopen:
	ret = mmapdemo_open(t->cli->device, O_RDWR, &t->md);
	if (ret)
		t->md = NULL;
}

const struct tour_experiment tour_rmmod = {
	.name = "rmmod",
	.title = "rmmod while the device is mapped",
	.shows = "A mapping keeps the driver's module loaded even after its file descriptor is closed.",
	.run = rmmod_run,
};
