// SPDX-License-Identifier: GPL-2.0
/*
 * The experiments of the classic mmap tutorial, each run against the
 * tour's regular file and against /dev/mmapdemo side by side:
 *
 *   shared_write   a MAP_SHARED write reaches the backing store
 *   prot_read      a write to a PROT_READ mapping raises SIGSEGV
 *   private_write  a MAP_PRIVATE write does not reach the backing store
 *   two_processes  two processes talk through one shared mapping
 *   lazy_vs_eager  faults taken by the fault, remap and insert strategies
 *   populate       MAP_POPULATE takes the faults inside mmap()
 *   map_sync       MAP_SYNC is refused with EOPNOTSUPP (no DAX)
 *   map_hugetlb    MAP_HUGETLB is refused with EINVAL (no hugetlbfs)
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tour.h"

/* What a file's fault runs: the file system's ->fault, fault-around. */
static const char *const file_fault_marks[] = {
	"shmem_fault", "filemap_fault", "filemap_map_pages", NULL
};

/* Copy on write: the copying fault handlers. */
static const char *const cow_marks[] = {
	"do_cow_fault", "wp_page_copy", NULL
};

/* mmap() of a file or, with @dev, of the device; traced for the device. */
static int map_traced(struct tour *t, int fd, bool dev, size_t len, int prot,
		      int flags, void **addr)
{
	int ret;

	if (!dev)
		return tour_map_fd(fd, len, prot, flags, addr);
	tour_trace_start(t);
	ret = tour_map_fd(fd, len, prot, flags, addr);
	tour_trace_stop(t, "mmap_calls", "calls in mmap()", NULL);
	return ret;
}

static bool shared_write_one(struct tour *t, int fd, bool dev)
{
	const char *msg = "written through a MAP_SHARED mapping";
	void *p = NULL;
	char err[96];
	bool seen;
	int ret;

	ret = tour_fill(fd, 0, t->ps);
	if (!ret)
		ret = map_traced(t, fd, dev, t->ps, PROT_READ | PROT_WRITE,
				 MAP_SHARED, &p);
	report_str("mmap", "mmap(MAP_SHARED)",
		   tour_err_text(ret, err, sizeof(err)));
	if (ret)
		return false;
	tour_trace_start(t);
	memcpy(p, msg, strlen(msg));
	tour_trace_stop(t, "touch_calls", "calls, first write",
			file_fault_marks);
	seen = tour_holds(fd, msg);
	munmap(p, t->ps);
	report_bool("reached", "pread sees the write", seen);
	return seen;
}

static void shared_write_run(struct tour *t)
{
	unsigned int s = t->info.default_strategy;
	bool file_ok, dev_ok = false;
	struct mmapdemo *md;

	report_text("A MAP_SHARED mapping maps the backing store's own pages (the file's");
	report_text("page cache, the device's memory), so a store through the mapping is a");
	report_text("store into the file or device, and pread(2) copies from the same pages.");
	report_section("file", "file");
	file_ok = shared_write_one(t, t->file_fd, false);
	report_close();
	tour_device_section(s);
	if (!tour_dev_open(t, s, &md)) {
		dev_ok = shared_write_one(t, mmapdemo_fd(md), true);
		mmapdemo_close(md);
	}
	report_close();
	if (file_ok && dev_ok)
		tour_verdict(t, true,
			     "the shared write reached the backing store on both");
	else
		tour_verdict(t, false,
			     "the shared write did not reach the %s",
			     !file_ok && !dev_ok ? "file nor the device" :
			     !file_ok ? "file" : "device");
}

const struct tour_experiment tour_shared_write = {
	.name = "shared_write",
	.title = "a MAP_SHARED write reaches the backing store",
	.shows = "A store through a MAP_SHARED mapping is seen at once by read(2) of the same file or device.",
	.run = shared_write_run,
};

/* ------------------------------------------------------------------ */

