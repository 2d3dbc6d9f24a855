#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the selftests on each kernel of the matrix, gate each kernel's log,
# prove the gate and the accelerator's fallback, and print one summary per
# kernel and the closing line "N passed, N failed, N skipped".  A check
# that could not run is a failure or a skip with its reason, never a pass.
#
# Usage: scripts/check.sh KERNEL...

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
total_pass=0 total_fail=0 total_skip=0
summaries=() skips=() failures=()

# tap_count FILE: print "pass fail skip", and the names of failed and skipped
# tests to fd 3 as "FAIL name" / "SKIP name: reason".  The harness the tests
# build against (6.1's) prints a skip as "ok N # SKIP reason", without the
# test's name: that comes from the test's "#  RUN name ..." line before it.
# A failure's own diagnostics go to fd 3 too, as "DETAIL line", at most 4
# after each FAIL and 12 a program: the test's comment lines since the
# previous result (where the harness prints them), else the ones that
# follow it (where the shell tests do).  A CI run's summary is often all
# that is left of it.
tap_count() {
	awk '
	function detail(line) {
		sub(/^# */, "", line)
		if (line != "" && line !~ /^(OK|FAIL|SKIP|RUN) / && ndet < 4 &&
		    pdet < 12) {
			print "DETAIL " line > "/dev/fd/3"; ndet++; pdet++
		}
	}
	function keep(line) { if (nseen < 4) seen[nseen++] = line }
	/^@@PROGRAM / {
		prog = $2; pfail = 0; presults = 0; run = ""; nseen = 0; after = 0; pdet = 0
		next
	}
	/^#  RUN / { run = $3; nseen = 0; after = 0 }
	/^# / && !/^#  RUN / { if (!after) keep($0); else if (post) detail($0) }
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
		skip++; presults++; nseen = 0; after = 0
		sub(/^ok [0-9]+ /, "")
		if ($0 ~ /^# / && run != "") $0 = prog ": " run " " $0
		print "SKIP " $0 > "/dev/fd/3"; next
	}
	/^ok [0-9]+ / { pass++; presults++; nseen = 0; after = 0; next }
	/^not ok [0-9]+ / {
		fail++; pfail++; presults++
		sub(/^not ok [0-9]+ /, ""); print "FAIL " prog ": " $0 > "/dev/fd/3"
		ndet = 0
		for (i = 0; i < nseen; i++) detail(seen[i])
		nseen = 0; after = 1; post = !ndet; next
	}
	END { printf "%d %d %d\n", pass, fail, skip }
	' "$1"
}

# read_notes WHERE NOTES: tap_count's fd-3 lines of one part, added to the
# summary's failures and skips under the part's name.
read_notes() {
	local line
	while IFS= read -r line; do
		case $line in
		FAIL*) failures+=("$1: ${line#FAIL }") ;;
		DETAIL*) failures+=("    ${line#DETAIL }") ;;
		SKIP*) skips+=("$1: ${line#SKIP }") ;;
		esac
	done <"$2"
}

