"""The workbook template: the house style, loaded once per process.

The template is an ordinary .xlsx whose named styles (and optional sheet "Mal") carry the
look. We read it with openpyxl, register the few cell formats the converter uses (each named
style, plus a variant whose number format hides zeros, plus a quote-prefixed variant for labels
that start like a formula), and keep the resulting styles.xml and theme as bytes. Every
workbook of the process reuses them: no openpyxl work per report. The template file itself is
only ever read.

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
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import TemplateError
from .version import __version__

REQUIRED_STYLES = ("Tittel", "Periode", "Seksjon", "Kolonnehode", "Tekst", "SumTekst", "Tall", "Sum",
                   "Prosent", "SumProsent", "Merknad", "Lenke", "Avvik")
NUMBER_STYLES = ("Tall", "Sum", "Prosent", "SumProsent")
# Optional: a template without it gets a built-in look (see _compile).
DERIVED_STYLE = "Avledet"              # a value not published but derived (tidsserie.xlsx)
TEXT_STYLES = ("Tittel", "Periode", "Seksjon", "Tekst", "SumTekst", "Merknad")
DATE_FORMAT = "yyyy-mm-dd hh:mm"
MAX_TEMPLATE_BYTES = 20 * 2**20          # unpacked; a real template is ~10 KiB (zip-bomb guard)
MAX_RATIO = 200                          # compression ratio above which an entry is suspicious


@dataclass(frozen=True, slots=True)
class Template:
    """What the writer needs from a template, as ready-made XML and style indices."""

    path: str
    styles_xml: bytes
    theme_xml: bytes
    xf: dict[str, int]                 # "Tall", "Tall0" (zero shown blank), "Tekst'", "Dato" … → cellXfs index
    avvik_dxf: int                     # differential format for the AVVIK conditional format
    label_width: float
    number_width: float
    landscape: bool
    paper_size: int
    margins: tuple[float, float, float, float, float, float]   # left, right, top, bottom, header, footer


COMPILED_NAME = "tiltak.compiled.json"    # the bundled template's compiled form, beside it


def default_template_path() -> Path:
    """The bundled template: package data when installed, templates/ in a source checkout."""
    try:
        return Path(str(resources.files("converter.templates") / "tiltak.xlsx"))
    except ModuleNotFoundError:     # running from the repository without installing
        return Path(__file__).resolve().parent.parent / "templates" / "tiltak.xlsx"


def zero_blank(number_format: str) -> str:
    """'#,##0' → '#,##0;-#,##0;' : the same format with an empty zero section."""
    sections = number_format.split(";")
    if len(sections) == 1:
        return f"{number_format};-{number_format};"
    if len(sections) == 2:
        return f"{sections[0]};{sections[1]};"
    return ";".join([sections[0], sections[1], "", *sections[3:]])


MAX_DECIMALS = 3                         # decimals a number column can show ("12,5" → 1); more are shown as 3


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
    it; any other template is compiled once and cached under the hash of its bytes and of this
    module, so a changed template or a changed tiltak2xlsx never meets a stale compiled form.
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
    key = f"{__version__}-{_code()[:12]}-{digest[:40]}"
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


def _xf_keys() -> list[str]:
    """Every cell format the writer asks for (see _compile)."""
    return [*REQUIRED_STYLES, *(s + "0" for s in NUMBER_STYLES), *(s + "'" for s in TEXT_STYLES),
            *(s + "T" for s in NUMBER_STYLES), "Dato", DERIVED_STYLE,
            *(f"{s}.{d}{z}" for s in NUMBER_STYLES for d in range(1, MAX_DECIMALS + 1) for z in ("", "0")),
            *(f"Avvik{s}{d}" for s in NUMBER_STYLES for d in ("", *(f".{d}" for d in range(1, MAX_DECIMALS + 1))))]


@lru_cache(maxsize=1)
def _code() -> str:
    """SHA-256 of this module: the code that compiles a template."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def compiled_json(template: Template, source_sha256: str) -> str:
    """The compiled form as JSON text: deterministic (sorted keys), without the template's path.

    It names the template's bytes and the compiling code (this module) by their SHA-256, so a
    compiled form is only ever used for the template and the code it was made from.
    """
    fields = asdict(template)
    del fields["path"]
    fields["styles_xml"] = template.styles_xml.decode("utf-8")
    fields["theme_xml"] = template.theme_xml.decode("utf-8")
    fields["source_sha256"] = source_sha256
    fields["code_sha256"] = _code()
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def _read_compiled(file: Path, path: str, digest: str) -> Template | None:
    """A compiled form from `file` if it is whole and made from these template bytes, else None."""
    try:
        fields = json.loads(file.read_text(encoding="utf-8"))
        if fields.pop("source_sha256") != digest or fields.pop("code_sha256") != _code():
            return None
        fields["styles_xml"] = fields["styles_xml"].encode("utf-8")
        fields["theme_xml"] = fields["theme_xml"].encode("utf-8")
        fields["margins"] = tuple(fields["margins"])
        template = Template(**{**fields, "path": path})
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None                  # no cache yet, or a damaged one: compile
    return template if set(template.xf) >= set(_xf_keys()) else None


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


