#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Export one run of scripts/validate as KCIDB data (schema v5.3), and check
the export against the facts the schema states.

    kcidb.py export --checks F --durations F --results DIR --repo DIR
                    --base-commit IMPORT --base-tag T --upstream-commit H
                    --upstream-url URL --started ISO-8601
                    --tool NAME=VERSION ... --out FILE
    kcidb.py check FILE [--repo DIR]
    kcidb.py selftest FILE [--repo DIR]   the check finds breakages of FILE

The model (KCIDB: a checkout is a base commit plus applied patches, builds
belong to checkouts, tests to builds):

  checkouts  one per prefix of the series: the base commit with patches
             1..k (k = 0 is the unpatched base, which the gates and the
             boots build), patchset_hash over patches/ as the schema
             defines it
  builds     per prefix, one per matrix configuration (the bisect units),
             plus "source" (nothing compiled: checkpatch of patch k and, at
             the head, the checks of the whole series), and at the head
             the clang builds; the boot kernel of the base and of the head
  tests      per check record, and per KUnit case from the kunit.py log of
             each prefix and QEMU setup (path kunit.<suite>.<case>; the
             setup is the test's environment)

IDs are "msi_dyn:<run>:...", <run> naming this validation run (a hash of
its start time and the series), so that two runs of the same series are
two submissions; misc.run_started of the head checkout gives the time.  A verdict replayed from the result cache says so in
misc.verdict_origin and carries no duration (the original run's was not
kept).  The checkouts name the upstream stable commit and repository the
patches apply to (kernel-config/base.conf); no other URL is given: this
tree is not published.

"check" needs python3-jsonschema (Debian's, /usr/bin/python3): it writes
the schema's facts as a JSON schema of our own (required fields, the id
and origin patterns, enumerations, closed property sets, lengths) and
adds what JSON schema cannot say: RFC 3339 times, unique IDs, links that
resolve, and patchset hashes that match patches/.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import sys

from records import read_checks, read_durations

ORIGIN = "msi_dyn"
ARCH = {"um": "um", "x86_64": "x86_64", "arm64": "arm64"}
EXCERPT = 2048          # characters of log kept per object (schema: 16384)


# ---------------------------------------------------------------- export

def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def series_patches(repo):
    with open(os.path.join(repo, "series")) as f:
        return [ln.split()[0] for ln in f if ln.strip() and not ln.lstrip().startswith("#")]


def patchset_hash(repo, patches):
    """The schema's definition: sha256 over the newline-terminated sha256
    hashes of the patches, in order; empty without patches"""
    if not patches:
        return ""
    text = "".join(sha256_file(os.path.join(repo, "patches", p)) + "\n" for p in patches)
    return hashlib.sha256(text.encode()).hexdigest()


def tail(path, limit=EXCERPT):
    """The end of a log, at most limit characters, without NULs"""
    if not path or not os.path.exists(path):
        return None
    with open(path, errors="replace") as f:
        text = f.read().replace("\0", "")
    return text[-limit:] if text else None


def status_of(rec):
    st = rec["status"]
    if st in ("PASS", "FAIL"):
        return st
    if rec["check"] == "forward-check" and "could be downloaded" in rec["detail"]:
        return "MISS"
    if rec["detail"].startswith("not run"):
        return "SKIP"
    return "DONE"


def matrix_entry(repo, cfg):
    vals = {}
    with open(os.path.join(repo, "kernel-config", "matrix", cfg + ".conf")) as f:
        for ln in f:
            m = re.match(r'^([A-Z_]+)=(?:"(.*)"|(\S*))\s*$', ln)
            if m:
                vals[m[1]] = m[2] if m[2] is not None else m[3]
    return vals


# Per prefix builds of checks other than bisect, as matrix entries would
# describe them: the arm64 KUnit kernel of scripts/lib/checks/arm64.sh
EXTRA_ENTRIES = {
    "arm64-kunit": {"ARCH": "arm64", "KIND": "kunit", "CROSS": "aarch64-linux-gnu-",
                    "KUNITCONFIG": "kernel-config/kunit/arm64.kunitconfig"},
}


def build_command(e):
    arch = e.get("ARCH", "")
    if e.get("KIND") == "kunit":
        cross = e.get("CROSS", "")
        return (f"tools/testing/kunit/kunit.py run --arch={arch} "
                + (f"--cross_compile={cross} " if cross else "")
                + f"--kunitconfig={e.get('KUNITCONFIG')} --make_options 'CC=ccache {cross}gcc'")
    base = e.get("BASECONFIG", "defconfig")
    what = "vmlinux" if e.get("KIND") == "full" else "the directories the series touches"
    return (f"make ARCH={arch} CC='ccache gcc' {base}; scripts/kconfig/merge_config.sh "
            f"{e.get('FRAGMENT')}; make olddefconfig; make ({what})")


KUNIT_LINE = re.compile(r"^\[(\d\d):(\d\d):(\d\d)\] (?:(=+ (\S+) \(\d+ subtests\) =+)|"
                        r"\[(PASSED|FAILED|SKIPPED|CRASHED)\] (\S+))")
KUNIT_STATUS = {"PASSED": "PASS", "FAILED": "FAIL", "SKIPPED": "SKIP", "CRASHED": "ERROR"}


def kunit_cases(path):
    """(suite, case, status, seconds since the previous line) of a kunit.py
    log; its clock has a resolution of one second"""
    out, suite, last = [], None, None
    if not os.path.exists(path):
        return out
    with open(path, errors="replace") as f:
        for ln in f:
            m = KUNIT_LINE.match(ln)
            if not m:
                continue
            t = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])
            if m[5]:
                suite = m[5]
            elif suite:
                d = (t - last) % 86400 if last is not None else 0
                out.append((suite, m[7], KUNIT_STATUS[m[6]], d))
            last = t
    return out


