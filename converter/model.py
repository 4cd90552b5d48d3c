"""The typed model between the parser and everything else.

Frozen dataclasses only: the parser builds them, checks and the workbook writer read them.
Nothing here knows about text lines or about openpyxl.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

# Symbols of official Norwegian statistics that may stand where a number is not published.
SYMBOLS = frozenset({".", "..", "...", ":", "-", "–", "—", "*", "x", "X"})

Number = int | Decimal           # a published number: counts are int, "12,5" is Decimal("12.5")

MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
          "september", "oktober", "november", "desember")


class Measure(StrEnum):
    """What a column's numbers are, inferred from its header (see read.columns.classify_columns)."""

    COUNT = "count"              # a count for the report's own period ("Antall", "Februar 2014", a cross column)
    PREVIOUS = "previous"        # the same count a year earlier ("Februar 2013" in a report for Februar 2014)
    PERIOD = "period"            # a count for another period (a time-series column); see Figure.period
    CHANGE = "change"            # change from the same month last year, in units ("Endring fra i fjor Antall")
    CHANGE_PERCENT = "change%"   # that change in percent of last year ("Endring fra i fjor Prosent")
    SHARE = "share"              # percent of the column's total in this table ("Andel i prosent")
    RATE = "rate"                # a rate, average or share whose base is not in the table: published as is
    VALUE = "value"              # a number of no known meaning: published, summed by totals, never compared


class RowKind(StrEnum):
    TOTAL = "total"        # "I alt" at the top of a section, or a grand total over subtotals
    SUBTOTAL = "subtotal"  # "I alt <group>" after its group's detail rows
    DETAIL = "detail"      # a published number, never a formula


