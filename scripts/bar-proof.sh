#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The host's side of the BAR proof (selftests/bar_proof_test.c): before the
# test VM boots, write the host's pattern into the file that backs the
# guest's ivshmem-plain BAR; after it exits, check the patterns the guest
# wrote through its mappings, as TAP for scripts/check.sh.
#
# Usage: scripts/bar-proof.sh prepare KERNEL   prints the vm.sh options
#        scripts/bar-proof.sh verify KERNEL    prints TAP, exits 1 on failure
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
prog=$top/build/selftests/bar_proof_test
what=${1:?usage: bar-proof.sh prepare|verify KERNEL}
kernel=${2:?usage: bar-proof.sh prepare|verify KERNEL}
file=$top/build/$kernel/ivshmem.img

case $what in
prepare)
	"$prog" --host-fill "$file"
	# And a 1 GiB BAR for the huge strategy's PMD and PUD entries
	# (selftests/huge_test.c), after the others so that the tests that
	# take the first ivshmem device keep the proof's.
	echo "-d ivshmem=$file -d edu -d ivshmem=$top/build/$kernel/ivshmem-huge.img,size=1G"
	;;
verify)
	echo "@@PROGRAM bar_proof_host"
	status=0
	"$prog" --host-check "$file" || status=$?
	echo "@@PROGRAM-EXIT bar_proof_host $status"
	exit "$status"
	;;
*)
	echo "bar-proof.sh: prepare or verify" >&2
	exit 2
	;;
esac
