"""What a template may bring into every workbook (issue 21), the schema order of styles.xml
(issue 20) and the public APIs of the dependencies (issue 18)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, SAMPLE

from converter import convert_file
from converter.cli.app import app
from converter.errors import TemplateError
from converter.xlsx.template import default_template_path

runner = CliRunner()
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

LAUGHS = ('<!DOCTYPE a:theme [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
EXTERNAL = '<!DOCTYPE a:theme [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


def _rewrite(path: Path, change: dict[str, bytes | None], rename: dict[str, str] | None = None) -> Path:
    """The bundled template with some parts replaced (None: removed) or renamed."""
    rename = rename or {}
    with zipfile.ZipFile(default_template_path()) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change.get(info.filename, src.read(info))
            if data is not None:
                dst.writestr(rename.get(info.filename, info.filename), data)
        for name, data in change.items():
            if name not in src.namelist() and data is not None:
                dst.writestr(name, data)
    return path


def _part(name: str) -> bytes:
    with zipfile.ZipFile(default_template_path()) as zf:
        return zf.read(name)


def _with_doctype(xml: bytes, doctype: str, use: str = "") -> bytes:
    head, sep, rest = xml.partition(b"?>")
    body = rest.replace(b"<a:theme ", b"<a:theme ", 1)
    if use:      # the entity referenced in the theme's name, so that a parser would expand it
        body = re.sub(rb'name="[^"]*"', f'name="{use}"'.encode(), body, count=1)
    return head + sep + doctype.encode() + body


def _refused(template: Path, tmp_path: Path, message: str) -> None:
    out = tmp_path / "out.xlsx"
    with pytest.raises(TemplateError) as info:
        convert_file(SAMPLE, out, template=template)
    assert str(info.value) == message
    result = runner.invoke(app, [str(SAMPLE), "-o", str(out), "--template", str(template)])
    assert (result.exit_code, result.stderr) == (1, message + "\n")
    assert not out.exists()


DTD_REFUSED = ("{name}: {part} declares a DTD (<!DOCTYPE …>), which no workbook needs and which can define "
               "harmful entities; refused. Save the template again in Excel, or start from templates/tiltak.xlsx.")


@pytest.mark.parametrize(("doctype", "use"), [(LAUGHS, "&lol3;"), (EXTERNAL, "&secret;"), ("<!DOCTYPE a:theme>", "")],
                         ids=["billion-laughs", "external-entity", "bare-doctype"])
def test_theme_with_a_dtd_is_refused(tmp_path, doctype, use):
    theme = _with_doctype(_part("xl/theme/theme1.xml"), doctype, use)
    template = _rewrite(tmp_path / "tema.xlsx", {"xl/theme/theme1.xml": theme})
    _refused(template, tmp_path, DTD_REFUSED.format(name="tema.xlsx", part="xl/theme/theme1.xml"))


def test_any_part_with_a_dtd_is_refused(tmp_path):
    styles = _part("xl/styles.xml")
    at = styles.index(b"<styleSheet")
    dtd = LAUGHS.replace("a:theme", "styleSheet").encode()
    template = _rewrite(tmp_path / "stiler.xlsx", {"xl/styles.xml": styles[:at] + dtd + styles[at:]})
    _refused(template, tmp_path, DTD_REFUSED.format(name="stiler.xlsx", part="xl/styles.xml"))


def test_a_dtd_in_a_template_never_reaches_a_workbook(tmp_path):
    """The bundled template's parts, as written into a workbook, carry no DTD either."""
    out = tmp_path / "out.xlsx"
    convert_file(SAMPLE, out)
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            assert b"<!DOCTYPE" not in zf.read(name), name


MACRO = "makro.xlsx: a macro-enabled workbook cannot be a template. Save it as .xlsx without macros."
VBA_TYPE = "application/vnd.ms-office.vbaProject"


def _types_with(extra: str) -> bytes:
    return _part("[Content_Types].xml").replace(b"</Types>", extra.encode() + b"</Types>")


