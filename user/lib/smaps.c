// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /proc/self/smaps: find the VMA of an address and decode it.  The format
 * is fs/proc/task_mmu.c's: a maps line ("start-end perms offset dev inode
 * path"), then "Key:   N kB" lines, and last "VmFlags: rd wr ...".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mmapdemo.h"
#include "private.h"

int mmapdemo__read_file(const char *path, char **text, size_t *lenp)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap + 1), *bigger;
	ssize_t n;
	int fd;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	for (;;) {
		if (len == cap) {
			bigger = realloc(buf, cap * 2 + 1);
			if (!bigger) {
				n = -ENOMEM;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0)
				n = -errno;
			break;
		}
		len += (size_t)n;
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	buf[len] = '\0';
	*text = buf;
	if (lenp)
		*lenp = len;
	return 0;
}

/* Parse a maps line; returns 0 or -EINVAL. */
static int parse_range_line(const char *line, struct mmapdemo_vma *vma)
{
	unsigned long long start, end, offset, inode;
	unsigned int major, minor;
	char perms[5];
	int pos = 0;

	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu%n", &start, &end,
		   perms, &offset, &major, &minor, &inode, &pos) != 7)
		return -EINVAL;
	if (start >= end || strlen(perms) != 4)
		return -EINVAL;
	vma->start = start;
	vma->end = end;
	memcpy(vma->perms, perms, sizeof(vma->perms));
	vma->offset = offset;
	vma->dev_major = major;
	vma->dev_minor = minor;
	vma->inode = inode;
	line += pos;
	while (*line == ' ')
		line++;
	snprintf(vma->path, sizeof(vma->path), "%.*s",
		 (int)strcspn(line, "\n"), line);
	return 0;
}

static void parse_vmflags(const char *s, struct mmapdemo_vma *vma)
{
	char code[3];
	int pos;

	while (vma->nr_vmflags < MMAPDEMO_VMFLAGS_MAX &&
	       sscanf(s, " %2[a-z]%n", code, &pos) == 1) {
		memcpy(vma->vmflags[vma->nr_vmflags++], code, sizeof(code));
		vma->vm_flags |= mmapdemo_vmflag_bit(code);
		s += pos;
	}
}

static const struct {
	const char *key;
	size_t off;
} kb_fields[] = {
	{ "Size", offsetof(struct mmapdemo_vma, size_kb) },
	{ "Rss", offsetof(struct mmapdemo_vma, rss_kb) },
	{ "Pss", offsetof(struct mmapdemo_vma, pss_kb) },
	{ "Shared_Clean", offsetof(struct mmapdemo_vma, shared_clean_kb) },
	{ "Shared_Dirty", offsetof(struct mmapdemo_vma, shared_dirty_kb) },
	{ "Private_Clean", offsetof(struct mmapdemo_vma, private_clean_kb) },
	{ "Private_Dirty", offsetof(struct mmapdemo_vma, private_dirty_kb) },
	{ "Referenced", offsetof(struct mmapdemo_vma, referenced_kb) },
	{ "Anonymous", offsetof(struct mmapdemo_vma, anonymous_kb) },
	{ "AnonHugePages", offsetof(struct mmapdemo_vma, anon_huge_kb) },
};

/* A "Key:   N kB" line of the VMA being decoded. */
static void parse_field_line(const char *line, struct mmapdemo_vma *vma)
{
	size_t klen = strcspn(line, ":");
	unsigned long long kb;
	unsigned int i;

	if (line[klen] != ':')
		return;
	if (klen == 7 && !strncmp(line, "VmFlags", 7)) {
		parse_vmflags(line + 8, vma);
		return;
	}
	if (sscanf(line + klen + 1, "%llu kB", &kb) != 1)
		return;
	for (i = 0; i < sizeof(kb_fields) / sizeof(kb_fields[0]); i++) {
		if (strlen(kb_fields[i].key) == klen &&
		    !strncmp(line, kb_fields[i].key, klen)) {
			*(uint64_t *)((char *)vma + kb_fields[i].off) = kb;
			return;
		}
	}
}

/* A maps line starts with a hex digit; field lines start with a letter key. */
static int is_range_line(const char *line)
{
	size_t hex = strspn(line, "0123456789abcdef");

	return hex > 0 && line[hex] == '-';
}

int mmapdemo_smaps_parse(const char *text, uint64_t addr,
			 struct mmapdemo_vma *vma)
{
	const char *line = text;
	bool found = false, any = false;

	memset(vma, 0, sizeof(*vma));
	while (line && *line) {
		const char *next = strchr(line, '\n');

		if (is_range_line(line)) {
			struct mmapdemo_vma cur;

			if (found)
				break;
			memset(&cur, 0, sizeof(cur));
			if (parse_range_line(line, &cur))
				return -EINVAL;
			any = true;
			if (addr >= cur.start && addr < cur.end) {
				*vma = cur;
				found = true;
			}
		} else if (!any) {
			return -EINVAL;
		} else if (found) {
			parse_field_line(line, vma);
		}
		line = next ? next + 1 : NULL;
	}
	if (!found) {
		memset(vma, 0, sizeof(*vma));
		return any || !*text ? -ENOENT : -EINVAL;
	}
	return 0;
}

int mmapdemo_smaps_read(const void *addr, struct mmapdemo_vma *vma)
{
	char *text;
	int ret;

	ret = mmapdemo__read_file("/proc/self/smaps", &text, NULL);
	if (ret)
		return ret;
	ret = mmapdemo_smaps_parse(text, (uintptr_t)addr, vma);
	free(text);
	return ret;
}
