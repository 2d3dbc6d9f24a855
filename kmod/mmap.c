// SPDX-License-Identifier: GPL-2.0
/*
 * The mmap file operation and what every strategy's VMAs share: the checks
 * made before anything is mapped, VMA accounting, mprotect and ptrace
 * access, and the fault handler that maps one page.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/string.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

/*
 * The range a VMA asks for must lie inside the device.  vm_pgoff comes
 * from the user's offset and can be anything: compare in pages, and never
 * compute an end that could wrap.
 */
static bool mmapdemo_range_ok(const struct mmapdemo_backing *backing,
			      struct vm_area_struct *vma)
{
	unsigned long pages = vma_pages(vma);

	return vma->vm_pgoff < backing->npages &&
	       pages <= backing->npages - vma->vm_pgoff;
}

/**
 * mmapdemo_mmap() - the mmap file operation of /dev/mmapdemo
 * @file: the open device
 * @vma: the new VMA; do_mmap() has checked the caller's offset alignment,
 *       the length and the file's open mode against the protection
 *
 * Checks what is the device's to check, fixes the file's strategy and lets
 * the strategy map.
 *
 * Context: process context, mmap_lock held for writing; takes the file's
 * lock.
 * Return: 0; -EINVAL for a range outside the device or a MAP_PRIVATE
 * mapping the strategy cannot copy on write; -EPERM for PROT_EXEC; or what
 * the strategy returns.
 */
int mmapdemo_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmapdemo_file *mf = file->private_data;
	struct mmapdemo_dev *md = mf->dev;
	bool pages = mmapdemo_has_pages(md);
	const struct mmapdemo_strategy *s;
	int ret;

	ret = mmapdemo_dev_enter(md);
	if (ret)
		return ret;
	if (!mmapdemo_range_ok(&md->backing, vma)) {
		ret = -EINVAL;
		goto out_leave;
	}
	/* Device memory holds data, never code. */
	if (vma->vm_flags & VM_EXEC) {
		ret = -EPERM;
		goto out_leave;
	}

	mutex_lock(&mf->lock);
	s = mf->strategy;
	/* Only a default strategy can get here unusable: SET_STRATEGY checks. */
	if (!mmapdemo_strategy_usable(md, s)) {
		ret = -EINVAL;
		goto out_unlock;
	}
	/*
	 * VM_MAYSHARE, not VM_SHARED: do_mmap() drops VM_SHARED from a
	 * MAP_SHARED mapping of a file opened read-only, which can never
	 * write, but it is still a shared mapping.  Memory without struct
	 * pages is never copied on write: vmf_insert_pfn_prot() does not
	 * allow it (a BUG_ON), and remap_pfn_range() would only by making
	 * vm_pgoff the PFN.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE) && (!s->private_ok || !pages)) {
		ret = -EINVAL;
		goto out_unlock;
	}

	/*
	 * The device cannot grow, so neither can its mappings (mremap fails
	 * with EFAULT), and core dumps leave device memory out.
	 */
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_private_data = md;
	if (pages) {
		vma->vm_ops = s->vm_ops;
	} else {
		/*
		 * A BAR: no struct page behind any PTE (VM_PFNMAP), and
		 * memory that is not RAM (VM_IO: no GUP, no core dump), in
		 * the device's memory type.
		 */
		vma->vm_ops = s->pfn_vm_ops;
		vm_flags_set(vma, VM_IO | VM_PFNMAP);
		vma->vm_page_prot = mmapdemo_backing_pgprot(&md->backing,
							    vma->vm_page_prot);
	}
	if (md->inode) {
		ret = mmapdemo_dev_record_mm(md, vma->vm_mm);
		if (ret)
			goto out_unlock;
	}
	if (s->mmap) {
		ret = s->mmap(md, vma);
		if (ret)
			goto out_unlock;
	}

	mf->mapped = true;
	atomic64_inc(&md->stats.mmaps);
	atomic64_inc(&md->stats.live_vmas);
	trace_mmapdemo_mmap(vma, s->id);
