"""The archive's time series as files: tidsserie.xlsx and tidsserie.csv, each written atomically."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from ..books.timeseries import write_csv, write_workbook
from ..read.source import parse_report
from ..series.archive import Archive
from ..series.tidy import tidy
from ..series.timeline import Timeline, build
from ..xlsx.template import load_template
from .output import write_atomic


def write_timeseries(timeline: Timeline, xlsx: Path, csv_path: Path, template: str | Path | None = None,
                     now: datetime | None = None) -> None:
    """Write `timeline` to `xlsx` and `csv_path` (each atomically); `now`: the time recorded (default: now)."""
    tpl = load_template(template)
    write_atomic(csv_path, lambda f: write_csv(timeline, f))
    write_atomic(xlsx, lambda f: write_workbook(timeline, tpl, f, now))


def timeseries_of(paths: Iterable[Path], renames: dict[str, str] | None = None) -> Timeline:
    """Parse `paths` and build their timeline (the batch uses stored or worker data instead)."""
    archive = Archive()
    for path in paths:
        archive.add(tidy(parse_report(path)), str(path), Path(path).stat().st_mtime)
    return build(archive, renames)
