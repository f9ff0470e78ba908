#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The default user namespace (PrivateUsers=pick without a settings file, docs/security.md): what the payload
# gets without asking (the shift seen inside and from outside, its files, disjoint ranges, namespaces owned
# by its user namespace), reboot(2) and poweroff from inside, a systemd root that boots and reboots, the
# trust rule (an untrusted file cannot turn it off, a trusted one can), binds into such a machine
# (machinectl-ext bind idmapped; Bind= of a file system that cannot be idmapped refused), and a daemon restart.

set -u
. "$(dirname "$0")/lib.sh"

# ud_root NAME: a busybox root whose init runs /probe.sh once: it writes /tmp/map (its uid_map), creates
# /newfile, writes /tmp/ready, then reboot(2)s when /go-reboot appears and powers off at /go-poweroff.
ud_root() {
        local d=$MACHINES_DIR/$1
        mx_root "$1"
        cat >$d/etc/inittab <<'EOF'
::once:/bin/sh /probe.sh
::respawn:/bin/sleep 3600
EOF
        cat >$d/probe.sh <<'EOF'
cat /proc/self/uid_map >/tmp/map
touch /newfile
: >/tmp/ready
while :; do
        if [ -e /go-reboot ]; then
                rm -f /go-reboot
                touch /rebooted
                reboot -f
        fi
        [ -e /go-poweroff ] && poweroff -f
        sleep 0.2
done
EOF
}

ud_wait() {     # NAME: waits for /tmp/ready of its PID 1, prints the leader
        local l
        wait_until 10 ud_new_leader "$1" 0 || t_fail "$1 has no leader"
        l=$(mx_prop "$1" Leader)
        wait_until 10 test -e /proc/$l/root/tmp/ready || t_fail "$1 did not get ready"
        echo "$l"
}

ud_new_leader() {        # NAME OLD-LEADER: NAME has a leader, and not OLD-LEADER
        local l
        l=$(mx_prop "$1" Leader 2>/dev/null) || return 1
        [ -n "$l" ] && [ "$l" != 0 ] && [ "$l" != "$2" ]
}

ud_status() {   # NAME STATUS
        [ "$(mx_prop "$1" Status 2>/dev/null)" = "$2" ]
}

ud_poweroff() { # NAME: powers it off from inside, waits until it is gone
        touch $MACHINES_DIR/$1/go-poweroff
        wait_until 15 mx_gone $1 || t_fail "$1 did not power off from inside"
}

# No settings file: a 64K range, root inside is the shifted UID outside, its files belong to it, and the
# PID, UTS, IPC, mount and cgroup namespaces are owned by its user namespace.
test_default_shift() {
        local n=mxud-shift l shift map userns t
        ud_root $n
        rm -f $SETTINGS_DIR/$n.nspawn $MACHINES_DIR/$n.nspawn
        assert_ok machinectl-ext start $n
        l=$(ud_wait $n)
        map=$(echo $(cat /proc/$l/root/tmp/map))
        assert_match "^0 [1-9][0-9]* 65536$" "$map" "uid_map inside, without a settings file"
        shift=$(echo $map | awk '{ print $2 }')
        [ $((shift % 65536)) = 0 ] || t_fail "shift $shift is not a multiple of 65536"
        assert_eq "$shift" "$(ps -o uid= -p $l | tr -d ' ')" "UID of PID 1 seen from outside (ps)"
        assert_match "^Uid:[[:space:]]+$shift[[:space:]]+$shift[[:space:]]" "$(grep ^Uid: /proc/$l/status)" \
                "Uid: of PID 1 in /proc/PID/status"
        assert_eq "$shift:$shift" "$(stat -c %u:%g /proc/$l/root/newfile)" "owner of a file PID 1 created"
        userns=$(stat -L -c %i /proc/$l/ns/user)
        for t in pid uts ipc mnt cgroup; do
                assert_eq "$userns" "$(lsns -n -o ONS -t $t -p $l | tr -d ' ')" "owner of its $t namespace"
        done
        ud_poweroff $n
}

