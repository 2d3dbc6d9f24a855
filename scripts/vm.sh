#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one of the matrix's kernels in QEMU with the lab's initramfs and run
# commands in it.
#
# Usage: scripts/vm.sh [options] KERNEL [COMMAND...]
#   -n NAME      name of this run; its logs go to build/KERNEL/vm/NAME/
#   -t SECONDS   timeout for the whole VM (default 600), multiplied by the
#                guest's slowdown when it reports one (at most VM_SLOWDOWN_MAX
#                times, default 8), and counted again from each line
#                "@@LAB-PROGRESS ..." the commands print: see below
#   -m SIZE      guest memory (default: the kernel's VM_MEMORY in its
#                kernel.env, else 1G)
#   -s           interactive shell instead of commands ("make shell")
#   -i FILE      the base initramfs (default build/KERNEL/initramfs.cpio.gz)
#   -d DEVICE    attach a PCI device, repeatable: "ivshmem=FILE" (an
#                ivshmem-plain device whose BAR 2 is FILE, shared with the
#                host; its size must be a power of two; a FILE that does
#                not exist is made, sparse, of 4 MiB),
#                "ivshmem=FILE,size=SIZE" (the same, FILE made SIZE bytes
#                first, as truncate -s takes it, e.g. 64M or 1G: sparse, so
#                the host's memory is used only where the guest writes), or
#                "edu", or "iommu" (a q35 machine with QEMU's intel-iommu in
#                front of every PCI device, and intel_iommu=on: DMA
#                addresses are then I/O virtual addresses; see
#                Documentation/device-memory.rst, "DMA")
#   -D SIZE      attach a disk of SIZE bytes (as truncate -s takes it, e.g.
#                64M) as a virtio block device, /dev/vda in the guest: a
#                sparse raw file, build/KERNEL/vm/NAME/disk.img, made afresh
#                for each run with an empty ext4 file system of 4 KiB blocks
#                (mkfs.ext4 on the host).  The guest's /init loads the
#                kernel's modules for it and mounts it on /var/tmp
#                (scripts/guest/init).
# With no COMMAND, the commands are read from standard input.
#
# Prints what the commands print, and exits with their exit status as the
# guest reported it over the control channel, or 124 on a timeout and 125
# when the guest died before reporting; the message then says whether the
# guest's kernel panicked, stalled, or QEMU itself failed (quoting QEMU's
# stderr, kept in build/KERNEL/vm/NAME/qemu.stderr).
#
# The guest's /init measures its speed at boot and reports the slowdown
# on the control channel ("@@LAB-SLOWDOWN F", selftests/lab_speed.c); the
# VM's timeout is then SECONDS times F, F at most VM_SLOWDOWN_MAX, so that
# a busy host or a slow kernel does not turn a slow run into a timeout.
# A long run of rounds (scripts/longrun.sh repeat) prints "@@LAB-PROGRESS"
# after each round, and the timeout then bounds each round, not their sum:
# the slowdown is measured once, at boot, and a host that gets busier
# later would otherwise make a run of many slow rounds time out.
#
# The accelerator is VM_ACCEL (kvm or tcg) if set, else scripts/accel.sh's
# verdict.  When a KVM run that was not forced stops before the guest
# printed or reported anything, and not by a panic, vm.sh says that QEMU
# failed under KVM, runs the VM again under TCG and records TCG for every
# later run.
#
# The x86-64 QEMU is VM_QEMU if set, else the host's qemu-system-x86_64;
# scripts/qemu-local.sh prints another Debian release's, unpacked beside
# the host's (see Documentation/lab.rst, "One TCG thread or one per vCPU").

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
name=run timeout=600 mem= shell=0 base= devices=() disk=
iommu=() edu=
slowdown_max=${VM_SLOWDOWN_MAX:-8}
while getopts n:t:m:si:d:D: opt; do
	case $opt in
	d)
		case $OPTARG in
		ivshmem=?*)
			n=${#devices[@]}
			file=${OPTARG#ivshmem=}
			case $file in
			*,size=?*)
				truncate -s "${file##*,size=}" "${file%,size=*}"
				file=${file%,size=*} ;;
			*)
				if [ ! -e "$file" ]; then
					truncate -s 4M "$file"
					echo "vm.sh: made $file, 4 MiB (sparse), the ivshmem device's memory; ivshmem=FILE,size=SIZE picks another size" >&2
				fi ;;
			esac
			size=$(stat -c %s "$file")
			if [ "$size" -lt 4096 ] || [ $((size & (size - 1))) != 0 ]; then
				echo "vm.sh: -d ivshmem=$file: its size, $size bytes, must be a power of two (truncate -s 4M $file)" >&2
				exit 2
			fi
			devices+=(-object "memory-backend-file,id=ivshm$n,mem-path=$file,size=$(stat -c %s "$file"),share=on"
				-device "ivshmem-plain,memdev=ivshm$n") ;;
		edu) devices+=(-device edu) edu=1 ;;
		# Before every other device: QEMU wants the IOMMU first.
		iommu) iommu=(-machine q35 -device intel-iommu) ;;
		*) echo "vm.sh: -d $OPTARG: ivshmem=FILE[,size=SIZE], edu or iommu" >&2; exit 2 ;;
		esac ;;
	D) disk=$OPTARG ;;
	n) name=$OPTARG ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	s) shell=1 ;;
	i) base=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
