#!/usr/bin/env python3
"""The time series' share of a batch, measured directly (CPU time), not as a difference of two
noisy batch times.

    python bench/series_share.py ARCHIVE [--jobs 2] [--rounds 3]

1. The workers' extra work: what a converting worker does only for the time series, per report:
   `series.tidy(report, meaning)` (after the row meanings the checks make and tidy reuses, as in the
   pipeline), `Store.save`, and the pickling of the tidy data to the parent and back. CPU time
   (time.process_time), summed over the reports, in this one process.
2. The main-process step: `Archive.add` for every report, `series.build`, and writing
   tidsserie.xlsx and tidsserie.csv. CPU time.
3. The batch: the installed `tiltak2xlsx ARCHIVE -o TMP --force --quiet` (default --jobs), wall time.

Share = (main step + workers' extra ÷ jobs) ÷ batch wall time: the workers' extra is spread over
the jobs, the main step runs alone after them. Each figure is the median of --rounds rounds.
Unlike bench/run.py this script imports the project (it times functions, not commands).
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from converter import parse_report
from converter.rules.meaning import Meaning
from converter.run.timeseries import write_timeseries
from converter.series.archive import Archive
from converter.series.store import Store
from converter.series.tidy import tidy
from converter.series.timeline import build


def measure(archive: Path, scratch: Path) -> tuple[float, float, int]:
    """(workers' extra CPU s, main-process CPU s, reports)."""
    paths = sorted(archive.rglob("*.txt"))
    store = Store(scratch)
    packed: list[tuple[bytes, str, float]] = []
    extra = 0.0
    for path in paths:
        report = parse_report(path)
        meaning = Meaning(report)
        meaning.located_keys()                    # what the checks make first (tidy reuses it)
        began = time.process_time()
        data = tidy(report, meaning)
        store.save(data)
        blob = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
        extra += time.process_time() - began
        packed.append((blob, str(path), path.stat().st_mtime))
    began = time.process_time()
    series = Archive()
    for blob, path, mtime in packed:
        series.add(pickle.loads(blob), path, mtime)
    timeline = build(series)
    write_timeseries(timeline, scratch / "tidsserie.xlsx", scratch / "tidsserie.csv")
    main = time.process_time() - began
    return extra, main, len(paths)


def batch_wall(archive: Path, scratch: Path, jobs: int | None) -> float:
    tool = Path(sys.executable).parent / "tiltak2xlsx"
    argv = [str(tool), str(archive), "-o", str(scratch / "batch"), "--force", "--quiet"]
    if jobs:
        argv += ["--jobs", str(jobs)]
    began = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    if proc.returncode not in (0, 3):
        raise SystemExit(f"batch failed ({proc.returncode}): {proc.stderr}")
    return wall


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("archive", type=Path)
    ap.add_argument("--jobs", type=int, default=2, help="the batch's --jobs (default 2, the machine's cores)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    extras, mains, walls = [], [], []
    reports = 0
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            extra, main_s, reports = measure(args.archive, Path(tmp))
            walls.append(batch_wall(args.archive, Path(tmp), args.jobs))
        extras.append(extra)
        mains.append(main_s)
    extra, main_s, wall = statistics.median(extras), statistics.median(mains), statistics.median(walls)
    share = (main_s + extra / args.jobs) / wall
    print(f"{reports} reports: workers' extra {extra:.2f} s CPU ({1000 * extra / reports:.2f} ms a report), "
          f"main-process step {main_s:.2f} s CPU, batch (--jobs {args.jobs}) {wall:.2f} s wall; "
          f"time series' share {share:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
