#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The mmapdemo CLI's tour and ipc commands, end to end, printing TAP.  Runs
# as root with the module loaded (run_tests.sh loads it in the lab VM), and
# runs the unprivileged checks as user nobody through busybox su.
experiments="shared_write prot_read private_write two_processes lazy_vs_eager populate map_sync map_hugetlb"
nr_experiments=8

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
		$0 ~ "^[a-h]\\. " name ":" { inside = 1; next }
		inside && /^  verdict: / { print; exit }
	' "$2"
}

echo "TAP version 13"
echo "1..$((nr_experiments + 13))"

run mmapdemo tour
cp "$tmp/out" "$tmp/tour.txt"
result "tour exits 0 (status $rc)" "$([ "$rc" = 0 ] && echo 0 || echo 1)"
for e in $experiments; do
	v=$(verdict_of "$e" "$tmp/tour.txt")
	case $v in
	"  verdict: as expected: "*) st=0 ;;
	*) st=1 ;;
	esac
	echo "# $e: ${v#  }"
	[ "$st" = 0 ] || cp "$tmp/tour.txt" "$tmp/out"
	result "tour: $e is as expected" "$st"
done
grep -qx "  $nr_experiments experiments, $nr_experiments as expected" "$tmp/tour.txt"
result "tour: summary '$nr_experiments experiments, $nr_experiments as expected'" $?
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

run mmapdemo --json tour
st=$rc
[ "$(head -c 1 "$tmp/out")" = "{" ] || st=1
[ "$(tail -n 1 "$tmp/out")" = "}" ] || st=1
for e in $experiments; do
	grep -q "^  \"$e\": {" "$tmp/out" || st=1
done
[ "$(grep -c '"as_expected": true' "$tmp/out")" = "$nr_experiments" ] || st=1
grep -q '"as_expected": false' "$tmp/out" && st=1
grep -q 'verdict: ' "$tmp/out" && st=1	# prose stays out of JSON
grep -q "\"front_end\": \"$fe\"" "$tmp/out" || st=1
result "tour --json: one object with every experiment, all as expected" "$st"

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
