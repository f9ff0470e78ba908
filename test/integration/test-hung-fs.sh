#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A hung file system (issue #15): BindMount of a source on a FUSE mount whose server never answers (hung-fuse.py,
# no FUSE package needed) blocks the helper that clones the source, never the daemon. The call fails with
# org.machinedext1.Timeout within 25 s, other clients are answered meanwhile, and once the connection is
# aborted nothing is left: no helper, zombie, daemon fd, staged entry or mount; the machine still runs.
# The same for a start whose OCI bundle (StartMachineFromBundle, OCIBundle=) is on such a mount: a helper reads
# it, the start fails with org.machinedext1.Timeout within 25 s and leaves nothing.
# The FUSE mount is removed in every exit path (a trap in the test, hung_cleanup after each test).

set -u
. "$(dirname "$0")/lib.sh"

SLEEP_CMD="/usr/bin/testpayload sleep inf"
HUNG=/run/mxh-hung

# hung_start [--answer-init]: mounts the FUSE server at $HUNG (its connection number in $T_TMP/hung-conn).
hung_start() {
        mkdir -p $HUNG
        : >"$T_TMP/hung-conn"
        trap hung_cleanup EXIT
        python3 "$T_REPO/test/integration/hung-fuse.py" $HUNG "$@" >"$T_TMP/hung-conn" 2>"$T_TMP/hung-err" &
        echo $! >"$T_TMP/hung-pid"
        wait_until 10 test -s "$T_TMP/hung-conn" ||
                t_fail "the FUSE server did not mount $HUNG: $(cat "$T_TMP/hung-err")"
}

# Aborts the FUSE connection: every request waiting for it fails (ENOTCONN), its waiters wake up.
hung_abort() {
        local c d=/sys/fs/fuse/connections
        c=$(cat "$T_TMP/hung-conn" 2>/dev/null)
        [ -n "$c" ] || return 0
        [ -e $d/$c ] || mountpoint -q $d || mount -t fusectl fusectl $d 2>/dev/null || true
        if [ -e $d/$c/abort ]; then
                echo 1 >$d/$c/abort
        else
                # No fusectl: closing the server's /dev/fuse aborts the connection as well.
                kill -9 "$(cat "$T_TMP/hung-pid" 2>/dev/null)" 2>/dev/null || true
        fi
}

# Every exit path: abort (so that nothing, umount included, waits for the server), kill it, unmount.
hung_cleanup() {
        local pid
        hung_abort
        pid=$(cat "$T_TMP/hung-pid" 2>/dev/null)
        if [ -n "$pid" ]; then
                kill -9 "$pid" 2>/dev/null
                wait "$pid" 2>/dev/null
        fi
        while findmnt --list --noheadings --output TARGET | grep -qxF $HUNG; do
                umount -l -c $HUNG 2>/dev/null || break
        done
        rmdir $HUNG 2>/dev/null
        rm -f "$T_TMP/hung-conn" "$T_TMP/hung-pid"
        return 0
}

# BindMountMachine NAME $HUNG/x /mnt/x in the background: its answer in $T_TMP/bind-out, its duration (ms) in
# $T_TMP/bind-ms. The caller's PID in BPID (a child of this shell, for wait).
bind_hung_async() {
        (
                s=$(date +%s%N)
                mx_error BindMountMachine string:$1 string:$HUNG/x string:/mnt/x boolean:false boolean:true \
                        >"$T_TMP/bind-out"
                echo $((($(date +%s%N) - s) / 1000000)) >"$T_TMP/bind-ms"
        ) >/dev/null 2>&1 &
        BPID=$!
}

# The helpers (children of daemon $1 outside every machine) as "PID STAT".
helpers_of() {
        local pid stat
        ps -o pid=,stat= --ppid "$1" | while read -r pid stat; do
                grep -qE '/machine-[^/]*\.scope|/container@' /proc/$pid/cgroup 2>/dev/null || echo "$pid $stat"
        done
}

