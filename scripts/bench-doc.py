#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Regenerate the tables of Documentation/performance.rst from one
# "make bench" run: the blocks between ".. bench-doc: begin NAME" and
# ".. bench-doc: end NAME" are rewritten from build/bench/run.txt (the
# run's identity, written by scripts/bench.sh) and each kernel's
# results.json and table.txt; the plots of the kernels named by --plots
# are copied to Documentation/images/bench-KERNEL-ns_per_page.png.  The
# prose around the blocks is the author's: read it against the new
# figures after a regeneration.
#
# Usage: scripts/bench-doc.py [--bench DIR] [--doc FILE] [--plots "K..."]
#        [--check]
#   --check: rewrite nothing; exit 1 if a block differs from what DIR
#   gives.
import argparse
import json
import os
import re
import shutil
import sys

TARGET_ROWS = [
    # key, short text; the order of the document
    ("fault_touch_read", "``fault``: first read within 1.2x of memfd's"),
    ("fault_touch_write", "``fault``: first write within 1.2x of memfd's"),
    ("eager_setup", "``remap``, ``insert``: mmap + first touch at most "
     "0.5x ``fault``'s from 16 MiB"),
    ("pass_bandwidth", "second-pass bandwidth of device mappings at least "
     "0.9x anon's"),
    ("map_vs_read4k", "memcpy through a mapping at least 2x ``read()`` in "
     "4 KiB calls"),
    ("flat_per_page", "cost per page flat within 20% from 1 MiB "
     "(largest / smallest)"),
    ("huge_faults", "``bar-huge``: at least 100x fewer faults than "
     "``bar-fault`` from 64 MiB"),
    ("huge_touch", "``bar-huge``: first write touch at least 10x faster "
     "than ``bar-fault`` from 64 MiB"),
    ("huge_vs_remap", "``bar-huge``: mmap + first write touch within 1.5x "
     "of ``bar-remap`` from 64 MiB"),
]


def read_run(path):
    """build/bench/run.txt: "key: value" lines."""
    run = {}
    with open(path) as f:
        for line in f:
            key, sep, value = line.rstrip("\n").partition(": ")
            if sep:
                run[key] = value
    return run


def size_name(n):
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return "%d%s" % (n >> shift, unit)
    return str(n)


class Kernel:
    def __init__(self, name, d):
        self.name = name
        with open(os.path.join(d, "results.json")) as f:
            self.json = json.load(f)
        with open(os.path.join(d, "table.txt")) as f:
            self.table = f.read().rstrip("\n")
        self.release = self.json["bench"]["kernel"].split()[0]
        self.fig = {}
        for r in self.json.get("results", []):
            self.fig[(r["size"], r["subject"], r["metric"])] = r
        self.targets = {t["target"]: t for t in self.json.get("targets", [])}
        self.dma = {r["metric"]: r for r in self.json.get("dma", [])}

    def get(self, size, subject, metric):
        return self.fig.get((size, subject, metric))


def fmt(v):
    if v >= 100:
        return "%.0f" % v
    if v >= 10:
        return "%.1f" % v
    return "%.2f" % v


def list_table(head, rows, widths):
    out = [".. list-table::", "   :header-rows: 1",
           "   :widths: " + " ".join(str(w) for w in widths), ""]
    for row in [head] + rows:
        for i, cell in enumerate(row):
            out.append(("   * - " if i == 0 else "     - ") + cell
                       if cell else ("   * -" if i == 0 else "     -"))
    return out


def block_run(run, kernels):
    secs = ", ".join("%s %s s" % (k.name, run.get("seconds " + k.name, "?"))
                     for k in kernels)
    out = [
        "- command: ``%s``" % run["command"],
        "- date: %s, from %s to %s" % (run["date"], run["start"], run["end"]),
        "- commit: ``%s``" % run["commit"],
        "- QEMU: %s, TCG, ``thread=%s``, ``-cpu max -smp 2 -m %s``"
        % (run["qemu"], run["tcg"], run["memory"]),
        "- host: %s" % run["host"],
        "- load average (1, 5, 15 minutes): %s before, %s after"
        % (run["load before"], run["load after"]),
        "- time: %s s in all; the VMs: %s" % (run["seconds all"], secs),
        "- kernels: " + ", ".join(
            "%s (``%s``%s)" % (k.name, k.release,
                               ", " + run["package " + k.name]
                               if "package " + k.name in run else "")
            for k in kernels),
    ]
    if "note" in run:
        out.append("- note: " + run["note"])
    return out


def block_targets(kernels):
    rows = []
    for key, text in TARGET_ROWS:
        row = [text]
        for k in kernels:
            t = k.targets.get(key)
            if not t or not t["evaluated"]:
                row.append("not measured")
            else:
                row.append("%sx, %s" % (fmt(t["value"]),
                                        "met" if t["met"] else "not met"))
        rows.append(row)
    return list_table(["target (worst figure)"] + [k.name for k in kernels],
                      rows, [34] + [11] * len(kernels))


def kib(text):
    """"at 16384 KiB" as "at 16 MiB", as the tables name sizes."""
    return re.sub(r"(\d+) KiB",
                  lambda m: size_name(int(m.group(1)) << 10).replace(
                      "K", " KiB").replace("M", " MiB").replace("G", " GiB"),
                  text)


