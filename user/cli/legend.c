// SPDX-License-Identifier: GPL-2.0
/*
 * What the bits of an x86-64 page-table entry mean, for "mmapdemo path
 * --legend" and for the walk's decoding: bit number, name, who sets it and
 * what it means, from arch/x86/include/asm/pgtable_types.h (6.1 and 6.12),
 * and the memory type that PWT, PCD and PAT select under Linux's PAT
 * setup (arch/x86/mm/pat/memtype.c); and the same for an arm64
 * descriptor, whose memory type is an index into MAIR_EL1.  Pure
 * functions, unit-tested.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

const struct pte_bit_doc pte_bit_docs[] = {
	{ "0", "present", "kernel; MMU reads",
	  "the entry points somewhere; clear: any access faults" },
	{ "1", "write", "kernel; MMU reads",
	  "writes allowed; clear in a leaf: a write faults (read-only, copy on write, write-notify)" },
	{ "2", "user", "kernel; MMU reads", "user mode may access" },
	{ "3", "pwt", "kernel; MMU reads",
	  "write-through: bit 0 of the PAT index (the memory type)" },
	{ "4", "pcd", "kernel; MMU reads",
	  "cache disable: bit 1 of the PAT index" },
	{ "5", "accessed", "MMU on first access, or kernel",
	  "used since last cleared; x86's vm_page_prot has it, so PTEs built from it start with it" },
	{ "6", "dirty", "MMU on first write, or kernel",
	  "written since last cleared (leaf only)" },
	{ "7", "pat / PS", "kernel; MMU reads",
	  "in a PTE: bit 2 of the PAT index; in a PMD or PUD: PS, the entry maps a huge page (PAT is then bit 12)" },
	{ "8", "global", "kernel; MMU reads",
	  "the TLB entry survives a CR3 switch; kernel mappings only" },
	{ "9", "special", "kernel only; MMU ignores",
	  "pte_mkspecial(): no struct page to refcount (remap_pfn_range(), the zero page); vm_normal_page() returns NULL" },
	{ "10", "uffd-wp", "kernel only; MMU ignores",
	  "userfaultfd write-protect" },
	{ "11", "soft-dirty", "kernel only; MMU ignores",
	  "set with dirty by pte_mkdirty(); cleared through /proc/PID/clear_refs; pagemap's bit 55" },
	{ "12-51", "PFN", "kernel; MMU reads",
	  "the page frame number: next table, or the page (hidden without CAP_SYS_ADMIN)" },
	{ "52-58", "(software)", "kernel only; MMU ignores",
	  "6.1: 58 devmap; 6.12: 57 devmap, 58 saved-dirty (for shadow stacks); 7.3: 58 saved-dirty, no devmap" },
	{ "59-62", "pkey", "kernel; MMU reads", "protection key (pkey_mprotect())" },
	{ "63", "nx", "kernel; MMU reads", "no execute" },
	{ "-", "leaf", "not a bit",
	  "mmapdemo's word for an entry that maps a page: a present PTE, or a PMD/PUD with PS" },
};

const unsigned int nr_pte_bit_docs =
	sizeof(pte_bit_docs) / sizeof(pte_bit_docs[0]);

/*
 * The types of Linux's full PAT setup, PAT MSR entries 0-7, as the boot
 * log prints them ("x86/PAT: Configuration [0-7]: WB WC UC- UC WB WP UC-
 * WT"); CPUs with PAT errata use only entries 0-3.
 */
static const char *const pat_types[8] = {
	"WB", "WC", "UC-", "UC", "WB", "WP", "UC-", "WT",
};

const char *pte_memtype(uint32_t bits, unsigned int *index)
{
	unsigned int i = ((bits & MMAPDEMO_PTE_PAT) ? 4 : 0) |
			 ((bits & MMAPDEMO_PTE_PCD) ? 2 : 0) |
			 ((bits & MMAPDEMO_PTE_PWT) ? 1 : 0);

	if (index)
		*index = i;
	return pat_types[i];
}

int pte_soft_bits_format(uint64_t raw, uint32_t bits, char *buf, size_t size)
{
	size_t n = 0;

	if (size)
		buf[0] = '\0';
	/* Meaningful in leaves only: tables leave them to the kernel. */
	if (!(bits & MMAPDEMO_PTE_LEAF))
		return 0;
	if (raw & (1ULL << 10))
		n += (size_t)snprintf(n < size ? buf + n : NULL,
				      n < size ? size - n : 0, "%suffd-wp",
				      n ? " " : "");
	if (raw & (1ULL << 11))
		n += (size_t)snprintf(n < size ? buf + n : NULL,
				      n < size ? size - n : 0, "%ssoft-dirty",
				      n ? " " : "");
	return (int)n;
}

/*
 * The arm64 descriptor with a 4 KiB granule, from
 * arch/arm64/include/asm/pgtable-hwdef.h and pgtable-prot.h (6.1, 6.12,
 * 7.3): the hardware's fields and the kernel's software bits.
 */
