#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The mmapdemo CLI's tour and ipc commands, end to end, printing TAP: every
# verdict, the sentences the tour must (and must no longer) print, one
# ->fault per page, and JSON.  The disk experiments must
# be as expected where /var/tmp is ext4 on a block device (the lab's disk,
# vm.sh -D); they may be skipped, with a reason, only where the kernel has
# no ext4 and the lab has no modules to give it one.  Runs as root with the
# module loaded (run_tests.sh loads it in the lab VM), and runs the
# unprivileged checks as user nobody through busybox su.
#
# The tour's device experiments need PCI devices: "huge" an ivshmem BAR of
# 64 MiB or more (the tests VM has a 1 GiB one), "device_not_ram" QEMU's
# edu device (the edu VM, scripts/bar-proof.sh), "revoke" any ivshmem BAR,
# which it unbinds and binds again, "dma" edu's DMA device (the edu VM).
# Where one is missing the
# test expects the experiment's skip line with its reason and fix instead
# of a verdict.  "cli_tour_test.sh device" runs only the checks of the
# device experiments, for the edu VM.
experiments="shared_write prot_read private_write two_processes lazy_vs_eager populate map_sync map_hugetlb fork munmap_partial mremap dontneed rmmod huge device_not_ram disk_fault disk_dirty disk_msync disk_private revoke dma"
disk_experiments="disk_fault disk_dirty disk_msync disk_private"
nr_experiments=21
mode=${1:-all}

if [ "$(id -u)" != 0 ] || [ ! -e /dev/mmapdemo ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP needs root and /dev/mmapdemo (load the module)"
	exit 4
fi
if ! command -v mmapdemo >/dev/null; then
	echo "TAP version 13"
	echo "1..0 # SKIP the mmapdemo CLI is not on PATH"
	exit 4
fi

# What the device experiments find: edu bound to mmapdemo, and an
# ivshmem BAR (BAR 2, the third line of resource) of 64 MiB or more.
has_edu=0 has_dma=0 big_bar=0 has_ivshmem=0
for d in /sys/bus/pci/drivers/mmapdemo/0000:*; do
	[ -e "$d/vendor" ] || continue
	case $(cat "$d/vendor"):$(cat "$d/device") in
	0x1234:0x11e8)
		has_edu=1
		# Its DMA device, unless this machine cannot serve edu's DMA
		# (dma.rst: arm64's virt without an IOMMU).
		[ ! -e "/dev/mmapdemo-dma-${d##*/}" ] || has_dma=1 ;;
	0x1af4:0x1110)
		has_ivshmem=1
		# shellcheck disable=SC2046 # start, end and flags as $1 $2 $3
		set -- $(sed -n 3p "$d/resource")
		[ $(($2 - $1 + 1)) -ge $((64 << 20)) ] && big_bar=1 ;;
	esac
done
# runs NAME: 0 if the experiment NAME has its device here, else 1.
runs() {
	case $1 in
	huge) [ "$big_bar" = 1 ] ;;
	device_not_ram) [ "$has_edu" = 1 ] ;;
	dma) [ "$has_dma" = 1 ] ;;
	revoke) [ "$has_ivshmem" = 1 ] ;;
	disk_*) [ "$disk" = yes ] ;;
	*) true ;;
	esac
}
# is_disk NAME: 0 for a disk experiment.
is_disk() {
	case " $disk_experiments " in *" $1 "*) true ;; *) false ;; esac
}
# Huge PFN-map PMD entries: 6.12 and later with transparent huge pages
# (Documentation/huge.rst), independent of what the tour says.
huge_pmd=0
case $(uname -r) in
6.[0-9].* | 6.1[01].* | [1-5].*) ;;
*) [ -d /sys/kernel/mm/transparent_hugepage ] && huge_pmd=1 ;;
esac

# Can the tour trace its calls?  Where the kernel has the function_graph
# tracer, every verdict names what the trace saw; elsewhere each says in
# one line why it has none.
traced=no
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	grep -qw function_graph "$d/available_tracers" 2>/dev/null && traced=yes
done

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
# result NAME STATUS: one TAP line; on failure show the output of the step.
result() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n - $1"
	else
		failed=$((failed + 1))
		echo "not ok $n - $1"
		[ -s "$tmp/out" ] && sed 's/^/# /' "$tmp/out" | tail -n 40
		[ -s "$tmp/err" ] && sed 's/^/# stderr: /' "$tmp/err" | tail -n 10
	fi
}

# experiments N: the summary's count, "1 experiment" or "N experiments".
experiments() {
	if [ "$1" = 1 ]; then echo "1 experiment"; else echo "$1 experiments"; fi
}

# run COMMAND...: run, keeping stdout, stderr and the exit status.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# verdict_of NAME FILE: the verdict line that ends the experiment NAME.
verdict_of() {
	awk -v name="$1" '
		$0 ~ "^[a-z]\\. " name ":" { inside = 1; next }
		inside && /^[a-z]\. / { exit }
		inside && /^  verdict: / { print; exit }
	' "$2"
}

# section_of NAME SECTION FILE: the lines of SECTION ("device, strategy
# huge", "edu's BAR 0") inside the experiment NAME.
section_of() {
	awk -v name="$1" -v sec="  $2" '
		$0 ~ "^[a-z]\\. " name ":" { inside = 1; next }
		inside && /^[a-z]\. / { exit }
		inside && $0 == sec { s = 1; next }
		s && /^  [^ ]/ { s = 0 }
		s { print }
	' "$3"
}

