#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The life of a machine from start to end, as a systemd user meets it: waits that belong to the run they
# were asked about (back-to-back `start --wait`), stopping a plain payload (SIGKILL, as systemd-nspawn does
# without Boot=) from the daemon and from container@.service, a boot that never reports READY=1, and a
# reboot(2) inside the container (restarted like systemd-nspawn does; a poweroff is not).

set -u
. "$(dirname "$0")/lib.sh"

# Commands run after the test, whatever its result (e.g. stopping a container@ unit).
lc_defer() {
        echo "$*" >>"$T_TMP/lc-defer"
}

lc_test() {     # NAME FUNC
        local c
        : >"$T_TMP/lc-defer"
        run_test "$1" "$2"
        while read -r c; do
                [ -n "$c" ] && timeout 30 bash -c "$c" >/dev/null 2>&1
        done <"$T_TMP/lc-defer"
        : >"$T_TMP/lc-defer"
}

ms_now() {
        echo $(($(date +%s%N) / 1000000))
}

lc_unit() {
        echo "container@$1.service"
}

lc_defer_unit() {
        local u
        u=$(lc_unit "$1")
        lc_defer "systemctl stop '$u'; systemctl reset-failed '$u'"
}

# ---------------------------------------------------------------------------------------------------------
# A wait belongs to its run.

# `machinectl-ext start --wait` sends StartMachine and WaitMachine back to back. When the previous run of the
# name has exited but is still being cleaned up, the start is queued behind it: the wait must attach to the
# queued run, not answer with the old run's exit status.
test_wait_belongs_to_run() {
        local n=mxlc-wait round i rc got=() want=()
        command -v machinectl-ext >/dev/null || t_fail "machinectl-ext not installed"
        mx_root $n
        for round in 1 2 3 4; do
                for i in 11 12 13 14 15; do
                        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload exit $i\n"
                        rc=0
                        timeout 30 machinectl-ext start --wait $n || rc=$?
                        got+=($rc)
                        want+=($i)
                done
        done
        assert_eq "${want[*]}" "${got[*]}" "exit statuses of back-to-back machinectl-ext start --wait"
        wait_until 10 mx_gone $n || t_fail "$n still listed"
        assert_eq "exited 15" "$(mx_wait $n)" "WaitMachine after the last run"
        assert_gone $n
}

# The same with --ready, made deterministic: a host process put into the machine's scope keeps the scope,
# and so the registration, alive after the payload exited, so the old run is still being cleaned up when
# the next `start --ready --wait` comes. Its WaitMachineReady and WaitMachine must wait for the queued run
# (and not fail at once because the old run is gone, or answer with the old run's exit status).
test_ready_belongs_to_run() {
        local n=mxlc-rdy leader cg straggler scope
        command -v machinectl-ext >/dev/null || t_fail "machinectl-ext not installed"
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep 2 --notify READY=1 --exit 21\nNotifyReady=yes\n"
        (timeout 30 machinectl-ext start --ready --wait $n >"$T_TMP/r1.out" 2>&1; echo $? >"$T_TMP/r1.rc") &
        wait_until 10 mx_running $n || t_fail "$n not started"
        leader=$(mx_prop $n Leader)
        # GetMachine answers from the start of the set-up, while the leader is still in the daemon's cgroup.
        scope=$(scope_of $n)
        wait_until 10 grep -qF "/$scope" /proc/$leader/cgroup || t_fail "leader $leader not moved into $scope"
        cg=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/$leader/cgroup)
        [ -d "$cg" ] || t_fail "no cgroup $cg for leader $leader"
        sleep 60 &
        straggler=$!
        lc_defer "kill $straggler"
        echo $straggler >"$cg/cgroup.procs" || t_fail "cannot move $straggler into $cg"
        wait_until 10 test -s "$T_TMP/r1.rc" || t_fail "the first run did not end"
        assert_eq 21 "$(cat "$T_TMP/r1.rc")" "exit status of the first run ($(cat "$T_TMP/r1.out"))"
        mx_running $n || t_fail "the first run is gone already: nothing to queue behind"

        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep 2 --notify READY=1 --exit 22\nNotifyReady=yes\n"
        (timeout 30 machinectl-ext start --ready --wait $n >"$T_TMP/r2.out" 2>&1; echo $? >"$T_TMP/r2.rc") &
        sleep 1
        [ ! -s "$T_TMP/r2.rc" ] ||
                t_fail "start --ready --wait returned while the previous run was being cleaned up: exit $(cat "$T_TMP/r2.rc"): $(cat "$T_TMP/r2.out")"
        kill $straggler
        wait_until 20 test -s "$T_TMP/r2.rc" || t_fail "the second start --ready --wait did not return"
        assert_eq 22 "$(cat "$T_TMP/r2.rc")" "exit status of the second run ($(cat "$T_TMP/r2.out"))"
        wait_until 10 mx_gone $n || t_fail "$n still listed"
        assert_gone $n
}

