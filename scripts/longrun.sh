#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The long runs, each in one VM of one kernel with the devices its tests
# need, then the kernel-log gate over that VM's logs:
#
#   longrun.sh stress KERNEL SECONDS [SEED]
#	stress_test for SECONDS per backing: on /dev/mmapdemo, then on an
#	ivshmem BAR that a revoker removes and rescans, unbinds and binds,
#	then on the DMA device of an edu, which the revoker takes away the
#	same way.
#   longrun.sh fuzz KERNEL ITERATIONS [SEED]
#	fuzz_test with MMAPDEMO_FUZZ_ITERATIONS calls, on the RAM device, on
#	the ivshmem BAR and on edu's DMA device (the fixture's three
#	variants, and fuzz_dma's transfers, ITERATIONS / 500 of them); prints
#	the calls per second of each.
#   longrun.sh soak KERNEL SECONDS [SEED]
#	stress_test (SECONDS in all, half on RAM, half on the BAR with
#	revocation) and, side by side, the sequence fuzzer seqfuzz_test run
#	again and again until the stress ends, each on devices of its own:
#	two ivshmem BARs, the stress on the first and seqfuzz on the second
#	(MMAPDEMO_BAR_BDF), and seqfuzz's RAM variant only beside the BAR
#	stress.  Run R of seqfuzz takes the seed SEED + R, the stress SEED
#	(random unless given).  A test that fails or skips fails the soak.
#   longrun.sh repeat KERNEL RUNS [SEED]
#	the selftests named in TESTS (default: the race and stress tests)
#	RUNS times in a row in one VM, with the two ivshmem BARs that
#	make check attaches and an edu (the DMA stress); prints each run's
#	result.  Run R gives
#	MMAPDEMO_STRESS_SEED and MMAPDEMO_SEQFUZZ_SEED the seed SEED + R
#	(SEED: random unless given), and a failure prints it with the
#	test's output: the seeded tests replay with it.  CASES, if set,
#	names the only test cases to run (MMAPDEMO_TESTS, mmapdemo_util.h).
#
# Logs in build/KERNEL/vm/NAME/ (stress, fuzz, soak).  Ends with "NAME:
# passed" or "NAME: FAILED" and a non-zero status on a failure: a failed
# test, a VM that did not finish, or a kernel log that is not clean.
# TIMEOUT (seconds) overrides the VM's own limit.

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
what=${1:?usage: longrun.sh stress|fuzz|soak|repeat KERNEL N [SEED]}
kernel=${2:?usage: longrun.sh stress|fuzz|soak|repeat KERNEL N [SEED]}
n=${3:?usage: longrun.sh stress|fuzz|soak|repeat KERNEL N [SEED]}
seed=${4:-}
cd "$top" || exit 2

# The BAR the stress and the fuzzer take: the first ivshmem-plain device,
# 16 MiB of a sparse file (they use its first MiB).
bar="-d ivshmem=$top/build/$kernel/ivshmem-$what.img,size=16M"
case $what in
stress)
	# RAM, the BAR, and edu's DMA device (stress_dma_with_revocation).
	timeout=$((3 * n + 900))
	bar="$bar -d edu"
	cmd="insmod \$LAB_MODULE && MMAPDEMO_STRESS_SECONDS=$n ${seed:+MMAPDEMO_STRESS_SEED=$seed} stress_test"
	;;
fuzz)
	# The harness's limits grow with the calls (fuzz_test.c); the VM's
	# allows 30 calls a second in all, beyond a quarter of an hour.  An
	# edu for the DMA device's variant and fuzz_dma, whose valid
	# transfers are bounded by count (one per 500 calls).
	timeout=$((900 + n * 3 / 100))
	bar="$bar -d edu"
	cmd="insmod \$LAB_MODULE && MMAPDEMO_FUZZ_ITERATIONS=$n ${seed:+MMAPDEMO_FUZZ_SEED=$seed} fuzz_test"
	;;
