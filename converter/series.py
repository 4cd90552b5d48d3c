"""An archive of reports as time series: tidy data per report, series, revisions, renames, derived months. Pure.

Everything here works on `ReportData`, the compact, picklable tidy form of one report (its figures,
from `meaning.figures`), never on text or on label lists:

- `tidy(report)` packs a parsed report (what a worker returns and what the store keeps).
- `Archive` holds many reports in the main process compactly: series keys interned once for the
  whole archive, each report's values as flat integer arrays (no per-cell objects). Reports with
  the same keys (most of an archive) share one layout, which `build` works out once.
- `build(archive)` gives the `Timeline`: a value array per series over the calendar months, the
  missing months, the revisions, the renamed series (linked), and the months derived from the
  next year's report.

Revisions. A report with a count and a change column publishes last year's figure implicitly
(count − change); a column of the same month a year earlier ("Februar 2013" in a report for
Februar 2014) publishes it outright. When the archive holds the report of that month, the two
must agree; every difference is a revision (NAV corrected the figure, or a series changed).
Columns of other periods (a time-series table) are not used: they are shown where published.

Renames. When a label (section, row or column category) disappears between two consecutive
reports and a new one appears at the same place (same table, same position among its siblings),
the pair is a candidate. It is linked (one series, the new label) when, in a report of the
following twelve months whose year-earlier report is in the archive, the new label's implied
last-year figures agree with the old label's published ones: at least one agrees and more agree
than not (a disagreeing one is then listed as a revision). A candidate that cannot be confirmed is
only noted. A user mapping (old label, new label) links series without evidence.

Derived months. A month missing from the archive gets the figures the next year's report implies
for it, marked as derived: they are never counted as published.
"""

from __future__ import annotations

import csv
import io
import itertools
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from .meaning import figures
from .model import MONTHS, Measure, Report
from .periods import is_month_key

# A figure's coordinates without its period: (table, section, group, row, column, category, measure).
Key = tuple[str, str, str, str, str, str, str]
# A series across months: the key without the column header (a period header changes every month).
Sid = tuple[str, str, str, str, str, str]

ABSENT = -(2**63)          # the series does not occur in that report (or month)
BLANK = ABSENT + 1         # published blank, or a statistical symbol instead of a number
TABLE, SECTION, GROUP, ROW, COLUMN, CATEGORY, MEASURE = range(7)
_LABEL_FIELDS = (TABLE, SECTION, GROUP, ROW, COLUMN, CATEGORY)
_COUNT, _CHANGE, _PREVIOUS = Measure.COUNT.value, Measure.CHANGE.value, Measure.PREVIOUS.value


def month_index(period: str) -> int:
    """'2014-02' → months since year 0 (for arithmetic on periods)."""
    y, m = period.split("-")
    return int(y) * 12 + int(m) - 1


