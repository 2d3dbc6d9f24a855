// SPDX-License-Identifier: GPL-2.0
/*
 * What the CLI says about the kernel it runs on, decided from what the
 * module says about itself in sysfs, never from the kernel's version
 * string: the module's front end, and why the device refused a mapping
 * with EINVAL, or with EBUSY beside a mapping it excludes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "cli.h"

/* Read /sys/class/misc/<device>/@attr into @buf; 0 or -1 if it is not there. */
static int device_attr(const char *dev, const char *attr, char *buf,
		       size_t size)
{
	const char *name;
	char path[256];
	FILE *f;
	int ret = -1;

	dev = dev ?: MMAPDEMO_DEVICE;
	name = strrchr(dev, '/');
	snprintf(path, sizeof(path), "/sys/class/misc/%s/%s",
		 name ? name + 1 : dev, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fgets(buf, (int)size, f)) {
		buf[strcspn(buf, "\n")] = '\0';
		ret = 0;
	}
	fclose(f);
	return ret;
}

void cli_front_end(const char *dev, char *buf, size_t size)
{
	if (device_attr(dev, "front_end", buf, size))
		snprintf(buf, size, "unknown");
}

const char *cli_mmap_handler(const char *dev)
{
	char fe[32];

	cli_front_end(dev, fe, sizeof(fe));
	if (!strcmp(fe, "mmap_prepare"))
		return "mmapdemo_mmap_prepare()";
	if (!strcmp(fe, "mmap"))
		return "mmapdemo_mmap()";
	return "the module's mmap handler";
}

bool cli_front_end_prepare(const char *dev)
{
	char fe[32];

	cli_front_end(dev, fe, sizeof(fe));
	return !strcmp(fe, "mmap_prepare");
}

/*
 * The rules of mmapdemo_describe() (kmod/mmap.c) and the strategies'
 * describe steps, in the order the module checks them, decided from what
 * the CLI asked and what the device says about itself.
 */
const char *cli_mmap_einval_rule(const char *dev,
				 const struct mmapdemo_info *info,
				 unsigned int strategy, int flags,
				 uint64_t offset, uint64_t length)
{
	char backing[32] = "";
	bool bar;

	device_attr(dev, "backing", backing, sizeof(backing));
	bar = !strcmp(backing, "bar");
	if (!length || (info->page_size && offset % info->page_size))
		return "the system call's rule: a length of 0, or an offset that is not a multiple of the page size, is refused before the driver runs (mmap(2))";
	if (offset >= info->size || length > info->size - offset)
		return "the device's rule: the range lies outside the device's memory (Documentation/mmapdemo.rst)";
	if (!(flags & MAP_SHARED)) {
		if (bar)
			return "the device's rule: no MAP_PRIVATE on a BAR: vmf_insert_pfn_prot() forbids a copy-on-write VM_PFNMAP VMA, and remap_pfn_range() allows one only by making vm_pgoff the PFN (Documentation/device-memory.rst, \"MAP_PRIVATE\")";
		if (strategy == MMAPDEMO_STRATEGY_REMAP)
			return "the remap strategy's rule: no MAP_PRIVATE mapping (Documentation/semantics.rst, \"Why remap refuses MAP_PRIVATE\")";
	}
	if (strategy == MMAPDEMO_STRATEGY_REMAP && !bar)
		return cli_front_end_prepare(dev) ?
			"the remap strategy's rule: its one mmap_action_remap_full() maps a VMA from one physically contiguous run of the device's memory, and this range crosses from one run to the next (Documentation/mmapdemo.rst, the remap strategy)" :
			"the remap strategy's rule: one remap_pfn_range() call maps a VMA from one physically contiguous run of the device's memory, and this range crosses from one run to the next (Documentation/mmapdemo.rst, the remap strategy)";
	return NULL;
}

void cli_mmap_explain(const struct cli *cli, const struct mmapdemo_info *info,
		      unsigned int strategy, int flags, uint64_t offset,
		      uint64_t length, int err)
{
	const char *rule;

	if (err == -EBUSY &&
	    (strategy == MMAPDEMO_STRATEGY_REMAP ||
	     strategy == MMAPDEMO_STRATEGY_DEFIO) &&
	    (info->features & MMAPDEMO_FEATURE_DEFIO) &&
	    !(info->features & MMAPDEMO_FEATURE_DEFIO_WRPROTECT)) {
		fprintf(stderr,
			"why: the deferred-I/O rule of this kernel: its defio flush unmaps pages\n"
			"     instead of write-protecting them, and must never reach a remap\n"
			"     mapping, so remap and defio mappings of one device exclude each\n"
			"     other while either exists (Documentation/semantics.rst)\n"
			"hint: unmap the mappings of the other strategy first, forked copies\n"
			"      included\n");
		return;
	}
	if (err != -EINVAL)
		return;
	rule = cli_mmap_einval_rule(cli->device, info, strategy, flags,
				    offset, length);
	if (rule)
		fprintf(stderr, "why: %s\n", rule);
}
