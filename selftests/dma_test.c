// SPDX-License-Identifier: GPL-2.0
/*
 * The DMA device of QEMU's edu, /dev/mmapdemo-dma-<PCI address>
 * (kmod/dma.c): two DMA buffers mapped into user space, coherent memory
 * from offset 0 and an array of pages from MMAPDEMO_DMA_PAGES_OFFSET, which
 * the device's own DMA engine reads and writes, with its interrupt at the
 * end of each run.  Data both ways without a copy, across pages (one run
 * per page in the page array), the interrupt counts, the bounds refused,
 * the addresses of every page only to CAP_SYS_ADMIN (and the physical ones
 * checked against /proc/self/pagemap), read() and pread() of the same
 * bytes the mapping shows, revocation at unbind and removal (SIGBUS,
 * ENODEV, read() too; a read stalled in its copy does not hold it up) and
 * no unload under a mapping, for both buffers.  Runs
 * in the edu VM (scripts/bar-proof.sh edu), also built -m32
 * (compat_ptr_ioctl).
 */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mmapdemo_util.h"

#define DRV "/sys/bus/pci/drivers/mmapdemo"
#define PAGE 4096

FIXTURE(dma)
{
	char path[64];
	char bdf[24];
	int fd;
	struct mmapdemo_dma_info info;
};

static int dma_info(int fd, struct mmapdemo_dma_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return ioctl(fd, MMAPDEMO_IOC_DMA_INFO, info);
}

/* MMAPDEMO_IOC_DMA_ADDR at @off; the output pre-filled with junk. */
static int dma_addr(int fd, __u64 off, struct mmapdemo_dma_addr *a)
{
	memset(a, 0xa5, sizeof(*a));
	a->offset = off;
	a->flags = 0;
	a->reserved = 0;
	return ioctl(fd, MMAPDEMO_IOC_DMA_ADDR, a);
}

static int xfer(int fd, __u32 dir, __u64 off, __u32 dev_off, __u32 len)
{
	struct mmapdemo_dma_xfer x = {
		.direction = dir,
		.offset = off,
		.dev_offset = dev_off,
		.len = len,
	};

	return ioctl(fd, MMAPDEMO_IOC_DMA_XFER, &x);
}

FIXTURE_SETUP(dma)
{
	const char *none;

	self->fd = -1;
	if (getuid() != 0)
		MMAPDEMO_SETUP_SKIP("needs root");
	none = mmapdemo_find_dma(self->path, sizeof(self->path), self->bdf,
				 sizeof(self->bdf));
	if (none)
		MMAPDEMO_SETUP_SKIP("%s", none);
	self->fd = open(self->path, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", self->path, strerror(errno));
	ASSERT_EQ(0, dma_info(self->fd, &self->info));
}

FIXTURE_TEARDOWN(dma)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* The bytes of the buffer that starts at @base of the file's offsets. */
static size_t buf_size(FIXTURE_DATA(dma) *self, __u64 base)
{
	return base ? self->info.pages_size : self->info.size;
}

/*
 * The device's runs, so its interrupts, for a transfer of @len at @off in
 * the buffer at @base: one in the coherent buffer, one per page touched
 * in the page array.
 */
static __u64 runs(__u64 base, __u64 off, __u64 len)
{
	return base ? (off + len - 1) / PAGE - off / PAGE + 1 : 1;
}

/* The physical address /proc/self/pagemap gives for @p; 0 if none. */
static __u64 pagemap_phys(const void *p)
{
	__u64 e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (uintptr_t)p / PAGE * sizeof(e)) !=
	    sizeof(e))
		e = 0;
	close(fd);
	if (!(e >> 63))
		return 0;
	return (e & ((1ULL << 55) - 1)) * PAGE;
}

/*
 * What the device is: a buffer of whole pages, edu's 4 KiB buffer and
 * 28-bit mask, and for root the DMA address below that mask.  Without an
 * IOMMU the DMA address is the physical one.  Out of the test's own
 * function: -m32 warns of its 64-bit values there.
 */
static void __attribute__((noinline))
check_info(struct __test_metadata *_metadata, const struct mmapdemo_dma_info *i)
{
	const bool iommu = mmapdemo_have_iommu();

	EXPECT_LE((__u64)4 * PAGE, i->size);
	EXPECT_EQ(0U, i->size % PAGE);
	/* edu's 4096 but the last byte, which QEMU 7.2 cannot transfer. */
	EXPECT_EQ(4095U, i->dev_buf_size);
	EXPECT_EQ((1ULL << 28) - 1, i->dma_mask);
	EXPECT_TRUE(i->irq_kind == MMAPDEMO_DMA_IRQ_MSI ||
		    i->irq_kind == MMAPDEMO_DMA_IRQ_INTX);
	EXPECT_EQ(0U, i->reserved);
	EXPECT_EQ(MMAPDEMO_DMA_PAGES_OFFSET, i->pages_offset);
	EXPECT_LE((__u64)4 * PAGE, i->pages_size);
	EXPECT_EQ(0U, i->pages_size % PAGE);
	EXPECT_LT(i->size, i->pages_offset);
	ASSERT_EQ(MMAPDEMO_DMA_INFO_ADDRS, i->flags);
	EXPECT_NE(0ULL, i->dma_addr);
	EXPECT_NE(0ULL, i->phys);
	EXPECT_EQ(0ULL, i->dma_addr % PAGE);
	EXPECT_GE(i->dma_mask, i->dma_addr + i->size - 1);
	if (!iommu)
		EXPECT_EQ(i->phys, i->dma_addr);
	TH_LOG("dma_addr %#llx phys %#llx irq %s%s", (unsigned long long)i->dma_addr,
	       (unsigned long long)i->phys,
	       i->irq_kind == MMAPDEMO_DMA_IRQ_MSI ? "MSI" : "INTx",
	       iommu ? ", IOMMU" : "");
}

