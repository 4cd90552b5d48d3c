"""Cells and rows as SpreadsheetML: the one way both workbooks write a cell.

A cell is one string, written once, with its formula *and* its cached value (see package.py for
why not openpyxl). Each kind of cell has one function that makes its XML after the reference
(`next_*`: ' s="3"><v>12</v></c>'); a cell with an address is `<c r="B5"` and that same XML
(`num`, `text`, `blank`, `formula`, `label`, `link`). A hot loop writes its cells without
addresses and lets the row give each its reference (`next_row`, for every column from A on),
which is about twice as fast as placing each cell; a hot loop whose rows have gaps puts the
pieces of a reference that cells.py makes before its cells (`column_openings`).

Labels are always typed as text; one that starts like a formula (FORMULA_START) gets its
style's quote-prefixed format, so that it stays a label when a colleague edits it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from .address import cell, column_letter
from .styles import Style

Cached = int | float | Decimal | str | None        # a formula's cached value (None: an empty text)
Link = tuple[str, str, str]                         # a Sheet's hyperlink: (cell, location "'Ark'!A1", its text)

# A label starting with one of these would be read as a formula once a colleague edits the cell,
# and a CSV cell starting with one is run as a formula by a spreadsheet that opens it (CWE-1236).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def starts_like_formula(value: str) -> bool:
    """Would a spreadsheet read `value`, typed into a cell or a CSV field, as a formula?"""
    return value.startswith(FORMULA_START)


def escape(text: str) -> str:
    """XML text escaping (xml.sax.saxutils would import urllib and http: 15 ms at start-up)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell_text(text: str) -> str:
    """Cell text as XML: a literal `_x0041_` is written `_x005F_x0041_`, or Excel would show "A"."""
    if "_x" in text:
        text = _ESCAPE.sub(r"_x005F_\1", text)
    return escape(text)


def _number(value: int | float | Decimal) -> str:
    """A number as SpreadsheetML writes it: Decimal('12.5') → 12.5, never '1.25E+1'."""
    if type(value) is int:      # most numbers: no isinstance walk
        return str(value)
    return format(value, "f") if isinstance(value, Decimal) else str(value)


# --------------------------------------------------------------------------- cells without an address

def next_num(value: int | float | Decimal, style: int) -> str:
    """A number in the row's next column (the row gives it its reference)."""
    if type(value) is int:      # most numbers (the table sheets' cells, Avstemming's Linje): no call
        return f' s="{style}"><v>{value}</v></c>'
    return f' s="{style}"><v>{_number(value)}</v></c>'


def next_text(value: str, style: int, preserve: bool = False) -> str:
    """A text cell in the row's next column, always typed as text (a label "=SUM(A1)" stays a label).

    Its whitespace is marked preserved only where Excel would otherwise trim or fold it, or
    always with `preserve` (as `text` writes it: which cells carry the mark is part of the
    workbooks' bytes)."""
    if preserve or value != value.strip() or "\n" in value or "\t" in value or "\r" in value or "  " in value:
        return f' s="{style}" t="inlineStr"><is><t xml:space="preserve">{_cell_text(value)}</t></is></c>'
    return f' s="{style}" t="inlineStr"><is><t>{_cell_text(value)}</t></is></c>'


def next_blank(style: int) -> str:
    return f' s="{style}"/>'


def _formula_cell(style: int, f: str, cached: Cached) -> str:
    """A formula cell's XML after its reference: formula XML `f` and its cached value; a text result
    (or an empty one) is typed t="str"."""
    if type(cached) is int:     # most cached values (a count, a difference of 0): the test below, quicker
        return f' s="{style}">{f}<v>{cached}</v></c>'
    if isinstance(cached, int | float | Decimal) and not isinstance(cached, bool):
        return f' s="{style}">{f}<v>{_number(cached)}</v></c>'
    return f' s="{style}" t="str">{f}<v>{_cell_text("" if cached is None else cached)}</v></c>'


def next_formula(expr: str, cached: Cached, style: int) -> str:
    """A formula with its cached value in the row's next column."""
    return _formula_cell(style, f"<f>{escape(expr)}</f>", cached)


def next_escaped_formula(expr_xml: str, cached: Cached, style: int) -> str:
    """next_formula for an expression already escaped for XML (`escape`: a hot loop escapes its parts once)."""
    return _formula_cell(style, f"<f>{expr_xml}</f>", cached)


def next_shared_formula(group: int, cached: Cached, style: int, master: tuple[str, str] | None = None) -> str:
    """A cell of shared-formula group `group` in the row's next column.

    The group's first cell (its master) carries the formula, written for that cell, and the
    range it spans (`master`: (expr, range)); every other cell is the same formula moved by
    its offset from the master, as a relative reference moves when a formula is filled down.
    Readers translate the formula by the cell's reference, which the row writes.
    """
    f = (f'<f t="shared" ref="{master[1]}" si="{group}">{escape(master[0])}</f>' if master
         else f'<f t="shared" si="{group}"/>')
    return _formula_cell(style, f, cached)