# Two machines without settings get disjoint ranges.
test_default_two_machines() {
        local a=mxud-a b=mxud-b la lb sa sb
        ud_root $a
        ud_root $b
        assert_ok machinectl-ext start $a
        assert_ok machinectl-ext start $b
        la=$(ud_wait $a)
        lb=$(ud_wait $b)
        sa=$(awk '{ print $2 }' /proc/$la/uid_map)
        sb=$(awk '{ print $2 }' /proc/$lb/uid_map)
        [ "$sa" -ne 0 ] && [ "$sb" -ne 0 ] || t_fail "no shift: $sa $sb"
        [ $((sa + 65536)) -le "$sb" ] || [ $((sb + 65536)) -le "$sa" ] || t_fail "ranges overlap: $sa $sb"
        ud_poweroff $a
        ud_poweroff $b
}

# reboot(2) from inside starts the machine again (same range), poweroff from inside stops it: the payload's
# root has CAP_SYS_BOOT over its PID namespace because its user namespace owns it.
test_default_reboot() {
        local n=mxud-reboot l1 l2 shift
        ud_root $n
        assert_ok machinectl-ext start $n
        l1=$(ud_wait $n)
        shift=$(awk '{ print $2 }' /proc/$l1/uid_map)
        touch $MACHINES_DIR/$n/go-reboot
        wait_until 15 test -e $MACHINES_DIR/$n/rebooted || t_fail "the probe did not reboot"
        wait_until 15 ud_new_leader $n $l1 || t_fail "$n did not start again after reboot -f"
        l2=$(ud_wait $n)
        assert_ne "$l1" "$l2" "leader after the reboot"
        assert_eq "0 $shift 65536" "$(echo $(cat /proc/$l2/uid_map))" "uid_map after the reboot"
        ud_poweroff $n
}

# An untrusted settings file (in /var/lib/machines) cannot turn the user namespace off; a trusted one can.
test_default_trust() {
        local n=mxud-trust l out rc
        mx_root $n
        t_track $n
        mkdir -p $SETTINGS_DIR && rm -f $SETTINGS_DIR/$n.nspawn
        printf '[Exec]\nPrivateUsers=no\nKillSignal=SIGKILL\nParameters=/bin/sh -c "cat /proc/self/uid_map >/tmp/map; : >/tmp/ready; exec sleep 3600"\n' \
                >$MACHINES_DIR/$n.nspawn
        out=$(machinectl-ext start $n 2>&1); rc=$?
        rm -f $MACHINES_DIR/$n.nspawn
        [ $rc = 0 ] || t_fail "start with an untrusted file: $out"
        l=$(ud_wait $n)
        assert_match "^0 [1-9][0-9]* 65536$" "$(echo $(cat /proc/$l/root/tmp/map))" "uid_map with PrivateUsers=no untrusted"
        assert_ok machinectl-ext stop $n
        wait_until 10 mx_gone $n || t_fail "$n still running"
        mx_settings $n '[Exec]\nPrivateUsers=no\nKillSignal=SIGKILL\nParameters=/bin/sh -c "cat /proc/self/uid_map >/tmp/map; : >/tmp/ready; exec sleep 3600"\n'
        assert_ok machinectl-ext start $n
        l=$(ud_wait $n)
        assert_eq "0 0 4294967295" "$(echo $(cat /proc/$l/root/tmp/map))" "uid_map with PrivateUsers=no trusted"
        assert_ok machinectl-ext stop $n
}

# machinectl-ext bind into a machine with the default user namespace: idmapped (test-userns-binds.sh has
# the details).
test_default_bind() {
        local n=mxud-bind l
        ud_root $n
        mkdir -p $T_TMP/src && echo host >$T_TMP/src/f
        assert_ok machinectl-ext start $n
        l=$(ud_wait $n)
        assert_ok machinectl-ext bind --mkdir $n $T_TMP/src /mnt/x
        assert_match "^-[rw-]+ +1 0 +0 " "$(nsenter -t $l -a ls -ln /mnt/x/f)" "host root's file inside"
        ud_poweroff $n
}