# field LABEL: the value after LABEL in the lines on standard input.
field() {
	awk -v l="$1" 'index($0, "    " l " ") == 1 {
		v = substr($0, length(l) + 5); sub(/^ +/, "", v); print v; exit }'
}

# check_huge FILE: the huge experiment's numbers, checked against what
# this kernel can do rather than against the tour's own verdict.
check_huge() {
	fa=$(section_of huge "device, strategy fault" "$1")
	hu=$(section_of huge "device, strategy huge" "$1")
	ff=$(echo "$fa" | field faults)
	hf=$(echo "$hu" | field faults)
	hp=$(echo "$hu" | field pmd_faults)
	fl=$(echo "$fa" | field "leaf of the first page")
	hl=$(echo "$hu" | field "leaf of the first page")
	echo "# huge: fault $ff faults, leaf $fl; huge $hf faults ($hp PMD), leaf $hl; kernel has PMD entries: $huge_pmd"
	[ "$ff" = 16384 ] && [ "$fl" = "PTE (4 KiB)" ] || return 1
	if [ "$huge_pmd" = 1 ]; then
		[ -n "$hf" ] && [ "$hf" -ge 1 ] && [ $((hf * 100)) -le "$ff" ] &&
			[ "$hp" -ge 1 ] && [ "$hl" = "PMD (2048 KiB)" ]
	else
		[ "$hf" = 16384 ] && [ "$hp" = 0 ] && [ "$hl" = "PTE (4 KiB)" ] &&
			grep -qF "The experiment checks that instead." "$1"
	fi
}

# check_not_ram FILE: edu's register gave back the complement, its page
# was in the page table but not in pagemap and GUP failed with EFAULT;
# the RAM device the other way round.
check_not_ram() {
	edu=$(section_of device_not_ram "edu's BAR 0" "$1")
	ram=$(section_of device_not_ram "the RAM device" "$1")
	echo "# device_not_ram: edu read $(echo "$edu" | field "read back"), pagemap $(echo "$edu" | field "present (pagemap)"), vmsplice $(echo "$edu" | field "vmsplice (GUP)");" \
		"RAM read $(echo "$ram" | field "read back"), pagemap $(echo "$ram" | field "present (pagemap)"), vmsplice $(echo "$ram" | field "vmsplice (GUP)")"
	[ "$(echo "$edu" | field "wrote at 0x04")" = 0x12345678 ] &&
		[ "$(echo "$edu" | field "read back")" = 0xedcba987 ] &&
		[ "$(echo "$edu" | field VM_IO)" = yes ] &&
		[ "$(echo "$edu" | field VM_PFNMAP)" = yes ] &&
		[ "$(echo "$edu" | field "present (walk)")" = yes ] &&
		[ "$(echo "$edu" | field "PFN inside the BAR")" = yes ] &&
		[ "$(echo "$edu" | field "present (pagemap)")" = no ] &&
		[ "$(echo "$edu" | field "PFN (pagemap)")" = 0x0 ] &&
		echo "$edu" | field "vmsplice (GUP)" | grep -q '^EFAULT ' &&
		[ "$(echo "$ram" | field "read back")" = 0x12345678 ] &&
		[ "$(echo "$ram" | field VM_IO)" = no ] &&
		[ "$(echo "$ram" | field VM_PFNMAP)" = no ] &&
		[ "$(echo "$ram" | field "present (pagemap)")" = yes ] &&
		[ "$(echo "$ram" | field "PFN (pagemap)")" != 0x0 ] &&
		[ "$(echo "$ram" | field "PFN (pagemap)")" = "$(echo "$ram" | field "PFN (walk)")" ] &&
		[ "$(echo "$ram" | field "vmsplice (GUP)")" = "4096 bytes" ]
}

# check_revoke FILE: the page's PTE was there before the unbind and gone
# after it, the touch after it got SIGBUS, and the device came back.
check_revoke() {
	rv=$(section_of revoke "the revocation" "$1")
	echo "# revoke: PTE $(echo "$rv" | field "PTE before") then $(echo "$rv" | field "PTE after the unbind"), touch: $(echo "$rv" | field "signal on the touch"), back: $(echo "$rv" | field "bound again, node back")"
	[ "$(echo "$rv" | field unbind)" = ok ] &&
		[ "$(echo "$rv" | field "PTE before")" = present ] &&
		[ "$(echo "$rv" | field "PTE after the unbind")" = none ] &&
		[ "$(echo "$rv" | field "device node gone")" = yes ] &&
		[ "$(echo "$rv" | field "signal on the touch")" = "Bus error" ] &&
		echo "$rv" | field si_code | grep -q '^BUS_ADRERR ' &&
		[ "$(echo "$rv" | field "bound again, node back")" = yes ]
}

