// SPDX-License-Identifier: GPL-2.0
/*
 * The DMA device of QEMU's edu, /dev/mmapdemo-dma-<PCI address>
 * (kmod/dma.c): a coherent DMA buffer mapped into user space, which the
 * device's own DMA engine reads and writes, with its interrupt at the end
 * of each transfer.  Data both ways without a copy, the interrupt counts,
 * the bounds refused, the addresses only to CAP_SYS_ADMIN, revocation at
 * unbind (SIGBUS, ENODEV) and no unload under a mapping.  Runs in the edu
 * VM (scripts/bar-proof.sh edu), also built -m32 (compat_ptr_ioctl).
 */
#include <dirent.h>
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
	char bar[64];

	self->fd = -1;
	if (getuid() != 0)
		SKIP(return, "needs root");
	if (mmapdemo_find_bar(MMAPDEMO_EDU_VENDOR, MMAPDEMO_EDU_DEVICE, bar,
			      sizeof(bar), self->bdf, sizeof(self->bdf)))
		SKIP(return, MMAPDEMO_BAR_HINT("edu"));
	snprintf(self->path, sizeof(self->path), "/dev/mmapdemo-dma-%s",
		 self->bdf);
	self->fd = open(self->path, O_RDWR);
	ASSERT_LE(0, self->fd) TH_LOG("%s: %s", self->path, strerror(errno));
	ASSERT_EQ(0, dma_info(self->fd, &self->info));
}

FIXTURE_TEARDOWN(dma)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * What the device is: a buffer of whole pages, edu's 4 KiB buffer and
 * 28-bit mask, and for root the DMA address below that mask.  Without an
 * IOMMU the DMA address is the physical one.
 */
static bool have_iommu(void)
{
	DIR *d = opendir("/sys/class/iommu");
	struct dirent *e;
	bool iommu = false;

	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			iommu = true;
	if (d)
		closedir(d);
	return iommu;
}

/* Out of the test's own function: -m32 warns of its 64-bit values there. */
static void __attribute__((noinline))
check_info(struct __test_metadata *_metadata, const struct mmapdemo_dma_info *i)
{
	const bool iommu = have_iommu();

	EXPECT_LE((__u64)4 * PAGE, i->size);
	EXPECT_EQ(0U, i->size % PAGE);
	/* edu's 4096 but the last byte, which QEMU 7.2 cannot transfer. */
	EXPECT_EQ(4095U, i->dev_buf_size);
	EXPECT_EQ((1ULL << 28) - 1, i->dma_mask);
	EXPECT_TRUE(i->irq_kind == MMAPDEMO_DMA_IRQ_MSI ||
		    i->irq_kind == MMAPDEMO_DMA_IRQ_INTX);
	EXPECT_EQ(0U, i->reserved);
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

		if (mmapdemo_become_nobody() || dma_info(self->fd, &i))
			_exit(1);
		_exit(i.flags || i.dma_addr || i.phys ||
		      i.size != self->info.size ? 2 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/*
 * The device reads what user space wrote through its mapping, and writes
 * back where user space reads it, each transfer ended by one interrupt.
 */
TEST_F(dma, data_both_ways_through_the_mapping)
{
	struct mmapdemo_dma_info after;
	size_t size = self->info.size;
	char *m;

	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	memset(m, 0, size);
	/* Across a page boundary of the buffer, to the device's offset 100. */
	mmapdemo_fill(m + PAGE + 2048, 3000, 26);
	ASSERT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, PAGE + 2048, 100,
			  3000));
	/* And back, elsewhere in the buffer: the device's copy. */
	ASSERT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_FROM_DEVICE, 3 * PAGE, 100,
			  3000));
	EXPECT_EQ(-1, mmapdemo_check(m + 3 * PAGE, 3000, 26));
	/* Nothing else was written. */
	EXPECT_EQ(0, m[3 * PAGE + 3000]);
	EXPECT_EQ(0, m[3 * PAGE - 1]);

	ASSERT_EQ(0, dma_info(self->fd, &after));
	EXPECT_EQ(self->info.transfers + 2, after.transfers);
	EXPECT_EQ(self->info.irqs + 2, after.irqs);
	EXPECT_EQ(self->info.timeouts, after.timeouts);
	EXPECT_EQ(self->info.live_vmas + 1, after.live_vmas);
	EXPECT_EQ(0, munmap(m, size));
	ASSERT_EQ(0, dma_info(self->fd, &after));
	EXPECT_EQ(self->info.live_vmas, after.live_vmas);
}

