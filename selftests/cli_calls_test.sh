#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The calls "mmapdemo path" traces with the function-graph tracer, on each
# backing (/dev/mmapdemo's RAM, and each ivshmem BAR device there is) and
# each strategy it offers: the driver's callbacks under the mmap system
# call are the ones the module's front end implies (read from sysfs, never
# from the kernel's version): ->mmap (front_end "mmap"), or ->mmap_prepare
# and then mmap_action_complete() calling ->mapped (front_end
# "mmap_prepare"); the strategy's eager mapping writes the entries under
# the mmap call, a fault strategy's handler is called under
# handle_mm_fault() and an entry is written there; munmap zaps the entries
# (a call under the munmap system call is marked as the zap) and calls
# ->close.  In a system call's stage, the task's own faults beside the
# call (the parent's copy on write after fork()) are off the spine and
# counted.
# And when tracing is impossible, one line says why, and the calls shown
# are those make paths recorded on this kernel's release, labelled as
# recorded, with the entry code it cannot trace marked and the reason
# (Documentation/paths/, installed in /usr/share/mmapdemo/paths); or none
# at all when no recording is of this release.
# Needs root and the module loaded ($LAB_MODULE); prints TAP.
set -u
n=0 failed=0
out=/tmp/cli_calls_test.out

# section TITLE: the lines of the stage whose heading starts with TITLE.
section() {
	awk -v t="$1" 'index($0, t) == 1 { on = 1; print; next }
		/^[0-9]\. / { on = 0 } on' "$out"
}

# under TITLE PARENT CHILD: in that stage's calls, CHILD is called, at
# any depth, by a call of PARENT (by indentation, as the tool prints it).
under() {
	section "$1" | awk -v p="$2" -v c="$3" '
		function ind(s) { match(s, /^ */); return RLENGTH }
		BEGIN { pi = -1 }
		pi >= 0 && ind($0) <= pi { pi = -1 }
		pi >= 0 && $1 == c { found = 1; exit }
		pi < 0 && $1 == p { pi = ind($0) }
		END { exit !found }'
}

# writer TITLE: the call the stage marks as writing the entry, as the
# tracer names it ("insert_pfn", "insert_page_into_pte_locked.constprop.0").
writer() {
	section "$1" | awk '/<- writes the entry/ { print $1; exit }'
}

ok=1
expect() {
	if ! "$@"; then
		ok=0
		echo "# $name: failed: $*"
	fi
}

# none WHAT PATTERN FILE: FILE has no line matching PATTERN.
none() {
	if grep -q "$2" "$3"; then
		ok=0
		echo "# $name: $1: $(grep -m1 "$2" "$3")"
	fi
}

# callback TITLE NAME: NAME is marked as the driver's callback there.
callback() {
	section "$1" | grep -q "^ *$2  <- the driver's callback"
}

done_() {
	n=$((n + 1))
	if [ "$ok" = 1 ]; then
		echo "ok $n $name"
	else
		failed=$((failed + 1))
		sed 's/^/#   | /' "$out" | grep -v '^#   |     [A-Z]' | head -n 80
		echo "not ok $n $name"
	fi
	ok=1
}

echo "TAP version 13"
# The system calls' traced entry points (syscall_wrapper.h of each
# architecture), and the first function of the fault's entry code.
case $(uname -m) in
aarch64) sys=__arm64_sys_ fault_entry=el0_da ;;
*) sys=__x64_sys_ fault_entry=exc_page_fault ;;
esac
if [ "$(id -u)" != 0 ] || [ ! -e /sys/module/mmapdemo ]; then
	[ -e /sys/module/mmapdemo ] || [ -z "${LAB_MODULE:-}" ] ||
		insmod "$LAB_MODULE" 2>/dev/null
fi
if [ "$(id -u)" != 0 ] || [ ! -e /sys/module/mmapdemo ]; then
	echo "1..0 # SKIP needs root and the module loaded"
	exit 4
fi
tracing=/sys/kernel/tracing
if ! grep -qw function_graph "$tracing/available_tracers" 2>/dev/null; then
	echo "1..0 # SKIP this kernel has no function_graph tracer"
	exit 4
fi

