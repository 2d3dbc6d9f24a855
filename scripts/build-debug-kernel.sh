#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The lab's debug kernels, SERIES-debug (6.12-debug, 7-debug): Debian's
# linux-source-SERIES configured as allnoconfig plus
# scripts/kconfig/debug.config (what the lab boots, and KASAN, lockdep,
# DEBUG_VM, PAGE_TABLE_CHECK, kmemleak, UBSAN), built once per machine and
# reused from a machine-wide cache.
#
# 6.12-debug: linux-source-6.12 from bookworm, built with the host's
# compiler (the lab's host is Debian 12, which built Debian's 6.12).
# 7-debug: the linux-source-7.N of the matrix's kernel 7 (Debian's 7.x
# from trixie-backports), built with trixie's gcc-14 in the trixie build
# root (scripts/buildroot.sh), as Debian builds its 7.x.  Both take
# debug.config plus scripts/kconfig/fault-disk.config (fault injection with
# fail-nth, and a virtio-blk ext4 disk for the tour's disk experiments).
#
# Writes .cache/kernels/NAME/kernel.env as fetch-kernels.sh does for
# Debian's kernels, so vm.sh and build-module.sh use it like any other
# kernel of the matrix (7-debug's modules are built in the trixie root
# too, with kdir/.kernelvariables naming its gcc-14).
#
# The cache directory is $MMAPDEMO_KERNEL_CACHE, by default
# /var/cache/mmapdemo/debug-kernels (or ~/.cache/mmapdemo/debug-kernels when
# that cannot be written), with one directory per source version and hash
# of the fragments and the compiler (its --version, run where the kernel
# is built): bzImage, config, System.map, kdir/ (the tree out-of-tree
# modules build against), the logs of merge_config.sh and of the build,
# and a stamp written last.  A directory without its stamp is a build that
# did not finish; it is built again, from the objects that DIR.build/
# holds (its build-seconds are then those of the last run only).
#
# Usage: scripts/build-debug-kernel.sh SERIES-debug

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MMAPDEMO_CACHE:-$top/.cache}
name=${1:?usage: build-debug-kernel.sh SERIES-debug}
series=${name%-debug}
jobs=${MMAPDEMO_JOBS:-2}
# Bump when the layout of a cache directory changes.
layout=1

kcache=${MMAPDEMO_KERNEL_CACHE:-/var/cache/mmapdemo/debug-kernels}
if [ -z "${MMAPDEMO_KERNEL_CACHE:-}" ] && ! mkdir -p "$kcache" 2>/dev/null; then
	kcache=${XDG_CACHE_HOME:-$HOME/.cache}/mmapdemo/debug-kernels
fi
mkdir -p "$kcache"

# Per series: the source package's series, the fragments, and how a
# command runs with the kernel's toolchain ($tc COMMAND...), the compiler
# by name (CC, HOSTCC) and which Debian release's root holds it (KSUITE).
kconfig=$top/scripts/kconfig
case $series in
6.12)
	src_series=6.12
	fragments="$kconfig/debug.config $kconfig/fault-disk.config"
	tc=
	cc=gcc
	# shellcheck source=/dev/null
	suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
	;;
7)
	# The series of Debian's 7.x kernel of the matrix, e.g. 7.3 for
	# 7.3.4-1~bpo13+1, so that 7-debug is the same release as 7.
	"$top/scripts/fetch-kernels.sh" 7 >/dev/null
	src_series=$(sed -n 's/^KVERSION=\([0-9]*\.[0-9]*\).*/\1/p' "$cache/kernels/7/kernel.env")
	fragments="$kconfig/debug.config $kconfig/fault-disk.config"
	# The root sees the project and the kernel cache at their own paths.
	export MMAPDEMO_ROOT_BIND="$kcache"
	tc="$top/scripts/buildroot.sh run trixie"
	cc=gcc-14
	suite=trixie
	;;
*)
	echo "build-debug-kernel: no debug kernel for series '$series' (known: 6.12-debug 7-debug)" >&2
	exit 1
	;;
esac

