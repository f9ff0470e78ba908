#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A/B of daemon binaries: `bench/ab-daemon.py BLOCKS ROUNDS NAME=PATH...`. For each block and NAME, restarts
machined-ext with PATH as its ExecStart= (a runtime drop-in, removed at the end), then times ROUNDS of
`machinectl-ext start --wait bench-true`, each followed by a crun `--systemd-cgroup run` of /bin/true (the
anchor), one warm-up round dropped. Prints each median, p25 and the ratio to crun's. Run it in the bench bed
after `bench/bench.sh --keep-bed`, with PATH copies of the binaries inside the bed, e.g.
  test/bed/bed.sh exec --state-dir /run/bed-bench python3 bench/ab-daemon.py 8 10 old=/usr/local/lib/mx/old \\
          new=/usr/local/lib/mx/new
Nothing else may run meanwhile (see bench/bench.sh)."""
import json, os, subprocess, sys, time, statistics

W = "/var/lib/machined-ext-bench"
DROPIN_DIR = "/run/systemd/system/machined-ext.service.d"
DROPIN = DROPIN_DIR + "/90-ab-daemon.conf"


def crun_once(cid):
    b = f"{W}/bundle-crun"
    with open(b + "/config.json.in") as f:
        c = json.load(f)
    c["linux"]["cgroupsPath"] = f"machine.slice:bench:{cid}"
    with open(b + "/config.json", "w") as f:
        json.dump(c, f)
    t = time.monotonic()
    subprocess.run(["crun", "--systemd-cgroup", "run", "--bundle", b, cid])
    ms = (time.monotonic() - t) * 1000
    subprocess.run(["crun", "delete", "-f", cid], stderr=subprocess.DEVNULL)
    return ms


def use(path):
    with open(DROPIN, "w") as f:
        f.write(f"[Service]\nExecStart=\nExecStart={path}\n")
    subprocess.run(["systemctl", "daemon-reload"], check=True)
    subprocess.run(["systemctl", "restart", "machined-ext"], check=True)
    time.sleep(0.5)


def main():
    blocks, rounds = int(sys.argv[1]), int(sys.argv[2])
    impls = [a.split("=", 1) for a in sys.argv[3:]]
    res = {k: [] for k, _ in impls}
    res["crun"] = []
    os.makedirs(DROPIN_DIR, exist_ok=True)
    n = 0
    try:
        for _ in range(blocks):
            for k, path in impls:
                use(path)
                for r in range(rounds + 1):
                    t = time.monotonic()
                    st = subprocess.run(["machinectl-ext", "start", "--wait", "bench-true"],
                                        stdout=subprocess.DEVNULL).returncode
                    ms = (time.monotonic() - t) * 1000
                    if st != 0:
                        print("failed:", k, st)
                    time.sleep(0.05)
                    n += 1
                    cm = crun_once(f"ab-daemon-{n}")
                    time.sleep(0.05)
                    if r > 0:
                        res[k].append(ms)
                        res["crun"].append(cm)
    finally:
        os.unlink(DROPIN)
        subprocess.run(["systemctl", "daemon-reload"])
        subprocess.run(["systemctl", "restart", "machined-ext"])
    base = statistics.median(res["crun"])
    for k, v in res.items():
        m = statistics.median(v)
        print(f"{k:8s} n={len(v)} median {m:6.2f} p25 {sorted(v)[len(v) // 4]:6.2f} ratio/crun {m / base:.3f}")


main()