# The fault's entry code this release's build inlined, as the recording of
# make paths says (in the source, not in kallsyms), in the tool's order.
recorded=/usr/share/mmapdemo/paths
rec=$(grep -l "\"release\": \"$(uname -r)\"" "$recorded"/*.json 2>/dev/null | head -n 1)
inlined=
[ -z "$rec" ] || for f in exc_page_fault handle_page_fault do_user_addr_fault access_error; do
	awk -v f="\"$f\": {" 'index($0, f) { on = 1; next }
		on && /"kallsyms": true/ { exit 1 }
		on && /"traceable": true/ { exit 1 }
		on && /"source": true/ { s = 1 }
		on && /}/ { exit !s }
		END { if (!on) exit 1 }' "$rec" &&
		inlined="${inlined:+$inlined, }$f"
done

# The devices: RAM, and the ivshmem BARs (PCI 1af4:1110), each with its
# strategies; not an edu's BAR, which mmapdemo binds too: its registers
# are no memory to write, and 1 MiB is too small for a huge mapping.
devs=mmapdemo
for d in /sys/class/misc/mmapdemo-*; do
	pci=/sys/bus/pci/devices/${d##*/mmapdemo-}
	[ -e "$d/bar" ] && [ "$(cat "$pci/vendor" 2>/dev/null)" = 0x1af4 ] &&
		[ "$(cat "$pci/device" 2>/dev/null)" = 0x1110 ] &&
		devs="$devs ${d##*/}"
done
# Three strategies a device, and the ten checks after them.
set -- $devs
echo "1..$(($# * 3 + 10))"

for d in $devs; do
	fe=$(cat "/sys/class/misc/$d/front_end")
	case $d in
	mmapdemo) strategies="fault remap insert" ;;
	*) strategies="fault remap huge" ;;
	esac
	features=$(mmapdemo --device "/dev/$d" info | sed -n 's/^ *features  *//p')
	for s in $strategies; do
		name="$d $s (front end $fe): the driver's callbacks and the entry's writer"
		# remap maps a BAR only from 6.16 on; the device says which.
		case " $features " in
		*" $s "*) ;;
		*)
			n=$((n + 1))
			echo "ok $n $name # SKIP the device offers no $s here (features: $features)"
			continue ;;
		esac
		len=4096
		[ "$s" = huge ] && len=2M
		rm -f /tmp/cli_calls_test.dot
		mmapdemo --device "/dev/$d" path --strategy "$s" --length "$len" \
			--write --dot /tmp/cli_calls_test.dot >"$out" 2>&1
		st=$?
		[ "$st" = 0 ] || { ok=0; echo "# $name: exit status $st"; }
		m="1. mmap(2)" f="4. first touch" u="6. munmap(2)"
		case $fe in
		mmap)
			expect callback "$m" mmapdemo_mmap
			expect under "$m" ${sys}mmap mmapdemo_mmap
			expect grep -q "^$m: .*mmapdemo_mmap" "$out"
			if grep -q mmapdemo_mmap_prepare "$out"; then
				ok=0
				echo "# $name: ->mmap_prepare on the ->mmap front end"
			fi
			eager=mmapdemo_mmap ;;
		mmap_prepare)
			expect callback "$m" mmapdemo_mmap_prepare
			expect under "$m" ${sys}mmap mmapdemo_mmap_prepare
			expect under "$m" mmap_action_complete mmapdemo_vma_mapped
			expect callback "$m" mmapdemo_vma_mapped
			expect grep -q "^$m: .*mmapdemo_mmap_prepare .*mmapdemo_vma_mapped" "$out"
			eager=mmap_action_complete ;;
		*)
			ok=0
			echo "# $name: front_end '$fe'" ;;
		esac
		w=$(writer "$m")
		case $s in
		remap)
			case $w in
			remap_*) expect under "$m" "$eager" "$w" ;;
			*) ok=0; echo "# $name: remap: the mmap wrote no entry ('$w')" ;;
			esac ;;
		insert)
			expect test "${w%%.*}" = insert_page_into_pte_locked
			expect under "$m" "$eager" "$w" ;;
		fault)
			[ -z "$w" ] || { ok=0; echo "# $name: fault wrote an entry at mmap time ($w)"; }
			case $d in
			mmapdemo) h=fault_fault ;;
			*) h=fault_pfn_fault ;;
			esac
			expect callback "$f" "$h"
			expect under "$f" handle_mm_fault "$h"
			w=$(writer "$f")
			expect test -n "$w"
			expect under "$f" handle_mm_fault "$w"
			[ "$d" = mmapdemo ] || expect under "$f" "$h" "$w"
			[ "$d" != mmapdemo ] || expect callback "$f" fault_page_mkwrite ;;
		huge)
			# ->huge_fault where the module's counters say it
			# mapped a PMD entry, else its ->fault fallback.
			h=huge_pfn_fault
			grep -q -- "->huge_fault: PMD entries *1" "$out" && h=huge_fault
			expect callback "$f" "$h"
			expect under "$f" handle_mm_fault "$h"
			w=$(writer "$f")
			expect test -n "$w"
			expect under "$f" "$h" "$w" ;;
		esac
		expect callback "$u" mmapdemo_vma_close
		# The inlined entry code, as make paths found it on this release.
		if [ -n "$inlined" ]; then
			expect grep -q "^ *above, inlined on this build  *$inlined\$" "$out"
		fi
		expect under "$u" ${sys}munmap mmapdemo_vma_close
		zap=$(section "$u" | awk '/<- zaps the entries/ { print $1; exit }')
		expect test -n "$zap"
		expect under "$u" ${sys}munmap "$zap"
		# --dot draws the spines, the writer pointing at the entry.
		expect grep -q "subgraph cluster_mmap" /tmp/cli_calls_test.dot
		expect grep -q "the driver's callback" /tmp/cli_calls_test.dot
		expect grep -q '^  c[0-9]* -> l[0-9] \[label="writes"' /tmp/cli_calls_test.dot
		# The frame, labelled by what was found: the RAM's or the BAR's.
		case $d in
		mmapdemo) expect grep -q "^  page .*\\\\ndevice page 0, offset 0x0\\\\nof the device's RAM (/dev/mmapdemo is no PCI BAR)\"" /tmp/cli_calls_test.dot ;;
		*) expect grep -q "^  page .*\\\\ndevice page 0, offset 0x0\\\\nof BAR [0-9] of PCI device ${d#mmapdemo-}\\\\n(the physical address is inside it)\"" /tmp/cli_calls_test.dot ;;
		esac
		done_
	done
