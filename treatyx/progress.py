"""Progress on stderr: a rich bar on a terminal, plain lines when stderr is a file.

`Progress` follows a run (documents done, and a long document's chunks done of its
chunks); `Bar` shows work of a known size (the bytes of `model pull`). Both are off
when stderr is no terminal or the user asked for quiet."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress


def wanted(quiet: bool = False) -> bool:
    """A bar is shown on a terminal only, and never when asked to be quiet."""
    return sys.stderr.isatty() and not quiet


class Bar:
    """Bars for work of a known size, one per named phase: `show("downloading", done,
    total)`. Nothing at all when not enabled."""

    def __init__(self, *, enabled: bool, unit: str = "bytes") -> None:
        self.enabled = enabled
        counts = DownloadColumn() if unit == "bytes" else MofNCompleteColumn()
        self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), counts,
                                 TimeRemainingColumn(), console=Console(stderr=True),
                                 transient=True) if enabled else None
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Bar:
        if self._bar is not None:
            self._bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def show(self, what: str, done: int, total: int) -> None:
        if self._bar is None:
            return
        if what not in self._tasks:
            self._tasks[what] = self._bar.add_task(what, total=total)
        self._bar.update(self._tasks[what], completed=done, total=total)


class Progress:
    def __init__(self, *, enabled: bool, lines: bool = True, every: float = 10.0) -> None:
        """`enabled`: the bar (a terminal); else, with `lines`, a plain line every
        `every` seconds."""
        self.enabled, self.lines = enabled, lines
        self.every = every
        self._last = time.monotonic()
        self._bar: RichProgress | None = None
        self._task = None
        self._pieces: dict[str, TaskID] = {}

    def __enter__(self) -> Progress:
        if self.enabled:
            self._bar = RichProgress(SpinnerColumn(), TextColumn("{task.description}"),
                                     BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                                     console=Console(stderr=True), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("starting", total=None)
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def piece(self, doc_id: str, done: int, total: int) -> None:
        """A document's chunks done of its chunks (a long one takes minutes locally); its
        line goes when the document is done. Called from the backend's loop thread."""
        if self._bar is None or total < 2:
            return
        if doc_id not in self._pieces:
            self._pieces[doc_id] = self._bar.add_task(f"{doc_id}: chunks", total=total)
        if done >= total:
            self._bar.remove_task(self._pieces.pop(doc_id))
        else:
            self._bar.update(self._pieces[doc_id], completed=done)

    def update(self, tally) -> None:
        rate = tally.documents / tally.seconds if tally.seconds else 0.0
        tokens = tally.usage.prompt_tokens + tally.usage.completion_tokens
        line = (f"{tally.documents} done, {tally.failures} failed, {rate:.2f} docs/s, "
                f"{tokens} tokens, {tally.cache_hits} cached")
        if self._bar is not None:
            self._bar.update(self._task, description=line, completed=tally.documents)
        elif self.lines and time.monotonic() - self._last >= self.every:
            print(f"treatyx: {line}", file=sys.stderr, flush=True)
            self._last = time.monotonic()
