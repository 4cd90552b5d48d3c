"""Many reports: find them, convert what changed, account for every input.

- What is a report: converter/discover.py. The work of one file and the pool: converter/workers.py.
- Incremental: the manifest records each input's SHA-256, the tool version and the template's
  SHA-256; a rerun converts only what changed (`force` rebuilds everything).
- Interrupted (Ctrl-C): the files in hand finish, the manifest records what was done, the exit
  code is 130, and a rerun carries on.
- Edited outputs: a workbook changed since tiltak2xlsx wrote it is kept (status `edited`), and
  the rest goes on; `force` replaces it.
- Check only (`check=True`): every report is parsed and reconciled by the same pipeline, and
  nothing is written (no workbook, manifest or time series).
- The time series (tidsserie.xlsx, tidsserie.csv, beside the manifest): each converting worker
  returns its report's tidy data (and saves it in the store, `.tiltak2xlsx/`); unchanged reports'
  data is read from the store. The main process parses a report only when its stored data is
  missing or stale (counted: `timeseries.parsed` in the manifest). Nothing is written when neither
  the inputs, the renames, the template nor the code changed (`force` rebuilds it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Exit, OutputError, TiltakError, UsageError, shown
from ..read.source import DEFAULT_MAX_BYTES, parse_report
from ..version import TOOL, __version__
from .discover import MANIFEST, TIMESERIES_CSV, TIMESERIES_XLSX, discover, output_for
from .output import WORKBOOK_SUFFIX, write_atomic
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
# imported inside the functions that use them: `--check` (_check_all) needs none of them, and must
# start fast.
if TYPE_CHECKING:
    from ..series.store import Store
    from ..series.tidy import ReportData
    from ..series.timeline import Timeline


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
    series: dict[str, object] = field(default_factory=dict)   # the time series' counts (see _timeseries)

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


# --------------------------------------------------------------------------- the batch

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fingerprint(template: Path | None) -> str:
    from ..xlsx.template import default_template_path  # not on the --check path (see the imports)

    path = template or default_template_path()
    return f"{__version__}:{_sha(path)}"


def _load_manifest(path: Path) -> dict[str, dict[str, object]]:
    import json  # not on the --check path (see the imports)

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {r["output"]: r for r in data.get("items", []) if r.get("output")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _up_to_date(previous: dict[str, object] | None, src: Path, out: Path, fingerprint: str) -> str | None:
    """The input's SHA-256 when its workbook is current (and untouched since written), else None."""
    if not previous or previous.get("status") not in (CONVERTED, UP_TO_DATE) or not out.exists():
        return None
    if previous.get("fingerprint") != fingerprint:
        return None
    st = out.stat()
    if previous.get("stamp") != [st.st_size, st.st_mtime_ns]:
        return None         # touched since: converting again finds out whether it was edited
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
    _check_start_method(options.start_method)
    if options.check:
        return _check_all(paths, options, say, info)
    outdir = options.output
    if outdir is not None:
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
    found, skipped, missing = discover(paths, exclude=outdir)
    items = [Item(str(path), status=SKIPPED, error=reason) for path, reason in skipped]
    items += [Item(str(path), status=FAILED, error=f"{path}: no such file or folder.") for path in missing]
    # The manifest and the time series go to OUTDIR, else the first folder given, else beside the first file.
    home = outdir or next((p for p in paths if p.is_dir()), paths[0].parent if paths else Path.cwd())
    manifest_path = home / MANIFEST
    previous = {} if options.force else _load_manifest(manifest_path)
    fingerprint = _fingerprint(options.template)

    todo: list[Item] = []
    seen: dict[Path, str] = {}
    planned: list[tuple[Path, Path]] = []
    for src, rel in found:
        try:
            planned.append((src, output_for(src, rel, outdir)))
        except UsageError as exc:
            items.append(Item(str(src), status=FAILED, error=str(exc)))
    clashes = case_clashes(planned)
    for src, out in planned:
        if out in clashes:
            items.append(Item(str(src), str(out), FAILED, error=clashes[out]))
            continue
        try:
            key = out.resolve()
        except (OSError, RuntimeError):     # a symlink loop (RuntimeError before Python 3.13)
            key = out.absolute()
        if key in seen:
            items.append(Item(str(src), str(out), FAILED, error=f"{src}: same output as {seen[key]}; rename one."))
            continue
        seen[key] = str(src)
        record = previous.get(str(out))
        digest = _up_to_date(record, src, out, fingerprint)
        if digest:
            items.append(Item(str(src), str(out), UP_TO_DATE, record.get("period"),   # type: ignore[union-attr,arg-type]
                              int(record.get("checks", 0)), int(record.get("avvik", 0)), None, digest,  # type: ignore[union-attr,arg-type]
                              stamp=record.get("stamp")))  # type: ignore[union-attr,arg-type]
        else:
            todo.append(Item(str(src), str(out)))
    summary = Summary(items)
    summary.items.extend(todo)
    collect = _Collect(home, options.timeseries)
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
    summary.manifest = _write_manifest(manifest_path, summary, fingerprint)
    if options.timeseries and not summary.interrupted:
        try:
            _timeseries(summary, home, say, collect, options, fingerprint)
        except KeyboardInterrupt:
            summary.interrupted = True
        if (summary.series or summary.interrupted) and summary.manifest:   # again, with its counts or Ctrl-C
            summary.manifest = _write_manifest(manifest_path, summary, fingerprint)
    _report(summary, info)
    return summary


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


