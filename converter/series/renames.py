"""Renamed labels: found between consecutive reports and confirmed by the figures, or mapped by the user. Pure.

When a label (section, row or column category) disappears between two consecutive reports and a
new one appears at the same place (same table, same position among its siblings), the pair is a
candidate. It is linked (one series, the new label) when, in a report of the following twelve
months whose year-earlier report is in the archive, the new label's implied last-year figures
agree with the old label's published ones: at least one agrees and more agree than not (a
disagreeing one is then listed as a revision). A candidate that cannot be confirmed is only
noted. A user mapping (old label, new label; `load_renames`) links series without evidence.
Period labels ("Februar 2001") are never rename candidates.
"""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import dataclass

from ..rules.labels import canon
from ..rules.periods import is_month_key, parse_period
from .archive import Archive, Entry
from .axes import month_index, period_of
from .tidy import CATEGORY, COLUMN, GROUP, ROW, SECTION, TABLE, Key
from .views import Plans, Sids, View, own_counts, plan_of, same, year_earlier

_LABEL_FIELDS = (TABLE, SECTION, GROUP, ROW, COLUMN, CATEGORY)


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


# --------------------------------------------------------------------------- the user's mapping

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


# --------------------------------------------------------------------------- found in the reports

def _orders(archive: Archive, entry: Entry) -> dict[tuple, list[str]]:
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


def map_key(key: Key, mapping: dict[str, str]) -> Key:
    """`key` with its labels renamed by `mapping` (old → new)."""
    return tuple(mapping.get(x, x) if f in _LABEL_FIELDS else x for f, x in enumerate(key))  # type: ignore[return-value]


def find_renames(archive: Archive, sids: Sids | None = None, view: View | None = None,
                 plans: Plans | None = None) -> list[Rename]:
    """Renamed labels, confirmed by the figures (see the module's docstring); each kind of report's
    months compared in turn (a county report with the next month's report of the same county)."""
    sids = sids or Sids()
    view = view or View(archive.keys, sids)
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
            old_view: View | None = None
            for q in range(start, start + 12):
                later = entries.get(period_of(q))
                earlier = entries.get(period_of(q - 12))
                if later is None or earlier is None:
                    continue
                if old_view is None:
                    old_view = View([map_key(k, pairs) for k in archive.keys], sids)
                published = own_counts(earlier, old_view, plans)
                for s, value in year_earlier(later, view, plans).items():
                    labels = [x for x in sids.list[s][:5] if x in inverse]
                    if not labels or s not in published:
                        continue
                    for label in labels:
                        if same(value, published[s]):
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


def _sequences(archive: Archive) -> dict[str, dict[str, Entry]]:
    """The monthly reports as sequences of one kind each, {month: report}, for finding renames: by
    title (a table NAV adds does not break the sequence), or by identity (title and table titles)
    where one title has several reports a month (slices named only in the table titles) or is
    generic (no ". " part)."""
    by_title: dict[str, list[tuple[str, Entry]]] = {}
    for (_, period), entry in archive.entries.items():
        if is_month_key(period):
            title = canon(entry.source.title)
            by_title.setdefault(title if "." in title else entry.identity, []).append((period, entry))
    out: dict[str, dict[str, Entry]] = {}
    for title, entries in by_title.items():
        if len({p for p, _ in entries}) == len(entries):
            out[title] = dict(entries)
            continue
        for period, entry in entries:
            out.setdefault("\x1e" + entry.identity, {})[period] = entry
    return out


def _signature(entry: Entry, view: View, plans: Plans, signatures: dict[int, frozenset[int]]) -> frozenset[int]:
    found = signatures.get(entry.layout)
    if found is None:
        found = signatures[entry.layout] = frozenset(s for _, s in plan_of(entry, view, plans).own)
    return found

