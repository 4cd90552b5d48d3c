"""The package's one error hierarchy, and the exit codes.

Every error a user can cause (a bad report, a bad template, an output that cannot be written)
is a `TiltakError`; the CLI catches it once and prints it as one line. A library error says
what went wrong and what to do in library terms; it carries a `reason` so that the CLI can put
its own hint, naming its flags, in place of the library's (`message(hint=...)`).
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path
from typing import Any

_SNIPPET = 60


class Exit(IntEnum):
    """Process exit codes, here and nowhere else."""

    OK = 0              # converted and reconciled
    FAILED = 1          # an input could not be converted (or an output was kept: edited, foreign)
    USAGE = 2           # options that do not fit together
    AVVIK = 3           # converted, but the reconciliation found discrepancies
    INTERRUPTED = 130   # Ctrl-C


def snippet(text: str, limit: int = _SNIPPET) -> str:
    """The offending text as shown in a message: one line, control characters visible, short."""
    shown = "".join(ch if ch.isprintable() or ch == " " else f"\\x{ord(ch):02x}" for ch in text)
    shown = shown.replace("\\x09", "\\t")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def shown(text: str) -> str:
    """A file name (or a line naming one) as printed: one line, whatever the name holds.

    A control character (a newline, a tab) is shown as its escape (`\\n`, `\\t`, `\\x1b`), and
    a byte that is not UTF-8 (which Python keeps as a lone surrogate, and which no terminal, JSON
    or XML can take) as `\\xff`; everything else, `\\` included, is left as it is.
    """
    if text.isprintable():
        return text
    import unicodedata  # only for a name that needs it

    out = []
    for ch in text:
        code = ord(ch)
        if ch.isprintable() or ch == " ":
            out.append(ch)
        elif 0xDC80 <= code <= 0xDCFF:          # os.fsdecode's stand-in for the byte code - 0xDC00
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch in _NAMED:
            out.append(_NAMED[ch])
        elif unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)                      # a no-break space, a format character: printable enough
    return "".join(out)


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _sentence(text: str) -> str:
    return text if not text or text.endswith((".", "!", "?")) else text + "."


class TiltakError(Exception):
    """Base class: anything tiltak2xlsx reports to a user as a one-line message.

    `problem` is what went wrong (with the file it concerns), `hint` what to do; `reason` a
    short key (such as "edited" or "too-big") for callers that word the hint their own way.
    """

    exit_code: int = Exit.FAILED

    def __init__(self, problem: str, hint: str = "", *, reason: str | None = None) -> None:
        self.problem = problem
        self.hint = hint
        self.reason = reason
        super().__init__(problem, hint)

    def __reduce__(self) -> tuple[Any, ...]:     # pickles whole (process pool), keyword fields included
        return (_rebuild, (type(self), self.__dict__.copy()))

    def message(self, *, where: str | None = None, hint: str | None = None) -> str:
        """The one line; `hint` replaces the library's hint, `where` the file named (if any)."""
        hint = self.hint if hint is None else hint
        text = _sentence(self.problem)
        return f"{text} {_sentence(hint)}" if hint else text

    def __str__(self) -> str:
        return self.message()


def _rebuild(cls: type[TiltakError], state: dict[str, Any]) -> TiltakError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("problem"), state.get("hint"))
    error.__dict__.update(state)
    return error


class ReportFormatError(TiltakError, ValueError):
    """The input is not a readable tiltak report.

    Renders as ``FILE: line N: problem: «text». hint`` (line and text only where they apply).
    """

    def __init__(self, file: str | Path, problem: str, hint: str, *, line: int | None = None,
                 text: str | None = None, reason: str | None = None) -> None:
        super().__init__(problem, hint, reason=reason)
        self.file = Path(file).name if isinstance(file, Path) else file
        self.line = line
        self.text = text

    def message(self, *, where: str | None = None, hint: str | None = None) -> str:
        file = self.file if where is None else where
        place = f"{file}: line {self.line}" if self.line else f"{file}"
        what = f"{self.problem}: «{snippet(self.text)}»" if self.text is not None else self.problem
        hint = self.hint if hint is None else hint
        return f"{place}: {what}. {_sentence(hint)}"


class TemplateError(TiltakError):
    """The workbook template is missing, unreadable or lacks what the converter needs."""


class OutputError(TiltakError):
    """The workbook cannot be written where it was asked for (or must not be: an edited file)."""


class UsageError(TiltakError):
    """Options that do not fit together (exit code 2, like a usage error)."""

    exit_code = Exit.USAGE
