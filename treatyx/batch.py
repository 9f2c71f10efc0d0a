"""Large corpora through the OpenAI Batch API: submit, status, collect.

A batch costs half as much as live requests and has its own rate limits, but answers
within 24 hours and cannot re-ask: an answer the validator rejects is not sent back to the
model as live extraction would. Such a document is listed in `<out>.errors.jsonl`, not
written, so that a live run on the same output (`treatyx extract PATH... -o OUT`) picks
it up with re-asks.

Each request is the body the live backend sends first for a chunk (the backend builds
it), and collect takes each answer along the live path: the same answer model,
resolution by the normalisers, chunk merge, validator and output contract.

A batch directory holds the request files and `manifest.json`, the record of what was
submitted (batch ids, documents, their chunks) that status and collect read back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

import openai
from openai.types import Batch
from openai.types.chat import ChatCompletion
from pydantic import BaseModel

from treatyx import loading
from treatyx.errors import BatchError, LoadError
from treatyx.extractors.answers import finish, judge
from treatyx.extractors.base import Extraction
from treatyx.extractors.chunking import Chunk
from treatyx.extractors.llm import open_llm_backend, parse_answer
from treatyx.extractors.registry import BackendOptions
from treatyx.loading import SourceDocument, iter_documents
from treatyx.models import Agreement, Issue, Usage
from treatyx.output import ResumableOutput
from treatyx.pipeline import assemble
from treatyx.runner import Outcome, Tally

ENDPOINT = "/v1/chat/completions"
COMPLETION_WINDOW = "24h"
MAX_REQUESTS = 50_000
"""Requests one batch file may hold."""
MAX_BYTES = 200 * 1000 * 1000
"""Size one batch file may have (200 MB, counted in the smaller, decimal megabytes)."""
MANIFEST = "manifest.json"
UNFINISHED = frozenset({"validating", "in_progress", "finalizing", "cancelling"})
"""Statuses that will still change; every other status is final."""

Say = Callable[[str], None]


# --- the manifest ------------------------------------------------------------------


class Part(BaseModel):
    """One batch: its request file, and the ids the API gave it."""

    requests_file: str
    requests: int
    bytes: int
    input_file_id: str | None = None
    id: str | None = None


class Entry(BaseModel):
    """One document: where it came from, and the chunks asked about."""

    doc_id: str
    source: str
    part: int | None
    """Index into `Manifest.batches`; None when the document has no text to ask about."""
    chunks: list[tuple[int, int]]
    text_sha256: str
    """Of the text as loaded at submit, so collect notices a source edited since."""


class Manifest(BaseModel):
    format: int = 1
    endpoint: str = ENDPOINT
    completion_window: str = COMPLETION_WINDOW
    backend: str = "openai"
    model: str
    mode: str
    prompt_version: str
    base_url: str | None = None
    """Without credentials; status and collect use it unless told otherwise."""
    paths: list[str]
    """The inputs, absolute: collect re-loads the documents from them."""
    published: dt.date | None = None
    batches: list[Part] = []
    documents: list[Entry] = []

    def save(self, directory: Path) -> None:
        path = directory / MANIFEST
        scratch = path.with_name(path.name + ".tmp")
        scratch.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        scratch.replace(path)

    @classmethod
    def load(cls, directory: Path) -> Manifest:
        path = directory / MANIFEST
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BatchError(f"{path}: no such file (run `treatyx batch submit` first)") from None
        except ValueError as error:
            raise BatchError(f"{path}: not a batch manifest ({_one_line(error)})") from None


def custom_id(doc_id: str, index: int) -> str:
    """`<doc_id>#<chunk index>`: unique per request, and readable in the API's files."""
    return f"{doc_id}#{index}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- submit ------------------------------------------------------------------------


