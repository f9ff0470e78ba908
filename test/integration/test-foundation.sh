#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The foundation: start, stop, kill, wait, registration with systemd and systemd-machined, clean-up, errors,
# settings files, Boot=, surviving a daemon crash. Written against docs/dbus-api.md and the real clients.

set -u
. "$(dirname "$0")/lib.sh"

# A running machine that reports what it sees to /report.txt (host: /var/lib/machines/NAME/report.txt).
start_reporting() {     # NAME [EXTRA-SETTINGS]
        local name=$1 extra=${2:-}
        mx_root "$name"
        mx_settings "$name" "[Exec]\nParameters=/usr/bin/testpayload sleep inf --report /report.txt\n$extra"
        mx_start "$name"
}

test_start_registers() {
        local n=mxt-reg
        start_reporting $n
        assert_eq container "$(machinectl show $n -p Class --value)" "machined class"
        assert_eq machined-ext "$(machinectl show $n -p Service --value)" "machined service"
        machinectl list --no-legend | grep -qE "^$n +container +machined-ext" || t_fail "machinectl list: $(machinectl list --no-legend)"
        local scope
        scope=$(scope_of $n)
        assert_eq "$scope" "$(machinectl show $n -p Unit --value)" "machined unit"
        assert_eq Delegate=yes "$(systemctl show -p Delegate "$scope")"
        assert_eq Slice=machine.slice "$(systemctl show -p Slice "$scope")"
        assert_eq active "$(systemctl is-active "$scope")" "scope state"
}

test_payload_view() {
        local n=mxt-view r
        start_reporting $n
        r=$(wait_file $MACHINES_DIR/$n/report.txt) || exit 1
        assert_eq 1 "$(report_get "$r" pid)" "payload pid"
        assert_eq $n "$(report_get "$r" hostname)" "hostname"
        assert_eq 0 "$(report_get "$r" uid)" "uid"
        assert_eq machined-ext "$(report_get "$r" env.container)" "\$container"
        assert_match '^/proc proc ' "$(echo "$r" | grep '^mount=/proc ' | head -1 | cut -d= -f2-)" "/proc mount"
        assert_match '^/sys sysfs ro[,$]' "$(echo "$r" | grep '^mount=/sys ' | tail -1 | cut -d= -f2-)" "/sys mount"
        assert_match '^chr 0666 rdev=1:3$' "$(report_get "$r" stat./dev/null)" "/dev/null"
        assert_match '^/run tmpfs ' "$(echo "$r" | grep '^mount=/run ' | tail -1 | cut -d= -f2-)" "/run mount"
        assert_match '^/tmp tmpfs ' "$(echo "$r" | grep '^mount=/tmp ' | tail -1 | cut -d= -f2-)" "/tmp mount"
}

test_list_machines() {
        local n=mxt-list e leader
        start_reporting $n
        e=$(mx_list_entry $n)
        [ -n "$e" ] || t_fail "ListMachines has no $n: $(mx ListMachines)"
        set -- $e
        assert_eq running "$1" "state"
        leader=$(machinectl show $n -p Leader --value)
        assert_eq "$leader" "$2" "leader (machined says $leader)"
        # busctl prints the unit with its backslash escaped
        assert_eq "$(scope_of $n)" "${3//\\\\/\\}" "unit"
        assert_eq "$(mx GetMachine s $n | awk '{ gsub(/"/, ""); print $2 }')" "$4" "object path"
        # The leader is the payload: its cgroup is the scope's.
        grep -qF "/$(scope_of $n)" /proc/$leader/cgroup || t_fail "leader $leader not in the scope: $(cat /proc/$leader/cgroup)"
        assert_eq "$leader" "$(mx_prop $n Leader)" "Leader property"
        assert_eq running "$(mx_prop $n State)" "State property"
}

test_stop_cleans_up() {
        local n=mxt-stop leader
        start_reporting $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        leader=$(machinectl show $n -p Leader --value)
        assert_ok mx StopMachine s $n
        assert_gone $n
        [ -d /proc/$leader ] && t_fail "leader $leader still exists ($(cat /proc/$leader/status | grep State))"
        assert_error org.machinedext1.NoSuchMachine GetMachine string:$n >/dev/null
        assert_eq "exited 0" "$(mx_wait $n)" "WaitMachine after a graceful stop"
}

