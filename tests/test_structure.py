"""Every structural rule is a hypothesis the report's own numbers must confirm (issue 16).

One table-driven test per rule of converter/structure.py, on small hand-made tables, and the
shapes of the real tables that broke the earlier rules: "Av dette" rows, a county page under the
national total, subtotals above their parts, "Prosent <month>" rate columns, a block of rates,
blanks, headings, and a report with nothing to check.
"""

from __future__ import annotations

import pytest
from familygen import REAL_WORLD, generate

from converter import parse_text, reconcile
from converter.model import ColumnKind, Row, RowKind
from converter.rules.structure import (
    Evidence,
    assign_totals,
    assign_totals_above,
    choose_rows,
    relation_value,
    row_candidates,
    sum_evidence,
)

# --------------------------------------------------------------------------- candidates from the shape

B, D = True, False


@pytest.mark.parametrize(("bold", "expected"), [
    ([B, D, D, D], [("total", (1, 2, 3)), ("detail", ()), ("detail", ()), ("detail", ())]),
    ([B, D, D, B, D, B], [("total", (3, 5)), ("detail", ()), ("detail", ()), ("subtotal", (1, 2)),
                          ("detail", ()), ("subtotal", (4,))]),
    ([D, D, B], [("detail", ()), ("detail", ()), ("subtotal", (0, 1))]),        # a total at the bottom
])
def test_under_subtotals_follow_their_parts(bold, expected):
    assert [(k.value, p) for k, p in assign_totals(bold)] == expected


@pytest.mark.parametrize(("bold", "subset", "expected"), [
    # "Førstegenerasjonsinnvandrere i alt", its regions, the next group: subtotals above their parts
    ([B, B, D, D, B, D, D], None, [("total", (1, 4)), ("subtotal", (2, 3)), ("detail", ()), ("detail", ()),
                                   ("subtotal", (5, 6)), ("detail", ()), ("detail", ())]),
    # a herav row under a part is summed by neither the subtotal nor the top total
    ([B, B, D, D, D], [D, D, D, B, D], [("total", (1,)), ("subtotal", (2, 4)), ("detail", ()), ("detail", ()),
                                        ("detail", ())]),
])
def test_over_subtotals_precede_their_parts(bold, subset, expected):
    assert [(k.value, p) for k, p in assign_totals_above(bold, subset)] == expected


def test_candidates_are_distinct_and_in_order():
    names = [name for name, _ in row_candidates([B, D, D], [D, D, D])]
    assert names == ["under"]                                  # a flat list: one reading
    names = [name for name, _ in row_candidates([B, D, B, D], [D, D, D, B])]
    assert names == ["under", "over", "under, herav counted", "over, herav counted"]


# --------------------------------------------------------------------------- evidence

def _rows(*specs: tuple[str, bool, tuple]) -> list[Row]:
    return [Row(label, values, RowKind.TOTAL if bold else RowKind.DETAIL, i + 1) for i, (label, bold, values)
            in enumerate(specs)]


@pytest.mark.parametrize(("total", "parts", "expected"), [
    ((30, 5), [(10, 2), (20, 3)], Evidence(2, 0)),          # sums in both columns
    ((30, 0), [(10, 0), (20, 0)], Evidence(1, 0)),          # a 0 that sums is no support
    ((31, 5), [(10, 2), (20, 3)], Evidence(1, 1)),          # one column contradicts
    ((None, 5), [(None, 2), (None, 3)], Evidence(1, 0)),    # a blank total over blank parts: no evidence
    ((None, 5), [(1, 2), (None, 3)], Evidence(1, 1)),       # a blank total over a number: contradicts
])
def test_sum_evidence(total, parts, expected):
    rows = _rows(("I alt", True, total), *((f"R{i}", False, p) for i, p in enumerate(parts)))
    assert sum_evidence(rows, 0, range(1, len(rows)), [0, 1]) == expected


