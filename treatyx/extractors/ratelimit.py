"""Requests and tokens per minute, shared by every request of one backend.

A batch keeps several requests in flight, and each waits its turn here before it is
sent. When the endpoint says "slow down" (a 429, or any answer with Retry-After), the
whole batch pauses until the wait is over, not only the request that was refused: the
others would be refused too, and each refusal would start its own wait. After a pause,
half as many requests go out at once, growing back by one per answer, so that the
batch does not run into the same limit again at once.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any


@dataclass
class Slot:
    """One request's place in the budget; its tokens are an estimate until `used`."""

    sent: float
    tokens: int

    def used(self, tokens: int | None) -> None:
        """The tokens the endpoint reported, replacing the estimate (None keeps it)."""
        if tokens is not None:
            self.tokens = tokens


class RateLimiter:
    """`rpm`: requests spaced at least 60/rpm seconds apart. `tpm`: tokens sent in any
    `window` seconds stay within tpm (a request larger than tpm still goes, alone).
    With neither, only the shared pause after a 429 applies."""

    def __init__(self, rpm: int | None = None, tpm: int | None = None, *,
                 window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.rpm, self.tpm, self.window, self.clock = rpm, tpm, window, clock
        self.not_before = 0.0
        """No request is sent before this time (on `clock`): the shared pause."""
        self._last_sent: float | None = None
        self._recent: deque[Slot] = deque()
        self._in_flight = self._peak = 0
        self._cap: int | None = None
        self.slowdowns = 0
        """How often the endpoint said slow down (a 429, a Retry-After, a timeout)."""
        self._slowed_at = -math.inf
        self._gate = asyncio.Lock()  # one request at a time through the checks, in order
        self._freed = asyncio.Event()

    @property
    def cap(self) -> int | None:
        """Requests allowed in flight at once while recovering from a 429 (None: no cap)."""
        return self._cap

    @asynccontextmanager
    async def slot(self, tokens: int) -> AsyncIterator[Slot]:
        """Wait for a turn to send a request estimated at `tokens`; hold it while the
        request is in flight."""
        taken = await self._take(tokens)
        answered = False
        try:
            yield taken
            answered = True
        finally:
            self._release(taken, answered)

    def back_off(self, seconds: float) -> None:
        """The endpoint said slow down: nothing is sent for `seconds`, then half as many
        requests go out at once as did at most so far."""
        now = self.clock()
        self.slowdowns += 1
        self.not_before = max(self.not_before, now + seconds)
        self._slowed_at = now
        self._cap = max(1, self._peak // 2)

    async def _take(self, tokens: int) -> Slot:
        async with self._gate:
            while True:
                now = self.clock()
                ready = self._ready_at(now, tokens)
                if ready > now:
                    await asyncio.sleep(ready - now)
                elif self._cap is not None and self._in_flight >= self._cap:
                    self._freed.clear()
                    await self._freed.wait()
                else:
                    break
            taken = Slot(now, tokens)
            self._last_sent = now
            if self.tpm:
                self._recent.append(taken)
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)
            return taken

    def _ready_at(self, now: float, tokens: int) -> float:
        ready = self.not_before
        if self.rpm and self._last_sent is not None:
            ready = max(ready, self._last_sent + 60.0 / self.rpm)
        if self.tpm:
            while self._recent and self._recent[0].sent <= now - self.window:
                self._recent.popleft()
            excess = sum(s.tokens for s in self._recent) + tokens - self.tpm
            for earlier in self._recent:  # oldest first: wait until enough have aged out
                if excess <= 0:
                    break
                excess -= earlier.tokens
                ready = max(ready, earlier.sent + self.window)
        return ready

    def _release(self, taken: Slot, answered: bool) -> None:
        self._in_flight -= 1
        if answered and self._cap is not None and taken.sent >= self._slowed_at:
            self._cap += 1  # an answer to a request sent since the pause: one more may go
            if self._cap >= self._peak:
                self._cap = None
        self._freed.set()


def estimate_tokens(request: dict[str, Any]) -> int:
    """Prompt tokens of a chat request, roughly (four characters a token), before sending."""
    sent = [request.get("messages"), request.get("tools")]
    return math.ceil(len(json.dumps(sent, ensure_ascii=False, default=str)) / 4)


def reported_tokens(response: Any) -> int | None:
    usage = getattr(response, "usage", None)
    if usage is None:
        return None
    return (usage.prompt_tokens or 0) + (usage.completion_tokens or 0)
