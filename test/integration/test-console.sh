#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Console= (interactive, read-only, passive, pipe): `machinectl-ext console` driven under a pty by tmux, the
# journal (journalctl -u machine-NAME.scope, MACHINE=NAME), the ring buffer (console --log), and what the
# payload sees (/dev/console). Written against console.h, docs/dbus-api.md and the real clients.

set -u
. "$(dirname "$0")/lib.sh"

TMUX_SOCK=mxt-console-$$

tm() {
        tmux -L "$TMUX_SOCK" "$@"
}

# The visible pane and its scrollback.
pane() {        # SESSION
        tm capture-pane -p -J -t "$1" -S -200 2>/dev/null
}

pane_has_line() {       # SESSION LINE: a line of the pane is exactly LINE (trailing blanks ignored)
        pane "$1" | sed 's/[[:space:]]*$//' | grep -qxF -- "$2"
}

pane_has() {    # SESSION STRING
        pane "$1" | grep -qF -- "$2"
}

# console_session SESSION NAME: `machinectl-ext console NAME` in a new tmux session (a real pty), waits for
# the banner.
console_session() {
        local s=$1 n=$2
        tm new-session -d -s "$s" -x 120 -y 40 \
                "machinectl-ext console $n; echo console-exit-\$?; sleep 600" ||
                t_fail "tmux new-session failed"
        wait_until 10 pane_has "$s" "Connected to machine $n." ||
                t_fail "no banner from machinectl-ext console $n: $(pane "$s" | tail -5)"
}

# The three ^] within a second, and the goodbye.
console_detach() {      # SESSION NAME
        tm send-keys -t "$1" C-] C-] C-]
        wait_until 10 pane_has "$1" "Connection to machine $2 terminated." ||
                t_fail "^]^]^] did not detach: $(pane "$1" | tail -5)"
        wait_until 5 pane_has "$1" "console-exit-0" || t_fail "console exited non-zero: $(pane "$1" | tail -3)"
}

journal_has() { # UNIT-OR-MATCH STRING: e.g. "-u machine-x.scope" or "MACHINE=x"
        local m=$1 s=$2
        journalctl --sync >/dev/null 2>&1 || true
        # shellcheck disable=SC2086
        journalctl $m -o cat --no-pager 2>/dev/null | grep -qF -- "$s"
}

console_log_has() {     # NAME STRING
        machinectl-ext console --log "$1" 2>/dev/null | tr -d '\r' | grep -qF -- "$2"
}

setup() {
        command -v machinectl-ext >/dev/null || t_fail "machinectl-ext not installed"
        command -v tmux >/dev/null || skip "tmux not installed"
        trap 'tm kill-server >/dev/null 2>&1 || true' EXIT
}

test_interactive() {
        local n=mxt-con-int tok=$RANDOM$RANDOM scope
        setup
        scope=$(scope_of $n)
        mx_root $n
        mx_settings $n "[Exec]\nConsole=interactive\nParameters=/bin/sh\n"
        mx_start $n

        console_session a $n
        # What is typed is echoed as typed; only the shell's answer has "42-".
        tm send-keys -t a "echo \$((6*7))-$tok" Enter
        wait_until 10 pane_has_line a "42-$tok" || t_fail "no answer from the shell: $(pane a | tail -5)"

        # One client at a time.
        assert_fail timeout 10 machinectl-ext console $n </dev/null

        console_detach a $n
        mx_running $n || t_fail "$n stopped when the console was detached"

        # Attach again: the same shell is still there.
        console_session b $n
        tm send-keys -t b "echo \$((6*8))-$tok-\$\$" Enter
        wait_until 10 pane_has_line b "48-$tok-1" || t_fail "no answer after re-attaching: $(pane b | tail -5)"
        console_detach b $n
        mx_running $n || t_fail "$n stopped when the console was detached again"

        # Everything went to the journal and the ring buffer too.
        wait_until 10 journal_has "-u $scope" "42-$tok" || t_fail "'42-$tok' not in journalctl -u $scope"
        wait_until 5 journal_has "MACHINE=$n" "48-$tok-1" || t_fail "'48-$tok-1' not in journalctl MACHINE=$n"
        console_log_has $n "42-$tok" || t_fail "'42-$tok' not in console --log"
        console_log_has $n "48-$tok-1" || t_fail "'48-$tok-1' not in console --log"
}

