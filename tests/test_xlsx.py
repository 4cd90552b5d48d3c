"""The SpreadsheetML writer, at the level of the XML it writes."""

from __future__ import annotations

import hashlib
import html
import shutil
import subprocess
import sys
import threading
import zipfile
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from io import BytesIO
from xml.etree import ElementTree

import pytest

from converter.xlsx.cells import (
    blank,
    column_openings,
    formula,
    label,
    link,
    next_blank,
    next_formula,
    next_label,
    next_link_formula,
    next_num,
    next_row,
    next_shared_formula,
    next_text,
    num,
    reference_end,
    row_xml,
    starts_like_formula,
    text,
    text_around,
)
from converter.xlsx.package import (
    FINGERPRINT,
    NS_MAIN,
    Properties,
    Sheet,
    highlight_equal,
    package,
    stored_fingerprint,
    with_fill,
)
from converter.xlsx.styles import (
    COUNT,
    NOTE,
    PERCENT,
    REQUIRED_STYLES,
    SUM,
    TEXT,
    XF_STYLES,
    Style,
    named_style,
)
from converter.xlsx.template import load_template

M = f"{{{NS_MAIN}}}"
OSLO_SUMMER = timezone(timedelta(hours=2))


def _package(sheets, created=datetime(2024, 6, 30, 23, 30, tzinfo=OSLO_SUMMER)):
    tpl = load_template()
    out = BytesIO()
    stamp = package(sheets, tpl.styles_xml, tpl.theme_xml,
                    Properties("Tittel", "Juni 2024", "tiltak2xlsx test", created, {"Kildefil": "r.txt"}), out)
    return zipfile.ZipFile(BytesIO(out.getvalue())), stamp


@pytest.mark.parametrize(("label", "xml"), [
    ("_x0041_", "_x005F_x0041_"),
    ("a_x00e6_b", "a_x005F_x00e6_b"),
    ("_x005F_", "_x005F_x005F_"),
    ("_x12_", "_x12_"),                 # not four hex digits: not an escape, left alone
    ("x_y <&>", "x_y &lt;&amp;&gt;"),
])
def test_text_escaping(label, xml):
    cell = text(3, 2, label, 1)
    assert cell == f'<c r="B3" s="1" t="inlineStr"><is><t xml:space="preserve">{xml}</t></is></c>'
    assert ElementTree.fromstring(cell).find("is/t").text == html.unescape(xml)


def test_cells():
    assert num(5, 2, 75412, 3) == '<c r="B5" s="3"><v>75412</v></c>'
    assert formula(5, 3, "SUM(C6:C8)", 7, 3) == '<c r="C5" s="3"><f>SUM(C6:C8)</f><v>7</v></c>'
    assert formula(6, 4, 'IF(A1="","x")', None, 2) == '<c r="D6" s="2" t="str"><f>IF(A1="","x")</f><v></v></c>'
    assert formula(6, 4, "A1&B1", "_x0041_", 2).endswith("<v>_x005F_x0041_</v></c>")
    assert row_xml(4, ["<c/>"], 27.0) == '<row r="4" ht="27.0" customHeight="1"><c/></row>'


