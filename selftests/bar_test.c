// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI BAR devices of mmapdemo, /dev/mmapdemo-<PCI address>
 * (Documentation/device-memory.rst): what only they have.  The mapping
 * semantics they share with the RAM device are in mmap_test's bar_*
 * variants, the host's proof in bar_proof_test.
 *  - no struct page: insert is refused, GUP fails, VM_IO | VM_PFNMAP;
 *  - the caching mode is the PTE's memory type, and the PFN is in the BAR;
 *  - remap maps a BAR where the kernel tracks PFN-map memory types per
 *    reservation (pfnmap_track(), 6.16), and is refused before;
 *  - removal and unbind revoke every mapping (SIGBUS) and every file
 *    (ENODEV); rescan and bind bring back a device that works.  What
 *    races with a removal is revoke_test's.
 * Needs root and the device (scripts/vm.sh -d ivshmem=FILE).  edu's
 * registers are edu_test's.
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define NPAGES 8UL
#define CACHE_BITS (MMAPDEMO_PTE_PWT | MMAPDEMO_PTE_PCD | MMAPDEMO_PTE_PAT)

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

/*
 * insert needs struct pages: refused on a BAR, at SET_STRATEGY.  defio
 * maps shadow pages of RAM and writes them to the BAR (defio_test's
 * defio_bar): offered and taken.
 */
TEST(insert_is_refused_on_a_bar)
{
	struct mmapdemo_set_strategy req = {
		.strategy = MMAPDEMO_STRATEGY_INSERT
	};
	const char *why = mmapdemo_need_ivshmem();
	struct mmapdemo_info info;
	int fd;

	if (why)
		SKIP(return, "%s", why);
	fd = open(mmapdemo_bar_path, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
	EXPECT_EQ(EINVAL, errno);
	info = mmapdemo_info(fd);
	EXPECT_EQ(0U, info.features & MMAPDEMO_FEATURE_INSERT);
	EXPECT_NE(0U, info.features & MMAPDEMO_FEATURE_DEFIO);
	EXPECT_NE(0U, info.features & MMAPDEMO_FEATURE_FAULT);
	req.strategy = MMAPDEMO_STRATEGY_DEFIO;
	EXPECT_EQ(0, ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req))
		TH_LOG("defio on a BAR: %s", strerror(errno));
	close(fd);
}

/* Whether the running kernel has the function @name, by /proc/kallsyms. */
static int kernel_has(const char *name)
{
	char line[256], *sym;
	int found = 0;
	FILE *f;

	f = fopen("/proc/kallsyms", "r");
	if (!f)
		return -1;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		sym = strrchr(line, ' ');
		found = sym && !strcmp(sym + 1, name);
	}
	fclose(f);
	return found;
}

/*
 * remap maps a BAR only where the kernel tracks PFN-map memory types per
 * reservation, which pfnmap_track() (6.16) does (kmod/compat.h): the
 * device offers it, and SET_STRATEGY takes it, exactly there.  Elsewhere
 * SET_STRATEGY refuses it with EINVAL, as for insert.
 */
/* The machine, as uname -m says it. */
static const char *mmapdemo_machine(void)
{
	static struct utsname u;

	return uname(&u) ? "" : u.machine;
}

/* Whether the running kernel is at least @major.@minor. */
static int mmapdemo_kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma, mi;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return 0;
	return ma > major || (ma == major && mi >= minor);
}

TEST(remap_maps_a_bar_only_with_pfnmap_tracking)
{
	struct mmapdemo_set_strategy req = {
		.strategy = MMAPDEMO_STRATEGY_REMAP
	};
	const char *why = mmapdemo_need_ivshmem();
	int fd, has, ret;

	if (why)
		SKIP(return, "%s", why);
	has = kernel_has("pfnmap_track");
	/*
	 * Without x86's PAT, pfnmap_track() is an inline stub of
	 * include/linux/pgtable.h (6.16), not in kallsyms, which the module's
	 * probe finds all the same (kmod/probes/pfnmap_track.c): 6.16 or later.
	 */
	if (!has && strcmp(mmapdemo_machine(), "x86_64"))
		has = mmapdemo_kernel_at_least(6, 16);
	if (has < 0 || (!has && kernel_has("remap_pfn_range") != 1))
		SKIP(return, "no kernel symbols in /proc/kallsyms");
	fd = open(mmapdemo_bar_path, O_RDWR);
	ASSERT_LE(0, fd);
	ret = ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req);
	if (has) {
		EXPECT_EQ(0, ret) TH_LOG("%s", strerror(errno));
		EXPECT_NE(0U, mmapdemo_info(fd).features & MMAPDEMO_FEATURE_REMAP);
	} else {
		EXPECT_EQ(-1, ret);
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(0U, mmapdemo_info(fd).features & MMAPDEMO_FEATURE_REMAP);
	}
	close(fd);
}

