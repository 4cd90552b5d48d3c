"""Decimal numbers, year columns and shares in the workbook: written exactly, shown as published,
formulas where the base is in the table, published values where it is not."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pandas as pd
from test_libreoffice import DECIMALS

from converter import convert_file, parse_text


def test_decimal_report_converts_with_its_numbers_and_formats(tmp_path):
    src = tmp_path / "decimals-2017-02.txt"
    src.write_text(DECIMALS, encoding="utf-8")
    book = tmp_path / "d.xlsx"
    result = convert_file(src, book)
    assert result.checks and not result.failures
    report = parse_text(DECIMALS, "d.txt")
    values = openpyxl.load_workbook(book, data_only=True)
    formulas = openpyxl.load_workbook(book)
    frames = pd.read_excel(book, sheet_name=None, header=None)
    for t, table in enumerate(report.tables):
        name = values.sheetnames[t + 1]
        for r, row in enumerate(table.sections[0].rows):
            for c, published in enumerate(row.values):
                cell = values[name].cell(5 + r, 2 + c)
                # every number as published: "12,5" is 12.5 to every reader
                assert Decimal(str(cell.value)) == published, (name, row.label, c)
                assert Decimal(str(frames[name].iat[4 + r, 1 + c])) == published
                decimals = -published.as_tuple().exponent if isinstance(published, Decimal) else 0
                fmt = formulas[name].cell(5 + r, 2 + c).number_format
                assert fmt.split(";")[0].endswith("0" + "." * bool(decimals) + "0" * decimals), (name, c, fmt)
    hoved, andeler = formulas["Hovedgrupper"], formulas["Andeler"]
    assert hoved["D6"].value == "=C6-B6"                                  # change = this year − last year
    assert hoved["E6"].value == '=IF(B6=0,"",ROUND(100*D6/B6,1))'        # growth over last year's column
    assert andeler["C6"].value == '=IF(B$5=0,"",ROUND(100*B6/B$5,1))'    # share of the section's total
    assert andeler["D5"].value == Decimal("0.4") or andeler["D5"].value == 0.4   # a rate: published, no SUM
    assert andeler["C5"].value.startswith("=IF(")                          # a total's share is not a SUM


def test_change_and_growth_columns_are_checked(tmp_path):
    wrong = DECIMALS.replace("Arbeidssøkere på tiltak\t400\t420\t20\t5,0",
                             "Arbeidssøkere på tiltak\t400\t420\t25\t5,0")
    report = parse_text(wrong, "d.txt")
    from converter.rules.checks import reconcile

    failing = sorted((c.kind.value, c.row, c.column) for c in reconcile(report) if not c.holds)
    # the published change contradicts the years (this − last), the published percent (100 × 25 / 400
    # is 6,3, not 5,0) and the total's change (100, not 105): each relation is computed from the
    # published numbers beside it
    assert failing == [("endring", "Arbeidssøkere på tiltak", "Endring fra i fjor Antall"),
                       ("prosent", "Arbeidssøkere på tiltak", "Endring fra i fjor Prosent"),
                       ("sum", "I alt", "Endring fra i fjor Antall")]
    wrong = DECIMALS.replace("Arbeidssøkere på tiltak\t400\t420\t20\t5,0", "Arbeidssøkere på tiltak\t400\t420\t20\t5,1")
    failing = sorted((c.kind.value, c.row, c.column) for c in reconcile(parse_text(wrong, "d.txt")) if not c.holds)
    assert failing == [("prosent", "Arbeidssøkere på tiltak", "Endring fra i fjor Prosent")]
    wrong = DECIMALS.replace("Arbeidssøkere på tiltak\t420\t38,2\t0,2", "Arbeidssøkere på tiltak\t420\t38,3\t0,9")
    failing = sorted((c.kind.value, c.row, c.column) for c in reconcile(parse_text(wrong, "d.txt")) if not c.holds)
    assert failing == [("andel", "Arbeidssøkere på tiltak", "Andel i prosent")]     # the rate rests on nothing