def test_cells_get_their_references_from_their_row():
    # a cell of a hot loop is its XML after "<c": the row writes "<c" and the reference
    assert next_num(75412, 3) == ' s="3"><v>75412</v></c>'
    assert next_blank(4) == ' s="4"/>'
    assert next_formula("SUM(C6:C8)", 7, 3) == ' s="3"><f>SUM(C6:C8)</f><v>7</v></c>'
    assert next_formula('A1&"<"', "x<", 2) == ' s="2" t="str"><f>A1&amp;"&lt;"</f><v>x&lt;</v></c>'
    # cells are made without their reference; the row gives each its own, column A on
    assert next_row([next_num(1, 3), next_blank(4)], 9) == (
        '<row r="9"><c r="A9" s="3"><v>1</v></c><c r="B9" s="4"/></row>')
    assert next_row([next_blank(1)], 9, 27.0) == '<row r="9" ht="27.0" customHeight="1"><c r="A9" s="1"/></row>'
    assert next_row([next_blank(1), next_shared_formula(2, "OK", 1)], 9) == (
        '<row r="9"><c r="A9" s="1"/><c r="B9" s="1" t="str"><f t="shared" si="2"/><v>OK</v></c></row>')
    assert next_row([next_shared_formula(0, 5, 3, ("SUM(I6)-SUM(H6)", "A6:A9"))], 6) == (
        '<row r="6"><c r="A6" s="3"><f t="shared" ref="A6:A9" si="0">SUM(I6)-SUM(H6)</f><v>5</v></c></row>')
    # a label with braces is a label (the row is a format, its cells are not)
    assert next_row([next_text("{0} {1}", 1)], 3) == (
        '<row r="3"><c r="A3" s="1" t="inlineStr"><is><t>{0} {1}</t></is></c></row>')
    # past column Z, and the 28th column
    wide = next_row([next_blank(i) for i in range(28)], 2)
    assert wide.endswith('<c r="Z2" s="25"/><c r="AA2" s="26"/><c r="AB2" s="27"/></row>')


@pytest.mark.parametrize(("label", "preserved"), [
    ("I alt", False), ("Sum av 3 rader", False), (" innrykk", True), ("slutt ", True), ("to  mellomrom", True),
    ("linje\nlinje", True), ("tab\there", True), ("_x0041_", False),
])
def test_space_is_preserved_only_where_excel_would_lose_it(label, preserved):
    cell = "<c" + next_text(label, 1)
    assert ('xml:space="preserve"' in cell) == preserved
    assert ElementTree.fromstring(cell).find("is/t").text == label.replace("_x0041_", "_x005F_x0041_")


@pytest.mark.parametrize("sheet", ["Tiltak", "Arbeid & helse", " innrykk", "to  rom", "a_x0041_", "tab\there",
                                   "<b>", "x_x12", "slutt "])
@pytest.mark.parametrize("ref", ["B5", "AB1048576", "XFD17"])
def test_celle_text_is_made_around_the_address(sheet, ref):
    """The Avstemming loop makes "Sheet!B5" from XML split once per sheet: the same as a whole next_text."""
    head, tail = text_around(f"{sheet}!", 7)
    assert head + ref + tail == next_text(f"{sheet}!{ref}", 7)


# --------------------------------------------------------------------------- one cell API, one label rule

XF = {TEXT: 6, TEXT.quoted(): 22, NOTE: 2, NOTE.quoted(): 24}      # a style table as a template gives it


@pytest.mark.parametrize(("value", "xf"), [
    ("Mentor", 6), ("a=b", 6), (" =SUM(A1)", 6), ("I alt", 6),
    ("=SUM(A1)", 22), ("+47 22", 22), ("-1 avklaring", 22), ("@mentor", 22), ("\tinnrykk", 22), ("\rlinje", 22),
])
def test_a_label_that_starts_like_a_formula_gets_the_quote_prefixed_style(value, xf):
    assert label(3, 2, value, XF, TEXT) == (f'<c r="B3" s="{xf}" t="inlineStr"><is><t xml:space="preserve">{value}'
                                            "</t></is></c>")
    assert next_label(value, XF, TEXT).startswith(f' s="{xf}" t="inlineStr"><is><t')


def test_an_empty_label_is_a_blank():
    assert label(3, 2, "", XF, NOTE) == '<c r="B3" s="2"/>'
    assert next_label("", XF, NOTE) == ' s="2"/>'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_one_rule_for_both_workbooks_and_the_csv(start):
    """The report's labels, the time series' labels and its CSV fields: the same starts are guarded."""
    from converter.books.timeseries import _neutral

    value = f"{start}Hovedgrupper"
    assert starts_like_formula(value)
    assert label(1, 1, value, XF, NOTE).startswith('<c r="A1" s="24"')
    assert _neutral(value) == "'" + value


