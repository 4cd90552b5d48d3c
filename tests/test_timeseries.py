"""The time series of an archive: series, revisions, renames, derived months, the store and tidsserie.xlsx.

Oracles: the archive generator's own record of what it planted (bench/make_archive.py), and the
reports themselves as parsed (not the series engine under test).
"""

from __future__ import annotations

import csv
import json
import os
import sys
import zipfile
from array import array
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from conftest import ROOT, mutate

from converter import parse_report
from converter.run.timeseries import timeseries_of, write_timeseries
from converter.series.archive import Archive
from converter.series.axes import month_index, months_between, period_of
from converter.series.renames import Rename, load_renames
from converter.series.store import Store
from converter.series.tidy import BLANK, ReportData, tidy
from converter.series.timeline import build
from converter.series.views import Sids, View, same, year_earlier
from converter.xlsx.styles import COUNT, DERIVED, TEXT
from converter.xlsx.template import load_template

sys.path.insert(0, str(ROOT / "bench"))
from make_archive import HOVEDGRUPPER, OLD_FIRST_HOVEDGRUPPE, Planted, write_archive

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def _reports(root: Path) -> list[Path]:
    return sorted(root.rglob("*.txt"))


def _facts(wb) -> dict[str, object]:
    """Innhold's facts (the first occurrence of each key in column A)."""
    out: dict[str, object] = {}
    for key, value, *_ in wb["Innhold"].iter_rows(values_only=True):
        if key:
            out.setdefault(key, value)
    return out


def _write(timeline, tmp_path: Path) -> Path:
    xlsx = tmp_path / "tidsserie.xlsx"
    write_timeseries(timeline, xlsx, tmp_path / "tidsserie.csv")
    return xlsx


# --------------------------------------------------------------------------- pure rules

@pytest.mark.parametrize(("first", "last", "expected"), [
    ("2013-11", "2014-02", ["2013-11", "2013-12", "2014-01", "2014-02"]),
    ("2014-02", "2014-02", ["2014-02"]),
    ("1999-12", "2000-01", ["1999-12", "2000-01"]),
])
def test_months_between(first, last, expected):
    assert months_between(first, last) == expected
    assert all(period_of(month_index(m)) == m for m in expected)


@pytest.mark.parametrize(("text", "expected"), [
    ("Ordinære tiltaksdeltakere,Arbeidssøkere på tiltak\n", {"Ordinære tiltaksdeltakere": "Arbeidssøkere på tiltak"}),
    ("old,new\nA,B\n", {"A": "B"}),
    ("# kommentar\nA;B\n\nC;D\n", {"A": "B", "C": "D"}),
    ('"A, med komma",B\n', {"A, med komma": "B"}),
    ("A\tB\n", {"A": "B"}),
])
def test_load_renames(text, expected):
    assert load_renames(text) == expected


@pytest.mark.parametrize("text", ["A\n", "A,B,C\n", ",B\n"])
def test_load_renames_refuses_bad_lines(text):
    with pytest.raises(ValueError, match="line 1: expected two labels"):
        load_renames(text)


def test_rename_text():
    assert str(Rename("Ordinære tiltaksdeltakere", "Arbeidssøkere på tiltak", "2012-10")) == (
        "Omdøpt: «Ordinære tiltaksdeltakere» → «Arbeidssøkere på tiltak» fra 2012-10")


def _data(period: str, figures: list[tuple[str, str, int | None]], sha: str = "0" * 64) -> ReportData:
    """A one-table report: figures (row, measure, value) with column headers named after the measure."""
    headers = {"count": "Antall", "change": "Endring fra i fjor Antall", "previous": "I fjor"}
    keys = tuple(("T", "", "", row, headers[m], "", m) for row, m, _ in figures)
    at = array("H", [1 if m == "previous" else 0 for _, m, _ in figures])
    values = array("q", [BLANK if v is None else v for _, _, v in figures])
    periods = (period, f"{int(period[:4]) - 1}{period[4:]}")
    return ReportData(period, f"{period}.txt", sha, "Tittel", keys, at, values, bytes(len(figures)), (), periods)


