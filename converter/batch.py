"""Many reports: find them, convert what changed, account for every input.

- What is a report: converter/discover.py. The work of one file and the pool: converter/workers.py.
- Incremental: the manifest records each input's SHA-256, the tool version and the template's
  SHA-256; a rerun converts only what changed (`force` rebuilds everything).
- Interrupted (Ctrl-C): the files in hand finish, the manifest records what was done, the exit
  code is 130, and a rerun carries on.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .convert import write_atomic
from .discover import MANIFEST, TIMESERIES_CSV, TIMESERIES_XLSX, discover, output_for
from .errors import TiltakError, UsageError
from .parse import DEFAULT_MAX_BYTES
from .workers import CONVERTED, FAILED, NOT_DONE, SKIPPED, UP_TO_DATE, Item, convert_one, done, run_pool

if TYPE_CHECKING:
    from .series import ReportData


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
                done(item, convert_one(item.input, item.output or "", options.force, options.max_bytes, template))
                advance()
            return
        run_pool(todo, jobs, options.force, options.max_bytes, template, advance)


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


def _timeseries(summary: Summary, home: Path, say: Callable[[str], None],
                renames: dict[str, str] | None = None) -> dict[str, int]:
    """Build the time series from each report's tidy data; returns its counts for the summary and manifest.

    Each report's data comes from the store beside the manifest (`.tiltak2xlsx/`), else from
    `_tidy_data`. Nothing is written when neither the inputs nor the code changed since the last
    time series (and its files are still there).
    """
    import json

    from .series import Archive, build
    from .store import Store, code_stamp

    good = [i for i in summary.items if i.status in (CONVERTED, UP_TO_DATE)]
    if not good:
        return {}
    xlsx, csv = home / TIMESERIES_XLSX, home / TIMESERIES_CSV
    store = Store(home)
    state = json.dumps({"code": code_stamp(), "renames": sorted((renames or {}).items()),
                        "inputs": sorted((i.input, i.sha256 or "") for i in good)}, ensure_ascii=False)
    state_digest = hashlib.sha256(state.encode("utf-8")).hexdigest()
    if xlsx.exists() and csv.exists() and store.read_text("timeseries.sha256") == state_digest:
        summary.notes.append("time series: nothing changed; tidsserie.xlsx and tidsserie.csv not rewritten")
        return {}
    archive = Archive()
    try:
        for item in good:
            data = store.load(item.sha256) if item.sha256 else None
            if data is None:
                data = _tidy_data(item)
                if data.sha256:
                    store.save(data)
            archive.add(data, item.input, Path(item.input).stat().st_mtime)
        store.prune({i.sha256 for i in good if i.sha256})
        timeline = build(archive, renames)
        from .timeseries import write_timeseries

        write_timeseries(timeline, xlsx, csv)
    except TiltakError as exc:
        say(str(exc))
        return {}
    except OSError as exc:
        say(f"time series not written: {exc.strerror or exc}")
        return {}
    store.write_text("timeseries.sha256", state_digest)
    summary.timeseries = [xlsx, csv]
    summary.notes.extend(timeline.notes)
    counts = {"revisions": len(timeline.revisions), "renames": sum(r.confirmed for r in timeline.renames),
              "derived": timeline.derived_values, "missing": len(timeline.missing)}
    summary.notes.extend(str(r) for r in timeline.renames)
    summary.notes.append(f"time series: {len(timeline.sources)} reports, {counts['revisions']} revision(s), "
                         f"{counts['renames']} renamed series, {counts['derived']} derived value(s)")
    return counts


def _tidy_data(item: Item) -> ReportData:
    """A report's tidy data when the store has none: parsed again here.

    TEMPORARY (issue 11): the workers will return this with their result, so the main process
    never parses a report a worker converted in this run; the lead replaces this function then.
    """
    from .parse import parse_report
    from .series import tidy

    data = tidy(parse_report(Path(item.input)))
    if item.sha256 and data.sha256 != item.sha256:
        from dataclasses import replace

        data = replace(data, sha256=item.sha256)
    return data


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
