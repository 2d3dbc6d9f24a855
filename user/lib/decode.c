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
	[MMAPDEMO_STRATEGY_DEFIO] = "defio",
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

struct bit_name {
	uint32_t bit;
	const char *name;
};

static const struct bit_name pte_bits[] = {
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

static const struct bit_name entry_flags[] = {
	{ MMAPDEMO_ENTRY_PRESENT, "present" },
	{ MMAPDEMO_ENTRY_WRITABLE, "writable" },
	{ MMAPDEMO_ENTRY_USER, "user" },
	{ MMAPDEMO_ENTRY_ACCESSED, "accessed" },
	{ MMAPDEMO_ENTRY_DIRTY, "dirty" },
	{ MMAPDEMO_ENTRY_NOEXEC, "noexec" },
	{ MMAPDEMO_ENTRY_SPECIAL, "special" },
	{ MMAPDEMO_ENTRY_LEAF, "leaf" },
	{ MMAPDEMO_ENTRY_HUGE, "huge" },
};

/* The names of @bits in @names, then what is left in hex. */
static int bits_format(uint32_t bits, const struct bit_name *names,
		       size_t n, char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;
	char hex[24];

	if (size)
		buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (bits & names[i].bit) {
			len = append(buf, size, len, names[i].name);
			bits &= ~names[i].bit;
		}
	}
	if (bits) {
		snprintf(hex, sizeof(hex), "0x%x", bits);
		len = append(buf, size, len, hex);
	}
	return (int)len;
}

int mmapdemo_pte_bits_format(uint32_t bits, char *buf, size_t size)
{
	return bits_format(bits, pte_bits,
			   ARRAY_SIZE(pte_bits), buf, size);
}

int mmapdemo_entry_flags_format(uint32_t flags, char *buf, size_t size)
{
	return bits_format(flags, entry_flags, ARRAY_SIZE(entry_flags), buf,
			   size);
}

const char *mmapdemo_arch_name(unsigned int arch)
{
	switch (arch) {
	case MMAPDEMO_ARCH_NONE:
		return "none";
	case MMAPDEMO_ARCH_X86_64:
		return "x86_64";
	case MMAPDEMO_ARCH_ARM64:
		return "arm64";
	default:
		return NULL;
	}
}

/*
 * The VmFlags codes of fs/proc/task_mmu.c: show_smap_vma_flags() and the
 * MMAPDEMO_VMF_* bits of the uapi for the VM_* flags behind them, which
 * the module translates for the walk.  Codes without such a bit have 0.
 */
static const struct {
	char code[3];
	uint64_t bit;
	const char *desc;
} vmflags[] = {
	{ "rd", MMAPDEMO_VMF_READ, "readable" },
	{ "wr", MMAPDEMO_VMF_WRITE, "writeable" },
	{ "ex", MMAPDEMO_VMF_EXEC, "executable" },
	{ "sh", MMAPDEMO_VMF_SHARED, "shared" },
	{ "mr", MMAPDEMO_VMF_MAYREAD, "may read" },
	{ "mw", MMAPDEMO_VMF_MAYWRITE, "may write" },
	{ "me", MMAPDEMO_VMF_MAYEXEC, "may execute" },
	{ "ms", MMAPDEMO_VMF_MAYSHARE, "may share" },
	{ "gd", MMAPDEMO_VMF_GROWSDOWN, "stack segment grows down" },
	{ "um", MMAPDEMO_VMF_UFFD_MISSING, "userfaultfd missing tracking" },
	{ "pf", MMAPDEMO_VMF_PFNMAP, "pure PFN range" },
	{ "uw", MMAPDEMO_VMF_UFFD_WP, "userfaultfd wr-protect tracking" },
	{ "lo", MMAPDEMO_VMF_LOCKED, "pages are locked in memory" },
	{ "io", MMAPDEMO_VMF_IO, "memory mapped I/O area" },
	{ "sr", MMAPDEMO_VMF_SEQ_READ, "sequential read advise provided" },
	{ "rr", MMAPDEMO_VMF_RAND_READ, "random read advise provided" },
	{ "dc", MMAPDEMO_VMF_DONTCOPY, "do not copy area on fork" },
	{ "de", MMAPDEMO_VMF_DONTEXPAND, "do not expand area on remapping" },
	{ "lf", MMAPDEMO_VMF_LOCKONFAULT, "lock pages on fault" },
	{ "ac", MMAPDEMO_VMF_ACCOUNT, "area is accountable" },
	{ "nr", MMAPDEMO_VMF_NORESERVE, "swap space is not reserved for the area" },
	{ "ht", MMAPDEMO_VMF_HUGETLB, "area uses huge tlb pages" },
	{ "sf", MMAPDEMO_VMF_SYNC, "perform synchronous page faults" },
	{ "ar", MMAPDEMO_VMF_ARCH_1, "architecture specific flag (x86: PAT)" },
	{ "wf", MMAPDEMO_VMF_WIPEONFORK, "wipe on fork" },
	{ "dd", MMAPDEMO_VMF_DONTDUMP, "do not include area into core dump" },
	{ "sd", MMAPDEMO_VMF_SOFTDIRTY, "soft dirty flag" },
	{ "mm", MMAPDEMO_VMF_MIXEDMAP, "mixed map area" },
	{ "hg", MMAPDEMO_VMF_HUGEPAGE, "huge page advise flag" },
	{ "nh", MMAPDEMO_VMF_NOHUGEPAGE, "no huge page advise flag" },
	{ "mg", MMAPDEMO_VMF_MERGEABLE, "mergeable advise flag" },
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
