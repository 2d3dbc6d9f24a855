// SPDX-License-Identifier: GPL-2.0
/*
 * The page cache of a file on a real disk, beside the device: each
 * experiment makes its own file on an ext4 file system on a block device
 * (in the lab VM, /var/tmp on /dev/vda, a virtio disk attached by
 * "vm.sh -D") and watches the disk's own counters in
 * /sys/dev/block/MAJ:MIN/stat, the process's fault counters, mincore(2),
 * the page's flags in /proc/kpageflags, and the disk's blocks read with
 * O_DIRECT at the place FIEMAP says the file is:
 *
 *   disk_fault    the first touch is a major fault: filemap_fault() reads
 *                 the page from the disk into the page cache
 *   disk_dirty    a MAP_SHARED store dirties the page; the disk still holds
 *                 the old data
 *   disk_msync    msync(MS_SYNC) writes the page to the disk; after the
 *                 cache is dropped, read(2) reads the new data from it
 *   disk_private  a MAP_PRIVATE store never reaches the disk, msync or not
 *
 * On a directory that is not on a block device, or a kernel without ext4,
 * each experiment is skipped and says why.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "tour.h"

/* Pages of each experiment's file. */
#define DISK_PAGES 16
#define DISK_FIX \
	"fix: boot with a disk: make demo attaches one and mounts it on /var/tmp, by hand scripts/vm.sh -D 64M KERNEL; or --disk DIR names a directory on ext4"

#define KPF_DIRTY 4	/* include/uapi/linux/kernel-page-flags.h */

static const char old_text[] = "old data, written by pwrite and fsync";
static const char new_text[] = "new data, stored through the mapping";

/* The experiment's file and the block device under it. */
struct disk {
	int fd;
	int blk_fd;		/* the block device, O_DIRECT, or -1 */
	char path[256];
	char dev[64];		/* "vda" */
	char stat_path[96];	/* /sys/dev/block/MAJ:MIN/stat */
	char driver[64];	/* "virtio_blk" */
	unsigned int major, minor;
	uint64_t physical;	/* byte offset of the file's page 0 on dev */
	bool have_physical;
	size_t len;
	uint32_t ps;
};

/* The disk's counters of Documentation/block/stat.rst that we show. */
struct blk_stat {
	unsigned long long rd_ios, rd_sectors, wr_ios, wr_sectors;
};

static int blk_stat_read(const struct disk *d, struct blk_stat *s)
{
	unsigned long long v[7];
	FILE *f = fopen(d->stat_path, "r");
	int n;

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	n = fscanf(f, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6]);
	fclose(f);
	if (n != 7)
		return -EIO;
	s->rd_ios = v[0];
	s->rd_sectors = v[2];
	s->wr_ios = v[4];
	s->wr_sectors = v[6];
	return 0;
}

/* Report the disk's reads and writes between @a and @b under @key. */
static void blk_delta(const char *key, const char *title,
		      const struct blk_stat *a, const struct blk_stat *b)
{
	report_section(key, title);
	report_u64("read_ios", "reads", b->rd_ios - a->rd_ios);
	report_u64("read_sectors", "sectors read", b->rd_sectors - a->rd_sectors);
	report_u64("write_ios", "writes", b->wr_ios - a->wr_ios);
	report_u64("write_sectors", "sectors written",
		   b->wr_sectors - a->wr_sectors);
	report_close();
}

static long major_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

/* Pages of [@p, @p + @len) in the page cache, by mincore(2); -1 on error. */
static long resident(void *p, size_t len, uint32_t ps)
{
	unsigned char vec[DISK_PAGES];
	long n = 0;

	if (len / ps > DISK_PAGES || mincore(p, len, vec))
		return -1;
	for (size_t i = 0; i < len / ps; i++)
		n += vec[i] & 1;
	return n;
}

/* Pages of the whole file in the page cache (a mapping only to ask). */
static long file_resident(const struct disk *d)
{
	void *p = mmap(NULL, d->len, PROT_READ, MAP_SHARED, d->fd, 0);
	long n;

	if (p == MAP_FAILED)
		return -1;
	n = resident(p, d->len, d->ps);
	munmap(p, d->len);
	return n;
}

/*
 * The page's PG_dirty as /proc/kpageflags shows it: 1, 0, or -1 if it
 * cannot be read (no PFN in pagemap without CAP_SYS_ADMIN).
 */
