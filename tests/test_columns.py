"""What a column is, from its header and the numbers beside it: percent changes, shares within a
row, bare year columns, decimals, and how a percent formula rounds. Each report is hand-made
and worked out by hand in its comment."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from handmade import failing, page

from converter import parse_text


# "Endring fra i fjor Prosent" without a change-in-units column is no share of the section's total
# (which gave an AVVIK on every row): it is published as is (0 AVVIK). With year columns it is
# 100 × (this − last) / last.
@pytest.mark.parametrize("header", [["Antall", "Endring fra i fjor Prosent"],
                                    ["Februar 2016", "Februar 2017", "Endring fra i fjor Prosent"]])
def test_percent_change_without_a_change_column_is_not_a_share(header):
    rows = [["*I alt", "110", "10"], ["Arbeidssøkere på tiltak", "50", "25"],
            ["Nedsatt arbeidsevne, på tiltak", "60", "0"]]
    if len(header) == 3:     # last year, this year, percent: 10/100, 10/40, 0/60
        rows = [["*I alt", "100", "110", "10"], ["Arbeidssøkere på tiltak", "40", "50", "25"],
                ["Nedsatt arbeidsevne, på tiltak", "60", "60", "0"]]
    text = page("Hovedgrupper", header, rows, period="Februar 2017")
    assert failing(text) == []


# A share *within the row* ("Andel kvinner" = 100 × Kvinner / I alt of the same row) is neither a
# share of the column's total nor ("Prosent kvinner") a count summed into the row's "I alt" and the
# column's total.
@pytest.mark.parametrize("header", ["Andel kvinner", "Kvinner i prosent", "Prosent kvinner"])
def test_a_share_within_the_row_is_not_a_share_of_the_column_total(header):
    text = page("Fylke og kjønn", ["I alt", "Menn", "Kvinner", header],
                [["*I alt", "200", "120", "80", "40,0"], ["Østfold", "100", "50", "50", "50,0"],
                 ["Oslo", "100", "70", "30", "30,0"]], period="Juni 2015")
    assert failing(text) == []


# Bare years as headers ("2016", "2017", "Endring", "Prosent"): the percent is of last year's
# column, 100 × change / 2016 (not 100 × change / (2016 − change), last year taken for the count).
def test_bare_year_columns_percent_is_of_last_year():
    text = page("Hovedgrupper", ["2016", "2017", "Endring", "Prosent"],
                [["*I alt", "100", "110", "10", "10"], ["Arbeidssøkere på tiltak", "40", "50", "10", "25"],
                 ["Nedsatt arbeidsevne, på tiltak", "60", "60", "0", "0"]], period="Februar 2017")
    assert failing(text) == []


# A file that groups thousands with spaces ("1 300") and whose only comma numbers have three
# decimals ("0,125") has ',' as its decimal mark: 0,125 is 0.125, never 125.
def test_three_decimals_in_a_space_grouped_file_are_decimals():
    text = page("Fylke", ["Antall", "Andel av befolkningen"],
                [["*I alt", "1 300", "0,250"], ["Østfold", "300", "0,125"], ["Oslo", "1 000", "0,375"]],
                period="Juni 2015")
    rows = parse_text(text, "x.txt").tables[0].sections[0].rows
    assert [r.values for r in rows] == [(1300, Decimal("0.250")), (300, Decimal("0.125")), (1000, Decimal("0.375"))]


# A percent formula rounds like its cached value: for 23/40, C/B*100 in binary is 57.49999999999999
# and ROUND gives 57 where the exact cached value is 58, so the formula multiplies before it
# divides; after LibreOffice recalculates, the cell and Avstemming agree with the cache.
@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_percent_formula_rounds_like_the_cached_value(tmp_path):
    from test_libreoffice import recalculated_differences

    from converter import convert_file

    text = page("Hovedgrupper", ["Antall", "Endring fra i fjor Antall", "Endring fra i fjor Prosent"],
                [["*I alt", "163", "43", "36"], ["Arbeidssøkere på tiltak", "63", "23", "58"],
                 ["Nedsatt arbeidsevne, på tiltak", "100", "20", "25"]])
    src = tmp_path / "x.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "x.xlsx"
    convert_file(src, out)
    assert failing(text) == []
    compared, differences = recalculated_differences(Path(tmp_path), out)
    assert compared > 0
    assert differences == []