class _Collect:
    """The tidy data the workers return, packed into the archive as each file is done (so the
    main process holds it compactly, never as many ReportData objects). A report whose workbook
    was kept (edited) or could not be written comes with its data too: its month stays."""

    def __init__(self, home: Path, enabled: bool) -> None:
        from ..series.archive import Archive  # not on the --check path (see the imports)

        self.home = str(home) if enabled else None
        self.archive = Archive()
        self.taken: set[str] = set()          # inputs whose data is in the archive

    def __call__(self, item: Item) -> None:
        data, item.data = item.data, None
        if data is None:
            return
        try:
            mtime = Path(item.input).stat().st_mtime
        except OSError:
            return                            # gone since: the time series step decides
        self.archive.add(data, shown(item.input), mtime)
        self.taken.add(item.input)


def _convert_all(todo: list[Item], options: BatchOptions, collect: _Collect | None = None) -> None:
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


def _write_manifest(path: Path, summary: Summary, fingerprint: str) -> Path | None:
    import json  # not on the --check path (see the imports)

    records = []
    for item in summary.items:
        record = item.record()
        record["failures"] = record["failures"][:20]      # type: ignore[index]
        record["fingerprint"] = fingerprint
        records.append(record)
    data: dict[str, object] = {"tool": TOOL, "interrupted": summary.interrupted}
    if summary.series:
        data["timeseries"] = summary.series
    data["items"] = records
    # A file name's byte that is not UTF-8 (a lone surrogate in Python) is written as its JSON
    # escape ("\udcff", which is what backslashreplace gives), and reads back as the same name.
    content = (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8", "backslashreplace")
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(content) and path.read_bytes() == content:
            return path                       # the same account: nothing to write
    try:
        write_atomic(path, content)
    except TiltakError as exc:
        summary.notes.append(f"manifest not written: {exc}")
        return None
    return path


def _timeseries(summary: Summary, home: Path, say: Callable[[str], None], collect: _Collect,
                options: BatchOptions, fingerprint: str) -> None:
    """Build and write the time series; its counts go to `summary.series` (summary line, manifest).

    Each report's data: what its worker returned in this run (`collect`), else the store beside
    the manifest, else (missing or stale) parsed here, counted as `parsed`. Nothing is written
    when the inputs, the renames, the template and the code are those of the last time series
    (and its files are still there), unless `options.force`.
    """
    import json  # not on the --check path (see the imports)

    from ..series.store import Store, code_stamp
    from ..series.timeline import build
    from .timeseries import write_timeseries

    # Every report parsed, whatever became of its workbook (converted, up to date, or kept
    # edited or not writable, whose worker still returned its figures).
    good = [i for i in summary.items if i.sha256 and (i.status in (CONVERTED, UP_TO_DATE) or i.input in collect.taken)]
    if not good:
        return
    xlsx, csv = home / TIMESERIES_XLSX, home / TIMESERIES_CSV
    store = Store(home)
    renames = dict(options.renames or {})
    state = json.dumps({"code": code_stamp(), "template": fingerprint, "renames": sorted(renames.items()),
                        "inputs": sorted((i.input, i.sha256 or "") for i in good)}, ensure_ascii=False)
    state_digest = hashlib.sha256(state.encode("utf-8", "backslashreplace")).hexdigest()   # a name's odd byte too
    last = _last_state(store)
    if (not options.force and xlsx.exists() and csv.exists() and last.get("digest") == state_digest
            and isinstance(last.get("counts"), dict)):
        summary.series = {**last["counts"], "written": False, "parsed": 0}
        summary.notes.append("time series: nothing changed; tidsserie.xlsx and tidsserie.csv not rewritten")
        return
    archive = collect.archive
    parsed = 0
    try:
        for item in good:
            if item.input in collect.taken:
                continue
            data = store.load(item.sha256) if item.sha256 else None   # type: ignore[arg-type]
            if data is None:
                data = _parse_tidy(item)
                parsed += 1
                store.save(data)
            archive.add(data, shown(item.input), Path(item.input).stat().st_mtime)
        store.prune({i.sha256 for i in good if i.sha256})
        timeline = build(archive, renames)
        write_timeseries(timeline, xlsx, csv, options.template, now=options.now)
    except TiltakError as exc:
        say(str(exc))
        return
    except OSError as exc:
        say(f"time series not written: {exc.strerror or exc}")
        return
    counts = _counts(timeline)
    store.write_text(_STATE, json.dumps({"digest": state_digest, "counts": counts}))
    summary.timeseries = [xlsx, csv]
    summary.series = {**counts, "written": True, "parsed": parsed}
    summary.notes.extend(timeline.notes)
    summary.notes.extend(str(r) for r in timeline.renames)


_STATE = "timeseries.json"      # in the store: the last time series' digest and counts


def _last_state(store: Store) -> dict:
    import json  # not on the --check path (see the imports)

    try:
        state = json.loads(store.read_text(_STATE) or "{}")
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def _counts(timeline: Timeline) -> dict[str, object]:
    return {"reports": timeline.reports or len(timeline.sources), "kinds": dict(timeline.kinds),
            "duplicates": len(timeline.duplicates), "months": len(timeline.months),
            "revisions": sum(len(t.revisions) for t in timeline.all()),
            "renames": sum(r.confirmed for r in timeline.renames),
            "derived_months": len(timeline.derived_months), "derived_values": timeline.derived_values,
            "republished_values": sum(t.republished_values for t in timeline.all()),
            "missing_months": len(timeline.missing),
            "other_periods": {t.frequency: len(t.months) for t in timeline.others if t.months}}


def _parse_tidy(item: Item) -> ReportData:
    """A report's tidy data when neither its worker (this run) nor the store has it: parsed here."""
    from ..series.tidy import tidy  # not on the --check path (see the imports)

    data = tidy(parse_report(Path(item.input)))
    return data if data.sha256 == item.sha256 else replace(data, sha256=item.sha256 or data.sha256)


def _report(summary: Summary, say: Callable[[str], None]) -> None:
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