/* Where a forbidden access goes: the signal it ends in. */
static const char *const prot_marks[] = { "force_sig_fault", NULL };

static bool prot_read_one(struct tour *t, int fd)
{
	volatile char *p;
	void *addr = NULL;
	int ret, sig, code = 0;
	char err[96];
	bool ok;

	ret = tour_fill(fd, 'r', t->ps);
	if (!ret)
		ret = tour_map_fd(fd, t->ps, PROT_READ, MAP_SHARED, &addr);
	report_str("mmap", "mmap(PROT_READ)",
		   tour_err_text(ret, err, sizeof(err)));
	if (ret)
		return false;
	p = addr;
	tour_trace_start(t);
	sig = touch_probe(p, true, 'w', NULL, NULL, &code);
	tour_trace_stop(t, "touch_calls", "calls, the write", prot_marks);
	report_str("signal", "signal on write", sig ? strsignal(sig) : "none");
	if (sig)
		report_str("si_code", "si_code", signal_code_name(sig, code));
	ok = sig == SIGSEGV && code == SEGV_ACCERR && p[0] == 'r';
	munmap(addr, t->ps);
	ok = ok && tour_holds(fd, "rrrr");
	report_bool("unchanged", "data unchanged (pread)", tour_holds(fd, "rrrr"));
	return ok;
}

static void prot_read_run(struct tour *t)
{
	bool file_ok, dev_ok = false;
	struct mmapdemo *md;

	report_text("The VMA lacks VM_WRITE.  Its PTE may be a hole (nothing touched yet) or");
	report_text("present and read-only: either way the store faults, and the fault handler");
	report_text("finds the VMA, sees that its flags do not allow writes and sends SIGSEGV");
	report_text("with si_code SEGV_ACCERR (SEGV_MAPERR would mean no VMA covers the address).");
	report_text("Neither the file's nor the device's fault handler ever runs.");
	report_section("file", "file");
	file_ok = prot_read_one(t, t->file_fd);
	report_close();
	tour_device_section(t->info.default_strategy);
	if (!tour_dev_open(t, t->info.default_strategy, &md)) {
		dev_ok = prot_read_one(t, mmapdemo_fd(md));
		mmapdemo_close(md);
	}
	report_close();
	if (file_ok && dev_ok)
		tour_verdict(t, true,
			     "the write raised SIGSEGV (SEGV_ACCERR) on both; nothing changed");
	else
		tour_verdict(t, false,
			     "expected SIGSEGV with SEGV_ACCERR on both: file %s, device %s",
			     file_ok ? "yes" : "no", dev_ok ? "yes" : "no");
}

const struct tour_experiment tour_prot_read = {
	.name = "prot_read",
	.title = "writing a PROT_READ mapping raises SIGSEGV",
	.shows = "The kernel checks a store against the VMA's permissions and answers a forbidden one with SIGSEGV, before any driver code runs.",
	.run = prot_read_run,
};

/* ------------------------------------------------------------------ */

/*
 * Write through a MAP_PRIVATE mapping of @fd.  Returns 1 if the writer sees
 * its data and the backing store does not, 0 if not, or the negative errno
 * of mmap().
 */
static int private_write_one(struct tour *t, int fd, bool dev)
{
	const char *msg = "private copy";
	bool mine, leaked;
	void *p = NULL;
	char err[96];
	int ret;

	ret = tour_fill(fd, 'o', t->ps);
	if (!ret)
		ret = map_traced(t, fd, dev, t->ps, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE, &p);
	report_str("mmap", "mmap(MAP_PRIVATE)",
		   tour_err_text(ret, err, sizeof(err)));
	if (ret)
		return ret;
	tour_trace_start(t);
	memcpy(p, msg, strlen(msg));
	tour_trace_stop(t, "touch_calls", "calls, first write", cow_marks);
	mine = !memcmp(p, msg, strlen(msg));
	leaked = !tour_holds(fd, "oooo");
	munmap(p, t->ps);
	report_bool("writer_sees", "the writer sees it", mine);
	report_bool("reached", "pread sees the write", leaked);
	return mine && !leaked;
}

