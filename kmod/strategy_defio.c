// SPDX-License-Identifier: GPL-2.0
/*
 * The "defio" strategy: deferred I/O, as fbdev's fb_defio.c does it for a
 * framebuffer whose real memory sits behind a slow bus.
 *
 * User space maps RAM pages, the shadow: here the RAM device's memory,
 * mapped as the fault strategy maps it (one vm_insert_page() per fault, a
 * VM_MIXEDMAP VMA).  The device itself is a separate copy, the device
 * side (struct mmapdemo_defio.store), which only a flush writes and which
 * MMAPDEMO_IOC_DEFIO_READ reads, so that a test can tell flushed data from
 * data still waiting.  The cycle:
 *
 *  1. ->fault maps a page read-only (the VMA wants write notification
 *     because it has page_mkwrite, vma_wants_writenotify()).
 *  2. The first write faults on that PTE, and page_mkwrite marks the page
 *     dirty and schedules the delayed work.  It returns with the page
 *     locked (VM_FAULT_LOCKED), and the core keeps it locked until it has
 *     made the PTE writable; the write goes on.
 *  3. A flush, from the delayed work "defio_delay_ms" after the first
 *     write, from ->fsync (fsync(), msync(MS_SYNC)) or from the release of
 *     the last reference to a DEFIO file, takes each dirty page in turn:
 *     under the page's lock it clears the page's dirty bit and
 *     write-protects the page again in every mapping (compat.h:
 *     mapping_wrprotect_range(), or before it unmap_mapping_range()), then
 *     copies the page to the device side.  The next write faults again
 *     and goes back to 2.
 *
 * Why in that order: the page lock orders each flush of a page against
 * each page_mkwrite of it, whose PTE is made writable before the lock is
 * dropped.  So a writable PTE always belongs to a page whose bit is set:
 * the flush either comes first (and the write that follows faults, sets
 * the bit again and is copied by the next flush) or after (and finds the
 * writable PTE to protect).  The copy comes after the write-protection,
 * so every write made before the protection is in the copy, and every
 * write after it faults.  fbdev on 7.3 calls mapping_wrprotect_range()
 * without the page's lock; its 6.1 and 6.12 flush takes it, as here.
 *
 * On a BAR device (an ivshmem-plain BAR: memory, never registers) it is
 * fbdev's shadow-buffer case, as drm_fbdev_ttm.c keeps a framebuffer in
 * VRAM behind a vmalloc()ed shadow: user space maps shadow pages of RAM
 * that the driver allocated when the first file chose DEFIO (a copy of
 * the BAR), one vm_insert_page() per fault, and the device side is the BAR
 * itself: a flush copies each dirty shadow page to it through the kernel's
 * mapping of the BAR (mmapdemo_dev_rw(), under memory_lock, as read() and
 * write() do), with the BAR's caching mode (wc or uc).  The user mapping
 * of the shadow is ordinary write-back RAM whatever that mode is: the
 * mode only applies to the flush's writes.  The shadow is what the
 * mapping shows: writes to the BAR by other means (another strategy's
 * mapping, write(), the host) are not seen through it, and a flush of a
 * page overwrites the whole page of the BAR.
 *
 * A BAR device can be removed while mapped.  The removal revokes first
 * (dev.c: no fault maps anything any more, and every PTE of the device,
 * shadow pages included, is zapped), so no write reaches the shadow after
 * it; then mmapdemo_defio_detach() flushes what is dirty to the BAR,
 * which is still mapped, and marks deferred I/O detached, so that no
 * later flush (the work, ->fsync, the last release) touches the BAR; then
 * the BAR is unmapped.  Every write made before the removal is on the
 * BAR, unless the device was already gone from the bus (a surprise
 * removal, pci_dev_is_disconnected()), where there is nothing left to
 * write to.  fbdev does the same at unregistration: fb_deferred_io_cleanup()
 * flushes the delayed work before the driver lets its memory go.
 *
 * Nothing here walks or locks a process's address space: the core's rmap
 * walk of the device's address_space (i_mmap_rwsem) finds the PTEs, in
 * every process that maps the device, forked children included.
 *
 * On the RAM device, the device side is allocated when a file first chooses DEFIO
 * (mmapdemo_defio_bind(), at open() or MMAPDEMO_IOC_SET_STRATEGY, never in
 * ->mmap), as a copy of the memory, and lives until the device goes (module unload for the RAM
 * device), when the delayed work is cancelled.  Writes to the memory that
 * do not come through a DEFIO mapping (write(), another strategy's
 * writable mapping of the same memory) are not seen: as with a
 * framebuffer, only the deferred-I/O mapping is tracked.  That also keeps
 * flushes away from pages no DEFIO mapping wrote: where the kernel lacks
 * mapping_wrprotect_range() (6.1, 6.12), the flush unmaps the page from
 * every mapping of the device at its offset (compat.h), which the
 * fault and insert strategies fault back in.  A remap mapping has no
 * fault handler, and unmapping it from a flush races with its owner's
 * munmap() in the core's memory-type bookkeeping (compat.h): there the
 * device's remap and DEFIO mappings exclude each other
 * (mmapdemo_defio_admit()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

/* The largest BAR with deferred I/O: its shadow takes as much RAM. */
#define DEFIO_MAX_SHADOW SZ_256M