@pytest.mark.parametrize("how", ["override", "default", "main-type", "relationship"])
def test_renamed_macro_part_is_recognised(tmp_path, how):
    """A VBA project under another name than xl/vbaProject.bin: its content type, the workbook's
    macro-enabled main content type, or its relationship gives it away."""
    change: dict[str, bytes | None] = {"xl/code.dat": b"\xd0\xcf\x11\xe0 VBA"}
    if how == "override":
        change["[Content_Types].xml"] = _types_with(f'<Override PartName="/xl/code.dat" ContentType="{VBA_TYPE}"/>')
    elif how == "default":
        change["[Content_Types].xml"] = _types_with(f'<Default Extension="dat" ContentType="{VBA_TYPE}"/>')
    elif how == "main-type":
        types = _part("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
        assert types != _part("[Content_Types].xml")
        change["[Content_Types].xml"] = types
    else:
        rels = _part("xl/_rels/workbook.xml.rels").replace(
            b"</Relationships>", b'<Relationship Id="rIdVba" Target="code.dat" '
            b'Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject"/></Relationships>')
        change["xl/_rels/workbook.xml.rels"] = rels
    _refused(_rewrite(tmp_path / "makro.xlsx", change), tmp_path, MACRO)


def test_renamed_vba_part_name_in_another_folder(tmp_path):
    template = _rewrite(tmp_path / "makro.xlsx", {"xl/macros/VBAPROJECT.BIN": b"\0"})
    _refused(template, tmp_path, MACRO)


# --------------------------------------------------------------------------- styles.xml order (issue 20)

# The Open XML SDK's order of a font's children (DocumentFormat.OpenXml.Spreadsheet.Font), written
# out here independently of converter.xlsx.template.SCHEMA_ORDER.
SDK_FONT = ["b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color", "name",
            "family", "charset", "scheme"]
SDK_STYLESHEET = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                  "tableStyles", "colors", "extLst"]
SDK_DXF = ["font", "numFmt", "fill", "alignment", "border", "protection", "extLst"]


def _in_order(children: list[str], order: list[str]) -> bool:
    ranks = [order.index(c) for c in children]
    return ranks == sorted(ranks)


def test_styles_xml_children_in_the_sdk_order(tmp_path):
    import xml.etree.ElementTree as ET

    out = tmp_path / "out.xlsx"
    convert_file(SAMPLE, out)
    with zipfile.ZipFile(out) as zf:
        root = ET.fromstring(zf.read("xl/styles.xml"))
    local = [c.tag.removeprefix(MAIN) for c in root]
    assert _in_order(local, SDK_STYLESHEET), local
    fonts = list(root.iter(f"{MAIN}font"))
    assert len(fonts) >= 10
    for font in fonts:
        names = [c.tag.removeprefix(MAIN) for c in font]
        assert _in_order(names, SDK_FONT), names
    for dxf in root.iter(f"{MAIN}dxf"):
        names = [c.tag.removeprefix(MAIN) for c in dxf]
        assert _in_order(names, SDK_DXF), names
    # the same look: the title font is still Calibri 14 bold, dark blue (read back by openpyxl)
    import openpyxl

    wb = openpyxl.load_workbook(out)
    title = wb["Innhold"]["A1"].font
    assert (title.name, title.sz, title.b, title.color.rgb) == ("Calibri", 14, True, "001F3864")


def test_custom_template_compiles_to_the_same_formats_as_the_bundled_one(tmp_path):
    """A copy of the bundled template, compiled afresh (not the shipped JSON), gives the same
    styles.xml and the same cell format indices."""
    from converter.xlsx.template import compile_template, load_template

    fresh, _ = compile_template(default_template_path())
    shipped = load_template()
    assert (fresh.styles_xml, fresh.theme_xml, fresh.xf, fresh.avvik_dxf) == (
        shipped.styles_xml, shipped.theme_xml, shipped.xf, shipped.avvik_dxf)


# --------------------------------------------------------------------------- public APIs only (issue 18)

def test_no_private_api_of_a_dependency():
    """typer's coercion classes and openpyxl's StyleArray pinned both to one minor version."""
    private = re.compile(r"typer\._|_TyperParameter|StyleArray|_cell_styles|_named_styles|_differential_styles"
                         r"|\bwb\._|\bc\._style|\._click\b|loaded_theme")
    found = [f"{p.name}:{n}: {line.strip()}" for p in sorted((ROOT / "converter").glob("*.py"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if private.search(line)]
    assert found == []
