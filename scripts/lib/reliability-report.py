#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge the boot logs of scripts/reliability.

Usage: reliability-report.py OUTDIR JSON series=<commit> base=<commit>

Reads OUTDIR/{base,series}-<setup>.log, writes JSON (the figures: per
setup and kernel the KUnit cases of msi_fault with their fault points,
the interrupts and CPU vectors before and after the suite, kmemleak's
unreferenced objects, the kernel reports) and prints one PASS/FAIL line
per setup, and INFO lines for what the base has too.

A kmemleak object is the series' when a function of its backtrace is one
the series adds or changes in the allocation paths (SERIES_FUNCS, or a
name with one of SERIES_PREFIXES); any other object is listed as the
kernel's, seen on the kernel it was found on.
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from splat import reports  # noqa: E402

SETUPS = ("none", "intel-ir", "amd-ir")
CASES = {
    "base": ("state_is_readable", "msix_enable_sweep"),
    "series": ("state_is_readable", "msix_enable_sweep", "alloc_at_sweep", "alloc_at_managed_sweep", "range_sweep",
               "aux_provide_sweep", "aux_create_sweep", "aux_alloc_sweep", "aux_range_sweep",
               "bad_input_table", "cpu_offline_unmanaged", "cpu_offline_managed",
               "concurrent_stress", "pm_hold", "pm_table_wiped", "pm_table_restored",
               "pm_delivered", "pm_given_back"),
}
SERIES_PREFIXES = ("msi_", "__msi_", "pci_msix_", "pci_msi_", "msix_", "__pci_enable_msix",
                   "auxiliary_device_create_msi", "auxiliary_device_msi", "aux_", "pci_alloc_irq",
                   "__pci_alloc_irq")
SERIES_FUNCS = ("pci_msix_provide_aux_parent",)

CASE = re.compile(r"^\s*(ok|not ok) \d+ (?:- )?(\w+)(?: # SKIP ?(.*))?$", re.M)
BAD = re.compile(r"# \w+: msi_fault: bad (\S+) \| (.*?) \| (.*?) \| (.*)$", re.M)
EXPECT_WARN = re.compile(r"# \w+: msi_fault: expect-warn (\w+)$", re.M)
VFAULT = re.compile(r"^VFAULT: (\w+) points=(\d+) failed=(\d+) absorbed=(\d+)$", re.M)
VFIO_SETUPS = ("none", "intel-ir")
VFIO_ENTRIES = {"base": ("vfio_msix_enable",),
                "series": ("vfio_msix_enable", "vfio_msix_add_vector")}
STRESS = re.compile(r"# \w+: msi_stress: allocs=(\d+) frees=(\d+) moves=(\d+) reads=(\d+) "
                    r"binds=(\d+) errors=(\d+)$", re.M)
PINS = re.compile(r"msi_fault: (\d+) interrupt numbers pinned below (\d+)$", re.M)
POINTS = re.compile(r"# (\w+): msi_fault: (\S+) points=(\d+) failed=(\d+) absorbed=(\d+)", re.M)
# What happened at each fault point n, the n-th character: F failed, . absorbed
MAP = re.compile(r"(?:# \w+: msi_fault|^VFAULT): (\S+) map=([F.]*)$", re.M)


def kmemleak(text):
    """The unreferenced objects kmemleak listed: size, backtrace, whose"""
    objs, cur = [], None
    for line in text.splitlines():
        m = re.match(r"RELI-KMEMLEAK: (.*)$", line)
        if not m:
            continue
        body = m[1]
        o = re.match(r"unreferenced object 0x[0-9a-f]+ \(size (\d+)\)", body)
        if o:
            cur = {"size": int(o[1]), "backtrace": []}
            objs.append(cur)
            continue
        # The address is hashed or hidden ("(____ptrval____)"): the name counts
        f = re.match(r"\s+\[<[^>]*>\] ([\w.]+)\+", body)
        if f and cur is not None:
            cur["backtrace"].append(f[1])
    for o in objs:
        o["series"] = any(fn.startswith(SERIES_PREFIXES) or fn in SERIES_FUNCS
                          for fn in o["backtrace"])
    return objs


