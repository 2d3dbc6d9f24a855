/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernel APIs of the releases mmapdemo builds on
 * (6.1 to 7.x), in one place.  Each shim names the release that changed
 * the API and is the newer API's spelling, so the rest of the module reads
 * as code for the newest kernel.
 *
 * Where distributions backport an API, a version number would lie: those
 * differences are decided by the Kbuild feature probes (kmod/probes/), whose
 * results probes.h holds as MMAPDEMO_HAVE_*.
 */
#ifndef _MMAPDEMO_COMPAT_H
#define _MMAPDEMO_COMPAT_H

#include <linux/huge_mm.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/rmap.h>
#include <linux/sched.h>

#include "probes.h"

/*
 * 6.3 made vma->vm_flags read-only and added vm_flags_set() and
 * vm_flags_clear(), which also assert the mmap_lock is held for writing.
 */
#ifndef MMAPDEMO_HAVE_VM_FLAGS_SET
static inline void vm_flags_set(struct vm_area_struct *vma, vm_flags_t flags)
{
	mmap_assert_write_locked(vma->vm_mm);
	vma->vm_flags |= flags;
}

static inline void vm_flags_clear(struct vm_area_struct *vma, vm_flags_t flags)
{
	mmap_assert_write_locked(vma->vm_mm);
	vma->vm_flags &= ~flags;
}
#endif

/*
 * The lock a fault holds: the mmap_lock for reading, or since 6.4 the
 * VMA's own lock without it (FAULT_FLAG_VMA_LOCK).  Before per-VMA locks,
 * always the mmap_lock.
 */
#ifndef MMAPDEMO_HAVE_ASSERT_FAULT_LOCKED
static inline void assert_fault_locked(struct vm_fault *vmf)
{
	mmap_assert_locked(vmf->vma->vm_mm);
}
#endif

/*
 * FAULT_FLAG_VMA_LOCK (6.4): the fault holds only the VMA's lock.  Before
 * per-VMA locks no fault does, and the flag reads as 0.
 */
#ifndef MMAPDEMO_HAVE_FAULT_FLAG_VMA_LOCK
#define FAULT_FLAG_VMA_LOCK 0
#endif

/*
 * Eager mappings of a BAR (remap_pfn_range()) only where the kernel tracks
 * their memory type per reservation: 6.16 (MMAPDEMO_HAVE_PFNMAP_TRACK).
 * There a VMA that maps its whole range holds a reference-counted
 * pfnmap_track_ctx, which fork copies by reference (vm_area_dup()) and
 * splits share, and the last VMA to go frees the reservation once.
 *
 * Before, remap_pfn_range() set VM_PAT (6.1 and 6.12
 * arch/x86/mm/pat/memtype.c, track_pfn_remap()), fork read the
 * reservation back from the parent's first PTE (track_pfn_copy(),
 * get_pat_info()), and each
 * unmap freed its VMA's own range in untrack_pfn(), which tests and clears
 * VM_PAT without a lock of its own.  A driver that revokes such a mapping
 * with unmap_mapping_range() races with all three: a fork that copies a
 * VMA whose PTEs were just zapped, an exit_mmap() that unmaps the same VMA
 * at the same time (6.12 unmaps under the mmap_lock held for reading), and
 * a failed remap_pfn_range() whose cleanup WARNs in get_pat_info().  The
 * only way around them would be to take each mapping process's mmap_lock
 * from the driver's removal, which a driver must never do.  So before
 * 6.16, the remap strategy works on RAM only (strategy_remap.c).
 */
#if defined(MMAPDEMO_HAVE_PFNMAP_TRACK) && defined(MMAPDEMO_HAVE_MMAP_PREPARE)
#define MMAPDEMO_BAR_REMAP 1
#endif

/*
 * Reading a PFN-map entry under its lock: follow_pfnmap_start() and
 * follow_pfnmap_end() from 6.12 (which also find huge PMD and PUD leaves);
 * before 6.10, follow_pte(mm, ...), which finds PTEs only and leaves the
 * VMA checks to its caller.  Here the older one in the newer spelling, with
 * the outputs mmapdemo uses.  6.10 and 6.11 (follow_pte() with a VMA) get
 * a lookup that always fails, and the walk falls back to its lockless read.
 */
#ifndef MMAPDEMO_HAVE_FOLLOW_PFNMAP
struct follow_pfnmap_args {
	/* in: the VMA and the address to look up */
	struct vm_area_struct *vma;
	unsigned long address;
	/* the PTE lock follow_pte() took, and the PTE it found */
	spinlock_t *lock;
	pte_t *ptep;
	/* out: the leaf's PFN, protections, and two of its bits */
	unsigned long pfn;
	pgprot_t pgprot;
	bool writable;
	bool special;
};

