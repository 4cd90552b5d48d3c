"""A parsed report's checks, notes and sheet layouts, and whether its workbook fits Excel.

The first step of building a workbook (books.report.build_workbook) and all that `--check` needs of
it (run.convert.convert_file with write=False): one computation for both, so a check finds exactly
what the workbook's Avstemming sheet shows and refuses exactly the reports the writer refuses,
without importing the writer.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ReportFormatError
from ..model import Report
from ..rules.checks import Check, Values, derive, reconcile_report, table_check_count, unknown
from ..rules.meaning import Meaning
from .layout import MAX_ROWS, ReconciliationLayout, TableLayout, limit_problem, sheet_names, table_layout


@dataclass
class Audit:
    """What audit found: the checks and notes, and what the workbook's sheets are built from."""

    derived: list[Values]                       # each table's cell values (the formulas' cached values)
    unknowns: list[set[tuple[int, int, int]]]   # each table's cells whose value is not known
    checks: list[Check]
    notes: list[str]                            # what was not compared, what the parser kept (Norwegian)
    names: list[str]                            # the table sheets' names
    layouts: list[TableLayout]
    meaning: Meaning                            # what the report's numbers mean, worked out once (checks, series)


NO_CHECKS = "Ingen kontroller mulig"


def no_checks_reason(report: Report) -> tuple[str, str]:
    """Why a report gives no check at all: (Norwegian for the workbook, English for the console)."""
    if any(t.notes for t in report.tables):
        return ("tallene bekrefter ingen sum eller beregnet kolonne (se merknadene)",
                "the numbers confirm no sum or computed column (see the notes)")
    return ("rapporten har ingen summer, beregnede kolonner eller tall som står i flere tabeller",
            "the report has no totals, computed columns or figures printed in two tables")


def audit(report: Report) -> Audit:
    """Reconcile `report` and lay out its table sheets.

    Raises ReportFormatError (reason "limit") when its workbook cannot fit Excel's limits.
    """
    names = sheet_names([t.title for t in report.tables])
    layouts = [table_layout(t, n) for t, n in zip(report.tables, names, strict=True)]
    # First from cheap counts, before a check is made: a report too big for Excel (its tables,
    # or its Avstemming: the checks within the tables alone, counted) is refused in the time of
    # its parse, not after building a million checks (a minute and gigabytes, issue 21).
    _refuse(report, limit_problem(report, layouts, 0, 0))
    unknowns = [unknown(t) for t in report.tables]
    least = table_check_count(report, unknowns)
    table_notes = [note for table in report.tables for note in table.notes]
    if ReconciliationLayout(least, len(table_notes) + len(report.warnings)).bottom_row > MAX_ROWS:
        _refuse(report, f"at least {least:,} checks need more rows than the Avstemming sheet can have ({MAX_ROWS:,})")
    derived = [derive(t) for t in report.tables]
    meaning = Meaning(report)
    result = reconcile_report(report, derived, unknowns, meaning)
    checks, notes = result.checks, [*result.notes, *table_notes, *report.warnings]
    _refuse(report, limit_problem(report, layouts, len(checks), len(notes)))
    return Audit(derived, unknowns, checks, notes, names, layouts, meaning)


def _refuse(report: Report, problem: str | None) -> None:
    if problem:
        raise ReportFormatError(report.source, f"too big for Excel: {problem}",
                                "Split the report into smaller ones", reason="limit")