def block_where(kernels):
    """Where each target's worst figure is."""
    out = []
    for key, text in TARGET_ROWS:
        where = ["%s: %s" % (k.name, kib(k.targets[key]["where"]))
                 for k in kernels
                 if key in k.targets and k.targets[key]["evaluated"]]
        out.append("- %s: %s" % (text, "; ".join(where) or "nowhere"))
    return out


def block_ratios(kernels, subject, metrics, sizes):
    """One subject's ratio to memfd, per kernel and size."""
    head = ["kernel, figure"] + [size_name(s) for s in sizes]
    rows = []
    for k in kernels:
        for m, label in metrics:
            row = ["%s, %s" % (k.name, label)]
            for s in sizes:
                r = k.get(s, subject, m)
                row.append(fmt(r["ratio"]) if r and "ratio" in r else "-")
            rows.append(row)
    return list_table(head, rows, [22] + [9] * len(sizes))


def block_huge(kernels, sizes):
    head = ["kernel, size", "subject", "touch-r", "touch-w", "mmap+touch-w",
            "flt-r"]
    rows = []
    for k in kernels:
        for s in sizes:
            subjects = [subj for subj in ("bar-fault", "bar-remap", "bar-huge")
                        if k.get(s, subj, "touch_write")]
            for i, subj in enumerate(subjects):
                cells = []
                for m in ("touch_read", "touch_write", "mmap_touch_write"):
                    r = k.get(s, subj, m)
                    cells.append("%.0f" % r["median_per_page"] if r else "-")
                r = k.get(s, subj, "dev_faults_read")
                cells.append("%.0f" % r["median"] if r else "-")
                rows.append(["%s, %s" % (k.name, size_name(s)) if i == 0
                             else "", "``%s``" % subj] + cells)
    return list_table(head, rows, [16, 14, 12, 12, 14, 10])


def block_dma(kernels):
    head = ["kernel", "transfer + mapped read", "transfer + ``read()``",
            "mapped read alone", "``read()`` copy alone", "``read()`` x mapped"]
    rows = []
    for k in kernels:
        if not k.dma:
            rows.append([k.name] + ["-"] * 5)
            continue
        row = [k.name]
        for m in ("dma_xfer_mapped_read", "dma_xfer_read_copy",
                  "dma_mapped_read", "dma_read_copy"):
            r = k.dma.get(m)
            row.append("{:,.0f}".format(r["median"]).replace(",", " ")
                       if r else "-")
        r = k.dma.get("dma_read_copy")
        row.append(fmt(r["ratio"]) if r and "ratio" in r else "-")
        rows.append(row)
    return list_table(head, rows, [12, 16, 16, 14, 14, 10])


def block_tables(kernels):
    out = []
    for i, k in enumerate(kernels):
        title = "%s (``%s``)" % (k.name, k.release)
        if i:
            out.append("")
        out += [title, "-" * len(title), "", "::", ""]
        out += [("    " + line).rstrip() for line in k.table.split("\n")]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default="build/bench")
    ap.add_argument("--doc", default="Documentation/performance.rst")
    ap.add_argument("--plots", default="6.1 7")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()

    run = read_run(os.path.join(a.bench, "run.txt"))
    kernels = [Kernel(k, os.path.join(a.bench, k))
               for k in run["kernels"].split()
               if os.path.exists(os.path.join(a.bench, k, "results.json"))]
    stock = [k for k in kernels if not k.name.endswith("-debug")]
    sizes = sorted({key[0] for k in kernels for key in k.fig})
    big = [s for s in sizes if s >= 64 << 20]
    blocks = {
        "run": block_run(run, kernels),
        "targets": block_targets(kernels),
        "where": block_where(kernels),
        "fault": block_ratios(stock, "fault",
                              [("touch_read", "touch-r"),
                               ("touch_write", "touch-w")], sizes),
        "huge": block_huge(kernels, big),
        "dma": block_dma(kernels),
        "tables": block_tables(kernels),
    }

    with open(a.doc) as f:
        text = f.read()
    new = text
    for name, lines in blocks.items():
        pat = re.compile(r"(^\.\. bench-doc: begin %s\n)(.*?)(^\.\. bench-doc: end %s$)"
                         % (re.escape(name), re.escape(name)), re.S | re.M)
        body = "\n" + "\n".join(lines) + "\n\n"
        new, n = pat.subn(lambda m: m.group(1) + body + m.group(3), new)
        if n != 1:
            print("bench-doc: %s: %d blocks named %s, not one"
                  % (a.doc, n, name), file=sys.stderr)
            return 1
    if a.check:
        if new != text:
            print("bench-doc: %s differs from %s" % (a.doc, a.bench),
                  file=sys.stderr)
            return 1
        return 0
    with open(a.doc, "w") as f:
        f.write(new)
    images = os.path.join(os.path.dirname(a.doc), "images")
    for k in a.plots.split():
        shutil.copyfile(os.path.join(a.bench, k, "ns_per_page.png"),
                        os.path.join(images, "bench-%s-ns_per_page.png" % k))
    print("bench-doc: %s from %s (%s)" % (a.doc, a.bench,
                                          " ".join(k.name for k in kernels)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
