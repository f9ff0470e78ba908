#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# machinectl-ext status: of a running machine (state, STATUS= text, settings file, unit, the last console
# lines), of one that ran and ended (its last exit, when, how long it ran: GetExitedMachine; exit status 3 as
# systemctl status of an inactive unit), and of one that never ran ("No such machine", exit status 1).

set -u
. "$(dirname "$0")/lib.sh"

R=mxst-run
E=mxst-ended
N=mxst-never

# rc CMD...: the exit status of CMD, its output discarded.
rc() {
        local r=0
        "$@" >/dev/null 2>&1 || r=$?
        echo $r
}

test_running() {
        local out tok=$RANDOM$RANDOM
        mx_root $R
        mx_settings $R "[Exec]\nParameters=/bin/sh -c \"echo first-$tok; echo marker-$tok; exec /usr/bin/testpayload sleep inf --notify STATUS=Serving-$tok\"\n"
        mx_start $R
        mx_wait_state $R running
        wait_until 10 bash -c "machinectl-ext show -p Status --value $R | grep -q Serving-$tok" ||
                t_fail "no STATUS= text"
        out=$(machinectl-ext status $R) || t_fail "machinectl-ext status $R failed: $out"
        echo "$out"
        assert_match "^ +State: running$" "$(grep State: <<<"$out")" "State"
        assert_eq "          Status: \"Serving-$tok\"" "$(grep Status: <<<"$out")" "Status"
        assert_eq "   Settings file: $SETTINGS_DIR/$R.nspawn" "$(grep 'Settings file:' <<<"$out")" "Settings file"
        assert_eq "            Unit: $(scope_of $R)" "$(grep Unit: <<<"$out")" "Unit"
        # The last console lines, after a blank line, as the console log has them.
        assert_eq "marker-$tok" "$(tail -1 <<<"$out")" "last console line"
        assert_eq "first-$tok" "$(tail -2 <<<"$out" | head -1)" "console line before"
        assert_eq 0 "$(rc machinectl-ext status $R)" "exit status of status of a running machine"
}

test_ended() {
        local out rc=0 exited start end
        mx_root $E
        mx_settings $E "[Exec]\nParameters=/bin/sh -c \"sleep 1.5; exit 3\"\n"
        timeout 30 machinectl-ext start --wait $E >/dev/null 2>&1 || rc=$?
        assert_eq 3 $rc "start --wait of $E"
        wait_until 10 mx_gone $E || t_fail "$E still there"

        out=$(machinectl-ext status $E) && t_fail "status of an ended machine exited 0: $out"
        assert_eq 3 "$(rc machinectl-ext status $E)" "exit status of status of an ended machine"
        echo "$out"
        assert_eq "$E" "$(head -1 <<<"$out")" "first line"
        assert_match "^ +State: exited$" "$(grep State: <<<"$out")" "State"
        assert_match "^ +Last exit: exited, status=3$" "$(grep 'Last exit:' <<<"$out")" "Last exit"
        assert_match "^ +Ended: .*; [0-9]+s ago$" "$(grep 'Ended:' <<<"$out")" "Ended"
        assert_match "^ +Started: " "$(grep 'Started:' <<<"$out")" "Started"
        assert_match "^ +Ran: [12]s$" "$(grep 'Ran:' <<<"$out")" "how long it ran"
        assert_eq "            Unit: machine-$(systemd-escape $E).scope" "$(grep Unit: <<<"$out")" "Unit"

        # The same run as GetExitedMachine and ListExitedMachines have it.
        exited=$(mx GetExitedMachine s $E) || t_fail "GetExitedMachine failed"
        assert_match "^sitts \"exited\" 3 [0-9]+ [0-9]+ \"machine-mxst.*ended.scope\"$" "$exited" "GetExitedMachine"
        start=$(awk '{ print $4 }' <<<"$exited")
        end=$(awk '{ print $5 }' <<<"$exited")
        [ $((end - start)) -ge 1500000 ] || t_fail "ran $((end - start)) µs, not the 1.5 s it slept"
        mx ListExitedMachines | grep -qF "\"$E\" \"exited\" 3 $end" || t_fail "ListExitedMachines has another end"

        # A name that runs again is running: status shows the run, not the old exit.
        mx_settings $E "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $E
        mx_wait_state $E running
        out=$(machinectl-ext status $E) || t_fail "status of $E running again failed: $out"
        assert_match "^ +State: running$" "$(grep State: <<<"$out")" "State when running again"
}

