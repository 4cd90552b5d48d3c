"""The workbook read back with openpyxl and pandas: every number, formula, cached value and style."""

from __future__ import annotations

import hashlib
import zipfile
from itertools import pairwise

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import SAMPLE, mutate

from converter import RowKind, convert_file, parse_report
from converter.books.layout import ReconciliationLayout, contents_layout, sheet_names, table_layout
from converter.cli.app import app
from converter.model import ColumnKind
from converter.rules.checks import derive
from converter.xlsx.template import default_template_path

SHEETS = ["Innhold", "Hovedgrupper", "Tiltaksgrupper", "Tiltaksgrupper og hovedgrupper",
          "Tiltaksgrupper og hovedgru… (2)", "Tiltak og hovedgrupper", "Avstemming"]


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    out = tmp_path_factory.mktemp("wb") / "sample.xlsx"
    result = convert_file(SAMPLE, out)
    return out, result


@pytest.fixture(scope="module")
def books(converted):
    path, _ = converted
    return openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)


def _cells(report):
    """(sheet, address, row, column kind, published, derived) for every published cell."""
    names = sheet_names([t.title for t in report.tables])
    for table, name in zip(report.tables, names, strict=True):
        layout = table_layout(table, name)
        values = derive(table)
        for s, section in enumerate(table.sections):
            for r, row in enumerate(section.rows):
                for c, col in enumerate(table.columns):
                    yield name, layout.address(s, r, c), row, col, row.values[c], values[s][r][c]


def test_sheet_names_and_order(books):
    formulas, _ = books
    assert formulas.sheetnames == SHEETS
    assert formulas["Tiltaksgrupper og hovedgru… (2)"]["A1"].value == "Tiltaksgrupper og hovedgrupper"


def test_every_published_number_at_its_place(books, sample_report):
    formulas, values = books
    n = 0
    for sheet, addr, row, col, published, derived in _cells(sample_report):
        cached = values[sheet][addr].value
        assert derived == published or (derived == 0 and published is None), (sheet, addr)
        if published is None:
            assert cached in (None, 0, ""), (sheet, addr, cached)
        else:
            assert cached == published, (sheet, addr, cached, published)
        formula = formulas[sheet][addr].value
        is_formula = isinstance(formula, str) and formula.startswith("=")
        # a formula where the sample's numbers confirm a relation, and never on a blank
        computed = col.kind not in (ColumnKind.VALUE, ColumnKind.RATE)
        should = published is not None and (bool(row.parts) if col.kind is ColumnKind.VALUE else computed)
        assert is_formula == should, (sheet, addr, formula)
        if not should:
            assert formula == published and (published is None or type(formula) is int)
        n += 1
    assert n == 4 * 3 + 11 * 3 + 28 * 3 + 11 * 4 + 47 * 4 == 361


def test_formula_shapes(books):
    ws = books[0]["Tiltak og hovedgrupper"]
    assert ws["A5"].value == "I alt"
    assert ws["B5"].value == "=SUM(C5:E5)"
    assert ws["C9"].value == "=SUM(C6:C8)"                                   # I alt avklaringstiltak
    assert ws["C5"].value == "=SUM(C9,C17,C23,C27,C30,C35,C41,C44,C48,C51)"  # the top total over subtotals
    hg = books[0]["Hovedgrupper"]
    assert hg["B5"].value == "=SUM(B6:B8)"
    assert hg["D6"].value == '=IF(B6-C6=0,"",ROUND(100*C6/(B6-C6),0))'


def test_bold_exactly_on_report_bold_rows(books, sample_report):
    formulas, _ = books
    for sheet, addr, row, _col, _published, _derived in _cells(sample_report):
        ws = formulas[sheet]
        label = ws[f"A{addr[1:]}"] if addr[0] == "B" else None
        assert ws[addr].font.b == (row.kind is not RowKind.DETAIL), (sheet, addr)
        if label is not None:
            assert label.font.b == (row.kind is not RowKind.DETAIL), (sheet, label.coordinate)
            assert label.value == row.label


