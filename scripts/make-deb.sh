#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the four Debian packages (mmapdemo-dkms, libmmapdemo1,
# libmmapdemo-dev, mmapdemo) from a clean copy of the tracked files, as
# dpkg-buildpackage -us -uc -b does, and run lintian over them.
#
# Usage: scripts/make-deb.sh [OUTDIR]     (default build/deb)
# Prints "deb: lintian: N errors, N warnings" and fails on an error.

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
rm -rf "$out"
mkdir -p "$out/src"
# Only what git tracks (plus what is staged), never build/ or .cache/.
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 tar -cf - --) | tar -C "$out/src" -xf -

log=$out/build.log
if ! (cd "$out/src" && dpkg-buildpackage -us -uc -b) >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "deb: dpkg-buildpackage failed (full log: $log)" >&2
	exit 1
fi
rm -rf "$out/src"
ls "$out"/*.deb | sed 's|.*/|  DEB     |'

# lintian's tags by severity; the packages' overrides are in debian/.
lint=$out/lintian.log
lintian --info --display-level '>=warning' "$out"/*.changes >"$lint" 2>&1 || true
errors=$(grep -c '^E: ' "$lint" || true)
warnings=$(grep -c '^W: ' "$lint" || true)
grep -E '^(E|W): ' "$lint" | sed 's/^/    /' || true
echo "deb: lintian: $errors errors, $warnings warnings"
[ "$errors" = 0 ]
exit
}
