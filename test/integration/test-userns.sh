#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# PrivateUsers= and PrivateUsersOwnership= (docs/security.md, machined-ext.nspawn(5)): the UID range a machine
# gets (picked or explicit, locked, disjoint), what the payload sees (uid_map, its files, its processes from
# outside), how the image is made to fit (chown, recorded; idmapped where the file system allows it), and the
# hostile probe (`testpayload attack`): with a user namespace every escape of the isolation issue fails; with
# PrivateUsers=no the same probe documents what is still blocked.

set -u
. "$(dirname "$0")/lib.sh"

SLEEP="/usr/bin/testpayload sleep inf"
LOCKS=/run/systemd/nspawn-uid

un_leader() {   # NAME
        mx_prop "$1" Leader
}

# un_root NAME EXEC-LINES [FILES-LINES]: a busybox root whose PID 1 writes /tmp/map (its uid_map) and
# /tmp/ready, creates /newfile, then sleeps.
un_root() {
        mx_root "$1"
        mx_settings "$1" "[Exec]\n$2\nParameters=/bin/sh -c \"cat /proc/self/uid_map >/tmp/map; touch /newfile; : >/tmp/ready; exec $SLEEP\"\n[Files]\n${3:-}\n"
}

un_wait() {     # NAME: waits for /tmp/ready of its PID 1, prints the leader
        local l
        l=$(un_leader "$1")
        wait_until 10 test -e /proc/$l/root/tmp/ready || t_fail "$1 did not get ready"
        echo "$l"
}

# PrivateUsers=pick: a 64K range at a multiple of 64K, the same on the next run, root inside is the shifted
# UID outside, the payload's files belong to it, the range is locked while it runs.
test_pick() {
        local n=mxun-pick l shift map l2
        un_root $n "PrivateUsers=pick"
        assert_ok machinectl-ext start $n
        l=$(un_wait $n)
        map=$(cat /proc/$l/root/tmp/map)
        shift=$(echo $map | awk '{ print $2 }')
        assert_match "^0 [0-9]+ 65536$" "$(echo $map)" "uid_map inside"
        [ "$shift" -ge $((0x80000)) ] && [ $((shift % 65536)) = 0 ] || t_fail "picked shift $shift"
        assert_eq "$shift" "$(ps -o uid= -p $l | tr -d ' ')" "UID of PID 1 seen from outside"
        assert_eq "$shift" "$(ps -o gid= -p $l | tr -d ' ')" "GID of PID 1 seen from outside"
        assert_eq "$shift" "$(stat -c %u /proc/$l/root/newfile)" "owner of a file PID 1 created"
        assert_eq "$shift" "$(stat -c %u $MACHINES_DIR/$n/bin/busybox)" "owner of the image's files (chown)"
        [ -e $LOCKS/$shift ] || t_fail "no lock $LOCKS/$shift while $n runs"
        assert_ok machinectl-ext stop $n
        wait_until 10 mx_gone $n || t_fail "$n still running"
        [ -e $LOCKS/$shift ] && t_fail "lock $LOCKS/$shift left after $n stopped"
        # The same range on the next run (from the name, and recorded as the root's owner).
        assert_ok machinectl-ext start $n
        l2=$(un_wait $n)
        assert_eq "0 $shift 65536" "$(echo $(cat /proc/$l2/root/tmp/map))" "uid_map of the second run"
        assert_ok machinectl-ext stop $n
}