# report_context LINE DMESG TAP: what the summary keeps of a kernel report
# beyond its first line: the program of the tests VM that was running at
# its time (run_tests.sh prints each one's start on the kernel's clock),
# the task it names ("Comm:"), and the first frames of its call trace.
report_context() {
	local t
	t=$(echo "$1" | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p')
	[ -n "$t" ] || return 0
	awk -v t="$t" '
		/^@@PROGRAM / { p = $2 }
		/^# uptime: / { if ($3 + 0 <= t + 0) prog = p }
		END { if (prog != "") print "while " prog " ran (the report at " t " s)" }
	' "$3"
	awk -v t="$t" '
		{ ts = $0; sub(/^\[ */, "", ts); sub(/\].*/, "", ts) }
		ts + 0 < t + 0 { next }
		!comm && / Comm: / { c = $0; sub(/.* PID: /, "PID ", c); sub(/ (Not tainted|Tainted:) .*/, "", c); print c; comm = 1 }
		/Call Trace:/ { inside = 1; next }
		inside && /<\/?TASK>/ { next }
		inside && n < 6 {
			f = $0; sub(/^\[[^]]*\] */, "", f)
			# "? name": a stale word on the stack, not a caller.
			if (f !~ /^\? /) { frames = frames (n ? " < " : "") f; n++ }
		}
		inside && n == 6 { exit }
		END { if (frames != "") print "call trace: " frames }
	' "$2"
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

# gate_verdict WHAT LOG_DIR STATUS OUTPUT: record the kernel-log gate's
# STATUS and OUTPUT (scripts/klog-gate.sh) for the VM of LOG_DIR, its
# results named with the prefix WHAT; false unless the log was clean.
gate_verdict() {
	local what=$1 dir=$2 st=$3 out=$4 first
	case $st in
	0)
		record "$k" "${what}kernel log clean" 0
		return 0
		;;
	1)
		echo "    kernel-log gate${what:+ (${what%: })}: FAILED:"
		echo "$out" | sed 's/^/      /'
		# The first offending line goes into the summary too: a
		# run's tail is sometimes all that is left of it.
		first=$(echo "$out" | sed -n '1{s/^\[ *[0-9.]*\] //;s/^\(.\{160\}\).*/\1 .../;p}')
		record "$k" "${what}kernel log has warnings: $first (see $dir/dmesg.log)" 1
		;;
	*)
		echo "    kernel-log gate${what:+ (${what%: })}: could not judge: ${out#klog-gate: }"
		record "$k" "${what}kernel-log gate: no whole kernel log (see $dir)" 1
		;;
	esac
	return 1
}

# step NAME COMMAND...: run a step and say how long it took.
step() {
	local name=$1 start=$(date +%s) st=0
	shift
	"$@" || st=$?
	echo "=== $name: $(($(date +%s) - start))s"
	return $st
}

# deps once: the build's own targets depend on deps, and -o skips it there.
step deps make -s deps KERNELS="$*" || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
step build make -s -o deps initramfs KERNELS="$*" ||
	{ echo "0 passed, 1 failed, 0 skipped"; exit 1; }
# The newest x86-64 kernel: the accelerator's probe and test are about
# KVM for x86-64 guests; an arm64 kernel (arm64-*) always runs under TCG.
# The gate's own test reads the log of the last kernel of any kind.
newest=$(for k in "$@"; do case $k in arm64-*) ;; *) echo "$k" ;; esac; done | tail -n 1)
last=${*: -1}
# KVM or TCG, and why: the probe boots a real guest once per host and QEMU
# (scripts/accel.sh); afterwards this prints the cached verdict.
show_accel() { [ -z "$newest" ] || scripts/accel.sh -v "$newest" >/dev/null; }
step accel show_accel
# Host tests first: the library and CLI's unit tests, the install test,
# the kernel-log gate's test over sample reports, vm.sh's steps before a
# boot and the translations' staleness check need no kernel, and a
# failure there is cheaper to see before any VM boots.
host_tests() {
host_pass=0 host_fail=0 host_skip=0
for prog in build/user/tests/unit_test scripts/install-test.sh scripts/klog-gate-test.sh \
	scripts/vm-test.sh scripts/fetch-test.sh Documentation/translations/check.sh scripts/names-test.sh; do
	name=$(basename "$prog")
	{
		echo "@@PROGRAM $name"
		"$prog"
		echo "@@PROGRAM-EXIT $name $?"
	} >"build/host-$name.tap" 2>&1
	read -r p f s < <(tap_count "build/host-$name.tap" 3>"build/host-$name.notes")
	host_pass=$((host_pass + p)) host_fail=$((host_fail + f)) host_skip=$((host_skip + s))
	read_notes "host" "build/host-$name.notes"
done
echo "=== host tests: $host_pass passed, $host_fail failed"
summaries+=("host: $host_pass passed, $host_fail failed, $host_skip skipped")
total_pass=$((total_pass + host_pass))
total_fail=$((total_fail + host_fail))
total_skip=$((total_skip + host_skip))
}

