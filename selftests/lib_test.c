// SPDX-License-Identifier: GPL-2.0
/*
 * libmmapdemo against the real device: each call does what include/
 * mmapdemo.h says, and its three views of a mapping agree with each other:
 * the VMA flags in smaps with the kernel's walk, and pagemap's PFN with
 * the walk's.  Linked against the installed shared library.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mmapdemo.h"
#include "mmapdemo_util.h"

/* The VM_* bits the library can name from VmFlags codes (decode.c). */
FIXTURE(lib)
{
	struct mmapdemo *md;
	struct mmapdemo_info info;
	long ps;
};

FIXTURE_VARIANT(lib)
{
	unsigned int strategy;
	uint64_t must_have;	/* MMAPDEMO_VMF_* bits the strategy sets */
};

FIXTURE_VARIANT_ADD(lib, fault)
{
	.strategy = MMAPDEMO_STRATEGY_FAULT,
	.must_have = MMAPDEMO_VMF_DONTEXPAND | MMAPDEMO_VMF_DONTDUMP,
};

FIXTURE_VARIANT_ADD(lib, remap)
{
	.strategy = MMAPDEMO_STRATEGY_REMAP,
	.must_have = MMAPDEMO_VMF_DONTEXPAND | MMAPDEMO_VMF_DONTDUMP |
		     MMAPDEMO_VMF_PFNMAP | MMAPDEMO_VMF_IO,
};

FIXTURE_VARIANT_ADD(lib, insert)
{
	.strategy = MMAPDEMO_STRATEGY_INSERT,
	.must_have = MMAPDEMO_VMF_DONTEXPAND | MMAPDEMO_VMF_DONTDUMP |
		     MMAPDEMO_VMF_MIXEDMAP,
};

FIXTURE_SETUP(lib)
{
	int ret = mmapdemo_open(NULL, O_RDWR, &self->md);

	if (ret == -ENOENT)
		MMAPDEMO_SETUP_SKIP("no " MMAPDEMO_DEVICE ": load the module (mmapdemo load mmapdemo.ko)");
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, mmapdemo_set_strategy(self->md, variant->strategy));
	ASSERT_EQ(0, mmapdemo_get_info(self->md, &self->info));
	self->ps = sysconf(_SC_PAGESIZE);
}

FIXTURE_TEARDOWN(lib)
{
	mmapdemo_close(self->md);
}

TEST_F(lib, info_and_strategy)
{
	void *p;

	EXPECT_EQ((__u32)MMAPDEMO_ABI_VERSION, self->info.abi_version);
	EXPECT_EQ(variant->strategy, self->info.strategy);
	EXPECT_EQ((__u32)self->ps, self->info.page_size);
	EXPECT_GE(mmapdemo_fd(self->md), 0);
	ASSERT_EQ(0, mmapdemo_map(self->md, self->ps, PROT_READ, MAP_SHARED, 0,
				  &p));
	/* The strategy is fixed once the file is mapped. */
	EXPECT_EQ(-EBUSY, mmapdemo_set_strategy(self->md, variant->strategy));
	EXPECT_EQ(0, mmapdemo_unmap(p, self->ps));
	EXPECT_EQ(-EINVAL, mmapdemo_set_strategy(self->md, 7));
}

TEST_F(lib, map_errors)
{
	void *p = NULL;

	/* Beyond the end of the device. */
	EXPECT_EQ(-EINVAL, mmapdemo_map(self->md, 2 * self->ps, PROT_READ,
					MAP_SHARED,
					(off_t)self->info.size - self->ps, &p));
	EXPECT_EQ(NULL, p);
	EXPECT_EQ(-EPERM, mmapdemo_map(self->md, self->ps, PROT_EXEC,
				       MAP_SHARED, 0, &p));
	EXPECT_EQ(-EINVAL, mmapdemo_unmap((void *)1, self->ps));
	/* A fixed mapping needs its address: never page 0 by accident. */
	EXPECT_EQ(-EINVAL, mmapdemo_map(self->md, self->ps, PROT_READ,
					MAP_SHARED | MAP_FIXED_NOREPLACE, 0,
					&p));
}

