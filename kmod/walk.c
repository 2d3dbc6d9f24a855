// SPDX-License-Identifier: GPL-2.0
/*
 * MMAPDEMO_IOC_WALK: the page-table walk of one address of the caller, level
 * by level, as the MMU would do it.  It allocates no page table and frees
 * none: a query leaves the address space as it found it.
 *
 * The VMA is looked up under the mmap_lock held for reading.  The entries
 * are read the way GUP-fast (mm/gup.c) and perf's page-size lookup read
 * them: with interrupts off, each entry once, stopping at an empty or
 * non-present entry or at a leaf.  Page tables are freed only after a TLB
 * shootdown IPI or an RCU grace period (an empty PTE table that 7.x's
 * CONFIG_PT_RECLAIM frees on MADV_DONTNEED goes through pte_free_tlb(),
 * RCU-deferred), both of which wait for this CPU, so every table the walk
 * reaches stays valid until interrupts are on again, even for an address
 * no VMA holds.  No lock is taken with interrupts off: a CPU that holds a
 * PTE lock may be waiting for this one to answer a TLB-flush IPI.
 *
 * In a VM_IO or VM_PFNMAP mapping (the BAR strategies, and the remap
 * strategy on RAM; any driver's), follow_pfnmap_start() first finds the
 * leaf and takes its lock (the PTE lock, or the PMD or PUD lock of a huge
 * leaf), as VFIO and KVM read such entries; 6.1 has follow_pte() instead,
 * which compat.h wraps.  Neither allocates.  The snapshot is then taken
 * while that lock is held, so its leaf is the one the kernel's own lookup
 * holds (only the MMU may still set the accessed and dirty bits), and the
 * walk says so with MMAPDEMO_WALK_LEAF_LOCKED when the two agree on the
 * PFN.  follow_pfnmap_args itself is not enough: it gives neither the
 * entries above the leaf nor, before 7.x's addr_mask, the leaf's level.
 *
 * A page-backed leaf (the fault and insert strategies on RAM, anonymous
 * and file memory) has the snapshot alone.  No walker that takes the PTE
 * lock without allocating is exported for such mappings on every kernel:
 * walk_page_range() and __pte_offset_map_lock() never were,
 * apply_to_existing_page_range() is not on 7.x, follow_pfnmap_start()
 * refuses them, and apply_to_page_range() allocates the tables it misses.
 * The snapshot is what the MMU itself would read at that moment, a
 * pagemap-like picture of a table that may change as soon as it is read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched.h>

#include "compat.h"
#include "internal.h"

#if defined(CONFIG_X86_64) || defined(CONFIG_ARM64)

#ifdef CONFIG_X86_64

#define WALK_ARCH MMAPDEMO_ARCH_X86_64

/* The frame a table entry or a leaf points to: the kernel's *_pfn(). */
#define walk_pgd_pfn(e) pgd_pfn(e)
#define walk_p4d_pfn(e) p4d_pfn(e)
#define walk_pud_pfn(e) pud_pfn(e)
#define walk_pmd_pfn(e) pmd_pfn(e)

/* Decode an entry's x86-64 bits; _PAGE_PSE and _PAGE_PAT share bit 7. */
static u32 walk_bits(u64 raw, int level)
{
	bool leaf = level == MMAPDEMO_LEVEL_PTE || (raw & _PAGE_PSE);
	u32 bits = 0;

	if (raw & _PAGE_PRESENT)
		bits |= MMAPDEMO_PTE_PRESENT;
	if (raw & _PAGE_RW)
		bits |= MMAPDEMO_PTE_WRITE;
	if (raw & _PAGE_USER)
		bits |= MMAPDEMO_PTE_USER;
	if (raw & _PAGE_PWT)
		bits |= MMAPDEMO_PTE_PWT;
	if (raw & _PAGE_PCD)
		bits |= MMAPDEMO_PTE_PCD;
	if (raw & _PAGE_ACCESSED)
		bits |= MMAPDEMO_PTE_ACCESSED;
	if (raw & _PAGE_NX)
		bits |= MMAPDEMO_PTE_NX;
	if (!leaf || !(raw & _PAGE_PRESENT))
		return bits;
	bits |= MMAPDEMO_PTE_LEAF;
	if (raw & _PAGE_DIRTY)
		bits |= MMAPDEMO_PTE_DIRTY;
	if (raw & _PAGE_GLOBAL)
		bits |= MMAPDEMO_PTE_GLOBAL;
	if (raw & _PAGE_SPECIAL)
		bits |= MMAPDEMO_PTE_SPECIAL;
	if (raw & (level == MMAPDEMO_LEVEL_PTE ? _PAGE_PAT : _PAGE_PAT_LARGE))
		bits |= MMAPDEMO_PTE_PAT;
	return bits;
}

