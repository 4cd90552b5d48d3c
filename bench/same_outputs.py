#!/usr/bin/env python3
"""Are two versions of tiltak2xlsx's outputs byte-identical? The proof a refactoring changed nothing.

    python bench/same_outputs.py --base REV [--head REV] [--keep DIR] [--seeds 3]

One set of inputs is made once (by this checkout's generators, which never import `converter`),
then both versions convert the same copies of it (same paths, same time stamps) through the
command line (`python -m converter`, with PYTHONPATH pointing at each version's tree), with
SOURCE_DATE_EPOCH fixed and the template cache off. Compared:

- the samples (`samples/*.txt`), each converted alone, and `--check` of each: every output byte,
  stdout, stderr and the exit code;
- the family suite: every shape of tests/familygen.py for --seeds seeds, consistent and with two
  planted errors each, as one batch (workbooks, time series, manifest) and as one `--check`;
- the big report (bench/make_archive.py --count 1 --scale 50 --flat);
- a 30-report archive (bench/make_mixed_archive.py: 10 months of three kinds, a missing month, a
  corrected duplicate) with its time series, and a second archive with the time-series and
  yearly-average reports;
- every damaged file of tests/data/bad: the one-line message and the exit code.

Every file of the output folders is compared byte for byte, the manifest included, except what is
a cache by design: the batch's per-report cache under `.tiltak2xlsx/` is compared by name (its
contents carry the code's cache key), and the manifest's `fingerprint` (the key that says whether
a workbook must be rebuilt) is masked; a difference in either is reported as a note, since it only
makes the next run parse or rebuild once. The
manifest's `stamp` (each workbook's own size and modification time, how an edit is recognised)
differs from run to run and is left out.

--head defaults to the working tree (uncommitted changes included). Exit 0 when everything is
identical, 1 otherwise (each difference listed).
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "tests"))

EPOCH = "1700000000"
STAMP = 1_600_000_000            # the inputs' mtimes: STAMP, STAMP + 1 s, … in the order they were made
CACHE_KEYS = ("fingerprint",)    # manifest fields that are cache keys, compared separately
VOLATILE = ("stamp",)            # the output's own size and mtime (how an edit is seen): differs run to run


def make_inputs(into: Path, seeds: int) -> None:
    """Every input, written once; both versions convert copies of these files."""
    from familygen import SHAPES, generate  # pure: no import of converter

    samples = into / "samples"
    samples.mkdir(parents=True)
    for src in sorted((ROOT / "samples").glob("*.txt")):
        shutil.copyfile(src, samples / src.name)
    family = into / "family"
    family.mkdir()
    for shape in SHAPES:
        for seed in range(seeds):
            g = generate(shape, seed)
            (family / f"{shape}-{seed}.txt").write_bytes(g.data)
            rng = random.Random(seed)
            for n, i in enumerate(g.sample(rng, limit=2, small=0)[:2]):
                (family / f"{shape}-{seed}-avvik{n}.txt").write_bytes(g.mutation(i, rng).data)
    shutil.copytree(ROOT / "tests" / "data" / "bad", into / "bad")
    _run([sys.executable, str(BENCH / "make_archive.py"), "--count", "1", "--scale", "50", "--flat",
          "--seed", "1", "--out", str(into / "big")])
    _run([sys.executable, str(BENCH / "make_mixed_archive.py"), "--months", "10", "--out", str(into / "archive"),
          "--gap", "2013-09", "--duplicate", "2014-01"])
    _run([sys.executable, str(BENCH / "make_mixed_archive.py"), "--months", "14", "--extras", "--out",
          str(into / "extras"), "--county-gap", "2013-06"])
    # Fixed time stamps, in the order the files were made (a corrected duplicate stays the newer).
    files = sorted((p for p in into.rglob("*") if p.is_file()), key=lambda p: (p.stat().st_mtime_ns, str(p)))
    for n, path in enumerate(files):
        os.utime(path, ns=((STAMP + n) * 10**9, (STAMP + n) * 10**9))


def _run(argv: list[str]) -> None:
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


def tree_of(rev: str | None, into: Path) -> Path:
    """A version's source tree: the working tree itself, or `rev` exported with git archive."""
    if rev is None:
        return ROOT
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def convert_all(tree: Path, inputs: Path, work: Path) -> dict[str, str]:
    """Run every command with `tree`'s converter in `work` (a copy of the inputs); their console output."""
    shutil.copytree(inputs, work, copy_function=shutil.copy2)
    env = {**os.environ, "PYTHONPATH": str(tree), "SOURCE_DATE_EPOCH": EPOCH, "TILTAK2XLSX_CACHE_DIR": "off",
           "COLUMNS": "100", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}
    env.pop("TILTAK2XLSX_DEBUG", None)
    where = subprocess.run([sys.executable, "-c", "import converter; print(converter.__file__)"], env=env,
                           cwd=work, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).resolve().is_relative_to(tree.resolve()), f"{where} is not under {tree}"
    console: dict[str, str] = {}

    def run(name: str, *args: str) -> None:
        proc = subprocess.run([sys.executable, "-m", "converter", *args], env=env, cwd=work,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)
        console[name] = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}--- stderr\n{proc.stderr}"

    for sample in sorted((work / "samples").glob("*.txt")):
        run(f"sample {sample.name}", f"samples/{sample.name}", "-o", f"out/samples/{sample.stem}.xlsx", "-q")
        run(f"check {sample.name}", "--check", f"samples/{sample.name}")
    run("family batch", "family", "-o", "out/family", "-q")
    run("family check", "--check", "family")
    run("big report", *[f"big/{p.name}" for p in sorted((work / "big").glob("*.txt"))], "-o", "out/big", "-q")
    run("archive batch", "archive", "-o", "out/archive", "-q")
    run("archive rerun", "archive", "-o", "out/archive", "-q")     # nothing changed: everything up to date
    run("extras batch", "extras", "-o", "out/extras", "-q")
    for bad in sorted((work / "bad").glob("*")):
        run(f"bad {bad.name}", f"bad/{bad.name}", "-o", f"out/bad/{bad.stem}.xlsx")
    return console


