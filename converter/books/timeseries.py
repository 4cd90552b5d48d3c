"""An archive of reports as time series: `tidsserie.xlsx` and `tidsserie.csv`.

Built from each report's tidy data (series.tidy.ReportData, from rules.meaning), never from text:
`series.build` gives the timeline (series, missing months, revisions, renames, derived months);
this module writes it with the project's own streaming writer (xlsx/) and the house template:

- `Innhold`: what the archive holds (reports, months, missing months, derived values,
  revisions, renames, notes), the sheets, and every report with its SHA-256.
- `Diagram`: one line chart per table sheet: its counts (the
  rows of the table's own count column, not the cross columns), at most `CHART_LINES` lines, in
  report order. A renamed series is one line.
- One sheet per table (its sections as heading rows; a table of more than series.SHEET_ROWS
  series is split by section): a row per (row, column) series, a column per month;
  months without a report are empty columns; derived values (count − change) carry the style
  `Avledet`, values published only in a report of another period (a year column, a time-series
  column) a light blue fill (`REPUBLISHED_STYLE`, made here from the number style: the template has no
  such style), each with a legend on the sheet.
- Other frequencies (quarters, ranges of months, years, yearly averages, dates): sheets of
  their own, named with the frequency ("Hovedgrupper (kvartal)"), a column per period.
- `Revisjoner`: every figure another report shows differently from what was published.

`tidsserie.csv` is the long (tidy) table: one row per figure and period, with its coordinates,
whether it is derived or republished, and its frequency.
pandas is not used here (only `to_frame`, for library users, imports it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, BinaryIO

from ..model import Measure, Report
from ..series.archive import Archive, Source
from ..series.axes import end_month
from ..series.tidy import ABSENT, BLANK, tidy
from ..series.timeline import TIDY_COLUMNS, Line, Revision, Timeline, build, group_lines, tidy_rows
from ..version import TOOL
from ..xlsx.address import cell, column_letter, quote_sheet
from ..xlsx.cells import (
    Link,
    column_openings,
    formula,
    label,
    link,
    next_blank,
    next_num,
    next_text,
    num,
    reference_end,
    row_xml,
    starts_like_formula,
    text,
)
from ..xlsx.chart import ChartSeries, line_chart
from ..xlsx.package import Properties, Sheet, footer_text, package, with_fill
from ..xlsx.styles import (
    COUNT,
    DERIVED,
    DERIVED_STYLE,
    HEADER,
    LINK,
    NOTE,
    PERCENT,
    PERIOD,
    SECTION,
    SUM_TEXT,
    TEXT,
    TITLE,
    Style,
)
from ..xlsx.template import Template
from .layout import CONTENTS, column_width, sheet_names

if TYPE_CHECKING:
    import pandas as pd

DIAGRAM, REVISIONS = "Diagram", "Revisjoner"
CHART_LINES = 12            # more lines than this make a chart unreadable; the sheet has them all
CHART_ROWS = 22             # sheet rows per chart on Diagram
_HEADER, _FIRST = 4, 5      # header row and first data row of the table sheets and Revisjoner
_RV = ["Periode", "Rapport", "Tabell", "Del", "Gruppe", "Rad", "Kolonne", "Publisert da", "Implisitt nå",
       "Differanse"]
_RV = [*_RV, "Hvordan", "Kildefil"]
DERIVED_NOTE = ("Avledet: ingen rapport i arkivet publiserer tallet for perioden; verdien er det neste års "
                "rapport viser for den (antall − endring fra i fjor), ikke et publisert tall.")
REPUBLISHED = "Publisert senere"
REPUBLISHED_NOTE = ("Publisert senere (lys blå): tallet for perioden er publisert i en rapport for en annen "
                    "periode (en årskolonne eller en tidsseriekolonne), ikke i periodens egen rapport.")
REPUBLISHED_FILL = "00DDEBF7"
REPUBLISHED_STYLE = COUNT._replace(fill=REPUBLISHED_FILL)        # made by with_republished_style
FREQUENCY_NB = {"month": "måned", "quarter": "kvartal", "months": "flere måneder", "year": "år",
                "average": "årsgjennomsnitt", "date": "dato"}


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
    return "'" + value if starts_like_formula(value) else value


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

    def row(month: str, m: int, line: Line, labels: bytes, tail: str) -> bytes:
        v = line.values[m]
        value = "" if v == BLANK else (v if line.decimals == 0 else line.value(m))
        mark = line.marks.get(m, "")
        return labels.join((f"{month},".encode(), f",{value},{quoted((mark,)) if mark else ''},"
                                                  f"{'1' if m in line.derived else ''},"
                                                  f"{'1' if m in line.republished else ''},{tail}\n".encode()))

    out.write((quoted(TIDY_COLUMNS) + "\n").encode())
    for part in timeline.all():
        tail = part.frequency
        end = f",,,{tail}\n".encode()
        # Per series: its quoted labels, its values, and whether a row is only its number (a whole
        # count, no symbol, not derived or republished: the common case, written inline).
        lines = [(line, quoted(_neutral(x) for x in (*line.sid[:4], line.column, line.sid[4], line.sid[5])).encode(),
                  line.values, not line.decimals and not line.marks and not line.derived and not line.republished)
                 for line in part.lines]
        for m, month in enumerate(part.months):
            stamp = month.encode()
            out.write(b"".join([(b"%b,%b,%d,%b" % (stamp, labels, v, end) if v != BLANK
                                 else b"%b,%b,,%b" % (stamp, labels, end))
                                if plain else row(month, m, line, labels, tail)
                                for line, labels, values, plain in lines if (v := values[m]) != ABSENT]))


# --------------------------------------------------------------------------- the workbook

def _span(part: Timeline) -> str:
    return f"{part.months[0]} – {part.months[-1]}" if part.months else ""


def with_republished_style(tpl: Template) -> Template:
    """The template plus one cell format for republished values (REPUBLISHED_STYLE): the number
    style `Tall` with a light blue fill, appended to the template's formats (the template itself
    has no such style)."""
    styles_xml, index = with_fill(tpl.styles_xml, tpl.xf[COUNT], REPUBLISHED_STYLE.fill)
    return replace(tpl, styles_xml=styles_xml, xf={**tpl.xf, REPUBLISHED_STYLE: index})


def write_workbook(timeline: Timeline, tpl: Template, out: BinaryIO, now: datetime | None = None) -> None:
    tpl = with_republished_style(tpl)
    parts = timeline.all()
    # Sheets: per frequency (months first), per table and section; another frequency's sheet names it.
    sheets_of: list[tuple[Timeline, tuple[str, str], list[Line]]] = []
    for part in parts:
        for place, lines in group_lines(part.lines).items():
            sheets_of.append((part, place, lines))
    titles = [(section or table) + ("" if part.frequency == "month" else f" ({FREQUENCY_NB[part.frequency]})")
              for part, (table, section), _ in sheets_of]
    names = sheet_names(titles, reserved=(CONTENTS, DIAGRAM, REVISIONS))
    sources = _all_sources(timeline)
    title = _title(sources)
    span = " · ".join(_span(part) for part in parts) if parts else ""
    footer = footer_text("tidsserie.xlsx", span)
    revisions = [r for part in parts for r in part.revisions]
    sheets = [_contents(timeline, sheets_of, names, tpl, title, span, footer, revisions),
              _diagram(sheets_of, names, tpl, span, footer)]
    sheets += [_table_sheet(part, place, name, lines, tpl, _span(part), footer)
               for (part, place, lines), name in zip(sheets_of, names, strict=True)]
    sheets.append(_revisions(revisions, tpl, footer))
    props = Properties(title=f"Tidsserie: {title}", subject=span, creator=TOOL,
                       created=datetime.now(UTC) if now is None else now,
                       custom={"Rapporter": str(len(sources)), "Periode": span,
                               "Revisjoner": str(len(revisions)),
                               "Verktøy": TOOL})
    package(sheets, tpl.styles_xml, tpl.theme_xml, props, out, landscape=True, paper=tpl.paper_size,
            margins=tpl.margins)


def _title(sources: list[Source]) -> str:
    """The newest report's title; of an archive of several kinds, what their titles begin with
    (the statistic's name, "Deltakere i arbeidsrettede tiltak")."""
    titles = {s.title for s in sources}
    if len(titles) <= 1:
        return sources[-1].title if sources else ""
    return sources[-1].title.split(". ")[0]


def _all_sources(timeline: Timeline) -> list[Source]:
    """Every report of the archive once, in period order."""
    seen: dict[str, Source] = {}
    for part in (timeline, *timeline.others):
        for source in part.sources:
            seen.setdefault(source.path, source)
    return sorted(seen.values(), key=lambda s: (end_month(s.period), s.period, s.path))


def _row_label(line: Line) -> str:
    return f"{line.sid[3]} ({line.sid[2]})" if line.sid[2] else line.sid[3]


def _number_style(line: Line) -> Style:
    return (PERCENT if line.sid[5] == Measure.CHANGE_PERCENT.value else COUNT).shown_with(line.decimals)


def _table_sheet(timeline: Timeline, place: tuple[str, str], name: str, lines: list[Line], tpl: Template,
                 span: str, footer: str) -> Sheet:
    months = timeline.months
    last_col = 2 + len(months)
    derived = any(line.derived for line in lines)
    republished = any(line.republished for line in lines)
    where = _placed(lines, place)

    def rows() -> Iterator[str]:
        xf = tpl.xf
        derived_xf, again_xf = xf[DERIVED], xf[REPUBLISHED_STYLE]
        table, section = place
        yield row_xml(1, [label(1, 1, f"{table} – {section}" if section else table, xf, TITLE)])
        yield row_xml(2, [label(2, 1, f"{span}: {len(timeline.sources)} rapporter", xf, PERIOD)])
        legend: list[str] = []
        if derived:
            legend += [text(3, 1, DERIVED_STYLE, derived_xf), label(3, 2, DERIVED_NOTE, xf, NOTE)]
        if republished:
            legend += [text(3, 3, REPUBLISHED, again_xf), label(3, 4, REPUBLISHED_NOTE, xf, NOTE)]
        if legend:
            yield row_xml(3, legend)
        head = [text(_HEADER, 1, "Rad", xf[HEADER]), text(_HEADER, 2, "Kolonne", xf[HEADER])]
        head += [text(_HEADER, 3 + m, month, xf[HEADER]) for m, month in enumerate(months)]
        yield row_xml(_HEADER, head)
        again_blank = next_blank(again_xf)
        # The hot loop (a cell per series and month): each month's column opening is made once
        # (cells.column_openings), and a cell is its column's opening, the row's reference end and
        # the cell without its address.
        opening = column_openings(3, len(months))
        for r, line in where:
            if isinstance(line, str):               # a section of the table: its heading on a row of its own
                yield row_xml(r, [label(r, 1, line, xf, SECTION)])
                continue
            style = _number_style(line)
            values, d, marks, derived_months, again = (line.values, line.decimals, line.marks, line.derived,
                                                       line.republished)
            number = xf[style]
            symbol = xf[style.as_symbol()] if marks else number
            empty = next_blank(number)
            ref = reference_end(r)
            cells = [label(r, 1, _row_label(line), xf, TEXT), label(r, 2, line.column, xf, TEXT)]
            add = cells.append
            for m, v in enumerate(values):
                if v <= BLANK:
                    if v == ABSENT:
                        continue
                    mark = marks.get(m)
                    body = next_text(mark, symbol, preserve=True) if mark else again_blank if m in again else empty
                    add(f"{opening[m]}{ref}{body}")
                elif d or m in derived_months or m in again:
                    value = v if d == 0 else line.value(m)
                    cell_xf = derived_xf if m in derived_months else again_xf if m in again else number
                    add(f"{opening[m]}{ref}{next_num(value, cell_xf)}")  # type: ignore[arg-type]
                else:
                    add(f"{opening[m]}{ref}{next_num(v, number)}")
            yield row_xml(r, cells)

    last = max(where[-1][0] if where else _FIRST, _FIRST)
    widths = [(1, 1, column_width((_row_label(x) for x in lines), tpl.label_width, 70.0)),
              (2, 2, column_width((x.column for x in lines), 12, 30)), (3, last_col, 9.5)]
    # Printed: a page of months at a time, each with the row and column labels (xlsx.page_plan).
    return Sheet(name=name, rows=rows(), widths=widths, freeze=(_FIRST, 3), print_rows=(1, _HEADER),
                 print_columns=(1, 2), footer=footer,
                 dimension=f"A1:{cell(last, max(last_col, 4 if republished else 2))}")


def _placed(lines: list[Line], place: tuple[str, str]) -> list[tuple[int, Line | str]]:
    """(sheet row, line or section heading) of a table sheet: a sheet of a whole table (place's
    section "") shows each section's heading on a row above its series."""
    out: list[tuple[int, Line | str]] = []
    r, current = _FIRST, ""
    for line in lines:
        section = line.sid[1]
        if not place[1] and section and section != current:
            out.append((r, section))
            r += 1
        current = section
        out.append((r, line))
        r += 1
    return out


def _chart_lines(lines: list[Line], place: tuple[str, str] = ("", "")) -> list[tuple[int, Line]]:
    """(sheet row, line) of the count series a table's chart shows (see the module's docstring)."""
    own = [(r, x) for r, x in _placed(lines, place)
           if isinstance(x, Line) and x.sid[5] == Measure.COUNT.value and not x.sid[4]]
    return own[:CHART_LINES]


def _chart_values(line: Line) -> list[float | None]:
    """A line's cached chart values, a gap where it has no number."""
    if not line.decimals:
        return [None if v <= BLANK else float(v) for v in line.values]
    return [None if v is None else float(v) for v in (line.value(m) for m in range(len(line.values)))]


def _diagram(sheets_of: list[tuple[Timeline, tuple[str, str], list[Line]]], names: list[str], tpl: Template,
             span: str, footer: str) -> Sheet:
    charts: list[tuple[tuple[int, int, int, int], str]] = []
    for (part, place, lines), name in zip(sheets_of, names, strict=True):
        months = part.months
        first_col, last_col = column_letter(3), column_letter(2 + len(months))
        table = place[0]
        chosen = _chart_lines(lines, place)
        if not chosen:
            continue
        q = quote_sheet(name)
        series = [ChartSeries(_row_label(line), f"{q}!$A${r}", f"{q}!${first_col}${r}:${last_col}${r}",
                              _chart_values(line))
                  for r, line in chosen]
        top = 3 + len(charts) * CHART_ROWS
        heading = f"{table} – {place[1]}" if place[1] else table
        if part.frequency != "month":
            heading += f" ({FREQUENCY_NB[part.frequency]})"
        xml = line_chart(heading, series, f"{q}!${first_col}${_HEADER}:${last_col}${_HEADER}", months, "Antall")
        charts.append(((0, top, 12, top + CHART_ROWS - 2), xml))
    rows = [row_xml(1, [label(1, 1, "Diagram", tpl.xf, TITLE)]),
            row_xml(2, [label(2, 1, f"{span}: én linje per rad (antall), høyst {CHART_LINES} per diagram; "
                                    "alle tallene står på tabellarkene", tpl.xf, PERIOD)])]
    # One chart per printed page: a page ends above each chart but the first.
    breaks = [3 + k * CHART_ROWS for k in range(1, len(charts))]
    return Sheet(name=DIAGRAM, rows=rows, charts=charts, footer=footer, dimension="A1:A2", row_breaks=breaks)


def _revisions(revisions: list[Revision], tpl: Template, footer: str) -> Sheet:
    last = _FIRST + max(len(revisions), 1) - 1

    def rows() -> Iterator[str]:
        xf = tpl.xf
        yield row_xml(1, [label(1, 1, REVISIONS, xf, TITLE)])
        yield row_xml(2, [label(2, 1, "Tall som en annen rapport viser annerledes (implisitt: antall − endring fra "
                                       "i fjor; publisert: en kolonne for perioden, eller en annen rapporttype for "
                                       "samme periode) enn det som ble publisert", xf, PERIOD)])
        yield row_xml(_HEADER, [text(_HEADER, i, h, xf[HEADER]) for i, h in enumerate(_RV, 1)])
        if not revisions:
            yield row_xml(_FIRST, [text(_FIRST, 1, "Ingen revisjoner", xf[TEXT])])
        for r, rev in enumerate(revisions, start=_FIRST):
            yield row_xml(r, [
                text(r, 1, rev.period, xf[TEXT]), text(r, 2, rev.report, xf[TEXT]),
                label(r, 3, rev.table, xf, TEXT), label(r, 4, rev.section, xf, TEXT), label(r, 5, rev.group, xf, TEXT),
                label(r, 6, rev.row, xf, TEXT), label(r, 7, rev.column, xf, TEXT),
                num(r, 8, rev.published, xf[COUNT]),      # type: ignore[arg-type]
                num(r, 9, rev.implied, xf[COUNT]),        # type: ignore[arg-type]
                formula(r, 10, f"I{r}-H{r}", rev.difference, xf[COUNT]),   # type: ignore[arg-type]
                label(r, 11, rev.how, xf, TEXT), label(r, 12, rev.source, xf, TEXT),
            ])

    widths = [(1, 2, 10), (3, 3, column_width((x.table for x in revisions), 14, 40)),
              (4, 5, column_width((x.section for x in revisions), 8, 30)),
              (6, 6, column_width((x.row for x in revisions), 16, 50)), (7, 7, 14), (8, 10, 13), (11, 11, 11),
              (12, 12, column_width((x.source for x in revisions), 12, 60))]
    return Sheet(name=REVISIONS, rows=rows(), widths=widths, freeze=(_FIRST, 1),
                 autofilter=f"A{_HEADER}:L{max(last, _HEADER + 1)}", print_rows=(1, _HEADER), footer=footer,
                 dimension=f"A1:L{last}")


def _contents(timeline: Timeline, sheets_of: list[tuple[Timeline, tuple[str, str], list[Line]]], names: list[str],
              tpl: Template, title: str, span: str, footer: str, revisions: list[Revision]) -> Sheet:
    xf = tpl.xf
    rows = [row_xml(1, [label(1, 1, f"Tidsserie: {title}" if title else "Tidsserie", xf, TITLE)]),
            row_xml(2, [label(2, 1, span, xf, PERIOD)])]
    sources = _all_sources(timeline)
    derived_months = timeline.derived_months
    revisions_last = _FIRST + max(len(revisions), 1) - 1
    kinds = "; ".join(f"{n} {kind}" for kind, n in timeline.kinds.items())
    facts: list[tuple[str, str | int | None]] = [
        ("Rapporter", timeline.reports or len(sources)),
        ("Rapporttyper", kinds or "ingen"),
        ("Dubletter", (f"{len(timeline.duplicates)} (samme type og periode; den nyeste brukt: "
                       + ", ".join(f"{p}: {old} → {new}" for p, old, new in timeline.duplicates) + ")")
         if timeline.duplicates else "ingen"),
        ("Måneder", len(timeline.months)),
        ("Manglende måneder", ", ".join(timeline.missing) if timeline.missing else "ingen"),
        ("Avledede verdier", (f"{timeline.derived_values} verdier i {len(derived_months)} måneder "
                              f"({', '.join(derived_months)}), stil {DERIVED_STYLE}") if derived_months else "ingen"),
        ("Publisert senere", (f"{sum(t.republished_values for t in timeline.all())} verdier, lys blå"
                              if any(t.republished_values for t in timeline.all()) else "ingen")),
        ("Revisjoner", None),
        ("Omdøpte serier", str(sum(r.confirmed for r in timeline.renames)) if timeline.renames else "ingen"),
    ]
    facts += [(f"Andre perioder: {FREQUENCY_NB[t.frequency]}", f"{len(t.months)} ({_span(t)}), {len(t.lines)} serier")
              for t in timeline.others if t.months]
    r = 4
    links: list[Link] = []
    for key, value in facts:
        cells = [text(r, 1, key, xf[SUM_TEXT])]
        if key == "Revisjoner":
            cells.append(formula(r, 2, f"COUNT({quote_sheet(REVISIONS)}!$J${_FIRST}:$J${revisions_last})",
                                 len(revisions), xf[COUNT]))
        elif isinstance(value, int):
            cells.append(num(r, 2, value, xf[COUNT]))
        else:
            cells.append(label(r, 2, value or "", xf, TEXT))
        rows.append(row_xml(r, cells))
        r += 1
    republished = any(t.republished_values for t in timeline.all())
    notes = [getattr(x, "no", x) for x in timeline.notes]     # Norwegian words (series.Note), in a Norwegian workbook
    for line in ([str(x) for x in timeline.renames] + notes + ([DERIVED_NOTE] if derived_months else [])
                 + ([REPUBLISHED_NOTE] if republished else [])):
        rows.append(row_xml(r, [text(r, 1, "Merknad", xf[SUM_TEXT]), label(r, 2, line, xf, NOTE)]))
        r += 1
    r += 1
    rows.append(row_xml(r, [text(r, 1, "Ark", xf[SECTION])]))
    r += 1
    heads = ["Ark", "Tabell", "Del", "Serier", "Periodetype"]
    rows.append(row_xml(r, [text(r, i, h, xf[HEADER]) for i, h in enumerate(heads, 1)]))
    r += 1
    for sheet, what in ((DIAGRAM, "Diagram per tabellark"), (REVISIONS, "Revisjoner")):
        to_sheet, target = link(r, 1, sheet, f"{quote_sheet(sheet)}!A1", xf[LINK])
        rows.append(row_xml(r, [to_sheet, text(r, 2, what, xf[TEXT])]))
        links.append(target)
        r += 1
    for (part, (table, section), lines), name in zip(sheets_of, names, strict=True):
        to_sheet, target = link(r, 1, name, f"{quote_sheet(name)}!A1", xf[LINK])
        rows.append(row_xml(r, [to_sheet, label(r, 2, table, xf, TEXT), label(r, 3, section, xf, TEXT),
                                num(r, 4, len(lines), xf[COUNT]),
                                text(r, 5, FREQUENCY_NB[part.frequency], xf[TEXT])]))
        links.append(target)
        r += 1
    r += 1
    rows.append(row_xml(r, [text(r, 1, "Rapporter", xf[SECTION])]))
    r += 1
    heads = ["Periode", "Kildefil", "SHA-256", "Type"]
    rows.append(row_xml(r, [text(r, i, h, xf[HEADER]) for i, h in enumerate(heads, 1)]))
    r += 1
    for source in sources:
        rows.append(row_xml(r, [text(r, 1, source.period, xf[TEXT]), label(r, 2, source.path, xf, TEXT),
                                label(r, 3, source.sha256, xf, TEXT), label(r, 4, source.kind, xf, TEXT)]))
        r += 1
    # A: the sheets' names whole (a link cut off in print names no sheet)
    widths = [(1, 1, column_width(names, 22, 34)),
              (2, 2, column_width([s.path for s in sources] + [title], 40, 90)), (3, 3, 30),
              (4, 4, 10), (5, 5, 14)]
    return Sheet(name=CONTENTS, rows=rows, widths=widths, links=links, footer=footer, dimension=f"A1:E{r - 1}")
