#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The mmapdemo CLI's tour and ipc commands, end to end, printing TAP: every
# verdict, the sentences the tour must (and must no longer) print, the tour
# with the module's fault_around=16, and JSON.  The disk experiments must
# be as expected where /var/tmp is ext4 on a block device (the lab's disk,
# vm.sh -D); they may be skipped, with a reason, only where the kernel has
# no ext4 and the lab has no modules to give it one.  Runs as root with the
# module loaded (run_tests.sh loads it in the lab VM), and runs the
# unprivileged checks as user nobody through busybox su.
experiments="shared_write prot_read private_write two_processes lazy_vs_eager populate map_sync map_hugetlb fork munmap_partial mremap dontneed rmmod disk_fault disk_dirty disk_msync disk_private"
disk_experiments="disk_fault disk_dirty disk_msync disk_private"
nr_experiments=17
fault_around=/sys/module/mmapdemo/parameters/fault_around

if [ "$(id -u)" != 0 ] || [ ! -e /dev/mmapdemo ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP needs root and /dev/mmapdemo (load the module)"
	exit 4
fi
if ! command -v mmapdemo >/dev/null; then
	echo "TAP version 13"
	echo "1..0 # SKIP the mmapdemo CLI is not on PATH"
	exit 4
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
# result NAME STATUS: one TAP line; on failure show the output of the step.
result() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - $1"
	else
		failed=$((failed + 1))
		echo "not ok $n - $1"
		[ -s "$tmp/out" ] && sed 's/^/# /' "$tmp/out" | tail -n 40
		[ -s "$tmp/err" ] && sed 's/^/# stderr: /' "$tmp/err" | tail -n 10
	fi
}

# run COMMAND...: run, keeping stdout, stderr and the exit status.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# verdict_of NAME FILE: the verdict line that ends the experiment NAME.
verdict_of() {
	awk -v name="$1" '
		$0 ~ "^[a-z]\\. " name ":" { inside = 1; next }
		inside && /^  verdict: / { print; exit }
	' "$2"
}

# Must the disk experiments run here?  Yes where /var/tmp is ext4 (on a
# block device: statfs cannot say otherwise for ext4).  In the lab with a
# disk (lab.disk on the kernel's command line, vm.sh -D) also yes wherever
# the kernel has ext4 or the initramfs brings modules for it: a skip is
# right there only without either, as on the debug kernel without ext4.
disk=no
if [ "$(stat -f -c %T /var/tmp 2>/dev/null)" = ext2/ext3 ]; then
	disk=yes
elif grep -qw lab.disk /proc/cmdline &&
	{ grep -qw ext4 /proc/filesystems || [ -s /lib/disk-modules/order ]; }; then
	disk=yes
fi
nr_skip=0
[ "$disk" = yes ] || nr_skip=4
nr_expected=$((nr_experiments - nr_skip))

echo "TAP version 13"
echo "1..$((2 * nr_experiments + 24))"

run mmapdemo tour
cp "$tmp/out" "$tmp/tour.txt"
result "tour exits 0 (status $rc)" "$([ "$rc" = 0 ] && echo 0 || echo 1)"
for e in $experiments; do
	v=$(verdict_of "$e" "$tmp/tour.txt")
	want=expected
	case " $disk_experiments " in *" $e "*) [ "$disk" = yes ] || want=skip ;; esac
	case $want:$v in
	"expected:  verdict: as expected: "*) st=0 ;;
	"skip:  verdict: skipped: "?*) st=0 ;;
	*) st=1 ;;
	esac
	echo "# $e: ${v#  }"
	[ "$st" = 0 ] || cp "$tmp/tour.txt" "$tmp/out"
	# A skip is a TAP skip only when it is one: "not ok ... # SKIP" would
	# hide a disk experiment that ran where it should have been skipped.
	if [ "$want" = skip ] && [ "$st" = 0 ]; then
		result "tour: $e is skipped # SKIP no ext4 in this kernel, and no modules for it in the lab" "$st"
	else
		result "tour: $e is $([ "$want" = skip ] && echo skipped || echo as expected)" "$st"
	fi
done
for e in $experiments; do
	st=0
	awk -v name="$e" '
		$0 ~ "^[a-z]\\. " name ":" { inside = 1; next }
		inside && /^  What it shows: [^ ].*\.$/ { shows = 1 }
		inside && /^  verdict: .* \[kernel: [a-z_]+\(\).*\]$/ { verdict = 1; exit }
		inside && /^  verdict: skipped: [^ ]/ { verdict = 1; exit }
		END { exit !(shows && verdict) }
	' "$tmp/tour.txt" || st=1
	result "tour: $e says what it shows and names the kernel function" "$st"