/* The longest delay, 1 h: "defio_delay_ms" must fit in jiffies. */
#define DEFIO_MAX_DELAY_MS 3600000U

static unsigned int defio_delay_ms = 1000;

static int defio_delay_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;

	if (kstrtouint(val, 0, &ms) || ms > DEFIO_MAX_DELAY_MS) {
		pr_err("defio_delay_ms=%s: must be between 0 and %u\n", val,
		       DEFIO_MAX_DELAY_MS);
		return -EINVAL;
	}
	WRITE_ONCE(*(unsigned int *)kp->arg, ms);
	return 0;
}

static const struct kernel_param_ops defio_delay_ops = {
	.set = defio_delay_set,
	.get = param_get_uint,
};

module_param_cb(defio_delay_ms, &defio_delay_ops, &defio_delay_ms, 0644);
MODULE_PARM_DESC(defio_delay_ms,
		 "defio: flush delay in ms, max 3600000 (default 1000)");

/* Come back after the delay; nothing if the work is already pending. */
static void defio_schedule(struct mmapdemo_defio *d)
{
	schedule_delayed_work(&d->work,
			      msecs_to_jiffies(READ_ONCE(defio_delay_ms)));
}

/* The page that a DEFIO mapping shows at @pgoff: RAM, or the BAR's shadow. */
static struct page *defio_page(struct mmapdemo_dev *md, pgoff_t pgoff)
{
	if (md->defio.shadow)
		return md->defio.shadow[pgoff];
	return md->backing.ops->page(&md->backing, pgoff);
}

/*
 * Copy one page that was write-protected again to the device side: into
 * @store (RAM device), or to the BAR through the kernel's mapping, under
 * memory_lock, which a caching change holds for writing while it maps
 * the BAR anew (and after which the mapping may be gone: then the page
 * is not written).  The removal's flush comes after the revocation, so
 * @revoked is not what decides: the detached flag is (the caller's).
 * Return: whether the page reached the device side.
 */
static bool defio_copy_out(struct mmapdemo_dev *md, pgoff_t pgoff,
			   struct page *page)
{
	struct mmapdemo_defio *d = &md->defio;
	bool done = false;
	void *kaddr;

	lockdep_assert_held(&d->lock);
	if (!d->shadow) {
		memcpy_from_page(d->store + (pgoff << PAGE_SHIFT), page, 0,
				 PAGE_SIZE);
		return true;
	}
	down_read(&md->memory_lock);
	if (md->backing.ioaddr) {
		kaddr = kmap_local_page(page);
		mmapdemo_dev_rw(md, pgoff << PAGE_SHIFT, kaddr, PAGE_SIZE,
				true);
		kunmap_local(kaddr);
		/*
		 * The stores are posted, and write-combined in a wc mapping:
		 * wmb() drains the write-combining buffers, and a read from
		 * the device cannot complete before the writes it follows
		 * (PCI ordering), so the page is in the BAR when it returns.
		 */
		wmb();
		ioread32(md->backing.ioaddr + (pgoff << PAGE_SHIFT));
		done = true;
	}
	up_read(&md->memory_lock);
	return done;
}

/**
 * defio_flush_locked() - write every dirty page to the device side
 * @md: the device
 * @why: what asked for the flush, for the tracepoint
 *
 * See the top of this file for the order of the steps.  Once deferred
 * I/O is detached from a removed BAR, nothing is written: no mapping can
 * have dirtied a page since the removal's own flush.
 *
 * Context: process context, may sleep; the defio lock held, memory_lock
 * not held; takes each dirty page's lock, the address_space's
 * i_mmap_rwsem for reading (the write-protection) and, on a BAR,
 * memory_lock for reading (the copy), each in turn.
 */
