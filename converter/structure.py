"""Which rows a total sums and what a computed column means: hypotheses that the report's own
numbers must confirm. Pure.

The parser proposes structures from the report's shape (bold rows, "herav" labels, headers);
this module lets the published numbers decide among them, and asserts nothing they do not
confirm. A structure that is asserted becomes `Row.parts` and `Column.kind` in the model, so
the workbook gets formulas and the reconciliation checks exactly where the numbers confirmed
them; everything else is published as is, with a note that says why it was not checked.

Rows (per section), candidates in this order (the first wins a tie):
- `under`: a subtotal sums the details above it since the previous bold row; a bold row right
  after subtotals sums those subtotals; a bold first row sums every top-level row below it
  (parse.assign_totals). "Herav"/"av dette"/"derav" rows are parts of the row above, summed by
  no total.
- `over`: a subtotal printed above its parts sums the details below it, up to the next bold
  row ("Førstegenerasjonsinnvandrere i alt", then its regions); the top total sums the
  subtotals and the rows under no subtotal.
- each of those with the "herav" rows counted as ordinary parts (where the labels suggest
  parts of the row above but the numbers say otherwise).
- `none`: no row is a sum.
Each candidate scores, over every (total, additive column) with evidence, +1 where the published
total equals the sum of its published parts (and is not 0) and −1 where it does not; the best
score wins. Within it, a total is asserted where its own numbers support it (it sums exactly, and
not to 0, in one column at least), or where a total of the same role (top total
or subtotal) in the section, or in a section of the table with the same detail rows, is
supported: one refuted cell among confirmed ones is an AVVIK. Any other total is published as is.

Columns (per table): a computed column's header suggests a relation (a change, a percent
change, a share of the section's total or of the row's total, a row sum); its candidates are
that relation, the other relations the table's columns allow, and "published as is". Each is
scored over the table's rows like the totals; the best relation with support is asserted when
it holds in more rows than it fails. In a section where the asserted relation holds nowhere and
fails twice or more (a block of rates under a heading "Prosent"), it is not asserted there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from .arith import growth, percent, share
from .labels import canon, is_subset_label
from .model import Column, ColumnKind, Measure, Number, Row, RowKind, Section, Table, section_total

Assignment = list[tuple[RowKind, tuple[int, ...]]]


# --------------------------------------------------------------------------- row candidates

def assign_totals(bold: Sequence[bool], subset: Sequence[bool] | None = None) -> Assignment:
    """`under`: which rows each bold row sums when subtotals follow their parts.

    - a bold first row is the top total: it sums every row below it that no other total sums;
    - a bold row after detail rows is a subtotal of the details since the previous bold row;
    - a bold row right after subtotals is a grand total over the subtotals since the last one;
    - a "herav" row (`subset`) is a part of the row above it and is summed by no total.
    A bold row with nothing to sum keeps its published numbers (no formula, no check).
    """
    n = len(bold)
    subset = subset or [False] * n
    result: Assignment = [(RowKind.DETAIL, ())] * n
    consumed = [False] * n
    details: list[int] = []
    subtotals: list[int] = []
    for i in range(n):
        if subset[i]:               # bold or not, a part of the row above: summed by no total
            consumed[i] = True
            continue
        if not bold[i]:
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


def assign_totals_above(bold: Sequence[bool], subset: Sequence[bool] | None = None) -> Assignment:
    """`over`: which rows each bold row sums when a subtotal is printed above its parts.

    - a bold row after the first sums the detail rows below it, up to the next bold row;
    - a bold first row is the top total over the subtotals and the rows under no subtotal;
    - a "herav" row is a part of the row above it and is summed by no total.
    """
    n = len(bold)
    subset = subset or [False] * n
    result: Assignment = [(RowKind.DETAIL, ())] * n
    consumed = [False] * n
    for i in range(n):
        if subset[i]:
            consumed[i] = True
    for i in range(1, n):
        if not bold[i] or subset[i]:
            continue
        parts = []
        for j in range(i + 1, n):
            if bold[j] and not subset[j]:
                break
            if not subset[j]:
                parts.append(j)
        result[i] = (RowKind.SUBTOTAL, tuple(parts))
        for j in parts:
            consumed[j] = True
    if n and bold[0]:
        result[0] = (RowKind.TOTAL, tuple(j for j in range(1, n) if not consumed[j]))
    return result


def row_candidates(bold: Sequence[bool], subset: Sequence[bool]) -> list[tuple[str, Assignment]]:
    """The candidate structures of a section, in order of preference (see the module's docstring)."""
    plain = [False] * len(bold)
    found: list[tuple[str, Assignment]] = []
    for name, assignment in (("under", assign_totals(bold, subset)), ("over", assign_totals_above(bold, subset)),
                             ("under, herav counted", assign_totals(bold, plain) if any(subset) else None),
                             ("over, herav counted", assign_totals_above(bold, plain) if any(subset) else None)):
        if assignment is not None and all(assignment != other for _, other in found):
            found.append((name, assignment))
    return found


# --------------------------------------------------------------------------- evidence

@dataclass(frozen=True, slots=True)
class Evidence:
    """How a hypothesis fares on the published numbers: cells that confirm it (a nonzero
    number equal to what the relation gives), and cells that contradict it."""

    support: int = 0
    fails: int = 0

    def __add__(self, other: Evidence) -> Evidence:
        return Evidence(self.support + other.support, self.fails + other.fails)

    @property
    def score(self) -> int:
        return self.support - self.fails

    @property
    def supported(self) -> bool:
        """Its own numbers confirm it: a nonzero figure equals what the relation gives (a total that
        sums exactly in one column is no coincidence; its columns that do not sum are AVVIK)."""
        return self.support >= 1


def sum_evidence(rows: Sequence[Row], total: int, parts: Sequence[int], columns: Sequence[int],
                 shares: Sequence[tuple[int, int]] = ()) -> Evidence:
    """Does row `total` equal the sum of `parts`, column by column? A blank part counts as 0 (the
    family prints a zero count as blank); a cell resting on a symbol, or a blank total over blank
    parts, is no evidence either way.

    A share column (`shares`: (column, decimals) of "Andel i prosent") is evidence too: where the
    total's share is 100, the parts' shares add up to 100 within their rounding exactly when the
    parts divide the total, whatever a count beside them says."""
    support = fails = 0
    top = rows[total]
    for c, decimals in shares:
        if top.values[c] != 100 or any(rows[p].mark(c) or rows[p].values[c] is None for p in parts):
            continue
        slack = Decimal(len(parts)) / 2 / 10**decimals
        if abs(sum(Decimal(rows[p].values[c]) for p in parts) - 100) <= slack:   # type: ignore[arg-type]
            support += 1
        else:
            fails += 1
    for c in columns:
        if top.mark(c) or any(rows[p].mark(c) for p in parts):
            continue
        published = top.values[c]
        computed = sum(rows[p].values[c] or 0 for p in parts)
        if published is None:
            fails += computed != 0
        elif published == computed:
            support += published != 0
        else:
            fails += 1
    return Evidence(support, fails)


# --------------------------------------------------------------------------- rows

@dataclass(frozen=True, slots=True)
class RowDecision:
    """A section's rows with only the confirmed totals' parts, and the totals not asserted."""

    rows: tuple[Row, ...]
    unconfirmed: tuple[int, ...]          # bold rows whose candidate sum the numbers refuted
    name: str                             # the candidate chosen ("under", "over", … or "none")
    evidence: dict[int, Evidence]         # per total of the chosen candidate


def _role(kind: RowKind) -> RowKind:
    return RowKind.TOTAL if kind is RowKind.TOTAL else RowKind.SUBTOTAL


def choose_rows(rows: Sequence[Row], additive: Sequence[int], shares: Sequence[tuple[int, int]] = ()
                ) -> RowDecision:
    """The candidate structure the section's numbers support best (see the module's docstring);
    totals not yet asserted: `RowDecision.unconfirmed` (table-level peers may still confirm them)."""
    bold = [row.bold for row in rows]
    subset = [is_subset_label(row.label) for row in rows]
    best: tuple[int, str, Assignment, dict[int, Evidence]] | None = None
    for name, assignment in row_candidates(bold, subset):
        per = {r: sum_evidence(rows, r, parts, additive, shares if kind is RowKind.TOTAL else ())
               for r, (kind, parts) in enumerate(assignment) if parts}
        score = sum(e.score for e in per.values())
        if best is None or score > best[0]:
            best = (score, name, assignment, per)
    if best is None or best[0] < 0:
        # no candidate is better than "no row is a sum": keep the shape (bold rows are totals)
        # but only the totals that their own numbers support
        assignment = assign_totals(bold, subset)
        per = {r: sum_evidence(rows, r, parts, additive, shares if kind is RowKind.TOTAL else ())
               for r, (kind, parts) in enumerate(assignment) if parts}
        best = (0, "none", assignment, per)
    _, name, assignment, per = best
    peers = {_role(assignment[r][0]) for r, e in per.items() if e.supported}
    built, unconfirmed = [], []
    for r, (row, (kind, parts)) in enumerate(zip(rows, assignment, strict=True)):
        if parts and not (per[r].supported or per[r].fails == 0 or
                          (_role(kind) in peers and name != "none")):
            unconfirmed.append(r)
        built.append(replace(row, kind=kind, parts=parts))
    return RowDecision(tuple(built), tuple(unconfirmed), name, per)


def _shape(section: Section) -> tuple[str, ...]:
    """What makes two sections the same structure: their detail labels."""
    return tuple(canon(row.label) for row in section.rows if not row.bold)


def decide_rows(table: Table) -> tuple[tuple[Section, ...], list[str]]:
    """Every section's rows with only the totals the numbers confirm, and a note per total that is
    published as is."""
    additive = [c for c, col in enumerate(table.columns) if col.kind.additive]
    shares = [(c, col.decimals) for c, col in enumerate(table.columns)
              if col.kind is ColumnKind.SHARE and len(col.operands) == 1]
    decisions = [choose_rows(section.rows, additive, shares) for section in table.sections]
    # A role confirmed in a section with the same detail rows confirms it here too.
    confirmed: dict[tuple[tuple[str, ...], str, RowKind], bool] = {}
    for section, d in zip(table.sections, decisions, strict=True):
        for r, e in d.evidence.items():
            if e.supported and r not in d.unconfirmed:
                confirmed[(_shape(section), d.name, _role(d.rows[r].kind))] = True
    sections, notes = [], []
    for section, d in zip(table.sections, decisions, strict=True):
        rows = list(d.rows)
        for r in d.unconfirmed:
            if d.name != "none" and confirmed.get((_shape(section), d.name, _role(rows[r].kind))):
                continue
            row = rows[r]
            where = "under" if row.parts and row.parts[0] > r else "over"
            rows[r] = replace(row, parts=())
            notes.append(f"Ikke kontrollert: «{row.label}» er ikke summen av radene {where} (struktur ukjent); "
                         f"tabell «{table.title}»" + (f", del «{section.heading}»" if section.heading else "")
                         + f", linje {row.line}")
        sections.append(replace(section, rows=tuple(rows)))
    return tuple(sections), notes


# --------------------------------------------------------------------------- columns

Hypothesis = tuple[ColumnKind, tuple[int, ...], Measure]


def relation_value(kind: ColumnKind, operands: Sequence[int], decimals: int, row: Sequence[Number | None],
                   base: Sequence[Number | None] | None) -> Number | None:
    """What a computed column's formula gives in a row (`base`: the section total's values, for a share)."""
    if kind is ColumnKind.ROWSUM:
        return sum(row[o] or 0 for o in operands)
    if kind is ColumnKind.CHANGE:
        return (row[operands[0]] or 0) - (row[operands[1]] or 0)
    if kind is ColumnKind.PERCENT:
        return percent(row[operands[0]], row[operands[1]], decimals)
    if kind is ColumnKind.GROWTH:
        return growth(row[operands[0]], row[operands[1]], decimals)
    if kind is ColumnKind.SHARE and len(operands) == 2:
        return share(row[operands[0]], row[operands[1]], decimals)
    if kind is ColumnKind.SHARE:
        return None if base is None else share(row[operands[0]], base[operands[0]], decimals)
    raise ValueError(f"{kind} is not computed")


def column_evidence(section: Section, c: int, hypothesis: Hypothesis, decimals: int) -> Evidence:
    """How a computed kind for column c fares on the section's rows (published values only)."""
    kind, operands, _ = hypothesis
    rows = section.rows
    base_row = section_total(section) if kind is ColumnKind.SHARE and len(operands) == 1 else None
    if kind is ColumnKind.SHARE and len(operands) == 1 and base_row is None:
        return Evidence()
    base = rows[base_row].values if base_row is not None else None
    exact = kind in (ColumnKind.PERCENT, ColumnKind.GROWTH, ColumnKind.SHARE)
    support = fails = 0
    for r, row in enumerate(rows):
        if row.mark(c) or any(row.mark(o) for o in operands) or (base_row is not None and rows[base_row].mark(
                operands[0])):
            continue
        published = row.values[c]
        if published is None and not exact and any(row.values[o] is None for o in operands):
            continue                   # a blank change beside a blank year: nothing was published
        computed = relation_value(kind, operands, decimals, row.values, base)
        if published is None:
            if computed is None or (not exact and computed == 0):
                continue
            fails += 1
        elif computed is not None and published == computed:
            # a nonzero figure, or a 0 computed from nonzero numbers (a change of 28 on 13 558: 0 %)
            support += r != base_row and (published != 0 or any(row.values[o] for o in operands))
        else:
            fails += 1
    return Evidence(support, fails)


def column_candidates(columns: Sequence[Column], c: int) -> list[Hypothesis]:
    """The relations column c may state, the header's reading first (parse.classify_columns)."""
    col = columns[c]
    own: Hypothesis = (col.kind, col.operands, col.measure)
    if not _computed(col.kind):
        return [own]
    counts = [j for j, o in enumerate(columns) if o.kind is ColumnKind.VALUE and o.measure is Measure.COUNT
              and j != c]
    previous = next((j for j, o in enumerate(columns) if o.measure is Measure.PREVIOUS), None)
    change = next((j for j, o in enumerate(columns) if o.kind is ColumnKind.CHANGE or o.measure is Measure.CHANGE),
                  None)
    rowsum = next((j for j, o in enumerate(columns) if o.kind is ColumnKind.ROWSUM), None)
    left = [j for j in counts if j < c]
    count = left[-1] if left else (counts[0] if counts else None)
    found = [own]

    def add(h: Hypothesis) -> None:
        if all(h[:2] != f[:2] for f in found) and None not in h[1]:
            found.append(h)

    if col.kind in (ColumnKind.PERCENT, ColumnKind.GROWTH, ColumnKind.SHARE):
        if change is not None and count is not None and change != c:
            add((ColumnKind.PERCENT, (count, change), Measure.CHANGE_PERCENT))
        if change is not None and previous is not None and change != c:
            add((ColumnKind.GROWTH, (previous, change), Measure.CHANGE_PERCENT))
        if count is not None:
            add((ColumnKind.SHARE, (count,), Measure.SHARE))
        if count is not None and rowsum is not None and count != rowsum:
            add((ColumnKind.SHARE, (count, rowsum), Measure.SHARE))
    return found


def _computed(kind: ColumnKind) -> bool:
    return kind not in (ColumnKind.VALUE, ColumnKind.RATE)


def _as_published(col: Column) -> Column:
    """A computed column the numbers do not confirm: published as is (a count's additive kind stays).
    A header that says it is a change in percent ("Endring … Prosent") keeps that meaning, so the
    same figure in another table is still compared with it; any other is a rate of unknown base."""
    if col.kind in (ColumnKind.ROWSUM, ColumnKind.CHANGE):
        return replace(col, kind=ColumnKind.VALUE, operands=())
    measure = Measure.CHANGE_PERCENT if "endring" in canon(col.header).split() else Measure.RATE
    return replace(col, kind=ColumnKind.RATE, operands=(), measure=measure)


Signature = tuple[str, ColumnKind, tuple[str, ...]]


def _signature(columns: Sequence[Column], c: int, hypothesis: Hypothesis) -> Signature:
    """A relation by its columns' headers: the same in every table of a report that prints them."""
    kind, operands, _ = hypothesis
    return canon(columns[c].header), kind, tuple(canon(columns[o].header) for o in operands)


def decide_columns(table: Table, peers: frozenset[Signature] = frozenset()
                   ) -> tuple[tuple[Column, ...], list[frozenset[int]], list[str], set[Signature]]:
    """Each computed column's confirmed relation (or published as is), the columns not asserted per
    section, the notes, and the relations this table's own numbers confirmed.

    A relation its own numbers leave unconfirmed (a one-row table, a changed number among two) is
    still asserted where another table of the report confirms it between the same headers (`peers`)."""
    columns = list(table.columns)
    notes: list[str] = []
    refuted: list[set[int]] = [set() for _ in table.sections]
    confirmed: set[Signature] = set()
    for c, col in enumerate(table.columns):
        if not _computed(col.kind):
            continue
        best: tuple[int, Hypothesis, list[Evidence]] | None = None
        candidates = column_candidates(table.columns, c)
        for h in candidates:
            per = [column_evidence(section, c, h, col.decimals) for section in table.sections]
            total = sum(per, Evidence())
            if total.support >= 1 and total.support > total.fails and (best is None or total.score > best[0]):
                best = (total.score, h, per)
        if best is not None:
            confirmed.add(_signature(table.columns, c, best[1]))
        elif _signature(table.columns, c, candidates[0]) in peers:
            h = candidates[0]
            best = (0, h, [column_evidence(section, c, h, col.decimals) for section in table.sections])
        if best is None:
            columns[c] = _as_published(col)
            notes.append(f"Ikke kontrollert: kolonnen «{col.header}» er ikke beregnet av tabellens andre tall "
                         f"(struktur ukjent); tabell «{table.title}»")
            continue
        _, (kind, operands, measure), per = best
        if (kind, operands) != (col.kind, col.operands):
            columns[c] = replace(col, kind=kind, operands=operands, measure=measure)
        for s, e in enumerate(per):
            if e.support == 0 and e.fails >= 2:
                refuted[s].add(c)
                heading = table.sections[s].heading
                notes.append(f"Ikke kontrollert: kolonnen «{col.header}» er ikke beregnet av tabellens andre tall "
                             f"i delen «{heading or '(uten overskrift)'}» (struktur ukjent); tabell «{table.title}»")
    return tuple(columns), [frozenset(r) for r in refuted], notes, confirmed


def decide(tables: Sequence[Table]) -> tuple[Table, ...]:
    """The report's tables with only the structure their numbers confirm: rows first (which rows a
    total sums), then columns (what a computed column means), each table with its notes."""
    staged: list[tuple[Table, list[str]]] = []
    for table in tables:
        sections, notes = decide_rows(table)
        staged.append((replace(table, sections=sections), notes))
    own = [decide_columns(table)[3] for table, _ in staged]
    out = []
    for i, (table, notes) in enumerate(staged):
        peers = frozenset().union(*(own[j] for j in range(len(staged)) if j != i))
        columns, refuted, column_notes, _ = decide_columns(table, peers)
        sections = tuple(replace(section, published=refuted[s]) if refuted[s] else section
                         for s, section in enumerate(table.sections))
        out.append(replace(table, columns=columns, sections=sections, notes=(*notes, *column_notes)))
    return tuple(out)
