"""An archive of monthly reports as one time series: `tidsserie.xlsx` and `tidsserie.csv`.

Built from each report's tidy data (series.ReportData, from meaning.figures), never from text:
`series.build` gives the timeline (series, missing months, revisions, renames, derived months);
this module writes it with the project's own streaming writer (xlsx.py) and the house template:

- `Innhold`: what the archive holds (reports, months, missing months, derived values,
  revisions, renames, notes), the sheets, and every report with its SHA-256.
- `Diagram`: one line chart per table sheet (table, or section of a table): its counts (the
  rows of the table's own count column, not the cross columns), at most `CHART_LINES` lines, in
  report order. A renamed series is one line.
- One sheet per table and section: a row per (row, column) series, a column per month;
  months without a report are empty columns; derived values carry the style `Avledet`.
- `Revisjoner`: every figure a later report implies differently from what was published.

`tidsserie.csv` is the long (tidy) table: one row per figure and month, with its coordinates.
pandas is not used here (only `to_frame`, for library users, imports it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .chart import ChartSeries, line_chart
from .layout import CONTENTS, cell, column_letter, column_width, quote_sheet, sheet_names
from .model import Measure, Report
from .output import write_atomic
from .series import ABSENT, BLANK, TIDY_COLUMNS, Archive, Line, Timeline, build, group_lines, tidy, tidy_rows
from .source import parse_report
from .template import DERIVED_STYLE, MAX_DECIMALS, Template, load_template
from .version import TOOL
from .xlsx import Properties, Sheet, blank, footer_text, formula, next_blank, next_num, num, package, row_xml, text

if TYPE_CHECKING:
    import pandas as pd

DIAGRAM, REVISIONS = "Diagram", "Revisjoner"
CHART_LINES = 12            # more lines than this make a chart unreadable; the sheet has them all
CHART_ROWS = 22             # sheet rows per chart on Diagram
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HEADER, _FIRST = 4, 5      # header row and first data row of the table sheets and Revisjoner
_RV = ["Periode", "Rapport", "Tabell", "Del", "Gruppe", "Rad", "Kolonne", "Publisert da", "Implisitt nå",
       "Differanse"]
DERIVED_NOTE = ("Avledet: måneden mangler i arkivet; verdien er det neste års rapport viser for den "
                "(antall − endring fra i fjor), ikke et publisert tall.")


def to_frame(reports: Iterable[Report]) -> pd.DataFrame:
    """The published numbers of `reports` as one long table (columns `series.TIDY_COLUMNS`).

    `value` is a nullable integer where every value is whole (<NA> for a blank, never 0).
    """
    import pandas as pd

    archive = Archive()
    for report in reports:
        archive.add(tidy(report), report.source, 0.0)
    frame = pd.DataFrame.from_records(list(tidy_rows(build(archive))) if len(archive) else [],
                                      columns=list(TIDY_COLUMNS))
    frame = frame[frame["derived"] == ""].reset_index(drop=True)
    values = frame["value"].replace("", None)
    try:
        frame["value"] = values.astype("Int64")
    except (TypeError, ValueError):
        frame["value"] = values
    return frame


def _neutral(value: str) -> str:
    """CSV cells that a spreadsheet would run as a formula get a leading apostrophe (CWE-1236)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def write_csv(timeline: Timeline, out: BinaryIO) -> None:
    """The long table (series.tidy_rows), streamed as UTF-8. A series' labels are the same every
    month, so they are neutralised, CSV-quoted and encoded once per series; each row then only
    adds its numbers (made as bytes: no text to encode row by row)."""
    buffer = io.StringIO()
    quoting = csv.writer(buffer, lineterminator="")

    def quoted(fields: Iterable[object]) -> str:
        buffer.seek(0)
        buffer.truncate()
        quoting.writerow(fields)
        return buffer.getvalue()

    def row(month: str, m: int, line: Line, labels: bytes) -> bytes:
        v = line.values[m]
        value = "" if v == BLANK else (v if line.decimals == 0 else line.value(m))
        mark = line.marks.get(m, "")
        return labels.join((f"{month},".encode(), f",{value},{quoted((mark,)) if mark else ''},"
                                                  f"{'1' if m in line.derived else ''}\n".encode()))

    out.write((quoted(TIDY_COLUMNS) + "\n").encode())
    # Per series: its quoted labels, its values, and whether a row is only its number (a whole
    # count, no symbol, not derived: the common case, written inline).
    lines = [(line, quoted(_neutral(x) for x in (*line.sid[:4], line.column, line.sid[4], line.sid[5])).encode(),
              line.values, not line.decimals and not line.marks and not line.derived)
             for line in timeline.lines]
    for m, month in enumerate(timeline.months):
        stamp = month.encode()
        out.write(b"".join([(b"%b,%b,%d,,\n" % (stamp, labels, v) if v != BLANK else b"%b,%b,,,\n" % (stamp, labels))
                            if plain else row(month, m, line, labels)
                            for line, labels, values, plain in lines if (v := values[m]) != ABSENT]))