static int page_dirty(const void *addr)
{
	struct mmapdemo_pagemap pm;
	uint64_t flags;
	int fd, ret = -1;

	if (mmapdemo_pagemap_read(addr, &pm) || !pm.present || !pm.pfn)
		return -1;
	fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (pread(fd, &flags, sizeof(flags), (off_t)(pm.pfn * 8)) ==
	    sizeof(flags))
		ret = !!(flags & (1ULL << KPF_DIRTY));
	close(fd);
	return ret;
}

/*
 * Pages of the mapping [@p, @p + @len) whose PG_dirty /proc/kpageflags
 * shows, after a read of each so that each has a PTE and pagemap a PFN;
 * -1 if one cannot be read.  /proc/kpageflags reports a large folio's
 * flags for each of its pages.
 */
static long dirty_pages(char *p, size_t len, uint32_t ps)
{
	long n = 0;
	int d;

	for (size_t off = 0; off < len; off += ps) {
		(void)*(volatile char *)(p + off);
		d = page_dirty(p + off);
		if (d < 0)
			return -1;
		n += d;
	}
	return n;
}

static const char *yes_no_unknown(int v)
{
	return v < 0 ? "unknown" : v ? "yes" : "no";
}

/*
 * Does the disk itself hold @s at the file's page 0?  Read with O_DIRECT
 * from the block device, past every cache.  1, 0, or -1 if it cannot be
 * read.
 */
static int on_disk(const struct disk *d, const char *s)
{
	void *buf;
	int ret = -1;

	if (d->blk_fd < 0 || !d->have_physical ||
	    posix_memalign(&buf, d->ps, d->ps))
		return -1;
	if (pread(d->blk_fd, buf, d->ps, (off_t)d->physical) == (ssize_t)d->ps)
		ret = !memcmp(buf, s, strlen(s));
	free(buf);
	return ret;
}

/* What the disk holds at the file's page 0. */
enum disk_holds { HOLDS_UNREADABLE = -1, HOLDS_OLD, HOLDS_NEW, HOLDS_OTHER };

static const char *const holds_text[] = {
	[HOLDS_OLD] = "the old data", [HOLDS_NEW] = "the new data",
	[HOLDS_OTHER] = "something else",
};

/* Read the disk at the file's page 0 and report what it holds as @key. */
static enum disk_holds report_on_disk(const struct disk *d, const char *key,
				      const char *label)
{
	int old = on_disk(d, old_text), new = on_disk(d, new_text);
	enum disk_holds h = old < 0 ? HOLDS_UNREADABLE :
			    old ? HOLDS_OLD :
			    new ? HOLDS_NEW : HOLDS_OTHER;

	report_str(key, label, h == HOLDS_UNREADABLE ? "(cannot be read)" :
						      holds_text[h]);
	return h;
}

static const char *holds_name(enum disk_holds h)
{
	return h == HOLDS_UNREADABLE ? "(unreadable)" : holds_text[h];
}

/* Drop the clean page cache, as root: echo 1 >/proc/sys/vm/drop_caches. */
static int drop_caches(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

/* Where the file's first byte is on the disk: FIEMAP. */
static void disk_locate(struct disk *d)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent fe;
	} m;

	memset(&m, 0, sizeof(m));
	m.fm.fm_length = d->ps;
	m.fm.fm_flags = FIEMAP_FLAG_SYNC;
	m.fm.fm_extent_count = 1;
	if (ioctl(d->fd, FS_IOC_FIEMAP, &m.fm) || m.fm.fm_mapped_extents != 1 ||
	    m.fe.fe_logical != 0 ||
	    (m.fe.fe_flags & (FIEMAP_EXTENT_UNKNOWN | FIEMAP_EXTENT_ENCODED |
			      FIEMAP_EXTENT_DATA_INLINE)))
		return;
	d->physical = m.fe.fe_physical;
	d->have_physical = true;
}

