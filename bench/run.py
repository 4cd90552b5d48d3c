"""Benchmark harness: the tiltak2xlsx CLI against plain baselines, one whole process at a time.

Why whole processes: a user pays for start-up (imports), parsing and writing together, so each
measurement is one complete command. Wall time is taken around it with time.perf_counter; peak
memory is the largest resident memory of the command's whole process tree (the parent and every
worker it forks, summed as PSS so shared pages count once), sampled from /proc every few
milliseconds in one extra, untimed run per command (sampling costs CPU, so it never runs during
a timed run), and never less than the
exact peak of the largest single process (os.wait4's ru_maxrss). The commands of a row run
interleaved, A B C A B C …, after one warm-up each, so drift (CPU frequency, page cache, noisy
neighbours) hits all sides alike; a ratio is the median of the per-round ratios.

Rows (the issue's table; ours vs the first reference, more baselines side by side):
  (a) start-up: `tiltak2xlsx --help`        vs `python -c "import click"`
  (b) sample, warm cache                    vs bench/baseline.py (openpyxl) and baseline_xlsxwriter.py
  (c) sample, cold cache (a fresh empty TILTAK2XLSX_CACHE_DIR per run: the first run after install)
  (d) sample, cache off (TILTAK2XLSX_CACHE_DIR=off)
  (e) big report (make_archive.py --count 1 --scale 50 --flat), output bytes vs the baseline's
  (f) `--check` on the sample               vs `python -c "import click"`
  (g) 200 reports, --jobs 1, --no-timeseries vs both baselines (one process each)
  (h) 200 reports, --jobs 2 vs --jobs 1     (speed-up), both baselines side by side
  (i) 200 reports with the time series (default --jobs) vs both baselines; the time series'
      share of the batch: 1 − (the same command with --no-timeseries) ÷ (with it), per round
  (j) main-process peak memory, 1,000 vs 200 reports with the time series (the peak of the
      parent process alone, VmHWM from /proc: what grows with the archive; one timed round)
  (k) a mixed archive, 200 months × 3 kinds of report (bench/make_mixed_archive.py: national,
      county with year columns, gender), with the time series (default --jobs) vs both baselines
      and ours with --no-timeseries. The time series' share is measured directly, in-process, by
      bench/series_share.py (CPU time of the main-process step and of the workers' extra work),
      not as a difference of two batch times
  (l) main-process peak memory on mixed archives, 1,000 vs 200 reports (334 and 67 months × 3)

Every command runs with this interpreter (sys.executable) and the tiltak2xlsx console script
next to it: `python bench/run.py` with the project's environment (`pip install -e '.[bench]'`
for the XlsxWriter baseline; without it that column is left out and a note says so). Inputs are
generated in a temporary folder (removed unless --keep). The Markdown goes to stdout and to
bench/results.md (overwritten, also by an --only run). Exit code 0 whatever the PASS/FAIL
verdicts; 1 when a command fails (its stderr is printed) or a prerequisite is missing.
It imports nothing from the project or outside bench/: it measures the installed commands.
"""

from __future__ import annotations

import argparse
import importlib.util
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
BASELINE_XW = BENCH / "baseline_xlsxwriter.py"
MAKE_ARCHIVE = BENCH / "make_archive.py"
MAKE_MIXED = BENCH / "make_mixed_archive.py"
RESULTS = BENCH / "results.md"
PYTHON = sys.executable
TOOL = Path(sys.executable).parent / "tiltak2xlsx"
ROWS = "abcdefghijkl"
MIB = 2**20
PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_EVERY = 0.004          # seconds between /proc samples in the memory run


class Failure(Exception):
    """A command or a prerequisite failed; the message says what and how to fix it."""


@dataclass
class Command:
    label: str
    argv: list[str]
    output: Path | None = None      # removed before each run, so every run writes its output afresh
    env: dict[str, str] = field(default_factory=dict)
    fresh_cache: bool = False       # a new, empty TILTAK2XLSX_CACHE_DIR for every run
    walls: list[float] = field(default_factory=list)
    peak: int = 0                   # bytes, whole process tree
    main_peak: int = 0              # bytes, the top process alone (VmHWM), from the memory run
    out_bytes: int = 0              # size of the output (file, or all files under a folder)


@dataclass
class Target:
    metric: str     # "ratio", "speed-up", "Δ MiB", "bytes ×", "share", "main Δ MiB"
    op: str         # "≤" or "≥"
    limit: float

    def check(self, value: float) -> bool:
        return value <= self.limit if self.op == "≤" else value >= self.limit

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.limit:g}"


