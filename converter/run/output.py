"""Writing files safely: atomically, and never over a file tiltak2xlsx did not write or that
someone has edited since.

A workbook tiltak2xlsx writes carries a fingerprint of its parts in its custom properties
(xlsx.FINGERPRINT). Before an existing file is replaced, the fingerprint is computed again
from the file: any program that saved it since (Excel, LibreOffice, openpyxl) rewrote its parts,
so the two differ and the file is kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from ..errors import OutputError

WORKBOOK_SUFFIX = ".xlsx"
_MAX_PART = 512 * 2**20          # a part this big unpacked is no workbook of ours (zip-bomb guard)


def default_output(src: Path) -> Path:
    """The workbook beside its report: REPORT.txt → REPORT.xlsx."""
    return src.with_suffix(WORKBOOK_SUFFIX)


class Origin(StrEnum):
    OURS = "ours"           # written by tiltak2xlsx and unchanged since
    EDITED = "edited"       # written by tiltak2xlsx, then changed (saved again by some program)
    FOREIGN = "foreign"     # anything else: another workbook, another file


def origin(path: Path) -> Origin:
    """Who the existing file at `path` comes from, by its content alone."""
    # Imported here (zipfile, tempfile in write_atomic too): discover, and so --check, imports
    # this module for its file names only.
    import zipfile

    from ..xlsx.package import CUSTOM_PART, fingerprint, stored_fingerprint

    try:
        with zipfile.ZipFile(path) as zf:
            custom = zf.getinfo(CUSTOM_PART) if CUSTOM_PART in zf.namelist() else None
            stamp = stored_fingerprint(zf.read(custom)) if custom and custom.file_size < 2**20 else None
            if stamp is None:
                return Origin.FOREIGN
            digests = {}
            for info in zf.infolist():
                if info.file_size > _MAX_PART:
                    return Origin.EDITED
                h = hashlib.sha256()
                with zf.open(info) as part:
                    for block in iter(lambda p=part: p.read(1 << 20), b""):
                        h.update(block)
                digests[info.filename] = h.hexdigest()
    except PermissionError:
        raise locked(path) from None         # open in Excel on Windows (it may deny reading too)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, EOFError, RuntimeError):
        return Origin.FOREIGN
    return Origin.OURS if fingerprint(digests) == stamp else Origin.EDITED


def locked(dst: Path) -> OutputError:
    """The error for an output another program holds: on Windows, Excel keeps a workbook it has
    open locked, and replacing it fails with PermissionError (a read-only file fails the same way)."""
    return OutputError(f"{dst}: cannot be replaced: it is open in another program (Excel?) or read-only",
                       "Close it in Excel and run again", reason="locked")


def check_target(dst: Path, force: bool = False) -> None:
    """Refuse an output that must not be written: a folder; without `force`, an existing file
    that tiltak2xlsx did not write, or that was changed after it wrote it."""
    if dst.is_dir():
        raise OutputError(f"{dst}: the output is a folder", "Give a file name ending in .xlsx", reason="folder")
    if force or not dst.exists():
        return
    found = origin(dst)
    if found is Origin.EDITED:
        raise OutputError(f"{dst}: was changed after tiltak2xlsx wrote it (edited or saved again); kept as it is",
                          "Write the new workbook elsewhere, or allow replacing it (force)", reason="edited")
    if found is Origin.FOREIGN:
        raise OutputError(f"{dst}: exists and was not written by tiltak2xlsx",
                          "Write the new workbook elsewhere, or allow replacing it (force)", reason="foreign")


def write_atomic(dst: Path, data: bytes | Callable[[BinaryIO], object],
                 guard: Callable[[], None] | None = None) -> None:
    """Write to a temporary file beside `dst`, then rename: readers never see half a workbook.

    `data` is the bytes, or a function that writes them to the open file (streaming). `guard`
    runs just before the rename and may raise to keep `dst` (a file edited while we wrote).
    """
    import tempfile  # not on the --check path (see origin)

    folder = dst.parent
    if not folder.is_dir():
        raise OutputError(f"{dst}: the folder {folder} does not exist", "Create it first", reason="no-folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{dst.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{dst}: cannot write in {folder} ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data)
            f.flush()
            os.fsync(f.fileno())
        Path(tmp).chmod(0o666 & ~_umask())     # mkstemp makes 0600; a workbook is shared like any file
        if guard is not None:
            guard()
        try:
            Path(tmp).replace(dst)
        except PermissionError:
            if dst.exists():
                raise locked(dst) from None
            raise
    except BaseException as exc:    # KeyboardInterrupt too: never leave the temp file behind
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        if isinstance(exc, OSError):
            raise OutputError(f"{dst}: cannot be written ({exc.strerror})") from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
