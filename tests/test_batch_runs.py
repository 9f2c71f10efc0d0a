"""Batches with `treatyx extract -o`: resuming, the response cache, failures kept for the
next run, repeated doc_ids. Real HTTP to the scripted server, the real openai client."""

import json

import pytest
from scripted_cli import (
    NO_AGREEMENT,
    answering,
    article,
    extract_args,
    ids,
    lines,
    write_corpus,
)
from scripted_server import ScriptedServer, Step

from treatyx.cli import main
from treatyx.loading import DuplicateId, duplicate_ids, iter_documents


@pytest.fixture
def server():
    with ScriptedServer(default=answering()) as server:
        yield server


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def test_a_rerun_skips_the_documents_already_written(server, cache, tmp_path, capsys):
    corpus, out = tmp_path / "corpus.jsonl", tmp_path / "out.jsonl"
    write_corpus(corpus, ["a", "b", "c"])
    assert main(extract_args(server, cache, str(corpus), "-o", str(out))) == 0
    write_corpus(corpus, ["a", "b", "c", "d", "e"])
    sent = len(server.requests)

    assert main(extract_args(server, cache, str(corpus), "-o", str(out), "--no-cache")) == 0

    assert len(server.requests) - sent == 2  # only d and e were asked for
    assert sorted(ids(out)) == ["a", "b", "c", "d", "e"]
    assert "3 document(s) already done; skipping them" in capsys.readouterr().err


def test_the_same_corpus_again_is_answered_from_the_cache(server, cache, tmp_path, capsys):
    corpus = write_corpus(tmp_path / "corpus.jsonl", ["a", "b", "c"])
    main(extract_args(server, cache, str(corpus), "-o", str(tmp_path / "first.jsonl")))
    sent = len(server.requests)

    code = main(extract_args(server, cache, str(corpus), "-o", str(tmp_path / "second.jsonl")))

    assert code == 0 and len(server.requests) == sent == 3
    assert sorted(ids(tmp_path / "second.jsonl")) == ["a", "b", "c"]
    assert "3 cache hit(s)" in capsys.readouterr().err
    assert (cache / "responses").is_dir()


