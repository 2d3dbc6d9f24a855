#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's kernel image and headers for each kernel of the matrix, and
# the kernel source tarball the build takes its tools from, with apt-get
# download through a project-local sources list, and unpack them with dpkg -x
# into the cache.  Nothing is installed on the host.
#
# A kernel's name (6.1, 6.12, 7, 6.12-rt) maps to where it comes from in
# kernel_spec(); the newest release there is resolved now, not pinned,
# because the archive drops old point releases.  A name ending in -debug is
# not a Debian package: scripts/build-debug-kernel.sh builds it here.
#
# Usage: scripts/fetch-kernels.sh KERNEL...       (e.g. 6.1 6.12 7 6.12-rt)
#        scripts/fetch-kernels.sh --source SERIES (e.g. 6.1 or 7.3)

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MMAPDEMO_CACHE:-$top/.cache}
# MMAPDEMO_APT: a stand-in for apt-local.sh (scripts/fetch-test.sh).
apt=${MMAPDEMO_APT:-$top/scripts/apt-local.sh}

# Refresh the package lists once a day at most.
lists_stamp=$cache/apt/lists.stamp
if [ -z "$(find "$lists_stamp" -mmin -1440 2>/dev/null)" ]; then
	"$apt" update >/dev/null
	mkdir -p "$cache/apt"
	touch "$lists_stamp"
fi

# kernel_spec NAME: "SERIES SUITES BUILD_SUITE FLAVOUR" for a kernel of the
# matrix: the version prefix, the suites (a regular expression) whose newest
# linux-image-FLAVOUR of that series is taken, the Debian release that
# built it, whose userland builds its modules (scripts/buildroot.sh), and
# Debian's flavour (amd64, or rt-amd64 for PREEMPT_RT; arm64 for the
# arm64 kernels, whose names start with arm64-: see fetch_kernel).
kernel_spec() {
	case $1 in
	6.1) echo "6.1 bookworm(-updates|-security)? bookworm amd64" ;;
	6.12) echo "6.12 bookworm-backports bookworm amd64" ;;
	6.12-rt) echo "6.12 bookworm-backports bookworm rt-amd64" ;;
	7) echo "7 trixie-backports trixie amd64" ;;
	arm64-6.1) echo "6.1 bookworm(-updates|-security)? bookworm arm64" ;;
	arm64-6.12) echo "6.12 bookworm-backports bookworm arm64" ;;
	arm64-7) echo "7 trixie-backports trixie arm64" ;;
	*) echo "fetch-kernels: unknown kernel '$1' (known: 6.1 6.12 6.12-rt 7, arm64-6.1 arm64-6.12 arm64-7, and 6.12-debug 7-debug)" >&2
	   return 1 ;;
	esac
}

# newest_version PACKAGE SERIES [SUITES]: the newest version of PACKAGE in
# SERIES.x, from the suites matching SUITES (default: any)
newest_version() {
	"$apt" cache madison "$1" | awk -F'|' -v suites="^(${3:-.*})/" '{
		gsub(/ /, "", $2); split($3, a, " ")
		if (a[2] ~ suites) print $2
	}' | grep "^$2\." | sort -V | tail -n 1
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

