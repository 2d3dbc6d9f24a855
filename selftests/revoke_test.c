// SPDX-License-Identifier: GPL-2.0
/*
 * What races with the removal of a BAR device, and with its caching and
 * strategy rules (Documentation/device-memory.rst, "Revocation"):
 *  - mmap() calls, forks, forks killed half way, forks failed at each of
 *    their allocations (fail-nth, on the debug kernels) and exits racing
 *    with the removal leave no PTE of the removed BAR, no kernel warning,
 *    and (x86) no memory type reservation but the driver's own;
 *  - a fork killed inside dup_mmap() while the removal waits on the
 *    parent's mmap_lock: the removal finishes and nothing is logged;
 *  - the removal finishes while another process holds its own mmap_lock
 *    for a long time: the driver never takes it;
 *  - a SET_STRATEGY that succeeded is never undone by an mmap() under way,
 *    and a caching change never lands under a mapping.
 * Every race runs a fixed number of rounds, whatever the machine's speed.
 * Needs root and an ivshmem-plain device (scripts/vm.sh -d ivshmem=FILE);
 * the strategy race runs on the RAM device.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define SZ_2M (2UL << 20)

/* Touching @p raises SIGBUS (or another signal): 0 if it was readable. */
static int touch(const char *p)
{
	char c;

	return mmapdemo_probe_read(p, &c);
}

/* A sysfs attribute's first word into @buf. */
static int read_word(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, " \n")] = '\0';
	return 0;
}

