"""The package's one error hierarchy.

Every error a user can cause (a bad report, a bad template, an output that cannot be written)
is a `TiltakError`; the CLI catches it once and prints `str(error)` as one line.
"""

from __future__ import annotations

from pathlib import Path

_SNIPPET = 60


def snippet(text: str, limit: int = _SNIPPET) -> str:
    """The offending text as shown in a message: one line, control characters visible, short."""
    shown = "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in text)
    shown = shown.replace("\\x09", "\\t")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class TiltakError(Exception):
    """Base class: anything tiltak2xlsx reports to a user as a one-line message."""

    exit_code = 1


class ReportFormatError(TiltakError, ValueError):
    """The input is not a readable tiltak report.

    Renders as ``FILE: line N: problem: «text». hint`` (line and text only where they apply).
    """

    def __init__(self, file: str | Path, problem: str, hint: str, *, line: int | None = None,
                 text: str | None = None) -> None:
        self.file = Path(file).name if isinstance(file, Path) else file
        self.line = line
        self.text = text
        self.problem = problem
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}: line {self.line}" if self.line else f"{self.file}"
        what = f"{self.problem}: «{snippet(self.text)}»" if self.text is not None else self.problem
        hint = self.hint if self.hint.endswith((".", "!", "?")) else self.hint + "."
        return f"{where}: {what}. {hint}"


class TemplateError(TiltakError):
    """The workbook template is missing, unreadable or lacks what the converter needs."""


class OutputError(TiltakError):
    """The workbook cannot be written where it was asked for."""


class UsageError(TiltakError):
    """Options that do not fit together (exit code 2, like a usage error)."""

    exit_code = 2