TEST_F(dma, info_and_addresses)
{
	check_info(_metadata, &self->info);
}

/* Addresses only to CAP_SYS_ADMIN: the same file, in a child as nobody. */
TEST_F(dma, addresses_hidden_without_cap_sys_admin)
{
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mmapdemo_dma_info i;
		struct mmapdemo_dma_addr a;

		if (mmapdemo_become_nobody() || dma_info(self->fd, &i))
			_exit(1);
		if (i.flags || i.dma_addr || i.phys ||
		    i.size != self->info.size)
			_exit(2);
		/* The same for the page at any offset, of either buffer. */
		if (dma_addr(self->fd, self->info.pages_offset + PAGE, &a) ||
		    a.flags || a.dma_addr || a.phys || a.reserved)
			_exit(3);
		if (dma_addr(self->fd, PAGE, &a) || a.flags || a.dma_addr ||
		    a.phys)
			_exit(4);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * The device reads what user space wrote through its mapping of the
 * buffer at @base, and writes back where user space reads it, across page
 * boundaries both ways; one interrupt per run of the device.
 */
static void data_both_ways(struct __test_metadata *_metadata,
			   FIXTURE_DATA(dma) *self, __u64 base)
{
	struct mmapdemo_dma_info after;
	size_t size = buf_size(self, base);
	char *m;

	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 base);
	ASSERT_NE(MAP_FAILED, m);
	memset(m, 0, size);
	/* Across the boundary of pages 1 and 2, to the device's offset 100. */
	mmapdemo_fill(m + PAGE + 2048, 3000, 26);
	ASSERT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, base + PAGE + 2048,
			  100, 3000));
	/* And back, across the boundary of pages 2 and 3: the device's copy. */
	ASSERT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_FROM_DEVICE,
			  base + 3 * PAGE - 1000, 100, 3000));
	EXPECT_EQ(-1, mmapdemo_check(m + 3 * PAGE - 1000, 3000, 26));
	/* Nothing else was written. */
	EXPECT_EQ(0, m[3 * PAGE + 2000]);
	EXPECT_EQ(0, m[3 * PAGE - 1001]);

	ASSERT_EQ(0, dma_info(self->fd, &after));
	EXPECT_EQ(self->info.transfers + 2, after.transfers);
	EXPECT_EQ(self->info.irqs + runs(base, PAGE + 2048, 3000) +
			  runs(base, 3 * PAGE - 1000, 3000),
		  after.irqs);
	EXPECT_EQ(self->info.timeouts, after.timeouts);
	EXPECT_EQ(self->info.live_vmas + 1, after.live_vmas);
	EXPECT_EQ(0, munmap(m, size));
	ASSERT_EQ(0, dma_info(self->fd, &after));
	EXPECT_EQ(self->info.live_vmas, after.live_vmas);
}

TEST_F(dma, data_both_ways_through_the_mapping)
{
	data_both_ways(_metadata, self, 0);
}

/* In the page array each page has its DMA address: two runs each way. */
TEST_F(dma, pages_data_both_ways_across_pages)
{
	data_both_ways(_metadata, self, self->info.pages_offset);
}

/*
 * read() and pread() of the buffer at @base, after a transfer from the
 * device, give the bytes the mapping shows, the whole buffer in one call
 * (across the page array's pages, which are not contiguous); a read
 * across the buffer's end is cut short there, and one from the end reads
 * 0, end of file.
 */
static void read_matches_mapping(struct __test_metadata *_metadata,
				 FIXTURE_DATA(dma) *self, __u64 base)
{
	size_t size = buf_size(self, base);
	char *m, *r;

	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 base);
	ASSERT_NE(MAP_FAILED, m);
	r = malloc(size + PAGE);
	ASSERT_NE(NULL, r);
	mmapdemo_fill(m, size, 17);
	ASSERT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, base + 5, 0,
			  3000));
	/* The device writes its copy back elsewhere, across a page. */
	ASSERT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_FROM_DEVICE,
			  base + 2 * PAGE - 1500, 0, 3000));
	EXPECT_EQ(0, memcmp(m + 2 * PAGE - 1500, m + 5, 3000));

	memset(r, 0x5a, size + PAGE);
	EXPECT_EQ((ssize_t)size, pread(self->fd, r, size + PAGE, base));
	EXPECT_EQ(0, memcmp(r, m, size));
	EXPECT_EQ(0x5a, r[size]);
	/* read() from lseek()'s position, which it moves. */
	ASSERT_EQ((off_t)(base + PAGE - 7),
		  lseek(self->fd, base + PAGE - 7, SEEK_SET));
	memset(r, 0, 3000);
	EXPECT_EQ(3000, read(self->fd, r, 3000));
	EXPECT_EQ(0, memcmp(r, m + PAGE - 7, 3000));
	EXPECT_EQ((off_t)(base + PAGE - 7 + 3000),
		  lseek(self->fd, 0, SEEK_CUR));
	/* Across the end: cut short; from it: end of file. */
	EXPECT_EQ(10, pread(self->fd, r, 100, base + size - 10));
	EXPECT_EQ(0, memcmp(r, m + size - 10, 10));
	EXPECT_EQ(0, pread(self->fd, r, 100, base + size));
	ASSERT_EQ((off_t)(base + size - 1),
		  lseek(self->fd, base + size - 1, SEEK_SET));
	EXPECT_EQ(1, read(self->fd, r, 100));
	EXPECT_EQ(m[size - 1], r[0]);
	EXPECT_EQ(0, read(self->fd, r, 100));
	free(r);
	EXPECT_EQ(0, munmap(m, size));
}

