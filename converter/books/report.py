"""Report + checks + template → the workbook's bytes.

Three kinds of sheet: `Innhold` (contents and provenance), one per table, and `Avstemming`
(one row per check). Every total, row sum and percent is a live formula carrying its cached
value (from rules.checks.derive), so every program shows the numbers and a colleague's correction
flows through.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from typing import BinaryIO

from ..model import Column, ColumnKind, Number, Report, Table
from ..rules.checks import CellRef, Check, CheckKind
from ..rules.kinds import RULES, Look
from ..rules.meaning import Meaning
from ..version import TOOL
from ..xlsx.cells import (
    blank,
    escape,
    formula,
    label,
    link,
    next_blank,
    next_escaped_formula,
    next_formula,
    next_label,
    next_link_formula,
    next_num,
    next_row,
    next_shared_formula,
    next_text,
    num,
    row_xml,
    text,
    text_around,
)
from ..xlsx.package import Properties, Sheet, footer_text, highlight_equal, package, with_alignment
from ..xlsx.styles import (
    COUNT,
    DATE,
    HEADER,
    LINK,
    NOTE,
    PERCENT,
    PERIOD,
    SECTION,
    SUM,
    SUM_PERCENT,
    SUM_TEXT,
    TEXT,
    TITLE,
    Style,
)
from ..xlsx.template import Template, load_template
from .audit import NO_CHECKS, audit, no_checks_reason
from .layout import (
    CONTENTS,
    FIRST_DATA_ROW,
    HEADER_ROW,
    MAX_LINKS,
    PERIOD_ROW,
    RECONCILIATION,
    TITLE_ROW,
    ContentsLayout,
    ReconciliationLayout,
    TableLayout,
    cell,
    cell_formula,
    column_letter,
    column_sum,
    column_width,
    contents_layout,
    fit_text,
    helper_formula,
    parts_sum,
    qualify,
    quote_sheet,
)

_EXCEL_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class Built:
    """A workbook ready to be written, and what its checks found.

    The sheets are generated while they are written (`write`, which returns the workbook's
    fingerprint), so a big report is never held in memory as XML.
    """

    checks: list[Check]
    sheets: list[str]
    write: Callable[[BinaryIO], str]
    notes: list[str] = field(default_factory=list)    # what was not compared, what the parser kept (Norwegian)
    meaning: Meaning | None = None                     # the report's Meaning, for its tidy data (series.tidy)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.holds]


def build_workbook(report: Report, template: Template | str | os.PathLike[str] | None = None, *,
                   now: datetime | None = None) -> Built:
    """Build the workbook for a parsed report. `template`: a loaded Template, a path, or None (default);
    `now`: the conversion time (default: the current time), in the properties, Innhold and the zip.

    Raises ReportFormatError (reason "limit") when the report cannot fit Excel's limits; this
    happens here, before anything is written.
    """
    tpl = template if isinstance(template, Template) else load_template(template)
    found = audit(report)                   # what --check computes too (run.convert.convert_file)
    derived, unknowns, checks, notes = found.derived, found.unknowns, found.checks, found.notes
    names, layouts = found.names, found.layouts
    now = datetime.now(UTC) if now is None else now
    footer = footer_text(report.source, report.period.text)

    props = Properties(
        title=report.title, subject=report.period.text, creator=TOOL, created=now,
        custom={"Kildefil": report.source, "Kilde SHA-256": report.sha256, "Periode": report.period.key,
                "Verktøy": TOOL})

    # Avstemming's Linje and Status centred: beside a right-aligned number and a left-aligned
    # link they would print as one word ("0OK", "24Hovedgrupper!B5").
    styles_xml, centred = with_alignment(tpl.styles_xml, tpl.xf[TEXT], "center")
    failing = failing_cells(checks)

    def write(out: BinaryIO) -> str:
        sheets = [_contents(report, layouts, checks, notes, tpl, now, footer)]
        sheets += [_table_sheet(report, t, layout, derived[i], unknowns[i], tpl, footer, failing.get(i, {}),
                                checks)
                   for i, (t, layout) in enumerate(zip(report.tables, layouts, strict=True))]
        sheets.append(_reconciliation(report, layouts, checks, notes, tpl, footer, unknowns, failing, centred))
        return package(sheets, styles_xml, tpl.theme_xml, props, out, landscape=tpl.landscape,
                       paper=tpl.paper_size, margins=tpl.margins)

    return Built(checks, [CONTENTS, *names, RECONCILIATION], write, notes, found.meaning)


# --------------------------------------------------------------------------- helpers

Failing = dict[int, dict[tuple[int, int, int], list[int]]]     # table → (section, row, column) → check indices


def failing_cells(checks: list[Check]) -> Failing:
    """Per table, the cells where a check fails (an AVVIK), with the indices of those checks."""
    out: Failing = {}
    for i, check in enumerate(checks):
        if not check.holds:
            ref = check.cell
            out.setdefault(ref.table, {}).setdefault((ref.section, ref.row, ref.column), []).append(i)
    return out


def _stands(published: Number | None, cell: tuple[int, int, int], failing: dict[tuple[int, int, int], list[int]],
            unknowns: set[tuple[int, int, int]]) -> bool:
    """Does a cell with a relation hold its formula? Only where the formula gives the published
    number: not on a blank, not where a check of the cell fails, not on a cell resting on a symbol.
    (The table sheet writes the formula, Avstemming refers to it: one rule for both.)"""
    return published is not None and cell not in failing and cell not in unknowns


def _shown(value: Number | None) -> str:
    """A number as a Norwegian reader writes it in a sentence: "16 289", "-2,5"; a blank: "tom"."""
    return "tom" if value is None else f"{value:,}".replace(",", " ").replace(".", ",")


def _note(check: Check, row: int) -> str:
    """The note on a table cell whose check fails: what the relation gives, and where it is checked."""
    computed = _shown(check.computed)
    what = {
        CheckKind.SUM: f"Summen av delene er {computed}",
        CheckKind.ROWSUM: f"Summen av kolonnene er {computed}",
        CheckKind.CHANGE: f"{check.what} er {computed}",
        CheckKind.PERCENT: f"Beregnet prosent er {computed} ({check.what})",
        CheckKind.SHARE: f"Beregnet andel er {computed} ({check.what})",
        CheckKind.REPEAT: f"{check.what}: {computed}",
        CheckKind.AGREE: f"{check.what}: {computed}",
    }[check.kind]
    return f"{what} ({RECONCILIATION} rad {row})"


_LOOKS = {Look.NUMBER: (COUNT, SUM), Look.PERCENT: (PERCENT, SUM_PERCENT)}    # (a detail's, a total's)


def number_style(column: Column, bold: bool) -> Style:
    """The style of a number cell: count or percent, detail or total, with the column's decimals."""
    return _LOOKS[RULES[column.kind].look][bold].shown_with(column.decimals)


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
    return [row_xml(TITLE_ROW, [label(TITLE_ROW, 1, title, tpl.xf, TITLE)]),
            row_xml(PERIOD_ROW, [label(PERIOD_ROW, 1, subtitle, tpl.xf, PERIOD)])]