def test_a_link_is_its_cell_and_its_hyperlink():
    xml, target = link(7, 1, "Arbeid & helse", "'Arbeid & helse'!A1", 12)
    assert xml == '<c r="A7" s="12" t="inlineStr"><is><t xml:space="preserve">Arbeid &amp; helse</t></is></c>'
    assert target == ("A7", "'Arbeid & helse'!A1", "Arbeid & helse")
    # past the hyperlinks a sheet may have: a HYPERLINK formula, its quotes doubled, caching its text
    assert "<c" + next_link_formula("'Si \"ja\"'!B5", 'Si "ja"!B5', 12) == (
        '<c s="12" t="str"><f>HYPERLINK("#\'Si ""ja""\'!B5","Si ""ja""!B5")</f><v>Si "ja"!B5</v></c>')


@pytest.mark.parametrize(("first", "col"), [(3, 3), (3, 28), (1, 1), (26, 27), (700, 703)])
def test_a_cell_placed_by_its_column_opening_is_the_cell_with_its_address(first, col):
    opening = column_openings(first, col - first + 1)[col - first]
    for row, value in ((5, 12), (1048576, Decimal("2.50")), (17, 0.5)):
        assert opening + reference_end(row) + next_num(value, 3) == num(row, col, value, 3)
    assert opening + reference_end(5) + next_blank(4) == blank(5, col, 4)
    assert opening + reference_end(5) + next_text(":", 4, preserve=True) == text(5, col, ":", 4)


@pytest.mark.parametrize(("style", "named"), [
    (Style("Tall"), "Tall"), (Style("Tall", decimals=2, zero_blank=True), "Tall"),
    (Style("Prosent", avvik=True), "Avvik"), (Style("SumProsent", decimals=1, avvik=True), "Avvik"),
    (Style("Avvik"), "Avvik"), (Style("Tekst", date=True), "Tekst"), (Style("Merknad", quote_prefix=True), "Merknad"),
    (Style("Sum", symbol=True), "Sum"), (Style("Avledet"), "Avledet"), (Style("Tall", fill="00DDEBF7"), "Tall"),
])
def test_each_style_is_made_from_one_named_style(style, named):
    assert named_style(style) == named


def test_styles_are_values():
    assert COUNT.shown_with(0) is COUNT
    assert COUNT.shown_with(1) == Style("Tall", decimals=1)
    assert SUM.shown_with(7) == Style("Sum", decimals=3)                       # at most 3 decimals shown
    assert PERCENT.shown_with(2).as_avvik() == Style("Prosent", decimals=2, avvik=True)
    assert SUM.shown_with(2).as_symbol() == Style("Sum", symbol=True)          # a symbol has no decimals
    assert TEXT.quoted() == Style("Tekst", quote_prefix=True) != TEXT
    assert len(set(XF_STYLES)) == len(XF_STYLES) == 69
    assert {Style(s) for s in REQUIRED_STYLES} <= set(XF_STYLES)
    xf = load_template().xf
    assert set(xf) == set(XF_STYLES)
    assert xf[Style("Tall", avvik=True)] == xf[Style("Tall", avvik=True)] != xf[COUNT]


def test_a_pickled_style_finds_its_format_in_another_process():
    """A style table pickled in one process (a template handed to a worker) is looked up in another,
    where a string's hash differs (PYTHONHASHSEED)."""
    import os
    import pickle

    data = pickle.dumps((SUM.shown_with(2).as_avvik(), {TEXT: 6, SUM.shown_with(2).as_avvik(): 57}))
    probe = ("import pickle, sys\nstyle, table = pickle.loads(sys.stdin.buffer.read())\n"
             "from converter.xlsx.styles import Style\n"
             "print(table[style], table[Style('Tekst')], table[Style('Sum', decimals=2, avvik=True)])")
    for seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", probe], input=data, capture_output=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        assert out.split() == [b"57", b"6", b"57"]


