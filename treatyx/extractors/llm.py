"""The LLM extractor: instructor fills a compact schema of verbatim mentions.

The model only says WHICH words report an agreement; values (amounts, ISO durations,
dates, ISO3/COW codes) come from the deterministic normalisers, and the validator's
error-level findings are raised inside pydantic validation so that instructor re-asks
the model with those messages. Transport failures are retried underneath (transport.py).
"""

from __future__ import annotations

import contextvars
import copy
import json
import logging
import time
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import instructor
import openai
from pydantic import BaseModel, Field, model_validator

from treatyx import validation as validate
from treatyx.errors import EndpointError, UsageError
from treatyx.extractors.answers import finish, judge, speaks_of_agreement
from treatyx.extractors.base import Extraction
from treatyx.extractors.chunking import Chunk, chunk
from treatyx.extractors.endpoint import Endpoint
from treatyx.extractors.loop import BackgroundLoop
from treatyx.extractors.numbering import Numbered, numbered
from treatyx.extractors.prompting import Prompt, load_prompt, prompts_dir
from treatyx.extractors.ratelimit import RateLimiter
from treatyx.extractors.schema import AgreementWords
from treatyx.extractors.transport import endpoint_failed
from treatyx.loading import SourceDocument
from treatyx.models import (
    Agreement,
    AgreementStatus,
    AgreementType,
    Issue,
    Usage,
)
from treatyx.redact import url_credentials, without_credentials

# instructor logs each failed attempt at ERROR; treatyx reports failures itself, so keep
# those records away from Python's last-resort stderr handler.
logging.getLogger("instructor").addHandler(logging.NullHandler())

# --- what the model fills ----------------------------------------------------------


_asking: contextvars.ContextVar[tuple[SourceDocument, Chunk] | None] = contextvars.ContextVar(
    "treatyx_asking", default=None)
"""The document and chunk of the request in flight, for the validator inside instructor."""

_schemas: dict[tuple[Any, ...], dict[str, Any]] = {}


class _CompactSchema(instructor.OpenAISchema):
    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """A compact schema (no titles or descriptions, refs inlined): instructor pastes it
        into every prompt, and on a small local model each token costs time. What the
        fields mean is said once, in prompts/. Built once per class: instructor asks for
        it on every request, and at 64 requests in flight that was the CPU's main work."""
        key = (cls, args, tuple(sorted(kwargs.items())))
        if key not in _schemas:
            _schemas[key] = compact_schema(super().model_json_schema(*args, **kwargs))
        return copy.deepcopy(_schemas[key])


class ArticleWords(_CompactSchema):
    """Defence agreements reported by the article, as the article's exact words."""

    agreements: list[AgreementWords]

    @model_validator(mode="before")
    @classmethod
    def unnested(cls, data: Any) -> Any:
        """Lift agreements nested inside another agreement to the top list. A small model
        that loses its place in a long quote (say, one with quotation marks inside) may
        reopen `"agreements": [...]` inside the agreement it was writing; pydantic would
        silently drop that key, and the agreements in it with it."""
        if not isinstance(data, dict) or not isinstance(data.get("agreements"), list):
            return data
        flat: list[Any] = []
        waiting = list(data["agreements"])
        while waiting:
            item = waiting.pop(0)
            if isinstance(item, dict) and isinstance(item.get("agreements"), list):
                item = dict(item)
                waiting[:0] = item.pop("agreements")
            flat.append(item)
        return {**data, "agreements": flat}

    @model_validator(mode="after")
    def grounded_in_source(self) -> ArticleWords:
        """Raise the validator's errors, so that instructor re-asks with them."""
        _reask_on_problems(self)
        return self


MAX_CITED = 16
"""At most this many sentences or parties an agreement, and half as many agreements a
piece. Under the grammar a bound is where the model must close the list: without one, a
1.5B model was seen to repeat a party until the token cap ("Boeing", "US Department of
Justice", ... 900 tokens, ~100 s), losing the whole piece. The model's answers on the
development sets never went past 16 sentences, 13 parties or 7 agreements."""


class CitedAgreement(BaseModel):
    sentences: list[int] = Field(description="numbers of the sentences reporting it",
                                 max_length=MAX_CITED)
    parties: list[str] = Field(description="words naming each party", max_length=MAX_CITED)
    type: AgreementType
    status: AgreementStatus


