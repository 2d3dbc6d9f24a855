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
 * Nothing here walks or locks a process's address space: the core's rmap
 * walk of the file's address_space (i_mmap_rwsem) finds the PTEs, in
 * every process that maps the device, forked children included.
 *
 * The device side is allocated when a file first chooses DEFIO
 * (mmapdemo_defio_bind(), at open() or MMAPDEMO_IOC_SET_STRATEGY, never in
 * ->mmap), as a copy of the memory, and lives until the device goes (module unload for the RAM
 * device), when the delayed work is cancelled.  Writes to the memory that
 * do not come through a DEFIO mapping (write(), another strategy's
 * writable mapping of the same memory) are not seen: as with a
 * framebuffer, only the deferred-I/O mapping is tracked.  That also keeps
 * flushes away from pages no DEFIO mapping wrote: where the kernel lacks
 * mapping_wrprotect_range() (6.1, 6.12), the flush unmaps the page from
 * every mapping of the device node at its offset (compat.h), which the
 * fault and insert strategies fault back in, but a remap mapping of the
 * same page, which has no fault handler, gets SIGBUS.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "internal.h"
#include "trace.h"

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

/**
 * defio_flush_locked() - write every dirty page to the device side
 * @md: the device
 * @why: what asked for the flush, for the tracepoint
 *
 * See the top of this file for the order of the steps.
 *
 * Context: process context, may sleep; the defio lock held; takes each
 * dirty page's lock, and the address_space's i_mmap_rwsem for reading
 * (the write-protection).
 */
static void defio_flush_locked(struct mmapdemo_dev *md,
			       enum mmapdemo_defio_why why)
{
	struct mmapdemo_defio *d = &md->defio;
	struct mmapdemo_backing *backing = &md->backing;
	unsigned long pgoff;
	struct page *page;
	int ptes;

	lockdep_assert_held(&d->lock);
	for_each_set_bit(pgoff, d->dirty, backing->npages) {
		page = backing->ops->page(backing, pgoff);
		lock_page(page);
		clear_bit(pgoff, d->dirty);
		ptes = mmapdemo_wrprotect_page(d->mapping, pgoff,
					       page_to_pfn(page));
		unlock_page(page);
		atomic64_inc(&md->stats.defio_reprotected);
		memcpy_from_page(d->store + (pgoff << PAGE_SHIFT), page, 0,
				 PAGE_SIZE);
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

	mutex_lock(&d->lock);
	if (d->store)
		defio_flush_locked(md, why);
	mutex_unlock(&d->lock);
}

static void defio_work(struct work_struct *work)
{
	struct mmapdemo_defio *d = container_of(to_delayed_work(work),
						struct mmapdemo_defio, work);

	mmapdemo_defio_flush(container_of(d, struct mmapdemo_dev, defio),
			     MMAPDEMO_DEFIO_WORK);
}

/**
 * mmapdemo_defio_bind() - set deferred I/O up for a file that chose DEFIO
 * @md: the device
 * @mapping: the file's f_mapping
 *
 * Called when a file's strategy becomes DEFIO (at open() with DEFIO the
 * default, or by MMAPDEMO_IOC_SET_STRATEGY), never from ->mmap: nothing
 * changes before the core has committed a VMA.  The first call allocates
 * the dirty bits and the device side, which starts as a copy of the
 * memory, and binds deferred I/O to @mapping: its VMAs are those a flush
 * write-protects.  Every file of the RAM device opened through the same
 * device node shares it; a file opened through another node (another
 * inode) cannot use DEFIO, since a flush could not reach its PTEs.  What
 * it sets up stays until the device goes.
 *
 * Context: process context, may sleep; takes the defio lock.
 * Return: 0; -ENOMEM; -EINVAL for a file of another inode.
 */
int mmapdemo_defio_bind(struct mmapdemo_dev *md, struct address_space *mapping)
{
	struct mmapdemo_defio *d = &md->defio;
	struct mmapdemo_backing *backing = &md->backing;
	unsigned long *dirty;
	void *store;
	int ret = 0;

	mutex_lock(&d->lock);
	if (d->store) {
		if (mapping != d->mapping)
			ret = -EINVAL;
		goto out_unlock;
	}
	dirty = bitmap_zalloc(backing->npages, GFP_KERNEL | __GFP_NOWARN);
	store = kvmalloc(backing->size, GFP_KERNEL | __GFP_NOWARN);
	if (!dirty || !store) {
		bitmap_free(dirty);
		kvfree(store);
		ret = -ENOMEM;
		goto out_unlock;
	}
	d->mapping = mapping;
	ihold(mapping->host);
	d->dirty = dirty;
	memcpy(store, backing->vaddr, backing->size);
	/* defio_describe() reads @mapping after it, without the lock. */
	smp_store_release(&d->store, store);
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
 * fault on a mapping of this device, and must not hold the defio lock.
 *
 * Context: process context, may sleep; takes the defio lock.
 * Return: 0; -EINVAL for a range outside the device; -ENODATA before the
 * first file chose DEFIO; -ENOMEM; -EFAULT.
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
		if (d->store)
			memcpy(bounce, d->store + offset + done, n);
		else
			ret = -ENODATA;
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
 * mmapdemo_defio_release() - the device goes: stop the work, free it all
 * @md: the device, which nothing maps or has open any more
 *
 * Every DEFIO file flushed when its last reference went, and no mapping
 * is left to write: what the work would flush is on the device side
 * already, and the work is cancelled before the module's text can go.
 *
 * Context: process context, may sleep.
 */
void mmapdemo_defio_release(struct mmapdemo_dev *md)
{
	struct mmapdemo_defio *d = &md->defio;

	cancel_delayed_work_sync(&d->work);
	if (d->mapping)
		iput(d->mapping->host);
	kvfree(d->store);
	bitmap_free(d->dirty);
	mutex_destroy(&d->lock);
}

static vm_fault_t defio_fault(struct vm_fault *vmf)
{
	return mmapdemo_fault_page(vmf, MMAPDEMO_STRATEGY_DEFIO);
}

/*
 * The first write to a page since it was mapped or flushed: count it as
 * every strategy's page_mkwrite does, mark the page dirty and make sure
 * a flush comes.  The page stays locked until the core has made the PTE
 * writable, so that a flush cannot write-protect it in between and miss
 * the write (see the top of this file).
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
	/* d->dirty was set before this VMA existed (defio_prepare()). */
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
	 * 6.12-debug).  @store is published once, after @mapping, and
	 * neither changes until the device goes.
	 */
	if (!smp_load_acquire(&d->store) ||
	    READ_ONCE(d->mapping) != req->mapping)
		return -EINVAL;
	desc->flags |= MMAPDEMO_MAP_MIXEDMAP;
	return 0;
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
	/* Its flush copies pages and write-protects them through the rmap. */
	.needs_pages = true,
	.vm_ops = &defio_vm_ops,
	/* A private copy is never written back: nothing to defer. */
	.private_ok = false,
	.describe = defio_describe,
};