kernel=${1:?usage: vm.sh [-n NAME] [-t SECONDS] [-m SIZE] [-s] [-d DEVICE]... [-D SIZE] KERNEL [COMMAND...]}
shift

# A kernel of the matrix that is not here yet: fetch it, and build its
# initramfs (the module and the tools), as "make initramfs" would.  The
# debug kernels take long to build: that is left to "make deps".
if [ ! -f "$top/.cache/kernels/$kernel/kernel.env" ]; then
	case $kernel in
	*-debug)
		echo "vm.sh: kernel $kernel is not built yet: run 'make deps KERNELS=$kernel' (it builds the kernel, once per machine)" >&2
		exit 2 ;;
	esac
	echo "vm.sh: kernel $kernel is not here yet: fetching it (make deps KERNELS=$kernel)" >&2
	make -s -C "$top" deps KERNELS="$kernel" >&2 || exit 2
fi
# shellcheck source=/dev/null
. "$top/.cache/kernels/$kernel/kernel.env"
mem=${mem:-${VM_MEMORY:-1G}}
# An arm64 kernel (KARCH=arm64 in its kernel.env) boots in QEMU's "virt"
# machine: its PCIe host bridge (gpex) takes the same devices; see qemu_cmd.
karch=${KARCH:-amd64}
base=${base:-$top/build/$kernel/initramfs.cpio.gz}
if [ ! -f "$base" ] && [ "$base" = "$top/build/$kernel/initramfs.cpio.gz" ]; then
	echo "vm.sh: building the initramfs of $kernel (make initramfs KERNELS=$kernel)" >&2
	make -s -C "$top" initramfs KERNELS="$kernel" >&2 || exit 2
fi
[ -f "$base" ] || { echo "vm.sh: $base is missing; run 'make initramfs KERNELS=$kernel'" >&2; exit 2; }
logdir=$top/build/$kernel/vm/$name
rm -rf "$logdir"
mkdir -p "$logdir/extra/lab"
if [ -n "$disk" ]; then
	truncate -s "$disk" "$logdir/disk.img"
	mkfs.ext4 -F -q -b 4096 -L mmapdemo-lab "$logdir/disk.img"
	# shellcheck disable=SC2054 # the commas separate QEMU's suboptions
	devices+=(-drive "file=$logdir/disk.img,format=raw,if=none,id=labdisk"
		-device virtio-blk-pci,drive=labdisk)
fi

# KVM or TCG: VM_ACCEL, or the verdict of a real guest under KVM, cached
# (scripts/accel.sh).  A forced choice is never changed here.
forced=${VM_ACCEL:+1}
if [ "$karch" = amd64 ]; then
	accel=$("$top/scripts/accel.sh" -m "$mem" "$kernel") || exit 2
