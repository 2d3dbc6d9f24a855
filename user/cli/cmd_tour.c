// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo tour: the experiments of the classic mmap tutorial, each run
 * against a regular file and against /dev/mmapdemo side by side, each
 * ending in a verdict that says what happened and whether that is what the
 * experiment expects.
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
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

/* Pages the fault-counting experiments map: four fault-around windows. */
#define TOUR_PAGES 64

struct tour {
	const struct cli *cli;
	struct mmapdemo *md;	/* for the counters, which are device-wide */
	struct mmapdemo_info info;
	uint32_t ps;
	unsigned int pages;	/* TOUR_PAGES, or fewer on a small device */
	int file_fd;
	char file_path[64];
	unsigned int run;
	unsigned int expected;
};

/* The verdict line: what happened, and whether it was expected. */
static void verdict(struct tour *t, bool ok, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void verdict(struct tour *t, bool ok, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->run++;
	if (ok)
		t->expected++;
	if (report_json()) {
		report_bool("as_expected", NULL, ok);
		report_str("verdict", NULL, msg);
	} else {
		report_text("verdict: %s: %s", ok ? "as expected" :
			    "NOT as expected", msg);
	}
}

/* A mapping's outcome as text: "ok" or the errno's name and message. */
static const char *err_text(int err, char *buf, size_t size)
{
	if (!err)
		return "ok";
	snprintf(buf, size, "%s (errno %d, %s)", strerrorname_np(-err) ?: "?",
		 -err, strerror(-err));
	return buf;
}

/*
 * The module's front end, "mmap" or "mmap_prepare", from the device's
 * sysfs directory; "unknown" if the module does not say.
 */
static void front_end(const char *dev, char *buf, size_t size)
{
	const char *name = strrchr(dev, '/');
	char path[256];
	FILE *f;

	snprintf(buf, size, "unknown");
	snprintf(path, sizeof(path), "/sys/class/misc/%s/front_end",
		 name ? name + 1 : dev);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	else
		snprintf(buf, size, "unknown");
	fclose(f);
}

static int map_fd(int fd, size_t len, int prot, int flags, void **addr)
{
	void *p = mmap(NULL, len, prot, flags, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

/* A fresh open file of the device with its own strategy. */
static int dev_open(struct tour *t, unsigned int strategy,
		    struct mmapdemo **md)
{
	int ret;

	ret = mmapdemo_open(t->cli->device, O_RDWR, md);
	if (ret)
		return ret;
	ret = mmapdemo_set_strategy(*md, strategy);
	if (ret) {
		mmapdemo_close(*md);
		*md = NULL;
	}
	return ret;
}

/* A section for the device opened with @strategy: "device_fault". */
static void device_section(unsigned int strategy)
{
	const char *name = mmapdemo_strategy_name(strategy) ?: "?";
	char key[32], title[64];

	snprintf(key, sizeof(key), "device_%s", name);
	snprintf(title, sizeof(title), "device, strategy %s", name);
	report_section(key, title);
	if (report_json())
		report_str("strategy", NULL, name);
}

/* Fill the first @len bytes of @fd with @c, as the experiment's "before". */
static int fill(int fd, char c, size_t len)
{
	char *buf = malloc(len);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	memset(buf, c, len);
	n = pwrite(fd, buf, len, 0);
	free(buf);
	return n == (ssize_t)len ? 0 : -EIO;
}

/* Does @fd hold @s at offset 0, as pread(2) sees it? */
static bool holds(int fd, const char *s)
{
	char buf[128];
	size_t len = strlen(s);

	if (len > sizeof(buf) || pread(fd, buf, len, 0) != (ssize_t)len)
		return false;
	return !memcmp(buf, s, len);
}

/* ------------------------------------------------------------------ */

static bool shared_write_one(struct tour *t, int fd)
{
	const char *msg = "written through a MAP_SHARED mapping";
	void *p = NULL;
	char err[96];
	bool seen;
	int ret;

	ret = fill(fd, 0, t->ps);
	if (!ret)
		ret = map_fd(fd, t->ps, PROT_READ | PROT_WRITE, MAP_SHARED, &p);
	report_str("mmap", "mmap(MAP_SHARED)", err_text(ret, err, sizeof(err)));
	if (ret)
		return false;
	memcpy(p, msg, strlen(msg));
	seen = holds(fd, msg);
	munmap(p, t->ps);
	report_bool("reached", "pread sees the write", seen);
	return seen;
}

static void tour_shared_write(struct tour *t)
{
	struct mmapdemo *md;
	bool file_ok, dev_ok = false;
	int ret;

	report_section("shared_write", "a. shared_write: a MAP_SHARED write reaches the backing store");
	report_text("A MAP_SHARED mapping maps the backing store's own pages (the file's");
	report_text("page cache, the device's memory), so a store through the mapping is a");
	report_text("store into the file or device, and pread(2) copies from the same pages.");
	report_section("file", "file");
	file_ok = shared_write_one(t, t->file_fd);
	report_close();
	device_section(t->info.default_strategy);
	ret = dev_open(t, t->info.default_strategy, &md);
	if (!ret) {
		dev_ok = shared_write_one(t, mmapdemo_fd(md));
		mmapdemo_close(md);
	}
	report_close();
	if (file_ok && dev_ok)
		verdict(t, true, "the shared write reached the backing store on both");
	else
		verdict(t, false, "the shared write did not reach the %s",
			!file_ok && !dev_ok ? "file nor the device" :
			!file_ok ? "file" : "device");
	report_close();
}

/* ------------------------------------------------------------------ */

static bool prot_read_one(struct tour *t, int fd)
{
	volatile char *p;
	void *addr = NULL;
	int ret, sig, code = 0;
	char err[96];
	bool ok;

	ret = fill(fd, 'r', t->ps);
	if (!ret)
		ret = map_fd(fd, t->ps, PROT_READ, MAP_SHARED, &addr);
	report_str("mmap", "mmap(PROT_READ)", err_text(ret, err, sizeof(err)));
	if (ret)
		return false;
	p = addr;
	sig = touch_probe(p, true, 'w', NULL, NULL, &code);
	report_str("signal", "signal on write", sig ? strsignal(sig) : "none");
	if (sig)
		report_str("si_code", "si_code", signal_code_name(sig, code));
	ok = sig == SIGSEGV && code == SEGV_ACCERR && p[0] == 'r';
	munmap(addr, t->ps);
	ok = ok && holds(fd, "rrrr");
	report_bool("unchanged", "data unchanged (pread)", holds(fd, "rrrr"));
	return ok;
}

static void tour_prot_read(struct tour *t)
{
	struct mmapdemo *md;
	bool file_ok, dev_ok = false;

	report_section("prot_read", "b. prot_read: writing a PROT_READ mapping raises SIGSEGV");
	report_text("The VMA lacks VM_WRITE and the PTE lacks the write bit, so the store");
	report_text("faults: exc_page_fault -> do_user_addr_fault() finds the VMA, and");
	report_text("access_error() says the VMA does not allow writes; bad_area_access_error()");
	report_text("then sends SIGSEGV with si_code SEGV_ACCERR (SEGV_MAPERR would mean no VMA).");
	report_text("Neither the file's nor the device's fault handler ever runs.");
	report_section("file", "file");
	file_ok = prot_read_one(t, t->file_fd);
	report_close();
	device_section(t->info.default_strategy);
	if (!dev_open(t, t->info.default_strategy, &md)) {
		dev_ok = prot_read_one(t, mmapdemo_fd(md));
		mmapdemo_close(md);
	}
	report_close();
	if (file_ok && dev_ok)
		verdict(t, true, "the write raised SIGSEGV (SEGV_ACCERR) on both; nothing changed");
	else
		verdict(t, false, "expected SIGSEGV with SEGV_ACCERR on both: file %s, device %s",
			file_ok ? "yes" : "no", dev_ok ? "yes" : "no");
	report_close();
}

/* ------------------------------------------------------------------ */

/*
 * Write through a MAP_PRIVATE mapping of @fd.  Returns 1 if the writer sees
 * its data and the backing store does not, 0 if not, or the negative errno
 * of mmap().
 */
static int private_write_one(struct tour *t, int fd)
{
	const char *msg = "private copy";
	bool mine, leaked;
	void *p = NULL;
	char err[96];
	int ret;

	ret = fill(fd, 'o', t->ps);
	if (!ret)
		ret = map_fd(fd, t->ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, &p);
	report_str("mmap", "mmap(MAP_PRIVATE)", err_text(ret, err, sizeof(err)));
	if (ret)
		return ret;
	memcpy(p, msg, strlen(msg));
	mine = !memcmp(p, msg, strlen(msg));
	leaked = !holds(fd, "oooo");
	munmap(p, t->ps);
	report_bool("writer_sees", "the writer sees it", mine);
	report_bool("reached", "pread sees the write", leaked);
	return mine && !leaked;
}

static void tour_private_write(struct tour *t)
{
	static const unsigned int strategies[] = {
		MMAPDEMO_STRATEGY_FAULT, MMAPDEMO_STRATEGY_INSERT,
		MMAPDEMO_STRATEGY_REMAP,
	};
	int res[3] = { 0 };
	struct mmapdemo *md;
	bool file_ok, ok;

	report_section("private_write", "c. private_write: a MAP_PRIVATE write does not reach the backing store");
	report_text("The first write to a page of a MAP_PRIVATE mapping faults; do_wp_page()");
	report_text("(or do_cow_fault()) copies the page into an anonymous page of the");
	report_text("writer's own and maps that: copy on write.  The backing store keeps its data.");
	report_section("file", "file");
	file_ok = private_write_one(t, t->file_fd) == 1;
	report_close();
	for (unsigned int i = 0; i < 3; i++) {
		device_section(strategies[i]);
		res[i] = dev_open(t, strategies[i], &md);
		if (!res[i]) {
			res[i] = private_write_one(t, mmapdemo_fd(md));
			mmapdemo_close(md);
		}
		if (strategies[i] == MMAPDEMO_STRATEGY_REMAP && res[i] == -EINVAL)
			report_text("mmapdemo_mmap() refused: remap_pfn_range() mappings cannot be copied on write (Documentation/semantics.rst)");
		report_close();
	}
	ok = file_ok && res[0] == 1 && res[1] == 1 && res[2] == -EINVAL;
	if (ok)
		verdict(t, true, "the private write stayed private on the file and on the device (fault, insert); remap refused MAP_PRIVATE with EINVAL, as documented");
	else
		verdict(t, false, "file %s, fault %s, insert %s, remap %s (expected EINVAL)",
			file_ok ? "private" : "NOT private",
			res[0] == 1 ? "private" : "NOT private",
			res[1] == 1 ? "private" : "NOT private",
			res[2] < 0 ? strerrorname_np(-res[2]) ?: "error" : "mapped");
	report_close();
}

/* ------------------------------------------------------------------ */

/*
 * Fork a child that writes a message into a shared mapping of @fd and says
 * so through a pipe; read the message in the parent.  true if it arrived.
 */
static bool two_processes_one(struct tour *t, int fd)
{
	char err[96], expect[64], got[64];
	struct pollfd pfd;
	int pipefd[2], ret, status = 0;
	char *p = NULL;
	void *addr = NULL;
	bool ok;
	pid_t pid;

	ret = fill(fd, 0, t->ps);
	if (!ret)
		ret = map_fd(fd, t->ps, PROT_READ | PROT_WRITE, MAP_SHARED, &addr);
	report_str("mmap", "mmap(MAP_SHARED)", err_text(ret, err, sizeof(err)));
	if (ret)
		return false;
	p = addr;
	if (pipe(pipefd)) {
		munmap(addr, t->ps);
		return false;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		snprintf(p, 64, "hello from child pid %d", (int)getpid());
		_exit(write(pipefd[1], "", 1) == 1 ? 0 : 1);
	}
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

static void tour_two_processes(struct tour *t)
{
	struct mmapdemo *md;
	bool file_ok, dev_ok = false;

	report_section("two_processes", "d. two_processes: two processes talk through one shared mapping");
	report_text("fork() copies the VMA into the child (dup_mmap(), and vm_ops->open for");
	report_text("the device); a MAP_SHARED VMA still maps the same pages, so the child's");
	report_text("store is the parent's load.  A pipe tells the parent when to look.");
	report_section("file", "file");
	file_ok = two_processes_one(t, t->file_fd);
	report_close();
	device_section(t->info.default_strategy);
	if (!dev_open(t, t->info.default_strategy, &md)) {
		dev_ok = two_processes_one(t, mmapdemo_fd(md));
		mmapdemo_close(md);
	}
	report_close();
	if (file_ok && dev_ok)
		verdict(t, true, "the parent read the child's message on both");
	else
		verdict(t, false, "the child's message did not arrive: file %s, device %s",
			file_ok ? "ok" : "lost", dev_ok ? "ok" : "lost");
	report_close();
}

/* ------------------------------------------------------------------ */

/* Read one byte of each page, so that each page is touched once. */
static void touch_pages(const volatile char *p, unsigned int pages,
			uint32_t ps)
{
	for (unsigned int i = 0; i < pages; i++)
		(void)p[(size_t)i * ps];
}

struct fault_count {
	int err;		/* of mmap() */
	int64_t eager;		/* eager_pages delta during mmap() */
	int64_t mmap_faults;	/* ->fault calls during mmap() */
	int64_t touch_faults;	/* ->fault calls while touching */
	long mmap_minflt;	/* minor faults during mmap() */
	long touch_minflt;	/* minor faults while touching */
};

/* Map @pages of @fd with @flags, touch each page, count what happened. */
static void count_faults(struct tour *t, int fd, int flags,
			 struct fault_count *fc)
{
	struct mmapdemo_stats s0, s1, s2;
	size_t len = (size_t)t->pages * t->ps;
	long m0, m1, m2;
	void *p = NULL;

	memset(fc, 0, sizeof(*fc));
	mmapdemo_get_stats(t->md, &s0);
	m0 = minor_faults();
	fc->err = map_fd(fd, len, PROT_READ | PROT_WRITE, flags, &p);
	m1 = minor_faults();
	mmapdemo_get_stats(t->md, &s1);
	if (fc->err)
		return;
	touch_pages(p, t->pages, t->ps);
	m2 = minor_faults();
	mmapdemo_get_stats(t->md, &s2);
	munmap(p, len);
	fc->eager = (int64_t)(s1.eager_pages - s0.eager_pages);
	fc->mmap_faults = (int64_t)(s1.faults - s0.faults);
	fc->touch_faults = (int64_t)(s2.faults - s1.faults);
	fc->mmap_minflt = m1 - m0;
	fc->touch_minflt = m2 - m1;
}

static void tour_lazy_vs_eager(struct tour *t)
{
	static const unsigned int strategies[] = {
		MMAPDEMO_STRATEGY_FAULT, MMAPDEMO_STRATEGY_REMAP,
		MMAPDEMO_STRATEGY_INSERT,
	};
	struct fault_count fc[3], ffc;
	struct mmapdemo *md;
	bool ok = true, file_ok;

	report_section("lazy_vs_eager", "e. lazy_vs_eager: who maps the pages, and when");
	report_text("Map %u pages and read one byte of each.  ->fault calls and pages mapped", t->pages);
	report_text("at mmap() come from the device's counters; minor faults from getrusage().");
	report_u64("pages", "pages", t->pages);
	for (unsigned int i = 0; i < 3; i++) {
		bool lazy = strategies[i] == MMAPDEMO_STRATEGY_FAULT;

		device_section(strategies[i]);
		if (dev_open(t, strategies[i], &md)) {
			ok = false;
			report_close();
			continue;
		}
		count_faults(t, mmapdemo_fd(md), MAP_SHARED, &fc[i]);
		mmapdemo_close(md);
		report_i64("eager_pages", "mapped at mmap()", fc[i].eager);
		report_i64("faults", "->fault on touch", fc[i].touch_faults);
		report_i64("minor_faults", "minor faults on touch", fc[i].touch_minflt);
		if (lazy)
			ok = ok && !fc[i].err && fc[i].eager == 0 &&
			     fc[i].touch_faults == t->pages;
		else
			ok = ok && !fc[i].err && fc[i].eager == t->pages &&
			     fc[i].touch_faults == 0;
		report_close();
	}
	report_text("fault: mmapdemo_mmap() maps nothing; each first touch enters");
	report_text("handle_mm_fault() -> do_read_fault() -> ->fault, one page per fault.");
	report_text("remap: remap_pfn_range() and insert: vm_insert_pages() fill every PTE");
	report_text("inside mmap(), so the touches find them present and never fault.");

	report_section("file", "file");
	count_faults(t, t->file_fd, MAP_SHARED, &ffc);
	report_i64("minor_faults", "minor faults on touch", ffc.touch_minflt);
	file_ok = !ffc.err && ffc.touch_minflt >= 1 &&
		  ffc.touch_minflt <= t->pages;
	if (ffc.touch_minflt < t->pages) {
		report_text("Fewer faults than pages: fault-around.  do_read_fault() calls");
		report_text("do_fault_around() -> ->map_pages (filemap_map_pages()), which maps");
		report_text("the page-cache pages already there around the fault, up to");
		report_text("fault_around_bytes (64 KiB, 16 pages) per fault.  The device has no");
		report_text("->map_pages, so it takes one fault per page.");
	}
	report_close();

	ok = ok && file_ok;
	if (ok)
		verdict(t, true, "fault took one ->fault per page (%lld); remap and insert mapped all %u pages at mmap time and took 0 ->fault calls; the file took %ld minor faults for %u pages",
			(long long)fc[0].touch_faults, t->pages,
			ffc.touch_minflt, t->pages);
	else
		verdict(t, false, "fault: %lld ->fault, %lld eager; remap: %lld ->fault, %lld eager; insert: %lld ->fault, %lld eager; file: %ld minor faults (for %u pages)",
			(long long)fc[0].touch_faults, (long long)fc[0].eager,
			(long long)fc[1].touch_faults, (long long)fc[1].eager,
			(long long)fc[2].touch_faults, (long long)fc[2].eager,
			ffc.touch_minflt, t->pages);
	report_close();
}

/* ------------------------------------------------------------------ */

static void tour_populate(struct tour *t)
{
	struct fault_count fc = { .err = -ENODEV }, ffc;
	struct mmapdemo *md;
	bool dev_ok, file_ok;

	report_section("populate", "f. populate: MAP_POPULATE takes the faults inside mmap()");
	report_text("MAP_POPULATE makes do_mmap()'s caller (vm_mmap_pgoff() -> mm_populate())");
	report_text("fault every page in through get_user_pages before mmap() returns, so");
	report_text("the program's own touches find the PTEs present.");
	report_u64("pages", "pages", t->pages);
	device_section(MMAPDEMO_STRATEGY_FAULT);
	if (!dev_open(t, MMAPDEMO_STRATEGY_FAULT, &md)) {
		count_faults(t, mmapdemo_fd(md), MAP_SHARED | MAP_POPULATE, &fc);
		mmapdemo_close(md);
	}
	report_i64("mmap_faults", "->fault in mmap()", fc.mmap_faults);
	report_i64("touch_faults", "->fault on touch", fc.touch_faults);
	report_i64("touch_minor_faults", "minor faults on touch", fc.touch_minflt);
	report_close();
	dev_ok = !fc.err && fc.mmap_faults == t->pages && fc.touch_faults == 0;

	report_section("file", "file");
	count_faults(t, t->file_fd, MAP_SHARED | MAP_POPULATE, &ffc);
	report_i64("mmap_minor_faults", "minor faults in mmap()", ffc.mmap_minflt);
	report_i64("touch_minor_faults", "minor faults on touch", ffc.touch_minflt);
	report_close();
	report_text("Faults taken by get_user_pages count as this process's minor faults");
	report_text("too (mm_account_fault()), with fault-around for the file as before.");
	file_ok = !ffc.err && ffc.touch_minflt == 0;

	if (dev_ok && file_ok)
		verdict(t, true, "mmap() took all %lld ->fault calls of the device and the touches took none; the file's touches took 0 minor faults",
			(long long)fc.mmap_faults);
	else
		verdict(t, false, "device: %lld ->fault in mmap(), %lld on touch (expected %u and 0); file: %ld minor faults on touch (expected 0)",
			(long long)fc.mmap_faults, (long long)fc.touch_faults,
			t->pages, ffc.touch_minflt);
	report_close();
}

/* ------------------------------------------------------------------ */

/* mmap one page of @fd with @flags; the negative errno, or 0 (unmapped). */
static int try_map(struct tour *t, int fd, int flags)
{
	void *p = NULL;
	int ret;

	ret = map_fd(fd, t->ps, PROT_READ | PROT_WRITE, flags, &p);
	if (!ret)
		munmap(p, t->ps);
	return ret;
}

/* The refusal experiments: both must fail with @want. */
static void tour_refused(struct tour *t, int flags, int want,
			 const char *flag_text)
{
	struct mmapdemo_stats s0, s1;
	struct mmapdemo *md;
	int file_err, dev_err = -ENODEV;
	char err[96];

	file_err = try_map(t, t->file_fd, flags);
	report_str("file", "file", err_text(file_err, err, sizeof(err)));
	mmapdemo_get_stats(t->md, &s0);
	if (!dev_open(t, t->info.default_strategy, &md)) {
		dev_err = try_map(t, mmapdemo_fd(md), flags);
		mmapdemo_close(md);
	}
	mmapdemo_get_stats(t->md, &s1);
	report_str("device", "device", err_text(dev_err, err, sizeof(err)));
	report_bool("reached_driver", "mmapdemo_mmap() ran",
		    s1.mmaps != s0.mmaps);
	if (file_err == -want && dev_err == -want)
		verdict(t, true, "%s was refused with %s on both",
			flag_text, strerrorname_np(want));
	else
		verdict(t, false, "%s: file %s, device %s (expected %s on both)",
			flag_text, file_err ? strerrorname_np(-file_err) : "mapped",
			dev_err ? strerrorname_np(-dev_err) : "mapped",
			strerrorname_np(want));
}

static void tour_map_sync(struct tour *t)
{
	report_section("map_sync", "g. map_sync: MAP_SHARED_VALIDATE|MAP_SYNC is refused");
	report_text("MAP_SYNC promises that a DAX file's metadata is durable before a write");
	report_text("fault returns.  do_mmap() accepts it only for files whose f_op says");
	report_text("so (mmap_supported_flags on 6.1, FOP_MMAP_SYNC on 6.12): DAX files of");
	report_text("ext4 and xfs.  With MAP_SHARED_VALIDATE any flag it does not know fails");
	report_text("with EOPNOTSUPP before the file's ->mmap is called.");
	tour_refused(t, MAP_SHARED_VALIDATE | MAP_SYNC, EOPNOTSUPP,
		     "MAP_SHARED_VALIDATE|MAP_SYNC");
	report_close();
}

static void tour_map_hugetlb(struct tour *t)
{
	report_section("map_hugetlb", "h. map_hugetlb: MAP_HUGETLB is refused for files");
	report_text("MAP_HUGETLB asks for pages from a hugetlb pool.  For a file mapping,");
	report_text("ksys_mmap_pgoff() (mm/mmap.c, the same on 6.1 and 6.12) accepts it only");
	report_text("when the file is on hugetlbfs (is_file_hugepages()), and otherwise fails");
	report_text("with EINVAL before do_mmap(): neither tmpfs nor the device gets a say.");
	tour_refused(t, MAP_SHARED | MAP_HUGETLB, EINVAL, "MAP_HUGETLB");
	report_close();
}

/* ------------------------------------------------------------------ */

static const struct {
	const char *name;
	void (*run)(struct tour *t);
} experiments[] = {
	{ "shared_write", tour_shared_write },
	{ "prot_read", tour_prot_read },
	{ "private_write", tour_private_write },
	{ "two_processes", tour_two_processes },
	{ "lazy_vs_eager", tour_lazy_vs_eager },
	{ "populate", tour_populate },
	{ "map_sync", tour_map_sync },
	{ "map_hugetlb", tour_map_hugetlb },
};

#define NR_EXPERIMENTS (sizeof(experiments) / sizeof(experiments[0]))

/* A temporary file of t->pages pages, all in the page cache. */
static int tour_file_create(struct tour *t)
{
	int fd, ret;

	snprintf(t->file_path, sizeof(t->file_path),
		 "/tmp/mmapdemo-tour-XXXXXX");
	fd = mkstemp(t->file_path);
	if (fd < 0)
		return -errno;
	ret = fill(fd, 'f', (size_t)t->pages * t->ps);
	if (ret) {
		close(fd);
		unlink(t->file_path);
		return ret;
	}
	t->file_fd = fd;
	return 0;
}

static int tour_run(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "only", required_argument, NULL, 'o' },
		CLI_COMMON_OPTIONS
	};
	struct tour t = { .cli = cli, .file_fd = -1 };
	const char *only = NULL;
	unsigned int i;
	char fe[32];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'o':
			only = optarg;
			break;
		default:
			ret = cli_common_option(&cmd_tour, c);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind != argc)
		return cli_usage(&cmd_tour, "unexpected argument '%s'",
				 argv[optind]);
	if (only) {
		for (i = 0; i < NR_EXPERIMENTS; i++)
			if (!strcmp(only, experiments[i].name))
				break;
		if (i == NR_EXPERIMENTS)
			return cli_usage(&cmd_tour, "--only %s: no such experiment (shared_write, prot_read, private_write, two_processes, lazy_vs_eager, populate, map_sync, map_hugetlb)",
					 only);
	}

	ret = cli_open(cli, O_RDWR, CLI_DEFAULT_STRATEGY, &t.info, &t.md);
	if (ret)
		return ret;
	t.ps = t.info.page_size;
	t.pages = TOUR_PAGES;
	if (t.info.size / t.ps < t.pages)
		t.pages = (unsigned int)(t.info.size / t.ps);
	ret = tour_file_create(&t);
	if (ret) {
		mmapdemo_close(t.md);
		return cli_error(cli, "creating a file in /tmp", ret);
	}

	report_begin(cli);
	report_text("The classic mmap experiments, each on a regular file (%s) and on %s.",
		    t.file_path, cli->device ?: MMAPDEMO_DEVICE);
	report_text("The device's default strategy is %s; experiments that compare strategies",
		    mmapdemo_strategy_name(t.info.default_strategy) ?: "?");
	report_text("open the device once per strategy.  Device data at offset 0 is overwritten.");
	front_end(cli->device ?: MMAPDEMO_DEVICE, fe, sizeof(fe));
	report_text("The module maps through its f_op->%s (the front end for this kernel).",
		    fe);
	report_str("file", NULL, t.file_path);
	report_str("front_end", NULL, fe);
	report_str("default_strategy", NULL,
		   mmapdemo_strategy_name(t.info.default_strategy));
	for (i = 0; i < NR_EXPERIMENTS; i++) {
		if (only && strcmp(only, experiments[i].name))
			continue;
		experiments[i].run(&t);
	}
	report_section("summary", "summary");
	report_u64("experiments", "experiments", t.run);
	report_u64("as_expected", "as expected", t.expected);
	report_text("%u experiments, %u as expected", t.run, t.expected);
	report_close();

	close(t.file_fd);
	unlink(t.file_path);
	mmapdemo_close(t.md);
	ret = report_end();
	if (ret)
		return ret;
	return t.expected == t.run ? EXIT_OK : EXIT_FAILED;
}

const struct command cmd_tour = {
	.name = "tour",
	.summary = "the classic mmap experiments, on a file and on the device",
	.usage = "tour [--only NAME] [--json]\n"
		 "  runs each experiment on a temporary file in /tmp and on the device,\n"
		 "  each ending in a verdict; NAME is one of shared_write, prot_read,\n"
		 "  private_write, two_processes, lazy_vs_eager, populate, map_sync,\n"
		 "  map_hugetlb.  Exit status 0 if every verdict is as expected, else 1",
	.run = tour_run,
};