# --------------------------------------------------------------------------- table sheets

def _table_sheet(report: Report, table: Table, layout: TableLayout, values: list[list[list[int | None]]],
                 unknowns: set[tuple[int, int, int]], tpl: Template, footer: str,
                 failing: dict[tuple[int, int, int], list[int]], checks: list[Check]) -> Sheet:
    ncols = len(table.columns)
    labels = [table.title if len(table.title) < 60 else ""] + [r.label for s in table.sections for r in s.rows]
    labels += [s.heading or "" for s in table.sections]
    widths = [(1, 1, column_width(labels, tpl.label_width, 80.0))]
    if ncols:
        widths.append((2, ncols + 1, tpl.number_width))
    last = cell(max(layout.last_row, HEADER_ROW), ncols + 1)
    rows = _table_rows(report, table, layout, values, unknowns, tpl, failing)
    if layout.helpers:
        rows = chain(rows, _helper_rows(table, layout, values, tpl))
    first = ReconciliationLayout(len(checks)).first_row
    comments = [(layout.row_of[s][r], c + 2, "\n".join(_note(checks[i], first + i) for i in found))
                for (s, r, c), found in sorted(failing.items())]
    return Sheet(name=layout.sheet, rows=rows, widths=widths,
                 freeze=(FIRST_DATA_ROW, 2), print_rows=(TITLE_ROW, HEADER_ROW), footer=footer,
                 dimension=f"A1:{last}", comments=comments)


