"""Rate limits shared by a whole batch: --rpm spacing, one pause for all after a 429,
fewer requests at once after it, tokens per minute corrected by reported usage.
Timestamps are the scripted server's, on 127.0.0.1 with the real openai client."""

import asyncio
import time

import pytest
from scripted_cli import answering, extract_args, write_corpus
from scripted_server import ScriptedServer, Step

from treatyx import Extractor
from treatyx.cli import main
from treatyx.extractors.ratelimit import RateLimiter

TOLERANCE = 0.03
"""Seconds: the client's own time from a request's turn to the wire (3-8 ms here)."""
WARM_UP = 0.1
"""The same for the client's first request, which also sets up its connection (40-70 ms)."""


def test_rpm_spaces_the_requests_of_a_batch(tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", [f"d{n}" for n in range(5)])
    with ScriptedServer(default=answering()) as server:
        code = main(extract_args(server, tmp_path / "cache", str(corpus), "--rpm", "120",
                                 "--concurrency", "4", "-o", str(tmp_path / "out.jsonl")))
    arrivals = [visit.arrived for visit in server.visits]
    gaps = [later - earlier for earlier, later in zip(arrivals, arrivals[1:], strict=False)]
    assert code == 0 and len(gaps) == 4
    # 120 a minute: one each half second
    assert gaps[0] >= 0.5 - WARM_UP and min(gaps[1:]) >= 0.5 - TOLERANCE, gaps


def batch(server: ScriptedServer, tmp_path, n: int) -> list:
    with Extractor("openai", model="scripted", base_url=server.base_url,
                   api_key="sk-test-not-a-real-key", concurrency=4,
                   cache_dir=tmp_path) as extractor:
        return list(extractor.extract_many(
            {"id": f"d{k}", "text": f"Story {k}. Japan and Australia signed a defence pact."}
            for k in range(n)))


def in_flight_at(visits, moment: float) -> int:
    return sum(v.arrived <= moment < v.answered for v in visits)


@pytest.mark.parametrize("headers", [{"retry-after": "1"}, {}],
                         ids=["with-retry-after", "without"])
def test_a_429_pauses_every_request_not_only_the_refused_one(tmp_path, headers):
    refused = Step(status=429, headers=headers, delay=0.2)  # the others are in flight by then
    with ScriptedServer([refused], default=answering(delay=0.3)) as server:
        documents = batch(server, tmp_path, 8)
    first, *in_flight = server.visits[:4]
    assert first.status == 429 and all(v.arrived < first.answered for v in in_flight)
    later = [v.arrived - first.answered for v in server.visits[4:]]
    assert min(later) >= 1.0 - TOLERANCE, later  # nothing reached the server for a second
    assert len(documents) == 8


def test_after_a_429_half_as_many_requests_go_out_at_once_then_more(tmp_path):
    refused = Step(status=429, headers={"retry-after": "1"}, delay=0.2)
    with ScriptedServer([refused], default=answering(delay=0.3)) as server:
        batch(server, tmp_path, 12)
    visits = server.visits
    after_pause = [v for v in visits if v.arrived > visits[0].answered]
    assert max(in_flight_at(visits, v.arrived) for v in visits[:4]) == 4
    assert in_flight_at(visits, after_pause[0].arrived + 0.1) == 2  # halved
    assert max(in_flight_at(visits, v.arrived) for v in after_pause) > 2  # grown back
    assert len(visits) == 13


def test_tokens_per_minute_count_what_the_endpoint_reported_not_the_estimate():
    async def three_requests() -> list[float]:
        limiter = RateLimiter(tpm=1000, window=1.0)  # a thousand tokens a second
        started, sent = time.monotonic(), []
        async with limiter.slot(600) as slot:  # estimated from the prompt...
            sent.append(time.monotonic() - started)
            slot.used(100)  # ...but the answer said 100
        async with limiter.slot(600):  # 100 + 600 fit: at once
            sent.append(time.monotonic() - started)
        async with limiter.slot(600):  # 700 + 600 do not: when the first two age out
            sent.append(time.monotonic() - started)
        return sent

    first, second, third = asyncio.run(three_requests())
    assert second < 0.1
    assert third >= 1.0 - TOLERANCE


def test_the_library_takes_the_same_limits(tmp_path):
    with ScriptedServer(default=answering()) as server, Extractor(
            "openai", model="scripted", base_url=server.base_url, api_key="sk-test",
            cache=False, rpm=600, tpm=50_000) as extractor:
        limiter = extractor.runner.backend.limiter
        extractor.extract("Japan and Australia met.")
    assert (limiter.rpm, limiter.tpm) == (600, 50_000)