@pytest.mark.parametrize(("xf", "made"), [
    ('<xf numFmtId="3" fillId="0" applyNumberFormat="1"/>',
     '<xf applyFill="1" numFmtId="3" fillId="2" applyNumberFormat="1"/>'),
    ('<xf numFmtId="3" fillId="1" applyFill="1"/>', '<xf numFmtId="3" fillId="2" applyFill="1"/>'),
])
def test_with_fill_adds_a_fill_and_a_format_made_from_another(xf, made):
    styles = (f'<styleSheet><fills count="2"><fill/><fill/></fills><cellXfs count="2"><xf/>{xf}</cellXfs>'
              "</styleSheet>").encode()
    out, index = with_fill(styles, 1, "00DDEBF7")
    assert index == 2
    assert out.decode() == ('<styleSheet><fills count="3"><fill/><fill/><fill><patternFill patternType="solid">'
                            '<fgColor rgb="00DDEBF7"></fgColor></patternFill></fill></fills>'
                            f'<cellXfs count="3"><xf/>{xf}{made}</cellXfs></styleSheet>')


@pytest.mark.parametrize("styles", [b"<styleSheet/>", b'<styleSheet><fills count="1"><fill/></fills></styleSheet>',
                                    b'<fills count="1"></fills><cellXfs count="3"><xf/></cellXfs>'])
def test_with_fill_leaves_styles_it_does_not_understand(styles):
    assert with_fill(styles, 0, "00DDEBF7") == (styles, 0)


def test_a_highlight_is_a_conditional_format_on_equal_text():
    assert highlight_equal("K6:K9", 3, "AVVIK") == (
        '<conditionalFormatting sqref="K6:K9"><cfRule type="cellIs" dxfId="3" priority="1" operator="equal">'
        '<formula>"AVVIK"</formula></cfRule></conditionalFormatting>')


def test_readers_place_cells_and_translate_shared_formulas():
    """openpyxl (and pandas through it) read the rows next_row writes and translate shared formulas."""
    import openpyxl
    import pandas as pd

    rows = [
        row_xml(1, [text(1, 1, "Tittel", 1)]),
        next_row([next_text("a", 1), next_num(1, 1), next_num(2, 1),
                  next_shared_formula(0, 3, 1, ("B3+C3", "D3:D5"))], 3),      # row 2 left out: r needed
        next_row([next_text("b", 1), next_blank(1), next_num(4, 1), next_shared_formula(0, 4, 1)], 4),
        next_row([next_text("c", 1), next_num(5, 1), next_formula("B5*2", 10, 1), next_shared_formula(0, 15, 1)], 5),
    ]
    zf, _ = _package([Sheet("Ark", rows=rows, dimension="A1:D5")])
    book = BytesIO(zf.fp.getvalue())
    ws = openpyxl.load_workbook(book)["Ark"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=3)] == [
        ["a", 1, 2, "=B3+C3"], ["b", None, 4, "=B4+C4"], ["c", 5, "=B5*2", "=B5+C5"]]
    assert ws["A2"].value is None and ws["A1"].value == "Tittel"
    values = openpyxl.load_workbook(book, data_only=True)["Ark"]
    assert [c.value for c in values["D"]] == [None, None, 3, 4, 15]
    frame = pd.read_excel(book, header=None)
    assert frame.iloc[2:, 3].tolist() == [3, 4, 15]


