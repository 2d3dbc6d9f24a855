#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The long runs, each in one VM of one kernel with the devices its tests
# need, then the kernel-log gate over that VM's logs:
#
#   longrun.sh stress KERNEL SECONDS [SEED]
#	stress_test for SECONDS per backing: on /dev/mmapdemo, then on an
#	ivshmem BAR that a revoker removes and rescans, unbinds and binds.
#   longrun.sh fuzz KERNEL ITERATIONS [SEED]
#	fuzz_test with MMAPDEMO_FUZZ_ITERATIONS calls, on the RAM device and
#	on the ivshmem BAR (the fixture's two variants); prints the calls per
#	second of each.
#   longrun.sh soak KERNEL SECONDS [SEED]
#	stress_test (SECONDS in all, half on RAM, half on the BAR with
#	revocation) and, side by side, the sequence fuzzer seqfuzz_test run
#	again and again until the stress ends, if the build has it.
#   longrun.sh repeat KERNEL RUNS [SEED]
#	the selftests named in TESTS (default: the race and stress tests)
#	RUNS times in a row in one VM, with the two ivshmem BARs that
#	make check attaches; prints each run's result.  Run R gives
#	MMAPDEMO_STRESS_SEED and MMAPDEMO_SEQFUZZ_SEED the seed SEED + R
#	(SEED: random unless given), and a failure prints it with the
#	test's output: the seeded tests replay with it.  CASES, if set,
#	names the only test cases to run (MMAPDEMO_TESTS, mmapdemo_util.h).
#
# Logs in build/KERNEL/vm/NAME/ (stress, fuzz, soak).  Ends with "NAME:
# passed" or "NAME: FAILED" and a non-zero status on a failure: a failed
# test, a VM that did not finish, or a kernel log that is not clean.
# TIMEOUT (seconds) overrides the VM's own limit.
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
	timeout=$((2 * n + 900))
	cmd="insmod \$LAB_MODULE && MMAPDEMO_STRESS_SECONDS=$n ${seed:+MMAPDEMO_STRESS_SEED=$seed} stress_test"
	;;
fuzz)
	# The harness's limits grow with the calls (fuzz_test.c); the VM's
	# allows 30 calls a second in all, beyond a quarter of an hour.
	timeout=$((900 + n * 3 / 100))
	cmd="insmod \$LAB_MODULE && MMAPDEMO_FUZZ_ITERATIONS=$n ${seed:+MMAPDEMO_FUZZ_SEED=$seed} fuzz_test"
	;;
soak)
	timeout=$((n + 900))
	half=$(((n + 1) / 2))
	cmd=$(
		cat <<EOF
insmod \$LAB_MODULE || exit 1
MMAPDEMO_STRESS_SECONDS=$half ${seed:+MMAPDEMO_STRESS_SEED=$seed} stress_test &
stress=\$!
fuzz=0 runs=0
if command -v seqfuzz_test >/dev/null; then
	while kill -0 \$stress 2>/dev/null; do
		seqfuzz_test >/tmp/seqfuzz.log 2>&1
		fst=\$?
		sed 's/^/seqfuzz: /' /tmp/seqfuzz.log
		runs=\$((runs + 1))
		if [ \$fst != 0 ]; then
			fuzz=\$fst
			break
		fi
	done
	echo "# soak: seqfuzz_test ran \$runs times beside the stress, last status \$fuzz"
else
	echo "# soak: no seqfuzz_test in this build: the stress ran alone"
fi
wait \$stress
st=\$?
[ \$st != 0 ] || st=\$fuzz
exit \$st
EOF
	)
	;;
repeat)
	tests=${TESTS:-revoke_test stress_test bar_test lifecycle_test seqfuzz_test}
	seed=${seed:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
	# A run of the five default tests takes 2 to 3 minutes on a stock
	# kernel under TCG; vm.sh scales this by the guest's slowdown.
	timeout=$((n * 300 + 600))
	bar="$bar -d ivshmem=$top/build/$kernel/ivshmem-$what-huge.img,size=1G"
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
