#!/usr/bin/env python3
"""Make a synthetic archive of NAV "Deltakere i arbeidsrettede tiltak" monthly text reports.

What it makes
    One plain-text report per month, going backwards month by month from --start
    (default 2014-02, the period of samples/tiltak-2014-02.txt), written to
    OUT/YYYY/tiltak-YYYY-MM.txt (OUT/tiltak-YYYY-MM.txt with --flat).  The layout
    copies the real sample line for line: UTF-8, LF line ends, the intro page, then
    one page per table chunk with the title heading, the table heading, the period
    line, optional section headings, a header row starting with a TAB,
    tab-separated rows, <b>...</b> around every non-empty cell of total rows,
    a plain space as thousands separator, empty cells for blanks, and the sample's
    mix of '#' levels and blank-line runs.  The five tables are those of the sample,
    with its labels (typos included).  With --scale 1 a report differs from the
    sample only in its numbers and period.

    --scale K repeats every detail row K times (copies 2..K are labelled
    "<label> (k)" and get their own counts); all totals cover all copies, and long
    tables are paginated like the sample (18 rows a page including the repeated
    top total).  --scale 50 gives one report of about 17,400 number cells
    (about 22,300 cells counting the row labels, some 270 pages).

How consistency is guaranteed
    Only the leaf cells (tiltak x hovedgruppe, per copy) are random.  Every other
    figure (tiltaksgruppe subtotals, hovedgruppe totals, "I alt", the cross
    tables' "I alt" column) is computed from those leaves by exact integer sums,
    once per month, and every table prints from that one set of figures, so a
    figure is the same wherever it appears.  The leaves follow a random walk that
    is simulated newest month first and at least twelve months past the oldest
    report, so "Endring fra i fjor Antall" is always this month's figure minus the
    figure printed (or simulated) twelve months earlier, and "Endring fra i fjor
    Prosent" is computed from the same two integers with exact rounding half away
    from zero.  Because the walk runs newest first, the first N reports of a
    longer archive are byte-identical to an N-report archive with the same seed.

    A count of 0 prints as an empty cell, so a total prints empty exactly when all
    its parts do.  Cells that are structurally empty in the sample (e.g. "Tilrettelagt
    arbeid" for "Arbeidssøkere på tiltak") are never simulated and stay empty.

Revisions and a rename (test archives for the time series)
    --revise N plants N revisions: in N reports (each with its year-earlier report in the
    archive, at most one per report) one leaf count of last year is changed before the change
    columns are printed, as if NAV had corrected that figure after publishing it.  The report
    stays consistent internally (its totals and percents follow the revised figure), so the
    revision shows only when it is compared with the report a year earlier: the leaf's cell is
    not printed on its own in a change table, so what differs is the group row, the hovedgruppe
    row, its section's group row and total, and "I alt" of each change table (six figures).
    Which leaf, by how much and where is printed to stderr, and given to callers of
    write_archive(..., planted=list) as `Planted` records.

    --rename-at YYYY-MM renames the first hovedgruppe like NAV did in October 2012: reports
    before that month call it "Ordinære tiltaksdeltakere" (row, section heading, its total
    "I alt ordinære tiltaksdeltakere", cross-table column), reports from that month on
    "Arbeidssøkere på tiltak".  The numbers are those of one series.

Standard library only; deterministic for a given --seed and --scale (and --revise).

    python bench/make_archive.py --count 200 --out /tmp/arch --seed 1
    python bench/make_archive.py --count 1 --scale 50 --out /tmp/big --flat
    python bench/make_archive.py --count 26 --out /tmp/rev --revise 3 --rename-at 2013-10
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

TITLE = "Deltakere i arbeidsrettede tiltak. Tiltak. En måned"
NOTE = (
    '"Om statistikken - Arbeidssøkere" finner du på [nav.no](http://nav.no) ved å følge lenken '
    'under relatert informasjon på siden "Tiltaksdeltakere".'
)
MONTHS = (
    "Januar", "Februar", "Mars", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Desember",
)
HOVEDGRUPPER = ("Arbeidssøkere på tiltak", "Nedsatt arbeidsevne, på tiltak", "Andre på tiltak")
CHANGE_HEADER = ("Antall", "Endring fra i fjor Antall", "Endring fra i fjor Prosent")
CROSS_HEADER = ("I alt", *HOVEDGRUPPER)
OLD_FIRST_HOVEDGRUPPE = "Ordinære tiltaksdeltakere"   # NAV's name for "Arbeidssøkere på tiltak" before 2012-10

ROWS_PER_PAGE = 18  # rows under a page's header rows, the repeated top total included (as in the sample)

# '#' level of the title heading on each page of each table in the sample; it mixes
# '#' and '##' with no visible rule, so a parser must accept both.  Pages past these
# get a level from level_for() below.
SAMPLE_LEVELS = ((1,), (2,), (1, 2), (1,), (1, 1, 1))
INTRO_LEVEL = 2

# One row of a cross table: a count per hovedgruppe, None where the cell is structurally empty.
Counts = tuple[int | None, int | None, int | None]


class Tiltak(NamedTuple):
    label: str
    sample: Counts  # the sample's February 2014 counts: the walk's typical level; None = structurally empty


class Group(NamedTuple):
    label: str
    tiltak: tuple[Tiltak, ...]
    cross_label: str = ""  # label in the "Tiltaksgrupper og hovedgrupper" cross table when it differs

    def label_in_cross(self) -> str:
        return self.cross_label or self.label


# Everything below is verbatim from the sample, including "Lønnskudd" (cross table only)
# and "Jobbskappingsprosjekter".
GROUPS: tuple[Group, ...] = (
    Group("Avklaringstiltak", (
        Tiltak("Avklaring", (213, 303, 23)),
        Tiltak("Avklaring i skjermet virksomhet", (5, 2039, 6)),
        Tiltak("Avklaring - sykmeldt arbeidstaker", (13, 40, 168)),
    )),
    Group("Oppfølging", (
        Tiltak("Arbeid med bistand (AB)", (113, 7142, 25)),
        Tiltak("Jobbklubb", (2210, 217, 15)),
        Tiltak("Mentor", (10, 70, 5)),
        Tiltak("Oppfølging", (814, 1209, 46)),
        Tiltak("Oppfølging - sykmeldt arbeidstaker", (25, 96, 143)),
        Tiltak("Resultatbasert finansiering", (None, 16, None)),
        Tiltak("Utvidet avklaring og oppfølging i NAV", (49, 271, 3)),
    )),
    Group("Opplæring", (
        Tiltak("Arbeidsmarkedsopplæring (AMO)", (4818, 1897, 66)),
        Tiltak("Arbeidsmarkedsopplæring (AMO) enkeltplass", (217, 266, 24)),
        Tiltak("Kvalifisering i arbeidsmarkedsbedrift", (14, 763, 9)),
        Tiltak("Nettbasert arbeidsmarkedsopplæring (AMO)", (72, 54, None)),
        Tiltak("Utdanning", (60, 10371, 29)),
    )),
    Group("Lønnstilskudd", (
        Tiltak("AAP som lønnstilskudd", (None, 236, None)),
        Tiltak("Tidsbegrenset lønnstilskudd", (1432, 1397, 115)),
        Tiltak("Tidsubestemt lønnstilskudd", (None, 2331, None)),
    ), cross_label="Lønnskudd"),
    Group("Arbeidspraksis", (
        Tiltak("Arbeidspraksis i ordinær virksomhet", (8086, 7986, 135)),
        Tiltak("Arbeidspraksis i skjermet virksomhet", (43, 6995, 16)),
    )),
    Group("Arbeidsrettet rehabilitering", (
        Tiltak("Arbeidsrettet rehabilitering (dag)", (None, 154, 17)),
        Tiltak("Arbeidsrettet rehabilitering (dag) - sykmeldt arbeidstaker", (None, 60, 253)),
        Tiltak("Arbeidsrettet rehabilitering (døgn)", (None, 22, None)),
        Tiltak("Arbeidsrettet rehabilitering (døgn) - sykmeldt arbeidstaker", (None, 31, 11)),
    )),
    Group("Tilrettelagt arbeid", (
        Tiltak("Produksjonsverksted (PV)", (None, 30, None)),
        Tiltak("Tilrettelagt arbeid i arbeidsmarkedsbedrift", (None, 1036, None)),
        Tiltak("Varig tilrettelagt arbeid i ordinær virksomhet", (None, 1250, None)),
        Tiltak("Varig tilrettelagt arbeid i skjermet virksomhet", (None, 8149, None)),
        Tiltak("Varig vernet arbeid (VVA)", (None, 54, None)),
    )),
    Group("Helsemessig utredning/behandling", (
        Tiltak("Utredning/behandling lettere psykiske lidelser", (None, 34, 681)),
        Tiltak("Utredning/behandling sammensatte lidelser", (None, 2, 66)),
    )),
    Group("Tilrettelegging", (
        Tiltak("Funksjonsassistanse", (None, 28, 98)),
        Tiltak("Tilrettelegging", (None, 61, 388)),
        Tiltak("Tilretteleggingstilskudd for arbeidssøker", (None, 124, 2)),
    )),
    Group("Jobbskaping og egenetablering", (
        Tiltak("Egenetablering", (63, 73, 1)),
        Tiltak("Jobbskappingsprosjekter", (1, 2, None)),
    )),
)


# --------------------------------------------------------------------------- simulation

def leaf_slots(scale: int) -> list[tuple[int, int, int, int, int]]:
    """The simulated cells in a fixed order: (copy, group, tiltak, hovedgruppe, sample count).

    The order defines the meaning of a month's flat list of leaf counts."""
    return [
        (k, g, t, h, count)
        for k in range(scale)
        for g, group in enumerate(GROUPS)
        for t, tiltak in enumerate(group.tiltak)
        for h, count in enumerate(tiltak.sample)
        if count is not None
    ]


