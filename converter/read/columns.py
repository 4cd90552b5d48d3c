"""Which kind each column of a table is, from its header and the report's period. Pure.

A header proposes a kind (a count, a change, a percent change, a share, a rate, a year); the
report's numbers then confirm or refute it (rules.structure), never the header alone.
"""

from __future__ import annotations

from ..model import (
    Column,
    ColumnKind,
    Measure,
)
from ..rules.kinds import RULES
from ..rules.labels import canon, header_period, is_subset_label, year_before

_ROWSUM_HEADERS = {"i alt", "totalt", "total", "sum"}
# Words of a header whose numbers are rates or averages over a base the table does not give.
_RATE_WORDS = ("gjennomsnitt", "snitt", "median", "rate", "per", "pr", "pr.", "promille")


def _change_column(canon_headers: list[str], i: int, prefix: str) -> int | None:
    """The change column a "… Prosent" column (at i, header prefix `prefix`) is computed from."""
    change = next((j for j, d in enumerate(canon_headers) if j != i and d == f"{prefix} antall"), None) \
        if prefix else None
    if change is None and prefix:
        change = next((j for j, d in enumerate(canon_headers) if j != i and d == prefix), None)
    if change is None:    # "Endring", "Endring i prosent": the nearest change column to the left
        change = next((j for j in range(i - 1, -1, -1) if "endring" in canon_headers[j]
                       and not _percentish(canon_headers[j])), None)
    return change


def _percentish(c: str) -> bool:
    """A header about a percentage: "… Prosent", "Prosent kvinner", "Kvinner i %"."""
    return "prosent" in c.split() or "%" in c


_SHARE_WORDS = {"andel", "prosent", "i", "%", "pst", "pst."}

Reading = tuple[ColumnKind, tuple[int, ...], Measure]


def _read(kind: ColumnKind, operands: tuple[int, ...] = ()) -> Reading:
    """A column read as `kind`, with the measure its numbers then are (kinds.ColumnRule.measure)."""
    return kind, operands, RULES[kind].measure


def classify_columns(headers: tuple[str, ...], period: str = "") -> tuple[Column, ...]:
    """Decide each column's role and measure from the header row alone (one rule per header shape).

    - a month and year ("Februar 2016"), or a bare year ("2016", the report's month of that
      year), is a count for that period: the report's own period (or the latest with a column a
      year before it) is this year, the column twelve months earlier last year;
    - "… av …" ("Prosent av arbeidsstyrken", "Andel av befolkningen"), averages and rates: their
      base is not in the table, so they are published as is (RATE);
    - "… Prosent"/"… %" of a change: 100 × change / last year, where last year is the published
      last-year column, else count − change (the change column has the same prefix and
      "Antall", or is the nearest "Endring" column to its left); a percent change with no change
      column to compute it from is published as is;
    - "Andel …", or a "Prosent"/"%" that is no change: a share. Of a column named in the header
      ("Andel kvinner", "Kvinner i prosent") within its row: 100 × Kvinner / I alt; else of the
      section's total: 100 × count / total (the count column is the nearest count to its left);
    - "Endring …": this year − last year where both are columns, else a published change;
    - "I alt" in a table with two or more other count columns: the sum of those columns;
    - anything else: a published count that totals add up; its header is a category ("Menn")
      unless it names the measure ("Antall").
    """
    canon_headers = [canon(h) for h in headers]
    periods = [header_period(h, period) for h in headers]
    current, previous = _year_pair(periods, period)
    total_column = next((i for i, c in enumerate(canon_headers) if c in _ROWSUM_HEADERS), None)
    kinds: dict[int, Reading] = {}
    shares: list[int] = []
    for i, c in enumerate(canon_headers):
        words = c.split()
        if periods[i]:
            continue
        if (" av " in f" {c} " and (_percentish(c) or "andel" in words)) or any(
                w in _RATE_WORDS or w.startswith("gjennomsnitt") for w in words):
            kinds[i] = _read(ColumnKind.RATE)
        elif "andel" in words:
            shares.append(i)
        elif _percentish(c):
            reading = _percent_reading(canon_headers, i, previous)
            if reading is None:
                shares.append(i)            # "Prosent", "Kvinner i prosent": a share
            else:
                kinds[i] = reading
        elif "endring" in words:
            kinds[i] = (_read(ColumnKind.CHANGE, (current, previous))
                        if current is not None and previous is not None else (ColumnKind.VALUE, (), Measure.CHANGE))
    counts = [j for j, d in enumerate(canon_headers) if j not in kinds and j not in shares and not _percentish(d)]
    for i in shares:
        kinds[i] = _share_reading(canon_headers, i, total_column, counts)
    plain = [i for i in range(len(headers)) if i not in kinds]
    rowsum = total_column if total_column in plain else None
    # "Herav …" columns are parts of another column, not of the row's total
    others = tuple(i for i in plain if i != rowsum and not is_subset_label(headers[i]))
    if rowsum is not None and len(others) < 2:
        rowsum = None
    columns = []
    for i, header in enumerate(headers):
        if i in kinds:
            kind, operands, measure = kinds[i]
            columns.append(Column(header, kind, operands, measure, period=periods[i]))
        elif i == rowsum:
            columns.append(Column(header, ColumnKind.ROWSUM, others, RULES[ColumnKind.ROWSUM].measure))
        elif periods[i]:
            measure = (Measure.COUNT if i == current or periods[i] == period
                       else Measure.PREVIOUS if i == previous else Measure.PERIOD)
            columns.append(Column(header, ColumnKind.VALUE, (), measure, period=periods[i]))
        else:
            named = canon_headers[i] in ("antall", "") or canon_headers[i] in _ROWSUM_HEADERS
            columns.append(Column(header, ColumnKind.VALUE, (), Measure.COUNT, "" if named else header))
    return tuple(columns)