class CitedArticle(_CompactSchema):
    """Defence agreements reported by the article, citing its numbered sentences."""

    agreements: list[CitedAgreement] = Field(max_length=MAX_CITED // 2)

    @model_validator(mode="after")
    def grounded_in_source(self) -> CitedArticle:
        """Raise wrong sentence numbers and the validator's errors, for a re-ask."""
        _reask_on_problems(self)
        return self


def judged(
    answer: ArticleWords | CitedArticle, source: SourceDocument, piece: Chunk
) -> tuple[list[Agreement], list[Issue], list[str]]:
    """An answer's agreements, notes and problems: `judge`, or `judge_cited` for an answer
    that cites sentence numbers."""
    if isinstance(answer, CitedArticle):
        return judge_cited(answer, source, piece)
    return judge(answer, source, piece)


def _reask_on_problems(answer: ArticleWords | CitedArticle) -> None:
    """Inside instructor's validation of an answer: raise its problems, so that instructor
    re-asks with them. The document and piece asked about come from `_asking`, set by
    `LLMBackend._ask` (instructor's own context would run every message through Jinja)."""
    asking = _asking.get()
    if asking is None:
        return
    problems = judged(answer, *asking)[2]
    if problems:
        raise ValueError(
            "Fix these and answer again with the complete JSON:\n- " + "\n- ".join(problems))


def cited_words(answer: CitedArticle, sentences: Numbered) -> tuple[Any, list[str]]:
    """The cited sentences as the words they are: each agreement's evidence is the text of
    its sentences, its parties the model's words. Problems name the numbers that are not
    sentences of this piece."""
    problems: list[str] = []
    agreements: list[AgreementWords] = []
    for number, item in enumerate(answer.agreements, start=1):
        known = [n for n in dict.fromkeys(item.sentences) if n in sentences.sentences]
        wrong = [n for n in item.sentences if n not in sentences.sentences]
        if wrong:
            problems.append(f"agreement {number} sentences: {wrong} are not numbers of "
                            "sentences in the article; cite the numbers in brackets")
        if not known:
            if not wrong:
                problems.append(f"agreement {number} sentences: cite the sentence that "
                                "reports it")
            continue
        texts = [sentences.sentences[n].text for n in sorted(known)]
        texts = [t for t in texts if speaks_of_agreement(t)] or texts[:1]
        agreements.append(AgreementWords(
            type=item.type, status=item.status, parties=item.parties, evidence=texts))
    return _Words(agreements), problems


@dataclass
class _Words:
    agreements: list[AgreementWords]


def judge_cited(
    answer: CitedArticle, source: SourceDocument, piece: Chunk
) -> tuple[list[Agreement], list[Issue], list[str]]:
    """`judge` for an answer that cites sentence numbers."""
    words, problems = cited_words(answer, numbered(source, piece))
    agreements, notes, errors = judge(words, source, piece)
    return agreements, notes, problems + errors


class _ToolCallWords(ArticleWords):
    """Defence agreements reported by the article, as the article's exact words."""

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The compact schema with its title back: tool calling names the function after
        it (instructor fails with KeyError 'title' without one)."""
        return {"title": "ArticleWords", **super().model_json_schema(*args, **kwargs)}


def compact_schema(schema: dict[str, Any]) -> dict[str, Any]:
    definitions = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return walk(definitions[node["$ref"].rsplit("/", 1)[-1]])
        options = node.get("anyOf")
        if options and len(options) == 2 and {"type": "null"} in options:
            other = next(o for o in options if o != {"type": "null"})
            node = {**{k: v for k, v in node.items() if k != "anyOf"}, **walk(other)}
            node["type"] = [node.get("type", "string"), "null"]
        return {key: walk(value) for key, value in node.items()
                if key not in ("title", "$defs", "default", "description")}

    return walk(schema)


# --- talking to the endpoint ---------------------------------------------------------

_usage: contextvars.ContextVar[Usage | None] = contextvars.ContextVar("treatyx_usage",
                                                                      default=None)

MODES = {
    "json": instructor.Mode.JSON,
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "tools": instructor.Mode.TOOLS,
    "md_json": instructor.Mode.MD_JSON,
}


def default_mode(base_url: str | None, backend: str) -> str:
    """JSON for llama.cpp/Ollama/vLLM (measured best with small local models), TOOLS for
    OpenAI itself, whose tool calling is reliable and schema-constrained."""
    if backend == "openai" and (base_url is None or "api.openai.com" in base_url):
        return "tools"
    return "json"


@dataclass
class LLMBackend:
    """Extraction through any OpenAI-compatible endpoint.

    The work is async (many requests in flight in a batch); `extract` is the blocking
    face of it for scripts and the CLI.
    """

    client: openai.AsyncOpenAI
    model: str
    name: str = "openai"
    mode: str = "json"
    max_retries: int = 2
    max_chunk_tokens: int = 1500
    chunk_overlap: int = 1
    max_completion_tokens: int = 900
    seed: int | None = 7
    transport_attempts: int = 6
    initial_wait: float = 1.0
    rpm: int | None = None
    tpm: int | None = None
    in_flight: int | None = None
    """Requests at once: the server's slots (None: no limit beyond the documents')."""
    watch: Callable[[], Hashable] | None = None
    """The state of a server we own, polled while a request waits (see Endpoint)."""
    on_piece: Callable[[str, int, int], None] | None = None
    """Told (doc_id, chunks done, chunks) as a document's chunks are answered: progress."""
    served: str = ""
    """What serves the model, for the cache key: the model file's sha256, or the
    endpoint's address without credentials or port (a restart on another port, as a
    local server gets, serves the same model)."""
    read_evidence: bool = False
    """Complete each agreement from the words of its own evidence: the type they name
    ("cost-sharing", "logistics") and the money, durations and dates in them that the
    model left out. For a small model, which reads the evidence worse than the rules do."""
    design: str = "words"
    """What the model is asked for. `words`: every fact as the article's exact words.
    `sentences`: the article's sentences are numbered; the model cites numbers and names
    parties, type and status, and the normalisers read money, durations and dates from
    the cited sentences (so `read_evidence` is always on)."""
    prompt: Prompt | None = None
    loop: BackgroundLoop = field(default_factory=BackgroundLoop, repr=False)
    _structured: Any = field(init=False, repr=False)
    endpoint: Endpoint = field(init=False, repr=False)
    """The server as all requests share it: turns, rate limits, retries, timeouts."""

    def __post_init__(self) -> None:
        if self.design not in DESIGNS:
            raise ValueError(f"unknown design {self.design!r}; one of {', '.join(DESIGNS)}")
        if self.prompt is None:
            self.prompt = load_prompt(DESIGNS[self.design]())
        if self.design == "sentences":
            self.read_evidence = True
        self.endpoint = Endpoint(self.client, in_flight=self.in_flight,
                                 watch=self.watch, rpm=self.rpm, tpm=self.tpm,
                                 attempts=self.transport_attempts,
                                 initial_wait=self.initial_wait, on_attempt=_count_request)
        self._structured = instructor.AsyncInstructor(
            client=self.client,
            create=instructor.patch(create=self.endpoint.sender(), mode=MODES[self.mode]),
            mode=MODES[self.mode],
        )
        self._structured.on("completion:response", _count_tokens)

    @property
    def limiter(self) -> RateLimiter:
        """Shared by all requests in flight: rpm/tpm, and one pause for all after a 429."""
        return self.endpoint.limiter

    def redact(self, text: str) -> str:
        """`text` without the endpoint's secrets (API key, URL credentials)."""
        return self.endpoint.redact(text)

    @property
    def prompt_version(self) -> str:
        return self.prompt.version

    def identity(self) -> tuple:
        """What decides its answers, for the cache key: what serves the model (`served`:
        never a port, never the API key), the model, the prompt and the options."""
        return (self.name, self.served, self.model, self.mode, self.prompt_version,
                self.max_chunk_tokens, self.chunk_overlap, self.read_evidence,
                self.max_retries, self.max_completion_tokens, self.seed)

    def extract(self, document: SourceDocument) -> Extraction:
        return self.loop.run(self.aextract(document))

    async def aextract(self, document: SourceDocument, usage: Usage | None = None
                       ) -> Extraction:
        """Runs on the backend's own loop (see `loop.BackgroundLoop`). `usage`, when given,
        is filled as requests go out: what a document cost even when it then fails."""
        usage = usage if usage is not None else Usage()
        token = _usage.set(usage)
        try:
            pieces = self.pieces(document)
            found = []
            for number, piece in enumerate(pieces, start=1):
                found.append(await self._extract_piece(document, piece))
                if self.on_piece is not None:
                    self.on_piece(document.doc_id, number, len(pieces))
            agreements, notes = finish(found, document, read_evidence=self.read_evidence,
                                       design=self.design)
            return Extraction(agreements=agreements, usage=usage.model_copy(), notes=notes)
        finally:
            _usage.reset(token)

    def pieces(self, document: SourceDocument) -> list[Chunk]:
        """The chunks this backend asks about, one request (and re-asks) each."""
        return chunk(document.text, document.body_start, document.body_end,
                     max_tokens=self.max_chunk_tokens, overlap=self.chunk_overlap)

    def _request(self, document: SourceDocument, piece: Chunk) -> dict[str, Any]:
        """instructor's arguments for one chunk. No `context`: instructor would run every
        message through Jinja on every request; the prompt is filled here instead."""
        published = document.published.isoformat() if document.published else "unknown"
        if self.design == "sentences":
            article, model = numbered(document, piece).text(), CitedArticle
        else:
            article = document.text[piece.start : piece.end]
            model = _ToolCallWords if self.mode == "tools" else ArticleWords
        request: dict[str, Any] = dict(
            model=self.model,
            messages=self.prompt.messages(published, article),
            response_model=model,
            max_retries=self.max_retries,
            temperature=0,
            max_tokens=self.max_completion_tokens,
        )
        if self.seed is not None:
            request["seed"] = self.seed
        return request

    def request_body(self, document: SourceDocument, piece: Chunk) -> dict[str, Any]:
        """The JSON body of the first request for one chunk, exactly as sent live.

        instructor itself prepares it (schema, response_format or tools, templating);
        its call to the endpoint is caught instead of made. The Batch API sends this.
        """
        prepare = instructor.patch(create=_capture_body, mode=MODES[self.mode])
        try:
            prepare(**{**self._request(document, piece), "max_retries": 0})
        except instructor.core.InstructorRetryException as stopped:
            if isinstance(stopped.__cause__, _Captured):
                return stopped.__cause__.body
            raise
        raise RuntimeError("instructor returned without calling the endpoint")

    async def _extract_piece(
        self, document: SourceDocument, piece: Chunk
    ) -> tuple[list[Agreement], list[Issue]]:
        request = self._request(document, piece)
        try:
            words = await self._ask(request, document, piece)
            agreements, notes, _ = judged(words, document, piece)  # accepted: no problems
            return agreements, notes
        except instructor.core.IncompleteOutputException:
            return rules_reading(document, piece, "the model's answer was cut at the "
                                 f"{self.max_completion_tokens}-token cap")
        except instructor.core.InstructorRetryException as failure:
            if endpoint_failed(cause := failure.__cause__):
                raise cause from None  # the endpoint failed, not the model
            # Out of re-asks: keep the best answer; the pipeline's validator marks (and,
            # with --strict, drops) what is still wrong. With none usable, the rules read
            # this piece: a bad answer never fails the document.
            best = _best_answer(failure, document, piece, request["response_model"])
            if best is None:
                return rules_reading(document, piece, "the model's answers stayed invalid "
                                     f"through {self.max_retries} re-asks")
            return best

    async def _ask(
        self, request: dict[str, Any], document: SourceDocument, piece: Chunk
    ) -> ArticleWords:
        """instructor's call, with the document and chunk in view of the validator."""
        asking = _asking.set((document, piece))
        try:
            return await self._structured.chat.completions.create(**request)
        finally:
            _asking.reset(asking)

    def close(self) -> None:
        self.loop.run(self.client.close())
        self.loop.close()


