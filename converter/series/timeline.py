"""The time series of an archive: `build` gives the `Timeline` (series, revisions, renames, derived
and republished values, the other frequencies), and its tidy rows and sheets. Pure.

A `Timeline` holds a value array per series over the calendar months, the missing months, the
revisions, the renamed series (linked, renames.py), and the values derived from the next year's
report; the other frequencies (quarters, ranges of months, years, yearly averages, dates) each
get a timeline of their own (`Timeline.others`), never mixed into the months.

Every published figure under its own period. A column or section of another period (a year
column, a "Tidsserie måned" report's month columns) fills that period when no report of its own
publishes it (marked `republished`, never `derived`).

Revisions. A report with a count and a change column publishes last year's figure implicitly
(count − change); a year-earlier column publishes it outright. Where a report of that period (or
an earlier report's column) published the figure, the two must agree; every difference is a
revision (NAV corrected the figure, or a series changed), and so is a difference between two
reports of other kinds publishing the same figure for the same period.

Derived values. A period no report publishes a series' figure for gets the figure the next year's
report implies for it (count − change), marked as derived: never counted as published.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from ..model import Measure
from ..rules.periods import parse_period, year_before
from .archive import Archive, Entry, Note, Source
from .axes import FREQUENCIES, axis_of, end_month, frequency_of, month_index
from .renames import Rename, find_renames, map_key
from .tidy import ABSENT, BLANK, COLUMN, MEASURE, Key, Sid, series_measure, unscaled
from .views import Plan, Plans, Sids, View, plan_of, same, year_earlier

_COUNT = Measure.COUNT.value


@dataclass(frozen=True, slots=True)
class Revision:
    period: str             # the period the figure is about
    report: str             # the period of the report that shows it differently
    table: str
    section: str
    group: str
    row: str
    column: str
    published: int | Decimal    # what the time series shows (published for that period)
    implied: int | Decimal      # what the other report shows (implied, or published in its column)
    source: str = ""            # the other report's file
    how: str = "implisitt"      # "implisitt" (antall − endring) or "publisert" (a column of that period)

    @property
    def difference(self) -> int | Decimal:
        return self.implied - self.published


@dataclass(slots=True)
class Line:
    """One series over the periods: values in units of 10^-decimals (ABSENT/BLANK as in ReportData).

    `republished`: periods whose value comes from a report of another period (a year column, a
    time-series column), published there; `derived`: periods whose value is implied (count − change)."""

    sid: Sid
    column: str             # the column header to show (the newest report's)
    decimals: int
    values: array
    marks: dict[int, str] = field(default_factory=dict)
    derived: set[int] = field(default_factory=set)
    republished: set[int] = field(default_factory=set)

    def value(self, m: int) -> int | Decimal | None:
        v = self.values[m]
        return None if v <= BLANK else unscaled(v, self.decimals)


@dataclass(slots=True)
class Timeline:
    """One frequency's series (`months` holds its periods: months, or quarters, years …)."""

    months: list[str]
    sources: list[Source]               # the reports with a figure of this frequency, in period order
    missing: list[str]
    lines: list[Line]
    revisions: list[Revision]
    renames: list[Rename]
    notes: list[Note]
    frequency: str = "month"
    others: list[Timeline] = field(default_factory=list)       # the other frequencies (on the monthly one)
    kinds: dict[str, int] = field(default_factory=dict)        # reports per kind (the whole archive)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)
    reports: int = 0                                           # reports in the whole archive

    @property
    def derived_months(self) -> list[str]:
        seen = sorted({m for line in self.lines for m in line.derived})
        return [self.months[m] for m in seen]

    @property
    def derived_values(self) -> int:
        return sum(len(line.derived) for line in self.lines)

    @property
    def republished_values(self) -> int:
        return sum(len(line.republished) for line in self.lines)

    def all(self) -> list[Timeline]:
        """This timeline and the other frequencies', those with periods."""
        return [t for t in (self, *self.others) if t.months]


# --------------------------------------------------------------------------- the timeline

