#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Documentation that cannot drift, checked against the running daemon: its introspection data against
# docs/dbus-api.md and org.machinedext1(5) and the bus policy (test/check/check-dbus-docs), the policy as
# dbus-daemon enforces it, and the daemon's own uid check behind it; and the exit statuses of
# machinectl-ext(1).

set -u
. "$(dirname "$0")/lib.sh"

CHECKER=$BUILDDIR/test/check/check-dbus-docs
MD=$T_REPO/docs/dbus-api.md
OPEN_POLICY=/etc/dbus-1/system.d/zz-mxt-docs-open.conf

# A running machine NAME, so that a Machine object exists.
running_machine() {
        mx_root "$1"
        mx_settings "$1" "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start "$1"
}

machine_path() {
        mx GetMachine s "$1" | awk '{ gsub(/"/, ""); print $2 }'
}

# as_nobody_call PATH IFACE.METHOD ARGS...: dbus-send as uid 65534; prints "ok" or "ERROR.NAME: message".
as_nobody_call() {
        local path=$1 method=$2 out
        shift 2
        # dbus-send cannot pass fds (busctl 252 neither): test/check/bus-call can.
        if [[ " $* " == *" unix_fd:"* ]]; then
                as_nobody_bus_call "$path" "$method" "$@"
                return
        fi
        if out=$(setpriv --reuid=65534 --regid=65534 --clear-groups dbus-send --system --print-reply \
                --reply-timeout=10000 --dest="$BUS_NAME" "$path" "$method" "$@" 2>&1); then
                echo ok
        else
                echo "$out" | sed -n 's/^Error \([^ :]*\):* */\1: /p' | head -1
        fi
}

# as_nobody_call for arguments with fds: dbus-send's TYPE:VALUE arguments become bus-call's signature and
# values.
as_nobody_bus_call() {
        local path=$1 method=$2 a sig= out
        local -a vals=()
        shift 2
        for a in "$@"; do
                case $a in
                string:*) sig+=s; vals+=("${a#string:}") ;;
                array:string:*) sig+=as; vals+=("${a#array:string:}") ;;
                uint16:*) sig+=q; vals+=("${a#uint16:}") ;;
                unix_fd:*) sig+=h; vals+=("${a#unix_fd:}") ;;
                boolean:*) sig+=b; vals+=("${a#boolean:}") ;;
                int32:*) sig+=i; vals+=("${a#int32:}") ;;
                uint64:*) sig+=t; vals+=("${a#uint64:}") ;;
                *) echo "unsupported argument $a"; return ;;
                esac
        done
        setpriv --reuid=65534 --regid=65534 --clear-groups "$BUILDDIR/test/check/bus-call" "$path" "${method%.*}" \
                "${method##*.}" "$sig" "${vals[@]}" 2>&1 | head -1
}

# The object a method of IFACE is called on (the properties are the machine's).
object_of() {   # IFACE MACHINE-PATH
        case $1 in
        org.machinedext1.Machine | org.freedesktop.DBus.Properties) echo "$2" ;;
        *) echo "$BUS_PATH" ;;
        esac
}

test_dbus_api() {
        local n=mxt-docs-api path
        [ -x "$CHECKER" ] || t_fail "no $CHECKER (BUILDDIR=$BUILDDIR)"
        running_machine $n
        path=$(machine_path $n)
        busctl introspect --xml-interface "$BUS_NAME" "$BUS_PATH" >"$T_TMP/manager.xml" ||
                t_fail "introspecting $BUS_PATH failed"
        busctl introspect --xml-interface "$BUS_NAME" "$path" >"$T_TMP/machine.xml" ||
                t_fail "introspecting $path failed"
        grep -q 'interface name="org.machinedext1.Machine"' "$T_TMP/machine.xml" ||
                t_fail "$path has no org.machinedext1.Machine interface"
        out=$("$CHECKER" --bus-name "$BUS_NAME" --markdown "$MD" --man "$T_REPO/man/org.machinedext1.5" \
                --policy "$T_REPO/dbus-policy/org.machinedext1.conf" "$T_TMP/manager.xml" "$T_TMP/machine.xml" 2>&1)
        rc=$?
        echo "$out"
        [ $rc = 0 ] || t_fail "the daemon and its documentation disagree: $(echo "$out" | head -3 | tr '\n' ' ')"
}