def period_of(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_between(first: str, last: str) -> list[str]:
    """Every calendar month from `first` to `last`, both included."""
    return [period_of(i) for i in range(month_index(first), month_index(last) + 1)]


def scaled(value: int | Decimal, decimals: int) -> int:
    """A published number as an integer count of 10^-decimals (exact: no floats)."""
    return int(value) if decimals == 0 else int(Decimal(value).scaleb(decimals).to_integral_value())


def unscaled(value: int, decimals: int) -> int | Decimal:
    return value if decimals == 0 else Decimal(value).scaleb(-decimals)


# --------------------------------------------------------------------------- one report's tidy data

@dataclass(frozen=True, slots=True)
class ReportData:
    """One report's figures in a compact, picklable form (no per-cell objects).

    Figure i has coordinates `keys[i]`, is about the month `offsets[i]` months from the report's
    period (0, or −12 for a year-earlier column), and has the value `values[i]` in units of
    10^-decimals[i] (ABSENT never occurs here; BLANK for a blank or a symbol, see `marks`).
    """

    period: str
    source: str
    sha256: str
    title: str
    keys: tuple[Key, ...]
    offsets: array          # array('h')
    values: array           # array('q')
    decimals: bytes
    marks: tuple[tuple[int, str], ...] = ()

    def __len__(self) -> int:
        return len(self.keys)

    def to_json(self) -> dict[str, object]:
        """A JSON-safe form (the store's file format; no pickle on disk): every label once, and the keys
        as their labels' indices, field by field (`keys[f * n + i]`: field f of figure i)."""
        fields = list(zip(*self.keys, strict=True)) if self.keys else [()] * 7
        index = {x: n for n, x in enumerate(dict.fromkeys(itertools.chain.from_iterable(fields)))}
        ids = index.__getitem__
        return {"period": self.period, "source": self.source, "sha256": self.sha256, "title": self.title,
                "strings": list(index), "keys": [n for f in fields for n in map(ids, f)],
                "offsets": self.offsets.tolist(), "values": self.values.tolist(), "decimals": list(self.decimals),
                "marks": [list(m) for m in self.marks]}

    @classmethod
    def from_json(cls, data: dict) -> ReportData:
        """The inverse of `to_json`; ValueError, TypeError or LookupError for anything else."""
        strings = data["strings"]
        if type(strings) is not list or not all(type(x) is str for x in strings):
            raise ValueError("bad label")
        n = len(data["offsets"])
        if not (len(data["values"]) == len(data["decimals"]) == n and len(data["keys"]) == 7 * n):
            raise ValueError("lengths differ")
        try:
            ids = array("I", data["keys"])         # negative or huge: OverflowError; not a number: TypeError
        except OverflowError:
            raise ValueError("bad key") from None
        label = strings.__getitem__             # an index past the labels: IndexError
        fields = [map(label, ids[f * n:(f + 1) * n]) for f in range(7)]
        return cls(str(data["period"]), str(data["source"]), str(data["sha256"]), str(data["title"]),
                   tuple(zip(*fields, strict=True)), array("h", data["offsets"]), array("q", data["values"]),
                   bytes(data["decimals"]), tuple((int(i), str(m)) for i, m in data["marks"]))


def tidy(report: Report) -> ReportData:
    """The tidy data of a parsed report, from its figures (meaning.figures).

    Only monthly figures go into the monthly series: a report for a quarter, a range, a year or a
    date gives none yet (Archive.add says so), and a column of such a period is left out.
    """
    if not is_month_key(report.period.key):
        return ReportData(report.period.key, report.source, report.sha256, report.title, (),
                          array("h"), array("q"), b"", ())
    period = month_index(report.period.key)
    keys: list[Key] = []
    offsets: list[int] = []
    values: list[int] = []
    decimals = bytearray()
    marks: list[tuple[int, str]] = []
    seen: set[tuple[Sid, int]] = set()
    renamed: dict[tuple[str, int], str] = {}
    months: dict[str, int] = {}                 # a report has one or two periods: each parsed once
    measures = _MEASURES                        # Measure → (its value, its series' measure), no enum lookups
    for f in figures(report):
        if f.period and not is_month_key(f.period):
            continue
        measure, in_series = measures[f.measure]
        key: Key = (f.table, f.section, f.group, f.row, f.column, f.category, measure)
        offset = months.get(f.period, ABSENT) if f.period else 0
        if offset == ABSENT:
            offset = months[f.period] = max(-32768, min(32767, month_index(f.period) - period))
        sid = (f.table, f.section, f.group, f.row, f.category, in_series)   # sid_of(key), inline
        probe = (sid, offset)
        if probe in seen:
            # Two tables may share a title; their figures stay apart as "Title (2)" when they would collide.
            n = 1
            while probe in seen:
                n += 1
                key = (renamed.setdefault((f.table, n), f"{f.table} ({n})"), *key[1:])
                probe = (sid_of(key), offset)
        seen.add(probe)
        keys.append(key)
        offsets.append(offset)
        value = f.value
        if value is None:
            values.append(BLANK)
            decimals.append(0)
            if f.mark:
                marks.append((len(values) - 1, f.mark))
        elif type(value) is int and not f.decimals:     # the common case: a whole count
            values.append(value)
            decimals.append(0)
        else:
            d = f.decimals
            if isinstance(value, Decimal):
                d = max(d, -int(value.as_tuple().exponent))   # type: ignore[operator]
            decimals.append(min(d, 18))
            values.append(scaled(value, d))
    return ReportData(report.period.key, report.source, report.sha256, report.title, tuple(keys),
                      array("h", offsets), array("q", values), bytes(decimals), tuple(marks))


_AS_COUNT = frozenset({_PREVIOUS, Measure.PERIOD.value})


def series_measure(measure: str) -> str:
    """The measure a figure's series is in: a count of last year or of another month is a count."""
    return _COUNT if measure in _AS_COUNT else measure


# StrEnum members hash as their text, so this lookup costs no enum machinery (tidy's hot loop).
_MEASURES = {m: (m.value, series_measure(m.value)) for m in Measure}


def sid_of(key: Key) -> Sid:
    return (key[TABLE], key[SECTION], key[GROUP], key[ROW], key[CATEGORY], series_measure(key[MEASURE]))


# --------------------------------------------------------------------------- the archive in memory

@dataclass(frozen=True, slots=True)
class Source:
    """Where a report of the archive came from."""

    period: str
    path: str
    sha256: str
    title: str
    mtime: float


@dataclass(slots=True)
class _Entry:
    source: Source
    ids: array              # array('I'): key ids (Archive.keys); shared by the reports of one layout
    offsets: array
    values: array
    decimals: bytes
    marks: dict[int, str]
    layout: int = 0         # reports with the same keys and offsets share a layout (build plans once for it)


class Archive:
    """Many reports' tidy data, compact: keys interned once, values in flat arrays per report.

    Of two reports for one month the newer file (modification time) wins, and a note says so.
    """

    def __init__(self) -> None:
        self.keys: list[Key] = []
        self._ids: dict[Key, int] = {}
        self._strings: dict[str, str] = {}
        self.entries: dict[str, _Entry] = {}
        self.notes: list[str] = []
        # Most reports of an archive have the same keys as another: their key ids are looked up once
        # (one hash of the whole key tuple), and (keys, offsets) numbers the layout.
        self._by_keys: dict[tuple[Key, ...], array] = {}
        self._layouts: dict[tuple[int, bytes], int] = {}

    def _intern(self, key: Key) -> int:
        found = self._ids.get(key)
        if found is None:
            s = self._strings
            key = tuple(s.setdefault(x, x) for x in key)   # type: ignore[assignment]
            found = self._ids[key] = len(self.keys)
            self.keys.append(key)
        return found

    def add(self, data: ReportData, path: str, mtime: float) -> None:
        if not is_month_key(data.period):
            self.notes.append(f"time series: {path} is for the period {data.period}, not a month: "
                              "not part of the monthly series")
            return
        source = Source(data.period, path, data.sha256, data.title, mtime)
        ids = self._by_keys.get(data.keys)
        if ids is None:
            ids = self._by_keys[data.keys] = array("I", (self._intern(k) for k in data.keys))
        layout = self._layouts.setdefault((id(ids), data.offsets.tobytes()), len(self._layouts))
        entry = _Entry(source, ids, data.offsets, data.values, data.decimals, dict(data.marks), layout)
        other = self.entries.get(data.period)
        if other is not None:
            newer, older = (entry, other) if mtime >= other.source.mtime else (other, entry)
            self.notes.append(f"time series: two reports for {data.period}: {older.source.path} and "
                              f"{newer.source.path}; using {newer.source.path} (newer)")
            entry = newer
        self.entries[data.period] = entry

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def periods(self) -> list[str]:
        return sorted(self.entries)


# --------------------------------------------------------------------------- results

@dataclass(frozen=True, slots=True)
class Revision:
    period: str             # the month the figure is about
    report: str             # the report (a year later) that implies it
    table: str
    section: str
    group: str
    row: str
    column: str
    published: int | Decimal
    implied: int | Decimal

    @property
    def difference(self) -> int | Decimal:
        return self.implied - self.published


@dataclass(frozen=True, slots=True)
class Rename:
    old: str
    new: str
    since: str              # first month with the new label ("" for a user mapping)
    confirmed: bool = True

    def __str__(self) -> str:
        text = f"Omdøpt: «{self.old}» → «{self.new}»"
        if self.since:
            text += f" fra {self.since}"
        return text if self.confirmed else text + " (mulig, ikke bekreftet: ikke slått sammen)"


@dataclass(slots=True)
class Line:
    """One series over the months: values in units of 10^-decimals (ABSENT/BLANK as in ReportData)."""

    sid: Sid
    column: str             # the column header to show (the newest report's)
    decimals: int
    values: array
    marks: dict[int, str] = field(default_factory=dict)
    derived: set[int] = field(default_factory=set)

    def value(self, m: int) -> int | Decimal | None:
        v = self.values[m]
        return None if v <= BLANK else unscaled(v, self.decimals)


@dataclass(slots=True)
class Timeline:
    months: list[str]
    sources: list[Source]               # one per month that has a report, in month order
    missing: list[str]
    lines: list[Line]
    revisions: list[Revision]
    renames: list[Rename]
    notes: list[str]

    @property
    def derived_months(self) -> list[str]:
        seen = sorted({m for line in self.lines for m in line.derived})
        return [self.months[m] for m in seen]

    @property
    def derived_values(self) -> int:
        return sum(len(line.derived) for line in self.lines)


# --------------------------------------------------------------------------- renames

def load_renames(data: str) -> dict[str, str]:
    """A user's mapping: CSV lines `old label,new label` (`;` or tab also accepted; `#` comments).

    Raises ValueError naming the line of a bad entry.
    """
    sample = data[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else "\t" if "\t" in sample else ","
    out: dict[str, str] = {}
    for n, row in enumerate(csv.reader(io.StringIO(data), delimiter=delimiter), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if len(row) != 2 or not row[0].strip() or not row[1].strip():
            shown = delimiter.join(row)
            shown = shown if len(shown) <= 60 else shown[:59] + "…"
            raise ValueError(f"line {n}: expected two labels (old, new), got {len(row)} field(s): «{shown}»")
        old, new = row[0].strip(), row[1].strip()
        if n == 1 and (old.casefold(), new.casefold()) in {("old", "new"), ("gammel", "ny"), ("fra", "til")}:
            continue                        # a header line
        out[old] = new
    return out


def _orders(archive: Archive, entry: _Entry) -> dict[tuple, list[str]]:
    """Per place, the labels in report order: sections of a table, rows of a section, categories of a table."""
    keys = archive.keys
    out: dict[tuple, dict[str, None]] = {}
    for i, kid in enumerate(entry.ids):
        if entry.offsets[i]:
            continue
        k = keys[kid]
        out.setdefault(("section", k[TABLE]), {})[k[SECTION]] = None
        out.setdefault(("row", k[TABLE], k[SECTION]), {})[k[ROW]] = None
        if k[CATEGORY]:
            out.setdefault(("category", k[TABLE]), {})[k[CATEGORY]] = None
    return {place: list(labels) for place, labels in out.items()}


def _candidates(before: dict[tuple, list[str]], after: dict[tuple, list[str]]) -> dict[str, str]:
    """Labels that vanished and appeared at the same position of the same place (sections first)."""
    found: dict[str, str] = {}
    for kind in ("section", "category", "row"):
        for place, new in after.items():
            if place[0] != kind:
                continue
            old_place = place
            if kind == "row":
                inverse = {v: k for k, v in found.items()}
                old_place = ("row", place[1], inverse.get(place[2], place[2]))
            old = before.get(old_place)
            if old is None:
                continue
            gone = [(i, x) for i, x in enumerate(old) if x not in new]
            came = {i: x for i, x in enumerate(new) if x not in old}
            for i, x in gone:
                if i in came and x and came[i]:
                    found.setdefault(x, came[i])
    return found


def _map_key(key: Key, mapping: dict[str, str]) -> Key:
    return tuple(mapping.get(x, x) if f in _LABEL_FIELDS else x for f, x in enumerate(key))  # type: ignore[return-value]


_OTHER, _ROLE_COUNT, _ROLE_CHANGE, _ROLE_PREVIOUS = range(4)


class _Sids:
    """Series keys interned as small integers (shared by every view of one build)."""

    def __init__(self) -> None:
        self.index: dict[Sid, int] = {}
        self.list: list[Sid] = []

    def id(self, sid: Sid) -> int:
        found = self.index.get(sid)
        if found is None:
            found = self.index[sid] = len(self.list)
            self.list.append(sid)
        return found


class _View:
    """The archive's keys read one way (renames applied or not): per key id, its series and role.

    `count[k]`: for a change figure, the series of the count it belongs to; else the key's own series.
    """

    __slots__ = ("count", "keys", "role", "sid")

    def __init__(self, keys: list[Key], sids: _Sids) -> None:
        self.keys = keys
        self.sid = [sids.id(sid_of(k)) for k in keys]
        roles = {_COUNT: _ROLE_COUNT, _CHANGE: _ROLE_CHANGE, _PREVIOUS: _ROLE_PREVIOUS}
        self.role = bytes(roles.get(k[MEASURE], _OTHER) for k in keys)
        self.count = [sids.id((*sid_of(k)[:5], _COUNT)) if r == _ROLE_CHANGE else s   # type: ignore[arg-type]
                      for k, r, s in zip(keys, self.role, self.sid, strict=True)]


class _Plan:
    """One layout (Archive's) read through one view: which figures are which, worked out once for
    every report of that layout (each report then only reads its values). Pairs are (figure, series
    id), in figure order."""

    __slots__ = ("changes", "counts", "own", "previous")

    def __init__(self, entry: _Entry, view: _View) -> None:
        role, sid, count_of = view.role, view.sid, view.count
        offsets = entry.offsets
        self.own: list[tuple[int, int]] = []         # every figure of the report's own month
        self.counts: list[tuple[int, int]] = []      # its counts
        self.changes: list[tuple[int, int]] = []     # its changes, with the series of their count
        self.previous: list[tuple[int, int]] = []    # year-earlier columns
        for i, kid in enumerate(entry.ids):
            r, offset = role[kid], offsets[i]
            if offset == 0:
                self.own.append((i, sid[kid]))
                if r == _ROLE_COUNT:
                    self.counts.append((i, sid[kid]))
                elif r == _ROLE_CHANGE:
                    self.changes.append((i, count_of[kid]))
            elif offset == -12 and r == _ROLE_PREVIOUS:
                self.previous.append((i, sid[kid]))


Plans = dict[tuple[int, _View], _Plan]


def _plan(entry: _Entry, view: _View, plans: Plans | None) -> _Plan:
    if plans is None:
        return _Plan(entry, view)
    key = (entry.layout, view)              # the view itself (by identity), so no other view reuses its id
    found = plans.get(key)
    if found is None:
        found = plans[key] = _Plan(entry, view)
    return found


def _unmarked(pairs: list[tuple[int, int]], marks: dict[int, str]) -> list[tuple[int, int]]:
    """A symbol published instead of a number is no figure to compare."""
    return [(i, s) for i, s in pairs if i not in marks] if marks else pairs


def _implied(entry: _Entry, view: _View, plans: Plans | None = None) -> dict[int, tuple[int, int]]:
    """What `entry` implies for its period − 12: {count series id: (scaled value, decimals)}."""
    plan = _plan(entry, view, plans)
    values, decimals, marks = entry.values, entry.decimals, entry.marks
    out = {s: (values[i], decimals[i]) for i, s in _unmarked(plan.previous, marks) if values[i] != BLANK}
    if not plan.changes:
        return out
    counts = {s: i for i, s in _unmarked(plan.counts, marks)}
    changes = {s: j for j, s in _unmarked(plan.changes, marks)}
    for s, j in changes.items():
        i = counts.get(s)       # type: ignore[assignment]
        change = values[j]
        if i is None or change == BLANK or s in out:
            continue
        count = values[i]
        if decimals[i] == decimals[j]:
            out[s] = ((0 if count == BLANK else count) - change, decimals[j])
            continue
        d = max(decimals[i], decimals[j])
        now = 0 if count == BLANK else count * 10 ** (d - decimals[i])
        out[s] = (now - change * 10 ** (d - decimals[j]), d)
    return out


def _published(entry: _Entry, view: _View, plans: Plans | None = None) -> dict[int, tuple[int, int]]:
    """A report's own counts: {count series id: (scaled value, decimals)}, a blank as 0, symbols left out."""
    values, decimals = entry.values, entry.decimals
    return {s: (0 if values[i] == BLANK else values[i], decimals[i])
            for i, s in _unmarked(_plan(entry, view, plans).counts, entry.marks)}


def _same(a: tuple[int, int], b: tuple[int, int]) -> bool:
    d = max(a[1], b[1])
    return a[0] * 10 ** (d - a[1]) == b[0] * 10 ** (d - b[1])


def find_renames(archive: Archive, sids: _Sids | None = None, view: _View | None = None,
                 plans: Plans | None = None) -> list[Rename]:
    """Renamed labels, confirmed by the figures (see the module's docstring)."""
    sids = sids or _Sids()
    view = view or _View(archive.keys, sids)
    plans = {} if plans is None else plans
    periods = archive.periods
    out: list[Rename] = []
    linked: set[str] = set()
    signatures: dict[int, frozenset[int]] = {}     # per layout: its series of the report's own month
    for prev, cur in itertools.pairwise(periods):
        before, after = archive.entries[prev], archive.entries[cur]
        # The same series in both: nothing renamed (the common case, decided cheaply).
        if before.layout == after.layout or (_signature(before, view, plans, signatures)
                                             == _signature(after, view, plans, signatures)):
            continue
        pairs = _candidates(_orders(archive, before), _orders(archive, after))
        pairs = {o: n for o, n in pairs.items() if o not in linked}
        if not pairs:
            continue
        inverse = {n: o for o, n in pairs.items()}
        agree = dict.fromkeys(inverse, 0)
        disagree = dict.fromkeys(inverse, 0)
        start = month_index(cur)
        old_view: _View | None = None
        for q in range(start, start + 12):
            later = archive.entries.get(period_of(q))
            earlier = archive.entries.get(period_of(q - 12))
            if later is None or earlier is None:
                continue
            if old_view is None:
                old_view = _View([_map_key(k, pairs) for k in archive.keys], sids)
            published = _published(earlier, old_view, plans)
            for s, value in _implied(later, view, plans).items():
                labels = [x for x in sids.list[s][:5] if x in inverse]
                if not labels or s not in published:
                    continue
                for label in labels:
                    if _same(value, published[s]):
                        agree[label] += 1
                    else:
                        disagree[label] += 1
        for old, new in pairs.items():
            ok = agree[new] >= 1 and agree[new] > disagree[new]
            out.append(Rename(old, new, cur, ok))
            if ok:
                linked.add(old)
    return out


def _signature(entry: _Entry, view: _View, plans: Plans, signatures: dict[int, frozenset[int]]) -> frozenset[int]:
    found = signatures.get(entry.layout)
    if found is None:
        found = signatures[entry.layout] = frozenset(s for _, s in _plan(entry, view, plans).own)
    return found


# --------------------------------------------------------------------------- the timeline

def build(archive: Archive, user_renames: dict[str, str] | None = None) -> Timeline:
    """Series, missing months, revisions, renames and derived months of `archive` (≥ 1 report)."""
    periods = archive.periods
    months = months_between(periods[0], periods[-1])
    first = month_index(months[0])
    sids = _Sids()
    plain = _View(archive.keys, sids)
    plans: Plans = {}
    renames = find_renames(archive, sids, plain, plans)
    for old, new in (user_renames or {}).items():
        renames.append(Rename(old, new, ""))
    notes = list(archive.notes)
    # Each report's keys as the series they belong to (renamed labels mapped to the new ones).
    since = {r.old: (month_index(r.since) if r.since else None, r.new) for r in renames if r.confirmed}
    cache: dict[tuple[tuple[str, str], ...], _View] = {}

    def view_of(period: str) -> _View:
        m = month_index(period)
        mapping = {o: n for o, (s, n) in since.items() if s is None or m < s}
        if not mapping:
            return plain
        token = tuple(sorted(mapping.items()))
        if token not in cache:
            cache[token] = _View([_map_key(k, mapping) for k in archive.keys], sids)
        return cache[token]

    lines: dict[int, Line] = {}
    n = len(months)
    views = {p: view_of(p) for p in periods}
    # Per plan: (figure, its line) pairs, and the units (decimals) that let a report's values be
    # stored as they are, valid while no line has changed its unit (`rescaled`).
    placed: dict[tuple[int, _View], tuple[list[tuple[int, Line]], bytes, int]] = {}
    rescaled = 0
    # Newest report first: series appear in the newest report's order, old series after.
    for period in reversed(periods):
        entry = archive.entries[period]
        view = views[period]
        m = month_index(period) - first
        values, decimals, marks = entry.values, entry.decimals, entry.marks
        found = placed.get((entry.layout, view))
        if found is None:
            # The first report of its layout (newest first) makes the lines it is the first to have.
            own = _plan(entry, view, plans).own
            for i, s in own:
                if s not in lines:
                    lines[s] = Line(sids.list[s], _column(view.keys[entry.ids[i]]), decimals[i],
                                    array("q", [ABSENT]) * n)
            pairs = [(i, lines[s]) for i, s in own]
        else:
            pairs, units, epoch = found
        if found is not None and decimals == units and epoch == rescaled:
            for i, line in pairs:           # every value in its line's unit (or absent): stored as is
                line.values[m] = values[i]
        else:
            for i, line in pairs:
                v, d = values[i], decimals[i]
                if d == line.decimals or v <= BLANK:
                    line.values[m] = v
                else:
                    unit = line.decimals
                    _put(line, m, v, d)
                    rescaled += line.decimals != unit
            units = bytearray(decimals)
            for i, line in pairs:
                units[i] = line.decimals
            placed[(entry.layout, view)] = (pairs, bytes(units), rescaled)
        if marks:
            of = dict(pairs)
            for i in sorted(marks):
                if i in of:
                    of[i].marks[m] = marks[i]

    revisions: list[Revision] = []
    for period in periods:
        entry = archive.entries[period]
        target = month_index(period) - 12
        implied = _implied(entry, views[period], plans)
        if not implied:
            continue
        earlier = archive.entries.get(period_of(target))
        if earlier is not None:
            published = _published(earlier, views[earlier.source.period], plans)
            for s, value in implied.items():
                then = published.get(s)
                if then is None or then == value or _same(value, then):
                    continue
                sid = sids.list[s]
                line = lines.get(s)
                revisions.append(Revision(period_of(target), period, sid[0], sid[1], sid[2], sid[3],
                                          line.column if line else "", unscaled(*then), unscaled(*value)))
        elif target >= first:
            m = target - first
            for s, (value, d) in implied.items():
                line = lines.get(s)
                if line is None or line.values[m] != ABSENT:
                    continue
                _put(line, m, value, d)
                line.derived.add(m)
    missing = [months[i] for i in range(n) if months[i] not in archive.entries]
    if missing:
        notes.append(f"time series: {len(missing)} missing month(s): {', '.join(missing)}")
    sources = [archive.entries[p].source for p in periods]
    return Timeline(months, sources, missing, list(lines.values()), revisions, renames, notes)


def _column(key: Key) -> str:
    """The column header to show: a period header ("Februar 2014") of a count is shown as "Antall"."""
    words = key[COLUMN].split()
    if key[MEASURE] == _COUNT and len(words) == 2 and words[0].casefold() in MONTHS and words[1].isdigit():
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
                "derived")


def tidy_rows(timeline: Timeline) -> Iterator[tuple[str, ...]]:
    """The long table, month by month in series order: one row per published (or derived) figure."""
    for m, month in enumerate(timeline.months):
        for line in timeline.lines:
            v = line.values[m]
            if v == ABSENT:
                continue
            sid = line.sid
            value = "" if v == BLANK else str(unscaled(v, line.decimals))
            yield (month, sid[0], sid[1], sid[2], sid[3], line.column, sid[4], sid[5], value,
                   line.marks.get(m, ""), "1" if m in line.derived else "")


def group_lines(lines: Iterable[Line]) -> dict[tuple[str, str], list[Line]]:
    """Lines per (table, section), in order of first appearance."""
    out: dict[tuple[str, str], list[Line]] = {}
    for line in lines:
        out.setdefault((line.sid[0], line.sid[1]), []).append(line)
    return out
