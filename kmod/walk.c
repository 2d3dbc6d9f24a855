// SPDX-License-Identifier: GPL-2.0
/*
 * MMAPDEMO_IOC_WALK: the page-table walk of one address of the caller, level
 * by level, as the MMU would do it.
 *
 * The VMA is looked up under the mmap_lock held for reading.  The entries
 * are read the way GUP-fast and perf's page-size lookup read them: with
 * interrupts off, each entry once.  Page tables are freed only after a TLB
 * shootdown IPI or an RCU grace period, both of which wait for this CPU, so
 * every table the walk reaches stays valid until interrupts are on again,
 * even for an address no VMA holds.  No lock can be taken there: a CPU that
 * holds a PTE lock may be waiting for this one to answer a TLB-flush IPI.
 *
 * For an address in a mapping of this device, the PTE is then read again
 * under its PTE lock, with interrupts on, through apply_to_page_range(),
 * the one walker that takes the PTE lock and that every kernel of the
 * matrix exports for all mappings (Documentation/path.rst says which
 * others are gone).  It is called only when the snapshot reached a PTE
 * table, so it finds the tables there; if one was freed in between (an
 * empty PTE table reclaimed by MADV_DONTNEED), it allocates an empty one,
 * as a fault there would, and the walk reports a hole.  That walker warns
 * on a huge PMD or PUD, which a mapping of the huge strategy (a VMA with
 * ->huge_fault) may gain between the snapshot and the re-read: such
 * mappings keep the snapshot, whose leaf shows the entry's level.
 * Any other address keeps the snapshot, as /proc/PID/pagemap gives one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sched.h>

#include "internal.h"

#ifdef CONFIG_X86_64

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

static void walk_record(struct mmapdemo_walk *w, int level, u64 raw,
			unsigned long pfn)
{
	w->entry[level].raw = raw;
	w->entry[level].pfn = pfn;
	w->entry[level].bits = walk_bits(raw, level);
	w->levels = level + 1;
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

/* A leaf at @level maps @pfn for the page-aligned block holding @addr. */
static void walk_leaf(struct mmapdemo_walk *w, unsigned long addr,
		      unsigned long pfn, unsigned long size)
{
	w->memtype = walk_memtype(w->entry[w->levels - 1].raw, w->levels - 1);
	w->result = MMAPDEMO_WALK_MAPPED;
	w->pfn = pfn + ((addr & (size - 1)) >> PAGE_SHIFT);
	w->phys = ((u64)w->pfn << PAGE_SHIFT) | (addr & ~PAGE_MASK);
}

/* Context: interrupts off; see the top of this file. */
static void walk_tables(struct mm_struct *mm, unsigned long addr,
			struct mmapdemo_walk *w)
{
	pgd_t pgd, *pgdp = pgd_offset(mm, addr);
	p4d_t p4d, *p4dp;
	pud_t pud, *pudp;
	pmd_t pmd, *pmdp;
	pte_t pte, *ptep;

	pgd = READ_ONCE(*pgdp);
	walk_record(w, MMAPDEMO_LEVEL_PGD, pgd_val(pgd), pgd_pfn(pgd));
	if (pgd_none(pgd) || !pgd_present(pgd))
		return;

	/* With 4-level paging, p4d_offset() folds into the PGD entry. */
	p4dp = p4d_offset(&pgd, addr);
	p4d = READ_ONCE(*p4dp);
	walk_record(w, MMAPDEMO_LEVEL_P4D, p4d_val(p4d), p4d_pfn(p4d));
	if (p4d_none(p4d) || !p4d_present(p4d))
		return;

	pudp = pud_offset(&p4d, addr);
	pud = READ_ONCE(*pudp);
	walk_record(w, MMAPDEMO_LEVEL_PUD, pud_val(pud), pud_pfn(pud));
	if (pud_none(pud) || !pud_present(pud))
		return;
	if (pud_leaf(pud)) {
		walk_leaf(w, addr, pud_pfn(pud), PUD_SIZE);
		return;
	}

