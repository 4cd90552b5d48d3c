"""Text → Report. Pure: no openpyxl, no file writing.

The report family ("Deltakere i arbeidsrettede tiltak") is markdown-ish text: headings with
`#` marks (whose number varies for the same role), a period line ("Februar 2014"), then tables
as tab-separated lines whose header row starts with an empty cell. Totals are wrapped in
`<b>…</b>`. Long tables continue on the next "page", which repeats the headings, the header
row and the top total.

Roles are decided by position, not by `#` count or by this one report's labels; the rules for
headings are in one place, `_Parser.resolve` (one rule per shape, named by `Rule`), with
`drop_orphans` (a heading with nothing under it) and `settle` (a section heading at the title's
level): the report title is the first heading of the first page; before a header row, the first
remaining heading is the table title and the last the section heading; a page whose title and
header equal the current table's continues it, and its repeated top total is dropped and
checked; a lone heading between rows is a section.

Numbers: counts are int, decimals ("12,5") are Decimal, exactly as published; the file's
decimal mark is decided once, from all its number cells (`decimal_mark`). Column roles and
measures come from the header row (`classify_columns`).
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from ..errors import ReportFormatError
from ..model import (
    MONTHS,
    SYMBOLS,
    Number,
    Period,
    PeriodKind,
    Repeat,
    Report,
    Row,
    Section,
    Table,
)
from ..rules.labels import canon, is_subset_label, topic
from ..rules.periods import EXAMPLES, parse_period
from ..rules.structure import assign_totals, decide
from .columns import classify_columns
from .decode import HINT_EXPORT, ILLEGAL_XML, decode, split_lines

MAX_LINE_CHARS = 100_000               # a real row is < 300 characters; this stops a 10 MB line
MAX_CELL_CHARS = 32_767                # Excel's limit for one cell
MAX_COLUMNS = 16_383                   # Excel has 16,384 columns; column A holds the labels
MAX_DIGITS = 15                        # Excel keeps 15 significant digits

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_MD_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")   # |---|---:| under a markdown header
_BOLD = re.compile(r"</?(?:b|strong)>", re.IGNORECASE)
_OPEN_BOLD = re.compile(r"<(?:b|strong)>", re.IGNORECASE)
_CLOSE_BOLD = re.compile(r"</(?:b|strong)>", re.IGNORECASE)
_DIGIT_COMMA = re.compile(r"\d,\d")
# A continued page's title may say so: "Tiltak og hovedgrupper (forts.)", "… - fortsettelse".
_CONTINUED = re.compile(r"\s*(?:\(\s*(?:forts|fortsatt|fortsettelse|fortsetter)\.?\s*\)|[-–—,]\s*"
                        r"(?:forts|fortsatt|fortsettelse)\.?)\s*$", re.IGNORECASE)
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
# Thousands separators: space, NBSP and narrow NBSP (the family's), and in other exports '.', ','
# or an apostrophe, one kind per number and strictly in groups of three ("1,5" is not a count).
_NUMBERISH = re.compile(r"[-\u2212]?[\d \u00a0\u202f.,']*\d")


def parse_bytes(data: bytes, source: str = "<report>") -> Report:
    """Parse a report from its bytes; `source` names it in the model and in error messages."""
    text, encoding = decode(data, source)
    report = parse_text(text, source, encoding=encoding)
    return replace(report, sha256=hashlib.sha256(data).hexdigest())


def parse_text(text: str, source: str = "<report>", *, encoding: str = "utf-8") -> Report:
    """Parse decoded report text."""
    lines, ended = split_lines(text)
    return _Parser(source, lines, ended, encoding).parse()


# --------------------------------------------------------------------------- numbers and cells

_GROUP_CHARS = {",": " \u00a0\u202f.'", ".": " \u00a0\u202f,'"}   # thousands separators beside each decimal mark
_INTEGER = {mark: re.compile(rf"\d{{1,3}}(?:([{re.escape(chars)}])\d{{3}})(?:\1\d{{3}})*|\d+")
            for mark, chars in _GROUP_CHARS.items()}
_COMMA_GROUPED = re.compile(r"[-\u2212]?[1-9]\d{0,2}(?:,\d{3})+")   # "0,125" is a decimal, never 125
_SPACE_GROUPED = re.compile(r"\d[ \u00a0\u202f]\d{3}")
_NON_DIGITS = re.compile(r"\D")


def parse_number(cell: str, decimal_mark: str = ",") -> Number | None:
    """A published number: '' → None; '75 412', '-1 852', '−3', '1\u00a0234' → int; '12,5' → Decimal('12.5').

    `decimal_mark` is the file's (see `decimal_mark`): with ',' (the family's convention) a
    comma starts the decimals and '.', space, NBSP or an apostrophe group thousands; with '.',
    a comma groups thousands. Groups are strictly three digits, one kind of separator per number.
    Decimals are kept exactly (Decimal, never a binary float). Raises ValueError otherwise.
    """
    cell = cell.strip(" ")
    if not cell:
        return None
    negative = cell[0] in "-\u2212"
    body = cell[1:] if negative else cell
    whole, mark, fraction = body.rpartition(decimal_mark) if decimal_mark in body else (body, "", "")
    if mark and not (whole and fraction.isdigit() and fraction.isascii()):
        raise ValueError("not a number")
    if whole.isascii() and whole.isdigit():    # ungrouped ASCII digits (most cells): valid as they are
        digits = whole
    else:
        if not _INTEGER[decimal_mark].fullmatch(whole):
            raise ValueError("not a number")
        digits = _NON_DIGITS.sub("", whole)
    if len(digits.lstrip("0") or "0") + len(fraction) > MAX_DIGITS:
        raise ValueError("too large")
    if fraction:
        value = Decimal(f"{'-' if negative else ''}{digits}.{fraction}") + 0   # + 0: no "-0.0"
        return value
    number = int(digits)
    return -number if negative else number


def decimal_mark(cells: Iterable[str]) -> str:
    """The file's decimal mark, from its number cells: ',' unless every number with a comma is
    grouped in threes by commas ("1,234", "12,345,678"), which makes the comma a thousands
    separator and '.' the decimal mark. The family writes "12,5"; some exports write "1,234".
    A file that groups thousands with spaces ("1 300"), or a "0,125", decides for ','."""
    seen = False
    for cell in cells:
        cell = cell.strip()
        if _SPACE_GROUPED.search(cell):
            return ","            # thousands grouped by spaces: a comma can only start decimals
        if "," not in cell:
            continue
        if not _COMMA_GROUPED.fullmatch(cell):
            return ","
        seen = True
    return "." if seen else ","


def decimals_of(value: Number | None) -> int:
    """How many decimals a published number shows: 12 → 0, Decimal('12.5') → 1."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return 0