test_never() {
        local out e
        e=$(machinectl-ext status $N 2>&1) && t_fail "status of $N succeeded: $e"
        assert_match "^Failed to get machine $N: No such machine '$N'" "$e" "status of a machine that never ran"
        assert_eq 1 "$(wc -l <<<"$e")" "one line"
        assert_eq 1 "$(rc machinectl-ext status $N)" "exit status"
        e=$(assert_error org.machinedext1.NoSuchMachine GetExitedMachine string:$N) || exit 1
        assert_match "No machine '$N' has run" "$e" "GetExitedMachine of $N"
        assert_error org.freedesktop.DBus.Error.InvalidArgs GetExitedMachine string:'-x-' >/dev/null || exit 1
        # Defined (a root exists) but never run: the same.
        mx_root $N
        e=$(machinectl-ext status $N 2>&1) && t_fail "status of $N succeeded: $e"
        assert_match "Machine '$N' is not running" "$e" "status of a defined machine that never ran"
        assert_eq 1 "$(rc machinectl-ext status $N)" "exit status"
        # Several names: a failure wins over an ended machine.
        assert_eq 1 "$(rc machinectl-ext status $N $N)" "exit status of two"
}

test_json() {
        local out id
        mx_root $R
        mx_settings $R "[Exec]\nParameters=/usr/bin/testpayload sleep inf --notify STATUS=json-status\n"
        mx_start $R
        mx_wait_state $R running
        out=$(machinectl-ext show --json=short $R) || t_fail "show --json=short failed: $out"
        echo "$out"
        assert_eq 1 "$(wc -l <<<"$out")" "--json=short is one line"
        assert_eq "$R running $(mx_prop $R Leader) $(scope_of $R)" \
                "$(jq -r '"\(.Name) \(.State) \(.Leader) \(.Unit)"' <<<"$out")" "show --json=short"
        assert_eq number "$(jq -r '.Leader | type' <<<"$out")" "type of Leader"
        assert_eq boolean "$(jq -r '.Boot | type' <<<"$out")" "type of Boot"
        assert_eq array "$(jq -r '.Command | type' <<<"$out")" "type of Command"
        id=$(machinectl show $R -p Id --value)
        assert_eq "$id" "$(jq -r .Id <<<"$out")" "Id as 32 hex digits"
        assert_eq '{"State":"running","Leader":'"$(mx_prop $R Leader)"'}' \
                "$(machinectl-ext show --json=short -p State,Leader $R)" "show --json=short -p State,Leader"
        out=$(machinectl-ext show --json=pretty $R) || t_fail "show --json=pretty failed"
        [ "$(wc -l <<<"$out")" -gt 5 ] || t_fail "--json=pretty is not indented: $out"
        assert_eq running "$(jq -r .State <<<"$out")" "show --json=pretty"
        # status --json: the same object for a running machine.
        out=$(machinectl-ext status --json=short $R) || t_fail "status --json=short failed: $out"
        assert_eq "running json-status" "$(jq -r '"\(.State) \(.Status)"' <<<"$out")" "status --json=short"
        # Not with other commands, nor with --value.
        assert_match "only supported with 'list', 'status' and 'show'" \
                "$(machinectl-ext stop --json=short $R 2>&1)" "stop --json"
        assert_match "cannot be combined" "$(machinectl-ext show --json=short --value $R 2>&1)" "--value --json"
        assert_eq 1 "$(rc machinectl-ext show --json=bad $R)" "--json=bad"
}

