// SPDX-License-Identifier: GPL-2.0
/*
 * What the bits of an x86-64 page-table entry mean, for "mmapdemo path
 * --legend" and for the walk's decoding: bit number, name, who sets it and
 * what it means, from arch/x86/include/asm/pgtable_types.h (6.1 and 6.12),
 * and the memory type that PWT, PCD and PAT select under Linux's PAT
 * setup (arch/x86/mm/pat/memtype.c).  Pure functions, unit-tested.
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
	  "6.1: 58 devmap; 6.12: 57 devmap, 58 saved-dirty (for shadow stacks)" },
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

void show_legend(void)
{
	report_list("pte_bits", "x86-64 page-table entry bits (MMU: read by the hardware)");
	for (unsigned int i = 0; i < nr_pte_bit_docs; i++) {
		const struct pte_bit_doc *d = &pte_bit_docs[i];

		if (report_json()) {
			report_item(NULL);
			report_str("bit", NULL, d->bit);
			report_str("name", NULL, d->name);
			report_str("set_by", NULL, d->who);
			report_str("meaning", NULL, d->meaning);
			report_close();
		} else {
			report_text("%-6s %-10s %-32s %s", d->bit, d->name,
				    d->who, d->meaning);
		}
	}
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