# nspawn's host-user check: a range whose first UID the host's user database knows is not picked, also right
# after a start found it clear (the daemon keeps that verdict only while the user and group files are the
# same, issue #17). Here /etc/passwd gains a user at the range the previous run had.
test_pick_host_user() {
        local n=mxun-hostuser l shift shift2
        un_root $n "PrivateUsers=pick"
        assert_ok machinectl-ext start $n
        l=$(un_wait $n)
        shift=$(awk '{ print $2 }' /proc/$l/uid_map)
        assert_ok machinectl-ext stop $n
        wait_until 10 mx_gone $n || t_fail "$n still running"
        cp /etc/passwd "$T_TMP/passwd.orig" || t_fail "cannot save /etc/passwd"
        # shellcheck disable=SC2064
        trap "cat '$T_TMP/passwd.orig' >/etc/passwd" EXIT
        echo "mxunhost:x:$shift:$shift::/nonexistent:/usr/sbin/nologin" >>/etc/passwd
        getent passwd "$shift" >/dev/null || t_fail "NSS does not know the new user $shift"
        assert_ok machinectl-ext start $n
        l=$(un_wait $n)
        shift2=$(awk '{ print $2 }' /proc/$l/uid_map)
        assert_ne "$shift" "$shift2" "the range of a start after a host user took its first UID"
        assert_ok machinectl-ext stop $n
        wait_until 10 mx_gone $n || t_fail "$n still running"
        cat "$T_TMP/passwd.orig" >/etc/passwd
        trap - EXIT
}

# Two machines get disjoint ranges.
test_two_machines() {
        local a=mxun-a b=mxun-b la lb sa sb
        un_root $a "PrivateUsers=pick"
        un_root $b "PrivateUsers=pick"
        assert_ok machinectl-ext start $a
        assert_ok machinectl-ext start $b
        la=$(un_wait $a)
        lb=$(un_wait $b)
        sa=$(awk '{ print $2 }' /proc/$la/uid_map)
        sb=$(awk '{ print $2 }' /proc/$lb/uid_map)
        [ "$sa" -ne 0 ] && [ "$sb" -ne 0 ] || t_fail "no shift: $sa $sb"
        [ $((sa + 65536)) -le "$sb" ] || [ $((sb + 65536)) -le "$sa" ] || t_fail "ranges overlap: $sa $sb"
}

# An explicit range that overlaps a running machine's fails the start with a clear error and leaves nothing.
test_explicit_overlap() {
        local a=mxun-ea b=mxun-eb out
        un_root $a "PrivateUsers=1342177280:65536"
        un_root $b "PrivateUsers=1342177380:1000"
        assert_ok machinectl-ext start $a
        assert_eq "0 1342177280 65536" "$(echo $(cat /proc/$(un_wait $a)/uid_map))" "explicit range"
        out=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$b)
        assert_match "$b.nspawn: PrivateUsers=1342177380:1000 overlaps the UID range of running machine '$a'" \
                "$out" "error"
        mx_gone $b || t_fail "$b is running"
        assert_gone $b
        [ -e $LOCKS/1342177380 ] && t_fail "lock of the refused range left"
        # chown keeps the low 16 bits: it needs a 64K range at a multiple of 64K.
        un_root $b "PrivateUsers=1400000000:65536" "PrivateUsersOwnership=chown"
        out=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$b)
        assert_match "PrivateUsersOwnership=chown needs a range of 65536 UIDs starting at a multiple of 65536" \
                "$out" "error for chown with an unaligned range"
        assert_gone $b
        [ -e $LOCKS/1400000000 ] && t_fail "lock of the refused range left"
        assert_eq 0 "$(stat -c %u $MACHINES_DIR/$b/bin/busybox)" "image untouched"
}

# PrivateUsersOwnership=chown is done once: the root directory's owner records it.
test_chown_recorded() {
        local n=mxun-chown l shift
        un_root $n "PrivateUsers=pick" "PrivateUsersOwnership=chown"
        assert_ok machinectl-ext start $n
        l=$(un_wait $n)
        shift=$(awk '{ print $2 }' /proc/$l/uid_map)
        assert_eq "$shift $shift" "$(stat -c '%u %g' $MACHINES_DIR/$n)" "owner of the root directory"
        assert_eq "$shift" "$(stat -c %u $MACHINES_DIR/$n/etc/passwd)" "owner of /etc/passwd (0 -> shift)"
        assert_ok machinectl-ext stop $n
        wait_until 10 mx_gone $n || t_fail "$n still running"
        # A file owned by a UID outside the range: a second chown would move it into the range.
        chown 12345:12345 $MACHINES_DIR/$n/etc/passwd
        assert_ok machinectl-ext start $n
        un_wait $n >/dev/null
        assert_eq "12345" "$(stat -c %u $MACHINES_DIR/$n/etc/passwd)" "owner after the second start (not redone)"
}

