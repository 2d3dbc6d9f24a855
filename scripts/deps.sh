#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what the lab needs and fetch the kernels of the matrix.  Idempotent:
# a second run checks and does nothing.  Kernels go to the project's cache,
# never to /boot, and apt's own sources stay untouched.
#
# Usage: scripts/deps.sh KERNEL...

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)

# Build tools, the VM, and what the checks run; debootstrap makes the build
# roots of kernels whose compiler the host lacks (scripts/buildroot.sh);
# libtracefs for the CLI's tracing (libtracefs-dev does not pull in the
# libtraceevent-dev its pkg-config file requires); qemu-system-arm for the
# arm64 kernels (qemu-system-aarch64).  Nothing else.
packages="gcc gcc-multilib make libc6-dev qemu-system-x86 busybox-static cpio kmod
	libkmod-dev libtracefs-dev libtraceevent-dev pkg-config xz-utils gzip bc flex bison libelf-dev dwarves
	sparse cppcheck clang-format perl python3 gnuplot-nox debootstrap qemu-system-arm
	debhelper dh-dkms dpkg-dev fakeroot lintian python3-sphinx graphviz
	e2fsprogs zstd build-essential"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: missing packages:$missing" >&2
		echo "deps: install them with: sudo apt-get install$missing" >&2
		exit 1
	fi
	echo "deps: installing$missing"
	apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		$missing >/dev/null
fi

"$top/scripts/fetch-kernels.sh" "$@"
"$top/scripts/fetch-kernels.sh" --source "${SOURCE_SERIES:-6.1}"
exit
}
