"""The arithmetic promises a report makes, and whether they hold. Pure.

Two steps:
1. `derive` computes every cell's value the way the workbook's formulas will: detail numbers
   as published, totals as the sum of their parts, "I alt" columns as the sum of the row,
   percents from their own row. These are also the cached values written into the workbook.
2. `reconcile` lists every relation (kind, place, published value, computed value, holds).
   A relation fails exactly when the published number differs from what the formulas give,
   so changing one detail number fails exactly the relations that depend on it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum
from typing import TypeVar

from .model import ColumnKind, Report, Row, RowKind, Table

Values = list[list[list[int | None]]]          # [section][row][column]
T = TypeVar("T")


class CheckKind(StrEnum):
    SUM = "sum"            # a total equals the sum of its parts, column by column
    ROWSUM = "radsum"      # a cross table's "I alt" column equals the sum of the row
    PERCENT = "prosent"    # "Prosent" = 100 × change / (count − change), rounded half away from zero
    REPEAT = "gjentatt"    # a total repeated on a continued page equals the total
    AGREE = "samsvar"      # the same figure published in another table agrees


@dataclass(frozen=True, slots=True)
class CellRef:
    table: int
    section: int
    row: int
    column: int


@dataclass(frozen=True, slots=True)
class Check:
    kind: CheckKind
    cell: CellRef            # where the published number stands
    published: int | None    # the number printed in the report (None: blank)
    computed: int | None     # what the workbook's formulas give
    holds: bool
    source: CellRef          # the workbook cell whose value is compared with `published`
    line: int                # line of the published number in the report
    what: str                # the relation in words (Norwegian, shown on the Avstemming sheet)
    table: str = ""
    section: str = ""
    row: str = ""
    column: str = ""


def percent(count: int | None, change: int | None) -> int | None:
    """100 × change / (count − change), rounded half away from zero; None when count = change.

    Exact integer arithmetic: Excel's and LibreOffice's ROUND also round the decimal value,
    not the nearest binary float, so float arithmetic would disagree on halves.
    """
    count, change = count or 0, change or 0          # a blank cell counts as 0 in a formula
    previous = count - change
    if previous == 0:
        return None
    numerator = 100 * change
    sign = -1 if (numerator < 0) != (previous < 0) and numerator != 0 else 1
    a, b = abs(numerator), abs(previous)
    return sign * ((2 * a + b) // (2 * b))


def derive(table: Table) -> Values:
    """Every cell's value as the workbook's formulas compute it."""
    out: Values = []
    # Values first, then the row sums over them, then the percents over either.
    order = [c for kind in ColumnKind for c, col in enumerate(table.columns) if col.kind is kind]
    for section in table.sections:
        rows = section.rows
        vals: list[list[int | None]] = [list(r.values) for r in rows]
        for c in order:
            col = table.columns[c]
            if col.kind is ColumnKind.VALUE:
                for r, value in enumerate(_column_totals(rows, c)):
                    vals[r][c] = value
            elif col.kind is ColumnKind.ROWSUM:
                for r in range(len(rows)):
                    vals[r][c] = sum(vals[r][o] or 0 for o in col.operands)
            elif col.operands:
                base, change = col.operands
                for r in range(len(rows)):
                    vals[r][c] = percent(vals[r][base], vals[r][change])
        out.append(vals)
    return out


def _fold(rows: tuple[Row, ...], leaf: Callable[[int], T], node: Callable[[int, list[T]], T]) -> list[T]:
    """A value per row of a section, totals computed from their parts (recursively, once each)."""
    done: dict[int, T] = {}

    def value(r: int) -> T:
        if r not in done:
            parts = rows[r].parts
            done[r] = node(r, [value(p) for p in parts]) if parts else leaf(r)
        return done[r]

    return [value(r) for r in range(len(rows))]


def _column_totals(rows: tuple[Row, ...], c: int) -> list[int | None]:
    """Column c down a section: published details, totals as the sum of their parts."""
    return _fold(rows, lambda r: rows[r].values[c], lambda _r, parts: sum(v or 0 for v in parts))


def _marked(rows: tuple[Row, ...], c: int) -> list[bool]:
    """Column c down a section: does the cell carry a symbol, or a total rest on one?"""
    return _fold(rows, lambda r: bool(rows[r].mark(c)), lambda r, parts: bool(rows[r].mark(c)) or any(parts))


def unknown(table: Table) -> set[tuple[int, int, int]]:
    """(section, row, column) of cells whose value rests on a statistical symbol (":" …).

    Such a cell is published as is (no formula), and no relation through it is checked: a
    suppressed number cannot be summed, and a total over it cannot be recomputed.
    """
    out: set[tuple[int, int, int]] = set()
    if not any(row.marks for section in table.sections for row in section.rows):
        return out
    for s, section in enumerate(table.sections):
        rows = section.rows
        for c, col in enumerate(table.columns):
            if col.kind is not ColumnKind.VALUE:
                continue
            out.update((s, r, c) for r, flag in enumerate(_marked(rows, c)) if flag)
        for kind in (ColumnKind.ROWSUM, ColumnKind.PERCENT):
            for c, col in enumerate(table.columns):
                if col.kind is kind:
                    out.update((s, r, c) for r, row in enumerate(rows)
                               if row.mark(c) or any((s, r, o) in out for o in col.operands))
    return out


def _holds(kind: ColumnKind, published: int | None, computed: int | None) -> bool:
    if kind is ColumnKind.PERCENT:
        return published == computed       # a blank percent and 0 are different statements
    return (published or 0) == (computed or 0)   # a blank count is 0 (the zero format shows it blank)


def reconcile(report: Report, derived: list[Values] | None = None,
              unknowns: list[set[tuple[int, int, int]]] | None = None) -> list[Check]:
    """Every relation the report promises, in a stable order (table by table, then across tables).

    `derived` and `unknowns` (from `derive` and `unknown`) may be passed when already computed.
    """
    if derived is None:
        derived = [derive(t) for t in report.tables]
    if unknowns is None:
        unknowns = [unknown(t) for t in report.tables]
    checks: list[Check] = []
    for t, table in enumerate(report.tables):
        checks.extend(_table_checks(report, t, table, derived[t]))
    checks.extend(_agreement_checks(report, derived))
    if not any(unknowns):
        return checks

    def known(ref: CellRef) -> bool:
        return (ref.section, ref.row, ref.column) not in unknowns[ref.table]

    return [c for c in checks if known(c.cell) and known(c.source)
            and not (c.kind is CheckKind.REPEAT and c.published is None)]


def _make(report: Report, kind: CheckKind, cell: CellRef, published: int | None, computed: int | None,
          line: int, what: str, source: CellRef | None = None) -> Check:
    table = report.tables[cell.table]
    section = table.sections[cell.section]
    column = table.columns[cell.column]
    return Check(kind, cell, published, computed, _holds(column.kind, published, computed), source or cell,
                 line, what, table.title, section.heading or "", section.rows[cell.row].label, column.header)


def _table_checks(report: Report, t: int, table: Table, values: Values) -> list[Check]:
    checks: list[Check] = []
    for s, section in enumerate(table.sections):
        vals = values[s]
        for r, row in enumerate(section.rows):
            for c, col in enumerate(table.columns):
                cell = CellRef(t, s, r, c)
                if row.parts and col.kind is not ColumnKind.PERCENT:
                    computed = sum(vals[p][c] or 0 for p in row.parts)
                    checks.append(_make(report, CheckKind.SUM, cell, row.values[c], computed, row.line,
                                        f"Sum av {len(row.parts)} rader"))
                if col.kind is ColumnKind.ROWSUM:
                    checks.append(_make(report, CheckKind.ROWSUM, cell, row.values[c], vals[r][c], row.line,
                                        f"Sum av {len(col.operands)} kolonner"))
                elif col.kind is ColumnKind.PERCENT and col.operands:
                    checks.append(_make(report, CheckKind.PERCENT, cell, row.values[c], vals[r][c], row.line,
                                        "100 × endring / (antall − endring)"))
        for repeat in section.repeats:
            for c in range(len(table.columns)):
                cell = CellRef(t, s, repeat.row, c)
                checks.append(_make(report, CheckKind.REPEAT, cell, repeat.values[c], vals[repeat.row][c],
                                    repeat.line, f"Gjentatt på linje {repeat.line}"))
    return checks


# --------------------------------------------------------------------------- across tables

def canon(text: str) -> str:
    """A label as a key: case, commas and spacing ignored."""
    return " ".join(text.replace(",", " ").split()).casefold()


def _topic(label: str) -> str:
    """What a total row is about: "I alt nedsatt arbeidsevne, på tiltak" → "nedsatt arbeidsevne på tiltak"."""
    key = canon(label)
    return key[5:].strip() if key.startswith("i alt") else key


_DIGITS = re.compile(r"\d+")
_SIMILAR = 0.8   # "Lønnskudd" vs "Lønnstilskudd" is 0.82; "Avklaring" vs "Avklaringstiltak" is 0.72


def _aliases(report: Report) -> dict[str, str]:
    """Label typos, found by position: a label printed in one table only, whose row in another
    table at the same position carries a very similar label printed in several tables, is taken
    to mean that label ("Lønnskudd" → "Lønnstilskudd")."""
    where: dict[str, set[int]] = defaultdict(set)
    layout: list[tuple[int, list[str]]] = []
    for t, table in enumerate(report.tables):
        for section in table.sections:
            labels = [_topic(r.label) for r in section.rows]
            layout.append((t, labels))
            for label in labels:
                where[label].add(t)
    alias: dict[str, str] = {}
    for t, labels in layout:
        for i, label in enumerate(labels):
            if len(where[label]) > 1 or label in alias or not label:
                continue
            for t2, others in layout:
                if t2 == t or i >= len(others):
                    continue
                other = others[i]
                # Only a label printed in several tables can be the intended one, and labels that
                # differ in their numbers ("Rad 1" / "Rad 2", years) are different things.
                if other == label or not other or len(where[other]) < 2 or _DIGITS.findall(
                        label) != _DIGITS.findall(other):
                    continue
                matcher = SequenceMatcher(None, label, other)
                # the quick upper bounds reject almost every pair before the costly ratio()
                if (matcher.real_quick_ratio() >= _SIMILAR and matcher.quick_ratio() >= _SIMILAR
                        and matcher.ratio() >= _SIMILAR):
                    alias[label] = other
                    break
    return alias


def _figure_keys(report: Report) -> dict[tuple[str, tuple[str, ...]], list[CellRef]]:
    """Each published cell's meaning: (measure, categories), independent of table layout.

    A change table's columns are measures; a cross table's columns (other than "I alt") are
    categories. Section headings, subtotal groups and detail labels are categories too.
    Categories are a sorted tuple (a multiset), so "Oppfølging" within the group "Oppfølging"
    does not collide with the group itself, while a county within a region still matches the
    same county in a table without regions.
    """
    alias = _aliases(report)

    def cat(label: str) -> str:
        key = _topic(label)
        return alias.get(key, key)

    keys: dict[tuple[str, tuple[str, ...]], list[CellRef]] = defaultdict(list)
    for t, table in enumerate(report.tables):
        cross = table.is_cross
        for s, section in enumerate(table.sections):
            heading = cat(section.heading) if section.heading else None
            group = {p: r for r, row in enumerate(section.rows) if row.kind is RowKind.SUBTOTAL
                     for p in row.parts}
            # A detail named like a group ("Oppfølging" within "I alt oppfølging") is a finer
            # figure than the group: its group joins its categories so the two stay apart.
            group_topics = {cat(section.rows[g].label) for g in group.values()}
            for r, row in enumerate(section.rows):
                cats = [heading] if heading else []
                if row.kind is RowKind.DETAIL:
                    if r in group and cat(row.label) in group_topics:
                        cats.append(cat(section.rows[group[r]].label))
                    cats.append(cat(row.label))
                else:
                    topic = cat(row.label)
                    if topic and topic != heading:
                        cats.append(topic)
                for c, col in enumerate(table.columns):
                    if cross:
                        measure = "antall" if col.kind is not ColumnKind.PERCENT else canon(col.header)
                        extra = [] if col.kind is ColumnKind.ROWSUM else [canon(col.header)]
                    else:
                        measure, extra = canon(col.header), []
                    keys[(measure, tuple(sorted(cats + extra)))].append(CellRef(t, s, r, c))
    return keys


def _agreement_checks(report: Report, derived: list[Values]) -> list[Check]:
    checks: list[Check] = []
    for cells in _figure_keys(report).values():
        first = cells[0]
        for cell in cells[1:]:
            if cell.table == first.table:
                continue
            ref_table = report.tables[first.table]
            ref_section = ref_table.sections[first.section]
            where = f"«{ref_table.title}»" + (f" / {ref_section.heading}" if ref_section.heading else "")
            row = report.tables[cell.table].sections[cell.section].rows[cell.row]
            checks.append(_make(
                report, CheckKind.AGREE, cell, row.values[cell.column],
                derived[first.table][first.section][first.row][first.column], row.line,
                f"Samme tall som {where}, rad «{ref_section.rows[first.row].label}»", source=first))
    return checks