class Walk:
    """Leaf counts month by month, newest first: counts(0) is the newest month,
    counts(i) the month i months earlier.

    Each cell's level follows a multiplicative random walk pulled back towards a
    typical level (the sample's count times a per-copy factor), so the series stays
    plausible over decades; the printed count is the rounded level plus a little
    noise, which makes small cells hit 0 now and then (exercising empty cells)."""

    def __init__(self, rng: random.Random, scale: int = 1) -> None:
        if scale < 1:
            raise ValueError("scale must be >= 1")
        self.rng = rng
        self.scale = scale
        slots = leaf_slots(scale)
        # copy 1 keeps the sample's proportions; the other copies get their own size
        factor = [1.0] + [rng.uniform(0.2, 1.5) for _ in range(scale - 1)]
        self.copy_of = [k for k, *_ in slots]
        self.typical = [max(0.3, n * factor[k] * rng.uniform(0.7, 1.3)) for k, _, _, _, n in slots]
        self.level = [v * rng.uniform(0.9, 1.1) for v in self.typical]
        self._months: dict[int, list[int]] = {}
        self._next = 0

    def counts(self, i: int) -> list[int]:
        """Leaf counts of month i (simulating up to it if needed)."""
        rng = self.rng
        while self._next <= i:
            trend = [rng.gauss(0.0, 0.02) for _ in range(self.scale)]  # shared by a copy's cells
            month = []
            for c, typical in enumerate(self.typical):
                level = self.level[c]
                level *= math.exp(trend[self.copy_of[c]] + rng.gauss(0.0, 0.05)
                                  + 0.08 * math.log(typical / level))
                self.level[c] = level
                month.append(max(0, round(level + rng.gauss(0.0, 0.5))))
            self._months[self._next] = month
            self._next += 1
        return self._months[i]

    def forget(self, i: int) -> None:
        """Drop month i once no report needs it, so long archives use little memory."""
        self._months.pop(i, None)