fetch_kernel() {
	name=$1
	spec=$(kernel_spec "$name") || exit 1
	set -- $spec
	series=$1 suites=$2 build_suite=$3 flavour=$4
	# An arm64 kernel comes from the arm64 lists (scripts/apt-local.sh),
	# all but its kbuild tools: modules are cross-built on this host, so
	# fixdep and modpost must be the host's, from the amd64 linux-kbuild
	# of the same version (its programs do not depend on the target).
	karch=amd64
	case $flavour in *arm64) karch=arm64 ;; esac
	if [ "$karch" = arm64 ]; then
		export APT_LOCAL_ARCH=arm64
		arm64_lists
	else
		unset APT_LOCAL_ARCH
	fi
	ver=$(newest_version linux-image-$flavour "$series" "$suites")
	[ -n "$ver" ] || { echo "no linux-image-$flavour $series.x in $suites" >&2; exit 1; }
	dir=$cache/kernels/$name
	if [ -f "$dir/kernel.env" ] && grep -qx "KVERSION=$ver" "$dir/kernel.env" &&
		[ -f "$dir/disk-modules/order" ] &&
		{ [ "$karch" = amd64 ] || { grep -q '^BUSYBOX=/' "$dir/kernel.env" &&
			grep -qx "ARM64_MODULES='$ARM64_MODULES'" "$dir/kernel.env"; }; }; then
		relocate "$(sed -n 's|^KDIR=\(.*\)/root/usr/src/[^/]*$|\1|p' "$dir/kernel.env")" \
			"$dir" "$dir/kernel.env" "$dir"/root/usr/src/linux-headers-*/Makefile
		echo "kernel $name: $(sed -n 's/^KRELEASE=//p' "$dir/kernel.env"), Debian $ver (cached)"
		return
	fi
	image=$(depends_on linux-image-$flavour "$ver" '^linux-image-')
	headers=$(depends_on linux-headers-$flavour "$ver" '^linux-headers-')
	common=$(depends_on "$headers" "$ver" '^linux-headers-.*-common')
	kbuild=$(depends_on "$headers" "$ver" '^linux-kbuild-')
	# Since 7.x linux-image-RELEASE is empty: the kernel is in
	# linux-binary-RELEASE, its config and System.map in linux-base-RELEASE.
	# Its modules are in linux-modules-RELEASE.
	binary=$(depends_on "$image" "$ver" '^linux-binary-')
	base=$(depends_on "$image" "$ver" '^linux-base-')
	modules=$(depends_on "$image" "$ver" '^linux-modules-')
	pkgs="$image $binary $base $modules $headers $common $kbuild"
	krel=${image#linux-image-}
	echo "kernel $name: $krel, Debian $ver from $suites ($(echo $pkgs | sed 's/ /, /g'))"
	rm -rf "$dir"
	if [ "$karch" = arm64 ]; then
		# shellcheck disable=SC2046 # one word a package
		unpack "$dir/root" $(for p in $pkgs; do
			[ "$p" = "$kbuild" ] || echo "$p=$ver"; done)
		(unset APT_LOCAL_ARCH && unpack "$dir/root" "$kbuild=$ver")
	else
		unpack "$dir/root" $(for p in $pkgs; do echo "$p=$ver"; done)
	fi
	# The headers' Makefile names the -common tree by its absolute /usr/src
	# path (7.x also in a KBUILD_OUTPUT line); point it at the unpacked copy.
	sed -i "s|^include /usr/src/|include $dir/root/usr/src/|
		s|^\\(KBUILD_OUTPUT *:*= *\\)/usr/src/|\\1$dir/root/usr/src/|" \
		"$dir/root/usr/src/linux-headers-$krel/Makefile"
	checker_valid "$dir" "$dir/root/usr/src/$common" "$ver"
	# The image package ships its modules; the lab keeps only those that
	# its disk needs (disk_modules) and drops the rest to keep the cache
	# small.
	disk_modules "$dir" "$krel" "$karch"
	rm -rf "$dir/root/lib/modules/$krel/kernel" "$dir/root/usr/lib/modules/$krel/kernel"
	vmlinuz=$(first_file "$dir/root/boot/vmlinuz-$krel" "$dir/root/usr/lib/modules/$krel/vmlinuz")
	kconfig=$(first_file "$dir/root/boot/config-$krel" "$dir/root/usr/lib/modules/$krel/config")
	[ -n "$vmlinuz" ] && [ -n "$kconfig" ] ||
		{ echo "fetch-kernels: no vmlinuz or config for $krel in $pkgs" >&2; exit 1; }
	kcc=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$kconfig")
	cat >"$dir/kernel.env" <<ENV
KVERSION=$ver
KRELEASE=$krel
VMLINUZ=$vmlinuz
KCONFIG=$kconfig
KDIR=$dir/root/usr/src/linux-headers-$krel
KSUITE=$build_suite
KCC="$kcc"
KARCH=$karch
ENV
	# The guest's busybox, of the kernel's architecture (the host's is
	# amd64's), from the release that built the kernel.  After the lines
	# above: unpack sets ver.
	if [ "$karch" = arm64 ]; then
		bver=$(newest_version busybox-static "1:1" "$build_suite(-updates|-security)?")
		unpack "$dir/busybox" "busybox-static=$bver"
		echo "BUSYBOX=$(first_file "$dir/busybox/bin/busybox" "$dir/busybox/usr/bin/busybox")" \
			>>"$dir/kernel.env"
		echo "ARM64_MODULES='$ARM64_MODULES'" >>"$dir/kernel.env"
	fi
	unset APT_LOCAL_ARCH
}