def write_timeseries(timeline: Timeline, xlsx: Path, csv_path: Path, template: str | Path | None = None,
                     now: datetime | None = None) -> None:
    """Write `timeline` to `xlsx` and `csv_path` (each atomically); `now`: the time recorded (default: now)."""
    tpl = load_template(template)
    write_atomic(csv_path, lambda f: write_csv(timeline, f))
    write_atomic(xlsx, lambda f: write_workbook(timeline, tpl, f, now))


# --------------------------------------------------------------------------- the workbook

def _label(row: int, col: int, value: str, tpl: Template, style: str = "Tekst") -> str:
    if not value:
        return blank(row, col, tpl.xf[style])
    # Always a text cell; quotePrefix keeps "=Hovedgrupper" a label even after a colleague edits it.
    return text(row, col, value, tpl.xf[style + "'"] if value.startswith(_FORMULA_START) else tpl.xf[style])


def write_workbook(timeline: Timeline, tpl: Template, out: BinaryIO, now: datetime | None = None) -> None:
    groups = group_lines(timeline.lines)
    places = list(groups)
    names = sheet_names([section or table for table, section in places], reserved=(CONTENTS, DIAGRAM, REVISIONS))
    title = timeline.sources[-1].title if timeline.sources else ""
    span = f"{timeline.months[0]} – {timeline.months[-1]}"
    footer = footer_text("tidsserie.xlsx", span)
    sheets = [_contents(timeline, places, names, groups, tpl, title, span, footer),
              _diagram(timeline, places, names, groups, tpl, span, footer)]
    sheets += [_table_sheet(timeline, place, name, groups[place], tpl, span, footer)
               for place, name in zip(places, names, strict=True)]
    sheets.append(_revisions(timeline, tpl, footer))
    props = Properties(title=f"Tidsserie: {title}", subject=span, creator=TOOL,
                       created=datetime.now(UTC) if now is None else now,
                       custom={"Rapporter": str(len(timeline.sources)), "Periode": span,
                               "Revisjoner": str(len(timeline.revisions)),
                               "Verktøy": TOOL})
    package(sheets, tpl.styles_xml, tpl.theme_xml, props, out, landscape=True, paper=tpl.paper_size,
            margins=tpl.margins)


def _row_label(line: Line) -> str:
    return f"{line.sid[3]} ({line.sid[2]})" if line.sid[2] else line.sid[3]


def _number_style(line: Line) -> str:
    base = "Prosent" if line.sid[5] == Measure.CHANGE_PERCENT.value else "Tall"
    return f"{base}.{min(line.decimals, MAX_DECIMALS)}" if line.decimals else base


