#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Denial of service and log integrity: each test performs an attack that used to work and checks that it
# fails now. Settings files that hang or slow down the daemon (a FIFO, a device, a huge or quadratic file), a
# STATUS= storm from the payload (leader or another process), and escape sequences from the payload that
# reached the admin's terminal through machinectl-ext.

set -u
. "$(dirname "$0")/lib.sh"

UNTRUSTED_DIR=/var/lib/machines

# Extra host paths a test creates: removed after each test, whether it passed or not.
hd_extra() {
        echo "$1" >>"$T_TMP/hd-extra"
}

hd_run() {      # NAME FUNC
        : >"$T_TMP/hd-extra"
        run_test "$@"
        local p
        while read -r p; do
                [ -n "$p" ] && rm -rf --one-file-system "$p"
        done <"$T_TMP/hd-extra"
}

daemon_pid() {
        systemctl show -p MainPID --value machined-ext.service
}

ms_now() {
        echo $(($(date +%s%N) / 1000000))
}

# Milliseconds one ListMachines call takes (fails the test if it fails).
list_ms() {
        local t0
        t0=$(ms_now)
        mx ListMachines >/dev/null || t_fail "ListMachines failed"
        echo $(($(ms_now) - t0))
}

# CPU time (user + system, in clock ticks) the daemon used so far. The daemon is bus-activated: make sure
# it runs first.
daemon_ticks() {
        mx ListMachines >/dev/null || t_fail "ListMachines failed"
        awk '{ print $14 + $15 }' /proc/"$(daemon_pid)"/stat
}

# 1. A settings file that is not a regular file, or too large: refused at once with InvalidSettings, and the
#    daemon keeps answering. A FIFO used to block the daemon in open() for good.
test_settings_not_regular() {
        local n=mxt-hd-file pid t0 e kind
        mx_root $n
        t_track $n
        mkdir -p "$SETTINGS_DIR"
        pid=$(daemon_pid)
        [ -n "$pid" ] && [ "$pid" != 0 ] || { mx ListMachines >/dev/null; pid=$(daemon_pid); }

        for kind in fifo zero huge dir; do
                rm -rf "$SETTINGS_DIR/$n.nspawn"
                case $kind in
                fifo) mkfifo "$SETTINGS_DIR/$n.nspawn" ;;
                zero) ln -s /dev/zero "$SETTINGS_DIR/$n.nspawn" ;;
                huge) truncate -s 5M "$SETTINGS_DIR/$n.nspawn" ;;
                dir) mkdir "$SETTINGS_DIR/$n.nspawn" ;;
                esac
                t0=$(ms_now)
                e=$(timeout 20 dbus-send --system --print-reply --reply-timeout=15000 --dest=$BUS_NAME $BUS_PATH \
                        $BUS_IFACE.StartMachine string:$n 2>&1)
                [ $(($(ms_now) - t0)) -lt 5000 ] || t_fail "$kind: StartMachine took $(($(ms_now) - t0)) ms"
                assert_match "org.machinedext1.InvalidSettings" "$e" "$kind: error"
                case $kind in
                huge) assert_match "$SETTINGS_DIR/$n.nspawn: File too large \(5242880 bytes, at most 4194304\)" "$e" ;;
                *) assert_match "$SETTINGS_DIR/$n.nspawn: Not a regular file, refusing" "$e" "$kind" ;;
                esac
                [ "$(list_ms)" -lt 2000 ] || t_fail "$kind: ListMachines slow after the bad start"
                assert_eq "" "$(mx_list_entry $n)" "$kind: ListMachines entry"
        done
        rm -rf "$SETTINGS_DIR/$n.nspawn"
        assert_eq "$pid" "$(daemon_pid)" "machined-ext's PID"

        # Next to the image (untrusted), a symlink is refused: it could point at any host file.
        ln -s /etc/shadow "$UNTRUSTED_DIR/$n.nspawn"
        hd_extra "$UNTRUSTED_DIR/$n.nspawn"
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$UNTRUSTED_DIR/$n.nspawn: Is a symbolic link, refusing" "$e"
}

