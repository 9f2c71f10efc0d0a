"""treatyx through the fault proxy (tests/fault_proxy.py) in front of the scripted server:
every fault a real endpoint shows at once, with documents in flight; none is lost."""

import json

from fault_proxy import KINDS, FaultProxy
from scripted_cli import answering, extract_args, lines, write_corpus
from scripted_server import ScriptedServer

from treatyx.cli import main


def test_every_kind_of_fault_costs_one_request_and_loses_no_document(capsys, tmp_path):
    ids = [f"d{n}" for n in range(8)]
    corpus = write_corpus(tmp_path / "corpus.jsonl", ids)
    with ScriptedServer(default=answering()) as server, \
            FaultProxy(server.base_url, script=list(KINDS), slow_seconds=2.0) as proxy:
        args = extract_args(server, tmp_path / "cache", corpus, "--concurrency", "4",
                            "--timeout", "1", "-o", tmp_path / "out.jsonl")
        args[args.index(server.base_url)] = proxy.base_url
        code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert code == 0, err
    assert sorted(doc["doc_id"] for doc in lines(tmp_path / "out.jsonl")) == ids
    assert dict(proxy.faults) == {**{kind: 1 for kind in KINDS}, "none": len(ids)}
    requests = sum(doc["extractor"]["usage"]["requests"] for doc in lines(tmp_path / "out.jsonl"))
    assert requests == len(ids) + len(KINDS)
    # said on stderr: what went wrong, and that two requests were computed for nothing
    assert ("of 14 requests sent: 1 asked to slow down (429), 1 server error(s), "
            "2 answer(s) that were no chat completion, 2 abandoned without an answer") in err


def test_the_proxy_passes_answers_through_unchanged(tmp_path):
    with ScriptedServer(default=answering('{"agreements": []}')) as server, \
            FaultProxy(server.base_url) as proxy:
        import openai

        client = openai.OpenAI(base_url=proxy.base_url, api_key="sk-none", max_retries=0)
        answer = client.chat.completions.create(model="m", messages=[])
    assert json.loads(answer.choices[0].message.content) == {"agreements": []}
    assert proxy.faults == {"none": 1}
