"""One report file → one workbook file, written atomically and never over a stranger's file."""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .checks import Check
from .errors import OutputError
from .model import Report
from .parse import DEFAULT_MAX_BYTES, parse_report
from .template import Template, load_template
from .workbook import build_workbook

CREATOR_PREFIX = "tiltak2xlsx"


@dataclass
class Result:
    """What converting one report gave."""

    source: Path
    output: Path | None
    report: Report | None = None
    checks: list[Check] = field(default_factory=list)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.holds]

    @property
    def ok(self) -> bool:
        return not self.failures


def default_output(src: Path) -> Path:
    return src.with_suffix(".xlsx")


def written_by_us(path: Path) -> bool:
    """True when `path` is a workbook whose document properties say tiltak2xlsx made it."""
    try:
        with zipfile.ZipFile(path) as zf:
            core = zf.read("docProps/core.xml")[:4096].decode("utf-8", "replace")
    except (OSError, zipfile.BadZipFile, KeyError):
        return False
    start = core.find("<dc:creator>")
    return start >= 0 and core[start + len("<dc:creator>"):].startswith(CREATOR_PREFIX)


def check_target(dst: Path, force: bool = False) -> None:
    """Refuse outputs we must not write: folders, and files tiltak2xlsx did not write (without --force)."""
    if dst.is_dir():
        raise OutputError(f"{dst}: the output is a folder. Give a file name ending in .xlsx.")
    if dst.exists() and not force and not written_by_us(dst):
        raise OutputError(f"{dst}: exists and was not written by tiltak2xlsx. "
                          "Choose another output, or use --force to replace it.")


def write_atomic(dst: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Write to a temporary file beside `dst`, then rename: readers never see half a workbook.

    `data` is the bytes, or a function that writes them to the open file (streaming).
    """
    folder = dst.parent
    if not folder.is_dir():
        raise OutputError(f"{dst}: the folder {folder} does not exist. Create it first.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{dst}: cannot write in {folder} ({exc.strerror}).") from None
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).chmod(0o666 & ~_umask())     # mkstemp makes 0600; a workbook is shared like any file
        Path(tmp).replace(dst)
    except BaseException as exc:    # KeyboardInterrupt too: never leave the temp file behind
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"{dst}: cannot be written ({exc.strerror}).") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def convert_file(src: str | os.PathLike[str], dst: str | os.PathLike[str] | None = None,
                 template: Template | str | os.PathLike[str] | None = None, *, force: bool = False,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> Result:
    """Parse `src`, build its workbook and write it to `dst` (default: beside `src`).

    Raises ReportFormatError for a bad report (nothing is written), TemplateError, OutputError.
    Discrepancies are not errors: they are in `Result.failures` and on the Avstemming sheet.
    """
    src = Path(src)
    out = Path(dst) if dst is not None else default_output(src)
    check_target(out, force)
    tpl = template if isinstance(template, Template) else load_template(template)
    report = parse_report(src, max_bytes=max_bytes)
    built = build_workbook(report, tpl)
    write_atomic(out, built.write)
    return Result(src, out, report, built.checks)