# check_dma FILE: both transfers ended with their interrupts, the page
# read through the mapping held the pattern, and (as root) the mapping's
# page is the buffer's and the DMA address is the physical one exactly
# where the device has no IOMMU group or an identity domain.
check_dma() {
	tr=$(section_of dma "the transfers" "$1")
	ad=$(section_of dma "the addresses of this byte" "$1")
	zc=$(section_of dma "the page you read" "$1")
	eq=$(echo "$ad" | field "DMA address = physical")
	grp=$(echo "$ad" | field "device's IOMMU group")
	dom=$(echo "$ad" | field "its domain type")
	echo "# dma: read $(echo "$tr" | field "page 0 through the mapping"), $(echo "$tr" | field "DMA interrupts handled") interrupts; phys $(echo "$ad" | field "physical address (walk)"), DMA $(echo "$ad" | field "DMA address (device)"), equal $eq, IOMMU group $grp ${dom:+($dom)}"
	[ "$(echo "$tr" | field "page 1 to the device (1024 bytes)")" = ok ] &&
		[ "$(echo "$tr" | field "the device to page 0 (1024 bytes)")" = ok ] &&
		[ "$(echo "$tr" | field "page 0 through the mapping")" = "0b 30 55 7a 9f c4 e9 0e" ] &&
		[ "$(echo "$tr" | field "bytes unlike the pattern")" = 0 ] &&
		[ "$(echo "$tr" | field "transfers (driver's counter)")" = 2 ] &&
		[ "$(echo "$tr" | field "DMA interrupts handled")" = 2 ] &&
		[ "$(echo "$zc" | field "the buffer's page (DMA_INFO)")" = yes ] || return 1
	# As root: the page table and the driver name the same physical page.
	[ "$eq" = hidden ] || [ "$(echo "$ad" | field "walk = driver")" = yes ] || return 1
	if [ "$grp" = none ] || [ "$dom" = identity ]; then
		[ "$eq" = yes ] && [ "$(echo "$ad" | field "physical address (walk)")" = "$(echo "$ad" | field "DMA address (device)")" ]
	else
		[ "$eq" = no ] && echo "$ad" | field why | grep -q "I/O virtual address (IOVA)"
	fi
}

# check_experiment NAME FILE: the verdict is as expected, or the
# experiment is skipped with its reason and fix where its device is missing.
check_experiment() {
	v=$(verdict_of "$1" "$2")
	if runs "$1"; then
		echo "# $1: ${v#  }"
		case $v in
		"  verdict: as expected: "*) ;;
		*) return 1 ;;
		esac
		case $1 in
		huge) check_huge "$2" ;;
		device_not_ram) check_not_ram "$2" ;;
		revoke) check_revoke "$2" ;;
		dma) check_dma "$2" ;;
		esac
	else
		sk=$(awk -v name="$1" '
			$0 ~ "^[a-z]\\. " name ":" { inside = 1; next }
			inside && /^  skipped: / { print; exit }' "$2")
		echo "# $1 (what it needs is missing): ${sk#  }"
		[ -z "$v" ] || return 1
		if is_disk "$1"; then
			echo "$sk" | grep -q '^  skipped: .*; fix: .*scripts/vm.sh -D '
		elif [ "$1" = dma ] && [ "$has_edu" = 1 ]; then
			# An edu without a DMA device: the module's log says why.
			echo "$sk" | grep -q "^  skipped: no DMA device: the edu is bound to mmapdemo without one.*; see: dmesg | grep 'no DMA device'"
		else
			echo "$sk" | grep -q '^  skipped: no .*; fix: .*scripts/vm.sh -d '
		fi
	fi
}

