"""Which rows a total sums and what a computed column means: hypotheses that the report's own
numbers must confirm. Pure.

The parser proposes structures from the report's shape (bold rows, "herav" labels, headers);
this module lets the published numbers decide among them, and asserts nothing they do not
confirm. A structure that is asserted becomes `Row.parts` and `Column.kind` in the model, so
the workbook gets formulas and the reconciliation checks exactly where the numbers confirmed
them; everything else is published as is, with a note that says why it was not checked.

Rows (per section), candidates in this order (the first wins a tie):
- `under`: a subtotal sums the details above it since the previous bold row; a bold row right
  after subtotals sums those subtotals; a bold first row sums every top-level row below it.
  "Herav"/"av dette"/"derav" rows are parts of the row above, summed by no total.
- `over`: a subtotal printed above its parts sums the details below it, up to the next bold
  row ("Førstegenerasjonsinnvandrere i alt", then its regions); the top total sums the
  subtotals and the rows under no subtotal.
- each of those with the "herav" rows counted as ordinary parts (where the labels suggest
  parts of the row above but the numbers say otherwise).
Where a subtotal's sum fails, its extent is fitted to the numbers (`_fit`: an `over` group may
end, an `under` group start, where the rows under no group begin). The candidate with the most
(total, additive column) cells that sum exactly to a nonzero published total wins, then the one
with the fewest contradictions; where none has a cell that sums, the section is `none`. Within
the winner, a total is asserted where its own numbers support it (it sums exactly, not to 0, in
one column at least), or where a total of the same role (top total or subtotal) is supported in
the section, in a section of the table with the same detail rows, or (whole counts, two parts or
more) in another table of the report under the same rule: one refuted cell among confirmed ones
is an AVVIK. Shares that add up to 100 within their rounding support the total they are of. Any
other total is published as is, with a note.

Columns (per table): a computed column's header suggests a relation (a change, a percent
change, a share of the section's total or of the row's total, a row sum); its candidates are
that relation and the other relations the table's columns allow. A candidate is confirmed in a
section where it holds in more rows than it fails; the one confirmed in the most rows wins. None
confirmed: published as is (a rate), unless the same relation between the same headers is
confirmed in another table of the report. In a section where the winner fails twice or more and
holds less often (a block of rates under a heading "Prosent"), it is not asserted there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from ..model import Column, ColumnKind, Measure, Number, Row, RowKind, Section, Table, section_total
from .kinds import ORDER, RULES, Role
from .labels import canon, is_subset_label

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
                 shares: Sequence[tuple[int, int]] = (), rounding: bool = False) -> Evidence:
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
    marked = bool(top.marks) or any(rows[p].marks for p in parts)
    pairs = ((top.values[c], sum(rows[p].values[c] or 0 for p in parts)) for c in columns
             if not (marked and (top.mark(c) or any(rows[p].mark(c) for p in parts))))
    if rounding:        # averages rounded one by one: a sum within their rounding is no evidence
        pairs = (pair for pair in pairs if not within_rounding(*pair, len(parts)))
    more, against = _tally(pairs)
    return Evidence(support + more, fails + against)


def within_rounding(published: Number | None, computed: Number, parts: int) -> bool:
    """Does a published total differ from the sum of its parts, all rounded one by one as yearly
    averages are (`Årsgjennomsnitt`), by no more than the parts' rounding: half a unit of the last
    published decimal per part? (An exact sum is not "within rounding": it sums.)"""
    if published is None or published == computed:
        return False
    exponent = published.as_tuple().exponent if isinstance(published, Decimal) else 0
    unit = Decimal(1).scaleb(exponent if isinstance(exponent, int) and exponent < 0 else 0)
    return abs(Decimal(published) - Decimal(computed)) * 2 <= unit * parts


def _tally(pairs: Iterable[tuple[Number | None, Number]]) -> tuple[int, int]:
    """(support, fails) of (published total, sum of its parts) pairs: a nonzero total that equals its
    sum supports; a blank total over a nonzero sum, or any other difference, contradicts."""
    support = fails = 0
    for published, computed in pairs:
        if published is None:
            fails += computed != 0
        elif published == computed:
            support += published != 0
        else:
            fails += 1
    return support, fails


# --------------------------------------------------------------------------- rows

@dataclass(frozen=True, slots=True)
class RowDecision:
    """A section's rows with the chosen candidate's parts, and the totals not (yet) asserted."""

    rows: tuple[Row, ...]
    unconfirmed: tuple[int, ...]          # totals whose own numbers do not support their sum
    name: str                             # the candidate chosen ("under", "over", … or "none")
    rule: str                             # the candidate whose parts the rows carry ("under" for "none")
    evidence: dict[int, Evidence]         # per total of the chosen candidate


def _role(kind: RowKind) -> RowKind:
    return RowKind.TOTAL if kind is RowKind.TOTAL else RowKind.SUBTOTAL


def _run_evidence(rows: Sequence[Row], total: int, parts: Sequence[int], columns: Sequence[int],
                  prefixes: bool) -> list[tuple[tuple[int, ...], Evidence]]:
    """Every shorter run of `parts` with its `sum_evidence`: the prefixes from the longest
    (`prefixes`), else the suffixes from the longest; by running sums, so a long group costs one pass."""
    parts = tuple(parts)
    runs = ([parts[:k] for k in range(len(parts) - 1, 0, -1)] if prefixes
            else [parts[k:] for k in range(1, len(parts))])
    if rows[total].marks or any(rows[p].marks for p in parts):
        return [(run, sum_evidence(rows, total, run, columns)) for run in runs]
    order = parts if prefixes else parts[::-1]
    sums = [0] * len(columns)
    running: list[list[Number]] = []
    for p in order[:-1]:                            # the runs of 1 … n−1 parts
        values = rows[p].values
        sums = [acc + (values[c] or 0) for acc, c in zip(sums, columns, strict=True)]
        running.append(sums)
    published = [rows[total].values[c] for c in columns]
    # longest first, as the runs are listed
    return [(run, Evidence(*_tally(zip(published, sums, strict=True))))
            for run, sums in zip(runs, reversed(running), strict=True)]


def _fit(rows: Sequence[Row], assignment: Assignment, name: str, additive: Sequence[int]) -> Assignment:
    """Each subtotal's extent as the numbers have it, where the shape leaves it open: a subtotal
    printed above its parts may end before the next bold row (rows under no group follow it), one
    printed below them may start after the previous bold row. The run that sums best wins (the
    longest on a tie); the top total then sums every row that no subtotal sums. A run is taken only
    where the section sums better with it, the top total included: a group's row that one wrong
    number made nonzero (it was blank) is not moved to the top total, whose sum it would then break,
    so the error is named at the group's subtotal."""
    out = list(assignment)
    top = bool(out) and out[0][0] is RowKind.TOTAL
    subset = {j for j, row in enumerate(rows) if is_subset_label(row.label)} if "herav" not in name else set()

    def top_parts(assigned: Assignment) -> tuple[int, ...]:
        consumed = {p for k, (_, parts) in enumerate(assigned) if k for p in parts} | subset
        return tuple(j for j in range(1, len(rows)) if j not in consumed)

    for r, (kind, parts) in enumerate(assignment):
        if kind is not RowKind.SUBTOTAL or len(parts) < 2:
            continue
        full = sum_evidence(rows, r, parts, additive)
        if full.fails == 0:
            continue
        best = (full.support, -full.fails, parts)
        for run, e in _run_evidence(rows, r, parts, additive, name.startswith("over")):
            if (e.support, -e.fails) > best[:2]:
                best = (e.support, -e.fails, run)
        if best[2] == parts:
            continue
        trial = list(out)
        trial[r] = (kind, best[2])
        if top:
            before = sum_evidence(rows, 0, top_parts(out), additive) + full
            after = sum_evidence(rows, 0, top_parts(trial), additive) + Evidence(best[0], -best[1])
            if (after.support, -after.fails) <= (before.support, -before.fails):
                continue
        out = trial
    if top and out != assignment:
        out[0] = (RowKind.TOTAL, top_parts(out))
    return out


