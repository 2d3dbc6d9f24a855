// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo edu: a user-space driver for QEMU's edu device, UIO style.
 * Its BAR 0 of registers is mapped uncached through mmapdemo's BAR device
 * (remap strategy), and the registers are read and written from here:
 * the identification, the liveness check (write x, read back ~x: what RAM
 * never does) and a factorial the device computes, with its status bit.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "edu.h"

static int edu_show(struct cli *cli, struct mmapdemo *md, uint32_t value,
		    uint32_t n)
{
	volatile uint32_t *regs;
	struct mmapdemo_walk w;
	uint32_t id, back, status = 0, result;
	unsigned int polls = 0;
	void *p;
	int ret;

	ret = mmapdemo_map(md, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &p);
	if (ret)
		return cli_mmap_error(cli, "mmap of edu's BAR 0", ret);
	regs = p;

	report_begin(cli);
	id = edu_read(regs, EDU_ID);
	report_hex("id", "identification (0x00)", id);
	report_str("id_ok", "  edu's 0x..ed",
		   (id & 0xff) == 0xed ? "yes" : "no");

	edu_write(regs, EDU_LIVENESS, value);
	back = edu_read(regs, EDU_LIVENESS);
	report_section("liveness", "liveness (0x04): write x, read ~x");
	report_hex("written", "written", value);
	report_hex("read", "read back", back);
	report_bool("complement", "the complement, not what was written",
		    back == (uint32_t)~value);
	report_close();

	edu_write(regs, EDU_FACTORIAL, n);
	while ((status = edu_read(regs, EDU_STATUS)) & EDU_STATUS_COMPUTING &&
	       polls < 100000) {
		polls++;
		usleep(10);
	}
	result = edu_read(regs, EDU_FACTORIAL);
	report_section("factorial", "factorial (0x08), status (0x20)");
	report_u64("n", "n", n);
	report_u64("polls", "status polls until bit 0 cleared", polls);
	report_hex("status", "status", status);
	report_u64("result", "n! from the device", result);
	report_close();

	if (!mmapdemo_walk(md, p, &w)) {
		report_section("mapping", "the mapping");
		report_str("memtype", "memory type",
			   mmapdemo_memtype_name(w.memtype) ?: "?");
		report_bool("vm_io", "VM_IO", w.vma_vmflags & MMAPDEMO_VMF_IO);
		report_bool("vm_pfnmap", "VM_PFNMAP", w.vma_vmflags & MMAPDEMO_VMF_PFNMAP);
		report_close();
	}
	mmapdemo_unmap(p, 4096);
	ret = report_end();
	if (ret)
		return ret;
	return (id & 0xff) == 0xed && back == (uint32_t)~value &&
			       !(status & EDU_STATUS_COMPUTING) ?
		       EXIT_OK :
		       EXIT_FAILED;
}

static int edu_run(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "liveness", required_argument, NULL, 'l' },
		{ "factorial", required_argument, NULL, 'f' },
		CLI_COMMON_OPTIONS
	};
	uint64_t value = 0x12345678, n = 10;
	char path[64];
	struct mmapdemo *md;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (parse_size(optarg, &value) || value > UINT32_MAX)
				return cli_usage(&cmd_edu,
						 "--liveness %s: want a 32-bit value",
						 optarg);
			break;
		case 'f':
			if (parse_size(optarg, &n) || n > EDU_FACTORIAL_MAX)
				return cli_usage(&cmd_edu,
						 "--factorial %s: want 0 to %d",
						 optarg, EDU_FACTORIAL_MAX);
			break;
		default:
			ret = cli_common_option(&cmd_edu, c);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind < argc)
		return cli_usage(&cmd_edu, "unexpected argument '%s'",
				 argv[optind]);
	if (!cli->device) {
		if (mmapdemo_bar_find(EDU_VENDOR, EDU_DEVICE, path,
				      sizeof(path))) {
			fprintf(stderr,
				"mmapdemo edu: no edu device bound to mmapdemo\n"
				"hint: boot QEMU with -device edu (scripts/vm.sh -d edu)\n");
			return EXIT_NODEV;
		}
		cli->device = path;
	}
	ret = cli_open(cli, O_RDWR, (int)cli_eager_strategy(cli->device), NULL,
		       &md);
	if (ret)
		return ret;
	ret = edu_show(cli, md, (uint32_t)value, (uint32_t)n);
	mmapdemo_close(md);
	return ret;
}

const struct command cmd_edu = {
	.name = "edu",
	.summary = "drive QEMU's edu device's registers from user space",
	.usage = "edu [--liveness X] [--factorial N] [--json]\n"
		 "  maps BAR 0 of the edu device (uncached; remap from Linux 6.16, fault\n"
		 "  before) and\n"
		 "  writes X to the liveness register (default 0x12345678), reads back\n"
		 "  ~X, and has the device compute N! (default 10, at most 12);\n"
		 "  --device PATH picks the device, else the first edu bound",
	.run = edu_run,
};
