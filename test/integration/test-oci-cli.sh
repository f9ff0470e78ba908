#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# machined-ext-oci, the OCI runtime command line (man/machined-ext-oci.1), as runc's users drive it: a bundle
# from its own `spec` with the busybox test root, through `run` and through create/state/start/state/kill/
# state/delete with the runtime-spec's state transitions; every container is a machine (scope, machinectl)
# and is gone after delete; bad input is one error line, a non-zero exit, and leaves nothing behind.

set -u
. "$(dirname "$0")/lib.sh"

OCI_ROOT=/run/mxtest-oci
OCI=(machined-ext-oci --root "$OCI_ROOT")

oci() {
        "${OCI[@]}" "$@"
}

# oci_detached CMD...: create or run --detach, whose payload keeps the caller's stdio: not a pipe of ours.
oci_detached() {
        "${OCI[@]}" "$@" >"$T_TMP/detached.out" 2>&1 </dev/null ||
                t_fail "'$*' failed: $(tail -3 "$T_TMP/detached.out")"
}

# oci_bundle ID ARG...: a bundle at /var/lib/machines/ID from `spec`, root = a busybox root, no terminal, the
# command ARG..., and the host directory BUNDLE/out bound read-write at /out (the payload leaves marks there).
oci_bundle() {
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

# The status and pid of container ID as `state` reports them: "STATUS PID".
oci_status() {
        oci state "$1" | jq -r '"\(.status) \(.pid)"'
}

# Nothing of container ID is left: no state directory, scope, registration or process.
oci_assert_gone() {
        local id=$1 scope
        scope=machined-ext-oci-$(systemd-escape "$id").scope
        [ -e "$OCI_ROOT/$id" ] && t_fail "$OCI_ROOT/$id is still there"
        unit_active "$scope" && t_fail "$scope is still active"
        machinectl show "$id" >/dev/null 2>&1 && t_fail "$id is still registered with systemd-machined"
        [ -z "$(procs_in_unit "$scope")" ] || t_fail "processes left in $scope"
        return 0
}

oci_run_test() {
        run_test "$@"
        oci_delete_all "$OCI_ROOT"
}

test_spec() {
        local b=$T_TMP/specb
        mkdir -p "$b"
        assert_ok oci spec --bundle "$b"
        assert_eq 1 "$(jq -r '.ociVersion | startswith("1.")' "$b/config.json" | grep -c true)" "ociVersion"
        assert_eq rootfs "$(jq -r .root.path "$b/config.json")" "root.path"
        assert_eq sh "$(jq -r '.process.args[0]' "$b/config.json")" "process.args"
        # runc refuses to overwrite a config.json, and so do we
        assert_fail oci spec --bundle "$b"
        # The tools end with _exit() (cli_exit()): what stdout could not take still fails them.
        assert_fail sh -c 'machined-ext-oci --version >/dev/full'
        assert_fail sh -c 'machined-ext-oci list >/dev/full'
        assert_fail sh -c 'machinectl-ext --version >/dev/full'
        assert_ok sh -c 'machined-ext-oci --version | grep -q "^spec: "'
}

test_run() {
        local out rc=0
        oci_bundle oci-run /bin/sh -c 'echo hi; echo "$container" >/out/container; ls /run/host >/out/runhost; exit 7'
        out=$(oci run --bundle "$MACHINES_DIR/oci-run" oci-run 2>&1 </dev/null) || rc=$?
        assert_eq 7 "$rc" "exit status of run"
        assert_eq hi "$out" "output of the payload"
        assert_eq machined-ext "$(cat "$MACHINES_DIR/oci-run/out/container")" '$container'
        grep -qx container-manager "$MACHINES_DIR/oci-run/out/runhost" || t_fail "no /run/host/container-manager"
        oci_assert_gone oci-run

        # A process.cwd the image does not have is made, as runc makes it (a Kubernetes workingDir).
        oci_bundle oci-run5 /bin/sh -c 'pwd >/out/pwd'
        # An AppArmor profile, which it cannot apply, is a warning (in --log, as conmon passes it).
        jq '.process.cwd = "/srv/not/in/image" | .process.apparmorProfile = "docker-default"' \
                "$MACHINES_DIR/oci-run5/config.json" >"$T_TMP/c5.json" && mv "$T_TMP/c5.json" "$MACHINES_DIR/oci-run5/config.json"
        rm -f "$T_TMP/run5.log"
        out=$(oci --log "$T_TMP/run5.log" run --bundle "$MACHINES_DIR/oci-run5" oci-run5 2>&1 </dev/null) ||
                t_fail "run with a new cwd: $out"
        assert_match 'warning: .*process.apparmorProfile: not supported, the container runs without' \
                "$(cat "$T_TMP/run5.log")" "the warning about the AppArmor profile"
        assert_eq /srv/not/in/image "$(cat "$MACHINES_DIR/oci-run5/out/pwd")" "the payload's working directory"
        [ -d "$MACHINES_DIR/oci-run5/rootfs/srv/not/in/image" ] || t_fail "the cwd was not made in the root"
        oci_assert_gone oci-run5

        # --no-pivot with a root reached through a symlink (a bundle whose rootfs is one; containerd's
        # NoPivotRoot): the container's own /proc and /sys stay, the host's go.
        oci_bundle oci-run6 /bin/sh -c 'test -e /proc/self/status && test -d /sys/fs/cgroup'
        mv "$MACHINES_DIR/oci-run6/rootfs" "$MACHINES_DIR/oci-run6/realroot"
        ln -s realroot "$MACHINES_DIR/oci-run6/rootfs"
        out=$(oci run --no-pivot --bundle "$MACHINES_DIR/oci-run6" oci-run6 2>&1 </dev/null) ||
                t_fail "run --no-pivot of a symlinked rootfs: $out"
        oci_assert_gone oci-run6

        # Killed by a signal: 128 + the signal, as a shell reports it.
        oci_bundle oci-run2 /bin/sleep 1000
        rc=0
        oci run --bundle "$MACHINES_DIR/oci-run2" oci-run2 </dev/null >/dev/null 2>&1 &
        wait_until 10 bash -c "[ \"\$(${OCI[*]} state oci-run2 | jq -r .status)\" = running ]" ||
                t_fail "oci-run2 is not running"
        assert_ok oci kill oci-run2 KILL
        wait $! || rc=$?
        assert_eq 137 "$rc" "exit status of a killed payload"
        oci_assert_gone oci-run2

        # A short payload's clean-up uses the connections run opened for create (issue #17), and skips the
        # StopUnit of a scope systemd has stopped already: the name is free at once, again and again.
        oci_bundle oci-run3 /bin/true
        for i in 1 2 3; do
                rc=0
                oci run --bundle "$MACHINES_DIR/oci-run3" oci-run3 </dev/null >"$T_TMP/run3.out" 2>&1 || rc=$?
                assert_eq 0 "$rc" "exit status of run $i of oci-run3 ($(cat "$T_TMP/run3.out"))"
                oci_assert_gone oci-run3
        done
        # One that runs longer than run keeps them (OCI_RUN_KEEP_BUS_USEC, 1 s): new ones for the clean-up.
        oci_bundle oci-run4 /bin/sh -c 'sleep 1.5; exit 3'
        rc=0
        oci run --bundle "$MACHINES_DIR/oci-run4" oci-run4 </dev/null >"$T_TMP/run4.out" 2>&1 || rc=$?
        assert_eq 3 "$rc" "exit status of run of oci-run4 ($(cat "$T_TMP/run4.out"))"
        oci_assert_gone oci-run4
}

# run releases the payload before systemd-machined answers its registration (issue #17, as the daemon
# does); a registration that fails while the payload runs still fails the run: the payload is killed, the
# error names the registration, and nothing of the container is left. The name is taken by a container of
# another --root (its own scope, through cgroupsPath).
test_run_registration_fails() {
        local b=$MACHINES_DIR/oci-dup other=$OCI_ROOT-other rc=0 out
        oci_delete_all "$other"
        oci_bundle oci-dup /bin/sh -c 'sleep 2; echo ran >/out/mark'
        jq '.process.args = ["/bin/sleep", "1000"] | .linux.cgroupsPath = "machine.slice:mxtest:oci-dup-other"' \
                "$b/config.json" >"$T_TMP/other.json"
        mkdir -p "$T_TMP/other-bundle"
        jq --arg root "$b/rootfs" '.root.path = $root' "$T_TMP/other.json" >"$T_TMP/other-bundle/config.json"
        machined-ext-oci --root "$other" run --detach --bundle "$T_TMP/other-bundle" oci-dup \
                </dev/null >"$T_TMP/other.out" 2>&1 || t_fail "run --detach of the other failed: $(cat "$T_TMP/other.out")"
        machinectl show oci-dup >/dev/null 2>&1 || t_fail "the other oci-dup is not registered"

        out=$(oci run --bundle "$b" oci-dup 2>&1 </dev/null) || rc=$?
        assert_ne 0 "$rc" "exit status of run with a name machined has"
        assert_match "Failed to register container 'oci-dup' with systemd-machined" "$out" "error of run"
        sleep 2.5
        [ -e "$b/out/mark" ] && t_fail "the payload of a run whose registration failed went on"
        # Nothing of ours is left (oci_assert_gone but the registration, which is the other's)...
        [ -e "$OCI_ROOT/oci-dup" ] && t_fail "$OCI_ROOT/oci-dup is still there"
        unit_active machined-ext-oci-oci-dup.scope && t_fail "the scope of the failed run is still active"
        [ -z "$(procs_in_unit machined-ext-oci-oci-dup.scope)" ] || t_fail "processes left in the failed run's scope"
        # ...and the other one is untouched.
        assert_eq running "$(machined-ext-oci --root "$other" state oci-dup | jq -r .status)" "the other oci-dup"
        assert_eq "$(machined-ext-oci --root "$other" state oci-dup | jq -r .pid)" \
                "$(machinectl show oci-dup -p Leader --value)" "leader of the registered oci-dup"
        # create waits for the answer (its payload has not run): fails the same way, and leaves the other be.
        rc=0
        out=$(oci create --bundle "$b" oci-dup 2>&1 </dev/null) || rc=$?
        assert_ne 0 "$rc" "exit status of create with a name machined has"
        assert_match "Failed to register container 'oci-dup' with systemd-machined" "$out" "error of create"
        [ -e "$OCI_ROOT/oci-dup" ] && t_fail "$OCI_ROOT/oci-dup is left after the failed create"
        assert_eq "$(machined-ext-oci --root "$other" state oci-dup | jq -r .pid)" \
                "$(machinectl show oci-dup -p Leader --value)" "leader of the registered oci-dup after create"
        assert_ok machined-ext-oci --root "$other" delete --force oci-dup
        oci_delete_all "$other"
        return 0
}

# The scope is asked of systemd on its private socket (as systemctl does for root), not through dbus-daemon
# (issue #17: fewer hops, no AddMatch for JobRemoved): a monitor of the system bus sees the run's
# RegisterMachine to systemd-machined, but no StartTransientUnit or StopUnit. The scope is made all the same.
test_systemd_private() {
        local id=ocipriv mon=$T_TMP/monitor.txt scope rc=0 mpid machined
        scope=machined-ext-oci-$id.scope
        [ -S /run/systemd/private ] || skip "no /run/systemd/private"
        oci_bundle $id /bin/true
        busctl monitor --system --match "type='method_call'" >"$mon" 2>&1 &
        mpid=$!
        # The monitor is up once it sees a call to systemd through the bus (busctl's).
        wait_until 10 eval 'busctl call org.freedesktop.systemd1 /org/freedesktop/systemd1 \
                org.freedesktop.systemd1.Manager GetUnit s dbus.service >/dev/null 2>&1 &&
                grep -q "Member=GetUnit" "$mon"' || t_fail "busctl monitor sees nothing: $(head -3 "$mon")"
        oci run --bundle "$MACHINES_DIR/$id" $id </dev/null >"$T_TMP/run.out" 2>&1 || rc=$?
        assert_eq 0 "$rc" "exit status of run ($(cat "$T_TMP/run.out"))"
        wait_until 5 grep -q "Member=RegisterMachine" "$mon" || t_fail "the monitor did not see the run's RegisterMachine"
        kill $mpid
        wait $mpid 2>/dev/null
        # Calls of others (the daemon stopping the scopes of earlier tests) may be there: only this scope's, and
        # not systemd-machined's own StopUnit of it (machined may stop the scope of a machine whose leader
        # exited before the CLI's clean-up does; that is machined's traffic, not the CLI's).
        machined=$(busctl status org.freedesktop.machine1 2>/dev/null | sed -n 's/^UniqueName=//p')
        ! awk -v RS='‣' -v s="\"$scope\"" -v m="Sender=${machined:-none} " \
                '/Member=(StartTransientUnit|StopUnit)/ && index($0, s) && !index($0, m)' "$mon" | grep . ||
                t_fail "the scope went through dbus-daemon"
        wait_until 5 eval 'journalctl -q -u $scope -o cat | grep -q "^Started"' ||
                t_fail "systemd did not start $scope: $(journalctl -q -u $scope -o cat | tail -3)"
        oci_assert_gone $id
}

# The scope is asked for right after the clone, while the init sets up its root (issue #17), and the
# hooks run once the init is in it, as with runc: a prestart and a createRuntime hook see the init's cgroup
# as the scope, for run and for create.
test_hooks_in_scope() {
        local id b scope k cg want
        for id in oci-hookcg oci-hookcg2; do
                b=$MACHINES_DIR/$id
                scope=machined-ext-oci-$(systemd-escape $id).scope
                oci_bundle $id /bin/true
                # Every hook the CLI runs notes its working directory: runc's (the CLI runs from elsewhere).
                jq --arg out "$b/out" '.hooks = {} | reduce ("prestart", "createRuntime") as $k (.;
                        .hooks[$k] = [ { path: "/bin/sh", args: [ "sh", "-c",
                                "pwd >\($out)/\($k).cwd; p=$(jq -r .pid); cat /proc/$p/cgroup >\($out)/\($k)" ] } ]) |
                        reduce ("createContainer", "poststart", "poststop") as $k (.;
                        .hooks[$k] = [ { path: "/bin/sh", args: [ "sh", "-c", "pwd >\($out)/\($k).cwd" ] } ])' \
                        "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
                if [ $id = oci-hookcg ]; then
                        (cd / && assert_ok oci run --bundle "$b" $id </dev/null) || exit 1
                else
                        (cd / && oci_detached create --bundle "$b" $id && assert_ok oci start $id &&
                         assert_ok oci delete --force $id) || exit 1
                fi
                for k in prestart createRuntime; do
                        [ -s "$b/out/$k" ] || t_fail "the $k hook of $id did not run"
                        cg=$(sed -n 's/^0:://p' "$b/out/$k")
                        [[ "$cg" == */"$scope" ]] || t_fail "the init's cgroup in the $k hook of $id: $cg, not $scope"
                done
                for k in prestart createRuntime createContainer poststart poststop; do
                        want=$b
                        [ $k = createContainer ] && want=$b/rootfs      # runc's init changes to the root
                        assert_eq "$want" "$(cat "$b/out/$k.cwd" 2>&1)" "the working directory of the $k hook of $id"
                done
                oci_assert_gone $id
        done
        # A bundle directory removed before delete does not keep the poststop hook from running (from /).
        id=oci-hookgone b=$T_TMP/hookgone
        oci_bundle $id /bin/sleep 1000
        mkdir -p "$b"
        jq --arg root "$MACHINES_DIR/$id/rootfs" --arg out "$MACHINES_DIR/$id/out" '.root.path = $root |
                .hooks = { poststop: [ { path: "/bin/sh", args: [ "sh", "-c", "pwd >\($out)/poststop.cwd" ] } ] }' \
                "$MACHINES_DIR/$id/config.json" >"$b/config.json" || t_fail "jq failed"
        oci_detached run --detach --bundle "$b" $id
        rm -rf "$b"
        assert_ok oci delete --force $id
        assert_eq / "$(cat "$MACHINES_DIR/$id/out/poststop.cwd" 2>&1)" "the working directory of a poststop hook whose bundle is gone"
        oci_assert_gone $id

        # A large state (a 100 KB annotation, as Kubernetes may give): every hook gets all of it on stdin,
        # the createRuntime hook run by the CLI and the startContainer hook run by the container's init.
        id=oci-hookbig b=$MACHINES_DIR/oci-hookbig
        oci_bundle $id /bin/true
        jq --arg out "$b/out" --arg big "$(head -c 100000 /dev/zero | tr '\0' x)" '
                .annotations = { "big": $big } |
                .hooks = { createRuntime: [ { path: "/bin/sh", args: [ "sh", "-c", "wc -c >\($out)/createRuntime" ] } ],
                           startContainer: [ { path: "/bin/sh", args: [ "sh", "-c", "wc -c >/out/startContainer" ] } ] }' \
                "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
        assert_ok oci run --bundle "$b" $id </dev/null
        for k in createRuntime startContainer; do
                [ "$(tr -d ' ' <"$b/out/$k")" -gt 100000 ] || t_fail "the $k hook got $(cat "$b/out/$k") bytes of the state"
        done
        oci_assert_gone $id
}

