"""The command line: validate options, call one library function, map the outcome to an exit code.

Exit codes: 0 converted and reconciled; 1 an input could not be converted; 2 usage error;
3 converted, but reconciliation found discrepancies (AVVIK); 130 interrupted.
Library modules are imported inside the command so that `--help` and `--version` stay fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from . import __version__
from .cliargs import PlainCommand

if TYPE_CHECKING:
    from .checks import Check

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_AVVIK, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="Convert NAV 'Deltakere i arbeidsrettede tiltak' text reports into reconciled Excel "
                       "workbooks.")


def say(line: str) -> None:
    """One plain line on stderr: never wrapped or styled, whatever the terminal."""
    sys.stderr.write(line + "\n")


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"tiltak2xlsx {__version__}\n")
        raise typer.Exit(EXIT_OK)


@app.command(cls=PlainCommand)   # converts paths and numbers without importing pydantic (see cliargs.py)
def convert(
    paths: Annotated[list[Path], typer.Argument(help="Report files (.txt) or folders of reports.",
                                                show_default=False, metavar="PATH")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Output .xlsx (one report) or folder "
                                                "(batch). Default: beside each report.")] = None,
    check: Annotated[bool, typer.Option("--check", help="Parse and reconcile only; print a summary, "
                                        "write nothing.")] = False,
    template: Annotated[Path | None, typer.Option("--template", help="Workbook template .xlsx with the house "
                                                  "styles (default: the bundled one).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild everything; replace outputs that tiltak2xlsx "
                                        "did not write.")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print errors only; no progress bar.")] = False,
    jobs: Annotated[int | None, typer.Option("-j", "--jobs", min=1, max=64, help="Parallel worker processes "
                                             "for folders (default: the number of CPUs).")] = None,
    no_timeseries: Annotated[bool, typer.Option("--no-timeseries", help="Batch: skip tidsserie.xlsx and "
                                                "tidsserie.csv.")] = False,
    max_size: Annotated[float, typer.Option("--max-size", min=0.001, help="Refuse report files larger than "
                                            "this many MiB.")] = 64.0,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Convert each REPORT.txt into REPORT.xlsx: one sheet per table, live formulas with cached values,
    a contents sheet and a reconciliation sheet (Avstemming)."""
    from .errors import TiltakError

    max_bytes = int(max_size * 2**20)
    try:
        if check:
            code = _check(paths, max_bytes)
        elif len(paths) == 1 and not paths[0].is_dir():
            code = _single(paths[0], output, template, force, quiet, max_bytes)
        else:
            from .batch import BatchOptions, run_batch

            options = BatchOptions(output=output, template=template, force=force, jobs=jobs,
                                   timeseries=not no_timeseries, max_bytes=max_bytes,
                                   progress=not quiet and sys.stderr.isatty())
            summary = run_batch(paths, options, say=say, info=_silent if quiet else say)
            code = summary.exit_code
    except TiltakError as exc:
        say(str(exc))
        code = exc.exit_code
    raise typer.Exit(code)


def _silent(line: str) -> None:
    """--quiet: information is dropped, problems still go to `say`."""


def _describe(c: Check) -> str:
    blank = "(tom)"
    where = " / ".join(x for x in (c.table, c.section, c.row, c.column) if x)
    published = blank if c.published is None else c.published
    computed = blank if c.computed is None else c.computed
    return f"  AVVIK {where}: published {published}, computed {computed} ({c.kind}, line {c.line})"


def _check(paths: list[Path], max_bytes: int) -> int:
    from .checks import reconcile
    from .errors import ReportFormatError
    from .parse import parse_report

    code = EXIT_OK
    for path in paths:
        try:
            report = parse_report(path, max_bytes=max_bytes)
        except ReportFormatError as exc:        # one bad file does not hide the others' results
            say(str(exc))
            code = EXIT_FAILED
            continue
        checks = reconcile(report)
        failures = [c for c in checks if not c.holds]
        rows = sum(t.row_count() for t in report.tables)
        sys.stdout.write(f"{report.source}: {report.period.text}, {len(report.tables)} tables, {rows} rows, "
                         f"{len(checks)} checks, {len(failures)} AVVIK\n")
        for c in failures:
            sys.stdout.write(_describe(c) + "\n")
        if failures and code == EXIT_OK:
            code = EXIT_AVVIK
    return code


def _single(src: Path, output: Path | None, template: Path | None, force: bool, quiet: bool,
            max_bytes: int) -> int:
    from .convert import convert_file

    if output is not None and output.is_dir():
        output = output / src.with_suffix(".xlsx").name
    result = convert_file(src, output, template, force=force, max_bytes=max_bytes)
    failures = result.failures
    if not quiet or failures:
        n = len(result.checks)
        state = f"all {n} checks OK" if not failures else f"{len(failures)} of {n} checks AVVIK"
        say(f"{src.name} → {result.output}: {result.report.period.text}, {state}")   # type: ignore[union-attr]
        for c in failures:
            say(_describe(c))
    return EXIT_AVVIK if failures else EXIT_OK


def main() -> None:
    """Console entry point: Ctrl-C exits 130 without a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        say("tiltak2xlsx: interrupted")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:   # a bug, not bad input: one line, the traceback only on request
        if os.environ.get("TILTAK2XLSX_DEBUG"):
            raise
        say(f"tiltak2xlsx: internal error ({type(exc).__name__}: {exc}). "
            "Set TILTAK2XLSX_DEBUG=1 for details and report it.")
        sys.exit(EXIT_FAILED)


if __name__ == "__main__":
    main()