# A non-terminal stdin: no termios, the session ends after its EOF.
test_interactive_piped() {
        local n=mxt-con-pipe-in tok=$RANDOM$RANDOM out
        setup
        mx_root $n
        mx_settings $n "[Exec]\nConsole=interactive\nParameters=/bin/sh\n"
        mx_start $n
        out=$(echo "echo \$((6*7))-$tok" | timeout 20 machinectl-ext console -q $n | tr -d '\r') ||
                t_fail "machinectl-ext console with piped stdin failed"
        echo "$out" | grep -qxF "42-$tok" || t_fail "no answer through piped stdin: $(echo "$out" | tail -3)"
        mx_running $n || t_fail "$n stopped after the piped session"
}

test_read_only() {
        local n=mxt-con-ro tok=$RANDOM$RANDOM scope r
        setup
        scope=$(scope_of $n)
        mx_root $n
        mx_settings $n "[Exec]\nConsole=read-only\nParameters=/bin/sh -c \"echo marker-$tok; /usr/bin/testpayload report --out /report.txt; exec /bin/sh\"\n"
        mx_start $n

        wait_until 10 journal_has "-u $scope" "marker-$tok" || t_fail "marker not in journalctl -u $scope"
        wait_until 5 journal_has "MACHINE=$n" "marker-$tok" || t_fail "marker not in journalctl MACHINE=$n"
        console_log_has $n "marker-$tok" || t_fail "marker not in console --log"
        r=$(wait_file $MACHINES_DIR/$n/report.txt) || exit 1
        assert_match '^chr ' "$(report_get "$r" stat./dev/console)" "/dev/console"

        # Attaching works, typing has no effect: no echo, no answer.
        console_session a $n
        tm send-keys -t a "echo \$((6*7))-$tok" Enter
        sleep 1
        pane_has a "42-$tok" && t_fail "a read-only console took input: $(pane a | tail -5)"
        pane_has a "echo \$((6*7))-$tok" && t_fail "a read-only console echoed input"
        console_log_has $n "42-$tok" && t_fail "a read-only console took input (console --log)"
        console_detach a $n
        mx_running $n || t_fail "$n stopped when the console was detached"
}

test_pipe() {
        local n=mxt-con-pipe tok=$RANDOM$RANDOM scope r
        setup
        scope=$(scope_of $n)
        mx_root $n
        mx_settings $n "[Exec]\nConsole=pipe\nParameters=/bin/sh -c \"echo pipe-$tok; echo err-$tok >&2; exec /usr/bin/testpayload sleep inf --report /report.txt\"\n"
        mx_start $n

        r=$(wait_file $MACHINES_DIR/$n/report.txt) || exit 1
        assert_no_match '^chr ' "$(report_get "$r" stat./dev/console)" "/dev/console in pipe mode"
        wait_until 10 journal_has "-u $scope" "pipe-$tok" || t_fail "stdout not in journalctl -u $scope"
        wait_until 5 journal_has "-u $scope" "err-$tok" || t_fail "stderr not in journalctl -u $scope"
        console_log_has $n "pipe-$tok" || t_fail "stdout not in console --log"
        # Nothing to attach to.
        assert_fail timeout 10 machinectl-ext console $n </dev/null
}

test_passive() {
        local n=mxt-con-passive tok=$RANDOM$RANDOM scope r
        setup
        scope=$(scope_of $n)
        mx_root $n
        mx_settings $n "[Exec]\nConsole=passive\nParameters=/bin/sh -c \"echo passive-$tok >/dev/console; echo stdout-$tok; exec /usr/bin/testpayload sleep inf --report /report.txt\"\n"
        mx_start $n

        r=$(wait_file $MACHINES_DIR/$n/report.txt) || exit 1
        assert_match '^chr ' "$(report_get "$r" stat./dev/console)" "/dev/console in passive mode"
        sleep 1
        journal_has "-u $scope" "passive-$tok" && t_fail "passive console output was journaled"
        journal_has "MACHINE=$n" "passive-$tok" && t_fail "passive console output was journaled (MACHINE=)"
        journal_has "MACHINE=$n" "stdout-$tok" && t_fail "stdout (/dev/null) of a passive console was journaled"
        console_log_has $n "passive-$tok" && t_fail "passive console output in console --log"
        assert_fail timeout 10 machinectl-ext console $n </dev/null
        mx_running $n || t_fail "$n is not running"
}