# Bind= of a file system that cannot be idmapped (the bed's overlay): the start fails, naming the setting,
# the source and the file system (bound without, as systemd-nspawn -U does, the payload's root could not use
# it); with :idmap too.
test_default_bind_not_idmappable() {
        local n=mxud-noidmap src=/srv/mxud-noidmap out
        findmnt -n -o FSTYPE -T /srv | grep -qx overlay || skip "/srv is not on overlayfs"
        mkdir -p $src && echo host >$src/f
        echo $src >>"$T_TMP/dirs"
        mx_root $n
        mx_settings $n "[Exec]\nKillSignal=SIGKILL\nParameters=/bin/sh -c \"exec sleep 3600\"\n[Files]\nBindReadOnly=$src:/ro\n"
        out=$(machinectl-ext start $n 2>&1) && t_fail "start with BindReadOnly= on overlayfs succeeded"
        assert_match "BindReadOnly=$src: its file system \(overlay\) cannot be idmapped into the user namespace" "$out" "error"
        assert_gone $n
        mx_settings $n "[Exec]\nKillSignal=SIGKILL\nParameters=/bin/sh -c \"exec sleep 3600\"\n[Files]\nBind=$src:/rw:idmap\n"
        out=$(machinectl-ext start $n 2>&1) && t_fail "start with Bind=...:idmap on overlayfs succeeded"
        assert_match "Bind=$src: its file system \(overlay\) cannot be idmapped" "$out" "error"
        assert_gone $n
        rm -rf $src
}

# A restarted daemon takes the ranges of the machines it adopts again: no other machine gets them.
test_default_daemon_restart() {
        local a=mxud-ra b=mxud-rb l shift out
        ud_root $a
        assert_ok machinectl-ext start $a
        l=$(ud_wait $a)
        shift=$(awk '{ print $2 }' /proc/$l/uid_map)
        assert_ok systemctl restart machined-ext
        wait_until 10 mx_running $a || t_fail "$a not adopted"
        assert_eq "$l" "$(mx_prop $a Leader)" "leader after the restart"
        mx_root $b
        mx_settings $b "[Exec]\nPrivateUsers=$shift:65536\nParameters=/usr/bin/testpayload sleep inf\n"
        out=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$b)
        assert_match "PrivateUsers=$shift:65536 overlaps the UID range of running machine '$a'" "$out" "error"
        assert_gone $b
        ud_poweroff $a
        [ -e /run/systemd/nspawn-uid/$shift ] && t_fail "lock of $a's range left after it stopped"
        return 0
}

# The range a restarted daemon takes again is the one it gave, not what /proc/LEADER/uid_map says by then: a
# payload whose PID 1 moved into a user namespace of its own (unshare -U) shows that one's map there (empty,
# or one UID), and its real 64K range must still be refused to others.
test_default_daemon_restart_nested() {
        local a=mxud-na b=mxud-nb l shift out
        mx_root $a
        mx_settings $a "[Exec]\nKillSignal=SIGKILL\nParameters=/bin/busybox sh -c 'cat /proc/self/uid_map >/tmp/map; exec unshare -U sleep 3600'\n"
        mx_start $a
        l=$(mx_prop $a Leader)
        wait_file "/proc/$l/root/tmp/map" >/dev/null
        shift=$(awk '{ print $2 }' "/proc/$l/root/tmp/map")
        assert_match "^[1-9][0-9]*$" "$shift" "the machine's UID shift"
        # unshare -U without a map: the host reads an empty uid_map of PID 1 now.
        wait_until 5 eval '[ -z "$(cat /proc/$l/uid_map)" ]' ||
                t_fail "PID 1 did not move into a user namespace of its own: $(cat /proc/$l/uid_map)"
        assert_ok systemctl restart machined-ext
        wait_until 10 mx_running $a || t_fail "$a not adopted"
        mx_root $b
        mx_settings $b "[Exec]\nPrivateUsers=$shift:65536\nParameters=/usr/bin/testpayload sleep inf\n"
        out=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$b)
        assert_match "PrivateUsers=$shift:65536 overlaps the UID range of running machine '$a'" "$out" "error"
        assert_gone $b
        assert_ok mx_stop $a
        [ -e /run/systemd/nspawn-uid/$shift ] && t_fail "lock of $a's range left after it stopped"
        return 0
}

