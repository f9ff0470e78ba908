#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Restarts of the daemon while machines run (the "Restarts" section of README.md, machined-ext(8)): the state
# of every machine on disk (/run/machined-ext/machines/NAME/state.json), and what a new instance makes of it
# after `systemctl restart`, `kill -9` (systemd restarts it) and an upgrade (a new binary, then a restart):
# the same machines, object paths, leader PIDs, State, Status and Id; a machine still waiting for READY=1
# gets it; stop, kill, wait and the console log work. A machine whose payload exited while no daemon ran
# is reported with its real exit status and cleaned up; corrupt or stale state is reported and removed.
# And a restart of systemd-machined keeps our registrations.

set -u
. "$(dirname "$0")/lib.sh"

STATE_ROOT=/run/machined-ext/machines

# ---------------------------------------------------------------------------------------------------------
# Helpers of this file.

main_pid() {
        systemctl show -p MainPID --value machined-ext.service
}

daemon_exec_path() {
        local frag
        frag=$(systemctl show -p FragmentPath --value machined-ext.service)
        sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$frag" | tail -1
}

# This file restarts the daemon more often than systemd's default start limit allows (5 starts within 10 s):
# forget the earlier starts before each restart, or a slow bed ends the daemon "start-limit-hit".
reset_start_limit() {
        systemctl reset-failed machined-ext.service 2>/dev/null || :
}

# Waits for a new instance (MainPID other than $1) that answers on the bus.
wait_new_daemon() {
        local old=$1
        wait_until 15 sh -c "m=\$(systemctl show -p MainPID --value machined-ext.service); [ -n \"\$m\" ] && [ \"\$m\" != 0 ] && [ \"\$m\" != $old ]" ||
                t_fail "machined-ext did not come back (MainPID still $old or 0)"
        wait_until 10 mx ListMachines || t_fail "the new machined-ext does not answer"
}

# restart_kind KIND: restarts the daemon the way KIND says; returns once the new instance answers.
restart_kind() {
        local old exe
        old=$(main_pid)
        reset_start_limit
        case $1 in
        restart)
                systemctl restart machined-ext.service || t_fail "systemctl restart failed"
                ;;
        kill9)
                kill -9 "$old"
                ;;
        kill9stop)
                # The third row of README's table: the crash, then a stop before systemd's restart (RestartSec=1s):
                # systemd empties the fd store, and no keeper got the fds.
                kill -9 "$old"
                systemctl stop machined-ext.service || t_fail "systemctl stop failed"
                sleep 1
                systemctl start machined-ext.service || t_fail "systemctl start failed"
                ;;
        stopstart)
                # An explicit stop empties systemd's fd store: the fds wait in the daemon's fd keeper.
                systemctl stop machined-ext.service || t_fail "systemctl stop failed"
                sleep 1
                systemctl start machined-ext.service || t_fail "systemctl start failed"
                ;;
        upgrade)
                # As a package upgrade does it: a new file in place of the binary (a new inode), then a restart.
                exe=$(daemon_exec_path)
                [ -x "$exe" ] || t_fail "cannot find machined-ext's ExecStart= (got '$exe')"
                cp "$BUILDDIR/src/machined-ext/machined-ext" "$exe.new" && mv -f "$exe.new" "$exe" ||
                        t_fail "cannot replace $exe"
                systemctl daemon-reload
                systemctl restart machined-ext.service || t_fail "systemctl restart failed"
                ;;
        esac
        wait_new_daemon "$old"
}

# ci_ctl NAME STRING: PID 1 of NAME (testpayload notify-from /ctl) sends STRING on /run/host/notify.
rs_ctl() {
        local d=$MACHINES_DIR/$1/ctl f
        f=$(date +%s%N)
        printf '%b' "$2" >"$d/.$f" && mv "$d/.$f" "$d/$f" || t_fail "cannot write $d/$f"
        wait_until 5 test ! -e "$d/$f" || t_fail "PID 1 of $1 did not send '$2'"
}

status_is() {   # NAME STATUS
        [ "$(mx_prop "$1" Status)" = "$2" ]
}

state_is() {    # NAME STATE
        [ "$(mx_prop "$1" State)" = "$2" ]
}

console_log() {
        machinectl-ext console --log "$1" 2>/dev/null | tr -d '\r'
}

# Two machines: $1 waits for READY=1 (notify-from /ctl, long TimeoutStartSec=), $2 is plain and ticks on its
# console.
two_machines() {
        local w=$1 p=$2
        mx_root $w
        mkdir -p $MACHINES_DIR/$w/ctl
        mx_settings $w "[Exec]\nParameters=/bin/sh -c 'echo line-of-w; exec /usr/bin/testpayload notify-from /ctl'\nNotifyReady=yes\nTimeoutStartSec=300\n"
        mx_root $p
        mx_settings $p "[Exec]\nParameters=/bin/sh -c 'i=0; while :; do i=\$((i+1)); echo tick-\$i; sleep 0.2; done'\n"
        mx_start $w
        mx_start $p
        rs_ctl $w "STATUS=waiting for the test"
        wait_until 5 status_is $w "waiting for the test" || t_fail "STATUS= of $w not seen"
        wait_until 10 sh -c "machinectl-ext console --log $p 2>/dev/null | grep -q tick-3" || t_fail "no ticks from $p"
        wait_until 10 sh -c "machinectl-ext console --log $w 2>/dev/null | grep -q line-of-w" || t_fail "no line from $w"
}

# The line of the daemon's journal after cursor $2 that says machine $1 was adopted.
adoption_line() {       # NAME CURSOR
        j_since "$2" | grep "^Machine $1 (PID [0-9]*, [a-z]*) of a previous instance of the daemon adopted" | tail -1
}

# Machine $1 was adopted after cursor $2 with its fd store entries as they were ($3 = kept: nothing was stored
# again) or stored anew ($3 = stored).
assert_adopted_store() {        # NAME CURSOR kept|stored
        local line
        wait_until 5 sh -c "[ -n \"\$(journalctl -u machined-ext --no-pager -o cat --after-cursor='$2' |
                grep '^Machine $1 (PID [0-9]*, [a-z]*) of a previous instance of the daemon adopted')\" ]" ||
                t_fail "no adoption of $1 in the daemon's journal"
        line=$(adoption_line "$1" "$2")
        if [ "$3" = kept ]; then
                assert_match "its fds in systemd's fd store as they were" "$line" "adoption of $1"
        else
                assert_match "adopted\.$" "$line" "adoption of $1 (stored anew)"
        fi
}