done

# path --revoke: the first BAR device unbound under its mapping.  The
# unbind's write() runs the driver's ->remove, which zaps the page's entry
# (the zap's functions as this kernel names them: the deepest on the chain
# is marked); the touch after it faults into the driver's ->fault and gets
# SIGBUS; munmap calls ->close; the device comes back on bind.
bar=
for d in $devs; do
	[ "$d" = mmapdemo ] || { bar=$d; break; }
done
name="path --revoke: write(unbind) -> ->remove -> the zap, then SIGBUS"
if [ -z "$bar" ]; then
	n=$((n + 1))
	echo "ok $n $name # SKIP no BAR device bound to mmapdemo (scripts/vm.sh -d ivshmem=FILE)"
else
	rm -f /tmp/cli_calls_test.dot
	mmapdemo --device "/dev/$bar" path --strategy fault --revoke \
		--dot /tmp/cli_calls_test.dot >"$out" 2>&1
	st=$?
	[ "$st" = 0 ] || { ok=0; echo "# $name: exit status $st"; }
	r="6. revocation" t="7. touch after the unbind" u="8. munmap(2)"
	expect grep -q "^$r: .*mmapdemo_pci_remove" "$out"
	expect callback "$r" mmapdemo_pci_remove
	expect under "$r" ${sys}write unbind_store
	expect under "$r" unbind_store pci_device_remove
	expect under "$r" pci_device_remove mmapdemo_pci_remove
	expect under "$r" mmapdemo_pci_remove unmap_mapping_range
	zap=$(section "$r" | awk '/<- zaps the entries/ { print $1; exit }')
	expect test -n "$zap"
	[ "$zap" = unmap_mapping_range ] || expect under "$r" unmap_mapping_range "$zap"
	expect grep -q "^ *device node gone  *yes" "$out"
	expect grep -q "^ *PTE after the unbind  *none" "$out"
	expect grep -q "^ *signal  *Bus error" "$out"
	expect callback "$t" fault_pfn_fault
	expect under "$t" handle_mm_fault fault_pfn_fault
	expect callback "$u" mmapdemo_vma_close
	expect grep -q "^ *device node back  *yes" "$out"
	expect test -e "/dev/$bar"
	expect grep -q "subgraph cluster_unbind" /tmp/cli_calls_test.dot
	expect grep -q '^  c[0-9]* -> l[0-9] \[label="zaps"' /tmp/cli_calls_test.dot
	echo "# revoke on $bar: zap $zap; $(grep -m1 "^$r" "$out")"
	done_
