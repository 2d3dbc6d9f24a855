// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI BAR devices of mmapdemo, /dev/mmapdemo-<PCI address>
 * (Documentation/device-memory.rst): what only they have.  The mapping
 * semantics they share with the RAM device are in mmap_test's bar_*
 * variants, the host's proof in bar_proof_test.
 *  - no struct page: insert is refused, GUP fails, VM_IO | VM_PFNMAP;
 *  - the caching mode is the PTE's memory type, and the PFN is in the BAR;
 *  - removal and unbind revoke every mapping (SIGBUS) and every file
 *    (ENODEV), also against mmap(remap) calls and fork() racing with it;
 *    rescan and bind bring back a device that works.
 * Needs root and the device (scripts/vm.sh -d ivshmem=FILE).  edu's
 * registers are edu_test's.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define NPAGES 8UL
#define CACHE_BITS (MMAPDEMO_PTE_PWT | MMAPDEMO_PTE_PCD | MMAPDEMO_PTE_PAT)

static char bar_path[64], bar_bdf[24];

/* Find the ivshmem BAR device, or say why not. */
static const char *need_ivshmem(void)
{
	if (getuid() != 0)
		return "needs root (PCI remove and rescan)";
	if (mmapdemo_find_bar(MMAPDEMO_IVSHMEM_VENDOR, MMAPDEMO_IVSHMEM_DEVICE,
			      bar_path, sizeof(bar_path), bar_bdf,
			      sizeof(bar_bdf)))
		return MMAPDEMO_BAR_HINT("ivshmem-plain");
	mmapdemo_dev = bar_path;
	return NULL;
}

static int open_bar(__u32 strategy)
{
	return mmapdemo_open_strategy(O_RDWR, strategy);
}

static int sysfs_write(const char *fmt, const char *arg, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), fmt, arg);
	return mmapdemo_write_file(path, val);
}

/* Wait up to a second for a device node to come or go. */
static bool wait_node(const char *path, bool present)
{
	int i;

	for (i = 0; i < 100; i++) {
		if ((access(path, F_OK) == 0) == present)
			return true;
		usleep(10000);
	}
	return false;
}

static int pci_remove(void)
{
	return sysfs_write("/sys/bus/pci/devices/%s/remove", bar_bdf, "1");
}

static int pci_rescan(void)
{
	if (mmapdemo_write_file("/sys/bus/pci/rescan", "1"))
		return -1;
	return wait_node(bar_path, true) ? 0 : -1;
}

/* insert needs struct pages: refused on a BAR, at SET_STRATEGY. */
TEST(insert_is_refused_on_a_bar)
{
	struct mmapdemo_set_strategy req = {
		.strategy = MMAPDEMO_STRATEGY_INSERT
	};
	const char *why = need_ivshmem();
	struct mmapdemo_info info;
	int fd;

	if (why)
		SKIP(return, "%s", why);
	fd = open(bar_path, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
	EXPECT_EQ(EINVAL, errno);
	info = mmapdemo_info(fd);
	EXPECT_EQ(0U, info.features & MMAPDEMO_FEATURE_INSERT);
	EXPECT_NE(0U, info.features & MMAPDEMO_FEATURE_REMAP);
	EXPECT_NE(0U, info.features & MMAPDEMO_FEATURE_FAULT);
	close(fd);
}

/*
 * GUP cannot pin a BAR page (VM_IO | VM_PFNMAP, no struct page):
 * process_vm_readv() from it fails with EFAULT, while the RAM device's
 * mapping works.
 */
TEST(gup_fails_on_a_bar_not_on_ram)
{
	const char *why = need_ivshmem();
	struct iovec local, remote;
	char buf[16], why_buf[16] = "", *m, *r;
	int fd, ram;

	if (why)
		SKIP(return, "%s", why);
	/* process_vm_readv() from our own stack: is it there at all? */
	local.iov_base = buf;
	local.iov_len = sizeof(buf);
	remote.iov_base = why_buf;
	remote.iov_len = sizeof(why_buf);
	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) < 0 &&
	    errno == ENOSYS)
		SKIP(return, "no process_vm_readv() (CONFIG_CROSS_MEMORY_ATTACH is off, as in the lab's 6.12-debug)");
	fd = open_bar(MMAPDEMO_STRATEGY_REMAP);
	ASSERT_LE(0, fd);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	remote.iov_base = m;
	remote.iov_len = sizeof(buf);
	EXPECT_EQ(-1, process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(MMAPDEMO_VMF_IO | MMAPDEMO_VMF_PFNMAP,
		  mmapdemo_walk_at(fd, m).vma_vmflags &
			  (MMAPDEMO_VMF_IO | MMAPDEMO_VMF_PFNMAP));

	ram = open(MMAPDEMO_DEV, O_RDWR);
	ASSERT_LE(0, ram);
	r = mmap(NULL, 4096, PROT_READ, MAP_SHARED, ram, 0);
	ASSERT_NE(MAP_FAILED, r);
	remote.iov_base = r;
	EXPECT_EQ((ssize_t)sizeof(buf),
		  process_vm_readv(getpid(), &local, 1, &remote, 1, 0));
	/* RAM is write-back; the BAR is not. */
	EXPECT_EQ((__u32)MMAPDEMO_MEMTYPE_WB, mmapdemo_walk_at(ram, r).memtype);
	EXPECT_EQ((__u32)MMAPDEMO_MEMTYPE_WC, mmapdemo_walk_at(fd, m).memtype);
	munmap(r, 4096);
	munmap(m, 4096);
	close(ram);
	close(fd);
}