lint_job() {
lint_out=$(step lint scripts/lint.sh "$@")
echo "$lint_out" | grep -v '^    ok'
read -r lint_pass lint_fail < <(echo "$lint_out" |
	sed -n 's/^lint: \([0-9]*\) passed, \([0-9]*\) failed.*$/\1 \2/p')
# A gate that could not run says so as "    skip  WHAT: REASON".
lint_skip=0
while IFS= read -r line; do
	lint_skip=$((lint_skip + 1))
	skips+=("lint: $line")
done < <(echo "$lint_out" | sed -n 's/^    skip  //p')
total_pass=$((total_pass + ${lint_pass:-0}))
total_fail=$((total_fail + ${lint_fail:-1}))
total_skip=$((total_skip + lint_skip))
summaries+=("lint: ${lint_pass:-0} passed, ${lint_fail:-1} failed, $lint_skip skipped")
[ "${lint_fail:-1}" = 0 ] || failures+=("lint (make lint)")
}

# The lab's own tests, which need no kernel of the matrix in particular:
# the accelerator's probe and fallback, and the gate's refusal of a log
# that is not whole.  Run on the newest kernel.
l_pass=0 l_fail=0
lab_record() {
	if [ "$2" = 0 ]; then
		l_pass=$((l_pass + 1))
	else
		l_fail=$((l_fail + 1))
		failures+=("lab: $1")
	fi
}
lab_accel_test() {
	local tmp stand_in=$top/scripts/testing st=0 log=build/$newest/vm/accel-test
	tmp=$(mktemp -d)
	# (a) A fresh cache and a QEMU that aborts under KVM: the probe
	# chooses TCG, says so in plain words, and keeps QEMU's error in its
	# cache file.
	VM_ACCEL_CACHE=$tmp PATH=$stand_in:$PATH VM_ACCEL='' \
		scripts/accel.sh "$newest" >"$tmp/probe.out" 2>"$tmp/probe.err"
	if [ "$(cat "$tmp/probe.out")" = tcg ] &&
		grep -q "^accel: KVM is not usable on this machine, so the VMs run under QEMU's emulator (TCG)" "$tmp/probe.err" &&
		! grep -q 'failed to set MSR' "$tmp/probe.err" &&
		grep -qs '^reason: .*failed to set MSR 0x10a' "$tmp"/*; then
		lab_record "accel: the probe chooses TCG when QEMU aborts under KVM" 0
	else
		sed 's/^/      /' "$tmp/probe.out" "$tmp/probe.err"
		lab_record "accel: the probe did not choose TCG when QEMU aborts under KVM" 1
	fi
	# (b) A cache that says KVM, as a probe that passed would, and the
	# same QEMU: the VM says once that QEMU failed under KVM, runs again
	# under TCG, exits 0 and leaves TCG in the cache.
	VM_ACCEL_CACHE=$tmp PATH=$stand_in:$PATH scripts/accel.sh -r kvm "set by check.sh's accelerator test"
	VM_ACCEL_CACHE=$tmp PATH=$stand_in:$PATH VM_ACCEL='' \
		scripts/vm.sh -n accel-test -t 300 "$newest" 'echo "@@ACCEL-TEST ran"' \
		>"$tmp/vm.out" 2>"$tmp/vm.err" || st=$?
	if [ "$st" = 0 ] && grep -qx '@@ACCEL-TEST ran' "$tmp/vm.out" &&
		[ "$(grep -c 'QEMU failed under KVM.*failed to set MSR 0x10a.*running this VM again under TCG' "$tmp/vm.err")" = 1 ] &&
		grep -q '^[^ ]* tcg[^ ]* [0-9]*s, rerun under TCG$' "$log/time" &&
		[ "$(VM_ACCEL_CACHE=$tmp PATH=$stand_in:$PATH VM_ACCEL='' scripts/accel.sh "$newest")" = tcg ]; then
		lab_record "accel: a KVM run that QEMU aborts runs again under TCG" 0
	else
		echo "      vm.sh status $st; its stderr:"
		sed 's/^/      /' "$tmp/vm.err"
		lab_record "accel: a KVM run that QEMU aborts did not run again under TCG (see $log)" 1
	fi
	rm -rf "$tmp"
}

kernel_job() {
	local k=$1 k_pass=0 k_fail=0 k_skip=0 start vm_status log gate gate_st gate_vm p f s
	# shellcheck source=/dev/null
	. "$top/.cache/kernels/$k/kernel.env"
	echo "=== kernel $k ($KRELEASE, Debian $KVERSION)"

	start=$(date +%s)
	# The BAR devices, with the host's side of the proof around the VM.
	read -ra bar_opts < <(scripts/bar-proof.sh prepare "$k")
	scripts/vm.sh -n tests -t 1500 -D 64M "${bar_opts[@]}" "$k" run_tests.sh >"build/$k/tests.tap"
	vm_status=$?
	scripts/bar-proof.sh verify "$k" >>"build/$k/tests.tap"
	scripts/bar-proof.sh edu "$k" >>"build/$k/tests.tap"
	# The DMA device behind QEMU's intel-iommu, on one kernel
	# (MMAPDEMO_IOMMU_KERNEL, default 7): dma_test, the fuzzer's and the
	# stress's DMA parts (a stray DMA faults there: the gate), and the
	# tour's and path's DMA addresses, which differ there (an IOVA).
	local iommu_ran=
	if [ "$k" = "${MMAPDEMO_IOMMU_KERNEL:-7}" ]; then
		scripts/bar-proof.sh iommu "$k" >>"build/$k/tests.tap"
		iommu_ran=build/$k/vm/iommu
	fi
	log=build/$k/vm/tests
	echo "    tests VM: $(($(date +%s) - start))s, $(cat "$log/time" 2>/dev/null), exit $vm_status"
	read -r p f s < <(tap_count "build/$k/tests.tap" 3>"build/$k/tests.notes")
	k_pass=$((k_pass + p)) k_fail=$((k_fail + f)) k_skip=$((k_skip + s))
	read_notes "$k" "build/$k/tests.notes"
	if [ "$vm_status" -ge 124 ]; then
		record "$k" "the test VM did not finish (status $vm_status, see $log/)" 1
	elif [ $((p + f + s)) = 0 ]; then
		record "$k" "the test VM printed no test results (status $vm_status, see $log/output.log)" 1
	fi

	# The kernel-log gate over everything the guest's kernel said, in the
	# tests VM and in the edu VM; only a guest that reported its end
	# leaves a log the gate can pass.
	gate_st=0
	gate=$(scripts/klog-gate.sh "$log" && scripts/klog-gate.sh "build/$k/vm/edu") ||
		gate_st=$?
	# The IOMMU VM's kernel log too, where it ran: clean but for the one
	# DMA fault dma_test provokes there, which it must hold.
	if [ "$gate_st" = 0 ] && [ -n "$iommu_ran" ]; then
		gate=$(scripts/klog-gate.sh --expect \
			"$(scripts/bar-proof.sh iommu-expect "$k")" "$iommu_ran") ||
			gate_st=$?
	fi
	if ! gate_verdict "" "$log" "$gate_st" "$gate" && [ "$gate_st" = 1 ]; then
		while IFS= read -r line; do
			failures+=("    $line")
		done < <(report_context "$(echo "$gate" | head -n 1)" "$log/dmesg.log" "build/$k/tests.tap")
	fi

	# A test that its time limit stopped: a real hang, or a slow machine?
	if grep -q 'terminated by timeout' "build/$k/tests.tap"; then
		if echo "$gate" | grep -q 'reported a hung task'; then
			echo "    a test hit its time limit, and the kernel reported a hung task"
		else
			echo "    a test hit its time limit; the kernel reported no hung task (slowdown $(sed -n 's/^# slowdown \([0-9.]*\) .*/\1/p' "build/$k/tests.tap"))"
		fi
	fi

	# The gate's own test: a module that WARNs on load must turn it red,
	# in a guest that ran to its end (a guest that never booted would
	# turn it red too, and prove nothing).
	start=$(date +%s)
	gate_vm=0
	scripts/vm.sh -n gate-test -t 300 "$k" \
		'insmod /lib/mmapdemo/gate_warn.ko; true' >/dev/null || gate_vm=$?
	gate_st=0
	gate=$(scripts/klog-gate.sh "build/$k/vm/gate-test") || gate_st=$?
	if [ "$gate_vm" != 0 ]; then
		record "$k" "gate self-test: the gate-test VM did not run to its end (status $gate_vm, see build/$k/vm/gate-test)" 1
	elif [ "$gate_st" = 1 ] && echo "$gate" | grep -q 'WARNING:.*gate_warn'; then
		record "$k" "gate self-test" 0
	else
		record "$k" "gate self-test: a WARN on load went unnoticed (gate status $gate_st)" 1
	fi
	echo "    gate-test VM: $(($(date +%s) - start))s, $(cat "build/$k/vm/gate-test/time" 2>/dev/null)"

	# The channel the tests' results come back on, under a burst: 10,000
	# lines (600 KB) printed in the guest arrive whole, and the guest's
	# kernel says nothing of them.  On 6.12-rt an 8250 UART as that
	# channel made "irq 3: nobody cared" (scripts/vm.sh, virtcons).
	start=$(date +%s)
	local chan_vm=0 chan_line=@@CHANNEL-0123456789abcdefghijklmnopqrstuvwxyz-0123456789 chan_n
	scripts/vm.sh -n channel -t 300 "$k" "yes $chan_line | head -n 10000" \
		>"build/$k/channel.out" || chan_vm=$?
	chan_n=$(grep -cx -- "$chan_line" "build/$k/channel.out")
	gate_st=0
	gate=$(scripts/klog-gate.sh "build/$k/vm/channel") || gate_st=$?
	if [ "$chan_vm" != 0 ] || [ "$chan_n" != 10000 ]; then
		record "$k" "output channel: $chan_n of 10000 lines came back (VM status $chan_vm, see build/$k/vm/channel)" 1
	else
		gate_verdict "output channel: 10000 lines whole, " "build/$k/vm/channel" "$gate_st" "$gate" || :
	fi
	echo "    channel VM: $(($(date +%s) - start))s, $(cat "build/$k/vm/channel/time" 2>/dev/null)"

	# No function the CLI names is missing from this kernel
	# (scripts/names-test.sh): one VM runs every command and the tour.
	start=$(date +%s)
	scripts/names-test.sh "$k" >"build/$k/names.tap" 2>&1
	read -r p f s < <(tap_count "build/$k/names.tap" 3>"build/$k/names.notes")
	k_pass=$((k_pass + p)) k_fail=$((k_fail + f)) k_skip=$((k_skip + s))
	[ $((p + f + s)) != 0 ] || record "$k" "the names test printed no result (see build/$k/names.tap)" 1
	read_notes "$k" "build/$k/names.notes"
	grep '^# names-check:' "build/$k/names.tap" | head -n 20 | sed 's/^/      /'
	# Its kernel log passes the gate too: that VM maps, traces, revokes
	# and reloads like the tests VM, through the CLI.
	gate_st=0
	gate=$(scripts/klog-gate.sh "build/$k/vm/names") || gate_st=$?
	gate_verdict "names VM: " "build/$k/vm/names" "$gate_st" "$gate" || :
	echo "    names VM: $(($(date +%s) - start))s, $(cat "build/$k/vm/names/time" 2>/dev/null)"

	summaries+=("$k: $k_pass passed, $k_fail failed, $k_skip skipped")
	total_pass=$((total_pass + k_pass))
	total_fail=$((total_fail + k_fail))
	total_skip=$((total_skip + k_skip))
}

