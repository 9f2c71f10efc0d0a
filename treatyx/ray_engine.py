"""Extraction past one machine: the same runner, mapped over a Ray Data dataset.

Each Ray actor opens one backend (a local-model actor starts and stops its own llama.cpp
server) and runs batches of rows through a `Runner`, exactly as `treatyx extract` does in
one process: screen, cache, validator, one outcome per row. A row comes back as its
output document's JSON or its error, so the driver writes the same lines as a plain run.
Ray Data restarts a killed actor and runs its batch again, so no document is lost; a
rerun of the CLI resumes from `-o` as always.

`ray` is an optional extra (`pip install 'treatyx[ray]'`); this module imports it only
when a run starts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from treatyx.cache import ExtractionCache
from treatyx.errors import UsageError
from treatyx.extractors.registry import BackendOptions, choose, open_backend
from treatyx.loading import LoadError, SourceDocument, document_from_text
from treatyx.models import Document
from treatyx.runner import Outcome, Runner
from treatyx.screen import wanted as screen_wanted

if TYPE_CHECKING:
    import ray.data

EXTRA = "pip install 'treatyx[ray]'"

BATCH_SIZE = {"rules": 50, "openai": 32, "local": 4}
"""Rows per batch: what an actor takes at a time (and does again if it dies)."""


class RayMissing(ImportError):
    """`ray` is not installed: the message names the extra that brings it."""


def import_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise RayMissing(f"--engine ray needs Ray: {EXTRA}") from None
    return ray


@dataclass(frozen=True)
class RunSettings:
    """What the runner in each actor does besides extracting (the CLI's options)."""

    strict: bool = False
    include_text: bool = False
    concurrency: int = 4
    cache: bool = True
    screen: bool | None = None


class _Worker:
    """One actor: one open backend and its runner, for every batch it is given. A run
    subclasses it with its `options` and `settings` (class attributes travel with the
    class, so a restarted actor needs nothing from the object store)."""

    options: BackendOptions
    settings: RunSettings

    def __init__(self) -> None:
        options, settings = self.options, self.settings
        self._stack = ExitStack()
        backend = self._stack.enter_context(open_backend(options))
        cache = None
        if settings.cache and backend.name != "rules":
            from treatyx.local_model import cache_root

            cache = self._stack.enter_context(
                ExtractionCache(cache_root(options.cache_dir) / "responses"))
        self.runner = Runner(backend, strict=settings.strict,
                             include_text=settings.include_text,
                             concurrency=settings.concurrency, cache=cache,
                             screen=screen_wanted(settings.screen, backend.name))

    def __call__(self, batch: Any) -> dict[str, list]:
        rows = batch.to_pylist()
        found = list(self.runner.run(_source(row, n) for n, row in enumerate(rows)))
        return {
            "doc_id": [o.doc_id for o in found],
            "source": [o.source for o in found],
            "document": [o.document.model_dump_json() if o.document else None
                         for o in found],
            "error": [o.error for o in found],
            "cached": [o.cached for o in found],
            "screened": [o.screened for o in found],
        }

    def __del__(self) -> None:
        self._stack.close()


def _source(row: dict[str, Any], n: int) -> SourceDocument | LoadError:
    """A dataset row as a document: the CLI's rows carry the loaded document whole; a
    user's rows are `id`, `text`, optional `title` and `published`."""
    doc_id = row.get("doc_id") or row.get("id")
    where = str(row.get("source") or f"row {doc_id if doc_id is not None else n}")
    try:
        if doc_id is None or not isinstance(row.get("text"), str):
            raise ValueError("a row needs `id` and `text`")
        published = _date(row.get("published"))
        if row.get("body_start") is not None:
            return SourceDocument(str(doc_id), row["text"], row.get("title"), published,
                                  row["body_start"], row["body_end"], where)
        document = document_from_text(row["text"], str(doc_id), title=row.get("title"),
                                      published=published)
        return replace(document, source=where)
    except (LoadError, TypeError, ValueError) as error:
        return LoadError(where, getattr(error, "problem", str(error)))


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _row(source: SourceDocument) -> dict[str, Any]:
    row = asdict(source)
    row["published"] = source.published.isoformat() if source.published else None
    return row


def extract_dataset(
    dataset: ray.data.Dataset,
    *,
    backend: str = "auto",
    actors: int | None = None,
    batch_size: int | None = None,
    strict: bool = False,
    include_text: bool = False,
    concurrency: int = 4,
    cache: bool = True,
    screen: bool | None = None,
    **options: Any,
) -> ray.data.Dataset:
    """Map extraction over `dataset` (rows: `id`, `text`, optional `title`, `published`)
    with one backend per actor. Gives a dataset of rows `doc_id`, `source`, `document`
    (the output document's JSON, as `treatyx extract` writes it) or `error`, `cached`,
    `screened`. `options` are `Extractor`'s (model, base_url, rpm ...); `rpm` and `tpm`
    are for the whole run and split evenly between the actors."""
    import_ray()
    backend_options = BackendOptions(backend=backend, **options).resolved()
    name = choose(backend_options)
    preflight(name, backend_options)
    actors = actors or default_actors(name)
    if backend_options.rpm:
        backend_options.rpm = max(1, backend_options.rpm // actors)
    if backend_options.tpm:
        backend_options.tpm = max(1, backend_options.tpm // actors)
    settings = RunSettings(strict=strict, include_text=include_text, concurrency=concurrency,
                           cache=cache, screen=screen)
    ray = import_ray()
    worker = type("TreatyxWorker", (_Worker,), {
        "options": replace(backend_options, backend=name), "settings": settings})
    return dataset.map_batches(
        worker,
        batch_size=batch_size or BATCH_SIZE.get(name, 8),
        batch_format="pyarrow",
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=_cpus_per_actor(name),
    )


def default_actors(backend: str) -> int:
    """One actor per CPU of the cluster; for the local model, one per machine (its
    llama.cpp server takes every core)."""
    ray = import_ray()
    if backend == "local":
        return max(1, sum(1 for node in ray.nodes() if node.get("Alive")))
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _cpus_per_actor(backend: str) -> float:
    if backend != "local":
        return 1
    ray = import_ray()
    cpus = [node["Resources"].get("CPU", 1) for node in ray.nodes() if node.get("Alive")]
    return min(cpus) if cpus else 1


@dataclass
class RayRunner:
    """`Runner.run` on a Ray cluster: outcomes of documents as the actors finish them.
    `stopped()` true ends the run early (the finished documents are already out)."""

    options: BackendOptions
    settings: RunSettings
    address: str | None = None
    actors: int | None = None
    stopped: Callable[[], bool] = lambda: False

    def run(self, items: Iterable[SourceDocument | LoadError]) -> Iterator[Outcome]:
        ray = import_ray()
        rows = []
        for item in items:
            if isinstance(item, LoadError):
                yield Outcome(source=item.path, doc_id=None, error=str(item))
            else:
                rows.append(_row(item))
        if not rows:
            return
        preflight(self.options.backend, self.options.resolved())
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        started_here = not ray.is_initialized()
        if started_here:
            ray.init(address=self.address, logging_level="WARNING", log_to_driver=False,
                     configure_logging=False)
        try:
            context = ray.data.DataContext.get_current()
            context.enable_progress_bars = False
            context.print_on_execution_start = False
            options = asdict(self.options)
            backend = options.pop("backend")
            dataset = extract_dataset(
                ray.data.from_items(rows), backend=backend, actors=self.actors,
                **asdict(self.settings), **options)
            finished: set[str] = set()
            try:
                for row in dataset.iter_rows():
                    finished.add(row["source"])
                    yield _outcome(row)
                    if self.stopped():
                        return
            except Exception as error:  # the run broke: what it did not finish has failed
                cause = _last_line(error)
                for row in rows:
                    if row["source"] not in finished:
                        yield Outcome(row["source"], row["doc_id"],
                                      error=f"{row['source']}: extraction failed: Ray: {cause}")
        finally:
            if started_here:
                ray.shutdown()


def _last_line(error: BaseException) -> str:
    """The cause of a Ray failure in one line (Ray's message carries the remote
    traceback; its last line names the original error)."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def preflight(backend: str, options: BackendOptions) -> None:
    """What the actors would fail on at once, said before the cluster starts."""
    if backend == "openai" and not options.model:
        raise UsageError("--backend openai needs --model (or TREATYX_MODEL)")
    if backend == "local":
        from treatyx import local_model

        if not local_model.is_pulled(options.cache_dir):
            raise UsageError("--backend local: no local model here: run `treatyx model pull` "
                             "first (on every machine of the cluster)")


def _outcome(row: dict[str, Any]) -> Outcome:
    document = row.get("document")
    return Outcome(
        source=row["source"], doc_id=row["doc_id"],
        document=Document.model_validate_json(document) if document else None,
        error=row.get("error"), cached=bool(row.get("cached")),
        screened=bool(row.get("screened")))