# On a file system that can be idmapped (tmpfs) the root is idmapped: nothing changes on disk.
test_idmap() {
        local n=mxun-idmap d=$T_TMP/idmap-root l shift out
        mkdir -p $d
        mount -t tmpfs tmpfs $d || t_fail "tmpfs"
        mx_root $n $d
        mx_settings $n "[Exec]\nPrivateUsers=pick\nParameters=/bin/sh -c \"cat /proc/self/uid_map >/tmp/map; touch /newfile; ls -ln /bin/busybox >/tmp/ls; : >/tmp/ready; exec $SLEEP\"\n[Files]\nDirectory=$d\nPrivateUsersOwnership=map\n"
        out=$(machinectl-ext start $n 2>&1) || t_fail "start: $out"
        l=$(un_wait $n)
        shift=$(awk '{ print $2 }' /proc/$l/uid_map)
        assert_match "^-[rwx-]+ +1 0 +0 " "$(cat /proc/$l/root/tmp/ls)" "busybox inside (owned by root)"
        assert_eq 0 "$(stat -c %u $d/bin/busybox)" "busybox on disk (unchanged)"
        assert_eq 0 "$(stat -c %u $d/newfile)" "a file root created, on disk"
        assert_eq "$shift" "$(stat -c %u /proc/$l/root/newfile)" "the same file through the idmapped root"
        assert_ok machinectl-ext stop $n
        wait_until 10 mx_gone $n || t_fail "$n still running"
}

# Bind= of a host directory is idmapped (its root is the payload's root), TemporaryFileSystem= belongs to the
# payload's root, a writable Overlay= puts the payload's root's files in its upper directory as 0 on disk (more
# of it, and OverlayReadOnly=: test-userns-binds.sh).
test_custom_mounts() {
        local n=mxun-cm src=$T_TMP/cm-src l out
        mkdir -p $src $T_TMP/cm-upper && echo host >$src/f && chown 0:0 $src $src/f
        mx_root $n
        mx_settings $n "[Exec]\nPrivateUsers=pick\nParameters=/bin/sh -c \"echo inside >/rw/new; ls -ln /rw/f >/tmp/ls; touch /scratch/x && : >/tmp/tmpfs-ok; : >/tmp/ready; exec $SLEEP\"\n[Files]\nBind=$src:/rw\nTemporaryFileSystem=/scratch\n"
        assert_ok machinectl-ext start $n
        l=$(un_wait $n)
        assert_match "^-[rw-]+ +1 0 +0 " "$(cat /proc/$l/root/tmp/ls)" "host file in Bind= seen inside (owned by root)"
        assert_eq "inside" "$(cat $src/new 2>/dev/null)" "file the payload wrote through Bind="
        assert_eq "0" "$(stat -c %u $src/new)" "its owner on the host (the host's root, through the idmapping)"
        [ -e /proc/$l/root/tmp/tmpfs-ok ] || t_fail "payload's root could not write to its TemporaryFileSystem="
        assert_ok machinectl-ext stop $n
        wait_until 10 mx_gone $n || t_fail "$n still running"
        mx_settings $n "[Exec]\nPrivateUsers=pick\nParameters=/bin/sh -c \"echo inside >/ov/new; echo more >>/ov/f; : >/tmp/ready; exec $SLEEP\"\n[Files]\nOverlay=$src:$T_TMP/cm-upper:/ov\n"
        assert_ok machinectl-ext start $n
        l=$(un_wait $n)
        assert_eq "inside" "$(cat $T_TMP/cm-upper/new 2>/dev/null)" "file the payload wrote through Overlay="
        assert_eq "0 0" "$(stat -c '%u %g' $T_TMP/cm-upper/new)" "its owner on the host (through the idmapped upper)"
        assert_eq "host more" "$(cat $T_TMP/cm-upper/f | tr '\n' ' ' | sed 's/ $//')" "the copied-up lower file"
        assert_eq "host" "$(cat $src/f)" "the lower file on the host"
        assert_ok machinectl-ext stop $n
}

