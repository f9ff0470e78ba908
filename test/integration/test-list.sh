#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# machinectl-ext list, like machinectl list: the table (NAME CLASS STATE LEADER UNIT READY SINCE STATUS, aligned, a header
# and a footer), --no-legend, --json=short|pretty|off with the same fields, and --all (the names whose last
# run ended, from ListExitedMachines).

set -u
. "$(dirname "$0")/lib.sh"

A=mxls-a        # runs: READY yes
B=mxls-b        # waits for a READY=1 that does not come: starting, READY no, STATUS "Waiting for x"
C=mxls-c        # exits with 3

two_machines() {
        mx_root $A
        mx_settings $A "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $A
        mx_root $B
        mx_settings $B "[Exec]\nParameters=/usr/bin/testpayload sleep inf --notify \"STATUS=Waiting for x\"\nNotifyReady=yes\nTimeoutStartSec=300\n"
        mx_start $B
        mx_wait_state $A running
        assert_eq starting "$(mx_prop $B State)" "State of $B"
        wait_until 10 status_is $B "Waiting for x" || t_fail "no STATUS= of $B: $(mx_prop $B Status)"
}

status_is() {   # NAME TEXT
        [ "$(mx_prop $1 Status)" = "$2" ]
}

# The SINCE column of NAME: its Timestamp, as machinectl-ext show formats it (fields space-separated).
since_of() {    # NAME
        local t
        t=$(mx_prop $1 Timestamp)
        [ "${t:-0}" != 0 ] || t_fail "no Timestamp of $1"
        date -d @$((t / 1000000)) '+%a %Y-%m-%d %H:%M:%S %Z'
}

# The row of NAME in the output $1, as its fields separated by single spaces.
row_of() {      # OUTPUT NAME
        awk -v n="$2" '$1 == n { $1 = $1; print }' <<<"$1"
}

# Every column of the header starts at the same offset in every row, after a blank: an aligned table.
assert_aligned() {      # OUTPUT
        local bad
        bad=$(awk 'NR == 1 {
                        for (i = 1; i <= length($0); i++)
                                if (substr($0, i, 1) != " " && (i == 1 || substr($0, i - 1, 1) == " "))
                                        starts[++n] = i
                        next
                }
                /^$/ { exit }
                {
                        for (k = 1; k <= n; k++) {
                                i = starts[k]
                                if (substr($0, i, 1) == " " || (i > 1 && substr($0, i - 1, 1) != " "))
                                        print "row " NR - 1 " column " k ": " $0
                        }
                }' <<<"$1")
        [ -z "$bad" ] || t_fail "table not aligned: $bad"
}

listed() {      # NAME
        [ -n "$(mx_list_entry "$1")" ]
}

not_listed() {  # NAME
        mx ListMachines >/dev/null && [ -z "$(mx_list_entry "$1")" ]
}

# ListMachines follows every change of what it lists: a machine's state (starting, then running at READY=1)
# and leader, a machine that is gone and one started again under the same name (the daemon keeps the answer
# packed and builds it again after a change: issue #17; test builds also check it against a fresh one).
test_bus_follows() {
        local e l
        mx_root $A
        mx_settings $A "[Exec]\nParameters=/bin/sh -c \"while [ ! -e /go ]; do sleep 0.1; done; exec /usr/bin/testpayload sleep inf --notify READY=1\"\nNotifyReady=yes\n"
        mx_start $A
        wait_until 10 listed $A || t_fail "$A not listed"
        l=$(mx_prop $A Leader)
        assert_eq "starting $l" "$(mx_list_entry $A | cut -d' ' -f1-2)" "ListMachines of $A, starting"
        touch $MACHINES_DIR/$A/go
        mx_wait_state $A running
        assert_eq "running $l" "$(mx_list_entry $A | cut -d' ' -f1-2)" "ListMachines of $A after READY=1"
        mx_stop $A
        wait_until 10 not_listed $A || t_fail "$A still listed after its stop: $(mx_list_entry $A)"
        rm -f $MACHINES_DIR/$A/go
        mx_start $A
        wait_until 10 listed $A || t_fail "$A not listed after its second start"
        e=$(mx_list_entry $A)
        assert_eq "starting $(mx_prop $A Leader)" "$(cut -d' ' -f1-2 <<<"$e")" "ListMachines of $A, started again"
        assert_ne "$l" "$(mx_prop $A Leader)" "the leader of the second start"
        mx_stop $A
}

