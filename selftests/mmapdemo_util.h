/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the mmapdemo selftests share: opening the device with a hint when
 * it is missing, the device's counters, and probing an access that may
 * fault with sigsetjmp, as the mm selftests do.
 */
#ifndef MMAPDEMO_UTIL_H
#define MMAPDEMO_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/mmapdemo.h>

#define MMAPDEMO_DEV	"/dev/mmapdemo"
#define MMAPDEMO_HINT	"cannot open " MMAPDEMO_DEV \
	": load the module (insmod mmapdemo.ko) or run 'make check'"

/*
 * SKIP from a FIXTURE_SETUP.  The 6.1 kselftest_harness.h that the tests
 * build against runs the test body after a SKIP in setup (6.2 added the
 * check), so leave setup as its ASSERTs do, through the harness's jump
 * buffer: then neither the body nor the teardown runs.
 */
#define MMAPDEMO_SETUP_SKIP(fmt, ...) \
	SKIP(longjmp(_metadata->env, 1), fmt, ##__VA_ARGS__)

/* The device mmapdemo_open_strategy() opens: /dev/mmapdemo unless set. */
static const char *mmapdemo_dev = MMAPDEMO_DEV;

static inline int mmapdemo_open_strategy(int flags, __u32 strategy)
{
	struct mmapdemo_set_strategy req = { .strategy = strategy };
	int fd = open(mmapdemo_dev, flags);

	if (fd < 0)
		return -1;
	if (ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The tracing directory the selftests use. */
#define MMAPDEMO_TRACEFS	"/sys/kernel/tracing"

/*
 * The trace buffer (at most its first MiB) as a string, which the caller
 * frees; NULL on failure.
 */
static inline char *mmapdemo_read_trace(void)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap + 1);
	int fd = open(MMAPDEMO_TRACEFS "/trace", O_RDONLY);
	ssize_t n;

	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (len < cap && (n = read(fd, buf + len, cap - len)) > 0)
		len += n;
	buf[len] = 0;
	close(fd);
	return buf;
}

static inline struct mmapdemo_stats mmapdemo_stats(int fd)
{
	struct mmapdemo_stats st;

	memset(&st, 0, sizeof(st));
	if (ioctl(fd, MMAPDEMO_IOC_STATS, &st))
		memset(&st, 0xff, sizeof(st));
	return st;
}

static inline struct mmapdemo_info mmapdemo_info(int fd)
{
	struct mmapdemo_info info;

	memset(&info, 0, sizeof(info));
	if (ioctl(fd, MMAPDEMO_IOC_INFO, &info))
		memset(&info, 0xff, sizeof(info));
	return info;
}

/*
 * Touch memory and report the signal it raised, if any.  The harness runs
 * each test in its own process, so the handlers may stay installed.
 */
static __thread sigjmp_buf mmapdemo_probe_jmp;

static inline void mmapdemo_probe_handler(int sig)
{
	siglongjmp(mmapdemo_probe_jmp, sig);
}

static inline void mmapdemo_probe_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = mmapdemo_probe_handler;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* Returns 0, or SIGSEGV/SIGBUS if reading *p raised it. */
static inline int mmapdemo_probe_read(const volatile char *p, char *out)
{
	int sig;

	mmapdemo_probe_signals();
	sig = sigsetjmp(mmapdemo_probe_jmp, 1);
	if (sig)
		return sig;
	*out = *p;
	return 0;
}

/* Returns 0, or SIGSEGV/SIGBUS if writing *p raised it. */
static inline int mmapdemo_probe_write(volatile char *p, char v)
{
	int sig;

	mmapdemo_probe_signals();
	sig = sigsetjmp(mmapdemo_probe_jmp, 1);
	if (sig)
		return sig;
	*p = v;
	return 0;
}

/* A byte pattern that names its owner and its offset. */
static inline char mmapdemo_pattern(unsigned int seed, size_t off)
{
	return (char)(seed * 131 + off * 7 + (off >> 12));
}

static inline void mmapdemo_fill(char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = mmapdemo_pattern(seed, i);
}

/* Offset of the first byte of @buf that breaks the pattern, or -1. */
static inline long mmapdemo_check(const char *buf, size_t len,
				  unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != mmapdemo_pattern(seed, i))
			return (long)i;
	return -1;
}

