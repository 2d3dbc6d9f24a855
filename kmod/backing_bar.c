// SPDX-License-Identifier: GPL-2.0
/*
 * The BAR backing: device memory that is a PCI BAR, a physical range with
 * no struct page.  Strategies map it by PFN only; the kernel reaches it
 * through its own ioremap of the BAR, with the same memory type as the
 * user mappings: on x86 PAT, a user mapping that asks for another type
 * than the kernel's mapping of the same range is silently given the
 * kernel's type, or refused with "conflicting memory types"
 * (arch/x86/mm/pat/memtype.c, reserve_pfn_range()).  So the kernel's
 * mapping is made again whenever the caching mode changes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pfn.h>

#include "internal.h"

static unsigned long bar_pfn(struct mmapdemo_backing *backing, pgoff_t pgoff)
{
	return PHYS_PFN(backing->phys) + pgoff;
}

/*
 * read() and write() of a BAR: aligned 32-bit accesses, then the rest
 * with memcpy_fromio() or memcpy_toio().  Registers answer only accesses
 * of the widths they decode: QEMU's edu takes 4 and 8 bytes and ends a
 * byte access with a bus error, a synchronous external abort on arm64,
 * whose memcpy_fromio() (arch/arm64/kernel/io.c, lib/iomem_copy.c on
 * 7.3) reads a piece shorter than 8 bytes byte by byte and a longer one
 * 8 bytes at a time.  x86's uses 32-bit accesses
 * (movsl) for the aligned middle; these do the same on every
 * architecture.  The raw accessors copy bytes as memcpy_fromio() does,
 * in memory order.
 */
static void bar_read(struct mmapdemo_backing *backing, unsigned long offset,
		     void *buf, size_t len)
{
	const void __iomem *src = backing->ioaddr + offset;
	u32 v;

	while (len >= 4 && IS_ALIGNED((unsigned long)src, 4)) {
		v = __raw_readl(src);
		memcpy(buf, &v, 4);
		buf += 4;
		src += 4;
		len -= 4;
	}
	if (len)
		memcpy_fromio(buf, src, len);
}

static void bar_write(struct mmapdemo_backing *backing, unsigned long offset,
		      const void *buf, size_t len)
{
	void __iomem *dst = backing->ioaddr + offset;
	u32 v;

	while (len >= 4 && IS_ALIGNED((unsigned long)dst, 4)) {
		memcpy(&v, buf, 4);
		__raw_writel(v, dst);
		buf += 4;
		dst += 4;
		len -= 4;
	}
	if (len)
		memcpy_toio(dst, buf, len);
}

static void bar_release(struct mmapdemo_backing *backing)
{
	if (backing->ioaddr)
		iounmap(backing->ioaddr);
	backing->ioaddr = NULL;
}

static const struct mmapdemo_backing_ops bar_ops = {
	.name = "bar",
	.release = bar_release,
	/* .page: none, a BAR has no struct page */
	.pfn = bar_pfn,
	.read = bar_read,
	.write = bar_write,
};

/**
 * mmapdemo_caching_name() - the name of a caching mode, as in sysfs
 * @caching: the mode
 *
 * Context: any.
 * Return: "wb", "uc" or "wc".
 */
const char *mmapdemo_caching_name(enum mmapdemo_caching caching)
{
	switch (caching) {
	case MMAPDEMO_CACHING_UC:
		return "uc";
	case MMAPDEMO_CACHING_WC:
		return "wc";
	default:
		return "wb";
	}
}

/**
 * mmapdemo_backing_pgprot() - the protection of a user mapping
 * @backing: the memory
 * @prot: the VMA's protection from the core
 *
 * Context: any.
 * Return: @prot with the backing's memory type.
 */
pgprot_t mmapdemo_backing_pgprot(const struct mmapdemo_backing *backing,
				 pgprot_t prot)
{
	switch (backing->caching) {
	case MMAPDEMO_CACHING_UC:
		return pgprot_noncached(prot);
	case MMAPDEMO_CACHING_WC:
		return pgprot_writecombine(prot);
	default:
		return prot;
	}
}

/*
 * The caching mode whose memory type the kernel's mapping of the BAR at
 * @ioaddr has, or -1 if it is neither mode's.  x86 PAT gives an ioremap()
 * the type of a reservation of the range that exists already, silently
 * (memtype_reserve() and is_new_memtype_allowed(), in __ioremap_caller()),
 * and on 7.x a remap mapping of the device keeps its reservation until it
 * is unmapped (the VMA's pfnmap_track_ctx), even after the device was
 * removed.  Read the type back from the kernel's own page table.  Where
 * the walk cannot tell (not x86-64), trust the request.
 */