def _strip_bold(cell: str) -> tuple[str, bool]:
    if "<" not in cell:         # most cells: no tag, no regex (twice per cell of a big report)
        return cell, False
    bold = bool(_OPEN_BOLD.search(cell))
    return _BOLD.sub("", cell), bold


class Rule(StrEnum):
    """How a header row's headings were read (see _Parser.resolve)."""

    NEW = "new table"
    CONTINUED = "continued page"
    SECTION = "new section"
    MAYBE_SECTION = "section if its total is named after it"


@dataclass
class _SectionDraft:
    """A section as its rows are read (built into a model.Section when its table ends)."""

    heading: str | None
    line: int
    labels: list[str] = field(default_factory=list)
    values: list[tuple[Number | None, ...]] = field(default_factory=list)
    marks: list[tuple[str, ...]] = field(default_factory=list)
    bold: list[bool] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    repeats: list[Repeat] = field(default_factory=list)

    def build(self) -> Section:
        rows = tuple(
            Row(label, values, kind, line, parts, marks)
            for label, values, marks, line, (kind, parts) in zip(
                self.labels, self.values, self.marks, self.lines,
                assign_totals(self.bold, [is_subset_label(label) for label in self.labels]), strict=True)
        )
        return Section(self.heading, rows, tuple(self.repeats), self.line)