def label_format(value: str, xf: Mapping[Style, int], style: Style) -> int:
    """The cell format of label `value` in `style`: its quote-prefixed variant when the label starts
    like a formula (quotePrefix keeps it a label even after a colleague edits it)."""
    return xf[style.quoted()] if starts_like_formula(value) else xf[style]


def next_label(value: str, xf: Mapping[Style, int], style: Style) -> str:
    """A label in the row's next column: text in `style` (see label_format), or a blank when empty."""
    if not value:
        return next_blank(xf[style])
    # label_format, written out: this runs once per table row
    return next_text(value, xf[style.quoted()] if value.startswith(FORMULA_START) else xf[style])


def next_link_formula(location: str, shown: str, style: int) -> str:
    """A link as a HYPERLINK formula showing `shown` (past the hyperlinks a sheet may have)."""
    return next_formula(f'HYPERLINK("#{location.replace(chr(34), chr(34) * 2)}",'
                        f'"{shown.replace(chr(34), chr(34) * 2)}")', shown, style)


def text_around(prefix: str, style: int) -> tuple[str, str]:
    """(head, tail) with next_text(prefix + ref, style) == head + ref + tail for any cell reference
    `ref` ("B17"), for a hot loop of such texts: letters and digits are never escaped, and after
    `prefix` they change neither whether the text's space is preserved nor an escape of `prefix`'s
    (tests/test_xlsx.py)."""
    probe = next_text(prefix + "A1", style)
    head, _, tail = probe.rpartition("A1</t>")
    return head, "</t>" + tail


# --------------------------------------------------------------------------- cells with an address

def num(row: int, col: int, value: int | float | Decimal, style: int) -> str:
    return f'<c r="{cell(row, col)}"{next_num(value, style)}'


def text(row: int, col: int, value: str, style: int) -> str:
    """A string cell, always typed as text, its whitespace always marked preserved."""
    return f'<c r="{cell(row, col)}"{next_text(value, style, preserve=True)}'


def blank(row: int, col: int, style: int) -> str:
    return f'<c r="{cell(row, col)}"{next_blank(style)}'


def formula(row: int, col: int, expr: str, cached: Cached, style: int) -> str:
    """A formula with its cached value."""
    return f'<c r="{cell(row, col)}"{next_formula(expr, cached, style)}'


def label(row: int, col: int, value: str, xf: Mapping[Style, int], style: Style) -> str:
    """A label: text in `style` (see label_format), or a blank when empty."""
    if not value:
        return blank(row, col, xf[style])
    return text(row, col, value, label_format(value, xf, style))


def link(row: int, col: int, shown: str, location: str, style: int) -> tuple[str, Link]:
    """A cell showing `shown` that links to `location` ("'Ark'!A1"): its XML, and the hyperlink
    for its Sheet's `links`."""
    ref = cell(row, col)
    return f'<c r="{ref}"{next_text(shown, style, preserve=True)}', (ref, location, shown)


# --------------------------------------------------------------------------- rows

def row_xml(row: int, cells: Iterable[str], height: float | None = None) -> str:
    """Row `row` of cells with their addresses."""
    ht = f' ht="{height}" customHeight="1"' if height else ""
    return f'<row r="{row}"{ht}>{"".join(cells)}</row>'


# next_row writes each cell's `<c r="B6"` in one str.format per row. A cell-by-cell join with
# each reference inserted took about twice as long (~10 µs a row of 11 cells; the big report has
# 11,310 Avstemming rows and 4,500 table rows).
_ROW_FORMATS: dict[int, str] = {}      # cells in the row → its format: '<row r="{0}"{1}><c r="A{0}"{2}…'


def _row_format(cells: int) -> str:
    fmt = _ROW_FORMATS.get(cells)
    if fmt is None:
        placed = "".join(f'<c r="{column_letter(i)}{{0}}"{{{i + 1}}}' for i in range(1, cells + 1))
        fmt = _ROW_FORMATS[cells] = f'<row r="{{0}}"{{1}}>{placed}</row>'
    return fmt


def next_row(cells: Sequence[str], row: int, height: float | None = None) -> str:
    """Row `row` of cells written one per column from column A on (`next_*`), each given its
    reference here. References are optional in the schema, but Excel always writes them and
    readers and checkers of the format rely on them: kept."""
    ht = f' ht="{height}" customHeight="1"' if height else ""
    return _row_format(len(cells)).format(row, ht, *cells)


# A hot loop whose rows have gaps (a time series' months: no cell where no report has the series)
# writes each cell as its column's opening, the row's reference end and the cell without address:
# column_openings(3, n)[m] + reference_end(r) + next_num(v, s) == num(r, 3 + m, v, s). Measured in
# instructions on the table sheets of a 36-month archive: with each cell made by `num` the sheets
# took 1.3 times as long, with the cells placed by a second pass over the row 1.08 times.

def column_openings(first: int, count: int) -> list[str]:
    """Per column from `first` on, the start of its cells' XML up to the row: '<c r="C'."""
    return [f'<c r="{column_letter(c)}' for c in range(first, first + count)]


def reference_end(row: int) -> str:
    """What follows a column opening in row `row`: the row and the end of the reference ('5"')."""
    return f'{row}"'