/*
 * Load the module from $LAB_MODULE with @params, as insmod does; unload it
 * as rmmod does, refused while it is in use.  Both return 0 or -1 (errno).
 */
static inline int mmapdemo_load(const char *params)
{
	const char *path = getenv("LAB_MODULE");
	int fd, ret;

	fd = path ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return ret;
}

static inline int mmapdemo_unload(void)
{
	return syscall(SYS_delete_module, "mmapdemo", O_NONBLOCK);
}

static inline bool mmapdemo_loaded(void)
{
	return access("/sys/module/mmapdemo", F_OK) == 0;
}

/*
 * The fixture of the tests that load the module themselves (use it after
 * including kselftest_harness.h): they need root and $LAB_MODULE, start
 * with the module unloaded, and leave it loaded with its defaults, as the
 * next test program expects it.
 */
#define MMAPDEMO_MODULE_FIXTURE(name)					\
	FIXTURE(name)							\
	{								\
		int unused;						\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		if (getuid() != 0)					\
			SKIP(return, "loading modules needs root");	\
		if (!getenv("LAB_MODULE") ||				\
		    access(getenv("LAB_MODULE"), R_OK))		\
			SKIP(return,					\
			     "set LAB_MODULE to the path of mmapdemo.ko"); \
		if (mmapdemo_loaded())					\
			ASSERT_EQ(0, mmapdemo_unload())		\
				TH_LOG("unload: %s", strerror(errno));	\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		if (getuid() == 0 && getenv("LAB_MODULE")) {		\
			if (mmapdemo_loaded())				\
				mmapdemo_unload();			\
			mmapdemo_load("");				\
		}							\
	}

/* Write @s to a sysfs or tracefs file; 0 or -1. */
static inline int mmapdemo_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * The kernel log from now on: /dev/kmsg positioned at its end, so that
 * mmapdemo_kmsg_grep() sees only what is logged after this call.
 * Returns the file descriptor or -1.
 */
static inline int mmapdemo_kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/*
 * Read the records logged since mmapdemo_kmsg_open() (or the last call);
 * the first that contains one of @needles (NULL-terminated) is copied to
 * @line.  Returns true if one did.  Records overwritten before they were
 * read (EPIPE) are skipped.
 */
static inline bool mmapdemo_kmsg_grep(int fd, const char *const *needles,
				      char *line, size_t size)
{
	const char *const *n;
	char rec[8192];
	bool found = false;
	ssize_t len;

	for (;;) {
		len = read(fd, rec, sizeof(rec) - 1);
		if (len < 0 && errno == EPIPE)
			continue;
		if (len <= 0)
			return found;
		rec[len] = '\0';
		for (n = needles; *n && !found; n++) {
			if (strstr(rec, *n) && size) {
				if ((size_t)len >= size)
					len = size - 1;
				memcpy(line, rec, len);
				line[len] = '\0';
				found = true;
			}
		}
	}
}

/*
 * Active objects of a slab cache in /proc/slabinfo, -1 if not listed (no
 * CONFIG_SLUB_DEBUG, or the cache is merged with another).
 *
 * The cache is shrunk first (/sys/kernel/slab/NAME/shrink, where the
 * kernel has it): on a KASAN kernel, objects freed long ago wait in
 * KASAN's quarantine, still counted as active, until the quarantine
 * overflows or kmem_cache_shrink() empties it of that cache
 * (kasan_cache_shrink()).  Without it, a count of mm_structs on the lab's
 * debug kernels grows with every process that ever ran.
 */
static inline long mmapdemo_slab_objects(const char *cache)
{
	char line[256], name[64];
	long active = -1, n;
	FILE *f;

	snprintf(line, sizeof(line), "/sys/kernel/slab/%s/shrink", cache);
	f = fopen(line, "w");
	if (f) {
		fputs("1", f);
		fclose(f);
	}
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &n) == 2 &&
		    !strcmp(name, cache))
			active = n;
	fclose(f);
	return active;
}

