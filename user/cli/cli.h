/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the mmapdemo CLI's commands share: the command table, exit codes,
 * error reporting with hints, option parsing helpers and the report that
 * prints either text or JSON from one description.
 */
#ifndef MMAPDEMO_CLI_H
#define MMAPDEMO_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmapdemo.h"

/* Exit codes, documented in mmapdemo(1). */
#define EXIT_OK 0
#define EXIT_FAILED 1	/* an operation or an experiment failed */
#define EXIT_USAGE 2	/* bad command line */
#define EXIT_NODEV 3	/* /dev/mmapdemo is missing: module not loaded */
#define EXIT_PERM 4	/* not allowed: the device is 0600, loading needs root */

/* Options every command takes, parsed before the command's own. */
struct cli {
	bool json;
	const char *device;	/* --device PATH, default /dev/mmapdemo */
	const char *prog;	/* argv[0] */
};

struct command {
	const char *name;
	const char *summary;
	const char *usage;	/* full --help text of the command */
	int (*run)(struct cli *cli, int argc, char **argv);
};

extern const struct command cmd_info, cmd_stats, cmd_load, cmd_unload,
	cmd_map, cmd_path, cmd_tour, cmd_ipc, cmd_trace, cmd_bench, cmd_edu;

/*
 * Say why @what failed with -@err, add a hint on how to fix it where one is
 * known, and return the exit code that fits.
 */
int cli_error(const struct cli *cli, const char *what, int err);
/*
 * The same for an mmap() of an open device, whose errors mean something
 * else than those of open() or of loading the module: EPERM is the
 * device's refusal of PROT_EXEC, ENXIO a range outside a DMA buffer.
 */
int cli_mmap_error(const struct cli *cli, const char *what, int err);
/*
 * A usage error for @cmd: print the message and the usage; EXIT_USAGE.
 * With @cmd NULL (a parse of options that are not the user's, such as a
 * recorded command's), and in cli_common_option(), nothing is printed.
 */
