"""The reconciliation held to the whole family, not to the sample (issue 9, item 6).

Each shape of `familygen` is a consistent report of the family whose numbers come from the
generator's own population cube (never from converter code). For every shape:
- the consistent report parses to the published numbers and gives 0 failing checks;
- changing one checkable detail number (all of them in small shapes, a seeded sample of 15 in
  big ones) gives a new failing check that names its row or a total containing it.
The CLI (`python -m converter FILE --check`) is run on a few shapes: exit 0, and exit 3 after a change.

`python tests/family_stats.py -v` prints the same findings as counts per shape.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal

import pytest
from familygen import SHAPES, Generated, fmt, generate, names_any, new_failures, norm, round_half_away

from converter import parse_bytes, reconcile

SEED = 1
LIMIT = 15            # changes tried per big shape (a shape with at most 25 targets: all of them)
_cache: dict[str, Generated] = {}


def gen(shape: str) -> Generated:
    if shape not in _cache:
        _cache[shape] = generate(shape, SEED)
    return _cache[shape]


def describe(c) -> str:
    where = " / ".join(x for x in (c.table, c.section, c.row, c.column) if x)
    return f"{c.kind} {where}: published {c.published}, computed {c.computed} (line {c.line})"


# --------------------------------------------------------------------------- the oracle itself

@pytest.mark.parametrize(("num", "den", "decimals", "expected"), [
    (1250, 100, 0, 13), (-1250, 100, 0, -13), (1249, 100, 0, 12), (100 * 1, 8, 0, 13), (100 * -1, 8, 0, -13),
    (0, 5, 0, 0), (5, 0, 0, None), (100 * 1, 3, 1, Decimal("33.3")), (100 * 2, 3, 1, Decimal("66.7")),
    (100 * 1, 8, 1, Decimal("12.5")), (100 * 1, 16, 1, Decimal("6.3")), (-100, 16, 1, Decimal("-6.3")),
    (100 * 7, 7, 1, Decimal("100.0")), (100, 2000, 1, Decimal("0.1")), (100, 2001, 1, Decimal("0.0")),
    (-100, 2000, 1, Decimal("-0.1")),
])
def test_rounding_half_away_from_zero_exactly(num, den, decimals, expected):
    got = round_half_away(num, den, decimals)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(("value", "decimals", "minus", "text"), [
    (75412, 0, "-", "75 412"), (-1852, 0, "-", "-1 852"), (-3, 0, "\u2212", "\u22123"), (0, 0, "-", "0"),
    (None, 0, "-", ""), (Decimal("12.5"), 1, "-", "12,5"), (Decimal("100.0"), 1, "-", "100,0"),
    (Decimal("0.0"), 1, "-", "0,0"), (Decimal("-2.6"), 1, "-", "-2,6"), (1234567, 0, "-", "1 234 567"),
])
def test_format_of_the_family(value, decimals, minus, text):
    assert fmt(value, decimals, minus) == text


def test_at_least_22_shapes():
    assert len(SHAPES) >= 22


@pytest.mark.parametrize("shape", SHAPES)
def test_generator_is_deterministic_and_mostly_checkable(shape):
    g = gen(shape)
    assert generate(shape, SEED).text == g.text
    numbers = [c for c in g.cells if c.target and c.value is not None and c.measure != "rate"]
    targets = g.targets()
    assert len(targets) >= 0.8 * len(numbers) > 0, f"{len(targets)} of {len(numbers)} detail numbers checkable"
    assert all(g.cells[i].checkable for i in targets)
    # every cell is where the oracle says, printed as the family prints it
    for c in g.cells:
        field = g.lines[c.line].split("\t")[c.field]
        shown = field.removeprefix("<b>").removesuffix("</b>")
        assert shown == (c.mark or fmt(c.value, c.decimals, c.minus)), (c, field)
        assert (field != shown) == (c.bold and bool(shown))


@pytest.mark.parametrize("shape", SHAPES)
def test_every_sampled_change_breaks_a_relation_of_the_oracle(shape):
    g = gen(shape)
    rng = random.Random(f"mutate:{shape}:{SEED}")
    for i in g.sample(rng, LIMIT):
        m = g.mutation(i, rng)
        cell = g.cells[i]
        assert m.new != m.old and m.broken
        assert type(m.new) is type(m.old)
        assert m.text != g.text and m.text.count("\n") == g.text.count("\n")
        assert cell.loc in m.expected


def test_rates_and_symbols_are_never_checkable():
    for shape in ("rate_column", "rate_and_change", "symbols"):
        g = gen(shape)
        assert not [c for c in g.cells if c.checkable and (c.measure == "rate" or c.mark)]
    g = gen("symbols")
    assert {c.mark for c in g.cells} >= {":", "..", "-"}
    assert any(i in g.unknown and not g.cells[i].mark for i in range(len(g.cells)))   # totals over a symbol


def test_oracle_does_not_use_the_converter():
    from pathlib import Path

    import familygen

    source = Path(familygen.__file__).read_text(encoding="utf-8")
    assert "import converter" not in source and "from converter" not in source


# --------------------------------------------------------------------------- the library on the family

def _parse(data: bytes, shape: str):
    return parse_bytes(data, f"{shape}.txt")


def _number(value, decimals: int):
    """A parsed value as a Decimal (the model may hold Decimal, or an int scaled by the decimals)."""
    if value is None:
        return None
    if decimals and isinstance(value, int):
        return Decimal(value).scaleb(-decimals)
    return Decimal(str(value))


@pytest.mark.parametrize("shape", SHAPES)
def test_parsed_numbers_are_the_published_ones(shape):
    """Every number cell reads back at its (table, section, row, column), exactly (decimals included)."""
    g = gen(shape)
    report = _parse(g.data, shape)
    parsed = defaultdict(list)
    for table in report.tables:
        for section in table.sections:
            for row in section.rows:
                for c, col in enumerate(table.columns):
                    key = (norm(table.title), norm(section.heading), norm(row.label), norm(col.header))
                    parsed[key].append((row.values[c], row.mark(c)))
    expected = defaultdict(list)
    primary = set(range(len(g.cells))) - {r.result for r in g.relations if r.kind == "repeat"}
    for i in sorted(primary):
        c = g.cells[i]
        expected[(norm(c.table), norm(c.section), norm(c.row), norm(c.column))].append(
            (c.value, c.mark, c.decimals))
    wrong = []
    for key, cells in expected.items():
        decimals = cells[0][2]
        got_values = [(_number(v, decimals), m) for v, m in parsed.get(key, [])]
        want = [(_number(v, decimals), m) for v, m, _ in cells]
        if got_values != want:
            wrong.append(f"{' / '.join(key)}: published {want}, parsed {got_values}")
    assert not wrong, f"{len(wrong)} places differ, e.g.\n" + "\n".join(wrong[:8])


@pytest.mark.parametrize("shape", SHAPES)
def test_consistent_report_has_no_avvik(shape):
    g = gen(shape)
    failing = [c for c in reconcile(_parse(g.data, shape)) if not c.holds]
    assert not failing, f"{len(failing)} false AVVIK, e.g.\n" + "\n".join(describe(c) for c in failing[:8])


@pytest.mark.parametrize("shape", SHAPES)
def test_every_changed_number_is_named(shape):
    """A changed detail number gives a new AVVIK naming its row or a total that contains it."""
    g = gen(shape)
    before = reconcile(_parse(g.data, shape))
    rng = random.Random(f"mutate:{shape}:{SEED}")
    missed = []
    tried = 0
    for i in g.sample(rng, LIMIT):
        m = g.mutation(i, rng)
        tried += 1
        cell = g.cells[i]
        what = f"{' / '.join(x for x in cell.loc if x)} / {cell.column}: {m.old} → {m.new}"
        try:
            after = reconcile(_parse(m.data, shape))
        except Exception as exc:   # a changed number must not stop the run
            missed.append(f"{what}: {exc}")
            continue
        fresh = new_failures(before, after)
        if not names_any(fresh, m.expected):
            missed.append(f"{what}: {len(fresh)} new AVVIK" + (f", e.g. {describe(fresh[0])}" if fresh else ""))
    assert not missed, f"{len(missed)} of {tried} changes not named:\n" + "\n".join(missed[:8])


# --------------------------------------------------------------------------- the CLI on a few shapes

def _cli(tmp_path, name: str, data: bytes) -> subprocess.CompletedProcess:
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)
    return subprocess.run([sys.executable, "-m", "converter", str(path), "--check"], capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["sample_like", "county_tables", "share_column", "year_columns", "herav"])
def test_cli_check_exits_0_on_a_consistent_report(tmp_path, shape):
    done = _cli(tmp_path, shape, gen(shape).data)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 AVVIK" in done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["sample_like", "share_column", "two_level_subtotals"])
def test_cli_check_exits_3_on_a_changed_number(tmp_path, shape):
    g = gen(shape)
    rng = random.Random(f"cli:{shape}:{SEED}")
    i = rng.choice(g.targets())
    m = g.mutation(i, rng)
    done = _cli(tmp_path, shape, m.data)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "AVVIK" in done.stdout