def rules_reading(document: SourceDocument, piece: Chunk,
                  why: str) -> tuple[list[Agreement], list[Issue]]:
    """The rules backend's agreements for one piece, with a note saying why."""
    from treatyx.extractors.rules import RulesBackend

    found = RulesBackend().extract(document).agreements
    kept = [a for a in found
            if any(e.span and piece.start <= e.span[0] < piece.end for e in a.evidence)]
    note = validate.issue(validate.FELL_BACK, "agreements", f"Characters {piece.start}-"
                          f"{piece.end} read by the rules: {why}.")
    return kept, [note]


def _best_answer(
    failure: Exception, source: SourceDocument, piece: Chunk,
    model: type[BaseModel] = ArticleWords,
) -> tuple[list[Agreement], list[Issue]] | None:
    """Of all the answers the model gave, the one with the most grounded facts and the
    fewest problems (re-asks can make a small model's answer worse, not better)."""
    best, best_score = None, None
    attempts = getattr(failure, "failed_attempts", None) or []
    for attempt in attempts:
        words = _answer_of(getattr(attempt, "completion", None), model)
        if words is None:
            continue
        agreements, notes, errors = judged(words, source, piece)
        facts_kept = sum(len(a.parties) + len(a.amounts) + len(a.durations) + len(a.dates)
                         for a in agreements)
        score = (facts_kept - 2 * len(errors), -len(errors))
        if best_score is None or score > best_score:
            best, best_score = (agreements, notes), score
    if best is not None:
        best[1].extend(_without_ungrounded(best[0]))
    return best


