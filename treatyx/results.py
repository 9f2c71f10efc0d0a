"""Reading treatyx documents back: extractor output and gold files alike.

Gold files use the output contract itself, so one loader serves `treatyx eval`,
`treatyx validate` and the evaluation scripts, and its errors name the file and line
so that a hand-edited gold file can be fixed without a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from treatyx.errors import ResultsError
from treatyx.models import Document

SUFFIXES = (".json", ".jsonl")
# Written next to an output by `treatyx extract`; it lists failures, not documents.
SIDECAR_SUFFIX = ".errors.jsonl"


def load_results(path: str | Path) -> list[Document]:
    """Every document in a .json file (one or a list), a .jsonl file, or a directory of them."""
    return list(iter_results(path))


def iter_results(path: str | Path) -> Iterator[Document]:
    """The documents of `path` one by one, so a large JSONL output need not fit in memory."""
    path = Path(path)
    if path.is_dir():
        for file in _files_in(path):
            yield from _iter_file(file)
    elif path.exists():
        yield from _iter_file(path)
    else:
        raise ResultsError(path, "no such file or directory")


def _files_in(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and p.suffix in SUFFIXES and not p.name.endswith(SIDECAR_SUFFIX)
    )


def _iter_file(path: Path) -> Iterator[Document]:
    if path.suffix == ".jsonl":
        yield from _iter_jsonl(path)
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ResultsError(path, f"cannot read: {error}") from error
    except json.JSONDecodeError as error:
        raise ResultsError(path, f"invalid JSON: {error.msg}", error.lineno) from error
    items = data if isinstance(data, list) else [data]
    for k, item in enumerate(items):
        where = f"item {k}: " if isinstance(data, list) else ""
        yield _document(item, path, None, where)


def _iter_jsonl(path: Path) -> Iterator[Document]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise ResultsError(path, f"cannot read: {error}") from error
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ResultsError(path, f"invalid JSON: {error.msg}", number) from error
                yield _document(data, path, number, "")
        except UnicodeDecodeError as error:
            raise ResultsError(path, f"cannot read: {error}") from error


def _document(data: object, path: Path, line: int | None, where: str) -> Document:
    if not isinstance(data, dict):
        raise ResultsError(path, f"{where}expected a JSON object, got {type(data).__name__}", line)
    try:
        return Document.model_validate(data)
    except ValidationError as error:
        raise ResultsError(path, f"{where}not a treatyx document: {_first(error)}", line) from None


def _first(error: ValidationError) -> str:
    """The first field error, briefly: `agreements.0.type: Input should be ...`."""
    details = error.errors(include_url=False)
    first = details[0]
    location = ".".join(str(part) for part in first["loc"]) or "document"
    more = f" (and {len(details) - 1} more)" if len(details) > 1 else ""
    return f"{location}: {first['msg']}{more}"