static void defio_flush_locked(struct mmapdemo_dev *md,
			       enum mmapdemo_defio_why why)
{
	struct address_space *mapping = md->inode->i_mapping;
	struct mmapdemo_defio *d = &md->defio;
	unsigned long pgoff;
	struct page *page;
	int ptes;

	lockdep_assert_held(&d->lock);
	lockdep_assert_not_held(&md->memory_lock);
	if (d->detached)
		return;
	for_each_set_bit(pgoff, d->dirty, md->backing.npages) {
		page = defio_page(md, pgoff);
		lock_page(page);
		clear_bit(pgoff, d->dirty);
		/*
		 * With no DEFIO VMA, no PTE of the page is writable, and
		 * none becomes so before the page's lock is dropped: there
		 * is nothing to protect, and a remap mapping made since
		 * the last DEFIO one went must not be reached.
		 */
		ptes = 0;
		if (atomic_read(&d->vmas))
			ptes = mmapdemo_wrprotect_page(mapping, pgoff,
						       page_to_pfn(page));
		unlock_page(page);
		atomic64_inc(&md->stats.defio_reprotected);
		if (defio_copy_out(md, pgoff, page))
			atomic64_inc(&md->stats.defio_flushed);
		trace_mmapdemo_defio_flush(pgoff, why, ptes);
		cond_resched();
	}
}

/**
 * mmapdemo_defio_flush() - write the dirty pages to the device side now
 * @md: the device
 * @why: what asks for it
 *
 * Returns once every page that was dirty when it began is on the device
 * side: a flush that runs at the same time (the delayed work) is waited
 * for.
 *
 * Context: process context, may sleep; not with the mmap_lock, memory_lock
 * or a page lock held; takes the defio lock.
 */
void mmapdemo_defio_flush(struct mmapdemo_dev *md, enum mmapdemo_defio_why why)
{
	struct mmapdemo_defio *d = &md->defio;

	lockdep_assert_not_held(&md->memory_lock);
	mutex_lock(&d->lock);
	if (d->dirty)
		defio_flush_locked(md, why);
	mutex_unlock(&d->lock);
}

/* The count of @s's VMAs that deferred I/O keeps, or NULL. */
static atomic_t *defio_vma_count(struct mmapdemo_dev *md,
				 const struct mmapdemo_strategy *s)
{
	if (s == &mmapdemo_strategy_defio)
		return &md->defio.vmas;
	if (s == &mmapdemo_strategy_remap)
		return &md->defio.remap_vmas;
	return NULL;
}

/**
 * mmapdemo_defio_admit() - count a new mapping of the device, or refuse it
 * @md: the device
 * @s: the mapping's strategy
 *
 * Called where a mapping is committed.  Where a flush unmaps instead of
 * write-protecting (MMAPDEMO_DEFIO_EXCLUDES_REMAP, compat.h: 6.1, 6.12),
 * a remap mapping is refused while a DEFIO mapping of the device exists,
 * and a DEFIO mapping while a remap one does.  With the counts changed
 * under the defio lock, which a flush holds throughout, a flush that saw
 * a DEFIO VMA (and so unmaps) runs while no remap VMA exists, and a
 * remap VMA is made only after the flush ended.  A flush with no DEFIO
 * VMA unmaps nothing (defio_flush_locked()): dirty pages that a DEFIO
 * mapping left behind when it went do not keep a remap mapping out.
 *
 * Context: mmap_lock held for writing, the file's lock held, memory_lock
 * not held; where the mappings exclude each other, takes the defio lock.
 * Return: 0, or -EBUSY when the other kind of mapping exists.
 */
int mmapdemo_defio_admit(struct mmapdemo_dev *md,
			 const struct mmapdemo_strategy *s)
{
	struct mmapdemo_defio *d = &md->defio;
	atomic_t *mine = defio_vma_count(md, s), *other;
	int ret = 0;

	if (!mine)
		return 0;
	if (!MMAPDEMO_DEFIO_EXCLUDES_REMAP) {
		atomic_inc(mine);
		return 0;
	}
	other = mine == &d->vmas ? &d->remap_vmas : &d->vmas;
	lockdep_assert_not_held(&md->memory_lock);
	mutex_lock(&d->lock);
	if (atomic_read(other))
		ret = -EBUSY;
	else
		atomic_inc(mine);
	mutex_unlock(&d->lock);
	return ret;
}