TEST_F(dma, read_gives_what_the_mapping_shows)
{
	read_matches_mapping(_metadata, self, 0);
}

TEST_F(dma, pages_pread_gives_what_the_mapping_shows)
{
	read_matches_mapping(_metadata, self, self->info.pages_offset);
}

/*
 * The positions of read() and lseek(): between the two buffers and past
 * the page array, end of file; a negative position, a bad buffer and a
 * seek past the page array refused, SEEK_DATA and SEEK_HOLE too; SEEK_END
 * is the coherent buffer's end.
 */
TEST_F(dma, read_positions_and_seeks)
{
	const __u64 pg = self->info.pages_offset;
	const __u64 end = pg + self->info.pages_size;
	char r[16], *bad;

	EXPECT_EQ(0, pread(self->fd, r, sizeof(r), self->info.size + 100));
	EXPECT_EQ(0, pread(self->fd, r, sizeof(r), pg - 1));
	EXPECT_EQ(0, pread(self->fd, r, sizeof(r), end));
	EXPECT_EQ(0, pread(self->fd, r, sizeof(r), 1ULL << 40));
	EXPECT_EQ(0, pread(self->fd, r, 0, 0));
	EXPECT_EQ(-1, pread(self->fd, r, sizeof(r), -1));
	EXPECT_EQ(EINVAL, errno);
	/* A buffer that cannot be written: EFAULT, nothing was read. */
	bad = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	EXPECT_EQ(-1, pread(self->fd, bad, sizeof(r), 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, pread(self->fd, bad, sizeof(r), pg));
	EXPECT_EQ(EFAULT, errno);
	munmap(bad, PAGE);

	EXPECT_EQ((off_t)self->info.size, lseek(self->fd, 0, SEEK_END));
	EXPECT_EQ(0, read(self->fd, r, sizeof(r)));
	EXPECT_EQ((off_t)end, lseek(self->fd, end, SEEK_SET));
	EXPECT_EQ(-1, lseek(self->fd, end + 1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ((off_t)pg, lseek(self->fd, pg, SEEK_SET));
	EXPECT_EQ((ssize_t)sizeof(r), read(self->fd, r, sizeof(r)));
	/* No holes that read as zeros: SEEK_DATA and SEEK_HOLE refused. */
	EXPECT_EQ(-1, lseek(self->fd, pg, SEEK_DATA));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_HOLE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ((off_t)(pg + sizeof(r)), lseek(self->fd, 0, SEEK_CUR));
}

/*
 * A mapping of part of the buffer at @base, from an offset, sees the same
 * memory as one of all of it, and a child shares both.
 */
static void fork_shares(struct __test_metadata *_metadata,
			FIXTURE_DATA(dma) *self, __u64 base)
{
	size_t size = buf_size(self, base);
	char *a, *b;
	int status;
	pid_t pid;

	a = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 base);
	b = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 base + 2 * PAGE);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	b[7] = 'd';
	EXPECT_EQ('d', a[2 * PAGE + 7]);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		b[8] = 'm';
		_exit(xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, base + 2 * PAGE,
			   0, 16) ?
			      1 :
			      0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_FROM_DEVICE, base, 0, 16));
	EXPECT_EQ('d', a[7]);
	EXPECT_EQ('m', a[8]);
	munmap(b, PAGE);
	munmap(a, size);
}

TEST_F(dma, offset_mapping_and_fork_share_the_buffer)
{
	fork_shares(_metadata, self, 0);
}

TEST_F(dma, pages_offset_mapping_and_fork_share_the_buffer)
{
	fork_shares(_metadata, self, self->info.pages_offset);
}

/*
 * The DMA and physical addresses of every page of the buffer at @base, for
 * root: the physical ones those the user's PTEs map (/proc/self/pagemap,
 * where it shows them), the DMA ones below the mask, equal to the
 * physical ones without an IOMMU, one range in the coherent buffer, one
 * per page in the page array.  Out of the test's own function, as
 * check_info(): -m32 warns there.
 */
