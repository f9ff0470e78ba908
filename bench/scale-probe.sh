#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# bench/scale-probe.sh N: inside the test bed (test/bed/bed.sh exec ...), with build-bench installed: starts
# machines s-0000 .. s-(N-1) (busybox root /var/lib/machines/sroot from test/mkroot.sh, settings
# Parameters=testpayload sleep inf, ReadOnly=yes, pipelined by bench-scale), then times 100 more starts
# (p-0000 .. p-0099) and prints the CPU ticks (1/100 s) that PID 1, dbus-daemon, systemd-machined,
# machined-ext and systemd-journald, and all CPUs of the host, spent on them. The 100 are stopped again; the
# N stay. The per-process view behind RESULTS.md's scale analysis; the bench's scale scenario is the
# measurement of record. Run it with nothing else on the machine.
set -u
N=$1
R=/var/lib/machines/sroot
B=$(cd "$(dirname "$0")/.." && pwd)/build-bench/bench-tools/bench-scale
mkdir -p /etc/systemd/nspawn
for p in s p; do
        for i in $(seq 0 $((N > 100 ? N : 100))); do
                f=/etc/systemd/nspawn/$p-$(printf %04d "$i").nspawn
                [ -e "$f" ] || printf "[Exec]\nParameters=/usr/bin/testpayload sleep inf\n[Files]\nDirectory=$R\nReadOnly=yes\n" >"$f"
        done
done
prlimit --pid "$(systemctl show -P MainPID systemd-machined)" --nofile=20000:20000
"$B" start s "$N" 32 | grep -E "rate|ok|failed"
sleep 2
pids="1 $(systemctl show -P MainPID dbus) $(systemctl show -P MainPID systemd-machined) $(systemctl show -P MainPID machined-ext) $(systemctl show -P MainPID systemd-journald)"
cpu() { for p in $pids; do awk '{print $14 + $15}' "/proc/$p/stat"; done | paste -sd' '; }
allcpu() { awk '/^cpu /{print $2 + $3 + $4 + $6 + $7 + $8}' /proc/stat; }
a=$(cpu); ta=$(allcpu)
"$B" start p 100 32 | grep -E "rate|total"
b=$(cpu); tb=$(allcpu)
echo "N=$N ticks of: PID1 dbus machined machined-ext journald"
echo "before: $a"
echo "after:  $b"
echo "all CPUs: $((tb - ta))"
"$B" stop p 100 32 >/dev/null