else
	# Another architecture's guest has no KVM on this host: always TCG.
	accel=tcg
fi

# no_timer_check: an emulated guest on a busy host can miss the IO-APIC
# timer check at boot and panic ("IO-APIC + timer doesn't work!"), as a
# 7.3 guest did here under TCG; virtual machines do not need the check.
cmdline="console=ttyS0,115200 panic=-1 no_timer_check slub_debug=FZPU page_poison=1"
# virt has one UART, the console (ttyAMA0); what the commands print and
# the control channel go over two virtio consoles, hvc0 and hvc1, which
# the guest's /init takes from lab.out= and lab.ctl=.
[ "$karch" = amd64 ] ||
	cmdline="console=ttyAMA0 panic=-1 slub_debug=FZPU page_poison=1"
# On x86-64 they go over two more UARTs, ttyS1 and ttyS2, except on a
# kernel that threads every interrupt handler (PREEMPT_RT): there the
# 8250's handler runs in a thread while the hard interrupt only wakes it,
# and the core counts a hard interrupt as one nobody handled when the
# thread has not finished a handled run since the one before
# (note_interrupt(), the deferred check for threaded handlers,
# kernel/irq/spurious.c).  The emulated UART interrupts again while the
# thread is still sending: 600 KB of output on ttyS1 of 6.12-rt made
# 200,001 interrupts (one per 3 bytes), then "irq 3: nobody cared" (more
# than 99,900 of 100,000 unhandled) and "Disabling IRQ #3" 10 s into the
# VM, which the kernel-log gate rightly refuses (lab.rst, "Talking to the
# guest").  A virtio console takes a buffer per interrupt.
virtcons=1
if [ "$karch" = amd64 ] && ! grep -qx 'CONFIG_PREEMPT_RT=y' "$KCONFIG"; then
	virtcons=0
fi
[ "$virtcons" = 0 ] || cmdline="$cmdline lab.out=/dev/hvc0 lab.ctl=/dev/hvc1"
# KFENCE samples allocations only where the kernel has it (not 6.1 here).
grep -qx 'CONFIG_KFENCE=y' "$KCONFIG" && cmdline="$cmdline kfence.sample_interval=10"
# kmemleak (6.12-debug) prints what a scan finds to the kernel log too, for
# the kernel-log gate.
grep -qx 'CONFIG_DEBUG_KMEMLEAK=y' "$KCONFIG" && cmdline="$cmdline kmemleak.verbose=1"
# A KASAN kernel on x86-64 boots with 4-level paging.  With 5-level paging
# (QEMU's -cpu max has LA57), 7.3's KASAN reported a false
# "wild-memory-access" at boot, in an interrupt that came during
# identify_cpu(&boot_cpu_data): identify_cpu() zeroes x86_capability, so
# pgtable_l5_enabled() (cpu_feature_enabled(X86_FEATURE_LA57) before the
# alternatives are applied) reads false for a moment, __VIRTUAL_MASK_SHIFT
# becomes 47, and KASAN finds no shadow for a direct-map address of the
# 5-level layout (arch/x86/kernel/cpu/common.c, page_64_types.h,
# mm/kasan/report_generic.c).  It failed session 7's CI on 7-debug.
[ "$karch" != amd64 ] || ! grep -qx 'CONFIG_KASAN=y' "$KCONFIG" ||
	cmdline="$cmdline no5lvl"
