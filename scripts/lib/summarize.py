#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write test-results/summary.json and summary.md from scripts/validate's
records, and print the closing 'N passed, N failed' line.

Only scripts/validate calls this; test-results/ is never edited by hand."""

import argparse
import collections
import json
import os
import sys

from records import read_checks, read_durations


def kunit_counts(path):
    """Per-suite pass/fail/skip counts from a kunit.py --json file."""
    suites = {}

    def walk(group, top):
        for case in group.get("test_cases", []):
            name = group["name"] if not top else "(top)"
            s = suites.setdefault(name, {"passed": 0, "failed": 0, "skipped": 0})
            st = case.get("status")
            if st == "PASS":
                s["passed"] += 1
            elif st == "SKIP":
                s["skipped"] += 1
            else:
                s["failed"] += 1
        for sub in group.get("sub_groups", []):
            walk(sub, False)

    with open(path) as f:
        walk(json.load(f), True)
    total = {k: sum(s[k] for s in suites.values()) for k in ("passed", "failed", "skipped")}
    total["suites"] = suites
    return total


def origin_kind(origin):
    """run, cached or same-as (a build the patch cannot change)."""
    if origin.startswith("cached"):
        return "cached"
    if origin.startswith("same as"):
        return "same_as_previous_prefix"
    return "run"


def origin_counts(checks):
    """How the verdicts were reached, and the runs the cached ones come from."""
    counts = collections.Counter(origin_kind(c["origin"]) for c in checks)
    dates = sorted({c["origin"].split()[1] for c in checks
                    if origin_kind(c["origin"]) == "cached" and len(c["origin"].split()) > 1})
    return {"run": counts.get("run", 0), "cached": counts.get("cached", 0),
            "same_as_previous_prefix": counts.get("same_as_previous_prefix", 0),
            "cached_from": dates}


def main():
    ap = argparse.ArgumentParser()
    for opt in ("checks", "durations", "results", "base-version", "base-sha256",
                "base-commit", "head-commit", "series-sha256", "patches",
                "checkpatch", "matrix", "gates", "kunit-dir", "ran", "mode",
                "use-cache"):
        ap.add_argument("--" + opt, default="")
    a = ap.parse_args()

    checks = read_checks(a.checks)
    durations = read_durations(a.durations)

    kunit = {}
    if os.path.isdir(a.kunit_dir):
        for fn in sorted(os.listdir(a.kunit_dir)):
            if fn.endswith(".json"):
                kunit[fn[:-5]] = kunit_counts(os.path.join(a.kunit_dir, fn))

    cp = [int(x or 0) for x in (a.checkpatch.split(",") + ["0", "0", "0"])[:3]]
    gates = [int(x or 0) for x in (a.gates.split(",") + ["0"] * 4)[:4]]
    failures = [c for c in checks if c["status"] == "FAIL"]
    bisect_fail = [f"{c['check'][len('build-'):] if c['check'].startswith('build-') else c['check']}:{c['patch']}"
                   for c in failures if c["check"].startswith(("build-", "kunit-"))]

    n_pass = sum(1 for c in checks if c["status"] == "PASS")
    n_fail = len(failures)
    for k in kunit.values():
        n_pass += k["passed"]
        n_fail += k["failed"]

    summary = {
        "base": {"version": a.base_version, "tarball_sha256": a.base_sha256,
                 "commit": a.base_commit},
        "head_commit": a.head_commit,
        "series_sha256": a.series_sha256,
        "patches": int(a.patches or 0),
        "checkpatch": {"errors": cp[0], "warnings": cp[1], "checks": cp[2]},
        "bisect": {"configs": a.matrix.split(), "failures": bisect_fail},
        "kunit": kunit,
        "coccicheck": {"new_reports": gates[3]},
        "sparse": {"new_warnings": gates[1]},
        "w1": {"new_warnings": gates[0]},
        "kernel_doc": {"new_warnings": gates[2]},
        "checks": {"passed": n_pass, "failed": n_fail,
                   "failures": [f"{c['check']} [{c['patch']}]: {c['detail']}" for c in failures]},
        "durations_s": durations,
        "run": {"mode": a.mode, "checks": a.ran.split(), "result_cache": a.use_cache == "1",
                "verdicts": origin_counts(checks)},
    }
    scan = os.path.join(a.results, "cocci-scan.txt")
    if os.path.exists(scan):
        rules, cur = {}, None
        with open(scan) as f:
            for line in f:
                if line.startswith("# "):
                    cur = line[2:].strip()
                    rules[cur] = 0
                elif line.strip() and cur:
                    rules[cur] += 1
        summary["coccinelle_scan"] = rules
    fwd = os.path.join(a.results, "forward-check.json")
    if os.path.exists(fwd):
        with open(fwd) as f:
            summary["forward_check"] = json.load(f)

    def boot_summary(name, per_kernel, path=None, key=None):
        """The results/NAME/NAME.json (or PATH below results/) of a boot
        check as summary[KEY or NAME], each kernel of each setup reduced
        to ok, problems and what PER_KERNEL keeps."""
        path = os.path.join(a.results, path or os.path.join(name, name + ".json"))
        if not os.path.exists(path):
            return
        with open(path) as f:
            r = json.load(f)
        summary[key or name] = {
            "kernels": r["kernels"], "passed": r["passed"], "failed": r["failed"],
            "setups": {s: {k: dict(ok=v["ok"], problems=v["problems"], **per_kernel(v))
                           for k, v in kern.items()}
                       for s, kern in r["setups"].items()}}

    def irqs(v):
        return {"irqs": {d: [x["irqs_before"], x.get("irqs_after")]
                         for d, x in v["drivers"].items()}}

    boot_summary("regression", irqs)
    boot_summary("arm64-regression", irqs, "arm64-regression/regression.json", "arm64_regression")
    boot_summary("vfio", lambda v: {
        "noresize": v.get("noresize"), "cases": v["cases"], "vmm": v.get("vmm")})
    bench = os.path.join(a.results, "benchmark", "benchmark.json")
    if os.path.exists(bench):
        with open(bench) as f:
            summary["benchmark"] = json.load(f)

    vbench = os.path.join(a.results, "vfio-bench", "vfio-bench.json")
    if os.path.exists(vbench):
        with open(vbench) as f:
            summary["vfio_bench"] = json.load(f)

    agates = os.path.join(a.results, "arm64-gates")
    if os.path.exists(os.path.join(agates, "files.txt")):
        def count(name):
            path = os.path.join(agates, name)
            return sum(1 for x in open(path) if x.strip()) if os.path.exists(path) else None
        summary["arm64_gates"] = {
            "files": [x.strip() for x in open(os.path.join(agates, "files.txt")) if x.strip()],
            **{g: {"new": count(f"{g}.new.log"), "base": count(f"{g}.base.log"),
                   "series": count(f"{g}.series.log")} for g in ("w1", "sparse")}}

    abench = os.path.join(a.results, "arm64-benchmark", "benchmark.json")
    if os.path.exists(abench):
        with open(abench) as f:
            summary["arm64_benchmark"] = json.load(f)

    rel = os.path.join(a.results, "reliability.json")
    if os.path.exists(rel):
        with open(rel) as f:
            summary["reliability"] = json.load(f)

    kabi = os.path.join(a.results, "kabi", "kabi.json")
    if os.path.exists(kabi):
        with open(kabi) as f:
            k = json.load(f)
        summary["kabi"] = {
            "commits": k["commits"], "configuration": k["configuration"],
            "exports": {x: (len(v) if isinstance(v, list) else v) for x, v in k["exports"].items()},
            "structs": k["structs"],
            "abidiff": {x: v for x, v in k["abidiff"].items() if x != "types_with_size_change"}}

    with open(os.path.join(a.results, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")

    def growth_table(b):
        """The growth figures (P1, P2) of a benchmark's JSON as a table"""
        rows = ["| N | dynamic ms | re-enable ms | ratio | dynamic us/vec | bulk us/vec |",
                "|---|---|---|---|---|---|"]
        for n, e in sorted(b.get("p1_growth", {}).items(), key=lambda x: int(x[0])):
            p2 = b.get("p2_per_vector", {}).get(n, {})
            rows.append(f"| {n} | {e['dynamic']['median_ms']} | "
                        f"{e.get('reenable', {}).get('median_ms', '-')} | "
                        f"{e.get('ratio_reenable_over_dynamic', '-')} | "
                        f"{p2.get('dynamic_us_per_vector', '-')} | "
                        f"{p2.get('bulk_us_per_vector', '-')} |")
        return rows

    md = ["# msi-dyn validation", "",
          f"Base: Linux {a.base_version} (`{a.base_commit}`), series head `{a.head_commit}`, "
          f"{summary['patches']} patches, series sha256 `{a.series_sha256}`.", "",
          f"**{n_pass} passed, {n_fail} failed.**", ""]
    if failures:
        md += ["## Failures", ""] + [f"- {x}" for x in summary["checks"]["failures"]] + [""]
    v = summary["run"]["verdicts"]
    md += [f"Run: {a.mode} ({', '.join(a.ran.split())}); result cache "
           f"{'on' if a.use_cache == '1' else 'off (--no-cache)'}. Verdicts: {v['run']} reached "
           f"in this run, {v['cached']} replayed from the result cache"
           + (f" (made by runs from {v['cached_from'][0]} to {v['cached_from'][-1]})"
              if v["cached_from"] else "")
           + f", {v['same_as_previous_prefix']} the same as the prefix before (the patch "
           "changes no file that build reads).", ""]
    md += ["## Checks", "", "| status | check | patch | detail | origin |", "|---|---|---|---|---|"]
    for c in checks:
        md.append(f"| {c['status']} | {c['check']} | {c['patch']} | "
                  f"{c['detail'].replace('|', '/')} | {c['origin'].replace('|', '/')} |")
    md += ["", "## KUnit", ""]
    for name, k in kunit.items():
        md.append(f"- {name}: {k['passed']} passed, {k['failed']} failed, {k['skipped']} skipped")
        for s, v in k["suites"].items():
            md.append(f"  - {s}: {v['passed']} passed, {v['failed']} failed, {v['skipped']} skipped")
    md += ["", "## Durations (s)", ""] + [f"- {k}: {v}" for k, v in durations.items()]
    if "forward_check" in summary:
        fc = summary["forward_check"]
        md += ["", "## Forward check", "",
               f"Newest 6.1.y in the archive: {fc['newest_6_1_debian_version']}: "
               f"{fc['status']} ({fc['detail']})"]
    for key, title in (("regression", "Regression boots (base / series)"),
                       ("arm64_regression", "arm64 regression boots (`test-results/"
                        "arm64-regression/`, virt with a GICv3 ITS)")):
        if key not in summary:
            continue
        md += ["", f"## {title}", "",
               "| setup | kernel | ok | nvme | e1000e | virtio-pci | problems |",
               "|---|---|---|---|---|---|---|"]
        for s, kern in summary[key]["setups"].items():
            for k, v in kern.items():
                irq = ["{} -> {}".format(*v["irqs"][d]) if d in v["irqs"] else "-"
                       for d in ("nvme", "e1000e", "virtio-pci")]
                md.append(f"| {s} | {k} | {v['ok']} | " + " | ".join(irq) +
                          f" | {'; '.join(v['problems'])} |")
    if "arm64_gates" in summary:
        g = summary["arm64_gates"]
        md += ["", "## arm64 gates (`test-results/arm64-gates/`)", "",
               f"W=1 and sparse (C=2) on the {len(g['files'])} files the series touches that "
               "the arm64 boot kernel builds, base against series: "
               + ", ".join(f"{k}: {g[k]['new']} new ({g[k]['base']} on base, "
                           f"{g[k]['series']} with the series)" for k in ("w1", "sparse"))
               + ". Files: " + ", ".join(g["files"]) + "."]
    if "vfio" in summary:
        md += ["", "## VFIO boots (`test-results/vfio/`)", "",
               "| setup | kernel | ok | NORESIZE | kselftest pass/skip/fail | real VMM | problems |",
               "|---|---|---|---|---|---|---|"]
        for s, kern in summary["vfio"]["setups"].items():
            for k, v in kern.items():
                c = list(v["cases"].values())
                vmm = "-"
                if v.get("vmm") and v["vmm"].get("steps", {}).get("unmask_later"):
                    later = v["vmm"]["steps"]["unmask_later"]
                    vmm = (f"{later['host_vectors']} host vectors after entry 3, vector 0 "
                           + ("torn down" if v["vmm"].get("torn_down") else "kept"))
                md.append(f"| {s} | {k} | {v['ok']} | {v['noresize']} | "
                          f"{c.count('pass')}/{c.count('skip')}/{c.count('fail')} | {vmm} | "
                          f"{'; '.join(v['problems'])} |")
    if "benchmark" in summary:
        b = summary["benchmark"]
        md += ["", "## Benchmark (`test-results/benchmark/`, plot.png)", "", b["setup"], ""]
        for fig, h in sorted(b.get("headline", {}).items()):
            md.append(f"- {fig.upper()} ({h['clock']}): {h['what']}: {h['value']} "
                      f"(target {h['target']}: {'met' if h['met'] else 'missed'})")
        md += [""] + growth_table(b)
    if "arm64_benchmark" in summary:
        b = summary["arm64_benchmark"]
        md += ["", "## arm64 growth benchmark (`test-results/arm64-benchmark/`, "
               "scripts/arm64-boot --bench)", "", b["setup"], ""] + growth_table(b)
    if "vfio_bench" in summary:
        b = summary["vfio_bench"]
        md += ["", "## VFIO benchmark (`test-results/vfio-bench/`, plot.png)", "", b["setup"], ""]
        md += [f"- {line}" for line in b.get("lines", [])]
        md += ["", "| N live | series: add one (us) | base: re-enable with N + 1 (ms) | ratio | "
               "torn down: series / base |", "|---|---|---|---|---|"]
        for n, d in sorted(b.get("dynamic", {}).items(), key=lambda x: int(x[0])):
            r = b.get("reenable", {}).get(n, {})
            md.append(f"| {n} | {d['median_us']} | "
                      f"{round(r['median_us'] / 1000, 2) if r else '-'} | "
                      f"{b.get('ratio_base_reenable_over_series_dynamic', {}).get(n, '-')} | "
                      f"{d['torn_down']} / {r.get('torn_down', '-')} |")
    if "reliability" in summary:
        r = summary["reliability"]
        md += ["", "## Reliability (`test-results/reliability.json`, scripts/reliability)", "",
               f"Series `{r['kernels'].get('series', '?')[:12]}` against base "
               f"`{r['kernels'].get('base', '?')[:12]}`: {r['passed']} boots' verdicts passed, "
               f"{r['failed']} failed. Fault points per entry point (current->fail_nth with "
               "failslab and fail_page_alloc): faults that failed the call / points reached / "
               "faults the call absorbed.", "",
               "| setup | kernel | entry point | failed | points | absorbed |",
               "|---|---|---|---|---|---|"]
        for s_, kerns in r["setups"].items():
            for k_, v in kerns.items():
                for ep, f in v.get("points", {}).items():
                    md.append(f"| {s_} | {k_} | {ep} | {f['failed']} | {f['points']} | "
                              f"{f['absorbed']} |")
        md += ["", "| setup | kernel | ok | kmemleak: series code / other | problems |",
               "|---|---|---|---|---|"]
        for s_, kerns in r["setups"].items():
            for k_, v in kerns.items():
                ml = v.get("kmemleak", [])
                ours = sum(1 for o in ml if o["series"])
                md.append(f"| {s_} | {k_} | {v.get('ok')} | "
                          f"{ours if k_ == 'series' else '-'} / "
                          f"{len(ml) - ours if k_ == 'series' else len(ml)} | "
                          f"{'; '.join(v.get('problems', []))} |")
        bad = r["setups"].get("none", {}).get("series", {}).get("bad_input", [])
        if bad:
            md += ["", f"Bad input ({len(bad)} invalid calls, series, no IOMMU; each one also "
                   "left the state as it was):", "", "| # | call | documented | result |",
                   "|---|---|---|---|"]
            md += [f"| {b['n']} | `{b['call']}` | {b['expected']} | {b['result']} |" for b in bad]
        oops = os.path.join(a.results, "reliability-base-oops", "summary.txt")
        if os.path.exists(oops):
            md += ["", "6.1's own oops that the sweep's pins keep away, shown on the base "
                   "without them (`scripts/reliability --base-oops`, not run by the "
                   "validation): " + open(oops).read().strip()]
        md += ["", "Series, per setup: concurrent stress (10 s: allocations, affinity moves, "
               "/proc/interrupts and msi_irqs/ reads, auxiliary child bind cycles, errors), "
               "CPU hotplug, suspend and resume (pm_test platform), hot-unplug over QMP:", "",
               "| setup | stress allocs / moves / reads / binds / errors | CPU hotplug | "
               "suspend/resume | hot-unplug |", "|---|---|---|---|---|"]
        for s_, kerns in r["setups"].items():
            v = kerns.get("series", {})
            st = v.get("stress", {})
            c = v.get("cases", {})
            cpu = "/".join(c.get(x, "-") for x in ("cpu_offline_unmanaged", "cpu_offline_managed"))
            pm = "/".join(c.get(x, "-") for x in ("pm_hold", "pm_table_wiped", "pm_table_restored",
                                                  "pm_delivered", "pm_given_back"))
            h = r.get("hotplug", {}).get(s_, {}).get("series", {})
            md.append(f"| {s_} | {st.get('allocs', '-')} / {st.get('moves', '-')} / "
                      f"{st.get('reads', '-')} / {st.get('binds', '-')} / {st.get('errors', '-')} | "
                      f"{cpu} | {pm} | {'pass' if h.get('ok') else '; '.join(h.get('problems', ['-']))} |")
    if "kabi" in summary:
        k = summary["kabi"]
        e = k["exports"]
        md += ["", "## Kernel ABI (`test-results/kabi/`, scripts/kabi; information, not a gate)", "",
               f"{k['configuration']}; series `{k['commits'].get('series', '?')[:12]}`.", "",
               f"- exported symbols: base {e['base']}, series {e['series']}: {e['added']} added, "
               f"{e['removed']} removed, {e['crc_changed']} with a changed CRC, "
               f"{e['unchanged']} unchanged", "",
               "| struct | base bytes | series bytes | layout |", "|---|---|---|---|"]
        for n, s in sorted(k["structs"].items()):
            state = "new" if s["new"] else "changed" if s["layout_changed"] else "same"
            md.append(f"| {n} | {s['base_size'] if s['base_size'] is not None else '-'} | "
                      f"{s['series_size'] if s['series_size'] is not None else '-'} | {state} |")
    with open(os.path.join(a.results, "summary.md"), "w") as f:
        f.write("\n".join(md) + "\n")

    for c in failures:
        print(f"FAIL {c['check']} [{c['patch']}]: {c['detail']}")
    print(f"{n_pass} passed, {n_fail} failed")
    return 1 if n_fail else 0


if __name__ == "__main__":
    sys.exit(main())
