"""tiltak2xlsx: NAV "Deltakere i arbeidsrettede tiltak" text reports → reconciled Excel workbooks.

The library is complete without the CLI::

    from converter import parse_report, reconcile, convert_file
    report = parse_report("tiltak-2014-02.txt")
    result = convert_file("tiltak-2014-02.txt", "tiltak-2014-02.xlsx")
"""

from __future__ import annotations

__version__ = "0.1.0"

from .checks import Check, CheckKind, reconcile
from .errors import OutputError, ReportFormatError, TemplateError, TiltakError, UsageError
from .model import Column, ColumnKind, Period, Report, Row, RowKind, Section, Table
from .parse import parse_bytes, parse_report, parse_text

__all__ = [
    "Check", "CheckKind", "Column", "ColumnKind", "OutputError", "Period", "Report", "ReportFormatError",
    "Row", "RowKind", "Section", "Table", "TemplateError", "TiltakError", "UsageError", "__version__",
    "parse_bytes", "parse_report", "parse_text", "reconcile",
]