	pmdp = pmd_offset(&pud, addr);
	pmd = READ_ONCE(*pmdp);
	walk_record(w, MMAPDEMO_LEVEL_PMD, pmd_val(pmd), pmd_pfn(pmd));
	if (pmd_none(pmd) || !pmd_present(pmd))
		return;
	if (pmd_leaf(pmd)) {
		walk_leaf(w, addr, pmd_pfn(pmd), PMD_SIZE);
		return;
	}

	/* x86-64 has no highmem: the PTE table is in the direct map. */
	ptep = pte_offset_kernel(&pmd, addr);
	pte = READ_ONCE(*ptep);
	walk_record(w, MMAPDEMO_LEVEL_PTE, pte_val(pte), pte_pfn(pte));
	if (pte_present(pte))
		walk_leaf(w, addr, pte_pfn(pte), PAGE_SIZE);
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

	return s && vma->vm_private_data == md ? s : NULL;
}

/* Called by apply_to_page_range() with the PTE lock held. */
static int walk_pte_fn(pte_t *ptep, unsigned long addr, void *data)
{
	*(pte_t *)data = ptep_get(ptep);
	return 0;
}

/*
 * Read the PTE of @addr again under its lock, if the snapshot reached one.
 * Context: mmap_lock held for reading; @addr is in one of our VMAs.
 */
static void walk_pte_locked(struct mm_struct *mm, unsigned long addr,
			    struct mmapdemo_walk *w)
{
	pte_t pte = __pte(0);

	if (w->levels != MMAPDEMO_LEVELS)
		return;
	if (apply_to_page_range(mm, addr & PAGE_MASK, PAGE_SIZE, walk_pte_fn,
				&pte))
		return;
	walk_record(w, MMAPDEMO_LEVEL_PTE, pte_val(pte), pte_pfn(pte));
	w->result = MMAPDEMO_WALK_HOLE;
	w->pfn = 0;
	w->phys = 0;
	w->memtype = MMAPDEMO_MEMTYPE_NONE;
	if (pte_present(pte))
		walk_leaf(w, addr, pte_pfn(pte), PAGE_SIZE);
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

/* As /proc/PID/pagemap: physical addresses for CAP_SYS_ADMIN only. */
static void walk_hide_frames(struct mmapdemo_walk *w)
{
	int i;

	for (i = 0; i < MMAPDEMO_LEVELS; i++) {
		w->entry[i].raw &= ~(u64)PTE_PFN_MASK;
		w->entry[i].pfn = 0;
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
 * for it, and for the device's own mappings the PTE lock.
 * Return: 0, -EINVAL for an address outside user space, or -EINTR.
 */
int mmapdemo_walk(struct mmapdemo_dev *md, struct mmapdemo_walk *w)
{
	struct mm_struct *mm = current->mm;
	unsigned long addr = w->addr, irqflags;
	struct vm_area_struct *vma;

	if (!mm || w->addr >= TASK_SIZE_MAX)
		return -EINVAL;
	w->device_page = MMAPDEMO_NO_DEVICE_PAGE;
	if (mmap_read_lock_killable(mm))
		return -EINTR;

	local_irq_save(irqflags);
	walk_tables(mm, addr, w);
	local_irq_restore(irqflags);

	vma = vma_lookup(mm, addr);
	if (vma && walk_our_vma(md, vma) && !vma->vm_ops->huge_fault)
		walk_pte_locked(mm, addr, w);
	if (vma)
		walk_vma(md, vma, addr, w);
	mmap_read_unlock(mm);

	if (!capable(CAP_SYS_ADMIN))
		walk_hide_frames(w);
	return 0;
}

#else /* !CONFIG_X86_64 */

int mmapdemo_walk(struct mmapdemo_dev *md, struct mmapdemo_walk *w)
{
	return -EOPNOTSUPP;
}

#endif
