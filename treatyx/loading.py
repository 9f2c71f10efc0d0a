"""Loading documents: .txt (the seed's layout or plain), .html/.htm, .jsonl, directories.

Spans index into `text` exactly as loaded, so the text is never rewritten; the article
body is a region of it (`body_start`, `body_end`) that stops where web boilerplate
("Related Stories", headline lists) begins, so deals mentioned there are never read.
Bad input becomes a `LoadError` whose message is one line naming the file, and
`iter_documents` yields it instead of raising, so one bad file never stops a corpus run.

Layouts of a text document:

- the seed's layout: a header line ` date YYYY-MM-DD N` and/or a dateline such as
  `Saturday 8 January 2022 - 07:19`, a blank line, the headline (the title), the body.
  The body starts at the headline because headlines name parties too.
- anything else is plain text: no title, no date (unless given), the body starts at the
  first non-blank character. Guessing a headline from plain text was left out on purpose:
  a wrong title is worse than none.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from treatyx.errors import LoadError

DOCUMENT_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".jsonl"})
"""What a directory is searched for; a file named explicitly is read whatever its name."""

HTML_SUFFIXES = frozenset({".html", ".htm"})

MAX_BYTES = 512_000
"""The default size limit of one document (UTF-8 bytes of its text; for a JSONL row, of
its line): a long news article is 20-60 KB, so 500 KB leaves room for anything news-like
while a 50 MB dump (hours of requests, gigabytes of memory) is refused up front."""

HTML_MARKUP_FACTOR = 8
"""An HTML page may be this many times the limit before its text is extracted (markup,
scripts and styles outweigh the article); the extracted text must then fit the limit."""

UNSUPPORTED_SUFFIXES = {
    ".pdf": "a PDF document", ".docx": "a Word document", ".doc": "a Word document",
    ".odt": "an OpenDocument text", ".rtf": "an RTF document", ".epub": "an EPUB book",
    ".xlsx": "a spreadsheet", ".xls": "a spreadsheet", ".pptx": "a presentation",
    ".png": "an image", ".jpg": "an image", ".jpeg": "an image", ".gif": "an image",
    ".webp": "an image", ".tif": "an image", ".tiff": "an image", ".bmp": "an image",
    ".zip": "an archive", ".gz": "an archive", ".tgz": "an archive", ".bz2": "an archive",
    ".xz": "an archive", ".7z": "an archive", ".rar": "an archive", ".tar": "an archive",
}
"""Formats treatyx does not read, named when a file is given or found in a directory."""

MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word/OpenDocument file, which are ZIP archives)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "an image"), (b"\xff\xd8\xff", "an image"), (b"GIF8", "an image"),
    (b"\x1f\x8b", "an archive (gzip)"), (b"BZh", "an archive (bzip2)"),
    (b"\xfd7zXZ", "an archive (xz)"), (b"7z\xbc\xaf", "an archive (7z)"),
    (b"Rar!", "an archive (RAR)"),
)
"""How a file's first bytes name its format whatever its name says (an ASCII PDF renamed
.txt would otherwise be read as text)."""


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


class DuplicateId(LoadError):
    """A doc_id already given by an earlier input (`first`); this one is at `source`."""

    def __init__(self, path: str | Path, doc_id: str, first: str,
                 line: int | None = None) -> None:
        self.doc_id, self.first = doc_id, first
        super().__init__(path, f"duplicate doc_id {doc_id!r} (first in {first})", line)

    @property
    def source(self) -> str:
        """Where this input is, as `SourceDocument.source` says it."""
        return f"{self.path}:{self.line}" if self.line is not None else self.path

    def __reduce__(self):
        return (DuplicateId, (self.path, self.doc_id, self.first, self.line))


# --- boilerplate -------------------------------------------------------------------

BOILERPLATE_LINES = frozenset(
    {
        "related stories",
        "related articles",
        "related news",
        "related posts",
        "featured stories",
        "more stories",
        "most popular",
        "most read",
        "read more",
        "read also",
        "also read",
        "you may also like",
        "recommended",
        "trending",
        "share this",
        "share this article",
        "share this story",
        "comment",
        "comments",
        "leave a comment",
        "tags",
    }
)
"""A line that is exactly one of these (any case, trailing ':' ignored) opens the part of
a web page after the article. Whole lines only: "Comment" inside a sentence is text."""

BOILERPLATE_PREFIXES = ("tags:", "share this")
"""Short lines starting with these are tag lists and share bars ("Tags: Japan, US")."""

_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_MONTHS = {name.lower(): i for i, name in enumerate(_MONTH.strip("()").split("|"), start=1)}
_DATE_LINE = re.compile(
    rf"^(\d{{1,2}} {_MONTH} \d{{4}}|{_MONTH} \d{{1,2}}, \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})$",
    re.IGNORECASE,
)
_SMALL = "a an and as at but by for from in of on or the to vs with"
_SMALL_WORDS = frozenset(_SMALL.split())
_HEADLINE_MAX = 150


def _is_boilerplate_line(line: str) -> bool:
    lowered = line.lower()
    if lowered.rstrip(":").rstrip() in BOILERPLATE_LINES:
        return True
    return len(line) < 100 and lowered.startswith(BOILERPLATE_PREFIXES)


def _looks_like_headline(line: str) -> bool:
    """Short, not a sentence, and mostly Title Case (the words that are not small words)."""
    if not line or len(line) > _HEADLINE_MAX or line.endswith((".", ",", ";", "!", "?")):
        return False
    words = [w.strip("\"'‘’“”()[]") for w in line.split()]
    words = [w for w in words if w[:1].isalpha() and w.lower() not in _SMALL_WORDS]
    return bool(words) and sum(w[0].isupper() for w in words) * 2 >= len(words)


def _headline_item(lines: list[str], i: int) -> int | None:
    """End of a headline-list item at `i` (a headline repeated or followed by a date line;
    the seed's lists do both), else None."""
    if i + 1 >= len(lines) or not _looks_like_headline(lines[i]):
        return None
    j = i + 1
    if lines[j] == lines[i]:
        j += 1
    elif not _DATE_LINE.match(lines[j]):
        return None
    if j < len(lines) and _DATE_LINE.match(lines[j]):
        j += 1
    return j


def _headline_run(lines: list[str], i: int) -> bool:
    """A run of headline-list items starts at `i`: two items in a row, or one that ends the
    text. One repeated line alone is not enough (a headline may repeat above its story)."""
    end = _headline_item(lines, i)
    if end is None:
        return False
    while end < len(lines) and not lines[end]:
        end += 1
    return end == len(lines) or _headline_item(lines, end) is not None


def find_body_end(text: str, start: int = 0) -> int:
    """Where the article that starts at `start` ends: before the first boilerplate line or
    headline-list run, with trailing whitespace dropped. The first line is never cut (it is
    the headline or the first paragraph, and sites label opinion pieces "Comment")."""
    raw = text[start:].splitlines(keepends=True)
    lines = [line.strip() for line in raw]
    offset, seen_text = start, False
    for i, line in enumerate(lines):
        if seen_text and line and (_is_boilerplate_line(line) or _headline_run(lines, i)):
            return _trim(text, start, offset)
        seen_text = seen_text or bool(line)
        offset += len(raw[i])
    return _trim(text, start, len(text))


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


# --- one document from text ----------------------------------------------------------

_HEADER = re.compile(r" ?date (\d{4}-\d{2}-\d{2})\b[^\n]*\n")
_DATELINE = re.compile(
    rf"(?:[A-Z][a-z]+day,? )?(\d{{1,2}}) {_MONTH} (\d{{4}})(?: - \d{{1,2}}:\d{{2}})?[ \t]*\r?\n"
)


def document_from_text(
    text: str,
    doc_id: str,
    *,
    title: str | None = None,
    published: dt.date | None = None,
    source: str = "<text>",
) -> SourceDocument:
    """A document from its text; reads the seed's header layout when present. Given
    `title`/`published` win over what the text says."""
    if not text.strip():
        raise LoadError(source, "empty document (only whitespace)")
    start = 0
    header = _HEADER.match(text)
    dateline = _DATELINE.match(text, header.end() if header else 0)
    if header or dateline:
        if published is None and header:
            published = _parse_date(header.group(1), source, what="header date")
        elif published is None and dateline:
            day, month, year = dateline.groups()
            published = _safe_date(int(year), _MONTHS[month.lower()], int(day))
        start = (dateline or header).end()
        start = _skip_space(text, start)
        if title is None:
            title = text[start:].split("\n", 1)[0].strip() or None
    else:
        start = _skip_space(text, 0)
    return SourceDocument(doc_id, text, title, published, start, find_body_end(text, start), source)


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _parse_date(
    value: object, source: str, line: int | None = None, what: str = "published date"
) -> dt.date | None:
    """ISO date, or the date part of an ISO timestamp; anything else is the user's mistake."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            pass
    raise LoadError(source, f"bad {what} {value!r} (want YYYY-MM-DD)", line)


# --- files ---------------------------------------------------------------------------


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise LoadError(path, "no such file") from None
    except IsADirectoryError:
        raise LoadError(path, "is a directory") from None
    except OSError as error:
        raise LoadError(path, f"cannot read: {error.strerror or error}") from None


def _decode(data: bytes, path: Path, line: int | None = None, offset: int = 0) -> str:
    """UTF-8 text (a leading BOM dropped), or an error giving the file's byte offset."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as error:
        at = bom + error.start
        raise LoadError(
            path,
            f"not UTF-8 text (undecodable byte 0x{data[at]:02x} at byte offset "
            f"{offset + at}); convert it to UTF-8",
            line,
        ) from None


def _regular_file(path: Path) -> int:
    """The file's size; a FIFO, device or socket is refused before it is opened (reading a
    FIFO waits for a writer forever)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise LoadError(path, "no such file") from None
    except OSError as error:
        raise LoadError(path, f"cannot read: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise LoadError(path, "is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise LoadError(path, "not a regular file (a FIFO, device or socket); give a file")
    return info.st_size


def unsupported_format(path: Path, head: bytes = b"") -> str | None:
    """What a file is when treatyx cannot read it ("a PDF document"), from its first bytes,
    else its suffix; None for what may be text."""
    for magic, what in MAGIC:
        if head.startswith(magic):
            return what
    return UNSUPPORTED_SUFFIXES.get(path.suffix.lower())


def _check_format(data: bytes, path: Path) -> None:
    what = unsupported_format(path, data[:8])
    if what is not None:
        raise LoadError(path, f"unsupported format: {what}, not text; convert it to .txt, "
                        ".html or .jsonl first")
    if b"\x00" in data[:65536] or (len(data) > 65536 and b"\x00" in data):
        raise LoadError(path, "binary data (NUL bytes), not text")


def _too_large(size: int, limit: int | None, path: Path, what: str = "document",
               line: int | None = None) -> LoadError | None:
    if limit is None or size <= limit:
        return None
    return LoadError(path, f"{what} too large: {size:,} bytes, over the limit of {limit:,} "
                     "(--max-bytes)", line)


def _read_text(path: Path, max_bytes: int | None = MAX_BYTES) -> str:
    size = _regular_file(path)
    html = path.suffix.lower() in HTML_SUFFIXES
    limit = max_bytes * HTML_MARKUP_FACTOR if max_bytes is not None and html else max_bytes
    if (error := _too_large(size, limit, path, "HTML page" if html else "document")):
        raise error
    with _open(path) as handle:
        try:
            data = handle.read() if limit is None else handle.read(limit + 1)
        except OSError as error:
            raise LoadError(path, f"cannot read: {error.strerror or error}") from None
    if (error := _too_large(len(data), limit, path)):  # it grew after stat
        raise error
    _check_format(data, path)
    return _decode(data, path)


def load_document(path: str | Path, *, published: dt.date | None = None,
                  max_bytes: int | None = MAX_BYTES) -> SourceDocument:
    """One .txt or .html/.htm file (any other name is read as plain text, unless its first
    bytes or its suffix name a format that is not text); the doc_id is the file name
    without its extension. `max_bytes` limits the text's size (None: no limit)."""
    path = Path(path)
    if path.suffix.lower() == ".jsonl":
        raise LoadError(path, "a JSONL file holds many documents; use iter_documents")
    text = _read_text(path, max_bytes)
    if path.suffix.lower() in HTML_SUFFIXES:
        document = _from_html(text, path, published)
        size = len(document.text.encode("utf-8"))
        if (error := _too_large(size, max_bytes, path, "article text")):
            raise error
        return document
    return document_from_text(text, path.stem, published=published, source=str(path))


def _from_html(page: str, path: Path, published: dt.date | None) -> SourceDocument:
    """The main text as trafilatura extracts it (offline). Dates come only from the page's
    markup: trafilatura's extensive search guesses from any year in the text ("delivered
    from 2022" became 2022-01-01), so it is off, and a dateline opening the text is the
    fallback."""
    import trafilatura

    if not page.strip():
        raise LoadError(path, "empty document (only whitespace)")
    try:
        extracted = trafilatura.bare_extraction(
            page,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as error:  # a parser failure is a bad file, not a crash
        raise LoadError(path, f"cannot parse HTML: {type(error).__name__}: {error}") from None
    text = getattr(extracted, "text", None) or ""
    if not text.strip():
        raise LoadError(path, "no article text found in the HTML page")
    if published is None:
        date = getattr(extracted, "date", None)
        published = _parse_date(date, str(path)) if date else _leading_date(text)
    title = (getattr(extracted, "title", None) or "").strip() or None
    start = _skip_space(text, 0)
    return SourceDocument(
        path.stem, text, title, published, start, find_body_end(text, start), str(path)
    )


_LEADING_DATE = re.compile(
    rf"\b(\d{{1,2}}) {_MONTH},? (\d{{4}})\b|\b{_MONTH} (\d{{1,2}}), (\d{{4}})\b"
)


def _leading_date(text: str) -> dt.date | None:
    """A full date in the first three lines (a dateline), else None."""
    head = "\n".join(text.split("\n", 3)[:3])
    match = _LEADING_DATE.search(head)
    if not match:
        return None
    d1, m1, y1, m2, d2, y2 = match.groups()
    if m1:
        return _safe_date(int(y1), _MONTHS[m1.lower()], int(d1))
    return _safe_date(int(y2), _MONTHS[m2.lower()], int(d2))


# --- JSONL -------------------------------------------------------------------------


def _iter_jsonl(
    path: Path, published: dt.date | None, max_bytes: int | None = MAX_BYTES
) -> Iterator[tuple[int | None, SourceDocument | LoadError]]:
    """(line number, document or error) per row, one line in memory at a time (a corpus
    may be larger than memory); a bad row, even a bad byte, never stops the file."""
    try:
        _regular_file(path)
        handle = _open(path)
    except LoadError as error:
        yield None, error
        return
    rows = offset = 0
    with handle:
        # binary lines end at b"\n" only, as JSONL says: a U+2028 inside a JSON string
        # stays in its row (str.splitlines would split there)
        for number, raw in enumerate(handle, start=1):
            start, offset = offset, offset + len(raw)
            if (too_large := _too_large(len(raw), max_bytes, path, "row", number)):
                rows += 1
                yield number, too_large
                continue
            try:  # a BOM is dropped on any line: files joined with `cat` keep theirs
                line = _decode(raw, path, number, start)
            except LoadError as error:
                yield number, error
                continue
            if not line.strip():
                continue
            rows += 1
            try:
                yield number, _jsonl_row(line, path, number, published)
            except LoadError as error:
                yield number, error
    if not rows:
        yield None, LoadError(path, "no documents (the JSONL file is empty)")


def _jsonl_row(line: str, path: Path, number: int, published: dt.date | None) -> SourceDocument:
    try:
        row = json.loads(line)
    except ValueError as error:
        raise LoadError(path, f"malformed JSON ({error})", number) from None
    if not isinstance(row, dict):
        raise LoadError(path, "row must be a JSON object with `id` and `text`", number)
    missing = [key for key in ("id", "text") if key not in row]
    if missing:
        raise LoadError(path, f"row has no {' or '.join(f'`{k}`' for k in missing)}", number)
    doc_id, text, title = row["id"], row["text"], row.get("title")
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int) or not str(doc_id).strip():
        raise LoadError(path, f"`id` must be a non-empty string or number, not {doc_id!r}", number)
    if not isinstance(text, str):
        raise LoadError(path, "`text` must be a string", number)
    if title is not None and not isinstance(title, str):
        raise LoadError(path, "`title` must be a string", number)
    if published is None:
        published = _parse_date(row.get("published"), str(path), number)
    try:
        return document_from_text(
            text, str(doc_id), title=title, published=published, source=f"{path}:{number}"
        )
    except LoadError as error:
        raise LoadError(path, error.problem, number) from None


# --- many inputs -------------------------------------------------------------------


Warn = Callable[[str], None]


def _warn(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=4)


def _expand(paths: Iterable[str | Path], warn: Warn = _warn) -> Iterator[Path | LoadError]:
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            yield path if path.exists() or path.is_symlink() else LoadError(path, "no such file")
            continue
        found, skipped = _walk(path, warn)
        if skipped:
            reasons = "; ".join(f"{len(names)} {why} ({', '.join(sorted(set(names))[:4])})"
                                for why, names in sorted(skipped.items()))
            warn(f"{path}: skipped {sum(map(len, skipped.values()))} file(s): {reasons}")
        if not found:
            yield LoadError(path, "directory holds no .txt, .text, .html, .htm or .jsonl files")
        yield from sorted(found)


def _walk(top: Path, warn: Warn) -> tuple[list[Path], dict[str, list[str]]]:
    """The document files under `top`, hidden ones left out, walked with a stack (a tree
    1,500 directories deep is no reason to stop) without following directory links (a link
    loop would never end). Unreadable directories are named in a warning and skipped;
    skipped files are counted by why (`{reason: [suffixes]}`)."""
    found: list[Path] = []
    skipped: dict[str, list[str]] = {}
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as entries:
                listed = list(entries)
        except OSError as error:
            warn(f"{directory}: cannot read directory: {error.strerror or error}; skipped")
            continue
        for entry in listed:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                    continue
                regular = entry.is_file()
            except OSError:
                regular = False
            child = Path(entry.path)
            suffix = child.suffix.lower()
            if not regular:
                skipped.setdefault("not regular files", []).append(entry.name)
            elif suffix in DOCUMENT_SUFFIXES:
                found.append(child)
            elif suffix in UNSUPPORTED_SUFFIXES:
                skipped.setdefault("in unsupported formats", []).append(suffix)
            else:
                skipped.setdefault("with other suffixes", []).append(suffix or "no suffix")
    return found, skipped


def _load_one(path: Path, published: dt.date | None, max_bytes: int | None = MAX_BYTES):
    if path.suffix.lower() == ".jsonl":
        yield from _iter_jsonl(path, published, max_bytes)
        return
    try:
        yield None, load_document(path, published=published, max_bytes=max_bytes)
    except LoadError as error:
        yield None, error


def iter_documents(
    paths: Iterable[str | Path], *, published: dt.date | None = None,
    max_bytes: int | None = MAX_BYTES, warn: Warn = _warn, exclude: Iterable[Path] = (),
) -> Iterator[SourceDocument | LoadError]:
    """Every document under `paths`, lazily and in order; directories are searched
    recursively (sorted, hidden files skipped). Bad inputs and repeated doc_ids become
    LoadErrors in the stream: it never raises for bad input. `published` overrides each
    document's own date; a document over `max_bytes` is a LoadError (None: no limit).
    What a directory run leaves out (unreadable directories, files in other formats) is
    said through `warn`, one line each."""
    seen: dict[str, str] = {}
    for item in _without_files(_expand(paths, warn), exclude):
        if isinstance(item, LoadError):
            yield item
            continue
        for line, document in _load_one(item, published, max_bytes):
            if isinstance(document, SourceDocument):
                if document.doc_id in seen:
                    document = DuplicateId(item, document.doc_id, seen[document.doc_id], line)
                else:
                    seen[document.doc_id] = document.source
            yield document


def _without_files(items: Iterator[Path | LoadError],
                   exclude: Iterable[Path]) -> Iterator[Path | LoadError]:
    """The inputs less `exclude`: a run's own output files, when they lie inside an input
    directory, must not be read back as documents while they are being written."""
    skip = {Path(p).resolve() for p in exclude}
    for item in items:
        if not (skip and isinstance(item, Path) and item.resolve() in skip):
            yield item


def duplicate_ids(paths: Iterable[str | Path],
                  exclude: Iterable[Path] = ()) -> Iterator[DuplicateId]:
    """The repeated doc_ids under `paths`, found by a first pass that reads ids only (a
    file's name, a JSONL row's `id`), so that a batch can name them before it starts
    without holding the corpus in memory. Unreadable inputs are left to `iter_documents`."""
    seen: dict[str, str] = {}
    for item in _without_files(_expand(paths, warn=lambda _: None), exclude):
        if isinstance(item, LoadError) or not item.is_file():
            continue
        for line, doc_id in _ids_in(item):
            where = f"{item}:{line}" if line is not None else str(item)
            if doc_id in seen:
                yield DuplicateId(item, doc_id, seen[doc_id], line)
            else:
                seen[doc_id] = where


def _ids_in(path: Path) -> Iterator[tuple[int | None, str]]:
    if path.suffix.lower() != ".jsonl":
        yield None, path.stem
        return
    try:
        with path.open("rb") as rows:  # lines as _iter_jsonl numbers them
            for number, raw in enumerate(rows, start=1):
                try:
                    line = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    continue  # iter_documents reports this row
                if line.strip() and (doc_id := _row_id(line)) is not None:
                    yield number, doc_id
    except OSError:
        return


def _row_id(line: str) -> str | None:
    try:
        row = json.loads(line)
    except ValueError:
        return None
    doc_id = row.get("id") if isinstance(row, dict) else None
    if isinstance(doc_id, bool) or not isinstance(doc_id, str | int) or not str(doc_id).strip():
        return None
    return str(doc_id)