class ColumnKind(StrEnum):
    """What a column's cells are: published, or computed from other columns of their row (its
    operands). Everything a kind means (whether a total sums it, whether a blank is not 0, its
    look, how it is computed, written as a formula and checked) is its rule: rules.kinds.RULES."""

    VALUE = "value"        # published numbers; totals sum them down the column
    ROWSUM = "rowsum"      # the "I alt" column of a cross table: the sum of the other columns
    CHANGE = "change"      # this year's count − last year's, both published in the table (operands: this, last)
    PERCENT = "percent"    # "… Prosent": 100 × change / (count − change) of its own row (operands: count, change)
    GROWTH = "growth"      # "… Prosent" beside a last-year column: 100 × change / last year (operands: last, change)
    SHARE = "share"        # "Andel i prosent": 100 × count / the section's total count (operands: count,)
    ROW_SHARE = "rowshare"  # "Andel kvinner": 100 × count / the row's total (operands: count, rowsum)
    RATE = "rate"          # a rate or average whose base is not in the table: published, nothing rests on it


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a table: its header and what its numbers are."""

    header: str
    kind: ColumnKind = ColumnKind.VALUE
    # The columns a computed kind reads (see ColumnKind); () when the column is published as is.
    operands: tuple[int, ...] = ()
    measure: Measure = Measure.COUNT   # what the numbers are (see Measure)
    category: str = ""                 # the category the header names ("Menn", "Arbeidssøkere på tiltak"), if any
    period: str = ""                   # "YYYY-MM" when the header is a period ("Februar 2016"), else ""
    decimals: int = 0                  # the most decimals published in the column ("12,5" → 1)


@dataclass(frozen=True, slots=True)
class Row:
    """A labelled row of numbers: a detail, or a total over other rows of its section."""

    label: str
    values: tuple[Number | None, ...]
    kind: RowKind
    line: int                      # 1-based line in the source file
    parts: tuple[int, ...] = ()    # indices (within the section) of the rows this total sums
    # A statistical symbol published instead of a number (":" suppressed, ".." not available,
    # "-" nil …), per column, "" elsewhere; () when the row has none. Its value is None.
    marks: tuple[str, ...] = ()

    @property
    def bold(self) -> bool:
        return self.kind is not RowKind.DETAIL

    def mark(self, column: int) -> str:
        return self.marks[column] if self.marks else ""


@dataclass(frozen=True, slots=True)
class Repeat:
    """A total printed again at the top of a continued page (dropped from the rows)."""

    row: int                       # index of the repeated total within its section
    values: tuple[Number | None, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Section:
    """A part of a table under one heading (or none), with its rows."""

    heading: str | None
    rows: tuple[Row, ...]
    repeats: tuple[Repeat, ...] = ()
    line: int = 0                  # line of the heading (or of the first row)
    # Computed columns whose relation the section's own numbers refute (a block of rates under a
    # heading "Prosent"): published as is here, nothing checked (structure.decide_columns).
    published: frozenset[int] = frozenset()
    # (row, column) of sums in a report of rounded averages that hold only within their parts'
    # rounding: published as is, not checked (structure.rounded_sums).
    rounded: frozenset[tuple[int, int]] = frozenset()


def section_total(section: Section) -> int | None:
    """The row that is the section's total over all its other rows (the base of a share), if any:
    its top total, or a single total at the bottom; a bold first row whose sum the numbers did not
    confirm is still the published total a share is of."""
    rows = section.rows
    for r, row in enumerate(rows):
        if row.kind is RowKind.TOTAL and row.parts:
            return r
    covered = {p for row in rows for p in row.parts}
    bold = [r for r, row in enumerate(rows) if row.bold and row.parts]
    if len(bold) == 1 and covered >= {r for r, row in enumerate(rows) if not row.bold} - {bold[0]}:
        return bold[0]
    if rows and rows[0].kind is RowKind.TOTAL and len(rows) > 1:
        return 0
    return None


@dataclass(frozen=True, slots=True)
class Table:
    """One published table: title, columns and sections."""

    title: str
    columns: tuple[Column, ...]
    sections: tuple[Section, ...]
    line: int = 0                  # line of the column header
    # What the numbers did not confirm, so was published as is (Norwegian; structure.decide)
    notes: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def is_cross(self) -> bool:
        return any(c.kind is ColumnKind.ROWSUM for c in self.columns)

    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sections)


class PeriodKind(StrEnum):
    """What span of time a report (or a column) is about; each kind is its own series."""

    MONTH = "month"            # "Februar 2014"                → key "2014-02"
    QUARTER = "quarter"        # "1. kvartal 2020"             → key "2020-Q1"
    MONTHS = "months"          # "Januar - februar 2019"       → key "2019-01/2019-02"
    YEAR = "year"              # "2013"                        → key "2013"
    AVERAGE = "average"        # "Årsgjennomsnitt 2013"        → key "2013-avg"
    DATE = "date"              # "31. desember 2010"           → key "2010-12-31"

    @property
    def norwegian(self) -> str:
        """The kind as the workbook names it (Innhold)."""
        return _PERIOD_KIND_NB[self]


_PERIOD_KIND_NB = {PeriodKind.MONTH: "måned", PeriodKind.QUARTER: "kvartal", PeriodKind.MONTHS: "flere måneder",
                   PeriodKind.YEAR: "år", PeriodKind.AVERAGE: "årsgjennomsnitt", PeriodKind.DATE: "dato"}


@dataclass(frozen=True, slots=True)
class Period:
    """The period a report is for: a month, a quarter, a range of months, a year, a yearly average or a date.

    `year` and `month` are the period's last month (a quarter's third, a range's last, December
    for a year); `start` is a range's first month (year, month); `day` a date's day.
    """

    year: int
    month: int
    text: str                      # as published, e.g. "Februar 2014"
    kind: PeriodKind = PeriodKind.MONTH
    start: tuple[int, int] | None = None
    day: int = 0

    @property
    def key(self) -> str:
        """A sortable text key, distinct per kind: "2014-02", "2020-Q1", "2019-01/2019-02", "2013",
        "2013-avg", "2010-12-31"."""
        kind = self.kind
        if kind is PeriodKind.MONTH:
            return f"{self.year:04d}-{self.month:02d}"
        if kind is PeriodKind.QUARTER:
            return f"{self.year:04d}-Q{(self.month - 1) // 3 + 1}"
        if kind is PeriodKind.MONTHS:
            first = self.start or (self.year, self.month)
            return f"{first[0]:04d}-{first[1]:02d}/{self.year:04d}-{self.month:02d}"
        if kind is PeriodKind.YEAR:
            return f"{self.year:04d}"
        if kind is PeriodKind.AVERAGE:
            return f"{self.year:04d}-avg"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True, slots=True)
class Report:
    """One parsed report file: its tables and where it came from."""

    title: str
    period: Period
    source: str                    # file name as given
    encoding: str                  # "utf-8", "utf-8-sig", "utf-16", "cp1252"
    note: str
    tables: tuple[Table, ...]
    # What the parser kept or dropped that a reader should know (an empty section heading …), in Norwegian.
    warnings: tuple[str, ...] = ()
    sha256: str = ""
    removed_chars: int = 0         # XML-illegal control characters dropped from labels


@dataclass(frozen=True, slots=True)
class Figure:
    """One published number with the coordinates that say what it is (a tidy record).

    Two figures of one report are the same figure exactly when `key` is equal; which figures of
    several months form one series is series.sid_of's rule. Labels are as published;
    `categories` is the canonical, order-free form used for matching.
    """

    table: str                     # table title as published
    section: str                   # section heading, "" when none
    group: str                     # the subtotal group's label when the row label needs it to be unique, else ""
    row: str                       # row label as published
    column: str                    # column header as published
    category: str                  # a cross table's column category ("Menn"), "" for a measure column
    measure: Measure
    period: str                    # "YYYY-MM" the number is about (the report's period, or a column's own)
    value: Number | None           # None: blank, or a statistical symbol (see mark)
    mark: str = ""                 # the symbol published instead of a number (":", "..")
    decimals: int = 0              # decimals as published in this column
    categories: tuple[str, ...] = ()   # canonical categories (slice, section, group, row, column category)
    slice: str = ""                # what sets the table apart when sibling tables are slices ("Østfold")
    comparable: bool = True        # False when the structure cannot tell which figure the label means

    @property
    def key(self) -> tuple[str, tuple[str, ...], str]:
        return (self.measure.value, self.categories, self.period)
