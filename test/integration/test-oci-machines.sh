#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Issue #13: each container of machined-ext-oci (under its default root) is also a machine of the daemon:
# GetMachine finds it (its object /org/machinedext1/oci/ID has the Machine interface: Name, State, Leader,
# Unit, RootDirectory, Timestamp, Stop, Kill), StopMachine stops it (SIGTERM through a pidfd of its leader,
# SIGKILL after the stop timeout; the reply comes once the stop is under way) and KillMachine signals it; so
# do machinectl-ext stop, kill, status and show. The CLI keeps its state: `state` says stopped afterwards,
# `delete` cleans up, and podman (conmon) sees the exit. busctl tree lists the objects of live containers; a
# stop under way survives a restart of the daemon (its record in /run/machined-ext/oci-stops).

set -u
. "$(dirname "$0")/lib.sh"

OCI_ROOT=/run/machined-ext-oci          # the default root: the only one the daemon reads
OCI_IDS=(ocim-stop ocim-cli ocim-kill ocim-cgfs ocim-status ocim-corrupt ocim-timeout ocim-tree ocim-restart ocim-other)
STOP_RECORDS=/run/machined-ext/oci-stops   # the daemon's records of stops under way
RUNTIME=$(command -v machined-ext-oci)
DROPIN=/run/systemd/system/machined-ext.service.d/50-mxtest-oci-stop-timeout.conf

oci() {
        machined-ext-oci "$@"
}

