#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# "make install" works for an outside project: install into a scratch
# DESTDIR, then build a program with nothing but the installed header and
# pkg-config, against the shared and the static library, and run both.
# Prints TAP.
#
# Usage: scripts/install-test.sh

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
n=0 failed=0

result() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n $1"
	else
		failed=$((failed + 1))
		echo "not ok $n $1"
	fi
}

echo "TAP version 13"
echo "1..6"
make -s --no-print-directory -C "$top/user" install DESTDIR="$dest" \
	PREFIX=/usr >"$dest/install.log" 2>&1
result "make install DESTDIR PREFIX=/usr" $?
ok=0
for f in usr/include/mmapdemo.h usr/include/linux/mmapdemo.h \
	usr/lib/libmmapdemo.so.1 usr/lib/libmmapdemo.so usr/lib/libmmapdemo.a \
	usr/lib/pkgconfig/mmapdemo.pc usr/bin/mmapdemo \
	usr/share/man/man1/mmapdemo.1 usr/share/man/man3/libmmapdemo.3; do
	[ -e "$dest/$f" ] || { echo "# missing $f"; ok=1; }
done
# The paths make paths recorded, where the CLI looks for them.
for f in "$top"/Documentation/paths/*.json; do
	[ -e "$f" ] || continue
	cmp -s "$f" "$dest/usr/share/mmapdemo/paths/${f##*/}" ||
		{ echo "# missing or not the same: usr/share/mmapdemo/paths/${f##*/}"; ok=1; }
done
result "installed files" $ok

soname=$(readelf -d "$dest/usr/lib/libmmapdemo.so.1" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libmmapdemo.so.1 ]
result "soname is libmmapdemo.so.1 (got $soname)" $?

# Only the API is exported, each symbol with the version node that the
# version script gives it (@@ its default version; @ an older one that
# the library keeps for programs linked before, as mmapdemo_walk@1.0).
nodes=$(sed -n 's/^\(LIBMMAPDEMO_[0-9.]*\) {.*/\1/p' "$top/user/lib/libmmapdemo.map" | tr '\n' '|')
bad=$(nm -D --defined-only "$dest/usr/lib/libmmapdemo.so.1" |
	awk -v nodes="^mmapdemo_[a-z_]*@@?(${nodes%|})$" '$2 == "T" && $3 !~ nodes')
[ -z "$bad" ] || echo "# unversioned or private exports: $bad"
result "exports: mmapdemo_* at the version script's nodes ($(echo "${nodes%|}" | tr '|' ' ')) only" "$([ -z "$bad" ] && echo 0 || echo 1)"

export PKG_CONFIG_SYSROOT_DIR="$dest" PKG_CONFIG_LIBDIR="$dest/usr/lib/pkgconfig"
cflags=$(pkg-config --cflags mmapdemo) libs=$(pkg-config --libs mmapdemo)
gcc -Wall -Wextra -Werror $cflags -o "$dest/consumer" \
	"$top/user/tests/consumer.c" $libs &&
	LD_LIBRARY_PATH="$dest/usr/lib" "$dest/consumer" | sed 's/^/# /'
result "shared: built with pkg-config and run" $?

# The static library; libkmod itself is shared only on Debian.
gcc -Wall -Wextra -Werror $cflags -o "$dest/consumer-static" \
	"$top/user/tests/consumer.c" "$dest/usr/lib/libmmapdemo.a" \
	$(pkg-config --libs-only-l --static mmapdemo | sed 's/-lmmapdemo//') &&
	! ldd "$dest/consumer-static" | grep -q libmmapdemo &&
	"$dest/consumer-static" | sed 's/^/# /'
result "static: built against libmmapdemo.a and run" $?
[ "$failed" = 0 ]
exit
}
