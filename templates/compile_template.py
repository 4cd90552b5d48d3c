"""Write templates/tiltak.compiled.json, the compiled form of templates/tiltak.xlsx.

The compiled form ships with the package so that the first conversion after an install does not
import openpyxl (see converter/template.py). Run this after any change to tiltak.xlsx or to the
code that compiles it (make_template.py runs it too):

    python templates/compile_template.py

tests/test_startup.py fails when the shipped file differs from a fresh compile.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # the source tree's converter

from converter.xlsx.template import build_compiled

if __name__ == "__main__":
    print(build_compiled(Path(__file__).resolve().parent / "tiltak.xlsx"))
