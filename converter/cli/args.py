"""Command-line values and usage errors, through click's public API only.

typer 0.26 and later vendor their own copy of click ("not to be used by external
applications") and convert every non-flag value through a pydantic TypeAdapter (about 0.1 s of
imports, more than `--check` on a report spends on its own work); the only way around that was
typer's private coercion classes, which pinned typer to one minor version. The CLI is therefore
written with click itself, whose documented extension point for a value is a `click.ParamType`
(https://click.palletsprojects.com/en/stable/parameter-types/#implementing-custom-types). The
types here give a clean metavar in --help and a message in the tool's own words; `OneLineCommand`
prints every usage error as one line (exit 2), like the tool's other errors.
"""

from __future__ import annotations

import codecs
import io
import math
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click

from ..errors import Exit

PROG = "tiltak2xlsx"


class PathType(click.ParamType):
    """A file or folder name, as a pathlib.Path (existence is the library's business)."""

    name = "path"

    def __init__(self, metavar: str = "PATH") -> None:
        self.metavar = metavar

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return self.metavar

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        if isinstance(value, Path):
            return value
        if not isinstance(value, str) or not value:
            self.fail("an empty name is not a file or folder", param, ctx)
        return Path(value)


class Number(click.ParamType):
    """A whole number (`whole=True`) or a decimal number, within [low, high]."""

    def __init__(self, metavar: str, *, whole: bool, low: float, high: float | None = None) -> None:
        self.metavar, self.whole, self.low, self.high = metavar, whole, low, high
        self.name = "whole number" if whole else "number"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return self.metavar

    def _range(self) -> str:
        low = _shown(self.low)
        if self.high is not None:
            return f"a whole number from {low} to {_shown(self.high)}" if self.whole else \
                f"a number from {low} to {_shown(self.high)}"
        return f"a whole number of at least {low}" if self.whole else f"a number of at least {low}"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number: int | float = value
        else:
            text = str(value).strip()
            try:
                number = int(text) if self.whole else float(text.replace(",", "."))
            except ValueError:
                self.fail(f"«{value}» is not {self._range()}", param, ctx)
            if not self.whole and not math.isfinite(number):
                self.fail(f"«{value}» is not {self._range()}", param, ctx)
        if number < self.low or (self.high is not None and number > self.high):
            self.fail(f"{_shown(number)} is out of range: give {self._range()}", param, ctx)
        return number


def _shown(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


class OneLineCommand(click.Command):
    """A click command whose usage errors are one line on stderr, exit 2, in the tool's words:
    `tiltak2xlsx: --jobs: 0 is out of range: give a whole number from 1 to 64. See tiltak2xlsx --help.`
    (click's own form is four lines: usage, "Try --help", a blank line, "Error: …")."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            # standalone_mode=False: click raises its errors to us instead of printing them its way;
            # the command itself ends with sys.exit(code), --help and --version return 0.
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            _usage(exc)
        except click.Abort:             # click's form of Ctrl-C while it parses (it printed a newline)
            raise KeyboardInterrupt from None
        sys.exit(code if isinstance(code, int) else Exit.OK)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            # Past click, so that it neither prints a newline nor turns it into Abort: the caller's
            # handler (cli.main) gives the one line and exit 130.
            raise Interrupted from None


class Interrupted(BaseException):
    """Ctrl-C during the command's work (a BaseException, like KeyboardInterrupt: click lets it through)."""


def _usage(exc: click.UsageError) -> NoReturn:
    message = exc.format_message()
    param = getattr(exc, "param", None)
    if isinstance(exc, click.MissingParameter):
        message = "give at least one report file or folder"
    elif isinstance(exc, click.NoSuchOption):          # click's own wording changes between releases
        message = f"no such option {exc.option_name}"
        if exc.possibilities:
            message += f" (did you mean {' or '.join(sorted(exc.possibilities))}?)"
    elif isinstance(exc, click.BadParameter) and param is not None:
        names = [o for o in getattr(param, "opts", []) if o.startswith("--")] or [param.human_readable_name]
        message = f"{names[0]}: {exc.message}"
    message = " ".join(message.split())     # one line, whatever click wrote
    end = "" if message.endswith((".", "?", "!")) else "."
    sys.stderr.write(f"{PROG}: {message}{end} See {PROG} --help.\n")
    sys.exit(Exit.USAGE)


# --------------------------------------------------------------------------- consoles

# What a character the console lacks becomes (cp1252 has «, », …; cp850 has « and » but not …;
# ascii none of them). Letters lose their marks by Unicode decomposition (é → e); these have none.
_FALLBACK = {"→": "->", "←": "<-", "«": '"', "»": '"', "…": "...", "–": "-", "—": "-", "‘": "'", "’": "'",
             "“": '"', "”": '"', "•": "*", "·": ".", "×": "x", "≠": "!=", "≤": "<=", "≥": ">=", "ø": "o", "Ø": "O",
             "æ": "ae", "Æ": "AE", "ß": "ss", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "\u00a0": " "}
ERRORS = "tiltak2xlsx-degrade"


def _degrade(exc: UnicodeError) -> tuple[str, int]:
    """A codec error handler: each character the console's encoding lacks, in characters it has
    (plain ASCII at worst), never an exception nor a backslash escape."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start:exc.end]:
        shown = _FALLBACK.get(ch)
        if shown is None:
            plain = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
            shown = plain if plain.isascii() and plain.isprintable() and plain else "?"
        out.append(shown)
    return "".join(out), exc.end


codecs.register_error(ERRORS, _degrade)


def degrade_console() -> None:
    """Make stdout and stderr write what their encoding lacks in characters it has (a cp1252 or
    cp850 console on Windows, PYTHONIOENCODING=ascii, a redirected output). Python's default is
    an exception on stdout and `\\u2192` escapes on stderr."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors=ERRORS)