# --------------------------------------------------------------------------- figures

def column_sum(rows: Sequence[Counts]) -> Counts:
    """Per-column sum; None (structurally empty) only when every part is None."""
    def one(values: list[int | None]) -> int | None:
        present = [v for v in values if v is not None]
        return sum(present) if present else None
    return one([r[0] for r in rows]), one([r[1] for r in rows]), one([r[2] for r in rows])


def row_sum(counts: Counts) -> int:
    return sum(v for v in counts if v is not None)


@dataclass
class Figures:
    """All figures of one month, derived from its leaf counts by exact sums."""

    tiltak: list[list[list[Counts]]]  # [copy][group][tiltak] -> per hovedgruppe
    groups: list[list[Counts]]        # [copy][group] -> per hovedgruppe
    hoved: tuple[int, int, int]       # per hovedgruppe, all copies
    total: int

    @classmethod
    def from_leaves(cls, leaves: Sequence[int], scale: int) -> Figures:
        cells: dict[tuple[int, int, int, int], int] = {
            (k, g, t, h): leaves[i] for i, (k, g, t, h, _) in enumerate(leaf_slots(scale))
        }
        tiltak = [
            [
                [
                    (cells.get((k, g, t, 0)), cells.get((k, g, t, 1)), cells.get((k, g, t, 2)))
                    for t in range(len(group.tiltak))
                ]
                for g, group in enumerate(GROUPS)
            ]
            for k in range(scale)
        ]
        groups = [[column_sum(rows) for rows in copy] for copy in tiltak]
        hoved = column_sum([row for copy in groups for row in copy])
        # every hovedgruppe has some simulated cell, so none of these is None
        hoved_int = (hoved[0] or 0, hoved[1] or 0, hoved[2] or 0)
        return cls(tiltak, groups, hoved_int, sum(hoved_int))