test_default_read_only() {
        local n=mxt-con-default tok=$RANDOM$RANDOM scope r out
        setup
        scope=$(scope_of $n)
        mx_root $n
        mx_settings $n "[Exec]\nParameters=/bin/sh -c \"echo default-$tok; /usr/bin/testpayload report --out /report.txt; exec /bin/sh\"\n"
        mx_start $n

        wait_until 10 journal_has "-u $scope" "default-$tok" || t_fail "output not in journalctl -u $scope"
        console_log_has $n "default-$tok" || t_fail "output not in console --log"
        r=$(wait_file $MACHINES_DIR/$n/report.txt) || exit 1
        assert_match '^chr ' "$(report_get "$r" stat./dev/console)" "/dev/console"
        # Attachable, but read-only.
        out=$(echo "echo \$((6*7))-$tok" | timeout 20 machinectl-ext console -q $n | tr -d '\r') ||
                t_fail "machinectl-ext console failed on a default console"
        echo "$out" | grep -qF "42-$tok" && t_fail "the default console took input"
        console_log_has $n "42-$tok" && t_fail "the default console took input (console --log)"
        mx_running $n || t_fail "$n is not running"
}

test_errors() {
        local out
        command -v machinectl-ext >/dev/null || t_fail "machinectl-ext not installed"
        out=$(machinectl-ext console mxt-con-nosuch </dev/null 2>&1) && t_fail "console of a missing machine worked"
        assert_match '^Failed to open console of machine mxt-con-nosuch: ' "$out" "error message"
        out=$(machinectl-ext console --log mxt-con-nosuch 2>&1) && t_fail "console --log of a missing machine worked"
        assert_match '^Failed to get console log of machine mxt-con-nosuch: ' "$out" "error message"
        assert_fail machinectl-ext list --log
        assert_fail machinectl-ext console
}

# ---------------------------------------------------------------------------------------------------------
# Delivery: every byte the payload wrote reaches the ring buffer and the journal, at once, also around a
# hangup (no process has the pty slave open: the payload closed its console and opens it again, as systemd
# does) and when the payload exits or is stopped right after writing.

# The payload's shell code that makes a hangup: close every fd of the console, wait until the daemon has seen
# it, open /dev/console again.
HANGUP='exec 0</dev/null 1>/dev/null 2>/dev/null; sleep 0.3; exec 1>/dev/console'

journal_count() {       # NAME TOKEN: how many distinct lines with TOKEN the journal has for machine NAME
        journalctl --sync >/dev/null 2>&1 || true
        journalctl MACHINE="$1" -o cat --no-pager 2>/dev/null | grep -F -- "$2" | sort -u | wc -l
}

journal_count_is() {    # NAME TOKEN N
        [ "$(journal_count "$1" "$2")" = "$3" ]
}

# N numbered lines, (in the pty modes) a hangup and a last line, then the payload exits by itself: all of
# it is in journalctl -u machine-NAME.scope by the time the machine is gone.
delivery_exit() {       # MODE
        local mode=$1 n=mxt-con-exit-$1 tok=$RANDOM$RANDOM scope code want=300
        setup
        scope=$(scope_of $n)
        mx_root $n
        code="i=0; while [ \\\$i -lt 300 ]; do echo n-$tok-\\\$i; i=\\\$((i+1)); done"
        if [ $mode != pipe ]; then
                code="$code; $HANGUP; echo n-$tok-last"
                want=301
        fi
        mx_settings $n "[Exec]\nConsole=$mode\nParameters=/bin/sh -c \"$code\"\n"
        mx_start $n
        assert_eq "exited 0" "$(mx_wait $n)" "exit of $n"
        wait_until 20 mx_gone $n || t_fail "$n did not go away"
        wait_until 10 journal_count_is $n "n-$tok-" $want ||
                t_fail "$(journal_count $n "n-$tok-") of $want lines in the journal, the last: $(
                        journalctl MACHINE=$n -o cat | grep -F "n-$tok-" | tail -1)"
        journalctl -u $scope -o cat --no-pager | grep -qxF "n-$tok-299" || t_fail "not in journalctl -u $scope"
}

