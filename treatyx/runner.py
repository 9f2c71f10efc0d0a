"""Running many documents: bounded concurrency, the response cache, rate limits.

One document's failure never stops the others: every input yields exactly one
`Outcome`, a document or an error line, in the order documents finish.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from treatyx import screen
from treatyx.cache import ExtractionCache, cache_key
from treatyx.errors import EndpointError, LoadError
from treatyx.extractors.base import Backend, Extraction
from treatyx.loading import SourceDocument
from treatyx.models import Document, Usage
from treatyx.pipeline import assemble
from treatyx.version import __version__


@dataclass
class Outcome:
    source: str
    doc_id: str | None
    document: Document | None = None
    error: str | None = None
    cached: bool = False
    screened: bool = False
    """The screen kept it from the backend (no agreements, no request)."""
    spent: Usage | None = None
    """What a failed extraction cost before it failed (requests sent, tokens)."""


@dataclass
class Tally:
    documents: int = 0
    failures: int = 0
    cache_hits: int = 0
    screened: int = 0
    usage: Usage = field(default_factory=Usage)
    started: float = field(default_factory=time.perf_counter)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started

    def count(self, outcome: Outcome) -> None:
        if outcome.document is not None:
            self.documents += 1
            self.cache_hits += outcome.cached
            self.screened += outcome.screened
            if not outcome.cached and outcome.document.extractor is not None:
                self.usage = self.usage + outcome.document.extractor.usage
        else:
            self.failures += 1
            if outcome.spent is not None:
                self.usage = self.usage + outcome.spent

    def summary(self) -> str:
        rate = self.documents / self.seconds if self.seconds else 0.0
        screened = f" ({self.screened} not sent: screened out)" if self.screened else ""
        return (f"{self.documents} document(s){screened}, {self.failures} failed, "
                f"{self.usage.prompt_tokens + self.usage.completion_tokens} tokens "
                f"({self.usage.prompt_tokens} prompt), {self.usage.requests} requests, "
                f"{self.cache_hits} cache hit(s), {self.seconds:.1f} s ({rate:.2f} docs/s)")


@dataclass
class Runner:
    backend: Backend
    strict: bool = False
    include_text: bool = False
    concurrency: int = 4
    cache: ExtractionCache | None = None
    screen: bool = False
    """Send only the articles that pass `treatyx.screen` to the backend."""

    def _key(self, source: SourceDocument) -> str:
        # The cache holds finished extractions, so treatyx's version (its repairs) counts.
        return cache_key(__version__, *self.backend.identity(), source.body_start,
                         source.body_end, source.published, source.text)

    def _cached(self, source: SourceDocument) -> Extraction | None:
        return self.cache.get(self._key(source)) if self.cache is not None else None

    def _finish(self, source: SourceDocument, extraction: Extraction, seconds: float,
                cached: bool) -> Outcome:
        if self.cache is not None and not cached:
            self.cache.put(self._key(source), extraction)
        document = assemble(source, self.backend, extraction, seconds=seconds,
                            strict=self.strict, include_text=self.include_text)
        return Outcome(source.source, source.doc_id, document, cached=cached)

    def _screened_out(self, source: SourceDocument, started: float) -> Outcome | None:
        """The outcome of an article the screen keeps from the backend (never cached: a
        rerun with the screen off must ask the model), or None when it passes."""
        if not self.screen or screen.passes(source):
            return None
        document = assemble(source, self.backend, screen.skipped(),
                            seconds=time.perf_counter() - started, strict=self.strict,
                            include_text=self.include_text)
        return Outcome(source.source, source.doc_id, document, screened=True)

    def one(self, source: SourceDocument) -> Outcome:
        started = time.perf_counter()
        try:
            if (skipped := self._screened_out(source, started)) is not None:
                return skipped
            cached = self._cached(source)
            extraction = cached or self.backend.extract(source)
            return self._finish(source, extraction, time.perf_counter() - started,
                                cached is not None)
        except EndpointError:
            raise  # no document can succeed: the run stops
        except Exception as error:  # one document's failure must not lose the others
            return self._failed(source, error)

    def run(self, items: Iterable[SourceDocument | LoadError]) -> Iterator[Outcome]:
        """Outcomes as documents finish; at most `concurrency` extractions in flight."""
        loop = self.backend.loop
        if loop is None:
            for item in items:
                yield _load_failure(item) if isinstance(item, LoadError) else self.one(item)
            return
        yield from self._run_concurrently(items, loop)

    def _run_concurrently(self, items, loop) -> Iterator[Outcome]:
        pending: set = set()
        try:
            for item in items:
                if isinstance(item, LoadError):
                    yield _load_failure(item)
                    continue
                try:
                    skipped = self._screened_out(item, time.perf_counter())
                except Exception as error:
                    skipped = self._failed(item, error)
                if skipped is not None:
                    yield skipped
                    continue
                cached = self._cached(item)
                if cached is not None:
                    yield self._finish(item, cached, 0.0, True)
                    continue
                pending.add(loop.submit(self._one_async(item)))
                while len(pending) >= self.concurrency:
                    yield from _drain(pending, block=True)
                yield from _drain(pending, block=False)
            while pending:
                yield from _drain(pending, block=True)
        finally:  # stopped early (a second Ctrl-C, the caller gave up): drop what is in flight
            for future in pending:
                future.cancel()

    async def _one_async(self, source: SourceDocument) -> Outcome:
        started = time.perf_counter()
        spent = Usage()
        try:
            extraction = await self.backend.aextract(source, usage=spent)
        except (asyncio.CancelledError, EndpointError):
            raise
        except Exception as error:
            return self._failed(source, error, spent)
        try:
            return self._finish(source, extraction, time.perf_counter() - started, False)
        except Exception as error:
            return self._failed(source, error)

    def _failed(self, source: SourceDocument, error: BaseException,
                spent: Usage | None = None) -> Outcome:
        """The error line of a failed document, without the endpoint's secrets (a server
        may echo the API key back), and what it cost."""
        text = f"{type(error).__name__}: {' '.join(str(error).split())}"
        text = getattr(self.backend, "redact", str)(text)
        if len(text) > 300:
            text = text[:297] + "..."
        return Outcome(source.source, source.doc_id, spent=spent,
                       error=f"{source.source}: extraction failed: {text}")


def _drain(pending: set, *, block: bool) -> Iterator[Outcome]:
    import concurrent.futures as cf

    if block:
        done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
    else:
        done = {f for f in pending if f.done()}
    for future in done:
        pending.discard(future)
        yield future.result()


def _load_failure(error: LoadError) -> Outcome:
    return Outcome(source=error.path, doc_id=None, error=str(error))

