#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Domain errors (docs/dbus-api.md "Errors", src/shared/bus-api.h) as a client sees them: each has its own
# error name and a message that says what is wrong, on the bus and from machinectl-ext; and a real failure
# with a once-borrowed errno is not taken for one (KillMachine of a leader that has exited is "not running",
# not NotReady). Mount options through libmount (TemporaryFileSystem=, Bind=) at work in a container.

set -u
. "$(dirname "$0")/lib.sh"

SLEEP_CMD="/usr/bin/testpayload sleep 1000 --report /tmp/r.txt"

# machinectl-ext ARGS...: its standard error, and "rc=N" as last line.
cli_err() {
        local rc=0
        machinectl-ext "$@" 2>&1 >/dev/null || rc=$?
        echo "rc=$rc"
}

test_cli_no_such_machine() {
        local n=mxbe-nosuch out
        rm -rf "${MACHINES_DIR:?}/$n" "$SETTINGS_DIR/$n.nspawn"
        assert_error org.machinedext1.NoSuchMachine StartMachine string:$n >/dev/null
        out=$(cli_err start $n)
        assert_match "^Failed to start machine $n: No machine '$n': neither /var/lib/machines/$n nor a settings file $n.nspawn exists" "$out" "start"
        assert_match "rc=1$" "$out" "exit status"
        out=$(cli_err stop $n)
        assert_match "^Failed to stop machine $n: No such machine '$n'" "$out" "stop"
}

test_cli_not_running() {
        local n=mxbe-idle out
        mx_root $n
        assert_error org.machinedext1.NoSuchMachine StopMachine string:$n >/dev/null
        out=$(cli_err stop $n)
        assert_match "^Failed to stop machine $n: Machine '$n' is not running" "$out" "stop"
        out=$(cli_err kill --kill-whom=leader $n)
        assert_match "^Failed to kill machine $n: Machine '$n' is not running" "$out" "kill"
}

test_cli_exists_and_settings() {
        local n=mxbe-run b=mxbe-bad out
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nNotifyReady=no\n"
        mx_start $n
        assert_error org.machinedext1.MachineExists StartMachine string:$n >/dev/null
        out=$(cli_err start $n)
        assert_match "^Failed to start machine $n: Machine '$n' is already running" "$out" "start twice"

        mx_root $b
        mx_settings $b "[Exec]\nParameters=$SLEEP_CMD\n[Files]\nTemporaryFileSystem=/mnt/t:mode=0700,nofail\n"
        assert_error org.machinedext1.InvalidSettings StartMachine string:$b >/dev/null
        out=$(cli_err start $b)
        assert_match "^Failed to start machine $b: $SETTINGS_DIR/$b.nspawn:4: Invalid value for TemporaryFileSystem=" "$out" "bad settings"
}

test_cli_exec_and_timeout() {
        local n=mxbe-noexec t=mxbe-slow out
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/no/such/command\n"
        out=$(cli_err start $n)
        assert_match "^Failed to start machine $n: Failed to execute /no/such/command in machine '$n': No such file or directory" "$out" "exec"

        mx_root $t
        mx_settings $t "[Exec]\nParameters=$SLEEP_CMD\nNotifyReady=yes\nTimeoutStartSec=1\n"
        out=$(cli_err start --ready $t)
        assert_match "Machine '$t' did not report READY=1 within 1s" "$out" "start --ready"
        assert_match "rc=1$" "$out" "exit status"
}

test_cli_no_console() {
        local n=mxbe-passive out
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nNotifyReady=no\nConsole=passive\n"
        mx_start $n
        assert_error org.machinedext1.NoConsole OpenMachineConsole string:$n >/dev/null
        out=$(cli_err console $n)
        assert_match "has no console to attach to \(Console=passive\)" "$out" "console"
}

# The leader has exited, the run is still being cleaned up (systemd-machined, stopped here, has not answered
# UnregisterMachine yet): kill() through the pidfd fails with ESRCH. That is "not running", never NotReady
# (the errno ESRCH was once borrowed for "exited before it was ready").
test_kill_after_exit() {
        local n=mxbe-exited mp e
        mp=$(systemctl show -P MainPID systemd-machined)
        [ -n "$mp" ] && [ "$mp" != 0 ] || t_fail "systemd-machined is not running"
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nNotifyReady=no\n"
        mx_start $n
        trap 'kill -CONT '"$mp"' 2>/dev/null' EXIT
        kill -STOP "$mp"
        assert_ok mx KillMachine ssi $n leader 9
        # Reaped, and "stopping" until systemd-machined answers.
        wait_until 10 bash -c "machinectl-ext show -p State --value $n | grep -qx stopping" || t_fail "not stopping"
        e=$(assert_error org.machinedext1.NoSuchMachine KillMachine string:$n string:leader int32:15) || exit 1
        assert_match "Machine '$n' is not running" "$e" "KillMachine after exit"
        kill -CONT "$mp"
        wait_until 20 mx_gone $n || t_fail "$n not gone after systemd-machined went on"
}

# A unit of the machine's scope name exists already: systemd refuses StartTransientUnit with UnitExists
# (errno EEXIST). That is a failed set-up naming the unit, not "already running" (EEXIST was once borrowed
# for MachineExists).
test_scope_exists() {
        local n=mxbestale e
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nNotifyReady=no\n"
        systemd-run --quiet --scope --unit=machine-$n.scope sleep 1000 </dev/null >/dev/null 2>&1 &
        trap 'systemctl stop machine-'"$n"'.scope 2>/dev/null' EXIT
        wait_until 10 systemctl is-active --quiet machine-$n.scope || t_fail "no scope machine-$n.scope"
        e=$(assert_error org.machinedext1.SetupFailed StartMachine string:$n) || exit 1
        assert_match "machine-$n\.scope" "$e" "message names the unit"
        systemctl stop machine-$n.scope
        wait_until 10 mx_gone $n || t_fail "$n left behind"
        mx_start $n
}

