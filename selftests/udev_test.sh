#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Who may open the device, with and without the Debian package's udev rule.
# Runs in the lab VM of scripts/package-test.sh, which puts the build root's
# udevd, its /etc/group (holding the group the package's postinst created)
# and the package's rule under /udevroot.  Needs root and the module
# loaded.  Prints TAP.
set -u
n=0 failed=0
ur=/udevroot

ok() {
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		failed=$((failed + 1))
	fi
}

# as USER COMMAND...: run COMMAND as USER, with USER's groups.
as() {
	user=$1
	shift
	su -s /bin/sh "$user" -c "$*" </dev/null
}

gid=$(sed -n 's/^mmapdemo:[^:]*:\([0-9]*\):.*/\1/p' "$ur/etc/group")
if [ -z "$gid" ]; then
	echo "# the package did not create the group mmapdemo"
	ok "the package created the group mmapdemo" 1
	exit 1
fi
ok "the package created the group mmapdemo (gid $gid)" 0
# alice is in the group, bob is not.
echo 'alice:x:1000:1000::/tmp:/bin/sh' >>/etc/passwd
echo 'bob:x:1001:1001::/tmp:/bin/sh' >>/etc/passwd
echo "mmapdemo:x:$gid:alice" >>/etc/group
echo 'alice:x:1000:' >>/etc/group
echo 'bob:x:1001:' >>/etc/group

# The node of a bound PCI device (package-test.sh attaches an ivshmem), for
# the rule's second line.
bar=
for d in /sys/class/misc/mmapdemo-*; do
	[ -e "$d" ] && { bar=/dev/${d##*/}; break; }
done

# Without the rule, the module's own mode: 0600, root only.
mode=$(stat -c '%a %U %G' /dev/mmapdemo)
ok "without the rule /dev/mmapdemo is 600 root root ($mode)" \
	"$([ "$mode" = "600 root root" ] && echo 0 || echo 1)"
if [ -n "$bar" ]; then
	mode=$(stat -c '%a %U %G' "$bar")
	ok "without the rule $bar is 600 root root ($mode)" \
		"$([ "$mode" = "600 root root" ] && echo 0 || echo 1)"
	as alice mmapdemo --device "$bar" info >/dev/null 2>&1
	st=$?
	ok "without the rule a member of the group cannot open $bar (exit $st, 4 is EACCES)" \
		"$([ "$st" = 4 ] && echo 0 || echo 1)"
fi
as alice mmapdemo info >/dev/null 2>&1
st=$?
ok "without the rule a member of the group cannot open it (exit $st, 4 is EACCES)" \
	"$([ "$st" = 4 ] && echo 0 || echo 1)"

# udevd from the build root applies the package's rule.  udevadm ignores
# requests in a chroot unless told that this one is meant.
export SYSTEMD_IGNORE_CHROOT=1
mkdir -p /run "$ur/dev" "$ur/sys" "$ur/proc" "$ur/run"
mount --bind /dev "$ur/dev"
mount --bind /sys "$ur/sys"
mount --bind /proc "$ur/proc"
mount -t tmpfs tmpfs "$ur/run"
chroot "$ur" /lib/systemd/systemd-udevd --daemon --resolve-names=early
chroot "$ur" /bin/udevadm trigger --action=add --subsystem-match=misc
chroot "$ur" /bin/udevadm settle --timeout=30
mode=$(stat -c '%a %g' /dev/mmapdemo)
ok "with the rule /dev/mmapdemo is 660, group mmapdemo ($mode)" \
	"$([ "$mode" = "660 $gid" ] && echo 0 || echo 1)"
if [ -n "$bar" ]; then
	mode=$(stat -c '%a %g' "$bar")
	ok "with the rule $bar is 660, group mmapdemo ($mode)" \
		"$([ "$mode" = "660 $gid" ] && echo 0 || echo 1)"
	as alice mmapdemo --device "$bar" info >/dev/null 2>&1
	st=$?
	ok "with the rule a member of the group opens $bar (mmapdemo info, exit $st)" \
		"$([ "$st" = 0 ] && echo 0 || echo 1)"
else
	n=$((n + 1))
	echo "ok $n the rule's line for PCI devices' nodes # SKIP no PCI device bound to mmapdemo: boot with scripts/vm.sh -d ivshmem=FILE"
fi
as alice mmapdemo info >/dev/null 2>&1
st=$?
ok "with the rule a member of the group opens it (mmapdemo info, exit $st)" \
	"$([ "$st" = 0 ] && echo 0 || echo 1)"
out=$(as alice mmapdemo map --write hello --read 5 2>&1)
st=$?
ok "with the rule a member of the group maps, writes and reads it back (exit $st)" \
	"$([ "$st" = 0 ] && echo "$out" | grep -q hello && echo 0 || echo 1)"
as bob mmapdemo info >/dev/null 2>&1
st=$?
ok "with the rule others still cannot open it (exit $st, 4 is EACCES)" \
	"$([ "$st" = 4 ] && echo 0 || echo 1)"

chroot "$ur" /bin/udevadm control --exit
umount "$ur/run" "$ur/proc" "$ur/sys" "$ur/dev"
echo "1..$n"
[ "$failed" = 0 ]
