"""The lexers, one per input format: lines → cells, table line or not, the format a report is in;
and one small report written in every format parses to the same Report."""

from __future__ import annotations

from decimal import Decimal

import pytest

from converter import RowKind, parse_text
from converter.read.lexers import COMMA, LEXERS, MARKDOWN, SEMICOLON, TAB, choose_lexer


def _ids(rows):
    return [f"{row[0].name}-{n}" for n, row in enumerate(rows)]


SPLITS = [
    (TAB, "\tAntall\tEndring fra i fjor Antall", ["", "Antall", "Endring fra i fjor Antall"]),
    (TAB, "<b>I alt</b>\t<b>75 412</b>\t<b>-1 852</b>", ["<b>I alt</b>", "<b>75 412</b>", "<b>-1 852</b>"]),
    (TAB, "Mentor\t85\t\t", ["Mentor", "85", "", ""]),
    (TAB, " Avklaring \t 12 ", [" Avklaring ", " 12 "]),                  # cells are not trimmed
    (TAB, 'Kurs "AMO"\t1;2', ['Kurs "AMO"', "1;2"]),                       # quotes and ';' are text
    (SEMICOLON, ";Antall;Prosent", ["", "Antall", "Prosent"]),
    (SEMICOLON, '"Nedsatt arbeidsevne; på tiltak";12;3', ["Nedsatt arbeidsevne; på tiltak", "12", "3"]),
    (SEMICOLON, "Mentor;85;;", ["Mentor", "85", "", ""]),
    (SEMICOLON, '"Kurs ""AMO""";1', ['Kurs "AMO"', "1"]),                # a doubled quote is one
    (SEMICOLON, 'a;"b;1', ["a", "b;1"]),                                   # an unbalanced quote runs to the end
    (SEMICOLON, " x ; 1 ", [" x ", " 1 "]),
    (SEMICOLON, "Tiltak, i alt;5", ["Tiltak, i alt", "5"]),
    (COMMA, ",Antall,Prosent", ["", "Antall", "Prosent"]),
    (COMMA, '"Nedsatt arbeidsevne, på tiltak",54809,"-1 931"', ["Nedsatt arbeidsevne, på tiltak", "54809", "-1 931"]),
    (COMMA, '<b>I alt</b>,"12,5",3', ["<b>I alt</b>", "12,5", "3"]),
    (COMMA, "Mentor,85,,", ["Mentor", "85", "", ""]),
    (MARKDOWN, "| | Antall | Prosent |", ["", "Antall", "Prosent"]),
    (MARKDOWN, "|Mentor|85|10|", ["Mentor", "85", "10"]),
    (MARKDOWN, "  | <b>I alt</b> | <b>3</b> |", ["<b>I alt</b>", "<b>3</b>"]),
    (MARKDOWN, "| a | b", ["a", "b"]),                                     # no closing '|'
    (MARKDOWN, "| a |  |", ["a", ""]),
    (MARKDOWN, "| x\u00a0| 1\t|", ["x", "1"]),                             # cells are trimmed of any blank
]


@pytest.mark.parametrize(("lexer", "line", "cells"), SPLITS, ids=_ids(SPLITS))
def test_split(lexer, line, cells):
    assert lexer.split(line) == cells


TABLE_LINES = [
    (TAB, "x\t1", True),
    (TAB, "\tAntall", True),
    (TAB, "Tekst med\ttab", True),                  # any tab: the family's prose has none
    (TAB, "Februar 2014", False),
    (TAB, "# Tittel", False),
    (TAB, "x;1;2", False),
    (TAB, "| a | 1 |", False),
    (SEMICOLON, ";Antall;Prosent", True),
    (SEMICOLON, ";Antall", True),                   # starts with the separator: a header
    (SEMICOLON, "Mentor;85;10", True),
    (SEMICOLON, "Mentor;85;", True),
    (SEMICOLON, "<b>I alt</b>;<b>3</b>", True),
    (SEMICOLON, "x;1 234;-5;\u22123", True),
    (SEMICOLON, '"a;b";1', True),
    (SEMICOLON, "Merk: tallene er foreløpige; se nav.no", False),
    (SEMICOLON, "Tiltak;Antall", False),           # a header row needs its empty first cell
    (SEMICOLON, "Mentor;85;ti", False),
    (SEMICOLON, "x\t1", False),
    (COMMA, "I alt,75 412,-1 852", True),
    (COMMA, ",Antall", True),
    (COMMA, '"Nedsatt arbeidsevne, på tiltak",54809', True),
    (COMMA, 'x,"12,5"', True),
    (COMMA, "Hei, verden", False),
    (COMMA, "Se nav.no, under statistikk, 2014", False),
    (COMMA, "Februar 2014", False),
    (MARKDOWN, "| a | 1 |", True),
    (MARKDOWN, "   | a", True),
    (MARKDOWN, "|---|---|", True),                  # a table line; the parser skips it as a rule first
    (MARKDOWN, "a | b |", False),
    (MARKDOWN, "x\t1", False),
]