def build(archive: Archive, user_renames: dict[str, str] | None = None) -> Timeline:
    """Series, missing periods, revisions, renames and derived values of `archive` (≥ 1 report):
    the monthly timeline, with the other frequencies' in `others` (each its own series).

    Every figure is filed under its own period, in three passes:
    1. each report's figures of its own period (of two reports of other kinds for one period, the
       first in report order is shown and a difference is a revision);
    2. figures published for another period (a year column, a time-series column), in report
       order: they fill a period no report of its own publishes (marked `republished`), and
       where one does, a difference is a revision;
    3. values implied by arithmetic (count − change, for a year earlier): they fill what is still
       empty (marked `derived`, only within the axis), and a difference from a published value
       is a revision.
    """
    reports = archive.reports()
    sids = Sids()
    plain = View(archive.keys, sids)
    plans: Plans = {}
    renames = find_renames(archive, sids, plain, plans)
    for old, new in (user_renames or {}).items():
        renames.append(Rename(old, new, ""))
    views = _views(archive, reports, renames, sids, plain)
    report_plans = [plan_of(e, v, plans) for e, v in zip(reports, views, strict=True)]
    filing = _Filing(_axes(reports, report_plans), sids)
    filing.own_periods(reports, views, report_plans)
    filing.other_periods(reports, views, report_plans)
    filing.implied(reports, views, plans)
    return filing.timelines(archive, reports, renames)


def _views(archive: Archive, reports: list[Entry], renames: list[Rename], sids: Sids, plain: View) -> list[View]:
    """Each report's keys as the series they belong to (renamed labels mapped to the new ones)."""
    since = {r.old: (month_index(r.since) if r.since else None, r.new) for r in renames if r.confirmed}
    cache: dict[tuple[tuple[str, str], ...], View] = {}

    def view_of(m: int) -> View:
        mapping = {o: n for o, (s, n) in since.items() if s is None or m < s}
        if not mapping:
            return plain
        token = tuple(sorted(mapping.items()))
        if token not in cache:
            cache[token] = View([map_key(k, mapping) for k in archive.keys], sids)
        return cache[token]

    return [view_of(e.order) for e in reports]


def _axes(reports: list[Entry], report_plans: list[Plan]) -> dict[str, list[str]]:
    """The axes: per frequency, the periods some figure is published for (axes.axis_of)."""
    published: dict[str, set[str]] = {}
    for e, plan in zip(reports, report_plans, strict=True):
        if plan.own:
            published.setdefault(frequency_of(e.periods[0]), set()).add(e.periods[0])
        for slot in {slot for _, _, slot in plan.other}:
            published.setdefault(frequency_of(e.periods[slot]), set()).add(e.periods[slot])
    return {f: axis_of(f, published.get(f, ())) for f in FREQUENCIES}


