#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Lay out the module's source as DKMS wants it, under ROOT/usr/src/
# mmapdemo-VERSION: dkms.conf with the version filled in, kmod/ (with its
# Kbuild feature probes) and the
# uapi header beside it, so that "make -C kmod" works there as it does
# here.  The Debian package uses it, and so does "make dkms-install".
#
# Usage: scripts/dkms-src.sh ROOT        prints the directory it made

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
root=$1
version=$(head -n 1 "$top/debian/changelog" | cut -d ' ' -f 2 | tr -d '()')
dest=$root/usr/src/mmapdemo-$version

rm -rf "$dest"
install -d "$dest/kmod/probes" "$dest/include/uapi/linux"
install -m 0644 "$top"/kmod/Kbuild "$top"/kmod/Makefile "$top"/kmod/*.c \
	"$top"/kmod/*.h "$dest/kmod/"
# The Kbuild feature probes run before the module's objects.
install -m 0644 "$top"/kmod/probes/*.c "$dest/kmod/probes/"
install -m 0755 "$top"/kmod/probes/run.sh "$dest/kmod/probes/"
install -m 0644 "$top/include/uapi/linux/mmapdemo.h" "$dest/include/uapi/linux/"
sed "s/#MODULE_VERSION#/$version/" "$top/dkms.conf" >"$dest/dkms.conf"
echo "$dest"
exit
}
