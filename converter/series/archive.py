"""An archive of reports as time series: tidy data per report, series, revisions, renames, derived months. Pure.

Everything here works on `ReportData`, the compact, picklable tidy form of one report (its figures,
from `meaning.figures`), never on text or on label lists:

- `tidy(report)` packs a parsed report (what a worker returns and what the store keeps).
- `Archive` holds many reports in the main process compactly: series keys interned once for the
  whole archive, each report's values as flat integer arrays (no per-cell objects). Reports with
  the same keys (most of an archive) share one layout, which `build` works out once.
- `build(archive)` gives the `Timeline`: a value array per series over the calendar months, the
  missing months, the revisions, the renamed series (linked), and the values derived from the
  next year's report; the other frequencies (quarters, ranges of months, years, yearly averages,
  dates) each get a timeline of their own (`Timeline.others`), never mixed into the months.

Which report. A report is its kind and its period (`report_kind`: the title, or the table titles
when the title is generic, and the slice a title names, such as a county). Reports of different
kinds or slices for one period are all kept and merged; two of the same kind and period are
duplicates (the newer file wins, and the batch summary says so).

Every published figure under its own period. A report's own figures are filed under its period;
a column or section of another period (a year column "Februar 2013" in a report for Februar 2014,
a "Tidsserie måned" report's month columns) is a published value of *that* period: it fills the
period when no report of its own publishes it (marked `republished`, never `derived`), and is
never filed as a count of the report's own month.

Revisions. A report with a count and a change column publishes last year's figure implicitly
(count − change); a year-earlier column publishes it outright. Where a report of that period (or
an earlier report's column) published the figure, the two must agree; every difference is a
revision (NAV corrected the figure, or a series changed), and so is a difference between two
reports of other kinds publishing the same figure for the same period.

Renames. When a label (section, row or column category) disappears between two consecutive
reports and a new one appears at the same place (same table, same position among its siblings),
the pair is a candidate. It is linked (one series, the new label) when, in a report of the
following twelve months whose year-earlier report is in the archive, the new label's implied
last-year figures agree with the old label's published ones: at least one agrees and more agree
than not (a disagreeing one is then listed as a revision). A candidate that cannot be confirmed is
only noted. A user mapping (old label, new label) links series without evidence.

Derived values. A period no report publishes a series' figure for gets the figure the next year's
report implies for it (count − change), marked as derived: never counted as published. Period
labels ("Februar 2001") are never rename candidates.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from ..model import Measure, Report
from ..rules.labels import canon
from ..rules.meaning import figures
from ..rules.periods import is_month_key, parse_period, year_before

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


# --------------------------------------------------------------------------- periods on their axes

# Each kind of period is its own series (its own sheets), in this order (model.PeriodKind values).
FREQUENCIES = ("month", "quarter", "months", "year", "average", "date")
_KEY_FORM = re.compile(r"\d{4}(-\d\d(-\d\d|/\d{4}-\d\d)?|-Q[1-4]|-avg)?")


def frequency_of(key: str) -> str:
    """The kind of period a key is ("2014-02" → "month", "2020-Q1" → "quarter", …; model.Period.key)."""
    if is_month_key(key):
        return "month"
    if "/" in key:
        return "months"
    if "-Q" in key:
        return "quarter"
    if key.endswith("-avg"):
        return "average"
    return "year" if len(key) == 4 else "date"


def end_month(key: str) -> int:
    """The month index of a period's last month: orders the reports of every kind of period."""
    kind = frequency_of(key)
    if kind == "month":
        return month_index(key)
    if kind == "months":
        return month_index(key.split("/")[1])
    year = int(key[:4])
    if kind == "quarter":
        return year * 12 + int(key[-1]) * 3 - 1
    if kind in ("year", "average"):
        return year * 12 + 11
    return year * 12 + int(key[5:7]) - 1


def _start_month(key: str) -> int:
    return month_index(key.split("/")[0]) if "/" in key else end_month(key)


def _position(kind: str, key: str) -> int | None:
    """A period's place on its kind's continuous axis (months, quarters, years); None for ranges
    and dates, whose axis is the periods published (no gaps to speak of)."""
    if kind == "month":
        return month_index(key)
    if kind == "quarter":
        return int(key[:4]) * 4 + int(key[-1]) - 1
    if kind in ("year", "average"):
        return int(key[:4])
    return None