class _Filing:
    """Every frequency's series as build files the figures in (its three passes, in order), with
    the revisions found, the periods covered and the reports that contributed."""

    def __init__(self, axes: dict[str, list[str]], sids: Sids) -> None:
        self.axes = axes
        self.sids = sids
        self.where = {f: {key: m for m, key in enumerate(axis)} for f, axis in axes.items()}
        self.lines: dict[str, dict[int, Line]] = {f: {} for f in FREQUENCIES}
        self.revisions: dict[str, list[Revision]] = {f: [] for f in FREQUENCIES}
        self.covered: dict[str, set[int]] = {f: set() for f in FREQUENCIES}
        self.contributed: dict[str, list[Source]] = {f: [] for f in FREQUENCIES}
        self.placed: dict[tuple[int, int], list[tuple[int, Line]]] = {}    # (layout, view id) → own pairs

    def line_of(self, f: str, s: int, key: Key, d: int) -> Line:
        lines = self.lines
        found = lines[f].get(s)
        if found is None:
            found = lines[f][s] = Line(self.sids.list[s], _column(key), d, array("q", [ABSENT]) * len(self.axes[f]))
        return found

    def revise(self, f: str, line: Line, m: int, v: int, d: int, e: Entry, how: str) -> None:
        shown = line.values[m]
        a, b = (0 if shown == BLANK else shown, line.decimals), (0 if v == BLANK else v, d)
        if same(a, b):
            return
        sid = line.sid
        self.revisions[f].append(Revision(self.axes[f][m], e.source.period, sid[0], sid[1], sid[2], sid[3],
                                          line.column, unscaled(*a), unscaled(*b), e.source.path, how))

    def own_periods(self, reports: list[Entry], views: list[View], report_plans: list[Plan]) -> None:
        """1. Own periods, newest report first: series appear in the newest report's order, old ones after."""
        where, covered, contributed, placed = self.where, self.covered, self.contributed, self.placed
        line_of, revise = self.line_of, self.revise
        for e, view, plan in zip(reversed(reports), reversed(views), reversed(report_plans), strict=True):
            if not plan.own:
                continue
            f = frequency_of(e.periods[0])
            m = where[f][e.periods[0]]
            covered[f].add(m)
            contributed[f].append(e.source)
            values, decimals, marks = e.values, e.decimals, e.marks
            token = (e.layout, id(view))
            pairs = placed.get(token)
            if pairs is None:
                keys, ids = view.keys, e.ids
                pairs = placed[token] = [(i, line_of(f, s, keys[ids[i]], decimals[i])) for i, s in plan.own]
            for i, line in pairs:
                v = values[i]
                if line.values[m] != ABSENT:        # another kind of report published it for this period too
                    if i not in marks and m not in line.marks:
                        revise(f, line, m, v, decimals[i], e, "publisert")
                    continue
                if decimals[i] == line.decimals or v <= BLANK:
                    line.values[m] = v
                else:
                    _put(line, m, v, decimals[i])
                if marks and i in marks:
                    line.marks[m] = marks[i]

    def other_periods(self, reports: list[Entry], views: list[View], report_plans: list[Plan]) -> None:
        """2. Figures of other periods, oldest report first (the nearest to the period is shown)."""
        where, covered, contributed = self.where, self.covered, self.contributed
        line_of, revise = self.line_of, self.revise
        for e, view, plan in zip(reports, views, report_plans, strict=True):
            if not plan.other:
                continue
            values, decimals, marks = e.values, e.decimals, e.marks
            keys, ids, periods = view.keys, e.ids, e.periods
            used: set[str] = set()
            for i, s, slot in plan.other:
                key = periods[slot]
                f = frequency_of(key)
                m = where[f][key]
                line = line_of(f, s, keys[ids[i]], decimals[i])
                v = values[i]
                if line.values[m] != ABSENT:
                    if i not in marks and m not in line.marks:
                        revise(f, line, m, v, decimals[i], e, "publisert")
                    continue
                _put(line, m, v, decimals[i])
                line.republished.add(m)
                covered[f].add(m)
                used.add(f)
                if marks and i in marks:
                    line.marks[m] = marks[i]
            for f in used:
                if not contributed[f] or contributed[f][-1] is not e.source:
                    contributed[f].append(e.source)

    def implied(self, reports: list[Entry], views: list[View], plans: Plans) -> None:
        """3. Implied by arithmetic (count − change): a year before each report's own period."""
        where, lines = self.where, self.lines
        for e, view in zip(reports, views, strict=True):
            implied = year_earlier(e, view, plans, columns=False)
            if not implied:
                continue
            target = year_before(e.periods[0])
            f = frequency_of(target)
            m = where[f].get(target)
            if m is None:
                continue                            # outside the axis: nothing published that far back
            for s, (value, d) in implied.items():
                line = lines[f].get(s)
                if line is None or m in line.derived:
                    continue
                if line.values[m] == ABSENT:
                    _put(line, m, value, d)
                    line.derived.add(m)
                elif m not in line.marks:
                    self.revise(f, line, m, value, d, e, "implisitt")

    def timelines(self, archive: Archive, reports: list[Entry], renames: list[Rename]) -> Timeline:
        """The monthly timeline, with the other frequencies' (those with periods) in `others`."""
        axes, where, revisions = self.axes, self.where, self.revisions
        notes = list(archive.notes)
        out: list[Timeline] = []
        for f in FREQUENCIES:
            axis = axes[f]
            if not axis and f != "month":
                continue
            missing = [axis[m] for m in range(len(axis)) if m not in self.covered[f]]
            if missing and f == "month":
                notes.append(Note(f"time series: {len(missing)} missing month(s): {', '.join(missing)}",
                                  f"{len(missing)} manglende måned(er): {', '.join(missing)}"))
            sources = sorted(self.contributed[f], key=lambda s: (end_month(s.period), s.period, s.path))
            out.append(Timeline(axis, sources, missing, list(self.lines[f].values()),
                                sorted(revisions[f], key=lambda r: (where[f][r.period], r.report, r.source)),
                                renames, notes, f))
        main = out[0]
        main.others = out[1:]
        main.kinds = archive.kinds
        main.duplicates = list(archive.duplicates)
        main.reports = len(archive)
        if not main.months:                         # no monthly figures: the reports are listed all the same
            main.sources = [e.source for e in reports]
        return main