# The systemd test root boots to READY with the default, and reboots (its systemd-shutdown calls reboot(2)).
test_default_systemd_boot() {
        local n=mxud-sd l1 l2
        t_track $n
        "$T_REPO/test/mkroot-systemd.sh" "$MACHINES_DIR/$n" >/dev/null 2>&1 || t_fail "mkroot-systemd.sh failed"
        mx_settings $n "[Exec]\nBoot=yes\n"
        assert_ok timeout 40 machinectl-ext start --ready $n
        assert_eq "Ready." "$(mx_prop $n Status)" "Status"
        l1=$(mx_prop $n Leader)
        assert_match "^0 +[1-9][0-9]* +65536$" "$(echo $(cat /proc/$l1/uid_map))" "uid_map of its PID 1"
        assert_ok timeout 20 machinectl reboot $n
        wait_until 40 ud_new_leader $n $l1 || t_fail "$n did not reboot"
        wait_until 40 ud_status $n "Ready." || t_fail "$n not ready after its reboot"
        l2=$(mx_prop $n Leader)
        assert_match "^0 +[1-9][0-9]* +65536$" "$(echo $(cat /proc/$l2/uid_map))" "uid_map after the reboot"
        assert_ok timeout 20 machinectl poweroff $n
        wait_until 30 mx_gone $n || t_fail "$n did not power off"
        umount $MACHINES_DIR/$n/usr
}

# Picking a range asks the host's user database whether its ends are taken (as nspawn does), but not the
# userdb services that only know ranges it never picks or tracks itself (issue #17): systemd-machined reads
# /proc/PID/uid_map of every registered machine for each such lookup, four per start, and PID 1 answers for
# its dynamic users. A start makes no round trip to either.
test_default_no_userdb_round_trips() {
        local n=mxud-userdb pid tr
        command -v strace >/dev/null || skip "no strace"
        ud_root $n
        rm -f $SETTINGS_DIR/$n.nspawn $MACHINES_DIR/$n.nspawn
        pid=$(mx_daemon_pid)
        tr=$T_TMP/strace
        strace -f -qq -e trace=connect -o $tr -p $pid &
        local sp=$!
        wait_until 5 eval "grep -q TracerPid:.[1-9] /proc/$pid/status" || { kill $sp; t_fail "strace did not attach"; }
        assert_ok machinectl-ext start $n
        ud_wait $n >/dev/null
        kill $sp; wait $sp 2>/dev/null
        grep -q "userdb" $tr && t_fail "a start asked userdb services: $(grep -o '/run/systemd/userdb/[A-Za-z.]*' $tr | sort | uniq -c | tr '\n' ' ')"
        ud_poweroff $n
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

run_test default-shift test_default_shift
run_test default-two-machines test_default_two_machines
run_test default-reboot test_default_reboot
run_test default-trust test_default_trust
run_test default-bind test_default_bind
run_test default-bind-not-idmappable test_default_bind_not_idmappable
run_test default-daemon-restart test_default_daemon_restart
run_test default-daemon-restart-nested test_default_daemon_restart_nested
run_test default-systemd-boot test_default_systemd_boot
run_test default-no-userdb-round-trips test_default_no_userdb_round_trips

t_summary