# (last year's published count, this year's count, change, previous column) → revision difference or None
@pytest.mark.parametrize(("published", "count", "change", "previous", "difference"), [
    (100, 110, 10, None, None),          # consistent
    (100, 110, 12, None, -2),            # implied 98
    (100, None, -100, None, None),       # a blank count is 0: 0 − (−100) = 100
    (100, 110, None, None, None),        # no change published: nothing implied
    (None, 5, 5, None, None),            # last year blank (0), implied 0
    (100, 110, None, 101, 1),            # the year-earlier column says 101
])
def test_revision_rules(published, count, change, previous, difference):
    archive = Archive()
    archive.add(_data("2013-02", [("I alt", "count", published)]), "a", 1.0)
    now = [("I alt", "count", count), ("I alt", "change", change)]
    if previous is not None:
        now.append(("I alt", "previous", previous))
    archive.add(_data("2014-02", now), "b", 2.0)
    revisions = build(archive).revisions
    assert [r.difference for r in revisions] == ([] if difference is None else [difference])


# (count, change, year-earlier column, columns) → what the report says of its month a year earlier
@pytest.mark.parametrize(("count", "change", "previous", "columns", "said"), [
    (110, 10, None, True, 100),          # count − change
    (None, -100, None, True, 100),       # a blank count is 0
    (110, None, None, True, None),       # no change published: nothing
    (110, 10, 101, True, 101),           # the year-earlier column, not the arithmetic
    (110, 10, 101, False, None),         # arithmetic only for series without such a column
    (110, 10, None, False, 100),
])
def test_what_a_report_says_of_a_year_earlier(count, change, previous, columns, said):
    archive = Archive()
    figures = [("I alt", "count", count), ("I alt", "change", change)]
    if previous is not None:
        figures.append(("I alt", "previous", previous))
    archive.add(_data("2014-02", figures), "b", 1.0)
    sids = Sids()
    found = year_earlier(archive.reports()[0], View(archive.keys, sids), columns=columns)
    assert {sids.list[s]: value for s, value in found.items()} == (
        {} if said is None else {("T", "", "", "I alt", "", "count"): (said, 0)})


@pytest.mark.parametrize(("a", "b", "equal"), [((5, 0), (50, 1), True), ((5, 0), (51, 1), False),
                                               ((125, 2), (1250, 3), True), ((0, 0), (0, 4), True)])
def test_same_value_at_other_decimals(a, b, equal):
    assert same(a, b) is equal and same(b, a) is equal


def test_derived_month_is_marked_and_missing_months_listed():
    archive = Archive()
    archive.add(_data("2013-01", [("I alt", "count", 90)]), "a", 1.0)
    archive.add(_data("2014-02", [("I alt", "count", 110), ("I alt", "change", 7)]), "b", 1.0)
    timeline = build(archive)
    assert len(timeline.missing) == 12 and timeline.missing[0] == "2013-02"
    line = next(x for x in timeline.lines if x.sid[5] == "count")
    m = timeline.months.index("2013-02")
    assert line.value(m) == 103 and line.derived == {m}
    assert timeline.derived_months == ["2013-02"]


def test_decimals_are_exact():
    archive = Archive()
    data = _data("2014-02", [("Andel", "count", 125)])
    archive.add(replace(data, decimals=bytes([1])), "a", 1.0)
    assert build(archive).lines[0].value(0) == Decimal("12.5")


def test_reports_of_one_layout_keep_their_own_decimals():
    """Four reports with the same keys (one layout, planned once): a month published with a decimal
    makes the series finer, and the months before and after it keep their published values."""
    archive = Archive()
    published = {"2014-01": (125, 0), "2014-02": (1255, 1), "2014-03": (7, 0), "2014-04": (None, 0)}
    for period, (value, decimals) in published.items():
        data = _data(period, [("Andel", "count", value), ("I alt", "count", 3)])
        archive.add(replace(data, decimals=bytes([decimals, 0])), period, 1.0)
    line, total = build(archive).lines
    assert [line.value(m) for m in range(4)] == [125, Decimal("125.5"), 7, None]
    assert line.decimals == 1 and [total.value(m) for m in range(4)] == [3, 3, 3, 3]