def _column(key: Key) -> str:
    """The column header to show: a period header ("Februar 2014", "2013") of a count is shown as "Antall"."""
    if series_measure(key[MEASURE]) == _COUNT and parse_period(key[COLUMN]) is not None:
        return "Antall"
    return key[COLUMN]


def _put(line: Line, m: int, value: int, decimals: int) -> None:
    if value > BLANK and decimals != line.decimals:
        if decimals > line.decimals:            # rescale the series to the finer unit
            factor = 10 ** (decimals - line.decimals)
            line.values = array("q", (v if v <= BLANK else v * factor for v in line.values))
            line.decimals = decimals
        else:
            value *= 10 ** (line.decimals - decimals)
    line.values[m] = value


# --------------------------------------------------------------------------- tidy rows

TIDY_COLUMNS = ("period", "table", "section", "group", "row", "column", "category", "measure", "value", "mark",
                "derived", "republished", "frequency")


def tidy_rows(timeline: Timeline) -> Iterator[tuple[str, ...]]:
    """The long table, frequency by frequency (months first), period by period in series order: one
    row per published (or derived) figure. `derived` "1": implied by arithmetic, not published;
    `republished` "1": published in a report of another period (a year or time-series column)."""
    for part in timeline.all():
        for m, month in enumerate(part.months):
            for line in part.lines:
                v = line.values[m]
                if v == ABSENT:
                    continue
                sid = line.sid
                value = "" if v == BLANK else str(unscaled(v, line.decimals))
                yield (month, sid[0], sid[1], sid[2], sid[3], line.column, sid[4], sid[5], value,
                       line.marks.get(m, ""), "1" if m in line.derived else "", "1" if m in line.republished else "",
                       part.frequency)


SHEET_ROWS = 1000       # a table with more series than this, and several sections, gets a sheet per section


def group_lines(lines: Iterable[Line]) -> dict[tuple[str, str], list[Line]]:
    """Lines per sheet, in order of first appearance: one sheet per table, (table, ""), its series
    without a section first, then each section's together, in order; a table of more than
    SHEET_ROWS series with several sections is split into a sheet per section, (table, section).
    Period headings are no sections (meaning.py), so a table printed once per month never
    becomes a sheet per month."""
    tables: dict[str, dict[str, list[Line]]] = {}
    for line in lines:
        tables.setdefault(line.sid[0], {}).setdefault(line.sid[1], []).append(line)
    out: dict[tuple[str, str], list[Line]] = {}
    for table, sections in tables.items():
        if len(sections) > 1 and sum(len(x) for x in sections.values()) > SHEET_ROWS:
            for section, part in sections.items():
                out[(table, section)] = part
        else:
            out[(table, "")] = sections.pop("", []) + [line for part in sections.values() for line in part]
    return out
