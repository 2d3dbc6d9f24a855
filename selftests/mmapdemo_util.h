/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the mmapdemo selftests share: opening the device with a hint when
 * it is missing, the device's counters, and probing an access that may
 * fault with sigsetjmp, as the mm selftests do.
 */
#ifndef MMAPDEMO_UTIL_H
#define MMAPDEMO_UTIL_H

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
static sigjmp_buf mmapdemo_probe_jmp;

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
 */
static inline long mmapdemo_slab_objects(const char *cache)
{
	char line[256], name[64];
	long active = -1, n;
	FILE *f = fopen("/proc/slabinfo", "r");

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
 * Find the BAR device of mmapdemo for the first bound PCI device with
 * these IDs: @path gets /dev/mmapdemo-<PCI address> and @bdf the address.
 * Returns 0, or -1 if there is none.
 */
static inline int mmapdemo_find_bar(unsigned int vendor, unsigned int device,
				    char *path, size_t len, char *bdf,
				    size_t bdflen)
{
	const char *drv = "/sys/bus/pci/drivers/mmapdemo";
	char sys[96], name[24];
	int i;

	/* Addresses 0000:00:00.0 to 0000:00:1f.0: the lab's QEMU bus. */
	for (i = 0; i < 32; i++) {
		snprintf(name, sizeof(name), "0000:00:%02x.0", i);
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
		mmapdemo_scale_timeouts(); \
		after(); \
		return test_harness_run(argc, argv); \
	}

static inline void mmapdemo_no_more(void)
{
}

#define MMAPDEMO_HARNESS_MAIN MMAPDEMO_HARNESS_MAIN_THEN(mmapdemo_no_more)
#endif

#endif /* MMAPDEMO_UTIL_H */
