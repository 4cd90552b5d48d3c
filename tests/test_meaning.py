"""What a number means: one table-driven test per rule of converter/meaning.py, and the
agreement checks that rest on it (no false AVVIK across tables, every real difference found)."""

from __future__ import annotations

import pytest

from converter import parse_text
from converter.rules.checks import CheckKind, reconcile_report
from converter.rules.meaning import located_figures, located_keys, slice_names

CHANGE = ("Antall", "Endring fra i fjor Antall", "Endring fra i fjor Prosent")


def fmt(v: int) -> str:
    return f"{v:,}".replace(",", " ")


def table(title: str, rows: list[tuple[str, list[int], bool]], header: tuple[str, ...] = ("Antall",),
          section: str | None = None) -> str:
    """One page of a report: title heading, period, optional section heading, header, rows."""
    lines = ["# Deltakere i arbeidsrettede tiltak. Prøve. En måned", "", f"## {title}", "", "Februar 2017", ""]
    if section:
        lines += [f"### {section}", ""]
    lines.append("\t" + "\t".join(header))
    for label, values, bold in rows:
        cells = [fmt(v) for v in values]
        lines.append("\t".join([f"<b>{label}</b>", *(f"<b>{c}</b>" for c in cells)] if bold else [label, *cells]))
    return "\n".join(lines) + "\n\n"


def agreement(text: str):
    result = reconcile_report(parse_text(text, "x.txt"))
    agree = [c for c in result.checks if c.kind is CheckKind.AGREE]
    return agree, [c for c in result.checks if not c.holds], result.notes


def county(name: str, a: int, b: int) -> str:
    return table(f"Tiltaksgrupper. {name}", [("I alt", [a + b], True), ("Avklaringstiltak", [a], False),
                                              ("Oppfølging", [b], False)])


# --------------------------------------------------------------------------- slices

@pytest.mark.parametrize(("titles", "expected"), [
    (["Tiltaksgrupper. Østfold", "Tiltaksgrupper. Oslo", "Tiltaksgrupper. Hedmark"], ["østfold", "oslo", "hedmark"]),
    (["TILTAK 1", "TILTAK 2"], ["1", "2"]),
    (["Kvinner, tiltak i alt", "Menn, tiltak i alt"], ["kvinner", "menn"]),
])
def test_sibling_tables_are_slices(titles, expected):
    text = "".join(table(t, [("I alt", [3 + i], True), ("Rad 0", [1], False), ("Rad 1", [2 + i], False)])
                   for i, t in enumerate(titles))
    assert slice_names(parse_text(text, "x.txt").tables) == expected


def test_tables_with_other_labels_or_header_are_not_slices():
    text = (table("Hovedgrupper", [("I alt", [3], True), ("A", [1], False), ("B", [2], False)])
            + table("Tiltaksgrupper", [("I alt", [3], True), ("C", [1], False), ("D", [2], False)])
            + table("Kjønn", [("I alt", [3], True), ("A", [1], False), ("B", [2], False)], header=("I alt", "X", "Y")))
    assert slice_names(parse_text(text, "x.txt").tables) == ["", "", ""]


def test_county_tables_are_never_compared_with_each_other():
    text = county("Østfold", 20, 80) + county("Oslo", 100, 50) + county("Bergen", 20, 30)
    agree, failing, notes = agreement(text)
    assert (agree, failing, notes) == ([], [], [])


def test_numbered_parts_are_slices():
    text = "".join(table(f"TILTAK {i}", [("I alt", [10 * i + 3], True), ("Rad 0", [1], False),
                                         ("Rad 1", [10 * i + 2], False)]) for i in range(1, 6))
    assert agreement(text) == ([], [], [])


# --------------------------------------------------------------------------- groups

GENDER_BY_GROUP = table("Hovedgrupper og kjønn", [
    ("I alt", [100], True),
    ("Menn", [20], False), ("Kvinner", [10], False), ("I alt arbeidssøkere på tiltak", [30], True),
    ("Menn", [40], False), ("Kvinner", [30], False), ("I alt nedsatt arbeidsevne, på tiltak", [70], True),
])


def test_a_label_under_several_groups_is_crossed_with_its_group():
    text = GENDER_BY_GROUP + table("Kjønn", [("I alt", [100], True), ("Menn", [60], False), ("Kvinner", [40], False)])
    agree, failing, _ = agreement(text)
    assert failing == []
    assert sorted(c.row for c in agree) == ["I alt"]          # only the grand total is the same figure
    groups = {f.group for _, f in located_figures(parse_text(text, "x.txt")) if f.row == "Menn" and f.table != "Kjønn"}
    assert groups == {"I alt arbeidssøkere på tiltak", "I alt nedsatt arbeidsevne, på tiltak"}


