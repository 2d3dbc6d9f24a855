// SPDX-License-Identifier: GPL-2.0
/*
 * A module whose only job is to WARN when it loads, so that the lab can show
 * its kernel-log gate turns a run red.  Loading fails afterwards, so nothing
 * of it stays behind.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

static int __init gate_warn_init(void)
{
	WARN(1, "gate_warn: deliberate warning for the kernel-log gate test\n");
	return -EINVAL;
}

module_init(gate_warn_init);
MODULE_DESCRIPTION("mmapdemo lab: WARN on load to test the kernel-log gate");
MODULE_LICENSE("GPL");