ELAPSED = re.compile(r"Elapsed time: ([\d.]+)s total, ([\d.]+)s configuring, "
                     r"([\d.]+)s building, ([\d.]+)s running")


def elapsed(path):
    """kunit.py's own account of a run: (configure + build, run) seconds"""
    if not os.path.exists(path):
        return None, None
    with open(path, errors="replace") as f:
        m = ELAPSED.search(f.read())
    if not m:
        return None, None
    return round(float(m[2]) + float(m[3]), 3), round(float(m[4]), 3)


def path_of(check):
    """A check name as a KCIDB test path: dot separated words of letters,
    digits, '_' and '-'"""
    head, _, rest = check.partition("-")
    parts = [head] + ([re.sub(r"[^A-Za-z0-9_-]", "_", rest)] if rest else [])
    return ".".join(parts)


def export(a):
    repo, results = a.repo, a.results
    tools = dict(t.split("=", 1) for t in a.tool)
    patches = series_patches(repo)
    n = len(patches)
    recs = read_checks(a.checks)
    durations = read_durations(a.durations)
    started = a.started
    # this run: its start and the series it validated
    run = hashlib.sha256(f"{started} {patchset_hash(repo, patches)}".encode()).hexdigest()[:12]
    data = {"version": {"major": 5, "minor": 3}, "checkouts": [], "builds": [], "tests": []}

    def checkout_id(k):
        return f"{ORIGIN}:{run}:c{k:02d}"

    for k in range(n + 1):
        c = {"id": checkout_id(k), "origin": ORIGIN, "tree_name": "stable",
             "git_repository_url": a.upstream_url, "git_repository_branch": "linux-6.1.y",
             "git_commit_hash": a.upstream_commit, "git_commit_name": a.base_tag,
             "git_commit_tags": [a.base_tag],
             "patchset_hash": patchset_hash(repo, patches[:k]),
             "start_time": started, "valid": not any(
                 r["status"] == "FAIL" and r["check"] in ("apply-am", "apply-quilt")
                 for r in recs),
             "comment": (f"{a.base_tag} with patches 1-{k} of msi-dyn, up to {patches[k - 1]}"
                         if k else f"{a.base_tag}, unpatched"),
             "misc": {"patches": k, "series": "msi-dyn", "import_commit": a.base_commit,
                      "base": "built from Debian's linux_6.1.176.orig.tar.xz, imported with "
                              "a fixed identity and date as import_commit "
                              "(kernel-config/base.conf): upstream "
                              f"{a.base_tag} minus seven DFSG-removed files, which no build "
                              "reads; the patches apply to git_commit_hash alike"}}
        data["checkouts"].append(c)

    def add_build(k, name, status, arch=None, **kw):
        b = {"id": f"{checkout_id(k)}:{name}", "origin": ORIGIN, "checkout_id": checkout_id(k),
             "config_name": name, "start_time": started}
        if status:
            b["status"] = status
        if arch:
            b["architecture"] = ARCH[arch]
        for key, v in kw.items():
            if v is not None:
                b[key] = v
        data["builds"].append(b)
        return b["id"]

    used = {}

    def add_test(build_id, path, status, rec=None, key=None, **kw):
        tid = f"{build_id}:{key or path}"
        # a check that records more than one verdict (cocci's fixtures)
        used[tid] = used.get(tid, 0) + 1
        if used[tid] > 1:
            tid += f"-{used[tid]}"
        t = {"id": tid, "origin": ORIGIN, "build_id": build_id,
             "path": path, "status": status, "start_time": started}
        misc = kw.pop("misc", {})
        if rec:
            t["comment"] = rec["detail"][:1000]
            misc["verdict_origin"] = rec["origin"]
        if misc:
            t["misc"] = misc
        for k, v in kw.items():
            if v is not None:
                t[k] = v
        data["tests"].append(t)

    by_patch = {}
    for r in recs:
        by_patch.setdefault(r["patch"], []).append(r)
    gcc = tools.get("gcc")

    # Per prefix: the matrix builds, their KUnit runs, checkpatch
    cfgs = sorted(f[:-5] for f in os.listdir(os.path.join(repo, "kernel-config", "matrix"))
                  if f.endswith(".conf")) + sorted(EXTRA_ENTRIES)
    for k, patch in enumerate(patches, 1):
        nnnn = patch[:4]
        mine = by_patch.get(patch, [])
        src = add_build(k, "source", "PASS" if all(r["status"] != "FAIL" for r in mine
                                                    if r["check"] == "checkpatch") else "FAIL",
                        comment="nothing compiled: the checks of the patch's source")
        for r in mine:
            if r["check"] == "checkpatch":
                add_test(src, "checkpatch", status_of(r), r,
                         log_excerpt=tail(os.path.join(results, "logs", "checkpatch",
                                                       patch[:-6] + ".log")))
        for cfg in cfgs:
            e = EXTRA_ENTRIES.get(cfg) or matrix_entry(repo, cfg)
            brec = [r for r in mine if r["check"] == f"build-{cfg}"]
            if not brec:
                continue
            br = brec[0]
            # kunit.py's log times its build (the first setup's log);
            # other builds are timed by this run only when they ran in it
            klogs = sorted(f for f in os.listdir(os.path.join(results, "logs", "kunit"))
                           if f.startswith(cfg) and f.endswith(f"-{nnnn}.log")) \
                if os.path.isdir(os.path.join(results, "logs", "kunit")) else []
            secs = elapsed(os.path.join(results, "logs", "kunit", klogs[0]))[0] if klogs else None
            if secs is None and br["origin"] == "run":
                secs = durations.get(f"bisect-{cfg}-{nnnn}")
            cc = f"{e['CROSS']}gcc" if e.get("CROSS") else gcc
            bid = add_build(k, cfg, status_of(br), e.get("ARCH"), compiler=cc,
                            command=build_command(e), comment=br["detail"][:1000],
                            duration=secs,
                            log_excerpt=tail(os.path.join(results, "logs", "build",
                                                          f"{cfg}-{nnnn}.log")),
                            misc={"verdict_origin": br["origin"]})
            for r in mine:
                if not r["check"].startswith(f"kunit-{cfg}"):
                    continue
                setup = r["check"].partition("@")[2] or None
                env = {"comment": f"QEMU {tools.get('qemu', '')}, setup {setup} "
                                  f"(kernel-config/qemu/{setup}.args)"} if setup else None
                log = os.path.join(results, "logs", "kunit", r["check"][len("kunit-"):]
                                   + f"-{nnnn}.log")
                add_test(bid, "kunit", status_of(r), r, key=f"{setup or 'uml'}:kunit",
                         environment=env, log_excerpt=tail(log), duration=elapsed(log)[1])
                # the log is the one of the run that gave the verdict, a
                # replayed one included: its times are that run's
                for suite, case, st, secs in kunit_cases(log):
                    add_test(bid, f"kunit.{suite}.{case}", st,
                             key=f"{setup or 'uml'}:{suite}.{case}", environment=env,
                             duration=secs,
                             misc={"duration_resolution_s": 1, "verdict_origin": r["origin"]})

    # The head: the checks of the whole series
    head_src = f"{checkout_id(n)}:source"
    distro = f"{checkout_id(n)}:40-x86_64-distro"
    for r in by_patch.get("-", []) + by_patch.get("none", []):
        c = r["check"]
        if c.startswith("gate-"):
            add_test(distro, "gates." + c[5:], status_of(r), r)
        elif c.startswith("clang-"):
            arch = "um" if "uml" in c else "x86_64"
            bid = add_build(n, c, status_of(r), arch, compiler=tools.get("clang"),
                            comment=r["detail"][:1000], misc={"verdict_origin": r["origin"]})
            if "uml" in c:
                add_test(bid, "kunit", status_of(r), r)
        elif c.startswith(("regression-", "vfio-", "benchmark", "arm64-regression-",
                           "reliability-")):
            continue
        else:
            add_test(head_src, path_of(c), status_of(r), r)

    # The boots: each kind of boot kernel, base and head
    def boot_builds(name, arch, compiler, command, comment):
        return {kern: add_build(k, name, "PASS", arch, compiler=compiler, command=command,
                                comment=comment)
                for kern, k in (("base", 0), ("series", n))}

    def verdicts(check, path):
        """This run's PASS/FAIL records of a boot check whose JSON is PATH,
        none if the JSON is missing: a JSON an earlier series left in
        test-results/ without this run's verdicts is not this head's."""
        if not os.path.exists(path):
            return []
        return [r for r in recs if r["check"].startswith(check + "-")
                and r["status"] in ("PASS", "FAIL")]

    def boot_tests(check, path, passed, bids, section="setups", test=None):
        """One test per setup and kernel of a boot check's JSON (its
        SECTION), on the boot kernel's build of BIDS; PASSED(v) is the
        comment of a setup without problems.  Only with this run's
        verdicts (verdicts())."""
        mine = verdicts(check, path)
        if not mine:
            return
        with open(path) as f:
            bj = json.load(f)
        orig = {r["check"][len(check) + 1:]: r for r in mine}
        test = test or f"boot.{check}"
        for setup, kerns in bj.get(section, {}).items():
            for kern, v in kerns.items():
                if kern not in bids:
                    continue
                add_test(bids[kern], test, "PASS" if v.get("ok") else "FAIL",
                         key=f"{setup}:{test}",
                         environment={"comment": f"QEMU {tools.get('qemu', '')}, setup {setup}"},
                         comment=("; ".join(v.get("problems", [])) or passed(v))[:1000],
                         misc={"verdict_origin": orig.get(setup, {}).get("origin", "run")})

    # arm64: the boot kernel of scripts/arm64-boot, on the GICv3 ITS
    areg = os.path.join(results, "arm64-regression", "regression.json")
    if verdicts("arm64-regression", areg):
        abids = boot_builds("boot-arm64", "arm64", None,
                            "tinyconfig + kernel-config/boot-arm64.config, "
                            "CROSS_COMPILE=aarch64-linux-gnu-",
                            "the arm64 boot kernel of scripts/arm64-boot")
        boot_tests("arm64-regression", areg,
                   lambda v: "nvme, e1000e and virtio-net probed with MSI-X on the ITS; "
                             "interrupts rose", abids)
        for r in recs:
            m = re.match(r"arm64-regression-(\w+)-(base|series)-chip$", r["check"])
            if m:
                add_test(abids[m[2]], "boot.arm64-regression.chip", status_of(r), r,
                         key=f"{m[1]}:boot.arm64-regression.chip")
    # The reliability run's kernels (scripts/reliability)
    rel = os.path.join(results, "reliability.json")
    if verdicts("reliability", rel):
        rbids = boot_builds("boot-reliability-x86_64", "x86_64", gcc,
                            "tinyconfig + kernel-config/boot-x86_64.config + "
                            "kernel-config/boot-debug.config + "
                            "kernel-config/boot-reliability.config",
                            "the KASAN, lockdep and kmemleak kernel of scripts/reliability")
        boot_tests("reliability", rel,
                   lambda v: "fail_nth sweeps: " + ", ".join(
                       f"{e} {f['failed']}/{f['points']}"
                       for e, f in v.get("points", {}).items()),
                   rbids, test="reliability.sweep")
        boot_tests("reliability-hotplug", rel,
                   lambda v: "removed over QMP and plugged back, state back to before",
                   rbids, section="hotplug", test="reliability.hotplug")

    reg = os.path.join(results, "regression", "regression.json")
    if os.path.exists(reg):
        bids = boot_builds("boot-x86_64", "x86_64", gcc,
                           "tinyconfig + kernel-config/boot-x86_64.config",
                           "the boot kernel of scripts/regression-boot")
        boot_tests("regression", reg,
                   lambda v: "nvme, e1000e and virtio-net probed with MSI-X; interrupts rose",
                   bids)
        boot_tests("vfio", os.path.join(results, "vfio", "vfio.json"),
                   lambda v: "vfio_msix_dyn_test" + (" and the real VMM" if v.get("vmm") else "")
                   + " as expected of this kernel", bids)
        bench = os.path.join(results, "benchmark", "benchmark.json")
        brecs = [r for r in recs if r["check"].startswith("benchmark-") and r["status"] == "PASS"]
        if brecs and os.path.exists(bench):
            with open(bench) as f:
                bj = json.load(f)
            for fig, h in sorted(bj.get("headline", {}).items()):
                add_test(bids["series"], f"benchmark.{fig}", "DONE",
                         comment=h.get("what", ""), number={"value": h["value"]},
                         misc={"target": h.get("target"), "target_met": h.get("met"),
                               "clock": h.get("clock")})

        vbench = os.path.join(results, "vfio-bench", "vfio-bench.json")
        vrecs = [r for r in recs if r["check"].startswith("vfio-bench-") and r["status"] == "PASS"]
        if vrecs and os.path.exists(vbench):
            with open(vbench) as f:
                vj = json.load(f)
            big = str(vj.get("largest_n", ""))
            if big in vj.get("ratio_base_reenable_over_series_dynamic", {}):
                add_test(bids["series"], "vfio_bench.ratio", "DONE",
                         comment=f"base re-enable over series addition at N={big}",
                         number={"value": vj["ratio_base_reenable_over_series_dynamic"][big]},
                         misc={"target": vj.get("target"), "target_met": vj.get("target_met")})
                add_test(bids["series"], "vfio_bench.dynamic_us", "DONE",
                         comment=f"one vector added through VFIO with {big} live (us)",
                         number={"value": vj["dynamic"][big]["median_us"], "unit": "us"},
                         misc={"torn_down": vj["dynamic"][big]["torn_down"]})

    with open(a.out, "w") as f:
        # one object a line: readable diffs, still one JSON document
        f.write('{"version": %s,\n' % json.dumps(data["version"]))
        for i, key in enumerate(("checkouts", "builds", "tests")):
            f.write(f' "{key}": [\n')
            f.write(",\n".join("  " + json.dumps(o, sort_keys=True) for o in data[key]))
            f.write("\n ]" + (",\n" if i < 2 else "\n"))
        f.write("}\n")
    print(f"PASS kcidb-export: {os.path.basename(a.out)}: {len(data['checkouts'])} checkouts, "
          f"{len(data['builds'])} builds, {len(data['tests'])} tests")
    return 0