const struct pte_bit_doc pte_bit_docs_arm64[] = {
	{ "0", "valid", "kernel; MMU reads",
	  "the descriptor is used; clear: any access faults (a PROT_NONE leaf is invalid but present to the kernel)" },
	{ "1", "table/page", "kernel; MMU reads",
	  "above the last level: 1 a table, 0 a block (a huge leaf); at the last level 1 (a page)" },
	{ "2-4", "AttrIndx", "kernel; MMU reads",
	  "the memory type: an index into MAIR_EL1, which the kernel sets (see below)" },
	{ "6", "AP[1]", "kernel; MMU reads", "PTE_USER: EL0 (user mode) may access" },
	{ "7", "AP[2]", "kernel; MMU reads; MMU clears with DBM",
	  "PTE_RDONLY: writes fault; with DBM the MMU clears it on the first write instead (hardware dirty)" },
	{ "8-9", "SH", "kernel; MMU reads",
	  "shareability (inner shareable); with LPA2 bits 51:50 of the output address instead" },
	{ "10", "AF", "MMU on first access (FEAT_HAFDBS), or kernel",
	  "access flag: clear, the first access faults or the MMU sets it; the kernel's young" },
	{ "11", "nG", "kernel; MMU reads",
	  "not global: the TLB entry belongs to one address space (ASID); user mappings" },
	{ "12-49", "OA", "kernel; MMU reads",
	  "the output address: next table, or the memory (hidden without CAP_SYS_ADMIN)" },
	{ "50", "GP", "kernel; MMU reads", "BTI guarded page (PROT_BTI)" },
	{ "51", "DBM", "kernel; MMU reads",
	  "dirty bit modifier, and the kernel's PTE_WRITE: the mapping is writable" },
	{ "52", "Contiguous", "kernel; MMU reads",
	  "one of 16 adjacent entries mapping contiguous memory alike: one TLB entry for all (contpte)" },
	{ "53", "PXN", "kernel; MMU reads", "privileged execute never: the kernel may not run it" },
	{ "54", "UXN", "kernel; MMU reads", "user execute never: no execute for user mode" },
	{ "55", "dirty", "kernel only; MMU ignores", "PTE_DIRTY: software dirty, set by pte_mkdirty(); it keeps the dirty state while the kernel write-protects (AP[2] set)" },
	{ "56", "special", "kernel only; MMU ignores",
	  "pte_mkspecial(): no struct page to refcount (remap_pfn_range(), the zero page)" },
	{ "59-62", "table attrs", "kernel; MMU reads",
	  "in a table descriptor: PXNTable, UXNTable, APTable[1:0] limit all below" },
	{ "-", "leaf", "not a bit",
	  "mmapdemo's word for a descriptor that maps memory: a valid page, or a valid block above the last level" },
};

const unsigned int nr_pte_bit_docs_arm64 =
	sizeof(pte_bit_docs_arm64) / sizeof(pte_bit_docs_arm64[0]);

/*
 * MAIR_EL1 as the kernel programs it (MAIR_EL1_SET, arch/arm64/mm/proc.S,
 * the same in 6.1, 6.12 and 7.3): the attribute at each MT_* index of
 * arch/arm64/include/asm/memory.h.  MT_NORMAL_TAGGED becomes 0xf0 only
 * where MTE is in use (cpu_enable_mte()).
 */
static const struct {
	const char *mt, *type, *prot;
	unsigned int attr;
} mair_el1[8] = {
	{ "MT_NORMAL", "Normal", "PAGE_*, RAM", 0xff },
	{ "MT_NORMAL_TAGGED", "Normal (tagged with MTE)", "PROT_MTE", 0xff },
	{ "MT_NORMAL_NC", "Normal-NC", "pgprot_writecombine(), ioremap_wc()", 0x44 },
	{ "MT_DEVICE_nGnRnE", "Device-nGnRnE", "pgprot_noncached()", 0x00 },
	{ "MT_DEVICE_nGnRE", "Device-nGnRE", "pgprot_device(), ioremap()", 0x04 },
};

const char *arm64_memtype(uint64_t raw, unsigned int *index)
{
	unsigned int i = (unsigned int)(raw >> 2) & 7;

	if (index)
		*index = i;
	return mair_el1[i].type ?: "(unused index)";
}

/* Append @s (and a space before it unless first) to @buf. */
static size_t put(char *buf, size_t size, size_t n, const char *s)
{
	return n + (size_t)snprintf(n < size ? buf + n : NULL,
				    n < size ? size - n : 0, "%s%s",
				    n ? " " : "", s);
}