# The gate must refuse a log that is not whole: the console of the newest
# kernel's test VM with a control channel that has no end report, and with
# one whose dmesg is empty.
lab_gate_test() {
	local tmp st
	tmp=$(mktemp -d)
	cp "build/$last/vm/tests/console.log" "$tmp/" 2>/dev/null || : >"$tmp/console.log"
	: >"$tmp/control.log"
	st=0
	scripts/klog-gate.sh "$tmp" >/dev/null || st=$?
	lab_record "kernel-log gate: refuses a log without an end report (status $st, want 2)" \
		"$([ "$st" = 2 ] && echo 0 || echo 1)"
	printf '@@LAB-EXIT 0\n@@LAB-DMESG-BEGIN\n@@LAB-DMESG-END\n' >"$tmp/control.log"
	st=0
	scripts/klog-gate.sh "$tmp" >/dev/null || st=$?
	lab_record "kernel-log gate: refuses a log with an empty dmesg (status $st, want 2)" \
		"$([ "$st" = 2 ] && echo 0 || echo 1)"
	rm -rf "$tmp"
}
# The Debian packages, built and linted, then installed for real in
# throwaway roots with DKMS building the module for the oldest and the
# newest stock kernel, which the lab boots with the packaged CLI.  deps
# ran before the jobs: -o keeps a job from unpacking a kernel again while
# another job's VM boots it.
pkg_kernels=$(for k in "$@"; do case $k in *-rt | *-debug | arm64-*) ;; *) echo "$k" ;; esac; done |
	sed -n '1p;$p' | sort -u)
