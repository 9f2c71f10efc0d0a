"""What each `treatyx` command does, in terms of the library (the parser is in cli.py)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from treatyx.backends import BackendOptions, open_backend
from treatyx.loading import LoadError, SourceDocument, iter_documents
from treatyx.models import Document, output_json_schema
from treatyx.pipeline import process

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A problem with how the command was called (exit code 2)."""


def say(message: str) -> None:
    print(f"treatyx: {message}", file=sys.stderr, flush=True)


def run_extract(args: argparse.Namespace) -> int:
    options = BackendOptions.from_args(args)
    failed = 0
    documents = iter_documents(args.paths, published=args.published)
    with open_backend(options, say=say) as backend:
        results = _results(documents, backend, args)
        first = next(results, None)
        second = next(results, None) if first is not None else None
        if args.output is None and first is not None and second is None:
            doc, error = first
            if doc is not None:
                print(doc.model_dump_json(indent=2))
            return _report(error) if error else EXIT_OK
        with _open_output(args.output) as out:
            for item in _chain(first, second, results):
                doc, error = item
                if doc is not None:
                    out.write(doc.model_dump_json() + "\n")
                    out.flush()
                else:
                    failed += _report(error)
    return EXIT_FAILED if failed else EXIT_OK


def _results(
    documents: Iterator[SourceDocument | LoadError], backend, args: argparse.Namespace
) -> Iterator[tuple[Document | None, str | None]]:
    for source in documents:
        if isinstance(source, LoadError):
            yield None, str(source)
            continue
        try:
            yield process(source, backend, strict=args.strict,
                          include_text=args.include_text), None
        except Exception as error:  # one document's failure must not lose the others
            yield None, f"{source.source}: extraction failed: {_one_line(error)}"


def _chain(first, second, rest):
    for item in (first, second):
        if item is not None:
            yield item
    yield from rest


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _report(error: str | None) -> int:
    if error:
        print(f"treatyx: error: {error}", file=sys.stderr, flush=True)
        return 1
    return 0


class _open_output:
    """stdout, or a file opened for writing; a context manager either way."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.handle: TextIO | None = None

    def __enter__(self) -> TextIO:
        if self.path is None:
            return sys.stdout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = self.path.open("w", encoding="utf-8")
        except OSError as error:
            raise UsageError(f"{self.path}: cannot write: {error.strerror}") from None
        return self.handle

    def __exit__(self, *exc) -> None:
        if self.handle is not None:
            self.handle.close()


def run_schema(args: argparse.Namespace) -> int:
    print(json.dumps(output_json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def run_validate(args: argparse.Namespace) -> int:
    from treatyx import validate
    from treatyx.results import ResultsError, iter_results

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
    for item in iter_documents(paths) if paths else []:
        if isinstance(item, LoadError):
            say(f"error: {item}")
        else:
            sources[item.doc_id] = item
    return sources


def run_eval(args: argparse.Namespace) -> int:
    from rich.console import Console

    from treatyx.eval_report import render_table
    from treatyx.evaluate import evaluate
    from treatyx.results import ResultsError, load_results

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


def run_model(args: argparse.Namespace) -> int:
    from treatyx import local_model

    if args.action == "path":
        path = local_model.model_path(args.cache_dir)
        print(path)
        return EXIT_OK if path.exists() else EXIT_FAILED
    if args.action == "pull":
        path = local_model.pull_model(args.cache_dir)
        print(path)
        return EXIT_OK
    with local_model.LocalServer(local_model.model_path(args.cache_dir), port=args.port) as srv:
        say(f"serving {srv.model} at {srv.base_url} (Ctrl-C stops)")
        srv.wait()
    return EXIT_OK