/* The block device @d's file system is on, from sysfs; false if none. */
static bool disk_device(struct disk *d, const struct stat *st, char *why,
			size_t size)
{
	char path[128], line[128], link[PATH_MAX];
	ssize_t n;
	FILE *f;

	d->major = major(st->st_dev);
	d->minor = minor(st->st_dev);
	snprintf(d->stat_path, sizeof(d->stat_path), "/sys/dev/block/%u:%u/stat",
		 d->major, d->minor);
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", d->major,
		 d->minor);
	f = fopen(path, "r");
	if (!f) {
		snprintf(why, size,
			 "its file system (device %u:%u) is on no block device",
			 d->major, d->minor);
		return false;
	}
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8))
			snprintf(d->dev, sizeof(d->dev), "%.*s",
				 (int)strcspn(line + 8, "\n"), line + 8);
	fclose(f);
	/* The driver of the disk, or of the whole disk of a partition. */
	snprintf(d->driver, sizeof(d->driver), "unknown");
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/device/driver",
		 d->major, d->minor);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		snprintf(path, sizeof(path),
			 "/sys/dev/block/%u:%u/../device/driver", d->major,
			 d->minor);
		n = readlink(path, link, sizeof(link) - 1);
	}
	if (n > 0) {
		link[n] = '\0';
		snprintf(d->driver, sizeof(d->driver), "%.63s",
			 strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
	}
	return d->dev[0];
}

/* The mount point of device @maj:@min, from /proc/self/mountinfo. */
static void mount_point(unsigned int maj, unsigned int min, char *buf,
			size_t size)
{
	char line[1024], mnt[512];
	unsigned int a, b;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	snprintf(buf, size, "?");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%*u %*u %u:%u %*s %511s", &a, &b, mnt) == 3 &&
		    a == maj && b == min) {
			snprintf(buf, size, "%s", mnt);
			break;
		}
	fclose(f);
}

/*
 * A fresh file of DISK_PAGES pages in the tour's disk directory, each
 * page starting with old_text, written and fsync()ed so that it is on the
 * disk, and the block device under it.  0, or -1 with the reason the
 * experiment is skipped in @why.
 */
static int disk_open(struct tour *t, struct disk *d, char *why, size_t size)
{
	struct statfs sf;
	struct stat st;
	char *buf;
	int ret;

	memset(d, 0, sizeof(*d));
	d->fd = d->blk_fd = -1;
	d->ps = t->ps;
	d->len = (size_t)DISK_PAGES * t->ps;
	if (statfs(t->disk_dir, &sf) || stat(t->disk_dir, &st)) {
		snprintf(why, size, "%.200s: %s", t->disk_dir, strerror(errno));
		return -1;
	}
	if ((unsigned long)sf.f_type != EXT4_SUPER_MAGIC) {
		snprintf(why, size,
			 "%.200s is not on ext4 (statfs f_type 0x%lx): these experiments want a file on a disk",
			 t->disk_dir, (unsigned long)sf.f_type);
		return -1;
	}
	if (!disk_device(d, &st, why, size))
		return -1;
	snprintf(d->path, sizeof(d->path), "%.200s/mmapdemo-disk-XXXXXX",
		 t->disk_dir);
	d->fd = mkstemp(d->path);
	if (d->fd < 0) {
		snprintf(why, size, "creating a file in %.200s: %s", t->disk_dir,
			 strerror(errno));
		return -1;
	}
	cli_temp_file(1, d->path);
	buf = calloc(1, d->len);
	ret = buf ? 0 : -1;
	for (unsigned int i = 0; buf && i < DISK_PAGES; i++)
		memcpy(buf + (size_t)i * d->ps, old_text, sizeof(old_text));
	if (!ret && (pwrite(d->fd, buf, d->len, 0) != (ssize_t)d->len ||
		     fsync(d->fd)))
		ret = -1;
	free(buf);
	if (ret) {
		snprintf(why, size, "writing %.255s: %s", d->path, strerror(errno));
		close(d->fd);
		cli_temp_file(1, NULL);
		unlink(d->path);
		return -1;
	}
	disk_locate(d);
	snprintf(why, size, "/dev/%s", d->dev);
	d->blk_fd = open(why, O_RDONLY | O_DIRECT | O_CLOEXEC);
	return 0;
}

static void disk_close(struct disk *d)
{
	if (d->blk_fd >= 0)
		close(d->blk_fd);
	close(d->fd);
	cli_temp_file(1, NULL);
	unlink(d->path);
}