test_exit_status() {
        local n=mxt-exit rc=0
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload exit 7\n"
        command -v machinectl-ext >/dev/null || t_fail "machinectl-ext not installed"
        timeout 30 machinectl-ext start --wait $n || rc=$?
        assert_eq 7 $rc "exit status of machinectl-ext start --wait"
        assert_eq "exited 7" "$(mx_wait $n)" "WaitMachine"
        wait_until 5 mx_gone $n || t_fail "$n still listed after it exited"
        assert_gone $n
}

test_kill_sigkill() {
        local n=mxt-kill
        start_reporting $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        assert_ok mx KillMachine ssi $n leader 9
        assert_eq "killed 9" "$(mx_wait $n)" "WaitMachine after SIGKILL"
        assert_gone $n
}

test_kill_all() {
        local n=mxt-killall
        mx_root $n
        # --ignore-term: only SIGKILL ends it; whom=all must reach the leader too.
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf --ignore-term --report /report.txt\n"
        mx_start $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        assert_error org.freedesktop.DBus.Error.InvalidArgs KillMachine string:$n string:everyone int32:9 >/dev/null
        assert_error org.freedesktop.DBus.Error.InvalidArgs KillMachine string:$n string:all int32:999 >/dev/null
        assert_ok mx KillMachine ssi $n all 9
        assert_eq "killed 9" "$(mx_wait $n)" "WaitMachine after KillMachine all SIGKILL"
        assert_gone $n
}

test_machinectl_terminate() {
        local n=mxt-term w
        start_reporting $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        assert_ok machinectl terminate $n
        wait_until 10 mx_gone $n || t_fail "daemon still has $n 10s after machinectl terminate"
        w=$(mx_wait $n)
        assert_match '^(exited|killed|dumped) [0-9]+$' "$w" "WaitMachine after terminate"
        assert_gone $n
}

test_machinectl_kill() {
        local n=mxt-mkill
        start_reporting $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        # Default: SIGTERM to all processes; the payload exits 0 on SIGTERM.
        assert_ok machinectl kill $n
        wait_until 10 mx_gone $n || t_fail "daemon still has $n 10s after machinectl kill"
        assert_eq "exited 0" "$(mx_wait $n)" "WaitMachine after machinectl kill"
        assert_gone $n
}

test_unknown_name() {
        local n=mxt-nosuch m
        t_track $n
        for m in StartMachine StopMachine GetMachine WaitMachine; do
                assert_error org.machinedext1.NoSuchMachine $m string:$n >/dev/null
        done
        assert_error org.machinedext1.NoSuchMachine KillMachine string:$n string:leader int32:15 >/dev/null
        assert_gone $n
}

test_invalid_names() {
        local bad long
        long=$(printf 'a%.0s' $(seq 65))
        for bad in -foo a..b "$long" foo/bar "" ../x .hidden; do
                assert_error org.freedesktop.DBus.Error.InvalidArgs StartMachine "string:$bad" >/dev/null
                assert_error org.freedesktop.DBus.Error.InvalidArgs GetMachine "string:$bad" >/dev/null
        done
        unit_active "$(scope_of -foo)" && t_fail "a scope was created for -foo"
        return 0
}

test_start_twice() {
        local n=mxt-twice
        start_reporting $n
        assert_error org.machinedext1.MachineExists StartMachine string:$n >/dev/null
        assert_eq running "$(mx_prop $n State)" "first instance still running"
}

test_exec_failed() {
        local n=mxt-noexec e
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/nonexistent\n"
        e=$(assert_error org.machinedext1.ExecFailed StartMachine string:$n) || exit 1
        assert_match '/nonexistent' "$e" "error message"
        assert_gone $n
        assert_error org.machinedext1.NoSuchMachine GetMachine string:$n >/dev/null
}

test_non_root() {
        local n=mxt-nobody out
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        out=$(setpriv --reuid=65534 --regid=65534 --clear-groups dbus-send --system --print-reply \
                --reply-timeout=30000 --dest=$BUS_NAME $BUS_PATH $BUS_IFACE.StartMachine string:$n 2>&1) \
                && t_fail "StartMachine as nobody succeeded"
        assert_match 'org.freedesktop.DBus.Error.AccessDenied' "$out" "error for nobody"
        assert_gone $n
        assert_error org.machinedext1.NoSuchMachine GetMachine string:$n >/dev/null
        out=$(setpriv --reuid=65534 --regid=65534 --clear-groups busctl call --timeout=30 $BUS_NAME $BUS_PATH \
                $BUS_IFACE ListMachines 2>&1) || t_fail "ListMachines as nobody failed: $out"
        assert_match '^a\(ssuso\) ' "$out" "ListMachines reply"
}