def _percent_reading(canon_headers: list[str], i: int, previous: int | None) -> Reading | None:
    """A "… Prosent"/"… %" header at i: a percent change of last year's column (`previous`), else
    of count − change, else published as is; None when it is no change (a share)."""
    c = canon_headers[i]
    prefix = c[: -len("prosent")].strip() if c.endswith("prosent") else (c[:-1].strip() if c.endswith("%") else "")
    change = _change_column(canon_headers, i, prefix)
    if change is None:      # a percent change with nothing to compute it from, or a share
        return (ColumnKind.RATE, (), Measure.CHANGE_PERCENT) if "endring" in c.split() else None
    if previous is not None:
        return _read(ColumnKind.GROWTH, (previous, change))
    base = next((j for j, d in enumerate(canon_headers) if d == "antall" and j not in (i, change)), None)
    if base is None:
        base = next((j for j, d in enumerate(canon_headers) if j not in (i, change) and not _percentish(d)), None)
    return _read(ColumnKind.PERCENT, (base, change)) if base is not None else (
        ColumnKind.RATE, (), Measure.CHANGE_PERCENT)


def _share_reading(canon_headers: list[str], i: int, total_column: int | None, counts: list[int]) -> Reading:
    """A share's header at i: within its row when it names a column ("Andel kvinner": 100 × Kvinner
    / I alt), else of the section's total, of the nearest of the `counts` to its left (else the first)."""
    subject = " ".join(w for w in canon_headers[i].split() if w not in _SHARE_WORDS)
    named = next((j for j, d in enumerate(canon_headers) if subject and d == subject and j != i), None)
    if named is not None and total_column is not None and named != total_column:
        return _read(ColumnKind.ROW_SHARE, (named, total_column))
    left = [j for j in counts if j < i]
    base = left[-1] if left else (counts[0] if counts else None)
    return _read(ColumnKind.SHARE, (base,)) if base is not None else _read(ColumnKind.RATE)


def _year_pair(periods: list[str], period: str) -> tuple[int | None, int | None]:
    """(this year's column, last year's column) among period headers, or (None, None).

    This year is the report's own period when a column has it, else the latest period that has
    a column twelve months before it.
    """
    where = {p: i for i, p in enumerate(periods) if p}
    candidates = [period] if period in where else []
    candidates += sorted(where, reverse=True)
    for p in candidates:
        before = year_before(p)
        if before in where:
            return where[p], where[before]
    return (where[period], None) if period in where else (None, None)
