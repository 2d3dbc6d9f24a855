#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make paths: record, in a VM of each KERNEL, the calls the kernel makes on
# every path of a device mapping, as "mmapdemo --json" prints them (the
# function_graph tracer, this task only), into Documentation/paths/:
#
#   RAM (/dev/mmapdemo)   path --strategy fault|remap|insert --write
#   a BAR (ivshmem)       path --strategy fault|remap|huge --write
#                         (huge with --length 2M; a strategy the kernel
#                         refuses on a BAR is recorded as the refusal)
#   MAP_PRIVATE           path --strategy insert --private --write (copy on
#                         write of a present entry), and fault --private
#                         --write (do_cow_fault)
#   populate, fork, MADV_DONTNEED, mremap, a partial munmap
#                         map --populate, --fork, --dontneed, --mremap,
#                         --split
#   a DMA device (edu)    path --write on its coherent buffer (offset 0) and
#                         on its page array (MMAPDEMO_DMA_PAGES_OFFSET); a
#                         kernel where the module bound no DMA device is
#                         recorded with the reason
#   revocation            path --strategy fault --revoke --write on the BAR:
#                         the unbind traced from write() down to ->remove
#                         and the zap, and the touch after it (SIGBUS); the
#                         last case, and path binds the device again
#   munmap                the last stage of each
#
# Each case's output also goes through the tool once more with --calls
# none, and the guest says, for every function that output names
# (name()), the entry code above the traces, and every word of the
# documents that could be a function (path.rst's chains), whether it is in
# available_filter_functions and in /proc/kallsyms.  Then
# scripts/paths.py writes Documentation/paths/KERNEL.json (the spines of
# the trees, each stage's functions, those facts and the source's) and the
# rst pages htmldocs renders, and "paths.py check" checks what the
# recordings must show (the revocation's chain, the DMA buffers).  A kernel
# without the function_graph tracer would be recorded as such, with no
# path.
#
# Usage: scripts/paths.sh KERNEL...     logs in build/KERNEL/paths/

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# shellcheck disable=SC2016 # the guest's variables
guest='insmod "$LAB_MODULE" || exit 1
# The ivshmem BAR, not the BAR device of edu'"'"'s registers.
bar=$(ivshmem-bars | head -n 1)
bar=${bar:+/dev/mmapdemo-$bar}
dma=$(ls -d /dev/mmapdemo-dma-* 2>/dev/null | head -n 1)
echo "@@RELEASE $(uname -r)"
echo "@@VERSION $(cat /proc/version)"
t=/sys/kernel/tracing
[ -r $t/available_tracers ] || t=/sys/kernel/debug/tracing
echo "@@TRACERS $(cat $t/available_tracers 2>/dev/null)"
echo "@@FRONT_END $(cat /sys/class/misc/mmapdemo/front_end)"
[ -z "$bar" ] || echo "@@BAR_FEATURES $(mmapdemo --device "$bar" info | sed -n "s/^ *features  *//p")"
: >/tmp/said
rec() {
	name=$1
	shift
	echo "@@CASE $name mmapdemo $*"
	mmapdemo "$@" --calls none >/tmp/text 2>&1
	grep -oE "[A-Za-z_][A-Za-z0-9_]*\(\)" /tmp/text | sed "s/()//" >>/tmp/said
	mmapdemo --json "$@" >/tmp/out 2>/tmp/err
	echo "@@STATUS $?"
	echo "@@JSON"
	cat /tmp/out
	echo "@@STDERR"
	cat /tmp/err
	echo "@@END"
}
for s in fault remap insert; do
	rec ram-$s path --strategy $s --write
