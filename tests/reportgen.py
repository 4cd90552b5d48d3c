"""Random but consistent reports of the family, for property tests (text in, known numbers out)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

HG = ["Arbeidssøkere på tiltak", "Nedsatt arbeidsevne, på tiltak", "Andre på tiltak"]


def fmt(value: int | None) -> str:
    if value is None:
        return ""
    text = f"{abs(value):,}".replace(",", " ")
    return ("-" if value < 0 else "") + text


def pct(count: int, change: int) -> int | None:
    previous = count - change
    if previous == 0:
        return None
    n = 100 * change
    sign = -1 if (n < 0) != (previous < 0) and n != 0 else 1
    return sign * ((2 * abs(n) + abs(previous)) // (2 * abs(previous)))


@dataclass
class Generated:
    text: str
    rows: list[tuple[str, list[int | None], bool]] = field(default_factory=list)   # label, values, bold


def _values(rng: random.Random, cross: bool) -> list[int | None]:
    if cross:
        return [None if rng.random() < 0.2 else rng.randint(0, 20000) for _ in HG]
    count = rng.randint(0, 30000)
    return [count, rng.randint(-count, count)]


def _row(label: str, values: list[int | None], cross: bool, bold: bool) -> tuple[str, list[int | None]]:
    if cross:
        full: list[int | None] = [sum(v or 0 for v in values), *values]
    else:
        full = [values[0], values[1], pct(values[0] or 0, values[1] or 0)]
    cells = [fmt(v) for v in full]
    if bold:
        return "\t".join([f"<b>{label}</b>", *(f"<b>{c}</b>" if c else "" for c in cells)]), full
    return "\t".join([label, *cells]), full


def generate(seed: int, tables: int = 1) -> Generated:
    """A report of `tables` tables, each a change or cross table with sections, groups and subtotals."""
    rng = random.Random(seed)
    lines = ["# Deltakere i arbeidsrettede tiltak. Prøve. En måned", "", "Mars 2015", "", "Tilfeldig prøverapport.",
             "", ""]
    out = Generated("")
    for t in range(tables):
        cross = rng.random() < 0.5
        header = "\t" + "\t".join(["I alt", *HG] if cross else
                                  ["Antall", "Endring fra i fjor Antall", "Endring fra i fjor Prosent"])
        sections = rng.choice([[None], ["Del A", "Del B"], ["Første del"]])
        for s, heading in enumerate(sections):
            lines += ["# Deltakere i arbeidsrettede tiltak. Prøve. En måned", "", f"## Tabell {t + 1} type {seed % 97}",
                      "", "Mars 2015", ""]
            if heading:
                lines += [f"### {heading} {t}-{s}", ""]
            groups = []
            count = rng.randint(1, 4)
            for g in range(count):
                details = [(f"Rad {t}.{s}.{g}.{i}", _values(rng, cross)) for i in range(rng.randint(1, 5))]
                # Only the last group may go without a subtotal: a subtotal sums the details since the
                # previous bold row, so an unclosed group in the middle would belong to the next one.
                groups.append((f"Gruppe {t}.{s}.{g}", details, g < count - 1 or rng.random() < 0.7))
            body: list[tuple[str, list[int | None], bool]] = []
            total = [0] * (3 if cross else 2)
            for name, details, with_subtotal in groups:
                sub = [0] * len(total)
                for label, values in details:
                    body.append((label, values, False))
                    sub = [a + (b or 0) for a, b in zip(sub, values, strict=True)]
                if with_subtotal:
                    body.append((f"I alt {name.lower()}", sub, True))
                total = [a + b for a, b in zip(total, sub, strict=True)]
            # Independent random tables must not share a bare "I alt": in a real report every table's
            # grand total is the same population and is checked across tables.
            top_label = f"I alt {heading.lower()} {t}-{s}" if heading else ("I alt" if t == 0 else f"I alt tabell {t}")
            lines.append(header)
            line, full = _row(top_label, total, cross, True)
            lines.append(line)
            out.rows.append((top_label, full, True))
            for label, values, bold in body:
                line, full = _row(label, values, cross, bold)
                lines.append(line)
                out.rows.append((label, full, bold))
            lines += ["", "", ""]
    out.text = "\n".join(lines) + "\n"
    return out
