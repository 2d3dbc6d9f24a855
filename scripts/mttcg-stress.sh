#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The stress that decides whether a QEMU runs the lab's guests correctly
# with one host thread per vCPU (multi-threaded TCG, "One TCG thread or one
# per vCPU" in Documentation/lab.rst): in one 2-vCPU VM of KERNEL, vCPU 1
# runs a shell loop that forks and execs without pause while vCPU 0 turns
# the function tracer and all trace events on and off ROUNDS times, so that
# the kernel patches its own text (text_poke_bp()) under the other vCPU's
# feet, over and over.  Then the kernel-log gate.  Bounded by rounds: each
# round prints "@@LAB-PROGRESS", which restarts vm.sh's timeout (TIMEOUT
# seconds a round, default 300, times the guest's slowdown).
#
# Usage: scripts/mttcg-stress.sh KERNEL ROUNDS [NAME]
#   VM_TCG_THREAD (default multi) and VM_QEMU (default the host's QEMU) as
#   scripts/vm.sh takes them; logs in build/KERNEL/vm/NAME/ (default
#   mttcg-stress).  Needs "make initramfs KERNELS=KERNEL".
#   MTTCG_FILTER: globs for set_ftrace_filter, the functions the tracer
#   patches (default: none, so all of them).
# Prints one line "mttcg-stress: ..." with the QEMU, the rounds done, the
# seconds, and the verdict; exits 0 only when all rounds ran and the gate
# found the log whole and clean.

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
kernel=${1:?usage: mttcg-stress.sh KERNEL ROUNDS [NAME]}
rounds=${2:?usage: mttcg-stress.sh KERNEL ROUNDS [NAME]}
name=${3:-mttcg-stress}
export VM_TCG_THREAD=${VM_TCG_THREAD:-multi}
qemu=${VM_QEMU:-qemu-system-x86_64}
version=$("$qemu" --version | head -n 1)
filter=${MTTCG_FILTER-}

cmd=$(
	cat <<EOF
t=/sys/kernel/tracing
[ -w \$t/current_tracer ] && grep -qw function \$t/available_tracers || {
	echo "mttcg-stress: no function tracer in this kernel"; exit 1; }
[ "\$(nproc)" -ge 2 ] || { echo "mttcg-stress: one vCPU"; exit 1; }
# vCPU 1: fork, exec and exit without pause; vCPU 0: the patching.
taskset 2 sh -c 'while :; do cat /proc/self/stat >/dev/null; ls / >/dev/null; done' &
loop=\$!
taskset -p 1 \$\$ >/dev/null
if [ -n "$filter" ]; then
	set -f
	for f in $filter; do echo "\$f" >>\$t/set_ftrace_filter; done
	set +f
	echo "mttcg-stress: \$(wc -l <\$t/set_ftrace_filter) functions in set_ftrace_filter"
else
	echo "mttcg-stress: all functions"
fi
r=0
while [ \$r -lt $rounds ]; do
	r=\$((r + 1))
	echo function >\$t/current_tracer
	echo 1 >\$t/events/enable
	echo 0 >\$t/events/enable
	echo nop >\$t/current_tracer
	echo "@@LAB-PROGRESS mttcg-stress round \$r at \$(cut -d' ' -f1 /proc/uptime) s"
done
kill \$loop
echo "mttcg-stress: \$r rounds"
EOF
)

start=$(date +%s)
VM_QEMU=$qemu "$top/scripts/vm.sh" -n "$name" -t "${TIMEOUT:-300}" "$kernel" "$cmd" \
	>"$top/build/$kernel/mttcg-$name.out" 2>&1
st=$?
secs=$(($(date +%s) - start))
done_rounds=$(tr -d '\r' <"$top/build/$kernel/mttcg-$name.out" | grep -c '^@@LAB-PROGRESS' || true)
gate=$("$top/scripts/klog-gate.sh" "$top/build/$kernel/vm/$name" 2>&1)
gst=$?
first=$(printf '%s\n' "$gate" | head -n 1)
if [ $st = 0 ] && [ $gst = 0 ] && [ "$done_rounds" = "$rounds" ]; then
	verdict=passed
else
	verdict="FAILED (vm.sh status $st, gate status $gst${first:+: $first})"
fi
echo "mttcg-stress: $kernel, $version, thread=$VM_TCG_THREAD: $done_rounds of $rounds rounds in $secs s: $verdict"
[ "$verdict" = passed ]
exit
}
