"""A family of internally consistent NAV tiltak reports, each with its own independent oracle.

Every shape (a function in SHAPES) builds a small *population cube*: participants counted by a
few dimensions (hovedgruppe, tiltak, fylke, kjønn, …) for the report's month and the months
before it, with leaf numbers drawn at random. Every published figure (a count, a change, a
percent, a share, a rate) is computed from that cube by this module, exactly (integers and
Decimal, rounding half away from zero), never by converter code. Tables are projections of the
cube, so every total, every change and every twin figure in another table agrees by
construction, and the relations a report promises (sums, row sums, changes, percents, shares,
the same figure in two tables) are derived from the table's *structure* and then verified
against the cube's numbers (two independent paths: a mistake in either shows as an assertion).

`generate(shape, seed)` returns a `Generated`: the report text, and for every published number
cell (`Cell`) its place (table title, section heading or "", row label, column header), its line
and field in the text, whether it is checkable (a live relation covers it), and the places of
the totals that contain it. `Generated.mutation(i, rng)` changes one number so that at least
one relation the report promises breaks (the oracle decides), keeping the cell's format.

Pure Python; no import of `converter`.
"""

from __future__ import annotations

import calendar
import itertools
import random
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

MONTHS = ("Januar", "Februar", "Mars", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Desember")

HG = ["Arbeidssøkere på tiltak", "Nedsatt arbeidsevne, på tiltak", "Andre på tiltak"]
TILTAK = {
    "Avklaringstiltak": ["Avklaring", "Avklaring i skjermet virksomhet", "Avklaring - sykmeldt arbeidstaker"],
    "Oppfølging": ["Arbeid med bistand (AB)", "Jobbklubb", "Mentor", "Oppfølging",
                   "Oppfølging - sykmeldt arbeidstaker"],
    "Opplæring": ["Arbeidsmarkedsopplæring (AMO)", "Kvalifisering i arbeidsmarkedsbedrift", "Utdanning"],
    "Lønnstilskudd": ["Tidsbegrenset lønnstilskudd", "Tidsubestemt lønnstilskudd"],
    "Arbeidspraksis": ["Arbeidspraksis i ordinær virksomhet", "Arbeidspraksis i skjermet virksomhet"],
    "Tilrettelegging": ["Funksjonsassistanse", "Tilrettelegging", "Tilretteleggingstilskudd for arbeidssøker"],
}
TG = list(TILTAK)
GRUPPE_AV = {t: g for g, ts in TILTAK.items() for t in ts}
ALL_TILTAK = [t for ts in TILTAK.values() for t in ts]
REGIONS = {
    "Østlandet": ["Østfold", "Akershus", "Oslo", "Hedmark", "Oppland", "Buskerud", "Vestfold", "Telemark"],
    "Sørlandet": ["Aust-Agder", "Vest-Agder"],
    "Vestlandet": ["Rogaland", "Hordaland", "Sogn og Fjordane", "Møre og Romsdal"],
    "Trøndelag": ["Sør-Trøndelag", "Nord-Trøndelag"],
    "Nord-Norge": ["Nordland", "Troms", "Finnmark"],
}
LANDSDEL_AV = {f: r for r, fs in REGIONS.items() for f in fs}
FYLKER = list(LANDSDEL_AV)
KJONN = ["Menn", "Kvinner"]
ALDER = ["Under 20 år", "20-24 år", "25-29 år", "30-39 år", "40-49 år", "50 år og over"]

Period = tuple[int, int]                      # (year, month)
Value = int | Decimal | None
Loc = tuple[str, str, str]                    # (table title, section heading or "", row label)


# --------------------------------------------------------------------------- arithmetic and format

def round_half_away(numerator: int, denominator: int, decimals: int = 0) -> int | Decimal | None:
    """numerator / denominator rounded half away from zero; None when the denominator is 0. Exact."""
    if denominator == 0:
        return None
    n = numerator * 10**decimals
    negative = (n < 0) != (denominator < 0) and n != 0
    q = (2 * abs(n) + abs(denominator)) // (2 * abs(denominator))
    q = -q if negative else q
    return q if decimals == 0 else Decimal(q).scaleb(-decimals)


def fmt(value: Value, decimals: int = 0, minus: str = "-") -> str:
    """A number as the family prints it: '75 412', '-1 852', '12,5'; None → ''."""
    if value is None:
        return ""
    if decimals:
        q = Decimal(value).quantize(Decimal(1).scaleb(-decimals))
        whole, frac = f"{abs(q):f}".split(".")
        text = f"{int(whole):,}".replace(",", " ") + "," + frac
        return (minus if q < 0 else "") + text
    return (minus if value < 0 else "") + f"{abs(int(value)):,}".replace(",", " ")


def period_text(p: Period) -> str:
    return f"{MONTHS[p[1] - 1]} {p[0]}"


def months_back(p: Period, n: int) -> Period:
    k = p[0] * 12 + p[1] - 1 - n
    return (k // 12, k % 12 + 1)


def i_alt(label: str, proper: bool = False) -> str:
    """The total named after a group: "Nedsatt arbeidsevne, på tiltak" → "I alt nedsatt arbeidsevne, på tiltak";
    a place keeps its capital ("I alt Østlandet")."""
    return "I alt " + (label if proper or label[:2].isupper() else label[0].lower() + label[1:])


# --------------------------------------------------------------------------- the population cube

class Cube:
    """Participants by base dimensions and period; derived attributes map a base value to a group.

    A filter is a dict attribute → value (a base dimension, a derived attribute, or "period").
    Two filters describe the same population exactly when their canonical keys are equal.
    """

    def __init__(self, rng: random.Random, dims: dict[str, list[str]], period: Period, *,
                 derived: dict[str, tuple[str, dict[str, str]]] | None = None, months: int = 0,
                 high: int = 1500, zero: float = 0.1) -> None:
        self.rng = rng
        self.dims = dims
        self.derived = derived or {}
        self.cur = period
        self.prev = months_back(period, 12)
        # the periods held: last year's month, and `months` months before the report's month
        self.periods = sorted({self.prev, self.cur, *(months_back(period, k) for k in range(months))})
        self.values: dict[tuple[str, ...], dict[Period, int]] = {}
        for rec in itertools.product(*dims.values()):
            if rng.random() < zero:
                self.values[rec] = dict.fromkeys(self.periods, 0)
                continue
            level = rng.randint(1, high)
            series = {}
            for p in self.periods:
                level = max(0, level + rng.randint(-level // 5 - 3, level // 5 + 3))
                series[p] = level
            if rng.random() < 0.04:
                series[self.prev] = 0                     # a new tiltak: percent blank
            self.values[rec] = series
        self._cache: dict[tuple, int] = {}
        self._rates: dict[tuple, Decimal] = {}

    def set(self, rec: tuple[str, ...], period: Period, value: int) -> None:
        self.values[rec][period] = value
        self._cache.clear()

    def key(self, filt: dict[str, str | Period]) -> tuple:
        period = filt.get("period", self.cur)
        allowed = []
        for d, domain in self.dims.items():
            keep = list(domain)
            for attr, want in filt.items():
                if attr == "period":
                    continue
                if attr == d:
                    keep = [v for v in keep if v == want]
                elif attr in self.derived and self.derived[attr][0] == d:
                    keep = [v for v in keep if self.derived[attr][1][v] == want]
                elif attr not in self.dims and attr not in self.derived:
                    raise KeyError(f"unknown attribute {attr!r}")
            allowed.append(frozenset(keep))
        return (period, tuple(allowed))

    def count(self, filt: dict) -> int:
        key = self.key(filt)
        if key not in self._cache:
            period, allowed = key
            self._cache[key] = sum(self.values[rec][period] for rec in itertools.product(*allowed))
        return self._cache[key]

    def figure(self, measure: str, filt: dict, base: dict | None = None) -> tuple[Value, tuple]:
        """(value, identity) of one figure. The identity says which figure it is, not how it is labelled."""
        if measure == "count":
            return self.count(filt), ("count", self.key(filt))
        assert "period" not in filt, "change, percent, share and rate are about the report's month"
        now, before = self.count(filt), self.count({**filt, "period": self.prev})
        if measure == "change":
            return now - before, ("change", self.key(filt))
        if measure == "pct":
            return round_half_away(100 * (now - before), before), ("pct", self.key(filt))
        if measure == "share":
            assert base is not None
            return round_half_away(100 * now, self.count(base), 1), ("share", self.key(filt), self.key(base))
        if measure == "rate":        # a rate over a base not in the report (the labour force): arbitrary
            key = ("rate", self.key(filt))
            if key not in self._rates:
                self._rates[key] = Decimal(self.rng.randint(2, 600)).scaleb(-1)
            return self._rates[key], key
        raise ValueError(measure)


# --------------------------------------------------------------------------- table specifications

@dataclass
class Col:
    header: str
    measure: str = "count"            # count | change | pct | share | rate
    filt: dict = field(default_factory=dict)
    role: str = "plain"               # plain | cat (part of the row's I alt) | rowsum (I alt) | herav
    blank_zero: bool = False          # a 0 is printed as an empty cell (cross tables)

    @property
    def decimals(self) -> int:
        return 1 if self.measure in ("share", "rate") else 0


@dataclass
class R:
    label: str
    filt: dict = field(default_factory=dict)
    parts: tuple[int, ...] = ()       # indices (in the section) of the rows this total sums
    bold: bool = False
    herav: bool = False               # "herav kvinner": a part of the row above, summed by no total


@dataclass
class Sec:
    heading: str = ""
    rows: list[R] = field(default_factory=list)
    filt: dict = field(default_factory=dict)
    breaks: tuple[int, ...] = ()      # row indices that start a continued page
    repeat_total: bool = False        # a continued page repeats the top total
    symbols: dict[tuple[int, int], str] = field(default_factory=dict)   # (row, column) → ":" / ".." / "-"
    rate: bool = False                # a block of rates ("Prosent"): every cell a rate, no total sums its rows


@dataclass
class Tab:
    title: str
    cols: list[Col]
    secs: list[Sec]
    filt: dict = field(default_factory=dict)
    style: str = "pages"              # pages: a section starts a page | inline | samelevel | headed (see render)
    levels: tuple[int, int, int] = (1, 2, 3)   # '#' count of report title, table title, section heading
    minus: str = "-"


@dataclass
class Cell:
    """One published number cell (or its symbol, or its blank) and what the oracle knows about it."""

    table: str
    section: str
    row: str
    column: str
    value: Value
    mark: str
    decimals: int
    line: int                          # 0-based line index in Generated.lines
    field: int                         # index in line.split("\t")
    bold: bool
    target: bool                       # a detail number (not a total, not a repeated total)
    measure: str
    tindex: int = 0                    # table index in the report (two tables may share a title)
    key: tuple = ()                    # the figure's identity
    checkable: bool = False
    totals: frozenset[Loc] = frozenset()    # places of every total that contains this cell
    twins: frozenset[Loc] = frozenset()     # places of the same figure in other tables
    minus: str = "-"

    @property
    def loc(self) -> Loc:
        return (self.table, self.section, self.row)


@dataclass(frozen=True)
class Relation:
    kind: str                          # sum | rowsum | change | pct | share | agree | repeat
    result: int                        # cell index
    members: tuple[int, ...]
    mode: str = ""                     # pct: "cc" (count, change) or "prev" (previous, change)
    rounded: bool = False              # averages rounded one by one: a sum holds within half a unit per part

    def cells(self) -> tuple[int, ...]:
        return (self.result, *self.members)

    def holds(self, v: list[Value]) -> bool:
        r = v[self.result]
        m = [v[i] for i in self.members]
        if self.kind in ("sum", "rowsum"):
            if self.rounded:
                return abs((r or 0) - sum(x or 0 for x in m)) * 2 <= len(m)
            return (r or 0) == sum(x or 0 for x in m)
        if self.kind == "change":
            return (r or 0) == (m[0] or 0) - (m[1] or 0)
        if self.kind == "pct":
            base, change = (m[0] or 0), (m[1] or 0)
            prev = base - change if self.mode == "cc" else base
            return r == round_half_away(100 * change, prev)
        if self.kind == "share":
            return r == round_half_away(100 * (m[0] or 0), m[1] or 0, 1)
        if self.kind in ("agree", "repeat"):
            return (r or 0) == (m[0] or 0) if not isinstance(r, Decimal) else r == m[0]
        raise ValueError(self.kind)


@dataclass
class Mutation:
    cell: int
    old: Value
    new: Value
    text: str
    broken: tuple[Relation, ...]       # the relations the change breaks (the oracle's verdict)
    expected: frozenset[Loc]           # a failing check must name one of these (the row, or a total over it)

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")


@dataclass
class Generated:
    shape: str
    seed: int
    period: Period
    lines: list[str]
    cells: list[Cell]
    relations: list[Relation]
    unknown: frozenset[int] = frozenset()      # cells that rest on a statistical symbol
    _live: list[Relation] | None = field(default=None, repr=False)
    _targets: list[int] | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")

    def targets(self) -> list[int]:
        if self._targets is None:
            self._targets = self._find_targets()
        return list(self._targets)

    def _find_targets(self) -> list[int]:
        """Checkable detail numbers that some change of theirs can be seen in: the cells a change is tried on.

        (A count whose only relation is a percent of a zero change is checkable, but no change of it shows.)
        """
        return [i for i, c in enumerate(self.cells)
                if c.target and c.checkable and c.value is not None and self._steps(i, random.Random(0))]

    def sample(self, rng: random.Random, limit: int = 15, small: int = 25) -> list[int]:
        """All targets of a small report, else `limit` of them drawn with `rng`, spread over the tables."""
        targets = self.targets()
        if len(targets) <= small:
            return targets
        by_table: dict[int, list[int]] = defaultdict(list)
        for i in targets:
            by_table[self.cells[i].tindex].append(i)
        queues = [rng.sample(cells, len(cells)) for _, cells in sorted(by_table.items())]
        chosen: list[int] = []
        while len(chosen) < limit:
            for q in queues:
                if q and len(chosen) < limit:
                    chosen.append(q.pop())
        return sorted(chosen)

    def witnesses(self, i: int, rel: Relation) -> frozenset[Loc]:
        """Where a check of `rel` broken by changing cell i would stand: at the relation's result (a total, a
        percent, a share), or for the same figure in two tables at the other table's cell."""
        if rel.kind == "agree":
            j = rel.members[0] if rel.result == i else rel.result
            return frozenset({self.cells[j].loc})
        return frozenset({self.cells[rel.result].loc})

    def live(self) -> list[Relation]:
        """The relations that can be checked: none of their cells rests on a symbol."""
        if self._live is None:
            self._live = [r for r in self.relations if not any(i in self.unknown for i in r.cells())]
        return self._live

    def _steps(self, i: int, rng: random.Random) -> tuple[Value, tuple[Relation, ...]] | None:
        """The first step (a nonzero int, or ±0,1·k for a decimal) that breaks a live relation of cell i."""
        cell = self.cells[i]
        rels = [r for r in self.live() if i in r.cells()]
        values = [c.value for c in self.cells]
        if isinstance(cell.value, Decimal):
            k = rng.randint(1, 9)
            steps = [Decimal(s * k * m).scaleb(-1) for m in (1, 10, 100) for s in (1, -1)]
        else:
            k = rng.choice((1, 2, 3, 5, 7, 9))
            sign = rng.choice((1, -1))
            steps = [s * k * m for m in (1, 10, 100, 1000, 10000) for s in (sign, -sign)]
        for step in steps:
            new = cell.value + step
            if cell.measure in ("count", "share", "rate") and new < 0:
                continue                           # a count stays a count
            values[i] = new
            broken = tuple(r for r in rels if not r.holds(values))
            if broken:
                return new, broken
        return None

    def mutation(self, i: int, rng: random.Random) -> Mutation:
        """Change cell i by a nonzero step (an int by an int, a decimal by ±0,1·k) that breaks a relation."""
        cell = self.cells[i]
        found = self._steps(i, rng) or self._steps(i, random.Random(0))   # the step targets() saw
        assert found, f"no change of {cell} breaks a relation"
        new, broken = found
        fields = self.lines[cell.line].split("\t")
        text = fmt(new, cell.decimals, cell.minus)
        fields[cell.field] = f"<b>{text}</b>" if cell.bold else text
        lines = list(self.lines)
        lines[cell.line] = "\t".join(fields)
        return Mutation(i, cell.value, new, "\n".join(lines) + "\n", broken,
                        frozenset({cell.loc, *cell.totals}))


# --------------------------------------------------------------------------- building a report

def norm(text: str | None) -> str:
    """Labels compared as a reader does: case and spacing ignored."""
    return " ".join((text or "").split()).casefold()


def norm_loc(loc: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(norm(x) for x in loc)


class _Builder:
    def __init__(self, shape: str, seed: int, cube: Cube, title: str, intro: bool, period_line: str = "",
                 rounded: bool = False) -> None:
        self.shape, self.seed, self.cube, self.title = shape, seed, cube, title
        self.rounded = rounded          # a report of rounded averages (Årsgjennomsnitt): sums hold within rounding
        self.period_line = period_line or period_text(cube.cur)
        self.titled = False             # "headed": the report's title and period printed once, first
        self.lines: list[str] = []
        self.cells: list[Cell] = []
        self.relations: list[Relation] = []
        self.unknown: set[int] = set()
        self.where: dict[tuple[int, int, int, int], int] = {}      # (table, section, row, col) → cell
        if intro:
            self.lines += ["", "", "", "", f"## {title}", "", "### Om tabellene", "", "---", "",
                           self.period_line, "",
                           "Tallene gjelder deltakere registrert ved utgangen av måneden. \"Om statistikken\" "
                           "finner du på [nav.no](http://nav.no).", "", "", ""]

    # -- text
    def page(self, tab: Tab) -> None:
        rl, tl, sl = tab.levels
        if tab.style == "headed":       # one title and period for the report, then each table under its heading
            if not self.titled:
                self.lines += ["#" * tl + " " + self.title, "", self.period_line, ""]
                self.titled = True
            self.lines += ["#" * sl + " " + tab.title, ""]
            return
        self.lines += ["#" * rl + " " + self.title, "", "#" * tl + " " + tab.title, "", self.period_line, ""]

    def heading(self, level: int, text: str) -> None:
        self.lines += ["#" * level + " " + text, ""]

    def header(self, tab: Tab) -> None:
        self.lines.append("\t" + "\t".join(c.header for c in tab.cols))

    def row_line(self, t: int, s: int, r: int, tab: Tab, repeat: bool = False) -> None:
        sec = tab.secs[s]
        row = sec.rows[r]
        line = len(self.lines)
        fields = [f"<b>{row.label}</b>" if row.bold else row.label]
        for c, col in enumerate(tab.cols):
            filt = {**tab.filt, **sec.filt, **row.filt, **col.filt}
            base = None
            measure = "rate" if sec.rate else col.measure
            if measure == "share":
                base = {**tab.filt, **sec.filt, **col.filt}           # the section's total population
            value, key = self.cube.figure(measure, {k: v for k, v in filt.items() if k != "period"}
                                          if measure == "rate" else filt, base)
            mark = sec.symbols.get((r, c), "")
            shown: Value = None if mark or (col.blank_zero and value == 0) else value
            text = mark or fmt(shown, col.decimals, tab.minus)
            fields.append(f"<b>{text}</b>" if row.bold and text else text)
            decimals = 1 if sec.rate else col.decimals
            text = mark or fmt(shown, decimals, tab.minus)
            fields[-1] = f"<b>{text}</b>" if row.bold and text else text
            cell = Cell(tab.title, sec.heading, row.label, col.header, shown, mark, decimals, line, c + 1,
                        row.bold, not repeat and not row.parts, measure, t, key, minus=tab.minus)
            index = len(self.cells)
            self.cells.append(cell)
            if mark:
                self.unknown.add(index)
            if repeat:
                self.relations.append(Relation("repeat", index, (self.where[(t, s, r, c)],)))
            else:
                self.where[(t, s, r, c)] = index
        self.lines.append("\t".join(fields))

    def table(self, t: int, tab: Tab) -> None:
        _, tl, sl = tab.levels
        for s, sec in enumerate(tab.secs):
            if not sec.rows:                       # an empty section: its heading and nothing else
                self.heading(sl, sec.heading)
                self.lines += ["", ""]
                continue
            starts = [0, *sec.breaks]
            for p, start in enumerate(starts):
                end = starts[p + 1] if p + 1 < len(starts) else len(sec.rows)
                if s == 0 or p > 0 or tab.style == "pages":
                    self.page(tab)
                    if sec.heading:
                        self.heading(sl, sec.heading)
                else:
                    # inline: a section heading between blocks of rows, deeper than the title;
                    # samelevel: the same, at the title's own level (no report title, no period)
                    self.heading(sl if tab.style == "inline" else tl, sec.heading)
                self.header(tab)
                if p > 0 and sec.repeat_total:
                    self.row_line(t, s, 0, tab, repeat=True)
                for r in range(start, end):
                    self.row_line(t, s, r, tab)
                self.lines += ["", "", ""]

    # -- relations from the structure
    def structure(self, t: int, tab: Tab) -> None:
        cols = tab.cols
        for s, sec in enumerate(tab.secs):
            if sec.rate:                # rates: no relation between them (their bases are not published)
                continue
            for r, row in enumerate(sec.rows):
                cell = {c: self.where[(t, s, r, c)] for c in range(len(cols))}
                for c, col in enumerate(cols):
                    if row.parts and col.measure in ("count", "change"):
                        self.relations.append(Relation("sum", cell[c], tuple(self.where[(t, s, p, c)]
                                                                              for p in row.parts),
                                                       rounded=self.rounded))
                    if col.role == "rowsum":
                        cats = tuple(cell[k] for k, o in enumerate(cols) if o.role == "cat")
                        self.relations.append(Relation("rowsum", cell[c], cats, rounded=self.rounded))
                    if col.measure == "change":
                        now = _find(cols, "count", col.filt)
                        before = _find(cols, "count", {**col.filt, "period": self.cube.prev})
                        if now is not None and before is not None:
                            self.relations.append(Relation("change", cell[c], (cell[now], cell[before])))
                    if col.measure == "pct":
                        change = _find(cols, "change", col.filt)
                        before = _find(cols, "count", {**col.filt, "period": self.cube.prev})
                        now = _find(cols, "count", col.filt)
                        if change is not None and before is not None:
                            self.relations.append(Relation("pct", cell[c], (cell[before], cell[change]), "prev"))
                        elif change is not None and now is not None:
                            self.relations.append(Relation("pct", cell[c], (cell[now], cell[change]), "cc"))
                    if col.measure == "share":
                        now = _find(cols, "count", col.filt)
                        top = next(k for k, x in enumerate(sec.rows) if x.bold and not x.filt and not x.herav)
                        self.relations.append(Relation("share", cell[c], (cell[now], self.where[(t, s, top, now)])))

    def finish(self, tables: list[Tab]) -> Generated:
        for t, tab in enumerate(tables):
            self.table(t, tab)
        for t, tab in enumerate(tables):
            self.structure(t, tab)
        # the same figure in two tables (its identity, not its label, decides)
        by_key: dict[tuple, list[int]] = defaultdict(list)
        primary = set(self.where.values())
        for i, c in enumerate(self.cells):
            if c.key and i in primary:
                by_key[c.key].append(i)
        for group in by_key.values():
            for a, b in itertools.combinations(group, 2):
                if self.cells[a].tindex != self.cells[b].tindex:
                    self.relations.append(Relation("agree", b, (a,)))
        # what rests on a symbol: the result of any relation over an unknown cell
        derived_kinds = ("sum", "rowsum", "change", "pct", "share", "repeat")
        changed = True
        while changed:
            changed = False
            for rel in self.relations:
                if rel.kind in derived_kinds and rel.result not in self.unknown and any(
                        m in self.unknown for m in rel.members):
                    self.unknown.add(rel.result)
                    changed = True
        values = [c.value for c in self.cells]
        bad = [r for r in self.relations if not r.holds(values) and not any(i in self.unknown for i in r.cells())]
        assert not bad, f"{self.shape}: the generator's own report is inconsistent: {bad[:3]}"
        live = [r for r in self.relations if not any(i in self.unknown for i in r.cells())]
        covered = {i for r in live for i in r.cells()}
        contains: dict[int, set[int]] = defaultdict(set)
        for r in self.relations:
            if r.kind in ("sum", "rowsum"):
                for m in r.members:
                    contains[m].add(r.result)
        twins: dict[int, set[int]] = defaultdict(set)
        for r in self.relations:
            if r.kind == "agree":
                twins[r.result].add(r.members[0])
                twins[r.members[0]].add(r.result)

        def closure(i: int) -> set[int]:
            seen: set[int] = set()
            todo = list(contains[i])
            while todo:
                j = todo.pop()
                if j not in seen:
                    seen.add(j)
                    todo.extend(contains[j])
            return seen

        for i, c in enumerate(self.cells):
            c.checkable = i in covered and i not in self.unknown and not c.mark
            c.totals = frozenset(self.cells[j].loc for j in closure(i))
            c.twins = frozenset(self.cells[j].loc for j in twins[i])
        return Generated(self.shape, self.seed, self.cube.cur, self.lines, self.cells, self.relations,
                         frozenset(self.unknown))


def _find(cols: list[Col], measure: str, filt: dict) -> int | None:
    return next((k for k, c in enumerate(cols) if c.measure == measure and c.filt == filt), None)


# --------------------------------------------------------------------------- row and column helpers

def change_cols() -> list[Col]:
    return [Col("Antall"), Col("Endring fra i fjor Antall", "change"), Col("Endring fra i fjor Prosent", "pct")]


def year_cols(cube: Cube) -> list[Col]:
    return [Col(period_text(cube.prev), filt={"period": cube.prev}), Col(period_text(cube.cur)),
            Col("Endring fra i fjor Antall", "change"), Col("Endring fra i fjor Prosent", "pct")]


def cross_cols(attr: str, values: list[str], total: str = "first", herav: Col | None = None) -> list[Col]:
    cats = [Col(v, filt={attr: v}, role="cat", blank_zero=True) for v in values]
    rowsum = Col("I alt", role="rowsum", blank_zero=True)
    cols = [rowsum, *cats] if total == "first" else [*cats, rowsum]
    return [*cols, herav] if herav else cols


def flat(details: list[tuple[str, dict]], total: str = "I alt", bottom: bool = False) -> list[R]:
    """A total and its details; the total first (the family's habit) or last."""
    n = len(details)
    if bottom:
        return [*(R(label, f) for label, f in details), R(total, {}, tuple(range(n)), bold=True)]
    return [R(total, {}, tuple(range(1, n + 1)), bold=True), *(R(label, f) for label, f in details)]


def grouped(groups: list[tuple[str, dict, list[tuple[str, dict]]]], total: str = "I alt",
            tail: list[tuple[str, dict]] = ()) -> list[R]:
    """Top total; per group its details then its subtotal (bold); then ungrouped details (`tail`)."""
    rows = [R(total, {}, bold=True)]
    subtotals = []
    for label, gfilt, details in groups:
        start = len(rows)
        rows += [R(d, f) for d, f in details]
        rows.append(R(label, gfilt, tuple(range(start, len(rows))), bold=True))
        subtotals.append(len(rows) - 1)
    for d, f in tail:
        rows.append(R(d, f))
        subtotals.append(len(rows) - 1)
    rows[0].parts = tuple(subtotals)
    return rows


def hg_rows(total: str = "I alt") -> list[R]:
    return flat([(h, {"hg": h}) for h in HG], total)


def tg_rows(attr: str = "gruppe", total: str = "I alt") -> list[R]:
    return flat([(g, {attr: g}) for g in TG], total)


def tiltak_groups(attr: str = "gruppe") -> list[tuple[str, dict, list[tuple[str, dict]]]]:
    return [(i_alt(g), {attr: g}, [(t, {"tiltak": t}) for t in ts]) for g, ts in TILTAK.items()]


def hg_sections(rows: Callable[[str], list[R]], **kw: object) -> list[Sec]:
    return [Sec(h, rows(h), {"hg": h}, **kw) for h in HG]


def random_period(rng: random.Random) -> Period:
    return (rng.randint(2014, 2019), rng.randint(1, 12))


def title_of(kind: str) -> str:
    return f"Deltakere i arbeidsrettede tiltak. {kind}. En måned"


def tiltak_cube(rng: random.Random, *extra: str, **kw: object) -> Cube:
    dims = {"tiltak": ALL_TILTAK}
    values = {"hg": HG, "kjønn": KJONN, "alder": ALDER}
    for e in extra:
        dims[e] = values[e]
    return Cube(rng, dims, random_period(rng), derived={"gruppe": ("tiltak", GRUPPE_AV)}, **kw)


def fylke_cube(rng: random.Random, fylker: list[str], *extra: str, **kw: object) -> Cube:
    dims = {"fylke": fylker}
    values = {"hg": HG, "kjønn": KJONN, "gruppe": TG, "status": ["ledig", "tiltak"]}
    for e in extra:
        dims[e] = values[e]
    return Cube(rng, dims, random_period(rng), derived={"landsdel": ("fylke", LANDSDEL_AV)}, **kw)


def _build(shape: str, seed: int, cube: Cube, tables: list[Tab], kind: str = "Tiltak", intro: bool = True,
           period_line: str = "", title: str = "", rounded: bool = False) -> Generated:
    return _Builder(shape, seed, cube, title or title_of(kind), intro, period_line, rounded).finish(tables)


# --------------------------------------------------------------------------- the shapes

def sample_like(rng: random.Random, seed: int) -> Generated:
    """1. The sample's layout: Hovedgrupper, Tiltaksgrupper, Tiltaksgrupper og hovedgrupper (change table, a
    section per hovedgruppe on its own page, and the cross table of the same title), and Tiltak og
    hovedgrupper (group subtotals, a tiltak named like its group, continued over a page with the top
    total repeated). Every group and hovedgruppe figure is published in two or three tables."""
    cube = tiltak_cube(rng, "hg")
    rows = grouped(tiltak_groups())
    return _build("sample_like", seed, cube, [
        Tab("Hovedgrupper", change_cols(), [Sec("", hg_rows())]),
        Tab("Tiltaksgrupper", change_cols(), [Sec("", tg_rows())], levels=(2, 3, 4)),
        Tab("Tiltaksgrupper og hovedgrupper", change_cols(), hg_sections(lambda h: tg_rows(total=i_alt(h))),
            levels=(2, 3, 4)),
        Tab("Tiltaksgrupper og hovedgrupper", cross_cols("hg", HG), [Sec("", tg_rows())]),
        Tab("Tiltak og hovedgrupper", cross_cols("hg", HG),
            [Sec("", rows, breaks=(rng.randint(8, len(rows) - 4),), repeat_total=True)]),
    ])


def county_tables(rng: random.Random, seed: int) -> Generated:
    """2. One table per county ("Tiltaksgrupper. Østfold", …), all with the same row labels and different
    numbers, after a Fylke table whose county rows are the county tables' totals."""
    fylker = sorted(rng.sample(FYLKER, rng.randint(4, 7)), key=FYLKER.index)
    cube = fylke_cube(rng, fylker, "gruppe")
    tables = [Tab("Fylke", change_cols(), [Sec("", flat([(f, {"fylke": f}) for f in fylker]))])]
    tables += [Tab(f"Tiltaksgrupper. {f}", change_cols(), [Sec("", tg_rows())], filt={"fylke": f}) for f in fylker]
    return _build("county_tables", seed, cube, tables, "Fylke")


def numbered_parts(rng: random.Random, seed: int) -> Generated:
    """3. Numbered parts "TILTAK 1", "TILTAK 2", … each with rows "Rad 0", "Rad 1", … and its own "I alt".
    The parts are different populations: nothing is compared across them."""
    parts = [str(i) for i in range(1, rng.randint(3, 5) + 1)]
    rader = [f"Rad {i}" for i in range(rng.randint(4, 8))]
    cube = Cube(rng, {"del": parts, "rad": rader}, random_period(rng))
    tables = [Tab(f"TILTAK {p}", change_cols(), [Sec("", flat([(r, {"rad": r}) for r in rader]))], filt={"del": p})
              for p in parts]
    return _build("numbered_parts", seed, cube, tables, intro=False)


def sections_at_title_level(rng: random.Random, seed: int) -> Generated:
    """4. `### Tiltaksgrupper og hovedgrupper`, period, `#### Arbeidssøkere på tiltak`, rows, then
    `### Nedsatt arbeidsevne, på tiltak` (the title's level, no period line) for the next section, whose
    total is named after it. Then a Tiltaksgrupper table in the usual layout."""
    cube = tiltak_cube(rng, "hg")
    return _build("sections_at_title_level", seed, cube, [
        Tab("Hovedgrupper", change_cols(), [Sec("", hg_rows())], levels=(2, 3, 4)),
        Tab("Tiltaksgrupper og hovedgrupper", change_cols(), hg_sections(lambda h: tg_rows(total=i_alt(h))),
            style="samelevel", levels=(2, 3, 4)),
        Tab("Tiltaksgrupper", change_cols(), [Sec("", tg_rows())], levels=(2, 3, 4)),
    ])


def empty_section(rng: random.Random, seed: int) -> Generated:
    """5. A section heading with no rows ("Uoppgitt hovedgruppe", right after the last section's rows),
    then the next table with its own page and title. Assumed: the empty section publishes nothing."""
    cube = tiltak_cube(rng, "hg")
    secs = [*hg_sections(lambda h: tg_rows(total=i_alt(h))), Sec("Uoppgitt hovedgruppe", [])]
    return _build("empty_section", seed, cube, [
        Tab("Tiltaksgrupper og hovedgrupper", change_cols(), secs),
        Tab("Tiltaksgrupper", change_cols(), [Sec("", tg_rows())]),
        Tab("Hovedgrupper", change_cols(), [Sec("", hg_rows())]),
    ])


def gender_under_groups(rng: random.Random, seed: int) -> Generated:
    """6. `Menn`, `Kvinner` under each hovedgruppe, closed by `I alt arbeidssøkere på tiltak` …, beside a
    table Kjønn with rows Menn, Kvinner (other numbers: all hovedgrupper) and a Hovedgrupper table."""
    cube = Cube(rng, {"hg": HG, "kjønn": KJONN}, random_period(rng))
    groups = [(i_alt(h), {"hg": h}, [(k, {"hg": h, "kjønn": k}) for k in KJONN]) for h in HG]
    return _build("gender_under_groups", seed, cube, [
        Tab("Hovedgrupper", change_cols(), [Sec("", hg_rows())]),
        Tab("Hovedgrupper og kjønn", change_cols(), [Sec("", grouped(groups))]),
        Tab("Kjønn", change_cols(), [Sec("", flat([(k, {"kjønn": k}) for k in KJONN]))]),
    ])


def tiltak_named_like_group(rng: random.Random, seed: int) -> Generated:
    """7. A flat list of single tiltak (no subtotals) where "Oppfølging" and "Tilrettelegging" are tiltak,
    beside a Tiltaksgrupper table whose groups carry the same names (other numbers)."""
    cube = tiltak_cube(rng)
    return _build("tiltak_named_like_group", seed, cube, [
        Tab("Tiltaksgrupper", change_cols(), [Sec("", tg_rows())]),
        Tab("Tiltak", change_cols(), [Sec("", flat([(t, {"tiltak": t}) for t in ALL_TILTAK]))]),
    ])


def share_column(rng: random.Random, seed: int) -> Generated:
    """8. `Andel i prosent` = 100 × count / the section's top total, one decimal, decimal comma, rounded half
    away from zero; the total rows show 100,0. In a Hovedgrupper table, a Tiltaksgrupper table and a
    table with a section per hovedgruppe (shares of the section's total)."""
    cube = tiltak_cube(rng, "hg")
    cols = [Col("Antall"), Col("Andel i prosent", "share")]
    return _build("share_column", seed, cube, [
        Tab("Hovedgrupper", cols, [Sec("", hg_rows())]),
        Tab("Tiltaksgrupper", cols, [Sec("", tg_rows())]),
        Tab("Tiltaksgrupper og hovedgrupper", cols, hg_sections(lambda h: tg_rows(total=i_alt(h)))),
    ])


def rate_column(rng: random.Random, seed: int) -> Generated:
    """9. `Prosent av arbeidsstyrken`: one decimal, its base (the labour force) not in the report; the total
    row's rate is published (not a sum). Nothing rests on a rate: its cells are never checkable.
    The counts agree with a Fylke change table."""
    fylker = sorted(rng.sample(FYLKER, rng.randint(6, 12)), key=FYLKER.index)
    cube = fylke_cube(rng, fylker)
    rows = flat([(f, {"fylke": f}) for f in fylker])
    return _build("rate_column", seed, cube, [
        Tab("Fylke", change_cols(), [Sec("", rows)]),
        Tab("Deltakere i prosent av arbeidsstyrken", [Col("Antall"), Col("Prosent av arbeidsstyrken", "rate")],
            [Sec("", flat([(f, {"fylke": f}) for f in fylker]))]),
    ], "Fylke")


def year_columns(rng: random.Random, seed: int) -> Generated:
    """10. Year columns: `<Month> <year-1>`, `<Month> <year>`, `Endring fra i fjor Antall` (= this year − last
    year), `Endring fra i fjor Prosent` (= 100 × change / last year, blank when last year is 0)."""
    cube = tiltak_cube(rng, "hg")
    return _build("year_columns", seed, cube, [
        Tab("Hovedgrupper", year_cols(cube), [Sec("", hg_rows())]),
        Tab("Tiltaksgrupper", year_cols(cube), [Sec("", tg_rows())]),
    ])


def time_series(rng: random.Random, seed: int) -> Generated:
    """11. A time-series table with the last twelve months as columns (totals sum down every month), and a
    Hovedgrupper table for the report's own month that agrees with its last column."""
    cube = Cube(rng, {"hg": HG, "gruppe": TG}, random_period(rng), months=12)
    months = [months_back(cube.cur, k) for k in range(11, -1, -1)]
    cols = [Col(period_text(p), filt={"period": p}) for p in months]
    return _build("time_series", seed, cube, [
        Tab("Hovedgrupper", change_cols(), [Sec("", hg_rows())]),
        Tab("Utvikling siste tolv måneder", cols, [Sec("", hg_rows())]),
        Tab("Tiltaksgrupper. Utvikling siste tolv måneder", cols, [Sec("", tg_rows())]),
    ])


def _gender_cross(rng: random.Random, seed: int, shape: str, total: str) -> Generated:
    cube = tiltak_cube(rng, "kjønn")
    return _build(shape, seed, cube, [
        Tab("Tiltaksgrupper", change_cols(), [Sec("", tg_rows())]),
        Tab("Tiltaksgrupper og kjønn", cross_cols("kjønn", KJONN, total), [Sec("", tg_rows())]),
        Tab("Kjønn", change_cols(), [Sec("", flat([(k, {"kjønn": k}) for k in KJONN]))]),
    ])


def cross_total_first(rng: random.Random, seed: int) -> Generated:
    """12. A cross table `I alt`, `Menn`, `Kvinner` (the I alt column first) beside Tiltaksgrupper and Kjønn."""
    return _gender_cross(rng, seed, "cross_total_first", "first")


def cross_total_last(rng: random.Random, seed: int) -> Generated:
    """13. The same with `Menn`, `Kvinner`, `I alt` (the I alt column last)."""
    return _gender_cross(rng, seed, "cross_total_last", "last")


def two_level_subtotals(rng: random.Random, seed: int) -> Generated:
    """14. Counties → landsdel subtotals (`I alt Østlandet`) → region totals (`I alt Sør-Norge`, a bold row
    right after subtotals) → the grand total at the top, in a cross table by hovedgruppe; the counties
    agree with a flat Fylke table."""
    cube = fylke_cube(rng, FYLKER, "hg")
    halves = {"Sør-Norge": ["Østlandet", "Sørlandet", "Vestlandet"], "Midt- og Nord-Norge": ["Trøndelag", "Nord-Norge"]}
    rows = [R("I alt", bold=True)]
    tops = []
    for half, regions in halves.items():
        subs = []
        for region in regions:
            start = len(rows)
            rows += [R(f, {"fylke": f}) for f in REGIONS[region]]
            rows.append(R(i_alt(region, True), {"landsdel": region}, tuple(range(start, len(rows))), bold=True))
            subs.append(len(rows) - 1)
        # the half's filter as a union of landsdeler is not a cube attribute: its value is the sum, checked
        # by the generator's own consistency assertion
        rows.append(R(i_alt(half, True), {"halvdel": half}, tuple(subs), bold=True))
        tops.append(len(rows) - 1)
    rows[0].parts = tuple(tops)
    half_of = {f: h for h, rs in halves.items() for r in rs for f in REGIONS[r]}
    cube.derived["halvdel"] = ("fylke", half_of)
    return _build("two_level_subtotals", seed, cube, [
        Tab("Fylke", change_cols(), [Sec("", flat([(f, {"fylke": f}) for f in FYLKER]))]),
        Tab("Fylke og hovedgrupper", cross_cols("hg", HG), [Sec("", rows)]),
    ], "Fylke")


def _continued(rng: random.Random, seed: int, shape: str, repeat: bool) -> Generated:
    cube = tiltak_cube(rng, "hg")
    rows = grouped(tiltak_groups())
    cuts = sorted(rng.sample(range(4, len(rows) - 2), 1 if repeat else 2))
    return _build(shape, seed, cube, [
        Tab("Tiltaksgrupper", change_cols(), [Sec("", tg_rows())]),
        Tab("Tiltak og hovedgrupper", cross_cols("hg", HG), [Sec("", rows, breaks=tuple(cuts), repeat_total=repeat)]),
    ])


def continued_repeat(rng: random.Random, seed: int) -> Generated:
    """15. A cross table continued over two pages (title and header repeated, the break anywhere, even inside
    a group) with the top total repeated at the top of the second page."""
    return _continued(rng, seed, "continued_repeat", True)


def continued_no_repeat(rng: random.Random, seed: int) -> Generated:
    """16. The same over three pages without the repeated top total."""
    return _continued(rng, seed, "continued_no_repeat", False)


def herav(rng: random.Random, seed: int) -> Generated:
    """17. `herav kvinner` rows under the total and under each hovedgruppe (parts of the row above, summed by no
    total), and a `Herav kvinner` column in a cross table (summed down, not part of the row's I alt); the
    herav rows' counts are the Kvinner column of a Hovedgrupper og kjønn table.
    Assumed: a herav row's own percent is published and checked."""
    cube = Cube(rng, {"hg": HG, "kjønn": KJONN, "gruppe": TG}, random_period(rng))
    rows = [R("I alt", bold=True), R("herav kvinner", {"kjønn": "Kvinner"}, herav=True)]
    parts = []
    for h in HG:
        rows.append(R(h, {"hg": h}))
        parts.append(len(rows) - 1)
        rows.append(R("herav kvinner", {"hg": h, "kjønn": "Kvinner"}, herav=True))
    rows[0].parts = tuple(parts)
    cols = cross_cols("hg", HG, herav=Col("Herav kvinner", filt={"kjønn": "Kvinner"}, role="herav", blank_zero=True))
    return _build("herav", seed, cube, [
        Tab("Hovedgrupper", change_cols(), [Sec("", rows)]),
        Tab("Tiltaksgrupper og hovedgrupper", cols, [Sec("", tg_rows())]),
        Tab("Hovedgrupper og kjønn", cross_cols("kjønn", KJONN), [Sec("", hg_rows())]),
    ])


def symbols(rng: random.Random, seed: int) -> Generated:
    """18. Statistical symbols in detail cells of a cross table by county and gender: `:` (suppressed, the
    number exists and is in the totals), `..` (not available) and `-` (nil: the number is 0). Whatever
    rests on one (its row's I alt, its column's totals) is not checkable."""
    fylker = sorted(rng.sample(FYLKER, 8), key=FYLKER.index)
    cube = fylke_cube(rng, fylker, "kjønn")
    dash = rng.choice(fylker)
    cube.set((dash, "Kvinner"), cube.cur, 0)
    rows = flat([(f, {"fylke": f}) for f in fylker])
    cols = cross_cols("kjønn", KJONN)
    marks = {(1 + fylker.index(dash), 2): "-"}
    r1, r2 = rng.sample([i for i in range(1, len(rows)) if i != 1 + fylker.index(dash)], 2)
    marks[(r1, rng.choice((1, 2)))] = ":"
    marks[(r2, 1)] = ".."
    return _build("symbols", seed, cube, [
        Tab("Fylke og kjønn", cols, [Sec("", rows, symbols=marks)]),
        Tab("Fylke", change_cols(), [Sec("", flat([(f, {"fylke": f}) for f in fylker]))]),
    ], "Fylke")


def one_row_table(rng: random.Random, seed: int) -> Generated:
    """19. A one-row table (just `I alt`, its own change and percent) agreeing with the next table's `I alt`.
    Its cells are detail numbers in the sense of the suite: published, summed by nothing."""
    cube = tiltak_cube(rng)
    return _build("one_row_table", seed, cube, [
        Tab("Deltakere i alt", change_cols(), [Sec("", [R("I alt", bold=True)])]),
        Tab("Tiltaksgrupper", change_cols(), [Sec("", tg_rows())]),
    ])


def one_table(rng: random.Random, seed: int) -> Generated:
    """20. A one-table report (no notes page)."""
    cube = tiltak_cube(rng)
    return _build("one_table", seed, cube, [Tab("Tiltaksgrupper", change_cols(), [Sec("", tg_rows())])], intro=False)


def label_case_space(rng: random.Random, seed: int) -> Generated:
    """21. The same figures under labels that differ only by case or a trailing space between tables
    ("oppfølging", "OPPLÆRING", "Lønnstilskudd "): agreement must hold, and be checked: the last table (a
    cross table by hovedgruppe with no total row and no I alt column) is checkable only through the
    same figures in the sectioned table before it."""
    cube = tiltak_cube(rng, "hg")
    variants = [str.lower, str.upper, lambda s: s + " ", lambda s: s[0].lower() + s[1:], lambda s: s]

    def labels() -> dict[str, str]:
        return {g: rng.choice(variants)(g) for g in TG}

    first, second = labels(), labels()
    rows = flat([(first[g], {"gruppe": g}) for g in TG], total=rng.choice(["I alt", "I ALT", "i alt"]))
    bare = [R(second[g], {"gruppe": g}) for g in TG]
    return _build("label_case_space", seed, cube, [
        Tab("Tiltaksgrupper", change_cols(), [Sec("", tg_rows())]),
        Tab("Tiltaksgrupper og hovedgrupper", cross_cols("hg", HG), [Sec("", rows)]),
        Tab("Tiltaksgrupper og hovedgrupper", change_cols(), hg_sections(lambda h: tg_rows(total=i_alt(h)))),
        Tab("Hovedgrupper og tiltaksgrupper", [Col(h, filt={"hg": h}) for h in HG], [Sec("", bare)]),
    ])


def total_at_bottom(rng: random.Random, seed: int) -> Generated:
    """22. A total row at the bottom (details first, `I alt` last) in a cross table by gender, beside a
    Tiltaksgrupper table with its total at the top."""
    cube = tiltak_cube(rng, "kjønn")
    rows = flat([(g, {"gruppe": g}) for g in TG], bottom=True)
    return _build("total_at_bottom", seed, cube, [
        Tab("Tiltaksgrupper og kjønn", cross_cols("kjønn", KJONN), [Sec("", rows)]),
        Tab("Tiltaksgrupper", change_cols(), [Sec("", tg_rows())]),
    ])


def county_sections(rng: random.Random, seed: int) -> Generated:
    """Mix: one table with a section per county (inline headings deeper than the title, the header repeated,
    same row labels), each section's total named after the county; the county totals agree with Fylke."""
    fylker = sorted(rng.sample(FYLKER, rng.randint(3, 6)), key=FYLKER.index)
    cube = fylke_cube(rng, fylker, "gruppe")
    secs = [Sec(f, tg_rows(total=i_alt(f, True)), {"fylke": f}) for f in fylker]
    return _build("county_sections", seed, cube, [
        Tab("Fylke", change_cols(), [Sec("", flat([(f, {"fylke": f}) for f in fylker]))]),
        Tab("Tiltaksgrupper og fylke", change_cols(), secs, style="inline"),
    ], "Fylke")


def age_gender(rng: random.Random, seed: int) -> Generated:
    """Mix: Alder og kjønn, a cross table (I alt, Menn, Kvinner) with a section per hovedgruppe on its own
    page; ages agree with an Alder table only at the hovedgruppe totals (sections are slices)."""
    cube = Cube(rng, {"hg": HG, "kjønn": KJONN, "alder": ALDER}, random_period(rng))
    return _build("age_gender", seed, cube, [
        Tab("Hovedgrupper", change_cols(), [Sec("", hg_rows())]),
        Tab("Alder", change_cols(), [Sec("", flat([(a, {"alder": a}) for a in ALDER]))]),
        Tab("Alder og kjønn", cross_cols("kjønn", KJONN),
            hg_sections(lambda h: flat([(a, {"alder": a}) for a in ALDER], i_alt(h)))),
    ], "Alder")


def rate_and_change(rng: random.Random, seed: int) -> Generated:
    """Mix: Antall, Endring fra i fjor Antall, Endring fra i fjor Prosent and Prosent av arbeidsstyrken in one
    table, regions as subtotals (the Fylke sample's layout), `−` (U+2212) as the minus sign."""
    cube = fylke_cube(rng, FYLKER, "hg")
    groups = [(i_alt(r, True), {"landsdel": r}, [(f, {"fylke": f}) for f in fs]) for r, fs in REGIONS.items()]
    cols = [*change_cols(), Col("Prosent av arbeidsstyrken", "rate")]
    return _build("rate_and_change", seed, cube, [
        Tab("Fylke", cols, [Sec("", grouped(groups))], minus="\u2212"),
        Tab("Fylke og hovedgrupper", cross_cols("hg", HG), [Sec("", grouped(groups))], levels=(2, 3, 4)),
    ], "Fylke")


def years_and_shares(rng: random.Random, seed: int) -> Generated:
    """Mix: a year-column table by tiltaksgruppe with sections per hovedgruppe, and a share table by
    hovedgruppe; counts agree across the three tables."""
    cube = tiltak_cube(rng, "hg")
    return _build("years_and_shares", seed, cube, [
        Tab("Hovedgrupper", [Col("Antall"), Col("Andel i prosent", "share")], [Sec("", hg_rows())]),
        Tab("Tiltaksgrupper og hovedgrupper", year_cols(cube), hg_sections(lambda h: tg_rows(total=i_alt(h)))),
    ])



# --------------------------------------------------------------------------- real-world shapes (issue 16)
# Shapes of real NAV tables that break the simple rules: the parts of a total are not always the
# rows since the last bold one, and a "Prosent" is not always computed from the table.

KOMMUNER = {
    "Oslo": ["Oslo"],
    "Rogaland": ["Stavanger", "Sandnes", "Karmøy", "Andre kommuner i Rogaland"],
    "Hordaland": ["Bergen", "Askøy", "Voss", "Andre kommuner i Hordaland"],
    "Møre og Romsdal": ["Ålesund", "Molde", "Kristiansund", "Andre kommuner i Møre og Romsdal"],
    "Sør-Trøndelag": ["Trondheim", "Malvik", "Andre kommuner i Sør-Trøndelag"],
}
BY_CITY = {"Oslo": "Oslo", "Rogaland": "Stavanger", "Hordaland": "Bergen", "Sør-Trøndelag": "Trondheim"}


def kommune_cube(rng: random.Random, fylker: list[str], *extra: str, **kw: object) -> Cube:
    kommuner = [k for f in fylker for k in KOMMUNER.get(f, [f"Kommunene i {f}"])]
    fylke_av = {k: f for f in fylker for k in KOMMUNER.get(f, [f"Kommunene i {f}"])}
    dims = {"kommune": kommuner}
    values = {"kjønn": KJONN, "status": ["ledig", "tiltak"]}
    for e in extra:
        dims[e] = values[e]
    return Cube(rng, dims, random_period(rng), derived={"fylke": ("kommune", fylke_av)}, **kw)


def av_dette(rng: random.Random, seed: int) -> Generated:
    """A county list where some counties are followed by their main municipality (`Av dette: Bergen`, and
    `Av dette: Oslo`, equal to its county): the top total `Heile landet` sums the counties only. Beside
    it, the municipalities' counts in a table of their own (the same figures)."""
    fylker = FYLKER
    cube = kommune_cube(rng, fylker, "kjønn")
    rows = [R("Heile landet", bold=True)]
    parts = []
    for f in fylker:
        rows.append(R(f, {"fylke": f}))
        parts.append(len(rows) - 1)
        if f in BY_CITY:
            rows.append(R(f"Av dette: {BY_CITY[f]}", {"kommune": BY_CITY[f]}, herav=True))
    rows[0].parts = tuple(parts)
    # Beside it the counties by gender (the same county figures; a municipality printed as "Av dette" is
    # a part of its county, so a table of municipalities would be another figure to the structure)
    return _build("av_dette", seed, cube, [
        Tab("Fylke", change_cols(), [Sec("", rows)]),
        Tab("Fylke og kjønn", cross_cols("kjønn", KJONN), [Sec("", flat([(f, {"fylke": f}) for f in fylker],
                                                                          "Heile landet"))]),
    ], title="Registrerte arbeidslause. Fylke. Ein månad")


def county_page(rng: random.Random, seed: int) -> Generated:
    """A page of one county: `Hele landet` (the national figure, printed for reference: not the sum of the
    page), then the county in bold above its municipalities (a subtotal above its parts). Before it, a
    Fylke table whose `Hele landet` is the sum of its counties (the same figure: compared)."""
    fylker = FYLKER
    cube = kommune_cube(rng, fylker)
    county = rng.choice([f for f in KOMMUNER if len(KOMMUNER[f]) > 2])
    rows = [R("Hele landet", bold=True), R(county, {"fylke": county}, bold=True)]
    rows += [R(k, {"kommune": k}) for k in KOMMUNER[county]]
    rows[1].parts = tuple(range(2, len(rows)))
    return _build("county_page", seed, cube, [
        Tab("Fylke", change_cols(), [Sec("", flat([(f, {"fylke": f}) for f in fylker], "Hele landet"))]),
        Tab(f"Kommuner. {county}", change_cols(), [Sec("", rows)]),
    ], "Fylke")


BAKGRUNN = ["Førstegenerasjonsinnvandrere", "Norskfødte med innvandrerforeldre"]
LANDBAKGRUNN = ["Norden", "EU/EØS", "Europa ellers", "Afrika", "Asia", "Sør- og Mellom-Amerika"]


def subtotal_above(rng: random.Random, seed: int) -> Generated:
    """Subtotals printed above their parts (`Førstegenerasjonsinnvandrere i alt`, then its regions, then the
    next group), under a top total over the subtotals and a row under no group; beside a flat table of the
    groups (the subtotals' figures)."""
    cube = Cube(rng, {"bakgrunn": [*BAKGRUNN, "Befolkningen ellers"], "region": LANDBAKGRUNN},
                random_period(rng))
    rows = [R("I alt", bold=True)]
    tops = []
    for b in BAKGRUNN:
        rows.append(R(f"{b} i alt", {"bakgrunn": b}, bold=True))
        start = len(rows)
        rows += [R(region, {"bakgrunn": b, "region": region}) for region in LANDBAKGRUNN]
        rows[start - 1].parts = tuple(range(start, len(rows)))
        tops.append(start - 1)
    rows.append(R("Befolkningen ellers", {"bakgrunn": "Befolkningen ellers"}))
    tops.append(len(rows) - 1)
    rows[0].parts = tuple(tops)
    return _build("subtotal_above", seed, cube, [
        Tab("Innvandrerbakgrunn og landbakgrunn", change_cols(), [Sec("", rows)]),
        Tab("Innvandrerbakgrunn", change_cols(),
            [Sec("", flat([(b, {"bakgrunn": b}) for b in [*BAKGRUNN, "Befolkningen ellers"]]))]),
    ], title="Arbeidssøkere etter innvandrerbakgrunn. En måned")


def rate_columns(rng: random.Random, seed: int) -> Generated:
    """`Prosent <month>` columns: a rate of the labour force (its base not in the report), beside a count
    (not a share of the table) and beside a change (not a percent change)."""
    fylker = sorted(rng.sample(FYLKER, rng.randint(8, 14)), key=FYLKER.index)
    cube = fylke_cube(rng, fylker, "status")
    month = MONTHS[cube.cur[1] - 1].lower()
    rate = Col(f"Prosent {month}", "rate")
    rows = flat([(f, {"fylke": f}) for f in fylker], "Hele landet")
    # two populations (the rate of one is not the other's): nothing compared across the tables
    return _build("rate_columns", seed, cube, [
        Tab("Helt ledige", [Col("Antall"), rate], [Sec("", rows)], filt={"status": "ledig"}),
        Tab("Tiltaksdeltakere", [Col("Antall"), Col("Endring fra i fjor Antall", "change"), rate],
            [Sec("", flat([(f, {"fylke": f}) for f in fylker], "Hele landet"))], filt={"status": "tiltak"}),
    ], "Fylke")


def rate_block(rng: random.Random, seed: int) -> Generated:
    """A block of counts and a block of rates under headings `Antall` and `Prosent`, in one cross table by
    gender: the rate block's `I alt` (row and column) is a rate, not a sum."""
    fylker = sorted(rng.sample(FYLKER, rng.randint(5, 9)), key=FYLKER.index)
    cube = fylke_cube(rng, fylker, "kjønn")
    cols = cross_cols("kjønn", KJONN)

    def rows() -> list[R]:
        return flat([(f, {"fylke": f}) for f in fylker])

    return _build("rate_block", seed, cube, [
        Tab("Fylke og kjønn", cols, [Sec("Antall", rows()), Sec("Prosent", rows(), rate=True)], style="inline"),
        Tab("Fylke", change_cols(), [Sec("", flat([(f, {"fylke": f}) for f in fylker]))]),
    ], "Fylke")


def blank_heavy(rng: random.Random, seed: int) -> Generated:
    """A sparse cross table by county and age: most cells blank (a zero is printed blank), some suppressed
    (`:`); totals over blanks are still sums, and nothing rests on a `:`."""
    fylker = sorted(rng.sample(FYLKER, 10), key=FYLKER.index)
    cube = Cube(rng, {"fylke": fylker, "alder": ALDER}, random_period(rng), zero=0.55, high=40)
    rows = flat([(f, {"fylke": f}) for f in fylker])
    marks = {}
    for r in rng.sample(range(1, len(rows)), 3):
        marks[(r, rng.randint(1, len(ALDER)))] = ":"
    return _build("blank_heavy", seed, cube, [
        Tab("Fylke og alder", cross_cols("alder", ALDER), [Sec("", rows, symbols=marks)]),
        Tab("Alder", [Col("Antall")], [Sec("", flat([(a, {"alder": a}) for a in ALDER]))]),
    ], "Alder")


def two_tables_headed(rng: random.Random, seed: int) -> Generated:
    """One report title and period, then two tables each under its own heading (`### Registrerte
    arbeidslause`, `### Ordinære arbeidsmarknadstiltak`) with the same header and rows: two populations,
    never compared; neither heading is dropped."""
    fylker = sorted(rng.sample(FYLKER, rng.randint(5, 9)), key=FYLKER.index)
    cube = fylke_cube(rng, fylker, "status")
    rows = flat([(f, {"fylke": f}) for f in fylker], "Heile landet")
    return _build("two_tables_headed", seed, cube, [
        Tab("Registrerte arbeidslause", change_cols(), [Sec("", rows)], filt={"status": "ledig"}, style="headed"),
        Tab("Ordinære arbeidsmarknadstiltak", change_cols(),
            [Sec("", flat([(f, {"fylke": f}) for f in fylker], "Heile landet"))], filt={"status": "tiltak"},
            style="headed"),
    ], intro=False, title="Arbeidsmarknaden i fylka")


def _periodic(rng: random.Random, seed: int, shape: str, line: Callable[[Period], str],
              header: Callable[[Period], str], rounded: bool = False) -> Generated:
    """A report for another period than a month: year columns named like its period, a change and a
    percent change; and a Hovedgrupper table for the same period."""
    cube = tiltak_cube(rng, "hg")
    cols = [Col(header(cube.prev), filt={"period": cube.prev}), Col(header(cube.cur)),
            Col("Endring fra i fjor Antall", "change"), Col("Endring fra i fjor Prosent", "pct")]
    return _build(shape, seed, cube, [
        Tab("Hovedgrupper", change_cols(), [Sec("", hg_rows())]),
        Tab("Tiltaksgrupper", cols, [Sec("", tg_rows())]),
    ], period_line=line(cube.cur), rounded=rounded)


def quarter_report(rng: random.Random, seed: int) -> Generated:
    """A quarter (`1. kvartal 2020`): year columns `1. kvartal 2019`, `1. kvartal 2020`."""
    def text(p: Period) -> str:
        return f"{(p[1] - 1) // 3 + 1}. kvartal {p[0]}"

    return _periodic(rng, seed, "quarter_report", text, text)


def range_report(rng: random.Random, seed: int) -> Generated:
    """A range of months (`Januar - april 2019`): year columns named by the range."""
    def text(p: Period) -> str:
        return f"Januar - {MONTHS[max(p[1], 2) - 1].lower()} {p[0]}"

    return _periodic(rng, seed, "range_report", text, text)


def year_report(rng: random.Random, seed: int) -> Generated:
    """A yearly average (`Årsgjennomsnitt 2017`) with bare year columns (`2016`, `2017`). Averages are
    rounded one by one, so a total holds within half a unit per part: a change within that is none."""
    return _periodic(rng, seed, "year_report", lambda p: f"Årsgjennomsnitt {p[0]}", lambda p: str(p[0]),
                     rounded=True)


def date_report(rng: random.Random, seed: int) -> Generated:
    """A date (`31. desember 2018`): year columns named by the date a year apart."""
    def text(p: Period) -> str:
        return f"{calendar.monthrange(p[0], p[1])[1]}. {MONTHS[p[1] - 1].lower()} {p[0]}"

    return _periodic(rng, seed, "date_report", text, text)


REAL_WORLD = (av_dette, county_page, subtotal_above, rate_columns, rate_block, blank_heavy, two_tables_headed,
              quarter_report, range_report, year_report, date_report)

SHAPES: dict[str, Callable[[random.Random, int], Generated]] = {
    f.__name__: f for f in (
        sample_like, county_tables, numbered_parts, sections_at_title_level, empty_section, gender_under_groups,
        tiltak_named_like_group, share_column, rate_column, year_columns, time_series, cross_total_first,
        cross_total_last, two_level_subtotals, continued_repeat, continued_no_repeat, herav, symbols,
        one_row_table, one_table, label_case_space, total_at_bottom, county_sections, age_gender,
        rate_and_change, years_and_shares, *REAL_WORLD,
    )
}


def generate(shape: str, seed: int = 0) -> Generated:
    """The report of `shape` for `seed` (the same seed gives the same text)."""
    return SHAPES[shape](random.Random(f"{shape}:{seed}"), seed)


# --------------------------------------------------------------------------- judging a reconciliation

def check_names(check: object) -> set[tuple[str, ...]]:
    """The places a check names: `Check.names()` when the library has it, else its own cell."""
    names = getattr(check, "names", None)
    found = names() if callable(names) else {(check.table, check.section, check.row)}   # type: ignore[attr-defined]
    return {norm_loc(n) for n in found}


def names_any(checks: Iterable[object], places: Iterable[Loc]) -> bool:
    """Does any failing check name one of `places`?"""
    want = {norm_loc(p) for p in places}
    return any(not c.holds and check_names(c) & want for c in checks)   # type: ignore[attr-defined]


def _signature(check: object) -> tuple:
    c = check
    return (str(c.kind), c.table, c.section, c.row, c.column, c.published, c.computed)   # type: ignore[attr-defined]


def new_failures(before: Iterable[object], after: Iterable[object]) -> list[object]:
    """Failing checks of the changed report that did not fail (the same way) on the consistent one."""
    old = {_signature(c) for c in before if not c.holds}   # type: ignore[attr-defined]
    return [c for c in after if not c.holds and _signature(c) not in old]   # type: ignore[attr-defined]
