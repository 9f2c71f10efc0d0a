"""`treatyx batch submit|status|collect` against the scripted server's Batch API: real HTTP
on 127.0.0.1, the real `openai` client (upload, batches, file content), and the same
scripted answers as the live LLM tests, so a batch's output can be compared with a live
run's."""

import json
import shutil

import openai
import pytest
from conftest import SEED
from scripted_server import ScriptedServer, Step
from test_llm_scripted import HOST_NATION, answer, backend_for

from treatyx import batch
from treatyx.cli import main
from treatyx.extractors.llm import LLMBackend
from treatyx.extractors.registry import BackendOptions
from treatyx.models import Document
from treatyx.pipeline import process

OTHER = ("Norway and Sweden discussed fishing quotas on Monday.\n\n"
         "No defence agreement was mentioned.")
BROKEN = "Our scripted endpoint answers this article with an HTTP 500."


def scripted(body: dict) -> Step:
    """The seed article gets the host-nation deal, the broken one a 500, others nothing."""
    article = body["messages"][-1]["content"]
    if "Blinken" in article:
        return Step(content=answer(HOST_NATION))
    if "HTTP 500" in article:
        return Step(status=500)
    return Step(content=answer())


def run(server, tmp_path, action, *args) -> int:
    return main(["batch", action, *args, "--batch-dir", str(tmp_path / "batch"),
                 "--base-url", server.base_url, "--api-key", "sk-test-not-a-real-key"])


def submit(server, tmp_path, *paths, mode="json") -> int:
    return run(server, tmp_path, "submit", *map(str, paths), "--model", "scripted",
               "--mode", mode)


def documents(path) -> list[Document]:
    return [Document.model_validate_json(line) for line in path.read_text().splitlines()]


def error_rows(out) -> list[dict]:
    errors = out.with_name(out.name + ".errors.jsonl")
    return [json.loads(line) for line in errors.read_text().splitlines()]


def corpus(tmp_path) -> str:
    """A JSONL corpus: the seed article, one without deals, one the endpoint fails."""
    path = tmp_path / "corpus.jsonl"
    rows = [{"id": "seed", "text": SEED.read_text(), "published": "2022-01-08"},
            {"id": "other", "text": OTHER, "published": "2022-01-10"},
            {"id": "broken", "text": BROKEN}]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return str(path)


@pytest.mark.parametrize("mode", ["json", "tools", "json_schema", "md_json"])
def test_submit_writes_the_requests_the_live_backend_sends(seed, tmp_path, capsys, mode):
    with ScriptedServer(default=scripted) as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0)
        live = LLMBackend(client=client, model="scripted", mode=mode, max_retries=0)
        live.extract(seed)
        live.close()
        assert submit(server, tmp_path, SEED, mode=mode) == 0
    sent_live = server.requests[0]
    written = [json.loads(line) for line in (tmp_path / "batch/requests.jsonl").open()]
    assert [line["custom_id"] for line in written] == ["seed#0"]
    assert written[0]["method"] == "POST" and written[0]["url"] == "/v1/chat/completions"
    assert written[0]["body"] == sent_live
    assert server.batch_requests == written  # what was uploaded is what was written
    assert sent_live["temperature"] == 0 and sent_live["seed"] == 7
    assert ("tools" in sent_live) == (mode == "tools")
    manifest = batch.Manifest.load(tmp_path / "batch")
    assert (manifest.model, manifest.mode) == ("scripted", mode)
    assert manifest.prompt_version == live.prompt_version
    assert [(d.doc_id, d.source, len(d.chunks)) for d in manifest.documents] == [
        ("seed", str(SEED), 1)]
    assert manifest.batches[0].id == "batch_1" and manifest.batches[0].input_file_id
    assert capsys.readouterr().out == "batch_1\n"


def test_status_says_how_far_each_batch_is(tmp_path, capsys):
    with ScriptedServer(default=scripted, batch_polls=1) as server:
        submit(server, tmp_path, SEED)
        capsys.readouterr()
        assert run(server, tmp_path, "status") == 0
        assert run(server, tmp_path, "status") == 0
    assert capsys.readouterr().out.splitlines() == [
        "batch_1: in_progress, 0/1 done, 0 failed",
        "batch_1: completed, 1/1 done, 0 failed",
    ]


