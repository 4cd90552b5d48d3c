"""Start-up: the shipped compiled template, and what a run imports.

A first run after install must be as fast as a warm one: the bundled template's compiled form
ships with the package (it must equal a fresh compile, so it cannot go stale), and nothing on the
conversion or --check path imports openpyxl, numpy, pandas or pydantic. Imports are checked in a
fresh interpreter (a subprocess), since this test process has imported them all already.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE

from converter.cli.app import app
from converter.xlsx.styles import DATE
from converter.xlsx.template import COMPILED_NAME, compile_template, default_template_path, load_template

HEAVY = ("openpyxl", "numpy", "pandas", "pydantic")
# What checking does not need (issue 12): the writer, the template, the time series, the process pool.
NOT_FOR_CHECK = ("converter.books.report", "converter.xlsx.package", "converter.xlsx.cells", "converter.xlsx.styles",
                 "converter.xlsx.chart", "converter.xlsx.template",
                 "converter.series.axes", "converter.series.tidy", "converter.series.archive", "converter.series.views",
                 "converter.series.renames", "converter.series.timeline", "converter.series.store",
                 "converter.books.timeseries", "converter.run.timeseries",
                 "multiprocessing", "concurrent.futures", "zipfile", "tempfile", "json", "rich")
REBUILD = "python templates/compile_template.py"


def test_shipped_compiled_template_equals_a_fresh_compile():
    shipped = default_template_path().with_name(COMPILED_NAME)
    assert shipped.is_file(), f"{shipped} is missing: run `{REBUILD}`"
    fresh = compile_template(default_template_path())[1]
    assert shipped.read_text(encoding="utf-8") == fresh, f"the shipped compiled template is stale: run `{REBUILD}`"


def test_shipped_compiled_template_is_package_data():
    text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert '"converter.templates" = ["*.xlsx", "*.json"]' in text


def test_edited_template_beside_a_stale_compiled_form_is_compiled_afresh(tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(default_template_path())
    wb._named_styles["Tall"].number_format = "0.00000"     # a visible change in styles.xml
    wb.save(tmp_path / "tiltak.xlsx")
    shutil.copy(default_template_path().with_name(COMPILED_NAME), tmp_path / COMPILED_NAME)
    template = load_template(tmp_path / "tiltak.xlsx")
    assert b'formatCode="0.00000;-0.00000;"' in template.styles_xml        # "Tall0": its zero-blank variant
    assert b'formatCode="0.00000;-0.00000;"' not in load_template().styles_xml


def test_damaged_shipped_form_falls_back_to_compiling(tmp_path):
    shutil.copy(default_template_path(), tmp_path / "tiltak.xlsx")
    data = json.loads(default_template_path().with_name(COMPILED_NAME).read_text(encoding="utf-8"))
    data["xf"] = [entry for entry in data["xf"] if not entry["style"].get("date")]     # the date format lost
    (tmp_path / COMPILED_NAME).write_text(json.dumps(data), encoding="utf-8")
    assert DATE in load_template(tmp_path / "tiltak.xlsx").xf


def _modules_after(argv: list[str], tmp_path: Path, cache: str | None = None,
                   watch: tuple[str, ...] = HEAVY) -> tuple[int, list[str], str]:
    """Run the CLI in a fresh interpreter; its exit code, the modules of `watch` it imported, its stderr.

    (A package is in sys.modules as soon as any of its modules is imported.)
    """
    probe = (
        "import sys\n"
        f"sys.argv = ['tiltak2xlsx', *{argv!r}]\n"
        "from converter.cli.app import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        f"heavy = sorted(m for m in {watch!r} if m in sys.modules)\n"
        "print(code, ','.join(heavy), file=sys.stdout)\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),     # this tree's converter
           "TILTAK2XLSX_CACHE_DIR": cache if cache is not None else str(tmp_path / "empty-cache")}
    proc = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120,
                          cwd=tmp_path)
    code, _, heavy = proc.stdout.strip().rpartition("\n")[2].partition(" ")
    return int(code), [h for h in heavy.split(",") if h], proc.stderr


@pytest.mark.slow
def test_first_conversion_imports_nothing_heavy(tmp_path):
    code, heavy, err = _modules_after([str(SAMPLE), "-o", str(tmp_path / "out.xlsx")], tmp_path)
    assert (code, heavy) == (0, []), err
    assert not (tmp_path / "empty-cache").exists()       # the shipped compiled template was used
    assert (tmp_path / "out.xlsx").stat().st_size > 10_000


@pytest.mark.slow
def test_check_and_options_import_nothing_heavy(tmp_path):
    argv = [str(SAMPLE), "--check", "--jobs", "2", "--max-size", "3.5", "--template", str(default_template_path())]
    code, heavy, err = _modules_after(argv, tmp_path, cache="off")
    assert (code, heavy) == (0, []), err


def _two_reports(tmp_path):
    """A folder with the sample twice (two names)."""
    archive = tmp_path / "arkiv"
    archive.mkdir()
    shutil.copy(SAMPLE, archive / SAMPLE.name)
    shutil.copy(SAMPLE, archive / "tiltak-copy.txt")
    return archive


@pytest.mark.slow
def test_check_imports_no_writer_template_series_or_pool(tmp_path):
    code, found, err = _modules_after([str(SAMPLE), "--check"], tmp_path, watch=HEAVY + NOT_FOR_CHECK)
    assert (code, found) == (0, []), err


@pytest.mark.slow
def test_check_of_a_folder_imports_the_pool_only_for_jobs(tmp_path):
    archive = _two_reports(tmp_path)
    watch = HEAVY + NOT_FOR_CHECK
    code, found, err = _modules_after([str(archive), "--check", "--jobs", "1"], tmp_path, watch=watch)
    assert (code, found) == (0, []), err
    code, found, err = _modules_after([str(archive), "--check", "--jobs", "2"], tmp_path, watch=watch)
    assert code == 0, err
    assert {"concurrent.futures", "multiprocessing"} <= set(found)          # the probe sees a pool
    assert [m for m in found if m.startswith("converter.") or m in HEAVY] == []


@pytest.mark.slow
def test_check_with_a_template_loads_it_and_nothing_else(tmp_path):
    argv = [str(SAMPLE), "--check", "--template", str(default_template_path())]
    code, found, err = _modules_after(argv, tmp_path, watch=HEAVY + NOT_FOR_CHECK)
    assert code == 0, err
    # the template and the Style values that key its formats; no writer
    assert [m for m in found if m.startswith("converter.") or m in HEAVY] == ["converter.xlsx.styles",
                                                                              "converter.xlsx.template"]


@pytest.mark.slow
def test_batch_without_timeseries_imports_nothing_heavy(tmp_path):
    archive = _two_reports(tmp_path)
    argv = [str(archive), "-o", str(tmp_path / "out"), "--jobs", "1", "--no-timeseries", "--quiet"]
    code, heavy, err = _modules_after(argv, tmp_path)
    assert (code, heavy) == (0, []), err
    assert len(list((tmp_path / "out").glob("*.xlsx"))) == 2


runner = CliRunner()


@pytest.mark.parametrize(("args", "message"), [
    (["--jobs", "0"], "tiltak2xlsx: --jobs: 0 is out of range: give a whole number from 1 to 64. "
                      "See tiltak2xlsx --help."),
    (["--jobs", "65"], "tiltak2xlsx: --jobs: 65 is out of range: give a whole number from 1 to 64. "
                       "See tiltak2xlsx --help."),
    (["--jobs", "x"], "tiltak2xlsx: --jobs: «x» is not a whole number from 1 to 64. See tiltak2xlsx --help."),
    (["--jobs", "2.5"], "tiltak2xlsx: --jobs: «2.5» is not a whole number from 1 to 64. See tiltak2xlsx --help."),
    (["--max-size", "abc"], "tiltak2xlsx: --max-size: «abc» is not a number of at least 0.001. "
                            "See tiltak2xlsx --help."),
    (["--max-size", "0"], "tiltak2xlsx: --max-size: 0 is out of range: give a number of at least 0.001. "
                          "See tiltak2xlsx --help."),
    (["--max-size", "nan"], "tiltak2xlsx: --max-size: «nan» is not a number of at least 0.001. "
                            "See tiltak2xlsx --help."),
    (["--output", ""], "tiltak2xlsx: --output: an empty name is not a file or folder. See tiltak2xlsx --help."),
    (["--bogus"], "tiltak2xlsx: no such option --bogus (did you mean --jobs?). See tiltak2xlsx --help."),
    (["--zzz"], "tiltak2xlsx: no such option --zzz. See tiltak2xlsx --help."),
])
def test_bad_option_values_are_usage_errors(args, message):
    """One line in the tool's own words (issue 21), exit 2; nothing on stdout."""
    result = runner.invoke(app, [str(SAMPLE), "--check", *args])
    assert (result.exit_code, result.stderr, result.stdout) == (2, message + "\n", "")


