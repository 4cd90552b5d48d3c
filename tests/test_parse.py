"""The parser: the sample pinned exactly, the second sample, numbers, encodings, damaged input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import BAD, FYLKE, SAMPLE, mutate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter import ColumnKind, ReportFormatError, RowKind, parse_bytes, parse_report
from converter.read.columns import classify_columns
from converter.read.numbers import decimal_mark, parse_number
from converter.rules.structure import assign_totals

TOTALS = {
    (0, 0, "I alt"): ("total", (75412, -1852, -2), (1, 2, 3)),
    (1, 0, "I alt"): ("total", (75412, -1852, -2), (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
    (2, 0, "I alt arbeidssøkere på tiltak"): ("total", (18258, -145, -1), (1, 2, 3, 4, 5, 6)),
    (2, 1, "I alt nedsatt arbeidsevne, på tiltak"): ("total", (54809, -1931, -3), (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
    (2, 2, "I alt andre på tiltak"): ("total", (2345, 224, 11), (1, 2, 3, 4, 5, 6, 7, 8, 9)),
    (3, 0, "I alt"): ("total", (75412, 18258, 54809, 2345), (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)),
    (4, 0, "I alt"): ("total", (75412, 18258, 54809, 2345), (4, 12, 18, 22, 25, 30, 36, 39, 43, 46)),
    (4, 0, "I alt avklaringstiltak"): ("subtotal", (2810, 231, 2382, 197), (1, 2, 3)),
    (4, 0, "I alt oppfølging"): ("subtotal", (12479, 3221, 9021, 237), (5, 6, 7, 8, 9, 10, 11)),
    (4, 0, "I alt opplæring"): ("subtotal", (18660, 5181, 13351, 128), (13, 14, 15, 16, 17)),
    (4, 0, "I alt lønnstilskudd"): ("subtotal", (5511, 1432, 3964, 115), (19, 20, 21)),
    (4, 0, "I alt arbeidspraksis"): ("subtotal", (23261, 8129, 14981, 151), (23, 24)),
    (4, 0, "I alt arbeidsrettet rehabilitering"): ("subtotal", (548, None, 267, 281), (26, 27, 28, 29)),
    (4, 0, "I alt tilrettelagt arbeid"): ("subtotal", (10519, None, 10519, None), (31, 32, 33, 34, 35)),
    (4, 0, "I alt helsemessig utredning/behandling"): ("subtotal", (783, None, 36, 747), (37, 38)),
    (4, 0, "I alt tilrettelegging"): ("subtotal", (701, None, 213, 488), (40, 41, 42)),
    (4, 0, "I alt jobbskaping og egenetablering"): ("subtotal", (140, 64, 75, 1), (44, 45)),
}


def test_sample_structure(sample_report):
    r = sample_report
    assert r.title == "Deltakere i arbeidsrettede tiltak. Tiltak. En måned"
    assert (r.period.year, r.period.month, r.period.text) == (2014, 2, "Februar 2014")
    assert r.source == "tiltak-2014-02.txt"
    assert r.encoding == "utf-8"
    assert r.removed_chars == 0
    # the notes page's own heading is kept at the head of the note: no heading is dropped
    assert r.note.startswith('Om tabellene\n"Om statistikken - Arbeidssøkere" finner du på nav.no ved å følge')
    assert [t.title for t in r.tables] == [
        "Hovedgrupper", "Tiltaksgrupper", "Tiltaksgrupper og hovedgrupper",
        "Tiltaksgrupper og hovedgrupper", "Tiltak og hovedgrupper"]
    assert [[s.heading for s in t.sections] for t in r.tables] == [
        [None], [None], ["Arbeidssøkere på tiltak", "Nedsatt arbeidsevne, på tiltak", "Andre på tiltak"],
        [None], [None]]
    assert [[len(s.rows) for s in t.sections] for t in r.tables] == [[4], [11], [7, 11, 10], [11], [47]]
    change = ("Antall", "Endring fra i fjor Antall", "Endring fra i fjor Prosent")
    cross = ("I alt", "Arbeidssøkere på tiltak", "Nedsatt arbeidsevne, på tiltak", "Andre på tiltak")
    assert [t.headers for t in r.tables] == [change, change, change, cross, cross]
    assert [c.kind for c in r.tables[0].columns] == [ColumnKind.VALUE, ColumnKind.VALUE, ColumnKind.PERCENT]
    assert r.tables[0].columns[2].operands == (0, 1)
    assert r.tables[4].columns[0].kind is ColumnKind.ROWSUM
    assert r.tables[4].columns[0].operands == (1, 2, 3)


def test_sample_every_total_pinned(sample_report):
    found = {(t, s, row.label): (row.kind.value, row.values, row.parts)
             for t, table in enumerate(sample_report.tables)
             for s, section in enumerate(table.sections)
             for row in section.rows if row.kind is not RowKind.DETAIL}
    assert found == TOTALS


def test_sample_continued_pages(sample_report):
    last = sample_report.tables[4].sections[0]
    # The repeated top totals of pages 2 and 3 are dropped from the rows and kept as repeats.
    assert [(rep.row, rep.line) for rep in last.repeats] == [(0, 164), (0, 194)]
    labels = [row.label for row in last.rows]
    assert labels.count("I alt") == 1
    assert labels[17:19] == ["Utdanning", "I alt opplæring"]     # a group continued over a page break
    assert labels[-1] == "I alt jobbskaping og egenetablering"   # last line has no line end


def test_sample_details_and_blanks(sample_report):
    rows = {row.label: row for row in sample_report.tables[4].sections[0].rows}
    assert rows["Mentor"].values == (85, 10, 70, 5)
    assert rows["Mentor"].line == 143
    assert rows["Resultatbasert finansiering"].values == (16, None, 16, None)
    jobb = sample_report.tables[2].sections[2].rows[-1]
    assert (jobb.label, jobb.values) == ("Jobbskaping og egenetablering", (1, 1, None))
    # labels exactly as published, typos included
    assert "Lønnskudd" in [row.label for row in sample_report.tables[3].sections[0].rows]
    assert "Jobbskappingsprosjekter" in rows


def test_second_sample_other_tables():
    r = parse_report(FYLKE)
    assert r.title == "Deltakere i arbeidsrettede tiltak. Fylke. En måned"
    assert (r.period.year, r.period.month) == (2015, 6)
    assert [t.title for t in r.tables] == ["Fylke", "Fylke og hovedgrupper"]
    fylke, cross = r.tables
    assert fylke.sections[0].rows[0].values == (88870, -9, 0)
    assert fylke.sections[0].rows[-1].values == (3, 3, None)       # U+2212 and NBSP parsed, blank kept
    assert [row.label for row in cross.sections[0].rows if row.kind is RowKind.SUBTOTAL] == [
        "I alt Østlandet", "I alt Sørlandet", "I alt Vestlandet", "I alt Trøndelag", "I alt Nord-Norge"]
    assert len(cross.sections[0].repeats) == 1
    assert cross.sections[0].rows[0].parts[-1] == len(cross.sections[0].rows) - 1   # ungrouped last row


@pytest.mark.parametrize(("text", "mark", "expected"), [
    ("", ",", None), ("  ", ",", None), ("0", ",", 0), ("75 412", ",", 75412), ("-1 852", ",", -1852),
    ("\u22123", ",", -3), ("1\u00a0234\u00a0567", ",", 1234567), ("1\u202f234", ",", 1234), ("−1\u00a0931", ",", -1931),
    ("007", ",", 7), ("123456789012345", ",", 123456789012345), ("1.234", ",", 1234), ("-12'345", ",", -12345),
    # decimals: exact, with the decimals as published
    ("12,5", ",", Decimal("12.5")), ("0,0", ",", Decimal("0.0")), ("-0,0", ",", Decimal("0.0")),
    ("2,60", ",", Decimal("2.60")), ("1 234,5", ",", Decimal("1234.5")), ("1.234,5", ",", Decimal("1234.5")),
    ("−3,7", ",", Decimal("-3.7")),
    # a file that groups thousands with ',' writes decimals with '.'
    ("1,234,567", ".", 1234567), ("1,234", ".", 1234), ("12.5", ".", Decimal("12.5")),
    ("1,234.5", ".", Decimal("1234.5")),
])
def test_parse_number(text, mark, expected):
    value = parse_number(text, mark)
    assert value == expected and type(value) is type(expected)
    if isinstance(expected, Decimal):
        assert value.as_tuple().exponent == expected.as_tuple().exponent     # "2,60" keeps two decimals


@pytest.mark.parametrize(("text", "mark"), [
    ("2x442", ","), ("1 23", ","), ("12 3456", ","), ("--3", ","), ("3-", ","), ("1 234 56", ","), ("abc", ","),
    ("1 234.567", ","), ("1.2345", ","), ("12.5", ","), ("1,2,3", ","), (",5", ","), ("5,", ","), ("1,5", "."),
    ("1,2345", "."), ("12,5.5", "."),
])
def test_parse_number_rejects(text, mark):
    with pytest.raises(ValueError, match="not a number"):
        parse_number(text, mark)


@pytest.mark.parametrize(("cells", "mark"), [
    (["75 412", "12,5"], ","), (["1,234", "12,345,678", "5"], "."), (["1,234", "2,5"], ","), (["3", "4"], ","),
    ([], ","), (["<b>1,234</b>".replace("<b>", "").replace("</b>", "")], "."),
])
def test_decimal_mark(cells, mark):
    assert decimal_mark(cells) == mark


@pytest.mark.parametrize(("bold", "expected"), [
    ([True, False, False], [("total", (1, 2)), ("detail", ()), ("detail", ())]),
    # groups with subtotals after them, then an ungrouped tail that only the top total covers
    ([True, False, False, True, False, True, False],
     [("total", (3, 5, 6)), ("detail", ()), ("detail", ()), ("subtotal", (1, 2)), ("detail", ()),
      ("subtotal", (4,)), ("detail", ())]),
    # a grand total over subtotals at the bottom, no top total
    ([False, True, False, False, True, True],
     [("detail", ()), ("subtotal", (0,)), ("detail", ()), ("detail", ()), ("subtotal", (2, 3)),
      ("total", (1, 4))]),
    # a bold row with nothing to sum keeps its numbers
    ([True, True, False], [("total", (1, 2)), ("subtotal", ()), ("detail", ())]),
    ([], []),
])
def test_assign_totals(bold, expected):
    assert [(k.value, p) for k, p in assign_totals(bold)] == expected


def test_herav_rows_and_columns_are_not_summed():
    text = ("# Rapport\n\n## Kjønn\n\nMai 2016\n\n\tI alt\tMenn\tKvinner\tHerav under 25 år\n"
            "<b>I alt</b>\t<b>100</b>\t<b>60</b>\t<b>40</b>\t<b>30</b>\n"
            "Oslo\t70\t40\t30\t20\n- herav Grünerløkka\t10\t5\t5\t1\nBergen\t30\t20\t10\t10\n")
    report = parse_bytes(text.encode(), "x.txt")
    table = report.tables[0]
    assert table.columns[0].operands == (1, 2)
    assert table.sections[0].rows[0].parts == (1, 3)
    from converter import reconcile

    assert all(c.holds for c in reconcile(report))


@pytest.mark.parametrize(("headers", "kinds"), [
    (("Antall", "Endring fra i fjor Antall", "Endring fra i fjor Prosent"),
     [("value", ()), ("value", ()), ("percent", (0, 1))]),
    (("I alt", "Menn", "Kvinner"), [("rowsum", (1, 2)), ("value", ()), ("value", ())]),
    (("Menn", "Kvinner", "I alt"), [("value", ()), ("value", ()), ("rowsum", (0, 1))]),
    (("I alt", "Antall"), [("value", ()), ("value", ())]),     # "I alt" over one column is just a column
    (("Antall", "Endring Antall", "Endring Prosent", "Endring fra forrige måned Antall",
      "Endring fra forrige måned Prosent"),
     [("value", ()), ("value", ()), ("percent", (0, 1)), ("value", ()), ("percent", (0, 3))]),
    (("Antall", "Prosent"), [("value", ()), ("share", (0,))]),    # no change column: a share of the total
    (("Antall", "Andel i prosent", "Prosent av arbeidsstyrken"), [("value", ()), ("share", (0,)), ("rate", ())]),
    (("Antall", "Gjennomsnittlig varighet (uker)"), [("value", ()), ("rate", ())]),
    (("Februar 2016", "Februar 2017", "Endring fra i fjor Antall", "Endring fra i fjor Prosent"),
     [("value", ()), ("value", ()), ("change", (1, 0)), ("growth", (0, 2))]),
    (("Endring fra i fjor Prosent", "Endring fra i fjor Antall", "Februar 2017", "Februar 2016"),
     [("growth", (3, 1)), ("change", (2, 3)), ("value", ()), ("value", ())]),
    (("Mars 2016", "Februar 2017", "Mars 2017"), [("value", ()), ("value", ()), ("value", ())]),
    (("2016", "2017", "Endring", "Prosent"), [("value", ()), ("value", ()), ("change", (1, 0)), ("growth", (0, 2))]),
    (("Antall", "Endring fra i fjor Prosent"), [("value", ()), ("rate", ())]),    # nothing to compute it from
    (("I alt", "Menn", "Kvinner", "Andel kvinner"), [("rowsum", (1, 2)), ("value", ()), ("value", ()),
                                                     ("rowshare", (2, 0))]),     # within the row
    (("I alt", "Menn", "Kvinner", "Prosent kvinner"), [("rowsum", (1, 2)), ("value", ()), ("value", ()),
                                                       ("rowshare", (2, 0))]),
    (("Antall", "Endring", "Endring i prosent"), [("value", ()), ("value", ()), ("percent", (0, 1))]),
    (("Antall", "Endring fra i fjor", "Endring fra i fjor %"),
     [("value", ()), ("value", ()), ("percent", (0, 1))]),
])
def test_classify_columns(headers, kinds):
    assert [(c.kind.value, c.operands) for c in classify_columns(headers)] == kinds


@pytest.mark.parametrize(("headers", "period", "measures"), [
    (("Antall", "Endring fra i fjor Antall", "Endring fra i fjor Prosent"), "2014-02",
     [("count", "", ""), ("change", "", ""), ("change%", "", "")]),
    (("Februar 2016", "Februar 2017", "Endring fra i fjor Antall", "Endring fra i fjor Prosent"), "2017-02",
     [("previous", "", "2016-02"), ("count", "", "2017-02"), ("change", "", ""), ("change%", "", "")]),
    (("Mars 2016", "Februar 2017"), "2017-02", [("period", "", "2016-03"), ("count", "", "2017-02")]),
    (("I alt", "Menn", "Kvinner"), "2017-02", [("count", "", ""), ("count", "Menn", ""), ("count", "Kvinner", "")]),
    (("Antall", "Andel i prosent", "Prosent av arbeidsstyrken"), "2017-02",
     [("count", "", ""), ("share", "", ""), ("rate", "", "")]),
])
def test_column_measures(headers, period, measures):
    assert [(c.measure.value, c.category, c.period) for c in classify_columns(headers, period)] == measures


# --------------------------------------------------------------------------- encodings and line ends

def _shape(report):
    return [(t.title, [(s.heading, [(r.label, r.values, r.kind) for r in s.rows]) for s in t.sections])
            for t in report.tables]


@pytest.mark.parametrize(("encode", "encoding"), [
    (lambda s: s.encode("utf-8"), "utf-8"),
    (lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"), "utf-8-sig"),
    (lambda s: s.encode("cp1252"), "cp1252"),
    (lambda s: s.encode("utf-16"), "utf-16"),
    (lambda s: s.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
    (lambda s: s.replace("\n", "\r").encode("cp1252"), "cp1252"),
])
def test_encodings_and_line_ends(sample_bytes, sample_report, encode, encoding):
    report = parse_bytes(encode(sample_bytes.decode("utf-8")), "x.txt")
    assert report.encoding == encoding
    assert _shape(report) == _shape(sample_report)


def test_thousands_separators_and_minus_variants(sample_bytes, sample_report):
    text = sample_bytes.decode().replace("75 412", "75\u00a0412").replace("-1 852", "\u22121\u202f852")
    assert _shape(parse_bytes(text.encode(), "x.txt")) == _shape(sample_report)


def test_control_characters_removed_and_counted(sample_bytes):
    data = mutate(sample_bytes, b"Mentor\t", b"Men\x07tor\x0b\t")
    report = parse_bytes(data, "x.txt")
    assert report.removed_chars == 2
    assert "Mentor" in [r.label for r in report.tables[4].sections[0].rows]


def test_semicolon_separated_export(sample_bytes, sample_report):
    report = parse_bytes(sample_bytes.replace(b"\t", b";"), "x.txt")
    assert _shape(report) == _shape(sample_report)


def _as_csv(text: str, sep: str) -> str:
    import csv
    import io

    out = []
    for line in text.split("\n"):
        if "\t" in line:
            buf = io.StringIO()
            csv.writer(buf, delimiter=sep, lineterminator="").writerow(line.split("\t"))
            out.append(buf.getvalue())
        else:
            out.append(line)
    return "\n".join(out)


@pytest.mark.parametrize("sep", [";", ","])
def test_csv_exports_with_quotes(sample_bytes, sample_report, sep):
    text = _as_csv(sample_bytes.decode(), sep)
    assert '"Nedsatt arbeidsevne, på tiltak"' in text or sep == ";"
    assert _shape(parse_bytes(text.encode(), "x.csv")) == _shape(sample_report)


def test_markdown_pipe_tables(sample_bytes, sample_report):
    lines = []
    for line in sample_bytes.decode().split("\n"):
        if "\t" in line:
            cells = line.split("\t")
            lines.append("| " + " | ".join(cells) + " |")
            if not cells[0]:
                lines.append("|" + "---|" * len(cells))
        else:
            lines.append(line)
    assert _shape(parse_bytes("\n".join(lines).encode(), "x.md")) == _shape(sample_report)


def test_lone_heading_at_the_title_level_is_a_new_table():
    text = ("# Rapport\n\nJanuar 2015\n\n## Tabell A\n\n\tAntall\n<b>I alt</b>\t<b>3</b>\nx\t1\ny\t2\n\n"
            "## Tabell B\n\n\tAntall\n<b>I alt</b>\t<b>3</b>\nz\t3\n\n"
            "### Del av B\n\n\tAntall\n<b>I alt</b>\t<b>1</b>\nw\t1\n")
    report = parse_bytes(text.encode(), "x.txt")
    assert [(t.title, [s.heading for s in t.sections]) for t in report.tables] == [
        ("Tabell A", [None]), ("Tabell B", [None, "Del av B"])]


def test_years_as_column_headers():
    text = "# Rapport\n\n## Per år\n\nMai 2016\n\n\t2014\t2015\n<b>I alt</b>\t<b>3</b>\t<b>5</b>\nx\t1\t2\ny\t2\t3\n"
    table = parse_bytes(text.encode(), "x.txt").tables[0]
    assert table.headers == ("2014", "2015")
    assert [r.values for r in table.sections[0].rows] == [(3, 5), (1, 2), (2, 3)]


def test_export_without_bold_markup_keeps_its_totals(sample_bytes, sample_report):
    plain = sample_bytes.replace(b"<b>", b"").replace(b"</b>", b"")
    assert _shape(parse_bytes(plain, "x.txt")) == _shape(sample_report)


def test_trailing_empty_cells_stripped_by_an_editor(sample_bytes, sample_report):
    text = "\n".join(line.rstrip("\t") for line in sample_bytes.decode().split("\n"))
    assert _shape(parse_bytes(text.encode(), "x.txt")) == _shape(sample_report)


# --------------------------------------------------------------------------- damaged input

def _expected_messages():
    lines = (BAD / "expected.tsv").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize(("name", "message"), _expected_messages())
def test_bad_input_exact_message(name, message):
    with pytest.raises(ReportFormatError) as info:
        parse_report(BAD / name)
    assert str(info.value) == message
    assert "\n" not in str(info.value)


def test_bad_corpus_is_complete():
    assert sorted(p.name for p in BAD.glob("*.txt")) == sorted(n for n, _ in _expected_messages())


def test_cell_over_excel_limit(sample_bytes):
    data = mutate(sample_bytes, b"Mentor\t", b"M" * 40_000 + b"\t")
    with pytest.raises(ReportFormatError) as info:
        parse_bytes(data, "long.txt")
    assert str(info.value) == (
        "long.txt: line 143: a cell of 40,000 characters, over Excel's limit of 32,767: "
        "«MMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMMM». Shorten the cell; it is not truncated silently.")


def test_ten_megabyte_line(sample_bytes):
    data = sample_bytes + b"\n" + b"x" * 10_000_000 + b"\n"
    with pytest.raises(ReportFormatError) as info:
        parse_bytes(data, "huge.txt")
    assert str(info.value) == (
        "huge.txt: line 207: line is 10,000,000 characters long, over the 100,000 a report line can have: "
        "«xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx». The file is not a tiltak report or is damaged.")


def test_size_limit_refused_before_reading(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:
        f.truncate(3 * 2**20)            # sparse: the limit must trigger on the size alone

    def no_read(*args, **kwargs):
        raise AssertionError("the file was read")

    monkeypatch.setattr(type(big), "read_bytes", no_read)
    with pytest.raises(ReportFormatError) as info:
        parse_report(big, max_bytes=2 * 2**20)
    assert str(info.value) == ("big.txt: the file is 3.0 MiB, over the 2 MiB limit. "
                               "Raise the size limit (max_bytes) if this really is one report.")


def test_missing_file(tmp_path):
    with pytest.raises(ReportFormatError) as info:
        parse_report(tmp_path / "nope.txt")
    assert str(info.value) == "nope.txt: no such file. Check the path."


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_parse_or_fail_cleanly(data):
    try:
        parse_bytes(data, "fuzz.txt")
    except ReportFormatError as exc:
        assert "\n" not in str(exc)


_LINES = SAMPLE.read_bytes().split(b"\n")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_LINES) - 1), st.binary(max_size=40)
                          | st.sampled_from([b"", b"\t", b"<b>", b"#", b"## X", b"\t\t\t", b"Mars 2014", b"\t1 2"])),
                min_size=1, max_size=6))
def test_mutated_sample_parses_or_fails_cleanly(edits):
    lines = list(_LINES)
    for index, junk in edits:
        cut = len(lines[index]) // 2
        lines[index] = lines[index][:cut] + junk + lines[index][cut:]
    try:
        report = parse_bytes(b"\n".join(lines), "fuzz.txt")
    except ReportFormatError as exc:
        assert "\n" not in str(exc)
    else:
        from converter import reconcile

        reconcile(report)     # whatever parses must also reconcile without crashing


# --------------------------------------------------------------------------- structure rules

def _page(title: str, section: str | None, rows: list[str], *, levels: tuple[int, int] = (2, 3),
          report: bool = True, period: bool = True) -> str:
    lines = ["# Deltakere i arbeidsrettede tiltak. Prøve. En måned", ""] if report else []
    if title:
        lines += [f"{'#' * levels[0]} {title}", ""]
    if period:
        lines += ["Februar 2014", ""]
    if section:
        lines += [f"{'#' * levels[1]} {section}", ""]
    return "\n".join([*lines, "\tAntall", *rows, "", ""]) + "\n"


AS = ["<b>I alt arbeidssøkere på tiltak</b>\t<b>3</b>", "Avklaring\t1", "Oppfølging\t2"]
NA = ["<b>I alt nedsatt arbeidsevne, på tiltak</b>\t<b>7</b>", "Avklaring\t3", "Oppfølging\t4"]
TOTAL = ["<b>I alt</b>\t<b>10</b>", "Avklaring\t4", "Oppfølging\t6"]


@pytest.mark.parametrize(("text", "tables"), [
    # a section heading at the title's level, whose total is named after it: a section
    (_page("Tiltaksgrupper og hovedgrupper", "Arbeidssøkere på tiltak", AS, levels=(3, 4))
     + "### Nedsatt arbeidsevne, på tiltak\n\n\tAntall\n" + "\n".join(NA) + "\n\n",
     [("Tiltaksgrupper og hovedgrupper", [("Arbeidssøkere på tiltak", 3), ("Nedsatt arbeidsevne, på tiltak", 3)])]),
    # the same heading over rows whose total is not named after it: a table of its own
    (_page("Tiltaksgrupper og hovedgrupper", "Arbeidssøkere på tiltak", AS, levels=(3, 4))
     + "### Tiltaksgrupper\n\n\tAntall\n" + "\n".join(TOTAL) + "\n\n",
     [("Tiltaksgrupper og hovedgrupper", [("Arbeidssøkere på tiltak", 3)]), ("Tiltaksgrupper", [(None, 3)])]),
    # a lone heading deeper than the title between rows: a section
    (_page("Tiltaksgrupper og hovedgrupper", "Arbeidssøkere på tiltak", AS)
     + "### Nedsatt arbeidsevne, på tiltak\n\n\tAntall\n" + "\n".join(NA) + "\n\n",
     [("Tiltaksgrupper og hovedgrupper", [("Arbeidssøkere på tiltak", 3), ("Nedsatt arbeidsevne, på tiltak", 3)])]),
    # an empty section heading before the next page: kept empty, the next table keeps its name
    (_page("Tiltaksgrupper og hovedgrupper", "Arbeidssøkere på tiltak", AS) + "### Andre på tiltak\n\n"
     + _page("Tiltaksgrupper", None, TOTAL),
     [("Tiltaksgrupper og hovedgrupper", [("Arbeidssøkere på tiltak", 3), ("Andre på tiltak", 0)]),
      ("Tiltaksgrupper", [(None, 3)])]),
    # an empty section heading right before the next table's title, no report title between
    (_page("Tiltaksgrupper og hovedgrupper", "Arbeidssøkere på tiltak", AS) + "### Andre på tiltak\n\n"
     + _page("Tiltaksgrupper", None, TOTAL, report=False),
     [("Tiltaksgrupper og hovedgrupper", [("Arbeidssøkere på tiltak", 3), ("Andre på tiltak", 0)]),
      ("Tiltaksgrupper", [(None, 3)])]),
    # a continued page: same title and header, the report title repeated
    (_page("Tiltaksgrupper", None, TOTAL) + _page("Tiltaksgrupper", None, ["<b>I alt</b>\t<b>10</b>", "Annet\t0"]),
     [("Tiltaksgrupper", [(None, 4)])]),
])
def test_headings_decide_tables_and_sections(text, tables):
    report = parse_bytes(text.encode(), "x.txt")
    assert [(t.title, [(s.heading, len(s.rows)) for s in t.sections]) for t in report.tables] == tables


def test_empty_section_is_named_in_a_warning():
    text = _page("Tiltaksgrupper og hovedgrupper", "Arbeidssøkere på tiltak", AS) + "### Andre på tiltak\n\n" + \
        _page("Tiltaksgrupper", None, TOTAL)
    assert parse_bytes(text.encode(), "x.txt").warnings == (
        "Linje 15: overskriften «Andre på tiltak» har ingen rader; beholdt som tom del av tabellen "
        "«Tiltaksgrupper og hovedgrupper».",)


@pytest.mark.parametrize(("last", "message"), [
    ("M\ty\t5\ty", "x.txt: line 9: not a number: «y». Correct the number, or leave the cell empty."),
    ("M\t5\t3\t2,", "x.txt: line 9: the file ends in the middle of a number: «2,». The file seems cut off: "
                    "export it again."),
    ("M\t5\t3\t1 2", "x.txt: line 9: the file ends in the middle of a number: «1 2». The file seems cut off: "
                     "export it again."),
])
def test_cut_off_last_line_is_reported_at_its_column(last, message):
    text = "# T\n\n## Tab\n\nMars 2015\n\n\tI alt\tA\tB\n<b>I alt</b>\t<b>5</b>\t<b>3</b>\t<b>2</b>\n" + last
    with pytest.raises(ReportFormatError) as info:
        parse_bytes(text.encode(), "x.txt")
    assert str(info.value) == message


def test_decimals_are_read_exactly_and_columns_know_their_decimals():
    text = ("# T\n\n## Andeler\n\nMars 2015\n\n\tAntall\tAndel i prosent\tProsent av arbeidsstyrken\n"
            "<b>I alt</b>\t<b>1 100</b>\t<b>100,0</b>\t<b>0,45</b>\nA\t420\t38,2\t0,2\nB\t680\t61,8\t0,3\n")
    table = parse_bytes(text.encode(), "x.txt").tables[0]
    assert [r.values for r in table.sections[0].rows] == [
        (1100, Decimal("100.0"), Decimal("0.45")), (420, Decimal("38.2"), Decimal("0.2")),
        (680, Decimal("61.8"), Decimal("0.3"))]
    assert [c.decimals for c in table.columns] == [0, 1, 2]
    assert [c.kind.value for c in table.columns] == ["value", "share", "rate"]
