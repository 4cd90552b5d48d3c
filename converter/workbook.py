"""Report + checks + template → the workbook's bytes.

Three kinds of sheet: `Innhold` (contents and provenance), one per table, and `Avstemming`
(one row per check). Every total, row sum and percent is a live formula carrying its cached
value (from checks.derive), so every program shows the numbers and a colleague's correction
flows through.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import BinaryIO

from . import __version__
from .checks import Check, derive, reconcile_report, unknown
from .layout import (
    CONTENTS,
    FIRST_DATA_ROW,
    HEADER_ROW,
    PERIOD_ROW,
    RECONCILIATION,
    TITLE_ROW,
    TableLayout,
    cell,
    cell_formula,
    column_letter,
    quote_sheet,
    sheet_names,
    table_layout,
)
from .model import Column, ColumnKind, Number, Report, Table
from .template import MAX_DECIMALS, Template, load_template
from .xlsx import Properties, Sheet, blank, footer_text, formula, num, package, row_xml, text

_FORMULA_START = ("=", "+", "-", "@")
_EXCEL_EPOCH = datetime(1899, 12, 30)
# Avstemming columns
_RC = ["Ark", "Del", "Rad", "Kolonne", "Kontroll", "Linje", "Celle", "Publisert", "Arbeidsbok", "Differanse",
       "Status"]
_RC_HEADER, _RC_FIRST = 5, 6


@dataclass(frozen=True)
class Built:
    """A workbook ready to be written, and what its checks found.

    The sheets are generated while they are written (`write`), so a big report is never held
    in memory as XML; `data` gives the bytes for callers that want them.
    """

    checks: list[Check]
    sheets: list[str]
    write: Callable[[BinaryIO], None]

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.holds]

    @property
    def data(self) -> bytes:
        buf = BytesIO()
        self.write(buf)
        return buf.getvalue()


def conversion_time() -> datetime:
    """Now, or SOURCE_DATE_EPOCH when set (reproducible builds: identical bytes run to run)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).replace(tzinfo=None)
    return datetime.now()


def build_workbook(report: Report, template: Template | str | os.PathLike[str] | None = None) -> Built:
    """Build the workbook for a parsed report. `template`: a loaded Template, a path, or None (default)."""
    tpl = template if isinstance(template, Template) else load_template(template)
    derived = [derive(t) for t in report.tables]
    unknowns = [unknown(t) for t in report.tables]
    result = reconcile_report(report, derived, unknowns)
    checks, notes = result.checks, [*result.notes, *report.warnings]
    names = sheet_names([t.title for t in report.tables])
    layouts = [table_layout(t, n) for t, n in zip(report.tables, names, strict=True)]
    now = conversion_time()
    footer = footer_text(report.source, report.period.text)

    props = Properties(
        title=report.title, subject=report.period.text, creator=f"tiltak2xlsx {__version__}", created=now,
        custom={"Kildefil": report.source, "Kilde SHA-256": report.sha256, "Periode": report.period.key,
                "Verktøy": f"tiltak2xlsx {__version__}"})

    def write(out: BinaryIO) -> None:
        sheets = [_contents(report, layouts, checks, notes, tpl, now, footer)]
        sheets += [_table_sheet(report, t, layout, derived[i], unknowns[i], tpl, footer)
                   for i, (t, layout) in enumerate(zip(report.tables, layouts, strict=True))]
        sheets.append(_reconciliation(report, layouts, checks, notes, tpl, footer))
        package(sheets, tpl.styles_xml, tpl.theme_xml, props, landscape=tpl.landscape, paper=tpl.paper_size,
                margins=tpl.margins, out=out)

    return Built(checks, [CONTENTS, *names, RECONCILIATION], write)


# --------------------------------------------------------------------------- helpers

_PERCENT_KINDS = (ColumnKind.PERCENT, ColumnKind.GROWTH, ColumnKind.SHARE)
_EXACT = (*_PERCENT_KINDS, ColumnKind.RATE)     # a blank and 0 are different statements here


def number_style(column: Column, bold: bool) -> str:
    """The named style of a number cell: count or percent, detail or total, with the column's decimals."""
    base = ("SumProsent" if bold else "Prosent") if column.kind in _PERCENT_KINDS else ("Sum" if bold else "Tall")
    return f"{base}.{min(column.decimals, MAX_DECIMALS)}" if column.decimals else base