def choose_rows(rows: Sequence[Row], additive: Sequence[int], shares: Sequence[tuple[int, int]] = (),
                rounding: bool = False) -> RowDecision:
    """The candidate structure the section's numbers support best (see the module's docstring):
    the most supporting cells, then the fewest contradicting ones, then the order of candidates.
    Totals whose own numbers do not support them: `RowDecision.unconfirmed` (a total of the same
    role supported in the section confirms them here; peers elsewhere may, see `decide`)."""
    bold = [row.bold for row in rows]
    subset = [is_subset_label(row.label) for row in rows]
    best: tuple[tuple[int, int], str, Assignment, dict[int, Evidence]] | None = None
    for name, proposed in row_candidates(bold, subset):
        assignment = _fit(rows, proposed, name, additive)
        per = {r: sum_evidence(rows, r, parts, additive, shares if kind is RowKind.TOTAL else (), rounding)
               for r, (kind, parts) in enumerate(assignment) if parts}
        rank = (sum(e.support for e in per.values()), -sum(e.fails for e in per.values()))
        if best is None or rank > best[0]:
            best = (rank, name, assignment, per)
    if best is None:
        return RowDecision(tuple(rows), (), "none", "under", {})
    (support, fails), name, assignment, per = best
    rule = name
    if support == 0 and fails < 0:
        name = "none"           # no candidate has a sum that holds: only totals with no evidence against
    peers = {_role(assignment[r][0]) for r, e in per.items() if e.supported}
    built, unconfirmed = [], []
    for r, (row, (kind, parts)) in enumerate(zip(rows, assignment, strict=True)):
        if parts and not (per[r].supported or per[r].fails == 0
                          or (_role(kind) in peers and name != "none" and _lone(per[r])
                              and _near(rows, r, parts, additive))):
            unconfirmed.append(r)
        built.append(row if row.kind is kind and row.parts == parts else replace(row, kind=kind, parts=parts))
    return RowDecision(tuple(built), tuple(unconfirmed), name, rule, per)