def test_collect_writes_what_live_extraction_writes(seed, tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=scripted) as server:
        live = process(seed, backend_for(server))
        submit(server, tmp_path, SEED)
        assert run(server, tmp_path, "collect", "-o", str(out)) == 0
    [collected] = documents(out)
    assert collected.agreements[0].amounts[0].value == 9_300_000_000
    assert collected.extractor.usage.model_dump() == {
        "prompt_tokens": 100, "completion_tokens": 20, "requests": 1}
    ignore = {"extractor": {"seconds"}}
    assert collected.model_dump(exclude=ignore) == live.model_dump(exclude=ignore)
    assert main(["validate", str(out), "--source", str(SEED)]) == 0
    assert "no re-ask" not in capsys.readouterr().err


def test_collect_can_read_the_evidence_as_live_extraction_does(seed, tmp_path):
    bare = dict(HOST_NATION, amounts=[], durations=[])
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=lambda body: Step(content=answer(bare))) as server:
        live = process(seed, backend_for(server, read_evidence=True))
        submit(server, tmp_path, SEED)
        assert run(server, tmp_path, "collect", "-o", str(out), "--read-evidence") == 0
    [collected] = documents(out)
    assert [a.value for a in collected.agreements[0].amounts] == [9_300_000_000]
    ignore = {"extractor": {"seconds"}}
    assert collected.model_dump(exclude=ignore) == live.model_dump(exclude=ignore)


def test_a_failed_request_goes_to_the_errors_file_and_a_second_collect_adds_nothing(
        tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=scripted) as server:
        submit(server, tmp_path, corpus(tmp_path))
        assert run(server, tmp_path, "collect", "-o", str(out)) == 1
        first = out.read_text()
        assert run(server, tmp_path, "collect", "-o", str(out)) == 1
    assert [d.doc_id for d in documents(out)] == ["seed", "other"]
    assert out.read_text() == first
    [row] = error_rows(out)
    assert row["doc_id"] == "broken"
    assert "broken#0: request failed: HTTP 500" in row["error"]
    assert "error: " in capsys.readouterr().err


def test_an_answer_failing_validation_is_left_for_a_live_run_that_re_asks(tmp_path, capsys):
    """A batch cannot re-ask; `treatyx extract -o` on the same output then does."""
    wrong = dict(HOST_NATION, amounts=[{"mention": "$9.8 billion"}])
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=lambda body: Step(content=answer(wrong))) as server:
        submit(server, tmp_path, SEED)
        assert run(server, tmp_path, "collect", "-o", str(out)) == 1
    assert out.read_text() == ""
    [row] = error_rows(out)
    assert "a batch cannot re-ask" in row["error"]
    assert "'$9.8 billion' does not occur in the source text" in row["error"]
    with ScriptedServer([Step(content=answer(wrong)), Step(content=answer(HOST_NATION))]) as live:
        assert main(["extract", str(SEED), "-o", str(out), "--backend", "openai",
                     "--model", "scripted", "--mode", "json", "--no-cache",
                     "--base-url", live.base_url, "--api-key", "sk-test"]) == 0
    assert len(live.requests) == 2  # the answer, and the re-ask
    [document] = documents(out)
    assert document.agreements[0].amounts[0].value == 9_300_000_000


def test_an_unparseable_answer_is_an_error(tmp_path):
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=lambda body: Step(content='{"agreements": [ {"type": ')) as server:
        submit(server, tmp_path, SEED)
        assert run(server, tmp_path, "collect", "-o", str(out)) == 1
    [row] = error_rows(out)
    assert "seed#0: unparseable answer" in row["error"]


def test_collect_leaves_unfinished_batches_for_later(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=scripted, batch_polls=2) as server:
        submit(server, tmp_path, SEED)
        assert run(server, tmp_path, "collect", "-o", str(out)) == 1
        assert "batch_1 is in_progress" in capsys.readouterr().err
        assert not out.exists() or out.read_text() == ""
        assert run(server, tmp_path, "collect", "-o", str(out)) == 1  # the last in_progress
        assert run(server, tmp_path, "collect", "-o", str(out)) == 0
    assert [d.doc_id for d in documents(out)] == ["seed"]