test_lifecycle() {
        local b=$MACHINES_DIR/oci-life pid st scope cpid
        oci_bundle oci-life /bin/sh -c 'echo started >/out/mark; exec sleep 1000'
        scope=machined-ext-oci-$(systemd-escape oci-life).scope

        oci create --bundle "$b" --pid-file "$T_TMP/pid" oci-life >"$T_TMP/create.out" 2>&1 </dev/null &
        cpid=$!
        wait $cpid || t_fail "create failed: $(cat "$T_TMP/create.out")"
        pid=$(cat "$T_TMP/pid")
        assert_match '^[0-9]+$' "$pid" "pid file"
        # The create process is gone; its child, the container's init, lives on (reparented) and waits.
        kill -0 "$cpid" 2>/dev/null && t_fail "create ($cpid) is still running"
        kill -0 "$pid" || t_fail "the init $pid is not running"
        assert_ne "$cpid" "$(awk '/^PPid:/ { print $2 }' /proc/"$pid"/status)" "parent of the init"
        assert_eq "created $pid" "$(oci_status oci-life)" "state after create"
        sleep 0.5
        [ -e "$b/out/mark" ] && t_fail "the payload ran before start"
        # A machine already: in its scope, registered with systemd-machined.
        unit_active "$scope" || t_fail "$scope is not active"
        grep -qF "$scope" /proc/"$pid"/cgroup || t_fail "the init is not in $scope"
        machinectl list --no-legend | grep -q '^oci-life ' || t_fail "oci-life is not in machinectl list"
        assert_eq machined-ext-oci "$(machinectl show oci-life -p Service --value)" "machine's service"
        assert_eq "$pid" "$(machinectl show oci-life -p Leader --value)" "machine's leader"
        assert_eq "$scope" "$(oci state oci-life | jq -r '."systemd-scope"')" "systemd-scope"
        oci state oci-life | jq -e '.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")' >/dev/null ||
                t_fail "created is not RFC 3339"

        assert_ok oci start oci-life
        wait_file "$b/out/mark" >/dev/null
        assert_eq "running $pid" "$(oci_status oci-life)" "state after start"
        assert_eq oci-life "$(oci list --quiet)" "list"
        assert_eq running "$(oci list --format json | jq -r '.[0].status')" "list --format json"

        assert_ok oci kill oci-life sigterm     # any case, as runc; sleep as PID 1 ignores SIGTERM: still running
        sleep 0.3
        assert_eq "running $pid" "$(oci_status oci-life)" "state after SIGTERM to PID 1"
        assert_ok oci kill oci-life SIGKILL
        wait_until 10 bash -c "[ \"\$(${OCI[*]} state oci-life | jq -r .status)\" = stopped ]" ||
                t_fail "not stopped after SIGKILL: $(oci_status oci-life)"
        assert_eq "stopped 0" "$(oci_status oci-life)" "state after kill"

        assert_ok oci delete oci-life
        oci_assert_gone oci-life
        machinectl list --no-legend | grep -q '^oci-life ' && t_fail "oci-life still in machinectl list"

        # kill --all reaches the processes of the container's subgroups too, as runc's does.
        local child cg
        oci_bundle oci-killall /bin/sh -c 'sleep 1000 & exec sleep 1001'
        oci_detached run --detach --bundle "$MACHINES_DIR/oci-killall" oci-killall
        pid=$(oci state oci-killall | jq -r .pid)
        wait_until 5 pgrep -P "$pid" >/dev/null || t_fail "no child of $pid"
        child=$(pgrep -P "$pid")
        cg=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/"$pid"/cgroup)
        mkdir "$cg/sub" && echo "$child" >"$cg/sub/cgroup.procs" || t_fail "could not move $child into $cg/sub"
        assert_ok oci kill --all oci-killall TERM
        # Dead: gone, or a zombie (its parent, sleep as the container's PID 1, does not reap it).
        wait_until 5 bash -c "[ \"\$(awk '/^State:/ { print \$2 }' /proc/$child/status 2>/dev/null)\" != S ]" ||
                t_fail "kill --all missed $child in a subgroup: $(grep State /proc/$child/status)"
        kill -0 "$pid" || t_fail "the container's PID 1 died of SIGTERM"
        # The cgroup is frozen while its processes are signalled (no PID changes hands meanwhile), then
        # thawed; a paused one stays paused.
        assert_eq running "$(oci state oci-killall | jq -r .status)" "status after kill --all (thawed)"
        assert_eq 0 "$(cat "$cg/cgroup.freeze")" "cgroup.freeze after kill --all"
        assert_ok oci pause oci-killall
        assert_ok oci kill --all oci-killall CONT
        assert_eq paused "$(oci state oci-killall | jq -r .status)" "status of a paused container after kill --all"
        assert_ok oci resume oci-killall
        assert_ok oci delete --force oci-killall
        oci_assert_gone oci-killall
        return 0
}

test_delete_force() {
        oci_bundle oci-force /bin/sleep 1000
        oci_detached run --detach --bundle "$MACHINES_DIR/oci-force" oci-force
        assert_eq running "$(oci state oci-force | jq -r .status)" "state after run --detach"
        out=$(oci delete oci-force 2>&1) && t_fail "delete of a running container succeeded"
        assert_match "running" "$out" "error of delete"
        assert_eq 1 "$(echo "$out" | wc -l)" "lines of the error"
        assert_ok oci delete --force oci-force
        oci_assert_gone oci-force

        # A created container, deleted: its init never runs the payload.
        oci_bundle oci-force2 /bin/sh -c 'echo ran >/out/mark'
        oci_detached create --bundle "$MACHINES_DIR/oci-force2" oci-force2
        assert_ok oci delete oci-force2
        oci_assert_gone oci-force2
        sleep 0.3
        [ -e "$MACHINES_DIR/oci-force2/out/mark" ] && t_fail "the payload of a deleted created container ran"
        return 0
}

# Each bad input: exit status 1, one line naming the problem (one JSON object with --log-format json).
assert_one_error() {    # ERE CMD...
        local want=$1 out rc=0
        shift
        out=$("$@" 2>&1 </dev/null) || rc=$?
        [ $rc != 0 ] || t_fail "'$*' succeeded"
        assert_eq 1 "$(echo "$out" | wc -l)" "lines of output of '$*': $out"
        assert_match "$want" "$out" "error of '$*'"
}

test_bad_input() {
        local b=$MACHINES_DIR/oci-bad out long
        for verb in state start delete kill; do
                assert_one_error "Container 'nope' does not exist" oci $verb nope
        done
        # --log is made 0644 whatever the umask (engines parse it: nobody else may add lines), as runc's.
        (umask 000; oci --log "$T_TMP/made.log" state nope 2>/dev/null)
        assert_eq 644 "$(stat -c %a "$T_TMP/made.log")" "mode of a --log file made under umask 000"
        assert_match "nope" "$(cat "$T_TMP/made.log")" "the --log file's line"
        out=$(oci --log-format json state nope 2>&1) && t_fail "state of an unknown id succeeded"
        assert_eq error "$(echo "$out" | jq -r .level)" "JSON error's level"
        assert_match "nope" "$(echo "$out" | jq -r .msg)" "JSON error's msg"
        assert_one_error "Unknown command" oci frobnicate
        assert_one_error "not supported" oci checkpoint x
        assert_one_error "Invalid container id" oci create --bundle "$b" ../x

        # An invalid bundle: the JSON path, and nothing left.
        oci_bundle oci-bad /bin/true
        jq '.process.args = 5' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        assert_one_error "process.args" oci create --bundle "$b" oci-bad
        oci_assert_gone oci-bad
        jq '.process.args = ["/does/not/exist"]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        assert_one_error "/does/not/exist" oci create --bundle "$b" oci-bad
        oci_assert_gone oci-bad
        assert_one_error "" oci create --bundle /nonexistent oci-bad
        oci_assert_gone oci-bad

        # A valid id whose scope's name systemd would refuse (over 255 characters), and such a cgroupsPath:
        # refused before anything is made, saying why.
        jq '.process.args = ["/bin/true"]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        long=$(printf 'a%.0s' $(seq 250))
        assert_one_error "Container id 'a{32}…': the name of its scope would be 273 characters long, systemd takes at most 255" \
                oci create --bundle "$b" "$long"
        oci_assert_gone "$long"
        jq --arg n "$long" '.linux.cgroupsPath = "machine.slice:libpod:" + $n' "$b/config.json" >"$b/c" &&
                mv "$b/c" "$b/config.json"
        assert_one_error "linux.cgroupsPath: the scope's name PREFIX-NAME.scope would be 263 characters long" \
                oci create --bundle "$b" oci-bad
        oci_assert_gone oci-bad
        jq 'del(.linux.cgroupsPath)' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"

        # A second create of an id, start of a running container.
        jq '.process.args = ["/bin/sleep", "1000"]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        oci_detached create --bundle "$b" oci-bad
        assert_one_error "already exists" oci create --bundle "$b" oci-bad
        assert_eq created "$(oci state oci-bad | jq -r .status)" "the first one after a second create"
        assert_ok oci start oci-bad
        assert_one_error "not created" oci start oci-bad
        assert_one_error "delete --force" oci delete oci-bad
        assert_one_error "invalid signal" oci kill oci-bad NOSUCHSIG
        assert_ok oci delete --force oci-bad
        oci_assert_gone oci-bad
}

test_cgroup_managers() {
        local b=$MACHINES_DIR/oci-cgfs
        oci_bundle oci-cgfs /bin/sh -c 'cat /proc/self/cgroup >/out/cg; exec sleep 1000'
        oci_detached --cgroup-manager cgroupfs run --detach --bundle "$b" oci-cgfs
        wait_file "$b/out/cg" >/dev/null
        assert_eq /machined-ext-oci/oci-cgfs "$(oci state oci-cgfs >/dev/null && sed -n 's/^0:://p' \
                /proc/"$(oci state oci-cgfs | jq -r .pid)"/cgroup)" "cgroup with --cgroup-manager cgroupfs"
        assert_ok oci delete --force oci-cgfs
        [ -d /sys/fs/cgroup/machined-ext-oci/oci-cgfs ] && t_fail "the cgroup is left"
        # A cgroupsPath that is a path (runc's cgroupfs form): that cgroup, its parents made.
        jq '.linux.cgroupsPath = "/oci-test-parent/cgfs2"' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        rm -f "$b/out/cg"
        oci_detached --cgroup-manager cgroupfs run --detach --bundle "$b" oci-cgfs
        assert_eq /oci-test-parent/cgfs2 "$(sed -n 's/^0:://p' /proc/"$(oci state oci-cgfs | jq -r .pid)"/cgroup)" \
                "cgroup of a path cgroupsPath"
        assert_ok oci delete --force oci-cgfs
        [ -d /sys/fs/cgroup/oci-test-parent/cgfs2 ] && t_fail "the cgroup is left"
        rmdir /sys/fs/cgroup/oci-test-parent 2>/dev/null
        assert_one_error "cgroup-manager" oci --cgroup-manager foo list
        return 0
}

