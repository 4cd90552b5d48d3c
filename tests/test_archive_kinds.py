"""The time series of an archive that looks real: several kinds of report a month, county slices,
year columns, a time-series report, yearly averages, a gap filled from a later report, and two
reports of the same kind and month.

Oracle: bench/make_mixed_archive.py's record of every figure it printed and where (computed from
its simulation, not from the converter), and hand-made tidy data for the pure rules.
"""

from __future__ import annotations

import csv
import itertools
import sys
from array import array

import openpyxl
import pytest
from conftest import ROOT

from converter import parse_report
from converter.books.timeseries import REPUBLISHED_FILL
from converter.rules.meaning import figures
from converter.run.timeseries import timeseries_of, write_timeseries
from converter.series.archive import Archive
from converter.series.tidy import BLANK, ReportData, report_kind, tidy
from converter.series.timeline import build

sys.path.insert(0, str(ROOT / "bench"))
from make_mixed_archive import (
    DUPLICATE_CORRECTION,
    KIND_AVERAGE,
    KIND_COUNTY,
    KIND_GENDER,
    KIND_NATIONAL,
    KIND_SERIES,
    write_mixed_archive,
)

GAP, COUNTY_GAP, DUPLICATE = "2013-03", "2012-11", "2013-08"


# --------------------------------------------------------------------------- which report it is

@pytest.mark.parametrize(("title", "tables", "kind", "slice_"), [
    ("Deltakere i arbeidsrettede tiltak. Tiltak. En måned", ["Hovedgrupper"], "Tiltak. En måned", ""),
    ("Deltakere i arbeidsrettede tiltak. Tiltak og fylke. En måned. Møre og Romsdal", ["Hovedgrupper"],
     "Tiltak og fylke. En måned", "Møre og Romsdal"),
    ("Deltakere i arbeidsrettede tiltak. Hovedgrupper. Tidsserie måned", ["Hovedgrupper"],
     "Hovedgrupper. Tidsserie måned", ""),
    ("Deltakere i arbeidsrettede tiltak. Tiltak. Årsgjennomsnitt", ["Hovedgrupper"], "Tiltak. Årsgjennomsnitt", ""),
    # a generic title: the kind is the first table's title
    ("Deltakere i arbeidsrettede tiltak", ["Tiltak og fylke. Møre og Romsdal", "Fylke"],
     "Tiltak og fylke. Møre og Romsdal", ""),
    ("", ["Fylke"], "Fylke", ""),
])
def test_report_kind(title, tables, kind, slice_):
    assert report_kind(title, tables)[:2] == (kind, slice_)


def test_identity_tells_slices_apart_by_title_or_tables_never_by_file_name():
    national = report_kind("Deltakere i arbeidsrettede tiltak. Tiltak. En måned", ["Hovedgrupper"])[2]
    more = report_kind("Deltakere i arbeidsrettede tiltak. Tiltak og fylke. En måned. Møre og Romsdal",
                       ["Hovedgrupper"])[2]
    oslo = report_kind("Deltakere i arbeidsrettede tiltak. Tiltak og fylke. En måned. Oslo", ["Hovedgrupper"])[2]
    by_table = [report_kind("Deltakere i arbeidsrettede tiltak", [f"Hovedgrupper. {c}"])[2] for c in ("Oslo", "Troms")]
    assert len({national, more, oslo, *by_table}) == 5


# --------------------------------------------------------------------------- the pure rules

def _data(period: str, figures_: list[tuple[str, str, int | None, str]], title: str = "Tittel",
          identity: str = "") -> ReportData:
    """A one-table report: figures (row, measure, value, period of the figure or "" for the report's own)."""
    headers = {"count": "Antall", "change": "Endring fra i fjor Antall", "previous": "I fjor", "period": "Kolonne"}
    slots = {period: 0}
    keys = tuple(("T", "", "", row, headers[m], "", m) for row, m, _, _ in figures_)
    at = array("H", [slots.setdefault(p or period, len(slots)) for _, _, _, p in figures_])
    values = array("q", [BLANK if v is None else v for _, _, v, _ in figures_])
    return ReportData(period, f"{period}.txt", "0" * 64, title, keys, at, values, bytes(len(figures_)), (),
                      tuple(slots), title, identity or title)


def _line(timeline, row="I alt"):
    return next(x for x in timeline.lines if x.sid[3] == row and x.sid[5] == "count")


