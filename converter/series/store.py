"""The tidy data of each report, kept beside the manifest so a rerun does not parse unchanged reports.

A folder `.tiltak2xlsx/` holds one small file per report, named by the input's SHA-256:
zlib-compressed JSON (never pickle: a file on disk must not be able to run code), stamped with
the version of the code that made it, so a changed tiltak2xlsx never reads stale data. Files are
written atomically (temporary file, then rename); a damaged or foreign file reads as absent.
It is a cache: losing it costs a re-parse, nothing else, so files are not fsync'ed.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import zlib
from pathlib import Path

from ..version import __version__
from .tidy import ReportData

STORE_DIR = ".tiltak2xlsx"
SUFFIX = ".tidy.z"
# The stored files' format: raise it whenever the tidy data a report gives changes (series/tidy.py's ReportData,
# meaning.figures, the period keys), so that no file of an older tiltak2xlsx is read back.
# tests/test_batch.py keeps the hash of the samples' tidy data for this number, and fails until it is raised.
FORMAT = 3                          # 3: figures under their own periods, report kind (tidy.ReportData.to_json)
MAX_FILE_BYTES = 16 * 2**20          # a real report's file is a few KiB; anything huge is not ours


def code_stamp() -> str:
    """The version and FORMAT: what a stored file must name to be read back."""
    return f"{__version__}-{FORMAT}"


def _atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise


class Store:
    """Load, save and prune the per-report files under `home/.tiltak2xlsx/`."""

    def __init__(self, home: Path) -> None:
        self.folder = Path(home) / STORE_DIR

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.folder / f"{sha256}{SUFFIX}"

    def load(self, sha256: str) -> ReportData | None:
        """The report's tidy data, or None when absent, stale or damaged."""
        try:
            path = self.path(sha256)
            if path.stat().st_size > MAX_FILE_BYTES:
                return None
            doc = json.loads(zlib.decompress(path.read_bytes()))
            if doc.get("code") != code_stamp():
                return None
            data = ReportData.from_json(doc["data"])
        except (OSError, ValueError, TypeError, LookupError, AttributeError, ArithmeticError, zlib.error):
            return None
        return data if data.sha256 == sha256 else None

    def save(self, data: ReportData) -> bool:
        """Keep `data` (False when the folder cannot be written: the next run parses again)."""
        try:
            path = self.path(data.sha256)
            self.folder.mkdir(exist_ok=True)
            doc = {"code": code_stamp(), "data": data.to_json()}
            # level 1: a tenth bigger than 6, three times faster (each worker saves its report's file)
            _atomic(path, zlib.compress(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(), 1))
        except (OSError, ValueError):
            return False
        return True

    def prune(self, keep: set[str]) -> int:
        """Remove the files of reports no longer in the archive; returns how many."""
        removed = 0
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return 0
        for entry in entries:
            name = entry.name
            if name.endswith(SUFFIX) and name[: -len(SUFFIX)] not in keep:
                with contextlib.suppress(OSError):
                    entry.unlink()
                    removed += 1
        return removed

    def read_text(self, name: str) -> str | None:
        with contextlib.suppress(OSError, UnicodeDecodeError):
            return (self.folder / name).read_text(encoding="utf-8")
        return None

    def write_text(self, name: str, text: str) -> None:
        with contextlib.suppress(OSError):
            self.folder.mkdir(exist_ok=True)
            _atomic(self.folder / name, text.encode("utf-8"))
