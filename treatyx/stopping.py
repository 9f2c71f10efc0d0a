"""Stopping a batch on SIGINT/SIGTERM without losing a finished document.

The first signal stops the batch from taking new documents; the requests in flight
finish and are written (each is paid for). A second signal stops at once. Either way
the command ends normally: files closed, a summary, exit code 128 + the signal.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterable, Iterator
from types import FrameType
from typing import TypeVar

T = TypeVar("T")

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopRequest:
    """Installs the handlers for the length of a `with` block (in the main thread only:
    Python runs signal handlers nowhere else)."""

    def __init__(self) -> None:
        self.signal: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():
            for number in SIGNALS:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for number, handler in self._previous.items():
            signal.signal(number, handler)  # type: ignore[arg-type]
        self._previous.clear()

    @property
    def exit_code(self) -> int:
        return 128 + (self.signal or signal.SIGINT)

    @property
    def name(self) -> str:
        return signal.Signals(self.signal or signal.SIGINT).name

    def _handle(self, number: int, frame: FrameType | None) -> None:
        first = self.signal is None
        self.signal = number
        if not first:
            raise KeyboardInterrupt  # unwinds the batch; in-flight requests are dropped
        # os.write, not print: a handler may run in the middle of a print to stderr
        os.write(2, f"treatyx: {signal.Signals(number).name}: taking no new documents; "
                    "finishing those in flight (signal again to stop now)\n".encode())

    def until_stopped(self, items: Iterable[T]) -> Iterator[T]:
        """`items` until a signal comes."""
        for item in items:
            if self.signal is not None:
                return
            yield item
