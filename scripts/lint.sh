#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The static gates that kernel maintainers run, over mmapdemo's code:
#  - checkpatch.pl --strict over the kernel code and the uapi header
#  - sparse (C=2) with W=1 for each kernel of the matrix, with the sparse
#    of the build root of the kernel's release (the host's when that is the
#    same package; scripts/buildroot.sh); where that sparse is too old for
#    the kernel, kbuild skips it: that is reported as a skip with its
#    reason, and W=1 as its own gate
#  - clang-format with the kernel's .clang-format over kmod/ and include/
#  - cppcheck over the user code and the selftests
# clang-format and cppcheck judge by their version, so they are Debian 12's
# on every host: the host's on Debian 12, else those of the bookworm build
# root (scripts/buildroot.sh).  Exceptions live in scripts/lint-exceptions,
# each with its reason.
#
# Usage: scripts/lint.sh KERNEL...      prints "lint: N passed, N failed"

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
srctree=${SRCTREE:-$top/.cache/src/6.1/linux-source-6.1}
pass=0 fail=0

# The version-dependent linters: Debian 12's, wherever we are.
pinned=""
# shellcheck source=/dev/null
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ "$codename" = bookworm ] || pinned="scripts/buildroot.sh run bookworm"
# Make the build roots that lint needs here, so that their making is seen.
[ -z "$pinned" ] || scripts/buildroot.sh path bookworm >/dev/null || exit 1
for k in "$@"; do
	where=$(MMAPDEMO_BUILDROOT=checker scripts/buildroot.sh where "$k")
	[ "$where" = host ] || scripts/buildroot.sh path "${where% root}" >/dev/null || exit 1
done

result() {
	if [ "$2" = 0 ]; then
		pass=$((pass + 1))
		echo "    ok    $1"
	else
		fail=$((fail + 1))
		echo "    FAIL  $1"
	fi
}

# exceptions FILE GATE: the exception types for FILE and GATE, or "all".
exceptions() {
	awk -v f="$1" -v g="$2" '
		$1 == f { split($2, a, ":"); if (a[1] == g) print (a[2] == "" ? "all" : a[2]) }
	' scripts/lint-exceptions
}

kernel_files=$(ls kmod/*.c kmod/*.h include/uapi/linux/mmapdemo.h selftests/modules/*.c)

echo "lint: checkpatch --strict"
for f in $kernel_files; do
	ignore=$(exceptions "$f" checkpatch)
	out=$(perl "$srctree/scripts/checkpatch.pl" --strict --no-tree --terse \
		--show-types --no-summary ${ignore:+--ignore "$ignore"} -f "$f" 2>&1)
	[ -z "$out" ] || echo "$out" | sed 's/^/      /'
	result "checkpatch $f" "$([ -z "$out" ] && echo 0 || echo 1)"
done

echo "lint: clang-format (the kernel's .clang-format)"
for f in $(ls kmod/*.c kmod/*.h include/uapi/linux/*.h); do
	[ "$(exceptions "$f" clang-format)" = all ] && continue
	out=$($pinned clang-format --style="file:$srctree/.clang-format" "$f" | diff -u "$f" -)
	[ -z "$out" ] || echo "$out" | head -n 20 | sed 's/^/      /'
	result "clang-format $f" "$([ -z "$out" ] && echo 0 || echo 1)"
done

echo "lint: sparse (C=2) and W=1"
for k in "$@"; do
	MMAPDEMO_BUILDROOT=checker scripts/build-module.sh "$k" kmod mmapdemo.ko C=2 \
		>/dev/null 2>&1
	st=$?
	log=build/$k/kmod/build.log
	[ "$st" = 0 ] || sed 's/^/      /' "$log" | grep -E 'warning|error' | head -n 20
	# kbuild only warns, in make's own words, when it finds no sparse
	# that it trusts for this kernel, and then compiles without it.
	nosparse=$(sed -n 's/^.*: \(C=2 specified, but .* not available or not up to date\)$/\1/p' "$log")
	if [ -n "$nosparse" ]; then
		where=$(MMAPDEMO_BUILDROOT=checker scripts/buildroot.sh where "$k")
		ver=$(MMAPDEMO_BUILDROOT=checker scripts/buildroot.sh kernel "$k" \
			sparse --version 2>/dev/null)
		echo "    skip  sparse kmod on $k: sparse ${ver:-(none)} in the $where is too old for this kernel (kbuild: $nosparse)"
		result "W=1 kmod on $k" "$st"
	elif [ "$st" = 0 ] && ! grep -q '^  CHECK ' "$log"; then
		echo "      sparse did not check any file (see $log)"
		result "sparse+W=1 kmod on $k" 1
	else
		result "sparse+W=1 kmod on $k" "$st"
	fi
done

echo "lint: cppcheck"
out=$($pinned cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	--inline-suppr --std=c11 -D__x86_64__ -Iinclude/uapi -Iinclude \
	-I"$srctree/tools/testing/selftests" --suppress="*:$srctree/*" \
	user selftests/*.c 2>&1)
st=$?
[ -z "$out" ] || echo "$out" | head -n 20 | sed 's/^/      /'
result "cppcheck user/ selftests/" "$st"

echo "lint: $pass passed, $fail failed"
[ "$fail" = 0 ]
exit
}
