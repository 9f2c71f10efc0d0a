"""End to end with the real local model (llama.cpp on Qwen2.5-Coder-1.5B): the seed article.

Asserts only what this small model reliably does on the seed; the rest of its
behaviour is measured in eval/results/local.md, not asserted here.
"""

import json
import urllib.request
from pathlib import Path

import pytest

from treatyx import local_model, validation
from treatyx.extractors.registry import BackendOptions, open_backend
from treatyx.loading import load_document
from treatyx.pipeline import process

SEED = Path(__file__).resolve().parents[1] / "eval" / "articles" / "dev" / "seed.txt"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not local_model.is_pulled(),
                       reason="local model not pulled (run `treatyx model pull`)"),
]


@pytest.fixture(scope="module")
def seed_result():
    source = load_document(SEED)
    with open_backend(BackendOptions(backend="local")) as backend:
        document = process(source, backend, strict=True)
    return source, document


def test_the_basing_cost_deal_is_found_with_its_amount_and_duration(seed_result):
    source, document = seed_result
    found = [a for a in document.agreements
             if any(m.value == 9_300_000_000 and m.currency == "USD" for m in a.amounts)]
    assert found, "the $9.3 billion agreement was not extracted"
    agreement = found[0]
    assert {p.iso3 for p in agreement.parties} >= {"USA", "JPN"}
    amount = next(m for m in agreement.amounts if m.value == 9_300_000_000)
    assert source.text[amount.span[0]:amount.span[1]] == "$9.3 billion"
    assert any(d.value == "P5Y" for d in agreement.durations)


def test_the_amount_and_duration_stand_in_the_agreements_own_evidence(seed_result):
    _, document = seed_result
    agreement = next(a for a in document.agreements
                     if any(m.value == 9_300_000_000 for m in a.amounts))
    for fact in [*agreement.amounts, *agreement.durations]:
        assert any(e.span[0] <= fact.span[0] < e.span[1] for e in agreement.evidence), fact


def test_the_japan_australia_agreement_is_found_without_the_us(seed_result):
    _, document = seed_result
    parties = [{p.iso3 for p in a.parties} for a in document.agreements]
    assert {"JPN", "AUS"} in parties, parties


def test_the_largest_request_stays_within_the_token_budget(seed_result):
    """Each request's prompt as the server itself templates and tokenizes it (llama.cpp's
    /apply-template and /tokenize): the largest, not the average, within 1,200 tokens."""
    source, document = seed_result
    with open_backend(BackendOptions(backend="local")) as backend:
        root = str(backend.client.base_url).rstrip("/").removesuffix("/v1")
        pieces = backend.pieces(source)
        sizes = [_prompt_tokens(root, backend.request_body(source, piece)) for piece in pieces]
    assert document.extractor.usage.requests == len(pieces)  # no re-ask, larger than these
    assert max(sizes) <= 1200, sizes


def _prompt_tokens(root: str, body: dict) -> int:
    prompt = _post(f"{root}/apply-template", {"messages": body["messages"]})["prompt"]
    return len(_post(f"{root}/tokenize", {"content": prompt})["tokens"])


def _post(url: str, payload: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


def test_nothing_comes_from_the_boilerplate_and_what_is_kept_validates(seed_result):
    source, document = seed_result
    for agreement in document.agreements:
        for fact in [*agreement.parties, *agreement.amounts, *agreement.durations,
                     *agreement.dates]:
            assert fact.span[1] <= source.body_end, fact
    kept = validation.check(document, source.text, body=(source.body_start, source.body_end))
    assert [i for i in kept.issues if i.severity == "error"] == []


def test_provenance_and_usage_are_recorded(seed_result):
    _, document = seed_result
    info = document.extractor
    assert info.backend == "local" and info.model and len(info.prompt_version) == 12
    assert info.usage.requests >= 1 and info.usage.prompt_tokens > 0