/*
 * The memory type of a leaf entry: its PWT, PCD and PAT bits compared
 * with what the kernel writes for each mode (cachemode2protval(), which
 * follows the PAT table it programmed; pgprot2cachemode() is not
 * exported).  UC- before WC: without PAT, WC is written as UC-.
 */
static u32 walk_memtype(u64 raw, int level)
{
	static const struct {
		enum page_cache_mode pcm;
		u32 type;
	} types[] = {
		{ _PAGE_CACHE_MODE_WB, MMAPDEMO_MEMTYPE_WB },
		{ _PAGE_CACHE_MODE_UC_MINUS, MMAPDEMO_MEMTYPE_UC_MINUS },
		{ _PAGE_CACHE_MODE_UC, MMAPDEMO_MEMTYPE_UC },
		{ _PAGE_CACHE_MODE_WC, MMAPDEMO_MEMTYPE_WC },
		{ _PAGE_CACHE_MODE_WT, MMAPDEMO_MEMTYPE_WT },
		{ _PAGE_CACHE_MODE_WP, MMAPDEMO_MEMTYPE_WP },
	};
	u64 bits = raw & (_PAGE_PWT | _PAGE_PCD);
	unsigned int i;

	/* A huge leaf has its PAT bit at bit 12, where a PTE has the PSE. */
	if (raw & (level == MMAPDEMO_LEVEL_PTE ? _PAGE_PAT : _PAGE_PAT_LARGE))
		bits |= _PAGE_PAT;
	for (i = 0; i < ARRAY_SIZE(types); i++)
		if (cachemode2protval(types[i].pcm) == bits)
			return types[i].type;
	return MMAPDEMO_MEMTYPE_UNKNOWN;
}

/* The x86-64 entry as MMAPDEMO_ENTRY_* bits, which any architecture has. */
static u32 walk_entry_flags(u64 raw, int level)
{
	u32 bits = walk_bits(raw, level), flags = 0;

	if (bits & MMAPDEMO_PTE_PRESENT)
		flags |= MMAPDEMO_ENTRY_PRESENT;
	if (bits & MMAPDEMO_PTE_WRITE)
		flags |= MMAPDEMO_ENTRY_WRITABLE;
	if (bits & MMAPDEMO_PTE_USER)
		flags |= MMAPDEMO_ENTRY_USER;
	if (bits & MMAPDEMO_PTE_ACCESSED)
		flags |= MMAPDEMO_ENTRY_ACCESSED;
	if (bits & MMAPDEMO_PTE_DIRTY)
		flags |= MMAPDEMO_ENTRY_DIRTY;
	if (bits & MMAPDEMO_PTE_NX)
		flags |= MMAPDEMO_ENTRY_NOEXEC;
	if (bits & MMAPDEMO_PTE_SPECIAL)
		flags |= MMAPDEMO_ENTRY_SPECIAL;
	if (bits & MMAPDEMO_PTE_LEAF)
		flags |= MMAPDEMO_ENTRY_LEAF;
	if ((bits & MMAPDEMO_PTE_LEAF) && level != MMAPDEMO_LEVEL_PTE)
		flags |= MMAPDEMO_ENTRY_HUGE;
	return flags;
}

/* The frame bits of an x86-64 entry, which walk_hide_frames() clears. */
static u64 walk_frame_bits(u64 raw, unsigned long pfn)
{
	return raw & PTE_PFN_MASK;
}

/**
 * mmapdemo_kernel_memtype() - the memory type of a kernel mapping
 * @kaddr: an address of the kernel's own page tables, such as an ioremap()
 *
 * Context: any; the mapping must stay while this runs.
 * Return: MMAPDEMO_MEMTYPE_* of its leaf entry, MMAPDEMO_MEMTYPE_NONE if
 * not mapped.
 */
