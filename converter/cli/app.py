"""The command line: validate options, call one library function, map the outcome to an exit code.

Exit codes (converter.errors.Exit): 0 converted and reconciled; 1 an input could not be
converted (or an output was kept because it was edited); 2 usage error; 3 converted, but
reconciliation found discrepancies (AVVIK); 130 interrupted.

Library modules are imported inside the command, for speed only: `--help` and `--version` must
not pay for the pipeline (and never import openpyxl or pandas). Those imports point down too.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import Exit, TiltakError, UsageError, shown
from ..version import TOOL
from .args import Interrupted, Number, OneLineCommand, PathType, degrade_console

if TYPE_CHECKING:
    from ..run.workers import Item

# The CLI's own wording of the library's hints: it names its flags (errors.TiltakError.reason).
HINTS = {
    "edited": "Use -o to write the new workbook elsewhere, or --force to replace it",
    "foreign": "Choose another output with -o, or use --force to replace it",
    "too-big": "Raise the limit with --max-size if this really is one report",
    "need-folder": "Give a folder with -o",
    "template-missing": "Check the --template path",
}


def say(line: str) -> None:
    """One plain line on stderr: never wrapped or styled, whatever the terminal; a file name's
    newline or undecodable byte is shown escaped (errors.shown), so a line stays one line."""
    sys.stderr.write(shown(line) + "\n")


def _out(line: str) -> None:
    sys.stdout.write(shown(line) + "\n")


def cli_message(error: TiltakError) -> str:
    """The library's error with the CLI's hint (naming flags) where it has one."""
    return error.message(hint=HINTS.get(error.reason or ""))


def conversion_time() -> datetime | None:
    """SOURCE_DATE_EPOCH when set (reproducible builds: identical bytes run to run), else None (now)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else None


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        sys.stdout.write(f"{TOOL}\n")
        ctx.exit(Exit.OK)


@click.command("tiltak2xlsx", cls=OneLineCommand,
               context_settings={"help_option_names": ["--help"], "max_content_width": 100},
               help="Convert NAV 'Deltakere i arbeidsrettede tiltak' text reports into reconciled Excel workbooks.\n\n"
                    "Each REPORT.txt becomes REPORT.xlsx: one sheet per table, live formulas with cached values, "
                    "a contents sheet and a reconciliation sheet (Avstemming). PATH: report files (.txt) or "
                    "folders of reports.")
@click.argument("given", nargs=-1, required=True, type=PathType("PATH"))
@click.option("-o", "--output", type=PathType("PATH"), help="Output .xlsx (one report) or folder (batch). "
              "Default: beside each report.")
@click.option("--check", is_flag=True, help="Parse and reconcile only (files or folders); print a line per report "
              "and every failing check; write nothing.")
@click.option("--template", type=PathType("FILE"), help="Workbook template .xlsx with the house styles (default: "
              "the bundled one).")
@click.option("--force", is_flag=True, help="Rebuild everything; replace outputs that tiltak2xlsx did not write or "
              "that were edited since.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only; no progress bar.")
@click.option("-j", "--jobs", type=Number("N", whole=True, low=1, high=64), help="Parallel worker processes for "
              "folders, 1 to 64 (default: the number of CPUs).")
@click.option("--no-timeseries", is_flag=True, help="Batch: skip tidsserie.xlsx and tidsserie.csv.")
@click.option("--max-size", type=Number("MIB", whole=False, low=0.001), default=64.0, show_default=True,
              help="Refuse report files larger than this many MiB.")
@click.option("--rename", type=PathType("FILE"), help="Batch: a CSV of renamed series for the time series, one "
              "'old label,new label' a line.")
@click.option("--version", is_flag=True, callback=_version, is_eager=True, expose_value=False,
              help="Print the version and exit.")
@click.help_option("--help", help="Show this message and exit.")
def app(given: tuple[Path, ...], output: Path | None, check: bool, template: Path | None, force: bool, quiet: bool,
        jobs: int | None, no_timeseries: bool, max_size: float, rename: Path | None) -> None:
    """The command (see the help text above); `main` runs it."""
    paths = list(given)
    max_bytes = int(max_size * 2**20)
    try:
        if check and output is not None:
            raise UsageError("--check writes nothing", "Drop -o/--output")
        renames = _renames(rename, check or no_timeseries or (len(paths) == 1 and not paths[0].is_dir()))
        if not check and len(paths) == 1 and not paths[0].is_dir():
            code = _single(paths[0], output, template, force, quiet, max_bytes)
        else:
            from ..run.batch import BatchOptions, run_batch

            options = BatchOptions(output=output, template=template, force=force, jobs=jobs,
                                   timeseries=not no_timeseries, max_bytes=max_bytes,
                                   progress=not quiet and sys.stderr.isatty(), check=check,
                                   now=conversion_time(), hints=HINTS, renames=renames)
            summary = run_batch(paths, options, say=say, info=_silent if quiet else say)
            if check:
                _print_checks(summary.items)
            code = summary.exit_code
    except TiltakError as exc:
        say(cli_message(exc))
        code = exc.exit_code
    sys.exit(code)


