#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the lab's base initramfs for one kernel: busybox, /init, the module
# and test modules built for that kernel, libmmapdemo and the CLI as "make
# install" staged them, and the test programs, with the shared libraries
# they all need.
#
# With -D DIR, also the kernel's own modules that the lab's disk needs
# (DIR/order and the modules it lists, from scripts/fetch-kernels.sh), into
# /lib/disk-modules/; a missing DIR (the debug kernel, built here without
# modules) adds nothing.
#
# For another architecture's guest (arm64), -b BUSYBOX is that
# architecture's busybox (the host's by default) and -L SYSROOT the root
# whose libraries the programs were linked against (the build root of
# scripts/buildroot.sh), where their libraries are looked up by the ELF
# headers' NEEDED entries, as the host's ldd cannot run them.
#
# Usage: scripts/mkinitramfs.sh [-D DIR] [-b BUSYBOX -L SYSROOT] OUT.cpio.gz MODULE_DIR STAGE_DIR PROGRAM...

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

disk_modules= busybox=/bin/busybox sysroot=
while getopts D:b:L: opt; do
	case $opt in
	D) disk_modules=$OPTARG ;;
	b) busybox=$OPTARG ;;
	L) sysroot=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))

top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
moddir=$2
stage=$3
shift 3

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/usr/bin" "$root/lib/mmapdemo" "$root/etc" "$root/lab"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$top/scripts/guest/init" "$root/init"
cp "$top/scripts/guest/ivshmem-bars" "$root/bin/"
echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
echo 'root:x:0:' >"$root/etc/group"
cp "$moddir"/*.ko "$root/lib/mmapdemo/"
if [ -n "$disk_modules" ] && [ -f "$disk_modules/order" ]; then
	mkdir -p "$root/lib/disk-modules"
	cp "$disk_modules/order" "$root/lib/disk-modules/"
	while read -r m; do
		cp "$disk_modules/$m" "$root/lib/disk-modules/"
	done <"$disk_modules/order"
fi

# sysroot_lib NAME: the file of the library NAME (or of the dynamic
# loader, a path) in SYSROOT's library directories.
sysroot_lib() {
	for d in usr/lib/aarch64-linux-gnu lib/aarch64-linux-gnu usr/lib lib; do
		[ -e "$sysroot/$d/${1##*/}" ] && { echo "$sysroot/$d/${1##*/}"; return; }
	done
	echo "mkinitramfs: ${1##*/} is not in $sysroot" >&2
	return 1
}

# sysroot_libs FILE: copy the libraries FILE needs from SYSROOT, and
# theirs, into the initramfs's /usr/lib/aarch64-linux-gnu (where the
# guest's dynamic loader looks), and its dynamic loader to the path it
# names; those of STAGE_DIR are there already, but not what they need.
sysroot_libs() {
	interp=$(readelf -lW "$1" 2>/dev/null | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
	if [ -n "$interp" ] && [ ! -e "$root$interp" ]; then
		mkdir -p "$root$(dirname "$interp")"
		cp -L "$(sysroot_lib "$interp")" "$root$interp"
	fi
	for lib in $(readelf -dW "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		if [ -e "$stage/usr/lib/$lib" ]; then
			sysroot_libs "$stage/usr/lib/$lib"
			continue
		fi
		dest=$root/usr/lib/aarch64-linux-gnu/$lib
		[ ! -e "$dest" ] || continue
		mkdir -p "${dest%/*}"
		src=$(sysroot_lib "$lib") || exit 1
		cp -L "$src" "$dest"
		sysroot_libs "$dest"
	done
}

# copy_with_libs FILE DESTDIR: a program and every shared library it loads.
copy_with_libs() {
	cp "$1" "$2/"
	if [ -n "$sysroot" ]; then
		sysroot_libs "$1"
		return
	fi
	ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		case $lib in "$stage"/*) continue ;; esac
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}
# The staged install tree (/usr/bin/mmapdemo, /usr/lib/libmmapdemo.so.1,
# man pages and headers, which cost little) and what its programs load.
cp -a "$stage/." "$root/"
for prog in "$stage"/usr/bin/*; do
	copy_with_libs "$prog" "$root/usr/bin"
done
for prog in "$@"; do
	copy_with_libs "$prog" "$root/usr/bin"
done

# Written aside and renamed: a VM of this kernel that starts meanwhile
# (make check runs jobs side by side) reads the old file or the new one,
# never half of one.
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
exit
}
