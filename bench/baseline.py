"""The plain baseline: what a user could write in an afternoon instead of using tiltak2xlsx.

bench/run.py times our CLI against this script, so it must stay an honest yardstick: the
minimum that turns a "Deltakere i arbeidsrettede tiltak" text report into a usable workbook,
with nothing our tool adds (no template, no cached values, no reconciliation of totals, no
styles beyond bold, no CLI framework). It depends on the standard library and openpyxl only.

Parsing is deliberately naive: `#` lines are headings (the first one is the report's name and
starts each page), a line like "Februar 2014" is the period, a tab-separated line starting with a tab
is a table's header row and the following tab-separated lines are its rows; `<b>…</b>` marks a
total. A page whose headings and header equal the previous table's continues it, and its
repeated top total row is dropped. Each table becomes a sheet: title in A1, period in A2,
header row, then rows with int values. A total row gets `=SUM(...)` over the detail rows that
follow it up to the next total row (a simple rule, wrong for subtotals printed after their
rows), or keeps its number when no detail row follows.

Usage: python bench/baseline.py INPUT... -o OUT
  a file with `-o X.xlsx` writes X.xlsx; otherwise OUT/<name>.xlsx, and a folder writes
  OUT/<relative path>.xlsx for every *.txt under it, all in this one process.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BOLD_TAG = re.compile(r"</?b>", re.IGNORECASE)
PERIOD = re.compile(r"^[^\W\d_]+ \d{4}$")

Value = int | str | None


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[tuple[list[Value], bool]] = field(default_factory=list)  # (cells, is_total)


def value(cell: str) -> Value:
    """'-1 852' → -1852, '' → None, anything else stays text."""
    text = BOLD_TAG.sub("", cell).strip()
    digits = text.replace(" ", "").replace("\xa0", "").replace("\u2212", "-")
    try:
        return int(digits)
    except ValueError:
        return text or None


def parse(text: str) -> tuple[str, list[Table]]:
    """Return the period and the tables of one report, continued pages merged."""
    name, period = None, ""
    headings: list[str] = []        # headings seen on this page since the last header row
    tables: list[Table] = []
    current: Table | None = None
    repeat: list[Value] | None = None  # a continued page's first row, dropped if it repeats the top total
    for line in text.splitlines():
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
            if name is None or heading == name:                 # a new page
                name, headings = heading, []
            else:
                headings.append(heading)
            current = None
        elif "\t" in line:
            cells = line.split("\t")
            if cells[0] == "":                                  # header row
                title = " – ".join(headings) or (tables[-1].title if tables else "")
                header = [c.strip() for c in cells[1:]]
                headings = []
                if tables and tables[-1].title == title and tables[-1].header == header:
                    current = tables[-1]                        # continued page
                    repeat = current.rows[0][0] if current.rows else None
                else:
                    current = Table(title, header)
                    tables.append(current)
            elif current is not None:
                row = [value(c) for c in cells]
                if repeat is not None:
                    skip, repeat = row == repeat, None
                    if skip:
                        continue
                current.rows.append((row, "<b>" in line.lower()))
        elif not period and PERIOD.match(line.strip()):
            period = line.strip()
    return period, tables


Writer = Callable[[str, list[Table], Path], None]


def sum_rows(table: Table, first: int) -> list[list[Value]]:
    """The table's rows as written from sheet row `first` on: a total row gets =SUM over its detail rows."""
    out = []
    for i, (cells, total) in enumerate(table.rows):
        row: list[Value] = list(cells)
        if total:
            end = i + 1
            while end < len(table.rows) and not table.rows[end][1]:
                end += 1
            if end > i + 1:                                 # detail rows i+1 .. end-1
                for c in range(1, len(row)):
                    if isinstance(row[c], int):
                        col = column_letter(c + 1)
                        row[c] = f"=SUM({col}{first + i + 1}:{col}{first + end - 1})"
        out.append(row)
    return out


def column_letter(n: int) -> str:
    letters = ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def write(period: str, tables: list[Table], out: Path) -> None:
    # openpyxl is imported here, not at the top, only so that bench/baseline_xlsxwriter.py can
    # share this parser without importing it; a run of this script pays the same either way.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    wb = Workbook()
    for n, table in enumerate(tables, 1):
        ws = wb.active if n == 1 else wb.create_sheet()
        ws.title = f"Tabell {n}"
        ws["A1"] = table.title
        ws["A2"] = period
        ws.append([None, *table.header])
        first = ws.max_row + 1
        for i, row in enumerate(sum_rows(table, first)):
            ws.append(row)
            if table.rows[i][1]:
                for cell in ws[first + i]:
                    cell.font = bold
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)


def convert(src: Path, out: Path, writer: Writer = write) -> None:
    data = src.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    writer(*parse(text), out)


def main(argv: list[str] | None = None, writer: Writer = write, name: str = "openpyxl") -> None:
    ap = argparse.ArgumentParser(description=f"Convert tiltak text reports to .xlsx (plain {name} baseline).")
    ap.add_argument("inputs", nargs="+", type=Path, help="report files or folders of *.txt")
    ap.add_argument("-o", "--out", type=Path, required=True, help="X.xlsx for one file, else a folder")
    args = ap.parse_args(argv)
    for src in args.inputs:
        if src.is_dir():
            for txt in sorted(src.rglob("*.txt")):
                convert(txt, args.out / txt.relative_to(src).with_suffix(".xlsx"), writer)
        elif args.out.suffix.lower() == ".xlsx":
            convert(src, args.out, writer)
        else:
            convert(src, args.out / src.with_suffix(".xlsx").name, writer)


if __name__ == "__main__":
    main()
