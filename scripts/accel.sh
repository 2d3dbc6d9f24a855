#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Choose the accelerator of the lab's VMs, KVM or TCG, and say why.
#
# /dev/kvm can exist and still not run this QEMU's guests: a nested host's
# KVM may refuse an MSR that -cpu max asks for (QEMU aborts), or never run
# the guest at all.  So the choice is made by a real guest: the lab's own
# kernel and initramfs, booted by scripts/vm.sh with exactly the QEMU
# options of every other run (-cpu max -smp 2 -m SIZE, the default
# machine) under KVM.  KVM is chosen only when that guest ran its command
# and reported its end over the control channel within PROBE_TIMEOUT.
#
# The verdict and its reason are cached, one file per QEMU binary and
# version, host name, host kernel, CPU model and /dev/kvm access, in
# build/accel/ (or $VM_ACCEL_CACHE).  VM_ACCEL=kvm|tcg overrides it.
#
# Usage: scripts/accel.sh [-v] [-m SIZE] KERNEL
#            print "kvm" or "tcg", probing with KERNEL's guest if no verdict
#            is cached; -v also prints the verdict and its reason to stderr
#        scripts/accel.sh -r kvm|tcg REASON
#            record a verdict (vm.sh records TCG when a KVM run fails)
#        scripts/accel.sh -s
#            print the cache file of this host, if there is one

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${VM_ACCEL_CACHE:-$top/build/accel}
probe_timeout=${PROBE_TIMEOUT:-60}

# Earlier versions kept a one-word build/accel file, without a reason.
[ -f "$cache" ] && rm -f "$cache"

# What the verdict depends on: a different QEMU, host, host kernel, CPU or
# access to /dev/kvm gets a probe of its own.  The QEMU is vm.sh's:
# VM_QEMU if set (scripts/qemu-local.sh), else the host's.
qemu=${VM_QEMU:-qemu-system-x86_64}
qemu_path=$(command -v "$qemu" || echo "not found")
qemu_version=$("$qemu" --version 2>/dev/null | head -n 1 || true)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
if [ -w /dev/kvm ]; then
	kvm_dev="/dev/kvm writable"
elif [ -e /dev/kvm ]; then
	kvm_dev="/dev/kvm not writable"
else
	kvm_dev="no /dev/kvm"
fi
key="$qemu_path; $qemu_version; $(hostname); $(uname -r); $cpu; $kvm_dev"
file=$cache/$(printf '%s' "$key" | sha256sum | cut -c 1-16)

# record ACCEL REASON: write the cache file.
record() {
	mkdir -p "$cache"
	{
		echo "accel: $1"
		echo "reason: $2"
		echo "when: $(date '+%F %T')"
		echo "qemu: $qemu_path, $qemu_version"
		echo "host: $(hostname), $(uname -r), $cpu, $kvm_dev"
	} >"$file.tmp"
	mv "$file.tmp" "$file"
}

# field NAME: one field of the cache file.
field() {
	sed -n "s/^$1: //p" "$file" 2>/dev/null | head -n 1
}

verbose=0 mem=1G
while getopts vm:r:s opt; do
	case $opt in
	v) verbose=1 ;;
	m) mem=$OPTARG ;;
	r)
		case $OPTARG in kvm | tcg) ;; *) echo "accel.sh: -r kvm|tcg" >&2; exit 2 ;; esac
		shift $((OPTIND - 1))
		record "$OPTARG" "${1:?accel.sh: -r ACCEL REASON}"
		exit 0
		;;
	s)
		[ -f "$file" ] && cat "$file"
		exit 0
		;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
kernel=${1:?usage: accel.sh [-v] [-m SIZE] KERNEL}

case ${VM_ACCEL:-} in
kvm | tcg)
	[ "$verbose" = 0 ] || echo "accel: $VM_ACCEL, forced by VM_ACCEL=$VM_ACCEL" >&2
	echo "$VM_ACCEL"
	exit 0
	;;
"") ;;
*)
	echo "accel.sh: VM_ACCEL must be kvm or tcg, not '$VM_ACCEL'" >&2
	exit 2
	;;
esac

verdict=$(field accel)
case $verdict in
kvm | tcg)
	if [ "$verbose" = 1 ] && [ "$verdict" = tcg ]; then
		echo "accel: KVM is not usable on this machine, so the VMs run under QEMU's emulator (TCG); why: $(field reason) (cached in ${file#"$top"/})" >&2
	elif [ "$verbose" = 1 ]; then
		echo "accel: kvm ($(field reason)); cached in ${file#"$top"/}" >&2
	fi
	echo "$verdict"
	exit 0
	;;
esac

# The probe: one real guest under KVM, forced so that vm.sh does not fall
# back to TCG by itself.  Its logs are in build/KERNEL/vm/accel-probe/.
name=accel-probe
logdir=$top/build/$kernel/vm/$name
start=$(date +%s)
st=0
# shellcheck disable=SC2016 # the guest expands $(uname -r)
VM_ACCEL=kvm "$top/scripts/vm.sh" -n "$name" -t "$probe_timeout" -m "$mem" "$kernel" \
	'echo "@@LAB-PROBE $(uname -r)"' >"$top/build/$kernel/accel-probe.out" \
	2>"$top/build/$kernel/accel-probe.err" || st=$?
took=$(($(date +%s) - start))
what="a probe guest ($kernel, -cpu max -smp 2 -m $mem)"
if [ "$st" = 0 ] && grep -q '^@@LAB-PROBE ' "$top/build/$kernel/accel-probe.out"; then
	verdict=kvm
	reason="$what ran under KVM and reported its end in ${took}s"
else
	verdict=tcg
	# What vm.sh said: a timeout, a panic, or QEMU's own error.
	said=$(sed -n "1{s/^vm: $kernel: //;s/; console log: .*//;p}" "$top/build/$kernel/accel-probe.err")
	reason="$what under KVM did not report its end: ${said:-vm.sh status $st}"
	[ -s "$logdir/console.log" ] || reason="$reason; its console stayed empty"
fi
record "$verdict" "$reason"
if [ "$verdict" = kvm ]; then
	echo "accel: KVM works: $reason; using KVM (cached in ${file#"$top"/})" >&2
else
	# In plain words first; QEMU's own words are in the cache file.
	echo "accel: KVM is not usable on this machine, so the VMs run under QEMU's emulator (TCG), which is slower; why: ${file#"$top"/} (scripts/accel.sh -s), probe logs in ${logdir#"$top"/}" >&2
fi
echo "$verdict"
exit
}
