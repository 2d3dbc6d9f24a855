/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo's internal interfaces: the device, the open file, the backing
 * memory and the mapping strategies.
 *
 * Locking:
 *  - struct mmapdemo_dev is set up in module init and does not change until
 *    module exit, except for its counters, which are atomic.  Nothing that
 *    runs in a fault handler takes a lock of the device's: a fault may run
 *    under the mmap_lock held for reading or, since 6.4, under the VMA's own
 *    lock with no mmap_lock at all, and only reads what never changes.
 *    (6.12 uses the VMA lock for ->fault only if the vm_ops have
 *    ->map_pages: the fault strategy has one for that reason.)
 *  - mmapdemo_file.lock protects the file's strategy and its mapped flag.
 *    The mmap file operation takes it with the mmap_lock held for writing,
 *    so it must never be held while taking the mmap_lock.
 *  - The module cannot unload while a file is open or a mapping exists: the
 *    file operations hold the module, and each VMA holds its file.
 */
#ifndef _MMAPDEMO_INTERNAL_H
#define _MMAPDEMO_INTERNAL_H

#include <linux/atomic.h>
#include <linux/miscdevice.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>
#include <linux/mmapdemo.h>

/* The largest device, so that a typo in "size=" cannot eat all memory. */
#define MMAPDEMO_MAX_SIZE ((unsigned long)SZ_1G)

/* The largest fault-around window, in pages: 256 KiB with 4 KiB pages. */
#define MMAPDEMO_FAULT_AROUND_MAX 64

/*
 * Pages a read fault of the fault strategy maps, around and including the
 * faulting one (the "fault_around" module parameter); 0 or 1 for one page
 * per fault.  A power of two, at most MMAPDEMO_FAULT_AROUND_MAX.  Read
 * with READ_ONCE(): it can change at any time.
 */
extern unsigned int mmapdemo_fault_around;

struct mmapdemo_backing;

/**
 * struct mmapdemo_backing_ops - what a kind of device memory provides
 * @name: shown in the kernel log and sysfs
 * @release: free the memory
 * @page: the struct page behind page @pgoff, or NULL if the memory has none
 *        (as for a PCI BAR); strategies that hand out pages need it
 * @pfn: the page frame number behind page @pgoff
 *
 * @page and @pfn are called from fault handlers: they must not sleep or
 * take locks, and @pgoff is always below the backing's npages.
 */
struct mmapdemo_backing_ops {
	const char *name;
	void (*release)(struct mmapdemo_backing *backing);
	struct page *(*page)(struct mmapdemo_backing *backing, pgoff_t pgoff);
	unsigned long (*pfn)(struct mmapdemo_backing *backing, pgoff_t pgoff);
};

/**
 * struct mmapdemo_backing - the device memory that mappings show
 * @ops: how to reach it
 * @size: bytes, a multiple of PAGE_SIZE
 * @npages: @size in pages
 * @vaddr: the kernel's own mapping of all of it, for read(), write() and
 *         access through ptrace
 * @priv: the backing's own data
 */
struct mmapdemo_backing {
	const struct mmapdemo_backing_ops *ops;
	size_t size;
	unsigned long npages;
	void *vaddr;
	void *priv;
};

int mmapdemo_kbuf_create(struct mmapdemo_backing *backing, size_t size);

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
};

struct mmapdemo_strategy;

/**
 * struct mmapdemo_dev - the one mmapdemo device
 * @misc: the misc device, /dev/mmapdemo
 * @backing: the device memory
 * @default_strategy: what new opens start with
 * @stats: counters for the ioctl, sysfs and the tests
 */
struct mmapdemo_dev {
	struct miscdevice misc;
	struct mmapdemo_backing backing;
	const struct mmapdemo_strategy *default_strategy;
	struct mmapdemo_stats_counters stats;
};

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

/**
 * struct mmapdemo_strategy - one way of mapping the device memory
 * @name: as in the "strategy" module parameter
 * @id: MMAPDEMO_STRATEGY_* of the uapi
 * @needs_pages: works only on backings with struct pages
 * @private_ok: supports MAP_PRIVATE (copy-on-write) mappings
 * @vm_ops: the operations of its VMAs, which also tell them apart
 * @mmap: optional: set up a validated VMA, whose vm_ops are set: flags,
 *        and whatever is mapped eagerly.  Called with the mmap_lock held
 *        for writing.
 */
struct mmapdemo_strategy {
	const char *name;
	u32 id;
	bool needs_pages;
	bool private_ok;
	const struct vm_operations_struct *vm_ops;
	int (*mmap)(struct mmapdemo_dev *md, struct vm_area_struct *vma);
};

extern const struct mmapdemo_strategy mmapdemo_strategy_fault;
extern const struct mmapdemo_strategy mmapdemo_strategy_remap;
extern const struct mmapdemo_strategy mmapdemo_strategy_insert;

const struct mmapdemo_strategy *mmapdemo_strategy_by_id(u32 id);
const struct mmapdemo_strategy *mmapdemo_strategy_by_name(const char *name);
const struct mmapdemo_strategy *
mmapdemo_strategy_of_vma(const struct vm_area_struct *vma);
bool mmapdemo_strategy_usable(const struct mmapdemo_dev *md,
			      const struct mmapdemo_strategy *s);

/* mmap.c: the mmap file operation and what all strategies' VMAs share */
int mmapdemo_mmap(struct file *file, struct vm_area_struct *vma);
void mmapdemo_vma_open(struct vm_area_struct *vma);
void mmapdemo_vma_close(struct vm_area_struct *vma);
int mmapdemo_vma_mprotect(struct vm_area_struct *vma, unsigned long start,
			  unsigned long end, unsigned long newflags);
int mmapdemo_vma_access(struct vm_area_struct *vma, unsigned long addr,
			void *buf, int len, int write);
vm_fault_t mmapdemo_fault_page(struct vm_fault *vmf, u32 strategy);

/* file.c */
extern const struct file_operations mmapdemo_fops;

/* ioctl.c */
long mmapdemo_ioctl(struct file *file, unsigned int cmd, unsigned long arg);

/* walk.c */
int mmapdemo_walk(struct mmapdemo_dev *md, struct mmapdemo_walk *w);

/* sysfs.c */
extern const struct attribute_group *mmapdemo_attr_groups[];

#endif /* _MMAPDEMO_INTERNAL_H */