def _key_at(kind: str, position: int) -> str:
    if kind == "month":
        return period_of(position)
    if kind == "quarter":
        return f"{position // 4:04d}-Q{position % 4 + 1}"
    return f"{position:04d}" + ("-avg" if kind == "average" else "")


def _axis(kind: str, keys: Iterable[str]) -> list[str]:
    """Every period from the first to the last published one (for months, quarters and years), else
    the published ones, in order."""
    keys = set(keys)
    if not keys:
        return []
    if kind in ("months", "date"):
        return sorted(keys, key=lambda k: (end_month(k), k))
    positions = [_position(kind, k) for k in keys]
    return [_key_at(kind, p) for p in range(min(positions), max(positions) + 1)]   # type: ignore[type-var,operator]


# --------------------------------------------------------------------------- which report it is

# A title part that names the frequency ("En måned", "Tidsserie måned", "Årsgjennomsnitt"): what
# follows it is the report's slice ("… En måned. Møre og Romsdal").
_FREQUENCY_WORDS = frozenset({"måned", "måneder", "mnd", "kvartal", "kvartaler", "år", "årsgjennomsnitt",
                              "gjennomsnitt", "tidsserie", "dato", "årlig", "månedlig"})
_PARTS = re.compile(r"\.\s+")


def report_kind(title: str, tables: Iterable[str]) -> tuple[str, str, str]:
    """(kind, slice, identity) of a report, from its title and its tables' titles (never its file name).

    The title's parts (split at ". "): the first names the statistic ("Deltakere i arbeidsrettede
    tiltak"), the parts up to the one naming the frequency are the kind ("Tiltak og fylke. En
    måned"), and the parts after it the slice ("Møre og Romsdal"). A generic title (one part, or
    none) leaves the kind to the first table's title. The identity is the title with every table
    title, canonical: two reports are duplicates only when their identity and their period agree,
    so a county named in the title or in the table titles keeps its report apart.
    """
    titles = list(dict.fromkeys(t for t in tables if t))
    parts = [p.strip(" .") for p in _PARTS.split(title.strip()) if p.strip(" .")]
    frequency = next((i for i in range(len(parts) - 1, 0, -1)
                      if _FREQUENCY_WORDS & set(canon(parts[i]).replace("/", " ").split())), None)
    slice_ = ". ".join(parts[frequency + 1:]) if frequency is not None else ""
    named = parts[1:frequency + 1] if frequency is not None else parts[1:]
    kind = ". ".join(named) if named else (titles[0] if titles else title.strip())
    identity = "\x1f".join([canon(title), *(canon(t) for t in titles)])
    return kind, slice_, identity


def _qualified(table: str, slice_: str) -> str:
    """A table's series label: its title, and the report's slice unless the title names it."""
    return f"{table} – {slice_}" if slice_ and canon(slice_) not in canon(table) else table


# --------------------------------------------------------------------------- one report's tidy data

@dataclass(frozen=True, slots=True)
class ReportData:
    """One report's figures in a compact, picklable form (no per-cell objects).

    Figure i has coordinates `keys[i]`, is about the period `periods[at[i]]` (`periods[0]` is the
    report's own period; another is a column or section of another period: a year column, a
    time-series column), and has the value `values[i]` in units of 10^-decimals[i] (ABSENT never
    occurs here; BLANK for a blank or a symbol, see `marks`). `kind` and `identity`: report_kind.
    """

    period: str
    source: str
    sha256: str
    title: str
    keys: tuple[Key, ...]
    at: array               # array('H'): index into periods
    values: array           # array('q')
    decimals: bytes
    marks: tuple[tuple[int, str], ...] = ()
    periods: tuple[str, ...] = ()       # () means (period,)
    kind: str = ""
    identity: str = ""

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def slots(self) -> tuple[str, ...]:
        return self.periods or (self.period,)

    def to_json(self) -> dict[str, object]:
        """A JSON-safe form (the store's file format; no pickle on disk): every label once, and the keys
        as their labels' indices, field by field (`keys[f * n + i]`: field f of figure i)."""
        fields = list(zip(*self.keys, strict=True)) if self.keys else [()] * 7
        index = {x: n for n, x in enumerate(dict.fromkeys(itertools.chain.from_iterable(fields)))}
        ids = index.__getitem__
        return {"period": self.period, "source": self.source, "sha256": self.sha256, "title": self.title,
                "strings": list(index), "keys": [n for f in fields for n in map(ids, f)],
                "at": self.at.tolist(), "periods": list(self.slots), "values": self.values.tolist(),
                "decimals": list(self.decimals), "marks": [list(m) for m in self.marks],
                "kind": self.kind, "identity": self.identity}

    @classmethod
    def from_json(cls, data: dict) -> ReportData:
        """The inverse of `to_json`; ValueError, TypeError or LookupError for anything else."""
        strings = data["strings"]
        if type(strings) is not list or not all(type(x) is str for x in strings):
            raise ValueError("bad label")
        periods = tuple(str(p) for p in data["periods"])
        if not periods or not all(_KEY_FORM.fullmatch(p) for p in periods) or periods[0] != str(data["period"]):
            raise ValueError("bad period")
        n = len(data["at"])
        if not (len(data["values"]) == len(data["decimals"]) == n and len(data["keys"]) == 7 * n):
            raise ValueError("lengths differ")
        try:
            ids = array("I", data["keys"])         # negative or huge: OverflowError; not a number: TypeError
            at = array("H", data["at"])
        except OverflowError:
            raise ValueError("bad key") from None
        if n and max(at) >= len(periods):
            raise ValueError("bad period index")
        label = strings.__getitem__             # an index past the labels: IndexError
        fields = [map(label, ids[f * n:(f + 1) * n]) for f in range(7)]
        return cls(str(data["period"]), str(data["source"]), str(data["sha256"]), str(data["title"]),
                   tuple(zip(*fields, strict=True)), at, array("q", data["values"]),
                   bytes(data["decimals"]), tuple((int(i), str(m)) for i, m in data["marks"]), periods,
                   str(data["kind"]), str(data["identity"]))


