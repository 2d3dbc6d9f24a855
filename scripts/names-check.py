#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that every kernel function a text names exists in the kernel the
text says it of.

A name is a word followed by "()": "do_mmap()".  A text that says a kernel
lacks a function writes it without the parentheses ("6.1 has no
lock_vma_under_rcu"), and a callback is named by its member ("->remove()").  The kernels a name is said
of are those its clause names ("6.1: do_mas_munmap()", "(7.x:
check_prep_vma())", "on 6.12 and later, ..."); a clause that names none
speaks of the default kernels: the running kernel for the CLI's output,
the kernels a document's section says it describes for a document (an rst
comment ".. names-check: 6.1 6.12" sets them until the next one; without
one, every kernel of the matrix; ".. names-check: any", for a table that
says which kernel has which function: any one kernel), and for the
definition of a definition list whose term names kernels, those.  A clause ends at ". ", "; ", a blank
line, or an opening parenthesis before the name.

Each kernel's functions are
  - those its source defines or declares (the list "scripts/fetch-kernels.sh
    --source SERIES" makes from linux-source-SERIES, SERIES.functions), and
  - for the CLI's output, what the running kernel lists in
    available_filter_functions and /proc/kallsyms (--running FILE), which
    also holds the module's own functions as built for that kernel;
  - for a document, the module's functions are those of the module as
    built for that series (--module SERIES=KO, its symbols): a function
    of kmod/ that the module of another series has and this one lacks is
    not in this one (mmapdemo_mmap() is not in 7.3's, which has
    mmapdemo_mmap_prepare()).  A function of kmod/ that no module built
    has (inlined in every build) counts as kmod/ defines it, and so does
    every function of kmod/ for a series whose module was not built.
System calls count by their name ("mmap()" is sys_mmap), and user-space
functions (the C library's, libmmapdemo's, the CLI's) and the lab's (the
selftests', the scripts') are not the kernel's and are skipped.

And that every function the CLI's output says a path runs is one that
path's recorded trace on that kernel ran (make paths,
Documentation/paths/KERNEL.json: any stage's calls of the same case), or
one the recording marks as untraceable on that kernel, with its reason
(in kallsyms but not traceable, or inlined): --paths RECORDING FILE, FILE
being the output with a line "@@CASE NAME" before each case's run and
"@@CASE -" after it.

Usage: names-check.py --lists DIR [--running SERIES FILE]
                      [--doc [--module SERIES=KO]...] FILE...
       names-check.py --lists DIR --running SERIES FILE --paths REC FILE
  DIR holds SERIES.functions for each series of the matrix (6.1, 6.12,
  7.3).  Without --doc each FILE is the CLI's output on the kernel of
  --running.  Prints TAP, one line per FILE, and each wrong name.
"""
import json
import argparse
import os
import re
import subprocess
import sys

MATRIX = ["6.1", "6.12", "7.3"]
TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Functions of user space that the texts name: not the kernel's.
USER_SPACE = {
    "pread", "pwrite", "mkstemp", "siglongjmp", "sigsetjmp", "memcpy",
    "memcmp", "getrusage", "malloc", "free", "printf", "fopen", "strerror",
    "pthread_create", "posix_memalign", "clock_gettime", "fsync", "main",
    "dlopen", "system", "exit", "abort", "raise", "getpagesize",
    "pthread_join",
    # Placeholders: "file: function()".
    "function", "func",
}

NAME = re.compile(r"(?<![A-Za-z0-9_>.])([A-Za-z_][A-Za-z0-9_]*)\(\)")
VERSION = re.compile(r"(?:\b([Ss]ince|[Bb]efore|[Ff]rom)\s+)?"
                     r"(?<![0-9.])(6\.1[0-9]?|6\.[2-9]|7\.x|7\.[0-9]+)(?![0-9])"
                     r"(\s+(?:and|or)\s+(?:later|newer)|\+)?")
# "set_pte_range() on 6.12", "(do_set_pte() in 6.1)": said after the name.
# "__mmap_complete() (7.x, mm/vma.c)" too.
POSTFIX = re.compile(r"(?:``)?(?:\s+(?:on|in|of)\s+|\s*\((?:on\s+|in\s+)?|"
                     r"\s*\([^()]*?[,;:]\s*(?:on\s+|in\s+)?)()"
                     + VERSION.pattern.split("(?<![0-9.])", 1)[1]
                     + r"(?=[,:;) .\n]|$)")
# Another program's function: "QEMU's edu_mmio_write()".
NOT_KERNEL = re.compile(r"(QEMU's|QEMU 的|the C library's|libc's)\s*(``)?$")
MARK = re.compile(r"^\.\. names-check:\s*(.*)$")
# ".. names-check: any": a table that says of each kernel whether it has
# a function; each name need only be in one kernel of the matrix.
ANY = "any"
ROW = re.compile(r"^(\s*)\* - (.*)$")
CELL = re.compile(r"^(\s*)- (.*)$")
# ".. names-check: output 6.12": the literal blocks that follow are the
# output of that kernel.
OUTPUT_MARK = re.compile(r"^output\s+(.*)$")
# A literal block opens after "::" or a code-block directive.
CODE_BLOCK = re.compile(r"^\s*\.\. code-block::")


def vkey(v):
    return tuple(int(x) for x in v.split("."))


def series_of(m):
    """The matrix's series a VERSION match speaks of (none for others)."""
    word, tok, later = m.group(1), m.group(2), m.group(3)
    v = vkey("7.0" if tok == "7.x" else tok)
    if word and word.lower() == "before":
        return {s for s in MATRIX if vkey(s) < v}
    if later or word:
        return {s for s in MATRIX if vkey(s) >= v}
    if tok == "7.x":
        return {"7.3"}
    return {tok} if tok in MATRIX else set()


def said_of(text, start, default):
    """The series the clause before text[start] names, or @default."""
    win = text[max(0, start - 400):start]
    # A translation's punctuation, as the originals'.
    for wide, narrow in (("（", " ("), ("）", ") "), ("，", ", "), ("。", ". "),
                         ("；", "; "), ("：", ": "), ("和", " and ")):
        win = win.replace(wide, narrow)
    cut = 0
    for sep in (". ", ".\n", "; ", "\n\n"):
        i = win.rfind(sep)
        if i >= 0:
            cut = max(cut, i + len(sep))
    win = win[cut:]
    # A table cell is a clause of its own.
    cells = list(re.finditer(r"\n\s*(?:\* )?- ", win))
    if cells:
        win = win[cells[-1].end():]
    # What closed parentheses say is said of what is inside them only.
    prev = None
    while prev != win:
        prev = win
        win = re.sub(r"\([^()]*\)", " ", win)
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
        kernels |= series_of(m)
    # A version outside the matrix ("before 6.16"): nothing to check.
    return kernels


def versions_in(cell, whole):
    """The series a table cell names: all of it a version (@whole), or
    the first version in it; None if it names none."""
    m = VERSION.fullmatch(cell.strip()) if whole else VERSION.search(cell)
    s = series_of(m) if m else set()
    return sorted(s) if s else None


def table_mark(t, line, off, base, marks):
    """Follow the list-tables of a document: a row whose first cell is a
    kernel ("* - 6.1") speaks of that kernel; in a table whose header row
    names a kernel per column ("* - Step", "- 6.1", "- 6.12"), each cell
    speaks of its column's kernel.  Appends to @marks; returns the state."""
    if line.strip().startswith(".. list-table::"):
        return {"ind": None, "row": -1, "cell": 0, "head": [], "cols": None,
                "rowk": None}
    if t is None:
        return None
    if line.strip() and not line[0].isspace():
        marks.append((off, base))
        return None
    r = ROW.match(line)
    if r and (t["ind"] is None or len(r.group(1)) == t["ind"]):
        t["ind"] = len(r.group(1))
        t["row"] += 1
        t["cell"] = 0
        if t["row"] == 1:
            cols = [versions_in(c, False) for c in t["head"]]
            t["cols"] = cols if any(cols[1:]) else None
        if t["row"] == 0:
            t["head"] = [r.group(2)]
        t["rowk"] = versions_in(r.group(2), True)
        marks.append((off, t["rowk"] or base))
        return t
    c = CELL.match(line)
    if c and t["ind"] is not None and len(c.group(1)) == t["ind"] + 2:
        t["cell"] += 1
        if t["row"] == 0:
            t["head"].append(c.group(2))
        elif t["cols"] and t["cell"] < len(t["cols"]) and t["cols"][t["cell"]]:
            marks.append((off, t["cols"][t["cell"]]))
        else:
            marks.append((off, t["rowk"] or base))
    return t


def read_list(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return {w.split()[0] for w in f if w.strip()}


def defined_in(paths, pattern, ends=(".c", ".h")):
    """Names of functions that the files under @paths whose names end in
    @ends define, as @pattern finds them."""
    names = set()
    rx = re.compile(pattern, re.M)
    for top in paths:
        for d, _, files in os.walk(os.path.join(TOP, top)):
            for f in files:
                if f.endswith(ends):
                    with open(os.path.join(d, f), encoding="utf-8") as fh:
                        names |= set(rx.findall(fh.read()))
    return names


FUNC_DEF = r"^[A-Za-z_][^;=(\n]*?\b([A-Za-z_][A-Za-z0-9_]*)\("


def lab_functions():
    """The functions of this project that are not the kernel's: user
    space (user/, include/), the selftests and their test module, and
    the lab's scripts (shell and Python functions)."""
    return (USER_SPACE | defined_in(["user", "include", "selftests"], FUNC_DEF)
            | defined_in(["scripts", "selftests"],
                         r"^\s*([A-Za-z_][A-Za-z0-9_]*)\(\)\s*\{", (".sh",))
            | defined_in(["scripts", "Documentation/sphinx"],
                         r"^\s*def\s+([A-Za-z_][A-Za-z0-9_]*)\(", (".py",)))

# What the compiler appends to a function it cloned or split:
# "walk_tables.cold", "huge_fault.constprop.0".
CLONE = re.compile(r"\.(?:cold|constprop|isra|part|llvm)(?:\.[0-9]+)*")


def module_functions(ko):
    """The functions of a built module: its text symbols (nm), the
    compiler's clones under their function's name."""
    out = subprocess.run(["nm", ko], capture_output=True, text=True,
                         check=True).stdout
    names = set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            names.add(CLONE.split(f[2])[0])
    return names


def tap(n, what, bad):
    """One TAP line, and each problem; 1 if there are any."""
    print(f"{'not ok' if bad else 'ok'} {n} {what}")
    for b in bad:
        print(f"# names-check: {b}")
    return 1 if bad else 0


def case_functions(case):
    """Every function any stage of a recorded case called."""
    got = set()
    for val in (case.get("output") or {}).values():
        if isinstance(val, dict) and isinstance(val.get("calls"), dict):
            got |= set(val["calls"].get("functions", []))
    return got


def check_paths(a):
    """Each case's output names only what that case's trace ran."""
    rec = json.load(open(a.paths))
    user = lab_functions() - defined_in(["kmod"], FUNC_DEF)
    series = a.running[0]
    untraceable = {f: e["why"] for f, e in rec["functions"].items()
                   if not e["traceable"] and (e["kallsyms"] or e["source"])}
    fails = 0
    for n, path in enumerate(a.files, 1):
        text = open(path, encoding="utf-8", errors="replace").read()
        bad, cases = [], 0
        for block in re.split(r"^@@CASE ", text, flags=re.M)[1:]:
            name, _, body = block.partition("\n")
            if name == "-":
                continue
            case = rec["cases"].get(name)
            if case is None:
                bad.append(f"{name}: no such case in {a.paths}")
                continue
            cases += 1
            ran = case_functions(case)
            if not rec["function_graph"]:
                bad.append(f"{name}: {a.paths} has no trace (no function_graph)")
                continue
            for m in NAME.finditer(body):
                f = m.group(1)
                if f in user:
                    continue
                if NOT_KERNEL.search(body[max(0, m.start() - 24):m.start()]):
                    continue
                post = POSTFIX.match(body, m.end())
                ks = (series_of(post) if post else
                      said_of(body, m.start(), [series]))
                if series not in ks:
                    continue    # said of another kernel
                # A system call runs as its entry: mmap() is
                # __x64_sys_mmap on x86-64, __arm64_sys_mmap on arm64.
                if f in ran or f in untraceable or any(
                        p + f in ran for p in ("__x64_sys_", "__arm64_sys_")):
                    continue
                line = body[:m.start()].count("\n") + 1
                bad.append(f"{name}:{line}: the output says this path runs "
                           f"{f}(), but its trace on {rec['release']} ran no "
                           f"{f} and the recording does not mark it "
                           f"untraceable")
        if not cases:
            bad.append(f"{path}: no @@CASE in the output")
        fails += tap(n, f"{path}: {cases} paths name only functions their "
                     "trace ran", bad)
    return 1 if fails else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lists", required=True)
    ap.add_argument("--running", nargs=2, metavar=("SERIES", "FILE"))
    ap.add_argument("--doc", action="store_true")
    ap.add_argument("--module", action="append", default=[],
                    metavar="SERIES=KO")
    ap.add_argument("--paths", metavar="RECORDING")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    if a.paths:
        return check_paths(a)

    funcs = {}
    for s in MATRIX:
        p = os.path.join(a.lists, s + ".functions")
        if not os.path.exists(p):
            print(f"Bail out! names-check: no {p}")
            return 1
        funcs[s] = read_list(p)
    user = lab_functions()
    kmod = defined_in(["kmod"], FUNC_DEF)
    if a.running:
        run_series = a.running[0]
        if run_series not in funcs:
            print(f"Bail out! names-check: {run_series} is not a series of the matrix")
            return 1
        funcs[run_series] = funcs[run_series] | read_list(a.running[1])
    user -= kmod
    built = {}      # series: the functions of the module built for it
    for spec in a.module:
        series, _, ko = spec.partition("=")
        if series not in funcs or not ko:
            print(f"Bail out! names-check: --module {spec}: not SERIES=KO "
                  "of a series of the matrix")
            return 1
        built[series] = module_functions(ko)
    in_a_build = set().union(*built.values())
    for series in MATRIX:
        if a.doc and series not in built:
            print(f"# names-check: no module built for {series}: its "
                  "functions counted as kmod/ defines them")

    def exists(name, s):
        f = funcs.get(s)
        if f is None:
            return None
        if name in f or "sys_" + name in f:
            return True
        # The module: as built for the running kernel (its symbols are
        # in the running list), or, for a document, as built for that
        # series (see the top of this file).
        if not a.doc:
            return False
        if s in built and name in in_a_build:
            return name in built[s]
        return name in kmod

    fails = 0
    for n, path in enumerate(a.files, 1):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        bad = []
        # A document's default kernels, from its names-check marks.
        marks = [(0, MATRIX)]
        literal = []    # (start, end) of each literal block, and its kernels
        if a.doc:
            off, out_ks, lit_start, prev = 0, None, None, ""
            base = MATRIX     # the kernels outside a table's kernel cells
            table = None
            last, term = "", False
            for line in text.splitlines(keepends=True):
                table = table_mark(table, line, off, base, marks)
                m = MARK.match(line)
                if m:
                    o = OUTPUT_MARK.match(m.group(1))
                    ks = set()
                    for v in VERSION.finditer(o.group(1) if o else m.group(1)):
                        ks |= series_of(v)
                    if o:
                        out_ks = sorted(ks)
                    else:
                        base = [ANY] if m.group(1).strip() == ANY else sorted(ks)
                        marks.append((off, base))
                # A definition list's term that names kernels ("mmap_prepare
                # (7.x)") speaks of them in its definition, the indented
                # lines right below it.
                if line.strip() and not line[0].isspace() and term:
                    marks.append((off, base))
                    term = False
                elif (line.strip() and line[0].isspace() and table is None
                      and last.strip() and not last[0].isspace()
                      and not last.startswith("..")
                      and not last.rstrip().endswith("::")):
                    ks = set()
                    for v in VERSION.finditer(last):
                        ks |= series_of(v)
                    if ks:
                        marks.append((off, sorted(ks)))
                        term = True
                last = line
                if lit_start is None and (prev.rstrip().endswith("::") or
                                          CODE_BLOCK.match(prev)):
                    lit_start = off
                elif (lit_start is not None and line.strip() and
                      not line[0].isspace()):
                    if out_ks:
                        literal.append((lit_start, off, out_ks))
                    lit_start = None
                if line.strip():
                    prev = line
                off += len(line)
        for m in NAME.finditer(text):
            name = m.group(1)
            if name in user and name not in kmod:
                continue
            if NOT_KERNEL.search(text[max(0, m.start() - 24):m.start()]):
                continue
            if a.doc:
                default = [k for o, k in marks if o <= m.start()][-1]
                for s0, e0, ks in literal:
                    if s0 <= m.start() < e0:
                        default = ks
            else:
                default = [a.running[0]]
            post = POSTFIX.match(text, m.end())
            if ANY in default:
                kernels = {ANY}
            elif post:
                kernels = series_of(post)
            else:
                kernels = said_of(text, m.start(), default)
            lineno = text.count("\n", 0, m.start()) + 1
            if ANY in kernels:
                if not any(exists(name, s) is not False for s in MATRIX):
                    bad.append(f"{path}:{lineno}: {name}() is in no kernel "
                               "of the matrix")
                continue
            for s in sorted(kernels):
                if exists(name, s) is False:
                    bad.append(f"{path}:{lineno}: {name}() is not in {s}")
        fails += tap(n, f"{path} names only functions its kernels have", bad)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
