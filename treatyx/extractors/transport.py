"""Transport failures: which are retried (429, 5xx, timeouts, resets, a 200 that is no
chat completion), which stop the run (an endpoint that cannot be used at all), and what
they cost (TransportStats).

The retrying wraps the one HTTP request, below instructor: a failed request is simply
sent again, so an HTTP error never reaches instructor and is never pasted into a re-ask
prompt (those carry the validator's messages only). The openai client's own retries
are switched off so that this is the single place that decides.
"""

from __future__ import annotations

import email.utils
import functools
import inspect
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import openai
import tenacity

from treatyx.errors import EndpointError

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})

F = TypeVar("F", bound=Callable[..., Any])


class MalformedAnswer(Exception):
    """A 200 that is not a chat completion (an HTML page, a cut-off or garbled body): the
    transport failed, not the model, so it is sent again and never spends a re-ask."""


class Stalled(Exception):
    """The server stopped making progress on a request (not retried: it would stall too)."""


def is_transient(error: BaseException) -> bool:
    if isinstance(error, openai.APIConnectionError | MalformedAnswer):  # incl. timeouts
        return True
    return isinstance(error, openai.APIStatusError) and error.status_code in RETRYABLE_STATUS


def endpoint_failed(error: BaseException | None) -> bool:
    """Whether the endpoint failed (an HTTP error, a broken answer, a stall, an unusable
    endpoint), not the model's answer: raised as it is, never a re-ask."""
    return isinstance(error, openai.APIError | MalformedAnswer | Stalled | EndpointError)


def asks_to_slow_down(error: BaseException) -> bool:
    """A 429, an answer that says when to come back, or a timeout: signs of an endpoint
    with more work than it can do, shared by every request of the batch."""
    if isinstance(error, openai.APITimeoutError):
        return True
    return isinstance(error, openai.APIStatusError) and (
        error.status_code == 429 or retry_after(error) is not None)


def may_have_been_computed(error: BaseException) -> bool:
    """Sent, but no answer came back (a timeout, a dropped connection): the server may
    still be computing it, so sending it again costs twice. Not a refused connection."""
    return isinstance(error, openai.APIConnectionError) and not _caused_by(
        error, ConnectionRefusedError, socket.gaierror)


def unusable(error: BaseException, endpoint: str) -> EndpointError | None:
    """The error as an EndpointError when it says that the endpoint cannot be used at all
    (refused, unknown host, key refused, no such path or model), else None. `endpoint` is
    the base URL as it may be shown (no credentials)."""
    if _caused_by(error, ConnectionRefusedError):
        return EndpointError(f"cannot reach {endpoint}: connection refused; check --base-url "
                             "(or OPENAI_BASE_URL) and that the server is running")
    if _caused_by(error, socket.gaierror):
        return EndpointError(f"cannot reach {endpoint}: host not found; check the host name "
                             "in --base-url (or OPENAI_BASE_URL) and the network")
    status = getattr(error, "status_code", None)
    if status == 401:
        return EndpointError(f"{endpoint} refused the API key (401 Unauthorized); check "
                             "--api-key (or OPENAI_API_KEY)")
    if status == 403:
        return EndpointError(f"{endpoint} forbids this request (403 Forbidden); check that "
                             "the API key may use this model")
    if status == 404:
        return EndpointError(f"{endpoint} has no such path or model (404 Not Found); check "
                             "--base-url (it usually ends in /v1) and --model")
    return None


def _caused_by(error: BaseException, *kinds: type[BaseException]) -> bool:
    seen: BaseException | None = error
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, kinds):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


@dataclass
class TransportStats:
    """What the transport did across a run: requests sent, and the faults among them."""

    sent: int = 0
    throttled: int = 0
    """429s and other answers asking to come back later."""
    server_errors: int = 0
    malformed: int = 0
    """200s that were no chat completion."""
    abandoned: int = 0
    """Requests given up without an answer (timeouts, dropped connections) that the
    server may have computed all the same; each was sent again (or its document failed)."""

    def count(self, error: BaseException) -> None:
        if isinstance(error, MalformedAnswer):
            self.malformed += 1
        elif may_have_been_computed(error):
            self.abandoned += 1
        elif isinstance(error, openai.APIStatusError):
            if asks_to_slow_down(error):
                self.throttled += 1
            else:
                self.server_errors += 1

    def faults(self) -> str | None:
        """One line on what went wrong, or None when nothing did."""
        parts = [f"{n} {what}" for n, what in (
            (self.throttled, "asked to slow down (429)"),
            (self.server_errors, "server error(s)"),
            (self.malformed, "answer(s) that were no chat completion"),
            (self.abandoned, "abandoned without an answer (timeout or dropped connection; "
                             "the server may have computed them)"),
        ) if n]
        return f"of {self.sent} requests sent: " + ", ".join(parts) if parts else None


def retry_after(error: BaseException) -> float | None:
    """Seconds the server asked us to wait (Retry-After / retry-after-ms), if any."""
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time()) if when else None


class wait_for_server(tenacity.wait.wait_base):
    """Exponential backoff with jitter, but never shorter than the server's Retry-After."""

    def __init__(self, initial: float, maximum: float) -> None:
        # min(initial * 2**n + jitter, maximum), as wait_exponential_jitter, spelt so that
        # every tenacity from 8.2 takes it (its argument was renamed in 9.2, and
        # langextract's google-genai caps tenacity below 9.2).
        self.backoff = (tenacity.wait_exponential(multiplier=initial, max=maximum)
                        + tenacity.wait_random(0, 1))
        self.maximum = maximum

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        backoff = min(self.backoff(retry_state), self.maximum)
        outcome = retry_state.outcome
        asked = retry_after(outcome.exception()) if outcome and outcome.failed else None
        return backoff if asked is None else min(max(asked, backoff), self.maximum)


def retrying(
    call: F,
    *,
    attempts: int = 6,
    initial_wait: float = 1.0,
    max_wait: float = 60.0,
    on_attempt: Callable[[], None] | None = None,
    on_transient: Callable[[BaseException, float], None] | None = None,
    asynchronous: bool | None = None,
) -> F:
    """`call`, sent again on transient failures, up to `attempts` times in all.

    `asynchronous`: whether `call` returns an awaitable (the async openai client's
    methods do, without being coroutine functions); guessed when None.
    `on_transient(error, seconds)`: told of each transient failure and the wait before
    the next attempt (a rate limiter pauses the other requests as long).
    """
    policy = dict(
        retry=tenacity.retry_if_exception(is_transient),
        wait=wait_for_server(initial_wait, max_wait),
        stop=tenacity.stop_after_attempt(attempts),
        reraise=True,
        before_sleep=(lambda state: on_transient(state.outcome.exception(),
                                                 state.upcoming_sleep))
        if on_transient else None,
    )

    @functools.wraps(call)
    def once(*args: Any, **kwargs: Any) -> Any:
        if on_attempt:
            on_attempt()
        return call(*args, **kwargs)

    @functools.wraps(call)
    async def once_async(*args: Any, **kwargs: Any) -> Any:
        if on_attempt:
            on_attempt()
        return await call(*args, **kwargs)

    if asynchronous is None:
        asynchronous = inspect.iscoroutinefunction(call)
    if asynchronous:
        return tenacity.AsyncRetrying(**policy).wraps(once_async)  # type: ignore[return-value]
    return tenacity.Retrying(**policy).wraps(once)  # type: ignore[return-value]