def test_a_label_under_one_group_is_not_crossed():
    regions = table("Fylke og region", [
        ("I alt", [60], True), ("Østfold", [10], False), ("Oslo", [20], False), ("I alt Østlandet", [30], True),
        ("Rogaland", [30], False), ("I alt Vestlandet", [30], True)])
    flat = table("Fylke", [("I alt", [60], True), ("Østfold", [10], False), ("Oslo", [20], False),
                           ("Rogaland", [30], False)])
    agree, failing, _ = agreement(regions + flat)
    assert failing == []
    assert sorted(c.row for c in agree) == ["I alt", "Oslo", "Rogaland", "Østfold"]


GROUPED = table("Tiltak og tiltaksgrupper", [
    ("I alt", [100], True), ("Jobbklubb", [10], False), ("Mentor", [5], False), ("Oppfølging", [15], False),
    ("I alt oppfølging", [30], True), ("AMO", [50], False), ("Utdanning", [20], False),
    ("I alt opplæring", [70], True)])


def test_a_tiltak_named_like_its_group_in_a_list_of_tiltak_is_the_tiltak():
    tiltak = table("Tiltak", [("I alt", [100], True), ("Jobbklubb", [10], False), ("Mentor", [5], False),
                              ("Oppfølging", [15], False), ("AMO", [50], False), ("Utdanning", [20], False)])
    agree, failing, _ = agreement(GROUPED + tiltak)
    assert failing == []
    assert sorted(c.row for c in agree) == ["AMO", "I alt", "Jobbklubb", "Mentor", "Oppfølging", "Utdanning"]
    assert next(c for c in agree if c.row == "Oppfølging").computed == 15


def test_a_group_in_a_list_of_groups_is_the_group():
    groups = table("Tiltaksgrupper", [("I alt", [100], True), ("Oppfølging", [30], False), ("Opplæring", [70], False)])
    agree, failing, _ = agreement(GROUPED + groups)
    assert failing == []
    assert next(c for c in agree if c.row == "Oppfølging").computed == 30


def test_a_tiltak_named_like_a_group_without_structure_is_not_compared():
    groups = table("Tiltaksgrupper", [("I alt", [100, 10, 11], True), ("Oppfølging", [30, 5, 20], False),
                                      ("Opplæring", [70, 5, 8], False)], header=CHANGE)
    tiltak = table("Enkelttiltak", [("I alt", [100, 10, 11], True), ("Jobbklubb", [85, 7, 9], False),
                                    ("Oppfølging", [15, 3, 25], False)], header=CHANGE)
    agree, failing, notes = agreement(groups + tiltak)
    assert (agree, failing) == ([], [])
    assert notes == ["Tabell «Tiltaksgrupper» og «Enkelttiltak» har like rader, men ulike tall (3 av 6): "
                     "ikke sammenlignet"]


# --------------------------------------------------------------------------- evidence before accusation

HOVED = [("I alt", [100, 10, 11], True), ("Arbeidssøkere", [40, 4, 11], False),
         ("Nedsatt arbeidsevne", [60, 6, 11], False)]
GENDER = ("I alt", "Menn", "Kvinner")


@pytest.mark.parametrize(("changed", "failing_rows", "notes"), [
    ({}, [], 0),
    ({"Arbeidssøkere": [41, 21, 20]}, ["Arbeidssøkere", "I alt"], 0),   # one wrong number: AVVIK (and its total)
    ({"I alt": [101, 50, 51]}, ["I alt"], 0),
])
def test_one_difference_among_agreeing_figures_is_avvik(changed, failing_rows, notes):
    cross = [("I alt", [100, 50, 50], True), ("Arbeidssøkere", [40, 20, 20], False),
             ("Nedsatt arbeidsevne", [60, 30, 30], False)]
    cross = [(label, changed.get(label, values), bold) for label, values, bold in cross]
    text = table("Hovedgrupper", HOVED, CHANGE) + table("Hovedgrupper og kjønn", cross, GENDER)
    agree, failing, found = agreement(text)
    assert len(agree) == 3                                 # the "I alt" column is the count of each row
    assert sorted({c.row for c in failing}) == failing_rows
    assert len(found) == notes


def test_tables_with_like_rows_but_other_numbers_are_noted_not_accused():
    oslo = [("I alt", [30, 10, 20], True), ("Arbeidssøkere", [12, 6, 6], False),
            ("Nedsatt arbeidsevne", [18, 4, 14], False)]
    text = table("Hovedgrupper", HOVED, CHANGE) + table("Hovedgrupper og kjønn, Oslo", oslo, GENDER)
    agree, failing, notes = agreement(text)
    assert (agree, failing) == ([], [])
    assert notes == ["Tabell «Hovedgrupper» og «Hovedgrupper og kjønn, Oslo» har like rader, men ulike tall "
                     "(3 av 3): ikke sammenlignet"]