def _without_ungrounded(agreements: list[Agreement]) -> list[Issue]:
    """Drop the facts of a last answer whose words the article does not hold (a party the
    model named in its own words, "India" for "Indian"): the re-asks are spent, and an
    ungrounded fact is never kept."""
    notes: list[Issue] = []
    for number, agreement in enumerate(agreements):
        for kind in ("parties", "amounts", "durations", "dates"):
            facts_ = getattr(agreement, kind)
            for fact in facts_:
                if fact.span is None:
                    notes.append(validate.issue(validate.REPAIRED, f"agreements[{number}]",
                                                f"Dropped {fact.mention!r}: not in the "
                                                "article, still after the re-asks."))
            setattr(agreement, kind, [f for f in facts_ if f.span is not None])
    return notes


def _answer_of(completion: Any, model: type[BaseModel] = ArticleWords) -> Any:
    if completion is None:
        return None
    try:
        return parse_answer(completion, model)
    except ValueError:
        return None


def parse_answer(completion: Any, model: type[BaseModel] | None = None) -> Any:
    """The model's words from a chat completion (tool call or JSON in the content);
    ValueError says why there are none."""
    try:
        message = completion.choices[0].message
        if message.tool_calls:
            raw = str(message.tool_calls[0].function.arguments)
        else:
            raw = message.content or ""
            raw = raw[raw.find("{") : raw.rfind("}") + 1]
    except (AttributeError, IndexError, TypeError) as error:
        raise ValueError(f"no message in the completion ({type(error).__name__})") from None
    return (model or ArticleWords).model_validate(json.loads(raw))


