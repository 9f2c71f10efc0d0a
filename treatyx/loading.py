"""Loading documents: .txt (the seed's layout or plain), .html/.htm, .jsonl, directories.

Spans index into `text` exactly as loaded, so the text is never rewritten; the article
body is a region of it (`body_start`, `body_end`) that stops where web boilerplate
("Related Stories", headline lists) begins, so deals mentioned there are never read.
Bad input becomes a `LoadError` whose message is one line naming the file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DOCUMENT_SUFFIXES = {".txt", ".text", ".html", ".htm", ".jsonl"}


@dataclass(frozen=True)
class SourceDocument:
    doc_id: str
    text: str
    title: str | None
    published: dt.date | None
    body_start: int
    body_end: int
    source: str

    @property
    def body(self) -> str:
        return self.text[self.body_start : self.body_end]


class LoadError(Exception):
    """One bad input: `str(error)` is a single line "<path>[:<line>]: <problem>"."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None) -> None:
        self.path, self.problem, self.line = str(path), problem, line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {problem}")


# --- boilerplate -------------------------------------------------------------------

BOILERPLATE_MARKERS = (
    "related stories", "related articles", "related news", "related posts", "featured stories",
    "read more", "read also", "also read", "more stories", "most popular", "most read",
    "recommended", "you may also like", "share this", "share this article", "comment",
    "comments", "leave a comment", "tags:", "trending",
)
"""Lines that, standing alone, open the part of a page that is not the article."""

_DATE_LINE = re.compile(
    r"^\s*\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{4}\s*$")


def body_end(text: str, start: int = 0) -> int:
    """Where the article ends: before the first boilerplate line, or a headline list
    (a line repeated on the next line, or followed by a bare date line)."""
    lines = text[start:].splitlines(keepends=True)
    offset = start
    for i, line in enumerate(lines):
        stripped = line.strip()
        following = lines[i + 1].strip() if i + 1 < len(lines) else None
        if (stripped.lower().rstrip(":") in BOILERPLATE_MARKERS
                or stripped.lower() in BOILERPLATE_MARKERS
                or (stripped and following == stripped and len(stripped) < 200)
                or (stripped and following is not None and _DATE_LINE.match(following)
                    and len(stripped) < 200 and not stripped.endswith((".", '"')))):
            return _trim(text, start, offset)
        offset += len(line)
    return _trim(text, start, len(text))


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


# --- one document from text ----------------------------------------------------------

_HEADER = re.compile(r"^ ?date (\d{4}-\d{2}-\d{2})\b[^\n]*\n")
_DATELINE = re.compile(
    r"^[A-Z][a-z]+day,? \d{1,2} [A-Z][a-z]+ \d{4}(?: - \d{1,2}:\d{2})?[ \t]*\n")


def document_from_text(
    text: str,
    doc_id: str,
    *,
    title: str | None = None,
    published: dt.date | None = None,
    source: str = "<text>",
) -> SourceDocument:
    """A document from its text; reads the seed's header layout when present."""
    if not text.strip():
        raise LoadError(source, "empty document")
    start = 0
    header = _HEADER.match(text)
    if header:
        if published is None:
            published = _parse_date(header.group(1), source)
        start = header.end()
        if dateline := _DATELINE.match(text, start):
            start = dateline.end()
        while start < len(text) and text[start].isspace():
            start += 1
        if title is None:
            title = text[start:].split("\n", 1)[0].strip() or None
    else:
        while start < len(text) and text[start].isspace():
            start += 1
    return SourceDocument(doc_id, text, title, published, start, body_end(text, start), source)


def _parse_date(value: object, source: str, line: int | None = None) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise LoadError(source, f"bad published date {value!r} (want YYYY-MM-DD)",
                        line) from None


# --- files ---------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise LoadError(path, "no such file") from None
    except IsADirectoryError:
        raise LoadError(path, "is a directory") from None
    except OSError as error:
        raise LoadError(path, f"cannot read: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LoadError(path, f"not UTF-8 text (undecodable byte at offset {error.start})"
                        ) from None


def load_document(path: str | Path, *, published: dt.date | None = None) -> SourceDocument:
    """One .txt or .html/.htm file (any other name is read as plain text)."""
    path = Path(path)
    text = _read_text(path)
    if path.suffix.lower() in {".html", ".htm"}:
        return _from_html(text, path, published)
    return document_from_text(text, path.stem, published=published, source=str(path))


def _from_html(page: str, path: Path, published: dt.date | None) -> SourceDocument:
    import trafilatura

    extracted = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False,
                                            include_tables=False, favor_precision=True)
    if extracted is None or not (getattr(extracted, "text", None) or "").strip():
        raise LoadError(path, "no article text found in the HTML page")
    text = extracted.text
    if published is None and getattr(extracted, "date", None):
        published = _parse_date(extracted.date, str(path))
    title = getattr(extracted, "title", None)
    return SourceDocument(path.stem, text, title, published, 0, body_end(text, 0), str(path))


def _iter_jsonl(path: Path, published: dt.date | None) -> Iterator[SourceDocument | LoadError]:
    try:
        text = _read_text(path)
    except LoadError as error:
        yield error
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            yield LoadError(path, f"malformed JSON ({error.msg})", number)
            continue
        if not isinstance(row, dict) or "text" not in row or "id" not in row:
            yield LoadError(path, "a row needs `id` and `text`", number)
            continue
        if not isinstance(row["text"], str):
            yield LoadError(path, "`text` must be a string", number)
            continue
        source = f"{path}:{number}"
        try:
            yield document_from_text(
                row["text"], str(row["id"]), title=row.get("title"),
                published=published or _parse_date(row.get("published"), str(path), number),
                source=source,
            )
        except LoadError as error:
            yield LoadError(path, error.problem, number)


def _expand(paths: Iterable[str | Path]) -> Iterator[Path | LoadError]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)
            if not found:
                yield LoadError(path, "directory holds no .txt, .html, .htm or .jsonl files")
            yield from found
        elif not path.exists():
            yield LoadError(path, "no such file")
        else:
            yield path


def iter_documents(
    paths: Iterable[str | Path], *, published: dt.date | None = None
) -> Iterator[SourceDocument | LoadError]:
    """Every document under `paths`, lazily; bad inputs become LoadErrors, never raises."""
    seen: dict[str, str] = {}
    for item in _expand(paths):
        if isinstance(item, LoadError):
            yield item
            continue
        if item.suffix.lower() == ".jsonl":
            documents: Iterable[SourceDocument | LoadError] = _iter_jsonl(item, published)
        else:
            try:
                documents = [load_document(item, published=published)]
            except LoadError as error:
                documents = [error]
        for document in documents:
            if isinstance(document, SourceDocument) and document.doc_id in seen:
                yield LoadError(document.source, f"duplicate doc_id {document.doc_id!r} "
                                f"(first in {seen[document.doc_id]})")
                continue
            if isinstance(document, SourceDocument):
                seen[document.doc_id] = document.source
            yield document
