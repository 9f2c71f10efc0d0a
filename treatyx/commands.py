"""What each `treatyx` command does, in terms of the library (the parser is in cli.py)."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from treatyx import screen
from treatyx.cache import ExtractionCache
from treatyx.errors import (
    BatchError,
    ModelError,
    OutputError,
    ResultsError,
    TablesError,
    UsageError,
)
from treatyx.extractors.registry import BackendOptions, choose, open_backend
from treatyx.loading import (
    DuplicateId,
    LoadError,
    SourceDocument,
    duplicate_ids,
    iter_documents,
)
from treatyx.models import output_json_schema
from treatyx.output import ResumableOutput, errors_path
from treatyx.progress import Bar, Progress
from treatyx.progress import wanted as progress_wanted
from treatyx.runner import Outcome, Runner, Tally
from treatyx.stopping import StopRequest

if TYPE_CHECKING:
    from treatyx.ray_engine import RayRunner

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def say(message: str) -> None:
    print(f"treatyx: {message}", file=sys.stderr, flush=True)


def warn(message: str) -> None:
    say(f"warning: {message}")


def run_extract(args: argparse.Namespace) -> int:
    """On SIGINT/SIGTERM: no new documents, a summary, how to resume, exit 128 + signal."""
    with StopRequest() as stop:
        tally = Tally()
        try:
            code = _extract(args, stop, tally)
        except KeyboardInterrupt:  # a second signal: stop now
            if stop.signal is None:
                raise
            say(tally.summary())
        if stop.signal is None:
            return code
        if args.output is not None:
            say(f"interrupted by {stop.name}: {args.output} holds every finished document; "
                "run the same command again to extract the rest")
        else:
            say(f"interrupted by {stop.name}: the remaining documents were not extracted")
        return stop.exit_code


def _extract(args: argparse.Namespace, stop: StopRequest, tally: Tally) -> int:
    options = BackendOptions.from_args(args)
    own = _own_files(args.output)
    duplicates = _report_duplicates(args.paths, own)
    for duplicate in duplicates:
        tally.count(Outcome(duplicate.source, duplicate.doc_id, error=str(duplicate)))
    sources = stop.until_stopped(
        _without(iter_documents(args.paths, published=args.published, max_bytes=args.max_bytes,
                                warn=warn, exclude=own), duplicates))
    single = args.output is None
    if single:
        # One document and no -o: pretty JSON; more than one: JSONL, one a line.
        sources, single = _peek_single(sources)
    quiet = getattr(args, "quiet", False)
    progress = Progress(enabled=progress_wanted(quiet),
                        lines=not quiet and args.output is not None)
    # the output first: a second run on it is refused before any model is started
    with _output(args.output) as out, _runner(args, options, stop, progress) as runner, \
            progress:
        if out is not None:
            return _extract_to_file(runner, sources, out, tally, duplicates, stop, progress)
        for outcome in runner.run(sources):
            tally.count(outcome)
            if outcome.document is not None:
                print(outcome.document.model_dump_json(indent=2 if single else None),
                      flush=True)
            else:
                say(f"error: {outcome.error}")
            progress.update(tally)
    say(tally.summary())
    return EXIT_FAILED if tally.failures else EXIT_OK


@contextmanager
def _runner(args: argparse.Namespace, options: BackendOptions, stop: StopRequest,
            progress: Progress) -> Iterator[Runner | RayRunner]:
    """This process's runner on an open backend, or (--engine ray) one that hands the
    documents to Ray actors, each opening its own backend."""
    if args.engine != "ray":
        if args.ray_address or args.ray_actors:
            raise UsageError("--ray-address and --ray-actors need --engine ray")
        with open_backend(options, say=say) as backend, _cache(args, backend) as cache:
            if hasattr(backend, "on_piece"):
                backend.on_piece = progress.piece
            try:
                yield Runner(backend, strict=args.strict, include_text=args.include_text,
                             concurrency=args.concurrency, cache=cache,
                             screen=screen.wanted(args.screen, backend.name))
            finally:
                _say_faults(backend)
        return
    from treatyx import ray_engine

    try:
        ray_engine.import_ray()
    except ray_engine.RayMissing as error:
        raise UsageError(str(error)) from None
    name = choose(options.resolved())
    say(f"engine ray: backend {name} in each actor, at {args.ray_address or 'a local cluster'}")
    settings = ray_engine.RunSettings(strict=args.strict, include_text=args.include_text,
                                      concurrency=args.concurrency, cache=not args.no_cache,
                                      screen=args.screen)
    yield ray_engine.RayRunner(replace(options, backend=name), settings,
                               address=args.ray_address, actors=args.ray_actors,
                               stopped=lambda: stop.signal is not None)


def _say_faults(backend) -> None:
    """What the endpoint did wrong during the run (429s, 5xx, broken answers, requests
    abandoned without an answer), when it did anything wrong."""
    endpoint = getattr(backend, "endpoint", None)
    if endpoint is not None and (faults := endpoint.stats.faults()):
        say(faults)


def _own_files(output: Path | None) -> list[Path]:
    """The files this run writes (`-o` and its failure list): never inputs, even when they
    lie in an input directory (read back while written, they would feed the run itself)."""
    return [] if output is None else [Path(output), errors_path(Path(output))]


def _report_duplicates(paths: list[str], own: list[Path] = ()) -> list[DuplicateId]:
    """Repeated doc_ids, named before any extraction starts (a first pass over ids only)."""
    duplicates = list(duplicate_ids(paths, exclude=own))
    for duplicate in duplicates:
        say(f"error: {duplicate}")
    return duplicates


def _without(items: Iterator, duplicates: list[DuplicateId]) -> Iterator:
    """The inputs less the repeats already reported (the first of each id stays)."""
    reported = {d.source for d in duplicates}
    for item in items:
        if not (isinstance(item, SourceDocument | DuplicateId) and item.source in reported):
            yield item


def _peek_single(sources: Iterator) -> tuple[Iterator, bool]:
    first = next(sources, None)
    second = next(sources, None) if first is not None else None
    items = [x for x in (first, second) if x is not None]
    return itertools.chain(items, sources), second is None


def _cache(args: argparse.Namespace, backend) -> ExtractionCache | nullcontext[None]:
    if args.no_cache or backend.name == "rules":
        return nullcontext()
    from treatyx.local_model import cache_root

    return ExtractionCache(cache_root(args.cache_dir) / "responses",
                           warn=warn)


@contextmanager
def _output(path: Path | None) -> Iterator[ResumableOutput | None]:
    """The -o file, locked and read back; one it cannot be is a usage error (exit 2)."""
    if path is None:
        yield None
        return
    with ExitStack() as stack:
        try:
            output = stack.enter_context(ResumableOutput(path))
        except OutputError as error:
            raise UsageError(str(error)) from None
        yield output


def _extract_to_file(runner: Runner | RayRunner, sources: Iterator, out: ResumableOutput,
                     tally: Tally,
                     duplicates: list[DuplicateId] | None = None,
                     stop: StopRequest | None = None,
                     progress: Progress | None = None) -> int:
    """Resumable: skip what the file holds, append each result as it finishes."""
    for note in out.resume_notes():
        say(note)
    for duplicate in duplicates or []:
        out.fail(duplicate.doc_id, duplicate.source, str(duplicate))
    todo = (s for s in sources if isinstance(s, LoadError) or s.doc_id not in out.done)
    progress = progress or Progress(enabled=progress_wanted())
    for outcome in runner.run(todo):
        tally.count(outcome)
        if (error := out.record(outcome)) is not None:
            say(f"error: {error}")
        progress.update(tally)
    if stop is None or stop.signal is None:
        out.complete()
    say(tally.summary())
    return EXIT_FAILED if tally.failures else EXIT_OK


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(output_json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    from treatyx import validation as validate
    from treatyx.results import iter_results

    sources = _sources_by_id(args.source)
    errors = warnings = checked = 0
    try:
        for doc in iter_results(args.output):
            source = sources.get(doc.doc_id)
            text = source.text if source else doc.text
            if text is None:
                say(f"{args.output}: {doc.doc_id}: no source text (give --source or extract "
                    "with --include-text); skipped")
                errors += 1
                continue
            body = (source.body_start, source.body_end) if source else None
            checked += 1
            for found in validate.check(doc, text, body=body).issues:
                errors += found.severity == "error"
                warnings += found.severity == "warning"
                if args.json:
                    print(json.dumps({"doc_id": doc.doc_id, **found.model_dump()}))
                else:
                    print(f"{doc.doc_id}: {found.severity} {found.code} {found.path}: "
                          f"{found.message}")
    except ResultsError as error:
        say(f"error: {error}")
        return EXIT_FAILED
    say(f"{checked} document(s) checked: {errors} error(s), {warnings} warning(s)")
    return EXIT_FAILED if errors else EXIT_OK


def _sources_by_id(paths: list[str]) -> dict[str, SourceDocument]:
    sources: dict[str, SourceDocument] = {}
    for item in iter_documents(paths, max_bytes=None, warn=warn) if paths else []:
        if isinstance(item, LoadError):
            say(f"error: {item}")
        else:
            sources[item.doc_id] = item
    return sources


def run_eval(args: argparse.Namespace) -> int:
    from rich.console import Console

    from treatyx.eval_report import render_table
    from treatyx.evaluation import evaluate
    from treatyx.results import load_results

    try:
        gold = load_results(args.gold)
        predictions = load_results(args.pred)
    except ResultsError as error:
        say(f"error: {error}")
        return EXIT_FAILED
    texts = {doc_id: s.text for doc_id, s in _sources_by_id(args.source).items()}
    report = evaluate(gold, predictions, texts=texts or None)
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        console = Console()
        console.print(render_table(report, by_doc=args.by_doc, errors=args.errors))
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from treatyx.results import iter_results
    from treatyx.tables import export

    try:
        rows = export(iter_results(args.output), args.out, level=args.level, format=args.format)
    except (ResultsError, TablesError) as error:
        say(f"error: {error}")
        return EXIT_FAILED
    except OSError as error:  # a full disk, a directory named as -o
        raise OutputError(args.out, f"cannot write: {error.strerror or error}") from None
    say(f"{rows} row(s) written to {args.out}")
    return EXIT_OK


def run_dataset(args: argparse.Namespace) -> int:
    """Documents are streamed into the grouping; a bad file is named and the rest of it
    skipped (its documents before the bad line count), and the exit code is 1."""
    from treatyx.dataset import build_dataset
    from treatyx.results import iter_results

    problems: list[str] = []
    counted = [0]

    def documents() -> Iterator:
        seen: set[str] = set()
        for path in args.outputs:
            repeated: list[str] = []
            try:
                for document in iter_results(path):
                    if document.doc_id in seen:
                        repeated.append(document.doc_id)
                        continue
                    seen.add(document.doc_id)
                    counted[0] += 1
                    yield document
            except ResultsError as error:
                problems.append(f"error: {error} (the rest of this file is skipped)")
            if repeated:
                named = ", ".join(repeated[:3]) + (", ..." if len(repeated) > 3 else "")
                problems.append(f"{path}: {len(repeated)} doc_id(s) already read were "
                                f"skipped ({named})")

    dataset = build_dataset(documents())
    for problem in problems:
        say(problem)
    try:
        paths = dataset.write(args.out, args.format)
    except TablesError as error:
        say(f"error: {error}")
        return EXIT_FAILED
    say(f"{len(dataset.reports)} report(s) of {counted[0]} document(s) -> "
        f"{len(dataset.agreements)} agreement(s), {len(dataset.dyad_years)} dyad-year(s): "
        + ", ".join(str(p) for p in paths))
    return EXIT_FAILED if problems else EXIT_OK


def run_report(args: argparse.Namespace) -> int:
    from treatyx.report import write_report
    from treatyx.results import load_results

    try:
        documents = load_results(args.output)
    except ResultsError as error:
        say(f"error: {error}")
        return EXIT_FAILED
    texts = {doc_id: s.text for doc_id, s in _sources_by_id(args.source).items()}
    try:
        write_report(documents, texts, args.out)
    except OSError as error:
        raise OutputError(args.out, f"cannot write: {error.strerror or error}") from None
    say(f"{len(documents)} document(s) in {args.out}")
    return EXIT_OK


def run_model(args: argparse.Namespace) -> int:
    from treatyx import local_model

    if args.action == "path":
        path = local_model.model_path(args.cache_dir)
        print(path)
        return EXIT_OK if path.exists() else EXIT_FAILED
    if args.action == "pull":
        try:
            with Bar(enabled=progress_wanted(args.quiet)) as bar:
                path = local_model.pull_model(args.cache_dir, progress=say, on_bytes=bar.show)
        except ModelError as error:
            say(f"error: {error}")
            return EXIT_FAILED
        print(path)
        return EXIT_OK
    problem = local_model.cannot_serve(args.cache_dir)
    if problem:
        raise UsageError(problem)
    try:
        with local_model.LocalServer(local_model.model_path(args.cache_dir), port=args.port,
                                     **local_model.BACKEND_SERVER) as srv:
            say(f"serving {srv.model} at {srv.base_url} (Ctrl-C stops)")
            srv.wait()
    except ModelError as error:
        say(f"error: {error}")
        return EXIT_FAILED
    return EXIT_OK


def run_batch(args: argparse.Namespace) -> int:
    """`batch submit|status|collect`: the OpenAI Batch API, through treatyx.batch."""
    import openai

    from treatyx import batch

    options = BackendOptions.from_args(args).resolved()
    try:
        if args.action == "submit":
            if not options.model:
                raise UsageError("batch submit needs --model (or TREATYX_MODEL)")
            with openai.OpenAI(base_url=options.base_url,
                               api_key=options.api_key or "none") as client:
                manifest, failures = batch.submit(args.paths, args.batch_dir, options, client,
                                                  published=args.published, say=say,
                                                  max_document_bytes=args.max_bytes)
            for part in manifest.batches:
                print(part.id, flush=True)
            return EXIT_FAILED if failures else EXIT_OK
        # A batch lives where it was submitted: the manifest's endpoint before the env's.
        base_url = (args.base_url or batch.Manifest.load(args.batch_dir).base_url
                    or options.base_url)
        with openai.OpenAI(base_url=base_url, api_key=options.api_key or "none") as client:
            if args.action == "status":
                for found in batch.status(args.batch_dir, client):
                    print(batch.describe(found), flush=True)
                return EXIT_OK
            collected = batch.collect(args.batch_dir, args.output, client, strict=args.strict,
                                      include_text=args.include_text,
                                      read_evidence=args.read_evidence, say=say)
    except (BatchError, OSError) as error:
        say(f"error: {error}")
        return EXIT_FAILED
    except openai.APIError as error:
        say(f"error: {args.batch_dir}: the API answered: {' '.join(str(error).split())}")
        return EXIT_FAILED
    pending = f", {collected.pending} pending" if collected.pending else ""
    say(collected.tally.summary() + pending)
    return EXIT_FAILED if collected.tally.failures or collected.pending else EXIT_OK
