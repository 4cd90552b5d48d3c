"""Text → Report: the parser's state machine. Pure: no openpyxl, no file writing.

The report family ("Deltakere i arbeidsrettede tiltak") is markdown-ish text: headings with
`#` marks (whose number varies for the same role), a period line ("Februar 2014"), then tables
as tab-separated lines whose header row starts with an empty cell. Totals are wrapped in
`<b>…</b>`. Long tables continue on the next "page", which repeats the headings, the header
row and the top total. Other exports separate cells with ';' or ',' or are markdown tables: the
report's lexer (`lexers.choose_lexer`) says which lines are table lines and splits them, so the
parser reads every format the same way.

Each line is one step (`_Parser.feed`): furniture is skipped, a table line is a header row or a
data row, and the rest is a heading, the period line, or text for the notes.

Roles are decided by position, not by `#` count or by this one report's labels: the rules for
the headings before a header row are in one place, `headings` (`resolve`, one rule per shape,
named by `Rule`; `orphans`, a heading with nothing under it; `named_after`, a section heading at
the title's level). A page whose title and header equal the current table's continues it, and
its repeated top total is dropped and checked (`_Parser.add_row`).

Numbers: counts are int, decimals ("12,5") are Decimal, exactly as published (see numbers); the
file's decimal mark is decided once, from all its table cells (`file_decimal_mark`). Column roles
and measures come from the header row (`classify_columns`, when a table is built: see drafts).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..errors import ReportFormatError
from ..model import MONTHS, SYMBOLS, Number, Period, PeriodKind, Repeat, Report
from ..rules.labels import canon
from ..rules.limits import MAX_COLUMNS as EXCEL_COLUMNS
from ..rules.limits import MAX_TEXT
from ..rules.periods import EXAMPLES, parse_period
from ..rules.structure import decide
from .decode import HINT_EXPORT, ILLEGAL_XML, decode, split_lines
from .drafts import Run, SectionDraft, TableDraft
from .headings import Rule, named_after, orphans, report_title, resolve
from .lexers import Lexer, choose_lexer
from .markup import BOLD, CLOSE_BOLD, HEADING, OPEN_BOLD, is_furniture, strip_bold, unlink
from .numbers import MAX_DIGITS, NUMBERISH, decimal_mark, parse_number

MAX_LINE_CHARS = 100_000               # a real row is < 300 characters; this stops a 10 MB line
MAX_CELL_CHARS = MAX_TEXT              # Excel's limit for one cell
MAX_COLUMNS = EXCEL_COLUMNS - 1        # cells beside the label: column A holds the labels

_DIGIT_COMMA = re.compile(r"\d,\d")
_CUT_OFF = "The file seems cut off: export it again"


def parse_bytes(data: bytes, source: str = "<report>") -> Report:
    """Parse a report from its bytes; `source` names it in the model and in error messages."""
    text, encoding = decode(data, source)
    report = parse_text(text, source, encoding=encoding)
    return replace(report, sha256=hashlib.sha256(data).hexdigest())


def parse_text(text: str, source: str = "<report>", *, encoding: str = "utf-8") -> Report:
    """Parse decoded report text."""
    lines, ended = split_lines(text)
    return _Parser(source, lines, ended, encoding, choose_lexer(lines)).parse()


def file_decimal_mark(lines: Sequence[str], lexer: Lexer) -> str:
    """The file's decimal mark (see `decimal_mark`), from the cells of its table lines with a comma."""
    cells = (cell for line in lines if _DIGIT_COMMA.search(line) and lexer.is_table_line(line)
             for cell in lexer.split(line)[1:])
    return decimal_mark(BOLD.sub("", cell) for cell in cells)


def period_from_name(source: str) -> Period | None:
    """The month in a file's name ("tiltak-2014-02.txt" → Februar 2014), for a report without a period line."""
    m = re.search(r"(\d{4})-(\d{2})", source)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    return Period(year, month, f"{MONTHS[month - 1].capitalize()} {year}")