# arm64_lists: refresh the arm64 package lists once a day at most.
arm64_lists() {
	stamp=$cache/apt-arm64/lists.stamp
	if [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
		APT_LOCAL_ARCH=arm64 "$apt" update >/dev/null
		mkdir -p "$cache/apt-arm64"
		touch "$stamp"
	fi
}

# The modules a guest needs for the lab's disk (vm.sh -D): the virtio PCI
# transport, the virtio block driver and ext4, where the kernel has them as
# modules rather than built in.  An arm64 guest also needs the virtio
# console for its output and control channels (vm.sh): Debian's arm64 6.1
# has it as a module (CONFIG_VIRTIO_CONSOLE=m), which the guest's /init
# loads when the channel's device is not there.  ARM64_MODULES in
# kernel.env records that an arm64 kernel's list has it.
DISK_MODULES="virtio_pci virtio_blk ext4 crc32c_generic"
ARM64_MODULES="virtio_console"

# disk_modules DIR RELEASE KARCH: copy DISK_MODULES (and for arm64
# ARM64_MODULES) and everything they depend
# on (modules.dep) from the unpacked package into DIR/disk-modules/,
# decompressed, and list them in DIR/disk-modules/order in the order the
# guest's /init loads them, dependencies first.  crc32c_generic is there
# because jbd2 and ext4 ask the crypto API for "crc32c" (on kernels where
# they do), which nothing in modules.dep pulls in.
disk_modules() {
	mdir=$(first_file "$1/root/lib/modules/$2" "$1/root/usr/lib/modules/$2")
	out=$1/disk-modules
	# The packages leave modules.dep to depmod at installation.
	depmod -b "${mdir%/lib/modules/*}" "$2" ||
		{ echo "fetch-kernels: depmod failed for $2" >&2; exit 1; }
	rm -rf "$out"
	mkdir -p "$out"
	: >"$out/order.tmp"
	for m in $DISK_MODULES $([ "$3" != arm64 ] || echo "$ARM64_MODULES"); do
		disk_module_add "$mdir" "$out" "$m"
	done
	mv "$out/order.tmp" "$out/order"
	list=$(tr '\n' ' ' <"$out/order")
	echo "kernel ${1##*/}: disk modules: ${list:-none (built in, or not in this kernel)}"
}

# disk_module_path MODDIR NAME: NAME's path in modules.dep, or nothing if it
# is built in or absent (names with - and _ are the same module).
disk_module_path() {
	awk -F: -v n="$2" '{
		f = $1; sub(/.*\//, "", f); sub(/\.ko(\.[a-z]+)?$/, "", f)
		gsub(/-/, "_", f)
		if (f == n) { print $1; exit }
	}' "$1/modules.dep"
}

# disk_module_add MODDIR OUT NAME_OR_PATH: its dependencies, then itself.
# Each dependency is added in a subshell of its own, so that its variables
# do not overwrite this call's.
disk_module_add() {
	case $3 in
	*/*) path=$3 ;;
	*) path=$(disk_module_path "$1" "$3") ;;
	esac
	[ -n "$path" ] || return 0
	base=${path##*/}
	ko=${base%%.ko*}.ko
	grep -qx "$ko" "$2/order.tmp" && return 0
	deps=$(sed -n "s|^$path: *||p" "$1/modules.dep")
	for dep in $deps; do
		(disk_module_add "$1" "$2" "$dep") || exit 1
	done
	case $base in
	*.ko.xz) xz -dc "$1/$path" >"$2/$ko" ;;
	*.ko.zst) zstd -qdc "$1/$path" >"$2/$ko" ;;
	*.ko.gz) gzip -dc "$1/$path" >"$2/$ko" ;;
	*) cp "$1/$path" "$2/$ko" ;;
	esac || { echo "fetch-kernels: cannot copy $path" >&2; exit 1; }
	echo "$ko" >>"$2/order.tmp"
}

# checker_valid DIR COMMON_TREE VERSION: Debian's kbuild of 7.x lacks
# scripts/checker-valid.sh, which the kernel's Makefile runs to decide
# whether sparse is recent enough for "make C=2"; without it kbuild never
# runs sparse.  Take it from the linux-source package of the same version.
checker_valid() {
	grep -q 'scripts/checker-valid.sh' "$2/Makefile" || return 0
	[ ! -e "$2/scripts/checker-valid.sh" ] || return 0
	series=$(sed -n 's/^VERSION = //p; s/^PATCHLEVEL = //p' "$2/Makefile" |
		paste -sd.)
	echo "kernel ${1##*/}: scripts/checker-valid.sh from linux-source-$series $3"
	unpack "$1/src" "linux-source-$series=$3"
	tar -C "$1/src" -xJf "$1/src/usr/src/linux-source-$series.tar.xz" \
		"linux-source-$series/scripts/checker-valid.sh"
	cp "$1/src/linux-source-$series/scripts/checker-valid.sh" "$2/scripts/"
	rm -rf "$1/src"
}

