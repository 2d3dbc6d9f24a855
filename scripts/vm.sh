#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one of the matrix's kernels in QEMU with the lab's initramfs and run
# commands in it.
#
# Usage: scripts/vm.sh [options] KERNEL [COMMAND...]
#   -n NAME      name of this run; its logs go to build/KERNEL/vm/NAME/
#   -t SECONDS   timeout for the whole VM (default 600)
#   -m SIZE      guest memory (default 1G)
#   -s           interactive shell instead of commands ("make shell")
#   -d DEVICE    attach a PCI device, repeatable: "ivshmem=FILE" (an
#                ivshmem-plain device whose BAR 2 is FILE, shared with the
#                host; FILE must exist, its size a power of two),
#                "ivshmem=FILE,size=SIZE" (the same, FILE made SIZE bytes
#                first, as truncate -s takes it, e.g. 64M or 1G: sparse, so
#                the host's memory is used only where the guest writes), or
#                "edu"
# With no COMMAND, the commands are read from standard input.
#
# Prints what the commands print, and exits with their exit status as the
# guest reported it over the control channel, or 124 on a timeout and 125
# when the guest died before reporting.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
name=run timeout=600 mem=1G shell=0 devices=()
while getopts n:t:m:sd: opt; do
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
			esac
			devices+=(-object "memory-backend-file,id=ivshm$n,mem-path=$file,size=$(stat -c %s "$file"),share=on"
				-device "ivshmem-plain,memdev=ivshm$n") ;;
		edu) devices+=(-device edu) ;;
		*) echo "vm.sh: -d $OPTARG: ivshmem=FILE[,size=SIZE] or edu" >&2; exit 2 ;;
		esac ;;
	n) name=$OPTARG ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	s) shell=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
kernel=${1:?usage: vm.sh [-n NAME] [-t SECONDS] [-m SIZE] [-s] [-d DEVICE]... KERNEL [COMMAND...]}
shift

# shellcheck source=/dev/null
. "$top/.cache/kernels/$kernel/kernel.env"
base=$top/build/$kernel/initramfs.cpio.gz
[ -f "$base" ] || { echo "vm.sh: $base is missing; run 'make initramfs'" >&2; exit 2; }
logdir=$top/build/$kernel/vm/$name
rm -rf "$logdir"
mkdir -p "$logdir/extra/lab"

# /dev/kvm can exist and still not work with QEMU: try it once, else TCG.
accel_file=$top/build/accel
if [ ! -f "$accel_file" ]; then
	if [ -w /dev/kvm ] && echo quit | timeout 20 qemu-system-x86_64 -accel kvm \
		-M q35 -S -nodefaults -display none -monitor stdio >/dev/null 2>&1; then
		echo kvm >"$accel_file"
	else
		echo tcg >"$accel_file"
	fi
fi
accel=$(cat "$accel_file")
# TCG runs the vCPUs round-robin in one thread unless VM_TCG_THREAD=multi.
# Multi-threaded TCG once froze a vCPU for good while the kernel patched
# its own text (text_poke_bp() on enabling a tracepoint: soft lockups and
# RCU stalls, the other CPU's clock stopped); one thread cannot race with
# itself there, and the tests take about as long.
if [ "$accel" = tcg ]; then
	accel="tcg,thread=${VM_TCG_THREAD:-single}"
fi

cmdline="console=ttyS0,115200 panic=-1 slub_debug=FZPU page_poison=1"
# KFENCE samples allocations only where the kernel has it (6.12 here).
grep -qx 'CONFIG_KFENCE=y' "$KCONFIG" && cmdline="$cmdline kfence.sample_interval=10"

qemu=(qemu-system-x86_64 -accel "$accel" -cpu max -smp 2 -m "$mem"
	-kernel "$VMLINUZ" -nodefaults -no-reboot -display none -nic none
	${devices[@]+"${devices[@]}"})

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
: >"$output"
start=$(date +%s)
timeout -k 10 "$timeout" "${qemu[@]}" -initrd "$logdir/initramfs.cpio.gz" \
	-append "$cmdline" -monitor none -serial "file:$console" \
	-serial "file:$output" -serial "file:$control" </dev/null &
qemu_pid=$!
tail -n +1 -f --pid=$qemu_pid "$output" | tr -d '\r' &
tail_pid=$!
# A guest whose kernel reports a lockup or an RCU stall will not finish:
# stop it after a grace period for more of the log, rather than wait for
# the timeout.  What it said stays in the console log for the gate.
stall="soft lockup|hard LOCKUP|rcu: INFO: rcu_[a-z]* (self-)?detected stall|blocked for more than [0-9]+ seconds"
(
	while kill -0 $qemu_pid 2>/dev/null; do
		if grep -Eq "$stall" "$console" 2>/dev/null; then
			sleep 30
			echo stalled >"$logdir/stalled"
			kill $qemu_pid 2>/dev/null
			exit 0
		fi
		sleep 5
	done
) &
watch_pid=$!
qemu_status=0
wait $qemu_pid || qemu_status=$?
kill $watch_pid 2>/dev/null || true
wait $tail_pid 2>/dev/null || true
elapsed=$(($(date +%s) - start))

tr -d '\r' <"$control" | sed -n '/^@@LAB-DMESG-BEGIN$/,/^@@LAB-DMESG-END$/p' |
	sed '1d;$d' >"$logdir/dmesg.log"
status=$(tr -d '\r' <"$control" | sed -n 's/^@@LAB-EXIT \([0-9]*\)$/\1/p')
echo "$kernel $accel ${elapsed}s" >"$logdir/time"
if [ -z "$status" ]; then
	if [ "$qemu_status" = 124 ]; then
		echo "vm: $kernel: timed out after ${timeout}s; console log: $console" >&2
		exit 124
	fi
	if [ -f "$logdir/stalled" ]; then
		echo "vm: $kernel: the guest's kernel reported a lockup or stall and was stopped; console log: $console" >&2
	else
		echo "vm: $kernel: the guest stopped without reporting (panic?); console log: $console" >&2
	fi
	tail -n 30 "$console" | tr -d '\r' >&2
	exit 125
fi
exit "$status"
