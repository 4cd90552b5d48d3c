"""Where an .xlsx's bytes go: each part's XML and compressed size, a worksheet's hyperlinks apart.

Usage: python bench/bytes.py BOOK.xlsx [BOOK.xlsx ...]
       python bench/bytes.py --floor BOOK.xlsx BASELINE.xlsx

For each workbook: one line per part (sheet parts named by their sheet), largest first, with
the share of the file. A worksheet's <hyperlinks> block is shown on a line of its own, compressed
by itself at the same level, as its cost inside the part (deflate's window is 32 KiB, so the block
at the end of a big sheet shares almost nothing with the rows before it). See bench/bytes.md.

--floor: how small the file could be if `Avstemming` lost parts of each check row (the other
parts as written), as a ratio to BASELINE.xlsx: what the issue-12 bytes target would cost. Each
variant rewrites the sheet's XML with a regular expression and compresses it at zlib level 6
(and one at 9); the zip's own overhead is carried over from BOOK.xlsx.
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


def _deflated(xml: str, level: int = 6) -> int:
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)      # raw deflate, as in a zip entry
    return len(packer.compress(xml.encode("utf-8")) + packer.flush())


def _drop_columns(xml: str, letters: str) -> str:
    """The sheet without the cells of columns `letters` (single letters)."""
    return re.sub(r'<c r="[' + letters + r']\d+"[^>]*?(?:/>|>.*?</c>)', "", xml)


def floor(path: Path, baseline: Path) -> list[str]:
    """File size and ratio to the baseline for leaner Avstemming rows (see the module docstring)."""
    base = baseline.stat().st_size
    total = path.stat().st_size
    with zipfile.ZipFile(path) as zf:
        names = sheet_names(zf)
        part = next(n for n, s in names.items() if s == "Avstemming")
        info = zf.getinfo(part)
        others = total - info.compress_size
        xml = zf.read(info).decode("utf-8")
        everything = {i.filename: zf.read(i).decode("utf-8", "replace") for i in zf.infolist()}
    no_links = re.sub(r"<hyperlinks>.*</hyperlinks>", "", xml, flags=re.S)
    live_only = _drop_columns(no_links, "ABCDEFG")
    variants = [
        ("as written", xml, 6),
        ("without the per-check hyperlinks", no_links, 6),
        ("and without columns A-G (labels, line, Celle): only Publisert, Arbeidsbok, Differanse, Status",
         live_only, 6),
        ("and without Differanse", _drop_columns(live_only, "J"), 6),
        ("all columns, no hyperlinks, no cell or row references (r)", re.sub(r' r="[A-Z]*\d+"', "", no_links), 6),
    ]
    lines = [f"{path.name} vs {baseline.name} ({base:,} bytes): Avstemming variants, file bytes, ratio"]
    for label, text, level in variants:
        size = others + _deflated(text, level) - (info.compress_size - _deflated(xml, level))
        lines.append(f"  {size:>10,}  {size / base:5.2f}×  {label}")
    # The last lever on top of the leanest row: every part at level 9 instead of 6.
    nine = sum(_deflated(t, 9) for n, t in everything.items() if n != part) + _deflated(live_only, 9)
    six = sum(_deflated(t, 6) for t in everything.values())
    size = total - six + nine
    lines.append(f"  {size:>10,}  {size / base:5.2f}×  only the four live columns, every part at zlib level 9")
    return lines


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--floor":
        if len(sys.argv) != 4:
            sys.exit(__doc__)
        print("\n".join(floor(Path(sys.argv[2]), Path(sys.argv[3]))))
        sys.exit(0)
    for arg in sys.argv[1:]:
        print("\n".join(breakdown(Path(arg))))
