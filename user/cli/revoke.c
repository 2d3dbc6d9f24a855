// SPDX-License-Identifier: GPL-2.0
/*
 * A BAR device unbound from the driver under a mapping, and bound again:
 * the tour's experiment "revoke" (tour_device.c) and "mmapdemo path
 * --revoke" (cmd_path.c).  Writing the device's PCI address to the
 * driver's unbind runs its ->remove in the writer's own task, which
 * revokes the BAR and zaps every user mapping of the device's file
 * (kmod/pci.c, kmod/dev.c); that write() is traced as a stage of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/*
 * The entry point of the unbind's stage (the write() system call, on
 * x86-64 and arm64), added to a session that lacks it.
 */
static const char *const revoke_roots[] = {
	"__x64_sys_write", "__arm64_sys_write", NULL
};

int revoke_add_roots(struct stage_trace *st)
{
	int ret;

	if (!st->graph)
		return 0;
	ret = graph_add_roots(&st->gs, revoke_roots);
	return ret < 0 ? ret : 0;
}

/* Write @text to @path with one write(); 0 or -errno. */
static int sysfs_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int revoke_unbind(struct stage_trace *st, const char *bdf)
{
	unsigned int depth = st->gs.depth;
	int fd, ret;

	fd = open(PCI_DRIVER_DIR "/unbind", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* From the system call down to the zap: deeper than the default. */
	if (st->graph)
		graph_set_depth(&st->gs, CALLS_DEPTH_MAX);
	st->zaps = zap_marks;
	stage_trace_start(st);
	ret = write(fd, bdf, strlen(bdf)) < 0 ? -errno : 0;
	stage_trace_stop(st);
	st->zaps = NULL;
	if (st->graph)
		graph_set_depth(&st->gs, depth);
	close(fd);
	return ret;
}

bool revoke_bind(const char *bdf, const char *device)
{
	/* misc_register() makes the node before bind returns. */
	return !sysfs_write(PCI_DRIVER_DIR "/bind", bdf) &&
	       access(device, F_OK) == 0;
}
