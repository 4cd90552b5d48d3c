"""Which files under the given paths are reports to convert, and where their workbooks go.

Decided by content, not by name alone: PDFs, images and spreadsheets are recognised by their
first bytes; hidden and editor backup files are skipped; a symlink that leads out of the input
folder is not followed; and no output path can leave the output folder.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from ..errors import UsageError
from ..read.decode import sniff_binary
from .output import WORKBOOK_SUFFIX, default_output

MANIFEST = "tiltak2xlsx-manifest.json"
TIMESERIES_XLSX, TIMESERIES_CSV = "tidsserie.xlsx", "tidsserie.csv"
_BACKUP_SUFFIXES = ("~", ".bak", ".swp", ".swo", ".tmp", ".orig")
_REPORT_SUFFIXES = {".txt", ""}         # always tried; other text files only when they hold a table


def skip_reason(path: Path, root: Path | None) -> str | None:
    """Why `path` is not a report to convert, or None when it should be tried."""
    name = path.name
    if name.startswith("."):
        return "hidden file"
    if name.endswith(_BACKUP_SUFFIXES) or (name.startswith("#") and name.endswith("#")):
        return "editor backup file"
    if path.is_symlink():
        try:
            path.stat()
            target = path.resolve()
        except (OSError, RuntimeError) as exc:  # RuntimeError: a loop, before Python 3.13
            if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
                return None                 # tried: the pipeline says in one line that it cannot be read
            return "broken symlink: its target does not exist"
        if root is not None and not target.is_relative_to(root.resolve()):
            return "symlink pointing outside the input folder"
    try:
        if not path.is_file():
            return "not a regular file"     # a pipe or a socket: reading one could wait for ever
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return None     # it may be a report: the pipeline's one line says why it cannot be read (exit 1)
    kind = sniff_binary(head)
    if kind:
        return f"not a report: {kind}"
    if not head.strip():
        return None if path.suffix.lower() == ".txt" else "empty file"
    if path.suffix.lower() not in _REPORT_SUFFIXES and b"\n\t" not in head and b"<b>" not in head:
        return f"not a report: a {path.suffix or 'text'} file without a table"
    return None


def discover(paths: list[Path], exclude: Path | None = None) -> tuple[
        list[tuple[Path, Path]], list[tuple[Path, str]], list[Path]]:
    """(file, path relative to its input) for every candidate report; (file, reason) for the
    skipped ones; and the given paths that do not exist. `exclude`: a folder not to enter (the
    output folder, when it lies inside an input folder).

    Only files found inside a folder are skipped (a PDF, a hidden or backup file: not a report,
    exit 0); a file named directly is always a candidate, so naming a non-report is an error.
    A file that cannot be read is a candidate too: it may be a report, and is reported as failed.
    """
    skip_dir = exclude.resolve() if exclude is not None else None
    found: list[tuple[Path, Path]] = []
    skipped: list[tuple[Path, str]] = []
    missing: list[Path] = []
    for given in paths:
        if given.is_dir():
            for folder, dirs, files in os.walk(given):     # followlinks=False: linked folders stay out
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and (skip_dir is None or (Path(folder) / d).resolve() != skip_dir))
                for name in sorted(files):
                    path = Path(folder) / name
                    if _is_own_output(path):
                        continue
                    reason = skip_reason(path, given)
                    if reason:
                        skipped.append((path, reason))
                    else:
                        found.append((path, path.relative_to(given)))
        elif given.exists() or given.is_symlink():
            # A file named on the command line is always tried, whatever it holds: if it is not a
            # report, the pipeline says so (exit 1), in a conversion and in --check alike.
            found.append((given, Path(given.name)))
        else:
            missing.append(given)
    return found, skipped, missing


def _is_own_output(path: Path) -> bool:
    """Our own files in a folder converted in place: workbooks beside their reports, manifest, time series."""
    if path.name in (MANIFEST, TIMESERIES_CSV, TIMESERIES_XLSX):
        return True
    return path.suffix.lower() == WORKBOOK_SUFFIX and path.with_suffix(".txt").exists()


def output_for(src: Path, rel: Path, outdir: Path | None) -> Path:
    """OUTDIR/<relative path>.xlsx, or beside the report; never outside OUTDIR."""
    if outdir is None:
        return default_output(src)
    out = outdir / default_output(rel)
    try:
        inside = out.resolve().is_relative_to(outdir.resolve())
    except (OSError, RuntimeError):         # a symlink loop on the way (RuntimeError before Python 3.13)
        raise UsageError(f"{src}: its output {out} cannot be reached (a symbolic link loop on the way).") from None
    if ".." in rel.parts or rel.is_absolute() or not inside:
        raise UsageError(f"{src}: its output {out} would be outside {outdir}.")
    return out