def _label(row: int, col: int, value: str, tpl: Template, style: str) -> str:
    if not value:
        return blank(row, col, tpl.xf[style])
    # quotePrefix keeps a label that looks like a formula a label even after a colleague edits it
    return text(row, col, value, tpl.xf[style + "'"] if value.startswith(_FORMULA_START) else tpl.xf[style])


def _width(texts: list[str], least: float, most: float = 80.0) -> float:
    longest = max((len(t) for t in texts), default=0)
    return max(least, min(most, longest * 1.1 + 2))


def _lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column `width` characters wide (greedy, by words)."""
    room = max(int(width), 1)
    lines, used = 1, 0
    for word in text.split():
        need = len(word) + (1 if used else 0)
        if used and used + need > room:
            lines, used = lines + 1, len(word)
        else:
            used += need
    return lines


def _height(lines: int, point: float = 15.0) -> float | None:
    """An explicit row height for wrapped text: spreadsheet programs do not grow rows on load."""
    return lines * point if lines > 1 else None


def _title_rows(title: str, subtitle: str, tpl: Template) -> list[str]:
    return [row_xml(TITLE_ROW, [_label(TITLE_ROW, 1, title, tpl, "Tittel")]),
            row_xml(PERIOD_ROW, [_label(PERIOD_ROW, 1, subtitle, tpl, "Periode")])]


# --------------------------------------------------------------------------- table sheets

def _table_sheet(report: Report, table: Table, layout: TableLayout, values: list[list[list[int | None]]],
                 unknowns: set[tuple[int, int, int]], tpl: Template, footer: str) -> Sheet:
    ncols = len(table.columns)
    labels = [table.title if len(table.title) < 60 else ""] + [r.label for s in table.sections for r in s.rows]
    labels += [s.heading or "" for s in table.sections]
    widths = [(1, 1, _width(labels, tpl.label_width))]
    if ncols:
        widths.append((2, ncols + 1, tpl.number_width))
    last = cell(max(layout.last_row, HEADER_ROW), ncols + 1)
    return Sheet(name=layout.sheet, rows=_table_rows(report, table, layout, values, unknowns, tpl), widths=widths,
                 freeze=(FIRST_DATA_ROW, 2), print_rows=(TITLE_ROW, HEADER_ROW), footer=footer,
                 dimension=f"A1:{last}")


def _table_rows(report: Report, table: Table, layout: TableLayout, values: list[list[list[int | None]]],
                unknowns: set[tuple[int, int, int]], tpl: Template) -> Iterator[str]:
    """Rows of a table sheet; cells resting on a statistical symbol (`unknowns`) keep the published value."""
    xf = tpl.xf
    yield from _title_rows(table.title, report.period.text, tpl)
    header = [blank(HEADER_ROW, 1, xf["Kolonnehode"])]
    header += [text(HEADER_ROW, c + 2, col.header, xf["Kolonnehode"]) for c, col in enumerate(table.columns)]
    header_lines = max((_lines(col.header, tpl.number_width * 1.15) for col in table.columns), default=1)
    yield row_xml(HEADER_ROW, header, _height(header_lines, 13.5))
    for s, section in enumerate(table.sections):
        heading_row = layout.heading_rows[s]
        if heading_row is not None:
            yield row_xml(heading_row, [_label(heading_row, 1, section.heading or "", tpl, "Seksjon")])
        for r, row in enumerate(section.rows):
            sheet_row = layout.row_of[s][r]
            bold = row.bold
            cells = [_label(sheet_row, 1, row.label, tpl, "SumTekst" if bold else "Tekst")]
            for c, col in enumerate(table.columns):
                percent = col.kind in _EXACT
                style = number_style(col, bold)
                published = row.values[c]
                expr = None if (s, r, c) in unknowns else cell_formula(table, layout, s, r, c)
                if expr is None:
                    mark = row.mark(c)
                    cells.append(num(sheet_row, c + 2, published, xf[style]) if published is not None
                                 else text(sheet_row, c + 2, mark, xf[style.split(".")[0] + "T"]) if mark
                                 else blank(sheet_row, c + 2, xf[style]))
                else:
                    # Where the report shows a blank, a formula giving 0 shows blank too.
                    key = style + "0" if published is None and not percent else style
                    cells.append(formula(sheet_row, c + 2, expr, values[s][r][c], xf[key]))
            yield row_xml(sheet_row, cells)


# --------------------------------------------------------------------------- Avstemming

def _reconciliation(report: Report, layouts: list[TableLayout], checks: list[Check], notes: list[str],
                    tpl: Template, footer: str) -> Sheet:
    last = _RC_FIRST + max(len(checks), 1) - 1
    conditional = [f'<conditionalFormatting sqref="K{_RC_FIRST}:K{last}"><cfRule type="cellIs" '
                   f'dxfId="{tpl.avvik_dxf}" priority="1" operator="equal"><formula>"AVVIK"</formula></cfRule>'
                   "</conditionalFormatting>"]
    widths = [(1, 1, _width([lay.sheet for lay in layouts], 14, 34)),
              (2, 2, _width([c.section for c in checks], 8, 34)),
              (3, 3, _width([c.row for c in checks], 16, 50)),
              (4, 4, _width([c.column for c in checks], 10, 30)),
              (5, 5, _width([c.what for c in checks], 16, 60)),
              (6, 6, 7), (7, 7, 14), (8, 10, 12), (11, 11, 9)]
    links = ((cell(_RC_FIRST + i, 7), layouts[c.cell.table].qualified(c.cell.section, c.cell.row, c.cell.column))
             for i, c in enumerate(checks))
    return Sheet(name=RECONCILIATION, rows=_reconciliation_rows(report, layouts, checks, notes, tpl), widths=widths,
                 freeze=(_RC_FIRST, 1), autofilter=f"A{_RC_HEADER}:K{max(last, _RC_HEADER + 1)}",
                 conditional=conditional, links=links, print_rows=(_RC_HEADER, _RC_HEADER), footer=footer,
                 dimension=f"A1:K{last + 1 + len(notes) if notes else last}")


def _reconciliation_rows(report: Report, layouts: list[TableLayout], checks: list[Check], notes: list[str],
                         tpl: Template) -> Iterator[str]:
    xf = tpl.xf
    first, last = _RC_FIRST, _RC_FIRST + max(len(checks), 1) - 1
    status = f"K{first}:K{last}"
    failures = sum(not c.holds for c in checks)
    yield from _title_rows("Avstemming", f"{report.title} – {report.period.text}", tpl)
    yield row_xml(3, [text(3, 1, "Kontroller", xf["Tekst"]),
                      formula(3, 2, f"COUNTA({status})", len(checks), xf["Tall"])])
    yield row_xml(4, [text(4, 1, "AVVIK", xf["Tekst"]),
                      formula(4, 2, f'COUNTIF({status},"AVVIK")', failures, xf["Tall"])])
    yield row_xml(_RC_HEADER, [text(_RC_HEADER, i, h, xf["Kolonnehode"]) for i, h in enumerate(_RC, 1)])
    for i, check in enumerate(checks):
        r = first + i
        layout = layouts[check.cell.table]
        src = layouts[check.source.table]
        source = src.qualified(check.source.section, check.source.row, check.source.column)
        column = report.tables[check.cell.table].columns[check.cell.column]
        percent = column.kind in _EXACT
        number = xf[number_style(column, False)]
        # A percent is checked as shown (a blank and 0 differ); a count's blank is 0.
        test = f'H{r}&""=I{r}&""' if percent else f"N(I{r})=N(H{r})"
        yield row_xml(r, [
            text(r, 1, layout.sheet, xf["Tekst"]),
            _label(r, 2, check.section, tpl, "Tekst"),
            _label(r, 3, check.row, tpl, "Tekst"),
            _label(r, 4, check.column, tpl, "Tekst"),
            _label(r, 5, check.what, tpl, "Tekst"),
            num(r, 6, check.line, xf["Tekst"]),
            text(r, 7, f"{layout.sheet}!{layout.address(check.cell.section, check.cell.row, check.cell.column)}",
                 xf["Lenke"]),
            num(r, 8, check.published, number) if check.published is not None else blank(r, 8, number),
            formula(r, 9, source, _cached(check.computed, percent), number),
            formula(r, 10, f"N(I{r})-N(H{r})", (check.computed or 0) - (check.published or 0), number),
            formula(r, 11, f'IF({test},"OK","AVVIK")', "OK" if check.holds else "AVVIK", xf["Tekst"]),
        ])
    # What was deliberately not compared: below the checks, as notes (never as AVVIK).
    for i, note in enumerate(notes):
        r = last + 2 + i
        yield row_xml(r, [text(r, 1, "Merknad" if i == 0 else "", xf["SumTekst"]), _label(r, 2, note, tpl, "Merknad")])


def _cached(value: Number | None, percent: bool) -> Number | str | None:
    if value is None:
        return "" if percent else 0
    return value


# --------------------------------------------------------------------------- Innhold

def _contents(report: Report, layouts: list[TableLayout], checks: list[Check], notes: list[str], tpl: Template,
              now: datetime, footer: str) -> Sheet:
    xf = tpl.xf
    failures = sum(not c.holds for c in checks)
    summary = (f"Alle {len(checks)} kontroller OK" if failures == 0
               else f"{failures} av {len(checks)} kontroller AVVIK")
    rc = quote_sheet(RECONCILIATION)
    live = f'IF({rc}!B4=0,"Alle "&{rc}!B3&" kontroller OK",{rc}!B4&" av "&{rc}!B3&" kontroller AVVIK")'
    rows = _title_rows(report.title, report.period.text, tpl)
    facts: list[tuple[str, str | None]] = [
        ("Kildefil", report.source),
        ("SHA-256", report.sha256),
        ("Tegnsett", report.encoding),
        ("Laget med", f"tiltak2xlsx {__version__}"),
        ("Konvertert", None),
        ("Avstemming", None),
    ]
    if report.removed_chars:
        facts.append(("Fjernede tegn", f"{report.removed_chars} kontrolltegn som Excel ikke kan vise er fjernet "
                                       "fra etikettene"))
    facts.extend(("Ikke kontrollert" if i == 0 else "", note) for i, note in enumerate(notes))
    r = 4
    for key, value in facts:
        cells = [text(r, 1, key, xf["SumTekst"])]
        if key == "Konvertert":
            serial = (now - _EXCEL_EPOCH).total_seconds() / 86400
            cells.append(num(r, 2, round(serial, 6), xf["Dato"]))
        elif key == "Avstemming":
            cells.append(formula(r, 2, live, summary, xf["Tekst"]))
        else:
            cells.append(_label(r, 2, value or "", tpl, "Tekst"))
        rows.append(row_xml(r, cells))
        r += 1
    note_width = _width([t.title for t in report.tables] + [report.sha256], 40, 90)
    if report.note:
        note_lines = sum(_lines(part, note_width * 1.1) for part in report.note.split("\n"))
        rows.append(row_xml(r, [text(r, 1, "Merknad", xf["SumTekst"]), _label(r, 2, report.note, tpl, "Merknad")],
                            _height(note_lines, 13.5)))
        r += 1
    r += 1
    rows.append(row_xml(r, [text(r, 1, "Tabeller", xf["Seksjon"])]))
    r += 1
    heads = ["Ark", "Tabell", "Rader", "Kontroller", "AVVIK"]
    rows.append(row_xml(r, [text(r, i, h, xf["Kolonnehode"]) for i, h in enumerate(heads, 1)]))
    r += 1
    links = []
    per_sheet: dict[str, list[Check]] = {lay.sheet: [] for lay in layouts}
    for check in checks:
        per_sheet[layouts[check.cell.table].sheet].append(check)
    for table, layout in zip(report.tables, layouts, strict=True):
        mine = per_sheet[layout.sheet]
        count_avvik = (f'COUNTIFS({rc}!$A${_RC_FIRST}:$A${_RC_FIRST + max(len(checks), 1) - 1},'
                       f'A{r},{rc}!$K${_RC_FIRST}:$K${_RC_FIRST + max(len(checks), 1) - 1},"AVVIK")')
        rows.append(row_xml(r, [
            text(r, 1, layout.sheet, xf["Lenke"]),
            _label(r, 2, table.title, tpl, "Tekst"),
            num(r, 3, table.row_count(), xf["Tall"]),
            num(r, 4, len(mine), xf["Tall"]),
            formula(r, 5, count_avvik, sum(not c.holds for c in mine), xf["Tall"]),
        ]))
        links.append((cell(r, 1), f"{quote_sheet(layout.sheet)}!A1"))
        r += 1
    rows.append(row_xml(r, [text(r, 1, RECONCILIATION, xf["Lenke"]), text(r, 2, "Alle kontroller", xf["Tekst"]),
                            blank(r, 3, xf["Tall"]), formula(r, 4, f"{rc}!B3", len(checks), xf["Tall"]),
                            formula(r, 5, f"{rc}!B4", failures, xf["Tall"])]))
    links.append((cell(r, 1), f"{rc}!A1"))
    widths = [(1, 1, _width([lay.sheet for lay in layouts] + [k for k, _ in facts], 16, 34)),
              (2, 2, note_width), (3, 5, 11)]
    return Sheet(name=CONTENTS, rows=rows, widths=widths, links=links, footer=footer,
                 dimension=f"A1:{column_letter(5)}{r}")