def _lone(evidence: Evidence) -> bool:
    """Could one wrong number explain the contradiction? It breaks one cell of its smallest total, so a
    peer may confirm a total contradicted once; one contradicted in two cells or more, none summing,
    is no sum (persons counted once in each tiltak, an average in a bold row), whatever its peers do."""
    return evidence.fails <= 1


def _near(rows: Sequence[Row], total: int, parts: Sequence[int], columns: Sequence[int]) -> bool:
    """Is a contradicted count within a factor of two of its parts' sum? A misprinted detail moves a
    total by that detail's error; a total many times its parts is another figure (the whole country
    above a page of two counties: 15 183 over 800), so no peer confirms it. Signed or zero figures
    (a change) say nothing either way."""
    top = rows[total]
    for c in columns:
        published, computed = top.values[c], sum(rows[p].values[c] or 0 for p in parts)
        if published is None or published == computed or top.mark(c) or any(rows[p].mark(c) for p in parts):
            continue
        if published > 0 and computed > 0 and max(published, computed) > 2 * min(published, computed):
            return False
    return True


def _shape(section: Section) -> tuple[str, ...]:
    """What makes two sections the same structure: their detail labels."""
    return tuple(canon(row.label) for row in section.rows if not row.bold)


PeerKey = tuple[str, RowKind]       # (rule, role): "under"/"over" …, a top total or a subtotal


def _counts(row: Row, parts: Sequence[int], rows: Sequence[Row], additive: Sequence[int]) -> bool:
    """Whole counts only (no decimals: a rate or an average is never summed on a peer's word)."""
    return all(type(x.values[c]) is not Decimal for x in (row, *(rows[p] for p in parts)) for c in additive)


def choose_table_rows(table: Table, rounding: bool = False) -> tuple[list[RowDecision], set[PeerKey]]:
    """Each section's decision, and the (rule, role) pairs its own numbers confirm in this table."""
    additive = [c for c, col in enumerate(table.columns) if RULES[col.kind].additive]
    shares = [(c, col.decimals) for c, col in enumerate(table.columns) if RULES[col.kind].of_total]
    decisions = [choose_rows(section.rows, additive, shares, rounding) for section in table.sections]
    confirmed = {(d.rule, _role(d.rows[r].kind)) for d in decisions for r, e in d.evidence.items()
                 if e.supported and d.name != "none"}
    return decisions, confirmed


def decide_rows(table: Table, decisions: list[RowDecision], peers: frozenset[PeerKey] = frozenset()
                ) -> tuple[tuple[Section, ...], list[str]]:
    """Every section's rows with only the totals the numbers confirm, and a note per total that is
    published as is. An unsupported total that one wrong number could explain (contradicted in one
    cell at most, `_lone`) is still asserted where a total of its role is supported in a section of
    this table with the same detail rows, or, for a total over two rows or more of whole counts,
    where another table of the report confirms the same rule and role (`peers`); a section where
    nothing sums takes its twin section's word on those same terms."""
    additive = [c for c, col in enumerate(table.columns) if RULES[col.kind].additive]
    confirmed: set[tuple[tuple[str, ...], str, RowKind]] = set()
    shapes: list[tuple[str, ...] | None] = [None] * len(decisions)      # made once, where needed
    if any(d.unconfirmed for d in decisions):
        shapes = [_shape(section) for section in table.sections]
        for shape, d in zip(shapes, decisions, strict=True):
            for r, e in d.evidence.items():
                if e.supported and d.name != "none":
                    confirmed.add((shape, d.rule, _role(d.rows[r].kind)))   # type: ignore[arg-type]
    sections, notes = [], []
    for shape, section, d in zip(shapes, table.sections, decisions, strict=True):
        rows = list(d.rows)
        for r in d.unconfirmed:
            row = rows[r]
            role = _role(row.kind)
            # a section where nothing sums (one column, one wrong detail) takes a peer's word on the same
            # terms as a table does: whole counts, two parts or more
            counted = len(row.parts) >= 2 and _counts(row, row.parts, rows, additive)
            if _lone(d.evidence[r]) and _near(rows, r, row.parts, additive) and (
                    ((shape, d.rule, role) in confirmed and (d.name != "none" or counted))
                    or ((d.rule, role) in peers and counted)):
                continue
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
    value = RULES[kind].value
    if value is None:
        raise ValueError(f"{kind} is not computed")
    return value(row, operands, base, decimals)


