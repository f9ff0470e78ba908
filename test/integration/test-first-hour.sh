#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What a systemd user hits in the first hour: a settings file that must not take the daemon down (Boot=no
# without a command, trusted or untrusted), warnings that reach the person who started the machine, error
# messages that name the setting, file:line and rule, and the payload's environment as systemd-nspawn sets it.

set -u
. "$(dirname "$0")/lib.sh"

PAYLOAD_CMD="/usr/bin/testpayload sleep 1000 --report /tmp/r.txt"
UNTRUSTED_DIR=/var/lib/machines

# Extra host paths a test creates: removed after each test, whether it passed or not.
fh_extra() {
        echo "$1" >>"$T_TMP/fh-extra"
}

fh_run() {      # NAME FUNC
        : >"$T_TMP/fh-extra"
        run_test "$@"
        local p
        while read -r p; do
                [ -n "$p" ] && rm -rf --one-file-system "$p"
        done <"$T_TMP/fh-extra"
}

assert_line() {         # FIXED-LINE TEXT [WHAT]: TEXT has a line that is exactly FIXED-LINE
        grep -qxF -- "$1" <<<"$2" || t_fail "${3:-value}: no line '$1' in: $(echo "$2" | tr '\n' '|')"
}

assert_no_line() {      # ERE TEXT [WHAT]: no line of TEXT matches ERE
        ! grep -qE -- "$1" <<<"$2" || t_fail "${3:-value}: a line matches /$1/: $(grep -E -- "$1" <<<"$2" | head -1)"
}

daemon_pid() {
        systemctl show -p MainPID --value machined-ext.service
}

# Makes sure the daemon runs (it is bus-activated) and prints its PID.
daemon_up() {
        mx ListMachines >/dev/null || t_fail "ListMachines failed"
        daemon_pid
}

# The daemon is the same process as before and still answers.
assert_daemon_survived() {      # PID
        local now
        now=$(daemon_pid)
        assert_eq "$1" "$now" "machined-ext's PID (it must not have crashed)"
        mx ListMachines >/dev/null || t_fail "ListMachines does not answer after the bad start"
        systemctl is-active -q machined-ext.service || t_fail "machined-ext.service is not active"
}

# Nothing of machine NAME was created.
assert_not_started() {  # NAME
        assert_gone "$1"
        [ -z "$(mx_list_entry "$1")" ] || t_fail "ListMachines has $1"
        return 0
}

# No trusted settings file for NAME anywhere, so that the one next to the image is used.
no_trusted_file() {
        local k
        for k in /etc/machined-ext /run/machined-ext /etc/systemd/nspawn /run/systemd/nspawn; do
                rm -f "$k/$1.nspawn"
        done
}

# ---------------------------------------------------------------------------------------------------------
# 1. Boot=no without a command must not abort the daemon: InvalidSettings with file:line, and the machines
#    already running stay managed.

test_boot_no_without_command() {
        local n=fhboot other=fhother pid e f=$SETTINGS_DIR/fhboot.nspawn
        mx_root $other
        mx_settings $other "[Exec]\nParameters=$PAYLOAD_CMD\n"
        mx_start $other
        mx_root $n
        pid=$(daemon_up)
        [ -n "$pid" ] && [ "$pid" != 0 ] || t_fail "no daemon PID"

        # The typo from the issue: "Parameter=" next to Boot=no.
        mx_settings $n "[Exec]\nBoot=no\nParameter=/usr/bin/testpayload sleep 1000\n"
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$f:2: Boot=no, but there is no command to run: Parameters= is missing or empty" "$e" \
                "error names file:line of Boot= and what is missing"
        assert_match "Unknown key 'Parameter'" "$e" "error points at the typo"
        assert_daemon_survived "$pid"
        assert_not_started $n

        # No Parameters= at all.
        mx_settings $n "# comment\n[Exec]\nBoot=no\n"
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$f:3: Boot=no, but there is no command to run" "$e" "error names file:line"
        assert_daemon_survived "$pid"

        # An empty program name.
        mx_settings $n "[Exec]\nBoot=no\nParameters=\"\" x\n"
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$f:3: Parameters= starts with an empty word" "$e" "error names file:line"
        assert_daemon_survived "$pid"
        assert_not_started $n

        # The CLI says the same.
        e=$(machinectl-ext start $n 2>&1) && t_fail "machinectl-ext start $n succeeded"
        assert_match "^Failed to start machine $n: $f:3: Parameters= starts with an empty word" "$e" "CLI message"

        # The machine that ran all along is still managed: same leader, answers, stops.
        assert_eq running "$(mx_prop $other State)" "state of the other machine"
        mx_stop $other >/dev/null || t_fail "StopMachine $other failed"
        assert_gone $other
        assert_daemon_survived "$pid"
}

