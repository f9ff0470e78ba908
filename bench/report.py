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

import breakdown

SCEN_TITLE = {
    "true": "1. start → exit of /bin/true",
    "ready": "2. start → READY=1",
    "boot": "3. boot of a systemd root → READY=1",
    "oci": "5. OCI CLI run of /bin/true",
    "exec": "6. exec of /bin/true into a running container",
    "load-cpu": "7a. as 1, CPU spinners on every CPU",
    "load-mixed": "7b. as 1, compiles + container starts",
    "floor": "8. as 1, and the floor (bench-floor: no container)",
}
SCENARIOS = list(SCEN_TITLE)
# Anchors per scenario, in column order.
ANCHORS = {
    "true": ["nspawn", "nspawn-noreg", "crun", "runc"],
    "ready": ["nspawn", "crun"],
    "boot": ["nspawn"],
    "oci": ["crun", "runc"],
    "exec": ["crun", "runc"],
    "load-cpu": ["crun"],
    "load-mixed": ["crun"],
    "floor": ["crun"],
}
# Our implementations per scenario (the first is the one the targets are about), in row order.
OURS = {"true": ["ours"], "ready": ["ours"], "boot": ["ours"], "oci": ["ours-oci"],
        "exec": ["ours-oci", "ours-machinectl"], "load-cpu": ["ours"], "load-mixed": ["ours"],
        "floor": ["ours", "floor-register", "floor-scope", "floor-fork"]}
# (issue, what, scenario, ours, anchor, max ratio of the medians)
TARGETS = [
    ("#17", "daemon start --wait of /bin/true, quiet", "true", "ours", "crun", 0.5),
    ("#17", "the same, CPU spinners on both cores", "load-cpu", "ours", "crun", 0.8),
    ("#17", "the same, compiles and container starts", "load-mixed", "ours", "crun", 0.8),
    ("#17", "daemon start → READY=1 vs crun run of /bin/true", "ready", "ours", "crun", 0.8),
    ("#17", "OCI CLI run of /bin/true", "oci", "ours-oci", "crun", 0.8),
    ("#17", "OCI CLI exec of /bin/true into a running container", "exec", "ours-oci", "crun", 0.8),
    ("#13", "OCI CLI run at or below crun's median", "oci", "ours-oci", "crun", 1.0),
    ("#13", "OCI CLI exec at or below crun's median", "exec", "ours-oci", "crun", 1.0),
    ("#6", "start --wait of /bin/true", "true", "ours", "nspawn", 0.2),
    ("#6", "start --wait of /bin/true", "true", "ours", "crun", 0.8),
    ("#6", "start → READY=1", "ready", "ours", "nspawn", 0.25),
    ("#6", "boot → READY=1", "boot", "ours", "nspawn", 0.8),
]
# Issue #17's scale targets.
SCALE_FLAT_FROM, SCALE_FLAT_TO, SCALE_FLAT_MIN = 100, 1000, 0.9
SCALE_BIG, SCALE_RSS_MB, SCALE_LIST_MS = 2000, 16, 5


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


def ratio_target_lines(medians):
    """One line per latency target: the measured ratio of the medians and met/MISSED."""
    tl = []
    for issue, what, scen, ours, anc, lim in TARGETS:
        o, n = medians.get((scen, ours)), medians.get((scen, anc))
        name = f"{issue} {what} ({scen}): {ours} ≤ {lim:g}× {anc}"
        if issue == "#6" and (o is None or n is None):
            continue                     # the old issue's lines only where measured
        if o is None:
            tl.append(f"- {name}: not measured (no {ours} in this run)")
        elif n is None:
            tl.append(f"- {name}: not measured (no {anc} in this run)")
        else:
            ratio = o / n
            # A narrow miss gets more digits, so that it does not read "0.80×: MISSED by 1.00×".
            nr, nb, nv = (2, 2, 1) if ratio <= lim or ratio / lim >= 1.01 else (4, 3, 2)
            verdict = "met" if ratio <= lim else f"MISSED by {ratio / lim:.{nb}f}× ({fmt(o, nv)} ms vs. " \
                                                  f"a budget of {fmt(lim * n, nv)} ms)"
            tl.append(f"- {name}: {ratio:.{nr}f}× ({fmt(o)} / {fmt(n)} ms): {verdict}")
    return tl


