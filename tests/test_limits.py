"""Excel's hard limits: each at its edge. A report that cannot fit is refused in one line before
anything is written; one that can is written within every limit."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace

import openpyxl
import pytest
from conftest import SAMPLE

import converter.books.layout as layout
from converter import ReportFormatError, convert_file, parse_bytes
from converter.books.layout import MAX_COLUMNS, MAX_FORMULA, MAX_LINKS, MAX_ROWS, MAX_TEXT, limit_problem, table_layout
from converter.xlsx.package import Sheet, _sheet_xml


def _layouts(report):
    names = layout.sheet_names([t.title for t in report.tables])
    return [table_layout(t, n) for t, n in zip(report.tables, names, strict=True)]


def test_sample_is_within_every_limit(sample_report):
    assert limit_problem(sample_report, _layouts(sample_report), 262) is None


def test_rows_edge_table_sheet(sample_report, monkeypatch):
    layouts = _layouts(sample_report)
    biggest = max(lay.last_row for lay in layouts)
    monkeypatch.setattr(layout, "MAX_ROWS", biggest)
    assert limit_problem(sample_report, layouts, 0) is None
    monkeypatch.setattr(layout, "MAX_ROWS", biggest - 1)
    assert limit_problem(sample_report, layouts, 0) == (
        f"table «Tiltak og hovedgrupper» needs {biggest} rows; an Excel sheet holds {biggest - 1}")


def test_rows_edge_avstemming(sample_report, monkeypatch):
    monkeypatch.setattr(layout, "MAX_ROWS", 5 + 262)          # header at row 5, one row per check
    assert limit_problem(sample_report, _layouts(sample_report), 262) is None
    assert limit_problem(sample_report, _layouts(sample_report), 263) == (
        "263 checks need more rows than the Avstemming sheet can have (267)")
    assert MAX_ROWS == 1_048_576


def test_columns_edge(sample_report):
    layouts = _layouts(sample_report)
    at_edge = [replace(layouts[0], columns=MAX_COLUMNS - 1), *layouts[1:]]
    assert limit_problem(sample_report, at_edge, 0) is None
    over = [replace(layouts[0], columns=MAX_COLUMNS), *layouts[1:]]
    assert limit_problem(sample_report, over, 0) == (
        "table «Hovedgrupper» has 16384 columns; an Excel sheet holds 16383 beside its label column")


@pytest.mark.parametrize(("length", "ok"), [(MAX_TEXT, True), (MAX_TEXT + 1, False)])
def test_text_edge(sample_report, length, ok):
    table = sample_report.tables[0]
    section = table.sections[0]
    rows = (replace(section.rows[0], label="x" * length), *section.rows[1:])
    changed = replace(sample_report, tables=(replace(table, sections=(replace(section, rows=rows),
                                                                     *table.sections[1:])),
                                             *sample_report.tables[1:]))
    problem = limit_problem(changed, _layouts(changed), 0)
    assert (problem is None) is ok
    if not ok:
        assert problem == f"a text of {MAX_TEXT + 1:,} characters; an Excel cell holds {MAX_TEXT:,}"


def test_refused_in_one_line_before_anything_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(layout, "MAX_ROWS", 100)
    out = tmp_path / "x.xlsx"
    with pytest.raises(ReportFormatError) as info:
        convert_file(SAMPLE, out)
    assert str(info.value) == ("tiltak-2014-02.txt: too big for Excel: 262 checks need more rows than the "
                               "Avstemming sheet can have (100). Split the report into smaller ones.")
    assert info.value.reason == "limit"
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- hyperlinks

def _links(n: int) -> Sheet:
    return Sheet("S", links=[(f"A{i}", f"'S'!B{i}", f"S!B{i}") for i in range(1, n + 1)])


def test_writer_keeps_the_hyperlink_limit():
    xml = "".join(_sheet_xml(_links(MAX_LINKS), True, False, 9, (0.7,) * 6))
    assert xml.count("<hyperlink ") == MAX_LINKS == 65_530
    with pytest.raises(ValueError):
        "".join(_sheet_xml(_links(MAX_LINKS + 1), True, False, 9, (0.7,) * 6))


def test_links_past_the_limit_become_hyperlink_formulas(tmp_path, monkeypatch):
    import converter.books.report as workbook

    monkeypatch.setattr(workbook, "MAX_LINKS", 5)
    convert_file(SAMPLE, tmp_path / "x.xlsx")
    with zipfile.ZipFile(tmp_path / "x.xlsx") as zf:
        assert zf.read("xl/worksheets/sheet7.xml").decode().count("<hyperlink ") == 5
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["Avstemming"]
    assert all(ws.cell(r, 7).hyperlink is not None for r in range(6, 11))
    assert ws["G11"].hyperlink is None
    shown = openpyxl.load_workbook(tmp_path / "x.xlsx", data_only=True)["Avstemming"]["G11"].value
    sheet, address = shown.split("!")
    assert ws["G11"].value == f'=HYPERLINK("#\'{sheet}\'!{address}","{shown}")'


# --------------------------------------------------------------------------- formula length

def _long_total_report(groups: int) -> bytes:
    """One table whose top total sums `groups` subtotals scattered down the sheet."""
    lines = ["# Deltakere i arbeidsrettede tiltak. Lang", "", "## Grupper", "", "Mars 2016", "", "\tAntall",
             f"<b>I alt</b>\t<b>{groups * 3}</b>"]
    for g in range(groups):
        lines += [f"Rad {g} a\t1", f"Rad {g} b\t2", f"<b>I alt gruppe {g}</b>\t<b>3</b>"]
    return ("\n".join(lines) + "\n").encode()


def test_a_total_too_long_for_one_formula_uses_helper_rows(tmp_path):
    groups = 2000                     # "B1234," × 2000 is over 8,192 characters
    src = tmp_path / "lang.txt"
    src.write_bytes(_long_total_report(groups))
    report = parse_bytes(src.read_bytes(), "lang.txt")
    lay = _layouts(report)[0]
    assert list(lay.helpers) == [(0, 0)]
    result = convert_file(src, tmp_path / "lang.xlsx")
    assert result.failures == []
    with zipfile.ZipFile(tmp_path / "lang.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet2.xml").decode()
    formulas = re.findall(r"<f>(.*?)</f>", sheet)
    assert max(len(f) for f in formulas) + 1 <= MAX_FORMULA
    wb = openpyxl.load_workbook(tmp_path / "lang.xlsx")
    wv = openpyxl.load_workbook(tmp_path / "lang.xlsx", data_only=True)
    ws = wb["Grupper"]
    helpers = lay.helpers[(0, 0)].rows
    assert len(helpers) == 4                             # 2000 parts, 500 a row
    assert ws["B5"].value == f"=SUM(B{helpers[0]}:B{helpers[-1]})"
    assert wv["Grupper"]["B5"].value == groups * 3
    assert [wv["Grupper"].cell(r, 2).value for r in helpers] == [1500, 1500, 1500, 1500]
    # an independent oracle: each helper sums 500 of the subtotal rows (every third row from row 8)
    first = ws.cell(helpers[0], 2).value
    refs = re.findall(r"B(\d+)", first)
    assert [int(x) for x in refs] == list(range(8, 8 + 3 * 500, 3))
    assert ws.cell(helpers[0] - 1, 1).value.startswith("Delsummer")
    assert ws.cell(helpers[0], 1).value == "Delsum 1 av 4 for «I alt»"
