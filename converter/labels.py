"""Rules about labels and headers as text: one place for how the report's words are compared. Pure.

A label's canonical form ignores case, commas and spacing ("Nedsatt arbeidsevne, på tiltak" ≡
"nedsatt arbeidsevne på tiltak"), so the same figure printed with small differences in two tables
is recognised as the same, and nothing else.
"""

from __future__ import annotations

import re

from .model import MONTHS

_SUBSET = re.compile(r"^[\s\-–—•*]*(?:herav|derav|hvorav|av disse|av dette|av dem)\b", re.IGNORECASE)
_PERIOD_HEADER = re.compile(r"^([^\W\d_]+)\s+(\d{4})$")
_YEAR = re.compile(r"(?:19|20)\d\d")


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
    """"Februar 2016" → "2016-02"; a bare year "2016" → that year in the report's month ("2016-02"
    for a report of `period` "2017-02"; "2016" when the period is unknown); "" for anything else."""
    key = canon(header)
    if _YEAR.fullmatch(key):
        return f"{key}-{period[5:7]}" if period else key
    m = _PERIOD_HEADER.match(key)
    if not m or m.group(1) not in MONTHS:
        return ""
    return f"{int(m.group(2)):04d}-{MONTHS.index(m.group(1)) + 1:02d}"


def year_before(period: str) -> str:
    """"2017-02" → "2016-02"; "2017" → "2016"."""
    year, _, month = period.partition("-")
    return f"{int(year) - 1:04d}" + (f"-{month}" if month else "")