# The same from an untrusted file next to the image: Boot= is not privileged, so anyone who ships an image
# could do it.
test_boot_no_untrusted() {
        local n=fhbootu pid e f=$UNTRUSTED_DIR/fhbootu.nspawn
        mx_root $n
        no_trusted_file $n
        fh_extra "$f"
        printf '[Exec]\nBoot=no\nCapability=all\n' >"$f"
        pid=$(daemon_up)
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$f:2: Boot=no, but there is no command to run" "$e" "error names the untrusted file:line"
        assert_daemon_survived "$pid"
        assert_not_started $n
}

# ---------------------------------------------------------------------------------------------------------
# 5. Warnings reach the caller: the Warnings property, `machinectl-ext start` (stderr) and `status`.

test_warnings() {
        local n=fhwarn f=$SETTINGS_DIR/fhwarn.nspawn out w st
        mx_root $n
        # A misspelt section (its Boot=no would otherwise be silently dropped), an unknown key, a key that
        # is parsed but not applied.
        mx_settings $n "[Exce]\nBoot=no\n[Exec]\nParameters=$PAYLOAD_CMD\nFrobnicate=1\nEphemeral=no\n"
        out=$(machinectl-ext start $n 2>&1) || t_fail "machinectl-ext start failed: $out"
        assert_line "Warning: $f:1: Unknown section '[Exce]', ignoring." "$out" "start prints the unknown section"
        assert_line "Warning: $f:5: Unknown key 'Frobnicate' in section [Exec], ignoring." "$out" \
                "start prints the unknown key"
        assert_line "Warning: $f:6: Key 'Ephemeral=' is parsed but not applied yet, ignoring." "$out" \
                "start prints the key not applied"
        # The property.
        w=$(mx_prop $n Warnings | tr -d '\\')  # busctl escapes the quotes
        assert_match "^3 $f:1: Unknown section '\[Exce\]', ignoring\. $f:5: Unknown key" "$w" "Warnings property"
        # status lists them.
        st=$(machinectl-ext status $n) || t_fail "machinectl-ext status failed"
        assert_line "        Warnings: $f:1: Unknown section '[Exce]', ignoring." "$st" "status: first warning"
        assert_line "                  $f:5: Unknown key 'Frobnicate' in section [Exec], ignoring." "$st" \
                "status: second warning"
        # Only stderr has them: stdout stays clean for scripts.
        out=$(machinectl-ext stop $n 2>/dev/null)
        assert_eq "" "$out" "stop's stdout"
}

# A payload that is gone at once: the warnings are still printed (the Get is pipelined behind the start).
test_warnings_short_run() {
        local n=fhwarnq f=$SETTINGS_DIR/fhwarnq.nspawn out
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/usr/bin/testpayload exit 0\nNoSuchKey=1\n"
        out=$(machinectl-ext start --wait $n 2>&1) || t_fail "machinectl-ext start --wait failed: $out"
        assert_match "Warning: $f:3: Unknown key 'NoSuchKey' in section \[Exec\], ignoring\." "$out" \
                "start --wait prints the warning"
}

# Privileged keys of an untrusted file are reported as ignored to the caller.
test_warnings_untrusted() {
        local n=fhwarnu f=$UNTRUSTED_DIR/fhwarnu.nspawn out
        mx_root $n
        no_trusted_file $n
        fh_extra "$f"
        printf '[Exec]\nParameters=%s\nCapability=CAP_SYS_MODULE\n[Files]\nBind=/etc:/mnt\n' "$PAYLOAD_CMD" >"$f"
        out=$(machinectl-ext start $n 2>&1) || t_fail "machinectl-ext start failed: $out"
        assert_match "Warning: $f:3: Ignoring privileged key 'Capability=' in untrusted settings file\." "$out" \
                "Capability= ignored"
        assert_match "Warning: $f:5: Ignoring privileged key 'Bind=' in untrusted settings file\." "$out" \
                "Bind= ignored"
        assert_match "Ignoring privileged key 'Bind='" "$(mx_prop $n Warnings | tr -d '\\')" "Warnings property"
}