# check_path_dma OFFSET KIND: mmapdemo path on the DMA device at file
# offset OFFSET, a byte of the buffer KIND ("coherent", "page array"): the
# page table and the driver name the same physical address, and the DMA
# address is that physical address exactly where the device has no IOMMU
# group or an identity domain, else an IOVA, which the "why" says; --dot
# labels the page frame as that buffer's, the driver's physical address
# the walk's.  Its calls are not traced here (the tracer's setup costs up
# to a minute a run under TCG): make paths records them and paths.py check
# asserts them.
check_path_dma() {
	rm -f "$tmp/dma.dot"
	run mmapdemo --device "$dma_dev" path --offset "$1" --calls none \
		--dot "$tmp/dma.dot"
	[ "$rc" = 0 ] || return 1
	grep -q "^  page \[label=.*\\\\nthe DMA buffer's ($2), file offset $1\\\\n.*the driver's physical\\\\naddress of the byte is the walk's\"" "$tmp/dma.dot" ||
		{ echo "# path --offset $1 --dot: the frame is not labelled the $2 buffer's: $(grep '^  page ' "$tmp/dma.dot")"; return 1; }
	ad=$(awk '$0 == "  the addresses of this byte" { s = 1; next }
		s && !/^    / { exit } s { print }' "$tmp/out")
	grp=$(echo "$ad" | field "device's IOMMU group")
	dom=$(echo "$ad" | field "its domain type")
	echo "# path --offset $1: $(echo "$ad" | field "DMA buffer"), phys $(echo "$ad" | field "physical address (walk)"), driver's $(echo "$ad" | field "physical (driver)"), DMA $(echo "$ad" | field "DMA address (device)"), group $grp ${dom:+($dom)}"
	[ "$(echo "$ad" | field "DMA buffer")" = "$2" ] &&
		[ "$(echo "$ad" | field "walk = driver")" = yes ] || return 1
	if [ "$grp" = none ] || [ "$dom" = identity ]; then
		[ "$(echo "$ad" | field "DMA address = physical")" = yes ] &&
			[ "$(echo "$ad" | field "physical address (walk)")" = "$(echo "$ad" | field "DMA address (device)")" ]
	else
		[ "$(echo "$ad" | field "DMA address = physical")" = no ] &&
			echo "$ad" | field why | grep -q "I/O virtual address (IOVA)"
	fi
}

# descends F1 F2 ...: in the calls on standard input (a stage of path's
# output, each call indented by its depth), F2 is called under F1, F3
# under F2, and so on, at any depth; a tracer's suffix (".isra.0") is
# ignored.  Leaving F1's calls before the chain is complete starts over at
# the next F1.
descends() {
	awk -v chain="$*" '
		function ind(s) { match(s, /^ */); return RLENGTH }
		BEGIN { n = split(chain, f, " "); i = 1 }
		{ name = $1; sub(/\..*$/, "", name) }
		i > 1 && ind($0) <= at[i - 1] {
			while (i > 1 && ind($0) <= at[i - 1]) i--
		}
		name == f[i] { at[i] = ind($0); i++; if (i > n) { found = 1; exit } }
		END { exit !found }'
}

# check_path_dma_iommu: the coherent buffer's mmap, traced, behind an
# IOMMU that translates for the device: dma_mmap_coherent() (the macro of
# dma_mmap_attrs()) takes the IOMMU's DMA ops, iommu_dma_mmap()
# (drivers/iommu/dma-iommu.c; 6.1 calls it as iommu_dma_ops' ->mmap, 6.12
# and 7.3 directly when use_dma_iommu()), never dma-direct's
# dma_direct_mmap(); and the byte's DMA address (an IOVA) is not its
# physical address.  Sets $why to a skip's reason, or leaves it empty.
check_path_dma_iommu() {
	why=
	run mmapdemo --device "$dma_dev" path --offset 0x1234
	[ "$rc" = 0 ] || return 1
	ad=$(awk '$0 == "  the addresses of this byte" { s = 1; next }
		s && !/^    / { exit } s { print }' "$tmp/out")
	grp=$(echo "$ad" | field "device's IOMMU group")
	dom=$(echo "$ad" | field "its domain type")
	if [ "$grp" = none ] || [ "$dom" = identity ]; then
		why="no IOMMU translates for ${dma_dev#/dev/mmapdemo-dma-} here (group $grp${dom:+, domain $dom}): the IOMMU VM runs it (scripts/bar-proof.sh iommu)"
		return 0
	fi
	mm=$(awk '/^1\. mmap\(2\)/ { on = 1; print; next }
		/^[0-9]\. / { on = 0 } on' "$tmp/out")
	echo "# path --offset 0x1234 behind IOMMU group $grp ($dom): $(echo "$mm" | head -n 1)"
	echo "$mm" | descends mmapdemo_dma_mmap dma_mmap_attrs iommu_dma_mmap ||
		{ echo "# the mmap stage's calls do not go mmapdemo_dma_mmap -> dma_mmap_attrs -> iommu_dma_mmap"; return 1; }
	! echo "$mm" | descends dma_mmap_attrs dma_direct_mmap ||
		{ echo "# dma_mmap_attrs called dma_direct_mmap behind an IOMMU"; return 1; }
	p=$(echo "$ad" | field "physical address (walk)")
	d=$(echo "$ad" | field "DMA address (device)")
	echo "# physical $p, DMA $d"
	case $p in 0x*) ;; *) echo "# no physical address: $p"; return 1 ;; esac
	[ "$d" != "$p" ] && [ "$(echo "$ad" | field "DMA address = physical")" = no ]
}

if [ "$mode" = device ]; then
	echo "TAP version 13"
	echo "1..8"
	# One tour for the three: the tracer's setup is paid once.
	run mmapdemo tour --only huge,device_not_ram,dma
	cp "$tmp/out" "$tmp/tour.txt"
	ran=0
	for e in huge device_not_ram dma; do
		st=0
		check_experiment $e "$tmp/tour.txt" || st=1
		runs $e && ran=$((ran + 1))
		result "tour, device experiments: $e $(runs $e && echo "as expected" || echo "skipped with its reason")" "$st"
	done
	if [ "$ran" = 3 ]; then
		summary="  3 experiments, 3 as expected"
	else
		summary="  $(experiments $ran), $ran as expected, $((3 - ran)) skipped (see their reasons)"
	fi
	st=0
	grep -qx "$summary" "$tmp/tour.txt" && [ "$rc" = 0 ] || st=1
	result "tour --only huge,device_not_ram,dma: summary '${summary#  }' (status $rc)" "$st"
	# The transfer's chain, as traced: the ioctl down to the driver's
	# ->unlocked_ioctl, which the verdict names; what lies below it only
	# where the trace saw it.
	if ! runs dma; then
		echo "ok 5 - tour: the DMA transfer's chain # SKIP no DMA device (no edu, or an edu without one: dma.rst)"
	elif [ "$traced" = no ]; then
		echo "ok 5 - tour: the DMA transfer's chain # SKIP this kernel has no function_graph tracer"
	else
		st=0
		xc=$(section_of dma "the transfers" "$tmp/tour.txt" | field "calls in ioctl(DMA_XFER)")
		echo "# dma, ioctl: $xc"
		echo "$xc" | grep -qE '^__(x64|arm64)_sys_ioctl -> ([a-z_0-9.]+ -> )*mmapdemo_dma_ioctl( ->|;|$)' || st=1
		case $(verdict_of dma "$tmp/tour.txt") in
		*"[kernel: traced: "*mmapdemo_dma_ioctl*) ;;
		*) st=1 ;;
		esac
		result "tour: the DMA transfer's chain, from ioctl() to the driver's ->unlocked_ioctl" "$st"
	fi
	# path on a byte of each DMA buffer.
	dma_dev=$(ls -d /dev/mmapdemo-dma-* 2>/dev/null | head -n 1)
	if [ -z "$dma_dev" ]; then
		echo "ok 6 - path on the coherent DMA buffer # SKIP no DMA device (no edu, or an edu without one: dma.rst)"
		echo "ok 7 - path on the page-array DMA buffer # SKIP no DMA device (no edu, or an edu without one: dma.rst)"
	else
		st=0
		# Its first byte too: the label's offset in hex, 0x0.
		check_path_dma 0x0 coherent || st=1
		check_path_dma 0x1234 coherent || st=1
		result "path on the coherent DMA buffer (offsets 0x0 and 0x1234): the walk's and the driver's addresses" "$st"
		st=0
		check_path_dma 0x101010 "page array" || st=1
		result "path on the page-array DMA buffer: the walk's and the driver's addresses" "$st"
	fi
	n=7
	what="path on the coherent DMA buffer behind an IOMMU: the traced mmap goes through iommu_dma_mmap(), and the DMA address is not the physical one"
	if [ -z "$dma_dev" ]; then
		echo "ok 8 - $what # SKIP no DMA device (no edu, or an edu without one: dma.rst)"
	elif [ "$traced" = no ]; then
		echo "ok 8 - $what # SKIP this kernel has no function_graph tracer"
	else
		st=0
		check_path_dma_iommu || st=1
		if [ "$st" = 0 ] && [ -n "$why" ]; then
			n=$((n + 1))
			echo "ok $n - $what # SKIP $why"
		else
			result "$what" "$st"
		fi
	fi
	[ "$failed" = 0 ]
	exit