def floor_lines(medians, fails):
    """What the floor (scenario floor) says about the quiet start's target: its ratio to the crun of its own
    loop and to scenario 1's (the target's anchor), with the budget each gives."""
    impls = ("floor-register", "floor-scope", "floor-fork", "crun", "ours")
    fl, sc, fk, crun, ours = (medians.get(("floor", i)) for i in impls)
    if fl is None or crun is None:
        return ["- floor (no target; scenario floor): not measured"] if any(k[0] == "floor" for k in fails) else []
    anchors = [(crun, "the crun of its loop")]
    if medians.get(("true", "crun")) is not None:
        anchors.append((medians[("true", "crun")], "scenario 1's crun"))
    against = "; ".join(f"{fl / c:.3f}× {what} ({fmt(c)} ms), whose 0.5× budget is {fmt(0.5 * c, 2)} ms, "
                        f"{'over' if fl > 0.5 * c else 'under'} it by {fmt(abs(fl - 0.5 * c), 2)} ms"
                        for c, what in anchors)
    line = (f"- floor (no target; scenario floor): bench-floor, a libsystemd client and no container (fork, a "
            f"delegated scope from PID 1's private socket, RegisterMachine, exec and exit of /bin/true), took "
            f"{fmt(fl, 2)} ms: {against}. Without the registration {fmt(sc)} ms, fork and exec alone {fmt(fk)} ms.")
    if ours is not None:
        line += (f" Ours in the same loop: {fmt(ours)} ms = {ours / crun:.2f}× its crun, {fmt(ours - fl)} ms above "
                 f"the floor (the hop to the daemon and the container).")
    failed = [f"{i} {fails[('floor', i)]}" for i in impls if fails.get(("floor", i))]
    if failed:
        line += " Failed rounds (not in the medians): " + ", ".join(failed) + "."
    return [line]


def floor_scale_lines(rows):
    """Scenario floor-scale: its table, and how PID 1's CPU per start and the floor's rate change from
    SCALE_FLAT_FROM to SCALE_FLAT_TO running."""
    if not rows:
        return [], []
    t = ["| floor machines running | probe starts/s (100 starts, 32 at once) | PID 1 CPU ms per probe start "
         "(its idle ms/s) | registered / scopes before the probe | failed starts (ramp + probe) | "
         "left after stop |", "|---|---|---|---|---|---|"]
    for r in rows:
        t.append(f"| {r['size']} | {r['probe_starts_per_s']} | {r['pid1_cpu_ms_per_start']} "
                 f"({r.get('pid1_idle_ms_per_s', '–')}) | {r['registered']} / {r['scopes']} | "
                 f"{r['start_failed']} + {r['probe_failed']} | "
                 f"{r['left_registered']} registered, {r['left_scopes']} scopes |")
    by = {int(r["size"]): r for r in rows}
    try:
        a, b = (float(by[n]["probe_starts_per_s"]) for n in (SCALE_FLAT_FROM, SCALE_FLAT_TO))
        c, d = (float(by[n]["pid1_cpu_ms_per_start"]) for n in (SCALE_FLAT_FROM, SCALE_FLAT_TO))
    except (KeyError, ValueError):
        return t, ["- floor scale (no target; scenario floor-scale): not measured at both sizes"]
    bad = [f"{n}: {r['registered']} registered, {r['scopes']} scopes, {r['start_failed']} + {r['probe_failed']} "
           f"failed" for n, r in sorted(by.items())
           if not (str(r["registered"]) == str(r["scopes"]) == str(n)) or r["start_failed"] != "0"
           or r["probe_failed"] != "0"]
    if bad or a <= 0:
        return t, ["- floor scale (no target; scenario floor-scale): not valid (" + ("; ".join(bad) or
                                                                                    "no probe start") + ")"]
    return t, [f"- floor scale (no target; scenario floor-scale): with {SCALE_FLAT_TO} floor machines running "
               f"instead of {SCALE_FLAT_FROM}, PID 1's CPU per start went from {c:.2f} to {d:.2f} ms "
               f"({d - c:+.2f} ms), the floor's starts/s from {a:.1f} to {b:.1f} ({b / a * 100:.1f} %)"]