int arm64_bits_format(uint64_t raw, bool last_level, char *buf, size_t size)
{
	bool leaf = (raw & 1) && (last_level ? (raw & 3) == 3 : (raw & 3) == 1);
	char f[48];
	size_t n = 0;

	if (size)
		buf[0] = '\0';
	if (!(raw & 1)) {
		/* The kernel's own bits of an invalid entry it still holds. */
		if (raw)
			n = put(buf, size, n, "invalid");
		return (int)n;
	}
	if (!leaf) {
		n = put(buf, size, n, "table");
		if (raw & (1ULL << 59))
			n = put(buf, size, n, "PXNTable");
		if (raw & (1ULL << 60))
			n = put(buf, size, n, "UXNTable");
		snprintf(f, sizeof(f), "APTable=%u", (unsigned int)(raw >> 61) & 3);
		n = put(buf, size, n, f);
		return (int)n;
	}
	n = put(buf, size, n, last_level ? "page" : "block");
	snprintf(f, sizeof(f), "AttrIndx=%u", (unsigned int)(raw >> 2) & 7);
	n = put(buf, size, n, f);
	snprintf(f, sizeof(f), "AP[2:1]=%u%u", (unsigned int)(raw >> 7) & 1,
		 (unsigned int)(raw >> 6) & 1);
	n = put(buf, size, n, f);
	if (raw & (1ULL << 10))
		n = put(buf, size, n, "AF");
	if (raw & (1ULL << 11))
		n = put(buf, size, n, "nG");
	if (raw & (1ULL << 50))
		n = put(buf, size, n, "GP");
	if (raw & (1ULL << 51))
		n = put(buf, size, n, "DBM");
	if (raw & (1ULL << 52))
		n = put(buf, size, n, "Contiguous");
	if (raw & (1ULL << 53))
		n = put(buf, size, n, "PXN");
	if (raw & (1ULL << 54))
		n = put(buf, size, n, "UXN");
	if (raw & (1ULL << 55))
		n = put(buf, size, n, "sw-dirty");
	if (raw & (1ULL << 56))
		n = put(buf, size, n, "special");
	return (int)n;
}

void show_legend(void)
{
#ifdef __aarch64__
	show_legend_arch(MMAPDEMO_ARCH_ARM64);
#else
	show_legend_arch(MMAPDEMO_ARCH_X86_64);
#endif
}

/* One architecture's entry bits: a row each, the name @width wide. */
static void show_pte_bit_docs(const struct pte_bit_doc *docs, unsigned int n,
			      int width)
{
	for (unsigned int i = 0; i < n; i++) {
		const struct pte_bit_doc *d = &docs[i];

		if (report_json()) {
			report_item(NULL);
			report_str("bit", NULL, d->bit);
			report_str("name", NULL, d->name);
			report_str("set_by", NULL, d->who);
			report_str("meaning", NULL, d->meaning);
			report_close();
		} else {
			report_text("%-6s %-*s %-32s %s", d->bit, width,
				    d->name, d->who, d->meaning);
		}
	}
}

/* The arm64 legend: the descriptor's fields, then MAIR_EL1. */
static void show_legend_arm64(void)
{
	report_list("pte_bits", "arm64 descriptor bits, 4 KiB granule (MMU: read by the hardware)");
	show_pte_bit_docs(pte_bit_docs_arm64, nr_pte_bit_docs_arm64, 12);
	report_close();
	report_list("memory_types", "memory type: AttrIndx selects a byte of MAIR_EL1, as the kernel sets it");
	for (unsigned int i = 0; i < 8; i++) {
		if (!mair_el1[i].mt)
			continue;
		if (report_json()) {
			report_item(NULL);
			report_u64("index", NULL, i);
			report_str("mt", NULL, mair_el1[i].mt);
			report_u64("mair_attr", NULL, mair_el1[i].attr);
			report_str("type", NULL, mair_el1[i].type);
			report_str("from", NULL, mair_el1[i].prot);
			report_close();
		} else {
			report_text("%u  %-17s 0x%02x  %-24s %s", i, mair_el1[i].mt,
				    mair_el1[i].attr, mair_el1[i].type,
				    mair_el1[i].prot);
		}
	}
	report_close();
}

void show_legend_arch(unsigned int arch)
{
	if (arch == MMAPDEMO_ARCH_ARM64) {
		show_legend_arm64();
		return;
	}
	report_list("pte_bits", "x86-64 page-table entry bits (MMU: read by the hardware)");
	show_pte_bit_docs(pte_bit_docs, nr_pte_bit_docs, 10);
	report_close();
	report_list("memory_types", "memory type: PAT index = PAT*4 + PCD*2 + PWT");
	for (unsigned int i = 0; i < 8; i++) {
		if (report_json()) {
			report_item(NULL);
			report_u64("index", NULL, i);
			report_str("type", NULL, pat_types[i]);
			report_close();
		} else {
			report_text("%u  PAT=%u PCD=%u PWT=%u  %s", i, i >> 2,
				    (i >> 1) & 1, i & 1, pat_types[i]);
		}
	}
	report_close();
}