@dataclass
class _TableDraft:
    """A table as its pages and sections are read (built into a model.Table)."""

    title: str
    headers: tuple[str, ...]
    line: int
    sections: list[_SectionDraft] = field(default_factory=list)
    title_level: int = 0          # '#' count of the title heading on its latest page

    def build(self, period: str) -> Table:
        if not any(b for section in self.sections for b in section.bold):
            # An export that lost its <b> markup: its "I alt" rows are still the totals.
            for section in self.sections:
                section.bold = [canon(label).startswith("i alt") for label in section.labels]
        columns = classify_columns(self.headers, period)
        decimals = [0] * len(columns)
        for section in self.sections:
            for values in [*section.values, *(r.values for r in section.repeats)]:
                for c, value in enumerate(values):
                    if isinstance(value, Decimal):
                        decimals[c] = max(decimals[c], decimals_of(value))
        if any(decimals):
            columns = tuple(replace(col, decimals=d) for col, d in zip(columns, decimals, strict=True))
        return Table(self.title, columns, tuple(s.build() for s in self.sections), self.line)


@dataclass
class _Run:
    """Headings, period and text between two blocks of rows."""

    before: list[tuple[str, int, int]] = field(default_factory=list)   # (text, line, level) before the period
    after: list[tuple[str, int, int]] = field(default_factory=list)    # … and after it
    period_seen: bool = False
    text: list[str] = field(default_factory=list)
    follows_rows: bool = False                                      # the run interrupts a table's rows

    @property
    def headings(self) -> list[tuple[str, int, int]]:
        return self.before + self.after


