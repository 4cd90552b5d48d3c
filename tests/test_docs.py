"""docs/render.py makes the README's pictures: run it and look at what it wrote."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MISSING = [tool for tool in ("soffice", "pdftoppm") if shutil.which(tool) is None]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    return struct.unpack(">II", data[16:24])


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(bool(MISSING), reason=f"{' and '.join(MISSING)} missing: apt-get install "
                    "libreoffice-calc-nogui poppler-utils to render the README's pictures")
def test_render_makes_the_readme_pictures(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "render.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = ["table.png", "avstemming.png", "avstemming-side1.png", "avstemming-side2.png", "tidsserie.png",
             "tidsserie-side.png"]
    assert proc.stdout.split() == [str(tmp_path / n) for n in names]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in names:
        width, height = png_size(tmp_path / name)
        assert 500 <= width <= 1600 and 300 <= height <= 800, (name, width, height)   # cropped, readable
        assert f"](docs/{name})" in readme
        assert (ROOT / "docs" / name).is_file()