/* Where the experiment's file is: the file system and the disk under it. */
static void disk_where(const struct disk *d)
{
	char mnt[512];

	mount_point(d->major, d->minor, mnt, sizeof(mnt));
	report_str("file", "file", d->path);
	report_text("The file is on ext4 mounted on %s from /dev/%s (block device %u:%u,",
		    mnt, d->dev, d->major, d->minor);
	report_text("driver %s): its pages are read from and written to that disk.",
		    d->driver);
	report_str("block_device", "block device", d->dev);
	report_str("driver", "driver", d->driver);
	if (d->have_physical)
		report_hex("disk_offset", "page 0 at disk byte",
			   d->physical);
}

/* Open the experiment's disk file, or skip the experiment with a reason. */
static bool disk_begin(struct tour *t, struct disk *d)
{
	char why[512];

	if (disk_open(t, d, why, sizeof(why))) {
		tour_skip(t, why, DISK_FIX);
		return false;
	}
	disk_where(d);
	return true;
}

/* Drop the caches and check with mincore(2) that the file left them. */
static bool disk_uncache(const struct disk *d, const char *key)
{
	long n;

	if (drop_caches())
		return false;
	n = file_resident(d);
	report_i64(key, "cached after drop_caches", n);
	return n == 0;
}

/* ------------------------------------------------------------------ */

/* What the experiments ask the traces about. */
static const char *const read_marks[] = {
	"filemap_fault", "ext4_readahead", NULL
};
static const char *const mkwrite_marks[] = {
	"ext4_page_mkwrite", "block_page_mkwrite", "fault_dirty_shared_page",
	"do_cow_fault", NULL
};
static const char *const sync_marks[] = {
	"vfs_fsync_range", "ext4_sync_file", "folio_clear_dirty_for_io",
	"folio_mkclean", NULL
};

static void disk_fault_run(struct tour *t)
{
	struct blk_stat a, b;
	long maj0, maj1, before = -1, after = -1;
	bool uncached, data_ok = false;
	volatile char *p;
	struct disk d;
	void *addr;

	if (!disk_begin(t, &d))
		return;
	report_text("Drop the page cache, map the file MAP_SHARED and read one byte of its");
	report_text("first page.  The page is not in the cache, so the read fault goes to the");
	report_text("file's fault handler, which counts a major fault and reads the page, and");
	report_text("the readahead window around it, from the disk; mincore(2) shows them in");
	report_text("the page cache afterwards.  The verdicts count sectors, not requests: the");
	report_text("block layer adds a request's sectors to the disk's statistics before it");
	report_text("ends the request's bios but counts the request only after, so a reader");
	report_text("that the completion wakes may not see the request counted yet.");
	uncached = disk_uncache(&d, "cached_before");
	if (tour_map_fd(d.fd, d.len, PROT_READ, MAP_SHARED, &addr)) {
		disk_close(&d);
		tour_verdict(t, false, "mmap of the file failed");
		return;
	}
	p = addr;
	before = resident(addr, d.len, d.ps);
	blk_stat_read(&d, &a);
	tour_trace_start(t);
	maj0 = major_faults();
	data_ok = !memcmp((const char *)p, old_text, sizeof(old_text));
	maj1 = major_faults();
	tour_trace_stop(t, "touch_calls", "calls, first read", read_marks);
	blk_stat_read(&d, &b);
	after = resident(addr, d.len, d.ps);
	munmap(addr, d.len);
	report_i64("cached_at_mmap", "pages cached at mmap()", before);
	report_i64("major_faults", "major faults on the read", maj1 - maj0);
	blk_delta("disk", "the disk during the read", &a, &b);
	report_i64("cached_after", "cached after the read", after);
	report_bool("data", "read saw the data", data_ok);
	disk_close(&d);
	if (uncached && before == 0 && maj1 - maj0 == 1 &&
	    b.rd_sectors > a.rd_sectors && after >= 1 && data_ok)
		tour_verdict(t, true,
			     "the first read was a major fault that read %llu sectors from /dev/%s; %ld of %u pages are now in the page cache",
			     b.rd_sectors - a.rd_sectors, d.dev, after,
			     DISK_PAGES);
	else
		tour_verdict(t, false,
			     "expected 0 pages cached, 1 major fault, sectors read from the disk and the page cached: %ld cached, %ld major faults, %llu sectors read, %ld cached after, data %s",
			     before, maj1 - maj0, b.rd_sectors - a.rd_sectors, after,
			     data_ok ? "right" : "wrong");
}

