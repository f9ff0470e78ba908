#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Who may do what (docs/dbus-api.md, "Authorization"; issue #14): the mutating methods are open on the bus and
# the daemon decides: root, or polkit (org.machinedext1.manage-machines, .console, .shell). Without polkit only
# root may; a rule in /etc/polkit-1/rules.d that grants an action to a user lets that user do exactly that.
# Listing stays open; the paths and command of machines are for root and manage-machines only.

set -u
. "$(dirname "$0")/lib.sh"

AUTH_USER=mxt-auth
RULES=/etc/polkit-1/rules.d/50-mxt-auth.rules

# auth_user_call PATH IFACE.METHOD ARGS...: dbus-send as $AUTH_USER; prints "ok" (and the reply on the next
# lines) or "ERROR.NAME: message".
auth_user_call() {
        local path=$1 method=$2 out
        shift 2
        if out=$(setpriv --reuid=$AUTH_USER --regid=$AUTH_USER --clear-groups dbus-send --system --print-reply \
                --reply-timeout=30000 --dest="$BUS_NAME" "$path" "$method" "$@" 2>&1); then
                echo ok
                echo "$out"
        else
                echo "$out" | sed -n 's/^Error \([^ :]*\):* */\1: /p' | head -1
        fi
}

as_user() {
        setpriv --reuid=$AUTH_USER --regid=$AUTH_USER --clear-groups "$@"
}

auth_setup() {
        id $AUTH_USER >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin $AUTH_USER ||
                t_fail "useradd $AUTH_USER failed"
}

# polkitd stopped and not activatable: CheckAuthorization fails at once.
polkit_off() {
        systemctl mask --runtime polkit.service >/dev/null 2>&1
        systemctl stop polkit.service >/dev/null 2>&1
        ! systemctl is-active -q polkit.service || t_fail "polkit.service is still running"
}

# polkitd running with the rule RULE-JS (a polkit.addRule() body's condition on action.id) for $AUTH_USER.
polkit_with_rule() {    # ACTION-ID...
        local ids="" a
        for a in "$@"; do
                ids+="${ids:+ || }action.id == \"$a\""
        done
        mkdir -p "$(dirname $RULES)"
        cat >"$RULES" <<EOF
polkit.addRule(function(action, subject) {
        if (($ids) && subject.user == "$AUTH_USER")
                return polkit.Result.YES;
});
EOF
        systemctl unmask --runtime polkit.service >/dev/null 2>&1
        systemctl restart polkit.service || t_fail "polkit.service did not start"
}

auth_cleanup() {
        rm -f "$RULES"
        systemctl unmask --runtime polkit.service >/dev/null 2>&1
        systemctl stop polkit.service >/dev/null 2>&1
}

auth_run() {    # NAME FUNC
        run_test "$@"
        auth_cleanup
}

running() {     # NAME [EXTRA-SETTINGS]
        mx_root "$1"
        mx_settings "$1" "[Exec]\nParameters=/usr/bin/testpayload sleep inf\nKillSignal=SIGKILL\n${2:-}"
        mx_start "$1"
        mx_wait_state "$1" running
}

machine_path() {
        mx GetMachine s "$1" | awk '{ gsub(/"/, ""); print $2 }'
}

refused() {     # RESULT WHAT
        assert_match '^org.freedesktop.DBus.Error.(AccessDenied|InteractiveAuthorizationRequired): ' "$1" "$2"
        assert_no_match 'Rejected send message' "$1" "$2: refused by the bus policy, not the daemon"
}