def test_two_kinds_for_one_month_are_both_kept_and_a_difference_is_a_revision():
    archive = Archive()
    archive.add(_data("2014-02", [("I alt", "count", 100, "")], "Tiltak. En måned"), "a.txt", 2.0)
    archive.add(_data("2014-02", [("I alt", "count", 101, "")], "Tiltak. Tidsserie"), "b.txt", 1.0)
    timeline = build(archive)
    assert len(archive) == 2 and timeline.duplicates == [] and timeline.notes == []
    assert timeline.kinds == {"Tiltak. En måned": 1, "Tiltak. Tidsserie": 1}
    [revision] = timeline.revisions
    assert (revision.period, revision.difference, revision.how) in {("2014-02", 1, "publisert"),
                                                                    ("2014-02", -1, "publisert")}


def test_same_kind_and_month_are_duplicates_newer_wins():
    archive = Archive()
    archive.add(_data("2014-02", [("I alt", "count", 1, "")]), "old.txt", 1.0)
    archive.add(_data("2014-02", [("I alt", "count", 2, "")]), "new.txt", 2.0)
    timeline = build(archive)
    assert _line(timeline).value(0) == 2 and timeline.duplicates == [("2014-02", "old.txt", "new.txt")]


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_three_reports_of_one_month_give_the_same_notes_in_any_order(order):
    # A batch adds reports in the order its workers finish: the winner, the duplicates and their
    # notes must not depend on it (they named a report that a third, newer one then replaced).
    reports = [("a.txt", 1.0, 1), ("b.txt", 2.0, 2), ("c.txt", 3.0, 3)]
    archive = Archive()
    for i in order:
        path, mtime, value = reports[i]
        archive.add(_data("2014-02", [("I alt", "count", value, "")]), path, mtime)
    timeline = build(archive)
    assert _line(timeline).value(0) == 3
    assert timeline.duplicates == [("2014-02", "a.txt", "c.txt"), ("2014-02", "b.txt", "c.txt")]
    assert [str(n) for n in timeline.notes] == [
        "time series: two reports for 2014-02: a.txt and c.txt; using c.txt (newer)",
        "time series: two reports for 2014-02: b.txt and c.txt; using c.txt (newer)"]


@pytest.mark.parametrize(("own", "column", "change", "shown", "mark", "difference"), [
    # the month's own report, a later report's column for that month, count − change in the later report
    (None, 95, None, 95, "republished", None),      # only a column publishes it: republished, never derived
    (None, None, 5, 95, "derived", None),           # only arithmetic implies it: derived
    (None, 95, 3, 95, "republished", None),         # a column beats arithmetic (and is not compared with it)
    (90, 95, None, 90, "", 5),                      # the own report wins; the column's 95 is a revision
    (90, None, 5, 90, "", 5),                       # count − change = 95: a revision
    (95, 95, 5, 95, "", None),                      # all agree
])
def test_every_figure_under_its_own_period(own, column, change, shown, mark, difference):
    archive = Archive()
    archive.add(_data("2013-01", [("I alt", "count", 80, "")]), "first", 1.0)     # the axis starts before
    if own is not None:
        archive.add(_data("2013-02", [("I alt", "count", own, "")]), "a", 1.0)
    later = [("I alt", "count", 100, "")]
    if column is not None:
        later.append(("I alt", "previous", column, "2013-02"))
    if change is not None:
        later.append(("I alt", "change", change, ""))
    archive.add(_data("2014-02", later), "b", 2.0)
    timeline = build(archive)
    line = _line(timeline)
    m = timeline.months.index("2013-02")
    assert line.value(m) == shown and line.value(timeline.months.index("2014-02")) == 100
    assert (m in line.republished, m in line.derived) == (mark == "republished", mark == "derived")
    assert [r.difference for r in timeline.revisions] == ([] if difference is None else [difference])
    # a month no report publishes is missing (derived or not); one a later report publishes is not
    assert ("2013-02" in timeline.missing) == (mark == "derived")


