// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl ABI of <linux/mmapdemo.h>: every command with good and bad
 * input, struct sizes older and newer than the module's, and no
 * uninitialised byte in what comes back.
 */
#include <linux/ioctl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

/* A command number with another struct size, as an older or newer caller
 * would build it.
 */
#define WITH_SIZE(cmd, size) \
	(((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT)) | \
	 ((unsigned long)(size) << _IOC_SIZESHIFT))

FIXTURE(ioctl)
{
	int fd;
};

FIXTURE_SETUP(ioctl)
{
	self->fd = open(MMAPDEMO_DEV, O_RDWR);
	if (self->fd < 0)
		MMAPDEMO_SETUP_SKIP(MMAPDEMO_HINT);
}

FIXTURE_TEARDOWN(ioctl)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(ioctl, info_describes_the_device)
{
	struct mmapdemo_info info;
	long page = sysconf(_SC_PAGESIZE);

	/* Pattern first: anything the module leaves unwritten shows. */
	memset(&info, 0xa5, sizeof(info));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_INFO, &info));
	EXPECT_EQ((__u32)MMAPDEMO_ABI_VERSION, info.abi_version);
	EXPECT_EQ((__u32)page, info.page_size);
	EXPECT_NE(0ULL, info.size);
	EXPECT_EQ(0ULL, info.size % page);
	EXPECT_EQ(info.default_strategy, info.strategy);
	EXPECT_EQ(0U, info.flags);
	/* DEFIO_WRPROTECT depends on the kernel: defio_test checks it. */
	EXPECT_EQ(MMAPDEMO_FEATURE_FAULT | MMAPDEMO_FEATURE_REMAP |
		  MMAPDEMO_FEATURE_INSERT | MMAPDEMO_FEATURE_TRACEPOINTS |
			  MMAPDEMO_FEATURE_WALK | MMAPDEMO_FEATURE_DEFIO,
		  info.features & ~MMAPDEMO_FEATURE_DEFIO_WRPROTECT);
}

TEST_F(ioctl, stats_are_consistent)
{
	struct mmapdemo_stats st;

	memset(&st, 0xa5, sizeof(st));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_STATS, &st));
	/* Every live VMA was made by an mmap or an open, and not closed. */
	EXPECT_EQ(st.mmaps + st.vma_opens - st.vma_closes, st.live_vmas);
	EXPECT_NE(0xa5a5a5a5a5a5a5a5ULL, st.faults);
}

TEST_F(ioctl, set_strategy_each_and_bad_ones)
{
	struct mmapdemo_set_strategy req = { 0 };
	__u32 s;

	for (s = MMAPDEMO_STRATEGY_FAULT; s <= MMAPDEMO_STRATEGY_INSERT; s++) {
		req.strategy = s;
		ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
		EXPECT_EQ(s, mmapdemo_info(self->fd).strategy);
	}
	req.strategy = 3;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
	EXPECT_EQ(EINVAL, errno);
	req.strategy = 0xffffffff;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
	EXPECT_EQ(EINVAL, errno);
	req.strategy = MMAPDEMO_STRATEGY_FAULT;
	req.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_SET_STRATEGY, &req));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing changed by the failures. */
	EXPECT_EQ((__u32)MMAPDEMO_STRATEGY_INSERT, mmapdemo_info(self->fd).strategy);
}

TEST_F(ioctl, strategy_is_per_file)
{
	int other = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_REMAP);

	ASSERT_GE(other, 0);
	EXPECT_EQ((__u32)MMAPDEMO_STRATEGY_REMAP, mmapdemo_info(other).strategy);
	EXPECT_EQ(mmapdemo_info(self->fd).default_strategy,
		  mmapdemo_info(self->fd).strategy);
	close(other);
}

TEST_F(ioctl, unknown_commands_are_enotty)
{
	char buf[64] = { 0 };

	EXPECT_EQ(-1, ioctl(self->fd, _IOR(MMAPDEMO_IOCTL_TYPE, 0x7f, buf), buf));
	EXPECT_EQ(ENOTTY, errno);
	/* A known number in the wrong direction is another command. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(MMAPDEMO_IOCTL_TYPE, 0x00,
					   struct mmapdemo_info), buf));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(MMAPDEMO_IOCTL_TYPE, 0x02), buf));
	EXPECT_EQ(ENOTTY, errno);
	/* Another driver's type letter. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOR('T', 0x00, struct mmapdemo_info),
			    buf));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(ioctl, bad_pointers_are_efault)
{
	struct mmapdemo_set_strategy *ro;

	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_INFO, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_STATS, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_SET_STRATEGY, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* A kernel address. */
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_INFO,
			    (void *)0xffffffff81000000UL));
	EXPECT_EQ(EFAULT, errno);
	/* Output into read-only memory. */
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_INFO, ro));
	EXPECT_EQ(EFAULT, errno);
	munmap(ro, 4096);
}

