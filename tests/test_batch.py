"""Batch conversion of an archive: paths, skipping, failures, incremental reruns, parallel workers,
killed workers, Ctrl-C, the manifest and the time series."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE

from converter import parse_report, to_frame
from converter.cli.app import app

sys.path.insert(0, str(ROOT / "bench"))
from make_archive import write_archive

runner = CliRunner()
CLI = [sys.executable, "-m", "converter"]


@pytest.fixture
def archive(tmp_path):
    root = tmp_path / "arkiv"
    write_archive(root, 14, seed=3)            # 2013-01 … 2014-02 in year folders
    return root


def _manifest(outdir):
    return {Path(r["input"]).name: r for r in json.loads((outdir / "tiltak2xlsx-manifest.json").read_text())["items"]}


def _run(args, env=None):
    return runner.invoke(app, [str(a) for a in args], env=env)


def test_mirrored_paths_and_manifest(archive, tmp_path):
    out = tmp_path / "xlsx"
    result = _run([archive, "-o", out, "--jobs", "1"])
    assert result.exit_code == 0, result.stderr
    made = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xlsx") if p.name != "tidsserie.xlsx")
    assert made == sorted(p.relative_to(archive).with_suffix(".xlsx").as_posix() for p in archive.rglob("*.txt"))
    assert "2013/tiltak-2013-01.xlsx" in made
    records = _manifest(out)
    assert records["tiltak-2013-01.txt"]["status"] == "converted"
    assert records["tiltak-2013-01.txt"]["period"] == "2013-01"
    assert records["tiltak-2013-01.txt"]["checks"] > 200 and records["tiltak-2013-01.txt"]["avvik"] == 0
    assert records["tiltak-2013-01.txt"]["output"] == str(out / "2013" / "tiltak-2013-01.xlsx")
    assert result.stderr.splitlines()[-2] == ("tiltak2xlsx: 14 converted, 0 up to date, 0 skipped, 0 failed, "
                                              "0 with discrepancies; time series: 14 reports (14 Tiltak. En måned), "
                                              "0 revision(s), 0 renamed series, 0 derived month(s), "
                                              "0 missing month(s)")


def test_beside_each_report_without_output(archive):
    assert _run([archive, "--jobs", "1", "--no-timeseries"]).exit_code == 0
    assert (archive / "2013" / "tiltak-2013-05.xlsx").exists()
    again = _run([archive, "--jobs", "1", "--no-timeseries"])
    assert "0 converted, 14 up to date, 0 skipped" in again.stderr    # own outputs are not inputs


def test_non_reports_skipped_with_reasons(archive, tmp_path):
    (archive / "rapport.pdf").write_bytes(b"%PDF-1.7\n...")
    (archive / "graf.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    openpyxl.Workbook().save(archive / "regneark.xlsx")
    (archive / "2013" / ".~lock.txt").write_text("x")
    (archive / "2013" / "tiltak-2013-04.txt~").write_text("x")
    (archive / "notater.md").write_text("Husk å sjekke mars.\n")
    (archive / "pdf-med-feil-navn.txt").write_bytes(b"%PDF-1.4 binary")
    out = tmp_path / "xlsx"
    result = _run([archive, "-o", out, "--no-timeseries"])
    assert result.exit_code == 0, result.stderr
    records = _manifest(out)
    reasons = {name: r["error"] for name, r in records.items() if r["status"] == "skipped"}
    assert reasons == {
        "rapport.pdf": "not a report: a PDF document",
        "graf.png": "not a report: a PNG image",
        "regneark.xlsx": "not a report: a zip archive (xlsx, docx or zip)",
        ".~lock.txt": "hidden file",
        "tiltak-2013-04.txt~": "editor backup file",
        "notater.md": "not a report: a .md file without a table",
        "pdf-med-feil-navn.txt": "not a report: a PDF document",
    }
    assert f"{archive / 'rapport.pdf'}: skipped (not a report: a PDF document)" in result.stderr.splitlines()


def test_broken_report_does_not_stop_the_batch(archive, tmp_path):
    bad = archive / "2013" / "tiltak-2013-06.txt"
    bad.write_bytes(bad.read_bytes().replace(b"\nMentor\t", b"\nMentor\tx", 1))
    out = tmp_path / "xlsx"
    result = _run([archive, "-o", out, "--jobs", "1"])
    assert result.exit_code == 1
    line = next(x for x in result.stderr.splitlines() if "tiltak-2013-06.txt" in x)
    assert line.startswith(f"{bad}: line ") and ": not a number: «x" in line
    records = _manifest(out)
    assert records["tiltak-2013-06.txt"]["status"] == "failed"
    assert sum(r["status"] == "converted" for r in records.values()) == 13
    assert not (out / "2013" / "tiltak-2013-06.xlsx").exists()


def test_discrepancies_exit_3(archive, tmp_path):
    src = archive / "2014" / "tiltak-2014-01.txt"
    data = src.read_bytes()
    start = data.index(b"\nMentor\t") + 8
    end = data.index(b"\t", start)
    src.write_bytes(data[:start] + str(int(data[start:end].replace(b" ", b"")) + 1).encode() + data[end:])
    result = _run([archive, "-o", tmp_path / "x", "--no-timeseries"])
    assert result.exit_code == 3
    assert "1 with discrepancies" in result.stderr
    assert _manifest(tmp_path / "x")["tiltak-2014-01.txt"]["avvik"] > 0


def test_rerun_converts_nothing_then_only_what_changed(archive, tmp_path):
    out = tmp_path / "xlsx"
    assert _run([archive, "-o", out]).exit_code == 0
    stamp = (out / "2013" / "tiltak-2013-01.xlsx").stat().st_mtime_ns
    again = _run([archive, "-o", out])
    assert again.exit_code == 0
    assert "0 converted, 14 up to date" in again.stderr
    assert (out / "2013" / "tiltak-2013-01.xlsx").stat().st_mtime_ns == stamp
    changed = archive / "2013" / "tiltak-2013-02.txt"
    changed.write_bytes(changed.read_bytes() + b"\n")
    third = _run([archive, "-o", out])
    assert "1 converted, 13 up to date" in third.stderr
    forced = _run([archive, "-o", out, "--force"])
    assert "14 converted, 0 up to date" in forced.stderr
    (out / "2013" / "tiltak-2013-03.xlsx").unlink()         # a deleted workbook is rebuilt
    assert "1 converted, 13 up to date" in _run([archive, "-o", out]).stderr


# What makes a workbook out of date (run.manifest.up_to_date): each a change to the last run's record
# or to the files since; the oracle for the input's digest is hashlib on its bytes.
@pytest.mark.parametrize(("change", "current"), [
    ({}, True),
    ({"status": "failed"}, False),
    ({"status": "up to date"}, True),
    ({"fingerprint": "0.0.0:other"}, False),
    ({"sha256": "0" * 64}, False),
    ({"stamp": [0, 0]}, False),                 # the workbook was touched since
    ("no workbook", False),
    ("no record", False),
])
def test_what_is_up_to_date(tmp_path, change, current):
    import hashlib

    from converter.run.manifest import up_to_date

    src, out = tmp_path / "r.txt", tmp_path / "r.xlsx"
    src.write_bytes(b"report")
    out.write_bytes(b"workbook")
    digest = hashlib.sha256(b"report").hexdigest()
    record = {"status": "converted", "fingerprint": "1:abc", "sha256": digest,
              "stamp": [out.stat().st_size, out.stat().st_mtime_ns]}
    if change == "no workbook":
        out.unlink()
    elif isinstance(change, dict):
        record.update(change)
    found = up_to_date(None if change == "no record" else record, src, out, "1:abc")
    assert found == (digest if current else None)


@pytest.mark.parametrize("text", [None, "", "not json", "[]", '{"items": [{"input": "a"}]}', '{"items": 3}'])
def test_a_missing_or_damaged_manifest_reads_as_none_converted(tmp_path, text):
    from converter.run.manifest import load_manifest

    path = tmp_path / "tiltak2xlsx-manifest.json"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    assert load_manifest(path) == {}


def test_manifest_records_by_output(tmp_path):
    from converter.run.manifest import load_manifest

    path = tmp_path / "tiltak2xlsx-manifest.json"
    path.write_text(json.dumps({"items": [{"input": "a.txt", "output": "a.xlsx", "status": "converted"},
                                          {"input": "b.txt", "status": "skipped"}]}), encoding="utf-8")
    assert load_manifest(path) == {"a.xlsx": {"input": "a.txt", "output": "a.xlsx", "status": "converted"}}


def test_jobs_2_equals_jobs_1_in_every_cell(archive, tmp_path):
    env = {"SOURCE_DATE_EPOCH": "1700000000"}
    assert _run([archive, "-o", tmp_path / "one", "--jobs", "1", "--no-timeseries"], env).exit_code == 0
    assert _run([archive, "-o", tmp_path / "two", "--jobs", "2", "--no-timeseries"], env).exit_code == 0
    ones = sorted((tmp_path / "one").rglob("*.xlsx"))
    assert len(ones) == 14
    for one in ones:
        two = tmp_path / "two" / one.relative_to(tmp_path / "one")
        with zipfile.ZipFile(one) as a, zipfile.ZipFile(two) as b:
            assert a.namelist() == b.namelist()
            for name in a.namelist():
                assert a.read(name) == b.read(name), (one.name, name)


def _die_on_june() -> None:
    """A worker initialiser (the test seam lives here, not in the library): this worker process
    kills itself when handed tiltak-2013-06.txt, as the OOM killer would."""
    import converter.run.workers as workers

    real = workers.convert_file

    def convert_file(src, *args, **kwargs):
        if Path(src).name == "tiltak-2013-06.txt":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(src, *args, **kwargs)

    workers.convert_file = convert_file


def test_worker_killed_mid_batch(archive, tmp_path):
    from converter.run.batch import BatchOptions, run_batch

    out = tmp_path / "xlsx"
    lines: list[str] = []
    options = BatchOptions(output=out, jobs=2, timeseries=False, worker_init=_die_on_june)
    summary = run_batch([archive], options, say=lines.append)
    assert summary.exit_code == 1, lines
    assert (f"{archive / '2013' / 'tiltak-2013-06.txt'}: the worker converting it died (killed or out of memory)."
            in lines)
    records = _manifest(out)
    assert records["tiltak-2013-06.txt"]["status"] == "failed"
    assert sum(r["status"] == "converted" for r in records.values()) == 13


def test_sigint_leaves_only_whole_workbooks_and_a_rerun_completes(tmp_path):
    archive = tmp_path / "arkiv"
    write_archive(archive, 120, seed=5)
    out = tmp_path / "xlsx"
    proc = subprocess.Popen([*CLI, str(archive), "-o", str(out), "--jobs", "2"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.rglob("tiltak-*.xlsx"))) < 5:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "not done (interrupted; run again to finish)" in err
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    done = list(out.rglob("tiltak-*.xlsx"))
    assert 5 <= len(done) < 120
    for path in done:
        assert openpyxl.load_workbook(path, read_only=True).sheetnames[0] == "Innhold"
    manifest = json.loads((out / "tiltak2xlsx-manifest.json").read_text())
    assert manifest["interrupted"] is True
    recorded = sum(r["status"] == "converted" for r in manifest["items"])
    assert recorded <= len(done)        # a file finished as Ctrl-C arrived may be whole but unrecorded
    rerun = subprocess.run([*CLI, str(archive), "-o", str(out), "--jobs", "2"], capture_output=True, text=True,
                           timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{120 - recorded} converted, {recorded} up to date" in rerun.stderr
    assert len(list(out.rglob("tiltak-*.xlsx"))) == 120


def test_timeseries_equals_each_report_and_shows_gaps(archive, tmp_path):
    (archive / "2013" / "tiltak-2013-07.txt").unlink()
    out = tmp_path / "xlsx"
    result = _run([archive, "-o", out, "--jobs", "1"])
    assert result.exit_code == 0
    assert "time series: 1 missing month(s): 2013-07" in result.stderr
    import pandas as pd

    long = pd.read_csv(out / "tidsserie.csv", dtype={"value": "Int64"}, keep_default_na=False,
                       na_values={"value": [""]})
    assert list(long.columns) == ["period", "table", "section", "group", "row", "column", "category", "measure",
                                  "value", "mark", "derived", "republished", "frequency"]
    wb = openpyxl.load_workbook(out / "tidsserie.xlsx")
    assert wb.sheetnames[:2] == ["Innhold", "Diagram"] and wb["Diagram"]._charts
    ws = wb["Tiltak og hovedgrupper"]
    header = 4                                   # title, period, (legend), then the header row
    months = [c.value for c in ws[header]][2:]
    assert months[0] == "2013-01" and months[-1] == "2014-02" and "2013-07" in months
    assert all(ws.cell(r, 2 + months.index("2013-07") + 1).value is None for r in range(header + 1, ws.max_row + 1))
    for path in sorted(archive.rglob("*.txt")):
        report = parse_report(path)
        expected = to_frame([report])
        got = long[long["period"] == report.period.key].reset_index(drop=True)
        assert got["value"].tolist() == expected["value"].tolist(), path.name
        col = 3 + months.index(report.period.key)
        rows = {(ws.cell(r, 1).value, ws.cell(r, 2).value): ws.cell(r, col).value
                for r in range(header + 1, ws.max_row + 1)}
        table = report.tables[-1]
        for row in table.sections[0].rows:
            for c, value in zip(table.columns, row.values, strict=True):
                # A row whose label needs its group to be unique is shown as "label (group)".
                keys = [k for k in rows
                        if k[1] == c.header and (k[0] == row.label or k[0].startswith(row.label + " ("))]
                assert len(keys) == 1 and rows[keys[0]] == value


def test_two_reports_for_the_same_month_newer_wins(archive, tmp_path):
    older = archive / "2013" / "tiltak-2013-05.txt"
    copy = archive / "kopi-2013-05.txt"
    copy.write_bytes(older.read_bytes().replace(b"\nMentor\t", b"\nMentor\t", 1))
    os.utime(older, (time.time() - 3600, time.time() - 3600))
    result = _run([archive, "-o", tmp_path / "x", "--jobs", "1"])
    assert result.exit_code == 0
    assert f"time series: two reports for 2013-05: {older} and {copy}; using {copy} (newer)" in result.stderr


def test_symlink_outside_is_not_followed(archive, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(SAMPLE.read_bytes())
    (archive / "lenke.txt").symlink_to(outside)
    result = _run([archive, "-o", tmp_path / "x", "--no-timeseries"])
    assert _manifest(tmp_path / "x")["lenke.txt"]["error"] == "symlink pointing outside the input folder"
    assert result.exit_code == 0


def test_quiet_batch_prints_only_problems(archive, tmp_path):
    (archive / "x.pdf").write_bytes(b"%PDF-1.4")
    result = _run([archive, "-o", tmp_path / "x", "-q", "--no-timeseries"])
    assert result.exit_code == 0 and result.stderr == "" and result.stdout == ""


def test_several_inputs_need_an_output_folder(archive, tmp_path):
    result = _run([archive, SAMPLE, "-o", tmp_path / "x.xlsx"])
    assert result.exit_code == 2
    assert result.stderr == (f"{tmp_path / 'x.xlsx'}: the output must be a folder when converting several "
                             "reports or a folder. Give a folder with -o.\n")


def test_output_folder_inside_the_input_folder(archive):
    out = archive / "xlsx"
    assert _run([archive, "-o", out, "--no-timeseries"]).exit_code == 0
    again = _run([archive, "-o", out, "--no-timeseries"])
    assert "0 converted, 14 up to date, 0 skipped, 0 failed" in again.stderr   # its own outputs are not inputs


# The tidy data of the samples, for each FORMAT of the store. Tidy data that changes with the same
# FORMAT would let a rerun read an older tiltak2xlsx's files back as if they were current.
TIDY_SHA256 = {3: "2c67e0e955abeabb41c61d6e41d669dafd8f99de0baab41401375e98fc962f19"}


def test_changed_tidy_data_raises_the_store_format():
    import hashlib

    from converter import tidy
    from converter.series.store import FORMAT

    digest = hashlib.sha256()
    for name in ("fylke-2015-06.txt", "tiltak-2014-02.txt"):
        data = tidy(parse_report(ROOT / "samples" / name))
        digest.update(json.dumps(data.to_json(), sort_keys=True, ensure_ascii=False).encode("utf-8"))
    assert digest.hexdigest() == TIDY_SHA256.get(FORMAT), (
        "the samples' tidy data changed: raise converter.series.store.FORMAT, then record the new hash here for it")