# With PrivateUsers= (the default) the init moves, after its release, into a copy of the mount namespace it was
# cloned into, owned by its user namespace. The daemon holds the first one until it sees the payload's exec
# (machine_hold_mount_namespace()), and no longer: while the payload runs, the machine's root is the root of one
# mount namespace, the payload's, and of none once the machine is gone. (Held for the whole run, one per
# running machine, it cost the bench a third of its starts/s with 1000 machines running; issue #17.)
rooted_mntns() {        # REF: the mount namespaces near REF's (a PID or id:ID) that mount the machine's root
        python3 "$T_REPO/test/integration/mount-ns-rooted.py" "$1" "$MACHINES_DIR/mxlc-mntns"
}

test_mount_namespace_let_go() {
        local n=mxlc-mntns leader id
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep 1000\n"
        mx_baseline
        mx_start $n
        mx_wait_state $n running 20
        leader=$(mx_prop $n Leader)
        id=$(python3 -c 'import fcntl, os, struct, sys
fd = os.open("/proc/%s/ns/mnt" % sys.argv[1], os.O_RDONLY)
print(struct.unpack("Q", fcntl.ioctl(fd, 0x8008B705, b"\0" * 8))[0])' "$leader") || t_fail "no mount namespace ID of $leader"
        wait_until 5 eval '[ "$(rooted_mntns $leader)" = "1 $id" ]' ||
                t_fail "mount namespaces with the root of $n while it runs: $(rooted_mntns $leader) (expected only the payload's, $id)"
        assert_ok mx_stop $n
        wait_until 5 eval '[ "$(rooted_mntns id:$id)" = 0 ]' ||
                t_fail "mount namespaces with the root of $n after its stop: $(rooted_mntns id:$id)"
        assert_gone $n
        assert_no_leftovers $n
}

# ---------------------------------------------------------------------------------------------------------
# Stopping.

# Without Boot= and KillSignal=, a stop is SIGKILL right away (systemd-nspawn(1), --kill-signal=): a plain
# payload that ignores SIGTERM (a shell, httpd, busybox as PID 1) does not hold the stop for the whole stop
# timeout. The daemon's log names the signal.
test_stop_plain_payload() {
        local n=mxlc-stop cur t0 dt leader
        command -v machinectl-ext >/dev/null || t_fail "machinectl-ext not installed"
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf --ignore-term --report /report.txt\n"
        mx_start $n
        assert_eq 9 "$(mx_prop $n KillSignal)" "KillSignal property without Boot= and KillSignal="
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        leader=$(mx_prop $n Leader)
        cur=$(j_mark)
        t0=$(ms_now)
        assert_ok timeout 30 machinectl-ext stop $n
        dt=$(($(ms_now) - t0))
        echo "machinectl-ext stop of a payload ignoring SIGTERM took ${dt} ms"
        [ $dt -lt 5000 ] || t_fail "machinectl-ext stop took ${dt} ms (expected a few seconds at most)"
        assert_eq "killed 9" "$(mx_wait $n)" "WaitMachine after the stop"
        [ -d /proc/$leader ] && t_fail "leader $leader still exists"
        assert_journal "$cur" "Machine $n: stopping, sending SIGKILL to PID $leader"
        assert_gone $n

        # Boot=no stated explicitly changes nothing.
        rm -f $MACHINES_DIR/$n/report.txt
        mx_settings $n "[Exec]\nBoot=no\nParameters=/usr/bin/testpayload sleep inf --ignore-term --report /report.txt\n"
        mx_start $n
        assert_eq 9 "$(mx_prop $n KillSignal)" "KillSignal property with Boot=no"
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        t0=$(ms_now)
        assert_ok mx_stop $n
        dt=$(($(ms_now) - t0))
        [ $dt -lt 5000 ] || t_fail "StopMachine took ${dt} ms (expected a few seconds at most)"
        assert_gone $n
}

# The same through container@.service: `systemctl stop` ends quickly, and the unit ends inactive, not
# failed with status 137.
test_unit_stop_plain_payload() {
        local n=mxlc-ustop u t0 dt leader
        u=$(lc_unit $n)
        lc_defer_unit $n
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf --ignore-term --report /report.txt\n"
        assert_ok timeout 30 systemctl start "$u"
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        leader=$(mx_prop $n Leader)
        [ -n "$leader" ] && [ "$leader" != 0 ] || t_fail "no leader for $n"
        t0=$(ms_now)
        assert_ok timeout 60 systemctl stop "$u"
        dt=$(($(ms_now) - t0))
        echo "systemctl stop $u of a payload ignoring SIGTERM took ${dt} ms"
        [ $dt -lt 5000 ] || t_fail "systemctl stop took ${dt} ms (expected a few seconds at most)"
        assert_eq inactive "$(systemctl is-active "$u")" "unit after systemctl stop ($(systemctl show -p Result -p ExecMainStatus "$u" | tr '\n' ' '))"
        assert_eq "killed 9" "$(mx_wait $n)" "WaitMachine after systemctl stop"
        [ -d /proc/$leader ] && t_fail "leader $leader survived systemctl stop"
        wait_until 5 mx_gone $n || t_fail "$n still listed after systemctl stop"
        machinectl show $n >/dev/null 2>&1 && t_fail "$n still registered with machined"
        [ -z "$(procs_in_unit "$u")" ] || t_fail "processes left in $u: $(procs_in_unit "$u")"

        # machinectl-ext stop (StopMachine from outside the unit) stops the unit, which stops the machine:
        # just as quick, and the unit ends inactive too.
        rm -f $MACHINES_DIR/$n/report.txt
        assert_ok timeout 30 systemctl start "$u"
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        leader=$(mx_prop $n Leader)
        t0=$(ms_now)
        assert_ok timeout 60 machinectl-ext stop $n
        dt=$(($(ms_now) - t0))
        echo "machinectl-ext stop of $u took ${dt} ms"
        [ $dt -lt 5000 ] || t_fail "machinectl-ext stop took ${dt} ms (expected a few seconds at most)"
        mx_gone $n || t_fail "$n still listed when machinectl-ext stop returned"
        wait_until 5 sh -c "! systemctl is-active -q '$u'" || t_fail "$u still active after machinectl-ext stop"
        assert_eq inactive "$(systemctl is-active "$u")" "unit after machinectl-ext stop ($(systemctl show -p Result -p ExecMainStatus "$u" | tr '\n' ' '))"
        [ -d /proc/$leader ] && t_fail "leader $leader survived machinectl-ext stop"
        [ -z "$(procs_in_unit "$u")" ] || t_fail "processes left in $u: $(procs_in_unit "$u")"
}

# ---------------------------------------------------------------------------------------------------------
# A boot that never reports READY=1.

# An init that knows nothing of $NOTIFY_SOCKET and ignores the stop signal (SIGRTMIN+3), like busybox init:
# the start fails after TimeoutStartSec= with a message that says how to fix it, and the machine is killed
# at once instead of getting the whole stop timeout.
test_ready_timeout_hint() {
        local n=mxlc-rto b=mxlc-rtocli t0 dt e out rc=0 d
        command -v machinectl-ext >/dev/null || t_fail "machinectl-ext not installed"
        for d in $n $b; do
                mx_root $d
                rm -f $MACHINES_DIR/$d/sbin/init
                printf '#!/bin/sh\nexec /usr/bin/testpayload sleep inf --ignore-term\n' >$MACHINES_DIR/$d/sbin/init
                chmod 0755 $MACHINES_DIR/$d/sbin/init
                mx_settings $d "[Exec]\nBoot=yes\nTimeoutStartSec=2s\n"
        done
        t0=$(ms_now)
        mx_start $n
        assert_eq true "$(mx_prop $n NotifyReady)" "NotifyReady with Boot=yes"
        e=$(assert_error org.machinedext1.StartTimeout WaitMachineReady string:$n uint64:0) || exit 1
        dt=$(($(ms_now) - t0))
        echo "$e"
        [ $dt -lt 6000 ] || t_fail "StartTimeout only after ${dt} ms"
        assert_match 'NotifyReady=no' "$e" "the error says how to fix it"
        assert_match 'TimeoutStartSec=' "$e" "the error names the timeout's setting"
        wait_until 5 mx_gone $n || t_fail "$n still listed 5s after its start timeout ($(mx_prop $n State))"
        dt=$(($(ms_now) - t0))
        echo "start timeout to gone: ${dt} ms"
        assert_eq "killed 9" "$(mx_wait $n)" "WaitMachine after the start timeout"
        assert_gone $n

        # The same through the CLI: the hint is printed, and the machine is gone right after.
        t0=$(ms_now)
        out=$(timeout 30 machinectl-ext start --ready $b 2>&1) || rc=$?
        dt=$(($(ms_now) - t0))
        echo "$out"
        [ $rc != 0 ] && [ $rc != 124 ] || t_fail "machinectl-ext start --ready: exit $rc"
        [ $dt -lt 6000 ] || t_fail "machinectl-ext start --ready failed only after ${dt} ms"
        assert_match 'NotifyReady=no' "$out" "machinectl-ext start --ready message"
        wait_until 5 mx_gone $b || t_fail "$b still listed 5s after its start timeout"
        assert_gone $b
}

# ---------------------------------------------------------------------------------------------------------
# reboot(2) inside the container.

# A root whose PID 1 (a shell) writes /report1.txt, waits for /go, then calls reboot(2) with MODE; once
# rebooted (/rebooted exists) it writes /report2.txt, waits for /done and exits 42.
reboot_root() { # NAME MODE
        local n=$1
        mx_root $n
        cat >$MACHINES_DIR/$n/reboot-test.sh <<'EOF'
if [ -e /rebooted ]; then
        /usr/bin/testpayload report --out /report2.txt
        while [ ! -e /done ]; do sleep 0.1; done
        exit 42
fi
/usr/bin/testpayload report --out /report1.txt
while [ ! -e /go ]; do sleep 0.1; done
touch /rebooted
exec /usr/bin/testpayload reboot "$1"
EOF
        mx_settings $n "[Exec]\nParameters=/bin/sh /reboot-test.sh $2\n"
}

# RB_AUTOBOOT: the kernel ends the container's PID 1 with SIGHUP; like systemd-nspawn, the daemon starts the
# machine again with the same settings: same name and object, new leader, registered again, and a
# `start --wait` that began before the reboot waits for the end of the new run.
test_reboot_restarts() {
        local n=mxlc-reboot d l1 l2 path bg rc e
        d=$MACHINES_DIR/$n
        command -v machinectl-ext >/dev/null || t_fail "machinectl-ext not installed"
        reboot_root $n restart
        (timeout 50 machinectl-ext start --wait $n >"$T_TMP/rb.out" 2>&1; echo $? >"$T_TMP/rb.rc") &
        bg=$!
        wait_file $d/report1.txt >/dev/null
        wait_until 10 mx_running $n || t_fail "$n not running"
        l1=$(mx_prop $n Leader)
        path=$(mx GetMachine s $n | awk '{ gsub(/"/, ""); print $2 }')
        wait_until 5 machinectl show $n || t_fail "$n not registered with machined"
        touch $d/go
        wait_file $d/report2.txt 15 >/dev/null
        wait_until 10 sh -c "[ \"\$(machinectl show $n -p Leader --value 2>/dev/null)\" != '' ] &&
                [ \"\$(machinectl show $n -p Leader --value)\" != $l1 ]" ||
                t_fail "$n not registered again with machined after the reboot"
        l2=$(mx_prop $n Leader)
        assert_ne "$l1" "$l2" "leader after the reboot"
        [ -n "$l2" ] && [ "$l2" != 0 ] || t_fail "no leader after the reboot"
        [ -d /proc/$l1 ] && t_fail "the old leader $l1 still exists"
        assert_eq "$l2" "$(machinectl show $n -p Leader --value)" "machined's leader after the reboot"
        assert_eq "$path" "$(mx GetMachine s $n | awk '{ gsub(/"/, ""); print $2 }')" "object path after the reboot"
        e=$(mx_list_entry $n)
        set -- $e
        assert_eq running "$1" "ListMachines state after the reboot"
        assert_eq "$l2" "$2" "ListMachines leader after the reboot"
        grep -qF "/$(scope_of $n)" /proc/$l2/cgroup || t_fail "new leader $l2 not in $(scope_of $n): $(cat /proc/$l2/cgroup)"
        assert_eq killed "$(mx_prop $n ExitCode)" "ExitCode of the rebooted run"
        assert_eq 1 "$(mx_prop $n ExitStatus)" "ExitStatus of the rebooted run (SIGHUP)"
        # start --wait is still waiting: the machine did not end.
        [ ! -s "$T_TMP/rb.rc" ] || t_fail "machinectl-ext start --wait returned at the reboot: $(cat "$T_TMP/rb.rc") $(cat "$T_TMP/rb.out")"
        touch $d/done
        wait_until 10 test -s "$T_TMP/rb.rc" || t_fail "machinectl-ext start --wait did not return after the end of the new run"
        wait $bg
        rc=$(cat "$T_TMP/rb.rc")
        assert_eq 42 "$rc" "exit status of machinectl-ext start --wait ($(cat "$T_TMP/rb.out"))"
        wait_until 10 mx_gone $n || t_fail "$n still listed after its end"
        assert_eq "exited 42" "$(mx_wait $n)" "WaitMachine after the end"
        assert_gone $n
}