def test_a_series_made_finer_by_another_layout_keeps_the_first_layouts_values():
    """Newest first: 2014-03 (layout A, whole), 2014-02 (layout B: another row, and a decimal that
    makes the series finer), 2014-01 (layout A again, whole: scaled like every other month)."""
    archive = Archive()
    for period, rows, decimals in (("2014-03", [("Andel", "count", 7)], [0]),
                                   ("2014-02", [("Andel", "count", 1255), ("Ny", "count", 1)], [1, 0]),
                                   ("2014-01", [("Andel", "count", 125)], [0])):
        data = _data(period, rows)
        archive.add(replace(data, decimals=bytes(decimals)), period, 1.0)
    line = build(archive).lines[0]
    assert [line.value(m) for m in range(3)] == [125, Decimal("125.5"), 7]


def test_a_damaged_store_file_reads_as_absent(tmp_path, sample_report):
    import zlib
    from dataclasses import replace

    sha = "c" * 64
    store = Store(tmp_path)
    assert store.save(replace(tidy(sample_report), sha256=sha))
    path = store.path(sha)
    good = json.loads(zlib.decompress(path.read_bytes()))
    for damage in ({"keys": [10**6]}, {"keys": [-1]}, {"keys": ["x"]}, {"strings": [1]}, {"at": [99999]},
                   {"periods": ["x"]}, {"values": [2**70]}, {"decimals": [300]}):
        doc = {**good, "data": {**good["data"], **damage}}
        if "keys" in damage or damage.keys() & {"at", "values", "decimals"}:
            # the same lengths as before, one entry damaged: only the entry is wrong
            field = next(iter(damage))
            doc["data"][field] = damage[field] + good["data"][field][1:]
        path.write_bytes(zlib.compress(json.dumps(doc).encode()))
        assert store.load(sha) is None, damage
    path.write_bytes(zlib.compress(json.dumps(good).encode()))
    assert store.load(sha) is not None

def test_newer_of_two_reports_for_a_month_wins():
    archive = Archive()
    archive.add(_data("2014-02", [("I alt", "count", 1)]), "old.txt", 1.0)
    archive.add(_data("2014-02", [("I alt", "count", 2)]), "new.txt", 2.0)
    timeline = build(archive)
    assert timeline.lines[0].value(0) == 2
    assert timeline.notes[0] == "time series: two reports for 2014-02: old.txt and new.txt; using new.txt (newer)"


# --------------------------------------------------------------------------- archives from the generator

@pytest.fixture(scope="module")
def consistent(tmp_path_factory):
    root = tmp_path_factory.mktemp("consistent")
    write_archive(root, 26, seed=5)                 # 2011-12 … 2014-02: two full years
    return root


def test_consistent_archive_has_no_revisions(consistent):
    timeline = timeseries_of(_reports(consistent))
    assert len(timeline.sources) == 26 and timeline.missing == []
    assert timeline.revisions == [] and timeline.renames == [] and timeline.derived_values == 0


def _expected_revisions(p: Planted) -> set[tuple[str, str, str, str, str]]:
    """The figures that contain the planted leaf in the change tables (the generator's own structure)."""
    h = HOVEDGRUPPER[p.hovedgruppe]
    return {(p.period, p.report, t, s, r) for t, s, r in [
        ("Hovedgrupper", "", "I alt"), ("Hovedgrupper", "", h),
        ("Tiltaksgrupper", "", "I alt"), ("Tiltaksgrupper", "", p.group),
        ("Tiltaksgrupper og hovedgrupper", h, f"I alt {h.lower()}"), ("Tiltaksgrupper og hovedgrupper", h, p.group)]}