/* A shared page for the counters of the processes of one test. */
static void *shared_page(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static void add(int *counter, int n)
{
	__atomic_add_fetch(counter, n, __ATOMIC_SEQ_CST);
}

static int get(int *flag)
{
	return __atomic_load_n(flag, __ATOMIC_SEQ_CST);
}

static void set(int *flag, int v)
{
	__atomic_store_n(flag, v, __ATOMIC_SEQ_CST);
}

/* Map @npages of the BAR with @strategy; fault strategies get touched. */
static char *map_bar(int fd, __u32 strategy, unsigned long npages,
		     void *where)
{
	char *m = mmap(where, npages * 4096, PROT_READ, MAP_SHARED |
		       (where ? MAP_FIXED : 0), fd, 0);
	unsigned long i;

	if (m != MAP_FAILED && strategy != MMAPDEMO_STRATEGY_REMAP)
		for (i = 0; i < npages; i++)
			touch(m + i * 4096);
	return m;
}

/* How many of @n pages at @maps[i] still have a PTE, by the walk. */
static int mapped_left(int ram, char **maps, int n, unsigned long npages)
{
	struct mmapdemo_walk w;
	unsigned long k;
	int i, left = 0;

	for (i = 0; i < n; i++) {
		for (k = 0; k < npages; k++) {
			w = mmapdemo_walk_at(ram, maps[i] + k * 4096);
			if (w.result == MMAPDEMO_WALK_MAPPED)
				left++;
		}
	}
	return left;
}

/*
 * mmap() calls racing with the removal: with remap (7.x) the PTEs are
 * written before the VMA is visible to the removal's zap, which the core's
 * hide_from_rmap_until_complete and ->mapped's revoked check cover; with
 * fault (before 6.16) each fault checks under memory_lock.  No PTE of any
 * mapping the threads got may be left.
 */
#define RACE_THREADS 3
#define RACE_MAPS 256
#define RACE_ROUNDS 10

struct racer {
	pthread_t thread;
	char *maps[RACE_MAPS];
	int fds[RACE_MAPS];
	int n;
	__u32 strategy;
	int *stop;
};

static void *race_mmap(void *arg)
{
	struct racer *r = arg;
	char *m;
	int fd;

	while (!get(r->stop) && r->n < RACE_MAPS) {
		fd = mmapdemo_open_strategy(O_RDWR, r->strategy);
		if (fd < 0)
			break;
		m = map_bar(fd, r->strategy, 4, NULL);
		if (m == MAP_FAILED) {
			close(fd);
			break;
		}
		r->fds[r->n] = fd;
		r->maps[r->n++] = m;
	}
	return NULL;
}

TEST(remove_racing_with_mmap_leaves_no_pte)
{
	const char *why = mmapdemo_need_ivshmem();
	struct racer racers[RACE_THREADS];
	int round, ram, left = 0, total = 0, stop, i, j;
	__u32 strategy;

	if (why)
		SKIP(return, "%s", why);
	strategy = mmapdemo_bar_eager_strategy();
	ram = open(MMAPDEMO_DEV, O_RDONLY); /* its walk reads any address */
	ASSERT_LE(0, ram);
	for (round = 0; round < RACE_ROUNDS && !left; round++) {
		memset(racers, 0, sizeof(racers));
		stop = 0;
		for (i = 0; i < RACE_THREADS; i++) {
			racers[i].stop = &stop;
			racers[i].strategy = strategy;
			ASSERT_EQ(0, pthread_create(&racers[i].thread, NULL,
						    race_mmap, &racers[i]));
		}
		/* A different moment of the mmap() calls in each round. */
		usleep(10000 + round * 5000);
		ASSERT_EQ(0, mmapdemo_pci_remove());
		set(&stop, 1);
		for (i = 0; i < RACE_THREADS; i++)
			pthread_join(racers[i].thread, NULL);
		for (i = 0; i < RACE_THREADS; i++) {
			left += mapped_left(ram, racers[i].maps, racers[i].n, 4);
			for (j = 0; j < racers[i].n; j++) {
				EXPECT_EQ(SIGBUS, touch(racers[i].maps[j]));
				munmap(racers[i].maps[j], 4 * 4096);
				close(racers[i].fds[j]);
			}
			total += racers[i].n;
		}
		ASSERT_EQ(0, mmapdemo_pci_rescan());
	}
	TH_LOG("%d rounds, %d mappings (%s) made before and during the removals",
	       round, total, strategy == MMAPDEMO_STRATEGY_REMAP ? "remap" : "fault");
	EXPECT_EQ(0, left) TH_LOG("%d PTEs to the removed BAR survived", left);
	EXPECT_LT(0, total);
	close(ram);
}

/*
 * fork() copies the PTEs of a BAR mapping, and before 6.16 also a remap
 * VMA's memory type reservation (VM_PAT) by reading the parent's first
 * PTE.  Processes with many small mappings, each in its own 2 MiB region
 * so that fork allocates a page table for each, fork as fast as they can
 * while the device is removed: no warning, and no process, parent or
 * child, keeps a PTE of the removed BAR.
 */
#define FORKERS 3
#define FORK_MAPS 128
#define FORK_ROUNDS 8
#define FORK_WAITERS 4 /* children per forker that live past the removal */

struct fork_race {
	int ready;
	int stop;
	int left;
	int errors;
	int forks;
};

static const char *const kernel_bad[] = {
	"WARNING:", "BUG:", "Oops", "x86/PAT", "get_pat_info", NULL
};

/* @n separate VMAs of one BAR page each, in 2 MiB regions of their own. */
static int map_spread(int fd, __u32 strategy, char **maps, int n)
{
	char *area;
	int i;

	area = mmap(NULL, (n + 1) * SZ_2M, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		return -1;
	area = (char *)(((uintptr_t)area + SZ_2M - 1) & ~(SZ_2M - 1));
	for (i = 0; i < n; i++) {
		maps[i] = map_bar(fd, strategy, 1, area + i * SZ_2M);
		if (maps[i] == MAP_FAILED)
			return -1;
	}
	return 0;
}

static void __attribute__((noreturn)) forker(struct fork_race *fr,
					     __u32 strategy)
{
	static char *maps[FORK_MAPS];
	pid_t waiters[FORK_WAITERS], pid;
	int i, fd, ram, nwait = 0;

	ram = open(MMAPDEMO_DEV, O_RDONLY);
	fd = mmapdemo_open_strategy(O_RDWR, strategy);
	if (ram < 0 || fd < 0 || map_spread(fd, strategy, maps, FORK_MAPS))
		goto fail;
	add(&fr->ready, 1);
	while (!get(&fr->stop)) {
		pid = fork();
		if (pid < 0)
			goto fail;
		if (pid == 0) {
			/* Most children exit at once: exit unmaps too. */
			if (nwait == FORK_WAITERS)
				_exit(0);
			while (!get(&fr->stop))
				usleep(1000);
			add(&fr->left, mapped_left(ram, maps, FORK_MAPS, 1));
			_exit(0);
		}
		add(&fr->forks, 1);
		if (nwait < FORK_WAITERS)
			waiters[nwait++] = pid;
		else
			waitpid(pid, NULL, 0);
	}
	for (i = 0; i < nwait; i++)
		waitpid(waiters[i], NULL, 0);
	add(&fr->left, mapped_left(ram, maps, FORK_MAPS, 1));
	_exit(0);
fail:
	add(&fr->errors, 1);
	add(&fr->ready, 1);
	_exit(1);
}

TEST(remove_racing_with_fork_warns_nothing)
{
	const char *why = mmapdemo_need_ivshmem();
	pid_t pids[FORKERS];
	struct fork_race *fr;
	bool warned = false;
	char line[512];
	int round, i, kmsg;
	__u32 strategy;

	if (why)
		SKIP(return, "%s", why);
	strategy = mmapdemo_bar_eager_strategy();
	kmsg = mmapdemo_kmsg_open();
	ASSERT_LE(0, kmsg) TH_LOG("/dev/kmsg: %s", strerror(errno));
	fr = shared_page();
	ASSERT_NE(NULL, fr);
	for (round = 0; round < FORK_ROUNDS; round++) {
		set(&fr->ready, 0);
		set(&fr->stop, 0);
		for (i = 0; i < FORKERS; i++) {
			pids[i] = fork();
			ASSERT_LE(0, pids[i]);
			if (pids[i] == 0)
				forker(fr, strategy);
		}
		while (get(&fr->ready) < FORKERS)
			usleep(1000);
		usleep(20000 + round * 7000);
		ASSERT_EQ(0, mmapdemo_pci_remove());
		set(&fr->stop, 1);
		for (i = 0; i < FORKERS; i++)
			waitpid(pids[i], NULL, 0);
		ASSERT_EQ(0, mmapdemo_pci_rescan());
		warned = mmapdemo_kmsg_grep(kmsg, kernel_bad, line, sizeof(line));
		if (fr->errors || fr->left || warned)
			break;
	}
	TH_LOG("%d rounds, %d forks of %d %s VMAs each", round, fr->forks,
	       FORK_MAPS, strategy == MMAPDEMO_STRATEGY_REMAP ? "remap" : "fault");
	EXPECT_EQ(0, fr->errors) TH_LOG("a forker could not open, map or fork");
	EXPECT_EQ(0, fr->left) TH_LOG("%d PTEs to the removed BAR survived",
				      fr->left);
	EXPECT_LT(0, fr->forks);
	EXPECT_FALSE(warned) TH_LOG("the kernel logged: %s", line);
	munmap(fr, 4096);
	close(kmsg);
}

/*
 * A fork that fails half way: dup_mmap() (6.8 and later) clones the
 * parent's maple tree, and a fatal signal makes it stop with a marker
 * (XA_ZERO_ENTRY) in the child's tree, the entries past it still the
 * parent's, until the child's exit_mmap().  A driver that walked the mms
 * that map it from its removal met that tree.  Processes with a BAR
 * mapping at the bottom of a large address space fork again and again and
 * are killed while the device is removed; nothing may be logged.
 */
#define KILLED_FORKERS 2
#define KILLED_VMAS 4000
#define KILLED_ROUNDS 8

static void __attribute__((noreturn)) big_forker(int *ready, __u32 strategy)
{
	char *low, *area;
	pid_t pid;
	int fd, i;

	fd = mmapdemo_open_strategy(O_RDWR, strategy);
	if (fd < 0)
		_exit(1);
	area = mmap(NULL, (2UL * KILLED_VMAS + 2) * 4096, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		_exit(1);
	/* The BAR's VMA first, so that a fork copies it early, */
	low = map_bar(fd, strategy, 1, area);
	if (low == MAP_FAILED)
		_exit(1);
	/* then many VMAs: one page each, with a hole between them. */
	for (i = 1; i <= KILLED_VMAS; i++)
		mprotect(area + 2UL * i * 4096, 4096, PROT_READ);
	add(ready, 1);
	for (;;) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
}

TEST(remove_racing_with_killed_forks_warns_nothing)
{
	const char *why = mmapdemo_need_ivshmem();
	pid_t pids[KILLED_FORKERS], remover;
	int round, i, kmsg, *ready, st;
	bool warned = false;
	char line[512];
	__u32 strategy;

	if (why)
		SKIP(return, "%s", why);
	strategy = mmapdemo_bar_eager_strategy();
	kmsg = mmapdemo_kmsg_open();
	ASSERT_LE(0, kmsg);
	ready = shared_page();
	ASSERT_NE(NULL, ready);
	for (round = 0; round < KILLED_ROUNDS && !warned; round++) {
		set(ready, 0);
		for (i = 0; i < KILLED_FORKERS; i++) {
			pids[i] = fork();
			ASSERT_LE(0, pids[i]);
			if (pids[i] == 0)
				big_forker(ready, strategy);
		}
		while (get(ready) < KILLED_FORKERS)
			usleep(1000);
		usleep(5000 + round * 3000);
		remover = fork();
		ASSERT_LE(0, remover);
		if (remover == 0)
			_exit(mmapdemo_pci_remove() ? 1 : 0);
		/* Kill the forkers while the removal runs, mid-fork. */
		usleep(round * 1000);
		for (i = 0; i < KILLED_FORKERS; i++)
			kill(pids[i], SIGKILL);
		for (i = 0; i < KILLED_FORKERS; i++)
			waitpid(pids[i], NULL, 0);
		ASSERT_EQ(remover, waitpid(remover, &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		ASSERT_EQ(0, mmapdemo_pci_rescan());
		warned = mmapdemo_kmsg_grep(kmsg, kernel_bad, line, sizeof(line));
	}
	TH_LOG("%d rounds of %d forkers with %d VMAs killed during a removal",
	       round, KILLED_FORKERS, KILLED_VMAS + 1);
	EXPECT_FALSE(warned) TH_LOG("the kernel logged: %s", line);
	munmap(ready, 4096);
	close(kmsg);
}

/*
 * The same, made to land: a fork killed inside dup_mmap() with the
 * removal already waiting on the parent's mmap_lock.  On 6.8 to 6.x
 * (6.12's kernel/fork.c dup_mmap()) the fork copies the VMAs into a clone
 * of the parent's maple tree one by one and checks fatal_signal_pending()
 * before each; a kill makes it store XA_ZERO_ENTRY at the next one, the
 * entries past it still the parent's VMAs, and unlock the child's and then
 * the parent's mmap_lock.  The failed child's mm then lives on in
 * dup_mm()'s mmput() until exit_mmap() destroys the tree under its
 * mmap_lock held for writing; before that, exit_mmap() unmaps under the
 * read lock.  A driver whose removal walked each mm that maps it (the
 * design before session 6 did) waits on the parent's lock, walks the
 * parent, then queues on the child's lock and gets it when exit_mmap()
 * drops the read lock: it walks the half-built tree and reads the marker
 * as a VMA.  So the forker has one large VMA of populated pages below its
 * BAR VMA (the child's exit_mmap() unmaps it under the read lock: a long
 * window) and many small VMAs above it (the time to see the BAR's VMA
 * copied, by its vma_opens, start the removal and kill).  6.1 builds the
 * child's tree as it copies, and 7.3's dup_mmap() (mm/mmap.c) destroys the
 * tree before it unlocks: there the rounds race a killed fork and a
 * removal and nothing more.  Nothing may be logged, the removal must
 * finish.
 */
#define HALF_LOW_PAGES 16384
#define HALF_HIGH_VMAS 2000
#define HALF_ROUNDS 3

/* Run on @cpu alone, where there is one. */
static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu < sysconf(_SC_NPROCESSORS_ONLN) ? cpu : 0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

struct half_fork {
	int ready;	/* the forker built its address space */
	int forking;	/* it calls fork() now */
	int forked;	/* fork() returned in it: the kill came too late */
	int go;		/* the remover may remove */
};

static void __attribute__((noreturn)) half_forker(struct half_fork *hf,
						  __u32 strategy)
{
	size_t low = HALF_LOW_PAGES * 4096UL, i;
	char *area;
	pid_t pid;
	int fd;

	pin(0);
	fd = mmapdemo_open_strategy(O_RDWR, strategy);
	if (fd < 0)
		_exit(1);
	area = mmap(NULL, low + (2 * HALF_HIGH_VMAS + 2) * 4096UL, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		_exit(1);
	/* Below: one VMA of private pages, 4 KiB each, all present; */
	if (mprotect(area, low, PROT_READ | PROT_WRITE))
		_exit(1);
	madvise(area, low, MADV_NOHUGEPAGE);
	for (i = 0; i < low; i += 4096)
		area[i] = 1;
	/* then the BAR's VMA, */
	if (map_bar(fd, strategy, 1, area + low) == MAP_FAILED)
		_exit(1);
	/* then many VMAs of one page, with a hole between them. */
	for (i = 1; i <= HALF_HIGH_VMAS; i++)
		mprotect(area + low + 2 * i * 4096, 4096, PROT_READ);
	set(&hf->ready, 1);
	while (!get(&hf->forking))
		usleep(1000);
	pid = fork();
	if (pid == 0)
		_exit(0);
	set(&hf->forked, 1);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	for (;;)
		pause();
}

static void __attribute__((noreturn)) half_remover(struct half_fork *hf)
{
	struct sched_param sp = { .sched_priority = 1 };

	/*
	 * On the forker's CPU, and real-time: woken by the forker's unlock,
	 * it runs at the forker's next preemption point, or makes the
	 * forker's next mmap_write_lock() queue behind it instead of
	 * spinning (rwsem_can_spin_on_owner(): need_resched()).
	 */
	pin(0);
	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		_exit(2);
	while (!get(&hf->go))
		usleep(100);
	_exit(mmapdemo_pci_remove() ? 1 : 0);
}

/* The state letter of /proc/@pid/stat ('R', 'S', 'D', 'Z', ...), '?' if none. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

TEST(remove_during_a_killed_fork_walks_no_half_built_tree)
{
	const char *why = mmapdemo_need_ivshmem();
	int round, kmsg, st = 0, late = 0;
	struct half_fork *hf;
	pid_t forker, remover;
	char opens[96], line[512], s;
	bool warned = false;
	__u32 strategy;
	long base;

	if (why)
		SKIP(return, "%s", why);
	strategy = mmapdemo_bar_eager_strategy();
	kmsg = mmapdemo_kmsg_open();
	ASSERT_LE(0, kmsg);
	hf = shared_page();
	ASSERT_NE(NULL, hf);
	snprintf(opens, sizeof(opens), "/sys/class/misc/mmapdemo-%s/stats/vma_opens",
		 mmapdemo_bar_bdf);
	pin(1);
	for (round = 0; round < HALF_ROUNDS; round++) {
		memset(hf, 0, sizeof(*hf));
		forker = fork();
		ASSERT_LE(0, forker);
		if (forker == 0)
			half_forker(hf, strategy);
		while (!get(&hf->ready) && proc_state(forker) != 'Z')
			usleep(1000);
		ASSERT_TRUE(get(&hf->ready)) TH_LOG("the forker could not map");
		remover = fork();
		ASSERT_LE(0, remover);
		if (remover == 0)
			half_remover(hf);
		base = mmapdemo_read_long(opens, 10);
		ASSERT_LE(0, base) TH_LOG("%s: %s", opens, strerror(errno));
		set(&hf->forking, 1);
		/* The child's copy of the BAR's VMA opened: mid-dup_mmap(). */
		while (mmapdemo_read_long(opens, 10) == base && !get(&hf->forked))
			;
		set(&hf->go, 1);
		/* The removal waits (the old design: on the forker's lock). */
		do
			s = proc_state(remover);
		while (!strchr("DZ?", s) && !get(&hf->forked));
		kill(forker, SIGKILL);
		ASSERT_EQ(remover, waitpid(remover, &st, 0));
		warned = mmapdemo_kmsg_grep(kmsg, kernel_bad, line, sizeof(line));
		/*
		 * An oops in the removal leaves the device and the mmap_lock
		 * it held locked, the forker waiting for ever: stop.
		 */
		if (warned || !WIFEXITED(st) || WEXITSTATUS(st))
			break;
		ASSERT_EQ(forker, waitpid(forker, NULL, 0));
		late += get(&hf->forked);
		ASSERT_EQ(0, mmapdemo_pci_rescan());
	}
	TH_LOG("%d rounds of a fork of %d VMAs killed during a removal, %d of them after fork() returned",
	       round, HALF_HIGH_VMAS * 2 + 3, late);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
		TH_LOG("round %d: the removal ended with status %#x", round, st);
	EXPECT_FALSE(warned) TH_LOG("the kernel logged: %s", line);
	munmap(hf, 4096);
	close(kmsg);
}

/*
 * Processes that map the whole BAR exit while others map it and fork,
 * and the device is removed.  Before 6.16 an exit_mmap() and the
 * removal's zap could free a remap VMA's reservation twice, and a second
 * free of the whole range erases the driver's own ioremap() reservation.
 * Afterwards the list holds exactly the new device's reservation, of its
 * caching mode.
 */
#define EXITERS 4
#define EXIT_ROUNDS 6

/* One of @npages, mapped whole, exits; its fork's child exits too. */
static void __attribute__((noreturn)) exit_mapped(__u32 strategy,
						  unsigned long npages)
{
	pid_t pid;
	int fd;

	fd = mmapdemo_open_strategy(O_RDWR, strategy);
	if (fd < 0 || map_bar(fd, strategy, npages, NULL) == MAP_FAILED)
		_exit(1);
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	_exit(0);
}

static void __attribute__((noreturn)) exiter(int *ready, int *stop,
					     __u32 strategy, unsigned long npages)
{
	pid_t pid;

	add(ready, 1);
	while (!get(stop)) {
		pid = fork();
		if (pid == 0)
			exit_mapped(strategy, npages);
		if (pid < 0)
			_exit(1);
		waitpid(pid, NULL, 0);
	}
	_exit(0);
}

TEST(remove_racing_with_exit_keeps_pat_clean)
{
	const char *why = mmapdemo_need_ivshmem();
	unsigned long long start, end;
	int round, i, n, *flags;
	char types[256], line[512];
	pid_t pids[EXITERS];
	unsigned long npages;
	bool warned = false;
	__u32 strategy;
	int kmsg, fd;

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mmapdemo_bar_range(2, &start, &end));
	n = mmapdemo_pat_entries(start, end, types, sizeof(types));
	if (n < 0)
		SKIP(return, "no /sys/kernel/debug/x86/pat_memtype_list (x86 PAT and debugfs)");
	ASSERT_EQ(1, n) TH_LOG("before: %s", types);
	strategy = mmapdemo_bar_eager_strategy();
	fd = open(mmapdemo_bar_path, O_RDONLY);
	ASSERT_LE(0, fd);
	/* The whole BAR, up to 64 MiB, so that each exit has work to do. */
	npages = mmapdemo_info(fd).size / 4096;
	close(fd);
	if (npages > 16384)
		npages = 16384;
	kmsg = mmapdemo_kmsg_open();
	ASSERT_LE(0, kmsg);
	flags = shared_page();
	ASSERT_NE(NULL, flags);
	for (round = 0; round < EXIT_ROUNDS && !warned; round++) {
		set(&flags[0], 0);
		set(&flags[1], 0);
		for (i = 0; i < EXITERS; i++) {
			pids[i] = fork();
			ASSERT_LE(0, pids[i]);
			if (pids[i] == 0)
				exiter(&flags[0], &flags[1], strategy, npages);
		}
		while (get(&flags[0]) < EXITERS)
			usleep(1000);
		usleep(10000 + round * 10000);
		ASSERT_EQ(0, mmapdemo_pci_remove());
		set(&flags[1], 1);
		for (i = 0; i < EXITERS; i++)
			waitpid(pids[i], NULL, 0);
		ASSERT_EQ(0, mmapdemo_pci_rescan());
		warned = mmapdemo_kmsg_grep(kmsg, kernel_bad, line, sizeof(line));
		/* A rescan may give the BAR another address. */
		ASSERT_EQ(0, mmapdemo_bar_range(2, &start, &end));
		n = mmapdemo_pat_entries(start, end, types, sizeof(types));
		EXPECT_EQ(1, n) TH_LOG("round %d: the BAR's reservations: %s",
				       round, types);
		if (n != 1)
			break;
	}
	TH_LOG("%d rounds of %d processes mapping %lu pages (%s) and exiting",
	       round, EXITERS, npages,
	       strategy == MMAPDEMO_STRATEGY_REMAP ? "remap" : "fault");
	EXPECT_FALSE(warned) TH_LOG("the kernel logged: %s", line);
	munmap(flags, 4096);
	close(kmsg);
}

/*
 * The removal never takes another process's mmap_lock: it finishes while
 * a process that maps the BAR is inside a long mmap(MAP_POPULATE), which
 * holds that process's mmap_lock all along, and the process's mapping of
 * the BAR faults SIGBUS afterwards.  The populate is made long enough on
 * this machine first: its time is measured, not assumed.  It maps the zero
 * page read-only, in 4 KiB entries (no transparent huge pages, so one fault
 * per page), so that its length costs only page tables (4 KiB per 2 MiB),
 * not memory: a slow removal on a debug kernel asks for gigabytes of it.
 */
struct populate {
	int ready;
	int populating;
	int populated;
	int sigbus;
	int failed;
	int go;
};

static void __attribute__((noreturn)) populater(struct populate *p,
					       size_t size)
{
	char *bar, *big;
	int fd;

	fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_FAULT);
	bar = fd < 0 ? MAP_FAILED : map_bar(fd, MMAPDEMO_STRATEGY_FAULT, 1, NULL);
	if (bar == MAP_FAILED) {
		set(&p->failed, 1);
		set(&p->ready, 1);
		_exit(1);
	}
	set(&p->ready, 1);
	while (!get(&p->go))
		usleep(1000);
	set(&p->populating, 1);
	big = mmap(NULL, size, PROT_READ,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	set(&p->populated, 1);
	if (big == MAP_FAILED)
		set(&p->failed, 1);
	set(&p->sigbus, touch(bar) == SIGBUS);
	_exit(0);
}

static double seconds_of_populate(size_t size)
{
	struct timespec a, b;
	void *m;

	clock_gettime(CLOCK_MONOTONIC, &a);
	m = mmap(NULL, size, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (m == MAP_FAILED)
		return -1;
	munmap(m, size);
	return b.tv_sec - a.tv_sec + (b.tv_nsec - a.tv_nsec) / 1e9;
}

TEST(remove_finishes_while_a_mapper_holds_its_mmap_lock)
{
	const char *why = mmapdemo_need_ivshmem();
	struct timespec a, b;
	double removal, per_mib;
	struct populate *p;
	long avail_kb;
	size_t size;
	pid_t pid;
	int st;

	if (why)
		SKIP(return, "%s", why);
	/* This process and the populater, which it forks: 4 KiB entries. */
	ASSERT_EQ(0, prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
	/* How long a removal takes here, and a populate of 32 MiB. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	ASSERT_EQ(0, mmapdemo_pci_remove());
	clock_gettime(CLOCK_MONOTONIC, &b);
	ASSERT_EQ(0, mmapdemo_pci_rescan());
	removal = b.tv_sec - a.tv_sec + (b.tv_nsec - a.tv_nsec) / 1e9;
	per_mib = seconds_of_populate(32UL << 20) / 32;
	ASSERT_LT(0, per_mib);
	/*
	 * A populate fifty removals long, and at least half a second, whose
	 * page tables (size / 512) fit in half the free memory.
	 */
	size = (size_t)((removal * 50 > 0.5 ? removal * 50 : 0.5) / per_mib + 1)
	       << 20;
	avail_kb = sysconf(_SC_AVPHYS_PAGES) * (sysconf(_SC_PAGESIZE) / 1024);
	if (size / 512 > (size_t)avail_kb * 512)
		SKIP(return, "a populate long enough (%zu MiB: removal %.3f s, %.5f s per MiB) has page tables larger than half the free memory",
		     size >> 20, removal, per_mib);

	p = shared_page();
	ASSERT_NE(NULL, p);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		populater(p, size);
	while (!get(&p->ready))
		usleep(1000);
	ASSERT_EQ(0, get(&p->failed));
	set(&p->go, 1);
	while (!get(&p->populating))
		usleep(1000);
	usleep(removal * 1e6); /* well inside the populate */
	ASSERT_EQ(0, mmapdemo_pci_remove());
	/* The removal returned: the populate must still be running. */
	EXPECT_EQ(0, get(&p->populated))
		TH_LOG("the removal waited for the populate of %zu MiB", size >> 20);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, get(&p->failed));
	EXPECT_EQ(1, get(&p->sigbus)) TH_LOG("the BAR's mapping did not SIGBUS after the removal");
	ASSERT_EQ(0, mmapdemo_pci_rescan());
	TH_LOG("removal %.3f s; populate of %zu MiB at %.5f s per MiB",
	       removal, size >> 20, per_mib);
	munmap(p, 4096);
}

/*
 * SET_STRATEGY racing with the first mmap() of the file from another
 * process: on 7.x the file's lock is dropped between ->mmap_prepare and
 * ->mapped.  A SET_STRATEGY that returned 0 is never undone: once the
 * mapping exists, the file's strategy is the last one set, and an mmap()
 * described with another one fails (EBUSY).  On the RAM device, with
 * insert, whose action maps 1024 pages between the two.
 */
#define STRATEGY_ROUNDS 200

struct strategy_race {
	int started;
	int stop;
	int last; /* the last strategy SET_STRATEGY took */
	int sets;
};

static void __attribute__((noreturn)) setter(struct strategy_race *r, int fd)
{
	struct mmapdemo_set_strategy req = { 0 };
	__u32 s = MMAPDEMO_STRATEGY_FAULT;

	set(&r->started, 1);
	while (!get(&r->stop)) {
		req.strategy = s;
		if (ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req) == 0) {
			set(&r->last, s);
			add(&r->sets, 1);
		} else if (errno == EBUSY) {
			break;
		}
		s = s == MMAPDEMO_STRATEGY_FAULT ? MMAPDEMO_STRATEGY_INSERT :
						   MMAPDEMO_STRATEGY_FAULT;
	}
	_exit(0);
}

TEST(set_strategy_racing_mmap_is_never_undone)
{
	int round, fd, mapped = 0, busy = 0, undone = 0;
	struct strategy_race *r;
	size_t size = 4UL << 20;
	struct mmapdemo_info info;
	pid_t pid;
	char *m;

	fd = open(MMAPDEMO_DEV, O_RDWR);
	if (fd < 0)
		SKIP(return, MMAPDEMO_HINT);
	info = mmapdemo_info(fd);
	close(fd);
	if (info.size < size)
		size = info.size;
	r = shared_page();
	ASSERT_NE(NULL, r);
	for (round = 0; round < STRATEGY_ROUNDS; round++) {
		fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_INSERT);
		ASSERT_LE(0, fd);
		memset(r, 0, sizeof(*r));
		r->last = MMAPDEMO_STRATEGY_INSERT;
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			setter(r, fd);
		while (!get(&r->started))
			usleep(100);
		m = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		set(&r->stop, 1);
		ASSERT_EQ(pid, waitpid(pid, NULL, 0));
		info = mmapdemo_info(fd);
		if (m == MAP_FAILED) {
			EXPECT_EQ(EBUSY, errno);
			busy++;
		} else {
			mapped++;
			EXPECT_NE(0U, info.flags & MMAPDEMO_INFO_MAPPED);
			munmap(m, size);
		}
		/* Whatever happened, the last strategy set is the file's. */
		if (info.strategy != (__u32)r->last)
			undone++;
		close(fd);
	}
	TH_LOG("%d rounds: %d mapped, %d refused with EBUSY", round, mapped, busy);
	EXPECT_EQ(0, undone) TH_LOG("%d SET_STRATEGY calls were undone by an mmap() under way", undone);
	EXPECT_LT(0, mapped);
	munmap(r, 4096);
}

/*
 * A caching change racing with mmap() of the BAR from another process:
 * the mode changes only while nothing is mapped, and a mapping that was
 * described with the old mode fails (EBUSY) rather than exist with it.
 * While a mapping exists, the mode stays and is its PTEs' memory type.
 */
#define CACHING_ROUNDS 100

TEST(caching_change_racing_mmap_never_lands_under_a_mapping)
{
	const char *why = mmapdemo_need_ivshmem();
	int round, fd, mapped = 0, busy = 0, wrong = 0, *stop;
	char attr[128], before[8], after[8];
	static const char *const modes[] = { "uc", "wc" };
	struct mmapdemo_walk w;
	__u32 strategy;
	pid_t pid;
	char *m;

	if (why)
		SKIP(return, "%s", why);
	strategy = mmapdemo_bar_eager_strategy();
	snprintf(attr, sizeof(attr), "/sys/class/misc/mmapdemo-%s/caching",
		 mmapdemo_bar_bdf);
	stop = shared_page();
	ASSERT_NE(NULL, stop);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (round = 0; !get(stop); round++)
			mmapdemo_write_file(attr, modes[round & 1]);
		_exit(0);
	}
	for (round = 0; round < CACHING_ROUNDS; round++) {
		fd = mmapdemo_open_strategy(O_RDWR, strategy);
		ASSERT_LE(0, fd);
		m = mmap(NULL, 256 * 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) {
			EXPECT_EQ(EBUSY, errno);
			busy++;
			close(fd);
			continue;
		}
		mapped++;
		ASSERT_EQ(0, read_word(attr, before, sizeof(before)));
		ASSERT_EQ(0, touch(m + 255 * 4096));
		w = mmapdemo_walk_at(fd, m + 255 * 4096);
		ASSERT_EQ(0, read_word(attr, after, sizeof(after)));
		if (strcmp(before, after) ||
		    w.memtype != (!strcmp(before, "uc") ? MMAPDEMO_MEMTYPE_UC :
							  MMAPDEMO_MEMTYPE_WC)) {
			if (!wrong++)
				TH_LOG("round %d: caching %s before, %s after, PTE memory type %u (walk result %u)",
				       round, before, after, w.memtype, w.result);
		}
		munmap(m, 256 * 4096);
		close(fd);
	}
	set(stop, 1);
	waitpid(pid, NULL, 0);
	mmapdemo_write_file(attr, "wc");
	TH_LOG("%d rounds: %d mapped, %d refused with EBUSY", round, mapped, busy);
	EXPECT_EQ(0, wrong) TH_LOG("%d mappings saw the mode change under them", wrong);
	EXPECT_LT(0, mapped);
	munmap(stop, 4096);
}

/*
 * A remap mapping keeps its memory type reservation until it is unmapped
 * (7.x: the VMA's pfnmap_track_ctx), also after its device was removed,
 * and x86 PAT gives the next ioremap() of the range that type, whatever it
 * asked for.  The device that comes back must say the mode it really has,
 * refuse a change its kernel mapping cannot follow (EBUSY), and take the
 * change once the old mapping is gone.
 */
static __u32 caching_memtype(const char *mode)
{
	return !strcmp(mode, "uc") ? MMAPDEMO_MEMTYPE_UC : MMAPDEMO_MEMTYPE_WC;
}

/* The memory type of a new fault mapping's first page, touched. */
static __u32 fresh_memtype(void)
{
	struct mmapdemo_walk w;
	char *m;
	int fd;

	fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_FAULT);
	if (fd < 0)
		return ~0U;
	m = map_bar(fd, MMAPDEMO_STRATEGY_FAULT, 1, NULL);
	w = mmapdemo_walk_at(fd, m);
	munmap(m, 4096);
	close(fd);
	return m == MAP_FAILED ? ~0U : w.memtype;
}

