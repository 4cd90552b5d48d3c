"""Where a table starts and ends: titles and sections at one heading level, a new header row,
continued pages. Each report is hand-made and worked out by hand in its comment."""

from __future__ import annotations

import pytest
from handmade import HOVEDGRUPPER, failing, page, shape

from converter import parse_text


# A title and its first section at the same '#' level, separated by the period line: the title is
# the table's, the heading its section's (not an "orphan" title attached to the table before it,
# with the section taken for the title).
def test_title_and_section_at_the_same_level_around_the_period_line():
    text = (HOVEDGRUPPER
            + page("Tiltaksgrupper og hovedgrupper", ["Antall"],
                   [["*I alt arbeidssøkere på tiltak", "3"], ["Avklaring", "1"], ["Oppfølging", "2"]],
                   section="Arbeidssøkere på tiltak")
            + "## Nedsatt arbeidsevne, på tiltak\n\n\tAntall\n<b>I alt nedsatt arbeidsevne, på tiltak</b>\t<b>7</b>\n"
              "Avklaring\t3\nOppfølging\t4\n")
    assert shape(text) == [
        ("Hovedgrupper", [(None, 3)]),
        ("Tiltaksgrupper og hovedgrupper", [("Arbeidssøkere på tiltak", 3), ("Nedsatt arbeidsevne, på tiltak", 3)])]
    assert parse_text(text, "x.txt").warnings == ()


# A second header row with no heading before it (two tables on one page, or an export without '#'
# headings) that differs from the first starts a new table: 2 tables, 0 AVVIK (not a continued
# page whose rows land under the wrong header: 8 false AVVIK in the ';' export, or exit 1).
TWO_TABLES_NO_HEADINGS = (
    "Deltakere i arbeidsrettede tiltak. Tiltak. En måned\nFebruar 2014\n\n"
    ";Antall;Endring fra i fjor Antall;Endring fra i fjor Prosent\n"
    "I alt;10;1;11\nArbeidssøkere på tiltak;3;1;50\nNedsatt arbeidsevne, på tiltak;7;0;0\n\n"
    ";I alt;Arbeidssøkere på tiltak;Nedsatt arbeidsevne, på tiltak\n"
    "I alt;10;3;7\nAvklaring;4;1;3\nOppfølging;6;2;4\n")


@pytest.mark.parametrize("sep", [";", "\t"])
def test_a_different_header_without_headings_starts_a_new_table(sep):
    text = TWO_TABLES_NO_HEADINGS.replace(";", sep)
    tables = parse_text(text, "x.txt").tables
    assert [t.headers for t in tables] == [
        ("Antall", "Endring fra i fjor Antall", "Endring fra i fjor Prosent"),
        ("I alt", "Arbeidssøkere på tiltak", "Nedsatt arbeidsevne, på tiltak")]
    assert failing(text) == []


# A page whose title carries "(forts.)" continues its table (not a new table whose top "I alt" is
# summed over that page's rows only: 3 false AVVIK).
def test_continued_title_with_forts_is_the_same_table():
    text = (page("Tiltak og hovedgrupper", ["Antall"],
                 [["*I alt", "10"], ["Avklaring", "1"], ["Jobbklubb", "2"], ["*I alt avklaring", "3"]])
            + page("Tiltak og hovedgrupper (forts.)", ["Antall"],
                   [["*I alt", "10"], ["Utdanning", "3"], ["AMO", "4"], ["*I alt opplæring", "7"]]))
    assert failing(text) == []
