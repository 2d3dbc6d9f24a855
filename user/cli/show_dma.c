// SPDX-License-Identifier: GPL-2.0
/*
 * The addresses of one byte of a DMA buffer, as path and the tour show
 * them: the user address, the PFN and physical address of the page-table
 * walk, and the DMA address the device is programmed with; whether the
 * last two are equal, and why, from what this machine's sysfs says of
 * the device's IOMMU (none, an identity domain, or a translating one).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The last component of the link @path points to, into @buf; 0 or -errno. */
static int link_base(const char *path, char *buf, size_t size)
{
	char link[PATH_MAX];
	const char *slash;
	ssize_t n;

	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	slash = strrchr(link, '/');
	slash = slash ? slash + 1 : link;
	if (strlen(slash) >= size)
		return -ENAMETOOLONG;
	memcpy(buf, slash, strlen(slash) + 1);
	return 0;
}

static void first_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

void dma_iommu_read(const char *dev_path, struct dma_iommu *io)
{
	const char *slash = strrchr(dev_path, '/');
	char sys[PATH_MAX];
	struct dirent *e;
	DIR *d;

	memset(io, 0, sizeof(*io));
	snprintf(sys, sizeof(sys), "/sys/class/misc/%s/device",
		 slash ? slash + 1 : dev_path);
	if (link_base(sys, io->pci, sizeof(io->pci)))
		snprintf(io->pci, sizeof(io->pci), "?");
	/* The IOMMU units this kernel registered, intel-iommu's dmar0... */
	io->units = -1;
	d = opendir("/sys/class/iommu");
	if (d) {
		io->units = 0;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			/* The first by name, for a stable answer. */
			if (!io->units++ || strcmp(e->d_name, io->unit) < 0)
				snprintf(io->unit, sizeof(io->unit), "%.31s",
					 e->d_name);
		}
		closedir(d);
	}
	snprintf(sys, sizeof(sys), "/sys/bus/pci/devices/%s/iommu_group",
		 io->pci);
	if (!link_base(sys, io->group, sizeof(io->group))) {
		io->has_group = true;
		snprintf(sys, sizeof(sys), "/sys/kernel/iommu_groups/%s/type",
			 io->group);
		first_line(sys, io->type, sizeof(io->type));
		/* The unit that translates for this device, where linked. */
		snprintf(sys, sizeof(sys), "/sys/bus/pci/devices/%s/iommu",
			 io->pci);
		link_base(sys, io->unit, sizeof(io->unit));
	}
}

/* Does the device's IOMMU domain translate (rather than pass through)? */
static bool iommu_translates(const struct dma_iommu *io)
{
	return io->has_group && strcmp(io->type, "identity") &&
	       strcmp(io->type, "");
}

const char *dma_buffer_name(const struct mmapdemo_dma_info *info,
			    uint64_t offset)
{
	if (offset < info->size)
		return "coherent";
	if (info->pages_size && offset >= info->pages_offset &&
	    offset - info->pages_offset < info->pages_size)
		return "page array";
	return "none";
}

void dma_frame_label(struct mmapdemo *dma,
		     const struct mmapdemo_dma_info *info,
		     const struct mmapdemo_walk *w, uint64_t offset,
		     char *buf, size_t size)
{
	const char *buffer = dma_buffer_name(info, offset);
	uint64_t dma_addr = 0, phys = 0;
	int ret;

	ret = mmapdemo_dma_addr_of(dma, offset, &dma_addr, &phys);
	if (ret || !w->pfn)
		snprintf(buf, size,
			 "the DMA buffer's (%s), file offset 0x%llx,\nas the mapping says (the driver's addresses: %s)",
			 buffer, (unsigned long long)offset,
			 ret ? strerror(-ret) : "hidden, as the walk's");
	else if (phys == w->phys)
		snprintf(buf, size,
			 "the DMA buffer's (%s), file offset 0x%llx\nDMA address 0x%llx; the driver's physical\naddress of the byte is the walk's",
			 buffer, (unsigned long long)offset,
			 (unsigned long long)dma_addr);
	else
		snprintf(buf, size,
			 "not the DMA buffer's (%s): the driver's physical\naddress of file offset 0x%llx is 0x%llx",
			 buffer, (unsigned long long)offset,
			 (unsigned long long)phys);
}