def test_shares_that_add_up_to_100_are_evidence_for_the_total():
    from decimal import Decimal as Dec

    rows = _rows(("I alt", True, (100, Dec("100.0"))), ("A", False, (33, Dec("33.3"))),
                 ("B", False, (66, Dec("66.7"))))          # the counts do not sum (a changed count), the shares do
    assert sum_evidence(rows, 0, (1, 2), [0], [(1, 1)]) == Evidence(1, 1)


@pytest.mark.parametrize(("kind", "operands", "row", "expected"), [
    (ColumnKind.ROWSUM, (1, 2), (None, 3, 4), 7),
    (ColumnKind.CHANGE, (0, 1), (10, 7), 3),
    (ColumnKind.PERCENT, (0, 1), (9, 1), 13),              # 100 × 1 / 8 = 12.5 → 13
    (ColumnKind.GROWTH, (0, 1), (8, 1), 13),
    (ColumnKind.ROW_SHARE, (0, 1), (1, 8), 13),
])
def test_relation_values(kind, operands, row, expected):
    assert relation_value(kind, operands, 0, row, None) == expected


# --------------------------------------------------------------------------- choosing among candidates

@pytest.mark.parametrize(("specs", "name", "parts", "unconfirmed"), [
    # the family's habit: subtotals after their parts
    ([("I alt", B, (30,)), ("a", D, (10,)), ("S1", B, (10,)), ("b", D, (20,)), ("S2", B, (20,))],
     "under", {0: (2, 4), 2: (1,), 4: (3,)}, ()),
    # subtotals above their parts: the numbers choose "over"
    ([("I alt", B, (30,)), ("S1", B, (10,)), ("a", D, (4,)), ("b", D, (6,)), ("S2", B, (20,)), ("c", D, (20,))],
     "over", {0: (1, 4), 1: (2, 3), 4: (5,)}, ()),
    # the last group above its parts ends where the rows under no group begin
    ([("I alt", B, (35,)), ("S1", B, (10,)), ("a", D, (4,)), ("b", D, (6,)), ("S2", B, (20,)), ("c", D, (20,)),
      ("ellers", D, (5,))], "over", {0: (1, 4, 6), 1: (2, 3), 4: (5,)}, ()),
    # "Av dette" rows: the total sums the counties only
    ([("Heile landet", B, (60,)), ("Oslo", D, (20,)), ("Av dette: Oslo", D, (20,)), ("Hordaland", D, (40,)),
      ("Av dette: Bergen", D, (25,))], "under", {0: (1, 3)}, ()),
    # a national total above one county's page: not the sum of the page
    ([("Hele landet", B, (15183,)), ("Møre og Romsdal", B, (1182,)), ("Ålesund", D, (600,)),
      ("Molde", D, (582,))], "over", {0: (1,), 1: (2, 3)}, (0,)),
    # a block of rates: no candidate holds
    ([("I alt", B, (3,)), ("Oslo", D, (4,)), ("Bergen", D, (2,))], "none", {0: (1, 2)}, (0,)),
])
def test_the_numbers_choose_the_structure(specs, name, parts, unconfirmed):
    decision = choose_rows(_rows(*specs), [0])
    assert decision.name == name
    assert {r: row.parts for r, row in enumerate(decision.rows) if row.parts} == parts
    assert decision.unconfirmed == unconfirmed


# --------------------------------------------------------------------------- whole reports

def _report(body: str, title: str = "Fylke", header: str = "\tAntall\tEndring fra i fjor Antall") -> str:
    return f"# Registrerte arbeidsledige\n\n## {title}\n\nFebruar 2014\n\n{header}\n{body}"


def _note_and_failures(text: str) -> tuple[list[str], list[str]]:
    report = parse_text(text, "r.txt")
    notes = [n for t in report.tables for n in t.notes]
    return notes, [f"{c.row}/{c.column}: {c.published} ≠ {c.computed}" for c in reconcile(report) if not c.holds]