# first_file PATH...: the first PATH that exists
first_file() {
	for f in "$@"; do
		[ -e "$f" ] && { echo "$f"; return; }
	done
}

# What the build takes from the kernel source: the kselftest harness, the
# style checker with its data files, the kernel's clang-format rules, and
# the kernel-doc tooling that "make htmldocs" runs over the uapi header.
SOURCE_FILES="tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl scripts/spelling.txt
	scripts/const_structs.checkpatch .clang-format
	scripts/kernel-doc Documentation/sphinx/kerneldoc.py
	Documentation/sphinx/kernellog.py"

# source_suites SERIES: where linux-source-SERIES is taken from: 6.12 from
# bookworm's suites, as the 6.12 kernels of the matrix (and the debug
# kernel's cache stays valid when trixie's 6.12 moves on).
source_suites() {
	case $1 in
	6.1 | 6.12) echo "bookworm(-updates|-security|-backports)?" ;;
	*) echo ".*" ;;
	esac
}

# source_complete TREE [MISSING]: TREE has every file of SOURCE_FILES (an
# older cache may lack what a newer build takes from it), except those in
# MISSING, which the source itself lacks (7.3 has no kernellog.py).
source_complete() {
	for f in $SOURCE_FILES; do
		case " $2 " in *" $f "*) continue ;; esac
		[ -e "$1/$f" ] || return 1
	done
}

