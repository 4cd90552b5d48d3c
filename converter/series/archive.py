"""Many reports' tidy data held compactly in the main process: the `Archive`, its duplicates and layouts.

Series keys are interned once for the whole archive, each report's values kept as flat integer
arrays (no per-cell objects). Reports with the same keys (most of an archive) share one layout,
which the timeline's `build` plans once. A report is its identity (tidy.report_kind) and its
period: of two reports of the same identity and period the newer file wins, and the batch
summary says so.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from ..rules.labels import canon
from .axes import end_month, frequency_of, start_month
from .tidy import Key, ReportData


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
class Entry:
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
        self.entries: dict[tuple[str, str], Entry] = {}
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
        relative = tuple((frequency_of(p), end_month(p) - order, start_month(p) - order) for p in periods)
        layout = self._layouts.setdefault((id(ids), data.at.tobytes(), relative), len(self._layouts))
        identity = data.identity or canon(data.title)
        entry = Entry(source, ids, data.at, data.values, data.decimals, dict(data.marks), periods, identity,
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

    def reports(self) -> list[Entry]:
        """The reports in period order (then by identity, then path)."""
        return sorted(self.entries.values(), key=lambda e: (e.order, e.source.period, e.identity, e.source.path))

    @property
    def kinds(self) -> dict[str, int]:
        """Reports per kind (report_kind), most first."""
        counts: dict[str, int] = {}
        for e in self.entries.values():
            counts[e.source.kind] = counts.get(e.source.kind, 0) + 1
        return dict(sorted(counts.items(), key=lambda x: (-x[1], x[0])))
