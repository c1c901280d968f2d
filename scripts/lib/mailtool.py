#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Text assembly for the msi-dyn mails: routing, cover letter, mbox.

Only scripts/lib/mail-lib.sh calls this.  It never runs git: the shell side
prepares every input from the tree (with the project's git settings), so
that this file deals with text only and its output depends on its inputs
and nothing else (no clock, no locale, no randomness).

  routing  run get_maintainer.pl per patch in an extract of the tree and
           write the routing as JSON and as the generated section of
           MAINTAINERS-notes
  cover    write patches/0000-cover-letter.patch
  mbox     write the numbered mails of one version, threaded, addressed,
           and with --sender signed off by who sends them
  shortlog git shortlog's layout, without its .mailmap lookup
  splice   put a generated section between the markers of a file
"""

import argparse
import email.utils
import fnmatch
import json
import os
import re
import subprocess
import sys
import textwrap
from string import Template

MARK_BEGIN = "# BEGIN GENERATED ROUTING (scripts/mail routing; do not edit by hand)"
MARK_END = "# END GENERATED ROUTING"
WIDTH = 72


def patch_key(name):
    """Patch file name without its number: how 'series' comments and
    MAINTAINERS-notes name a patch across renumbering."""
    return re.sub(r"^(v\d+-)?\d{4}-", "", name)


def read_headers(path):
    """The mail header block of a format-patch file, unfolded, and the rest."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    fromline = lines[0] if lines and lines[0].startswith("From ") else None
    hdrs = []
    for line in lines[1 if fromline else 0:]:
        if line[:1] in (" ", "\t") and hdrs:
            hdrs[-1][1] += " " + line.strip()
        else:
            name, _, value = line.partition(":")
            hdrs.append([name, value.strip()])
    return fromline, hdrs, body


def header(hdrs, name):
    for n, v in hdrs:
        if n.lower() == name.lower():
            return v
    return None


def subject_of(path):
    subj = header(read_headers(path)[1], "Subject") or ""
    return re.sub(r"^\[[^]]*\]\s*", "", subj)


def fold_addresses(name, addrs):
    """'To: a, b' folded like git format-patch folds --to/--cc lists."""
    if not addrs:
        return []
    out = ["%s: %s" % (name, addrs[0])]
    for a in addrs[1:]:
        out[-1] += ","
        out.append("    " + a)
    return out


def fold_header(line):
    """Fold a long header line at spaces, as git format-patch does."""
    return textwrap.fill(line, 78, subsequent_indent=" ", break_long_words=False,
                         break_on_hyphens=False)


# --- routing ------------------------------------------------------------------

def load_rules(path):
    """kernel-config/routing: PATTERN KEY VALUE lines."""
    rules = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = line.split(None, 2)
            if len(parts) < 3:
                sys.exit("%s:%d: expected PATTERN KEY VALUE" % (path, n))
            if parts[1] not in ("section", "to", "cc-file", "cc", "note"):
                sys.exit("%s:%d: unknown key %s" % (path, n, parts[1]))
            rules.append((parts[0], parts[1], parts[2].strip()))
    return rules


def get_maintainer(extract, args):
    """get_maintainer.pl of the tree, run in an extract of it: no git history
    is used (the tree's single base commit would name us), no user config."""
    cmd = ["perl", "scripts/get_maintainer.pl", "--no-tree", "--no-git",
           "--no-git-fallback"] + args
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent-msi-dyn",
           "LC_ALL": "C"}
    r = subprocess.run(cmd, cwd=extract, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("get_maintainer.pl %s failed: %s" % (" ".join(args), r.stderr.strip()))
    return [l for l in r.stdout.split("\n") if l.strip()]


def split_role(line):
    """'Name <addr> (role:SECTION)' -> ('Name <addr>', 'role:SECTION')."""
    m = re.match(r"^(.*?)\s+\(([^()]*(?:\([^()]*\)[^()]*)*)\)$", line)
    return (m.group(1), m.group(2)) if m else (line, "")


def is_list(role):
    """get_maintainer.pl's mailing lists ('open list', 'moderated list:...')."""
    return "list" in role.split(":")[0]


def addr_of(entry):
    return email.utils.parseaddr(entry)[1].lower()


def cmd_routing(a):
    rules = load_rules(a.rules)
    patches = [l.strip() for l in open(a.series_list, encoding="utf-8") if l.strip()]
    out = {"patches": [], "to": [], "cc": []}
    seen_to, seen_cc, by_file = {}, {}, {}
    for p in patches:
        path = os.path.join(a.patch_dir, p)
        key = patch_key(p)
        mine = [(k, v) for pat, k, v in rules if fnmatch.fnmatchcase(key, pat)]
        lines = get_maintainer(a.extract, ["--scm", os.path.abspath(path)])
        trees = [l for l in lines if l.startswith(("git ", "quilt ", "hg "))]
        lines = [l for l in lines if l not in trees]
        # The people who maintain the touched files, for information; not
        # their lists (mainline development lists): the rules name the
        # lists, and the rules' "to" addresses are the audience.
        to, cc, seen = [], [], set()
        for k, v in mine:
            if k == "to" and addr_of(v) not in seen:
                seen.add(addr_of(v))
                to.append(v)
        extra = []
        for l in lines:
            who, role = split_role(l)
            if not is_list(role):
                extra.append(who)
        for k, v in mine:
            if k == "cc-file":
                if v not in by_file:
                    by_file[v] = [split_role(l)[0] for l in get_maintainer(a.extract, ["-f", v])
                                  if not is_list(split_role(l)[1])]
                extra += by_file[v]
            elif k == "cc":
                extra.append(v)
        for who in extra:
            if addr_of(who) not in seen:
                seen.add(addr_of(who))
                cc.append(who)
        last = lambda k: ([v for kk, v in mine if kk == k] or ["-"])[-1]
        out["patches"].append({
            "patch": p, "subject": subject_of(path),
            "section": last("section"),
            "notes": [v for k, v in mine if k == "note"],
            "maintainers": lines,
            "trees": trees,
            "to": to, "cc": cc,
        })
        for w in to:
            seen_to.setdefault(addr_of(w), w)
        for w in cc:
            seen_cc.setdefault(addr_of(w), w)
    # The cover letter goes to everybody a patch goes to.
    out["to"] = list(seen_to.values())
    out["cc"] = [w for k, w in seen_cc.items() if k not in seen_to]
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(a.notes, "w", encoding="utf-8") as f:
        f.write(render_routing(out, a))


def render_routing(r, a):
    w = []
    w.append(MARK_BEGIN)
    w.append("Routing per patch (generated)")
    w.append("-----------------------------")
    w.append(wrap("From the tree's scripts/get_maintainer.pl at %s, run on each patch "
                  "with --no-git, and kernel-config/routing (audience, extra Cc).  To: "
                  "the kernel teams of 6.1-based distributions; Cc: linux-pci (the "
                  "RFC), and the people who maintain the touched files upstream, for "
                  "information.  Nobody is asked for an Acked-by and no tree is asked "
                  "to merge the series.  The cover letter goes to all of them." % a.tag))
    section = None
    for p in r["patches"]:
        if p["section"] != section:
            section = p["section"]
            w.append("")
            w.append("== " + section)
        w.append("")
        w.append("%s %s" % (p["patch"][:4], p["subject"]))
        for n in p["notes"]:
            w.append(wrap(n, "          ", "    Note: "))
        for t in p["trees"]:
            w.append("    Upstream tree: " + (t[4:] if t.startswith("git ") else t))
        for x in fold_addresses("To", p["to"]) + fold_addresses("Cc", p["cc"]):
            w.append("    " + x)
        w.append("    get_maintainer.pl:")
        for l in p["maintainers"]:
            w.append("        " + l)
    w.append("")
    w.append("Cover letter")
    for x in fold_addresses("To", r["to"]) + fold_addresses("Cc", r["cc"]):
        w.append("    " + x)
    w.append(MARK_END)
    return "\n".join(w) + "\n"


def cmd_splice(a):
    """Replace the marked section of a.file by a.section (append if none)."""
    with open(a.file, encoding="utf-8") as f:
        text = f.read()
    with open(a.section, encoding="utf-8") as f:
        new = f.read()
    b, e = text.find(MARK_BEGIN), text.find(MARK_END)
    if b >= 0 and e > b:
        e += len(MARK_END) + 1
        text = text[:b] + new + text[e:]
    else:
        text = text.rstrip("\n") + "\n\n" + new
    sys.stdout.write(text)


# --- cover letter -------------------------------------------------------------

def wrap(text, indent="", first=None):
    return textwrap.fill(text, WIDTH, initial_indent=first if first is not None else indent,
                         subsequent_indent=indent, break_on_hyphens=False)


def bullet(text):
    return wrap(text, "  ", "- ")


def count_status(obj):
    """'3 passed, 0 failed' from a results object of unknown shape: a dict
    with passed/failed counts, or entries carrying a 'status'."""
    if isinstance(obj, dict) and isinstance(obj.get("passed"), int):
        return "%d passed, %d failed" % (obj["passed"], obj.get("failed", 0))
    entries = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, list) else []
    counts = {}
    for e in entries:
        st = e.get("status") if isinstance(e, dict) else e if isinstance(e, str) else None
        if isinstance(st, str):
            counts[st.lower()] = counts.get(st.lower(), 0) + 1
    return ", ".join("%d %s" % (counts[k], k) for k in sorted(counts)) or None