def _masked(path: Path) -> tuple[bytes, list[str]]:
    """A manifest's bytes with its cache-key fields blanked, and those fields' values."""
    data = json.loads(path.read_bytes())
    keys: list[str] = []
    for item in data.get("items", []):
        for key in CACHE_KEYS:
            if key in item:
                keys.append(f"{item.get('input')}: {item[key]}")
                item[key] = None
        for key in VOLATILE:
            item.pop(key, None)
    return json.dumps(data, sort_keys=True).encode(), keys


def compare(base: Path, head: Path, base_console: dict[str, str], head_console: dict[str, str]) -> list[str]:
    """Every difference between the two runs, one line each."""
    wrong: list[str] = []
    for name in sorted(set(base_console) | set(head_console)):
        if base_console.get(name) != head_console.get(name):
            wrong.append(f"console of {name!r} differs:\n  base: {base_console.get(name)!r}\n"
                         f"  head: {head_console.get(name)!r}")
    files_b = {p.relative_to(base) for p in (base / "out").rglob("*") if p.is_file()}
    files_h = {p.relative_to(head) for p in (head / "out").rglob("*") if p.is_file()}
    for rel in sorted(files_b ^ files_h):
        wrong.append(f"only in {'base' if rel in files_b else 'head'}: {rel}")
    keys_changed = cache_changed = 0
    for rel in sorted(files_b & files_h):
        a, b = base / rel, head / rel
        if ".tiltak2xlsx" in rel.parts:
            cache_changed += not filecmp.cmp(a, b, shallow=False)
        elif rel.name == "tiltak2xlsx-manifest.json":
            (ma, ka), (mb, kb) = _masked(a), _masked(b)
            if ma != mb:
                wrong.append(f"differs: {rel} (beyond its cache keys)")
            keys_changed += ka != kb
        elif not filecmp.cmp(a, b, shallow=False):
            wrong.append(f"differs: {rel}")
    if cache_changed:
        print(f"note: {cache_changed} file(s) of the batch's cache (.tiltak2xlsx/) have new contents (same names): "
              "they carry the code's cache key, so the next run parses again once")
    if keys_changed:
        print(f"note: {keys_changed} manifest(s) have new cache keys ({', '.join(CACHE_KEYS)}): "
              "the next run rebuilds once")
    return wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--base", required=True, help="the version to compare with (a git revision)")
    parser.add_argument("--head", help="the version under test (a git revision; default: the working tree)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per family shape (default 3)")
    parser.add_argument("--keep", type=Path, help="keep inputs and outputs in this new folder")
    args = parser.parse_args(argv)
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="same-outputs-"))
    scratch.mkdir(parents=True, exist_ok=args.keep is None)
    try:
        make_inputs(scratch / "inputs", args.seeds)
        count = sum(1 for p in (scratch / "inputs").rglob("*") if p.is_file())
        trees = {"base": tree_of(args.base, scratch / "tree-base"),
                 "head": tree_of(args.head, scratch / "tree-head")}
        consoles = {side: convert_all(tree, scratch / "inputs", scratch / side) for side, tree in trees.items()}
        wrong = compare(scratch / "base", scratch / "head", consoles["base"], consoles["head"])
        outputs = sum(1 for p in (scratch / "head" / "out").rglob("*") if p.is_file())
        for line in wrong:
            print(line)
        verdict = "IDENTICAL" if not wrong else f"{len(wrong)} DIFFERENCE(S)"
        print(f"{verdict}: {count} inputs, {outputs} output files, {len(consoles['head'])} commands; "
              f"base {args.base}, head {args.head or 'working tree'}")
        return 0 if not wrong else 1
    finally:
        if args.keep is None:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