/*
 * GUP cannot pin a BAR page (VM_IO | VM_PFNMAP, no struct page):
 * process_vm_readv() from it fails with EFAULT, while the RAM device's
 * mapping works.
 */
TEST(gup_fails_on_a_bar_not_on_ram)
{
	const char *why = mmapdemo_need_ivshmem();
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
		SKIP(return, "no process_vm_readv() (CONFIG_CROSS_MEMORY_ATTACH is off)");
	fd = open_bar(MMAPDEMO_STRATEGY_FAULT);
	ASSERT_LE(0, fd);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mmapdemo_probe_read(m, buf)); /* mapped by its fault */
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

/*
 * Where remap maps a BAR (6.16 and later), its VMAs split like any other
 * mapping: munmap of either end and of the middle, mprotect of a part,
 * mremap to shrink.  Every part keeps working, and once all are gone
 * x86's list of memory type reservations in the BAR's range is as before:
 * the last part freed the mapping's one reservation.
 */
TEST(remap_splits_and_leaves_pat_clean)
{
	const char *why = mmapdemo_need_ivshmem();
	unsigned long long start, end;
	char types[256], c = 0, *m, *n;
	const size_t p = 4096;
	int fd, reserved;
	__u64 before;

	if (why)
		SKIP(return, "%s", why);
	why = mmapdemo_bar_remap_why();
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mmapdemo_bar_range(2, &start, &end));
	reserved = mmapdemo_pat_entries(start, end, types, sizeof(types));
	fd = open_bar(MMAPDEMO_STRATEGY_REMAP);
	ASSERT_LE(0, fd);
	before = mmapdemo_stats(fd).live_vmas;
	m = mmap(NULL, 16 * p, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, munmap(m, p));			/* the first page */
	ASSERT_EQ(0, munmap(m + 15 * p, p));		/* the last */
	ASSERT_EQ(0, munmap(m + 7 * p, p));		/* one in the middle */
	ASSERT_EQ(0, mprotect(m + 3 * p, p, PROT_READ));
	n = mremap(m + 8 * p, 7 * p, 3 * p, 0);		/* shrink */
	ASSERT_EQ(m + 8 * p, n);
	m[2 * p] = 'a';
	n[p] = 'b';
	ASSERT_EQ(1, pread(fd, &c, 1, 2 * p));
	EXPECT_EQ('a', c);
	ASSERT_EQ(1, pread(fd, &c, 1, 9 * p));
	EXPECT_EQ('b', c);
	EXPECT_EQ(SIGSEGV, mmapdemo_probe_write(m + 3 * p, 'x'));
	EXPECT_EQ(SIGSEGV, mmapdemo_probe_read(m + 7 * p, &c));
	/* The pieces: pages 1-2, 3, 4-6 and 8-10. */
	EXPECT_EQ(before + 4, mmapdemo_stats(fd).live_vmas);
	ASSERT_EQ(0, munmap(m, 16 * p));
	EXPECT_EQ(before, mmapdemo_stats(fd).live_vmas);
	close(fd);
	if (reserved < 0) {
		ksft_print_msg("no /sys/kernel/debug/x86/pat_memtype_list: the reservations were not counted\n");
		return;
	}
	EXPECT_EQ(reserved, mmapdemo_pat_entries(start, end, types, sizeof(types)))
		TH_LOG("the BAR's reservations: %s", types);
}

/*
 * The memory type bits of the PTE behind @m, mapped with @strategy, and
 * the kernel's reading of them (@memtype).  On arm64 the bits are the
 * descriptor's AttrIndx (bits 4:2), the index into MAIR_EL1.
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
	if (w.arch == MMAPDEMO_ARCH_ARM64)
		return (w.level[MMAPDEMO_LEVEL_PTE].raw >> 2) & 7;
	return w.entry[MMAPDEMO_LEVEL_PTE].bits & CACHE_BITS;
}

/*
 * The caching mode is the memory type of every user PTE: with Linux's PAT
 * layout (WB WC UC- UC ...), wc is PAT index 1 (PWT) and uc index 3
 * (PWT | PCD).  On arm64 (no PAT), wc is pgprot_writecombine()'s
 * Normal-NC, AttrIndx 2 (MT_NORMAL_NC), and uc pgprot_noncached()'s
 * Device-nGnRnE, AttrIndx 3 (MT_DEVICE_nGnRnE), the same on 6.1, 6.12 and
 * 7.3 (arch/arm64/include/asm/memory.h).  The PFN lies in the BAR.  The
 * mode changes only while nothing is mapped.
 */