# --------------------------------------------------------------------------- formatting

def fmt_number(n: int) -> str:
    """The sample's number format: plain space as thousands separator ("-1 852")."""
    return f"{n:,}".replace(",", " ")


def fmt_count(n: int | None) -> str:
    """A count; 0 prints empty like a structural blank, so a total of empties is empty too."""
    return fmt_number(n) if n else ""


def percent(change: int, before: int) -> int | None:
    """100 * change / before rounded half away from zero, in exact integer arithmetic.

    Float rounding would misplace exact halves (e.g. 2.5 %), so the rounding is done
    on integers: floor((2|x| + b) / 2b) rounds |x|/b half up."""
    if before == 0:
        return None
    magnitude = (200 * abs(change) + before) // (2 * before)
    return -magnitude if change < 0 else magnitude


def change_cells(now: int | None, before: int | None) -> list[str]:
    """Antall / Endring fra i fjor Antall / Endring fra i fjor Prosent."""
    now, before = now or 0, before or 0
    change = now - before
    pct = percent(change, before)
    # a change is printed (0 included) when either year has participants
    return [
        fmt_count(now),
        fmt_number(change) if now or before else "",
        "" if pct is None else fmt_number(pct),
    ]


def cross_cells(counts: Counts) -> list[str]:
    """I alt / one cell per hovedgruppe."""
    return [fmt_count(row_sum(counts)), *(fmt_count(v) for v in counts)]


def with_copy(label: str, k: int) -> str:
    return label if k == 0 else f"{label} ({k + 1})"


class Row(NamedTuple):
    label: str
    cells: list[str]
    bold: bool = False

    def render(self) -> str:
        if not self.bold:
            return "\t".join([self.label, *self.cells])
        return "\t".join(f"<b>{c}</b>" if c else "" for c in [self.label, *self.cells])


