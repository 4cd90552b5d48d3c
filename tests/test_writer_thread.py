"""The writer thread of a big workbook: Ctrl-C while the last parts are written, and a second error
in the writer thread (no traceback). The interpreter's settings are tests/test_state.py's."""

from __future__ import annotations

import signal
import sys
import threading
import time
from datetime import UTC, datetime
from io import BytesIO

import pytest

from converter.xlsx.cells import num, row_xml, text
from converter.xlsx.package import Properties, Sheet, package
from converter.xlsx.template import load_template

_SWITCH = sys.getswitchinterval()


def _writer_gone() -> bool:
    return not any(t.name == "xlsx-writer" for t in threading.enumerate()) and sys.getswitchinterval() == _SWITCH


class _SlowSink(BytesIO):
    """A file on a slow disk: when the writer thread opens the sheet's part, it waits (the main thread
    has put everything by then and waits in _PartWriter.finish), then Ctrl-C reaches the main thread."""

    def __init__(self) -> None:
        super().__init__()
        self.opened = self.sent = False

    def write(self, data) -> int:
        if self.opened and not self.sent:      # the sheet's data, while its part is open
            self.sent = True
            time.sleep(0.3)
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
            time.sleep(0.3)         # the disk is still slow: the writer is not done when Ctrl-C lands
        self.opened = self.opened or b"xl/worksheets/sheet1.xml" in bytes(data)
        return super().write(data)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="needs pthread_kill")
def test_ctrl_c_while_the_last_parts_are_written_is_a_clean_interrupt():
    """Ctrl-C while package waits for the writer thread to finish the last parts (finish → join):
    before the fix stop() believed the thread stopped and did not wait for it, so the zip was closed
    under a thread still writing into it (ValueError: open writing handle, instead of
    KeyboardInterrupt → exit 130) and the thread outlived package."""
    assert threading.current_thread() is threading.main_thread()
    tpl = load_template()
    rows = [row_xml(r, [text(r, 1, f"rad {r}", 1), num(r, 2, r, 1)]) for r in range(1, 50)]
    with pytest.raises(KeyboardInterrupt):
        package([Sheet("A", rows=rows)], tpl.styles_xml, tpl.theme_xml,
                Properties("T", "P", "c", datetime(2024, 1, 1, tzinfo=UTC), {}), _SlowSink())
    assert _writer_gone()


class _DiskFullsLater(BytesIO):
    """A file that fails every write once `full` is set, as a disk that fills up."""

    full = False

    def write(self, data) -> int:
        if self.full:
            raise OSError(28, "No space left on device")
        return super().write(data)


def test_a_second_error_in_the_writer_thread_prints_no_traceback(monkeypatch):
    """The sheet's rows fail (any error, or Ctrl-C) and, as the writer thread closes the open part,
    the disk is full too: the thread's OSError escaped _run, and threading's excepthook printed
    'Exception in thread xlsx-writer' with a traceback on stderr (no traceback reaches a user)."""
    escaped = []
    monkeypatch.setattr(threading, "excepthook", lambda args: escaped.append(args.exc_type))
    sink = _DiskFullsLater()

    def rows():
        yield row_xml(1, [text(1, 1, "rad", 1)])
        time.sleep(0.2)             # the writer has opened the part and taken what was made
        sink.full = True
        raise ValueError("bad row")

    tpl = load_template()
    with pytest.raises((ValueError, OSError)):      # the zip's own close meets the full disk too
        package([Sheet("A", rows=rows())], tpl.styles_xml, tpl.theme_xml,
                Properties("T", "P", "c", datetime(2024, 1, 1, tzinfo=UTC), {}), sink)
    assert escaped == []
    assert _writer_gone()
