"""A small SpreadsheetML (.xlsx) package writer with cached formula values: the parts, the zip,
the sheets and their page setup (the cells and rows are cells.py's).

Why not openpyxl's writer: openpyxl writes every formula with an empty cached value
(`<v/>`), so e-mail previews, Protected View, Quick Look, `pandas.read_excel` and
`load_workbook(data_only=True)` show nothing; and it builds an object per cell, which is
most of a conversion's time. Here each cell is one string, written once, with its formula
*and* its value (cells.py). Styles and theme come ready-made from the template (template.py).

The element order inside <worksheet> follows the schema (CT_Worksheet); Excel rejects
files that get it wrong, so it is fixed in one place: `_sheet_xml`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import math
import queue
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from ..rules.limits import MAX_LINKS
from .address import cell, column_letter, quote_sheet
from .cells import Link
from .cells import escape as _t
from .chart import drawing

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CUSTOM_PART = "docProps/custom.xml"
FINGERPRINT = "Fingeravtrykk"         # custom property: the hash of every other part, as written
_STAMP = re.compile(r"sha256:[0-9a-f]{64}")
_ATTR_SPECIAL = re.compile('[&<>"\n\r\t]')


def quoteattr(text: str) -> str:
    if not _ATTR_SPECIAL.search(text):      # most texts (two per hyperlink, 11,310 links on the big report)
        return f'"{text}"'
    return '"' + _t(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace(
        "\t", "&#9;") + '"'


# --------------------------------------------------------------------------- sheets and package

@dataclass
class Sheet:
    name: str
    rows: Iterable[str] = field(default_factory=list)        # <row> elements in row order (may be lazy)
    widths: list[tuple[int, int, float]] = field(default_factory=list)   # (first col, last col, width)
    freeze: tuple[int, int] | None = None                     # (first unfrozen row, first unfrozen col)
    autofilter: str | None = None                              # "A5:K300"
    conditional: list[str] = field(default_factory=list)      # <conditionalFormatting> elements
    # (cell, location "'Sheet'!A1", display: the cell's own text; cells.link), may be lazy; at most MAX_LINKS
    links: Iterable[Link] = field(default_factory=list)
    print_rows: tuple[int, int] | None = None                  # rows repeated on every printed page
    # columns repeated on every page across, when the sheet is too wide to fit one page readably
    print_columns: tuple[int, int] | None = None
    row_breaks: list[int] = field(default_factory=list)        # a printed page ends after each of these rows
    footer: str = ""
    dimension: str = "A1"
    # Charts drawn on the sheet: ((first col, first row, last col, last row), 0-based; chart part XML).
    charts: list[tuple[tuple[int, int, int, int], str]] = field(default_factory=list)
    # Notes (Excel's cell comments) on cells: (row, column, text), 1-based; shown when pointed at.
    comments: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Properties:
    title: str
    subject: str
    creator: str
    created: datetime
    custom: dict[str, str]


# --------------------------------------------------------------------------- print layout

# Paper (width, height) in inches, portrait, by SpreadsheetML's paperSize; others are taken as A4.
_PAPER = {1: (8.5, 11.0), 5: (8.5, 14.0), 8: (11.69, 16.54), 9: (8.27, 11.69), 11: (5.83, 8.27)}
# The least print scale: the template's 11 pt text stays at 8.8 pt or more. Fitting a sheet to
# one page's width whatever its width printed Avstemming at about 30% (3 pt), 40 months of a
# time series at 25%. 0.85 plans with room for page breaks, which fall between columns.
LEAST_SCALE = 0.8
_PLANNED_SCALE = 0.85
_DEFAULT_WIDTH = 8.43             # a column without a <col> width, in characters


def column_inches(width: float) -> float:
    """A column's printed width at 100%: Excel's pixels (7 per character of the default 11 pt
    font's digits, plus 5 of padding) at 96 per inch."""
    return int(width * 7 + 5) / 96


def page_plan(widths: Sequence[tuple[int, int, float]], last_column: int, landscape: bool, paper: int,
              margins: Sequence[float], repeat_columns: bool = False) -> tuple[bool, int | None]:
    """(landscape, pages wide) to print a sheet whose columns 1..last_column have `widths`.

    The template's orientation when the sheet fits one page's width at LEAST_SCALE or more;
    else landscape, fitted to as few pages wide as keep the scale (pages across, printed one
    after the other); a sheet with columns repeated on every page (labels) is printed at
    LEAST_SCALE instead (None: no fitting), as the repeated columns take room on each page.
    """
    width_of = dict.fromkeys(range(1, last_column + 1), _DEFAULT_WIDTH)
    for first, last, w in widths:
        for c in range(first, min(last, last_column) + 1):
            width_of[c] = w
    need = sum(column_inches(w) for w in width_of.values())
    page_w, page_h = _PAPER.get(paper, _PAPER[9])

    def pages(wide: bool) -> int:
        printable = max((page_h if wide else page_w) - margins[0] - margins[1], 1.0)
        return max(1, math.ceil(need * _PLANNED_SCALE / printable - 1e-9))

    if pages(landscape) == 1:
        return landscape, 1
    wide = pages(True)
    if wide == 1:
        return True, 1
    return True, None if repeat_columns else wide


def _last_column(sheet: Sheet) -> int:
    """The sheet's last used column, its charts' anchors included."""
    ref = sheet.dimension.split(":")[-1]
    letters = ref.rstrip("0123456789")
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return max([n, *(box[2] for box, _ in sheet.charts)])


def _repeats_columns(sheet: Sheet, landscape: bool, paper: int, margins: Sequence[float]) -> bool:
    """Does the printed sheet repeat its label columns? Only where it is too wide for one page
    across: a sheet on one page needs no repeated columns, and the two-range print titles they
    take are what Gnumeric cannot read (it prints a line for them), so they are left out there."""
    return sheet.print_columns is not None and page_plan(
        sheet.widths, _last_column(sheet), landscape, paper, margins)[1] != 1


def _sheet_xml(sheet: Sheet, selected: bool, landscape: bool, paper: int,
               margins: tuple[float, float, float, float, float, float]) -> Iterator[str]:
    """The worksheet XML in pieces, so a big sheet is never held in memory whole."""
    landscape, wide = page_plan(sheet.widths, _last_column(sheet), landscape, paper, margins,
                                _repeats_columns(sheet, landscape, paper, margins))
    out = [_XML, f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">',
           # printed: fitted to `wide` pages across (see page_plan), or at 100%
           '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if wide else "",
           f'<dimension ref="{sheet.dimension}"/>',
           "<sheetViews><sheetView workbookViewId=\"0\"" + (' tabSelected="1"' if selected else "") + ">"]
    if sheet.freeze:
        r, c = sheet.freeze
        top_left = cell(r, c)
        split = (f' xSplit="{c - 1}"' if c > 1 else "") + (f' ySplit="{r - 1}"' if r > 1 else "")
        pane = "bottomRight" if c > 1 and r > 1 else ("bottomLeft" if r > 1 else "topRight")
        out.append(f'<pane{split} topLeftCell="{top_left}" activePane="{pane}" state="frozen"/>'
                   f'<selection pane="{pane}" activeCell="{top_left}" sqref="{top_left}"/>')
    out.append("</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>")
    if sheet.widths:
        out.append("<cols>" + "".join(f'<col min="{a}" max="{b}" width="{w:.2f}" customWidth="1"/>'
                                      for a, b, w in sheet.widths) + "</cols>")
    out.append("<sheetData>")
    yield "".join(out)
    out = []
    size = 0
    for row in sheet.rows:
        out.append(row)
        size += len(row)
        # Flush by rows or by size: a time-series row with a column per month is long.
        if len(out) >= 512 or size >= 1 << 18:
            yield "".join(out)
            out = []
            size = 0
    out.append("</sheetData>")
    if sheet.autofilter:
        out.append(f'<autoFilter ref="{sheet.autofilter}"/>')
    out.extend(sheet.conditional)
    opened = False
    for n, (ref, loc, display) in enumerate(sheet.links, 1):
        if n > MAX_LINKS:       # the workbook builder keeps within Excel's limit; a bug if not
            raise ValueError(f"{sheet.name}: more than {MAX_LINKS} hyperlinks")
        if not opened:
            out.append("<hyperlinks>")
            opened = True
        out.append(f'<hyperlink ref="{ref}" location={quoteattr(loc)} display={quoteattr(display)}/>')
        if len(out) >= 512:
            yield "".join(out)
            out = []
    if opened:
        out.append("</hyperlinks>")
    left, right, top, bottom, header, footer = margins
    out.append(f'<pageMargins left="{left}" right="{right}" top="{top}" bottom="{bottom}" header="{header}" '
               f'footer="{footer}"/>')
    orientation = "landscape" if landscape else "portrait"
    # Pages across are printed one after the other (the rest of the same rows comes next).
    order = ' pageOrder="overThenDown"' if wide != 1 else ""
    fit = f' fitToWidth="{wide}" fitToHeight="0"' if wide else f' scale="{round(LEAST_SCALE * 100)}"'
    out.append(f'<pageSetup paperSize="{paper}"{order} orientation="{orientation}"{fit}/>')
    if sheet.footer:
        out.append(f"<headerFooter><oddFooter>{_t(sheet.footer)}</oddFooter></headerFooter>")
    if sheet.row_breaks:
        n = len(sheet.row_breaks)
        out.append(f'<rowBreaks count="{n}" manualBreakCount="{n}">'
                   + "".join(f'<brk id="{r}" max="16383" man="1"/>' for r in sheet.row_breaks) + "</rowBreaks>")
    if sheet.charts:
        out.append('<drawing r:id="rId1"/>')    # the sheet's first relationship (see _write_charts)
    if sheet.comments:
        # Excel shows a note through a VML shape (legacyDrawing); the text is in the comments part.
        out.append(f'<legacyDrawing r:id="{_COMMENT_RELS[1] if sheet.charts else _COMMENT_RELS[0]}"/>')
    out.append("</worksheet>")
    yield "".join(out)


_CELL_XFS = re.compile(rb'<cellXfs count="(\d+)">(.*?)</cellXfs>', re.S)
_XF = re.compile(rb"<xf\b[^>]*?(?:/>|>.*?</xf>)", re.S)


@functools.lru_cache(maxsize=8)
def with_alignment(styles_xml: bytes, base: int, horizontal: str) -> tuple[bytes, int]:
    """`styles_xml` with one more cell format: format `base` aligned `horizontal`; and its index.

    For cells that must not run into their neighbour in print: a right-aligned number beside
    left-aligned text prints as one word ("0OK", "24Hovedgrupper!B5"). The template's named
    styles stay as they are: the new format is the same style, differently aligned.
    """
    found = _CELL_XFS.search(styles_xml)
    if found is None:
        return styles_xml, base
    xfs = _XF.findall(found.group(2))
    if not 0 <= base < len(xfs):
        return styles_xml, base
    xf = xfs[base]
    body = xf[:-2] + b"></xf>" if xf.endswith(b"/>") else xf
    body = re.sub(rb"<alignment\b[^>]*?(?:/>|>\s*</alignment>)", b"", body)
    body = re.sub(rb'\s+applyAlignment="[^"]*"', b"", body)
    head_end = body.index(b">")
    aligned = (body[:head_end] + b' applyAlignment="1">' + f'<alignment horizontal="{horizontal}" vertical="top"/>'
               .encode() + body[head_end + 1:])
    count = int(found.group(1))
    replaced = (b'<cellXfs count="' + str(count + 1).encode() + b'">' + found.group(2) + aligned + b"</cellXfs>")
    return styles_xml[:found.start()] + replaced + styles_xml[found.end():], count


def with_fill(styles_xml: bytes, base: int, rgb: str) -> tuple[bytes, int]:
    """`styles_xml` with one more fill (solid, ARGB `rgb`) and one more cell format: format `base`
    with that fill; and its index. Where styles.xml is not as expected: unchanged, and `base`."""
    xml = styles_xml.decode("utf-8")
    fills = re.search(r'<fills count="(\d+)">', xml)
    xfs = re.search(r'<cellXfs count="(\d+)">(.*?)</cellXfs>', xml, re.S)
    if fills is None or xfs is None:
        return styles_xml, base
    n_fills, n_xfs = int(fills.group(1)), int(xfs.group(1))
    cells = re.findall(r"<xf\b[^>]*?/>|<xf\b.*?</xf>", xfs.group(2), re.S)
    if len(cells) != n_xfs or not 0 <= base < n_xfs:
        return styles_xml, base
    made = re.sub(r'fillId="\d+"', f'fillId="{n_fills}"', cells[base], count=1)
    if "applyFill=" not in made:
        made = made.replace("<xf ", '<xf applyFill="1" ', 1)
    fill = f'<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"></fgColor></patternFill></fill>'
    end_fills = xml.index("</fills>")
    xml = xml[:end_fills] + fill + xml[end_fills:]
    xml = xml.replace(fills.group(0), f'<fills count="{n_fills + 1}">', 1)
    end_xfs = xml.index("</cellXfs>")
    xml = xml[:end_xfs] + made + xml[end_xfs:]
    xml = xml.replace(f'<cellXfs count="{n_xfs}">', f'<cellXfs count="{n_xfs + 1}">', 1)
    return xml.encode("utf-8"), n_xfs


def highlight_equal(sqref: str, dxf: int, value: str) -> str:
    """A conditional format for Sheet.conditional: the cells of `sqref` that equal the text `value`
    shown in differential format `dxf` (the AVVIK look)."""
    return (f'<conditionalFormatting sqref="{sqref}"><cfRule type="cellIs" dxfId="{dxf}" priority="1" '
            f'operator="equal"><formula>"{value}"</formula></cfRule></conditionalFormatting>')


def footer_text(left: str, center: str, right: str = "Side &P av &N") -> str:
    """A page footer (&L/&C/&R sections); user text has its '&' doubled; 255 characters at most."""
    def esc(s: str, room: int) -> str:
        s = s.replace("&", "&&")
        return s if len(s) <= room else s[: room - 1] + "…"
    return f"&L{esc(left, 120)}&C{esc(center, 80)}&R{right}"


def utc(dt: datetime) -> datetime:
    """`dt` in UTC; a naive time is taken as local time (as datetime.astimezone does)."""
    return dt.astimezone(UTC)


def _w3c(dt: datetime) -> str:
    return utc(dt).strftime("%Y-%m-%dT%H:%M:%SZ")


def fingerprint(digests: dict[str, str]) -> str:
    """One hash over every part (name and SHA-256 of its bytes), in name order.

    The custom-properties part is left out: it holds the fingerprint. Any program that saves
    the workbook again (Excel, LibreOffice, openpyxl) rewrites the parts, so it changes this.
    """
    h = hashlib.sha256()
    for name in sorted(digests):
        if name != CUSTOM_PART:
            h.update(f"{name}\0{digests[name]}\n".encode())
    return "sha256:" + h.hexdigest()


def _zip_time(dt: datetime) -> tuple[int, int, int, int, int, int]:
    t = utc(dt)
    return (t.year, t.month, t.day, t.hour, t.minute, t.second) if t.year >= 1980 else (1980, 1, 1, 0, 0, 0)


def package(sheets: list[Sheet], styles_xml: bytes, theme_xml: bytes, props: Properties, out: BinaryIO, *,
            landscape: bool = False, paper: int = 9,
            margins: tuple[float, float, float, float, float, float] = (0.7, 0.7, 0.75, 0.75, 0.3, 0.3)) -> str:
    """Write the whole .xlsx to `out`, streamed; returns its fingerprint (also stored in it)."""
    n = len(sheets)
    # Sheets with charts get a drawing part each (numbered in sheet order) and one part per chart.
    drawn = [i for i, s in enumerate(sheets, 1) if s.charts]
    chart_count = sum(len(sheets[i - 1].charts) for i in drawn)
    content_types = (
        f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + ('<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
           if any(s.comments for s in sheets) else "")
        + '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                  for i in range(1, n + 1))
        + "".join(f'<Override PartName="/xl/drawings/drawing{d}.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.drawing+xml"/>'
                  for d in range(1, len(drawn) + 1))
        + "".join(f'<Override PartName="/xl/charts/chart{k}.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.drawingml.chart+xml"/>'
                  for k in range(1, chart_count + 1))
        + "".join(f'<Override PartName="/xl/comments{i}.xml" '
                  'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/>'
                  for i, s in enumerate(sheets, 1) if s.comments)
        + '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/theme/theme1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        '<Override PartName="/docProps/custom.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
        "</Types>")
    root_rels = (
        f'{_XML}<Relationships xmlns="{NS_PKG_REL}">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'extended-properties" Target="docProps/app.xml"/>'
        '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'custom-properties" Target="docProps/custom.xml"/>'
        "</Relationships>")
    defined = []
    for i, sheet in enumerate(sheets):
        columns = _repeats_columns(sheet, landscape, paper, margins)
        if sheet.print_rows or columns:
            quoted = _t(quote_sheet(sheet.name))
            titles = []
            if columns and sheet.print_columns:          # columns first, as Excel writes them
                a, b = (column_letter(c) for c in sheet.print_columns)
                titles.append(f"{quoted}!${a}:${b}")
            if sheet.print_rows:
                a, b = sheet.print_rows
                titles.append(f"{quoted}!${a}:${b}")
            defined.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{",".join(titles)}'
                           "</definedName>")
        if sheet.autofilter:
            first, last = sheet.autofilter.split(":")
            defined.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
                           f"{_t(quote_sheet(sheet.name))}!{_abs(first)}:{_abs(last)}</definedName>")
    workbook = (
        f'{_XML}<workbook xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews><sheets>'
        + "".join(f'<sheet name={quoteattr(s.name)} sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, 1))
        + "</sheets>"
        + (f"<definedNames>{''.join(defined)}</definedNames>" if defined else "")
        # The cached values are right, but a full recalculation on load costs Excel nothing
        # noticeable and protects a colleague whose Excel reads a formula differently.
        + '<calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>')
    wb_rels = (
        f'{_XML}<Relationships xmlns="{NS_PKG_REL}">'
        + "".join(f'<Relationship Id="rId{i}" Type="{NS_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                  for i in range(1, n + 1))
        + f'<Relationship Id="rId{n + 1}" Type="{NS_REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId{n + 2}" Type="{NS_REL}/theme" Target="theme/theme1.xml"/>'
        "</Relationships>")
    core = (
        f'{_XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{_t(props.title)}</dc:title><dc:subject>{_t(props.subject)}</dc:subject>"
        f"<dc:creator>{_t(props.creator)}</dc:creator><cp:lastModifiedBy>{_t(props.creator)}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{_w3c(props.created)}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_w3c(props.created)}</dcterms:modified>'
        "</cp:coreProperties>")
    app = (f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           f"<Application>{_t(props.creator)}</Application></Properties>")
    when = _zip_time(props.created)
    # zlib's default level (6) for every part, as Excel and openpyxl write: each ZipInfo made
    # here carries no level of its own, so ZipFile's `compresslevel` would not reach it anyway.
    # Level 1 would make the big report's Avstemming a third bigger for ~5% less time; 9 ~8%
    # smaller for ~3× the compression time (bench/notes, issue 12).
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        writer = _PartWriter(zf, when)
        try:
            writer.whole("[Content_Types].xml", content_types)
            writer.whole("_rels/.rels", root_rels)
            writer.whole("docProps/core.xml", core)
            writer.whole("docProps/app.xml", app)
            writer.whole("xl/workbook.xml", workbook)
            writer.whole("xl/_rels/workbook.xml.rels", wb_rels)
            writer.whole("xl/styles.xml", styles_xml)
            writer.whole("xl/theme/theme1.xml", theme_xml)
            for i, sheet in enumerate(sheets, 1):
                writer.stream(f"xl/worksheets/sheet{i}.xml", _sheet_xml(sheet, i == 1, landscape, paper, margins))
            _write_charts(writer.whole, sheets, drawn)
            _write_comments(writer.whole, sheets)
            digests = writer.finish()
        finally:
            writer.stop()       # after an error or Ctrl-C here: the thread closes its part and ends
        # Last, so that it can carry the fingerprint of everything above.
        stamp = fingerprint(digests)
        _write_part(zf, when, CUSTOM_PART, _custom_xml({**props.custom, FINGERPRINT: stamp}).encode("utf-8"))
    return stamp


def _entry(name: str, when: tuple[int, int, int, int, int, int]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, when)       # the conversion time, not 1980
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_part(zf: zipfile.ZipFile, when: tuple[int, int, int, int, int, int], name: str, raw: bytes) -> str:
    """Write a whole part; returns the SHA-256 of its bytes."""
    zf.writestr(_entry(name, when), raw)
    return hashlib.sha256(raw).hexdigest()


_STOP = object()        # the end of the parts (or: stop now, the producer failed)
_AHEAD = 8              # encoded chunks (≤ 256 KiB of XML each) waiting at most: memory stays flat


class _PartWriter:
    """Hashes, compresses and writes the parts on one background thread, in the order given.

    A conversion is single-threaded, and the machine it runs on has more than one core: while the
    main thread makes the next chunk of sheet XML, this thread deflates and hashes the previous
    one (zlib's compress and crc32 and hashlib's update release the GIL on big buffers): on the
    big report ~0.17 s of CPU (10.5 MB of XML) off the main thread, when the machine has a core
    free (see run/tuning.py). The zip is the same byte for byte: one thread writes every part,
    in the order given, chunk by chunk as before.

    Errors: the thread keeps the first one it meets and then only drains the queue, so the
    producer never blocks on a full queue; the producer raises it at its next put (or at
    `finish`). An error or Ctrl-C in the producer reaches `stop`, which tells the thread to end
    and waits for it: no part stays open, the zip is closed as usual, and write_atomic removes
    the half-written file.
    """

    def __init__(self, zf: zipfile.ZipFile, when: tuple[int, int, int, int, int, int]) -> None:
        self._zf = zf
        self._when = when
        self._queue: queue.Queue[object] = queue.Queue(maxsize=_AHEAD)
        self._digests: dict[str, str] = {}
        self._error: BaseException | None = None
        self._stopped = False
        self._done = threading.Event()         # set when the thread is done with the zip
        self._thread = threading.Thread(target=self._run, name="xlsx-writer", daemon=True)
        self._thread.start()

    def _put(self, item: object) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(item)

    def whole(self, name: str, data: str | bytes) -> None:
        """A small part, written whole."""
        self._put((name, data.encode("utf-8") if isinstance(data, str) else data))

    def stream(self, name: str, chunks: Iterable[str]) -> None:
        """A part made chunk by chunk (a sheet): each chunk is encoded here, written there."""
        self._put(name)
        for chunk in chunks:
            self._put(chunk.encode("utf-8"))
        self._put(None)

    def finish(self) -> dict[str, str]:
        """Wait until every part is written; the SHA-256 of each part's bytes, by name."""
        self.stop()
        if self._error is not None:
            raise self._error
        return self._digests

    def stop(self) -> None:
        # Marked stopped only once _STOP is queued, and always joined: a Ctrl-C while finish waits
        # here comes back through package's `finally`, which must wait again before the zip closes.
        # Waited on with an Event, not Thread.join alone: on CPython 3.11 a join interrupted by
        # Ctrl-C marks the thread stopped while it still runs (bpo-45274), and every later join
        # returns at once.
        if not self._stopped:
            self._queue.put(_STOP)
            self._stopped = True
        self._done.wait()
        self._thread.join()

    def _run(self) -> None:
        try:
            self._work()
        finally:
            self._done.set()

    def _work(self) -> None:
        part = None
        name = ""
        h = hashlib.sha256()
        get = self._queue.get
        try:
            while (item := get()) is not _STOP:
                if type(item) is bytes:         # a chunk of the open part
                    h.update(item)
                    part.write(item)            # type: ignore[union-attr]
                elif item is None:              # the open part is done
                    part.close()                # type: ignore[union-attr]
                    part = None
                    self._digests[name] = h.hexdigest()
                elif type(item) is str:         # a streamed part begins
                    name, h = item, hashlib.sha256()
                    part = self._zf.open(_entry(name, self._when), "w")
                else:                           # a whole part
                    whole, raw = item           # type: ignore[misc]
                    self._digests[whole] = _write_part(self._zf, self._when, whole, raw)
        except BaseException as exc:            # handed to the producer, raised there
            self._error = exc
            if part is not None:                # the zip must not keep an open handle (ZipFile.close refuses)
                with contextlib.suppress(Exception):    # the first error is the one reported
                    part.close()
            while get() is not _STOP:           # drain, so that the producer's put never blocks
                pass
            return
        if part is not None:                    # stopped in the middle of a part (the producer failed)
            with contextlib.suppress(Exception):    # the producer's error is the one reported, never a
                part.close()                        # traceback from this thread (a full disk here too)


def _sheet_rels(sheet: Sheet, i: int, d: int) -> str:
    """xl/worksheets/_rels/sheetN.xml.rels: the drawing (rId1) when the sheet has charts, its notes
    (comments and their VML shapes) after it."""
    rels = []
    if sheet.charts:
        rels.append(f'<Relationship Id="rId1" Type="{NS_REL}/drawing" Target="../drawings/drawing{d}.xml"/>')
    if sheet.comments:
        vml, comments = _COMMENT_RELS[1:3] if sheet.charts else _COMMENT_RELS[0:2]
        rels.append(f'<Relationship Id="{vml}" Type="{NS_REL}/vmlDrawing" '
                    f'Target="../drawings/vmlDrawing{i}.vml"/>')
        rels.append(f'<Relationship Id="{comments}" Type="{NS_REL}/comments" Target="../comments{i}.xml"/>')
    return f'{_XML}<Relationships xmlns="{NS_PKG_REL}">{"".join(rels)}</Relationships>'


_COMMENT_RELS = ("rId2", "rId3", "rId4")     # the VML and comments relationships: after the drawing's rId1


def _write_comments(put: Callable[[str, str], None], sheets: list[Sheet]) -> None:
    """For each sheet with notes: its comments part, the VML shapes Excel shows them with, and (for a
    sheet without charts) its relationships."""
    for i, sheet in enumerate(sheets, 1):
        if not sheet.comments:
            continue
        if not sheet.charts:
            put(f"xl/worksheets/_rels/sheet{i}.xml.rels", _sheet_rels(sheet, i, 0))
        notes = "".join(f'<comment ref="{cell(r, c)}" authorId="0"><text><r><t xml:space="preserve">{_t(note)}'
                        "</t></r></text></comment>" for r, c, note in sheet.comments)
        put(f"xl/comments{i}.xml", f'{_XML}<comments xmlns="{NS_MAIN}"><authors><author>tiltak2xlsx</author>'
                                   f"</authors><commentList>{notes}</commentList></comments>")
        put(f"xl/drawings/vmlDrawing{i}.vml", _vml(sheet.comments, i))


def _vml(comments: Sequence[tuple[int, int, str]], block: int) -> str:
    """The legacy VML drawing of a sheet's notes: one hidden shape per note, anchored beside its cell
    (what Excel itself writes; without it Excel shows no note). `block` keeps shape ids unique per sheet."""
    shapes = []
    for n, (r, c, note) in enumerate(comments, 1):
        lines = max(2, min(12, sum(len(line) // 40 + 1 for line in note.split("\n"))))
        shapes.append(
            f'<v:shape id="_x0000_s{block * 1024 + n}" type="#_x0000_t202" style="position:absolute;'
            f'margin-left:80pt;margin-top:2pt;width:220pt;height:{lines * 13}pt;z-index:{n};visibility:hidden" '
            'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{c}, 15, {max(r - 2, 0)}, 2, {c + 3}, 15, {max(r - 2, 0) + lines}, 4</x:Anchor>"
            f"<x:AutoFill>False</x:AutoFill><x:Row>{r - 1}</x:Row><x:Column>{c - 1}</x:Column>"
            "</x:ClientData></v:shape>")
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
            '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
            '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
            + "".join(shapes) + "</xml>")


def _write_charts(put: Callable[[str, str], None], sheets: list[Sheet], drawn: list[int]) -> None:
    """Drawing and chart parts, with the relationships sheet → drawing → chart."""
    k = 0
    for d, i in enumerate(drawn, 1):
        charts = sheets[i - 1].charts
        put(f"xl/worksheets/_rels/sheet{i}.xml.rels", _sheet_rels(sheets[i - 1], i, d))
        put(f"xl/drawings/drawing{d}.xml", drawing([anchor for anchor, _ in charts]))
        rels = []
        for j, (_, xml) in enumerate(charts, 1):
            k += 1
            put(f"xl/charts/chart{k}.xml", xml)
            rels.append(f'<Relationship Id="rId{j}" Type="{NS_REL}/chart" Target="../charts/chart{k}.xml"/>')
        put(f"xl/drawings/_rels/drawing{d}.xml.rels",
            f'{_XML}<Relationships xmlns="{NS_PKG_REL}">{"".join(rels)}</Relationships>')


def _custom_xml(custom: dict[str, str]) -> str:
    return (
        f'{_XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        + "".join(f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name={quoteattr(k)}>'
                  f"<vt:lpwstr>{_t(v)}</vt:lpwstr></property>"
                  for pid, (k, v) in enumerate(custom.items(), start=2))
        + "</Properties>")


def stored_fingerprint(custom_xml: bytes) -> str | None:
    """The fingerprint a workbook's custom properties carry, or None (not ours, or not readable).

    Parsed as XML, since a program that saved the workbook again may have rewritten the part
    in its own way (attribute order, namespace declarations) and kept the property.
    """
    from xml.etree import ElementTree  # only when an existing output is checked

    try:
        root = ElementTree.fromstring(custom_xml)
    except ElementTree.ParseError:
        return None
    for prop in root:
        if prop.get("name") == FINGERPRINT and len(prop) and _STAMP.fullmatch(prop[0].text or ""):
            return prop[0].text
    return None


def _abs(ref: str) -> str:
    letters = "".join(ch for ch in ref if ch.isalpha())
    digits = ref[len(letters):]
    return f"${letters}${digits}"