@dataclass
class _Parts:
    """Request files of at most `max_requests` lines and `max_bytes` each; a document's
    requests stay in one file, so its answers come back together."""

    directory: Path
    max_requests: int
    max_bytes: int
    parts: list[Part] = field(default_factory=list)
    _handle: TextIO | None = None

    def add(self, doc_id: str, lines: list[str]) -> int:
        size = sum(len(line.encode("utf-8")) for line in lines)
        if len(lines) > self.max_requests or size > self.max_bytes:
            raise BatchError(f"{doc_id}: its {len(lines)} request(s) ({size} bytes) exceed "
                             "what one batch may hold")
        current = self.parts[-1] if self.parts else None
        if (current is None or current.requests + len(lines) > self.max_requests
                or current.bytes + size > self.max_bytes):
            self._start()
        part = self.parts[-1]
        assert self._handle is not None
        self._handle.writelines(lines)
        part.requests += len(lines)
        part.bytes += size
        return len(self.parts) - 1

    def _start(self) -> None:
        self.close()
        number = len(self.parts) + 1
        name = "requests.jsonl" if number == 1 else f"requests-{number}.jsonl"
        self.parts.append(Part(requests_file=name, requests=0, bytes=0))
        self._handle = (self.directory / name).open("w", encoding="utf-8")

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def submit(
    paths: Iterable[str | Path],
    batch_dir: Path,
    options: BackendOptions,
    client: openai.OpenAI,
    *,
    published: dt.date | None = None,
    say: Say = lambda _: None,
    max_requests: int = MAX_REQUESTS,
    max_bytes: int = MAX_BYTES,
    max_document_bytes: int | None = loading.MAX_BYTES,
) -> tuple[Manifest, list[LoadError]]:
    """Write the requests and manifest to `batch_dir`, upload them, create the batches.

    `options` are the live openai backend's (model, mode, endpoint): the requests are
    the ones it would send. Inputs that fail to load are returned, not raised.
    """
    paths = [str(Path(p).resolve()) for p in paths]
    if (batch_dir / MANIFEST).exists():
        raise BatchError(f"{batch_dir}: already holds a submitted batch ({MANIFEST}); "
                         "choose another --batch-dir")
    batch_dir.mkdir(parents=True, exist_ok=True)
    failures: list[LoadError] = []
    documents: list[Entry] = []
    parts = _Parts(batch_dir, max_requests, max_bytes)
    with open_llm_backend("openai", options) as backend:
        try:
            for item in iter_documents(paths, published=published,
                                       max_bytes=max_document_bytes,
                                       warn=lambda message: say(f"warning: {message}")):
                if isinstance(item, LoadError):
                    failures.append(item)
                    say(f"error: {item}")
                    continue
                pieces = backend.pieces(item)
                lines = [json.dumps({"custom_id": custom_id(item.doc_id, i), "method": "POST",
                                     "url": ENDPOINT,
                                     "body": backend.request_body(item, piece)},
                                    ensure_ascii=False) + "\n"
                         for i, piece in enumerate(pieces)]
                part = parts.add(item.doc_id, lines) if lines else None
                documents.append(Entry(doc_id=item.doc_id, source=item.source, part=part,
                                       chunks=[(p.start, p.end) for p in pieces],
                                       text_sha256=_digest(item.text)))
        finally:
            parts.close()
        manifest = Manifest(model=backend.model, mode=backend.mode,
                            prompt_version=backend.prompt_version,
                            base_url=_without_credentials(options.base_url), paths=paths,
                            published=published, batches=parts.parts, documents=documents)
    if not manifest.batches:
        raise BatchError("nothing to submit: no document with text to ask about")
    manifest.save(batch_dir)
    for number, part in enumerate(manifest.batches, start=1):
        uploaded = client.files.create(file=batch_dir / part.requests_file, purpose="batch")
        part.input_file_id = uploaded.id
        manifest.save(batch_dir)
        created = client.batches.create(
            input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window=COMPLETION_WINDOW,
            metadata={"treatyx": f"part {number} of {len(manifest.batches)}",
                      "prompt_version": manifest.prompt_version},
        )
        part.id = created.id
        manifest.save(batch_dir)
        say(f"batch {created.id}: {part.requests} request(s) from {part.requests_file}")
    return manifest, failures


def _without_credentials(base_url: str | None) -> str | None:
    return re.sub(r"//[^/@]*@", "//", base_url) if base_url else None


# --- status ------------------------------------------------------------------------


def status(batch_dir: Path, client: openai.OpenAI) -> list[Batch]:
    """Each submitted batch as the API reports it now."""
    manifest = Manifest.load(batch_dir)
    return [client.batches.retrieve(part.id) for part in manifest.batches if part.id]


