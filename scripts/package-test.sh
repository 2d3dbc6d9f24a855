#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages for real, as a user would, and use them:
#  1. In a throwaway overlay of the build root of the Debian release that
#     built each KERNEL (scripts/buildroot.sh scratch), apt-get installs the
#     four packages built for that release (build/deb/ from make deb when
#     it is the host's, else built in that release's root: debs_for) and
#     that kernel's headers from the archive; DKMS must build and install
#     the module for that kernel.
#  2. The lab boots KERNEL with the DKMS-built module, the packaged library
#     and CLI (unpacked from the .debs) and the root's udevd with the
#     package's rule, and runs the CLI's and the library's smoke tests and
#     the permission test (selftests/udev_test.sh) against them.
#  3. apt-get purge must leave nothing of mmapdemo behind in the root.
#
# Usage: scripts/package-test.sh KERNEL...
# Prints TAP (ok/not ok lines) for check.sh, and the time of each step.

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
debs=$top/build/deb
n=0 failed=0

result() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		failed=$((failed + 1))
	fi
}

# leftovers UPPER: what of mmapdemo the root still holds, as paths in it.
# Logs and apt's lists and caches record what happened and are not the
# packages' files.
leftovers() {
	(cd "$1" && find . -name '*mmapdemo*' \
		! -path './var/log/*' ! -path './var/lib/apt/*' \
		! -path './var/cache/apt/*' ! -path './var/cache/debconf/*' | sed 's|^\.||')
	grep -q '^mmapdemo:' "$1/etc/group" 2>/dev/null && echo "group mmapdemo in /etc/group"
	true
}

ls "$debs"/mmapdemo-dkms_*_all.deb >/dev/null 2>&1 ||
	{ echo "package-test: no packages in $debs; run 'make deb'" >&2; exit 1; }

# apt_sources SUITE: the archive's lines for a root of release SUITE.
apt_sources() {
	local s sec
	case $1 in
	bookworm) set -- bookworm bookworm-updates bookworm-backports; sec=bookworm-security ;;
	*) set -- "$1" "$1-updates" "$1-backports"; sec=$1-security ;;
	esac
	for s in "$@"; do echo "deb http://deb.debian.org/debian $s main"; done
	echo "deb http://deb.debian.org/debian-security $sec main"
}

# debs_for SUITE: the directory of the packages to install in a root of
# release SUITE.  Packages built on a newer release than the root's need
# that release's C library (built on Debian 13: libc6 >= 2.38) and cannot
# go into the root, so an older release gets its own, built as Debian
# builds each release's packages, in that release: from the same tracked
# files, in a throwaway overlay of its build root, into build/deb-SUITE.
# A root of the host's release or a newer one takes build/deb (make deb,
# on the host).  A release without a number (sid) counts as the newest.
release_number() {
	# shellcheck source=/dev/null
	(. "$1" && echo "${VERSION_ID:-999}" | cut -d. -f1)
}
host_release=$(release_number /etc/os-release)
debs_for() {
	local suite=$1 out=$top/build/deb-$1 root
	root=$(scripts/buildroot.sh path "$suite") || return 1
	if [ "$(release_number "$root/etc/os-release")" -ge "$host_release" ]; then
		echo "$debs"
		return
	fi
	[ -f "$out/.built" ] && { echo "$out"; return; }
	rm -rf "$out"
	mkdir -p "$out/src"
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 tar -cf - --) | tar -C "$out/src" -xf -
	apt_sources "$suite" >"$out/sources.list"
	cat >"$out/build.sh" <<SCRIPT
set -e
export DEBIAN_FRONTEND=noninteractive
cp $out/sources.list /etc/apt/sources.list
apt-get update -q
apt-get install -y -q --no-install-recommends build-essential debhelper \
	dh-dkms libkmod-dev pkgconf
cd $out/src && dpkg-buildpackage -us -uc -b
SCRIPT
	if ! scripts/buildroot.sh scratch "$suite" "$out/root" sh "$out/build.sh" \
		>"$out/build.log" 2>&1; then
		tail -n 20 "$out/build.log" | sed 's/^/# /' >&2
		return 1
	fi
	rm -rf "$out/src" "$out/root"
	touch "$out/.built"
	echo "$out"
}

for k in "$@"; do
	# shellcheck source=/dev/null
	. "$top/.cache/kernels/$k/kernel.env"
	work=$top/build/$k/pkgtest
	rm -rf "$work"
	mkdir -p "$work/stage" "$work/modules"
	start=$(date +%s)

	# 1. Install, as a user of the release that built the kernel would,
	# that release's packages.
	if ! kdebs=$(debs_for "$KSUITE"); then
		result "$k: the packages for $KSUITE build in a $KSUITE root (see build/deb-$KSUITE/build.log)" 1
		continue
	fi
	apt_sources "$KSUITE" >"$work/sources.list"
	cat >"$work/install.sh" <<SCRIPT
set -e
export DEBIAN_FRONTEND=noninteractive
cp $work/sources.list /etc/apt/sources.list
apt-get update -q
apt-get install -y -q --no-install-recommends udev \\
	linux-headers-$KRELEASE=$KVERSION $kdebs/mmapdemo-dkms_*_all.deb \\
	$kdebs/libmmapdemo1_*.deb $kdebs/libmmapdemo-dev_*.deb $kdebs/mmapdemo_*.deb
