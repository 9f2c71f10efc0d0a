"""eval/answers_proxy.py: a model's answers recorded once, then replayed without the model."""

import importlib.util
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import openai
import pytest
from scripted_server import ScriptedServer, Step

ROOT = Path(__file__).resolve().parents[1]


def _proxy_module():
    spec = importlib.util.spec_from_file_location("answers_proxy",
                                                  ROOT / "eval" / "answers_proxy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


proxy = _proxy_module()


def serve(record_file: Path, upstream: str | None) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 proxy.handler(proxy.Record(record_file), upstream))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def ask(server: ThreadingHTTPServer, question: str) -> str:
    client = openai.OpenAI(base_url=f"http://127.0.0.1:{server.server_port}/v1",
                           api_key="none", max_retries=0)
    answer = client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": question}], temperature=0)
    return answer.choices[0].message.content


def test_a_repeated_request_is_answered_from_the_record_even_offline(tmp_path):
    record = tmp_path / "answers.jsonl"
    with ScriptedServer([Step(content="first"), Step(content="second")]) as model:
        live = serve(record, model.base_url.removesuffix("/v1"))
        assert ask(live, "which deals?") == "first"
        assert ask(live, "which deals?") == "first"
        assert len(model.requests) == 1
        live.shutdown()
    offline = serve(record, None)  # a new proxy on the same record, no model behind it
    assert ask(offline, "which deals?") == "first"
    with pytest.raises(openai.InternalServerError, match="not in the record"):
        ask(offline, "a question never asked")
    offline.shutdown()