class Section(NamedTuple):
    heading: str | None  # '#'-heading above the header row (one per hovedgruppe in table 3)
    header: Sequence[str]
    top: Row             # bold total right under the header, repeated on continued pages
    body: list[Row]


def build_tables(now: Figures, before: Figures,
                 names: Sequence[str] = HOVEDGRUPPER) -> list[tuple[str, list[Section]]]:
    """The five tables of a report, in the sample's order, as (title, sections); `names`: the hovedgrupper."""
    cross_header = ("I alt", *names)
    copies = range(len(now.groups))
    numbered = [(k, g, group) for k in copies for g, group in enumerate(GROUPS)]
    top_change = Row("I alt", change_cells(now.total, before.total), bold=True)
    top_cross = Row("I alt", cross_cells(now.hoved), bold=True)

    hovedgrupper = [
        Row(name, change_cells(now.hoved[h], before.hoved[h])) for h, name in enumerate(names)
    ]
    tiltaksgrupper = [
        Row(with_copy(group.label, k), change_cells(row_sum(now.groups[k][g]), row_sum(before.groups[k][g])))
        for k, g, group in numbered
    ]
    by_hovedgruppe = [
        Section(
            name,
            CHANGE_HEADER,
            Row(f"I alt {name.lower()}", change_cells(now.hoved[h], before.hoved[h]), bold=True),
            [
                Row(with_copy(group.label, k), change_cells(now.groups[k][g][h], before.groups[k][g][h]))
                for k, g, group in numbered
                if now.groups[k][g][h] is not None  # a structurally empty group is not listed
            ],
        )
        for h, name in enumerate(names)
    ]
    cross_groups = [
        Row(with_copy(group.label_in_cross(), k), cross_cells(now.groups[k][g])) for k, g, group in numbered
    ]
    cross_tiltak: list[Row] = []
    for k, g, group in numbered:
        cross_tiltak += [
            Row(with_copy(t.label, k), cross_cells(now.tiltak[k][g][i])) for i, t in enumerate(group.tiltak)
        ]
        subtotal = with_copy(f"I alt {group.label.lower()}", k)
        cross_tiltak.append(Row(subtotal, cross_cells(now.groups[k][g]), bold=True))

    return [
        ("Hovedgrupper", [Section(None, CHANGE_HEADER, top_change, hovedgrupper)]),
        ("Tiltaksgrupper", [Section(None, CHANGE_HEADER, top_change, tiltaksgrupper)]),
        ("Tiltaksgrupper og hovedgrupper", by_hovedgruppe),
        ("Tiltaksgrupper og hovedgrupper", [Section(None, cross_header, top_cross, cross_groups)]),
        ("Tiltak og hovedgrupper", [Section(None, cross_header, top_cross, cross_tiltak)]),
    ]


# --------------------------------------------------------------------------- layout

def paginate(sections: list[Section]) -> list[list[Section]]:
    """Fill pages of ROWS_PER_PAGE rows; a section that runs over continues on the
    next page with its heading, header row and top total repeated (as the sample's
    "Tiltak og hovedgrupper" does).  Matches the sample's page breaks at scale 1."""
    pages: list[list[Section]] = [[]]
    room = ROWS_PER_PAGE
    for section in sections:
        rest = section.body
        while True:
            if room < 2:  # not even the top total and one row: start a new page
                pages.append([])
                room = ROWS_PER_PAGE
            part, rest = rest[: room - 1], rest[room - 1:]
            pages[-1].append(section._replace(body=part))
            room -= 1 + len(part)
            if not rest:
                break
    return pages


def level_for(table: int, page: int, year: int, month: int) -> int:
    """Title heading level: the sample's for its pages, otherwise a deterministic 3:1
    mix of '#' and '##' (roughly the sample's proportion) that varies by period."""
    if page < len(SAMPLE_LEVELS[table]):
        return SAMPLE_LEVELS[table][page]
    return 2 if (year * 12 + month + 3 * table + page) % 4 == 0 else 1


