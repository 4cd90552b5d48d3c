"""Many reports: find them, convert what changed, account for every input.

- What is a report: run/discover.py. The work of one file and the pool: run/workers.py.
- Incremental: the manifest (run/manifest.py) records each input's SHA-256, the tool version and
  the template's SHA-256; a rerun converts only what changed (`force` rebuilds everything).
- Interrupted (Ctrl-C): the files in hand finish, the manifest records what was done, the exit
  code is 130, and a rerun carries on.
- Edited outputs: a workbook changed since tiltak2xlsx wrote it is kept (status `edited`), and
  the rest goes on; `force` replaces it.
- Check only (`check=True`): every report is parsed and reconciled by the same pipeline, and
  nothing is written (no workbook, manifest or time series).
- The time series (tidsserie.xlsx, tidsserie.csv, beside the manifest; run/archive.py): each
  converting worker returns its report's tidy data (and saves it in the store, `.tiltak2xlsx/`);
  unchanged reports' data is read from the store. The main process parses a report only when its
  stored data is missing or stale (counted: `timeseries.parsed` in the manifest). Nothing is
  written when neither the inputs, the renames, the template nor the code changed (`force`
  rebuilds it).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..errors import Exit, OutputError, UsageError
from ..read.source import DEFAULT_MAX_BYTES
from .archive import Collect, update_timeseries
from .discover import MANIFEST, discover, output_for
from .manifest import fingerprint_of, load_manifest, up_to_date, write_manifest
from .output import WORKBOOK_SUFFIX
from .workers import (
    CHECKED,
    CONVERTED,
    EDITED,
    FAILED,
    LOCKED,
    NOT_DONE,
    SKIPPED,
    UP_TO_DATE,
    Item,
    Job,
    convert_one,
    done,
    run_pool,
)

# The template, the time series' modules (series, store, timeseries) and json (manifest, state) are
# imported inside the functions that use them (here, in run/manifest.py and run/archive.py):
# `--check` (_check_all) needs none of them, and must start fast.


@dataclass
class BatchOptions:
    """How to convert (or check) a batch; see run_batch."""

    output: Path | None = None          # OUTDIR; None: beside each report
    template: Path | None = None
    force: bool = False
    jobs: int | None = None             # None: the number of CPUs
    timeseries: bool = True
    max_bytes: int = DEFAULT_MAX_BYTES
    progress: bool = False
    check: bool = False                 # parse and reconcile only; write nothing
    now: datetime | None = None         # the conversion time recorded in the workbooks (None: now)
    hints: Mapping[str, str] = field(default_factory=dict)   # error reason → the caller's hint
    renames: Mapping[str, str] | None = None   # the user's series renames (old label → new), --rename
    worker_init: Callable[[], None] | None = None   # runs once in each worker process (picklable)
    # How worker processes start (jobs > 1): "fork", "spawn" or "forkserver"; None: fork on Linux,
    # spawn on macOS and Windows. The workbooks are the same bytes either way.
    start_method: str | None = None


@dataclass
class Summary:
    """The account of a batch: every input and what became of it."""

    items: list[Item]
    interrupted: bool = False
    manifest: Path | None = None
    timeseries: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    check: bool = False                 # check only: nothing was written
    series: dict[str, object] = field(default_factory=dict)   # the time series' counts (archive.update_timeseries)

    def count(self, status: str) -> int:
        return sum(i.status == status for i in self.items)

    @property
    def with_avvik(self) -> int:
        return sum(i.avvik > 0 and i.status in (CONVERTED, CHECKED, UP_TO_DATE) for i in self.items)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return Exit.INTERRUPTED
        if self.count(FAILED) or self.count(EDITED) or self.count(LOCKED):
            return Exit.FAILED
        return Exit.AVVIK if self.with_avvik else Exit.OK


def _report(summary: Summary, say: Callable[[str], None]) -> None:
    """The notes, the summary line and where the manifest is, to `say`."""
    for note in summary.notes:
        say(note)
    if summary.check:
        parts = [f"{summary.count(CHECKED)} checked"]
    else:
        parts = [f"{summary.count(CONVERTED)} converted", f"{summary.count(UP_TO_DATE)} up to date"]
    parts += [f"{summary.count(SKIPPED)} skipped", f"{summary.count(FAILED)} failed"]
    if summary.count(EDITED):
        parts.append(f"{summary.count(EDITED)} edited (kept)")
    if summary.count(LOCKED):
        parts.append(f"{summary.count(LOCKED)} locked (open in Excel? close and run again)")
    parts.append(f"{summary.with_avvik} with discrepancies")
    if summary.interrupted:
        parts.append(f"{summary.count(NOT_DONE)} not done (interrupted; run again to finish)")
    line = "tiltak2xlsx: " + ", ".join(parts)
    series = summary.series
    if series:
        kinds = series.get("kinds")
        per_kind = (" (" + ", ".join(f"{n} {kind}" for kind, n in kinds.items()) + ")"
                    if isinstance(kinds, dict) and kinds else "")
        line += (f"; time series: {series['reports']} reports{per_kind}, {series['revisions']} revision(s), "
                 f"{series['renames']} renamed series, {series['derived_months']} derived month(s), "
                 f"{series['missing_months']} missing month(s)")
        if series.get("duplicates"):
            line += (f", {series['duplicates']} duplicate report(s) not used (same kind and period as a newer "
                     "one)")
        others = series.get("other_periods")
        if isinstance(others, dict) and others:
            line += ", other periods: " + ", ".join(f"{n} {kind}" for kind, n in others.items())
        if series.get("parsed"):
            line += f", {series['parsed']} report(s) parsed again (stored data missing or stale)"
    say(line)
    if summary.manifest:
        say(f"tiltak2xlsx: manifest {summary.manifest}")


# --------------------------------------------------------------------------- the batch

def run_batch(paths: list[Path], options: BatchOptions, say: Callable[[str], None] = lambda _: None,
              info: Callable[[str], None] | None = None) -> Summary:
    """Convert every report under `paths` and return the account.

    Nothing is printed directly: problems (failed inputs, discrepancies) go to `say`, everything
    else (skipped files, notes, the summary line) to `info`, which defaults to `say`.
    """
    info = say if info is None else info
    _check_start_method(options.start_method)
    if options.check:
        return _check_all(paths, options, say, info)
    outdir = options.output
    if outdir is not None:
        _make_folder(outdir)
    found, skipped, missing = discover(paths, exclude=outdir)
    items = [Item(str(path), status=SKIPPED, error=reason) for path, reason in skipped]
    items += [Item(str(path), status=FAILED, error=f"{path}: no such file or folder.") for path in missing]
    # The manifest and the time series go to OUTDIR, else the first folder given, else beside the first file.
    home = outdir or next((p for p in paths if p.is_dir()), paths[0].parent if paths else Path.cwd())
    manifest_path = home / MANIFEST
    previous = {} if options.force else load_manifest(manifest_path)
    fingerprint = fingerprint_of(options.template)
    settled, todo = _plan_outputs(found, outdir, previous, fingerprint)
    summary = Summary(items + settled)
    summary.items.extend(todo)
    collect = Collect(home, options.timeseries)
    if todo:
        _start(todo, options)
        try:
            _convert_all(todo, options, collect)
        except KeyboardInterrupt:
            summary.interrupted = True
    for item in summary.items:
        if item.status in (FAILED, EDITED, LOCKED) and item.error:
            say(item.error)
        elif item.status == SKIPPED:
            info(f"{item.input}: skipped ({item.error})")
        elif item.status == CONVERTED and item.avvik:
            say(f"{item.input}: {item.avvik} of {item.checks} checks AVVIK")
    summary.manifest = write_manifest(manifest_path, summary, fingerprint)
    if options.timeseries and not summary.interrupted:
        try:
            update_timeseries(summary, home, say, collect, options, fingerprint)
        except KeyboardInterrupt:
            summary.interrupted = True
        if (summary.series or summary.interrupted) and summary.manifest:   # again, with its counts or Ctrl-C
            summary.manifest = write_manifest(manifest_path, summary, fingerprint)
    _report(summary, info)
    return summary


def _make_folder(outdir: Path) -> None:
    """OUTDIR, made if need be: refused when it is a workbook's name or a file."""
    if outdir.suffix.lower() == WORKBOOK_SUFFIX:
        raise UsageError(f"{outdir}: the output must be a folder when converting several reports or a folder",
                         "Give a folder", reason="need-folder")
    if outdir.exists() and not outdir.is_dir():
        raise UsageError(f"{outdir}: exists and is not a folder", reason="need-folder")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{outdir}: the output folder cannot be made ({exc.strerror or exc})",
                          "Check that it can be written, or give another folder with -o") from None


