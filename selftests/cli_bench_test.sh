#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "mmapdemo bench --quick" works: it exits 0, measures every subject, and
# the device's counters it reports are what the strategies promise (the
# fault strategy takes one fault per page touched; remap and insert map
# every page at mmap time).  Timings are not judged here: they are
# "make bench"'s business.  Prints TAP; needs the module loaded and root.
n=0 fail=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fail=$((fail + 1))
	fi
}

# field SUBJECT COLUMN: a column of each of SUBJECT's CSV rows, one a line.
field() {
	awk -F, -v s="$1" -v c="$2" '$3 == s { print $c }' "$dir/r.csv"
}

# counts_are SUBJECT METRIC WHAT: the median of METRIC is WHAT ("pages" or
# a number) at every size.
counts_are() {
	awk -F, -v s="$1" -v m="$2" -v w="$3" '
		$3 == s && $4 == m {
			rows++
			want = w == "pages" ? $2 : w
			if ($7 + 0 != want + 0) { bad++; print "# " s " " m " at " $1 ": " $7 ", want " want }
		}
		END { exit !(rows == 3 && !bad) }' "$dir/r.csv"
}

echo "TAP version 13"
echo "1..17"
if [ ! -e /dev/mmapdemo ] || [ "$(id -u)" != 0 ]; then
	echo "ok 1 # SKIP needs the module loaded and root"
	exit 4
fi

mmapdemo bench --quick --quiet --csv "$dir/r.csv" --out "$dir/out" >"$dir/text"
ok $? "bench --quick exits 0"
grep -q '^targets' "$dir/text"
ok $? "the text report judges the targets"
for s in fault fault+populate remap insert anon memfd io; do
	[ "$(field "$s" 1 | wc -l)" -gt 0 ]
	ok $? "subject $s measured"
done
counts_are fault dev_faults_read pages && counts_are fault dev_faults_write pages &&
	counts_are fault dev_mkwrites_write pages
ok $? "fault: one fault per page read, one fault and one page_mkwrite per page written"
counts_are fault+populate dev_faults_read 0
ok $? "fault+populate: no fault on the first touch"
# The module maps no fault-around window (no fault_around parameter), so
# the bench has no such subject.
[ ! -e /sys/module/mmapdemo/parameters/fault_around ] &&
	[ "$(field fault+around 1 | wc -l)" -eq 0 ]
ok $? "fault+around: not measured, the module has no fault_around"
counts_are remap dev_eager_pages pages && counts_are insert dev_eager_pages pages &&
	counts_are remap dev_faults_read 0 && counts_are insert dev_faults_write 0
ok $? "remap, insert: every page mapped at mmap time, no fault on touch"
for f in results.csv results.json table.txt ns_per_page_read.dat ns_per_page_write.dat ns_per_page.gp; do
	[ -s "$dir/out/$f" ] || { echo "# $f missing"; false; } || break
done
ok $? "--out writes the CSV, JSON, table and gnuplot input"
mmapdemo bench --reps 0 >/dev/null 2>&1
[ $? = 2 ]
ok $? "a bad option is a usage error (exit 2)"
mmapdemo bench --dma /dev/mmapdemo --quick >/dev/null 2>&1
[ $? = 2 ]
ok $? "--dma with a device that is not a DMA device is a usage error (exit 2)"
# The DMA row, where there is a DMA device (the edu VM): four figures,
# the read() ones with a ratio to the mapped ones, and the transfers'
# totals at least half of edu's 100 ms (the guest's clock measured
# 99.3 ms at least in one run).
dma=$(ls /dev/mmapdemo-dma-* 2>/dev/null | head -n 1)
if [ -z "$dma" ]; then
	n=$((n + 1))
	echo "ok $n # SKIP no DMA device (an edu: scripts/vm.sh -d edu)"
else
	mmapdemo bench --sizes 64K --reps 1 --quiet --dma "$dma" \
		--csv "$dir/d.csv" >"$dir/dtext" &&
		awk -F, '$3 == "dma" {
			rows++
			if ($7 + 0 <= 0) bad++
			if ($4 ~ /xfer/ && $7 + 0 < 5e7) bad++
			if ($4 ~ /copy/ && ($11 + 0 <= 0 || $12 !~ /mapped/)) bad++
		} END { exit !(rows == 4 && !bad) }' "$dir/d.csv" &&
		grep -q "The DMA device" "$dir/dtext"
	ok $? "--dma: the DMA row, four figures, read() against the mapping"
fi
[ "$fail" = 0 ]
