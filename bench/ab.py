#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A/B of two (or more) builds in one loop, against crun, in the bench bed after `bench/bench.sh --keep-bed`
(it uses its bundles under /var/lib/machined-ext-bench). Nothing else may run meanwhile (see bench.sh).

  bench/ab.py oci ROUNDS NAME=CMD...
      `CMD --systemd-cgroup run --bundle B ID` of /bin/true for each NAME in every round (the order rotated
      round by round; bundle-crun for a CMD with "crun" in it, bundle-oci otherwise); one warm-up round
      dropped. Each of ours gets --root /run/ab-NAME unless CMD has a --root (the mount options memo there
      is keyed on the build). Prints each median, p25 and the ratio to the last NAME's median.
  bench/ab.py daemon BLOCKS ROUNDS NAME=PATH...
      For each block and NAME: machined-ext restarted with PATH as its ExecStart= (a runtime drop-in,
      removed at the end), then ROUNDS of `machinectl-ext start --wait bench-true`, each followed by a crun
      run of /bin/true (the anchor); one warm-up round per block dropped. Prints each median, p25 and the
      ratio to crun's. PATH must be inside the bed (e.g. a copy under /usr/local/lib).

e.g. test/bed/bed.sh exec --state-dir /run/bed-bench python3 bench/ab.py oci 40 old=/tmp/old-oci new=/tmp/new-oci crun=crun
"""
import json, os, subprocess, sys, time, statistics

W = "/var/lib/machined-ext-bench"
DROPIN_DIR = "/run/systemd/system/machined-ext.service.d"
DROPIN = DROPIN_DIR + "/90-ab.conf"


def bundle(rt, cid):
    """bundle-RT with a cgroupsPath of its own for container CID."""
    b = f"{W}/bundle-{rt}"
    with open(b + "/config.json.in") as f:
        c = json.load(f)
    c["linux"]["cgroupsPath"] = f"machine.slice:bench:{cid}"
    with open(b + "/config.json", "w") as f:
        json.dump(c, f)
    return b


def oci_run(name, cmd, cid):
    crun = "crun" in cmd
    b = bundle("crun" if crun else "oci", cid)
    # A --root of its own for each of ours: the CLI's memo of libmount's answers is keyed on its build ID,
    # so builds that shared one would each find the other's and load libmount on every run.
    root = [] if crun or "--root" in cmd.split() else ["--root", f"/run/ab-{name}"]
    t = time.monotonic()
    st = subprocess.run(cmd.split() + root + ["--systemd-cgroup", "run", "--bundle", b, cid]).returncode
    ms = (time.monotonic() - t) * 1000
    if crun:
        subprocess.run(["crun", "delete", "-f", cid], stderr=subprocess.DEVNULL)
    if st != 0:
        print("failed:", cmd, st)
    return ms


def report(res, base_name):
    base = statistics.median(res[base_name])
    for k, v in res.items():
        m = statistics.median(v)
        print(f"{k:8s} n={len(v)} median {m:6.2f} p25 {sorted(v)[len(v) // 4]:6.2f} ratio/{base_name} {m / base:.3f}")


def ab_oci(args):
    n = int(args[0])
    impls = [a.split("=", 1) for a in args[1:]]
    res = {k: [] for k, _ in impls}
    for r in range(n + 1):
        for k, cmd in impls[r % len(impls):] + impls[:r % len(impls)]:
            ms = oci_run(k, cmd, f"ab-{k}-{r}")
            if r > 0:
                res[k].append(ms)
            time.sleep(0.05)
    report(res, impls[-1][0])


def use_daemon(path):
    with open(DROPIN, "w") as f:
        f.write(f"[Service]\nExecStart=\nExecStart={path}\n")
    subprocess.run(["systemctl", "daemon-reload"], check=True)
    subprocess.run(["systemctl", "restart", "machined-ext"], check=True)
    time.sleep(0.5)


def ab_daemon(args):
    blocks, rounds = int(args[0]), int(args[1])
    impls = [a.split("=", 1) for a in args[2:]]
    res = {k: [] for k, _ in impls}
    res["crun"] = []
    os.makedirs(DROPIN_DIR, exist_ok=True)
    n = 0
    try:
        for _ in range(blocks):
            for k, path in impls:
                use_daemon(path)
                for r in range(rounds + 1):
                    t = time.monotonic()
                    st = subprocess.run(["machinectl-ext", "start", "--wait", "bench-true"],
                                        stdout=subprocess.DEVNULL).returncode
                    ms = (time.monotonic() - t) * 1000
                    if st != 0:
                        print("failed:", k, st)
                    time.sleep(0.05)
                    n += 1
                    cm = oci_run("crun", "crun", f"ab-daemon-{n}")
                    time.sleep(0.05)
                    if r > 0:
                        res[k].append(ms)
                        res["crun"].append(cm)
    finally:
        os.unlink(DROPIN)
        subprocess.run(["systemctl", "daemon-reload"])
        subprocess.run(["systemctl", "restart", "machined-ext"])
    report(res, "crun")


if len(sys.argv) < 3 or sys.argv[1] not in ("oci", "daemon"):
    sys.exit(__doc__)
(ab_oci if sys.argv[1] == "oci" else ab_daemon)(sys.argv[2:])