def period_label(year: int, month: int) -> str:
    return f"{MONTHS[month - 1]} {year}"


def render_report(year: int, month: int, now: Figures, before: Figures,
                  hovedgrupper: Sequence[str] = HOVEDGRUPPER) -> str:
    """The report text for one month from its figures and those of a year earlier."""
    period = period_label(year, month)
    lv = INTRO_LEVEL
    pages = ["\n".join([f"{'#' * lv} {TITLE}", "", f"{'#' * (lv + 1)} Om tabellene", "", "---", "",
                        period, "", NOTE])]
    for t, (title, sections) in enumerate(build_tables(now, before, hovedgrupper)):
        for p, page in enumerate(paginate(sections)):
            lv = level_for(t, p, year, month)
            lines = [f"{'#' * lv} {TITLE}", "", f"{'#' * (lv + 1)} {title}", "", period, ""]
            for b, section in enumerate(page):
                if b:
                    lines.append("")
                if section.heading:
                    lines += [f"{'#' * (lv + 2)} {section.heading}", ""]
                lines.append("\t" + "\t".join(section.header))
                lines.append(section.top.render())
                lines += [row.render() for row in section.body]
            pages.append("\n".join(lines))
    # The sample's blank-line runs, kept so parsers meet them: 4 blank lines before
    # the first page, 3 between pages, 5 before the last page, no final newline.
    return "\n" * 4 + "\n\n\n\n".join(pages[:-1]) + "\n" * 6 + pages[-1]


# --------------------------------------------------------------------------- entry points

def month_back(year: int, month: int, i: int) -> tuple[int, int]:
    """The (year, month) i months before (year, month)."""
    index = year * 12 + month - 1 - i
    return index // 12, index % 12 + 1


def make_report(
    year: int, month: int, rng: random.Random, scale: int = 1, previous: Sequence[int] | None = None
) -> str:
    """One stand-alone report for year-month.

    The leaf counts are simulated from rng; `previous` optionally gives the leaf counts
    of the same month a year earlier (in leaf_slots(scale) order) instead of simulating
    them.  make_report(y, m, random.Random(seed), scale) equals the first report of
    write_archive(..., seed=seed, scale=scale, start=(y, m))."""
    walk = Walk(rng, scale)
    before = walk.counts(12) if previous is None else previous
    if len(before) != len(walk.typical):
        raise ValueError(f"previous has {len(before)} counts, scale {scale} needs {len(walk.typical)}")
    return render_report(year, month, Figures.from_leaves(walk.counts(0), scale),
                         Figures.from_leaves(before, scale))


class Planted(NamedTuple):
    """A planted revision: `report` prints last year's `leaf` as `implied` where `period` published `published`."""

    report: str              # YYYY-MM of the report that carries the revised figure
    period: str              # YYYY-MM a year earlier, whose report published the figure
    copy: int
    group: str               # tiltaksgruppe label (as in the change tables)
    tiltak: str
    hovedgruppe: int         # index into HOVEDGRUPPER
    published: int
    implied: int


