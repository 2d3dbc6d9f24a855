// SPDX-License-Identifier: GPL-2.0
/*
 * The paths make paths recorded in the lab (scripts/paths.sh): for each
 * kernel of the matrix, each case as "mmapdemo --json" printed it, each
 * stage's calls cut to the spine, and which functions that kernel cannot
 * trace and why.  The tool shows them, labelled as recorded, only on the
 * same kernel release, when it cannot trace the kernel it runs on.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli.h"

#ifndef MMAPDEMO_DATADIR
#define MMAPDEMO_DATADIR "/usr/local/share/mmapdemo"
#endif

static char *read_file(const char *path)
{
	size_t len = 0, size = 1 << 16;
	char *buf = malloc(size), *t;
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f || !buf)
		goto fail;
	while ((n = fread(buf + len, 1, size - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == size) {
			size *= 2;
			t = realloc(buf, size);
			if (!t)
				goto fail;
			buf = t;
		}
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
fail:
	if (f)
		fclose(f);
	free(buf);
	return NULL;
}

/*
 * Where the recordings are: beside the tool, in ../share/mmapdemo/paths
 * from its own directory (an install under any prefix, or one copied
 * elsewhere as the lab's VMs do), else where it was built to look.
 */
static const char *paths_dir(char *buf, size_t size)
{
	char exe[2048], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, size, "%s/../share/mmapdemo/paths", exe);
			if (!access(buf, R_OK | X_OK))
				return buf;
		}
	}
	return MMAPDEMO_DATADIR "/paths";
}

const struct json *recorded_kernel(char *why, size_t size)
{
	static struct json *found;
	static char said[512];
	static bool looked;
	const char *dir = getenv("MMAPDEMO_PATHS");
	static char exe_dir[4096];
	char path[4608];
	struct utsname u;
	struct dirent *e;
	DIR *d;

	if (looked) {
		snprintf(why, size, "%s", said);
		return found;
	}
	looked = true;
	if (!dir)
		dir = paths_dir(exe_dir, sizeof(exe_dir));
	uname(&u);
	snprintf(said, sizeof(said), "none recorded for %s in %.200s", u.release,
		 dir);
	d = opendir(dir);
	if (!d) {
		snprintf(said, sizeof(said), "none: %.200s: %s", dir,
			 strerror(errno));
		snprintf(why, size, "%s", said);
		return NULL;
	}
	while (!found && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		const char *release;
		struct json *rec;
		char *text;

		if (len < 6 || strcmp(e->d_name + len - 5, ".json"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		text = read_file(path);
		rec = text ? json_parse(text) : NULL;
		free(text);
		release = json_str(rec, "release");
		if (release && !strcmp(release, u.release))
			found = rec;
		else
			json_free(rec);
	}
	closedir(d);
	snprintf(why, size, "%s", said);
	return found;
}

static int tree_nodes(const struct json *list, struct call_node *parent)
{
	for (const struct json *j = list ? list->child : NULL; j; j = j->next) {
		const char *fn = json_str(j, "function");
		const struct json *folded = json_get(j, "folded");
		struct call_node *n;

		if (!fn)
			continue;	/* the module's events: not the calls */
		n = calltree_node_new(parent, fn, strlen(fn));
		if (!n)
			return -ENOMEM;
		n->driver = json_bool(j, "driver");
		n->callback = json_bool(j, "callback");
		n->writes = json_bool(j, "writes_entry");
		n->spine = true;
		if (folded && folded->type == JSON_NUMBER)
			n->folded = (unsigned int)folded->number;
		if (tree_nodes(json_get(j, "calls"), n))
			return -ENOMEM;
	}
	return 0;
}

int recorded_tree(const struct json *rec, const char *name, const char *key,
		  struct call_tree *t)
{
	const struct json *c = json_get(json_get(rec, "cases"), name);
	const struct json *calls;

	memset(t, 0, sizeof(*t));
	calls = json_get(json_get(json_get(c, "output"), key), "calls");
	if (!calls || !json_get(calls, "tree"))
		return -ENOENT;
	if (tree_nodes(json_get(calls, "tree"), &t->root)) {
		calltree_free(t);
		return -ENOMEM;
	}
	return 0;
}

const char *path_case(const char *device, unsigned int strategy,
		      bool private_map)
{
	static char buf[64];
	const char *name = strrchr(device, '/');
	char attr[512];

	name = name ? name + 1 : device;
	if (!strcmp(name, "mmapdemo")) {
		/* scripts/paths.sh records these two MAP_PRIVATE cases. */
		if (private_map && strategy != MMAPDEMO_STRATEGY_INSERT &&
		    strategy != MMAPDEMO_STRATEGY_FAULT)
			return NULL;
		snprintf(buf, sizeof(buf), "ram-%s%s",
			 mmapdemo_strategy_name(strategy),
			 private_map ? "-private" : "");
		return buf;
	}
	snprintf(attr, sizeof(attr), "/sys/class/misc/%s/bar", name);
	if (private_map || access(attr, F_OK))
		return NULL;
	snprintf(buf, sizeof(buf), "bar-%s", mmapdemo_strategy_name(strategy));
	return buf;
}
