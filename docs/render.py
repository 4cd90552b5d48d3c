"""Render the pictures of README.md and docs/ from the bundled sample: LibreOffice headless → PDF → PNG.

    python docs/render.py            # writes docs/table.png, docs/avstemming*.png, docs/tidsserie*.png

What it does, in a temporary folder:
1. converts samples/tiltak-2014-02.txt with tiltak2xlsx (this interpreter's `-m converter`);
2. makes a small archive (bench/make_archive.py --count 24) and converts it, for tidsserie.xlsx;
3. for each picture, copies the workbook with every other sheet hidden (one attribute in
   xl/workbook.xml; nothing else changes, so formulas still reach the other sheets), prints it to
   PDF with `soffice --headless --convert-to pdf` (which recalculates it, as a user's LibreOffice
   would), renders the first page with `pdftoppm`, and crops it to the printed content (at most
   MAX_HEIGHT pixels tall: the top of a long sheet is what a reader looks at).

Needs LibreOffice (`soffice`) and poppler (`pdftoppm`): `apt-get install libreoffice-calc-nogui
poppler-utils`. No Python packages beyond the project's own. tests/test_docs.py runs it.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "tiltak-2014-02.txt"
MAKE_ARCHIVE = ROOT / "bench" / "make_archive.py"
DPI = 110
MAX_HEIGHT = 760          # pixels; the top of a long sheet
MARGIN = 12               # pixels of white kept around the content


class RenderError(Exception):
    """A step failed; the message says which and why."""


def run(argv: list[str], what: str, cwd: Path | None = None, timeout: int = 300) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, errors="replace", cwd=cwd, timeout=timeout,
                          check=False, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise RenderError(f"{what} failed (exit code {proc.returncode}): {' '.join(argv)}\n"
                          f"{(proc.stderr or proc.stdout).strip()}")


def sheet_names(xlsx: Path) -> list[str]:
    with zipfile.ZipFile(xlsx) as zf:
        xml = zf.read("xl/workbook.xml").decode("utf-8")
    return [html.unescape(m) for m in re.findall(r'<sheet\b[^>]*?\bname="([^"]*)"', xml)]


def chart_sheet(xlsx: Path) -> str:
    """The name of the first worksheet that holds a drawing (the time-series chart)."""
    with zipfile.ZipFile(xlsx) as zf:
        names = set(zf.namelist())
        xml = zf.read("xl/workbook.xml").decode("utf-8")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        targets = dict(re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
        targets.update({k: v for v, k in re.findall(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"',
                                                      rels)})
        for tag in re.findall(r"<sheet\b[^>]*/>", xml):
            name = html.unescape(re.search(r'\bname="([^"]*)"', tag).group(1))       # type: ignore[union-attr]
            rid = re.search(r'r:id="([^"]+)"', tag).group(1)                          # type: ignore[union-attr]
            target = targets.get(rid, "").lstrip("/")
            path = target if target.startswith("xl/") else f"xl/{target}"
            rel = path.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rel in names and "drawing" in zf.read(rel).decode("utf-8"):
                return name
    raise RenderError(f"{xlsx.name}: no sheet with a chart")


def only_sheet(xlsx: Path, name: str, out: Path, wide: bool = False) -> None:
    """Copy `xlsx` to `out` with every sheet but `name` hidden and `name` the active one.

    `wide`: print that sheet in landscape with its columns narrowed to the text of the rows the
    picture shows (see fit_columns), so a sheet of many wide columns (Avstemming, whose widths
    leave room for any report's labels) prints at a readable scale; the cells are not touched.
    """
    with zipfile.ZipFile(xlsx) as zf:
        xml = zf.read("xl/workbook.xml").decode("utf-8")
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        tags = re.findall(r"<sheet\b[^>]*/>", xml)
        index, part = None, None
        for i, tag in enumerate(tags):
            this = html.unescape(re.search(r'\bname="([^"]*)"', tag).group(1))     # type: ignore[union-attr]
            state = "visible" if this == name else "hidden"
            if this == name:
                index = i
                rid = re.search(r'r:id="([^"]+)"', tag).group(1)                   # type: ignore[union-attr]
                rel = re.search(rf'<Relationship\b[^>]*?Id="{rid}"[^>]*>', rels).group(0)  # type: ignore[union-attr]
                target = re.search(r'Target="([^"]+)"', rel).group(1).lstrip("/")  # type: ignore[union-attr]
                part = target if target.startswith("xl/") else f"xl/{target}"
            new = re.sub(r'\s+state="[^"]*"', "", tag).replace("<sheet ", f'<sheet state="{state}" ', 1)
            xml = xml.replace(tag, new, 1)
        if index is None:
            raise RenderError(f"{xlsx.name}: no sheet {name!r} (has {', '.join(sheet_names(xlsx))})")
        for _ in range(2):
            xml = re.sub(r'(<workbookView\b[^>]*?)\s+(activeTab|firstSheet)="\d+"', r"\1", xml)
        xml = xml.replace("<workbookView", f'<workbookView activeTab="{index}" firstSheet="{index}"', 1)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in zf.infolist():
                data = zf.read(info)
                if info.filename == "xl/workbook.xml":
                    data = xml.encode("utf-8")
                elif wide and info.filename == part:
                    sheet = data.decode("utf-8")
                    sheet = re.sub(r'(<pageSetup\b[^>]*?)\s+orientation="\w+"', r"\1", sheet)
                    sheet = sheet.replace("<pageSetup", '<pageSetup orientation="landscape"', 1)
                    # one page across, the narrowed columns fitted to it (the sheet itself prints two)
                    sheet = re.sub(r'(<pageSetup\b[^>]*?)\s+fitToWidth="\d+"', r'\1 fitToWidth="1"', sheet)
                    data = fit_columns(sheet).encode("utf-8")
                dst.writestr(info, data)


def column_index(ref: str) -> int:
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):      # type: ignore[union-attr]
        n = n * 26 + ord(ch) - 64
    return n


def fit_columns(sheet: str, rows: int = 60) -> str:
    """The sheet XML with each column as wide as its longest text in the first `rows` rows.

    Only rows 5 on count (1 to 4 are the title and the counts, which may overflow to the right).
    """
    widths: dict[int, int] = {}
    number = 0
    # A row or cell without its (optional) reference follows the previous one, as readers count.
    for attrs, body in re.findall(r"<row\b([^>]*)>(.*?)</row>", sheet, flags=re.S):
        ref = re.search(r'\br="(\d+)"', attrs)
        number = int(ref.group(1)) if ref else number + 1
        if not 5 <= number <= rows:
            continue
        column = 0
        for attrs, cell in re.findall(r"<c\b([^>]*?)(?:/>|>(.*?)</c>)", body, flags=re.S):
            ref = re.search(r'\br="([A-Z]+)\d+"', attrs)
            column = column_index(ref.group(1)) if ref else column + 1
            text = re.search(r"<t[^>]*>(.*?)</t>", cell, flags=re.S) or re.search(r"<v>(.*?)</v>", cell)
            if text:
                size = len(html.unescape(text.group(1))) + (2 if text.group(0).startswith("<v") else 1)
                widths[column] = max(widths.get(column, 4), size)
    # A width counts the default font's digits; letters of a label are narrower (about 0.9 of one).
    cols = "".join(f'<col min="{c}" max="{c}" width="{min(w, 60) * 0.9 + 2:.1f}" customWidth="1"/>'
                   for c, w in sorted(widths.items()))
    return re.sub(r"<cols>.*?</cols>", f"<cols>{cols}</cols>", sheet, count=1, flags=re.S)


def read_ppm(path: Path) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of a binary PPM (P6, maxval 255), as pdftoppm writes it."""
    data = path.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:                       # magic, width, height, maxval; no comments from pdftoppm
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P6" or fields[3] != b"255":
        raise RenderError(f"{path.name}: not an 8-bit binary PPM")
    return int(fields[1]), int(fields[2]), data[pos + 1:]


def content_box(width: int, height: int, rgb: bytes, max_height: int = MAX_HEIGHT) -> tuple[int, int, int, int]:
    """x, y, w, h of the non-white pixels (with MARGIN), at most `max_height` tall."""
    stride = width * 3
    white = b"\xff" * stride
    rows = [y for y in range(height) if rgb[y * stride:(y + 1) * stride] != white]
    if not rows:
        raise RenderError("the rendered page is blank")
    top, bottom = rows[0], rows[-1]
    left, right = width, 0
    for y in rows:
        line = rgb[y * stride:(y + 1) * stride]
        stripped = line.lstrip(b"\xff")
        first = (stride - len(stripped)) // 3
        last = (len(line.rstrip(b"\xff")) - 1) // 3
        left, right = min(left, first), max(right, last)
    x0, y0 = max(0, left - MARGIN), max(0, top - MARGIN)
    x1, y1 = min(width, right + MARGIN + 1), min(height, bottom + MARGIN + 1, y0 + max_height)
    return x0, y0, x1 - x0, y1 - y0


def picture(xlsx: Path, sheet: str, png: Path, work: Path, soffice: str, wide: bool = False,
            dpi: int = DPI, max_height: int = MAX_HEIGHT, page: int = 1) -> Path:
    """Render printed page `page` of `sheet` to `png`, cropped to its content."""
    stem = re.sub(r"\W+", "-", png.stem)
    single = work / f"{stem}.xlsx"
    only_sheet(xlsx, sheet, single, wide)
    profile = (work / "lo-profile").resolve().as_uri()
    run([soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf",
         "--outdir", str(work), str(single)], "LibreOffice (soffice --convert-to pdf)")
    pdf = work / f"{stem}.pdf"
    if not pdf.is_file():
        raise RenderError(f"LibreOffice wrote no {pdf.name}")
    n = str(page)
    run(["pdftoppm", "-r", str(dpi), "-f", n, "-l", n, "-singlefile", str(pdf), str(work / stem)],
        "pdftoppm (PPM)")
    x, y, w, h = content_box(*read_ppm(work / f"{stem}.ppm"), max_height)
    run(["pdftoppm", "-png", "-r", str(dpi), "-f", n, "-l", n, "-singlefile", "-x", str(x), "-y", str(y),
         "-W", str(w), "-H", str(h), str(pdf), str(png.with_suffix(""))], "pdftoppm (PNG)")
    return png


def render(out: Path, soffice: str = "soffice") -> list[Path]:
    for tool in (soffice, "pdftoppm"):
        if shutil.which(tool) is None:
            raise RenderError(f"{tool} is missing: apt-get install libreoffice-calc-nogui poppler-utils")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tiltak2xlsx-docs-") as tmp:
        work = Path(tmp)
        env_python = [sys.executable, "-m", "converter"]
        sample = work / "tiltak-2014-02.xlsx"
        run([*env_python, str(SAMPLE), "-o", str(sample), "--quiet", "--force"], "tiltak2xlsx (sample)", cwd=ROOT)
        run([sys.executable, str(MAKE_ARCHIVE), "--count", "24", "--seed", "1", "--out", str(work / "arkiv")],
            "bench/make_archive.py")
        run([*env_python, str(work / "arkiv"), "-o", str(work / "arkiv-xlsx"), "--quiet", "--jobs", "1"],
            "tiltak2xlsx (archive)", cwd=ROOT)
        series = work / "arkiv-xlsx" / "tidsserie.xlsx"
        tables = [n for n in sheet_names(sample) if n not in ("Innhold", "Avstemming")]
        table = next((n for n in tables if " og " in n), tables[0])     # a table with sections, if there is one
        series_tables = [n for n in sheet_names(series) if n not in ("Innhold", "Diagram", "Revisjoner")]
        return [picture(sample, table, out / "table.png", work, soffice),
                picture(sample, "Avstemming", out / "avstemming.png", work, soffice, wide=True, dpi=135,
                        max_height=470),
                # as printed: Avstemming's first page and the page across it; a time-series sheet's first page
                picture(sample, "Avstemming", out / "avstemming-side1.png", work, soffice, max_height=520),
                picture(sample, "Avstemming", out / "avstemming-side2.png", work, soffice, max_height=520, page=2),
                picture(series, chart_sheet(series), out / "tidsserie.png", work, soffice),
                picture(series, series_tables[0], out / "tidsserie-side.png", work, soffice, max_height=520)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render the pictures of README.md and docs/ (LibreOffice → PDF → PNG).")
    ap.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the PNGs (default docs/)")
    ap.add_argument("--soffice", default="soffice", help="the LibreOffice command (default soffice)")
    args = ap.parse_args(argv)
    try:
        for png in render(args.out, args.soffice):
            print(png)
    except (RenderError, subprocess.TimeoutExpired) as exc:
        print(f"render.py: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