test_json_ended() {
        local out rc=0
        mx_root $E
        mx_settings $E "[Exec]\nParameters=/usr/bin/testpayload exit 7\n"
        timeout 30 machinectl-ext start --wait $E >/dev/null 2>&1 || rc=$?
        assert_eq 7 $rc "start --wait of $E"
        wait_until 10 mx_gone $E || t_fail "$E still there"
        out=$(machinectl-ext status --json=short $E) && t_fail "status --json of an ended machine exited 0"
        echo "$out"
        assert_eq "$E exited exited 7" "$(jq -r '"\(.Name) \(.State) \(.ExitCode) \(.ExitStatus)"' <<<"$out")" \
                "status --json=short of an ended machine"
        [ "$(jq -r '.ExitTimestamp >= .StartTimestamp and .StartTimestamp > 0' <<<"$out")" = true ] ||
                t_fail "timestamps: $out"
}

# Colours as systemd decides them: $SYSTEMD_COLORS, then $NO_COLOR, then whether stdout is a terminal.
test_colors() {
        local esc=$'\x1b'
        mx_root $R
        mx_settings $R "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $R
        mx_wait_state $R running
        assert_no_match "$esc" "$(machinectl-ext list)" "list without a tty"
        assert_no_match "$esc" "$(machinectl-ext list --all)" "list --all without a tty"
        assert_no_match "$esc" "$(machinectl-ext status $R)" "status without a tty"
        assert_match "State: ${esc}\[0;1;32mrunning${esc}\[0m" "$(SYSTEMD_COLORS=1 machinectl-ext status $R)" \
                "SYSTEMD_COLORS=1"
        assert_match "${esc}\[" "$(SYSTEMD_COLORS=256 NO_COLOR=1 machinectl-ext status $R)" "SYSTEMD_COLORS before NO_COLOR"
        assert_no_match "$esc" "$(TERM=xterm SYSTEMD_COLORS=0 machinectl-ext status $R)" "SYSTEMD_COLORS=0"
        command -v script >/dev/null || skip "no script(1) for a tty"
        assert_match "${esc}\[0;1;32mrunning" "$(TERM=xterm script -qec "machinectl-ext status $R" /dev/null)" "on a tty"
        assert_no_match "${esc}\[0;1;32m" "$(TERM=xterm NO_COLOR=1 script -qec "machinectl-ext status $R" /dev/null)" \
                "NO_COLOR=1 on a tty"
        assert_no_match "${esc}\[0;1;32m" "$(TERM=dumb script -qec "machinectl-ext status $R" /dev/null)" \
                "TERM=dumb on a tty"
}

# show prints timestamps and time spans as systemctl show does; -p and --value as systemctl.
test_show_format() {
        local out ts
        mx_root $R
        mx_settings $R "[Exec]\nParameters=/usr/bin/testpayload sleep inf\nNotifyReady=yes\nTimeoutStartSec=90\n"
        mx_start $R
        mx_wait_state $R starting
        assert_eq "1min 30s" "$(machinectl-ext show -p TimeoutStartUSec --value $R)" "TimeoutStartUSec"
        assert_eq "TimeoutStartUSec=1min 30s" "$(machinectl-ext show -p TimeoutStartUSec $R)" "-p without --value"
        # Not ready yet: empty, as systemctl show has an unset timestamp; the monotonic one raw.
        assert_eq "ReadyTimestamp=" "$(machinectl-ext show -p ReadyTimestamp $R)" "ReadyTimestamp before READY=1"
        assert_eq "ReadyTimestampMonotonic=0" "$(machinectl-ext show -p ReadyTimestampMonotonic $R)" "monotonic"
        ts=$(mx_prop $R Timestamp)
        assert_eq "$(date -d @$((ts / 1000000)) '+%a %Y-%m-%d %H:%M:%S %Z')" \
                "$(machinectl-ext show -p Timestamp --value $R)" "Timestamp"
        assert_match "^[0-9]+$" "$(machinectl-ext show -p TimestampMonotonic --value $R)" "TimestampMonotonic"
        # Several -p, in the daemon's order; --value prints the values only.
        out=$(machinectl-ext show -p State -p TimeoutStartUSec --value $R)
        assert_eq "$(printf 'starting\n1min 30s')" "$out" "two -p with --value"
        # JSON keeps the raw µs.
        assert_eq 90000000 "$(machinectl-ext show --json=short -p TimeoutStartUSec $R | jq .TimeoutStartUSec)" "JSON"
}

