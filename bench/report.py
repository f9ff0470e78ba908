#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turns a run's raw.csv / scale.csv / meta.json into summary.csv, table.md, bench.png and a RESULTS.md.

    report.py OUTDIR --results bench/RESULTS.md --command "..." [--machine "..."]
"""

import argparse
import csv
import json
import math
import os
import statistics
import sys

SCEN_TITLE = {
    "true": "1. start → exit of /bin/true",
    "ready": "2. start → READY=1",
    "boot": "3. boot of a systemd root → READY=1",
    "oci": "5. OCI CLI run of /bin/true",
}
# Anchors per scenario, in column order.
ANCHORS = {
    "true": ["nspawn", "nspawn-noreg", "crun", "runc"],
    "ready": ["nspawn"],
    "boot": ["nspawn"],
    "oci": ["crun", "runc"],
}
OURS = {"true": "ours", "ready": "ours", "boot": "ours", "oci": "ours-oci"}
# (scenario, anchor, max ratio) from issue #6.
TARGETS = [("true", "nspawn", 0.2), ("true", "crun", 0.8), ("ready", "nspawn", 0.25), ("boot", "nspawn", 0.8)]


def pct(v, p):
    """Nearest-rank percentile."""
    v = sorted(v)
    if not v:
        return float("nan")
    i = max(1, min(len(v), math.ceil(p / 100 * len(v))))
    return v[i - 1]


def load(outdir):
    data = {}
    fails = {}
    with open(os.path.join(outdir, "raw.csv")) as f:
        for r in csv.DictReader(f):
            key = (r["scenario"], r["impl"])
            if r["ok"] == "1":
                data.setdefault(key, []).append(float(r["ms"]))
            else:
                fails[key] = fails.get(key, 0) + 1
                data.setdefault(key, [])
    return data, fails


def fmt(x, nd=1):
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("outdir")
    p.add_argument("--results", required=True)
    p.add_argument("--command", required=True)
    p.add_argument("--machine", default="")
    p.add_argument("--date", default="")
    p.add_argument("--commit", default="")
    a = p.parse_args()

    meta = {}
    if os.path.exists(os.path.join(a.outdir, "meta.json")):
        meta = json.load(open(os.path.join(a.outdir, "meta.json")))
    data, fails = ({}, {})
    if os.path.exists(os.path.join(a.outdir, "raw.csv")):
        data, fails = load(a.outdir)

    # summary.csv + markdown table
    summary = []
    lines = ["| scenario | implementation | ok/n | median ms | p90 ms | ratio of median to each anchor |",
             "|---|---|---|---|---|---|"]
    medians = {}
    for scen in ["true", "ready", "boot", "oci"]:
        impls = [OURS[scen]] + ANCHORS[scen]
        if not any((scen, i) in data for i in impls):
            continue
        for impl in impls:
            v = data.get((scen, impl))
            if v is None:
                lines.append(f"| {SCEN_TITLE[scen]} | {impl} | – | not available yet | | |")
                continue
            med, p90 = (statistics.median(v), pct(v, 90)) if v else (float("nan"), float("nan"))
            medians[(scen, impl)] = med
            n = len(v) + fails.get((scen, impl), 0)
            summary.append({"scenario": scen, "impl": impl, "ok": len(v), "n": n, "median_ms": f"{med:.3f}",
                            "p90_ms": f"{p90:.3f}", "min_ms": f"{min(v):.3f}" if v else "",
                            "max_ms": f"{max(v):.3f}" if v else ""})
        for impl in impls:
            if (scen, impl) not in medians:
                continue
            med = medians[(scen, impl)]
            v = data[(scen, impl)]
            ratios = []
            for anc in ANCHORS[scen]:
                if anc == impl or (scen, anc) not in medians:
                    continue
                ratios.append(f"{med / medians[(scen, anc)]:.2f}× {anc}")
            n = len(v) + fails.get((scen, impl), 0)
            lines.append(f"| {SCEN_TITLE[scen]} | {impl} | {len(v)}/{n} | {fmt(med)} | {fmt(pct(v, 90))} | "
                         f"{', '.join(ratios)} |")
    with open(os.path.join(a.outdir, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["scenario", "impl", "ok", "n", "median_ms", "p90_ms", "min_ms", "max_ms"])
        w.writeheader()
        w.writerows(summary)

    scale = []
    if os.path.exists(os.path.join(a.outdir, "scale.csv")):
        scale = list(csv.DictReader(open(os.path.join(a.outdir, "scale.csv"))))
    slines = []
    if scale:
        slines = ["| machines | all running | start total s | starts/s | StartMachine p50/p90/max ms | daemon RSS MB "
                  "(base) | per machine kB | daemon fds | ListMachines p50/p90 ms | GetMachine p50/p90 ms | "
                  "stop all s | left after stop |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in scale:
            g = lambda k: r.get(k, "")
            rss = f"{int(g('daemon_rss_kb')) / 1024:.1f} ({int(g('daemon_rss_base_kb')) / 1024:.1f})" \
                if g("daemon_rss_kb") else "daemon gone"
            allrun = "yes" if g("all_running") == "1" else (
                f"NO: ok {g('start_ok')}, ListMachines running {g('list_running')}, machined {g('machined_registered')}, "
                f"scopes {g('scopes_running')}, leaders {g('leaders_alive')}")
            slines.append(f"| {g('size')} | {allrun} | {g('start_total_s')} | {g('starts_per_s')} | "
                          f"{g('start_call_p50_ms')}/{g('start_call_p90_ms')}/{g('start_call_max_ms')} | {rss} | "
                          f"{g('per_machine_kb')} | {g('daemon_fds')} | {g('list_p50_ms')}/{g('list_p90_ms')} | "
                          f"{g('get_p50_ms')}/{g('get_p90_ms')} | {g('stop_total_s')} | "
                          f"{g('left_registered')} registered, {g('left_scopes')} scopes |")
        errs = [(r["size"], r.get("start_errors", ""), r.get("stop_errors", "")) for r in scale]
        for size, se, te in errs:
            if se:
                slines.append(f"\nStart errors at {size} (first few): `{se}`")
            if te:
                slines.append(f"\nStop errors at {size} (first few): `{te}`")

    # targets
    tl = []
    for scen, anc, lim in TARGETS:
        o, n = medians.get((scen, OURS[scen])), medians.get((scen, anc))
        name = f"({scen}) ≤ {lim}× {anc}"
        if o is None:
            tl.append(f"- {name}: not measured (our side not available yet)")
        elif n is None:
            tl.append(f"- {name}: anchor not measured")
        else:
            ratio = o / n
            verdict = "met" if ratio <= lim else f"MISSED by {ratio / lim:.2f}× ({fmt(o)} ms vs. a budget of " \
                                                  f"{fmt(lim * n)} ms)"
            tl.append(f"- {name}: {ratio:.2f}× ({fmt(o)} / {fmt(n)} ms): {verdict}")
    if scale:
        big = max(scale, key=lambda r: int(r["size"]))
        n = int(big["size"])
        if n < 1000:
            tl.append(f"- (4) the largest size run was {n}, not 1000")
        tl.append(f"- (4) {n} machines all running: " + ("met" if big.get("all_running") == "1" else "MISSED"))
        for r in scale:
            rate = float(r["starts_per_s"] or 0)
            tl.append(f"- (4) ≥ 100 starts/s at {r['size']}: {rate:.0f}/s: " +
                      ("met" if rate >= 100 else f"MISSED by {100 / rate if rate else float('inf'):.2f}×"))
        if big.get("daemon_rss_kb"):
            mb = int(big["daemon_rss_kb"]) / 1024
            tl.append(f"- (4) daemon RSS ≤ 32 MB at {n}: {mb:.1f} MB: " +
                      ("met" if mb <= 32 else f"MISSED by {mb - 32:.1f} MB"))
        if big.get("list_p50_ms"):
            lp = float(big["list_p50_ms"])
            tl.append(f"- (4) ListMachines p50 ≤ 10 ms at {n}: {lp:.2f} ms: " +
                      ("met" if lp <= 10 else f"MISSED by {lp / 10:.2f}×"))

    # plot
    png = os.path.join(a.outdir, "bench.png")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        scens = [s for s in ["true", "ready", "boot", "oci"] if any(k[0] == s for k in data)]
        ncols = len(scens) + (1 if scale else 0)
        fig, axes = plt.subplots(1, max(ncols, 1), figsize=(4.2 * max(ncols, 1), 4.2), squeeze=False)
        for ax, s in zip(axes[0], scens):
            impls = [i for i in [OURS[s]] + ANCHORS[s] if data.get((s, i))]
            ax.boxplot([data[(s, i)] for i in impls], labels=impls, showfliers=True)
            ax.set_title(SCEN_TITLE[s], fontsize=9)
            ax.set_ylabel("ms")
            ax.tick_params(axis="x", labelrotation=30, labelsize=8)
            ax.set_ylim(bottom=0)
        if scale:
            ax = axes[0][len(scens)]
            xs = [int(r["size"]) for r in scale]
            ax.plot(xs, [float(r["starts_per_s"] or 0) for r in scale], "o-", label="starts/s")
            ax.plot(xs, [int(r["daemon_rss_kb"] or 0) / 1024 for r in scale], "s-", label="daemon RSS MB")
            ax.plot(xs, [float(r["list_p50_ms"] or 0) for r in scale], "^-", label="ListMachines p50 ms")
            ax.axhline(100, ls=":", c="grey")
            ax.set_title("4. scale", fontsize=9)
            ax.set_xlabel("machines")
            ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(png, dpi=110)
    except ImportError:
        png = None
        print("report: no matplotlib, no plot", file=sys.stderr)

    out = []
    out.append(f"## Run of {a.date}\n")
    out.append(f"- machine: {a.machine}")
    out.append(f"- command: `{a.command}`")
    out.append(f"- tree: {a.commit}")
    for k, v in meta.get("versions", {}).items():
        out.append(f"- {k}: {v}")
    for k, v in meta.get("checks", {}).items():
        out.append(f"- check: {k}: {'yes' if v else 'NO'}")
    for n_ in meta.get("notes", []):
        out.append(f"- note: {n_}")
    out.append(f"- output: `{os.path.relpath(a.outdir, os.path.dirname(os.path.abspath(a.results)))}` "
               "(raw.csv, summary.csv, scale.csv, bench.png, logs/)")
    out.append("")
    if len(lines) > 2:
        out += ["### Latency (ms, wall-clock of the client command)", ""] + lines + [""]
    if slines:
        out += ["### Scale", ""] + slines + [""]
    out += ["### Targets (issue #6)", ""] + tl + [""]
    text = "\n".join(out)
    with open(os.path.join(a.outdir, "table.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
