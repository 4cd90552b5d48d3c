"""The batch's manifest (tiltak2xlsx-manifest.json): the last run's records, what is up to date, the new account.

Each input's record (workers.Item.record) names its SHA-256, its workbook's size and time stamp
as written, and the fingerprint: the tool's version and the template's SHA-256. A workbook is up
to date while all of them still hold, so a rerun converts only what changed. json and the
template are imported inside the functions that use them: `--check` reads and writes no manifest,
and must start fast.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import Protocol

from ..errors import TiltakError
from ..version import TOOL, __version__
from .output import write_atomic
from .workers import CONVERTED, UP_TO_DATE, Item


class Account(Protocol):
    """What the manifest records of a batch (run.batch.Summary)."""

    items: list[Item]
    interrupted: bool
    series: dict[str, object]
    notes: list[str]


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint_of(template: Path | None) -> str:
    """The tool's version and the template's SHA-256: a workbook made with others is out of date."""
    from ..xlsx.template import default_template_path  # not on the --check path (see the module's docstring)

    path = template or default_template_path()
    return f"{__version__}:{sha256_of(path)}"


def load_manifest(path: Path) -> dict[str, dict[str, object]]:
    """The last run's records by output ({} when there is none, or it cannot be read)."""
    import json  # not on the --check path (see the module's docstring)

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {r["output"]: r for r in data.get("items", []) if r.get("output")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def up_to_date(previous: dict[str, object] | None, src: Path, out: Path, fingerprint: str) -> str | None:
    """The input's SHA-256 when its workbook is current (and untouched since written), else None."""
    if not previous or previous.get("status") not in (CONVERTED, UP_TO_DATE) or not out.exists():
        return None
    if previous.get("fingerprint") != fingerprint:
        return None
    st = out.stat()
    if previous.get("stamp") != [st.st_size, st.st_mtime_ns]:
        return None         # touched since: converting again finds out whether it was edited
    try:
        digest = sha256_of(src)
    except OSError:
        return None
    return digest if previous.get("sha256") == digest else None


def write_manifest(path: Path, summary: Account, fingerprint: str) -> Path | None:
    """Write the account (not when it is the same as the file's); None, with a note, when it cannot be."""
    import json  # not on the --check path (see the module's docstring)

    records = []
    for item in summary.items:
        record = item.record()
        record["failures"] = record["failures"][:20]      # type: ignore[index]
        record["fingerprint"] = fingerprint
        records.append(record)
    data: dict[str, object] = {"tool": TOOL, "interrupted": summary.interrupted}
    if summary.series:
        data["timeseries"] = summary.series
    data["items"] = records
    # A file name's byte that is not UTF-8 (a lone surrogate in Python) is written as its JSON
    # escape ("\udcff", which is what backslashreplace gives), and reads back as the same name.
    content = (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8", "backslashreplace")
    with contextlib.suppress(OSError):
        if path.stat().st_size == len(content) and path.read_bytes() == content:
            return path                       # the same account: nothing to write
    try:
        write_atomic(path, content)
    except TiltakError as exc:
        summary.notes.append(f"manifest not written: {exc}")
        return None
    return path