def _helper_rows(table: Table, layout: TableLayout, values: list[list[list[Number | None]]],
                 tpl: Template) -> Iterator[str]:
    """Below the table: the partial sums of totals whose SUM would pass Excel's formula length."""
    xf = tpl.xf
    head = layout.helper_heading or 0
    yield row_xml(head, [label(head, 1, "Delsummer (totaler med flere ledd enn én Excel-formel rommer)", xf,
                               SECTION)])
    for (s, r), helper in layout.helpers.items():
        total = table.sections[s].rows[r].label
        # only the columns whose total sums these helper rows (not row sums, percents …)
        columns = [c for c in range(len(table.columns))
                   if cell_formula(table, layout, s, r, c) == column_sum(helper.rows, c + 2)]
        for k, (sheet_row, chunk) in enumerate(zip(helper.rows, helper.chunks, strict=True), 1):
            cells = [label(sheet_row, 1, fit_text(f"Delsum {k} av {len(helper.rows)} for «{total}»"), xf, TEXT)]
            for c in columns:
                cached = sum(values[s][p][c] or 0 for p in chunk)
                style = xf[number_style(table.columns[c], False)]
                cells.append(formula(sheet_row, c + 2, helper_formula(layout, s, chunk, c), cached, style))
            yield row_xml(sheet_row, cells)


def _table_rows(report: Report, table: Table, layout: TableLayout, values: list[list[list[int | None]]],
                unknowns: set[tuple[int, int, int]], tpl: Template,
                failing: dict[tuple[int, int, int], list[int]]) -> Iterator[str]:
    """Rows of a table sheet: every cell shows the published number (or its symbol, or a blank).
    A total, row sum, change or percent is its live formula where that gives the published
    number; where a check of the cell fails (`failing`) it is the published number in the Avvik
    style, with a note; cells resting on a symbol (`unknowns`) and blanks are never formulas."""
    xf = tpl.xf
    yield from _title_rows(table.title, report.period.text, tpl)
    header = [blank(HEADER_ROW, 1, xf[HEADER])]
    header += [text(HEADER_ROW, c + 2, col.header, xf[HEADER]) for c, col in enumerate(table.columns)]
    header_lines = max((_lines(col.header, tpl.number_width * 1.15) for col in table.columns), default=1)
    yield row_xml(HEADER_ROW, header, _height(header_lines, 13.5))
    # Every cell of a row is written, from column A on: next_row gives each its reference.
    # Per weight (detail, total), per column: (the number's style, the style of a formula over a
    # blank, the style of a symbol), looked up once: this loop runs for every cell.
    weights = [[(xf[style], xf[style.as_avvik()], xf[style.as_symbol()])
                for col in table.columns for style in (number_style(col, bold),)] for bold in (False, True)]
    for s, section in enumerate(table.sections):
        heading_row = layout.heading_rows[s]
        if heading_row is not None:
            yield next_row([next_label(section.heading or "", xf, SECTION)], heading_row)
        rows_of, derived = layout.row_of[s], values[s]
        for r, row in enumerate(section.rows):
            bold = row.bold
            cells = [next_label(row.label, xf, SUM_TEXT if bold else TEXT)]
            published_values = row.values
            for c, (style, avvik_style, symbol_style) in enumerate(weights[bold]):
                published = published_values[c]
                if failing and (s, r, c) in failing:
                    cells.append(next_num(published, avvik_style) if published is not None
                                 else next_blank(avvik_style))
                    continue
                expr = cell_formula(table, layout, s, r, c) if _stands(published, (s, r, c), failing,
                                                                       unknowns) else None
                if expr is None:
                    mark = row.mark(c)
                    cells.append(next_num(published, style) if published is not None
                                 else next_text(mark, symbol_style) if mark
                                 else next_blank(style))
                else:
                    cells.append(next_formula(expr, derived[r][c], style))
            yield next_row(cells, rows_of[r])


