#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge the regression boots of scripts/regression-boot and
scripts/arm64-boot.

Usage: regression-report.py OUTDIR base=<commit> series=<commit>

OUTDIR holds one log per kernel and setup, <kernel>-<setup>.log, written
by the guest's init program (scripts/guest/regression-init).  A setup
passes when both kernels probed nvme, e1000e and virtio-pci with MSI-X
vectors whose interrupt counts rose, pinged over both NICs, wrote and
read back the nvme namespace, finished the init program and logged no
BUG, WARNING or panic; the series must also have loaded, used and
unloaded the auxiliary bus sample pair.  A failing base boot fails the
setup too: the setup itself is broken then.

Prints one PASS/FAIL line per setup and writes OUTDIR/regression.json.
"""
import json, os, re, sys

out = sys.argv[1]
heads = dict(a.split("=", 1) for a in sys.argv[2:])
setups = sorted({f.split("-", 1)[1][:-4] for f in os.listdir(out) if f.endswith(".log")})
DRIVERS = ("nvme", "e1000e", "virtio-pci")


def judge(kernel, path):
    text = open(path, errors="replace").read()
    r = {"drivers": {}, "ping": {}, "nvme_write_read": False, "problems": []}
    for m in re.finditer(r"^REGRESS: dev (\S+) driver=(\S+) msix=(\d+) irqs=(\d+)$", text, re.M):
        r["drivers"][m[2]] = {"device": m[1], "msix_vectors": int(m[3]), "irqs_before": int(m[4])}
    for m in re.finditer(r"^REGRESS: irq (\S+) driver=(\S+) irqs=(\d+)$", text, re.M):
        if m[2] in r["drivers"]:
            r["drivers"][m[2]]["irqs_after"] = int(m[3])
    for m in re.finditer(r"^REGRESS: ping (\S+) (ok|failed)$", text, re.M):
        r["ping"][m[1]] = m[2] == "ok"
    r["nvme_write_read"] = "REGRESS: nvme write read ok" in text
    p = r["problems"]
    for d in DRIVERS:
        s = r["drivers"].get(d)
        if s is None:
            p.append(f"{d} did not probe")
        elif s["msix_vectors"] == 0:
            p.append(f"{d} has no MSI-X vectors")
        elif s.get("irqs_after", 0) <= s["irqs_before"]:
            p.append(f"{d} got no interrupts ({s['irqs_before']} -> {s.get('irqs_after')})")
    for nic in ("e1000e", "virtio_net"):
        if not r["ping"].get(nic):
            p.append(f"ping over {nic} failed")
    if not r["nvme_write_read"]:
        p.append("nvme write/read failed")
    if kernel == "series":
        aux = [
            r"^REGRESS-AUX: parent \S+ msi_irqs=1$",
            r"^REGRESS-AUX: aux_msix_parent\.vec\.0 driver=aux_msix_child msi_irqs=2$",
            r"^REGRESS-AUX: aux_msix_parent\.vec\.1 driver=aux_msix_child msi_irqs=2$",
            r"^REGRESS-AUX: after rmmod of the child driver aux_msix_parent\.vec\.0 msi_irqs=0$",
            r"^REGRESS-AUX: after rmmod of the child driver aux_msix_parent\.vec\.1 msi_irqs=0$",
            r"^REGRESS-AUX: after rmmod of the parent driver auxiliary devices=0 irqs=0$",
        ]
        r["auxiliary_sample"] = all(re.search(a, text, re.M) for a in aux)
        if not r["auxiliary_sample"]:
            p.append("auxiliary sample pair did not load, own and release its vectors")
    if "REGRESS: end" not in text:
        p.append("the init program did not finish")
    splat = re.search(r"^.*(BUG:|WARNING:|Kernel panic).*$", text, re.M)
    if splat:
        p.append("splat: " + splat[0].strip())
    r["ok"] = not p
    return r


res, npass, nfail = {"kernels": heads, "setups": {}}, 0, 0
for s in setups:
    k = {kern: judge(kern, os.path.join(out, f"{kern}-{s}.log")) for kern in ("base", "series")}
    res["setups"][s] = k
    counts = ", ".join(
        f"{d} {k['base']['drivers'].get(d, {}).get('irqs_after', '-')}/"
        f"{k['series']['drivers'].get(d, {}).get('irqs_after', '-')}" for d in DRIVERS)
    if not k["base"]["ok"]:
        print(f"FAIL regression-{s}: the reference boot of the base failed: "
              + "; ".join(k["base"]["problems"]))
        nfail += 1
    elif not k["series"]["ok"]:
        print(f"FAIL regression-{s}: " + "; ".join(k["series"]["problems"]))
        nfail += 1
    else:
        print(f"PASS regression-{s}: nvme, e1000e and virtio-net on MSI-X with rising "
              f"interrupt counts (base/series: {counts}), ping over both NICs, nvme "
              f"write and read back, auxiliary sample pair on the series")
        npass += 1
res["passed"], res["failed"] = npass, nfail
with open(os.path.join(out, "regression.json"), "w") as f:
    json.dump(res, f, indent=2, sort_keys=True)
    f.write("\n")