test_table() {
        local out rows n
        two_machines
        out=$(machinectl-ext list) || t_fail "machinectl-ext list failed: $out"
        echo "$out"
        assert_match '^NAME +CLASS +STATE +LEADER +UNIT +READY +SINCE +STATUS$' "$(head -1 <<<"$out")" "header"
        assert_eq "$A container running $(mx_prop $A Leader) $(scope_of $A) yes $(since_of $A) -" \
                "$(row_of "$out" $A)" "row of $A"
        assert_eq "$B container starting $(mx_prop $B Leader) $(scope_of $B) no $(since_of $B) Waiting for x" \
                "$(row_of "$out" $B)" "row of $B"
        assert_aligned "$out"
        # Sorted by name; a blank line, then the footer with the number of rows.
        rows=$(sed -n '2,/^$/p' <<<"$out" | grep -v '^$')
        n=$(wc -l <<<"$rows")
        assert_eq "$(sort <<<"$rows")" "$rows" "rows sorted by name"
        assert_eq "" "$(tail -2 <<<"$out" | head -1)" "blank line before the footer"
        assert_eq "$n machines listed." "$(tail -1 <<<"$out")" "footer"
        # The default command, and --json=off, are the same table.
        assert_eq "$out" "$(machinectl-ext)" "machinectl-ext without a command"
        assert_eq "$out" "$(machinectl-ext list --json=off)" "--json=off"
}

test_no_legend() {
        local out
        two_machines
        out=$(machinectl-ext list --no-legend) || t_fail "machinectl-ext list --no-legend failed: $out"
        echo "$out"
        assert_no_match 'NAME|machines listed|No machines' "$out" "--no-legend output"
        assert_eq 0 "$(grep -c '^$' <<<"$out")" "blank lines with --no-legend"
        assert_eq "$A container running $(mx_prop $A Leader) $(scope_of $A) yes $(since_of $A) -" "$(row_of "$out" $A)" "row of $A"
        assert_eq "$B container starting $(mx_prop $B Leader) $(scope_of $B) no $(since_of $B) Waiting for x" "$(row_of "$out" $B)" "row of $B"
        # Each line is a row of the table.
        assert_eq "$(machinectl-ext list | sed -n '2,/^$/p' | grep -v '^$')" "$out" "rows of --no-legend"
}

# The objects of the JSON array on stdin, one line each: "name class state leader unit ready [exit_code
# exit_status]" (null as "null", booleans as true/false), then a line "keys: ..." per distinct key set.
JSON_ROWS='
import json, sys
a = json.load(sys.stdin)
assert isinstance(a, list), "not an array"
def s(v):
        return "null" if v is None else (str(v).lower() if isinstance(v, bool) else str(v))
keys = set()
for o in a:
        keys.add(" ".join(o.keys()))
        f = ["name", "class", "state", "leader", "unit", "ready", "since", "status"] + (["exit_code", "exit_status"] if "exit_code" in o else [])
        print(" ".join(s(o.get(k)) for k in f))
for k in sorted(keys):
        print("keys: " + k)
'

test_json() {
        local out rows pretty
        command -v python3 >/dev/null || skip "python3 not installed"
        two_machines
        out=$(machinectl-ext list --json=short) || t_fail "machinectl-ext list --json=short failed: $out"
        echo "$out"
        assert_eq 1 "$(wc -l <<<"$out")" "--json=short is one line"
        rows=$(python3 -c "$JSON_ROWS" <<<"$out") || t_fail "--json=short does not parse: $out"
        assert_eq "$A container running $(mx_prop $A Leader) $(scope_of $A) true $(mx_prop $A Timestamp) null" \
                "$(row_of "$rows" $A)" "$A"
        assert_eq "$B container starting $(mx_prop $B Leader) $(scope_of $B) false $(mx_prop $B Timestamp) Waiting for x" \
                "$(row_of "$rows" $B)" "$B"
        assert_eq "keys: name class state leader unit ready since status" "$(grep '^keys:' <<<"$rows")" "the keys"
        assert_eq "$(machinectl-ext list --no-legend | wc -l)" "$(grep -vc '^keys:' <<<"$rows")" "one object per machine"
        # --json=pretty: the same, indented; and no legend with either.
        pretty=$(machinectl-ext list --json=pretty) || t_fail "machinectl-ext list --json=pretty failed"
        [ "$(wc -l <<<"$pretty")" -gt 2 ] || t_fail "--json=pretty is not indented: $pretty"
        assert_eq "$rows" "$(python3 -c "$JSON_ROWS" <<<"$pretty")" "--json=pretty"
        assert_no_match 'machines listed' "$out$pretty" "legend in JSON"
        # Bad input: which value was wrong; --json= with another command.
        out=$(machinectl-ext list --json=long 2>&1) && t_fail "--json=long succeeded: $out"
        assert_match "Invalid --json= mode 'long'" "$out" "--json=long"
        out=$(machinectl-ext --json=short kill $A 2>&1) && t_fail "--json= with kill succeeded: $out"
        assert_match "only supported with 'list', 'status' and 'show'" "$out" "--json= with kill"
}

