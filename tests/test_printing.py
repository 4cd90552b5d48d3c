"""Printouts a reader can read (issue 21): no sheet prints below 80% of the template's 11 pt, wide
sheets go landscape over a few pages across, time-series sheets repeat their labels, each chart
has its own page, and Avstemming's numbers never run into the text beside them."""

from __future__ import annotations

import sys

import openpyxl
import pytest
from conftest import ROOT, SAMPLE

from converter import convert_file
from converter.run.batch import convert_paths
from converter.xlsx.package import LEAST_SCALE, column_inches, page_plan

sys.path.insert(0, str(ROOT / "bench"))
from make_archive import write_archive

A4_MARGINS = (0.75, 0.75, 1.0, 1.0, 0.5, 0.5)
PORTRAIT, LANDSCAPE = 8.27 - 1.5, 11.69 - 1.5        # A4's printable width, inches


def _columns(inches: float, width: float = 10.0) -> tuple[list[tuple[int, int, float]], int]:
    n = max(1, round(inches / column_inches(width)))
    return [(1, n, width)], n


@pytest.mark.parametrize(("need", "landscape", "expected"), [
    (6.0, False, (False, 1)),                           # fits portrait at 100%
    (PORTRAIT / 0.86, False, (False, 1)),               # portrait at 86%: still readable
    (PORTRAIT / 0.7, False, (True, 1)),                 # portrait would be 70%: landscape
    (LANDSCAPE / 0.7, False, (True, 2)),                # two pages across, each at about 100%
    (3 * LANDSCAPE, True, (True, 3)),
])
def test_page_plan(need, landscape, expected):
    widths, last = _columns(need)
    assert page_plan(widths, last, landscape, 9, A4_MARGINS) == expected


def test_page_plan_keeps_the_scale_and_repeated_columns_print_at_80():
    for inches in (5, 9, 13, 17, 25, 40, 80):
        widths, last = _columns(inches)
        landscape, wide = page_plan(widths, last, False, 9, A4_MARGINS)
        page = LANDSCAPE if landscape else PORTRAIT
        need = sum(column_inches(10.0) for _ in range(last))
        assert min(1.0, wide * page / need) >= LEAST_SCALE, inches
    widths, last = _columns(40)
    assert page_plan(widths, last, False, 9, A4_MARGINS, repeat_columns=True) == (True, None)


def test_the_sample_prints_readably(tmp_path):
    book = tmp_path / "sample.xlsx"
    convert_file(SAMPLE, book)
    wb = openpyxl.load_workbook(book)
    table = wb["Tiltaksgrupper og hovedgrupper"]
    assert table.page_setup.orientation == "portrait" and table.page_setup.fitToWidth == 1
    avstemming = wb["Avstemming"]
    setup = avstemming.page_setup
    assert (setup.orientation, setup.fitToWidth, setup.fitToHeight, setup.pageOrder) == ("landscape", 2, 0,
                                                                                       "overThenDown")
    assert avstemming.sheet_properties.pageSetUpPr.fitToPage
    # Linje and Status centred: "24" never touches the link, "0" never touches "OK"
    for cell in (avstemming["F6"], avstemming["K6"]):
        assert cell.alignment.horizontal == "center", cell.coordinate
    assert avstemming["G6"].alignment.horizontal in (None, "general", "left")


def test_the_time_series_prints_a_page_of_months_with_its_labels(tmp_path):
    archive = tmp_path / "arkiv"
    write_archive(archive, 40, seed=2)
    convert_paths([archive], tmp_path / "xlsx", jobs=1)
    wb = openpyxl.load_workbook(tmp_path / "xlsx" / "tidsserie.xlsx")
    sheet = wb["Hovedgrupper"]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.scale == 80
    assert not (sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage)
    assert (sheet.print_title_cols, sheet.print_title_rows) == ("$A:$B", "$1:$4")
    diagram = wb["Diagram"]
    charts = len(diagram._charts)
    assert charts >= 3
    breaks = [b.id for b in diagram.row_breaks.brk]
    tops = sorted(c.anchor._from.row for c in diagram._charts)           # 0-based: the row above is 1-based
    assert breaks == tops[1:]                                            # a page ends right above each chart


@pytest.mark.parametrize(("months", "repeated"), [(6, False), (60, True)])
def test_label_columns_repeat_only_where_a_sheet_is_wider_than_a_page(months, repeated):
    # A sheet on one page across needs no repeated columns; leaving them out there also spares
    # Gnumeric, which cannot read two-range print titles ('S'!$A:$B,'S'!$1:$4).
    from converter.books.layout import column_letter
    from converter.xlsx.package import Sheet, _repeats_columns

    sheet = Sheet(name="S", widths=[(1, 1, 40.0), (2, 2, 12.0), (3, 2 + months, 9.5)], print_rows=(1, 4),
                  print_columns=(1, 2), dimension=f"A1:{column_letter(2 + months)}9")
    assert _repeats_columns(sheet, False, 9, (0.7, 0.7, 0.75, 0.75, 0.3, 0.3)) is repeated
