// SPDX-License-Identifier: GPL-2.0
/*
 * The CLI's parsers and formatters of numbers and flags: pure functions,
 * unit-tested on the host (user/tests/).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "cli.h"

int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	/* "16M", "16MiB" and "16MB" all mean 16 << 20. */
	if (shift) {
		end++;
		if (*end == 'i')
			end++;
		if (*end == 'B')
			end++;
	}
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

int parse_address(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int parse_prot(const char *s, int *prot)
{
	int p = 0;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "none")) {
		*prot = PROT_NONE;
		return 0;
	}
	if (!strcmp(s, "read")) {
		*prot = PROT_READ;
		return 0;
	}
	if (!strcmp(s, "write") || !strcmp(s, "read,write")) {
		*prot = PROT_READ | PROT_WRITE;
		return 0;
	}
	for (; *s; s++) {
		switch (*s) {
		case 'r':
			p |= PROT_READ;
			break;
		case 'w':
			p |= PROT_WRITE;
			break;
		case 'x':
			p |= PROT_EXEC;
			break;
		case '-':
			break;
		default:
			return -EINVAL;
		}
	}
	*prot = p;
	return 0;
}

void format_prot(int prot, char buf[4])
{
	buf[0] = prot & PROT_READ ? 'r' : '-';
	buf[1] = prot & PROT_WRITE ? 'w' : '-';
	buf[2] = prot & PROT_EXEC ? 'x' : '-';
	buf[3] = '\0';
}

void format_map_flags(int flags, char *buf, size_t size)
{
	static const struct {
		int flag;
		const char *name;
	} names[] = {
		{ MAP_SHARED_VALIDATE, "MAP_SHARED_VALIDATE" },
		{ MAP_SHARED, "MAP_SHARED" },
		{ MAP_PRIVATE, "MAP_PRIVATE" },
		{ MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE" },
		{ MAP_FIXED, "MAP_FIXED" },
		{ MAP_POPULATE, "MAP_POPULATE" },
		{ MAP_SYNC, "MAP_SYNC" },
		{ MAP_HUGETLB, "MAP_HUGETLB" },
		{ MAP_NORESERVE, "MAP_NORESERVE" },
		{ MAP_LOCKED, "MAP_LOCKED" },
	};
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		/* The type is a value in the low bits, not a set of bits. */
		bool set = names[i].flag <= MAP_SHARED_VALIDATE ?
			(flags & MAP_TYPE) == names[i].flag :
			(flags & names[i].flag) == names[i].flag;

		if (!set)
			continue;
		flags &= names[i].flag <= MAP_SHARED_VALIDATE ? ~MAP_TYPE :
			~names[i].flag;
		if (len < size)
			len += snprintf(buf + len, size - len, "%s%s",
					len ? "|" : "", names[i].name);
	}
	if (flags && len < size)
		snprintf(buf + len, size - len, "%s0x%x", len ? "|" : "", flags);
}