def _plan_outputs(found: list[tuple[Path, Path]], outdir: Path | None, previous: dict[str, dict[str, object]],
                  fingerprint: str) -> tuple[list[Item], list[Item]]:
    """Each report's workbook: (those settled before any work: failed, for no output or a clash
    with another's, or up to date; those to convert), each in the order found."""
    settled: list[Item] = []
    todo: list[Item] = []
    seen: dict[Path, str] = {}
    planned: list[tuple[Path, Path]] = []
    for src, rel in found:
        try:
            planned.append((src, output_for(src, rel, outdir)))
        except UsageError as exc:
            settled.append(Item(str(src), status=FAILED, error=str(exc)))
    clashes = case_clashes(planned)
    for src, out in planned:
        if out in clashes:
            settled.append(Item(str(src), str(out), FAILED, error=clashes[out]))
            continue
        try:
            key = out.resolve()
        except (OSError, RuntimeError):     # a symlink loop (RuntimeError before Python 3.13)
            key = out.absolute()
        if key in seen:
            settled.append(Item(str(src), str(out), FAILED, error=f"{src}: same output as {seen[key]}; rename one."))
            continue
        seen[key] = str(src)
        record = previous.get(str(out))
        digest = up_to_date(record, src, out, fingerprint)
        if digest:
            settled.append(Item(str(src), str(out), UP_TO_DATE, record.get("period"),   # type: ignore[union-attr,arg-type]
                                int(record.get("checks", 0)), int(record.get("avvik", 0)), None, digest,  # type: ignore[union-attr,arg-type]
                                stamp=record.get("stamp")))  # type: ignore[union-attr,arg-type]
        else:
            todo.append(Item(str(src), str(out)))
    return settled, todo