_CAPTURED = "treatyx: request body captured, not sent"


class _Captured(Exception):
    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(_CAPTURED)
        self.body = body


def _capture_body(**body: Any) -> Any:
    raise _Captured(json.loads(json.dumps(body)))


# instructor logs the capture as a failed call (at ERROR, once per request of a batch).
logging.getLogger("instructor.v2.retry").addFilter(
    lambda record: _CAPTURED not in record.getMessage())


def _count_request() -> None:
    if (usage := _usage.get()) is not None:
        usage.requests += 1


def _count_tokens(response: Any) -> None:
    usage = _usage.get()
    reported = getattr(response, "usage", None)
    if usage is not None and reported is not None:
        usage.prompt_tokens += reported.prompt_tokens or 0
        usage.completion_tokens += reported.completion_tokens or 0


# --- opening a backend ---------------------------------------------------------------


@contextmanager
def open_llm_backend(
    name: str, options: Any, *, say: Callable[[str], None] = lambda _: None
) -> Iterator[LLMBackend]:
    """`openai`: the configured endpoint. `local`: start llama.cpp's server on the pulled
    model for the duration of the block."""
    if name == "openai":
        backend = _remote_backend(options, say)
        try:
            yield backend
        finally:
            backend.close()
        return
    from treatyx import local_model

    if options.base_url:  # a llama.cpp server the user runs (a GPU, another machine)
        backend = _served_local_backend(options, say)
        try:
            yield backend
        finally:
            backend.close()
        return
    if problem := local_model.cannot_serve(options.cache_dir):
        raise UsageError(f"--backend local: {problem}")
    started = time.perf_counter()
    with local_model.LocalServer(local_model.model_path(options.cache_dir),
                                 **local_model.BACKEND_SERVER) as server:
        slots = server.slots()
        say(f"backend local: {server.model} on llama.cpp at {server.base_url}, {slots} "
            f"slot(s) (ready in {time.perf_counter() - started:.1f} s)")
        # No client timeout: a request may queue or compute slowly on a busy machine for
        # as long as the server makes progress (`watch`); --timeout is how long it may not.
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="none", max_retries=0,
                                    timeout=None)
        backend = _local_backend(client, server.model, options, in_flight=slots,
                                 watch=server.progress,
                                 served=f"llama.cpp {local_model.QWEN.sha256}")
        backend.endpoint.stall_after = options.timeout
        try:
            yield backend
        finally:
            backend.close()


