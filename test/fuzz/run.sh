#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs one libFuzzer target for longer than the corpus replay of `meson test` (a developer tool, not part of
# CI):
#     test/fuzz/run.sh TARGET SECONDS        e.g. test/fuzz/run.sh settings 600
# TARGET is a corpus directory name under test/fuzz/ (settings, notify, passwd, oci-spec, state,
# mount-options). It needs clang with libFuzzer (Debian: apt-get install clang). The fuzzer is built with
# ASan and UBSan in $BUILD_FUZZ (default build-fuzz), starts from test/fuzz/TARGET/, and works in
# $FUZZ_WORK (default a new /tmp/mx-fuzz-TARGET.XXXXXX), which it keeps:
#     WORK/corpus/     everything it found (not minimized)
#     WORK/new/        the minimized inputs that add edges over test/fuzz/TARGET/ (candidates to add)
#     WORK/artifacts/  crash-*, leak-*, timeout-*, oom-* inputs, if any
#     WORK/fuzz.log    libFuzzer's output; the last lines are the executions and coverage
# The exit status is 0 only if no artifact was written.

set -eu
cd "$(dirname "$0")/../.."

usage() {
        echo "Usage: $0 TARGET SECONDS" >&2
        echo "Targets: $(cd test/fuzz && for d in */; do printf '%s ' "${d%/}"; done)" >&2
        exit 2
}

[ $# = 2 ] || usage
target=$1 seconds=$2
[[ $target =~ ^[a-z-]+$ ]] && [ -d "test/fuzz/$target" ] || usage
[[ $seconds =~ ^[0-9]+$ ]] && [ "$seconds" -gt 0 ] || usage

build=${BUILD_FUZZ:-build-fuzz}
if [ ! -f "$build/build.ninja" ]; then
        CC=clang meson setup "$build" -Dfuzzers=true -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$build" "test/fuzz/fuzz-$target" >/dev/null
bin=$PWD/$build/test/fuzz/fuzz-$target
seed=$PWD/test/fuzz/$target

work=${FUZZ_WORK:-$(mktemp -d "/tmp/mx-fuzz-$target.XXXXXX")}
mkdir -p "$work/corpus" "$work/artifacts" "$work/new"

echo "fuzz-$target for ${seconds}s in $work"
# New inputs go to the first directory: the work corpus; the seed corpus is only read.
status=0
(cd "$work" && ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
        "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" "$work/corpus" "$seed") >"$work/fuzz.log" 2>&1 || status=$?

# The inputs that add coverage over the seed corpus: merge everything into a copy of the seed corpus and
# keep what the merge added.
mkdir -p "$work/merge"
cp -p "$seed"/* "$work/merge/"
# -use_counters=0: what counts is a new edge, not a new hit count of a known one (which keeps the set small).
(cd "$work" && "$bin" -merge=1 -use_counters=0 "$work/merge" "$work/corpus") >"$work/merge.log" 2>&1 || true
for f in "$work/merge"/*; do
        [ -e "$seed/${f##*/}" ] || mv "$f" "$work/new/"
done
rm -rf "$work/merge"

# Coverage (edges, "cov:") of the seed corpus alone and of the seed corpus plus what was found.
seed_cov=$("$bin" -runs=0 "$seed" 2>&1 | sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' | tail -1)
end_cov=$("$bin" -runs=0 "$seed" "$work/new" 2>&1 | sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' | tail -1)
echo "executions: $(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")"
echo "coverage (edges): seed corpus ${seed_cov:-?}, with the new inputs ${end_cov:-?}"
echo "inputs that add edges (minimized): $(ls "$work/new" | wc -l) in $work/new"
if [ -n "$(ls "$work/artifacts")" ]; then
        echo "ARTIFACTS (fuzzer exit status $status):"
        ls -l "$work/artifacts"
        grep -m1 -A30 -E '^==[0-9]+==ERROR|runtime error' "$work/fuzz.log" || tail -40 "$work/fuzz.log"
        exit 1
fi
exit 0