class _Parser:
    def __init__(self, source: str, lines: list[str], ended: bool, encoding: str) -> None:
        self.source = source
        self.lines = lines
        self.ended = ended
        self.encoding = encoding
        self.removed = 0
        self.title: str | None = None
        self.period: Period | None = None
        self.period_line = 0
        self.notes: list[str] = []
        self.tables: list[_TableDraft] = []
        self.table: _TableDraft | None = None
        self.section: _SectionDraft | None = None
        self.run = _Run()
        self.prev = "start"          # kind of the previous significant line
        self.expect_repeat = False
        self.tentative: tuple[_SectionDraft, int] | None = None   # a MAYBE_SECTION awaiting its rows
        self.warnings: list[str] = []
        self.splitter = self._choose_splitter()
        self.mark = self._choose_decimal_mark()

    # -- helpers
    def error(self, line: int | None, problem: str, hint: str, text: str | None = None) -> ReportFormatError:
        return ReportFormatError(self.source, problem, hint, line=line, text=text)

    def _choose_splitter(self) -> str:
        """The cell separator: the one that starts a header row (whose first cell is empty).

        Tabs in the family's exports; ';' or ',' (CSV, quotes allowed) or '|' (a markdown
        table) in others. A file with none of them has no table, which finish() reports.
        """
        for sep in ("\t", ";", ",", "|"):
            if any(line.startswith(sep) and line.count(sep) >= 2 for line in self.lines):
                return sep
        return "\t"

    def _choose_decimal_mark(self) -> str:
        """The file's decimal mark (see `decimal_mark`), from the cells of its table lines with a comma."""
        cells = (cell for line in self.lines if _DIGIT_COMMA.search(line) and self.is_table_line(line)
                 for cell in self.split(line)[1:])
        return decimal_mark(_BOLD.sub("", cell) for cell in cells)

    def is_table_line(self, line: str) -> bool:
        sep = self.splitter
        if sep == "\t":
            return sep in line
        if sep == "|":
            return line.lstrip().startswith("|")
        if sep not in line:
            return False
        # ';' or ',': prose uses them too; a table line starts with one or has only numbers after its label
        cells = self.split(line)
        return line.startswith(sep) or (len(cells) > 1 and all(
            not c.strip() or _NUMBERISH.fullmatch(_strip_bold(c)[0].strip()) for c in cells[1:]))

    def split(self, line: str) -> list[str]:
        sep = self.splitter
        if sep == "\t":
            return line.split(sep)
        if sep == "|":
            return [c.strip() for c in line.strip().strip("|").split("|")]
        try:
            return next(csv.reader([line], delimiter=sep))
        except (csv.Error, StopIteration):     # an unbalanced quote in a damaged line: split plainly
            return line.split(sep)

    def clean(self, text: str) -> str:
        cleaned, n = ILLEGAL_XML.subn("", text)
        self.removed += n
        return cleaned

    # -- main loop
    def parse(self) -> Report:
        last = len(self.lines)
        for number, raw in enumerate(self.lines, start=1):
            if len(raw) > MAX_LINE_CHARS:
                raise self.error(number, f"line is {len(raw):,} characters long, over the {MAX_LINE_CHARS:,} "
                                 "a report line can have", "The file is not a tiltak report or is damaged",
                                 raw[:40])
            line = self.clean(raw).rstrip(" \u00a0")
            truncated = number == last and not self.ended
            self.feed(number, line, truncated)
        return self.finish()

    def feed(self, number: int, line: str, truncated: bool) -> None:
        if not line.strip() or _RULE.match(line) or _MD_RULE.match(line):
            return
        if self.is_table_line(line):
            self.table_line(number, line, truncated)
            return
        heading = _HEADING.match(line)
        if heading:
            if self.prev == "header":
                raise self.error(self.table.line if self.table else number, "a column header with no rows under it",
                                 "Check the table, or export the report again", heading.group(2))
            if self.prev in ("row", "text"):
                self.close_run()
                self.run.follows_rows = self.prev == "row"
            entry = (_BOLD.sub("", heading.group(2)).strip(), number, len(heading.group(1)))
            (self.run.after if self.run.period_seen else self.run.before).append(entry)
            self.prev = "heading"
            return
        period = parse_period(line) if len(line) < 60 else None
        if period is not None:
            self.set_period(number, period)
            self.run.period_seen = True
            self.prev = "period"
            return
        self.run.text.append(_MD_LINK.sub(lambda m: m.group(1) if m.group(1) else m.group(2), line.strip()))
        self.prev = "text"

    def set_period(self, number: int, period: Period) -> None:
        if self.period is None:
            self.period, self.period_line = period, number
        elif period.key != self.period.key:
            raise self.error(number, f"the period differs from «{self.period.text}» on line {self.period_line}",
                             "A report covers one period: split the file", period.text)

    def close_run(self) -> None:
        """A run that ended without a header row: a notes block (or page furniture). Its headings
        are kept: the first of the file is the report's title, the others head the notes."""
        run = self.run
        headings = [text for text, _, _ in run.headings]
        if headings and self.title is None:
            self.title = headings.pop(0)
        self.notes.extend(h for h in headings if h != self.title)
        self.notes.extend(run.text)
        self.run = _Run()

    # -- table lines
    def table_line(self, number: int, line: str, truncated: bool) -> None:
        cells = self.split(line)
        if len(cells) - 1 > MAX_COLUMNS:
            raise self.error(number, f"the row has {len(cells) - 1:,} cells, more than a sheet can hold",
                             "The file is not a tiltak report or is damaged", line[:40])
        for cell in cells:
            if len(cell) > MAX_CELL_CHARS:
                raise self.error(number, f"a cell of {len(cell):,} characters, over Excel's limit of "
                                 f"{MAX_CELL_CHARS:,}", "Shorten the cell; it is not truncated silently",
                                 cell[:40])
        first = cells[0].strip()
        rest = [_strip_bold(c)[0].strip() for c in cells[1:]]
        is_header = any(rest) and not any(_NUMBERISH.fullmatch(c) for c in rest if c)
        # A header row starts with an empty cell; one with its own first label ("Tiltak") is
        # accepted only straight after a table's headings, where no data row can stand. Right
        # after the headings, an empty first cell makes a header even with numbers ("2013\t2014").
        after_headings = self.prev in ("heading", "period") and bool(self.run.headings)
        if (is_header and (not first or after_headings)) or (not first and any(rest) and after_headings):
            if truncated:
                raise self.error(number, "the file ends in the middle of a column header",
                                 "The file seems cut off: export it again", line)
            self.header(number, tuple(rest))
        else:
            self.data_row(number, cells, truncated, line)

    def header(self, number: int, headers: tuple[str, ...]) -> None:
        self.settle()
        run, self.run = self.run, _Run()
        self.notes.extend(run.text)
        run = self.drop_orphans(run)
        title, section, rule = self.resolve(run, headers)
        title_level = next((level for text, _, level in run.headings if text == title), None)
        cur = self.table
        if rule in (Rule.CONTINUED, Rule.SECTION, Rule.MAYBE_SECTION):
            assert cur is not None and self.section is not None
            if title_level is not None:
                cur.title_level = title_level
            if section is None or section == self.section.heading:
                self.expect_repeat = True            # a continued page repeats the top total
            else:
                self.section = _SectionDraft(section, number)
                cur.sections.append(self.section)
                self.expect_repeat = False
                if rule is Rule.MAYBE_SECTION:
                    level = run.headings[-1][2]
                    self.tentative = (self.section, level)
        else:
            if cur is not None and not any(s.labels for s in cur.sections):
                raise self.error(cur.line, "a column header with no rows under it",
                                 "Check the table, or export the report again", "\t".join(cur.headers))
            self.table = _TableDraft(title, headers, number, title_level=title_level or 0)
            self.section = _SectionDraft(section, number)
            self.table.sections.append(self.section)
            self.tables.append(self.table)
            self.expect_repeat = False
        self.prev = "header"

    def drop_orphans(self, run: _Run) -> _Run:
        """Headings with nothing under them: a heading followed by one at its own level or above.

        Such a heading is an empty section of the current table (kept, with a warning), never
        the title of the next table: `### Andre på tiltak` with no rows, then `# Report`, `##
        Next table` must not name the next table "Andre på tiltak". The report's title and the
        first heading of the file are never orphans.
        """
        headings = run.headings
        keep = []
        for i, (text, line, level) in enumerate(headings):
            # The period line separates a page's title from its section: only headings on the
            # same side of it are compared ("## Title", "Februar 2014", "## Section" is no orphan).
            same_side = i + 1 < len(headings) and (i + 1 < len(run.before)) == (i < len(run.before))
            orphan = (same_side and headings[i + 1][2] <= level and text != self.title
                      and not (self.title is None and not self.tables and i == 0))
            if not orphan:
                keep.append((text, line, level))
                continue
            if self.table is not None:
                self.table.sections.append(_SectionDraft(text, line))
                self.warnings.append(f"Linje {line}: overskriften «{text}» har ingen rader; beholdt som tom del av "
                                     f"tabellen «{self.table.title}».")
            else:
                self.notes.append(text)      # a heading before any table: kept with the notes
                self.warnings.append(f"Linje {line}: overskriften «{text}» har ingen tabell; tatt med i merknaden.")
        if len(keep) == len(headings):
            return run
        kept = set(keep)
        return replace(run, before=[h for h in run.before if h in kept], after=[h for h in run.after if h in kept])

    def resolve(self, run: _Run, headers: tuple[str, ...]) -> tuple[str, str | None, Rule]:
        """(table title, section heading, the rule that decided) for the header row that ends `run`.

        One rule per shape of the headings before a header row, tried in this order:
        - NEW: the first table, or headings that name another title or come with another
          header: the first heading is the table's title, the last (if more) its section;
        - CONTINUED: no headings, only the report's title again, or the current table's title
          with the same header (a continued page; a different last heading starts a section);
        - SECTION: a lone heading between rows, no period line, same header, deeper than the
          table's title: a new section;
        - MAYBE_SECTION: the same, but at the title's level, in a table whose sections have
          headings: a section if its rows' total is named after it ("I alt nedsatt arbeidsevne,
          på tiltak" under "Nedsatt arbeidsevne, på tiltak"), else a new table (see `settle`).
        """
        before = [h for h, *_ in run.before]
        after = [h for h, *_ in run.after]
        if self.title is None and (len(before) >= 2 or (len(before) == 1 and after)):
            self.title = before[0]                    # the first heading of the first page
        if before and before[0] == self.title and (len(before) >= 2 or after):
            before = before[1:]                       # the report title, repeated on every page
        names = before + after
        cur = self.table
        same_header = cur is not None and headers == cur.headers
        if cur is None:
            return (names[0] if names else f"Tabell {len(self.tables) + 1}"), (
                " / ".join(names[1:]) if len(names) > 1 else None), Rule.NEW
        if not names and not same_header:
            return cur.title, None, Rule.NEW          # another header with no heading: another table
        if not names or (len(names) == 1 and same_header and names[0] == self.title):
            return cur.title, None, Rule.CONTINUED
        if len(names) == 1 and same_header and not run.period_seen and run.follows_rows:
            # A lone heading between rows. (The '#' count decides only here, comparing headings
            # of one page; elsewhere position does.)
            if run.headings[-1][2] > cur.title_level:
                return cur.title, names[0], Rule.SECTION
            if self.section is not None and self.section.heading is not None:
                return cur.title, names[0], Rule.MAYBE_SECTION
        # No heading is dropped: headings between the title and the last are part of the section's name.
        title, section = names[0], (" / ".join(names[1:]) if len(names) > 1 else None)
        if same_header and _CONTINUED.sub("", title) == cur.title:
            return cur.title, section, Rule.CONTINUED      # also "Title (forts.)"
        return title, section, Rule.NEW

    def settle(self) -> None:
        """Decide a MAYBE_SECTION once its rows are read: kept as a section when one of its total
        rows is named after it, else made a table of its own, titled by the heading."""
        if self.tentative is None:
            return
        section, level = self.tentative
        self.tentative = None
        heading = canon(section.heading or "")
        if any(bold and topic(label) == heading for label, bold in zip(section.labels, section.bold, strict=True)):
            return
        assert self.table is not None
        self.table.sections.remove(section)
        table = _TableDraft(section.heading or "", self.table.headers, section.line, [section], level)
        section.heading = None
        self.tables.append(table)
        self.table = table

    def unclosed(self, number: int, truncated: bool, cell: str) -> ReportFormatError:
        if truncated:
            return self.error(number, "the file ends in the middle of a number",
                              "The file seems cut off: export it again", cell)
        return self.error(number, "a <b> tag that is never closed", "Close it with </b>, or export the report again",
                          cell)

    def data_row(self, number: int, cells: list[str], truncated: bool, line: str) -> None:
        if self.table is None or self.section is None:
            raise self.error(number, "a table row before any column header",
                             "Each table needs a header row that starts with a tab", line)
        label, bold = _strip_bold(cells[0])
        label = label.strip()
        width = len(self.table.headers)
        raw = cells[1:]
        if len(raw) > width:
            if any(c.strip() for c in raw[width:]):
                raise self.error(number, f"the row has {len(raw)} cells but the header has {width}",
                                 "Remove the extra cells or fix the header", line)
            raw = raw[:width]
        if truncated and any(_OPEN_BOLD.search(c) and not _CLOSE_BOLD.search(c) for c in cells):
            raise self.unclosed(number, truncated, line)
        if truncated and len(raw) < width:
            raise self.error(number, "the file ends in the middle of a table row",
                             "The file seems cut off: export it again", line)
        if bold and not _CLOSE_BOLD.search(cells[0]):      # bold: _strip_bold found <b> in the label
            raise self.unclosed(number, truncated, cells[0])
        values: list[Number | None] = []
        marks = [""] * width
        for c, cell in enumerate(raw):
            text, cell_bold = _strip_bold(cell)
            if cell_bold and not _CLOSE_BOLD.search(cell):
                raise self.unclosed(number, truncated, cell)
            bold = bold or cell_bold
            stripped = text.strip()
            if stripped in SYMBOLS:
                marks[c] = stripped
                values.append(None)
                continue
            try:
                values.append(parse_number(text, self.mark))
            except ValueError as exc:
                if str(exc) == "too large":
                    raise self.error(number, f"a number with more than {MAX_DIGITS} digits is too large to be "
                                     "a count", "Correct the number in the report", text.strip()) from None
                if truncated and c == len(raw) - 1:     # the last cell of a cut-off last line
                    raise self.error(number, "the file ends in the middle of a number",
                                     "The file seems cut off: export it again", text.strip()) from None
                hint = ("Correct the number, or leave the cell empty" if self.mark == "," else
                        "Correct the number (this file groups thousands with ',' and writes decimals with '.')")
                raise self.error(number, "not a number", hint, text.strip()) from None
        values.extend([None] * (width - len(values)))   # trailing empty cells lost to editors
        section = self.section
        if self.expect_repeat:
            self.expect_repeat = False
            first = canon(section.labels[0]) if section.labels else None
            if canon(label) == first and bold == section.bold[0] and (bold or first.startswith("i alt")):
                section.repeats.append(Repeat(0, tuple(values), number))
                self.prev = "row"
                return
        section.labels.append(label)
        section.values.append(tuple(values))
        section.marks.append(tuple(marks) if any(marks) else ())
        section.bold.append(bold)
        section.lines.append(number)
        self.prev = "row"

    # -- the end
    def finish(self) -> Report:
        self.settle()
        if self.prev == "header":
            raise self.error(self.table.line if self.table else None, "the file ends after a column header",
                             "The file seems cut off: export it again",
                             "\t".join(self.table.headers) if self.table else None)
        if self.tables and self.run.headings and not self.run.text:
            name, number, _ = self.run.headings[-1]
            raise self.error(number, "the file ends after a table heading with no table",
                             "The file seems cut off: export it again", name)
        self.notes.extend(self.run.text)
        if self.title is None and self.run.headings:
            self.title = self.run.headings[0][0]
        if not self.tables:
            raise self.error(None, "no table found (a table starts with a header row whose first cell is empty)",
                             HINT_EXPORT)
        if self.period is None:
            m = re.search(r"(\d{4})-(\d{2})", self.source)
            if not m or not 1 <= int(m.group(2)) <= 12:
                raise self.error(None, f"no period found: no line of its own names {EXAMPLES}, and the file "
                                 "name has no YYYY-MM", "Add the period line under the report's title, or put "
                                 "the month in the file name (tiltak-2014-02.txt)")
            year, month = int(m.group(1)), int(m.group(2))
            self.period = Period(year, month, f"{MONTHS[month - 1].capitalize()} {year}")
        return Report(
            title=self.title or Path(self.source).stem,
            period=self.period,
            source=self.source,
            encoding=self.encoding,
            note="\n".join(self.notes),
            # The shape proposes (bold rows, headers); the published numbers decide (structure.decide).
            tables=decide([t.build(self.period.key) for t in self.tables],
                          rounding=self.period.kind is PeriodKind.AVERAGE),
            warnings=tuple(self.warnings),
            removed_chars=self.removed,
        )