def test_no_path_is_a_one_line_usage_error():
    result = runner.invoke(app, [])
    assert (result.exit_code, result.stderr) == (2, "tiltak2xlsx: give at least one report file or folder. "
                                                    "See tiltak2xlsx --help.\n")


def test_help_shows_plain_metavars():
    """No type names of the implementation (`<list[Path]>`, `<int range>`, issue 21) in --help."""
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    text = result.stdout
    assert "Usage: tiltak2xlsx [OPTIONS] PATH..." in text
    for line in ("-o, --output PATH", "--template FILE", "-j, --jobs N", "--max-size MIB", "--rename FILE"):
        assert line in text, line
    assert "<" not in text and "list[" not in text and "range>" not in text


def test_good_option_values_are_converted(tmp_path, monkeypatch):
    from types import SimpleNamespace

    import converter.run.batch

    seen = {}

    def fake_run_batch(paths, options, say=None, info=None):
        seen.update(paths=paths, jobs=options.jobs, max_bytes=options.max_bytes, template=options.template)
        return SimpleNamespace(exit_code=0, items=[])

    monkeypatch.setattr(converter.run.batch, "run_batch", fake_run_batch)
    result = runner.invoke(app, [str(SAMPLE), str(tmp_path), "--check", "--jobs", " 3 ", "--max-size", "0.5",
                                 "--template", "t.xlsx"])
    assert result.exit_code == 0, result.output
    assert seen == {"paths": [SAMPLE, tmp_path], "jobs": 3, "max_bytes": 2**19, "template": Path("t.xlsx")}
    assert all(type(p) is type(SAMPLE) for p in seen["paths"])


# The compiled form of the bundled template, for each FORMAT of the compiler. A changed compiler
# output with the same FORMAT would let a user's cache hand back an old compiled form.
COMPILED_SHA256 = {1: "0b8cfb590cea4d2640fba1e16443543c12299d3c36390457e168a219477e06a4",
                   2: "88d4eef933076a71e6606bd7f6fca5d671176d7b5e32f4c4cb918dcd183c3ddc"}   # xf as a list of Styles


def test_a_changed_compiled_form_raises_the_compiled_format():
    import hashlib

    from converter.xlsx.template import FORMAT

    fresh = compile_template(default_template_path())[1]
    assert hashlib.sha256(fresh.encode("utf-8")).hexdigest() == COMPILED_SHA256.get(FORMAT), (
        "the compiled template changed: if the compiler changed, raise converter.xlsx.template.FORMAT; "
        "then record the new hash here for it")
