#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The lab's debug kernel, SERIES-debug (6.12-debug): Debian's
# linux-source-SERIES configured as allnoconfig plus
# scripts/kconfig/debug.config (what the lab boots, and KASAN, lockdep,
# DEBUG_VM, PAGE_TABLE_CHECK, kmemleak, UBSAN), built once per machine and
# reused from a machine-wide cache.  Writes .cache/kernels/NAME/kernel.env
# as fetch-kernels.sh does for Debian's kernels, so vm.sh and
# build-module.sh use it like any other kernel of the matrix.
#
# The cache directory is $MMAPDEMO_KERNEL_CACHE, by default
# /var/cache/mmapdemo/debug-kernels (or ~/.cache/mmapdemo/debug-kernels when
# that cannot be written), with one directory per source version and hash
# of the fragment and the compiler: bzImage, config, System.map, kdir/ (the
# tree out-of-tree modules build against), the logs of merge_config.sh and
# of the build, and a stamp written last.  A
# directory without its stamp is a build that did not finish; it is built
# again.
#
# Usage: scripts/build-debug-kernel.sh SERIES-debug
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MMAPDEMO_CACHE:-$top/.cache}
name=${1:?usage: build-debug-kernel.sh SERIES-debug}
series=${name%-debug}
fragment=$top/scripts/kconfig/debug.config
jobs=${MMAPDEMO_JOBS:-2}
# Bump when the layout of a cache directory changes.
layout=1

kcache=${MMAPDEMO_KERNEL_CACHE:-/var/cache/mmapdemo/debug-kernels}
if [ -z "${MMAPDEMO_KERNEL_CACHE:-}" ] && ! mkdir -p "$kcache" 2>/dev/null; then
	kcache=${XDG_CACHE_HOME:-$HOME/.cache}/mmapdemo/debug-kernels
fi
mkdir -p "$kcache"

# The source version: a cached build is reused without unpacking the tree.
"$top/scripts/fetch-kernels.sh" --source "$series" >/dev/null
# shellcheck source=/dev/null
. "$cache/src/$series/source.env"
hash=$({
	echo "layout $layout"
	cat "$fragment"
	gcc --version | head -n 1
} | sha256sum | cut -c 1-12)
dir=$kcache/$SVERSION-$hash

# One build at a time per cache entry, across clones.
exec 9>"$dir.lock"
flock 9

if [ -f "$dir/stamp" ]; then
	echo "kernel $name: $(cat "$dir/release") from linux-source-$series $SVERSION (cached in $dir)"
else
	# The build needs the whole source tree, not only the files the lint
	# takes from it.
	if [ ! -f "$SRCTREE/Kconfig" ]; then
		rm -rf "$cache/src/$series"
		MMAPDEMO_FULL_SOURCE=1 "$top/scripts/fetch-kernels.sh" --source "$series" >/dev/null
		# shellcheck source=/dev/null
		. "$cache/src/$series/source.env"
	fi
	echo "kernel $name: building linux-source-$series $SVERSION with $(basename "$fragment") into $dir"
	rm -rf "$dir" "$dir.tmp" "$dir.build"
	obj=$dir.build/obj
	mkdir -p "$obj" "$dir.tmp"
	log=$dir.build/build.log
	start=$(date +%s)

	# allnoconfig plus the fragment; every line of the fragment must have
	# taken, or a checker would silently be missing.
	(cd "$SRCTREE" && ARCH=x86_64 scripts/kconfig/merge_config.sh -n -O "$obj" \
		"$fragment") >"$dir.build/config.log" 2>&1 || {
		cat "$dir.build/config.log" >&2
		echo "build-debug-kernel: merge_config.sh failed" >&2
		exit 1
	}
	if grep -q '^Value requested' "$dir.build/config.log"; then
		sed -n '/^Value requested/,/^$/p' "$dir.build/config.log" >&2
		echo "build-debug-kernel: $fragment asks for options the kernel did not take" >&2
		exit 1
	fi

	if ! nice make -C "$SRCTREE" O="$obj" ARCH=x86_64 -j"$jobs" \
		bzImage modules_prepare >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		echo "build-debug-kernel: the build failed; log: $log" >&2
		exit 1
	fi
	# Nothing is built as a module, so vmlinux's symbols are all that
	# out-of-tree modules link against.
	cp "$obj/vmlinux.symvers" "$obj/Module.symvers"
	# The tree for out-of-tree modules, made by the kernel's own script as
	# for its deb and rpm header packages.
	make -s -C "$SRCTREE" O="$obj" ARCH=x86_64 run-command \
		KBUILD_RUN_COMMAND="$SRCTREE/scripts/package/install-extmod-build $dir.tmp/kdir" \
		>>"$log" 2>&1
	cp "$obj/.config" "$dir.tmp/kdir/.config"
	cp "$obj/.config" "$dir.tmp/config"
	cp "$obj/arch/x86/boot/bzImage" "$obj/System.map" "$dir.tmp/"
	cp "$obj/include/config/kernel.release" "$dir.tmp/release"
	echo "$SVERSION" >"$dir.tmp/source-version"
	secs=$(($(date +%s) - start))
	echo "$secs" >"$dir.tmp/build-seconds"
	cp "$dir.build/config.log" "$log" "$dir.tmp/"
	date -u +%FT%TZ >"$dir.tmp/stamp"
	mv "$dir.tmp" "$dir"
	rm -rf "$dir.build"
	echo "kernel $name: $(cat "$dir/release") built in $((secs / 60)) min $((secs % 60)) s with -j$jobs"
fi

kdir=$cache/kernels/$name
mkdir -p "$kdir"
# KSUITE and KCC: built here with the host's compiler, so its modules are
# too (scripts/buildroot.sh).  VM_MEMORY: KASAN's shadow takes an eighth of
# the memory, and kmemleak and lockdep want their share.
cat >"$kdir/kernel.env" <<ENV
KVERSION=$SVERSION
KRELEASE=$(cat "$dir/release")
VMLINUZ=$dir/bzImage
KCONFIG=$dir/config
KDIR=$dir/kdir
KSUITE=$(. /etc/os-release && echo "$VERSION_CODENAME")
KCC="$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$dir/config")"
VM_MEMORY=2G
ENV