def test_worksheet_element_order_and_hyperlink_display():
    sheet = Sheet("Ark 1", rows=[row_xml(1, [text(1, 1, "Til Avstemming", 1)])], widths=[(1, 1, 20)],
                  freeze=(5, 2), autofilter="A5:K9", conditional=["<conditionalFormatting sqref=\"K6\"/>"],
                  links=[("A1", "'Avstemming'!A1", "Til Avstemming")], print_rows=(1, 4), footer="&LVenstre",
                  dimension="A1:K9")
    zf, _ = _package([sheet])
    root = ElementTree.fromstring(zf.read("xl/worksheets/sheet1.xml"))
    order = [child.tag.replace(M, "") for child in root]
    assert order == ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "autoFilter",
                     "conditionalFormatting", "hyperlinks", "pageMargins", "pageSetup", "headerFooter"]
    link = root.find(f"{M}hyperlinks/{M}hyperlink")
    assert link.get("location") == "'Avstemming'!A1"
    assert link.get("display") == "Til Avstemming"          # the cell's own text
    pane = root.find(f"{M}sheetViews/{M}sheetView/{M}pane")
    assert (pane.get("xSplit"), pane.get("ySplit"), pane.get("topLeftCell")) == ("1", "4", "B5")
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    names = {n.get("name"): n.text for n in workbook.iter(f"{M}definedName")}
    assert names == {"_xlnm.Print_Titles": "'Ark 1'!$1:$4", "_xlnm._FilterDatabase": "'Ark 1'!$A$5:$K$9"}


def test_times_are_utc_and_zip_entries_carry_the_conversion_time():
    zf, _ = _package([Sheet("A")])
    core = zf.read("docProps/core.xml").decode()
    # 2024-06-30 23:30 in Oslo (UTC+2) is 21:30 UTC
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2024-06-30T21:30:00Z</dcterms:created>' in core
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-06-30T21:30:00Z</dcterms:modified>' in core
    assert {info.date_time for info in zf.infolist()} == {(2024, 6, 30, 21, 30, 0)}


