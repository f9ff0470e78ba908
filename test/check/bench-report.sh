#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The benchmark's arithmetic, on fixed inputs (test/check/fixtures/bench/), without a bed:
# - bench/breakdown.py turns a saved `perf script` trace of one start (ours: machinectl-ext start --wait, and
#   crun run; recorded in the bed, other beds' events as PID 0 left in) into the moments of the start;
# - bench/report.py prints one line per target of issues #17 and #13 with the right ratio and verdict (the
#   fixture sits on both sides of every limit, some exactly on it), and the breakdown's medians; the floor's
#   line (scenario floor: over the quiet budget, then under it, against both crun anchors), the floor-scale
#   table and its line, and an incomplete floor-scale row refused.
set -u
top=${1:-$(cd "$(dirname "$0")/../.." && pwd -P)}
fix=$top/test/check/fixtures/bench
tmp=$(mktemp -d /tmp/bench-report.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() {
        echo "FAIL: $*"
        failed=1
}

# breakdown.py FILE: the moments and messages of the trace, for the client PID its first line names.
moments() {
        python3 "$top/bench/breakdown.py" "$fix/$1" "$(sed -n 's/^# client pid \([0-9]*\).*/\1/p;q' "$fix/$1")"
}

expect_lines() {
        local what=$1 got=$2 want=$3
        [ "$got" = "$want" ] || fail "$what:"$'\n'"$(diff <(echo "$want") <(echo "$got"))"
}

expect_lines "breakdown of machinectl-ext start --wait" "$(moments perf-ours.txt)" "exec=0.000
connect=1.605
clone=14.055
mkdir=18.748
attach=23.987
registered=27.755
payload-exec=29.001
payload-exit=29.432
client-exit=37.198
msgs dbus-daemon=36
msgs machinectl-ext=5
msgs machined-ext=18
msgs systemd=17
msgs systemd-journal=5
msgs systemd-machine=4"

# crun: connects to the bus after the clone, registers nothing.
expect_lines "breakdown of crun run" "$(moments perf-crun.txt)" "exec=0.000
connect=10.021
clone=6.189
mkdir=17.550
attach=25.705
registered=
payload-exec=30.501
payload-exit=31.086
client-exit=39.073
msgs crun=8
msgs dbus-daemon=49
msgs systemd=34
msgs systemd-journal=3"

cp "$fix"/out/* "$tmp"/
out=$(python3 "$top/bench/report.py" "$tmp" --results "$tmp/RESULTS.md" --command test 2>/dev/null) ||
        fail "report.py failed"
while IFS= read -r want; do
        grep -qxF -- "$want" <<<"$out" || fail "report.py did not print: $want"
done <<'EOF'
- #17 daemon start --wait of /bin/true, quiet (true): ours ≤ 0.5× crun: 0.50× (10.0 / 20.0 ms): met
- #17 the same, CPU spinners on both cores (load-cpu): ours ≤ 0.8× crun: 0.8050× (16.1 / 20.0 ms): MISSED by 1.006× (16.10 ms vs. a budget of 16.00 ms)
- #17 the same, compiles and container starts (load-mixed): ours ≤ 0.8× crun: 0.80× (16.0 / 20.0 ms): met
- #17 daemon start → READY=1 vs crun run of /bin/true (ready): ours ≤ 0.8× crun: 0.60× (12.0 / 20.0 ms): met
- #17 OCI CLI run of /bin/true (oci): ours-oci ≤ 0.8× crun: 1.10× (22.0 / 20.0 ms): MISSED by 1.38× (22.0 ms vs. a budget of 16.0 ms)
- #17 OCI CLI exec of /bin/true into a running container (exec): ours-oci ≤ 0.8× crun: 0.90× (9.0 / 10.0 ms): MISSED by 1.12× (9.0 ms vs. a budget of 8.0 ms)
- #13 OCI CLI run at or below crun's median (oci): ours-oci ≤ 1× crun: 1.10× (22.0 / 20.0 ms): MISSED by 1.10× (22.0 ms vs. a budget of 20.0 ms)
- #13 OCI CLI exec at or below crun's median (exec): ours-oci ≤ 1× crun: 0.90× (9.0 / 10.0 ms): met
- #17 scale: starts/s with 1000 running ≥ 90% of starts/s with 100 running: 91% (182 / 200 starts/s): met
- #17 scale: 2000 machines all running and registered: MISSED (started 1990, ListMachines running 1990, registered with machined 1990, scopes 1990, leaders alive 1990)
- #17 scale: 2000 machines: daemon RSS ≤ 16 MB: 16.5 MB: MISSED by 0.5 MB
- #17 scale: 2000 machines: ListMachines p50 ≤ 5 ms: 4.90 ms: met
| client start-up and connect | 2.00 | 10.00 |
| total: client exec → client exit | 35.00 | 39.00 |
| dbus-daemon | 36 | 49 |
| 8. as 1, and the floor (bench-floor: no container) | floor-scope | 1/2 | 11.0 | 11.0 | 0.44× crun |
- floor (no target; scenario floor): bench-floor, a libsystemd client and no container (fork, a delegated scope from PID 1's private socket, RegisterMachine, exec and exit of /bin/true), took 13.50 ms: 0.540× the crun of its loop (25.0 ms), whose 0.5× budget is 12.50 ms, over it by 1.00 ms; 0.675× scenario 1's crun (20.0 ms), whose 0.5× budget is 10.00 ms, over it by 3.50 ms. Without the registration 11.0 ms, fork and exec alone 7.0 ms. Ours in the same loop: 18.0 ms = 0.72× its crun, 4.5 ms above the floor (the hop to the daemon and the container). Failed rounds (not in the medians): floor-scope 1.
| 1000 | 66.00 | 10.10 (1.20) | 1000 / 1000 | 0 + 0 | 0 registered, 0 scopes |
- floor scale (no target; scenario floor-scale): with 1000 floor machines running instead of 100, PID 1's CPU per start went from 5.80 to 10.10 ms (+4.30 ms), the floor's starts/s from 80.0 to 66.0 (82.5 %)
EOF
# A failed round (ok=0) counts in ok/n but not in the median.
grep -qF "| 6. exec of /bin/true into a running container | ours-oci | 1/2 | 9.0 |" <<<"$out" ||
        fail "report.py: exec row of ours-oci wrong"
[ -s "$tmp/table.md" ] || fail "report.py wrote no table.md"

# A floor under the budget says by how much, against both anchors.
sed -i 's/^floor,floor-register,\([12]\),1[34]\.0,1$/floor,floor-register,\1,9.0,1/' "$tmp/raw.csv"
out=$(python3 "$top/bench/report.py" "$tmp" --results "$tmp/RESULTS.md" --command test 2>/dev/null)
grep -qF "took 9.00 ms: 0.360× the crun of its loop (25.0 ms), whose 0.5× budget is 12.50 ms, under it by 3.50 ms; 0.450× scenario 1's crun (20.0 ms), whose 0.5× budget is 10.00 ms, under it by 1.00 ms." <<<"$out" ||
        fail "report.py: a floor under the budget not reported"

# A floor-scale row whose machines were not all there is no measurement.
sed -i 's/^1000,15.00,0,1000,1000,/1000,15.00,3,997,997,/' "$tmp/floor-scale.csv"
out=$(python3 "$top/bench/report.py" "$tmp" --results "$tmp/RESULTS.md" --command test 2>/dev/null)
grep -qxF -- "- floor scale (no target; scenario floor-scale): not valid (1000: 997 registered, 997 scopes, 3 + 0 failed)" <<<"$out" ||
        fail "report.py: an incomplete floor-scale row taken as a measurement"

# Without size 1000 the flatness target is not measured, and says so (not a silent pass).
awk -F, 'NR == 1 || $1 != 1000' "$fix/out/scale.csv" >"$tmp/scale.csv"
out=$(python3 "$top/bench/report.py" "$tmp" --results "$tmp/RESULTS.md" --command test 2>/dev/null)
grep -qxF -- "- #17 scale: starts/s with 1000 running ≥ 90% of starts/s with 100 running: not measured (sizes 100 and 1000 both needed)" <<<"$out" ||
        fail "report.py: missing size 1000 not reported"

[ $failed = 0 ] && echo "bench-report: ok"
exit $failed