static void private_write_run(struct tour *t)
{
	static const unsigned int strategies[] = {
		MMAPDEMO_STRATEGY_FAULT, MMAPDEMO_STRATEGY_INSERT,
		MMAPDEMO_STRATEGY_REMAP,
	};
	int res[3] = { 0 };
	struct mmapdemo *md;
	bool file_ok, ok;

	report_text("The first write to a page of a MAP_PRIVATE mapping faults and ends in");
	report_text("a copy of the page, an anonymous page of the writer's own, mapped");
	report_text("writable: copy on write.  Where a read-only PTE is there already, or");
	report_text("the driver's ->fault maps one itself (the fault strategy), the copy is");
	report_text("made by a fault on that present PTE: a second fault for the fault");
	report_text("strategy.");
	report_text("The backing store keeps its data.");
	report_section("file", "file");
	file_ok = private_write_one(t, t->file_fd, false) == 1;
	report_close();
	for (unsigned int i = 0; i < 3; i++) {
		tour_device_section(strategies[i]);
		res[i] = tour_dev_open(t, strategies[i], &md);
		if (!res[i]) {
			res[i] = private_write_one(t, mmapdemo_fd(md), true);
			mmapdemo_close(md);
		}
		if (strategies[i] == MMAPDEMO_STRATEGY_REMAP &&
		    res[i] == -EINVAL) {
			report_text("%s refused: the core remaps a copy-on-write VM_PFNMAP", t->mmap_fn);
			report_text("mapping only whole, and sets its vm_pgoff to the first PFN, which is");
			report_text("how vm_normal_page() tells original PTEs from copied pages where PTEs");
			report_text("have no special bit; the remap strategy's vm_pgoff is the device offset");
			report_text("that ->access, the walk and /proc/PID/maps use, so it refuses every");
			report_text("MAP_PRIVATE mapping (Documentation/semantics.rst)");
		}
		report_close();
	}
	ok = file_ok && res[0] == 1 && res[1] == 1 && res[2] == -EINVAL;
	if (ok)
		tour_verdict(t, true,
			     "the private write stayed private on the file and on the device (fault, insert); remap refused MAP_PRIVATE with EINVAL, as documented");
	else
		tour_verdict(t, false,
			     "file %s, fault %s, insert %s, remap %s (expected EINVAL)",
			     file_ok ? "private" : "NOT private",
			     res[0] == 1 ? "private" : "NOT private",
			     res[1] == 1 ? "private" : "NOT private",
			     res[2] < 0 ? strerrorname_np(-res[2]) ?: "error" :
					  "mapped");
}

const struct tour_experiment tour_private_write = {
	.name = "private_write",
	.title = "a MAP_PRIVATE write does not reach the backing store",
	.shows = "A store through a MAP_PRIVATE mapping goes to a private copy of the page, never to the file or device.",
	.run = private_write_run,
};

/* ------------------------------------------------------------------ */

/*
 * Fork a child that writes a message into a shared mapping of @fd (of
 * anonymous memory if @fd is negative) and says so through a pipe; read
 * the message in the parent.  true if it arrived.
 */
/* What fork() and a shared anonymous mmap() run for the mapping. */
static const char *const share_marks[] = {
	"dup_mmap", "shmem_zero_setup", NULL
};

