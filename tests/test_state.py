"""No hidden state: conversions in two threads share nothing, no report outlives its conversion,
and the library leaves the interpreter's process-wide settings (the collector's thresholds, the
thread switch interval) as it found them; the command and the batch workers, processes of the
tool's own, set theirs where they start (run/tuning.py)."""

from __future__ import annotations

import functools
import gc
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import FYLKE, SAMPLE

from converter import parse_report
from converter.model import Report
from converter.rules.meaning import Meaning, figures, located_figures, located_keys
from converter.run.batch import convert_paths
from converter.run.convert import convert_file
from converter.run.tuning import SWITCH_INTERVAL
from converter.run.workers import Job, convert_one
from converter.series.tidy import tidy

NOW = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def quick_switching():
    """Threads switch every microsecond, so that two calls in two threads interleave finely."""
    saved = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(saved)


def _in_threads(*work) -> list[object]:
    """Run each callable in its own thread, all started together; their results, in order."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work[i]()
        except BaseException as exc:     # handed to the test, which fails with it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


def test_two_threads_with_two_reports_get_each_its_own_figures(quick_switching):
    """The figures and the agreement checks' keys of reports A and B, asked for over and over in
    two threads at once, are those each report gives alone. (The module-wide cache of the last
    report this replaces was right only because CPython never switched threads between its
    identity check and its read; a free-threaded interpreter switches anywhere.)"""
    a, b = parse_report(SAMPLE), parse_report(FYLKE)
    alone = {id(r): (located_keys(r), figures(r)) for r in (a, b)}
    assert alone[id(a)][0] != alone[id(b)][0]       # two reports that differ, or the test proves nothing

    def ask(report: Report) -> list[str]:
        wrong = []
        keys, figs = alone[id(report)]
        for i in range(40):
            if located_keys(report) != keys:
                wrong.append(f"keys, round {i}")
            if figures(report) != figs:
                wrong.append(f"figures, round {i}")
        return wrong

    assert _in_threads(lambda: ask(a), lambda: ask(b)) == [[], []]


def test_two_threads_converting_two_reports_write_what_each_writes_alone(tmp_path, quick_switching):
    """Whole conversions in two threads: each workbook, its checks and its tidy data are the
    same as when its report is converted alone."""
    def convert(src: Path, name: str) -> tuple[bytes, list[object], object]:
        result = convert_file(src, tmp_path / name, now=NOW, force=True)
        return result.output.read_bytes(), result.checks, tidy(result.report)

    alone = [convert(SAMPLE, "a0.xlsx"), convert(FYLKE, "b0.xlsx")]
    for round_ in range(3):
        together = _in_threads(functools.partial(convert, SAMPLE, f"a{round_ + 1}.xlsx"),
                               functools.partial(convert, FYLKE, f"b{round_ + 1}.xlsx"))
        assert together == alone


def test_a_meaning_works_out_each_thing_once_for_its_report(sample_report):
    meaning = Meaning(sample_report)
    assert meaning.located_figures() is meaning.located_figures()
    assert meaning.figures() == figures(sample_report)
    assert meaning.located_keys() == located_keys(sample_report)
    assert located_figures(sample_report) is not located_figures(sample_report)    # no cache behind the functions


def test_a_batch_worker_works_out_the_row_meanings_once_for_checks_and_tidy_data(tmp_path, monkeypatch):
    # The checks (agreement between tables) and the time series' tidy data both need what each row
    # means; the worker hands the checks' Meaning on to tidy, so the rows are read once per report.
    import converter.rules.meaning as meaning_module

    calls = []
    real = meaning_module._rows
    monkeypatch.setattr(meaning_module, "_rows", lambda report: calls.append(report.source) or real(report))
    item = convert_one(str(SAMPLE), str(tmp_path / "s.xlsx"), Job(force=False, max_bytes=10**7, template=None,
                                                                   store=str(tmp_path)))
    assert item.status == "converted" and item.data is not None
    assert calls == ["tiltak-2014-02.txt"]
    assert item.data.to_json() == tidy(parse_report(SAMPLE)).to_json()      # the same tidy data as alone


def _reports_from(source: str) -> list[Report]:
    return [o for o in gc.get_objects() if isinstance(o, Report) and o.source == source]


def _own_copy(tmp_path: Path) -> Path:
    """The sample under a name of its own: its Report is found among all live objects by it."""
    src = tmp_path / "eget-navn-2014-02.txt"
    src.write_bytes(SAMPLE.read_bytes())
    return src


def _source(src: Path) -> str:
    return parse_report(src).source


@pytest.mark.parametrize("how", ["convert", "check", "worker with a time series", "figures", "keys"])
def test_no_report_outlives_its_conversion(tmp_path, how):
    """Once a conversion (or a call for figures) has returned and its result is dropped, its Report
    is garbage: nothing in the package keeps it. (A Report has slots and no weak reference:
    the collector's list of live objects is asked instead.)"""
    src = _own_copy(tmp_path)
    source = _source(src)
    gc.collect()
    assert _reports_from(source) == []

    def work() -> None:
        if how == "convert":
            assert convert_file(src, tmp_path / "x.xlsx", now=NOW).checks
        elif how == "check":
            assert convert_file(src, write=False).checks
        elif how == "worker with a time series":
            item = convert_one(str(src), str(tmp_path / "y.xlsx"),
                               Job(force=True, max_bytes=2**26, template=None, now=NOW, store=str(tmp_path / "store")))
            assert item.status == "converted" and item.data is not None
        elif how == "figures":
            assert figures(parse_report(src))
        else:
            assert located_keys(parse_report(src))

    work()
    gc.collect()
    assert _reports_from(source) == []


@pytest.fixture
def odd_settings():
    """The collector's thresholds and the switch interval set to values no library would choose."""
    saved = gc.get_threshold(), sys.getswitchinterval()
    gc.set_threshold(1234, 11, 12)
    sys.setswitchinterval(0.0123)
    yield gc.get_threshold(), sys.getswitchinterval()
    gc.set_threshold(*saved[0])
    sys.setswitchinterval(saved[1])


def test_the_library_leaves_the_interpreters_settings_alone(tmp_path, odd_settings):
    """While the library converts (one report, a check, a one-process batch with its time
    series) and after, the collector's thresholds and the switch interval are the caller's."""
    seen: set[tuple[object, float]] = set()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.add((gc.get_threshold(), sys.getswitchinterval()))
            time.sleep(0.0005)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        convert_file(SAMPLE, tmp_path / "a.xlsx", now=NOW)
        convert_file(FYLKE, write=False)
        folder = tmp_path / "arkiv"
        folder.mkdir()
        for src in (SAMPLE, FYLKE):
            (folder / src.name).write_bytes(src.read_bytes())
        summary = convert_paths([folder], tmp_path / "ut", jobs=1, now=NOW)
        assert summary.exit_code in (0, 3) and (tmp_path / "ut" / "tidsserie.xlsx").is_file()
    finally:
        stop.set()
        watcher.join(10)
    assert seen == {odd_settings}
    assert (gc.get_threshold(), sys.getswitchinterval()) == odd_settings


def test_the_command_tunes_its_own_process(monkeypatch, odd_settings):
    from converter.cli import app as cli

    seen = []
    monkeypatch.setattr(cli, "degrade_console", lambda: None)
    monkeypatch.setattr(cli, "app", SimpleNamespace(main=lambda **_: seen.append(sys.getswitchinterval())))
    cli.main()
    assert seen == [pytest.approx(SWITCH_INTERVAL)]
    assert gc.get_threshold() == odd_settings[0]       # the collector is left as it is


def _record_switch_interval(path: Path) -> None:
    """A batch worker's initializer (after the pool's own): what the worker runs with."""
    path.joinpath(f"worker-{threading.get_native_id()}-{time.monotonic_ns()}").write_text(
        repr(sys.getswitchinterval()))


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_each_batch_worker_tunes_its_own_process(tmp_path, odd_settings, start_method):
    """A worker is a process of the tool's own, even when a library call started the pool: it
    runs with the tuned switch interval, and the calling process keeps its own."""
    folder = tmp_path / "arkiv"
    folder.mkdir()
    for src in (SAMPLE, FYLKE):
        (folder / src.name).write_bytes(src.read_bytes())
    seen = tmp_path / "seen"
    seen.mkdir()
    summary = convert_paths([folder], tmp_path / "ut", jobs=2, now=NOW, timeseries=False, start_method=start_method,
                            worker_init=functools.partial(_record_switch_interval, seen))
    assert summary.exit_code in (0, 3)
    values = [float(p.read_text()) for p in seen.iterdir()]
    assert values and all(v == pytest.approx(SWITCH_INTERVAL) for v in values)
    assert (gc.get_threshold(), sys.getswitchinterval()) == odd_settings
