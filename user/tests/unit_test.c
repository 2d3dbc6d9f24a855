// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests for everything in libmmapdemo and the CLI that needs no
 * kernel module: smaps and pagemap parsing, bit decoding, option parsing
 * and the JSON report.  Run by "make check" before any VM boots.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mmapdemo.h"
#include "cli.h"
#include "bench.h"

/* A piece of /proc/PID/smaps as 6.1 and 6.12 print it. */
static const char smaps_text[] =
	"55d0c0a00000-55d0c0a21000 rw-p 00000000 00:00 0                          [heap]\n"
	"Size:                132 kB\n"
	"KernelPageSize:        4 kB\n"
	"Rss:                   8 kB\n"
	"Pss:                   8 kB\n"
	"Private_Dirty:         8 kB\n"
	"Anonymous:             8 kB\n"
	"VmFlags: rd wr mr mw me ac \n"
	"7f1200000000-7f1200400000 rw-s 00001000 00:05 1042                       /dev/mmapdemo\n"
	"Size:               4096 kB\n"
	"KernelPageSize:        4 kB\n"
	"MMUPageSize:           4 kB\n"
	"Rss:                  12 kB\n"
	"Pss:                   6 kB\n"
	"Shared_Clean:          4 kB\n"
	"Shared_Dirty:          8 kB\n"
	"Private_Clean:         0 kB\n"
	"Private_Dirty:         0 kB\n"
	"Referenced:           12 kB\n"
	"Anonymous:             0 kB\n"
	"AnonHugePages:         0 kB\n"
	"Locked:                0 kB\n"
	"THPeligible:           0\n"
	"VmFlags: rd wr sh mr mw ms pf io de dd \n"
	"7f1200400000-7f1200401000 r--p 00000000 08:01 77                         /tmp/a file with spaces\n"
	"Size:                  4 kB\n"
	"VmFlags: rd mr mw me sd zz \n"
	"7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
	"AnonHugePages:      2048 kB\n"
	"VmFlags: rd wr mr mw me gd ac \n";

TEST(smaps_finds_the_vma_of_an_address)
{
	struct mmapdemo_vma v;

	ASSERT_EQ(0, mmapdemo_smaps_parse(smaps_text, 0x7f1200001234, &v));
	EXPECT_EQ(0x7f1200000000, v.start);
	EXPECT_EQ(0x7f1200400000, v.end);
	EXPECT_STREQ("rw-s", v.perms);
	EXPECT_EQ(0x1000, v.offset);
	EXPECT_EQ(0, v.dev_major);
	EXPECT_EQ(5, v.dev_minor);
	EXPECT_EQ(1042, v.inode);
	EXPECT_STREQ("/dev/mmapdemo", v.path);
	EXPECT_EQ(4096, v.size_kb);
	EXPECT_EQ(12, v.rss_kb);
	EXPECT_EQ(6, v.pss_kb);
	EXPECT_EQ(4, v.shared_clean_kb);
	EXPECT_EQ(8, v.shared_dirty_kb);
	EXPECT_EQ(12, v.referenced_kb);
	ASSERT_EQ(10, v.nr_vmflags);
	EXPECT_STREQ("rd", v.vmflags[0]);
	EXPECT_STREQ("dd", v.vmflags[9]);
	/* VM_READ|WRITE|SHARED|MAY*|PFNMAP|IO|DONTEXPAND|DONTDUMP */
	EXPECT_EQ(0x040444bbULL, v.vm_flags);
}