# Every method, called by an unprivileged user with an argument it does not take: dbus-daemon refuses the
# root-only ones (AccessDenied), and lets the others (polkit and everyone) through to the daemon, which
# rejects the arguments.
test_dbus_policy_enforced() {
        local n=mxt-docs-pol path method access iface got
        running_machine $n
        path=$(machine_path $n)
        "$CHECKER" --print-access --markdown "$MD" >"$T_TMP/access" || t_fail "check-dbus-docs --print-access failed"
        [ "$(grep -c ' \(root\|polkit\)$' "$T_TMP/access")" -ge 5 ] ||
                t_fail "too few root or polkit methods in $MD: $(cat "$T_TMP/access")"
        while read -r method access; do
                iface=${method%.*}
                got=$(as_nobody_call "$(object_of "$iface" "$path")" "$method" byte:0)
                echo "$method ($access): $got"
                case $access in
                root)
                        assert_match '^org.freedesktop.DBus.Error.AccessDenied: ' "$got" "$method as nobody"
                        ;;
                everyone)
                        assert_no_match '^org.freedesktop.DBus.Error.AccessDenied' "$got" "$method as nobody"
                        ;;
                polkit)
                        assert_no_match 'Rejected send message' "$got" "$method as nobody: the bus policy"
                        ;;
                *)
                        t_fail "$method: access '$access'"
                        ;;
                esac
        done <"$T_TMP/access"
        mx_running $n || t_fail "$n is gone"
}

reload_dbus() {
        busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig >/dev/null
}

# An argument list for dbus-send for METHOD's in-arguments (from its introspection data), valid enough to
# get past the daemon's argument checks to its uid check.
args_for() {    # XML-FILE IFACE METHOD MACHINE-NAME
        local a type name
        for a in $(xmllint --xpath "//interface[@name='$2']/method[@name='$3']/arg[@direction='in' or not(@direction)]" "$1" 2>/dev/null |
                   sed -n 's/.*type="\([^"]*\)".*name="\([^"]*\)".*/\1:\2/p; s/.*name="\([^"]*\)".*type="\([^"]*\)".*/\2:\1/p' |
                   awk '!seen[$0]++'); do
                type=${a%%:*} name=${a#*:}
                case $type:$name in
                s:name) echo "string:$4" ;;
                s:unit) echo "string:container@$4.service" ;;
                s:bundle) echo "string:/var/lib/machines/$4" ;;
                s:source) echo "string:/tmp" ;;
                s:destination) echo "string:/mnt" ;;
                s:whom) echo "string:leader" ;;
                s:interface_name) echo "string:org.machinedext1.Machine" ;;
                s:property_name) echo "string:Name" ;;
                v:value) echo "variant:string:x" ;;
                i:signal) echo "int32:18" ;;
                s:user) echo "string:" ;;
                s:path) echo "string:/bin/sh" ;;
                s:cwd) echo "string:/" ;;
                as:argv) echo "array:string:/bin/sh" ;;
                as:env) echo "array:string:A=b" ;;
                q:*) echo "uint16:24" ;;
                h:*) echo "unix_fd:0" ;;
                b:*) echo "boolean:false" ;;
                t:*) echo "uint64:1" ;;
                *) echo "unsupported-$type:$name" ;;
                esac
        done
}

# Behind the policy, the daemon checks the caller itself: with a policy that lets uid 65534 send everything,
# each root-only or polkit method, called with valid arguments on a running machine, still fails with
# AccessDenied (or InteractiveAuthorizationRequired, if polkit runs and would ask for a password) from the
# daemon, and the machine is untouched.
test_daemon_guard() {
        local n=mxt-docs-guard path method access iface args got obj
        command -v xmllint >/dev/null || skip "xmllint not installed (libxml2-utils)"
        running_machine $n
        path=$(machine_path $n)
        busctl introspect --xml-interface "$BUS_NAME" "$BUS_PATH" >"$T_TMP/g-manager.xml"
        busctl introspect --xml-interface "$BUS_NAME" "$path" >"$T_TMP/g-machine.xml"
        "$CHECKER" --print-access --markdown "$MD" >"$T_TMP/access" || t_fail "check-dbus-docs --print-access failed"

        trap 'rm -f "$OPEN_POLICY"; reload_dbus' EXIT
        cat >"$OPEN_POLICY" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
        "https://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><policy user="nobody"><allow send_destination="$BUS_NAME"/></policy></busconfig>
EOF
        reload_dbus || t_fail "ReloadConfig failed"
        # The open policy is in force once nobody may send a root-only method to the daemon.
        wait_until 5 eval '[[ $(as_nobody_call "$BUS_PATH" "$BUS_IFACE.StopMachine" byte:0) != *AccessDenied* ]]' ||
                t_fail "the open policy did not take effect"

        while read -r method access; do
                [ "$access" = root ] || [ "$access" = polkit ] || continue
                iface=${method%.*}
                obj=$(object_of "$iface" "$path")
                if [ "$obj" = "$path" ]; then
                        mapfile -t args < <(args_for "$T_TMP/g-machine.xml" "$iface" "${method##*.}" $n)
                else
                        mapfile -t args < <(args_for "$T_TMP/g-manager.xml" "$iface" "${method##*.}" $n)
                fi
                assert_no_match 'unsupported-' "${args[*]}" "arguments for $method"
                got=$(as_nobody_call "$obj" "$method" "${args[@]}")
                echo "$method ${args[*]}: $got"
                case $method in
                org.freedesktop.DBus.Properties.Set)
                        assert_match '^org.freedesktop.DBus.Error.(AccessDenied|PropertyReadOnly): ' "$got" "$method"
                        ;;
                *)
                        assert_match '^org.freedesktop.DBus.Error.(AccessDenied|InteractiveAuthorizationRequired): ' \
                                "$got" "$method as nobody"
                        assert_no_match 'Rejected send message' "$got" "$method: refused by the policy, not the daemon"
                        ;;
                esac
        done <"$T_TMP/access"
        mx_running $n || t_fail "$n is gone"
        assert_eq running "$(mx_prop $n State)" "state of $n"
}