/**
 * mmapdemo_defio_vma_add() - a VMA of the device came to be by copy
 * @md: the device
 * @s: its strategy
 *
 * A copy (fork, a split, mremap) of a counted VMA, which exists until
 * after the copy is counted: the other count is 0 and stays so.
 *
 * Context: mmap_lock held for writing.
 */
void mmapdemo_defio_vma_add(struct mmapdemo_dev *md,
			    const struct mmapdemo_strategy *s)
{
	atomic_t *count = defio_vma_count(md, s);

	if (count)
		atomic_inc(count);
}

/**
 * mmapdemo_defio_vma_del() - a counted VMA of the device is gone
 * @md: the device
 * @s: its strategy
 *
 * From ->close, after the core zapped the VMA and took it off the rmap,
 * or when the commit that admitted it failed.
 *
 * Context: mmap_lock held for writing, or the mm is being torn down.
 */
void mmapdemo_defio_vma_del(struct mmapdemo_dev *md,
			    const struct mmapdemo_strategy *s)
{
	atomic_t *count = defio_vma_count(md, s);

	if (count)
		atomic_dec(count);
}

/*
 * The delayed work: a flush, traced even when it has nothing to write
 * (detached, or every page flushed since), so that a test can tell that
 * a removal cancelled it: it never runs after mmapdemo_defio_detach()
 * returns, unless a write fault that began before the revocation
 * scheduled it again (and then it writes nothing).
 */
static void defio_work(struct work_struct *work)
{
	struct mmapdemo_defio *d = container_of(to_delayed_work(work),
						struct mmapdemo_defio, work);
	struct mmapdemo_dev *md = container_of(d, struct mmapdemo_dev, defio);

	lockdep_assert_not_held(&md->memory_lock);
	mutex_lock(&d->lock);
	/* Scheduled only by page_mkwrite, after d->dirty was set. */
	trace_mmapdemo_defio_work(!mmapdemo_has_pages(md), d->detached,
				  bitmap_weight(d->dirty, md->backing.npages));
	defio_flush_locked(md, MMAPDEMO_DEFIO_WORK);
	mutex_unlock(&d->lock);
}

/* Free the shadow pages of a BAR device, or what was allocated of them. */
static void defio_shadow_free(struct mmapdemo_dev *md)
{
	struct page **shadow = md->defio.shadow;
	unsigned long i;

	if (!shadow)
		return;
	for (i = 0; i < md->backing.npages && shadow[i]; i++)
		__free_page(shadow[i]);
	kvfree(shadow);
	md->defio.shadow = NULL;
}

/*
 * The shadow of a BAR device: one page of RAM for each page of the BAR,
 * allocated one by one (vm_insert_page() maps order-0 pages, and none
 * is ever given to the core through vmf->page), each a copy of its page
 * of the BAR.  Return: 0, -ENOMEM, or -ENODEV once the device is gone.
 */
static int defio_shadow_alloc(struct mmapdemo_dev *md)
{
	struct mmapdemo_defio *d = &md->defio;
	unsigned long i, npages = md->backing.npages;
	void *kaddr;
	int ret;

	lockdep_assert_held(&d->lock);
	d->shadow =
		kvcalloc(npages, sizeof(*d->shadow), GFP_KERNEL | __GFP_NOWARN);
	if (!d->shadow)
		return -ENOMEM;
	for (i = 0; i < npages; i++) {
		/* Fail rather than call the OOM killer: ENOMEM. */
		d->shadow[i] = alloc_page(GFP_KERNEL | __GFP_RETRY_MAYFAIL |
					  __GFP_NOWARN);
		if (!d->shadow[i])
			return -ENOMEM;
	}
	for (i = 0; i < npages; i++) {
		ret = mmapdemo_dev_enter(md);
		if (ret)
			return ret;
		kaddr = kmap_local_page(d->shadow[i]);
		mmapdemo_dev_rw(md, i << PAGE_SHIFT, kaddr, PAGE_SIZE, false);
		kunmap_local(kaddr);
		mmapdemo_dev_leave(md);
		cond_resched();
	}
	return 0;
}

