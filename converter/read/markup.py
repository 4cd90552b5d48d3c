"""The report family's markup, the same in every input format: headings, rules, <b>, links.

The family's text is markdown-ish whatever separates its cells: `#` headings, `---` rules (and a
markdown table's `|---|---|` under its header row), totals wrapped in `<b>…</b>` and, in notes,
markdown links. Only the table lines differ from format to format (see lexers).
"""

from __future__ import annotations

import re

HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_MD_RULE = re.compile(r"^\s*\|?(?:\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$")   # |---|---:| under a markdown header
BOLD = re.compile(r"</?(?:b|strong)>", re.IGNORECASE)
OPEN_BOLD = re.compile(r"<(?:b|strong)>", re.IGNORECASE)
CLOSE_BOLD = re.compile(r"</(?:b|strong)>", re.IGNORECASE)
_MD_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")


def is_furniture(line: str) -> bool:
    """A line that carries nothing: blank, a rule, or the rule under a markdown table's header."""
    return not line.strip() or bool(_RULE.match(line) or _MD_RULE.match(line))


def strip_bold(cell: str) -> tuple[str, bool]:
    """The cell without its <b>/<strong> tags, and whether it opened one."""
    if "<" not in cell:         # most cells: no tag, no regex (twice per cell of a big report)
        return cell, False
    bold = bool(OPEN_BOLD.search(cell))
    return BOLD.sub("", cell), bold


def unlink(text: str) -> str:
    """Markdown links as their text ("[nav.no](https://nav.no)" → "nav.no"), or their address if untitled."""
    return _MD_LINK.sub(lambda m: m.group(1) if m.group(1) else m.group(2), text)