# RB_POWER_OFF: PID 1 ends with SIGINT, a shutdown: not restarted.
test_poweroff_not_restarted() {
        local n=mxlc-poweroff d l1 rc
        d=$MACHINES_DIR/$n
        reboot_root $n poweroff
        (timeout 50 machinectl-ext start --wait $n >"$T_TMP/po.out" 2>&1; echo $? >"$T_TMP/po.rc") &
        wait_file $d/report1.txt >/dev/null
        l1=$(mx_prop $n Leader)
        touch $d/go
        wait_until 10 mx_gone $n || t_fail "$n still listed after its poweroff"
        assert_eq "killed 2" "$(mx_wait $n)" "WaitMachine after reboot(RB_POWER_OFF)"
        wait_until 10 test -s "$T_TMP/po.rc" || t_fail "machinectl-ext start --wait did not return"
        rc=$(cat "$T_TMP/po.rc")
        assert_eq 0 "$rc" "exit status of machinectl-ext start --wait after a poweroff ($(cat "$T_TMP/po.out"))"
        sleep 1
        [ -e $d/report2.txt ] && t_fail "$n was started again after a poweroff"
        mx_gone $n || t_fail "$n was started again after a poweroff"
        [ -d /proc/$l1 ] && t_fail "leader $l1 still exists"
        assert_gone $n
}

