"""Where everything goes in the workbook: sheet names, cell addresses and formulas. Pure.

No openpyxl here: the rules are plain functions with table-driven tests, and `--check` can
use them without paying for openpyxl's import.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from ..model import ColumnKind, Report, Table, section_total
from ..rules.kinds import RULES
from ..rules.limits import (
    MAX_COLUMNS,
    MAX_FORMULA,
    MAX_LINKS,
    MAX_ROWS,
    MAX_SHEET_NAME,
    MAX_SUM_ARGS,
    MAX_TEXT,
)
from ..xlsx.address import cell, column_letter, quote_sheet

CONTENTS = "Innhold"
RECONCILIATION = "Avstemming"
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"history"}           # Excel reserves "History" for change tracking

TITLE_ROW, PERIOD_ROW, HEADER_ROW = 1, 2, 4
FIRST_DATA_ROW = HEADER_ROW + 1


def runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """[5, 6, 7, 9, 11, 12] → [(5, 7), (9, 9), (11, 12)] (sorted, consecutive runs)."""
    out: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if out and n == out[-1][1] + 1:
            out[-1] = (out[-1][0], n)
        else:
            out.append((n, n))
    return out


def column_width(texts: Iterable[str], least: float, most: float) -> float:
    """A column's width in characters for its longest text, a tenth wider plus 2 for the padding,
    kept within [least, most] (a few long labels must not make a sheet unreadable)."""
    return max(least, min(most, max(map(len, texts), default=0) * 1.1 + 2))


def sum_formula(cells: Sequence[str]) -> str:
    """SUM over cells or ranges; Excel takes at most 255 arguments, so long lists are nested."""
    if len(cells) <= MAX_SUM_ARGS:
        return f"SUM({','.join(cells)})"
    chunks = [sum_formula(cells[i:i + MAX_SUM_ARGS]) for i in range(0, len(cells), MAX_SUM_ARGS)]
    return sum_formula(chunks)


def fits(expr: str) -> bool:
    """True when a formula (written without its "=") is within Excel's length limit."""
    return len(expr) + 1 <= MAX_FORMULA


def fit_text(text: str) -> str:
    """Composed text (never a published label) cut to what one cell holds."""
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def column_sum(rows: Iterable[int], column: int) -> str:
    """SUM over rows of one column, as ranges: SUM(B6:B8,B12)."""
    letter = column_letter(column)
    return sum_formula([f"{letter}{a}" if a == b else f"{letter}{a}:{letter}{b}" for a, b in runs(rows)])


def row_sum(row: int, columns: Iterable[int]) -> str:
    """SUM over columns of one row: SUM(C6:E6)."""
    return sum_formula([f"{column_letter(a)}{row}" if a == b else f"{column_letter(a)}{row}:{column_letter(b)}{row}"
                        for a, b in runs(columns)])


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

HELPER_CHUNK = 500      # parts per helper row: 500 references of at most 11 characters fit a formula


@dataclass(frozen=True, slots=True)
class HelperSums:
    """A total over so many scattered rows that its SUM would pass Excel's formula length: it
    sums helper rows below the table instead, each of which sums a chunk of the parts."""

    rows: tuple[int, ...]                       # the helper rows' sheet rows (consecutive)
    chunks: tuple[tuple[int, ...], ...]         # per helper row: the parts (row indices in the section)


@dataclass(frozen=True, slots=True)
class TableLayout:
    """Rows and columns of one table's sheet. Columns: A is the label, table column c is c + 2."""

    sheet: str
    heading_rows: tuple[int | None, ...]        # per section: the row of its heading
    row_of: tuple[tuple[int, ...], ...]         # per section, per row: the sheet row
    last_row: int
    columns: int                                # number of value columns
    helpers: Mapping[tuple[int, int], HelperSums] = field(default_factory=dict)   # (section, row) → sums
    helper_heading: int | None = None           # the row titling the helper rows, if any

    def address(self, section: int, row: int, column: int) -> str:
        return cell(self.row_of[section][row], column + 2)

    def qualified(self, section: int, row: int, column: int) -> str:
        return f"{quote_sheet(self.sheet)}!{self.address(section, row, column)}"


