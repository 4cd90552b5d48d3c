"""Hand-made reports for tests: a page of a table, and what reconciling or parsing it gives.

Each report built with these is worked out by hand in its test's comment (the oracle), never by
the code under test.
"""

from __future__ import annotations

from converter import parse_text
from converter.rules.checks import reconcile_report

REPORT = "# Deltakere i arbeidsrettede tiltak. Tiltak. En måned\n\n"


def page(title: str, header: list[str], rows: list[list[str]], *, period: str = "Februar 2014",
         level: int = 2, section: str | None = None) -> str:
    """One page: report title, table title, period, optional section, header row, rows (bold: '*' first)."""
    lines = [f"{'#' * level} {title}", "", period, ""]
    if section:
        lines += [f"{'#' * level} {section}", ""]
    lines.append("\t" + "\t".join(header))
    for row in rows:
        if row[0].startswith("*"):
            lines.append("\t".join(f"<b>{c}</b>" if c else "" for c in [row[0][1:], *row[1:]]))
        else:
            lines.append("\t".join(row))
    return REPORT + "\n".join(lines) + "\n\n"


def failing(text: str) -> list[str]:
    result = reconcile_report(parse_text(text, "x.txt"))
    return [f"{c.table} / {c.row} / {c.column}: {c.published} vs {c.computed} ({c.kind.value})"
            for c in result.failures]


def shape(text: str) -> list[tuple[str, list[tuple[str | None, int]]]]:
    return [(t.title, [(s.heading, len(s.rows)) for s in t.sections]) for t in parse_text(text, "x.txt").tables]


HOVEDGRUPPER = page("Hovedgrupper", ["Antall"], [["*I alt", "10"], ["Arbeidssøkere på tiltak", "3"],
                                                   ["Nedsatt arbeidsevne, på tiltak", "7"]])