TEST(removal_under_a_remap_mapping_keeps_the_caching_mode_true)
{
	const char *why = mmapdemo_need_ivshmem();
	char attr[128], mode[8];
	int fd;
	char *m;

	if (why)
		SKIP(return, "%s", why);
	why = mmapdemo_bar_remap_why();
	if (why)
		SKIP(return, "%s", why);
#ifndef __x86_64__
	SKIP(return, "no PAT: no reservation outlives the device, so the new device's mode is its own");
#endif
	snprintf(attr, sizeof(attr), "/sys/class/misc/mmapdemo-%s/caching",
		 mmapdemo_bar_bdf);
	ASSERT_EQ(0, mmapdemo_write_file(attr, "uc"));
	fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_REMAP);
	ASSERT_LE(0, fd);
	m = map_bar(fd, MMAPDEMO_STRATEGY_REMAP, 4, NULL);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mmapdemo_pci_remove());
	ASSERT_EQ(0, mmapdemo_pci_rescan());

	/* The new device's mode is its PTEs' type: uc, held by the old VMA. */
	ASSERT_EQ(0, read_word(attr, mode, sizeof(mode)));
	EXPECT_STREQ("uc", mode);
	EXPECT_EQ(caching_memtype(mode), fresh_memtype()) TH_LOG("caching %s", mode);
	/* wc cannot be had while the old reservation lives. */
	EXPECT_EQ(-1, mmapdemo_write_file(attr, "wc"));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, read_word(attr, mode, sizeof(mode)));
	EXPECT_EQ(caching_memtype(mode), fresh_memtype()) TH_LOG("caching %s", mode);

	/* Once the old mapping is gone, it can. */
	munmap(m, 4 * 4096);
	close(fd);
	EXPECT_EQ(0, mmapdemo_write_file(attr, "wc"));
	ASSERT_EQ(0, read_word(attr, mode, sizeof(mode)));
	EXPECT_STREQ("wc", mode);
	EXPECT_EQ(caching_memtype(mode), fresh_memtype()) TH_LOG("caching %s", mode);
}