restart_keeps_machines() {      # KIND
        local kind=$1 w=mxr-w-$1 p=mxr-p-$1 before_w before_p id_w id_p st lw lp out cur
        two_machines $w $p
        before_w=$(mx_list_entry $w)
        before_p=$(mx_list_entry $p)
        id_w=$(mx_prop $w Id)
        id_p=$(mx_prop $p Id)
        assert_match '^starting ' "$before_w" "$w before the restart"
        assert_match '^running ' "$before_p" "$p before the restart"
        lw=$(echo "$before_w" | cut -d' ' -f2)
        lp=$(echo "$before_p" | cut -d' ' -f2)
        for m in $w $p; do
                st=$(cat $STATE_ROOT/$m/state.json 2>/dev/null) || t_fail "no state file for $m"
                assert_match '"owner": "daemon"' "$st" "owner in the state of $m"
        done
        assert_match "\"pid\": $lw," "$(cat $STATE_ROOT/$w/state.json)" "leader in the state of $w"

        cur=$(j_mark)
        restart_kind "$kind"

        # The store kept the machines' capsules through a restart or a crash: the new instance sends systemd
        # nothing for them. An explicit stop emptied it: their fds came from the keeper and are stored anew.
        for m in $w $p; do
                assert_adopted_store $m "$cur" "$([ "$kind" = stopstart ] && echo stored || echo kept)"
        done
        assert_eq "$before_w" "$(mx_list_entry $w)" "ListMachines entry of $w after $kind"
        assert_eq "$before_p" "$(mx_list_entry $p)" "ListMachines entry of $p after $kind"
        assert_eq "$id_w" "$(mx_prop $w Id)" "Id of $w after $kind"
        assert_eq "$id_p" "$(mx_prop $p Id)" "Id of $p after $kind"
        assert_eq "waiting for the test" "$(mx_prop $w Status)" "Status of $w after $kind"
        assert_eq "/etc/machined-ext/$w.nspawn" "$(mx_prop $w SettingsFile)" "SettingsFile of $w after $kind"
        assert_eq "300000000" "$(mx_prop $w TimeoutStartUSec)" "TimeoutStartUSec of $w after $kind"
        [ -d /proc/$lw ] && [ -d /proc/$lp ] || t_fail "a leader died in the $kind"
        # The root directory lock came along (in its capsule).
        out=$(machinectl remove $p 2>&1) && t_fail "machinectl remove of the running $p succeeded after the $kind"
        assert_match 'Device or resource busy' "$out" "machinectl remove of $p after the $kind"
        machinectl show $w >/dev/null 2>&1 || t_fail "systemd-machined lost $w"

        # The waiting one still gets its READY=1.
        rs_ctl $w "READY=1"
        wait_until 5 state_is $w running ||
                t_fail "$w did not become running after READY=1 (State $(mx_prop $w State))"

        # The console: lines from before and after the restart.
        local last
        last=$(console_log $p | grep -o 'tick-[0-9]*' | tail -1 | cut -d- -f2)
        wait_until 10 sh -c "machinectl-ext console --log $p 2>/dev/null | grep -q tick-$((last + 3))" ||
                t_fail "no new console lines of $p after the $kind"
        console_log $p | grep -qx 'tick-1' || t_fail "console --log of $p lost the lines from before the $kind"
        # Each ring buffer has its own machine's lines only (the adoption reads them all from one journal).
        console_log $w | grep -qx 'line-of-w' || t_fail "console --log of $w lost its line from before the $kind"
        ! console_log $w | grep -q 'tick-' || t_fail "console --log of $w has lines of $p after the $kind"
        ! console_log $p | grep -q 'line-of-w' || t_fail "console --log of $p has the line of $w after the $kind"

        # Kill, stop and wait.
        assert_ok mx KillMachine ssi $w leader 9
        assert_eq "killed 9" "$(mx_wait $w)" "WaitMachine $w after KillMachine"
        assert_ok mx_stop $p
        assert_eq "killed 9" "$(mx_wait $p)" "WaitMachine $p after StopMachine"
        wait_until 10 mx_gone $w || t_fail "$w still listed"
        assert_gone $w
        assert_gone $p
        [ ! -e $STATE_ROOT/$w ] && [ ! -e $STATE_ROOT/$p ] || t_fail "state left behind in $STATE_ROOT"
        [ ! -e /run/systemd/nspawn/propagate/$p ] || t_fail "propagation directory of $p left behind"
        [ ! -e "$MACHINES_DIR/.#$p.lck" ] || t_fail "root directory lock of $p left after the $kind and its stop"
}

test_restart_systemctl() {
        restart_keeps_machines restart
}

test_restart_kill9() {
        restart_keeps_machines kill9
}

test_restart_upgrade() {
        restart_keeps_machines upgrade
}

test_restart_stop_start() {
        restart_keeps_machines stopstart
}

# kill -9, then systemctl stop before systemd restarted the daemon: the fd store is gone, the next instance
# adopts the machine by its PID (README, Restarts): same leader, State and Id, stop works and leaves nothing.
test_restart_kill9_stop() {
        local n=mxr-k9s before id leader
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/bin/sh -c 'while :; do echo tick; sleep 0.2; done'\n"
        mx_start $n
        mx_wait_state $n running
        before=$(mx_list_entry $n)
        id=$(mx_prop $n Id)
        leader=$(mx_prop $n Leader)

        restart_kind kill9stop

        assert_eq "$before" "$(mx_list_entry $n)" "ListMachines entry of $n after kill -9 and stop"
        assert_eq "$id" "$(mx_prop $n Id)" "Id of $n"
        [ -d /proc/$leader ] || t_fail "the leader died"
        machinectl show $n >/dev/null 2>&1 || t_fail "systemd-machined lost $n"
        assert_ok mx_stop $n 30
        [ ! -d /proc/$leader ] || t_fail "leader $leader survived the stop"
        assert_gone $n
        [ ! -e $STATE_ROOT/$n ] || t_fail "state of $n left behind"
        return 0
}

