"""The arithmetic promises a report makes, and whether they hold. Pure.

Two steps:
1. `derive`: every cell as the workbook shows it, which is the published number (the published
   number is sacred: a formula stands only where it gives that number).
2. `reconcile` lists every relation the numbers confirmed (structure.decide): a total is the sum
   of its published parts, an "I alt" column the sum of its row, a change this year − last year,
   a percent or share from its own row; with the published value, the computed value and
   whether they agree. Each relation is computed from the published numbers beside it, so one
   wrong detail number fails the relation of its smallest total only, not every total above.

Across tables, two cells are compared only when they are the same figure (see meaning.py), and
two tables whose shared figures mostly differ are not compared at all (see `_agreement_checks`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from ..model import Column, Measure, Number, Report, Row, Section, Table, section_total
from .arith import growth, percent, share  # noqa: F401 (the relations' arithmetic, as before)
from .kinds import ORDER, RULES, CheckKind
from .meaning import Meaning
from .structure import nothing_published, relation_value

Values = list[list[list[Number | None]]]          # [section][row][column]
T = TypeVar("T")


# CellRef and Check are immutable records made ~10⁴ times for a big report (11,310 checks, a
# CellRef per checked cell and per figure compared): NamedTuples, since a frozen dataclass's
# __init__ sets each field through object.__setattr__ (~4 µs a Check, ~1.5 µs a CellRef; a
# NamedTuple is made in a fraction of that).

class CellRef(NamedTuple):
    """A cell of the report: table, section, row and column, by index."""

    table: int
    section: int
    row: int
    column: int


class Check(NamedTuple):
    """One relation the report promises, and whether it holds."""

    kind: CheckKind
    cell: CellRef            # where the published number stands
    published: Number | None     # the number printed in the report (None: blank)
    computed: Number | None      # what the workbook's formulas give
    holds: bool
    source: CellRef          # the workbook cell whose value is compared with `published`
    line: int                # line of the published number in the report
    what: str                # the relation in words (Norwegian, shown on the Avstemming sheet)
    table: str = ""
    section: str = ""
    row: str = ""
    column: str = ""
    # (table title, section heading, row label) of the source cell when it is another table's
    source_place: tuple[str, str, str] | None = None

    def names(self) -> set[tuple[str, str, str]]:
        """The places the check names: its own cell and, for an agreement, the figure it is compared with."""
        places = {(self.table, self.section, self.row)}
        if self.source_place is not None:
            places.add(self.source_place)
        return places


@dataclass(frozen=True)
class Reconciliation:
    """Every check of a report, and what was deliberately not compared (notes, in Norwegian)."""

    checks: list[Check]
    notes: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.holds]


def _order(table: Table) -> list[int]:
    """The table's columns in the order their values can be computed (kinds.ORDER: operands first)."""
    return [c for rule in ORDER for c, col in enumerate(table.columns) if col.kind is rule.kind]


def derive(table: Table) -> Values:
    """Every cell's value as the workbook shows it: the published number, always (a formula stands
    only where it gives that number: see workbook._table_rows). Also the formulas' cached values."""
    return [[list(r.values) for r in section.rows] for section in table.sections]


def _fold(rows: tuple[Row, ...], leaf: Callable[[int], T], node: Callable[[int, list[T]], T]) -> list[T]:
    """A value per row of a section, totals computed from their parts (recursively, once each)."""
    done: dict[int, T] = {}

    def value(r: int) -> T:
        if r not in done:
            parts = rows[r].parts
            done[r] = node(r, [value(p) for p in parts]) if parts else leaf(r)
        return done[r]

    return [value(r) for r in range(len(rows))]


def _marked(rows: tuple[Row, ...], c: int) -> list[bool]:
    """Column c down a section: does the cell carry a symbol, or a total rest on one?"""
    return _fold(rows, lambda r: bool(rows[r].mark(c)), lambda r, parts: bool(rows[r].mark(c)) or any(parts))


def unknown(table: Table) -> set[tuple[int, int, int]]:
    """(section, row, column) of cells whose value rests on a statistical symbol (":" …).

    Such a cell is published as is (no formula), and no relation through it is checked: a
    suppressed number cannot be summed, and a total over it cannot be recomputed.
    """
    out: set[tuple[int, int, int]] = {(s, r, c) for s, section in enumerate(table.sections)
                                       for c in section.published for r in range(len(section.rows))}
    out.update((s, r, c) for s, section in enumerate(table.sections) for r, c in section.rounded)
    if not any(row.marks for section in table.sections for row in section.rows):
        return out
    order = _order(table)
    for s, section in enumerate(table.sections):
        rows = section.rows
        base = section_total(section)
        for c in order:
            col = table.columns[c]
            rule = RULES[col.kind]
            if rule.summed:            # a total over a symbol rests on it
                out.update((s, r, c) for r, flag in enumerate(_marked(rows, c)) if flag)
                continue
            # a computed cell rests on its operands (a share of the total on the total's too)
            through = [(s, base, o) for o in col.operands] if rule.of_total and base is not None else []
            for r, row in enumerate(rows):
                rests = any((s, r, o) in out for o in col.operands) or any(ref in out for ref in through)
                if row.mark(c) or rests:
                    out.add((s, r, c))
    return out