/**
 * mmapdemo_defio_bind() - set deferred I/O up for a file that chose DEFIO
 * @md: the device
 *
 * Called when a file's strategy becomes DEFIO (at open() with DEFIO the
 * default, or by MMAPDEMO_IOC_SET_STRATEGY), never from ->mmap: nothing
 * changes before the core has committed a VMA.  The first call allocates
 * the dirty bits and, on the RAM device, the device side, which starts as
 * a copy of the memory, or, on a BAR, the shadow pages, which start as a
 * copy of the BAR.  A flush write-protects the VMAs of the device's own
 * address_space (md->inode), which every file of the device shares
 * through whichever device node it was opened: nothing here refers to a
 * node, whose file system can be unmounted while the device lives.  What
 * it sets up stays until the device goes.
 *
 * Context: process context, may sleep; not with memory_lock held; takes
 * the defio lock, and on a BAR memory_lock for reading inside it.
 * Return: 0; -ENOMEM; -ENODEV once a BAR device is gone.
 */
int mmapdemo_defio_bind(struct mmapdemo_dev *md)
{
	struct mmapdemo_defio *d = &md->defio;
	struct mmapdemo_backing *backing = &md->backing;
	bool bar = !mmapdemo_has_pages(md);
	unsigned long *dirty;
	void *store = NULL;
	int ret = 0;

	lockdep_assert_not_held(&md->memory_lock);
	mutex_lock(&d->lock);
	if (d->dirty)
		goto out_unlock;
	dirty = bitmap_zalloc(backing->npages, GFP_KERNEL | __GFP_NOWARN);
	if (bar)
		ret = defio_shadow_alloc(md);
	else
		store = kvmalloc(backing->size, GFP_KERNEL | __GFP_NOWARN);
	if (!dirty || ret || (!bar && !store)) {
		bitmap_free(dirty);
		kvfree(store);
		defio_shadow_free(md);
		ret = ret ?: -ENOMEM;
		goto out_unlock;
	}
	if (!bar)
		memcpy(store, backing->vaddr, backing->size);
	d->store = store;
	/* defio_describe() reads the rest after it, without the lock. */
	smp_store_release(&d->dirty, dirty);
out_unlock:
	mutex_unlock(&d->lock);
	return ret;
}

/**
 * mmapdemo_defio_read() - MMAPDEMO_IOC_DEFIO_READ: copy out the device side
 * @md: the device
 * @offset: first byte
 * @buf: user buffer
 * @len: bytes
 *
 * A page at a time through a bounce buffer: the copy to user space may
 * fault on a mapping of this device, and must not hold the defio lock or
 * memory_lock.  On a BAR device the device side is the BAR, read through
 * the kernel's mapping under memory_lock, as read() reads it.
 *
 * Context: process context, may sleep; takes the defio lock, and on a
 * BAR memory_lock for reading inside it.
 * Return: 0; -EINVAL for a range outside the device; -ENODATA before the
 * first file chose DEFIO; -ENODEV once a BAR device is gone; -ENOMEM;
 * -EFAULT.
 */
int mmapdemo_defio_read(struct mmapdemo_dev *md, u64 offset, void __user *buf,
			u64 len)
{
	struct mmapdemo_defio *d = &md->defio;
	size_t done = 0, n;
	void *bounce;
	int ret = 0;

	if (offset >= md->backing.size || len > md->backing.size - offset)
		return -EINVAL;
	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	while (done < len) {
		n = min_t(u64, len - done, PAGE_SIZE);
		mutex_lock(&d->lock);
		if (!d->dirty) {
			ret = -ENODATA;
		} else if (d->store) {
			memcpy(bounce, d->store + offset + done, n);
		} else {
			ret = mmapdemo_dev_enter(md);
			if (!ret) {
				mmapdemo_dev_rw(md, offset + done, bounce, n,
						false);
				mmapdemo_dev_leave(md);
			}
		}
		mutex_unlock(&d->lock);
		if (ret)
			break;
		if (copy_to_user(buf + done, bounce, n)) {
			ret = -EFAULT;
			break;
		}
		done += n;
	}
	kfree(bounce);
	return ret;
}

/**
 * mmapdemo_defio_init() - set up a device's deferred-I/O state, unused
 * @md: the device
 *
 * Context: any.
 */
