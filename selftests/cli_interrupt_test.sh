#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An interrupted trace leaves tracefs as it found it.  "mmapdemo path",
# "map" and "tour" set the function_graph tracer up for themselves
# (current_tracer, set_ftrace_pid, set_event_pid, set_graph_function,
# set_graph_notrace, max_graph_depth, buffer_size_kb, funcgraph-irqs, the
# module's events, tracing_on); a SIGINT (^C), SIGTERM or SIGHUP in the
# middle must put back every one of them (and remove the tour's temporary
# file), and the command must still die of the signal.
#
# Each command is stopped in the middle by events, never by time: its
# standard output is a FIFO whose pipe this test has filled, so its first
# write (the first 4 KiB of its output, well inside its trace) blocks.
# The signal goes once current_tracer reads function_graph; should the
# command block without having set it, or end, the case fails.  Then every
# file is compared with what it read before.  One case starts from values
# that are not the defaults (tracing off, a max_graph_depth of 3), so that
# a restore to the defaults cannot pass for a restore to what was there.
# The trace buffer is expanded first, as any tracer leaves it (below).
# Needs root, the module loaded and the function_graph tracer; prints TAP.
set -u
n=0 failed=0
tracing=/sys/kernel/tracing
tmp=/tmp/cli_interrupt_test
fifo=$tmp.fifo

if [ "$(id -u)" = 0 ] && [ ! -e /sys/module/mmapdemo ] &&
   [ -n "${LAB_MODULE:-}" ]; then
	insmod "$LAB_MODULE" 2>/dev/null
fi
echo "TAP version 13"
if [ "$(id -u)" != 0 ] || [ ! -e /sys/module/mmapdemo ]; then
	echo "1..0 # SKIP needs root and the module loaded"
	exit 4
fi
if ! grep -qw function_graph "$tracing/available_tracers" 2>/dev/null; then
	echo "1..0 # SKIP this kernel has no function_graph tracer"
	exit 4
fi
if [ "$(cat "$tracing/current_tracer")" != nop ]; then
	echo "1..0 # SKIP another tracer ($(cat "$tracing/current_tracer")) is in use"
	exit 4
fi

files="current_tracer tracing_on set_ftrace_pid set_event_pid
	set_graph_function set_graph_notrace max_graph_depth buffer_size_kb
	options/funcgraph-irqs events/mmapdemo/enable"

# The files' contents, one "file: line" a line; and the temporary files
# of the tour, which an interrupted tour must remove too.
state() {
	for f in $files; do
		[ -e "$tracing/$f" ] && sed "s|^|$f: |" "$tracing/$f"
	done
	ls -d /tmp/mmapdemo-tour-* /var/tmp/mmapdemo-disk-* 2>/dev/null |
		sed 's/^/temporary file: /'
}

# interrupt SIGNAL COMMAND...: run the CLI's COMMAND with its output
# blocked, send SIGNAL once the tracer is set; sets $status and $seen.
interrupt() {
	sig=$1
	shift
	rm -f "$fifo" "$tmp.pid"
	mkfifo "$fifo"
	# Opened read-write: the open does not wait for a reader, and this
	# shell holds the pipe open.  16 pages fill it (pipe(7)).
	exec 3<>"$fifo"
	dd if=/dev/zero bs=4096 count=16 2>/dev/null >&3
	(
		seen=0
		while [ ! -s "$tmp.pid" ]; do sleep 0.05; done
		read -r pid <"$tmp.pid"
		while kill -0 "$pid" 2>/dev/null; do
			read -r t <"$tracing/current_tracer"
			[ "$t" = function_graph ] && { seen=1; break; }
			w=
			read -r w <"/proc/$pid/wchan" 2>/dev/null
			if [ "$w" = pipe_write ]; then
				# It may have set the tracer and blocked
				# between the two reads: blocked, it can
				# change nothing more, so ask once again.
				read -r t <"$tracing/current_tracer"
				[ "$t" = function_graph ] && seen=1
				break
			fi
			sleep 0.05
		done
		echo "$seen" >"$tmp.seen"
		kill -s "$sig" "$pid" 2>/dev/null
	) &
	killer=$!
	# The command in the foreground: a background one would start with
	# SIGINT ignored, which the CLI rightly leaves ignored.
	# (In a subshell whose stderr is dropped: the shell's own
	# "Terminated" is not TAP.)
	status=$( { sh -c 'echo $$ >"$0.pid"; exec "$@"' "$tmp" mmapdemo "$@" \
		>"$fifo" 2>"$tmp.err" 3>&-; echo $?; } 2>/dev/null)
	wait "$killer"
	exec 3>&-
	read -r seen <"$tmp.seen"
	rm -f "$fifo" "$tmp.pid" "$tmp.seen" "$tmp.err"
}

# check NAME SIGNAL NUMBER COMMAND...
check() {
	name=$1 sig=$2 num=$3
	shift 3
	state >"$tmp.before"
	interrupt "$sig" "$@"
	state >"$tmp.after"
	n=$((n + 1))
	ok=1
	if [ "$seen" != 1 ]; then
		ok=0
		echo "# $name: the command never had the function_graph tracer set"
	fi
	if [ "$status" != $((128 + num)) ]; then
		ok=0
		echo "# $name: exit status $status, not $((128 + num)) (killed by SIG$sig)"
	fi
	if ! cmp -s "$tmp.before" "$tmp.after"; then
		ok=0
		echo "# $name: tracefs changed (- before, + after):"
		diff "$tmp.before" "$tmp.after" | sed -n 's/^[-+][^-+]/#   &/p'
	fi
	if [ "$ok" = 1 ]; then
		echo "ok $n $name"
	else
		failed=$((failed + 1))
		echo "not ok $n $name"
		# Leave tracefs usable for the tests after this one.
		echo 0 >"$tracing/tracing_on"
		echo nop >"$tracing/current_tracer"
		for f in set_ftrace_pid set_event_pid set_graph_function set_graph_notrace; do
			: >"$tracing/$f"
		done
		echo 0 >"$tracing/max_graph_depth"
		echo 0 >"$tracing/events/mmapdemo/enable"
		echo 1 >"$tracing/tracing_on"
	fi
}

# A buffer not yet expanded reads "7 (expanded: 1408)", and no write
# brings that back: the first tracer of the boot expands it for good, to
# whole pages (1410).  Expand it here, to the size it would have.
kb=$(sed -n 's/.*expanded: \([0-9]*\)).*/\1/p' "$tracing/buffer_size_kb")
[ -z "$kb" ] || echo "$kb" >"$tracing/buffer_size_kb"

echo "1..3"
check "path, SIGINT in its trace: tracefs restored" INT 2 \
	path --calls all --write
old_on=$(cat "$tracing/tracing_on") old_depth=$(cat "$tracing/max_graph_depth")
old_kb=$(cat "$tracing/buffer_size_kb")
echo 0 >"$tracing/tracing_on"
echo 3 >"$tracing/max_graph_depth"
echo 1024 >"$tracing/buffer_size_kb"
check "map, SIGTERM in its trace, from tracing off, depth 3, 1 MiB buffer: tracefs restored" TERM 15 \
	map --calls all --write x
echo "$old_kb" >"$tracing/buffer_size_kb"
echo "$old_depth" >"$tracing/max_graph_depth"
echo "$old_on" >"$tracing/tracing_on"
check "tour, SIGHUP in its trace: tracefs restored" HUP 1 tour
rm -f "$tmp.before" "$tmp.after"
[ "$failed" = 0 ]