# PrivateUsersOwnership=map where the file system cannot be idmapped (the bed's overlay): a clear error.
test_map_refused() {
        local n=mxun-map out
        findmnt -n -o FSTYPE -T $MACHINES_DIR | grep -qx overlay || skip "$MACHINES_DIR is not on overlayfs"
        un_root $n "PrivateUsers=pick" "PrivateUsersOwnership=map"
        out=$(machinectl-ext start $n 2>&1) && t_fail "start succeeded"
        assert_match "PrivateUsersOwnership=map: an idmapped mount of $MACHINES_DIR/$n" "$out" "error"
        assert_gone $n
        assert_eq "0" "$(stat -c %u $MACHINES_DIR/$n/bin/busybox)" "busybox untouched"
}

# Binds into a machine with a user namespace: ours are idmapped (test-userns-binds.sh); systemd-machined's
# (machinectl bind) refuses them clearly.
test_bind_userns() {
        local n=mxun-bind out
        un_root $n "PrivateUsers=pick"
        mkdir -p $T_TMP/src
        assert_ok machinectl-ext start $n
        un_wait $n >/dev/null
        assert_ok machinectl-ext bind --mkdir $n $T_TMP/src /mnt/x
        out=$(machinectl bind --mkdir $n $T_TMP/src /mnt/y 2>&1) && t_fail "machinectl bind succeeded"
        assert_match "user namespac" "$out" "machinectl bind"
}

# The systemd root boots to READY in a user namespace, and powers off.
test_systemd_boot() {
        local n=mxun-sd l
        t_track $n
        "$T_REPO/test/mkroot-systemd.sh" "$MACHINES_DIR/$n" >/dev/null 2>&1 || t_fail "mkroot-systemd.sh failed"
        mx_settings $n "[Exec]\nBoot=yes\nPrivateUsers=pick\n"
        assert_ok timeout 40 machinectl-ext start --ready $n
        assert_eq "Ready." "$(mx_prop $n Status)" "Status"
        l=$(un_leader $n)
        assert_match "^0 +[1-9][0-9]* +65536$" "$(echo $(cat /proc/$l/uid_map))" "uid_map of its PID 1"
        assert_ok timeout 20 machinectl poweroff $n
        wait_until 30 mx_gone $n || t_fail "$n did not power off"
        umount $MACHINES_DIR/$n/usr
}

# The hostile probe: ResolvConf=/Timezone= binds, a read-only Bind=, and everything else of the issue.
un_attack() {   # NAME PRIVATEUSERS (empty: the default): prints the probe's lines
        local n=$1 src=$T_TMP/attack-ro
        mx_root $n
        mkdir -p $src && echo host >$src/f
        mx_settings $n "[Exec]\n${2:+PrivateUsers=$2\n}ResolvConf=bind-host\nTimezone=bind\nParameters=/usr/bin/testpayload attack --ro /etc/resolv.conf --ro /etc/localtime --ro /ro --ro-file /etc/resolv.conf --ro-file /etc/localtime --ro-file /ro/f --out /attack.txt\n[Files]\nBindReadOnly=$src:/ro\n"
        assert_ok machinectl-ext start --wait $n
        cat $MACHINES_DIR/$n/attack.txt 2>/dev/null
}

