"""The plain baseline again, written with XlsxWriter instead of openpyxl.

The same naive parser and the same sheets as bench/baseline.py (title, period, header, rows, a
=SUM over the detail rows for each total row, bold totals), so the two baselines differ only in
the writing library. XlsxWriter is a write-only library built for speed: it shows what the
fastest well-kept Python writer costs. Install it with `pip install -e '.[bench]'`.

Usage: python bench/baseline_xlsxwriter.py INPUT... -o OUT   (as bench/baseline.py)
"""

from __future__ import annotations

from pathlib import Path

from baseline import Table, main, sum_rows


def write(period: str, tables: list[Table], out: Path) -> None:
    import xlsxwriter

    out.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(out))
    bold = wb.add_format({"bold": True})
    for n, table in enumerate(tables, 1):
        ws = wb.add_worksheet(f"Tabell {n}")
        ws.write(0, 0, table.title)
        ws.write(1, 0, period)
        ws.write_row(2, 1, table.header)
        for i, row in enumerate(sum_rows(table, 4)):        # sheet row 4 = index 3
            fmt = bold if table.rows[i][1] else None
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str) and value.startswith("=SUM("):
                    ws.write_formula(3 + i, c, value, fmt)
                elif isinstance(value, int):
                    ws.write_number(3 + i, c, value, fmt)
                else:
                    ws.write_string(3 + i, c, value, fmt)
    wb.close()


if __name__ == "__main__":
    main(writer=write, name="XlsxWriter")
