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
        assert_ok mx_stop $n
        assert_gone $n
        [ -d /proc/$leader ] && t_fail "leader $leader still exists ($(cat /proc/$leader/status | grep State))"
        assert_error org.machinedext1.NoSuchMachine GetMachine string:$n >/dev/null
        # Neither Boot= nor KillSignal=: the stop signal is SIGKILL, as with systemd-nspawn.
        assert_eq "killed 9" "$(mx_wait $n)" "WaitMachine after a stop"
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

# The same through the CLI: machinectl-ext kill passes --kill-whom= and --signal=, and fails (naming the
# machine) for one that does not run.
test_cli_kill() {
        local n=mxt-clikill out
        start_reporting $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        assert_ok machinectl-ext kill --kill-whom=leader -s KILL $n
        assert_eq "killed 9" "$(mx_wait $n)" "WaitMachine after machinectl-ext kill -s KILL"
        assert_gone $n
        out=$(machinectl-ext kill mxt-clikill-none 2>&1) && t_fail "machinectl-ext kill of a machine that does not run succeeded"
        assert_match "Failed to kill machine mxt-clikill-none" "$out" "error message"
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

# Starting NAME with Parameters=PATH fails with ExecFailed naming PATH, and leaves nothing of NAME behind.
assert_exec_failed() {  # NAME PATH
        local n=$1 path=$2 e
        mx_settings $n "[Exec]\nParameters=$path\n"
        e=$(assert_error org.machinedext1.ExecFailed StartMachine string:$n) || exit 1
        assert_match "$path" "$e" "error message"
        assert_gone $n
        assert_error org.machinedext1.NoSuchMachine GetMachine string:$n >/dev/null
}

test_exec_failed() {
        mx_root mxt-noexec
        assert_exec_failed mxt-noexec /nonexistent
}

# The exec itself fails (a file that is executable but no program: ENOEXEC), after the payload was released
# and while RegisterMachine is on its way: the registration and the scope are undone before the answer.
test_exec_failed_late() {
        local n=mxt-latefail
        mx_root $n
        printf 'not a program\n' >$MACHINES_DIR/$n/usr/bin/garbage
        chmod 0755 $MACHINES_DIR/$n/usr/bin/garbage
        assert_exec_failed $n /usr/bin/garbage
}

test_non_root() {
        local n=mxt-nobody out
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        out=$(setpriv --reuid=65534 --regid=65534 --clear-groups dbus-send --system --print-reply \
                --reply-timeout=30000 --dest=$BUS_NAME $BUS_PATH $BUS_IFACE.StartMachine string:$n 2>&1) \
                && t_fail "StartMachine as nobody succeeded"
        # AccessDenied, or (polkit running, auth_admin) InteractiveAuthorizationRequired: dbus-send allows none.
        assert_match 'org.freedesktop.DBus.Error.(AccessDenied|InteractiveAuthorizationRequired)' "$out" "error for nobody"
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
        assert_ok mx_stop $n
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
        assert_ok mx_stop $n
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

# A payload that keeps writing to its console survives the daemon's crash: the console's reader fd is in
# systemd's fd store, so writes neither fail (pty: EIO) nor kill (pipe: SIGPIPE), and the restarted daemon
# keeps forwarding the output to the journal.
console_survives() {    # NAME CONSOLE-MODE
        local n=$1 mode=$2 leader main since
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/bin/sh -c 'i=0; while :; do i=\$((i+1)); echo tick-\$i; sleep 0.1; done'\nConsole=$mode\n"
        mx_start $n
        leader=$(machinectl show $n -p Leader --value)
        wait_until 10 sh -c "journalctl -t $n --no-pager -q | grep -q tick-" || t_fail "no ticks from $n before the crash"
        main=$(systemctl show -p MainPID --value machined-ext.service)
        kill -9 "$main"
        wait_until 5 sh -c "[ ! -d /proc/$main ]" || t_fail "daemon $main did not die"
        # While no daemon runs (Restart= waits 1 s), the payload keeps writing.
        sleep 0.5
        [ -d /proc/$leader ] || t_fail "leader $leader died with the daemon (Console=$mode)"
        wait_until 10 sh -c "m=\$(systemctl show -p MainPID --value machined-ext.service); [ -n \"\$m\" ] && [ \"\$m\" != 0 ] && [ \"\$m\" != $main ]" ||
                t_fail "machined-ext was not restarted"
        since=$(date '+%Y-%m-%d %H:%M:%S')
        wait_until 10 sh -c "journalctl -u machined-ext --no-pager -q | grep -q 'Machine $n of a previous instance of the daemon is still running'" ||
                t_fail "the restarted daemon did not adopt the console of $n"
        sleep 1.5
        [ -d /proc/$leader ] || t_fail "leader $leader died after the daemon's restart (Console=$mode)"
        wait_until 10 sh -c "journalctl -t $n --since '$since' --no-pager -q | grep -q tick-" ||
                t_fail "no ticks from $n reached the journal after the daemon's restart (Console=$mode)"
        assert_ok machinectl terminate $n
        wait_until 10 sh -c "! machinectl show $n" || t_fail "$n still registered after terminate"
        wait_until 10 sh -c "[ ! -d /proc/$leader ]" || t_fail "leader $leader survived terminate"
}

test_console_survives_pipe() {
        console_survives mxtcsp pipe
}

test_console_survives_pty() {
        console_survives mxtcst read-only
}

# ---------------------------------------------------------------------------------------------------------
# Bus signals, stop escalation, KillSignal=, status/show, callers that are not root.

# The machine's object path from GetMachine.
machine_path() {
        mx GetMachine s "$1" | awk '{ gsub(/"/, ""); print $2 }'
}

# dbus-monitor's output in $1 as one line per signal: "INTERFACE.MEMBER PATH | ARGS" (arguments joined).
monitor_lines() {
        awk '
                function flush() { if (hdr != "") print hdr " |" args; hdr = ""; args = "" }
                /^(signal|method call|method return|error) / {
                        flush()
                        if ($1 != "signal") next
                        p = ""; i = ""; m = ""
                        for (k = 2; k <= NF; k++) {
                                if ($k ~ /^path=/) { p = substr($k, 6); sub(/;$/, "", p) }
                                if ($k ~ /^interface=/) { i = substr($k, 11); sub(/;$/, "", i) }
                                if ($k ~ /^member=/) m = substr($k, 8)
                        }
                        hdr = i "." m " " p
                        next
                }
                hdr != "" { gsub(/^ +| +$/, ""); args = args " " $0 }
                END { flush() }
        ' "$1"
}

test_bus_signals() {
        local n=mxtsig mon=$T_TMP/monitor.txt mpid path sigs
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf --report /report.txt\n"
        # Activate the daemon first; then listen to it (and to a probe of our own, to know the monitor is up).
        mx ListMachines >/dev/null || t_fail "ListMachines failed: the daemon is not reachable"
        timeout 50 dbus-monitor --system "type='signal',sender='$BUS_NAME'" \
                "type='signal',interface='org.mxtest.Probe'" >"$mon" 2>&1 &
        mpid=$!
        # shellcheck disable=SC2064 # the PID now: the local is gone when the trap runs
        trap "kill $mpid 2>/dev/null" EXIT
        for _ in $(seq 50); do
                dbus-send --system --type=signal /org/mxtest org.mxtest.Probe.Ping 2>/dev/null
                grep -q 'member=Ping' "$mon" && break
                sleep 0.1
        done
        grep -q 'member=Ping' "$mon" || t_fail "dbus-monitor did not come up: $(head -c 300 "$mon")"

        mx_start $n
        path=$(machine_path $n)
        assert_eq "$BUS_PATH/machine/$n" "$path" "object path"
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        assert_ok mx_stop $n
        # The signals are sent before StopMachine returns; give the monitor a moment to print them.
        wait_until 5 grep -q 'member=MachineRemoved' "$mon" || true
        sleep 0.3
        kill $mpid 2>/dev/null
        wait $mpid 2>/dev/null
        sigs=$(monitor_lines "$mon" | grep -v '^org.mxtest.Probe')
        echo "$sigs"

        echo "$sigs" | grep -qxF "org.machinedext1.Manager.MachineNew $BUS_PATH | string \"$n\" object path \"$path\"" ||
                t_fail "no MachineNew(\"$n\", $path) on $BUS_PATH; signals: $(echo "$sigs" | head -8 | tr '\n' '~')"
        echo "$sigs" | grep -qxF "org.machinedext1.Manager.MachineRemoved $BUS_PATH | string \"$n\" object path \"$path\"" ||
                t_fail "no MachineRemoved(\"$n\", $path) on $BUS_PATH; signals: $(echo "$sigs" | tail -8 | tr '\n' '~')"
        echo "$sigs" | grep -qE "^org\.freedesktop\.DBus\.Properties\.PropertiesChanged $path \| string \"org\.machinedext1\.Machine\" array \[ .*dict entry\( string \"State\" variant +string \"stopping\" \)" ||
                t_fail "no PropertiesChanged(org.machinedext1.Machine, State=stopping) on $path; signals: $(echo "$sigs" | grep PropertiesChanged | head -5 | tr '\n' '~')"
        # Order: MachineNew first, MachineRemoved last of the machine's signals.
        assert_match "MachineNew" "$(echo "$sigs" | grep -E "MachineNew|MachineRemoved|$path " | head -1)" "first signal about $n"
        assert_match "MachineRemoved" "$(echo "$sigs" | grep -E "MachineNew|MachineRemoved|$path " | tail -1)" "last signal about $n"
}

# --stop-timeout= for the daemon through a drop-in in /run (the installed unit is left alone); the daemon is
# restarted to pick it up. restore_stop_timeout (run after the test, whatever its result) undoes both.
DROPIN=/run/systemd/system/machined-ext.service.d/50-mxtest-stop-timeout.conf

daemon_exec_path() {
        local frag
        frag=$(systemctl show -p FragmentPath --value machined-ext.service)
        sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$frag" | tail -1
}

restart_daemon() {
        systemctl daemon-reload || return 1
        systemctl restart machined-ext.service || return 1
        wait_until 10 mx ListMachines
}

set_stop_timeout() {    # TIMESPAN
        local exe main
        exe=$(daemon_exec_path)
        [ -x "$exe" ] || t_fail "cannot find machined-ext's ExecStart= (got '$exe')"
        mkdir -p "$(dirname $DROPIN)"
        printf '[Service]\nExecStart=\nExecStart=%s --stop-timeout=%s\n' "$exe" "$1" >$DROPIN
        restart_daemon || t_fail "machined-ext did not come back with --stop-timeout=$1"
        main=$(systemctl show -p MainPID --value machined-ext.service)
        assert_match "--stop-timeout=$1" "$(tr '\0' ' ' </proc/"$main"/cmdline)" "daemon command line"
}

restore_stop_timeout() {
        [ -e $DROPIN ] || return 0
        rm -f $DROPIN
        restart_daemon >/dev/null 2>&1 || echo "warning: machined-ext did not come back after removing $DROPIN" >&2
}

run_test_drop_in() {    # NAME FUNC
        run_test "$@"
        restore_stop_timeout
}

ms_now() {
        echo $(($(date +%s%N) / 1000000))
}

test_stop_escalation() {
        local n=mxtesc t0 dt leader cur
        mx_root $n
        set_stop_timeout 2s
        # KillSignal=SIGTERM, which it ignores: only the SIGKILL after the stop timeout ends it.
        mx_settings $n "[Exec]\nKillSignal=SIGTERM\nParameters=/usr/bin/testpayload sleep 1000 --ignore-term --report /report.txt\n"
        mx_start $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        leader=$(mx_prop $n Leader)
        cur=$(j_mark)
        t0=$(ms_now)
        assert_ok mx_stop $n
        dt=$(($(ms_now) - t0))
        echo "The stop of a payload ignoring SIGTERM took ${dt} ms"
        [ $dt -ge 1500 ] && [ $dt -le 10000 ] || t_fail "The stop took ${dt} ms, expected about 2 s (1.5 … 10 s)"
        assert_eq "killed 9" "$(mx_wait $n)" "WaitMachine after the stop timeout"
        # The journal says what was sent, and when the escalation came.
        assert_journal "$cur" "Machine $n: stopping, sending SIGTERM to PID $leader; SIGKILL follows in 2s"
        assert_journal "$cur" "Machine $n did not stop within 2s of SIGTERM, sending SIGKILL to PID $leader"
        [ -d /proc/$leader ] && t_fail "leader $leader still exists"
        assert_gone $n

        # The next run: the previous one's result is on its object; one that handles SIGTERM stops at once.
        rm -f $MACHINES_DIR/$n/report.txt
        mx_settings $n "[Exec]\nKillSignal=SIGTERM\nParameters=/usr/bin/testpayload sleep 1000 --out /exit.txt --report /report.txt\n"
        mx_start $n
        assert_eq killed "$(mx_prop $n ExitCode)" "ExitCode of the previous run"
        assert_eq 9 "$(mx_prop $n ExitStatus)" "ExitStatus of the previous run"
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        t0=$(ms_now)
        assert_ok mx_stop $n
        dt=$(($(ms_now) - t0))
        echo "The stop of a payload handling SIGTERM took ${dt} ms"
        [ $dt -lt 1500 ] || t_fail "The stop of a payload that handles SIGTERM took ${dt} ms (expected < 1.5 s)"
        assert_eq "exited 0" "$(mx_wait $n)" "WaitMachine after a graceful stop"
        assert_eq "signal=15" "$(cat $MACHINES_DIR/$n/exit.txt 2>&1)" "signal the payload got"
        assert_gone $n
}

# No call blocks a client for long (issue #15): StopMachine answers once the stop is under way, as systemd's
# StopUnit, not after the stop timeout of a payload that ignores SIGTERM (as a plain PID 1 does).
# machinectl-ext stop waits for the end itself (with a progress line on a terminal); --no-block does not.
test_stop_does_not_block() {
        local n=mxtsnb t0 dt leader out
        mx_root $n
        set_stop_timeout 5s
        mx_settings $n "[Exec]\nKillSignal=SIGTERM\nParameters=/usr/bin/testpayload sleep 1000 --ignore-term --report /report.txt\n"
        mx_start $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        leader=$(mx_prop $n Leader)
        t0=$(ms_now)
        assert_ok mx StopMachine s $n
        dt=$(($(ms_now) - t0))
        [ $dt -lt 2000 ] || t_fail "StopMachine took ${dt} ms, expected < 2 s (it answers once the stop is under way)"
        assert_eq stopping "$(mx_prop $n State)" "State right after StopMachine"
        [ -d /proc/$leader ] || t_fail "leader $leader gone before the SIGKILL"
        # A second call answers at once too, and changes nothing.
        t0=$(ms_now)
        assert_ok mx StopMachine s $n
        dt=$(($(ms_now) - t0))
        [ $dt -lt 2000 ] || t_fail "a second StopMachine took ${dt} ms"
        assert_eq "killed 9" "$(mx_wait $n)" "WaitMachine: the SIGKILL after the stop timeout"
        wait_until 10 mx_gone $n || t_fail "$n still there after the SIGKILL"
        assert_gone $n

        # machinectl-ext stop waits until the machine is gone (about the stop timeout), on a terminal saying so.
        rm -f $MACHINES_DIR/$n/report.txt
        mx_start $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        t0=$(ms_now)
        out=$(timeout 30 script -qec "machinectl-ext stop $n" /dev/null 2>&1) || t_fail "machinectl-ext stop failed: $out"
        dt=$(($(ms_now) - t0))
        [ $dt -ge 4000 ] || t_fail "machinectl-ext stop returned after ${dt} ms, before the machine was gone"
        assert_match "Waiting for machine $n to stop" "$out" "progress line on a terminal"
        mx_gone $n || t_fail "$n still there after machinectl-ext stop returned"
        assert_gone $n

        # --no-block: back at once, the machine still stopping; without a terminal, no progress line.
        rm -f $MACHINES_DIR/$n/report.txt
        mx_start $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        t0=$(ms_now)
        out=$(timeout 30 machinectl-ext stop --no-block $n 2>&1) || t_fail "machinectl-ext stop --no-block failed: $out"
        dt=$(($(ms_now) - t0))
        [ $dt -lt 2000 ] || t_fail "machinectl-ext stop --no-block took ${dt} ms"
        assert_eq stopping "$(mx_prop $n State)" "State after stop --no-block"
        out=$(timeout 30 machinectl-ext stop $n 2>&1) || t_fail "machinectl-ext stop of a stopping machine failed: $out"
        assert_eq "" "$out" "output of machinectl-ext stop without a terminal"
        mx_gone $n || t_fail "$n still there after machinectl-ext stop returned"
        assert_gone $n
        out=$(machinectl-ext stop $n 2>&1) && t_fail "machinectl-ext stop of a stopped machine succeeded"
        assert_match "is not running" "$out" "stop of a machine that is not running"
        return 0
}

test_kill_signal() {
        local n=mxtksig t0 dt
        mx_root $n
        # Exits 0 on SIGUSR1 (and on SIGTERM: the signal it writes tells which one came).
        mx_settings $n "[Exec]\nKillSignal=SIGUSR1\nParameters=/usr/bin/testpayload sleep 1000 --handle USR1 --out /exit.txt --report /report.txt\n"
        mx_start $n
        assert_eq 10 "$(mx_prop $n KillSignal)" "KillSignal property"
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        t0=$(ms_now)
        assert_ok mx_stop $n
        dt=$(($(ms_now) - t0))
        [ $dt -lt 5000 ] || t_fail "StopMachine took ${dt} ms"
        assert_eq "signal=10" "$(cat $MACHINES_DIR/$n/exit.txt 2>&1)" "signal the payload got (SIGUSR1 = 10)"
        assert_eq "exited 0" "$(mx_wait $n)" "WaitMachine"
        assert_gone $n
}

test_status_show() {
        local n=mxtstat leader out show scope id
        command -v machinectl-ext >/dev/null || t_fail "machinectl-ext not installed"
        start_reporting $n
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        leader=$(mx_prop $n Leader)
        scope=$(scope_of $n)
        # systemd's machinectl, from systemd-machined's registration.
        out=$(machinectl status $n --no-pager 2>&1) || t_fail "machinectl status $n failed: $out"
        echo "$out"
        assert_match "^$n\\(" "$(echo "$out" | head -1)" "machinectl status: first line"
        echo "$out" | grep -qE "^[[:space:]]*Unit: $scope\$" || t_fail "machinectl status: no 'Unit: $scope': $(echo "$out" | head -8)"
        echo "$out" | grep -qE "^[[:space:]]*Leader: $leader \(testpayload\)\$" ||
                t_fail "machinectl status: no 'Leader: $leader (testpayload)': $(echo "$out" | head -8)"
        # Ours.
        out=$(machinectl-ext status $n 2>&1) || t_fail "machinectl-ext status $n failed: $out"
        echo "$out"
        assert_match "^$n " "$(echo "$out" | head -1)" "machinectl-ext status: first line"
        echo "$out" | grep -qE "^[[:space:]]*State: running\$" || t_fail "machinectl-ext status: no 'State: running': $out"
        echo "$out" | grep -qE "^[[:space:]]*Unit: $scope\$" || t_fail "machinectl-ext status: no 'Unit: $scope': $out"
        echo "$out" | grep -qE "^[[:space:]]*Leader: $leader \(testpayload\)\$" ||
                t_fail "machinectl-ext status: no 'Leader: $leader (testpayload)': $out"
        show=$(machinectl-ext show $n 2>&1) || t_fail "machinectl-ext show $n failed: $show"
        echo "$show"
        echo "$show" | grep -qxF "State=running" || t_fail "machinectl-ext show: no State=running"
        echo "$show" | grep -qxF "Unit=$scope" || t_fail "machinectl-ext show: no Unit=$scope"
        echo "$show" | grep -qxF "Leader=$leader" || t_fail "machinectl-ext show: no Leader=$leader"
        echo "$show" | grep -qxF "Name=$n" || t_fail "machinectl-ext show: no Name=$n"
        id=$(echo "$show" | sed -n 's/^Id=//p')
        [ -n "$id" ] || t_fail "machinectl-ext show: no Id="
        # The same 16 bytes systemd-machined has (machinectl prints 32 hex digits; ours may add dashes).
        assert_eq "$(machinectl show $n -p Id --value)" "$(echo "$id" | tr -d ' -' | tr A-F a-f)" "Id"
        assert_eq running "$(machinectl-ext show -p State --value $n 2>&1)" "machinectl-ext show -p State --value"

        # After it exited: show fails, WaitMachine has the last exit at once.
        assert_ok mx KillMachine ssi $n leader 9
        wait_until 10 mx_gone $n || t_fail "$n still listed after SIGKILL"
        assert_fail machinectl-ext show $n
        out=$(timeout 10 busctl call --timeout=5 $BUS_NAME $BUS_PATH $BUS_IFACE WaitMachine s $n 2>&1) ||
                t_fail "WaitMachine after the exit failed: $out"
        assert_eq 'si "killed" 9' "$out" "WaitMachine reply"
        assert_gone $n
}

# CMD... as uid/gid 65534 without supplementary groups.
as_nobody() {
        setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# dbus-send METHOD ARGS... to the manager as nobody: prints the error name, or "ok".
nobody_call() {
        local method=$1 out
        shift
        if out=$(as_nobody dbus-send --system --print-reply --reply-timeout=30000 --dest=$BUS_NAME $BUS_PATH \
                "$BUS_IFACE.$method" "$@" 2>&1); then
                echo ok
        else
                echo "$out" | sed -n 's/^Error \([^ :]*\).*/\1/p' | head -1
        fi
}

test_non_root_mutating() {
        local n=mxtnr leader path m got out
        start_reporting $n "Console=read-only\n"
        wait_file $MACHINES_DIR/$n/report.txt >/dev/null
        leader=$(mx_prop $n Leader)
        path=$(machine_path $n)
        mkdir -p /srv/mxtnr && echo "src" >/srv/mxtnr/f
        echo /srv/mxtnr >>"$T_TMP/dirs"
        for m in "StartMachine string:$n" "StopMachine string:$n" "KillMachine string:$n string:leader int32:9" \
                 "KillMachine string:$n string:all int32:15" \
                 "BindMountMachine string:$n string:/srv/mxtnr string:/mnt/nr boolean:false boolean:true" \
                 "OpenMachineConsole string:$n" "GetMachineConsoleLog string:$n"; do
                got=$(nobody_call $m)
                assert_match '^org.freedesktop.DBus.Error.(AccessDenied|InteractiveAuthorizationRequired)$' "$got" \
                        "$m as nobody"
        done
        # The machine object's methods too.
        for m in Stop "Kill string:leader int32:9" \
                 "BindMount string:/srv/mxtnr string:/mnt/nr boolean:false boolean:true" OpenConsole GetConsoleLog; do
                set -- $m
                if out=$(as_nobody dbus-send --system --print-reply --reply-timeout=30000 --dest=$BUS_NAME "$path" \
                        "org.machinedext1.Machine.$1" "${@:2}" 2>&1); then
                        t_fail "Machine.$1 as nobody succeeded"
                fi
                assert_match 'org.freedesktop.DBus.Error.(AccessDenied|InteractiveAuthorizationRequired)' "$out" \
                        "Machine.$1 as nobody"
        done
        # Nothing happened to the machine.
        assert_eq running "$(mx_prop $n State)" "State after the denied calls"
        assert_eq "$leader" "$(mx_prop $n Leader)" "Leader after the denied calls"
        [ -d /proc/$leader ] || t_fail "leader $leader is gone"
        assert_eq ENOENT "$(nsenter -t $leader -a /usr/bin/testpayload stat /mnt/nr 2>/dev/null)" "/mnt/nr inside"
        unit_active "$(scope_of $n)" || t_fail "$(scope_of $n) is no longer active"
        # Reading works for everyone.
        out=$(as_nobody busctl call --timeout=30 $BUS_NAME $BUS_PATH $BUS_IFACE ListMachines 2>&1) ||
                t_fail "ListMachines as nobody failed: $out"
        assert_match "\"$n\" \"running\" $leader " "$out" "ListMachines as nobody"
        out=$(as_nobody busctl call --timeout=30 $BUS_NAME $BUS_PATH $BUS_IFACE GetMachine s $n 2>&1) ||
                t_fail "GetMachine as nobody failed: $out"
        assert_eq "o \"$path\"" "$out" "GetMachine as nobody"
        out=$(as_nobody busctl get-property --timeout=30 $BUS_NAME "$path" org.machinedext1.Machine Leader 2>&1) ||
                t_fail "reading Leader as nobody failed: $out"
        assert_eq "u $leader" "$out" "Leader as nobody"
        out=$(as_nobody busctl get-property --timeout=30 $BUS_NAME "$path" org.machinedext1.Machine State Name 2>&1) ||
                t_fail "reading State, Name as nobody failed: $out"
        assert_eq "s \"running\"
s \"$n\"" "$out" "State, Name as nobody"
        out=$(as_nobody dbus-send --system --print-reply --reply-timeout=30000 --dest=$BUS_NAME "$path" \
                org.freedesktop.DBus.Properties.GetAll string:org.machinedext1.Machine 2>&1) ||
                t_fail "GetAll as nobody failed: $out"
        assert_match "\"Unit\"" "$out" "GetAll as nobody"
        assert_ok mx_stop $n
        assert_gone $n
}

# METHOD NAME...: calls METHOD(NAME) for every NAME at once; fails the test unless every call succeeds.
call_all_at_once() {
        local method=$1 name pids=()
        shift
        for name; do
                timeout 40 busctl call --timeout=35 $BUS_NAME $BUS_PATH $BUS_IFACE $method s $name \
                        >"$T_TMP/call.$name" 2>&1 &
                pids+=($!)
        done
        for name; do
                wait "${pids[0]}" || t_fail "$method $name: exit $?: $(cat "$T_TMP/call.$name")"
                pids=("${pids[@]:1}")
        done
}

# Many starts in flight at once, as a busy host (or the benchmark) makes them: every StartMachine must be
# answered, and every machine must run in its own scope, registered. Each start overlaps the others' scope
# jobs, registrations and releases, so that the answers to the daemon's calls to systemd and machined come
# in every order. They share one root, so they are ReadOnly=: like systemd-nspawn, a writable machine holds
# its root exclusively.
test_concurrent_starts() {
        local root=mxt-conc n=24 i name names=() leader
        mx_root $root
        for ((i = 0; i < n; i++)); do
                names+=($root-$i)
                mx_settings $root-$i "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n[Files]\nDirectory=$MACHINES_DIR/$root\nReadOnly=yes\n"
        done
        call_all_at_once StartMachine "${names[@]}"
        for name in "${names[@]}"; do
                assert_eq running "$(mx_list_entry $name | awk '{ print $1 }')" "state of $name"
                leader=$(machinectl show $name -p Leader --value) || t_fail "$name is not registered with machined"
                grep -qF "/$(scope_of $name)" /proc/$leader/cgroup ||
                        t_fail "leader $leader of $name is not in its scope: $(cat /proc/$leader/cgroup)"
        done
        call_all_at_once StopMachine "${names[@]}"
        # StopMachine answers once the stops are under way: wait for each machine to be gone.
        for name in "${names[@]}"; do
                wait_until 30 mx_gone $name || t_fail "$name did not stop"
                assert_gone $name
        done
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

run_test start-registers test_start_registers
run_test payload-view test_payload_view
run_test list-machines test_list_machines
run_test stop-cleans-up test_stop_cleans_up
run_test exit-status test_exit_status
run_test kill-sigkill test_kill_sigkill
run_test kill-all test_kill_all
run_test cli-kill test_cli_kill
run_test machinectl-terminate test_machinectl_terminate
run_test machinectl-kill test_machinectl_kill
run_test unknown-name test_unknown_name
run_test invalid-names test_invalid_names
run_test start-twice test_start_twice
run_test exec-failed test_exec_failed
run_test exec-failed-late test_exec_failed_late
run_test non-root test_non_root
run_test invalid-settings test_invalid_settings
run_test files-directory test_files_directory
run_test environment test_environment
run_test boot test_boot
run_test survives-daemon-kill test_survives_daemon_kill
run_test console-survives-daemon-kill-pipe test_console_survives_pipe
run_test console-survives-daemon-kill-pty test_console_survives_pty
run_test bus-signals test_bus_signals
run_test_drop_in stop-escalation test_stop_escalation
run_test_drop_in stop-does-not-block test_stop_does_not_block
run_test kill-signal test_kill_signal
run_test status-show test_status_show
run_test non-root-mutating test_non_root_mutating
run_test concurrent-starts test_concurrent_starts

t_summary
