"""A batch that never loses a month and never dies on one odd file (issue 21): edited and unwritable
workbooks keep their months in the time series; a non-UTF-8 or multi-line file name, a symlink to
itself, an output folder that cannot be made, a non-report named directly: each is one line for
that item (and the right exit code, in a conversion and in --check alike) while the rest goes on."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import BAD, ROOT, SAMPLE

from converter.cli.app import app
from converter.series.archive import Archive
from converter.series.tidy import ReportData
from converter.series.timeline import build

sys.path.insert(0, str(ROOT / "bench"))
from make_archive import write_archive

runner = CliRunner()
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}
SERIES = ("tidsserie.csv", "tidsserie.xlsx")


@pytest.fixture
def archive(tmp_path):
    root = tmp_path / "arkiv"
    write_archive(root, 14, seed=3)            # 2013-01 … 2014-02 in year folders
    return root


def _run(args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def _manifest(outdir):
    return {Path(r["input"]).name: r for r in json.loads((outdir / "tiltak2xlsx-manifest.json").read_text())["items"]}


def _series(outdir) -> dict[str, bytes]:
    return {name: (outdir / name).read_bytes() for name in SERIES}


# --------------------------------------------------------------------------- the time series rests on the reports

def _resave_with_libreoffice(book: Path, tmp: Path) -> None:
    out = tmp / "lo-out"
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(book)],
                   check=True, capture_output=True, timeout=300)
    shutil.copyfile(out / book.name, book)


def test_edited_and_unwritable_workbooks_keep_their_months(archive, tmp_path):
    clean = tmp_path / "clean"
    assert _run([archive, "-o", clean, "--jobs", "1"], EPOCH).exit_code == 0
    expected = _series(clean)

    out = tmp_path / "xlsx"
    assert _run([archive, "-o", out, "--jobs", "2"], EPOCH).exit_code == 0
    wb = openpyxl.load_workbook(out / "2013" / "tiltak-2013-05.xlsx")     # a colleague's note, saved by openpyxl
    wb["Innhold"]["D4"] = "Sjekket"
    wb.save(out / "2013" / "tiltak-2013-05.xlsx")
    edited = 1
    if SOFFICE:                                                             # and one saved again by LibreOffice
        _resave_with_libreoffice(out / "2013" / "tiltak-2013-08.xlsx", tmp_path)
        edited = 2
    blocked = out / "2014" / "tiltak-2014-01.xlsx"
    blocked.unlink()
    blocked.mkdir()                                                         # an output that cannot be written
    for name in SERIES:
        (out / name).unlink()                   # a later batch must build the time series again

    for store in (True, False):                 # with the stored figures, and with none (each worker parses)
        if not store:
            shutil.rmtree(out / ".tiltak2xlsx")
            for name in SERIES:
                (out / name).unlink()
        result = _run([archive, "-o", out, "--jobs", "2"], EPOCH)
        assert result.exit_code == 1, result.stderr
        summary = result.stderr.splitlines()[-2]
        assert f"1 failed, {edited} edited (kept)" in summary
        assert "time series: 14 reports" in summary and "0 missing month(s)" in summary
        assert f"{blocked}: the output is a folder. Give a file name ending in .xlsx." in result.stderr.splitlines()
        assert _series(out) == expected                                     # identical to a clean run's, byte for byte
        records = _manifest(out)
        kept = records["tiltak-2013-05.txt"]
        assert (kept["status"], kept["period"]) == ("edited", "2013-05")
        assert records["tiltak-2014-01.txt"]["status"] == "failed"
    again = _run([archive, "-o", out, "--jobs", "1"], EPOCH)                # nothing changed: nothing rewritten
    assert "time series: nothing changed" in again.stderr
    assert _series(out) == expected


def test_a_full_disk_keeps_the_month(archive, tmp_path, monkeypatch):
    import converter.run.output as output
    from converter.errors import OutputError

    clean = tmp_path / "clean"
    assert _run([archive, "-o", clean, "--jobs", "1"], EPOCH).exit_code == 0
    real = output.write_atomic

    def write_atomic(dst, data, guard=None):
        if Path(dst).name == "tiltak-2013-09.xlsx":
            raise OutputError(f"{dst}: cannot be written (No space left on device)")
        return real(dst, data, guard)

    monkeypatch.setattr(output, "write_atomic", write_atomic)
    out = tmp_path / "xlsx"
    result = _run([archive, "-o", out, "--jobs", "1"], EPOCH)
    assert result.exit_code == 1
    assert f"{out / '2013' / 'tiltak-2013-09.xlsx'}: cannot be written (No space left on device)." in result.stderr
    assert _series(out) == _series(clean)


# --------------------------------------------------------------------------- odd file names

def test_a_file_name_that_is_not_utf8(archive, tmp_path):
    odd = Path(os.fsdecode(bytes(archive / "2013") + b"/rapport-\xff-2013-03.txt"))
    try:
        (archive / "2013" / "tiltak-2013-03.txt").rename(odd)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes only UTF-8 names")
    out = tmp_path / "xlsx"
    result = _run([archive, "-o", out, "--jobs", "1"])
    assert result.exit_code == 0, result.stderr
    assert "14 converted" in result.stderr and "0 missing month(s)" in result.stderr
    records = _manifest(out)                    # the manifest is JSON, the name's byte its escape
    assert records[odd.name]["status"] == "converted"
    assert "rapport-\\udcff-2013-03.txt" in (out / "tiltak2xlsx-manifest.json").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(Path(records[odd.name]["output"]))
    assert "rapport-\\xff-2013-03.txt" in [c.value for row in book["Innhold"].iter_rows() for c in row]
    sources = [r[1] for r in openpyxl.load_workbook(out / "tidsserie.xlsx")["Innhold"].iter_rows(values_only=True)]
    assert f"{archive}/2013/rapport-\\xff-2013-03.txt" in sources
    rerun = _run([archive, "-o", out, "--jobs", "1"])
    assert "0 converted, 14 up to date" in rerun.stderr     # the manifest's record is found again
    check = _run([odd, "--check"])
    assert check.exit_code == 0
    assert check.stdout.startswith(f"{archive}/2013/rapport-\\xff-2013-03.txt: ")


def test_a_file_name_with_a_newline_stays_one_line(archive, tmp_path):
    bad = archive / "2013" / "dårlig\nrapport.txt"
    bad.write_bytes(BAD.joinpath("number-with-letters.txt").read_bytes())
    result = _run([archive, "-o", tmp_path / "x", "--jobs", "1"])
    assert result.exit_code == 1
    lines = [x for x in result.stderr.splitlines() if "rapport.txt" in x]
    assert len(lines) == 1 and lines[0].startswith(f"{archive}/2013/dårlig\\nrapport.txt: line ")
    alone = _run([bad, "-o", tmp_path / "y.xlsx"])
    assert alone.exit_code == 1 and alone.stderr.startswith("dårlig\\nrapport.txt: line ")
    assert len(alone.stderr.splitlines()) == 1


# --------------------------------------------------------------------------- odd files

LOOP = "is a symbolic link that leads back to itself (a loop). Point the link at a report, or remove it."


def test_a_symlink_to_itself(archive, tmp_path):
    loop = archive / "2013" / "lenke.txt"
    loop.symlink_to(loop)
    broken = archive / "2013" / "brutt.txt"         # a link to nothing: no report to lose, skipped
    broken.symlink_to(archive / "borte.txt")
    out = tmp_path / "xlsx"
    result = _run([archive, "-o", out, "--jobs", "2"])
    assert result.exit_code == 1
    assert [x for x in result.stderr.splitlines() if "lenke" in x] == [f"{loop}: {LOOP}"]
    assert f"{broken}: skipped (broken symlink: its target does not exist)" in result.stderr.splitlines()
    assert "14 converted, 0 up to date, 1 skipped, 1 failed" in result.stderr
    assert _manifest(out)["lenke.txt"]["status"] == "failed"
    assert (out / "tidsserie.xlsx").exists()
    check = _run([archive, "--check", "--jobs", "1"])
    assert check.exit_code == 1 and f"{loop}: {LOOP}" in check.stderr.splitlines()
    named = _run([loop, "--check"])
    assert named.exit_code == 1 and named.stderr == f"{loop}: {LOOP}\n"
    alone = _run([loop])
    assert alone.exit_code == 1 and alone.stderr == f"lenke.txt: {LOOP}\n"


def test_an_output_folder_that_cannot_be_made(archive, tmp_path, monkeypatch):
    out = tmp_path / "xlsx"
    out.mkdir()
    (out / "2013").write_text("a file where the folder 2013 must go")
    real = Path.mkdir

    def mkdir(self, *args, **kwargs):           # tests may run as root, where chmod stops nothing
        if self == out / "2014":
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", mkdir)
    result = _run([archive, "-o", out, "--jobs", "1"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert (f"{out / '2013' / 'tiltak-2013-01.xlsx'}: its folder {out / '2013'} cannot be made (a file is in the "
            "way). Move the file away, or write elsewhere.") in lines
    assert (f"{out / '2014' / 'tiltak-2014-02.xlsx'}: its folder {out / '2014'} cannot be made (Read-only file "
            "system). Check that the output folder can be written, or write elsewhere.") in lines
    assert "0 converted, 0 up to date, 0 skipped, 14 failed" in lines[-2]
    assert "time series: 14 reports" in lines[-2] and "0 missing month(s)" in lines[-2]
    assert {r["status"] for r in _manifest(out).values()} == {"failed"}


@pytest.mark.parametrize("name", ["binary.txt", "pdf-renamed.txt", "xlsx-renamed.txt"])
def test_a_non_report_named_directly_fails_in_a_check_too(name, tmp_path):
    expected = next(line.split("\t", 1)[1] for line in (BAD / "expected.tsv").read_text().splitlines()
                    if line.startswith(name + "\t"))
    src = tmp_path / name
    shutil.copyfile(BAD / name, src)
    converted = _run([src])
    assert converted.exit_code == 1 and converted.stderr == expected + "\n"
    checked = _run([src, "--check"])
    assert checked.exit_code == 1 and checked.stderr == f"{tmp_path}/{expected}\n"
    both = _run([src, SAMPLE, "--check"])       # named among others: still an error, the rest still checked
    assert both.exit_code == 1 and f"{SAMPLE}: Februar 2014" in both.stdout
    folder = tmp_path / "arkiv"                 # found inside a folder: skipped, as before
    folder.mkdir()
    shutil.copyfile(BAD / name, folder / name)
    shutil.copyfile(SAMPLE, folder / SAMPLE.name)
    inside = _run([folder, "--check"])
    assert inside.exit_code == 0 and f"{folder / name}: skipped (not a report: " in inside.stderr


# --------------------------------------------------------------------------- notes

def _data(period: str) -> ReportData:
    from array import array

    return ReportData(period, "x.txt", "0" * 64, "Tittel", (("T", "", "", "I alt", "Antall", "", "count"),),
                      array("H", [0]), array("q", [1]), b"\0", ())


def test_of_two_copies_with_the_same_time_stamp_the_later_path_wins_whatever_the_order():
    notes = set()
    for order in (["a/kopi.txt", "b/rapport.txt"], ["b/rapport.txt", "a/kopi.txt"]):
        archive = Archive()
        for path in order:
            archive.add(_data("2014-02"), path, 5.0)
        assert [e.source.path for e in archive.entries.values()] == ["b/rapport.txt"]
        timeline = build(archive)
        notes.add((timeline.notes[0], timeline.notes[0].no))
    assert notes == {("time series: two reports for 2014-02: a/kopi.txt and b/rapport.txt; using b/rapport.txt "
                      "(same time stamp: the later path)",
                      "To rapporter for 2014-02: a/kopi.txt og b/rapport.txt; bruker b/rapport.txt "
                      "(samme endringstid: den siste etter filsti)")}


def test_notes_in_the_time_series_workbook_are_norwegian(archive, tmp_path):
    (archive / "2013" / "tiltak-2013-07.txt").unlink()
    shutil.copyfile(archive / "2013" / "tiltak-2013-05.txt", archive / "kopi-2013-05.txt")
    out = tmp_path / "xlsx"
    result = _run([archive, "-o", out, "--jobs", "1"])
    assert "time series: 1 missing month(s): 2013-07" in result.stderr       # the command line stays English
    notes = [r[1] for r in openpyxl.load_workbook(out / "tidsserie.xlsx")["Innhold"].iter_rows(values_only=True)
             if r[0] == "Merknad"]
    assert "1 manglende måned(er): 2013-07" in notes
    assert any(n.startswith("To rapporter for 2013-05: ") for n in notes)
    assert not [n for n in notes if "time series" in n]


def _bug_on_june() -> None:
    """A worker initialiser: converting tiltak-2013-06.txt meets a bug (not bad input)."""
    import converter.run.workers as workers

    real = workers.convert_file

    def convert_file(src, *args, **kwargs):
        if Path(src).name == "tiltak-2013-06.txt":
            raise RuntimeError("a bug")
        return real(src, *args, **kwargs)

    workers.convert_file = convert_file


def test_a_bug_met_on_one_file_fails_that_file_only(archive, tmp_path):
    from converter.run.batch import BatchOptions, run_batch

    lines: list[str] = []
    summary = run_batch([archive], BatchOptions(output=tmp_path / "xlsx", jobs=2, worker_init=_bug_on_june),
                        say=lines.append)
    assert summary.exit_code == 1
    bug = [x for x in lines if "tiltak-2013-06.txt" in x]
    assert len(bug) == 1 and bug[0].startswith(f"{archive / '2013' / 'tiltak-2013-06.txt'}: internal error "
                                                "(RuntimeError: a bug; in test_oddfiles.py:")
    assert "13 converted" in lines[-2] and "1 failed" in lines[-2] and summary.manifest is not None
