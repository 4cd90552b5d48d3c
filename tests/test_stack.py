"""The package's shape: imports only point down, the CLI's --help stays light, errors pickle,
test seams and environment reading stay out of the library, and --check is the pipeline."""

from __future__ import annotations

import ast
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import ROOT, SAMPLE

from converter import ReportFormatError
from converter.cli import app

PACKAGE = ROOT / "converter"
# The layers, bottom first: a module may import only from layers below its own. Data flows
# text → parse → model → checks → layout → workbook → file; orchestration above; the CLI on top.
LAYERS: list[set[str]] = [
    {"version", "tuning"},                         # the package's version; interpreter settings while work runs
    {"errors"},
    {"model"},
    {"periods"},                                   # period texts and keys
    {"decode", "labels", "arith"},                 # bytes → text; words compared; the relations' arithmetic
    {"structure"},                                 # which structure the numbers confirm
    {"parse"},
    {"meaning", "source"},                         # what each figure is; reading with the size limit
    {"checks", "series"},                          # ...; each report's figures as time series (pure)
    {"layout", "template", "chart"},               # addresses and formulas; the house style; chart XML
    {"audit"},                                     # checks + layouts + Excel's limits: the workbook's and --check's
    {"xlsx"},                                      # the writer's parts
    {"workbook", "output", "store"},               # report → workbook; writing files safely; tidy data kept
    {"pipeline", "discover"},                      # one file; which files
    {"timeseries", "workers"},
    {"batch"},
    {"cliargs"},                                   # the CLI's argument conversion (no pydantic)
    {"cli"},
    {"__main__"},
]
LEVEL = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def _imports(path: Path) -> list[tuple[str, int]]:
    """(module of the package, line) for every import in the file, wherever it stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.append((node.module.split(".")[0], node.lineno))
            elif node.level == 1:                     # from . import x: the facade
                found.append(("__init__", node.lineno))
            elif node.level == 0 and (node.module or "").split(".")[0] == "converter":
                found.append(("__init__" if node.module == "converter" else node.module.split(".")[1], node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "converter":
                    parts = alias.name.split(".")
                    found.append((parts[1] if len(parts) > 1 else "__init__", node.lineno))
    return found


def test_every_module_has_a_layer():
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert modules == set(LEVEL), "add the new module to LAYERS"


def test_imports_only_point_down():
    wrong = []
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem == "__init__":
            continue                        # the facade: imports on first use, for library users
        for target, line in _imports(path):
            if target == "__init__" or LEVEL[target] >= LEVEL[path.stem]:
                wrong.append(f"{path.name}:{line} imports {target}")
    assert wrong == []


def test_layering_test_catches_an_upward_import(tmp_path):
    bad = tmp_path / "workbook.py"
    bad.write_text("def f():\n    from .batch import run_batch\n    from . import __version__\n")
    assert _imports(bad) == [("batch", 2), ("__init__", 3)]


def test_environment_and_test_seams_stay_out_of_the_library():
    for path in PACKAGE.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "TILTAK2XLSX_FAULT" not in text, path.name
        if path.stem not in ("cli", "template"):     # the CLI reads SOURCE_DATE_EPOCH; template its cache dir
            assert "os.environ" not in text, path.name


def test_help_is_light():
    probe = ("import sys; sys.argv = ['tiltak2xlsx', '--help']\n"
             "from converter.cli import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "heavy = sorted(m for m in ('openpyxl', 'pandas', 'converter.workbook', 'converter.parse') "
             "if m in sys.modules)\n"
             "print('HEAVY', heavy)")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert proc.stdout.splitlines()[-1] == "HEAVY []"


def test_report_format_error_pickles():
    error = ReportFormatError("r.txt", "not a number", "Check the row", line=12, text="x1", reason="r")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ReportFormatError
    assert (again.file, again.line, again.text, again.problem, again.hint, again.reason) == \
           ("r.txt", 12, "x1", "not a number", "Check the row", "r")
    assert str(again) == str(error) == "r.txt: line 12: not a number: «x1». Check the row."
    assert again.message(where="arkiv/r.txt") == "arkiv/r.txt: line 12: not a number: «x1». Check the row."


def test_every_error_pickles():
    from converter.errors import OutputError, TemplateError, UsageError

    for error in (OutputError("x.xlsx: kept", "Write elsewhere", reason="edited"), TemplateError("t.xlsx: bad."),
                  UsageError("a", "b")):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error) and again.reason == error.reason
    assert UsageError("a").exit_code == 2


def test_exit_codes_in_one_place():
    from converter.errors import Exit

    assert [int(e) for e in Exit] == [0, 1, 2, 3, 130]
    for path in PACKAGE.glob("*.py"):
        if path.stem == "errors":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):     # no bare exit numbers: sys.exit(1), typer.Exit(3), return 130
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                    "exit", "Exit"):
                assert not (node.args and isinstance(node.args[0], ast.Constant)
                            and isinstance(node.args[0].value, int)), (path.name, node.lineno)


# --------------------------------------------------------------------------- --check is the pipeline

runner = CliRunner()


def test_check_a_folder_writes_nothing(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from make_archive import write_archive

    archive = tmp_path / "arkiv"
    write_archive(archive, 3, seed=2)
    (archive / "notat.pdf").write_bytes(b"%PDF-1.4")
    before = sorted(p.relative_to(archive) for p in archive.rglob("*"))
    result = runner.invoke(app, [str(archive), "--check", "--jobs", "2"])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    for line, src in zip(lines, sorted(archive.rglob("tiltak-*.txt")), strict=True):
        assert line.startswith(f"{src}: ") and line.endswith(" checks, 0 AVVIK")
    assert f"{archive / 'notat.pdf'}: skipped (not a report: a PDF document)" in result.stderr
    assert result.stderr.splitlines()[-1] == "tiltak2xlsx: 3 checked, 1 skipped, 0 failed, 0 with discrepancies"
    assert sorted(p.relative_to(archive) for p in archive.rglob("*")) == before


def test_check_exit_3_and_every_failing_check(tmp_path):
    from conftest import mutate

    src = tmp_path / "r.txt"
    src.write_bytes(mutate(SAMPLE.read_bytes(), b"Mentor\t85\t10\t70\t5", b"Mentor\t85\t10\t80\t5"))
    result = runner.invoke(app, [str(src), str(SAMPLE), "--check", "-q"])
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0] == f"{src}: Februar 2014, 5 tables, 101 rows, 262 checks, 2 AVVIK"
    assert "  AVVIK Tiltak og hovedgrupper / Mentor / I alt: published 85, computed 95 (radsum, line 143)" in lines
    assert lines[-1] == f"{SAMPLE}: Februar 2014, 5 tables, 101 rows, 262 checks, 0 AVVIK"
    assert len(lines) == 4 and result.stderr == ""
    assert [p.name for p in tmp_path.iterdir()] == ["r.txt"]


def test_check_honours_the_template(tmp_path):
    bad = tmp_path / "mal.xlsx"
    openpyxl.Workbook().save(bad)
    result = runner.invoke(app, [str(SAMPLE), "--check", "--template", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.startswith("mal.xlsx: the template lacks the named styles ")
    assert result.stdout == ""


def test_check_refuses_an_output():
    result = runner.invoke(app, [str(SAMPLE), "--check", "-o", "x.xlsx"])
    assert result.exit_code == 2
    assert result.stderr == "--check writes nothing. Drop -o/--output.\n"


def test_check_refuses_a_report_too_big_for_excel(tmp_path, monkeypatch):
    import converter.layout as layout

    monkeypatch.setattr(layout, "MAX_ROWS", 100)         # the sample's biggest sheet has 56 rows, Avstemming 267
    result = runner.invoke(app, [str(SAMPLE), "--check"])
    assert result.exit_code == 1
    assert result.stderr == (f"{SAMPLE}: too big for Excel: 262 checks need more rows than the Avstemming sheet "
                             "can have (100). Split the report into smaller ones.\n")


def test_size_limit_names_the_flag_in_the_cli_only(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(SAMPLE.read_bytes())
    result = runner.invoke(app, [str(big), "--max-size", "0.005"])
    assert result.exit_code == 1
    assert result.stderr == ("big.txt: the file is 0.0 MiB, over the 0.005 MiB limit. "
                             "Raise the limit with --max-size if this really is one report.\n")
    assert not big.with_suffix(".xlsx").exists()


def test_source_date_epoch_is_read_by_the_cli(tmp_path):
    import zipfile

    src = tmp_path / "r.txt"
    shutil.copyfile(SAMPLE, src)
    result = runner.invoke(app, [str(src), "-q"], env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert result.exit_code == 0
    with zipfile.ZipFile(tmp_path / "r.xlsx") as zf:
        core = zf.read("docProps/core.xml").decode()
        assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2023-11-14T22:13:20Z</dcterms:created>" in core
        assert {i.date_time for i in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}