# A failed start says where to look; a refused one does not.
test_start_hint() {
        local out unit
        mx_root $E
        mx_settings $E "[Exec]\nParameters=/no/such/command\n"
        out=$(machinectl-ext start $E 2>&1) && t_fail "start of $E succeeded: $out"
        echo "$out"
        unit=$(systemd-escape $E)
        assert_match "^Failed to start machine $E: Failed to execute /no/such/command" "$(head -1 <<<"$out")" "reason"
        assert_eq "See 'journalctl -u machine-$unit.scope' and 'journalctl MACHINE=$E' for details." \
                "$(sed -n 2p <<<"$out")" "hint"
        assert_eq 2 "$(wc -l <<<"$out")" "lines"
        # The journal it names has the failure.
        wait_until 5 bash -c "journalctl MACHINE=$E -o cat | grep -q 'failed to start'" ||
                t_fail "journalctl MACHINE=$E has no failure"
        assert_eq "" "$(machinectl-ext -q start $E 2>&1 | grep '^See ')" "no hint with --quiet"
        out=$(machinectl-ext start $N 2>&1) && t_fail "start of $N succeeded"
        assert_no_match "journalctl" "$out" "no hint for a machine that does not exist"
}

# start --ready on a terminal: one progress line with the elapsed time and the latest STATUS=.
test_start_progress() {
        local out esc=$'\x1b'
        command -v script >/dev/null || skip "no script(1) for a tty"
        mx_root $E
        mx_settings $E "[Exec]\nParameters=/usr/bin/testpayload sleep inf --notify STATUS=Warming-up\nNotifyReady=yes\nTimeoutStartSec=3\n"
        out=$(TERM=xterm timeout 30 script -qec "machinectl-ext start --ready $E" /dev/null)
        echo "$out" | cat -v
        assert_match "$E: starting \(1s\): Warming-up${esc}\[K" "$out" "progress after 1s"
        assert_match "$E: starting \(2s\): Warming-up" "$out" "progress after 2s"
        assert_match "did not report READY=1 within 3s" "$out" "reason"
        assert_match "See 'journalctl -u machine-" "$out" "hint"
        wait_until 10 mx_gone $E || t_fail "$E still there"
        # Not a terminal: the STATUS= lines as before, no progress line.
        out=$(timeout 30 machinectl-ext start --ready $E 2>&1)
        echo "$out"
        assert_match "^$E: Warming-up$" "$(head -1 <<<"$out")" "STATUS= line"
        assert_no_match "starting \(|$esc" "$out" "no progress without a terminal"
}

# start --wait --console: the payload's console output on stdout while waiting, then its exit status.
test_start_console() {
        local out rc=0 tok=$RANDOM$RANDOM
        mx_root $E
        mx_settings $E "[Exec]\nParameters=/bin/sh -c \"sleep 1; echo one-$tok; sleep 1; echo two-$tok; exit 4\"\n"
        out=$(timeout 30 machinectl-ext start --wait --console $E 2>"$T_TMP/err") || rc=$?
        echo "$out"
        cat "$T_TMP/err"
        assert_eq 4 $rc "exit status"
        assert_eq "$(printf 'one-%s\ntwo-%s' $tok $tok)" "$(tr -d '\r' <<<"$out")" "console output"
        # Without --console: nothing on stdout.
        wait_until 10 mx_gone $E || t_fail "$E still there"
        out=$(timeout 30 machinectl-ext start --wait $E 2>/dev/null) || true
        assert_eq "" "$out" "stdout without --console"
        # Console=pipe has no console to show: said on stderr, the wait goes on.
        wait_until 10 mx_gone $E || t_fail "$E still there"
        mx_settings $E "[Exec]\nConsole=pipe\nParameters=/bin/sh -c \"sleep 1; exit 5\"\n"
        rc=0
        timeout 30 machinectl-ext start --wait --console $E >/dev/null 2>"$T_TMP/err" || rc=$?
        assert_eq 5 $rc "exit status with Console=pipe"
        assert_match "Not showing the console of machine $E" "$(cat "$T_TMP/err")" "Console=pipe"
        # Only with start --wait.
        assert_match "only supported with 'start --wait'" "$(machinectl-ext start --console $E 2>&1)" "without --wait"
        assert_match "only supported with 'start --wait'" "$(machinectl-ext status --console $E 2>&1)" "with status"
}

