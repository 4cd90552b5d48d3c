"""What each published number means: its measure and categories, from the report's structure. Pure.

`located_figures(report)` lists every published cell with its coordinates as a `Figure` (see
model.py); two cells are the same figure exactly when their `Figure.key` is equal. The
cross-table agreement checks match on it and the time series is built from it. A `Meaning`
made for one report works each of these out once for it; the module keeps no state of its own.

Categories come from structure, one rule each (no label lists):
- the column: its measure (count, change, percent …, from the header) and, in cross tables or
  tables of categories ("Menn", "Kvinner"), its header as a category;
- the table title, when sibling tables are slices: tables with the same header and the same row
  labels under different titles ("Tiltaksgrupper. Østfold", "Tiltaksgrupper. Oslo"; "TILTAK 1",
  "TILTAK 2") are about different populations, told apart by what differs in their titles;
- the section heading, unless it names a period ("Februar 2007", "1. kvartal 2020"): then it is
  the period of the section's figures (a column with a period of its own keeps it), never a
  category, and the figures have no section (so a report's "Februar 2008" and "Februar 2007"
  sections are one series at two periods, not two series);
- the group a detail row sits under, when its label repeats under several groups of the section
  (`Menn` under each main group), or when the detail is named like its own group ("Oppfølging"
  within "I alt oppfølging"); a label under one group only (a county under its region) is not
  crossed, so it still matches the same county in a table without regions;
- the row label (a total's topic: "I alt nedsatt arbeidsevne, på tiltak" → "nedsatt arbeidsevne
  på tiltak"; the bare "I alt" is the population itself);
- a "herav" row is a part of the row above it: its categories are that row's and what it adds
  ("herav kvinner" under "Arbeidssøkere på tiltak" is arbeidssøkere × kvinner); a "Herav …"
  column likewise adds its category;
- a label that the report uses both for a group and for a single tiltak in that group, standing
  in a flat list: it means the group when the list's other labels are groups, the tiltak when
  they are tiltak, and nothing comparable when the list does not tell.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from difflib import SequenceMatcher

from ..model import ColumnKind, Figure, Report, RowKind, Section, Table
from .labels import canon, header_period, is_subset_label, subset_topic, topic

__all__ = ["Meaning", "figures", "located_figures", "located_keys", "slice_names"]

Place = tuple[int, int, int, int]          # (table, section, row, column) indices
FigureKey = tuple[str, tuple[str, ...], str]   # Figure.key: (measure, categories, period)

# A row's meaning, worked out once for all its cells: (table, section, row) indices, its group
# label, whether its label tells which figure it is, per column the cell's categories and period,
# and its section's label as a coordinate ("" when the heading is a period).
_RowMeaning = tuple[int, int, int, str, bool, list[tuple[str, ...]], list[str], str]


class Meaning:
    """What the published numbers of one report mean, worked out once for that report.

    Made for one report and gone with it: a caller that needs both the figures' keys (the
    agreement checks) and the figures (the time series) of one report holds one Meaning and asks
    it twice, and the row meanings are worked out once. Nothing is kept anywhere else, so two
    threads with two reports share nothing, and no report outlives the last holder of its
    Meaning. (The module's functions below make a new Meaning per call.)
    """

    __slots__ = ("_located", "_rows", "report")

    def __init__(self, report: Report) -> None:
        self.report = report
        self._rows: tuple[list[_RowMeaning], list[str]] | None = None
        self._located: list[tuple[Place, Figure]] | None = None

    def figures(self) -> list[Figure]:
        """Every published number with its coordinates, in report order."""
        return [figure for _, figure in self.located_figures()]

    def located_figures(self) -> list[tuple[Place, Figure]]:
        """Every published number with where it stands and what it is, in report order."""
        if self._located is None:
            rows, slices = self._row_meanings()
            self._located = _locate(self.report, rows, slices)
        return self._located

    def located_keys(self) -> list[tuple[Place, FigureKey, bool]]:
        """(place, `Figure.key`, `Figure.comparable`) of every published number, in report order.

        What the agreement checks need, without making a Figure per cell (a frozen dataclass of
        14 fields, ~4 µs each: 16,000 on the big report). The key is built as Figure.key builds
        it; tests/test_meaning.py holds the two equal.
        """
        report = self.report
        out: list[tuple[Place, FigureKey, bool]] = []
        # per table, per column: (measure, not a rate), looked up once (an enum's .value costs a call)
        columns = [[(col.measure.value, col.kind is not ColumnKind.RATE) for col in table.columns]
                   for table in report.tables]
        for t, s, r, _, comparable, categories, periods, _ in self._row_meanings()[0]:
            for c, (measure, not_rate) in enumerate(columns[t]):
                out.append(((t, s, r, c), (measure, categories[c], periods[c]), comparable and not_rate))
        return out

    def _row_meanings(self) -> tuple[list[_RowMeaning], list[str]]:
        if self._rows is None:
            self._rows = _rows(self.report)
        return self._rows


def figures(report: Report) -> list[Figure]:
    """Every published number of `report` with its coordinates, in report order."""
    return Meaning(report).figures()


def located_figures(report: Report) -> list[tuple[Place, Figure]]:
    """Every published number with where it stands and what it is, in report order."""
    return Meaning(report).located_figures()


def located_keys(report: Report) -> list[tuple[Place, FigureKey, bool]]:
    """(place, `Figure.key`, `Figure.comparable`) of every published number (see Meaning.located_keys)."""
    return Meaning(report).located_keys()


def _locate(report: Report, rows: list[_RowMeaning], slices: list[str]) -> list[tuple[Place, Figure]]:
    out: list[tuple[Place, Figure]] = []
    for t, s, r, group, comparable, categories, periods, heading in rows:
        table = report.tables[t]
        section = table.sections[s]
        row = section.rows[r]
        for c, col in enumerate(table.columns):
            out.append(((t, s, r, c), Figure(
                table.title, heading, group, row.label, col.header, col.category,
                col.measure, periods[c], row.values[c], row.mark(c), col.decimals, categories[c],
                slices[t], comparable and col.kind is not ColumnKind.RATE)))
    return out


def _rows(report: Report) -> tuple[list[_RowMeaning], list[str]]:
    """Every row's meaning (see _RowMeaning), in report order, and each table's slice name (see
    slice_names)."""
    period = report.period.key
    slices = slice_names(report.tables)
    topics: dict[str, str] = {}        # a report repeats its labels: each one's topic is made once

    def topic_of(label: str) -> str:
        found = topics.get(label)
        if found is None:
            found = topics[label] = topic(label)
        return found

    alias = _aliases(report, topic_of)
    levels = _label_levels(report, topic_of)

    seen: dict[str, str] = {}          # and each is made a category once

    def cat(label: str) -> str:
        found = seen.get(label)
        if found is None:
            key = topic_of(label)
            found = seen[label] = alias.get(key, key)
        return found

    out: list[_RowMeaning] = []
    for t, table in enumerate(report.tables):
        slice_ = slices[t]
        col_cats = [subset_topic(col.category) if col.category else "" for col in table.columns]
        col_periods = [col.period or period for col in table.columns]
        for s, section in enumerate(table.sections):
            when = header_period(section.heading, period) if section.heading else ""
            if when:        # a period heading: the section's figures are about that period
                heading, shown = "", ""
                periods = [col.period or when for col in table.columns]
            else:
                heading = cat(section.heading) if section.heading else ""
                shown, periods = section.heading or "", col_periods
            base = [x for x in (slice_, heading) if x]
            for r, (cats, group, comparable) in enumerate(_row_categories(section, cat, heading, levels)):
                row_cats = base + cats
                plain = tuple(sorted(row_cats))
                categories = [tuple(sorted([*row_cats, col_cat])) if col_cat else plain for col_cat in col_cats]
                out.append((t, s, r, group, comparable, categories, periods, shown))
    return out, slices


def _row_categories(section: Section, cat: object, heading: str,
                    levels: dict[str, str]) -> list[tuple[list[str], str, bool]]:
    """Per row of a section: (its categories besides slice and heading, its group label, comparable)."""
    rows = section.rows
    group_of = {p: r for r, row in enumerate(rows) if row.kind is RowKind.SUBTOTAL for p in row.parts}
    topics = [cat(row.label) for row in rows]           # type: ignore[operator]
    groups_per_label: dict[str, set[int]] = defaultdict(set)
    for r, row in enumerate(rows):
        if row.kind is RowKind.DETAIL:
            groups_per_label[topics[r]].add(group_of.get(r, -1))
    flat = not group_of
    level = _section_level(topics, levels) if flat else ""
    out: list[tuple[list[str], str, bool]] = []
    parent = -1
    for r, row in enumerate(rows):
        label = topics[r]
        if is_subset_label(row.label):
            # "herav kvinner" under a row: that row's figure for women
            above = out[parent] if parent >= 0 else ([], "", True)
            out.append(([*above[0], subset_topic(row.label)], above[1], above[2]))
            continue
        parent = r
        if row.kind is not RowKind.DETAIL:
            out.append(([label] if label and label != heading else [], "", True))
            continue
        cats, group, comparable = [label], "", True
        g = group_of.get(r)
        if g is not None and (len(groups_per_label[label]) > 1 or topics[g] == label):
            cats.append(topics[g])
            group = rows[g].label
        elif flat and levels.get(label) == "both":
            # A tiltak named like its group, in a flat list: the list's other labels tell which.
            if level == "detail":
                cats.append(label)
            elif level != "group":
                comparable = False
        out.append((cats, group, comparable))
    return out


def _label_levels(report: Report, topic: Callable[[str], str] = topic) -> dict[str, str]:
    """For labels used in grouped sections: "group" (a subtotal's topic), "detail" (a row under a
    group), or "both" (a tiltak named like its group: "Oppfølging" within "I alt oppfølging")."""
    seen: dict[str, set[str]] = defaultdict(set)
    for table in report.tables:
        for section in table.sections:
            rows = section.rows
            for row in rows:
                group = topic(row.label)
                if row.kind is RowKind.SUBTOTAL and row.parts and group:     # a bare "I alt" at the bottom is no group
                    seen[group].add("group")
                    for p in row.parts:
                        label = topic(rows[p].label)
                        seen[label].add("both" if label == group else "detail")
    return {label: ("both" if "both" in kinds else "group" if kinds == {"group"} else "detail" if kinds == {"detail"}
                    else "mixed") for label, kinds in seen.items()}


def _section_level(topics: list[str], levels: dict[str, str]) -> str:
    """Whether a flat list is one of groups or one of single tiltak, by its labels' levels elsewhere."""
    votes = Counter(levels.get(label) for label in topics)
    if votes["group"] > votes["detail"]:
        return "group"
    if votes["detail"] > votes["group"]:
        return "detail"
    return ""


_TITLE_SLICE = re.compile(r"^(.*\S)\s*([.:,]|\s[-–—])\s+(\S.*)$")     # "Title. Part", "Title - Part"


def slice_names(tables: tuple[Table, ...]) -> list[str]:
    """Per table: what sets it apart from sibling tables that are slices, else "".

    Siblings have the same header and either the same row labels under different titles, or
    titles that name a part after a separator ("Tiltaksgrupper. Østfold", "Tiltaksgrupper.
    Oslo"); each is a slice, named by what its title adds to what the siblings' titles share
    ("Tiltaksgrupper. Østfold" → "østfold", "TILTAK 2" → "2").
    """
    families: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for t, table in enumerate(tables):
        labels = frozenset(canon(row.label) for section in table.sections for row in section.rows)
        families[(table.headers, labels)].append(t)
        # Titles that say so ("Tiltaksgrupper og hovedgrupper. Finnmark", "… . Troms"): slices
        # even when a county lacks a row the other has.
        titled = _TITLE_SLICE.match(table.title)
        if titled:
            families[(table.headers, canon(titled.group(1)))].append(t)
    out = [""] * len(tables)
    for members in families.values():
        if len(members) < 2 or any(out[t] for t in members):
            continue
        titles = [canon(tables[t].title) for t in members]
        if len(set(titles)) < len(titles):
            continue
        words = [title.replace(".", " ").split() for title in titles]
        head = 0
        while all(len(w) > head for w in words) and len({w[head] for w in words}) == 1:
            head += 1
        tail = 0
        while all(len(w) > head + tail for w in words) and len({w[-1 - tail] for w in words}) == 1:
            tail += 1
        for t, w in zip(members, words, strict=True):
            out[t] = " ".join(w[head:len(w) - tail]) or canon(tables[t].title)
    return out


_SIMILAR = 0.8   # "Lønnskudd" vs "Lønnstilskudd" is 0.82; "Avklaring" vs "Avklaringstiltak" is 0.72


_DIGITS = re.compile(r"\d+")


def _digits(text: str) -> list[str]:
    return _DIGITS.findall(text)


def _aliases(report: Report, topic: Callable[[str], str] = topic) -> dict[str, str]:
    """Label typos, found by position: a label printed in one table only, whose row in another
    table at the same position carries a very similar label printed in several tables, is taken
    to mean that label ("Lønnskudd" → "Lønnstilskudd")."""
    where: dict[str, set[int]] = defaultdict(set)
    layout: list[tuple[int, list[str]]] = []
    for t, table in enumerate(report.tables):
        for section in table.sections:
            labels = [topic(r.label) for r in section.rows]
            layout.append((t, labels))
            for label in labels:
                where[label].add(t)
    alias: dict[str, str] = {}
    for t, labels in layout:
        for i, label in enumerate(labels):
            if len(where[label]) > 1 or label in alias or not label:
                continue
            for t2, others in layout:
                if t2 == t or i >= len(others):
                    continue
                other = others[i]
                # Only a label printed in several tables can be the intended one, and labels that
                # differ in their numbers ("Rad 1" / "Rad 2", years) are different things.
                if other == label or not other or len(where[other]) < 2 or _digits(label) != _digits(other):
                    continue
                matcher = SequenceMatcher(None, label, other)
                # the quick upper bounds reject almost every pair before the costly ratio()
                if (matcher.real_quick_ratio() >= _SIMILAR and matcher.quick_ratio() >= _SIMILAR
                        and matcher.ratio() >= _SIMILAR):
                    alias[label] = other
                    break
    return alias
