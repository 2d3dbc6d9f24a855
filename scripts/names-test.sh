#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# No statement names a function the kernel in question does not have
# (scripts/names-check.py says how a statement's kernels are found).
#
# The CLI's output: one VM of KERNEL, with the tour's devices and disk,
# runs every command of the CLI that prints prose, and the whole tour;
# the guest then looks up each name() the output names in the kernel's
# available_filter_functions and /proc/kallsyms (which hold the module's
# functions as built for that kernel) and prints those it found.  On the
# host, the output is checked against those and against the functions of
# the kernel's source (.cache/src/SERIES/functions, which
# "scripts/fetch-kernels.sh --source SERIES" makes), for static and inline
# functions.  And the output of each path make paths recorded names only
# functions that path's recorded trace on this kernel ran, or that the
# recording marks untraceable (names-check.py --paths).  The documents
# are checked host-side for every kernel.
#
# Usage: scripts/names-test.sh KERNEL        TAP; logs in build/KERNEL/names/
#        scripts/names-test.sh [--docs]      TAP, the documents alone, and
#                                            what the recorded paths must
#                                            show (paths.py check); a host
#                                            test of scripts/check.sh

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
lists=.cache/src
# Every document: the guides, the translations and the README (not the
# pages make paths generates from its recordings).
docs=$(echo Documentation/*.rst Documentation/translations/*/*.rst README.md)

# The matrix's series, each with its stock kernel (SERIES:KERNEL).
series="6.1:6.1 6.12:6.12 7.3:7"

# The function lists of the series, as names-check.py wants them.
listdir=build/names/lists
mkdir -p "$listdir"
for sk in $series; do
	s=${sk%%:*}
	scripts/fetch-kernels.sh --source "$s" >/dev/null
	ln -sf "$top/$lists/$s/functions" "$listdir/$s.functions"
done