static void __attribute__((noinline))
check_page_addrs(struct __test_metadata *_metadata, FIXTURE_DATA(dma) *self,
		 __u64 base)
{
	const bool iommu = mmapdemo_have_iommu();
	size_t size = buf_size(self, base);
	struct mmapdemo_dma_addr a, prev = { 0 };
	unsigned int i;
	__u64 pm;
	char *m;

	m = mmap(NULL, size, PROT_READ, MAP_SHARED, self->fd, base);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i < size / PAGE; i++) {
		ASSERT_EQ(0, dma_addr(self->fd, base + i * PAGE + 5, &a));
		ASSERT_EQ(MMAPDEMO_DMA_INFO_ADDRS, a.flags);
		EXPECT_EQ(0U, a.reserved);
		EXPECT_EQ(5ULL, a.dma_addr % PAGE);
		EXPECT_EQ(5ULL, a.phys % PAGE);
		EXPECT_GE(self->info.dma_mask, a.dma_addr);
		/*
		 * pagemap skips VM_PFNMAP mappings: the coherent buffer
		 * without an IOMMU (remap_pfn_range()) shows no PFN.
		 */
		pm = pagemap_phys(m + i * PAGE);
		if (base || pm)
			EXPECT_EQ(pm, a.phys - 5)
				TH_LOG("buffer at %#llx, page %u",
				       (unsigned long long)base, i);
		if (!iommu)
			EXPECT_EQ(a.phys, a.dma_addr);
		if (!iommu && !base)
			EXPECT_EQ(0ULL, pm);
		if (!base) {
			EXPECT_EQ(self->info.dma_addr + i * PAGE + 5,
				  a.dma_addr);
		} else if (i) {
			EXPECT_NE(prev.dma_addr, a.dma_addr);
		}
		if (!base && !i)
			EXPECT_EQ(self->info.phys + 5, a.phys);
		prev = a;
	}
	munmap(m, size);
}

/* Both buffers; offsets in neither, and unknown flags, are refused. */
TEST_F(dma, addresses_of_each_page)
{
	struct mmapdemo_dma_addr a;

	check_page_addrs(_metadata, self, 0);
	check_page_addrs(_metadata, self, self->info.pages_offset);
	EXPECT_EQ(-1, dma_addr(self->fd, self->info.size, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dma_addr(self->fd, self->info.pages_offset - 1, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, dma_addr(self->fd,
			       self->info.pages_offset + self->info.pages_size,
			       &a));
	EXPECT_EQ(EINVAL, errno);
	a.offset = 0;
	a.flags = 1;
	a.reserved = 0;
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_DMA_ADDR, &a));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * Every transfer outside either buffer, of no length or more than the
 * device's buffer, or with an unknown direction or flag, is refused
 * before the device is touched; so are short and unknown-tail structs.
 */
TEST_F(dma, bounds_refused)
{
	__u64 size = self->info.size;
	__u64 pg = self->info.pages_offset, ps = self->info.pages_size;
	struct mmapdemo_dma_info after;
	struct {
		struct mmapdemo_dma_xfer x;
		__u64 tail;
	} big = { { MMAPDEMO_DMA_TO_DEVICE, 0, 0, 0, 1 }, 1 };
	struct {
		__u64 a;
	} small = { 0 };
	const struct {
		__u32 dir;
		__u64 off;
		__u32 dev_off, len;
	} bad[] = {
		{ MMAPDEMO_DMA_TO_DEVICE, 0, 0, 0 },
		{ MMAPDEMO_DMA_TO_DEVICE, 0, 0, 4096 },
		{ MMAPDEMO_DMA_FROM_DEVICE, size - 1, 0, 2 },
		{ MMAPDEMO_DMA_FROM_DEVICE, size, 0, 1 },
		{ MMAPDEMO_DMA_TO_DEVICE, ~0ULL, 0, 2 },
		{ MMAPDEMO_DMA_TO_DEVICE, 1ULL << 63, 0, 1 },
		{ MMAPDEMO_DMA_TO_DEVICE, 0, 4094, 2 },
		{ MMAPDEMO_DMA_TO_DEVICE, 0, 4095, 1 },
		{ MMAPDEMO_DMA_TO_DEVICE, 0, ~0U, 2 },
		{ 0, 0, 0, 1 },
		{ 3, 0, 0, 1 },
		/* Between the buffers, and across the page array's ends. */
		{ MMAPDEMO_DMA_TO_DEVICE, pg - 1, 0, 1 },
		{ MMAPDEMO_DMA_TO_DEVICE, pg - 1, 0, 2 },
		{ MMAPDEMO_DMA_TO_DEVICE, pg + ps - 1, 0, 2 },
		{ MMAPDEMO_DMA_TO_DEVICE, pg + ps - 4094, 0, 4095 },
		{ MMAPDEMO_DMA_TO_DEVICE, pg + ps, 0, 1 },
	};
	struct mmapdemo_dma_xfer flagged = { MMAPDEMO_DMA_TO_DEVICE, 1, 0, 0, 1 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, xfer(self->fd, bad[i].dir, bad[i].off,
				   bad[i].dev_off, bad[i].len))
			TH_LOG("case %zu", i);
		EXPECT_EQ(EINVAL, errno) TH_LOG("case %zu", i);
	}
	EXPECT_EQ(-1, ioctl(self->fd, MMAPDEMO_IOC_DMA_XFER, &flagged));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd,
			    _IOW(MMAPDEMO_IOCTL_TYPE, 0x21, small), &small));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(MMAPDEMO_IOCTL_TYPE, 0x21, big),
			    &big));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(MMAPDEMO_IOCTL_TYPE, 0x20, small),
			    &small));
	EXPECT_EQ(EINVAL, errno);

	/* The largest transfers at both ends are fine. */
	EXPECT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, size - 4095, 0,
			  4095));
	EXPECT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_FROM_DEVICE, 0, 4094, 1));
	EXPECT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, pg + ps - 4095, 0,
			  4095));
	ASSERT_EQ(0, dma_info(self->fd, &after));
	EXPECT_EQ(self->info.transfers + 3, after.transfers);
}