procs_at_least() {      # N FILE: FILE (a cgroup.procs) has N lines or more
        [ "$(wc -l <"$2")" -ge "$1" ]
}
procs_at_most() {       # N FILE
        [ "$(wc -l <"$2")" -le "$1" ]
}

# The cgroup tree, as systemctl status has it: "CGroup: PATH", then each process "├─PID cmdline" and each
# sub-cgroup with its own. Command lines are escaped (always), cut to the terminal (only on one, and not with
# --full), drawn with UTF-8 glyphs or in ASCII as the locale says; status --json has the tree as objects.
test_cgroup_tree() {
        local out cg leader child evil esc=$'\x1b' json
        mx_root $R
        mx_settings $R "[Exec]\nParameters=/bin/sh -c \"sleep 4321 & exec /usr/bin/testpayload sleep inf\"\n"
        mx_start $R
        mx_wait_state $R running
        leader=$(mx_prop $R Leader)
        cg=$(systemctl show -p ControlGroup --value "$(scope_of $R)")
        [ -n "$cg" ] || t_fail "no ControlGroup for $(scope_of $R)"
        wait_until 10 procs_at_least 2 "/sys/fs/cgroup$cg/cgroup.procs" || t_fail "no child in $cg"
        child=$(grep -vx "$leader" /sys/fs/cgroup$cg/cgroup.procs | head -1)
        # A process in a sub-cgroup, whose argv[0] carries an escape sequence (OSC 0: the terminal's title).
        mkdir /sys/fs/cgroup$cg/sub
        (exec -a $'evil\e]0;pwned\a' sleep 4322) &
        evil=$!
        echo $evil >/sys/fs/cgroup$cg/sub/cgroup.procs

        out=$(LC_ALL=C.UTF-8 machinectl-ext status $R) || t_fail "status failed: $out"
        echo "$out"
        assert_match "^ +Leader: $leader \(testpayload\)$" "$(grep Leader: <<<"$out")" "Leader with its comm"
        assert_eq "          CGroup: $cg" "$(grep CGroup: <<<"$out")" "CGroup"
        assert_eq "$(printf '%18s├─%s /usr/bin/testpayload sleep inf' '' $leader)" "$(grep -- "─$leader " <<<"$out")" \
                "the leader's line"
        assert_match "^ {18}├─ *$child sleep 4321$" "$(grep -- "─ *$child " <<<"$out")" "the child's line"
        assert_eq "$(printf '%18s└─sub\n%18s  └─%s evil\\x1b]0;pwned\\x07 4322' '' '' $evil)" \
                "$(grep -A1 -- '─sub$' <<<"$out")" "the sub-cgroup and its escaped process"
        assert_no_match "$esc" "$out" "no escape sequence without a tty"
        # ASCII when the locale is not UTF-8, as systemd.
        out=$(LC_ALL=C machinectl-ext status $R)
        assert_match "^ {18}\|-$leader /usr/bin/testpayload" "$(grep -- "-$leader " <<<"$out")" "ASCII with LC_ALL=C"
        assert_match "^ {18}\`-sub$" "$(grep -- '-sub$' <<<"$out")" "ASCII last branch"
        assert_no_match "├|└" "$(SYSTEMD_UTF8=0 LC_ALL=C.UTF-8 machinectl-ext status $R)" "SYSTEMD_UTF8=0"

        # On a terminal: cut to its width with "…" (at least 20 columns for the command), not with -l/--full.
        if command -v script >/dev/null; then
                out=$(COLUMNS=40 LC_ALL=C.UTF-8 TERM=dumb script -qec "machinectl-ext status $R" /dev/null | tr -d '\r')
                assert_eq "$(printf '%18s├─%s /usr/bin/testpayloa…' '' $leader)" "$(grep -- "─$leader " <<<"$out")" \
                        "ellipsized on a 40-column terminal"
                out=$(COLUMNS=40 LC_ALL=C.UTF-8 TERM=dumb script -qec "machinectl-ext status -l $R" /dev/null | tr -d '\r')
                assert_match "─$leader /usr/bin/testpayload sleep inf$" "$(grep -- "─$leader " <<<"$out")" "-l"
                out=$(COLUMNS=40 TERM=xterm script -qec "machinectl-ext status --full $R" /dev/null | tr -d '\r')
                assert_match "$leader /usr/bin/testpayload sleep inf" "$out" "--full"
        fi

        # JSON: the path, and the tree with each process's argv.
        json=$(machinectl-ext status --json=short $R) || t_fail "status --json failed"
        assert_eq "$cg" "$(jq -r .ControlGroup <<<"$json")" "ControlGroup in JSON"
        assert_eq '["/usr/bin/testpayload","sleep","inf"]' \
                "$(jq -c --argjson p $leader '.ControlGroupTree.Processes[] | select(.PID == $p) | .Command' <<<"$json")" \
                "the leader in ControlGroupTree"
        assert_eq '["sleep","4321"]' \
                "$(jq -c --argjson p $child '.ControlGroupTree.Processes[] | select(.PID == $p) | .Command' <<<"$json")" \
                "the child in ControlGroupTree"
        assert_eq "$(basename "$cg")" "$(jq -r .ControlGroupTree.Name <<<"$json")" "Name of the tree's root"
        assert_eq "sub $evil" "$(jq -r '.ControlGroupTree.Children[0] | "\(.Name) \(.Processes[0].PID)"' <<<"$json")" \
                "the sub-cgroup in ControlGroupTree"
        kill $evil
        wait_until 5 procs_at_most 0 "/sys/fs/cgroup$cg/sub/cgroup.procs" || t_fail "$evil still there"
        rmdir /sys/fs/cgroup$cg/sub
}

