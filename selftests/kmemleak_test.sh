#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak's verdict at the end of the test VM, in TAP: by then the other
# tests have loaded, used and unloaded the module many times.  Two scans,
# more than kmemleak's minimum object age (5 s) apart, as
# Documentation/dev-tools/kmemleak.rst advises against transient false
# positives; then the report must be empty.  The lab boots kernels that have
# kmemleak with kmemleak.verbose=1, so the same objects also go to the
# kernel log, where the kernel-log gate fails on them.  Kernels without
# kmemleak (Debian's) skip, saying so.
kmemleak=/sys/kernel/debug/kmemleak

echo "TAP version 13"
echo "1..2"
if [ ! -e "$kmemleak" ]; then
	echo "ok 1 kmemleak: no unreferenced objects # SKIP no $kmemleak (no CONFIG_DEBUG_KMEMLEAK, or debugfs not mounted)"
	echo "ok 2 kmemleak: none from mmapdemo # SKIP no $kmemleak"
	exit 0
fi

status=0
if echo scan >"$kmemleak" && sleep 6 && echo scan >"$kmemleak"; then
	report=$(cat "$kmemleak")
else
	report="kmemleak: scan refused (kmemleak disabled itself? see dmesg)"
fi
if [ -z "$report" ]; then
	echo "ok 1 kmemleak: no unreferenced objects"
else
	echo "$report" | sed 's/^/# /'
	echo "not ok 1 kmemleak: no unreferenced objects ($(echo "$report" |
		grep -c '^unreferenced object') reported)"
	status=1
fi
# A backtrace into the module names it while it is loaded; an object the
# module's process or the CLI allocated names them in "comm".
if echo "$report" | grep -q 'mmapdemo\|_test'; then
	echo "not ok 2 kmemleak: none from mmapdemo"
	status=1
else
	echo "ok 2 kmemleak: none from mmapdemo"
fi
exit $status
