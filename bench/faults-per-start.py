#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Page faults and CPU time of the daemon per start (issue #17: why a daemon that has run many machines
starts each new one more slowly). Run inside the test bed that bench.sh --keep-bed left (its root bench-true
and its settings), once on a fresh daemon (systemctl restart machined-ext) and once after
`bench/bench.sh --scenarios scale --sizes 1000 --keep-bed --no-results`, e.g.
test/bed/bed.sh exec --state-dir /run/bed-bench python3 bench/faults-per-start.py.

For N rounds, 0.3 s apart: one `machinectl-ext start --wait bench-true`. Reads machined-ext's /proc/PID/stat
before and after: its minor faults (a fork shares the daemon's pages copy-on-write with the machine's init
until the payload runs: each page either writes meanwhile is a fault), those of the children it reaped (the
inits, their payloads), and the CPU time of both (clock ticks: only the mean over the rounds means much).
Prints the means per start, the median wall time of the client, and the daemon's RSS.

    faults-per-start.py [--rounds N]
"""

import argparse
import os
import statistics
import subprocess
import time

p = argparse.ArgumentParser()
p.add_argument("--rounds", type=int, default=30)
args = p.parse_args()
TICK = os.sysconf("SC_CLK_TCK")


def daemon_pid():
    return int(subprocess.run(["systemctl", "show", "-p", "MainPID", "--value", "machined-ext"],
                              capture_output=True, text=True).stdout.strip() or 0)


def stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        v = f.read().rsplit(")", 1)[1].split()
    # after the comm: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
    return {"minflt": int(v[7]), "cminflt": int(v[8]), "cpu": int(v[11]) + int(v[12]), "ccpu": int(v[13]) + int(v[14])}


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start():
    t = time.monotonic()
    r = subprocess.run(["machinectl-ext", "start", "--wait", "bench-true"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"machinectl-ext start --wait bench-true failed: {r.stderr.strip()}")
    return time.monotonic() - t


pid = daemon_pid()
if not pid:
    raise SystemExit("machined-ext is not running")
start()                  # warm-up, not counted
time.sleep(0.3)
a, walls = stat(pid), []
for _ in range(args.rounds):
    walls.append(start())
    time.sleep(0.3)
b, n = stat(pid), args.rounds
ms = 1000.0 / TICK / n
print(f"daemon PID {pid}, RSS {rss_kb(pid)} kB, {n} starts")
print(f"per start: daemon {(b['minflt'] - a['minflt']) / n:.0f} minor faults, {(b['cpu'] - a['cpu']) * ms:.1f} ms CPU; "
      f"reaped children {(b['cminflt'] - a['cminflt']) / n:.0f} minor faults, {(b['ccpu'] - a['ccpu']) * ms:.1f} ms CPU; "
      f"client wall median {statistics.median(walls) * 1000:.1f} ms")
