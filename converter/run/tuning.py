"""Interpreter-wide settings changed while some work runs, and restored after.

A conversion tunes the interpreter for its hot part (the garbage collector's threshold in
audit, the thread switch interval in xlsx.package). Both settings belong to the whole process,
and a library user's threads may run conversions that overlap: the first one in saves the
setting and the last one out restores it, so nobody restores a value another one set.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

T = TypeVar("T")


class Tuning(Generic[T]):
    """`with tuning():` — the setting is `change(saved)` while any holder runs, `saved` after."""

    def __init__(self, get: Callable[[], T], set_: Callable[[T], object], change: Callable[[T], T]) -> None:
        self._get, self._set, self._change = get, set_, change
        self._lock = threading.Lock()
        self._holders = 0
        self._saved: T | None = None

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self._lock:
            if self._holders == 0:
                self._saved = self._get()
                self._set(self._change(self._saved))
            self._holders += 1
        try:
            yield
        finally:
            with self._lock:
                self._holders -= 1
                if self._holders == 0:
                    self._set(self._saved)      # type: ignore[arg-type]
