// SPDX-License-Identifier: GPL-2.0
/*
 * The mmap file operation and what every strategy's VMAs share: the checks
 * made before anything is mapped, VMA accounting, ptrace access, and the
 * fault handlers that map one page.
 *
 * One design, two front ends: mmapdemo_describe() turns a request into a
 * description of the mapping (struct mmapdemo_map_desc) without side
 * effects.  On kernels with f_op->mmap_prepare (MMAPDEMO_HAVE_MMAP_PREPARE,
 * a Kbuild probe) the module has that operation, which hands the
 * description to the core through struct vm_area_desc and an mmap_action,
 * and records the mapping in vm_ops->mapped.  Elsewhere it has ->mmap,
 * which applies the same description to the VMA itself.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/personality.h>
#include <linux/sched.h>
#include <linux/string.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

/**
 * mmapdemo_describe() - check a request and describe the mapping it gets
 * @md: the device
 * @s: the file's strategy
 * @req: what the caller of mmap() asks for; the core has checked the
 *       offset's alignment, the length and the file's open mode against
 *       the protection
 * @desc: filled in
 *
 * Changes nothing: the core may still fail the mapping after it.
 *
 * Context: mmap_lock held for writing, the file's lock held, the device's
 * memory_lock held for reading.
 * Return: 0; -EINVAL for a range outside the device, a strategy the
 * device cannot use or a MAP_PRIVATE mapping the strategy cannot copy on
 * write; -EPERM for PROT_EXEC, unless the caller's personality has
 * READ_IMPLIES_EXEC; or what the strategy returns.
 */
static int mmapdemo_describe(struct mmapdemo_dev *md,
			     const struct mmapdemo_strategy *s,
			     const struct mmapdemo_map_req *req,
			     struct mmapdemo_map_desc *desc)
{
	const struct mmapdemo_backing *backing = &md->backing;
	bool pages = mmapdemo_has_pages(md);

	lockdep_assert_held_read(&md->memory_lock);
	/*
	 * The range must lie inside the device.  The offset comes from the
	 * user and can be anything: compare in pages, and never compute an
	 * end that could wrap.
	 */
	if (req->pgoff >= backing->npages ||
	    req->npages > backing->npages - req->pgoff)
		return -EINVAL;
	/*
	 * Device memory holds data, never code: PROT_EXEC is refused, and
	 * every mapping loses VM_MAYEXEC (MMAPDEMO_MAP_NOEXEC), so that
	 * mprotect() cannot add it later (EACCES).  Under the
	 * READ_IMPLIES_EXEC personality the core asks for VM_EXEC with
	 * every readable mapping (do_mmap()); the mapping is made without
	 * it, as the core does for a file on a noexec mount.
	 */
	if (req->exec && !(current->personality & READ_IMPLIES_EXEC))
		return -EPERM;
	/* Only a default strategy can get here unusable: SET_STRATEGY checks. */
	if (!mmapdemo_strategy_usable(md, s))
		return -EINVAL;
	/*
	 * VM_MAYSHARE, not VM_SHARED: do_mmap() drops VM_SHARED from a
	 * MAP_SHARED mapping of a file opened read-only, which can never
	 * write, but it is still a shared mapping.  Memory without struct
	 * pages is never copied on write: vmf_insert_pfn_prot() does not
	 * allow it (a BUG_ON), and remap_pfn_range() would only by making
	 * vm_pgoff the PFN.
	 */
	if (!req->shared && (!s->private_ok || !pages))
		return -EINVAL;

	memset(desc, 0, sizeof(*desc));
	/*
	 * The device cannot grow, so neither can its mappings (mremap fails
	 * with EFAULT), and core dumps leave device memory out.  Both flags
	 * are in VM_SPECIAL, so the core never merges a mapping of the
	 * device with its neighbours.
	 */
	desc->flags = MMAPDEMO_MAP_DONTEXPAND | MMAPDEMO_MAP_DONTDUMP |
		      MMAPDEMO_MAP_NOEXEC;
	if (pages) {
		desc->vm_ops = s->vm_ops;
		desc->prot = req->prot;
	} else {
		/*
		 * A BAR: no struct page behind any PTE (VM_PFNMAP), and
		 * memory that is not RAM (VM_IO: no GUP, no core dump), in
		 * the device's memory type.
		 */
		desc->vm_ops = s->pfn_vm_ops;
		desc->flags |= MMAPDEMO_MAP_IO | MMAPDEMO_MAP_PFNMAP;
		desc->prot = mmapdemo_backing_pgprot(backing, req->prot);
	}
	desc->caching = backing->caching;
	return s->describe ? s->describe(md, req, desc) : 0;
}