# With a user namespace every attack fails, but one: its root may claim PID 1's credentials on the notify
# socket (it has CAP_SYS_ADMIN over its PID namespace, which its user namespace owns, as with nspawn -U; it
# may as well ptrace PID 1). A user other than root inside may not.
un_attack_userns() {    # NAME PRIVATEUSERS
        local out
        out=$(un_attack "$@")
        echo "$out"
        assert_match "done=1" "$out" "probe finished"
        # A raw socket works in the machine's own network namespace (the default private network, as
        # nspawn@'s): it sees nothing of the host's, which is what matters.
        assert_match "^netns=[0-9]" "$(echo "$out" | grep "^netns=")" "the probe reports its network namespace"
        [ "$(echo "$out" | sed -n 's/^netns=//p')" != "$(stat -L -c %i /proc/self/ns/net)" ] ||
                t_fail "the probe ran in the host's network namespace"
        assert_no_match "ESCAPED" "$(echo "$out" | grep -v "^forged-ready=" | grep -v "^raw-socket=")" \
                "with a user namespace every attack fails"
        assert_match "^forged-ready-user=blocked EPERM" "$(echo "$out" | grep "^forged-ready-user=")" \
                "a user other than root claiming PID 1"
        for a in remount-proc-sys write-core-pattern remount-sys remount-run-host mount-proc remount-ro-bind-2; do
                assert_match "^$a=blocked" "$(echo "$out" | grep "^$a=")" "$a"
        done
        [ "$(echo "$out" | grep -c =blocked)" -ge 16 ] || t_fail "fewer attempts than expected: $out"
}

test_attack_userns() {
        un_attack_userns mxun-attack pick
}

# The same without PrivateUsers= in the settings: the default is a user namespace.
test_attack_default() {
        un_attack_userns mxun-attack-default ""
}

# Without a user namespace (PrivateUsers=no): the payload's root keeps CAP_SYS_ADMIN in the host's user namespace
# and nothing locks its mounts. The seccomp filter denies what would make a read-only mount writable (remounts
# without MS_RDONLY, the new mount API); what it cannot see stays possible. docs/security.md lists both, and this
# asserts both, so that the list stays true.
test_attack_no_userns() {
        local out a
        out=$(un_attack mxun-attack-no no)
        echo "$out"
        assert_match "done=1" "$out" "probe finished"
        # Blocked: each remount read-write (per mount and of the superblock) of /proc/sys, /sys, /run/host/*
        # and every read-only bind (BindReadOnly=, ResolvConf=bind-host, Timezone=bind), by seccomp (EPERM).
        for a in remount-proc-sys remount-sys remount-run-host remount-run-host-os-release \
                 remount-run-host-incoming remount-ro-bind-0 remount-ro-bind-1 remount-ro-bind-2 remount-sb-sys; do
                assert_match "^$a=blocked EPERM" "$(echo "$out" | grep "^$a=")" "$a with PrivateUsers=no"
        done
        # Blocked: the new mount API, which would clear the read-only flag past the rule above (ENOSYS, so
        # that systemd and libmount fall back to mount()).
        for a in setattr-proc-sys clone-proc-sys clone-attr-proc-sys fspick-sys; do
                assert_match "^$a=blocked ENOSYS" "$(echo "$out" | grep "^$a=")" "$a with PrivateUsers=no"
        done
        # Blocked: writes through the read-only mounts, and open_by_handle_at() (seccomp).
        for a in write-core-pattern write-ro-file-0 write-ro-file-1 write-ro-file-2; do
                assert_match "^$a=blocked EROFS" "$(echo "$out" | grep "^$a=")" "$a with PrivateUsers=no"
        done
        assert_match "^open-by-handle=blocked EPERM" "$(echo "$out" | grep "^open-by-handle=")" "open_by_handle_at"
        # Allowed, on purpose: remounting read-only (systemd's sandboxing inside does it).
        assert_match "^remount-ro-run-host=allowed" "$(echo "$out" | grep "^remount-ro-run-host=")" \
                "a remount read-only"
        # Still possible without a user namespace (docs/security.md says so): a fresh proc or sysfs (seccomp
        # cannot see a file system type), unmounting the read-only /proc/sys over-mount (nor a path), and
        # claiming PID 1 on the notify socket.
        for a in mount-proc write-fresh-core-pattern mount-sysfs write-fresh-sysfs umount-proc-sys \
                 write-core-pattern-after-umount forged-ready; do
                assert_match "^$a=ESCAPED" "$(echo "$out" | grep "^$a=")" "$a with PrivateUsers=no (still possible)"
        done
}

