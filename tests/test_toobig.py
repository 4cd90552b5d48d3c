"""A report too big for Excel is refused from a cheap count, before its checks are built (issue 21):
in the time of its parse and without the gigabytes a million checks take, in --check too. The
count is exact for the checks within the tables, so it can never refuse a report that fits."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import FYLKE, SAMPLE
from familygen import SHAPES, generate

from converter import parse_bytes, parse_report
from converter.books.layout import MAX_ROWS
from converter.rules.checks import CheckKind, reconcile, table_check_count, unknown

CATEGORIES = 40


def _huge(groups: int) -> str:
    """One cross table: per group two detail rows and their bold total, 40 categories and I alt.
    Each group makes 3 row sums and 41 sums: 44 checks in about 570 bytes."""
    head = ["# Deltakere i arbeidsrettede tiltak. Stor. En måned", "", "Mars 2015", "", "## Kjempetabell", "",
            "\t" + "\t".join(["I alt", *(f"Kategori {k}" for k in range(CATEGORIES))])]
    detail = "\t".join([str(CATEGORIES), *["1"] * CATEGORIES])
    total = "\t".join([f"<b>{2 * CATEGORIES}</b>", *["<b>2</b>"] * CATEGORIES])
    lines = list(head)
    for g in range(groups):
        lines += [f"Rad {g} a\t{detail}", f"Rad {g} b\t{detail}", f"<b>Sum {g}</b>\t{total}"]
    return "\n".join(lines) + "\n"


def _within_tables(report) -> int:
    return sum(c.kind is not CheckKind.AGREE for c in reconcile(report))


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_count_is_the_checks_within_the_tables(shape):
    report = parse_bytes(generate(shape, 1).text.encode("utf-8"), f"{shape}.txt")
    assert table_check_count(report, [unknown(t) for t in report.tables]) == _within_tables(report)


@pytest.mark.parametrize("path", [SAMPLE, FYLKE])
def test_the_count_on_the_samples(path):
    report = parse_report(path)
    assert table_check_count(report, [unknown(t) for t in report.tables]) == _within_tables(report)


def test_the_count_on_a_small_huge_report():
    report = parse_bytes(_huge(3).encode(), "stor.txt")
    assert table_check_count(report, [unknown(t) for t in report.tables]) == len(reconcile(report)) == 3 * 44


# The peak of the probe's own memory: VmHWM belongs to the process image exec made (getrusage's
# ru_maxrss may count the forking parent's pages too: a pytest process of 200 MB, late in a run).
PROBE = """
import re, resource, sys
from converter.cli.app import main
sys.argv = ["tiltak2xlsx", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
try:
    with open("/proc/self/status") as f:
        peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", f.read()).group(1))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sys.stderr.write(f"peak {peak}\\n")
sys.exit(code)
"""


@pytest.mark.parametrize("check", [True, False])
def test_a_report_too_big_for_excel_is_refused_before_its_checks(tmp_path, check):
    groups = MAX_ROWS // 44 + 100                       # 1,052,656 checks: past Excel's rows
    src = tmp_path / "stor.txt"
    src.write_text(_huge(groups), encoding="utf-8")
    args = [str(src), "--check"] if check else [str(src), "-o", str(tmp_path / "stor.xlsx")]
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=600)
    lines = proc.stderr.splitlines()
    assert proc.returncode == 1, proc.stderr
    shown = f"{src}" if check else "stor.txt"
    assert lines[0] == (f"{shown}: too big for Excel: at least {groups * 44:,} checks need more rows than the "
                        f"Avstemming sheet can have ({MAX_ROWS:,}). Split the report into smaller ones.")
    peak_kib = int(lines[-1].split()[1])
    # Built the checks, this report took 1.8 GB (and 15 s); counted, it takes what its parse takes.
    assert peak_kib < 200 * 1024, f"peak {peak_kib / 1024:.0f} MiB"
    assert not (tmp_path / "stor.xlsx").exists()