# A stop under way keeps its deadline across a crash of the daemon: the SIGKILL comes --stop-timeout= after
# StopMachine (recorded in the state file), not a whole new stop timeout after the next instance started.
STOP_DROPIN=/run/systemd/system/machined-ext.service.d/50-mxtest-restart-stop-timeout.conf
stop_timeout_undo() {
        [ -e $STOP_DROPIN ] || return 0
        rm -f $STOP_DROPIN
        systemctl daemon-reload
        restart_kind restart
}
test_restart_stop_deadline() {
        local n=mxr-sdl leader t0 dt exe
        exe=$(daemon_exec_path)
        [ -x "$exe" ] || t_fail "cannot find machined-ext's ExecStart= (got '$exe')"
        mkdir -p "$(dirname $STOP_DROPIN)"
        printf '[Service]\nExecStart=\nExecStart=%s --stop-timeout=10s\n' "$exe" >$STOP_DROPIN
        systemctl daemon-reload
        restart_kind restart
        mx_root $n
        # A shell as PID 1 without a handler does not die of SIGTERM from outside.
        mx_settings $n "[Exec]\nKillSignal=SIGTERM\nParameters=/bin/sh -c 'while :; do sleep 0.2; done'\n"
        mx_start $n
        mx_wait_state $n running
        leader=$(mx_prop $n Leader)
        t0=$(date +%s%N)
        mx StopMachine s $n >/dev/null || t_fail "StopMachine failed"
        sleep 4
        [ -d /proc/$leader ] || t_fail "the leader died of SIGTERM; the test needs one that ignores it"
        restart_kind kill9
        assert_eq stopping "$(mx_prop $n State)" "State after the restart"
        wait_until 20 sh -c "[ ! -d /proc/$leader ]" || t_fail "leader $leader survived"
        dt=$((($(date +%s%N) - t0) / 1000000))
        # 10 s after StopMachine; a new stop timeout from the restart would be 14 s or later.
        [ $dt -ge 9500 ] && [ $dt -lt 13000 ] || t_fail "SIGKILL came ${dt} ms after StopMachine, expected 10 s"
        wait_until 15 mx_gone $n || t_fail "$n not gone"
        stop_timeout_undo
        return 0
}

# A machine in a unit of its own (container@NAME.service) survives restarts of the daemon: the unit's main
# process (machinectl-ext start --keep-unit --ready --wait) asks the next instance again, and the unit stays
# active until the machine is stopped.
test_restart_keep_unit() {
        local n=mxr-unit u=container@mxr-unit.service leader
        mx_root $n
        mkdir -p $MACHINES_DIR/$n/ctl
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload notify-from /ctl\nNotifyReady=yes\nTimeoutStartSec=300\n"
        systemctl start --no-block "$u"
        wait_until 10 mx_running $n || t_fail "$n not started by $u"
        wait_until 5 state_is $n starting || t_fail "$n not starting"
        # "starting" also covers the set-up, which does not survive a restart (README, Restarts): wait for its
        # end, when the daemon registers the machine with systemd-machined and lets it exec.
        wait_until 10 machinectl show $n || t_fail "$n not registered with systemd-machined"
        leader=$(mx_prop $n Leader)

        # Waiting for READY=1 across a restart...
        restart_kind restart
        rs_ctl $n "READY=1"
        wait_until 10 unit_active "$u" || t_fail "$u did not become active after READY=1 ($(systemctl is-active $u))"
        assert_eq running "$(mx_prop $n State)" "State"
        # ... and waiting for the end across a crash.
        restart_kind kill9
        sleep 1
        unit_active "$u" || t_fail "$u stopped with the daemon: $(systemctl status $u --no-pager | tail -5)"
        assert_eq "$leader" "$(mx_prop $n Leader)" "Leader after the restarts"
        [ -d /proc/$leader ] || t_fail "leader died"
        assert_ok timeout 30 systemctl stop "$u"
        assert_eq inactive "$(systemctl is-active "$u")" "unit after systemctl stop"
        wait_until 5 mx_gone $n || t_fail "$n still listed after systemctl stop"
        [ ! -d /proc/$leader ] || t_fail "leader $leader survived systemctl stop"
        [ ! -e $STATE_ROOT/$n ] || t_fail "state of $n left behind"
        systemctl reset-failed "$u" 2>/dev/null
        return 0
}

# The state file is there from the start until the machine is gone.
test_state_file_lifecycle() {
        local n=mxr-life st
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/bin/sh -c 'sleep 1000'\n"
        mx_start $n
        st=$(cat $STATE_ROOT/$n/state.json 2>/dev/null) || t_fail "no state file for $n"
        assert_match '"status": "running"' "$st" "status"
        assert_match "\"pid\": $(mx_prop $n Leader)," "$st" "pid"
        assert_match '"settings": "/etc/machined-ext/mxr-life.nspawn"' "$st" "settings"
        assert_match '"unit": "machine-mxr\\\\x2dlife.scope"|"unit": "machine-mxr.x2dlife.scope"' "$st" "unit"
        assert_match '"created": "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z"' "$st" "created"
        assert_match '"cgroup": "/' "$st" "cgroup"
        assert_eq 700 "$(stat -c %a $STATE_ROOT/$n)" "mode of the state directory"
        assert_ok mx_stop $n
        [ ! -e $STATE_ROOT/$n ] || t_fail "state of $n left after its stop"
}

# A machine of StartMachineFromBundle (no settings file): its state names the bundle, and a new instance finds
# it again through it, with the same leader, and can stop it.
test_restart_bundle() {
        local n=mxr-oci b leader path st
        b=$MACHINES_DIR/$n
        mx_root $n "$b/rootfs"
        cat >"$b/config.json" <<EOF
{ "ociVersion": "1.0.2", "root": { "path": "rootfs" },
  "process": { "cwd": "/", "args": [ "/bin/sh", "-c", "sleep 1000" ] },
  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] } }
