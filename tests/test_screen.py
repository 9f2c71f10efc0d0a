"""The screen in front of the model: which articles it sends, what the others get, and
that `extract` asks the model only about those it sends. Real HTTP to the scripted server."""

import json
from pathlib import Path

import pytest
from scripted_cli import answering, extract_args, lines, write_corpus
from scripted_server import ScriptedServer

from treatyx import screen
from treatyx.api import as_source
from treatyx.cli import main
from treatyx.loading import iter_documents

ROOT = Path(__file__).resolve().parents[1]
REALDEV = ROOT.parent / "shared" / "realdev"

DEFENCE_DEAL = "Japan and Australia signed a defence cooperation pact in Tokyo on Thursday."
SPORT = "Arsenal signed a new deal with striker Thierry Henry, the club said on Monday."
MARKETS = "Shares in Japan's Sony rose 3% after it agreed a deal to buy a US studio."


def test_an_article_reporting_a_defence_deal_passes(seed):
    assert screen.passes(seed)
    assert screen.passes(as_source(DEFENCE_DEAL))


@pytest.mark.parametrize("text", [SPORT, MARKETS])
def test_a_deal_without_defence_words_does_not(text):
    assert not screen.passes(as_source(text))


def test_defence_words_without_agreement_language_do_not():
    assert not screen.passes(as_source("Japan's army held a parade in Tokyo on Thursday."))


def test_agreement_language_far_from_the_defence_words_does_not():
    far = [SPORT, "The weather was fine.", "Lunch was served.", "Japan's army paraded."]
    assert not screen.passes(as_source(" ".join(far)))
    assert screen.passes(as_source(" ".join(far[:1] + far[-1:])))


def test_a_suspended_cooperation_passes_without_an_agreement_noun():
    assert screen.passes(as_source("Indonesia suspended military cooperation with Australia."))


def _gold_articles(split: str):
    texts = {d.doc_id: d for d in iter_documents([ROOT / "eval" / "articles" / split])}
    for path in sorted((ROOT / "eval" / "gold" / split).glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        if gold["agreements"]:
            yield texts[gold["doc_id"]]


@pytest.mark.parametrize("split", ["dev", "test"])
def test_every_gold_agreement_of_the_eval_splits_reaches_the_model(split):
    assert [d.doc_id for d in _gold_articles(split) if not screen.passes(d)] == []


@pytest.mark.skipif(not REALDEV.is_dir(), reason="../shared/realdev is not here")
def test_every_realdev_article_with_a_gold_agreement_reaches_the_model():
    docs = {d.doc_id: d for d in iter_documents(sorted(REALDEV.glob("d*.txt")))}
    with_gold = [path.name.split(".")[0] for path in sorted(REALDEV.glob("*.gold.json"))
                 if json.loads(path.read_text(encoding="utf-8"))["agreements"]]
    assert len(with_gold) > 20
    assert [doc_id for doc_id in with_gold if not screen.passes(docs[doc_id])] == []


def test_only_articles_that_pass_are_sent_and_the_others_say_why(tmp_path):
    texts = {0: DEFENCE_DEAL, 1: SPORT, 2: MARKETS}
    corpus = write_corpus(tmp_path / "c.jsonl", ["deal", "sport", "markets"],
                          text=lambda n: texts[n])
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=answering()) as server:
        assert main(extract_args(server, tmp_path / "cache", str(corpus), "-o", str(out))) == 0
        assert len(server.requests) == 1
    docs = {doc["doc_id"]: doc for doc in lines(out)}
    skipped = docs["sport"]
    assert skipped["agreements"] == [] and skipped["extractor"]["usage"]["requests"] == 0
    assert [i["code"] for i in skipped["validation"]["issues"]] == ["TX402"]
    assert skipped["validation"]["ok"] is True
    assert docs["deal"]["validation"]["issues"] == []


def test_no_screen_sends_every_article(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", ["sport", "markets"],
                          text=lambda n: [SPORT, MARKETS][n])
    with ScriptedServer(default=answering()) as server:
        args = extract_args(server, tmp_path / "cache", str(corpus), "-o",
                            str(tmp_path / "out.jsonl"), "--no-screen")
        assert main(args) == 0
        assert len(server.requests) == 2


def test_the_rules_backend_reads_every_article_unless_asked_to_screen(tmp_path):
    corpus = write_corpus(tmp_path / "c.jsonl", ["sport"], text=lambda n: SPORT)
    for flag, codes in (([], []), (["--screen"], ["TX402"])):
        out = tmp_path / f"out{len(flag)}.jsonl"
        assert main(["extract", str(corpus), "--backend", "rules", "-o", str(out), *flag]) == 0
        [doc] = lines(out)
        assert [i["code"] for i in doc["validation"]["issues"]] == codes


def test_a_purchase_of_rocket_launchers_passes():
    assert screen.passes(as_source("Chile signed an agreement with Brazil on Monday to buy "
                                   "12 rocket launchers."))