def test_sibling_tables_with_the_same_rows_are_slices_even_when_their_numbers_agree():
    text = table("Hovedgrupper", HOVED, CHANGE) + table("Hovedgrupper igjen", HOVED, CHANGE)
    assert agreement(text) == ([], [], [])


def test_shares_and_rates_are_never_compared_across_tables():
    header = ("Antall", "Andel i prosent", "Prosent av arbeidsstyrken")
    a = table("A", [("I alt", [100], True), ("X", [40], False), ("Y", [60], False)])
    b = table("B", [("I alt", [100, 100, 3], True), ("X", [40, 40, 1], False), ("Y", [60, 60, 2], False)], header)
    agree, failing, _ = agreement(a + b)
    assert failing == []
    assert {c.column for c in agree} == {"Antall"}


def test_year_columns_compare_this_year_with_counts():
    years = ("Februar 2016", "Februar 2017", "Endring fra i fjor Antall", "Endring fra i fjor Prosent")
    a = table("Hovedgrupper", [("I alt", [90, 100, 10, 11], True), ("X", [36, 40, 4, 11], False),
                               ("Y", [54, 60, 6, 11], False)], years)
    b = table("Tiltaksgrupper", [("I alt", [100], True), ("Z", [100], False)])
    agree, failing, _ = agreement(a + b)
    assert failing == []
    assert [(c.row, c.column, c.computed) for c in agree] == [("I alt", "Antall", 100)]


def test_a_herav_row_is_the_row_above_times_what_it_adds():
    hoved = table("Hovedgrupper", [("I alt", [100], True), ("herav kvinner", [45], False),
                                   ("Arbeidssøkere", [40], False), ("herav kvinner", [15], False),
                                   ("Nedsatt arbeidsevne", [60], False), ("herav kvinner", [30], False)])
    gender = table("Hovedgrupper og kjønn", [("I alt", [100, 55, 45], True), ("Arbeidssøkere", [40, 25, 15], False),
                                             ("Nedsatt arbeidsevne", [60, 30, 30], False)], GENDER)
    agree, failing, _ = agreement(hoved + gender)
    assert failing == []
    assert sorted((c.row, c.column) for c in agree) == [
        ("Arbeidssøkere", "I alt"), ("Arbeidssøkere", "Kvinner"), ("I alt", "I alt"), ("I alt", "Kvinner"),
        ("Nedsatt arbeidsevne", "I alt"), ("Nedsatt arbeidsevne", "Kvinner")]
    _, failing, _ = agreement(hoved.replace("herav kvinner\t15", "herav kvinner\t16") + gender)
    assert [(c.row, c.column) for c in failing] == [("Arbeidssøkere", "Kvinner")]
    assert ("Hovedgrupper", "", "herav kvinner") in failing[0].names()


def test_check_prints_what_it_did_not_compare(tmp_path):
    import subprocess
    import sys

    groups = table("Tiltaksgrupper", [("I alt", [100, 10, 11], True), ("Oppfølging", [30, 5, 20], False),
                                      ("Opplæring", [70, 5, 8], False)], header=CHANGE)
    tiltak = table("Enkelttiltak", [("I alt", [100, 10, 11], True), ("Jobbklubb", [85, 7, 9], False),
                                    ("Oppfølging", [15, 3, 25], False)], header=CHANGE)
    src = tmp_path / "x-2017-02.txt"
    src.write_text(groups + tiltak, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "converter", str(src), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1:] == [
        "  note: Tabell «Tiltaksgrupper» og «Enkelttiltak» har like rader, men ulike tall (3 av 6): "
        "ikke sammenlignet"]
    import openpyxl

    from converter import convert_file

    convert_file(src, tmp_path / "x.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    shown = [c.value for row in wb["Innhold"].iter_rows() for c in row if isinstance(c.value, str)]
    assert "Ikke kontrollert" in shown and any("ikke sammenlignet" in v for v in shown)
    notes = [c.value for row in wb["Avstemming"].iter_rows() for c in row
             if isinstance(c.value, str) and "ikke sammenlignet" in c.value]
    assert len(notes) == 1


@pytest.mark.parametrize("shape", ["sample_like", "gender_under_groups", "rate_column", "year_columns", "herav",
                                   "tiltak_named_like_group", "county_tables", "symbols"])
def test_keys_are_the_figures_keys(shape):
    """located_keys (what the agreement checks match on, without a Figure per cell) is Figure.key and
    Figure.comparable of located_figures, cell for cell, in order."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from familygen import generate

    from converter import parse_bytes

    for seed in range(2):
        report = parse_bytes(generate(shape, seed).data, f"{shape}.txt")
        keys = located_keys(report)
        assert keys == [(place, f.key, f.comparable) for place, f in located_figures(report)]
        if shape == "rate_column":      # a rate is never comparable: the flag is carried, not assumed
            assert any(not comparable for _, _, comparable in keys)