fi

# --revoke refused, with the rule and the hint: the RAM device is never
# revoked; unbinding needs root.  Neither unbinds anything.
name="path --revoke refused on the RAM device and without root"
mmapdemo path --revoke >"$out" 2>&1
st=$?
expect test "$st" = 2
expect grep -q "mmapdemo is not a PCI BAR device" "$out"
expect grep -q "device-memory.rst, \"Revocation\"" "$out"
expect grep -q "^hint: --device /dev/mmapdemo-" "$out"
if [ -n "$bar" ]; then
	su -s /bin/sh nobody -c "mmapdemo --device /dev/$bar path --revoke" >"$out" 2>&1
	st=$?
	expect test "$st" = 4
	expect grep -q "unbinding a PCI device needs root" "$out"
	expect grep -q "^hint: run as root" "$out"
	expect test -e "/dev/$bar"
fi
done_

# map --fork: after fork() the parent's first writes to its private pages
# fault (copy on write), in the fork's stage or the munmap's.  Those
# faults reach no driver function: each stage's spine starts at its
# system call alone, and the faults it folded off ("own faults, folded")
# are the fault entries (handle_mm_fault) beside the call in the whole
# tree (--calls all).
name="map --fork: the task's own faults off the spine, counted"
# calls FILE TITLE: the calls block of that stage (map's headings are
# unnumbered), without the tracepoints after it.
calls() {
	awk -v t="$2" 'index($0, t) == 1 { on = 1; next }
		/^[a-z]/ { on = 0 }
		on && /^  calls \(/ { c = 1; next }
		c && /^ {0,2}[^ ]/ { c = 0; on = 0 }
		on && c' "$1"
}
mmapdemo map --strategy insert --fork >"$out" 2>&1 ||
	{ ok=0; echo "# $name: map failed"; }
mmapdemo map --strategy insert --fork --calls all >/tmp/cli_calls_test.all 2>&1 ||
	{ ok=0; echo "# $name: map --calls all failed"; }
for t in "fork(2)" "munmap(2)"; do
	roots=$(calls "$out" "$t" | sed -n 's/^    \([A-Za-z_][A-Za-z0-9_.]*\)\(  .*\)\{0,1\}$/\1/p')
	case $t in
	fork*) want="${sys}clone" ;;
	*) want="${sys}munmap" ;;
	esac
	# A trace that lost the stage's start (6.12-debug's fork, some 100,000
	# calls, overran the ring buffer) has no entry of the system call,
	# and the CLI folds own faults only beside one: the CLI must say
	# that the buffer lost entries, and the spine is not checked
	# (testing.rst, "Recorded paths").
	if ! echo "$roots" | grep -q "^$want"; then
		if calls "$out" "$t" | grep -q "entries lost "; then
			echo "# $t: the trace lost the stage's start (no $want at its top), and the CLI says so: the spine is not checked"
		else
			ok=0
			echo "# $name: $t: no $want at the top of the spine, and no lost entries said"
		fi
	else
		for r in $roots; do
			case $r in
			"$want"*) ;;
			*) ok=0; echo "# $name: $t: $r on the spine beside $want" ;;
			esac
		done
	fi
	if ! calls /tmp/cli_calls_test.all "$t" | grep -q "^    $want"; then
		calls /tmp/cli_calls_test.all "$t" | grep -q "entries lost " ||
			{ ok=0; echo "# $name: $t: --calls all: no $want, and no lost entries said"; }
		echo "# $t: --calls all: the trace lost the stage's start: the count is not checked"
		continue
	fi
	folded=$(calls /tmp/cli_calls_test.all "$t" | sed -n 's/^ *own faults, folded  *//p')
	faults=$(calls /tmp/cli_calls_test.all "$t" | grep -c '^    handle_mm_fault$')
	expect test "${folded:-0}" = "$faults"
	echo "# $t: own faults folded ${folded:-0}, handle_mm_fault entries beside the call $faults"
done
done_