# The source version: a cached build is reused without unpacking the tree.
"$top/scripts/fetch-kernels.sh" --source "$src_series" >/dev/null
# shellcheck source=/dev/null
. "$cache/src/$src_series/source.env"
# shellcheck disable=SC2086 # $tc and $fragments are lists of words
hash=$({
	echo "layout $layout"
	cat $fragments
	$tc $cc --version | head -n 1
} | sha256sum | cut -c 1-12)
dir=$kcache/$SVERSION-$hash

# One build at a time per cache entry, across clones.
exec 9>"$dir.lock"
flock 9

if [ -f "$dir/stamp" ]; then
	echo "kernel $name: $(cat "$dir/release") from linux-source-$src_series $SVERSION (cached in $dir)"
else
	# The build needs the whole source tree, not only the files the lint
	# takes from it.
	if [ ! -f "$SRCTREE/Kconfig" ]; then
		rm -rf "$cache/src/$src_series"
		MMAPDEMO_FULL_SOURCE=1 "$top/scripts/fetch-kernels.sh" --source "$src_series" >/dev/null
		# shellcheck source=/dev/null
		. "$cache/src/$src_series/source.env"
	fi
	echo "kernel $name: building linux-source-$src_series $SVERSION with" \
		"$(for f in $fragments; do basename "$f"; done | paste -sd+) and $cc into $dir"
	# The objects of a build that was stopped are kept and the build goes
	# on from them: kbuild rebuilds every object whose .cmd file, written
	# after it compiled, is missing or names another command, and the
	# same fragments and compiler (the hash) give the same .config.
	rm -rf "$dir" "$dir.tmp"
	obj=$dir.build/obj
	[ ! -d "$obj" ] || echo "kernel $name: going on from the objects in $obj"
	mkdir -p "$obj" "$dir.tmp"
	log=$dir.build/build.log
	start=$(date +%s)
	# The compiler by name, for the build and for every module built
	# against kdir/ later: Debian's kernel Makefile includes
	# $(objtree)/.kernelvariables (its linux-headers packages set CC
	# there), and trixie's root has gcc-14 but no "gcc".
	vars=
	if [ "$cc" != gcc ]; then
		vars=$dir.build/kernelvariables
		printf 'CC = %s\nHOSTCC = %s\n' "$cc" "$cc" >"$vars"
		cp "$vars" "$obj/.kernelvariables"
	fi

	# allnoconfig plus the fragment; every line of the fragment must have
	# taken, or a checker would silently be missing.
	# shellcheck disable=SC2086
	(cd "$SRCTREE" && ARCH=x86_64 $tc scripts/kconfig/merge_config.sh -n -O "$obj" \
		$fragments) >"$dir.build/config.log" 2>&1 || {
		cat "$dir.build/config.log" >&2
		echo "build-debug-kernel: merge_config.sh failed" >&2
		exit 1
	}
	# 6.12's merge_config.sh starts the line with "Value requested", 7.3's
	# with "WARNING: Value requested".
	if grep -Eq '^(WARNING: )?Value requested' "$dir.build/config.log"; then
		sed -En '/^(WARNING: )?Value requested/,/^$/p' "$dir.build/config.log" >&2
		echo "build-debug-kernel: $fragments ask for options the kernel did not take" >&2
		exit 1
	fi

	if ! $tc nice make -C "$SRCTREE" O="$obj" ARCH=x86_64 -j"$jobs" \
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
	$tc make -s -C "$SRCTREE" O="$obj" ARCH=x86_64 run-command \
		KBUILD_RUN_COMMAND="$SRCTREE/scripts/package/install-extmod-build $dir.tmp/kdir" \
		>>"$log" 2>&1
	[ -z "$vars" ] || cp "$vars" "$dir.tmp/kdir/.kernelvariables"
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
# KSUITE and KCC: the release and the compiler that built it, so that its
# modules are built with them too (scripts/buildroot.sh).  VM_MEMORY: KASAN's shadow takes an eighth of
# the memory, and kmemleak and lockdep want their share.  VM_ACPI_NOIRQ:
# see scripts/vm.sh.
cat >"$kdir/kernel.env" <<ENV
KVERSION=$SVERSION
KRELEASE=$(cat "$dir/release")
VMLINUZ=$dir/bzImage
KCONFIG=$dir/config
KDIR=$dir/kdir
KSUITE=$suite
KCC="$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$dir/config")"
VM_MEMORY=2G
VM_ACPI_NOIRQ=1
ENV
exit
}
