"""A real spreadsheet program recalculates the workbook: every formula's cached value must agree.

LibreOffice shows cached values unless told to recalculate on load; an isolated profile forces
it (OOXMLRecalcMode and ODFRecalcMode set to "always"). Skipped with a reason where soffice is
missing; CI installs it.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from conftest import FYLKE, ROOT, SAMPLE

from converter import convert_file

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; "
                                 "apt-get install libreoffice-calc-nogui")]

PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice(tmp: Path, target: str, *books: Path) -> Path:
    profile = tmp / "profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(PROFILE, encoding="utf-8")
    out = tmp / "out"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target,
                    "--outdir", str(out), *map(str, books)], check=True, capture_output=True, timeout=300)
    return out


def _same(cached: object, shown: str) -> bool:
    if cached is None or cached == "":
        return shown == ""
    if isinstance(cached, bool):
        return shown.upper() == str(cached).upper()
    if isinstance(cached, int | float):
        try:
            return abs(float(shown) - cached) < 1e-6
        except ValueError:
            return False
    return str(cached) == shown


def recalculated_differences(tmp: Path, book: Path) -> tuple[int, list[str]]:
    """Compare LibreOffice's recalculated values with the cached ones, cell by cell."""
    return _compare_exported(soffice(tmp, CSV_FILTER, book), book)


def _generated(tmp_path, which: str) -> Path:
    if which == "archive":
        import sys

        sys.path.insert(0, str(ROOT / "bench"))
        from make_archive import write_archive

        return write_archive(tmp_path / "gen", 1, seed=11, scale=3, flat=True)[0]
    if which == "symbols":
        path = tmp_path / "symbols-2014-02.txt"
        path.write_bytes(SAMPLE.read_bytes().replace(b"Mentor\t85\t10\t70\t5", b"Mentor\t85\t10\t:\t.."))
        return path
    if which == "decimals":
        path = tmp_path / "decimals-2017-02.txt"
        path.write_text(DECIMALS, encoding="utf-8")
        return path
    from reportgen import generate

    path = tmp_path / "random-2015-03.txt"
    path.write_text(generate(20251125, 3).text, encoding="utf-8")
    return path


# Year columns (change and growth as formulas), a share with one decimal (ties included: 100 × 1 / 8
# = 12.5 → 13 with no decimals, 100 × 1 / 16 = 6.25 → 6.3), a rate published as is.
DECIMALS = """# Deltakere i arbeidsrettede tiltak. Prøve. En måned

## Hovedgrupper

Februar 2017

\tFebruar 2016\tFebruar 2017\tEndring fra i fjor Antall\tEndring fra i fjor Prosent
<b>I alt</b>\t<b>1 000</b>\t<b>1 100</b>\t<b>100</b>\t<b>10,0</b>
Arbeidssøkere på tiltak\t400\t420\t20\t5,0
Nedsatt arbeidsevne, på tiltak\t592\t672\t80\t13,5
Andre på tiltak\t8\t8\t0\t0,0

## Andeler

Februar 2017

\tAntall\tAndel i prosent\tProsent av arbeidsstyrken
<b>I alt</b>\t<b>1 100</b>\t<b>100,0</b>\t<b>0,4</b>
Arbeidssøkere på tiltak\t420\t38,2\t0,2
Nedsatt arbeidsevne, på tiltak\t672\t61,1\t0,3
Andre på tiltak\t8\t0,7\t0,0

## Små tall

Februar 2017

\tAntall\tAndel i prosent\tAndel
<b>I alt små tall</b>\t<b>16</b>\t<b>100,0</b>\t<b>100</b>
A\t1\t6,3\t6
B\t2\t12,5\t13
C\t13\t81,3\t81
"""


@pytest.mark.parametrize("source", [SAMPLE, FYLKE, "archive", "random", "symbols", "decimals"])
def test_libreoffice_recalculation_equals_cached_values(tmp_path, source):
    if isinstance(source, str):
        source = _generated(tmp_path, source)
    book = tmp_path / (source.stem + ".xlsx")
    result = convert_file(source, book)
    compared, differences = recalculated_differences(tmp_path, book)
    assert differences == []
    assert compared > len(result.checks)      # every check's formula and every table formula were compared


def test_libreoffice_recalculation_of_a_changed_number(tmp_path, sample_bytes):
    src = tmp_path / "changed.txt"
    src.write_bytes(sample_bytes.replace(b"Mentor\t85\t10\t70\t5", b"Mentor\t85\t10\t80\t5"))
    book = tmp_path / "changed.xlsx"
    convert_file(src, book)
    compared, differences = recalculated_differences(tmp_path, book)
    assert differences == [] and compared > 0


