/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mmapdemo's tracepoints, under tracefs events/mmapdemo/.  They show the
 * life of a mapping: mmap, the VMA copies and closes that follow, each
 * fault and each first write to a shared page.
 *
 * The fault event carries the PFN; tracefs is readable by root only, as
 * physical addresses must be.  Its vma_lock says whether the fault holds
 * only the VMA's lock (FAULT_FLAG_VMA_LOCK, 6.4 and later) rather than
 * the mmap_lock.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mmapdemo

#if !defined(_MMAPDEMO_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MMAPDEMO_TRACE_H

#include <linux/mm.h>
#include <linux/tracepoint.h>
#include <linux/mmapdemo.h>

#include "compat.h"

#define mmapdemo_show_strategy(s)					\
	__print_symbolic(s, { MMAPDEMO_STRATEGY_FAULT, "fault" },	\
			    { MMAPDEMO_STRATEGY_REMAP, "remap" },	\
			    { MMAPDEMO_STRATEGY_INSERT, "insert" },	\
			    { MMAPDEMO_STRATEGY_HUGE, "huge" },	\
			    { MMAPDEMO_STRATEGY_DEFIO, "defio" })

TRACE_EVENT(mmapdemo_mmap,
	TP_PROTO(unsigned long start, unsigned long end, unsigned long pgoff,
		 u32 strategy),
	TP_ARGS(start, end, pgoff, strategy),
	TP_STRUCT__entry(
		__field(unsigned long, start)
		__field(unsigned long, end)
		__field(unsigned long, pgoff)
		__field(u32, strategy)
	),
	TP_fast_assign(
		__entry->start = start;
		__entry->end = end;
		__entry->pgoff = pgoff;
		__entry->strategy = strategy;
	),
	TP_printk("start=%#lx end=%#lx pgoff=%lu strategy=%s",
		  __entry->start, __entry->end, __entry->pgoff,
		  mmapdemo_show_strategy(__entry->strategy))
);

DECLARE_EVENT_CLASS(mmapdemo_vma,
	TP_PROTO(struct vm_area_struct *vma),
	TP_ARGS(vma),
	TP_STRUCT__entry(
		__field(unsigned long, start)
		__field(unsigned long, end)
		__field(unsigned long, pgoff)
	),
	TP_fast_assign(
		__entry->start = vma->vm_start;
		__entry->end = vma->vm_end;
		__entry->pgoff = vma->vm_pgoff;
	),
	TP_printk("start=%#lx end=%#lx pgoff=%lu",
		  __entry->start, __entry->end, __entry->pgoff)
);

DEFINE_EVENT(mmapdemo_vma, mmapdemo_vma_open,
	TP_PROTO(struct vm_area_struct *vma),
	TP_ARGS(vma)
);

DEFINE_EVENT(mmapdemo_vma, mmapdemo_vma_close,
	TP_PROTO(struct vm_area_struct *vma),
	TP_ARGS(vma)
);

TRACE_EVENT(mmapdemo_fault,
	TP_PROTO(struct vm_fault *vmf, u32 strategy, unsigned long pfn,
		 vm_fault_t result),
	TP_ARGS(vmf, strategy, pfn, result),
	TP_STRUCT__entry(
		__field(unsigned long, address)
		__field(unsigned long, pgoff)
		__field(unsigned long, pfn)
		__field(u32, strategy)
		__field(unsigned int, result)
		__field(bool, write)
		__field(bool, vma_lock)
	),
	TP_fast_assign(
		__entry->address = vmf->address;
		__entry->pgoff = vmf->pgoff;
		__entry->pfn = pfn;
		__entry->strategy = strategy;
		__entry->result = (__force unsigned int)result;
		__entry->write = !!(vmf->flags & FAULT_FLAG_WRITE);
		__entry->vma_lock = !!(vmf->flags & FAULT_FLAG_VMA_LOCK);
	),
	TP_printk("address=%#lx pgoff=%lu pfn=%#lx strategy=%s %s result=%#x vma_lock=%d",
		  __entry->address, __entry->pgoff, __entry->pfn,
		  mmapdemo_show_strategy(__entry->strategy),
		  __entry->write ? "write" : "read", __entry->result,
		  __entry->vma_lock)
);