/*
 * A fork that fails inside dup_mmap(), at each of its allocations in turn:
 * /proc/thread-self/fail-nth (the debug kernels' fault injection) fails
 * the Nth allocation of the next system call, and N steps from 1 until a
 * fork succeeds, so that the failure lands before, inside and after each
 * of many device VMAs: on RAM and on the BAR, with each strategy the
 * device offers, each VMA in a 2 MiB region of its own so that copying it
 * allocates page tables.  dup_mmap() then leaves a marker (XA_ZERO_ENTRY)
 * in the child's tree, the entries past it still the parent's, until the
 * failed child's exit_mmap(), inside fork().  Meanwhile the BAR device is
 * removed, at a different step in each round.  After each failed fork:
 * fork returned ENOMEM, the parent's mappings hold what they held (RAM
 * its pattern; the BAR readable before the removal, SIGBUS after it), and
 * the devices' counters are those of the parent's VMAs alone.  At the
 * end: nothing logged, and (x86) the BAR's reservations are the driver's.
 */
#define NTH_VMAS 4 /* VMAs per backing and strategy */
#define NTH_ROUNDS 3
#define NTH_MAX_STEPS 20000
#define NTH_MAX_MAPS 64

struct nth_race {
	int go; /* the forker asks for the removal */
	int removing; /* the remover has begun it */
	int removed; /* and it returned */
	int steps;
	int failed;
	int errors;
	char why[256];
};