out_unlock:
	mutex_unlock(&mf->lock);
out_leave:
	mmapdemo_dev_leave(md);
	return ret;
}

/**
 * mmapdemo_vma_open() - a VMA of the device came to be by copy
 * @vma: the new VMA: one half of a split, the child's copy at fork, or the
 *       new place of a moved mapping
 *
 * Context: mmap_lock held for writing.
 */
void mmapdemo_vma_open(struct vm_area_struct *vma)
{
	struct mmapdemo_dev *md = vma->vm_private_data;

	atomic64_inc(&md->stats.vma_opens);
	atomic64_inc(&md->stats.live_vmas);
	trace_mmapdemo_vma_open(vma);
}

/**
 * mmapdemo_vma_close() - a VMA of the device goes away
 * @vma: the VMA, already unmapped from the page tables
 *
 * Context: mmap_lock held for writing, or the mm is being torn down.
 */
void mmapdemo_vma_close(struct vm_area_struct *vma)
{
	struct mmapdemo_dev *md = vma->vm_private_data;

	atomic64_inc(&md->stats.vma_closes);
	atomic64_dec(&md->stats.live_vmas);
	trace_mmapdemo_vma_close(vma);
}

/**
 * mmapdemo_vma_mprotect() - refuse to make device memory executable later
 * @vma: the VMA being changed
 * @start: start of the range
 * @end: end of the range
 * @newflags: the VMA's flags after the change
 *
 * VM_MAYEXEC stays set so that the answer is EPERM, as for mmap(), rather
 * than the EACCES mprotect() gives for a missing VM_MAY* bit.
 *
 * Context: mmap_lock held for writing.
 * Return: 0, or -EPERM when @newflags has VM_EXEC.
 */
int mmapdemo_vma_mprotect(struct vm_area_struct *vma, unsigned long start,
			  unsigned long end, unsigned long newflags)
{
	return (newflags & VM_EXEC) ? -EPERM : 0;
}

/**
 * mmapdemo_vma_access() - read or write a mapping for ptrace and /proc/PID/mem
 * @vma: a VMA of the device
 * @addr: user address inside @vma
 * @buf: kernel buffer
 * @len: bytes to copy
 * @write: FOLL_WRITE to copy @buf into the device, 0 to read
 *
 * get_user_pages() cannot reach VM_PFNMAP memory, so __access_remote_vm()
 * asks the driver instead, and nothing else checks the caller's rights on
 * this path: the checks get_user_pages() would have made are made here.
 * A write needs a writable mapping (VM_WRITE).  A file opened O_RDONLY or
 * a mapping made or mprotect()ed PROT_READ therefore cannot be written
 * through ptrace or /proc/PID/mem, as generic_access_phys() refuses a
 * write through a read-only PTE.  Reads are allowed, as for any mapping
 * ptrace can read.  The copy stops at the end of @vma: the device's
 * memory beyond it is not what this mapping maps, and the core goes on
 * with the next VMA by itself.
 *
 * The generic_access_phys() that /dev/mem uses would ioremap() the page,
 * which x86 refuses for RAM, and for a BAR would make a second kernel
 * mapping; the backing's own kernel mapping serves instead.
 *
 * Context: mmap_lock held for reading; takes the device's memory_lock
 * for reading.
 * Return: bytes copied; -EINVAL, as generic_access_phys() returns, for a
 * write to a mapping without VM_WRITE or a range outside the device;
 * -ENODEV once the device is gone.  The core turns them into EIO for the
 * caller.
 */