# Lines written after a hangup are in console --log at once (well under 200 ms), not a second later.
delivery_after_hangup() {       # MODE
        local mode=$1 n=mxt-con-hup-$1 tok=$RANDOM$RANDOM t0 ms
        setup
        mx_root $n
        mx_settings $n "[Exec]\nConsole=$mode\nParameters=/bin/sh -c \"echo before-$tok; $HANGUP; echo after-$tok; touch /marker; exec /usr/bin/testpayload sleep inf\"\n"
        mx_start $n
        for ((i = 0; i < 500; i++)); do
                [ -e $MACHINES_DIR/$n/marker ] && break
                sleep 0.02
        done
        [ -e $MACHINES_DIR/$n/marker ] || t_fail "the payload did not get past its hangup"
        t0=$(date +%s%N)
        until console_log_has $n "after-$tok"; do
                ms=$((($(date +%s%N) - t0) / 1000000))
                [ $ms -lt 200 ] || t_fail "'after-$tok' not in console --log ${ms} ms after it was written"
                sleep 0.02
        done
        console_log_has $n "before-$tok" || t_fail "'before-$tok' not in console --log"
        # Meanwhile the daemon did not spin on the hung-up pty.
        mx_running $n || t_fail "$n is not running"
}

# Stopped 0.2 s after its start: what it wrote before is in the journal.
delivery_stop() {       # MODE
        local mode=$1 n=mxt-con-stop-$1 tok=$RANDOM$RANDOM code
        setup
        mx_root $n
        code="echo before-$tok"
        [ $mode != pipe ] && code="$code; exec 0</dev/null 1>/dev/null 2>/dev/null; sleep 0.1; exec 1>/dev/console"
        code="$code; echo after-$tok; exec /usr/bin/testpayload sleep inf"
        mx_settings $n "[Exec]\nConsole=$mode\nParameters=/bin/sh -c \"$code\"\n"
        mx_start $n
        sleep 0.2
        assert_ok mx_stop $n
        wait_until 10 journal_count_is $n "-$tok" 2 ||
                t_fail "the journal has only: $(journalctl MACHINE=$n -o cat | grep -F -- "-$tok" | tr '\n' ' ')"
}

# A payload on a hung-up console costs no CPU: the daemon does not poll the pty in a loop.
test_hangup_idle() {
        local n=mxt-con-idle pid t0 t1
        setup
        mx_root $n
        mx_settings $n "[Exec]\nConsole=read-only\nParameters=/bin/sh -c \"exec 0</dev/null 1>/dev/null 2>/dev/null; exec /usr/bin/testpayload sleep inf\"\n"
        mx_start $n
        pid=$(systemctl show -P MainPID machined-ext)
        sleep 0.5
        t0=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
        sleep 2
        t1=$(awk '{ print $14 + $15 }' /proc/$pid/stat)
        # In clock ticks (100/s): a busy loop would use ~200.
        [ $((t1 - t0)) -lt 50 ] || t_fail "the daemon used $((t1 - t0)) ticks in 2 s with a hung-up console"
}

test_delivery_exit_read_only() { delivery_exit read-only; }
test_delivery_exit_interactive() { delivery_exit interactive; }
test_delivery_exit_pipe() { delivery_exit pipe; }
test_delivery_hangup_read_only() { delivery_after_hangup read-only; }
test_delivery_hangup_interactive() { delivery_after_hangup interactive; }
test_delivery_stop_read_only() { delivery_stop read-only; }
test_delivery_stop_interactive() { delivery_stop interactive; }
test_delivery_stop_pipe() { delivery_stop pipe; }

t_preflight || { echo "0 passed, 1 failed"; exit 1; }

run_test console-interactive test_interactive
run_test console-interactive-piped test_interactive_piped
run_test console-read-only test_read_only
run_test console-pipe test_pipe
run_test console-passive test_passive
run_test console-default-read-only test_default_read_only
run_test console-errors test_errors
run_test console-delivery-exit-read-only test_delivery_exit_read_only
run_test console-delivery-exit-interactive test_delivery_exit_interactive
run_test console-delivery-exit-pipe test_delivery_exit_pipe
run_test console-delivery-hangup-read-only test_delivery_hangup_read_only
run_test console-delivery-hangup-interactive test_delivery_hangup_interactive
run_test console-delivery-stop-read-only test_delivery_stop_read_only
run_test console-delivery-stop-interactive test_delivery_stop_interactive
run_test console-delivery-stop-pipe test_delivery_stop_pipe
run_test console-hangup-idle test_hangup_idle

t_summary