def describe(batch: Batch) -> str:
    """One line: id, status, request counts (and why a failed batch failed)."""
    counts = batch.request_counts
    done = (f", {counts.completed}/{counts.total} done, {counts.failed} failed"
            if counts is not None else "")
    errors = (batch.errors.data if batch.errors else None) or []
    reasons = "; ".join(e.message or e.code or "" for e in errors)
    return f"{batch.id}: {batch.status}{done}" + (f" ({reasons})" if reasons else "")


# --- collect -----------------------------------------------------------------------


@dataclass
class Collected:
    tally: Tally
    pending: int
    """Documents whose batch has not finished: a later collect takes them."""


@dataclass(frozen=True)
class _Provenance:
    """The batch's backend, model and prompt: the `Provenance` that `assemble` records."""

    name: str
    model: str
    prompt_version: str


class _Results:
    """The answer lines of finished batches, by custom_id (an index of file offsets, so
    that 50,000 answers are not all held in memory)."""

    def __init__(self) -> None:
        self._where: dict[str, tuple[Path, int]] = {}
        self._handles: dict[Path, BinaryIO] = {}

    def add(self, path: Path) -> None:
        with path.open("rb") as handle:
            offset = 0
            for line in handle:
                if line.strip():
                    self._where[json.loads(line)["custom_id"]] = (path, offset)
                offset += len(line)

    def get(self, key: str) -> dict | None:
        if key not in self._where:
            return None
        path, offset = self._where[key]
        if path not in self._handles:
            self._handles[path] = path.open("rb")
        handle = self._handles[path]
        handle.seek(offset)
        return json.loads(handle.readline())

    def close(self) -> None:
        for handle in self._handles.values():
            handle.close()


def collect(
    batch_dir: Path,
    output: Path,
    client: openai.OpenAI,
    *,
    strict: bool = False,
    include_text: bool = False,
    read_evidence: bool | None = None,
    say: Say = lambda _: None,
) -> Collected:
    """Append the documents of finished batches to `output` (skipping those already
    there); failed requests and rejected answers go to `<output>.errors.jsonl`.
    `read_evidence` completes agreements from their evidence, as LLMBackend's option
    (None: as the live backend would, see BackendOptions.reads_evidence)."""
    manifest = Manifest.load(batch_dir)
    read_evidence = BackendOptions(read_evidence=read_evidence).reads_evidence(manifest.backend)
    batches: dict[int, Batch] = {}
    for index, part in enumerate(manifest.batches):
        if part.id is None:
            say(f"{part.requests_file}: never made into a batch (submit was interrupted)")
            continue
        batches[index] = client.batches.retrieve(part.id)
    results = _Results()
    for batch in batches.values():
        if batch.status in UNFINISHED:
            say(f"batch {batch.id} is {batch.status}: its documents are left for a later "
                "collect")
            continue
        for file_id, kind in ((batch.output_file_id, "output"), (batch.error_file_id, "errors")):
            if file_id:
                name = f"{file_name(batch.id)}.{kind}.jsonl"
                results.add(_download(client, file_id, batch_dir / name))
    finished = {i for i, b in batches.items() if b.status not in UNFINISHED}
    provenance = _Provenance(manifest.backend, manifest.model, manifest.prompt_version)
    tally = Tally()
    try:
        with ResumableOutput(output) as out:
            for note in out.resume_notes():
                say(note)
            todo = {e.doc_id: e for e in manifest.documents
                    if e.doc_id not in out.done and (e.part is None or e.part in finished)}
            pending = sum(1 for e in manifest.documents
                          if e.doc_id not in out.done and e.doc_id not in todo)
            for outcome in _outcomes(manifest, todo, batches, results, provenance,
                                     strict=strict, include_text=include_text,
                                     read_evidence=read_evidence):
                tally.count(outcome)
                if (error := out.record(outcome)) is not None:
                    say(f"error: {error}")
            out.complete()
    finally:
        results.close()
    return Collected(tally=tally, pending=pending)


def file_name(server_id: str) -> str:
    """A name from a server (a batch id) as a file name inside the batch directory: kept
    when it is plain letters, digits, `_` and `-`; otherwise those characters alone and a
    hash of the whole, so that `../../x` or `/etc/x` can never lead outside."""
    if re.fullmatch(r"[A-Za-z0-9_-]{1,100}", server_id):
        return server_id
    plain = re.sub(r"[^A-Za-z0-9_-]+", "_", server_id).strip("_")[:60]
    digest = hashlib.sha256(server_id.encode("utf-8", "replace")).hexdigest()[:12]
    return f"{plain}-{digest}" if plain else digest