int mmapdemo_vma_access(struct vm_area_struct *vma, unsigned long addr,
			void *buf, int len, int write)
{
	struct mmapdemo_dev *md = vma->vm_private_data;
	unsigned long offset;

	mmap_assert_locked(vma->vm_mm);
	if (write && !(vma->vm_flags & VM_WRITE))
		return -EINVAL;
	if (len <= 0 || addr < vma->vm_start || addr >= vma->vm_end)
		return -EINVAL;
	len = min_t(unsigned long, len, vma->vm_end - addr);
	/*
	 * mmapdemo_mmap() checked that the VMA lies inside the device, and
	 * VM_DONTEXPAND keeps it there; check again rather than trust it.
	 */
	offset = (vma->vm_pgoff << PAGE_SHIFT) + (addr - vma->vm_start);
	if (offset >= md->backing.size || len > md->backing.size - offset)
		return -EINVAL;
	if (mmapdemo_dev_enter(md))
		return -ENODEV;
	mmapdemo_dev_rw(md, offset, buf, len, write);
	mmapdemo_dev_leave(md);
	return len;
}

/**
 * mmapdemo_fault_page() - hand the core the device page behind a fault
 * @vmf: the fault; vmf->pgoff is the page's offset in the device
 * @strategy: MMAPDEMO_STRATEGY_* of the VMA, for the tracepoint
 *
 * The core maps the page (or, in a MAP_PRIVATE mapping, a copy of it for a
 * write) and drops the reference taken here when it is unmapped.
 *
 * Context: may run under the VMA's lock without the mmap_lock: it only
 * reads the backing, which does not change while the module is loaded.
 * Return: 0 with vmf->page set, or VM_FAULT_SIGBUS beyond the device's end.
 */
vm_fault_t mmapdemo_fault_page(struct vm_fault *vmf, u32 strategy)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_dev *md = vma->vm_private_data;
	struct page *page;

	if (vmf->pgoff >= md->backing.npages) {
		atomic64_inc(&md->stats.fault_sigbus);
		trace_mmapdemo_fault(vmf, strategy, 0, VM_FAULT_SIGBUS);
		return VM_FAULT_SIGBUS;
	}
	page = md->backing.ops->page(&md->backing, vmf->pgoff);
	get_page(page);
	vmf->page = page;
	atomic64_inc(&md->stats.faults);
	trace_mmapdemo_fault(vmf, strategy, page_to_pfn(page), 0);
	return 0;
}

/**
 * mmapdemo_fault_pfn() - map the device page behind a fault by its PFN
 * @vmf: the fault, in a VM_PFNMAP VMA of memory without struct pages
 * @strategy: MMAPDEMO_STRATEGY_* of the VMA, for the tracepoint
 *
 * One vmf_insert_pfn_prot() per fault, with the VMA's protection, which
 * carries the device's memory type.  Under memory_lock, so that a removal
 * either sees the PTE and zaps it, or comes first and the fault gets
 * SIGBUS.
 *
 * Context: mmap_lock held for reading, or only the VMA's lock (6.4+);
 * takes the device's memory_lock for reading.
 * Return: VM_FAULT_NOPAGE, VM_FAULT_SIGBUS beyond the device's end or once
 * the device is gone, or VM_FAULT_OOM.
 */
vm_fault_t mmapdemo_fault_pfn(struct vm_fault *vmf, u32 strategy)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_dev *md = vma->vm_private_data;
	unsigned long pfn;
	vm_fault_t ret;

	if (vmf->pgoff >= md->backing.npages || mmapdemo_dev_enter(md)) {
		atomic64_inc(&md->stats.fault_sigbus);
		trace_mmapdemo_fault(vmf, strategy, 0, VM_FAULT_SIGBUS);
		return VM_FAULT_SIGBUS;
	}
	pfn = md->backing.ops->pfn(&md->backing, vmf->pgoff);
	ret = vmf_insert_pfn_prot(vma, vmf->address, pfn, vma->vm_page_prot);
	mmapdemo_dev_leave(md);
	atomic64_inc(&md->stats.faults);
	trace_mmapdemo_fault(vmf, strategy, pfn, ret);
	return ret;
}

/**
 * mmapdemo_has_pages() - whether the device's memory has struct pages
 * @md: the device
 *
 * Context: any.
 * Return: true for RAM, false for a BAR.
 */
bool mmapdemo_has_pages(const struct mmapdemo_dev *md)
{
	return md->backing.ops->page;
}
