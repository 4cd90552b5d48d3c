"""tiltak2xlsx: NAV "Deltakere i arbeidsrettede tiltak" text reports → reconciled Excel workbooks.

The library is complete without the CLI::

    from converter import parse_report, reconcile, convert_file, convert_paths, timeseries_of, write_timeseries
    report = parse_report("tiltak-2014-02.txt")
    failures = [c for c in reconcile(report) if not c.holds]
    result = convert_file("tiltak-2014-02.txt", "tiltak-2014-02.xlsx")
    timeline = timeseries_of(sorted(Path("arkiv").rglob("*.txt")))   # revisions, renames, derived months
    write_timeseries(timeline, Path("tidsserie.xlsx"), Path("tidsserie.csv"))

Names are imported on first use, so `import converter` (and `tiltak2xlsx --help`) stays cheap.
This facade is for users of the library: no module of the package imports from it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .version import __version__

# The stages, bottom first: each a subpackage, and a module imports only from the stages below its
# own (and from the modules at the top of the package: version, errors, model). tests/test_stack.py
# derives its layers from this and from the folders. Data flows text → read → model → rules →
# books → file; the time series from each report's tidy data; run orchestrates; cli on top.
STAGES = ("rules", "read", "series", "xlsx", "books", "run", "cli")

_EXPORTS = {
    "Check": "rules.checks", "CheckKind": "rules.checks", "reconcile": "rules.checks", "derive": "rules.checks",
    "TiltakError": "errors", "ReportFormatError": "errors", "TemplateError": "errors", "OutputError": "errors",
    "UsageError": "errors", "Exit": "errors",
    "Column": "model", "ColumnKind": "model", "Period": "model", "Report": "model", "Row": "model",
    "RowKind": "model", "Section": "model", "Table": "model",
    "parse_bytes": "read.parse", "parse_report": "read.source", "parse_text": "read.parse",
    "Template": "xlsx.template", "load_template": "xlsx.template",
    "Built": "books.report", "build_workbook": "books.report",
    "Result": "run.convert", "convert_file": "run.convert",
    "BatchOptions": "run.batch", "Summary": "run.batch", "convert_paths": "run.batch", "run_batch": "run.batch",
    "to_frame": "books.timeseries", "write_timeseries": "run.timeseries", "timeseries_of": "run.timeseries",
    "ReportData": "series.tidy", "tidy": "series.tidy", "Archive": "series.archive",
    "Timeline": "series.timeline", "build": "series.timeline", "load_renames": "series.renames",
}
__all__ = [
    "Archive",
    "BatchOptions",
    "Built",
    "Check",
    "CheckKind",
    "Column",
    "ColumnKind",
    "Exit",
    "OutputError",
    "Period",
    "Report",
    "ReportData",
    "ReportFormatError",
    "Result",
    "Row",
    "RowKind",
    "Section",
    "Summary",
    "Table",
    "Template",
    "TemplateError",
    "TiltakError",
    "Timeline",
    "UsageError",
    "__version__",
    "build",
    "build_workbook",
    "convert_file",
    "convert_paths",
    "derive",
    "load_renames",
    "load_template",
    "parse_bytes",
    "parse_report",
    "parse_text",
    "reconcile",
    "run_batch",
    "tidy",
    "timeseries_of",
    "to_frame",
    "write_timeseries",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'converter' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:   # for type checkers and editors: the same names, eagerly
    from .books.report import Built, build_workbook
    from .books.timeseries import to_frame
    from .errors import Exit, OutputError, ReportFormatError, TemplateError, TiltakError, UsageError
    from .model import Column, ColumnKind, Period, Report, Row, RowKind, Section, Table
    from .read.parse import parse_bytes, parse_text
    from .read.source import parse_report
    from .rules.checks import Check, CheckKind, derive, reconcile
    from .run.batch import BatchOptions, Summary, convert_paths, run_batch
    from .run.convert import Result, convert_file
    from .run.timeseries import timeseries_of, write_timeseries
    from .series.archive import Archive
    from .series.renames import load_renames
    from .series.tidy import ReportData, tidy
    from .series.timeline import Timeline, build
    from .xlsx.template import Template, load_template
