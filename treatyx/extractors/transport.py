"""Retrying transport failures (429, 5xx, timeouts, resets) with tenacity.

This wraps the one HTTP request, below instructor: a failed request is simply sent
again, so an HTTP error never reaches instructor and is never pasted into a re-ask
prompt (those carry the validator's messages only). The openai client's own retries
are switched off so that this is the single place that decides.
"""

from __future__ import annotations

import email.utils
import functools
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar

import openai
import tenacity

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504})

F = TypeVar("F", bound=Callable[..., Any])


def is_transient(error: BaseException) -> bool:
    if isinstance(error, openai.APIConnectionError):  # includes APITimeoutError
        return True
    return isinstance(error, openai.APIStatusError) and error.status_code in RETRYABLE_STATUS


def asks_to_slow_down(error: BaseException) -> bool:
    """A 429, or any answer that says when to come back: a limit shared by the batch."""
    return isinstance(error, openai.APIStatusError) and (
        error.status_code == 429 or retry_after(error) is not None)


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