/*
 * Each command of the DMA device with sizes around its first version's and
 * with bad pointers, and the numbers and directions beside them: the
 * answers Documentation/abi.rst promises (EINVAL too short, EFAULT, an
 * all-zero transfer EINVAL, ENOTTY), and never a transfer.
 */
/*
 * A transfer writes in either direction: the buffer every opener maps
 * (from the device), or the device's own memory (to it).  Not through a
 * file opened read-only, as write() and a writable mapping are not.
 */
TEST_F(dma, transfers_need_a_file_open_for_writing)
{
	int ro = open(self->path, O_RDONLY);

	ASSERT_LE(0, ro) TH_LOG("%s: %s", self->path, strerror(errno));
	EXPECT_EQ(-1, xfer(ro, MMAPDEMO_DMA_FROM_DEVICE, 0, 0, 8));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, xfer(ro, MMAPDEMO_DMA_TO_DEVICE, 0, 0, 8));
	EXPECT_EQ(EBADF, errno);
	/* What it may do: read the buffer, and INFO. */
	EXPECT_EQ(0, dma_info(ro, &self->info));
	close(ro);
	EXPECT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, 0, 0, 8))
		TH_LOG("the same transfer through O_RDWR: %s", strerror(errno));
}

TEST_F(dma, every_command_bad_sizes_and_pointers)
{
	const struct {
		unsigned int cmd;
		unsigned int min;
		int ro_errno; /* the answer on a zeroed read-only page */
	} cmds[] = {
		{ MMAPDEMO_IOC_DMA_INFO,
		  offsetof(struct mmapdemo_dma_info, pages_offset), EFAULT },
		{ MMAPDEMO_IOC_DMA_XFER, sizeof(struct mmapdemo_dma_xfer),
		  EINVAL },
		{ MMAPDEMO_IOC_DMA_ADDR, sizeof(struct mmapdemo_dma_addr),
		  EFAULT },
	};
	const unsigned int nosize = ~(_IOC_SIZEMASK << _IOC_SIZESHIFT);
	struct mmapdemo_dma_info after;
	char *ro, *gone, buf[256] = { 0 };
	unsigned int c, p, d, nr, size;
	void *ptrs[3];
	int want;

	ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gone = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(MAP_FAILED, gone);
	ASSERT_EQ(0, munmap(gone, PAGE));
	ptrs[0] = NULL;
	ptrs[1] = gone;
	ptrs[2] = ro;
	for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		for (d = 0; d < 3; d++) {
			size = cmds[c].min - 1 + d * 9; /* -1, +8, +17 */
			for (p = 0; p < 3; p++) {
				want = size < cmds[c].min ? EINVAL :
				       ptrs[p] == ro  ? cmds[c].ro_errno :
							EFAULT;
				EXPECT_EQ(-1, ioctl(self->fd,
						    (cmds[c].cmd & nosize) |
							    size << _IOC_SIZESHIFT,
						    ptrs[p]));
				EXPECT_EQ(want, errno)
				TH_LOG("command %u, size %u, pointer %u", c,
				       size, p);
			}
		}
	}
	/* Beside them: other numbers, and the known ones the other way. */
	for (nr = 0x1f; nr <= 0x2f; nr++) {
		if (nr >= 0x20 && nr <= 0x22)
			continue;
		EXPECT_EQ(-1, ioctl(self->fd,
				    _IOC(_IOC_READ | _IOC_WRITE,
					 MMAPDEMO_IOCTL_TYPE, nr, sizeof(buf)),
				    buf));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("number %#x", nr);
	}
	for (c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
		EXPECT_EQ(-1, ioctl(self->fd,
				    _IOC(_IOC_NONE, MMAPDEMO_IOCTL_TYPE,
					 _IOC_NR(cmds[c].cmd), sizeof(buf)),
				    buf));
		EXPECT_EQ(ENOTTY, errno);
	}
	munmap(ro, PAGE);
	ASSERT_EQ(0, dma_info(self->fd, &after));
	EXPECT_EQ(self->info.transfers, after.transfers);
	EXPECT_EQ(self->info.irqs, after.irqs);
}

/* Mappings neither buffer can have. */
TEST_F(dma, mmap_refusals)
{
	const __u64 bases[] = { 0, self->info.pages_offset };
	unsigned int b;
	char *m;

	for (b = 0; b < 2; b++) {
		__u64 base = bases[b];
		size_t size = buf_size(self, base);

		TH_LOG("buffer at %#llx", (unsigned long long)base);
		EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE,
					   self->fd, base));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ | PROT_EXEC,
					   MAP_SHARED, self->fd, base));
		EXPECT_EQ(EPERM, errno);
		EXPECT_EQ(MAP_FAILED, mmap(NULL, size + PAGE, PROT_READ,
					   MAP_SHARED, self->fd, base));
		EXPECT_EQ(ENXIO, errno);
		EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_SHARED,
					   self->fd, base + size));
		EXPECT_EQ(ENXIO, errno);
		m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, base);
		ASSERT_NE(MAP_FAILED, m);
		/* VM_MAYEXEC is gone: mprotect() cannot add exec. */
		EXPECT_EQ(-1, mprotect(m, PAGE, PROT_READ | PROT_EXEC));
		EXPECT_EQ(EACCES, errno);
		/* The device cannot grow: neither can its mappings. */
		EXPECT_EQ(MAP_FAILED, mremap(m, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
		munmap(m, PAGE);
	}
	/* Nor a mapping from just before the page array into it. */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED,
				   self->fd, self->info.pages_offset - PAGE));
	EXPECT_EQ(ENXIO, errno);
}

