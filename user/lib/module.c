// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Load, unload and query the module through libkmod, which is what
 * modprobe and rmmod use.  libkmod logs to stderr by default; the library
 * never prints, so its log goes nowhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkmod.h>

#include "mmapdemo.h"
#include "private.h"

static void quiet_log(void *data, int priority, const char *file, int line,
		      const char *fn, const char *format, va_list args)
{
	(void)data, (void)priority, (void)file, (void)line, (void)fn;
	(void)format, (void)args;
}

/* A libkmod context that logs nothing, and the module @path or ours. */
static int kmod_open(const char *path, struct kmod_ctx **ctx,
		     struct kmod_module **mod)
{
	int ret;

	*mod = NULL;
	*ctx = kmod_new(NULL, NULL);
	if (!*ctx)
		return -ENOMEM;
	kmod_set_log_fn(*ctx, quiet_log, NULL);
	if (path)
		ret = kmod_module_new_from_path(*ctx, path, mod);
	else
		ret = kmod_module_new_from_name(*ctx, MMAPDEMO_MODULE, mod);
	return ret < 0 ? ret : 0;
}

static void kmod_close(struct kmod_ctx *ctx, struct kmod_module *mod)
{
	kmod_module_unref(mod);
	kmod_unref(ctx);
}

int mmapdemo_module_load(const char *path, const char *params)
{
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	int ret;

	ret = kmod_open(path, &ctx, &mod);
	/* By name, it must be in the module directory (modules.dep). */
	if (!ret && !path && !kmod_module_get_path(mod))
		ret = -ENOENT;
	if (!ret)
		ret = kmod_module_insert_module(mod, 0, params ? params : "");
	kmod_close(ctx, mod);
	return ret > 0 ? -ret : ret;
}

int mmapdemo_module_unload(void)
{
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	int ret;

	ret = kmod_open(NULL, &ctx, &mod);
	if (!ret)
		ret = kmod_module_remove_module(mod, KMOD_REMOVE_NOLOG);
	kmod_close(ctx, mod);
	return ret > 0 ? -ret : ret;
}

/* The first line of a sysfs file, without its newline; 0 or -errno. */
static int read_line(const char *path, char *buf, size_t size)
{
	char *text;
	int ret;

	ret = mmapdemo__read_file(path, &text, NULL);
	if (ret)
		return ret;
	snprintf(buf, size, "%.*s", (int)strcspn(text, "\n"), text);
	free(text);
	return 0;
}

int mmapdemo_module_query(struct mmapdemo_module_state *st)
{
	struct kmod_module *mod;
	struct kmod_ctx *ctx;
	char buf[64];
	int ret;

	memset(st, 0, sizeof(*st));
	ret = kmod_open(NULL, &ctx, &mod);
	/* KMOD_MODULE_LIVE; coming and going modules count as not loaded. */
	if (ret || kmod_module_get_initstate(mod) != KMOD_MODULE_LIVE)
		goto out;
	st->loaded = true;
	st->refcount = kmod_module_get_refcnt(mod);
	if (!read_line("/sys/module/" MMAPDEMO_MODULE "/parameters/size", buf,
		       sizeof(buf)))
		st->size = strtoull(buf, NULL, 10);
	read_line("/sys/module/" MMAPDEMO_MODULE "/parameters/strategy",
		  st->strategy, sizeof(st->strategy));
	read_line("/sys/module/" MMAPDEMO_MODULE "/srcversion", st->version,
		  sizeof(st->version));
out:
	kmod_close(ctx, mod);
	return ret;
}
