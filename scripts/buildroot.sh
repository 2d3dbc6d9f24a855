#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build roots: a minimal Debian userland per release (bookworm, trixie),
# made with debootstrap --variant=minbase from the Debian archive, in which a
# kernel's modules are built with the compiler and C library that built that
# kernel, whatever the host is.  A root is created once, in a machine-wide
# cache that fresh clones reuse, and created again when it is missing or
# broken.  It is entered with chroot in a private mount namespace, so the
# bind mounts vanish with the command, even when it fails or is killed.
# The host's apt configuration and packages are never touched.
#
# Usage: scripts/buildroot.sh run SUITE COMMAND...     COMMAND in SUITE's root,
#                                                     in the current directory
#        scripts/buildroot.sh kernel KERNEL COMMAND... COMMAND with the
#             toolchain of KERNEL: the host's if it has the compiler that
#             built KERNEL, else the root of the release that built it
#        scripts/buildroot.sh where KERNEL             "host" or "SUITE root"
#        scripts/buildroot.sh path SUITE               the root, created if needed
#        scripts/buildroot.sh scratch SUITE DIR COMMAND...  COMMAND in a
#             throwaway overlay of SUITE's root whose changes go to DIR
#
# MMAPDEMO_ROOT_CACHE (default /var/cache/mmapdemo/roots) holds the roots;
# MMAPDEMO_ROOT_BIND: more directories (space-separated) that the command
# sees at their own paths, besides the project and its cache ("kernel"
# adds the directory of a KDIR outside them, e.g. a debug kernel's);
# MMAPDEMO_BUILDROOT=always builds every kernel in its root, even when the
# host has its compiler; =checker is for the sparse pass, see where().

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MMAPDEMO_CACHE:-$top/.cache}
roots=${MMAPDEMO_ROOT_CACHE:-/var/cache/mmapdemo/roots}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
in_root_exec=

# packages SUITE: what a root holds.  kbuild needs the release's compiler,
# make, libc, libelf, bc, flex, bison, perl, python3, kmod, and pahole for
# the BTF of modules of kernels with CONFIG_DEBUG_INFO_BTF_MODULES; sparse is the
# checker of "make C=2".  The bookworm root also holds the linters whose
# verdict depends on their version (scripts/lint.sh runs them from there on
# hosts that are not Debian 12).  See also sid_sparse().
packages() {
	common="make libc6-dev libelf-dev bc flex bison perl python3 kmod dwarves sparse"
	case $1 in
	bookworm) echo "gcc-12 $common cppcheck clang-format" ;;
	trixie) echo "gcc-14 $common" ;;
	# The arm64 kernels' cross compilers, pkgconf for the arm64 libraries
	# (foreign_packages), and the armhf compiler for the 32-bit tests.
	bookworm-arm64) echo "gcc-12 gcc-12-aarch64-linux-gnu gcc-12-arm-linux-gnueabihf libc6-dev-armhf-cross $common pkgconf" ;;
	trixie-arm64) echo "gcc-14 gcc-14-aarch64-linux-gnu gcc-14-arm-linux-gnueabihf libc6-dev-armhf-cross $common pkgconf" ;;
	*) echo "buildroot: no build root for suite '$1'" >&2; return 1 ;;
	esac
}

# release ROOT: the Debian release of a root: SUITE-arm64 is SUITE's
# userland with the cross compilers of the arm64 kernels.
release() {
	echo "${1%-arm64}"
}

# foreign_packages ROOT: what a root holds of another architecture
# (multiarch, installed with apt-get after debootstrap): the arm64
# libraries and headers that the library, the CLI and the tests are
# cross-built and linked against.
foreign_packages() {
	case $1 in
	*-arm64) echo "libc6-dev:arm64 libkmod-dev:arm64 libtracefs-dev:arm64 libtraceevent-dev:arm64" ;;
	esac
}