# A payload that is gone right after its exec can be gone before systemd-machined has registered it. Its run
# is over only once its scope is gone too: otherwise the next run of the name (the restart after a reboot,
# or the next start) fails to create its scope ("Unit ... was already loaded"), and `start --wait` exits 1.
# A PID 1 that reboots at once runs 6 times per start (the crash-loop guard ends it after 5 reboots within
# 10 s), so each round has 6 chances to hit that; before the fix every run of this test had failing rounds.
test_instant_exit_loop() {
        local n=mxlc-rbloop i bad=
        command -v machinectl-ext >/dev/null || t_fail "machinectl-ext not installed"
        mx_root $n
        # lc_start_wait WANT: start --wait of $n must exit with WANT; else the run goes into $bad.
        lc_start_wait() {
                local rc=0 err
                err=$(timeout 30 machinectl-ext start --wait $n 2>&1 >/dev/null) || rc=$?
                [ "$rc" = "$1" ] || bad="$bad [round $i: expected $1, got $rc: $(echo "$err" | head -1)]"
        }
        for i in $(seq 20); do
                mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload reboot restart\n"
                lc_start_wait 133
                # Right after the crash-loop guard ended the run: a new run, with the new settings.
                mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload reboot poweroff\n"
                lc_start_wait 0
        done
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload exit 9\n"
        for i in $(seq 21 40); do
                lc_start_wait 9
        done
        [ -z "$bad" ] || t_fail "back-to-back start --wait of payloads that end at once:$bad"
        wait_until 10 mx_gone $n || t_fail "$n still listed"
        assert_gone $n
}