def test_number_formats(books):
    ws = books[0]["Tiltak og hovedgrupper"]
    assert ws["C6"].number_format == "#,##0"
    assert ws["C5"].number_format == "#,##0"
    # "I alt arbeidsrettet rehabilitering" is blank for Arbeidssøkere in the report: a blank stays blank,
    # never a formula that shows 0 (or hides it)
    assert ws["A35"].value == "I alt arbeidsrettet rehabilitering"
    assert ws["C35"].value is None and ws["C35"].number_format == "#,##0"
    assert books[1]["Tiltak og hovedgrupper"]["C35"].value is None
    assert books[0]["Hovedgrupper"]["D6"].number_format == "0"


def test_pandas_reads_every_number(converted, sample_report):
    import pandas as pd

    path, _ = converted
    for table, name in zip(sample_report.tables, SHEETS[1:-1], strict=True):
        frame = pd.read_excel(path, sheet_name=name, header=None, skiprows=4)
        rows = [row for s in table.sections for row in ([None] if s.heading else []) + list(s.rows)]
        assert len(frame) == len(rows)
        for i, row in enumerate(rows):
            if row is None:
                continue
            for c, published in enumerate(row.values):
                got = frame.iat[i, c + 1]
                if published is None:
                    assert pd.isna(got) or got == 0, (name, row.label, c)
                else:
                    assert got == published, (name, row.label, c, got)


def test_reconciliation_sheet(books, converted):
    formulas, values = books
    _, result = converted
    ws, wv = formulas["Avstemming"], values["Avstemming"]
    assert [c.value for c in ws[5]] == ["Ark", "Del", "Rad", "Kolonne", "Kontroll", "Linje", "Celle", "Publisert",
                                        "Arbeidsbok", "Differanse", "Status"]
    assert ws.max_row == 5 + len(result.checks) == 267
    assert ws["B3"].value == '=COUNTIF(K6:K267,"OK")+COUNTIF(K6:K267,"AVVIK")' and wv["B3"].value == 262
    assert ws["B4"].value == '=COUNTIF(K6:K267,"AVVIK")' and wv["B4"].value == 0
    assert ws.auto_filter.ref == "A5:K267"
    assert ws.freeze_panes == "A6"
    rules = ws.conditional_formatting
    assert [str(r.sqref) for r in rules] == ["K6:K267"]
    first = [c.value for c in ws[6]]
    assert first[:8] == ["Hovedgrupper", None, "I alt", "Antall", "Sum av 3 rader", 24, "Hovedgrupper!B5", 75412]
    assert first[8:] == ["='Hovedgrupper'!B5", "=SUM(I6)-SUM(H6)", '=IF(SUM(I6)=SUM(H6),"OK","AVVIK")']
    assert all(wv.cell(r, 11).value == "OK" for r in range(6, 268))
    assert ws["G6"].hyperlink.location == "'Hovedgrupper'!B5"


@pytest.mark.parametrize("shape", ["gender_under_groups", "sample_like", "blank_heavy", "county_tables"])
def test_a_percent_check_never_reads_an_empty_cell_by_a_bare_reference(tmp_path, shape):
    """Excel, Gnumeric and POI read a reference to an empty cell as 0 ("0" as text), LibreOffice
    as blank: a percent's Arbeidsbok cell that refers straight to an empty cell would be a false
    AVVIK in Excel. Such a reference is wrapped, IF(ref="","",ref); gender_under_groups has one."""
    import re

    from familygen import generate

    source = tmp_path / f"{shape}-2015-03.txt"
    source.write_text(generate(shape, 3).text, encoding="utf-8")
    book = tmp_path / "book.xlsx"
    convert_file(source, book)
    wb = openpyxl.load_workbook(book)
    ws = wb["Avstemming"]
    wrapped = 0
    for r in range(6, ws.max_row + 1):
        status, computed = ws.cell(r, 11).value, ws.cell(r, 9).value
        if not (isinstance(status, str) and status.startswith('=IF(H') and isinstance(computed, str)):
            continue                                     # a count's check, or a note below the checks
        bare = re.fullmatch(r"='((?:[^']|'')+)'!([A-Z]+[0-9]+)", computed)
        if bare:
            assert wb[bare[1].replace("''", "'")][bare[2]].value is not None, (r, computed)
        wrapped += bool(re.fullmatch(r"=IF\(('(?:[^']|'')+'![A-Z]+[0-9]+)=\"\",\"\",\1\)", computed))
    assert wrapped > 0 or shape != "gender_under_groups"