# A stage larger than the ring buffer: 4096 first touches by MAP_POPULATE
# under the fault strategy, some 100 entries each on 6.12, twice what the
# CLI's 8 MiB a CPU hold (about 200,000).  The buffer's own counts
# (per_cpu/cpuN/stats: overrun, dropped) say it lost entries, and so must
# the CLI, in text and in JSON: the tree shown begins mid-path.
name="a stage that overran the ring buffer says it lost entries"
if mmapdemo unload >/dev/null && mmapdemo load --size 16M "$LAB_MODULE" >/dev/null; then
	mmapdemo map --strategy fault --length 16M --populate >"$out" 2>&1 ||
		{ ok=0; echo "# $name: map failed"; }
	expect grep -q "^    entries lost  *[1-9]" "$out"
	expect grep -q "the ring buffer overran while the stage ran" "$out"
	mmapdemo --json map --strategy fault --length 16M --populate \
		>/tmp/cli_calls_test.lost 2>&1 || { ok=0; echo "# $name: --json map failed"; }
	expect grep -q '"lost": [1-9]' /tmp/cli_calls_test.lost
else
	ok=0
	echo "# $name: reloading the module with 16 MiB failed"
fi
mmapdemo unload >/dev/null && insmod "$LAB_MODULE" || { ok=0; echo "# $name: reload failed"; }
done_

# JSON carries the whole tree, each call with its role.
name="--json: the tree of calls, each with its role"
mmapdemo --json path --strategy remap >"$out" 2>&1 || { ok=0; echo "# $name: path failed"; }
expect grep -q "\"function\": \"${sys}mmap\"" "$out"
expect grep -q '"function": "mmapdemo_vma_close"' "$out"
expect grep -q '"callback": true' "$out"
expect grep -q '"writes_entry": true' "$out"
expect grep -q '"spine": false' "$out"
done_

# Tracing made impossible: tracefs unmounted (and debugfs, whose tracing/
# would mount it again).  One line says why, and no call is shown; the
# tool mounts nothing.  Both come back as they were.
name="without tracefs: one line says why, no call is shown"
debugfs=
if grep -q "^debugfs /sys/kernel/debug " /proc/mounts; then
	umount /sys/kernel/debug/tracing 2>/dev/null
	umount /sys/kernel/debug && debugfs=1