# The device policy (device-policy.h) of a privileged container, under both cgroup managers (devtest_setup
# in lib.sh): the pseudo devices and linux.devices open and can be made; device nodes the image brings and
# any other mknod are EPERM. With cgroupfs there used to be no policy at all. An update with devices
# changes nothing (as runc) and says so.
test_device_policy() {
        local id=oci-devices b=$MACHINES_DIR/oci-devices scope out manager
        scope=machined-ext-oci-$(systemd-escape "$id").scope
        oci_bundle $id /bin/true
        devtest_setup "$b"
        for manager in systemd cgroupfs; do
                rm -f "$b/rootfs/devtest.txt"
                assert_ok oci --cgroup-manager $manager run --bundle "$b" $id </dev/null
                devtest_check "$b" "$manager"
                oci_assert_gone $id
        done
        # The scope has no DevicePolicy= of systemd's (the policy is ours); update leaves devices alone.
        jq '.process.args = [ "sleep", "1000" ]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        oci_detached run --detach --bundle "$b" $id
        assert_eq auto "$(systemctl show -P DevicePolicy $scope)" "systemd's DevicePolicy= of the scope"
        out=$(echo '{ "devices": [ { "allow": true, "type": "c", "major": 10, "minor": 237, "access": "rwm" } ] }' |
              oci update --resources - $id 2>&1) || t_fail "update with devices failed: $out"
        assert_match "devices are not changed by update" "$out" "update's warning"
        assert_eq auto "$(systemctl show -P DevicePolicy $scope)" "DevicePolicy= after update"
        assert_eq "" "$(systemctl show -P DeviceAllow $scope)" "DeviceAllow= after update"
        assert_ok oci delete --force $id
        return 0
}

# The device policy cannot be loaded or attached (test/helpers/deny-bpf makes that bpf() command fail with
# EPERM): run fails with one line that says so, under both cgroup managers, and leaves nothing (no state,
# scope, registration, process, cgroup); the payload never ran. Without the filter it runs.
test_device_policy_fails() {
        local id=oci-devfail b=$MACHINES_DIR/oci-devfail deny=$BUILDDIR/test/helpers/deny-bpf cmd manager what
        [ -x "$deny" ] || t_fail "no $deny (BUILDDIR=$BUILDDIR)"
        oci_bundle $id /bin/sh -c 'echo ran >/out/ran'
        for cmd in prog-load prog-attach; do
                what=load
                [ $cmd = prog-attach ] && what=attach
                for manager in systemd cgroupfs; do
                        assert_one_error "Failed to $what the device policy of container '$id'.*Operation not permitted" \
                                "$deny" $cmd "${OCI[@]}" --cgroup-manager $manager run --bundle "$b" $id
                        [ -e "$b/out/ran" ] && t_fail "the payload ran without its device policy ($cmd, $manager)"
                        oci_assert_gone $id
                        [ -d /sys/fs/cgroup/machined-ext-oci/$id ] && t_fail "its cgroup is left ($cmd, $manager)"
                done
        done
        assert_ok oci run --bundle "$b" $id </dev/null
        [ -e "$b/out/ran" ] || t_fail "the payload did not run without the filter"
        oci_assert_gone $id
}

# --cgroup-manager disabled: no cgroup of its own, so none recorded. The cgroup the init was born in is the
# caller's (a shim, conmon): run's clean-up, delete --force and kill --all must leave the caller's other
# processes alone (they used to SIGKILL that whole cgroup).
test_cgroup_manager_disabled() {
        local id=oci-nocg b=$MACHINES_DIR/oci-nocg cg=/sys/fs/cgroup/oci-test-caller sentinel
        oci_bundle $id /bin/sleep 1000
        mkdir -p $cg
        sh -c "echo \$\$ >$cg/cgroup.procs && exec sleep 1000" &
        sentinel=$!
        wait_until 5 grep -qx "$sentinel" $cg/cgroup.procs || t_fail "the sentinel is not in $cg"
        in_cg() { sh -c "echo \$\$ >$cg/cgroup.procs && exec \"\$@\"" sh "${OCI[@]}" --cgroup-manager disabled "$@"; }

        in_cg create --bundle "$b" $id </dev/null >/dev/null 2>&1 || t_fail "create with --cgroup-manager disabled failed"
        assert_eq null "$(jq -r .cgroup "$OCI_ROOT/$id/state.json")" "the cgroup recorded"
        assert_one_error "has no cgroup of its own" in_cg kill --all $id KILL
        assert_ok in_cg delete --force $id
        kill -0 $sentinel 2>/dev/null || t_fail "delete --force killed its caller's cgroup"
        oci_assert_gone $id

        jq '.process.args = [ "/bin/true" ]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        assert_ok in_cg run --bundle "$b" $id </dev/null
        kill -0 $sentinel 2>/dev/null || t_fail "run's clean-up killed its caller's cgroup"
        oci_assert_gone $id

        kill $sentinel
        wait $sentinel 2>/dev/null
        rmdir $cg
}

# linux.cgroupsPath may name any scope: one that is another's already (systemd answers UnitExists) fails the
# create, and the clean-up leaves that scope alone (it used to stop it).
test_cgroups_path_taken() {
        local id=oci-taken b=$MACHINES_DIR/oci-taken other=octest-taken.scope out
        oci_bundle $id /bin/true
        jq '.linux.cgroupsPath = "machine.slice:octest:taken"' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        systemd-run --quiet --scope --unit=$other sleep 1000 >/dev/null 2>&1 &
        wait_until 10 unit_active $other || t_fail "$other did not start"
        assert_one_error "$other" oci run --bundle "$b" $id
        unit_active $other || t_fail "the failed create stopped $other, which was not its own"
        oci_assert_gone $id
        systemctl stop $other
        wait
        # The name free again: the container gets it.
        assert_ok oci run --bundle "$b" $id </dev/null
        oci_assert_gone $id
}

# A verb that waited for ROOT/ID's lock acts on the directory ROOT/ID names once it has it: not on one that a
# delete removed meanwhile (and a create replaced). Here a delete --force waits behind a lock (flock(1)); the
# directory is then replaced by a new one whose lock a "create" holds: the delete waits for that one too.
test_lock_follows_id() {
        local id=oci-relock b=$MACHINES_DIR/oci-relock d l1 l2 del ino
        d=$OCI_ROOT/$id
        oci_bundle $id /bin/sleep 1000
        oci_detached create --bundle "$b" $id
        # -o: the lock is flock(1)'s own, not its command's: it ends when its sleep is killed.
        flock -o "$d" sleep 30 & l1=$!
        ino=$(stat -c %i "$d")
        wait_until 5 grep -q "FLOCK.*:$ino " /proc/locks || t_fail "flock(1) did not lock $d"
        oci delete --force $id >"$T_TMP/del.out" 2>&1 & del=$!
        sleep 0.3
        mv "$d" "$d.moved"
        mkdir -m 0700 "$d"
        flock -o "$d" sleep 30 & l2=$!
        ino=$(stat -c %i "$d")
        wait_until 5 grep -q "FLOCK.*:$ino " /proc/locks || t_fail "flock(1) did not lock the new $d"
        pkill -P $l1
        sleep 0.5
        kill -0 $del 2>/dev/null || t_fail "delete went on with the old directory: $(cat "$T_TMP/del.out")"
        pkill -P $l2
        wait $del && t_fail "delete of a directory without state.json succeeded"
        assert_match "does not exist \\(or is being created\\)" "$(cat "$T_TMP/del.out")" "delete's error"
        rmdir "$d" && mv "$d.moved" "$d"
        assert_ok oci delete --force $id
        oci_assert_gone $id
}

# --root and ROOT/ID hold what a root process acts on (units, cgroups, machines, the bundles of hooks): one
# that another user owns or others can write is refused by every verb, before anything in it is read.
test_root_trust() {
        local r=/run/oci-badroot id=oci-trust b=$MACHINES_DIR/oci-trust
        mkdir -p $r && chmod 1777 $r
        assert_one_error "--root $r is owned by UID 0 with mode 1777: refusing" machined-ext-oci --root $r list
        assert_one_error "refusing a state directory" machined-ext-oci --root $r state foo
        oci_bundle $id /bin/true
        assert_one_error "refusing a state directory" machined-ext-oci --root $r run --bundle "$b" $id
        [ -e $r/$id ] && t_fail "run made $r/$id under a refused --root"
        chmod 0700 $r && chown 65534 $r
        assert_one_error "--root $r is owned by UID 65534" machined-ext-oci --root $r list
        rm -rf $r

        # A state directory of another user's in our --root (its state.json is planted): refused, not read.
        oci_detached create --bundle "$b" $id
        chown 65534 "$OCI_ROOT/$id"
        assert_one_error "The state directory $OCI_ROOT/$id is owned by UID 65534" oci delete --force $id
        chown 0 "$OCI_ROOT/$id"
        assert_ok oci delete --force $id
        oci_assert_gone $id
}

# A create SIGKILLed before it wrote state.json (here in its createRuntime hook) leaves ROOT/ID behind: while it
# runs, delete --force waits for its lock and leaves it alone; once it died, delete --force sees that its
# creator is gone, removes what it left, and the id can be used again. (Its init died with it.) Without the
# creator's record the id stayed blocked: "does not exist (or is being created)" on delete, "already exists"
# on create.
test_create_killed() {
        local id=oci-killed b=$MACHINES_DIR/oci-killed scope pid hook how verb manager out rc
        scope=machined-ext-oci-$(systemd-escape "$id").scope
        oci_bundle $id /bin/true
        jq --arg m "$T_TMP/hook.pid" '.hooks.createRuntime = [ { "path": "/bin/sh",
                "args": [ "sh", "-c", "echo $$ >\($m).new && mv \($m).new \($m) && exec sleep 60" ] } ]' \
                "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        # A run too: it saves state.json (no cgroup in it yet) before its set-up, so its delete --force goes
        # the way of a container that stopped, and finds the cgroup in the record as well.
        for how in create:systemd create:cgroupfs run:cgroupfs; do
                verb=${how%%:*} manager=${how#*:}
                rm -f "$T_TMP/hook.pid"
                "${OCI[@]}" --cgroup-manager $manager $verb --bundle "$b" $id </dev/null >/dev/null 2>&1 &
                pid=$!          # not a function: its PID
                hook=$(wait_file "$T_TMP/hook.pid") || t_fail "$how: the createRuntime hook did not run"
                if [ $verb = create ] && [ -e "$OCI_ROOT/$id/state.json" ]; then
                        t_fail "$how: state.json exists during the createRuntime hook"
                fi
                if [ $manager = cgroupfs ]; then
                        [ -d /sys/fs/cgroup/machined-ext-oci/$id ] || t_fail "$how: no cgroup during the hook"
                fi
                # state and list do not wait for the lock (runc's do not either): a create's hooks may take
                # long (up to their timeout), and engines call state meanwhile.
                out=$(timeout 2 "${OCI[@]}" state $id 2>&1)
                rc=$?
                [ $rc = 124 ] && t_fail "$how: state waited for a create under way"
                if [ $verb = create ]; then
                        assert_eq 1 $rc "$how: state's status before the create wrote state.json"
                        assert_match "does not exist \(or is being created\)" "$out" "$how: state's error"
                fi
                timeout 2 "${OCI[@]}" list >/dev/null 2>&1
                assert_eq 0 $? "$how: list during a create under way (timeout's status 124: it waited)"
                # The create holds the id's lock through its hooks: a delete waits for it.
                timeout 2 "${OCI[@]}" delete --force $id >/dev/null 2>&1
                assert_eq 124 $? "$how: delete --force of a create under way (timeout's status: still waiting)"
                [ -d "$OCI_ROOT/$id" ] || t_fail "$how: delete --force removed the directory of a create under way"
                kill -KILL $pid
                wait $pid 2>/dev/null
                kill -KILL "$hook" 2>/dev/null
                assert_ok oci delete --force $id
                [ -e "$OCI_ROOT/$id" ] && t_fail "$how: delete --force left what the killed create made"
                wait_until 10 eval '! unit_active $scope' || t_fail "$how: $scope still active"
                [ -d /sys/fs/cgroup/machined-ext-oci/$id ] && t_fail "$how: the killed create's cgroup is left"
        done
        jq 'del(.hooks)' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        assert_ok oci run --bundle "$b" $id </dev/null
        oci_assert_gone $id
}