static bool two_processes_one(struct tour *t, int fd, bool traced)
{
	char err[96], expect[64], got[64];
	struct pollfd pfd;
	int pipefd[2], ret, status = 0;
	char *p = NULL;
	void *addr = NULL;
	bool ok;
	pid_t pid;

	ret = fd < 0 ? 0 : tour_fill(fd, 0, t->ps);
	if (!ret && traced && fd < 0) {
		tour_trace_start(t);
		ret = tour_map_fd(fd, t->ps, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, &addr);
		tour_trace_stop(t, "mmap_calls", "calls in mmap()", share_marks);
	} else if (!ret) {
		ret = tour_map_fd(fd, t->ps, PROT_READ | PROT_WRITE,
				  fd < 0 ? MAP_SHARED | MAP_ANONYMOUS :
					   MAP_SHARED, &addr);
	}
	report_str("mmap", fd < 0 ? "mmap(MAP_SHARED|ANON)" : "mmap(MAP_SHARED)",
		   tour_err_text(ret, err, sizeof(err)));
	if (ret)
		return false;
	p = addr;
	if (pipe(pipefd)) {
		munmap(addr, t->ps);
		return false;
	}
	fflush(stdout);
	if (traced)
		tour_trace_start(t);
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		snprintf(p, 64, "hello from child pid %d", (int)getpid());
		_exit(write(pipefd[1], "", 1) == 1 ? 0 : 1);
	}
	if (traced)
		tour_trace_stop(t, "fork_calls", "calls in fork()", share_marks);
	close(pipefd[1]);
	ok = false;
	got[0] = '\0';
	if (pid > 0) {
		pfd.fd = pipefd[0];
		pfd.events = POLLIN;
		/* The child's one byte, or a hang-up if it died first. */
		if (poll(&pfd, 1, 10000) == 1 && read(pipefd[0], got, 1) == 1) {
			snprintf(expect, sizeof(expect),
				 "hello from child pid %d", (int)pid);
			memcpy(got, p, sizeof(got) - 1);
			got[sizeof(got) - 1] = '\0';
			ok = !strcmp(got, expect);
		}
		if (!ok)
			kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	close(pipefd[0]);
	munmap(addr, t->ps);
	report_i64("child_pid", "child pid", pid);
	report_str("parent_read", "the parent read", got[0] ? got : "(nothing)");
	return ok;
}

static void two_processes_run(struct tour *t)
{
	bool file_ok, anon_ok, dev_ok = false;
	struct mmapdemo *md;

	report_text("fork() copies the VMA into the child (and calls vm_ops->open for the");
	report_text("device); a MAP_SHARED VMA still maps the same pages, so the child's");
	report_text("store is the parent's load.  A pipe tells the parent when to look.");
	report_text("Shared anonymous memory works the same way: mmap() gives a");
	report_text("MAP_SHARED|MAP_ANONYMOUS mapping a shmem file of its own, which only the");
	report_text("mapping and its copies made by fork() can reach.");
	report_section("file", "file");
	file_ok = two_processes_one(t, t->file_fd, false);
	report_close();
	report_section("shared_anonymous", "shared anonymous memory");
	anon_ok = two_processes_one(t, -1, true);
	report_close();
	tour_device_section(t->info.default_strategy);
	if (!tour_dev_open(t, t->info.default_strategy, &md)) {
		dev_ok = two_processes_one(t, mmapdemo_fd(md), true);
		mmapdemo_close(md);
	}
	report_close();
	if (file_ok && anon_ok && dev_ok)
		tour_verdict(t, true,
			     "the parent read the child's message on all three");
	else
		tour_verdict(t, false,
			     "the child's message did not arrive: file %s, shared anonymous %s, device %s",
			     file_ok ? "ok" : "lost", anon_ok ? "ok" : "lost",
			     dev_ok ? "ok" : "lost");
}

const struct tour_experiment tour_two_processes = {
	.name = "two_processes",
	.title = "two processes talk through one shared mapping",
	.shows = "After fork() a parent and its child map the same pages of a file, of shared anonymous memory or of the device, so one's store is the other's load.",
	.run = two_processes_run,
};

/* ------------------------------------------------------------------ */

