"""Many reports: discover, convert (incrementally, in parallel), account for every input.

- Discovery decides by content: PDFs, images, spreadsheets, hidden and editor backup files are
  skipped with a reason; symlinks that leave the input folder are not followed.
- Incremental: the manifest records each input's SHA-256, the tool version and the template's
  SHA-256; a rerun converts only what changed (`force` rebuilds everything).
- Parallel: a process pool whose workers load the template once; a worker that dies marks only
  its own file failed. Workers ignore Ctrl-C: the parent stops handing out work and lets the
  files in hand finish (each written atomically), so an interrupted batch leaves only whole
  workbooks and a rerun carries on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import __version__
from .convert import check_target, write_atomic
from .decode import sniff_binary
from .errors import ReportFormatError, TiltakError, UsageError
from .parse import DEFAULT_MAX_BYTES

MANIFEST = "tiltak2xlsx-manifest.json"
TIMESERIES_XLSX, TIMESERIES_CSV = "tidsserie.xlsx", "tidsserie.csv"
_BACKUP_SUFFIXES = ("~", ".bak", ".swp", ".swo", ".tmp", ".orig")
_REPORT_SUFFIXES = {".txt", ""}         # always tried; other text files only when they hold a table

CONVERTED, UP_TO_DATE, SKIPPED, FAILED, NOT_DONE = "converted", "up to date", "skipped", "failed", "not done"


@dataclass
class BatchOptions:
    output: Path | None = None          # OUTDIR; None: beside each report
    template: Path | None = None
    force: bool = False
    jobs: int | None = None             # None: the number of CPUs
    timeseries: bool = True
    max_bytes: int = DEFAULT_MAX_BYTES
    progress: bool = False


@dataclass
class Item:
    """One input and what became of it (a manifest record)."""

    input: str
    output: str | None = None
    status: str = NOT_DONE
    period: str | None = None
    checks: int = 0
    avvik: int = 0
    error: str | None = None
    sha256: str | None = None
    failures: list[str] = field(default_factory=list)


@dataclass
class Summary:
    items: list[Item]
    interrupted: bool = False
    manifest: Path | None = None
    timeseries: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(i.status == status for i in self.items)

    @property
    def with_avvik(self) -> int:
        return sum(i.avvik > 0 and i.status in (CONVERTED, UP_TO_DATE) for i in self.items)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        if self.count(FAILED):
            return 1
        return 3 if self.with_avvik else 0


# --------------------------------------------------------------------------- discovery

def skip_reason(path: Path, root: Path | None) -> str | None:
    """Why `path` is not a report to convert, or None when it should be tried."""
    name = path.name
    if name.startswith("."):
        return "hidden file"
    if name.endswith(_BACKUP_SUFFIXES) or (name.startswith("#") and name.endswith("#")):
        return "editor backup file"
    if path.is_symlink():
        target = path.resolve()
        if root is not None and not target.is_relative_to(root.resolve()):
            return "symlink pointing outside the input folder"
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    kind = sniff_binary(head)
    if kind:
        return f"not a report: {kind}"
    if not head.strip():
        return None if path.suffix.lower() == ".txt" else "empty file"
    if path.suffix.lower() not in _REPORT_SUFFIXES and b"\n\t" not in head and b"<b>" not in head:
        return f"not a report: a {path.suffix or 'text'} file without a table"
    return None


def discover(paths: list[Path]) -> tuple[list[tuple[Path, Path]], list[Item]]:
    """(file, path relative to its input) for every candidate report, and the skipped files."""
    found: list[tuple[Path, Path]] = []
    skipped: list[Item] = []
    for given in paths:
        if given.is_dir():
            for folder, dirs, files in os.walk(given):     # followlinks=False: linked folders stay out
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    path = Path(folder) / name
                    if _is_own_output(path):
                        continue
                    reason = skip_reason(path, given)
                    if reason:
                        skipped.append(Item(str(path), status=SKIPPED, error=reason))
                    else:
                        found.append((path, path.relative_to(given)))
        elif given.exists():
            reason = skip_reason(given, None)
            if reason:
                skipped.append(Item(str(given), status=SKIPPED, error=reason))
            else:
                found.append((given, Path(given.name)))
        else:
            skipped.append(Item(str(given), status=FAILED, error=f"{given}: no such file or folder."))
    return found, skipped


def _is_own_output(path: Path) -> bool:
    """Our own files in a folder converted in place: workbooks beside their reports, manifest, time series."""
    if path.name in (MANIFEST, TIMESERIES_CSV, TIMESERIES_XLSX):
        return True
    return path.suffix.lower() == ".xlsx" and path.with_suffix(".txt").exists()


def output_for(src: Path, rel: Path, outdir: Path | None) -> Path:
    """OUTDIR/<relative path>.xlsx, or beside the report; never outside OUTDIR."""
    if outdir is None:
        return src.with_suffix(".xlsx")
    out = outdir / rel.with_suffix(".xlsx")
    if ".." in rel.parts or rel.is_absolute() or not out.resolve().is_relative_to(outdir.resolve()):
        raise UsageError(f"{src}: its output {out} would be outside {outdir}.")
    return out


# --------------------------------------------------------------------------- the work of one file

_TEMPLATE: object = None


_PASSED_ENV = ("SOURCE_DATE_EPOCH", "TILTAK2XLSX_FAULT_DIE_ON")


def _init_worker(template: str | None, env: dict[str, str | None]) -> None:
    """Per process, once: ignore Ctrl-C (the parent decides), import and load the template.

    `env` carries the parent's settings explicitly, whatever the start method (a spawned or
    forkserver worker would otherwise not see a change made after the pool's server started).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for key, value in env.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    global _TEMPLATE
    from .template import load_template

    try:
        _TEMPLATE = load_template(template)
    except TiltakError as exc:
        _TEMPLATE = exc