int cli_usage(const struct command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Open the device, read its info into @info (if not NULL) and choose
 * @strategy for the open file, or the device's default for
 * CLI_DEFAULT_STRATEGY.  On failure print why, with a hint; returns 0 or
 * the exit code.
 */
#define CLI_DEFAULT_STRATEGY (-1)
int cli_open(const struct cli *cli, int flags, int strategy,
	     struct mmapdemo_info *info, struct mmapdemo **md);
/*
 * The strategy that maps the BAR device at @path before mmap() returns:
 * remap where the device offers it (6.16 and later), else fault.
 */
unsigned int cli_eager_strategy(const char *path);
/*
 * The options every command's getopt_long table ends with, and what to do
 * with them: cli_common_option() returns -1 to go on, or the exit code.
 */
#define CLI_COMMON_OPTIONS                          \
	{ "json", no_argument, NULL, 'J' },         \
	{ "help", no_argument, NULL, 'h' },         \
	{ NULL, 0, NULL, 0 }
int cli_common_option(const struct command *cmd, int c);
/*
 * The argument of a --strategy option: its number in *@strategy and -1
 * to go on, or a usage error's exit code.
 */
int cli_strategy_option(const struct command *cmd, const char *arg,
			int *strategy);

/* parse.c: pure parsers, unit-tested on the host. */
/* "4096", "64K", "16M", "1G", "0x1000"; 0 or -EINVAL / -ERANGE. */
int parse_size(const char *s, uint64_t *out);
/* An address "0x7f..." or decimal; 0 or -EINVAL. */
int parse_address(const char *s, uint64_t *out);
/* "r", "rw", "w", "none", "read,write"; 0 or -EINVAL; sets PROT_* bits. */
int parse_prot(const char *s, int *prot);
/* "r--" style text for PROT_* bits, into a buffer of 4 bytes. */
void format_prot(int prot, char buf[4]);
/* MAP_* flags as text ("MAP_SHARED|MAP_POPULATE") into @buf. */
void format_map_flags(int flags, char *buf, size_t size);

/* report.c: one description, printed as text or as JSON. */
void report_begin(const struct cli *cli);
int report_end(void);		/* flushes; returns 0 or EXIT_FAILED on I/O error */
void report_section(const char *key, const char *title);
void report_list(const char *key, const char *title);
void report_item(const char *title);	/* an object in a list */
void report_close(void);		/* ends a section, list or item */
void report_u64(const char *key, const char *label, uint64_t v);
void report_i64(const char *key, const char *label, int64_t v);
void report_hex(const char *key, const char *label, uint64_t v);
void report_bool(const char *key, const char *label, bool v);
void report_str(const char *key, const char *label, const char *s);
void report_double(const char *key, const char *label, double v,
		   const char *unit);
/* Prose for a human; not in the JSON. */
void report_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool report_json(void);

/* show.c: the stages of the path, as map, path and tour print them. */
struct map_call {
	uint64_t hint;		/* address asked for, 0 for none */
	size_t length;
	int prot;
	int flags;
	uint64_t offset;
	const char *file;	/* what fd refers to */
	void *result;		/* the address, if err == 0 */
	int err;		/* negative errno */
};
void show_mmap_call(const struct map_call *mc);
/* The VMA of @addr from smaps and from the kernel's walk. */
void show_vma(struct mmapdemo *md, const void *addr, const char *title);
/* Counter changes between two snapshots, only those that moved. */
void show_stats_delta(const char *key, const char *title,
		      const struct mmapdemo_stats *before,
		      const struct mmapdemo_stats *after);
/* Each level of a walk, and where it stopped. */
void show_walk(const struct mmapdemo_walk *w);
/* The frame and device page, with /proc/self/pagemap beside the walk. */
void show_frame(const struct mmapdemo_walk *w, const void *addr,
		uint32_t page_size);
void show_bar(const char *device, const struct mmapdemo_walk *w);
/*
 * What the page frame of @w is, from what was observed, for path --dot:
 * the device page and of which memory of @device (its BAR, as sysfs
 * names it, the physical address inside it or not; else its RAM), a
 * private copy, or no page of the device.
 */
void frame_label(const char *device, const struct mmapdemo_walk *w,
		 uint32_t page_size, char *buf, size_t size);
/* show_dma.c: the addresses of a byte of a DMA device's buffer. */
struct dma_iommu {
	char pci[32];		/* the device's PCI address */
	int units;		/* entries of /sys/class/iommu; -1: no such class */
	char unit[32];		/* the device's IOMMU ("dmar0"), or the first */
	bool has_group;		/* the device has an iommu_group */
	char group[16];		/* its number */
	char type[16];		/* its domain type: "DMA", "DMA-FQ", "identity" */
};
/* What sysfs says of the IOMMU of the DMA device @dev_path. */
void dma_iommu_read(const char *dev_path, struct dma_iommu *io);
/* Which buffer of a DMA device the file offset @offset lies in. */
const char *dma_buffer_name(const struct mmapdemo_dma_info *info,
			    uint64_t offset);
/*
 * The "dma" section for the byte at file offset @offset of the DMA device
 * @dma (node @dev_path), mapped where @w walked: the PFN and physical
 * address of the walk, the physical and DMA address the driver gives,
 * whether they are equal and why.  Returns false where the addresses are
 * hidden (no CAP_SYS_ADMIN) or the address is not mapped.
 */
bool show_dma_addresses(const char *dev_path, struct mmapdemo *dma,
			const struct mmapdemo_dma_info *info,
			const struct mmapdemo_walk *w, uint64_t offset);
/*
 * The same byte's page frame for path --dot: the page of which DMA buffer
 * (by @offset, as @info places the buffers), and whether the driver's
 * physical address of @offset is the walk's (where both are shown).
 */
void dma_frame_label(struct mmapdemo *dma,
		     const struct mmapdemo_dma_info *info,
		     const struct mmapdemo_walk *w, uint64_t offset,
		     char *buf, size_t size);
/*
 * Read (or write @value to) *@p, catching SIGSEGV and SIGBUS.  Returns 0
 * or the signal number; the signal's si_code goes to *@si_code and the
 * minor faults the access took to *@minflt, each if not NULL.
 */
int touch_probe(volatile char *p, bool write, char value, char *out,
		long *minflt, int *si_code);
/* What a signal and its si_code mean: "SEGV_ACCERR (a VMA covers ...)". */
const char *signal_code_name(int sig, int si_code);
/* Minor faults of this process so far (getrusage). */
long minor_faults(void);

/*
 * kernel.c: what the module says in sysfs about the kernel it was built
 * for.  The front end, "mmap" or "mmap_prepare" ("unknown" if the module
 * does not say), into @buf.
 */
void cli_front_end(const char *dev, char *buf, size_t size);
/* Is the front end ->mmap_prepare (7.x) rather than ->mmap (6.1, 6.12)? */
bool cli_front_end_prepare(const char *dev);
/* The module's mmap handler on this kernel: "mmapdemo_mmap()", ... */
const char *cli_mmap_handler(const char *dev);
/*
 * Which rule of the device refused a mapping of @length bytes at @offset
 * with @flags (MAP_*) and @strategy with EINVAL, and where it is
 * documented; NULL if none of the device's rules applies.
 */
const char *cli_mmap_einval_rule(const char *dev,
				 const struct mmapdemo_info *info,
				 unsigned int strategy, int flags,
				 uint64_t offset, uint64_t length);
/* For an mmap that failed with @err: "why: RULE" on stderr for EINVAL. */
void cli_mmap_explain(const struct cli *cli, const struct mmapdemo_info *info,
		      unsigned int strategy, int flags, uint64_t offset,
		      uint64_t length, int err);

/* legend.c: what the bits of an x86-64 page-table entry mean. */
struct pte_bit_doc {
	const char *bit;	/* "5", "12-51"; "-" for a word that is no bit */
	const char *name;
	const char *who;	/* who sets it, and whether the MMU reads it */
	const char *meaning;
};
extern const struct pte_bit_doc pte_bit_docs[];
extern const unsigned int nr_pte_bit_docs;
/*
 * The memory type that the PWT, PCD and PAT bits of MMAPDEMO_PTE_* @bits
 * select with Linux's PAT setup ("WB", "WC", "UC-", ...); the PAT index
 * goes to *@index if not NULL.
 */
const char *pte_memtype(uint32_t bits, unsigned int *index);
/*
 * The software bits of a leaf entry @raw that MMAPDEMO_PTE_* lacks
 * ("soft-dirty", "uffd-wp"), snprintf-style; nothing for a table entry.
 */
int pte_soft_bits_format(uint64_t raw, uint32_t bits, char *buf, size_t size);
/* The legend: every bit, then the memory types, of this machine's
 * architecture (show_legend()) or of MMAPDEMO_ARCH_* @arch. */
void show_legend(void);
void show_legend_arch(unsigned int arch);
/* The same for arm64 descriptors (4 KiB granule). */
extern const struct pte_bit_doc pte_bit_docs_arm64[];
extern const unsigned int nr_pte_bit_docs_arm64;
/* The type an arm64 leaf's AttrIndx selects in MAIR_EL1 as the kernel
 * sets it; the index in *@index. */
const char *arm64_memtype(uint64_t raw, unsigned int *index);
/* An arm64 descriptor's fields, named, into @buf (the entry at the last
 * level if @last_level); returns the length as snprintf() does. */
int arm64_bits_format(uint64_t raw, bool last_level, char *buf, size_t size);

/* tracefs.c: the module's tracepoints, through libtracefs. */
struct trace_session {
	bool was_on;		/* tracing_on before trace_start() */
};
/* Clear the buffer and enable events/mmapdemo/; 0 or -errno. */
int trace_start(struct trace_session *ts);
/* Disable the events again and read what was recorded (caller frees). */
int trace_stop(struct trace_session *ts, char **text);
/* Disable the events, dropping what was recorded. */
void trace_cancel(struct trace_session *ts);
/*
 * What was recorded so far (caller frees), and clear the buffer; the
 * events stay enabled, so the kernel patches no code between stages.
 */
int trace_take(struct trace_session *ts, char **text);
/* Report the mmapdemo events in @text as a list under @key. Returns count. */
int trace_report(const char *key, const char *text);
/*
 * Put back every tracefs file the session of this process (graph or
 * events) changed, as graph_end() and trace_cancel() would; only
 * open(), write() and close(), so a signal handler may call it.  A no-op
 * in a child of fork() and where no session is open.
 */
void trace_restore_signal(void);

/*
 * main.c: a temporary file to unlink (unlink() only) should a fatal signal
 * end the CLI before the command does; @path NULL: no longer.  Slot 0 is
 * the tour's file, slot 1 the disk experiments' file.
 */
#define CLI_TEMP_FILES 2
void cli_temp_file(unsigned int slot, const char *path);

/*
 * tracefs.c: the function-graph tracer, for this process only, from the
 * entry points of the system calls and of a page fault, to a depth.
 */
struct graph_func {
	const char *name;	/* as in available_filter_functions */
	bool driver;		/* a function of the module mmapdemo */
};
struct graph_session {
	bool active;
	char why[160];		/* why tracing is impossible, after a failure */
	char step[48];
	bool busy;		/* tracefs is someone else's now */
	unsigned int depth;
	int on_fd;		/* tracing_on, kept open between stages */
	bool was_on;		/* tracing_on before graph_begin() */
	struct graph_func *funcs;	/* available_filter_functions, sorted */
	size_t nr_funcs;
	char *func_text;
};
/*
 * Set the tracer up (tracing stays off): 0, or -errno with gs->why saying
 * in one line why tracing is impossible.
 */
int graph_begin(struct graph_session *gs, unsigned int depth);
/* Clear the buffer and trace until graph_stage_end(). */
int graph_stage_begin(struct graph_session *gs);
/* Stop tracing and read what was recorded (caller frees). */
int graph_stage_end(struct graph_session *gs, char **text);
/* Leave tracefs as graph_begin() found it. */
void graph_end(struct graph_session *gs);
/*
 * What tracefs holds now, in one line, for a stage that recorded nothing:
 * the tracer, tracing_on, the PID filter, and the buffer's own counts.
 */
void graph_state(char *buf, size_t size);
/*
 * Entries the ring buffer lost since the last graph_stage_begin(), which
 * clears its counts: overwritten at the start (overrun) or dropped.
 */
unsigned long long graph_lost(void);
/*
 * Trace to @depth calls from now on, after graph_begin() (graph_end()
 * puts back the depth graph_begin() found); 0 or -errno.
 */
int graph_set_depth(struct graph_session *gs, unsigned int depth);
/* Trace also from @names (NULL-ended), where traceable: how many, or -errno. */
int graph_add_roots(struct graph_session *gs, const char *const *names);
/* Leave @names' subtrees out too, where traceable: how many, or -errno. */
int graph_add_notrace(struct graph_session *gs, const char *const *names);
int graph_func_cmp(const void *a, const void *b);
/* @name in available_filter_functions, or NULL: not traceable. */
const struct graph_func *graph_func_find(const struct graph_session *gs,
					 const char *name);

/* calltree.c: the call tree of one stage. */
struct call_node {
	char *name;		/* the function, or an event's text */
	bool event;		/* a trace event, not a call */
	bool driver;		/* the module's own function */
	bool module_driver;	/* printed as "name [mmapdemo]" */
	bool callback;		/* the driver's, called by the kernel */
	unsigned int folded;	/* recorded: calls folded out of the spine */
	bool writes;		/* writes a page-table entry (deepest seen) */
	bool zaps;		/* zaps entries: one of the stage's zaps (deepest) */
	bool spine;		/* leads to a driver function or a writer */
	struct call_node *parent, *child, *last, *next;
};
struct call_tree {
	struct call_node root;	/* its children: the stage's entry calls */
	unsigned int nr_calls, nr_events;
	unsigned int depth;	/* traced to; 0: the session's depth */
	unsigned int own_faults;	/* calltree_fold_own() folded them */
	unsigned long long lost;	/* entries the ring buffer lost */
};
enum calls_mode { CALLS_SPINE, CALLS_ALL, CALLS_NONE };
/* Parse function_graph's text output; 0 or -ENOMEM. */
int calltree_parse(const struct graph_session *gs, const char *text,
		   struct call_tree *t);
void calltree_free(struct call_tree *t);
/*
 * Mark @t's roles again, with the deepest call of @zaps (NULL-ended) on
 * each chain on the spine as the call that zaps the entries.
 */
void calltree_mark(const struct graph_session *gs, struct call_tree *t,
		   const char *const *zaps);
/*
 * In the stage of a system call (a tree with a system call's entry), take
 * off @t's spine each other entry call that reaches no driver function:
 * a fault of the task's own memory, such as the parent's first writes
 * after fork(), whose private pages fork() made copy-on-write.  Counts
 * the faults (handle_mm_fault) in t->own_faults.  They stay in the tree
 * (--calls all, JSON).  A touch's stage has no system call: its faults
 * are the stage's own.
 */
void calltree_fold_own(struct call_tree *t);
/* A system call's entry: __x64_sys_* (x86-64) or __arm64_sys_* (arm64). */
bool calltree_is_syscall(const struct call_node *n);
/* A new last child of @parent named by @len bytes of @text, or NULL. */
struct call_node *calltree_node_new(struct call_node *parent,
				    const char *text, size_t len);
/* The entry calls, then the driver's functions and writers, in order. */
void calltree_heading(const struct call_tree *t, char *buf, size_t size);
/* The calls of @t that wrote an entry, "a(), b()"; "" if none. */
void calltree_writers(const struct call_tree *t, char *buf, size_t size);
/* The untraceable callers above a fault's (or system call's) entry. */
void calltree_untraceable(const struct graph_session *gs, bool fault,
			  char *buf, size_t size);
/* The "calls" section and the "trace" list of the module's events. */
void calltree_report(const struct graph_session *gs,
		     const struct call_tree *t, bool fault, enum calls_mode mode);
void calltree_events(const struct call_node *n);

/*
 * dot.c: the walk of @addr as a Graphviz graph in @path, its page frame
 * labelled @frame (frame_label(), dma_frame_label()), with the spines
 * of the calls traced (each NULL if not traced: the mmap's, the first
 * touch's, and the unbind's of path --revoke); 0 or -errno.
 */
int path_dot_write(const char *path, const void *addr,
		   const struct mmapdemo_walk *w, const char *frame,
		   const struct call_tree *mmap_calls,
		   const struct call_tree *fault_calls,
		   const struct call_tree *unbind_calls);

/* The tracing of a command's stages (calltree.c). */
#define CALLS_DEPTH 16	/* max_graph_depth by default */
#define CALLS_DEPTH_MAX 24	/* the report nests two levels per call */
struct stage_trace {
	enum calls_mode mode;
	bool graph;		/* the function-graph tracer is set up */
	bool events;		/* else: the module's events alone */
	bool said_why;
	char why[160];		/* why no call is traced */
	char empty[256];	/* tracefs, at the first stage that recorded nothing */
	struct graph_session gs;
	struct trace_session ts;
	struct call_tree tree;	/* of the last stage */
	bool have_tree;
	struct call_tree kept[2];	/* the last mmap's and touch's, for --dot */
	bool have_kept[2];
	const char *key;	/* the stage's section (stage_trace_section) */
	const char *const *zaps;	/* the stage's zaps (calltree_mark()) */
	const char *recorded_case;	/* make paths' case of this command */
	bool recorded_lookup;	/* the command looked for one */
	bool said_recorded;
};
void stage_trace_begin(struct stage_trace *st, enum calls_mode mode,
		       unsigned int depth);
/* Right before and right after the stage's one operation. */
void stage_trace_start(struct stage_trace *st);
void stage_trace_stop(struct stage_trace *st);
/* @base, then what the trace saw: the entry calls, the driver, the writers. */
void stage_trace_title(const struct stage_trace *st, const char *base,
		       char *buf, size_t size);
/*
 * The calls and events of the stage, or (once) why there are none; the
 * tree stays in kept[@fault] until the next such stage or the end.
 */
void stage_trace_report(struct stage_trace *st, bool fault);
void stage_trace_end(struct stage_trace *st);
/*
 * The section @key of a stage that has just been traced, titled @base and
 * what the trace saw (stage_trace_title()); the caller closes it after
 * stage_trace_report().
 */
void stage_trace_section(struct stage_trace *st, const char *key,
			 const char *base);
/*
 * One stage, traced: its one operation, then its section, what it did and
 * the calls the kernel made for it.
 */
struct stage_op {
	const char *key;	/* the section (stage_trace_section()) */
	const char *base;	/* its title, before what the trace saw */
	bool fault;		/* its calls are a fault's (kept[1]) */
	const char *const *zaps;	/* the zaps to mark (calltree_mark()) */
	int (*run)(void *arg);	/* the operation, alone between start and stop */
	/* What it did, in the section before the calls; NULL: nothing. */
	void (*show)(struct stage_trace *st, void *arg);
	void *arg;
};
/*
 * stage_trace_start(), @op->run, stage_trace_stop(), the section with
 * @op->show's lines, stage_trace_report() and the section closed.
 * Returns what @op->run returned.
 */
int stage_run(struct stage_trace *st, const struct stage_op *op);
/* A touch as a stage's operation: touch_probe() of @addr, writing 'M'. */
struct touch_call {
	volatile char *addr;
	bool write;		/* else a read */
	int sig, code;		/* out: the signal and its si_code, or 0 */
	long minflt;		/* out: the minor faults it took */
};
int touch_call_run(void *arg);	/* @arg a struct touch_call; returns sig */
/* A munmap(2) as a stage's operation. */
struct unmap_call {
	void *addr;
	size_t length;
	int err;		/* out: 0 or -errno */
};
int unmap_call_run(void *arg);	/* @arg a struct unmap_call; returns err */
/*
 * The calls that zap a range's entries (munmap's, a revocation's), as the
 * kernels name them, NULL-ended: the zaps the munmap stages mark.
 */
extern const char *const zap_marks[];
/*
 * The two stages every mapping command has, each traced: the mmap(2) of
 * @mc (its result and error in @mc; @s0 the counters before, @s1 after,
 * or both NULL for none), and the munmap(2) of @addr.  Return mc->err,
 * and 0 or -errno.
 */
int stage_mmap(struct stage_trace *st, struct mmapdemo *md,
	       struct map_call *mc, const char *base,
	       const struct mmapdemo_stats *s0, struct mmapdemo_stats *s1);
int stage_munmap(struct stage_trace *st, struct mmapdemo *md, void *addr,
		 size_t length, const char *base,
		 const struct mmapdemo_stats *before,
		 struct mmapdemo_stats *after);
/*
 * Where tracing is impossible, show the calls make paths recorded for
 * @name ("ram-fault", "bar-huge", "ram-insert-private": scripts/paths.sh)
 * on this kernel's release, labelled as recorded; @name NULL: say that no
 * case was recorded for this command's options.
 */
void stage_trace_recorded(struct stage_trace *st, const char *name);
/* The make paths case of a path run: NULL if none was recorded. */
const char *path_case(const char *device, unsigned int strategy,
		      bool private_map);

/*
 * revoke.c: a BAR device unbound from the driver under a mapping (its
 * ->remove revokes the BAR and zaps every user mapping of its file), and
 * bound again; the tour's "revoke" and path --revoke.
 */
#define PCI_DRIVER_DIR "/sys/bus/pci/drivers/mmapdemo"
/* Trace also from write(), where @st traces: 0 or -errno. */
int revoke_add_roots(struct stage_trace *st);
/*
 * Write @bdf (a PCI address) to the driver's unbind with one write(), a
 * stage of @st traced to CALLS_DEPTH_MAX with zap_marks as its
 * zaps; the caller reports it.  0 or -errno.
 */
int revoke_unbind(struct stage_trace *st, const char *bdf);
/* Bind @bdf again: whether its node @device is back. */
bool revoke_bind(const char *bdf, const char *device);

/* json.c: a JSON reader for what --json writes. */
enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
		 JSON_OBJECT };
