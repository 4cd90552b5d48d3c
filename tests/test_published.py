"""The published number is sacred (issue 16): every cell of every table sheet shows exactly what the
report printed, for every shape of the family, consistent or with a planted error.

The oracle is the generator's own list of printed cells (tests/familygen.py), not the parser: each
table sheet is read back with openpyxl (`data_only=True`, the values a reader sees) and compared,
row by row, with the cells the generator wrote into the text. A planted error is shown as printed
(in the Avvik style, with a note), never as the sum the other numbers give.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest
from familygen import REAL_WORLD, SHAPES, generate

from converter import convert_file

SEED = 1


def _printed(g, t: int) -> list[list[object]]:
    """The rows of table t as printed, each the values of its cells (a symbol as its text); a continued
    page's repeated total is no row of the sheet."""
    repeated = {r.result for r in g.relations if r.kind == "repeat"}
    by_line: dict[int, list[object]] = defaultdict(list)
    for i, cell in enumerate(g.cells):
        if cell.tindex == t and i not in repeated:
            by_line[cell.line].append(cell.mark or cell.value)
    return [by_line[line] for line in sorted(by_line)]


def _sheet_rows(ws) -> list[list[object]]:
    """The data rows of a table sheet (after the header; section headings and helper rows left out)."""
    out = []
    for row in ws.iter_rows(min_row=5):
        if row[0].style == "Seksjon" or (row[0].value or "").startswith("Delsum"):
            continue
        if all(c.value is None for c in row):
            continue
        out.append([c.value for c in row[1:]])
    return out


def _same(shown: object, printed: object) -> bool:
    if printed is None:
        return shown in (None, "")
    if isinstance(printed, str):            # a symbol (":", "..")
        return shown == printed
    if isinstance(printed, Decimal):
        return shown is not None and Decimal(str(shown)) == printed
    return shown == printed and type(shown) is int


def _check_book(g, book) -> int:
    wb = openpyxl.load_workbook(book, data_only=True)
    compared = 0
    for t in sorted({c.tindex for c in g.cells}):
        ws = wb.worksheets[t + 1]
        shown, expected = _sheet_rows(ws), _printed(g, t)
        assert len(shown) == len(expected), (g.shape, ws.title, len(shown), len(expected))
        for got, want in zip(shown, expected, strict=True):
            assert len(got) >= len(want)
            for a, b in zip(got, want, strict=False):
                assert _same(a, b), (g.shape, ws.title, got, want)
                compared += 1
    return compared


@pytest.mark.parametrize("shape", SHAPES)
def test_every_table_cell_shows_the_published_number(shape, tmp_path):
    g = generate(shape, SEED)
    src = tmp_path / f"{shape}.txt"
    src.write_bytes(g.data)
    result = convert_file(src, tmp_path / f"{shape}.xlsx")
    assert result.failures == []
    repeated = {r.result for r in g.relations if r.kind == "repeat"}
    assert _check_book(g, tmp_path / f"{shape}.xlsx") == len(g.cells) - len(repeated)    # every printed cell


@pytest.mark.parametrize("shape", [f.__name__ for f in REAL_WORLD])
def test_a_planted_error_is_shown_as_printed_in_the_avvik_style(shape, tmp_path):
    g = generate(shape, SEED)
    rng = random.Random(f"published:{shape}")
    i = rng.choice(g.targets())
    m = g.mutation(i, rng)
    src = tmp_path / f"{shape}.txt"
    src.write_text(m.text, encoding="utf-8")
    book = tmp_path / f"{shape}.xlsx"
    result = convert_file(src, book)
    assert result.failures, "the planted error is found"
    g.cells[i].value = m.new                    # the report as printed now
    try:
        _check_book(g, book)
    finally:
        g.cells[i].value = m.old
    wb = openpyxl.load_workbook(book)
    noted = [(ws.title, c.coordinate) for ws in wb.worksheets[1:-1] for row in ws.iter_rows() for c in row
             if c.comment]
    assert len(noted) == len({(c.cell.table, c.cell.section, c.cell.row, c.cell.column) for c in result.failures})
    for title, coordinate in noted:
        cell = wb[title][coordinate]
        assert "Avstemming rad" in cell.comment.text
        assert not (isinstance(cell.value, str) and cell.value.startswith("="))     # the printed number
        assert cell.font.color is not None and cell.font.color.rgb == "009C0006"    # the Avvik style