dkms status mmapdemo
SCRIPT
	scripts/buildroot.sh scratch "$KSUITE" "$work/root" sh "$work/install.sh" \
		>"$work/install.log" 2>&1
	st=$?
	upper=$work/root/upper
	# /lib is /usr/lib in a merged-/usr root.
	ko=$(find "$upper/lib/modules/$KRELEASE" "$upper/usr/lib/modules/$KRELEASE" \
		-path '*/updates/dkms/mmapdemo.ko*' 2>/dev/null | head -n 1)
	if [ "$st" != 0 ] || [ -z "$ko" ]; then
		tail -n 20 "$work/install.log" | sed 's/^/# /'
		st=1
	fi
	result "$k: apt-get installs the packages and DKMS builds mmapdemo for $KRELEASE in a $KSUITE root" "$st"
	echo "# $k: install and DKMS build: $(($(date +%s) - start))s"
	[ "$st" = 0 ] || continue

	# 2. Boot the kernel with what the packages installed.
	case $ko in
	*.xz) xz -dc "$ko" >"$work/modules/mmapdemo.ko" ;;
	*.zst) zstd -qdc "$ko" >"$work/modules/mmapdemo.ko" ;;
	*) cp "$ko" "$work/modules/mmapdemo.ko" ;;
	esac
	for d in "$kdebs"/libmmapdemo1_*.deb "$kdebs"/mmapdemo_*.deb; do
		dpkg -x "$d" "$work/stage"
	done
	# The root's udevd and udevadm, the libraries they load, its group
	# database (with the group the package made) and the package's rule,
	# under /udevroot: udev_test.sh runs them there with chroot, so they
	# use the root's C library and the lab's programs the host's.
	scripts/buildroot.sh scratch "$KSUITE" "$work/root" sh -c '
		set -e
		for f in /lib/systemd/systemd-udevd /bin/udevadm; do
			echo "$f"; ldd "$f" | grep -o "/[^ ]*"
		done
		echo /etc/group; echo /etc/passwd
		ls /lib/udev/rules.d/60-mmapdemo-dkms.rules' >"$work/udev.files" 2>"$work/udev.err"
	mkdir -p "$work/stage/udevroot"
	scripts/buildroot.sh scratch "$KSUITE" "$work/root" \
		tar -chf - $(sort -u "$work/udev.files") 2>>"$work/udev.err" |
		tar -C "$work/stage/udevroot" -xf -
	# A merged-/usr root has /lib, /bin ... as links into /usr, and
	# newer udevd reads its rules only from /usr/lib/udev: lay the copy
	# out the same way.
	for d in bin sbin lib lib64; do
		[ -L "$(scripts/buildroot.sh path "$KSUITE")/$d" ] || continue
		[ -d "$work/stage/udevroot/$d" ] || continue
		mkdir -p "$work/stage/udevroot/usr/$d"
		cp -a "$work/stage/udevroot/$d/." "$work/stage/udevroot/usr/$d/"
		rm -rf "${work:?}/stage/udevroot/$d"
		ln -s "usr/$d" "$work/stage/udevroot/$d"
	done
	# The packaged CLI finds the packaged library in the system's library
	# directory; ldd must find it in the stage to see what it loads.
	LD_LIBRARY_PATH=$(echo "$work"/stage/usr/lib/*-linux-gnu) \
		scripts/mkinitramfs.sh "$work/initramfs.cpio.gz" "$work/modules" "$work/stage" \
		build/selftests/lib_test build/selftests/cli_test.sh \
		build/selftests/udev_test.sh
	start=$(date +%s)
	# An ivshmem, so that the rule's line for PCI devices' nodes and the
	# CLI's BAR cases run too.
	scripts/vm.sh -n pkgtest -t 900 -i "$work/initramfs.cpio.gz" \
		-d "ivshmem=$work/ivshmem.img,size=4M" "$k" \
		'insmod $LAB_MODULE && udev_test.sh && lib_test && cli_test.sh' \
		>"$work/vm.tap" 2>&1
	vm_st=$?
	echo "# $k: VM with the packaged module, library and CLI: $(($(date +%s) - start))s, exit $vm_st"
	# Each result of the VM's tests becomes one here; a skip stays a skip,
	# with its reason.  The kselftest harness prints a skip without the
	# case's name ("ok N # SKIP reason"): that comes from its "#  RUN" line.
	run=
	while IFS= read -r line; do
		case $line in
		"#  RUN "*) run=${line#\#  RUN } run=${run%% *} ;;
		"ok "*"# SKIP"* | "ok "*"# skip"*)
			line=${line#ok [0-9]* }
			case $line in "#"*) line="$run $line" ;; esac
			result "$k: packaged: $line" 0 ;;
		"ok "*) result "$k: packaged: ${line#ok [0-9]* }" 0 ;;
		"not ok "*) result "$k: packaged: ${line#not ok [0-9]* }" 1 ;;
		esac
	done < <(grep -E '^((not )?ok [0-9]+ |#  RUN )' "$work/vm.tap")
	log=build/$k/vm/pkgtest
	gate=0
	scripts/klog-gate.sh "$log" >/dev/null || gate=1
	result "$k: packaged: the VM ran to its end (exit $vm_st) with a clean kernel log" \
		"$([ "$vm_st" = 0 ] && [ "$gate" = 0 ] && echo 0 || echo 1)"

	# 3. Remove it all again.
	start=$(date +%s)
	scripts/buildroot.sh scratch "$KSUITE" "$work/root" env DEBIAN_FRONTEND=noninteractive \
		apt-get purge -y -q mmapdemo-dkms libmmapdemo1 libmmapdemo-dev mmapdemo \
		>"$work/purge.log" 2>&1
	st=$?
	left=$(leftovers "$upper")
	[ -z "$left" ] || echo "$left" | sed 's/^/# left behind: /'
	result "$k: apt-get purge leaves nothing of mmapdemo behind" \
		"$([ "$st" = 0 ] && [ -z "$left" ] && echo 0 || echo 1)"
	echo "# $k: purge: $(($(date +%s) - start))s"
done
echo "# package-test: $n checks, $failed failed"
[ "$failed" = 0 ]
exit
}
