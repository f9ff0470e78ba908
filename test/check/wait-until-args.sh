#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The integration tests poll with `wait_until TIMEOUT CMD...` (test/integration/lib.sh). Its arguments are
# expanded once, by the caller, before it polls: in `wait_until 10 test "$(mx_prop $k State)" = running` the
# property is read once, and wait_until compares that same text for 10 s. That failed test-docs.sh whenever
# the one read came while the machine was still "starting". A command substitution in wait_until's arguments
# is therefore refused here, unless it is quoted for a later shell (`sh -c "... \$(...)"`, `eval '...$(...)'`):
# read the value in a function (mx_state_is, mx_wait_state), or into a variable before the wait if it is
# fixed. Usage: wait-until-args.sh FILE... (default: test/integration/*.sh)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd -P)
[ $# -gt 0 ] || set -- "$top"/test/integration/*.sh
failed=0

# Each wait_until call (also after ;, &&, ||, "if", "!"), up to the end of its command (an unquoted ;, &, |
# or newline): a "$(" (not "$((") or "`" outside single quotes and not escaped is expanded by the caller.
scan='
/^[[:space:]]*#/ { next }
{
        line = $0
        while (match(line, /(^|[[:space:];&|(!{])wait_until[[:space:]]/)) {
                rest = substr(line, RSTART + RLENGTH)
                line = rest
                sq = 0; dq = 0; bad = 0
                for (i = 1; i <= length(rest); i++) {
                        c = substr(rest, i, 1)
                        if (sq) { if (c == "\047") sq = 0; continue }
                        if (c == "\\") { i++; continue }
                        if (c == "\047" && !dq) { sq = 1; continue }
                        if (c == "\"") { dq = !dq; continue }
                        if (!dq && (c == ";" || c == "&" || c == "|")) break
                        if (c == "`" ||
                            (c == "$" && substr(rest, i + 1, 1) == "(" && substr(rest, i + 2, 1) != "(")) {
                                bad = 1
                                break
                        }
                }
                if (bad) {
                        printf "%s:%d: wait_until'"'"'s arguments have a command substitution, expanded once " \
                               "before it polls:%s\n", FILENAME, FNR, $0
                        failed = 1
                }
        }
}
END { exit failed }
'
for f in "$@"; do
        awk "$scan" "$f" || failed=1
done

[ $failed = 0 ] && echo "wait_until: no argument is expanded before the wait in $# files"
exit $failed
