"""Each column kind's rule (rules.kinds.RULES), one row per kind: what it reads, what its numbers
are, its value on an example worked by hand, its formula at a place in a workbook and the
relation it states there. The formulas and the relations are copied from the workbooks and the
Avstemming sheets that the converter wrote before the table existed (the sample, and REPORT
below), not from the code; adding a kind means adding its row here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest
from conftest import SAMPLE
from familygen import SHAPES, generate

from converter import convert_file, parse_bytes, parse_report, parse_text, reconcile
from converter.books.layout import cell_formula, sheet_names, table_layout
from converter.model import ColumnKind, Number
from converter.rules.kinds import ORDER, RULES, CheckKind, Look, Role
from converter.rules.structure import nothing_published, relation_value


def _page(title: str, header: list[str], rows: list[list[str]]) -> str:
    lines = [f"## {title}", "", "Februar 2014", "", "\t" + "\t".join(header)]
    for row in rows:
        bold = row[0].startswith("*")
        cells = [row[0].lstrip("*"), *row[1:]]
        lines.append("\t".join(f"<b>{c}</b>" if bold else c for c in cells))
    return "\n".join(lines) + "\n\n"


# The kinds the sample lacks: a change and a percent of last year between year columns, a share
# of the section's total beside a rate, a share within the row of a cross table.
REPORT = "# Deltakere i arbeidsrettede tiltak. Tiltak. En måned\n\n" + _page(
    "Hovedgrupper", ["Februar 2013", "Februar 2014", "Endring fra i fjor Antall", "Endring fra i fjor Prosent"],
    [["*I alt", "100", "110", "10", "10"], ["Arbeidssøkere på tiltak", "40", "50", "10", "25"],
     ["Nedsatt arbeidsevne, på tiltak", "60", "60", "0", "0"]]) + _page(
    "Andeler", ["Antall", "Andel i prosent", "Prosent av arbeidsstyrken"],
    [["*I alt", "200", "100,0", "1,5"], ["Arbeidssøkere på tiltak", "50", "25,0", "0,5"],
     ["Nedsatt arbeidsevne, på tiltak", "150", "75,0", "2,0"]]) + _page(
    "Fylke og kjønn", ["I alt", "Menn", "Kvinner", "Andel kvinner"],
    [["*I alt", "200", "120", "80", "40,0"], ["Østfold", "100", "50", "50", "50,0"],
     ["Oslo", "100", "70", "30", "30,0"]])

D = Decimal


@dataclass(frozen=True)
class Kind:
    """One kind's row: the rule's facts, a worked example, and what the workbook holds at a place."""

    kind: ColumnKind
    operands: tuple[Role, ...]
    additive: bool
    percent: bool
    exact: bool
    look: Look
    # (the row's values, the column's operands, the section total's values, decimals) → the value by hand;
    # None: published, never computed
    example: tuple[tuple[Number | None, ...], tuple[int, ...], tuple[Number | None, ...] | None, int, Number] | None
    report: str            # "sample" or "report" (REPORT above)
    table: int
    cell: str              # the sheet cell of a column of this kind
    formula: str | None    # what that cell holds in the workbook (None: the published number)
    relation: tuple[str, str] | None    # (Kontroll, the relation in words) on Avstemming for that cell


KINDS = [
    Kind(ColumnKind.VALUE, (), True, False, False, Look.NUMBER, None,
         "sample", 4, "C5", "=SUM(C9,C17,C23,C27,C30,C35,C41,C44,C48,C51)", None),    # a total over subtotals
    Kind(ColumnKind.ROWSUM, (Role.COUNTS,), True, False, False, Look.NUMBER,
         ((None, 18258, 54809, 2345), (1, 2, 3), None, 0, 75412),                     # 18 258 + 54 809 + 2 345
         "sample", 4, "B6", "=SUM(C6:E6)", ("radsum", "Sum av 3 kolonner")),
    Kind(ColumnKind.CHANGE, (Role.THIS, Role.LAST), True, False, False, Look.NUMBER,
         ((100, 110, None, None), (1, 0), None, 0, 10),                               # 110 − 100
         "report", 0, "D6", "=C6-B6", ("endring", "Februar 2014 − Februar 2013")),
    Kind(ColumnKind.PERCENT, (Role.COUNT, Role.CHANGE), False, True, True, Look.PERCENT,
         ((75412, -1852, None), (0, 1), None, 0, -2),                   # 100 × −1 852 / 77 264 = −2.397
         "sample", 0, "D6", '=IF(B6-C6=0,"",ROUND(100*C6/(B6-C6),0))',
         ("prosent", "100 × endring / (antall − endring)")),
    Kind(ColumnKind.GROWTH, (Role.LAST, Role.CHANGE), False, True, True, Look.PERCENT,
         ((40, 50, 10, None), (0, 2), None, 0, 25),                                   # 100 × 10 / 40
         "report", 0, "E6", '=IF(B6=0,"",ROUND(100*D6/B6,0))', ("prosent", "100 × endring / Februar 2013")),
    Kind(ColumnKind.SHARE, (Role.COUNT,), False, True, True, Look.PERCENT,
         ((50, None, None), (0,), (200, D("100.0"), None), 1, D("25.0")),             # 100 × 50 / 200
         "report", 1, "C6", '=IF(B$5=0,"",ROUND(100*B6/B$5,1))', ("andel", "100 × Antall / «I alt»")),
    Kind(ColumnKind.ROW_SHARE, (Role.COUNT, Role.ROWSUM), False, True, True, Look.PERCENT,
         ((100, 70, 30, None), (2, 0), None, 1, D("30.0")),                           # 100 × 30 / 100
         "report", 2, "E6", '=IF(B6=0,"",ROUND(100*D6/B6,1))', ("andel", "100 × Kvinner / I alt")),
    Kind(ColumnKind.RATE, (), False, False, True, Look.NUMBER, None,
         "report", 1, "D6", None, None),                                              # 0,5 as published
]

_IDS = [k.kind.value for k in KINDS]


def test_every_kind_has_one_rule_and_one_row():
    assert [k.kind for k in KINDS] == list(ColumnKind)
    assert set(RULES) == set(ColumnKind) and all(rule.kind is kind for kind, rule in RULES.items())


@pytest.fixture(scope="module")
def reports():
    return {"sample": parse_report(SAMPLE), "report": parse_text(REPORT, "kinds.txt")}


@pytest.mark.parametrize("k", KINDS, ids=_IDS)
def test_facts(k):
    rule = RULES[k.kind]
    assert rule.operands == k.operands
    assert (rule.additive, rule.percent, rule.exact, rule.look) == (k.additive, k.percent, k.exact, k.look)


@pytest.mark.parametrize("k", KINDS, ids=_IDS)
def test_value_worked_by_hand(k):
    if k.example is None:
        assert not RULES[k.kind].computed
        with pytest.raises(ValueError, match="not computed"):
            relation_value(k.kind, (), 0, (1,), None)
        return
    row, operands, base, decimals, expected = k.example
    got = relation_value(k.kind, operands, decimals, row, base)
    assert got == expected and type(got) is type(expected)
    if isinstance(expected, Decimal):
        assert str(got) == str(expected)           # rounded to the published decimals


@pytest.mark.parametrize(("kind", "row", "operands", "base", "decimals", "expected"), [
    (ColumnKind.ROWSUM, (None, None, None), (1, 2), None, 0, 0),       # blanks count as 0, as in SUM
    (ColumnKind.CHANGE, (None, 7), (0, 1), None, 0, -7),
    (ColumnKind.PERCENT, (9, 1), (0, 1), None, 0, 13),                 # 100 × 1 / 8 = 12.5: half away from zero
    (ColumnKind.PERCENT, (9, -1), (0, 1), None, 0, -10),               # 100 × −1 / 10
    (ColumnKind.PERCENT, (5, 5), (0, 1), None, 0, None),               # last year 0: blank
    (ColumnKind.GROWTH, (8, 1), (0, 1), None, 0, 13),
    (ColumnKind.GROWTH, (0, 3), (0, 1), None, 0, None),
    (ColumnKind.SHARE, (1, None), (0,), None, 1, None),                # no total in the section: no share
    (ColumnKind.SHARE, (1, None), (0,), (0, None), 1, None),           # a total of 0
    (ColumnKind.SHARE, (1, None), (0,), (3, None), 1, D("33.3")),
    (ColumnKind.ROW_SHARE, (1, 8), (0, 1), None, 0, 13),
    (ColumnKind.ROW_SHARE, (1, 8), (0, 1), None, 1, D("12.5")),
    (ColumnKind.ROW_SHARE, (1, 0), (0, 1), None, 1, None),
])
def test_value_edges(kind, row, operands, base, decimals, expected):
    assert relation_value(kind, operands, decimals, row, base) == expected


# A blank cell beside a blank operand states nothing (a zero printed blank): per kind, the
# operands whose blank does it.
@pytest.mark.parametrize(("kind", "operands", "blank_operand", "silent"), [
    (ColumnKind.ROWSUM, (1, 2), 1, False),
    (ColumnKind.CHANGE, (1, 2), 1, True),
    (ColumnKind.CHANGE, (1, 2), 2, True),
    (ColumnKind.PERCENT, (1, 2), 1, False),        # a blank count beside a change: still a statement
    (ColumnKind.PERCENT, (1, 2), 2, True),         # beside a blank change
    (ColumnKind.GROWTH, (1, 2), 2, True),
    (ColumnKind.SHARE, (1,), 1, True),
    (ColumnKind.ROW_SHARE, (1, 2), 1, True),
    (ColumnKind.ROW_SHARE, (1, 2), 2, False),
])
def test_a_blank_beside_a_blank_operand(kind, operands, blank_operand, silent):
    values = [None, 5, 5]
    values[blank_operand] = None
    assert nothing_published(kind, operands, values, 0) is silent
    assert nothing_published(kind, operands, [1, None, None], 0) is False      # a published number is a statement


def _place(table, layout, cell: str) -> tuple[int, int, int]:
    letters, row = re.fullmatch(r"([A-Z]+)(\d+)", cell).groups()      # columns A … Z here
    column = ord(letters) - ord("A") - 1
    for s, rows in enumerate(layout.row_of):
        if int(row) in rows:
            return s, rows.index(int(row)), column
    raise AssertionError(cell)


@pytest.mark.parametrize("k", KINDS, ids=_IDS)
def test_formula_at_its_place(k, reports):
    report = reports[k.report]
    table = report.tables[k.table]
    layout = table_layout(table, sheet_names([t.title for t in report.tables])[k.table])
    s, r, c = _place(table, layout, k.cell)
    assert table.columns[c].kind is k.kind
    expr = cell_formula(table, layout, s, r, c)
    assert (None if expr is None else "=" + expr) == k.formula


@pytest.mark.parametrize("k", KINDS, ids=_IDS)
def test_relation_at_its_place(k, reports):
    report = reports[k.report]
    table = report.tables[k.table]
    layout = table_layout(table, "x")
    s, r, c = _place(table, layout, k.cell)
    relations = [(check.kind.value, check.what) for check in reconcile(report)
                 if tuple(check.cell) == (k.table, s, r, c)
                 and check.kind not in (CheckKind.SUM, CheckKind.REPEAT, CheckKind.AGREE)]
    assert relations == ([k.relation] if k.relation else [])
    assert (RULES[k.kind].check.value if RULES[k.kind].check else None) == (k.relation[0] if k.relation else None)


def test_the_look_is_the_workbook_number_style(tmp_path, reports):
    """A percent kind's cells carry the percent styles, every other kind's the number styles."""
    src = tmp_path / "kinds.txt"
    src.write_text(REPORT, encoding="utf-8")
    books = {"sample": tmp_path / "sample.xlsx", "report": tmp_path / "kinds.xlsx"}
    convert_file(SAMPLE, books["sample"])
    convert_file(src, books["report"])
    for k in KINDS:
        report = reports[k.report]
        ws = openpyxl.load_workbook(books[k.report])[sheet_names([t.title for t in report.tables])[k.table]]
        assert ws[k.cell].style == {Look.PERCENT: "Prosent", Look.NUMBER: "Tall"}[k.look] or (
            ws[k.cell].style == {Look.PERCENT: "SumProsent", Look.NUMBER: "Sum"}[k.look]), (k.kind, ws[k.cell].style)


class _Stub:
    """A place whose operands are the given addresses."""

    def __init__(self, cells: tuple[str, ...], decimals: int = 0) -> None:
        self.cells, self.decimals = cells, decimals

    def at(self, k: int) -> str:
        return self.cells[k]


def test_the_percent_formula_at_the_edge_of_a_sheet():
    formula = RULES[ColumnKind.PERCENT].formula
    assert formula(_Stub(("B6", "C6"))) == 'IF(B6-C6=0,"",ROUND(100*C6/(B6-C6),0))'
    assert formula(_Stub(("XFC1048576", "XFD1048576"))) == \
        'IF(XFC1048576-XFD1048576=0,"",ROUND(100*XFD1048576/(XFC1048576-XFD1048576),0))'


def test_the_order_puts_operands_first():
    """kinds.ORDER is the order a table's columns are computed in: in every report of the family and
    above, each computed column's operands are of kinds ranked before its own."""
    assert [rule.rank for rule in ORDER] == sorted(rule.rank for rule in ORDER)
    assert len({rule.rank for rule in ORDER}) == len(ORDER)
    reports = [parse_report(SAMPLE), parse_text(REPORT, "kinds.txt")]
    reports += [parse_bytes(generate(shape, 0).data, f"{shape}.txt") for shape in SHAPES]
    seen = set()
    for report in reports:
        for table in report.tables:
            for col in table.columns:
                seen.add(col.kind)
                for o in col.operands:
                    assert RULES[table.columns[o].kind].rank < RULES[col.kind].rank, (table.title, col.header)
    assert seen == set(ColumnKind)
