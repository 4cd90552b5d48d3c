"""Reading a report file: the one place the size limit lives.

`read_report` refuses a file over the limit before reading a byte of it; `parse_report` is the
library's "path in, model out" on top of the pure parser.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from ..errors import ReportFormatError, shown
from ..model import Report
from .parse import parse_bytes

DEFAULT_MAX_BYTES = 64 * 1024 * 1024   # refuse bigger files before reading them


def read_report(path: str | os.PathLike[str], max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The file's bytes; ReportFormatError when it is missing, a folder, unreadable or too big."""
    path = Path(path)
    name = shown(path.name)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
            # A pipe or a device: reading it could wait for ever.
            raise ReportFormatError(name, "is not a regular file", "Give a .txt report")
        size = st.st_size
        if size > max_bytes:
            raise ReportFormatError(
                name, f"the file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.3g} MiB limit",
                "Raise the size limit (max_bytes) if this really is one report", reason="too-big")
        return path.read_bytes()
    except IsADirectoryError:
        raise ReportFormatError(name, "is a folder, not a report file", "Give a .txt report") from None
    except FileNotFoundError:
        raise ReportFormatError(name, "no such file", "Check the path") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ReportFormatError(name, "is a symbolic link that leads back to itself (a loop)",
                                    "Point the link at a report, or remove it") from None
        raise ReportFormatError(name, f"cannot be read ({exc.strerror})",
                                "Check the file's permissions") from None


def parse_report(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Report:
    """Read and parse one report file. Raises ReportFormatError for anything unreadable.

    The report's `source` is its file name as shown (errors.shown): it goes into the workbook,
    whose XML cannot hold a byte that is not UTF-8.
    """
    return parse_bytes(read_report(path, max_bytes), shown(Path(path).name))
