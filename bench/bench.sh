#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/bench.sh: the benchmark of issues #6, #13 and #17, one command (as root, from anywhere):
#
#   bench/bench.sh [--scenarios true,ready,oci,exec,load,floor,floor-scale,scale] [--rounds N] [--sizes 100,1000,2000] [--out DIR]
#                  [--state-dir DIR] [--build DIR] [--oci-cli PATH] [--[no-]breakdown] [--keep-bed] [--no-results]
#
# Builds the tree (meson, own build dir), boots the test bed (test/bed/bed.sh) if none runs in the state dir,
# installs the build into it, then runs bench/inbed.py inside the bed ONCE: every scenario is a loop there,
# implementations interleaved round by round after a warm-up round. Then bench/report.py prints the table
# (median, p90, ratio to each anchor), the per-stage breakdown and one line per target of the issues with its
# ratio and "met"/"MISSED", writes summary.csv, bench.png and table.md to the out dir, and puts the run on top
# of bench/RESULTS.md. A bed this script booted is stopped at the end (unless --keep-bed); the background load
# of scenario load is stopped on every way out.
#
# Scenarios: true  machinectl-ext start --wait vs systemd-nspawn (--register=yes / no), crun, runc
#            ready start -> READY=1 vs nspawn --notify-ready=yes under a Type=notify transient service, and
#                  vs crun run of a payload that exits at once (/bin/true)
#            boot  boot of a systemd root -> READY=1 vs nspawn -b --notify-ready=yes (not in the default set)
#            oci   our OCI CLI's run (--oci-cli, or found in the bed) vs crun and runc
#            exec  our OCI CLI's exec of /bin/true into its running container vs crun exec and runc exec (each
#                  into its own, same bundle, created once, not timed); machinectl-ext exec into a running
#                  machine as an extra row
#            load  scenario true, ours vs crun, under the bench's own load: (a) a CPU spinner per CPU, (b) a
#                  gcc -O2 compile loop per CPU plus a loop of crun run of /bin/true
#            floor scenario true's ours and crun again, with bench-floor (bench/floor.c) in the same loop: the
#                  steps every systemd machine start takes and no container (fork; + a delegated scope from
#                  PID 1's private socket; + RegisterMachine), the floor of a libsystemd client here
#      floor-scale 100 bench-floor starts (32 at once) with 100 and with 1000 floor machines running, and
#                  PID 1's CPU per start: how PID 1's cost grows with the scopes in machine.slice
#            scale StartMachine x N (pipelined), checks, RSS, fds, ListMachines/GetMachine, then 100 more starts
#                  with the N running (the starts/s compared across sizes), StopMachine x N; the kernel and
#                  systemd limits N machines need are checked and raised first
# --breakdown (default with true or oci; --no-breakdown skips it): 3 starts of each of machinectl-ext start,
#            our OCI CLI's run and crun's run traced with perf record -a (bench/breakdown.py): the moments of a
#            start (connect, clone, scope cgroup, migration, registration, exec, exit, reply) and the
#            messages each process sent.

set -eu
set -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"

scenarios=true,ready,oci,exec,load,floor,floor-scale,scale
rounds=9
sizes=100,1000,2000
breakdown=auto
out=
state=/run/bed-bench
build=build-bench
oci_cli=
keep_bed=0
results=1
cmdline="bench/bench.sh $*"

die() { echo "bench: $*" >&2; exit 1; }
usage() { sed -n '4,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

while [ $# -gt 0 ]; do
        case $1 in
        --scenarios) scenarios=$2; shift ;;
        --rounds) rounds=$2; shift ;;
        --sizes) sizes=$2; shift ;;
        --out) out=$2; shift ;;
        --state-dir) state=$2; shift ;;
        --build) build=$2; shift ;;
        --oci-cli) oci_cli=$2; shift ;;
        --breakdown) breakdown=1 ;;
        --no-breakdown) breakdown=0 ;;
        --keep-bed) keep_bed=1 ;;
        --no-results) results=0 ;;
        -h | --help) usage ;;
        *) echo "bench: unknown option $1" >&2; usage ;;
        esac
        shift
done
[ "$(id -u)" = 0 ] || die "must run as root (it boots the test bed)"
[[ $rounds =~ ^[0-9]+$ ]] && [ "$rounds" -ge 1 ] || die "--rounds must be a positive number"
if [ $breakdown = auto ]; then
        case ,$scenarios, in *,true,* | *,oci,*) breakdown=1 ;; *) breakdown=0 ;; esac
