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
# module_test reloads the module: it runs last.
for t in mmap_test file_test ioctl_test walk_test trace_test cli_bench_test.sh \
	module_test; do
	echo "@@PROGRAM $t"
	"$dir/$t"
	echo "@@PROGRAM-EXIT $t $?"
done