def scale_target_lines(scale):
    """Issue #17's scale targets from scale.csv's rows."""
    by = {int(r["size"]): r for r in scale}
    tl = []

    def probe(n):
        try:
            return float(by[n]["probe_starts_per_s"])
        except (KeyError, TypeError, ValueError):
            return None
    a, b = probe(SCALE_FLAT_FROM), probe(SCALE_FLAT_TO)
    name = (f"#17 scale: starts/s with {SCALE_FLAT_TO} running ≥ {SCALE_FLAT_MIN:.0%} of starts/s with "
            f"{SCALE_FLAT_FROM} running")
    if a is None or b is None:
        tl.append(f"- {name}: not measured (sizes {SCALE_FLAT_FROM} and {SCALE_FLAT_TO} both needed)")
    elif a <= 0:
        tl.append(f"- {name}: MISSED (no start succeeded with {SCALE_FLAT_FROM} running)")
    else:
        q = b / a
        tl.append(f"- {name}: {q:.0%} ({b:.0f} / {a:.0f} starts/s): " +
                  ("met" if q >= SCALE_FLAT_MIN else f"MISSED by {SCALE_FLAT_MIN / q:.2f}×"))
    r = by.get(SCALE_BIG)
    pre = f"#17 scale: {SCALE_BIG} machines"
    if r is None:
        tl.append(f"- {pre}: not measured (size {SCALE_BIG} not run)")
        return tl
    g = lambda k: r.get(k) or ""
    tl.append(f"- {pre} all running and registered: " + (
        "met" if g("all_running") == "1" else
        f"MISSED (started {g('start_ok')}, ListMachines running {g('list_running')}, registered with machined "
        f"{g('machined_registered')}, scopes {g('scopes_running')}, leaders alive {g('leaders_alive')})"))
    if g("daemon_rss_kb"):
        mb = int(g("daemon_rss_kb")) / 1024
        tl.append(f"- {pre}: daemon RSS ≤ {SCALE_RSS_MB} MB: {mb:.1f} MB: " +
                  ("met" if mb <= SCALE_RSS_MB else f"MISSED by {mb - SCALE_RSS_MB:.1f} MB"))
    else:
        tl.append(f"- {pre}: daemon RSS ≤ {SCALE_RSS_MB} MB: MISSED (the daemon was gone)")
    if g("list_p50_ms"):
        lp = float(g("list_p50_ms"))
        tl.append(f"- {pre}: ListMachines p50 ≤ {SCALE_LIST_MS} ms: {lp:.2f} ms: " +
                  ("met" if lp <= SCALE_LIST_MS else f"MISSED by {lp / SCALE_LIST_MS:.2f}×"))
    else:
        tl.append(f"- {pre}: ListMachines p50 ≤ {SCALE_LIST_MS} ms: not measured")
    return tl


