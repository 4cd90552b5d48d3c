"""Gnumeric recalculates the workbook: every cell must read back as we wrote it, every formula
giving its cached value, and Gnumeric must print nothing (no error, no warning).

`ssconvert --recalc in.xlsx out.xlsx` recalculates every formula and writes its own workbook,
whose values openpyxl reads back (data_only). Without --recalc Gnumeric keeps the cached values
(test_gnumeric_really_recalculates shows both), so the comparison is not with ourselves. Skipped
with a reason where ssconvert is missing; CI installs it (.ci/run).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import FYLKE, ROOT, SAMPLE, mutate
from familygen import SHAPES, generate
from test_libreoffice import _generated

from converter import convert_file
from converter.run.batch import convert_paths

SSCONVERT = shutil.which("ssconvert")
pytestmark = [pytest.mark.gnumeric,
              # Gnumeric's own styles.xml has no default cell style; openpyxl says so reading it back
              pytest.mark.filterwarnings("ignore:Workbook contains no default style:UserWarning"),
              pytest.mark.skipif(SSCONVERT is None, reason="Gnumeric (ssconvert) is not installed; "
                                 "apt-get install gnumeric")]


# Gnumeric reads a cell note from xl/commentsN.xml, and then meets the same note's legacy VML box
# (xl/drawings/vmlDrawingN.vml, `<x:ClientData ObjectType="Note">`, which Excel needs to show it):
# its VML reader turns only form controls into objects and prints this line for every other kind
# (plugins/excel/xlsx-read-drawing.c, xlsx_vml_client_data_start). It says nothing is wrong with
# the note, which Gnumeric did read (differences() compares every note).
_VML_NOTE = "Unhandled object of type Note"
# A time-series sheet too wide for one page repeats its label columns and its header rows on every
# printed page: `_xlnm.Print_Titles` is then two ranges ('S'!$A:$B,'S'!$1:$4), as Excel itself
# writes it. Gnumeric's reader takes one expression per defined name and prints this line for it
# (it prints the sheet without repeated titles); nothing else of the file is affected.
_PRINT_TITLES = re.compile(r"At A1: '.+!\$A:\$B,.+!\$1:\$\d+' Multiple expressions are not supported in this context")


def _notes(book: Path) -> int:
    with zipfile.ZipFile(book) as zf:
        return sum(zf.read(n).count(b"<comment ") for n in zf.namelist() if n.startswith("xl/comments"))


def recalculated(tmp: Path, book: Path) -> Path:
    """Gnumeric's recalculated copy of `book`; Gnumeric must print nothing but one _VML_NOTE line
    per note of the workbook. The run does not depend on the machine (its own HOME; GSettings in
    memory, where GLib would otherwise warn that it falls back to memory when no dconf module is
    installed; one locale), so any other line is about our file."""
    home = tmp / "gnumeric-home"
    home.mkdir(exist_ok=True)
    env = {**os.environ, "HOME": str(home), "GSETTINGS_BACKEND": "memory", "LC_ALL": "C.UTF-8"}
    env.pop("DISPLAY", None)
    out = tmp / f"{book.stem}-gnumeric.xlsx"
    done = subprocess.run([SSCONVERT, "--recalc", str(book), str(out)], capture_output=True, text=True,
                          timeout=300, env=env, check=False)
    printed = [line for line in done.stderr.splitlines() if not _PRINT_TITLES.fullmatch(line)]
    assert (done.returncode, done.stdout, printed) == (0, "", [_VML_NOTE] * _notes(book)), (
        f"ssconvert on {book.name}:\n{done.stderr}")
    return out


def _same(ours: object, theirs: object) -> bool:
    blank = (None, "")                  # an empty cell, or a formula's "" (shown blank)
    if ours in blank or theirs in blank:
        return ours in blank and theirs in blank
    if isinstance(ours, int | float) and isinstance(theirs, int | float):
        return ours == theirs and isinstance(ours, bool) == isinstance(theirs, bool)   # exact
    return type(ours) is type(theirs) and ours == theirs


def differences(tmp: Path, book: Path) -> tuple[int, int, list[str]]:
    """(formulas compared, cells compared, differences): every cell of every sheet, Gnumeric's
    recalculated value against the value we wrote (a formula's: its cached value)."""
    out = recalculated(tmp, book)
    formulas = openpyxl.load_workbook(book)
    ours = openpyxl.load_workbook(book, data_only=True)
    theirs = openpyxl.load_workbook(out, data_only=True)
    assert theirs.sheetnames == ours.sheetnames
    n_formulas = n_cells = 0
    found: list[str] = []
    for name in ours.sheetnames:
        mine, gnumeric = ours[name], theirs[name]
        rows = max(mine.max_row, gnumeric.max_row)
        columns = max(mine.max_column, gnumeric.max_column)
        for row in formulas[name].iter_rows(min_row=1, max_row=rows, max_col=columns):
            for c in row:
                value, shown = mine[c.coordinate].value, gnumeric[c.coordinate].value
                note, read = mine[c.coordinate].comment, gnumeric[c.coordinate].comment
                if (note and note.text) != (read and read.text):
                    found.append(f"{name}!{c.coordinate}: our note {note and note.text!r}, "
                                 f"Gnumeric's {read and read.text!r}")
                n_formulas += isinstance(c.value, str) and c.value.startswith("=")
                n_cells += value is not None
                if not _same(value, shown):
                    found.append(f"{name}!{c.coordinate} ({c.value!r}): ours {value!r}, Gnumeric {shown!r}")
    return n_formulas, n_cells, found


def _avvik(tmp_path: Path) -> Path:
    path = tmp_path / "avvik-2014-02.txt"
    path.write_bytes(mutate(SAMPLE.read_bytes(), b"Mentor\t85\t10\t70\t5", b"Mentor\t85\t10\t80\t5"))
    return path


@pytest.mark.parametrize("source", [SAMPLE, FYLKE, "avvik", "archive", "random", "symbols", "decimals"])
def test_gnumeric_recalculation_equals_cached_values(tmp_path, source):
    if source == "avvik":
        source = _avvik(tmp_path)
    elif isinstance(source, str):
        source = _generated(tmp_path, source)
    book = tmp_path / (source.stem + ".xlsx")
    result = convert_file(source, book)
    n_formulas, n_cells, found = differences(tmp_path, book)
    assert found == []
    # every check's three formulas (Arbeidsbok, Differanse, Status) and the table sheets' formulas
    assert n_formulas > 3 * len(result.checks) and n_cells > n_formulas


@pytest.mark.parametrize("shape", SHAPES)
def test_gnumeric_recalculation_of_every_family_shape(tmp_path, shape):
    """Each shape of the family (tests/familygen.py): Gnumeric, like Excel, reads a reference to an
    empty cell as 0, where LibreOffice keeps it blank, so shapes with blank published cells in
    another table's percent column are checked here and not by LibreOffice."""
    source = tmp_path / f"{shape}-2015-03.txt"
    source.write_text(generate(shape, 3).text, encoding="utf-8")
    book = tmp_path / f"{shape}.xlsx"
    result = convert_file(source, book)
    n_formulas, n_cells, found = differences(tmp_path, book)
    assert found == []
    assert n_formulas >= 3 * len(result.checks) and n_cells > n_formulas


def test_gnumeric_recalculates_an_avvik_report_to_its_avvik(tmp_path):
    book = tmp_path / "avvik.xlsx"
    result = convert_file(_avvik(tmp_path), book)
    failures = sum(not c.holds for c in result.checks)
    assert failures > 0
    again = openpyxl.load_workbook(recalculated(tmp_path, book), data_only=True)
    assert again["Avstemming"]["B4"].value == failures
    assert again["Innhold"]["B9"].value == f"{failures} av {len(result.checks)} kontroller AVVIK"
    # the notes on contradicted cells came through (recalculated() let their VML lines pass)
    notes = [(ws.title, c.coordinate, c.comment.text) for ws in again.worksheets for row in ws.iter_rows()
             for c in row if c.comment]
    ours = openpyxl.load_workbook(book)
    assert notes == [(ws.title, c.coordinate, c.comment.text) for ws in ours.worksheets for row in ws.iter_rows()
                     for c in row if c.comment]
    assert len(notes) == _notes(book) > 0


def test_gnumeric_recalculation_of_a_batchs_time_series(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from make_archive import write_archive

    archive = tmp_path / "arkiv"
    write_archive(archive, 26, seed=5, revise=3, rename_at=(2013, 10))     # revisions: Revisjoner's formulas
    summary = convert_paths([archive], tmp_path / "xlsx", jobs=1)
    xlsx = next(p for p in summary.timeseries if p.suffix == ".xlsx")
    n_formulas, n_cells, found = differences(tmp_path, xlsx)
    assert found == []
    assert summary.series["revisions"] > 0 and n_formulas == summary.series["revisions"] + 1
    assert n_cells > 1000
    with zipfile.ZipFile(xlsx) as zf:          # the charts were read (and drew without a message)
        assert sum(n.startswith("xl/charts/chart") for n in zf.namelist()) > 1


def _plant(book: Path, out: Path, changes: dict[str, list[tuple[bytes, bytes]]]) -> None:
    """A copy of `book` with cached values changed in the raw XML of its parts."""
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            for old, new in changes.get(info.filename, []):
                data = mutate(data, old, new)
            zout.writestr(info, data)


def test_gnumeric_really_recalculates(tmp_path):
    """Wrong cached values planted in a copy (a plain formula, a shared formula's master and a
    follower) come back corrected: the comparison above cannot pass by reading our own cache."""
    book = tmp_path / "sample.xlsx"
    convert_file(SAMPLE, book)
    with zipfile.ZipFile(book) as zf:       # Status's style: the centred one the workbook adds to the template's
        status = re.search(rb'<c r="K7" s="(\d+)" t="str">', zf.read("xl/worksheets/sheet7.xml")).group(1)
    wrong = tmp_path / "wrong.xlsx"
    _plant(book, wrong, {
        "xl/worksheets/sheet2.xml": [(b'<c r="B5" s="9"><f>SUM(B6:B8)</f><v>75412</v>',
                                      b'<c r="B5" s="9"><f>SUM(B6:B8)</f><v>1</v>')],
        "xl/worksheets/sheet7.xml": [(b'si="0">SUM(I6)-SUM(H6)</f><v>0</v>', b'si="0">SUM(I6)-SUM(H6)</f><v>9</v>'),
                                     (b'<c r="K7" s="' + status + b'" t="str"><f t="shared" si="1"/><v>OK</v>',
                                      b'<c r="K7" s="' + status + b'" t="str"><f t="shared" si="1"/><v>AVVIK</v>')]})
    *_, found = differences(tmp_path, wrong)
    assert found == [
        "Hovedgrupper!B5 ('=SUM(B6:B8)'): ours 1, Gnumeric 75412",
        "Avstemming!J6 ('=SUM(I6)-SUM(H6)'): ours 9, Gnumeric 0",
        "Avstemming!K7 ('=IF(SUM(I7)=SUM(H7),\"OK\",\"AVVIK\")'): ours 'AVVIK', Gnumeric 'OK'",
    ]
    # without --recalc Gnumeric keeps the cached values
    plain = tmp_path / "plain.xlsx"
    subprocess.run([SSCONVERT, str(wrong), str(plain)], capture_output=True, timeout=300, check=True)
    assert openpyxl.load_workbook(plain, data_only=True)["Hovedgrupper"]["B5"].value == 1