def test_av_dette_rows_are_not_summed_by_the_total():
    # the case: summed over counties and municipalities the total was 16 289, published 13 796
    body = ("<b>Heile landet / Alle busette</b>\t<b>13 796</b>\t<b>-204</b>\nOslo\t2 493\t-31\n"
            "Av dette: Oslo\t2 493\t-31\nHordaland\t1 300\t20\nAv dette: Bergen\t700\t12\nRogaland\t10 003\t-193\n")
    notes, failures = _note_and_failures(_report(body))
    assert notes == [] and failures == []
    table = parse_text(_report(body), "r.txt").tables[0]
    assert table.sections[0].rows[0].parts == (1, 3, 5)


def test_a_national_total_above_a_county_page_is_published_as_is_with_a_note():
    body = ("<b>Hele landet</b>\t<b>15 183</b>\t<b>-120</b>\n<b>Møre og Romsdal</b>\t<b>1 182</b>\t<b>12</b>\n"
            "Ålesund\t600\t10\nMolde\t400\t-3\nKristiansund\t182\t5\n")
    notes, failures = _note_and_failures(_report(body, "Kommuner. Møre og Romsdal"))
    assert failures == []
    assert notes == ["Ikke kontrollert: «Hele landet» er ikke summen av radene under (struktur ukjent); "
                     "tabell «Kommuner. Møre og Romsdal», linje 8"]


def test_a_subtotal_above_its_parts_and_a_top_total_over_subtotals():
    body = ("<b>I alt</b>\t<b>9 711</b>\t<b>100</b>\n<b>Førstegenerasjonsinnvandrere i alt</b>\t<b>4 310</b>\t"
            "<b>40</b>\nEuropa\t3 000\t30\nAfrika\t1 310\t10\n<b>Norskfødte med innvandrerforeldre i alt</b>\t"
            "<b>5 401</b>\t<b>60</b>\nEuropa\t5 000\t50\nAfrika\t401\t10\n")
    notes, failures = _note_and_failures(_report(body, "Innvandrerbakgrunn"))
    assert (notes, failures) == ([], [])
    # one wrong region is named at its own subtotal, not at the grand total
    wrong = body.replace("Afrika\t1 310\t10", "Afrika\t1 311\t10")
    assert _note_and_failures(_report(wrong, "Innvandrerbakgrunn"))[1] == [
        "Førstegenerasjonsinnvandrere i alt/Antall: 4310 ≠ 4311"]


@pytest.mark.parametrize("header", ["\tAntall\tProsent februar",
                                    "\tAntall\tEndring fra i fjor Antall\tProsent februar"])
def test_a_rate_column_is_neither_a_share_nor_a_percent_change(header):
    body = ("<b>Hele landet</b>\t<b>70 000</b>\t<b>-300</b>\t<b>2,6</b>\nOslo\t30 000\t-100\t3,1\n"
            "Bergen\t40 000\t-200\t2,4\n")
    if header.count("\t") == 2:
        body = "".join("\t".join(line.split("\t")[:2] + line.split("\t")[3:]) + "\n" for line in body.splitlines())
    report = parse_text(_report(body, header=header), "r.txt")
    rate = report.tables[0].columns[-1]
    assert rate.kind is ColumnKind.RATE
    assert [c for c in reconcile(report) if not c.holds] == []
    assert report.tables[0].notes == ("Ikke kontrollert: kolonnen «Prosent februar» er ikke beregnet av tabellens "
                                      "andre tall (struktur ukjent); tabell «Fylke»",)