def tidy(report: Report) -> ReportData:
    """The tidy data of a parsed report, from its figures (meaning.figures): every figure under its
    own period (the report's, or a column's or section's: a year column, a time-series column)."""
    own = report.period.key
    kind, slice_, identity = report_kind(report.title, (t.title for t in report.tables))
    keys: list[Key] = []
    at: list[int] = []
    values: list[int] = []
    decimals = bytearray()
    marks: list[tuple[int, str]] = []
    seen: set[tuple[Sid, int]] = set()
    renamed: dict[tuple[str, int], str] = {}
    slots: dict[str, int] = {own: 0}
    tables: dict[str, str] = {}
    measures = _MEASURES                        # Measure → (its value, its series' measure), no enum lookups
    for f in figures(report):
        measure, in_series = measures[f.measure]
        table = tables.get(f.table)
        if table is None:
            table = tables[f.table] = _qualified(f.table, slice_)
        key: Key = (table, f.section, f.group, f.row, f.column, f.category, measure)
        slot = slots.setdefault(f.period, len(slots)) if f.period else 0
        sid = (table, f.section, f.group, f.row, f.category, in_series)   # sid_of(key), inline
        probe = (sid, slot)
        if probe in seen:
            # Two tables may share a title; their figures stay apart as "Title (2)" when they would collide.
            n = 1
            while probe in seen:
                n += 1
                key = (renamed.setdefault((table, n), f"{table} ({n})"), *key[1:])
                probe = (sid_of(key), slot)
        seen.add(probe)
        keys.append(key)
        at.append(slot)
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
    return ReportData(own, report.source, report.sha256, report.title, tuple(keys), array("H", at),
                      array("q", values), bytes(decimals), tuple(marks), tuple(slots), kind, identity)


_AS_COUNT = frozenset({_PREVIOUS, Measure.PERIOD.value})


def series_measure(measure: str) -> str:
    """The measure a figure's series is in: a count of last year or of another month is a count."""
    return _COUNT if measure in _AS_COUNT else measure


# StrEnum members hash as their text, so this lookup costs no enum machinery (tidy's hot loop).
_MEASURES = {m: (m.value, series_measure(m.value)) for m in Measure}


def sid_of(key: Key) -> Sid:
    return (key[TABLE], key[SECTION], key[GROUP], key[ROW], key[CATEGORY], series_measure(key[MEASURE]))


# --------------------------------------------------------------------------- the archive in memory

class Note(str):
    """A note on the time series: the English line for the command line (the string itself),
    and `no`, its Norwegian words for the workbook (tidsserie.xlsx is Norwegian)."""

    no: str

    def __new__(cls, en: str, no: str) -> Note:
        note = super().__new__(cls, en)
        note.no = no
        return note


@dataclass(frozen=True, slots=True)
class Source:
    """Where a report of the archive came from."""

    period: str
    path: str
    sha256: str
    title: str
    mtime: float
    kind: str = ""