bool show_dma_addresses(const char *dev_path, struct mmapdemo *md,
			const struct mmapdemo_dma_info *info,
			const struct mmapdemo_walk *w, uint64_t offset)
{
	bool mapped = w->result == MMAPDEMO_WALK_MAPPED;
	uint64_t dma = 0, phys = 0;
	struct dma_iommu io;
	char why[320];
	bool addrs;
	bool equal;

	dma_iommu_read(dev_path, &io);
	report_section("dma", "the addresses of this byte");
	report_str("pci_address", "PCI device", io.pci);
	report_str("buffer", "DMA buffer", dma_buffer_name(info, offset));
	report_hex("file_offset", "offset in the file", offset);
	report_hex("dma_mask", "device's DMA mask", info->dma_mask);
	addrs = !mmapdemo_dma_addr_of(md, offset, &dma, &phys);
	report_hex("pfn", "PFN (walk)", mapped ? w->pfn : 0);
	report_hex("phys", "physical address (walk)", mapped ? w->phys : 0);
	report_hex("driver_phys", "physical (driver)", phys);
	report_hex("dma_addr", "DMA address (device)", dma);
	report_str("iommu_units", "IOMMU units",
		   io.units < 0 ? "none (no /sys/class/iommu)" :
		   io.units == 0 ? "none" : io.unit);
	report_str("iommu_group", "device's IOMMU group",
		   io.has_group ? io.group : "none");
	if (io.has_group)
		report_str("iommu_domain", "its domain type", io.type[0] ? io.type : "?");

	if (!addrs || !mapped || !w->pfn) {
		report_str("addresses", "DMA address = physical", "hidden");
		snprintf(why, sizeof(why),
			 "%s: PFNs, physical and DMA addresses are for CAP_SYS_ADMIN only (the kernel zeroes them, as in /proc/PID/pagemap)",
			 mapped ? "hidden" : "the address is not mapped");
		report_str("why", "why", why);
		report_close();
		return false;
	}
	/* Two observations of one page: the CPU's page table, the driver's. */
	report_bool("walk_is_driver", "walk = driver",
		    phys == w->phys);
	equal = dma == w->phys;
	report_bool("equal", "DMA address = physical", equal);
	if (!io.has_group && equal)
		snprintf(why, sizeof(why),
			 "no IOMMU translates for %s (it has no IOMMU group): the DMA API maps directly (dma-direct, kernel/dma/direct.c), giving the device phys_to_dma() of the memory, here the physical address itself",
			 io.pci);
	else if (!io.has_group)
		snprintf(why, sizeof(why),
			 "no IOMMU group, yet the addresses differ: dma-direct's phys_to_dma() applies an offset (a bus offset, or memory encryption) on this machine");
	else if (!iommu_translates(&io) && equal)
		snprintf(why, sizeof(why),
			 "%s is in IOMMU group %s with an identity domain: the IOMMU passes each DMA address through as the same physical address",
			 io.pci, io.group);
	else if (iommu_translates(&io) && !equal)
		snprintf(why, sizeof(why),
			 "%s is behind IOMMU %s (group %s, domain %s): the DMA API gave the buffer an I/O virtual address (IOVA) in the device's domain, and the IOMMU's page table translates it to the physical address on each access",
			 io.pci, io.unit[0] ? io.unit : "?", io.group, io.type);
	else
		snprintf(why, sizeof(why),
			 "IOMMU group %s, domain %s, and the addresses are %s: not what such a domain gives",
			 io.group, io.type[0] ? io.type : "?",
			 equal ? "equal" : "different");
	report_str("why", "why", why);
	report_close();
	return true;
}
