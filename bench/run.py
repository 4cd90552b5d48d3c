"""Benchmark harness: times the tiltak2xlsx CLI against plain baselines, one whole process at a time.

Why whole processes: a user pays for start-up (imports), parsing and writing together, so each
measurement is one complete command run by GNU time (`/usr/bin/time -f %M`, Debian package
`time`), which also gives its peak RSS. Wall time is taken around that call with
time.perf_counter (GNU time's own %e only has 10 ms resolution). The two commands of a row run
interleaved, A B A B …, after one warm-up each, so drift (CPU frequency, page cache, noisy
neighbours) hits both sides alike; the row's ratio is the median of the per-pair ratios.

Rows (ours vs baseline):
  (a) `tiltak2xlsx --help`            vs `python -c "import typer"`   start-up cost
  (b) the sample report → .xlsx        vs bench/baseline.py            small-file cost
  (c) one big report (make_archive.py --count 1 --scale 50 --flat) vs bench/baseline.py
  (d) a 200-report archive, --jobs 1   vs bench/baseline.py            throughput
  (e) the same archive, --jobs 2       vs --jobs 1                     parallel speed-up

Every command runs with this interpreter (sys.executable) and the tiltak2xlsx console script
next to it, so run it with the project's environment: `/tmp/venv/bin/python bench/run.py`.
Inputs are generated in a temporary folder (removed unless --keep). The Markdown table goes to
stdout and to bench/results.md (overwritten, also by an --only run). Exit code 0 whatever the
PASS/FAIL verdicts; 1 when a command fails (its stderr is printed) or a prerequisite is missing.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
SAMPLE = ROOT / "samples" / "tiltak-2014-02.txt"
BASELINE = BENCH / "baseline.py"
MAKE_ARCHIVE = BENCH / "make_archive.py"
RESULTS = BENCH / "results.md"
GNU_TIME = Path("/usr/bin/time")
PYTHON = sys.executable
TOOL = Path(sys.executable).parent / "tiltak2xlsx"
ROWS = "abcde"
MIB = 1024.0  # GNU time's %M is in KiB


class Failure(Exception):
    """A command or a prerequisite failed; the message says what and how to fix it."""


@dataclass
class Command:
    label: str
    argv: list[str]
    output: Path | None = None  # removed before each run, so every run writes its output afresh


@dataclass
class Sample:
    wall: float   # seconds
    rss: int      # peak RSS, KiB


@dataclass
class Target:
    metric: str   # "ratio", "speed-up", "Δ MiB" or "reports/s"
    op: str       # "≤" or "≥"
    limit: float

    def check(self, value: float) -> bool:
        return value <= self.limit if self.op == "≤" else value >= self.limit

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.limit:g}"


@dataclass
class Row:
    key: str
    title: str
    ours: Command
    base: Command
    targets: list[Target]
    reports: int = 0          # reports per run, for reports/s (rows d and e)
    speedup: bool = False     # ratio is base/ours (row e: jobs 1 / jobs 2)
    ours_runs: list[Sample] = field(default_factory=list)
    base_runs: list[Sample] = field(default_factory=list)

    def ratio(self) -> float:
        pairs = zip(self.ours_runs, self.base_runs, strict=True)
        return statistics.median(b.wall / o.wall if self.speedup else o.wall / b.wall for o, b in pairs)

    def extra_mib(self) -> float:
        return (peak(self.ours_runs) - peak(self.base_runs)) / MIB

    def rate(self, runs: list[Sample]) -> float:
        return self.reports / statistics.median(s.wall for s in runs)

    def metric(self, name: str) -> float:
        metrics: dict[str, Callable[[], float]] = {
            "ratio": self.ratio, "speed-up": self.ratio, "Δ MiB": self.extra_mib,
            "reports/s": lambda: self.rate(self.ours_runs),
        }
        return metrics[name]()


def peak(runs: list[Sample]) -> int:
    return max(s.rss for s in runs)


def measure(command: Command, scratch: Path) -> Sample:
    """Run one command under GNU time; its wall time and peak RSS, or Failure if it fails."""
    if command.output is not None:
        if command.output.is_dir():
            shutil.rmtree(command.output)
        else:
            command.output.unlink(missing_ok=True)
    report = scratch / "time.out"
    argv = [str(GNU_TIME), "-f", "%M", "-o", str(report), *command.argv]
    start = time.perf_counter()
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          errors="replace", cwd=ROOT, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise Failure(f"{command.label} failed with exit code {proc.returncode}:\n  {' '.join(argv)}\n"
                      f"{proc.stderr.strip() or proc.stdout.strip() or '(no output)'}")
    return Sample(wall, int(report.read_text().split()[-1]))


def run_row(row: Row, runs: int, scratch: Path) -> None:
    """Warm up both commands once, then run them interleaved `runs` times."""
    print(f"({row.key}) {row.title}: warm-up", end="", file=sys.stderr, flush=True)
    measure(row.ours, scratch)
    measure(row.base, scratch)
    for n in range(1, runs + 1):
        row.ours_runs.append(measure(row.ours, scratch))
        row.base_runs.append(measure(row.base, scratch))
        print(f" {n}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def generate(out: Path, *args: str) -> list[Path]:
    """Run bench/make_archive.py into `out`; the *.txt reports it wrote."""
    if not MAKE_ARCHIVE.is_file():
        raise Failure(f"{MAKE_ARCHIVE.relative_to(ROOT)} is missing: rows c, d and e need it to make inputs")
    argv = [PYTHON, str(MAKE_ARCHIVE), "--out", str(out), *args]
    proc = subprocess.run(argv, capture_output=True, text=True, errors="replace", cwd=ROOT, check=False)
    files = sorted(out.rglob("*.txt"))
    if proc.returncode != 0 or not files:
        raise Failure(f"make_archive.py failed (exit code {proc.returncode}, {len(files)} reports):\n"
                      f"  {' '.join(argv)}\n{proc.stderr.strip() or '(no output)'}")
    return files


def build_rows(keys: str, tmp: Path) -> tuple[list[Row], list[str]]:
    """The selected rows, with their inputs generated in `tmp`; also a note per input."""
    notes: list[str] = []
    rows: list[Row] = []
    ours, base = "tiltak2xlsx", "baseline.py"
    mem = Target("Δ MiB", "≤", 16)
    if "a" in keys:
        rows.append(Row("a", "start-up", Command(ours, [str(TOOL), "--help"]),
                        Command("import typer", [PYTHON, "-c", "import typer"]), [Target("ratio", "≤", 1.5)]))
    if "b" in keys:
        rows.append(Row(
            "b", "sample report",
            Command(ours, [str(TOOL), str(SAMPLE), "-o", str(tmp / "sample.xlsx"), "--quiet", "--force"],
                    tmp / "sample.xlsx"),
            Command(base, [PYTHON, str(BASELINE), str(SAMPLE), "-o", str(tmp / "base.xlsx")], tmp / "base.xlsx"),
            [Target("ratio", "≤", 1.2), mem]))
    if "c" in keys:
        files = generate(tmp / "big", "--count", "1", "--scale", "50", "--flat", "--seed", "1")
        big = max(files, key=lambda p: p.stat().st_size)
        notes.append(f"(c) big report: {describe([big])}")
        rows.append(Row(
            "c", "big report",
            Command(ours, [str(TOOL), str(big), "-o", str(tmp / "big.xlsx"), "--quiet", "--force"],
                    tmp / "big.xlsx"),
            Command(base, [PYTHON, str(BASELINE), str(big), "-o", str(tmp / "big-base.xlsx")],
                    tmp / "big-base.xlsx"),
            [Target("ratio", "≤", 2.0), mem]))
    if "d" in keys or "e" in keys:
        archive = tmp / "archive"
        files = generate(archive, "--count", "200", "--seed", "1")
        notes.append(f"(d), (e) archive: {describe(files)}")

        def convert(jobs: int) -> Command:
            out = tmp / f"out-jobs{jobs}"
            return Command(f"{ours} --jobs {jobs}", [str(TOOL), str(archive), "-o", str(out), "--jobs", str(jobs),
                                                     "--force", "--quiet", "--no-timeseries"], out)

        if "d" in keys:
            rows.append(Row("d", "200-report archive", convert(1),
                            Command(base, [PYTHON, str(BASELINE), str(archive), "-o", str(tmp / "out-base")],
                                    tmp / "out-base"),
                            [Target("ratio", "≤", 1.75), Target("reports/s", "≥", 40), mem], len(files)))
        if "e" in keys:
            rows.append(Row("e", "archive, --jobs 2 vs --jobs 1", convert(2), convert(1),
                            [Target("speed-up", "≥", 1.6)], len(files), speedup=True))
    return rows, notes


def describe(files: list[Path]) -> str:
    size = sum(p.stat().st_size for p in files)
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    count = f"{len(files)} report{'s' if len(files) > 1 else ''}"
    return f"{count}, {size / 2**20:.2f} MiB, {lines:,} lines"


def spread(runs: list[Sample]) -> str:
    walls = [s.wall for s in runs]
    return f"{statistics.median(walls):.3f} ({min(walls):.3f}–{max(walls):.3f})"


def table(rows: list[Row]) -> list[str]:
    lines = [
        "| Row | Ours | Baseline | Ours s: median (min–max) | Baseline s: median (min–max) "
        "| Ratio | Ours MiB | Baseline MiB | Δ MiB | Reports/s ours (baseline) | Targets |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        rate = f"{row.rate(row.ours_runs):.1f} ({row.rate(row.base_runs):.1f})" if row.reports else ""
        verdicts = "; ".join(f"{t}: {'PASS' if t.check(row.metric(t.metric)) else 'FAIL'}" for t in row.targets)
        lines.append(
            f"| ({row.key}) {row.title} | {row.ours.label} | {row.base.label} | {spread(row.ours_runs)} "
            f"| {spread(row.base_runs)} | {row.ratio():.2f} | {peak(row.ours_runs) / MIB:.1f} "
            f"| {peak(row.base_runs) / MIB:.1f} | {row.extra_mib():+.1f} | {rate} | {verdicts} |")
    return lines


def machine() -> list[str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        version = metadata.version("tiltak2xlsx")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return [
        f"- Date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- Platform: {platform.platform()}",
        f"- CPU: {cpu}; {os.cpu_count()} cores ({usable} usable by this process)",
        f"- Python: {platform.python_version()} ({PYTHON})",
        f"- tiltak2xlsx: {version}",
    ]


def shown(argv: list[str], tmp: Path) -> str:
    """A command as a reader would type it: short names, $TMP for the temporary folder."""
    names = {str(TOOL): "tiltak2xlsx", PYTHON: "python"}
    text = shlex.join(names.get(arg, arg) for arg in argv)
    return text.replace(str(tmp), "$TMP").replace(f"{ROOT}/", "")


def render(rows: list[Row], notes: list[str], runs: int, tmp: Path) -> str:
    lines = ["# tiltak2xlsx benchmark", "", *machine(),
             f"- Runs: {runs} counted per command after 1 warm-up, interleaved (ours, baseline, ours, …)",
             *(f"- Input {note}" for note in notes), "", *table(rows), "",
             "Ratio: median over the runs of ours/baseline wall time of the same pair; for (e) it is "
             "--jobs 1 / --jobs 2, the speed-up. MiB: the largest peak RSS over the counted runs, from "
             "GNU time's %M, which is the largest single process: for --jobs 2 the biggest worker or "
             "the parent. Δ MiB: ours minus baseline. Reports/s: reports / median wall time.", "",
             "Commands:"]
    for row in rows:
        lines.append(f"- ({row.key}) `{shown(row.ours.argv, tmp)}` vs `{shown(row.base.argv, tmp)}`")
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Time tiltak2xlsx against plain baselines (see module docstring).")
    ap.add_argument("--runs", type=int, default=5, help="counted runs per command (default 5)")
    ap.add_argument("--only", default=",".join(ROWS), help="rows to run, e.g. a,b (default all: a,b,c,d,e)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary inputs and outputs")
    args = ap.parse_args(argv)
    keys = [k.strip().lower() for k in args.only.split(",") if k.strip()]
    if not keys or any(k not in ROWS for k in keys):
        ap.error(f"--only takes letters among {','.join(ROWS)}, got {args.only!r}")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    args.only = "".join(k for k in ROWS if k in keys)
    return args


def check_prerequisites() -> None:
    if not GNU_TIME.is_file():
        raise Failure(f"{GNU_TIME} (GNU time) is missing; it measures peak memory. Install it with:\n"
                      "  apt-get install time\n(the shell keyword `time` cannot measure memory)")
    if not TOOL.is_file():
        raise Failure(f"{TOOL} is missing: install the project into this interpreter's environment "
                      f"(`{PYTHON} -m pip install -e {ROOT}`) or run run.py with the python that has it")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="tiltak2xlsx-bench-"))
    try:
        check_prerequisites()
        rows, notes = build_rows(args.only, tmp)
        for row in rows:
            run_row(row, args.runs, tmp)
    except Failure as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept temporary files in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    text = render(rows, notes, args.runs, tmp)
    print(text, end="")
    RESULTS.write_text(text, encoding="utf-8")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
