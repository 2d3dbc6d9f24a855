// SPDX-License-Identifier: GPL-2.0
/*
 * mmapdemo ipc: a writer and a reader process exchange messages through
 * the first page of the device, each through a MAP_SHARED mapping of its
 * own; or, with --memory anonymous, through a page of shared anonymous
 * memory (MAP_SHARED|MAP_ANONYMOUS) that the reader maps before fork() and
 * the writer inherits, the only way another process can reach it.  The page holds a small ring: the writer fills a slot and publishes
 * it by advancing head with a release store; the reader sees head with an
 * acquire load, so the slot's contents are visible before it reads them,
 * and frees the slot by advancing tail the same way.  Both wait with
 * sched_yield() and give up after a timeout instead of hanging.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define IPC_MAGIC 0x6d6d6970u	/* "mmip" */
#define IPC_SLOTS 8
#define IPC_TEXT 48
#define IPC_TIMEOUT_MS 10000
#define IPC_MAX_COUNT 100000

struct ipc_slot {
	uint32_t seq;		/* 1, 2, ...: the message's number */
	int32_t pid;		/* the writer */
	char text[IPC_TEXT];
};

/* The first page of the device, as both processes see it. */
struct ipc_ring {
	uint32_t magic;
	uint32_t head;		/* messages published; the writer's */
	uint32_t tail;		/* messages consumed; the reader's */
	uint32_t writer_done;
	struct ipc_slot slot[IPC_SLOTS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Wait until *@p, loaded with acquire ordering, passes @ready (head > n for
 * the reader, head - tail < IPC_SLOTS for the writer).  Returns the value,
 * or -1 after IPC_TIMEOUT_MS.
 */
static int64_t wait_for(const uint32_t *p, uint32_t other, bool reader)
{
	uint64_t deadline = now_ms() + IPC_TIMEOUT_MS;
	uint32_t v;

	for (;;) {
		v = __atomic_load_n(p, __ATOMIC_ACQUIRE);
		if (reader ? v != other : other - v < IPC_SLOTS)
			return v;
		if (now_ms() > deadline)
			return -1;
		sched_yield();
	}
}

static void slot_text(char *buf, uint32_t seq)
{
	snprintf(buf, IPC_TEXT, "hello %u", seq);
}

/* The writer, in the child: send @count messages through @ring. */
static int ipc_send(struct ipc_ring *ring, unsigned int count)
{
	int64_t tail;

	/* Set up by the reader through its own mapping of the same page. */
	if (__atomic_load_n(&ring->magic, __ATOMIC_ACQUIRE) != IPC_MAGIC) {
		fprintf(stderr, "mmapdemo ipc: writer: the ring is not set up in the shared page\n");
		return EXIT_FAILED;
	}
	for (uint32_t seq = 1; seq <= count; seq++) {
		struct ipc_slot *s = &ring->slot[(seq - 1) % IPC_SLOTS];

		/* A free slot: the reader has consumed seq - IPC_SLOTS. */
		tail = wait_for(&ring->tail, seq - 1, false);
		if (tail < 0) {
			fprintf(stderr,
				"mmapdemo ipc: writer: timed out after %d ms waiting for a free slot for message %u\n",
				IPC_TIMEOUT_MS, seq);
			return EXIT_FAILED;
		}
		s->seq = seq;
		s->pid = (int32_t)getpid();
		slot_text(s->text, seq);
		/* Publish: the slot's stores happen before head moves. */
		__atomic_store_n(&ring->head, seq, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&ring->writer_done, 1, __ATOMIC_RELEASE);
	return EXIT_OK;
}

/* The writer of the device: map the device itself and send @count. */
static int ipc_writer(const struct cli *cli, unsigned int strategy,
		      uint32_t ps, unsigned int count)
{
	struct mmapdemo *md;
	void *addr = NULL;
	int ret;

	if (mmapdemo_open(cli->device, O_RDWR, &md))
		return EXIT_FAILED;
	if (mmapdemo_set_strategy(md, strategy) ||
	    mmapdemo_map(md, ps, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &addr))
		return EXIT_FAILED;
	ret = ipc_send(addr, count);
	mmapdemo_unmap(addr, ps);
	mmapdemo_close(md);
	return ret;
}

/* The reader, in the parent: receive @count messages and check them. */
static int ipc_reader(struct ipc_ring *ring, pid_t writer, unsigned int count,
		      unsigned int *received)
{
	char want[IPC_TEXT], text[IPC_TEXT], title[96];
	int ret = EXIT_OK;

	report_list("messages", "messages received");
	for (uint32_t seq = 1; seq <= count; seq++) {
		const struct ipc_slot *s = &ring->slot[(seq - 1) % IPC_SLOTS];
		bool ok;

		if (wait_for(&ring->head, seq - 1, true) < 0) {
			report_close();
			fprintf(stderr,
				"mmapdemo ipc: timed out after %d ms waiting for message %u of %u (writer pid %d)\n",
				IPC_TIMEOUT_MS, seq, count, (int)writer);
			return EXIT_FAILED;
		}
		memcpy(text, s->text, sizeof(text));
		text[sizeof(text) - 1] = '\0';
		slot_text(want, seq);
		ok = s->seq == seq && s->pid == writer && !strcmp(text, want);
		if (report_json()) {
			report_item(NULL);
			report_u64("seq", NULL, s->seq);
			report_i64("pid", NULL, s->pid);
			report_str("text", NULL, text);
			report_bool("ok", NULL, ok);
			report_close();
		} else {
			snprintf(title, sizeof(title), "message %u from pid %d: %s%s",
				 s->seq, (int)s->pid, text,
				 ok ? "" : "  (WRONG: out of order or garbled)");
			report_text("%s", title);
		}
		if (!ok)
			ret = EXIT_FAILED;
		(*received)++;
		/* Free the slot: our loads happen before the writer reuses it. */
		__atomic_store_n(&ring->tail, seq, __ATOMIC_RELEASE);
	}
	report_close();
	return ret;
}

/*
 * The reader: map the ring (the device, or shared anonymous memory if @md
 * is NULL), fork the writer, receive @count messages.
 */
static int ipc_show(struct cli *cli, struct mmapdemo *md, unsigned int strategy,
		    uint32_t ps, unsigned int count)
{
	unsigned int received = 0;
	struct ipc_ring *ring;
	int ret, status = 0;
	void *addr = NULL;
	pid_t pid;

	if (md) {
		ret = mmapdemo_map(md, ps, PROT_READ | PROT_WRITE, MAP_SHARED,
				   0, &addr);
		if (ret)
			return cli_mmap_error(cli, "mmap of the device", ret);
	} else {
		addr = mmap(NULL, ps, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (addr == MAP_FAILED)
			return cli_error(cli, "mmap of shared anonymous memory",
					 -errno);
	}
	ring = addr;
	memset(ring, 0, sizeof(*ring));
	__atomic_store_n(&ring->magic, IPC_MAGIC, __ATOMIC_RELEASE);

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		munmap(addr, ps);
		return cli_error(cli, "fork", ret);
	}
	if (pid == 0)
		_exit(md ? ipc_writer(cli, strategy, ps, count) :
			   ipc_send(ring, count));

	report_begin(cli);
	report_str("memory", "memory", md ? "device" : "anonymous");
	if (md)
		report_str("strategy", "strategy",
			   mmapdemo_strategy_name(strategy));
	report_u64("count", "messages", count);
	report_i64("reader_pid", "reader pid", getpid());
	report_i64("writer_pid", "writer pid", pid);
	if (md) {
		report_text("Each process maps the first page of the device itself; the page holds");
	} else {
		report_text("The reader mapped one page MAP_SHARED|MAP_ANONYMOUS before fork(), and");
		report_text("the writer inherited that mapping (dup_mmap()): a shmem file of its own");
		report_text("(shmem_zero_setup()) that no other process can open.  The page holds");
	}
	report_text("a ring of %d slots, published with release stores and read with", IPC_SLOTS);
	report_text("acquire loads of its head and tail.");
	ret = ipc_reader(ring, pid, count, &received);
	if (ret != EXIT_OK)
		kill(pid, SIGKILL);	/* the writer may wait for a slot */
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		if (ret == EXIT_OK)
			fprintf(stderr, "mmapdemo ipc: the writer (pid %d) failed\n",
				(int)pid);
		ret = EXIT_FAILED;
	}
	report_u64("received", "received", received);
	report_bool("in_order", "all arrived in order", ret == EXIT_OK);
	report_text("%u of %u messages arrived in order", ret == EXIT_OK ?
		    received : 0, count);
	munmap(addr, ps);
	return report_end() ?: ret;
}

static int ipc_run(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "strategy", required_argument, NULL, 'S' },
		{ "memory", required_argument, NULL, 'M' },
		CLI_COMMON_OPTIONS
	};
	struct mmapdemo_info info;
	unsigned int count = 5;
	struct mmapdemo *md;
	int strategy = CLI_DEFAULT_STRATEGY;
	bool anonymous = false;
	uint64_t n;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_size(optarg, &n) || !n || n > IPC_MAX_COUNT)
				return cli_usage(&cmd_ipc, "--count %s: want 1 to %d",
						 optarg, IPC_MAX_COUNT);
			count = (unsigned int)n;
			break;
		case 'S':
			ret = cli_strategy_option(&cmd_ipc, optarg, &strategy);
			if (ret >= 0)
				return ret;
			break;
		case 'M':
			if (strcmp(optarg, "device") && strcmp(optarg, "anonymous"))
				return cli_usage(&cmd_ipc,
						 "--memory %s: device or anonymous",
						 optarg);
			anonymous = !strcmp(optarg, "anonymous");
			break;
		default:
			ret = cli_common_option(&cmd_ipc, c);
			if (ret >= 0)
				return ret;
		}
	}
	if (optind != argc)
		return cli_usage(&cmd_ipc, "unexpected argument '%s'", argv[optind]);

	if (anonymous)
		return ipc_show(cli, NULL, 0, (uint32_t)sysconf(_SC_PAGESIZE),
				count);
	ret = cli_open(cli, O_RDWR, strategy, &info, &md);
	if (ret)
		return ret;
	strategy = (int)info.strategy;
	ret = ipc_show(cli, md, (unsigned int)strategy, info.page_size, count);
	mmapdemo_close(md);
	return ret;
}

const struct command cmd_ipc = {
	.name = "ipc",
	.summary = "a writer and a reader process exchange messages through the device",
	.usage = "ipc [--count N] [--strategy S] [--memory device|anonymous] [--json]\n"
		 "  a writer process sends N messages (default 5) to a reader through a\n"
		 "  ring in the first page of the device, each process mapping it\n"
		 "  MAP_SHARED with strategy S (default: the device's); or, with\n"
		 "  --memory anonymous, in a page of MAP_SHARED|MAP_ANONYMOUS memory\n"
		 "  that the writer inherits across fork(); exit 0 if all arrived in\n"
		 "  order, 1 otherwise or after 10 s without progress",
	.run = ipc_run,
};
