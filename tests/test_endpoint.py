"""A server as all requests share it (treatyx/extractors/endpoint.py): what a dead,
misconfigured, broken, slow or busy endpoint does to a run. Real HTTP on 127.0.0.1."""

import asyncio
import json
import socket
import time

import openai
import pytest
from scripted_cli import answering, extract_args, write_corpus
from scripted_server import ScriptedServer, Step

from treatyx.cli import main
from treatyx.extractors.endpoint import Endpoint
from treatyx.extractors.llm import LLMBackend, open_llm_backend
from treatyx.extractors.registry import BackendOptions
from treatyx.extractors.transport import Stalled
from treatyx.loading import document_from_text
from treatyx.runner import Runner

KEY = "sk-test-0123456789abcdef"
PACT = {"name": None, "type": "defence_cooperation", "status": "signed",
        "parties": ["Japan", "Australia"], "amounts": [], "durations": [], "dates": [],
        "evidence": ["Japan and Australia discussed defence cooperation in Tokyo."]}
ANSWER = json.dumps({"agreements": []})


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def backend_for(server, timeout: float = 5.0, **options) -> LLMBackend:
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key=KEY, max_retries=0,
                                timeout=timeout)
    return LLMBackend(client=client, model="scripted", mode="json", initial_wait=0.05,
                      **options)


@pytest.fixture(autouse=True)
def no_endpoint_in_the_environment(monkeypatch):
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TREATYX_MODEL"):
        monkeypatch.delenv(name, raising=False)


# --- a dead or misconfigured endpoint stops the run at once --------------------------


