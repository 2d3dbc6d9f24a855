// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo map: map the device the way the options say, act on the
 * mapping, and print each stage: the call, the VMA, each access with the
 * faults it took, what the device holds afterwards, and the unmap.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

struct map_opts {
	int strategy;		/* or CLI_DEFAULT_STRATEGY */
	bool private_map;
	bool populate;
	int prot;
	uint64_t offset;
	uint64_t length;	/* 0: one page */
	const char *write;	/* text to write at the start */
	uint64_t read;		/* bytes to read at the start */
	bool fork;		/* --fork: fork(), the child exits at once */
	bool dontneed;		/* --dontneed: madvise(MADV_DONTNEED) */
	bool mremap;		/* --mremap: move the mapping */
	bool split;		/* --split: munmap the first page alone */
	enum calls_mode calls;	/* --calls */
	unsigned int depth;	/* --calls-depth */
};

/* Bytes as text with non-printable ones escaped, for the report. */
static void printable(const char *p, size_t n, char *out, size_t size)
{
	size_t len = 0;

	for (size_t i = 0; i < n && len + 5 < size; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[len++] = (char)c;
		else
			len += (size_t)snprintf(out + len, size - len, "\\x%02x", c);
	}
	out[len] = '\0';
}

/*
 * One stage after the accesses, run by stage_run(): its operation, alone
 * between the trace's start and stop, and what it did; its counters are
 * the next stage's start.
 */
enum map_step_kind { STEP_FORK, STEP_DONTNEED, STEP_SPLIT, STEP_MREMAP };

struct map_step {
	enum map_step_kind kind;
	struct mmapdemo *md;
	struct map_call *mc;
	struct mmapdemo_stats *s1;	/* before; after, once shown */
	size_t ps;
	pid_t pid;			/* fork: the child */
	void *to;			/* mremap: the place reserved for it */
	int err;			/* 0 or -errno */
};

static int map_step_run(void *arg)
{
	struct map_step *m = arg;
	struct map_call *mc = m->mc;

	switch (m->kind) {
	case STEP_FORK:
		m->pid = fork();
		if (!m->pid)
			_exit(0);
		m->err = m->pid < 0 ? -errno : 0;
		break;
	case STEP_DONTNEED:
		m->err = madvise(mc->result, mc->length, MADV_DONTNEED) ?
			 -errno : 0;
		break;
	case STEP_SPLIT:
		/* The VMA splits: the rest keeps the device, ->open on it. */
		m->err = mmapdemo_unmap(mc->result, m->ps);
		break;
	case STEP_MREMAP:
		if (m->err)	/* no place was reserved: nothing to move */
			break;
		if (mremap(mc->result, mc->length, mc->length,
			   MREMAP_MAYMOVE | MREMAP_FIXED, m->to) == MAP_FAILED)
			m->err = -errno;
		break;
	}
	return m->err;
}

static void map_step_show(struct stage_trace *st, void *arg)
{
	struct map_step *m = arg;
	struct mmapdemo_stats s2;
	int status;

	(void)st;
	if (m->kind == STEP_FORK && m->pid > 0)
		waitpid(m->pid, &status, 0);
	if (m->kind == STEP_MREMAP && m->err)
		report_str("error", "error", strerror(-m->err));
	else if (m->kind == STEP_MREMAP)
		report_hex("address", "moved to", (uintptr_t)m->to);
	else
		report_str("result", "result", m->err ? strerror(-m->err) :
			   m->kind == STEP_FORK ? "a child, which exits at once" :
			   "0");
	mmapdemo_get_stats(m->md, &s2);
	show_stats_delta("counters", "device counters that moved", m->s1, &s2);
	*m->s1 = s2;
}

/* The stage @kind, traced as @key titled @base: EXIT_OK or EXIT_FAILED. */
static int map_step(struct stage_trace *st, struct map_step *m,
		    enum map_step_kind kind, const char *key, const char *base)
{
	const struct stage_op op = {
		.key = key, .base = base, .run = map_step_run,
		.show = map_step_show, .arg = m,
	};

	m->kind = kind;
	return stage_run(st, &op) ? EXIT_FAILED : EXIT_OK;
}

/*
 * The stages after the accesses, each traced in this task alone: fork()
 * (the parent's side: dup_mmap(), ->open and the copy of the entries),
 * MADV_DONTNEED (the zap), munmap() of the first page alone (a split),
 * and mremap() moving the whole mapping to a free place (mc->result
 * follows it).  Returns EXIT_OK or EXIT_FAILED.
 */
