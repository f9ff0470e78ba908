#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The daemon's journal messages about a machine carry MACHINE=NAME and a MESSAGE_ID= (start, ready, stop,
# exit, failure; src/shared/message-ids.h), and catalog/machined-ext.catalog explains each (journalctl -x).

set -u
. "$(dirname "$0")/lib.sh"

A=mxjn-a
B=mxjn-b
F=mxjn-fail

# The MESSAGE_ID of KIND (START, READY, STOP, EXIT, FAILED), as the daemon defines it.
msg_id() {
        sed -n "s/^#define MX_MESSAGE_MACHINE_$1 *\"\([0-9a-f]\{32\}\)\".*/\1/p" "$T_REPO/src/shared/message-ids.h"
}

# Now, as journalctl --since= takes it. (Not a cursor: journalctl 252 with --after-cursor and a match on a
# field that few entries have, such as MESSAGE_ID=, finds nothing.)
j_now() {
        echo "@$(date +%s.%N)"
}

# The messages (text only) since SINCE that match the journal fields FIELD=VALUE...
j_match() {     # SINCE FIELD=VALUE...
        local c=$1
        shift
        journalctl --no-pager -o cat --since="$c" "$@" 2>/dev/null
}

j_match_has() { # SINCE STRING FIELD=VALUE...
        local c=$1 s=$2
        shift 2
        j_match "$c" "$@" | grep -qF -- "$s"
}

assert_j_match() {      # SINCE STRING FIELD=VALUE...
        local c=$1 s=$2
        shift 2
        wait_until 5 j_match_has "$c" "$s" "$@" ||
                t_fail "no '$s' in journalctl $*; it has: $(j_match "$c" "$@" | tail -5 | tr '\n' '|')"
}

test_machine_field() {
        local c out k
        for k in START READY STOP EXIT FAILED; do
                [ ${#k} -gt 0 ] && [ -n "$(msg_id $k)" ] || t_fail "no MX_MESSAGE_MACHINE_$k in message-ids.h"
        done
        c=$(j_now)
        mx_root $A
        mx_settings $A "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_root $B
        mx_settings $B "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $A
        mx_start $B
        mx_wait_state $A running
        mx_wait_state $B running
        machinectl-ext stop $A || t_fail "machinectl-ext stop $A failed"
        wait_until 10 mx_gone $A || t_fail "$A still there after stop"

        # One machine's history, in order, each with its MESSAGE_ID.
        assert_j_match "$c" "Starting machine $A " MACHINE=$A MESSAGE_ID=$(msg_id START)
        assert_j_match "$c" "Machine $A is ready." MACHINE=$A MESSAGE_ID=$(msg_id READY)
        assert_j_match "$c" "Machine $A: stopping, sending" MACHINE=$A MESSAGE_ID=$(msg_id STOP)
        assert_j_match "$c" "Machine $A: payload killed, signal" MACHINE=$A MESSAGE_ID=$(msg_id EXIT)
        out=$(j_match "$c" MACHINE=$A)
        echo "$out"
        assert_match "Starting machine $A .*is ready.*stopping.*payload" "$(tr '\n' ' ' <<<"$out")" "order"
        assert_no_match "$B" "$out" "journalctl MACHINE=$A"
        # ... and not the other's: B started and is ready, but never stopped.
        assert_j_match "$c" "Machine $B is ready." MACHINE=$B
        assert_no_match "stopping|$A" "$(j_match "$c" MACHINE=$B)" "journalctl MACHINE=$B"
        # The messages are the daemon's: journalctl -u machined-ext still shows them.
        assert_j_match "$c" "Machine $A is ready." -u machined-ext
}

test_failure_id() {
        local c out
        c=$(j_now)
        mx_root $F
        mx_settings $F "[Exec]\nParameters=/no/such/command\n"
        out=$(mx StartMachine s $F 2>&1) && t_fail "StartMachine $F succeeded: $out"
        assert_j_match "$c" "Machine $F failed to start: Failed to execute /no/such/command" \
                MESSAGE_ID=$(msg_id FAILED)
        out=$(journalctl --no-pager -o verbose --since="$c" MESSAGE_ID=$(msg_id FAILED) MACHINE=$F)
        assert_match "PRIORITY=3" "$out" "priority of the failure"
        assert_match "SYSLOG_IDENTIFIER=machined-ext" "$out" "identifier"
        assert_match "_SYSTEMD_UNIT=machined-ext.service" "$out" "unit"
        # Not a failure: a machine that started.
        mx_root $A
        mx_settings $A "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $A
        mx_wait_state $A running
        assert_no_match "$A" "$(j_match "$c" MESSAGE_ID=$(msg_id FAILED))" "failures"
}

test_catalog() {
        local c out k
        [ -f /usr/lib/systemd/catalog/machined-ext.catalog ] || t_fail "catalog not installed"
        journalctl --update-catalog || t_fail "journalctl --update-catalog failed"
        out=$(journalctl --list-catalog)
        for k in START READY STOP EXIT FAILED; do
                assert_match "^$(msg_id $k) machined-ext: " "$(grep "^$(msg_id $k)" <<<"$out")" "catalog entry $k"
        done
        c=$(j_now)
        mx_root $F
        mx_settings $F "[Exec]\nParameters=/no/such/command\n"
        mx StartMachine s $F >/dev/null 2>&1 && t_fail "StartMachine $F succeeded"
        assert_j_match "$c" "failed to start" MACHINE=$F
        out=$(journalctl --no-pager -x --since="$c" MESSAGE_ID=$(msg_id FAILED) MACHINE=$F)
        echo "$out"
        assert_match "Subject: Machine $F failed to start" "$out" "catalog subject with @MACHINE@"
        assert_match "journalctl -u machine-$F.scope" "$out" "catalog text"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }
command -v machinectl-ext >/dev/null || { echo "machinectl-ext not installed"; echo "0 passed, 1 failed"; exit 1; }

run_test journal-machine-field test_machine_field
run_test journal-failure-id test_failure_id
run_test journal-catalog test_catalog

t_summary