@pytest.mark.parametrize("source", [SAMPLE, "archive", "random"])
def test_libreoffice_exports_pdf_and_xlsx_with_the_same_numbers(tmp_path, source):
    if isinstance(source, str):
        source = _generated(tmp_path, source)
    book = tmp_path / "book.xlsx"
    result = convert_file(source, book)
    out = soffice(tmp_path, "pdf", book)
    assert (out / "book.pdf").stat().st_size > 10_000
    out = soffice(tmp_path / "x", "xlsx:Calc MS Excel 2007 XML", book)
    again = openpyxl.load_workbook(out / "book.xlsx", data_only=True)
    ours = openpyxl.load_workbook(book, data_only=True)
    assert again.sheetnames == ours.sheetnames
    compared = 0
    for name in ours.sheetnames[1:]:
        for row in ours[name].iter_rows():
            for c in row:
                if isinstance(c.value, int | float) and not isinstance(c.value, bool):
                    assert again[name][c.coordinate].value == c.value, (name, c.coordinate)
                    compared += 1
    assert compared > 2 * len(result.checks)
    import pandas as pd

    frames = pd.read_excel(book, sheet_name=None, header=None)
    for name in ours.sheetnames[1:-1]:       # the table sheets: pandas sees every number openpyxl sees
        seen = sorted(int(v) for v in frames[name].to_numpy().ravel() if isinstance(v, int | float) and v == v)
        expected = sorted(c.value for row in ours[name].iter_rows() for c in row
                          if isinstance(c.value, int | float) and not isinstance(c.value, bool))
        assert seen == expected, name
    assert again["Innhold"]["B9"].value == f"Alle {len(result.checks)} kontroller OK"


def test_libreoffice_recalculated_sample_equals_the_report(tmp_path, sample_report):
    from converter.books.layout import sheet_names, table_layout

    book = tmp_path / "sample.xlsx"
    convert_file(SAMPLE, book)
    out = soffice(tmp_path, CSV_FILTER, book)
    names = sheet_names([t.title for t in sample_report.tables])
    compared = 0
    for table, name in zip(sample_report.tables, names, strict=True):
        with (out / f"sample-{name}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        layout = table_layout(table, name)
        for s, section in enumerate(table.sections):
            for r, row in enumerate(section.rows):
                sheet_row = rows[layout.row_of[s][r] - 1]
                assert sheet_row[0] == row.label
                for c, published in enumerate(row.values):
                    shown = sheet_row[c + 1]
                    # a blank stays blank, or is a formula's 0 shown blank by its number format
                    assert (shown in ("", "0") if published is None else shown == str(published)), (
                        name, row.label, c, shown, published)
                    compared += 1
    assert compared == 361


def test_libreoffice_recalculates_the_real_world_shapes(tmp_path):
    """Issue 16's shapes, consistent and with a planted error (published numbers in the Avvik style,
    relations computed live on Avstemming): every formula's cached value is what LibreOffice computes."""
    import random

    from familygen import REAL_WORLD, generate

    books = []
    for make in REAL_WORLD:
        g = generate(make.__name__, 1)
        rng = random.Random(f"lo:{make.__name__}")
        for name, text in ((make.__name__, g.text), (f"{make.__name__}-avvik", g.mutation(rng.choice(g.targets()),
                                                                                           rng).text)):
            src = tmp_path / f"{name}.txt"
            src.write_text(text, encoding="utf-8")
            book = tmp_path / f"{name}.xlsx"
            result = convert_file(src, book)
            assert bool(result.failures) == name.endswith("-avvik")
            books.append(book)
    out = soffice(tmp_path, CSV_FILTER, *books)
    compared, differences = 0, []
    for book in books:
        n, found = _compare_exported(out, book)
        compared += n
        differences += found
    assert differences == []
    assert compared > 1000


def _compare_exported(out: Path, book: Path) -> tuple[int, list[str]]:
    """The cached values of `book` against LibreOffice's CSV export of it (in `out`)."""
    cached = openpyxl.load_workbook(book, data_only=True)
    formulas = openpyxl.load_workbook(book)
    compared, differences = 0, []
    for name in cached.sheetnames:
        path = out / f"{book.stem}-{name}.csv"
        assert path.exists(), f"LibreOffice wrote no {path.name}"
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        for row in formulas[name].iter_rows():
            for c in row:
                if not (isinstance(c.value, str) and c.value.startswith("=")):
                    continue
                shown = rows[c.row - 1][c.column - 1] if c.row - 1 < len(rows) and c.column - 1 < len(
                    rows[c.row - 1]) else ""
                value = cached[name][c.coordinate].value
                compared += 1
                if not _same(value, shown):
                    differences.append(f"{book.name} {name}!{c.coordinate}: cached {value!r}, LibreOffice {shown!r}")
    return compared, differences