EOF
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        st=$(cat $STATE_ROOT/$n/state.json 2>/dev/null) || t_fail "no state file for $n"
        assert_match "\"bundle\": \"$b\"" "$st" "bundle in the state"
        leader=$(mx_prop $n Leader)
        path=$(mx GetMachine s $n)
        restart_kind restart
        assert_eq "$leader" "$(mx_prop $n Leader)" "leader after the restart"
        assert_eq "$path" "$(mx GetMachine s $n)" "object path after the restart"
        assert_ok mx_stop $n
        wait_until 10 mx_gone $n || t_fail "$n still listed after its stop"
        [ ! -e $STATE_ROOT/$n ] || t_fail "state of $n left after its stop"
}

# A machine of a bundle whose PID 1 rebooted (started again, as nspawn does) keeps the copy of its config.json
# in its state, which went between the two runs: a restart then adopts it with its bundle's definition.
test_restart_bundle_rebooted() {
        local n=mxr-ocireb b leader
        b=$MACHINES_DIR/$n
        mx_root $n "$b/rootfs"
        # reboot(2) only as PID 1 of its own PID namespace: there it ends that PID 1 with SIGHUP.
        printf '%s\n' 'if [ -e /rebooted ]; then exec sleep 1000; fi' 'touch /rebooted' \
                '[ $$ = 1 ] && exec /bin/busybox reboot -f' 'exit 1' >"$b/rootfs/reboot.sh"
        printf '%s\n' '{ "ociVersion": "1.0.2", "root": { "path": "rootfs" },' \
                '  "process": { "cwd": "/", "args": [ "/bin/sh", "/reboot.sh" ],' \
                '    "capabilities": { "bounding": [ "CAP_SYS_BOOT" ], "effective": [ "CAP_SYS_BOOT" ],' \
                '                      "permitted": [ "CAP_SYS_BOOT" ] } },' \
                '  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] } }' >"$b/config.json"
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        wait_until 10 test -e "$b/rootfs/rebooted" || t_fail "$n did not run its payload"
        # The second run's PID 1 is sleep (the first one's was sh, and the same PID is not likely again).
        wait_until 10 eval 'grep -q sleep /proc/$(mx_prop $n Leader 2>/dev/null)/cmdline 2>/dev/null' ||
                t_fail "$n did not come back after its reboot"
        cmp -s "$b/config.json" $STATE_ROOT/$n/config.json ||
                t_fail "the state of $n has no copy of its config.json after the reboot"
        leader=$(mx_prop $n Leader)
        restart_kind restart
        assert_eq "$leader" "$(mx_prop $n Leader)" "leader after the restart"
        assert_match '^2 /bin/sh /reboot.sh$' "$(mx_prop $n Command)" "the command after the restart"
        assert_ok mx_stop $n
        wait_until 10 mx_gone $n || t_fail "$n still listed after its stop"
}

# A machine of a settings file with OCIBundle=, whose OCIBundle= names another bundle, or none, by the time the
# daemon restarts: adopted as it runs (the copy of its config.json), not refused as a bundle that changed.
# ocibundle_sleeper NAME: machine NAME of a settings file with OCIBundle= (a bundle of /bin/sleep 1000 at
# $MACHINES_DIR/NAME) and one unknown key, started.
ocibundle_sleeper() {
        local n=$1 b=$MACHINES_DIR/$1
        mx_root $n "$b/rootfs"
        printf '%s\n' '{ "ociVersion": "1.0.2", "root": { "path": "rootfs" },' \
                '  "process": { "cwd": "/", "args": [ "/bin/sleep", "1000" ] },' \
                '  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] } }' >"$b/config.json"
        mx_settings $n "[Files]\nOCIBundle=$b\n[Exec]\nNoSuchKey=1\n"
        mx_start $n
}

test_restart_ocibundle_changed() {
        local n=mxr-ocichg b leader
        b=$MACHINES_DIR/$n
        ocibundle_sleeper $n
        leader=$(mx_prop $n Leader)
        w=$(mx_prop $n Warnings | tr -d '\\')   # busctl escapes the quotes
        assert_match "^1 .*/$n\.nspawn:4: Unknown key 'NoSuchKey'" "$w" "Warnings at the start"
        mx_settings $n "[Files]\nOCIBundle=$MACHINES_DIR/$n-other\n"
        restart_kind restart
        assert_eq "$leader" "$(mx_prop $n Leader)" "leader after the restart"
        assert_match '^2 /bin/sleep 1000$' "$(mx_prop $n Command)" "the command after the restart: the bundle that runs"
        # The Warnings of the settings it was started from, as its command is the bundle's it was started from.
        assert_eq "$w" "$(mx_prop $n Warnings | tr -d '\\')" "Warnings after the restart"
        # Settings that name no bundle any more: still the bundle that runs.
        mx_settings $n "[Exec]\nParameters=/bin/true\nOtherKey=2\n"
        restart_kind restart
        assert_eq "$leader" "$(mx_prop $n Leader)" "leader after the second restart"
        assert_match '^2 /bin/sleep 1000$' "$(mx_prop $n Command)" "the command with settings without OCIBundle="
        assert_eq "$w" "$(mx_prop $n Warnings | tr -d '\\')" "Warnings after the second restart"
        assert_ok mx_stop $n
        wait_until 10 mx_gone $n || t_fail "$n still listed after its stop"
}

