"""On the analyst's own machine (issue 18): worker processes started as macOS and Windows start
them (spawn), a workbook held open by Excel, file names that differ only in case, and consoles
that cannot show every character."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE

from converter import convert_file
from converter.cli.app import app
from converter.errors import OutputError, UsageError
from converter.run.batch import BatchOptions, convert_paths, run_batch

sys.path.insert(0, str(ROOT / "bench"))
from make_archive import write_archive

runner = CliRunner()
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
METHODS = ["fork", "spawn"]


@pytest.fixture
def archive(tmp_path):
    root = tmp_path / "arkiv"
    write_archive(root, 8, seed=7)
    return root


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` but the store (.tiltak2xlsx/) and the manifest, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".tiltak2xlsx" not in p.parts and p.name != "tiltak2xlsx-manifest.json"}


def _parts(data: bytes) -> dict[str, bytes]:
    import io

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


# --------------------------------------------------------------------------- start methods

@pytest.mark.slow
def test_spawn_gives_the_same_bytes_as_fork_and_as_one_process(archive, tmp_path):
    """Workbooks, tidsserie.xlsx and tidsserie.csv byte for byte, and the same manifest records."""
    outs = {}
    for name, options in {"serial": {"jobs": 1}, "fork": {"jobs": 2, "start_method": "fork"},
                          "spawn": {"jobs": 2, "start_method": "spawn"}}.items():
        out = tmp_path / name
        summary = convert_paths([archive], out, now=NOW, **options)
        assert summary.exit_code == 0 and summary.count("converted") == 8, name
        outs[name] = out
    serial = _files(outs["serial"])
    assert len([n for n in serial if n.endswith(".xlsx")]) == 9          # 8 reports and tidsserie.xlsx
    for name in ("fork", "spawn"):
        other = _files(outs[name])
        assert sorted(other) == sorted(serial), name
        for path, data in serial.items():
            if path.endswith(".xlsx"):
                a, b = _parts(data), _parts(other[path])
                assert sorted(a) == sorted(b), (name, path)
                for part in a:
                    assert a[part] == b[part], (name, path, part)
            assert data == other[path], (name, path)
        records = json.loads((outs[name] / "tiltak2xlsx-manifest.json").read_text())["items"]
        first = json.loads((outs["serial"] / "tiltak2xlsx-manifest.json").read_text())["items"]
        strip = [{k: v for k, v in r.items() if k not in ("output", "stamp")} for r in records]
        assert strip == [{k: v for k, v in r.items() if k not in ("output", "stamp")} for r in first]


def _die_on_june() -> None:
    """A worker initialiser: the worker kills itself when handed a June report (as the OOM killer
    would). Importable by name, so that a spawned worker finds it too."""
    import converter.run.workers as workers

    real = workers.convert_file

    def convert_file(src, *args, **kwargs):
        if Path(src).name.endswith("-06.txt"):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(src, *args, **kwargs)

    workers.convert_file = convert_file


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
def test_worker_killed_under_each_start_method(tmp_path, method):
    archive = tmp_path / "arkiv"
    write_archive(archive, 10, seed=3)           # 2013-05 … 2014-02
    lines: list[str] = []
    options = BatchOptions(output=tmp_path / "x", jobs=2, timeseries=False, worker_init=_die_on_june,
                           start_method=method)
    summary = run_batch([archive], options, say=lines.append)
    assert summary.exit_code == 1, lines
    june = next(archive.rglob("*-06.txt"))
    assert f"{june}: the worker converting it died (killed or out of memory)." in lines
    assert (summary.count("failed"), summary.count("converted")) == (1, 9)


def test_unknown_start_method_is_a_usage_error(archive, tmp_path):
    with pytest.raises(UsageError) as info:
        convert_paths([archive], tmp_path / "x", jobs=2, start_method="teleport")
    assert str(info.value).startswith("start method 'teleport' is not available here. Use one of ")
    assert not (tmp_path / "x").exists()


CHILD = """
import sys
from pathlib import Path
from converter.run.batch import BatchOptions, run_batch
say = lambda line: sys.stderr.write(line + "\\n")
options = BatchOptions(output=Path(sys.argv[2]), jobs=2, start_method=sys.argv[3])
sys.exit(run_batch([Path(sys.argv[1])], options, say=say).exit_code)
"""


@pytest.mark.slow
@pytest.mark.parametrize("method", METHODS)
def test_ctrl_c_to_the_process_group_under_each_start_method(tmp_path, method):
    """Ctrl-C in a terminal reaches every process of the group, workers too (spawned ones while
    they import): exit 130, whole workbooks only, no worker's traceback, and a rerun finishes."""
    archive = tmp_path / "arkiv"
    write_archive(archive, 60, seed=5)
    out = tmp_path / "xlsx"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(archive), str(out), method], stderr=subprocess.PIPE,
                            text=True, start_new_session=True, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.rglob("tiltak-*.xlsx"))) < 3:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "not done (interrupted; run again to finish)" in err
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    for path in out.rglob("tiltak-*.xlsx"):
        assert openpyxl.load_workbook(path, read_only=True).sheetnames[0] == "Innhold"
    rerun = subprocess.run([sys.executable, "-c", CHILD, str(archive), str(out), method], capture_output=True,
                           text=True, timeout=300, cwd=ROOT)
    assert rerun.returncode == 0, rerun.stderr
    assert len(list(out.rglob("tiltak-*.xlsx"))) == 60


