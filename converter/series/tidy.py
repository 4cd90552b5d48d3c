"""One report's tidy data: its figures (from `meaning.figures`) in a compact, picklable form. Pure.

`tidy(report)` packs a parsed report into `ReportData` (what a worker returns and what the store
keeps); everything later in the series works on it, never on text or on label lists.

Which report. A report is its kind and its period (`report_kind`: the title, or the table titles
when the title is generic, and the slice a title names, such as a county). Reports of different
kinds or slices for one period are all kept and merged; two of the same kind and period are
duplicates (archive.py).

Every published figure under its own period. A report's own figures are filed under its period;
a column or section of another period (a year column "Februar 2013" in a report for Februar 2014,
a "Tidsserie måned" report's month columns) is a published value of *that* period (its own slot
in `ReportData.periods`), never a count of the report's own month.
"""

from __future__ import annotations

import itertools
import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from ..model import Measure, Report
from ..rules.labels import canon
from ..rules.meaning import Meaning
from .axes import KEY_FORM

# A figure's coordinates without its period: (table, section, group, row, column, category, measure).
Key = tuple[str, str, str, str, str, str, str]
# A series across months: the key without the column header (a period header changes every month).
Sid = tuple[str, str, str, str, str, str]

ABSENT = -(2**63)          # the series does not occur in that report (or month)
BLANK = ABSENT + 1         # published blank, or a statistical symbol instead of a number
TABLE, SECTION, GROUP, ROW, COLUMN, CATEGORY, MEASURE = range(7)
_COUNT, _PREVIOUS = Measure.COUNT.value, Measure.PREVIOUS.value


def scaled(value: int | Decimal, decimals: int) -> int:
    """A published number as an integer count of 10^-decimals (exact: no floats)."""
    return int(value) if decimals == 0 else int(Decimal(value).scaleb(decimals).to_integral_value())


def unscaled(value: int, decimals: int) -> int | Decimal:
    return value if decimals == 0 else Decimal(value).scaleb(-decimals)


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
        if not periods or not all(KEY_FORM.fullmatch(p) for p in periods) or periods[0] != str(data["period"]):
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


def tidy(report: Report, meaning: Meaning | None = None) -> ReportData:
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
    # The report's Meaning when the checks have made it (a batch's worker): the row meanings once.
    for f in (meaning if meaning is not None and meaning.report is report else Meaning(report)).figures():
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
