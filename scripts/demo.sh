#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": the guided tour ("mmapdemo tour") and the path of one
# address ("mmapdemo path"), in one VM per kernel, with a 64 MiB ext4 disk
# (vm.sh -D) on /var/tmp for the tour's disk-file experiments.  The first kernel's
# output is printed in full as it runs; for each other kernel only what
# differs from the first, as a diff, once the numbers that change from run
# to run anyway are normalised: user addresses, PFNs, physical addresses
# and page-table entries, PIDs, trace timestamps, times in milliseconds,
# temporary file names and where the disk's file system put a file.  Each
# VM has the PCI devices of the tour's device experiments: an
# ivshmem-plain device with a 128 MiB BAR (a sparse file,
# build/KERNEL/ivshmem-demo.img) for "huge" and the edu device for
# "device_not_ram"; and a 64 MiB ext4 disk (vm.sh -D) for the disk
# experiments.
#
# Usage: scripts/demo.sh KERNEL...

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck disable=SC2016 # $LAB_MODULE is the guest's
cmd='insmod $LAB_MODULE && mmapdemo tour && mmapdemo path --offset 0x1000 --write'

# normalise FILE: the demo's output without what varies between runs.
normalise() {
	sed -E \
		-e 's/mmapdemo-(tour|disk)-[A-Za-z0-9]{6}/mmapdemo-\1-XXXXXX/g' \
		-e 's/0x7f[0-9a-f]{6,}/0x7f_ADDR/g' \
		-e 's/pid( +)[0-9]+/pid\1N/g' \
		-e 's/-[0-9]+\)$/-PID)/' \
		-e 's/^ *[0-9]+\.[0-9]{6}  (mmapdemo_)/  TIME  \1/' \
		-e 's/(pfn[ =])0x[0-9a-f]+( +|$)/\10xPFN /g' \
		-e 's/(PGD|P4D|PUD|PMD|PTE)( +)0x([0-9a-f]{3})[0-9a-f]{10}([0-9a-f]{3})/\1\20x\3_PFN_\4/' \
		-e 's/(PFN[ a-z()]* +)0x[0-9a-f]+/\10xPFN/' \
		-e 's/(physical address +)0x[0-9a-f]+/\10xPHYS/' \
		-e 's/(page 0 at disk byte +)0x[0-9a-f]+/\10xOFFSET/' \
		-e 's/(entry +0x[0-9a-f]{3})[0-9a-f]{13}/\1_PFN/' \
		-e 's/[0-9]+(\.[0-9]+)? ms/N ms/g' \
		"$1"
}

first=
for k in "$@"; do
	# shellcheck source=/dev/null
	. ".cache/kernels/$k/kernel.env"
	# The tour's PCI devices (scripts/vm.sh -d).
	devs=(-d "ivshmem=$top/build/$k/ivshmem-demo.img,size=128M" -d edu)
	out=build/$k/demo.out
	if [ -z "$first" ]; then
		echo "=== mmapdemo on $k ($KRELEASE, Debian $KVERSION)"
		st=0
		scripts/vm.sh -n demo "${devs[@]}" -D 64M "$k" "$cmd" | tee "$out" || st=${PIPESTATUS[0]}
		[ "$st" = 0 ] || { echo "demo: $k: failed (status $st)" >&2; exit 1; }
		first=$k
		continue
	fi
	echo
	echo "=== mmapdemo on $k ($KRELEASE, Debian $KVERSION): only what differs from $first,"
	echo "=== with addresses, PFNs, page-table entries, PIDs, timestamps, times in ms and temporary names normalised"
	st=0
	scripts/vm.sh -n demo "${devs[@]}" -D 64M "$k" "$cmd" >"$out" || st=$?
	if [ "$st" != 0 ]; then
		cat "$out"
		echo "demo: $k: failed (status $st)" >&2
		exit 1
	fi
	if diff -U1 --label "$first" --label "$k" <(normalise "build/$first/demo.out") \
		<(normalise "$out"); then
		echo "(no differences)"
	fi
done
exit
}
