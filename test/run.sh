#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The whole test run, as root from anywhere: dependencies, build, unit tests (meson test), then the
# integration tests against real systemd + systemd-machined + dbus-daemon: on the host if PID 1 is systemd
# (after `meson install` there), otherwise inside the test bed (test/bed/bed.sh), which is always stopped.
# In the bed they run against the build with AddressSanitizer and UBSan (BUILD_SANITIZE), and any sanitizer
# report fails the run (test-zz-sanitizer-reports.sh); on a systemd host against the plain build.
# The last line is "N passed, N failed" (", N skipped" if any); the exit status is non-zero if anything failed.

set -u
cd "$(dirname "$0")/.."
REPO=$(pwd -P)
BUILD=${BUILD:-build}
BED_STATE=${BED_STATE:-/run/machined-ext-bed-test}   # several trees may test at once, each with its own bed
BED=$REPO/test/bed/bed.sh

passed=0 failed=0 skipped=0
t_start=$SECONDS

summary() {
        local line="$passed passed, $failed failed"
        [ $skipped -gt 0 ] && line="$line, $skipped skipped"
        echo "# total time $((SECONDS - t_start))s"
        echo "$line"
}

# Adds "N passed, N failed[, N skipped]" from the last line of $1 to the totals; 1 if there is none.
add_counts() {
        local last
        last=$(tail -n 1 "$1")
        [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]] || return 1
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        skipped=$((skipped + ${BASH_REMATCH[4]:-0}))
}

step_fail() {
        echo "FAIL $*"
        failed=$((failed + 1))
}

[ "$(id -u)" = 0 ] || { echo "test/run.sh must run as root (it installs packages and boots a test bed)" >&2; exit 1; }

echo "# dependencies"
tools/install-deps.sh || step_fail "install-deps"

echo "# build"
built=0
# The test build honours MACHINED_EXT_FAULT (test-faults.sh); builds for use do not (it is off by default).
setup_ok() {
        if [ -f "$BUILD/build.ninja" ]; then
                meson setup --reconfigure -Dfault-injection=true "$BUILD" >"/tmp/mxtest-setup.$$.log" 2>&1 && return 0
                cat "/tmp/mxtest-setup.$$.log"
                return 1
        fi
        meson setup -Dfault-injection=true "$BUILD" >"/tmp/mxtest-setup.$$.log" 2>&1 && return 0
        cat "/tmp/mxtest-setup.$$.log"
        return 1
}
if setup_ok && ninja -C "$BUILD"; then
        built=1
else
        step_fail "build"
fi

log=$(mktemp /tmp/mxtest-run.XXXXXX)
trap 'rm -f "$log"' EXIT

# meson_tests BUILDDIR LABEL: runs meson test there and adds its summary to the totals.
meson_tests() {
        local u_ok u_xf u_fail u_xp u_skip u_to
        timeout -k 10 600 meson test -C "$1" --no-rebuild --print-errorlogs 2>&1 | tee "$log"
        # meson's summary: "Ok: N", "Expected Fail: N", "Fail: N", "Unexpected Pass: N", "Skipped: N", "Timeout: N"
        u_ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$log" | tail -1)
        u_xf=$(sed -n 's/^Expected Fail: *\([0-9]*\).*/\1/p' "$log" | tail -1)
        u_fail=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$log" | tail -1)
        u_xp=$(sed -n 's/^Unexpected Pass: *\([0-9]*\).*/\1/p' "$log" | tail -1)
        u_skip=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$log" | tail -1)
        u_to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$log" | tail -1)
        if [ -z "$u_ok$u_fail" ] && ! grep -q "No tests defined" "$log"; then
                step_fail "$2 tests: meson test printed no summary"
        fi
        passed=$((passed + ${u_ok:-0} + ${u_xf:-0}))
        failed=$((failed + ${u_fail:-0} + ${u_xp:-0} + ${u_to:-0}))
        skipped=$((skipped + ${u_skip:-0}))
        echo "# $2: ${u_ok:-0} ok, $((${u_fail:-0} + ${u_xp:-0} + ${u_to:-0})) failed, ${u_skip:-0} skipped"
}

BUILD_SANITIZE=${BUILD_SANITIZE:-$BUILD-sanitize}
sanitized_setup() {
        local opts=(-Db_sanitize=address,undefined -Db_lundef=false -Dfault-injection=true)
        if [ -f "$BUILD_SANITIZE/build.ninja" ]; then
                meson setup --reconfigure "${opts[@]}" "$BUILD_SANITIZE" >/dev/null 2>&1 && return 0
        fi
        meson setup "${opts[@]}" "$BUILD_SANITIZE" >/dev/null 2>&1
}

if [ $built = 1 ]; then
        echo "# unit tests"
        meson_tests "$BUILD" unit

        # The same unit tests and fuzz corpora built with AddressSanitizer and UBSan (issue #15): any report
        # fails the test that made it. testpayload is not built there (it must be static).
        echo "# unit tests, sanitized (address, undefined)"
        sanitized=0
        if sanitized_setup && ninja -C "$BUILD_SANITIZE" >"/tmp/mxtest-asan.$$.log" 2>&1; then
                sanitized=1
                ASAN_OPTIONS=halt_on_error=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
                        meson_tests "$BUILD_SANITIZE" "sanitized unit"
        else
                tail -20 "/tmp/mxtest-asan.$$.log"
                step_fail "sanitized build"
        fi
        rm -f "/tmp/mxtest-asan.$$.log"

        echo "# integration tests"
        export BUILDDIR=$REPO/$BUILD
        if [ "$(cat /proc/1/comm)" = systemd ]; then
                if meson install -C "$BUILD" --no-rebuild --quiet && systemctl daemon-reload &&
                   busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig; then
                        timeout -k 10 3000 test/integration/run.sh 2>&1 | tee "$log"
                        add_counts "$log" || step_fail "integration: no summary line"
                else
                        step_fail "integration: meson install on the host"
                fi
        else
                trap '"$BED" stop --state-dir "$BED_STATE"; rm -f "$log"' EXIT
                trap 'exit 130' INT TERM
                # The integration tests run once, against the sanitized build (issue #15): the daemon, its
                # container inits and helpers, and the CLIs write every ASan, LSan and UBSan report to a
                # file, and the last test (test-zz-sanitizer-reports.sh) fails if there is one. The payload
                # comes from the plain build (it must be static). Without a sanitized build, the plain one.
                install_args=("$BUILD") payload=$REPO/$BUILD/test/payload/testpayload
                if [ $sanitized = 1 ]; then
                        install_args=(--sanitizers "$BUILD_SANITIZE")
                        BUILDDIR=$REPO/$BUILD_SANITIZE
                        echo "# integration tests run against $BUILD_SANITIZE (ASan, UBSan)"
                fi
                if "$BED" start --state-dir "$BED_STATE" --replace >/dev/null; then
                        if "$BED" install --state-dir "$BED_STATE" "${install_args[@]}"; then
                                timeout -k 10 3000 "$BED" exec --state-dir "$BED_STATE" \
                                        env BUILDDIR="$BUILDDIR" PAYLOAD="$payload" test/integration/run.sh 2>&1 |
                                        tee "$log"
                                add_counts "$log" || step_fail "integration: no summary line"
                        else
                                step_fail "integration: install into the bed"
                        fi
                else
                        step_fail "integration: the test bed did not boot"
                fi
                echo "# stopping the bed"
                "$BED" stop --state-dir "$BED_STATE"
                trap 'rm -f "$log"' EXIT       # stopped already: the trap is for an early exit only
        fi
fi

summary
[ $failed = 0 ]