@dataclass(slots=True)
class _Entry:
    source: Source
    ids: array              # array('I'): key ids (Archive.keys); shared by the reports of one layout
    at: array
    values: array
    decimals: bytes
    marks: dict[int, str]
    periods: tuple[str, ...]
    identity: str
    order: int              # the month index of the report's period's last month
    layout: int = 0         # reports with the same keys and relative periods share a layout (build plans once)


class Archive:
    """Many reports' tidy data, compact: keys interned once, values in flat arrays per report.

    A report is identified by its identity (report_kind: title and table titles) and its period:
    reports of other kinds or slices for the same period are all kept. Of two reports of the same
    identity and period the newer file (modification time) wins; `duplicates` and a note say so.
    """

    def __init__(self) -> None:
        self.keys: list[Key] = []
        self._ids: dict[Key, int] = {}
        self._strings: dict[str, str] = {}
        self.entries: dict[tuple[str, str], _Entry] = {}
        self._unused: dict[tuple[str, str], list[Source]] = {}   # per (identity, period): the reports not used
        # Most reports of an archive have the same keys as another: their key ids are looked up once
        # (one hash of the whole key tuple), and (keys, at, relative periods) numbers the layout.
        self._by_keys: dict[tuple[Key, ...], array] = {}
        self._layouts: dict[tuple[object, ...], int] = {}

    def _intern(self, key: Key) -> int:
        found = self._ids.get(key)
        if found is None:
            s = self._strings
            key = tuple(s.setdefault(x, x) for x in key)   # type: ignore[assignment]
            found = self._ids[key] = len(self.keys)
            self.keys.append(key)
        return found

    def add(self, data: ReportData, path: str, mtime: float) -> None:
        periods = data.slots
        kind = data.kind or data.title
        source = Source(data.period, path, data.sha256, data.title, mtime, kind)
        ids = self._by_keys.get(data.keys)
        if ids is None:
            ids = self._by_keys[data.keys] = array("I", (self._intern(k) for k in data.keys))
        order = end_month(data.period)
        relative = tuple((frequency_of(p), end_month(p) - order, _start_month(p) - order) for p in periods)
        layout = self._layouts.setdefault((id(ids), data.at.tobytes(), relative), len(self._layouts))
        identity = data.identity or canon(data.title)
        entry = _Entry(source, ids, data.at, data.values, data.decimals, dict(data.marks), periods, identity,
                       order, layout)
        slot = (identity, data.period)
        other = self.entries.get(slot)
        if other is not None:
            # The newer file wins; of two with the same time stamp, the later path (not the
            # order the workers happened to finish in).
            newer, older = ((entry, other) if (mtime, path) > (other.source.mtime, other.source.path)
                            else (other, entry))
            self._unused.setdefault(slot, []).append(older.source)
            entry = newer
        self.entries[slot] = entry

    @property
    def duplicates(self) -> list[tuple[str, str, str]]:
        """(period, a report not used, the one used) for every duplicate, in an order that does not
        depend on the order the reports arrived in (a batch's workers finish in any order)."""
        return [(slot[1], older.path, self.entries[slot].source.path) for slot, older in self._losers()]

    @property
    def notes(self) -> list[Note]:
        """A note for every report not used: which one is, and why (newer, or the later path)."""
        notes = []
        for slot, older in self._losers():
            period, used = slot[1], self.entries[slot].source
            tie = older.mtime == used.mtime
            first, last = sorted((older.path, used.path)) if tie else (older.path, used.path)
            notes.append(Note(
                f"time series: two reports for {period}: {first} and {last}; using {used.path} "
                + ("(same time stamp: the later path)" if tie else "(newer)"),
                f"To rapporter for {period}: {first} og {last}; bruker {used.path} "
                + ("(samme endringstid: den siste etter filsti)" if tie else "(nyeste)")))
        return notes

    def _losers(self) -> list[tuple[tuple[str, str], Source]]:
        """(slot, a report not used there), sorted by period, identity and path."""
        return sorted(((slot, older) for slot, unused in self._unused.items() for older in unused),
                      key=lambda x: (x[0][1], x[0][0], x[1].path))

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def periods(self) -> list[str]:
        """The reports' periods, each once, in order."""
        return sorted({e.source.period for e in self.entries.values()}, key=lambda p: (end_month(p), p))

    def reports(self) -> list[_Entry]:
        """The reports in period order (then by identity, then path)."""
        return sorted(self.entries.values(), key=lambda e: (e.order, e.source.period, e.identity, e.source.path))

    @property
    def kinds(self) -> dict[str, int]:
        """Reports per kind (report_kind), most first."""
        counts: dict[str, int] = {}
        for e in self.entries.values():
            counts[e.source.kind] = counts.get(e.source.kind, 0) + 1
        return dict(sorted(counts.items(), key=lambda x: (-x[1], x[0])))


