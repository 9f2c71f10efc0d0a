"""The response cache never fails a document: damaged files, garbage rows, full disks."""

import sqlite3
from pathlib import Path

import pytest
from full_disk import run_with_file_size_limit
from scripted_cli import answering, extract_args, ids, write_corpus
from scripted_server import ScriptedServer

from treatyx.cache import ExtractionCache
from treatyx.cli import main
from treatyx.extractors.base import Extraction
from treatyx.models import Usage

ROOT = Path(__file__).resolve().parents[1]
ANSWER = Extraction(agreements=[], usage=Usage(prompt_tokens=7, requests=1), notes=[])


def filled(directory: Path) -> ExtractionCache:
    cache = ExtractionCache(directory, warn=pytest.fail)
    for n in range(50):
        cache.put(f"k{n}", ANSWER)
    return cache


def opened(directory: Path) -> tuple[ExtractionCache, list[str]]:
    said: list[str] = []
    return ExtractionCache(directory, warn=said.append), said


@pytest.mark.parametrize("damage", ["truncated", "replaced"])
def test_a_damaged_file_is_set_aside_with_one_warning_and_a_fresh_one_started(tmp_path,
                                                                              damage):
    filled(tmp_path).close()
    path = tmp_path / ExtractionCache.FILE
    for companion in ("-wal", "-shm"):
        path.with_name(path.name + companion).unlink(missing_ok=True)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:5000])
    else:
        path.write_bytes(b"this is not a database at all\n" * 200)

    cache, said = opened(tmp_path)

    assert len(said) == 1 and "damaged" in said[0] and "corrupt-1" in said[0]
    assert (tmp_path / f"{ExtractionCache.FILE}.corrupt-1").exists()
    assert cache.get("k1") is None
    cache.put("k1", ANSWER)
    assert cache.get("k1") == ANSWER


@pytest.mark.parametrize("garbage", ["not json {", "[1, 2]", '"text"', '{"agreements": 5}',
                                     '{"agreements": [{"bogus": 1}], "usage": {}, "notes": []}',
                                     "{}"])
def test_a_garbage_row_is_a_miss_and_is_replaced(tmp_path, garbage):
    cache = filled(tmp_path)
    cache._connect().execute("UPDATE extraction SET value = ? WHERE key = 'k3'", (garbage,))

    assert cache.get("k3") is None
    assert cache.get("k4") == ANSWER
    cache.put("k3", ANSWER)
    assert cache.get("k3") == ANSWER


def test_a_cache_that_cannot_be_created_is_skipped_with_a_warning(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache, said = opened(blocker / "responses")  # a directory under a file
    assert not cache.enabled and len(said) == 1 and "running without it" in said[0]
    cache.put("k", ANSWER)
    assert cache.get("k") is None


def test_a_run_on_a_damaged_cache_extracts_every_document(tmp_path, capsys):
    corpus = write_corpus(tmp_path / "corpus.jsonl", [f"d{n}" for n in range(6)])
    cache_dir = tmp_path / "cache"
    with ScriptedServer(default=answering()) as server:
        assert main(extract_args(server, cache_dir, str(corpus), "-o",
                                 str(tmp_path / "1.jsonl"))) == 0
        db = sqlite3.connect(cache_dir / "responses" / ExtractionCache.FILE)
        db.execute("UPDATE extraction SET value = 'garbage' WHERE rowid = 2")
        db.commit()
        db.close()
        assert main(extract_args(server, cache_dir, str(corpus), "-o",
                                 str(tmp_path / "2.jsonl"))) == 0
        assert len(server.requests) == 7  # the garbage row was asked again
        assert "5 cache hit(s)" in capsys.readouterr().err

        (cache_dir / "responses" / ExtractionCache.FILE).write_bytes(b"\0garbage" * 1000)
        assert main(extract_args(server, cache_dir, str(corpus), "-o",
                                 str(tmp_path / "3.jsonl"))) == 0
    assert sorted(ids(tmp_path / "3.jsonl")) == [f"d{n}" for n in range(6)]
    warnings = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "is damaged" in warnings[0]


@pytest.mark.parametrize("limit", [0, 40_000])
def test_a_cache_on_a_full_disk_never_fails_a_document(tmp_path, limit):
    corpus = write_corpus(tmp_path / "corpus.jsonl", [f"d{n}" for n in range(30)])
    with ScriptedServer(default=answering()) as server:
        done = run_with_file_size_limit(limit, extract_args(
            server, tmp_path / "cache", str(corpus), "--concurrency", "2"), tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 30  # every document, on stdout
    assert "Traceback" not in done.stderr
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "cache" in warnings[0]