# -n/--lines: how many console lines status shows (0: none), as systemctl status -n.
test_lines() {
        local out
        mx_root $R
        mx_settings $R "[Exec]\nParameters=/bin/sh -c \"for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line-\$i; done; exec /usr/bin/testpayload sleep inf\"\n"
        mx_start $R
        mx_wait_state $R running
        wait_until 10 bash -c "machinectl-ext status $R | grep -q line-12" || t_fail "no console lines"
        out=$(machinectl-ext status $R)
        assert_eq "$(printf 'line-%s\n' 3 4 5 6 7 8 9 10 11 12)" "$(grep '^line-' <<<"$out")" "10 lines by default"
        assert_eq "$(printf 'line-%s\n' 11 12)" "$(machinectl-ext status -n 2 $R | grep '^line-')" "-n 2"
        assert_eq "line-12" "$(machinectl-ext status --lines=1 $R | grep '^line-')" "--lines=1"
        assert_eq "" "$(machinectl-ext status -n 0 $R | grep '^line-')" "-n 0"
        assert_eq 12 "$(machinectl-ext status -n 100 $R | grep -c '^line-')" "-n 100"
        assert_match "Invalid --lines= value 'x'" "$(machinectl-ext status -n x $R 2>&1)" "-n x"
        assert_match "Invalid --lines= value '-1'" "$(machinectl-ext status -n -1 $R 2>&1)" "-n -1"
        assert_match "only supported with 'status'" "$(machinectl-ext show -n 2 $R 2>&1)" "-n with show"
}

