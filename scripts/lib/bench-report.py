#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the msix_bench boot logs of scripts/benchmark into figures.

Usage: bench-report.py OUTDIR series=<commit> base=<commit>

Reads from OUTDIR, by clock (scripts/benchmark's header explains both):

    wall clock          series.log (P1, P2), p3-{series,base}-<run>.log (P3),
                        mainline.log (P4, if present)
    instruction clock   ic-{series,base}-<run>.log (P2, P3, P5),
                        mainline-ic-<run>.log (P4, P5, if present)

On the instruction clock the module's "ns" are guest instructions (QEMU
-icount shift=0): the JSON gives them as millions (minsn) and thousands
per vector (kinsn_per_vector).  Comparisons across boots pair run r of one
kernel with run r of the other and report the median ratio over the runs
and their spread.

Writes OUTDIR/benchmark.json and OUTDIR/plot.png (gnuplot) and prints one
line per figure: "PASS benchmark-pN: ..." when it was measured and its
correctness condition holds (no live vector torn down by dynamic growth),
"FAIL ..." otherwise.  Whether a figure meets its performance target is
reported in the line and in the JSON ("target_met"), not turned into a
failure.
"""
import json
import os
import re
import statistics
import subprocess
import sys

LINE = re.compile(r"^msix_bench: (\w+) n=(\d+) rep=(\d+) ns=(\d+) torn=(\d+)$", re.M)
BLOCK = re.compile(r"^msix_bench: dynblock n=(\d+) rep=(\d+) first=(\d+) count=(\d+) "
                   r"ns=(\d+)$", re.M)
LARGEST = 2048


def parse(path):
    """{method: {n: {"ns": [...], "torn": [...]}}, "dynblock": {n: {first:
    [ns per allocation, one per repetition]}}} of one boot log; None when
    the log does not exist."""
    if not os.path.exists(path):
        return None
    text = open(path, errors="replace").read()
    runs = {}
    for m in LINE.finditer(text):
        r = runs.setdefault(m[1], {}).setdefault(int(m[2]), {"ns": [], "torn": []})
        r["ns"].append(int(m[4]))
        r["torn"].append(int(m[5]))
    blocks = runs.setdefault("dynblock", {})
    for m in BLOCK.finditer(text):
        blocks.setdefault(int(m[1]), {}).setdefault(int(m[3]), []).append(
            int(m[5]) / int(m[4]))
    return runs


def runs_of(out, prefix):
    """The parsed logs OUTDIR/<prefix>-<r>.log, by r"""
    found = {}
    for f in os.listdir(out):
        m = re.match(re.escape(prefix) + r"-(\d+)\.log$", f)
        if m:
            found[int(m[1])] = parse(os.path.join(out, f))
    return dict(sorted(found.items()))


def med(r):
    return statistics.median(r["ns"])


def stat(r, unit="ms"):
    """Median, min and max in milliseconds (wall) or millions of
    instructions (minsn), and the repetitions"""
    ns = r["ns"]
    return {f"median_{unit}": round(statistics.median(ns) / 1e6, 3),
            f"min_{unit}": round(min(ns) / 1e6, 3), f"max_{unit}": round(max(ns) / 1e6, 3),
            "reps": len(ns)}


def spread(values):
    """Median, min, max of per-run ratios and the half range in percent of
    the median (the +- the runs stay within)"""
    m = statistics.median(values)
    return {"median": round(m, 4), "min": round(min(values), 4), "max": round(max(values), 4),
            "runs": [round(v, 4) for v in values],
            "spread_pct": round((max(values) - min(values)) / 2 / m * 100, 2)}


def bulk_and_free(runs, n):
    return med(runs["bulk"][n]) + med(runs["bulkfree"][n])


def p3_table(series_runs, base_runs, unit):
    """P3 per N: the ratio series over base of bulk allocation + free, one
    per run pair"""
    table = {}
    pairs = [(series_runs[r], base_runs[r]) for r in series_runs if r in base_runs]
    if not pairs:
        return table
    for n in sorted(pairs[0][0].get("bulk", {})):
        ratios = [bulk_and_free(s, n) / bulk_and_free(b, n) for s, b in pairs
                  if n in s.get("bulk", {}) and n in b.get("bulk", {})]
        if ratios:
            table[str(n)] = {"ratio_series_over_base": spread(ratios),
                             "series_run1": stat(pairs[0][0]["bulk"][n], unit),
                             "base_run1": stat(pairs[0][1]["bulk"][n], unit)}
    return table


def per_vector(runs, n, scale=1e3):
    """Dynamic cost per added vector (us or kinsn) of growth to n"""
    return med(runs["dyn"][n]) / (n - 1) / scale


def blocks(runs_list, n=LARGEST):
    """P5: per block of allocations (by its first index), the cost of one
    allocation (median over all repetitions of all runs), in kinsn"""
    acc = {}
    for runs in runs_list:
        for first, costs in runs.get("dynblock", {}).get(n, {}).items():
            acc.setdefault(first, []).extend(costs)
    return {first: round(statistics.median(v) / 1e3, 3) for first, v in sorted(acc.items())}


def growth_table(series):
    """P1 per N of one wall clock boot: dynamic growth against
    free-and-reallocate, and the live vectors each tore down"""
    p1 = {}
    for n in sorted(series.get("dyn", {})):
        a = series["dyn"][n]
        b = series.get("reenable", {}).get(n)
        e = {"dynamic": stat(a), "dynamic_torn_down": max(a["torn"])}
        if b:
            e["reenable"] = stat(b)
            e["reenable_torn_down"] = max(b["torn"])
            e["ratio_reenable_over_dynamic"] = round(med(b) / med(a), 1)
        p1[str(n)] = e
    return p1


def per_vector_table(series):
    """P2 per N of one wall clock boot: the cost per vector of dynamic
    growth against one bulk allocation divided by N, in us"""
    p2 = {}
    for n in sorted(series.get("dyn", {})):
        if n in series.get("bulk", {}):
            per_dyn, per_bulk = per_vector(series, n), med(series["bulk"][n]) / n / 1e3
            p2[str(n)] = {"dynamic_us_per_vector": round(per_dyn, 2),
                          "bulk_us_per_vector": round(per_bulk, 2),
                          "ratio_dynamic_over_bulk": round(per_dyn / per_bulk, 3)}
    return p2


def main():
    out = sys.argv[1]
    commits = dict(a.split("=", 1) for a in sys.argv[2:])
    series, mainline = parse(f"{out}/series.log"), parse(f"{out}/mainline.log")
    wall_s, wall_b = runs_of(out, "p3-series"), runs_of(out, "p3-base")
    ic_s, ic_b, ic_m = runs_of(out, "ic-series"), runs_of(out, "ic-base"), runs_of(out, "mainline-ic")
    lines, bad = [], False
    res = {"commits": commits,
           "setup": "QEMU TCG q35, no IOMMU (x86 vector domain), one nvme controller with "
                    "msix_qsize=2048; vectors allocated, never requested (reservation "
                    "mode: no CPU vector consumed). Wall clock: -smp 2, multi-threaded TCG, "
                    "times in ms/us. Instruction clock: -icount shift=0,sleep=off, -smp 1, "
                    "one guest ns per instruction: figures in minsn (millions of "
                    "instructions) and kinsn_per_vector; a device access counts as one "
                    "instruction.",
           "clocks": {"p1": "wall", "p2": "wall and instructions (in-boot)",
                      "p3": "instructions (target), wall beside it",
                      "p4": "instructions (target), wall beside it (one boot each)",
                      "p5": "instructions"},
           "runs": {"wall_p3": len(wall_s), "instructions": len(ic_s),
                    "mainline_instructions": len(ic_m)},
           "command": "scripts/benchmark (P4: scripts/benchmark --mainline)"}
    if not series:
        print("FAIL benchmark: no series.log")
        return 1

    # P1: growth, dynamic against free-and-reallocate (wall clock)
    p1 = res["p1_growth"] = growth_table(series)
    for name, runs in [("series.log", series)] + [(f"ic-series-{r}.log", v)
                                                  for r, v in ic_s.items()]:
        for n, a in runs.get("dyn", {}).items():
            if max(a["torn"]) != 0:
                bad = True
                lines.append(f"FAIL benchmark-p1: dynamic growth to {n} changed "
                             f"{max(a['torn'])} live vectors ({name})")

    # P2: per-vector cost, dynamic against bulk, in-boot: wall clock from the
    # P1 boot, instruction clock from the first instruction clock run
    p2 = res["p2_per_vector"] = per_vector_table(series)
    p2i = {}
    if ic_s:
        first = next(iter(ic_s.values()))
        for n in sorted(first.get("dyn", {})):
            per_dyn, per_bulk = per_vector(first, n), med(first["bulk"][n]) / n / 1e3
            p2i[str(n)] = {"dynamic_kinsn_per_vector": round(per_dyn, 2),
                           "bulk_kinsn_per_vector": round(per_bulk, 2),
                           "ratio_dynamic_over_bulk": round(per_dyn / per_bulk, 3)}
    res["p2_per_vector_instructions"] = p2i

    # P3: bulk allocation + free, series against base, across boots
    res["p3_bulk_series_vs_base_instructions"] = p3_table(ic_s, ic_b, "minsn")
    res["p3_bulk_series_vs_base_wall"] = p3_table(wall_s, wall_b, "ms")

    # P4: dynamic per-vector cost, series against mainline
    p4 = {}
    pairs = [(ic_s[r], ic_m[r]) for r in ic_s if r in ic_m]
    for n in sorted(pairs[0][0].get("dyn", {}) if pairs else []):
        ratios = [per_vector(s, n) / per_vector(m, n) for s, m in pairs
                  if n in m.get("dyn", {})]
        if ratios:
            p4[str(n)] = {"ratio_series_over_mainline": spread(ratios),
                          "series_kinsn_per_vector": round(per_vector(pairs[0][0], n), 2),
                          "mainline_kinsn_per_vector": round(per_vector(pairs[0][1], n), 2),
                          "mainline_bulk_kinsn_per_vector":
                              round(med(pairs[0][1]["bulk"][n]) / n / 1e3, 2)}
    res["p4_dynamic_series_vs_mainline_instructions"] = p4
    p4w = {}
    if mainline and mainline.get("dyn"):
        for n in sorted(series.get("dyn", {})):
            if n in mainline["dyn"]:
                p4w[str(n)] = {"series_us_per_vector": round(per_vector(series, n), 2),
                               "mainline_us_per_vector": round(per_vector(mainline, n), 2),
                               "ratio_series_over_mainline":
                                   round(per_vector(series, n) / per_vector(mainline, n), 3)}
    res["p4_dynamic_series_vs_mainline_wall"] = p4w
    for f in ("mainline.log", "mainline-ic-1.log"):
        if os.path.exists(f"{out}/{f}"):
            ver = re.search(r"^linux-source-\S+ (\S+)$", open(f"{out}/{f}").read(), re.M)
            res["p4_mainline"] = f"Debian linux-source {ver[1] if ver else '?'}"

    # P5: does one allocation cost more when the device has more vectors?
    p5 = {}
    for kernel, runs in (("series", ic_s), ("mainline", ic_m)):
        if not runs or not all(LARGEST in r.get("dyn", {}) and 64 in r.get("dyn", {})
                               for r in runs.values()):
            continue
        growth = [per_vector(r, LARGEST) / per_vector(r, 64) for r in runs.values()]
        b = blocks(runs.values())
        firsts = sorted(b)
        p5[kernel] = {"per_vector_growth_64_to_2048": spread(growth),
                      "kinsn_per_vector_64": round(per_vector(next(iter(runs.values())), 64), 2),
                      "kinsn_per_vector_2048":
                          round(per_vector(next(iter(runs.values())), LARGEST), 2),
                          "kinsn_per_allocation_by_block": {str(k): v for k, v in b.items()}}
        steady = [b[f] for f in firsts if 129 <= f < 385]
        end = [b[f] for f in firsts[-4:]]
        if len(firsts) > 8 and steady:
            # the first two blocks carry a cold-cache cost that moves
            # between them from one repetition to the next: the start is
            # taken at a fill of 128 to 384 vectors, the end over the last
            # four blocks
            p5[kernel]["ratio_end_over_start"] = round(statistics.median(end) /
                                                       statistics.median(steady), 3)
    res["p5_allocation_cost_by_table_fill"] = p5

    res["headline"] = {}

    def headline(fig, value, goal, ok, text, missing=None):
        if value is None:
            if missing:
                lines.append(missing)
                return
            nonlocal bad
            bad = True
            lines.append(f"FAIL benchmark-{fig}: no figures for N = {LARGEST}")
            return
        res[f"{fig}_target_met"] = ok(value)
        res["headline"][fig] = {"value": value, "target": goal, "met": ok(value),
                                "clock": res["clocks"][fig], "what": text}
        lines.append(f"PASS benchmark-{fig}: {text}: {value} (target {goal}: "
                     f"{'met' if ok(value) else 'missed'})")

    e = p1.get(str(LARGEST), {})
    headline("p1", e.get("ratio_reenable_over_dynamic"), ">= 1000", lambda r: r >= 1000,
             f"growing to {LARGEST} vectors (wall clock): dynamic "
             f"{e.get('dynamic', {}).get('median_ms')} ms, free-and-reallocate "
             f"{e.get('reenable', {}).get('median_ms')} ms; live vectors torn down: dynamic "
             f"{e.get('dynamic_torn_down')}, free-and-reallocate "
             f"{e.get('reenable_torn_down')}; ratio")
    e = p2.get(str(LARGEST), {})
    ei = p2i.get(str(LARGEST), {})
    headline("p2", e.get("ratio_dynamic_over_bulk"), "<= 1.3", lambda r: r <= 1.3,
             f"per vector at N = {LARGEST}, dynamic over bulk: wall clock "
             f"{e.get('dynamic_us_per_vector')} us / {e.get('bulk_us_per_vector')} us, "
             f"instructions {ei.get('dynamic_kinsn_per_vector')} / "
             f"{ei.get('bulk_kinsn_per_vector')} kinsn (ratio "
             f"{ei.get('ratio_dynamic_over_bulk')}); wall clock ratio")
    e = res["p3_bulk_series_vs_base_instructions"].get(str(LARGEST), {})
    w = res["p3_bulk_series_vs_base_wall"].get(str(LARGEST), {})
    r = e.get("ratio_series_over_base")
    headline("p3", r and r["median"], "<= 1.02, runs within +-3%",
             lambda v: v <= 1.02 and r["spread_pct"] <= 3,
             f"bulk allocation and free of {LARGEST} vectors, series over base, "
             f"{len(r['runs']) if r else 0} runs on the instruction clock: "
             f"{r['runs'] if r else '-'} (+-{r['spread_pct'] if r else '-'}%); wall clock "
             f"{w.get('ratio_series_over_base', {}).get('runs', '-')}; all N (instructions): "
             + ", ".join(f"{n}: {v['ratio_series_over_base']['median']}" for n, v in
                         res["p3_bulk_series_vs_base_instructions"].items())
             + "; median ratio")
    e = p4.get(str(LARGEST), {})
    r4 = e.get("ratio_series_over_mainline")
    headline("p4", r4 and r4["median"], "<= 1.0", lambda v: v <= 1.0,
             f"dynamic per-vector cost at N = {LARGEST}, series over mainline "
             f"({res.get('p4_mainline')}), instruction clock: "
             f"{e.get('series_kinsn_per_vector')} / {e.get('mainline_kinsn_per_vector')} kinsn, "
             f"runs {r4['runs'] if r4 else '-'} (+-{r4['spread_pct'] if r4 else '-'}%); wall "
             f"clock {p4w.get(str(LARGEST), {}).get('ratio_series_over_mainline', '-')}; "
             "median ratio",
             missing="INFO benchmark-p4: no mainline figures (scripts/benchmark --mainline)")
    e = p5.get("series", {})
    g = e.get("per_vector_growth_64_to_2048")
    m = p5.get("mainline", {})
    headline("p5", g and g["median"], "<= 1.1", lambda v: v <= 1.1,
             f"dynamic cost per vector, growth to {LARGEST} over growth to 64, instruction "
             f"clock: series {e.get('kinsn_per_vector_64')} -> "
             f"{e.get('kinsn_per_vector_2048')} kinsn (one allocation at a fill of "
             f"1792-2047 over 128-383: {e.get('ratio_end_over_start')}); mainline "
             f"{m.get('kinsn_per_vector_64', '-')} -> {m.get('kinsn_per_vector_2048', '-')} "
             f"kinsn (growth {m.get('per_vector_growth_64_to_2048', {}).get('median', '-')}, "
             f"one allocation end over start {m.get('ratio_end_over_start', '-')}); "
             "series growth")

    with open(f"{out}/benchmark.json", "w") as f:
        json.dump(res, f, indent=2, sort_keys=True)
        f.write("\n")
    plot(out, series, res)
    print("\n".join(lines))
    return 1 if bad else 0


def plot(out, series, res):
    """Left: time to grow to N (wall clock, log-log); middle: per-vector
    cost by N (instruction clock); right: cost of one allocation against
    the vectors already allocated (instruction clock)"""
    d1, d2, d3 = (f"{out}/.plot{i}.dat" for i in (1, 2, 3))
    with open(d1, "w") as f:
        for n in sorted(series.get("dyn", {})):
            re_ms = (med(series["reenable"][n]) / 1e6 if n in series.get("reenable", {})
                     else "NaN")
            f.write(f"{n} {med(series['dyn'][n]) / 1e6} {re_ms}\n")
    p2i, p4 = res["p2_per_vector_instructions"], res["p4_dynamic_series_vs_mainline_instructions"]
    with open(d2, "w") as f:
        for n in sorted(p2i, key=int):
            f.write(f"{n} {p2i[n]['dynamic_kinsn_per_vector']} {p2i[n]['bulk_kinsn_per_vector']} "
                    f"{p4.get(n, {}).get('mainline_kinsn_per_vector', 'NaN')}\n")
    p5 = res["p5_allocation_cost_by_table_fill"]
    s = p5.get("series", {}).get("kinsn_per_allocation_by_block", {})
    m = p5.get("mainline", {}).get("kinsn_per_allocation_by_block", {})
    with open(d3, "w") as f:
        for k in sorted(s, key=int):
            f.write(f"{k} {s[k]} {m.get(k, 'NaN')}\n")
    gp = f"""