void mmapdemo_defio_init(struct mmapdemo_dev *md)
{
	mutex_init(&md->defio.lock);
	INIT_DELAYED_WORK(&md->defio.work, defio_work);
}

/**
 * mmapdemo_defio_detach() - a BAR device is being removed: last flush
 * @md: the BAR device, revoked (mmapdemo_dev_revoke()): no user PTE maps
 *      its shadow any more and no fault maps it again
 *
 * Writes what is dirty to the BAR, which the caller unmaps only after
 * this, and detaches deferred I/O from it: later flushes (the delayed
 * work, ->fsync, the release of the last file) write nothing.  Since the
 * revocation zapped every PTE first, no write can reach the shadow after
 * this flush: nothing written before the removal is lost, unless the
 * device has already gone from the bus (a surprise removal), where
 * there is no BAR left to write and the dirty pages are dropped.  The
 * work is cancelled here, and once more when the device is freed, since
 * a page_mkwrite that began before the revocation may schedule it again.
 *
 * Context: process context, may sleep; not with memory_lock held; takes
 * the defio lock, then what a flush takes.
 */
void mmapdemo_defio_detach(struct mmapdemo_dev *md)
{
	struct mmapdemo_defio *d = &md->defio;

	lockdep_assert_not_held(&md->memory_lock);
	mutex_lock(&d->lock);
	if (d->dirty && !pci_dev_is_disconnected(md->pdev))
		defio_flush_locked(md, MMAPDEMO_DEFIO_REMOVE);
	d->detached = true;
	mutex_unlock(&d->lock);
	cancel_delayed_work_sync(&d->work);
}

/**
 * mmapdemo_defio_release() - the device goes: stop the work, free it all
 * @md: the device, which nothing maps or has open any more
 *
 * Every DEFIO file flushed when its last reference went (and a removed
 * BAR device flushed at its removal), and no mapping is left to write:
 * what the work would flush is on the device side already, and the work
 * is cancelled before the module's text can go.
 *
 * Context: process context, may sleep.
 */
void mmapdemo_defio_release(struct mmapdemo_dev *md)
{
	struct mmapdemo_defio *d = &md->defio;

	cancel_delayed_work_sync(&d->work);
	kvfree(d->store);
	defio_shadow_free(md);
	bitmap_free(d->dirty);
	mutex_destroy(&d->lock);
}

/*
 * A fault on a BAR device's DEFIO mapping maps the shadow page, as the
 * fault strategy maps a page of RAM, but under memory_lock and only while
 * the device is there: the removal's revocation either sees the PTE and
 * zaps it, or comes first and the fault gets SIGBUS, as on the BAR's own
 * mappings (mmapdemo_fault_pfn()).
 */
static vm_fault_t defio_fault_shadow(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mmapdemo_dev *md = mmapdemo_vma_dev(vma);
	struct page *page;
	vm_fault_t ret;
	int err;

	assert_fault_locked(vmf);
	if (vmf->pgoff >= md->backing.npages || mmapdemo_dev_enter(md)) {
		atomic64_inc(&md->stats.fault_sigbus);
		trace_mmapdemo_fault(vmf, MMAPDEMO_STRATEGY_DEFIO, 0,
				     VM_FAULT_SIGBUS);
		return VM_FAULT_SIGBUS;
	}
	/* Set before defio_describe() let this VMA exist. */
	page = md->defio.shadow[vmf->pgoff];
	err = vm_insert_page(vma, vmf->address, page);
	mmapdemo_dev_leave(md);
	ret = (!err || err == -EBUSY) ? VM_FAULT_NOPAGE : vmf_error(err);
	atomic64_inc(&md->stats.faults);
	trace_mmapdemo_fault(vmf, MMAPDEMO_STRATEGY_DEFIO, page_to_pfn(page),
			     ret);
	return ret;
}

static vm_fault_t defio_fault(struct vm_fault *vmf)
{
	if (!mmapdemo_has_pages(mmapdemo_vma_dev(vmf->vma)))
		return defio_fault_shadow(vmf);
	return mmapdemo_fault_page(vmf, MMAPDEMO_STRATEGY_DEFIO);
}

/*
 * The first write to a page since it was mapped or flushed: count it as
 * every strategy's page_mkwrite does, mark the page dirty and make sure
 * a flush comes.  The page stays locked until the core has made the PTE
 * writable, so that a flush cannot write-protect it in between and miss
 * the write (see the top of this file).  On a BAR no removal check is
 * needed: the PTE it makes writable is either zapped by the removal, whose
 * flush then finds the bit, or gone already, and the core's check of the
 * PTE under its lock (finish_mkwrite_fault()) drops the write fault.
 */