/* The lab's unprivileged user, nobody; for a forked child of a root test. */
#define MMAPDEMO_NOBODY 65534
static inline int mmapdemo_become_nobody(void)
{
	return setgid(MMAPDEMO_NOBODY) || setuid(MMAPDEMO_NOBODY) ? -1 : 0;
}

/* PCI IDs of the devices mmapdemo binds (kmod/pci.c). */
#define MMAPDEMO_IVSHMEM_VENDOR 0x1af4
#define MMAPDEMO_IVSHMEM_DEVICE 0x1110
#define MMAPDEMO_EDU_VENDOR 0x1234
#define MMAPDEMO_EDU_DEVICE 0x11e8
#define MMAPDEMO_BAR_HINT(what) \
	"no " what " device bound to mmapdemo: boot with scripts/vm.sh -d " \
	"ivshmem=FILE -d edu"

/* Whether the kernel has an IOMMU unit: then DMA addresses are IOVAs. */
static inline bool mmapdemo_have_iommu(void)
{
	DIR *d = opendir("/sys/class/iommu");
	struct dirent *e;
	bool iommu = false;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			iommu = true;
	if (d)
		closedir(d);
	return iommu;
}

/* Read a number in @base from a file such as a sysfs attribute; -1 if none. */
static inline long mmapdemo_read_long(const char *path, int base)
{
	char buf[32] = "";
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, base) : -1;
}

/* Read a hex number such as /sys/bus/pci/devices/X/vendor; -1 if none. */
static inline long mmapdemo_read_hex(const char *path)
{
	return mmapdemo_read_long(path, 16);
}

/*
 * MMAPDEMO_IOC_WALK of @addr through @fd; result ~0U if the ioctl itself
 * failed.
 */
/*
 * The format of the walk's raw entries on the kernel these tests run on:
 * a 32-bit ARM program (the AArch32 tests) runs on an arm64 kernel.
 */
#if defined(__aarch64__) || defined(__arm__)
#define MMAPDEMO_TEST_ARCH MMAPDEMO_ARCH_ARM64
#else
#define MMAPDEMO_TEST_ARCH MMAPDEMO_ARCH_X86_64
#endif

static inline struct mmapdemo_walk mmapdemo_walk_at(int fd, const void *addr)
{
	struct mmapdemo_walk w;

	memset(&w, 0, sizeof(w));
	w.addr = (uintptr_t)addr;
	if (ioctl(fd, MMAPDEMO_IOC_WALK, &w))
		w.result = ~0U;
	return w;
}

/*
 * The physically contiguous run of each of the first @npages pages of the
 * device (/dev/mmapdemo unless mmapdemo_dev is set), numbered from 0 into
 * @run_of, from the walk's PFNs, which need CAP_SYS_ADMIN: remap maps one
 * run per mapping and refuses a mapping across two.  0, or -1.
 */
static inline int mmapdemo_find_runs(size_t npages, size_t page,
				     uint32_t *run_of)
{
	struct mmapdemo_walk w;
	uint64_t prev = 0;
	uint32_t run = 0;
	size_t p;
	char *m;
	int fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_FAULT);

	if (fd < 0)
		return -1;
	m = mmap(NULL, npages * page, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		return -1;
	}
	for (p = 0; p < npages; p++) {
		(void)*(volatile char *)(m + p * page);
		w = mmapdemo_walk_at(fd, m + p * page);
		if (w.result == ~0U || !w.pfn)
			break;
		if (p && w.pfn != prev + 1)
			run++;
		run_of[p] = run;
		prev = w.pfn;
	}
	munmap(m, npages * page);
	close(fd);
	return p == npages ? 0 : -1;
}

/*
 * Find the BAR device of mmapdemo for the first bound PCI device with
 * these IDs: @path gets /dev/mmapdemo-<PCI address> and @bdf the address.
 * Where MMAPDEMO_BAR_BDF is set (a PCI address, 0000:00:05.0), only the
 * device at that address is taken, so that two tests running side by
 * side (make soak) each have a BAR device of their own.
 * Returns 0, or -1 if there is none.
 */
