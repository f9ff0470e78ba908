#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# machined-ext-oci driven by the container engines as users run them, unmodified (Debian's podman with
# conmon, containerd's ctr): run, run -d, exec, stop, rm, run -t (console socket), exit statuses; each
# container is a machine while it runs. podman passes its default seccomp profile (defaultAction
# SCMP_ACT_ERRNO with an allow list), which is stacked on nspawn's deny list.

set -u
. "$(dirname "$0")/lib.sh"

RUNTIME=$(command -v machined-ext-oci)
POD_OPTS=(--pids-limit=0 --network none)

pod() {
        timeout 60 podman --runtime "$RUNTIME" --storage-driver vfs "$@"
}

# The leader of podman's container NAME, as the host sees it.
podman_pid() {
        timeout 30 podman --runtime "$RUNTIME" --storage-driver vfs inspect -f '{{.State.Pid}}' "$1"
}

# OUTPUT ("tty=$(tty)", then `stat -c dev=%d` of that tty and of /dev/pts, inside) shows a pty of the
# container's own devpts: /dev/pts/N on the container's /dev/pts (the same device; the container of leader PID
# as the host sees it, if PID is not empty).
assert_pty_of() {        # PID OUTPUT WHAT
        local devs
        assert_match "^/dev/pts/[0-9]+\$" "$(echo "$2" | sed -n 's/^tty=//p')" "$3: tty(1) inside"
        devs=$(echo "$2" | sed -n 's/^dev=//p' | sort -u)
        assert_eq 1 "$(echo "$devs" | wc -l)" "$3: one devpts for the pty and /dev/pts ($devs)"
        [ -z "$1" ] || assert_eq "$(stat -c %d "/proc/$1/root/dev/pts")" "$devs" "$3: the container's /dev/pts"
}

test_podman() {
        local root=$MACHINES_DIR/pod-root out rc=0 id
        command -v podman >/dev/null || t_fail "podman is not installed (tools/install-deps.sh installs it)"
        mx_root pod-root "$root"

        assert_eq hi "$(pod run --rm "${POD_OPTS[@]}" --rootfs "$root" /bin/echo hi </dev/null 2>&1)" "podman run"
        # podman's default profile is loaded, on top of nspawn's list: two filters.
        assert_match "Seccomp_filters:[[:space:]]*2" \
                "$(pod run --rm "${POD_OPTS[@]}" --rootfs "$root" /bin/grep Seccomp_filters /proc/self/status </dev/null 2>&1)" \
                "podman's seccomp profile and nspawn's list"
        pod run --rm "${POD_OPTS[@]}" --rootfs "$root" /bin/sh -c 'exit 42' </dev/null >/dev/null 2>&1 || rc=$?
        assert_eq 42 "$rc" "exit status through podman run"

        id=$(pod run -d --name pod-d "${POD_OPTS[@]}" --rootfs "$root" /bin/sleep 1000 </dev/null) ||
                t_fail "podman run -d failed: $id"
        echo "pod-d" >>"$T_TMP/pods"
        machinectl list --no-legend | grep -q "^$id " || t_fail "$id is not in machinectl list"
        assert_eq libpod-$id.scope "$(machinectl show "$id" -p Unit --value)" "the machine's unit"
        rc=0
        out=$(pod exec pod-d /bin/sh -c 'echo in-exec; exit 3' </dev/null 2>&1) || rc=$?
        assert_eq "in-exec" "$out" "podman exec output"
        assert_eq 3 "$rc" "podman exec exit status"
        # exec -t: conmon's console socket gets a pty of the container's own devpts.
        out=$(pod exec -t pod-d /bin/sh -c 'echo "tty=$(tty)"; stat -c "dev=%d" "$(tty)" /dev/pts' </dev/null 2>&1 |
                tr -d '\r')
        assert_pty_of "$(podman_pid pod-d)" "$out" "podman exec -t"
        assert_ok pod stop -t 1 pod-d
        assert_match "Exited" "$(pod ps -a --filter name=pod-d --format '{{.Status}}')" "status after stop"
        assert_ok pod rm pod-d
        machinectl show "$id" >/dev/null 2>&1 && t_fail "$id is still registered after podman rm"

        # -t: the pty's master goes through conmon's console socket; it is a pty of the container's own devpts
        # (/dev/pts/N inside, on the container's /dev/pts).
        out=$(pod run --rm -t "${POD_OPTS[@]}" --rootfs "$root" /bin/sh -c \
                'test -t 0 && test -t 1 && echo tty-yes; echo "tty=$(tty)"; stat -c "dev=%d" "$(tty)" /dev/pts' \
                </dev/null 2>&1 | tr -d '\r')
        assert_match "tty-yes" "$out" "podman run -t"
        assert_pty_of "" "$out" "podman run -t"
}

test_containerd() {
        local root=$MACHINES_DIR/ctr-root out rc=0
        command -v ctr >/dev/null && command -v containerd >/dev/null ||
                t_fail "containerd is not installed (tools/install-deps.sh installs it)"
        mx_root ctr-root "$root"
        systemctl start containerd || t_fail "containerd does not start"
        out=$(timeout 60 ctr run --rm --runc-binary "$RUNTIME" --rootfs "$root" ctr-t1 /bin/echo hello-ctr 2>&1) ||
                t_fail "ctr run failed: $out"
        assert_match "hello-ctr" "$out" "ctr run output"
        timeout 60 ctr run --rm --runc-binary "$RUNTIME" --rootfs "$root" ctr-t2 /bin/sh -c 'exit 7' >/dev/null 2>&1 ||
                rc=$?
        assert_eq 7 "$rc" "exit status through ctr run"
}

pod_cleanup() {
        local p
        while read -r p; do
                [ -n "$p" ] && timeout 30 podman --runtime "$RUNTIME" --storage-driver vfs rm -f "$p" >/dev/null 2>&1
        done <"$T_TMP/pods" 2>/dev/null
        : >"$T_TMP/pods"
}

t_preflight || exit 1
: >"$T_TMP/pods"
run_test oci-podman test_podman
pod_cleanup
run_test oci-containerd test_containerd

t_summary
