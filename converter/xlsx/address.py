"""A1 addresses: column letters, cell references, sheet names quoted for a formula. Pure."""

from __future__ import annotations


def _letters(index: int) -> str:
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


_LETTERS = ("", *(_letters(i) for i in range(1, 703)))    # A … ZZ, looked up on the hot path


def column_letter(index: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD."""
    if 0 < index < 703:
        return _LETTERS[index]
    if not 1 <= index <= 16384:
        raise ValueError(f"column {index} is outside a sheet")
    return _letters(index)


def cell(row: int, column: int, absolute: bool = False) -> str:
    """(5, 2) → "B5"; absolute → "$B$5"."""
    letter = _LETTERS[column] if 0 < column < 703 else column_letter(column)
    return f"${letter}${row}" if absolute else f"{letter}{row}"


def quote_sheet(name: str) -> str:
    """A sheet name as it stands in a formula: always quoted, quotes doubled."""
    return "'" + name.replace("'", "''") + "'"