static inline int mmapdemo_find_bar(unsigned int vendor, unsigned int device,
				    char *path, size_t len, char *bdf,
				    size_t bdflen)
{
	const char *drv = "/sys/bus/pci/drivers/mmapdemo";
	const char *only = getenv("MMAPDEMO_BAR_BDF");
	char sys[96], name[24];
	int i;

	/* Addresses 0000:00:00.0 to 0000:00:1f.0: the lab's QEMU bus. */
	for (i = 0; i < 32; i++) {
		snprintf(name, sizeof(name), "0000:00:%02x.0", i);
		if (only && *only && strcmp(name, only))
			continue;
		snprintf(sys, sizeof(sys), "%s/%s/vendor", drv, name);
		if (mmapdemo_read_hex(sys) != (long)vendor)
			continue;
		snprintf(sys, sizeof(sys), "%s/%s/device", drv, name);
		if (mmapdemo_read_hex(sys) != (long)device)
			continue;
		snprintf(path, len, "/dev/mmapdemo-%s", name);
		if (bdf)
			snprintf(bdf, bdflen, "%s", name);
		return access(path, F_OK);
	}
	return -1;
}

/*
 * The DMA device of the edu bound to mmapdemo: @path gets
 * /dev/mmapdemo-dma-<PCI address> and @bdf the address.  Returns NULL, or
 * why there is none, as a skip's reason: no edu (the tests VM has none;
 * the edu VM runs these tests), or an edu without a DMA device, which
 * the module logs with its reason (mmapdemo_dma_probe()).
 */
static inline const char *mmapdemo_find_dma(char *path, size_t len,
					    char *bdf, size_t bdflen)
{
	char bar[64];

	if (mmapdemo_find_bar(MMAPDEMO_EDU_VENDOR, MMAPDEMO_EDU_DEVICE, bar,
			      sizeof(bar), bdf, bdflen))
		return "no edu device bound to mmapdemo: the edu VM runs this "
		       "(scripts/bar-proof.sh edu; scripts/vm.sh -d edu)";
	snprintf(path, len, "/dev/mmapdemo-dma-%s", bdf);
	if (access(path, F_OK))
		return "the edu is bound to mmapdemo but has no DMA device: "
		       "the kernel log says why (dmesg | grep 'no DMA device')";
	return NULL;
}

/*
 * The ivshmem BAR device that the BAR tests map, remove and rescan:
 * mmapdemo_need_ivshmem() finds it, makes it what
 * mmapdemo_open_strategy() opens, and says why not when it cannot.
 */
static char mmapdemo_bar_path[64] __attribute__((unused));
static char mmapdemo_bar_bdf[24] __attribute__((unused));

static inline const char *mmapdemo_need_ivshmem(void)
{
	if (getuid() != 0)
		return "needs root (PCI remove and rescan)";
	if (mmapdemo_find_bar(MMAPDEMO_IVSHMEM_VENDOR, MMAPDEMO_IVSHMEM_DEVICE,
			      mmapdemo_bar_path, sizeof(mmapdemo_bar_path),
			      mmapdemo_bar_bdf, sizeof(mmapdemo_bar_bdf)))
		return MMAPDEMO_BAR_HINT("ivshmem-plain");
	mmapdemo_dev = mmapdemo_bar_path;
	return NULL;
}

/* Wait up to a second for a device node to come or go. */
static inline bool mmapdemo_wait_node(const char *path, bool present)
{
	int i;

	for (i = 0; i < 100; i++) {
		if ((access(path, F_OK) == 0) == present)
			return true;
		usleep(10000);
	}
	return false;
}

/* Remove the BAR device's PCI device, as a hot unplug would. */
static inline int mmapdemo_pci_remove(void)
{
	char path[96];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove",
		 mmapdemo_bar_bdf);
	return mmapdemo_write_file(path, "1");
}

/* Bring it back, and wait for its node. */
static inline int mmapdemo_pci_rescan(void)
{
	if (mmapdemo_write_file("/sys/bus/pci/rescan", "1"))
		return -1;
	return mmapdemo_wait_node(mmapdemo_bar_path, true) ? 0 : -1;
}

