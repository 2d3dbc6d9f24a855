#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel-log gate: fail when a guest's kernel log shows any sign of a
# kernel bug.  Prints the offending lines.  x86 PAT's complaints about a
# process's mapping ("x86/PAT: COMM:PID ...": a memory type downgraded,
# an invalid free, "conflicting memory types") count too; its boot-time
# "x86/PAT: Configuration" line does not.
#
# Usage: scripts/klog-gate.sh LOG...
set -eu

pattern='BUG:|WARNING:|Oops|rcu: INFO:|soft lockup|hard LOCKUP|general protection fault|Bad page|KFENCE:|list_add corruption|list_del corruption|refcount_t:|UBSAN:|sleeping function called from invalid context|INFO: task|Kernel panic|kernel BUG at|Call Trace:|RIP: |unreferenced object|BUG [^ ]+ \([^)]*\): |conflicting memory types|x86/PAT: [^ ]+:[0-9]+ '

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