# --------------------------------------------------------------------------- a workbook open in Excel

def _locked_replace(monkeypatch, name: str) -> None:
    """Path.replace onto `name` fails as on Windows when Excel has the file open."""
    real = Path.replace

    def replace(self, target):
        if Path(target).name == name:
            raise PermissionError(13, "Permission denied")     # WinError 5/32 arrive as PermissionError
        return real(self, target)

    monkeypatch.setattr(Path, "replace", replace)


def test_locked_workbook_single_file(tmp_path, monkeypatch):
    out = tmp_path / "tiltak.xlsx"
    convert_file(SAMPLE, out)                    # the analyst's workbook, now open in Excel
    before = out.read_bytes()
    _locked_replace(monkeypatch, out.name)
    message = (f"{out}: cannot be replaced: it is open in another program (Excel?) or read-only. "
               "Close it in Excel and run again.")
    with pytest.raises(OutputError) as info:
        convert_file(SAMPLE, out)
    assert str(info.value) == message
    result = runner.invoke(app, [str(SAMPLE), "-o", str(out)])
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiltak.xlsx"]       # no temp file left


def test_locked_workbook_in_a_batch_is_recorded_and_the_rest_goes_on(archive, tmp_path, monkeypatch):
    out = tmp_path / "x"
    assert convert_paths([archive], out, jobs=1, timeseries=False).exit_code == 0
    (archive / "2013" / "tiltak-2013-08.txt").write_text(
        (archive / "2013" / "tiltak-2013-08.txt").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (archive / "2013" / "tiltak-2013-09.txt").write_text(
        (archive / "2013" / "tiltak-2013-09.txt").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _locked_replace(monkeypatch, "tiltak-2013-08.xlsx")
    lines: list[str] = []
    summary = run_batch([archive], BatchOptions(output=out, jobs=1, timeseries=False), say=lines.append)
    assert summary.exit_code == 1
    locked = out / "2013" / "tiltak-2013-08.xlsx"
    assert (f"{locked}: cannot be replaced: it is open in another program (Excel?) or read-only. "
            "Close it in Excel and run again.") in lines
    assert ("tiltak2xlsx: 1 converted, 6 up to date, 0 skipped, 0 failed, 1 locked (open in Excel? close and run "
            "again), 0 with discrepancies") in lines
    records = {Path(r["input"]).name: r for r in json.loads((out / "tiltak2xlsx-manifest.json").read_text())["items"]}
    assert records["tiltak-2013-08.txt"]["status"] == "locked"
    assert records["tiltak-2013-09.txt"]["status"] == "converted"
    assert not list(out.rglob("*.tmp"))
    monkeypatch.undo()                           # closed in Excel: the rerun converts it
    again = run_batch([archive], BatchOptions(output=out, jobs=1, timeseries=False))
    assert (again.exit_code, again.count("converted"), again.count("up to date")) == (0, 1, 7)


def test_locked_for_reading_too(tmp_path, monkeypatch):
    """Excel may deny reading as well: the check of who wrote the file says locked, not foreign."""
    import zipfile as zf_module

    out = tmp_path / "tiltak.xlsx"
    convert_file(SAMPLE, out)

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(zf_module, "ZipFile", denied)
    with pytest.raises(OutputError) as info:
        convert_file(SAMPLE, out)
    assert info.value.reason == "locked"


# --------------------------------------------------------------------------- names that differ in case

def test_case_only_collisions_are_refused_before_anything_is_written(tmp_path):
    src = tmp_path / "arkiv"
    src.mkdir()
    for name in ("Mars.txt", "mars.txt", "april.txt"):
        (src / name).write_bytes(SAMPLE.read_bytes())
    out = tmp_path / "x"
    lines: list[str] = []
    summary = run_batch([src], BatchOptions(output=out, jobs=1, timeseries=False), say=lines.append)
    assert summary.exit_code == 1
    assert (f"{src / 'Mars.txt'}: its workbook Mars.xlsx and mars.xlsx (from {src / 'mars.txt'}) differ only in "
            "upper and lower case, and on Windows and macOS they are one file; neither is written. Rename one of "
            "the reports.") in lines
    assert (f"{src / 'mars.txt'}: its workbook mars.xlsx and Mars.xlsx (from {src / 'Mars.txt'}) differ only in "
            "upper and lower case, and on Windows and macOS they are one file; neither is written. Rename one of "
            "the reports.") in lines
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["april.xlsx"]
    assert (summary.count("failed"), summary.count("converted")) == (2, 1)


def test_unicode_normalisation_collisions_are_refused(tmp_path):
    """macOS stores names decomposed: `Tromsø` typed two ways is one file there."""
    src = tmp_path / "arkiv"
    src.mkdir()
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Tromsø Å.txt")
    composed = unicodedata.normalize("NFC", "tromsø å.txt")
    (src / decomposed).write_bytes(SAMPLE.read_bytes())
    (src / composed).write_bytes(SAMPLE.read_bytes())
    summary = convert_paths([src], tmp_path / "x", jobs=1, timeseries=False)
    assert summary.count("failed") == 2 and not list((tmp_path / "x").glob("*.xlsx"))


# --------------------------------------------------------------------------- console encodings

ENCODINGS = [{"PYTHONIOENCODING": "cp1252"}, {"PYTHONIOENCODING": "cp850"}, {"PYTHONIOENCODING": "ascii"},
             {"LANG": "C", "LC_ALL": "C"}]


def _env(extra: dict[str, str], tmp_path: Path) -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "TILTAK2XLSX_CACHE_DIR": "off", "PYTHONPATH": str(ROOT)}
    env.update(extra)
    return env


@pytest.mark.slow
@pytest.mark.parametrize("extra", ENCODINGS, ids=lambda e: "-".join(e.values()))
def test_no_console_encoding_raises(tmp_path, extra):
    """Every kind of message, with a file name and Norwegian text the console may lack: one
    line each, no traceback, and only characters of the console's encoding."""
    src = tmp_path / "Tromsø «ny» – 2014→.txt"
    src.write_bytes(SAMPLE.read_bytes())
    bad = tmp_path / "tom «fil».txt"
    bad.write_bytes(b"")
    env = _env(extra, tmp_path)
    encoding = extra.get("PYTHONIOENCODING", "utf-8")
    runs = [
        ([str(src), "-o", str(tmp_path / "ut.xlsx")], 0),     # "→" in the success line
        ([str(src), "--check"], 0),                          # stdout, the period "Februar 2014"
        ([str(bad)], 1),                                     # an error naming the file
        ([str(tmp_path), "-o", str(tmp_path / "alle")], 1),  # a batch: skipped, failed, summary
        (["--help"], 0),
        (["--jobs", "0", str(src)], 2),
    ]
    for args, code in runs:
        proc = subprocess.run([sys.executable, "-m", "converter", *args], env=env, capture_output=True,
                              timeout=120, cwd=tmp_path)
        assert proc.returncode == code, (args, proc.stderr)
        for stream in (proc.stdout, proc.stderr):
            text = stream.decode(encoding)               # only the console's characters
            assert "Traceback" not in text and "internal error" not in text, (args, text)
            if encoding == "ascii":
                assert "\\u" not in text and "\\x" not in text, (args, text)   # degraded, not escaped
        if args[-1] == "--check":
            assert "Februar 2014, 5 tables" in proc.stdout.decode(encoding)


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["ascii", "cp850"])
def test_progress_bar_on_a_console_without_unicode(tmp_path, encoding):
    """The progress bar shows on a terminal only: run the batch on a pseudo-terminal."""
    import pty

    archive = tmp_path / "arkiv"
    write_archive(archive, 4, seed=2)
    master, slave = pty.openpty()
    env = _env({"PYTHONIOENCODING": encoding, "TERM": "xterm", "COLUMNS": "80"}, tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "converter", str(archive), "-o", str(tmp_path / "x"), "-j", "1"],
                            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave, cwd=tmp_path)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(master)
    err = b"".join(chunks).decode(encoding)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "4 converted" in err
    assert "converting" in err                   # the bar was there, in characters the console has