def _table_sheet(timeline: Timeline, place: tuple[str, str], name: str, lines: list[Line], tpl: Template,
                 span: str, footer: str) -> Sheet:
    months = timeline.months
    last_col = 2 + len(months)
    derived = any(line.derived for line in lines)

    def rows() -> Iterator[str]:
        xf = tpl.xf
        table, section = place
        yield row_xml(1, [_label(1, 1, f"{table} – {section}" if section else table, tpl, "Tittel")])
        yield row_xml(2, [_label(2, 1, f"{span}: {len(timeline.sources)} rapporter", tpl, "Periode")])
        if derived:
            yield row_xml(3, [text(3, 1, DERIVED_STYLE, xf[DERIVED_STYLE]), _label(3, 2, DERIVED_NOTE, tpl, "Merknad")])
        head = [text(_HEADER, 1, "Rad", xf["Kolonnehode"]), text(_HEADER, 2, "Kolonne", xf["Kolonnehode"])]
        head += [text(_HEADER, 3 + m, month, xf["Kolonnehode"]) for m, month in enumerate(months)]
        yield row_xml(_HEADER, head)
        # The hot loop (a cell per series and month): each month's column letter is made once, and
        # a whole count or a blank is the letter, the row and xlsx's cell body (next_num, next_blank);
        # symbols, decimals and derived values use the helpers that place a cell themselves.
        opening = [f'<c r="{column_letter(3 + m)}' for m in range(len(months))]
        for r, line in enumerate(lines, start=_FIRST):
            style = _number_style(line)
            cells = [_label(r, 1, _row_label(line), tpl), _label(r, 2, line.column, tpl)]
            values, d, marks, derived_months = line.values, line.decimals, line.marks, line.derived
            number = xf[style]
            row_ref = f'{r}"'
            empty = row_ref + next_blank(number)
            for m, v in enumerate(values):
                if v <= BLANK:
                    if v == ABSENT:
                        continue
                    mark = marks.get(m)
                    if mark:
                        cells.append(text(r, 3 + m, mark, xf[style.split(".")[0] + "T"]))
                    else:
                        cells.append(f"{opening[m]}{empty}")
                elif d or m in derived_months:
                    value = v if d == 0 else line.value(m)
                    cells.append(num(r, 3 + m, value, xf[DERIVED_STYLE] if m in derived_months else number))  # type: ignore[arg-type]
                else:
                    cells.append(f"{opening[m]}{row_ref}{next_num(v, number)}")
            yield row_xml(r, cells)

    last = _FIRST + max(len(lines), 1) - 1
    widths = [(1, 1, column_width((_row_label(x) for x in lines), tpl.label_width, 70.0)),
              (2, 2, column_width((x.column for x in lines), 12, 30)), (3, last_col, 9.5)]
    # Printed: a page of months at a time, each with the row and column labels (xlsx.page_plan).
    return Sheet(name=name, rows=rows(), widths=widths, freeze=(_FIRST, 3), print_rows=(1, _HEADER),
                 print_columns=(1, 2), footer=footer, dimension=f"A1:{cell(last, last_col)}")


def _chart_lines(lines: list[Line]) -> list[tuple[int, Line]]:
    """(sheet row, line) of the count series a table's chart shows (see the module's docstring)."""
    own = [(r, x) for r, x in enumerate(lines, start=_FIRST)
           if x.sid[5] == Measure.COUNT.value and not x.sid[4]]
    return own[:CHART_LINES]


def _chart_values(line: Line) -> list[float | None]:
    """A line's cached chart values, a gap where it has no number."""
    if not line.decimals:
        return [None if v <= BLANK else float(v) for v in line.values]
    return [None if v is None else float(v) for v in (line.value(m) for m in range(len(line.values)))]