struct nth_map {
	char *p;
	bool bar;
	unsigned int seed;
};

static void nth_error(struct nth_race *r, int step, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&r->errors, 1, __ATOMIC_SEQ_CST))
		return;
	snprintf(r->why, sizeof(r->why), "step %d: ", step);
	va_start(ap, fmt);
	vsnprintf(r->why + strlen(r->why), sizeof(r->why) - strlen(r->why),
		  fmt, ap);
	va_end(ap);
}

/* Map NTH_VMAS pages of each strategy of the device at @path. */
static int nth_map_device(const char *path, bool bar, char **area,
			  struct nth_map *maps, int *n, int *fds, int *nfds)
{
	static const __u32 strategies[][2] = {
		{ MMAPDEMO_STRATEGY_FAULT, MMAPDEMO_FEATURE_FAULT },
		{ MMAPDEMO_STRATEGY_REMAP, MMAPDEMO_FEATURE_REMAP },
		{ MMAPDEMO_STRATEGY_INSERT, MMAPDEMO_FEATURE_INSERT },
		{ MMAPDEMO_STRATEGY_HUGE, MMAPDEMO_FEATURE_HUGE },
	};
	struct mmapdemo_info info;
	unsigned int i, k;
	char page[4096];
	int fd;

	fd = open(path, O_RDWR);
	if (fd < 0)
		return -1;
	info = mmapdemo_info(fd);
	close(fd);
	for (i = 0; i < ARRAY_SIZE(strategies); i++) {
		if (!(info.features & strategies[i][1]))
			continue;
		struct mmapdemo_set_strategy req = {
			.strategy = strategies[i][0],
		};

		fd = open(path, O_RDWR);
		if (fd < 0)
			return -1;
		fds[(*nfds)++] = fd;
		if (ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req))
			return -1;
		for (k = 0; k < NTH_VMAS && *n < NTH_MAX_MAPS; k++) {
			struct nth_map *m = &maps[*n];
			off_t off = (off_t)*n * 4096;

			m->bar = bar;
			m->seed = 1000 + *n;
			if (off + 4096 > (off_t)info.size)
				return -1;
			mmapdemo_fill(page, sizeof(page), m->seed);
			if (pwrite(fd, page, sizeof(page), off) != sizeof(page))
				return -1;
			m->p = mmap(*area, 4096, PROT_READ, MAP_SHARED | MAP_FIXED,
				    fd, off);
			if (m->p == MAP_FAILED)
				return -1;
			*area += SZ_2M;
			if (touch(m->p))
				return -1;
			(*n)++;
		}
	}
	return 0;
}