struct fault_count {
	int err;		/* of mmap() */
	uintptr_t start;	/* where the mapping was */
	int64_t eager;		/* eager_pages delta during mmap() */
	int64_t mmap_faults;	/* ->fault calls during mmap() */
	int64_t mmap_around;	/* pages ->fault mapped around, in mmap() */
	int64_t touch_faults;	/* ->fault calls while touching */
	int64_t touch_around;	/* pages ->fault mapped around, touching */
	long mmap_minflt;	/* minor faults during mmap() */
	long touch_minflt;	/* minor faults while touching */
};

/*
 * Map @pages of @fd with @flags, touch each page, count what happened;
 * the mmap() is traced for the device (@dev) or with MAP_POPULATE, and the
 * first touch always.
 */
static void count_faults(struct tour *t, int fd, bool dev, int flags,
			 struct fault_count *fc)
{
	struct mmapdemo_stats s0, s1, s2;
	size_t len = (size_t)t->pages * t->ps;
	long m0, m1, m2;
	void *p = NULL;

	memset(fc, 0, sizeof(*fc));
	mmapdemo_get_stats(t->md, &s0);
	if (dev || (flags & MAP_POPULATE))
		tour_trace_start(t);
	m0 = minor_faults();
	fc->err = tour_map_fd(fd, len, PROT_READ | PROT_WRITE, flags, &p);
	m1 = minor_faults();
	/* The trace ends before the counters' ioctl, which is not mmap()'s. */
	if (dev || (flags & MAP_POPULATE))
		tour_trace_stop(t, "mmap_calls", "calls in mmap()",
				dev ? NULL : file_fault_marks);
	mmapdemo_get_stats(t->md, &s1);
	if (fc->err)
		return;
	m2 = tour_touch_traced(t, p, t->pages, "touch_calls",
			       "calls, first read",
			       dev ? NULL : file_fault_marks);
	mmapdemo_get_stats(t->md, &s2);
	munmap(p, len);
	fc->start = (uintptr_t)p;
	fc->eager = (int64_t)(s1.eager_pages - s0.eager_pages);
	fc->mmap_faults = (int64_t)(s1.faults - s0.faults);
	fc->mmap_around = (int64_t)(s1.around_pages - s0.around_pages);
	fc->touch_faults = (int64_t)(s2.faults - s1.faults);
	fc->touch_around = (int64_t)(s2.around_pages - s1.around_pages);
	fc->mmap_minflt = m1 - m0;
	fc->touch_minflt = m2;
}

/*
 * Read faults the fault strategy takes to map @fc's range page by page with
 * a fault-around window of @around pages: one per aligned window the range
 * touches (fault_map_around() clips the window to the VMA), or one per
 * page without fault-around.
 */
static int64_t faults_expected(const struct tour *t,
			       const struct fault_count *fc,
			       unsigned int around)
{
	uintptr_t win, first, end;

	if (around <= 1)
		return t->pages;
	win = (uintptr_t)around * t->ps;
	first = fc->start & ~(win - 1);
	end = fc->start + (uintptr_t)t->pages * t->ps;
	return (int64_t)((end - first + win - 1) / win);
}