def fold(path: Path) -> str:
    """A path as a case-insensitive file system (Windows, macOS) sees it: `Mars.xlsx` and
    `mars.xlsx` (and NFC and NFD spellings of `ø`) are one file there."""
    import unicodedata

    return unicodedata.normalize("NFC", str(path)).casefold()


def case_clashes(planned: list[tuple[Path, Path]]) -> dict[Path, str]:
    """Outputs that differ only in letter case (or Unicode normalisation): output → the error.

    On Windows and macOS they would be one workbook, the last one written replacing the others,
    so all of them are refused, found before anything is written; the rest of the batch goes
    on. (The same output twice, exactly, is the caller's rule: the first one wins.)"""
    groups: dict[str, dict[Path, Path]] = {}
    for src, out in planned:
        groups.setdefault(fold(out.resolve()), {}).setdefault(out, src)
    clashes: dict[Path, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        for out, src in members.items():
            others = ", ".join(f"{o.name} (from {s})" for o, s in members.items() if o != out)
            clashes[out] = (f"{src}: its workbook {out.name} and {others} differ only in upper and lower case, "
                            "and on Windows and macOS they are one file; neither is written. Rename one of the "
                            "reports.")
    return clashes


def _check_start_method(method: str | None) -> None:
    if method is None:
        return
    import multiprocessing as mp  # only when one is asked for (not on the --check path otherwise)

    if method not in mp.get_all_start_methods():
        raise UsageError(f"start method {method!r} is not available here",
                         f"Use one of {', '.join(mp.get_all_start_methods())}, or None for the default")


def convert_paths(paths: list[str | os.PathLike[str]], output: str | os.PathLike[str] | None = None,
                  **options: object) -> Summary:
    """Library entry point: `convert_paths(["arkiv"], "xlsx", jobs=2)`.

    The keyword options are BatchOptions' fields, e.g. `start_method="spawn"` to start worker
    processes as macOS and Windows do (default: fork on Linux, spawn elsewhere)."""
    opts = BatchOptions(output=Path(output) if output is not None else None, **options)  # type: ignore[arg-type]
    return run_batch([Path(p) for p in paths], opts)


def _start(todo: list[Item], options: BatchOptions) -> None:
    """Before any work: a bad template fails once. (Each report's output folder is made by its
    worker: one that cannot be made fails only its own reports.)"""
    from ..xlsx.template import load_template  # not on the --check path with the bundled template

    load_template(options.template)


def _convert_all(todo: list[Item], options: BatchOptions, collect: Collect | None = None) -> None:
    job = Job(force=options.force, max_bytes=options.max_bytes,
              template=str(options.template) if options.template else None, write=not options.check,
              now=options.now, hints=dict(options.hints),
              store=collect.home if collect is not None and not options.check else None)
    take = collect if collect is not None else (lambda item: None)
    jobs = options.jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(todo)))
    with _progress(options.progress and len(todo) > 1, len(todo)) as advance:
        def finished(item: Item) -> None:
            take(item)
            advance()

        if jobs == 1:
            for item in todo:
                done(item, convert_one(item.input, item.output, job))
                finished(item)
            return
        run_pool(todo, jobs, job, finished, options.worker_init, options.start_method)


def _check_all(paths: list[Path], options: BatchOptions, say: Callable[[str], None],
               info: Callable[[str], None]) -> Summary:
    """Check only: the same pipeline with nothing written; each report's result goes to `info`
    as it is known, in the order found."""
    found, skipped, missing = discover(paths)
    items = [Item(str(path), status=SKIPPED, error=reason) for path, reason in skipped]
    items += [Item(str(path), status=FAILED, error=f"{path}: no such file or folder.") for path in missing]
    todo = [Item(str(src)) for src, _ in found]
    summary = Summary(items + todo, check=True)
    if todo:
        if options.template is not None:
            _start([], options)         # a bad --template fails a check too, once; a check needs no bundled one
        try:
            _convert_all(todo, options)
        except KeyboardInterrupt:
            summary.interrupted = True
    for item in summary.items:
        if item.status == FAILED and item.error:
            say(item.error)
        elif item.status == SKIPPED:
            info(f"{item.input}: skipped ({item.error})")
    if len(summary.items) > 1:
        _report(summary, info)
    return summary


@contextlib.contextmanager
def _progress(show: bool, total: int) -> Iterator[Callable[[], None]]:
    if not show:
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    # auto_refresh=False: no refresh thread, so worker processes can be forked safely.
    with Progress(TextColumn("converting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=Console(stderr=True), transient=True, auto_refresh=False) as progress:
        task = progress.add_task("convert", total=total)

        def advance() -> None:
            progress.advance(task)
            progress.refresh()

        yield advance
