"""Period keys on their axes: month arithmetic, the kind of period a key is, and each kind's axis. Pure.

A period key is model.Period.key: "2014-02" (a month), "2020-Q1", "2013-01/2013-03" (a range of
months), "2013", "2013-avg" (a yearly average), "2013-02-15" (a date). Each kind is its own series.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..rules.periods import is_month_key


def month_index(period: str) -> int:
    """'2014-02' → months since year 0 (for arithmetic on periods)."""
    y, m = period.split("-")
    return int(y) * 12 + int(m) - 1


def period_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every calendar month from `first` to `last`, both included."""
    return [period_of(i) for i in range(month_index(first), month_index(last) + 1)]


# Each kind of period is its own series (its own sheets), in this order (model.PeriodKind values).
FREQUENCIES = ("month", "quarter", "months", "year", "average", "date")
KEY_FORM = re.compile(r"\d{4}(-\d\d(-\d\d|/\d{4}-\d\d)?|-Q[1-4]|-avg)?")


def frequency_of(key: str) -> str:
    """The kind of period a key is ("2014-02" → "month", "2020-Q1" → "quarter", …; model.Period.key)."""
    if is_month_key(key):
        return "month"
    if "/" in key:
        return "months"
    if "-Q" in key:
        return "quarter"
    if key.endswith("-avg"):
        return "average"
    return "year" if len(key) == 4 else "date"


def end_month(key: str) -> int:
    """The month index of a period's last month: orders the reports of every kind of period."""
    kind = frequency_of(key)
    if kind == "month":
        return month_index(key)
    if kind == "months":
        return month_index(key.split("/")[1])
    year = int(key[:4])
    if kind == "quarter":
        return year * 12 + int(key[-1]) * 3 - 1
    if kind in ("year", "average"):
        return year * 12 + 11
    return year * 12 + int(key[5:7]) - 1


def start_month(key: str) -> int:
    return month_index(key.split("/")[0]) if "/" in key else end_month(key)


def _position(kind: str, key: str) -> int | None:
    """A period's place on its kind's continuous axis (months, quarters, years); None for ranges
    and dates, whose axis is the periods published (no gaps to speak of)."""
    if kind == "month":
        return month_index(key)
    if kind == "quarter":
        return int(key[:4]) * 4 + int(key[-1]) - 1
    if kind in ("year", "average"):
        return int(key[:4])
    return None


def _key_at(kind: str, position: int) -> str:
    if kind == "month":
        return period_of(position)
    if kind == "quarter":
        return f"{position // 4:04d}-Q{position % 4 + 1}"
    return f"{position:04d}" + ("-avg" if kind == "average" else "")


def axis_of(kind: str, keys: Iterable[str]) -> list[str]:
    """Every period from the first to the last published one (for months, quarters and years), else
    the published ones, in order."""
    keys = set(keys)
    if not keys:
        return []
    if kind in ("months", "date"):
        return sorted(keys, key=lambda k: (end_month(k), k))
    positions = [_position(kind, k) for k in keys]
    return [_key_at(kind, p) for p in range(min(positions), max(positions) + 1)]   # type: ignore[type-var,operator]