def _checked_as_shown(result, report):
    """Per check: is its column a percent, share or rate (compared as shown: a blank is not 0)?"""
    exact = (ColumnKind.PERCENT, ColumnKind.GROWTH, ColumnKind.SHARE, ColumnKind.ROW_SHARE, ColumnKind.RATE)
    return [report.tables[c.cell.table].columns[c.cell.column].kind in exact for c in result.checks]


def test_reconciliation_formulas_on_every_row(books, converted, sample_report):
    """Differanse and Status are written as shared formulas; every row reads as its own formula,
    the Status form following the checked column (a percent compared as shown, a count as a number)."""
    formulas, values = books
    path, result = converted
    ws, wv = formulas["Avstemming"], values["Avstemming"]
    shown = _checked_as_shown(result, sample_report)
    assert set(shown) == {True, False}
    for i, (check, percent) in enumerate(zip(result.checks, shown, strict=True)):
        r = 6 + i
        assert ws.cell(r, 10).value == f"=SUM(I{r})-SUM(H{r})"
        assert ws.cell(r, 11).value == (f'=IF(H{r}&""=I{r}&"","OK","AVVIK")' if percent
                                        else f'=IF(SUM(I{r})=SUM(H{r}),"OK","AVVIK")')
        assert wv.cell(r, 10).value == (check.computed or 0) - (check.published or 0)
    with zipfile.ZipFile(path) as zf:
        xml = zf.read("xl/worksheets/sheet7.xml").decode()
    runs = 1 + sum(a != b for a, b in pairwise(shown))       # Status: a group per run of one form
    assert xml.count('<f t="shared" ref="J6:J267" si="0">') == 1
    assert xml.count('<f t="shared" ref=') == 1 + runs               # each group's formula written once
    assert xml.count('<f t="shared" si=') == 2 * len(result.checks) - 1 - runs