class _Parser:
    """One report's lines, read in one pass; `parse` returns the Report."""

    def __init__(self, source: str, lines: list[str], ended: bool, encoding: str, lexer: Lexer) -> None:
        self.source = source
        self.lines = lines
        self.ended = ended
        self.encoding = encoding
        self.lexer = lexer
        self.mark = file_decimal_mark(lines, lexer)
        self.removed = 0
        self.title: str | None = None
        self.period: Period | None = None
        self.period_line = 0
        self.notes: list[str] = []
        self.tables: list[TableDraft] = []
        self.table: TableDraft | None = None
        self.section: SectionDraft | None = None
        self.run = Run()
        self.prev = "start"          # kind of the previous significant line
        self.expect_repeat = False
        self.tentative: tuple[SectionDraft, int] | None = None   # a MAYBE_SECTION awaiting its rows
        self.warnings: list[str] = []

    def error(self, line: int | None, problem: str, hint: str, text: str | None = None) -> ReportFormatError:
        return ReportFormatError(self.source, problem, hint, line=line, text=text)

    # -- lines
    def parse(self) -> Report:
        last = len(self.lines)
        for number, raw in enumerate(self.lines, start=1):
            self.feed(number, self.clean(number, raw), number == last and not self.ended)
        return self.finish()

    def clean(self, number: int, raw: str) -> str:
        """The line to read: refused when no report line is that long; control characters
        removed (and counted); trailing spaces dropped."""
        if len(raw) > MAX_LINE_CHARS:
            raise self.error(number, f"line is {len(raw):,} characters long, over the {MAX_LINE_CHARS:,} "
                             "a report line can have", "The file is not a tiltak report or is damaged", raw[:40])
        cleaned, n = ILLEGAL_XML.subn("", raw)
        self.removed += n
        return cleaned.rstrip(" \u00a0")

    def feed(self, number: int, line: str, truncated: bool) -> None:
        """One line: skipped, a table line, a heading, the period line, or text for the notes."""
        if is_furniture(line):
            return
        if self.lexer.is_table_line(line):
            self.table_line(number, line, truncated)
            return
        heading = HEADING.match(line)
        if heading:
            self.heading(number, heading.group(2), len(heading.group(1)))
            return
        period = parse_period(line) if len(line) < 60 else None
        if period is not None:
            self.set_period(number, period)
            self.run.period_seen = True
            self.prev = "period"
            return
        self.run.text.append(unlink(line.strip()))
        self.prev = "text"

    def heading(self, number: int, text: str, level: int) -> None:
        if self.prev == "header":
            raise self.error(self.table.line if self.table else number, "a column header with no rows under it",
                             "Check the table, or export the report again", text)
        if self.prev in ("row", "text"):
            self.close_run()
            self.run.follows_rows = self.prev == "row"
        entry = (BOLD.sub("", text).strip(), number, level)
        (self.run.after if self.run.period_seen else self.run.before).append(entry)
        self.prev = "heading"

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
        self.run = Run()

    # -- table lines
    def table_line(self, number: int, line: str, truncated: bool) -> None:
        cells = self.lexer.split(line)
        self.check_size(number, line, cells)
        rest = [strip_bold(c)[0].strip() for c in cells[1:]]
        if self.is_header(cells[0].strip(), rest):
            if truncated:
                raise self.error(number, "the file ends in the middle of a column header", _CUT_OFF, line)
            self.header(number, tuple(rest))
        else:
            self.data_row(number, cells, truncated, line)

    def check_size(self, number: int, line: str, cells: list[str]) -> None:
        if len(cells) - 1 > MAX_COLUMNS:
            raise self.error(number, f"the row has {len(cells) - 1:,} cells, more than a sheet can hold",
                             "The file is not a tiltak report or is damaged", line[:40])
        for cell in cells:
            if len(cell) > MAX_CELL_CHARS:
                raise self.error(number, f"a cell of {len(cell):,} characters, over Excel's limit of "
                                 f"{MAX_CELL_CHARS:,}", "Shorten the cell; it is not truncated silently",
                                 cell[:40])

    def is_header(self, first: str, rest: list[str]) -> bool:
        """A header row starts with an empty cell; one with its own first label ("Tiltak") is
        accepted only straight after a table's headings, where no data row can stand. Right
        after the headings, an empty first cell makes a header even with numbers ("2013", "2014")."""
        names = any(rest) and not any(NUMBERISH.fullmatch(c) for c in rest if c)
        after_headings = self.prev in ("heading", "period") and bool(self.run.headings)
        return (names and (not first or after_headings)) or (not first and any(rest) and after_headings)

    def header(self, number: int, headers: tuple[str, ...]) -> None:
        """A header row: the headings before it decide whether it starts a table, continues the
        current one on a new page, or starts a section of it."""
        self.settle()
        run, self.run = self.run, Run()
        self.notes.extend(run.text)
        run = self.drop_orphans(run)
        self.title = report_title(run, self.title)
        title, section, rule = resolve(run, headers, title=self.title, table=self.table, tables=len(self.tables),
                                       sectioned=self.section is not None and self.section.heading is not None)
        title_level = next((level for text, _, level in run.headings if text == title), None)
        if rule is Rule.NEW:
            self.start_table(number, title, headers, section, title_level)
        else:
            tentative = run.headings[-1][2] if rule is Rule.MAYBE_SECTION else None
            self.continue_table(number, section, title_level, tentative)
        self.prev = "header"

    def start_table(self, number: int, title: str, headers: tuple[str, ...], section: str | None,
                    title_level: int | None) -> None:
        cur = self.table
        if cur is not None and not any(s.labels for s in cur.sections):
            raise self.error(cur.line, "a column header with no rows under it",
                             "Check the table, or export the report again", "\t".join(cur.headers))
        self.table = TableDraft(title, headers, number, title_level=title_level or 0)
        self.section = SectionDraft(section, number)
        self.table.sections.append(self.section)
        self.tables.append(self.table)
        self.expect_repeat = False

    def continue_table(self, number: int, section: str | None, title_level: int | None,
                       tentative_level: int | None) -> None:
        """The current table goes on: a new page of its section (whose top total repeats) or a new
        section; `tentative_level` (a MAYBE_SECTION's '#' count) leaves the section to `settle`."""
        cur = self.table
        assert cur is not None and self.section is not None
        if title_level is not None:
            cur.title_level = title_level
        if section is None or section == self.section.heading:
            self.expect_repeat = True            # a continued page repeats the top total
            return
        self.section = SectionDraft(section, number)
        cur.sections.append(self.section)
        self.expect_repeat = False
        if tentative_level is not None:
            self.tentative = (self.section, tentative_level)

    def drop_orphans(self, run: Run) -> Run:
        """The run without its orphans (`headings.orphans`): each is kept as an empty section of
        the current table, or with the notes before any table, with a warning."""
        flags = orphans(run, self.title, not self.tables)
        if not any(flags):
            return run
        for (text, line, _), orphan in zip(run.headings, flags, strict=True):
            if not orphan:
                continue
            if self.table is not None:
                self.table.sections.append(SectionDraft(text, line))
                self.warnings.append(f"Linje {line}: overskriften «{text}» har ingen rader; beholdt som tom del av "
                                     f"tabellen «{self.table.title}».")
            else:
                self.notes.append(text)      # a heading before any table: kept with the notes
                self.warnings.append(f"Linje {line}: overskriften «{text}» har ingen tabell; tatt med i merknaden.")
        kept = {h for h, orphan in zip(run.headings, flags, strict=True) if not orphan}
        return replace(run, before=[h for h in run.before if h in kept], after=[h for h in run.after if h in kept])

    def settle(self) -> None:
        """Decide a MAYBE_SECTION once its rows are read: kept as a section when one of its total
        rows is named after it, else made a table of its own, titled by the heading."""
        if self.tentative is None:
            return
        section, level = self.tentative
        self.tentative = None
        if named_after(section):
            return
        assert self.table is not None
        self.table.sections.remove(section)
        table = TableDraft(section.heading or "", self.table.headers, section.line, [section], level)
        section.heading = None
        self.tables.append(table)
        self.table = table

    # -- data rows
    def unclosed(self, number: int, truncated: bool, cell: str) -> ReportFormatError:
        if truncated:
            return self.error(number, "the file ends in the middle of a number", _CUT_OFF, cell)
        return self.error(number, "a <b> tag that is never closed", "Close it with </b>, or export the report again",
                          cell)

    def data_row(self, number: int, cells: list[str], truncated: bool, line: str) -> None:
        table, section = self.table, self.section
        if table is None or section is None:
            raise self.error(number, "a table row before any column header",
                             "Each table needs a header row that starts with a tab", line)
        label, bold = strip_bold(cells[0])
        raw = self.fit(number, cells, len(table.headers), truncated, line)
        if bold and not CLOSE_BOLD.search(cells[0]):      # bold: strip_bold found <b> in the label
            raise self.unclosed(number, truncated, cells[0])
        values, marks, bold_cell = self.values(number, raw, len(table.headers), truncated)
        self.add_row(section, number, label.strip(), bold or bold_cell, values, marks)
        self.prev = "row"

    def fit(self, number: int, cells: list[str], width: int, truncated: bool, line: str) -> list[str]:
        """The row's value cells, as many as the header's; refused when it has more that are not
        empty, or when the file is cut off inside it."""
        raw = cells[1:]
        if len(raw) > width:
            if any(c.strip() for c in raw[width:]):
                raise self.error(number, f"the row has {len(raw)} cells but the header has {width}",
                                 "Remove the extra cells or fix the header", line)
            raw = raw[:width]
        if truncated and any(OPEN_BOLD.search(c) and not CLOSE_BOLD.search(c) for c in cells):
            raise self.unclosed(number, truncated, line)
        if truncated and len(raw) < width:
            raise self.error(number, "the file ends in the middle of a table row", _CUT_OFF, line)
        return raw

    def values(self, number: int, raw: list[str], width: int,
               truncated: bool) -> tuple[list[Number | None], list[str], bool]:
        """The row's numbers (None for empty cells and symbols), the symbols by column ("" for
        none), and whether a cell is bold. Trailing empty cells lost to editors are None."""
        values: list[Number | None] = []
        marks = [""] * width
        bold = False
        for c, cell in enumerate(raw):
            text, cell_bold = strip_bold(cell)
            if cell_bold and not CLOSE_BOLD.search(cell):
                raise self.unclosed(number, truncated, cell)
            bold = bold or cell_bold
            stripped = text.strip()
            if stripped in SYMBOLS:
                marks[c] = stripped
                values.append(None)
                continue
            values.append(self.number(number, text, truncated and c == len(raw) - 1))
        values.extend([None] * (width - len(values)))
        return values, marks, bold

    def number(self, number: int, text: str, cut: bool) -> Number | None:
        """One cell's number; `cut`: the last cell of a cut-off last line."""
        try:
            return parse_number(text, self.mark)
        except ValueError as exc:
            if str(exc) == "too large":
                raise self.error(number, f"a number with more than {MAX_DIGITS} digits is too large to be "
                                 "a count", "Correct the number in the report", text.strip()) from None
            if cut:
                raise self.error(number, "the file ends in the middle of a number", _CUT_OFF, text.strip()) from None
            hint = ("Correct the number, or leave the cell empty" if self.mark == "," else
                    "Correct the number (this file groups thousands with ',' and writes decimals with '.')")
            raise self.error(number, "not a number", hint, text.strip()) from None

    def add_row(self, section: SectionDraft, number: int, label: str, bold: bool, values: list[Number | None],
                marks: list[str]) -> None:
        """The row joins its section, unless it is the top total a continued page repeats."""
        if self.expect_repeat:
            self.expect_repeat = False
            first = canon(section.labels[0]) if section.labels else None
            if canon(label) == first and bold == section.bold[0] and (bold or first.startswith("i alt")):
                section.repeats.append(Repeat(0, tuple(values), number))
                return
        section.labels.append(label)
        section.values.append(tuple(values))
        section.marks.append(tuple(marks) if any(marks) else ())
        section.bold.append(bold)
        section.lines.append(number)

    # -- the end
    def finish(self) -> Report:
        self.settle()
        if self.prev == "header":
            raise self.error(self.table.line if self.table else None, "the file ends after a column header",
                             _CUT_OFF, "\t".join(self.table.headers) if self.table else None)
        if self.tables and self.run.headings and not self.run.text:
            name, number, _ = self.run.headings[-1]
            raise self.error(number, "the file ends after a table heading with no table", _CUT_OFF, name)
        self.notes.extend(self.run.text)
        if self.title is None and self.run.headings:
            self.title = self.run.headings[0][0]
        if not self.tables:
            raise self.error(None, "no table found (a table starts with a header row whose first cell is empty)",
                             HINT_EXPORT)
        period = self.period if self.period is not None else period_from_name(self.source)
        if period is None:
            raise self.error(None, f"no period found: no line of its own names {EXAMPLES}, and the file "
                             "name has no YYYY-MM", "Add the period line under the report's title, or put "
                             "the month in the file name (tiltak-2014-02.txt)")
        return Report(
            title=self.title or Path(self.source).stem,
            period=period,
            source=self.source,
            encoding=self.encoding,
            note="\n".join(self.notes),
            # The shape proposes (bold rows, headers); the published numbers decide (structure.decide).
            tables=decide([t.build(period.key) for t in self.tables], rounding=period.kind is PeriodKind.AVERAGE),
            warnings=tuple(self.warnings),
            removed_chars=self.removed,
        )