def test_no_cache_or_another_model_asks_the_endpoint_again(server, cache, tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", ["a", "b"])
    main(extract_args(server, cache, str(corpus), "-o", str(tmp_path / "1.jsonl")))

    main(extract_args(server, cache, str(corpus), "-o", str(tmp_path / "2.jsonl"),
                      "--no-cache"))
    assert len(server.requests) == 4
    main(extract_args(server, cache, str(corpus), "-o", str(tmp_path / "3.jsonl"),
                      model="another-model"))
    assert len(server.requests) == 6
    assert {r["model"] for r in server.requests[4:]} == {"another-model"}
    main(extract_args(server, cache, str(corpus), "-o", str(tmp_path / "4.jsonl"),
                      model="another-model"))
    assert len(server.requests) == 6  # now cached under that model too


def test_a_torn_last_line_is_cut_and_its_document_extracted_again(server, cache, tmp_path,
                                                                  capsys):
    corpus, out = write_corpus(tmp_path / "corpus.jsonl", ["a", "b", "c"]), tmp_path / "o.jsonl"
    main(extract_args(server, cache, str(corpus), "-o", str(out), "--concurrency", "1"))
    out.write_bytes(out.read_bytes()[:-25])  # a crash in the middle of writing "c"
    sent = len(server.requests)

    assert main(extract_args(server, cache, str(corpus), "-o", str(out), "--no-cache")) == 0

    assert len(server.requests) - sent == 1
    assert ids(out) == ["a", "b", "c"]
    assert "cut a torn last line" in capsys.readouterr().err


def test_failures_are_listed_with_their_reason_and_retried_by_the_next_run(cache, tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", ["a", "bad", "c"],
                          text=lambda n: "Story FAILS. " + article(n) if n == 1 else article(n))
    out = tmp_path / "out.jsonl"

    def refuse_one(body):
        if "Story FAILS." in json.dumps(body):
            return Step(status=400)
        return Step(content=NO_AGREEMENT)

    with ScriptedServer(default=refuse_one) as server:
        assert main(extract_args(server, cache, str(corpus), "-o", str(out))) == 1
    assert sorted(ids(out)) == ["a", "c"]
    [failure] = lines(tmp_path / "out.jsonl.errors.jsonl")
    assert failure["doc_id"] == "bad" and failure["source"] == f"{corpus}:2"
    assert "extraction failed" in failure["error"] and "400" in failure["error"]

    with ScriptedServer(default=answering()) as server:
        assert main(extract_args(server, cache, str(corpus), "-o", str(out))) == 0
        assert len(server.requests) == 1
    assert sorted(ids(out)) == ["a", "bad", "c"]
    assert not (tmp_path / "out.jsonl.errors.jsonl").exists()


def test_usage_sums_every_request_of_a_document(cache, tmp_path, capsys):
    corpus, out = write_corpus(tmp_path / "corpus.jsonl", ["a"]), tmp_path / "out.jsonl"
    steps = [Step(status=503), Step(content='{"agreements": [', prompt_tokens=70),
             Step(content=NO_AGREEMENT, prompt_tokens=90, completion_tokens=5)]
    with ScriptedServer(steps) as server:
        assert main(extract_args(server, cache, str(corpus), "-o", str(out))) == 0

    usage = lines(out)[0]["extractor"]["usage"]
    # a transport retry and a re-ask: three requests, two answers counted
    assert usage == {"prompt_tokens": 160, "completion_tokens": 25, "requests": 3}
    assert "185 tokens (160 prompt), 3 requests" in capsys.readouterr().err


def test_repeated_doc_ids_are_named_before_extraction_starts(server, cache, tmp_path,
                                                             capsys):
    corpus = write_corpus(tmp_path / "corpus.jsonl", ["a", "b", "a"])
    more = tmp_path / "b.txt"
    more.write_text("Story b. Japan and Australia met.", encoding="utf-8")
    out = tmp_path / "out.jsonl"

    assert main(extract_args(server, cache, str(corpus), str(more), "-o", str(out))) == 1

    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [
        f"treatyx: error: {corpus}:3: duplicate doc_id 'a' (first in {corpus}:1)",
        f"treatyx: error: {more}: duplicate doc_id 'b' (first in {corpus}:2)",
    ]
    assert err[2].startswith("treatyx: backend openai")  # only then does extraction start
    assert sum("duplicate" in line for line in err) == 2  # each named once
    assert sorted(ids(out)) == ["a", "b"] and len(server.requests) == 2
    assert [e["doc_id"] for e in lines(tmp_path / "out.jsonl.errors.jsonl")] == ["a", "b"]
    assert "0 document(s)" not in err[-1] and "2 failed" in err[-1]


def test_the_first_pass_names_the_rows_that_loading_would(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    rows = [{"id": "a", "text": "One\u2028line, a break only to str.splitlines."},
            {"id": 7, "text": "Two."}, {"id": "7", "text": "Three."}, {"id": "a", "text": "Four."}]
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                      encoding="utf-8")

    named = [str(d) for d in duplicate_ids([corpus])]

    assert named == [str(e) for e in iter_documents([corpus]) if isinstance(e, DuplicateId)]
    assert named == [f"{corpus}:3: duplicate doc_id '7' (first in {corpus}:2)",
                     f"{corpus}:4: duplicate doc_id 'a' (first in {corpus}:1)"]


def test_read_evidence_completes_the_models_answer_and_is_cached_apart(cache, tmp_path):
    text = "Japan and Australia signed a $2 billion defence pact on Monday."
    bare = json.dumps({"agreements": [{
        "name": None, "type": "defence_cooperation", "status": "signed",
        "parties": ["Japan", "Australia"], "amounts": [], "durations": [], "dates": [],
        "evidence": [text]}]})
    corpus = write_corpus(tmp_path / "corpus.jsonl", ["pact"], text=lambda n: text)
    with ScriptedServer(default=answering(bare)) as server:
        for run, flag in enumerate(["--no-read-evidence", "--read-evidence"]):
            out = tmp_path / f"{run}.jsonl"
            assert main(extract_args(server, cache, str(corpus), "-o", str(out), flag,
                                     "--published", "2022-01-08")) == 0
            [document] = lines(out)
            amounts = [a["value"] for a in document["agreements"][0]["amounts"]]
            assert amounts == ([] if flag == "--no-read-evidence" else [2_000_000_000])
        assert len(server.requests) == 2  # the second run was not answered from the cache