# The cgroup record of a create that died is checked before delete --force acts on it: a path that climbs is
# refused with an error naming the file, and the cgroup it would reach stays.
test_create_killed_bad_record() {
        local id=oci-badrec dead
        sh -c 'exit 0' & dead=$!
        wait $dead
        mkdir -p -m 0700 "$OCI_ROOT" && mkdir -m 0700 "$OCI_ROOT/$id" || t_fail "cannot make $OCI_ROOT/$id"
        echo "$dead 1 1" >"$OCI_ROOT/$id/creator"
        mkdir /sys/fs/cgroup/oci-victim || t_fail "cannot make the cgroup oci-victim"
        # The path resolves (oci-badrec-x exists): only the check keeps the rmdir from reaching oci-victim.
        mkdir /sys/fs/cgroup/oci-badrec-x || t_fail "cannot make the cgroup oci-badrec-x"
        echo "/oci-badrec-x/../oci-victim" >"$OCI_ROOT/$id/creator-cgroup"
        assert_one_error "creator-cgroup: not a cgroup path" oci delete --force $id
        rmdir /sys/fs/cgroup/oci-badrec-x
        [ -d /sys/fs/cgroup/oci-victim ] || t_fail "delete --force removed the cgroup a bad record climbed to"
        echo "/oci-victim" >"$OCI_ROOT/$id/creator-cgroup"
        assert_ok oci delete --force $id
        [ -d /sys/fs/cgroup/oci-victim ] && { rmdir /sys/fs/cgroup/oci-victim; t_fail "the recorded cgroup is left"; }
        [ -e "$OCI_ROOT/$id" ] && t_fail "delete --force left $OCI_ROOT/$id"
        return 0
}

test_pause_ps_update() {
        local b=$MACHINES_DIR/oci-pause pid scope pids n
        oci_bundle oci-pause /bin/sh -c 'sleep 1000 & while :; do date +%s%N >/out/tick; sleep 0.1; done'
        scope=machined-ext-oci-$(systemd-escape oci-pause).scope
        oci_detached run --detach --bundle "$b" oci-pause
        wait_file "$b/out/tick" >/dev/null
        pid=$(oci state oci-pause | jq -r .pid)

        pids=$(oci ps --format json oci-pause) || t_fail "ps failed"
        echo "$pids" | jq -e --argjson p "$pid" 'index($p) != null' >/dev/null || t_fail "ps: no $pid in $pids"
        [ "$(echo "$pids" | jq length)" -ge 2 ] || t_fail "ps: only $pids"
        oci ps oci-pause | grep -q "sleep 1000" || t_fail "ps table without 'sleep 1000': $(oci ps oci-pause)"

        assert_ok oci pause oci-pause
        assert_eq paused "$(oci state oci-pause | jq -r .status)" "state after pause"
        n=$(cat "$b/out/tick")
        sleep 0.5
        assert_eq "$n" "$(cat "$b/out/tick")" "ticks while paused"
        assert_one_error "is paused, not created or running" oci pause oci-pause
        assert_ok oci resume oci-pause
        assert_eq running "$(oci state oci-pause | jq -r .status)" "state after resume"
        # "$n" quoted: frozen between the shell's truncation of the file and date's write, it is empty.
        wait_until 5 bash -c "[ \"\$(cat $b/out/tick)\" != \"$n\" ]" || t_fail "no ticks after resume"
        assert_one_error "not paused" oci resume oci-pause

        echo '{ "memory": { "limit": 268435456 }, "pids": { "limit": 99 } }' >"$T_TMP/res.json"
        assert_ok oci update --resources "$T_TMP/res.json" oci-pause
        assert_eq 268435456 "$(systemctl show -P MemoryMax "$scope")" "MemoryMax after update"
        assert_eq 99 "$(systemctl show -P TasksMax "$scope")" "TasksMax after update"
        echo '{ "pids": { "limit": 50 } }' | oci update --resources - oci-pause || t_fail "update from stdin"
        assert_eq 50 "$(systemctl show -P TasksMax "$scope")" "TasksMax after update from stdin"
        assert_one_error "memory.limit" sh -c "echo '{ \"memory\": { \"limit\": \"x\" } }' |
                ${OCI[*]} update --resources - oci-pause"

        # delete --force of a paused container
        assert_ok oci pause oci-pause
        assert_ok oci delete --force oci-pause
        oci_assert_gone oci-pause
}

# A created container: pause freezes it (state "paused", start refused) and resume gives it back as created
# (runc's order), and start then starts it. exec refuses it (runc takes it): the waiting init has not dropped
# its privileges yet (more capabilities than the bundle gives), which a process beside it could reach.
test_created_pause() {
        local id=oci-cep b=$MACHINES_DIR/oci-cep pid
        oci_bundle $id /bin/sh -c 'echo started >/out/started; exec sleep 1000'
        oci_detached create --bundle "$b" $id
        pid=$(oci state $id | jq -r .pid)
        # CAP_SYS_ADMIN (bit 21), which the bundle does not give: if the waiting init drops it one day, exec
        # may take a created container, as runc's does.
        [ $(( 0x$(awk '/^CapEff:/ { print $2 }' /proc/"$pid"/status) & (1 << 21) )) != 0 ] ||
                t_fail "the waiting init lacks CAP_SYS_ADMIN: is the reason exec refuses it gone?"
        assert_one_error "is created, not running" oci exec $id /bin/true

        assert_ok oci pause $id
        assert_eq paused "$(oci state $id | jq -r .status)" "state of a paused created container"
        assert_eq 1 "$(cat /sys/fs/cgroup"$(sed -n 's/^0:://p' /proc/"$pid"/cgroup)"/cgroup.freeze)" "cgroup.freeze"
        assert_one_error "is paused, not created: it cannot be started" oci start $id
        assert_one_error "is paused, not running" oci exec $id /bin/true
        assert_ok oci resume $id
        assert_eq created "$(oci state $id | jq -r .status)" "state of a created container after resume"
        [ -e "$b/out/started" ] && t_fail "the payload ran before start"
        assert_ok oci start $id
        wait_file "$b/out/started" >/dev/null
        assert_eq running "$(oci state $id | jq -r .status)" "state after start"
        assert_eq x "$(oci exec $id /bin/echo x </dev/null 2>&1)" "exec once started"
        assert_ok oci delete --force $id
        oci_assert_gone $id
}

# What the kernel says about PID's namespaces, cgroup, capabilities and seccomp, as the host sees it.
proc_facts() {
        local n
        for n in mnt pid net ipc uts cgroup user; do
                echo "$n $(readlink /proc/"$1"/ns/$n)"
        done
        cat /proc/"$1"/cgroup
        grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/"$1"/status
}

# OUTPUT (of a process in the container of leader PID: "tty=$(tty)", then "dev=" lines of `stat -c %d` of that tty
# and of /dev/pts) shows a pty of the container's own devpts: /dev/pts/N, whose device is that of the
# container's /dev/pts, seen from the host too.
oci_assert_container_pty() {     # PID OUTPUT WHAT
        local pid=$1 out=$2 what=$3 devs
        assert_match "^/dev/pts/[0-9]+\$" "$(echo "$out" | sed -n 's/^tty=//p')" "$what: tty(1) inside"
        devs=$(echo "$out" | sed -n 's/^dev=//p' | sort -u)
        assert_eq 1 "$(echo "$devs" | wc -l)" "$what: one devpts for the pty and /dev/pts ($devs)"
        assert_eq "$(stat -c %d "/proc/$pid/root/dev/pts")" "$devs" "$what: the container's /dev/pts"
}

test_exec() {
        local b=$MACHINES_DIR/oci-exec pid epid out rc=0 sock st
        oci_bundle oci-exec /bin/sleep 1000
        oci_detached run --detach --bundle "$b" oci-exec
        pid=$(oci state oci-exec | jq -r .pid)

        # The same namespaces, cgroup, capabilities, no_new_privs and seccomp mode as the init.
        oci_detached exec --detach --pid-file "$T_TMP/epid" oci-exec /bin/sleep 100
        epid=$(cat "$T_TMP/epid")
        assert_ne "$pid" "$epid" "exec's PID"
        assert_eq "$(proc_facts "$pid")" "$(proc_facts "$epid")" "facts of exec vs init"
        # --pid-file is never written through a symlink (it is replaced), and a process whose pid file cannot
        # be written is not left running.
        echo victim >"$T_TMP/victim"
        ln -sfn "$T_TMP/victim" "$T_TMP/epid-link"
        oci_detached exec --detach --pid-file "$T_TMP/epid-link" oci-exec /bin/sleep 101
        assert_eq victim "$(cat "$T_TMP/victim")" "the target of a symlinked --pid-file"
        [ -L "$T_TMP/epid-link" ] && t_fail "--pid-file: the symlink is still there"
        assert_eq sleep "$(cat /proc/"$(cat "$T_TMP/epid-link")"/comm)" "the pid in --pid-file"
        assert_one_error "pid-file" oci exec --detach --pid-file /nonexistent/dir/pid oci-exec /bin/sleep 102
        pgrep -f '^/bin/sleep 102$' >/dev/null && t_fail "exec left its process when --pid-file failed"
        # ... also when it asks for more: --cap stays within the bounding set.
        oci_detached exec --detach --cap CAP_SYS_ADMIN --pid-file "$T_TMP/epid2" oci-exec /bin/sleep 100
        assert_eq "$(grep CapBnd /proc/"$pid"/status)" "$(grep CapBnd /proc/"$(cat "$T_TMP/epid2")"/status)" \
                "bounding set of exec --cap"
        grep -q '^CapEff:.*0000000020000420$' /proc/"$(cat "$T_TMP/epid2")"/status ||
                t_fail "exec --cap CAP_SYS_ADMIN got it: $(grep CapEff /proc/"$(cat "$T_TMP/epid2")"/status)"
        # --cap goes to the effective (and bounding, permitted) set, never the inheritable one, which the
        # process's children would keep through files' inheritable capabilities (CVE-2022-29162 in runc).
        oci_detached exec --detach --cap CAP_KILL --pid-file "$T_TMP/epid3" oci-exec /bin/sleep 100
        st=$(cat /proc/"$(cat "$T_TMP/epid3")"/status)
        assert_eq 0000000000000000 "$(echo "$st" | awk '/^CapInh:/ { print $2 }')" "inheritable set of exec --cap"
        [ $(( 0x$(echo "$st" | awk '/^CapEff:/ { print $2 }') & 0x20 )) != 0 ] ||
                t_fail "exec --cap CAP_KILL lacks it: $(echo "$st" | grep CapEff)"
        # exec loads no libmount (nor what it pulls in): the CLI opens it with dlopen() only to parse mount
        # options, as features does.
        assert_eq 0 "$(LD_DEBUG=files oci exec oci-exec /bin/true </dev/null 2>&1 | grep -c -E 'libmount|libblkid|libselinux')" \
                "libraries of exec"
        assert_eq 0 "$(LD_DEBUG=files oci state oci-exec 2>&1 >/dev/null | grep -c -E 'libmount|libblkid|libselinux')" \
                "libraries of state"
        assert_match "file=libmount.so.1 .*dynamically loaded" "$(LD_DEBUG=files oci features 2>&1 >/dev/null)" \
                "features loads libmount"
        # No fd of the runtime: only stdio.
        out=$(oci exec oci-exec /bin/ls /proc/self/fd </dev/null 2>&1 | sort -n | tr '\n' ' ')
        assert_eq "0 1 2 3 " "$out" "fds of an exec'd ls (3: its own directory fd)"

        # Exit status, environment, user, working directory.
        out=$(oci exec --env FOO=bar --user 1000:1000 --cwd /out oci-exec /bin/sh -c 'echo "$FOO $(id -u) $(pwd)"; exit 5' \
                </dev/null 2>&1) || rc=$?
        assert_eq 5 "$rc" "exit status of exec"
        assert_eq "bar 1000 /out" "$out" "env, user and cwd of exec"
        assert_one_error "cwd /nonexistent" oci exec --cwd /nonexistent oci-exec /bin/true
        assert_one_error "/no/such/command" oci exec oci-exec /no/such/command
        assert_one_error "does not exist" oci exec nope-not-there /bin/true

        # --process FILE.
        echo '{ "args": [ "/bin/sh", "-c", "echo from-process-file $X" ], "env": [ "X=y" ], "cwd": "/",
                "user": { "uid": 0, "gid": 0 } }' >"$T_TMP/process.json"
        assert_eq "from-process-file y" "$(oci exec --process "$T_TMP/process.json" oci-exec </dev/null 2>&1)" \
                "exec --process"

        # --tty with a console socket: the pty's master arrives there, the process has it as its terminal, a pty
        # of the container's own devpts (as runc): tty(1) finds its name, /dev/pts/N, on the container's
        # /dev/pts, and it is the process's controlling terminal (/dev/tty opens).
        sock=$T_TMP/console.sock
        rm -f "$sock" "$T_TMP/tty.out"
        python3 "$T_REPO/test/integration/console-socket.py" "$sock" "$T_TMP/tty.out" >"$T_TMP/cs.out" &
        wait_until 5 grep -q ready "$T_TMP/cs.out" || t_fail "console socket receiver did not start"
        oci_detached exec --tty --console-socket "$sock" oci-exec /bin/sh -c \
                'test -t 0 && test -t 1 && echo is-a-tty; stty size; echo "tty=$(tty)"; : </dev/tty && echo ctty;
                 stat -c "dev=%d" "$(tty)" /dev/pts'
        wait $! 2>/dev/null
        wait_until 5 grep -q ctty "$T_TMP/tty.out" || t_fail "no terminal output: $(cat "$T_TMP/tty.out")"
        oci_assert_container_pty "$pid" "$(tr -d '\r' <"$T_TMP/tty.out")" "exec --tty --console-socket"

        # --tty without one, in the foreground: we relay the container's pty (runc's behaviour).
        out=$(oci exec --tty oci-exec /bin/sh -c 'echo "tty=$(tty)"; stat -c "dev=%d" "$(tty)" /dev/pts; exit 4' \
                </dev/null 2>&1) || rc=$?
        assert_eq 4 "$rc" "exit status of exec --tty"
        oci_assert_container_pty "$pid" "$(echo "$out" | tr -d '\r')" "exec --tty"
        assert_one_error "needs --console-socket" oci exec --tty --detach oci-exec /bin/true

        assert_ok oci delete --force oci-exec
        oci_assert_gone oci-exec
}