# --------------------------------------------------------------------------- Avstemming

def _reconciliation(report: Report, layouts: list[TableLayout], checks: list[Check], notes: list[str],
                    tpl: Template, footer: str, unknowns: list[set[tuple[int, int, int]]], failing: Failing,
                    centred: int) -> Sheet:
    rl = ReconciliationLayout(len(checks), len(notes))
    status = rl.range("Status")
    conditional = [highlight_equal(status, tpl.avvik_dxf, "AVVIK")]
    widths = [(1, 1, column_width([lay.sheet for lay in layouts], 14, 34)),
              (2, 2, column_width([c.section for c in checks], 8, 34)),
              (3, 3, column_width([c.row for c in checks], 16, 50)),
              (4, 4, column_width([c.column for c in checks], 10, 30)),
              (5, 5, column_width([c.what for c in checks], 16, 60)),
              (6, 6, 7), (7, 7, 14), (8, 10, 12), (11, 11, 9)]
    # (location, text) of each checked cell: 'Sheet'!B5 for the link, Sheet!B5 as shown; its address.
    # Each sheet name is quoted once (this runs once per check).
    quoted = [quote_sheet(layout.sheet) for layout in layouts]
    address_of = _addresser(layouts)
    addresses = [address_of(c.cell) for c in checks]
    targets = [(f"{quoted[c.cell.table]}!{address}", f"{layouts[c.cell.table].sheet}!{address}")
               for c, address in zip(checks, addresses, strict=True)]
    # Celle as wide as its longest text (a sheet name and an address), so a picture or a print shows it whole
    widths[6] = (7, 7, column_width([shown for _, shown in targets], 14, 40))
    link = rl.column("Celle")
    links = ((cell(rl.row(i), link), *targets[i]) for i in range(min(len(checks), MAX_LINKS)))
    last = rl.last_column
    live = _live_relations(report, layouts, checks, unknowns, failing)
    rows = _reconciliation_rows(report, layouts, checks, targets, addresses, address_of, notes, tpl, rl, live,
                                centred)
    return Sheet(name=RECONCILIATION, rows=rows, widths=widths,
                 freeze=(rl.first_row, 1), autofilter=f"A{rl.header_row}:{last}{max(rl.last_row, rl.header_row + 1)}",
                 conditional=conditional, links=links, print_rows=(rl.header_row, rl.header_row), footer=footer,
                 dimension=f"A1:{last}{rl.bottom_row}")


def _live_relations(report: Report, layouts: list[TableLayout], checks: list[Check],
                    unknowns: list[set[tuple[int, int, int]]], failing: Failing) -> dict[int, str]:
    """Check index → the relation's own formula (escaped), for the checks whose cell holds no formula
    of that relation: an AVVIK (the sheet shows the published number), or a sum checked on a
    column whose cells hold another formula (a change column's total). Avstemming then computes the
    relation live from the parts, so a correction of a part shows here at once."""
    out: dict[int, str] = {}
    own = (CheckKind.ROWSUM, CheckKind.CHANGE, CheckKind.PERCENT, CheckKind.SHARE)
    tables = report.tables
    for i, check in enumerate(checks):     # once per check (11,310 on the big report): the common case first
        kind = check.kind
        if kind is not CheckKind.SUM and kind not in own:
            continue
        t, s, r, c = check.cell
        table = tables[t]
        same = kind is not CheckKind.SUM or table.columns[c].kind is ColumnKind.VALUE
        # A check of the cell's own relation where the cell holds that relation's formula: referenced.
        if same and _stands(table.sections[s].rows[r].values[c], (s, r, c), failing.get(t, {}), unknowns[t]):
            continue
        layout = layouts[t]
        expr = parts_sum(table, layout, s, r, c) if kind is CheckKind.SUM else cell_formula(table, layout, s, r, c)
        if expr is not None:
            out[i] = escape(qualify(expr, layout.sheet))
    return out


