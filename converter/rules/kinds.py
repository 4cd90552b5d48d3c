"""One rule per column kind: what a column of that kind reads, what its value is, its formula and
the relation it states, in one table (`RULES`). Pure.

A computed column's cell is computed from other cells of its row (its operands, by role: a
count, last year's count, a change …), and from the section's total row for a share of that
total. Everything that differs between kinds is a field of its rule, so the stages loop over or
look up the table instead of asking which kind a column is: the parser's header reading
(read.columns) names a kind and its operands, the numbers confirm it (structure, with `value`
and `blank_beside`), the checks state its relation (`check`, `says`), the workbook writes its
`formula`, and what a kind's numbers are (additive, exact, their look) is its rule's too.

Adding a kind: its member in model.ColumnKind (a name and its value), its rule here, and its row
in tests/test_kinds.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ..model import ColumnKind, Measure, Number
from .arith import difference, growth, percent, share, sum_of


class Look(StrEnum):
    """How a column's numbers look in a workbook: the number styles are chosen from it."""

    NUMBER = "number"      # a number as published, its decimals kept: "Tall" ("Sum" on a total row)
    PERCENT = "percent"    # a percent computed in the table: "Prosent" ("SumProsent" on a total row)


class CheckKind(StrEnum):
    """What a check compares: a column kind's relation (radsum, endring, prosent, andel), a total's
    sum, a repeated total, or the same figure in two tables. The value is the word the workbook shows."""

    SUM = "sum"            # a total equals the sum of its parts, column by column
    ROWSUM = "radsum"      # a cross table's "I alt" column equals the sum of the row
    CHANGE = "endring"     # a change equals this year − last year
    PERCENT = "prosent"    # a percent change equals 100 × change / last year, rounded as published
    SHARE = "andel"        # a share equals 100 × count / its base (the section's or the row's total), as published
    REPEAT = "gjentatt"    # a total repeated on a continued page equals the total
    AGREE = "samsvar"      # the same figure published in another table agrees


class Role(StrEnum):
    """What an operand of a computed column is, whatever its position in the table."""

    COUNTS = "counts"      # every count of the row that a row sum adds up (as many as the table has)
    THIS = "this year"     # this year's count: the report's own period
    LAST = "last year"     # last year's count: the period column a year before
    COUNT = "count"        # a count of the row ("Antall", or the category a share names: "Kvinner")
    CHANGE = "change"      # the change from last year, in units
    ROWSUM = "rowsum"      # the row's total ("I alt")


class Place(Protocol):
    """Where a cell's operands stand on its sheet, as its formula names them (books.layout gives it)."""

    @property
    def decimals(self) -> int:
        """The decimals published in the cell's column: a computed percent rounds to them."""
        ...

    def at(self, k: int) -> str:
        """Operand k in the cell's own row: "B6"."""
        ...

    def total(self, k: int) -> str | None:
        """Operand k in the section's total row, that row fixed so the formula fills down ("B$5");
        None when the section has no total."""
        ...

    def across(self) -> str:
        """The sum of every operand across the cell's row: "SUM(C6:E6)"."""
        ...

    def down(self) -> str | None:
        """The sum of the row's parts down the cell's column ("SUM(B6:B8)"); None on a row that is no total."""
        ...


Values = Sequence[Number | None]
# (the row's values, the column's operands, the section total's values or None, decimals) → the value
Value = Callable[[Values, Sequence[int], Values | None, int], Number | None]
Formula = Callable[[Place], str | None]
# (the operands' headers, the section total's label or None) → the relation in words, None: it states none
Says = Callable[[Sequence[str], str | None], str | None]


@dataclass(frozen=True, slots=True)
class ColumnRule:
    """Everything a column kind's cells do: what they read, give, are written as and state."""

    kind: ColumnKind
    additive: bool                     # a total row's value is the sum of its parts' (counts, changes)
    exact: bool                        # a blank and 0 are different statements (percents, rates), unlike a count's
    look: Look                         # how its numbers look in a workbook (the number styles follow it)
    # Its place in the order a table's columns are computed in: every operand's kind comes earlier
    # (checks.unknown follows it, so a cell resting on a symbol marks what is computed from it).
    rank: int
    # What it reads, in the order Column.operands gives them (COUNTS: every operand, however many)
    operands: tuple[Role, ...]
    measure: Measure                   # what its numbers are when a header is read as this kind
    value: Value | None                # its value from its operands; None: published, never computed
    formula: Formula | None            # its cell's formula; None: the published number stands
    check: CheckKind | None = None     # the check its relation is (None: it states none)
    says: Says | None = None           # that relation in words (Norwegian, on the Avstemming sheet)
    of_total: bool = False             # it reads its operands in the section's total row too (a share of it)
    # Operands (by position) beside whose blank a blank cell states nothing: not checked, no evidence
    # (a blank change beside a blank year, a blank share beside a blank count: a zero printed blank).
    blank_beside: tuple[int, ...] = ()

    @property
    def percent(self) -> bool:
        """Its numbers are percents computed in the table."""
        return self.look is Look.PERCENT

    @property
    def computed(self) -> bool:
        """Its cells are computed from other columns (a hypothesis the numbers must confirm)."""
        return self.value is not None

    @property
    def summed(self) -> bool:
        """Published and summed by the totals: a total's cell is the sum of its parts (a count)."""
        return self.additive and not self.operands


# --------------------------------------------------------------------------- values (rules.arith)

def _row_sum(row: Values, ops: Sequence[int], base: Values | None, decimals: int) -> Number:
    return sum_of(row[o] for o in ops)


def _change(row: Values, ops: Sequence[int], base: Values | None, decimals: int) -> Number:
    return difference(row[ops[0]], row[ops[1]])


