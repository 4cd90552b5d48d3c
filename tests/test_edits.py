"""Never overwrite a colleague's edit: a workbook saved again by openpyxl or LibreOffice is kept,
in single-file mode and in a batch rerun; `--force` replaces it; an untouched output is replaced."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE

from converter.cli.app import app
from converter.run.output import Origin, origin

sys.path.insert(0, str(ROOT / "bench"))
from make_archive import write_archive

runner = CliRunner()
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
NOTE = "Kommentar fra en kollega"


def _convert(src: Path, *args: object):
    return runner.invoke(app, [str(src), *map(str, args)])


def _edit_with_openpyxl(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    wb["Innhold"]["D4"] = NOTE
    wb.save(book)


def _resave_with_libreoffice(book: Path, tmp: Path) -> None:
    """Open and save again in LibreOffice (xlsx → xlsx), as a colleague's Calc would."""
    out = tmp / "lo-out"
    profile = tmp / "lo-profile"
    subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to",
                    "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(book)],
                   check=True, capture_output=True, timeout=300)
    shutil.copyfile(out / book.name, book)


@pytest.fixture
def converted(tmp_path):
    src = tmp_path / "tiltak-2014-02.txt"
    shutil.copyfile(SAMPLE, src)
    assert _convert(src, "-q").exit_code == 0
    return src, tmp_path / "tiltak-2014-02.xlsx"


def test_fingerprint_is_stored_and_recognised(converted):
    _, book = converted
    with zipfile.ZipFile(book) as zf:
        assert zf.namelist()[-1] == "docProps/custom.xml"        # written last, over all the other parts
        custom = zf.read("docProps/custom.xml").decode()
    assert 'name="Fingeravtrykk"><vt:lpwstr>sha256:' in custom
    assert origin(book) is Origin.OURS
    custom_props = {p.name: p.value for p in openpyxl.load_workbook(book).custom_doc_props.props}
    assert custom_props["Fingeravtrykk"].startswith("sha256:")


def test_untouched_output_is_replaced(converted):
    src, book = converted
    before = book.stat().st_mtime_ns
    result = _convert(src)
    assert result.exit_code == 0, result.stderr
    assert book.stat().st_mtime_ns != before


def test_openpyxl_edit_is_refused_then_forced(converted):
    src, book = converted
    _edit_with_openpyxl(book)
    edited = book.read_bytes()
    assert origin(book) is Origin.EDITED
    result = _convert(src)
    assert result.exit_code == 1
    assert result.stderr == (f"{book}: was changed after tiltak2xlsx wrote it (edited or saved again); kept as it "
                             "is. Use -o to write the new workbook elsewhere, or --force to replace it.\n")
    assert book.read_bytes() == edited
    assert _convert(src, "-q", "-o", book.with_name("ny.xlsx")).exit_code == 0     # elsewhere: fine
    assert _convert(src, "-q", "--force").exit_code == 0
    assert origin(book) is Origin.OURS
    assert openpyxl.load_workbook(book)["Innhold"]["D4"].value is None


def test_a_changed_byte_in_one_part_is_an_edit(converted):
    _, book = converted
    tampered = book.with_name("t.xlsx")
    with zipfile.ZipFile(book) as zin, zipfile.ZipFile(tampered, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"<v>75412</v>", b"<v>75413</v>", 1)
            zout.writestr(info, data)
    assert origin(tampered) is Origin.EDITED


def test_library_error_speaks_library_terms(converted):
    from converter import OutputError, convert_file

    src, book = converted
    _edit_with_openpyxl(book)
    with pytest.raises(OutputError) as info:
        convert_file(src)
    assert info.value.reason == "edited"
    assert str(info.value) == (f"{book}: was changed after tiltak2xlsx wrote it (edited or saved again); kept as it "
                               "is. Write the new workbook elsewhere, or allow replacing it (force).")
    assert "--" not in str(info.value)


def test_an_edit_during_the_conversion_is_kept(converted, monkeypatch):
    """The check runs again just before the rename: an edit saved while we wrote is kept."""
    import converter.books.report as workbook
    import converter.run.convert as pipeline
    from converter import OutputError

    src, book = converted
    real = workbook.build_workbook

    def build_then_edit(*args, **kwargs):
        built = real(*args, **kwargs)
        _edit_with_openpyxl(book)
        return built

    monkeypatch.setattr(workbook, "build_workbook", build_then_edit)     # pipeline imports it when it writes
    with pytest.raises(OutputError):
        pipeline.convert_file(src)
    assert openpyxl.load_workbook(book)["Innhold"]["D4"].value == NOTE
    assert [p.name for p in book.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; "
                    "apt-get install libreoffice-calc-nogui")