# --------------------------------------------------------------------------- results

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
        if entry.at[i]:
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
                # A period heading or label ("Februar 2001" → "August 2001") is a period, never a rename.
                if i in came and x and came[i] and not (parse_period(x) or parse_period(came[i])):
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

    __slots__ = ("changes", "counts", "other", "own", "previous")

    def __init__(self, entry: _Entry, view: _View) -> None:
        role, sid, count_of = view.role, view.sid, view.count
        at = entry.at
        periods = entry.periods
        before = year_before(periods[0])
        self.own: list[tuple[int, int]] = []         # every figure of the report's own period
        self.counts: list[tuple[int, int]] = []      # its counts
        self.changes: list[tuple[int, int]] = []     # its changes, with the series of their count
        self.previous: list[tuple[int, int]] = []    # counts of the same period a year earlier (a year column)
        self.other: list[tuple[int, int, int]] = []  # every figure of another period: (figure, series, period slot)
        for i, kid in enumerate(entry.ids):
            r, slot = role[kid], at[i]
            if slot == 0:
                self.own.append((i, sid[kid]))
                if r == _ROLE_COUNT:
                    self.counts.append((i, sid[kid]))
                elif r == _ROLE_CHANGE:
                    self.changes.append((i, count_of[kid]))
                continue
            self.other.append((i, sid[kid], slot))
            if periods[slot] == before and r in (_ROLE_PREVIOUS, _ROLE_COUNT):
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


def _implied(entry: _Entry, view: _View, plans: Plans | None = None,
             columns: bool = True) -> dict[int, tuple[int, int]]:
    """What `entry` says of its period a year earlier: {count series id: (scaled value, decimals)}:
    its year-earlier column, else count − change (`columns=False`: only count − change, for the
    series without such a column)."""
    plan = _plan(entry, view, plans)
    values, decimals, marks = entry.values, entry.decimals, entry.marks
    out = {s: (values[i], decimals[i]) for i, s in _unmarked(plan.previous, marks) if values[i] != BLANK}
    skip: set[int] = set()
    if not columns:
        skip, out = set(out), {}
    if not plan.changes:
        return out
    counts = {s: i for i, s in _unmarked(plan.counts, marks)}
    changes = {s: j for j, s in _unmarked(plan.changes, marks)}
    for s, j in changes.items():
        i = counts.get(s)       # type: ignore[assignment]
        change = values[j]
        if i is None or change == BLANK or s in out or (not columns and s in skip):
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
    """Renamed labels, confirmed by the figures (see the module's docstring); each kind of report's
    months compared in turn (a county report with the next month's report of the same county)."""
    sids = sids or _Sids()
    view = view or _View(archive.keys, sids)
    plans = {} if plans is None else plans
    kinds = _sequences(archive)
    out: list[Rename] = []
    said: set[tuple[str, str]] = set()
    linked: set[str] = set()
    signatures: dict[int, frozenset[int]] = {}     # per layout: its series of the report's own month
    for identity in sorted(kinds):
        entries = kinds[identity]
        for prev, cur in itertools.pairwise(sorted(entries)):
            before, after = entries[prev], entries[cur]
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
                later = entries.get(period_of(q))
                earlier = entries.get(period_of(q - 12))
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
                if (old, new) not in said or ok:
                    out = [r for r in out if (r.old, r.new) != (old, new)]
                    out.append(Rename(old, new, cur, ok))
                    said.add((old, new))
                if ok:
                    linked.add(old)
    return out


def _sequences(archive: Archive) -> dict[str, dict[str, _Entry]]:
    """The monthly reports as sequences of one kind each, {month: report}, for finding renames: by
    title (a table NAV adds does not break the sequence), or by identity (title and table titles)
    where one title has several reports a month (slices named only in the table titles) or is
    generic (no ". " part)."""
    by_title: dict[str, list[tuple[str, _Entry]]] = {}
    for (_, period), entry in archive.entries.items():
        if is_month_key(period):
            title = canon(entry.source.title)
            by_title.setdefault(title if "." in title else entry.identity, []).append((period, entry))
    out: dict[str, dict[str, _Entry]] = {}
    for title, entries in by_title.items():
        if len({p for p, _ in entries}) == len(entries):
            out[title] = dict(entries)
            continue
        for period, entry in entries:
            out.setdefault("\x1e" + entry.identity, {})[period] = entry
    return out


