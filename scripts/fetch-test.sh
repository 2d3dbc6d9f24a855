#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What scripts/fetch-kernels.sh --source does with a kernel source
# package, without a network: it unpacks only the files the build takes
# (SOURCE_FILES) and the sources of the function list, and a file the
# source lacks (7.3 has no Documentation/sphinx/kernellog.py) is recorded
# in SMISSING, with no "tar: ... Not found in archive" line or other
# error on a run that succeeds; a second call takes the cache; a tarball
# that cannot be read still fails, and says so.
#
# apt is a stand-in (MMAPDEMO_APT) that serves linux-source-9.9, a
# package made here, and the cache is a temporary one (MMAPDEMO_CACHE).
# make check's deps step runs the real fetch.
#
# Usage: scripts/fetch-test.sh       TAP

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/pkg" "$tmp/cache/apt"
# A fresh stamp: fetch-kernels.sh refreshes the package lists no more.
touch "$tmp/cache/apt/lists.stamp"

n=0 failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
		sed 's/^/# /' "$tmp/out" "$tmp/err"
	fi
}

# The files the build takes, as fetch-kernels.sh lists them.
files=$(sed -n '/^SOURCE_FILES="/,/"$/p' "$top/scripts/fetch-kernels.sh" |
	sed 's/^SOURCE_FILES="//; s/"$//')
lacks=Documentation/sphinx/kernellog.py
# The directories of the function list, which every kernel source has.
dirs=$(sed -n '/^FUNCTION_DIRS="/,/"$/p' "$top/scripts/fetch-kernels.sh" |
	sed 's/^FUNCTION_DIRS="//; s/"$//')

# source_deb SERIES GOOD: linux-source-SERIES 9.9.1-1 as a package in
# $tmp/pkg: a tarball with every file of SOURCE_FILES but kernellog.py,
# and the directories of the function list, with one function in mm/;
# or, if GOOD is 0, a tarball cut short.
source_deb() {
	t=$tmp/tree-$1
	mkdir -p "$t/deb/DEBIAN" "$t/deb/usr/src"
	for d in $dirs; do
		mkdir -p "$t/linux-source-$1/$d"
		echo "/* $d */" >"$t/linux-source-$1/$d/fetch_test.h"
	done
	for f in $files; do
		[ "$f" = "$lacks" ] && continue
		mkdir -p "$t/linux-source-$1/$(dirname "$f")"
		echo "# $f" >"$t/linux-source-$1/$f"
	done
	printf 'int fetch_test_function(void)\n{\n\treturn 0;\n}\n' \
		>"$t/linux-source-$1/mm/fetch_test.c"
	mkdir -p "$t/linux-source-$1/arch/arm64"
	printf 'void fetch_test_arm64(void)\n{\n}\n' \
		>"$t/linux-source-$1/arch/arm64/fetch_test.c"
	tar -C "$t" -cJf "$t/linux-source-$1.tar.xz" "linux-source-$1"
	if [ "$2" = 1 ]; then
		mv "$t/linux-source-$1.tar.xz" "$t/deb/usr/src/"
	else
		head -c 200 "$t/linux-source-$1.tar.xz" >"$t/deb/usr/src/linux-source-$1.tar.xz"
	fi
	printf 'Package: linux-source-%s\nVersion: %s.1-1\nArchitecture: all\nMaintainer: fetch-test <root@localhost>\nDescription: fetch-test stand-in\n' \
		"$1" "$1" >"$t/deb/DEBIAN/control"
	dpkg-deb -Zxz --build "$t/deb" "$tmp/pkg/linux-source-$1_$1.1-1_all.deb" >/dev/null
}
source_deb 9.9 1
source_deb 9.8 0

# The stand-in apt: the package lists of the two packages, and their
# download into the current directory; each call is logged.
cat >"$tmp/apt" <<EOF
#!/bin/sh
echo "apt \$*" >>"$tmp/calls"
case "\$1 \$2" in
"cache madison")
	v=\${3#linux-source-}
	[ -f "$tmp/pkg/\$3_\$v.1-1_all.deb" ] &&
		echo " \$3 | \$v.1-1 | http://deb.debian.org/debian trixie/main all Packages" ;;
"get download")
	p=\${3%%=*} v=\${3#*=}
	cp "$tmp/pkg/\${p}_\${v}_all.deb" . ;;
esac
EOF
chmod +x "$tmp/apt"

fetch() {
	MMAPDEMO_CACHE=$tmp/cache MMAPDEMO_APT=$tmp/apt \
		"$top/scripts/fetch-kernels.sh" --source "$@" >"$tmp/out" 2>"$tmp/err"
}

echo "1..6"

: >"$tmp/calls"
fetch 9.9
st=$?
[ "$st" = 0 ] && grep -qx "source 9.9: linux-source-9.9 9.9.1-1" "$tmp/out"
ok $? "a source package is fetched (status $st)"

! grep -q "tar:" "$tmp/out" "$tmp/err" && [ ! -s "$tmp/err" ]
ok $? "a source without $lacks unpacks with no tar error and nothing on stderr"

env=$tmp/cache/src/9.9/source.env
grep -qxF "SMISSING='$lacks'" "$env" 2>/dev/null
ok $? "source.env records the file the source lacks in SMISSING"

st=0
for f in $files; do
	[ "$f" = "$lacks" ] && continue
	[ -f "$tmp/cache/src/9.9/linux-source-9.9/$f" ] || { echo "# $f was not unpacked"; st=1; }
done
for l in functions functions-x86-64 functions-arm64; do
	grep -qx fetch_test_function "$tmp/cache/src/9.9/$l" 2>/dev/null ||
		{ echo "# mm/'s function is not in $l"; st=1; }
done
if ! grep -qx fetch_test_arm64 "$tmp/cache/src/9.9/functions-arm64" 2>/dev/null ||
	! grep -qx fetch_test_arm64 "$tmp/cache/src/9.9/functions" ||
	grep -qx fetch_test_arm64 "$tmp/cache/src/9.9/functions-x86-64"; then
	echo "# arch/arm64's function is not in arm64's list and the union alone"
	st=1
fi
for d in $dirs; do
	[ ! -e "$tmp/cache/src/9.9/linux-source-9.9/$d" ] || { echo "# $d was kept"; st=1; }
done
ok "$st" "the build's files are unpacked, mm/'s function listed for both architectures, arch/arm64's for arm64 only, the function list's directories removed again"

: >"$tmp/calls"
fetch 9.9
st=$?
[ "$st" = 0 ] && grep -qx "source 9.9: 9.9.1-1 (cached)" "$tmp/out" &&
	! grep -q "get download" "$tmp/calls"
ok $? "a second fetch takes the cache and downloads nothing (status $st)"

fetch 9.8
st=$?
[ "$st" != 0 ] && grep -q "^fetch-kernels: cannot list .*linux-source-9.8.tar.xz" "$tmp/err"
ok $? "a tarball that cannot be read fails and says so (status $st)"

[ "$failed" = 0 ]
exit
}