fi

# Must the disk experiments run here?  Yes where /var/tmp is ext4 (on a
# block device: statfs cannot say otherwise for ext4).  In the lab with a
# disk (lab.disk on the kernel's command line, vm.sh -D) also yes wherever
# the kernel has ext4 or the initramfs brings modules for it: a skip is
# right there only without either, as on the debug kernel without ext4.
disk=no
if [ "$(stat -f -c %T /var/tmp 2>/dev/null)" = ext2/ext3 ]; then
	disk=yes
elif grep -qw lab.disk /proc/cmdline &&
	{ grep -qw ext4 /proc/filesystems || [ -s /lib/disk-modules/order ]; }; then
	disk=yes
fi

echo "TAP version 13"
echo "1..$((2 * nr_experiments + 28))"

run mmapdemo tour
cp "$tmp/out" "$tmp/tour.txt"
result "tour exits 0 (status $rc)" "$([ "$rc" = 0 ] && echo 0 || echo 1)"
ran=0
for e in $experiments; do
	st=0
	check_experiment "$e" "$tmp/tour.txt" || st=1
	[ "$st" = 0 ] || cp "$tmp/tour.txt" "$tmp/out"
	if runs "$e"; then
		ran=$((ran + 1))
		result "tour: $e is as expected" "$st"
	elif is_disk "$e" && [ "$st" = 0 ]; then
		# A TAP skip only when it is one: "not ok ... # SKIP" would
		# hide a disk experiment that ran where it should not have.
		result "tour: $e is skipped # SKIP no ext4 disk in this VM (vm.sh -D gives none to a kernel without PCI MSI)" "$st"
	else
		result "tour: $e says why it is skipped, and the fix" "$st"
	fi
done
for e in $experiments; do
	st=0
	# shellcheck disable=SC2016 # awk's $0
	end='/^  verdict: .* \[kernel: traced: [a-z_].*\]$/'
	[ "$traced" = yes ] || end='/^  verdict: .* \[kernel: calls not traced: .*[a-z].*\]$/'
	runs "$e" || end='/^  skipped: /'
	awk -v name="$e" '
		$0 ~ "^[a-z]\\. " name ":" { inside = 1; next }
		inside && /^  What it shows: [^ ].*\.$/ { shows = 1 }
		inside && '"$end"' { verdict = 1; exit }
		END { exit !(shows && verdict) }
	' "$tmp/tour.txt" || st=1
	result "tour: $e says what it shows and names the kernel functions its trace saw (or why it is skipped)" "$st"
done
skipped=$((nr_experiments - ran))
if [ "$skipped" = 0 ]; then
	summary="  $(experiments $ran), $ran as expected"
else
	summary="  $(experiments $ran), $ran as expected, $skipped skipped (see their reasons)"
fi
grep -qx "$summary" "$tmp/tour.txt"
result "tour: summary '${summary#  }'" $?
# The tour names the module's front end: mmap_prepare on 7.x, mmap before.
case $(uname -r) in
[7-9].* | [1-9][0-9].*) fe=mmap_prepare ;;
*) fe=mmap ;;
esac
grep -qx "The module maps through its f_op->$fe (the front end for this kernel)." "$tmp/tour.txt"
result "tour: names the front end $fe on $(uname -r)" $?
# The temporary file is gone again.
ls /tmp/mmapdemo-tour-* >/dev/null 2>&1
result "tour: the temporary file was unlinked" "$([ $? != 0 ] && echo 0 || echo 1)"