def testing_section(s, series_sha, npatches):
    """What scripts/validate proved, from test-results/summary.json."""
    out = []
    if not s:
        return "No validation results are recorded yet (test-results/summary.json)."
    head = s.get("head_commit", "?")
    out.append(wrap("scripts/validate of the msi-dyn repository checked the series at "
                    "%s; its record is test-results/summary.json there." % head[:12]))
    if s.get("series_sha256") != series_sha:
        out.append("")
        out.append(wrap("NOTE: these figures are from a validation of an earlier "
                        "state of the series (series sha256 %s..., now %s...); run "
                        "scripts/validate and regenerate this letter before sending."
                        % (str(s.get("series_sha256"))[:12], series_sha[:12])))
    out.append("")
    items = []
    items.append("apply: the %s patches apply with git am on the base, give back "
                 "the patch files byte for byte, and quilt gives the same tree."
                 % s.get("patches", npatches))
    cp = s.get("checkpatch", {})
    if cp:
        items.append("checkpatch.pl --strict: %d errors, %d warnings (each one an "
                     "-ENOTSUPP or -ENOSYS that mainline's pci_msix_alloc_irq_at() "
                     "contract prescribes), %d checks, each justified in "
                     "MAINTAINERS-notes." % (cp.get("errors", 0), cp.get("warnings", 0),
                                             cp.get("checks", 0)))
    b = s.get("bisect", {})
    if b.get("configs"):
        items.append("bisect: every prefix of the series builds in %d configurations "
                     "(%s); %d failures." % (len(b["configs"]), ", ".join(b["configs"]),
                                             len(b.get("failures", []))))
    k = s.get("kunit", {})
    if k:
        rows, suites = [], set()
        width = max(len(n) for n in k)
        for name in sorted(k):
            v = k[name]
            suites.update(v.get("suites", {}))
            rows.append("    %-*s %3d passed, %d failed, %d skipped" % (
                width, name, v.get("passed", 0), v.get("failed", 0), v.get("skipped", 0)))
        items.append("KUnit (suites %s) at every prefix, under UML and under QEMU "
                     "(x86_64, lockdep and KASAN; no IOMMU, VT-d and AMD-Vi interrupt "
                     "remapping), and from 0026 on under qemu-system-aarch64 (arm64 "
                     "virt with a GICv3 ITS, lockdep and KASAN); at the last prefix:\n%s"
                     % (", ".join(sorted(suites)), "\n".join(rows)))
    gates = [(s.get(g, {}).get(f), n) for g, f, n in (
        ("w1", "new_warnings", "W=1 warnings"), ("sparse", "new_warnings", "sparse warnings"),
        ("kernel_doc", "new_warnings", "kernel-doc warnings"),
        ("coccicheck", "new_reports", "coccicheck reports"))]
    gates = ["%d new %s" % (v, n) for v, n in gates if isinstance(v, int)]
    if gates:
        items.append("against the base, on the files the series touches: %s."
                     % ", ".join(gates))
    for key, where in (("regression", "in the three IOMMU setups of x86_64"),
                       ("arm64_regression", "on arm64's GICv3 ITS (QEMU virt)")):
        c = count_status(s.get(key))
        if c:
            items.append("regression boots (nvme, e1000e and virtio-net on the base "
                         "and on the series, %s): %s." % (where, c))
    ag = s.get("arm64_gates", {})
    if ag.get("files"):
        items.append("on arm64, against the base, in the %d touched files its boot kernel "
                     "builds (the ITS driver among them): %d new W=1 warnings, %d new "
                     "sparse warnings." % (len(ag["files"]), ag["w1"]["new"],
                                           ag["sparse"]["new"]))
    bench = s.get("benchmark", {})
    heads = bench.get("headline", {})
    if heads:
        # what each ratio compares, and on which clock (units: a ratio of
        # times on the wall clock, of guest instruction counts on QEMU's
        # instruction clock)
        meaning = {"p1": "wall clock, time to grow to 2048 vectors one at a time: "
                         "6.1's free-and-reallocate over pci_msix_alloc_irq_at()",
                   "p2": "wall clock, time per vector at N = 2048: dynamic over bulk "
                         "allocation",
                   "p3": "instruction count, median of the runs: bulk allocation and "
                         "free of 2048 vectors, series over base",
                   "p4": "instruction count, median of the runs: dynamic cost per "
                         "vector at N = 2048, series over mainline 6.12",
                   "p5": "instruction count: dynamic cost per vector when growing to "
                         "2048 over growing to 64"}
        p4 = bench.get("p4_dynamic_series_vs_mainline_instructions", {}).get("2048", {})
        parts = []
        for fig in sorted(heads):
            h = heads[fig]
            extra = ""
            if fig == "p4" and p4:
                extra = " (%s against %s thousand instructions per vector)" % (
                    p4.get("series_kinsn_per_vector"), p4.get("mainline_kinsn_per_vector"))
            parts.append("%s (%s): %s%s, target %s %s" % (
                fig.upper(), meaning.get(fig, fig), h["value"], extra, h["target"],
                "met" if h["met"] else "missed"))
        items.append("benchmark (QEMU TCG, nvme with 2048 MSI-X entries; "
                     "test-results/benchmark/): " + "; ".join(parts) + ".")
    ab = s.get("arm64_benchmark", {}).get("p1_growth", {}).get("2048", {})
    if ab.get("ratio_reenable_over_dynamic"):
        items.append("arm64 growth benchmark (QEMU TCG virt with a GICv3 ITS, the same nvme; "
                     "test-results/arm64-benchmark/): growing to 2048 vectors one at a time, "
                     "6.1's free-and-reallocate over pci_msix_alloc_irq_at(): %s (%s ms "
                     "against %s ms, wall clock)." % (
                         ab["ratio_reenable_over_dynamic"],
                         ab.get("reenable", {}).get("median_ms"),
                         ab.get("dynamic", {}).get("median_ms")))
    # The --full results, where they are of this head
    head = s.get("head_commit")
    c = count_status(s.get("vfio"))
    if c and s["vfio"].get("kernels", {}).get("series") == head:
        items.append("VFIO boots (QEMU's e1000e on vfio-pci, no IOMMU and VT-d, the "
                     "kselftest and a VMM's sequence, base and series): %s." % c)
    vb = s.get("vfio_bench", {})
    big = str(vb.get("largest_n", ""))
    if vb.get("commits", {}).get("series") == head and \
            big in vb.get("ratio_base_reenable_over_series_dynamic", {}):
        items.append("VFIO benchmark (test-results/vfio-bench/): one vector more with %s "
                     "live, 6.1's disable and re-enable over the series' addition: %s "
                     "(wall clock, target >= %s)." % (
                         big, vb["ratio_base_reenable_over_series_dynamic"][big],
                         vb.get("target", {}).get("ratio_at_largest_n", "-")))
    rel = s.get("reliability", {})
    if rel.get("kernels", {}).get("series") == head:
        ser = [k.get("series", {}) for k in rel.get("setups", {}).values()]
        ours = sum(1 for v in ser for o in v.get("kmemleak", []) if o.get("series"))
        points = max((len(v.get("points", {})) for v in ser), default=0)
        bad = max((len(v.get("bad_input", [])) for v in ser), default=0)
        items.append("reliability (test-results/reliability.json; KASAN, lockdep and "
                     "kmemleak, base and series in the three IOMMU setups): every "
                     "allocation of each entry point failed in turn with fail_nth (%d "
                     "entry points of the series, vfio-pci's where VFIO has a group), "
                     "%d invalid calls, CPU hotplug, concurrent "
                     "stress, suspend and resume, hot-unplug: %s; %d kmemleak objects "
                     "from the series' code." % (points, bad, count_status(rel), ours))
    fc = s.get("forward_check", {})
    if fc.get("status"):
        items.append("forward check (information): %s." % fc.get("detail", fc["status"]))
    for it in items:
        first, _, rest = it.partition("\n")
        out.append(bullet(first))
        if rest:
            out.append(rest)
    ch = s.get("checks", {})
    if ch:
        out.append("")
        out.append(wrap("In all %d checks and KUnit cases passed and %d failed."
                        % (ch.get("passed", 0), ch.get("failed", 0))))
    return "\n".join(out)


