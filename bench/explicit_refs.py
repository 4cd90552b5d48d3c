"""Copy an .xlsx with every row and cell reference written out, as a reader infers them.

tiltak2xlsx leaves out the optional `r` of a `<row>` that follows the previous row and of a
`<c>` that follows the previous cell (CT_Row/CT_Cell: "r" is optional; a reader counts, as
openpyxl, pandas and LibreOffice do). Most of a big report's compressed bytes were those
references. /work/shared/ooxml/semcheck.py predates this and expects every `r`, so it runs on
the copy this script writes; every other check it makes (cell order, styles, formulas,
dimension) then applies to the references the readers infer.

Usage: python bench/explicit_refs.py IN.xlsx OUT.xlsx
"""

from __future__ import annotations

import re
import sys
import zipfile

_TAG = re.compile(r"<row\b[^>]*>|<c\b[^>]*>")
_R = re.compile(r'\sr="([A-Z]*)(\d+)"')


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def explicit(xml: str) -> str:
    """The worksheet XML with `r` on every row and cell (as counted from the previous one)."""
    row = col = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal row, col
        tag = m.group(0)
        ref = _R.search(tag)
        if tag.startswith("<row"):
            row = int(ref.group(2)) if ref else row + 1
            col = 0
            return tag if ref else tag.replace("<row", f'<row r="{row}"', 1)
        col = _number(ref.group(1)) if ref else col + 1
        return tag if ref else tag.replace("<c", f'<c r="{_letters(col)}{row}"', 1)

    return _TAG.sub(fix, xml)


def main(src: str, dst: str) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = explicit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
