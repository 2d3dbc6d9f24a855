#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What scripts/vm.sh does before it boots anything, without a network or
# a guest: a kernel of the matrix that is not here yet is fetched (make
# deps) and its initramfs built (make initramfs), in that order, before
# QEMU runs; a debug kernel that is not built is named with the command
# that builds it, and nothing is started; an unknown kernel fails with
# fetch-kernels' list of the known ones; an ivshmem backing file that
# does not exist is made, and one of a wrong size is refused.
#
# "make" and QEMU are stand-ins here (on PATH and VM_QEMU) that record
# how they were called; the kernel "vmtest" exists only for this test.
# make check's VMs run the real fetch and boot.
#
# Usage: scripts/vm-test.sh       TAP

# One compound command, which bash reads whole before it runs any of it:
# a change to this file cannot reach a run that has started.
{
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
k=vmtest
cleanup() {
	rm -rf "$tmp" "$top/.cache/kernels/$k" "$top/build/$k"
}
trap cleanup EXIT
cleanup
mkdir -p "$tmp/bin"

n=0 failed=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
		sed 's/^/# /' "$tmp/err"
	fi
}

# The stand-in make: "deps" leaves the kernel.env a fetch leaves,
# "initramfs" the initramfs; each call is logged.
cat >"$tmp/bin/make" <<EOF
#!/bin/sh
echo "make \$*" >>"$tmp/calls"
case " \$* " in
*" deps "*)
	mkdir -p "$top/.cache/kernels/$k"
	printf 'VMLINUZ=/nonexistent\nKCONFIG=/dev/null\nKARCH=amd64\n' \\
		>"$top/.cache/kernels/$k/kernel.env" ;;
*" initramfs "*)
	mkdir -p "$top/build/$k"
	echo | gzip >"$top/build/$k/initramfs.cpio.gz" ;;
esac
EOF
# The stand-in QEMU: it tells its version; asked to boot, it logs that
# and fails.
cat >"$tmp/bin/qemu" <<EOF
#!/bin/sh
if [ "\$1" = --version ]; then
	echo "QEMU emulator version 0 (vm-test's stand-in)"
	exit 0
fi
echo qemu >>"$tmp/calls"
echo "qemu stand-in: no guest here" >&2
exit 1
EOF
chmod +x "$tmp/bin/make" "$tmp/bin/qemu"

vm() {
	PATH="$tmp/bin:$PATH" VM_ACCEL=tcg VM_QEMU="$tmp/bin/qemu" \
		"$top/scripts/vm.sh" -n vmtest -t 30 "$@" true >"$tmp/out" 2>"$tmp/err"
}

echo "1..7"

# A kernel that is not here: fetched, its initramfs built, then booted.
: >"$tmp/calls"
vm "$k"
st=$?
printf 'make -s -C %s deps KERNELS=%s\nmake -s -C %s initramfs KERNELS=%s\nqemu\n' \
	"$top" "$k" "$top" "$k" | cmp -s - "$tmp/calls"
ok $? "a missing kernel: make deps, then make initramfs, then QEMU ($(paste -sd, "$tmp/calls"))"
grep -q "kernel $k is not here yet: fetching it (make deps KERNELS=$k)" "$tmp/err" &&
	grep -q "building the initramfs of $k (make initramfs KERNELS=$k)" "$tmp/err"
ok $? "a missing kernel: vm.sh says what it fetches and builds"
[ "$st" = 125 ] && grep -q "QEMU failed" "$tmp/err"
ok $? "a QEMU that fails: status 125 (got $st), and vm.sh says QEMU failed"

# Now that it is here, nothing is fetched again.
: >"$tmp/calls"
vm "$k"
[ "$(cat "$tmp/calls")" = qemu ]
ok $? "a kernel that is here: no make, only QEMU ($(paste -sd, "$tmp/calls"))"

# A debug kernel that is not built: the command that builds it, nothing run.
: >"$tmp/calls"
vm "$k-debug"
st=$?
[ "$st" = 2 ] && [ ! -s "$tmp/calls" ] &&
	grep -q "kernel $k-debug is not built yet: run 'make deps KERNELS=$k-debug'" "$tmp/err"
ok $? "an unbuilt debug kernel: status 2 (got $st), the make deps command named, nothing run"

# An unknown kernel: the real make deps fails with fetch-kernels' list.
"$top/scripts/vm.sh" -n vmtest -d "ivshmem=$tmp/new.img" nosuchkernel true \
	>"$tmp/out" 2>"$tmp/err"
st=$?
[ "$st" = 2 ] && grep -q "unknown kernel 'nosuchkernel' (known: " "$tmp/err"
ok $? "an unknown kernel: status 2 (got $st), and the known kernels listed"

# The ivshmem file of that run was made before the kernel was looked at,
# 4 MiB and sparse; a size that is not a power of two is refused.
size=$(stat -c %s "$tmp/new.img" 2>/dev/null)
blocks=$(stat -c %b "$tmp/new.img" 2>/dev/null)
"$top/scripts/vm.sh" -n vmtest -d "ivshmem=$tmp/odd.img,size=12288" "$k" true \
	>"$tmp/out" 2>>"$tmp/err"
st=$?
[ "$size" = 4194304 ] && [ "$blocks" = 0 ] && [ "$st" = 2 ] &&
	grep -q "its size, 12288 bytes, must be a power of two" "$tmp/err"
ok $? "ivshmem: a missing file is made (${size:-no file} bytes, ${blocks:-no} blocks), a size of 12288 is refused (status $st)"

echo "# vm-test: $((n - failed)) of $n passed"
[ "$failed" = 0 ]
exit
}