# 2. A large settings file is parsed in linear time: 100,000 Environment= lines (2.6 MB) used to take
#    minutes, and ListMachines timed out meanwhile. Limits are errors naming file:line.
test_settings_large() {
        local n=mxt-hd-large t0 ms r bg i e
        mx_root $n
        t_track $n
        mkdir -p "$SETTINGS_DIR"
        {
                echo "[Exec]"
                echo "Parameters=/usr/bin/testpayload sleep 1000 --report /tmp/r.txt"
                awk 'BEGIN { for (i = 0; i < 100000; i++) printf "Environment=K%d=v%d\n", i % 4000, i }'
        } >"$SETTINGS_DIR/$n.nspawn"

        # ListMachines answers while the start runs.
        t0=$(ms_now)
        (mx StartMachine s $n >"$T_TMP/start.out" 2>&1; echo $? >"$T_TMP/start.rc") &
        bg=$!
        for i in 1 2 3; do
                ms=$(list_ms)
                [ "$ms" -lt 2000 ] || t_fail "ListMachines took $ms ms during the start"
        done
        wait $bg
        ms=$(($(ms_now) - t0))
        assert_eq 0 "$(cat "$T_TMP/start.rc")" "StartMachine ($(cat "$T_TMP/start.out"))"
        [ "$ms" -lt 10000 ] || t_fail "StartMachine with a 100k-line settings file took $ms ms"
        r=$(tmp_report $n) || exit 1
        assert_eq v96000 "$(report_get "$r" env.K0)" "\$K0 (the last assignment wins)"
        assert_eq v99999 "$(report_get "$r" env.K3999)" "\$K3999"
        mx_stop $n >/dev/null

        # One variable too many.
        {
                echo "[Exec]"
                echo "Parameters=/usr/bin/testpayload sleep 1000"
                awk 'BEGIN { for (i = 0; i <= 4096; i++) printf "Environment=K%d=v\n", i }'
        } >"$SETTINGS_DIR/$n.nspawn"
        wait_until 10 mx_gone $n
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$n.nspawn:4099: Too many entries for Environment= \(at most 4096\)" "$e"
}

# 3. Control characters in Parameters= are an error: the command line is shown to admins.
test_parameters_control_chars() {
        local n=mxt-hd-ctl e
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/bin/echo \033]52;c;cm0gLXJmIH4K\007\n"
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$n.nspawn:2: Invalid value for Parameters=: .*control character in argument '\?\]52;c;cm0gLXJmIH4K\?'" "$e"
        assert_eq "" "$(mx_list_entry $n)" "ListMachines entry"
}