u32 mmapdemo_kernel_memtype(const void *kaddr)
{
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)kaddr, &level);

	if (!pte || !pte_present(*pte))
		return MMAPDEMO_MEMTYPE_NONE;
	return walk_memtype(pte_val(*pte), level == PG_LEVEL_4K ?
						   MMAPDEMO_LEVEL_PTE :
						   MMAPDEMO_LEVEL_PMD);
}

#else /* CONFIG_ARM64 */

#define WALK_ARCH MMAPDEMO_ARCH_ARM64

/*
 * The frame a descriptor points to, table or leaf alike: arm64 has no
 * pgd_pfn() or p4d_pfn(), and its pud_pfn() and pmd_pfn() round down to
 * the block size, which is a leaf's frame but not a table's.  Every level
 * encodes the address as a PTE does (__pte_to_phys()).
 */
static unsigned long walk_desc_pfn(u64 raw)
{
	return PHYS_PFN(__pte_to_phys(__pte(raw)));
}

#define walk_pgd_pfn(e) walk_desc_pfn(pgd_val(e))
#define walk_p4d_pfn(e) walk_desc_pfn(p4d_val(e))
#define walk_pud_pfn(e) walk_desc_pfn(pud_val(e))
#define walk_pmd_pfn(e) walk_desc_pfn(pmd_val(e))

/*
 * A table descriptor's APTable[1:0] (bits 62:61): 1x forbids writes
 * below it, x1 forbids EL0 access below it (Arm ARM, "Hierarchical
 * control of data access permissions").  The kernel sets neither in user
 * tables and names neither.
 */
#define WALK_TABLE_AP_NO_EL0 BIT_ULL(61)
#define WALK_TABLE_AP_RDONLY BIT_ULL(62)

static u32 walk_entry_flags(u64 raw, int level);

/*
 * The legacy entry[].bits: the x86-64 bits that have the same meaning in
 * an arm64 descriptor, from its MMAPDEMO_ENTRY_* flags, so that a caller
 * built before level[] reads the same words.  PWT, PCD, PAT and GLOBAL
 * have none and stay clear; the memory type is AttrIndx (walk_memtype()).
 */
static u32 walk_bits(u64 raw, int level)
{
	static const struct {
		u32 entry, pte;
	} same[] = {
		{ MMAPDEMO_ENTRY_PRESENT, MMAPDEMO_PTE_PRESENT },
		{ MMAPDEMO_ENTRY_WRITABLE, MMAPDEMO_PTE_WRITE },
		{ MMAPDEMO_ENTRY_USER, MMAPDEMO_PTE_USER },
		{ MMAPDEMO_ENTRY_ACCESSED, MMAPDEMO_PTE_ACCESSED },
		{ MMAPDEMO_ENTRY_DIRTY, MMAPDEMO_PTE_DIRTY },
		{ MMAPDEMO_ENTRY_NOEXEC, MMAPDEMO_PTE_NX },
		{ MMAPDEMO_ENTRY_SPECIAL, MMAPDEMO_PTE_SPECIAL },
		{ MMAPDEMO_ENTRY_LEAF, MMAPDEMO_PTE_LEAF },
	};
	u32 flags = walk_entry_flags(raw, level), bits = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(same); i++)
		if (flags & same[i].entry)
			bits |= same[i].pte;
	return bits;
}

/* A valid descriptor that maps memory: a page, or a block above it. */
static bool walk_arm64_leaf(u64 raw, int level)
{
	if (!(raw & PTE_VALID))
		return false;
	if (level == MMAPDEMO_LEVEL_PTE)
		return (raw & PTE_TYPE_MASK) == PTE_TYPE_PAGE;
	return (raw & PMD_TYPE_MASK) == PMD_TYPE_SECT;
}

/*
 * The memory type of a leaf: its AttrIndx, an index into MAIR_EL1, which
 * the kernel programs (MAIR_EL1_SET, arch/arm64/mm/proc.S) with the
 * attribute of each MT_* index.  As the generic types: Normal write-back
 * (MT_NORMAL, MT_NORMAL_TAGGED) is WB, Normal non-cacheable (MT_NORMAL_NC,
 * what pgprot_writecombine() gives) is WC, Device-nGnRnE (MT_DEVICE_nGnRnE,
 * pgprot_noncached()) is UC; Device-nGnRE (MT_DEVICE_nGnRE,
 * pgprot_device() and ioremap()) has a type of its own.  The raw entry
 * keeps the index itself for the CLI.
 */
