// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The DMA devices of mmapdemo (/dev/mmapdemo-dma-<PCI address>): finding
 * one, its buffer and counters (MMAPDEMO_IOC_DMA_INFO), a transfer by the
 * device's own DMA engine (MMAPDEMO_IOC_DMA_XFER), and the DMA and
 * physical address of an offset in either buffer (MMAPDEMO_IOC_DMA_ADDR).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "mmapdemo.h"

#define DMA_PREFIX "mmapdemo-dma-"

int mmapdemo_dma_info(struct mmapdemo *md, struct mmapdemo_dma_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(mmapdemo_fd(md), MMAPDEMO_IOC_DMA_INFO, info) ? -errno : 0;
}

int mmapdemo_dma_xfer(struct mmapdemo *md, unsigned int direction,
		      uint64_t offset, uint32_t dev_offset, uint32_t len)
{
	struct mmapdemo_dma_xfer x;

	/* memset: the reserved bytes and the padding go in as zero. */
	memset(&x, 0, sizeof(x));
	x.direction = direction;
	x.offset = offset;
	x.dev_offset = dev_offset;
	x.len = len;
	return ioctl(mmapdemo_fd(md), MMAPDEMO_IOC_DMA_XFER, &x) ? -errno : 0;
}

/*
 * The kernel's answer for the byte at @offset (MMAPDEMO_IOC_DMA_ADDR): the
 * page-array buffer has a DMA address per page, and the coherent buffer's
 * pages need not be physically contiguous behind an IOMMU, so no sum made
 * here from the buffer's first address would do for every byte.
 */
int mmapdemo_dma_addr_of(struct mmapdemo *md, uint64_t offset,
			 uint64_t *dma_addr, uint64_t *phys)
{
	struct mmapdemo_dma_addr a;
	int ret = 0;

	memset(&a, 0, sizeof(a));
	a.offset = offset;
	if (ioctl(mmapdemo_fd(md), MMAPDEMO_IOC_DMA_ADDR, &a))
		ret = -errno;
	else if (!(a.flags & MMAPDEMO_DMA_INFO_ADDRS))
		ret = -EPERM;
	*dma_addr = ret ? 0 : a.dma_addr;
	*phys = ret ? 0 : a.phys;
	return ret;
}

bool mmapdemo_dma_is_device(const char *path)
{
	const char *slash;

	if (!path)
		return false;
	slash = strrchr(path, '/');
	return !strncmp(slash ? slash + 1 : path, DMA_PREFIX,
			strlen(DMA_PREFIX));
}

static int dma_filter(const struct dirent *d)
{
	return !strncmp(d->d_name, DMA_PREFIX, strlen(DMA_PREFIX));
}

int mmapdemo_dma_find(char *path, size_t size)
{
	struct dirent **names;
	int i, n;

	/* The misc class lists what /dev has, without scanning /dev. */
	n = scandir("/sys/class/misc", &names, dma_filter, alphasort);
	if (n < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	if (n > 0)
		snprintf(path, size, "/dev/%s", names[0]->d_name);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return n ? 0 : -ENODEV;
}