def judge(kernel, setup, path):
    r = {"cases": {}, "problems": [], "points": {}, "kmemleak": [], "reports": []}
    p = r["problems"]
    if not os.path.exists(path):
        p.append("no boot log")
        return r
    text = open(path, errors="replace").read()
    for m in CASE.finditer(text):
        if m[2] in CASES["series"]:
            r["cases"][m[2]] = "skip" if m[3] is not None else ("pass" if m[1] == "ok" else "fail")
    for m in POINTS.finditer(text):
        r["points"][m[2]] = {"case": m[1], "points": int(m[3]), "failed": int(m[4]),
                             "absorbed": int(m[5])}
    m = STRESS.search(text)
    if m:
        r["stress"] = dict(zip(("allocs", "frees", "moves", "reads", "binds", "errors"),
                               map(int, m.groups())))
    m = PINS.search(text)
    if m:
        r["pinned_irqs"] = {"pins": int(m[1]), "below": int(m[2])}
    # vfio-pci's path, swept from user space (scripts/guest/vfio_fault.c)
    if setup in VFIO_SETUPS:
        for m in VFAULT.finditer(text):
            r["points"][m[1]] = {"case": "vfio_fault", "points": int(m[2]),
                                 "failed": int(m[3]), "absorbed": int(m[4])}
        for m in re.finditer(r"^VFAULT: (\w+) kept=(\d+)$", text, re.M):
            if m[1] in r["points"]:
                r["points"][m[1]]["kept"] = int(m[2])
        for e in VFIO_ENTRIES[kernel]:
            if e not in r["points"]:
                p.append(f"vfio_fault: {e} was not swept")
        p += ["vfio_fault: " + x for x in re.findall(r"^VFAULT: (problem .*)$", text, re.M)]
        if not re.search(r"^RELI: vfio_fault exit 0$", text, re.M):
            p.append("vfio_fault did not finish cleanly")
        if not re.search(r"^RELI: vfio irqs left 0$", text, re.M):
            p.append("vfio interrupts left after vfio_fault")
    # The map of each sweep adds up to its figures
    for m in MAP.finditer(text):
        if m[1] in r["points"]:
            r["points"][m[1]]["map"] = m[2]
    for e, v in r["points"].items():
        mp = v.get("map")
        if mp is None:
            p.append(f"{e}: no map of the fault points")
        elif (len(mp), mp.count("F"), mp.count(".")) != (v["points"], v["failed"], v["absorbed"]):
            p.append(f"{e}: the map ({len(mp)} points, {mp.count('F')} failed) does not add up "
                     f"to {v['points']} points, {v['failed']} failed")
    for c in CASES[kernel]:
        if r["cases"].get(c) != "pass":
            p.append(f"{c}: {r['cases'].get(c, 'did not run')}")
    # The init program's readings before the module was loaded and after
    # it was unloaded
    for key, what in (("irqs", "irqs"), ("vectors_allocated", "vector {} Total allocated:"),
                      ("vectors_reserved", "vector {} Global reserved:")):
        got = []
        for when in ("before", "after"):
            label = what.format(when) if "{}" in what else f"{what} {when}"
            m = re.search(r"^RELI: " + re.escape(label) + r"\s+(\d+)$", text, re.M)
            got.append(int(m[1]) if m else None)
        r[key] = got
        if None in got or got[0] != got[1]:
            p.append(f"{key}: {got[0]} before the suite, {got[1]} after")
    if not re.search(r"^RELI: failslab ignore-gfp-wait=N fail_page_alloc ignore-gfp-wait=N "
                     r"min-order=0$", text, re.M):
        p.append("the fault injection knobs were not set")
    r["kmemleak"] = kmemleak(text)
    ours = [o for o in r["kmemleak"] if o["series"]]
    if not re.search(r"^RELI: kmemleak \d+$", text, re.M):
        p.append("kmemleak did not scan")
    # On the base, the same code is 6.1's own: listed, not judged
    if ours and kernel == "series":
        p.append(f"kmemleak: {len(ours)} unreferenced objects from the series' code, e.g. "
                 + " <- ".join(ours[0]["backtrace"][:6]))
    if "RELI: end" not in text:
        p.append("the init program did not finish")
    r["bad_input"] = [{"n": m[1], "call": m[2], "expected": m[3], "result": m[4]}
                      for m in BAD.finditer(text)]
    # A documented WARN_ON_ONCE() the suite announced is not a report
    warn_ok = set(EXPECT_WARN.findall(text))
    r["expected_warnings"] = sorted(warn_ok)
    r["reports"] = [x for x in reports(text)
                    if not (x.startswith("WARNING:") and (w := re.search(r" (\w+)#$", x))
                            and w[1] in warn_ok)]
    return r


HOTPLUG_STEPS = {
    "base": ("RELI: unplugged 0", "RELI: plugged back 0", "RELI: bound again msi_fault_nic"),
    "series": ("RELI: insmod msi_pm 0", "RELI: unplugged 0", "RELI: plugged back 0",
               "RELI: bound again msi_fault_nic", "RELI: insmod msi_pm again 0"),
}