# ocim_bundle ID ARG...: a bundle at /var/lib/machines/ID from `spec` with a busybox root running ARG...
# (each one line), and BUNDLE/out bound read-write at /out for the payload's marks.
ocim_bundle() {
        local id=$1 b=$MACHINES_DIR/$1 args
        shift
        mx_root "$id" "$b/rootfs"
        mkdir -p "$b/out"
        oci spec --bundle "$b" || t_fail "spec --bundle $b failed"
        args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
        jq --argjson args "$args" --arg out "$b/out" '
                .process.terminal = false | .process.args = $args |
                .mounts += [ { destination: "/out", type: "bind", source: $out, options: [ "rbind", "rw" ] } ]' \
                "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

# ocim_run ID [GLOBAL-OPTION...]: run --detach the bundle of ID; waits until the payload wrote /out/ready.
ocim_run() {
        local id=$1
        shift
        oci "$@" run --detach --bundle "$MACHINES_DIR/$id" "$id" >"$T_TMP/run.out" 2>&1 </dev/null ||
                t_fail "run --detach $id failed: $(tail -3 "$T_TMP/run.out")"
        wait_until 10 test -e "$MACHINES_DIR/$id/out/ready" || t_fail "$id did not get ready"
}

# A payload that marks /out/ready, then records each SIGTERM / SIGUSR1 in /out/term, /out/usr1; a TERM ends it.
TRAPPER='trap "echo term >>/out/term; exit 0" TERM; trap "echo usr1 >>/out/usr1" USR1; echo >/out/ready; while :; do sleep 1; done'

oci_status() {
        oci state "$1" | jq -r .status
}

ocim_cleanup() {
        local id
        for id in "${OCI_IDS[@]}"; do
                [ -d "$OCI_ROOT/$id" ] && timeout 20 machined-ext-oci delete --force "$id" >/dev/null 2>&1
                rm -rf "${OCI_ROOT:?}/$id" "${STOP_RECORDS:?}/$id"
        done
        rm -rf "${STOP_RECORDS:?}/ocim-bogus" "${STOP_RECORDS:?}/ocim-nofacts"
        return 0
}

test_stop_busctl() {
        local id=ocim-stop path pid t0 out
        ocim_bundle $id /bin/sh -c "$TRAPPER"
        ocim_run $id
        pid=$(oci state $id | jq -r .pid)

        path=$(busctl call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" GetMachine s $id | awk '{ print $2 }' | tr -d '"')
        assert_eq /org/machinedext1/oci/ocim_2dstop "$path" "GetMachine's path"
        assert_eq "s \"running\"" "$(busctl get-property "$BUS_NAME" "$path" org.machinedext1.Machine State)" "State"
        assert_eq "u $pid" "$(busctl get-property "$BUS_NAME" "$path" org.machinedext1.Machine Leader)" "Leader"

        # Unprivileged callers may look, not stop.
        out=$(setpriv --reuid=65534 --regid=65534 --clear-groups busctl call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" \
                StopMachine s $id 2>&1) && t_fail "an unprivileged StopMachine succeeded"
        # Refused by the daemon: AccessDenied without polkit, "Interactive authentication required" when
        # polkit runs and would ask for a password (busctl does not allow it to).
        assert_match "Access denied|AccessDenied|Interactive authentication required" "$out" \
                "unprivileged StopMachine"
        assert_eq running "$(oci_status $id)" "status after a refused stop"

        t0=$(date +%s)
        assert_ok mx StopMachine s $id
        wait_until 10 bash -c "[ \"\$(machined-ext-oci state $id | jq -r .status)\" = stopped ]" ||
                t_fail "not stopped after StopMachine: $(oci_status $id)"
        [ $(($(date +%s) - t0)) -lt 10 ] || t_fail "the stop took the SIGKILL timeout: SIGTERM was not sent"
        assert_eq term "$(cat "$MACHINES_DIR/$id/out/term")" "the payload's SIGTERM trap"
        wait_until 5 test ! -e "$STOP_RECORDS/$id" || t_fail "the record of the stop outlived the container"
        assert_error org.machinedext1.NoSuchMachine GetMachine string:$id | grep -q "stopped" ||
                t_fail "GetMachine of the stopped container does not say it is stopped"
        assert_error org.machinedext1.NoSuchMachine StopMachine string:$id >/dev/null

        # The CLI's state stays the CLI's: delete cleans it up.
        [ -e "$OCI_ROOT/$id/state.json" ] || t_fail "the daemon removed the CLI's state"
        assert_ok oci delete $id
        [ -e "$OCI_ROOT/$id" ] && t_fail "$OCI_ROOT/$id is still there after delete"
        return 0
}

# --stop-timeout= for the daemon through a drop-in in /run, as test-foundation.sh does; undone after the test.
set_stop_timeout() {
        local exe frag
        frag=$(systemctl show -p FragmentPath --value machined-ext.service)
        exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$frag" | tail -1)
        [ -x "$exe" ] || t_fail "cannot find machined-ext's ExecStart= (got '$exe')"
        mkdir -p "$(dirname $DROPIN)"
        printf '[Service]\nExecStart=\nExecStart=%s --stop-timeout=%s\n' "$exe" "$1" >$DROPIN
        systemctl daemon-reload && systemctl restart machined-ext.service || t_fail "restart with --stop-timeout failed"
        wait_until 10 mx ListMachines || t_fail "machined-ext did not come back"
}

restore_stop_timeout() {
        [ -e $DROPIN ] || return 0
        rm -f $DROPIN
        systemctl daemon-reload
        systemctl restart machined-ext.service
        wait_until 10 mx ListMachines >/dev/null 2>&1
}

test_stop_cli() {
        local id=ocim-cli t0 dt
        ocim_bundle $id /bin/sh -c "$TRAPPER"
        ocim_run $id
        # machinectl-ext stop waits until it is gone.
        assert_ok machinectl-ext stop $id
        assert_eq stopped "$(oci_status $id)" "status right after machinectl-ext stop"
        assert_eq term "$(cat "$MACHINES_DIR/$id/out/term")" "the payload's SIGTERM trap"
        assert_ok oci delete $id

        # A leader that ignores SIGTERM (sleep as PID 1): SIGKILL after the stop timeout.
        id=ocim-timeout
        set_stop_timeout 2s
        ocim_bundle $id /bin/sh -c 'echo >/out/ready; exec sleep 1000'
        ocim_run $id
        t0=$(date +%s%N)
        assert_ok machinectl-ext stop $id
        dt=$((($(date +%s%N) - t0) / 1000000))
        assert_eq stopped "$(oci_status $id)" "status after the SIGKILL"
        [ $dt -ge 1500 ] || t_fail "stopped after $dt ms, before the stop timeout (2 s)"
        [ $dt -lt 20000 ] || t_fail "stopped only after $dt ms"
        assert_ok oci delete $id
}

test_kill() {
        local id=ocim-kill path out
        ocim_bundle $id /bin/sh -c "$TRAPPER"
        ocim_run $id
        # machinectl-ext kill: every process of its scope (KillUnit), as for our machines.
        assert_ok machinectl-ext kill --signal=SIGUSR1 $id
        wait_until 10 test -s "$MACHINES_DIR/$id/out/usr1" || t_fail "the payload did not see SIGUSR1"
        # KillMachine on the manager, leader only, and Kill on the object.
        assert_ok mx KillMachine ssi $id leader 10
        wait_until 10 bash -c "[ \$(wc -l <$MACHINES_DIR/$id/out/usr1) -ge 2 ]" || t_fail "no second SIGUSR1"
        path=$(busctl call "$BUS_NAME" "$BUS_PATH" "$BUS_IFACE" GetMachine s $id | awk '{ print $2 }' | tr -d '"')
        assert_ok busctl call "$BUS_NAME" "$path" org.machinedext1.Machine Kill si "" 10
        wait_until 10 bash -c "[ \$(wc -l <$MACHINES_DIR/$id/out/usr1) -ge 3 ]" || t_fail "no third SIGUSR1"
        assert_eq running "$(oci_status $id)" "status after the trapped signals"
        assert_error org.freedesktop.DBus.Error.InvalidArgs KillMachine string:$id string:leader int32:0 >/dev/null
        assert_ok mx KillMachine ssi $id leader 9
        wait_until 10 bash -c "[ \"\$(machined-ext-oci state $id | jq -r .status)\" = stopped ]" ||
                t_fail "not stopped after SIGKILL"
        assert_ok oci delete $id

        # Without a unit of its own, only the leader can be signalled.
        id=ocim-cgfs
        ocim_bundle $id /bin/sh -c "$TRAPPER"
        ocim_run $id --cgroup-manager cgroupfs
        out=$(assert_error org.freedesktop.DBus.Error.NotSupported KillMachine string:$id string:all int32:10)
        assert_match "no unit" "$out" "KillMachine all without a unit"
        assert_ok machinectl-ext kill --kill-whom=leader --signal=SIGUSR1 $id
        wait_until 10 test -s "$MACHINES_DIR/$id/out/usr1" || t_fail "the leader did not see SIGUSR1"
        assert_ok oci delete --force $id
}

test_status_show() {
        local id=ocim-status pid out
        ocim_bundle $id /bin/sh -c "$TRAPPER"
        ocim_run $id
        pid=$(oci state $id | jq -r .pid)
        out=$(machinectl-ext status $id) || t_fail "machinectl-ext status failed: $out"
        assert_match "State: running" "$out" "status"
        assert_match "Leader: $pid" "$out" "status"
        assert_match "Unit: machined-ext-oci-ocim.x2dstatus.scope" "$out" "status"
        assert_eq "machined-ext-oci-$(systemd-escape $id).scope" "$(machinectl-ext show -p Unit --value $id)" \
                "show Unit"
        assert_no_match "Boot:" "$out" "status of a container without Boot"
        assert_eq $id "$(machinectl-ext show -p Name --value $id)" "show Name"
        assert_eq $pid "$(machinectl-ext show -p Leader --value $id)" "show Leader"
        assert_eq "$MACHINES_DIR/$id/rootfs" "$(machinectl-ext show -p RootDirectory --value $id)" "show RootDirectory"
        assert_eq running "$(machinectl-ext show --json=short $id | jq -r .State)" "show --json State"
        assert_ok oci pause $id
        assert_eq paused "$(machinectl-ext show -p State --value $id)" "State of a paused container"
        assert_ok oci resume $id
        assert_ok oci delete --force $id
        out=$(machinectl-ext status $id 2>&1) && t_fail "status of a deleted container succeeded"
        assert_match "not running|No such machine" "$out" "status of a deleted container"
        # A created container that is paused is paused for the daemon too, as for the CLI's state.
        oci create --bundle "$MACHINES_DIR/$id" $id >"$T_TMP/create.out" 2>&1 </dev/null ||
                t_fail "create failed: $(tail -3 "$T_TMP/create.out")"
        assert_ok oci pause $id
        assert_eq "paused paused" "$(oci state $id | jq -r .status) $(machinectl-ext show -p State --value $id)" \
                "the state of a paused created container, for the CLI and the daemon"
        assert_ok oci resume $id
        assert_eq created "$(oci state $id | jq -r .status)" "the CLI's state of it once resumed"
        assert_ok oci delete --force $id
}

test_unknown_corrupt() {
        local id=ocim-corrupt out
        out=$(assert_error org.machinedext1.NoSuchMachine GetMachine string:ocim-nope)
        assert_match "ocim-nope" "$out" "GetMachine of an unknown name"
        assert_error org.machinedext1.NoSuchMachine StopMachine string:ocim-nope >/dev/null
        assert_error org.machinedext1.NoSuchMachine KillMachine string:ocim-nope string:leader int32:10 >/dev/null
        # An ID that is a valid container ID but no machine name (65 characters, '_'), unknown: InvalidArgs,
        # and machinectl-ext says why as for any invalid name.
        assert_error org.freedesktop.DBus.Error.InvalidArgs GetMachine string:"$(printf 'a%.0s' $(seq 65))" >/dev/null
        assert_error org.freedesktop.DBus.Error.InvalidArgs StopMachine string:ocim_nope >/dev/null
        out=$(machinectl-ext status ocim_nope 2>&1) && t_fail "status of an unknown ID succeeded"
        assert_match "^Invalid machine name 'ocim_nope'" "$out" "machinectl-ext status of an unknown ID"
        assert_error org.freedesktop.DBus.Error.InvalidArgs GetMachine string:../x >/dev/null
        out=$(machinectl-ext stop ocim-nope 2>&1) && t_fail "machinectl-ext stop of an unknown name succeeded"
        assert_match "ocim-nope" "$out" "machinectl-ext stop of an unknown name"

        # A corrupt state file: a clear error naming it, no crash, the file left to the CLI.
        mkdir -p "$OCI_ROOT/$id"
        echo '{"id": "ocim-corrupt", "status": "running", "pid": "1"' >"$OCI_ROOT/$id/state.json"
        out=$(assert_error org.machinedext1.NoSuchMachine StopMachine string:$id)
        assert_match "$OCI_ROOT/$id/state.json" "$out" "StopMachine with a corrupt state file"
        out=$(machinectl-ext status $id 2>&1) && t_fail "status with a corrupt state file succeeded"
        assert_match "state.json.*invalid" "$out" "machinectl-ext status with a corrupt state file"
        # A valid file that says "running" with PID 1 and a made-up identity: not our leader, never signalled.
        jq -n '{ociVersion: "1.0.2", id: "ocim-corrupt", status: "running", pid: 1, pidfdInode: 1, startTime: 1}' \
                >"$OCI_ROOT/$id/state.json"
        assert_error org.machinedext1.NoSuchMachine KillMachine string:$id string:leader int32:10 >/dev/null
        mx ListMachines >/dev/null || t_fail "the daemon is gone"
        [ -e "$OCI_ROOT/$id/state.json" ] || t_fail "the daemon removed the state file"
}

# busctl tree and introspection list the object of each container with a live leader, as they list machines.
test_bus_tree() {
        local id=ocim-tree path=/org/machinedext1/oci/ocim_2dtree out
        ocim_bundle $id /bin/sh -c "$TRAPPER"
        ocim_run $id
        out=$(busctl tree --list "$BUS_NAME") || t_fail "busctl tree failed: $out"
        grep -qxF "$path" <<<"$out" || t_fail "busctl tree does not list $path: $(tr '\n' ' ' <<<"$out")"
        out=$(busctl introspect --xml-interface "$BUS_NAME" /org/machinedext1/oci) ||
                t_fail "introspection of /org/machinedext1/oci failed: $out"
        assert_match '<node name="ocim_2dtree"/>' "$out" "the child nodes of /org/machinedext1/oci"
        out=$(busctl introspect "$BUS_NAME" $path org.machinedext1.Machine) ||
                t_fail "introspection of $path failed: $out"
        assert_match '\.Stop +method' "$out" "introspection of $path"
        assert_match '\.Name +property +s +"ocim-tree"' "$out" "introspection of $path"
        # Unprivileged callers see the tree too (introspection is allowed to everyone).
        out=$(setpriv --reuid=65534 --regid=65534 --clear-groups busctl tree --list "$BUS_NAME" 2>&1) ||
                t_fail "unprivileged busctl tree failed: $out"
        assert_match "$path" "$out" "unprivileged busctl tree"

        # A stopped container has no object: gone from the tree, before and after delete.
        assert_ok oci kill $id KILL
        wait_until 10 bash -c "[ \"\$(machined-ext-oci state $id | jq -r .status)\" = stopped ]" ||
                t_fail "not stopped after kill"
        assert_no_match "$path" "$(busctl tree --list "$BUS_NAME")" "busctl tree after the leader's exit"
        assert_ok oci delete $id
        assert_no_match "$path" "$(busctl tree --list "$BUS_NAME")" "busctl tree after delete"
        assert_no_match "<node name=\"ocim_2dtree\"/>" \
                "$(busctl introspect --xml-interface "$BUS_NAME" /org/machinedext1/oci)" "child nodes after delete"
}

# Whether process $1 is gone or a zombie (killed, not reaped yet).
leader_dead() {
        local st
        st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
        [ -z "$st" ] || [ "$st" = Z ]
}

ms_since() {
        echo $((($(date +%s%N) - $1) / 1000000))
}

# restart_daemon KIND: "restart" (systemctl restart), "kill9" (systemd restarts it); returns once a new
# instance answers.
restart_daemon() {
        local old
        old=$(mx_daemon_pid)
        systemctl reset-failed machined-ext.service 2>/dev/null || :
        case $1 in
        restart) systemctl restart machined-ext.service || t_fail "systemctl restart failed" ;;
        kill9) kill -9 "$old" ;;
        esac
        wait_until 20 sh -c "m=\$(systemctl show -p MainPID --value machined-ext.service); [ -n \"\$m\" ] && [ \"\$m\" != 0 ] && [ \"\$m\" != $old ]" ||
                t_fail "machined-ext did not come back after $1"
        wait_until 10 mx ListMachines || t_fail "the new machined-ext does not answer after $1"
}

# A stop under way (SIGTERM sent, SIGKILL due after the stop timeout) survives a restart of the daemon: the
# next instance says "stopping" and sends the SIGKILL at the recorded deadline, not a whole stop timeout after
# its own start; a deadline that passed while no daemon ran is a SIGKILL at once. Each time the record goes
# with the container; corrupt records are removed, and do not stop the daemon.
test_stop_restart() {
        local id=ocim-restart path=/org/machinedext1/oci/ocim_2drestart timeout=10 kind pid t0 dt cursor out left
        set_stop_timeout ${timeout}s
        for kind in restart kill9 late; do
                rm -rf --one-file-system "${MACHINES_DIR:?}/$id"
                ocim_bundle $id /bin/sh -c 'echo >/out/ready; exec sleep 1000'     # PID 1 ignores SIGTERM
                ocim_run $id
                if [ $kind = restart ]; then
                        ocim_bundle ocim-other /bin/sh -c "$TRAPPER"
                        ocim_run ocim-other
                fi
                pid=$(oci state $id | jq -r .pid)
                t0=$(date +%s%N)
                assert_ok mx StopMachine s $id
                [ -e "$STOP_RECORDS/$id/state.json" ] || t_fail "$kind: no record of the stop in $STOP_RECORDS"
                cursor=$(j_mark)
                if [ $kind = restart ]; then
                        # Records that cannot be trusted: not JSON, and one without the stop's times.
                        mkdir -p "$STOP_RECORDS/ocim-bogus" "$STOP_RECORDS/ocim-nofacts"
                        echo '{"id": "ocim-bogus", "status":' >"$STOP_RECORDS/ocim-bogus/state.json"
                        jq '.id = "ocim-nofacts" | del(.daemon)' "$STOP_RECORDS/$id/state.json" \
                                >"$STOP_RECORDS/ocim-nofacts/state.json" || t_fail "cannot write a record"
                        # A record of ocim-other whose leader lives but is not ocim-other's (another run of
                        # the ID): ocim-other is not signalled.
                        mkdir -p "$STOP_RECORDS/ocim-other"
                        jq '.id = "ocim-other"' "$STOP_RECORDS/$id/state.json" \
                                >"$STOP_RECORDS/ocim-other/state.json" || t_fail "cannot write a record"
                fi
                if [ $kind = late ]; then
                        # The daemon is down past the deadline: nobody kills the leader until it is back.
                        systemctl stop machined-ext.service || t_fail "systemctl stop failed"
                        sleep $((timeout + 1))
                        leader_dead $pid && t_fail "late: the leader died while no daemon ran"
                        t0=$(date +%s%N)
                        systemctl start machined-ext.service || t_fail "systemctl start failed"
                        wait_until 10 leader_dead $pid ||
                                t_fail "late: no SIGKILL from the new instance (deadline passed while it was down)"
                        dt=$(ms_since $t0)
                        [ $dt -lt 5000 ] || t_fail "late: SIGKILL only $dt ms after the start, not at once"
                        assert_journal "$cursor" "passed while the daemon was not running, sending SIGKILL"
                else
                        left=$((3000 - $(ms_since $t0)))    # the restart ~3 s into the stop
                        [ $left -le 0 ] || sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
                        restart_daemon $kind
                        [ $(ms_since $t0) -lt $((timeout * 1000 - 1000)) ] ||
                                t_fail "$kind: the restart took too long to check the stop under way"
                        assert_eq 's "stopping"' "$(busctl get-property "$BUS_NAME" $path org.machinedext1.Machine State)" \
                                "$kind: State after the restart"
                        out=$(machinectl-ext status $id) || t_fail "$kind: machinectl-ext status failed: $out"
                        assert_match "State: stopping" "$out" "$kind: machinectl-ext status after the restart"
                        leader_dead $pid && t_fail "$kind: the leader died before the deadline"
                        # machinectl-ext stop of a stop under way: the same deadline, it waits for the end.
                        assert_ok machinectl-ext stop $id
                        wait_until 5 leader_dead $pid || t_fail "$kind: the leader lives after machinectl-ext stop"
                        dt=$(ms_since $t0)
                        echo "$kind: SIGKILL $dt ms after StopMachine (stop timeout ${timeout} s)"
                        [ $dt -ge $((timeout * 1000 - 300)) ] || t_fail "$kind: SIGKILL after $dt ms, before the deadline"
                        # Not a whole stop timeout after the new instance's start (3 s later).
                        [ $dt -lt $((timeout * 1000 + 2500)) ] || t_fail "$kind: SIGKILL after $dt ms, not at the deadline"
                        assert_journal "$cursor" "resumed the stop of a previous instance"
                fi
                assert_eq stopped "$(oci_status $id)" "$kind: status after the SIGKILL"
                wait_until 5 test ! -e "$STOP_RECORDS/$id" || t_fail "$kind: the record outlived the container"
                if [ $kind = restart ]; then
                        [ -e "$STOP_RECORDS/ocim-bogus" ] && t_fail "the corrupt record was not removed"
                        [ -e "$STOP_RECORDS/ocim-nofacts" ] && t_fail "the record without times was not removed"
                        assert_journal "$cursor" "no stopTimestampMonotonic"
                        [ -e "$STOP_RECORDS/ocim-other" ] && t_fail "the record of another run was not removed"
                        assert_journal "$cursor" "ocim-other: its leader is not the one whose stop was recorded"
                        [ -e "$MACHINES_DIR/ocim-other/out/term" ] && t_fail "ocim-other was signalled"
                        assert_eq running "$(oci_status ocim-other)" "ocim-other after the restart"
                        assert_eq 's "running"' "$(busctl get-property "$BUS_NAME" /org/machinedext1/oci/ocim_2dother \
                                org.machinedext1.Machine State)" "State of ocim-other after the restart"
                        assert_ok oci delete --force ocim-other
                fi
                assert_ok oci delete $id
        done
        mx ListMachines >/dev/null || t_fail "the daemon is gone"
}

pod() {
        timeout 60 podman --runtime "$RUNTIME" --storage-driver vfs "$@"
}

test_podman_stop() {
        local root=$MACHINES_DIR/ocim-pod-root id
        command -v podman >/dev/null || t_fail "podman is not installed (tools/install-deps.sh installs it)"
        mx_root ocim-pod-root "$root"
        id=$(pod run -d --name ocim-pod --pids-limit=0 --network none --rootfs "$root" \
                /bin/sh -c 'trap "exit 0" TERM; while :; do sleep 1; done' </dev/null) ||
                t_fail "podman run -d failed: $id"
        wait_until 10 machinectl-ext status "$id" || t_fail "machinectl-ext status $id failed"
        assert_ok machinectl-ext stop "$id"
        wait_until 10 bash -c "timeout 60 podman --runtime $RUNTIME --storage-driver vfs ps -a --filter name=ocim-pod \
                --format '{{.Status}}' | grep -q Exited" ||
                t_fail "podman does not see the exit: $(pod ps -a --filter name=ocim-pod --format '{{.Status}}')"
        assert_ok pod rm ocim-pod
        [ -e "$OCI_ROOT/$id" ] && t_fail "$OCI_ROOT/$id is still there after podman rm"
        return 0
}

t_preflight || exit 1
[ -n "$RUNTIME" ] || { echo "machined-ext-oci is not installed" >&2; exit 1; }
ocim_cleanup
run_test oci-machine-stop-busctl test_stop_busctl
ocim_cleanup
run_test oci-machine-stop-cli test_stop_cli
restore_stop_timeout
ocim_cleanup
run_test oci-machine-kill test_kill
ocim_cleanup
run_test oci-machine-status-show test_status_show
ocim_cleanup
run_test oci-machine-unknown-corrupt test_unknown_corrupt
ocim_cleanup
run_test oci-machine-bus-tree test_bus_tree
ocim_cleanup
T_TIMEOUT=150 run_test oci-machine-stop-restart test_stop_restart
restore_stop_timeout
ocim_cleanup
run_test oci-machine-podman-stop test_podman_stop
timeout 30 podman --runtime "$RUNTIME" --storage-driver vfs rm -f ocim-pod >/dev/null 2>&1
ocim_cleanup

t_summary