def _percent(row: Values, ops: Sequence[int], base: Values | None, decimals: int) -> Number | None:
    return percent(row[ops[0]], row[ops[1]], decimals)


def _growth(row: Values, ops: Sequence[int], base: Values | None, decimals: int) -> Number | None:
    return growth(row[ops[0]], row[ops[1]], decimals)


def _share(row: Values, ops: Sequence[int], base: Values | None, decimals: int) -> Number | None:
    return None if base is None else share(row[ops[0]], base[ops[0]], decimals)


def _row_share(row: Values, ops: Sequence[int], base: Values | None, decimals: int) -> Number | None:
    return share(row[ops[0]], row[ops[1]], decimals)


# --------------------------------------------------------------------------- formulas (as Excel writes them)

def _ratio(part: str, whole: str, decimals: int) -> str:
    """100 × part / whole, rounded as published; blank where the whole is 0 (no #DIV/0!)."""
    return f'IF({whole}=0,"",ROUND(100*{part}/{whole},{decimals}))'


def _parts_formula(p: Place) -> str | None:
    return p.down()


def _row_sum_formula(p: Place) -> str:
    return p.across()


def _change_formula(p: Place) -> str:
    return f"{p.at(0)}-{p.at(1)}"


def _percent_formula(p: Place) -> str:
    """Blank when last year was 0 (count = change), else the change in percent of count − change."""
    count, change = p.at(0), p.at(1)
    return f'IF({count}-{change}=0,"",ROUND(100*{change}/({count}-{change}),{p.decimals}))'


def _growth_formula(p: Place) -> str:
    return _ratio(p.at(1), p.at(0), p.decimals)


def _share_formula(p: Place) -> str | None:
    base = p.total(0)
    return None if base is None else _ratio(p.at(0), base, p.decimals)


def _row_share_formula(p: Place) -> str:
    return _ratio(p.at(0), p.at(1), p.decimals)


# --------------------------------------------------------------------------- relations in words

def _says_row_sum(headers: Sequence[str], base: str | None) -> str:
    return f"Sum av {len(headers)} kolonner"


def _says_change(headers: Sequence[str], base: str | None) -> str:
    return f"{headers[0]} − {headers[1]}"


def _says_percent(headers: Sequence[str], base: str | None) -> str:
    return "100 × endring / (antall − endring)"


def _says_growth(headers: Sequence[str], base: str | None) -> str:
    return f"100 × endring / {headers[0]}"


def _says_share(headers: Sequence[str], base: str | None) -> str | None:
    return None if base is None else f"100 × {headers[0]} / «{base}»"


def _says_row_share(headers: Sequence[str], base: str | None) -> str:
    return f"100 × {headers[0]} / {headers[1]}"


# --------------------------------------------------------------------------- the table

# For each: the kind; what its numbers are (additive, exact, look); where it is computed (rank);
# what it reads (operands, measure); how it is computed and written (value, formula); the rest.
_NUMBER, _PERCENT = {"additive": True, "exact": False, "look": Look.NUMBER}, {
    "additive": False, "exact": True, "look": Look.PERCENT}
_TABLE = (
    ColumnRule(ColumnKind.VALUE, **_NUMBER, rank=0, operands=(), measure=Measure.COUNT,
               value=None, formula=_parts_formula),
    ColumnRule(ColumnKind.ROWSUM, **_NUMBER, rank=1, operands=(Role.COUNTS,), measure=Measure.COUNT,
               value=_row_sum, formula=_row_sum_formula, check=CheckKind.ROWSUM, says=_says_row_sum),
    ColumnRule(ColumnKind.CHANGE, **_NUMBER, rank=2, operands=(Role.THIS, Role.LAST), measure=Measure.CHANGE,
               value=_change, formula=_change_formula, check=CheckKind.CHANGE, says=_says_change,
               blank_beside=(0, 1)),
    ColumnRule(ColumnKind.PERCENT, **_PERCENT, rank=3, operands=(Role.COUNT, Role.CHANGE),
               measure=Measure.CHANGE_PERCENT, value=_percent, formula=_percent_formula,
               check=CheckKind.PERCENT, says=_says_percent, blank_beside=(1,)),
    ColumnRule(ColumnKind.GROWTH, **_PERCENT, rank=4, operands=(Role.LAST, Role.CHANGE),
               measure=Measure.CHANGE_PERCENT, value=_growth, formula=_growth_formula,
               check=CheckKind.PERCENT, says=_says_growth, blank_beside=(1,)),
    ColumnRule(ColumnKind.SHARE, **_PERCENT, rank=5, operands=(Role.COUNT,), measure=Measure.SHARE,
               value=_share, formula=_share_formula, check=CheckKind.SHARE, says=_says_share,
               of_total=True, blank_beside=(0,)),
    ColumnRule(ColumnKind.ROW_SHARE, **_PERCENT, rank=6, operands=(Role.COUNT, Role.ROWSUM), measure=Measure.SHARE,
               value=_row_share, formula=_row_share_formula, check=CheckKind.SHARE, says=_says_row_share,
               blank_beside=(0,)),
    # A rate is exact (its blank is no 0) but shown as published, not as a computed percent.
    ColumnRule(ColumnKind.RATE, additive=False, exact=True, look=Look.NUMBER, rank=7, operands=(),
               measure=Measure.RATE, value=None, formula=None),
)

RULES: dict[ColumnKind, ColumnRule] = {rule.kind: rule for rule in _TABLE}
# The rules in the order a table's columns are computed in (by rank: operands first).
ORDER: tuple[ColumnRule, ...] = tuple(sorted(_TABLE, key=lambda rule: rule.rank))
