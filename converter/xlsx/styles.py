"""The cell formats a workbook asks of the template, as typed values: `Style`.

A Style says what a cell looks like in the template's terms: the named style it starts from
(`base`), and what is changed on it (decimals shown, a zero shown blank, the Avvik look, a
quote prefix, a symbol aligned as numbers, the date format, an extra fill). The compiled
template (template.py) registers one cell format per Style of `XF_STYLES` and keys its xf table
by them; the books look their cells' formats up with the same values. `named_style` is the one
place that maps a Style to the template's named style it is made from.
"""

from __future__ import annotations

from typing import NamedTuple

# The template's named styles: every template has these (template._compile checks it) …
REQUIRED_STYLES = ("Tittel", "Periode", "Seksjon", "Kolonnehode", "Tekst", "SumTekst", "Tall", "Sum",
                   "Prosent", "SumProsent", "Merknad", "Lenke", "Avvik")
NUMBER_STYLES = ("Tall", "Sum", "Prosent", "SumProsent")
TEXT_STYLES = ("Tittel", "Periode", "Seksjon", "Tekst", "SumTekst", "Merknad")
# … and this one is optional: a template without it gets a built-in look (see template._compile).
DERIVED_STYLE = "Avledet"              # a value not published but derived (tidsserie.xlsx)
MAX_DECIMALS = 3                       # decimals a number column can show ("12,5" → 1); more are shown as 3
_AVVIK = "Avvik"


class Style(NamedTuple):
    """One cell format: the template's named style `base`, changed as the other fields say.

    An immutable value, a NamedTuple rather than a frozen dataclass: the books look styles up in
    the xf table in their loops, and a tuple is hashed and compared in C (a dataclass's hash and
    equality are Python calls that build the tuple of its fields each time), and made cheaply.
    """

    base: str                    # a named style of the template (REQUIRED_STYLES, DERIVED_STYLE)
    decimals: int = 0            # a number style shown with this many decimals (1..MAX_DECIMALS)
    zero_blank: bool = False     # a number style whose zero is shown blank
    avvik: bool = False          # a number the checks contradict: the Avvik look, numbered as `base`
    quote_prefix: bool = False   # a text style's label that starts like a formula (kept a label on edit)
    symbol: bool = False         # a symbol (":", "..") in a number column: text, right-aligned as the numbers
    date: bool = False           # the date format (DATE_FORMAT), left-aligned among text facts
    fill: str = ""               # an extra solid fill (ARGB), added to the styles by the book that needs it

    def shown_with(self, decimals: int) -> Style:
        """This number style with `decimals` decimals (at most MAX_DECIMALS; 0: as it is)."""
        return self._replace(decimals=min(decimals, MAX_DECIMALS)) if decimals > 0 else self

    def quoted(self) -> Style:
        """This text style with a quote prefix (for a label that starts like a formula)."""
        return self._replace(quote_prefix=True)

    def as_avvik(self) -> Style:
        """This number style in the Avvik look (a published number its relation contradicts)."""
        return self._replace(avvik=True)

    def as_symbol(self) -> Style:
        """The style of a symbol in a column of this number style (whatever its decimals)."""
        return Style(self.base, symbol=True)


def named_style(style: Style) -> str:
    """The template's named style a Style's cell format is made from: an Avvik number starts from
    the Avvik style (numbered as its base), every other from its base."""
    return _AVVIK if style.avvik else style.base


# The named styles as Styles, for the books.
TITLE, PERIOD, SECTION, HEADER = Style("Tittel"), Style("Periode"), Style("Seksjon"), Style("Kolonnehode")
TEXT, SUM_TEXT, NOTE, LINK = Style("Tekst"), Style("SumTekst"), Style("Merknad"), Style("Lenke")
COUNT, SUM, PERCENT, SUM_PERCENT = Style("Tall"), Style("Sum"), Style("Prosent"), Style("SumProsent")
AVVIK = Style(_AVVIK)
DATE = Style("Tekst", date=True)
DERIVED = Style(DERIVED_STYLE)


def _compiled() -> tuple[Style, ...]:
    numbers = [Style(s) for s in NUMBER_STYLES]
    return (
        *(Style(s) for s in REQUIRED_STYLES),
        *(s._replace(zero_blank=True) for s in numbers),
        *(Style(s, quote_prefix=True) for s in TEXT_STYLES),
        *(s.as_symbol() for s in numbers),
        DATE,
        *(Style(s.base, decimals=d, zero_blank=z) for s in numbers for d in range(1, MAX_DECIMALS + 1)
          for z in (False, True)),
        *(s.shown_with(d).as_avvik() for s in numbers for d in range(MAX_DECIMALS + 1)),
        DERIVED,
    )


# Every cell format the compiled template has, in the order the compiler registers them (the
# order gives each its index in styles.xml, so it is part of the workbooks' bytes).
XF_STYLES: tuple[Style, ...] = _compiled()