@pytest.mark.parametrize(("lexer", "line", "expected"), TABLE_LINES, ids=_ids(TABLE_LINES))
def test_is_table_line(lexer, line, expected):
    assert lexer.is_table_line(line) is expected


@pytest.mark.parametrize(("lexer", "line", "cells"), [
    (TAB, "Mentor\t85\t:", ["Mentor", "85", ":"]),
    (MARKDOWN, "| Mentor | 85 | : |", ["Mentor", "85", ":"]),
    (SEMICOLON, "Mentor;85;:", ["Mentor", "85", ":"]),
    (COMMA, "Mentor,85,..", ["Mentor", "85", ".."]),
    (SEMICOLON, "Mentor;<b>:</b>;12", ["Mentor", "<b>:</b>", "12"]),
], ids=["tab", "markdown", "semicolon", "comma", "semicolon-bold"])
def test_a_row_with_a_symbol_is_a_table_line(lexer, line, cells):
    assert lexer.is_table_line(line)
    assert lexer.split(line) == cells


@pytest.mark.parametrize(("lexer", "line"), [
    (SEMICOLON, "Kilde; x"),                 # a symbol with no number beside it: prose
    (SEMICOLON, "Merk; se tabell 2; x"),
    (COMMA, "Tallene for 2014, :"),
])
def test_a_symbol_without_a_number_is_prose(lexer, line):
    assert not lexer.is_table_line(line)


@pytest.mark.parametrize("sep", [";", ","])
def test_a_row_with_a_symbol_stays_in_its_table_in_every_format(sep):
    # The same table in tab and in `sep`: the row with ':' is a row of the table, its total checked.
    rows = [("", "Antall", "Endring"), ("I alt", "600", "10"), ("A", "100", ":"), ("B", "500", "")]
    def text(s: str) -> str:
        return ("# Deltakere i arbeidsrettede tiltak. Tiltak. En måned\n\nFebruar 2014\n\n## Tabell\n\n"
                + "\n".join(s.join(r) for r in rows) + "\n")
    tab, other = parse_text(text("\t"), "t.txt"), parse_text(text(sep), "s.txt")
    assert [r.label for r in other.tables[0].sections[0].rows] == ["I alt", "A", "B"]
    assert [(r.label, r.values, r.marks) for r in other.tables[0].sections[0].rows] == \
           [(r.label, r.values, r.marks) for r in tab.tables[0].sections[0].rows]
    assert other.note == tab.note == ""


CHOICES = [
    (["# Rapport", "Februar 2014", "\tAntall\tProsent", "x\t1\t2"], "tab"),
    (["# Rapport", "Februar 2014", ";Antall;Prosent", "x;1;2"], "semicolon"),
    ([",Antall,Prosent", "x,1,2"], "comma"),
    (["| | Antall | Prosent |", "|---|---|---|", "| x | 1 | 2 |"], "markdown"),
    (["\tA\tB", ";a;b", ",c,d", "|e|f|"], "tab"),          # tried in order: tab, ';', ',', '|'
    ([";a;b", ",c,d"], "semicolon"),
    (["x,1,2", ",A,B", "|e|f|"], "comma"),
    (["Merk; se nav.no; og mer", ";A;B"], "semicolon"),     # the line must start with its separator
    ([";Antall", "x;1"], "tab"),                            # one separator is not enough: the default
    (["\tAntall", ";a;b"], "semicolon"),                    # a one-column tab table loses to ';a;b'
    ([" | a | b |"], "tab"),                                # indented: not a header row's start
    (["Bare tekst", "Februar 2014"], "tab"),                # no table at all: the default
    ([], "tab"),
]


@pytest.mark.parametrize(("lines", "name"), CHOICES)
def test_choose_lexer(lines, name):
    assert choose_lexer(lines).name == name


def test_the_lexers():
    assert [(lexer.name, lexer.separator) for lexer in LEXERS] == [
        ("tab", "\t"), ("semicolon", ";"), ("comma", ","), ("markdown", "|")]


# One report in every format. The markdown rule under a header row is a blank line in the other
# formats, so that line numbers agree too.
TAB_TEXT = """\
# Deltakere i arbeidsrettede tiltak
Februar 2014
## Hovedgrupper
\tAntall\tEndring fra i fjor Antall\tEndring fra i fjor Prosent

<b>I alt</b>\t<b>75</b>\t<b>-5</b>\t<b>-6,3</b>
Arbeidssøkere, på tiltak\t50\t-3\t-5,7
Nedsatt arbeidsevne\t25\t-2\t-7,4
## Tiltak og hovedgrupper
\tI alt\tArbeidssøkere\tNedsatt arbeidsevne

<b>I alt</b>\t<b>75</b>\t<b>50</b>\t<b>25</b>
### Avklaring
\tI alt\tArbeidssøkere\tNedsatt arbeidsevne

<b>I alt avklaring</b>\t<b>30</b>\t<b>20</b>\t<b>10</b>
Arbeidsrettet rehabilitering\t10\t\t10
Avklaring\t20\t20\t0
Om tabellene: se [nav.no](https://nav.no).
"""