def _holds(exact: bool, published: Number | None, computed: Number | None) -> bool:
    """`exact` (ColumnKind.exact): a blank percent and 0 are different statements; a blank count is 0
    (the zero format shows it blank)."""
    if exact:
        return published == computed
    return (published or 0) == (computed or 0)


def reconcile(report: Report, derived: list[Values] | None = None,
              unknowns: list[set[tuple[int, int, int]]] | None = None) -> list[Check]:
    """Every relation the report promises, in a stable order (table by table, then across tables)."""
    return reconcile_report(report, derived, unknowns).checks


def reconcile_report(report: Report, derived: list[Values] | None = None,
                     unknowns: list[set[tuple[int, int, int]]] | None = None,
                     meaning: Meaning | None = None) -> Reconciliation:
    """The checks of `reconcile`, with notes on the tables that were deliberately not compared.

    `derived` and `unknowns` (from `derive` and `unknown`) may be passed when already computed;
    `meaning`, the report's Meaning, when the caller asks it for the figures too (the time series).
    """
    if derived is None:
        derived = [derive(t) for t in report.tables]
    if unknowns is None:
        unknowns = [unknown(t) for t in report.tables]

    def known(ref: CellRef) -> bool:
        return (ref.section, ref.row, ref.column) not in unknowns[ref.table]

    checks: list[Check] = []
    for t, table in enumerate(report.tables):
        checks.extend(_table_checks(report, t, table, derived[t]))
    agreements, notes = _agreement_checks(report, derived, known, meaning or Meaning(report))
    checks.extend(agreements)
    if any(unknowns):
        checks = [c for c in checks if known(c.cell) and known(c.source)
                  and not (c.kind is CheckKind.REPEAT and c.published is None)]
    return Reconciliation(checks, notes)


def _relations(columns: tuple[Column, ...], section: Section, base: int | None) -> list[tuple[CheckKind, str] | None]:
    """Per column: the relation each of its cells states in the section (kind, in words), or None."""
    label = section.rows[base].label if base is not None else None      # the base of a share of the total
    out: list[tuple[CheckKind, str] | None] = []
    for col in columns:
        rule = RULES[col.kind]
        says = rule.says([columns[o].header for o in col.operands], label) if rule.says is not None else None
        out.append((rule.check, says) if rule.check is not None and says is not None else None)
    return out


def _table_checks(report: Report, t: int, table: Table, values: Values) -> list[Check]:
    # Names, kinds and each column's relation in words are looked up once per table or section,
    # not per check: this loop runs for every cell of the report.
    checks: list[Check] = []
    columns = table.columns
    title = table.title
    headers = [col.header for col in columns]
    exact = [RULES[col.kind].exact for col in columns]
    additive = [c for c, col in enumerate(columns) if RULES[col.kind].additive]
    for s, section in enumerate(table.sections):
        vals = values[s]
        heading = section.heading or ""
        base = section_total(section)
        base_values = section.rows[base].values if base is not None else None
        relations = list(enumerate(_relations(columns, section, base)))
        related = [(c, relation) for c, relation in relations if relation is not None]
        for r, row in enumerate(section.rows):
            label, line, published = row.label, row.line, row.values
            sums = additive if row.parts else ()
            what_sum = f"Sum av {len(row.parts)} rader"
            for c, relation in (relations if sums else related):
                cell = CellRef(t, s, r, c)
                if c in sums:
                    total = sum(vals[p][c] or 0 for p in row.parts)
                    checks.append(Check(CheckKind.SUM, cell, published[c], total, _holds(exact[c], published[c], total),
                                        cell, line, what_sum, title, heading, label, headers[c]))
                if relation is not None:
                    col = columns[c]
                    if nothing_published(col.kind, col.operands, published, c):
                        continue               # a blank change beside a blank year: nothing to check
                    computed = relation_value(col.kind, col.operands, col.decimals, published, base_values)
                    checks.append(Check(relation[0], cell, published[c], computed,
                                        _holds(exact[c], published[c], computed), cell, line, relation[1], title,
                                        heading, label, headers[c]))
        for repeat in section.repeats:
            label = section.rows[repeat.row].label
            for c in range(len(columns)):
                cell = CellRef(t, s, repeat.row, c)
                published, computed = repeat.values[c], vals[repeat.row][c]
                checks.append(Check(CheckKind.REPEAT, cell, published, computed, _holds(exact[c], published, computed),
                                    cell, repeat.line, f"Gjentatt på linje {repeat.line}", title, heading, label,
                                    headers[c]))
    return checks