static vm_fault_t defio_page_mkwrite(struct vm_fault *vmf)
{
	struct mmapdemo_dev *md = mmapdemo_vma_dev(vmf->vma);
	struct mmapdemo_defio *d = &md->defio;
	bool first;

	/* defio_describe() kept the VMA inside the device. */
	if (vmf->pgoff >= md->backing.npages)
		return VM_FAULT_SIGBUS;
	atomic64_inc(&md->stats.mkwrites);
	trace_mmapdemo_mkwrite(vmf);
	lock_page(vmf->page);
	/* d->dirty was set before this VMA existed (mmapdemo_defio_bind()). */
	first = !test_and_set_bit(vmf->pgoff, d->dirty);
	if (first)
		atomic64_inc(&md->stats.defio_dirtied);
	trace_mmapdemo_defio_dirty(vmf->pgoff, first);
	defio_schedule(d);
	return VM_FAULT_LOCKED;
}

/*
 * As the fault strategy on RAM (VM_MIXEDMAP, vm_insert_page() in
 * ->fault), for a file that mmapdemo_defio_bind() set up: only checked
 * here, since ->mmap changes nothing before the core commits the VMA.
 * On a BAR the mapping is of the shadow's RAM pages, not of the BAR: not
 * VM_IO or VM_PFNMAP, and cached as RAM is (the VMA's protection as the
 * core made it), whatever the BAR's caching mode.
 */
static int defio_describe(struct mmapdemo_dev *md,
			  const struct mmapdemo_map_req *req,
			  struct mmapdemo_map_desc *desc)
{
	struct mmapdemo_defio *d = &md->defio;

	/*
	 * Without the defio lock: ->mmap holds memory_lock, and a flush
	 * takes i_mmap_rwsem under the defio lock while a caching change
	 * takes memory_lock under i_mmap_rwsem (lockdep saw that cycle on
	 * 6.12-debug).  @dirty is published once, after @store and
	 * @shadow, and none of them changes until the device goes.
	 */
	if (!smp_load_acquire(&d->dirty))
		return -EINVAL;
	desc->flags &= ~(MMAPDEMO_MAP_IO | MMAPDEMO_MAP_PFNMAP);
	desc->flags |= MMAPDEMO_MAP_MIXEDMAP;
	desc->prot = req->prot;
	return 0;
}

/*
 * Where deferred I/O works.  On the RAM device, always.  On a BAR, only
 * if it is memory (deferring writes to registers would merge them and
 * change their order, and the shadow would answer reads that the
 * registers must), and of at most DEFIO_MAX_SHADOW: the shadow is as
 * large as the BAR.  The limit also keeps out every BAR that the huge
 * strategy maps with PUD entries.  It must: where the flush
 * write-protects with mapping_wrprotect_range() (7.x), that walks every
 * mapping of the device at the page's offset, the huge strategy's too,
 * with page_vma_mapped_walk(), which steps over a PMD leaf but takes a
 * PUD leaf for a table of PMDs.
 */
static bool defio_usable(const struct mmapdemo_dev *md)
{
	BUILD_BUG_ON(DEFIO_MAX_SHADOW >= PUD_SIZE);
	if (mmapdemo_has_pages(md))
		return true;
	return !md->registers && md->backing.size <= DEFIO_MAX_SHADOW;
}

static const struct vm_operations_struct defio_vm_ops = {
	.open = mmapdemo_vma_open,
	.close = mmapdemo_vma_close,
#ifdef MMAPDEMO_HAVE_MMAP_PREPARE
	.mapped = mmapdemo_vma_mapped,
#endif
	.fault = defio_fault,
	.page_mkwrite = defio_page_mkwrite,
};

const struct mmapdemo_strategy mmapdemo_strategy_defio = {
	.name = "defio",
	.id = MMAPDEMO_STRATEGY_DEFIO,
	/* On a BAR its VMAs map the shadow's pages, with the same vm_ops. */
	.vm_ops = &defio_vm_ops,
	.pfn_vm_ops = &defio_vm_ops,
	.usable = defio_usable,
	/* A private copy is never written back: nothing to defer. */
	.private_ok = false,
	.describe = defio_describe,
};
