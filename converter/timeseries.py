"""An archive of monthly reports as one time series (the one place pandas earns its import).

`to_frame` gives the tidy long table (period, table, section, row, column, value); the
writer pivots it into `tidsserie.xlsx`: an overview sheet with a chart, then one sheet per
table and section with a row per (row label, column) and a column per month in calendar
order. Months missing from the archive are empty columns and are listed; of two reports for
the same month the newer file wins, and that is reported too.
"""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING

from .layout import sheet_names
from .model import ColumnKind, Report
from .output import write_atomic
from .source import parse_report

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ["period", "table", "section", "row", "column", "value"]
OVERVIEW = "Oversikt"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_frame(reports: Iterable[Report]) -> pd.DataFrame:
    """The published numbers of `reports` as one long table, one row per cell.

    `table` is the table's sheet name in its monthly workbook (unique within a report, so the
    two tables titled "Tiltaksgrupper og hovedgrupper" stay apart); `value` is a nullable
    integer: a blank cell is <NA>, never 0.
    """
    import pandas as pd

    records = []
    for report in reports:
        names = sheet_names([t.title for t in report.tables])
        for table, name in zip(report.tables, names, strict=True):
            for section in table.sections:
                for row in section.rows:
                    for col, value in zip(table.columns, row.values, strict=True):
                        records.append((report.period.key, name, section.heading or "", row.label, col.header,
                                        value))
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    frame["value"] = frame["value"].astype("Int64")
    return frame


def _months(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _neutral(text: str) -> str:
    """CSV cells that a spreadsheet would run as a formula get a leading apostrophe (CWE-1236)."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_timeseries(paths: list[Path], xlsx: Path, csv: Path) -> list[str]:
    """Parse `paths`, write the long table to `csv` and the pivoted workbook to `xlsx`. Returns notes."""
    notes: list[str] = []
    by_period: dict[str, tuple[float, Path, Report]] = {}
    for path in paths:
        report = parse_report(path)
        mtime = path.stat().st_mtime
        key = report.period.key
        if key in by_period:
            other = by_period[key]
            newer, older = ((mtime, path, report), other) if mtime >= other[0] else (other, (mtime, path, report))
            notes.append(f"time series: two reports for {key}: {older[1]} and {newer[1]}; using {newer[1]} (newer)")
            by_period[key] = newer
        else:
            by_period[key] = (mtime, path, report)
    periods = sorted(by_period)
    months = _months(periods[0], periods[-1])
    missing = [m for m in months if m not in by_period]
    if missing:
        notes.append(f"time series: {len(missing)} missing month(s): {', '.join(missing)}")
    reports = [by_period[p][2] for p in periods]
    frame = to_frame(reports)

    text = frame.copy()
    for name in ("table", "section", "row", "column"):
        text[name] = text[name].map(_neutral)
    write_atomic(csv, text.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    write_atomic(xlsx, _workbook(frame, reports, months, missing, notes))
    return notes


def _workbook(frame: pd.DataFrame, reports: list[Report], months: list[str], missing: list[str],
              notes: list[str]) -> bytes:
    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.chart import LineChart, Reference
    from openpyxl.chart.series import SeriesLabel
    from openpyxl.styles import Alignment, Font, PatternFill

    percent_headers = {col.header for r in reports for t in r.tables for col in t.columns
                       if col.kind is ColumnKind.PERCENT}
    wb = Workbook()
    overview = wb.active
    overview.title = OVERVIEW
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="1F3864")
    head_font = Font(bold=True, color="FFFFFF")

    groups = list(dict.fromkeys(zip(frame["table"], frame["section"], strict=True)))
    # A section's sheet is named by its heading (the table's full name is listed on the overview).
    names = sheet_names([s or t for t, s in groups], reserved=(OVERVIEW,))
    index = {m: i for i, m in enumerate(months)}
    first_sheet = None
    for (table, section), name in zip(groups, names, strict=True):
        part = frame[(frame["table"] == table) & (frame["section"] == section)]
        ws = wb.create_sheet(name)
        ws.append(["Rad", "Kolonne", *months])
        for cell in ws[1]:
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(horizontal="center")
        keys = list(dict.fromkeys(zip(part["row"], part["column"], strict=True)))
        position = {k: i for i, k in enumerate(keys)}
        grid: list[list[object]] = [[row, col, *([None] * len(months))] for row, col in keys]
        for period, row, col, value in zip(part["period"], part["row"], part["column"], part["value"], strict=True):
            grid[position[(row, col)]][2 + index[period]] = None if pd.isna(value) else int(value)
        for line in grid:
            ws.append(line)
            fmt = "0" if line[1] in percent_headers else "#,##0"
            for cell in ws[ws.max_row][2:]:
                cell.number_format = fmt
        for cell in ws["A"][1:] + ws["B"][1:]:
            cell.data_type = "s"
        ws.freeze_panes = "C2"
        ws.column_dimensions["A"].width = min(60, max(12, *(len(str(k[0])) + 2 for k in keys)))
        ws.column_dimensions["B"].width = min(40, max(10, *(len(str(k[1])) + 2 for k in keys)))
        if first_sheet is None:
            first_sheet = (ws, keys)

    overview["A1"] = "Tidsserie: " + (reports[0].title if reports else "")
    overview["A1"].font = Font(bold=True, size=14, color="1F3864")
    overview["A2"] = f"{months[0]} – {months[-1]}: {len(reports)} rapporter, {len(months)} måneder"
    overview["A3"] = "Manglende måneder: " + (", ".join(missing) if missing else "ingen")
    for i, note in enumerate(notes, start=4):
        overview.cell(i, 1, note).font = bold
    if first_sheet is not None:
        ws, keys = first_sheet
        # Each row of the first table, in its first column (the grand total and every group), over time.
        first_column = keys[0][1]
        chart = LineChart()
        chart.title = f"{ws.title}: {first_column}"
        chart.y_axis.title = first_column
        chart.x_axis.title = "Måned"
        chart.height, chart.width = 9, 22
        for i, (_row, col) in enumerate(keys, start=2):
            if col != first_column:
                continue
            data = Reference(ws, min_col=2 + 1, max_col=2 + len(months), min_row=i, max_row=i)
            chart.add_data(data, from_rows=True, titles_from_data=False)
            chart.series[-1].tx = SeriesLabel(v=str(ws.cell(i, 1).value))
        chart.set_categories(Reference(ws, min_col=3, max_col=2 + len(months), min_row=1, max_row=1))
        overview.add_chart(chart, "A8")
    from openpyxl.worksheet.hyperlink import Hyperlink

    row = 28
    overview.cell(row, 1, "Ark").font = bold
    overview.cell(row, 2, "Tabell").font = bold
    for (table, section), name in zip(groups, names, strict=True):
        row += 1
        link = overview.cell(row, 1, name)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1")
        link.font = Font(color="0563C1", underline="single")
        overview.cell(row, 2, f"{table} – {section}" if section else table).data_type = "s"
    overview.column_dimensions["A"].width = 34
    overview.column_dimensions["B"].width = 60
    overview.page_setup.orientation = "landscape"
    overview.page_setup.fitToWidth, overview.page_setup.fitToHeight = 1, 0
    overview.sheet_properties.pageSetUpPr.fitToPage = True
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