@dataclass
class Row:
    key: str
    title: str
    commands: list[Command]     # [0] ours, [1] the reference the targets compare with, then side-by-side
    targets: list[Target]
    speedup: bool = False       # the ratio is reference/ours (row h: --jobs 1 / --jobs 2)
    runs: int | None = None     # at most this many timed rounds (row j: memory is what it measures)

    def ratio(self, other: int = 1) -> float:
        ours, ref = self.commands[0].walls, self.commands[other].walls
        return statistics.median(r / o if self.speedup else o / r for o, r in zip(ours, ref, strict=True))

    def metric(self, name: str) -> float:
        ours, ref = self.commands[0], self.commands[1]
        metrics: dict[str, Callable[[], float]] = {
            "ratio": self.ratio, "speed-up": self.ratio,
            "Δ MiB": lambda: (ours.peak - ref.peak) / MIB,
            "bytes ×": lambda: ours.out_bytes / ref.out_bytes if ref.out_bytes else float("inf"),
            # row i: the last command is ours without the time series
            "share": lambda: statistics.median(1 - n / o for o, n in zip(ours.walls, self.commands[-1].walls,
                                                                        strict=True)),
            "main Δ MiB": lambda: (ours.main_peak - ref.main_peak) / MIB,
        }
        return metrics[name]()


# --------------------------------------------------------------------------- running commands

def _prepare(command: Command, scratch: Path) -> dict[str, str]:
    if command.output is not None:
        if command.output.is_dir():
            shutil.rmtree(command.output)
        else:
            command.output.unlink(missing_ok=True)
    env = {**os.environ, **command.env}
    if command.fresh_cache:
        env["TILTAK2XLSX_CACHE_DIR"] = tempfile.mkdtemp(prefix="cache-", dir=scratch)
    return env


def _finish(command: Command, proc: subprocess.Popen[bytes], status: int) -> None:
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise Failure(f"{command.label} failed with exit code {code}:\n  {shlex.join(command.argv)}\n"
                      f"{err.strip() or '(no output)'}")