static u32 walk_memtype(u64 raw, int level)
{
	switch ((raw & PTE_ATTRINDX_MASK) >> 2) {
	case MT_NORMAL:
	case MT_NORMAL_TAGGED:
		return MMAPDEMO_MEMTYPE_WB;
	case MT_NORMAL_NC:
		return MMAPDEMO_MEMTYPE_WC;
	case MT_DEVICE_nGnRnE:
		return MMAPDEMO_MEMTYPE_UC;
	case MT_DEVICE_nGnRE:
		return MMAPDEMO_MEMTYPE_DEVICE_NGNRE;
	default:
		return MMAPDEMO_MEMTYPE_UNKNOWN;
	}
}

/*
 * An arm64 descriptor as MMAPDEMO_ENTRY_* bits.  A leaf is writable when
 * AP[2] (PTE_RDONLY) is clear, or when it carries the kernel's write bit
 * (PTE_WRITE, which is DBM, bit 51): a clean writable page is read-only to
 * the MMU until the first write, which the hardware (FEAT_HAFDBS) or the
 * fault handler makes dirty.  Dirty is the kernel's pte_dirty(): its
 * software PTE_DIRTY, or DBM with AP[2] clear.  No-exec is UXN, the
 * user's.  A table descriptor has APTable and UXNTable instead, and no
 * access flag that the kernel uses.
 */
static u32 walk_entry_flags(u64 raw, int level)
{
	u32 flags = 0;

	if (raw & PTE_VALID)
		flags |= MMAPDEMO_ENTRY_PRESENT;
	if (!walk_arm64_leaf(raw, level)) {
		if (!(raw & PTE_VALID))
			return flags;
		if (!(raw & WALK_TABLE_AP_RDONLY))
			flags |= MMAPDEMO_ENTRY_WRITABLE;
		if (!(raw & WALK_TABLE_AP_NO_EL0))
			flags |= MMAPDEMO_ENTRY_USER;
		if (raw & PMD_TABLE_UXN)
			flags |= MMAPDEMO_ENTRY_NOEXEC;
		return flags;
	}
	flags |= MMAPDEMO_ENTRY_LEAF;
	if (level != MMAPDEMO_LEVEL_PTE)
		flags |= MMAPDEMO_ENTRY_HUGE;
	if (!(raw & PTE_RDONLY) || (raw & PTE_WRITE))
		flags |= MMAPDEMO_ENTRY_WRITABLE;
	if (raw & PTE_USER)
		flags |= MMAPDEMO_ENTRY_USER;
	if (raw & PTE_AF)
		flags |= MMAPDEMO_ENTRY_ACCESSED;
	if ((raw & PTE_DIRTY) || ((raw & PTE_DBM) && !(raw & PTE_RDONLY)))
		flags |= MMAPDEMO_ENTRY_DIRTY;
	if (raw & PTE_UXN)
		flags |= MMAPDEMO_ENTRY_NOEXEC;
	if (raw & PTE_SPECIAL)
		flags |= MMAPDEMO_ENTRY_SPECIAL;
	return flags;
}

/*
 * The frame bits of an arm64 entry: where they are depends on the
 * physical address size (52-bit addresses put bits 51:50 at 9:8 with
 * LPA2), so take them from the kernel's own encoding of @pfn.
 */
static u64 walk_frame_bits(u64 raw, unsigned long pfn)
{
	return raw & pte_val(pfn_pte(pfn, __pgprot(0)));
}

/*
 * arm64 has no PAT: an ioremap() gets the type it asks for, so the BAR's
 * mapping is the one requested (bar_mapped_caching()).
 */
u32 mmapdemo_kernel_memtype(const void *kaddr)
{
	return MMAPDEMO_MEMTYPE_NONE;
}

#endif /* CONFIG_ARM64 */

/* log2 of the bytes an entry at each level covers. */
static unsigned int walk_shift(int level)
{
	switch (level) {
	case MMAPDEMO_LEVEL_PGD:
		return PGDIR_SHIFT;
	case MMAPDEMO_LEVEL_P4D:
		return P4D_SHIFT;
	case MMAPDEMO_LEVEL_PUD:
		return PUD_SHIFT;
	case MMAPDEMO_LEVEL_PMD:
		return PMD_SHIFT;
	default:
		return PAGE_SHIFT;
	}
}

/*
 * Record the entry of @level; @pfn is what the kernel's *_pfn() reads
 * from it, meaningful only if @present (the kernel's *_present()).
 */