# The systemd root boots to READY without a user namespace, under the filter for Boot=yes (the new mount API
# denied; it falls back to mount()), and no unit fails. Its services' sandboxing works: ProtectSystem= (remounts
# read-only) and NoNewPrivileges=yes with PrivateTmp= (systemd remounts writable mounts nosuid, which is why the
# remount rule of the probe above, Boot=no, is not applied to a booted machine: docs/security.md).
un_sd_no_userns() {     # NAME EXTRA-EXEC-LINE: boots it, prints its leader
        local n=$1 l
        "$T_REPO/test/mkroot-systemd.sh" "$MACHINES_DIR/$n" >/dev/null 2>&1 || t_fail "mkroot-systemd.sh failed"
        mx_settings $n "[Exec]\nBoot=yes\nPrivateUsers=no\n$2\n"
        mkdir -p "$MACHINES_DIR/$n/etc/systemd/system"
        printf '[Service]\nType=oneshot\nExecStart=/bin/true\nProtectSystem=strict\nReadWritePaths=/tmp\nProtectKernelTunables=yes\n' \
                >"$MACHINES_DIR/$n/etc/systemd/system/t-protect.service"
        printf '[Service]\nType=oneshot\nExecStart=/bin/true\nNoNewPrivileges=yes\nPrivateTmp=yes\n' \
                >"$MACHINES_DIR/$n/etc/systemd/system/t-nnp.service"
        # open_tree() (428) with a bad fd: EBADF (9) unfiltered, ENOSYS (38) under the filter; a child of the
        # machine's PID 1 has its filter.
        printf '[Service]\nType=oneshot\nStandardOutput=file:/newapi.txt\nExecStart=/usr/bin/python3 -c "import ctypes; c = ctypes.CDLL(None, use_errno=True); c.syscall(428, -1, b\x27\x27, 0); print(ctypes.get_errno())"\n' \
                >"$MACHINES_DIR/$n/etc/systemd/system/t-newapi.service"
        assert_ok timeout 40 machinectl-ext start --ready $n
        assert_eq "Ready." "$(mx_prop $n Status)" "Status"
        un_leader $n
}

un_sd_stop() {  # NAME
        assert_ok timeout 20 machinectl poweroff $1
        wait_until 30 mx_gone $1 || t_fail "$1 did not power off"
        umount $MACHINES_DIR/$1/usr
}

test_systemd_boot_no_userns() {
        local n=mxun-sdno l failed
        t_track $n
        l=$(un_sd_no_userns $n "") || exit 1
        assert_eq "$(cat /proc/self/uid_map)" "$(cat /proc/$l/uid_map)" "uid_map of its PID 1 (the host's)"
        failed=$(nsenter -t $l -m -p -u -i systemctl list-units --failed --no-legend --plain 2>&1) ||
                t_fail "systemctl inside: $failed"
        assert_eq "" "$failed" "failed units inside"
        assert_ok nsenter -t $l -m -p -u -i systemctl start t-protect.service
        assert_ok nsenter -t $l -m -p -u -i systemctl start t-nnp.service
        assert_ok nsenter -t $l -m -p -u -i systemctl start t-newapi.service
        assert_eq 38 "$(cat $MACHINES_DIR/$n/newapi.txt)" "open_tree() in a service of the booted machine (ENOSYS)"
        un_sd_stop $n
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

run_test pick test_pick
run_test pick-host-user test_pick_host_user
run_test two-machines test_two_machines
run_test explicit-overlap test_explicit_overlap
run_test chown-recorded test_chown_recorded
run_test idmap test_idmap
run_test map-refused test_map_refused
run_test custom-mounts test_custom_mounts
run_test bind-userns test_bind_userns
run_test systemd-boot test_systemd_boot
run_test attack-userns test_attack_userns
run_test attack-default test_attack_default
run_test attack-no-userns test_attack_no_userns
run_test systemd-boot-no-userns test_systemd_boot_no_userns

t_summary
