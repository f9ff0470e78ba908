#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A/B of OCI runtime binaries, in one loop: `bench/ab-oci.py ROUNDS NAME=CMD...` runs
`CMD --systemd-cgroup run --bundle B ID` of /bin/true for each NAME in every round (the order rotated round by
round, one warm-up round dropped) and prints each median, p25 and the ratio to the last NAME's median.
Run it in the bench bed after `bench/bench.sh --keep-bed` (it uses its bundles under
/var/lib/machined-ext-bench: bundle-crun for a CMD with "crun" in it, bundle-oci otherwise), e.g.
  test/bed/bed.sh exec --state-dir /run/bed-bench python3 bench/ab-oci.py 40 \\
          old=/path/to/old/machined-ext-oci new=/path/to/new/machined-ext-oci crun=crun
Nothing else may run meanwhile (see bench/bench.sh)."""
import json, subprocess, sys, time, statistics

W = "/var/lib/machined-ext-bench"


def bundle(rt, cid):
    b = f"{W}/bundle-{rt}"
    with open(b + "/config.json.in") as f:
        c = json.load(f)
    c["linux"]["cgroupsPath"] = f"machine.slice:bench:{cid}"
    with open(b + "/config.json", "w") as f:
        json.dump(c, f)
    return b


def main():
    n = int(sys.argv[1])
    impls = [a.split("=", 1) for a in sys.argv[2:]]
    res = {k: [] for k, _ in impls}
    for r in range(n + 1):
        order = impls[r % len(impls):] + impls[:r % len(impls)]
        for k, cmd in order:
            crun = "crun" in cmd
            cid = f"ab-{k}-{r}"
            b = bundle("crun" if crun else "oci", cid)
            t = time.monotonic()
            st = subprocess.run(cmd.split() + ["--systemd-cgroup", "run", "--bundle", b, cid]).returncode
            ms = (time.monotonic() - t) * 1000
            if crun:
                subprocess.run(["crun", "delete", "-f", cid], stderr=subprocess.DEVNULL)
            if st != 0:
                print("failed:", k, st)
            if r > 0:
                res[k].append(ms)
            time.sleep(0.05)
    base = statistics.median(res[impls[-1][0]])
    for k, v in res.items():
        m = statistics.median(v)
        print(f"{k:8s} median {m:6.2f} p25 {sorted(v)[len(v) // 4]:6.2f} ratio/{impls[-1][0]} {m / base:.3f}")


main()