TEST(smaps_edges)
{
	struct mmapdemo_vma v;

	/* The first byte is in, the end is out. */
	ASSERT_EQ(0, mmapdemo_smaps_parse(smaps_text, 0x55d0c0a00000, &v));
	EXPECT_STREQ("[heap]", v.path);
	EXPECT_EQ(8, v.private_dirty_kb);
	EXPECT_EQ(8, v.anonymous_kb);
	ASSERT_EQ(0, mmapdemo_smaps_parse(smaps_text, 0x7f1200400000, &v));
	EXPECT_STREQ("/tmp/a file with spaces", v.path);
	/* An unknown code is kept but maps to no bit. */
	ASSERT_EQ(6, v.nr_vmflags);
	EXPECT_STREQ("zz", v.vmflags[5]);
	EXPECT_EQ(0x08000071ULL, v.vm_flags);
	ASSERT_EQ(0, mmapdemo_smaps_parse(smaps_text, 0x7ffd00020fff, &v));
	EXPECT_EQ(2048, v.anon_huge_kb);
	EXPECT_EQ(0x00100173ULL, v.vm_flags);
	EXPECT_EQ(-ENOENT, mmapdemo_smaps_parse(smaps_text, 0x7ffd00021000, &v));
	EXPECT_EQ(-ENOENT, mmapdemo_smaps_parse(smaps_text, 0x1000, &v));
	EXPECT_EQ(0, v.start);
	EXPECT_EQ(-ENOENT, mmapdemo_smaps_parse("", 0x1000, &v));
	EXPECT_EQ(-EINVAL, mmapdemo_smaps_parse("MemTotal: 1 kB\n", 0x1000, &v));
	EXPECT_EQ(-EINVAL, mmapdemo_smaps_parse("1000-zz rw-p\n", 0x1000, &v));
	EXPECT_EQ(-EINVAL, mmapdemo_smaps_parse("2000-1000 rw-p 0 00:00 0\n",
						0x1800, &v));
}

TEST(smaps_of_this_process)
{
	long ps = sysconf(_SC_PAGESIZE);
	struct mmapdemo_vma v;
	char *p;

	p = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[ps] = 1;
	ASSERT_EQ(0, mmapdemo_smaps_read(p + ps, &v));
	EXPECT_LE(v.start, (uintptr_t)p);
	EXPECT_GE(v.end, (uintptr_t)p + 3 * ps);
	EXPECT_STREQ("rw-p", v.perms);
	EXPECT_GE(v.rss_kb, (uint64_t)ps / 1024);
	EXPECT_EQ(0x3, v.vm_flags & 0xf);	/* rd wr, not sh */
	munmap(p, 3 * ps);
	EXPECT_EQ(-ENOENT, mmapdemo_smaps_read(p + ps, &v));
}

TEST(pagemap_decode)
{
	struct mmapdemo_pagemap pm;

	mmapdemo_pagemap_decode((1ULL << 63) | (1ULL << 61) | (1ULL << 56) |
					0x12345,
				&pm);
	EXPECT_TRUE(pm.present);
	EXPECT_TRUE(pm.file_or_shared);
	EXPECT_TRUE(pm.exclusive);
	EXPECT_FALSE(pm.swapped);
	EXPECT_EQ(0x12345, pm.pfn);
	/* Swapped: the low bits are type and offset, not a frame. */
	mmapdemo_pagemap_decode((1ULL << 62) | 0x777, &pm);
	EXPECT_FALSE(pm.present);
	EXPECT_TRUE(pm.swapped);
	EXPECT_EQ(0, pm.pfn);
	mmapdemo_pagemap_decode((1ULL << 55) | (1ULL << 57), &pm);
	EXPECT_TRUE(pm.soft_dirty);
	EXPECT_TRUE(pm.uffd_wp);
	EXPECT_FALSE(pm.present);
	mmapdemo_pagemap_decode(0, &pm);
	EXPECT_FALSE(pm.present);
	EXPECT_EQ(0, pm.raw);
}

TEST(pagemap_of_this_process)
{
	long ps = sysconf(_SC_PAGESIZE);
	struct mmapdemo_pagemap pm;
	char *p;

	p = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	p[0] = 1;
	ASSERT_EQ(0, mmapdemo_pagemap_read(p, &pm));
	EXPECT_TRUE(pm.present);
	EXPECT_TRUE(pm.exclusive);
	/* Only CAP_SYS_ADMIN sees frame numbers. */
	if (geteuid() == 0)
		EXPECT_NE(0, pm.pfn);
	ASSERT_EQ(0, mmapdemo_pagemap_read(p + ps, &pm));
	EXPECT_FALSE(pm.present);
	munmap(p, 2 * ps);
}

