#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs every test/integration/test-*.sh and sums up. Needs root, a running systemd with systemd-machined
# and dbus-daemon, and machined-ext installed: inside the test bed (test/bed/bed.sh) or on a host whose
# PID 1 is systemd. BUILDDIR (default <repo>/build) locates the test payload. Optional arguments: the test
# files to run (default: all). The last line is "N passed, N failed" (", N skipped" if any).

set -u
here=$(cd "$(dirname "$0")" && pwd -P)
export BUILDDIR=${BUILDDIR:-$(cd "$here/../.." && pwd -P)/build}
# A bed whose build was installed with `bed.sh install --sanitizers`: the CLIs and helpers the tests run write
# their sanitizer reports where the daemon's go, and test-zz-sanitizer-reports.sh checks them.
if [ -r /etc/default/machined-ext-sanitizers ]; then
        set -a
        . /etc/default/machined-ext-sanitizers
        set +a
fi

passed=0 failed=0 skipped=0
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$here"/test-*.sh)

for f in "${files[@]}"; do
        echo "# $(basename "$f")"
        t0=$SECONDS
        out=$(mktemp /tmp/mxrun.XXXXXX)
        # Each file bounds its own tests; this bounds the file as a whole, in case its set-up hangs.
        timeout -k 10 "${T_FILE_TIMEOUT:-1500}" bash "$f" 2>&1 | tee "$out"
        last=$(tail -n 1 "$out")
        rm -f "$out"
        echo "# $(basename "$f"): $((SECONDS - t0))s"
        if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
                passed=$((passed + BASH_REMATCH[1]))
                failed=$((failed + BASH_REMATCH[2]))
                skipped=$((skipped + ${BASH_REMATCH[4]:-0}))
        else
                echo "FAIL $(basename "$f"): did not finish with a summary line"
                failed=$((failed + 1))
        fi
done

line="$passed passed, $failed failed"
[ $skipped -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ $failed = 0 ]
