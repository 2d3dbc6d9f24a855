/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the library's files share and do not export. */
#ifndef MMAPDEMO_PRIVATE_H
#define MMAPDEMO_PRIVATE_H

#include <stddef.h>

#ifndef MMAPDEMO_LIB_VERSION
#define MMAPDEMO_LIB_VERSION "unknown"
#endif

/*
 * Read a whole (small, virtual) file such as /proc/self/smaps into a
 * NUL-terminated buffer that the caller frees.  Returns 0 or -errno.
 */
int mmapdemo__read_file(const char *path, char **text, size_t *len);

#endif /* MMAPDEMO_PRIVATE_H */