def test_contents_sheet(books, sample_report):
    formulas, values = books
    ws, wv = formulas["Innhold"], values["Innhold"]
    facts = {ws.cell(r, 1).value: wv.cell(r, 2).value for r in range(4, 12)}
    assert facts["Kildefil"] == "tiltak-2014-02.txt"
    assert facts["SHA-256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert facts["Avstemming"] == "Alle 262 kontroller OK"
    assert facts["Laget med"].startswith("tiltak2xlsx ")
    rl = ReconciliationLayout(262)
    summary = contents_layout(sample_report).fact_cell("Avstemming")
    assert ws[summary].value.startswith(f"=IF('Avstemming'!{rl.avvik_cell}=0,")
    assert wv[summary].value == "Alle 262 kontroller OK"
    avstemming = values["Avstemming"]
    assert avstemming[rl.count_cell].value == 262 and avstemming[rl.avvik_cell].value == 0
    links = {c.value: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink}
    assert links == {name: f"'{name}'!A1" for name in SHEETS[1:]}


def test_links_are_internal_and_properties_set(converted):
    path, _ = converted
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert not [n for n in names if n.startswith("xl/worksheets/_rels/")]   # no external relationships
    wb = openpyxl.load_workbook(path)
    assert wb.properties.title == "Deltakere i arbeidsrettede tiltak. Tiltak. En måned"
    assert wb.properties.subject == "Februar 2014"
    assert wb.properties.creator.startswith("tiltak2xlsx ")
    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert custom["Kildefil"] == "tiltak-2014-02.txt"
    assert custom["Kilde SHA-256"] == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()


def test_sheet_chrome(books):
    ws = books[0]["Tiltak og hovedgrupper"]
    assert ws.freeze_panes == "B5"
    assert ws.print_title_rows == "$1:$4"
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert "tiltak-2014-02.txt" in ws.oddFooter.left.text
    assert ws.column_dimensions["A"].width >= len("Arbeidsrettet rehabilitering (dag) - sykmeldt arbeidstaker")


@pytest.mark.parametrize("label", ["=SUM(A1:A2)", "+47 22 00 00", "-1 avklaring", "@mentor", "=HYPERLINK(\"x\")"])
def test_formula_like_labels_stay_text(tmp_path, sample_bytes, label):
    src = tmp_path / "r.txt"
    src.write_bytes(mutate(sample_bytes, b"Mentor\t85", label.encode() + b"\t85"))
    convert_file(src, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx")["Tiltak og hovedgrupper"]
    cell = ws["A12"]
    assert cell.value == label and cell.data_type == "s"
    assert cell.quotePrefix


def test_custom_template_styles_reach_output(tmp_path, sample_bytes):
    custom = tmp_path / "mal.xlsx"
    wb = openpyxl.load_workbook(default_template_path())
    sum_style = wb._named_styles["Sum"]
    sum_style.font = openpyxl.styles.Font(name="Arial", bold=True, color="FF0000", size=12)
    sum_style.number_format = "#,##0.0"
    wb["Mal"].column_dimensions["A"].width = 70
    wb.save(custom)
    before = hashlib.sha256(custom.read_bytes()).hexdigest()
    convert_file(SAMPLE, tmp_path / "out.xlsx", template=custom)
    assert hashlib.sha256(custom.read_bytes()).hexdigest() == before      # the template is never modified
    ws = openpyxl.load_workbook(tmp_path / "out.xlsx")["Hovedgrupper"]
    assert ws["B5"].font.name == "Arial" and ws["B5"].font.color.rgb.endswith("FF0000")
    assert ws["B5"].number_format == "#,##0.0"
    assert ws.column_dimensions["A"].width == 70


runner = CliRunner()


def test_cli_converts_beside_the_report(tmp_path, sample_bytes):
    src = tmp_path / "tiltak-2014-02.txt"
    src.write_bytes(sample_bytes)
    result = runner.invoke(app, [str(src)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "tiltak-2014-02.xlsx").exists()
    assert result.stderr == (f"tiltak-2014-02.txt → {tmp_path / 'tiltak-2014-02.xlsx'}: Februar 2014, "
                             "all 262 checks OK\n")
    assert result.stdout == ""
    # a second run replaces its own earlier output
    assert runner.invoke(app, [str(src), "-q"]).exit_code == 0


def test_cli_discrepancy_exit_3_and_avvik_rows(tmp_path, sample_bytes):
    src = tmp_path / "r.txt"
    src.write_bytes(mutate(sample_bytes, b"Mentor\t85\t10\t70\t5", b"Mentor\t85\t10\t80\t5"))
    result = runner.invoke(app, [str(src), "-o", str(tmp_path / "out.xlsx")])
    assert result.exit_code == 3
    lines = result.stderr.splitlines()
    assert lines[0].endswith("out.xlsx: Februar 2014, 2 of 262 checks AVVIK")
    assert lines[1:] == [
        "  AVVIK Tiltak og hovedgrupper / Mentor / I alt: published 85, computed 95 (radsum, line 143)",
        "  AVVIK Tiltak og hovedgrupper / I alt oppfølging / Nedsatt arbeidsevne, på tiltak: published 9021, "
        "computed 9031 (sum, line 148)"]
    wv = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)
    ws = wv["Avstemming"]
    avvik = [(r, ws.cell(r, 3).value, ws.cell(r, 4).value, ws.cell(r, 8).value, ws.cell(r, 9).value)
             for r in range(6, ws.max_row + 1) if ws.cell(r, 11).value == "AVVIK"]
    assert avvik == [(89, "Mentor", "I alt", 85, 95), (97, "I alt oppfølging", "Nedsatt arbeidsevne, på tiltak",
                                                       9021, 9031)]
    rl = ReconciliationLayout(262)
    assert ws[rl.avvik_cell].value == 2
    summary = contents_layout(parse_report(src)).fact_cell("Avstemming")
    assert wv["Innhold"][summary].value == "2 av 262 kontroller AVVIK"
    # The table sheet shows the published numbers: no formula where it would show 95 or 9 031, but
    # the Avvik style and a note; Avstemming computes the relations live from the parts.
    wf = openpyxl.load_workbook(tmp_path / "out.xlsx")
    sheet = wf["Tiltak og hovedgrupper"]
    assert wv["Tiltak og hovedgrupper"]["B12"].value == 85 and sheet["B12"].value == 85
    assert sheet["D17"].value == 9021 and wv["Tiltak og hovedgrupper"]["D17"].value == 9021
    assert sheet["B12"].comment.text == "Summen av kolonnene er 95 (Avstemming rad 89)"
    assert sheet["D17"].comment.text == "Summen av delene er 9 031 (Avstemming rad 97)"
    assert sheet["B12"].font.color.rgb == sheet["D17"].font.color.rgb == "009C0006"      # the Avvik style
    assert sheet["B12"].number_format == "#,##0"
    assert wf["Avstemming"]["I89"].value == "=SUM('Tiltak og hovedgrupper'!C12:E12)"
    assert wf["Avstemming"]["I97"].value == "=SUM('Tiltak og hovedgrupper'!D10:D16)"
    assert [c.coordinate for row in sheet.iter_rows() for c in row if c.comment] == ["B12", "D17"]


def test_cli_bad_input_writes_nothing(tmp_path):
    src = tmp_path / "bad.txt"
    src.write_bytes(b"")
    result = runner.invoke(app, [str(src)])
    assert result.exit_code == 1
    assert result.stderr == "bad.txt: the file is empty. Export the report again as text from NAV's statistics pages.\n"
    assert list(tmp_path.iterdir()) == [src]


def test_cli_never_overwrites_a_foreign_file(tmp_path, sample_bytes):
    src = tmp_path / "r.txt"
    src.write_bytes(sample_bytes)
    foreign = tmp_path / "r.xlsx"
    openpyxl.Workbook().save(foreign)
    before = foreign.read_bytes()
    result = runner.invoke(app, [str(src)])
    assert result.exit_code == 1
    assert result.stderr == (f"{foreign}: exists and was not written by tiltak2xlsx. "
                             "Choose another output with -o, or use --force to replace it.\n")
    assert foreign.read_bytes() == before
    assert runner.invoke(app, [str(src), "--force", "-q"]).exit_code == 0
    assert openpyxl.load_workbook(foreign).sheetnames[0] == "Innhold"


def test_cli_check(tmp_path):
    result = runner.invoke(app, [str(SAMPLE), "--check"])
    assert result.exit_code == 0
    assert result.stdout == f"{SAMPLE}: Februar 2014, 5 tables, 101 rows, 262 checks, 0 AVVIK\n"
    assert result.stderr == ""


def test_cli_check_goes_on_after_a_bad_file(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"")
    result = runner.invoke(app, [str(bad), str(SAMPLE), "--check"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{bad}: the file is empty. Export the report again as text from NAV's statistics pages.",
        "tiltak2xlsx: 1 checked, 0 skipped, 1 failed, 0 with discrepancies"]
    assert result.stdout == f"{SAMPLE}: Februar 2014, 5 tables, 101 rows, 262 checks, 0 AVVIK\n"


def test_cli_version_and_help():
    from converter import __version__

    assert runner.invoke(app, ["--version"]).stdout == f"tiltak2xlsx {__version__}\n"
    help_text = runner.invoke(app, ["--help"]).stdout
    for option in ["--output", "--check", "--template", "--force", "--quiet", "--jobs", "--no-timeseries",
                   "--max-size", "--version"]:
        assert option in help_text


def test_cli_usage_error_exit_2():
    assert runner.invoke(app, []).exit_code == 2
    assert runner.invoke(app, [str(SAMPLE), "--jobs", "0"]).exit_code == 2


def t_default():
    from converter.xlsx.template import default_template_path

    return default_template_path()


def test_compiled_template_cache_spares_openpyxl(tmp_path):
    import shutil
    import subprocess
    import sys

    custom = tmp_path / "custom.xlsx"       # a custom template: the bundled one ships compiled
    shutil.copy(t_default(), custom)
    env = {**__import__("os").environ, "TILTAK2XLSX_CACHE_DIR": str(tmp_path / "cache")}
    probe = (f"import sys, converter.xlsx.template as t; t.load_template({str(custom)!r}); "
             "print('openpyxl' in sys.modules, sorted(p.name[:8] for p in t.cache_dir().iterdir()))")
    first = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    second = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert first.stdout == "True ['template']\n"        # compiled once, with openpyxl
    assert second.stdout == "False ['template']\n"      # then read back without importing it
    (next((tmp_path / "cache").iterdir())).write_text('{"styles_xml": "damaged"}')
    third = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert third.stdout == "True ['template']\n"        # a damaged cache is compiled again


def test_avstemming_formulas_name_a_sheet_with_an_ampersand_once_escaped(tmp_path):
    # A blank percent (count = change) has a text cached value: its formula takes another path
    # in the Avstemming loop than a number's, and both must refer to the sheet as it is named.
    src = tmp_path / "amp-2015-03.txt"
    src.write_text("# R\n\n## Arbeid & helse\n\nMars 2015\n\n\tAntall\tEndring fra i fjor Antall\t"
                   "Endring fra i fjor Prosent\n<b>I alt</b>\t<b>11</b>\t<b>6</b>\t<b>120</b>\nA\t5\t5\t\n"
                   "B\t6\t1\t20\n", encoding="utf-8")
    convert_file(src, tmp_path / "amp.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "amp.xlsx")["Avstemming"]
    sources = [row[8].value for row in ws.iter_rows(min_row=6) if row[0].value == "Arbeid & helse"]
    # A's percent is blank (no formula on the sheet): Avstemming computes it itself, from A's cells
    assert sources == ["='Arbeid & helse'!B5", "='Arbeid & helse'!C5", "='Arbeid & helse'!D5",
                       "=IF('Arbeid & helse'!B6-'Arbeid & helse'!C6=0,\"\",ROUND(100*'Arbeid & helse'!C6/"
                       "('Arbeid & helse'!B6-'Arbeid & helse'!C6),0))", "='Arbeid & helse'!D7"]


def test_the_avstemming_addresses_are_the_layouts(sample_report):
    """workbook._addresser (the hot loop's address of a report cell) gives layout.address's answer for every cell."""
    from converter.books.layout import sheet_names, table_layout
    from converter.books.report import _addresser
    from converter.rules.checks import CellRef

    tables = sample_report.tables
    layouts = [table_layout(t, n) for t, n in zip(tables, sheet_names([t.title for t in tables]), strict=True)]
    address = _addresser(layouts)
    cells = [(t, s, r, c) for t, table in enumerate(tables) for s, section in enumerate(table.sections)
             for r in range(len(section.rows)) for c in range(len(table.columns))]
    assert len(cells) > 300
    assert [address(CellRef(*x)) for x in cells] == [layouts[x[0]].address(*x[1:]) for x in cells]