static void walk_record(struct mmapdemo_walk *w, int level, u64 raw,
			unsigned long pfn, bool present)
{
	struct mmapdemo_walk_level *l = &w->level[level];

	w->entry[level].raw = raw;
	w->entry[level].pfn = pfn;
	w->entry[level].bits = walk_bits(raw, level);
	l->raw = raw;
	l->pfn = present ? pfn : 0;
	l->flags = walk_entry_flags(raw, level);
	l->memtype = MMAPDEMO_MEMTYPE_NONE;
	if (l->flags & MMAPDEMO_ENTRY_LEAF)
		l->memtype = walk_memtype(raw, level);
	l->shift = walk_shift(level);
	w->levels = level + 1;
}

/* A leaf at @level maps @pfn for the page-aligned block holding @addr. */
static void walk_leaf(struct mmapdemo_walk *w, unsigned long addr,
		      unsigned long pfn, unsigned long size)
{
	/*
	 * From the bits, as the level's own memtype is only for an entry the
	 * MMU uses: a PROT_NONE leaf is present to the kernel (pte_present())
	 * but not to the MMU, and still has the mapping's memory type.
	 */
	w->memtype = walk_memtype(w->entry[w->levels - 1].raw, w->levels - 1);
	w->result = MMAPDEMO_WALK_MAPPED;
	w->pfn = pfn + ((addr & (size - 1)) >> PAGE_SHIFT);
	w->phys = ((u64)w->pfn << PAGE_SHIFT) | (addr & ~PAGE_MASK);
}

/* Context: interrupts off; see the top of this file. */
static void walk_tables_irqoff(struct mm_struct *mm, unsigned long addr,
			       struct mmapdemo_walk *w)
{
	pgd_t pgd, *pgdp = pgd_offset(mm, addr);
	p4d_t p4d, *p4dp;
	pud_t pud, *pudp;
	pmd_t pmd, *pmdp;
	pte_t pte, *ptep;

	pgd = READ_ONCE(*pgdp);
	walk_record(w, MMAPDEMO_LEVEL_PGD, pgd_val(pgd), walk_pgd_pfn(pgd),
		    pgd_present(pgd));
	if (pgd_none(pgd) || !pgd_present(pgd))
		return;

	/*
	 * With 4-level paging, p4d_offset() folds into the PGD entry.  The
	 * _lockless forms are GUP-fast's: arm64 folds levels at run time
	 * from the table's own address, not from a copy of the entry.
	 */
	p4dp = p4d_offset_lockless(pgdp, pgd, addr);
	p4d = READ_ONCE(*p4dp);
	walk_record(w, MMAPDEMO_LEVEL_P4D, p4d_val(p4d), walk_p4d_pfn(p4d),
		    p4d_present(p4d));
	if (p4d_none(p4d) || !p4d_present(p4d))
		return;

	pudp = pud_offset_lockless(p4dp, p4d, addr);
	pud = READ_ONCE(*pudp);
	walk_record(w, MMAPDEMO_LEVEL_PUD, pud_val(pud), walk_pud_pfn(pud),
		    pud_present(pud));
	if (pud_none(pud) || !pud_present(pud))
		return;
	if (pud_leaf(pud)) {
		walk_leaf(w, addr, pud_pfn(pud), PUD_SIZE);
		return;
	}

	pmdp = pmd_offset_lockless(pudp, pud, addr);
	pmd = READ_ONCE(*pmdp);
	walk_record(w, MMAPDEMO_LEVEL_PMD, pmd_val(pmd), walk_pmd_pfn(pmd),
		    pmd_present(pmd));
	if (pmd_none(pmd) || !pmd_present(pmd))
		return;
	if (pmd_leaf(pmd)) {
		walk_leaf(w, addr, pmd_pfn(pmd), PMD_SIZE);
		return;
	}

	/* x86-64 and arm64 have no highmem: the PTE table is in the direct map. */
	ptep = pte_offset_kernel(&pmd, addr);
	pte = READ_ONCE(*ptep);
	walk_record(w, MMAPDEMO_LEVEL_PTE, pte_val(pte), pte_pfn(pte),
		    pte_present(pte));
	if (pte_present(pte))
		walk_leaf(w, addr, pte_pfn(pte), PAGE_SIZE);
}