/**
 * mmapdemo_begin_mapping() - check and describe a request, under memory_lock
 * @mf: the file, whose lock the caller holds
 * @req: the request
 * @desc: filled in by mmapdemo_describe()
 *
 * The revoked check and the description, which takes the memory type.
 * memory_lock is dropped again before this returns, so the caller may
 * touch the VMA: a fault takes memory_lock under a VMA's lock
 * (internal.h).  Nothing is recorded: the core may still fail the mapping.
 *
 * Context: mmap_lock held for writing, the file's lock held; takes the
 * device's memory_lock for reading.
 * Return: 0, -ENODEV once the device is gone, or what mmapdemo_describe()
 * returns.
 */
static int mmapdemo_begin_mapping(struct mmapdemo_file *mf,
				  const struct mmapdemo_map_req *req,
				  struct mmapdemo_map_desc *desc)
{
	struct mmapdemo_dev *md = mf->dev;
	int ret;

	lockdep_assert_held(&mf->lock);
	ret = mmapdemo_dev_enter(md);
	if (ret)
		return ret;
	ret = mmapdemo_describe(md, mf->strategy, req, desc);
	mmapdemo_dev_leave(md);
	return ret;
}

/**
 * mmapdemo_commit_mapping() - a new mapping exists: check it, then count it
 * @mf: the file, whose lock the caller holds
 * @s: the strategy the mapping was described with
 * @caching: the memory type it was described with
 * @start: its start
 * @end: its end
 * @pgoff: its first page of the device
 *
 * Called where the core fails the mapping no more, unless this does: the
 * end of ->mmap, or vm_ops->mapped.  Between the description and here the
 * device may have been removed, its caching mode changed, or (7.x, where
 * the file's lock is dropped in between) the file's strategy set anew;
 * the mapping then fails and the core unmaps it.  Otherwise the file's
 * strategy is fixed from now on, and the counters and the tracepoint see
 * the mapping.  live_vmas is counted under memory_lock, which a caching
 * change holds for writing while it reads it: a mapping is either counted
 * before the change, which then fails with EBUSY, or sees the new mode
 * here.
 *
 * Context: mmap_lock held for writing, the file's lock held; on 7.x, for
 * an eager mapping of a BAR, i_mmap_rwsem held for writing by the core;
 * takes the device's memory_lock for reading.
 * Return: 0; -ENODEV once the device is gone; -EBUSY if the caching mode
 * or the file's strategy changed since the description.
 */
static int mmapdemo_commit_mapping(struct mmapdemo_file *mf,
				   const struct mmapdemo_strategy *s,
				   enum mmapdemo_caching caching,
				   unsigned long start, unsigned long end,
				   pgoff_t pgoff)
{
	struct mmapdemo_dev *md = mf->dev;
	int ret;

	lockdep_assert_held(&mf->lock);
	ret = mmapdemo_defio_admit(md, s);
	if (ret)
		return ret;
	ret = mmapdemo_dev_enter(md);
	if (ret)
		goto out_forget;
	if (caching != md->backing.caching || s != mf->strategy) {
		ret = -EBUSY;
		goto out_leave;
	}
	mf->mapped = true;
	atomic64_inc(&md->stats.mmaps);
	atomic64_inc(&md->stats.live_vmas);
	if (s->maps_eagerly)
		atomic64_add((end - start) >> PAGE_SHIFT,
			     &md->stats.eager_pages);
	trace_mmapdemo_mmap(start, end, pgoff, s->id);
out_leave:
	mmapdemo_dev_leave(md);
out_forget:
	if (ret)
		mmapdemo_defio_vma_del(md, s);
	return ret;
}

#ifdef MMAPDEMO_HAVE_MMAP_PREPARE