# exec gets the container's seccomp filters from its state directory once compiled (seccomp.bpf, 0600): the
# same filters, in the same number, as the init, from the config.json the container was made with (create's
# copy, whatever becomes of the bundle's); compiled again when that profile changes, or when the file is not
# ours (garbage, a symlink, writable by others); everything goes with the container. The forged file shows
# that a valid one is what exec loads.
test_exec_seccomp_cache() {
        local b=$MACHINES_DIR/oci-sc b2=$MACHINES_DIR/oci-sc2 cache=$OCI_ROOT/oci-sc/seccomp.bpf pid epid ino out
        local deny_mkdir='{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [ { names: [ "mkdir", "mkdirat" ],
                           action: "SCMP_ACT_ERRNO", errnoRet: 1 } ] }'
        oci_bundle oci-sc /bin/sleep 1000
        jq ".linux.seccomp = $deny_mkdir" "$b/config.json" >"$b/c.new" && mv "$b/c.new" "$b/config.json"
        oci_detached run --detach --bundle "$b" oci-sc
        pid=$(oci state oci-sc | jq -r .pid)
        [ -e "$cache" ] && t_fail "a seccomp cache before any exec"

        # mkdir N: whether exec's mkdir is denied ("denied") or works ("made").
        mkdir_in() {
                if oci exec oci-sc /bin/mkdir "/out/d$1" </dev/null >"$T_TMP/mkdir.out" 2>&1; then
                        echo made
                else
                        grep -q "Operation not permitted" "$T_TMP/mkdir.out" && echo denied ||
                                cat "$T_TMP/mkdir.out"
                fi
        }
        assert_eq denied "$(mkdir_in 1)" "mkdir in the first exec (the filters create compiled)"
        [ -f "$cache" ] || t_fail "no seccomp cache after an exec"
        assert_eq "600 0" "$(stat -c '%a %u' "$cache")" "mode and owner of the cache"
        ino=$(stat -c %i "$cache")
        assert_eq denied "$(mkdir_in 2)" "mkdir in the second exec (cached)"
        assert_eq "$ino" "$(stat -c %i "$cache")" "the cache, not written again on a hit"
        oci_detached exec --detach --pid-file "$T_TMP/epid" oci-sc /bin/sleep 100
        epid=$(cat "$T_TMP/epid")
        assert_eq "$(grep -E '^Seccomp(_filters)?:' /proc/"$pid"/status)" \
                "$(grep -E '^Seccomp(_filters)?:' /proc/"$epid"/status)" "seccomp of a cached exec vs the init"

        # The bundle's config.json changed, or gone, since create: exec keeps to the config the container was
        # made with (the copy in its state directory, as crun), and so does the cache.
        assert_eq "600" "$(stat -c %a "$OCI_ROOT/oci-sc/config.json")" "mode of the state's copy of config.json"
        jq '.linux.seccomp.syscalls[0].names = [ "rmdir" ]' "$b/config.json" >"$b/c.new" && mv "$b/c.new" "$b/config.json"
        assert_eq denied "$(mkdir_in 3)" "mkdir after the bundle's profile changed"
        assert_eq "$ino" "$(stat -c %i "$cache")" "the cache, after the bundle's profile changed"
        mv "$b/config.json" "$b/config.json.away"
        assert_eq denied "$(mkdir_in 4)" "mkdir with the bundle's config.json gone"
        mv "$b/config.json.away" "$b/config.json"
        # A changed profile in the copy itself (root's file): compiled again, not the cached filter.
        cp "$OCI_ROOT/oci-sc/config.json" "$T_TMP/copy.json"
        jq '.linux.seccomp.syscalls[0].names = [ "rmdir" ]' "$T_TMP/copy.json" >"$OCI_ROOT/oci-sc/config.json"
        assert_eq made "$(mkdir_in 3)" "mkdir after the container's profile changed"
        assert_ne "$ino" "$(stat -c %i "$cache")" "the cache, replaced after the container's profile changed"
        cp "$T_TMP/copy.json" "$OCI_ROOT/oci-sc/config.json"
        assert_eq denied "$(mkdir_in 4)" "mkdir after the container's profile changed back"

        # Garbage, and a cache of another container's (another profile): neither is loaded.
        head -c 5000 /dev/urandom >"$cache"
        assert_eq denied "$(mkdir_in 5)" "mkdir with garbage as the cache"
        oci_bundle oci-sc2 /bin/sleep 1000
        jq ".linux.seccomp = $deny_mkdir | .linux.seccomp.syscalls[0].names = [ \"rmdir\" ]" "$b2/config.json" \
                >"$b2/c.new" && mv "$b2/c.new" "$b2/config.json"
        oci_detached run --detach --bundle "$b2" oci-sc2
        assert_ok oci exec oci-sc2 /bin/true
        cp "$OCI_ROOT/oci-sc2/seccomp.bpf" "$cache"
        assert_eq denied "$(mkdir_in 6)" "mkdir with another container's cache"

        # A forged one (this container's key, the programs of oci-sc2, which allow mkdir) is loaded: the cache
        # is what exec uses. Writable by others, or behind a symlink, it is not.
        forge_seccomp_cache "$cache" "$OCI_ROOT/oci-sc2/seccomp.bpf" "$T_TMP/forged"
        install -m 0600 "$T_TMP/forged" "$cache"
        assert_eq made "$(mkdir_in 7)" "mkdir with a valid cache that allows it"
        install -m 0600 "$T_TMP/forged" "$cache"
        chmod 0622 "$cache"
        assert_eq denied "$(mkdir_in 8)" "mkdir with a cache writable by others"
        install -m 0600 "$T_TMP/forged" "$T_TMP/forged-link"
        ln -sf "$T_TMP/forged-link" "$cache"
        assert_eq denied "$(mkdir_in 9)" "mkdir with the cache a symlink"
        [ -f "$cache" ] && [ ! -L "$cache" ] || t_fail "the symlink was not replaced by a cache of ours"

        # A profile libseccomp refuses (two conditions on one argument) in the copy: no cache has it, so exec
        # compiles it, and fails with an error naming the rule.
        jq '.linux.seccomp.syscalls[0].args = [ { index: 0, value: 1, op: "SCMP_CMP_NE" },
                                                { index: 0, value: 2, op: "SCMP_CMP_NE" } ]' \
                "$T_TMP/copy.json" >"$OCI_ROOT/oci-sc/config.json"
        assert_fail oci exec oci-sc /bin/true
        oci exec oci-sc /bin/true </dev/null >"$T_TMP/exec.out" 2>&1
        assert_match 'linux\.seccomp\.syscalls\[0\]: libseccomp refuses the rule for mkdir' "$(cat "$T_TMP/exec.out")" \
                "exec's error for a refused rule"
        cp "$T_TMP/copy.json" "$OCI_ROOT/oci-sc/config.json"

        assert_ok oci delete --force oci-sc
        assert_ok oci delete --force oci-sc2
        oci_assert_gone oci-sc
        oci_assert_gone oci-sc2
}

# create compiles the container's filters before the clone, once for every container of the same config:
# the cache in ROOT/.seccomp-cache (0700; not a container id, and not listed), one file (0600) per set of
# inputs, used again without being written. The forged file (one config's key, another's programs) shows
# that the init, and the first exec, load what it holds; writable by others, or in a directory others can
# write, it is not.
test_shared_seccomp_cache() {
        local b=$MACHINES_DIR/oci-ssc b2=$MACHINES_DIR/oci-ssc2 b3=$MACHINES_DIR/oci-ssc3 dir=$OCI_ROOT/.seccomp-cache
        local f f2 ino i=0
        local deny='{ defaultAction: "SCMP_ACT_ALLOW", syscalls: [ { names: [ "mkdir", "mkdirat" ],
                     action: "SCMP_ACT_ERRNO", errnoRet: 1 } ] }'
        oci_bundle oci-ssc /bin/mkdir /out/d
        jq ".linux.seccomp = $deny" "$b/config.json" >"$b/c.new" && mv "$b/c.new" "$b/config.json"
        oci_bundle oci-ssc2 /bin/mkdir /out/d
        jq ".linux.seccomp = $deny | .linux.seccomp.syscalls[0].names = [ \"rmdir\" ]" "$b2/config.json" \
                >"$b2/c.new" && mv "$b2/c.new" "$b2/config.json"
        # mkdir_run BUNDLE: "made" if the payload's mkdir worked, "denied" if not (a new container each time).
        mkdir_run() {
                i=$((i + 1))
                rmdir "$1/out/d" 2>/dev/null
                oci run --bundle "$1" "oci-ssc-r$i" </dev/null >"$T_TMP/run.out" 2>&1
                oci_assert_gone "oci-ssc-r$i"
                [ -d "$1/out/d" ] && echo made || echo denied
        }
        rm -rf "$dir"
        assert_eq denied "$(mkdir_run "$b")" "mkdir, the filter compiled"
        assert_eq "700 0" "$(stat -c '%a %u' "$dir")" "mode and owner of the cache directory"
        f=$(ls "$dir"/bpf-*)
        assert_eq 1 "$(ls "$dir" | wc -l)" "files in the cache after one container"
        assert_eq "600 0" "$(stat -c '%a %u' "$f")" "mode and owner of the cache file"
        ino=$(stat -c %i "$f")
        assert_eq denied "$(mkdir_run "$b")" "mkdir, the filter cached"
        assert_eq "$ino" "$(stat -c %i "$f")" "the cache file, not written again on a hit"
        assert_eq made "$(mkdir_run "$b2")" "mkdir with a profile that denies rmdir"
        assert_eq 2 "$(ls "$dir" | wc -l)" "files in the cache after two configs"
        f2=$(ls "$dir"/bpf-* | grep -vx "$f")
        oci list >"$T_TMP/list.out" 2>&1 || t_fail "list failed: $(cat "$T_TMP/list.out")"
        grep -q seccomp-cache "$T_TMP/list.out" && t_fail "list shows the cache: $(cat "$T_TMP/list.out")"

        # The first config's key with the programs that allow mkdir: loaded, so the cache is what counts.
        forge_seccomp_cache "$f" "$f2" "$T_TMP/forged"
        install -m 0600 "$T_TMP/forged" "$f"
        assert_eq made "$(mkdir_run "$b")" "mkdir with a forged cache file of root's"
        # exec's first process takes its filters from this cache too (no compile), and keeps them as the
        # container's seccomp.bpf.
        oci_bundle oci-ssc3 /bin/sleep 1000
        jq ".linux.seccomp = $deny" "$b3/config.json" >"$b3/c.new" && mv "$b3/c.new" "$b3/config.json"
        oci_detached run --detach --bundle "$b3" oci-ssc3
        oci exec oci-ssc3 /bin/mkdir /out/e </dev/null >"$T_TMP/exec.out" 2>&1
        [ -d "$b3/out/e" ] || t_fail "exec's mkdir was denied: the shared cache was not used ($(cat "$T_TMP/exec.out"))"
        cmp -s "$T_TMP/forged" "$OCI_ROOT/oci-ssc3/seccomp.bpf" ||
                t_fail "the container's seccomp.bpf is not the shared cache's file"
        assert_ok oci delete --force oci-ssc3
        oci_assert_gone oci-ssc3
        # Writable by others, or a symlink: compiled again, and replaced.
        chmod 0622 "$f"
        assert_eq denied "$(mkdir_run "$b")" "mkdir with a cache file writable by others"
        assert_eq "600" "$(stat -c %a "$f")" "the cache file, replaced"
        cmp -s "$f" "$T_TMP/forged" && t_fail "the forged cache file was kept"
        install -m 0600 "$T_TMP/forged" "$T_TMP/forged-link"
        ln -sf "$T_TMP/forged-link" "$f"
        assert_eq denied "$(mkdir_run "$b")" "mkdir with the cache file a symlink"
        [ -f "$f" ] && [ ! -L "$f" ] || t_fail "the symlink was not replaced by a cache file of ours"
        # A profile libseccomp refuses: create compiles it (no cache has it), fails naming the rule, and leaves
        # nothing, not even a cache file.
        jq '.linux.seccomp.syscalls[0].args = [ { index: 0, value: 1, op: "SCMP_CMP_NE" },
                                                { index: 0, value: 2, op: "SCMP_CMP_NE" } ]' "$b3/config.json" \
                >"$b3/c.new" && mv "$b3/c.new" "$b3/config.json"
        ls "$dir" >"$T_TMP/cache-before"
        oci create --bundle "$b3" oci-ssc4 </dev/null >"$T_TMP/create.out" 2>&1 && t_fail "create with a refused rule worked"
        assert_match 'config\.json: linux\.seccomp\.syscalls\[0\]: libseccomp refuses the rule for mkdir' \
                "$(cat "$T_TMP/create.out")" "create's error for a refused rule"
        oci_assert_gone oci-ssc4
        assert_eq "$(cat "$T_TMP/cache-before")" "$(ls "$dir")" "the cache after a refused profile"
        # In a directory others can write: not used at all.
        install -m 0600 "$T_TMP/forged" "$f"
        chmod 0777 "$dir"
        assert_eq denied "$(mkdir_run "$b")" "mkdir with a cache directory writable by others"
        rm -rf "$dir"
        return 0
}

