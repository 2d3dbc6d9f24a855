#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The mmapdemo CLI in the lab VM: every command, its JSON, its exit codes
# and hints.  Needs root, the module loaded and $LAB_MODULE (the lab sets
# both); leaves the module loaded with its defaults.  Prints TAP.
set -u
n=0 failed=0
out=/tmp/cli_test.out

# t NAME EXPECTED_STATUS COMMAND...: run, keep the output in $out.
t() {
	name=$1 want=$2
	shift 2
	n=$((n + 1))
	"$@" >"$out" 2>&1
	got=$?
	if [ "$got" = "$want" ]; then
		ok=1
	else
		ok=0
		echo "# $name: exit status $got, want $want"
	fi
}

# has PATTERN...: the last output holds each (fixed) string.
has() {
	for p in "$@"; do
		if ! grep -qF -- "$p" "$out"; then
			ok=0
			echo "# $name: no '$p' in the output"
		fi
	done
}

# hasnt PATTERN: the last output does not hold it.
hasnt() {
	if grep -qF -- "$1" "$out"; then
		ok=0
		echo "# $name: unexpected '$1' in the output"
	fi
}

done_() {
	if [ "$ok" = 1 ]; then
		echo "ok $n $name"
	else
		failed=$((failed + 1))
		sed 's/^/#   | /' "$out" | head -n 40
		echo "not ok $n $name"
	fi
}

# ordered A B...: the strings appear in this order in the output.
ordered() {
	line=0
	for p in "$@"; do
		l=$(grep -nF -- "$p" "$out" | cut -d: -f1 | awk -v min="$line" '$1 > min { print; exit }')
		if [ -z "$l" ]; then
			ok=0
			echo "# $name: '$p' missing or out of order"
			return
		fi
		line=$l
	done
}

echo "TAP version 13"
echo "1..34"
if [ "$(id -u)" != 0 ] || [ -z "${LAB_MODULE:-}" ]; then
	echo "# needs root and LAB_MODULE (run it in the lab VM)"
	exit 4
fi
[ -e /sys/module/mmapdemo ] || insmod "$LAB_MODULE"

t help 0 mmapdemo --help
has "info" "stats" "load" "unload" "map" "path" "trace" "exit status"; done_

t unknown_command 2 mmapdemo frobnicate
has "no command 'frobnicate'" "usage:"; done_

t info 0 mmapdemo info
has "size (bytes)             4194304" "default strategy         fault" \
	"features                 fault remap insert tracepoints walk defio"; done_

t info_json 0 mmapdemo --json info
has '"abi_version": 1' '"size": 4194304' '"page_size": 4096' '"default_strategy": "fault"'
head -n 1 "$out" | grep -qx '{' || ok=0
tail -n 1 "$out" | grep -qx '}' || ok=0
done_

t stats_json 0 mmapdemo stats --json
has '"mmaps":' '"live_vmas": 0'; done_

t map_shared_write 0 mmapdemo map --calls none --write hello --read 5
has "write reached the device yes" "data                     hello" \
	"->page_mkwrite calls"; done_

t map_private_insert 0 mmapdemo map --calls none --strategy insert --private --write hi
has "write reached the device no" "pages mapped at mmap()"; done_

# An EINVAL says which of the device's rules refused it, and where.
t map_remap_private_refused 1 mmapdemo map --calls none --strategy remap --private
has "Invalid argument" \
	"why: the remap strategy's rule: no MAP_PRIVATE mapping (Documentation/semantics.rst"
done_

t map_outside_refused 1 mmapdemo map --calls none --offset "$(($(cat /sys/class/misc/mmapdemo/size) - 4096))" --length 8K
has "Invalid argument" "why: the device's rule: the range lies outside the device's memory"
done_

