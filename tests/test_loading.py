import datetime as dt
import json
import os
from pathlib import Path

import pytest

from treatyx.loading import (
    LoadError,
    SourceDocument,
    document_from_text,
    find_body_end,
    iter_documents,
    load_document,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "eval" / "articles" / "dev" / "seed.txt"
HTML = Path(__file__).parent / "data" / "loading" / "article.html"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def loaded(paths, **kwargs) -> tuple[list[SourceDocument], list[LoadError]]:
    kwargs.setdefault("warn", lambda message: None)  # tests that read warnings pass their own
    items = list(iter_documents(paths, **kwargs))
    return (
        [i for i in items if isinstance(i, SourceDocument)],
        [i for i in items if isinstance(i, LoadError)],
    )


# --- the seed ------------------------------------------------------------------------


def test_seed_loads_with_its_header_title_and_date():
    seed = load_document(SEED)
    assert seed.doc_id == "seed"
    assert seed.source == str(SEED)
    assert seed.title == "US, Japan To Sign New Military Partnership Deal"
    assert seed.published == dt.date(2022, 1, 8)
    assert seed.text == SEED.read_text(encoding="utf-8")


def test_seed_body_starts_at_the_headline_and_stops_before_related_stories():
    seed = load_document(SEED)
    assert seed.text[52:54] == "US"  # the gold has a party span in the headline
    assert seed.body_start == 52
    assert seed.body.endswith(
        '"all options including possession of the so-called enemy-strike capabilities."'
    )
    assert seed.text[seed.body_end :].lstrip().startswith("Related Stories")
    assert "Related Stories" not in seed.body
    assert "Polish Leader Admits" not in seed.body


def test_given_published_date_overrides_the_header():
    assert load_document(SEED, published=dt.date(2020, 5, 1)).published == dt.date(2020, 5, 1)


# --- text layouts --------------------------------------------------------------------


def test_plain_text_has_no_title_or_date_and_the_body_starts_at_the_first_word():
    doc = document_from_text("\n\n  Japan and Australia signed a pact.\n", "pact")
    assert (doc.title, doc.published, doc.source) == (None, None, "<text>")
    assert doc.body == "Japan and Australia signed a pact."


def test_a_dateline_alone_gives_the_date_and_the_headline():
    doc = document_from_text("Friday 7 January 2022\n\nPact Signed\nBody text.\n", "d")
    assert doc.published == dt.date(2022, 1, 7)
    assert doc.title == "Pact Signed"
    assert doc.body == "Pact Signed\nBody text."


def test_a_bad_header_date_is_a_load_error(tmp_path):
    path = write(tmp_path / "bad.txt", " date 2022-13-40 0\nSaturday 8 January 2022\n\nT\nB\n")
    with pytest.raises(LoadError, match=r"bad\.txt: bad header date '2022-13-40'"):
        load_document(path)


def test_a_whitespace_only_document_is_a_load_error():
    with pytest.raises(LoadError, match="empty document"):
        document_from_text(" \n\t\n", "blank", source="blank.txt")


# --- boilerplate ---------------------------------------------------------------------

ARTICLE = "Pact Signed\nJapan and Australia signed a pact on Thursday.\n"


@pytest.mark.parametrize(
    "marker",
    [
        "Related Stories",
        "Featured Stories",
        "Related Articles",
        "Read more",
        "Most Popular",
        "Comment",
        "Share this",
        "Tags: Japan, Australia",
        "COMMENTS:",
    ],
)
def test_boilerplate_markers_end_the_body(marker):
    text = ARTICLE + f"\n{marker}\nUS and UK Sign Submarine Deal\n"
    assert text[: find_body_end(text)] == ARTICLE.rstrip()


def test_comment_inside_a_sentence_is_article_text():
    text = ARTICLE + "Comment was not available from Beijing.\nNo Comment\n"
    assert find_body_end(text) == len(text.rstrip())


def test_a_headline_list_with_dates_ends_the_body():
    listing = (
        "India Buys Rafale Jets\nIndia Buys Rafale Jets\n7 January 2022\n"
        "Greece Signs Frigate Deal\nGreece Signs Frigate Deal\n6 January 2022\n"
    )
    text = ARTICLE + listing
    assert text[: find_body_end(text)] == ARTICLE.rstrip()


def test_a_headline_repeated_once_above_its_story_is_not_a_list():
    text = "Pact Signed\nPact Signed\nJapan and Australia signed a pact.\nMore Text Here\n"
    assert find_body_end(text) == len(text.rstrip())


def test_the_first_line_is_never_cut():
    text = "Comment\nWhy the pact matters.\n"
    assert find_body_end(text) == len(text.rstrip())


def test_boilerplate_is_cut_from_plain_text_too():
    doc = document_from_text(ARTICLE + "Related Stories\nOther Deal\n", "plain")
    assert doc.body == ARTICLE.rstrip()


# --- HTML ----------------------------------------------------------------------------


def test_html_gives_title_date_and_main_text_without_navigation():
    doc = load_document(HTML)
    assert doc.doc_id == "article"
    assert doc.title == "Poland and South Korea Sign Tank Deal"
    assert doc.published == dt.date(2022, 8, 27)
    assert "buy 180 K2 battle tanks" in doc.text
    for chrome in ("Subscribe Today", "World News", "Copyright", "Privacy policy"):
        assert chrome not in doc.text
    assert doc.body == doc.text.strip()


def test_html_date_falls_back_to_a_dateline_never_to_a_year_in_the_text(tmp_path):
    page = HTML.read_text(encoding="utf-8")
    page = page.replace(
        '<meta property="article:published_time" content="2022-08-27T09:30:00+02:00">', ""
    )
    page = page.replace('<time datetime="2022-08-27">27 August 2022</time>', "")
    assert load_document(write(tmp_path / "undated.html", page)).published is None
    dated = page.replace("<p>Poland signed", "<p>Warsaw, 26 August 2022.</p><p>Poland signed")
    assert load_document(write(tmp_path / "dateline.html", dated)).published == dt.date(2022, 8, 26)


def test_an_html_page_without_article_text_is_a_load_error(tmp_path):
    with pytest.raises(LoadError, match=r"empty\.htm: no article text"):
        load_document(write(tmp_path / "empty.htm", "<html><body><div></div></body></html>"))


# --- JSONL ---------------------------------------------------------------------------


def test_jsonl_yields_good_rows_and_one_error_naming_the_bad_line(tmp_path):
    rows = [
        json.dumps({"id": "a", "text": "Japan signed.", "title": "T", "published": "2022-01-06"}),
        "{not json",
        json.dumps({"id": 7, "text": "Australia signed."}),
    ]
    path = write(tmp_path / "corpus.jsonl", "\n".join(rows) + "\n")
    docs, errors = loaded([path])
    assert [(d.doc_id, d.title, d.published, d.source) for d in docs] == [
        ("a", "T", dt.date(2022, 1, 6), f"{path}:1"),
        ("7", None, None, f"{path}:3"),
    ]
    [error] = errors
    assert (error.path, error.line) == (str(path), 2)
    assert str(error).startswith(f"{path}:2: malformed JSON")


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ({"id": "a"}, "row has no `text`"),
        ({"text": "x"}, "row has no `id`"),
        ({"id": "a", "text": "x", "published": "2022-13-40"}, "bad published date '2022-13-40'"),
        ({"id": "a", "text": "   "}, "empty document"),
        ([1, 2], "row must be a JSON object"),
    ],
)
def test_bad_jsonl_rows_are_named_by_line(tmp_path, row, problem):
    path = write(tmp_path / "rows.jsonl", "\n" + json.dumps(row) + "\n")
    [error] = list(iter_documents([path]))
    assert isinstance(error, LoadError)
    assert str(error).startswith(f"{path}:2: {problem}")