# While the BindMount is pending, other clients get answers, each within 1 s (busctl's own call timeout).
assert_daemon_answers() {       # NAME
        local i
        for i in 1 2 3; do
                busctl call --timeout=1 $BUS_NAME $BUS_PATH $BUS_IFACE ListMachines >/dev/null 2>&1 ||
                        t_fail "ListMachines got no answer within 1 s while the BindMount was pending"
                busctl call --timeout=1 $BUS_NAME $BUS_PATH $BUS_IFACE GetMachine s "$1" >/dev/null 2>&1 ||
                        t_fail "GetMachine got no answer within 1 s while the BindMount was pending"
                sleep 1
        done
}

# The BindMount ended with org.machinedext1.Timeout within 25 s.
assert_bind_timed_out() {       # CALLER-PID
        local out ms
        wait "$1"
        out=$(cat "$T_TMP/bind-out") ms=$(cat "$T_TMP/bind-ms")
        assert_match "^org.machinedext1.Timeout: .*$HUNG/x" "$out" "BindMount of a source on a hung file system"
        [ "$ms" -le 25000 ] || t_fail "BindMount answered after $ms ms, more than 25 s"
        echo "BindMount answered after $ms ms: $out"
}

# A FUSE server that answers nothing, not even INIT: the helper is stuck in open_tree(), the daemon is not.
test_bind_hung_source() {
        local n=mxh-bind main fds bpid leader left
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\n"
        mx_start $n
        mx_wait_state $n running
        leader=$(leader_of $n)
        mx_baseline
        read -r main fds <"$T_TMP/baseline"
        hung_start

        bind_hung_async $n
        bpid=$BPID
        # The helper, not the daemon, is stuck (on a daemon that clones the source itself, no helper ever
        # starts and the daemon answers nobody).
        wait_until 5 eval '[ -n "$(helpers_of $main)" ]' || true
        assert_daemon_answers $n
        [ -n "$(helpers_of $main)" ] || t_fail "no bind helper was started"
        kill -0 "$bpid" 2>/dev/null || t_fail "BindMount answered before its helper could finish: $(cat "$T_TMP/bind-out")"
        assert_bind_timed_out "$bpid"
        assert_daemon_answers $n

        hung_abort
        wait_until 10 eval '[ -z "$(helpers_of $main)" ]' ||
                t_fail "helpers or zombies left after the abort: $(helpers_of $main)"
        wait_until 10 eval '[ "$(mx_daemon_fds)" -le "$fds" ]' ||
                t_fail "the daemon had $fds fds before, $(mx_daemon_fds) after"
        left=$(ls -A "$MX_PROPAGATE_DIR/$n" 2>/dev/null)
        [ -z "$left" ] || t_fail "staged entries left in $MX_PROPAGATE_DIR/$n: $left"
        left=$(grep -F -e mx-hung-fuse -e ' /mnt/x ' /proc/$leader/mountinfo)
        [ -z "$left" ] || t_fail "mounts left in the machine: $left"
        mx_state_is $n running || t_fail "the machine is $(mx_prop $n State) after the abort"
        assert_eq "$leader" "$(leader_of $n)" "the machine's leader"
        hung_cleanup

        # The same bind works once the source answers.
        mkdir -p "$T_TMP/src" && echo hello >"$T_TMP/src/f"
        assert_ok machinectl-ext bind --mkdir $n "$T_TMP/src" /mnt/ok
        assert_eq hello "$(cat /proc/$leader/root/mnt/ok/f)" "the bind after the hung one"
        mx_stop $n 30 || t_fail "stop failed"
        assert_no_leftovers $n
}