def judge_hotplug(kernel, path, qmp_path):
    """A hot-unplug boot of KERNEL"""
    r = {"problems": [], "kmemleak": [], "reports": [], "qmp": []}
    p = r["problems"]
    if not os.path.exists(path):
        p.append("no boot log")
        return r
    text = open(path, errors="replace").read()
    if os.path.exists(qmp_path):
        r["qmp"] = open(qmp_path).read().splitlines()
    if not any("DEVICE_DELETED" in x for x in r["qmp"]):
        p.append("QEMU did not remove the device: " + "; ".join(r["qmp"][-1:]))
    for step in HOTPLUG_STEPS[kernel]:
        if not re.search("^" + re.escape(step) + "$", text, re.M):
            p.append(f"no '{step}'")
    runs = [m[1] for m in CASE.finditer(text) if m[2] == "pm_hold"]
    r["pm_hold"] = runs
    if kernel == "series" and runs != ["ok", "ok"]:
        p.append(f"pm_hold before the unplug and after the plug back: {runs}")
    for key, label in (("irqs", "irqs"), ("vectors_allocated", "vector {} Total allocated:")):
        got = []
        for when in ("before", "after"):
            lab = label.format(when) if "{}" in label else f"{label} {when}"
            m = re.search(r"^RELI: " + re.escape(lab) + r"\s+(\d+)$", text, re.M)
            got.append(int(m[1]) if m else None)
        r[key] = got
        if None in got or got[0] != got[1]:
            p.append(f"{key}: {got[0]} before, {got[1]} after")
    r["kmemleak"] = kmemleak(text)
    ours = [o for o in r["kmemleak"] if o["series"]]
    if ours and kernel == "series":
        p.append(f"kmemleak: {len(ours)} unreferenced objects from the series' code, e.g. "
                 + " <- ".join(ours[0]["backtrace"][:6]))
    if "RELI: end" not in text:
        p.append("the init program did not finish")
    r["reports"] = reports(text)
    return r


def main():
    out, jpath = sys.argv[1], sys.argv[2]
    heads = dict(a.split("=", 1) for a in sys.argv[3:])
    res = {"kernels": heads, "setups": {}}
    npass = nfail = 0
    for s in SETUPS:
        k = {kern: judge(kern, s, os.path.join(out, f"{kern}-{s}.log")) for kern in ("base", "series")}
        res["setups"][s] = k
        base, ser = k["base"], k["series"]
        for o in base["kmemleak"]:
            print(f"INFO reliability-{s}: the base leaks too: {o['size']} bytes from "
                  + " <- ".join(o["backtrace"][:6]))
        shared = [x for x in ser["reports"] if x in base["reports"]]
        for x in shared:
            print(f"INFO reliability-{s}: also on the base: {x}")
        ser["problems"] += [f"report: {x}" for x in ser["reports"] if x not in base["reports"]]
        others = [o for o in ser["kmemleak"] if not o["series"]]
        ser["ok"] = not ser["problems"]
        base["ok"] = not base["problems"]
        if not base["ok"]:
            print(f"FAIL reliability-{s}: the reference boot of the base: "
                  + "; ".join(base["problems"]))
            nfail += 1
        elif not ser["ok"]:
            print(f"FAIL reliability-{s}: " + "; ".join(ser["problems"]))
            nfail += 1
        else:
            pts = ", ".join(f"{n} {v['failed']}/{v['points']}" for n, v in ser["points"].items())
            print(f"PASS reliability-{s}: {len(ser['points'])} entry points swept with fail_nth "
                  f"(faults that failed the call / fault points: {pts}); at every fault a "
                  f"negative errno, state back to before, the next call succeeded; interrupts "
                  f"and CPU vectors back after the suite; kmemleak: none from the series "
                  f"({len(others)} other objects, {len(base['kmemleak'])} on the base)")
            npass += 1
    # Hot-unplug: the base is the reference for what 6.1's hotplug
    # reports itself
    res["hotplug"] = {}
    for s in SETUPS:
        k = {kern: judge_hotplug(kern, os.path.join(out, f"{kern}-hotplug-{s}.log"),
                                 os.path.join(out, f"{kern}-hotplug-{s}.qmp"))
             for kern in ("base", "series")}
        base, ser = k["base"], k["series"]
        for x in [x for x in ser["reports"] if x in base["reports"]]:
            print(f"INFO reliability-hotplug-{s}: also on the base: {x}")
        ser["problems"] += [f"report: {x}" for x in ser["reports"] if x not in base["reports"]]
        base["ok"], ser["ok"] = not base["problems"], not ser["problems"]
        res["hotplug"][s] = k
        if not base["ok"]:
            print(f"FAIL reliability-hotplug-{s}: the reference boot of the base: "
                  + "; ".join(base["problems"]))
            nfail += 1
        elif not ser["ok"]:
            print(f"FAIL reliability-hotplug-{s}: " + "; ".join(ser["problems"]))
            nfail += 1
        else:
            print(f"PASS reliability-hotplug-{s}: the e1000e removed over QMP (pciehp) with "
                  f"a dynamic vector and an auxiliary child's two requested, and plugged back: "
                  f"no report the base's hot-unplug does not have, interrupts and CPU vectors "
                  f"back, kmemleak: none from the series, the vectors held again on the new "
                  f"device")
            npass += 1
    res["passed"], res["failed"] = npass, nfail
    with open(jpath, "w") as f:
        json.dump(res, f, indent=2, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
