"""The docs: README.md stays a short manual, every link in it and in docs/ leads to a file of the
repository, nothing points outside the repository, and docs/render.py makes the pictures they show."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MISSING = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PICTURES = ["table.png", "avstemming.png", "avstemming-side1.png", "avstemming-side2.png", "tidsserie.png",
            "tidsserie-side.png"]
README_LINES = 160            # the manual; the rest belongs in docs/

# [text](target) and ![alt](target); a target has no spaces (an optional "title" may follow).
_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)
_CODE = re.compile(r"`[^`\n]*`")
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)      # https:, mailto: …


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


def links(page: Path) -> list[str]:
    """The link targets of a Markdown page, outside code (a link in a code block is text)."""
    text = _CODE.sub("", _FENCE.sub("", page.read_text(encoding="utf-8")))
    return _LINK.findall(text)


def anchors(page: Path) -> set[str]:
    """The anchors of a page's headings, as GitHub makes them (lower case, punctuation dropped,
    spaces as hyphens; letters such as å and ø kept)."""
    found = set()
    for line in _FENCE.sub("", page.read_text(encoding="utf-8")).splitlines():
        if m := re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line):
            title = m.group(1).lower()
            kept = "".join(ch for ch in title if ch in " -_" or unicodedata.category(ch)[0] in "LN")
            found.add(kept.replace(" ", "-"))
    return found


def test_links_finds_targets_outside_code(tmp_path):
    page = tmp_path / "p.md"
    page.write_text("[a](docs/a.md) ![b](b.png \"B\") `[c](c.md)` [d](https://x.org) [e](#top)\n"
                    "```\n[f](f.md)\n```\n# Top: the åpning\n", encoding="utf-8")
    assert links(page) == ["docs/a.md", "b.png", "https://x.org", "#top"]
    assert anchors(page) == {"top-the-åpning"}


def test_readme_is_short():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_LINES, f"README.md has {len(lines)} lines: move the detail into docs/"


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
def test_every_relative_link_resolves(page):
    broken = []
    for target in links(page):
        if _EXTERNAL.match(target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        missing = not resolved.is_file() or not resolved.is_relative_to(ROOT)
        if missing or (anchor and resolved.suffix == ".md" and anchor not in anchors(resolved)):
            broken.append(target)
    assert broken == [], f"{page.name}: links to no file (or heading) of the repository"


def test_nothing_points_outside_the_repository():
    pages = [*PAGES, ROOT / "CHANGELOG.md", *sorted((ROOT / "bench").glob("*.md"))]
    outside = re.compile(r"\.\./shared|\.library|excel-pitfalls")
    hits = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}" for p in pages
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1) if outside.search(line)]
    assert hits == [], "state the fact, or cite a public source (ECMA-376, Excel specifications and limits)"


def test_every_picture_is_shown():
    shown = {(page.parent / target).resolve() for page in PAGES for target in links(page)}
    missing = [name for name in PICTURES if (ROOT / "docs" / name).resolve() not in shown]
    assert missing == []
    assert {p.name for p in (ROOT / "docs").glob("*.png")} == set(PICTURES), "docs/render.py makes these"


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(bool(MISSING), reason=f"{' and '.join(MISSING)} missing: apt-get install "
                    "libreoffice-calc-nogui poppler-utils to render the docs' pictures")
def test_render_makes_the_pictures(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "render.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(tmp_path / n) for n in PICTURES]
    for name in PICTURES:
        width, height = png_size(tmp_path / name)
        assert 500 <= width <= 1600 and 300 <= height <= 800, (name, width, height)   # cropped, readable
        assert (ROOT / "docs" / name).is_file()


def test_the_architecture_page_names_every_module_in_its_stage():
    # docs/architecture.md's module map must follow the code: a new or moved module shows here.
    import ast

    from converter import STAGES

    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (bottom|`\w+/`|) *\| `(\w+)` \|", text, flags=re.M)
    stage, mapped = "", set()
    for named, module in rows:
        stage = named.strip("`/") if named else stage
        mapped.add(module if stage == "bottom" else f"{stage}.{module}")
    package = ROOT / "converter"
    modules = {".".join(p.relative_to(package).with_suffix("").parts) for p in package.rglob("*.py")
               if p.name not in ("__init__.py", "__main__.py") and "templates" not in p.parts}
    assert {m.split(".")[0] for m in modules if "." in m} == set(STAGES)
    assert mapped == modules
    for module in modules:          # and each has the docstring the map's line summarises
        path = package.joinpath(*module.split(".")).with_suffix(".py")
        assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), module
