"""Period lines and headers: every form NAV prints, its kind and key (periods.parse_period), and
reports for a quarter, a range, a year, a yearly average and a date (issue 16, item 3)."""

from __future__ import annotations

import pytest
from conftest import SAMPLE

from converter import ReportFormatError, parse_text
from converter.model import PeriodKind
from converter.rules.periods import is_month_key, parse_period, shift_years, year_before

K = PeriodKind


@pytest.mark.parametrize(("text", "kind", "key"), [
    ("Februar 2014", K.MONTH, "2014-02"),
    ("  desember   2010 ", K.MONTH, "2010-12"),
    ("1. kvartal 2020", K.QUARTER, "2020-Q1"),
    ("4.kvartal 2019", K.QUARTER, "2019-Q4"),
    ("2. kv. 2018", K.QUARTER, "2018-Q2"),
    ("Januar - februar 2019", K.MONTHS, "2019-01/2019-02"),
    ("januar–juni 2019", K.MONTHS, "2019-01/2019-06"),
    ("Desember 2018 - februar 2019", K.MONTHS, "2018-12/2019-02"),
    ("Januar til mars 2020", K.MONTHS, "2020-01/2020-03"),
    ("2013", K.YEAR, "2013"),
    ("Årsgjennomsnitt 2013", K.AVERAGE, "2013-avg"),
    ("Gjennomsnitt 2012", K.AVERAGE, "2012-avg"),
    ("31. desember 2010", K.DATE, "2010-12-31"),
    ("Per 30. juni 2015", K.DATE, "2015-06-30"),
    ("31.12.2010", K.DATE, "2010-12-31"),
])
def test_period_forms(text, kind, key):
    period = parse_period(text)
    assert period is not None and period.kind is kind and period.key == key
    assert period.text == " ".join(text.split())


@pytest.mark.parametrize("text", [
    "", "Antall", "Februar", "Endring fra i fjor Antall", "5. kvartal 2020", "Februar - januar 2019",
    "31. februar 2019", "32.01.2019", "13.13.2019", "Om statistikken 2014", "Februar 2014 og mars 2014", "12345",
])
def test_not_a_period(text):
    assert parse_period(text) is None


@pytest.mark.parametrize(("key", "before"), [
    ("2017-02", "2016-02"), ("2017", "2016"), ("2020-Q1", "2019-Q1"), ("2019-01/2019-02", "2018-01/2018-02"),
    ("2013-avg", "2012-avg"), ("2010-12-31", "2009-12-31"), ("2018-12/2019-02", "2017-12/2018-02"),
])
def test_year_before(key, before):
    assert year_before(key) == before
    assert shift_years(before, 1) == key


@pytest.mark.parametrize(("key", "monthly"), [("2014-02", True), ("2020-Q1", False), ("2013", False),
                                              ("2013-avg", False), ("2010-12-31", False), ("2019-01/2019-02", False)])
def test_month_keys(key, monthly):
    assert is_month_key(key) is monthly


def _report(period_line: str, headers: str = "\tAntall") -> str:
    return (f"# Registrerte arbeidsledige\n\n## Fylke\n\n{period_line}\n\n{headers}\n"
            "<b>I alt</b>\t<b>30</b>\nØstfold\t10\nOslo\t20\n")


@pytest.mark.parametrize(("line", "kind", "key", "shown"), [
    ("1. kvartal 2020", K.QUARTER, "2020-Q1", "1. kvartal 2020 (kvartal)"),
    ("Januar - februar 2019", K.MONTHS, "2019-01/2019-02", "Januar - februar 2019 (flere måneder)"),
    ("2013", K.YEAR, "2013", "2013 (år)"),
    ("Årsgjennomsnitt 2013", K.AVERAGE, "2013-avg", "Årsgjennomsnitt 2013 (årsgjennomsnitt)"),
    ("31. desember 2010", K.DATE, "2010-12-31", "31. desember 2010 (dato)"),
])
def test_reports_for_other_periods(line, kind, key, shown, tmp_path):
    report = parse_text(_report(line), "r.txt")
    assert report.period.kind is kind and report.period.key == key and report.period.text == line
    import openpyxl

    from converter import convert_file

    src = tmp_path / "r.txt"
    src.write_text(_report(line), encoding="utf-8")
    convert_file(src, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Innhold"]
    facts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert facts["Periode"] == shown


def test_year_columns_of_a_quarter_report():
    text = ("# Registrerte arbeidsledige\n\n## Fylke\n\n1. kvartal 2020\n\n\t2019\t2020\tEndring\n"
            "<b>I alt</b>\t<b>28</b>\t<b>30</b>\t<b>2</b>\nØstfold\t9\t10\t1\nOslo\t19\t20\t1\n")
    report = parse_text(text, "q.txt").tables[0]
    assert [c.period for c in report.columns] == ["2019-Q1", "2020-Q1", ""]
    assert report.columns[2].kind.value == "change"


def test_sample_is_a_month():
    from converter import parse_bytes

    period = parse_bytes(SAMPLE.read_bytes(), "s.txt").period
    assert period.kind is K.MONTH and period.key == "2014-02"


def test_no_period_says_what_was_looked_for():
    with pytest.raises(ReportFormatError) as info:
        parse_text("# Tittel\n\n## Fylke\n\n\tAntall\nOslo\t20\n", "tabell.txt")
    assert str(info.value) == (
        "tabell.txt: no period found: no line of its own names a month «Februar 2014», a quarter «1. kvartal "
        "2020», months «Januar - februar 2019», a year «2013», a yearly average «Årsgjennomsnitt 2013» or a "
        "date «31. desember 2010», and the file name has no YYYY-MM. Add the period line under the report's "
        "title, or put the month in the file name (tiltak-2014-02.txt).")