# 4. A STATUS= storm from the container's PID 1: the property changes reach the bus as a bounded number of
#    PropertiesChanged signals (one per datagram used to make 345,000 in 8 s), ListMachines stays fast, the
#    daemon's CPU use stays low, and the last status wins.
test_notify_storm_leader() {
        local n=mxt-hd-storm mon signals sent attempts ms max=0 t0 c0 c1 line path
        mx_root $n
        mx_settings $n "[Exec]\nConsole=read-only\nParameters=/usr/bin/testpayload notify-flood 4\n"

        dbus-monitor --system "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',path_namespace='/org/machinedext1'" \
                >"$T_TMP/monitor" 2>&1 &
        mon=$!
        sleep 0.5
        c0=$(daemon_ticks)
        t0=$(ms_now)
        mx_start $n
        path=$(mx GetMachine s $n | awk '{ gsub(/"/, ""); print $2 }')
        while [ $(($(ms_now) - t0)) -lt 3500 ]; do
                ms=$(list_ms)
                [ "$ms" -gt "$max" ] && max=$ms
                sleep 0.2
        done
        c1=$(daemon_ticks)
        wait_until 20 sh -c "[ \"\$(busctl get-property $BUS_NAME $path org.machinedext1.Machine Status)\" = 's \"flood done\"' ]" ||
                t_fail "Status is not the last one sent: $(mx_prop $n Status)"
        sleep 0.5
        kill $mon 2>/dev/null; wait $mon 2>/dev/null

        signals=$(grep -c "member=PropertiesChanged" "$T_TMP/monitor")
        line=$(machinectl-ext console --log $n | tr -d '\r' | grep -m1 "^flood: sent")
        sent=$(echo "$line" | awk '{ print $3 }')
        attempts=$(echo "$line" | awk '{ print $5 }')
        echo "signals=$signals sent=$sent attempts=$attempts ListMachines max=${max}ms daemon CPU=$((c1 - c0)) ticks"
        [ -n "$attempts" ] || t_fail "no flood report in the console log"
        [ "$signals" -ge 1 ] || t_fail "no PropertiesChanged at all"
        # At most 256 notifications a second are read (over ~5 s with the drain), each worth one signal at most.
        [ "$signals" -le 2000 ] || t_fail "$signals PropertiesChanged signals for one storm"
        [ $((signals * 20)) -lt "$attempts" ] || t_fail "$signals signals for $attempts datagrams: not coalesced"
        [ "$max" -lt 1000 ] || t_fail "ListMachines took up to $max ms during the storm"
        # 3.5 s of storm: well under half a CPU (100 ticks a second).
        [ $((c1 - c0)) -lt 150 ] || t_fail "the daemon used $((c1 - c0)) ticks of CPU in 3.5 s"
}

# 5. The same storm from another process of the container: every datagram is dropped, and that must be cheap
#    (it cost 80 % of a CPU), and must not change Status.
test_notify_storm_child() {
        local n=mxt-hd-storm2 ms max=0 t0 c0 c1
        mx_root $n
        mx_settings $n "[Exec]\nConsole=read-only\nParameters=/usr/bin/testpayload notify-flood 4 --child\n"
        c0=$(daemon_ticks)
        t0=$(ms_now)
        mx_start $n
        while [ $(($(ms_now) - t0)) -lt 3500 ]; do
                ms=$(list_ms)
                [ "$ms" -gt "$max" ] && max=$ms
                sleep 0.2
        done
        c1=$(daemon_ticks)
        echo "ListMachines max=${max}ms daemon CPU=$((c1 - c0)) ticks"
        [ "$max" -lt 1000 ] || t_fail "ListMachines took up to $max ms during the storm"
        [ $((c1 - c0)) -lt 150 ] || t_fail "the daemon used $((c1 - c0)) ticks of CPU in 3.5 s for dropped datagrams"
        assert_eq "" "$(mx_prop $n Status)" "Status (only PID 1 may set it)"
}

