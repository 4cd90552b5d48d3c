"""The rules for the headings before a header row: the table's title, its section, and which rule decided.

Pure: the parser hands in what it has read so far and applies the answer. Roles are decided by
position, not by `#` count or by one report's labels: the report title is the first heading of
the first page; before a header row, the first remaining heading is the table title and the last
the section heading; a page whose title and header equal the current table's continues it; a lone
heading between rows is a section. `orphans` finds headings with nothing under them, and
`named_after` settles a section heading at the title's level (Rule.MAYBE_SECTION).
"""

from __future__ import annotations

import re
from enum import StrEnum

from ..rules.labels import canon, topic
from .drafts import Run, SectionDraft, TableDraft

# A continued page's title may say so: "Tiltak og hovedgrupper (forts.)", "… - fortsettelse".
_CONTINUED = re.compile(r"\s*(?:\(\s*(?:forts|fortsatt|fortsettelse|fortsetter)\.?\s*\)|[-–—,]\s*"
                        r"(?:forts|fortsatt|fortsettelse)\.?)\s*$", re.IGNORECASE)


class Rule(StrEnum):
    """How a header row's headings were read (see `resolve`)."""

    NEW = "new table"
    CONTINUED = "continued page"
    SECTION = "new section"
    MAYBE_SECTION = "section if its total is named after it"


def orphans(run: Run, title: str | None, first_table: bool) -> list[bool]:
    """For each of the run's headings: whether it has nothing under it, being followed by one at
    its own level or above.

    Such a heading is an empty section of the current table, never the title of the next table:
    `### Andre på tiltak` with no rows, then `# Report`, `## Next table` must not name the next
    table "Andre på tiltak". The report's `title` is never an orphan, nor the file's first
    heading (`first_table`: no table read yet, and no title found).
    """
    headings = run.headings
    n_before = len(run.before)
    # The period line separates a page's title from its section: only headings on the same side
    # of it are compared ("## Title", "Februar 2014", "## Section" is no orphan).
    return [i + 1 < len(headings) and (i + 1 < n_before) == (i < n_before) and headings[i + 1][2] <= level
            and text != title and not (title is None and first_table and i == 0)
            for i, (text, _, level) in enumerate(headings)]


def report_title(run: Run, title: str | None) -> str | None:
    """The report's title once this run is read: the first heading of the first page, which has
    another heading or the period line after it."""
    before, after = run.before, run.after
    if title is None and (len(before) >= 2 or (len(before) == 1 and after)):
        return before[0][0]
    return title


def resolve(run: Run, headers: tuple[str, ...], *, title: str | None, table: TableDraft | None,
            sectioned: bool, tables: int) -> tuple[str, str | None, Rule]:
    """(table title, section heading, the rule that decided) for the header row that ends `run`.

    `title` is the report's (see `report_title`), `table` the current table, `sectioned` whether
    its current section has a heading, `tables` how many tables were read. One rule per shape of
    the headings before a header row, tried in this order:
    - NEW: the first table, or headings that name another title or come with another
      header: the first heading is the table's title, the last (if more) its section;
    - CONTINUED: no headings, only the report's title again, or the current table's title
      with the same header (a continued page; a different last heading starts a section);
    - SECTION: a lone heading between rows, no period line, same header, deeper than the
      table's title: a new section;
    - MAYBE_SECTION: the same, but at the title's level, in a table whose sections have
      headings: a section if its rows' total is named after it ("I alt nedsatt arbeidsevne,
      på tiltak" under "Nedsatt arbeidsevne, på tiltak"), else a new table (see `named_after`).
    """
    before = [h for h, *_ in run.before]
    after = [h for h, *_ in run.after]
    if before and before[0] == title and (len(before) >= 2 or after):
        before = before[1:]                       # the report title, repeated on every page
    names = before + after
    same_header = table is not None and headers == table.headers
    if table is None:
        return (names[0] if names else f"Tabell {tables + 1}"), (
            " / ".join(names[1:]) if len(names) > 1 else None), Rule.NEW
    if not names and not same_header:
        return table.title, None, Rule.NEW          # another header with no heading: another table
    if not names or (len(names) == 1 and same_header and names[0] == title):
        return table.title, None, Rule.CONTINUED
    if len(names) == 1 and same_header and not run.period_seen and run.follows_rows:
        # A lone heading between rows. (The '#' count decides only here, comparing headings
        # of one page; elsewhere position does.)
        if run.headings[-1][2] > table.title_level:
            return table.title, names[0], Rule.SECTION
        if sectioned:
            return table.title, names[0], Rule.MAYBE_SECTION
    # No heading is dropped: headings between the title and the last are part of the section's name.
    first, section = names[0], (" / ".join(names[1:]) if len(names) > 1 else None)
    if same_header and _CONTINUED.sub("", first) == table.title:
        return table.title, section, Rule.CONTINUED      # also "Title (forts.)"
    return first, section, Rule.NEW


def named_after(section: SectionDraft) -> bool:
    """Whether one of the section's total rows is named after its heading: what keeps a
    MAYBE_SECTION a section ("I alt nedsatt arbeidsevne, på tiltak" under "Nedsatt arbeidsevne,
    på tiltak"); else it is a table of its own."""
    heading = canon(section.heading or "")
    return any(bold and topic(label) == heading for label, bold in zip(section.labels, section.bold, strict=True))
