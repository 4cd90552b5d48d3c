"""How sound the reconciliation is on the generated family: false AVVIK and missed errors, per shape.

    python tests/family_stats.py [--seed 1] [--seeds 1] [--limit 15] [-v] [SHAPE ...]

For each shape of tests/familygen.py: the consistent report is parsed and reconciled (every
failing check is a false AVVIK); then a seeded sample of its checkable detail numbers is changed
one at a time (the same sample as tests/test_family.py), and a change is *missed* when no new
failing check names its row or a total that contains it. A report that does not parse counts as
a parse error (its mutations are not tried). `twin` counts the misses whose only new AVVIK named
the same figure in another table (found, but not named at its own row). `unseen/broken` is a
diagnostic, not a requirement: of the relations the oracle says a change breaks (a total, a
percent, the same figure in another table), how many no new failing check reports. Some are
deliberately not compared by the library (figures the structure does not prove equal).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from familygen import SHAPES, generate, names_any, new_failures

from converter import parse_bytes, reconcile


def describe(c: object) -> str:
    where = " / ".join(x for x in (c.table, c.section, c.row, c.column) if x)   # type: ignore[attr-defined]
    return f"{c.kind} {where}: published {c.published}, computed {c.computed}"   # type: ignore[attr-defined]


def run_shape(shape: str, seed: int, limit: int, verbose: bool) -> dict[str, int]:
    g = generate(shape, seed)
    out = {"false": 0, "tried": 0, "missed": 0, "twin": 0, "parse": 0, "checks": 0, "broken": 0, "unseen": 0}
    try:
        checks = reconcile(parse_bytes(g.data, f"{shape}.txt"))
    except Exception as exc:   # any failure to read a consistent report is a finding, not a crash
        out["parse"] = 1
        if verbose:
            print(f"  {shape}: parse error: {exc}")
        return out
    out["checks"] = len(checks)
    failing = [c for c in checks if not c.holds]
    out["false"] = len(failing)
    if verbose:
        for c in failing[:5]:
            print(f"  {shape}: false AVVIK {describe(c)}")
    rng = random.Random(f"mutate:{shape}:{seed}")
    for i in g.sample(rng, limit):
        m = g.mutation(i, rng)
        out["tried"] += 1
        try:
            after = reconcile(parse_bytes(m.data, f"{shape}.txt"))
        except Exception as exc:
            out["missed"] += 1
            out["parse"] += 1
            if verbose:
                print(f"  {shape}: parse error after changing {g.cells[i].loc}: {exc}")
            continue
        fresh = new_failures(checks, after)
        for rel in m.broken:
            out["broken"] += 1
            if not names_any(fresh, g.witnesses(i, rel)):
                out["unseen"] += 1
                if verbose:
                    print(f"  {shape}: {rel.kind} broken by changing {g.cells[i].loc} / {g.cells[i].column} "
                          f"not reported at {sorted(g.witnesses(i, rel))}")
        if names_any(fresh, m.expected):
            continue
        out["missed"] += 1
        cell = g.cells[i]
        if names_any(fresh, cell.twins):
            out["twin"] += 1
        if verbose:
            print(f"  {shape}: missed {cell.loc} / {cell.column}: {m.old} → {m.new} "
                  f"(breaks {sorted({r.kind for r in m.broken})}; {len(fresh)} new AVVIK"
                  + (f", e.g. {describe(fresh[0])}" if fresh else "") + ")")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("shapes", nargs="*", help="shapes to run (default: all)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--seeds", type=int, default=1, help="run seeds SEED … SEED+N-1 and add them up")
    ap.add_argument("--limit", type=int, default=15, help="changes per big shape (small shapes: all)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    shapes = args.shapes or list(SHAPES)
    total = dict.fromkeys(("false", "tried", "missed", "twin", "parse", "checks", "broken", "unseen"), 0)
    print(f"{'shape':28} {'checks':>6} {'false AVVIK':>11} {'missed/tried':>13} {'twin':>4} {'parse err':>9} "
          f"{'unseen/broken':>13}")
    clean = 0
    for shape in shapes:
        r = dict.fromkeys(total, 0)
        for seed in range(args.seed, args.seed + args.seeds):
            one = run_shape(shape, seed, args.limit, args.verbose)
            for k in r:
                r[k] += one[k]
        clean += r["false"] == 0 and not r["parse"]
        for k in total:
            total[k] += r[k]
        print(f"{shape:28} {r['checks']:6} {r['false']:11} {r['missed']:6}/{r['tried']:<6} {r['twin']:4} "
              f"{r['parse']:9} {r['unseen']:6}/{r['broken']:<6}")
    print(f"{'TOTAL (' + str(len(shapes)) + ' shapes)':28} {total['checks']:6} {total['false']:11} "
          f"{total['missed']:6}/{total['tried']:<6} {total['twin']:4} {total['parse']:9} "
          f"{total['unseen']:6}/{total['broken']:<6}")
    print(f"shapes with 0 false AVVIK: {clean}/{len(shapes)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
