// SPDX-License-Identifier: GPL-2.0
/*
 * The experiments that need one of mmapdemo's PCI BAR devices
 * (/dev/mmapdemo-<PCI address>), each skipped with its reason and the fix
 * where the device is missing:
 *
 *   huge            64 MiB of a BAR touched with the fault strategy (4 KiB
 *                   per fault) and with huge (2 MiB per fault where the
 *                   kernel has huge PFN-map entries)
 *   device_not_ram  QEMU's edu device against the RAM device: a register
 *                   that does not give back what was written, VM_IO |
 *                   VM_PFNMAP, nothing in pagemap, GUP refused
 *   revoke          the ivshmem device unbound from the driver under a
 *                   mapping: the removal's calls down to the zap, then the
 *                   SIGBUS of the next touch; bound again afterwards
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "edu.h"
#include "tour.h"

/* What the huge experiment maps: 16384 pages of 4 KiB, 32 PMD blocks. */
#define HUGE_SIZE (64UL << 20)
#define HUGE_SIZE_TEXT "64 MiB"
/* Where a kernel has transparent huge pages at all. */
#define THP_SYSFS "/sys/kernel/mm/transparent_hugepage"

#define IVSHMEM_FIX \
	"fix: boot with an ivshmem BAR of 64 MiB or more: make demo attaches one, by hand scripts/vm.sh -d ivshmem=FILE,size=128M KERNEL"
/* QEMU's ivshmem (hw/misc/ivshmem.c: PCI_VENDOR_ID_IVSHMEM, its device). */
#define IVSHMEM_VENDOR 0x1af4
#define IVSHMEM_DEVICE 0x1110
#define IVSHMEM_ANY_FIX \
	"fix: boot with an ivshmem BAR: make demo attaches one, by hand scripts/vm.sh -d ivshmem=FILE KERNEL"
#define EDU_FIX \
	"fix: boot QEMU with -device edu: make demo attaches it, by hand scripts/vm.sh -d edu KERNEL"

/*
 * The first BAR device whose huge strategy can map HUGE_SIZE: its path in
 * @path and its features in *@features.  Returns 0, or -ENODEV with the
 * number of BAR devices seen in *@seen and the largest one's size in
 * *@largest.
 */
static int huge_device(char *path, size_t size, uint32_t *features,
		       unsigned int *seen, uint64_t *largest)
{
	struct mmapdemo_info info;
	struct mmapdemo *md;
	int ret = -ENODEV;
	glob_t g;

	*seen = 0;
	*largest = 0;
	if (glob("/dev/mmapdemo-*", 0, NULL, &g))
		return -ENODEV;
	for (size_t i = 0; i < g.gl_pathc && ret; i++) {
		if (mmapdemo_open(g.gl_pathv[i], O_RDWR, &md))
			continue;
		if (!mmapdemo_get_info(md, &info)) {
			(*seen)++;
			if (info.size > *largest)
				*largest = info.size;
			if ((info.features & MMAPDEMO_FEATURE_HUGE) &&
			    info.size >= HUGE_SIZE) {
				snprintf(path, size, "%s", g.gl_pathv[i]);
				*features = info.features;
				ret = 0;
			}
		}
		mmapdemo_close(md);
	}
	globfree(&g);
	return ret;
}

struct huge_count {
	int err;		/* of opening, choosing the strategy, mmap() */
	int64_t faults, pmd, pud, fallbacks;
	double ms;		/* the first touch of every page */
	unsigned int leaf;	/* MMAPDEMO_LEVEL_* of the first page's leaf */
	uint64_t leaf_bytes;	/* what that leaf maps */
};

/* The level the walk of @addr stopped at, if it is a leaf there. */
static void huge_leaf(struct mmapdemo *md, const void *addr,
		      struct huge_count *hc)
{
	struct mmapdemo_walk w;
	const struct mmapdemo_walk_level *l;

	hc->leaf = MMAPDEMO_LEVELS;
	if (mmapdemo_walk(md, addr, &w) || w.result != MMAPDEMO_WALK_MAPPED ||
	    !w.levels || w.levels > MMAPDEMO_LEVELS)
		return;
	l = &w.level[w.levels - 1];
	if (!(l->flags & MMAPDEMO_ENTRY_LEAF) || l->shift >= 64)
		return;
	hc->leaf = w.levels - 1;
	hc->leaf_bytes = 1ULL << l->shift;
}

