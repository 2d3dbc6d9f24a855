#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The PCI devices of scripts/check.sh.  The host's side of the BAR proof
# (selftests/bar_proof_test.c): before the test VM boots, write the host's
# pattern into the file that backs the guest's ivshmem-plain BAR; after it
# exits, check the patterns the guest wrote through its mappings, as TAP.
# And the edu device's tests, in a VM of their own: enabling edu (its
# interrupt pin's ACPI routing) takes the emulated guest about 10 s at each
# module load, which the tests that reload the module must not pay.  The
# edu VM also runs the tour's device experiments (cli_tour_test.sh
# device): device_not_ram needs edu, and huge, without a BAR of 64 MiB
# there, must say why it is skipped.  And the CLI's bench test, whose
# DMA row (mmapdemo bench --dma) needs the edu's DMA device.
#
# Usage: scripts/bar-proof.sh prepare KERNEL   prints the vm.sh options
#        scripts/bar-proof.sh verify KERNEL    prints TAP, exits 1 on failure
#        scripts/bar-proof.sh edu KERNEL       edu_test, dma_test, the fuzzer's
#                                              and the stress's DMA parts and the tour's device
#                                              experiments and the bench's DMA
#                                              row in a VM with edu, TAP;
#                                              logs in build/KERNEL/vm/edu/
#        scripts/bar-proof.sh iommu KERNEL     dma_test, the fuzzer's and the
#                                              stress's DMA parts (64-bit) and
#                                              the tour's device experiments in
#                                              a q35 VM with edu behind QEMU's
#                                              intel-iommu (vm.sh -d iommu),
#                                              TAP; logs in build/KERNEL/vm/iommu/
#        scripts/bar-proof.sh iommu-expect     the report the IOMMU VM's kernel
#                                              log must hold, for klog-gate.sh
#                                              --expect: dma_test's stray DMA
#                                              (STRAY_IOVA), refused by the IOMMU

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
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
	# (selftests/huge_test.c), after the first so that the tests that
	# take the first ivshmem device keep the proof's.
	echo "-d ivshmem=$file -d ivshmem=$top/build/$kernel/ivshmem-huge.img,size=1G"
	;;
edu)
	status=0
	# The fuzzer's DMA parts, short (MMAPDEMO_TESTS: the dma variant and
	# fuzz_dma's transfers), as fuzz_dma and fuzz_dma32, and the DMA
	# device's stress with its revoker for 20 s, as stress_dma; the CLI's
	# bench test, whose DMA row needs the edu, as cli_bench_dma.
	"$top/scripts/vm.sh" -n edu -t 600 -d edu "$kernel" \
		'insmod "$LAB_MODULE"; for t in edu_test dma_test dma_test32 fuzz_dma fuzz_dma32 stress_dma cli_tour_test.sh cli_bench_dma; do echo "@@PROGRAM $t"; case $t in cli_tour_test.sh) $t device ;; cli_bench_dma) cli_bench_test.sh ;; fuzz_dma*) MMAPDEMO_TESTS="fuzz.dma fuzz_dma.transfers_move_only_their_range" MMAPDEMO_FUZZ_ITERATIONS=2000 MMAPDEMO_FUZZ_DMA_XFERS=40 fuzz_test${t#fuzz_dma} ;; stress_dma) MMAPDEMO_TESTS=stress_dma_with_revocation MMAPDEMO_STRESS_SECONDS=20 stress_test ;; *) $t ;; esac; echo "@@PROGRAM-EXIT $t $?"; done' ||
		status=$?
	if [ "$status" -ge 124 ]; then
		echo "@@PROGRAM edu_vm"
		echo "not ok 1 the edu VM did not finish (status $status)"
		echo "@@PROGRAM-EXIT edu_vm 1"
	fi
	exit "$status"
	;;
iommu)
	status=0
	"$top/scripts/vm.sh" -n iommu -t 600 -d iommu -d edu "$kernel" \
		'insmod "$LAB_MODULE"; for t in dma_test fuzz_dma stress_dma cli_tour_test; do echo "@@PROGRAM ${t}_iommu"; case $t in cli_tour_test) cli_tour_test.sh device ;; fuzz_dma) MMAPDEMO_TESTS="fuzz.dma fuzz_dma.transfers_move_only_their_range" MMAPDEMO_FUZZ_ITERATIONS=2000 MMAPDEMO_FUZZ_DMA_XFERS=40 fuzz_test ;; stress_dma) MMAPDEMO_TESTS=stress_dma_with_revocation MMAPDEMO_STRESS_SECONDS=20 stress_test ;; *) $t ;; esac; echo "@@PROGRAM-EXIT ${t}_iommu $?"; done' ||
		status=$?
	if [ "$status" -ge 124 ]; then
		echo "@@PROGRAM iommu_vm"
		echo "not ok 1 the IOMMU VM did not finish (status $status)"
		echo "@@PROGRAM-EXIT iommu_vm 1"
	fi
	exit "$status"
	;;
iommu-expect)
	# stray_dma_faults_in_the_iommu reads from STRAY_IOVA (0x100000),
	# which the DMA API never mapped for edu: intel-iommu's fault report.
	echo 'DMAR: \[DMA Read NO_PASID\] Request device \[[0-9a-f:.]+\] fault addr 0x100000 '
	;;
verify)
	echo "@@PROGRAM bar_proof_host"
	status=0
	"$prog" --host-check "$file" || status=$?
	echo "@@PROGRAM-EXIT bar_proof_host $status"
	exit "$status"
	;;
*)
	echo "bar-proof.sh: prepare, verify, edu, iommu or iommu-expect" >&2
	exit 2
	;;
esac
exit
}
