#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build an out-of-tree module for one kernel of the matrix, in a per-kernel
# output directory, with W=1; any compiler warning fails the build.
#
# Usage: scripts/build-module.sh KERNEL SOURCE_DIR MODULE.ko [KBUILD_ARGS...]
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
if ! make -C "$KDIR" M="$out" W=1 "$@" modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "build-module: $src for $kernel failed" >&2
	exit 1
fi
if grep -E 'warning:|error:' "$log" >&2; then
	echo "build-module: $src for $kernel has warnings (W=1)" >&2
	exit 1
fi
cp "$out/$ko" "$top/build/$kernel/modules/"
echo "  MODULE  $kernel/$ko"
