#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the vfio_bench boot logs of scripts/vfio-bench into figures.

Usage: vfio-bench-report.py OUTDIR SMP series=<commit> base=<commit>

Reads OUTDIR/{series,base}-<run>.log (scripts/guest/vfio_bench.c's
"BENCH:" lines), writes OUTDIR/vfio-bench.json and OUTDIR/plot.png and
prints one line per figure:

    vfio-bench-dynamic   series: one vector added with N live, per N;
                         correct when every N was measured, nothing was
                         torn down, vector 0 kept its interrupt (the
                         program checks that) and the index had no
                         NORESIZE
    vfio-bench-reenable  base: 6.1's disable and re-enable with N + 1;
                         correct when the index had NORESIZE and each
                         re-enable tore down all N live vectors
    vfio-bench-ratio     base re-enable over series addition at each N;
                         the targets: at least 100x at the largest N, and
                         a per-vector cost that does not grow with N (the
                         largest N's at most twice the smallest median of
                         the Ns from 16 on)

A figure's line is PASS when it was measured and its correctness
condition holds, FAIL otherwise; whether a target is met is said in the
line and in the JSON ("target_met"), not turned into a failure.  A boot
that did not finish, or logged a BUG or WARNING, makes every figure of
its kernel fail.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

LINE = re.compile(r"^BENCH: (dynamic|reenable) n=(\d+) ns=(\d+) min=(\d+) max=(\d+) "
                  r"torn_down=(\d+) host_vectors=(\d+)$", re.M)
TARGET_RATIO = 100
TARGET_FLAT = 2.0


def parse(path):
    """The figures of one boot: {"noresize", "cpus", "problems",
    method: {n: {"ns", "torn_down", "host_vectors"}}}"""
    r = {"problems": [], "dynamic": {}, "reenable": {}}
    text = open(path, errors="replace").read()
    m = re.search(r"^BENCH: begin cpus=(\d+)", text, re.M)
    r["cpus"] = int(m[1]) if m else None
    m = re.search(r"^BENCH: noresize=(\d) table=(\d+)$", text, re.M)
    r["noresize"] = None if not m else m[1] == "1"
    r["table"] = int(m[2]) if m else None
    for m in LINE.finditer(text):
        r[m[1]][int(m[2])] = {"ns": int(m[3]), "min": int(m[4]), "max": int(m[5]),
                              "torn_down": int(m[6]), "host_vectors": int(m[7])}
    for m in re.finditer(r"^BENCH: error (.*)$", text, re.M):
        r["problems"].append(m[1])
    if not re.search(r"^BENCH: device \S+ driver=vfio-pci$", text, re.M):
        r["problems"].append("the nvme controller was not bound to vfio-pci")
    if "BENCH: done" not in text or not re.search(r"^BENCH: exit 0$", text, re.M):
        r["problems"].append("vfio_bench did not finish")
    if not re.search(r"^BENCH: irq 0$", text, re.M):
        r["problems"].append("vfio interrupts left after vfio_bench exited")
    for m in re.finditer(r"^BENCH-SPLAT: (.*)$", text, re.M):
        r["problems"].append("splat: " + m[1].strip())
    if "BENCH: end" not in text:
        r["problems"].append("the init program did not finish")
    return r


def across(boots, method, n):
    """Median over the boots of the in-boot medians, and their range, in
    microseconds"""
    v = [b[method][n]["ns"] / 1000 for b in boots if n in b[method]]
    if not v:
        return None
    return {"median_us": round(statistics.median(v), 1), "min_us": round(min(v), 1),
            "max_us": round(max(v), 1), "boots": len(v)}


