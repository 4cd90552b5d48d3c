"""The interpreter settings the tool's own processes run with, set once where each one starts.

Such a setting belongs to the whole process, so the library never changes one: a library user's
program and threads keep their own. The processes that are the tool's own set them: the command
(cli.app.main) and each batch worker (run.workers._init_worker), for their whole life.

The thread switch interval: 0.1 ms instead of CPython's 5 ms. While a workbook is written, its
writer thread (xlsx.package._PartWriter) hashes and deflates each chunk of sheet XML while the
main thread makes the next, and takes the GIL back after each hash, crc32 and deflate of a chunk.
With 5 ms it waited up to 5 ms each time while the main thread made XML, fell behind, and the
two threads ran one after the other: no faster than one thread even with a core free. Measured
on the 2-core machine with a core free (a model of package: 45 chunks of 240 KB, each made in
Python, then hashed and deflated): one thread 0.36 s; two threads at 5 ms 0.35 s, at 0.5 ms
0.28 s, at 0.1 ms 0.24 s; with no core free all four alike (0.24-0.25 s). A process with one
thread never switches, so the short interval costs nothing outside the writer's time.

The collector's threshold is left as it is: raising it while checks were built (issue 12) saved
~25 ms of collector time on a report 50 times the usual size and nothing on reports of the usual
size, and no end-to-end measurement showed it (issue 19).
"""

from __future__ import annotations

import sys

SWITCH_INTERVAL = 1e-4      # seconds


def tune_process() -> None:
    """Set this process's interpreter settings for conversions; only in a process of the tool's own."""
    sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