def convert_one(src: str, dst: str, force: bool, max_bytes: int, template: str | None = None) -> Item:
    """Convert one report; never raises for a bad input (the error goes into the Item)."""
    from .parse import parse_bytes
    from .template import load_template
    from .workbook import build_workbook

    fault = os.environ.get("TILTAK2XLSX_FAULT_DIE_ON")   # test seam: simulate a worker killed mid-file
    if fault and Path(src).name == fault:
        os.kill(os.getpid(), signal.SIGKILL)
    item = Item(src, dst)
    try:
        tpl = _TEMPLATE if _TEMPLATE is not None else load_template(template)
        if isinstance(tpl, TiltakError):
            raise tpl
        path = Path(src)
        size = path.stat().st_size
        if size > max_bytes:
            from .parse import parse_report

            parse_report(path, max_bytes=max_bytes)     # raises the size error without reading
        data = path.read_bytes()
        item.sha256 = hashlib.sha256(data).hexdigest()
        out = Path(dst)
        out.parent.mkdir(parents=True, exist_ok=True)
        check_target(out, force)
        report = parse_bytes(data, path.name)
        built = build_workbook(report, tpl)      # type: ignore[arg-type]
        write_atomic(out, built.write)
    except ReportFormatError as exc:
        exc.file = src                          # in a batch, the path tells which of many files
        item.status, item.error = FAILED, str(exc)
        return item
    except TiltakError as exc:
        item.status, item.error = FAILED, str(exc)
        return item
    except OSError as exc:
        item.status, item.error = FAILED, f"{src}: {exc.strerror or exc}."
        return item
    item.status = CONVERTED
    item.period = report.period.key
    item.checks = len(built.checks)
    failures = built.failures
    item.avvik = len(failures)
    item.failures = [f"{c.table} / {c.row} / {c.column}: published {c.published}, computed {c.computed}"
                     for c in failures[:20]]
    return item


# --------------------------------------------------------------------------- the batch

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fingerprint(template: Path | None) -> str:
    from .template import default_template_path

    path = template or default_template_path()
    return f"{__version__}:{_sha(path)}"