# create and run classify the mount options of config.json with libmount, and keep its answers in
# --root/.mount-options-cache (issue #17): the next container of the same options does not load libmount
# (nor libblkid, libselinux, libpcre2), and its mounts are the same. The file is what counts (a forged one of
# root's is followed); one others can write, a symlink, or LD_LIBRARY_PATH (another libmount) means libmount
# is asked again. An init that needs libmount itself (--no-pivot) still gets it.
test_mount_options_cache() {
        local b=$MACHINES_DIR/oci-moc dir=$OCI_ROOT/.mount-options-cache f i=0
        oci_bundle oci-moc /bin/sh -c 'grep " /t " /proc/self/mountinfo >/out/t'
        jq '.mounts += [ { destination: "/t", type: "tmpfs", source: "tmpfs",
                           options: [ "nosuid", "nodev", "noexec", "mode=0710", "size=1m" ] } ]' \
                "$b/config.json" >"$b/c.new" && mv "$b/c.new" "$b/config.json"
        f=$dir/options.json
        # moc_run [ENV...]: runs the bundle as a new container; prints "libmount" if the CLI loaded it, then
        # the mount options of /t as the payload saw them.
        moc_run() {
                i=$((i + 1))
                rm -f "$b/out/t" "$T_TMP"/ld.*
                env "$@" LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ld" \
                        "${OCI[@]}" run --bundle "$b" "oci-moc-$i" </dev/null >"$T_TMP/run.out" 2>&1 ||
                        t_fail "run $i failed: $(cat "$T_TMP/run.out")"
                oci_assert_gone "oci-moc-$i"
                ls "$T_TMP"/ld.* >/dev/null 2>&1 || t_fail "LD_DEBUG_OUTPUT wrote nothing"
                grep -qs 'libmount\.so' "$T_TMP"/ld.* && echo libmount
                moc_options "$b/out/t"
        }
        # moc_options FILE: the options of the mount in FILE (a line of mountinfo): the mount's own, and
        # whether the superblock's have the file system options of config.json.
        moc_options() {
                awk '{ ok = $NF ~ /(^|,)size=1024k(,|$)/ && $NF ~ /(^|,)mode=710(,|$)/
                       print $6; print (ok ? "size+mode" : "superblock:" $NF) }' "$1"
        }
        rm -rf "$dir"
        assert_eq "libmount rw,nosuid,nodev,noexec,relatime size+mode" "$(moc_run | xargs)" "the first run"
        assert_eq "700 0" "$(stat -c '%a %u' "$dir")" "mode and owner of the cache directory"
        assert_eq "600 0" "$(stat -c '%a %u' "$f")" "mode and owner of the cache file"
        jq -e '.entries[] | select(.options == "nosuid,nodev,noexec,mode=0710,size=1m") |
               .data == "mode=0710,size=1m"' "$f" >/dev/null || t_fail "the cache has no answer for /t: $(cat "$f")"
        assert_eq "rw,nosuid,nodev,noexec,relatime size+mode" "$(moc_run | xargs)" "the second run, without libmount"
        oci list >"$T_TMP/list.out" 2>&1 || t_fail "list failed: $(cat "$T_TMP/list.out")"
        grep -q mount-options "$T_TMP/list.out" && t_fail "list shows the cache: $(cat "$T_TMP/list.out")"

        # A forged answer in a file of root's is followed: read-only.
        jq '(.entries[] | select(.options == "nosuid,nodev,noexec,mode=0710,size=1m") | .flags) |= . + 1' \
                "$f" >"$T_TMP/forged"
        install -m 0600 "$T_TMP/forged" "$f"
        assert_eq "ro,nosuid,nodev,noexec,relatime size+mode" "$(moc_run | xargs)" "the run with a forged answer"
        # Writable by others, a symlink, a directory others can write: libmount answers, the file is replaced.
        chmod 0622 "$f"
        assert_eq "libmount rw,nosuid,nodev,noexec,relatime size+mode" "$(moc_run | xargs)" "a cache file others can write"
        assert_eq 600 "$(stat -c %a "$f")" "the cache file, replaced"
        install -m 0600 "$T_TMP/forged" "$T_TMP/forged-link"
        ln -sf "$T_TMP/forged-link" "$f"
        assert_eq "libmount rw,nosuid,nodev,noexec,relatime size+mode" "$(moc_run | xargs)" "the cache file a symlink"
        [ -f "$f" ] && [ ! -L "$f" ] || t_fail "the symlink was not replaced by a cache file of ours"
        install -m 0600 "$T_TMP/forged" "$f"
        chmod 0777 "$dir"
        assert_eq "libmount rw,nosuid,nodev,noexec,relatime size+mode" "$(moc_run | xargs)" "a cache directory others can write"
        cmp -s "$f" "$T_TMP/forged" || t_fail "a cache directory others can write was written to"
        chmod 0700 "$dir"
        assert_eq "ro,nosuid,nodev,noexec,relatime size+mode" "$(moc_run | xargs)" "the forged answer again"
        # LD_LIBRARY_PATH may choose another libmount: the file is neither used nor written.
        assert_eq "libmount rw,nosuid,nodev,noexec,relatime size+mode" "$(moc_run LD_LIBRARY_PATH=/nonexistent | xargs)" \
                "with LD_LIBRARY_PATH"
        cmp -s "$f" "$T_TMP/forged" || t_fail "the cache file was written with LD_LIBRARY_PATH set"
        rm -f "$f"
        assert_eq "libmount rw,nosuid,nodev,noexec,relatime size+mode" "$(moc_run | xargs)" "after the cache file was removed"

        # The cache answers, the init needs libmount for --no-pivot: create loads it for the init.
        rm -f "$b/out/t"
        env LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ldnp" "${OCI[@]}" run --no-pivot --bundle "$b" oci-moc-np \
                </dev/null >"$T_TMP/run.out" 2>&1 || t_fail "run --no-pivot failed: $(cat "$T_TMP/run.out")"
        oci_assert_gone oci-moc-np
        assert_eq "rw,nosuid,nodev,noexec,relatime size+mode" "$(moc_options "$b/out/t" | xargs)" "/t with --no-pivot"
        grep -qs 'libmount\.so' "$T_TMP"/ldnp.* || t_fail "run --no-pivot did not load libmount for the init"
        return 0
}

# create keeps a copy of config.json in the state directory (0600): start's poststart and delete's poststop
# hooks (as with runc and crun) and exec (as with crun) follow the config the container was made with,
# whatever the bundle's says later or if it is gone; a copy others can write is refused; delete removes it.
test_config_copy() {
        local b=$MACHINES_DIR/oci-cc copy=$OCI_ROOT/oci-cc/config.json
        oci_bundle oci-cc /bin/sleep 1000
        jq --arg out "$b/out" '.hooks = {} | reduce ("poststart", "poststop") as $k (.;
                .hooks[$k] = [ { path: "/bin/sh", args: [ "sh", "-c", "echo made >\($out)/\($k)" ] } ])' \
                "$b/config.json" >"$b/c.new" && mv "$b/c.new" "$b/config.json"
        oci_detached create --bundle "$b" oci-cc
        assert_eq "600 0" "$(stat -c '%a %u' "$copy")" "mode and owner of the copy"
        cmp -s "$copy" "$b/config.json" || t_fail "the copy differs from the bundle's config.json"

        # The bundle's hooks now say "changed", then the bundle's config.json goes.
        sed -i 's/echo made/echo changed/g' "$b/config.json"
        assert_ok oci start oci-cc
        wait_until 5 test -s "$b/out/poststart" || t_fail "the poststart hook did not run"
        assert_eq made "$(cat "$b/out/poststart")" "the poststart hook: the container's, not the bundle's now"
        mv "$b/config.json" "$b/config.json.away"
        assert_eq "container-sh" "$(oci exec oci-cc /bin/sh -c 'echo container-sh' </dev/null 2>&1)" \
                "exec with the bundle's config.json gone"
        # A copy others can write is not read (and not replaced by the bundle's): exec fails, naming it.
        chmod 0622 "$copy"
        assert_one_error "$copy: not a regular file of root's" oci exec oci-cc /bin/true
        chmod 0600 "$copy"
        assert_ok oci delete --force oci-cc
        assert_eq made "$(cat "$b/out/poststop" 2>&1)" "the poststop hook: the container's, after the bundle's went"
        oci_assert_gone oci-cc
}

# --preserve-fds N: the caller's fds 3..3+N-1 reach the payload at the same numbers (run, create/start and
# exec, as runc), no other fd does (CVE-2024-21626), and no LISTEN_FDS is set.
test_preserve_fds() {
        local b=$MACHINES_DIR/oci-pfd out f3=$T_TMP/fd3 f4=$T_TMP/fd4 f5=$T_TMP/fd5 f6=$T_TMP/fd6
        local script='echo three >&3; echo four >&4; echo five >&5; echo "${LISTEN_FDS-unset}" >/out/listen'
        # (one line: oci_bundle takes the arguments line by line)
        script+='; ls /proc/self/fd | sort -n | tr "\n" " " >/out/fds'
        : >"$f3"; : >"$f4"; : >"$f5"
        oci_bundle oci-pfd /bin/sh -c "$script"
        oci run --preserve-fds 2 --bundle "$b" oci-pfd </dev/null >"$T_TMP/run.out" 2>&1 3>>"$f3" 4>>"$f4" 5>>"$f5" ||
                t_fail "run --preserve-fds 2 failed: $(tail -3 "$T_TMP/run.out")"
        assert_eq three "$(cat "$f3")" "what the payload wrote to fd 3"
        assert_eq four "$(cat "$f4")" "what the payload wrote to fd 4"
        assert_eq "" "$(cat "$f5")" "fd 5, not preserved"
        # ls's own directory fd is the next free one: 5.
        assert_eq "0 1 2 3 4 5 " "$(cat "$b/out/fds")" "fds of the payload"
        assert_eq unset "$(cat "$b/out/listen")" "LISTEN_FDS"
        oci_assert_gone oci-pfd

        # create/start: the fds of create's caller.
        : >"$f3"
        oci create --preserve-fds 1 --bundle "$b" oci-pfd </dev/null >"$T_TMP/create.out" 2>&1 3>>"$f3" 4>>"$f4" ||
                t_fail "create --preserve-fds 1 failed: $(tail -3 "$T_TMP/create.out")"
        assert_ok oci start oci-pfd
        wait_until 10 grep -q three "$f3" || t_fail "fd 3 of create's caller: $(cat "$f3")"
        wait_until 10 bash -c "[ \"\$(${OCI[*]} state oci-pfd | jq -r .status)\" = stopped ]" ||
                t_fail "oci-pfd did not stop"
        assert_eq "0 1 2 3 4 " "$(cat "$b/out/fds")" "fds of the payload with --preserve-fds 1"
        assert_ok oci delete oci-pfd

        # exec.
        jq '.process.args = ["/bin/sleep", "1000"]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        oci_detached run --detach --bundle "$b" oci-pfd
        : >"$f6"
        out=$(oci exec --preserve-fds 4 oci-pfd /bin/sh -c 'echo six >&6; ls /proc/self/fd | sort -n | tr "\n" " "' \
                </dev/null 2>&1 3>>"$f3" 4>>"$f4" 5>>"$f5" 6>>"$f6" 8>>"$f6")
        assert_eq six "$(cat "$f6")" "what exec wrote to fd 6"
        assert_eq "0 1 2 3 4 5 6 7 " "$out" "fds of exec --preserve-fds 4 (7: ls's own, 8 not passed)"

        # Bad input: one error line, nothing started.
        assert_one_error "expected a number" oci exec --preserve-fds x oci-pfd /bin/true
        assert_one_error "fd 9 is not open" oci exec --preserve-fds 7 oci-pfd /bin/true 3>>"$f3" 4>>"$f3" 5>>"$f3" \
                6>>"$f3" 7>>"$f3" 8>>"$f3" 9>&-
        assert_ok oci delete --force oci-pfd
        assert_one_error "fd 3 is not open" oci run --preserve-fds 1 --bundle "$b" oci-pfd 3>&-
        oci_assert_gone oci-pfd
}

test_features() {
        local f
        f=$(oci features) || t_fail "features failed"
        assert_eq 1.0.0 "$(echo "$f" | jq -r .ociVersionMin)" "ociVersionMin"
        echo "$f" | jq -e '.hooks | index("createContainer")' >/dev/null || t_fail "hooks"
        echo "$f" | jq -e '.mountOptions | index("nosuid")' >/dev/null || t_fail "mountOptions"
        echo "$f" | jq -e '.linux.capabilities | index("CAP_SYS_ADMIN")' >/dev/null || t_fail "capabilities"
        echo "$f" | jq -e '.linux.namespaces | index("pid")' >/dev/null || t_fail "namespaces"
        assert_eq true "$(echo "$f" | jq -r .linux.cgroup.systemd)" "cgroup.systemd"
        assert_eq true "$(echo "$f" | jq -r .linux.seccomp.enabled)" "seccomp.enabled"
}

t_preflight || exit 1
command -v machined-ext-oci >/dev/null || { echo "machined-ext-oci is not installed" >&2; exit 1; }
oci_delete_all "$OCI_ROOT"
# A bundle that keeps CAP_SYS_ADMIN without a user namespace may remount its read-only paths, as with runc and
# crun: the seccomp rules that keep a PrivateUsers=no machine's mounts read-only (docs/security.md) are for
# machines from settings only.
test_sys_admin_remount() {
        local b=$MACHINES_DIR/oci-sa out
        oci_bundle oci-sa /usr/bin/testpayload attack --out /out/attack.txt
        jq '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] |
            .process.capabilities.permitted += ["CAP_SYS_ADMIN"] |
            .linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)' \
                "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
        jq -e '.linux.readonlyPaths | index("/proc/sys")' "$b/config.json" >/dev/null || t_fail "no readonlyPaths"
        assert_ok oci run --bundle "$b" oci-sa </dev/null
        out=$(cat "$b/out/attack.txt")
        assert_match "done=1" "$out" "probe finished"
        assert_match "^remount-proc-sys=ESCAPED" "$(echo "$out" | grep "^remount-proc-sys=")" "bind remount"
        assert_match "^setattr-proc-sys=ESCAPED" "$(echo "$out" | grep "^setattr-proc-sys=")" "mount_setattr()"
        oci_assert_gone oci-sa
}

