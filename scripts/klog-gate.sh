#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel-log gate: fail when a guest's kernel log shows any sign of a
# kernel bug.  Prints the offending lines.
#
# Usage: scripts/klog-gate.sh LOG...
set -eu

pattern='BUG:|WARNING:|Oops|rcu: INFO:|soft lockup|hard LOCKUP|general protection fault|Bad page|KFENCE:|list_add corruption|list_del corruption|refcount_t:|UBSAN:|sleeping function called from invalid context|INFO: task|Kernel panic|kernel BUG at|Call Trace:|RIP: |unreferenced object|BUG [^ ]+ \([^)]*\): '

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
