"""One report file → one result: the one path every caller takes.

`convert_file` reads the file (with the size limit), parses it, reconciles it, builds the
workbook (refusing one that cannot fit Excel's limits) and, unless `write=False`, writes it
atomically, never over an edited or foreign file. The CLI (one file), the batch workers and
`--check` (write=False) all call it.

With `write=False` it stops after the workbook's first step (audit.audit: the checks, and
Excel's limits), so a check never imports the writer (workbook, xlsx, output) nor, unless one is
given, loads a template: the writer's modules are imported inside `convert_file`, when writing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..books.audit import audit
from ..model import Report
from ..read.source import DEFAULT_MAX_BYTES, parse_report
from ..rules.checks import Check
from ..rules.meaning import Meaning

if TYPE_CHECKING:
    from ..xlsx.template import Template


@dataclass
class Result:
    """What converting (or checking) one report gave."""

    source: Path
    output: Path | None                 # None when nothing was written (write=False)
    report: Report
    checks: list[Check] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)   # tables not compared, headings kept empty (Norwegian)
    meaning: Meaning | None = None      # the report's Meaning (worked out once: the checks' and the tidy data's)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.holds]


def describe(check: Check) -> str:
    """A failing check in one line: where, the published and the computed figure, what and where from."""
    blank = "(tom)"
    where = " / ".join(x for x in (check.table, check.section, check.row, check.column) if x)
    published = blank if check.published is None else check.published
    computed = blank if check.computed is None else check.computed
    return f"{where}: published {published}, computed {computed} ({check.kind}, line {check.line})"


def convert_file(src: str | os.PathLike[str], dst: str | os.PathLike[str] | None = None,
                 template: Template | str | os.PathLike[str] | None = None, *, write: bool = True,
                 force: bool = False, max_bytes: int = DEFAULT_MAX_BYTES, now: datetime | None = None,
                 parsed: Callable[[Report], None] | None = None) -> Result:
    """Parse `src`, reconcile it, build its workbook and write it to `dst` (default: beside `src`).

    `write=False` stops before writing (and before looking at `dst`): a check that the report
    converts. `force` replaces an existing file that tiltak2xlsx did not write or that was edited
    since. `now` is the conversion time recorded in the workbook (default: the current time).
    `parsed` is called with the report as soon as it is parsed (a batch keeps its figures for the
    time series even when its workbook then cannot be written).

    Raises ReportFormatError for a bad report or one too big for Excel (nothing is written),
    TemplateError, OutputError. Discrepancies are not errors: they are in `Result.failures` and
    on the Avstemming sheet.
    """
    src = Path(src)
    if write:
        # Imported here, like the workbook below: the writer is not on the --check path.
        from .output import check_target, default_output, write_atomic

        out = Path(dst) if dst is not None else default_output(src)
        check_target(out, force)                # before the work: an edited file is refused at once
    tpl = _template(template, write)
    report = parse_report(src, max_bytes=max_bytes)
    if parsed is not None:
        parsed(report)
    if not write:
        found = audit(report)                   # what build_workbook finds first, without building the workbook
        return Result(src, None, report, found.checks, found.notes, found.meaning)
    from ..books.report import build_workbook

    built = build_workbook(report, tpl, now=now)
    write_atomic(out, built.write, guard=lambda: check_target(out, force))   # and again, just before the rename
    return Result(src, out, report, built.checks, built.notes, built.meaning)


def _template(template: Template | str | os.PathLike[str] | None, write: bool) -> Template | None:
    """The template to write with; a check loads only a given one (refusing a bad one), never the bundled one."""
    if template is None and not write:
        return None
    # Imported here: a check with the bundled template needs none.
    from ..xlsx.template import Template, load_template

    return template if isinstance(template, Template) else load_template(template)