def test_a_refused_connection_stops_the_run_in_seconds_naming_the_endpoint(capsys, tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", [f"d{n}" for n in range(6)])
    url = f"http://127.0.0.1:{free_port()}/v1"
    started = time.monotonic()
    code, _, err = cli(capsys, "extract", corpus, "--backend", "openai", "--model", "m",
                       "--base-url", url, "--cache-dir", tmp_path / "cache",
                       "-o", tmp_path / "out.jsonl")
    assert time.monotonic() - started < 15
    assert code == 2
    [error] = [line for line in err.splitlines() if "error" in line]
    assert f"cannot reach {url}: connection refused; check --base-url" in error


def test_the_local_design_on_a_server_that_is_not_there_stops_at_once(capsys, tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", ["d0", "d1"])
    url = f"http://127.0.0.1:{free_port()}/v1"
    code, _, err = cli(capsys, "extract", corpus, "--backend", "local", "--base-url", url,
                       "--cache-dir", tmp_path / "cache", "-o", tmp_path / "out.jsonl")
    assert code == 2
    [error] = [line for line in err.splitlines() if "error" in line]
    assert f"--backend local: cannot ask {url} for its model" in error


def test_an_unknown_host_stops_the_run(capsys, tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", ["d0", "d1"])
    code, _, err = cli(capsys, "extract", corpus, "--backend", "openai", "--model", "m",
                       "--base-url", "http://no-such-host.invalid/v1",
                       "--cache-dir", tmp_path / "cache")
    assert code == 2
    assert "cannot reach http://no-such-host.invalid/v1: host not found" in err


def test_a_refused_key_stops_the_run_and_the_echoed_key_is_never_written(capsys, tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", [f"d{n}" for n in range(4)])
    echo = Step(status=401, error=f"Incorrect API key provided: {KEY}")
    with ScriptedServer(default=lambda body: echo) as server:
        code, out, err = cli(capsys, "extract", corpus, "--backend", "openai", "--model", "m",
                             "--base-url", server.base_url, "--api-key", KEY,
                             "--cache-dir", tmp_path / "cache", "-o", tmp_path / "out.jsonl")
    assert code == 2
    assert len(server.requests) <= 4  # one per document in flight, none retried
    assert f"{server.base_url} refused the API key (401 Unauthorized)" in err
    written = out + err + "".join(p.read_text() for p in tmp_path.glob("out.jsonl*"))
    assert KEY not in written


def test_api_openai_com_without_a_key_is_a_usage_error_before_anything_is_sent(capsys,
                                                                               tmp_path):
    code, _, err = cli(capsys, "extract", tmp_path, "--backend", "openai",
                       "--model", "gpt-4o-mini", "--cache-dir", tmp_path / "cache")
    assert code == 2
    assert err.splitlines()[-1] == ("treatyx: error: api.openai.com needs an API key: "
                                    "--api-key or OPENAI_API_KEY (or point --base-url at "
                                    "another endpoint)")


def test_credentials_in_the_base_url_are_refused_and_never_shown(capsys, tmp_path):
    code, _, err = cli(capsys, "extract", tmp_path, "--backend", "openai", "--model", "m",
                       "--base-url", "http://alice:hunter22@127.0.0.1:9/v1")
    assert code == 2
    assert "hunter22" not in err and "alice" not in err
    assert "--base-url http://127.0.0.1:9/v1: remove the user:password@" in err


def test_once_an_answer_came_a_401_fails_the_document_not_the_run(seed):
    with ScriptedServer([Step(content=ANSWER), Step(status=401)]) as server:
        backend = backend_for(server)
        backend.extract(seed)
        with pytest.raises(openai.AuthenticationError):
            backend.extract(seed)
        backend.close()


# --- what a broken server says is scrubbed and counted -------------------------------


def test_a_key_echoed_in_a_document_error_is_scrubbed_everywhere(capsys, tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", ["d0", "d1"])
    steps = [Step(content=ANSWER), Step(status=400, error=f"bad request from key {KEY}")]
    with ScriptedServer(steps) as server:
        code, out, err = cli(capsys, "extract", corpus, "--backend", "openai", "--model", "m",
                             "--base-url", server.base_url, "--api-key", KEY,
                             "--concurrency", "1", "--cache-dir", tmp_path / "cache",
                             "-o", tmp_path / "out.jsonl")
    errors = (tmp_path / "out.jsonl.errors.jsonl").read_text()
    assert code == 1 and "bad request from key ***" in errors
    assert KEY not in out + err + errors


def test_the_summary_counts_the_requests_of_failed_documents(capsys, tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", ["d0"])
    with ScriptedServer([Step(content=ANSWER)]) as server:
        code, _, _ = cli(capsys, *extract_args(server, tmp_path / "cache", corpus))
        assert code == 0  # an answer came: from now on a 500 is a document's failure
        server.default = lambda body: Step(status=500)
        code, _, err = cli(capsys, *extract_args(server, tmp_path / "cache", corpus,
                                                 "--no-cache"))
    assert code == 1
    assert "0 document(s), 1 failed" in err and ", 6 requests," in err


# --- a 200 that is no chat completion is a transport fault ---------------------------


@pytest.mark.parametrize("broken", [
    Step(raw=b'{"choices": [{"message": {"content": "{\\"agree'),  # cut off
    Step(raw=b"<html><body>502 Bad Gateway</body></html>", content_type="text/html"),
    Step(raw=b'{"status": "ok"}'),
], ids=["cut-off-json", "html-page", "json-but-no-completion"])
def test_a_broken_200_is_sent_again_below_instructor_not_re_asked(seed, broken):
    with ScriptedServer([broken, Step(content=json.dumps({"agreements": []}))]) as server:
        backend = backend_for(server, max_retries=0)  # no re-ask left: a re-ask would fail
        result = backend.extract(seed)
        stats = backend.endpoint.stats
        backend.close()
    assert server.requests[1]["messages"] == server.requests[0]["messages"]
    assert result.usage.requests == 2
    assert (stats.sent, stats.malformed) == (2, 1)


def test_broken_200s_to_the_end_fail_without_instructors_dump(seed):
    with ScriptedServer(default=lambda body: Step(raw=b"<html>maintenance</html>",
                                                  content_type="text/html")) as server:
        backend = backend_for(server, transport_attempts=2)
        with pytest.raises(Exception) as failure:
            backend.extract(seed)
        backend.close()
    assert "failed_attempts" not in str(failure.value)
    assert "answered 200 with no chat completion" in str(failure.value)


# --- slowness: a timeout is overload, and the abandoned request is counted -----------


def test_a_timeout_slows_everyone_down_and_the_next_attempt_waits_longer(seed):
    slow = Step(content=ANSWER, delay=0.8)
    with ScriptedServer([slow, slow]) as server:
        backend = backend_for(server, timeout=0.5)  # 0.5 s: too short; 1.0 s: enough
        backend.extract(seed)
        stats, limiter = backend.endpoint.stats, backend.limiter
        backend.close()
    assert len(server.requests) == 2
    assert stats.abandoned == 1
    assert limiter.slowdowns == 1  # everyone paused, then fewer in flight for a while
    assert "1 abandoned without an answer" in stats.faults()


def test_no_more_requests_in_flight_than_the_server_has_slots():
    documents = [document_from_text("Japan and Australia.", f"d{n}") for n in range(4)]
    with ScriptedServer(default=answering(delay=0.3)) as server:
        backend = backend_for(server, in_flight=1)
        outcomes = list(Runner(backend, concurrency=4).run(documents))
        backend.close()
    assert all(o.document is not None for o in outcomes)
    visits = sorted(server.visits, key=lambda v: v.arrived)
    overlaps = [b.arrived < a.answered for a, b in zip(visits, visits[1:], strict=False)]
    assert len(visits) == 4 and not any(overlaps)


# --- a server we own: no timeout, only a stall -------------------------------------


def watched(server, states, stall_after: float) -> Endpoint:
    client = openai.AsyncOpenAI(base_url=server.base_url, api_key=KEY, max_retries=0,
                                timeout=None)
    endpoint = Endpoint(client, watch=lambda: next(states), stall_after=stall_after,
                        watch_every=0.1, attempts=1)
    return endpoint


def ask(endpoint: Endpoint):
    async def go():
        return await endpoint.sender()(model="m", messages=[{"role": "user", "content": "x"}])
    return asyncio.run(go())


def test_a_slow_server_that_keeps_making_progress_is_waited_for():
    counter = iter(range(10**6))
    with ScriptedServer([Step(content=ANSWER, delay=1.5)]) as server:
        answer = ask(watched(server, counter, stall_after=0.5))
    assert answer.choices[0].message.content == ANSWER


def test_a_server_that_stops_making_progress_fails_with_a_stall():
    with ScriptedServer([Step(content=ANSWER, delay=3.0)]) as server:
        started = time.monotonic()
        with pytest.raises(Stalled, match="made no progress for 0 s"):
            ask(watched(server, iter(lambda: "same", None), stall_after=0.5))
    assert time.monotonic() - started < 2.5


# --- the cache key -----------------------------------------------------------------


def test_the_cache_key_holds_the_served_model_not_the_port_nor_the_key():
    def identity(url: str, key: str, model: str = "m") -> tuple:
        options = BackendOptions("openai", model=model, base_url=url, api_key=key)
        with open_llm_backend("openai", options) as backend:
            return backend.identity()

    first = identity("http://127.0.0.1:41000/v1", KEY)
    assert first == identity("http://127.0.0.1:42000/v1", "sk-other-key-000000")
    assert first != identity("http://127.0.0.1:41000/v1", KEY, model="other")
    assert first != identity("http://10.0.0.2:41000/v1", KEY)
    assert "41000" not in repr(first) and KEY not in repr(first)
