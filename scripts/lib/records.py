# SPDX-License-Identifier: GPL-2.0
"""The bookkeeping files of scripts/validate (scripts/lib/record.sh), read
for summarize.py and kcidb.py."""
import collections


def read_checks(path):
    """The verdicts: one dict per line of $CHECKS (status, check, patch,
    detail, origin; origin "run" where the line has none)"""
    checks = []
    with open(path) as f:
        for line in f:
            st, check, patch, detail, origin = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
            checks.append({"status": st, "check": check, "patch": patch, "detail": detail,
                           "origin": origin or "run"})
    return checks


def read_durations(path):
    """Seconds per step name of $DURATIONS, summed where a name repeats"""
    durations = collections.OrderedDict()
    with open(path) as f:
        for line in f:
            name, secs = line.split()
            durations[name] = durations.get(name, 0) + int(secs)
    return durations