# No settings file, or a clean one: no warnings.
test_warnings_none() {
        local n=fhwarn0 out
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\n"
        out=$(machinectl-ext start $n 2>&1) || t_fail "machinectl-ext start failed: $out"
        assert_eq "" "$out" "start's output"
        assert_eq "0" "$(mx_prop $n Warnings)" "Warnings property"
        assert_no_match "Warnings:" "$(machinectl-ext status $n)" "status"
}

# ---------------------------------------------------------------------------------------------------------
# 9. Error messages name the setting, the file:line and the rule.

test_bind_source_checked_at_load() {
        local n=fhbind f=$SETTINGS_DIR/fhbind.nspawn e pid src=/srv/fhbind
        mx_root $n
        pid=$(daemon_up)
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\n[Files]\nBindReadOnly=/nonexistent/fhsrc:/mnt/x\n"
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$f:4: BindReadOnly=: source path /nonexistent/fhsrc does not exist on the host" "$e" \
                "BindReadOnly= message"
        assert_not_started $n
        assert_daemon_survived "$pid"

        fh_extra $src
        mkdir -p $src/lower
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\n[Files]\nOverlay=$src/lower:/nonexistent/fhupper:/mnt/o\n"
        e=$(assert_error org.machinedext1.InvalidSettings StartMachine string:$n) || exit 1
        assert_match "$f:4: Overlay=: upper directory /nonexistent/fhupper does not exist on the host" "$e" \
                "Overlay= message"
        assert_not_started $n
}

test_name_reason() {
        local e
        e=$(machinectl-ext start 'my machine' 2>&1) && t_fail "start of 'my machine' succeeded"
        assert_match "^Invalid machine name 'my machine': only ASCII letters, digits, '-' and '\.' are allowed" \
                "$e" "CLI: characters"
        e=$(machinectl-ext status 'web-' 2>&1) && t_fail "status of 'web-' succeeded"
        assert_match "^Invalid machine name 'web-': may not end with '-'" "$e" "CLI: trailing '-'"
        e=$(machinectl-ext stop "$(printf 'a%.0s' $(seq 65))" 2>&1) && t_fail "stop of a 65-character name succeeded"
        assert_match "longer than 64 characters" "$e" "CLI: length"
        # The daemon says the same to any client.
        e=$(assert_error org.freedesktop.DBus.Error.InvalidArgs StartMachine string:'.web') || exit 1
        assert_match "Invalid machine name '\.web': may not start with '\.'" "$e" "bus: leading '.'"
        e=$(assert_error org.freedesktop.DBus.Error.InvalidArgs GetMachine string:'a..b') || exit 1
        assert_match "may not contain two '\.' in a row" "$e" "bus: two dots"
}

test_no_such_machine() {
        local n=fhdefined e
        e=$(machinectl-ext status fhnosuch 2>&1) && t_fail "status of an undefined machine succeeded"
        assert_match "No such machine 'fhnosuch'" "$e" "status of an undefined machine"
        assert_no_match "is not running" "$e" "status of an undefined machine"
        e=$(assert_error org.machinedext1.NoSuchMachine GetMachine string:fhnosuch) || exit 1
        assert_match "No such machine 'fhnosuch'" "$e" "GetMachine of an undefined machine"
        # A machine that exists but does not run is "not running".
        mx_root $n
        e=$(machinectl-ext status $n 2>&1) && t_fail "status of a stopped machine succeeded"
        assert_match "Machine '$n' is not running" "$e" "status of a defined machine"
}

test_access_denied_message() {
        local n=fhperm e v
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\n"
        command -v setpriv >/dev/null || skip "no setpriv"
        for v in start stop kill; do
                # The daemon decides (polkit) and finds the machine first: stop and kill need it running.
                [ $v != stop ] || { mx_gone $n || t_fail "$n was started by nobody"; mx_start $n; }
                e=$(setpriv --reuid=65534 --regid=65534 --clear-groups machinectl-ext $v $n 2>&1) &&
                        t_fail "$v as nobody succeeded"
                assert_line "Failed to $v machine $n: Permission denied (needs root)" "$e" "$v as nobody"
                assert_no_match "Rejected send message" "$e" "$v as nobody"
        done
        e=$(setpriv --reuid=65534 --regid=65534 --clear-groups machinectl-ext bind $n /etc /mnt 2>&1) &&
                t_fail "bind as nobody succeeded"
        assert_match "Permission denied \(needs root\)$" "$e" "bind as nobody"
        # Running since root started it (above), untouched by nobody's stop and kill.
        assert_eq running "$(mx_prop $n State)" "$n after nobody's stop and kill"
}

