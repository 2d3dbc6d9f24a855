#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every kernel function a text names exists in the kernel the
text says it of.

A name is a word followed by "()": "do_mmap()".  The kernels a name is said
of are those its clause names ("6.1: do_mas_munmap()", "(7.x:
check_prep_vma())", "on 6.12 and later, ..."); a clause that names none
speaks of the default kernels: the running kernel for the CLI's output,
the kernels a document's section says it describes for a document (an rst
comment ".. names-check: 6.1 6.12" sets them until the next one; without
one, every kernel of the matrix).  A clause ends at ". ", "; ", a blank
line, or an opening parenthesis before the name.

Each kernel's functions are
  - those its source defines or declares (the list "scripts/fetch-kernels.sh
    --source SERIES" makes from linux-source-SERIES, SERIES.functions), and
  - for the CLI's output, what the running kernel lists in
    available_filter_functions and /proc/kallsyms (--running FILE), which
    also holds the module's own functions as built for that kernel;
  - for a document, the module's functions are those kmod/ defines.
System calls count by their name ("mmap()" is sys_mmap), and user-space
functions (the C library's, libmmapdemo's, the CLI's) are not the kernel's
and are skipped.

Usage: names-check.py --lists DIR [--running SERIES FILE] [--doc] FILE...
  DIR holds SERIES.functions for each series of the matrix (6.1, 6.12,
  7.3).  Without --doc each FILE is the CLI's output on the kernel of
  --running.  Prints TAP, one line per FILE, and each wrong name.
"""
import argparse
import os
import re
import sys

MATRIX = ["6.1", "6.12", "7.3"]
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Functions of user space that the texts name: not the kernel's.
USER_SPACE = {
    "pread", "pwrite", "mkstemp", "siglongjmp", "sigsetjmp", "memcpy",
    "memcmp", "getrusage", "malloc", "free", "printf", "fopen", "strerror",
    "pthread_create", "posix_memalign", "clock_gettime", "fsync", "main",
    "dlopen", "system", "exit", "abort", "raise", "getpagesize",
}

NAME = re.compile(r"(?<![A-Za-z0-9_>.])([A-Za-z_][A-Za-z0-9_]*)\(\)")
VERSION = re.compile(r"(?<![0-9.])(6\.1[0-9]?|6\.[2-9]|7\.x|7\.[0-9]+)(?![0-9])"
                     r"(\s+(?:and|or)\s+(?:later|newer)|\+)?")
MARK = re.compile(r"^\.\. names-check:\s*(.*)$")


def series_of(tok, later):
    """The matrix's series a version token speaks of (none for others)."""
    if tok in ("7.x",) or tok.startswith("7."):
        base = "7.3" if tok in ("7.x", "7.3") else None
    else:
        base = tok if tok in MATRIX else None
    if later:
        v = tuple(int(x) for x in ("7.0" if tok == "7.x" else tok).split("."))
        return {s for s in MATRIX if tuple(int(x) for x in s.split(".")) >= v}
    return {base} if base else set()


def said_of(text, start, default):
    """The series the clause before text[start] names, or @default."""
    win = text[max(0, start - 400):start]
    cut = 0
    for sep in (". ", ".\n", "; ", "\n\n", ":\n"):
        i = win.rfind(sep)
        if i >= 0:
            cut = max(cut, i + len(sep))
    win = win[cut:]
    depth = 0
    for i in range(len(win) - 1, -1, -1):
        if win[i] == ")":
            depth += 1
        elif win[i] == "(":
            if depth == 0:
                win = win[i + 1:]
                break
            depth -= 1
    # The nearest version before the name, and those joined to it by
    # "and", "or" or a comma: "6.1 and 6.12: ...", "6.12, 7.x: ...".
    ms = list(VERSION.finditer(win))
    if not ms:
        return set(default)
    group = [ms[-1]]
    for m in reversed(ms[:-1]):
        if re.fullmatch(r"\s*(,|and|or|/)\s*", win[m.end():group[0].start()]):
            group.insert(0, m)
        else:
            break
    kernels = set()
    for m in group:
        kernels |= series_of(m.group(1), bool(m.group(2)))
    # A version outside the matrix ("before 6.16"): nothing to check.
    return kernels


def read_list(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return {w.split()[0] for w in f if w.strip()}


def defined_in(paths, pattern):
    """Names of functions that the C files under @paths define."""
    names = set()
    rx = re.compile(pattern, re.M)
    for top in paths:
        for d, _, files in os.walk(os.path.join(TOP, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    with open(os.path.join(d, f), encoding="utf-8") as fh:
                        names |= set(rx.findall(fh.read()))
    return names


FUNC_DEF = r"^[A-Za-z_][^;=(\n]*?\b([A-Za-z_][A-Za-z0-9_]*)\("


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lists", required=True)
    ap.add_argument("--running", nargs=2, metavar=("SERIES", "FILE"))
    ap.add_argument("--doc", action="store_true")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()

    funcs = {}
    for s in MATRIX:
        p = os.path.join(a.lists, s + ".functions")
        if os.path.exists(p):
            funcs[s] = read_list(p)
    user = USER_SPACE | defined_in(["user", "include"], FUNC_DEF)
    kmod = defined_in(["kmod"], FUNC_DEF)
    if a.running:
        run_series = a.running[0]
        if run_series not in funcs:
            print(f"Bail out! names-check: no {run_series}.functions in {a.lists}")
            return 1
        funcs[run_series] = funcs[run_series] | read_list(a.running[1])
    user -= kmod

    def exists(name, s):
        f = funcs.get(s)
        if f is None:
            return None
        if name in f or "sys_" + name in f:
            return True
        # The module: as built for the running kernel (its symbols are
        # in the running list), or, for a document, as kmod/ defines it.
        if a.doc and name in kmod:
            return True
        return False

    fails = 0
    for n, path in enumerate(a.files, 1):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        bad = []
        # A document's default kernels, from its names-check marks.
        marks = [(0, MATRIX)]
        if a.doc:
            off = 0
            for line in text.splitlines(keepends=True):
                m = MARK.match(line)
                if m:
                    ks = set()
                    for v in VERSION.finditer(m.group(1)):
                        ks |= series_of(v.group(1), bool(v.group(2)))
                    marks.append((off, sorted(ks)))
                off += len(line)
        for m in NAME.finditer(text):
            name = m.group(1)
            if name in user and name not in kmod:
                continue
            if a.doc:
                default = [k for o, k in marks if o <= m.start()][-1]
            else:
                default = [a.running[0]]
            kernels = said_of(text, m.start(), default)
            lineno = text.count("\n", 0, m.start()) + 1
            for s in sorted(kernels):
                if exists(name, s) is False:
                    bad.append(f"{path}:{lineno}: {name}() is not in {s}")
        if bad:
            fails += 1
            print(f"not ok {n} {path} names only functions its kernels have")
            for b in bad:
                print(f"# names-check: {b}")
        else:
            print(f"ok {n} {path} names only functions its kernels have")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