static int bar_mapped_caching(void __iomem *ioaddr, enum mmapdemo_caching asked)
{
	switch (mmapdemo_kernel_memtype((const void __force *)ioaddr)) {
	case MMAPDEMO_MEMTYPE_NONE:
		return asked;
	case MMAPDEMO_MEMTYPE_UC:
		return MMAPDEMO_CACHING_UC;
	case MMAPDEMO_MEMTYPE_WC:
		return MMAPDEMO_CACHING_WC;
	default:
		return -1;
	}
}

/* The kernel's mapping of the BAR with the memory type of @caching. */
static void __iomem *bar_ioremap(phys_addr_t phys, size_t size,
				 enum mmapdemo_caching caching)
{
	/*
	 * On x86, ioremap() is UC- ("UC minus"), not the UC of
	 * pgprot_noncached(): a user mapping would be downgraded to it.
	 * ioremap_uc() is UC.  Elsewhere ioremap_uc() is NULL unless the
	 * architecture defines it (asm-generic/io.h; arm64 does not), and
	 * ioremap() is uncached: Device-nGnRE on arm64.
	 */
	if (caching == MMAPDEMO_CACHING_WC)
		return ioremap_wc(phys, size);
	if (!IS_ENABLED(CONFIG_X86))
		return ioremap(phys, size);
	return ioremap_uc(phys, size);
}

/**
 * mmapdemo_bar_backing_init() - device memory that is a BAR
 * @backing: filled in on success
 * @phys: the BAR's physical address, page aligned
 * @size: its length, a multiple of PAGE_SIZE
 * @caching: MMAPDEMO_CACHING_UC or MMAPDEMO_CACHING_WC
 *
 * The caller has requested the BAR's region and keeps it until after
 * the backing's release.
 *
 * Context: process context, may sleep.
 * The mode is @caching unless a mapping made before (of a device that was
 * removed since) still reserves the range with the other mode's memory
 * type: then the kernel's mapping has that type, and so has the backing.
 *
 * Return: 0; -ENOMEM if the BAR cannot be mapped; -EBUSY if the range is
 * reserved with a memory type of neither mode.
 */
int mmapdemo_bar_backing_init(struct mmapdemo_backing *backing,
			      phys_addr_t phys, size_t size,
			      enum mmapdemo_caching caching)
{
	int got;

	backing->ioaddr = bar_ioremap(phys, size, caching);
	if (!backing->ioaddr)
		return -ENOMEM;
	/* The mode the kernel's mapping really has, which the device keeps. */
	got = bar_mapped_caching(backing->ioaddr, caching);
	if (got < 0) {
		iounmap(backing->ioaddr);
		backing->ioaddr = NULL;
		return -EBUSY;
	}
	backing->ops = &bar_ops;
	backing->phys = phys;
	backing->size = size;
	backing->npages = size >> PAGE_SHIFT;
	backing->caching = got;
	return 0;
}

/**
 * mmapdemo_bar_backing_set_caching() - change the memory type
 * @backing: a BAR backing that nothing maps
 * @caching: the new mode
 *
 * Context: process context, may sleep; the device's memory_lock held for
 * writing, so that nobody uses the kernel's mapping meanwhile.
 * Return: 0, or -ENOMEM, or -EBUSY when a mapping made before a removal
 * still reserves the range with the old mode's type (the old mode stays).
 */
int mmapdemo_bar_backing_set_caching(struct mmapdemo_backing *backing,
				     enum mmapdemo_caching caching)
{
	void __iomem *ioaddr;
	int ret;

	if (caching == backing->caching)
		return 0;
	/* Unmap first: two kernel mappings of other types would conflict. */
	iounmap(backing->ioaddr);
	ioaddr = bar_ioremap(backing->phys, backing->size, caching);
	if (!ioaddr || bar_mapped_caching(ioaddr, caching) != (int)caching) {
		/* -EBUSY: a leftover reservation of the old type; see above. */
		ret = ioaddr ? -EBUSY : -ENOMEM;
		if (ioaddr)
			iounmap(ioaddr);
		backing->ioaddr = bar_ioremap(backing->phys, backing->size,
					      backing->caching);
		return ret;
	}
	backing->ioaddr = ioaddr;
	backing->caching = caching;
	return 0;
}