def test_jsonl_text_may_hold_line_separators(tmp_path):
    path = write(
        tmp_path / "u.jsonl", json.dumps({"id": "u", "text": "a\u2028b"}, ensure_ascii=False) + "\n"
    )
    [doc] = list(iter_documents([path]))
    assert doc.text == "a\u2028b"


def test_a_bad_byte_fails_only_its_own_jsonl_row(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"id": "a", "text": "Pact signed."}).encode()
    latin = json.dumps({"id": "b", "text": "Défense"}, ensure_ascii=False).encode("latin-1")
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\n" + latin + b"\n" + good.replace(b'"a"', b'"c"'))
    docs, errors = loaded([path])
    assert [d.doc_id for d in docs] == ["a", "c"]
    [error] = errors
    offset = 3 + len(good) + 1 + latin.index(b"\xe9")
    assert str(error) == (f"{path}:2: not UTF-8 text (undecodable byte 0xe9 at byte offset "
                          f"{offset}); convert it to UTF-8")


def test_jsonl_is_read_a_row_at_a_time(tmp_path):
    """A corpus larger than memory still loads: the first document arrives before the
    rest of the file is read (here, before the rest is even written)."""
    path = tmp_path / "growing.jsonl"
    path.write_text(json.dumps({"id": "first", "text": "Pact signed."}) + "\n")
    documents = iter_documents([path])
    assert next(documents).doc_id == "first"
    with path.open("a") as more:
        more.write(json.dumps({"id": "later", "text": "Another pact."}) + "\n")
    assert [d.doc_id for d in documents] == ["later"]


