"""The rules for the headings before a header row (read/headings.py), one shape at a time."""

from __future__ import annotations

import pytest

from converter.read.drafts import Run, SectionDraft, TableDraft
from converter.read.headings import Rule, named_after, orphans, report_title, resolve

HEADERS = ("Antall", "Prosent")
TABLE = TableDraft("Tiltak", HEADERS, 5, title_level=2)

RESOLVE = [
    # (run, headers, report title, current table, its section has a heading, tables so far) → result
    (Run(before=[("R", 1, 1), ("Tiltak", 3, 2)], period_seen=True), HEADERS, "R", None, False, 0,
     ("Tiltak", None, Rule.NEW)),
    (Run(), HEADERS, None, None, False, 0, ("Tabell 1", None, Rule.NEW)),
    (Run(), HEADERS, None, None, False, 2, ("Tabell 3", None, Rule.NEW)),
    (Run(before=[("R", 1, 1), ("Tiltak", 2, 2)], after=[("Del", 4, 3)]), HEADERS, "R", None, False, 0,
     ("Tiltak", "Del", Rule.NEW)),
    (Run(before=[("Tiltak", 2, 2), ("A", 3, 3), ("B", 4, 4)]), HEADERS, "R", None, False, 0,
     ("Tiltak", "A / B", Rule.NEW)),
    (Run(), HEADERS, "R", TABLE, False, 1, ("Tiltak", None, Rule.CONTINUED)),
    (Run(), ("I alt",), "R", TABLE, False, 1, ("Tiltak", None, Rule.NEW)),       # another header, no heading
    (Run(before=[("R", 20, 1)]), HEADERS, "R", TABLE, False, 1, ("Tiltak", None, Rule.CONTINUED)),
    (Run(before=[("R", 20, 1), ("Tiltak", 21, 2)], period_seen=True), HEADERS, "R", TABLE, False, 1,
     ("Tiltak", None, Rule.CONTINUED)),
    (Run(before=[("R", 20, 1), ("Tiltak", 21, 2)], after=[("Del", 23, 3)], period_seen=True), HEADERS, "R",
     TABLE, True, 1, ("Tiltak", "Del", Rule.CONTINUED)),
    (Run(before=[("Tiltak (forts.)", 21, 2)]), HEADERS, "R", TABLE, False, 1, ("Tiltak", None, Rule.CONTINUED)),
    (Run(before=[("Tiltak - fortsettelse", 21, 2)]), HEADERS, "R", TABLE, False, 1,
     ("Tiltak", None, Rule.CONTINUED)),
    (Run(before=[("Tiltak (forts.)", 21, 2)]), ("I alt",), "R", TABLE, False, 1,
     ("Tiltak (forts.)", None, Rule.NEW)),                                        # another header: another table
    (Run(before=[("Del", 30, 3)], follows_rows=True), HEADERS, "R", TABLE, False, 1,
     ("Tiltak", "Del", Rule.SECTION)),
    (Run(before=[("Del", 30, 2)], follows_rows=True), HEADERS, "R", TABLE, True, 1,
     ("Tiltak", "Del", Rule.MAYBE_SECTION)),
    (Run(before=[("Del", 30, 2)], follows_rows=True), HEADERS, "R", TABLE, False, 1, ("Del", None, Rule.NEW)),
    (Run(before=[("Del", 30, 3)], follows_rows=True, period_seen=True), HEADERS, "R", TABLE, False, 1,
     ("Del", None, Rule.NEW)),                                                    # a period line: a new page
    (Run(before=[("Del", 30, 3)]), HEADERS, "R", TABLE, False, 1, ("Del", None, Rule.NEW)),   # after text, not rows
    (Run(before=[("Andre", 40, 2), ("Kvinner", 41, 3)]), HEADERS, "R", TABLE, False, 1,
     ("Andre", "Kvinner", Rule.NEW)),
]


@pytest.mark.parametrize(("run", "headers", "title", "table", "sectioned", "tables", "expected"), RESOLVE)
def test_resolve(run, headers, title, table, sectioned, tables, expected):
    assert resolve(run, headers, title=title, table=table, sectioned=sectioned, tables=tables) == expected


@pytest.mark.parametrize(("run", "title", "expected"), [
    (Run(before=[("R", 1, 1), ("T", 2, 2)]), None, "R"),
    (Run(before=[("R", 1, 1)], after=[("T", 3, 2)]), None, "R"),
    (Run(before=[("T", 1, 2)]), None, None),                 # one heading alone may be a table's title
    (Run(before=[("T", 1, 2)], period_seen=True), None, None),
    (Run(before=[("R", 1, 1), ("T", 2, 2)]), "X", "X"),     # found once, kept
])
def test_report_title(run, title, expected):
    assert report_title(run, title) == expected


@pytest.mark.parametrize(("run", "title", "first_table", "expected"), [
    (Run(before=[("R", 1, 1), ("A", 2, 2), ("B", 3, 2)]), None, True, [False, True, False]),
    (Run(before=[("A", 1, 2), ("B", 2, 2)]), None, True, [False, False]),       # the file's first heading
    (Run(before=[("A", 1, 2), ("B", 2, 2)]), None, False, [True, False]),
    (Run(before=[("A", 1, 3), ("B", 2, 2)]), "R", False, [True, False]),        # followed by one above it
    (Run(before=[("A", 1, 2), ("B", 2, 3)]), "R", False, [False, False]),       # … or by one below: its section
    (Run(before=[("R", 1, 1), ("T", 2, 1)]), "R", False, [False, False]),       # the report's title
    (Run(before=[("T", 1, 2)], after=[("S", 3, 2)]), "R", False, [False, False]),   # across the period line
    (Run(), "R", False, []),
])
def test_orphans(run, title, first_table, expected):
    assert orphans(run, title, first_table) == expected


@pytest.mark.parametrize(("heading", "labels", "bold", "expected"), [
    ("Nedsatt arbeidsevne, på tiltak", ["I alt nedsatt arbeidsevne, på tiltak", "Avklaring"], [True, False], True),
    ("Nedsatt arbeidsevne, på tiltak", ["I alt nedsatt arbeidsevne, på tiltak"], [False], False),   # not a total
    ("Nedsatt arbeidsevne, på tiltak", ["I alt", "Avklaring"], [True, False], False),
    ("Andre på tiltak", ["Avklaring", "I alt andre på tiltak"], [False, True], True),
])
def test_named_after(heading, labels, bold, expected):
    assert named_after(SectionDraft(heading, 1, labels=labels, bold=bold)) is expected
