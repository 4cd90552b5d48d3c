"""Build templates/tiltak.xlsx, the default house style of tiltak2xlsx.

Run `python templates/make_template.py` after changing the style here; or open tiltak.xlsx in
Excel or LibreOffice, change the named styles (Home › Cell Styles / Styles sidebar) and the
widths on the sheet "Mal", and save: the next conversion follows. See docs/workbook.md, "The template (house style)".

The contract (checked by converter/template.py):
- named styles Tittel, Periode, Seksjon, Kolonnehode, Tekst, SumTekst, Tall, Sum, Prosent,
  SumProsent, Merknad, Lenke, Avvik (the font and fill that mark AVVIK on "Avstemming");
- optionally the named style Avledet (a value derived, not published, in tidsserie.xlsx; without
  it the number style Tall in grey italics is used);
- optionally a sheet "Mal": width of column A = the least width of label columns, width of
  column B = the width of number columns; its page setup (orientation, paper size, margins)
  is used for every sheet.
The template's theme (fonts, colours) is carried over as well.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side

NAVY = "1F3864"
GREY = "F2F2F2"
thin = Side(style="thin", color="A6A6A6")


def styles() -> list[NamedStyle]:
    base = "Calibri"
    return [
        NamedStyle("Tittel", font=Font(name=base, size=14, bold=True, color=NAVY)),
        NamedStyle("Periode", font=Font(name=base, size=11, italic=True, color="404040")),
        NamedStyle("Seksjon", font=Font(name=base, size=11, bold=True, color=NAVY),
                   border=Border(bottom=thin)),
        NamedStyle("Kolonnehode", font=Font(name=base, size=10, bold=True, color="FFFFFF"),
                   fill=PatternFill("solid", fgColor=NAVY),
                   alignment=Alignment(horizontal="center", vertical="center", wrap_text=True)),
        NamedStyle("Tekst", font=Font(name=base, size=11), alignment=Alignment(indent=1, vertical="top")),
        NamedStyle("SumTekst", font=Font(name=base, size=11, bold=True), fill=PatternFill("solid", fgColor=GREY),
                   border=Border(top=thin)),
        NamedStyle("Tall", font=Font(name=base, size=11), number_format="#,##0"),
        NamedStyle("Sum", font=Font(name=base, size=11, bold=True), number_format="#,##0",
                   fill=PatternFill("solid", fgColor=GREY), border=Border(top=thin)),
        NamedStyle("Prosent", font=Font(name=base, size=11), number_format="0"),
        NamedStyle("SumProsent", font=Font(name=base, size=11, bold=True), number_format="0",
                   fill=PatternFill("solid", fgColor=GREY), border=Border(top=thin)),
        NamedStyle("Merknad", font=Font(name=base, size=10, italic=True, color="595959"),
                   alignment=Alignment(wrap_text=True, vertical="top")),
        NamedStyle("Lenke", font=Font(name=base, size=11, color="0563C1", underline="single")),
        NamedStyle("Avledet", font=Font(name=base, size=11, italic=True, color="7F6000"), number_format="#,##0",
                   fill=PatternFill("solid", fgColor="FFF2CC")),
        NamedStyle("Avvik", font=Font(name=base, size=11, bold=True, color="9C0006"),
                   fill=PatternFill("solid", fgColor="FFC7CE")),
    ]


def build(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Mal"
    for style in styles():
        wb.add_named_style(style)
    ws["A1"] = "Mal for tiltak2xlsx"
    ws["A1"].style = "Tittel"
    ws["A2"] = "Endre de navngitte stilene og kolonnebreddene her; neste konvertering følger dem."
    ws["A2"].style = "Merknad"
    examples = [("Tittel", "Tittel"), ("Periode", "Februar 2014"), ("Seksjon", "Seksjon"),
                ("Kolonnehode", "Antall"), ("Tekst", "Detaljrad"), ("SumTekst", "I alt"), ("Tall", 75412),
                ("Sum", 75412), ("Prosent", -2), ("SumProsent", -2), ("Merknad", "Merknad"),
                ("Lenke", "Lenke"), ("Avledet", 75000), ("Avvik", "AVVIK")]
    for i, (name, value) in enumerate(examples, start=4):
        ws.cell(i, 1, name)
        ws.cell(i, 2, value).style = name
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 14
    ws.page_setup.orientation = "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.properties.creator = "tiltak2xlsx template"
    wb.properties.title = "tiltak2xlsx mal"
    wb.save(path)


if __name__ == "__main__":
    import sys

    build(Path(__file__).resolve().parent / "tiltak.xlsx")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from converter.xlsx.template import build_compiled  # the shipped compiled form follows the template

    build_compiled(Path(__file__).resolve().parent / "tiltak.xlsx")