/*
 * The module stays while a buffer is mapped, and the data with it: the
 * coherent buffer, then the page array alone.
 */
TEST_F(dma, no_unload_under_a_mapping)
{
	const __u64 bases[] = { 0, self->info.pages_offset };
	unsigned int b;
	char *m[2];

	for (b = 0; b < 2; b++) {
		m[b] = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			    self->fd, bases[b]);
		ASSERT_NE(MAP_FAILED, m[b]);
	}
	close(self->fd);
	self->fd = -1;
	for (b = 0; b < 2; b++) {
		m[b][5] = b ? 'p' : 'k';
		EXPECT_EQ(-1, syscall(SYS_delete_module, "mmapdemo",
				      O_NONBLOCK));
		EXPECT_EQ(EWOULDBLOCK, errno);
		EXPECT_EQ(b ? 'p' : 'k', m[b][5]);
		munmap(m[b], PAGE);
	}
}

/* Every read of a removed device, in either buffer or neither: ENODEV. */
static void expect_reads_enodev(struct __test_metadata *_metadata, int fd,
				__u64 pg)
{
	const __u64 pos[] = { 0, PAGE + 1, pg, pg + PAGE, pg - 1 };
	char r[16];
	size_t i;

	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, pread(fd, r, sizeof(r), pos[i]))
		TH_LOG("pread at %#llx", (unsigned long long)pos[i]);
		EXPECT_EQ(ENODEV, errno);
	}
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(-1, read(fd, r, sizeof(r)));
	EXPECT_EQ(ENODEV, errno);
}

/*
 * Unbinding the edu revokes its DMA device under open files and live
 * mappings: every access SIGBUSes, every call ENODEV, munmap and close
 * work; bind brings a device whose transfers work.
 */
TEST_F(dma, unbind_revokes_and_bind_restores)
{
	const __u64 pg = self->info.pages_offset;
	struct mmapdemo_dma_info info;
	struct mmapdemo_dma_addr a;
	char *m, *p, c = 0;
	int fd;

	m = mmap(NULL, self->info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	p = mmap(NULL, self->info.pages_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED, self->fd, pg);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_NE(MAP_FAILED, p);
	m[0] = 'R';
	p[PAGE] = 'P';
	ASSERT_EQ(0, mmapdemo_write_file(DRV "/unbind", self->bdf));
	EXPECT_TRUE(mmapdemo_wait_node(self->path, false));

	EXPECT_EQ(SIGBUS, mmapdemo_probe_read(m, &c));
	EXPECT_EQ(SIGBUS, mmapdemo_probe_write(m + 2 * PAGE, 'x'));
	EXPECT_EQ(SIGBUS, mmapdemo_probe_read(p + PAGE, &c));
	EXPECT_EQ(SIGBUS, mmapdemo_probe_write(p + 3 * PAGE, 'x'));
	EXPECT_EQ(-1, dma_info(self->fd, &info));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, dma_addr(self->fd, pg, &a));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, 0, 0, 1));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, pg, 0, 1));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_SHARED,
				   self->fd, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_SHARED,
				   self->fd, pg));
	EXPECT_EQ(ENODEV, errno);
	expect_reads_enodev(_metadata, self->fd, pg);
	EXPECT_EQ(0, munmap(m, self->info.size));
	EXPECT_EQ(0, munmap(p, self->info.pages_size));
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;

	ASSERT_EQ(0, mmapdemo_write_file(DRV "/bind", self->bdf));
	ASSERT_TRUE(mmapdemo_wait_node(self->path, true));
	fd = open(self->path, O_RDWR);
	ASSERT_LE(0, fd);
	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	memset(m, 'b', 64);
	EXPECT_EQ(0, xfer(fd, MMAPDEMO_DMA_TO_DEVICE, 0, 0, 64));
	memset(m, 0, 64);
	EXPECT_EQ(0, xfer(fd, MMAPDEMO_DMA_FROM_DEVICE, 0, 0, 64));
	EXPECT_EQ('b', m[63]);
	munmap(m, PAGE);
	/* The page array too, across its first two pages: two runs. */
	p = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
	ASSERT_NE(MAP_FAILED, p);
	memset(p + PAGE - 32, 'p', 64);
	EXPECT_EQ(0, xfer(fd, MMAPDEMO_DMA_TO_DEVICE, pg + PAGE - 32, 0, 64));
	EXPECT_EQ(0, xfer(fd, MMAPDEMO_DMA_FROM_DEVICE, pg, 0, 64));
	EXPECT_EQ('p', p[63]);
	ASSERT_EQ(0, dma_info(fd, &info));
	EXPECT_EQ(4ULL, info.transfers);
	EXPECT_EQ(5ULL, info.irqs);
	munmap(p, 2 * PAGE);
	close(fd);
}

struct stalled_read {
	int fd;
	char *dst;
	ssize_t ret;
	int err;
};

static void *stalled_read(void *arg)
{
	struct stalled_read *r = arg;

	r->ret = pread(r->fd, r->dst, 64, 0);
	r->err = errno;
	return NULL;
}