def table_check_count(report: Report, unknowns: list[set[tuple[int, int, int]]]) -> int:
    """How many checks reconcile_report makes within the tables, counted without making one.

    Exactly the checks of _table_checks that survive the filter of unknown cells; the checks
    across tables come on top, so this is a lower bound of all of them: enough to refuse a
    report too big for Excel before building its checks (audit). Tests hold it to the count.
    """
    filtered = any(unknowns)
    count = 0
    for t, table in enumerate(report.tables):
        columns = table.columns
        additive = {c for c, col in enumerate(columns) if RULES[col.kind].additive}
        bad: dict[int, list[tuple[int, int]]] = {}
        if filtered:
            for s, r, c in unknowns[t]:
                bad.setdefault(s, []).append((r, c))
        for s, section in enumerate(table.sections):
            rows = section.rows
            related = {c for c, relation in enumerate(_relations(columns, section, section_total(section)))
                       if relation is not None}
            totals = sum(1 for row in rows if row.parts)
            count += len(related) * len(rows) + len(additive) * totals
            for r, c in bad.get(s, ()):
                count -= (c in related) + (c in additive and bool(rows[r].parts))
            unknown_cells = {(r, c) for r, c in bad.get(s, ())}
            count -= sum(1 for c in related for r, row in enumerate(rows)    # not checked: see _table_checks
                         if (r, c) not in unknown_cells
                         and nothing_published(columns[c].kind, columns[c].operands, row.values, c))
            for repeat in section.repeats:
                count += sum(1 for c in range(len(columns))
                             if not filtered or ((repeat.row, c) not in unknown_cells and repeat.values[c] is not None))
    return count


# --------------------------------------------------------------------------- across tables

# Measures whose figure is the same wherever it is printed. Shares depend on their table's base,
# rates and unknown values on nothing we can see: they are never compared across tables.
_COMPARABLE = {Measure.COUNT, Measure.PREVIOUS, Measure.PERIOD, Measure.CHANGE, Measure.CHANGE_PERCENT}


def _agreement_checks(report: Report, derived: list[Values], known: Callable[[CellRef], bool],
                      meaning: Meaning) -> tuple[list[Check], list[str]]:
    """The same figure in two tables agrees; evidence first: see `_MIN_DIFFERENT`.

    Each figure printed in several tables is compared with the table that printed it first.
    Per pair of tables, agreement is the evidence that they describe the same population:
    counted over shared figures that agree and are not 0 or blank (two blanks prove nothing).
    A pair is not compared (and a note says so) when its shared figures differ at least as often
    as they agree and either two or more differ or none agree: the tables share labels but not
    a population (counties with other rows, a tiltak named like a group, a title naming a
    sub-population …). One wrong number beside an agreeing one is always an AVVIK.
    """
    # Places as plain tuples: a CellRef is made only for the figures that are compared.
    places: dict[tuple[object, ...], list[tuple[int, int, int, int]]] = defaultdict(list)
    for place, key, comparable in meaning.located_keys():
        if key[0] in _COMPARABLE and comparable:
            places[key].append(place)
    made: list[tuple[tuple[int, int], Check]] = []
    tables = report.tables
    for cells in places.values():
        if len(cells) < 2:
            continue
        first = CellRef(*cells[0])
        if not known(first):
            continue
        ref_table = tables[first.table]
        ref_section = ref_table.sections[first.section]
        where = f"«{ref_table.title}»" + (f" / {ref_section.heading}" if ref_section.heading else "")
        what = f"Samme tall som {where}, rad «{ref_section.rows[first.row].label}»"
        place = (ref_table.title, ref_section.heading or "", ref_section.rows[first.row].label)
        computed = derived[first.table][first.section][first.row][first.column]
        for t, s, r, c in cells[1:]:
            cell = CellRef(t, s, r, c)
            if t == first.table or not known(cell):
                continue
            table = tables[t]
            section = table.sections[s]
            row = section.rows[r]
            published = row.values[c]
            holds = _holds(RULES[table.columns[c].kind].exact, published, computed)
            made.append(((first.table, t), Check(
                CheckKind.AGREE, cell, published, computed, holds,
                first, row.line, what, table.title, section.heading or "", row.label, table.columns[c].header,
                place)))
    tally: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])   # pair → [shared, different, evidence]
    for pair, check in made:
        tally[pair][0] += 1
        tally[pair][1] += not check.holds
        tally[pair][2] += check.holds and bool(check.published)
    skipped = {pair for pair, (_, different, evidence) in tally.items()
               if different and different >= evidence and (different >= 2 or evidence == 0)}
    notes = [f"Tabell «{report.tables[a].title}» og «{report.tables[b].title}» har like rader, men ulike tall "
             f"({tally[(a, b)][1]} av {tally[(a, b)][0]}): ikke sammenlignet" for a, b in sorted(skipped)]
    return [check for pair, check in made if pair not in skipped], notes