def test_large_corpora_are_split_into_several_batches(tmp_path):
    """Each batch file holds at most max_requests lines and max_bytes; a document's
    requests stay together. (The API's limits are 50,000 requests and 200 MB.)"""
    options = BackendOptions(model="scripted", mode="json")
    with ScriptedServer(default=scripted) as server:
        options.base_url = server.base_url
        with openai.OpenAI(base_url=server.base_url, api_key="sk-test") as client:
            manifest, failures = batch.submit([corpus(tmp_path)], tmp_path / "batch", options,
                                              client, max_requests=2)
            collected = batch.collect(tmp_path / "batch", tmp_path / "out.jsonl", client)
    assert failures == []
    assert [(p.requests_file, p.requests, p.id) for p in manifest.batches] == [
        ("requests.jsonl", 2, "batch_1"), ("requests-2.jsonl", 1, "batch_2")]
    assert [(d.doc_id, d.part) for d in manifest.documents] == [
        ("seed", 0), ("other", 0), ("broken", 1)]
    assert (collected.tally.documents, collected.tally.failures) == (2, 1)
    seed_request = len((tmp_path / "batch/requests.jsonl").read_bytes().split(b"\n")[0]) + 1
    with ScriptedServer(default=scripted) as server:
        options.base_url = server.base_url
        with openai.OpenAI(base_url=server.base_url, api_key="sk-test") as client:
            manifest, _ = batch.submit([corpus(tmp_path)], tmp_path / "by-size", options,
                                       client, max_bytes=seed_request)
    assert [d.part for d in manifest.documents] == [0, 1, 2]  # the prompt is most of it
    assert all(part.bytes <= seed_request for part in manifest.batches)


def test_submit_reports_bad_inputs_and_keeps_the_rest(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    with ScriptedServer(default=scripted) as server:
        assert submit(server, tmp_path, SEED, bad) == 1
        assert "bad.jsonl:1: malformed JSON" in capsys.readouterr().err
        assert len(server.batch_requests) == 1
        assert submit(server, tmp_path, SEED) == 1  # the directory holds a batch already
    assert "already holds a submitted batch" in capsys.readouterr().err


def test_collect_notices_a_source_edited_since_submit(tmp_path):
    article = tmp_path / "seed.txt"
    shutil.copy(SEED, article)
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=scripted) as server:
        submit(server, tmp_path, article)
        article.write_text(SEED.read_text().replace("Blinken said", "Blinken told reporters"))
        assert run(server, tmp_path, "collect", "-o", str(out)) == 1
    assert "the source changed since submit" in error_rows(out)[0]["error"]


def test_custom_ids_name_the_document_and_the_chunk():
    assert batch.custom_id("seed", 0) == "seed#0"
    assert batch.custom_id("a#b", 12) == "a#b#12"


def test_status_says_why_a_batch_failed():
    line = {"custom_id": "x#0", "method": "POST", "url": "/v1/embeddings", "body": {}}
    with ScriptedServer() as server, openai.OpenAI(base_url=server.base_url,
                                                   api_key="sk-test") as client:
        uploaded = client.files.create(file=("requests.jsonl", json.dumps(line).encode()),
                                       purpose="batch")
        created = client.batches.create(input_file_id=uploaded.id, completion_window="24h",
                                        endpoint="/v1/chat/completions")
        failed = client.batches.retrieve(created.id)
    assert batch.describe(failed) == (
        "batch_1: failed, 0/1 done, 0 failed "
        "(not a POST to the batch's endpoint, or a repeated custom_id)")


HOSTILE_ID = "../../../../../elsewhere/ESCAPED_batch_{}".format


def test_a_batch_id_from_the_server_never_becomes_a_path_outside_the_batch_dir(tmp_path):
    out, batch_dir = tmp_path / "out.jsonl", tmp_path / "a" / "b" / "c" / "d" / "batch"
    (tmp_path / "elsewhere").mkdir()  # where ../../../../../elsewhere leads from batch_dir
    with ScriptedServer(default=scripted, batch_id=HOSTILE_ID) as server:
        assert main(["batch", "submit", str(SEED), "--model", "scripted", "--batch-dir",
                     str(batch_dir), "--base-url", server.base_url, "--api-key", "sk-x"]) == 0
        assert main(["batch", "collect", "-o", str(out), "--batch-dir", str(batch_dir),
                     "--base-url", server.base_url, "--api-key", "sk-x"]) == 0
    written = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert all(p == out or batch_dir in p.parents for p in written), written
    assert not any((tmp_path / "elsewhere").iterdir())
    assert documents(out)[0].agreements[0].amounts[0].value == 9_300_000_000