# ---------------------------------------------------------------- check

STR = {"type": "string", "pattern": "^[^\\u0000]*$"}
ID = {"type": "string", "pattern": "^[a-z0-9_]+:[^\\u0000]*$"}
ORIGIN_S = {"type": "string", "pattern": "^[a-z0-9_]+$"}
TIME = {"type": "string"}          # RFC 3339, checked in code
URI = {"type": "string"}           # none are written; checked in code if present
EXCERPT_S = {"type": "string", "maxLength": 16384, "pattern": "^[^\\u0000]*$"}
STATUS = {"enum": ["FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP"]}
RESOURCES = {"type": "array", "items": {
    "type": "object", "required": ["name", "url"], "additionalProperties": False,
    "properties": {"name": {"type": "string", "pattern": "^[^/\\u0000]+$"}, "url": URI}}}


def closed(required, props):
    return {"type": "object", "required": required, "additionalProperties": False,
            "properties": props}


FACTS = {
    "type": "object", "required": ["version"], "additionalProperties": False,
    "properties": {
        "version": closed(["major"], {"major": {"const": 5},
                                      "minor": {"type": "integer", "minimum": 0, "maximum": 3}}),
        "checkouts": {"type": "array", "items": closed(["id", "origin"], {
            "_timestamp": TIME, "id": ID, "origin": ORIGIN_S, "tree_name": STR,
            "git_repository_url": {"type": "string", "pattern": "^https://[^\\u0000]*$"},
            "git_commit_hash": {"type": "string", "pattern": "^[0-9a-f]{40}$"},
            "git_commit_name": STR, "git_commit_tags": {"type": "array", "items": STR},
            "git_commit_message": STR, "git_repository_branch": STR,
            "git_repository_branch_tip": {"type": "boolean"}, "patchset_files": RESOURCES,
            "patchset_hash": {"type": "string", "pattern": "^$|^[0-9a-f]{64}$"},
            "message_id": {"type": "string"}, "comment": STR, "start_time": TIME,
            "origin_builds_finish_time": TIME, "origin_tests_finish_time": TIME,
            "log_url": URI, "log_excerpt": EXCERPT_S, "valid": {"type": "boolean"},
            "misc": {"type": "object"}})},
        "builds": {"type": "array", "items": closed(["checkout_id", "id", "origin"], {
            "_timestamp": TIME, "checkout_id": ID, "id": ID, "origin": ORIGIN_S,
            "comment": STR, "start_time": TIME, "duration": {"type": "number"},
            "architecture": {"type": "string", "pattern": "^[a-z0-9_]*$"}, "command": STR,
            "compiler": STR, "input_files": RESOURCES, "output_files": RESOURCES,
            "config_name": STR, "config_url": URI, "log_url": URI, "log_excerpt": EXCERPT_S,
            "status": STATUS, "misc": {"type": "object"}})},
        "tests": {"type": "array", "items": closed(["build_id", "id", "origin"], {
            "_timestamp": TIME, "build_id": ID, "id": ID, "origin": ORIGIN_S,
            "environment": {"type": "object", "additionalProperties": False, "properties": {
                "compatible": {"type": "array", "items": {
                    "type": "string", "pattern": "^[^ \\u0000]+(,[^ \\u0000]+)*$"}},
                "comment": STR, "misc": {"type": "object"}}},
            "path": {"type": "string", "pattern": "^([a-zA-Z0-9_-]+(\\.[a-zA-Z0-9_-]+)*)?$"},
            "comment": STR, "log_url": URI, "log_excerpt": EXCERPT_S, "status": STATUS,
            "number": {"type": "object", "required": ["value"], "additionalProperties": False,
                       "properties": {"value": {"type": "number"}, "unit": STR,
                                      "prefix": {"enum": ["metric", "binary"]}}},
            "start_time": TIME, "duration": {"type": "number"}, "input_files": RESOURCES,
            "output_files": RESOURCES, "misc": {"type": "object"}})},
    },
}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
TIME_FIELDS = ("_timestamp", "start_time", "origin_builds_finish_time", "origin_tests_finish_time")
URI_FIELDS = ("git_repository_url", "log_url", "config_url")
URI_RE = re.compile(r"^[a-z][a-z0-9+.-]*://[^\s\u0000]+$")