# The tour's traced stages (tour_trace.c): the callbacks the module's front
# end implies, the strategy's fault handler and the call that writes the
# entry, each as the trace saw it on this kernel; the chains in the calls
# lines, the functions at their ends in the verdict.
# calls_of NAME SECTION LABEL: the chain after LABEL in that section.
calls_of() {
	section_of "$1" "$2" "$tmp/tour.txt" | field "$3"
}
if [ "$traced" = no ]; then
	# No chain, and the reason once at the start.
	st=0
	grep -qE '^ *calls( in |, )' "$tmp/tour.txt" && st=1
	grep -q '^Calls are not traced: ' "$tmp/tour.txt" || st=1
	result "tour: no calls line and the reason, without function_graph" "$st"
	echo "ok $((n + 1)) - tour: munmap's and the huge fault's chains # SKIP this kernel has no function_graph tracer"
	echo "ok $((n + 2)) - tour: the revocation's chains # SKIP this kernel has no function_graph tracer"
	n=$((n + 2))
else
	st=0
	grep -q 'calls not traced' "$tmp/tour.txt" && { echo "# the tour was not traced"; st=1; }
	remap_mmap=$(calls_of lazy_vs_eager "device, strategy remap" "calls in mmap()")
	insert_mmap=$(calls_of lazy_vs_eager "device, strategy insert" "calls in mmap()")
	fault_touch=$(calls_of lazy_vs_eager "device, strategy fault" "calls, first read")
	echo "# remap, mmap: $remap_mmap"
	echo "# insert, mmap: $insert_mmap"
	echo "# fault, first read: $fault_touch"
	# has CHAIN EXTENDED-REGEX WHAT: the chain holds it, else say so.
	has() {
		echo "$1" | grep -qE "$2" || { echo "# no $3 in: $1"; st=1; }
	}
	if [ "$fe" = mmap_prepare ]; then
		for c in "$remap_mmap" "$insert_mmap"; do
			has "$c" '^__(x64|arm64)_sys_mmap -> .*__mmap_region -> mmapdemo_mmap_prepare(;| ->|$)' "->mmap_prepare under the system call"
			has "$c" 'mmap_action_complete -> ([a-z_]+ -> )*mmapdemo_vma_mapped' "->mapped from mmap_action_complete"
			echo "$c" | grep -q 'mmapdemo_mmap[^_]' && { echo "# ->mmap on a 7.x front end: $c"; st=1; }
		done
	else
		for c in "$remap_mmap" "$insert_mmap"; do
			has "$c" '^__(x64|arm64)_sys_mmap -> .* -> mmapdemo_mmap( ->|;|$)' "->mmap under the system call"
			echo "$c" | grep -qE 'mmapdemo_mmap_prepare|mmapdemo_vma_mapped' && { echo "# a 7.x callback on 6.x: $c"; st=1; }
		done
	fi
	has "$remap_mmap" '(remap_pfn_range|remap_pfn_range_internal|remap_pfn_range_notrack|remap_pfn_range_complete|remap_pte_range)(\.[a-z0-9.]+)?($|;)' "remap writer at a chain's end"
	has "$insert_mmap" 'insert_page_into_pte_locked(\.[a-z0-9.]+)?($|;)' "the insert strategy's writer"
	has "$fault_touch" '^handle_mm_fault -> .* -> fault_fault( ->|;|$)' "the fault strategy's ->fault"
	has "$fault_touch" '(set_pte_range|do_set_pte|insert_page_into_pte_locked)(\.[a-z0-9.]+)?($|;)' "the writer of the faulted entry"
	v=$(verdict_of lazy_vs_eager "$tmp/tour.txt")
	for f in fault_fault insert_page_into_pte_locked; do
		case $v in *"[kernel: traced: "*"$f"*) ;; *) echo "# the verdict does not name $f: $v"; st=1 ;; esac
	done
	result "tour: the traced chains hold the $fe front end's callbacks, the fault handler and the writers" "$st"

	st=0
	ds=$(sed -n "s/^The device's default strategy is \([a-z]*\);.*/\1/p" "$tmp/tour.txt")
	mu=$(calls_of munmap_partial "device, strategy $ds" "calls in munmap()")
	echo "# munmap: $mu"
	has "$mu" '^__(x64|arm64)_sys_munmap -> .*mmapdemo_vma_open' "->open of the split"
	has "$mu" 'mmapdemo_vma_close($|;)' "->close of the removed piece"
	if runs huge && [ "$huge_pmd" = 1 ]; then
		hu=$(calls_of huge "device, strategy huge" "calls, first read")
		echo "# huge: $hu"
		has "$hu" '^handle_mm_fault -> .* -> huge_fault -> ' "the huge strategy's ->huge_fault"
		has "$hu" '(vmf_insert_pfn_pmd|insert_pfn_pmd|insert_pmd)(\.[a-z0-9.]+)?($|;)' "the PMD writer"
	fi
	result "tour: munmap's ->open and ->close, and the huge fault's writer, as traced" "$st"

	# The revocation, seen from the task that wrote unbind: the
	# system call down to the driver's ->remove (under the PCI core's
	# pci_device_remove()), the zap of the mappings under it; then the
	# touch's fault reaching the driver's ->fault, which refuses it.
	st=0
	if runs revoke; then
		ub=$(calls_of revoke "the revocation" "calls in write(unbind)")
		rt=$(calls_of revoke "the revocation" "calls, the touch after")
		echo "# revoke, unbind: $ub"
		echo "# revoke, touch: $rt"
		has "$ub" '^__(x64|arm64)_sys_write -> ([a-z_0-9.]+ -> )*unbind_store -> ' "unbind_store under write()"
		has "$ub" ' -> pci_device_remove -> mmapdemo_pci_remove( ->|;|$)' "the driver's ->remove under pci_device_remove()"
		has "$ub" ' -> mmapdemo_pci_remove -> ([a-z_0-9.]+ -> )*unmap_mapping_range( ->|;|$)' "unmap_mapping_range() under ->remove"
		has "$rt" '^handle_mm_fault -> ([a-z_0-9.]+ -> )*fault_pfn_fault(;|$)' "the BAR's ->fault under handle_mm_fault()"
		v=$(verdict_of revoke "$tmp/tour.txt")
		for f in mmapdemo_pci_remove fault_pfn_fault; do
			case $v in *"[kernel: traced: "*"$f"*) ;; *) echo "# the verdict does not name $f: $v"; st=1 ;; esac
		done
		result "tour: the revocation's chains, from write() to ->remove and the zap, and the refused fault" "$st"
	else
		echo "ok $((n + 1)) - tour: the revocation's chains # SKIP no ivshmem device"
		n=$((n + 1))
	fi
