#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# apt-get and apt-cache through a project-local sources list, so that kernel
# packages can be fetched from Debian 12 (bookworm) and Debian 13 (trixie),
# with their updates, security and backports suites, without touching the
# system's apt configuration or installing anything.
#
# APT_LOCAL_SID=1 uses a second list of sid alone instead, for the one
# package the build roots take from there (scripts/buildroot.sh).
#
# APT_LOCAL_ARCH=arm64 uses lists of that architecture alone, in a
# directory of their own, for the arm64 kernels and the arm64 busybox of
# the lab (scripts/fetch-kernels.sh, scripts/mkinitramfs.sh).
#
# Usage: scripts/apt-local.sh {update|get|cache} ARGS...

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
apt_dir=${MMAPDEMO_CACHE:-$top/.cache}/apt${APT_LOCAL_SID:+-sid}${APT_LOCAL_ARCH:+-$APT_LOCAL_ARCH}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$apt_dir/etc"
if [ -n "${APT_LOCAL_SID:-}" ]; then
	echo "deb [signed-by=$keyring] $mirror sid main" >"$apt_dir/etc/sources.list"
else
	cat >"$apt_dir/etc/sources.list" <<SOURCES
deb [signed-by=$keyring] $mirror bookworm main
deb [signed-by=$keyring] $mirror bookworm-updates main
deb [signed-by=$keyring] $mirror bookworm-backports main
deb [signed-by=$keyring] $security bookworm-security main
deb [signed-by=$keyring] $mirror trixie main
deb [signed-by=$keyring] $mirror trixie-updates main
deb [signed-by=$keyring] $mirror trixie-backports main
deb [signed-by=$keyring] $security trixie-security main
SOURCES
fi

set -- "$@"
cmd=$1
shift
opts="-o Dir::Etc::SourceList=$apt_dir/etc/sources.list
      -o Dir::Etc::SourceParts=/dev/null
      -o Dir::State::Lists=$apt_dir/lists
      -o Dir::Cache=$apt_dir
      -o Dir::Cache::archives=$apt_dir/archives
      -o Dir::State::status=/dev/null
      -o APT::Get::List-Cleanup=0
      -o APT::Sandbox::User=root
      -o Debug::NoLocking=1"
[ -z "${APT_LOCAL_ARCH:-}" ] ||
	opts="$opts -o APT::Architecture=$APT_LOCAL_ARCH -o APT::Architectures=$APT_LOCAL_ARCH"

case $cmd in
update) exec apt-get -q $opts update ;;
get) exec apt-get -q $opts "$@" ;;
cache) exec apt-cache $opts "$@" ;;
*) echo "usage: $0 {update|get|cache} ARGS..." >&2; exit 2 ;;
esac
exit
}
