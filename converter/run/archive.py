"""An archive's time series in a batch: each report's tidy data, then tidsserie.xlsx and tidsserie.csv.

Each converting worker returns its report's tidy data (and saves it in the store, `.tiltak2xlsx/`
beside the manifest), packed into the archive as it arrives (`Collect`); unchanged reports' data
is read from the store. The main process parses a report only when its stored data is missing or
stale (counted: `timeseries.parsed` in the manifest). Nothing is written when neither the
inputs, the renames, the template nor the code changed (`force` rebuilds it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..errors import TiltakError, shown
from ..read.source import parse_report
from .discover import TIMESERIES_CSV, TIMESERIES_XLSX
from .workers import CONVERTED, UP_TO_DATE, Item

# The series, the store, the writers and json are imported inside the functions that use them:
# `--check` (which imports this module with run.batch) needs none of them, and must start fast.
if TYPE_CHECKING:
    from ..series.store import Store
    from ..series.tidy import ReportData
    from ..series.timeline import Timeline


class Account(Protocol):
    """What the time series step reads and fills of the batch's account (run.batch.Summary)."""

    items: list[Item]
    series: dict[str, object]
    notes: list[str]
    timeseries: list[Path]


class Options(Protocol):
    """What it takes of the batch's options (run.batch.BatchOptions)."""

    force: bool
    renames: Mapping[str, str] | None
    template: Path | None
    now: datetime | None


class Collect:
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



def update_timeseries(summary: Account, home: Path, say: Callable[[str], None], collect: Collect,
                      options: Options, fingerprint: str) -> None:
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
