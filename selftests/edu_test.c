// SPDX-License-Identifier: GPL-2.0
/*
 * A user-space driver for QEMU's edu device, UIO style, through
 * mmapdemo's BAR device /dev/mmapdemo-<PCI address>: BAR 0 mapped
 * uncached, registers read and written from user space.  Also the
 * "mmapdemo edu" command of the CLI.  Runs in its own VM with the device
 * attached (scripts/bar-proof.sh edu KERNEL): enabling edu costs the
 * emulated guest seconds of ACPI interrupt routing at each module load,
 * which the tests that reload the module must not pay.
 */
#include <stdio.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

/* edu's registers (QEMU docs/specs/edu.rst), 32-bit accesses. */
#define EDU_ID 0x00
#define EDU_LIVENESS 0x04
#define EDU_FACTORIAL 0x08
#define EDU_STATUS 0x20
#define EDU_STATUS_COMPUTING 0x01

FIXTURE(edu)
{
	char path[64];
	char bdf[24];
};

FIXTURE_SETUP(edu)
{
	if (getuid() != 0)
		MMAPDEMO_SETUP_SKIP("needs root");
	if (mmapdemo_find_bar(MMAPDEMO_EDU_VENDOR, MMAPDEMO_EDU_DEVICE,
			      self->path, sizeof(self->path), self->bdf,
			      sizeof(self->bdf)))
		MMAPDEMO_SETUP_SKIP(MMAPDEMO_BAR_HINT("edu"));
	mmapdemo_dev = self->path;
}

FIXTURE_TEARDOWN(edu)
{
}

/*
 * The liveness register gives back the complement of what was written,
 * which RAM never does; the device computes a factorial; the PTE is
 * uncached (UC: PWT and PCD) and VM_IO | VM_PFNMAP.
 */
TEST_F(edu, registers_from_user_space)
{
	struct mmapdemo_walk w;
	volatile uint32_t *r;
	int fd, i;

	/* remap where it maps a BAR (6.16 on), else fault. */
	fd = mmapdemo_open_strategy(O_RDWR, mmapdemo_eager_strategy(self->path));
	ASSERT_LE(0, fd);
	r = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, r);

	EXPECT_EQ(0xedU, r[EDU_ID / 4] & 0xff);
	r[EDU_LIVENESS / 4] = 0x12345678;
	EXPECT_EQ(~0x12345678U, r[EDU_LIVENESS / 4]);
	r[EDU_LIVENESS / 4] = 0;
	EXPECT_EQ(~0U, r[EDU_LIVENESS / 4]);

	r[EDU_FACTORIAL / 4] = 10;
	for (i = 0; i < 1000 && (r[EDU_STATUS / 4] & EDU_STATUS_COMPUTING);
	     i++)
		usleep(1000);
	EXPECT_EQ(0U, r[EDU_STATUS / 4] & EDU_STATUS_COMPUTING);
	EXPECT_EQ(3628800U, r[EDU_FACTORIAL / 4]);

	memset(&w, 0, sizeof(w));
	w.addr = (uintptr_t)r;
	ASSERT_EQ(0, ioctl(fd, MMAPDEMO_IOC_WALK, &w));
	EXPECT_EQ((__u32)MMAPDEMO_MEMTYPE_UC, w.memtype);
#ifdef __aarch64__
	/* pgprot_noncached(): Device-nGnRnE, AttrIndx MT_DEVICE_nGnRnE (3). */
	EXPECT_EQ(3ULL, (w.level[MMAPDEMO_LEVEL_PTE].raw >> 2) & 7);
#else
	EXPECT_EQ(MMAPDEMO_PTE_PWT | MMAPDEMO_PTE_PCD,
		  w.entry[MMAPDEMO_LEVEL_PTE].bits &
			  (MMAPDEMO_PTE_PWT | MMAPDEMO_PTE_PCD |
			   MMAPDEMO_PTE_PAT));
#endif
	EXPECT_EQ(0x4400ULL, w.vma_flags & 0x4400ULL); /* VM_IO, VM_PFNMAP */
	munmap((void *)r, 4096);
	close(fd);
}

/* Registers are never write-combined: wc is refused, uc stays. */
TEST_F(edu, wc_is_refused_for_registers)
{
	char attr[128], mode[8] = "";
	FILE *f;

	snprintf(attr, sizeof(attr), "/sys/class/misc/mmapdemo-%s/caching",
		 self->bdf);
	EXPECT_EQ(-1, mmapdemo_write_file(attr, "wc"));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, mmapdemo_write_file(attr, "uc"));
	f = fopen(attr, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%7s", mode));
	fclose(f);
	EXPECT_STREQ("uc", mode);
}

/*
 * Deferred I/O would merge and delay the writes the device must see one
 * by one, and its shadow would answer reads the registers should: defio
 * is neither offered nor taken (kmod/strategy_defio.c, memory_only).
 */
TEST_F(edu, defio_is_refused_for_registers)
{
	struct mmapdemo_set_strategy req = {
		.strategy = MMAPDEMO_STRATEGY_DEFIO
	};
	int fd;

	fd = open(self->path, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0U, mmapdemo_info(fd).features & MMAPDEMO_FEATURE_DEFIO);
	EXPECT_EQ(-1, ioctl(fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* read() of a register goes through the kernel's uncached mapping. */
TEST_F(edu, read_syscall_reads_the_id_register)
{
	uint32_t id = 0;
	int fd = open(self->path, O_RDONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(4, pread(fd, &id, 4, EDU_ID));
	EXPECT_EQ(0xedU, id & 0xff);
	close(fd);
}

/* Run @cmd and return its output (at most @size - 1 bytes), or NULL. */
static char *run(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (!p)
		return NULL;
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	return pclose(p) == 0 ? out : NULL;
}

/* "mmapdemo edu": the CLI's user-space driver finds the device itself. */
TEST_F(edu, cli_edu_command)
{
	static char out[8192];

	ASSERT_NE(NULL, run("mmapdemo --json edu --liveness 0xff --factorial 5",
			    out, sizeof(out)))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"read\": \"0xffffff00\""))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"complement\": true")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"result\": 120")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "\"memtype\": \"UC\"")) TH_LOG("%s", out);
}

MMAPDEMO_HARNESS_MAIN