# --- files, directories, errors ------------------------------------------------------


def test_latin1_bytes_are_a_load_error_naming_the_file_and_offset(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Défense pact".encode("latin-1"))
    [error] = list(iter_documents([path]))
    assert isinstance(error, LoadError)
    assert str(error) == (
        f"{path}: not UTF-8 text (undecodable byte 0xe9 at byte offset 1); convert it to UTF-8"
    )


def test_a_byte_order_mark_is_not_text(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfPact signed.\n")
    assert load_document(path).text == "Pact signed.\n"


def test_directories_are_read_recursively_in_order(tmp_path):
    write(tmp_path / "b.txt", "Second.")
    write(tmp_path / "a" / "deep" / "one.text", "First.")
    write(tmp_path / "a" / "notes.md", "skipped: not a document extension")
    write(tmp_path / ".cache" / "hidden.txt", "skipped: hidden")
    write(tmp_path / "rows.jsonl", json.dumps({"id": "row", "text": "Third."}) + "\n")
    docs, errors = loaded([tmp_path])
    assert errors == []
    assert [d.doc_id for d in docs] == ["one", "b", "row"]


def test_a_file_named_explicitly_is_read_whatever_its_extension(tmp_path):
    [doc] = list(iter_documents([write(tmp_path / "notes.md", "Pact signed.")]))
    assert doc.body == "Pact signed."


def test_duplicate_doc_ids_are_errors_naming_the_first_source(tmp_path):
    first = write(tmp_path / "x" / "pact.txt", "One.")
    second = write(tmp_path / "y" / "pact.txt", "Two.")
    docs, errors = loaded([tmp_path])
    assert [d.source for d in docs] == [str(first)]
    assert [str(e) for e in errors] == [f"{second}: duplicate doc_id 'pact' (first in {first})"]


def test_bad_inputs_never_stop_the_others(tmp_path):
    good = write(tmp_path / "good.txt", "Pact signed.")
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    blank = write(tmp_path / "blank.txt", "  \n")
    docs, errors = loaded(
        [tmp_path / "missing.txt", empty_dir, blank, good], published=dt.date(2022, 1, 1)
    )
    assert [(d.doc_id, d.published) for d in docs] == [("good", dt.date(2022, 1, 1))]
    assert [str(e) for e in errors] == [
        f"{tmp_path / 'missing.txt'}: no such file",
        f"{empty_dir}: directory holds no .txt, .text, .html, .htm or .jsonl files",
        f"{blank}: empty document (only whitespace)",
    ]
    assert all("\n" not in str(e) for e in errors)


# --- hostile inputs: sizes, odd trees, formats that are not text ----------------------


def test_a_document_over_the_size_limit_is_one_error_naming_the_file(tmp_path):
    big = write(tmp_path / "big.txt", "Japan and Australia signed a pact. " * 20_000)
    rows = write(tmp_path / "rows.jsonl", json.dumps({"id": "r1", "text": "x" * 5000}) + "\n"
                 + json.dumps({"id": "r2", "text": "Japan signed."}) + "\n")
    docs, errors = loaded([big, rows], max_bytes=4000)
    assert [d.doc_id for d in docs] == ["r2"]
    assert [str(e) for e in errors] == [
        f"{big}: document too large: 700,000 bytes, over the limit of 4,000 (--max-bytes)",
        f"{rows}:1: row too large: 5,025 bytes, over the limit of 4,000 (--max-bytes)"]
    assert loaded([big])[1] and not loaded([big], max_bytes=None)[1]  # default 512,000


def test_an_unreadable_subdirectory_is_a_named_skip_and_the_rest_goes_on(tmp_path,
                                                                          monkeypatch):
    write(tmp_path / "a" / "one.txt", "Japan and Australia signed a pact.")
    locked = tmp_path / "locked"
    write(locked / "two.txt", "Japan and Australia signed a pact.")
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads it anyway: the kernel's answer, by hand
        real_scandir = os.scandir

        def scandir(path):
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr("treatyx.loading.os.scandir", scandir)
    said = []
    try:
        docs, errors = loaded([tmp_path], warn=said.append)
    finally:
        locked.chmod(0o755)
    assert [d.doc_id for d in docs] == ["one"] and errors == []
    assert said == [f"{locked}: cannot read directory: Permission denied; skipped"]


def test_a_directory_1500_deep_is_walked_without_recursion(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for _ in range(1500):  # one level at a time: the whole path is too long for mkdir -p
        os.mkdir("d")
        os.chdir("d")
    Path("bottom.txt").write_text("Japan and Australia signed a pact.", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    try:
        docs, errors = loaded([tmp_path])
    finally:  # pytest's clean-up (shutil.rmtree) recurses: take the tree down here
        os.remove(tmp_path / Path(*["d"] * 1500) / "bottom.txt")
        for depth in range(1500, 0, -1):
            os.rmdir(tmp_path / Path(*["d"] * depth))
    assert [d.doc_id for d in docs] == ["bottom"] and errors == []


def test_a_fifo_on_the_command_line_is_refused_without_waiting(tmp_path):
    fifo = tmp_path / "news.txt"
    os.mkfifo(fifo)
    docs, errors = loaded([fifo])
    assert [str(e) for e in errors] == [
        f"{fifo}: not a regular file (a FIFO, device or socket); give a file"]


def test_nul_bytes_are_binary_not_text(tmp_path):
    blob = tmp_path / "blob.txt"
    blob.write_bytes(b"\0" * 1_000_000)
    [error] = loaded([blob], max_bytes=None)[1]  # not only too large: not text
    assert str(error) == f"{blob}: binary data (NUL bytes), not text"


ASCII_PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\nBT (Japan and Australia signed "
             b"a defence pact on Thursday.) Tj ET\n%%EOF\n")


@pytest.mark.parametrize(("name", "data", "named"), [
    ("report.pdf", ASCII_PDF, "a PDF document"),
    ("report.txt", ASCII_PDF, "a PDF document"),  # by its first bytes, whatever its name
    ("story.docx", b"PK\x03\x04" + b"\0" * 100, "a ZIP archive (or a Word/OpenDocument file"),
    ("story.docx", b"Japan and Australia signed.", "a Word document"),  # by its suffix
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "an image"),
    ("news.tar.gz", b"\x1f\x8b\x08" + b"\0" * 50, "an archive (gzip)"),
])
def test_unsupported_formats_are_named(tmp_path, name, data, named):
    path = tmp_path / name
    path.write_bytes(data)
    [error] = loaded([path])[1]
    assert str(error).startswith(f"{path}: unsupported format: {named}")


def test_a_directory_run_says_what_it_skipped_and_why(tmp_path):
    write(tmp_path / "keep.txt", "Japan and Australia signed a pact.")
    for name in ("a.pdf", "b.docx", "c.png", "d.csv"):
        (tmp_path / name).write_bytes(b"x")
    said = []
    docs, errors = loaded([tmp_path], warn=said.append)
    assert [d.doc_id for d in docs] == ["keep"] and errors == []
    assert said == [f"{tmp_path}: skipped 4 file(s): 3 in unsupported formats (.docx, .pdf, "
                    ".png); 1 with other suffixes (.csv)"]