fi
if umount "$tracing" 2>/dev/null; then
	MMAPDEMO_PATHS=/nonexistent mmapdemo path >"$out" 2>&1 ||
		{ ok=0; echo "# $name: path failed"; }
	cp "$out" /tmp/cli_calls_test.none
	# The recorded path of this release, or the reason there is none.
	mmapdemo path --strategy fault --write >/tmp/cli_calls_test.rec 2>&1 ||
		{ ok=0; echo "# recorded: path failed"; }
	mmapdemo --json path --strategy fault --write >/tmp/cli_calls_test.json 2>&1 ||
		{ ok=0; echo "# recorded: path --json failed"; }
	# map: the recorded case whose command is this very map, or none.
	mmapdemo map --strategy insert --fork >/tmp/cli_calls_test.map 2>&1 ||
		{ ok=0; echo "# recorded: map failed"; }
	mmapdemo map --strategy insert --fork --populate \
		>/tmp/cli_calls_test.map2 2>&1 || { ok=0; echo "# recorded: map --populate failed"; }
	# A recording of another release is not this kernel's.
	mkdir -p /tmp/cli_calls_test.other
	for f in "$recorded"/*.json; do
		[ -e "$f" ] || continue
		sed "s/\"release\": \"$(uname -r)\"/\"release\": \"0.0.0-other\"/" "$f" \
			>"/tmp/cli_calls_test.other/${f##*/}"
	done
	MMAPDEMO_PATHS=/tmp/cli_calls_test.other mmapdemo path --strategy fault \
		>/tmp/cli_calls_test.oth 2>&1 || { ok=0; echo "# other: path failed"; }
	# --revoke is refused where its calls cannot be traced.
	rv=1
	if [ -n "$bar" ]; then
		mmapdemo --device "/dev/$bar" path --revoke \
			>/tmp/cli_calls_test.rv 2>&1
		rv=$?
	fi
	if grep -q tracefs /proc/mounts; then
		ok=0
		echo "# $name: tracefs was mounted behind our back"
	fi
	mount -t tracefs tracefs "$tracing"
	[ -z "$debugfs" ] || mount -t debugfs debugfs /sys/kernel/debug
	expect test "$(grep -c 'calls not traced' "$out")" = 1
	expect grep -q "calls not traced .*tracefs is not mounted" "$out"
	expect grep -q "recorded path .*none: /nonexistent" "$out"
	none "calls shown without a tracer or a recording" "<- \|calls recorded\|RECORDED" "$out"
	if [ -n "$bar" ]; then
		expect test "$rv" = 1
		expect grep -q "revoke: the unbind's calls cannot be traced here: .*tracefs is not mounted" /tmp/cli_calls_test.rv
		expect grep -q "^hint: tracing needs root, tracefs" /tmp/cli_calls_test.rv
		expect test -e "/dev/$bar"
	fi
	done_

	name="without tracefs: the path recorded on $(uname -r), marked as recorded"
	out=/tmp/cli_calls_test.rec
	rel=$(uname -r)
	if ! grep -ls "\"release\": \"$rel\"" "$recorded"/*.json >/dev/null 2>&1; then
		n=$((n + 1))
		echo "ok $n $name # SKIP make paths recorded no path on $rel (in $recorded: $(ls "$recorded" 2>/dev/null | tr '\n' ' '))"
		n=$((n + 1))
		echo "ok $n without tracefs: map's recorded stages # SKIP make paths recorded no path on $rel"
	else
		fe=$(cat /sys/class/misc/mmapdemo/front_end)
		cb=mmapdemo_mmap
		[ "$fe" = mmap_prepare ] && cb=mmapdemo_mmap_prepare
		expect test "$(grep -c 'calls not traced' "$out")" = 1
		expect test "$(grep -c "calls RECORDED by the lab on $rel" "$out")" = 3
		expect grep -q "^ *recorded as  *mmapdemo path --strategy fault --write" "$out"
		expect callback "1. mmap(2)" "$cb"
		expect callback "4. first touch" fault_fault
		expect under "4. first touch" handle_mm_fault fault_fault
		expect callback "6. munmap(2)" mmapdemo_vma_close
		# The entry code above the fault, decided on that kernel:
		# x86-64's exc_page_fault() and arm64's el0_da() are noinstr.
		expect grep -q "^ *$fault_entry  (not traceable: in /proc/kallsyms, not in available_filter_functions" "$out"
		expect grep -q '"case": "mmapdemo path --strategy fault --write"' /tmp/cli_calls_test.json
		expect grep -q '"callback": true' /tmp/cli_calls_test.json
		none "a live trace without tracefs" "calls recorded " "$out"
		done_

		# map: the case make paths recorded with the same options
		# (map --strategy insert --fork), and for other options none.
		name="without tracefs: map's stages recorded on $rel for the same options only"
		out=/tmp/cli_calls_test.map
		expect test "$(grep -c "calls RECORDED by the lab on $rel" "$out")" = 3
		expect grep -q "^ *recorded as  *mmapdemo map --strategy insert --fork\$" "$out"
		expect callback "fork(2)" mmapdemo_vma_open
		expect callback "munmap(2)" mmapdemo_vma_close
		out=/tmp/cli_calls_test.map2
		expect grep -q "recorded path .*none recorded for this case" "$out"
		none "another map's recorded calls shown" "<- \|RECORDED" "$out"
		done_
	fi

	name="without tracefs: no recorded path from another release"
	out=/tmp/cli_calls_test.oth
	expect grep -q "recorded path .*none recorded for $(uname -r)" "$out"
	none "another release's calls shown" "<- \|RECORDED" "$out"
	done_
	out=/tmp/cli_calls_test.out
else
	[ -z "$debugfs" ] || mount -t debugfs debugfs /sys/kernel/debug
	for t in "$name" "recorded path" "map's recorded path" "another release"; do
		n=$((n + 1))
		echo "ok $n $t # SKIP tracefs cannot be unmounted here"
	done
fi

# And tracefs is left as the tool found it.
name="tracefs left as found: nop tracer, no pid filter, no graph function"
expect test "$(cat "$tracing/current_tracer")" = nop
expect grep -q "no pid" "$tracing/set_ftrace_pid"
expect grep -q "all functions enabled" "$tracing/set_graph_function"
done_

[ "$failed" = 0 ]
