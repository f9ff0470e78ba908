#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# OCI linux.namespaces[].path through the daemon (StartMachineFromBundle, docs/oci.md "Namespaces"): a holder
# process makes the namespaces (unshare(1)), a bundle joins them by path, and the payload is in them: same
# namespace inode, for pid the holder's processes and a PID other than 1 (and it dies with the namespace's
# init), for user the holder's uid_map. Paths that are not a namespace of that type, or missing, are refused
# with the JSON path, and nothing is left (no scope, no registration, no state file).

set -u
. "$(dirname "$0")/lib.sh"

STATE_DIR=/run/machined-ext/machines

# ns_bundle NAME NAMESPACES-JSON [LINUX-EXTRA-JSON]: a busybox bundle whose payload reports to /tmp/r.txt and
# sleeps, with linux.namespaces NAMESPACES-JSON.
ns_bundle() {
        local b=$MACHINES_DIR/$1
        mx_root "$1" "$b/rootfs"
        cat >"$b/config.json" <<EOF
{ "ociVersion": "1.0.0", "root": { "path": "rootfs" },
  "process": { "cwd": "/", "args": [ "/usr/bin/testpayload", "sleep", "1000", "--report", "/tmp/r.txt" ],
               "user": { "uid": 0, "gid": 0 },
               "capabilities": { "bounding": [ "CAP_KILL" ], "effective": [ "CAP_KILL" ], "permitted": [ "CAP_KILL" ] } },
  "linux": { "namespaces": [ $2 ] ${3:+, $3} } }
EOF
}

# holder UNSHARE-ARGS...: starts `unshare ARGS sleep inf` in the background (killed when the test ends:
# kill_holders) and prints the pid of the sleep, the process in the new namespaces.
has_children() { [ -n "$(cat /proc/$1/task/$1/children 2>/dev/null)" ]; }
runs() { [ "$(readlink /proc/$1/exe 2>/dev/null)" = "$2" ]; }
holder() {
        local p c sleep_exe
        sleep_exe=$(readlink -f "$(command -v sleep)")
        unshare "$@" sleep inf </dev/null >/dev/null 2>&1 &
        p=$!
        echo "$p" >>"$T_TMP/holders"
        if [[ " $* " == *" --fork "* ]]; then
                wait_until 5 has_children $p || t_fail "unshare $* did not fork"
                c=$(cat /proc/$p/task/$p/children)
                p=${c%% *}
        fi
        wait_until 5 runs $p "$sleep_exe" || t_fail "unshare $* did not start"
        echo "$p"
}
kill_holders() {
        local p
        for p in $(cat "$T_TMP/holders" 2>/dev/null); do
                kill_tree "$p"
        done
        rm -f "$T_TMP/holders"
}

# The state a refused start must not leave: no scope, no registration, no machine, no state file.
assert_nothing_left() {  # NAME
        assert_gone "$1" "$MACHINES_DIR/$1/rootfs"
        mx_gone "$1" || t_fail "$1 is still a machine of the daemon"
        [ ! -e "$STATE_DIR/$1" ] || t_fail "state of $1 left in $STATE_DIR/$1"
}

# pid by path: the payload is in the holder's PID namespace, not its PID 1, sees the holder's processes; the
# daemon's leader is the payload (its scope, its pidfd); when the namespace's init dies, so does the machine.
test_join_pid() {
        local n=mxns-pid b h rep leader unit
        trap kill_holders EXIT
        h=$(holder --pid --fork --mount-proc)
        ns_bundle $n "{ \"type\": \"pid\", \"path\": \"/proc/$h/ns/pid\" }, { \"type\": \"mount\" }"
        b=$MACHINES_DIR/$n
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        rep=$(tmp_report $n)
        leader=$(leader_of $n)
        assert_eq "$(readlink /proc/$h/ns/pid)" "$(readlink /proc/$leader/ns/pid)" "the payload's PID namespace"
        assert_ne 1 "$(report_get "$rep" pid)" "the payload's PID inside"
        assert_eq "$(report_get "$rep" pid)" "$(awk '/^NSpid:/ { print $NF }' /proc/$leader/status)" \
                "the leader is the payload"
        assert_eq sleep "$(cat /proc/$leader/root/proc/1/comm)" "PID 1 of the payload's /proc is the holder's"
        unit=$(scope_of $n)
        grep -qx "$leader" "/sys/fs/cgroup$(systemctl show -P ControlGroup "$unit")/cgroup.procs" ||
                t_fail "the leader $leader is not in $unit"
        machinectl show -p Leader --value $n | grep -qx "$leader" || t_fail "machined's leader is not $leader"

        # The namespace's init goes: the kernel kills the payload, the machine is gone.
        kill -9 "$h"
        wait_until 15 mx_gone $n || t_fail "$n still there after its PID namespace ended"
        wait_until 10 bash -c "! systemctl is-active -q $unit" || t_fail "$unit is still active"
        [ ! -e "$STATE_DIR/$n" ] || t_fail "state of $n left after the exit"
        return 0
}