def test_three_planted_revisions_are_listed_and_nothing_else(tmp_path):
    planted: list[Planted] = []
    write_archive(tmp_path / "a", 26, seed=5, revise=3, planted=planted)
    assert len(planted) == 3 and len({p.report for p in planted}) == 3
    timeline = timeseries_of(_reports(tmp_path / "a"))
    got = {(r.period, r.report, r.table, r.section, r.row) for r in timeline.revisions}
    expected = set().union(*(_expected_revisions(p) for p in planted))
    assert got == expected and len(timeline.revisions) == len(expected) == 18
    for r in timeline.revisions:
        p = next(p for p in planted if p.report == r.report)
        assert r.difference == p.implied - p.published and r.column == "Antall"
    # The sheet lists them, and Innhold counts them with a live formula.
    xlsx = _write(timeline, tmp_path)
    wb = openpyxl.load_workbook(xlsx, data_only=True)
    rows = list(wb["Revisjoner"].iter_rows(min_row=5, values_only=True))
    assert len(rows) == 18
    assert {(r[0], r[1], r[2], r[3] or "", r[5]) for r in rows} == expected
    assert all(r[9] == r[8] - r[7] for r in rows)
    assert _facts(wb)["Revisjoner"] == 18


@pytest.fixture(scope="module")
def renamed(tmp_path_factory):
    root = tmp_path_factory.mktemp("renamed")
    write_archive(root, 26, seed=5, rename_at=(2013, 10))
    return root


def test_rename_links_the_series(renamed, consistent, tmp_path):
    timeline = timeseries_of(_reports(renamed))
    assert [str(r) for r in timeline.renames] == [
        f"Omdøpt: «{OLD_FIRST_HOVEDGRUPPE}» → «Arbeidssøkere på tiltak» fra 2013-10",
        f"Omdøpt: «I alt {OLD_FIRST_HOVEDGRUPPE.lower()}» → «I alt arbeidssøkere på tiltak» fra 2013-10"]
    assert timeline.revisions == []
    assert not any(OLD_FIRST_HOVEDGRUPPE.lower() in x.casefold() for line in timeline.lines for x in line.sid)
    # The same numbers as the archive without the rename: one series each, every month filled.
    plain = timeseries_of(_reports(consistent))
    assert [(x.sid, x.values.tolist()) for x in timeline.lines] == [(x.sid, x.values.tolist()) for x in plain.lines]
    # Before the rename the row had the old label in its report.
    old = parse_report(renamed / "2012" / "tiltak-2012-05.txt")
    row = next(r for r in old.tables[0].sections[0].rows if r.label == OLD_FIRST_HOVEDGRUPPE)
    line = next(x for x in timeline.lines if x.sid == ("Hovedgrupper", "", "", "Arbeidssøkere på tiltak", "", "count"))
    assert line.value(timeline.months.index("2012-05")) == row.values[0]
    # One line in the chart, one row on the sheet.
    xlsx = _write(timeline, tmp_path)
    wb = openpyxl.load_workbook(xlsx)
    labels = [r[0] for r in wb["Hovedgrupper"].iter_rows(min_row=5, values_only=True)]
    assert labels.count("Arbeidssøkere på tiltak") == 3 and OLD_FIRST_HOVEDGRUPPE not in labels
    with zipfile.ZipFile(xlsx) as zf:
        chart = zf.read("xl/charts/chart1.xml").decode()
    assert chart.count("<c:v>Arbeidssøkere på tiltak</c:v>") == 1 and OLD_FIRST_HOVEDGRUPPE not in chart


def test_user_rename_mapping_links_without_evidence(renamed):
    # Only the rename month's report and one before it: nothing to confirm the rename with.
    paths = [renamed / "2013" / "tiltak-2013-09.txt", renamed / "2013" / "tiltak-2013-10.txt"]
    unconfirmed = timeseries_of(paths)
    assert [r.confirmed for r in unconfirmed.renames] == [False, False]
    assert any(OLD_FIRST_HOVEDGRUPPE in line.sid for line in unconfirmed.lines)
    mapping = load_renames(f"{OLD_FIRST_HOVEDGRUPPE},Arbeidssøkere på tiltak\n")
    linked = timeseries_of(paths, mapping)
    assert not any(OLD_FIRST_HOVEDGRUPPE in line.sid for line in linked.lines)
    assert "Omdøpt: «Ordinære tiltaksdeltakere» → «Arbeidssøkere på tiltak»" in [str(r) for r in linked.renames]