# A settings file of thousands of bad lines: its Warnings are all there while the machine runs, the state keeps
# 64 KiB of them and says how many it left out (it is written again at every change of the machine), and a
# second restart keeps that list as it is. A key that is not UTF-8 (a raw 0xff, a character cut short by the
# notice's quote) must not make the state unreadable: the machine would be lost at the restart.
test_restart_ocibundle_many_warnings() {
        local n=mxr-ociwarn b f w1 w2 leader size
        b=$MACHINES_DIR/$n
        mx_settings $n ""
        f=$SETTINGS_DIR/$n.nspawn
        mx_root $n "$b/rootfs"
        printf '%s\n' '{ "ociVersion": "1.0.2", "root": { "path": "rootfs" },' \
                '  "process": { "cwd": "/", "args": [ "/bin/sleep", "1000" ] },' \
                '  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] } }' >"$b/config.json"
        { printf '[Files]\nOCIBundle=%s\n[Exec]\nK\377y=1\n%s=2\n' "$b" "$(printf '\342\202\254%.0s' $(seq 100))"
          for i in $(seq 3000); do echo "NoSuchKey=$i"; done; } >"$f"
        mx_start $n
        leader=$(mx_prop $n Leader)
        # 3002 notices: the first 1000 (CONF_NOTICES_MAX) and a line with how many more there were.
        assert_eq 1001 "$(mx_prop $n Warnings | cut -d' ' -f1)" "Warnings while it runs"
        mx_prop $n Warnings | grep -q '\.nspawn: 2002 more notices, not shown\.$' ||
                t_fail "no line with the 2002 notices not shown: $(mx_prop $n Warnings | tail -c 200)"
        size=$(stat -c %s "$STATE_ROOT/$n/state.json")
        [ "$size" -lt 80000 ] || t_fail "state.json of $n is $size bytes"
        mx_settings $n "[Files]\nOCIBundle=$MACHINES_DIR/$n-other\n"
        restart_kind restart
        assert_eq "$leader" "$(mx_prop $n Leader)" "leader after the restart"
        w1=$(busctl --json=short get-property "$BUS_NAME" "$(mx GetMachine s $n | awk '{ gsub(/"/, ""); print $2 }')" \
                org.machinedext1.Machine Warnings)
        python3 -c '
import json, sys
w = json.loads(sys.argv[1])["data"]
assert 600 < len(w) < 1001, len(w)
assert w[0].endswith(".nspawn:4: Unknown key \x27K?y\x27 in section [Exec], ignoring."), w[0]
# Each of the 3002 left out is counted, also the 2002 that the dropped line of the settings counted.
assert w[-1] == f"{3003 - len(w)} more warnings, not kept across a restart of machined-ext.", w[-1]
' "$w1" || t_fail "Warnings after the restart: $(echo "$w1" | head -c 300)"
        restart_kind restart
        assert_eq "$leader" "$(mx_prop $n Leader)" "leader after the second restart"
        w2=$(busctl --json=short get-property "$BUS_NAME" "$(mx GetMachine s $n | awk '{ gsub(/"/, ""); print $2 }')" \
                org.machinedext1.Machine Warnings)
        assert_eq "$w1" "$w2" "Warnings after the second restart"
        assert_ok mx_stop $n
        wait_until 10 mx_gone $n || t_fail "$n still listed after its stop"
}

# A state file is not trusted: its Warnings and status text, changed while no daemon ran, come back as text
# the bus takes (the machine's properties stay readable), or not at all.
test_restart_tampered_text() {
        local n=mxr-tamper leader
        ocibundle_sleeper $n
        leader=$(mx_prop $n Leader)
        kill -STOP "$(main_pid)"
        python3 -c '
import json, sys
p = sys.argv[1]
s = json.load(open(p))
s["daemon"]["warnings"] = "one\u001b[2J\nno\ufffeway\u0085"
s["daemon"]["status"] = "bad\ufffe"
json.dump(s, open(p, "w"))
' "$STATE_ROOT/$n/state.json" || { kill -CONT "$(main_pid)"; t_fail "could not change the state"; }
        restart_kind kill9
        assert_eq "$leader" "$(mx_prop $n Leader)" "leader after the restart"
        assert_eq "2 one?[2J no???way??" "$(mx_prop $n Warnings)" "Warnings from the changed state"
        assert_eq "" "$(mx_prop $n Status)" "status text from the changed state"
        assert_getall $n
        mx_stop_gone $n
}

# exit_while_absent NAME STATUS HOW: machine NAME's payload waits for /go and exits with STATUS while no daemon
# runs; the next instance reads that status from the pidfd kept for it and cleans up. HOW:
#   down     the daemon is frozen, the payload exits (a zombie of the frozen daemon), the daemon is killed (the
#            zombie goes to PID 1, which reaps it) and systemd starts a new one: the pidfd is systemd's fd
#            store's.
#   stopped  an explicit stop, which empties systemd's fd store; the payload exits (PID 1 reaps it), and the
#            daemon is started again: the pidfd is the one the fd keeper held.
exit_while_absent() {
        local n=$1 status=$2 how=$3 leader old
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/bin/sh -c 'while [ ! -e /go ]; do sleep 0.1; done; exit $status'\n"
        mx_start $n
        leader=$(mx_prop $n Leader)
        old=$(main_pid)
        reset_start_limit
        case $how in
        down)
                kill -STOP "$old"
                touch $MACHINES_DIR/$n/go
                wait_until 10 sh -c "[ \"\$(awk '{ print \$3 }' /proc/$leader/stat 2>/dev/null)\" = Z ]" ||
                        { kill -CONT "$old"; t_fail "payload of $n did not exit"; }
                kill -9 "$old"
                ;;
        stopped)
                systemctl stop machined-ext.service || t_fail "systemctl stop failed"
                touch $MACHINES_DIR/$n/go
                wait_until 10 sh -c "! kill -0 $leader 2>/dev/null" || t_fail "payload of $n did not exit"
                systemctl start machined-ext.service || t_fail "systemctl start failed"
                ;;
        esac
        wait_new_daemon "$old"
        assert_eq "exited $status" "$(mx_wait $n)" "WaitMachine $n after it exited while the daemon was $how"
        wait_until 15 mx_gone $n || t_fail "$n still listed"
        wait_until 10 sh -c "! machinectl show $n" || t_fail "$n still registered with systemd-machined"
        assert_gone $n
        [ ! -e $STATE_ROOT/$n ] || t_fail "state of $n left behind"
        [ ! -e /run/systemd/nspawn/propagate/$n ] || t_fail "propagation directory of $n left behind"
        journalctl -u machined-ext --no-pager -q |
                grep -q "Machine $n ended while the daemon was not running (exited, status $status)" ||
                t_fail "no log of the exit of $n while the daemon was $how"
}

test_exit_while_down() {
        exit_while_absent mxr-exit 7 down
}

test_exit_while_stopped() {
        exit_while_absent mxr-exit-stop 9 stopped
}