static int map_after(struct stage_trace *st, struct mmapdemo *md,
		     const struct map_opts *o, struct map_call *mc,
		     struct mmapdemo_stats *s1, size_t ps)
{
	struct map_step m = { .md = md, .mc = mc, .s1 = s1, .ps = ps };
	int ret = EXIT_OK;

	if (o->fork && map_step(st, &m, STEP_FORK, "fork", "fork(2)"))
		ret = EXIT_FAILED;
	if (o->dontneed && map_step(st, &m, STEP_DONTNEED, "dontneed",
				    "madvise(MADV_DONTNEED)"))
		ret = EXIT_FAILED;
	if (o->split && mc->length < 2 * ps) {
		fprintf(stderr, "mmapdemo map: --split needs --length of two pages or more\n");
		ret = EXIT_FAILED;
	} else if (o->split) {
		if (map_step(st, &m, STEP_SPLIT, "split",
			     "munmap(2) of the first page: a split")) {
			ret = EXIT_FAILED;
		} else {
			mc->result = (char *)mc->result + ps;
			mc->length -= ps;
		}
	}
	if (o->mremap) {
		/* A free place, reserved before the stage's trace starts. */
		m.to = mmap(NULL, mc->length, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		m.err = m.to == MAP_FAILED ? -errno : 0;
		if (map_step(st, &m, STEP_MREMAP, "mremap", "mremap(2): move")) {
			ret = EXIT_FAILED;
			if (m.to != MAP_FAILED)
				munmap(m.to, mc->length);
		} else {
			mc->result = m.to;
		}
	}
	return ret;
}

/*
 * Parse map's options into @o: -1 when all were taken, else the exit code.
 * @cmd NULL parses without a word (recorded commands, map_case()).
 */
static int map_parse(const struct command *cmd, int argc, char **argv,
		     struct map_opts *o)
{
	static const struct option options[] = {
		{ "strategy", required_argument, NULL, 'S' },
		{ "private", no_argument, NULL, 'p' },
		{ "prot", required_argument, NULL, 'P' },
		{ "offset", required_argument, NULL, 'o' },
		{ "length", required_argument, NULL, 'l' },
		{ "populate", no_argument, NULL, 'u' },
		{ "write", required_argument, NULL, 'w' },
		{ "read", required_argument, NULL, 'r' },
		{ "calls", required_argument, NULL, 'C' },
		{ "calls-depth", required_argument, NULL, 'd' },
		{ "fork", no_argument, NULL, 'F' },
		{ "dontneed", no_argument, NULL, 'N' },
		{ "mremap", no_argument, NULL, 'M' },
		{ "split", no_argument, NULL, 's' },
		CLI_COMMON_OPTIONS
	};
	int c, ret;

	*o = (struct map_opts){ .strategy = CLI_DEFAULT_STRATEGY,
				.prot = PROT_READ | PROT_WRITE,
				.depth = CALLS_DEPTH };
	optind = 1;
	opterr = cmd != NULL;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'S':
			ret = cli_strategy_option(cmd, optarg, &o->strategy);
			if (ret >= 0)
				return ret;
			break;
		case 'p':
			o->private_map = true;
			break;
		case 'P':
			if (parse_prot(optarg, &o->prot))
				return cli_usage(cmd, "--prot %s: want r, rw, w, none",
						 optarg);
			break;
		case 'o':
			if (parse_size(optarg, &o->offset))
				return cli_usage(cmd, "--offset %s: want bytes", optarg);
			break;
		case 'l':
			if (parse_size(optarg, &o->length) || !o->length)
				return cli_usage(cmd, "--length %s: want bytes", optarg);
			break;
		case 'u':
			o->populate = true;
			break;
		case 'F':
			o->fork = true;
			break;
		case 'N':
			o->dontneed = true;
			break;
		case 'M':
			o->mremap = true;
			break;
		case 's':
			o->split = true;
			break;
		case 'w':
			o->write = optarg;
			break;
		case 'r':
			if (parse_size(optarg, &o->read))
				return cli_usage(cmd, "--read %s: want a byte count",
						 optarg);
			break;
		case 'C':
			ret = calls_option(cmd, optarg, &o->calls);
			if (ret >= 0)
				return ret;
			break;
		case 'd':
			ret = calls_depth_option(cmd, optarg, &o->depth);
			if (ret >= 0)
				return ret;
			break;
		default:
			ret = cli_common_option(cmd, c);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind != argc)
		return cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
	return -1;
}