# TemporaryFileSystem= options classified by libmount: noatime is a mount attribute (the old table gave it to
# the tmpfs, which refused it), mode= and size= tmpfs parameters. Bind=...:noidmap is the default (the old
# matching took it for idmap and refused the mount).
test_mount_options() {
        local n=mxbe-mnt src=/tmp/mxbe-src l o
        mkdir -p $src && echo hostfile >$src/f
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$SLEEP_CMD\nNotifyReady=no\n[Files]\nTemporaryFileSystem=/mnt/t:noatime,mode=0700,size=1M\nBind=$src:/mnt/b:noidmap,norbind\n"
        mx_start $n
        l=$(leader_of $n)
        [ -n "$l" ] || t_fail "no leader"
        o=$(findmnt --task $l --raw --noheadings --output TARGET,OPTIONS | awk '$1 == "/mnt/t" { print $2 }')
        assert_match "(^|,)noatime(,|$)" "$o" "/mnt/t options"
        assert_match "(^|,)mode=700(,|$)" "$o" "/mnt/t mode"
        assert_eq "hostfile" "$(cat /proc/$l/root/mnt/b/f)" "/mnt/b content"
        rm -rf $src
}

t_preflight || exit 1

# Errors quoting text the bus would refuse (a noncharacter, bytes that are not UTF-8) from an image's settings
# file or a bundle still come back as errors, at once, instead of a reply sd-bus cannot build (the caller
# waited for its timeout); and a Parameters= that is not UTF-8 leaves the machine's properties readable.
test_error_text() {
        local n=mxbe-text b=mxbe-text-oci got t0
        mx_baseline
        mx_root $n
        mx_settings $n ""
        printf '[Exec\357\277\276\n' >$SETTINGS_DIR/$n.nspawn
        t0=$(date +%s)
        got=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n)
        assert_match "$n.nspawn:1: Invalid section header '\[Exec\?\?\?'" "$got" "section header with U+FFFE"
        [ $(( $(date +%s) - t0 )) -lt 10 ] || t_fail "the error took $(( $(date +%s) - t0 )) s"
        # An argument that is not UTF-8 is taken (as by systemd-nspawn), and shown with '?': the machine's
        # properties stay readable.
        printf '[Exec]\nParameters=/bin/sh -c "sleep 1000" x\377\357\277\276\n' >$SETTINGS_DIR/$n.nspawn
        mx_start $n
        assert_eq "4 /bin/sh -c sleep 1000 x????" "$(mx_prop $n Command)" "Command with bytes that are not UTF-8"
        assert_getall $n
        mx_stop_gone $n
        assert_no_leftovers $n

        mx_root $b "$MACHINES_DIR/$b/rootfs"
        printf '%s\n' '{ "ociVersion": "1.0.2", "root": { "path": "rootfs" }, "hostname": "a\ufffeb",' \
                '  "process": { "cwd": "/", "args": [ "/bin/true" ] } }' >"$MACHINES_DIR/$b/config.json"
        mx_settings $b "[Files]\nOCIBundle=$MACHINES_DIR/$b\n"
        t0=$(date +%s)
        got=$(mx_error StartMachine string:$b)
        [ "$got" != ok ] || t_fail "a hostname with U+FFFE was taken"
        assert_match "hostname" "$got" "the error names the field"
        [ $(( $(date +%s) - t0 )) -lt 10 ] || t_fail "the error took $(( $(date +%s) - t0 )) s"
        assert_no_leftovers $b

        # What the machine's state could not keep is refused before anything starts: a root with a control
        # character (the state's writer refuses it, and the machine would run without a state), a bundle path
        # with one.
        printf '%s\n' '{ "ociVersion": "1.0.2", "root": { "path": "root\u0001fs" },' \
                '  "process": { "cwd": "/", "args": [ "/bin/true" ] } }' >"$MACHINES_DIR/$b/config.json"
        got=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$b)
        assert_match "root.path: the root directory .*/root\?fs is not a UTF-8 path without control characters" \
                "$got" "root.path with a control character"
        got=$(assert_error org.freedesktop.DBus.Error.InvalidArgs StartMachineFromBundle string:$b string:$'/srv/a\001b')
        assert_match "Invalid bundle path '/srv/a\?b'" "$got" "bundle path with a control character"
        assert_no_leftovers $b
}

run_test cli-no-such-machine test_cli_no_such_machine
run_test error-text test_error_text
run_test cli-not-running test_cli_not_running
run_test cli-exists-and-settings test_cli_exists_and_settings
run_test cli-exec-and-timeout test_cli_exec_and_timeout
run_test cli-no-console test_cli_no_console
run_test kill-after-exit test_kill_after_exit
run_test scope-exists test_scope_exists
run_test mount-options-libmount test_mount_options

# Whatever happened to the test above: systemd-machined goes on.
mp=$(systemctl show -P MainPID systemd-machined 2>/dev/null)
[ -n "$mp" ] && [ "$mp" != 0 ] && kill -CONT "$mp" 2>/dev/null

t_summary