TEST_F(lib, map_at)
{
	void *want = (void *)0x7e0000000000, *p = NULL;

	ASSERT_EQ(0, mmapdemo_map_at(self->md, want, self->ps, PROT_READ,
				     MAP_SHARED | MAP_FIXED_NOREPLACE, 0, &p));
	EXPECT_EQ(want, p);
	/* NOREPLACE: the range is taken now. */
	EXPECT_EQ(-EEXIST, mmapdemo_map_at(self->md, want, self->ps, PROT_READ,
					   MAP_SHARED | MAP_FIXED_NOREPLACE, 0,
					   &p));
	EXPECT_EQ(0, mmapdemo_unmap(want, self->ps));
}

/* smaps, the walk and pagemap agree about one mapped page. */
TEST_F(lib, three_views_agree)
{
	struct mmapdemo_stats before, after;
	struct mmapdemo_pagemap pm;
	struct mmapdemo_vma vma;
	struct mmapdemo_walk w;
	char *p;

	ASSERT_EQ(0, mmapdemo_get_stats(self->md, &before));
	ASSERT_EQ(0, mmapdemo_map(self->md, 4 * self->ps,
				  PROT_READ | PROT_WRITE, MAP_SHARED,
				  2 * self->ps, (void **)&p));
	p[self->ps] = 'x';
	ASSERT_EQ(0, mmapdemo_get_stats(self->md, &after));
	EXPECT_EQ(before.mmaps + 1, after.mmaps);

	ASSERT_EQ(0, mmapdemo_smaps_read(p + self->ps, &vma));
	EXPECT_EQ((uint64_t)(uintptr_t)p, vma.start);
	EXPECT_EQ((uint64_t)(uintptr_t)p + 4 * self->ps, vma.end);
	EXPECT_STREQ(MMAPDEMO_DEVICE, vma.path);
	EXPECT_STREQ("rw-s", vma.perms);
	EXPECT_EQ((uint64_t)(2 * self->ps), vma.offset);

	ASSERT_EQ(0, mmapdemo_walk(self->md, p + self->ps, &w));
	EXPECT_EQ((__u32)MMAPDEMO_WALK_MAPPED, w.result);
	EXPECT_EQ((__u32)MMAPDEMO_VMA_MMAPDEMO, w.vma_kind);
	EXPECT_EQ(variant->strategy, w.vma_strategy);
	EXPECT_EQ(3ULL, w.device_page);
	/* Every VmFlags code has its MMAPDEMO_VMF_* bit, and the other way. */
	EXPECT_EQ(vma.vm_flags, w.vma_vmflags);
	EXPECT_EQ(variant->must_have, w.vma_vmflags & variant->must_have);

	ASSERT_EQ(0, mmapdemo_pagemap_read(p + self->ps, &pm));
	if (variant->strategy == MMAPDEMO_STRATEGY_REMAP) {
		/* VM_PFNMAP: walk_page_test() skips the VMA for the flag. */
		EXPECT_FALSE(pm.present);
	} else {
		EXPECT_TRUE(pm.present);
		EXPECT_TRUE(pm.file_or_shared);
		EXPECT_EQ(w.pfn, pm.pfn);
		EXPECT_NE(0ULL, pm.pfn);
	}
	EXPECT_EQ(0, mmapdemo_unmap(p, 4 * self->ps));
}

/*
 * A program linked against 1.0 or 1.1 calls mmapdemo_walk@LIBMMAPDEMO_1.0
 * with the struct's second version: it gets the fields of that version and
 * not a byte more; programs linked now get the decoded levels.
 */