/* The BAR's physical range from /sys/bus/pci/devices/BDF/resource. */
static int bar_range(int bar, unsigned long long *start,
		     unsigned long long *end)
{
	unsigned long long flags;
	char path[128];
	FILE *f;
	int i, ret = -1;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource",
		 bar_bdf);
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
 * The memory type bits of the PTE behind @m, mapped with @strategy, and
 * the kernel's reading of them (@memtype).
 */
static __u32 pte_cache_bits(int fd, char *m, unsigned long long *phys,
			    __u32 *memtype)
{
	struct mmapdemo_walk w;
	char c;

	c = *(volatile char *)m; /* the fault strategy maps on touch */
	(void)c;
	w = mmapdemo_walk_at(fd, m);
	*phys = w.phys;
	*memtype = w.memtype;
	if (w.result != MMAPDEMO_WALK_MAPPED)
		return ~0U;
	return w.entry[MMAPDEMO_LEVEL_PTE].bits & CACHE_BITS;
}

/*
 * The caching mode is the memory type of every user PTE: with Linux's PAT
 * layout (WB WC UC- UC ...), wc is PAT index 1 (PWT) and uc index 3
 * (PWT | PCD).  The PFN lies in the BAR.  The mode changes only while
 * nothing is mapped.
 */
TEST(caching_mode_is_the_pte_memory_type)
{
	static const struct {
		const char *mode;
		__u32 bits;
		__u32 memtype;
	} modes[] = {
		{ "uc", MMAPDEMO_PTE_PWT | MMAPDEMO_PTE_PCD, MMAPDEMO_MEMTYPE_UC },
		{ "wc", MMAPDEMO_PTE_PWT, MMAPDEMO_MEMTYPE_WC },
	};
	const char *why = need_ivshmem();
	unsigned long long start, end, phys;
	char attr[128], *m;
	__u32 s, memtype;
	unsigned int i;
	int fd;

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, bar_range(2, &start, &end));
	snprintf(attr, sizeof(attr), "/sys/class/misc/mmapdemo-%s/bar",
		 bar_bdf);
	EXPECT_EQ(2, mmapdemo_read_hex(attr));
	snprintf(attr, sizeof(attr), "/sys/class/misc/mmapdemo-%s/caching",
		 bar_bdf);
	EXPECT_EQ(-1, mmapdemo_write_file(attr, "wb"));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, mmapdemo_write_file(attr, modes[i].mode));
		for (s = MMAPDEMO_STRATEGY_FAULT; s <= MMAPDEMO_STRATEGY_REMAP;
		     s++) {
			fd = open_bar(s);
			ASSERT_LE(0, fd);
			m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 4096);
			ASSERT_NE(MAP_FAILED, m);
			EXPECT_EQ(modes[i].bits,
				  pte_cache_bits(fd, m, &phys, &memtype))
				TH_LOG("%s, strategy %u", modes[i].mode, s);
			EXPECT_EQ(modes[i].memtype, memtype);
			EXPECT_EQ(start + 4096, phys);
			EXPECT_TRUE(phys >= start && phys <= end);
			/* Not while mapped: EBUSY. */
			EXPECT_EQ(-1, mmapdemo_write_file(attr, modes[!i].mode));
			EXPECT_EQ(EBUSY, errno);
			munmap(m, 2 * 4096);
			close(fd);
		}
	}
}