def problems_of(data, repo=None):
    """What in data goes against the schema's facts"""
    import jsonschema
    problems = [f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
                for e in jsonschema.Draft202012Validator(FACTS).iter_errors(data)]
    ids = {}
    for kind in ("checkouts", "builds", "tests"):
        seen = ids.setdefault(kind, set())
        for o in data.get(kind, []):
            if o.get("id") in seen:
                problems.append(f"{kind}: id {o.get('id')} twice")
            seen.add(o.get("id"))
            for fld in TIME_FIELDS:
                if fld in o:
                    ok = bool(RFC3339.match(o[fld]))
                    if ok:
                        try:
                            datetime.datetime.fromisoformat(o[fld].replace("Z", "+00:00"))
                        except ValueError:
                            ok = False
                    if not ok:
                        problems.append(f"{kind} {o.get('id')}: {fld} is not RFC 3339")
            urls = [o[fld] for fld in URI_FIELDS if fld in o]
            for res in ("patchset_files", "input_files", "output_files"):
                urls += [r.get("url", "") for r in o.get(res, [])]
            for u in urls:
                if not URI_RE.match(u):
                    problems.append(f"{kind} {o.get('id')}: {u!r} is not a URI")
    for o in data.get("builds", []):
        if o.get("checkout_id") not in ids["checkouts"]:
            problems.append(f"build {o['id']}: no checkout {o.get('checkout_id')}")
    for o in data.get("tests", []):
        if o.get("build_id") not in ids["builds"]:
            problems.append(f"test {o['id']}: no build {o.get('build_id')}")
    if repo:
        patches = series_patches(repo)
        for o in data.get("checkouts", []):
            k = o.get("misc", {}).get("patches")
            if k is not None and o.get("patchset_hash") != patchset_hash(repo, patches[:k]):
                problems.append(f"checkout {o['id']}: patchset_hash is not that of "
                                f"patches 1-{k}")
    return problems


