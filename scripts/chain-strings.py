#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""No fixed function chain in the CLI's strings.

What the CLI says a kernel path runs comes from the function-graph
tracer on the running kernel (user/cli/calltree.c, tour_trace.c), never
from a string written down for one kernel.  This fails on every C string
literal in the given files that holds a chain of functions written with
"->": "do_read_fault() -> __do_fault()", "exc_page_fault ->" at the end of
a literal (a chain split over two lines), "-> handle_mm_fault()" at the
start of one; and the same written with an arrow (U+2192, U+21D2) or
"=>".  A member access without spaces ("vm_ops->open", "->fault") is no
chain, nor is an edge of a Graphviz graph (dot.c's statements,
which end in ";\\n").  Prints TAP; exit status 1 on a chain.

Usage: scripts/chain-strings.py FILE...
"""
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*(?:\(\))?"
# Besides "->": the arrows U+2192 and U+21D2 and "=>", which mean nothing
# in C, so a chain of them needs no spaces.
CHAIN = [
    re.compile(IDENT + r"\s+->\s+(?:->)?" + IDENT),   # a -> b, a -> ->b
    re.compile(IDENT + r"\s+->\s*$"),                 # "a ->" then a new literal
    re.compile(r"^\s*->\s+(?:->)?" + IDENT),          # "-> b" after one
    re.compile(IDENT + r"\s*(?:\u2192|=>|\u21d2)\s*(?:->)?" + IDENT),
    re.compile(IDENT + r"\s*(?:\u2192|=>|\u21d2)\s*$"),
    re.compile(r"^\s*(?:\u2192|=>|\u21d2)\s*(?:->)?" + IDENT),
]
# A C string literal: its text between the quotes, escapes kept.
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def literals(text):
    """(line, literal) for each string literal outside comments."""
    # Comments out (their lines kept), and character constants.
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"),
                  text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"'(?:[^'\\\n]|\\.)'", "' '", text)
    for m in LITERAL.finditer(text):
        yield text.count("\n", 0, m.start()) + 1, m.group(1)


def main(files):
    bad = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for line, lit in literals(text):
            if lit.endswith(";\\n"):
                continue        # a Graphviz statement: "a -> b [...];\n"
            if any(c.search(lit) for c in CHAIN):
                bad.append(f"{path}:{line}: \"{lit}\"")
    print("TAP version 13")
    print("1..1")
    for b in bad:
        print(f"# a fixed function chain: {b}")
    ok = "ok" if not bad else "not ok"
    print(f"{ok} 1 - no fixed function chain in the strings of "
          f"{len(files)} files ({len(bad)} found)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
