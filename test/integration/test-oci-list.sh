#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Issue #13: the containers of machined-ext-oci under its default root (/run/machined-ext-oci) are listed by
# the daemon (ListOCIContainers) and by `machinectl-ext list`, with the class "oci"; their state files are
# validated like every state file, so a corrupt one is not listed and breaks nothing.

set -u
. "$(dirname "$0")/lib.sh"

OCI_ROOT=/run/machined-ext-oci          # the default root: the only one the daemon reads
OCI_IDS=(oci-listed oci-corrupt oci-latin)

oci() {
        machined-ext-oci "$@"
}

ocil_cleanup() {
        local id
        for id in "${OCI_IDS[@]}"; do
                [ -d "$OCI_ROOT/$id" ] && timeout 20 machined-ext-oci delete --force "$id" >/dev/null 2>&1
                rm -rf "${OCI_ROOT:?}/$id"
        done
        return 0
}

test_list() {
        local out
        oci_bundle oci-listed /bin/sleep 1000
        oci run --detach --bundle "$MACHINES_DIR/oci-listed" oci-listed >"$T_TMP/run.out" 2>&1 </dev/null ||
                t_fail "run --detach failed: $(tail -3 "$T_TMP/run.out")"
        assert_eq running "$(oci state oci-listed | jq -r .status)" "state after run --detach"

        out=$(machinectl-ext list --no-legend) || t_fail "machinectl-ext list failed"
        echo "$out" | grep -Eq '^oci-listed +oci +running +[0-9]+ ' ||
                t_fail "list does not show oci-listed, class oci, running: $out"
        out=$(machinectl-ext list --json=short) || t_fail "machinectl-ext list --json failed"
        assert_eq "oci running" "$(echo "$out" | jq -r '.[] | select(.name == "oci-listed") | "\(.class) \(.state)"')" \
                "list --json"
        assert_eq "$(oci state oci-listed | jq -r .pid)" \
                "$(echo "$out" | jq -r '.[] | select(.name == "oci-listed") | .leader')" "leader in list --json"

        # The leader gone: listed as stopped, as `state` says, with no leader.
        assert_ok oci kill oci-listed KILL
        for _ in $(seq 50); do
                [ "$(oci state oci-listed | jq -r .status)" = stopped ] && break
                sleep 0.1
        done
        out=$(machinectl-ext list --json=short) || t_fail "machinectl-ext list --json failed"
        assert_eq "stopped null" "$(echo "$out" | jq -r '.[] | select(.name == "oci-listed") | "\(.state) \(.leader)"')" \
                "list --json after kill"

        assert_ok oci delete oci-listed
        out=$(machinectl-ext list --json=short) || t_fail "machinectl-ext list --json failed"
        assert_eq "" "$(echo "$out" | jq -r '.[] | select(.name == "oci-listed") | .name')" "listed after delete"
}

test_corrupt() {
        local out
        mkdir -p "$OCI_ROOT/oci-corrupt"
        echo '{"id": "oci-corrupt", "status": "running", "pid": "1"' >"$OCI_ROOT/oci-corrupt/state.json"
        out=$(busctl --json=short call org.machinedext1 /org/machinedext1 org.machinedext1.Manager \
                ListOCIContainers) || t_fail "ListOCIContainers failed"
        assert_eq 0 "$(echo "$out" | jq '[.data[0][] | select(.[0] == "oci-corrupt")] | length')" \
                "corrupt entry in ListOCIContainers"
        out=$(machinectl-ext list --json=short) || t_fail "machinectl-ext list failed with a corrupt state file"
        assert_eq "" "$(echo "$out" | jq -r '.[] | select(.name == "oci-corrupt") | .name')" "corrupt entry listed"
        busctl call org.machinedext1 /org/machinedext1 org.machinedext1.Manager ListMachines >/dev/null ||
                t_fail "ListMachines failed with a corrupt OCI state file"
        # The daemon only reads: the CLI's directory is left to the CLI.
        [ -e "$OCI_ROOT/oci-corrupt/state.json" ] || t_fail "the daemon removed the corrupt state file"
}

# A bundle whose path is not UTF-8 (runc takes any bytes): the container's state file (JSON, read back by
# state, kill, delete only if it is UTF-8) cannot keep it, so create refuses it, with any cgroup manager and
# also through a symlink with a UTF-8 name; nothing is left, and listing still works.
test_latin1_bundle() {
        local b=$MACHINES_DIR/oci-caf$'\351' out how
        oci_bundle oci-latin /bin/sleep 1000
        rm -rf "$b"
        mv "$MACHINES_DIR/oci-latin" "$b"
        echo "$b" >>"$T_TMP/dirs"
        ln -sfn "$b" "$MACHINES_DIR/oci-latin-link"
        echo "$MACHINES_DIR/oci-latin-link" >>"$T_TMP/dirs"
        for how in "--systemd-cgroup run --bundle $b" "--cgroup-manager=cgroupfs run --bundle $b" \
                   "--cgroup-manager=cgroupfs run --bundle $MACHINES_DIR/oci-latin-link"; do
                # shellcheck disable=SC2086 # the words of $how
                out=$(oci $how --detach oci-latin 2>&1 </dev/null) && t_fail "$how: a bundle that is not UTF-8 was taken"
                assert_match "--bundle .*: not a UTF-8 path without control characters" "$out" "$how: the error"
                oci state oci-latin >/dev/null 2>&1 && t_fail "$how: oci-latin is left after the failed run"
                [ ! -e "$OCI_ROOT/oci-latin" ] || t_fail "$how: a state directory is left"
        done
        busctl call org.machinedext1 /org/machinedext1 org.machinedext1.Manager ListOCIContainers >/dev/null ||
                t_fail "ListOCIContainers failed"
        rm -rf "$b" "$MACHINES_DIR/oci-latin-link"
}

t_preflight || exit 1
command -v machined-ext-oci >/dev/null || { echo "machined-ext-oci is not installed" >&2; exit 1; }
ocil_cleanup
run_test oci-list test_list
ocil_cleanup
run_test oci-list-corrupt test_corrupt
ocil_cleanup
run_test oci-list-latin1-bundle test_latin1_bundle
ocil_cleanup

t_summary