/* MMAPDEMO_MAP_* as the VMA_*_BIT flags of a vm_area_desc. */
static void mmapdemo_desc_set_flags(struct vm_area_desc *vd,
				    unsigned long flags)
{
	if (flags & MMAPDEMO_MAP_IO)
		vma_desc_set_flags(vd, VMA_IO_BIT);
	if (flags & MMAPDEMO_MAP_PFNMAP)
		vma_desc_set_flags(vd, VMA_PFNMAP_BIT);
	if (flags & MMAPDEMO_MAP_MIXEDMAP)
		vma_desc_set_flags(vd, VMA_MIXEDMAP_BIT);
	if (flags & MMAPDEMO_MAP_DONTEXPAND)
		vma_desc_set_flags(vd, VMA_DONTEXPAND_BIT);
	if (flags & MMAPDEMO_MAP_DONTDUMP)
		vma_desc_set_flags(vd, VMA_DONTDUMP_BIT);
	if (flags & MMAPDEMO_MAP_NOEXEC)
		vma_desc_clear_flags(vd, VMA_EXEC_BIT, VMA_MAYEXEC_BIT);
}

/**
 * mmapdemo_mmap_prepare() - the mmap_prepare file operation of the device
 * @vd: the mapping to be, before any VMA exists
 *
 * Describes the mapping and leaves the rest to the core: it makes the
 * VMA, links it, runs the action (what is mapped eagerly) and then
 * vm_ops->mapped, mmapdemo_vma_mapped(), which commits the mapping.
 * Until then the VMA's private data is the device's uncommitted struct
 * mmapdemo_vma_data for the strategy and caching mode of the description:
 * a VMA that the core unmaps after a failed action or a failed ->mapped
 * was never counted, and mmapdemo_vma_close() leaves it alone.  An eager
 * mapping of a BAR stays hidden from the rmap until ->mapped is done, so
 * that the removal's zap either sees it whole or comes before ->mapped's
 * revoked check (dev.c).
 *
 * Context: process context, mmap_lock held for writing; takes the file's
 * lock, then the device's memory_lock.
 * Return: 0, or what mmapdemo_describe() returns, or -ENODEV once the
 * device is gone.
 */
int mmapdemo_mmap_prepare(struct vm_area_desc *vd)
{
	struct mmapdemo_file *mf = vd->file->private_data;
	const struct mmapdemo_map_req req = {
		.pgoff = vd->pgoff,
		.npages = vma_desc_pages(vd),
		.shared = vma_desc_test(vd, VMA_MAYSHARE_BIT),
		.exec = vma_desc_test(vd, VMA_EXEC_BIT),
		.prot = vd->page_prot,
	};
	struct mmapdemo_map_desc desc;
	int ret;

	mmap_assert_write_locked(vd->mm);
	mutex_lock(&mf->lock);
	ret = mmapdemo_begin_mapping(mf, &req, &desc);
	if (ret)
		goto out_unlock;

	mmapdemo_desc_set_flags(vd, desc.flags);
	vd->vm_ops = desc.vm_ops;
	vd->private_data = mmapdemo_vma_data_of(mf->dev, mf->strategy,
						desc.caching, false);
	vd->page_prot = desc.prot;
	switch (desc.eager) {
	case MMAPDEMO_EAGER_NONE:
		break;
	case MMAPDEMO_EAGER_PFN:
		mmap_action_remap_full(vd, desc.pfn);
		break;
	case MMAPDEMO_EAGER_IO_PFN:
		/* The core checks the range against the BAR (vm_pgoff). */
		mmap_action_simple_ioremap(vd, desc.io_phys, desc.io_size);
		vd->action.hide_from_rmap_until_complete = true;
		break;
	case MMAPDEMO_EAGER_PAGES:
		mmap_action_map_kernel_pages_full(vd, desc.pages);
		break;
	}
out_unlock:
	mutex_unlock(&mf->lock);
	return ret;
}

/**
 * mmapdemo_vma_mapped() - vm_ops->mapped: a new VMA of the device exists
 * @start: its start
 * @end: its end
 * @pgoff: its first page of the device
 * @file: the device file
 * @vm_private_data: in: the uncommitted struct mmapdemo_vma_data that
 *                   mmapdemo_mmap_prepare() left; out: its committed twin
 *
 * The core calls it once the VMA is linked and its action done, and
 * unmaps the VMA if it fails.
 *
 * Context: process context, mmap_lock held for writing, and for an eager
 * mapping of a BAR the device's i_mmap_rwsem; takes the file's lock.
 * Return: what mmapdemo_commit_mapping() returns.
 */
