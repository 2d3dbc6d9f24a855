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
# Usage: scripts/mkinitramfs.sh [-D DIR] OUT.cpio.gz MODULE_DIR STAGE_DIR PROGRAM...
set -eu

disk_modules=
if [ "${1:-}" = -D ]; then
	disk_modules=$2
	shift 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
moddir=$2
stage=$3
shift 3

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/usr/bin" "$root/lib/mmapdemo" "$root/etc" "$root/lab"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$top/scripts/guest/init" "$root/init"
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

# copy_with_libs FILE DESTDIR: a program and every shared library it loads.
copy_with_libs() {
	cp "$1" "$2/"
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