/* Two option sets that map the same way and act the same on the mapping. */
static bool map_same(const struct map_opts *a, const struct map_opts *b)
{
	return a->strategy == b->strategy &&
	       a->private_map == b->private_map &&
	       a->populate == b->populate && a->prot == b->prot &&
	       a->offset == b->offset && a->length == b->length &&
	       !strcmp(a->write ?: "", b->write ?: "") && a->read == b->read &&
	       a->fork == b->fork && a->dontneed == b->dontneed &&
	       a->mremap == b->mremap && a->split == b->split;
}

/*
 * The make paths case whose command is this map of this device (the
 * options parsed as the user's were, and compared), for the stages to show
 * when the kernel cannot trace them: NULL when none was recorded.  The
 * recorded commands name their strategy; @strategy is the one this run
 * maps with.
 */
static const char *map_case(const struct cli *cli, const struct map_opts *o,
			    unsigned int strategy)
{
	const struct json *cases, *c;
	struct map_opts mine = *o, r;
	char why[256];

	/* make paths maps the RAM device only, by its default name. */
	if (cli->device && strcmp(cli->device, MMAPDEMO_DEVICE))
		return NULL;
	cases = json_get(recorded_kernel(why, sizeof(why)), "cases");
	mine.strategy = (int)strategy;
	for (c = cases ? cases->child : NULL; c; c = c->next) {
		const char *command = json_str(c, "command");
		char copy[512], *argv[32], *save = NULL;
		int argc = 0;

		if (!command || strncmp(command, "mmapdemo map ", 13) ||
		    strlen(command) >= sizeof(copy))
			continue;
		strcpy(copy, command);
		for (char *t = strtok_r(copy + 9, " ", &save);
		     t && argc < 31; t = strtok_r(NULL, " ", &save))
			argv[argc++] = t;
		argv[argc] = NULL;
		if (map_parse(NULL, argc, argv, &r) == -1 && map_same(&mine, &r))
			return c->key;
	}
	return NULL;
}

/*
 * The write or read through the mapping, byte by byte, as a stage
 * (stage_run()): the faults it took, what the device holds after a write
 * (pread(2)) or the bytes read; its counters are the next stage's start.
 */
struct map_access {
	struct mmapdemo *md;
	struct mmapdemo_stats *s1;	/* before; after, once shown */
	volatile char *buf;
	size_t len;
	const char *write;		/* the text to write; NULL: a read */
	char *data;			/* a read's bytes, len + 1 */
	uint64_t offset;		/* a write's, in the device */
	int sig, code;			/* the signal and its si_code, or 0 */
	long minflt;
};

static int map_access_run(void *arg)
{
	struct map_access *a = arg;
	long minflt = minor_faults();

	for (size_t i = 0; i < a->len && !a->sig; i++)
		a->sig = touch_probe(a->buf + i, a->write != NULL,
				     a->write ? a->write[i] : 0,
				     a->write ? NULL : a->data + i, NULL,
				     &a->code);
	a->minflt = minor_faults() - minflt;
	return a->sig;
}

static void map_access_show(struct stage_trace *st, void *arg)
{
	struct map_access *a = arg;
	struct mmapdemo_stats s2;
	char shown[1024];

	(void)st;
	mmapdemo_get_stats(a->md, &s2);
	report_u64("bytes", "bytes", a->len);
	report_str("signal", "signal", a->sig ? strsignal(a->sig) : "none");
	if (a->sig)
		report_str("si_code", "si_code",
			   signal_code_name(a->sig, a->code));
	if (!a->write && !a->sig) {
		printable(a->data, a->len, shown, sizeof(shown));
		report_str("data", "data", shown);
	}
	report_i64("minor_faults", "minor faults (getrusage)", a->minflt);
	show_stats_delta("counters", "device counters that moved", a->s1, &s2);
	*a->s1 = s2;
	/* What the device itself holds now, through read(2). */
	if (a->write && !a->sig) {
		char *text = calloc(1, a->len + 1);
		ssize_t n;

		if (!text)
			return;
		n = pread(mmapdemo_fd(a->md), text, a->len, (off_t)a->offset);
		printable(text, n > 0 ? (size_t)n : 0, shown, 256);
		report_str("device_holds", "device holds (pread)", shown);
		report_bool("reached_device", "write reached the device",
			    n == (ssize_t)a->len &&
				    !memcmp(text, a->write, a->len));
		free(text);
	}
}

