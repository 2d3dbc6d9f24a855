#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the selftests on each kernel of the matrix, gate each kernel's log,
# prove the gate itself, and print one summary per kernel and the closing
# line "N passed, N failed".
#
# Usage: scripts/check.sh KERNEL...
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
total_pass=0 total_fail=0 total_skip=0
summaries=() skips=() failures=()

# tap_count FILE: print "pass fail skip", and the names of failed and skipped
# tests to fd 3 as "FAIL name" / "SKIP name: reason".
tap_count() {
	awk '
	/^@@PROGRAM / { prog = $2; pfail = 0; presults = 0; next }
	/^@@PROGRAM-EXIT / {
		rc = $3
		if (rc != 0 && rc != 4 && pfail == 0) {
			fail++; print "FAIL " $2 " exited with status " rc > "/dev/fd/3"
		} else if (rc == 4 && presults == 0) {
			skip++; print "SKIP " $2 ": skipped as a whole" > "/dev/fd/3"
		}
		next
	}
	/^ok [0-9]+ .*# [Ss][Kk][Ii][Pp]/ {
		skip++; presults++
		sub(/^ok [0-9]+ /, ""); print "SKIP " $0 > "/dev/fd/3"; next
	}
	/^ok [0-9]+ / { pass++; presults++; next }
	/^not ok [0-9]+ / {
		fail++; pfail++; presults++
		sub(/^not ok [0-9]+ /, ""); print "FAIL " prog ": " $0 > "/dev/fd/3"; next
	}
	END { printf "%d %d %d\n", pass, fail, skip }
	' "$1"
}

# record KERNEL WHAT STATUS: one pass or failure outside TAP.
record() {
	if [ "$3" = 0 ]; then
		k_pass=$((k_pass + 1))
	else
		k_fail=$((k_fail + 1))
		failures+=("$1: $2")
	fi
}

# step NAME COMMAND...: run a step and say how long it took.
step() {
	local name=$1 start=$(date +%s) st=0
	shift
	"$@" || st=$?
	echo "=== $name: $(($(date +%s) - start))s"
	return $st
}

step deps make -s deps || { echo "0 passed, 1 failed"; exit 1; }
step build make -s initramfs KERNELS="$*" || { echo "0 passed, 1 failed"; exit 1; }
# Host tests first: the library and CLI's unit tests and the install test
# need no kernel, and a failure there is cheaper to see before any VM boots.
host_pass=0 host_fail=0 host_skip=0
for prog in build/user/tests/unit_test scripts/install-test.sh; do
	name=$(basename "$prog")
	{
		echo "@@PROGRAM $name"
		"$prog"
		echo "@@PROGRAM-EXIT $name $?"
	} >"build/host-$name.tap" 2>&1
	read -r p f s < <(tap_count "build/host-$name.tap" 3>"build/host-$name.notes")
	host_pass=$((host_pass + p)) host_fail=$((host_fail + f)) host_skip=$((host_skip + s))
	while IFS= read -r line; do
		case $line in
		FAIL*) failures+=("host: ${line#FAIL }") ;;
		SKIP*) skips+=("host: ${line#SKIP }") ;;
		esac
	done <"build/host-$name.notes"
done
echo "=== host tests: $host_pass passed, $host_fail failed"
summaries+=("host: $host_pass passed, $host_fail failed, $host_skip skipped")
total_pass=$((total_pass + host_pass))
total_fail=$((total_fail + host_fail))
total_skip=$((total_skip + host_skip))

lint_out=$(step lint scripts/lint.sh "$@")
echo "$lint_out" | grep -v '^    ok'
read -r lint_pass lint_fail < <(echo "$lint_out" |
	sed -n 's/^lint: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
total_pass=$((total_pass + ${lint_pass:-0}))
total_fail=$((total_fail + ${lint_fail:-1}))
summaries+=("lint: ${lint_pass:-0} passed, ${lint_fail:-1} failed")
[ "${lint_fail:-1}" = 0 ] || failures+=("lint (make lint)")

for k in "$@"; do
	k_pass=0 k_fail=0 k_skip=0
	# shellcheck source=/dev/null
	. "$top/.cache/kernels/$k/kernel.env"
	echo "=== kernel $k ($KRELEASE, Debian $KVERSION)"

	start=$(date +%s)
	# The BAR devices, with the host's side of the proof around the VM.
	read -ra bar_opts < <(scripts/bar-proof.sh prepare "$k")
	scripts/vm.sh -n tests -t 1500 "${bar_opts[@]}" "$k" run_tests.sh >"build/$k/tests.tap"
	vm_status=$?
	scripts/bar-proof.sh verify "$k" >>"build/$k/tests.tap"
	log=build/$k/vm/tests
	echo "    tests VM: $(($(date +%s) - start))s, $(cat "$log/time" 2>/dev/null), exit $vm_status"
	read -r p f s < <(tap_count "build/$k/tests.tap" 3>"build/$k/tests.notes")
	k_pass=$((k_pass + p)) k_fail=$((k_fail + f)) k_skip=$((k_skip + s))
	while IFS= read -r line; do
		case $line in
		FAIL*) failures+=("$k: ${line#FAIL }") ;;
		SKIP*) skips+=("$k: ${line#SKIP }") ;;
		esac
	done <"build/$k/tests.notes"
	if [ "$vm_status" -ge 124 ]; then
		record "$k" "the test VM did not finish (status $vm_status, see $log/console.log)" 1
	fi

	# The kernel-log gate over everything the guest's kernel said.
	if gate=$(scripts/klog-gate.sh "$log/console.log" "$log/dmesg.log"); then
		record "$k" "kernel log clean" 0
	else
		echo "    kernel-log gate: FAILED:"
		echo "$gate" | sed 's/^/      /'
		record "$k" "kernel log has warnings (see $log/dmesg.log)" 1
	fi

	# The gate's own test: a module that WARNs on load must turn it red.
	start=$(date +%s)
	scripts/vm.sh -n gate-test -t 300 "$k" \
		'insmod /lib/mmapdemo/gate_warn.ko; true' >/dev/null
	if scripts/klog-gate.sh build/"$k"/vm/gate-test/console.log \
		build/"$k"/vm/gate-test/dmesg.log >/dev/null; then
		record "$k" "gate self-test: a WARN on load went unnoticed" 1
	else
		record "$k" "gate self-test" 0
	fi
	echo "    gate-test VM: $(($(date +%s) - start))s"

	summaries+=("$k: $k_pass passed, $k_fail failed, $k_skip skipped")
	total_pass=$((total_pass + k_pass))
	total_fail=$((total_fail + k_fail))
	total_skip=$((total_skip + k_skip))
done

echo
echo "=== summary"
for s in "${summaries[@]}"; do echo "$s"; done
if [ ${#skips[@]} -gt 0 ]; then
	echo "skipped:"
	printf '  %s\n' "${skips[@]}"
fi
if [ ${#failures[@]} -gt 0 ]; then
	echo "failed:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