packages() {
	make -s -o deps deb >build/deb.log 2>&1 || { tail -n 20 build/deb.log; return 1; }
	grep '^deb: lintian' build/deb.log
	scripts/package-test.sh $pkg_kernels >build/package-test.tap 2>&1
}
packages_job() {
	local st=0 p f s
	step packages packages || st=$?
	{
		echo "@@PROGRAM package-test"
		cat build/package-test.tap 2>/dev/null
		echo "@@PROGRAM-EXIT package-test $st"
	} >build/packages.tap
	read -r p f s < <(tap_count build/packages.tap 3>build/packages.notes)
	read_notes "packages" build/packages.notes
	echo "    packages: $p passed, $f failed"
	summaries+=("packages: $p passed, $f failed, $s skipped")
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	total_skip=$((total_skip + s))
}

# The jobs: the host tests, lint, the lab's accelerator test, each
# kernel's VMs and the packages.  They run side by side, as many at a time
# as the host has CPUs (MMAPDEMO_CHECK_JOBS overrides): a TCG guest runs in one
# host thread (vm.sh), so two test VMs on two CPUs take the time of one.
# Each job runs in a subshell with its own counters; what it prints goes
# to build/check/JOB.out and its counts to build/check/JOB.res, and both
# are taken in the order of the summary, whatever order the jobs end in.
jobdir=build/check
rm -rf "$jobdir"
mkdir -p "$jobdir"
max_jobs=${MMAPDEMO_CHECK_JOBS:-$(nproc)}

