#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The kernel reports (KASAN, ODEBUG, lockdep, BUG, WARNING, panic, hung
task) of a boot log, one line each: what makes it that report, its
headline without addresses, offsets, numbers and task names, and for a
lockdep report the lock being taken and the lock held.  Two boots share a
report when they share its line.

Usage: splat.py LOG   prints the reports of LOG, once each
"""
import re
import sys

HEAD = re.compile(r"BUG:|WARNING:|KASAN:|ODEBUG:|Kernel panic|INFO: possible|INFO: task .* blocked")
LOCK = re.compile(r"\((.+?)\)\{")


def reports(text):
    lines = text.splitlines()
    seen = []
    for i, ln in enumerate(lines):
        m = HEAD.search(ln)
        if not m:
            continue
        sig = re.sub(r"0x[0-9a-f]+|\b[0-9a-f]{8,}\b|\+0x\S+|\d+", "#", ln[m.start():]).strip()
        if "locking dependency" in ln or "recursive locking" in ln:
            held = want = "?"
            for j in range(i + 1, min(i + 12, len(lines))):
                if "trying to acquire lock" in lines[j] and j + 1 < len(lines):
                    w = LOCK.search(lines[j + 1])
                    want = w[1] if w else want
                if "already holding lock" in lines[j] and j + 1 < len(lines):
                    h = LOCK.search(lines[j + 1])
                    held = h[1] if h else held
            sig += f" ({want} while holding {held})"
        if sig not in seen:
            seen.append(sig)
    return seen


if __name__ == "__main__":
    r = reports(open(sys.argv[1], errors="replace").read())
    if r:
        print("\n".join(r))