done
rec ram-insert-private path --strategy insert --private --write
rec ram-fault-private path --strategy fault --private --write
rec ram-populate map --strategy fault --populate
rec ram-fork map --strategy insert --fork
rec ram-dontneed map --strategy insert --dontneed
rec ram-mremap map --strategy fault --write x --mremap
rec ram-split map --strategy fault --length 8192 --write x --split
if [ -n "$bar" ]; then
	for s in fault remap; do
		rec bar-$s --device "$bar" path --strategy $s --write
	done
	rec bar-huge --device "$bar" path --strategy huge --length 2M --write
fi
# The DMA device: its two buffers, from offset 0 and from
# MMAPDEMO_DMA_PAGES_OFFSET (1 MiB, include/uapi/linux/mmapdemo.h).
if [ -n "$dma" ]; then
	rec dma-coherent --device "$dma" path --write
	rec dma-pages --device "$dma" path --offset 0x100000 --write
else
	for c in dma-coherent dma-pages; do
		echo "@@CASE $c mmapdemo --device /dev/mmapdemo-dma-PCI path --write"
		echo "@@STATUS 1"
		echo "@@STDERR"
		echo "no DMA device: the VM has QEMU'"'"'s edu (PCI 1234:11e8), but mmapdemo made no /dev/mmapdemo-dma-*; its kernel log:"
		dmesg | grep -iE "mmapdemo|edu" | tail -n 5
		echo "@@END"
	done
fi
# The revocation last: it unbinds the BAR device (and path binds it again).
[ -z "$bar" ] || rec bar-revoke --device "$bar" path --strategy fault --revoke --write
# Which of the functions named are traceable, and which are in kallsyms.
cat /tmp/docnames >>/tmp/said 2>/dev/null
sort -u /tmp/said >/tmp/names
echo "@@FILTER"
cut -d" " -f1 $t/available_filter_functions 2>/dev/null | sed "s/\.[a-z0-9.]*$//" |
	sort -u | grep -Fx -f /tmp/names
echo "@@KALLSYMS"
cut -d" " -f3 /proc/kallsyms | sed "s/\.[a-z0-9.]*$//" | sort -u | grep -Fx -f /tmp/names
echo "@@NAMES"
cat /tmp/names
echo "@@END"'

# The words of the documents that could name a function, and the entry
# code above the traces of each architecture (paths.py's ENTRY), for the
# guest.
docnames=$( (cat Documentation/path.rst Documentation/primer.rst \
	Documentation/tour.rst Documentation/cli.rst Documentation/semantics.rst \
	Documentation/device-memory.rst Documentation/huge.rst \
	Documentation/performance.rst |
	grep -oE '[A-Za-z_][A-Za-z0-9_]*_[A-Za-z0-9_]*'
	python3 scripts/paths.py entry) | sort -u)
guest="cat >/tmp/docnames <<'DOCNAMES'
$docnames
DOCNAMES
$guest"

for kernel in "$@"; do
	# shellcheck source=/dev/null
	. ".cache/kernels/$kernel/kernel.env"
	series=$(echo "$KRELEASE" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
	scripts/fetch-kernels.sh --source "$series" >/dev/null
	out=build/$kernel/paths
	rm -rf "$out"
	mkdir -p "$out"
	echo "paths: recording $kernel ($KRELEASE) in a VM"
	st=0
	scripts/vm.sh -n paths -t 1500 \
		-d "ivshmem=$top/build/$kernel/ivshmem-paths.img,size=128M" -d edu \
		"$kernel" "$guest" >"$out/vm.log" 2>&1 || st=$?
	if [ "$st" != 0 ]; then
		echo "paths: $kernel: the VM failed (status $st): $out/vm.log" >&2
		exit 1
	fi
	python3 scripts/paths.py record --kernel "$kernel" \
		--functions ".cache/src/$series/functions" --series "$series" \
		--command "make paths KERNELS=$kernel" \
		"$out/vm.log" Documentation/paths/"$kernel".json
done
python3 scripts/paths.py rst Documentation/paths
# What the recordings must show; a recording that does not is kept, to be
# read, and make paths fails.
python3 scripts/paths.py check Documentation/paths
exit
}