def nothing_published(kind: ColumnKind, operands: Sequence[int], values: Sequence[Number | None], c: int) -> bool:
    """A blank computed cell beside a blank cell it is computed from states nothing: a blank change
    beside a blank year, a blank percent beside a blank change, a blank share beside a blank count
    (a zero printed blank; kinds.ColumnRule.blank_beside). It is not checked (nor evidence)."""
    return values[c] is None and any(values[operands[k]] is None for k in RULES[kind].blank_beside)


def column_evidence(section: Section, c: int, hypothesis: Hypothesis, decimals: int) -> Evidence:
    """How a computed kind for column c fares on the section's rows (published values only)."""
    kind, operands, _ = hypothesis
    rule = RULES[kind]
    rows = section.rows
    base_row = section_total(section) if rule.of_total else None
    if rule.of_total and base_row is None:
        return Evidence()
    base = rows[base_row].values if base_row is not None else None
    exact = rule.exact
    support = fails = 0
    base_marked = base_row is not None and any(rows[base_row].mark(o) for o in operands)
    for r, row in enumerate(rows):
        if base_marked or (row.marks and (row.mark(c) or any(row.mark(o) for o in operands))):
            continue
        published = row.values[c]
        if published is None and ((not exact and any(row.values[o] is None for o in operands))
                                  or nothing_published(kind, operands, row.values, c)):
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
    """The relations column c may state, the header's reading first (read.columns.classify_columns):
    a percent may be any percent kind whose operands the table has (kinds.ORDER), each operand
    by its role: the nearest count to its left (else the first), last year, the change, the row's total."""
    col = columns[c]
    own: Hypothesis = (col.kind, col.operands, col.measure)
    if not RULES[col.kind].computed:
        return [own]
    counts = [j for j, o in enumerate(columns) if o.kind is ColumnKind.VALUE and o.measure is Measure.COUNT
              and j != c]
    left = [j for j in counts if j < c]
    where: dict[Role, int | None] = {
        Role.COUNT: left[-1] if left else (counts[0] if counts else None),
        Role.LAST: next((j for j, o in enumerate(columns) if o.measure is Measure.PREVIOUS), None),
        Role.CHANGE: next((j for j, o in enumerate(columns)
                           if o.kind is ColumnKind.CHANGE or o.measure is Measure.CHANGE), None),
        Role.ROWSUM: next((j for j, o in enumerate(columns) if o.kind is ColumnKind.ROWSUM), None),
    }
    found = [own]
    if not RULES[col.kind].percent:
        return found
    for rule in ORDER:
        if not rule.percent:
            continue
        operands = tuple(j for j in (where.get(role) for role in rule.operands) if j is not None)
        if len(operands) < len(rule.operands) or c in operands or len(set(operands)) < len(operands):
            continue                   # the table has no such column, or it is this one, or one twice
        if all((rule.kind, operands) != f[:2] for f in found):
            found.append((rule.kind, operands, rule.measure))
    return found


