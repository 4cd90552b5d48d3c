"""Hostile and broken inputs, many tables, output and template safety, and property tests."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import unicodedata
import zipfile

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportgen import generate

from converter import OutputError, RowKind, TemplateError, convert_file, parse_bytes, reconcile
from converter.books.layout import MAX_SHEET_NAME, sheet_names
from converter.cli.app import app
from converter.xlsx.template import default_template_path

runner = CliRunner()
FORBIDDEN = set("[]:*?/\\")


# --------------------------------------------------------------------------- many tables, hostile labels

def _many_tables(n: int) -> bytes:
    lines = ["# Deltakere i arbeidsrettede tiltak. Mange tabeller", "", "April 2016", ""]
    for i in range(n):
        title = f"Tabell [{i % 7}]: fylke/kommune * alder? \\ kjønn og hovedgrupper" if i % 3 else "Samme tittel"
        lines += ["# Deltakere i arbeidsrettede tiltak. Mange tabeller", f"## {title}", "April 2016", "",
                  "\tAntall\tEndring fra i fjor Antall\tEndring fra i fjor Prosent",
                  "<b>I alt</b>\t<b>30</b>\t<b>3</b>\t<b>11</b>", "Rad a\t10\t1\t11", "Rad b\t20\t2\t11", "", ""]
    return "\n".join(lines).encode()


def test_300_tables_valid_unique_sheet_names(tmp_path):
    src = tmp_path / "mange.txt"
    src.write_bytes(_many_tables(300))
    result = convert_file(src, tmp_path / "mange.xlsx")
    assert not result.failures
    wb = openpyxl.load_workbook(tmp_path / "mange.xlsx", read_only=True)
    names = wb.sheetnames
    assert len(names) == 302
    assert len({n.casefold() for n in names}) == 302
    assert all(1 <= len(n) <= MAX_SHEET_NAME and not FORBIDDEN & set(n) and n[0] != "'" and n[-1] != "'"
               for n in names)
    assert wb[names[2]]["A1"].value == "Tabell [1]: fylke/kommune * alder? \\ kjønn og hovedgrupper"


@pytest.mark.parametrize(("titles", "expected"), [
    (["Hovedgrupper"], ["Hovedgrupper"]),
    (["Tiltaksgrupper og hovedgrupper", "Tiltaksgrupper og hovedgrupper"],
     ["Tiltaksgrupper og hovedgrupper", "Tiltaksgrupper og hovedgru… (2)"]),
    (["a/b:c", "A/B:C"], ["a-b-c", "A-B-C (2)"]),
    (["Innhold", "avstemming", "History"], ["Innhold (2)", "avstemming (2)", "History (2)"]),
    (["'sitat'", "   ", "x" * 40], ["sitat", "Tabell", "x" * 30 + "…"]),
    (["e\u0301tat\tny\nlinje"], ["\u00e9tat ny linje"]),
])
def test_sheet_names(titles, expected):
    assert sheet_names(titles) == expected


HOSTILE = ["=SUM(A1:A9)", "+47 99 99 99 99", "-2 rader", "@bruker", "=HYPERLINK(\"http://x\",\"klikk\")",
           "\u05e2\u05d1\u05e8\u05d9\u05ea (hebraisk)", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629", "Cafe\u0301",
           "\u202eomvendt\u202c tekst", "Tabulator\u00a0og\u2003mellomrom"]


def test_hostile_labels_shown_literally(tmp_path):
    lines = ["# Fiendtlige etiketter", "", "## [Tabell]: a*b?/c\\d med en overskrift lengre enn 31 tegn", "",
             "Mai 2016", "", "\tAntall\tEndring fra i fjor Antall\tEndring fra i fjor Prosent",
             "<b>I alt</b>\t<b>" + str(10 * len(HOSTILE)) + "</b>\t<b>0</b>\t<b>0</b>"]
    lines += [f"{label}\t10\t0\t0" for label in HOSTILE]
    lines.append("Kontroll\x07tegn\x1b\t0\t0\t")
    src = tmp_path / "fiendtlig.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = convert_file(src, tmp_path / "f.xlsx")
    assert result.report.removed_chars == 2 and not result.failures
    wb = openpyxl.load_workbook(tmp_path / "f.xlsx")
    ws = wb[wb.sheetnames[1]]
    assert ws["A1"].value == "[Tabell]: a*b?/c\\d med en overskrift lengre enn 31 tegn"
    labels = [ws.cell(r, 1).value for r in range(6, 6 + len(HOSTILE) + 1)]
    assert labels == [*HOSTILE, "Kontrolltegn"]
    assert all(ws.cell(r, 1).data_type == "s" for r in range(6, 6 + len(HOSTILE)))
    assert unicodedata.normalize("NFC", labels[7]) == "Café"
    facts = {wb["Innhold"].cell(r, 1).value: wb["Innhold"].cell(r, 2).value for r in range(4, 14)}
    assert facts["Fjernede tegn"].startswith("2 kontrolltegn")
    with zipfile.ZipFile(tmp_path / "f.xlsx") as zf:
        assert "<f>SUM(A1:A9)</f>" not in zf.read("xl/worksheets/sheet2.xml").decode()


# --------------------------------------------------------------------------- output safety

def test_missing_parent_folder(tmp_path):
    with pytest.raises(OutputError) as info:
        convert_file(SAMPLE, tmp_path / "nope" / "x.xlsx")
    assert str(info.value) == f"{tmp_path / 'nope' / 'x.xlsx'}: the folder {tmp_path / 'nope'} does not exist. " \
                              "Create it first."


def test_output_is_a_folder(tmp_path):
    (tmp_path / "out.xlsx").mkdir()
    with pytest.raises(OutputError) as info:
        convert_file(SAMPLE, tmp_path / "out.xlsx")
    assert str(info.value) == f"{tmp_path / 'out.xlsx'}: the output is a folder. Give a file name ending in .xlsx."


def test_parent_is_a_file(tmp_path):
    (tmp_path / "fil").write_text("x")
    result = runner.invoke(app, [str(SAMPLE), "-o", str(tmp_path / "fil" / "x.xlsx")])
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'fil' / 'x.xlsx'}: the folder {tmp_path / 'fil'} does not exist. " \
                            "Create it first.\n"


def test_read_only_folder(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = runner.invoke(app, [str(SAMPLE), "-o", str(folder / "x.xlsx")])
        if os.geteuid() == 0:      # root ignores the mode: then the promise is a correct file
            assert result.exit_code == 0
            assert openpyxl.load_workbook(folder / "x.xlsx").sheetnames[0] == "Innhold"
        else:
            assert result.exit_code == 1
            assert result.stderr == f"{folder / 'x.xlsx'}: cannot write in {folder} (Permission denied).\n"
            assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


def test_two_processes_writing_the_same_output(tmp_path):
    out = tmp_path / "same.xlsx"
    cmd = [sys.executable, "-m", "converter", str(SAMPLE), "-o", str(out), "-q"]
    procs = [subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    codes = [p.wait(timeout=120) for p in procs]
    assert codes == [0, 0, 0, 0], [p.stderr.read() for p in procs]
    assert openpyxl.load_workbook(out, data_only=True)["Innhold"]["B9"].value == "Alle 262 kontroller OK"
    assert [p.name for p in tmp_path.iterdir()] == ["same.xlsx"]        # no temporary file left


def test_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    import converter.books.report as workbook

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(workbook, "package", explode)
    with pytest.raises(KeyboardInterrupt):
        convert_file(SAMPLE, tmp_path / "x.xlsx")
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- template safety

def _zip(path, entries):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)


def _bad_templates(tmp_path):
    text = tmp_path / "tekst.xlsx"
    text.write_text("ikke et regneark")
    corrupt = tmp_path / "korrupt.xlsx"
    corrupt.write_bytes(default_template_path().read_bytes()[:3000])
    macro = tmp_path / "makro.xlsm"
    _zip(macro, {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>", "xl/vbaProject.bin": b"\0"})
    bomb = tmp_path / "bombe.xlsx"
    _zip(bomb, {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>", "xl/fill.bin": b"\0" * 60_000_000})
    plain = tmp_path / "uten-stiler.xlsx"
    openpyxl.Workbook().save(plain)
    return {
        text: "tekst.xlsx: not an .xlsx file (not a zip package). Start from templates/tiltak.xlsx.",
        corrupt: "korrupt.xlsx: not an .xlsx file (not a zip package). Start from templates/tiltak.xlsx.",
        macro: "makro.xlsm: a macro-enabled workbook cannot be a template. Save it as .xlsx without macros.",
        bomb: "bombe.xlsx: the template unpacks to 57 MiB, far more than a template needs (a zip bomb?). "
              "Start from templates/tiltak.xlsx.",
        plain: "uten-stiler.xlsx: the template lacks the named styles Tittel, Periode, Seksjon, Kolonnehode, Tekst, "
               "SumTekst, Tall, Sum, Prosent, SumProsent, Merknad, Lenke, Avvik. Start from templates/tiltak.xlsx.",
        tmp_path / "finnes-ikke.xlsx": "finnes-ikke.xlsx: template not found. Check the template's path.",
    }


def test_bad_templates_refused_in_one_line_and_never_modified(tmp_path):
    for template, message in _bad_templates(tmp_path).items():
        before = hashlib.sha256(template.read_bytes()).hexdigest() if template.exists() else None
        with pytest.raises(TemplateError) as info:
            convert_file(SAMPLE, tmp_path / "out.xlsx", template=template)
        assert str(info.value) == message
        result = runner.invoke(app, [str(SAMPLE), "-o", str(tmp_path / "out.xlsx"), "--template", str(template)])
        # the library speaks of the template's path, the CLI of its --template option
        cli = message.replace("Check the template's path.", "Check the --template path.")
        assert result.exit_code == 1 and result.stderr == cli + "\n"
        if before:
            assert hashlib.sha256(template.read_bytes()).hexdigest() == before
        assert not (tmp_path / "out.xlsx").exists()


def test_template_lacking_one_style(tmp_path):
    wb = openpyxl.load_workbook(default_template_path())
    del wb._named_styles[wb.named_styles.index("Avvik")]
    path = tmp_path / "mangler.xlsx"
    wb.save(path)
    with pytest.raises(TemplateError) as info:
        convert_file(SAMPLE, tmp_path / "out.xlsx", template=path)
    assert str(info.value) == ("mangler.xlsx: the template lacks the named style Avvik. "
                               "Start from templates/tiltak.xlsx.")


# --------------------------------------------------------------------------- property tests

def _parents(section, index):
    """The row itself and the total that sums it directly (its smallest total)."""
    return {index} | {r for r, row in enumerate(section.rows) if index in row.parts}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), tables=st.integers(1, 3))
def test_random_consistent_reports_convert_exactly(tmp_path, seed, tables):
    generated = generate(seed, tables)
    src = tmp_path / f"r{seed}.txt"
    src.write_text(generated.text, encoding="utf-8")
    result = convert_file(src, tmp_path / f"r{seed}.xlsx")
    assert result.failures == []
    wb = openpyxl.load_workbook(tmp_path / f"r{seed}.xlsx", data_only=True)
    seen = []
    for name in wb.sheetnames[1:-1]:
        ws = wb[name]
        for r in range(5, ws.max_row + 1):
            label = ws.cell(r, 1).value
            if label is None or not ws.cell(r, 2).has_style or ws.cell(r, 1).font.b is None:
                continue
            cells = [ws.cell(r, c) for c in range(2, ws.max_column + 1)]
            if any(c.value is not None for c in cells) or label.startswith("Rad"):
                seen.append((label, [(c.value, c.number_format) for c in cells]))
    assert [label for label, _ in seen] == [label for label, _, _ in generated.rows]
    for (label, cells), (_, expected, _) in zip(seen, generated.rows, strict=True):
        for (value, number_format), published in zip(cells, expected, strict=True):
            zero_hidden = len(number_format.split(";")) > 2 and number_format.split(";")[2] == ""
            if published is None:       # a blank stays blank: empty, or a formula's 0 that shows blank
                assert value in (None, "") or (value == 0 and zero_hidden), (label, value, number_format)
            else:                       # a number is that number, and a 0 shows as 0
                assert value == published, (label, value, published)
                assert not (published == 0 and zero_hidden), (label, number_format)
    status = [c.value for c in wb["Avstemming"]["K"][5:]]
    assert status and set(status) == {"OK"}


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), pick=st.integers(0, 10**6), delta=st.integers(1, 99))
def test_one_changed_cell_fails_exactly_its_dependents(seed, pick, delta):
    report = parse_bytes(generate(seed, 1).text.encode(), "r.txt")
    table = report.tables[0]
    value_columns = [c for c, col in enumerate(table.columns) if col.kind.value == "value"]
    cells = [(s, r, c) for s, section in enumerate(table.sections) for r, row in enumerate(section.rows)
             if row.kind is RowKind.DETAIL for c in value_columns]
    s, r, c = cells[pick % len(cells)]
    section = table.sections[s]
    row = section.rows[r]
    old = row.values[c]
    new_values = list(row.values)
    new_values[c] = (old or 0) + delta
    from dataclasses import replace

    rows = list(section.rows)
    rows[r] = replace(row, values=tuple(new_values))
    sections = list(table.sections)
    sections[s] = replace(section, rows=tuple(rows))
    changed = replace(report, tables=(replace(table, sections=tuple(sections)),))
    failing = [ch for ch in reconcile(changed) if not ch.holds]
    related = _parents(section, r)
    assert failing, "a changed detail must fail at least its total"
    assert all(ch.cell.section == s and ch.cell.row in related for ch in failing)
    # the smallest total over the changed cell fails in the changed column (the value grew by delta);
    # a total above it sums the published subtotal, which still holds: the error is named once
    tops = {ch.cell.row for ch in failing if ch.kind.value == "sum" and ch.cell.column == c}
    assert tops == related - {r}