def test_a_time_series_report_fills_each_month_and_another_frequency_has_its_own_timeline():
    archive = Archive()
    columns = [("I alt", "period", v, f"2013-{m:02d}") for m, v in ((1, 10), (2, 11), (3, 12))]
    archive.add(_data("2013-01/2013-03", columns, "Tidsserie"), "ts", 1.0)
    archive.add(_data("2013-avg", [("I alt", "count", 11, "")], "Snitt"), "avg", 1.0)
    timeline = build(archive)
    line = _line(timeline)
    assert timeline.months == ["2013-01", "2013-02", "2013-03"] and timeline.missing == []
    assert [line.value(m) for m in range(3)] == [10, 11, 12] and line.republished == {0, 1, 2}
    [average] = timeline.others
    assert average.frequency == "average" and average.months == ["2013-avg"]
    assert _line(average).value(0) == 11 and not _line(average).republished


def test_period_headings_are_periods_not_sections_categories_or_renames(tmp_path):
    def report(year: int) -> str:
        return (f"# Deltakere i arbeidsrettede tiltak. Tiltak. En måned\n\n## Hovedgrupper\n\nFebruar {year}\n\n"
                f"### Februar {year}\n\n\tAntall\n<b>I alt</b>\t<b>{year - 1970}</b>\nMenn\t{year - 1980}\n"
                f"Kvinner\t10\n\n### Februar {year - 1}\n\n\tAntall\n<b>I alt</b>\t<b>{year - 1971}</b>\n"
                f"Menn\t{year - 1981}\nKvinner\t10\n")
    paths = []
    for year in (2007, 2008):
        path = tmp_path / f"r{year}.txt"
        path.write_text(report(year), encoding="utf-8")
        paths.append(path)
    parsed = parse_report(paths[1])
    assert {(f.section, f.period) for f in figures(parsed)} == {("", "2008-02"), ("", "2007-02")}
    assert not any("februar" in c for f in figures(parsed) for c in f.categories)
    timeline = timeseries_of(paths)
    assert timeline.renames == [] and {x.sid[1] for x in timeline.lines} == {""}
    line = _line(timeline)
    assert line.value(0) == 36 and 0 in line.republished        # 2006-02: only the 2007 report prints it
    assert line.value(12) == 37 and 12 not in line.republished  # 2007-02: its own report
    assert timeline.revisions == []
    xlsx = tmp_path / "tidsserie.xlsx"
    write_timeseries(timeline, xlsx, tmp_path / "tidsserie.csv")
    assert openpyxl.load_workbook(xlsx).sheetnames == ["Innhold", "Diagram", "Hovedgrupper", "Revisjoner"]


# --------------------------------------------------------------------------- a generated real-looking archive