def _addresser(layouts: list[TableLayout]) -> Callable[[CellRef], str]:
    """A report cell's address on its table sheet ("B17"), as layout.address gives it, with each
    table's column letters made once: it runs twice per check (layout.address cost ~1 µs a call)."""
    letters = [[column_letter(c + 2) for c in range(layout.columns)] for layout in layouts]
    rows_of = [layout.row_of for layout in layouts]

    def address(ref: CellRef) -> str:
        return f"{letters[ref.table][ref.column]}{rows_of[ref.table][ref.section][ref.row]}"

    return address


def _reconciliation_rows(report: Report, layouts: list[TableLayout], checks: list[Check],
                         targets: list[tuple[str, str]], addresses: list[str], address_of: Callable[[CellRef], str],
                         notes: list[str], tpl: Template,
                         rl: ReconciliationLayout, live: dict[int, str], centred: int) -> Iterator[str]:
    xf = tpl.xf
    status = rl.range("Status")
    failures = sum(not c.holds for c in checks)
    yield from _title_rows("Avstemming", fit_text(f"{report.title} – {report.period.text}"), tpl)
    # Every Status cell is "OK" or "AVVIK": counting both counts the checks. Not COUNTA, which
    # some evaluators lack (pycel); COUNTIF is in every spreadsheet program and library.
    counted = f'COUNTIF({status},"OK")+COUNTIF({status},"AVVIK")'
    yield row_xml(rl.count_row, [text(rl.count_row, 1, "Kontroller", xf[TEXT]),
                                 formula(rl.count_row, 2, counted, len(checks), xf[COUNT])])
    yield row_xml(rl.avvik_row, [text(rl.avvik_row, 1, "AVVIK", xf[TEXT]),
                                 formula(rl.avvik_row, 2, f'COUNTIF({status},"AVVIK")', failures, xf[COUNT])])
    yield row_xml(rl.header_row, [text(rl.header_row, i, h, xf[HEADER]) for i, h in enumerate(rl.COLUMNS, 1)])
    tekst, lenke = xf[TEXT], xf[LINK]
    published, computed = rl.letter("Publisert"), rl.letter("Arbeidsbok")
    difference, status_letter = rl.letter("Differanse"), rl.letter("Status")
    # Per checked column: is it checked as shown (a percent), its number style, and its blank cell.
    styles = [[(RULES[col.kind].exact, xf[number_style(col, False)]) for col in t.columns] for t in report.tables]
    blanks = {number: next_blank(number) for table in styles for _, number in table}
    kinds = [styles[c.cell.table][c.cell.column][0] for c in checks]
    sheets = [next_text(layout.sheet, tekst) for layout in layouts]
    # Celle is "Sheet!B5": its XML around the address made once per sheet
    shown_xml = [text_around(f"{layout.sheet}!", lenke) for layout in layouts]
    labels: dict[str, str] = {}         # a label's cell XML: few labels, many checks

    def new_label(value: str) -> str:
        xml = labels[value] = next_label(value, xf, TEXT)
        return xml

    # Differanse and Status are the same formula on every row, moved down: shared formulas
    # (`<f t="shared">`), written once per group. Status has two forms, so a group per run of
    # one form (a group's range holds only its own cells).
    run_end = list(range(len(checks)))      # check index → the last index of its run of one Status form
    for i in range(len(checks) - 2, -1, -1):
        if kinds[i + 1] == kinds[i]:
            run_end[i] = run_end[i + 1]
    # This loop runs once per check (11,310 on the big report): what repeats is made once. Each
    # sheet name is escaped once; a Status cell that is no master depends only on its group and
    # verdict, a Differanse cell on its style and an int difference (0 for a check that holds).
    quoted = [escape(quote_sheet(layout.sheet)) + "!" for layout in layouts]
    verdicts: dict[tuple[int, str], str] = {}
    diffs: dict[tuple[int, int], str] = {}
    known = labels.get
    first_row = rl.first_row
    group = 0
    for i, check in enumerate(checks):
        r = first_row + i
        source = live.get(i) if live else None
        table = check.cell.table
        percent, number = styles[table][check.cell.column]
        if source is None:
            source = quoted[check.source.table] + address_of(check.source)
            if percent and check.computed is None:
                # A reference to an empty cell gives 0 in Excel, Gnumeric and POI ("0" as text,
                # so Status would say AVVIK against a blank), "" only in LibreOffice: a blank
                # percent cell (e.g. the other table's, for "the same figure") stays blank.
                source = f'IF({source}="","",{source})'
        if i < MAX_LINKS:
            head, tail = shown_xml[table]
            target = f"{head}{addresses[i]}{tail}"
        else:   # past Excel's hyperlinks per sheet: the same link as a formula
            location, shown = targets[i]
            target = next_link_formula(location, shown, lenke)
        computed_value, published_value = check.computed, check.published
        # a blank computed value: a percent's formula shows "" (blank), a count's reference gives 0
        cached = computed_value if computed_value is not None else "" if percent else 0
        delta = (computed_value or 0) - (published_value or 0)
        verdict = "OK" if check.holds else "AVVIK"
        if i == 0 or kinds[i - 1] != percent:
            group += 1
            # A percent is checked as shown (a blank and 0 differ); a count's blank is 0. SUM of
            # one cell is its number, 0 for a blank or a text (""), as N() is in Excel; but N()
            # gives #NUM! on a blank in Gnumeric and Apache POI's evaluator lacks it.
            test = (f'{published}{r}&""={computed}{r}&""' if percent
                    else f"SUM({computed}{r})=SUM({published}{r})")
            span = f"{status_letter}{r}:{status_letter}{rl.row(run_end[i])}"
            status = next_shared_formula(group, verdict, centred, (f'IF({test},"OK","AVVIK")', span))
        else:
            status = verdicts.get((group, verdict)) or verdicts.setdefault(
                (group, verdict), next_shared_formula(group, verdict, centred))
        if i == 0:
            diff = next_shared_formula(0, delta, number, (f"SUM({computed}{r})-SUM({published}{r})",
                                                          f"{difference}{r}:{difference}{rl.last_row}"))
        elif type(delta) is int:
            diff = diffs.get((number, delta)) or diffs.setdefault((number, delta),
                                                                  next_shared_formula(0, delta, number))
        else:       # a Decimal: 0.0 and 0.00 are equal keys but different text
            diff = next_shared_formula(0, delta, number)
        yield next_row((
            sheets[table],
            known(check.section) or new_label(check.section),
            known(check.row) or new_label(check.row),
            known(check.column) or new_label(check.column),
            known(check.what) or new_label(check.what),
            next_num(check.line, centred),
            target,
            next_num(published_value, number) if published_value is not None else blanks[number],
            next_escaped_formula(source, cached, number),        # `source` is escaped already
            diff,
            status,
        ), r)
    # What was deliberately not compared: below the checks, as notes (never as AVVIK).
    for i, note in enumerate(notes):
        r = rl.note_row(i)
        yield row_xml(r, [text(r, 1, "Merknad" if i == 0 else "", xf[SUM_TEXT]), label(r, 2, note, xf, NOTE)])


