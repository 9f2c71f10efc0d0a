"""Progress on stderr: a rich bar on a terminal, plain lines when stderr is a file."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import Progress as RichProgress
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn


class Progress:
    def __init__(self, *, enabled: bool, every: float = 10.0) -> None:
        self.enabled = enabled
        self.every = every
        self._last = time.monotonic()
        self._bar: RichProgress | None = None
        self._task = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._bar = RichProgress(SpinnerColumn(), TextColumn("{task.description}"),
                                     TimeElapsedColumn(), console=Console(stderr=True),
                                     transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("starting", total=None)
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def update(self, tally) -> None:
        rate = tally.documents / tally.seconds if tally.seconds else 0.0
        tokens = tally.usage.prompt_tokens + tally.usage.completion_tokens
        line = (f"{tally.documents} done, {tally.failures} failed, {rate:.2f} docs/s, "
                f"{tokens} tokens, {tally.cache_hits} cached")
        if self._bar is not None:
            self._bar.update(self._task, description=line)
        elif time.monotonic() - self._last >= self.every:
            print(f"treatyx: {line}", file=sys.stderr, flush=True)
            self._last = time.monotonic()