@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    import converter.run.batch as batch

    root = tmp_path_factory.mktemp("mixed")
    oracle = write_mixed_archive(root / "arkiv", 30, seed=4, counties=3, extras=True, gap=GAP,
                                 county_gap=COUNTY_GAP, duplicate=DUPLICATE)
    out = root / "out"
    lines: list[str] = []
    summary = batch.run_batch([root / "arkiv"], batch.BatchOptions(output=out, jobs=2), lines.append)
    with (out / "tidsserie.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return oracle, summary, lines, out, rows


def test_every_report_is_kept_and_the_summary_counts_kinds(mixed):
    oracle, summary, lines, _, _ = mixed
    assert summary.exit_code == 0
    kept = dict(oracle.kinds)
    kept[KIND_GENDER] -= oracle.duplicates
    assert summary.series["reports"] == len(oracle.paths) - 1 and summary.series["kinds"] == kept
    assert set(kept) == {KIND_NATIONAL, KIND_COUNTY, KIND_GENDER, KIND_SERIES, KIND_AVERAGE}
    assert kept[KIND_COUNTY] == 3 * 30 - 1
    line = lines[-2]
    for kind, n in kept.items():
        assert f"{n} {kind}" in line
    assert "1 duplicate report(s) not used (same kind and period as a newer one)" in line
    assert summary.series["duplicates"] == 1 and summary.series["revisions"] == 0


def _csv_figures(rows):
    return {(r["frequency"], r["period"], r["table"], r["row"], r["measure"]): r for r in rows
            if not (r["section"] or r["group"] or r["category"])}


def test_every_published_figure_under_its_own_period_and_none_derived(mixed):
    oracle, _, _, _, rows = mixed
    got = _csv_figures(rows)
    for key, (value, how) in oracle.figures.items():
        row = got[key]
        assert (None if row["value"] == "" else int(row["value"])) == value, key
        assert row["derived"] == "" and row["republished"] == ("1" if how == "republished" else ""), key
    # No value marked derived is published anywhere in the archive: not in the oracle, and never
    # in a month whose report of that table exists.
    derived = [r for r in rows if r["derived"] == "1"]
    national = {p.stem.removeprefix("tiltak-") for p in oracle.paths if p.parent.parent.name == "tiltak"}
    assert derived and all(r["period"] not in national for r in derived)
    assert not any((r["frequency"], r["period"], r["table"], r["row"], r["measure"]) in oracle.figures
                   for r in derived)


def test_gaps_are_filled_from_later_reports_as_published(mixed):
    oracle, _, _, _, rows = mixed
    got = _csv_figures(rows)
    gap = got[("month", GAP, "Hovedgrupper", "I alt", "count")]          # from the time-series report
    county = got[("month", COUNTY_GAP, "Hovedgrupper – Møre og Romsdal", "I alt", "count")]   # a year column
    assert gap["republished"] == county["republished"] == "1" and gap["derived"] == county["derived"] == ""
    assert int(gap["value"]) == oracle.figures[("month", GAP, "Hovedgrupper", "I alt", "count")][0]
    assert ("month", COUNTY_GAP, "Hovedgrupper – Østfold", "I alt", "count") in oracle.figures


def test_the_newer_duplicate_wins(mixed):
    oracle, _, _, _, rows = mixed
    got = _csv_figures(rows)
    menn = got[("month", DUPLICATE, "Kjønn", "Menn", "count")]
    assert int(menn["value"]) == oracle.figures[("month", DUPLICATE, "Kjønn", "Menn", "count")][0]
    older = next(p for p in oracle.paths if p.name == f"kjonn-{DUPLICATE}.txt")
    menn_then = next(r for r in parse_report(older).tables[0].sections[0].rows if r.label == "Menn").values[0]
    assert int(menn["value"]) == menn_then + DUPLICATE_CORRECTION


def test_workbook_sheets_styles_and_pandas(mixed):
    import pandas as pd

    oracle, _, _, out, _ = mixed
    xlsx = out / "tidsserie.xlsx"
    wb = openpyxl.load_workbook(xlsx)
    names = wb.sheetnames
    assert "Hovedgrupper (årsgjennomsnitt)" in names and "Hovedgrupper – Møre og Romsdal" in names
    assert len(names) == len(set(names)) and not any("2013" in n for n in names)
    ws = wb["Hovedgrupper"]
    months = [c.value for c in ws[4]][2:]
    col = 3 + months.index(GAP)
    assert ws.cell(5, col).fill.fgColor.rgb == REPUBLISHED_FILL
    assert ws.cell(5, 3 + months.index("2013-04")).fill.fgColor.rgb != REPUBLISHED_FILL
    # pandas reads every published number of the county and average sheets
    compared = 0
    for sheet, frequency, table in (("Hovedgrupper – Møre og Romsdal", "month", "Hovedgrupper – Møre og Romsdal"),
                                    ("Hovedgrupper (årsgjennomsnitt)", "average", "Hovedgrupper")):
        frame = pd.read_excel(xlsx, sheet_name=sheet, header=3)
        for (f, period, t, row, measure), (value, _) in oracle.figures.items():
            if f != frequency or t != table or measure != "count":
                continue
            got = frame[(frame["Rad"] == row) & (frame["Kolonne"] == "Antall")][period]
            assert len(got) == 1 and (pd.isna(got.iloc[0]) if value is None else got.iloc[0] == value)
            compared += 1
    assert compared > 4 * 40


SOFFICE_MISSING = not __import__("shutil").which("soffice")


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE_MISSING, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_the_mixed_time_series(mixed, tmp_path):
    from test_libreoffice import recalculated_differences

    _, _, _, out, _ = mixed
    xlsx = tmp_path / "tidsserie.xlsx"
    xlsx.write_bytes((out / "tidsserie.xlsx").read_bytes())
    compared, differences = recalculated_differences(tmp_path, xlsx)
    assert differences == [] and compared >= 1


def test_tidy_of_a_county_report_names_its_slice(mixed):
    oracle, *_ = mixed
    path = next(p for p in oracle.paths if "more-og-romsdal" in p.name)
    data = tidy(parse_report(path))
    assert {k[0] for k in data.keys} == {"Hovedgrupper – Møre og Romsdal"}
    assert data.kind == KIND_COUNTY and len(data.slots) == 2          # its own month and the year before


def test_quarterly_reports_are_their_own_series_beside_the_months(tmp_path):
    def quarterly(q: int, year: int, total: int, change: int) -> str:
        return (f"# Deltakere i arbeidsrettede tiltak. Tiltak. Kvartal\n\n## Hovedgrupper\n\n{q}. kvartal {year}\n\n"
                f"\tAntall\tEndring fra i fjor Antall\n<b>I alt</b>\t<b>{total}</b>\t<b>{change}</b>\n"
                f"Menn\t{total - 10}\t{change}\nKvinner\t10\t0\n")
    monthly = tmp_path / "m.txt"
    monthly.write_text("# Deltakere i arbeidsrettede tiltak. Tiltak. En måned\n\n## Hovedgrupper\n\nMars 2020\n\n"
                       "\tAntall\n<b>I alt</b>\t<b>50</b>\nMenn\t40\nKvinner\t10\n", encoding="utf-8")
    paths = [monthly]
    for q, total in ((1, 60), (2, 70)):
        path = tmp_path / f"q{q}.txt"
        path.write_text(quarterly(q, 2020, total, 5), encoding="utf-8")
        paths.append(path)
    timeline = timeseries_of(paths)
    assert timeline.months == ["2020-03"] and _line(timeline).value(0) == 50
    [quarters] = timeline.others
    assert quarters.frequency == "quarter" and quarters.months == ["2020-Q1", "2020-Q2"]
    assert [_line(quarters).value(m) for m in range(2)] == [60, 70]
    assert timeline.kinds == {"Tiltak. Kvartal": 2, "Tiltak. En måned": 1}
    xlsx = tmp_path / "tidsserie.xlsx"
    write_timeseries(timeline, xlsx, tmp_path / "tidsserie.csv")
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames == ["Innhold", "Diagram", "Hovedgrupper", "Hovedgrupper (kvartal)", "Revisjoner"]
    assert [c.value for c in wb["Hovedgrupper (kvartal)"][4]] == ["Rad", "Kolonne", "2020-Q1", "2020-Q2"]
    with (tmp_path / "tidsserie.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["row"] == "I alt" and r["measure"] == "count"]
    assert [(r["period"], r["value"], r["frequency"]) for r in rows] == [
        ("2020-03", "50", "month"), ("2020-Q1", "60", "quarter"), ("2020-Q2", "70", "quarter")]


def test_a_rename_is_found_among_reports_of_other_kinds(tmp_path):
    from make_archive import OLD_FIRST_HOVEDGRUPPE, write_archive

    national = write_archive(tmp_path / "national", 26, seed=5, rename_at=(2013, 10))
    others = [p for p in write_mixed_archive(tmp_path / "mixed", 26, seed=5, counties=2).paths
              if p.parent.parent.name in ("fylke", "kjonn")]
    timeline = timeseries_of([*national, *others])
    assert [str(r) for r in timeline.renames] == [
        f"Omdøpt: «{OLD_FIRST_HOVEDGRUPPE}» → «Arbeidssøkere på tiltak» fra 2013-10",
        f"Omdøpt: «I alt {OLD_FIRST_HOVEDGRUPPE.lower()}» → «I alt arbeidssøkere på tiltak» fra 2013-10"]
    assert timeline.revisions == [] and timeline.reports == 26 * 4


def test_slices_named_in_the_table_titles_are_kept_apart(tmp_path):
    paths = []
    for county, total in (("Oslo", 30), ("Troms", 40)):
        path = tmp_path / f"same-name-{county}.txt"
        path.write_text(f"# Deltakere i arbeidsrettede tiltak\n\n## Hovedgrupper. {county}\n\nDesember 2010\n\n"
                        f"\tAntall\n<b>I alt</b>\t<b>{total}</b>\nMenn\t{total - 10}\nKvinner\t10\n", encoding="utf-8")
        paths.append(path)
    timeline = timeseries_of(paths)
    assert timeline.duplicates == [] and timeline.reports == 2 and timeline.revisions == []
    assert {x.sid[0]: x.value(0) for x in timeline.lines if x.sid[3] == "I alt"} == {
        "Hovedgrupper. Oslo": 30, "Hovedgrupper. Troms": 40}
    assert timeline.kinds == {"Hovedgrupper. Oslo": 1, "Hovedgrupper. Troms": 1}