def mainline_paragraph(path):
    """The last paragraph of a patch's changelog that starts "Mainline:"."""
    body = read_headers(path)[2].partition("\n---\n")[0]
    paras = [p for p in re.split(r"\n\s*\n", body) if p.startswith("Mainline:")]
    return paras[-1] if paras else None


def provenance_section(a):
    """The cover letter's table patch -> mainline commits -> differences
    from kernel-config/provenance, checked against every patch's own
    "Mainline:" paragraph."""
    rows = {}
    for n, line in enumerate(open(a.provenance, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        if len(f) != 3:
            sys.exit("%s:%d: expected KEY, MAINLINE and DIFFERS separated by tabs" % (a.provenance, n))
        rows[f[0]] = (f[1], f[2])
    patches = [l.strip() for l in open(a.series_list, encoding="utf-8") if l.strip()]
    problems = []
    w = ["%-3s %-21s %s" % ("#", "mainline (release)", "differences"),
         "%-3s %-21s %s" % ("--", "-" * 21, "-" * 46)]
    for num, p in enumerate(patches, 1):
        key = re.sub(r"\.patch$", "", patch_key(p))
        if key not in rows:
            problems.append("%s: no line in %s" % (p, a.provenance))
            continue
        ml, differs = rows[key]
        para = mainline_paragraph(os.path.join(a.patch_dir, p))
        if para is None:
            problems.append("%s: no \"Mainline:\" paragraph in its changelog" % p)
            continue
        ids = re.findall(r"\b[0-9a-f]{12}\b", ml)
        named = set(re.findall(r"\b[0-9a-f]{12}\b", para))
        if set(ids) != named:
            problems.append("%s: the table names %s, the changelog %s" % (
                p, " ".join(sorted(ids)) or "none", " ".join(sorted(named)) or "none"))
        if not ids and ml != "none":
            problems.append("%s: MAINLINE is neither commit IDs nor \"none\"" % p)
        left = [x.strip() for x in ml.split(", ")] if ids else ["none"]
        right = textwrap.wrap(differs, WIDTH - 26, break_on_hyphens=False)
        for i in range(max(len(left), len(right))):
            w.append(("%-3s %-21s %s" % ("%02d" % num if i == 0 else "",
                                          left[i] if i < len(left) else "",
                                          right[i] if i < len(right) else "")).rstrip())
    extra = set(rows) - {re.sub(r"\.patch$", "", patch_key(p)) for p in patches}
    problems += ["%s: a line for no patch of the series" % k for k in sorted(extra)]
    if problems:
        sys.exit("kernel-config/provenance does not match the patches:\n  " + "\n  ".join(problems))
    return "\n".join(w)


def kabi_section(path, settings):
    """What scripts/kabi found (test-results/kabi/kabi.json), for the
    people who gate kernel updates on the module ABI; says so when the
    report describes another tree than the series'."""
    if not path or not os.path.exists(path):
        return wrap("The kernel ABI comparison (scripts/kabi) has not been run for "
                    "this state of the series.")
    k = json.load(open(path, encoding="utf-8"))
    ex = k["exports"]
    out = []
    if settings.get("kabi_tree") != settings.get("series_tree"):
        out += [wrap("These figures are out of date: they were measured on an earlier "
                     "state of the series (%s), whose code differs from this one. "
                     "Run scripts/kabi again before relying on them." %
                     k["commits"].get("series", "?")[:12]), ""]
    out += [wrap("scripts/kabi built the base and the series at %s with the same "
                "distribution-like configuration (x86_64 defconfig plus the PCI/MSI, "
                "IOMMU, VFIO and auxiliary bus options of a distribution kernel, "
                "symbol versions on) and compared them; details in "
                "test-results/kabi/." % k["commits"].get("series", "?")[:12])]
    out.append("")
    out.append(bullet("exported symbols: %d in the base; %d added, %d removed, %d "
                      "with a changed symbol version (CRC), %d unchanged.  A module "
                      "built against 6.1.176 that uses one of the changed ones does "
                      "not load on the series (modversions) and must be rebuilt%s."
                      % (ex["base"], len(ex["added"]), len(ex["removed"]),
                         len(ex["crc_changed"]), ex["unchanged"],
                         ": among them is __pci_register_driver, so that is every PCI "
                         "driver module (struct device reaches struct msi_device_data)"
                         if "__pci_register_driver" in ex["crc_changed"] else "")))
    changed = [(n, s) for n, s in sorted(k["structs"].items())
               if s["layout_changed"] and not s["new"] and s["base_size"] is not None]
    same = [n for n, s in sorted(k["structs"].items())
            if not s["layout_changed"] and s["base_size"] is not None]
    new = [n for n, s in sorted(k["structs"].items()) if s["new"]]
    if changed:
        out.append(bullet("layouts that change: " + ", ".join(
            "struct %s (%s -> %s bytes)" % (n, s["base_size"], s["series_size"])
            for n, s in changed) + "."))
    if same:
        out.append(bullet("layouts that stay: " + ", ".join("struct " + n for n in same) + "."))
    if new:
        out.append(bullet("new structures: " + ", ".join("struct " + n for n in new) + "."))
    if changed:
        out.append("")
        out.append(wrap("So a kernel whose module ABI is frozen cannot take the series as "
                        "it is: Android GKI's KMI, or a distribution that keeps its kABI "
                        "for a release (its ABI check fails on the changed CRCs). It "
                        "would need the new per domain state kept outside the changed "
                        "structures (hung off reserved padding or a side table) and the "
                        "old symbol versions preserved for the changed signatures; the "
                        "series does not attempt that. Kernels that rebuild their "
                        "modules with every update (Debian 12 bumps its ABI name on such "
                        "changes, CIP, cloud and vendor trees) can take it."))
    return "\n".join(out)


def load_changes(path, version):
    """kernel-config/changes: 'vN:' lines, each followed by its entries."""
    vers, cur = {}, None
    if path and os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = re.match(r"^v(\d+):\s*$", line)
            if m:
                cur = vers.setdefault(int(m.group(1)), [])
            elif cur is not None:
                cur.append(line)
    return {v: e for v, e in vers.items() if v <= version}


# One header line of git range-diff: old number, old ID, mark, new number,
# new ID, subject
RANGE_DIFF_HEADER = re.compile(r"^\s*(\d+|-):\s+(\w+|-+)\s+([=!<>])\s+(\d+|-):\s+(\w+|-+)\s+(.*)$")


RANGE_DIFF_STATUS = {"=": "unchanged", "!": "changed", "<": "dropped", ">": "new"}


def range_diff_entries(text):
    """(old number, status mark, new number, subject) of each patch, from
    git range-diff's header lines; "-" where a patch has no number."""
    for line in text.split("\n"):
        m = RANGE_DIFF_HEADER.match(line)
        if m:
            yield m.group(1), m.group(3), m.group(4), m.group(6)


def range_diff_summary(text):
    """Per-patch status lines: the patches which changed, came, went or moved."""
    out = []
    for old, mark, new, subject in range_diff_entries(text):
        moved = "-" not in (old, new) and old != new
        if mark != "=" or moved:
            num = new if new != "-" else old
            st = RANGE_DIFF_STATUS[mark]
            if moved:
                st += ", was %s" % old.zfill(2)
            out.append("%s %s: %s" % (num.zfill(2), subject, st))
    return out


def range_diff_headers(text):
    """git range-diff's header lines only: one per pair of patches."""
    return [l for l in text.split("\n") if RANGE_DIFF_HEADER.match(l)]


def range_diff_blocks(text):
    """The range-diff of each changed patch, by its new number: its header
    line and the inner diff below it."""
    blocks, cur = {}, None
    for line in text.split("\n"):
        m = RANGE_DIFF_HEADER.match(line)
        if m:
            cur = None
            if m.group(3) == "!" and m.group(4) != "-":
                cur = blocks.setdefault(int(m.group(4)), [])
        if cur is not None:
            cur.append(line)
    return {k: "\n".join(v).rstrip("\n") for k, v in blocks.items()}


def cmd_range_diff_counts(a):
    marks = [mark for _, mark, _, _ in range_diff_entries(open(a.file, encoding="utf-8").read())]
    print(", ".join("%d %s" % (marks.count(k), v) for k, v in RANGE_DIFF_STATUS.items()))


def changes_section(a, version):
    if version < 2:
        return ""
    vers = load_changes(a.changes, version)
    w = []
    rd = open(a.range_diff, encoding="utf-8").read() if a.range_diff else ""
    for v in sorted(vers, reverse=True):
        w.append("Changes in v%d:" % v)
        for e in vers[v]:
            w.append(e)
        if v == version:
            summary = range_diff_summary(rd)
            if summary:
                w.append("- Patches against v%d (range-diff of each changed patch in its"
                         " mail, below its diffstat):" % (v - 1))
                w += ["    " + x for x in summary]
            elif rd:
                w.append("- No patch changed against v%d." % (v - 1))
        w.append("")
    return "\n".join(w).rstrip("\n")


def cmd_cover(a):
    settings = dict(kv.split("=", 1) for kv in a.set)
    version = int(settings["version"])
    npatches = int(settings["npatches"])
    summary = None
    if a.summary and os.path.exists(a.summary) and os.path.getsize(a.summary):
        summary = json.load(open(a.summary, encoding="utf-8"))
    routing = json.load(open(a.routing, encoding="utf-8"))
    prefix = settings["prefix"] + (" v%d" % version if version > 1 else "")
    width = len(str(npatches))
    settings["testing"] = testing_section(summary, settings["series_sha256"], npatches)
    settings["provenance"] = provenance_section(a)
    settings["kabi"] = kabi_section(a.kabi, settings)
    changes = changes_section(a, version)
    settings["changes"] = ("\n" + changes + "\n") if changes else ""
    body = Template(open(a.template, encoding="utf-8").read()).substitute(settings)
    body = re.sub(r"\n{3,}", "\n\n", body).strip("\n")

    w = ["From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001",
         "From: %s" % settings["from"],
         "Date: %s" % settings["date"],
         fold_header("Subject: [%s %s/%d] %s" % (prefix, "0" * width, npatches,
                                                 settings["subject"]))]
    w += fold_addresses("To", routing["to"]) + fold_addresses("Cc", routing["cc"])
    w += ["", body, ""]
    w.append(open(a.shortlog, encoding="utf-8").read().rstrip("\n"))
    w.append("")
    w.append(open(a.diffstat, encoding="utf-8").read().rstrip("\n"))
    w.append("")
    w.append("base-commit: %s" % settings["base_commit"])
    w.append("change-id: %s" % settings["change_id"])
    if version > 1 and a.range_diff:
        # One line per patch here; the inner diffs go with their patch
        # (cmd_mbox), which keeps every mail below vger's size limit.
        rd = open(a.range_diff, encoding="utf-8").read()
        w += ["", "Range-diff against v%d (each changed patch's own range-diff is in"
              " its mail):" % (version - 1)] + range_diff_headers(rd)
    sys.stdout.write("\n".join(w) + "\n")


def cmd_shortlog(a):
    """git shortlog -w72,2,4 from 'author<TAB>subject' lines, oldest first."""
    by = {}
    for line in open(a.authors, encoding="utf-8"):
        name, _, subj = line.rstrip("\n").partition("\t")
        by.setdefault(name, []).append(subj)
    w = []
    for name in sorted(by):
        w.append("%s (%d):" % (name, len(by[name])))
        w += [wrap(subj, "    ", "  ") for subj in by[name]]
        w.append("")
    sys.stdout.write("\n".join(w))


# --- mbox ---------------------------------------------------------------------

def add_sender(body, author, sender):
    """The body of a patch mail sent by SENDER: git's in-body From: line
    when the author is somebody else (git am keeps the author), and the
    sender's Signed-off-by: after the trailers of the commit message."""
    msg, sep, rest = body.partition("\n---\n")
    if not sep:
        sys.exit("a patch mail without its '---' line")
    lines = msg.rstrip("\n").split("\n")
    sob = "Signed-off-by: " + sender
    if lines[-1] != sob:
        lines.append(sob)
    msg = "\n".join(lines) + "\n"
    if addr_of(author) != addr_of(sender):
        msg = "From: %s\n\n%s" % (author, msg)
    return msg + sep + rest


def add_range_diff(body, text):
    """Put TEXT below the diffstat of a git format-patch body, before the
    first diff, where git am and b4 am ignore it."""
    i = body.find("\ndiff --git ")
    if i < 0:
        sys.exit("no diff in a patch mail: cannot place its range-diff")
    return body[:i + 1] + text + "\n" + body[i + 1:]


def cmd_mbox(a):
    """The mails of one version: the cover letter and the numbered patches
    (git format-patch output), with To:/Cc: per patch from the routing,
    and Message-Id, In-Reply-To and References derived from the change-id,
    so that the same tree gives the same mails."""
    routing = json.load(open(a.routing, encoding="utf-8"))
    files = sorted(f for f in os.listdir(a.patch_dir) if f.endswith(".patch"))
    if len(files) != len(routing["patches"]):
        sys.exit("%d patches but routing for %d: regenerate it (scripts/mail routing)"
                 % (len(files), len(routing["patches"])))
    msgid = lambda n: "<%s-v%d-%d@%s>" % (a.change_id, a.version, n, a.domain)
    os.makedirs(a.out_dir, exist_ok=True)
    vprefix = "v%d-" % a.version if a.version > 1 else ""
    # git format-patch numbers the files in series order, as the routing is.
    mails = [(vprefix + "0000-cover-letter.patch", a.cover, None)]
    mails += [(f, os.path.join(a.patch_dir, f), r) for f, r in zip(files, routing["patches"])]
    rdiff = {}
    if a.range_diff and a.version > 1:
        rdiff = range_diff_blocks(open(a.range_diff, encoding="utf-8").read())
    mbox = []
    for n, (name, path, r) in enumerate(mails):
        fromline, hdrs, body = read_headers(path)
        hdrs = [h for h in hdrs if h[0].lower() not in ("to", "cc", "message-id",
                                                        "in-reply-to", "references")]
        if r is not None:
            if subject_of(path) != r["subject"]:
                sys.exit("%s is not %s: regenerate the routing (scripts/mail routing)"
                         % (name, r["patch"]))
            to, cc = r["to"], r["cc"]
        else:
            to, cc = routing["to"], routing["cc"]
        if r is not None and n in rdiff:
            body = add_range_diff(body, "Range-diff against v%d:\n%s\n" % (a.version - 1, rdiff[n]))
        if a.sender:
            author = header(hdrs, "From")
            hdrs = [[h, a.sender if h.lower() == "from" else v] for h, v in hdrs]
            if r is not None:
                body = add_sender(body, author, a.sender)
        w = [fromline or "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"]
        # Unfolded: b4 0.12 on Python 3.11 cannot read a local mbox with a
        # folded Subject (as git format-patch writes it); a header line may
        # be 998 characters long.
        for h, v in hdrs:
            w.append("%s: %s" % (h, v))
        w.append("Message-Id: " + msgid(n))
        if n:
            w.append("In-Reply-To: " + msgid(0))
            w.append("References: " + msgid(0))
        w += fold_addresses("To", to) + fold_addresses("Cc", cc)
        text = "\n".join(w) + "\n\n" + body
        with open(os.path.join(a.out_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
        mbox.append(text if text.endswith("\n") else text + "\n")
    with open(a.mbox, "w", encoding="utf-8") as f:
        f.write("\n".join(mbox))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("routing")
    for o in ("rules", "series-list", "patch-dir", "extract", "json", "notes", "tag"):
        r.add_argument("--" + o, required=True)
    c = sub.add_parser("cover")
    for o in ("template", "routing", "shortlog", "diffstat"):
        c.add_argument("--" + o, required=True)
    for o in ("provenance", "series-list", "patch-dir"):
        c.add_argument("--" + o, required=True)
    for o in ("summary", "changes", "range-diff", "kabi"):
        c.add_argument("--" + o, default="")
    c.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    m = sub.add_parser("mbox")
    for o in ("cover", "patch-dir", "routing", "change-id", "domain", "out-dir", "mbox"):
        m.add_argument("--" + o, required=True)
    m.add_argument("--version", type=int, required=True)
    m.add_argument("--range-diff", default="",
                   help="git range-diff against the previous version: each changed"
                        " patch's part goes into its mail")
    m.add_argument("--sender", default="",
                   help="who sends: From: and an added Signed-off-by: of each patch")
    sl = sub.add_parser("shortlog")
    sl.add_argument("authors")
    s = sub.add_parser("splice")
    s.add_argument("--file", required=True)
    s.add_argument("--section", required=True)
    rc = sub.add_parser("range-diff-counts")
    rc.add_argument("file")
    a = ap.parse_args()
    {"routing": cmd_routing, "cover": cmd_cover, "mbox": cmd_mbox, "splice": cmd_splice,
     "shortlog": cmd_shortlog, "range-diff-counts": cmd_range_diff_counts}[a.cmd](a)


if __name__ == "__main__":
    main()
