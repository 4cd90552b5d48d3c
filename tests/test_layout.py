"""Layout rules, table-driven, with oracles that do not reuse the code under test."""

from __future__ import annotations

import re

import pytest

from converter.books.layout import (
    MAX_FORMULA,
    MAX_TEXT,
    ReconciliationLayout,
    column_letter,
    contents_layout,
    fit_text,
    fits,
    quote_sheet,
    runs,
    sum_formula,
)


def _letter_oracle(n: int) -> str:
    """Bijective base 26, by counting: A..Z, AA..ZZ, AAA.. (independent of column_letter)."""
    width, first = 1, 1
    while n >= first + 26 ** width:
        first += 26 ** width
        width += 1
    offset, out = n - first, []
    for _ in range(width):
        offset, rem = divmod(offset, 26)
        out.append(chr(65 + rem))
    return "".join(reversed(out))


@pytest.mark.parametrize(("index", "letter"), [
    (1, "A"), (2, "B"), (26, "Z"), (27, "AA"), (52, "AZ"), (53, "BA"), (702, "ZZ"), (703, "AAA"),
    (704, "AAB"), (16384, "XFD"),
])
def test_column_letter(index, letter):
    assert column_letter(index) == letter == _letter_oracle(index)


def test_column_letter_every_column_against_the_oracle():
    assert [column_letter(i) for i in range(1, 16385)] == [_letter_oracle(i) for i in range(1, 16385)]


@pytest.mark.parametrize("index", [0, -1, 16385])
def test_column_letter_outside_a_sheet(index):
    with pytest.raises(ValueError):
        column_letter(index)


@pytest.mark.parametrize(("numbers", "expected"), [
    ([], []),
    ([5], [(5, 5)]),
    ([5, 6, 7, 9, 11, 12], [(5, 7), (9, 9), (11, 12)]),
    ([12, 5, 11, 6], [(5, 6), (11, 12)]),          # unsorted input
    ([1, 3, 5], [(1, 1), (3, 3), (5, 5)]),
    (range(1, 1001), [(1, 1000)]),
])
def test_runs(numbers, expected):
    assert runs(numbers) == expected


def _calls(formula: str) -> tuple[list[str], list[int]]:
    """(leaves, argument count of every SUM call) of a nested SUM formula, by a small parser."""
    leaves: list[str] = []
    counts: list[int] = []
    pos = 0

    def call() -> None:
        nonlocal pos
        assert formula.startswith("SUM(", pos), formula[pos:pos + 10]
        pos += 4
        n = 0
        while True:
            if formula.startswith("SUM(", pos):
                call()
            else:
                m = re.compile(r"[A-Z]+\d+(?::[A-Z]+\d+)?").match(formula, pos)
                assert m, formula[pos:pos + 10]
                leaves.append(m.group())
                pos = m.end()
            n += 1
            if formula[pos] == ")":
                pos += 1
                counts.append(n)
                return
            assert formula[pos] == ","
            pos += 1

    call()
    assert pos == len(formula)
    return leaves, counts


@pytest.mark.parametrize(("n", "depth"), [(1, 1), (2, 1), (255, 1), (256, 2), (510, 2), (255 * 255, 2),
                                          (255 * 255 + 1, 3)])
def test_sum_formula_nests_past_255_arguments(n, depth):
    cells = [f"B{i}" for i in range(1, n + 1)]
    formula = sum_formula(cells)
    leaves, counts = _calls(formula)
    assert leaves == cells
    assert max(counts) <= 255
    assert formula.startswith("SUM(" * depth) and not formula.startswith("SUM(" * (depth + 1))


def test_sum_formula_ranges():
    assert sum_formula(["C6:C8", "C12"]) == "SUM(C6:C8,C12)"


@pytest.mark.parametrize(("name", "quoted"), [
    ("Hovedgrupper", "'Hovedgrupper'"),
    ("O'Brien", "'O''Brien'"),
    ("Tiltak og hovedgrupper", "'Tiltak og hovedgrupper'"),
    ("a''b", "'a''''b'"),
    ("2014", "'2014'"),
])
def test_quote_sheet(name, quoted):
    assert quote_sheet(name) == quoted


@pytest.mark.parametrize(("length", "ok"), [(MAX_FORMULA - 2, True), (MAX_FORMULA - 1, True), (MAX_FORMULA, False)])
def test_formula_length_edge(length, ok):
    assert fits("x" * length) is ok          # the "=" Excel counts makes MAX_FORMULA - 1 the longest


@pytest.mark.parametrize(("length", "kept"), [(MAX_TEXT - 1, MAX_TEXT - 1), (MAX_TEXT, MAX_TEXT),
                                             (MAX_TEXT + 1, MAX_TEXT)])
def test_fit_text_edge(length, kept):
    text = fit_text("y" * length)
    assert len(text) == kept and (text.endswith("…") == (length > MAX_TEXT))


def test_reconciliation_layout():
    rl = ReconciliationLayout(262)
    assert (rl.count_cell, rl.avvik_cell) == ("B3", "B4")
    assert rl.range("Status") == "K6:K267" and rl.range("Ark", absolute=True) == "$A$6:$A$267"
    assert rl.at("Publisert", 0) == "H6" and rl.at("Arbeidsbok", 261) == "I267"
    assert rl.qualified(rl.count_cell) == "'Avstemming'!B3"
    assert ReconciliationLayout(0).last_row == 6       # an empty list still gives valid ranges


def test_contents_layout(sample_report):
    cl = contents_layout(sample_report)
    assert cl.fact_cell("Kildefil") == "B4" and cl.fact_cell("Avstemming") == "B9"
    assert cl.fact_cell("Periode") == "B10"
    assert cl.note_row == 11                           # the sample has a note
    assert cl.tables_heading_row == 13 and cl.table_row(0) == 15 and cl.reconciliation_row == 20


@pytest.mark.parametrize(("texts", "least", "most", "width"), [
    ([], 10, 30, 10),                        # nothing: the least
    (["x" * 10], 5, 30, 13.0),               # 10 × 1.1 + 2
    (["ab", "x" * 20, "c"], 5, 30, 24.0),    # the longest text counts
    (["x" * 100], 5, 30, 30),                # capped at the most
    (iter(["x" * 4]), 16, 50, 16),           # any iterable; below the least
])
def test_column_width(texts, least, most, width):
    from converter.books.layout import column_width

    assert column_width(texts, least, most) == pytest.approx(width)
