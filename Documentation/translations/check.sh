#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Check that every translation under Documentation/translations/ still
# follows its original: each translation names its original (":Original:")
# and the git blob id of the original it was made from (":原文版本:",
# "original revision", from "git hash-object ORIGINAL").  When the original
# has changed since, this fails and says how to see what changed; update
# the translation, then record the new blob id.
#
# Usage: Documentation/translations/check.sh      ("make transcheck")
# Prints TAP, one line per translation.
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
n=0 stale=0
for f in Documentation/translations/*/*.rst; do
	case $f in
	*/index.rst | */disclaimer-*.rst) continue ;;
	esac
	n=$((n + 1))
	orig=$(sed -n 's/^:Original: *\([^ ]*\).*/\1/p' "$f" | head -n 1)
	rev=$(sed -n 's/^:原文版本: *\([0-9a-f]*\).*/\1/p' "$f" | head -n 1)
	if [ -z "$orig" ] || [ -z "$rev" ] || [ ! -f "$orig" ]; then
		echo "not ok $n $f names its original"
		echo "# transcheck: $f: no ':Original:' file or ':原文版本:' blob id"
		stale=$((stale + 1))
		continue
	fi
	now=$(git hash-object "$orig")
	if [ "$now" != "$rev" ]; then
		echo "not ok $n $f follows $orig"
		echo "# transcheck: $f is stale: it follows $orig at $rev, which is now $now"
		echo "# transcheck:   what changed: git show $rev | diff -u - $orig"
		stale=$((stale + 1))
	else
		echo "ok $n $f follows $orig"
	fi
done
echo "# transcheck: $n translations, $((n - stale)) up to date"
[ "$stale" = 0 ] && [ "$n" -gt 0 ]