/* The counters of the device behind @fd are those of @live VMAs. */
static const char *nth_counted(int fd, __u64 live)
{
	static char why[128];
	struct mmapdemo_stats st;

	if (ioctl(fd, MMAPDEMO_IOC_STATS, &st))
		return NULL; /* removed: nothing to read */
	if (st.live_vmas != live ||
	    st.mmaps + st.vma_opens - st.vma_closes != live) {
		snprintf(why, sizeof(why), "live_vmas %llu, mmaps %llu + opens %llu - closes %llu, for %llu VMAs",
			 (unsigned long long)st.live_vmas,
			 (unsigned long long)st.mmaps,
			 (unsigned long long)st.vma_opens,
			 (unsigned long long)st.vma_closes,
			 (unsigned long long)live);
		return why;
	}
	return NULL;
}

static void __attribute__((noreturn)) nth_forker(struct nth_race *r,
						 int remove_at)
{
	static struct nth_map maps[NTH_MAX_MAPS];
	int fds[16], nfds = 0, ram_fds = 0, n = 0, nth, i, sig, step, ram, bar;
	unsigned int left;
	__u64 ram_live, bar_live;
	const char *why;
	char *area, buf[16];
	ssize_t len;
	pid_t pid;

	area = mmap(NULL, (NTH_MAX_MAPS + 1) * SZ_2M, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		goto fail;
	area = (char *)(((uintptr_t)area + SZ_2M - 1) & ~(SZ_2M - 1));
	/* Both backings' VMAs, so that the failures land at each kind. */
	if (nth_map_device(MMAPDEMO_DEV, false, &area, maps, &n, fds, &nfds))
		goto fail_map;
	ram_fds = nfds;
	if (nth_map_device(mmapdemo_bar_path, true, &area, maps, &n, fds, &nfds))
		goto fail_map;
	ram = fds[0];
	bar = fds[ram_fds];
	ram_live = bar_live = 0;
	for (i = 0; i < n; i++) {
		if (maps[i].bar)
			bar_live++;
		else
			ram_live++;
	}
	/* Opened before it is armed: opening allocates. */
	nth = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth < 0) {
		nth_error(r, 0, "fail-nth or the BAR: %s", strerror(errno));
		goto fail;
	}
	for (step = 1; step <= NTH_MAX_STEPS; step++) {
		if (step == remove_at)
			set(&r->go, 1);
		len = snprintf(buf, sizeof(buf), "%d", step);
		if (pwrite(nth, buf, len, 0) != len) {
			nth_error(r, step, "fail-nth: %s", strerror(errno));
			break;
		}
		pid = fork();
		if (pid == 0)
			_exit(0);
		sig = errno;
		len = pread(nth, buf, sizeof(buf) - 1, 0);
		buf[len > 0 ? len : 0] = '\0';
		left = strtoul(buf, NULL, 10);
		if (pwrite(nth, "0", 1, 0) != 1)
			nth_error(r, step, "fail-nth: %s", strerror(errno));
		if (pid > 0) {
			waitpid(pid, NULL, 0);
			/* Past the last allocation of a fork: done. */
			if (left)
				break;
			continue;
		}
		add(&r->failed, 1);
		if (sig != ENOMEM)
			nth_error(r, step, "fork failed with %s, not ENOMEM",
				  strerror(sig));
		why = nth_counted(ram, ram_live);
		if (why)
			nth_error(r, step, "RAM device: %s", why);
		why = nth_counted(bar, bar_live);
		if (why)
			nth_error(r, step, "BAR device: %s", why);
		for (i = 0; i < n; i++) {
			int removed = get(&r->removed);
			int removing = get(&r->removing);

			sig = touch(maps[i].p);
			if (!maps[i].bar) {
				if (sig || mmapdemo_check(maps[i].p, 4096,
							  maps[i].seed) >= 0)
					nth_error(r, step, "RAM VMA %d lost its content (signal %d)",
						  i, sig);
			} else if (!removing && sig) {
				nth_error(r, step, "BAR VMA %d faults (signal %d) before the removal",
					  i, sig);
			} else if (removed && sig != SIGBUS) {
				nth_error(r, step, "BAR VMA %d readable after the removal",
					  i);
			}
		}
		if (get(&r->errors))
			break;
	}
	set(&r->go, 1);
	add(&r->steps, step);
	_exit(0);
fail_map:
	nth_error(r, 0, "cannot map the devices: %s", strerror(errno));
fail:
	add(&r->errors, 1);
	set(&r->go, 1);
	_exit(1);
}