# sid_sparse SUITE: whether the root also gets sid's sparse in
# /usr/local/bin.  7.x's kbuild runs sparse only if it understands
# __typeof_unqual__ (scripts/checker-valid.sh), which trixie's 0.6.4 does
# not and sid's 0.6.5~rc1 does.  Only the program is unpacked (dpkg -x):
# it needs nothing but libc6 (>= 2.38), and the rest of sid stays out.
sid_sparse() {
	[ "$(release "$1")" = trixie ]
}

# root_dir SUITE: the root's directory, named after the suite and a hash of
# what it is made of, so that a changed package list makes a new root.
root_dir() {
	hash=$(echo "$1 $mirror $(packages "$1") $(sid_sparse "$1" && echo sid:sparse)$(foreign_packages "$1" | sed 's/^./ &/')" |
		sha256sum | cut -c1-12)
	echo "$roots/$1-$hash"
}

# private_ns: print the command that runs what follows in a mount namespace
# of its own, whose mounts vanish with it, or nothing where that cannot be
# done: in a chroot "/" is no mount point, and unshare cannot make it
# private.
private_ns() {
	if unshare --mount --propagation private -- true 2>/dev/null; then
		echo "unshare --mount --propagation private --"
	fi
}

# in_root ROOT COMMAND...: run COMMAND in ROOT, in the current directory,
# with /dev, /proc, the project and the kernel cache at their own paths.
# Without a namespace of its own, the mounts are undone on the way out,
# also on an error or a signal.  With in_root_exec=exec the shell that
# holds them replaces this script, so that a signal to it is seen there.
in_root() {
	root=$1
	shift
	# The kernel cache may be elsewhere, or a link to elsewhere.
	binds=$top
	real=$(readlink -f "$cache")
	case $real in "$top"/*) ;; *) binds="$binds $real" ;; esac
	for d in ${MMAPDEMO_ROOT_BIND:-}; do
		binds="$binds $(readlink -f "$d")"
	done
	ns=$(private_ns)
	$in_root_exec $ns sh -c '
		set -e
		root=$1 binds=$2 dir=$3 undo=$4
		shift 4
		mounted=""
		child=""
		if [ "$undo" = 1 ]; then
			trap '\''for m in $mounted; do umount -l "$m"; done'\'' EXIT
			trap '\''[ -z "$child" ] || kill "$child"; exit 130'\'' INT TERM HUP
		fi
		mount --rbind /dev "$root/dev"
		mounted="$root/dev"
		mount -t proc proc "$root/proc"
		mounted="$root/proc $mounted"
		for d in $binds; do
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
			mounted="$root$d $mounted"
		done
		# In the background, so that a signal reaches the trap at once; the
		# command keeps standard input through fd 3.
		exec 3<&0
		chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			sh -c "cd \"\$0\" && exec \"\$@\"" "$dir" "$@" <&3 &
		child=$!
		st=0
		wait "$child" || st=$?
		exit $st
	' sh "$root" "$binds" "$(pwd)" "$([ -n "$ns" ] || echo 1)" "$@"
}

# in_scratch ROOT DIR COMMAND...: run COMMAND, as in_root does, in a
# throwaway copy of ROOT: an overlay whose writes all land in DIR/upper, so
# that ROOT stays as it was and DIR/upper shows what COMMAND changed.
# DIR/upper survives, so a test can install, look and remove in steps.
in_scratch() {
	root=$1 dir=$2
	shift 2
	mkdir -p "$dir/upper" "$dir/work" "$dir/merged"
	$(private_ns) sh -c '
		set -e
		self=$1 root=$2 dir=$3
		shift 3
		mount -t overlay overlay \
			-o "lowerdir=$root,upperdir=$dir/upper,workdir=$dir/work" "$dir/merged"
		trap "umount -l \"$dir/merged\"" EXIT
		"$self" _in "$dir/merged" "$@"
	' sh "$top/scripts/buildroot.sh" "$root" "$dir" "$@"
}

# sane SUITE ROOT: the quick check that a root is whole: its stamp, which
# is written last, and its compiler, make and sparse run.
sane() {
	[ -f "$2/.mmapdemo-root" ] || return 1
	gccs=$(packages "$1" | tr ' ' '\n' | grep '^gcc-' |
		sed 's/^gcc-\([0-9]*\)-\(.*\)$/\2-gcc-\1/; s/$/ --version \&\&/')
	# shellcheck disable=SC2086 # the compilers' commands
	in_root "$2" sh -c "$(echo $gccs) make --version && sparse --version" \
		>/dev/null 2>&1
}

# ensure SUITE: create SUITE's root unless a sane one exists; print its path.
ensure() {
	dir=$(root_dir "$1")
	sane "$1" "$dir" && { echo "$dir"; return; }
	mkdir -p "$roots"
	# One creator at a time; a second waits and then finds the root.
	exec 9>"$dir.lock"
	flock 9
	if ! sane "$1" "$dir"; then
		if grep -q " $dir/" /proc/self/mountinfo; then
			echo "buildroot: $dir has mounts on it; not removing it" >&2
			exit 1
		fi
		command -v debootstrap >/dev/null ||
			{ echo "buildroot: debootstrap is missing (make deps)" >&2; exit 1; }
		[ "$(id -u)" = 0 ] ||
			{ echo "buildroot: creating and entering a build root needs root" >&2; exit 1; }
		echo "buildroot: creating the $1 root in $dir" >&2
		start=$(date +%s)
		rm -rf "$dir" "$dir.new"
		log=$roots/$(basename "$dir").log
		# debootstrap mounts /proc and /sys in the target; in a private
		# mount namespace (where there can be one) they cannot outlive it.
		if ! $(private_ns) debootstrap \
			--variant=minbase --include="$(packages "$1" | tr ' ' ,)" \
			"$(release "$1")" "$dir.new" "$mirror" >"$log" 2>&1; then
			tail -n 20 "$log" >&2
			echo "buildroot: debootstrap of $1 failed (log: $log)" >&2
			exit 1
		fi
		foreign=$(foreign_packages "$1")
		if [ -n "$foreign" ]; then
			arches=$(echo "$foreign" | tr ' ' '\n' | sed -n 's/.*://p' | sort -u)
			if ! in_root "$dir.new" sh -c "
				for a in $arches; do dpkg --add-architecture \$a; done
				apt-get update -q && DEBIAN_FRONTEND=noninteractive \
					apt-get install -y -q --no-install-recommends $foreign" \
				>>"$log" 2>&1; then
				tail -n 20 "$log" >&2
				echo "buildroot: $foreign in the $1 root failed" >&2
				exit 1
			fi
		fi
		if sid_sparse "$1"; then
			sid=$dir.sid
			rm -rf "$sid"
			mkdir -p "$sid"
			if ! { APT_LOCAL_SID=1 "$top/scripts/apt-local.sh" update &&
				(cd "$sid" && APT_LOCAL_SID=1 "$top/scripts/apt-local.sh" \
					get download sparse) &&
				dpkg -x "$sid"/sparse_*.deb "$sid/x" &&
				cp "$sid/x/usr/bin/sparse" "$dir.new/usr/local/bin/sparse"; } \
				>>"$log" 2>&1; then
				tail -n 20 "$log" >&2
				echo "buildroot: sid's sparse for the $1 root failed" >&2
				exit 1
			fi
			# The lists of sid are big and needed only here.
			rm -rf "$sid" "$cache/apt-sid"
		fi
		rm -f "$dir.new"/var/cache/apt/archives/*.deb
		date -u +%FT%TZ >"$dir.new/.mmapdemo-root"
		packages "$1" >>"$dir.new/.mmapdemo-root"
		in_root "$dir.new" sparse --version >>"$dir.new/.mmapdemo-root"
		mv "$dir.new" "$dir"
		sane "$1" "$dir" ||
			{ echo "buildroot: the new $1 root does not work" >&2; exit 1; }
		echo "buildroot: created the $1 root in $(($(date +%s) - start))s" >&2
	fi
	exec 9>&-
	echo "$dir"
}

# where KERNEL: "host" when the host has the very compiler that built KERNEL
# (its CONFIG_CC_VERSION_TEXT, "gcc-14 (Debian 14.2.0-19) 14.2.0"; for an
# arm64 kernel, the cross compiler of that version), else the build root
# of the Debian release that built it; an arm64 kernel's (KARCH=arm64) is
# that release's root with the cross compilers, SUITE-arm64.  With
# MMAPDEMO_BUILDROOT=checker (scripts/lint.sh's sparse pass) the host must
# also be that release and its root must not carry a sparse of its own, so
# that sparse gives the same verdict on every host.
where() {
	# shellcheck source=/dev/null
	. "$cache/kernels/$1/kernel.env"
	kcc_prog=${KCC%% *}
	# An arm64 kernel that Debian built natively (6.1's compiler is
	# "gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0") is built here by the
	# cross compiler of that name and version, which prints the same
	# version (scripts/build-module.sh sets CROSS_COMPILE for it).
	[ "${KARCH:-amd64}" != arm64 ] ||
		kcc_prog=aarch64-linux-gnu-${kcc_prog#aarch64-linux-gnu-}
	host=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	if [ "${MMAPDEMO_BUILDROOT:-}" != always ] &&
		command -v "$kcc_prog" >/dev/null &&
		[ "$("$kcc_prog" --version | head -n 1 | cut -d' ' -f2-)" = "${KCC#* }" ] &&
		{ [ "${MMAPDEMO_BUILDROOT:-}" != checker ] ||
		  { [ "$host" = "$KSUITE" ] && ! sid_sparse "$KSUITE"; }; }; then
		echo host
	elif [ "${KARCH:-amd64}" != amd64 ]; then
		echo "$KSUITE-$KARCH root"
	else
		echo "$KSUITE root"
	fi
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
run)
	[ $# -ge 2 ] || { echo "usage: $0 run SUITE COMMAND..." >&2; exit 2; }
	suite=$1
	shift
	root=$(ensure "$suite")
	in_root_exec=exec in_root "$root" "$@"
	;;
kernel)
	[ $# -ge 2 ] || { echo "usage: $0 kernel KERNEL COMMAND..." >&2; exit 2; }
	kernel=$1
	shift
	w=$(where "$kernel")
	if [ "$w" = host ]; then
		exec "$@"
	fi
	root=$(ensure "${w% root}")
	# shellcheck source=/dev/null
	. "$cache/kernels/$kernel/kernel.env"
	kdir=$(readlink -f "$KDIR")
	case $kdir in
	"$top"/* | "$(readlink -f "$cache")"/*) ;;
	*) MMAPDEMO_ROOT_BIND="${MMAPDEMO_ROOT_BIND:-} $(dirname "$kdir")" ;;
	esac
	in_root_exec=exec in_root "$root" "$@"
	;;
scratch)
	[ $# -ge 3 ] || { echo "usage: $0 scratch SUITE DIR COMMAND..." >&2; exit 2; }
	suite=$1 dir=$2
	shift 2
	root=$(ensure "$suite")
	in_scratch "$root" "$dir" "$@"
	;;
_in)
	# in_scratch's second half, inside the overlay's mount namespace
	root=$1
	shift
	in_root "$root" "$@"
	;;
where) where "${1:?usage: $0 where KERNEL}" ;;
path) ensure "${1:?usage: $0 path SUITE}" ;;
*)
	echo "usage: $0 {run SUITE|kernel KERNEL} COMMAND... | where KERNEL | path SUITE" >&2
	exit 2
	;;
esac
exit
}
