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

_EXPORTS = {
    "Check": "checks", "CheckKind": "checks", "reconcile": "checks", "derive": "checks",
    "TiltakError": "errors", "ReportFormatError": "errors", "TemplateError": "errors", "OutputError": "errors",
    "UsageError": "errors", "Exit": "errors",
    "Column": "model", "ColumnKind": "model", "Period": "model", "Report": "model", "Row": "model",
    "RowKind": "model", "Section": "model", "Table": "model",
    "parse_bytes": "parse", "parse_report": "source", "parse_text": "parse",
    "Template": "template", "load_template": "template",
    "Built": "workbook", "build_workbook": "workbook",
    "Result": "pipeline", "convert_file": "pipeline",
    "BatchOptions": "batch", "Summary": "batch", "convert_paths": "batch", "run_batch": "batch",
    "to_frame": "timeseries", "write_timeseries": "timeseries", "timeseries_of": "timeseries",
    "Timeline": "series", "Archive": "series", "ReportData": "series", "tidy": "series", "build": "series",
    "load_renames": "series",
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
    from .batch import BatchOptions, Summary, convert_paths, run_batch
    from .checks import Check, CheckKind, derive, reconcile
    from .errors import Exit, OutputError, ReportFormatError, TemplateError, TiltakError, UsageError
    from .model import Column, ColumnKind, Period, Report, Row, RowKind, Section, Table
    from .parse import parse_bytes, parse_text
    from .pipeline import Result, convert_file
    from .series import Archive, ReportData, Timeline, build, load_renames, tidy
    from .source import parse_report
    from .template import Template, load_template
    from .timeseries import timeseries_of, to_frame, write_timeseries
    from .workbook import Built, build_workbook