# Without polkit a user other than root can change nothing, and sees no paths or commands; listing works.
test_denied_without_polkit() {
        local n=mxt-auth-a s=mxt-auth-b path got leader
        auth_setup
        polkit_off
        running $n "PrivateUsers=no\n"
        mx_root $s
        mx_settings $s "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        path=$(machine_path $n)
        leader=$(mx_prop $n Leader)

        got=$(auth_user_call $BUS_PATH $BUS_IFACE.StopMachine string:$n)
        assert_match '^org.freedesktop.DBus.Error.AccessDenied: .*polkit' "$got" "StopMachine without polkit"
        refused "$(auth_user_call $BUS_PATH $BUS_IFACE.KillMachine string:$n string:all int32:9)" KillMachine
        refused "$(auth_user_call $BUS_PATH $BUS_IFACE.StartMachine string:$s)" StartMachine
        refused "$(auth_user_call $BUS_PATH $BUS_IFACE.BindMountMachine string:$n string:/tmp string:/mnt \
                boolean:true boolean:true)" BindMountMachine
        refused "$(auth_user_call "$path" org.machinedext1.Machine.Stop)" "the machine's Stop"
        refused "$(auth_user_call "$path" org.machinedext1.Machine.Kill string:leader int32:9)" "the machine's Kill"
        refused "$(auth_user_call "$path" org.machinedext1.Machine.BindMount string:/tmp string:/mnt boolean:true \
                boolean:true)" "the machine's BindMount"
        refused "$(auth_user_call $BUS_PATH $BUS_IFACE.GetMachineConsoleLog string:$n)" GetMachineConsoleLog
        sleep 0.5
        assert_eq running "$(mx_prop $n State)" "$n after the refused calls"
        assert_eq "$leader" "$(mx_prop $n Leader)" "the leader of $n"
        mx_gone $s || t_fail "$s was started"
        [ ! -e "$MACHINES_DIR/$n/mnt" ] || [ -z "$(ls -A "$MACHINES_DIR/$n/mnt")" ] || t_fail "something was bound"

        # Listing works; the paths and the command are not shown.
        assert_match "\"$n\"" "$(auth_user_call $BUS_PATH $BUS_IFACE.ListMachines)" "ListMachines as $AUTH_USER"
        assert_match "(^|[[:space:]])$n[[:space:]]" "$(as_user machinectl-ext list 2>&1)" "machinectl-ext list as $AUTH_USER"
        for p in RootDirectory SettingsFile Command Warnings; do
                got=$(auth_user_call "$path" org.freedesktop.DBus.Properties.Get string:org.machinedext1.Machine \
                        string:$p)
                assert_match '^org.freedesktop.DBus.Error.AccessDenied: ' "$got" "Get $p as $AUTH_USER"
        done
        assert_match '^ok' "$(auth_user_call "$path" org.freedesktop.DBus.Properties.Get \
                string:org.machinedext1.Machine string:State)" "Get State as $AUTH_USER"
        got=$(as_user busctl get-property $BUS_NAME "$path" org.machinedext1.Machine State 2>&1)
        assert_eq 's "running"' "$got" "busctl get-property State as $AUTH_USER"
        got=$(as_user busctl introspect $BUS_NAME "$path" org.machinedext1.Machine 2>&1) ||
                t_fail "GetAll as $AUTH_USER failed: $got"
        assert_match '\.RootDirectory +property +s +"" ' "$got" "RootDirectory in GetAll as $AUTH_USER"
        assert_match '\.SettingsFile +property +s +"" ' "$got" "SettingsFile in GetAll as $AUTH_USER"
        assert_match '\.Command +property +as +0 ' "$got" "Command in GetAll as $AUTH_USER"
        assert_no_match "$MACHINES_DIR|testpayload" "$got" "GetAll as $AUTH_USER"
        got=$(as_user machinectl-ext status $n 2>&1) || t_fail "machinectl-ext status as $AUTH_USER failed: $got"
        assert_match "$n" "$got" "machinectl-ext status as $AUTH_USER"
        # What the daemon hides does not show (the CGroup: tree is read by the client itself from /proc and
        # the cgroup file system, with the caller's own rights, as systemctl status does: not checked here).
        assert_no_match "$MACHINES_DIR/$n|Command:|Root:" "$(sed '/CGroup:/,$d' <<<"$got")" \
                "machinectl-ext status as $AUTH_USER"

        # Root sees them.
        assert_eq "$MACHINES_DIR/$n" "$(mx_prop $n RootDirectory)" "RootDirectory as root"
        assert_eq "$SETTINGS_DIR/$n.nspawn" "$(mx_prop $n SettingsFile)" "SettingsFile as root"
        assert_match 'testpayload sleep inf' "$(mx_prop $n Command)" "Command as root"
        assert_match "$MACHINES_DIR/$n" "$(machinectl-ext status $n 2>&1)" "machinectl-ext status as root"
}

# A rule granting manage-machines to the user: the same calls succeed, and the user sees the paths.
test_polkit_rule_grants() {
        local n=mxt-auth-c s=mxt-auth-d path got
        auth_setup
        polkit_with_rule org.machinedext1.manage-machines
        running $n "PrivateUsers=no\n"
        mx_root $s
        mx_settings $s "[Exec]\nParameters=/usr/bin/testpayload sleep inf\nKillSignal=SIGKILL\n"
        mkdir -p "$T_TMP/src" && echo bound >"$T_TMP/src/file"
        chmod 755 "$T_TMP" "$T_TMP/src"
        path=$(machine_path $n)

        assert_eq "$MACHINES_DIR/$n" "$(as_user busctl get-property $BUS_NAME "$path" org.machinedext1.Machine \
                RootDirectory | cut -d' ' -f2- | tr -d '"')" "RootDirectory as $AUTH_USER with manage-machines"
        got=$(auth_user_call $BUS_PATH $BUS_IFACE.BindMountMachine string:$n string:"$T_TMP/src" \
                string:/mnt/auth boolean:true boolean:true)
        assert_match '^ok' "$got" "BindMountMachine as $AUTH_USER with manage-machines"
        assert_eq bound "$(cat "/proc/$(mx_prop $n Leader)/root/mnt/auth/file" 2>&1)" "the bound file inside"
        got=$(auth_user_call $BUS_PATH $BUS_IFACE.StartMachine string:$s)
        assert_match '^ok' "$got" "StartMachine as $AUTH_USER with manage-machines"
        mx_running $s || t_fail "$s is not running"
        got=$(auth_user_call $BUS_PATH $BUS_IFACE.KillMachine string:$s string:leader int32:9)
        assert_match '^ok' "$got" "KillMachine as $AUTH_USER with manage-machines"
        wait_until 10 mx_gone $s || t_fail "$s survived KillMachine"
        got=$(auth_user_call $BUS_PATH $BUS_IFACE.StopMachine string:$n)
        assert_match '^ok' "$got" "StopMachine as $AUTH_USER with manage-machines"
        wait_until 10 mx_gone $n || t_fail "$n did not stop"
}

