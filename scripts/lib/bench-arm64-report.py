#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The growth benchmark on arm64's GICv3 ITS (scripts/arm64-boot --bench),
beside x86_64's.

Usage: bench-arm64-report.py OUTDIR X86_JSON series=<commit>

Reads OUTDIR/series.log (msix_bench in one wall clock boot of the series
on the virt machine's ITS) with the parser of bench-report.py, and
X86_JSON (test-results/benchmark/benchmark.json, scripts/benchmark's
figures on x86_64) if it exists.  Writes OUTDIR/benchmark.json and prints:

    PASS benchmark-arm64-p1: growth to the largest N, dynamic against
         free-and-reallocate, no live vector torn down by dynamic growth,
         x86_64's ratio beside it (the target of >= 1000 is reported,
         not turned into a failure, as on x86_64)
    PASS benchmark-arm64-p2: per-vector cost of dynamic growth against a
         bulk allocation divided by N
    FAIL ... when a figure is missing or dynamic growth tore a live vector
         down
"""
import importlib.util
import json
import os
import sys

_spec = importlib.util.spec_from_file_location(
    "bench_report", os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench-report.py"))
br = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(br)


def x86_figures(path):
    """x86_64's P1 and P2 entries at the largest N and its series commit,
    or None"""
    if not os.path.exists(path):
        return None
    j = json.load(open(path))
    n = str(br.LARGEST)
    return {"series": j.get("commits", {}).get("series"),
            "p1": j.get("p1_growth", {}).get(n), "p2": j.get("p2_per_vector", {}).get(n)}


def main():
    out, x86_json = sys.argv[1], sys.argv[2]
    commits = dict(a.split("=", 1) for a in sys.argv[3:])
    series = br.parse(f"{out}/series.log")
    lines, bad = [], False
    res = {"commits": commits,
           "setup": "QEMU TCG virt, gic-version=3 with its ITS, cortex-a57, -smp 2, one nvme "
                    "controller with msix_qsize=2048; vectors allocated, never requested (each "
                    "takes an ITS event and its LPI; the ITS device and its LPI block are "
                    "created once for the whole table). Wall clock, times in ms/us.",
           "command": "scripts/arm64-boot --bench"}
    if not series:
        print("FAIL benchmark-arm64: no series.log")
        return 1
    p1 = res["p1_growth"] = br.growth_table(series)
    p2 = res["p2_per_vector"] = br.per_vector_table(series)
    for n, e in p1.items():
        if e["dynamic_torn_down"] != 0:
            bad = True
            lines.append(f"FAIL benchmark-arm64-p1: dynamic growth to {n} changed "
                         f"{e['dynamic_torn_down']} live vectors")
    x86 = x86_figures(x86_json)
    res["x86_64"] = x86
    n = str(br.LARGEST)
    e = p1.get(n, {})
    ratio = e.get("ratio_reenable_over_dynamic")
    xe = (x86 or {}).get("p1") or {}
    beside = (f"x86_64 (test-results/benchmark/, series {str(x86['series'])[:12]}): dynamic "
              f"{xe.get('dynamic', {}).get('median_ms')} ms, free-and-reallocate "
              f"{xe.get('reenable', {}).get('median_ms')} ms, ratio "
              f"{xe.get('ratio_reenable_over_dynamic')}" if x86 else
              "no x86_64 figures (scripts/benchmark)")
    if ratio is None:
        bad = True
        lines.append(f"FAIL benchmark-arm64-p1: no figures for N = {n}")
    else:
        res["p1_target_met"] = ratio >= 1000
        lines.append(f"PASS benchmark-arm64-p1: growing to {n} vectors on the GICv3 ITS (wall "
                     f"clock): dynamic {e['dynamic']['median_ms']} ms, free-and-reallocate "
                     f"{e['reenable']['median_ms']} ms; live vectors torn down: dynamic "
                     f"{e['dynamic_torn_down']}, free-and-reallocate "
                     f"{e['reenable_torn_down']}; ratio {ratio} (target >= 1000: "
                     f"{'met' if ratio >= 1000 else 'missed'}); {beside}")
    e2 = p2.get(n)
    if e2 is None:
        bad = True
        lines.append(f"FAIL benchmark-arm64-p2: no figures for N = {n}")
    else:
        xp2 = (x86 or {}).get("p2") or {}
        lines.append(f"PASS benchmark-arm64-p2: per vector at N = {n}, dynamic over bulk: "
                     f"{e2['dynamic_us_per_vector']} us / {e2['bulk_us_per_vector']} us, "
                     f"ratio {e2['ratio_dynamic_over_bulk']}; x86_64 "
                     f"{xp2.get('ratio_dynamic_over_bulk', '-')}")
    with open(f"{out}/benchmark.json", "w") as f:
        json.dump(res, f, indent=2, sort_keys=True)
        f.write("\n")
    print("\n".join(lines))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
