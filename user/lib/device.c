// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The device: open, the ioctls, and mmap of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmapdemo.h"
#include "private.h"

struct mmapdemo {
	int fd;
};

int mmapdemo_open(const char *path, int flags, struct mmapdemo **out)
{
	struct mmapdemo *md;

	md = calloc(1, sizeof(*md));
	if (!md)
		return -ENOMEM;
	md->fd = open(path ? path : MMAPDEMO_DEVICE, flags | O_CLOEXEC);
	if (md->fd < 0) {
		int err = -errno;

		free(md);
		return err;
	}
	*out = md;
	return 0;
}

void mmapdemo_close(struct mmapdemo *md)
{
	if (!md)
		return;
	close(md->fd);
	free(md);
}

int mmapdemo_fd(const struct mmapdemo *md)
{
	return md->fd;
}

static int md_ioctl(struct mmapdemo *md, unsigned long cmd, void *arg)
{
	return ioctl(md->fd, cmd, arg) ? -errno : 0;
}

int mmapdemo_get_info(struct mmapdemo *md, struct mmapdemo_info *info)
{
	memset(info, 0, sizeof(*info));
	return md_ioctl(md, MMAPDEMO_IOC_INFO, info);
}

/* mmapdemo_get_stats@@LIBMMAPDEMO_1.3, the default since 1.3: all of it. */
int mmapdemo_get_stats_1_3(struct mmapdemo *md, struct mmapdemo_stats *stats);
int mmapdemo_get_stats_1_3(struct mmapdemo *md, struct mmapdemo_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	return md_ioctl(md, MMAPDEMO_IOC_STATS, stats);
}
__asm__(".symver mmapdemo_get_stats_1_3, mmapdemo_get_stats@@LIBMMAPDEMO_1.3");

/*
 * mmapdemo_get_stats@LIBMMAPDEMO_1.0, for programs linked before 1.3:
 * their struct mmapdemo_stats ends at huge_fallbacks, before the defio
 * counters, so the ioctl is asked for that size and no more is written.
 */
int mmapdemo_get_stats_1_0(struct mmapdemo *md, struct mmapdemo_stats *stats);
int mmapdemo_get_stats_1_0(struct mmapdemo *md, struct mmapdemo_stats *stats)
{
	enum { size = offsetof(struct mmapdemo_stats, defio_dirtied) };

	memset(stats, 0, size);
	return md_ioctl(md, _IOR(MMAPDEMO_IOCTL_TYPE, 0x02, char[size]),
			stats);
}
__asm__(".symver mmapdemo_get_stats_1_0, mmapdemo_get_stats@LIBMMAPDEMO_1.0");

int mmapdemo_defio_read(struct mmapdemo *md, uint64_t offset, void *buf,
			size_t len)
{
	struct mmapdemo_defio_read req = {
		.offset = offset,
		.addr = (uintptr_t)buf,
		.len = len,
	};

	return md_ioctl(md, MMAPDEMO_IOC_DEFIO_READ, &req);
}

int mmapdemo_set_strategy(struct mmapdemo *md, unsigned int strategy)
{
	struct mmapdemo_set_strategy req = { .strategy = strategy };

	return md_ioctl(md, MMAPDEMO_IOC_SET_STRATEGY, &req);
}

int mmapdemo_map_at(struct mmapdemo *md, void *hint, size_t length, int prot,
		    int flags, off_t offset, void **addr)
{
	void *p;

	if (!hint && (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)))
		return -EINVAL;
	p = mmap(hint, length, prot, flags, md->fd, offset);
	if (p == MAP_FAILED)
		return -errno;
	*addr = p;
	return 0;
}

int mmapdemo_map(struct mmapdemo *md, size_t length, int prot, int flags,
		 off_t offset, void **addr)
{
	return mmapdemo_map_at(md, NULL, length, prot, flags, offset, addr);
}

int mmapdemo_unmap(void *addr, size_t length)
{
	return munmap(addr, length) ? -errno : 0;
}

/* mmapdemo_walk@@LIBMMAPDEMO_1.2, the default since 1.2: the whole struct. */
int mmapdemo_walk_1_2(struct mmapdemo *md, const void *addr,
		      struct mmapdemo_walk *walk);
int mmapdemo_walk_1_2(struct mmapdemo *md, const void *addr,
		      struct mmapdemo_walk *walk)
{
	memset(walk, 0, sizeof(*walk));
	walk->addr = (uintptr_t)addr;
	return md_ioctl(md, MMAPDEMO_IOC_WALK, walk);
}
__asm__(".symver mmapdemo_walk_1_2, mmapdemo_walk@@LIBMMAPDEMO_1.2");

/*
 * mmapdemo_walk@LIBMMAPDEMO_1.0, for programs linked against 1.0 or 1.1:
 * their struct mmapdemo_walk ends before arch (the struct's second
 * version), so the ioctl is asked for that size and no more is written.
 * Programs linked since 1.2 get mmapdemo_walk_1_2 above.
 */
int mmapdemo_walk_1_0(struct mmapdemo *md, const void *addr,
		      struct mmapdemo_walk *walk);
int mmapdemo_walk_1_0(struct mmapdemo *md, const void *addr,
		      struct mmapdemo_walk *walk)
{
	enum { size = offsetof(struct mmapdemo_walk, arch) };

	memset(walk, 0, size);
	walk->addr = (uintptr_t)addr;
	return md_ioctl(md, _IOWR(MMAPDEMO_IOCTL_TYPE, 0x03, char[size]),
			walk);
}
__asm__(".symver mmapdemo_walk_1_0, mmapdemo_walk@LIBMMAPDEMO_1.0");

const char *mmapdemo_version(void)
{
	return MMAPDEMO_LIB_VERSION;
}