test_all() {
        local out rc=0 rows
        mx_root $A
        mx_settings $A "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $A
        mx_wait_state $A running
        mx_root $C
        mx_settings $C "[Exec]\nParameters=/usr/bin/testpayload exit 3\n"
        timeout 30 machinectl-ext start --wait $C >/dev/null 2>&1 || rc=$?
        assert_eq 3 $rc "start --wait of $C"
        wait_until 10 mx_gone $C || t_fail "$C still listed"

        out=$(machinectl-ext list)
        assert_eq "" "$(row_of "$out" $C)" "$C without --all"
        out=$(machinectl-ext list --all) || t_fail "machinectl-ext list --all failed: $out"
        echo "$out"
        assert_match '^NAME +CLASS +STATE +LEADER +UNIT +READY +SINCE +STATUS +EXIT$' "$(head -1 <<<"$out")" "header with --all"
        assert_eq "$C container stopped - - - - - exited 3" "$(row_of "$out" $C)" "row of $C with --all"
        assert_eq "$A container running $(mx_prop $A Leader) $(scope_of $A) yes $(since_of $A) - -" "$(row_of "$out" $A)" \
                "row of $A with --all"
        assert_aligned "$out"
        assert_eq "$(sed -n '2,/^$/p' <<<"$out" | grep -vc '^$') machines listed." "$(tail -1 <<<"$out")" "footer"

        if command -v python3 >/dev/null; then
                rows=$(machinectl-ext list --all --json=short | python3 -c "$JSON_ROWS") ||
                        t_fail "--all --json=short does not parse"
                assert_eq "$C container stopped null null null null null exited 3" "$(row_of "$rows" $C)" "$C in JSON"
                assert_eq "$A container running $(mx_prop $A Leader) $(scope_of $A) true $(mx_prop $A Timestamp) null null null" \
                        "$(row_of "$rows" $A)" "$A in JSON"
        fi

        # Running again: listed once, as running.
        mx_settings $C "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n"
        mx_start $C
        mx_wait_state $C running
        out=$(machinectl-ext list --all --no-legend)
        assert_eq 1 "$(awk -v n=$C '$1 == n' <<<"$out" | wc -l)" "rows of $C running again"
        assert_eq "$C container running $(mx_prop $C Leader) $(scope_of $C) yes $(since_of $C) - -" "$(row_of "$out" $C)" \
                "row of $C running again"
}

# The bash completion offers --json='s modes (the completion as installed; test-completion.sh has the rest).
test_completion() {
        local f=/usr/share/bash-completion/completions/machinectl-ext got
        [ -f $f ] || t_fail "$f is not installed"
        complete_line() {
                (
                        . $f || exit 1
                        COMP_WORDS=("$@")
                        COMP_CWORD=$(($# - 1))
                        COMPREPLY=()
                        _machinectl_ext machinectl-ext "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
                        printf '%s\n' "${COMPREPLY[@]}" | sort
                )
        }
        assert_eq "$(printf 'off\npretty\nshort')" "$(complete_line machinectl-ext list --json "")" "--json values"
        assert_eq pretty "$(complete_line machinectl-ext list --json = p)" "--json=p"
        got=$(complete_line machinectl-ext --json = short "")
        grep -qx list <<<"$got" || t_fail "no command after --json=short: $got"
        got=$(complete_line machinectl-ext --a)
        assert_eq --all "$got" "--a"
}

t_preflight || { echo "0 passed, 1 failed"; exit 1; }
command -v machinectl-ext >/dev/null || { echo "machinectl-ext not installed"; echo "0 passed, 1 failed"; exit 1; }

run_test list-table test_table
run_test list-bus-follows test_bus_follows
run_test list-no-legend test_no_legend
run_test list-json test_json
run_test list-all test_all
run_test list-completion test_completion

t_summary