def test_libreoffice_resave_is_refused_then_forced(converted, tmp_path):
    src, book = converted
    _resave_with_libreoffice(book, tmp_path)
    with zipfile.ZipFile(book) as zf:          # LibreOffice kept our creator and custom properties …
        assert b"Fingeravtrykk" in zf.read("docProps/custom.xml")
    resaved = book.read_bytes()
    assert origin(book) is Origin.EDITED       # … but rewrote the parts
    result = _convert(src)
    assert result.exit_code == 1 and "was changed after tiltak2xlsx wrote it" in result.stderr
    assert book.read_bytes() == resaved
    assert _convert(src, "-q", "--force").exit_code == 0
    assert origin(book) is Origin.OURS


def _manifest(outdir: Path) -> dict[str, dict]:
    data = json.loads((outdir / "tiltak2xlsx-manifest.json").read_text())
    return {Path(r["input"]).name: r for r in data["items"]}


def test_batch_rerun_keeps_an_edited_output_and_goes_on(tmp_path):
    archive = tmp_path / "arkiv"
    write_archive(archive, 3, seed=4)
    out = tmp_path / "xlsx"
    assert runner.invoke(app, [str(archive), "-o", str(out), "--jobs", "1", "--no-timeseries"]).exit_code == 0
    books = sorted(out.rglob("tiltak-*.xlsx"))
    assert len(books) == 3
    edited, untouched = books[0], books[1]
    _edit_with_openpyxl(edited)
    kept = edited.read_bytes()
    # an unchanged input whose workbook was edited: converting again finds the edit and keeps it
    result = runner.invoke(app, [str(archive), "-o", str(out), "--jobs", "2", "--no-timeseries"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert (f"{out / edited.relative_to(out)}: was changed after tiltak2xlsx wrote it (edited or saved again); "
            "kept as it is. Use -o to write the new workbook elsewhere, or --force to replace it.") in lines
    assert lines[-2] == ("tiltak2xlsx: 0 converted, 2 up to date, 0 skipped, 0 failed, 1 edited (kept), "
                         "0 with discrepancies")
    records = _manifest(out)
    assert records[edited.with_suffix(".txt").name]["status"] == "edited"
    assert edited.read_bytes() == kept
    # a changed input: the untouched workbook is rebuilt, the edited one still kept
    for src in sorted(archive.rglob("*.txt")):
        src.write_bytes(src.read_bytes() + b"\n")
    result = runner.invoke(app, [str(archive), "-o", str(out), "--jobs", "1", "--no-timeseries"])
    assert result.exit_code == 1
    assert "tiltak2xlsx: 2 converted, 0 up to date, 0 skipped, 0 failed, 1 edited (kept)" in result.stderr
    assert edited.read_bytes() == kept and origin(untouched) is Origin.OURS
    # --force replaces it
    result = runner.invoke(app, [str(archive), "-o", str(out), "--force", "--no-timeseries"])
    assert result.exit_code == 0, result.stderr
    assert origin(edited) is Origin.OURS
    assert _manifest(out)[edited.with_suffix(".txt").name]["status"] == "converted"


@pytest.mark.parametrize("name", ["out", "out.xls", "rapport.txt"])
def test_one_report_to_a_name_that_is_no_workbook_is_refused(tmp_path, name):
    src = tmp_path / "tiltak-2014-02.txt"
    shutil.copyfile(SAMPLE, src)
    result = _convert(src, "-o", tmp_path / name)
    assert result.exit_code == 2
    assert result.stderr == (f"{tmp_path / name}: the workbook's name must end in .xlsx. "
                             "Give -o NAME.xlsx, or a folder that exists.\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiltak-2014-02.txt"]     # nothing written


def test_one_report_to_an_upper_case_suffix_or_an_existing_folder(tmp_path):
    src = tmp_path / "tiltak-2014-02.txt"
    shutil.copyfile(SAMPLE, src)
    assert _convert(src, "-q", "-o", tmp_path / "Rapport.XLSX").exit_code == 0
    (tmp_path / "ut").mkdir()
    assert _convert(src, "-q", "-o", tmp_path / "ut").exit_code == 0
    assert zipfile.is_zipfile(tmp_path / "Rapport.XLSX")
    assert zipfile.is_zipfile(tmp_path / "ut" / "tiltak-2014-02.xlsx")