def _load_manifest(path: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {r["output"]: r for r in data.get("items", []) if r.get("output")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _up_to_date(previous: dict[str, object] | None, src: Path, out: Path, fingerprint: str) -> str | None:
    """The input's SHA-256 when its workbook is current, else None."""
    if not previous or previous.get("status") not in (CONVERTED, UP_TO_DATE) or not out.exists():
        return None
    if previous.get("fingerprint") != fingerprint:
        return None
    try:
        digest = _sha(src)
    except OSError:
        return None
    return digest if previous.get("sha256") == digest else None


def run_batch(paths: list[Path], options: BatchOptions, say: Callable[[str], None] = lambda _: None,
              info: Callable[[str], None] | None = None) -> Summary:
    """Convert every report under `paths` and return the account.

    Nothing is printed directly: problems (failed inputs, discrepancies) go to `say`, everything
    else (skipped files, notes, the summary line) to `info`, which defaults to `say`.
    """
    info = say if info is None else info
    outdir = options.output
    if outdir is not None:
        if outdir.suffix.lower() == ".xlsx":
            raise UsageError(f"{outdir}: give a folder with -o when converting several reports or a folder.")
        if outdir.exists() and not outdir.is_dir():
            raise UsageError(f"{outdir}: exists and is not a folder.")
        outdir.mkdir(parents=True, exist_ok=True)
    found, items = discover(paths)
    # The manifest and the time series go to OUTDIR, else the first folder given, else beside the first file.
    home = outdir or next((p for p in paths if p.is_dir()), paths[0].parent if paths else Path.cwd())
    manifest_path = home / MANIFEST
    previous = {} if options.force else _load_manifest(manifest_path)
    fingerprint = _fingerprint(options.template)

    todo: list[Item] = []
    seen: dict[Path, str] = {}
    for src, rel in found:
        try:
            out = output_for(src, rel, outdir)
        except UsageError as exc:
            items.append(Item(str(src), status=FAILED, error=str(exc)))
            continue
        key = out.resolve()
        if key in seen:
            items.append(Item(str(src), str(out), FAILED, error=f"{src}: same output as {seen[key]}; rename one."))
            continue
        seen[key] = str(src)
        record = previous.get(str(out))
        digest = _up_to_date(record, src, out, fingerprint)
        if digest:
            items.append(Item(str(src), str(out), UP_TO_DATE, record.get("period"),   # type: ignore[union-attr,arg-type]
                              int(record.get("checks", 0)), int(record.get("avvik", 0)), None, digest))  # type: ignore[union-attr,arg-type]
        else:
            todo.append(Item(str(src), str(out)))
    summary = Summary(items)
    summary.items.extend(todo)
    template = str(options.template) if options.template else None
    if todo:
        from .template import load_template

        load_template(template)            # a bad template fails once, before any work
        try:
            _convert_all(todo, options, template, say)
        except KeyboardInterrupt:
            summary.interrupted = True
    for item in summary.items:
        if item.status == FAILED and item.error:
            say(item.error)
        elif item.status == SKIPPED:
            info(f"{item.input}: skipped ({item.error})")
        elif item.status == CONVERTED and item.avvik:
            say(f"{item.input}: {item.avvik} of {item.checks} checks AVVIK")
    summary.manifest = _write_manifest(manifest_path, summary, fingerprint)
    if options.timeseries and not summary.interrupted:
        _timeseries(summary, home, say)
    _report(summary, info)
    return summary


def convert_paths(paths: list[str | os.PathLike[str]], output: str | os.PathLike[str] | None = None,
                  **options: object) -> Summary:
    """Library entry point: `convert_paths(["arkiv"], "xlsx", jobs=2)`."""
    opts = BatchOptions(output=Path(output) if output is not None else None, **options)  # type: ignore[arg-type]
    return run_batch([Path(p) for p in paths], opts)


def _convert_all(todo: list[Item], options: BatchOptions, template: str | None, say: Callable[[str], None]) -> None:
    jobs = options.jobs or os.cpu_count() or 1
    jobs = max(1, min(jobs, len(todo)))
    with _progress(options.progress and len(todo) > 1, len(todo)) as advance:
        if jobs == 1:
            for item in todo:
                _done(item, convert_one(item.input, item.output or "", options.force, options.max_bytes, template))
                advance()
            return
        _pool_run(todo, jobs, options, template, advance)


def _done(item: Item, result: Item) -> None:
    for name, value in asdict(result).items():
        setattr(item, name, value)


def _pool(jobs: int, template: str | None) -> ProcessPoolExecutor:
    import multiprocessing as mp

    # fork: a worker starts with the parent's imports and loaded template, at no cost. It is
    # safe because the parent runs no threads of its own (the progress bar refreshes without
    # one); elsewhere (macOS, Windows) spawn pays the imports once per worker.
    method = "fork" if "fork" in mp.get_all_start_methods() and sys.platform == "linux" else "spawn"
    context = mp.get_context(method)
    env = {key: os.environ.get(key) for key in _PASSED_ENV}
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker, initargs=(template, env))


def _pool_run(todo: list[Item], jobs: int, options: BatchOptions, template: str | None,
              advance: Callable[[], None]) -> None:
    pending = deque(todo)
    while pending:
        # A worker died (killed, out of memory): the file it held is among those in flight.
        # Each is retried alone; a file that kills its worker again is marked failed.
        for item in _run_pool(pending, jobs, options, template, advance):
            if _run_pool(deque([item]), 1, options, template, advance):
                item.status = FAILED
                item.error = f"{item.input}: the worker converting it died (killed or out of memory)."
                advance()


def _run_pool(queue: deque[Item], jobs: int, options: BatchOptions, template: str | None,
              advance: Callable[[], None]) -> list[Item]:
    """Convert from `queue` until it is empty; returns the files in flight if the pool broke."""
    pool = _pool(jobs, template)
    running: dict[Future[Item], Item] = {}
    try:
        while queue or running:
            while queue and len(running) < 2 * jobs:     # a short window: few suspects if a worker dies
                future = pool.submit(convert_one, queue[0].input, queue[0].output or "", options.force,
                                     options.max_bytes, template)
                running[future] = queue.popleft()
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                result = future.result()             # BrokenProcessPool when a worker died
                _done(running.pop(future), result)
                advance()
        return []
    except BrokenProcessPool:
        return list(running.values())
    except KeyboardInterrupt:
        # Workers ignore Ctrl-C: let the files in hand finish (each is written atomically).
        for future in running:
            future.cancel()
        wait(running)
        for future, item in running.items():
            if not future.cancelled() and future.exception() is None:
                _done(item, future.result())
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


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


def _write_manifest(path: Path, summary: Summary, fingerprint: str) -> Path | None:
    records = []
    for item in summary.items:
        record = asdict(item)
        record["fingerprint"] = fingerprint
        records.append(record)
    data = {"tool": f"tiltak2xlsx {__version__}", "interrupted": summary.interrupted, "items": records}
    try:
        write_atomic(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    except TiltakError as exc:
        summary.notes.append(f"manifest not written: {exc}")
        return None
    return path


def _timeseries(summary: Summary, home: Path, say: Callable[[str], None]) -> None:
    good = [i for i in summary.items if i.status in (CONVERTED, UP_TO_DATE)]
    if not good:
        return
    xlsx, csv = home / TIMESERIES_XLSX, home / TIMESERIES_CSV
    changed = any(i.status == CONVERTED for i in good)
    if not changed and xlsx.exists() and csv.exists():
        return
    from .timeseries import write_timeseries

    try:
        notes = write_timeseries([Path(i.input) for i in good], xlsx, csv)
    except TiltakError as exc:
        say(str(exc))
        return
    summary.timeseries = [xlsx, csv]
    summary.notes.extend(notes)


def _report(summary: Summary, say: Callable[[str], None]) -> None:
    for note in summary.notes:
        say(note)
    parts = [f"{summary.count(CONVERTED)} converted", f"{summary.count(UP_TO_DATE)} up to date",
             f"{summary.count(SKIPPED)} skipped", f"{summary.count(FAILED)} failed",
             f"{summary.with_avvik} with discrepancies"]
    if summary.interrupted:
        parts.append(f"{summary.count(NOT_DONE)} not done (interrupted; run again to finish)")
    say("tiltak2xlsx: " + ", ".join(parts))
    if summary.manifest:
        say(f"tiltak2xlsx: manifest {summary.manifest}")


if __name__ == "__main__":   # pragma: no cover
    sys.exit("use the tiltak2xlsx command")