# ---------------------------------------------------------------------------------------------------------
# 11. The payload's environment: what systemd-nspawn sets.

# The value of KEY in the host's os-release, as a shell reads it.
host_os_release() {     # KEY
        local f=/etc/os-release
        [ -e $f ] || f=/usr/lib/os-release
        (. $f && eval "echo \"\${$1:-}\"")
}

test_environment() {
        local n=fhenv r k v
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\n"
        mx_start $n
        r=$(tmp_report $n) || exit 1
        assert_eq root "$(report_get "$r" env.USER)" "\$USER"
        assert_eq root "$(report_get "$r" env.LOGNAME)" "\$LOGNAME"
        assert_eq /root "$(report_get "$r" env.HOME)" "\$HOME"
        assert_eq C.UTF-8 "$(report_get "$r" env.LANG)" "\$LANG (nspawn's, without Boot=)"
        assert_eq "" "$(report_get "$r" env.SHELL)" "\$SHELL (nspawn sets none)"
        for k in ID VERSION_ID BUILD_ID VARIANT_ID; do
                v=$(host_os_release $k)
                assert_eq "$v" "$(report_get "$r" env.container_host_${k,,})" "\$container_host_${k,,}"
        done
        [ -n "$(report_get "$r" env.container_host_id)" ] || t_fail "no \$container_host_id: $(echo "$r" | grep ^env)"
        # Only the four ID fields, like nspawn.
        assert_no_line "^env\.container_host_(pretty_name|name|version|version_codename|image_id|image_version)=" \
                "$r" "other os-release fields"
        # The old ones are still there.
        assert_eq /run/host/notify "$(report_get "$r" env.NOTIFY_SOCKET)" "\$NOTIFY_SOCKET"
        assert_eq machined-ext "$(report_get "$r" env.container)" "\$container"
}

# Environment= overrides what the daemon sets, like --setenv= does with nspawn.
test_environment_override() {
        local n=fhenvo r
        mx_root $n
        mx_settings $n "[Exec]\nParameters=$PAYLOAD_CMD\nEnvironment=LANG=de_DE.UTF-8 container_host_id=mine USER=admin\n"
        mx_start $n
        r=$(tmp_report $n) || exit 1
        assert_eq de_DE.UTF-8 "$(report_get "$r" env.LANG)" "\$LANG"
        assert_eq mine "$(report_get "$r" env.container_host_id)" "\$container_host_id"
        assert_eq admin "$(report_get "$r" env.USER)" "\$USER"
        assert_eq root "$(report_get "$r" env.LOGNAME)" "\$LOGNAME"
}

# Booting: no LANG (the container's init reads its own locale.conf), the rest as without Boot=.
test_environment_boot() {
        local n=fhenvb l env
        mx_root $n
        # busybox init halts on SIGUSR2 (mkroot.sh); it ignores SIGRTMIN+3.
        mx_settings $n "[Exec]\nBoot=yes\nNotifyReady=no\nKillSignal=SIGUSR2\n"
        mx_start $n
        l=$(leader_of $n)
        env=$(tr '\0' '\n' </proc/"$l"/environ)
        assert_line "USER=root" "$env" "\$USER"
        assert_line "LOGNAME=root" "$env" "\$LOGNAME"
        assert_line "HOME=/root" "$env" "\$HOME"
        assert_line "container_host_id=$(host_os_release ID)" "$env" "\$container_host_id"
        assert_no_line "^LANG=" "$env" "\$LANG when booting"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

fh_run boot-no-without-command test_boot_no_without_command
fh_run boot-no-untrusted test_boot_no_untrusted
fh_run warnings test_warnings
fh_run warnings-short-run test_warnings_short_run
fh_run warnings-untrusted test_warnings_untrusted
fh_run warnings-none test_warnings_none
fh_run bind-source-at-load test_bind_source_checked_at_load
fh_run name-reason test_name_reason
fh_run no-such-machine test_no_such_machine
fh_run access-denied-message test_access_denied_message
fh_run environment test_environment
fh_run environment-override test_environment_override
fh_run environment-boot test_environment_boot

t_summary
