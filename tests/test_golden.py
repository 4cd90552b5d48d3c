"""Golden file: the sample's whole workbook, normalised (values, formulas, number formats, bold,
sheet names, merged facts), compared with tests/expected/. Any change to the output shows up
here as a readable diff; regenerate with TILTAK2XLSX_UPDATE_GOLDEN=1 after checking it is intended.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
from conftest import FYLKE, SAMPLE

from converter import convert_file

EXPECTED = Path(__file__).resolve().parent / "expected"
VOLATILE = {("Innhold", "B8")}          # the conversion time


def normalise(path: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(path)
    out: dict[str, list[list[object]]] = {}
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.font.b:
                    continue
                value = "<volatile>" if (ws.title, c.coordinate) in VOLATILE else c.value
                if isinstance(value, str) and value.startswith("tiltak2xlsx "):
                    value = "tiltak2xlsx <version>"
                rows.append([c.coordinate, value, c.number_format, bool(c.font.b)])
        out[ws.title] = rows
    return out


def check(source: Path, tmp_path: Path) -> None:
    book = tmp_path / (source.stem + ".xlsx")
    convert_file(source, book)
    got = normalise(book)
    golden = EXPECTED / (source.stem + ".json")
    if os.environ.get("TILTAK2XLSX_UPDATE_GOLDEN"):
        golden.write_text(json.dumps(got, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert list(got) == list(expected)
    for sheet in expected:
        assert got[sheet] == expected[sheet], sheet


def test_sample_golden(tmp_path):
    check(SAMPLE, tmp_path)


def test_fylke_golden(tmp_path):
    check(FYLKE, tmp_path)