def breakdown_lines(outdir):
    """The per-stage table from breakdown.csv: medians over the traced runs of each path."""
    path = os.path.join(outdir, "breakdown.csv")
    if not os.path.exists(path):
        return []
    runs = {}
    for r in csv.DictReader(open(path)):
        d = runs.setdefault(r["impl"], {}).setdefault(r["run"], {"moment": {}, "msgs": {}})
        d[r["kind"]][r["name"]] = float(r["value"])
    impls = [i for i in ["ours", "ours-oci", "crun"] if i in runs] + sorted(set(runs) - {"ours", "ours-oci", "crun"})
    if not impls:
        return []
    label = {"ours": "ours: machinectl-ext start --wait", "ours-oci": "ours-oci: run", "crun": "crun: run"}
    med = lambda v: statistics.median(v) if v else None
    head = "| stage (ms) | " + " | ".join(label.get(i, i) for i in impls) + " |"
    sep = "|---|" + "---|" * len(impls)
    n = {i: len(runs[i]) for i in impls}
    out = [f"Median over the traced starts of each path ({', '.join(f'{i}: {n[i]}' for i in impls)}); method in "
           "the header. Stages are spans between two moments; \"–\": a moment not seen, or the path passes them in "
           "another order (see the moments).", "", head, sep]
    for title, a, b in breakdown.STAGES:
        cells = []
        for i in impls:
            v = [breakdown.stages(d["moment"])[title] for d in runs[i].values()]
            cells.append(fmt(med([x for x in v if x is not None]), 2))
        out.append(f"| {title} | " + " | ".join(cells) + " |")
    out += ["", "| moment (ms after the client's exec) | " + " | ".join(label.get(i, i) for i in impls) + " |", sep]
    for m in breakdown.MOMENTS:
        cells = [fmt(med([d["moment"][m] for d in runs[i].values() if m in d["moment"]]), 2) for i in impls]
        out.append(f"| {breakdown.MOMENT_TITLE[m]} | " + " | ".join(cells) + " |")
    comms = {}
    for i in impls:
        for d in runs[i].values():
            for c, v in d["msgs"].items():
                comms[c] = comms.get(c, 0) + v
    if comms:
        out += ["", "| messages sent (sendmsg) during the start | " + " | ".join(label.get(i, i) for i in impls) +
                " |", sep]
        for c in sorted(comms, key=lambda c: -comms[c]):
            cells = [fmt(med([d["msgs"].get(c, 0) for d in runs[i].values()]), 0) for i in impls]
            out.append(f"| {c} | " + " | ".join(cells) + " |")
    return out


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
    for scen in SCENARIOS:
        impls = OURS[scen] + ANCHORS[scen]
        if not any((scen, i) in data for i in impls):
            continue
        for impl in impls:
            v = data.get((scen, impl))
            if v is None:
                continue
            med, p90 = (statistics.median(v), pct(v, 90)) if v else (float("nan"), float("nan"))
            if v:
                medians[(scen, impl)] = med
            n = len(v) + fails.get((scen, impl), 0)
            summary.append({"scenario": scen, "impl": impl, "ok": len(v), "n": n, "median_ms": f"{med:.3f}",
                            "p90_ms": f"{p90:.3f}", "min_ms": f"{min(v):.3f}" if v else "",
                            "max_ms": f"{max(v):.3f}" if v else ""})
        for impl in impls:
            v = data.get((scen, impl))
            if v is None:
                if impl == OURS[scen][0]:
                    lines.append(f"| {SCEN_TITLE[scen]} | {impl} | – | not available | | |")
                continue
            ratios = []
            for anc in ANCHORS[scen]:
                if anc == impl or (scen, anc) not in medians or (scen, impl) not in medians:
                    continue
                ratios.append(f"{medians[(scen, impl)] / medians[(scen, anc)]:.2f}× {anc}")
            n = len(v) + fails.get((scen, impl), 0)
            lines.append(f"| {SCEN_TITLE[scen]} | {impl} | {len(v)}/{n} | {fmt(medians.get((scen, impl)))} | "
                         f"{fmt(pct(v, 90))} | {', '.join(ratios)} |")
    with open(os.path.join(a.outdir, "summary.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["scenario", "impl", "ok", "n", "median_ms", "p90_ms", "min_ms", "max_ms"])
        w.writeheader()
        w.writerows(summary)

    scale = []
    if os.path.exists(os.path.join(a.outdir, "scale.csv")):
        scale = list(csv.DictReader(open(os.path.join(a.outdir, "scale.csv"))))
    slines = []
    if scale:
        slines = ["| machines | all running | start total s | starts/s (0 → N) | starts/s of 100 more with N running | "
                  "StartMachine p50/p90/max ms | daemon RSS MB (base) | per machine kB | daemon fds | "
                  "ListMachines p50/p90 ms (right after the starts) | GetMachine p50/p90 ms | stop all s | "
                  "left after stop |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in scale:
            g = lambda k: r.get(k) or ""
            rss = f"{int(g('daemon_rss_kb')) / 1024:.1f} ({int(g('daemon_rss_base_kb')) / 1024:.1f})" \
                if g("daemon_rss_kb") else "daemon gone"
            allrun = "yes" if g("all_running") == "1" else (
                f"NO: ok {g('start_ok')}, ListMachines running {g('list_running')}, machined {g('machined_registered')}, "
                f"scopes {g('scopes_running')}, leaders {g('leaders_alive')}")
            slines.append(f"| {g('size')} | {allrun} | {g('start_total_s')} | {g('starts_per_s')} | "
                          f"{g('probe_starts_per_s')} | "
                          f"{g('start_call_p50_ms')}/{g('start_call_p90_ms')}/{g('start_call_max_ms')} | {rss} | "
                          f"{g('per_machine_kb')} | {g('daemon_fds')} | {g('list_p50_ms')}/{g('list_p90_ms')}"
                          f"{' (' + g('list_early_p50_ms') + '/' + g('list_early_p90_ms') + ')' if g('list_early_p50_ms') else ''} | "
                          f"{g('get_p50_ms')}/{g('get_p90_ms')} | {g('stop_total_s')}"
                          f"{' (+' + g('stop_drain_s') + ' until gone)' if g('stop_drain_s') else ''} | "
                          f"{g('left_registered')} registered, {g('left_scopes')} scopes |")
        for r in scale:
            for k, what in [("start_errors", "Start"), ("probe_errors", "Probe start"), ("stop_errors", "Stop")]:
                if r.get(k):
                    slines.append(f"\n{what} errors at {r['size']} (first few): `{r[k]}`")

    tl = ratio_target_lines(medians) + floor_lines(medians, fails)
    fs = []
    if os.path.exists(os.path.join(a.outdir, "floor-scale.csv")):
        fs = list(csv.DictReader(open(os.path.join(a.outdir, "floor-scale.csv"))))
    fsl, fst = floor_scale_lines(fs)
    if scale or any(s_ == "scale" for s_ in meta.get("seconds", {})):
        tl += scale_target_lines(scale)
    bl = breakdown_lines(a.outdir)

    # plot
    png = os.path.join(a.outdir, "bench.png")
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        scens = [s for s in SCENARIOS if any(k[0] == s and v for k, v in data.items())]
        ncols = len(scens) + (1 if scale else 0)
        fig, axes = plt.subplots(1, max(ncols, 1), figsize=(4.2 * max(ncols, 1), 4.2), squeeze=False)
        for ax, s in zip(axes[0], scens):
            impls = [i for i in OURS[s] + ANCHORS[s] if data.get((s, i))]
            ax.boxplot([data[(s, i)] for i in impls], labels=impls, showfliers=True)
            ax.set_title(SCEN_TITLE[s], fontsize=9)
            ax.set_ylabel("ms")
            ax.tick_params(axis="x", labelrotation=30, labelsize=8)
            ax.set_ylim(bottom=0)
        if scale:
            ax = axes[0][len(scens)]
            xs = [int(r["size"]) for r in scale]
            ax.plot(xs, [float(r["starts_per_s"] or 0) for r in scale], "o-", label="starts/s 0 → N")
            ax.plot(xs, [float(r.get("probe_starts_per_s") or 0) for r in scale], "x-",
                    label="starts/s with N running")
            ax.plot(xs, [int(r["daemon_rss_kb"] or 0) / 1024 for r in scale], "s-", label="daemon RSS MB")
            ax.plot(xs, [float(r["list_p50_ms"] or 0) for r in scale], "^-", label="ListMachines p50 ms")
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
    for k, v in meta.get("load", {}).items():
        out.append(f"- load {k}: {v}")
    if meta.get("limits"):
        out.append("- limits for scale: " + "; ".join(f"{k} {v}" for k, v in meta["limits"].items()))
    if meta.get("seconds"):
        out.append("- seconds per scenario: " + ", ".join(f"{k} {v}" for k, v in meta["seconds"].items()) +
                   f" (total {sum(meta['seconds'].values()):.0f})")
    for n_ in meta.get("notes", []):
        out.append(f"- note: {n_}")
    out.append(f"- output: `{os.path.relpath(a.outdir, os.path.dirname(os.path.abspath(a.results)))}` "
               "(raw.csv, summary.csv, scale.csv, breakdown.csv, bench.png, logs/)")
    out.append("")
    if len(lines) > 2:
        out += ["### Latency (ms, wall-clock of the client command)", ""] + lines + [""]
    if slines:
        out += ["### Scale", ""] + slines + [""]
    if fsl:
        out += ["### Scale of the floor (bench-floor, no container)", ""] + fsl + [""]
    if bl:
        out += ["### Per-stage breakdown of one start of /bin/true", ""] + bl + [""]
    out += ["### Targets (issues #17, #13, #6)", ""] + tl + fst + [""]
    text = "\n".join(out)
    with open(os.path.join(a.outdir, "table.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
