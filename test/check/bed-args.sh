#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test/bed/bed.sh's argument parsing, without booting anything: --state-dir before or after a verb's other
# arguments (except exec's command), and errors for what does not fit. Every state dir here is empty, so
# each verb stops at "no bed running (state dir DIR)", which names the dir it parsed.
set -u
top=${1:-$(cd "$(dirname "$0")/../.." && pwd -P)}
bed=$top/test/bed/bed.sh
tmp=$(mktemp -d /tmp/bed-args.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
        echo "FAIL: $*"
        failed=1
}

# expect RC REGEX ARGS...: bed.sh ARGS exits with RC and prints a line matching REGEX.
expect() {
        local rc=$1 re=$2 out got=0
        shift 2
        out=$("$bed" "$@" 2>&1) || got=$?
        [ "$got" = "$rc" ] || fail "bed.sh $*: exit status $got, expected $rc: $out"
        [[ $out =~ $re ]] || fail "bed.sh $*: output '$out' does not match /$re/"
}

# A build dir inside the repo, as install wants one (its content does not matter here).
b=$top/test

expect 3 "^not running \(state dir $tmp/a\)$" status --state-dir "$tmp/a"
expect 3 "^not running \(state dir $tmp/b\)$" status --state-dir="$tmp/b"
expect 1 "no bed running \(state dir $tmp/c\)" install --state-dir "$tmp/c" "$b"
expect 1 "no bed running \(state dir $tmp/d\)" install "$b" --state-dir "$tmp/d"
expect 1 "no bed running \(state dir $tmp/e\)" install "$b" --state-dir="$tmp/e"
expect 1 "no bed running \(state dir $tmp/f\)" exec --state-dir "$tmp/f" true
expect 1 "no bed running \(state dir $tmp/g\)" exec --state-dir "$tmp/g" -- true --state-dir "$tmp/x"
# Relative state dirs are made absolute.
(cd "$tmp" && expect 3 "^not running \(state dir $tmp/h\)$" status --state-dir h)

expect 1 "usage: .* install \[--state-dir DIR\] \[--sanitizers\] BUILDDIR" install --state-dir "$tmp/i"
expect 1 "usage: .* install \[--state-dir DIR\] \[--sanitizers\] BUILDDIR" install "$b" "$b" --state-dir "$tmp/i"
expect 1 "usage: .* install \[--state-dir DIR\] \[--sanitizers\] BUILDDIR" install "$b" --sanitizers "$b" --state-dir "$tmp/i"
expect 1 "status: unexpected argument 'extra'" status extra --state-dir "$tmp/j"
expect 1 "--state-dir needs a directory" status --state-dir
expect 1 "--state-dir: empty directory name" status --state-dir ""
expect 1 "start: unknown option --bogus" start --bogus --state-dir "$tmp/k"
expect 2 "^usage: " frobnicate --state-dir "$tmp/l"
[ "$(id -u)" = 0 ] && expect 1 "stop: unexpected argument 'extra'" stop --state-dir "$tmp/m" extra

[ $failed = 0 ] && echo "bed.sh argument parsing: ok"
exit $failed