# --no-pivot (runc's msMoveRoot): the root is moved over the old one and chroot()ed into, not pivoted into. The
# old root stays in the container's mount namespace, below its root: the namespace holds more mounts than the
# container's /proc/PID/mountinfo shows (after pivot_root the two agree; listmount(2) counts them all). exec
# joins such a container all the same (setns() lands on the top mount of the namespace's root).
# The full proc and sysfs mounts (of their file system's root) in /proc/PID/mountinfo: what PID sees.
full_proc_sysfs_seen() {
        awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { t = $(i + 1); break } }
             (t == "proc" || t == "sysfs") && $4 == "/"' "/proc/$1/mountinfo" | wc -l
}

test_no_pivot() {
        local b=$MACHINES_DIR/oci-np pid ns lines total
        oci_bundle oci-np /bin/sleep 1000
        oci_detached run --detach --bundle "$b" oci-np
        pid=$(oci state oci-np | jq -r .pid)
        ns=$(python3 "$T_REPO/test/integration/mount-ns-count.py" "$pid" 2>&1)
        [[ $ns == total* ]] || skip "no listmount(2)/statmount(2) by namespace ID (Linux 6.11+): $ns"
        lines=$(wc -l <"/proc/$pid/mountinfo")
        assert_eq "total $lines" "$(echo "$ns" | grep ^total)" "pivot_root: every mount of the namespace is below the root"
        assert_ok oci delete --force oci-np

        oci_detached run --detach --no-pivot --bundle "$b" oci-np
        pid=$(oci state oci-np | jq -r .pid)
        ns=$(python3 "$T_REPO/test/integration/mount-ns-count.py" "$pid" 2>&1)
        lines=$(wc -l <"/proc/$pid/mountinfo")
        total=$(echo "$ns" | sed -n 's/^total //p')
        [ "$total" -gt "$lines" ] ||
                t_fail "--no-pivot: $total mounts in the namespace, $lines below the root: the old root is gone"
        # runc's masking: of the full proc and sysfs mounts, only the container's own are left.
        assert_eq "full $(full_proc_sysfs_seen "$pid")" "$(echo "$ns" | grep ^full)" \
                "--no-pivot: full proc and sysfs mounts in the namespace, as many as the container sees"
        assert_eq cat "$(oci exec oci-np /bin/cat /proc/self/comm </dev/null 2>&1)" "exec into a --no-pivot container"
        assert_ok oci delete --force oci-np
        oci_assert_gone oci-np

        # create/start too.
        jq '.process.args = ["/bin/sh", "-c", "cat /proc/self/comm >/out/comm"]' "$b/config.json" >"$b/c" &&
                mv "$b/c" "$b/config.json"
        oci_detached create --no-pivot --bundle "$b" oci-np
        assert_ok oci start oci-np
        wait_until 10 grep -q cat "$b/out/comm" || t_fail "the payload did not run"
        wait_until 10 bash -c "[ \"\$(${OCI[*]} state oci-np | jq -r .status)\" = stopped ]" || t_fail "not stopped"
        assert_ok oci delete oci-np
        oci_assert_gone oci-np
}

# process.terminal: the init's console is a pty of the container's own devpts, made once its /dev is set up
# (as runc): /dev/console is bound to it, it is the payload's stdio and controlling terminal, and its master
# goes to --console-socket (create, run), or run relays it in the foreground without one.
test_console() {
        local b=$MACHINES_DIR/oci-con sock=$T_TMP/console-init.sock out pid rc=0 script
        # (one line: oci_bundle takes the arguments line by line)
        script='echo "tty=$(tty)"; : </dev/tty && echo ctty; stat -c "dev=%d" "$(tty)" /dev/pts'
        oci_bundle oci-con /bin/sh -c "$script; stat -c console=%t:%T /dev/console \"\$(tty)\"; sleep 1000"
        jq '.process.terminal = true' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"

        rm -f "$sock" "$T_TMP/tty.out"
        python3 "$T_REPO/test/integration/console-socket.py" "$sock" "$T_TMP/tty.out" >"$T_TMP/cs.out" &
        wait_until 5 grep -q ready "$T_TMP/cs.out" || t_fail "console socket receiver did not start"
        oci_detached create --console-socket "$sock" --bundle "$b" oci-con
        assert_ok oci start oci-con
        pid=$(oci state oci-con | jq -r .pid)
        wait_until 10 grep -q "console=" "$T_TMP/tty.out" || t_fail "no terminal output: $(cat "$T_TMP/tty.out")"
        out=$(tr -d '\r' <"$T_TMP/tty.out")
        oci_assert_container_pty "$pid" "$out" "create --console-socket"
        assert_match "ctty" "$out" "the console is the payload's controlling terminal"
        assert_eq 1 "$(echo "$out" | sed -n 's/^console=//p' | sort -u | wc -l)" "/dev/console is the pty: $out"
        assert_ok oci delete --force oci-con
        wait
        oci_assert_gone oci-con

        # run without a console socket: the same pty, relayed.
        jq '.process.args[2] |= sub("sleep 1000"; "exit 6")' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        out=$(oci run --bundle "$b" oci-con </dev/null 2>&1) || rc=$?
        out=$(echo "$out" | tr -d '\r')
        assert_eq 6 "$rc" "exit status of run with a terminal"
        assert_match "^/dev/pts/[0-9]+\$" "$(echo "$out" | sed -n 's/^tty=//p')" "run: tty(1) inside"
        assert_match "ctty" "$out" "run: the controlling terminal"
        assert_eq 1 "$(echo "$out" | sed -n 's/^dev=//p' | sort -u | wc -l)" "run: one devpts for the pty and /dev/pts"
        oci_assert_gone oci-con

        # A console socket nobody listens on: one error, nothing left.
        assert_one_error "console-socket" oci create --console-socket "$T_TMP/nobody.sock" --bundle "$b" oci-con
        oci_assert_gone oci-con
}

# --no-new-keyring: the payload keeps the session keyring of create's caller; without it, a new anonymous one
# (as runc). keyctl() is the payload's to call no more (nspawn's deny list), nor its startContainer hook's, and
# /proc/keys is masked: seen from the host, where a session keyring that no process holds any more is dropped
# by the kernel. Each caller (testpayload keyring-session) has one of its own; once run --detach has returned,
# only a payload that kept it holds it.
test_no_new_keyring() {
        local b=$MACHINES_DIR/oci-kr
        oci_bundle oci-kr /bin/sleep 1000
        "$PAYLOAD" keyring-session mxtest-kr-keep "${OCI[@]}" run --detach --no-new-keyring --bundle "$b" oci-kr \
                </dev/null >"$T_TMP/kr.out" 2>&1 || t_fail "run --no-new-keyring: $(cat "$T_TMP/kr.out")"
        "$PAYLOAD" keyring-session mxtest-kr-new "${OCI[@]}" run --detach --bundle "$b" oci-kr2 \
                </dev/null >"$T_TMP/kr.out" 2>&1 || t_fail "run: $(cat "$T_TMP/kr.out")"
        wait_until 10 eval '! grep -q " mxtest-kr-new: " /proc/keys' ||
                t_fail "the caller's session keyring is still held without --no-new-keyring"
        grep -q " mxtest-kr-keep: " /proc/keys ||
                t_fail "the caller's session keyring was dropped with --no-new-keyring: the payload has another"
        assert_ok oci delete --force oci-kr
        assert_ok oci delete --force oci-kr2
        wait_until 10 eval '! grep -q " mxtest-kr-keep: " /proc/keys' ||
                t_fail "the caller's session keyring is still held after delete"
        oci_assert_gone oci-kr
        oci_assert_gone oci-kr2
}

# The startContainer hook, a program of the image, runs with what the payload gets and no more (as runc runs
# it): its user, groups, capabilities, no_new_privs, seccomp filters and umask. It ran before the payload's
# drop of privileges, as root with the whole bounding set and no filter.
test_start_hook_confined() {
        local b=$MACHINES_DIR/oci-hc hook payload k
        oci_bundle oci-hc /usr/bin/testpayload report --out /out/payload.txt
        jq '.process.user = { uid: 1000, gid: 1000, additionalGids: [ 1001 ] } | .process.noNewPrivileges = true |
            .hooks.startContainer = [ { path: "/usr/bin/testpayload",
                                        args: [ "testpayload", "report", "--out", "/out/hook.txt" ] } ]' \
                "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        chmod 1777 "$b/out"
        assert_ok oci run --bundle "$b" oci-hc </dev/null
        hook=$(cat "$b/out/hook.txt") || t_fail "the hook wrote no report"
        payload=$(cat "$b/out/payload.txt") || t_fail "the payload wrote no report"
        assert_eq 1000 "$(report_get "$payload" uid)" "the payload's uid"
        for k in uid gid groups cap.eff cap.prm cap.inh cap.amb cap.bnd seccomp nonewprivs umask; do
                assert_eq "$(report_get "$payload" $k)" "$(report_get "$hook" $k)" "the hook's $k against the payload's"
        done
        oci_assert_gone oci-hc
}

# machined-ext-oci in $PATH is the CLI's static launcher, without a library of its own to load: the process it
# becomes runs the CLI's file (in libexecdir) from a detached read-only mount, under its name, started once
# (the CLI does not execute itself again).
test_launcher_runs_cli() {
        local b=$MACHINES_DIR/oci-la cli launcher pid
        cli=$(oci_cli_file) || t_fail "the CLI's installed file is not known"
        launcher=$(command -v machined-ext-oci)
        assert_ne "$cli" "$launcher" "the launcher in \$PATH"
        ldd "$launcher" 2>&1 | grep -q "not a dynamic executable" || t_fail "the launcher loads libraries: $(ldd "$launcher" 2>&1 | head -3)"
        # The dynamic loader starts the CLI once for a run (the payload, busybox, is static): it tells so in
        # a file per process with LD_DEBUG.
        oci_bundle oci-la /bin/true
        mkdir -p "$T_TMP/ld"
        assert_ok env LD_DEBUG=files LD_DEBUG_OUTPUT="$T_TMP/ld/run" "${OCI[@]}" run --bundle "$b" oci-la </dev/null
        assert_eq 1 "$(cat "$T_TMP"/ld/run.* | grep -c 'transferring control')" "programs the dynamic loader started"
        oci_assert_gone oci-la
        b=$MACHINES_DIR/oci-lb
        oci_bundle oci-lb /bin/sleep 1000
        "${OCI[@]}" run --bundle "$b" oci-lb </dev/null >"$T_TMP/lb.out" 2>&1 &
        pid=$!
        for _ in $(seq 100); do
                [ "$(oci state oci-lb 2>/dev/null | jq -r .status)" = running ] && break
                sleep 0.1
        done
        [ "$(oci state oci-lb 2>/dev/null | jq -r .status)" = running ] ||
                t_fail "the container did not start: $(cat "$T_TMP/lb.out")"
        python3 - "$pid" "$cli" <<'PY' || t_fail "machined-ext-oci run is not the CLI from a detached read-only mount"
import os, sys
pid, cli = sys.argv[1], sys.argv[2]
exe = f"/proc/{pid}/exe"
a, b = os.stat(exe), os.stat(cli)
assert (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino), f"{exe} is not {cli}"
assert os.statvfs(exe).f_flag & os.ST_RDONLY, "not on a read-only mount"
fd = os.open(exe, os.O_PATH)
mnt = next(int(l.split()[1]) for l in open(f"/proc/self/fdinfo/{fd}") if l.startswith("mnt_id:"))
ids = {int(l.split()[0]) for l in open(f"/proc/{pid}/mountinfo")}
assert mnt not in ids, f"on mount {mnt} of the namespace, not a detached one"
PY
        assert_eq machined-ext-oc "$(cat /proc/$pid/comm)" "the CLI's name"
        assert_ok oci kill oci-lb KILL
        wait "$pid"     # run deletes the container once its process has exited
        oci_assert_gone oci-lb
}

# machined-ext-oci started with one of its stdio fds closed (`2>&-` in a script): the first fds it opened took
# that number, and the payload got them as its stdio: the container's state directory of the host as fd 2
# (openat(2, "..") walks the host), a bus socket, ... (a way out, as CVE-2024-21626's leaked fd). The CLI
# (and the daemon, and machinectl-ext) now open /dev/null in its place first.
test_closed_stdio() {
        local b=$MACHINES_DIR/oci-cs fd f rep want
        oci_bundle oci-cs /usr/bin/testpayload report --out /out/report.txt
        for fd in 0 1 2; do
                rm -f "$b/out/report.txt"
                bash -c 'exec '"$fd"'>&-; exec "$@"' closer "${OCI[@]}" run --bundle "$b" oci-cs \
                        </dev/null >"$T_TMP/cs.out" 2>"$T_TMP/cs.err" ||
                        t_fail "run with fd $fd closed failed: $(cat "$T_TMP/cs.err" "$T_TMP/cs.out")"
                rep=$(cat "$b/out/report.txt") || t_fail "no report with fd $fd closed"
                for f in 0 1 2; do
                        case $f in 0) want=chr ;; *) want=reg ;; esac
                        [ "$f" = "$fd" ] && want=chr
                        assert_eq "$want" "$(report_get "$rep" "fd.$f.type")" \
                                "the payload's fd $f with fd $fd of the CLI closed ($(report_get "$rep" "fd.$f"))"
                done
                assert_match null "$(report_get "$rep" "fd.$fd")" "the payload's fd $fd with it closed in the CLI"
                oci_assert_gone oci-cs
        done
}

# What the container goes without is said at the normal level, not only with --debug: linux.resources without
# the systemd cgroup manager (the limits are the scope's properties: a pids limit would not hold).
test_unapplied_warned() {
        local b=$MACHINES_DIR/oci-uw out
        oci_bundle oci-uw /bin/true
        jq '.linux.resources.pids = { limit: 50 }' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        out=$(oci --cgroup-manager cgroupfs run --bundle "$b" oci-uw 2>&1 </dev/null) || t_fail "run failed: $out"
        assert_match "warning.*linux.resources: not applied with --cgroup-manager cgroupfs.*TasksMax" "$out" "resources"
        oci_assert_gone oci-uw
        # With systemd's, the limits are applied: no such warning.
        out=$(oci run --bundle "$b" oci-uw 2>&1 </dev/null) || t_fail "run failed: $out"
        case $out in *linux.resources*) t_fail "a warning about linux.resources with the systemd cgroup manager: $out" ;; esac
        oci_assert_gone oci-uw
}

