# SPDX-License-Identifier: GPL-2.0
#
# Sphinx configuration for mmapdemo's documentation: "make htmldocs" builds
# it into build/docs/html with warnings as errors, after drawing the path
# picture (images/generated/path.svg) from a real run in the lab VM.
project = "mmapdemo"
author = "the mmapdemo authors"
copyright = "the mmapdemo authors, GPL-2.0"
master_doc = "index"
source_suffix = ".rst"
html_theme = "alabaster"
pygments_style = "sphinx"

# abi.rst pulls the uapi header's comments in with the kernel's own
# kernel-doc directive: its Sphinx extension and script come from the
# kernel source tree the lab fetched (SRCTREE, exported by the Makefile).
import os
import sys

# kernel-doc itself would prefix SRCTREE to the (absolute) file names.
_srctree = os.environ.pop("SRCTREE", "")
_ext = os.path.join(_srctree, "Documentation", "sphinx")
if not os.path.isfile(os.path.join(_ext, "kerneldoc.py")):
    raise RuntimeError(
        "kernel-doc: no Documentation/sphinx/kerneldoc.py under SRCTREE=%r; "
        "MMAPDEMO_FULL_SOURCE=1 scripts/fetch-kernels.sh --source 6.1 "
        "unpacks it" % _srctree)
sys.path.insert(0, _ext)
extensions = ["kerneldoc"]
kerneldoc_bin = os.path.join(_srctree, "scripts", "kernel-doc")
# The repository: the Makefile builds from a copy of Documentation/.
kerneldoc_srctree = os.environ.get("MMAPDEMO_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), ".."))