# A scope of the machine's name that is not ours (here another process's) makes the start fail with
# SetupFailed and systemd's reason, not with MachineExists (systemd's UnitExists is EEXIST), and leaves
# nothing behind.
test_scope_taken() {
        local n=mxlcscope u e
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        u=$(scope_of $n)
        lc_defer "systemctl stop '$u'"
        systemd-run --quiet --scope --unit="$u" sleep 60 >/dev/null 2>&1 &
        wait_until 10 unit_active "$u" || t_fail "could not start $u"
        e=$(assert_error org.machinedext1.SetupFailed StartMachine string:$n) || exit 1
        assert_match "^org.machinedext1.SetupFailed: Failed to create machine-mxlcscope\\.scope: " "$e" "error"
        wait_until 10 mx_gone $n || t_fail "$n still listed after the failed start"
        machinectl show $n >/dev/null 2>&1 && t_fail "$n registered with systemd-machined"
        systemctl stop "$u"
        wait_until 10 sh -c "! systemctl is-active -q '$u'" || t_fail "$u still active"
        assert_ok mx StartMachine s $n
        assert_ok mx_stop $n
        assert_gone $n
}

# The daemon asks systemd for its scopes on systemd's private socket, as systemctl does for root, not through
# dbus-daemon (issue #17): a monitor of the system bus sees the start's RegisterMachine, but no StartTransientUnit
# or StopUnit of machine-NAME.scope from the daemon; the scope is made and goes all the same. systemd
# re-executing closes that connection: the next start opens a new one.
test_systemd_private() {
        local n=mxlcpriv mon=$T_TMP/monitor.txt mpid u daemon
        [ -S /run/systemd/private ] || skip "no /run/systemd/private"
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        u=$(scope_of $n)
        busctl monitor --system --match "type='method_call'" >"$mon" 2>&1 &
        mpid=$!
        lc_defer "kill $mpid"
        wait_until 10 eval 'busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 \
                org.freedesktop.systemd1.Manager GetUnit s dbus.service >/dev/null 2>&1 &&
                grep -q "Member=GetUnit" "$mon"' || t_fail "busctl monitor sees nothing: $(head -3 "$mon")"
        mx_start $n
        unit_active "$u" || t_fail "$u is not active after StartMachine"
        assert_ok mx_stop $n
        wait_until 10 sh -c "! systemctl is-active -q '$u'" || t_fail "$u still active after StopMachine"
        wait_until 5 grep -q "Member=RegisterMachine" "$mon" || t_fail "the monitor did not see the RegisterMachine"
        kill $mpid
        wait $mpid 2>/dev/null
        daemon=$(busctl status "$BUS_NAME" 2>/dev/null | sed -n 's/^UniqueName=//p')
        [ -n "$daemon" ] || t_fail "no unique name of $BUS_NAME"
        ! awk -v RS='‣' -v s="\"$u\"" -v d="Sender=$daemon " \
                '/Member=(StartTransientUnit|StopUnit)/ && index($0, s) && index($0, d)' "$mon" | grep . ||
                t_fail "the daemon's scope calls went through dbus-daemon"

        systemctl daemon-reexec || t_fail "systemctl daemon-reexec failed"
        wait_until 20 systemctl show -p Version --value >/dev/null 2>&1 || t_fail "systemd did not come back"
        mx_start $n
        unit_active "$u" || t_fail "$u is not active after a start that followed systemd's re-execution"
        assert_ok mx_stop $n
        assert_gone $n
}

