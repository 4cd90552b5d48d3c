"""The arithmetic of the report's relations, exactly as Excel's formulas compute it. Pure.

Percents and shares round half away from zero on the exact decimal value (Excel's and
LibreOffice's ROUND do the same), so a half stays a half; counts are ints, decimals Decimal.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext

from ..model import Number


def rounded(numerator: Number, denominator: Number, decimals: int) -> Number:
    """numerator / denominator rounded half away from zero to `decimals` places, exactly.

    Exact decimal arithmetic: Excel's and LibreOffice's ROUND also round the decimal value,
    not the nearest binary float, so float arithmetic would disagree on halves.
    """
    if decimals == 0 and isinstance(numerator, int) and isinstance(denominator, int):
        sign = -1 if (numerator < 0) != (denominator < 0) and numerator != 0 else 1
        a, b = abs(numerator), abs(denominator)
        return sign * ((2 * a + b) // (2 * b))
    with localcontext() as ctx:
        ctx.prec = 60
        quotient = Decimal(numerator) / Decimal(denominator)
        value = quotient.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return int(value) if decimals == 0 else value + 0


def percent(count: Number | None, change: Number | None, decimals: int = 0) -> Number | None:
    """100 × change / (count − change), rounded half away from zero; None when count = change."""
    count, change = count or 0, change or 0          # a blank cell counts as 0 in a formula
    return growth(count - change, change, decimals)


def growth(previous: Number | None, change: Number | None, decimals: int = 0) -> Number | None:
    """100 × change / last year, rounded half away from zero; None when last year is 0."""
    previous, change = previous or 0, change or 0
    return None if previous == 0 else rounded(100 * change, previous, decimals)


def share(count: Number | None, total: Number | None, decimals: int = 0) -> Number | None:
    """100 × count / total, rounded half away from zero; None when the total is 0."""
    count, total = count or 0, total or 0
    return None if total == 0 else rounded(100 * count, total, decimals)


def difference(this: Number | None, last: Number | None) -> Number:
    """this − last, a blank cell counting as 0 (as in a formula)."""
    return (this or 0) - (last or 0)


def sum_of(values: Iterable[Number | None]) -> Number:
    """The sum of the values, a blank cell counting as 0 (as in SUM)."""
    return sum(v or 0 for v in values)