# job NAME FUNCTION [ARGS...]: run FUNCTION in the background once fewer
# than max_jobs run.
job() {
	local name=$1
	shift
	while [ "$(jobs -rp | wc -l)" -ge "$max_jobs" ]; do
		wait -n
	done
	(
		# The job's functions may use any name but this one.
		readonly check_job_res=$jobdir/$name.res
		total_pass=0 total_fail=0 total_skip=0 l_pass=0 l_fail=0
		summaries=() skips=() failures=()
		"$@"
		{
			echo "count $total_pass $total_fail $total_skip $l_pass $l_fail"
			printf 'summary %s\n' "${summaries[@]}"
			printf 'skip %s\n' "${skips[@]}"
			printf 'fail %s\n' "${failures[@]}"
		} | grep -v '^[a-z]* $' >"$check_job_res"
	) >"$jobdir/$name.out" 2>&1 &
}

# collect NAME...: print each job's output and add its counts.  A job that
# died before writing its counts is a failure.
collect() {
	local name kind rest a b c d e
	for name in "$@"; do
		cat "$jobdir/$name.out"
		if [ ! -s "$jobdir/$name.res" ]; then
			failures+=("$name: the job ended without its results (see $jobdir/$name.out)")
			total_fail=$((total_fail + 1))
			continue
		fi
		while IFS= read -r line; do
			kind=${line%% *} rest=${line#* }
			case $kind in
			count)
				read -r a b c d e <<<"$rest"
				total_pass=$((total_pass + a)) total_fail=$((total_fail + b))
				total_skip=$((total_skip + c))
				l_pass=$((l_pass + d)) l_fail=$((l_fail + e))
				;;
			summary) summaries+=("$rest") ;;
			skip) skips+=("$rest") ;;
			fail) failures+=("$rest") ;;
			esac
		done <"$jobdir/$name.res"
	done
}