TEST_F(lib, walk_of_older_programs)
{
	typedef int walk_fn(struct mmapdemo *, const void *,
			    struct mmapdemo_walk *);
	const size_t v2 = offsetof(struct mmapdemo_walk, arch);
	struct mmapdemo_walk w, old;
	char flags[128];
	walk_fn *walk_1_0;
	char *p;

	walk_1_0 = (walk_fn *)dlvsym(RTLD_DEFAULT, "mmapdemo_walk",
				     "LIBMMAPDEMO_1.0");
	ASSERT_NE(NULL, walk_1_0);
	ASSERT_EQ(0, mmapdemo_map(self->md, self->ps, PROT_READ | PROT_WRITE,
				  MAP_SHARED, 0, (void **)&p));
	p[0] = 1;
	ASSERT_EQ(0, mmapdemo_walk(self->md, p, &w));
#ifdef __aarch64__
	EXPECT_STREQ("arm64", mmapdemo_arch_name(w.arch));
#else
	EXPECT_STREQ("x86_64", mmapdemo_arch_name(w.arch));
#endif
	mmapdemo_entry_flags_format(w.level[MMAPDEMO_LEVEL_PTE].flags, flags,
				    sizeof(flags));
	EXPECT_EQ(0, strncmp(flags, "present writable user accessed dirty", 36))
		TH_LOG("PTE flags: %s", flags);
	memset(&old, 0xa5, sizeof(old));
	ASSERT_EQ(0, walk_1_0(self->md, p, &old));
	EXPECT_EQ(0, memcmp(&w, &old, v2));
	EXPECT_EQ(0xa5a5a5a5U, old.arch);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, old.level[0].raw);
	EXPECT_EQ(0, mmapdemo_unmap(p, self->ps));
}

TEST_F(lib, stats_of_older_programs)
{
	typedef int stats_fn(struct mmapdemo *, struct mmapdemo_stats *);
	const size_t v1 = offsetof(struct mmapdemo_stats, defio_dirtied);
	struct mmapdemo_stats st, old;
	stats_fn *stats_1_0;

	stats_1_0 = (stats_fn *)dlvsym(RTLD_DEFAULT, "mmapdemo_get_stats",
				       "LIBMMAPDEMO_1.0");
	ASSERT_NE(NULL, stats_1_0);
	memset(&old, 0xa5, sizeof(old));
	ASSERT_EQ(0, stats_1_0(self->md, &old));
	ASSERT_EQ(0, mmapdemo_get_stats(self->md, &st));
	/* The older struct's last counter is filled, nothing after it. */
	EXPECT_NE(0xa5a5a5a5a5a5a5a5ULL, old.huge_fallbacks);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, old.defio_dirtied);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, old.defio_reprotected);
	EXPECT_NE(0xa5a5a5a5a5a5a5a5ULL, st.defio_reprotected);
	EXPECT_EQ(st.mmaps, old.mmaps);
	EXPECT_GT(v1, offsetof(struct mmapdemo_stats, huge_fallbacks));
}

TEST_F(lib, module_query)
{
	struct mmapdemo_module_state st;

	ASSERT_EQ(0, mmapdemo_module_query(&st));
	EXPECT_TRUE(st.loaded);
	/* This test's open file holds the module. */
	EXPECT_GE(st.refcount, 1);
	EXPECT_EQ(self->info.size, st.size);
	EXPECT_STREQ(mmapdemo_strategy_name(self->info.default_strategy),
		     st.strategy);
	/* Loading again is refused, unloading while open too. */
	EXPECT_EQ(-EEXIST, mmapdemo_module_load(getenv("LAB_MODULE") ?:
							"/lib/mmapdemo/mmapdemo.ko",
						NULL));
	EXPECT_EQ(-EWOULDBLOCK, mmapdemo_module_unload());
}

TEST(open_error_no_such_file)
{
	struct mmapdemo *md = NULL;

	EXPECT_EQ(-ENOENT, mmapdemo_open("/dev/nonexistent", O_RDWR, &md));
	EXPECT_EQ(NULL, md);
}

TEST(open_error_not_a_directory)
{
	struct mmapdemo *md = NULL;

	if (access(MMAPDEMO_DEVICE, F_OK))
		SKIP(return, "no " MMAPDEMO_DEVICE ": load the module (mmapdemo load mmapdemo.ko)");
	EXPECT_EQ(-ENOTDIR, mmapdemo_open(MMAPDEMO_DEVICE, O_RDWR | O_DIRECTORY,
					  &md));
	EXPECT_EQ(NULL, md);
}

TEST_HARNESS_MAIN