const struct tour_experiment tour_disk_fault = {
	.name = "disk_fault",
	.title = "the first touch of a file page reads it from the disk",
	.shows = "A page that is not in the page cache is read from the disk at its first touch, a major fault, and stays in the page cache.",
	.run = disk_fault_run,
};

/* ------------------------------------------------------------------ */

/*
 * Map the disk file MAP_SHARED and store new_text at the start of page 0
 * (the first access is the write: do_shared_fault()).  The mapping, or
 * NULL.
 */
static char *store_shared(struct tour *t, struct disk *d, struct blk_stat *a,
			  struct blk_stat *b, int *dirty)
{
	void *addr;

	if (tour_map_fd(d->fd, d->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			&addr))
		return NULL;
	blk_stat_read(d, a);
	tour_trace_start(t);
	memcpy(addr, new_text, sizeof(new_text));
	tour_trace_stop(t, "touch_calls", "calls, first write", mkwrite_marks);
	*dirty = page_dirty(addr);
	blk_stat_read(d, b);
	return addr;
}

static void disk_dirty_run(struct tour *t)
{
	enum disk_holds holds;
	struct blk_stat a, b;
	int dirty = -1;
	bool seen;
	struct disk d;
	char *p;

	if (!disk_begin(t, &d))
		return;
	report_text("Store through a MAP_SHARED mapping of the file.  The store faults, and");
	report_text("the file system's ->page_mkwrite readies the block (ext4 with delayed");
	report_text("allocation also marks the page dirty there), and the core's fault path");
	report_text("marks it dirty in any case.  Nothing is");
	report_text("written yet: the disk, read with O_DIRECT at the place FIEMAP names,");
	report_text("still holds the old data until writeback writes the page (the flusher");
	report_text("threads after dirty_expire_centisecs, or msync(2) and fsync(2) now).");
	report_text("The disk's counters count every request, ext4's journal too (jbd2 commits");
	report_text("every 5 s), so it is what the disk holds that tells.  The page cache keeps");
	report_text("the dirty flag per folio: where ext4 caches the file in one large folio");
	report_text("(7.x does), /proc/kpageflags shows every page of it dirty, and writeback");
	report_text("writes the whole folio.");
	p = store_shared(t, &d, &a, &b, &dirty);
	if (!p) {
		disk_close(&d);
		tour_verdict(t, false, "mmap of the file failed");
		return;
	}
	report_str("dirty", "page dirty (kpageflags)",
		   yes_no_unknown(dirty));
	report_i64("dirty_pages", "dirty pages of the file",
		   dirty_pages(p, d.len, d.ps));
	blk_delta("disk", "the disk during the store", &a, &b);
	holds = report_on_disk(&d, "on_disk", "disk holds (O_DIRECT)");
	seen = tour_holds(d.fd, new_text);
	report_bool("read_sees", "read(2) sees new data", seen);
	munmap(p, d.len);
	disk_close(&d);
	if (dirty == 1 && holds == HOLDS_OLD && seen)
		tour_verdict(t, true,
			     "the page is dirty in the page cache and read(2) sees the store, but /dev/%s still holds the old data (%llu sectors written to it meanwhile)",
			     d.dev, b.wr_sectors - a.wr_sectors);
	else
		tour_verdict(t, false,
			     "expected a dirty page and the old data on the disk: dirty %s, the disk holds %s, read(2) %s",
			     yes_no_unknown(dirty), holds_name(holds),
			     seen ? "sees it" : "does not");
}

const struct tour_experiment tour_disk_dirty = {
	.name = "disk_dirty",
	.title = "a MAP_SHARED store dirties the page, not the disk",
	.shows = "A store through a shared mapping of a file changes the page in the page cache and marks it dirty; the disk keeps the old data until writeback.",
	.run = disk_dirty_run,
};

/* ------------------------------------------------------------------ */