fi

# Statements that were wrong once, and their corrections.  The wrong ones
# were said of the RAM device, in the experiments before the device
# experiments (n. and o.), which say "no struct page" of a BAR, truly.
st=0
sed '/^n\. huge:/,$d' "$tmp/tour.txt" >"$tmp/ram-part.txt"
for wrong in "The device has no" "the page is mapped; the access is not allowed" \
	"cannot be copied on write" "no struct page" \
	"to hold its first PFN, by which vm_normal_page() tells"; do
	if grep -qF "$wrong" "$tmp/ram-part.txt"; then
		echo "# the tour still says '$wrong'"
		st=1
	fi
done
for right in "SEGV_ACCERR (a VMA covers the address; its permissions forbid the access)" \
	"fault_fault() maps that one page itself with vm_insert_page() (the" \
	"how vm_normal_page() tells original PTEs from copied pages where PTEs" \
	"reading the hole         SEGV_MAPERR (no VMA covers the address)" \
	"the parent read the child's message on all three"; do
	if ! grep -qF -- "$right" "$tmp/tour.txt"; then
		echo "# the tour does not say '$right'"
		st=1
	fi
done
result "tour: no wrong statement, each correction there" "$st"
# The driver's mmap handler it names is the one this front end has:
# 7.x's module has no mmapdemo_mmap(), 6.x's no mmapdemo_mmap_prepare().
case $fe in
mmap_prepare) ! grep -q 'mmapdemo_mmap()' "$tmp/tour.txt" &&
	grep -q 'mmapdemo_mmap_prepare()' "$tmp/tour.txt" ;;
*) ! grep -q 'mmapdemo_mmap_prepare()' "$tmp/tour.txt" &&
	grep -q 'mmapdemo_mmap()' "$tmp/tour.txt" ;;
esac
result "tour: names only the mmap handler of the $fe front end" $?
# The file system the tour names is the one /tmp is on.
fs=$(stat -f -c %T /tmp 2>/dev/null)
st=0
case $fs in
tmpfs) grep -qx "file system              tmpfs" "$tmp/tour.txt" &&
	grep -qF "The file is on tmpfs: shmem" "$tmp/tour.txt" || st=1 ;;
*) echo "# /tmp is on '$fs'"; st=1 ;;
esac
result "tour: names the file system of its file ($fs)" "$st"

# The disk experiments say where their file is: ext4 on the disk's device.
st=0
if [ "$disk" = yes ]; then
	dev=$(awk '$2 == "/var/tmp" { print $1 }' /proc/mounts)
	grep -q "^  The file is on ext4 mounted on /var/tmp from $dev (block device [0-9]*:[0-9]*,\$" "$tmp/tour.txt" || st=1
	[ "$(grep -c "^  The file is on ext4 mounted on /var/tmp from $dev " "$tmp/tour.txt")" = 4 ] || st=1
	[ ! -d /sys/block/vda ] || grep -q '^  driver virtio_blk): its pages are read from and written to that disk\.$' "$tmp/tour.txt" || st=1
	# What each one measured, beyond its verdict.
	grep -q '^  major faults on the read  *1$' "$tmp/tour.txt" || st=1
	grep -q '^  page dirty (kpageflags)  *yes$' "$tmp/tour.txt" || st=1
	grep -q '^  page dirty after msync  *no$' "$tmp/tour.txt" || st=1
	grep -q '^  then read(2) sees new  *yes$' "$tmp/tour.txt" || st=1
	grep -q '^  then read(2) sees old  *yes$' "$tmp/tour.txt" || st=1
	result "tour: the disk experiments' file is on ext4 on $dev, and they measured it" "$st"
else
	echo "ok $((n + 1)) - tour: the disk experiments' file # SKIP no ext4 here"
	n=$((n + 1))
fi
# The comparison table, its msync row measured: EINVAL on the device (its
# ->fsync refuses), ok with deferred I/O (the store on the device side when
# msync returned), ok on shmem and ext4.
if [ "$disk" = yes ]; then ext4='ok  *ok'; else ext4='?  *?'; fi
st=0
grep -q "^  msync(MS_SYNC)  *EINVAL  *ok  *$ext4  *ok  *ok\$" "$tmp/tour.txt" || st=1
grep -q '^  others see it  *any opener  *any opener  *any opener  *nobody  *any opener  *fork children$' "$tmp/tour.txt" || st=1
result "tour: the table of the device beside the file and shared memory, msync measured" "$st"

