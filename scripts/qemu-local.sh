#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Another Debian release's QEMU beside the host's, never installed over
# it: RELEASE's qemu-system-x86 and everything it depends on, down to the C
# library, unpacked (dpkg -x) from the Debian archive through
# scripts/apt-local.sh into a directory of their own, with a program
# "qemu-system-x86_64" there that runs that QEMU with its own dynamic
# loader, libraries, modules and firmware.  Made once per version, in a
# machine-wide cache (MMAPDEMO_QEMU_CACHE, default /var/cache/mmapdemo/qemu).
#
# Usage: scripts/qemu-local.sh RELEASE
#   RELEASE: an apt target release of scripts/apt-local.sh's list
#   (bookworm-backports, trixie, trixie-backports), or sid.
# Prints the path of the program; scripts/vm.sh runs it as VM_QEMU, e.g.
#   VM_QEMU=$(scripts/qemu-local.sh trixie-backports) scripts/vm.sh ...
# The apt lists are the project's (scripts/apt-local.sh update refreshes
# them; sid's with APT_LOCAL_SID=1).

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MMAPDEMO_CACHE:-$top/.cache}
release=${1:?usage: qemu-local.sh RELEASE}
qcache=${MMAPDEMO_QEMU_CACHE:-/var/cache/mmapdemo/qemu}

if [ "$release" = sid ]; then
	export APT_LOCAL_SID=1
	target=
	set -- "$cache"/apt-sid/lists/*_Packages*
	[ -e "$1" ] || "$top/scripts/apt-local.sh" update >&2
else
	target="-t $release"
fi
apt() {
	# shellcheck disable=SC2086 # $target is empty or two words
	"$top/scripts/apt-local.sh" get -y --no-install-recommends $target "$@"
}

# The version; then the whole closure, as apt would install it on an empty
# system (apt-local.sh's status is empty), downloaded into a directory of
# its own.
version=$(apt install -s qemu-system-x86 | sed -n 's/^Inst qemu-system-x86 (\([^ ]*\) .*/\1/p')
[ -n "$version" ] || { echo "qemu-local: no qemu-system-x86 in $release" >&2; exit 1; }
dir=$qcache/$release-$(echo "$version" | tr ':~+' '___')
if [ -x "$dir/qemu-system-x86_64" ]; then
	echo "$dir/qemu-system-x86_64"
	exit 0
fi
mkdir -p "$qcache"
rm -rf "$dir.tmp" "$dir.debs"
mkdir -p "$dir.tmp" "$dir.debs/partial"
apt -o Dir::Cache::archives="$dir.debs" install --download-only qemu-system-x86 >&2
for deb in "$dir.debs"/*.deb; do
	dpkg-deb -x "$deb" "$dir.tmp"
done
rm -rf "$dir.debs"
# The loader: /usr/lib/... in a merged-/usr release, /lib/... before.
ld=
for l in usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 lib/x86_64-linux-gnu/ld-linux-x86-64.so.2; do
	[ -e "$dir.tmp/$l" ] && ld=$l && break
done
[ -n "$ld" ] || { echo "qemu-local: no dynamic loader in $release's libc6" >&2; exit 1; }
# The firmware (seabios's BIOS) before QEMU's own directory, whose links
# to it are absolute and would reach the host's.
cat >"$dir.tmp/qemu-system-x86_64" <<EOF
#!/bin/sh
# $release's QEMU $version, unpacked by scripts/qemu-local.sh
d=\$(dirname "\$(readlink -f "\$0")")
QEMU_MODULE_DIR=\$d/usr/lib/x86_64-linux-gnu/qemu exec "\$d/$ld" \\
	--library-path "\$d/usr/lib/x86_64-linux-gnu:\$d/lib/x86_64-linux-gnu" \\
	"\$d/usr/bin/qemu-system-x86_64" \\
	-L "\$d/usr/share/seabios" -L "\$d/usr/share/qemu" "\$@"
EOF
chmod +x "$dir.tmp/qemu-system-x86_64"
"$dir.tmp/qemu-system-x86_64" --version >/dev/null
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$dir/qemu-system-x86_64"
exit
}