/* The lockless snapshot of every level.  Context: see the top of this file. */
static void walk_tables(struct mm_struct *mm, unsigned long addr,
			struct mmapdemo_walk *w)
{
	unsigned long irqflags;

	local_irq_save(irqflags);
	walk_tables_irqoff(mm, addr, w);
	local_irq_restore(irqflags);
}

/*
 * The snapshot of an address in a VM_IO or VM_PFNMAP mapping, taken while
 * follow_pfnmap_start() holds the lock of its leaf, if it found one.
 * Context: mmap_lock held for reading; @addr is in @vma.
 */
static void walk_tables_pfnmap(struct vm_area_struct *vma, unsigned long addr,
			       struct mmapdemo_walk *w)
{
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };

	mmap_assert_locked(vma->vm_mm);
	if (follow_pfnmap_start(&args)) {
		walk_tables(vma->vm_mm, addr, w);
		return;
	}
	walk_tables(vma->vm_mm, addr, w);
	follow_pfnmap_end(&args);
	if (w->result == MMAPDEMO_WALK_MAPPED && w->pfn == args.pfn)
		w->result_flags |= MMAPDEMO_WALK_LEAF_LOCKED;
}

/*
 * The kernel's VM_* flags and mmapdemo's MMAPDEMO_VMF_* numbers for them.
 * A flag the kernel was built without is VM_NONE (0) and never matches.
 */
static const struct {
	vm_flags_t vm;
	u64 vmf;
} walk_vmflags[] = {
	{ VM_READ, MMAPDEMO_VMF_READ },
	{ VM_WRITE, MMAPDEMO_VMF_WRITE },
	{ VM_EXEC, MMAPDEMO_VMF_EXEC },
	{ VM_SHARED, MMAPDEMO_VMF_SHARED },
	{ VM_MAYREAD, MMAPDEMO_VMF_MAYREAD },
	{ VM_MAYWRITE, MMAPDEMO_VMF_MAYWRITE },
	{ VM_MAYEXEC, MMAPDEMO_VMF_MAYEXEC },
	{ VM_MAYSHARE, MMAPDEMO_VMF_MAYSHARE },
	{ VM_GROWSDOWN, MMAPDEMO_VMF_GROWSDOWN },
	{ VM_UFFD_MISSING, MMAPDEMO_VMF_UFFD_MISSING },
	{ VM_PFNMAP, MMAPDEMO_VMF_PFNMAP },
	{ VM_UFFD_WP, MMAPDEMO_VMF_UFFD_WP },
	{ VM_LOCKED, MMAPDEMO_VMF_LOCKED },
	{ VM_IO, MMAPDEMO_VMF_IO },
	{ VM_SEQ_READ, MMAPDEMO_VMF_SEQ_READ },
	{ VM_RAND_READ, MMAPDEMO_VMF_RAND_READ },
	{ VM_DONTCOPY, MMAPDEMO_VMF_DONTCOPY },
	{ VM_DONTEXPAND, MMAPDEMO_VMF_DONTEXPAND },
	{ VM_LOCKONFAULT, MMAPDEMO_VMF_LOCKONFAULT },
	{ VM_ACCOUNT, MMAPDEMO_VMF_ACCOUNT },
	{ VM_NORESERVE, MMAPDEMO_VMF_NORESERVE },
	{ VM_HUGETLB, MMAPDEMO_VMF_HUGETLB },
	{ VM_SYNC, MMAPDEMO_VMF_SYNC },
	{ VM_ARCH_1, MMAPDEMO_VMF_ARCH_1 },
	{ VM_WIPEONFORK, MMAPDEMO_VMF_WIPEONFORK },
	{ VM_DONTDUMP, MMAPDEMO_VMF_DONTDUMP },
	{ VM_SOFTDIRTY, MMAPDEMO_VMF_SOFTDIRTY },
	{ VM_MIXEDMAP, MMAPDEMO_VMF_MIXEDMAP },
	{ VM_HUGEPAGE, MMAPDEMO_VMF_HUGEPAGE },
	{ VM_NOHUGEPAGE, MMAPDEMO_VMF_NOHUGEPAGE },
	{ VM_MERGEABLE, MMAPDEMO_VMF_MERGEABLE },
};

