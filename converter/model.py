"""The typed model between the parser and everything else.

Frozen dataclasses only: the parser builds them, checks and the workbook writer read them.
Nothing here knows about text lines or about openpyxl.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# Symbols of official Norwegian statistics that may stand where a number is not published.
SYMBOLS = frozenset({".", "..", "...", ":", "-", "–", "—", "*", "x", "X"})

MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
          "september", "oktober", "november", "desember")


class RowKind(StrEnum):
    TOTAL = "total"        # "I alt" at the top of a section, or a grand total over subtotals
    SUBTOTAL = "subtotal"  # "I alt <group>" after its group's detail rows
    DETAIL = "detail"      # a published number, never a formula


class ColumnKind(StrEnum):
    VALUE = "value"        # counts as published; totals sum them down the column
    ROWSUM = "rowsum"      # the "I alt" column of a cross table: the sum of the other columns
    PERCENT = "percent"    # "... Prosent": 100 × change / (count − change) of its own row


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    kind: ColumnKind = ColumnKind.VALUE
    # ROWSUM: the columns it sums; PERCENT: (count column, change column).
    operands: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    values: tuple[int | None, ...]
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
    values: tuple[int | None, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Section:
    heading: str | None
    rows: tuple[Row, ...]
    repeats: tuple[Repeat, ...] = ()
    line: int = 0                  # line of the heading (or of the first row)


@dataclass(frozen=True, slots=True)
class Table:
    title: str
    columns: tuple[Column, ...]
    sections: tuple[Section, ...]
    line: int = 0                  # line of the column header

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    @property
    def is_cross(self) -> bool:
        return any(c.kind is ColumnKind.ROWSUM for c in self.columns)

    def row_count(self) -> int:
        return sum(len(s.rows) for s in self.sections)


@dataclass(frozen=True, slots=True)
class Period:
    year: int
    month: int
    text: str                      # as published, e.g. "Februar 2014"

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class Report:
    title: str
    period: Period
    source: str                    # file name as given
    encoding: str                  # "utf-8", "utf-8-sig", "utf-16", "cp1252"
    note: str
    tables: tuple[Table, ...]
    sha256: str = ""
    removed_chars: int = 0         # XML-illegal control characters dropped from labels
    line_count: int = 0