def check(a):
    with open(a.file) as f:
        data = json.load(f)
    problems = problems_of(data, a.repo)
    for p in problems[:20]:
        print(f"FAIL kcidb-schema: {p}")
    if problems:
        print(f"FAIL kcidb-schema: {len(problems)} problems in {a.file}")
        return 1
    print(f"PASS kcidb-schema: {os.path.basename(a.file)} holds the facts of KCIDB schema "
          f"v5.3 (required fields, id and origin patterns, closed objects, enumerations, "
          f"RFC 3339 times, unique ids, links, patchset hashes)")
    return 0


# Each a way to break a valid export, and what the check must then say
BREAKAGES = [
    ("a test without origin", lambda d: d["tests"][0].pop("origin"), "'origin' is a required"),
    ("an id without its origin prefix", lambda d: d["builds"][0].update(id="source"),
     "does not match"),
    ("an origin with capitals", lambda d: d["checkouts"][0].update(origin="MSI"),
     "does not match"),
    ("a property the schema does not have",
     lambda d: d["builds"][0].update(valid=True), "Additional properties"),
    ("an unknown status", lambda d: d["tests"][0].update(status="OK"), "is not one of"),
    ("a test path with a slash", lambda d: d["tests"][0].update(path="kunit/msi"),
     "does not match"),
    ("a short commit hash", lambda d: d["checkouts"][0].update(git_commit_hash="fdb6fcb4"),
     "does not match"),
    ("a time without zone", lambda d: d["tests"][0].update(start_time="2026-12-02 05:30"),
     "RFC 3339"),
    ("an excerpt over 16384 characters",
     lambda d: d["tests"][0].update(log_excerpt="x" * 16385), "is too long"),
    ("a test of a build that is not there",
     lambda d: d["tests"][0].update(build_id="msi_dyn:none"), "no build"),
    ("the same test id twice", lambda d: d["tests"].append(dict(d["tests"][0])), "twice"),
    ("a wrong patchset hash",
     lambda d: d["checkouts"][1].update(patchset_hash="0" * 64), "patchset_hash"),
    ("version 4", lambda d: d["version"].update(major=4), "5 was expected"),
]