set terminal pngcairo size 1500,480 font ",10"
set output "{out}/plot.png"
set multiplot layout 1,3 title "MSI-X growth on 6.1.176 + msi-dyn (QEMU TCG, nvme, medians)"
set grid
set key bottom right
set logscale xy
set xlabel "vectors N"
set ylabel "time to grow from 1 to N (ms, wall clock)"
set xtics (64, 256, 1024, 2048)
plot "{d1}" using 1:3 with linespoints title "pci\\\\_free\\\\_irq\\\\_vectors() + pci\\\\_alloc\\\\_irq\\\\_vectors(n + 1)", \\
     "{d1}" using 1:2 with linespoints title "pci\\\\_msix\\\\_alloc\\\\_irq\\\\_at() (this series)"
unset logscale y
set ylabel "cost per vector (thousand instructions)"
set yrange [0:*]
plot "{d2}" using 1:2 with linespoints title "dynamic, this series", \\
     "{d2}" using 1:3 with linespoints title "bulk pci\\\\_alloc\\\\_irq\\\\_vectors(N) / N, this series", \\
     "{d2}" using 1:4 with linespoints title "dynamic, mainline"
unset logscale x
set xtics auto
set xlabel "vectors already allocated (block of 64 allocations, growth to 2048)"
set ylabel "one allocation (thousand instructions)"
plot "{d3}" using 1:2 with linespoints title "this series", \\
     "{d3}" using 1:3 with linespoints title "mainline"
unset multiplot
"""
    subprocess.run(["gnuplot"], input=gp, text=True, check=True)
    for d in (d1, d2, d3):
        os.unlink(d)


if __name__ == "__main__":
    sys.exit(main())
