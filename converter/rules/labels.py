"""Rules about labels and headers as text: one place for how the report's words are compared. Pure.

A label's canonical form ignores case, commas and spacing ("Nedsatt arbeidsevne, på tiltak" ≡
"nedsatt arbeidsevne på tiltak"), so the same figure printed with small differences in two tables
is recognised as the same, and nothing else.
"""

from __future__ import annotations

import re

from ..model import PeriodKind
from .periods import key_year, parse_period, shift_years, year_before

_SUBSET = re.compile(r"^[\s\-–—•*]*(?:herav|derav|hvorav|av disse|av dette|av dem)\b", re.IGNORECASE)


def canon(text: str) -> str:
    """A label as a key: case, commas and spacing ignored."""
    return " ".join(text.replace(",", " ").split()).casefold()


def topic(label: str) -> str:
    """What a total row is about: "I alt nedsatt arbeidsevne, på tiltak" → "nedsatt arbeidsevne på tiltak"."""
    key = canon(label)
    return key[5:].strip() if key.startswith("i alt") else key


def is_subset_label(label: str) -> bool:
    """"Herav …", "- derav …", "Av disse …": a part of the row above, not a further part of the total."""
    return _SUBSET.match(label) is not None


def subset_topic(label: str) -> str:
    """What a "herav" row or column adds to the figure it is a part of: "herav kvinner" → "kvinner"."""
    m = _SUBSET.match(label)
    return topic(label[m.end():]) if m else topic(label)


def header_period(header: str, period: str = "") -> str:
    """The key of the period a header names (periods.parse_period), or "" for anything else:
    "Februar 2016" → "2016-02", "1. kvartal 2019" → "2019-Q1". A bare year "2016" is the report's
    own kind of period in that year: "2016-02" in a report of `period` "2017-02", "2016-Q1" in one
    of "2017-Q1", "2016-avg" beside "2017-avg"; "2016" in a yearly report or when the period is unknown."""
    found = parse_period(header)
    if found is None:
        return ""
    if found.kind is PeriodKind.YEAR and period and period[4:] and not period.isdigit():
        return shift_years(period, found.year - key_year(period))
    return found.key


__all__ = ["canon", "header_period", "is_subset_label", "subset_topic", "topic", "year_before"]
