"""The workbook template: the house style, loaded once per process.

The template is an ordinary .xlsx whose named styles (and optional sheet "Mal") carry the
look. We read it with openpyxl, register the few cell formats the converter uses (each a
styles.Style: a named style, or a variant of one with decimals, a number format that hides
zeros, a quote prefix for labels that start like a formula …; styles.XF_STYLES), and keep the
resulting styles.xml and theme as bytes, and the xf table keyed by Style. Every
workbook of the process reuses them: no openpyxl work per report. The template file itself is
only ever read.

Only openpyxl's public API is used (no pin to one release: see _compile), and the template is a
stranger's file: before openpyxl sees it, every XML part must parse without a DTD (no entity can
be expanded or fetched) and nothing in it may carry macros (_check_package). styles.xml is
written with its children in the Open XML SDK's order (SCHEMA_ORDER).

Compiling needs openpyxl (0.1 to 0.2 s of imports, numpy with them when it is installed), so the
compiled form is never compiled twice: the bundled template's ships beside it
(templates/tiltak.compiled.json, rebuilt by `python templates/compile_template.py` and tested
against a fresh compile), and a custom template's is kept in the user's cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import TemplateError
from ..version import __version__
from .styles import AVVIK, COUNT, DERIVED_STYLE, REQUIRED_STYLES, XF_STYLES, Style, named_style

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

DATE_FORMAT = "yyyy-mm-dd hh:mm"
MAX_TEMPLATE_BYTES = 20 * 2**20          # unpacked; a real template is ~10 KiB (zip-bomb guard)
MAX_RATIO = 200                          # compression ratio above which an entry is suspicious


@dataclass(frozen=True, slots=True)
class Template:
    """What the writer needs from a template, as ready-made XML and style indices."""

    path: str
    styles_xml: bytes
    theme_xml: bytes
    xf: dict[Style, int]               # every Style of styles.XF_STYLES (and any a book adds) → cellXfs index
    avvik_dxf: int                     # differential format for the AVVIK conditional format
    label_width: float
    number_width: float
    landscape: bool
    paper_size: int
    margins: tuple[float, float, float, float, float, float]   # left, right, top, bottom, header, footer


COMPILED_NAME = "tiltak.compiled.json"    # the bundled template's compiled form, beside it
# The compiled form's format: raise it whenever _compile's output changes for the same template, so
# that no cached or shipped compiled form of an older compiler is used (tests/test_startup.py keeps
# the hash of the bundled template's compiled form for this number, and fails until it is raised).
FORMAT = 2


def default_template_path() -> Path:
    """The bundled template: package data when installed, templates/ in a source checkout."""
    try:
        return Path(str(resources.files("converter.templates") / "tiltak.xlsx"))
    except ModuleNotFoundError:     # running from the repository without installing
        return Path(__file__).resolve().parents[2] / "templates" / "tiltak.xlsx"


def zero_blank(number_format: str) -> str:
    """'#,##0' → '#,##0;-#,##0;' : the same format with an empty zero section."""
    sections = number_format.split(";")
    if len(sections) == 1:
        return f"{number_format};-{number_format};"
    if len(sections) == 2:
        return f"{sections[0]};{sections[1]};"
    return ";".join([sections[0], sections[1], "", *sections[3:]])


def with_decimals(number_format: str, decimals: int) -> str:
    """'#,##0' → '#,##0.0' (1 decimal): each section's last digit placeholder gets the decimals.

    A format that already shows decimals, or has no digit placeholder (text, General), is kept.
    """
    if decimals <= 0 or "." in number_format:
        return number_format
    out = []
    for section in number_format.split(";"):
        end = max(section.rfind("0"), section.rfind("#"))
        out.append(section if end < 0 else section[: end + 1] + "." + "0" * decimals + section[end + 1:])
    return ";".join(out)


def load_template(path: str | Path | None = None) -> Template:
    """Load and check a template (the packaged default when `path` is None). Cached per process."""
    p = Path(path) if path is not None else default_template_path()
    try:
        st = p.stat()
    except FileNotFoundError:
        raise TemplateError(f"{p.name}: template not found", "Check the template's path",
                            reason="template-missing") from None
    except OSError as exc:
        raise TemplateError(f"{p.name}: template cannot be read ({exc.strerror}).") from None
    if p.is_dir():
        raise TemplateError(f"{p.name}: the template is a folder, not an .xlsx file.")
    return _load(str(p.resolve()), st.st_mtime_ns, st.st_size)


def cache_dir() -> Path | None:
    """Where compiled templates are kept: TILTAK2XLSX_CACHE_DIR ("off" disables), else ~/.cache."""
    env = os.environ.get("TILTAK2XLSX_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "no") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tiltak2xlsx"


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int, size: int) -> Template:
    """The compiled template: shipped (the bundled one), cached, or compiled now.

    The compiled form depends only on the template's bytes and the code that compiles it. The
    bundled template's is shipped with the package and used when the template's hash matches
    it; any other template is compiled once and cached under the hash of its bytes, the version
    and the compiled form's FORMAT, so a changed template or compiler never meets a stale form.
    """
    name = Path(path).name
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise TemplateError(f"{name}: template cannot be read ({exc.strerror}).") from None
    digest = hashlib.sha256(data).hexdigest()
    shipped = Path(path).with_name(COMPILED_NAME)
    if shipped.is_file():
        template = _read_compiled(shipped, path, digest)
        if template is not None:
            return template
    key = f"{__version__}-f{FORMAT}-{digest[:40]}"
    folder = cache_dir()
    cached = folder / f"template-{key}.json" if folder else None
    if cached is not None:
        template = _read_compiled(cached, path, digest)
        if template is not None:
            return template
    template = _compile_file(path, name)
    if cached is not None:
        _store(cached, template, digest)
    return template


def compiled_json(template: Template, source_sha256: str) -> str:
    """The compiled form as JSON text: deterministic (sorted keys), without the template's path.

    It names the template's bytes by their SHA-256 and the compiled form's FORMAT, so a compiled
    form is only ever used for the template and the format it was made for.
    """
    fields = {f.name: getattr(template, f.name) for f in dataclass_fields(template) if f.name != "path"}
    # The xf table as a list (a Style is no JSON key): each Style by the fields it changes, and its index.
    fields["xf"] = [{"style": {k: v for k, v in style._asdict().items() if v != Style._field_defaults.get(k)},
                     "xf": index} for style, index in template.xf.items()]
    fields["styles_xml"] = template.styles_xml.decode("utf-8")
    fields["theme_xml"] = template.theme_xml.decode("utf-8")
    fields["source_sha256"] = source_sha256
    fields["format"] = FORMAT
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def _read_compiled(file: Path, path: str, digest: str) -> Template | None:
    """A compiled form from `file` if it is whole and made from these template bytes, else None."""
    try:
        fields = json.loads(file.read_text(encoding="utf-8"))
        if fields.pop("source_sha256") != digest or fields.pop("format", None) != FORMAT:
            return None
        fields["styles_xml"] = fields["styles_xml"].encode("utf-8")
        fields["theme_xml"] = fields["theme_xml"].encode("utf-8")
        fields["margins"] = tuple(fields["margins"])
        fields["xf"] = {Style(**entry["style"]): int(entry["xf"]) for entry in fields["xf"]}
        template = Template(**{**fields, "path": path})
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None                  # no cache yet, or a damaged one: compile
    return template if set(template.xf) >= set(XF_STYLES) else None


def _store(cached: Path, template: Template, digest: str) -> None:
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(compiled_json(template, digest), encoding="utf-8")
        tmp.replace(cached)
    except OSError:
        pass                         # a read-only home: fine, compile next time again


def compile_template(path: str | Path) -> tuple[Template, str]:
    """Compile a template afresh (no shipped form, no cache): the Template and its JSON text."""
    p = Path(path).resolve()
    template = _compile_file(str(p), p.name)
    return template, compiled_json(template, hashlib.sha256(p.read_bytes()).hexdigest())


def build_compiled(path: str | Path | None = None) -> Path:
    """Write the compiled form of a template beside it (default: the bundled one); its path."""
    p = Path(path) if path is not None else default_template_path()
    out = p.with_name(COMPILED_NAME)
    out.write_text(compile_template(p)[1], encoding="utf-8")
    return out


def _compile_file(path: str, name: str) -> Template:
    _check_package(path, name)
    from openpyxl import load_workbook  # imported here: --help and --check never pay for it

    try:
        wb = load_workbook(path)
    except Exception as exc:             # openpyxl raises many types for a damaged package
        raise TemplateError(f"{name}: not a readable .xlsx template ({type(exc).__name__}: "
                            f"{str(exc)[:80]}). Start from templates/tiltak.xlsx.") from None
    missing = [s for s in REQUIRED_STYLES if s not in wb.named_styles]
    if missing:
        raise TemplateError(f"{name}: the template lacks the named style{'s' if len(missing) > 1 else ''} "
                            f"{', '.join(missing)}. Start from templates/tiltak.xlsx.")
    return _compile(wb, path)


# Parts that make a package macro-enabled, whatever they are called (the part name is the
# producer's choice; the content type and the relationship type say what the part is).
_MACRO_TYPES = ("application/vnd.ms-office.vbaproject", "macroenabled", "application/vnd.ms-office.activex",
                "application/vnd.ms-excel.macrosheet", "application/vnd.ms-excel.intlmacrosheet")
_MACRO_RELS = ("/vbaproject", "/macrosheet", "/intlmacrosheet", "/activex")
_MAX_XML_PART = 4 * 2**20             # a template's XML part is a few KiB; anything this big is refused


class _Unsafe(Exception):
    """An XML part declares a DTD (entities, external references): never parsed further."""


def _check_xml(data: bytes) -> ET.Element:
    """Parse one XML part safely: a DOCTYPE (and with it any entity definition, internal or
    external: billion laughs, a file or URL fetched) is refused before anything is expanded.

    Raises _Unsafe, or ValueError for XML that is not well-formed. (Imported here, like
    xml.etree in the callers: a conversion with the compiled template never parses XML.)"""
    import xml.etree.ElementTree as ET
    from xml.parsers import expat

    def refuse(*_args: object) -> None:
        raise _Unsafe

    checker = expat.ParserCreate()
    checker.StartDoctypeDeclHandler = refuse     # called first, before any declaration in the DTD
    checker.EntityDeclHandler = refuse
    checker.ExternalEntityRefHandler = refuse
    try:
        checker.Parse(data, True)
    except expat.ExpatError as exc:
        raise ValueError(str(exc)) from None
    return ET.fromstring(data)                   # no DTD: nothing to expand or fetch


def _check_package(path: str, name: str) -> None:
    """The template is a plain .xlsx: a zip, no macros (by part name, content type or relationship),
    not a zip bomb, every XML part well-formed and without a DTD (openpyxl and our own reader
    parse only parts that passed)."""
    if not zipfile.is_zipfile(path):
        raise TemplateError(f"{name}: not an .xlsx file (not a zip package). Start from templates/tiltak.xlsx.")
    macro = TemplateError(f"{name}: a macro-enabled workbook cannot be a template. Save it as .xlsx without macros.")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise macro
            if "xl/workbook.xml" not in names:
                raise TemplateError(f"{name}: a zip file but not an Excel workbook. "
                                    "Start from templates/tiltak.xlsx.")
            total = sum(i.file_size for i in infos)
            if total > MAX_TEMPLATE_BYTES or any(
                    i.compress_size and i.file_size / i.compress_size > MAX_RATIO and i.file_size > 2**20
                    for i in infos):
                raise TemplateError(f"{name}: the template unpacks to {total / 2**20:.0f} MiB, far more than "
                                    "a template needs (a zip bomb?). Start from templates/tiltak.xlsx.")
            bad = zf.testzip()
            if bad:
                raise TemplateError(f"{name}: the template is damaged ({bad} is corrupt).")
            for info in infos:
                if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                part = info.filename
                try:
                    if info.file_size > _MAX_XML_PART:
                        raise ValueError
                    root = _check_xml(zf.read(info))
                except _Unsafe:
                    raise TemplateError(f"{name}: {part} declares a DTD (<!DOCTYPE …>), which no workbook needs "
                                        "and which can define harmful entities; refused. Save the template "
                                        "again in Excel, or start from templates/tiltak.xlsx.") from None
                except ValueError:
                    raise TemplateError(f"{name}: the template is damaged ({part} is not readable XML). "
                                        "Start from templates/tiltak.xlsx.") from None
                if part == "[Content_Types].xml" and any(
                        any(m in (e.get("ContentType") or "").lower() for m in _MACRO_TYPES) for e in root):
                    raise macro
                if part.endswith(".rels") and any(
                        (e.get("Type") or "").lower().endswith(_MACRO_RELS) for e in root):
                    raise macro
    except zipfile.BadZipFile as exc:
        raise TemplateError(f"{name}: the template is a damaged zip file ({exc}).") from None


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_R = "http://schemas.openxmlformats.org/package/2006/relationships"
# The order of child elements in styles.xml, as the Open XML SDK's schema (the validator behind
# Excel's own tooling) has it: ECMA-376 allows CT_Font's children in any order, the SDK wants
# this one, and openpyxl writes `name, b, color, sz` (issue 20). Unlisted children keep their
# place after the listed ones.
SCHEMA_ORDER: dict[str, tuple[str, ...]] = {
    "styleSheet": ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
                   "tableStyles", "colors", "extLst"),
    "font": ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color",
             "name", "family", "charset", "scheme"),
    "dxf": ("font", "numFmt", "fill", "alignment", "border", "protection", "extLst"),
    "xf": ("alignment", "protection", "extLst"),
    "border": ("start", "left", "end", "right", "top", "bottom", "diagonal", "vertical", "horizontal"),
    "patternFill": ("fgColor", "bgColor"),
    "gradientFill": ("stop",),
    "colors": ("indexedColors", "mruColors"),
}


def schema_order(xml: bytes) -> bytes:
    """styles.xml with every element's children in the schema's order (SCHEMA_ORDER), serialised
    one way (see _canonical)."""

    root = _check_xml(xml)
    for element in root.iter():
        order = SCHEMA_ORDER.get(_local(element.tag))
        if order is None or len(element) < 2:
            continue
        rank = {n: i for i, n in enumerate(order)}
        children = sorted(element, key=lambda c: rank.get(_local(c.tag), len(order)))   # stable
        element[:] = children
    return _canonical(_serialise(root).encode("utf-8"))


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _serialise(root: ET.Element) -> str:
    """An element tree as XML text, the main namespace as the default one (xml.etree would
    write `ns0:` prefixes, and its default_namespace option refuses unqualified attributes)."""
    from xml.sax.saxutils import escape, quoteattr

    prefixes: dict[str, str] = {_MAIN: ""}

    def name(qname: str, declare: list[str]) -> str:
        if not qname.startswith("{"):
            return qname
        uri, _, local = qname[1:].partition("}")
        if uri not in prefixes:
            prefixes[uri] = f"ns{len(prefixes)}"
            declare.append(f" xmlns:{prefixes[uri]}={quoteattr(uri)}")
        return f"{prefixes[uri]}:{local}" if prefixes[uri] else local

    def write(element: ET.Element, out: list[str], top: bool) -> None:
        declare = [f" xmlns={quoteattr(_MAIN)}"] if top else []
        tag = name(element.tag, declare)
        attrs = "".join(f" {name(k, declare)}={quoteattr(v)}" for k, v in element.attrib.items())
        out.append(f"<{tag}{''.join(declare)}{attrs}>{escape(element.text or '')}")
        for child in element:
            write(child, out, False)
            out.append(escape(child.tail or ""))
        out.append(f"</{tag}>")

    out: list[str] = []
    write(root, out, True)
    return "".join(out)


def _canonical(xml: bytes) -> bytes:
    """The same XML, serialised one way whatever openpyxl used (lxml writes `<a />`, the standard
    library `<a/>`): the shipped compiled template must equal a fresh compile on every machine."""
    from xml.etree.ElementTree import canonicalize

    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + canonicalize(xml).encode("utf-8")


def _compile(wb: object, path: str) -> Template:
    """The template's styles with our cell formats added, through openpyxl's public API only:
    each format is set on its own cell of a scratch sheet (and the AVVIK look as a conditional
    format there), the workbook is saved to memory, and the saved package says which cellXfs and
    dxfs index each got, and gives styles.xml and the theme."""
    import io
    from copy import copy

    from openpyxl.formatting.rule import Rule
    from openpyxl.styles import Alignment, Font
    from openpyxl.styles.differential import DifferentialStyle
    from openpyxl.styles.fills import PatternFill

    scratch = wb.create_sheet(_SCRATCH)      # in memory only; the template file is never written
    probes = wb.create_sheet(_SCRATCH + "probe")   # read a named style off a cell; removed before saving
    cells: dict[Style, str] = {}             # Style → the scratch cell that carries its format

    def cell(key: Style, style: str) -> object:
        c = scratch.cell(len(cells) + 1, 1)
        c.style = style
        cells[key] = c.coordinate
        return c

    def number_format(style: str) -> str:    # the named style's format, read off a cell that has it
        probe = probes.cell(1, 1)
        probe.style = style
        return probe.number_format

    right = Alignment(horizontal="right")
    for style in XF_STYLES:          # in XF_STYLES' order: it gives each format its index
        if style.base == DERIVED_STYLE and DERIVED_STYLE not in wb.named_styles:
            c = cell(style, named_style(COUNT))  # an older or custom template: the number style in grey italics
            c.font = Font(name=c.font.name, sz=c.font.sz, italic=True, color="7F7F7F")
            continue
        c = cell(style, named_style(style))
        if style.quote_prefix:
            c.quotePrefix = True
        if style.date:
            c.number_format = DATE_FORMAT
            c.alignment = Alignment(horizontal="left")    # a date among text facts reads better left-aligned
        elif style.decimals or style.zero_blank or style.avvik:
            # numbers published with decimals ("12,5") shown with them; an Avvik number as its base is numbered
            shown = with_decimals(number_format(style.base), style.decimals)
            c.number_format = zero_blank(shown) if style.zero_blank else shown
        if style.symbol or style.avvik:    # a symbol (":", "..") in a number column: aligned as the numbers
            c.alignment = right
    probe = probes.cell(1, 1)
    probe.style = named_style(AVVIK)
    color = getattr(probe.fill, "fgColor", None)
    dxf = DifferentialStyle(font=copy(probe.font),
                            fill=PatternFill("solid", fgColor=copy(color), bgColor=copy(color)) if color else None)
    wb.remove(probes)
    scratch.conditional_formatting.add("A1", Rule(type="expression", formula=["TRUE"], dxf=dxf))

    mal = wb["Mal"] if "Mal" in wb.sheetnames else None
    label_width, number_width, landscape, paper, margins = 40.0, 14.0, False, 9, (0.7, 0.7, 0.75, 0.75, 0.3, 0.3)
    if mal is not None:
        label_width = float(mal.column_dimensions["A"].width or label_width)
        number_width = float(mal.column_dimensions["B"].width or number_width)
        landscape = mal.page_setup.orientation == "landscape"
        paper = int(mal.page_setup.paperSize or 9)
        m = mal.page_margins
        margins = (m.left, m.right, m.top, m.bottom, m.header, m.footer)

    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as zf:
        sheet = _check_xml(zf.read(_scratch_part(zf)))
        styles_xml, theme = zf.read("xl/styles.xml"), zf.read("xl/theme/theme1.xml")
    found = {c.get("r"): int(c.get("s") or 0) for c in sheet.iter(f"{{{_MAIN}}}c")}
    rules = [int(r.get("dxfId")) for r in sheet.iter(f"{{{_MAIN}}}cfRule") if r.get("dxfId") is not None]
    _check_xml(theme)              # the template's own theme, checked above: still no DTD
    return Template(
        path=path,
        styles_xml=schema_order(styles_xml),
        theme_xml=theme,
        xf={key: found.get(ref, 0) for key, ref in cells.items()},
        avvik_dxf=rules[0],
        label_width=label_width,
        number_width=number_width,
        landscape=landscape,
        paper_size=paper,
        margins=margins,
    )


_SCRATCH = "__tiltak2xlsx_scratch__"


def _scratch_part(zf: zipfile.ZipFile) -> str:
    """The scratch sheet's part in a saved package: workbook.xml names it, its relationships say where."""
    workbook = _check_xml(zf.read("xl/workbook.xml"))
    rid = next(s.get(f"{{{_R}}}id") for s in workbook.iter(f"{{{_MAIN}}}sheet") if s.get("name") == _SCRATCH)
    rels = _check_xml(zf.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels.iter(f"{{{_PKG_R}}}Relationship") if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
