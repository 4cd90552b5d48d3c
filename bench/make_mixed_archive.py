#!/usr/bin/env python3
"""Make an archive that looks like a real one: several kinds of report a month, and their oracle.

What it makes (newest month first from --start, --months months):
    tiltak/YYYY/tiltak-YYYY-MM.txt              "Tiltak. En måned": the national report of
                                                make_archive.py (five tables, count and change columns)
    fylke/YYYY/fylke-YYYY-MM-<county>.txt       "Tiltak og fylke. En måned. <County>", one per county:
                                                a "Hovedgrupper" table with year columns ("Februar 2014",
                                                "Februar 2013": last year's figure published outright)
                                                and "Endring fra i fjor Antall"
    kjonn/YYYY/kjonn-YYYY-MM.txt                "Tiltak og kjønn. En måned": a "Kjønn" table (I alt,
                                                Menn, Kvinner; Antall, Endring fra i fjor Antall)
    tidsserie/tidsserie-YYYY.txt                (--extras) "Hovedgrupper. Tidsserie måned" for every
                                                whole calendar year: period "Januar - desember YYYY",
                                                one column per month, the national Hovedgrupper counts
    snitt/snitt-YYYY.txt                        (--extras) "Tiltak. Årsgjennomsnitt": each hovedgruppe's
                                                yearly average (rounded half up), "I alt" their sum
And, to test the time series:
    --gap YYYY-MM       the national report of that month is left out (the time-series report and
                        next year's report still publish or imply its figures)
    --county-gap YYYY-MM  the first county's report of that month is left out (next year's year
                        column publishes its figures)
    --duplicate YYYY-MM  a second, newer "Tiltak og kjønn" report of that month with corrected
                        numbers (Menn + 7): the newer must win

How consistency is guaranteed: every number comes from one simulated figure per (series, month),
printed wherever it appears (a county's last-year column is the same figure as that county's report
a year earlier; a time-series column is the national report's count), so an archive has no
revisions unless one is planted. Totals are exact sums.

The oracle (`write_mixed_archive`'s return value) lists every figure the archive publishes: per
(frequency, period, table, row, measure), its value (None for a blank) and whether it is published
by the period's own report ("own") or only by a report of another period ("republished"); and the
reports written per kind. It is computed here from the simulation, never from tiltak2xlsx. The
table names follow the documented rule: a county report's table is "Hovedgrupper – <County>".

Standard library only; deterministic for a given --seed.

    python bench/make_mixed_archive.py --months 200 --out /tmp/mixed --counties 1
    python bench/make_mixed_archive.py --months 30 --out /tmp/mixed --counties 3 --extras \\
        --gap 2013-03 --county-gap 2013-05 --duplicate 2013-08
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_archive import (
    HOVEDGRUPPER,
    MONTHS,
    NOTE,
    Figures,
    Walk,
    fmt_count,
    fmt_number,
    month_back,
    percent,
    render_report,
)

STATISTIC = "Deltakere i arbeidsrettede tiltak"
COUNTIES = ("Møre og Romsdal", "Østfold", "Finnmark", "Oslo", "Troms", "Nordland", "Rogaland", "Hordaland")
KIND_NATIONAL = "Tiltak. En måned"
KIND_COUNTY = "Tiltak og fylke. En måned"
KIND_GENDER = "Tiltak og kjønn. En måned"
KIND_SERIES = "Hovedgrupper. Tidsserie måned"
KIND_AVERAGE = "Tiltak. Årsgjennomsnitt"
GENDERS = ("Menn", "Kvinner")
DUPLICATE_CORRECTION = 7

Key = tuple[str, str, str, str, str]      # (frequency, period, table, row, measure)


@dataclass
class Oracle:
    figures: dict[Key, tuple[int | None, str]] = field(default_factory=dict)   # → (value, "own"/"republished")
    kinds: dict[str, int] = field(default_factory=dict)                        # reports written per kind
    paths: list[Path] = field(default_factory=list)
    duplicates: int = 0

    def own(self, key: Key, value: int | None) -> None:
        self.figures[key] = (value, "own")

    def republished(self, key: Key, value: int | None) -> None:
        if key not in self.figures:
            self.figures[key] = (value, "republished")
        elif self.figures[key][0] != value:           # a generated archive is consistent
            raise AssertionError(f"{key}: {self.figures[key][0]} and {value}")


class SmallWalk:
    """A few counts that wander month by month, newest first (counts(i): i months before the newest)."""

    def __init__(self, rng: random.Random, typical: Sequence[int]) -> None:
        self.rng = rng
        self.level = [float(t) for t in typical]
        self.typical = list(typical)
        self.months: list[list[int]] = []

    def counts(self, i: int) -> list[int]:
        while len(self.months) <= i:
            out = []
            for c, t in enumerate(self.typical):
                self.level[c] *= 1 + self.rng.gauss(0, 0.04) + 0.05 * (t / self.level[c] - 1)
                out.append(max(0, round(self.level[c])))
            self.months.append(out)
        return self.months[i]


def period_text(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} {year}"


def key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def slug(text: str) -> str:
    table = str.maketrans({"ø": "o", "å": "a", "æ": "ae", "Ø": "o", "Å": "a", "Æ": "ae", " ": "-"})
    return text.translate(table).lower()


def page(title: str, table: str, period: str, header: Sequence[str],
         rows: Sequence[tuple[str, list[str], bool]]) -> str:
    """One report of one table in the layout of the sample (intro page, then the table's page)."""
    def render(label: str, cells: list[str], bold: bool) -> str:
        if not bold:
            return "\t".join([label, *cells])
        return "\t".join(f"<b>{c}</b>" if c else "" for c in [label, *cells])

    intro = "\n".join([f"## {title}", "", "### Om tabellene", "", "---", "", period, "", NOTE])
    body = "\n".join([f"# {title}", "", f"## {table}", "", period, "", "\t" + "\t".join(header),
                      *(render(*r) for r in rows)])
    return "\n" * 4 + intro + "\n\n\n\n" + body + "\n"


def write(path: Path, text: str, oracle: Oracle, kind: str, mtime: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    os.utime(path, (mtime, mtime))
    oracle.paths.append(path)
    oracle.kinds[kind] = oracle.kinds.get(kind, 0) + 1


def write_mixed_archive(out: Path, months: int, seed: int = 1, start: tuple[int, int] = (2014, 2),
                        counties: int = 3, extras: bool = False, gap: str | None = None,
                        county_gap: str | None = None, duplicate: str | None = None) -> Oracle:
    """Write the archive (see the module's docstring) and return its oracle."""
    out = Path(out)
    rng = random.Random(seed)
    walk = Walk(rng, 1)
    national: dict[int, Figures] = {}
    county_walks = [SmallWalk(random.Random(seed * 31 + c), [300 + 50 * c, 700 + 90 * c, 40 + c])
                    for c in range(counties)]
    gender = SmallWalk(random.Random(seed * 97 + 5), [38000, 37000])
    oracle = Oracle()
    base = 1_600_000_000.0
    for i in range(months):
        national[i] = Figures.from_leaves(walk.counts(i), 1)
        national[i + 12] = Figures.from_leaves(walk.counts(i + 12), 1)
    for i in range(months):
        year, month = month_back(*start, i)
        period, text = key(year, month), period_text(year, month)
        before_year, before_month = month_back(year, month, 12)
        mtime = base - i * 86400.0
        now, before = national[i], national[i + 12]
        # the national report
        if period != gap:
            write(out / "tiltak" / str(year) / f"tiltak-{period}.txt", render_report(year, month, now, before),
                  oracle, KIND_NATIONAL, mtime)
            rows = [("I alt", now.total, before.total)] + [(h, now.hoved[n], before.hoved[n])
                                                            for n, h in enumerate(HOVEDGRUPPER)]
            for label, a, b in rows:
                oracle.own(("month", period, "Hovedgrupper", label, "count"), a or None)
                if a or b:
                    oracle.own(("month", period, "Hovedgrupper", label, "change"), a - b)
                pct = percent(a - b, b)
                if pct is not None:
                    oracle.own(("month", period, "Hovedgrupper", label, "change%"), pct)
        # one report per county, with year columns
        for c, cw in enumerate(county_walks):
            county = COUNTIES[c]
            if c == 0 and period == county_gap:
                continue
            a, b = cw.counts(i), cw.counts(i + 12)
            rows_c = [("I alt", sum(a), sum(b), True)] + [(h, a[n], b[n], False) for n, h in enumerate(HOVEDGRUPPER)]
            header = [text, period_text(before_year, before_month), "Endring fra i fjor Antall"]
            body = [(label, [fmt_count(x), fmt_count(y), fmt_number(x - y) if x or y else ""], bold)
                    for label, x, y, bold in rows_c]
            write(out / "fylke" / str(year) / f"fylke-{period}-{slug(county)}.txt",
                  page(f"{STATISTIC}. {KIND_COUNTY}. {county}", "Hovedgrupper", text, header, body),
                  oracle, KIND_COUNTY, mtime)
            table = f"Hovedgrupper – {county}"
            for label, x, y, _ in rows_c:
                oracle.own(("month", period, table, label, "count"), x or None)
                if x or y:
                    oracle.own(("month", period, table, label, "change"), x - y)
            for label, _x, y, _ in rows_c:
                oracle.republished(("month", key(before_year, before_month), table, label, "count"), y or None)
        # the gender report (and its corrected duplicate)
        versions = [(0, f"kjonn-{period}.txt", mtime)]
        if period == duplicate:
            versions.append((DUPLICATE_CORRECTION, f"kjonn-{period}-rettet.txt", mtime + 3600.0))
            oracle.duplicates += 1
        for extra, name, stamp in versions:
            a, b = list(gender.counts(i)), gender.counts(i + 12)
            a[0] += extra
            rows_g = [("I alt", sum(a), sum(b), True)] + [(g, a[n], b[n], False) for n, g in enumerate(GENDERS)]
            body = [(label, [fmt_count(x), fmt_number(x - y)], bold) for label, x, y, bold in rows_g]
            write(out / "kjonn" / str(year) / name,
                  page(f"{STATISTIC}. {KIND_GENDER}", "Kjønn", text, ["Antall", "Endring fra i fjor Antall"], body),
                  oracle, KIND_GENDER, stamp)
            for label, x, y, _ in rows_g:            # the newer (last written) wins
                oracle.own(("month", period, "Kjønn", label, "count"), x or None)
                oracle.own(("month", period, "Kjønn", label, "change"), x - y)
    if extras:
        newest = start[0] * 12 + start[1] - 1
        oldest = newest - months + 1
        for year in range(start[0], 1900, -1):
            first, last = year * 12, year * 12 + 11
            if first < oldest:
                break
            if last > newest:
                continue
            figures = [national[newest - m] for m in range(first, last + 1)]
            header = [period_text(year, m) for m in range(1, 13)]
            rows_t = [("I alt", [f.total for f in figures], True)] + [
                (h, [f.hoved[n] for f in figures], False) for n, h in enumerate(HOVEDGRUPPER)]
            body = [(label, [fmt_count(v) for v in values], bold) for label, values, bold in rows_t]
            stamp = base - (newest - last) * 86400.0 + 600.0
            write(out / "tidsserie" / f"tidsserie-{year}.txt",
                  page(f"{STATISTIC}. {KIND_SERIES}", "Hovedgrupper", f"Januar - desember {year}", header, body),
                  oracle, KIND_SERIES, stamp)
            for label, values, _ in rows_t:
                for m, v in enumerate(values, start=1):
                    oracle.republished(("month", key(year, m), "Hovedgrupper", label, "count"), v or None)
            averages = [(2 * sum(f.hoved[n] for f in figures) + 12) // 24 for n in range(len(HOVEDGRUPPER))]
            rows_a = [("I alt", sum(averages), True)] + [(h, v, False) for h, v in zip(HOVEDGRUPPER, averages,
                                                                                       strict=True)]
            write(out / "snitt" / f"snitt-{year}.txt",
                  page(f"{STATISTIC}. {KIND_AVERAGE}", "Hovedgrupper", f"Årsgjennomsnitt {year}", ["Antall"],
                       [(label, [fmt_count(v)], bold) for label, v, bold in rows_a]),
                  oracle, KIND_AVERAGE, stamp)
            for label, v, _ in rows_a:
                oracle.own(("average", f"{year:04d}-avg", "Hovedgrupper", label, "count"), v or None)
    return oracle


def main(argv: Sequence[str] | None = None) -> int:
    from make_archive import parse_start

    def month_key(text: str) -> str:
        year, month = parse_start(text)
        return key(year, month)

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--months", type=int, required=True, help="number of months")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=parse_start, default=(2014, 2), help="newest month, YYYY-MM")
    parser.add_argument("--counties", type=int, default=1, help=f"county reports a month (≤ {len(COUNTIES)})")
    parser.add_argument("--extras", action="store_true", help="time-series and yearly-average reports too")
    parser.add_argument("--gap", type=month_key, help="leave out the national report of YYYY-MM")
    parser.add_argument("--county-gap", type=month_key, help="leave out the first county's report of YYYY-MM")
    parser.add_argument("--duplicate", type=month_key, help="a corrected, newer gender report for YYYY-MM")
    args = parser.parse_args(argv)
    if args.months < 1 or not 0 <= args.counties <= len(COUNTIES):
        parser.error(f"--months ≥ 1 and 0 ≤ --counties ≤ {len(COUNTIES)}")
    began = time.perf_counter()
    oracle = write_mixed_archive(args.out, args.months, args.seed, args.start, args.counties, args.extras,
                                 args.gap, args.county_gap, args.duplicate)
    size = sum(p.stat().st_size for p in oracle.paths)
    kinds = ", ".join(f"{n} {k}" for k, n in oracle.kinds.items())
    print(f"wrote {len(oracle.paths)} report(s) ({kinds}), {size:,} bytes, to {args.out} in "
          f"{time.perf_counter() - began:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
