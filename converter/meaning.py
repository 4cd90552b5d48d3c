"""What each published number means: its measure and categories, from the report's structure. Pure.

`figures(report)` lists every published cell as a `Figure` (see model.py): the tidy records the
cross-table agreement checks match on and the time series is built from.

(First cut: measures from column headers, categories from section and row. The full rules
(slices, groups, ambiguous labels) are being built under issue 9; the contract is `Figure`.)
"""

from __future__ import annotations

from .model import MONTHS, ColumnKind, Figure, Measure, Report, Table


def canon(text: str) -> str:
    """A label as a key: case, commas and spacing ignored."""
    return " ".join(text.replace(",", " ").split()).casefold()


def column_measure(header: str, kind: ColumnKind, report_period: str) -> tuple[Measure, str]:
    """(measure, period) of a column from its header."""
    key = canon(header)
    words = key.split()
    if len(words) == 2 and words[0] in MONTHS and words[1].isdigit():
        period = f"{int(words[1]):04d}-{MONTHS.index(words[0]) + 1:02d}"
        if period == report_period:
            return Measure.COUNT, period
        y, m = map(int, report_period.split("-"))
        return (Measure.PREVIOUS if period == f"{y - 1:04d}-{m:02d}" else Measure.PERIOD), period
    if kind is ColumnKind.PERCENT or ("endring" in key and key.endswith(("prosent", "%"))):
        return Measure.CHANGE_PERCENT, report_period
    if "endring" in key:
        return Measure.CHANGE, report_period
    if "andel" in key or key.endswith(("prosent", "%")):
        return Measure.SHARE, report_period
    return Measure.COUNT, report_period


def figures(report: Report) -> list[Figure]:
    """Every published number of `report` with its coordinates, in report order."""
    out: list[Figure] = []
    period = report.period.key
    for table in report.tables:
        out.extend(_table_figures(table, period))
    return out


def _table_figures(table: Table, period: str) -> list[Figure]:
    out: list[Figure] = []
    cross = table.is_cross
    measures = [column_measure(c.header, c.kind, period) for c in table.columns]
    for section in table.sections:
        heading = section.heading or ""
        for row in section.rows:
            for c, col in enumerate(table.columns):
                measure, when = measures[c]
                category = col.header if cross and col.kind is ColumnKind.VALUE else ""
                cats = tuple(sorted(canon(x) for x in (heading, row.label, category) if x))
                out.append(Figure(table.title, heading, "", row.label, col.header, category, measure, when,
                                  row.values[c], row.mark(c), 0, cats))
    return out