static void __attribute__((noreturn)) nth_remover(struct nth_race *r)
{
	int ret;

	while (!get(&r->go))
		usleep(1000);
	set(&r->removing, 1);
	ret = mmapdemo_pci_remove();
	set(&r->removed, 1);
	_exit(ret ? 1 : 0);
}

/* debugfs knobs of fault injection, set for the test and then restored. */
static const char *const nth_knobs[][2] = {
	/* fail-nth fails GFP_KERNEL allocations too, and order 0 pages */
	{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
	/* no stack dump for each injected failure: the gate reads them */
	{ "/sys/kernel/debug/failslab/verbose", "0" },
	{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
};

TEST(remove_racing_with_forks_failed_by_fail_nth)
{
	const char *why = mmapdemo_need_ivshmem();
	char saved[ARRAY_SIZE(nth_knobs)][32], types[256], line[512];
	unsigned long long start, end;
	int round, i, kmsg, st, steps0 = 0, pat;
	pid_t forker, remover;
	struct nth_race *r;
	bool warned = false;

	if (why)
		SKIP(return, "%s", why);
	if (access("/proc/thread-self/fail-nth", W_OK))
		SKIP(return, "no /proc/thread-self/fail-nth: this kernel has no CONFIG_FAULT_INJECTION (the debug kernels have it)");
	for (i = 0; i < (int)ARRAY_SIZE(nth_knobs); i++)
		if (read_word(nth_knobs[i][0], saved[i], sizeof(saved[i])))
			SKIP(return, "no %s: CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC and CONFIG_FAULT_INJECTION_DEBUG_FS are needed to fail a fork's allocations",
			     nth_knobs[i][0]);
	ASSERT_EQ(0, mmapdemo_bar_range(2, &start, &end));
	/* x86 with debugfs: the driver's own ioremap() reservation alone. */
	pat = mmapdemo_pat_entries(start, end, types, sizeof(types));
	if (pat >= 0)
		ASSERT_EQ(1, pat) TH_LOG("before: %s", types);
	kmsg = mmapdemo_kmsg_open();
	ASSERT_LE(0, kmsg);
	r = shared_page();
	ASSERT_NE(NULL, r);
	for (i = 0; i < (int)ARRAY_SIZE(nth_knobs); i++)
		ASSERT_EQ(0, mmapdemo_write_file(nth_knobs[i][0], nth_knobs[i][1]));
	for (round = 0; round < NTH_ROUNDS && !warned; round++) {
		memset(r, 0, sizeof(*r));
		remover = fork();
		ASSERT_LE(0, remover);
		if (remover == 0)
			nth_remover(r);
		forker = fork();
		ASSERT_LE(0, forker);
		/* The first round removes at once; the others part way. */
		if (forker == 0)
			nth_forker(r, 1 + round * steps0 / NTH_ROUNDS);
		ASSERT_EQ(forker, waitpid(forker, &st, 0));
		ASSERT_EQ(remover, waitpid(remover, &st, 0));
		EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		ASSERT_EQ(0, mmapdemo_pci_rescan());
		EXPECT_EQ(0, r->errors) TH_LOG("round %d: %s", round, r->why);
		EXPECT_LT(0, r->failed);
		warned = mmapdemo_kmsg_grep(kmsg, kernel_bad, line, sizeof(line));
		if (pat >= 0) {
			/* A rescan may give the BAR another address. */
			ASSERT_EQ(0, mmapdemo_bar_range(2, &start, &end));
			i = mmapdemo_pat_entries(start, end, types, sizeof(types));
			EXPECT_EQ(1, i) TH_LOG("round %d: the BAR's reservations: %s",
					       round, types);
		}
		TH_LOG("round %d: %d forks failed in %d steps, the removal asked at step %d",
		       round, r->failed, r->steps, 1 + round * steps0 / NTH_ROUNDS);
		if (r->errors)
			break;
		if (!round)
			steps0 = r->steps;
	}
	for (i = 0; i < (int)ARRAY_SIZE(nth_knobs); i++)
		EXPECT_EQ(0, mmapdemo_write_file(nth_knobs[i][0], saved[i]));
	EXPECT_FALSE(warned) TH_LOG("the kernel logged: %s", line);
	munmap(r, 4096);
	close(kmsg);
}

/* The slowest rounds take minutes on a debug kernel under TCG. */
static void revoke_timeouts(void)
{
	_remove_racing_with_mmap_leaves_no_pte_object.timeout = mmapdemo_scaled(900);
	_remove_racing_with_fork_warns_nothing_object.timeout = mmapdemo_scaled(900);
	_remove_racing_with_killed_forks_warns_nothing_object.timeout = mmapdemo_scaled(900);
	_remove_during_a_killed_fork_walks_no_half_built_tree_object.timeout = mmapdemo_scaled(900);
	_remove_racing_with_exit_keeps_pat_clean_object.timeout = mmapdemo_scaled(900);
	_remove_finishes_while_a_mapper_holds_its_mmap_lock_object.timeout = mmapdemo_scaled(900);
	_set_strategy_racing_mmap_is_never_undone_object.timeout = mmapdemo_scaled(900);
	_caching_change_racing_mmap_never_lands_under_a_mapping_object.timeout = mmapdemo_scaled(900);
	_remove_racing_with_forks_failed_by_fail_nth_object.timeout = mmapdemo_scaled(900);
}

MMAPDEMO_HARNESS_MAIN_THEN(revoke_timeouts)