# Under container@.service the unit restarts (exit status 133, RestartForceExitStatus=133), as with
# systemd-nspawn@.service: after the reboot the unit is active again, with a new leader in its cgroup.
test_unit_reboot() {
        local n=mxlc-ureboot d u l1 l2
        d=$MACHINES_DIR/$n
        u=$(lc_unit $n)
        lc_defer_unit $n
        reboot_root $n restart
        assert_ok timeout 30 systemctl start "$u"
        wait_file $d/report1.txt >/dev/null
        l1=$(mx_prop $n Leader)
        touch $d/go
        wait_file $d/report2.txt 20 >/dev/null
        wait_until 10 unit_active "$u" || t_fail "$u not active again after the reboot: $(systemctl is-active "$u")"
        wait_until 10 sh -c "l=\$(busctl get-property $BUS_NAME \$(busctl call $BUS_NAME $BUS_PATH $BUS_IFACE GetMachine s $n | cut -d'\"' -f2) org.machinedext1.Machine Leader | cut -d' ' -f2); [ -n \"\$l\" ] && [ \"\$l\" != $l1 ]" ||
                t_fail "no new leader for $n after the reboot"
        l2=$(mx_prop $n Leader)
        assert_ne "$l1" "$l2" "leader after the reboot"
        assert_match "/$u/payload\$" "$(sed -n 's/^0:://p' /proc/$l2/cgroup)" "new leader's cgroup"
        assert_eq "$u" "$(machinectl show $n -p Unit --value)" "machined Unit after the reboot"
        touch $d/done
        wait_until 10 sh -c "! systemctl is-active -q '$u'" || t_fail "$u still active after the payload ended"
        assert_eq "exited 42" "$(mx_wait $n)" "WaitMachine after the end"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

lc_test wait-belongs-to-run test_wait_belongs_to_run
lc_test ready-belongs-to-run test_ready_belongs_to_run
lc_test mount-namespace-let-go test_mount_namespace_let_go
lc_test stop-plain-payload test_stop_plain_payload
lc_test unit-stop-plain-payload test_unit_stop_plain_payload
lc_test ready-timeout-hint test_ready_timeout_hint
lc_test reboot-restarts test_reboot_restarts
lc_test poweroff-not-restarted test_poweroff_not_restarted
lc_test instant-exit-loop test_instant_exit_loop
lc_test scope-taken test_scope_taken
lc_test systemd-private test_systemd_private
lc_test unit-reboot test_unit_reboot

t_summary
