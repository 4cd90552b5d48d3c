"""The work of one file, and the process pool that does it for many.

Workers are forked with the parent's imports and loaded template on Linux, spawned elsewhere
(or as the caller asks: `start_method`); each
ignores Ctrl-C, so the parent decides when to stop and the files in hand finish whole. A worker
that dies (killed, out of memory) breaks the pool: the files then in flight are retried one at
a time, and the one that kills its worker again is marked failed.

For the time series, a converting worker also packs the report's tidy data (series.tidy), saves
it in the store beside the manifest and returns it with its Item, so the main process never
parses that report again (see run.archive.update_timeseries).
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import OutputError, TiltakError
from .convert import convert_file, describe
from .tuning import tune_process

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from ..model import Report
    from ..rules.meaning import Meaning
    from ..series.tidy import ReportData

CONVERTED, CHECKED, UP_TO_DATE, SKIPPED, FAILED, EDITED, LOCKED, NOT_DONE = (
    "converted", "checked", "up to date", "skipped", "failed", "edited", "locked", "not done")
_STATUS_OF = {"edited": EDITED, "locked": LOCKED}       # TiltakError.reason → the item's status (else failed)
START_METHODS = ("fork", "spawn", "forkserver")


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
    tables: int = 0
    rows: int = 0
    period_text: str | None = None
    stamp: list[int] | None = None          # the output's (size, mtime_ns) when written: was it touched since?
    notes: list[str] = field(default_factory=list)   # tables not compared, headings kept empty (Norwegian)
    # The report's tidy data for the time series (not a manifest field): set by a converting
    # worker when the job has a store, taken (and cleared) by the main process as it arrives.
    data: ReportData | None = field(default=None, repr=False, compare=False)

    def record(self) -> dict[str, object]:
        """The manifest's record: every field but the tidy data (JSON-safe)."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "data"}