def _diagram(timeline: Timeline, places: list[tuple[str, str]], names: list[str],
             groups: dict[tuple[str, str], list[Line]], tpl: Template, span: str, footer: str) -> Sheet:
    months = timeline.months
    first_col, last_col = column_letter(3), column_letter(2 + len(months))
    charts: list[tuple[tuple[int, int, int, int], str]] = []
    for place, name in zip(places, names, strict=True):
        table = place[0]
        chosen = _chart_lines(groups[place])
        if not chosen:
            continue
        q = quote_sheet(name)
        series = [ChartSeries(_row_label(line), f"{q}!$A${r}", f"{q}!${first_col}${r}:${last_col}${r}",
                              _chart_values(line))
                  for r, line in chosen]
        top = 3 + len(charts) * CHART_ROWS
        xml = line_chart(f"{table} – {place[1]}" if place[1] else table, series,
                         f"{q}!${first_col}${_HEADER}:${last_col}${_HEADER}", months, "Antall")
        charts.append(((0, top, 12, top + CHART_ROWS - 2), xml))
    rows = [row_xml(1, [_label(1, 1, "Diagram", tpl, "Tittel")]),
            row_xml(2, [_label(2, 1, f"{span}: én linje per rad (antall), høyst {CHART_LINES} per diagram; "
                                     "alle tallene står på tabellarkene", tpl, "Periode")])]
    # One chart per printed page: a page ends above each chart but the first.
    breaks = [3 + k * CHART_ROWS for k in range(1, len(charts))]
    return Sheet(name=DIAGRAM, rows=rows, charts=charts, footer=footer, dimension="A1:A2", row_breaks=breaks)


def _revisions(timeline: Timeline, tpl: Template, footer: str) -> Sheet:
    revisions = timeline.revisions
    last = _FIRST + max(len(revisions), 1) - 1

    def rows() -> Iterator[str]:
        xf = tpl.xf
        yield row_xml(1, [_label(1, 1, REVISIONS, tpl, "Tittel")])
        yield row_xml(2, [_label(2, 1, "Tall som en rapport et år senere viser annerledes (antall − endring fra i "
                                       "fjor, eller fjorårets kolonne) enn det som ble publisert", tpl, "Periode")])
        yield row_xml(_HEADER, [text(_HEADER, i, h, xf["Kolonnehode"]) for i, h in enumerate(_RV, 1)])
        if not revisions:
            yield row_xml(_FIRST, [text(_FIRST, 1, "Ingen revisjoner", xf["Tekst"])])
        for r, rev in enumerate(revisions, start=_FIRST):
            yield row_xml(r, [
                text(r, 1, rev.period, xf["Tekst"]), text(r, 2, rev.report, xf["Tekst"]),
                _label(r, 3, rev.table, tpl), _label(r, 4, rev.section, tpl), _label(r, 5, rev.group, tpl),
                _label(r, 6, rev.row, tpl), _label(r, 7, rev.column, tpl),
                num(r, 8, rev.published, xf["Tall"]),      # type: ignore[arg-type]
                num(r, 9, rev.implied, xf["Tall"]),        # type: ignore[arg-type]
                formula(r, 10, f"I{r}-H{r}", rev.difference, xf["Tall"]),   # type: ignore[arg-type]
            ])

    widths = [(1, 2, 10), (3, 3, column_width((x.table for x in revisions), 14, 40)),
              (4, 5, column_width((x.section for x in revisions), 8, 30)),
              (6, 6, column_width((x.row for x in revisions), 16, 50)), (7, 7, 14), (8, 10, 13)]
    return Sheet(name=REVISIONS, rows=rows(), widths=widths, freeze=(_FIRST, 1),
                 autofilter=f"A{_HEADER}:J{max(last, _HEADER + 1)}", print_rows=(1, _HEADER), footer=footer,
                 dimension=f"A1:J{last}")