# jq FILTER applied to BUNDLE's config.json in place.
oci_config_edit() {     # BUNDLE FILTER
        jq "$2" "$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json" ||
                t_fail "jq '$2' failed"
}

# process.scheduler, ioPriority and execCPUAffinity (runtime-spec 1.2), as runc applies them: the container's
# process and an exec'd one get the policy, nice level and I/O priority; an exec'd process runs on
# execCPUAffinity's CPUs ("initial" for its set-up, then "final"); without it, and the container's own process
# always, on every CPU: not on those its caller was confined to (taskset). A real-time policy from inside a
# user namespace is refused (its root has no CAP_SYS_NICE of the host); a config sched_setattr() would refuse
# is refused up front, naming the field; neither leaves anything behind.
test_scheduling() {
        local b=$MACHINES_DIR/oci-sched all rep out pid
        all=$(cat /sys/devices/system/cpu/online)
        [ "$all" != 0 ] || skip "one CPU: nothing to confine to"
        oci_bundle oci-sched /usr/bin/testpayload report --out /out/report.txt
        oci_config_edit "$b" '.process.scheduler = { policy: "SCHED_BATCH", nice: 7 } |
                .process.ioPriority = { class: "IOPRIO_CLASS_IDLE", priority: 0 }'
        out=$(taskset -c 0 "${OCI[@]}" run --bundle "$b" oci-sched 2>&1 </dev/null) || t_fail "run failed: $out"
        case $out in *warning*) t_fail "warnings: $out" ;; esac
        rep=$(cat "$b/out/report.txt")
        assert_eq 3 "$(report_get "$rep" sched.policy)" "the policy of process.scheduler SCHED_BATCH"
        assert_eq 7 "$(report_get "$rep" sched.nice)" "process.scheduler.nice"
        assert_eq 3:0 "$(report_get "$rep" ioprio)" "process.ioPriority IOPRIO_CLASS_IDLE"
        assert_eq "$all" "$(report_get "$rep" cpus)" "the CPUs of a run under taskset -c 0"
        oci_assert_gone oci-sched

        # A real-time policy: refused in a user namespace, naming the field; granted without. (Even with the
        # host's root mapped to the container's, which lets it into the root-owned bundle: a capability of a
        # user namespace is never one of the host's.)
        oci_config_edit "$b" '.process.scheduler = { policy: "SCHED_FIFO", priority: 5 } | del(.process.ioPriority) |
                .linux.namespaces += [ { type: "user" } ] |
                .linux.uidMappings = [ { containerID: 0, hostID: 0, size: 65536 } ] |
                .linux.gidMappings = [ { containerID: 0, hostID: 0, size: 65536 } ]'
        out=$(oci run --bundle "$b" oci-sched 2>&1 </dev/null) && t_fail "SCHED_FIFO in a user namespace: the run succeeded"
        assert_match "Failed to set up container 'oci-sched': apply limits: process.scheduler: Operation not permitted" \
                "$out" "SCHED_FIFO in a user namespace"
        oci_assert_gone oci-sched
        # ... and it is create that fails, as runc's (the init applies it before it waits for start).
        out=$(oci create --bundle "$b" oci-sched 2>&1 </dev/null) && t_fail "SCHED_FIFO in a user namespace: create succeeded"
        assert_match "Failed to set up container 'oci-sched': apply limits: process.scheduler: Operation not permitted" \
                "$out" "create with SCHED_FIFO in a user namespace"
        oci_assert_gone oci-sched
        oci_config_edit "$b" '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)'
        rm -f "$b/out/report.txt"
        assert_ok oci run --bundle "$b" oci-sched </dev/null
        rep=$(cat "$b/out/report.txt")
        assert_eq "1 5" "$(report_get "$rep" sched.policy) $(report_get "$rep" sched.priority)" "SCHED_FIFO, priority 5"
        oci_assert_gone oci-sched
        # What sched_setattr() would refuse, before anything is made.
        oci_config_edit "$b" '.process.scheduler = { policy: "SCHED_OTHER", priority: 5 }'
        assert_one_error "config.json: process.scheduler.priority: only SCHED_FIFO and SCHED_RR have one" \
                oci run --bundle "$b" oci-sched
        oci_assert_gone oci-sched
        oci_config_edit "$b" 'del(.process.scheduler) | .process.execCPUAffinity = { initial: "2-1" }'
        assert_one_error "config.json: process.execCPUAffinity.initial: range with start above end" \
                oci run --bundle "$b" oci-sched
        oci_assert_gone oci-sched

        # exec: the config's execCPUAffinity (final: CPU 1) applies to it, not to the container's process.
        oci_config_edit "$b" '.process.args = [ "/usr/bin/testpayload", "sleep", "inf" ] |
                .process.execCPUAffinity = { final: "1" }'
        taskset -c 0 "${OCI[@]}" run --detach --bundle "$b" oci-sched >"$T_TMP/d.out" 2>&1 </dev/null ||
                t_fail "run --detach failed: $(cat "$T_TMP/d.out")"
        pid=$(oci state oci-sched | jq -r .pid)
        assert_eq "$all" "$(awk '/^Cpus_allowed_list:/ { print $2 }' /proc/"$pid"/status)" "the container process's CPUs"
        rep=$(taskset -c 0 "${OCI[@]}" exec oci-sched /usr/bin/testpayload report </dev/null 2>&1)
        assert_eq 1 "$(report_get "$rep" cpus)" "the CPUs of exec with the config's execCPUAffinity.final"
        # --process: its own scheduler, I/O priority and CPUs; "initial" alone is where the process stays.
        proc() {        # EXTRA-JSON: a process object running testpayload report
                echo '{ "args": [ "/usr/bin/testpayload", "report" ], "cwd": "/", "user": { "uid": 0, "gid": 0 }'"$1"' }' \
                        >"$T_TMP/p.json"
        }
        proc ', "scheduler": { "policy": "SCHED_IDLE" }, "ioPriority": { "class": "IOPRIO_CLASS_BE", "priority": 6 },
              "execCPUAffinity": { "initial": "1" }'
        rep=$(taskset -c 0 "${OCI[@]}" exec --process "$T_TMP/p.json" oci-sched </dev/null 2>&1)
        assert_eq "5 2:6 1" "$(report_get "$rep" sched.policy) $(report_get "$rep" ioprio) $(report_get "$rep" cpus)" \
                "exec --process: SCHED_IDLE, IOPRIO_CLASS_BE 6, initial CPU 1"
        proc ', "execCPUAffinity": { "initial": "1", "final": "0" }'
        rep=$(oci exec --process "$T_TMP/p.json" oci-sched </dev/null 2>&1)
        assert_eq 0 "$(report_get "$rep" cpus)" "exec --process with initial 1, final 0"
        proc ''
        rep=$(taskset -c 0 "${OCI[@]}" exec --process "$T_TMP/p.json" oci-sched </dev/null 2>&1)
        assert_eq "$all" "$(report_get "$rep" cpus)" "exec --process without execCPUAffinity, under taskset -c 0"
        proc ', "execCPUAffinity": { "initial": "", "final": "" }'
        rep=$(taskset -c 0 "${OCI[@]}" exec --process "$T_TMP/p.json" oci-sched </dev/null 2>&1)
        assert_eq "$all" "$(report_get "$rep" cpus)" "exec --process with empty execCPUAffinity lists, under taskset -c 0"
        proc ', "execCPUAffinity": { "final": "1024" }'
        assert_one_error "process.execCPUAffinity.final: CPU index above 1023" \
                oci exec --process "$T_TMP/p.json" oci-sched
        assert_ok oci delete --force oci-sched
        oci_assert_gone oci-sched
}

# The bundle's cgroup mount keeps its "ro" (the default spec's, as runc honours it): the payload cannot write
# cgroup.* files of its cgroup namespace's root (cgroup.freeze, cgroup.kill, cgroup.max.descendants). "rw"
# makes it writable (a systemd inside), except with --cgroup-manager disabled, where that root is the caller's.
cgroup_mount_options() {        # BUNDLE ID [OCI OPTIONS...]: the options of the payload's /sys/fs/cgroup mount
        local b=$1 id=$2
        shift 2
        rm -f "$b/out/cg"
        oci "$@" run --bundle "$b" "$id" </dev/null >/dev/null 2>"$T_TMP/cg.err" ||
                t_fail "run $*: $(cat "$T_TMP/cg.err")"
        awk '$5 == "/sys/fs/cgroup" { split($6, o, ","); print o[1] }' "$b/out/cg"
}

test_cgroup_mount_ro() {
        local b=$MACHINES_DIR/oci-cgro
        oci_bundle oci-cgro /bin/sh -c 'cat /proc/self/mountinfo >/out/cg; (echo 1 >/sys/fs/cgroup/cgroup.max.descendants) 2>/out/err; exit 0'
        jq -e '.mounts[] | select(.destination == "/sys/fs/cgroup") | .options | index("ro")' "$b/config.json" >/dev/null ||
                t_fail "the spec's cgroup mount is not ro"
        assert_eq ro "$(cgroup_mount_options "$b" oci-cgro)" "the cgroup mount of the default spec"
        assert_match "Read-only file system" "$(cat "$b/out/err")" "the payload's write to cgroup.max.descendants"
        oci_assert_gone oci-cgro
        jq '(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) |= (map(select(. != "ro")) + ["rw"])' \
                "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        assert_eq rw "$(cgroup_mount_options "$b" oci-cgro)" "the cgroup mount asked rw"
        oci_assert_gone oci-cgro
        assert_eq ro "$(cgroup_mount_options "$b" oci-cgro --cgroup-manager disabled)" "rw asked, no cgroup manager"
        assert_match "cgroup mount is read-only with --cgroup-manager disabled" "$(cat "$T_TMP/cg.err")" "its warning"
        jq 'del(.mounts[] | select(.destination == "/sys/fs/cgroup"))' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
        assert_eq ro "$(cgroup_mount_options "$b" oci-cgro)" "no cgroup mount in the bundle"
        oci_assert_gone oci-cgro
}

# The launcher as a user without the right to mount (EPERM from open_tree()): the CLI as it is. And with the
# CLI's file missing: one line naming the file and why, exit status 1.
test_launcher_fallbacks() {
        local cli out rc
        out=$(setpriv --reuid=65534 --regid=65534 --clear-groups machined-ext-oci --version 2>&1) ||
                t_fail "--version as nobody: $out"
        assert_match '^machined-ext-oci version ' "$out" "--version as nobody"
        cli=$(oci_cli_file) || t_fail "the CLI's installed file is not known"
        mv "$cli" "$cli.away" || t_fail "cannot move $cli"
        out=$(machined-ext-oci --version 2>&1)
        rc=$?
        mv "$cli.away" "$cli"
        assert_eq 1 "$rc" "the exit status without the CLI"
        assert_eq "machined-ext-oci: cannot execute $cli: No such file or directory" "$out" "the launcher's error"
}

oci_run_test oci-cli-spec test_spec
oci_run_test oci-cli-launcher-runs-cli test_launcher_runs_cli
oci_run_test oci-cli-launcher-fallbacks test_launcher_fallbacks
oci_run_test oci-cli-closed-stdio test_closed_stdio
oci_run_test oci-cli-unapplied-warned test_unapplied_warned
oci_run_test oci-cli-scheduling test_scheduling
oci_run_test oci-cli-cgroup-mount-ro test_cgroup_mount_ro
oci_run_test oci-cli-start-hook-confined test_start_hook_confined
oci_run_test oci-cli-device-policy test_device_policy
oci_run_test oci-cli-device-policy-fails test_device_policy_fails
oci_run_test oci-cli-cgroup-manager-disabled test_cgroup_manager_disabled
oci_run_test oci-cli-cgroups-path-taken test_cgroups_path_taken
oci_run_test oci-cli-lock-follows-id test_lock_follows_id
oci_run_test oci-cli-root-trust test_root_trust
oci_run_test oci-cli-create-killed test_create_killed
oci_run_test oci-cli-create-killed-bad-record test_create_killed_bad_record
oci_run_test oci-cli-run test_run
oci_run_test oci-cli-run-registration-fails test_run_registration_fails
oci_run_test oci-cli-systemd-private test_systemd_private
oci_run_test oci-cli-hooks-in-scope test_hooks_in_scope
oci_run_test oci-cli-lifecycle test_lifecycle
oci_run_test oci-cli-delete-force test_delete_force
oci_run_test oci-cli-bad-input test_bad_input
oci_run_test oci-cli-cgroup-managers test_cgroup_managers
oci_run_test oci-cli-pause-ps-update test_pause_ps_update
oci_run_test oci-cli-created-pause test_created_pause
oci_run_test oci-cli-exec test_exec
oci_run_test oci-cli-exec-seccomp-cache test_exec_seccomp_cache
oci_run_test oci-cli-shared-seccomp-cache test_shared_seccomp_cache
oci_run_test oci-cli-mount-options-cache test_mount_options_cache
oci_run_test oci-cli-config-copy test_config_copy
oci_run_test oci-cli-preserve-fds test_preserve_fds
oci_run_test oci-cli-features test_features
oci_run_test oci-cli-sys-admin-remount test_sys_admin_remount
oci_run_test oci-cli-console test_console
oci_run_test oci-cli-no-pivot test_no_pivot
oci_run_test oci-cli-no-new-keyring test_no_new_keyring

t_summary
