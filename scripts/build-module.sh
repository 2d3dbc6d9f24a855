#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build an out-of-tree module for one kernel of the matrix, in a per-kernel
# output directory, with W=1; any compiler warning fails the build.  The
# build runs with the toolchain that built the kernel: the host's if it has
# that compiler, else in the build root of that Debian release
# (scripts/buildroot.sh).
#
# Usage: scripts/build-module.sh KERNEL SOURCE_DIR MODULE.ko [KBUILD_ARGS...]

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
kernel=$1 src=$2 ko=$3
shift 3
# shellcheck source=/dev/null
. "$top/.cache/kernels/$kernel/kernel.env"

# Kbuild writes its objects next to the sources, so give each kernel its own
# tree of links to them.
out=$top/build/$kernel/$src
mkdir -p "$out" "$top/build/$kernel/modules"
find "$out" -maxdepth 1 -type l -delete
for f in "$top/$src"/*; do
	case $f in *.o | *.ko | *.mod* | */Makefile) continue ;; esac
	[ -e "$f" ] && ln -sfn "$f" "$out/"
done
ln -sfn "$top/include" "$top/build/$kernel/include"

log=$out/build.log
# The log is read for warnings and for sparse's CHECK lines: keep it whole
# even under "make -s", whose flags would reach kbuild through MAKEFLAGS.
unset MAKEFLAGS MFLAGS MAKELEVEL
where=$("$top/scripts/buildroot.sh" where "$kernel")
# Create the build root first, so that its progress is not in the log.
[ "$where" = host ] || "$top/scripts/buildroot.sh" path "${where% root}" >/dev/null
# An arm64 kernel's modules are cross-built.  Where Debian cross-built
# the kernel (6.12, 7) its headers' .kernelvariables set CROSS_COMPILE
# themselves; where it built it natively (6.1) they set it only when told
# that the build is a cross build, so it is given here.
[ "${KARCH:-amd64}" != arm64 ] || set -- CROSS_COMPILE=aarch64-linux-gnu- "$@"
# As many compilers as CPUs: the log is read line by line, in any order.
if ! "$top/scripts/buildroot.sh" kernel "$kernel" \
	make -C "$KDIR" M="$out" W=1 -j"$(nproc)" "$@" modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-module: $src for $kernel failed" >&2
	exit 1
fi
if grep -E 'warning:|error:' "$log" >&2; then
	echo "build-module: $src for $kernel has warnings (W=1)" >&2
	exit 1
fi
cp "$out/$ko" "$top/build/$kernel/modules/"
echo "  MODULE  $kernel/$ko ($where)"
exit
}