# A FUSE server that answers INIT, then reads every request and answers none: the helper waits in the kernel
# uninterruptibly (state D), SIGKILL or not. The daemon answers anyway, keeps the killed helper until it exits,
# also when its machine goes away meanwhile, and reaps it then.
test_bind_unkillable_helper() {
        local n=mxh-dstate main fds bpid cursor
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nPrivateUsers=no\n"
        mx_start $n
        mx_wait_state $n running
        mx_baseline
        read -r main fds <"$T_TMP/baseline"
        cursor=$(j_mark)
        hung_start --answer-init

        bind_hung_async $n
        bpid=$BPID
        # The helper, not the daemon, is stuck (on a daemon that clones the source itself, no helper ever
        # starts and the daemon answers nobody).
        wait_until 5 eval '[ -n "$(helpers_of $main)" ]' || true
        assert_daemon_answers $n
        [ -n "$(helpers_of $main)" ] || t_fail "no bind helper was started"
        assert_bind_timed_out "$bpid"
        # SIGKILLed, but still waiting for the file system: the daemon answered without waiting for it.
        wait_until 5 eval 'helpers_of $main | grep -q " D"' ||
                t_fail "no helper in state D after the timeout: '$(helpers_of $main)'"
        assert_daemon_answers $n

        # Its machine goes away while it is stuck: the manager keeps it.
        mx_stop $n 30 || t_fail "stop failed while the bind helper was stuck"
        helpers_of $main | grep -q " D" || t_fail "the stuck helper is gone before the abort"

        hung_abort
        wait_until 10 eval '[ -z "$(helpers_of $main)" ]' ||
                t_fail "helpers or zombies left after the abort: $(helpers_of $main)"
        assert_journal "$cursor" "the abandoned bind-mount helper for $HUNG/x has exited"
        hung_cleanup
        assert_no_leftovers $n
}

# The machine stops while the BindMount is pending: the call is answered (the machine is not running any
# more) as soon as the machine is gone, not after the 20 s, and the helper goes too.
test_bind_pending_machine_stops() {
        local n=mxh-stop main out
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nKillSignal=SIGKILL\n"
        mx_start $n
        mx_wait_state $n running
        mx_baseline
        read -r main _ <"$T_TMP/baseline"
        hung_start

        bind_hung_async $n
        wait_until 5 eval '[ -n "$(helpers_of $main)" ]' || t_fail "no bind helper was started"
        mx_stop $n 15 || t_fail "the machine did not stop while its BindMount was pending"
        wait_until 5 test -s "$T_TMP/bind-out" || t_fail "BindMount still pending after its machine is gone"
        wait "$BPID"
        out=$(cat "$T_TMP/bind-out")
        assert_match "^org.machinedext1.NoSuchMachine: Machine '$n' is not running" "$out" "BindMount whose machine stopped"
        [ "$(cat "$T_TMP/bind-ms")" -lt 20000 ] || t_fail "BindMount answered only after $(cat "$T_TMP/bind-ms") ms"
        wait_until 10 eval '[ -z "$(helpers_of $main)" ]' || t_fail "helpers left: $(helpers_of $main)"
        hung_cleanup
        assert_no_leftovers $n
}

# mx_error METHOD ARG... in the background: its answer in $T_TMP/call-out, its duration (ms) in $T_TMP/call-ms.
# The caller's PID in BPID.
call_async() {
        (
                s=$(date +%s%N)
                mx_error "$@" >"$T_TMP/call-out"
                echo $((($(date +%s%N) - s) / 1000000)) >"$T_TMP/call-ms"
        ) >/dev/null 2>&1 &
        BPID=$!
}