# A stale state whose leader PID the kernel has given to a thread of another process (pidfd_open(): ENOENT)
# costs the next instance neither the other machines nor their fds: it is a gone leader, removed.
test_stale_thread_pid() {
        local n=mxr-alive old leader holder tid
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $n
        leader=$(mx_prop $n Leader)
        python3 -c 'import threading, time; threading.Thread(target=time.sleep, args=(1000,)).start(); time.sleep(1000)' &
        holder=$!
        wait_until 5 sh -c "[ \$(ls /proc/$holder/task | wc -l) -ge 2 ]" || { kill $holder; t_fail "no thread"; }
        tid=$(ls /proc/$holder/task | grep -vx "$holder" | head -1)
        mkdir -p $STATE_ROOT/mxr-thread
        printf '%s\n' "{\"version\":1,\"id\":\"mxr-thread\",\"status\":\"running\",\"owner\":\"daemon\",\"pid\":$tid," \
                "\"pidfdInode\":1,\"startTime\":1,\"root\":\"/var/lib/machines/mxr-thread\"," \
                "\"created\":\"2026-11-30T15:14:32Z\",\"daemon\":{\"state\":\"running\"}}" \
                >$STATE_ROOT/mxr-thread/state.json
        old=$(main_pid)
        reset_start_limit
        systemctl restart machined-ext.service
        wait_new_daemon "$old"
        kill $holder
        mx_running $n || t_fail "$n was not adopted next to a state naming a thread"
        assert_eq "$leader" "$(mx_prop $n Leader)" "leader of $n after the restart"
        wait_until 10 eval '[ ! -e $STATE_ROOT/mxr-thread ]' || t_fail "the state naming a thread is left"
        assert_ok mx_stop $n
}

# A machine that ended while no daemon ran takes its veth with it (the kernel deletes both ends with its
# network namespace); a link that another program made under that name meanwhile is not the next instance's
# to delete: it deletes the link it made, by its index (it used to delete by name).
test_gone_veth_not_ours() {
        local n=mxr-veth x=vx-mxr leader old      # ve-NAME: at most 15 characters
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/bin/sh -c 'while [ ! -e /go ]; do sleep 0.1; done'\n[Network]\nVirtualEthernet=yes\nVirtualEthernetExtra=$x:vx0\n"
        mx_start $n
        ip link show dev ve-$n >/dev/null 2>&1 || t_fail "no ve-$n: the test needs the default veth"
        ip link show dev $x >/dev/null 2>&1 || t_fail "no $x: VirtualEthernetExtra= was not applied"
        leader=$(mx_prop $n Leader)
        old=$(main_pid)
        reset_start_limit
        systemctl stop machined-ext.service || t_fail "systemctl stop failed"
        touch $MACHINES_DIR/$n/go
        wait_until 10 sh -c "! kill -0 $leader 2>/dev/null" || t_fail "payload of $n did not exit"
        # Its network namespace may live on a while (the stored notify socket holds it): our links go here,
        # as the kernel's teardown of that namespace would take them, and another program takes the names.
        ip link del ve-$n 2>/dev/null
        ip link del $x 2>/dev/null
        ip link add ve-$n type bridge || t_fail "cannot add a link ve-$n (a bridge)"
        ip link add $x type bridge || { ip link del ve-$n; t_fail "cannot add a link $x (a bridge)"; }
        systemctl start machined-ext.service || { ip link del ve-$n; ip link del $x; t_fail "systemctl start failed"; }
        wait_new_daemon "$old"
        wait_until 15 mx_gone $n || { ip link del ve-$n; ip link del $x; t_fail "$n still listed"; }
        wait_until 10 eval '[ ! -e $STATE_ROOT/$n ]' || { ip link del ve-$n; ip link del $x; t_fail "state of $n left behind"; }
        sleep 0.5       # the link remover's thread, had it been given the names
        ip link show dev ve-$n >/dev/null 2>&1 || { ip link del $x; t_fail "the daemon deleted ve-$n, another program's link"; }
        ip link del ve-$n
        ip link show dev $x >/dev/null 2>&1 || t_fail "the daemon deleted $x, another program's link"
        ip link del $x
}

# Whether another process holds a lock on PATH (an nspawn-uid lock file): a POSIX lock of ours conflicts with
# an open file description lock of anyone else's.
lock_held() {   # PATH
        python3 - "$1" <<'PY'
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError:
    sys.exit(0)
sys.exit(1)
PY
}

# The lock of a machine's UID range (/run/systemd/nspawn-uid/SHIFT, as nspawn takes it) stays held while no
# daemon runs: after a crash (systemd's fd store holds it in the machine's capsule; RestartSec=1s is the
# window) and after an explicit stop (the fd keeper holds it). Then the new instance has it, and lets it go
# with the machine.
test_userns_lock_kept() {
        local n=mxr-ulock leader shift lock old how
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $n
        leader=$(mx_prop $n Leader)
        shift=$(awk '{ print $2 }' /proc/$leader/uid_map)
        [ -n "$shift" ] && [ "$shift" != 0 ] || t_fail "$n has no user namespace of its own (uid_map: $(cat /proc/$leader/uid_map))"
        lock=/run/systemd/nspawn-uid/$shift
        lock_held $lock || t_fail "$lock is not held while the daemon runs"
        # The second kill -9: the capsule the first adoption left (or stored anew) still has the lock.
        for how in kill9 stopstart kill9; do
                old=$(main_pid)
                reset_start_limit
                if [ $how = kill9 ]; then
                        kill -9 "$old"
                        # No daemon: the old one gone (its fds closed), systemd's restart not there yet.
                        wait_until 2 sh -c "! kill -0 $old 2>/dev/null" || t_fail "$how: the daemon did not die"
                        lock_held $lock || t_fail "$how: $lock was free while no daemon ran"
                        case $(main_pid) in 0|$old) ;; *) t_fail "$how: systemd restarted the daemon before the check" ;; esac
                else
                        systemctl stop machined-ext.service || t_fail "systemctl stop failed"
                        lock_held $lock || t_fail "$how: $lock was free while no daemon ran"
                        systemctl start machined-ext.service || t_fail "systemctl start failed"
                fi
                wait_new_daemon "$old"
                assert_eq "$leader" "$(mx_prop $n Leader)" "$how: leader after the restart"
                lock_held $lock || t_fail "$how: $lock is not held by the new instance"
        done
        assert_ok mx_stop $n
        wait_until 10 mx_gone $n || t_fail "$n still listed after its stop"
        if [ -e $lock ] && lock_held $lock; then
                t_fail "$lock is still held after the machine stopped"
        fi
        return 0
}

