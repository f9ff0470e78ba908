#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The cuts of issue #17 in machined-ext-oci's run and exec paths, checked on the system calls they make
# (strace), not on timings: what a cut removed must stay removed.

set -u
. "$(dirname "$0")/lib.sh"

OCI_ROOT=/run/mxtest-oci-perf
OCI=(machined-ext-oci --root "$OCI_ROOT")

oci() {
        "${OCI[@]}" "$@"
}

perf_run_test() {
        run_test "$@"
        oci_delete_all "$OCI_ROOT"
}

# exec joins the container's cgroup by being cloned into it (clone3 CLONE_INTO_CGROUP), not by a write to
# cgroup.procs afterwards: that migration waited for an RCU grace period, 10-20 ms of every exec; and it is
# cloned once, in the container's PID namespace, without a helper. The process still ends up in the
# container's cgroup and namespaces (test-oci-cli's oci-cli-exec compares them with the init's).
test_exec_into_cgroup() {
        local id=operf-exec tr=$T_TMP/exec.strace out
        command -v strace >/dev/null || skip "no strace"
        oci_bundle $id /bin/sleep 1000
        oci run --detach --bundle "$MACHINES_DIR/$id" $id </dev/null >/dev/null 2>&1 || t_fail "run --detach failed"
        out=$(t_strace -f -qq -e trace=clone3,openat,open -o "$tr" "${OCI[@]}" exec $id /bin/echo joined </dev/null 2>&1) ||
                t_fail "exec failed: $out"
        assert_eq joined "$out" "output of exec"
        grep -q 'clone3(.*CLONE_INTO_CGROUP' "$tr" ||
                t_fail "no clone3(CLONE_INTO_CGROUP) in exec: $(grep clone3 "$tr" | head -3)"
        ! grep 'cgroup.procs' "$tr" || t_fail "exec opened a cgroup.procs (a migration)"
        # One process made, the one that execs: no helper that joins and forks.
        assert_eq 1 "$(grep -c 'clone3(' "$tr")" "processes cloned by exec"
        assert_ok oci delete --force $id
}

# run overlaps its bus handshakes with the init's set-up: both connections (systemd's private socket, the
# system bus for systemd-machined) are made before the init is cloned, and RegisterMachine goes out as soon as
# the scope's job is done, not after the set-up; it reads and parses config.json once (the poststop hooks use
# that) and writes the state directory's copy of it.
# The machine is registered and in its scope all the same (test-oci-cli, test-oci-machines).
test_run_pipelined() {
        local id=operf-run tr=$T_TMP/run.strace out first_clone first_bus first_systemd n
        command -v strace >/dev/null || skip "no strace"
        oci_bundle $id /bin/echo ran
        out=$(t_strace -f -qq -s 64 -e trace=clone3,connect,openat -o "$tr" "${OCI[@]}" run --bundle "$MACHINES_DIR/$id" $id \
                </dev/null 2>&1) || t_fail "run failed: $out"
        assert_eq ran "$out" "output of run"
        first_clone=$(grep -n 'clone3(' "$tr" | head -1 | cut -d: -f1)
        first_bus=$(grep -n 'connect(.*system_bus_socket' "$tr" | head -1 | cut -d: -f1)
        first_systemd=$(grep -n 'connect(.*/run/systemd/private' "$tr" | head -1 | cut -d: -f1)
        [ -n "$first_clone" ] && [ -n "$first_bus" ] || t_fail "no clone3 or no system bus connection: $(grep -E 'clone3|connect' "$tr")"
        [ "$first_bus" -lt "$first_clone" ] || t_fail "the system bus was connected after the init's clone"
        if [ -S /run/systemd/private ]; then
                [ -n "$first_systemd" ] && [ "$first_systemd" -lt "$first_clone" ] ||
                        t_fail "systemd's private socket was not connected before the init's clone"
        fi
        n=$(grep 'open.*config\.json"' "$tr" | grep -c O_RDONLY)
        assert_eq 1 "$n" "opens of config.json by run, to read it"
        # ... and one more to write the state directory's copy (exec and the hooks read that later).
        n=$(grep 'open.*config\.json"' "$tr" | grep -c 'O_WRONLY|O_CREAT|O_EXCL')
        assert_eq 1 "$n" "opens of config.json by run, to copy it"
        machinectl show $id >/dev/null 2>&1 && t_fail "$id is still registered"
        return 0
}

perf_run_test oci-perf-exec-into-cgroup test_exec_into_cgroup
perf_run_test oci-perf-run-pipelined test_run_pipelined

t_summary
