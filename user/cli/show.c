// SPDX-License-Identifier: GPL-2.0
/*
 * The stages of the path of one address, as the map, path and tour
 * commands print them: the mmap call, the VMA, the counters a fault moved,
 * the page-table levels, and the frame with pagemap's view beside it.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "cli.h"

void show_mmap_call(const struct map_call *mc)
{
	char prot[4], flags[160], call[384];

	format_prot(mc->prot, prot);
	format_map_flags(mc->flags, flags, sizeof(flags));
	snprintf(call, sizeof(call), "mmap(%#llx, %zu, %s, %s, fd=%s, %#llx)",
		 (unsigned long long)mc->hint, mc->length, prot, flags,
		 mc->file, (unsigned long long)mc->offset);
	report_str("call", "call", call);
	report_u64("length", "length", mc->length);
	report_str("prot", "prot", prot);
	report_str("flags", "flags", flags);
	report_hex("offset", "offset", mc->offset);
	if (mc->err) {
		report_str("error", "error", strerror(-mc->err));
		report_i64("errno", "errno", -mc->err);
	} else {
		report_hex("address", "returned", (uintptr_t)mc->result);
	}
}

void show_vma(struct mmapdemo *md, const void *addr, const char *title)
{
	struct mmapdemo_vma vma;
	struct mmapdemo_walk w;
	char buf[256];
	int ret;

	report_section("vma", title);
	ret = mmapdemo_smaps_read(addr, &vma);
	if (ret) {
		report_str("smaps_error", "smaps", strerror(-ret));
	} else {
		snprintf(buf, sizeof(buf), "%#llx-%#llx (%llu kB)",
			 (unsigned long long)vma.start,
			 (unsigned long long)vma.end,
			 (unsigned long long)vma.size_kb);
		report_str("range", "range", buf);
		report_hex("start", NULL, vma.start);
		report_hex("end", NULL, vma.end);
		report_str("perms", "perms", vma.perms);
		report_str("path", "file", vma.path);
		report_hex("file_offset", "file offset", vma.offset);
		report_u64("rss_kb", "Rss (kB)", vma.rss_kb);
		report_list("vmflags", "VmFlags (smaps)");
		for (unsigned int i = 0; i < vma.nr_vmflags; i++) {
			const char *d = mmapdemo_vmflag_describe(vma.vmflags[i]);

			if (report_json()) {
				report_item(NULL);
				report_str("code", NULL, vma.vmflags[i]);
				report_str("meaning", NULL, d ?: "");
				report_close();
			} else {
				report_text("%s  %s", vma.vmflags[i], d ?: "?");
			}
		}
		report_close();
	}
	if (md && !mmapdemo_walk(md, addr, &w) &&
	    w.vma_kind == MMAPDEMO_VMA_MMAPDEMO) {
		mmapdemo_vm_flags_format(w.vma_vmflags, buf, sizeof(buf));
		report_hex("vm_flags", "flags (MMAPDEMO_VMF_*)", w.vma_vmflags);
		report_str("vm_flags_codes", "  as codes", buf);
		if (w.vma_vmflags & MMAPDEMO_VMF_SOFTDIRTY) {
			report_text("  sd (VM_SOFTDIRTY) is the core's, not the driver's: %s",
				    cli_front_end_prepare(NULL) ?
					    "__mmap_complete() sets it" :
					    "__mmap_region() sets it");
			report_text("  on every new VMA after the driver's %s returned.",
				    cli_mmap_handler(NULL));
		}
		report_u64("vm_pgoff", "vm_pgoff", w.vma_pgoff);
		report_str("strategy", "strategy",
			   mmapdemo_strategy_name(w.vma_strategy) ?: "?");
	}
	report_close();
}

void show_stats_delta(const char *key, const char *title,
		      const struct mmapdemo_stats *a,
		      const struct mmapdemo_stats *b)
{
	static const struct {
		const char *key;
		const char *label;
		size_t off;
	} fields[] = {
#define F(f, l) { #f, l, offsetof(struct mmapdemo_stats, f) }
		F(mmaps, "mmap() calls"),
		F(faults, "->fault: pages mapped"),
		F(fault_sigbus, "->fault: SIGBUS"),
		F(mkwrites, "->page_mkwrite calls"),
		F(eager_pages, "pages mapped at mmap()"),
		F(vma_opens, "->open calls"),
		F(vma_closes, "->close calls"),
		F(live_vmas, "live VMAs"),
		F(around_pages, "->fault: pages mapped around"),
		F(pmd_faults, "->huge_fault: PMD entries"),
		F(pud_faults, "->huge_fault: PUD entries"),
		F(huge_fallbacks, "->huge_fault: fallbacks"),
		F(defio_dirtied, "defio: pages dirtied"),
		F(defio_flushed, "defio: pages flushed"),
		F(defio_reprotected, "defio: pages re-protected"),
#undef F
	};
	bool any = false;

	report_section(key, title);
	for (unsigned int i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t x = *(const uint64_t *)((const char *)a + fields[i].off);
		uint64_t y = *(const uint64_t *)((const char *)b + fields[i].off);
		char label[48];

		if (x == y && !report_json())
			continue;
		snprintf(label, sizeof(label), "%s", fields[i].label);
		report_i64(fields[i].key, label, (int64_t)(y - x));
		any = true;
	}
	if (!any)
		report_text("(no device counter moved)");
	report_close();
}

void show_walk(const struct mmapdemo_walk *w)
{
	char bits[224], soft[40], title[32], all[160];
	unsigned int pat;

	char flags[160];

	report_str("arch", "raw entries",
		   mmapdemo_arch_name(w->arch) ?: "?");
	report_list("levels", "page-table walk (MMAPDEMO_IOC_WALK)");
	for (unsigned int l = 0; l < w->levels && l < MMAPDEMO_LEVELS; l++) {
		const struct mmapdemo_walk_entry *e = &w->entry[l];
		const struct mmapdemo_walk_level *lv = &w->level[l];

		mmapdemo_entry_flags_format(lv->flags, flags, sizeof(flags));
		mmapdemo_pte_bits_format(e->bits, all, sizeof(all));
		if (w->arch == MMAPDEMO_ARCH_ARM64)
			arm64_bits_format(lv->raw, l == MMAPDEMO_LEVEL_PTE,
					  bits, sizeof(bits));
		else if (pte_soft_bits_format(e->raw, e->bits, soft, sizeof(soft)))
			snprintf(bits, sizeof(bits), "%s %s", all, soft);
		else
			snprintf(bits, sizeof(bits), "%s", all);
		if (report_json()) {
			report_item(NULL);
			report_str("level", NULL, mmapdemo_level_name(l));
			report_hex("raw", NULL, e->raw);
			report_hex("pfn", NULL, e->pfn);
			report_str("bits", NULL, bits);
			report_str("flags", NULL, flags);
			report_close();
		} else {
			snprintf(title, sizeof(title), "%s",
				 mmapdemo_level_name(l));
			report_text("%-4s 0x%016llx  pfn %#-10llx %s%s", title,
				    (unsigned long long)e->raw,
				    (unsigned long long)lv->pfn, flags,
				    (lv->flags & MMAPDEMO_ENTRY_HUGE) ?
					    "  (huge page)" :
					    "");
			if (bits[0])
				report_text("     %s bits: %s",
					    mmapdemo_arch_name(w->arch) ?: "?",
					    bits);
		}
	}
	report_close();
	if (w->levels &&
	    (w->level[w->levels - 1].flags & MMAPDEMO_ENTRY_LEAF) &&
	    w->arch == MMAPDEMO_ARCH_X86_64) {
		const char *type = pte_memtype(w->entry[w->levels - 1].bits,
					       &pat);

		snprintf(all, sizeof(all),
			 "%s (x86-64 PAT index %u: PAT=%u PCD=%u PWT=%u)",
			 type, pat, pat >> 2, (pat >> 1) & 1, pat & 1);
		report_str("memory_type", "memory type", all);
	}
	if (w->levels &&
	    (w->level[w->levels - 1].flags & MMAPDEMO_ENTRY_LEAF) &&
	    w->arch == MMAPDEMO_ARCH_ARM64) {
		const char *type = arm64_memtype(w->level[w->levels - 1].raw,
						 &pat);

		snprintf(all, sizeof(all),
			 "%s (arm64 AttrIndx %u: byte %u of MAIR_EL1)", type,
			 pat, pat);
		report_str("memory_type", "memory type", all);
	}
	report_str("walk_result", "walk",
		   w->result == MMAPDEMO_WALK_MAPPED ? "mapped" :
		   "hole: stopped at an empty entry");
	if (w->levels)
		report_str("walk_stopped_at", "stopped at",
			   mmapdemo_level_name(w->levels - 1));
	if (w->result == MMAPDEMO_WALK_MAPPED) {
		report_str("memtype", "memory type",
			   mmapdemo_memtype_name(w->memtype) ?: "?");
		report_str("leaf_read", "leaf read",
			   (w->result_flags & MMAPDEMO_WALK_LEAF_LOCKED) ?
				   "under its page-table lock" :
				   "lockless, interrupts off (a snapshot)");
	}
}

void show_bar(const char *device, const struct mmapdemo_walk *w)
{
	struct mmapdemo_bar bar;
	uint64_t phys = w->phys;

	if (mmapdemo_bar_query(device, &bar))
		return;
	report_section("bar", "the PCI BAR behind the device");
	report_str("pci_address", "PCI device", bar.pci_address);
	report_i64("bar", "BAR", bar.bar);
	report_hex("start", "start (.../resource)", bar.start);
	report_hex("end", "end", bar.end);
	report_str("caching", "caching mode", bar.caching);
	if (w->result == MMAPDEMO_WALK_MAPPED && phys)
		report_bool("phys_in_bar", "physical address inside the BAR",
			    phys >= bar.start && phys <= bar.end);
	report_close();
}

void frame_label(const char *device, const struct mmapdemo_walk *w,
		 uint32_t page_size, char *buf, size_t size)
{
	unsigned long long page = w->device_page;
	struct mmapdemo_bar bar;
	int ret;

	if (w->device_page == MMAPDEMO_NO_DEVICE_PAGE) {
		snprintf(buf, size, "%s",
			 w->vma_kind == MMAPDEMO_VMA_MMAPDEMO &&
					 w->result == MMAPDEMO_WALK_MAPPED ?
				 "not the device's: a private copy (COW)" :
				 "not a page of the device");
		return;
	}
	ret = mmapdemo_bar_query(device, &bar);
	if (ret == -ENODEV)
		snprintf(buf, size,
			 "device page %llu, offset 0x%llx\nof the device's RAM (%s is no PCI BAR)",
			 page, page * page_size, device);
	else if (ret)
		snprintf(buf, size,
			 "device page %llu, offset 0x%llx\n(which memory: %s)",
			 page, page * page_size, strerror(-ret));
	else
		snprintf(buf, size,
			 "device page %llu, offset 0x%llx\nof BAR %d of PCI device %s%s",
			 page, page * page_size, bar.bar, bar.pci_address,
			 !w->phys ? "" :
			 w->phys >= bar.start && w->phys <= bar.end ?
				 "\n(the physical address is inside it)" :
				 "\n(yet the physical address is OUTSIDE it)");
}

void show_frame(const struct mmapdemo_walk *w, const void *addr,
		uint32_t page_size)
{
	struct mmapdemo_pagemap pm;
	int ret;

	report_section("frame", "page frame");
	report_hex("pfn", "PFN (walk)", w->pfn);
	report_hex("phys", "physical address", w->phys);
	if (w->result == MMAPDEMO_WALK_MAPPED && !w->pfn)
		report_text("(PFNs are for CAP_SYS_ADMIN only, as in pagemap)");
	if (w->device_page == MMAPDEMO_NO_DEVICE_PAGE) {
		report_str("device_page", "device page",
			   w->vma_kind == MMAPDEMO_VMA_MMAPDEMO &&
					   w->result == MMAPDEMO_WALK_MAPPED ?
				   "none: a private copy (COW)" :
				   "none");
	} else {
		report_u64("device_page", "device page", w->device_page);
		report_hex("device_offset", "device offset",
			   w->device_page * page_size +
				   ((uintptr_t)addr & (page_size - 1)));
	}
	ret = mmapdemo_pagemap_read(addr, &pm);
	report_section("pagemap", "/proc/self/pagemap, beside it");
	if (ret) {
		report_str("error", "error", strerror(-ret));
	} else {
		report_hex("raw", "entry", pm.raw);
		report_bool("present", "present", pm.present);
		report_hex("pfn", "PFN", pm.pfn);
		report_bool("file_or_shared", "file/shared", pm.file_or_shared);
		report_bool("exclusive", "exclusive", pm.exclusive);
		if (!pm.present && w->result == MMAPDEMO_WALK_MAPPED &&
		    (w->vma_vmflags & MMAPDEMO_VMF_PFNMAP)) {
			report_text("(pagemap reports every page of a VM_PFNMAP VMA as not present:");
			report_text(" the page-table walk of /proc/PID/pagemap skips such a VMA because of");
			report_text(" the flag, whether or not a struct page is behind the PFN)");
		}
		else if (pm.present && w->pfn)
			report_bool("pfn_agrees", "agrees with the walk",
				    pm.pfn == w->pfn);
	}
	report_close();
	report_close();
}

static sigjmp_buf touch_jmp;
static volatile sig_atomic_t touch_code;

static void touch_handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	touch_code = si->si_code;
	siglongjmp(touch_jmp, sig);
}

const char *signal_code_name(int sig, int si_code)
{
	if (sig == SIGSEGV && si_code == SEGV_ACCERR)
		return "SEGV_ACCERR (a VMA covers the address; its permissions forbid the access)";
	if (sig == SIGSEGV && si_code == SEGV_MAPERR)
		return "SEGV_MAPERR (no VMA covers the address)";
	if (sig == SIGBUS && si_code == BUS_ADRERR)
		return "BUS_ADRERR (the fault could not be served: VM_FAULT_SIGBUS)";
	if (sig == SIGBUS)
		return "SIGBUS";
	return "other";
}

long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

int touch_probe(volatile char *p, bool write, char value, char *out,
		long *minflt, int *si_code)
{
	struct sigaction sa, old_segv, old_bus;
	volatile long before = minor_faults();
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = touch_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	touch_code = 0;
	sig = sigsetjmp(touch_jmp, 1);
	if (!sig) {
		if (write)
			*p = value;
		else if (out)
			*out = *p;
		else
			(void)*p;
	}
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	if (minflt)
		*minflt = minor_faults() - before;
	if (si_code)
		*si_code = touch_code;
	return sig;
}