test_invalid_settings() {
        local n=mxt-badset e
        mx_root $n
        mx_settings $n "[Exec]\nBoot=maybe\n"
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$n\\.nspawn:2" "$e" "file:line in the message"
        assert_gone $n
}

test_files_directory() {
        local n=mxt-dir d=/var/lib/mxt-elsewhere/root r
        mx_root $n "$d"
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf --report /report.txt\n[Files]\nDirectory=$d\n"
        mx_start $n
        r=$(wait_file "$d/report.txt") || exit 1
        assert_eq 1 "$(report_get "$r" pid)" "payload pid"
        assert_eq "$d" "$(mx_prop $n RootDirectory)" "RootDirectory"
        [ ! -e $MACHINES_DIR/$n ] || t_fail "$MACHINES_DIR/$n appeared"
        assert_ok mx StopMachine s $n
        assert_gone $n "$d"
}

test_environment() {
        local n=mxt-env r
        start_reporting $n "Environment=FOO=bar\nEnvironment=EMPTY=\n"
        r=$(wait_file $MACHINES_DIR/$n/report.txt) || exit 1
        assert_eq bar "$(report_get "$r" env.FOO)" "\$FOO"
        echo "$r" | grep -qx 'env.EMPTY=' || t_fail "\$EMPTY not set to empty"
        assert_eq machined-ext "$(report_get "$r" env.container)" "\$container"
}

test_boot() {
        local n=mxt-boot r x
        mx_root $n
        # testpayload as /sbin/init: reports to /boot-report.txt, then stops on SIGRTMIN+3 (writes /boot-exit.txt).
        rm -f $MACHINES_DIR/$n/sbin/init
        cp "$PAYLOAD" $MACHINES_DIR/$n/sbin/init
        mx_settings $n "[Exec]\nBoot=yes\n"
        mx_start $n
        r=$(wait_file $MACHINES_DIR/$n/boot-report.txt) || exit 1
        assert_eq 1 "$(report_get "$r" pid)" "init pid"
        assert_eq true "$(mx_prop $n Boot)" "Boot property"
        assert_eq "/sbin/init" "$(mx_prop $n Command | awk '{ print $2 }')" "Command"
        assert_ok mx StopMachine s $n
        x=$(wait_file $MACHINES_DIR/$n/boot-exit.txt 2) || exit 1
        assert_ne "signal=0" "$x" "init was stopped by a signal"
        assert_eq "exited 0" "$(mx_wait $n)" "WaitMachine after stopping a booted machine"
        assert_gone $n
}

test_survives_daemon_kill() {
        local n=mxt-survive leader main
        start_reporting $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        leader=$(machinectl show $n -p Leader --value)
        main=$(systemctl show -p MainPID --value machined-ext.service)
        [ -n "$main" ] && [ "$main" != 0 ] || t_fail "machined-ext.service has no MainPID"
        kill -9 "$main"
        wait_until 5 sh -c "[ ! -d /proc/$main ]" || t_fail "daemon $main did not die"
        sleep 0.5
        [ -d /proc/$leader ] || t_fail "leader $leader died with the daemon"
        machinectl show $n >/dev/null 2>&1 || t_fail "machined lost $n when the daemon died"
        unit_active "$(scope_of $n)" || t_fail "$(scope_of $n) went away with the daemon"
        assert_ok machinectl terminate $n
        wait_until 10 sh -c "! machinectl show $n" || t_fail "$n still registered after terminate"
        wait_until 10 sh -c "[ ! -d /proc/$leader ]" || t_fail "leader $leader survived terminate"
        assert_gone $n
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

run_test start-registers test_start_registers
run_test payload-view test_payload_view
run_test list-machines test_list_machines
run_test stop-cleans-up test_stop_cleans_up
run_test exit-status test_exit_status
run_test kill-sigkill test_kill_sigkill
run_test kill-all test_kill_all
run_test machinectl-terminate test_machinectl_terminate
run_test machinectl-kill test_machinectl_kill
run_test unknown-name test_unknown_name
run_test invalid-names test_invalid_names
run_test start-twice test_start_twice
run_test exec-failed test_exec_failed
run_test non-root test_non_root
run_test invalid-settings test_invalid_settings
run_test files-directory test_files_directory
run_test environment test_environment
run_test boot test_boot
run_test survives-daemon-kill test_survives_daemon_kill

t_summary