# rc CMD...: the exit status of CMD (its output discarded).
rc() {
        "$@" >/dev/null 2>&1 </dev/null
        echo $?
}

# The exit statuses machinectl-ext(1) documents under EXIT STATUS.
test_cli_exit_status() {
        local n=mxt-docs-rc k=mxt-docs-rck pid
        assert_eq 0 "$(rc machinectl-ext --help no-such-verb)" "--help (the rest ignored)"
        assert_eq 0 "$(rc machinectl-ext --version)" "--version"
        assert_eq 0 "$(rc machinectl-ext --signal=help)" "--signal=help"
        assert_eq 1 "$(rc machinectl-ext no-such-verb)" "an unknown command"
        assert_eq 1 "$(rc machinectl-ext --no-such-option)" "an unknown option"
        assert_eq 1 "$(rc machinectl-ext --wait stop x)" "an option that does not go with the command"
        assert_eq 1 "$(rc machinectl-ext bind x)" "too few arguments"
        assert_eq 1 "$(rc machinectl-ext status -x-)" "an invalid machine name"
        assert_eq 1 "$(rc machinectl-ext kill -s NOSUCHSIG x)" "an invalid signal"
        assert_eq 1 "$(rc machinectl-ext status mxt-docs-nosuch)" "status of a machine that is not running"
        assert_eq 1 "$(rc machinectl-ext show mxt-docs-nosuch)" "show of a machine that is not running"
        assert_eq 0 "$(rc machinectl-ext list)" "list"

        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload exit 7\n"
        assert_eq 7 "$(rc machinectl-ext start --wait $n)" "start --wait of a payload exiting with 7"

        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $n
        assert_eq 1 "$(rc machinectl-ext stop mxt-docs-nosuch $n)" "stop of a missing and a running machine"
        wait_until 10 mx_gone $n || t_fail "stop did not go on to $n after the failure on the first name"

        mx_root $k
        mx_settings $k "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        machinectl-ext start --wait $k >/dev/null 2>&1 </dev/null &
        pid=$!
        # start --wait returns only at the end: poll. GetMachine succeeds already while it is being set up.
        mx_wait_state $k running
        machinectl-ext kill --kill-whom=leader -s KILL $k || t_fail "kill failed"
        wait $pid
        assert_eq 137 $? "start --wait of a payload killed by SIGKILL"

        # reboot(2) in the container's PID namespace: SIGHUP (reboot) and SIGINT (poweroff) for its PID 1.
        mx_settings $n "[Exec]\nParameters=/bin/busybox reboot -f\n"
        assert_eq 133 "$(rc machinectl-ext start --wait $n)" "start --wait of a container that rebooted"
        mx_settings $n "[Exec]\nParameters=/bin/busybox poweroff -f\n"
        assert_eq 0 "$(rc machinectl-ext start --wait $n)" "start --wait of a container that powered off"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }
command -v setpriv >/dev/null || { echo "setpriv missing (util-linux)"; echo "0 passed, 1 failed"; exit 1; }

run_test docs-dbus-api test_dbus_api
run_test docs-dbus-policy-enforced test_dbus_policy_enforced
run_test docs-dbus-daemon-guard test_daemon_guard
run_test docs-cli-exit-status test_cli_exit_status
rm -f "$OPEN_POLICY"

t_summary
