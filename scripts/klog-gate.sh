#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel-log gate: fail when a guest's kernel log shows any sign of a
# kernel bug.  Prints the offending lines.
#
# Usage: scripts/klog-gate.sh LOG...
#        scripts/klog-gate.sh --patterns      the patterns, one a line
set -eu

# What any kernel prints on a bug, then what the debug kernels' checkers
# print (KASAN, lockdep, page_table_check's BUG_ON, kmemleak, UBSAN,
# DEBUG_ATOMIC_SLEEP and PREEMPT_RT's atomic-context checks), one extended
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
in preemptible .* code'

if [ "${1:-}" = --patterns ]; then
	echo "$patterns"
	exit 0
fi
pattern=$(echo "$patterns" | paste -s -d '|')

bad=$(tr -d '\r' <"$1" | grep -E -- "$pattern" || true)
shift
for log in "$@"; do
	more=$(tr -d '\r' <"$log" | grep -E -- "$pattern" || true)
	[ -z "$more" ] || bad="$bad${bad:+
}$more"
done
if [ -n "$bad" ]; then
	echo "$bad" | head -n 40
	exit 1
fi
exit 0
