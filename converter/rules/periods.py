"""Period texts as NAV prints them, and arithmetic on period keys. Pure.

A report is about one period, printed on a line of its own: a month ("Februar 2014"), a quarter
("1. kvartal 2020"), a range of months ("Januar - februar 2019", "Desember 2018 - februar 2019"),
a year ("2013"), a yearly average ("Årsgjennomsnitt 2013") or a date ("31. desember 2010",
"31.12.2010"). Column headers use the same forms. Each kind has its own key (model.Period.key),
so a quarter is never mistaken for the month it ends with.
"""

from __future__ import annotations

import calendar
import re

from ..model import MONTHS, Period, PeriodKind

_MONTH = "|".join(MONTHS)
_YEAR = r"(?:1[89]|20)\d\d"
_DASH = r"\s*(?:-|–|—|til)\s*"
_FORMS: list[tuple[PeriodKind, re.Pattern[str]]] = [
    (PeriodKind.MONTH, re.compile(rf"({_MONTH})\s+({_YEAR})")),
    (PeriodKind.MONTHS, re.compile(rf"({_MONTH})(?:\s+({_YEAR}))?{_DASH}({_MONTH})\s+({_YEAR})")),
    (PeriodKind.QUARTER, re.compile(rf"([1-4])\.?\s*(?:kvartal|kv\.?)\s+({_YEAR})")),
    (PeriodKind.AVERAGE, re.compile(rf"(?:års)?gjennomsnitt(?:\s+for)?(?:\s+året)?\s+({_YEAR})")),
    (PeriodKind.YEAR, re.compile(rf"({_YEAR})")),
    (PeriodKind.DATE, re.compile(rf"(?:per\s+)?(\d{{1,2}})\.\s*({_MONTH})\s+({_YEAR})")),
    (PeriodKind.DATE, re.compile(rf"(?:per\s+)?(\d{{1,2}})\.(\d{{1,2}})\.({_YEAR})")),
]

# What a period line may look like, for the message when a report has none.
EXAMPLES = ("a month «Februar 2014», a quarter «1. kvartal 2020», months «Januar - februar 2019», "
            "a year «2013», a yearly average «Årsgjennomsnitt 2013» or a date «31. desember 2010»")


def parse_period(text: str) -> Period | None:
    """The period a line or header names, or None: "Februar 2014" → a MONTH, "1. kvartal 2020" → a
    QUARTER, and so on (see the module's docstring). Case and spacing are ignored; an impossible
    date or a range that runs backwards is no period."""
    key = " ".join(text.split()).casefold()
    if not key or len(key) > 60:
        return None
    shown = " ".join(text.split())
    for kind, pattern in _FORMS:
        m = pattern.fullmatch(key)
        if m is None:
            continue
        g = m.groups()
        if kind is PeriodKind.MONTH:
            return Period(int(g[1]), MONTHS.index(g[0]) + 1, shown)
        if kind is PeriodKind.MONTHS:
            year = int(g[3])
            first = (int(g[1]) if g[1] else year, MONTHS.index(g[0]) + 1)
            last = (year, MONTHS.index(g[2]) + 1)
            if first >= last:
                return None
            return Period(year, last[1], shown, kind, start=first)
        if kind is PeriodKind.QUARTER:
            return Period(int(g[1]), int(g[0]) * 3, shown, kind)
        if kind in (PeriodKind.AVERAGE, PeriodKind.YEAR):
            return Period(int(g[0]), 12, shown, kind)
        day, year = int(g[0]), int(g[2])
        month = int(g[1]) if g[1].isdigit() else MONTHS.index(g[1]) + 1
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
            return None
        return Period(year, month, shown, kind, day=day)
    return None


_KEY_YEAR = re.compile(r"(?<!\d)(\d{4})(?=-|/|$)")


def shift_years(key: str, years: int) -> str:
    """A period key moved by whole years: ("2017-02", -1) → "2016-02"; "2020-Q1" → "2019-Q1";
    "2019-01/2019-02" → "2018-01/2018-02"; "2013-avg" → "2012-avg"; "2010-12-31" → "2009-12-31"."""
    return _KEY_YEAR.sub(lambda m: f"{int(m.group(1)) + years:04d}", key)


def year_before(key: str) -> str:
    """The same period a year earlier: "2017-02" → "2016-02", "2017" → "2016", "2020-Q1" → "2019-Q1"."""
    return shift_years(key, -1)


def key_year(key: str) -> int:
    """The (last) year of a period key: "2019-01/2019-02" → 2019, "2020-Q1" → 2020."""
    years = _KEY_YEAR.findall(key)
    return int(years[-1]) if years else 0


def is_month_key(key: str) -> bool:
    """A calendar month's key ("2014-02"), the time series' monthly frequency."""
    return len(key) == 7 and key[4] == "-" and key[:4].isdigit() and key[5:].isdigit()