SEMICOLON_TEXT = """\
# Deltakere i arbeidsrettede tiltak
Februar 2014
## Hovedgrupper
;Antall;Endring fra i fjor Antall;Endring fra i fjor Prosent

<b>I alt</b>;<b>75</b>;<b>-5</b>;<b>-6,3</b>
Arbeidssøkere, på tiltak;50;-3;-5,7
Nedsatt arbeidsevne;25;-2;-7,4
## Tiltak og hovedgrupper
;I alt;Arbeidssøkere;Nedsatt arbeidsevne

<b>I alt</b>;<b>75</b>;<b>50</b>;<b>25</b>
### Avklaring
;I alt;Arbeidssøkere;Nedsatt arbeidsevne

<b>I alt avklaring</b>;<b>30</b>;<b>20</b>;<b>10</b>
Arbeidsrettet rehabilitering;10;;10
Avklaring;20;20;0
Om tabellene: se [nav.no](https://nav.no).
"""

COMMA_TEXT = """\
# Deltakere i arbeidsrettede tiltak
Februar 2014
## Hovedgrupper
,Antall,Endring fra i fjor Antall,Endring fra i fjor Prosent

<b>I alt</b>,<b>75</b>,<b>-5</b>,"<b>-6,3</b>"
"Arbeidssøkere, på tiltak",50,-3,"-5,7"
Nedsatt arbeidsevne,25,-2,"-7,4"
## Tiltak og hovedgrupper
,I alt,Arbeidssøkere,Nedsatt arbeidsevne

<b>I alt</b>,<b>75</b>,<b>50</b>,<b>25</b>
### Avklaring
,I alt,Arbeidssøkere,Nedsatt arbeidsevne

<b>I alt avklaring</b>,<b>30</b>,<b>20</b>,<b>10</b>
Arbeidsrettet rehabilitering,10,,10
Avklaring,20,20,0
Om tabellene: se [nav.no](https://nav.no).
"""

MARKDOWN_TEXT = """\
# Deltakere i arbeidsrettede tiltak
Februar 2014
## Hovedgrupper
| | Antall | Endring fra i fjor Antall | Endring fra i fjor Prosent |
|---|---:|---:|---:|
| <b>I alt</b> | <b>75</b> | <b>-5</b> | <b>-6,3</b> |
| Arbeidssøkere, på tiltak | 50 | -3 | -5,7 |
| Nedsatt arbeidsevne | 25 | -2 | -7,4 |
## Tiltak og hovedgrupper
| | I alt | Arbeidssøkere | Nedsatt arbeidsevne |
|---|---|---|---|
| <b>I alt</b> | <b>75</b> | <b>50</b> | <b>25</b> |
### Avklaring
| | I alt | Arbeidssøkere | Nedsatt arbeidsevne |
|---|---|---|---|
| <b>I alt avklaring</b> | <b>30</b> | <b>20</b> | <b>10</b> |
| Arbeidsrettet rehabilitering | 10 | | 10 |
| Avklaring | 20 | 20 | 0 |
Om tabellene: se [nav.no](https://nav.no).
"""

FORMATS = {"tab": TAB_TEXT, "semicolon": SEMICOLON_TEXT, "comma": COMMA_TEXT, "markdown": MARKDOWN_TEXT}


@pytest.mark.parametrize("name", FORMATS)
def test_each_format_is_recognised(name):
    assert choose_lexer(FORMATS[name].splitlines()).name == name


def test_every_format_parses_to_the_same_report():
    tab = parse_text(TAB_TEXT, "rapport.txt")
    assert tab.title == "Deltakere i arbeidsrettede tiltak"
    assert (tab.period.year, tab.period.month) == (2014, 2)
    assert tab.note == "Om tabellene: se nav.no."
    assert [(t.title, t.line, [(s.heading, s.line) for s in t.sections]) for t in tab.tables] == [
        ("Hovedgrupper", 4, [(None, 4)]),
        ("Tiltak og hovedgrupper", 10, [(None, 10), ("Avklaring", 14)])]
    assert tab.tables[0].headers == ("Antall", "Endring fra i fjor Antall", "Endring fra i fjor Prosent")
    assert [(r.label, r.values, r.kind, r.line) for r in tab.tables[0].sections[0].rows] == [
        ("I alt", (75, -5, Decimal("-6.3")), RowKind.TOTAL, 6),
        ("Arbeidssøkere, på tiltak", (50, -3, Decimal("-5.7")), RowKind.DETAIL, 7),
        ("Nedsatt arbeidsevne", (25, -2, Decimal("-7.4")), RowKind.DETAIL, 8)]
    assert [c.decimals for c in tab.tables[0].columns] == [0, 0, 1]
    assert [(r.label, r.values, r.kind, r.marks) for s in tab.tables[1].sections for r in s.rows] == [
        ("I alt", (75, 50, 25), RowKind.TOTAL, ()),
        ("I alt avklaring", (30, 20, 10), RowKind.TOTAL, ()),
        ("Arbeidsrettet rehabilitering", (10, None, 10), RowKind.DETAIL, ()),
        ("Avklaring", (20, 20, 0), RowKind.DETAIL, ())]
    for name, text in FORMATS.items():
        assert parse_text(text, "rapport.txt") == tab, name