/* @vm_flags as MMAPDEMO_VMF_* bits; flags without one are left out. */
static u64 walk_vmf(vm_flags_t vm_flags)
{
	u64 vmf = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(walk_vmflags); i++)
		if (walk_vmflags[i].vm && (vm_flags & walk_vmflags[i].vm))
			vmf |= walk_vmflags[i].vmf;
	return vmf;
}

/* The strategy of @vma if it maps this device, else NULL. */
static const struct mmapdemo_strategy *walk_our_vma(struct mmapdemo_dev *md,
						    struct vm_area_struct *vma)
{
	const struct mmapdemo_strategy *s = mmapdemo_strategy_of_vma(vma);

	return s && mmapdemo_vma_dev(vma) == md ? s : NULL;
}

/* What the VMA is, and which device page is behind @addr if it is ours. */
static void walk_vma(struct mmapdemo_dev *md, struct vm_area_struct *vma,
		     unsigned long addr, struct mmapdemo_walk *w)
{
	const struct mmapdemo_strategy *s;
	pgoff_t pgoff;

	w->vma_start = vma->vm_start;
	w->vma_end = vma->vm_end;
	w->vma_flags = vma->vm_flags;
	w->vma_vmflags = walk_vmf(vma->vm_flags);
	w->vma_pgoff = vma->vm_pgoff;
	s = walk_our_vma(md, vma);
	if (!s) {
		w->vma_kind = MMAPDEMO_VMA_OTHER;
		return;
	}
	w->vma_kind = MMAPDEMO_VMA_MMAPDEMO;
	w->vma_strategy = s->id;
	pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	/* A private copy is not the device's page. */
	if (w->result == MMAPDEMO_WALK_MAPPED && pgoff < md->backing.npages &&
	    md->backing.ops->pfn(&md->backing, pgoff) == w->pfn)
		w->device_page = pgoff;
}

/*
 * As /proc/PID/pagemap: physical addresses for CAP_SYS_ADMIN only.  A
 * non-present entry that is not empty is a swap or migration entry, whose
 * offset (x86-64 keeps it inverted from bit 9) is a frame number or tells
 * bits of one: pagemap shows none of it, and neither does this.
 */
static void walk_hide_frames(struct mmapdemo_walk *w)
{
	int i;

	for (i = 0; i < MMAPDEMO_LEVELS; i++) {
		u64 frame = walk_frame_bits(w->entry[i].raw, w->entry[i].pfn);

		if (!(w->level[i].flags & MMAPDEMO_ENTRY_PRESENT))
			frame = ~0ULL;

		w->entry[i].raw &= ~frame;
		w->entry[i].pfn = 0;
		w->level[i].raw &= ~frame;
		w->level[i].pfn = 0;
	}
	w->pfn = 0;
	w->phys = 0;
}

/**
 * mmapdemo_walk() - walk the caller's page tables for one address
 * @md: the device, to tell its mappings and pages
 * @w: in: addr and flags, checked by the caller; out: the rest
 *
 * Context: process context; takes the mmap_lock for reading and may sleep
 * for it, and in a VM_IO or VM_PFNMAP mapping the lock of the leaf.
 * Allocates and frees no page table.
 * Return: 0, -EINVAL for an address outside user space, or -EINTR.
 */
int mmapdemo_walk(struct mmapdemo_dev *md, struct mmapdemo_walk *w)
{
	struct mm_struct *mm = current->mm;
	unsigned long addr = w->addr;
	struct vm_area_struct *vma;

	if (!mm || w->addr >= TASK_SIZE_MAX)
		return -EINVAL;
	w->device_page = MMAPDEMO_NO_DEVICE_PAGE;
	w->arch = WALK_ARCH;
	if (mmap_read_lock_killable(mm))
		return -EINTR;

	vma = vma_lookup(mm, addr);
	if (vma && (vma->vm_flags & (VM_IO | VM_PFNMAP)))
		walk_tables_pfnmap(vma, addr, w);
	else
		walk_tables(mm, addr, w);
	if (vma)
		walk_vma(md, vma, addr, w);
	mmap_read_unlock(mm);

	if (!capable(CAP_SYS_ADMIN))
		walk_hide_frames(w);
	return 0;
}

#else /* neither x86-64 nor arm64 */

int mmapdemo_walk(struct mmapdemo_dev *md, struct mmapdemo_walk *w)
{
	return -EOPNOTSUPP;
}

u32 mmapdemo_kernel_memtype(const void *kaddr)
{
	return MMAPDEMO_MEMTYPE_NONE;
}

#endif
