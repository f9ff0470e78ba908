#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""CPU time per start, by process: where a start's work goes on the host, ours next to crun's (issue #17:
"find out which kind of load costs us the lead"). Run inside the test bed that bench.sh --keep-bed left
(its root bench-true, its settings and its crun bundle), e.g.
test/bed/bed.sh exec --state-dir /run/bed-bench python3 bench/cpu-per-start.py.

For each of N rounds (interleaved, 0.3 s apart so that every clean-up is over): one
`machinectl-ext start --wait bench-true` and one `crun --systemd-cgroup run` of /bin/true, as bench.sh's
scenario 1. Per start it reads, before and after, the CPU time (schedstat, ns) of PID 1, dbus-daemon,
systemd-journald, systemd-machined, systemd-logind, and machined-ext's threads; the client's own and its
children's (getrusage, RUSAGE_CHILDREN: crun with its container's init and payload); and the children that
machined-ext reaped (its init, user namespace helper, payload: /proc/PID/stat cutime + cstime, in clock
ticks, so only the mean over the rounds means much). Prints the medians (mean for the ticks) in ms.

    cpu-per-start.py [--rounds N] [--bundle DIR]    (DIR: a crun bundle with config.json.in, as bench.sh makes)
"""

import argparse
import os
import resource
import statistics
import subprocess
import time
import uuid

p = argparse.ArgumentParser()
p.add_argument("--rounds", type=int, default=15)
p.add_argument("--bundle", default="/var/lib/machined-ext-bench/bundle-crun")  # bench.sh's
args = p.parse_args()

TICK = os.sysconf("SC_CLK_TCK")


def main_pid(unit):
    out = subprocess.run(["systemctl", "show", "-p", "MainPID", "--value", unit], capture_output=True,
                         text=True).stdout.strip()
    return int(out or 0)


def runtime_ns(pid):
    total = 0
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                total += int(f.read().split()[0])
    except OSError:
        pass
    return total


def reaped_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[13]) + int(fields[14])      # cutime, cstime (fields 16 and 17)


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(argv, pids):
    before = {k: runtime_ns(v) for k, v in pids.items()}
    ticks = reaped_ticks(pids["machined-ext"])
    c0 = children_cpu()
    t0 = time.monotonic()
    st = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.monotonic() - t0
    time.sleep(0.3)  # the clean-up after the reply belongs to this start too
    res = {k: (runtime_ns(v) - before[k]) / 1e6 for k, v in pids.items()}
    res["client (+ its children)"] = (children_cpu() - c0) * 1000
    res["machined-ext's reaped children"] = (reaped_ticks(pids["machined-ext"]) - ticks) * 1000 / TICK
    res["wall"] = wall * 1000
    return st, res


pids = {n: main_pid(u) for n, u in [("systemd (PID 1)", "init.scope"), ("dbus-daemon", "dbus.service"),
                                      ("systemd-journald", "systemd-journald.service"),
                                      ("systemd-machined", "systemd-machined.service"),
                                      ("systemd-logind", "systemd-logind.service"),
                                      ("machined-ext", "machined-ext.service")]}
pids["systemd (PID 1)"] = 1
rows = {"ours": [], "crun": []}
for i in range(args.rounds + 1):
    cid = "cpu-" + uuid.uuid4().hex[:8]
    runs = [("ours", ["machinectl-ext", "start", "--wait", "bench-true"], None),
            ("crun", ["crun", "--systemd-cgroup", "run", "--bundle", args.bundle, cid], cid)]
    if i % 2:
        runs.reverse()
    for name, argv, c in runs:
        if name == "crun":
            subprocess.run(["sh", "-c", f"jq '.linux.cgroupsPath = \"machine.slice:bench:{c}\"' "
                            f"{args.bundle}/config.json.in >{args.bundle}/config.json"], check=True)
        st, res = measure(argv, pids)
        if c:
            subprocess.run(["crun", "delete", "-f", c], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if st != 0:
            raise SystemExit(f"{name} failed: {argv}")
        if i > 0:  # the first round warms up
            rows[name].append(res)

keys = list(rows["ours"][0].keys())
print(f"| CPU ms per start (median of {args.rounds}; reaped children: mean) | ours | crun |")
print("|---|---|---|")
for k in keys:
    def agg(name):
        v = [r[k] for r in rows[name]]
        return statistics.mean(v) if k.startswith("machined-ext's reaped") else statistics.median(v)
    print(f"| {k} | {agg('ours'):.2f} | {agg('crun'):.2f} |")
tot = {n: sum(statistics.median([r[k] for r in rows[n]]) for k in keys if k != "wall") for n in rows}
print(f"| sum of the above (CPU) | {tot['ours']:.2f} | {tot['crun']:.2f} |")