# The fault strategy maps one page per ->fault, and fork copies its PTEs
# (VM_MIXEDMAP).
for e in lazy_vs_eager populate fork dontneed; do
	# Untraced: the lifecycle experiments then check the module's
	# events against its counters (tour_lifecycle.c's lc_trace).
	run mmapdemo tour --calls none --only $e
	st=$rc
	grep -qE '^  verdict: .* \[kernel: calls not traced: --calls=none\]$' "$tmp/out" || st=1
	grep -qE '^ *calls( in |, )' "$tmp/out" && st=1
	grep -qx '  1 experiment, 1 as expected' "$tmp/out" || st=1
	case $e in
	lazy_vs_eager) grep -qE '^  verdict: as expected: fault took 64 ->fault calls for 64 pages;' "$tmp/out" || st=1 ;;
	fork) grep -qF 'fault: PTEs copied (VM_MIXEDMAP: its ->fault inserts pages)' "$tmp/out" || st=1 ;;
	esac
	result "tour --only $e: one ->fault per page, fork copies (status $rc)" "$st"
done

run mmapdemo --json tour --calls none
st=$rc
[ "$(head -c 1 "$tmp/out")" = "{" ] || st=1
[ "$(tail -n 1 "$tmp/out")" = "}" ] || st=1
for e in $experiments; do
	grep -q "^  \"$e\": {" "$tmp/out" || st=1
done
# One "as_expected": true for each experiment that ran (the summary's is a number).
[ "$(grep -c '"as_expected": true' "$tmp/out")" = "$ran" ] || st=1
grep -q '"as_expected": false' "$tmp/out" && st=1
[ "$(grep -c '^    "kernel": "' "$tmp/out")" = "$ran" ] || st=1
[ "$(grep -c '^    "skipped": true' "$tmp/out")" = "$skipped" ] || st=1
[ "$(grep -c '^    "shows": "' "$tmp/out")" = "$nr_experiments" ] || st=1
grep -q 'verdict: ' "$tmp/out" && st=1	# prose stays out of JSON
grep -q "\"front_end\": \"$fe\"" "$tmp/out" || st=1
result "tour --json: one object with every experiment, its sentence and kernel function (or skip), all as expected" "$st"

run mmapdemo tour --only prot_read
st=$rc
grep -q '^b\. prot_read:' "$tmp/out" || st=1
grep -q '^a\. shared_write:' "$tmp/out" && st=1
grep -q 'SEGV_ACCERR' "$tmp/out" || st=1
grep -qx '  1 experiment, 1 as expected' "$tmp/out" || st=1
result "tour --only prot_read runs that experiment alone" "$st"

# In a list too, the unknown name is the one named.
run mmapdemo tour --only prot_read,no_such_thing
result "tour --only with an unknown name is a usage error (status $rc)" \
	"$([ "$rc" = 2 ] && grep -q -- '--only no_such_thing: no such experiment' "$tmp/err" && echo 0 || echo 1)"

run mmapdemo ipc --count 10
st=$rc
i=1
while [ $i -le 10 ]; do
	grep -q "^  message $i from pid [0-9]*: hello $i\$" "$tmp/out" || st=1
	i=$((i + 1))
done
grep -qx '10 of 10 messages arrived in order' "$tmp/out" || st=1
result "ipc --count 10: all 10 messages in order (status $rc)" "$st"

for s in fault remap insert; do
	run mmapdemo ipc --strategy $s --count 100
	st=$rc
	grep -q "^strategy  *$s\$" "$tmp/out" || st=1
	grep -qx '100 of 100 messages arrived in order' "$tmp/out" || st=1
	result "ipc --strategy $s --count 100 (status $rc)" "$st"
done

run mmapdemo ipc --memory anonymous --count 100
st=$rc
grep -q '^memory  *anonymous$' "$tmp/out" || st=1
grep -q "^  message 100 from pid [0-9]*: hello 100\$" "$tmp/out" || st=1
grep -qx '100 of 100 messages arrived in order' "$tmp/out" || st=1
result "ipc --memory anonymous --count 100: shared anonymous memory across fork (status $rc)" "$st"

run mmapdemo ipc --memory somewhere
result "ipc --memory with an unknown kind is a usage error (status $rc)" \
	"$([ "$rc" = 2 ] && echo 0 || echo 1)"

run mmapdemo --json ipc --count 3
st=$rc
[ "$(head -c 1 "$tmp/out")" = "{" ] || st=1
[ "$(tail -n 1 "$tmp/out")" = "}" ] || st=1
[ "$(grep -c '"ok": true' "$tmp/out")" = 3 ] || st=1
grep -q '"in_order": true' "$tmp/out" || st=1
result "ipc --json: three messages, in order" "$st"

# Unprivileged: the node is 0600, so both fail with status 4 and a hint.
for c in tour ipc; do
	run su nobody -s /bin/sh -c "mmapdemo $c"
	st=0
	[ "$rc" = 4 ] || st=1
	grep -q '^hint: ' "$tmp/err" || st=1
	result "$c as nobody fails with status 4 and a hint (status $rc)" "$st"
done

[ "$failed" = 0 ]