def _check_package(path: str, name: str) -> None:
    if not zipfile.is_zipfile(path):
        raise TemplateError(f"{name}: not an .xlsx file (not a zip package). Start from templates/tiltak.xlsx.")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            if "xl/vbaProject.bin" in names:
                raise TemplateError(f"{name}: a macro-enabled workbook cannot be a template. "
                                    "Save it as .xlsx without macros.")
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
    except zipfile.BadZipFile as exc:
        raise TemplateError(f"{name}: the template is a damaged zip file ({exc}).") from None


def _canonical(xml: bytes) -> bytes:
    """The same XML, serialised one way whatever openpyxl used (lxml writes `<a />`, the standard
    library `<a/>`): the shipped compiled template must equal a fresh compile on every machine."""
    from xml.etree.ElementTree import canonicalize

    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + canonicalize(xml).encode("utf-8")


def _compile(wb: object, path: str) -> Template:
    from copy import copy

    from openpyxl.styles import Alignment
    from openpyxl.styles.differential import DifferentialStyle
    from openpyxl.styles.fills import PatternFill
    from openpyxl.styles.stylesheet import write_stylesheet
    from openpyxl.writer.theme import theme_xml
    from openpyxl.xml.functions import tostring

    scratch = wb.create_sheet("__tiltak2xlsx_scratch__")   # in memory only; never saved
    xf: dict[str, int] = {}

    def register(key: str, style: str, number_format: str | None = None, quote: bool = False,
                 align: str | None = None) -> None:
        c = scratch.cell(1, 1)
        c.style = style
        if number_format is not None:
            c.number_format = number_format
        if key == "Dato":      # a date among text facts reads better left-aligned
            c.alignment = Alignment(horizontal="left")
        if align:
            c.alignment = Alignment(horizontal=align)
        if quote:
            c.quotePrefix = True
        xf[key] = wb._cell_styles.add(c._style)

    for style in REQUIRED_STYLES:
        register(style, style)
    for style in NUMBER_STYLES:
        fmt = wb._named_styles[style].number_format
        register(style + "0", style, zero_blank(fmt))
    for style in TEXT_STYLES:
        register(style + "'", style, quote=True)
    for style in NUMBER_STYLES:       # a symbol (":", "..") in a number column: text, aligned as numbers
        register(style + "T", style, align="right")
    register("Dato", "Tekst", DATE_FORMAT)
    for style in NUMBER_STYLES:       # numbers published with decimals ("12,5"): shown with them
        fmt = wb._named_styles[style].number_format
        for d in range(1, MAX_DECIMALS + 1):
            register(f"{style}.{d}", style, with_decimals(fmt, d))
            register(f"{style}.{d}0", style, zero_blank(with_decimals(fmt, d)))
    for style in NUMBER_STYLES:       # a published number that its own relation contradicts: "Avvik", as numbered
        fmt = wb._named_styles[style].number_format
        register(f"Avvik{style}", "Avvik", fmt, align="right")
        for d in range(1, MAX_DECIMALS + 1):
            register(f"Avvik{style}.{d}", "Avvik", with_decimals(fmt, d), align="right")
    if DERIVED_STYLE in wb.named_styles:
        register(DERIVED_STYLE, DERIVED_STYLE)
    else:                     # an older or custom template: the number style in grey italics
        from openpyxl.styles import Font

        c = scratch.cell(1, 1)
        c.style = "Tall"
        c.font = Font(name=c.font.name, sz=c.font.sz, italic=True, color="7F7F7F")
        xf[DERIVED_STYLE] = wb._cell_styles.add(c._style)
    wb.remove(scratch)

    avvik = wb._named_styles["Avvik"]
    fill = avvik.fill
    color = getattr(fill, "fgColor", None)
    dxf = DifferentialStyle(font=copy(avvik.font),
                            fill=PatternFill("solid", fgColor=copy(color), bgColor=copy(color)) if color else None)
    avvik_dxf = wb._differential_styles.add(dxf)

    mal = wb["Mal"] if "Mal" in wb.sheetnames else None
    label_width, number_width, landscape, paper, margins = 40.0, 14.0, False, 9, (0.7, 0.7, 0.75, 0.75, 0.3, 0.3)
    if mal is not None:
        label_width = float(mal.column_dimensions["A"].width or label_width)
        number_width = float(mal.column_dimensions["B"].width or number_width)
        landscape = mal.page_setup.orientation == "landscape"
        paper = int(mal.page_setup.paperSize or 9)
        m = mal.page_margins
        margins = (m.left, m.right, m.top, m.bottom, m.header, m.footer)
    theme = wb.loaded_theme or theme_xml
    return Template(
        path=path,
        styles_xml=_canonical(tostring(write_stylesheet(wb))),
        theme_xml=theme if isinstance(theme, bytes) else theme.encode("utf-8"),
        xf=xf,
        avvik_dxf=avvik_dxf,
        label_width=label_width,
        number_width=number_width,
        landscape=landscape,
        paper_size=paper,
        margins=margins,
    )
