"""Tables and sections while their lines are read, and what is built from them for the model.

The parser fills the drafts row by row; `TableDraft.build` then makes the model's Table: the
header row's columns (`classify_columns`), the decimals each column shows, and each row's kind
(total, subtotal or leaf: `assign_totals`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..model import Number, Repeat, Row, Section, Table
from ..rules.labels import canon, is_subset_label
from ..rules.structure import assign_totals
from .columns import classify_columns
from .numbers import decimals_of

Heading = tuple[str, int, int]          # (text, line number, '#' count)


@dataclass
class SectionDraft:
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
class TableDraft:
    """A table as its pages and sections are read (built into a model.Table)."""

    title: str
    headers: tuple[str, ...]
    line: int
    sections: list[SectionDraft] = field(default_factory=list)
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
class Run:
    """Headings, period and text between two blocks of rows."""

    before: list[Heading] = field(default_factory=list)     # headings before the period line
    after: list[Heading] = field(default_factory=list)      # … and after it
    period_seen: bool = False
    text: list[str] = field(default_factory=list)
    follows_rows: bool = False                              # the run interrupts a table's rows

    @property
    def headings(self) -> list[Heading]:
        return self.before + self.after
