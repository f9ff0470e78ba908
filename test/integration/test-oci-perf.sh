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

# perf_bundle ID ARG...: a bundle at /var/lib/machines/ID from `spec`, root = a busybox root, the command ARG...
perf_bundle() {
        local id=$1 b=$MACHINES_DIR/$1 args
        shift
        mx_root "$id" "$b/rootfs"
        oci spec --bundle "$b" || t_fail "spec --bundle $b failed"
        args=$(printf '%s\n' "$@" | jq -R . | jq -s .)
        jq --argjson args "$args" '.process.terminal = false | .process.args = $args' \
                "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

perf_cleanup() {
        local d
        for d in "$OCI_ROOT"/*; do
                [ -d "$d" ] && timeout 20 "${OCI[@]}" delete --force "$(basename "$d")" >/dev/null 2>&1
        done
        rm -rf "$OCI_ROOT"
}

perf_run_test() {
        run_test "$@"
        perf_cleanup
}

# exec joins the container's cgroup by being cloned into it (clone3 CLONE_INTO_CGROUP), not by a write to
# cgroup.procs afterwards: that migration waited for an RCU grace period, 10-20 ms of every exec. The process
# still ends up in the container's cgroup (test-oci-cli's oci-cli-exec compares it with the init's).
test_exec_into_cgroup() {
        local id=operf-exec tr=$T_TMP/exec.strace out
        command -v strace >/dev/null || skip "no strace"
        perf_bundle $id /bin/sleep 1000
        oci run --detach --bundle "$MACHINES_DIR/$id" $id </dev/null >/dev/null 2>&1 || t_fail "run --detach failed"
        out=$(strace -f -qq -e trace=clone3,openat,open -o "$tr" "${OCI[@]}" exec $id /bin/echo joined </dev/null 2>&1) ||
                t_fail "exec failed: $out"
        assert_eq joined "$out" "output of exec"
        grep -q 'clone3(.*CLONE_INTO_CGROUP' "$tr" ||
                t_fail "no clone3(CLONE_INTO_CGROUP) in exec: $(grep clone3 "$tr" | head -3)"
        ! grep 'cgroup.procs' "$tr" || t_fail "exec opened a cgroup.procs (a migration)"
        assert_ok oci delete --force $id
}

perf_run_test oci-perf-exec-into-cgroup test_exec_into_cgroup

t_summary