# user by path: the payload is in the holder's user namespace, with its uid_map, root in it; no map of ours.
# uidMappings with a joined user namespace are refused, naming both.
test_join_user() {
        local n=mxns-user b h rep leader out
        trap kill_holders EXIT
        h=$(holder --user --map-root-user)
        ns_bundle $n "{ \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"user\", \"path\": \"/proc/$h/ns/user\" }"
        b=$MACHINES_DIR/$n
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        rep=$(tmp_report $n)
        leader=$(leader_of $n)
        assert_eq "$(readlink /proc/$h/ns/user)" "$(readlink /proc/$leader/ns/user)" "the payload's user namespace"
        assert_eq "$(cat /proc/$h/uid_map)" "$(cat /proc/$leader/uid_map)" "the payload's uid_map"
        assert_ne "$(cat /proc/self/uid_map)" "$(cat /proc/$leader/uid_map)" "not the host's uid_map"
        assert_eq 0 "$(report_get "$rep" uid)" "root in the joined user namespace"
        mx StopMachine s $n >/dev/null || t_fail "StopMachine failed"

        ns_bundle $n "{ \"type\": \"pid\" }, { \"type\": \"mount\" }, { \"type\": \"user\", \"path\": \"/proc/$h/ns/user\" }" \
                '"uidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ], "gidMappings": [ { "containerID": 0, "hostID": 100000, "size": 65536 } ]'
        out=$(assert_error org.machinedext1.InvalidSettings StartMachineFromBundle string:$n string:"$b")
        assert_match "linux.uidMappings: ID mappings cannot be written for a joined user namespace \(linux.namespaces\[2\].path\)" \
                "$out" "message"
        assert_nothing_left $n
        return 0
}

# mount and cgroup by path: the root file system is set up in the joined mount namespace (runc's semantics);
# the payload's cgroup namespace is the holder's.
test_join_mount_cgroup() {
        local n=mxns-mnt b h rep leader
        trap kill_holders EXIT
        h=$(holder --mount --cgroup --propagation private)
        ns_bundle $n "{ \"type\": \"pid\" }, { \"type\": \"mount\", \"path\": \"/proc/$h/ns/mnt\" }, { \"type\": \"cgroup\", \"path\": \"/proc/$h/ns/cgroup\" }"
        b=$MACHINES_DIR/$n
        mx StartMachineFromBundle ss $n "$b" >/dev/null || t_fail "StartMachineFromBundle failed"
        rep=$(tmp_report $n)
        leader=$(leader_of $n)
        assert_eq "$(readlink /proc/$h/ns/mnt)" "$(readlink /proc/$leader/ns/mnt)" "the payload's mount namespace"
        assert_eq "$(readlink /proc/$h/ns/cgroup)" "$(readlink /proc/$leader/ns/cgroup)" "the payload's cgroup namespace"
        assert_ne "$(readlink /proc/self/ns/cgroup)" "$(readlink /proc/$leader/ns/cgroup)" "not the host's cgroup namespace"
        [ -x /proc/$leader/root/usr/bin/testpayload ] || t_fail "the payload's root is not the bundle's rootfs"
        mx StopMachine s $n >/dev/null || t_fail "StopMachine failed"
        return 0
}

# A path that is not a namespace of its type, or missing: SetupFailed naming linux.namespaces[i].path, and
# nothing left.
test_join_refused() {
        local n=mxns-bad b out
        ns_bundle $n '{ "type": "pid", "path": "/proc/1/ns/net" }, { "type": "mount" }'
        b=$MACHINES_DIR/$n
        out=$(assert_error org.machinedext1.SetupFailed StartMachineFromBundle string:$n string:"$b")
        assert_match "linux.namespaces\[0\].path: /proc/1/ns/net is not a pid namespace" "$out" "message (wrong type)"
        assert_nothing_left $n

        ns_bundle $n '{ "type": "pid" }, { "type": "mount" }, { "type": "network", "path": "/etc/hostname" }'
        out=$(assert_error org.machinedext1.SetupFailed StartMachineFromBundle string:$n string:"$b")
        assert_match "linux.namespaces\[2\].path: /etc/hostname is not a network namespace" "$out" "message (a file)"
        assert_nothing_left $n

        ns_bundle $n '{ "type": "pid" }, { "type": "mount" }, { "type": "user", "path": "/run/mxns-no-such-ns" }'
        out=$(assert_error org.machinedext1.SetupFailed StartMachineFromBundle string:$n string:"$b")
        assert_match "linux.namespaces\[2\].path: cannot open /run/mxns-no-such-ns: No such file" "$out" "message (missing)"
        assert_nothing_left $n
        return 0
}

run_test oci-join-pid test_join_pid
run_test oci-join-user test_join_user
run_test oci-join-mount-cgroup test_join_mount_cgroup
run_test oci-join-refused test_join_refused
t_summary
