// SPDX-License-Identifier: GPL-2.0
/*
 * The tour's DMA experiment:
 *
 *   dma   the device writes, you read: zero-copy DMA.  edu's DMA engine
 *         copies a pattern out of one page of the DMA buffer into its own
 *         buffer and back into another page, which this process had
 *         zeroed; the pattern is then read through the mapping, with no
 *         read() and no copy, and the page-table walk shows that the page
 *         the mapping maps is the buffer's page the device wrote.
 *
 * The transfer back is traced: the ioctl down to the driver, as far as the
 * trace sees.  The device's interrupt runs in interrupt context, which the
 * tour's trace (this process only, interrupts left out: tracefs.c) does
 * not record; the driver's interrupt counter shows it came.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "edu.h"
#include "tour.h"

#define DMA_FIX \
	"fix: boot QEMU with -device edu: make demo attaches it, by hand scripts/vm.sh -d edu KERNEL"
/* Bytes the device copies each way: a quarter of edu's buffer. */
#define DMA_LEN 1024

/*
 * What the trace of the transfer is asked about below the driver's
 * ->unlocked_ioctl (a callback, found without being named): the driver's
 * transfer and its wait for the interrupt, where not inlined; only those
 * the trace saw are printed.
 */
static const char *const dma_marks[] = {
	"mmapdemo_dma_ioctl_xfer", "mmapdemo_dma_run",
	"wait_for_completion_timeout", "mmapdemo_dma_irq", NULL
};

static unsigned char dma_pattern(unsigned int i)
{
	return (unsigned char)(i * 37 + 11);
}

static void dma_run(struct tour *t)
{
	struct mmapdemo_dma_info i0 = { 0 }, i1;
	char path[96], err[96], hex[64];
	struct mmapdemo_walk w;
	unsigned int bad = 0;
	struct mmapdemo *dma = NULL;
	int to, from, ret;
	bool same = false, addrs;
	unsigned char *p;
	void *addr;

	if (mmapdemo_dma_find(path, sizeof(path))) {
		if (!mmapdemo_bar_find(EDU_VENDOR, EDU_DEVICE, path,
				       sizeof(path)))
			tour_skip(t,
				  "no DMA device: the edu is bound to mmapdemo without one, which the module logged with its reason",
				  "see: dmesg | grep 'no DMA device' (Documentation/dma.rst)");
		else
			tour_skip(t,
				  "no DMA device: no edu (PCI 1234:11e8) is bound to mmapdemo",
				  DMA_FIX);
		return;
	}
	ret = mmapdemo_open(path, O_RDWR, &dma);
	if (ret == -EACCES || ret == -EPERM) {
		tour_skip(t, "the DMA device is root's only (mode 0600)",
			  "fix: run the tour as root");
		return;
	}
	report_text("Map the DMA buffer of %s (coherent memory", path);
	report_text("that dma_alloc_coherent() allocated, mapped by dma_mmap_coherent()).");
	report_text("Write a pattern into its second page; have edu's DMA engine copy it");
	report_text("into the device's own buffer, then (the first page zeroed) back into");
	report_text("the first page; read the first page through the mapping: no read(),");
	report_text("no copy by the CPU.  Each transfer ends with the device's interrupt.");
	report_section("transfers", "the transfers");
	report_str("device", "device", path);
	if (!ret)
		ret = mmapdemo_dma_info(dma, &i0);
	if (!ret)
		ret = tour_map_fd(mmapdemo_fd(dma), i0.size,
				  PROT_READ | PROT_WRITE, MAP_SHARED, &addr);
	report_str("mmap", "mmap of the buffer",
		   tour_err_text(ret, err, sizeof(err)));
	if (ret) {
		report_close();
		if (dma)
			mmapdemo_close(dma);
		tour_verdict(t, false, "mapping %s: %s", path, err);
		return;
	}
	p = addr;
	report_u64("size", "buffer size", i0.size);
	report_str("irq", "device's interrupt",
		   i0.irq_kind == MMAPDEMO_DMA_IRQ_MSI ? "MSI" : "INTx");

	for (unsigned int i = 0; i < DMA_LEN; i++)
		p[t->ps + i] = dma_pattern(i);
	memset(p, 0, t->ps);
	to = mmapdemo_dma_xfer(dma, MMAPDEMO_DMA_TO_DEVICE, t->ps, 0, DMA_LEN);
	report_str("to_device", "page 1 to the device (1024 bytes)",
		   tour_err_text(to, err, sizeof(err)));
	tour_trace_start(t);
	from = mmapdemo_dma_xfer(dma, MMAPDEMO_DMA_FROM_DEVICE, 0, 0,
				 DMA_LEN);
	tour_trace_stop(t, "xfer_calls", "calls in ioctl(DMA_XFER)",
			dma_marks);
	report_str("from_device", "the device to page 0 (1024 bytes)",
		   tour_err_text(from, err, sizeof(err)));

	/* The read: straight from the mapping, the memory the device wrote. */
	for (unsigned int i = 0; i < DMA_LEN; i++)
		bad += p[i] != dma_pattern(i);
	snprintf(hex, sizeof(hex), "%02x %02x %02x %02x %02x %02x %02x %02x",
		 p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]);
	report_str("read", "page 0 through the mapping", hex);
	report_u64("mismatches", "bytes unlike the pattern", bad);
	ret = mmapdemo_dma_info(dma, &i1);
	if (ret)
		i1 = i0;
	report_u64("transfers", "transfers (driver's counter)",
		   i1.transfers - i0.transfers);
	report_u64("irqs", "DMA interrupts handled", i1.irqs - i0.irqs);
	report_u64("timeouts", "timeouts", i1.timeouts - i0.timeouts);
	report_close();

	/*
	 * The addresses, then whether the page the mapping maps is the
	 * buffer's first page itself, which DMA_INFO names.
	 */
	addrs = !mmapdemo_walk(t->md, p, &w) &&
		show_dma_addresses(path, dma, &i1, &w, 0);
	report_section("zero_copy", "the page you read");
	report_hex("address", "user address", (uintptr_t)p);
	if (addrs) {
		same = w.phys == i1.phys;
		report_bool("same_page", "the buffer's page (DMA_INFO)", same);
	} else {
		report_str("same_page", "the buffer's page (DMA_INFO)",
			   "hidden (CAP_SYS_ADMIN only)");
	}
	report_close();

	munmap(addr, i0.size);
	mmapdemo_close(dma);
	if (!to && !from && !bad && i1.transfers - i0.transfers == 2 &&
	    i1.irqs - i0.irqs == 2 && (!addrs || same))
		tour_verdict(t, true,
			     "the device wrote %u bytes by DMA and the mapping read them with no copy; 2 transfers, 2 interrupts%s",
			     DMA_LEN,
			     addrs ? "; the mapping's page is the buffer's" :
				     "; addresses hidden (CAP_SYS_ADMIN only)");
	else
		tour_verdict(t, false,
			     "to the device %d, back %d, %u bytes unlike the pattern, %llu transfers, %llu interrupts, same page %d",
			     to, from, bad,
			     (unsigned long long)(i1.transfers - i0.transfers),
			     (unsigned long long)(i1.irqs - i0.irqs), same);
}

const struct tour_experiment tour_dma = {
	.name = "dma",
	.title = "the device writes, you read: zero-copy DMA",
	.shows = "A device's DMA engine writes into coherent memory that user space has mapped; the bytes are read through the mapping with no copy, and the device addresses the same memory by its DMA address, usually the physical address without an IOMMU and an I/O virtual address behind one.",
	.run = dma_run,
};