static void lazy_vs_eager_run(struct tour *t)
{
	static const unsigned int strategies[] = {
		MMAPDEMO_STRATEGY_FAULT, MMAPDEMO_STRATEGY_REMAP,
		MMAPDEMO_STRATEGY_INSERT,
	};
	unsigned int around = tour_fault_around();
	struct fault_count fc[3], ffc;
	int64_t want_faults = t->pages;
	bool ok = true, file_ok;
	struct mmapdemo *md;

	report_text("Map %u pages and read one byte of each.  ->fault calls and pages mapped", t->pages);
	report_text("at mmap() come from the device's counters; minor faults from getrusage().");
	report_u64("pages", "pages", t->pages);
	for (unsigned int i = 0; i < 3; i++) {
		bool lazy = strategies[i] == MMAPDEMO_STRATEGY_FAULT;

		tour_device_section(strategies[i]);
		if (tour_dev_open(t, strategies[i], &md)) {
			ok = false;
			report_close();
			continue;
		}
		count_faults(t, mmapdemo_fd(md), true, MAP_SHARED, &fc[i]);
		mmapdemo_close(md);
		report_i64("eager_pages", "mapped at mmap()", fc[i].eager);
		report_i64("faults", "->fault on touch", fc[i].touch_faults);
		if (lazy)
			report_i64("around_pages", "pages mapped around",
				   fc[i].touch_around);
		report_i64("minor_faults", "minor faults on touch", fc[i].touch_minflt);
		if (lazy) {
			want_faults = faults_expected(t, &fc[i], around);
			ok = ok && !fc[i].err && fc[i].eager == 0 &&
			     fc[i].touch_faults == want_faults &&
			     fc[i].touch_faults + fc[i].touch_around ==
				     t->pages;
		} else {
			ok = ok && !fc[i].err && fc[i].eager == t->pages &&
			     fc[i].touch_faults == 0;
		}
		report_close();
	}
	report_text("fault: %s maps nothing; each first touch faults, and the", t->mmap_fn);
	report_text("core calls the driver's ->fault (the calls above).  The fault strategy's");
	report_text("fault_fault() maps that one page itself with vm_insert_page() (the");
	report_text("VMA is VM_MIXEDMAP): one ->fault per page.  It has no ->map_pages, the");
	report_text("callback of the core's fault-around, so 6.12 and later do not call");
	report_text("->fault under the per-VMA lock (vmf_can_call_fault()): the core retries");
	report_text("the fault under the mmap_lock, as for any driver's mapping.");
	if (around > 1)
		report_text("An old module's fault_around=%u is set; this module has no such parameter.", around);
	report_text("remap and insert fill every PTE inside mmap() (their calls in mmap()");
	report_text("above), so the touches find them present and never fault.");

	report_section("file", "file");
	report_str("file_system", "file system", t->file_fs);
	count_faults(t, t->file_fd, false, MAP_SHARED, &ffc);
	report_i64("minor_faults", "minor faults on touch", ffc.touch_minflt);
	file_ok = !ffc.err && ffc.touch_minflt >= 1 &&
		  ffc.touch_minflt <= t->pages;
	if (ffc.touch_minflt < t->pages) {
		unsigned long window = tour_fault_around_bytes();

		report_text("Fewer faults than pages: fault-around.  A read fault on a file calls");
		report_text("the file's ->map_pages first (filemap_map_pages() for %s too;",
			    t->file_fs);
		report_text("%s), which maps the",
			    t->traced ? "the calls above show from where on this kernel" :
					"the calls were not traced here");
		report_text("page-cache pages already there around the fault, up");
		/* The window as this kernel has it set, never a default. */
		if (window)
			report_text("to fault_around_bytes (%lu KiB, %lu pages here, from debugfs) per fault.",
				    window >> 10, window / t->ps);
		else
			report_text("to fault_around_bytes per fault (debugfs, not readable here).");
	}
	report_close();

	ok = ok && file_ok;
	if (ok)
		tour_verdict(t, true,
			     "fault took %lld ->fault calls for %u pages; remap and insert mapped all %u pages at mmap time and took 0 ->fault calls; the file took %ld minor faults for %u pages",
			     (long long)fc[0].touch_faults, t->pages,
			     t->pages, ffc.touch_minflt, t->pages);
	else
		tour_verdict(t, false,
			     "fault: %lld ->fault (expected %lld), %lld around, %lld eager; remap: %lld ->fault, %lld eager; insert: %lld ->fault, %lld eager; file: %ld minor faults (for %u pages)",
			     (long long)fc[0].touch_faults,
			     (long long)want_faults,
			     (long long)fc[0].touch_around,
			     (long long)fc[0].eager,
			     (long long)fc[1].touch_faults,
			     (long long)fc[1].eager,
			     (long long)fc[2].touch_faults,
			     (long long)fc[2].eager, ffc.touch_minflt,
			     t->pages);
}