# source_functions: the names of the functions (and function-like macros,
# system calls and IDT entry points) that the C source on stdin defines or
# declares, one a line, sorted; generous rather than exact: a name only
# needs to exist in that kernel.
source_functions() {
	LC_ALL=C sed -nE 's/^SYSCALL_DEFINE[0-6]\(([a-z0-9_]+).*/sys_\1\n__x64_sys_\1\n__arm64_sys_\1\n__do_sys_\1\n__se_sys_\1/p
t
s/^DEFINE_IDTENTRY[A-Z_]*\(([a-z0-9_]+).*/\1/p
t
s/^#[[:space:]]*define[[:space:]]+([A-Za-z_][A-Za-z0-9_]*).*/\1/p
t
s/^([A-Za-z_][^;={}(]*[^A-Za-z0-9_(])?([A-Za-z_][A-Za-z0-9_]*)\(.*/\2/p' |
		LC_ALL=C sort -u
}

# The source directories whose functions source_functions lists: the
# subsystems whose functions the documentation and the CLI name, and the
# architectures of the matrix (ARCH_DIRS).
ARCH_DIRS="x86-64:arch/x86 arm64:arch/arm64"
FUNCTION_DIRS="mm include kernel fs arch/x86 arch/arm64 drivers/pci drivers/base
	drivers/char drivers/misc drivers/vfio lib security ipc block init virt
	drivers/iommu"
# The same on one line, as source.env records it.
# shellcheck disable=SC2086,SC2116 # the words joined by single spaces
FUNCTION_DIRS_LINE=$(echo $FUNCTION_DIRS)

# relocate OLD NEW FILE...: the paths a cache entry recorded under OLD,
# rewritten to NEW in each FILE that has them.  The entry names its own
# files by absolute path (kernel.env, source.env, the headers' Makefile),
# so a .cache copied from another clone (cp -al, hard links) would still
# point at that clone, and module builds in a build root, which mounts
# only this clone, would fail.  sed -i writes a new file, so the other
# clone keeps its own.
relocate() {
	reloc_old=$1 reloc_new=$2
	shift 2
	[ -n "$reloc_old" ] && [ "$reloc_old" != "$reloc_new" ] || return 0
	for reloc_file in "$@"; do
		! grep -qF "$reloc_old/" "$reloc_file" ||
			sed -i "s|$reloc_old/|$reloc_new/|g" "$reloc_file"
	done
	echo "cache: $reloc_new moved from $reloc_old"
}

fetch_source() {
	series=$1
	ver=$(newest_version "linux-source-$series" "$series" "$(source_suites "$series")")
	dir=$cache/src/$series
	if [ -f "$dir/source.env" ] && grep -qx "SVERSION=$ver" "$dir/source.env" &&
		[ -s "$dir/functions" ] &&
		grep -qxF "SFUNCDIRS='$FUNCTION_DIRS_LINE'" "$dir/source.env" && source_complete "$dir/linux-source-$series" \
			"$(sed -n "s/^SMISSING='\(.*\)'$/\1/p" "$dir/source.env")"; then
		relocate "$(sed -n 's|^SRCTREE=\(.*\)/linux-source-[^/]*$|\1|p' "$dir/source.env")" \
			"$dir" "$dir/source.env"
		echo "source $series: $ver (cached)"
		return
	fi
	echo "source $series: linux-source-$series $ver"
	rm -rf "$dir"
	unpack "$dir/deb" "linux-source-$series=$ver"
	tarball=$dir/deb/usr/src/linux-source-$series.tar.xz
	# The build needs only these files; MMAPDEMO_FULL_SOURCE=1 unpacks the
	# whole tree as a reference for reading kernel APIs.  A file of
	# SOURCE_FILES that this source lacks (7.3 has no kernellog.py) is
	# not an error: SMISSING records it.  Only the files the archive
	# lists are asked for, so that tar reports no member as missing and
	# any error it does report is a real one.
	members=""
	if [ "${MMAPDEMO_FULL_SOURCE:-0}" != 1 ]; then
		tar -tJf "$tarball" >"$dir/members" ||
			{ echo "fetch-kernels: cannot list $tarball" >&2; exit 1; }
		for f in $SOURCE_FILES; do
			! grep -qxF "linux-source-$series/$f" "$dir/members" ||
				members="$members linux-source-$series/$f"
		done
		rm -f "$dir/members"
	fi
	# The sources of the subsystems whose functions the documentation and
	# the CLI name, for the list of the functions this kernel defines or
	# declares (scripts/names-check.py); deleted again below unless the
	# whole tree is kept.
	# shellcheck disable=SC2046,SC2086 # lists of members and directories
	tar -C "$dir" -xJf "$tarball" $members \
		$([ "${MMAPDEMO_FULL_SOURCE:-0}" = 1 ] || for d in $FUNCTION_DIRS; do
			echo "linux-source-$series/$d"; done) ||
		{ echo "fetch-kernels: cannot unpack $tarball" >&2; exit 1; }
	rm -rf "$dir/deb"
	missing=""
	for f in $SOURCE_FILES; do
		[ -e "$dir/linux-source-$series/$f" ] || missing="${missing:+$missing }$f"
	done
	# One list for each architecture, its own directory and the common
	# ones (functions-x86-64, functions-arm64: what a kernel built for it
	# can have), and their union (functions: what a document can name).
	common=""
	for d in $FUNCTION_DIRS; do
		case " $ARCH_DIRS " in
		*":$d "*) ;;
		*) common="$common $d" ;;
		esac
	done
	# shellcheck disable=SC2086 # a list of directories
	(cd "$dir/linux-source-$series" && find $common -name '*.[ch]' -print0 |
		xargs -0 cat | source_functions) >"$dir/functions-common"
	for ad in $ARCH_DIRS; do
		# shellcheck disable=SC2086 # a list of directories
		(cd "$dir/linux-source-$series" && find "${ad#*:}" -name '*.[ch]' -print0 |
			xargs -0 cat | source_functions |
			LC_ALL=C sort -u -m - "$dir/functions-common") >"$dir/functions-${ad%%:*}"
	done
	LC_ALL=C sort -u -m "$dir"/functions-* >"$dir/functions"
	rm -f "$dir/functions-common"
	if [ "${MMAPDEMO_FULL_SOURCE:-0}" != 1 ]; then
		for d in $FUNCTION_DIRS; do
			case " $members " in
			*" linux-source-$series/$d/"*) ;;
			*) rm -rf "${dir:?}/linux-source-$series/$d" ;;
			esac
		done
	fi
	printf "SVERSION=%s\nSRCTREE=%s\nSMISSING='%s'\nSFUNCDIRS='%s'\n" "$ver" \
		"$dir/linux-source-$series" "$missing" "$FUNCTION_DIRS_LINE" >"$dir/source.env"
}

if [ "${1:-}" = --source ]; then
	shift
	for s in "$@"; do fetch_source "$s"; done
else
	for s in "$@"; do
		case $s in
		*-debug) "$top/scripts/build-debug-kernel.sh" "$s" ;;
		*) fetch_kernel "$s" ;;
		esac
	done
fi
exit
}
