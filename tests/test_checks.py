"""Reconciliation rules: every relation on the sample holds; one changed number fails exactly its dependents."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import FYLKE, mutate

from converter import CheckKind, parse_bytes, parse_report, reconcile
from converter.rules.checks import percent


def test_sample_every_relation_holds(sample_report):
    checks = reconcile(sample_report)
    assert [c for c in checks if not c.holds] == []
    assert Counter(c.kind for c in checks) == {
        CheckKind.SUM: 58, CheckKind.ROWSUM: 58, CheckKind.PERCENT: 43, CheckKind.REPEAT: 8, CheckKind.AGREE: 95}


def test_second_sample_every_relation_holds():
    checks = reconcile(parse_report(FYLKE))
    assert checks and all(c.holds for c in checks)
    assert Counter(c.kind for c in checks)[CheckKind.AGREE] == 21     # grand total + 20 counties


@pytest.mark.parametrize(("count", "change", "expected"), [
    (75412, -1852, -2), (701, 254, 57), (1, 1, None), (0, 0, None), (None, None, None),
    (3, 1, 50), (9, 1, 13), (7, 1, 17),          # 12.5 → 13 (half away from zero), 16.67 → 17
    (-1, 1, -50), (7, -1, -13),                  # -12.5 → -13
    (2345, 224, 11), (548, -207, -27), (140, -12, -8), (10, 0, 0),
])
def test_percent(count, change, expected):
    assert percent(count, change) == expected


def _failing(data: bytes):
    return sorted((c.kind.value, c.table, c.row, c.column) for c in reconcile(parse_bytes(data, "x.txt"))
                  if not c.holds)


def test_one_detail_change_fails_exactly_its_dependents(sample_bytes):
    data = mutate(sample_bytes, b"Mentor\t85\t10\t70\t5", b"Mentor\t85\t10\t80\t5")
    t, n, i = "Tiltak og hovedgrupper", "Nedsatt arbeidsevne, på tiltak", "I alt"
    # Each relation is computed from the published numbers beside it, so the error is named where it
    # is: Mentor's row sum and the smallest total over it; the totals above sum published subtotals
    # that still agree, and the repeated top total equals the published one.
    assert _failing(data) == sorted([
        ("radsum", t, "Mentor", i),                   # 85 ≠ 10 + 80 + 5
        ("sum", t, "I alt oppfølging", n),            # 9 021 + … ≠ the published subtotal
    ])


def test_change_in_a_reference_table_fails_the_tables_that_repeat_it(sample_bytes):
    data = mutate(sample_bytes, b"Avklaringstiltak\t2 810\t36\t1", b"Avklaringstiltak\t2 820\t36\t1")
    # Tiltaksgrupper is the first table to print the group, so the later tables are compared with it;
    # its percent still rounds to 1 (36 / 2784) and its total's percent to -2.
    assert _failing(data) == [
        ("samsvar", "Tiltak og hovedgrupper", "I alt avklaringstiltak", "I alt"),
        ("samsvar", "Tiltaksgrupper og hovedgrupper", "Avklaringstiltak", "I alt"),
        ("sum", "Tiltaksgrupper", "I alt", "Antall"),
    ]


def test_label_typo_still_matched(sample_report):
    agree = [c for c in reconcile(sample_report) if c.kind is CheckKind.AGREE and c.row == "Lønnskudd"]
    assert {c.column for c in agree} == {"I alt", "Arbeidssøkere på tiltak", "Nedsatt arbeidsevne, på tiltak",
                                         "Andre på tiltak"}
    assert all(c.holds for c in agree)


def test_repeat_that_differs_fails(sample_bytes):
    old = b"<b>I alt</b>\t<b>75 412</b>\t<b>18 258</b>\t<b>54 809</b>\t<b>2 345</b>\n<b>I alt oppl"
    data = mutate(sample_bytes, old, old.replace(b"18 258", b"18 259"))
    assert _failing(data) == [("gjentatt", "Tiltak og hovedgrupper", "I alt", "Arbeidssøkere på tiltak")]


def test_statistical_symbols_are_kept_and_never_checked(tmp_path, sample_bytes):
    import openpyxl

    from converter import convert_file

    data = mutate(sample_bytes, b"Mentor\t85\t10\t70\t5", b"Mentor\t85\t10\t:\t..")
    data = mutate(data, b"Jobbklubb\t2 442\t2 210\t217\t15", b"Jobbklubb\t2 442\t2 210\t217\t-")
    report = parse_bytes(data, "x.txt")
    mentor = next(r for r in report.tables[4].sections[0].rows if r.label == "Mentor")
    assert mentor.values == (85, 10, None, None) and mentor.marks == ("", "", ":", "..")
    checks = reconcile(report)
    # nothing that rests on a suppressed number is checked, so nothing fails
    assert [c for c in checks if not c.holds] == []
    assert not [c for c in checks if c.table == "Tiltak og hovedgrupper" and c.row in ("Mentor", "I alt oppfølging")
                and c.column in ("I alt", "Nedsatt arbeidsevne, på tiltak", "Andre på tiltak")]
    src = tmp_path / "x.txt"
    src.write_bytes(data)
    convert_file(src, tmp_path / "x.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["Tiltak og hovedgrupper"]
    assert [ws.cell(12, c).value for c in range(1, 6)] == ["Mentor", 85, 10, ":", ".."]
    assert ws["B12"].value == 85                       # its row sum rests on ":": the published number stays
    assert ws["D17"].value == 9021                     # "I alt oppfølging" over ":" is published, not computed
    assert ws["E17"].value == 237 and ws["E11"].value == "-"