done
if [ "$nr_skip" = 0 ]; then
	summary="  $nr_experiments experiments, $nr_experiments as expected"
else
	summary="  $nr_experiments experiments, $nr_expected as expected, $nr_skip skipped"
fi
grep -qx "$summary" "$tmp/tour.txt"
result "tour: summary '${summary#  }'" $?
# The tour names the module's front end: mmap_prepare on 7.x, mmap before.
case $(uname -r) in
[7-9].* | [1-9][0-9].*) fe=mmap_prepare ;;
*) fe=mmap ;;
esac
grep -qx "The module maps through its f_op->$fe (the front end for this kernel)." "$tmp/tour.txt"
result "tour: names the front end $fe on $(uname -r)" $?
# The temporary file is gone again.
ls /tmp/mmapdemo-tour-* >/dev/null 2>&1
result "tour: the temporary file was unlinked" "$([ $? != 0 ] && echo 0 || echo 1)"

# Statements that were wrong once, and their corrections.
st=0
for wrong in "The device has no" "the page is mapped; the access is not allowed" \
	"cannot be copied on write" "no struct page"; do
	if grep -qF "$wrong" "$tmp/tour.txt"; then
		echo "# the tour still says '$wrong'"
		st=1
	fi
done
for right in "SEGV_ACCERR (a VMA covers the address; its permissions forbid the access)" \
	"->map_pages (fault_map_pages()) exists but maps nothing" \
	"works only if one call maps the whole VMA from one contiguous PFN" \
	"reading the hole         SEGV_MAPERR (no VMA covers the address)" \
	"the parent read the child's message on all three"; do
	if ! grep -qF -- "$right" "$tmp/tour.txt"; then
		echo "# the tour does not say '$right'"
		st=1
	fi
done
result "tour: no wrong statement, each correction there" "$st"
# The file system the tour names is the one /tmp is on.
fs=$(stat -f -c %T /tmp 2>/dev/null)
st=0
case $fs in
tmpfs) grep -qx "file system              tmpfs" "$tmp/tour.txt" &&
	grep -qF "The file is on tmpfs: shmem" "$tmp/tour.txt" || st=1 ;;
*) echo "# /tmp is on '$fs'"; st=1 ;;
esac
result "tour: names the file system of its file ($fs)" "$st"

# The disk experiments say where their file is: ext4 on the disk's device.
st=0
if [ "$disk" = yes ]; then
	dev=$(awk '$2 == "/var/tmp" { print $1 }' /proc/mounts)
	grep -q "^  The file is on ext4 mounted on /var/tmp from $dev (block device [0-9]*:[0-9]*,\$" "$tmp/tour.txt" || st=1
	[ "$(grep -c "^  The file is on ext4 mounted on /var/tmp from $dev " "$tmp/tour.txt")" = 4 ] || st=1
	[ ! -d /sys/block/vda ] || grep -q '^  driver virtio_blk): its pages are read from and written to that disk\.$' "$tmp/tour.txt" || st=1
	# What each one measured, beyond its verdict.
	grep -q '^  major faults on the read  *1$' "$tmp/tour.txt" || st=1
	grep -q '^  page dirty (kpageflags)  *yes$' "$tmp/tour.txt" || st=1
	grep -q '^  page dirty after msync  *no$' "$tmp/tour.txt" || st=1
	grep -q '^  then read(2) sees new  *yes$' "$tmp/tour.txt" || st=1
	grep -q '^  then read(2) sees old  *yes$' "$tmp/tour.txt" || st=1
	result "tour: the disk experiments' file is on ext4 on $dev, and they measured it" "$st"
else
	echo "ok $((n + 1)) - tour: the disk experiments' file # SKIP no ext4 here"
	n=$((n + 1))
fi
# The comparison table, its msync row measured: EINVAL on the device (no
# ->fsync), ok on shmem and ext4.
if [ "$disk" = yes ]; then ext4='ok  *ok'; else ext4='?  *?'; fi
st=0
grep -q "^  msync(MS_SYNC)  *EINVAL  *$ext4  *ok  *ok\$" "$tmp/tour.txt" || st=1
grep -q '^  others see it  *any opener  *any opener  *nobody  *any opener  *fork children$' "$tmp/tour.txt" || st=1
result "tour: the table of the device beside the file and shared memory, msync measured" "$st"