TEST(caching_mode_is_the_pte_memory_type)
{
	static const struct {
		const char *mode;
		__u32 bits;
		__u32 attrindx;
		__u32 memtype;
	} modes[] = {
		{ "uc", MMAPDEMO_PTE_PWT | MMAPDEMO_PTE_PCD, 3, MMAPDEMO_MEMTYPE_UC },
		{ "wc", MMAPDEMO_PTE_PWT, 2, MMAPDEMO_MEMTYPE_WC },
	};
#ifdef __aarch64__
	const bool arm64 = true;
#else
	const bool arm64 = false;
#endif
	const char *why = mmapdemo_need_ivshmem();
	unsigned long long start, end, phys;
	char attr[128], *m;
	__u32 s, memtype;
	unsigned int i;
	int fd;

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, mmapdemo_bar_range(2, &start, &end));
	snprintf(attr, sizeof(attr), "/sys/class/misc/mmapdemo-%s/bar",
		 mmapdemo_bar_bdf);
	EXPECT_EQ(2, mmapdemo_read_hex(attr));
	snprintf(attr, sizeof(attr), "/sys/class/misc/mmapdemo-%s/caching",
		 mmapdemo_bar_bdf);
	EXPECT_EQ(-1, mmapdemo_write_file(attr, "wb"));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, mmapdemo_write_file(attr, modes[i].mode));
		for (s = MMAPDEMO_STRATEGY_FAULT; s <= MMAPDEMO_STRATEGY_REMAP;
		     s++) {
			if (s == MMAPDEMO_STRATEGY_REMAP && mmapdemo_bar_remap_why()) {
				TH_LOG("%s", mmapdemo_bar_remap_why());
				continue;
			}
			fd = open_bar(s);
			ASSERT_LE(0, fd);
			m = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE,
				 MAP_SHARED, fd, 4096);
			ASSERT_NE(MAP_FAILED, m);
			EXPECT_EQ(arm64 ? modes[i].attrindx : modes[i].bits,
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
	const char *why = mmapdemo_need_ivshmem();
	static char out[65536];
	char cmd[160];
	size_t n;
	FILE *p;

	if (why)
		SKIP(return, "%s", why);
	snprintf(cmd, sizeof(cmd),
		 "mmapdemo --device %s --json path --calls none --strategy fault --offset 0x3000",
		 mmapdemo_bar_path);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	EXPECT_EQ(0, pclose(p)) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"memtype\": \"WC\"")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"phys_in_bar\": true")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"caching\": \"wc\"")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "\"pci_address\": \"%s\"", mmapdemo_bar_bdf);
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
	/* Mapped eagerly where the kernel can (remap), else by its touch. */
	fr = open_bar(mmapdemo_bar_eager_strategy());
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
					 "unbind", mmapdemo_bar_bdf));
	} else {
		ASSERT_EQ(0, mmapdemo_pci_remove());
	}
	EXPECT_TRUE(mmapdemo_wait_node(mmapdemo_bar_path, false));

	EXPECT_EQ(SIGBUS, touch(mf));			/* faulted before */
	EXPECT_EQ(SIGBUS, touch(mf + 3 * 4096));	/* never faulted */
	EXPECT_EQ(SIGBUS, touch(mr + 4096));		/* mapped before */
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
					 "bind", mmapdemo_bar_bdf));
	} else {
		ASSERT_EQ(0, mmapdemo_pci_rescan());
	}
	ASSERT_TRUE(mmapdemo_wait_node(mmapdemo_bar_path, true));
	fd = open_bar(MMAPDEMO_STRATEGY_FAULT);
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
	const char *why = mmapdemo_need_ivshmem();

	if (why)
		SKIP(return, "%s", why);
	revoke_and_restore(_metadata, false);
}

TEST(unbind_revokes_and_bind_restores)
{
	const char *why = mmapdemo_need_ivshmem();

	if (why)
		SKIP(return, "%s", why);
	revoke_and_restore(_metadata, true);
}

MMAPDEMO_HARNESS_MAIN