def _plain(value: object) -> object:
    return list(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class Job:
    """What every file of a batch is converted with (the same for all; pickled to the workers)."""

    force: bool
    max_bytes: int
    template: str | None
    write: bool = True
    now: datetime | None = None
    hints: Mapping[str, str] = field(default_factory=dict)    # reason → the caller's own hint (CLI flags)
    store: str | None = None        # the time series' home: pack, save and return the tidy data (None: don't)


def convert_one(src: str, dst: str | None, job: Job) -> Item:
    """Convert (or check) one report; never raises for a bad input (the error goes into the Item).

    A report whose workbook cannot be written (edited, foreign, a folder in its place, a full
    disk) still gives its figures to the time series: it was parsed, and the series rests on the
    reports, whatever became of their workbooks.
    """
    item = Item(src, dst)
    kept: list[Report] = []
    try:
        if job.write and dst is not None:
            _make_folder(Path(dst))
        result = convert_file(src, dst, job.template, write=job.write, force=job.force, max_bytes=job.max_bytes,
                              now=job.now, parsed=kept.append)
    except TiltakError as exc:
        # In a batch the path tells which of many files; the caller may word the hint its way.
        item.status = _STATUS_OF.get(exc.reason or "", FAILED)
        item.error = exc.message(where=src, hint=job.hints.get(exc.reason or ""))
        if isinstance(exc, OutputError):
            _keep_figures(item, kept[0] if kept else None, job)
        return item
    except OSError as exc:
        item.status, item.error = FAILED, f"{src}: {exc.strerror or exc}."
        return item
    except Exception as exc:    # a bug met on one file: that file fails in one line, the batch goes on
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        item.status = FAILED
        item.error = (f"{src}: internal error ({type(exc).__name__}: {exc}; in {Path(where.filename).name}:"
                      f"{where.lineno}). Convert this file alone with TILTAK2XLSX_DEBUG=1 for details, and report it.")
        return item
    report = result.report
    item.status = CONVERTED if job.write else CHECKED
    _describe(item, report)
    item.checks = len(result.checks)
    failures = result.failures
    item.avvik = len(failures)
    item.failures = [describe(c) for c in failures]
    item.notes = list(result.notes)
    if result.output is not None:
        st = result.output.stat()
        item.stamp = [st.st_size, st.st_mtime_ns]
        _keep_figures(item, report, job, result.meaning)
    return item


def _make_folder(dst: Path) -> None:
    """The output's folder (mirrored from the input's), made here so that one that cannot be
    made (read-only, a file in its way) fails only its own reports."""
    folder = dst.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputError(f"{dst}: its folder {folder} cannot be made (a file is in the way)",
                          "Move the file away, or write elsewhere", reason="no-folder") from None
    except OSError as exc:
        raise OutputError(f"{dst}: its folder {folder} cannot be made ({exc.strerror or exc})",
                          "Check that the output folder can be written, or write elsewhere",
                          reason="no-folder") from None


def _describe(item: Item, report: Report) -> None:
    item.sha256 = report.sha256
    item.period, item.period_text = report.period.key, report.period.text
    item.tables, item.rows = len(report.tables), sum(t.row_count() for t in report.tables)


def _keep_figures(item: Item, report: Report | None, job: Job, meaning: Meaning | None = None) -> None:
    """For the time series (a job with a store): pack the report's tidy data, save it in the
    store and return it with the item. `report` None: its output was refused before it was
    parsed (an edited workbook), so it is parsed here, once, in the worker."""
    if job.store is None:
        return
    # Imported here: the time series' modules are not on the --check path.
    from ..read.source import parse_report
    from ..series.store import Store
    from ..series.tidy import tidy

    if report is None:
        try:
            report = parse_report(item.input, max_bytes=job.max_bytes)
        except TiltakError:
            return                          # not a report after all: its output's error says enough
    _describe(item, report)
    # Packed and saved here, in parallel, not in the main process; saved even if the batch is
    # interrupted before its time series, so a rerun need not parse it again.
    item.data = tidy(report, meaning)
    Store(Path(job.store)).save(item.data)


def _init_worker(write: bool, template: str | None, initializer: Callable[[], None] | None) -> None:
    """Per process, once: ignore Ctrl-C (the parent decides), tune the interpreter (run.tuning: a
    worker is the tool's own process, even when a library user's program started the pool) and,
    to write, load the template (a bad one was refused by the parent before the pool started).
    `initializer` is the caller's own (tests use it to inject faults into a worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tune_process()
    if write:
        # Imported here: a check needs no template (run.convert.convert_file loads a given one itself).
        from ..xlsx.template import load_template

        try:
            load_template(template)         # cached per process: every file of this worker reuses it
        except TiltakError:
            pass                            # each file then reports it
    if initializer is not None:
        initializer()


def done(item: Item, result: Item) -> None:
    """Copy a worker's result into the parent's record (no deep copy: the result is the worker's)."""
    for f in fields(result):
        setattr(item, f.name, getattr(result, f.name))


def default_start_method() -> str:
    """fork on Linux; spawn elsewhere (macOS, Windows: Python's own default there)."""
    import multiprocessing as mp

    return "fork" if sys.platform == "linux" and "fork" in mp.get_all_start_methods() else "spawn"


def _pool(jobs: int, job: Job, initializer: Callable[[], None] | None, start_method: str | None) -> ProcessPoolExecutor:
    # The pool's modules (multiprocessing, concurrent.futures) are imported only when a pool is used.
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # fork: a worker starts with the parent's imports and loaded template, at no cost. It is
    # safe because the parent runs no threads of its own (the progress bar refreshes without
    # one). spawn (macOS, Windows, or asked for) starts a fresh interpreter: each worker imports
    # the package and loads the template itself (_init_worker), from the same Job, so the
    # workbooks are the same bytes (tests/test_batch.py runs both).
    context = mp.get_context(start_method or default_start_method())
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_init_worker,
                               initargs=(job.write, job.template, initializer))


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """While worker processes are started: SIGINT ignored, so that a spawned worker starts with
    it ignored (an ignored signal stays ignored across exec) and a Ctrl-C to the whole process
    group while it imports gives no traceback. A Ctrl-C in this short window (the workers'
    start, not their imports) is not seen by the parent either."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:                  # not the main thread: signals are not ours to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def run_pool(todo: list[Item], jobs: int, job: Job, advance: Callable[[Item], None],
             initializer: Callable[[], None] | None = None, start_method: str | None = None) -> None:
    """Convert `todo` in `jobs` worker processes; `advance(item)` runs in this process as each file
    is done; `initializer` runs once in each worker (picklable); `start_method`: "fork", "spawn"
    or "forkserver" (None: default_start_method())."""
    # What a converting worker imports on its first file (pipeline, convert_one), imported here
    # once: forked workers start with it.
    if job.write:
        from ..books.report import build_workbook  # noqa: F401
    if job.store is not None:
        from ..series.store import Store  # noqa: F401
        from ..series.tidy import tidy  # noqa: F401
    pending = deque(todo)
    while pending:
        # A worker died (killed, out of memory): the file it held is among those in flight.
        # Each is retried alone; a file that kills its worker again is marked failed.
        for item in _run_pool(pending, jobs, job, advance, initializer, start_method):
            if _run_pool(deque([item]), 1, job, advance, initializer, start_method):
                item.status = FAILED
                item.error = f"{item.input}: the worker converting it died (killed or out of memory)."
                advance(item)


def _run_pool(queue: deque[Item], jobs: int, job: Job, advance: Callable[[Item], None],
              initializer: Callable[[], None] | None, start_method: str | None) -> list[Item]:
    """Convert from `queue` until it is empty; returns the files in flight if the pool broke."""
    # Only with a pool (see _pool).
    from concurrent.futures import FIRST_COMPLETED, wait
    from concurrent.futures.process import BrokenProcessPool

    pool = _pool(jobs, job, initializer, start_method)
    running: dict[Future[Item], Item] = {}
    started = False
    try:
        while queue or running:
            # The first submissions start the workers (all of them: 2 * jobs files in flight).
            with contextlib.nullcontext() if started else _workers_ignore_ctrl_c():
                while queue and len(running) < 2 * jobs:     # a short window: few suspects if a worker dies
                    future = pool.submit(convert_one, queue[0].input, queue[0].output, job)
                    running[future] = queue.popleft()
            started = True
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                result = future.result()             # BrokenProcessPool when a worker died
                item = running.pop(future)
                done(item, result)
                advance(item)
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
                done(item, future.result())
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