def test_missing_month_is_derived_from_the_next_year(tmp_path):
    root = tmp_path / "a"
    write_archive(root, 14, seed=3)                       # 2013-01 … 2014-02
    gone = root / "2013" / "tiltak-2013-02.txt"
    report = parse_report(gone)
    gone.unlink()
    timeline = timeseries_of(_reports(root))
    assert timeline.missing == ["2013-02"] and timeline.derived_months == ["2013-02"]
    m = timeline.months.index("2013-02")
    lines = {x.sid: x for x in timeline.lines}
    compared = 0
    for table in report.tables[:3]:                        # the tables with change columns
        for section in table.sections:
            for row in section.rows:
                line = lines[(table.title, section.heading or "", "", row.label, "", "count")]
                assert line.value(m) == (row.values[0] or 0) and m in line.derived
                compared += 1
    assert compared == timeline.derived_values > 30
    cross = lines[("Tiltak og hovedgrupper", "", "", "I alt", "", "count")]
    assert cross.value(m) is None and not cross.derived          # no change column: nothing to derive
    xlsx = _write(timeline, tmp_path)
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Hovedgrupper"]
    col = 3 + m
    assert ws.cell(5, col).style == "Avledet" and ws.cell(5, col + 1).style == "Tall"
    assert ws.cell(5, col).value == report.tables[0].sections[0].rows[0].values[0]
    assert "Avledet" in (ws["A3"].value or "")
    with (tmp_path / "tidsserie.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["period"] == "2013-02"]
    assert len(rows) == compared and all(r["derived"] == "1" for r in rows)


# --------------------------------------------------------------------------- the workbook

@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("small")
    write_archive(root, 14, seed=3)
    (root / "2013" / "tiltak-2013-07.txt").unlink()
    out = tmp_path_factory.mktemp("small-out")
    timeline = timeseries_of(_reports(root))
    return root, timeline, _write(timeline, out)


def test_chart_axes_visible_lines_straight_categories_text(small):
    _, timeline, xlsx = small
    with zipfile.ZipFile(xlsx) as zf:
        charts = [ET.fromstring(zf.read(n)) for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 4          # one per table sheet (two of the five tables share a title: one sheet)
    for chart in charts:
        axes = chart.findall(f".//{C}catAx") + chart.findall(f".//{C}valAx")
        assert len(axes) == 2 and all(a.find(f"{C}delete").get("val") == "0" for a in axes)
        series = chart.findall(f".//{C}ser")
        assert series and all(s.find(f"{C}smooth").get("val") == "0" for s in series)
        assert all(s.find(f"{C}cat/{C}strRef") is not None for s in series)
        points = series[0].findall(f"{C}cat/{C}strRef/{C}strCache/{C}pt/{C}v")
        assert [p.text for p in points] == timeline.months
    wb = openpyxl.load_workbook(xlsx)
    assert len(wb["Diagram"]._charts) == 4


def test_pandas_reads_the_published_numbers(small):
    import pandas as pd

    root, _timeline, xlsx = small
    frames = pd.read_excel(xlsx, sheet_name=["Hovedgrupper", "Tiltak og hovedgrupper"], header=3)
    compared = 0
    for path in _reports(root):
        report = parse_report(path)
        for table, sheet in ((report.tables[0], "Hovedgrupper"), (report.tables[-1], "Tiltak og hovedgrupper")):
            frame = frames[sheet]
            for row in table.sections[0].rows:
                for col, value in zip(table.columns, row.values, strict=True):
                    # a row whose label needs its group to be unique is shown as "label (group)"
                    label = frame["Rad"].astype(str)
                    same = (label == row.label) | label.str.startswith(row.label + " (", na=False)
                    got = frame[same & (frame["Kolonne"] == col.header)][report.period.key]
                    assert len(got) == 1
                    assert (pd.isna(got.iloc[0]) if value is None else got.iloc[0] == value), (path, row.label)
                    compared += 1
    assert compared == 13 * 200                  # 13 reports × (4 × 3 + 47 × 4) cells
    assert frames["Hovedgrupper"]["2013-07"].isna().all()     # the missing month stays empty


def test_labels_stay_text_even_when_they_look_like_formulas(tmp_path, sample_bytes):
    src = tmp_path / "tiltak-2014-02.txt"
    src.write_bytes(mutate(sample_bytes, b"## Hovedgrupper\n", b"## =Hovedgrupper\n"))
    timeline = timeseries_of([src])
    xlsx = _write(timeline, tmp_path)
    wb = openpyxl.load_workbook(xlsx)
    seen = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and "Hovedgrupper" in c.value and c.value.startswith("="):
                    assert c.data_type == "s", (ws.title, c.coordinate)
                    seen += 1
    assert seen >= 2                                          # the sheet's title and the Innhold listing
    with zipfile.ZipFile(xlsx) as zf:
        assert not any(b"<f>Hovedgrupper" in zf.read(n) or b"<f>=Hovedgrupper" in zf.read(n)
                       for n in zf.namelist())


def test_workbook_shape(small):
    _, _timeline, xlsx = small
    wb = openpyxl.load_workbook(xlsx)
    assert wb.sheetnames[:2] == ["Innhold", "Diagram"] and wb.sheetnames[-1] == "Revisjoner"
    ws = wb["Tiltak og hovedgrupper"]
    assert ws.freeze_panes == "C5"
    assert [c.value for c in ws[4]][:3] == ["Rad", "Kolonne", "2013-01"]
    assert wb.properties.creator.startswith("tiltak2xlsx")
    innhold = _facts(wb)
    assert innhold["Manglende måneder"] == "2013-07" and innhold["Rapporter"] == 13


def test_custom_template_without_the_derived_style_falls_back(tmp_path):
    from openpyxl import Workbook

    sys.path.insert(0, str(ROOT / "templates"))
    from make_template import styles

    wb = Workbook()
    for style in styles():
        if style.name != "Avledet":
            wb.add_named_style(style)
    custom = tmp_path / "eget.xlsx"
    wb.save(custom)
    tpl = load_template(custom)
    assert DERIVED in tpl.xf and tpl.xf[DERIVED] not in (tpl.xf[COUNT], tpl.xf[TEXT])


# --------------------------------------------------------------------------- the store and the batch

def test_store_round_trip_stale_damaged_and_prune(tmp_path, sample_report):
    from dataclasses import replace

    sha = "a" * 64
    data = replace(tidy(sample_report), sha256=sha)
    store = Store(tmp_path)
    assert store.load(sha) is None and store.save(data)
    again = store.load(sha)
    assert again == data and len(again) == len(data) > 300
    path = store.path(sha)
    doc = json.loads(__import__("zlib").decompress(path.read_bytes()))
    doc["code"] = "older"
    path.write_bytes(__import__("zlib").compress(json.dumps(doc).encode()))
    assert store.load(sha) is None                        # made by other code: not trusted
    path.write_bytes(b"garbage")
    assert store.load(sha) is None
    store.save(data)
    assert store.prune({"b" * 64}) == 1 and not path.exists()


def _count_parses(monkeypatch) -> list[str]:
    """Every parse of a report file, in the pipeline (conversions) and in the batch's main process
    (its time series step, when a report's stored data is missing or stale)."""
    import converter.run.archive as series_step
    import converter.run.convert as pipeline

    parses: list[str] = []
    for module in (pipeline, series_step):
        real = module.parse_report

        def counted(path, *args, real=real, **kwargs):
            parses.append(Path(path).name)
            return real(path, *args, **kwargs)

        monkeypatch.setattr(module, "parse_report", counted)
    return parses


def test_batch_parses_each_report_once_and_reruns_read_the_store(tmp_path, monkeypatch):
    import converter.run.batch as batch

    root = tmp_path / "a"
    write_archive(root, 14, seed=3)
    out = tmp_path / "out"
    parses = _count_parses(monkeypatch)
    options = batch.BatchOptions(output=out, jobs=1)
    lines: list[str] = []
    first = batch.run_batch([root], options, lines.append)
    # Each report parsed once, by its conversion: the time series uses what the worker returned.
    assert first.exit_code == 0 and sorted(parses) == sorted(p.name for p in _reports(root))
    assert lines[-2] == ("tiltak2xlsx: 14 converted, 0 up to date, 0 skipped, 0 failed, 0 with discrepancies; "
                         "time series: 14 reports (14 Tiltak. En måned), 0 revision(s), 0 renamed series, "
                         "0 derived month(s), 0 missing month(s)")
    assert len(list((out / ".tiltak2xlsx").glob("*.tidy.z"))) == 14          # saved by the workers
    manifest = json.loads((out / "tiltak2xlsx-manifest.json").read_text())
    assert manifest["timeseries"] == {"reports": 14, "kinds": {"Tiltak. En måned": 14}, "duplicates": 0,
                                      "months": 14, "revisions": 0, "renames": 0, "derived_months": 0,
                                      "derived_values": 0, "republished_values": 0, "missing_months": 0,
                                      "other_periods": {}, "written": True, "parsed": 0}
    assert all("data" not in r for r in manifest["items"])
    xlsx = out / "tidsserie.xlsx"
    stamp = xlsx.stat().st_mtime_ns
    lines.clear()
    batch.run_batch([root], options, lines.append)
    assert "time series: nothing changed; tidsserie.xlsx and tidsserie.csv not rewritten" in lines
    assert xlsx.stat().st_mtime_ns == stamp and len(parses) == 14
    assert "0 converted, 14 up to date" in lines[-2]
    assert "time series: 14 reports (14 Tiltak. En måned), 0 revision(s)" in lines[-2]
    manifest = json.loads((out / "tiltak2xlsx-manifest.json").read_text())
    assert manifest["timeseries"]["written"] is False and manifest["timeseries"]["reports"] == 14
    # One report changes: it alone is parsed (by its conversion); the other 13 come from the store.
    changed = root / "2013" / "tiltak-2013-05.txt"
    changed.write_bytes(changed.read_bytes().replace(b"\nMentor\t", b"\nMentor \t", 1))
    batch.run_batch([root], options, lines.append)
    assert parses[14:] == ["tiltak-2013-05.txt"]
    assert xlsx.stat().st_mtime_ns != stamp
    assert len(list((out / ".tiltak2xlsx").glob("*.tidy.z"))) == 14       # the old one pruned
    # A stored file lost: the main process parses that one report, and says so.
    lost = root / "2013" / "tiltak-2013-01.txt"
    Store(out).path(__import__("hashlib").sha256(lost.read_bytes()).hexdigest()).unlink()
    other = root / "2013" / "tiltak-2013-06.txt"                         # and one report changes
    other.write_bytes(other.read_bytes().replace(b"\nMentor\t", b"\nMentor \t", 1))
    lines.clear()
    batch.run_batch([root], options, lines.append)
    assert parses[15:] == ["tiltak-2013-06.txt", "tiltak-2013-01.txt"]
    assert lines[-2].endswith(", 1 report(s) parsed again (stored data missing or stale)")
    # --force rebuilds the time series too.
    stamp = xlsx.stat().st_mtime_ns
    lines.clear()
    batch.run_batch([root], batch.BatchOptions(output=out, jobs=1, force=True), lines.append)
    assert len(parses) == 17 + 14 and xlsx.stat().st_mtime_ns != stamp
    assert "time series: nothing changed; tidsserie.xlsx and tidsserie.csv not rewritten" not in lines


def test_jobs_2_returns_the_tidy_data_from_the_workers(tmp_path, monkeypatch):
    import converter.run.batch as batch

    root = tmp_path / "a"
    write_archive(root, 6, seed=3)
    parses = _count_parses(monkeypatch)              # the parent's: forked workers parse in their own copy
    summary = batch.run_batch([root], batch.BatchOptions(output=tmp_path / "out", jobs=2))
    assert summary.exit_code == 0 and parses == [] and summary.series["parsed"] == 0
    assert summary.series["reports"] == 6
    one = timeseries_of(_reports(root))
    wb = openpyxl.load_workbook(tmp_path / "out" / "tidsserie.xlsx")
    ws = wb["Hovedgrupper"]
    got = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    assert [[line.value(m) for m in range(len(one.months))] for line in one.lines[:len(got)]
            if line.sid[0] == "Hovedgrupper"] == [r[2:] for r in got]


def test_source_date_epoch_makes_the_time_series_byte_identical(tmp_path):
    from datetime import UTC, datetime

    import converter.run.batch as batch

    root = tmp_path / "a"
    write_archive(root, 3, seed=3)
    now = datetime.fromtimestamp(1700000000, UTC)
    for name in ("one", "two"):
        assert batch.run_batch([root], batch.BatchOptions(output=tmp_path / name, jobs=1, now=now)).exit_code == 0
    for name in ("tidsserie.xlsx", "tidsserie.csv"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    wb = openpyxl.load_workbook(tmp_path / "one" / "tidsserie.xlsx")
    assert wb.properties.created == datetime(2023, 11, 14, 22, 13, 20)


def test_rename_option_links_series_and_is_part_of_the_rerun_digest(renamed, tmp_path):
    from click.testing import CliRunner

    from converter.cli.app import app

    root = tmp_path / "a"
    root.mkdir()
    for name in ("tiltak-2013-09.txt", "tiltak-2013-10.txt"):          # nothing to confirm the rename with
        (root / name).write_bytes((renamed / "2013" / name).read_bytes())
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(app, [str(root), "-o", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.stderr
    labels = [r[0] for r in openpyxl.load_workbook(out / "tidsserie.xlsx")["Hovedgrupper"].iter_rows(
        min_row=5, values_only=True)]
    assert OLD_FIRST_HOVEDGRUPPE in labels
    mapping = tmp_path / "omdøpt.csv"
    mapping.write_text(f"old,new\n{OLD_FIRST_HOVEDGRUPPE},Arbeidssøkere på tiltak\n", encoding="utf-8")
    result = runner.invoke(app, [str(root), "-o", str(out), "--jobs", "1", "--rename", str(mapping)])
    assert result.exit_code == 0, result.stderr
    assert "time series: nothing changed" not in result.stderr           # the mapping is part of the digest
    assert f"Omdøpt: «{OLD_FIRST_HOVEDGRUPPE}» → «Arbeidssøkere på tiltak»" in result.stderr
    labels = [r[0] for r in openpyxl.load_workbook(out / "tidsserie.xlsx")["Hovedgrupper"].iter_rows(
        min_row=5, values_only=True)]
    assert OLD_FIRST_HOVEDGRUPPE not in labels and "Arbeidssøkere på tiltak" in labels
    again = runner.invoke(app, [str(root), "-o", str(out), "--jobs", "1", "--rename", str(mapping)])
    assert "time series: nothing changed" in again.stderr


@pytest.mark.parametrize(("content", "extra", "message"), [
    (b"A,B,C\n", [], "{f}: line 1: expected two labels (old, new), got 3 field(s): «A,B,C». "
                      "Write one 'old label,new label' per line."),
    (b"\xff\xfe,x\n", [], "{f}: the rename file is not UTF-8 text. Save it as UTF-8 CSV."),
    (None, [], "{f}: cannot read the rename file (No such file or directory). Give a CSV file: old label,new label."),
    (b"A,B\n", ["--no-timeseries"], "--rename applies to the time series of a batch (a folder or several "
                                     "reports). Drop --rename, or convert the folder without --check/--no-timeseries."),
])
def test_bad_rename_file_is_one_line_exit_2(tmp_path, content, extra, message):
    from click.testing import CliRunner

    from converter.cli.app import app

    root = tmp_path / "a"
    write_archive(root, 1, seed=3)
    f = tmp_path / "omdøpt.csv"
    if content is not None:
        f.write_bytes(content)
    result = CliRunner().invoke(app, [str(root), "-o", str(tmp_path / "out"), "--rename", str(f), *extra])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [message.format(f=f)]
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- LibreOffice

SOFFICE_MISSING = not (os.environ.get("PATH") and __import__("shutil").which("soffice"))


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE_MISSING, reason="LibreOffice (soffice) is not installed; "
                    "apt-get install libreoffice-calc-nogui")
def test_libreoffice_recalculates_tidsserie_with_no_differences(tmp_path):
    from test_libreoffice import recalculated_differences

    planted: list[Planted] = []
    write_archive(tmp_path / "a", 26, seed=5, revise=2, planted=planted)
    xlsx = _write(timeseries_of(_reports(tmp_path / "a")), tmp_path)
    compared, differences = recalculated_differences(tmp_path, xlsx)
    assert differences == [] and compared == 12 + 1            # every Differanse and the Innhold count
