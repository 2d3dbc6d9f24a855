#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel-log gate: fail when a guest's kernel log shows any sign of a
# kernel bug, or when there is no whole log to judge.  Prints the offending
# lines, or why the log is not whole.
# x86 PAT's complaints about a process's mapping ("x86/PAT: COMM:PID ...": a
# memory type downgraded, an invalid free, "conflicting memory types") count
# too; its boot-time "x86/PAT: Configuration" line does not.
#
# A log is whole only when the guest reported its end over the control
# channel: an "@@LAB-EXIT N" line and a non-empty dmesg between
# "@@LAB-DMESG-BEGIN" and "@@LAB-DMESG-END" (scripts/guest/init).  A VM
# that never booted, or died on the way, leaves no such log, and an empty
# log must not pass for a clean one.
#
# Usage: scripts/klog-gate.sh [--expect ERE] VM_LOG_DIR
#   (a directory scripts/vm.sh wrote: console.log and control.log)
#        scripts/klog-gate.sh --patterns      the patterns, one a line
# --expect ERE: a report that a test provoked on purpose, one extended
# regular expression for the whole report line (dma_test's stray DMA, which
# the IOMMU refuses).  The log must then hold such a line, or the gate
# fails; the lines it matches are excused, and every other report still
# fails the gate.
# Exits 0 when the log is whole and clean, 1 when it shows a kernel bug
# (whole or not) or lacks the expected report, 2 when it shows none but is
# not whole.

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

# What any kernel prints on a bug, then what the debug kernels' checkers
# print (KASAN, lockdep, page_table_check's BUG_ON, kmemleak, UBSAN,
# DEBUG_ATOMIC_SLEEP and PREEMPT_RT's atomic-context checks), and what an
# arm64 kernel prints instead of x86's Oops and Call Trace (die() in
# arch/arm64/kernel/traps.c: "Internal error: MSG: ESR [#N]", also for a
# synchronous external abort, which has no "Oops"), and a DMA the
# IOMMU refused (intel-iommu's "DMAR: [DMA Write NO_PASID] Request device
# ... fault addr": a device wrote outside what the DMA API mapped), one extended
# regular expression a line.  Most of the latter begin with BUG: or WARNING:
# too, but are named so that a change of prefix does not hide them.
# scripts/klog-gate-test.sh checks each against lines as the kernel prints
# them.
patterns='BUG:
WARNING:
Oops
rcu: INFO:
soft lockup
hard LOCKUP
general protection fault
Bad page
KFENCE:
list_add corruption
list_del corruption
refcount_t:
UBSAN:
sleeping function called from invalid context
INFO: task
Kernel panic
kernel BUG at
Call Trace:
RIP: 
unreferenced object
BUG [^ ]+ \([^)]*\): 
KASAN: 
possible circular locking dependency
possible recursive locking
inconsistent lock state
possible irq lock inversion
suspicious RCU usage
page_table_check
suspected memory leaks
scheduling while atomic
assuming atomic context
assuming non migratable context
in a non-blocking section
in preemptible .* code
conflicting memory types
x86/PAT: [^ ]+:[0-9]+
Internal error: 
Unable to handle kernel 
Call trace:
DMAR: \[(DMA Read|DMA Write|INTR-REMAP)'

if [ "${1:-}" = --patterns ]; then
	echo "$patterns"
	exit 0
fi
pattern=$(echo "$patterns" | paste -s -d '|')
expect=
if [ "${1:-}" = --expect ]; then
	expect=${2:?usage: klog-gate.sh [--expect ERE] VM_LOG_DIR}
	shift 2
fi
dir=${1:?usage: klog-gate.sh [--expect ERE] VM_LOG_DIR}

control=$(tr -d '\r' <"$dir/control.log" 2>/dev/null || true)
dmesg=$(echo "$control" | sed -n '/^@@LAB-DMESG-BEGIN$/,/^@@LAB-DMESG-END$/p')
incomplete=""
if ! echo "$control" | grep -Eq '^@@LAB-EXIT [0-9]+$'; then
	incomplete="the guest did not report its end (no @@LAB-EXIT on the control channel, $dir/control.log)"
elif ! echo "$dmesg" | grep -qx '@@LAB-DMESG-END'; then
	incomplete="the guest's dmesg on the control channel is cut short (no @@LAB-DMESG-END)"
elif [ "$(echo "$dmesg" | sed '1d;$d' | grep -c .)" = 0 ]; then
	incomplete="the guest's dmesg on the control channel is empty"
fi

bad=$({
	tr -d '\r' <"$dir/console.log" 2>/dev/null || true
	echo "$dmesg"
} | grep -E -- "$pattern" || true)
if [ -n "$expect" ]; then
	if ! echo "$bad" | grep -Eq -- "$expect"; then
		bad="${bad:+$bad
}klog-gate: the expected report is not in the log: $expect"
	else
		bad=$(echo "$bad" | grep -Ev -- "$expect" || true)
	fi
fi
# A test stopped by its time limit was slow, or hung: the kernel's hung
# task detector tells a task blocked in the kernel from a slow machine.
hung=$(echo "$bad" | grep -E 'INFO: task .* blocked for more than' || true)
if [ -n "$bad" ]; then
	echo "$bad" | head -n 40
	[ -z "$hung" ] || echo "klog-gate: the kernel reported a hung task"
	[ -z "$incomplete" ] || echo "klog-gate: and the log is not whole: $incomplete"
	exit 1
fi
if [ -n "$incomplete" ]; then
	echo "klog-gate: no whole kernel log to judge: $incomplete"
	exit 2
fi
exit 0
exit
}