static int map_show(struct cli *cli, struct mmapdemo *md,
		    const struct map_opts *o, const struct mmapdemo_info *info)
{
	uint32_t ps = info->page_size;
	struct mmapdemo_stats s0, s1, s2;
	struct map_call mc = { 0 };
	struct stage_trace st;
	char *buf;
	int sig = 0, ret = EXIT_OK;

	mc.offset = o->offset;
	mc.length = o->length ?: ps;
	mc.prot = o->prot;
	mc.flags = (o->private_map ? MAP_PRIVATE : MAP_SHARED) |
		   (o->populate ? MAP_POPULATE : 0);
	mc.file = cli->device ?: MMAPDEMO_DEVICE;

	stage_trace_begin(&st, o->calls, o->depth);
	stage_trace_recorded(&st, map_case(cli, o, info->strategy));
	report_begin(cli);
	mmapdemo_get_stats(md, &s0);
	stage_mmap(&st, md, &mc, "mmap(2)", &s0, &s1);
	if (mc.err) {
		stage_trace_end(&st);
		report_end();
		ret = cli_mmap_error(cli, "mmap of the device", mc.err);
		cli_mmap_explain(cli, info, info->strategy, mc.flags, mc.offset,
				 mc.length, mc.err);
		return ret;
	}
	show_vma(md, mc.result, "VMA");

	buf = mc.result;
	if (o->write) {
		struct map_access w = {
			.md = md, .s1 = &s1, .buf = buf, .write = o->write,
			.len = strlen(o->write), .offset = o->offset,
		};
		const struct stage_op op = {
			.key = "write", .base = "write through the mapping",
			.fault = true, .run = map_access_run,
			.show = map_access_show, .arg = &w,
		};

		if (w.len > mc.length)
			w.len = mc.length;
		sig = stage_run(&st, &op);
	}
	if (o->read && !sig) {
		struct map_access r = {
			.md = md, .s1 = &s1, .buf = buf,
			.len = o->read < mc.length ? o->read : mc.length,
		};
		const struct stage_op op = {
			.key = "read", .base = "read through the mapping",
			.fault = true, .run = map_access_run,
			.show = map_access_show, .arg = &r,
		};

		r.data = calloc(1, r.len + 1);
		sig = r.data ? stage_run(&st, &op) : 0;
		free(r.data);
	}
	if (sig)
		ret = EXIT_FAILED;

	report_section("first_page", "the first page");
	{
		struct mmapdemo_walk w;

		if (!mmapdemo_walk(md, buf, &w)) {
			show_walk(&w);
			show_frame(&w, buf, ps);
		}
	}
	report_close();

	if (!sig && map_after(&st, md, o, &mc, &s1, ps))
		ret = EXIT_FAILED;
	ret = stage_munmap(&st, md, mc.result, mc.length, "munmap(2)", &s1,
			   &s2) ? EXIT_FAILED : ret;
	stage_trace_end(&st);
	return report_end() ?: ret;
}

static int map_run(struct cli *cli, int argc, char **argv)
{
	struct map_opts o;
	struct mmapdemo_info info;
	struct mmapdemo *md;
	int ret;

	ret = map_parse(&cmd_map, argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (mmapdemo_dma_is_device(cli->device))
		return cli_usage(&cmd_map,
				 "%s is a DMA device, which has no strategies or counters: path --device %s shows its mapping and addresses",
				 cli->device, cli->device);
	/* A read-only mapping of a shared file needs only read access. */
	ret = cli_open(cli, (o.prot & PROT_WRITE) || o.write ? O_RDWR : O_RDONLY,
		       o.strategy, &info, &md);
	if (ret)
		return ret;
	ret = map_show(cli, md, &o, &info);
	mmapdemo_close(md);
	return ret;
}

const struct command cmd_map = {
	.name = "map",
	.summary = "map the device, act on the mapping, print each stage",
	.usage = "map [--strategy S] [--private] [--prot r|rw|none] [--offset N]\n"
		 "    [--length N] [--populate] [--write TEXT] [--read N]\n"
		 "    [--fork] [--dontneed] [--split] [--mremap]\n"
		 "    [--calls spine|all|none] [--calls-depth N] [--json]\n"
		 "  after the accesses, --fork forks a child that exits at once,\n"
		 "  --dontneed drops the entries with MADV_DONTNEED, --split unmaps\n"
		 "  the first page alone, --mremap moves the mapping; each stage shows the calls the kernel made in this\n"
		 "  process, traced as for path",
	.run = map_run,
};