def _contents(timeline: Timeline, places: list[tuple[str, str]], names: list[str],
              groups: dict[tuple[str, str], list[Line]], tpl: Template, title: str, span: str,
              footer: str) -> Sheet:
    xf = tpl.xf
    rows = [row_xml(1, [_label(1, 1, f"Tidsserie: {title}" if title else "Tidsserie", tpl, "Tittel")]),
            row_xml(2, [_label(2, 1, span, tpl, "Periode")])]
    derived_months = timeline.derived_months
    revisions_last = _FIRST + max(len(timeline.revisions), 1) - 1
    facts: list[tuple[str, str | int | None]] = [
        ("Rapporter", len(timeline.sources)),
        ("Måneder", len(timeline.months)),
        ("Manglende måneder", ", ".join(timeline.missing) if timeline.missing else "ingen"),
        ("Avledede verdier", (f"{timeline.derived_values} verdier i {len(derived_months)} måneder "
                              f"({', '.join(derived_months)}), stil {DERIVED_STYLE}") if derived_months else "ingen"),
        ("Revisjoner", None),
        ("Omdøpte serier", str(sum(r.confirmed for r in timeline.renames)) if timeline.renames else "ingen"),
    ]
    r = 4
    links: list[tuple[str, str, str]] = []   # (cell, location, the cell's text)
    for key, value in facts:
        cells = [text(r, 1, key, xf["SumTekst"])]
        if key == "Revisjoner":
            cells.append(formula(r, 2, f"COUNT({quote_sheet(REVISIONS)}!$J${_FIRST}:$J${revisions_last})",
                                 len(timeline.revisions), xf["Tall"]))
        elif isinstance(value, int):
            cells.append(num(r, 2, value, xf["Tall"]))
        else:
            cells.append(_label(r, 2, value or "", tpl))
        rows.append(row_xml(r, cells))
        r += 1
    notes = [getattr(x, "no", x) for x in timeline.notes]     # Norwegian words (series.Note), in a Norwegian workbook
    for line in [str(x) for x in timeline.renames] + notes + ([DERIVED_NOTE] if derived_months else []):
        rows.append(row_xml(r, [text(r, 1, "Merknad", xf["SumTekst"]), _label(r, 2, line, tpl, "Merknad")]))
        r += 1
    r += 1
    rows.append(row_xml(r, [text(r, 1, "Ark", xf["Seksjon"])]))
    r += 1
    heads = ["Ark", "Tabell", "Del", "Serier"]
    rows.append(row_xml(r, [text(r, i, h, xf["Kolonnehode"]) for i, h in enumerate(heads, 1)]))
    r += 1
    for sheet, what in ((DIAGRAM, "Diagram per tabellark"), (REVISIONS, "Revisjoner")):
        rows.append(row_xml(r, [text(r, 1, sheet, xf["Lenke"]), text(r, 2, what, xf["Tekst"])]))
        links.append((cell(r, 1), f"{quote_sheet(sheet)}!A1", sheet))
        r += 1
    for (table, section), name in zip(places, names, strict=True):
        rows.append(row_xml(r, [text(r, 1, name, xf["Lenke"]), _label(r, 2, table, tpl), _label(r, 3, section, tpl),
                                num(r, 4, len(groups[(table, section)]), xf["Tall"])]))
        links.append((cell(r, 1), f"{quote_sheet(name)}!A1", name))
        r += 1
    r += 1
    rows.append(row_xml(r, [text(r, 1, "Rapporter", xf["Seksjon"])]))
    r += 1
    heads = ["Periode", "Kildefil", "SHA-256"]
    rows.append(row_xml(r, [text(r, i, h, xf["Kolonnehode"]) for i, h in enumerate(heads, 1)]))
    r += 1
    for source in timeline.sources:
        rows.append(row_xml(r, [text(r, 1, source.period, xf["Tekst"]), _label(r, 2, source.path, tpl),
                                _label(r, 3, source.sha256, tpl)]))
        r += 1
    # A: the sheets' names whole (a link cut off in print names no sheet)
    widths = [(1, 1, column_width(names, 22, 34)),
              (2, 2, column_width([s.path for s in timeline.sources] + [title], 40, 90)), (3, 3, 30),
              (4, 4, 10)]
    return Sheet(name=CONTENTS, rows=rows, widths=widths, links=links, footer=footer, dimension=f"A1:D{r - 1}")


# --------------------------------------------------------------------------- library convenience

def timeseries_of(paths: Iterable[Path], renames: dict[str, str] | None = None) -> Timeline:
    """Parse `paths` and build their timeline (the batch uses stored or worker data instead)."""
    archive = Archive()
    for path in paths:
        archive.add(tidy(parse_report(path)), str(path), Path(path).stat().st_mtime)
    return build(archive, renames)