# Corrupt state is reported and removed; stale state (a PID now of another process, or gone) is not trusted.
test_bad_state() {
        local old sleeper
        mkdir -p $STATE_ROOT/mxr-corrupt $STATE_ROOT/mxr-reused $STATE_ROOT/mxr-gone
        echo '{"version":1,"id":"mxr-corrupt",' >$STATE_ROOT/mxr-corrupt/state.json
        sleep 1000 &
        sleeper=$!
        cat >$STATE_ROOT/mxr-reused/state.json <<EOF
{"version":1,"id":"mxr-reused","status":"running","owner":"daemon","pid":$sleeper,"pidfdInode":1,"startTime":1,
 "root":"/var/lib/machines/mxr-reused","created":"2026-11-30T15:14:32Z","daemon":{"state":"running"}}
EOF
        cat >$STATE_ROOT/mxr-gone/state.json <<EOF
{"version":1,"id":"mxr-gone","status":"running","owner":"daemon","pid":4000000,"pidfdInode":1,"startTime":1,
 "root":"/var/lib/machines/mxr-gone","created":"2026-11-30T15:14:32Z","daemon":{"state":"running"}}
EOF
        old=$(main_pid)
        reset_start_limit
        systemctl restart machined-ext.service
        wait_new_daemon "$old"
        for m in mxr-corrupt mxr-reused mxr-gone; do
                mx_gone $m || { kill $sleeper; t_fail "$m is listed"; }
                [ ! -e $STATE_ROOT/$m ] || { kill $sleeper; t_fail "state of $m not removed"; }
        done
        kill -0 $sleeper 2>/dev/null || t_fail "the process with the reused PID was harmed"
        kill $sleeper
        local j
        j=$(journalctl -u machined-ext --no-pager -q -n 200)
        echo "$j" | grep -q "mxr-corrupt: state.json is not valid JSON.*removed" || t_fail "corrupt state not reported: $j"
        echo "$j" | grep -q "Machine mxr-reused: PID $sleeper now belongs to another process" ||
                t_fail "reused PID not reported"
        echo "$j" | grep -q "Machine mxr-gone ended while the daemon was not running" || t_fail "gone leader not reported"
}

# A machine whose payload had exited while the previous instance was still cleaning up after it: its result
# is in its state, and the next instance reports it.
test_stopped_state() {
        local n=mxr-stopped old
        mx_root $n
        mkdir -p $STATE_ROOT/$n
        cat >$STATE_ROOT/$n/state.json <<EOF
{"version":1,"id":"$n","status":"stopped","owner":"daemon","pid":0,"pidfdInode":0,"startTime":0,
 "root":"/var/lib/machines/$n","created":"2026-11-30T15:14:32Z",
 "daemon":{"state":"stopping","exitCode":"exited","exitStatus":"3"}}
EOF
        mkdir -p /run/systemd/nspawn/propagate/$n
        old=$(main_pid)
        reset_start_limit
        systemctl restart machined-ext.service
        wait_new_daemon "$old"
        assert_eq "exited 3" "$(mx_wait $n)" "WaitMachine $n"
        [ ! -e $STATE_ROOT/$n ] || t_fail "state of $n not removed"
        [ ! -e /run/systemd/nspawn/propagate/$n ] || t_fail "propagation directory of $n not removed"
}

# systemd-machined restarting keeps our registrations, without a restart of our daemon; also when it lost
# its own record of them (/run/systemd/machines): the daemon registers them again when machined's bus name
# gets a new owner.
test_machined_restart() {
        local n=mxr-md old
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/bin/sh -c 'sleep 1000'\n"
        mx_start $n
        machinectl list --no-legend | grep -q "^$n " || t_fail "$n not in machinectl list"
        old=$(main_pid)
        systemctl restart systemd-machined.service || t_fail "cannot restart systemd-machined"
        wait_until 10 sh -c "machinectl list --no-legend | grep -q '^$n '" || t_fail "$n gone from machinectl list after machined's restart"

        systemctl stop systemd-machined.service || t_fail "cannot stop systemd-machined"
        rm -f /run/systemd/machines/$n "/run/systemd/machines/unit:$(scope_of $n)"
        systemctl start systemd-machined.service || t_fail "cannot start systemd-machined"
        wait_until 10 sh -c "machinectl list --no-legend | grep -q '^$n '" ||
                t_fail "$n not registered again after machined lost it"
        assert_eq "$old" "$(main_pid)" "machined-ext's MainPID (it must not restart with systemd-machined)"
        assert_eq "$(mx_prop $n Leader)" "$(machinectl show $n -p Leader --value)" "Leader seen by machined"
        assert_eq "$(scope_of $n)" "$(machinectl show $n -p Unit --value)" "Unit seen by machined"
        assert_ok mx_stop $n
        wait_until 10 sh -c "! machinectl show $n" || t_fail "$n still registered after its stop"
        [ ! -e $STATE_ROOT/$n ] || t_fail "state of $n left behind"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }
command -v machinectl-ext >/dev/null || { echo "machinectl-ext not installed"; echo "0 passed, 1 failed"; exit 1; }

# What each machine keeps in systemd's fd store: its capsule ("machine-NAME": the leader's pidfd, the console's
# reader, the root directory locks and, from Linux 6.10 on, its notify socket), and before 6.10 its notify
# socket as an entry of its own. systemd compares each fd stored with every fd it holds (kcmp), so more entries
# per machine made each start cost more with every machine running (issue #17). After a crash the adopted
# machines replace their entries rather than add to them; once they are gone, nothing of them is left in the
# store.
n_fd_store() {
        systemctl show -P NFileDescriptorStore machined-ext.service
}