/* A mapping of part of the buffer, from an offset, sees the same memory. */
TEST_F(dma, offset_mapping_and_fork_share_the_buffer)
{
	char *a, *b;
	int status;
	pid_t pid;

	a = mmap(NULL, self->info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	b = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 2 * PAGE);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_NE(MAP_FAILED, b);
	b[7] = 'd';
	EXPECT_EQ('d', a[2 * PAGE + 7]);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		b[8] = 'm';
		_exit(xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, 2 * PAGE, 0, 16) ? 1 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, xfer(self->fd, MMAPDEMO_DMA_FROM_DEVICE, 0, 0, 16));
	EXPECT_EQ('d', a[7]);
	EXPECT_EQ('m', a[8]);
	munmap(b, PAGE);
	munmap(a, self->info.size);
}

/*
 * Every transfer outside either buffer, of no length or more than the
 * device's buffer, or with an unknown direction or flag, is refused
 * before the device is touched; so are short and unknown-tail structs.
 */
TEST_F(dma, bounds_refused)
{
	__u64 size = self->info.size;
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
	ASSERT_EQ(0, dma_info(self->fd, &after));
	EXPECT_EQ(self->info.transfers + 2, after.transfers);
}

/* Mappings the buffer cannot have. */
TEST_F(dma, mmap_refusals)
{
	size_t size = self->info.size;
	char *m;

	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE,
				   self->fd, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ | PROT_EXEC,
				   MAP_SHARED, self->fd, 0));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, size + PAGE, PROT_READ, MAP_SHARED,
				   self->fd, 0));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd,
				   size));
	EXPECT_EQ(ENXIO, errno);
	m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	/* VM_MAYEXEC is gone: mprotect() cannot add exec. */
	EXPECT_EQ(-1, mprotect(m, PAGE, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	/* The device cannot grow: neither can its mappings. */
	EXPECT_EQ(MAP_FAILED, mremap(m, PAGE, 2 * PAGE, MREMAP_MAYMOVE));
	munmap(m, PAGE);
}

/* The module stays while the buffer is mapped, and the data with it. */
TEST_F(dma, no_unload_under_a_mapping)
{
	char *m;

	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	close(self->fd);
	self->fd = -1;
	m[5] = 'k';
	EXPECT_EQ(-1, syscall(SYS_delete_module, "mmapdemo", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ('k', m[5]);
	munmap(m, PAGE);
}

/*
 * Unbinding the edu revokes its DMA device under open files and live
 * mappings: every access SIGBUSes, every call ENODEV, munmap and close
 * work; bind brings a device whose transfers work.
 */
TEST_F(dma, unbind_revokes_and_bind_restores)
{
	struct mmapdemo_dma_info info;
	char *m, c = 0;
	int fd;

	m = mmap(NULL, self->info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 'R';
	ASSERT_EQ(0, mmapdemo_write_file(DRV "/unbind", self->bdf));
	EXPECT_TRUE(mmapdemo_wait_node(self->path, false));

	EXPECT_EQ(SIGBUS, mmapdemo_probe_read(m, &c));
	EXPECT_EQ(SIGBUS, mmapdemo_probe_write(m + 2 * PAGE, 'x'));
	EXPECT_EQ(-1, dma_info(self->fd, &info));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, xfer(self->fd, MMAPDEMO_DMA_TO_DEVICE, 0, 0, 1));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_SHARED,
				   self->fd, 0));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(0, munmap(m, self->info.size));
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
	ASSERT_EQ(0, dma_info(fd, &info));
	EXPECT_EQ(2ULL, info.transfers);
	EXPECT_EQ(2ULL, info.irqs);
	munmap(m, PAGE);
	close(fd);
}

/*
 * A hot removal under a live mapping: the mapping SIGBUSes, and the buffer,
 * which the mapping still holds, is freed at its munmap, after the device
 * is gone; a rescan brings a device that works.
 */
TEST_F(dma, remove_under_a_mapping_then_rescan)
{
	char path[96], *m, c = 0;
	int fd;

	m = mmap(NULL, self->info.size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 'R';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove",
		 self->bdf);
	ASSERT_EQ(0, mmapdemo_write_file(path, "1"));
	EXPECT_TRUE(mmapdemo_wait_node(self->path, false));
	EXPECT_EQ(SIGBUS, mmapdemo_probe_read(m, &c));
	EXPECT_EQ(0, munmap(m, self->info.size));
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
	close(fd);
}

MMAPDEMO_HARNESS_MAIN