# A rule granting only the console: the console log is the user's, stopping is not.
test_polkit_console_only() {
        local n=mxt-auth-e got
        auth_setup
        polkit_with_rule org.machinedext1.console
        running $n
        assert_match '^ok' "$(auth_user_call $BUS_PATH $BUS_IFACE.GetMachineConsoleLog string:$n)" \
                "GetMachineConsoleLog as $AUTH_USER with console"
        got=$(auth_user_call $BUS_PATH $BUS_IFACE.StopMachine string:$n)
        # polkit would ask for an administrator's password (auth_admin), but dbus-send does not allow that.
        assert_match '^org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: ' "$got" \
                "StopMachine as $AUTH_USER with only console"
        refused "$(auth_user_call $BUS_PATH $BUS_IFACE.KillMachine string:$n string:all int32:9)" \
                "KillMachine as $AUTH_USER with only console"
        assert_match '^org.freedesktop.DBus.Error.AccessDenied: ' "$(auth_user_call "$(machine_path $n)" \
                org.freedesktop.DBus.Properties.Get string:org.machinedext1.Machine string:RootDirectory)" \
                "Get RootDirectory as $AUTH_USER with only console"
        sleep 0.5
        assert_eq running "$(mx_prop $n State)" "$n after the refused stop"
}

# WaitMachine is open to everyone, and holds its caller's message (with any fds sent along) until the machine
# exits: a user other than root gets HELD_CALLS_PER_USER_MAX (64) of them at a time, then LimitsExceeded at
# once. Root is not bounded. Once the machine is gone, the user's calls are counted out, and new ones held.
held_refused_are() {    # N: files of test_held_calls_bounded with a refusal
        [ "$(grep -l 'Too many' "$T_TMP"/held.* 2>/dev/null | wc -l)" = "$1" ]
}

test_held_calls_bounded() {
        local n=mxt-auth-held i out refused=0 held=0 pids=()
        auth_setup
        running $n ""
        for i in $(seq 70); do
                as_user busctl --timeout=60 call $BUS_NAME $BUS_PATH $BUS_IFACE WaitMachine s $n \
                        >"$T_TMP/held.$i" 2>&1 &
                pids+=($!)
        done
        # The refused ones answer at once; the held ones wait for the exit.
        wait_until 20 held_refused_are 6 || t_fail "not 6 of 70 refused: $(cat "$T_TMP"/held.* | sort | uniq -c | head -5)"
        assert_match "Too many calls wait for machines \(at most 64 of user [0-9]+" \
                "$(cat "$T_TMP"/held.* | grep -m1 'Too many')" "the refusal"
        # Root's wait is held all the same (it times out here, unanswered).
        out=$(busctl --timeout=1 call $BUS_NAME $BUS_PATH $BUS_IFACE WaitMachine s $n 2>&1) &&
                t_fail "root's WaitMachine was answered while $n runs: $out"
        assert_no_match 'Too many' "$out" "root's WaitMachine"
        mx_stop_gone $n
        for i in "${!pids[@]}"; do
                wait "${pids[$i]}" 2>/dev/null
        done
        for i in $(seq 70); do
                grep -q 'Too many' "$T_TMP/held.$i" && refused=$((refused + 1))
                grep -q '^si ' "$T_TMP/held.$i" && held=$((held + 1))
        done
        assert_eq "64 6" "$held $refused" "held and refused WaitMachine calls of $AUTH_USER"
        # Counted out: a new run holds the user's wait again.
        running $n ""
        as_user busctl --timeout=60 call $BUS_NAME $BUS_PATH $BUS_IFACE WaitMachine s $n >"$T_TMP/held.again" 2>&1 &
        sleep 1
        [ -s "$T_TMP/held.again" ] && t_fail "the wait after the first run's was not held: $(cat "$T_TMP/held.again")"
        mx_stop_gone $n
        wait $! 2>/dev/null
        assert_match '^si ' "$(cat "$T_TMP/held.again")" "the answer to the wait held again"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }
command -v setpriv >/dev/null || { echo "setpriv missing (util-linux)"; echo "0 passed, 1 failed"; exit 1; }
[ -e /usr/share/polkit-1/actions/org.machinedext1.policy ] ||
        { echo "org.machinedext1.policy is not installed"; echo "0 passed, 1 failed"; exit 1; }

auth_run auth-denied-without-polkit test_denied_without_polkit
auth_run auth-polkit-rule-grants test_polkit_rule_grants
auth_run auth-polkit-console-only test_polkit_console_only
auth_run auth-held-calls-bounded test_held_calls_bounded

t_summary