static void disk_msync_run(struct tour *t)
{
	struct blk_stat a, b, c, e;
	enum disk_holds holds = HOLDS_UNREADABLE;
	int dirty = -1, clean = -1, ret = -1;
	bool uncached = false, back = false;
	long flt0 = 0, flt1 = 0;
	struct disk d;
	char *p;

	if (!disk_begin(t, &d))
		return;
	report_text("Store through a MAP_SHARED mapping, then msync(MS_SYNC).  For a");
	report_text("VM_SHARED mapping msync() fsyncs its file; ext4 writes the dirty page to");
	report_text("the disk and waits for it.  Writeback clears the dirty flag and");
	report_text("write-protects the PTE, so the next store faults again to dirty the page");
	report_text("anew.  Then the page cache is dropped and read(2) reads the file back");
	report_text("from the disk.");
	p = store_shared(t, &d, &a, &b, &dirty);
	if (!p) {
		disk_close(&d);
		tour_verdict(t, false, "mmap of the file failed");
		return;
	}
	report_str("dirty", "dirty after the store",
		   yes_no_unknown(dirty));
	tour_trace_start(t);
	ret = msync(p, d.len, MS_SYNC) ? -errno : 0;
	tour_trace_stop(t, "msync_calls", "calls in msync()", sync_marks);
	blk_stat_read(&d, &c);
	report_str("msync", "msync(MS_SYNC)", ret ? strerror(-ret) : "ok");
	blk_delta("disk", "the disk during msync", &b, &c);
	clean = page_dirty(p);
	report_str("dirty_after", "page dirty after msync",
		   yes_no_unknown(clean));
	holds = report_on_disk(&d, "on_disk", "disk holds (O_DIRECT)");
	flt0 = minor_faults();
	p[sizeof(new_text)] = '+';
	flt1 = minor_faults();
	report_i64("refault", "next store: minor faults", flt1 - flt0);
	/* Put the page as msync left it, then write it again, for the read. */
	p[sizeof(new_text)] = '\0';
	msync(p, d.len, MS_SYNC);
	munmap(p, d.len);
	uncached = disk_uncache(&d, "cached_after_drop");
	blk_stat_read(&d, &c);
	back = tour_holds(d.fd, new_text);
	blk_stat_read(&d, &e);
	report_bool("read_back", "then read(2) sees new",
		    back);
	report_u64("read_back_sectors", "sectors read for it",
		   e.rd_sectors - c.rd_sectors);
	disk_close(&d);
	if (dirty == 1 && !ret && c.wr_sectors > b.wr_sectors && clean == 0 &&
	    holds == HOLDS_NEW && flt1 - flt0 == 1 && uncached && back &&
	    e.rd_sectors > c.rd_sectors)
		tour_verdict(t, true,
			     "msync wrote the page to /dev/%s (the disk now holds the new data, the page is clean, the next store faulted again), and read(2) after drop_caches read it back from the disk",
			     d.dev);
	else
		tour_verdict(t, false,
			     "dirty before %s, msync %s, %llu sectors written, dirty after %s, disk holds %s, next store %ld faults, dropped %s, read back %s with %llu sectors read",
			     yes_no_unknown(dirty), ret ? "failed" : "ok",
			     c.wr_sectors - b.wr_sectors, yes_no_unknown(clean),
			     holds_name(holds), flt1 - flt0,
			     uncached ? "yes" : "no", back ? "new" : "NOT new",
			     e.rd_sectors - c.rd_sectors);
}

const struct tour_experiment tour_disk_msync = {
	.name = "disk_msync",
	.title = "msync(MS_SYNC) writes the page to the disk",
	.shows = "msync(MS_SYNC) makes the kernel write a shared mapping's dirty pages to the disk now, where a read after the page cache is dropped finds them.",
	.run = disk_msync_run,
};

/* ------------------------------------------------------------------ */