def test_a_block_of_rates_beside_a_block_of_counts():
    text = ("# Registrerte arbeidsledige\n\n## Fylke og kjønn\n\nFebruar 2014\n\n### Antall\n\n\tI alt\tMenn\tKvinner\n"
            "<b>I alt</b>\t<b>30</b>\t<b>18</b>\t<b>12</b>\nOslo\t10\t6\t4\nBergen\t20\t12\t8\n\n### Prosent\n\n"
            "\tI alt\tMenn\tKvinner\n<b>I alt</b>\t<b>2,5</b>\t<b>2,8</b>\t<b>2,2</b>\nOslo\t3,1\t3,3\t2,9\n"
            "Bergen\t2,1\t2,4\t1,8\n")
    report = parse_text(text, "r.txt")
    table = report.tables[0]
    assert table.columns[0].kind is ColumnKind.ROWSUM              # the counts confirm the row sum …
    assert table.sections[1].published == frozenset({0})           # … the rates refute it in their block
    assert table.sections[0].rows[0].parts == (1, 2) and table.sections[1].rows[0].parts == ()
    checks = reconcile(report)
    assert [c for c in checks if not c.holds] == []
    assert {c.section for c in checks if c.kind.value in ("sum", "radsum")} == {"Antall"}


def test_a_blank_is_never_a_formula(tmp_path):
    import openpyxl

    from converter import convert_file

    text = _report("<b>I alt</b>\t<b>30</b>\t\nOslo\t10\t\nBergen\t20\t\n", header="\tFebruar 2013\tFebruar 2014")
    src = tmp_path / "r.txt"
    src.write_text(_report("<b>I alt</b>\t<b>30</b>\t<b>5</b>\t\nOslo\t10\t2\t\nBergen\t20\t3\t\n",
                           header="\tAntall\tEndring fra i fjor Antall\tEndring fra i fjor Prosent"), encoding="utf-8")
    convert_file(src, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Fylke"]
    assert [ws.cell(r, 4).value for r in (5, 6, 7)] == [None, None, None]      # nothing published, nothing shown
    assert ws["B5"].value == "=SUM(B6:B7)"
    assert parse_text(text, "t.txt").tables[0].columns[1].kind is ColumnKind.VALUE


def test_two_tables_under_their_own_headings_keep_every_heading():
    text = ("## Arbeidsmarknaden i fylket\n\nFebruar 2014\n\n### Registrerte arbeidslause\n\n\tAntall\n"
            "<b>I alt</b>\t<b>30</b>\nOslo\t10\nBergen\t20\n\n### Ordinære arbeidsmarknadstiltak\n\n\tAntall\n"
            "<b>I alt</b>\t<b>7</b>\nOslo\t3\nBergen\t4\n")
    report = parse_text(text, "r.txt")
    assert report.title == "Arbeidsmarknaden i fylket"
    assert [t.title for t in report.tables] == ["Registrerte arbeidslause", "Ordinære arbeidsmarknadstiltak"]
    assert [c for c in reconcile(report) if not c.holds] == []


def test_no_heading_is_dropped_in_any_shape():
    import re

    for make in REAL_WORLD:
        g = generate(make.__name__, 1)
        report = parse_text(g.text, "r.txt")
        kept = {report.title, *report.note.splitlines()}
        for t in report.tables:
            kept.add(t.title)
            for s in t.sections:
                kept.update((s.heading or "").split(" / "))
        headings = {m.group(1).strip() for m in re.finditer(r"^#+ (.*)$", g.text, re.MULTILINE)}
        assert headings <= kept, (make.__name__, headings - kept)


def test_nothing_to_check_says_so(tmp_path):
    import openpyxl

    from converter import convert_file

    src = tmp_path / "r.txt"
    src.write_text(_report("Oslo\t10\t1\nBergen\t20\t2\n"), encoding="utf-8")
    result = convert_file(src, tmp_path / "r.xlsx")
    assert result.checks == []
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx", data_only=True)["Innhold"]
    assert ws["B9"].value == ("Ingen kontroller mulig: rapporten har ingen summer, beregnede kolonner eller tall "
                              "som står i flere tabeller")


def test_nothing_to_check_on_the_command_line(tmp_path):
    import subprocess
    import sys

    src = tmp_path / "r.txt"
    src.write_text(_report("Oslo\t10\t1\nBergen\t20\t2\n"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "converter", str(src), "--check"], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0
    assert done.stdout.splitlines() == [f"{src}: Februar 2014, 1 table, 2 rows, no checks possible (no totals, "
                                        "computed columns or repeated figures)"]