TEST(t_pte_bits)
{
	char buf[128];
	int n;

	n = mmapdemo_pte_bits_format(MMAPDEMO_PTE_PRESENT | MMAPDEMO_PTE_WRITE |
					     MMAPDEMO_PTE_USER |
					     MMAPDEMO_PTE_ACCESSED |
					     MMAPDEMO_PTE_DIRTY |
					     MMAPDEMO_PTE_LEAF,
				     buf, sizeof(buf));
	EXPECT_STREQ("present write user accessed dirty leaf", buf);
	EXPECT_EQ((int)strlen(buf), n);
	mmapdemo_pte_bits_format(MMAPDEMO_PTE_SPECIAL | MMAPDEMO_PTE_NX |
					 MMAPDEMO_PTE_PCD | MMAPDEMO_PTE_PWT |
					 MMAPDEMO_PTE_PAT | MMAPDEMO_PTE_GLOBAL,
				 buf, sizeof(buf));
	EXPECT_STREQ("pwt pcd global special pat nx", buf);
	mmapdemo_pte_bits_format(0, buf, sizeof(buf));
	EXPECT_STREQ("", buf);
	/* Unknown bits are not dropped silently. */
	mmapdemo_pte_bits_format(MMAPDEMO_PTE_PRESENT | (1U << 20), buf,
				 sizeof(buf));
	EXPECT_STREQ("present 0x100000", buf);
	/* Truncation: like snprintf, the full length comes back. */
	n = mmapdemo_pte_bits_format(MMAPDEMO_PTE_PRESENT | MMAPDEMO_PTE_WRITE,
				     buf, 5);
	EXPECT_EQ(13, n);
	EXPECT_STREQ("pres", buf);
}

/* The walk levels' decoded flags, and the name of the raw format. */
TEST(t_entry_flags)
{
	char buf[128];
	int n;

	n = mmapdemo_entry_flags_format(MMAPDEMO_ENTRY_PRESENT |
						MMAPDEMO_ENTRY_WRITABLE |
						MMAPDEMO_ENTRY_USER |
						MMAPDEMO_ENTRY_ACCESSED |
						MMAPDEMO_ENTRY_DIRTY |
						MMAPDEMO_ENTRY_NOEXEC |
						MMAPDEMO_ENTRY_SPECIAL |
						MMAPDEMO_ENTRY_LEAF |
						MMAPDEMO_ENTRY_HUGE,
					buf, sizeof(buf));
	EXPECT_STREQ("present writable user accessed dirty noexec special leaf huge",
		     buf);
	EXPECT_EQ((int)strlen(buf), n);
	mmapdemo_entry_flags_format(MMAPDEMO_ENTRY_LEAF | (1U << 20), buf,
				    sizeof(buf));
	EXPECT_STREQ("leaf 0x100000", buf);
	n = mmapdemo_entry_flags_format(MMAPDEMO_ENTRY_PRESENT, buf, 4);
	EXPECT_EQ(7, n);
	EXPECT_STREQ("pre", buf);
	EXPECT_STREQ("x86_64", mmapdemo_arch_name(MMAPDEMO_ARCH_X86_64));
	EXPECT_STREQ("none", mmapdemo_arch_name(MMAPDEMO_ARCH_NONE));
	EXPECT_EQ(NULL, mmapdemo_arch_name(99));
}