def _local_backend(client: openai.AsyncOpenAI, model: str, options: Any, **server: Any
                   ) -> LLMBackend:
    """The local design: numbered sentences under a JSON-schema grammar, a few paragraphs
    a request (a 1.5B model finds agreements best so; the shared prefix, system prompt
    and example, is cached by llama.cpp, so pieces are cheap)."""
    return LLMBackend(client=client, model=model, name="local",
                      mode=options.mode or "json_schema", max_retries=options.max_retries,
                      design="sentences", max_chunk_tokens=LOCAL_CHUNK_TOKENS,
                      chunk_overlap=0, read_evidence=options.read_evidence is not False,
                      **server)


def _served_local_backend(options: Any, say: Callable[[str], None]) -> LLMBackend:
    """`--backend local --base-url URL`: the local design on a llama.cpp server already
    running, serving the model it reports (/v1/models), as many requests at once as it
    has slots (/props; 1 when it does not say)."""
    from treatyx import local_model

    shown = without_credentials(options.base_url)
    root = options.base_url.rstrip("/").removesuffix("/v1")
    try:
        model = options.model or local_model.get_json(f"{root}/v1/models")["data"][0]["id"]
    except (OSError, ValueError, KeyError, IndexError) as failed:
        raise EndpointError(f"--backend local: cannot ask {shown} for its model "
                            f"({type(failed).__name__}); is a llama.cpp server running "
                            "there?") from None
    try:
        slots = int(local_model.get_json(f"{root}/props")["total_slots"])
    except (OSError, ValueError, KeyError, TypeError):
        slots = 1
    say(f"backend local: {model} on the server at {shown}, {slots} slot(s)")
    client = openai.AsyncOpenAI(base_url=options.base_url, api_key=options.api_key or "none",
                                max_retries=0, timeout=options.timeout)
    address = urlsplit(shown)
    return _local_backend(client, model, options, in_flight=slots,
                          served=f"{address.hostname}{address.path.rstrip('/')} {model}")


LOCAL_CHUNK_TOKENS = 500
"""Article tokens a request of the local backend holds: every realdev article whole, and
the seed in two requests of at most ~1,100 prompt tokens."""

DESIGNS: dict[str, Callable[[], Any]] = {
    "words": prompts_dir,
    "sentences": lambda: prompts_dir() / "sentences",
}
"""Each design's prompt directory."""


def _remote_backend(options: Any, say: Callable[[str], None]) -> LLMBackend:
    """The configured endpoint, refused before anything is sent when it cannot work."""
    if not options.model:
        raise UsageError("--backend openai needs --model (or TREATYX_MODEL)")
    shown = without_credentials(options.base_url or "https://api.openai.com/v1")
    if url_credentials(options.base_url):
        raise UsageError(f"--base-url {shown}: remove the user:password@ from the URL (it "
                         "would be sent as HTTP Basic auth instead of the API key); pass the "
                         "key with --api-key (or OPENAI_API_KEY)")
    if not options.api_key and urlsplit(shown).hostname == "api.openai.com":
        raise UsageError("api.openai.com needs an API key: --api-key or OPENAI_API_KEY (or "
                         "point --base-url at another endpoint)")
    client = openai.AsyncOpenAI(base_url=options.base_url, api_key=options.api_key or "none",
                                max_retries=0, timeout=options.timeout)
    mode = options.mode or default_mode(options.base_url, "openai")
    say(f"backend openai: model {options.model} at {shown}, mode {mode}")
    address = urlsplit(shown)
    return LLMBackend(client=client, model=options.model, name="openai", mode=mode,
                      rpm=options.rpm, tpm=options.tpm, max_retries=options.max_retries,
                      read_evidence=bool(options.read_evidence),
                      served=f"{address.hostname}{address.path.rstrip('/')}")


__all__ = ["ArticleWords", "LLMBackend", "default_mode", "open_llm_backend", "parse_answer"]