# The machine's network as systemd-machined sees it (GetMachineAddresses enters its network namespace):
# Iface (the host side of the veth) and Address, once host0 has one; none for a machine on the host's network.
test_addresses() {
        local out leader json
        mx_root $R
        mx_settings $R "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $R
        mx_wait_state $R running
        leader=$(mx_prop $R Leader)
        out=$(machinectl-ext status $R)
        echo "$out"
        assert_match "^ +Iface: ve-" "$(grep Iface: <<<"$out")" "Iface"
        assert_eq "" "$(grep Address: <<<"$out")" "no address before host0 has one"
        assert_eq "[]" "$(machinectl-ext status --json=short $R | jq -c .Addresses)" "no address in JSON"
        assert_ok nsenter -t $leader -n ip link set host0 up
        assert_ok nsenter -t $leader -n ip addr add 10.231.77.2/24 dev host0
        wait_until 5 bash -c "machinectl-ext status $R | grep -q 'Address: 10.231.77.2$'" ||
                t_fail "no Address: 10.231.77.2 in: $(machinectl-ext status $R)"
        json=$(machinectl-ext status --json=short $R)
        assert_eq true "$(jq '.Addresses | index("10.231.77.2") != null' <<<"$json")" "Addresses in JSON"
        assert_match '^\["ve-' "$(jq -c .NetworkInterfaces <<<"$json")" "NetworkInterfaces in JSON"
        # Several addresses: one a line, aligned.
        assert_ok nsenter -t $leader -n ip addr add 10.231.78.2/24 dev host0
        wait_until 5 bash -c "machinectl-ext status $R | grep -q '^ \{17\} 10.231.78.2$'" ||
                t_fail "second address not aligned: $(machinectl-ext status $R)"
        mx_stop $R

        # On the host's network: machined has no addresses for it, status shows none.
        mx_settings $R "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n[Network]\nPrivate=no\n"
        mx_start $R
        mx_wait_state $R running
        out=$(machinectl-ext status $R)
        echo "$out"
        assert_eq "" "$(grep -E 'Address:|Iface:' <<<"$out")" "no Iface or Address without a network namespace"
        json=$(machinectl-ext status --json=short $R)
        assert_eq "[] []" "$(jq -c -r '"\(.Addresses) \(.NetworkInterfaces)"' <<<"$json")" "none in JSON"
}

# show -p Command quotes each word for a shell, as systemctl show ExecStart=: eval gives the argv back.
test_show_command() {
        local out i
        local -a words want
        mx_root $R
        mx_settings $R ""
        cat >"$SETTINGS_DIR/$R.nspawn" <<'EOF'
[Exec]
Parameters=/bin/sh -c "exec /usr/bin/testpayload sleep inf" "two words" "say \"hi\"" "it's" '$HOME `id`' a\\b "" *.c plain
EOF
        mx_start $R
        mx_wait_state $R running
        out=$(machinectl-ext show -p Command --value $R)
        echo "$out"
        assert_eq '/bin/sh -c "exec /usr/bin/testpayload sleep inf" "two words" "say \"hi\"" "it'"'"'s" "\$HOME \`id\`" "a\\b" "" "*.c" plain' \
                "$out" "quoted as systemd quotes"
        eval "words=($out)"
        mapfile -t want < <(machinectl-ext show --json=short -p Command $R | jq -r '.Command[]')
        assert_eq 11 "${#want[@]}" "words in JSON"
        assert_eq "${#want[@]}" "${#words[@]}" "number of words after eval"
        for i in "${!want[@]}"; do
                assert_eq "${want[$i]}" "${words[$i]}" "word $i after eval"
        done
        assert_eq "say \"hi\"" "${words[4]}" "a word with quotes"
        assert_eq "Command=$out" "$(machinectl-ext show -p Command $R)" "without --value"
        assert_match "^ +Command: /bin/sh -c \"exec " "$(machinectl-ext status $R | grep Command:)" "status quotes too"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }
command -v machinectl-ext >/dev/null || { echo "machinectl-ext not installed"; echo "0 passed, 1 failed"; exit 1; }

run_test status-running test_running
run_test status-ended test_ended
run_test status-never test_never
run_test status-json test_json
run_test status-json-ended test_json_ended
run_test status-colors test_colors
run_test show-format test_show_format
run_test start-hint test_start_hint
run_test start-progress test_start_progress
run_test start-console test_start_console
run_test status-cgroup-tree test_cgroup_tree
run_test status-lines test_lines
run_test status-addresses test_addresses
run_test show-command-quoting test_show_command

t_summary
