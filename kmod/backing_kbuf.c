// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel-buffer backing: device memory made of ordinary RAM pages.
 *
 * The memory is allocated in naturally aligned, physically contiguous
 * chunks of up to 2 MiB (order 9), as a device's memory would be, and each
 * chunk is split into order-0 pages so that every page has its own
 * reference count: vm_insert_pages() and the fault path take references on
 * single pages.  When memory is fragmented, smaller chunks are used.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "internal.h"

/* 2 MiB chunks with 4 KiB pages: what a PMD maps, for huge mappings later. */
#define KBUF_MAX_ORDER min(9, MMAPDEMO_MAX_PAGE_ORDER)

static struct page *kbuf_page(struct mmapdemo_backing *backing, pgoff_t pgoff)
{
	struct page **pages = backing->pages;

	return pages[pgoff];
}

static unsigned long kbuf_pfn(struct mmapdemo_backing *backing, pgoff_t pgoff)
{
	return page_to_pfn(kbuf_page(backing, pgoff));
}

static void kbuf_read(struct mmapdemo_backing *backing, unsigned long offset,
		      void *buf, size_t len)
{
	memcpy(buf, backing->vaddr + offset, len);
}

static void kbuf_write(struct mmapdemo_backing *backing, unsigned long offset,
		       const void *buf, size_t len)
{
	memcpy(backing->vaddr + offset, buf, len);
}

static void kbuf_free_pages(struct page **pages, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		__free_page(pages[i]);
}

static void kbuf_release(struct mmapdemo_backing *backing)
{
	struct page **pages = backing->pages;

	vunmap(backing->vaddr);
	kbuf_free_pages(pages, backing->npages);
	kvfree(pages);
}

static const struct mmapdemo_backing_ops kbuf_ops = {
	.name = "kbuf",
	.release = kbuf_release,
	.page = kbuf_page,
	.pfn = kbuf_pfn,
	.read = kbuf_read,
	.write = kbuf_write,
};

/*
 * Fill @pages with @npages zeroed pages, taken in the largest chunks that
 * can be had.  Running out is the caller's -ENOMEM, never a reason to
 * wake the OOM killer (__GFP_RETRY_MAYFAIL) or to splat an allocation
 * failure into the kernel log (__GFP_NOWARN).
 */
static int kbuf_alloc_pages(struct page **pages, unsigned long npages)
{
	const gfp_t gfp = GFP_KERNEL | __GFP_ZERO | __GFP_NOWARN;
	unsigned long done = 0, i;
	int order = KBUF_MAX_ORDER;
	struct page *chunk;

	while (done < npages) {
		while (order > 0 && (1UL << order) > npages - done)
			order--;
		chunk = alloc_pages(gfp | (order ? __GFP_NORETRY :
						   __GFP_RETRY_MAYFAIL),
				    order);
		if (!chunk) {
			if (order == 0) {
				kbuf_free_pages(pages, done);
				return -ENOMEM;
			}
			order--;
			continue;
		}
		if (order)
			split_page(chunk, order);
		for (i = 0; i < (1UL << order); i++)
			pages[done++] = chunk + i;
	}
	return 0;
}

/**
 * mmapdemo_kbuf_create() - allocate device memory from the kernel's pages
 * @backing: filled in on success
 * @size: bytes, a non-zero multiple of PAGE_SIZE
 *
 * Context: process context, may sleep.
 * Return: 0, or -ENOMEM, also when @size is more than half of RAM.
 */
int mmapdemo_kbuf_create(struct mmapdemo_backing *backing, size_t size)
{
	unsigned long npages = size >> PAGE_SHIFT;
	struct page **pages;
	int ret;

	/* Device memory that takes most of RAM would starve everyone else. */
	if (npages > totalram_pages() / 2)
		return -ENOMEM;

	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL | __GFP_NOWARN);
	if (!pages)
		return -ENOMEM;
	ret = kbuf_alloc_pages(pages, npages);
	if (ret)
		goto out_free_array;

	backing->vaddr = vmap(pages, npages, VM_MAP, PAGE_KERNEL);
	if (!backing->vaddr) {
		ret = -ENOMEM;
		goto out_free_pages;
	}
	backing->ops = &kbuf_ops;
	backing->caching = MMAPDEMO_CACHING_WB;
	backing->size = size;
	backing->npages = npages;
	backing->pages = pages;
	return 0;

out_free_pages:
	kbuf_free_pages(pages, npages);
out_free_array:
	kvfree(pages);
	return ret;
}