/*
 * The remap strategy maps a BAR only where the kernel tracks PFN-map
 * memory types per reservation (6.16 and later; kmod/compat.h): NULL if
 * the BAR device has it, else why not, for a SKIP.
 */
#define MMAPDEMO_NO_BAR_REMAP \
	"remap does not map a BAR before Linux 6.16: its memory type " \
	"reservation cannot survive a removal racing with fork or exit " \
	"(Documentation/device-memory.rst, Revocation)"
static inline const char *mmapdemo_remap_why(const char *path)
{
	int fd = open(path, O_RDWR);
	__u32 features;

	if (fd < 0)
		return "cannot open the BAR device";
	features = mmapdemo_info(fd).features;
	close(fd);
	return features & MMAPDEMO_FEATURE_REMAP ? NULL : MMAPDEMO_NO_BAR_REMAP;
}

static inline const char *mmapdemo_bar_remap_why(void)
{
	return mmapdemo_remap_why(mmapdemo_bar_path);
}

/*
 * The strategy that maps the BAR device at @path before mmap() returns
 * where the kernel has one (remap), else fault: the caller then touches
 * the pages it needs.
 */
static inline __u32 mmapdemo_eager_strategy(const char *path)
{
	return mmapdemo_remap_why(path) ? MMAPDEMO_STRATEGY_FAULT :
					  MMAPDEMO_STRATEGY_REMAP;
}

static inline __u32 mmapdemo_bar_eager_strategy(void)
{
	return mmapdemo_eager_strategy(mmapdemo_bar_path);
}

/*
 * x86's list of memory type reservations (debugfs): the entries that
 * overlap the BAR, whose physical range is @start to @end.  Each line
 * reads "PAT: [mem 0x...-0x...] write-combining".
 */
static inline int mmapdemo_pat_entries(unsigned long long start,
				       unsigned long long end, char *types,
				       size_t size)
{
	unsigned long long a, b;
	char line[256], type[64];
	int n = 0;
	FILE *f;

	f = fopen("/sys/kernel/debug/x86/pat_memtype_list", "r");
	if (!f)
		return -1;
	types[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "PAT: [mem 0x%llx-0x%llx] %63s", &a, &b,
			   type) != 3)
			continue;
		if (b < start || a > end)
			continue;
		n++;
		snprintf(types + strlen(types), size - strlen(types), "%s%s",
			 n > 1 ? " " : "", type);
	}
	fclose(f);
	return n;
}

/* The BAR's physical range from /sys/bus/pci/devices/BDF/resource. */
static inline int mmapdemo_bar_range(int bar, unsigned long long *start,
				     unsigned long long *end)
{
	unsigned long long flags;
	char path[128];
	int i, ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource",
		 mmapdemo_bar_bdf);
	f = fopen(path, "r");
	if (!f)
		return -1;
	for (i = 0; i <= bar; i++)
		ret = fscanf(f, "%llx %llx %llx", start, end, &flags) == 3 ?
			      0 : -1;
	fclose(f);
	return ret;
}

/*
 * How many times slower this machine is than the one the tests' time
 * limits were written for: MMAPDEMO_SLOWDOWN, which the lab's /init
 * measures at boot (selftests/lab_speed.c), at least 1; 1 where it is not
 * set.  Every wall-clock limit of the tests is multiplied by it: the
 * harness's timeouts (MMAPDEMO_HARNESS_MAIN) and the seconds a test waits
 * for something before it fails.  A budget that only cuts a loop short,
 * and fails nothing, is not: a slow machine would make the run longer.
 */
static inline double mmapdemo_slowdown(void)
{
	const char *s = getenv("MMAPDEMO_SLOWDOWN");
	double f = s ? strtod(s, NULL) : 1;

	return f >= 1 && f <= 1000 ? f : 1;
}

/* @seconds on this machine, rounded up. */
static inline unsigned int mmapdemo_scaled(double seconds)
{
	double s = seconds * mmapdemo_slowdown();

	return (unsigned int)s + (s > (unsigned int)s);
}

