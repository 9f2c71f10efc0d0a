"""One OpenAI-compatible server as all the requests of a backend share it.

Each request goes out when the server can take it (`in_flight`: as many at once as it
has slots; the rate limiter: rpm/tpm and the shared pause after a sign of overload) and
is retried below instructor when the transport fails (transport.py). How long to wait
for an answer depends on who owns the server:

- a remote endpoint gets a client timeout; a timeout is a sign of overload like a 429
  (fewer requests in flight for a while, a longer timeout on the request's next attempt)
  and the abandoned request is counted, since the server may compute it all the same;
- a server we run (`watch`) gets no timeout at all: a request may wait in its queue or
  compute slowly on a busy machine for as long as the server keeps making progress, and
  fails only when it stops (`stall_after` seconds with nothing moving).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import openai

from treatyx.errors import EndpointError
from treatyx.extractors.ratelimit import RateLimiter, estimate_tokens, reported_tokens
from treatyx.extractors.transport import (
    MalformedAnswer,
    Stalled,
    TransportStats,
    asks_to_slow_down,
    retrying,
    unusable,
)
from treatyx.redact import Redactor, without_credentials

_timeouts: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "treatyx_timeouts", default=None)
"""How often the request being sent (over all its attempts) has timed out."""


@dataclass
class Endpoint:
    client: openai.AsyncOpenAI
    """Its timeout is a request's first attempt's, doubled after each of the request's
    timeouts (up to 8x); None: no timeout (a server we own, watched instead)."""
    in_flight: int | None = None
    """Requests at once (None: as many as the documents in flight ask for)."""
    watch: Callable[[], Hashable] | None = None
    """The server's state (blocking; run in a thread): while a request waits, a change of
    it is progress."""
    stall_after: float = 600.0
    watch_every: float = 5.0
    rpm: int | None = None
    tpm: int | None = None
    attempts: int = 6
    initial_wait: float = 1.0
    on_attempt: Callable[[], None] | None = None
    stats: TransportStats = field(default_factory=TransportStats)
    answered: bool = False
    """Whether any request got an answer: until one has, a refused connection or key
    means a misconfigured endpoint, and stops the run."""
    unusable: EndpointError | None = None
    """Why the endpoint cannot be used, once known: no request is sent after it."""
    limiter: RateLimiter = field(init=False, repr=False)
    _turns: asyncio.Semaphore | None = field(init=False, repr=False)
    _create: Any = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(rpm=self.rpm, tpm=self.tpm)
        self._turns = asyncio.Semaphore(self.in_flight) if self.in_flight else None
        # Looked up once, here: the first `client.chat` imports half of openai (0.5 s),
        # which must not happen between a request's turn and its sending.
        self._create = self.client.chat.completions.create
        self.redact = Redactor.for_endpoint(self.client.api_key, str(self.client.base_url))

    @property
    def shown(self) -> str:
        """The base URL as it may be written (no credentials)."""
        return without_credentials(str(self.client.base_url)).rstrip("/")

    def sender(self) -> Callable[..., Any]:
        """The function instructor calls for each request: sent, retried, counted."""
        send = retrying(self._send, attempts=self.attempts, initial_wait=self.initial_wait,
                        on_attempt=self.on_attempt, on_transient=self._on_transient,
                        asynchronous=True)

        async def create(*args: Any, **body: Any) -> Any:
            token = _timeouts.set([0])
            try:
                return await send(*args, **body)
            finally:
                _timeouts.reset(token)

        return create

    async def _send(self, *args: Any, **body: Any) -> Any:
        """One HTTP request, sent when the server and the rate limiter give it a turn."""
        async with self._turns or contextlib.nullcontext(), \
                self.limiter.slot(estimate_tokens(body)) as slot:
            if self.unusable is not None:
                raise self.unusable
            self.stats.sent += 1
            try:
                call = self._create(*args, timeout=self._timeout(), **body)
                response = await (self._watched(call) if self.watch else call)
            except openai.APIError as error:
                if not self.answered and (fatal := unusable(error, self.shown)):
                    self.unusable = fatal
                    raise fatal from None
                self.stats.count(error)
                raise
            except ValueError as error:  # a garbled body the client could not decode
                self.stats.malformed += 1
                raise MalformedAnswer(f"{self.shown} answered with a body that is not JSON "
                                      f"({type(error).__name__})") from error
            if not _is_completion(response):
                self.stats.malformed += 1
                raise MalformedAnswer(f"{self.shown} answered 200 with no chat completion "
                                      f"(got {_glimpse(response)})")
            self.answered = True
            slot.used(reported_tokens(response))
            return response

    def _timeout(self) -> Any:
        base = self.client.timeout
        if not isinstance(base, int | float):  # None (no timeout) or the client's own object
            return openai.NOT_GIVEN
        timeouts = _timeouts.get() or [0]
        return base * 2 ** min(timeouts[0], 3)

    def _on_transient(self, error: BaseException, seconds: float) -> None:
        if isinstance(error, openai.APITimeoutError) and (timeouts := _timeouts.get()):
            timeouts[0] += 1
        if asks_to_slow_down(error):
            self.limiter.back_off(seconds)

    async def _watched(self, call: Any) -> Any:
        """Await `call` for as long as the server makes progress."""
        assert self.watch is not None
        task = asyncio.ensure_future(call)
        try:
            last, since = await asyncio.to_thread(self.watch), time.monotonic()
            while True:
                done, _ = await asyncio.wait({task}, timeout=self.watch_every)
                if done:
                    return task.result()
                state = await asyncio.to_thread(self.watch)
                if state != last:
                    last, since = state, time.monotonic()
                elif time.monotonic() - since >= self.stall_after:
                    raise Stalled(f"{self.shown} made no progress for {self.stall_after:.0f} s "
                                  "(the server is stuck or gone); rerun to retry")
        finally:
            if not task.done():
                task.cancel()


def _is_completion(response: Any) -> bool:
    choices = getattr(response, "choices", None)
    return bool(choices) and getattr(choices[0], "message", None) is not None


def _glimpse(response: Any) -> str:
    text = " ".join(str(response).split())
    return f"{type(response).__name__} {text[:60]!r}"


__all__ = ["Endpoint"]