TEST_F(ioctl, short_structs_are_einval)
{
	char buf[64];

	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(-1, ioctl(self->fd, WITH_SIZE(MMAPDEMO_IOC_INFO, 8), buf));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, WITH_SIZE(MMAPDEMO_IOC_STATS, 0), buf));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd,
			    WITH_SIZE(MMAPDEMO_IOC_SET_STRATEGY, 4), buf));
	EXPECT_EQ(EINVAL, errno);
}

/* A newer caller's longer struct: fine with a zero tail, E2BIG otherwise;
 * outputs fill the known part and leave the caller's tail alone.
 */
TEST_F(ioctl, longer_structs_from_newer_callers)
{
	struct {
		struct mmapdemo_set_strategy req;
		__u64 tail;
	} in;
	struct {
		struct mmapdemo_stats st;
		__u64 tail;
	} out;

	memset(&in, 0, sizeof(in));
	in.req.strategy = MMAPDEMO_STRATEGY_REMAP;
	EXPECT_EQ(0, ioctl(self->fd, WITH_SIZE(MMAPDEMO_IOC_SET_STRATEGY,
					       sizeof(in)), &in));
	EXPECT_EQ((__u32)MMAPDEMO_STRATEGY_REMAP, mmapdemo_info(self->fd).strategy);
	in.req.strategy = MMAPDEMO_STRATEGY_FAULT;
	in.tail = 1;
	EXPECT_EQ(-1, ioctl(self->fd, WITH_SIZE(MMAPDEMO_IOC_SET_STRATEGY,
						sizeof(in)), &in));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ((__u32)MMAPDEMO_STRATEGY_REMAP, mmapdemo_info(self->fd).strategy);

	memset(&out, 0xa5, sizeof(out));
	EXPECT_EQ(0, ioctl(self->fd, WITH_SIZE(MMAPDEMO_IOC_STATS, sizeof(out)),
			   &out));
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, out.tail);
	EXPECT_EQ(out.st.mmaps + out.st.vma_opens - out.st.vma_closes,
		  out.st.live_vmas);
}

/*
 * The walk's struct has one layout for 64-bit and -m32 callers (this file
 * is built both ways): no implicit padding, every __u64 at a multiple of
 * 8.  Its third version ends at level[]; the second ended at arch.
 */
_Static_assert(sizeof(struct mmapdemo_walk_level) == 32, "walk level");
_Static_assert(offsetof(struct mmapdemo_walk, arch) == 224, "walk v2 end");
_Static_assert(offsetof(struct mmapdemo_walk, level) == 232, "walk level[]");
_Static_assert(sizeof(struct mmapdemo_walk) == 392, "walk v3 size");

/* A walk of the caller's stack, through the 64-bit or the compat ioctl. */
TEST_F(ioctl, walk_of_the_stack_is_decoded)
{
	struct mmapdemo_walk w;
	const struct mmapdemo_walk_level *l;

	if (!(mmapdemo_info(self->fd).features & MMAPDEMO_FEATURE_WALK))
		SKIP(return, "MMAPDEMO_IOC_WALK is for x86-64 and arm64 only");
	memset(&w, 0xa5, sizeof(w));
	w.addr = (uintptr_t)&w;
	w.flags = 0;
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_WALK, &w));
	ASSERT_EQ((__u32)MMAPDEMO_WALK_MAPPED, w.result);
	EXPECT_EQ((__u32)MMAPDEMO_TEST_ARCH, w.arch);
	EXPECT_EQ(0U, w.result_flags);
	l = &w.level[w.levels - 1];
	EXPECT_EQ(MMAPDEMO_ENTRY_PRESENT | MMAPDEMO_ENTRY_WRITABLE |
			  MMAPDEMO_ENTRY_USER | MMAPDEMO_ENTRY_LEAF,
		  l->flags & (MMAPDEMO_ENTRY_PRESENT | MMAPDEMO_ENTRY_WRITABLE |
			      MMAPDEMO_ENTRY_USER | MMAPDEMO_ENTRY_LEAF));
	EXPECT_EQ((__u32)MMAPDEMO_MEMTYPE_WB, l->memtype);
	EXPECT_EQ(w.levels == MMAPDEMO_LEVELS ? 12U : 21U, l->shift);
	EXPECT_EQ(0U, l->reserved);
}

/* Output structs carry no stale bytes: two callers that pre-fill their
 * buffers with different patterns get identical bytes back.
 */
TEST_F(ioctl, outputs_are_fully_initialised)
{
	struct mmapdemo_info a, b;

	memset(&a, 0x00, sizeof(a));
	memset(&b, 0xff, sizeof(b));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_INFO, &a));
	ASSERT_EQ(0, ioctl(self->fd, MMAPDEMO_IOC_INFO, &b));
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
}

MMAPDEMO_HARNESS_MAIN
