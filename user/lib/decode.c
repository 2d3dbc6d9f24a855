// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names for the numbers the kernel hands out: strategies, page-table levels,
 * MMAPDEMO_PTE_* bits and the VM_* flags behind smaps' VmFlags.  Pure
 * functions, unit-tested on the host (user/tests/).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mmapdemo.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const strategy_names[] = {
	[MMAPDEMO_STRATEGY_FAULT] = "fault",
	[MMAPDEMO_STRATEGY_REMAP] = "remap",
	[MMAPDEMO_STRATEGY_INSERT] = "insert",
	[MMAPDEMO_STRATEGY_HUGE] = "huge",
};

const char *mmapdemo_strategy_name(unsigned int strategy)
{
	return strategy < ARRAY_SIZE(strategy_names) ?
		strategy_names[strategy] : NULL;
}

int mmapdemo_strategy_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(strategy_names); i++)
		if (name && !strcmp(name, strategy_names[i]))
			return (int)i;
	return -EINVAL;
}

static const char *const level_names[MMAPDEMO_LEVELS] = {
	[MMAPDEMO_LEVEL_PGD] = "PGD", [MMAPDEMO_LEVEL_P4D] = "P4D",
	[MMAPDEMO_LEVEL_PUD] = "PUD", [MMAPDEMO_LEVEL_PMD] = "PMD",
	[MMAPDEMO_LEVEL_PTE] = "PTE",
};

const char *mmapdemo_level_name(unsigned int level)
{
	return level < MMAPDEMO_LEVELS ? level_names[level] : NULL;
}

/* Append @word to @buf, space-separated, snprintf-style; returns new len. */
static size_t append(char *buf, size_t size, size_t len, const char *word)
{
	int n = snprintf(len < size ? buf + len : NULL,
			 len < size ? size - len : 0, "%s%s",
			 len ? " " : "", word);

	return len + (n > 0 ? (size_t)n : 0);
}

static const struct {
	uint32_t bit;
	const char *name;
} pte_bits[] = {
	{ MMAPDEMO_PTE_PRESENT, "present" },
	{ MMAPDEMO_PTE_WRITE, "write" },
	{ MMAPDEMO_PTE_USER, "user" },
	{ MMAPDEMO_PTE_PWT, "pwt" },
	{ MMAPDEMO_PTE_PCD, "pcd" },
	{ MMAPDEMO_PTE_ACCESSED, "accessed" },
	{ MMAPDEMO_PTE_DIRTY, "dirty" },
	{ MMAPDEMO_PTE_LEAF, "leaf" },
	{ MMAPDEMO_PTE_GLOBAL, "global" },
	{ MMAPDEMO_PTE_SPECIAL, "special" },
	{ MMAPDEMO_PTE_PAT, "pat" },
	{ MMAPDEMO_PTE_NX, "nx" },
};

int mmapdemo_pte_bits_format(uint32_t bits, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;
	char hex[24];

	if (size)
		buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(pte_bits); i++) {
		if (bits & pte_bits[i].bit) {
			len = append(buf, size, len, pte_bits[i].name);
			bits &= ~pte_bits[i].bit;
		}
	}
	if (bits) {
		snprintf(hex, sizeof(hex), "0x%x", bits);
		len = append(buf, size, len, hex);
	}
	return (int)len;
}

/*
 * The VmFlags codes of fs/proc/task_mmu.c: show_smap_vma_flags() and the
 * VM_* bits of include/linux/mm.h behind them, the same in 6.1 and 6.12
 * for every code below.  Codes whose bit moved between kernels or depends
 * on the architecture have no bit here (0).
 */
static const struct {
	char code[3];
	uint64_t bit;
	const char *desc;
} vmflags[] = {
	{ "rd", 0x00000001, "readable" },
	{ "wr", 0x00000002, "writeable" },
	{ "ex", 0x00000004, "executable" },
	{ "sh", 0x00000008, "shared" },
	{ "mr", 0x00000010, "may read" },
	{ "mw", 0x00000020, "may write" },
	{ "me", 0x00000040, "may execute" },
	{ "ms", 0x00000080, "may share" },
	{ "gd", 0x00000100, "stack segment grows down" },
	{ "um", 0x00000200, "userfaultfd missing tracking" },
	{ "pf", 0x00000400, "pure PFN range" },
	{ "uw", 0x00001000, "userfaultfd wr-protect tracking" },
	{ "lo", 0x00002000, "pages are locked in memory" },
	{ "io", 0x00004000, "memory mapped I/O area" },
	{ "sr", 0x00008000, "sequential read advise provided" },
	{ "rr", 0x00010000, "random read advise provided" },
	{ "dc", 0x00020000, "do not copy area on fork" },
	{ "de", 0x00040000, "do not expand area on remapping" },
	{ "lf", 0x00080000, "lock pages on fault" },
	{ "ac", 0x00100000, "area is accountable" },
	{ "nr", 0x00200000, "swap space is not reserved for the area" },
	{ "ht", 0x00400000, "area uses huge tlb pages" },
	{ "sf", 0x00800000, "perform synchronous page faults" },
	{ "ar", 0x01000000, "architecture specific flag (x86: PAT)" },
	{ "wf", 0x02000000, "wipe on fork" },
	{ "dd", 0x04000000, "do not include area into core dump" },
	{ "sd", 0x08000000, "soft dirty flag" },
	{ "mm", 0x10000000, "mixed map area" },
	{ "hg", 0x20000000, "huge page advise flag" },
	{ "nh", 0x40000000, "no huge page advise flag" },
	{ "mg", 0x80000000, "mergeable advise flag" },
	{ "bt", 0, "arm64 BTI guarded page" },
	{ "mt", 0, "arm64 MTE allocation tags are enabled" },
	{ "ui", 0, "userfaultfd minor fault" },
	{ "ss", 0, "shadow stack page" },
	{ "dp", 0, "droppable" },
	{ "sl", 0, "sealed" },
};

/* The row of @code in vmflags[], or -1. */
static int vmflag_find(const char *code)
{
	unsigned int i;

	for (i = 0; code && i < ARRAY_SIZE(vmflags); i++)
		if (!strcmp(code, vmflags[i].code))
			return (int)i;
	return -1;
}

const char *mmapdemo_vmflag_describe(const char *code)
{
	int i = vmflag_find(code);

	return i < 0 ? NULL : vmflags[i].desc;
}

uint64_t mmapdemo_vmflag_bit(const char *code)
{
	int i = vmflag_find(code);

	return i < 0 ? 0 : vmflags[i].bit;
}

int mmapdemo_vm_flags_format(uint64_t vm_flags, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;
	char hex[24];

	if (size)
		buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(vmflags); i++) {
		if (vmflags[i].bit && (vm_flags & vmflags[i].bit)) {
			len = append(buf, size, len, vmflags[i].code);
			vm_flags &= ~vmflags[i].bit;
		}
	}
	if (vm_flags) {
		snprintf(hex, sizeof(hex), "0x%llx",
			 (unsigned long long)vm_flags);
		len = append(buf, size, len, hex);
	}
	return (int)len;
}