# A BAR's memory has no struct page for the core to copy on write: the
# device refuses MAP_PRIVATE there, and the tool says that rule.
bar=
for d in /sys/class/misc/mmapdemo-*; do
	pci=/sys/bus/pci/devices/${d##*/mmapdemo-}
	[ -e "$d/bar" ] && [ "$(cat "$pci/vendor" 2>/dev/null)" = 0x1af4 ] &&
		[ "$(cat "$pci/device" 2>/dev/null)" = 0x1110 ] &&
		{ bar=/dev/${d##*/}; break; }
done
if [ -n "$bar" ]; then
	t map_bar_private_refused 1 mmapdemo --device "$bar" map --calls none --strategy fault --private
	has "Invalid argument" \
		"why: the device's rule: no MAP_PRIVATE on a BAR: vmf_insert_pfn_prot() forbids a copy-on-write VM_PFNMAP VMA"
	done_
else
	n=$((n + 1))
	echo "ok $n map_bar_private_refused # SKIP no ivshmem-plain device bound to mmapdemo: boot with scripts/vm.sh -d ivshmem=FILE"
fi

# remap maps one physically contiguous run: the 4 MiB RAM device is made
# of runs of up to 2 MiB (backing_kbuf.c), and where the PFNs on either
# side of offset 2 MiB are not adjacent, a remap mapping across it is
# refused, and the tool names the rule.  Whether they are is the page
# allocator's choice in this boot, read here from the walk (root).
pfn_at() {
	mmapdemo path --calls none --offset "$1" 2>/dev/null |
		awk '/PFN \(walk\)/ { print $3; exit }'
}
before=$(pfn_at 0x1ff000) after=$(pfn_at 0x200000)
case "$before$after" in
*0x*0x*)
	if [ $((before + 1)) != $((after)) ]; then
		t map_remap_crosses_runs 1 mmapdemo map --calls none --strategy remap \
			--offset 0x1ff000 --length 8K
		has "Invalid argument" "crosses from one run to the next"
		done_
	else
		n=$((n + 1))
		echo "ok $n map_remap_crosses_runs # SKIP the device's pages at offsets 0x1ff000 and 0x200000 are physically adjacent in this boot (PFNs $before, $after): no remap across them is refused"
	fi
	;;
*)
	n=$((n + 1)) failed=$((failed + 1))
	echo "# map_remap_crosses_runs: no PFN from mmapdemo path at 0x1ff000 ('$before') or 0x200000 ('$after')"
	echo "not ok $n map_remap_crosses_runs"
	;;
esac

# A write to a MAP_PRIVATE insert mapping: its PTE was there, read-only,
# and the write copied the page, with no ->fault; the tool says so.
t path_insert_private_cow 0 mmapdemo path --calls none --strategy insert --private --write
has "a copy-on-write fault, not the driver's" "(wp_page_copy()) copied the device page" \
	"minor faults (getrusage) 1"
hasnt "no ->fault call: the PTE was already there"; done_

t path_remap_no_fault 0 mmapdemo path --calls none --strategy remap --write
has "no fault at all: the PTE was already there"; done_

t map_prot_read_write 1 mmapdemo map --calls none --prot r --write x
has "Segmentation fault" "SEGV_ACCERR"; hasnt "write reached the device yes"; done_

t map_bad_prot 2 mmapdemo map --prot q
has "--prot q" "usage: mmapdemo map"; done_
# PROT_EXEC is the device's refusal (EPERM), not a permission of the
# caller's: no hint about the node's mode or root.
t map_prot_exec_refused 1 mmapdemo map --calls none --prot rx
has "Operation not permitted" "why: the device's rule: no PROT_EXEC"
hasnt "run as root"; done_

t map_populate 0 mmapdemo --json map --calls none --populate --length 16K --read 1
has '"faults": 4' '"eager_pages": 0'; done_

t path_fault_write 0 mmapdemo --json path --calls none --offset 0x2000 --write
has '"walk_result": "mapped"' '"device_page": 2' '"pfn_agrees": true' \
	'"mkwrites": 1' '"event": "mmapdemo_fault"' '"event": "mmapdemo_mkwrite"'; done_

t path_fault_text 0 mmapdemo path --calls none --offset 4096
has "1. mmap(2)" "2. the VMA" "3. page tables before" "4. first touch" \
	"5. page tables after" "PGD" "P4D" "PUD" "PMD" "PTE" "device page              1"
ordered "3. page tables before" "hole: stopped at an empty entry" "4. first touch" \
	"->fault: pages mapped" "5. page tables after" "walk                     mapped"
done_

t path_remap 0 mmapdemo --json path --calls none --strategy remap
has '"eager_pages": 1' '"faults": 0' '"present": false' '"device_page": 0'
grep '"bits"' "$out" | tail -n 1 | grep -q special || { ok=0; echo "# PTE not special"; }
done_

# The notes of the text output: what the core added, why accessed is set
# before any touch (remap and insert only), and why pagemap is silent.
# Kernels without CONFIG_MEM_SOFT_DIRTY (the lab's 6.12-debug) have no
# VM_SOFTDIRTY and no soft-dirty bit: the notes must not claim them there.
softdirty=0
grep -q '^VmFlags:.* sd' /proc/self/smaps && softdirty=1
# sd_note: the soft-dirty note is there exactly when the kernel has it.
sd_note() {
	if [ "$softdirty" = 1 ]; then
		has "sd (VM_SOFTDIRTY) is the core's, not the driver's"
	else
		hasnt "VM_SOFTDIRTY"
	fi
}
t path_notes_fault 0 mmapdemo path --calls none
sd_note
hasnt "accessed is set, yet nothing has touched the page"; done_

t path_notes_remap 0 mmapdemo path --calls none --strategy remap
sd_note
has "accessed is set, yet nothing has touched the page" \
	"(pfn_pte() in remap_pte_range())" \
	"the page-table walk of /proc/PID/pagemap skips such a VMA because of"
hasnt "no struct page to report"
hasnt "insert_page_into_pte_locked"; done_

t path_notes_insert 0 mmapdemo path --calls none --strategy insert
has "accessed is set, yet nothing has touched the page" \
	"(mk_pte() in insert_page_into_pte_locked())"
hasnt "skips such a VMA"
hasnt "remap_pte_range"; done_

# --dot writes the walk for Graphviz: every level, the device page.
rm -f /tmp/cli_test.dot
t path_dot 0 mmapdemo path --calls none --offset 0x1000 --write --dot /tmp/cli_test.dot
has "graph (Graphviz)         /tmp/cli_test.dot"
cp /tmp/cli_test.dot "$out"
has "digraph mmapdemo_path {" "PGD entry" "P4D entry" "PUD entry" "PMD entry" \
	"PTE entry" "device page 1, offset 0x1000\\nof the device's RAM (/dev/mmapdemo is no PCI BAR)" \
	"strategy fault" "l4 -> page"
# The leaf's bits by name: x86-64's, or an arm64 descriptor's fields.
case $(uname -m) in
aarch64) has "arm64: page AttrIndx=0 AP[2:1]=01 AF nG DBM PXN UXN" ;;
*) has "dirty leaf nx" ;;
esac
if [ "$softdirty" = 1 ]; then has "dirty leaf nx soft-dirty"; else hasnt "soft-dirty"; fi
[ "$(tail -n 1 "$out")" = "}" ] || { ok=0; echo "# the graph does not end"; }
done_