/* The legend names every bit the walk decodes, and the PAT types. */
TEST(t_pte_legend)
{
	static const char *const walk_names[] = {
		"present", "write", "user", "pwt", "pcd", "accessed", "dirty",
		"leaf", "global", "special", "pat", "nx", "soft-dirty",
		"uffd-wp",
	};
	unsigned int i, j, index;
	char buf[64];

	for (i = 0; i < sizeof(walk_names) / sizeof(walk_names[0]); i++) {
		for (j = 0; j < nr_pte_bit_docs; j++)
			if (!strncmp(pte_bit_docs[j].name, walk_names[i],
				     strlen(walk_names[i])))
				break;
		EXPECT_LT(j, nr_pte_bit_docs) {
			TH_LOG("no legend for %s", walk_names[i]);
		}
	}
	EXPECT_STREQ("WB", pte_memtype(0, &index));
	EXPECT_EQ(0, index);
	EXPECT_STREQ("WC", pte_memtype(MMAPDEMO_PTE_PWT, &index));
	EXPECT_STREQ("UC-", pte_memtype(MMAPDEMO_PTE_PCD, NULL));
	EXPECT_STREQ("UC", pte_memtype(MMAPDEMO_PTE_PCD | MMAPDEMO_PTE_PWT,
				       NULL));
	EXPECT_STREQ("WP", pte_memtype(MMAPDEMO_PTE_PAT | MMAPDEMO_PTE_PWT,
				       &index));
	EXPECT_EQ(5, index);
	EXPECT_STREQ("WT", pte_memtype(MMAPDEMO_PTE_PAT | MMAPDEMO_PTE_PCD |
					       MMAPDEMO_PTE_PWT, NULL));
	/* The PTE of cli.rst's example: soft-dirty (bit 11) with dirty. */
	EXPECT_EQ(10, pte_soft_bits_format(0x8000000004201867ULL,
					   MMAPDEMO_PTE_LEAF, buf, sizeof(buf)));
	EXPECT_STREQ("soft-dirty", buf);
	EXPECT_EQ(18, pte_soft_bits_format(0xc00ULL, MMAPDEMO_PTE_LEAF, buf,
					   sizeof(buf)));
	EXPECT_STREQ("uffd-wp soft-dirty", buf);
	/* A table entry's software bits are not decoded. */
	EXPECT_EQ(0, pte_soft_bits_format(0x867ULL, 0, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
}

/*
 * arm64 descriptors: a user page of RAM as 7.3 writes it (valid page,
 * AttrIndx 0, AP[2:1]=01, SH, AF, nG, DBM, PXN, UXN), a Normal-NC block,
 * a table, and MAIR_EL1's types as the kernel sets them.
 */
TEST(t_arm64_legend)
{
	unsigned int index;
	char buf[160];

	EXPECT_STREQ("arm64", mmapdemo_arch_name(MMAPDEMO_ARCH_ARM64));
	arm64_bits_format(0x0068000042a00f43ULL, true, buf, sizeof(buf));
	EXPECT_STREQ("page AttrIndx=0 AP[2:1]=01 AF nG DBM PXN UXN", buf);
	EXPECT_STREQ("Normal", arm64_memtype(0x0068000042a00f43ULL, &index));
	EXPECT_EQ(0, index);
	arm64_bits_format(0x00e8000040000f49ULL, false, buf, sizeof(buf));
	EXPECT_STREQ("block AttrIndx=2 AP[2:1]=01 AF nG DBM PXN UXN sw-dirty",
		     buf);
	EXPECT_STREQ("Normal-NC", arm64_memtype(0x8ULL, &index));
	EXPECT_EQ(2, index);
	EXPECT_STREQ("Device-nGnRnE", arm64_memtype(0xcULL, NULL));
	EXPECT_STREQ("Device-nGnRE", arm64_memtype(0x10ULL, NULL));
	EXPECT_STREQ("(unused index)", arm64_memtype(0x1cULL, NULL));
	arm64_bits_format(0x0000000041234003ULL, false, buf, sizeof(buf));
	EXPECT_STREQ("table APTable=0", buf);
	/* A page at the last level has bits 1:0 = 11, a block above 01. */
	arm64_bits_format(0x0000000041234003ULL, true, buf, sizeof(buf));
	EXPECT_STREQ("page AttrIndx=0 AP[2:1]=00", buf);
	EXPECT_EQ(0, arm64_bits_format(0, true, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	EXPECT_LT(10U, nr_pte_bit_docs_arm64);
}

TEST(t_vm_flags)
{
	char buf[128];

	mmapdemo_vm_flags_format(0x040444bbULL, buf, sizeof(buf));
	EXPECT_STREQ("rd wr sh mr mw ms pf io de dd", buf);
	/* The insert strategy: VM_MIXEDMAP. */
	mmapdemo_vm_flags_format(0x140400fbULL, buf, sizeof(buf));
	EXPECT_STREQ("rd wr sh mr mw me ms de dd mm", buf);
	mmapdemo_vm_flags_format(1ULL << 40 | 1, buf, sizeof(buf));
	EXPECT_STREQ("rd 0x10000000000", buf);
	EXPECT_EQ(0x400, mmapdemo_vmflag_bit("pf"));
	EXPECT_EQ(0, mmapdemo_vmflag_bit("zz"));
	EXPECT_EQ(0, mmapdemo_vmflag_bit("sl"));	/* moves between kernels */
	EXPECT_STREQ("pure PFN range", mmapdemo_vmflag_describe("pf"));
	EXPECT_STREQ("mixed map area", mmapdemo_vmflag_describe("mm"));
	EXPECT_EQ(NULL, mmapdemo_vmflag_describe("zz"));
}

TEST(t_names)
{
	EXPECT_STREQ("fault", mmapdemo_strategy_name(MMAPDEMO_STRATEGY_FAULT));
	EXPECT_STREQ("remap", mmapdemo_strategy_name(MMAPDEMO_STRATEGY_REMAP));
	EXPECT_STREQ("insert",
		     mmapdemo_strategy_name(MMAPDEMO_STRATEGY_INSERT));
	EXPECT_STREQ("huge", mmapdemo_strategy_name(MMAPDEMO_STRATEGY_HUGE));
	EXPECT_STREQ("defio", mmapdemo_strategy_name(MMAPDEMO_STRATEGY_DEFIO));
	EXPECT_EQ(NULL, mmapdemo_strategy_name(5));
	EXPECT_EQ(MMAPDEMO_STRATEGY_DEFIO, mmapdemo_strategy_parse("defio"));
	EXPECT_EQ(MMAPDEMO_STRATEGY_INSERT, mmapdemo_strategy_parse("insert"));
	EXPECT_EQ(-EINVAL, mmapdemo_strategy_parse("Insert"));
	EXPECT_EQ(-EINVAL, mmapdemo_strategy_parse(""));
	EXPECT_EQ(-EINVAL, mmapdemo_strategy_parse(NULL));
	EXPECT_STREQ("PGD", mmapdemo_level_name(MMAPDEMO_LEVEL_PGD));
	EXPECT_STREQ("PTE", mmapdemo_level_name(MMAPDEMO_LEVEL_PTE));
	EXPECT_EQ(NULL, mmapdemo_level_name(MMAPDEMO_LEVELS));
	EXPECT_STREQ(MMAPDEMO_LIB_VERSION, mmapdemo_version());
}

TEST(t_dma)
{
	struct mmapdemo_dma_info info;
	uint64_t a = 1, p = 1;
	struct mmapdemo *md;

	EXPECT_TRUE(mmapdemo_dma_is_device("/dev/mmapdemo-dma-0000:00:03.0"));
	EXPECT_TRUE(mmapdemo_dma_is_device("mmapdemo-dma-0000:00:03.0"));
	EXPECT_FALSE(mmapdemo_dma_is_device("/dev/mmapdemo-0000:00:03.0"));
	EXPECT_FALSE(mmapdemo_dma_is_device("/dev/mmapdemo"));
	EXPECT_FALSE(mmapdemo_dma_is_device(NULL));

	/* A file that is no DMA device: the ioctls' errno, the struct zeroed. */
	ASSERT_EQ(0, mmapdemo_open("/dev/null", O_RDWR, &md));
	memset(&info, 0xa5, sizeof(info));
	EXPECT_EQ(-ENOTTY, mmapdemo_dma_info(md, &info));
	EXPECT_EQ(0, info.size);
	EXPECT_EQ(0, info.dma_addr);
	EXPECT_EQ(-ENOTTY, mmapdemo_dma_xfer(md, MMAPDEMO_DMA_FROM_DEVICE, 0,
					     0, 64));
	/* No address is made up when the kernel gives none. */
	EXPECT_EQ(-ENOTTY, mmapdemo_dma_addr_of(md, 0x1000, &a, &p));
	EXPECT_EQ(0, a);
	EXPECT_EQ(0, p);
	mmapdemo_close(md);
}

TEST(t_parse_size)
{
	uint64_t v;

	ASSERT_EQ(0, parse_size("4096", &v));
	EXPECT_EQ(4096, v);
	ASSERT_EQ(0, parse_size("64K", &v));
	EXPECT_EQ(65536, v);
	ASSERT_EQ(0, parse_size("16M", &v));
	EXPECT_EQ(16 << 20, v);
	ASSERT_EQ(0, parse_size("16MiB", &v));
	EXPECT_EQ(16 << 20, v);
	ASSERT_EQ(0, parse_size("1g", &v));
	EXPECT_EQ(1ULL << 30, v);
	ASSERT_EQ(0, parse_size("0x2000", &v));
	EXPECT_EQ(0x2000, v);
	EXPECT_EQ(-EINVAL, parse_size("", &v));
	EXPECT_EQ(-EINVAL, parse_size("-1", &v));
	EXPECT_EQ(-EINVAL, parse_size("12Q", &v));
	EXPECT_EQ(-EINVAL, parse_size("4K4", &v));
	EXPECT_EQ(-EINVAL, parse_size("M", &v));
	EXPECT_EQ(-ERANGE, parse_size("17179869184G", &v));
	EXPECT_EQ(-EINVAL, parse_size("99999999999999999999999", &v));
}

TEST(parse_address_and_prot)
{
	char buf[4];
	uint64_t a;
	int prot;

	ASSERT_EQ(0, parse_address("0x7f0000001234", &a));
	EXPECT_EQ(0x7f0000001234, a);
	EXPECT_EQ(-EINVAL, parse_address("0x7fzz", &a));
	EXPECT_EQ(-EINVAL, parse_address("", &a));
	ASSERT_EQ(0, parse_prot("rw", &prot));
	EXPECT_EQ(PROT_READ | PROT_WRITE, prot);
	ASSERT_EQ(0, parse_prot("r--", &prot));
	EXPECT_EQ(PROT_READ, prot);
	ASSERT_EQ(0, parse_prot("none", &prot));
	EXPECT_EQ(PROT_NONE, prot);
	ASSERT_EQ(0, parse_prot("read", &prot));
	EXPECT_EQ(PROT_READ, prot);
	EXPECT_EQ(-EINVAL, parse_prot("rwq", &prot));
	EXPECT_EQ(-EINVAL, parse_prot("", &prot));
	format_prot(PROT_READ | PROT_EXEC, buf);
	EXPECT_STREQ("r-x", buf);
}

TEST(t_map_flags)
{
	char buf[128];

	format_map_flags(MAP_SHARED | MAP_POPULATE, buf, sizeof(buf));
	EXPECT_STREQ("MAP_SHARED|MAP_POPULATE", buf);
	format_map_flags(MAP_PRIVATE, buf, sizeof(buf));
	EXPECT_STREQ("MAP_PRIVATE", buf);
	format_map_flags(MAP_SHARED_VALIDATE | MAP_SYNC, buf, sizeof(buf));
	EXPECT_STREQ("MAP_SHARED_VALIDATE|MAP_SYNC", buf);
	format_map_flags(MAP_SHARED | MAP_FIXED_NOREPLACE, buf, sizeof(buf));
	EXPECT_STREQ("MAP_SHARED|MAP_FIXED_NOREPLACE", buf);
	format_map_flags(MAP_PRIVATE | 0x40000000, buf, sizeof(buf));
	EXPECT_STREQ("MAP_PRIVATE|0x40000000", buf);
}

/* Run the report into a file and return what it printed. */
static char *capture_report(bool json)
{
	struct cli cli = { .json = json };
	static char out[4096];
	FILE *f = tmpfile();
	int saved = dup(STDOUT_FILENO);
	size_t n;

	fflush(stdout);
	dup2(fileno(f), STDOUT_FILENO);
	report_begin(&cli);
	report_section("vma", "VMA");
	report_hex("start", "start", 0x7f0000000000ULL);
	report_str("path", "file", "a \"quoted\"\tname\\");
	report_list("levels", "levels");
	report_item(NULL);
	report_u64("n", "n", 1);
	report_close();
	report_item(NULL);
	report_bool("ok", "ok", false);
	report_close();
	report_close();
	report_list("empty", NULL);
	report_close();
	report_close();
	report_i64("delta", "delta", -2);
	report_text("prose %d", 1);
	report_end();
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

TEST(t_report_json)
{
	EXPECT_STREQ("{\n"
		     "  \"vma\": {\n"
		     "    \"start\": \"0x7f0000000000\",\n"
		     "    \"path\": \"a \\\"quoted\\\"\\tname\\\\\",\n"
		     "    \"levels\": [\n"
		     "      {\n"
		     "        \"n\": 1\n"
		     "      },\n"
		     "      {\n"
		     "        \"ok\": false\n"
		     "      }\n"
		     "    ],\n"
		     "    \"empty\": []\n"
		     "  },\n"
		     "  \"delta\": -2\n"
		     "}\n",
		     capture_report(true));
}

TEST(t_report_text)
{
	EXPECT_STREQ("\nVMA\n"
		     "  start                    0x7f0000000000\n"
		     "  file                     a \"quoted\"\tname\\\n"
		     "  levels\n"
		     "    n                        1\n"
		     "    ok                       no\n"
		     "delta                    -2\n"
		     "prose 1\n",
		     capture_report(false));
}

TEST(t_bench_sizes)
{
	struct bench_config cfg;

	ASSERT_EQ(0, bench_parse_sizes("256M", &cfg));
	ASSERT_EQ(7, cfg.nr_sizes);
	EXPECT_EQ(65536, cfg.sizes[0]);
	EXPECT_EQ(1 << 20, cfg.sizes[2]);
	EXPECT_EQ(256 << 20, cfg.sizes[6]);
	/* A maximum between two powers of 4 stops below it. */
	ASSERT_EQ(0, bench_parse_sizes("100M", &cfg));
	EXPECT_EQ(64 << 20, cfg.sizes[cfg.nr_sizes - 1]);
	ASSERT_EQ(0, bench_parse_sizes("64K,1M,12K", &cfg));
	ASSERT_EQ(3, cfg.nr_sizes);
	EXPECT_EQ(12288, cfg.sizes[2]);
	EXPECT_EQ(-EINVAL, bench_parse_sizes("32K", &cfg));
	EXPECT_EQ(-EINVAL, bench_parse_sizes("64K,1000", &cfg));
	EXPECT_EQ(-EINVAL, bench_parse_sizes("64K,x", &cfg));
	EXPECT_EQ(-E2BIG, bench_parse_sizes("4K,4K,4K,4K,4K,4K,4K,4K,4K,4K,4K,4K,4K",
					    &cfg));
}

TEST(t_bench_median)
{
	double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 }, one[] = { 7 };

	EXPECT_EQ(2.0, bench_median(odd, 3));
	EXPECT_EQ(1.0, odd[0]);	/* sorted: min first, max last */
	EXPECT_EQ(3.0, odd[2]);
	EXPECT_EQ(2.5, bench_median(even, 4));
	EXPECT_EQ(7.0, bench_median(one, 1));
	EXPECT_EQ(0.0, bench_median(one, 0));
}

/* json.c reads what the report writes, and refuses what is not JSON. */
TEST(t_json_reader)
{
	struct json *v = json_parse(
		"{\n  \"release\": \"6.12.95+deb12-amd64\",\n"
		"  \"cases\": {\"ram-fault\": {\"status\": 0, \"tree\": [\n"
		"    {\"function\": \"a\\\"b\\\\c\\n\\u0041\", \"callback\": true,"
		" \"folded\": 12, \"calls\": []}, {\"x\": null}]}}\n}\n");
	const struct json *tree, *first;

	ASSERT_NE(NULL, v);
	EXPECT_STREQ("6.12.95+deb12-amd64", json_str(v, "release"));
	tree = json_get(json_get(json_get(v, "cases"), "ram-fault"), "tree");
	ASSERT_NE(NULL, tree);
	ASSERT_EQ(JSON_ARRAY, tree->type);
	first = tree->child;
	ASSERT_NE(NULL, first);
	EXPECT_STREQ("a\"b\\c\nA", json_str(first, "function"));
	EXPECT_TRUE(json_bool(first, "callback"));
	EXPECT_FALSE(json_bool(first, "driver"));
	EXPECT_EQ(12, (int)json_get(first, "folded")->number);
	EXPECT_EQ(JSON_NULL, json_get(first->next, "x")->type);
	EXPECT_EQ(NULL, json_get(v, "nothing"));
	json_free(v);
	EXPECT_EQ(NULL, json_parse("{\"a\": }"));
	EXPECT_EQ(NULL, json_parse("{\"a\": 1} x"));
	EXPECT_EQ(NULL, json_parse("[1, 2"));
	EXPECT_EQ(NULL, json_parse("\"open"));
}

TEST_HARNESS_MAIN
