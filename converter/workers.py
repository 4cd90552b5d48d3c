"""The work of one file, and the process pool that does it for many.

Workers are forked with the parent's imports and loaded template (spawned elsewhere); each
ignores Ctrl-C, so the parent decides when to stop and the files in hand finish whole. A worker
that dies (killed, out of memory) breaks the pool: the files then in flight are retried one at
a time, and the one that kills its worker again is marked failed.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .convert import check_target, write_atomic
from .errors import ReportFormatError, TiltakError

CONVERTED, UP_TO_DATE, SKIPPED, FAILED, NOT_DONE = "converted", "up to date", "skipped", "failed", "not done"


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


_TEMPLATE: object = None         # the worker's loaded template (or the error loading it raised)
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


def done(item: Item, result: Item) -> None:
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


def run_pool(todo: list[Item], jobs: int, force: bool, max_bytes: int, template: str | None,
              advance: Callable[[], None]) -> None:
    pending = deque(todo)
    while pending:
        # A worker died (killed, out of memory): the file it held is among those in flight.
        # Each is retried alone; a file that kills its worker again is marked failed.
        for item in _run_pool(pending, jobs, force, max_bytes, template, advance):
            if _run_pool(deque([item]), 1, force, max_bytes, template, advance):
                item.status = FAILED
                item.error = f"{item.input}: the worker converting it died (killed or out of memory)."
                advance()


def _run_pool(queue: deque[Item], jobs: int, force: bool, max_bytes: int, template: str | None,
              advance: Callable[[], None]) -> list[Item]:
    """Convert from `queue` until it is empty; returns the files in flight if the pool broke."""
    pool = _pool(jobs, template)
    running: dict[Future[Item], Item] = {}
    try:
        while queue or running:
            while queue and len(running) < 2 * jobs:     # a short window: few suspects if a worker dies
                future = pool.submit(convert_one, queue[0].input, queue[0].output or "", force,
                                     max_bytes, template)
                running[future] = queue.popleft()
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                result = future.result()             # BrokenProcessPool when a worker died
                done(running.pop(future), result)
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
                done(item, future.result())
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