# A start whose OCI bundle is on the hung file system: a helper reads it, the daemon answers everybody
# meanwhile (ListMachines within 1 s each time), the start fails with org.machinedext1.Timeout within 25 s,
# and once the connection is aborted nothing is left: no machine object, scope, registration, state, helper or
# daemon fd. METHOD ARG...: the start call.
bundle_start_hung() {   # NAME WHAT METHOD ARG...
        local n=$1 what=$2 main fds bpid i out ms
        shift 2
        mx_baseline
        read -r main fds <"$T_TMP/baseline"
        hung_start

        call_async "$@"
        bpid=$BPID
        # The helper, not the daemon, is stuck (on a daemon that reads the bundle itself, no helper ever starts
        # and the daemon answers nobody).
        wait_until 5 eval '[ -n "$(helpers_of $main)" ]' || true
        for i in 1 2 3; do
                out=$(busctl call --timeout=1 $BUS_NAME $BUS_PATH $BUS_IFACE ListMachines 2>&1) ||
                        t_fail "ListMachines got no answer within 1 s while the $what was pending: $out"
                case $out in *"\"$n\""*) t_fail "the daemon lists $n while its bundle is being read: $out" ;; esac
                sleep 1
        done
        [ -n "$(helpers_of $main)" ] || t_fail "no bundle reader was started"
        kill -0 "$bpid" 2>/dev/null || t_fail "the $what answered before its reader could finish: $(cat "$T_TMP/call-out")"
        # The same name again meanwhile: the first start comes first.
        out=$(mx_error "$@")
        assert_match "^org.machinedext1.MachineExists" "$out" "a second start of $n while its bundle is read"

        wait "$bpid"
        out=$(cat "$T_TMP/call-out") ms=$(cat "$T_TMP/call-ms")
        assert_match "^org.machinedext1.Timeout: .*$HUNG/b" "$out" "the $what of a bundle on a hung file system"
        [ "$ms" -le 25000 ] || t_fail "the $what answered after $ms ms, more than 25 s"
        echo "the $what answered after $ms ms: $out"
        mx ListMachines >/dev/null || t_fail "the daemon does not answer after the timeout"

        hung_abort
        wait_until 10 eval '[ -z "$(helpers_of $main)" ]' ||
                t_fail "helpers or zombies left after the abort: $(helpers_of $main)"
        wait_until 10 eval '[ "$(mx_daemon_fds)" -le "$fds" ]' ||
                t_fail "the daemon had $fds fds before, $(mx_daemon_fds) after"
        hung_cleanup
        assert_no_leftovers $n
}

test_bundle_hung() {
        bundle_start_hung mxh-bundle StartMachineFromBundle StartMachineFromBundle string:mxh-bundle string:$HUNG/b
}

test_oci_bundle_setting_hung() {
        local n=mxh-ocibundle
        mx_settings $n "[Files]\nOCIBundle=$HUNG/b\n"
        bundle_start_hung $n "StartMachine (OCIBundle=)" StartMachine string:$n
}

# OpenShell in a machine whose /dev is a FUSE mount that never answers (attached in its mount namespace): the
# helper that joins the machine waits in its open of /dev/ptmx, the daemon does not. The call fails with
# org.machinedext1.Timeout within 25 s, others are answered meanwhile, and once the connection is aborted the
# helper is reaped: no zombie, no daemon fd; the machine still runs and stops as usual.
test_shell_hung_dev() {
        local n=mxh-shell main fds leader bpid out ms
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nPrivateUsers=no\n"
        mx_start $n
        mx_wait_state $n running
        leader=$(leader_of $n)
        mx_baseline
        read -r main fds <"$T_TMP/baseline"
        hung_start --into "$leader:/dev"

        call_async OpenMachineShell string:$n string: string: array:string: array:string:
        bpid=$BPID
        sleep 1
        assert_daemon_answers $n
        kill -0 "$bpid" 2>/dev/null || t_fail "OpenShell answered before its helper could finish: $(cat "$T_TMP/call-out")"
        wait "$bpid"
        out=$(cat "$T_TMP/call-out") ms=$(cat "$T_TMP/call-ms")
        assert_match "^org.machinedext1.Timeout: .*machine '$n'.*/dev/ptmx" "$out" "OpenShell with a hung /dev/ptmx"
        [ "$ms" -le 25000 ] || t_fail "OpenShell answered after $ms ms, more than 25 s"
        echo "OpenShell answered after $ms ms: $out"
        assert_daemon_answers $n

        hung_abort
        wait_until 10 eval '[ -z "$(mx_daemon_strays $main)" ]' ||
                t_fail "helpers or zombies left after the abort: $(mx_daemon_strays $main)"
        wait_until 10 eval '[ "$(mx_daemon_fds)" -le "$fds" ]' ||
                t_fail "the daemon had $fds fds before, $(mx_daemon_fds) after"
        mx_state_is $n running || t_fail "the machine is $(mx_prop $n State) after the abort"
        assert_eq "$leader" "$(leader_of $n)" "the machine's leader"
        mx_stop $n 30 || t_fail "stop failed"
        hung_cleanup
        assert_no_leftovers $n
}