# 6. Escape sequences from the payload (console output, STATUS=) are shown escaped on a terminal, like
#    journalctl shows them, and stay as they are in a pipe.
test_terminal_escapes() {
        local n=mxt-hd-esc out
        command -v script >/dev/null || skip "script (util-linux) not installed"
        mx_root $n
        t_track $n
        mkdir -p "$SETTINGS_DIR"
        # No control character in the file: printf makes them inside the container.
        cat >"$SETTINGS_DIR/$n.nspawn" <<'EOF'
[Exec]
Console=read-only
Parameters=/bin/sh -c "printf '\\033]52;c;SGVsbG8=\\007\\033]0;pwned\\007esc-marker\\n'; exec /usr/bin/testpayload notify-stay 1000 \"$(printf 'STATUS=\\302\\2332Jcleared')\""
EOF
        mx_start $n
        wait_until 10 sh -c "machinectl-ext console --log $n | grep -q esc-marker" || t_fail "no output in console --log"
        wait_until 10 sh -c "machinectl-ext show -p Status --value $n | grep -q cleared" || t_fail "no STATUS="

        # On a terminal (script(1) gives it one).
        out=$(script -qec "machinectl-ext console --log $n" /dev/null)
        assert_match '\\x1b\]52;c;SGVsbG8=\\x07\\x1b\]0;pwned\\x07esc-marker' "$out" "console --log on a terminal"
        ! grep -q $'\x1b]' <<<"$out" || t_fail "console --log let an OSC sequence through to the terminal"
        # STATUS= with a C1 CSI (U+009B): valid UTF-8, so the daemon keeps it (it drops C0 controls).
        out=$(script -qec "machinectl-ext status $n" /dev/null)
        assert_match 'Status: "\\xc2\\x9b2Jcleared"' "$out" "status on a terminal"
        ! grep -q $'\xc2\x9b' <<<"$out" || t_fail "status let the CSI through"
        out=$(script -qec "machinectl-ext show -p Status $n" /dev/null)
        assert_match 'Status=\\xc2\\x9b2Jcleared' "$out" "show on a terminal"

        # Not a terminal: the bytes as they are.
        machinectl-ext console --log $n | grep -q $'\x1b]52;c;SGVsbG8=\x07' || t_fail "console --log to a pipe is not raw"
        assert_eq $'\xc2\x9b2Jcleared' "$(machinectl-ext show -p Status --value $n)" "show to a pipe"
}

# 7. A console flood: machine A writes lines as fast as it can (yes). Its lines used to go to the journal
#    unlimited, so journald's rate limit for machined-ext.service dropped everything else the daemon sent:
#    machine B's lines and the daemon's own messages. Now A is cut at its own limit (1000 lines per 10 s, one
#    "suppressed" message per window), and B's marker and the daemon's message for B's stop are there.
test_console_flood() {
        local a=mxt-hd-flood b=mxt-hd-quiet tok=$RANDOM$RANDOM cursor since n
        mx_root $a
        mx_root $b
        mx_settings $a "[Exec]\nParameters=/bin/sh -c \"exec yes flood-$tok\"\nKillSignal=SIGKILL\n"
        mx_settings $b "[Exec]\nParameters=/bin/sh -c \"while [ ! -e /go ]; do sleep 0.1; done; echo marker-$tok; exec sleep 1000\"\nKillSignal=SIGKILL\n"
        since=$(date '+%Y-%m-%d %H:%M:%S')
        cursor=$(j_mark)
        mx_start $a
        mx_start $b
        sleep 4         # the flood has gone on for a while: under journald's old limit, everything was lost by now
        touch $MACHINES_DIR/$b/go
        sleep 1
        mx StopMachine s $b >/dev/null || t_fail "StopMachine $b failed"
        wait_until 10 mx_gone $b || t_fail "$b did not stop"
        sleep 2
        mx StopMachine s $a >/dev/null || t_fail "StopMachine $a failed"
        wait_until 10 mx_gone $a || t_fail "$a did not stop"
        journalctl --sync >/dev/null 2>&1 || true

        wait_until 5 eval "journalctl MACHINE=$b --since '$since' -o cat --no-pager | grep -qxF marker-$tok" ||
                t_fail "machine $b's marker is not in the journal"
        assert_journal "$cursor" "Machine $b: payload"
        assert_journal "$cursor" "console lines of machine $a suppressed"
        n=$(journalctl MACHINE=$a --since "$since" -o cat --no-pager | grep -cxF "flood-$tok")
        # 7 s of flood: at most two windows of 1000 lines.
        [ "$n" -gt 0 ] && [ "$n" -le 2000 ] || t_fail "$n flood lines of $a in the journal (1..2000 expected)"
        return 0
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

hd_run settings-not-regular test_settings_not_regular
hd_run settings-large test_settings_large
hd_run parameters-control-chars test_parameters_control_chars
hd_run notify-storm-leader test_notify_storm_leader
hd_run notify-storm-child test_notify_storm_child
hd_run terminal-escapes test_terminal_escapes
hd_run console-flood test_console_flood

t_summary