/*
 * "mmapdemo path" on the BAR device: the memory type decoded, and the
 * physical address inside the BAR as .../resource lists it.
 */
TEST(cli_path_shows_memtype_and_bar)
{
	const char *why = need_ivshmem();
	static char out[65536];
	char cmd[160];
	size_t n;
	FILE *p;

	if (why)
		SKIP(return, "%s", why);
	snprintf(cmd, sizeof(cmd),
		 "mmapdemo --device %s --json path --strategy remap --offset 0x3000",
		 bar_path);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	EXPECT_EQ(0, pclose(p)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"memtype\": \"WC\"")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"phys_in_bar\": true")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"caching\": \"wc\"")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "\"pci_address\": \"%s\"", bar_bdf);
	EXPECT_NE(NULL, strstr(out, cmd)) TH_LOG("%s", out);
}

/* Touching @p raises SIGBUS (or another signal): the PTE is gone. */
static int touch(char *p)
{
	char c;

	return mmapdemo_probe_read(p, &c);
}

/*
 * Remove (or unbind) the device under open files and live mappings:
 * every mapping SIGBUSes, every file call but close gives ENODEV, munmap
 * and close work; rescan (or bind) brings a device that works and still
 * holds the data.
 */
static void revoke_and_restore(struct __test_metadata *_metadata, bool unbind)
{
	struct mmapdemo_info info;
	char *mf, *mr, c = 0;
	int ff, fr, fd;

	ff = open_bar(MMAPDEMO_STRATEGY_FAULT);
	fr = open_bar(MMAPDEMO_STRATEGY_REMAP);
	ASSERT_LE(0, ff);
	ASSERT_LE(0, fr);
	mf = mmap(NULL, NPAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ff,
		  0);
	mr = mmap(NULL, NPAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fr,
		  0);
	ASSERT_NE(MAP_FAILED, mf);
	ASSERT_NE(MAP_FAILED, mr);
	mf[0] = 'R';
	mr[4096] = 'V';

	if (unbind) {
		ASSERT_EQ(0, sysfs_write("/sys/bus/pci/drivers/mmapdemo/%s",
					 "unbind", bar_bdf));
	} else {
		ASSERT_EQ(0, pci_remove());
	}
	EXPECT_TRUE(wait_node(bar_path, false));

	EXPECT_EQ(SIGBUS, touch(mf));			/* faulted before */
	EXPECT_EQ(SIGBUS, touch(mf + 3 * 4096));	/* never faulted */
	EXPECT_EQ(SIGBUS, touch(mr + 4096));		/* mapped eagerly */
	EXPECT_EQ(-1, pread(ff, &c, 1, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, pwrite(fr, &c, 1, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, ioctl(ff, MMAPDEMO_IOC_INFO, &info));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fr, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(0, munmap(mf, NPAGES * 4096));
	EXPECT_EQ(0, munmap(mr, NPAGES * 4096));
	EXPECT_EQ(0, close(ff));
	EXPECT_EQ(0, close(fr));

	if (unbind) {
		ASSERT_EQ(0, sysfs_write("/sys/bus/pci/drivers/mmapdemo/%s",
					 "bind", bar_bdf));
	} else {
		ASSERT_EQ(0, pci_rescan());
	}
	ASSERT_TRUE(wait_node(bar_path, true));
	fd = open_bar(MMAPDEMO_STRATEGY_REMAP);
	ASSERT_LE(0, fd);
	mr = mmap(NULL, NPAGES * 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, mr);
	/* The memory is the host's file: it kept what was written. */
	EXPECT_EQ('R', mr[0]);
	EXPECT_EQ('V', mr[4096]);
	munmap(mr, NPAGES * 4096);
	close(fd);
}

TEST(remove_revokes_and_rescan_restores)
{
	const char *why = need_ivshmem();

	if (why)
		SKIP(return, "%s", why);
	revoke_and_restore(_metadata, false);
}

TEST(unbind_revokes_and_bind_restores)
{
	const char *why = need_ivshmem();

	if (why)
		SKIP(return, "%s", why);
	revoke_and_restore(_metadata, true);
}

/*
 * mmap(remap) maps eagerly, and the core links the VMA only after ->mmap
 * returns: threads mmap the BAR as fast as they can while it is removed,
 * then no PTE of any mapping they got may be left (dev.c).
 */
#define RACE_THREADS 3
#define RACE_MAPS 256

struct racer {
	pthread_t thread;
	char *maps[RACE_MAPS];
	int fds[RACE_MAPS];
	int n;
	volatile bool *stop;
};

static void *race_mmap(void *arg)
{
	struct racer *r = arg;
	char *m;
	int fd;

	while (!*r->stop && r->n < RACE_MAPS) {
		fd = open_bar(MMAPDEMO_STRATEGY_REMAP);
		if (fd < 0)
			break;
		m = mmap(NULL, 4 * 4096, PROT_READ, MAP_SHARED, fd, 0);
		if (m == MAP_FAILED) {
			close(fd);
			break;
		}
		r->fds[r->n] = fd;
		r->maps[r->n++] = m;
	}
	return NULL;
}

/* One round: race, remove, count surviving PTEs, clean up, rescan. */
static void race_round(struct __test_metadata *_metadata, int ram, int *left,
		       int *total)
{
	struct racer racers[RACE_THREADS];
	volatile bool stop = false;
	struct mmapdemo_walk w;
	int i, j, k;

	memset(racers, 0, sizeof(racers));
	for (i = 0; i < RACE_THREADS; i++) {
		racers[i].stop = &stop;
		ASSERT_EQ(0, pthread_create(&racers[i].thread, NULL, race_mmap,
					    &racers[i]));
	}
	usleep(50000);
	ASSERT_EQ(0, pci_remove());
	stop = true;
	for (i = 0; i < RACE_THREADS; i++)
		pthread_join(racers[i].thread, NULL);

	for (i = 0; i < RACE_THREADS; i++) {
		for (j = 0; j < racers[i].n; j++) {
			for (k = 0; k < 4; k++) {
				w = mmapdemo_walk_at(ram, racers[i].maps[j] + k * 4096);
				if (w.result == MMAPDEMO_WALK_MAPPED)
					(*left)++;
			}
			EXPECT_EQ(SIGBUS, touch(racers[i].maps[j]));
			munmap(racers[i].maps[j], 4 * 4096);
			close(racers[i].fds[j]);
			(*total)++;
		}
	}
	ASSERT_EQ(0, pci_rescan());
}

/*
 * Several rounds: without the mmap_lock barrier of dev.c, one round in two
 * left PTEs behind in the lab.
 */
#define RACE_ROUNDS 10

TEST(remove_racing_with_mmap_leaves_no_pte)
{
	const char *why = need_ivshmem();
	int round, ram, left = 0, total = 0;

	if (why)
		SKIP(return, "%s", why);
	ram = open(MMAPDEMO_DEV, O_RDONLY); /* its walk reads any address */
	ASSERT_LE(0, ram);
	for (round = 0; round < RACE_ROUNDS && !left; round++) {
		/* How far it got, should the harness's limit end it. */
		ksft_print_msg("remove_racing_with_mmap: round %d of %d, %d mappings so far\n",
			       round + 1, RACE_ROUNDS, total);
		race_round(_metadata, ram, &left, &total);
	}
	TH_LOG("%d rounds, %d mappings made before and during the removals",
	       round, total);
	EXPECT_EQ(0, left) TH_LOG("%d PTEs to the removed BAR survived", left);
	EXPECT_LT(0, total);
	close(ram);
}

/*
 * vm_ops->open records a forked child's mm on the device's list for the
 * removal (dev.c); exited ones are pruned at the next fork or mmap, so a
 * process that forks again and again does not grow the list, which the
 * device's "mms" attribute counts.  (mm_struct objects in /proc/slabinfo
 * would say the same on Debian's kernels, but KASAN's quarantine keeps
 * freed objects counted on the debug kernels.)
 */
#define PRUNE_FORKS 200
#define PRUNE_TIMEOUT 120 /* a fork takes up to 60 ms on 7-debug under TCG */

static long list_mms(void)
{
	char attr[128];

	snprintf(attr, sizeof(attr), "/sys/class/misc/%s/mms",
		 strrchr(bar_path, '/') + 1);
	return mmapdemo_read_long(attr, 10);
}

TEST(forks_do_not_grow_the_mm_list)
{
	const char *why = need_ivshmem();
	long before, after;
	int i, fd;
	pid_t pid;
	char *m;

	if (why)
		SKIP(return, "%s", why);
	fd = open_bar(MMAPDEMO_STRATEGY_FAULT);
	ASSERT_LE(0, fd);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	before = list_mms();
	ASSERT_LE(1, before) TH_LOG("mms: %ld, and this process maps it",
				    before);
	for (i = 0; i < PRUNE_FORKS; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(0);
		ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	}
	after = list_mms();
	TH_LOG("%d forks: mms on the list %ld -> %ld", PRUNE_FORKS, before,
	       after);
	/* At most the last child, exited and not pruned yet. */
	EXPECT_GE(before + 1, after)
		TH_LOG("the device's list kept the children's mms");
	munmap(m, 4096);
	close(fd);
}

/*
 * fork() copies a remap VMA's PTEs and, on x86 kernels before 6.16, its
 * PAT reservation (VM_PAT), which track_pfn_copy() finds by reading the
 * parent's first PTE.  A removal that zaps the parent after that read and
 * before the copy of the PTEs leaves the child a VM_PAT VMA without a
 * PTE: its next zap or its exit WARNs in get_pat_info() and leaks the
 * reservation (device-memory.rst, "Revocation").  Processes with many
 * small remap mappings fork as fast as they can while the device is
 * removed: the kernel logs no warning, and no process, parent or child,
 * keeps a PTE of the removed BAR.
 */
#define FORKERS 3
#define FORK_MAPS 128
#define FORK_ROUNDS 20
#define FORK_SECONDS 30 /* or fewer rounds: a debug kernel is slower */
#define SZ_2M (2UL << 20)
#define FORK_WAITERS 4 /* children per forker that live past the removal */

struct fork_race {
	int ready;
	int stop;
	int left;	/* PTEs to the removed BAR that survived */
	int errors;
	unsigned long forks;
};

/* How many of @maps still have a PTE, by the RAM device's walk. */
static int mapped_left(int ram, char **maps)
{
	struct mmapdemo_walk w;
	int i, n = 0;

	for (i = 0; i < FORK_MAPS; i++) {
		w = mmapdemo_walk_at(ram, maps[i]);
		if (w.result == MMAPDEMO_WALK_MAPPED)
			n++;
	}
	return n;
}

static void __attribute__((noreturn)) forker(struct fork_race *fr)
{
	static char *maps[FORK_MAPS];
	pid_t waiters[FORK_WAITERS], pid;
	int i, fd, ram, nwait = 0;
	char *area;

	ram = open(MMAPDEMO_DEV, O_RDONLY);
	fd = open_bar(MMAPDEMO_STRATEGY_REMAP);
	if (ram < 0 || fd < 0)
		goto fail;
	/*
	 * Separate VMAs (VM_PFNMAP ones never merge), each in its own 2 MiB
	 * region: fork() allocates the child a page table for each between
	 * reading the parent's PTE for PAT and copying it, which widens the
	 * window that the removal's zap must hit.
	 */
	area = mmap(NULL, (FORK_MAPS + 1) * SZ_2M, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (area == MAP_FAILED)
		goto fail;
	area = (char *)(((uintptr_t)area + SZ_2M - 1) & ~(SZ_2M - 1));
	for (i = 0; i < FORK_MAPS; i++) {
		maps[i] = mmap(area + i * SZ_2M, 4096, PROT_READ,
			       MAP_SHARED | MAP_FIXED, fd, 0);
		if (maps[i] == MAP_FAILED)
			goto fail;
	}
	__atomic_add_fetch(&fr->ready, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&fr->stop, __ATOMIC_SEQ_CST)) {
		pid = fork();
		if (pid < 0)
			goto fail;
		if (pid == 0) {
			/* Most children exit at once: exit unmaps too. */
			if (nwait == FORK_WAITERS)
				_exit(0);
			while (!__atomic_load_n(&fr->stop, __ATOMIC_SEQ_CST))
				usleep(1000);
			__atomic_add_fetch(&fr->left, mapped_left(ram, maps),
					   __ATOMIC_SEQ_CST);
			_exit(0);
		}
		__atomic_add_fetch(&fr->forks, 1, __ATOMIC_SEQ_CST);
		if (nwait < FORK_WAITERS)
			waiters[nwait++] = pid;
		else
			waitpid(pid, NULL, 0);
	}
	for (i = 0; i < nwait; i++)
		waitpid(waiters[i], NULL, 0);
	__atomic_add_fetch(&fr->left, mapped_left(ram, maps), __ATOMIC_SEQ_CST);
	_exit(0);
fail:
	__atomic_add_fetch(&fr->errors, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&fr->ready, 1, __ATOMIC_SEQ_CST);
	_exit(1);
}

/* FORK_SECONDS and the last round, which takes 30 s on 6.12-debug. */
#define FORK_TIMEOUT 120

TEST(remove_racing_with_fork_warns_nothing)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "x86/PAT", "get_pat_info", NULL
	};
	const char *why = need_ivshmem();
	pid_t pids[FORKERS];
	struct fork_race *fr;
	bool warned = false;
	time_t start;
	char line[512];
	int round, rounds = 0, i, kmsg;

	if (why)
		SKIP(return, "%s", why);
	kmsg = mmapdemo_kmsg_open();
	ASSERT_LE(0, kmsg) TH_LOG("/dev/kmsg: %s", strerror(errno));
	fr = mmap(NULL, sizeof(*fr), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fr);
	start = time(NULL);
	for (round = 0; round < FORK_ROUNDS; round++) {
		if (time(NULL) - start > FORK_SECONDS)
			break;
		ksft_print_msg("remove_racing_with_fork: round %d of %d, %lu forks so far\n",
			       round + 1, FORK_ROUNDS, fr->forks);
		fr->ready = 0;
		fr->stop = 0;
		for (i = 0; i < FORKERS; i++) {
			pids[i] = fork();
			ASSERT_LE(0, pids[i]);
			if (pids[i] == 0)
				forker(fr);
		}
		while (__atomic_load_n(&fr->ready, __ATOMIC_SEQ_CST) < FORKERS)
			usleep(1000);
		/* A different moment of the forks in each round. */
		usleep(20000 + round * 7000);
		ASSERT_EQ(0, pci_remove());
		__atomic_store_n(&fr->stop, 1, __ATOMIC_SEQ_CST);
		for (i = 0; i < FORKERS; i++)
			waitpid(pids[i], NULL, 0);
		ASSERT_EQ(0, pci_rescan());
		warned = mmapdemo_kmsg_grep(kmsg, bad, line, sizeof(line));
		rounds++;
		if (fr->errors || fr->left || warned)
			break;
	}
	TH_LOG("%d rounds, %lu forks of %d remap VMAs each", rounds, fr->forks,
	       FORK_MAPS);
	EXPECT_EQ(0, fr->errors) TH_LOG("a forker could not open, map or fork");
	EXPECT_EQ(0, fr->left) TH_LOG("%d PTEs to the removed BAR survived",
				      fr->left);
	EXPECT_LT(0UL, fr->forks);
	EXPECT_FALSE(warned) TH_LOG("the kernel logged: %s", line);
	munmap(fr, sizeof(*fr));
	close(kmsg);
}

/* The harness's timeout is a constant of the test's metadata. */
static void __attribute__((constructor)) fork_race_timeout(void)
{
	_remove_racing_with_fork_warns_nothing_object.timeout = FORK_TIMEOUT;
	_forks_do_not_grow_the_mm_list_object.timeout = PRUNE_TIMEOUT;
}

MMAPDEMO_HARNESS_MAIN