# A machine of a bundle whose file system hangs by the time the daemon restarts: the new instance adopts it
# from the copy of its config.json in the state, never from the bundle (which would hang its start-up, and
# with it systemctl start, for good). The bundle is $HUNG itself, the FUSE mount goes over it after the start.
test_bundle_adopt_hung() {
        local n=mxh-adopt leader out
        t_track $n
        mkdir -p $HUNG
        "$T_REPO/test/mkroot.sh" $HUNG/rootfs --payload "$PAYLOAD" >/dev/null || t_fail "mkroot $HUNG/rootfs failed"
        printf '%s\n' '{ "ociVersion": "1.0.2", "root": { "path": "rootfs" },' \
                '  "process": { "cwd": "/", "args": [ "/bin/sh", "-c", "sleep 1000" ] },' \
                '  "linux": { "namespaces": [ { "type": "pid" }, { "type": "mount" } ] } }' >$HUNG/config.json
        mx StartMachineFromBundle ss $n $HUNG >/dev/null || t_fail "StartMachineFromBundle failed"
        cmp -s $HUNG/config.json $MX_STATE_ROOT/$n/config.json ||
                t_fail "the state of $n has no copy of its config.json"
        leader=$(mx_prop $n Leader)
        systemctl stop machined-ext.service || t_fail "systemctl stop failed"
        hung_start
        systemctl reset-failed machined-ext.service 2>/dev/null
        timeout 20 systemctl start machined-ext.service ||
                t_fail "machined-ext did not start within 20 s with the bundle of $n on a hung file system"
        out=$(busctl call --timeout=2 $BUS_NAME $BUS_PATH $BUS_IFACE ListMachines 2>&1) ||
                t_fail "ListMachines got no answer: $out"
        assert_match "\"$n\"" "$out" "machines listed after the restart"
        assert_eq "$leader" "$(mx_prop $n Leader)" "leader after the restart"
        mx_baseline     # the new instance's
        assert_match '^3 /bin/sh -c sleep 1000$' "$(mx_prop $n Command)" "the command, from the copy of config.json"
        hung_abort
        mx_stop $n 30 || t_fail "stop failed"
        hung_cleanup
        rm -rf --one-file-system $HUNG
        assert_no_leftovers $n
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }
if [ ! -c /dev/fuse ] || ! grep -qw fuse /proc/filesystems; then
        echo "skip hung-fs: no FUSE in this kernel"
        echo "0 passed, 0 failed, 1 skipped"
        exit 0
fi

T_TIMEOUT=120 run_test hung-fs-bind test_bind_hung_source
hung_cleanup
T_TIMEOUT=120 run_test hung-fs-bind-unkillable test_bind_unkillable_helper
hung_cleanup
T_TIMEOUT=120 run_test hung-fs-bind-machine-stops test_bind_pending_machine_stops
hung_cleanup
T_TIMEOUT=120 run_test hung-fs-bundle test_bundle_hung
hung_cleanup
T_TIMEOUT=120 run_test hung-fs-oci-bundle-setting test_oci_bundle_setting_hung
hung_cleanup
T_TIMEOUT=120 run_test hung-fs-shell test_shell_hung_dev
hung_cleanup
T_TIMEOUT=120 run_test hung-fs-bundle-adopt test_bundle_adopt_hung
hung_cleanup

t_summary