# The longest jobs start first: the debug kernels' VMs, then the packages.
# The order of the summary stays: host, lint, the kernels as listed, the
# packages.
order=(host lint accel-test)
for k in "$@"; do order+=("kernel-$k"); done
order+=(packages)
start_all=$(date +%s)
for k in "$@"; do
	case $k in *-debug) job "kernel-$k" kernel_job "$k" ;; esac
done
# The packages are built and installed for x86-64 kernels only.
if [ -n "$pkg_kernels" ]; then
	job packages packages_job
else
	echo "skip packages: no x86-64 stock kernel in KERNELS" >"$jobdir/packages.out"
	printf 'count 0 0 1 0 0\nskip packages: no x86-64 stock kernel in KERNELS to install them for\n' \
		>"$jobdir/packages.res"
fi
for k in "$@"; do
	case $k in *-debug) ;; *) job "kernel-$k" kernel_job "$k" ;; esac
done
job lint lint_job "$@"
job host host_tests
if [ -n "$newest" ]; then
	job accel-test step "accel test VM" lab_accel_test
else
	: >"$jobdir/accel-test.out"
	printf 'count 0 0 1 0 0\nskip lab: the accelerator test needs an x86-64 kernel (KVM); arm64 runs under TCG always\n' \
		>"$jobdir/accel-test.res"
fi
wait
collect "${order[@]}"
echo "=== jobs ($max_jobs at a time): $(($(date +%s) - start_all))s"

# After the jobs: htmldocs rebuilds the initramfs of its kernel, which a
# test VM of that kernel must not see half written, and the gate test
# reads the newest kernel's test log.
lab_gate_test

# The HTML documentation, with the path picture drawn from a real run on
# the newest stock kernel, built by Sphinx with warnings as errors.
docs_kernel=$(for k in "$@"; do case $k in *-rt | *-debug | arm64-*) ;; *) echo "$k" ;; esac; done | tail -n 1)
# Only arm64 kernels: the picture from the newest of them.
[ -n "$docs_kernel" ] || docs_kernel=$last
htmldocs() { make -s htmldocs KERNEL="$docs_kernel" >build/htmldocs.log 2>&1; }
st=0
step htmldocs htmldocs || st=$?
[ "$st" = 0 ] || tail -n 20 build/htmldocs.log | sed 's/^/      /'
lab_record "make htmldocs builds without a warning (see build/htmldocs.log)" "$st"

summaries+=("lab: $l_pass passed, $l_fail failed, 0 skipped")
total_pass=$((total_pass + l_pass))
total_fail=$((total_fail + l_fail))

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
exit
}
