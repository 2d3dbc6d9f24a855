// SPDX-License-Identifier: GPL-2.0
/*
 * The module's tracepoints under tracefs events/mmapdemo/: a mapping's life
 * shows as mmap, fault (with the right pgoff), mkwrite and vma_close events.
 */
#include <stdio.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define TRACEFS	"/sys/kernel/tracing"

FIXTURE(trace)
{
	int fd;
};

FIXTURE_SETUP(trace)
{
	if (access(TRACEFS "/events/mmapdemo", F_OK))
		MMAPDEMO_SETUP_SKIP("no " TRACEFS "/events/mmapdemo: mount tracefs and load the module");
	self->fd = mmapdemo_open_strategy(O_RDWR, MMAPDEMO_STRATEGY_FAULT);
	ASSERT_GE(self->fd, 0);
	ASSERT_EQ(0, mmapdemo_write_file(TRACEFS "/trace", ""));
	ASSERT_EQ(0, mmapdemo_write_file(TRACEFS "/events/mmapdemo/enable", "1"));
}

FIXTURE_TEARDOWN(trace)
{
	mmapdemo_write_file(TRACEFS "/events/mmapdemo/enable", "0");
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(trace, events_follow_a_mapping)
{
	long page = sysconf(_SC_PAGESIZE);
	char *m, *log, want[128];

	/* Map device pages 2..5 and write to the second: pgoff 3. */
	m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 2 * page);
	ASSERT_NE(MAP_FAILED, m);
	m[page + 1] = 'T';
	ASSERT_EQ(0, munmap(m, 4 * page));
	ASSERT_EQ(0, mmapdemo_write_file(TRACEFS "/events/mmapdemo/enable", "0"));

	log = mmapdemo_read_trace();
	ASSERT_NE(NULL, log);
	snprintf(want, sizeof(want), "mmapdemo_mmap: start=%p end=%p pgoff=2",
		 m, m + 4 * page);
	EXPECT_NE(NULL, strstr(log, want)) TH_LOG("no '%s' in:\n%s", want, log);
	snprintf(want, sizeof(want), "mmapdemo_fault: address=%p pgoff=3 pfn=",
		 m + page);
	EXPECT_NE(NULL, strstr(log, want)) TH_LOG("no '%s' in:\n%s", want, log);
	/*
	 * The handler maps the page itself (VM_FAULT_NOPAGE, 0x100), and
	 * without ->map_pages never under the VMA's lock alone: 6.12 and 7
	 * retry such a fault under the mmap_lock; 6.1 has no VMA locks.
	 */
	EXPECT_NE(NULL, strstr(log, "strategy=fault write result=0x100 vma_lock=0"))
		TH_LOG("%s", log);
	EXPECT_EQ(NULL, strstr(log, "vma_lock=1")) TH_LOG("%s", log);
	snprintf(want, sizeof(want), "mmapdemo_mkwrite: address=%p pgoff=3",
		 m + page);
	EXPECT_NE(NULL, strstr(log, want)) TH_LOG("no '%s' in:\n%s", want, log);
	snprintf(want, sizeof(want), "mmapdemo_vma_close: start=%p", m);
	EXPECT_NE(NULL, strstr(log, want)) TH_LOG("no '%s' in:\n%s", want, log);
	free(log);
}

/* Which half of a split VMA is the new one differs between kernels; what
 * holds on all is one vma_open event per ->open the counters saw.
 */
TEST_F(trace, vma_open_on_split)
{
	long page = sysconf(_SC_PAGESIZE);
	struct mmapdemo_stats before, after;
	unsigned long long events = 0;
	char *m, *log, *p;

	before = mmapdemo_stats(self->fd);
	m = mmap(NULL, 3 * page, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, munmap(m + page, page));
	after = mmapdemo_stats(self->fd);
	ASSERT_EQ(0, mmapdemo_write_file(TRACEFS "/events/mmapdemo/enable", "0"));
	munmap(m, 3 * page);

	log = mmapdemo_read_trace();
	ASSERT_NE(NULL, log);
	for (p = log; (p = strstr(p, "mmapdemo_vma_open: ")); p++)
		events++;
	EXPECT_LE(1ULL, events);
	EXPECT_EQ(after.vma_opens - before.vma_opens, events) TH_LOG("%s", log);
	free(log);
}

MMAPDEMO_HARNESS_MAIN