const struct tour_experiment tour_lazy_vs_eager = {
	.name = "lazy_vs_eager",
	.title = "who maps the pages, and when",
	.shows = "A lazy driver maps each page at its first touch through a page fault; an eager one fills the page table inside mmap().",
	.run = lazy_vs_eager_run,
};

/* ------------------------------------------------------------------ */

static void populate_run(struct tour *t)
{
	struct fault_count fc = { .err = -ENODEV }, ffc;
	struct mmapdemo *md;
	bool dev_ok, file_ok;

	report_text("MAP_POPULATE makes mmap() fault every page in, the way get_user_pages");
	report_text("does, before it returns, so the program's own touches find the PTEs");
	report_text("present.  The device's fault strategy maps one page per ->fault there");
	report_text("too.");
	report_u64("pages", "pages", t->pages);
	tour_device_section(MMAPDEMO_STRATEGY_FAULT);
	if (!tour_dev_open(t, MMAPDEMO_STRATEGY_FAULT, &md)) {
		count_faults(t, mmapdemo_fd(md), true,
			     MAP_SHARED | MAP_POPULATE, &fc);
		mmapdemo_close(md);
	}
	report_i64("mmap_faults", "->fault in mmap()", fc.mmap_faults);
	report_i64("mmap_around", "mapped around in mmap()",
		   fc.mmap_around);
	report_i64("touch_faults", "->fault on touch", fc.touch_faults);
	report_i64("touch_minor_faults", "minor faults on touch", fc.touch_minflt);
	report_close();
	dev_ok = !fc.err && fc.mmap_faults >= 1 &&
		 fc.mmap_faults + fc.mmap_around == t->pages &&
		 fc.touch_faults == 0;

	report_section("file", "file");
	count_faults(t, t->file_fd, false, MAP_SHARED | MAP_POPULATE, &ffc);
	report_i64("mmap_minor_faults", "minor faults in mmap()", ffc.mmap_minflt);
	report_i64("touch_minor_faults", "minor faults on touch", ffc.touch_minflt);
	report_close();
	report_text("Faults taken by get_user_pages count as this process's minor faults");
	report_text("too (mm_account_fault()), with fault-around for the file as before.");
	file_ok = !ffc.err && ffc.touch_minflt == 0;

	if (dev_ok && file_ok)
		tour_verdict(t, true,
			     "mmap() mapped all %u pages of the device (%lld ->fault calls, %lld pages around) and the touches took no ->fault; the file's touches took 0 minor faults",
			     t->pages, (long long)fc.mmap_faults,
			     (long long)fc.mmap_around);
	else
		tour_verdict(t, false,
			     "device: %lld ->fault and %lld around in mmap(), %lld ->fault on touch (expected %u pages in mmap() and 0 on touch); file: %ld minor faults on touch (expected 0)",
			     (long long)fc.mmap_faults,
			     (long long)fc.mmap_around,
			     (long long)fc.touch_faults, t->pages,
			     ffc.touch_minflt);
}

const struct tour_experiment tour_populate = {
	.name = "populate",
	.title = "MAP_POPULATE takes the faults inside mmap()",
	.shows = "MAP_POPULATE moves the page faults from the first touches into the mmap() call itself.",
	.run = populate_run,
};

/* ------------------------------------------------------------------ */

/*
 * mmap one page of @fd with @flags, traced for the device (@dev) down to
 * the deepest of @marks; the negative errno, or 0 (unmapped).
 */