def plan_revisions(count: int, revise: int, seed: int, scale: int, start: tuple[int, int],
                   walk: Walk) -> dict[int, tuple[int, int]]:
    """{report index: (leaf slot, delta)} for `revise` distinct reports that have a year-earlier report."""
    eligible = list(range(max(0, count - 12)))
    if revise > len(eligible):
        raise ValueError(f"--revise {revise}: only {len(eligible)} report(s) have their year-earlier report "
                         "in the archive; give a larger --count")
    rng = random.Random(seed * 7919 + 17)        # its own stream: the walk is unchanged
    plan: dict[int, tuple[int, int]] = {}
    for i in sorted(rng.sample(eligible, revise)):
        before = walk.counts(i + 12)
        slots = [c for c, v in enumerate(before) if v >= 10]
        slot = rng.choice(slots)
        delta = rng.choice([-1, 1]) * rng.randint(1, max(1, min(40, before[slot] // 3)))
        plan[i] = (slot, delta)
    return plan


def write_archive(
    out: Path,
    count: int,
    seed: int = 1,
    scale: int = 1,
    flat: bool = False,
    start: tuple[int, int] = (2014, 2),
    revise: int = 0,
    rename_at: tuple[int, int] | None = None,
    planted: list[Planted] | None = None,
) -> list[Path]:
    """Write `count` reports going back month by month from `start`; return their paths, newest first.

    `revise` and `rename_at`: see the module's docstring; planted revisions are appended to `planted`.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    out = Path(out)
    walk = Walk(random.Random(seed), scale)
    plan = plan_revisions(count, revise, seed, scale, start, walk) if revise else {}
    slots = leaf_slots(scale)
    renamed = (OLD_FIRST_HOVEDGRUPPE, *HOVEDGRUPPER[1:])
    paths = []
    for i in range(count):
        year, month = month_back(*start, i)
        before = walk.counts(i + 12)
        if i in plan:
            slot, delta = plan[i]
            before = list(before)
            before[slot] = max(0, before[slot] + delta)
            k, g, t, h, _ = slots[slot]
            if planted is not None:
                y0, m0 = month_back(year, month, 12)
                planted.append(Planted(f"{year:04d}-{month:02d}", f"{y0:04d}-{m0:02d}", k,
                                       with_copy(GROUPS[g].label, k), with_copy(GROUPS[g].tiltak[t].label, k), h,
                                       walk.counts(i + 12)[slot], before[slot]))
        names = renamed if rename_at is not None and (year, month) < rename_at else HOVEDGRUPPER
        text = render_report(year, month, Figures.from_leaves(walk.counts(i), scale),
                             Figures.from_leaves(before, scale), names)
        folder = out if flat else out / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"tiltak-{year}-{month:02d}.txt"
        path.write_bytes(text.encode("utf-8"))  # bytes: LF line ends on every platform
        paths.append(path)
        walk.forget(i)  # month i is not the year-ago month of any later (older) report
    return paths


def parse_start(text: str) -> tuple[int, int]:
    try:
        year_text, month_text = text.split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM, got {text!r}") from None
    if not 1 <= month <= 12:
        raise argparse.ArgumentTypeError(f"month out of range in {text!r}")
    return year, month


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, required=True, help="number of monthly reports")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--scale", type=int, default=1, help="repeat the detail rows K times (default 1)")
    parser.add_argument("--flat", action="store_true", help="write all reports into OUT, no YYYY/ folders")
    parser.add_argument("--start", type=parse_start, default=(2014, 2),
                        help="newest report's period, YYYY-MM (default 2014-02)")
    parser.add_argument("--revise", type=int, default=0,
                        help="plant N revisions of last year's figures (see above; default 0)")
    parser.add_argument("--rename-at", type=parse_start, default=None, metavar="YYYY-MM",
                        help='call the first hovedgruppe "Ordinære tiltaksdeltakere" before this month')
    args = parser.parse_args(argv)
    if args.count < 1 or args.scale < 1:
        parser.error("--count and --scale must be at least 1")
    began = time.perf_counter()
    planted: list[Planted] = []
    try:
        paths = write_archive(args.out, args.count, args.seed, args.scale, args.flat, args.start, args.revise,
                              args.rename_at, planted)
    except ValueError as exc:
        parser.error(str(exc))
    for p in planted:
        print(f"revision: report {p.report} implies {p.implied} for {p.period} {p.group} / {p.tiltak} / "
              f"{HOVEDGRUPPER[p.hovedgruppe]} (published {p.published})", file=sys.stderr)
    size = sum(p.stat().st_size for p in paths)
    seconds = time.perf_counter() - began
    print(f"wrote {len(paths)} report(s), {size:,} bytes, to {args.out} in {seconds:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
