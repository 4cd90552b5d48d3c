"""The archive's keys read as series: views (renames applied or not), each layout's plan, and what
a report says of a year earlier (its year column, or count − change). Pure.

Shared by the renames (which compare a report's implied figures with a year-earlier report's
published ones) and by the timeline's build (which files every figure).
"""

from __future__ import annotations

from ..model import Measure
from ..rules.periods import year_before
from .archive import Entry
from .tidy import BLANK, MEASURE, Key, Sid, sid_of

_COUNT, _CHANGE, _PREVIOUS = Measure.COUNT.value, Measure.CHANGE.value, Measure.PREVIOUS.value
_OTHER, _ROLE_COUNT, _ROLE_CHANGE, _ROLE_PREVIOUS = range(4)


class Sids:
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


class View:
    """The archive's keys read one way (renames applied or not): per key id, its series and role.

    `count[k]`: for a change figure, the series of the count it belongs to; else the key's own series.
    """

    __slots__ = ("count", "keys", "role", "sid")

    def __init__(self, keys: list[Key], sids: Sids) -> None:
        self.keys = keys
        self.sid = [sids.id(sid_of(k)) for k in keys]
        roles = {_COUNT: _ROLE_COUNT, _CHANGE: _ROLE_CHANGE, _PREVIOUS: _ROLE_PREVIOUS}
        self.role = bytes(roles.get(k[MEASURE], _OTHER) for k in keys)
        self.count = [sids.id((*sid_of(k)[:5], _COUNT)) if r == _ROLE_CHANGE else s   # type: ignore[arg-type]
                      for k, r, s in zip(keys, self.role, self.sid, strict=True)]


class Plan:
    """One layout (Archive's) read through one view: which figures are which, worked out once for
    every report of that layout (each report then only reads its values). Pairs are (figure, series
    id), in figure order."""

    __slots__ = ("changes", "counts", "other", "own", "previous")

    def __init__(self, entry: Entry, view: View) -> None:
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


Plans = dict[tuple[int, View], Plan]


def plan_of(entry: Entry, view: View, plans: Plans | None) -> Plan:
    """`entry`'s layout read through `view`: planned once per layout and view when `plans` keeps them."""
    if plans is None:
        return Plan(entry, view)
    key = (entry.layout, view)              # the view itself (by identity), so no other view reuses its id
    found = plans.get(key)
    if found is None:
        found = plans[key] = Plan(entry, view)
    return found


def _unmarked(pairs: list[tuple[int, int]], marks: dict[int, str]) -> list[tuple[int, int]]:
    """A symbol published instead of a number is no figure to compare."""
    return [(i, s) for i, s in pairs if i not in marks] if marks else pairs


def year_earlier(entry: Entry, view: View, plans: Plans | None = None,
                 columns: bool = True) -> dict[int, tuple[int, int]]:
    """What `entry` says of its period a year earlier: {count series id: (scaled value, decimals)}:
    its year-earlier column, else count − change (`columns=False`: only count − change, for the
    series without such a column)."""
    plan = plan_of(entry, view, plans)
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


def own_counts(entry: Entry, view: View, plans: Plans | None = None) -> dict[int, tuple[int, int]]:
    """A report's own counts: {count series id: (scaled value, decimals)}, a blank as 0, symbols left out."""
    values, decimals = entry.values, entry.decimals
    return {s: (0 if values[i] == BLANK else values[i], decimals[i])
            for i, s in _unmarked(plan_of(entry, view, plans).counts, entry.marks)}


def same(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two (scaled value, decimals) are the same number."""
    d = max(a[1], b[1])
    return a[0] * 10 ** (d - a[1]) == b[0] * 10 ** (d - b[1])