static int try_map(struct tour *t, int fd, bool dev, int flags,
		   const char *const *marks)
{
	void *p = NULL;
	int ret;

	if (dev)
		tour_trace_start(t);
	ret = tour_map_fd(fd, t->ps, PROT_READ | PROT_WRITE, flags, &p);
	if (dev)
		tour_trace_stop(t, "mmap_calls", "calls in mmap()", marks);
	if (!ret)
		munmap(p, t->ps);
	return ret;
}

/* The refusal experiments: both must fail with @want. */
static void refused(struct tour *t, int flags, int want, const char *flag_text,
		    const char *const *marks)
{
	struct mmapdemo_stats s0, s1;
	struct mmapdemo *md;
	int file_err, dev_err = -ENODEV;
	char err[96];

	file_err = try_map(t, t->file_fd, false, flags, NULL);
	report_str("file", "file", tour_err_text(file_err, err, sizeof(err)));
	mmapdemo_get_stats(t->md, &s0);
	if (!tour_dev_open(t, t->info.default_strategy, &md)) {
		dev_err = try_map(t, mmapdemo_fd(md), true, flags, marks);
		mmapdemo_close(md);
	}
	mmapdemo_get_stats(t->md, &s1);
	report_str("device", "device", tour_err_text(dev_err, err, sizeof(err)));
	report_bool("reached_driver", "device counted a mapping",
		    s1.mmaps != s0.mmaps);
	if (file_err == -want && dev_err == -want && s1.mmaps == s0.mmaps)
		tour_verdict(t, true, "%s was refused with %s on both",
			     flag_text, strerrorname_np(want));
	else
		tour_verdict(t, false,
			     "%s: file %s, device %s (expected %s on both, before the driver)",
			     flag_text,
			     file_err ? strerrorname_np(-file_err) : "mapped",
			     dev_err ? strerrorname_np(-dev_err) : "mapped",
			     strerrorname_np(want));
}

static void map_sync_run(struct tour *t)
{
	static const char *const marks[] = { "do_mmap", NULL };

	report_text("MAP_SYNC promises that a DAX file's metadata is durable before a write");
	report_text("fault returns.  do_mmap() accepts it only where the file's f_op says so");
	report_text("(mmap_supported_flags on 6.1, FOP_MMAP_SYNC on 6.12 and later: ext4,");
	report_text("xfs, device DAX), and ext4's and xfs's mmap handlers then refuse a file");
	report_text("that is not on DAX.  With MAP_SHARED_VALIDATE, a flag the f_op does not");
	report_text("allow (tmpfs, the device) fails with EOPNOTSUPP before the file's mmap");
	report_text("handler is called.");
	refused(t, MAP_SHARED_VALIDATE | MAP_SYNC, EOPNOTSUPP,
		"MAP_SHARED_VALIDATE|MAP_SYNC", marks);
}

const struct tour_experiment tour_map_sync = {
	.name = "map_sync",
	.title = "MAP_SHARED_VALIDATE|MAP_SYNC is refused",
	.shows = "The core refuses a mapping flag that the file does not declare before the file's mmap handler runs.",
	.run = map_sync_run,
};

static void map_hugetlb_run(struct tour *t)
{
	static const char *const marks[] = { "ksys_mmap_pgoff", NULL };

	report_text("MAP_HUGETLB asks for pages from a hugetlb pool.  For a file mapping,");
	report_text("ksys_mmap_pgoff() (mm/mmap.c) accepts it only");
	report_text("when the file is on hugetlbfs (is_file_hugepages()), and otherwise fails");
	report_text("with EINVAL before do_mmap(): neither the %s file nor the device gets a say.",
		    t->file_fs);
	refused(t, MAP_SHARED | MAP_HUGETLB, EINVAL, "MAP_HUGETLB", marks);
}

const struct tour_experiment tour_map_hugetlb = {
	.name = "map_hugetlb",
	.title = "MAP_HUGETLB is refused for files",
	.shows = "A file mapping gets huge pages from MAP_HUGETLB only on hugetlbfs; the system call refuses it for any other file.",
	.run = map_hugetlb_run,
};