#ifdef TEST_HARNESS_MAIN
/*
 * Multiply the harness's timeout of every test by the slowdown, and say
 * so.  Runs in main(), after every test registered itself.
 */
static inline void mmapdemo_scale_timeouts(void)
{
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	if (mmapdemo_slowdown() == 1)
		return;
	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout = mmapdemo_scaled(t->timeout);
	ksft_print_msg("time limits x %.2f (MMAPDEMO_SLOWDOWN)\n",
		       mmapdemo_slowdown());
}

/* @name is a word of @list (words separated by spaces or commas). */
static inline bool mmapdemo_named(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; (p = strstr(p, name)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == ',') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == ','))
			return true;
	return false;
}

/*
 * Keep only the variants of @f that @only names (fixture.variant, as
 * seqfuzz.bar): true if it names one, false (all variants kept) if not.
 */
static inline bool mmapdemo_select_variants(struct __fixture_metadata *f,
					    const char *only)
{
	struct __fixture_variant_metadata *v, *next, *head = NULL, *last = NULL;
	struct __fixture_variant_metadata **tail = &head;
	char full[256];

	for (v = f->variant; v; v = next) {
		next = v->next;
		snprintf(full, sizeof(full), "%s.%s", f->name, v->name);
		if (!mmapdemo_named(only, full))
			continue;
		v->next = NULL;
		*tail = last = v;
		tail = &v->next;
	}
	if (!head)
		return false;
	head->prev = last;
	f->variant = head;
	return true;
}

/*
 * Where MMAPDEMO_TESTS is set, only the tests it names (TEST() names, or
 * fixture.test for TEST_F()), as make repeat's CASES sets it: the
 * kselftest harness that the tests build against (6.1's) has no -t.  A
 * fixture.variant word (seqfuzz.bar) keeps only the variants named, with
 * the fixture's named tests, or all of them if none is named.
 */
static inline void mmapdemo_select_tests(void)
{
	const char *only = getenv("MMAPDEMO_TESTS");
	struct __test_metadata *t, *next, *head, *last, **tail;
	struct __fixture_metadata *f;
	bool variants, any;
	char full[256];

	if (!only || !*only)
		return;
	for (f = __fixture_list; f; f = f->next) {
		head = last = NULL;
		tail = &head;
		variants = mmapdemo_select_variants(f, only);
		any = false;
		for (t = f->tests; t; t = t->next) {
			snprintf(full, sizeof(full), "%s.%s", f->name, t->name);
			any |= mmapdemo_named(only, t->name) ||
			       mmapdemo_named(only, full);
		}
		for (t = f->tests; t; t = next) {
			next = t->next;
			snprintf(full, sizeof(full), "%s.%s", f->name, t->name);
			if (!mmapdemo_named(only, t->name) &&
			    !mmapdemo_named(only, full) && !(variants && !any))
				continue;
			t->next = NULL;
			*tail = last = t;
			tail = &t->next;
		}
		if (head)
			head->prev = last;
		f->tests = head;
	}
	ksft_print_msg("only %s (MMAPDEMO_TESTS)\n", only);
}

/*
 * TEST_HARNESS_MAIN with the timeouts scaled, then @after (which may set
 * timeouts of its own that are scaled already).
 */
#define MMAPDEMO_HARNESS_MAIN_THEN(after) \
	static void __attribute__((constructor)) \
	__constructor_order_last(void) \
	{ \
		if (!__constructor_order) \
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	} \
	int main(int argc, char **argv) \
	{ \
		/* A test's messages: the harness's child ends in _exit(). */ \
		setvbuf(stdout, NULL, _IOLBF, 0); \
		mmapdemo_scale_timeouts(); \
		mmapdemo_select_tests(); \
		after(); \
		return test_harness_run(argc, argv); \
	}

static inline void mmapdemo_no_more(void)
{
}

#define MMAPDEMO_HARNESS_MAIN MMAPDEMO_HARNESS_MAIN_THEN(mmapdemo_no_more)
#endif

#endif /* MMAPDEMO_UTIL_H */
