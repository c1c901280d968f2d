#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What a kbuild build read, and whether a change can matter to it.

Usage: kbuild-deps.py list BUILDDIR SRCTREE
       kbuild-deps.py matters DEPS CHANGED

list prints the source files the build in BUILDDIR read, one per line,
sorted.  It
reads every .cmd file fixdep left in BUILDDIR (source_<obj> and
deps_<obj> of each object) and prints the paths below SRCTREE, relative
to it.  Generated files (below BUILDDIR) and the $(wildcard
include/config/...) entries are left out: the configuration is judged by
its own inputs.  A build directory keeps the .cmd files of everything it
ever built, so the list is a superset of what the last build read, which
errs on the side of rebuilding.

matters reads the list DEPS and the changed files CHANGED (one path per
line) and prints the first changed file that can change the build, exit
status 1; exit status 0 when there is none.  A file can change the build
when the build read it, and also, read or not, when it is a Makefile,
Kbuild or Kconfig file, anything under scripts/ or tools/ (the build's
own programs and kunit.py) other than scripts/coccinelle/ and
tools/testing/selftests/, or anything that is not C or assembler source
(linker scripts, syscall tables, firmware, ...), except documentation.
A new C file is built only through a Makefile change, and a new header
only through a change to a file that includes it: both are caught.

Only scripts/validate uses this."""

import os
import sys


IGNORABLE_DIRS = ("Documentation/", "scripts/coccinelle/", "tools/testing/selftests/")
TOOL_DIRS = ("scripts/", "tools/")
SOURCE_SUFFIXES = (".c", ".h", ".S")
TEXT_FILES = {"MAINTAINERS", "CREDITS", "README", ".mailmap"}


def matters(deps_file, changed_file):
    deps = set(open(deps_file).read().split("\n"))
    for path in open(changed_file).read().split("\n"):
        if not path:
            continue
        if path in deps:
            return path
        if path.startswith(IGNORABLE_DIRS) or path in TEXT_FILES:
            continue
        base = os.path.basename(path)
        if (path.endswith(SOURCE_SUFFIXES) and not path.startswith(TOOL_DIRS)
                and not base.startswith(("Makefile", "Kbuild", "Kconfig"))):
            continue
        return path
    return None


def main():
    if sys.argv[1] == "matters":
        hit = matters(sys.argv[2], sys.argv[3])
        if hit:
            print(hit)
            return 1
        return 0
    build, src = (os.path.realpath(p) for p in sys.argv[2:4])
    prefix = src.rstrip("/") + "/"
    seen = set()
    for root, dirs, files in os.walk(build):
        for fn in files:
            if not fn.endswith(".cmd"):
                continue
            try:
                text = open(os.path.join(root, fn), errors="replace").read()
            except OSError:
                continue
            for tok in text.split():
                if tok.startswith(prefix):
                    seen.add(os.path.normpath(tok[len(prefix):]))
    for p in sorted(seen):
        print(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
