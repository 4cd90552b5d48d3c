"""Published numbers: a cell's text → int or Decimal, and a file's decimal mark.

Counts are int, decimals ("12,5") are Decimal, exactly as published (never a binary float). The
file's decimal mark is decided once, from all its number cells (`decimal_mark`), because "1,234"
is a thousand in some exports and "1,5" is one and a half in the family's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from ..model import Number

MAX_DIGITS = 15                        # Excel keeps 15 significant digits

# Thousands separators: space, NBSP and narrow NBSP (the family's), and in other exports '.', ','
# or an apostrophe, one kind per number and strictly in groups of three ("1,5" is not a count).
NUMBERISH = re.compile(r"[-\u2212]?[\d \u00a0\u202f.,']*\d")
_GROUP_CHARS = {",": " \u00a0\u202f.'", ".": " \u00a0\u202f,'"}   # thousands separators beside each decimal mark
_INTEGER = {mark: re.compile(rf"\d{{1,3}}(?:([{re.escape(chars)}])\d{{3}})(?:\1\d{{3}})*|\d+")
            for mark, chars in _GROUP_CHARS.items()}
_COMMA_GROUPED = re.compile(r"[-\u2212]?[1-9]\d{0,2}(?:,\d{3})+")   # "0,125" is a decimal, never 125
_SPACE_GROUPED = re.compile(r"\d[ \u00a0\u202f]\d{3}")
_NON_DIGITS = re.compile(r"\D")


def parse_number(cell: str, decimal_mark: str = ",") -> Number | None:
    """A published number: '' → None; '75 412', '-1 852', '−3', '1\u00a0234' → int; '12,5' → Decimal('12.5').

    `decimal_mark` is the file's (see `decimal_mark`): with ',' (the family's convention) a
    comma starts the decimals and '.', space, NBSP or an apostrophe group thousands; with '.',
    a comma groups thousands. Groups are strictly three digits, one kind of separator per number.
    Decimals are kept exactly (Decimal, never a binary float). Raises ValueError otherwise.
    """
    cell = cell.strip(" ")
    if not cell:
        return None
    negative = cell[0] in "-\u2212"
    body = cell[1:] if negative else cell
    whole, mark, fraction = body.rpartition(decimal_mark) if decimal_mark in body else (body, "", "")
    if mark and not (whole and fraction.isdigit() and fraction.isascii()):
        raise ValueError("not a number")
    if whole.isascii() and whole.isdigit():    # ungrouped ASCII digits (most cells): valid as they are
        digits = whole
    else:
        if not _INTEGER[decimal_mark].fullmatch(whole):
            raise ValueError("not a number")
        digits = _NON_DIGITS.sub("", whole)
    if len(digits.lstrip("0") or "0") + len(fraction) > MAX_DIGITS:
        raise ValueError("too large")
    if fraction:
        value = Decimal(f"{'-' if negative else ''}{digits}.{fraction}") + 0   # + 0: no "-0.0"
        return value
    number = int(digits)
    return -number if negative else number


def decimal_mark(cells: Iterable[str]) -> str:
    """The file's decimal mark, from its number cells: ',' unless every number with a comma is
    grouped in threes by commas ("1,234", "12,345,678"), which makes the comma a thousands
    separator and '.' the decimal mark. The family writes "12,5"; some exports write "1,234".
    A file that groups thousands with spaces ("1 300"), or a "0,125", decides for ','."""
    seen = False
    for cell in cells:
        cell = cell.strip()
        if _SPACE_GROUPED.search(cell):
            return ","            # thousands grouped by spaces: a comma can only start decimals
        if "," not in cell:
            continue
        if not _COMMA_GROUPED.fullmatch(cell):
            return ","
        seen = True
    return "." if seen else ","


def decimals_of(value: Number | None) -> int:
    """How many decimals a published number shows: 12 → 0, Decimal('12.5') → 1."""
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return 0