def _download(client: openai.OpenAI, file_id: str, path: Path) -> Path:
    """A finished batch's file, kept in the batch directory (a second collect reuses it)."""
    if not path.exists():
        scratch = path.with_name(path.name + ".part")
        scratch.write_bytes(client.files.content(file_id).content)
        scratch.replace(path)
    return path


def _outcomes(
    manifest: Manifest,
    todo: dict[str, Entry],
    batches: dict[int, Batch],
    results: _Results,
    provenance: _Provenance,
    *,
    strict: bool,
    include_text: bool,
    read_evidence: bool,
) -> Iterator[Outcome]:
    if not todo:
        return
    # what submit accepted is read back whatever its size; what it skipped was said then
    for item in iter_documents(manifest.paths, published=manifest.published, max_bytes=None,
                               warn=lambda _: None):
        if isinstance(item, LoadError) or item.doc_id not in todo:
            continue
        entry = todo.pop(item.doc_id)
        batch = batches.get(entry.part) if entry.part is not None else None
        yield _outcome(item, entry, batch, results, provenance, strict=strict,
                       include_text=include_text, read_evidence=read_evidence)
    for entry in todo.values():
        yield Outcome(entry.source, entry.doc_id, error=f"{entry.source}: {entry.doc_id} is "
                      "no longer in the submitted paths (moved, renamed or unreadable)")


def _outcome(
    source: SourceDocument,
    entry: Entry,
    batch: Batch | None,
    results: _Results,
    provenance: _Provenance,
    *,
    strict: bool,
    include_text: bool,
    read_evidence: bool,
) -> Outcome:
    started = time.perf_counter()
    if _digest(source.text) != entry.text_sha256:
        return _failed(source, ["the source changed since submit, so its answers' spans "
                                "no longer fit"])
    found: list[tuple[list[Agreement], list[Issue]]] = []
    problems: list[str] = []
    usage = Usage()
    for index, (start, end) in enumerate(entry.chunks):
        key = custom_id(source.doc_id, index)
        try:
            completion = _completion(results.get(key), batch)
        except ValueError as error:
            problems.append(f"{key}: {_one_line(error)}")
            continue
        usage.requests += 1
        if completion.usage is not None:
            usage.prompt_tokens += completion.usage.prompt_tokens or 0
            usage.completion_tokens += completion.usage.completion_tokens or 0
        try:
            words = parse_answer(completion)
        except ValueError as error:
            problems.append(f"{key}: unparseable answer: {_one_line(error)}")
            continue
        agreements, notes, errors = judge(words, source, Chunk(start, end))
        if errors:
            problems.append(f"{key}: the answer fails validation, and a batch cannot re-ask: "
                            + "; ".join(errors))
            continue
        found.append((agreements, notes))
    if problems:
        return _failed(source, problems)
    agreements, notes = finish(found, source, read_evidence=read_evidence)
    document = assemble(source, provenance, Extraction(agreements, usage, notes),
                        seconds=time.perf_counter() - started, strict=strict,
                        include_text=include_text)
    return Outcome(source.source, source.doc_id, document)


def _completion(line: dict | None, batch: Batch | None) -> ChatCompletion:
    """The chat completion a batch answered with; ValueError says why there is none."""
    if line is None:
        state = batch.status if batch is not None else "unknown"
        raise ValueError(f"no answer: the request was not run (batch {state})")
    if line.get("error"):
        error = line["error"]
        raise ValueError(f"request failed: {error.get('code')}: {error.get('message')}")
    response = line.get("response") or {}
    body = response.get("body") or {}
    if response.get("status_code") != 200:
        message = (body.get("error") or {}).get("message") if isinstance(body, dict) else None
        raise ValueError(f"request failed: HTTP {response.get('status_code')}: {message}")
    try:
        return ChatCompletion.model_validate(body)
    except ValueError as error:
        raise ValueError(f"unparseable answer: not a chat completion ({error})") from None


def _failed(source: SourceDocument, problems: list[str]) -> Outcome:
    return Outcome(source.source, source.doc_id, error=f"{source.source}: "
                   + " | ".join(problems) + " (re-run it live: `treatyx extract` re-asks)")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 500 else text[:497] + "..."


__all__ = ["Collected", "Manifest", "collect", "custom_id", "describe",
           "status", "submit"]