/* Whether @fd becomes readable within @rounds rounds of 10 ms. */
static bool poll_rounds(int fd, int rounds)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (rounds-- > 0)
		if (poll(&p, 1, 10) == 1)
			return true;
	return false;
}

/*
 * A read whose copy to user space stalls, on a userfaultfd that serves
 * its destination page only when the test says so, must not hold up the
 * removal: the driver holds its lock only to take a reference to the
 * buffers, not across the copy.  The unbind, in a child, ends while the
 * read still waits (5 s, in rounds of 10 ms, times MMAPDEMO_SLOWDOWN);
 * then the fault is served, and the read ends with the buffer's bytes,
 * which its reference kept.
 */
TEST_F(dma, unbind_does_not_wait_for_a_read_stalled_in_its_copy)
{
	/* 5 s in rounds of 10 ms, times MMAPDEMO_SLOWDOWN. */
	const int rounds = (int)mmapdemo_scaled(5) * 100;
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	struct uffdio_copy copy;
	struct stalled_read r;
	struct uffd_msg msg;
	bool ended = false;
	int uffd, status = 0, i;
	char *m, *src, c[4];
	pthread_t th;
	pid_t pid;

	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	memset(m, 'u', 64);
	ASSERT_EQ(0, munmap(m, PAGE));
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(return, "userfaultfd(): %s (CONFIG_USERFAULTFD?)",
		     strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	r.fd = self->fd;
	r.dst = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	src = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r.dst);
	ASSERT_NE(MAP_FAILED, src);
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)r.dst;
	reg.range.len = PAGE;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	ASSERT_EQ(0, pthread_create(&th, NULL, stalled_read, &r));
	/* The read is in its copy once its fault arrives. */
	ASSERT_TRUE(poll_rounds(uffd, rounds));
	ASSERT_EQ((ssize_t)sizeof(msg), read(uffd, &msg, sizeof(msg)));
	EXPECT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mmapdemo_write_file(DRV "/unbind", self->bdf) ? 1 : 0);
	for (i = 0; i < rounds && !ended; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			ended = true;
		else
			usleep(10000);
	}
	EXPECT_TRUE(ended) TH_LOG("the unbind waits for a read stalled in its copy");

	/* Served: the read ends, with the bytes of the buffer it held. */
	memset(&copy, 0, sizeof(copy));
	copy.dst = (uintptr_t)r.dst;
	copy.src = (uintptr_t)src;
	copy.len = PAGE;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &copy));
	ASSERT_EQ(0, pthread_join(th, NULL));
	if (!ended)
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(64, r.ret) TH_LOG("%s", strerror(r.err));
	EXPECT_EQ('u', r.dst[0]);
	EXPECT_EQ('u', r.dst[63]);
	EXPECT_EQ(-1, pread(self->fd, c, sizeof(c), 0));
	EXPECT_EQ(ENODEV, errno);
	close(uffd);
	munmap(src, PAGE);
	munmap(r.dst, PAGE);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(0, mmapdemo_write_file(DRV "/bind", self->bdf));
	ASSERT_TRUE(mmapdemo_wait_node(self->path, true));
}

/*
 * A hot removal under a live mapping: the mapping SIGBUSes, and the buffer,
 * which the mapping still holds, is freed at its munmap, after the device
 * is gone; a rescan brings a device that works.
 */
TEST_F(dma, remove_under_a_mapping_then_rescan)
{
	const __u64 pg = self->info.pages_offset;
	char path[96], *m, *p, c = 0;
	int fd;

	m = mmap(NULL, self->info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	p = mmap(NULL, self->info.pages_size, PROT_READ | PROT_WRITE,
		 MAP_SHARED, self->fd, pg);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_NE(MAP_FAILED, p);
	m[0] = 'R';
	p[0] = 'P';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove",
		 self->bdf);
	ASSERT_EQ(0, mmapdemo_write_file(path, "1"));
	EXPECT_TRUE(mmapdemo_wait_node(self->path, false));
	EXPECT_EQ(SIGBUS, mmapdemo_probe_read(m, &c));
	EXPECT_EQ(SIGBUS, mmapdemo_probe_read(p + 2 * PAGE, &c));
	expect_reads_enodev(_metadata, self->fd, pg);
	EXPECT_EQ(0, munmap(m, self->info.size));
	EXPECT_EQ(0, munmap(p, self->info.pages_size));
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;

	ASSERT_EQ(0, mmapdemo_write_file("/sys/bus/pci/rescan", "1"));
	ASSERT_TRUE(mmapdemo_wait_node(self->path, true));
	fd = open(self->path, O_RDWR);
	ASSERT_LE(0, fd);
	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	memset(m, 'r', 16);
	EXPECT_EQ(0, xfer(fd, MMAPDEMO_DMA_TO_DEVICE, 0, 0, 16));
	memset(m, 0, 16);
	EXPECT_EQ(0, xfer(fd, MMAPDEMO_DMA_FROM_DEVICE, 0, 0, 16));
	EXPECT_EQ('r', m[15]);
	munmap(m, PAGE);
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, pg);
	ASSERT_NE(MAP_FAILED, p);
	memset(p, 's', 16);
	EXPECT_EQ(0, xfer(fd, MMAPDEMO_DMA_TO_DEVICE, pg, 0, 16));
	memset(p, 0, 16);
	EXPECT_EQ(0, xfer(fd, MMAPDEMO_DMA_FROM_DEVICE, pg, 0, 16));
	EXPECT_EQ('s', p[15]);
	munmap(p, PAGE);
	close(fd);
}