def selftest(a):
    """The check finds each breakage of a copy of a valid export"""
    import copy
    with open(a.file) as f:
        data = json.load(f)
    if problems_of(data, a.repo):
        print("FAIL kcidb-selftest: the export to break is not valid to begin with")
        return 1
    missed, tried = [], []
    for what, breaks, expect in BREAKAGES:
        d = copy.deepcopy(data)
        try:
            breaks(d)
        except (IndexError, KeyError):
            continue        # the export has no object of that kind
        tried.append(what)
        if not any(expect in p for p in problems_of(d, a.repo)):
            missed.append(what)
    if missed:
        print(f"FAIL kcidb-selftest: the check misses {', '.join(missed)}")
        return 1
    print(f"PASS kcidb-selftest: the check finds each of {len(tried)} breakages of a copy "
          "of the export (" + ", ".join(tried) + ")")
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    for opt in ("checks", "durations", "results", "repo", "base-commit", "base-tag",
                "upstream-commit", "upstream-url", "started", "out"):
        e.add_argument("--" + opt, required=True)
    e.add_argument("--tool", action="append", default=[])
    for name in ("check", "selftest"):
        c = sub.add_parser(name)
        c.add_argument("file")
        c.add_argument("--repo")
    a = ap.parse_args()
    return {"export": export, "check": check, "selftest": selftest}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
