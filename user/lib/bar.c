// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The PCI BAR devices of mmapdemo (/dev/mmapdemo-<PCI address>): finding
 * them and what sysfs says about them, and the names of memory types.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmapdemo.h"

static const char *const memtype_names[] = {
	[MMAPDEMO_MEMTYPE_NONE] = "none",
	[MMAPDEMO_MEMTYPE_WB] = "WB",
	[MMAPDEMO_MEMTYPE_WC] = "WC",
	[MMAPDEMO_MEMTYPE_UC_MINUS] = "UC-",
	[MMAPDEMO_MEMTYPE_UC] = "UC",
	[MMAPDEMO_MEMTYPE_WT] = "WT",
	[MMAPDEMO_MEMTYPE_WP] = "WP",
	[MMAPDEMO_MEMTYPE_UNKNOWN] = "unknown",
	[MMAPDEMO_MEMTYPE_DEVICE_NGNRE] = "Device-nGnRE",
};

const char *mmapdemo_memtype_name(unsigned int memtype)
{
	return memtype < sizeof(memtype_names) / sizeof(memtype_names[0]) ?
		       memtype_names[memtype] :
		       NULL;
}

/* Read the first line of @path into @buf, without its newline. */
static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	char *nl;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = '\0';
	return 0;
}

int mmapdemo_bar_query(const char *path, struct mmapdemo_bar *bar)
{
	char sys[PATH_MAX], link[PATH_MAX], line[128];
	unsigned long long start, end, flags;
	const char *name, *slash;
	ssize_t n;
	FILE *f;
	int i, ret;

	memset(bar, 0, sizeof(*bar));
	if (!path)
		return -EINVAL;
	slash = strrchr(path, '/');
	name = slash ? slash + 1 : path;
	if (strncmp(name, "mmapdemo-", 9))
		return -ENODEV;

	snprintf(sys, sizeof(sys), "/sys/class/misc/%s/bar", name);
	ret = read_line(sys, line, sizeof(line));
	if (ret)
		return ret == -ENOENT ? -ENODEV : ret;
	bar->bar = atoi(line);
	snprintf(sys, sizeof(sys), "/sys/class/misc/%s/caching", name);
	ret = read_line(sys, bar->caching, sizeof(bar->caching));
	if (ret)
		return ret;
	snprintf(sys, sizeof(sys), "/sys/class/misc/%s/device", name);
	n = readlink(sys, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	slash = strrchr(link, '/');
	snprintf(bar->pci_address, sizeof(bar->pci_address), "%.31s",
		 slash ? slash + 1 : link);

	/* One line per resource: start, end, flags; BARs come first. */
	snprintf(sys, sizeof(sys), "/sys/class/misc/%s/device/resource", name);
	f = fopen(sys, "r");
	if (!f)
		return -errno;
	ret = -EIO;
	for (i = 0; i <= bar->bar; i++)
		ret = fscanf(f, "%llx %llx %llx", &start, &end, &flags) == 3 ?
			      0 :
			      -EIO;
	fclose(f);
	if (ret)
		return ret;
	bar->start = start;
	bar->end = end;
	return 0;
}

int mmapdemo_bar_find(unsigned int vendor, unsigned int device, char *path,
		      size_t size)
{
	const char *drv = "/sys/bus/pci/drivers/mmapdemo";
	char sys[PATH_MAX], line[32];
	int slot, fn;

	/* Bound devices are links named by PCI address in the driver. */
	for (slot = 0; slot < 32; slot++) {
		for (fn = 0; fn < 8; fn++) {
			snprintf(sys, sizeof(sys),
				 "%s/0000:00:%02x.%d/vendor", drv, slot, fn);
			if (read_line(sys, line, sizeof(line)) ||
			    strtoul(line, NULL, 16) != vendor)
				continue;
			snprintf(sys, sizeof(sys),
				 "%s/0000:00:%02x.%d/device", drv, slot, fn);
			if (read_line(sys, line, sizeof(line)) ||
			    strtoul(line, NULL, 16) != device)
				continue;
			snprintf(path, size, "/dev/mmapdemo-0000:00:%02x.%d",
				 slot, fn);
			return 0;
		}
	}
	return -ENODEV;
}
