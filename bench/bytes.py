"""Where an .xlsx's bytes go: each part's XML and compressed size, a worksheet's hyperlinks apart.

Usage: python bench/bytes.py BOOK.xlsx [BOOK.xlsx ...]

For each workbook: one line per part (sheet parts named by their sheet), largest first, with
the share of the file. A worksheet's <hyperlinks> block is shown on a line of its own, compressed
by itself at the same level, as its cost inside the part (deflate's window is 32 KiB, so the block
at the end of a big sheet shares almost nothing with the rows before it). See bench/bytes.md.
"""

from __future__ import annotations

import html
import re
import sys
import zipfile
import zlib
from pathlib import Path


def sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name."""
    workbook = zf.read("xl/workbook.xml").decode("utf-8")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    target = {}
    for tag in re.findall(r"<Relationship\b[^>]*>", rels):
        rid, to = re.search(r'\bId="([^"]+)"', tag), re.search(r'\bTarget="([^"]+)"', tag)
        if rid and to:
            target[rid.group(1)] = to.group(1)
    out = {}
    for tag in re.findall(r"<sheet\b[^>]*>", workbook):
        name, rid = re.search(r'\bname="([^"]*)"', tag), re.search(r'\br:id="([^"]+)"', tag)
        if name and rid and rid.group(1) in target:
            out["xl/" + target[rid.group(1)].lstrip("/").removeprefix("xl/")] = html.unescape(name.group(1))
    return out


def breakdown(path: Path) -> list[str]:
    total = path.stat().st_size
    lines = [f"{path.name}: {total:,} bytes (compressed, share of the file, XML)"]
    with zipfile.ZipFile(path) as zf:
        names = sheet_names(zf)
        for info in sorted(zf.infolist(), key=lambda i: -i.compress_size):
            name = names.get(info.filename, info.filename)
            lines.append(f"  {info.compress_size:>10,} {100 * info.compress_size / total:5.1f}%  "
                         f"{info.file_size:>12,}  {name}")
            if info.filename not in names:
                continue
            xml = zf.read(info).decode("utf-8")
            start, end = xml.find("<hyperlinks>"), xml.find("</hyperlinks>")
            if start >= 0:
                block = xml[start:end].encode("utf-8")
                packed = len(zlib.compress(block, 6))
                count = xml.count("<hyperlink ", start, end)
                lines.append(f"  {packed:>10,} {100 * packed / total:5.1f}%  {len(block):>12,}    of which "
                             f"<hyperlinks> ({count:,} links, compressed alone)")
    return lines


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for arg in sys.argv[1:]:
        print("\n".join(breakdown(Path(arg))))
