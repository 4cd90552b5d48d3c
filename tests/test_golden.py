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
from converter.books.layout import CONTENTS, contents_layout

EXPECTED = Path(__file__).resolve().parent / "expected"
# Facts of Innhold that change from run to run, by their name in the layout (not by address: a new
# fact above them must not turn the golden file's diff into noise).
VOLATILE = {"Konvertert": "<volatile>", "Laget med": "tiltak2xlsx <version>"}


def volatile_cells(result) -> dict[tuple[str, str], str]:
    """(sheet, address) → the placeholder, for the run-dependent facts of this workbook's Innhold."""
    layout = contents_layout(result.report, len(result.notes))
    return {(CONTENTS, layout.fact_cell(name)): shown for name, shown in VOLATILE.items()}


def normalise(path: Path, volatile: dict[tuple[str, str], str]) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(path)
    out: dict[str, list[list[object]]] = {}
    for ws in wb.worksheets:
        rows = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.font.b:
                    continue
                value = volatile.get((ws.title, c.coordinate), c.value)
                rows.append([c.coordinate, value, c.number_format, bool(c.font.b)])
        out[ws.title] = rows
    return out


def check(source: Path, tmp_path: Path) -> None:
    book = tmp_path / (source.stem + ".xlsx")
    result = convert_file(source, book)
    got = normalise(book, volatile_cells(result))
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


def test_volatile_facts_are_found_by_name_wherever_they_stand(tmp_path):
    # The layout puts "Konvertert" on row 8 of Innhold today; the golden file must follow the name.
    result = convert_file(SAMPLE, tmp_path / "s.xlsx")
    cells = volatile_cells(result)
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")[CONTENTS]
    for (_, address), shown in cells.items():
        label = ws[address].offset(column=-1).value
        assert VOLATILE[label] == shown