static void disk_private_run(struct tour *t)
{
	struct mmapdemo_pagemap pm = { 0 };
	enum disk_holds holds = HOLDS_UNREADABLE;
	bool mine, uncached, old_back;
	struct blk_stat a, b, c, e;
	int ret;
	struct disk d;
	void *addr;
	char *p;

	if (!disk_begin(t, &d))
		return;
	report_text("Store through a MAP_PRIVATE mapping of the file, then msync(MS_SYNC).");
	report_text("The store faults, and the fault copies the page into an anonymous page");
	report_text("of this process and maps that; the page cache keeps the file's data.");
	report_text("msync() of a private mapping writes nothing (msync() fsyncs only");
	report_text("VM_SHARED mappings), and nothing ever writes an anonymous page to the file.");
	if (tour_map_fd(d.fd, d.len, PROT_READ | PROT_WRITE, MAP_PRIVATE,
			&addr)) {
		disk_close(&d);
		tour_verdict(t, false, "mmap of the file failed");
		return;
	}
	p = addr;
	blk_stat_read(&d, &a);
	tour_trace_start(t);
	memcpy(p, new_text, sizeof(new_text));
	tour_trace_stop(t, "touch_calls", "calls, first write", mkwrite_marks);
	tour_trace_start(t);
	ret = msync(p, d.len, MS_SYNC) ? -errno : 0;
	tour_trace_stop(t, "msync_calls", "calls in msync()", sync_marks);
	blk_stat_read(&d, &b);
	mine = !memcmp(p, new_text, sizeof(new_text));
	mmapdemo_pagemap_read(p, &pm);
	report_bool("writer_sees", "writer sees its store", mine);
	report_bool("file_page", "pagemap file bit (61)",
		    pm.file_or_shared);
	report_str("msync", "msync(MS_SYNC)", ret ? strerror(-ret) : "ok");
	blk_delta("disk", "the disk during the store and msync", &a, &b);
	munmap(addr, d.len);
	holds = report_on_disk(&d, "on_disk", "disk holds (O_DIRECT)");
	uncached = disk_uncache(&d, "cached_after_drop");
	blk_stat_read(&d, &c);
	old_back = tour_holds(d.fd, old_text);
	blk_stat_read(&d, &e);
	report_bool("read_back", "then read(2) sees old",
		    old_back);
	report_u64("read_back_sectors", "sectors read for it",
		   e.rd_sectors - c.rd_sectors);
	disk_close(&d);
	if (mine && pm.present && !pm.file_or_shared && !ret &&
	    holds == HOLDS_OLD && uncached && old_back &&
	    e.rd_sectors > c.rd_sectors)
		tour_verdict(t, true,
			     "the store went to an anonymous copy; after msync the disk and a read after drop_caches still hold the old data");
	else
		tour_verdict(t, false,
			     "writer sees %s, file page %s, msync %s, disk holds %s, dropped %s, read back %s with %llu sectors read",
			     mine ? "it" : "NOT it",
			     pm.file_or_shared ? "yes" : "no",
			     ret ? "failed" : "ok",
			     holds_name(holds), uncached ? "yes" : "no",
			     old_back ? "old" : "NOT old",
			     e.rd_sectors - c.rd_sectors);
}

const struct tour_experiment tour_disk_private = {
	.name = "disk_private",
	.title = "a MAP_PRIVATE store never reaches the disk",
	.shows = "A store through a private mapping of a file goes to an anonymous copy that no msync or writeback ever writes to the disk.",
	.run = disk_private_run,
};

/* ------------------------------------------------------------------ */

/*
 * msync(MS_SYNC) of a one-page MAP_SHARED (or @flags) mapping of @fd, or
 * of shared anonymous memory if @fd is negative: "ok" or the errno's name.
 */
static const char *msync_result(int fd, int flags, uint32_t ps)
{
	void *p;
	int err = 0;

	if (fd < 0)
		flags |= MAP_ANONYMOUS;
	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED)
		return "mmap failed";
	*(volatile char *)p = 'm';
	if (msync(p, ps, MS_SYNC))
		err = errno;
	munmap(p, ps);
	return err ? strerrorname_np(err) ?: "error" : "ok";
}

/*
 * msync(MS_SYNC) of a one-page mapping with the defio strategy (deferred
 * I/O), and whether the store reached the device side by the time it
 * returned: "ok", "ok, not flushed", "n/a" where the device has no
 * deferred I/O, or the errno's name.
 */
static const char *defio_msync_result(struct tour *t)
{
	const char *res = "ok";
	struct mmapdemo *md;
	unsigned char dev;
	volatile unsigned char *p;
	void *map;
	int ret;

	if (!(t->info.features & MMAPDEMO_FEATURE_DEFIO))
		return "n/a";
	ret = tour_dev_open(t, MMAPDEMO_STRATEGY_DEFIO, &md);
	if (ret)
		return strerrorname_np(-ret) ?: "error";
	ret = mmapdemo_map(md, t->ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0,
			   &map);
	if (ret) {
		mmapdemo_close(md);
		return strerrorname_np(-ret) ?: "error";
	}
	p = map;
	/* A byte the device side does not hold yet. */
	ret = mmapdemo_defio_read(md, 0, &dev, 1);
	if (!ret) {
		p[0] = (unsigned char)~dev;
		if (msync(map, t->ps, MS_SYNC))
			ret = -errno;
	}
	if (!ret)
		ret = mmapdemo_defio_read(md, 0, &dev, 1);
	if (ret)
		res = strerrorname_np(-ret) ?: "error";
	else if (dev != p[0])
		res = "ok, not flushed";
	mmapdemo_unmap(map, t->ps);
	mmapdemo_close(md);
	return res;
}