/*
 * A huge fault of the huge strategy: @order is that of the entry the core
 * asked for (9 for a PMD, 18 for a PUD on x86-64); result 0x800 is
 * VM_FAULT_FALLBACK, after which the core tries a smaller entry.  The 4 KiB
 * faults that follow a fallback are mmapdemo_fault events.
 */
TRACE_EVENT(mmapdemo_huge_fault,
	TP_PROTO(struct vm_fault *vmf, unsigned int order, unsigned long pfn,
		 vm_fault_t result),
	TP_ARGS(vmf, order, pfn, result),
	TP_STRUCT__entry(
		__field(unsigned long, address)
		__field(unsigned long, pgoff)
		__field(unsigned long, pfn)
		__field(unsigned int, order)
		__field(unsigned int, result)
		__field(bool, write)
	),
	TP_fast_assign(
		__entry->address = vmf->address;
		__entry->pgoff = vmf->pgoff;
		__entry->pfn = pfn;
		__entry->order = order;
		__entry->result = (__force unsigned int)result;
		__entry->write = !!(vmf->flags & FAULT_FLAG_WRITE);
	),
	TP_printk("address=%#lx pgoff=%lu pfn=%#lx order=%u %s result=%#x",
		  __entry->address, __entry->pgoff, __entry->pfn,
		  __entry->order, __entry->write ? "write" : "read",
		  __entry->result)
);

TRACE_EVENT(mmapdemo_mkwrite,
	TP_PROTO(struct vm_fault *vmf),
	TP_ARGS(vmf),
	TP_STRUCT__entry(
		__field(unsigned long, address)
		__field(unsigned long, pgoff)
	),
	TP_fast_assign(
		__entry->address = vmf->address;
		__entry->pgoff = vmf->pgoff;
	),
	TP_printk("address=%#lx pgoff=%lu", __entry->address, __entry->pgoff)
);

/*
 * Deferred I/O (the defio strategy): a page_mkwrite that marked a page
 * dirty (first=1) or found it dirty already, and each page a flush wrote
 * to the device side after write-protecting it again; ptes is the number
 * of PTEs mapping_wrprotect_range() write-protected, or -1 where the
 * kernel lacks it and the page was unmapped instead, or 0 when no DEFIO
 * mapping was left to protect.
 */
TRACE_EVENT(mmapdemo_defio_dirty,
	TP_PROTO(unsigned long pgoff, bool first),
	TP_ARGS(pgoff, first),
	TP_STRUCT__entry(
		__field(unsigned long, pgoff)
		__field(bool, first)
	),
	TP_fast_assign(
		__entry->pgoff = pgoff;
		__entry->first = first;
	),
	TP_printk("pgoff=%lu first=%d", __entry->pgoff, __entry->first)
);

TRACE_EVENT(mmapdemo_defio_flush,
	TP_PROTO(unsigned long pgoff, unsigned int why, int ptes),
	TP_ARGS(pgoff, why, ptes),
	TP_STRUCT__entry(
		__field(unsigned long, pgoff)
		__field(unsigned int, why)
		__field(int, ptes)
	),
	TP_fast_assign(
		__entry->pgoff = pgoff;
		__entry->why = why;
		__entry->ptes = ptes;
	),
	TP_printk("pgoff=%lu why=%s ptes=%d", __entry->pgoff,
		  __print_symbolic(__entry->why, { 0, "work" }, { 1, "fsync" },
				   { 2, "release" }, { 3, "remove" }),
		  __entry->ptes)
);

/*
 * Deferred I/O's delayed work runs: on a BAR device (bar=1) or the RAM
 * device, whether the removal has detached deferred I/O from the BAR
 * (then it writes nothing), and how many pages it found dirty.
 */
TRACE_EVENT(mmapdemo_defio_work,
	TP_PROTO(bool bar, bool detached, unsigned int dirty),
	TP_ARGS(bar, detached, dirty),
	TP_STRUCT__entry(
		__field(bool, bar)
		__field(bool, detached)
		__field(unsigned int, dirty)
	),
	TP_fast_assign(
		__entry->bar = bar;
		__entry->detached = detached;
		__entry->dirty = dirty;
	),
	TP_printk("bar=%d detached=%d dirty=%u", __entry->bar,
		  __entry->detached, __entry->dirty)
);

#endif /* _MMAPDEMO_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