if [ "${1:---docs}" = --docs ]; then
	# No fixed function chain in the CLI's strings: what it says a path
	# runs is traced.  Its own TAP stream, before the docs'.
	chains=0
	python3 scripts/chain-strings.py user/cli/*.c user/cli/*.h || chains=1
	st=0
	# The module's functions as built for each series (make modules),
	# where it was: the stock kernel of that series.
	modules=()
	for sk in $series; do
		ko=build/${sk#*:}/kmod/mmapdemo.ko
		[ ! -f "$ko" ] || modules+=(--module "${sk%%:*}=$ko")
	done
	# shellcheck disable=SC2086 # the list of documents
	python3 scripts/names-check.py --lists "$listdir" --doc ${modules[@]+"${modules[@]}"} $docs || st=1
	# path.rst's hand-written chains against the recorded paths.
	n=$(($(echo $docs | wc -w) + 1))
	if ls Documentation/paths/*.json >/dev/null 2>&1; then
		python3 scripts/paths.py check-doc Documentation/paths \
			Documentation/path.rst | sed "s/^ok 1 /ok $n /; s/^not ok 1 /not ok $n /"
		[ "${PIPESTATUS[0]}" = 0 ] || st=1
		# What the recordings must show: the revocation's chain and
		# SIGBUS, each munmap's ->close and zap, the DMA buffers (make
		# paths runs the same check).
		python3 scripts/paths.py check --first $((n + 1)) Documentation/paths || st=1
	else
		echo "ok $n path.rst's chains against the recorded paths # SKIP no Documentation/paths/*.json: make paths"
	fi
	[ "$chains" = 0 ] || exit 1
	exit $st
fi

kernel=$1
# shellcheck source=/dev/null
. ".cache/kernels/$kernel/kernel.env"
series=$(echo "$KRELEASE" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
out=build/$kernel/names
rm -rf "$out"
mkdir -p "$out"

# shellcheck disable=SC2016 # the guest's variables
guest='insmod "$LAB_MODULE" || exit 1
o=/tmp/names.out
{
mmapdemo info; mmapdemo stats
# The prose of each command, not its traced calls (cli_calls_test.sh checks
# those, and a traced run costs about 25 s under TCG).
# "@@CASE NAME" marks the runs of a case make paths recorded (scripts/paths.sh).
for s in fault remap insert; do
	echo "@@CASE ram-$s"
	mmapdemo path --calls none --strategy $s --write
	if [ $s = remap ]; then echo "@@CASE -"; else echo "@@CASE ram-$s-private"; fi
	mmapdemo path --calls none --strategy $s --private --write
	echo "@@CASE -"
	mmapdemo map --calls none --strategy $s --private --write x --read 1
done
# 4 MiB of the RAM device: two runs, unless they happen to be adjacent.
mmapdemo map --calls none --strategy remap --length 4M
# The ivshmem BAR, not the BAR device of the registers of an edu.
bar=$(ivshmem-bars | head -n 1)
bar=${bar:+/dev/mmapdemo-$bar}
[ -z "$bar" ] || for s in fault remap huge; do
	len=4096
	[ $s = huge ] && len=2M
	echo "@@CASE bar-$s"
	mmapdemo --device "$bar" path --calls none --strategy $s --length $len --write
	echo "@@CASE -"
	mmapdemo --device "$bar" map --calls none --strategy $s --private
done
# A DMA device: the addresses of a byte, and why they are (not) equal.
dma=$(ls -d /dev/mmapdemo-dma-* 2>/dev/null | head -n 1)
[ -z "$dma" ] || mmapdemo --device "$dma" path --offset 0x1234
mmapdemo path --legend
mmapdemo ipc --memory anonymous
mmapdemo tour --calls none
# The stages map runs after the accesses, and trace and edu.
mmapdemo map --calls none --strategy fault --length 8K --write x --fork --dontneed --split --mremap
mmapdemo trace -- mmapdemo map --calls none --strategy insert --write x
mmapdemo edu --factorial 5
# The revocation, last but the module commands: it unbinds the BAR.
[ -z "$bar" ] || mmapdemo --device "$bar" path --calls none --strategy fault --revoke
mmapdemo unload
mmapdemo load "$LAB_MODULE"
} >$o 2>&1
echo @@OUTPUT; cat $o; echo @@END
echo @@RUNNING
t=/sys/kernel/tracing/available_filter_functions
[ -r $t ] || t=/sys/kernel/debug/tracing/available_filter_functions
grep -oE "[A-Za-z_][A-Za-z0-9_]*\(\)" $o | sed "s/()//" | sort -u >/tmp/names
{ cut -d" " -f1 $t 2>/dev/null; cut -d" " -f3 /proc/kallsyms; } | sed "s/\.[a-z0-9.]*$//" |
	sort -u | grep -Fx -f /tmp/names
echo @@END'
st=0
scripts/vm.sh -n names -t 1500 -D 64M -d "ivshmem=$top/build/$kernel/ivshmem-names.img,size=128M" \
	-d edu "$kernel" "$guest" >"$out/vm.log" 2>&1 || st=$?
sed -n '/^@@OUTPUT$/,/^@@END$/p' "$out/vm.log" | sed '1d;$d' >"$out/output"
sed -n '/^@@RUNNING$/,/^@@END$/p' "$out/vm.log" | sed '1d;$d' >"$out/running"
# The module's own functions as built for this kernel, from the module the
# guest loaded: a kernel without kallsyms or the function tracer (the
# debug kernels are allnoconfig based) lists none of them.
nm --defined-only "build/$kernel/modules/mmapdemo.ko" 2>/dev/null |
	awk '$2 ~ /^[tT]$/ { print $3 }' >>"$out/running"
if [ "$st" != 0 ] || [ ! -s "$out/output" ]; then
	echo "1..1"
	echo "not ok 1 $kernel: the names VM ran (status $st, see $out/vm.log)"
	exit 1
fi
st=0
python3 scripts/names-check.py --lists "$listdir" \
	--running "$series" "$out/running" "$out/output" || st=1
# Every function a path's output names is one its recorded trace on this
# kernel ran, or one the recording marks untraceable, with the reason.
rec=Documentation/paths/$kernel.json
if [ ! -e "$rec" ]; then
	echo "ok 2 $kernel: the paths name what their trace ran # SKIP make paths recorded no $rec"
elif ! grep -q "\"release\": \"$KRELEASE\"" "$rec"; then
	echo "ok 2 $kernel: the paths name what their trace ran # SKIP $rec is of another release than $KRELEASE: make paths KERNELS=$kernel"
elif ! grep -q '"function_graph": true' "$rec"; then
	echo "ok 2 $kernel: the paths name what their trace ran # SKIP $kernel has no function_graph tracer: nothing was traced"
else
	python3 scripts/names-check.py --lists "$listdir" \
		--running "$series" "$out/running" --paths "$rec" "$out/output" |
		sed 's/^ok 1 /ok 2 /; s/^not ok 1 /not ok 2 /'
	[ "${PIPESTATUS[0]}" = 0 ] || st=1
fi
exit $st
exit
}
