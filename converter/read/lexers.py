"""One lexer per input format: which lines are table lines, and how a table line splits into cells.

The family's exports separate cells with tabs; other exports use ';' or ',' (CSV: quotes allowed)
or are markdown tables ('|'). A report is in one format, chosen once from its lines
(`choose_lexer`); the parser asks its lexer and never which format it reads. Everything else in
the text (headings, rules, <b>, links) is the same in every format (see markup).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Protocol

from ..model import SYMBOLS
from .markup import strip_bold
from .numbers import NUMBERISH


class Lexer(Protocol):
    """What the parser asks of an input format."""

    @property
    def name(self) -> str:
        """The format's name ("tab", "semicolon", "comma", "markdown")."""
        ...

    @property
    def separator(self) -> str:
        """The character between cells; a header row starts with it (its first cell is empty)."""
        ...

    def is_table_line(self, line: str) -> bool:
        """Whether `line` is a row of a table (a header or a data row), not a heading or prose."""
        ...

    def split(self, line: str) -> list[str]:
        """A table line's cells, the label first, as the format writes them (<b> tags kept)."""
        ...


class Tab:
    """The family's own exports: any line with a tab is a table line; cells are kept untrimmed."""

    name = "tab"
    separator = "\t"

    def is_table_line(self, line: str) -> bool:
        return "\t" in line

    def split(self, line: str) -> list[str]:
        return line.split("\t")


class Delimited:
    """CSV-like exports, by ';' or by ',': a field may be quoted ("Nedsatt arbeidsevne, på tiltak").

    Prose uses ';' and ',' too, so a line is a table line only when it starts with the separator
    (a header row), or when everything after its label is a number, a statistical symbol or
    empty, with at least one number.
    """

    def __init__(self, separator: str, name: str) -> None:
        self.separator = separator
        self.name = name

    def is_table_line(self, line: str) -> bool:
        sep = self.separator
        if sep not in line:
            return False
        if line.startswith(sep):
            return True
        cells = [strip_bold(c)[0].strip() for c in self.split(line)[1:]]
        # A statistical symbol stands where a number is suppressed (":") or missing (".."): beside
        # at least one number it is a row's cell, not prose (prose such as "Kilde; x" has no number).
        return any(NUMBERISH.fullmatch(c) for c in cells) and all(
            not c or NUMBERISH.fullmatch(c) or c in SYMBOLS for c in cells)

    def split(self, line: str) -> list[str]:
        try:
            return next(csv.reader([line], delimiter=self.separator))
        except (csv.Error, StopIteration):     # an unbalanced quote in a damaged line: split plainly
            return line.split(self.separator)

    def __repr__(self) -> str:
        return f"Delimited({self.separator!r}, {self.name!r})"


class Markdown:
    """Markdown tables: a table line starts with '|' (after indentation); cells are trimmed."""

    name = "markdown"
    separator = "|"

    def is_table_line(self, line: str) -> bool:
        return line.lstrip().startswith("|")

    def split(self, line: str) -> list[str]:
        return [c.strip() for c in line.strip().strip("|").split("|")]


TAB: Lexer = Tab()
SEMICOLON: Lexer = Delimited(";", "semicolon")
COMMA: Lexer = Delimited(",", "comma")
MARKDOWN: Lexer = Markdown()
LEXERS: tuple[Lexer, ...] = (TAB, SEMICOLON, COMMA, MARKDOWN)   # in the order they are tried


def choose_lexer(lines: Sequence[str]) -> Lexer:
    """The report's format: the first (in LEXERS' order) whose separator starts a line that holds
    it twice or more, the way a header row starts with its empty first cell. Tabs when none does:
    such a file has no table, which the parser reports."""
    for lexer in LEXERS:
        sep = lexer.separator
        if any(line.startswith(sep) and line.count(sep) >= 2 for line in lines):
            return lexer
    return TAB
