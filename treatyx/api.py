"""The library face of treatyx, for notebooks and research pipelines.

    from treatyx import Extractor
    with Extractor(backend="rules") as ex:
        doc = ex.extract("Japan and Australia signed a defence pact on Thursday.",
                         published="2022-01-08")

Results are the contract's pydantic models. `extract_many` streams with the same
concurrency, cache and retry behaviour as the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from treatyx.cache import ExtractionCache
from treatyx.errors import LoadError, OptionError
from treatyx.extractors.registry import NAMES as BACKENDS
from treatyx.extractors.registry import BackendOptions, open_backend
from treatyx.loading import MAX_BYTES, SourceDocument, document_from_text
from treatyx.models import Document
from treatyx.runner import Runner
from treatyx.screen import wanted as screen_wanted

Input = str | SourceDocument | Mapping[str, Any]
"""A text, a loaded document, or a mapping with `text` and optional `id`/`doc_id`,
`title`, `published` (the fields of a JSONL corpus row)."""


def _date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def as_source(item: Input, *, doc_id: str = "doc", published=None, title=None,
              max_bytes: int | None = MAX_BYTES, where: str = "<text>") -> SourceDocument:
    """A document from a text or a mapping like a JSONL row; anything else, a text that is
    not a string, an id that is not a string or number, or a text over `max_bytes`
    (None: no limit) is a LoadError (a ValueError) naming `where`."""
    if isinstance(item, SourceDocument):
        return item
    if isinstance(item, str):
        text = item
    elif isinstance(item, Mapping):
        row = dict(item)
        if "text" not in row:
            raise LoadError(where, "a document mapping needs `text`")
        text, title = row["text"], row.get("title", title)
        published = row.get("published", published)
        given = row.get("doc_id", row.get("id"))
        if given is not None:
            if isinstance(given, bool) or not isinstance(given, str | int) or not str(given):
                raise LoadError(where, f"`id` must be a non-empty string or number, not "
                                f"{type(given).__name__} {given!r:.60}")
            doc_id = str(given)
    else:
        raise LoadError(where, f"not a document: a {type(item).__name__} (give a text, a "
                        "mapping with `text`, or a SourceDocument)")
    if not isinstance(text, str):
        raise LoadError(where, f"`text` must be a string, not {type(text).__name__}")
    if title is not None and not isinstance(title, str):
        raise LoadError(where, f"`title` must be a string, not {type(title).__name__}")
    if max_bytes is not None and len(text) > max_bytes // 4:  # 4 bytes a character at most
        size = len(text.encode("utf-8"))
        if size > max_bytes:
            raise LoadError(where, f"document too large: {size:,} bytes, over the limit of "
                            f"{max_bytes:,} (max_bytes)")
    try:
        date = _date(published)
    except (TypeError, ValueError):
        raise LoadError(where, f"bad published date {published!r} (want YYYY-MM-DD)") from None
    return document_from_text(text, doc_id, title=title, published=date, source=where)


def _sources(items: Iterable[Input | LoadError],
             max_bytes: int | None = MAX_BYTES) -> Iterator[SourceDocument | LoadError]:
    """Items as documents, lazily; a bad item becomes a LoadError in the stream (named by
    its position) instead of stopping it, as a bad file does in the CLI."""
    for n, item in enumerate(items):
        if isinstance(item, LoadError):
            yield item
            continue
        try:
            yield as_source(item, doc_id=f"doc{n}", max_bytes=max_bytes, where=f"item {n}")
        except LoadError as error:
            yield LoadError(f"item {n}", error.problem)
        except Exception as error:  # whatever a strange item raises, the others go on
            yield LoadError(f"item {n}", f"not a document: {type(error).__name__}: {error}")


def _check_options(backend: object, *, max_retries: object, timeout: object,
                   concurrency: object, max_bytes: object) -> None:
    """Bad options are an OptionError (a ValueError and a UsageError) naming what is
    allowed, raised before anything starts (a misspelt backend must not start a model)."""
    if backend not in BACKENDS:
        raise OptionError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    for name, value, low in (("max_retries", max_retries, 0), ("concurrency", concurrency, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise OptionError(f"{name} must be a whole number of at least {low}, not {value!r}")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise OptionError(f"timeout must be a positive number of seconds, not {timeout!r}")
    if max_bytes is not None and (not isinstance(max_bytes, int) or max_bytes < 1):
        raise OptionError(f"max_bytes must be a positive whole number or None, not "
                         f"{max_bytes!r}")


class Extractor:
    """An open backend plus the validator: reuse one for many documents.

    backend: "auto" (a configured endpoint, else the pulled local model, else rules),
    "rules", "openai" or "local". The local backend starts llama.cpp's server on first
    use and stops it on `close()` (or at the end of a `with` block). `rpm`/`tpm` cap
    requests and tokens per minute across all requests in flight, as the CLI's options do.
    `read_evidence` completes each agreement from its evidence's words (default: on for
    the local model only). `screen` sends only articles that may report a defence agreement
    to the model (`treatyx.screen`; default: on for LLM backends).
    """

    def __init__(
        self,
        backend: str = "auto",
        *,
        model: str | None = None,
        base_url: str | None = None,
        api_key: str | None = None,
        mode: str | None = None,
        max_retries: int = 2,
        timeout: float = 120.0,
        strict: bool = False,
        concurrency: int = 4,
        cache: bool = True,
        cache_dir: str | Path | None = None,
        rpm: int | None = None,
        tpm: int | None = None,
        read_evidence: bool | None = None,
        screen: bool | None = None,
        max_bytes: int | None = MAX_BYTES,
    ) -> None:
        _check_options(backend, max_retries=max_retries, timeout=timeout,
                       concurrency=concurrency, max_bytes=max_bytes)
        self.max_bytes = max_bytes
        self.options = BackendOptions(
            backend=backend, model=model, base_url=base_url, api_key=api_key, mode=mode,
            max_retries=max_retries, timeout=timeout,
            cache_dir=Path(cache_dir) if cache_dir else None, rpm=rpm, tpm=tpm,
            read_evidence=read_evidence,
        )
        self.strict = strict
        self.concurrency = concurrency
        self.use_cache = cache
        self.screen = screen
        self._stack: ExitStack | None = None
        self._runner: Runner | None = None

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            self._stack = ExitStack()
            backend = self._stack.enter_context(open_backend(self.options))
            cache = None
            if self.use_cache and backend.name != "rules":
                from treatyx.local_model import cache_root

                cache = self._stack.enter_context(
                    ExtractionCache(cache_root(self.options.cache_dir) / "responses"))
            self._runner = Runner(backend, strict=self.strict, concurrency=self.concurrency,
                                  cache=cache, screen=screen_wanted(self.screen, backend.name))
        return self._runner

    def extract(
        self,
        text: Input,
        *,
        published: str | dt.date | None = None,
        doc_id: str = "doc",
        title: str | None = None,
    ) -> Document:
        """One document; raises on failure (ValueError for bad input)."""
        outcome = self.runner.one(as_source(text, doc_id=doc_id, published=published,
                                            max_bytes=self.max_bytes,
                                            title=title))
        if outcome.document is None:
            raise RuntimeError(outcome.error)
        return outcome.document

    def extract_many(self, items: Iterable[Input]) -> Iterator[Document]:
        """Documents as they finish (not in input order); failures are raised at the end
        as one error listing them, after every other document was yielded."""
        failures: list[str] = []
        for outcome in self.runner.run(_sources(items, self.max_bytes)):
            if outcome.document is not None:
                yield outcome.document
            else:
                failures.append(outcome.error or "unknown error")
        if failures:
            raise RuntimeError(f"{len(failures)} document(s) failed: " + "; ".join(failures))

    async def aextract(self, text: Input, **kwargs: Any) -> Document:
        """`extract` for async code: the request runs on the backend's own loop."""
        import asyncio

        return await asyncio.to_thread(self.extract, text, **kwargs)

    async def aextract_many(self, items: Iterable[Input]) -> AsyncIterator[Document]:
        import asyncio

        iterator = iter(self.extract_many(items))
        sentinel = object()
        while (document := await asyncio.to_thread(next, iterator, sentinel)) is not sentinel:
            yield document  # type: ignore[misc]

    def close(self) -> None:
        if self._stack is not None:
            self._stack.close()
        self._stack = self._runner = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def extract(text: Input, *, backend: str = "auto", published=None, doc_id: str = "doc",
            **options: Any) -> Document:
    """One-off extraction: opens a backend, extracts, closes it."""
    with Extractor(backend, **options) as extractor:
        return extractor.extract(text, published=published, doc_id=doc_id)