int mmapdemo_vma_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
			const struct file *file, void **vm_private_data)
{
	struct mmapdemo_file *mf = file->private_data;
	const struct mmapdemo_vma_data *data = *vm_private_data;
	int ret;

	mmap_assert_write_locked(current->mm);
	mutex_lock(&mf->lock);
	ret = mmapdemo_commit_mapping(mf, data->strategy, data->caching, start,
				      end, pgoff);
	mutex_unlock(&mf->lock);
	if (!ret)
		*vm_private_data = mmapdemo_vma_data_of(mf->dev, data->strategy,
							data->caching, true);
	return ret;
}

#else /* !MMAPDEMO_HAVE_MMAP_PREPARE */

/* MMAPDEMO_MAP_* as VM_* flags. */
static vm_flags_t mmapdemo_vm_flags(unsigned long flags)
{
	vm_flags_t vm_flags = 0;

	if (flags & MMAPDEMO_MAP_IO)
		vm_flags |= VM_IO;
	if (flags & MMAPDEMO_MAP_PFNMAP)
		vm_flags |= VM_PFNMAP;
	if (flags & MMAPDEMO_MAP_MIXEDMAP)
		vm_flags |= VM_MIXEDMAP;
	if (flags & MMAPDEMO_MAP_DONTEXPAND)
		vm_flags |= VM_DONTEXPAND;
	if (flags & MMAPDEMO_MAP_DONTDUMP)
		vm_flags |= VM_DONTDUMP;
	return vm_flags;
}

/* Map what @desc says is mapped eagerly into @vma, whose flags are set. */
static int mmapdemo_map_eagerly(struct vm_area_struct *vma,
				const struct mmapdemo_map_desc *desc)
{
	unsigned long size = desc->npages << PAGE_SHIFT, left;
	int ret;

	switch (desc->eager) {
	case MMAPDEMO_EAGER_PFN:
		return remap_pfn_range(vma, vma->vm_start, desc->pfn, size,
				       vma->vm_page_prot);
	case MMAPDEMO_EAGER_IO_PFN:
		/* Checks the range against the BAR, from vm_pgoff. */
		return vm_iomap_memory(vma, desc->io_phys, desc->io_size);
	case MMAPDEMO_EAGER_PAGES:
		left = desc->npages;
		ret = vm_insert_pages(vma, vma->vm_start, desc->pages, &left);
		/* All inserted: vm_insert_pages() leaves 0 in @left. */
		return ret ?: (left ? -EFAULT : 0);
	default:
		return 0;
	}
}

/**
 * mmapdemo_mmap() - the mmap file operation of the device
 * @file: the open device
 * @vma: the new VMA, not yet linked into the file's mappings
 *
 * Describes the mapping, applies the description to @vma, and commits it:
 * on these kernels the core fails the mapping no more once ->mmap has
 * succeeded (6.1 and 6.12 __mmap_region(): only a merge with a neighbour
 * could free the VMA, and VM_DONTEXPAND rules that out).  If the commit
 * fails, the core undoes what was mapped (unmap_region()); on a BAR,
 * nothing was: these kernels map BARs by fault only (compat.h).
 *
 * Context: process context, mmap_lock held for writing; takes the file's
 * lock, then the device's memory_lock.
 * Return: 0, or what mmapdemo_describe() returns, or -ENODEV once the
 * device is gone, or what the eager mapping or the commit returns.
 */
