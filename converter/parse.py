"""Text → Report. Pure: no openpyxl, no file writing.

The report family ("Deltakere i arbeidsrettede tiltak") is markdown-ish text: headings with
`#` marks (whose number varies for the same role), a period line ("Februar 2014"), then tables
as tab-separated lines whose header row starts with an empty cell. Totals are wrapped in
`<b>…</b>`. Long tables continue on the next "page", which repeats the headings, the header
row and the top total.

Roles are decided by position, not by `#` count or by this one report's labels:
- in the headings before a header row, the first is the report title (when it matches the
  report's title, or is the first one seen), the next the table title, and a heading after
  the period line, or a lone heading between two blocks of rows, is a section heading;
- a page whose table title and header equal the current table's continues it.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .decode import HINT_EXPORT, ILLEGAL_XML, decode, split_lines
from .errors import ReportFormatError
from .model import (
    MONTHS,
    SYMBOLS,
    Column,
    ColumnKind,
    Period,
    Repeat,
    Report,
    Row,
    RowKind,
    Section,
    Table,
)

MAX_LINE_CHARS = 100_000               # a real row is < 300 characters; this stops a 10 MB line
MAX_CELL_CHARS = 32_767                # Excel's limit for one cell
MAX_COLUMNS = 16_383                   # Excel has 16,384 columns; column A holds the labels
MAX_DIGITS = 15                        # Excel keeps 15 significant digits

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_MD_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")   # |---|---:| under a markdown header
_PERIOD = re.compile(r"^\s*([^\W\d_]+)\s+(\d{4})\s*$")
_BOLD = re.compile(r"</?(?:b|strong)>", re.IGNORECASE)
_OPEN_BOLD = re.compile(r"<(?:b|strong)>", re.IGNORECASE)
_CLOSE_BOLD = re.compile(r"</(?:b|strong)>", re.IGNORECASE)
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
# Thousands separators: space, NBSP and narrow NBSP (the family's), and in other exports '.', ','
# or an apostrophe, one kind per number and strictly in groups of three ("1,5" is not a count).
_GROUP = "[ \u00a0\u202f.,']"
_NUMBER = re.compile(r"([-\u2212]?)(\d{1,3}(?:([ \u00a0\u202f.,'])\d{3})(?:\3\d{3})*|\d+)")
_NUMBERISH = re.compile(r"[-\u2212]?[\d \u00a0\u202f.,']*\d")
_ROWSUM_HEADERS = {"i alt", "totalt", "total", "sum"}
_SUBSET = re.compile(r"^[\s\-–—•*]*(?:herav|derav|hvorav|av disse|av dette|av dem)\b", re.IGNORECASE)


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

def parse_number(cell: str) -> int | None:
    """A published count: '' → None; '75 412', '-1 852', '−3', '1\u00a0234' → int.

    Raises ValueError for anything else (the caller turns it into a ReportFormatError).
    """
    cell = cell.strip(" ")
    if not cell:
        return None
    m = _NUMBER.fullmatch(cell)
    if not m:
        raise ValueError("not a number")
    digits = re.sub(_GROUP, "", m.group(2))
    if len(digits.lstrip("0") or "0") > MAX_DIGITS:
        raise ValueError("too large")
    value = int(digits)
    return -value if m.group(1) else value


def _strip_bold(cell: str) -> tuple[str, bool]:
    bold = bool(_OPEN_BOLD.search(cell))
    return _BOLD.sub("", cell), bold


def _canon(text: str) -> str:
    return " ".join(text.replace(",", " ").split()).casefold()


def classify_columns(headers: tuple[str, ...]) -> tuple[Column, ...]:
    """Decide each column's role from the header row alone.

    - "… Prosent" (or "… %"): 100 × change / (count − change), where the change column is the
      one with the same prefix and "Antall", and the count column is "Antall" (else the first
      plain column);
    - "I alt" in a table with two or more other plain columns: the sum of those columns;
    - everything else: a published value that totals add up.
    """
    canon = [_canon(h) for h in headers]
    percent: dict[int, tuple[int, ...]] = {}
    for i, c in enumerate(canon):
        prefix = c[: -len("prosent")].strip() if c.endswith("prosent") else (
            c[:-1].strip() if c.endswith("%") else None)
        if prefix is None:
            continue
        change = next((j for j, d in enumerate(canon) if j != i and d == f"{prefix} antall".strip()), None)
        if change is None and prefix:
            change = next((j for j, d in enumerate(canon) if j != i and d == prefix), None)
        if change is None:    # "Endring", "Endring i prosent": the nearest change column to the left
            change = next((j for j in range(i - 1, -1, -1) if "endring" in canon[j]
                           and not canon[j].endswith(("prosent", "%"))), None)
        base = next((j for j, d in enumerate(canon) if d == "antall" and j not in (i, change)), None)
        if base is None:
            base = next((j for j, d in enumerate(canon)
                         if j not in (i, change) and not d.endswith(("prosent", "%"))), None)
        percent[i] = (base, change) if base is not None and change is not None else ()
    plain = [i for i in range(len(headers)) if i not in percent]
    rowsum = next((i for i in plain if canon[i] in _ROWSUM_HEADERS), None)
    # "Herav …" columns are parts of another column, not of the row's total
    others = tuple(i for i in plain if i != rowsum and not is_subset_label(headers[i]))
    if rowsum is not None and len(others) < 2:
        rowsum = None
    columns = []
    for i, header in enumerate(headers):
        if i in percent:
            columns.append(Column(header, ColumnKind.PERCENT, percent[i]))
        elif i == rowsum:
            columns.append(Column(header, ColumnKind.ROWSUM, others))
        else:
            columns.append(Column(header))
    return tuple(columns)


def is_subset_label(label: str) -> bool:
    """"Herav …", "- derav …", "Av disse …": a part of the row above, not a further part of the total."""
    return _SUBSET.match(label) is not None


def assign_totals(bold: list[bool], subset: list[bool] | None = None) -> list[tuple[RowKind, tuple[int, ...]]]:
    """Which rows each bold row sums, from the shape of the section alone.

    - a bold first row is the top total: it sums every row below it that no other total sums;
    - a bold row after detail rows is a subtotal of the details since the previous bold row;
    - a bold row right after subtotals is a grand total over the subtotals since the last one;
    - a "herav" row (`subset`) is a part of the row above it and is summed by no total.
    A bold row with nothing to sum keeps its published numbers (no formula, no check).
    """
    n = len(bold)
    subset = subset or [False] * n
    result: list[tuple[RowKind, tuple[int, ...]]] = [(RowKind.DETAIL, ())] * n
    consumed = [False] * n
    details: list[int] = []
    subtotals: list[int] = []
    for i in range(n):
        if not bold[i]:
            if subset[i]:
                consumed[i] = True
            else:
                details.append(i)
            continue
        if i == 0:
            result[0] = (RowKind.TOTAL, ())
        elif details:
            result[i] = (RowKind.SUBTOTAL, tuple(details))
            for j in details:
                consumed[j] = True
            subtotals.append(i)
            details = []
        elif subtotals:
            result[i] = (RowKind.TOTAL, tuple(subtotals))
            for j in subtotals:
                consumed[j] = True
            subtotals = []
        else:
            result[i] = (RowKind.SUBTOTAL, ())
    if n and bold[0]:
        result[0] = (RowKind.TOTAL, tuple(j for j in range(1, n) if not consumed[j]))
    return result


# --------------------------------------------------------------------------- the parser

@dataclass
class _SectionDraft:
    heading: str | None
    line: int
    labels: list[str] = field(default_factory=list)
    values: list[tuple[int | None, ...]] = field(default_factory=list)
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
    title: str
    headers: tuple[str, ...]
    line: int
    sections: list[_SectionDraft] = field(default_factory=list)
    title_level: int = 0          # '#' count of the title heading on its latest page

    def build(self) -> Table:
        if not any(b for section in self.sections for b in section.bold):
            # An export that lost its <b> markup: its "I alt" rows are still the totals.
            for section in self.sections:
                section.bold = [_canon(label).startswith("i alt") for label in section.labels]
        return Table(self.title, classify_columns(self.headers),
                     tuple(s.build() for s in self.sections), self.line)


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
        self.splitter = self._choose_splitter()

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
        period = _PERIOD.match(line)
        if period and period.group(1).casefold() in MONTHS:
            self.set_period(number, line.strip(), period)
            self.run.period_seen = True
            self.prev = "period"
            return
        self.run.text.append(_MD_LINK.sub(lambda m: m.group(1) if m.group(1) else m.group(2), line.strip()))
        self.prev = "text"

    def set_period(self, number: int, text: str, m: re.Match[str]) -> None:
        period = Period(int(m.group(2)), MONTHS.index(m.group(1).casefold()) + 1, text)
        if self.period is None:
            self.period, self.period_line = period, number
        elif (period.year, period.month) != (self.period.year, self.period.month):
            raise self.error(number, f"the period differs from «{self.period.text}» on line {self.period_line}",
                             "A report covers one month: split the file", text)

    def close_run(self) -> None:
        """A run that ended without a header row: a notes block (or page furniture)."""
        run = self.run
        if run.headings and self.title is None:
            self.title = run.headings[0][0]
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
        run, self.run = self.run, _Run()
        self.notes.extend(run.text)
        title, section = self.resolve(run, headers)
        title_level = next((level for text, _, level in run.headings if text == title), None)
        cur = self.table
        if cur is not None and title == cur.title and headers == cur.headers:
            assert self.section is not None
            if title_level is not None:
                cur.title_level = title_level
            if section is None or section == self.section.heading:
                self.expect_repeat = True            # a continued page repeats the top total
            else:
                self.section = _SectionDraft(section, number)
                cur.sections.append(self.section)
                self.expect_repeat = False
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

    def resolve(self, run: _Run, headers: tuple[str, ...]) -> tuple[str, str | None]:
        """(table title, section heading) for the header row that ends `run`."""
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
                names[-1] if len(names) > 1 else None)
        if not names:
            return cur.title, None                    # a repeated header row, nothing else
        if len(names) == 1 and same_header and names[0] == self.title:
            return cur.title, None                    # only the report title again: a continued page
        if (len(names) == 1 and same_header and not run.period_seen and run.follows_rows
                and run.headings[-1][2] > cur.title_level):
            # A lone heading between rows, deeper than the table's title: a new section. (The
            # '#' count decides only here, comparing headings of one page; elsewhere position does.)
            return cur.title, names[0]
        return names[0], (names[-1] if len(names) > 1 else None)

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
        if _OPEN_BOLD.search(cells[0]) and not _CLOSE_BOLD.search(cells[0]):
            raise self.unclosed(number, truncated, cells[0])
        values: list[int | None] = []
        marks = [""] * width
        for c, cell in enumerate(raw):
            text, cell_bold = _strip_bold(cell)
            if cell_bold and not _CLOSE_BOLD.search(cell):
                raise self.unclosed(number, truncated, cell)
            bold = bold or cell_bold
            if text.strip() in SYMBOLS:
                marks[c] = text.strip()
                values.append(None)
                continue
            try:
                values.append(parse_number(text))
            except ValueError as exc:
                if str(exc) == "too large":
                    raise self.error(number, f"a number with more than {MAX_DIGITS} digits is too large to be "
                                     "a count", "Correct the number in the report", text.strip()) from None
                if truncated and cell is raw[-1]:
                    raise self.error(number, "the file ends in the middle of a number",
                                     "The file seems cut off: export it again", text.strip()) from None
                raise self.error(number, "not a number", "Correct the number, or leave the cell empty",
                                 text.strip()) from None
        values.extend([None] * (width - len(values)))   # trailing empty cells lost to editors
        section = self.section
        if self.expect_repeat:
            self.expect_repeat = False
            first = _canon(section.labels[0]) if section.labels else None
            if _canon(label) == first and bold == section.bold[0] and (bold or first.startswith("i alt")):
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
                raise self.error(None, "no period line (such as «Februar 2014») found", HINT_EXPORT)
            year, month = int(m.group(1)), int(m.group(2))
            self.period = Period(year, month, f"{MONTHS[month - 1].capitalize()} {year}")
        return Report(
            title=self.title or Path(self.source).stem,
            period=self.period,
            source=self.source,
            encoding=self.encoding,
            note="\n".join(self.notes),
            tables=tuple(t.build() for t in self.tables),
            removed_chars=self.removed,
        )