fi
[ -n "$out" ] || out=bench/out/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
out=$(cd "$out" && pwd -P)
case $out in "$REPO"/*) ;; *) die "--out must be inside the repo ($REPO): only the repo is shared with the bed" ;; esac
case $build in /*) ;; *) build=$REPO/$build ;; esac
BED=(test/bed/bed.sh)

# Python 3 from Debian (not a pyenv shim: the same interpreter must work inside the bed), matplotlib for the plot.
PY=/usr/bin/python3
[ -x $PY ] || { apt-get install -y python3 >/dev/null || die "cannot install python3"; }
if ! $PY -c 'import matplotlib' 2>/dev/null; then
        echo "bench: installing python3-matplotlib" >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-matplotlib >/dev/null ||
                echo "bench: no python3-matplotlib: no plot" >&2
fi
for t in crun runc systemd-nspawn; do
        command -v $t >/dev/null || die "$t not found (apt-get install crun runc systemd-container)"
done

echo "bench: build in $build" >&2
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
if ! ninja -C "$build" >"$out/build.log" 2>&1; then
        # Others edit the tree at the same time: a file mid-edit must not stop a benchmark of the last build.
        [ -x "$build/src/machined-ext/machined-ext" ] && [ -x "$build/src/machinectl-ext/machinectl-ext" ] ||
                die "build failed, see $out/build.log"
        echo "bench: build failed (see $out/build.log); benchmarking the previous build in $build" >&2
        build_note="build of the current tree failed; the previous build in $(basename "$build") was measured"
fi
tools=$build/bench-tools
mkdir -p "$tools"
cc -O2 -Wall -Wextra -o "$tools/bench-scale" bench/scale.c $(pkg-config --cflags --libs libsystemd) ||
        die "cannot build bench-scale (libsystemd-dev?)"
cc -O2 -Wall -Wextra -static -o "$tools/notify-ready" bench/notify-ready.c || die "cannot build notify-ready"
cc -O2 -Wall -Wextra -o "$tools/bench-floor" bench/floor.c $(pkg-config --cflags --libs libsystemd) ||
        die "cannot build bench-floor"

build_note=${build_note:-}
booted=0
if ! "${BED[@]}" status --state-dir "$state" >/dev/null; then
        "${BED[@]}" start --state-dir "$state" >/dev/null || die "cannot boot the bed"
        booted=1
fi
cleanup() {
        # The load of scenario load, if inbed.py did not end it itself (killed, or the bed is kept).
        if [ -s "$out/load.pgids" ]; then
                "${BED[@]}" exec --state-dir "$state" bash -c 'while read -r g; do kill -KILL -- "-$g"; done' \
                        <"$out/load.pgids" 2>/dev/null || true
                rm -f "$out/load.pgids"
        fi
        if [ $booted = 1 ] && [ $keep_bed = 0 ]; then
                "${BED[@]}" stop --state-dir "$state" || true
        fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
"${BED[@]}" install --state-dir "$state" "$build" || die "install into the bed failed"

# Our OCI CLI, once it exists: the first of these names installed in the bed.
if [ -z "$oci_cli" ]; then
        for c in machined-ext-oci oci-ext runc-ext crun-ext; do
                if "${BED[@]}" exec --state-dir "$state" sh -c "command -v $c" >/dev/null 2>&1; then
                        oci_cli=$c
                        break
                fi
        done
fi

echo "bench: running scenarios $scenarios, $rounds rounds, sizes $sizes, out $out" >&2
rc=0
"${BED[@]}" exec --state-dir "$state" $PY bench/inbed.py --out "$out" --tools "$tools" \
        --payload "$build/test/payload/testpayload" --rounds "$rounds" --scenarios "$scenarios" \
        --sizes "$sizes" --oci-cli "$oci_cli" $([ $breakdown = 1 ] && echo --breakdown) || rc=$?
[ $rc = 0 ] || echo "bench: the in-bed run failed (exit $rc); reporting what it measured" >&2

mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src 2>/dev/null || echo ' + uncommitted changes in src/')"
[ -n "$build_note" ] && commit="$commit ($build_note)"
machine="$(nproc) CPUs ($cpu), $mem RAM, kernel $(uname -r), $(. /etc/os-release && echo "$PRETTY_NAME"), PID 1 of the host: $(cat /proc/1/comm)"
when=$(date '+%Y-%m-%d %H:%M %Z')
$PY bench/report.py "$out" --results bench/RESULTS.md --command "$cmdline" --machine "$machine" --date "$when" \
        --commit "$commit"

if [ $results = 1 ]; then
        # RESULTS.md: the fixed header (bench/RESULTS.head.md), then the runs, newest first.
        res=bench/RESULTS.md
        old=
        [ -f $res ] && old=$(sed -n '/^<!-- runs -->$/,$p' $res | tail -n +2)
        { cat bench/RESULTS.head.md; echo '<!-- runs -->'; cat "$out/table.md"; echo; [ -n "$old" ] && echo "$old"; } >$res.new
        mv $res.new $res
        echo "bench: results in $out, summary on top of $res" >&2
fi
exit $rc