def test_zip_time_before_1980_is_clamped():
    zf, _ = _package([Sheet("A")], created=datetime(1970, 1, 1, tzinfo=UTC))
    assert {info.date_time for info in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_parts_content_types_and_relationships():
    zf, _ = _package([Sheet("A"), Sheet("B")])
    names = zf.namelist()
    assert names == ["[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml",
                     "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/theme/theme1.xml",
                     "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "docProps/custom.xml"]
    types = ElementTree.fromstring(zf.read("[Content_Types].xml"))
    overrides = {o.get("PartName") for o in types if o.tag.endswith("Override")}
    assert overrides == {"/" + n for n in names if not n.endswith(".rels") and n != "[Content_Types].xml"}
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    assert sorted(r.get("Target") for r in rels) == ["styles.xml", "theme/theme1.xml", "worksheets/sheet1.xml",
                                                     "worksheets/sheet2.xml"]


def test_fingerprint_covers_every_other_part():
    zf, stamp = _package([Sheet("A")])
    assert stored_fingerprint(zf.read("docProps/custom.xml")) == stamp
    # an independent recomputation: sha256 over "name\0sha256(data)\n" for the other parts, by name
    h = hashlib.sha256()
    for name in sorted(n for n in zf.namelist() if n != "docProps/custom.xml"):
        h.update(f"{name}\0{hashlib.sha256(zf.read(name)).hexdigest()}\n".encode())
    assert stamp == "sha256:" + h.hexdigest()
    custom = ElementTree.fromstring(zf.read("docProps/custom.xml"))
    assert [p.get("name") for p in custom] == ["Kildefil", FINGERPRINT]
    assert [p.get("pid") for p in custom] == ["2", "3"]


@pytest.mark.parametrize("xml", [b"", b"<Properties/>", b"not xml",
                                 b'<Properties><property name="Fingeravtrykk"><lpwstr>md5:1</lpwstr></property>'
                                 b"</Properties>"])
def test_no_fingerprint(xml):
    assert stored_fingerprint(xml) is None


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.libreoffice
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; "
                    "apt-get install libreoffice-calc-nogui")
def test_escaped_label_shows_literally_in_libreoffice(tmp_path):
    from conftest import SAMPLE, mutate

    from converter import convert_file

    src = tmp_path / "r.txt"
    src.write_bytes(mutate(SAMPLE.read_bytes(), b"\nMentor\t", b"\nMentor _x0041_\t"))
    convert_file(src, tmp_path / "r.xlsx")
    out = tmp_path / "csv"
    subprocess.run([SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,6",
                    "--outdir", str(out), str(tmp_path / "r.xlsx")], check=True, capture_output=True, timeout=300)
    rows = (out / "r-Tiltak og hovedgrupper.csv").read_text(encoding="utf-8").splitlines()
    assert "Mentor _x0041_,85,10,70,5" in rows


# --------------------------------------------------------------------------- the writer thread

def _big_rows(n: int, fail_at: int | None = None, error: BaseException | None = None):
    """Rows enough to fill the writer's queue many times over (each chunk is ≤ 512 rows)."""
    for r in range(1, n + 1):
        if r == fail_at:
            raise error  # type: ignore[misc]
        yield row_xml(r, [text(r, 1, f"rad {r} " + "x" * 200, 1), num(r, 2, r, 1)])


_SWITCH = sys.getswitchinterval()      # the interpreter's own (CPython's default: 5 ms), before any package call


def _no_writer_thread() -> bool:
    """The writer thread is gone and the interpreter's switch interval is its own again."""
    return not any(t.name == "xlsx-writer" for t in threading.enumerate()) and sys.getswitchinterval() == _SWITCH


def test_parts_written_in_the_background_are_whole_and_in_order():
    """Many chunks per sheet, several sheets: every part complete, in the order given, hashed right."""
    sheets = [Sheet(f"A{i}", rows=list(_big_rows(3000))) for i in range(3)]
    zf, stamp = _package(sheets)
    names = zf.namelist()
    assert names[-1] == "docProps/custom.xml"
    assert [n for n in names if n.startswith("xl/worksheets/")] == [f"xl/worksheets/sheet{i}.xml" for i in (1, 2, 3)]
    for i in (1, 2, 3):
        root = ElementTree.fromstring(zf.read(f"xl/worksheets/sheet{i}.xml"))
        rows = root.findall(f"{M}sheetData/{M}row")
        assert [int(r.get("r")) for r in rows] == list(range(1, 3001))
    digests = {n: hashlib.sha256(zf.read(n)).hexdigest() for n in names}
    h = hashlib.sha256()
    for n in sorted(digests):
        if n != "docProps/custom.xml":
            h.update(f"{n}\0{digests[n]}\n".encode())
    assert stamp == "sha256:" + h.hexdigest()
    assert _no_writer_thread()


@pytest.mark.parametrize("error", [ValueError("bad row"), KeyboardInterrupt()])
def test_an_error_while_making_a_sheet_reaches_the_caller_and_ends_the_writer(error):
    with pytest.raises(type(error)) as raised:
        _package([Sheet("A", rows=_big_rows(20000, fail_at=15000, error=error))])
    assert raised.value is error
    assert _no_writer_thread()


class _FullDisk(BytesIO):
    """A file that fails once `room` bytes are written, as a full disk does."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def write(self, data) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(28, "No space left on device")
        return super().write(data)


def test_an_error_while_writing_reaches_the_caller_without_a_deadlock():
    """The writer thread fails (a full disk) while the sheet is still being made: the caller gets
    the OSError (write_atomic turns it into a message and removes the file), nothing hangs."""
    tpl = load_template()
    out = _FullDisk(50_000)         # past the small parts, early in the sheet
    rows = _big_rows(50000)
    with pytest.raises(OSError, match="No space left"):
        package([Sheet("A", rows=rows)], tpl.styles_xml, tpl.theme_xml,
                Properties("T", "P", "c", datetime(2024, 1, 1, tzinfo=UTC), {}), out)
    assert _no_writer_thread()
    assert next(rows, None) is not None         # the producer stopped early, not after all 50,000 rows


def test_the_switch_interval_is_the_callers_while_writing():
    """A process-wide setting is not the library's to change (the command and the workers set it
    for their own process: run/tuning.py, tests/test_state.py)."""
    seen = []

    def rows():
        seen.append(sys.getswitchinterval())
        yield row_xml(1, [num(1, 1, 1, 1)])

    _package([Sheet("A", rows=rows())])
    assert seen == [_SWITCH]
    assert _no_writer_thread()