def main():
    out, smp = sys.argv[1], int(sys.argv[2])
    heads = dict(a.split("=", 1) for a in sys.argv[3:])
    boots = {}
    for k in ("base", "series"):
        runs = sorted((int(m[1]), f) for f in os.listdir(out)
                      if (m := re.fullmatch(k + r"-(\d+)\.log", f)))
        boots[k] = [parse(os.path.join(out, f)) for _, f in runs]
    res = {"commits": heads, "smp": smp,
           "setup": (f"QEMU {subprocess.run(['qemu-system-x86_64', '--version'], capture_output=True, text=True).stdout.split()[3]}"
                     f" TCG, -smp {smp}, no IOMMU (vfio no-IOMMU mode), nvme with msix_qsize=2048 "
                     f"on vfio-pci; vfio_bench sets triggers through VFIO_DEVICE_SET_IRQS, every "
                     f"live vector has an eventfd and a requested host interrupt; wall clock, "
                     f"{len(boots['series'])} boots of the series and {len(boots['base'])} of the "
                     f"base, median over the boots of each boot's median"),
           "boots": {k: [{"noresize": b["noresize"], "cpus": b["cpus"], "problems": b["problems"]}
                         for b in v] for k, v in boots.items()}}
    lines = []

    def problems(kernel, noresize):
        p = []
        if not boots[kernel]:
            return ["no boot log"]
        for i, b in enumerate(boots[kernel], 1):
            p += [f"boot {i}: {x}" for x in b["problems"]]
            if b["noresize"] is not noresize:
                p.append(f"boot {i}: the MSI-X index has {'no ' if noresize else ''}NORESIZE")
        return p

    ns = sorted({n for b in boots["base"] + boots["series"] for n in b["reenable"]})
    dyn, ree, ratio = {}, {}, {}
    # The series: dynamic additions
    p = problems("series", False)
    for n in ns:
        a = across(boots["series"], "dynamic", n)
        if not a or a["boots"] != len(boots["series"]):
            p.append(f"n={n}: not measured in every boot")
            continue
        a["torn_down"] = max(b["dynamic"][n]["torn_down"] for b in boots["series"])
        a["host_vectors"] = [b["dynamic"][n]["host_vectors"] for b in boots["series"]]
        a["series_reenable"] = across(boots["series"], "reenable", n)
        if a["torn_down"]:
            p.append(f"n={n}: {a['torn_down']} live vectors torn down by one addition")
        dyn[n] = a
    res["dynamic"] = {str(n): v for n, v in dyn.items()}
    if p or not ns:
        lines.append("FAIL vfio-bench-dynamic: " + "; ".join(p or ["no figures"]))
    else:
        lines.append("PASS vfio-bench-dynamic: series, one vector added through VFIO with N live: "
                     + ", ".join(f"{dyn[n]['median_us']:g} us at N={n}" for n in ns)
                     + "; 0 live vectors torn down, vector 0 kept its interrupt")
    # The base: 6.1's re-enable
    p = problems("base", True)
    for n in ns:
        a = across(boots["base"], "reenable", n)
        if not a or a["boots"] != len(boots["base"]):
            p.append(f"n={n}: not measured in every boot")
            continue
        a["torn_down"] = min(b["reenable"][n]["torn_down"] for b in boots["base"])
        if a["torn_down"] != n:
            p.append(f"n={n}: re-enabling tore down {a['torn_down']} of {n} live vectors")
        ree[n] = a
    res["reenable"] = {str(n): v for n, v in ree.items()}
    if p or not ns:
        lines.append("FAIL vfio-bench-reenable: " + "; ".join(p or ["no figures"]))
    else:
        lines.append("PASS vfio-bench-reenable: base (NORESIZE), disable and re-enable with N + 1: "
                     + ", ".join(f"{ree[n]['median_us'] / 1000:.3g} ms at N={n}" for n in ns)
                     + "; each tears down all N live vectors")
    # Series against base
    for n in ns:
        if n in dyn and n in ree:
            ratio[n] = round(ree[n]["median_us"] / dyn[n]["median_us"], 1)
    res["ratio_base_reenable_over_series_dynamic"] = {str(n): v for n, v in ratio.items()}
    if dyn and ree and ns[-1] in ratio:
        big = ns[-1]
        flat_ref = min(dyn[n]["median_us"] for n in dyn if n >= 16) if any(n >= 16 for n in dyn) \
            else dyn[big]["median_us"]
        flat = round(dyn[big]["median_us"] / flat_ref, 2)
        met_ratio = ratio[big] >= TARGET_RATIO
        met_flat = flat <= TARGET_FLAT
        res["target"] = {"ratio_at_largest_n": TARGET_RATIO, "per_vector_growth": TARGET_FLAT}
        res["largest_n"] = big
        res["per_vector_growth"] = flat
        res["target_met"] = {"ratio": met_ratio, "constant_cost": met_flat}
        lines.append(f"PASS vfio-bench-ratio: at N={big} the base's re-enable takes "
                     f"{ratio[big]:g}x the series' addition (target >= {TARGET_RATIO}x: "
                     f"{'met' if met_ratio else 'missed'}); the series' addition at N={big} is "
                     f"{flat:g}x its smallest from N=16 (target <= {TARGET_FLAT:g}x, a cost that "
                     f"does not grow with N: {'met' if met_flat else 'missed'})")
    else:
        lines.append("FAIL vfio-bench-ratio: no figures of both kernels at the largest N")
    res["lines"] = lines
    with open(os.path.join(out, "vfio-bench.json"), "w") as f:
        json.dump(res, f, indent=2, sort_keys=True)
        f.write("\n")
    if dyn or ree:
        plot(out, ns, dyn, ree, res["setup"])
    print("\n".join(lines))
    return 0


def plot(out, ns, dyn, ree, setup):
    with tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False) as f:
        for n in ns:
            d = dyn.get(n, {}).get("median_us", "NaN")
            r = ree.get(n, {}).get("median_us", "NaN")
            f.write(f"{n} {d} {r}\n")
        dat = f.name
    gp = f"""
set terminal pngcairo size 900,560 font ",10"
set output "{out}/plot.png"
set title "One more MSI-X vector through VFIO with N live (6.1.176, QEMU TCG, medians)"
set grid
set key top left
set logscale xy
set xlabel "live vectors N"
set ylabel "time to add one vector (us, wall clock)"
plot "{dat}" using 1:3 with linespoints title "6.1: disable and re-enable with N + 1 (tears down N)", \\
     "{dat}" using 1:2 with linespoints title "this series: pci\\\\_msix\\\\_alloc\\\\_irq\\\\_at() (tears down 0)"
"""
    subprocess.run(["gnuplot"], input=gp, text=True, check=True)
    os.unlink(dat)


if __name__ == "__main__":
    sys.exit(main())