# With fault_around=16 the fault strategy takes one ->fault per window.
old_fa=$(cat "$fault_around")
echo 16 >"$fault_around"
for e in lazy_vs_eager populate fork dontneed; do
	run mmapdemo tour --only $e
	st=$rc
	grep -qx '  1 experiments, 1 as expected' "$tmp/out" || st=1
	case $e in
	lazy_vs_eager) grep -qE '^  verdict: as expected: fault took [45] ->fault calls for 64 pages \(fault_around=16\)' "$tmp/out" || st=1 ;;
	fork) grep -qF 'fault: PTEs copied (VM_MIXEDMAP: fault_around is on)' "$tmp/out" || st=1 ;;
	esac
	result "tour --only $e with fault_around=16 (status $rc)" "$st"
done
echo "$old_fa" >"$fault_around"

run mmapdemo --json tour
st=$rc
[ "$(head -c 1 "$tmp/out")" = "{" ] || st=1
[ "$(tail -n 1 "$tmp/out")" = "}" ] || st=1
for e in $experiments; do
	grep -q "^  \"$e\": {" "$tmp/out" || st=1
done
[ "$(grep -c '"as_expected": true' "$tmp/out")" = "$nr_expected" ] || st=1
grep -q '"as_expected": false' "$tmp/out" && st=1
[ "$(grep -c '^    "kernel": "' "$tmp/out")" = "$nr_expected" ] || st=1
[ "$(grep -c '^    "skipped": true' "$tmp/out")" = "$nr_skip" ] || st=1
[ "$(grep -c '^    "shows": "' "$tmp/out")" = "$nr_experiments" ] || st=1
grep -q 'verdict: ' "$tmp/out" && st=1	# prose stays out of JSON
grep -q "\"front_end\": \"$fe\"" "$tmp/out" || st=1
result "tour --json: one object with every experiment, its sentence and kernel function, all as expected" "$st"

run mmapdemo tour --only prot_read
st=$rc
grep -q '^b\. prot_read:' "$tmp/out" || st=1
grep -q '^a\. shared_write:' "$tmp/out" && st=1
grep -q 'SEGV_ACCERR' "$tmp/out" || st=1
grep -qx '  1 experiments, 1 as expected' "$tmp/out" || st=1
result "tour --only prot_read runs that experiment alone" "$st"

run mmapdemo tour --only no_such_thing
result "tour --only with an unknown name is a usage error (status $rc)" \
	"$([ "$rc" = 2 ] && grep -q 'no such experiment' "$tmp/err" && echo 0 || echo 1)"

run mmapdemo ipc --count 10
st=$rc
i=1
while [ $i -le 10 ]; do
	grep -q "^  message $i from pid [0-9]*: hello $i\$" "$tmp/out" || st=1
	i=$((i + 1))
done
grep -qx '10 of 10 messages arrived in order' "$tmp/out" || st=1
result "ipc --count 10: all 10 messages in order (status $rc)" "$st"

for s in fault remap insert; do
	run mmapdemo ipc --strategy $s --count 100
	st=$rc
	grep -q "^strategy  *$s\$" "$tmp/out" || st=1
	grep -qx '100 of 100 messages arrived in order' "$tmp/out" || st=1
	result "ipc --strategy $s --count 100 (status $rc)" "$st"
done

run mmapdemo ipc --memory anonymous --count 100
st=$rc
grep -q '^memory  *anonymous$' "$tmp/out" || st=1
grep -q "^  message 100 from pid [0-9]*: hello 100\$" "$tmp/out" || st=1
grep -qx '100 of 100 messages arrived in order' "$tmp/out" || st=1
result "ipc --memory anonymous --count 100: shared anonymous memory across fork (status $rc)" "$st"

run mmapdemo ipc --memory somewhere
result "ipc --memory with an unknown kind is a usage error (status $rc)" \
	"$([ "$rc" = 2 ] && echo 0 || echo 1)"

run mmapdemo --json ipc --count 3
st=$rc
[ "$(head -c 1 "$tmp/out")" = "{" ] || st=1
[ "$(tail -n 1 "$tmp/out")" = "}" ] || st=1
[ "$(grep -c '"ok": true' "$tmp/out")" = 3 ] || st=1
grep -q '"in_order": true' "$tmp/out" || st=1
result "ipc --json: three messages, in order" "$st"

# Unprivileged: the node is 0600, so both fail with status 4 and a hint.
for c in tour ipc; do
	run su nobody -s /bin/sh -c "mmapdemo $c"
	st=0
	[ "$rc" = 4 ] || st=1
	grep -q '^hint: ' "$tmp/err" || st=1
	result "$c as nobody fails with status 4 and a hint (status $rc)" "$st"
done

[ "$failed" = 0 ]