/* One row of the table: a property and its six cells. */
static void table_row(const char *label, const char *const cell[6])
{
	report_text("%-18s %-14s %-14s %-15s %-15s %-14s %s", label, cell[0],
		    cell[1], cell[2], cell[3], cell[4], cell[5]);
}

void tour_disk_table(struct tour *t)
{
	static const char *const head[] = { "device",	    "device defio",
					    "ext4 shared",  "ext4 private",
					    "tmpfs file",   "shared anon" };
	static const char *const pages[] = { "device memory", "RAM shadow",
					     "page cache",    "page cache",
					     "shmem pages",   "shmem pages" };
	static const char *const first[] = { "->fault/none",  "->fault",
					     "filemap_fault", "filemap_fault",
					     "shmem_fault",   "shmem_fault" };
	static const char *const store[] = { "the device", "the shadow",
					     "the page",   "own anon copy",
					     "the page",   "the page" };
	static const char *const back[] = { "is the store", "by a flush",
					    "by writeback", "never",
					    "to swap only", "to swap only" };
	static const char *const who[] = { "any opener", "any opener",
					   "any opener", "nobody",
					   "any opener", "fork children" };
	const char *sync[6] = { "?", "?", "?", "?", "?", "?" };
	struct mmapdemo *md;
	struct disk d;
	char why[512];

	if (!tour_dev_open(t, t->info.default_strategy, &md)) {
		sync[0] = msync_result(mmapdemo_fd(md), MAP_SHARED, t->ps);
		mmapdemo_close(md);
	}
	sync[1] = defio_msync_result(t);
	if (!disk_open(t, &d, why, sizeof(why))) {
		sync[2] = msync_result(d.fd, MAP_SHARED, t->ps);
		sync[3] = msync_result(d.fd, MAP_PRIVATE, t->ps);
		disk_close(&d);
	}
	if (!strcmp(t->file_fs, "tmpfs"))
		sync[4] = msync_result(t->file_fd, MAP_SHARED, t->ps);
	sync[5] = msync_result(-1, MAP_SHARED, t->ps);

	report_section("compare", "the device beside a file and shared memory");
	report_text("How each mapping is like and unlike the device.  The msync row is");
	report_text("measured now (one page, MAP_SHARED or MAP_PRIVATE); the others are what");
	report_text("the experiments above show.  \"shmem pages\" are the page cache of a");
	report_text("shmem file, in RAM, swapped out only under memory pressure; the device's");
	report_text("memory is its own storage, with no page cache and nothing to write back.");
	table_row("", head);
	table_row("pages mapped", pages);
	table_row("first touch", first);
	table_row("a store goes to", store);
	table_row("reaches storage", back);
	table_row("msync(MS_SYNC)", sync);
	table_row("others see it", who);
	report_text("msync(MS_SYNC) fsyncs the file of a VM_SHARED mapping: ext4 writes the");
	report_text("disk, shmem's ->fsync (tmpfs, and the shmem file behind shared anonymous");
	report_text("memory) has nothing to write and returns 0, and the device's");
	report_text("->fsync returns EINVAL, but with the defio strategy (deferred I/O) it");
	report_text("flushes: \"ok\" there means the store was on the device side when msync");
	report_text("returned.  A private mapping is not synced.");
	if (report_json()) {
		report_str("device_msync", NULL, sync[0]);
		report_str("defio_msync", NULL, sync[1]);
		report_str("ext4_shared_msync", NULL, sync[2]);
		report_str("ext4_private_msync", NULL, sync[3]);
		report_str("tmpfs_msync", NULL, sync[4]);
		report_str("shared_anonymous_msync", NULL, sync[5]);
	}
	report_close();
}