soak)
	timeout=$((n + 900))
	half=$(((n + 1) / 2))
	# Each test its own devices: the stress the first BAR, seqfuzz the
	# second (MMAPDEMO_BAR_BDF), and seqfuzz's RAM variant only in the
	# half where the stress is on the BAR.
	bar="$bar -d ivshmem=$top/build/$kernel/ivshmem-$what-2.img,size=16M"
	seed=${seed:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	cmd=$(
		cat <<EOF
insmod \$LAB_MODULE || exit 1
command -v seqfuzz_test >/dev/null || { echo "# soak: FAILED: no seqfuzz_test in this build"; exit 1; }
set -- \$(ivshmem-bars)
if [ \$# -lt 2 ]; then
	echo "# soak: FAILED: two ivshmem BARs bound to mmapdemo wanted, found: \$*"
	exit 1
fi
sbar=\$1 fbar=\$2
echo "# soak: seed $seed; the stress on the BAR \$sbar, seqfuzz on \$fbar (run R: seed $seed + R)"
# A program's log: it passed, and ran a test and skipped none.
clean() {
	grep -q '^# Totals: pass:[1-9][0-9]* fail:0 .* skip:0 error:0' \$1
}
failed=0 runs=0
# \$1: the stress's test, \$2: seqfuzz's variants, beside it.
soak_half() {
	{
		MMAPDEMO_TESTS=\$1 MMAPDEMO_BAR_BDF=\$sbar MMAPDEMO_STRESS_SECONDS=$half \\
			MMAPDEMO_STRESS_SEED=$seed stress_test
		echo \$? >/tmp/stress.st
	} 2>&1 | tee /tmp/stress.log &
	stress=\$!
	n=0
	while kill -0 \$stress 2>/dev/null; do
		runs=\$((runs + 1)) n=\$((n + 1))
		MMAPDEMO_TESTS="\$2" MMAPDEMO_BAR_BDF=\$fbar MMAPDEMO_SEQFUZZ_SEED=\$(($seed + runs)) \\
			seqfuzz_test >/tmp/seqfuzz.log 2>&1
		st=\$?
		sed 's/^/seqfuzz: /' /tmp/seqfuzz.log
		if [ \$st != 0 ] || ! clean /tmp/seqfuzz.log; then
			echo "# soak: seqfuzz run \$runs (\$2, seed \$(($seed + runs))) FAILED or skipped (status \$st)"
			failed=1
			break
		fi
	done
	wait \$stress
	if [ "\$(cat /tmp/stress.st)" != 0 ] || ! clean /tmp/stress.log; then
		echo "# soak: stress_test \$1 FAILED or skipped (status \$(cat /tmp/stress.st), seed $seed)"
		failed=1
	fi
	[ \$n -gt 0 ] || { echo "# soak: seqfuzz never ran beside \$1"; failed=1; }
	echo "# soak: \$1 with \$n seqfuzz runs (\$2) beside it"
}
soak_half stress_random_operations seqfuzz.bar
[ \$failed != 0 ] || soak_half stress_bar_with_revocation "seqfuzz.ram seqfuzz.bar"
echo "# soak: \$runs seqfuzz runs in all, \$([ \$failed = 0 ] && echo passed || echo FAILED)"
exit \$failed
EOF
	)
	;;
repeat)
	tests=${TESTS:-revoke_test stress_test bar_test lifecycle_test seqfuzz_test}
	seed=${seed:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	# The bound of one round, which vm.sh counts again from each round's
	# progress line and scales by the guest's slowdown: a round of the five
	# default tests takes 2 to 3 minutes on a stock kernel under TCG, and
	# revoke_test alone 7 to 12 minutes on a debug kernel on a busy host.
	# A bound on the sum of N rounds timed out a run whose host got busier
	# after the boot measured the slowdown.
	timeout=1500
	bar="$bar -d ivshmem=$top/build/$kernel/ivshmem-$what-huge.img,size=1G -d edu"
	only=
	[ -z "${CASES:-}" ] || only="export MMAPDEMO_TESTS=\"$CASES\""
	cmd=$(
		cat <<EOF
insmod \$LAB_MODULE || exit 1
$only
failed=0
for run in \$(seq 1 $n); do
	seed=\$(($seed + run))
	for t in $tests; do
		start=\$(date +%s)
		MMAPDEMO_STRESS_SEED=\$seed MMAPDEMO_SEQFUZZ_SEED=\$seed \$t >/tmp/repeat.log 2>&1
		st=\$?
		took=\$((\$(date +%s) - start))
		if [ \$st = 0 ]; then
			echo "# repeat: run \$run \$t: ok (\${took}s; \$(grep -h '^# Totals' /tmp/repeat.log))"
		else
			failed=\$((failed + 1))
			sed 's/^/# | /' /tmp/repeat.log
			echo "# repeat: run \$run \$t: FAILED (status \$st, seed \$seed, \${took}s)"
		fi
		# A test that reloads the module may leave it unloaded.
		[ -e /sys/module/mmapdemo ] || insmod \$LAB_MODULE
	done
	echo "@@LAB-PROGRESS run \$run"
done
echo "# repeat: $n runs of $tests: \$failed failed (run R's seed: $seed + R)"
[ \$failed = 0 ]
EOF
	)
	;;
*)
	echo "longrun.sh: stress, fuzz, soak or repeat" >&2
	exit 2
	;;
esac
timeout=${TIMEOUT:-$timeout}

log=build/$kernel/vm/$what
st=0
# shellcheck disable=SC2086 # $bar is two words
scripts/vm.sh -n "$what" -t "$timeout" $bar "$kernel" "$cmd" || st=$?
if scripts/klog-gate.sh "$log"; then
	echo "$what: kernel log clean"
else
	echo "$what: kernel-log gate FAILED (see $log/)"
	st=1
fi
if [ "$st" = 0 ]; then
	echo "$what: passed ($(cat "$log/time"))"
else
	echo "$what: FAILED ($st; $(cat "$log/time" 2>/dev/null))"
	exit 1
fi
exit
}