# Entries per machine on this kernel (machine_notify_in_capsule()).
fd_store_per_machine() {
        local v=$(uname -r) major minor
        major=${v%%.*}
        v=${v#*.}
        minor=${v%%[!0-9]*}
        if [ "$major" -gt 6 ] || { [ "$major" -eq 6 ] && [ "$minor" -ge 10 ]; }; then
                echo 1
        else
                echo 2
        fi
}

# $MACHINED_EXT_FD_STORE_NOTIFY of the daemon, through a runtime drop-in ("" removes it). Takes effect at the
# daemon's next start.
set_fd_store_notify() {
        local d=/run/systemd/system/machined-ext.service.d
        if [ -n "$1" ]; then
                mkdir -p $d
                printf '[Service]\nEnvironment=MACHINED_EXT_FD_STORE_NOTIFY=%s\n' "$1" >$d/50-fd-store-notify.conf
        else
                rm -f $d/50-fd-store-notify.conf
        fi
        systemctl daemon-reload
}

test_fd_store_entries() {
        local n0 n1 m k cur
        n0=$(n_fd_store)
        for m in mxr-fds1 mxr-fds2 mxr-fds3; do
                mx_root $m
                mx_settings $m "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
                mx_start $m
        done
        k=$(fd_store_per_machine)
        wait_until 5 eval '[ "$(n_fd_store)" -ge $((n0 + 3 * k)) ]'
        n1=$(n_fd_store)
        assert_eq $((n0 + 3 * k)) "$n1" "fd store entries with 3 more machines running ($k each on $(uname -r))"
        cur=$(j_mark)
        restart_kind kill9
        for m in mxr-fds1 mxr-fds2 mxr-fds3; do
                assert_match '^running ' "$(mx_list_entry $m)" "$m after the crash"
                assert_adopted_store $m "$cur" kept
        done
        sleep 0.5
        assert_eq "$n1" "$(n_fd_store)" "fd store entries after the crash and the adoption"
        for m in mxr-fds1 mxr-fds2 mxr-fds3; do
                assert_ok mx_stop $m
        done
        wait_until 10 eval '[ "$(n_fd_store)" = "$n0" ]' ||
                t_fail "fd store entries after the stops: $(n_fd_store), before the starts: $n0"
}

# A crash while the notify sockets are entries of their own (the layout before Linux 6.10, forced), then an
# instance that keeps them in the capsules: the adopted machines are stored again in the new layout, and the
# socket still works (READY=1 of a machine that waited for it). Then the other way round.
# A crash of the daemon, then $1 fd store entries ($2 says when) and machines NAME... adopted with their
# entries kept as they were or stored anew ($3).
crash_adopt() {         # ENTRIES WHEN kept|stored NAME...
        local n=$1 when=$2 how=$3 cur m
        shift 3
        cur=$(j_mark)
        restart_kind kill9
        sleep 0.5
        assert_eq "$n" "$(n_fd_store)" "fd store entries $when"
        for m in "$@"; do
                assert_adopted_store $m "$cur" $how
        done
}

test_fd_store_layout_switch() {
        local w=mxr-w-layout p=mxr-p-layout n0
        set_fd_store_notify separate
        restart_kind restart
        n0=$(n_fd_store)
        two_machines $w $p
        wait_until 5 eval '[ "$(n_fd_store)" -ge $((n0 + 4)) ]'
        assert_eq $((n0 + 4)) "$(n_fd_store)" "fd store entries of two machines, notify sockets separate"

        set_fd_store_notify capsule
        crash_adopt $((n0 + 2)) "after the adoption, notify sockets in the capsules" stored $w $p
        assert_match '^starting ' "$(mx_list_entry $w)" "$w after the crash"
        rs_ctl $w "STATUS=still here"
        wait_until 5 status_is $w "still here" || t_fail "STATUS= of $w not seen after the adoption"

        # The same layout once more: kept as they are.
        crash_adopt $((n0 + 2)) "after a crash in the same layout" kept $w $p
        rs_ctl $w "STATUS=still here again"
        wait_until 5 status_is $w "still here again" || t_fail "STATUS= of $w not seen after the store was kept"

        set_fd_store_notify separate
        crash_adopt $((n0 + 4)) "after the second adoption, notify sockets separate" stored $w $p
        crash_adopt $((n0 + 4)) "after a crash, notify sockets still separate" kept $w $p
        rs_ctl $w "READY=1"
        wait_until 5 state_is $w running || t_fail "READY=1 of $w not seen after the second adoption"

        set_fd_store_notify ""
        restart_kind restart
        assert_eq $((n0 + 2 * $(fd_store_per_machine))) "$(n_fd_store)" "fd store entries in this kernel's layout"
        assert_ok mx_stop $w
        assert_ok mx_stop $p
        wait_until 10 eval '[ "$(n_fd_store)" = "$n0" ]' ||
                t_fail "fd store entries after the stops: $(n_fd_store), before the starts: $n0"
}

run_test state-file-lifecycle test_state_file_lifecycle
run_test restart-systemctl test_restart_systemctl
run_test restart-kill9 test_restart_kill9
run_test restart-upgrade test_restart_upgrade
run_test restart-stop-start test_restart_stop_start
run_test restart-kill9-stop test_restart_kill9_stop
run_test restart-stop-deadline test_restart_stop_deadline
stop_timeout_undo
run_test restart-keep-unit test_restart_keep_unit
run_test restart-bundle test_restart_bundle
run_test restart-bundle-rebooted test_restart_bundle_rebooted
run_test restart-ocibundle-changed test_restart_ocibundle_changed
run_test restart-ocibundle-many-warnings test_restart_ocibundle_many_warnings
run_test restart-tampered-text test_restart_tampered_text
run_test exit-while-down test_exit_while_down
run_test exit-while-stopped test_exit_while_stopped
run_test bad-state test_bad_state
run_test stale-thread-pid test_stale_thread_pid
run_test gone-veth-not-ours test_gone_veth_not_ours
run_test userns-lock-kept test_userns_lock_kept
run_test stopped-state test_stopped_state
run_test machined-restart test_machined_restart
run_test restart-fd-store-entries test_fd_store_entries
run_test restart-fd-store-layout-switch test_fd_store_layout_switch
# Whatever the test above left: the next daemon start uses this kernel's layout again.
[ -e /run/systemd/system/machined-ext.service.d/50-fd-store-notify.conf ] && set_fd_store_notify ""

t_summary
