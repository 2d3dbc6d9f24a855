#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": run "mmapdemo bench" in a VM on each kernel of the matrix
# and bring its results back to build/bench/KERNEL/: results.csv,
# results.json, table.txt, the gnuplot input and ns_per_page.png (plotted
# on the host).  The bench VM's kernel log goes through the same gate as
# the tests'.
#
# Usage: scripts/bench.sh KERNEL...
# Environment: BENCH_SIZE (largest buffer, default 256M; the module is
# loaded with size=BENCH_SIZE), BENCH_MEM (guest memory, default 2G: the
# module refuses more than half of it), BENCH_ARGS (more options for
# "mmapdemo bench", e.g. "--reps 7").  The VM has a 1 GiB ivshmem BAR
# (build/KERNEL/ivshmem-bench.img, sparse), measured as the bar-fault,
# bar-remap and bar-huge subjects, and an edu, whose DMA device is the
# DMA row (--dma).  The BAR is the ivshmem device's (the guest's
# ivshmem-bars), never the edu's registers, which mmapdemo also binds.
# The run's identity (date, commit, QEMU, host, load before and after,
# seconds per VM) goes to build/bench/run.txt, from which
# scripts/bench-doc.py regenerates Documentation/performance.rst's tables.

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
size=${BENCH_SIZE:-256M}
mem=${BENCH_MEM:-2G}
args=${BENCH_ARGS:-}
files="results.csv results.json table.txt ns_per_page_read.dat ns_per_page_write.dat ns_per_page.gp"
status=0
all_start=$(date +%s)
run=build/bench/run.txt
mkdir -p build/bench
dirty=$(git status --porcelain --untracked-files=no 2>/dev/null | head -n 1)
{
	echo "command: make bench KERNELS=\"$*\"${BENCH_SIZE:+ BENCH_SIZE=$size}${BENCH_MEM:+ BENCH_MEM=$mem}${BENCH_ARGS:+ BENCH_ARGS=\"$args\"}"
	echo "kernels: $*"
	echo "date: $(date -u +%Y-%m-%d)"
	echo "start: $(date -u +%H:%M) UTC"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)${dirty:+ with local changes}"
	echo "qemu: $(qemu-system-x86_64 --version | sed -n '1s/^QEMU emulator version //p')"
	echo "tcg: ${VM_TCG_THREAD:-multi}"
	echo "memory: $mem"
	echo "host: $(nproc) CPUs, $(sed -n '/^model name/{s/^[^:]*: //p;q}' /proc/cpuinfo)"
	echo "load before: $(cut -d ' ' -f 1-3 /proc/loadavg)"
	for k in "$@"; do
		v=$(sed -n 's/^KVERSION=//p' ".cache/kernels/$k/kernel.env" 2>/dev/null)
		case $k in
		*-debug) v=${v:+built here from Debian linux-source $v} ;;
		*) v=${v:+Debian $v} ;;
		esac
		[ -z "$v" ] || echo "package $k: $v"
	done
} >"$run"

for k in "$@"; do
	out=build/bench/$k
	rm -rf "$out"
	mkdir -p "$out"
	start=$(date +%s)
	echo "=== bench on $k (module size=$size, guest memory $mem)"
	# The files travel back on the output channel between marker lines.
	vm_status=0
	# Multi-threaded TCG, as in the run Documentation/performance.rst shows.
	VM_TCG_THREAD=${VM_TCG_THREAD:-multi} \
		scripts/vm.sh -n bench -m "$mem" -t 1800 \
		-d "ivshmem=$top/build/$k/ivshmem-bench.img,size=1G" -d edu "$k" "
insmod \$LAB_MODULE size=$size || exit 1
bar=\$(ivshmem-bars | head -n 1)
[ -n \"\$bar\" ] || exit 1
bar=/dev/mmapdemo-\$bar
dma=\$(ls /dev/mmapdemo-dma-* 2>/dev/null | head -n 1)
mmapdemo bench --sizes $size --bar \$bar \${dma:+--dma \$dma} $args --out /tmp/bench >/dev/null || exit 1
for f in $files; do
	echo \"@@BENCH-FILE \$f\"
	cat \"/tmp/bench/\$f\"
	echo @@BENCH-END
done" | tee "$out/vm-output.log" |
		awk '/^@@BENCH-FILE /{ f = 1 } !f { print; fflush() } /^@@BENCH-END$/{ f = 0 }'
	vm_status=${PIPESTATUS[0]}
	awk -v dir="$out" '
		/^@@BENCH-FILE / { file = dir "/" $2; printf "" > file; next }
		/^@@BENCH-END$/ { close(file); file = ""; next }
		file != "" { print >> file }
	' "$out/vm-output.log"
	log=build/$k/vm/bench
	cp "$log/console.log" "$log/dmesg.log" "$out/" 2>/dev/null || true
	echo "seconds $k: $(($(date +%s) - start))" >>"$run"
	if [ "$vm_status" != 0 ] || [ ! -s "$out/results.csv" ]; then
		echo "bench: $k: the bench VM failed (status $vm_status, see $out/vm-output.log)" >&2
		status=1
		continue
	fi
	if ! gate=$(scripts/klog-gate.sh "$log"); then
		echo "bench: $k: kernel-log gate FAILED:" >&2
		echo "$gate" | sed 's/^/    /' >&2
		status=1
	fi
	if (cd "$out" && gnuplot ns_per_page.gp); then
		plot="$out/ns_per_page.png"
	else
		plot="(gnuplot failed)"
		status=1
	fi
	cat "$out/table.txt"
	echo "bench: $k: $(($(date +%s) - start))s; $out/{results.csv,results.json,table.txt} $plot"
done
{
	echo "end: $(date -u +%H:%M) UTC"
	echo "load after: $(cut -d ' ' -f 1-3 /proc/loadavg)"
	echo "seconds all: $(($(date +%s) - all_start))"
} >>"$run"
echo "bench: all kernels: $(($(date +%s) - all_start))s; $run"
exit $status
exit
}