int mmapdemo_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct mmapdemo_file *mf = file->private_data;
	struct mmapdemo_dev *md = mf->dev;
	const struct mmapdemo_map_req req = {
		.pgoff = vma->vm_pgoff,
		.npages = vma_pages(vma),
		.shared = vma->vm_flags & VM_MAYSHARE,
		.exec = vma->vm_flags & VM_EXEC,
		.prot = vma->vm_page_prot,
	};
	struct mmapdemo_map_desc desc;
	int ret;

	mmap_assert_write_locked(vma->vm_mm);
	mutex_lock(&mf->lock);
	ret = mmapdemo_begin_mapping(mf, &req, &desc);
	if (ret)
		goto out_unlock;

	vm_flags_set(vma, mmapdemo_vm_flags(desc.flags));
	if (desc.flags & MMAPDEMO_MAP_NOEXEC)
		vm_flags_clear(vma, VM_EXEC | VM_MAYEXEC);
	vma->vm_ops = desc.vm_ops;
	vma->vm_private_data =
		mmapdemo_vma_data_of(md, mf->strategy, desc.caching, false);
	vma->vm_page_prot = desc.prot;
	ret = mmapdemo_map_eagerly(vma, &desc);
	if (!ret)
		ret = mmapdemo_commit_mapping(mf, mf->strategy, desc.caching,
					      vma->vm_start, vma->vm_end,
					      vma->vm_pgoff);
	if (!ret)
		vma->vm_private_data = mmapdemo_vma_data_of(md, mf->strategy,
							    desc.caching, true);
out_unlock:
	mutex_unlock(&mf->lock);
	return ret;
}

#endif /* MMAPDEMO_HAVE_MMAP_PREPARE */

/**
 * mmapdemo_vma_open() - a VMA of the device came to be by copy
 * @vma: the new VMA: one half of a split, the child's copy at fork, or the
 *       new place of a moved mapping
 *
 * Context: mmap_lock held for writing.
 */
void mmapdemo_vma_open(struct vm_area_struct *vma)
{
	const struct mmapdemo_vma_data *data = vma->vm_private_data;
	struct mmapdemo_dev *md = data->dev;

	mmap_assert_write_locked(vma->vm_mm);
	mmapdemo_defio_vma_add(md, data->strategy);
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
	const struct mmapdemo_vma_data *data = vma->vm_private_data;
	struct mmapdemo_dev *md = data->dev;

	/*
	 * Unmapped by the core before the mapping was committed (its eager
	 * mapping, its action or the commit failed): nothing was counted.
	 */
	if (!data->committed)
		return;

	mmapdemo_defio_vma_del(md, data->strategy);
	atomic64_inc(&md->stats.vma_closes);
	atomic64_dec(&md->stats.live_vmas);
	trace_mmapdemo_vma_close(vma);
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
	struct mmapdemo_dev *md = mmapdemo_vma_dev(vma);
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
 * mmapdemo_fault_page() - map the device page behind a fault
 * @vmf: the fault, in a VM_MIXEDMAP VMA; vmf->pgoff is the page's offset
 *       in the device
 * @strategy: MMAPDEMO_STRATEGY_* of the VMA, for the tracepoint
 *
 * vm_insert_page() maps the page with the VMA's protection, which is
 * read-only in a MAP_PRIVATE mapping (the next write copies it) and in a
 * shared one with page_mkwrite (the next write calls it).  The PTE holds
 * a reference on the page until it is unmapped.  If another thread
 * mapped the page first, its PTE stands and the fault is done.
 *
 * Context: mmap_lock held for reading: without ->map_pages, the core
 * never calls ->fault under the VMA's lock alone.  Reads only the
 * backing, which does not change while the module is loaded.
 * Return: VM_FAULT_NOPAGE; VM_FAULT_SIGBUS beyond the device's end;
 * VM_FAULT_OOM without memory for a page table.
 */
vm_fault_t mmapdemo_fault_page(struct vm_fault *vmf, u32 strategy)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_dev *md = mmapdemo_vma_dev(vma);
	struct page *page;
	vm_fault_t ret;
	int err;

	assert_fault_locked(vmf);
	if (vmf->pgoff >= md->backing.npages) {
		atomic64_inc(&md->stats.fault_sigbus);
		trace_mmapdemo_fault(vmf, strategy, 0, VM_FAULT_SIGBUS);
		return VM_FAULT_SIGBUS;
	}
	page = md->backing.ops->page(&md->backing, vmf->pgoff);
	err = vm_insert_page(vma, vmf->address, page);
	ret = (!err || err == -EBUSY) ? VM_FAULT_NOPAGE : vmf_error(err);
	atomic64_inc(&md->stats.faults);
	trace_mmapdemo_fault(vmf, strategy, page_to_pfn(page), ret);
	return ret;
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
	struct mmapdemo_dev *md = mmapdemo_vma_dev(vma);
	unsigned long pfn;
	vm_fault_t ret;

	assert_fault_locked(vmf);
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
