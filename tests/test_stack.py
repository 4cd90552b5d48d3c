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
from converter.cli.app import app

PACKAGE = ROOT / "converter"
# The modules at the package's top are the bottom of the stack, in this order; each subpackage is
# one stage, in the order converter.STAGES gives. A module may import from the bottom, from its
# own stage (without a cycle) and from stages below its own, never from one above.
BOTTOM = ("version", "errors", "model")


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name below `converter` ("model", "rules.checks")."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        if rel.parts[0] in ("templates", "__pycache__"):
            continue
        found[".".join(rel.parts)] = path
    return found


def _stage(module: str) -> str:
    return module.split(".")[0] if "." in module else ""


def _level(module: str) -> tuple[int, int]:
    """(stage, place): the bottom modules are stage 0, in BOTTOM's order; a stage's modules share one place."""
    from converter import STAGES

    if "." not in module:
        return (0, BOTTOM.index(module)) if module in BOTTOM else (len(STAGES) + 1, 0)   # __main__: the top
    return (STAGES.index(_stage(module)) + 1, 0)


def _imports(path: Path, module: str, modules: set[str] | None = None) -> list[tuple[str, int]]:
    """(imported module, line) for every import of the package in the file, wherever it stands."""
    modules = set(_modules()) if modules is None else modules
    here = module.split(".")[:-1] if path.name != "__init__.py" else module.split(".")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - (node.level - 1)] if node.level > 1 else here
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif (node.module or "").split(".")[0] == "converter":
                target = ".".join(node.module.split(".")[1:])
            else:
                continue
            if not node.module:                          # from . import x: a module x, or the package
                for alias in node.names:
                    name = ".".join(filter(None, (target, alias.name)))
                    found.append((name if name in modules else (target or "__init__"), node.lineno))
            else:
                found.append((target or "__init__", node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "converter":
                    found.append((".".join(parts[1:]) or "__init__", node.lineno))
    return [(t if t in modules or t == "__init__" else t.rpartition(".")[0] or t, line) for t, line in found]


def test_every_subpackage_is_a_stage():
    from converter import STAGES

    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py") if p.parent.name != "templates"}
    assert packages == set(STAGES), "add the new subpackage to converter.STAGES, in its place"
    assert {m for m in _modules() if "." not in m} - {"__init__", "__main__"} == set(BOTTOM)


def test_imports_only_point_down():
    modules = _modules()
    wrong = []
    for module, path in modules.items():
        if module == "__init__":
            continue                        # the facade: imports on first use, for library users
        for target, line in _imports(path, module, set(modules)):
            if target == "__init__" or (target.endswith("__init__") and _stage(target) != _stage(module)):
                wrong.append(f"{module}:{line} imports the facade {target}")
            elif _stage(target) == _stage(module) and "." in module:
                continue                    # within a stage: test_no_cycle_within_a_stage
            elif _level(target) >= _level(module):
                wrong.append(f"{module}:{line} imports {target}, which is not below it")
    assert wrong == []


def test_no_cycle_within_a_stage():
    modules = _modules()
    graph = {m: {t for t, _ in _imports(p, m, set(modules)) if _stage(t) == _stage(m) and t != m and "." in m}
             for m, p in modules.items() if "." in m}
    done: set[str] = set()

    def visit(m: str, path: tuple[str, ...]) -> None:
        assert m not in path, f"import cycle: {' → '.join((*path, m))}"
        if m in done:
            return
        for t in graph.get(m, ()):
            visit(t, (*path, m))
        done.add(m)

    for m in graph:
        visit(m, ())


def test_layering_test_catches_an_upward_import(tmp_path):
    bad = tmp_path / "report.py"
    bad.write_text("def f():\n    from ..run.batch import run_batch\n    from .. import __version__\n"
                   "    from .layout import cell\n    from converter.cli import app\n")
    modules = set(_modules())
    assert _imports(bad, "books.report", modules) == [("run.batch", 2), ("__init__", 3), ("books.layout", 4),
                                                      ("cli", 5)]
    assert _level("run.batch") > _level("books.report") > _level("rules.checks") > _level("model")


def test_environment_and_test_seams_stay_out_of_the_library():
    for module, path in _modules().items():
        text = path.read_text(encoding="utf-8")
        assert "TILTAK2XLSX_FAULT" not in text, module
        if module not in ("cli.app", "xlsx.template"):     # the CLI reads SOURCE_DATE_EPOCH; template its cache dir
            assert "os.environ" not in text, module


def test_help_is_light():
    probe = ("import sys; sys.argv = ['tiltak2xlsx', '--help']\n"
             "from converter.cli.app import main\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\n"
             "heavy = sorted(m for m in ('openpyxl', 'pandas', 'converter.books.report', 'converter.read.parse') "
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
    for module, path in _modules().items():
        if module == "errors":
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
    import converter.books.layout as layout

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


def test_every_module_opens_with_its_docstring():
    missing = [m for m, p in _modules().items() if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert missing == []