# The guest's /init mounts the disk when it is told there is one.
[ -z "$disk" ] || cmdline="$cmdline lab.disk"
# The vIOMMU translates only if the kernel turns it on and does not pass
# devices through untranslated.
[ ${#iommu[@]} = 0 ] || cmdline="$cmdline intel_iommu=on iommu.passthrough=0"
# The debug kernels (VM_ACPI_NOIRQ=1 in their kernel.env) route PCI
# interrupts without ACPI.  Their AML interpreter, under KASAN and lockdep
# and emulated, ran QEMU's _PRT past ACPICA's 30-second loop timeout
# (AE_AML_LOOP_TIMEOUT, "PCI INT A: no GSI"): 30 s for each device with an
# interrupt pin that a driver enables (virtio-blk, edu), and before the
# kernels had MSI the disk's first request never completed.  acpi=noirq
# routes from the firmware's MP table instead (arch/x86/kernel/mpparse.c,
# arch/x86/pci/irq.c); ACPI still describes the CPUs and the PCI windows,
# so the BARs stay where the firmware put them (pci=noacpi moved edu's
# onto the I/O APIC's page).
[ "${VM_ACPI_NOIRQ:-0}" = 0 ] || cmdline="$cmdline acpi=noirq"

# qemu_cmd ACCEL: the QEMU command line of every run, into the array qemu.
# TCG runs the vCPUs round-robin in one thread unless VM_TCG_THREAD=multi.
# QEMU supports multi-threaded TCG for this guest (7.2, 10.0 and 11.1 say
# nothing against it), but a vCPU can then run stale code while the kernel
# patches its own text (text_poke_bp() on turning tracing on and off:
# under 7.2 scripts/mttcg-stress.sh died of an "Oops: int3" at a patched
# site in its first round in each of five runs); one thread cannot race with
# itself there.  See Documentation/lab.rst, "One TCG thread or one per
# vCPU", for the newer QEMUs (VM_QEMU, scripts/qemu-local.sh).
qemu_cmd() {
	local a=$1
	[ "$a" = tcg ] && a="tcg,thread=${VM_TCG_THREAD:-single}"
	if [ "$karch" = arm64 ]; then
		# max: the newest architecture QEMU emulates, with the hardware
		# access flag and dirty state (FEAT_HAFDBS) that the kernel
		# uses; pauth-impdef: QEMU's cheap pointer authentication
		# instead of QARMA, which costs much time under TCG.
		qemu=(qemu-system-aarch64 -accel "$a" -M virt -cpu max,pauth-impdef=on
			-smp 2 -m "$mem" -kernel "$VMLINUZ" -nodefaults -no-reboot
			-display none -nic none ${devices[@]+"${devices[@]}"})
	else
		qemu=("${VM_QEMU:-qemu-system-x86_64}" -accel "$a" -cpu max -smp 2 -m "$mem"
			-kernel "$VMLINUZ" -nodefaults -no-reboot -display none -nic none
			${iommu[@]+"${iommu[@]}"} ${devices[@]+"${devices[@]}"})
	fi
}

# serial_args: the console, the commands' output and the control channel
# into their files, into the array serial: the console's UART, and two
# virtio consoles or two more UARTs (virtcons above).  The virtio-serial
# device comes after every other device, so that it takes none of their
# PCI slots.
serial_args() {
	if [ "$virtcons" = 1 ]; then
		serial=(-serial "file:$console" -device virtio-serial-pci
			-chardev "file,id=labout,path=$output" -device virtconsole,chardev=labout
			-chardev "file,id=labctl,path=$control" -device virtconsole,chardev=labctl)
	else
		serial=(-serial "file:$console" -serial "file:$output" -serial "file:$control")
	fi
}
qemu_cmd "$accel"

if [ "$shell" = 1 ]; then
	echo "vm: kernel $KRELEASE ($KVERSION), accel $accel"
	exec "${qemu[@]}" -initrd "$base" -append "$cmdline lab.shell" \
		-serial mon:stdio
fi

# The commands travel as a second cpio archive appended to the base one.
if [ $# -gt 0 ]; then
	printf '%s\n' "$*" >"$logdir/extra/lab/run.sh"
else
	cat >"$logdir/extra/lab/run.sh"
fi
(cd "$logdir/extra" && find lab | cpio -o -H newc --quiet) | gzip -1 >"$logdir/extra.cpio.gz"
cat "$base" "$logdir/extra.cpio.gz" >"$logdir/initramfs.cpio.gz"

console=$logdir/console.log output=$logdir/output.log control=$logdir/control.log
stderr=$logdir/qemu.stderr

# run_vm: boot the VM once with the array qemu; sets qemu_status, elapsed
# and status (the commands' exit status, empty when the guest never
# reported its end).  QEMU's own messages go to qemu.stderr.
run_vm() {
	local qemu_pid tail_pid watch_pid start
	: >"$console"
	: >"$output"
	: >"$control"
	rm -f "$logdir/stalled" "$logdir/qemu-failed" "$logdir/timed-out"
	start=$(date +%s)
	serial_args
	# QEMU runs in a subshell that passes a TERM on and exits with QEMU's
	# status, so that a QEMU killed by a signal (an abort) is reported
	# here rather than by bash's own "Aborted" line.
	(
		timeout -k 10 "$((timeout * slowdown_max))" "${qemu[@]}" -initrd "$logdir/initramfs.cpio.gz" \
			-append "$cmdline" -monitor none "${serial[@]}" </dev/null 2>"$stderr" &
		child=$!
		trap 'kill $child 2>/dev/null' TERM
		st=0
		wait $child || st=$?
		if kill -0 $child 2>/dev/null; then
			st=0
			wait $child || st=$?
		fi
		exit $st
	) 2>/dev/null &
	qemu_pid=$!
	tail -n +1 -f --pid=$qemu_pid "$output" | tr -d '\r' &
	tail_pid=$!
	# A guest whose kernel reports a lockup or an RCU stall will not
	# finish: stop it after a grace period for more of the log, rather
	# than wait for the timeout.  What it said stays in the console log
	# for the gate.  On a KVM internal error QEMU pauses the guest for
	# good: stop it at once.
	# The timeout: SECONDS, times the slowdown the guest reported, from
	# the start or from the last progress line.
	(
		progress=0
		while kill -0 $qemu_pid 2>/dev/null; do
			p=$(tr -d '\r' <"$output" 2>/dev/null | grep -c '^@@LAB-PROGRESS' || true)
			if [ "${p:-0}" != "$progress" ]; then
				progress=$p
				start=$(date +%s)
			fi
			f=$(tr -d '\r' <"$control" 2>/dev/null |
				sed -n 's/^@@LAB-SLOWDOWN \([0-9.]*\)$/\1/p' | head -n 1)
			limit=$(awk -v t="$timeout" -v f="${f:-1}" -v m="$slowdown_max" \
				'BEGIN { f = f < 1 ? 1 : f > m ? m : f; printf "%d", t * f }')
			if [ $(($(date +%s) - start)) -ge "$limit" ]; then
				echo "$limit" >"$logdir/timed-out"
				kill $qemu_pid 2>/dev/null
				exit 0
			fi
			if grep -q '^KVM internal error' "$stderr" 2>/dev/null; then
				echo "KVM internal error" >"$logdir/qemu-failed"
				kill $qemu_pid 2>/dev/null
				exit 0
			fi
			if grep -Eq "$stall" "$console" 2>/dev/null; then
				sleep 30
				echo stalled >"$logdir/stalled"
				kill $qemu_pid 2>/dev/null
				exit 0
			fi
			sleep 2
		done
	) &
	watch_pid=$!
	qemu_status=0
	wait $qemu_pid || qemu_status=$?
	[ ! -f "$logdir/timed-out" ] || qemu_status=124
	kill $watch_pid 2>/dev/null || true
	wait $tail_pid 2>/dev/null || true
	elapsed=$(($(date +%s) - start))
	tr -d '\r' <"$control" | sed -n '/^@@LAB-DMESG-BEGIN$/,/^@@LAB-DMESG-END$/p' |
		sed '1d;$d' >"$logdir/dmesg.log"
	status=$(tr -d '\r' <"$control" | sed -n 's/^@@LAB-EXIT \([0-9]*\)$/\1/p')
	echo "$kernel ${qemu[2]} ${elapsed}s" >"$logdir/time"
}
stall="soft lockup|hard LOCKUP|rcu: INFO: rcu_[a-z]* (self-)?detected stall|blocked for more than [0-9]+ seconds"

# qemu_error: QEMU's own first lines on stderr, on one line.
qemu_error() {
	if [ -s "$stderr" ]; then
		# QEMU's error lines rather than a register dump, when it has them.
		{
			grep -E '^(qemu-system-[a-z0-9_]*: |KVM internal error|emulation failure)' "$stderr" |
				grep -v 'terminating on signal' || head -n 2 "$stderr"
		} | tr -d '\r' | awk 'NR <= 2 { printf "%s%s", (NR > 1 ? "; " : ""), $0 } END { print "" }'
	else
		echo "(nothing on QEMU's stderr)"
	fi
}

run_vm
# A KVM run that the probe chose and that died before the guest reported
# anything is QEMU's or KVM's failure, not the guest's: say so, and run
# this VM again under TCG, which every later VM then uses too.  A guest
# that panicked, stalled or timed out is the guest's, whatever the
# accelerator; a guest whose commands already printed is not run twice.
if [ -z "$status" ] && [ "$accel" = kvm ] && [ -z "$forced" ] &&
	[ "$qemu_status" != 124 ] && [ ! -f "$logdir/stalled" ] &&
	! grep -q 'Kernel panic' "$console" && [ ! -s "$output" ]; then
	mkdir -p "$logdir/kvm-failed"
	mv "$console" "$control" "$output" "$stderr" "$logdir/time" "$logdir/kvm-failed/"
	how="status $qemu_status"
	[ ! -f "$logdir/qemu-failed" ] || how="a KVM internal error"
	rm -f "$logdir/qemu-failed"
	echo "vm: $kernel: QEMU failed under KVM ($how) before the guest reported: $(stderr=$logdir/kvm-failed/qemu.stderr qemu_error); running this VM again under TCG, and TCG from now on (logs of the KVM run in $logdir/kvm-failed/)" >&2
	"$top/scripts/accel.sh" -r tcg "a KVM run ($name on $kernel) stopped before the guest reported ($how): $(stderr=$logdir/kvm-failed/qemu.stderr qemu_error)"
	accel=tcg
	qemu_cmd tcg
	run_vm
	echo "$kernel ${qemu[2]} ${elapsed}s, rerun under TCG" >"$logdir/time"
fi

if [ -z "$status" ]; then
	if [ "$qemu_status" = 124 ]; then
		limit=$(cat "$logdir/timed-out" 2>/dev/null || echo $((timeout * slowdown_max)))
		echo "vm: $kernel: timed out after ${limit}s (-t $timeout, slowdown $(tr -d '\r' <"$control" | sed -n 's/^@@LAB-SLOWDOWN \([0-9.]*\)$/\1/p' | head -n 1)); console log: $console" >&2
		exit 124
	fi
	if [ -f "$logdir/stalled" ]; then
		echo "vm: $kernel: the guest's kernel reported a lockup or stall and was stopped; console log: $console" >&2
	elif grep -q 'Kernel panic' "$console"; then
		echo "vm: $kernel: the guest's kernel panicked; console log: $console" >&2
	elif [ "$qemu_status" != 0 ] || [ -f "$logdir/qemu-failed" ]; then
		if [ -f "$logdir/qemu-failed" ]; then
			how="QEMU failed (it held the guest after a KVM internal error; vm.sh stopped it)"
		else
			how="QEMU failed (status $qemu_status, accel ${qemu[2]})"
		fi
		echo "vm: $kernel: $how before the guest reported: $(qemu_error)" >&2
		echo "vm: $kernel: QEMU's messages: $stderr; console log: $console" >&2
	else
		echo "vm: $kernel: the guest stopped without reporting its end, and its console shows no panic; console log: $console" >&2
	fi
	tail -n 30 "$console" | tr -d '\r' >&2
	exit 125
fi
exit "$status"
exit
}