# --------------------------------------------------------------------------- Innhold

def _contents(report: Report, layouts: list[TableLayout], checks: list[Check], notes: list[str], tpl: Template,
              now: datetime, footer: str) -> Sheet:
    xf = tpl.xf
    cl: ContentsLayout = contents_layout(report, len(notes))
    rl = ReconciliationLayout(len(checks), len(notes))
    failures = sum(not c.holds for c in checks)
    summary = (f"{NO_CHECKS}: {no_checks_reason(report)[0]}" if not checks
               else f"Alle {len(checks)} kontroller OK" if failures == 0
               else f"{failures} av {len(checks)} kontroller AVVIK")
    count, avvik = rl.qualified(rl.count_cell), rl.qualified(rl.avvik_cell)
    live = f'IF({avvik}=0,"Alle "&{count}&" kontroller OK",{avvik}&" av "&{count}&" kontroller AVVIK")'
    if not checks:      # never "Alle 0 kontroller OK": nothing was checked, and the sheet says why
        live = f'IF({count}=0,"{summary}",{live})'
    rows = _title_rows(report.title, report.period.text, tpl)
    values: dict[str, str] = {
        "Kildefil": report.source,
        "SHA-256": report.sha256,
        "Tegnsett": report.encoding,
        "Laget med": TOOL,
        "Periode": f"{report.period.text} ({report.period.kind.norwegian})",
        "Fjernede tegn": f"{report.removed_chars} kontrolltegn som Excel ikke kan vise er fjernet fra etikettene",
    }
    first_note = len(cl.facts) - len(notes)
    for i, key in enumerate(cl.facts):
        r = cl.first_fact_row + i
        cells = [text(r, 1, key, xf[SUM_TEXT])]
        if key == "Konvertert":     # the local time, as the reader's clock shows it
            local = now.astimezone().replace(tzinfo=None)
            serial = (local - _EXCEL_EPOCH).total_seconds() / 86400
            cells.append(num(r, 2, round(serial, 6), xf[DATE]))
        elif key == "Avstemming":
            cells.append(formula(r, 2, live, summary, xf[TEXT]))
        else:
            cells.append(label(r, 2, notes[i - first_note] if i >= first_note else values[key], xf, TEXT))
        rows.append(row_xml(r, cells))
    note_width = column_width([t.title for t in report.tables] + [report.sha256], 40, 90)
    if cl.note_row is not None:
        r = cl.note_row
        note = fit_text(report.note)
        note_lines = sum(_lines(part, note_width * 1.1) for part in note.split("\n"))
        rows.append(row_xml(r, [text(r, 1, "Merknad", xf[SUM_TEXT]), label(r, 2, note, xf, NOTE)],
                            _height(note_lines, 13.5)))
    r = cl.tables_heading_row
    rows.append(row_xml(r, [text(r, 1, "Tabeller", xf[SECTION])]))
    r = cl.header_row
    heads = ["Ark", "Tabell", "Rader", "Kontroller", "AVVIK"]
    rows.append(row_xml(r, [text(r, i, h, xf[HEADER]) for i, h in enumerate(heads, 1)]))
    links = []
    per_sheet: dict[str, list[Check]] = {lay.sheet: [] for lay in layouts}
    for check in checks:
        per_sheet[layouts[check.cell.table].sheet].append(check)
    sheets_range = rl.qualified(rl.range("Ark", absolute=True))
    status_range = rl.qualified(rl.range("Status", absolute=True))
    for i, (table, layout) in enumerate(zip(report.tables, layouts, strict=True)):
        r = cl.table_row(i)
        mine = per_sheet[layout.sheet]
        count_avvik = f'COUNTIFS({sheets_range},A{r},{status_range},"AVVIK")'
        to_sheet, target = link(r, 1, layout.sheet, f"{quote_sheet(layout.sheet)}!A1", xf[LINK])
        rows.append(row_xml(r, [
            to_sheet,
            label(r, 2, table.title, xf, TEXT),
            num(r, 3, table.row_count(), xf[COUNT]),
            num(r, 4, len(mine), xf[COUNT]),
            formula(r, 5, count_avvik, sum(not c.holds for c in mine), xf[COUNT]),
        ]))
        links.append(target)
    r = cl.reconciliation_row
    to_sheet, target = link(r, 1, RECONCILIATION, rl.qualified("A1"), xf[LINK])
    rows.append(row_xml(r, [to_sheet, text(r, 2, "Alle kontroller", xf[TEXT]),
                            blank(r, 3, xf[COUNT]), formula(r, 4, count, len(checks), xf[COUNT]),
                            formula(r, 5, avvik, failures, xf[COUNT])]))
    links.append(target)
    widths = [(1, 1, column_width([lay.sheet for lay in layouts] + list(cl.facts), 16, 34)),
              (2, 2, note_width), (3, 5, 11)]
    return Sheet(name=CONTENTS, rows=rows, widths=widths, links=links, footer=footer,
                 dimension=f"A1:{column_letter(5)}{r}")