def table_layout(table: Table, sheet: str) -> TableLayout:
    """Title, period, a blank row, the header row, then each section (heading row, rows); and,
    after a blank row and a heading, the helper rows of totals too long for one formula."""
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
    last = row - 1
    widest = len(table.columns) + 1             # the longest column letter gives the longest formula
    long_totals = [(s, r, section.rows[r].parts) for s, section in enumerate(table.sections)
                   for r in range(len(section.rows)) if section.rows[r].parts
                   and len(section.rows[r].parts) > 400
                   and not fits(column_sum([row_of[s][p] for p in section.rows[r].parts], widest))]
    if not long_totals:
        return TableLayout(sheet, tuple(heading_rows), tuple(row_of), last, len(table.columns))
    helper_heading = last + 2
    row = helper_heading + 1
    helpers: dict[tuple[int, int], HelperSums] = {}
    for s, r, parts in long_totals:
        chunks = tuple(tuple(parts[i:i + HELPER_CHUNK]) for i in range(0, len(parts), HELPER_CHUNK))
        helpers[(s, r)] = HelperSums(tuple(range(row, row + len(chunks))), chunks)
        row += len(chunks)
    return TableLayout(sheet, tuple(heading_rows), tuple(row_of), row - 1, len(table.columns), helpers,
                       helper_heading)


def parts_sum(table: Table, layout: TableLayout, section: int, row: int, column: int) -> str | None:
    """The sum of a total's parts down one column (over its helper rows when it has them), or None."""
    parts = table.sections[section].rows[row].parts
    if not parts:
        return None
    helper = layout.helpers.get((section, row)) if layout.helpers else None
    if helper is not None:
        return column_sum(helper.rows, column + 2)
    rows = layout.row_of[section]
    return column_sum([rows[p] for p in parts], column + 2)


_REFERENCE = re.compile(r"(?<![A-Za-z0-9_'!$])(\$?[A-Z]{1,3}\$?[0-9]+(?::\$?[A-Z]{1,3}\$?[0-9]+)?)(?![0-9(])")


def qualify(expr: str, sheet: str) -> str:
    """A formula of a table sheet as it reads from another sheet: every reference (B6, C$5, B6:B9)
    prefixed with the quoted sheet name. For the formulas made here, which hold no text but ""."""
    prefix = quote_sheet(sheet) + "!"
    return _REFERENCE.sub(lambda m: prefix + m.group(1), expr)


class _Place:
    """A cell's operands on its table sheet, as its formula names them (rules.kinds.Place)."""

    __slots__ = ("_column", "_layout", "_operands", "_row", "_section", "_table", "decimals")

    def __init__(self, table: Table, layout: TableLayout, section: int, row: int, column: int) -> None:
        self._table, self._layout, self._section, self._row, self._column = table, layout, section, row, column
        col = table.columns[column]
        self._operands, self.decimals = col.operands, col.decimals

    def at(self, k: int) -> str:
        return cell(self._layout.row_of[self._section][self._row], self._operands[k] + 2)

    def total(self, k: int) -> str | None:
        base = section_total(self._table.sections[self._section])
        if base is None:
            return None
        return f"{column_letter(self._operands[k] + 2)}${self._layout.row_of[self._section][base]}"

    def across(self) -> str:
        return row_sum(self._layout.row_of[self._section][self._row], [o + 2 for o in self._operands])

    def down(self) -> str | None:
        return parts_sum(self._table, self._layout, self._section, self._row, self._column)


def cell_formula(table: Table, layout: TableLayout, section: int, row: int, column: int) -> str | None:
    """The formula of a cell's confirmed relation (its kind's rule), or None when the cell has none
    (a detail of a published column, a rate).

    The workbook writes it only where it gives the published number (see workbook._table_rows)."""
    formula = RULES[table.columns[column].kind].formula
    return None if formula is None else formula(_Place(table, layout, section, row, column))


def helper_formula(layout: TableLayout, section: int, chunk: tuple[int, ...], column: int) -> str:
    """The formula of one helper cell: the sum of one chunk of a long total's parts."""
    return column_sum([layout.row_of[section][p] for p in chunk], column + 2)


# --------------------------------------------------------------------------- Avstemming and Innhold

