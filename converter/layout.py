"""Where everything goes in the workbook: sheet names, cell addresses and formulas. Pure.

No openpyxl here: the rules are plain functions with table-driven tests, and `--check` can
use them without paying for openpyxl's import.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .checks import share_base
from .model import Column, ColumnKind, Table

CONTENTS = "Innhold"
RECONCILIATION = "Avstemming"
MAX_SHEET_NAME = 31
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}           # Excel reserves "History" for change tracking

TITLE_ROW, PERIOD_ROW, HEADER_ROW = 1, 2, 4
FIRST_DATA_ROW = HEADER_ROW + 1


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


def runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """[5, 6, 7, 9, 11, 12] → [(5, 7), (9, 9), (11, 12)] (sorted, consecutive runs)."""
    out: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def sum_formula(cells: Sequence[str]) -> str:
    """SUM over cells or ranges; Excel takes at most 255 arguments, so long lists are nested."""
    if len(cells) <= 255:
        return f"SUM({','.join(cells)})"
    chunks = [sum_formula(cells[i:i + 255]) for i in range(0, len(cells), 255)]
    return sum_formula(chunks)


def column_sum(rows: Iterable[int], column: int) -> str:
    """SUM over rows of one column, as ranges: SUM(B6:B8,B12)."""
    letter = column_letter(column)
    return sum_formula([f"{letter}{a}" if a == b else f"{letter}{a}:{letter}{b}" for a, b in runs(rows)])


def row_sum(row: int, columns: Iterable[int]) -> str:
    """SUM over columns of one row: SUM(C6:E6)."""
    return sum_formula([f"{column_letter(a)}{row}" if a == b else f"{column_letter(a)}{row}:{column_letter(b)}{row}"
                        for a, b in runs(columns)])


def percent_formula(row: int, count_column: int, change_column: int, decimals: int = 0) -> str:
    """Blank when last year was 0 (count = change), else the change in percent, rounded as published."""
    b, c = cell(row, count_column), cell(row, change_column)
    return f'IF({b}-{c}=0,"",ROUND({c}/({b}-{c})*100,{decimals}))'


def growth_formula(row: int, previous_column: int, change_column: int, decimals: int = 0) -> str:
    """The change in percent of last year's published count; blank when that was 0."""
    b, c = cell(row, previous_column), cell(row, change_column)
    return f'IF({b}=0,"",ROUND({c}/{b}*100,{decimals}))'


def change_formula(row: int, this_column: int, last_column: int) -> str:
    """This year's count − last year's."""
    return f"{cell(row, this_column)}-{cell(row, last_column)}"


def share_formula(row: int, total_row: int, count_column: int, decimals: int = 0) -> str:
    """100 × count / the section's total (its row fixed, so the formula can be filled down)."""
    letter = column_letter(count_column)
    total = f"{letter}${total_row}"
    return f'IF({total}=0,"",ROUND({letter}{row}/{total}*100,{decimals}))'


# --------------------------------------------------------------------------- sheet names

def clean_sheet_name(title: str) -> str:
    """A title made fit for a sheet tab: NFC, no forbidden characters, no edge quotes, one line."""
    name = unicodedata.normalize("NFC", title)
    name = "".join(ch if ch.isprintable() else " " for ch in name)
    name = _FORBIDDEN.sub("-", name)
    name = " ".join(name.split()).strip("'").strip()
    return name or "Tabell"


def _fit(name: str, suffix: str = "") -> str:
    room = MAX_SHEET_NAME - len(suffix)
    if len(name) > room:
        name = name[: room - 1].rstrip() + "…"
    return name + suffix


def sheet_names(titles: Sequence[str], reserved: Sequence[str] = (CONTENTS, RECONCILIATION)) -> list[str]:
    """One valid, readable sheet name per table title, unique ignoring case.

    Titles are shortened with "…" to 31 characters; a repeated title gets " (2)", " (3)" …
    after shortening, so the suffix is never cut off.
    """
    taken = {r.casefold() for r in reserved} | _RESERVED
    names: list[str] = []
    for title in titles:
        base = clean_sheet_name(title)
        name = _fit(base)
        n = 1
        while name.casefold() in taken:
            n += 1
            name = _fit(base, f" ({n})")
        taken.add(name.casefold())
        names.append(name)
    return names


# --------------------------------------------------------------------------- table sheets

@dataclass(frozen=True, slots=True)
class TableLayout:
    """Rows and columns of one table's sheet. Columns: A is the label, table column c is c + 2."""

    sheet: str
    heading_rows: tuple[int | None, ...]        # per section: the row of its heading
    row_of: tuple[tuple[int, ...], ...]         # per section, per row: the sheet row
    last_row: int
    columns: int                                # number of value columns

    def address(self, section: int, row: int, column: int) -> str:
        return cell(self.row_of[section][row], column + 2)

    def qualified(self, section: int, row: int, column: int) -> str:
        return f"{quote_sheet(self.sheet)}!{self.address(section, row, column)}"


def table_layout(table: Table, sheet: str) -> TableLayout:
    """Title, period, a blank row, the header row, then each section (heading row, rows)."""
    row = FIRST_DATA_ROW
    heading_rows: list[int | None] = []
    row_of: list[tuple[int, ...]] = []
    for section in table.sections:
        if section.heading:
            heading_rows.append(row)
            row += 1
        else:
            heading_rows.append(None)
        row_of.append(tuple(range(row, row + len(section.rows))))
        row += len(section.rows)
    return TableLayout(sheet, tuple(heading_rows), tuple(row_of), row - 1, len(table.columns))


def cell_formula(table: Table, layout: TableLayout, section: int, row: int, column: int) -> str | None:
    """The formula for one cell, or None when the cell holds the published number."""
    col: Column = table.columns[column]
    sheet_row = layout.row_of[section][row]
    kind, ops = col.kind, [o + 2 for o in col.operands]
    if kind is ColumnKind.ROWSUM:
        return row_sum(sheet_row, ops)
    if kind is ColumnKind.CHANGE:
        return change_formula(sheet_row, ops[0], ops[1])
    if kind is ColumnKind.PERCENT:
        return percent_formula(sheet_row, ops[0], ops[1], col.decimals)
    if kind is ColumnKind.GROWTH:
        return growth_formula(sheet_row, ops[0], ops[1], col.decimals)
    if kind is ColumnKind.SHARE:
        base = share_base(table.sections[section])
        return None if base is None else share_formula(sheet_row, layout.row_of[section][base], ops[0], col.decimals)
    if kind is ColumnKind.RATE:
        return None
    parts = table.sections[section].rows[row].parts
    if parts:
        return column_sum([layout.row_of[section][p] for p in parts], column + 2)
    return None
