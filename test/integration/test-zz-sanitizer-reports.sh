#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The last test of a run with a sanitized build (test/run.sh installs build-sanitize with
# `bed.sh install --sanitizers`): the daemon, its container inits and helpers, container@.service's client and
# every CLI the tests ran wrote their AddressSanitizer, LeakSanitizer and UBSan reports to files in
# $MX_SANITIZER_LOG_DIR. The daemon is stopped first, so that LeakSanitizer checks it at its exit. Any report
# fails the run and is printed. Skipped in a run without sanitizers.

set -u
. "$(dirname "$0")/lib.sh"

daemon_inactive() {
        [ "$(systemctl show -p ActiveState --value machined-ext.service)" = inactive ]
}

test_no_reports() {
        local dir=${MX_SANITIZER_LOG_DIR:-} f n=0
        [ -n "$dir" ] || skip "not a sanitized run (no MX_SANITIZER_LOG_DIR)"
        [ -d "$dir" ] || t_fail "no sanitizer log directory $dir"
        systemctl show -p Environment,EnvironmentFiles machined-ext.service | grep -q "log_path=$dir/\|sanitizers" ||
                t_fail "machined-ext.service does not have the sanitizer environment"

        # LeakSanitizer runs when the daemon exits normally: stop it (no machine runs any more) and wait.
        systemctl stop machined-ext.service || t_fail "systemctl stop machined-ext failed"
        wait_until 30 daemon_inactive || t_fail "machined-ext did not stop"

        for f in "$dir"/*; do
                [ -f "$f" ] && n=$((n + 1))
        done
        [ $n = 0 ] || t_fail "$n sanitizer report(s) in $dir: $(cd "$dir" && ls | tr '\n' ' ')"
        return 0
}

t_preflight || exit 1
T_TIMEOUT=60 run_test sanitizer-reports test_no_reports
# The reports themselves, whole (run_test shows only a failed test's last lines).
for f in "${MX_SANITIZER_LOG_DIR:-/nonexistent}"/*; do
        [ -f "$f" ] || continue
        echo "=== $f"
        head -n 200 "$f"
done
t_summary