@dataclass(frozen=True, slots=True)
class ReconciliationLayout:
    """The Avstemming sheet: counts at the top, a header row, then one row per check."""

    checks: int
    notes: int = 0                  # notes below the checks (what was deliberately not compared)
    count_row: int = 3              # "Kontroller": how many checks
    avvik_row: int = 4              # "AVVIK": how many fail
    header_row: int = 5
    first_row: int = 6
    COLUMNS = ("Ark", "Del", "Rad", "Kolonne", "Kontroll", "Linje", "Celle", "Publisert", "Arbeidsbok",
               "Differanse", "Status")

    def column(self, name: str) -> int:
        return self.COLUMNS.index(name) + 1

    def letter(self, name: str) -> str:
        return column_letter(self.column(name))

    @property
    def last_row(self) -> int:
        """The last check's row (the first row when there are none, so ranges stay valid)."""
        return self.first_row + max(self.checks, 1) - 1

    def note_row(self, index: int) -> int:
        return self.last_row + 2 + index

    @property
    def bottom_row(self) -> int:
        return self.note_row(self.notes - 1) if self.notes else self.last_row

    @property
    def last_column(self) -> str:
        return column_letter(len(self.COLUMNS))

    def row(self, index: int) -> int:
        return self.first_row + index

    def at(self, name: str, index: int) -> str:
        """The cell of column `name` in the row of check `index`."""
        return f"{self.letter(name)}{self.row(index)}"

    def range(self, name: str, absolute: bool = False) -> str:
        a, b = cell(self.first_row, self.column(name), absolute), cell(self.last_row, self.column(name), absolute)
        return f"{a}:{b}"

    @property
    def count_cell(self) -> str:
        return cell(self.count_row, 2)

    @property
    def avvik_cell(self) -> str:
        return cell(self.avvik_row, 2)

    @staticmethod
    def qualified(ref: str) -> str:
        return f"{quote_sheet(RECONCILIATION)}!{ref}"


CONTENTS_FACTS = ("Kildefil", "SHA-256", "Tegnsett", "Laget med", "Konvertert", "Avstemming", "Periode")


@dataclass(frozen=True, slots=True)
class ContentsLayout:
    """The Innhold sheet: facts (key in A, value in B), an optional note, then the table list."""

    facts: tuple[str, ...]
    note: bool
    tables: int
    first_fact_row: int = 4

    def fact_row(self, key: str) -> int:
        return self.first_fact_row + self.facts.index(key)

    def fact_cell(self, key: str) -> str:
        return cell(self.fact_row(key), 2)

    @property
    def note_row(self) -> int | None:
        return self.first_fact_row + len(self.facts) if self.note else None

    @property
    def tables_heading_row(self) -> int:
        return self.first_fact_row + len(self.facts) + (1 if self.note else 0) + 1

    @property
    def header_row(self) -> int:
        return self.tables_heading_row + 1

    def table_row(self, index: int) -> int:
        return self.header_row + 1 + index

    @property
    def reconciliation_row(self) -> int:
        """The last row: the link to Avstemming with its counts."""
        return self.table_row(self.tables)


def contents_layout(report: Report, notes: int = 0) -> ContentsLayout:
    """`notes`: how many notes on what was not compared follow the facts (the first titled)."""
    facts = CONTENTS_FACTS + (("Fjernede tegn",) if report.removed_chars else ())
    facts += tuple("Ikke kontrollert" if i == 0 else "" for i in range(notes))
    return ContentsLayout(facts, bool(report.note), len(report.tables))


# --------------------------------------------------------------------------- Excel's limits

def limit_problem(report: Report, layouts: Sequence[TableLayout], checks: int, notes: int = 0) -> str | None:
    """Why the report's workbook cannot be within Excel's limits, or None when it can.

    Limits the writer keeps by itself are not problems: long totals use helper rows, hyperlinks
    past the limit become HYPERLINK formulas, composed texts are cut (fit_text).
    """
    for table, layout in zip(report.tables, layouts, strict=True):
        if layout.columns + 1 > MAX_COLUMNS:
            return (f"table «{table.title}» has {layout.columns} columns; an Excel sheet holds "
                    f"{MAX_COLUMNS - 1} beside its label column")
        if layout.last_row > MAX_ROWS:
            return f"table «{table.title}» needs {layout.last_row:,} rows; an Excel sheet holds {MAX_ROWS:,}"
        for col in table.columns:
            if col.kind is ColumnKind.ROWSUM and not fits(row_sum(layout.last_row, [o + 2 for o in col.operands])):
                return f"the row sum «{col.header}» of table «{table.title}» is longer than Excel's formula limit"
        texts = [table.title, *(c.header for c in table.columns)]
        texts += [x for sec in table.sections for x in (sec.heading or "", *(r.label for r in sec.rows))]
        longest = max(texts, key=len)
        if len(longest) > MAX_TEXT:
            return f"a text of {len(longest):,} characters; an Excel cell holds {MAX_TEXT:,}"
    if ReconciliationLayout(checks, notes).bottom_row > MAX_ROWS:
        return f"{checks:,} checks need more rows than the Avstemming sheet can have ({MAX_ROWS:,})"
    if len(report.tables) + 1 > MAX_LINKS:
        return f"{len(report.tables):,} tables; the contents sheet can link to at most {MAX_LINKS - 1:,}"
    return None