/*
 * Map HUGE_SIZE of @path with @strategy, read one byte of each page,
 * and count the device's faults; the leaf of the first page from the walk.
 */
static void huge_touch(struct tour *t, const char *path,
		       unsigned int strategy, bool traced,
		       struct huge_count *hc)
{
	unsigned int first = 0;
	struct mmapdemo_stats s0, s1;
	struct timespec t0, t1;
	struct mmapdemo *md;
	void *m = NULL;

	memset(hc, 0, sizeof(*hc));
	hc->leaf = MMAPDEMO_LEVELS;
	hc->err = mmapdemo_open(path, O_RDWR, &md);
	if (hc->err)
		return;
	hc->err = mmapdemo_set_strategy(md, strategy);
	if (!hc->err)
		hc->err = mmapdemo_map(md, HUGE_SIZE, PROT_READ, MAP_SHARED, 0,
				       &m);
	if (hc->err) {
		mmapdemo_close(md);
		return;
	}
	mmapdemo_get_stats(md, &s0);
	if (traced) {
		/* The first page traced, outside the time measured. */
		tour_touch_traced(t, m, 1, "touch_calls", "calls, first read",
				  NULL);
		first = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tour_touch_pages((char *)m + (size_t)first * t->ps,
			 (unsigned int)(HUGE_SIZE / t->ps) - first, t->ps);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	mmapdemo_get_stats(md, &s1);
	huge_leaf(md, m, hc);
	mmapdemo_unmap(m, HUGE_SIZE);
	mmapdemo_close(md);
	hc->faults = (int64_t)(s1.faults - s0.faults);
	hc->pmd = (int64_t)(s1.pmd_faults - s0.pmd_faults);
	hc->pud = (int64_t)(s1.pud_faults - s0.pud_faults);
	hc->fallbacks = (int64_t)(s1.huge_fallbacks - s0.huge_fallbacks);
	hc->ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		 (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
}

static const char *leaf_name(const struct huge_count *hc)
{
	return hc->leaf < MMAPDEMO_LEVELS ? mmapdemo_level_name(hc->leaf) :
					    "none";
}

static void huge_report(struct tour *t, const char *path,
			unsigned int strategy, struct huge_count *hc)
{
	char err[96], leaf[64];

	tour_device_section(strategy);
	huge_touch(t, path, strategy, true, hc);
	if (hc->err) {
		report_str("mmap", "open, strategy, mmap",
			   tour_err_text(hc->err, err, sizeof(err)));
		report_close();
		return;
	}
	report_i64("faults", "faults", hc->faults);
	report_i64("pmd_faults", "pmd_faults", hc->pmd);
	report_i64("pud_faults", "pud_faults", hc->pud);
	report_i64("huge_fallbacks", "huge_fallbacks", hc->fallbacks);
	report_double("first_touch_ms", "first touch", hc->ms, "ms");
	snprintf(leaf, sizeof(leaf), "%s (%llu KiB)", leaf_name(hc),
		 (unsigned long long)(hc->leaf_bytes >> 10));
	report_str("leaf", "leaf of the first page", leaf);
	report_close();
}

static void huge_run(struct tour *t)
{
	const int64_t pages = (int64_t)(HUGE_SIZE / t->ps);
	struct huge_count fc, hc;
	uint32_t features = 0;
	uint64_t largest;
	unsigned int seen;
	char path[64], why[160];
	bool pmd, thp, ok;
	double fewer;

	if (huge_device(path, sizeof(path), &features, &seen, &largest)) {
		if (!seen)
			snprintf(why, sizeof(why),
				 "no PCI BAR device is bound to mmapdemo (no /dev/mmapdemo-*)");
		else
			snprintf(why, sizeof(why),
				 "no BAR device of %s or more is bound to mmapdemo (%u seen, the largest %llu KiB)",
				 HUGE_SIZE_TEXT, seen,
				 (unsigned long long)(largest >> 10));
		tour_skip(t, why, IVSHMEM_FIX);
		return;
	}
	pmd = features & MMAPDEMO_FEATURE_HUGE_PMD;
	thp = access(THP_SYSFS, F_OK) == 0;
	report_text("Map %s of %s and read one byte of each of its %lld pages, once",
		    HUGE_SIZE_TEXT, path, (long long)pages);
	report_text("with the fault strategy and once with huge.  The counts are the BAR");
	report_text("device's own (stats), the leaf is where the page-table walk of the first");
	report_text("page stops, as mmapdemo path shows it.  A pass with the fault strategy");
	report_text("comes first, uncounted: in a VM the first touch of a BAR page may also");
	report_text("cost the host a fault on the file behind the BAR, and neither measured");
	report_text("pass should pay for that.");
	report_str("device", "device", path);
	report_bool("huge_pmd", "feature huge-pmd", pmd);
	report_bool("huge_pud", "feature huge-pud",
		    features & MMAPDEMO_FEATURE_HUGE_PUD);
	report_bool("thp", "transparent huge pages", thp);
	/*
	 * The first touch of a BAR page in a VM may also cost the host a
	 * fault on the file behind the BAR; an uncounted pass first, so that
	 * the two measured ones pay for the guest's mapping alone.
	 */
	huge_touch(t, path, MMAPDEMO_STRATEGY_FAULT, false, &fc);
	report_str("warm_up", "warm-up (not counted)",
		   fc.err ? "failed" : "read every page with fault");
	huge_report(t, path, MMAPDEMO_STRATEGY_FAULT, &fc);
	huge_report(t, path, MMAPDEMO_STRATEGY_HUGE, &hc);
	fewer = hc.faults > 0 ? (double)fc.faults / (double)hc.faults : 0;
	if (pmd) {
		report_text("fault: each first touch of a page calls ->fault, which maps that one");
		report_text("page with vmf_insert_pfn_prot().  huge: the device placed the mapping");
		report_text("2 MiB aligned (its get_unmapped_area); a touch in an empty PMD calls");
		report_text("->huge_fault, which maps the whole 2 MiB block with vmf_insert_pfn_pmd().");
		if (hc.fallbacks) {
			report_text("huge_fallbacks %lld: where the PUD entry above the mapping was still empty,", (long long)hc.fallbacks);
			report_text("the core asked ->huge_fault for a 1 GiB entry first, which does not fit");
			report_text("a 64 MiB mapping: the strategy fell back, and the core tried 2 MiB.");
		}
		ok = !fc.err && !hc.err && fc.faults == pages &&
		     fc.leaf == MMAPDEMO_LEVEL_PTE && hc.faults >= 1 &&
		     hc.faults * 100 <= fc.faults && hc.pmd + hc.pud >= 1 &&
		     (hc.leaf == MMAPDEMO_LEVEL_PMD ||
		      hc.leaf == MMAPDEMO_LEVEL_PUD);
		if (ok)
			tour_verdict(t, true,
				     "huge took %lld faults (%lld PMD) for %s, %.0fx fewer than fault's %lld (at least 100x), its leaf a %s against a PTE; first touch %.1f ms against %.1f ms",
				     (long long)hc.faults, (long long)hc.pmd,
				     HUGE_SIZE_TEXT, fewer,
				     (long long)fc.faults, leaf_name(&hc),
				     hc.ms, fc.ms);
		else
			tour_verdict(t, false,
				     "expected at least 100x fewer faults with huge and a PMD or PUD leaf: fault %lld faults (expected %lld), leaf %s; huge %lld faults (%lld PMD, %lld PUD, %lld fallbacks), leaf %s",
				     (long long)fc.faults, (long long)pages,
				     leaf_name(&fc), (long long)hc.faults,
				     (long long)hc.pmd, (long long)hc.pud,
				     (long long)hc.fallbacks, leaf_name(&hc));
		return;
	}
	if (!thp) {
		report_text("This kernel has no transparent huge pages (" THP_SYSFS);
		report_text("is missing: CONFIG_TRANSPARENT_HUGEPAGE is off, which PREEMPT_RT forces");
		report_text("on 6.12 and 7.3), and huge PFN-map entries (ARCH_SUPPORTS_PMD_PFNMAP)");
		report_text("depend on it: the core never calls ->huge_fault, and the huge strategy");
		report_text("maps 4 KiB per fault, as fault does.  The experiment checks that instead.");
	} else {
		report_text("This kernel has no huge PFN-map entries (ARCH_SUPPORTS_PMD_PFNMAP came in");
		report_text("6.12, with pmd_special() to keep GUP-fast off such leaves): its fault path");
		report_text("never calls ->huge_fault for a VM_PFNMAP mapping (6.1: hugepage_vma_check()");
		report_text("refuses VM_SPECIAL), so the huge strategy maps 4 KiB per fault, as fault");
		report_text("does.  The experiment checks that instead.");
	}
	ok = !fc.err && !hc.err && fc.faults == pages && hc.faults == pages &&
	     hc.pmd == 0 && hc.pud == 0 && fc.leaf == MMAPDEMO_LEVEL_PTE &&
	     hc.leaf == MMAPDEMO_LEVEL_PTE;
	if (ok)
		tour_verdict(t, true,
			     "no huge PFN-map entries on this kernel (%s): huge fell back to 4 KiB and took %lld faults, as fault's %lld, both leaves PTEs; first touch %.1f ms against %.1f ms",
			     thp ? "no ARCH_SUPPORTS_PMD_PFNMAP" : "no THP",
			     (long long)hc.faults, (long long)fc.faults, hc.ms,
			     fc.ms);
	else
		tour_verdict(t, false,
			     "without huge PFN-map entries both should take %lld faults with PTE leaves: fault %lld (leaf %s), huge %lld (%lld PMD, %lld PUD; leaf %s)",
			     (long long)pages, (long long)fc.faults,
			     leaf_name(&fc), (long long)hc.faults,
			     (long long)hc.pmd, (long long)hc.pud,
			     leaf_name(&hc));
}

const struct tour_experiment tour_huge = {
	.name = "huge",
	.title = "64 MiB of a BAR, 4 KiB or 2 MiB per fault",
	.shows = "Where the kernel allows huge PFN-map entries, one fault maps a whole 2 MiB block of device memory, so touching 64 MiB takes 32 faults instead of 16384.",
	.run = huge_run,
};

/* ------------------------------------------------------------------ */

/* What one side (edu's BAR or the RAM device) showed. */
struct not_ram {
	int err;		/* of open, strategy, mmap */
	uint32_t written, read;
	uint64_t vmflags;	/* MMAPDEMO_VMF_* */
	bool walk_mapped;	/* a present leaf in the page table */
	uint64_t walk_pfn;
	int in_bar;		/* walk_pfn inside the BAR: 1, 0, -1 unknown */
	unsigned int memtype;
	struct mmapdemo_pagemap pm;
	ssize_t spliced;	/* vmsplice()'s result */
	int splice_err;		/* its errno */
};

/*
 * vmsplice() one page at @addr into a pipe: the kernel pins the user
 * pages with GUP (iov_iter_get_pages2() -> get_user_pages_fast()) to put
 * them in the pipe, where a read of the pipe would copy from them.
 */
static void not_ram_splice(struct tour *t, void *addr, size_t len,
			   struct not_ram *nr)
{
	static const char *const marks[] = {
		"check_vma_flags", "__get_user_pages", NULL
	};
	struct iovec iov = { .iov_base = addr, .iov_len = len };
	int pfd[2];

	nr->spliced = -1;
	nr->splice_err = 0;
	if (pipe2(pfd, O_NONBLOCK | O_CLOEXEC)) {
		nr->splice_err = errno;
		return;
	}
	tour_trace_start(t);
	nr->spliced = vmsplice(pfd[1], &iov, 1, SPLICE_F_NONBLOCK);
	if (nr->spliced < 0)
		nr->splice_err = errno;
	tour_trace_stop(t, "vmsplice_calls", "calls in vmsplice()", marks);
	close(pfd[0]);
	close(pfd[1]);
}

/*
 * Map one page of @path with @strategy, write @value to the 32-bit word at
 * @off and read it back, then look at the mapping: its VMA flags and leaf
 * (the walk), pagemap, and GUP (vmsplice).
 */
static void not_ram_probe(struct tour *t, const char *path,
			  unsigned int strategy, unsigned int off,
			  uint32_t value, struct not_ram *nr)
{
	struct mmapdemo_bar bar;
	volatile uint32_t *regs;
	struct mmapdemo_walk w;
	struct mmapdemo *md;
	void *m = NULL;

	memset(nr, 0, sizeof(*nr));
	nr->err = mmapdemo_open(path, O_RDWR, &md);
	if (nr->err)
		return;
	nr->err = mmapdemo_set_strategy(md, strategy);
	if (!nr->err) {
		tour_trace_start(t);
		nr->err = mmapdemo_map(md, t->ps, PROT_READ | PROT_WRITE,
				       MAP_SHARED, 0, &m);
		tour_trace_stop(t, "mmap_calls", "calls in mmap()", NULL);
	}
	if (nr->err) {
		mmapdemo_close(md);
		return;
	}
	regs = m;
	tour_trace_start(t);
	edu_write(regs, off, value);
	tour_trace_stop(t, "touch_calls", "calls, first write", NULL);
	nr->written = value;
	nr->read = edu_read(regs, off);
	if (!mmapdemo_walk(md, m, &w)) {
		nr->vmflags = w.vma_vmflags;
		nr->walk_mapped = w.result == MMAPDEMO_WALK_MAPPED;
		nr->walk_pfn = w.pfn;
		nr->memtype = w.memtype;
	}
	nr->in_bar = -1;
	if (!mmapdemo_bar_query(path, &bar) && nr->walk_pfn)
		nr->in_bar = nr->walk_pfn * t->ps >= bar.start &&
			     nr->walk_pfn * t->ps <= bar.end;
	mmapdemo_pagemap_read(m, &nr->pm);
	not_ram_splice(t, m, t->ps, nr);
	mmapdemo_unmap(m, t->ps);
	mmapdemo_close(md);
}

static void not_ram_report(const struct not_ram *nr, unsigned int off)
{
	char err[96], label[64], flags[128];

	if (nr->err) {
		report_str("mmap", "open, strategy, mmap",
			   tour_err_text(nr->err, err, sizeof(err)));
		return;
	}
	snprintf(label, sizeof(label), "wrote at 0x%02x", off);
	report_hex("written", label, nr->written);
	report_hex("read", "read back", nr->read);
	mmapdemo_vm_flags_format(nr->vmflags & (MMAPDEMO_VMF_IO |
						MMAPDEMO_VMF_PFNMAP |
						MMAPDEMO_VMF_MIXEDMAP),
				 flags, sizeof(flags));
	report_str("vm_flags", "io, pf, mm of VmFlags", flags[0] ? flags : "none");
	report_bool("vm_io", "VM_IO", nr->vmflags & MMAPDEMO_VMF_IO);
	report_bool("vm_pfnmap", "VM_PFNMAP", nr->vmflags & MMAPDEMO_VMF_PFNMAP);
	report_str("memtype", "memory type (walk)",
		   mmapdemo_memtype_name(nr->memtype) ?: "?");
	report_bool("walk_present", "present (walk)", nr->walk_mapped);
	report_hex("walk_pfn", "PFN (walk)", nr->walk_pfn);
	if (nr->in_bar >= 0)
		report_bool("pfn_in_bar", "PFN inside the BAR", nr->in_bar);
	report_bool("pagemap_present", "present (pagemap)", nr->pm.present);
	report_hex("pagemap_pfn", "PFN (pagemap)", nr->pm.pfn);
	if (nr->spliced >= 0)
		snprintf(err, sizeof(err), "%zd bytes", nr->spliced);
	else
		tour_err_text(-nr->splice_err, err, sizeof(err));
	report_str("vmsplice", "vmsplice (GUP)", err);
}

static void device_not_ram_run(struct tour *t)
{
	const uint32_t x = 0x12345678;
	struct not_ram bar, ram;
	bool root = geteuid() == 0;
	unsigned int eager;
	bool bar_ok, ram_ok;
	char path[64];

	if (mmapdemo_bar_find(EDU_VENDOR, EDU_DEVICE, path, sizeof(path))) {
		tour_skip(t,
			  "no edu device (PCI 1234:11e8, QEMU's -device edu) is bound to mmapdemo",
			  EDU_FIX);
		return;
	}
	eager = cli_eager_strategy(path);
	report_text("Write x = 0x%08x to a 32-bit word of each mapping and read it back,", x);
	report_text("then ask the kernel about the page: its VMA flags and leaf (the walk),");
	report_text("/proc/self/pagemap, and GUP (vmsplice() takes a reference on the page");
	report_text("to put it in a pipe).  BAR 0 of %s is edu's registers (%s strategy,", path,
		    mmapdemo_strategy_name(eager));
	report_text("uncached); the word is the liveness register (0x%02x).  The RAM", EDU_LIVENESS);
	report_text("device (fault strategy) hands out struct pages.");
	report_section("edu", "edu's BAR 0");
	report_str("device", "device", path);
	not_ram_probe(t, path, eager, EDU_LIVENESS, x, &bar);
	not_ram_report(&bar, EDU_LIVENESS);
	report_close();
	report_section("ram", "the RAM device");
	not_ram_probe(t, t->cli->device ?: MMAPDEMO_DEVICE,
		      MMAPDEMO_STRATEGY_FAULT, EDU_LIVENESS, x, &ram);
	not_ram_report(&ram, EDU_LIVENESS);
	report_close();
	report_text("edu: a register is no memory: the device computes what a read returns.");
	report_text("VM_IO | VM_PFNMAP: the PTE holds a PFN with no struct page behind it.");
	report_text("The pagemap walker skips a VM_PFNMAP VMA (walk_page_test()) and reports");
	report_text("a hole although the walk finds a present PTE; GUP refuses such a VMA in");
	report_text("check_vma_flags() with EFAULT.  RAM: the byte stays, pagemap shows the");
	report_text("frame the walk shows%s, and GUP takes a reference on the page.",
		    root ? "" : " (PFNs only for root)");
	bar_ok = !bar.err && bar.read == (uint32_t)~x &&
		 (bar.vmflags & MMAPDEMO_VMF_IO) &&
		 (bar.vmflags & MMAPDEMO_VMF_PFNMAP) && bar.walk_mapped &&
		 (!root || bar.in_bar == 1) &&
		 !bar.pm.present && !bar.pm.pfn && bar.spliced < 0 &&
		 bar.splice_err == EFAULT;
	ram_ok = !ram.err && ram.read == x &&
		 !(ram.vmflags & (MMAPDEMO_VMF_IO | MMAPDEMO_VMF_PFNMAP)) &&
		 ram.walk_mapped && ram.pm.present &&
		 (!root || (ram.pm.pfn && ram.pm.pfn == ram.walk_pfn)) &&
		 ram.spliced == (ssize_t)t->ps;
	if (bar_ok && ram_ok)
		tour_verdict(t, true,
			     "edu's register read back 0x%08x for 0x%08x, its VM_IO | VM_PFNMAP page was present in the page table yet absent from pagemap, and vmsplice() failed with EFAULT; the RAM device read back 0x%08x, pagemap showed PFN 0x%llx, vmsplice() took %zd bytes",
			     bar.read, x, ram.read,
			     (unsigned long long)ram.pm.pfn, ram.spliced);
	else
		tour_verdict(t, false,
			     "edu: read 0x%08x (expected 0x%08x), io %d pf %d, walk %d (PFN in BAR %d), pagemap %d pfn 0x%llx, vmsplice %zd errno %d (expected EFAULT); RAM: read 0x%08x, io %d pf %d, pagemap %d pfn 0x%llx (walk 0x%llx), vmsplice %zd",
			     bar.read, (uint32_t)~x,
			     !!(bar.vmflags & MMAPDEMO_VMF_IO),
			     !!(bar.vmflags & MMAPDEMO_VMF_PFNMAP),
			     bar.walk_mapped, bar.in_bar, bar.pm.present,
			     (unsigned long long)bar.pm.pfn, bar.spliced,
			     bar.splice_err, ram.read,
			     !!(ram.vmflags & MMAPDEMO_VMF_IO),
			     !!(ram.vmflags & MMAPDEMO_VMF_PFNMAP),
			     ram.pm.present, (unsigned long long)ram.pm.pfn,
			     (unsigned long long)ram.walk_pfn, ram.spliced);
}

const struct tour_experiment tour_device_not_ram = {
	.name = "device_not_ram",
	.title = "device memory is not RAM",
	.shows = "A register of a device need not give back what was written, and a BAR mapping has no struct page: pagemap shows nothing for it and GUP refuses it, while the RAM device's mapping behaves the other way.",
	.run = device_not_ram_run,
};

/* ------------------------------------------------------------------ */

/* The revocation's touch after the unbind: the fault it takes. */
static const char *const revoke_fault_marks[] = {
	"handle_mm_fault", "do_fault", "__do_fault", NULL
};

static bool walk_present(struct tour *t, const void *addr)
{
	struct mmapdemo_walk w;

	return !mmapdemo_walk(t->md, addr, &w) &&
	       w.result == MMAPDEMO_WALK_MAPPED;
}

static void revoke_run(struct tour *t)
{
	bool before, after, gone, back, ok;
	char path[64], err[96];
	const char *bdf;
	struct mmapdemo *md;
	int sig = 0, code = 0, ret;
	long minflt;
	char *p = NULL;
	void *addr;

	if (mmapdemo_bar_find(IVSHMEM_VENDOR, IVSHMEM_DEVICE, path,
			      sizeof(path))) {
		tour_skip(t,
			  "no ivshmem device (PCI 1af4:1110) is bound to mmapdemo",
			  IVSHMEM_ANY_FIX);
		return;
	}
	if (geteuid() != 0) {
		tour_skip(t, "unbinding a PCI device needs root",
			  "fix: run the tour as root");
		return;
	}
	bdf = path + strlen("/dev/mmapdemo-");
	report_text("Map a page of %s (fault strategy) and read it, so that", path);
	report_text("its PTE is there; then unbind the device from the driver (write its");
	report_text("PCI address to %s/unbind), which runs the", PCI_DRIVER_DIR);
	report_text("driver's ->remove in this task, as a hot unplug would in its own: it");
	report_text("revokes the BAR and zaps every user mapping of the device's file, and");
	report_text("the next touch of the page faults and gets SIGBUS.  The device is bound");
	report_text("again afterwards.");
	report_section("revoke", "the revocation");
	report_str("device", "device", path);
	ret = mmapdemo_open(path, O_RDWR, &md);
	if (!ret) {
		ret = mmapdemo_set_strategy(md, MMAPDEMO_STRATEGY_FAULT);
		if (!ret) {
			ret = tour_map_fd(mmapdemo_fd(md), t->ps,
					  PROT_READ | PROT_WRITE, MAP_SHARED,
					  &addr);
			p = ret ? NULL : addr;
		}
		if (ret)
			mmapdemo_close(md);
	}
	report_str("mmap", "mmap and read a page",
		   tour_err_text(ret, err, sizeof(err)));
	if (ret) {
		report_close();
		tour_verdict(t, false, "mapping %s: %s", path, err);
		return;
	}
	(void)*(volatile char *)p;
	before = walk_present(t, p);
	report_str("pte_before", "PTE before", before ? "present" : "none");

	/* The zap below ->remove (revoke.c), traced from write(). */
	ret = revoke_unbind(&t->st, bdf);
	tour_trace_report(t, "unbind_calls", "calls in write(unbind)",
			  zap_marks);
	report_str("unbind", "unbind", tour_err_text(ret, err, sizeof(err)));
	gone = access(path, F_OK) != 0;
	report_bool("node_gone", "device node gone", gone);
	after = walk_present(t, p);
	report_str("pte_after", "PTE after the unbind", after ? "present" : "none");

	tour_trace_start(t);
	sig = touch_probe(p, false, 0, NULL, &minflt, &code);
	tour_trace_stop(t, "touch_calls", "calls, the touch after",
			revoke_fault_marks);
	report_str("signal", "signal on the touch", sig ? strsignal(sig) : "none");
	if (sig)
		report_str("si_code", "si_code", signal_code_name(sig, code));
	munmap(p, t->ps);
	mmapdemo_close(md);

	back = revoke_bind(bdf, path);
	report_bool("bound_again", "bound again, node back", back);
	report_close();
	ok = !ret && gone && before && !after && sig == SIGBUS && back;
	if (ok)
		tour_verdict(t, true,
			     "the unbind zapped the present PTE, the touch after it got SIGBUS (%s), and the device came back on bind",
			     signal_code_name(sig, code));
	else
		tour_verdict(t, false,
			     "unbind %s, node gone %d, PTE before %d after %d, touch %s (expected SIGBUS), bound again %d",
			     err, gone, before, after,
			     sig ? strsignal(sig) : "no signal", back);
}

const struct tour_experiment tour_revoke = {
	.name = "revoke",
	.title = "a BAR device revoked under a mapping",
	.shows = "Unbinding a PCI device runs the driver's ->remove in the writer's own task, which zaps every user mapping of the device; the next touch of such a mapping gets SIGBUS.",
	.run = revoke_run,
};
