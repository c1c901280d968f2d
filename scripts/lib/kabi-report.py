#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The report of scripts/kabi: symbol versions, structure layouts and
abidiff's summary of the base and the series kernel, as kabi.json,
symbols.txt and summary.txt.

Usage: kabi-report.py BASE_BUILD SERIES_BUILD BASE_LAYOUTS SERIES_LAYOUTS
                      ABIDIFF_STATUS OUT base BASE_COMMIT series SERIES_COMMIT
"""
import json
import re
import sys


def symvers(build):
    """symbol -> (crc, module, export type) of a build's Module.symvers"""
    syms = {}
    with open(f"{build}/Module.symvers") as f:
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) >= 4:
                syms[fields[1]] = (fields[0], fields[2], fields[3])
    return syms


def layouts(path):
    """struct name -> (total size in bytes or None, the ptype text)"""
    out = {}
    name = None
    text = []
    for line in open(path, errors="replace"):
        m = re.match(r"=== struct (\S+)", line)
        if m:
            if name:
                out[name] = text
            name, text = m[1], []
            continue
        if name:
            text.append(line.rstrip("\n"))
    if name:
        out[name] = text
    res = {}
    for name, lines in out.items():
        size = None
        for ln in lines:
            m = re.search(r"total size \(bytes\):\s+(\d+)", ln)
            if m:
                size = int(m[1])
        res[name] = (size, "\n".join(lines))
    return res


def abidiff_summary(path):
    text = open(path, errors="replace").read()
    res = {}
    m = re.search(r"Functions changes summary: (\d+) Removed, (\d+) Changed(?: \((\d+) filtered out\))?, (\d+) Added", text)
    if m:
        res["functions"] = {"removed": int(m[1]), "changed": int(m[2]), "added": int(m[4])}
    m = re.search(r"Variables changes summary: (\d+) Removed, (\d+) Changed(?: \((\d+) filtered out\))?, (\d+) Added", text)
    if m:
        res["variables"] = {"removed": int(m[1]), "changed": int(m[2]), "added": int(m[4])}
    # The types abidiff names as changed, with what it says of their size
    types = {}
    for m in re.finditer(r"type of '([^']+)' changed:?\s*\n\s*type size changed from (\d+) to (\d+) \(in bits\)", text):
        types[m[1]] = [int(m[2]) // 8, int(m[3]) // 8]
    res["types_with_size_change"] = types
    return res


def main():
    ob, os_, lb, ls, abirc, out = sys.argv[1:7]
    heads = dict(zip(sys.argv[7::2], sys.argv[8::2]))
    base, series = symvers(ob), symvers(os_)
    added = sorted(set(series) - set(base))
    removed = sorted(set(base) - set(series))
    changed = sorted(s for s in set(base) & set(series) if base[s][0] != series[s][0])
    same = len(set(base) & set(series)) - len(changed)

    lbase, lseries = layouts(lb), layouts(ls)
    structs = {}
    for name in lbase:
        bsize, btext = lbase[name]
        ssize, stext = lseries.get(name, (None, ""))
        structs[name] = {
            "base_size": bsize,
            "series_size": ssize,
            "layout_changed": btext != stext,
            "new": bsize is None and ssize is not None,
        }

    abi = abidiff_summary(f"{out}/abidiff.txt")
    abi["status"] = int(abirc)
    abi["finished"] = int(abirc) >= 0
    abi["incompatible"] = int(abirc) >= 0 and bool(int(abirc) & 8)

    res = {
        "commits": heads,
        "configuration": "x86_64 defconfig + kernel-config/x86_64-distro.config + kernel-config/kabi.config",
        "exports": {
            "base": len(base),
            "series": len(series),
            "added": added,
            "removed": removed,
            "crc_changed": changed,
            "unchanged": same,
        },
        "structs": structs,
        "abidiff": abi,
    }
    with open(f"{out}/kabi.json", "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")

    with open(f"{out}/symbols.txt", "w") as f:
        for what, names, src in (("added", added, series), ("removed", removed, base),
                                 ("crc-changed", changed, series)):
            for s in names:
                f.write(f"{what}\t{s}\t{src[s][1]}\t{src[s][2]}\n")

    lines = [
        f"kABI of the series against the base ({res['configuration']})",
        f"base {heads.get('base', '?')[:12]}, series {heads.get('series', '?')[:12]}",
        "",
        f"exported symbols: base {len(base)}, series {len(series)}: "
        f"{len(added)} added, {len(removed)} removed, {len(changed)} with a changed "
        f"symbol version (CRC), {same} unchanged",
    ]
    by_mod = {}
    for s in changed:
        by_mod[base[s][1]] = by_mod.get(base[s][1], 0) + 1
    if by_mod:
        lines.append("  changed CRCs by module: " +
                     ", ".join(f"{m} {n}" for m, n in sorted(by_mod.items(), key=lambda x: -x[1])))
    if added:
        lines.append("  added: " + " ".join(added))
    if removed:
        lines.append("  removed: " + " ".join(removed))
    lines.append("")
    lines.append("structure layouts (bytes, base -> series):")
    for name, s in structs.items():
        if s["base_size"] is None and s["series_size"] is None:
            lines.append(f"  struct {name}: in neither kernel")
        elif s["new"]:
            lines.append(f"  struct {name}: new, {s['series_size']}")
        elif s["layout_changed"]:
            lines.append(f"  struct {name}: {s['base_size']} -> {s['series_size']}, layout changed")
        else:
            lines.append(f"  struct {name}: {s['base_size']}, unchanged")
    lines.append("")
    fn = abi.get("functions", {})
    var = abi.get("variables", {})
    if not abi["finished"]:
        lines.append("abidiff: did not finish within its time limit (ABIDIFF_TIMEOUT); "
                     "the symbol versions and layouts above are complete without it")
    else:
        lines.append(f"abidiff (status {abirc}{', incompatible change' if abi['incompatible'] else ''}): "
                     f"functions {fn.get('removed', '?')} removed, {fn.get('changed', '?')} changed, "
                     f"{fn.get('added', '?')} added; variables {var.get('removed', '?')} removed, "
                     f"{var.get('changed', '?')} changed, {var.get('added', '?')} added")
    for t, (b, s) in sorted(abi["types_with_size_change"].items()):
        lines.append(f"  {t}: {b} -> {s} bytes")
    with open(f"{out}/summary.txt", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