struct json {
	enum json_type type;
	char *key;		/* a member's name */
	char *str;
	double number;
	bool boolean;
	struct json *child, *next;
};
/* The document in @text, or NULL if it is not one (or no memory). */
struct json *json_parse(const char *text);
void json_free(struct json *v);
/* Member @key of object @obj, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
const char *json_str(const struct json *obj, const char *key);
bool json_bool(const struct json *obj, const char *key);

/*
 * recorded.c: the paths make paths recorded (Documentation/paths/K.json,
 * installed in share/mmapdemo/paths beside the tool's bin/, else in
 * MMAPDEMO_DATADIR/paths; $MMAPDEMO_PATHS overrides the directory).  The recording of the running kernel's release, or NULL
 * with @why saying why there is none.
 */
const struct json *recorded_kernel(char *why, size_t size);
/* The tree of stage @key of case @name of @rec into @t: 0 or -ENOENT. */
int recorded_tree(const struct json *rec, const char *name, const char *key,
		  struct call_tree *t);

/* --calls=spine|all|none: -1 to go on, or the usage error's exit code. */
int calls_option(const struct command *cmd, const char *arg,
		 enum calls_mode *mode);
/* --calls-depth N, 1 to CALLS_DEPTH_MAX: -1 to go on, or the exit code. */
int calls_depth_option(const struct command *cmd, const char *arg,
		       unsigned int *depth);

#endif /* MMAPDEMO_CLI_H */
