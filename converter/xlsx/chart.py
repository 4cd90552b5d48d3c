"""A DrawingML line chart (xl/charts/chartN.xml) with cached values. Pure: strings in, XML out.

What Excel needs and openpyxl 3.1 does not write by default: `<c:delete val="0"/>` on both axes
(without it Excel hides them), categories as text (`strRef` to the month header cells, so
"2013-01" is a label and not a number), and `<c:smooth val="0"/>` (a smoothed line invents
values between months). Every reference carries its cached values, so a viewer that does not
recalculate draws the same chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CAT_AX, _VAL_AX = 500000001, 500000002


def _t(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True, slots=True)
class ChartSeries:
    name: str                           # shown in the legend
    name_ref: str                       # the cell holding the name: 'Sheet'!$A$5
    values_ref: str                     # 'Sheet'!$C$5:$Z$5
    values: Sequence[float | int | None]   # cached; None is a gap


def _rich(text: str, size: int, bold: bool) -> str:
    return (f'<c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr><a:defRPr sz="{size}" b="{int(bold)}"/></a:pPr>'
            f'<a:r><a:rPr lang="nb-NO" sz="{size}" b="{int(bold)}"/><a:t>{_t(text)}</a:t></a:r></a:p></c:rich></c:tx>')


def _str_cache(values: Sequence[str]) -> str:
    pts = "".join(f'<c:pt idx="{i}"><c:v>{_t(v)}</c:v></c:pt>' for i, v in enumerate(values))
    return f'<c:strCache><c:ptCount val="{len(values)}"/>{pts}</c:strCache>'


def _num_cache(values: Sequence[float | int | None], fmt: str) -> str:
    pts = "".join(f'<c:pt idx="{i}"><c:v>{v}</c:v></c:pt>' for i, v in enumerate(values) if v is not None)
    return f'<c:numCache><c:formatCode>{_t(fmt)}</c:formatCode><c:ptCount val="{len(values)}"/>{pts}</c:numCache>'


def line_chart(title: str, series: Sequence[ChartSeries], categories_ref: str, categories: Sequence[str],
               value_title: str = "", number_format: str = "#,##0") -> str:
    """The chart part's XML: straight lines, no markers, visible axes, months as text categories."""
    cats = f"<c:cat><c:strRef><c:f>{_t(categories_ref)}</c:f>{_str_cache(categories)}</c:strRef></c:cat>"
    sers = []
    for i, s in enumerate(series):
        sers.append(
            f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/>'
            f"<c:tx><c:strRef><c:f>{_t(s.name_ref)}</c:f>{_str_cache([s.name])}</c:strRef></c:tx>"
            '<c:spPr><a:ln w="19050" cap="rnd"><a:round/></a:ln></c:spPr>'
            '<c:marker><c:symbol val="none"/></c:marker>'
            f"{cats}"
            f"<c:val><c:numRef><c:f>{_t(s.values_ref)}</c:f>{_num_cache(s.values, number_format)}</c:numRef></c:val>"
            '<c:smooth val="0"/></c:ser>')
    # Label every k-th month so a long archive stays readable (k = 1 up to 24 months, then yearly steps).
    skip = 1 if len(categories) <= 24 else 12 * max(1, len(categories) // 240)
    value_axis_title = (f'<c:title>{_rich(value_title, 1000, False)}<c:overlay val="0"/></c:title>'
                        if value_title else "")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{NS_C}" xmlns:a="{NS_A}" xmlns:r="{NS_R}">'
        '<c:date1904 val="0"/><c:lang val="nb-NO"/><c:roundedCorners val="0"/>'
        f'<c:chart><c:title>{_rich(title, 1200, True)}<c:overlay val="0"/></c:title>'
        '<c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        '<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
        + "".join(sers)
        + f'<c:marker val="1"/><c:axId val="{_CAT_AX}"/><c:axId val="{_VAL_AX}"/></c:lineChart>'
        # No <c:numFmt> on the category axis: the categories are text (strRef), which a number
        # format does not change, so Excel draws the same labels without it (XlsxWriter leaves it
        # out for text categories too). The text format "@" there made Gnumeric print ~100
        # "Pango-CRITICAL" messages on a tidsserie.xlsx (LibreOffice draws the same either way).
        f'<c:catAx><c:axId val="{_CAT_AX}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        '<c:delete val="0"/><c:axPos val="b"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="low"/>'
        f'<c:crossAx val="{_VAL_AX}"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        f'<c:lblOffset val="100"/><c:tickLblSkip val="{skip}"/><c:tickMarkSkip val="{skip}"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="{_VAL_AX}"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        '<c:delete val="0"/><c:axPos val="l"/><c:majorGridlines/>'
        f'{value_axis_title}<c:numFmt formatCode="{_t(number_format)}" sourceLinked="0"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="{_CAT_AX}"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx>'
        '</c:plotArea><c:legend><c:legendPos val="r"/><c:overlay val="0"/></c:legend>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>')


def drawing(anchors: Sequence[tuple[int, int, int, int]]) -> str:
    """xl/drawings/drawingN.xml: one chart frame per anchor (first col, first row, last col, last row; 0-based).

    The frame of anchor i refers to the drawing's relationship rId{i+1}.
    """
    frames = []
    for i, (c0, r0, c1, r1) in enumerate(anchors, start=1):
        frames.append(
            '<xdr:twoCellAnchor editAs="oneCell">'
            f"<xdr:from><xdr:col>{c0}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{r0}</xdr:row>"
            "<xdr:rowOff>0</xdr:rowOff></xdr:from>"
            f"<xdr:to><xdr:col>{c1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{r1}</xdr:row>"
            "<xdr:rowOff>0</xdr:rowOff></xdr:to>"
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{i + 1}" name="Diagram {i}"/>'
            "<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
            '<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>'
            f'<a:graphic><a:graphicData uri="{NS_C}"><c:chart xmlns:c="{NS_C}" r:id="rId{i}"/>'
            "</a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:twoCellAnchor>")
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
            f'xmlns:a="{NS_A}" xmlns:r="{NS_R}">' + "".join(frames) + "</xdr:wsDr>")