def _renames(path: Path | None, no_series: bool) -> dict[str, str] | None:
    """--rename FILE: the user's mapping of series labels (old → new); a bad file is a usage error."""
    if path is None:
        return None
    if no_series:
        raise UsageError("--rename applies to the time series of a batch (a folder or several reports)",
                         "Drop --rename, or convert the folder without --check/--no-timeseries")
    from ..series.renames import load_renames

    try:
        return load_renames(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the rename file ({exc.strerror or exc})",
                         "Give a CSV file: old label,new label") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: the rename file is not UTF-8 text", "Save it as UTF-8 CSV") from None
    except ValueError as exc:
        raise UsageError(f"{path}: {exc}", "Write one 'old label,new label' per line") from None


def _silent(line: str) -> None:
    """--quiet: information is dropped, problems still go to `say`."""


def _print_checks(items: list[Item]) -> None:
    """--check: one line per report on stdout, then its failing checks."""
    from ..run.workers import CHECKED

    for item in items:
        if item.status != CHECKED:
            continue
        checked = (f"{item.checks} checks, {item.avvik} AVVIK" if item.checks
                   else "no checks possible (nothing the numbers confirm can be checked; see the notes)"
                   if item.notes else "no checks possible (no totals, computed columns or repeated figures)")
        tables = f"{item.tables} table" + ("s" if item.tables != 1 else "")
        _out(f"{item.input}: {item.period_text}, {tables}, {item.rows} rows, {checked}")
        for line in item.failures:
            _out(f"  AVVIK {line}")
        for note in item.notes:
            _out(f"  note: {note}")


def _single(src: Path, output: Path | None, template: Path | None, force: bool, quiet: bool,
            max_bytes: int) -> int:
    from ..books.audit import no_checks_reason
    from ..run.convert import convert_file, describe
    from ..run.output import WORKBOOK_SUFFIX, default_output

    if output is not None and output.is_dir():
        output = output / default_output(src).name
    elif output is not None and output.suffix.lower() != WORKBOOK_SUFFIX:
        # "-o out" or "-o xlsx/" (the slash is gone by now) would write a workbook Excel will not open
        # by double-click, under a name that looks like a folder: ask instead of guessing.
        raise UsageError(f"{output}: the workbook's name must end in {WORKBOOK_SUFFIX}",
                         f"Give -o NAME{WORKBOOK_SUFFIX}, or a folder that exists")
    result = convert_file(src, output, template, force=force, max_bytes=max_bytes, now=conversion_time())
    failures = result.failures
    if not quiet or failures:
        n = len(result.checks)
        state = (f"all {n} checks OK" if not failures else f"{len(failures)} of {n} checks AVVIK") if n else (
            f"no checks possible: {no_checks_reason(result.report)[1]}")
        say(f"{src.name} → {result.output}: {result.report.period.text}, {state}")
        for c in failures:
            say(f"  AVVIK {describe(c)}")
    if not quiet:
        for note in result.notes:
            say(f"  note: {note}")
    return Exit.AVVIK if failures else Exit.OK


def main() -> None:
    """Console entry point: Ctrl-C exits 130 without a traceback."""
    from ..run.tuning import tune_process

    degrade_console()          # no message ever fails on a console that lacks a character
    tune_process()             # this process is the tool's own (the library leaves the interpreter alone)
    try:
        app.main(prog_name="tiltak2xlsx")
    except (KeyboardInterrupt, Interrupted):
        say("tiltak2xlsx: interrupted")
        sys.exit(Exit.INTERRUPTED)
    except Exception as exc:   # a bug, not bad input: one line, the traceback only on request
        if os.environ.get("TILTAK2XLSX_DEBUG"):
            raise
        say(f"tiltak2xlsx: internal error ({type(exc).__name__}: {exc}). "
            "Set TILTAK2XLSX_DEBUG=1 for details and report it.")
        sys.exit(Exit.FAILED)


if __name__ == "__main__":
    main()
