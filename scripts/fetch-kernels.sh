#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's kernel image and headers for each series in the matrix, and
# the kernel source tarball the build takes its tools from, with apt-get
# download through a project-local sources list, and unpack them with dpkg -x
# into the cache.  Nothing is installed on the host.  A name ending in -rt
# is Debian's PREEMPT_RT flavour of the series; one ending in -debug is the
# lab's debug kernel, built by scripts/build-debug-kernel.sh.
#
# The newest release of each series is resolved now, not pinned, because the
# archive drops old point releases.
#
# Usage: scripts/fetch-kernels.sh KERNEL...       (e.g. 6.1 6.12 6.12-rt)
#        scripts/fetch-kernels.sh --source SERIES
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MMAPDEMO_CACHE:-$top/.cache}
apt="$top/scripts/apt-local.sh"

# Refresh the package lists once a day at most.
lists_stamp=$cache/apt/lists.stamp
if [ -z "$(find "$lists_stamp" -mmin -1440 2>/dev/null)" ]; then
	"$apt" update >/dev/null
	mkdir -p "$cache/apt"
	touch "$lists_stamp"
fi

# newest_version PACKAGE SERIES: the newest version of PACKAGE in SERIES.x
newest_version() {
	"$apt" cache madison "$1" | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
		grep "^$2\." | sort -V | tail -n 1
}

# depends_on PACKAGE VERSION PATTERN: the dependency of PACKAGE matching PATTERN
depends_on() {
	"$apt" cache show "$1=$2" | sed -n 's/^Depends: //p' | head -n 1 |
		tr ',|' '\n\n' | sed 's/ *(.*//; s/^ *//' | grep -E "$3" | head -n 1
}

# unpack DEST PACKAGE=VERSION...: download and dpkg -x into DEST
unpack() {
	dest=$1
	shift
	dl=$cache/apt/debs
	mkdir -p "$dl" "$dest"
	(cd "$dl" && "$apt" get download "$@" >/dev/null)
	for p in "$@"; do
		name=${p%%=*}
		ver=$(echo "${p#*=}" | sed 's/:/%3a/')
		deb=$(ls "$dl/${name}_${ver}_"*.deb)
		dpkg -x "$deb" "$dest"
		rm -f "$deb"
	done
}

# fetch_kernel NAME: SERIES for Debian's amd64 flavour, SERIES-rt for its
# PREEMPT_RT flavour (rt-amd64).
fetch_kernel() {
	name=$1
	series=${name%-rt} flavour=amd64
	[ "$series" = "$name" ] || flavour=rt-amd64
	ver=$(newest_version linux-image-$flavour "$series")
	[ -n "$ver" ] || { echo "no linux-image-$flavour $series.x in the archive" >&2; exit 1; }
	dir=$cache/kernels/$name
	if [ -f "$dir/kernel.env" ] && grep -qx "KVERSION=$ver" "$dir/kernel.env"; then
		echo "kernel $name: $ver (cached)"
		return
	fi
	image=$(depends_on linux-image-$flavour "$ver" '^linux-image-')
	headers=$(depends_on linux-headers-$flavour "$ver" '^linux-headers-')
	common=$(depends_on "$headers" "$ver" '^linux-headers-.*-common')
	kbuild=$(depends_on "$headers" "$ver" '^linux-kbuild-')
	echo "kernel $name: $ver ($image, $headers, $common, $kbuild)"
	rm -rf "$dir"
	unpack "$dir/root" "$image=$ver" "$headers=$ver" "$common=$ver" "$kbuild=$ver"
	krel=${image#linux-image-}
	# The headers' Makefile includes the -common tree by its absolute
	# /usr/src path; point it at the unpacked copy instead.
	sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" \
		"$dir/root/usr/src/linux-headers-$krel/Makefile"
	# Debian's image package ships its modules but we need none to boot an
	# initramfs on a serial console; drop them to keep the cache small.
	rm -rf "$dir/root/lib/modules/$krel/kernel"
	cat >"$dir/kernel.env" <<ENV
KVERSION=$ver
KRELEASE=$krel
VMLINUZ=$dir/root/boot/vmlinuz-$krel
KCONFIG=$dir/root/boot/config-$krel
KDIR=$dir/root/usr/src/linux-headers-$krel
ENV
}

# What the build takes from the kernel source: the kselftest harness, the
# style checker with its data files, and the kernel's clang-format rules.
SOURCE_FILES="tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl scripts/spelling.txt
	scripts/const_structs.checkpatch .clang-format"

fetch_source() {
	series=$1
	ver=$(newest_version "linux-source-$series" "$series")
	dir=$cache/src/$series
	if [ -f "$dir/source.env" ] && grep -qx "SVERSION=$ver" "$dir/source.env"; then
		echo "source $series: $ver (cached)"
		return
	fi
	echo "source $series: linux-source-$series $ver"
	rm -rf "$dir"
	unpack "$dir/deb" "linux-source-$series=$ver"
	# The build needs only these files; MMAPDEMO_FULL_SOURCE=1 unpacks the
	# whole tree as a reference for reading kernel APIs.
	members=""
	if [ "${MMAPDEMO_FULL_SOURCE:-0}" != 1 ]; then
		for f in $SOURCE_FILES; do
			members="$members linux-source-$series/$f"
		done
	fi
	tar -C "$dir" -xJf "$dir/deb/usr/src/linux-source-$series.tar.xz" $members
	rm -rf "$dir/deb"
	printf 'SVERSION=%s\nSRCTREE=%s\n' "$ver" "$dir/linux-source-$series" >"$dir/source.env"
}

if [ "${1:-}" = --source ]; then
	shift
	for s in "$@"; do fetch_source "$s"; done
else
	# SERIES-debug is not a Debian package: it is built here.
	for s in "$@"; do
		case $s in
		*-debug) "$top/scripts/build-debug-kernel.sh" "$s" ;;
		*) fetch_kernel "$s" ;;
		esac
	done
fi