def _as_published(col: Column) -> Column:
    """A computed column the numbers do not confirm: published as is (a count's additive kind stays).
    A header that says it is a change in percent ("Endring … Prosent") keeps that meaning, so the
    same figure in another table is still compared with it; any other is a rate of unknown base."""
    if RULES[col.kind].additive:
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
        if not RULES[col.kind].computed:
            continue
        best: tuple[tuple[int, int], Hypothesis, list[Evidence]] | None = None
        candidates = column_candidates(table.columns, c)
        for h in candidates:
            per = [column_evidence(section, c, h, col.decimals) for section in table.sections]
            total = sum(per, Evidence())
            # confirmed where a section's rows support it more often than they contradict it (a block of
            # rates beside a block of counts refutes it there only, see below)
            if not any(e.support >= 1 and e.support > e.fails for e in per):
                continue
            rank = (sum(e.support for e in per if e.support > e.fails), total.score)
            if best is None or rank > best[0]:
                best = (rank, h, per)
        if best is not None:
            confirmed.add(_signature(table.columns, c, best[1]))
        elif _signature(table.columns, c, candidates[0]) in peers:
            h = candidates[0]
            best = ((0, 0), h, [column_evidence(section, c, h, col.decimals) for section in table.sections])
        if best is None:
            columns[c] = _as_published(col)
            notes.append(f"Ikke kontrollert: kolonnen «{col.header}» er ikke beregnet av tabellens andre tall "
                         f"(struktur ukjent); tabell «{table.title}»")
            continue
        _, (kind, operands, measure), per = best
        if (kind, operands) != (col.kind, col.operands):
            columns[c] = replace(col, kind=kind, operands=operands, measure=measure)
        for s, e in enumerate(per):
            if e.fails >= 2 and e.support < e.fails:
                refuted[s].add(c)
                heading = table.sections[s].heading
                notes.append(f"Ikke kontrollert: kolonnen «{col.header}» er ikke beregnet av tabellens andre tall "
                             f"i delen «{heading or '(uten overskrift)'}» (struktur ukjent); tabell «{table.title}»")
    return tuple(columns), [frozenset(r) for r in refuted], notes, confirmed


def decide(tables: Sequence[Table], rounding: bool = False) -> tuple[Table, ...]:
    """The report's tables with only the structure their numbers confirm: rows first (which rows a
    total sums), then columns (what a computed column means), each table with its notes.

    `rounding`: the report's numbers are averages rounded one by one (a yearly average): a total
    within its parts' rounding is neither evidence nor an AVVIK, but published as is (`rounded_sums`)."""
    chosen = [choose_table_rows(table, rounding) for table in tables]
    staged: list[tuple[Table, list[str]]] = []
    for i, (table, (decisions, _)) in enumerate(zip(tables, chosen, strict=True)):
        peers = frozenset().union(*(chosen[j][1] for j in range(len(tables)) if j != i))
        sections, notes = decide_rows(table, decisions, peers)
        staged.append((replace(table, sections=sections), notes))
    alone = [decide_columns(table) for table, _ in staged]
    out = []
    for i, (table, notes) in enumerate(staged):
        columns, refuted, column_notes, _ = alone[i]
        if column_notes:        # something unconfirmed here: another table may confirm it
            peers = frozenset().union(*(alone[j][3] for j in range(len(staged)) if j != i))
            columns, refuted, column_notes, _ = decide_columns(table, peers)
        sections = tuple(replace(section, published=refuted[s]) if refuted[s] else section
                         for s, section in enumerate(table.sections))
        table = replace(table, columns=columns, sections=sections, notes=(*notes, *column_notes))
        out.append(rounded_sums(table) if rounding else table)
    return tuple(out)


def rounded_sums(table: Table) -> Table:
    """A table of rounded averages with the sums that hold only within their parts' rounding (a
    total, or an "I alt" column) marked published as is (`Section.rounded`), and a note: neither a
    formula that would show another number nor an AVVIK."""
    sections, count = [], 0
    additive = [c for c, col in enumerate(table.columns) if RULES[col.kind].additive]
    rowsums = [(c, col.operands) for c, col in enumerate(table.columns) if col.kind is ColumnKind.ROWSUM]
    for section in table.sections:
        rows = section.rows
        cells = set()
        for r, row in enumerate(rows):
            if row.marks:
                continue
            if row.parts and not any(rows[p].marks for p in row.parts):
                cells.update((r, c) for c in additive if within_rounding(
                    row.values[c], sum(rows[p].values[c] or 0 for p in row.parts), len(row.parts)))
            cells.update((r, c) for c, operands in rowsums if within_rounding(
                row.values[c], sum(row.values[o] or 0 for o in operands), len(operands)))
        count += len(cells)
        sections.append(replace(section, rounded=frozenset(cells)) if cells else section)
    if not count:
        return table
    note = (f"Ikke kontrollert: {count} sum{'mer' if count > 1 else ''} i tabell «{table.title}» avviker bare "
            "innenfor avrundingen av gjennomsnittene (hvert tall er avrundet for seg); publisert som de er")
    return replace(table, sections=tuple(sections), notes=(*table.notes, note))