def timed(command: Command, scratch: Path) -> float:
    """One run: its wall time in seconds (Failure if it fails)."""
    env = _prepare(command, scratch)
    start = time.perf_counter()
    proc = subprocess.Popen(command.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=ROOT, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    _finish(command, proc, status)
    command.peak = max(command.peak, usage.ru_maxrss * 1024)     # the largest single process (KiB)
    return wall


def resident(proc: Path) -> int:
    """Proportional set size (PSS) of one process in bytes, else its RSS.

    PSS splits each page shared between processes among them, so the sum over a parent and the
    workers it forked counts the pages they share (the interpreter, the loaded modules) once;
    summed RSS would count them once per process.
    """
    try:
        for line in (proc / "smaps_rollup").read_bytes().splitlines():
            if line.startswith(b"Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return int((proc / "statm").read_bytes().split()[1]) * PAGE


def high_water(pid: int) -> int:
    """The peak resident memory of one process so far (VmHWM) in bytes; 0 when it has ended."""
    try:
        for line in Path(f"/proc/{pid}/status").read_bytes().splitlines():
            if line.startswith(b"VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def tree_rss(root: int) -> int:
    """Resident bytes (PSS) of `root` and all its descendants, now."""
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        proc = Path(f"/proc/{pid}")
        try:
            total += resident(proc)
            for task in (proc / "task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_bytes().split())
        except (OSError, ValueError):
            continue                     # the process ended between two reads
    return total


def memory_run(command: Command, scratch: Path) -> None:
    """One untimed run sampling the whole tree's RSS; sets command.peak and command.out_bytes."""
    env = _prepare(command, scratch)
    proc = subprocess.Popen(command.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, cwd=ROOT, env=env)
    peak = main = 0
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_rss(proc.pid))
        main = max(main, high_water(proc.pid))
        time.sleep(SAMPLE_EVERY)
    command.main_peak = max(command.main_peak, main)
    proc.returncode = os.waitstatus_to_exitcode(status)
    _finish(command, proc, status)
    # The sampled sum of the tree, or the one process's exact peak RSS if that is higher (a
    # short-lived peak between two samples); both are resident memory a user's machine must have.
    command.peak = max(command.peak, peak, usage.ru_maxrss * 1024)
    out = command.output
    if out is not None and out.exists():
        files = [out] if out.is_file() else list(out.rglob("*.xlsx"))
        command.out_bytes = sum(p.stat().st_size for p in files)


def run_row(row: Row, runs: int, scratch: Path) -> None:
    """A warm-up and a memory run per command, then `runs` interleaved timed rounds."""
    print(f"({row.key}) {row.title}: warm-up", end="", file=sys.stderr, flush=True)
    for command in row.commands:
        timed(command, scratch)
        memory_run(command, scratch)
    for n in range(1, min(runs, row.runs or runs) + 1):
        for command in row.commands:
            command.walls.append(timed(command, scratch))
        print(f" {n}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)


def generate(out: Path, *args: str, script: Path = MAKE_ARCHIVE) -> list[Path]:
    """Run bench/make_archive.py (or `script`) into `out`; the *.txt reports it wrote."""
    argv = [PYTHON, str(script), "--out", str(out), *args]
    proc = subprocess.run(argv, capture_output=True, text=True, errors="replace", cwd=ROOT, check=False)
    files = sorted(out.rglob("*.txt"))
    if proc.returncode != 0 or not files:
        raise Failure(f"make_archive.py failed (exit code {proc.returncode}, {len(files)} reports):\n"
                      f"  {' '.join(argv)}\n{proc.stderr.strip() or '(no output)'}")
    return files


# --------------------------------------------------------------------------- the rows

def build_rows(keys: str, tmp: Path, xlsxwriter: bool) -> tuple[list[Row], list[str]]:
    """The selected rows, with their inputs generated in `tmp`; also a note per input."""
    notes: list[str] = []
    rows: list[Row] = []

    def framework_cmd() -> Command:     # the CLI's framework (typer until 0.2.0: docs/performance.md's earlier runs)
        return Command("python -c 'import click'", [PYTHON, "-c", "import click"])

    mem = Target("Δ MiB", "≤", 16)
    warm_cache = tmp / "warm-cache"

    def ours(label: str, src: Path, out: Path, **kw: object) -> Command:
        return Command(label, [str(TOOL), str(src), "-o", str(out), "--quiet", "--force"], out, **kw)  # type: ignore[arg-type]

    def baselines(src: Path, out: Path) -> list[Command]:
        suffix = ".xlsx" if out.suffix == ".xlsx" else ""
        stem = out.with_suffix("") if suffix else out
        found = [Command("openpyxl baseline", [PYTHON, str(BASELINE), str(src), "-o", f"{stem}-openpyxl{suffix}"],
                         Path(f"{stem}-openpyxl{suffix}"))]
        if xlsxwriter:
            found.append(Command("XlsxWriter baseline", [PYTHON, str(BASELINE_XW), str(src), "-o",
                                                         f"{stem}-xlsxwriter{suffix}"],
                                 Path(f"{stem}-xlsxwriter{suffix}")))
        return found

    if "a" in keys:
        rows.append(Row("a", "start-up: --help",
                        [Command("tiltak2xlsx --help", [str(TOOL), "--help"]), framework_cmd()],
                        [Target("ratio", "≤", 1.5)]))
    sample_targets = {"b": ("sample, warm cache", {"TILTAK2XLSX_CACHE_DIR": str(warm_cache)}, False, 0.8),
                      "c": ("sample, cold cache", {}, True, 1.0),
                      "d": ("sample, cache off", {"TILTAK2XLSX_CACHE_DIR": "off"}, False, None)}
    for key, (title, env, fresh, limit) in sample_targets.items():
        if key in keys:
            out = tmp / f"sample-{key}.xlsx"
            targets = ([Target("ratio", "≤", limit)] if limit is not None else []) + [mem]
            rows.append(Row(key, title, [ours("tiltak2xlsx", SAMPLE, out, env=env, fresh_cache=fresh),
                                         *baselines(SAMPLE, out)], targets))
    if "e" in keys:
        files = generate(tmp / "big", "--count", "1", "--scale", "50", "--flat", "--seed", "1")
        big = max(files, key=lambda p: p.stat().st_size)
        notes.append(f"(e) big report: {describe([big])}")
        out = tmp / "big.xlsx"
        rows.append(Row("e", "big report", [ours("tiltak2xlsx", big, out), *baselines(big, out)],
                        [Target("ratio", "≤", 1.0), Target("bytes ×", "≤", 3.0), mem]))
    if "f" in keys:
        rows.append(Row("f", "--check on the sample",
                        [Command("tiltak2xlsx --check", [str(TOOL), str(SAMPLE), "--check"]), framework_cmd()],
                        [Target("ratio", "≤", 2.0)]))
    if "g" in keys or "h" in keys:
        archive = tmp / "archive"
        files = generate(archive, "--count", "200", "--seed", "1")
        notes.append(f"(g), (h) archive: {describe(files)}")

        def batch(jobs: int) -> Command:
            out = tmp / f"out-jobs{jobs}"
            return Command(f"tiltak2xlsx --jobs {jobs}", [str(TOOL), str(archive), "-o", str(out), "--jobs",
                                                          str(jobs), "--force", "--quiet", "--no-timeseries"], out)

        if "g" in keys:
            rows.append(Row("g", "200 reports, one process", [batch(1), *baselines(archive, tmp / "out")],
                            [mem]))
        if "h" in keys:
            rows.append(Row("h", "200 reports, --jobs 2 vs --jobs 1", [batch(2), batch(1)],
                            [Target("speed-up", "≥", 1.7)], speedup=True))
    if "i" in keys or "j" in keys:
        archive = tmp / "archive"
        if not archive.exists():
            files = generate(archive, "--count", "200", "--seed", "1")
            notes.append(f"(i), (j) archive: {describe(files)}")

        def series(src: Path, name: str, *extra: str) -> Command:
            out = tmp / name
            return Command(f"tiltak2xlsx{' ' + ' '.join(extra) if extra else ''} ({name})",
                           [str(TOOL), str(src), "-o", str(out), "--force", "--quiet", *extra], out)

        if "i" in keys:
            rows.append(Row("i", "200 reports with the time series",
                            [series(archive, "ts-200"), *baselines(archive, tmp / "out"),
                             series(archive, "nots-200", "--no-timeseries")],
                            [Target("ratio", "≤", 0.85), Target("share", "≤", 0.15)]))
        if "j" in keys:
            big = tmp / "archive-1000"
            files = generate(big, "--count", "1000", "--seed", "1")
            notes.append(f"(j) archive: {describe(files)}")
            rows.append(Row("j", "main-process peak, 1,000 vs 200 reports",
                            [series(big, "ts-1000"), series(archive, "ts-200j")],
                            [Target("main Δ MiB", "≤", 32)], runs=1))
    if "k" in keys or "l" in keys:
        def mixed(name: str, months: int) -> Path:
            folder = tmp / name
            files = generate(folder, "--months", str(months), "--counties", "1", "--seed", "1", script=MAKE_MIXED)
            notes.append(f"({name}) mixed archive: {describe(files)}")
            return folder

        def series_of(src: Path, name: str, *extra: str) -> Command:
            out = tmp / name
            return Command(f"tiltak2xlsx{' ' + ' '.join(extra) if extra else ''} ({name})",
                           [str(TOOL), str(src), "-o", str(out), "--force", "--quiet", *extra], out)

        if "k" in keys:
            src = mixed("mixed-600", 200)
            rows.append(Row("k", "200 months × 3 kinds with the time series",
                            [series_of(src, "mts-600"), *baselines(src, tmp / "mixed-out"),
                             series_of(src, "mnots-600", "--no-timeseries")],
                            [Target("ratio", "≤", 0.85)]))
        if "l" in keys:
            small, big = mixed("mixed-201", 67), mixed("mixed-1002", 334)
            rows.append(Row("l", "main-process peak, mixed, 1,000 vs 200 reports",
                            [series_of(big, "mts-1002"), series_of(small, "mts-201")],
                            [Target("main Δ MiB", "≤", 32)], runs=1))
    return rows, notes


def describe(files: list[Path]) -> str:
    size = sum(p.stat().st_size for p in files)
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    count = f"{len(files)} report{'s' if len(files) > 1 else ''}"
    return f"{count}, {size / 2**20:.2f} MiB, {lines:,} lines"


# --------------------------------------------------------------------------- the report

def spread(walls: list[float]) -> str:
    return f"{statistics.median(walls):.3f} ({min(walls):.3f}–{max(walls):.3f})"


def table(rows: list[Row]) -> list[str]:
    lines = ["| Row | Command | s: median (min–max) | Ours ÷ this | Peak MiB (tree) | Output bytes | Targets |",
             "|---|---|---|---|---|---|---|"]
    for row in rows:
        verdicts = "; ".join(f"{t}: {row.metric(t.metric):.2f} **{'PASS' if t.check(row.metric(t.metric)) else 'FAIL'}**"  # noqa: E501
                             for t in row.targets)
        for i, command in enumerate(row.commands):
            versus = "" if i == 0 else f"{row.ratio(i):.2f}" + (" (speed-up)" if row.speedup else "")
            size = f"{command.out_bytes:,}" if command.out_bytes else ""
            lines.append(f"| {f'({row.key}) {row.title}' if i == 0 else ''} | {command.label} "
                         f"| {spread(command.walls)} | {versus} | {command.peak / MIB:.1f} | {size} "
                         f"| {verdicts if i == 0 else ''} |")
    return lines


def verdict_lines(rows: list[Row]) -> list[str]:
    lines = []
    for row in rows:
        for t in row.targets:
            value = row.metric(t.metric)
            detail = (f" ({row.commands[0].main_peak / MIB:.1f} − {row.commands[1].main_peak / MIB:.1f} MiB)"
                      if t.metric == "main Δ MiB" else "")
            lines.append(f"{'PASS' if t.check(value) else 'FAIL'}  ({row.key}) {row.title}: {t.metric} "
                         f"{value:.2f}{detail} (target {t.op} {t.limit:g})")
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
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return [
        f"- Date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"- Machine: {platform.node()}: {platform.platform()}",
        f"- CPU: {cpu}; {os.cpu_count()} cores ({usable} usable by this process){memory}",
        f"- Python: {platform.python_version()} ({PYTHON})",
        f"- tiltak2xlsx: {version}",
    ]


def load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def shown(argv: list[str], tmp: Path) -> str:
    """A command as a reader would type it: short names, $TMP for the temporary folder."""
    names = {str(TOOL): "tiltak2xlsx", PYTHON: "python"}
    text = shlex.join(names.get(arg, arg) for arg in argv)
    return text.replace(str(tmp), "$TMP").replace(f"{ROOT}/", "")


def render(rows: list[Row], notes: list[str], runs: int, tmp: Path, loads: tuple[str, str]) -> str:
    lines = ["# tiltak2xlsx benchmark", "", *machine(),
             f"- Load average (1, 5, 15 min) before: {loads[0]}; after: {loads[1]} "
             "(a shared machine: other work in the background skews the parallel row most)",
             f"- Runs: {runs} timed per command after 1 warm-up and 1 memory run, interleaved",
             *(f"- Input {note}" for note in notes), "", *table(rows), "", "```", *verdict_lines(rows), "```", "",
             "Ours ÷ this: median over the rounds of our wall time over this command's (for (h): --jobs 1 "
             "over --jobs 2, the speed-up). Peak MiB: the largest memory of the command's whole process tree "
             "(parent and workers summed as PSS, so pages a forked worker shares with its parent count once), "
             f"sampled from /proc every {SAMPLE_EVERY * 1000:g} ms in a separate untimed run, and at least the "
             "largest single process's peak RSS (os.wait4). Δ MiB: ours minus the first reference. Output "
             "bytes: the .xlsx written (all of them for a folder). Cold cache: every run gets a new empty "
             "TILTAK2XLSX_CACHE_DIR. Share (i): 1 − the same command with --no-timeseries ÷ with the time "
             "series, median over the rounds. Main Δ MiB (j): the peak of the parent process alone (VmHWM, "
             "sampled in the memory run), 1,000 reports minus 200.", "",
             "Commands:"]
    for row in rows:
        lines.append(f"- ({row.key}) " + " vs ".join(f"`{shown(c.argv, tmp)}`" for c in row.commands))
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description="Time tiltak2xlsx against plain baselines (see module docstring).")
    ap.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    ap.add_argument("--only", default=",".join(ROWS), help=f"rows to run, e.g. b,c (default all: {','.join(ROWS)})")
    ap.add_argument("--keep", action="store_true", help="keep the temporary inputs and outputs")
    ap.add_argument("--results", type=Path, default=RESULTS, help="where to write the Markdown (default "
                    "bench/results.md)")
    args = ap.parse_args(argv)
    keys = [k.strip().lower() for k in args.only.split(",") if k.strip()]
    if not keys or any(k not in ROWS for k in keys):
        ap.error(f"--only takes letters among {','.join(ROWS)}, got {args.only!r}")
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    args.only = "".join(k for k in ROWS if k in keys)
    return args


def check_prerequisites() -> None:
    if not Path("/proc/self/statm").exists():
        raise Failure("/proc is missing: the memory of a process tree is read from /proc (Linux only)")
    if not TOOL.is_file():
        raise Failure(f"{TOOL} is missing: install the project into this interpreter's environment "
                      f"(`{PYTHON} -m pip install -e '{ROOT}[bench]'`) or run run.py with the python that has it")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="tiltak2xlsx-bench-"))
    xlsxwriter = importlib.util.find_spec("xlsxwriter") is not None
    before = load()
    try:
        check_prerequisites()
        rows, notes = build_rows(args.only, tmp, xlsxwriter)
        if not xlsxwriter:
            notes.append("XlsxWriter baseline: left out, xlsxwriter is not installed (pip install -e '.[bench]')")
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
    text = render(rows, notes, args.runs, tmp, (before, load()))
    print(text, end="")
    args.results.write_text(text, encoding="utf-8")
    print(f"\nwritten to {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