def _signature(entry: _Entry, view: _View, plans: Plans, signatures: dict[int, frozenset[int]]) -> frozenset[int]:
    found = signatures.get(entry.layout)
    if found is None:
        found = signatures[entry.layout] = frozenset(s for _, s in _plan(entry, view, plans).own)
    return found


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
    sids = _Sids()
    plain = _View(archive.keys, sids)
    plans: Plans = {}
    renames = find_renames(archive, sids, plain, plans)
    for old, new in (user_renames or {}).items():
        renames.append(Rename(old, new, ""))
    # Each report's keys as the series they belong to (renamed labels mapped to the new ones).
    since = {r.old: (month_index(r.since) if r.since else None, r.new) for r in renames if r.confirmed}
    cache: dict[tuple[tuple[str, str], ...], _View] = {}

    def view_of(m: int) -> _View:
        mapping = {o: n for o, (s, n) in since.items() if s is None or m < s}
        if not mapping:
            return plain
        token = tuple(sorted(mapping.items()))
        if token not in cache:
            cache[token] = _View([_map_key(k, mapping) for k in archive.keys], sids)
        return cache[token]

    views = [view_of(e.order) for e in reports]
    report_plans = [_plan(e, v, plans) for e, v in zip(reports, views, strict=True)]
    # The axes: per frequency, the periods some figure is published for.
    published: dict[str, set[str]] = {}
    for e, plan in zip(reports, report_plans, strict=True):
        if plan.own:
            published.setdefault(frequency_of(e.periods[0]), set()).add(e.periods[0])
        for slot in {slot for _, _, slot in plan.other}:
            published.setdefault(frequency_of(e.periods[slot]), set()).add(e.periods[slot])
    axes = {f: _axis(f, published.get(f, ())) for f in FREQUENCIES}
    where = {f: {key: m for m, key in enumerate(axis)} for f, axis in axes.items()}
    lines: dict[str, dict[int, Line]] = {f: {} for f in FREQUENCIES}
    revisions: dict[str, list[Revision]] = {f: [] for f in FREQUENCIES}
    covered: dict[str, set[int]] = {f: set() for f in FREQUENCIES}
    contributed: dict[str, list[Source]] = {f: [] for f in FREQUENCIES}
    placed: dict[tuple[int, int], list[tuple[int, Line]]] = {}    # (layout, view id) → own pairs

    def line_of(f: str, s: int, key: Key, d: int) -> Line:
        found = lines[f].get(s)
        if found is None:
            found = lines[f][s] = Line(sids.list[s], _column(key), d, array("q", [ABSENT]) * len(axes[f]))
        return found

    def revise(f: str, line: Line, m: int, v: int, d: int, e: _Entry, how: str) -> None:
        shown = line.values[m]
        a, b = (0 if shown == BLANK else shown, line.decimals), (0 if v == BLANK else v, d)
        if _same(a, b):
            return
        sid = line.sid
        revisions[f].append(Revision(axes[f][m], e.source.period, sid[0], sid[1], sid[2], sid[3], line.column,
                                     unscaled(*a), unscaled(*b), e.source.path, how))

    # 1. Own periods, newest report first: series appear in the newest report's order, old ones after.
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
    # 2. Figures of other periods, oldest report first (the nearest to the period is shown).
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
    # 3. Implied by arithmetic (count − change): a year before each report's own period.
    for e, view in zip(reports, views, strict=True):
        implied = _implied(e, view, plans, columns=False)
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
                revise(f, line, m, value, d, e, "implisitt")
    notes = list(archive.notes)
    out: list[Timeline] = []
    for f in FREQUENCIES:
        axis = axes[f]
        if not axis and f != "month":
            continue
        missing = [axis[m] for m in range(len(axis)) if m not in covered[f]]
        if missing and f == "month":
            notes.append(Note(f"time series: {len(missing)} missing month(s): {', '.join(missing)}",
                              f"{len(missing)} manglende måned(er): {', '.join(missing)}"))
        sources = sorted(contributed[f], key=lambda s: (end_month(s.period), s.period, s.path))
        out.append(Timeline(axis, sources, missing, list(lines[f].values()),
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
