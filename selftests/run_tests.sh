#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run mmapdemo's selftests, each printing TAP, with a marker line before
# and after each program for the host's summary.  Runs in the lab VM (where
# /init loads nothing and $LAB_MODULE names the module) or on any machine
# with the module loaded.
dir=$(dirname "$0")
if [ -n "${LAB_MODULE:-}" ] && [ ! -e /sys/module/mmapdemo ]; then
	insmod "$LAB_MODULE" || echo "# insmod $LAB_MODULE failed"
fi
# cli_test, lifecycle_test and module_test reload the module: they run
# last, module_test last of the tests.  seqfuzz_test removes and rescans
# (or unbinds and binds) the first ivshmem BAR device too, at random
# steps of its sequences.  stress_test runs for
# MMAPDEMO_STRESS_SECONDS (default 10), twice: on /dev/mmapdemo and on the
# first ivshmem BAR device, which it removes and rescans, unbinds and binds
# meanwhile, as lifecycle_test does too.  bar_proof_test runs first, before
# anything else writes the ivshmem BAR that the host checks afterwards; the
# others stay out of the proof's part of it (1 to 4 MiB).
# kmemleak_test.sh asks kmemleak about everything before it, on kernels
# that have kmemleak.
# The lab's /init measured the guest's speed; the tests' time limits are
# multiplied by it (mmapdemo_util.h).
echo "# slowdown ${MMAPDEMO_SLOWDOWN:-1} (MMAPDEMO_SLOWDOWN)"
for t in bar_proof_test mmap_test bar_test revoke_test huge_test file_test ioctl_test walk_test trace_test lib_test \
	cli_tour_test.sh cli_bench_test.sh leak_test fuzz_test seqfuzz_test stress_test \
	ioctl_test32 mmap_test32 leak_test32 fuzz_test32 seqfuzz_test32 cli_calls_test.sh cli_interrupt_test.sh cli_test.sh \
	lifecycle_test module_test defio_test kmemleak_test.sh; do
	echo "@@PROGRAM $t"
	# Where the kernel log's timestamps are when it starts: a report in
	# the log is then told to the program that ran (scripts/check.sh).
	read -r up _ </proc/uptime && echo "# uptime: $up"
	start=$(date +%s)
	"$dir/$t"
	st=$?
	# A TAP comment: where a test VM's time goes.
	echo "# $t: $(($(date +%s) - start))s"
	echo "@@PROGRAM-EXIT $t $st"
done
# How near lockdep came to its table sizes (a full table prints "BUG:
# MAX_LOCKDEP_... too low!" and turns lockdep off): on kernels with
# CONFIG_LOCKDEP, for the record of the run.
if [ -r /proc/lockdep_stats ]; then
	grep -E 'direct dependencies|dependency chains|dependency chain hlocks|lock-classes|stack-trace entries|number of stack traces' /proc/lockdep_stats |
		sed 's/^ */# lockdep: /'
fi