/*
 * A DMA the driver never asked for, refused by the IOMMU.  Edu's registers
 * are mapped through its BAR device (/dev/mmapdemo-BDF, mode 0600), so
 * root can program its engine by hand: here a read of 8 bytes from
 * STRAY_IOVA, an address the DMA API never mapped for edu, into edu's
 * own buffer.  Behind an IOMMU that translates for edu, the IOMMU refuses
 * the read and the kernel logs it ("DMAR: [DMA Read NO_PASID] Request
 * device [...] fault addr 0x100000"); without one, the device would read
 * physical memory there.  A read, so that a refusal that did not happen
 * corrupts nothing.  scripts/check.sh tells the kernel-log gate to expect
 * exactly this line in the IOMMU VM, and no other.
 */
#define STRAY_IOVA	0x100000ULL
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_DMA_RUN	1U
#define EDU_DEV_BUF	0x40000U

/* The type of @bdf's IOMMU domain ("DMA", "DMA-FQ", "identity"), or "". */
static void iommu_domain_type(const char *bdf, char *type, size_t len)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group/type",
		 bdf);
	type[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(type, len, f))
		type[0] = '\0';
	type[strcspn(type, "\n")] = '\0';
	fclose(f);
}

/* The next record of /dev/kmsg that holds both @a and @b, into @line. */
static bool kmsg_find(int fd, const char *a, const char *b, char *line,
		      size_t len)
{
	ssize_t n;

	while ((n = read(fd, line, len - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n < 0)
			continue;	/* records overwritten: read on */
		line[n] = '\0';
		if (strstr(line, a) && strstr(line, b))
			return true;
	}
	return false;
}

TEST_F(dma, stray_dma_faults_in_the_iommu)
{
	char type[32], bar[64], want[64], line[1024];
	volatile __u32 *regs;
	struct mmapdemo_dma_addr a;
	int bfd, kfd, i;
	bool found = false;

	iommu_domain_type(self->bdf, type, sizeof(type));
	if (!type[0])
		SKIP(return, "%s is behind no IOMMU: the IOMMU VM runs this (scripts/bar-proof.sh iommu)",
		     self->bdf);
	if (strcmp(type, "DMA") && strcmp(type, "DMA-FQ"))
		SKIP(return, "the IOMMU does not translate for %s (domain type %s): the IOMMU VM runs this (scripts/bar-proof.sh iommu)",
		     self->bdf, type);
	/* STRAY_IOVA is none of the driver's own DMA addresses. */
	for (i = 0; i < 2; i++) {
		__u64 base = i ? self->info.pages_offset : 0, off;

		for (off = 0; off < buf_size(self, base); off += PAGE) {
			ASSERT_EQ(0, dma_addr(self->fd, base + off, &a));
			ASSERT_NE(STRAY_IOVA / PAGE, a.dma_addr / PAGE);
		}
	}
	snprintf(bar, sizeof(bar), "/dev/mmapdemo-%s", self->bdf);
	bfd = open(bar, O_RDWR);
	ASSERT_LE(0, bfd) TH_LOG("%s: %s", bar, strerror(errno));
	regs = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, bfd, 0);
	ASSERT_NE(MAP_FAILED, regs) TH_LOG("%s: %s", bar, strerror(errno));
	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, kfd) TH_LOG("/dev/kmsg: %s", strerror(errno));
	ASSERT_LE(0, lseek(kfd, 0, SEEK_END));

	/* Edu's engine is idle between the driver's transfers. */
	ASSERT_EQ(0U, regs[EDU_DMA_CMD / 4] & EDU_DMA_RUN);
	regs[EDU_DMA_SRC / 4] = (__u32)STRAY_IOVA;
	regs[EDU_DMA_DST / 4] = EDU_DEV_BUF;
	regs[EDU_DMA_COUNT / 4] = 8;
	regs[EDU_DMA_CMD / 4] = EDU_DMA_RUN;	/* to edu, no interrupt */
	for (i = 0; i < 2000 && (regs[EDU_DMA_CMD / 4] & EDU_DMA_RUN); i++)
		usleep(5000);
	ASSERT_EQ(0U, regs[EDU_DMA_CMD / 4] & EDU_DMA_RUN)
		TH_LOG("edu's engine still runs after %d rounds of 5 ms", i);

	/* The IOMMU's fault interrupt logs it: "00:03.0] fault addr 0x...". */
	snprintf(want, sizeof(want), "%s] fault addr %#llx ", self->bdf + 5,
		 STRAY_IOVA);
	for (i = 0; i < 500 && !found; i++) {
		found = kmsg_find(kfd, "DMAR: [DMA Read", want, line,
				  sizeof(line));
		if (!found)
			usleep(10000);
	}
	EXPECT_TRUE(found) TH_LOG("no \"DMAR: [DMA Read ... %s\" in the kernel log after %d rounds of 10 ms",
				  want, i);
	if (found)
		TH_LOG("%s", strchr(line, ';') ? strchr(line, ';') + 1 : line);
	/* The driver's own transfers still work. */
	EXPECT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, 0, 0, 64));
	close(kfd);
	munmap((void *)regs, PAGE);
	close(bfd);
}

MMAPDEMO_HARNESS_MAIN
