/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo's internal interfaces: the device, the open file, the backing
 * memory and the mapping strategies.
 *
 * Locking:
 *  - struct mmapdemo_dev is set up when the device is created (module init
 *    for the RAM device, PCI probe for a BAR device) and its backing does
 *    not change until it goes away, except for its counters, which are
 *    atomic, and, on a BAR device, the kernel's mapping of the BAR, which
 *    changes with the caching mode while nothing is mapped.  A fault may
 *    run under the mmap_lock held for reading or, since 6.4, under the
 *    VMA's own lock with no mmap_lock at all.  (6.12 and 7.3 call ->fault
 *    and ->page_mkwrite under the VMA lock only for vm_ops that have
 *    ->map_pages, vmf_can_call_fault(); mmapdemo has none, so the core
 *    retries those faults under the mmap_lock.  ->huge_fault runs under
 *    the VMA lock alone.)
 *  - mmapdemo_dev.memory_lock (VFIO's memory_lock) makes a BAR device's
 *    removal and caching changes safe: faults, ->access, the copies of
 *    read() and write(), and both ends of an mmap (the description and
 *    the commit, mmap.c) hold it for reading and check @revoked; removal
 *    holds it for writing while it sets @revoked, then zaps every user PTE
 *    of the device without it (dev.c); a caching change holds it for
 *    writing, inside the device's i_mmap_rwsem held for reading, while it
 *    checks that nothing is mapped and remaps the BAR in the kernel
 *    (pci.c).
 *    Lock order: mmap_lock -> i_mmap_rwsem (7.x: held by the core around
 *    an eager mapping's vm_ops->mapped) -> mmapdemo_file.lock ->
 *    memory_lock, and the VMA lock -> memory_lock -> PTE lock.  A fault holds a VMA's lock (or the
 *    mmap_lock for reading) when it takes memory_lock, so nothing
 *    write-locks a VMA while holding memory_lock: ->mmap drops it before
 *    it sets the new VMA's flags (vm_flags_set() calls vma_start_write())
 *    and maps eagerly, which lockdep would otherwise report as a cycle
 *    with the huge fault.  Nothing takes the mmap_lock or i_mmap_rwsem
 *    while holding memory_lock, and no copy to or from user memory runs
 *    under it (such a copy may fault on a mapping of this very device).
 *  - mmapdemo_dev.defio.lock (deferred I/O, strategy_defio.c) is never
 *    taken under memory_lock (->mmap reads the binding without it) and
 *    nests outside the page lock and i_mmap_rwsem (a flush write-protects the
 *    dirty pages under it); page_mkwrite holds the page lock and never
 *    takes it.  On a BAR device it also nests outside memory_lock: the
 *    flush copies each page to the BAR, and DEFIO_READ reads the BAR,
 *    with memory_lock held for reading inside it (after the page lock and
 *    i_mmap_rwsem are dropped), so defio.lock -> memory_lock, never the
 *    other way; the functions that take defio.lock assert that memory_lock
 *    is not held.
 *  - mmapdemo_file.lock protects the file's strategy and its mapped flag.
 *    The mmap file operation takes it with the mmap_lock held for writing,
 *    so it must never be held while taking the mmap_lock, and before
 *    memory_lock.
 *  - Lifetime: each open file holds a reference (kref) on its device, and
 *    each VMA holds its file, so a BAR device's struct outlives its
 *    removal for as long as anything uses it.  The module cannot unload
 *    while a file is open or a mapping exists: the file operations hold
 *    the module.
 */
#ifndef _MMAPDEMO_INTERNAL_H
#define _MMAPDEMO_INTERNAL_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/mmapdemo.h>

#include "probes.h"

/* The largest device, so that a typo in "size=" cannot eat all memory. */
#define MMAPDEMO_MAX_SIZE ((unsigned long)SZ_1G)

struct mmapdemo_backing;

/**
 * struct mmapdemo_backing_ops - what a kind of device memory provides
 * @name: shown in the kernel log and sysfs
 * @release: free the memory
 * @page: the struct page behind page @pgoff; NULL (the op itself) if the
 *        memory has none, as a PCI BAR: strategies that hand out pages
 *        need it
 * @pfn: the page frame number behind page @pgoff
 * @read: copy @len bytes at @offset of the memory into @buf
 * @write: copy @len bytes of @buf to @offset of the memory
 *
 * @page and @pfn are called from fault handlers: they must not sleep or
 * take locks, and @pgoff is always below the backing's npages.  @read and
 * @write are called with the range checked, under the device's
 * memory_lock held for reading, and must not sleep.
 */
struct mmapdemo_backing_ops {
	const char *name;
	void (*release)(struct mmapdemo_backing *backing);
	struct page *(*page)(struct mmapdemo_backing *backing, pgoff_t pgoff);
	unsigned long (*pfn)(struct mmapdemo_backing *backing, pgoff_t pgoff);
	void (*read)(struct mmapdemo_backing *backing, unsigned long offset,
		     void *buf, size_t len);
	void (*write)(struct mmapdemo_backing *backing, unsigned long offset,
		      const void *buf, size_t len);
};

/* Caching modes of a BAR: enum mmapdemo_caching. */
enum mmapdemo_caching {
	MMAPDEMO_CACHING_WB, /* RAM: the kernel's normal mode */
	MMAPDEMO_CACHING_UC, /* uncached: registers */
	MMAPDEMO_CACHING_WC, /* write-combining: memory behind a bus */
};

/**
 * struct mmapdemo_backing - the device memory that mappings show
 * @ops: how to reach it
 * @size: bytes, a multiple of PAGE_SIZE
 * @npages: @size in pages
 * @vaddr: the kernel's own mapping of RAM, for read(), write() and access
 *         through ptrace; NULL for a BAR
 * @ioaddr: the kernel's own mapping of a BAR, for the same; NULL for RAM
 * @phys: the physical address of a BAR, 0 for RAM
 * @caching: how user mappings (and @ioaddr) cache the memory
 * @pages: the struct page of each page of RAM, in order; NULL for a BAR
 * @priv: the backing's own data
 */
struct mmapdemo_backing {
	const struct mmapdemo_backing_ops *ops;
	size_t size;
	unsigned long npages;
	void *vaddr;
	void __iomem *ioaddr;
	phys_addr_t phys;
	enum mmapdemo_caching caching;
	struct page **pages;
	void *priv;
};

int mmapdemo_kbuf_create(struct mmapdemo_backing *backing, size_t size);
int mmapdemo_bar_backing_init(struct mmapdemo_backing *backing,
			      phys_addr_t phys, size_t size,
			      enum mmapdemo_caching caching);
int mmapdemo_bar_backing_set_caching(struct mmapdemo_backing *backing,
				     enum mmapdemo_caching caching);
pgprot_t mmapdemo_backing_pgprot(const struct mmapdemo_backing *backing,
				 pgprot_t prot);
const char *mmapdemo_caching_name(enum mmapdemo_caching caching);

/**
 * struct mmapdemo_stats_counters - the device's counters, as in the uapi
 * struct mmapdemo_stats; atomic because faults on all CPUs update them
 */
struct mmapdemo_stats_counters {
	atomic64_t mmaps;
	atomic64_t faults;
	atomic64_t fault_sigbus;
	atomic64_t mkwrites;
	atomic64_t eager_pages;
	atomic64_t vma_opens;
	atomic64_t vma_closes;
	atomic64_t live_vmas;
	atomic64_t around_pages;
	atomic64_t pmd_faults;
	atomic64_t pud_faults;
	atomic64_t huge_fallbacks;
	atomic64_t defio_dirtied;
	atomic64_t defio_flushed;
	atomic64_t defio_reprotected;
};

/**
 * struct mmapdemo_defio - deferred I/O of a device (strategy_defio.c)
 * @lock: serializes flushes, and protects @store's contents, @dirty's and
 *        @store's allocation and @mapping (@store published last, with
 *        release semantics, for ->mmap's check).  Never taken under
 *        memory_lock, and outside the page lock
 *        and i_mmap_rwsem (a flush write-protects under it); page_mkwrite
 *        holds the page lock and never takes it.
 * @dirty: one bit per page, set by page_mkwrite (under the page's lock),
 *         cleared by a flush (under the page's lock); NULL until a file
 *         first chooses DEFIO (mmapdemo_defio_bind()), and published last
 *         (release semantics), for ->mmap's check
 * @store: the RAM device's device side, which a flush copies dirty pages
 *         into; NULL until then, and always NULL on a BAR device, whose
 *         device side is the BAR
 * @shadow: a BAR device's shadow: the RAM page that DEFIO mappings show
 *          for each page of the BAR; NULL until bound, and on the RAM
 *          device
 * @detached: the BAR device was removed and its last flush done: no
 *            flush writes anything any more
 * @work: the delayed flush, scheduled by the first write after a flush
 * @vmas: the device's committed DEFIO VMAs: a flush write-protects only
 *        while there are any
 * @remap_vmas: its committed remap VMAs, which a flush that unmaps must
 *              never reach (compat.h, MMAPDEMO_DEFIO_EXCLUDES_REMAP).
 *              Either count grows from 0 only under @lock
 *              (mmapdemo_defio_admit()), and each falls in ->close, after
 *              the core has zapped the VMA and taken it off the rmap.
 */
struct mmapdemo_defio {
	struct mutex lock; /* see above */
	unsigned long *dirty;
	void *store;
	struct page **shadow;
	bool detached;
	struct delayed_work work;
	atomic_t vmas;
	atomic_t remap_vmas;
};

struct mmapdemo_strategy;
struct mmapdemo_dev;
struct inode;
struct pci_dev;
struct mmapdemo_dma;

/* Strategies: MMAPDEMO_STRATEGY_* of the uapi, 0 to 4. */
#define MMAPDEMO_NR_STRATEGIES 5
/* Caching modes: enum mmapdemo_caching. */
#define MMAPDEMO_NR_CACHING 3

/**
 * struct mmapdemo_vma_data - what every VMA of the device points to: its
 *                            vm_private_data, on both front ends
 * @dev: the device
 * @strategy: the strategy the mapping was described with
 * @caching: the caching mode (memory type) it was described with
 * @committed: mmapdemo_commit_mapping() has counted the mapping.  On 7.x a
 *             VMA points to an entry without it from ->mmap_prepare until
 *             ->mapped; if the core unmaps it in between (its action or
 *             the commit failed), ->close sees that nothing was counted.
 *
 * Constant entries in the device (mmapdemo_dev.vma_data), one for each
 * combination, so that nothing is allocated per mapping that a mapping
 * which the core fails before the VMA exists could leak.
 */
struct mmapdemo_vma_data {
	struct mmapdemo_dev *dev;
	const struct mmapdemo_strategy *strategy;
	enum mmapdemo_caching caching;
	bool committed;
};

/**
 * struct mmapdemo_dev - one mmapdemo device: the RAM one or a BAR
 * @misc: the misc device, /dev/mmapdemo or /dev/mmapdemo-<PCI address>
 * @name: @misc's name, for a BAR device
 * @ref: one for the device's existence, one per open file
 * @backing: the device memory
 * @default_strategy: what new opens start with
 * @stats: counters for the ioctl, sysfs and the tests
 * @pdev: the PCI device of a BAR device, NULL for RAM; not to be touched
 *        once @revoked
 * @bar: the BAR's number
 * @inode: the device's own inode, whose address_space every open file
 *         shares (file->f_mapping), through whichever device node it was
 *         opened, so that one unmap_mapping_range() or one write-protect
 *         walk of deferred I/O reaches every mapping of the device
 * @memory_lock: see the top of this file; protects @revoked,
 *               @backing.ioaddr and @backing.caching
 * @revoked: the device is gone: faults SIGBUS, the rest ENODEV
 * @vma_data: what its VMAs point to, by [committed][strategy][caching]:
 *            see struct mmapdemo_vma_data; set up once, never changed
 * @dma: the DMA device of an edu (dma.c), NULL for others
 * @defio: deferred I/O, used by DEFIO mappings only
 * @registers: a BAR of registers (edu), not memory: no deferred I/O
 */
struct mmapdemo_dev {
	struct miscdevice misc;
	char name[32];
	struct kref ref;
	struct mmapdemo_backing backing;
	const struct mmapdemo_strategy *default_strategy;
	struct mmapdemo_stats_counters stats;
	struct pci_dev *pdev;
	int bar;
	struct inode *inode;
	/* protects revoked, backing.ioaddr and backing.caching */
	struct rw_semaphore memory_lock;
	bool revoked;
	struct mmapdemo_vma_data vma_data[2][MMAPDEMO_NR_STRATEGIES]
					 [MMAPDEMO_NR_CACHING];
	struct mmapdemo_dma *dma;
	struct mmapdemo_defio defio;
	bool registers;
};

/**
 * mmapdemo_vma_dev() - the device a VMA of mmapdemo maps
 * @vma: a VMA whose vm_ops are one of the strategies'
 *
 * Context: any.
 * Return: the device.
 */
static inline struct mmapdemo_dev *
mmapdemo_vma_dev(const struct vm_area_struct *vma)
{
	const struct mmapdemo_vma_data *data = vma->vm_private_data;

	return data->dev;
}

struct inode *mmapdemo_inode_new(void);
void mmapdemo_inode_put(struct inode *inode);
void mmapdemo_dev_init(struct mmapdemo_dev *md);
void mmapdemo_dev_free(struct mmapdemo_dev *md);
int mmapdemo_alive(bool inodes);
void mmapdemo_dev_get(struct mmapdemo_dev *md);
void mmapdemo_dev_put(struct mmapdemo_dev *md);
int mmapdemo_dev_enter(struct mmapdemo_dev *md);
void mmapdemo_dev_leave(struct mmapdemo_dev *md);
void mmapdemo_dev_revoke(struct mmapdemo_dev *md);
void mmapdemo_dev_rw(struct mmapdemo_dev *md, unsigned long offset, void *buf,
		     size_t len, bool write);

/**
 * struct mmapdemo_file - one open file of the device
 * @dev: the device
 * @lock: protects @strategy and @mapped
 * @strategy: how this file's mmap() maps
 * @mapped: set by the first successful mmap(); the strategy is fixed then
 */
struct mmapdemo_file {
	struct mmapdemo_dev *dev;
	struct mutex lock; /* protects strategy and mapped */
	const struct mmapdemo_strategy *strategy;
	bool mapped;
};

/* What a strategy maps when the mapping is made: enum mmapdemo_eager. */
enum mmapdemo_eager {
	MMAPDEMO_EAGER_NONE, /* nothing: faults map */
	MMAPDEMO_EAGER_PFN, /* one PFN range: remap_pfn_range() */
	MMAPDEMO_EAGER_IO_PFN, /* a BAR: vm_iomap_memory(), simple_ioremap */
	MMAPDEMO_EAGER_PAGES, /* a run of pages: vm_insert_pages() */
};

/* Flags of a mapping description, as VM_* and VMA_*_BIT of the kernel. */
#define MMAPDEMO_MAP_IO BIT(0) /* VM_IO */
#define MMAPDEMO_MAP_PFNMAP BIT(1) /* VM_PFNMAP */
#define MMAPDEMO_MAP_MIXEDMAP BIT(2) /* VM_MIXEDMAP */
#define MMAPDEMO_MAP_DONTEXPAND BIT(3) /* VM_DONTEXPAND */
#define MMAPDEMO_MAP_DONTDUMP BIT(4) /* VM_DONTDUMP */
#define MMAPDEMO_MAP_NOEXEC BIT(5) /* clear VM_EXEC and VM_MAYEXEC */

/**
 * struct mmapdemo_map_req - the mapping the caller of mmap() asks for
 * @pgoff: first page of the device
 * @npages: its length in pages
 * @shared: VM_MAYSHARE: a MAP_SHARED mapping, even of a read-only file
 * @exec: VM_EXEC, which the READ_IMPLIES_EXEC personality adds to every
 *        readable mapping
 * @prot: the protection the core chose for it
 */
struct mmapdemo_map_req {
	pgoff_t pgoff;
	unsigned long npages;
	bool shared;
	bool exec;
	pgprot_t prot;
};

/**
 * struct mmapdemo_map_desc - the mapping a strategy wants: a description,
 *                            computed without side effects, that either
 *                            front end (->mmap or ->mmap_prepare) applies
 * @flags: MMAPDEMO_MAP_* to set on the VMA
 * @vm_ops: the VMA's operations
 * @prot: the VMA's protection
 * @eager: what is mapped before mmap() returns
 * @pfn: the first PFN of the range, for MMAPDEMO_EAGER_PFN and _IO_PFN
 * @pages: the first page of the run, for MMAPDEMO_EAGER_PAGES
 * @npages: pages mapped eagerly, the whole VMA or 0
 * @caching: the device's caching mode that @prot carries
 * @io_phys: for MMAPDEMO_EAGER_IO_PFN, the physical address of the whole
 *           BAR, of which the core maps the VMA's part (from its pgoff)
 *           after checking that it lies inside
 * @io_size: the BAR's size in bytes
 */
struct mmapdemo_map_desc {
	unsigned long flags;
	const struct vm_operations_struct *vm_ops;
	pgprot_t prot;
	enum mmapdemo_eager eager;
	unsigned long pfn;
	struct page **pages;
	unsigned long npages;
	enum mmapdemo_caching caching;
	phys_addr_t io_phys;
	size_t io_size;
};

/**
 * struct mmapdemo_strategy - one way of mapping the device memory
 * @name: as in the "strategy" module parameter
 * @id: MMAPDEMO_STRATEGY_* of the uapi
 * @needs_pages: works only on backings with struct pages; if not set,
 *               @pfn_vm_ops is
 * @pfn_only: works only on backings without struct pages (a BAR); its
 *            @vm_ops is NULL
 * @usable: optional: whether the strategy works on this device, beyond
 *          what @needs_pages and @pfn_only say
 * @private_ok: supports MAP_PRIVATE (copy-on-write) mappings
 * @maps_eagerly: maps the whole VMA at mmap() time (counted in eager_pages)
 * @vm_ops: the operations of its VMAs on memory with struct pages, which
 *          also tell them apart
 * @pfn_vm_ops: the same on memory without (a BAR), if the strategy works
 *              there; such VMAs are VM_IO | VM_PFNMAP
 * @describe: optional: add the strategy's own part to @desc, which holds
 *            what every strategy's mappings share, for a request that
 *            mmap.c has checked.  No side effects: the mapping may still
 *            fail after it.  Called with the mmap_lock held for writing
 *            and the device's memory_lock for reading.
 *
 * A strategy's vm_ops have the operations mmap.c shares (below).
 */
struct mmapdemo_strategy {
	const char *name;
	u32 id;
	bool needs_pages;
	bool pfn_only;
	bool private_ok;
	bool maps_eagerly;
	const struct vm_operations_struct *vm_ops;
	const struct vm_operations_struct *pfn_vm_ops;
	int (*describe)(struct mmapdemo_dev *md,
			const struct mmapdemo_map_req *req,
			struct mmapdemo_map_desc *desc);
	bool (*usable)(const struct mmapdemo_dev *md);
};

extern const struct mmapdemo_strategy mmapdemo_strategy_fault;
extern const struct mmapdemo_strategy mmapdemo_strategy_remap;
extern const struct mmapdemo_strategy mmapdemo_strategy_insert;
extern const struct mmapdemo_strategy mmapdemo_strategy_huge;
extern const struct mmapdemo_strategy mmapdemo_strategy_defio;
extern const struct mmapdemo_strategy *mmapdemo_bar_default_strategy;

/**
 * mmapdemo_vma_data_of() - what a VMA of the device points to
 * @md: the device
 * @s: the strategy the mapping was described with
 * @caching: the caching mode it was described with
 * @committed: whether mmapdemo_commit_mapping() has counted it
 *
 * Context: any.
 * Return: the device's entry for them.
 */
static inline struct mmapdemo_vma_data *
mmapdemo_vma_data_of(struct mmapdemo_dev *md, const struct mmapdemo_strategy *s,
		     enum mmapdemo_caching caching, bool committed)
{
	return &md->vma_data[committed][s->id][caching];
}

/* strategy_huge.c */
u32 mmapdemo_huge_features(const struct mmapdemo_dev *md);
unsigned long mmapdemo_get_unmapped_area(struct file *file, unsigned long addr,
					 unsigned long len, unsigned long pgoff,
					 unsigned long flags);

const struct mmapdemo_strategy *mmapdemo_strategy_by_id(u32 id);
const struct mmapdemo_strategy *mmapdemo_strategy_by_name(const char *name);
const struct mmapdemo_strategy *
mmapdemo_strategy_of_vma(const struct vm_area_struct *vma);
bool mmapdemo_strategy_usable(const struct mmapdemo_dev *md,
			      const struct mmapdemo_strategy *s);

/*
 * mmap.c: the mmap file operation and what all strategies' VMAs share.
 * Each strategy's vm_ops have .open and .close below and, with
 * MMAPDEMO_HAVE_MMAP_PREPARE, .mapped = mmapdemo_vma_mapped.
 * MMAPDEMO_FRONT_END names the file operation, for sysfs.
 */
#ifdef MMAPDEMO_HAVE_MMAP_PREPARE
#define MMAPDEMO_FRONT_END "mmap_prepare"
int mmapdemo_mmap_prepare(struct vm_area_desc *desc);
int mmapdemo_vma_mapped(unsigned long start, unsigned long end, pgoff_t pgoff,
			const struct file *file, void **vm_private_data);
#else
#define MMAPDEMO_FRONT_END "mmap"
int mmapdemo_mmap(struct file *file, struct vm_area_struct *vma);
#endif
void mmapdemo_vma_open(struct vm_area_struct *vma);
void mmapdemo_vma_close(struct vm_area_struct *vma);
int mmapdemo_vma_access(struct vm_area_struct *vma, unsigned long addr,
			void *buf, int len, int write);
vm_fault_t mmapdemo_fault_page(struct vm_fault *vmf, u32 strategy);
vm_fault_t mmapdemo_fault_pfn(struct vm_fault *vmf, u32 strategy);
bool mmapdemo_has_pages(const struct mmapdemo_dev *md);

/* strategy_defio.c: deferred I/O */
enum mmapdemo_defio_why {
	MMAPDEMO_DEFIO_WORK, /* the delayed work */
	MMAPDEMO_DEFIO_FSYNC, /* fsync(), msync(MS_SYNC) */
	MMAPDEMO_DEFIO_RELEASE, /* the last reference to a DEFIO file */
	MMAPDEMO_DEFIO_REMOVE, /* a BAR device's removal */
};

void mmapdemo_defio_init(struct mmapdemo_dev *md);
int mmapdemo_defio_bind(struct mmapdemo_dev *md);
void mmapdemo_defio_release(struct mmapdemo_dev *md);
void mmapdemo_defio_detach(struct mmapdemo_dev *md);
void mmapdemo_defio_flush(struct mmapdemo_dev *md, enum mmapdemo_defio_why why);
int mmapdemo_defio_admit(struct mmapdemo_dev *md,
			 const struct mmapdemo_strategy *s);
void mmapdemo_defio_vma_add(struct mmapdemo_dev *md,
			    const struct mmapdemo_strategy *s);
void mmapdemo_defio_vma_del(struct mmapdemo_dev *md,
			    const struct mmapdemo_strategy *s);
int mmapdemo_defio_read(struct mmapdemo_dev *md, u64 offset, void __user *buf,
			u64 len);

/* file.c */
extern const struct file_operations mmapdemo_fops;

/* ioctl.c */
long mmapdemo_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* walk.c */
int mmapdemo_walk(struct mmapdemo_dev *md, struct mmapdemo_walk *w);
u32 mmapdemo_kernel_memtype(const void *kaddr);

/* sysfs.c */
extern const struct attribute_group *mmapdemo_attr_groups[];
extern const struct attribute_group *mmapdemo_bar_attr_groups[];

/* pci.c: the PCI driver for BAR devices */
int mmapdemo_pci_register(void);
void mmapdemo_pci_unregister(void);
int mmapdemo_pci_set_caching(struct mmapdemo_dev *md,
			     enum mmapdemo_caching caching);

/* dma.c: the DMA device of an edu */
int mmapdemo_dma_probe(struct mmapdemo_dev *md);
void mmapdemo_dma_remove(struct mmapdemo_dev *md);

#endif /* _MMAPDEMO_INTERNAL_H */