static inline int follow_pfnmap_start(struct follow_pfnmap_args *args)
{
#ifdef MMAPDEMO_HAVE_FOLLOW_PTE_MM
	struct vm_area_struct *vma = args->vma;
	pte_t pte;
	int ret;

	mmap_assert_locked(vma->vm_mm);
	if (args->address < vma->vm_start || args->address >= vma->vm_end ||
	    !(vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return -EINVAL;
	ret = follow_pte(vma->vm_mm, args->address, &args->ptep, &args->lock);
	if (ret)
		return ret;
	pte = ptep_get(args->ptep);
	args->pfn = pte_pfn(pte);
	args->pgprot = pte_pgprot(pte);
	args->writable = pte_write(pte);
	args->special = pte_special(pte);
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

static inline void follow_pfnmap_end(struct follow_pfnmap_args *args)
{
	/* follow_pte() took the lock without an annotation sparse can see. */
	__acquire(args->lock);
	pte_unmap_unlock(args->ptep, args->lock);
}
#endif

/*
 * The largest order the page allocator hands out: MAX_ORDER - 1 before 6.4,
 * where MAX_ORDER became inclusive; 6.8 renamed it MAX_PAGE_ORDER.  The
 * pages of that order, MAX_ORDER_NR_PAGES, kept their meaning through
 * both changes, so the order is read from them.
 */
#define MMAPDEMO_MAX_PAGE_ORDER ilog2(MAX_ORDER_NR_PAGES)

/*
 * The mm's own placement of a new mapping, which a file's
 * get_unmapped_area falls back to: the mm's function pointer on 6.1,
 * mm_get_unmapped_area(mm, ...) from 6.10, without the mm after 6.12.
 */
static inline unsigned long mmapdemo_mm_get_unmapped_area(struct file *file,
							  unsigned long addr,
							  unsigned long len,
							  unsigned long pgoff,
							  unsigned long flags)
{
#if defined(MMAPDEMO_HAVE_MM_GET_UNMAPPED_AREA)
	return mm_get_unmapped_area(file, addr, len, pgoff, flags);
#elif defined(MMAPDEMO_HAVE_MM_GET_UNMAPPED_AREA_MM)
	return mm_get_unmapped_area(current->mm, file, addr, len, pgoff, flags);
#else
	return current->mm->get_unmapped_area(file, addr, len, pgoff, flags);
#endif
}

/*
 * Huge PFN-map entries: a VM_PFNMAP VMA may hold PMD (PUD) leaves that
 * map memory without struct pages only where the architecture selects
 * ARCH_SUPPORTS_PMD_PFNMAP (ARCH_SUPPORTS_PUD_PFNMAP), which 6.12 added
 * together with the special bit on such leaves that keeps GUP-fast off
 * them.  Those kernels also pass ->huge_fault an order (6.6).  Before,
 * the fault path never calls ->huge_fault for a VM_PFNMAP VMA; see
 * Documentation/huge.rst.
 */
#if defined(CONFIG_ARCH_SUPPORTS_PMD_PFNMAP) && \
	defined(MMAPDEMO_HAVE_HUGE_FAULT_ORDER)
#define MMAPDEMO_HUGE_PMD 1
#if defined(CONFIG_ARCH_SUPPORTS_PUD_PFNMAP)
#define MMAPDEMO_HUGE_PUD 1
#endif

/*
 * After 6.12 (by 7.3) pfn_t is gone and vmf_insert_pfn_pmd() and
 * vmf_insert_pfn_pud() take the PFN; before, a pfn_t without PFN_DEV |
 * PFN_MAP (not devmap), so the leaf is marked special, as VFIO does.
 */
#ifdef MMAPDEMO_HAVE_INSERT_PFN_PMD_ULONG
#define mmapdemo_pfn_arg(pfn) (pfn)
#else
#include <linux/pfn_t.h>
#define mmapdemo_pfn_arg(pfn) __pfn_to_pfn_t(pfn, PFN_DEV)
#endif

/*
 * @write as the fault's, as device-dax passes it: a write fault on a
 * present read-only leaf (a shared VMA whose protection soft-dirty
 * tracking took write away from, /proc/PID/clear_refs) reaches
 * ->huge_fault again through wp_huge_pmd() (wp_huge_pud()), and only
 * with @write does the insert make the present leaf writable; without
 * it the insert leaves it as it is and the same fault comes back for
 * ever.
 */
static inline vm_fault_t mmapdemo_insert_pfn_pmd(struct vm_fault *vmf,
						 unsigned long pfn)
{
	return vmf_insert_pfn_pmd(vmf, mmapdemo_pfn_arg(pfn),
				  vmf->flags & FAULT_FLAG_WRITE);
}

#ifdef MMAPDEMO_HUGE_PUD
static inline vm_fault_t mmapdemo_insert_pfn_pud(struct vm_fault *vmf,
						 unsigned long pfn)
{
	return vmf_insert_pfn_pud(vmf, mmapdemo_pfn_arg(pfn),
				  vmf->flags & FAULT_FLAG_WRITE);
}
#endif
#endif /* huge PFN-map entries */

/*
 * The INTx flag of pci_alloc_irq_vectors(): PCI_IRQ_INTX in 6.12 and 7.3,
 * which have no other name for it; PCI_IRQ_LEGACY in 6.1
 * (MMAPDEMO_HAVE_PCI_IRQ_INTX).
 */
#ifndef MMAPDEMO_HAVE_PCI_IRQ_INTX
#define PCI_IRQ_INTX PCI_IRQ_LEGACY
#endif

/*
 * Deferred I/O write-protects a flushed page again in every shared mapping
 * of the device, so that the next write faults (strategy_defio.c).  After
 * 6.12 the core has mapping_wrprotect_range() for pages that, like the
 * device's, have no ->mapping of their own: it walks the address_space's
 * VMAs (the rmap) and clears the write bit of each PTE that maps @pfn
 * there, as fbdev's fb_defio.c does on 7.3
 * (MMAPDEMO_HAVE_MAPPING_WRPROTECT_RANGE).
 *
 * Before, the nearest correct means is unmap_mapping_range() of the page:
 * the same rmap walk, but it removes the PTEs, so the next access of any
 * kind faults again (->fault maps the page read-only, and a write then
 * calls page_mkwrite).  It costs a read fault more, and needs nothing of
 * the page.  fbdev's own way on 6.1 and 6.12, folio_mkclean(), finds the
 * mappings through page->mapping and page->index, which fb_defio.c sets
 * on its pages in ->fault; the device's pages are mapped by every strategy
 * at once, so giving them a ->mapping would make the core take them for
 * page cache in all those mappings too (on unmap, a dirty PTE calls the
 * address_space's ->dirty_folio, which a character device's has not).
 *
 * Return: PTEs write-protected, or -1 where the count is not known (the
 * pages were unmapped).
 */
static inline int mmapdemo_wrprotect_page(struct address_space *mapping,
					  pgoff_t pgoff, unsigned long pfn)
{
#ifdef MMAPDEMO_HAVE_MAPPING_WRPROTECT_RANGE
	return mapping_wrprotect_range(mapping, pgoff, pfn, 1);
#else
	/* even_cows 0: leave private copies made by copy on write alone. */
	unmap_mapping_range(mapping, (loff_t)pgoff << PAGE_SHIFT, PAGE_SIZE, 0);
	return -1;
#endif
}

/*
 * Where the flush unmaps (no mapping_wrprotect_range()), it must never
 * reach a remap mapping: on 6.1 and 6.12 such a VMA carries VM_PAT, and
 * unmap_single_vma() calls untrack_pfn() on it from the flush, without the
 * owner's mmap_lock, while the owner's munmap() or exit may be in
 * untrack_pfn() on the same VMA: one finds the first PTE already zapped
 * and WARNs in get_pat_info() (arch/x86/mm/pat/memtype.c).  There the
 * device's remap and defio mappings exclude each other
 * (strategy_defio.c, MMAPDEMO_DEFIO_EXCLUDES_REMAP).  The exclusion takes
 * the defio lock when a mapping is committed, at the end of ->mmap: under
 * ->mapped (7.x) the core may hold i_mmap_rwsem, inside which the defio
 * lock must never be taken.  mapping_wrprotect_range() came before
 * ->mmap_prepare (7.3 has both, 6.1 and 6.12 neither), and the #error
 * below keeps it that way for a kernel that would differ.
 */
#ifdef MMAPDEMO_HAVE_MAPPING_WRPROTECT_RANGE
#define MMAPDEMO_DEFIO_EXCLUDES_REMAP false
#else
#define MMAPDEMO_DEFIO_EXCLUDES_REMAP true
#ifdef MMAPDEMO_HAVE_MMAP_PREPARE
#error "->mmap_prepare without mapping_wrprotect_range(): see compat.h"
#endif
#endif

#endif /* _MMAPDEMO_COMPAT_H */
