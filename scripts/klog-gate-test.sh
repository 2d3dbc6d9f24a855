#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel-log gate's own test on the host, printing TAP: each report
# line below, as the kernel prints it (copied from the lab's VMs where a
# planted bug produced it, else written from 6.12's printk format), must
# turn the gate red; every pattern of the gate must match at least one of
# them, so none is dead; and the lines that clean boots of the debug and
# RT kernels printed about their checkers must pass.  The VM half of the
# gate's test (a module that WARNs) is in scripts/check.sh.
#
# Usage: scripts/klog-gate-test.sh

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
gate=$top/scripts/klog-gate.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One report a line, with the console's timestamp.
reports=$(
	cat <<'EOF'
[   48.328708] BUG: KASAN: slab-out-of-bounds in mmapdemo_ioctl+0x87e/0x8b0 [mmapdemo]
[   41.201873] BUG: KASAN: use-after-free in mmapdemo_release+0x31/0x90 [mmapdemo]
[   40.249324] WARNING: possible circular locking dependency detected
[   12.003001] WARNING: possible recursive locking detected
[   12.003001] WARNING: inconsistent lock state
[   12.003001] WARNING: possible irq lock inversion dependency detected
[   12.003001] WARNING: suspicious RCU usage
[   49.092725] kernel BUG at mm/page_table_check.c:127!
[   49.122842]  __page_table_check_ptes_set+0x285/0x470
[   97.838966] kmemleak: unreferenced object 0xffff8880068d2920 (size 96):
[   98.052921] kmemleak: 15 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
[   55.123456] UBSAN: array-index-out-of-bounds in kmod/ioctl.c:120:9
[   55.123456] UBSAN: shift-out-of-bounds in kmod/walk.c:88:21
[   37.072905] BUG: sleeping function called from invalid context at include/linux/uaccess.h:192
[   20.000000] BUG: scheduling while atomic: mmap_test/123/0x00000002
[   20.000000] BUG: assuming atomic context at kmod/walk.c:99
[   20.000000] BUG: assuming non migratable context at kmod/walk.c:99
[   20.000000] BUG: scheduling in a non-blocking section: stress_test/211/1
[   20.000000] BUG: using smp_processor_id() in preemptible [00000000] code: stress_test/211
[   20.000000] BUG: spinlock already unlocked on CPU#1, stress_test/211
[   10.280217] WARNING: CPU: 0 PID: 168 at /work/wt-debug-kernels/build/6.12-rt/selftests/modules/gate_warn.c:13 gate_warn_init+0x15/0xff0 [gate_warn]
[    5.000000] Oops: general protection fault, probably for non-canonical address 0xdffffc0000000003: 0000 [#1] PREEMPT SMP KASAN
[    5.000000] general protection fault, probably for non-canonical address 0xdead000000000100
[    5.000000] BUG: unable to handle page fault for address: ffffc90000123000
[   75.090439] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
[   73.178584] watchdog: BUG: soft lockup - CPU#1 stuck for 23s! [mmapdemo:61]
[    5.000000] Watchdog detected hard LOCKUP on cpu 1
[    5.000000] BUG: Bad page state in process mmap_test  pfn:0a1b2
[    5.000000] BUG: KFENCE: out-of-bounds read in mmapdemo_ioctl+0x2f1/0x560 [mmapdemo]
[    5.000000] list_add corruption. prev->next should be next (ffff888003a1c000), but was 0000000000000000.
[    5.000000] list_del corruption, ffff888003a1c000->next is LIST_POISON1 (dead000000000100)
[    5.000000] refcount_t: underflow; use-after-free.
[    5.000000] INFO: task stress_test:211 blocked for more than 120 seconds.
[    5.000000] Kernel panic - not syncing: Fatal exception
[    5.000000] kernel BUG at kmod/mmap.c:42!
[    5.000000] Call Trace:
[   15.376408] Internal error: synchronous external abort: 0000000096000010 [#1]  SMP
[   15.376408] Unable to handle kernel paging request at virtual address ffff800080e00000
[   15.396168] Call trace:
[   80.123456] DMAR: [DMA Write NO_PASID] Request device [0000:00:03.0] fault addr 0xffffe000 [fault reason 0x05] PTE Write access is not set
[   80.123456] DMAR: [DMA Read PASID 0x1] Request device [0000:00:03.0] fault addr 0xfffff000 [fault reason 0x06] PTE Read access is not set
[   49.104963] RIP: 0010:page_table_check_set.part.0+0x2de/0x360
[    5.000000] BUG kmalloc-64 (Tainted: G    B      O      ): Redzone overwritten
[   61.228510] x86/PAT: mmap_test:287 freeing invalid memtype [mem 0xfe402000-0xfe402fff]
[   61.228510] x86/PAT: bar_test:301 conflicting memory types fe400000-fe800000 uncached-minus<->write-combining
EOF
)

# Lines that clean boots of 6.12-debug and 6.12-rt printed about the
# checkers (copied from their console logs): none of them is a report.
clean=$(
	cat <<'EOF'
[    0.000000] Linux version 6.12.117-mmapdemo-debug (root@vm) (gcc (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT Fri Nov 27 09:20:28 UTC 2026
[    0.000000] Linux version 6.12.95+deb12-rt-amd64 (debian-kernel@lists.debian.org) (x86_64-linux-gnu-gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_RT Debian 6.12.95-1~bpo12+1 (2026-07-05)
[    0.000000] x86/PAT: Configuration [0-7]: WB  WC  UC- UC  WB  WP  UC- WT  
[    0.000000] Command line: console=ttyS0,115200 panic=-1 slub_debug=FZPU page_poison=1 kmemleak.verbose=1
[    0.000000] kasan: KernelAddressSanitizer initialized
[    0.000000] Running RCU self tests
[    0.000000] rcu: Preemptible hierarchical RCU implementation.
[    0.000000] rcu: 	RCU lockdep checking is enabled.
[    0.000000] rcu: 	RCU priority boosting: priority 1 delay 500 ms.
[    0.000000] Dynamic Preempt: lazy
[    0.000000] Lock dependency validator: Copyright (c) 2006 Red Hat, Inc., Ingo Molnar
[    0.000000] ... MAX_LOCKDEP_SUBCLASSES:  8
[    0.000000]  memory used by lock dependency info: 6429 kB
[    1.101777] Callback from call_rcu_tasks() invoked.
[   23.357231] kmemleak: Kernel memory leak detector initialized (mem pool available: 14845)
EOF
)

n=0
fails=0
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}

echo "TAP version 13"
echo "1..$(($(echo "$reports" | wc -l) + $("$gate" --patterns | wc -l) + 4))"

# vm_log DIR CONSOLE DMESG: the logs of a guest that reported its end, as
# scripts/vm.sh leaves them: the console, and the control channel with the
# exit status and the kernel log.
vm_log() {
	mkdir -p "$1"
	printf '%s\r\n' "$2" >"$1/console.log"
	printf '@@LAB-EXIT 0\r\n@@LAB-DMESG-BEGIN\r\n%s\r\n@@LAB-DMESG-END\r\n' \
		"$3" >"$1/control.log"
}

# Each report, alone in a whole log, turns the gate red: on the console,
# and in the dmesg the guest sent over the control channel.
while IFS= read -r line; do
	vm_log "$tmp/log" "$line" "[    0.000000] Linux version 6.12"
	"$gate" "$tmp/log" >/dev/null
	st=$?
	vm_log "$tmp/log" "" "$line"
	"$gate" "$tmp/log" >/dev/null
	st2=$?
	result "$([ $st = 1 ] && [ $st2 = 1 ] && echo 0 || echo 1)" "gate fails on: ${line#*] }"
done <<<"$reports"

# Each pattern matches a report as the kernel prints it.
while IFS= read -r pat; do
	echo "$reports" | grep -Eq -- "$pat"
	result $? "pattern matches a real report: '$pat'"
done < <("$gate" --patterns)

# A clean boot's lines about the checkers pass.
vm_log "$tmp/clean" "$clean" "$clean"
out=$("$gate" "$tmp/clean")
st=$?
[ -z "$out" ] || echo "$out" | sed 's/^/# matched: /'
result "$st" "gate passes a clean boot's lines about the checkers"

# --expect: the one report a test provoked (dma_test's stray DMA, as
# scripts/check.sh expects it) is excused; without it the gate fails, and
# any other report beside it still fails the gate.
expect='DMAR: \[DMA Read NO_PASID\] Request device \[[0-9a-f:.]+\] fault addr 0x100000 '
stray='[   61.402113] DMAR: [DMA Read NO_PASID] Request device [0000:00:03.0] fault addr 0x100000 [fault reason 0x06] PTE Read access is not set'
other='[   61.502113] DMAR: [DMA Write NO_PASID] Request device [0000:00:03.0] fault addr 0xffffe000 [fault reason 0x05] PTE Write access is not set'
vm_log "$tmp/expect" "$stray" "$clean
$stray"
"$gate" --expect "$expect" "$tmp/expect" >/dev/null
result $? "gate --expect passes the expected report alone"
vm_log "$tmp/expect" "" "$clean"
"$gate" --expect "$expect" "$tmp/expect" >/dev/null
result "$([ $? = 1 ] && echo 0 || echo 1)" "gate --expect fails when the expected report is missing"
vm_log "$tmp/expect" "$stray" "$stray
$other"
"$gate" --expect "$expect" "$tmp/expect" >/dev/null
result "$([ $? = 1 ] && echo 0 || echo 1)" "gate --expect still fails on another report beside it"

[ "$fails" = 0 ]
exit
}