# The legend needs no device, so nobody may print it.
t path_legend 0 su -s /bin/sh nobody -c "mmapdemo path --legend"
# The legend of the machine's architecture.
case $(uname -m) in
aarch64)
	has "arm64 descriptor bits" "51     DBM" "2-4    AttrIndx" \
		"leaf         not a bit" "2  MT_NORMAL_NC      0x44  Normal-NC" \
		"3  MT_DEVICE_nGnRnE  0x00  Device-nGnRnE"
	hasnt "PAT=0 PCD=0 PWT=1" ;;
*)
	has "soft-dirty kernel only; MMU ignores" "special    kernel only" \
		"leaf       not a bit" "PAT=0 PCD=0 PWT=1  WC" "PAT=1 PCD=1 PWT=1  WT" ;;
esac
done_

t path_address 0 mmapdemo --json path --calls none 0x7f0000001234 --offset 0x3000
has '"address": "0x7f0000001234"' '"device_page": 3' '"device_offset": "0x3234"'; done_

t path_private_cow 0 mmapdemo --json path --calls none --strategy insert --private --write
has '"device_page": "none: a private copy (COW)"'; done_

t path_beyond_device 2 mmapdemo path --offset 64M
has "beyond the device"; done_

t path_unprivileged 4 su -s /bin/sh nobody -c "mmapdemo path"
has "Permission denied" "hint:"; done_

t missing_device 3 mmapdemo --device /dev/nonexistent stats
has "No such file or directory" "hint:" "mmapdemo load"; done_

t trace 0 mmapdemo trace -- mmapdemo map --write hi
ordered "mmapdemo_mmap" "mmapdemo_fault" "mmapdemo_mkwrite" "mmapdemo_vma_close"
done_

t trace_json_failing_command 1 mmapdemo --json trace -- false
has '"exit_status": 1' '"count": 0'; done_

t unload_busy 1 sh -c 'exec 3</dev/mmapdemo; mmapdemo unload'
has "Resource temporarily unavailable" "still open"; done_

t unload_load 0 sh -c "mmapdemo unload && ! mmapdemo info >/dev/null 2>&1 &&
	mmapdemo load --size 8M --strategy remap $LAB_MODULE && mmapdemo --json info &&
	mmapdemo --json map --calls none"
# map without --strategy takes the device's default.
has '"size": 8388608' '"default_strategy": "remap"' '"strategy": "remap"' \
	'"eager_pages": 1'; done_

t load_bad_size 1 sh -c "mmapdemo unload; mmapdemo load --size 2G $LAB_MODULE"
has "refused a parameter"
mmapdemo load "$LAB_MODULE" >/dev/null 2>&1 || { ok=0; echo "# reload failed"; }
done_

rm -f "$out"
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
