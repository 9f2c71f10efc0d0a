"""bench/langextract_adapter.py: LangExtract's extractions become treatyx documents whose
values come from treatyx's normalisers, and what is not in the article is dropped."""

import importlib.util
import sys
from pathlib import Path

import pytest

lx = pytest.importorskip(
    "langextract", reason="langextract is the bench's optional peer: pip install -e '.[bench]'")

from treatyx.api import as_source  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TEXT = (
    "Chile and Peru sign naval pact\n\n"
    "SANTIAGO, May 4 (Wire) - Chile and Peru signed a naval logistics agreement on Friday "
    "that runs for five years, with Lima paying about 40 million dollars a year.\n\n"
    "Bolivia criticised the accord. Peru's navy is also negotiating an arms deal with Spain."
)


def _adapter():
    spec = importlib.util.spec_from_file_location(
        "langextract_adapter", ROOT / "bench" / "langextract_adapter.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


adapter = _adapter()


def found(cls, words, aligned=True, **attributes):
    start = TEXT.index(words)
    interval = lx.data.CharInterval(start_pos=start, end_pos=start + len(words))
    return lx.data.Extraction(extraction_class=cls, extraction_text=words,
                              char_interval=interval if aligned else None,
                              attributes=attributes or None)


def convert(extractions, tally=None):
    source = as_source(TEXT, doc_id="pact", published="2023-05-06")
    return adapter.to_document(extractions, source, tally=tally)


def test_an_agreement_with_its_money_term_and_date_read_by_treatyx():
    doc = convert([
        found("agreement", "naval logistics agreement", type="logistics", status="signed",
              parties=["Chile", "Peru"]),
        found("date", "Friday", role="signed"),
        found("duration", "for five years"),
        found("amount", "about 40 million dollars a year"),
    ])
    (pact,) = doc.agreements
    assert (pact.type.value, pact.status.value) == ("logistics", "signed")
    assert [(p.iso3, p.cow) for p in pact.parties] == [("CHL", 155), ("PER", 135)]
    (money,) = pact.amounts
    assert (money.value, money.currency, money.period, money.approximate) == (
        40_000_000, "USD", "year", True)
    assert [d.value for d in pact.durations] == ["P5Y"]
    (date,) = pact.dates
    assert (date.value, date.role) == ("2023-05-05", "signed")
    assert pact.evidence[0].quote.startswith("SANTIAGO, May 4 (Wire) - Chile and Peru signed")
    start, end = pact.evidence[0].span
    assert TEXT[start:end] == pact.evidence[0].quote


def test_a_capital_is_its_state_and_facts_go_to_the_agreement_they_follow():
    doc = convert([
        found("amount", "about 40 million dollars a year"),  # before any agreement
        found("agreement", "naval logistics agreement", type="logistics", status="signed",
              parties=["Chile", "Lima"]),
        found("agreement", "arms deal", type="arms_transfer", status="negotiating",
              parties=["Peru", "Spain"]),
        found("duration", "for five years"),
    ])
    pact, deal = doc.agreements
    assert [(p.name, p.mention) for p in pact.parties] == [("Chile", "Chile"), ("Peru", "Lima")]
    assert [p.name for p in deal.parties] == ["Peru", "Spain"]
    assert deal.parties[0].span[0] == TEXT.index("Peru's navy")  # the mention nearest the deal
    assert len(pact.amounts) == 1 and deal.amounts == []  # the agreement of its sentence
    assert pact.durations == [] and len(deal.durations) == 1  # the agreement it follows


def test_what_the_contract_does_not_know_is_defaulted_or_dropped_and_counted():
    tally = adapter.Tally()
    doc = convert([
        found("agreement", "naval logistics agreement", type="naval pact", status="inked",
              parties=["Chile", "Atlantis"]),
        found("amount", "Friday"),
        found("agreement", "accord", type="other", status="signed", parties=["Narnia"]),
        found("duration", "for five years"),
        lx.data.Extraction(extraction_class="date", extraction_text="next Thursday"),
    ], tally)
    (pact,) = doc.agreements  # "accord" has no party treatyx knows
    assert (pact.type.value, pact.status.value) == ("other", "announced")
    assert [p.name for p in pact.parties] == ["Chile"]
    assert pact.amounts == [] and pact.durations == [] and pact.dates == []
    assert tally.counts == {
        "type not in the contract: defaulted": 1,
        "status not in the contract: defaulted": 1,
        "party not in treatyx's table": 2,
        "agreement without a party in treatyx's table: dropped": 1,
        "duration of a dropped agreement": 1,
        "amount unread by treatyx's normalisers": 1,
        "date unaligned, words not in the article": 1,
    }


def test_unaligned_words_that_stand_in_the_article_are_found_there():
    doc = convert([
        found("agreement", "naval logistics agreement", aligned=False, type="logistics",
              status="signed", parties=["Chile", "Peru"]),
    ])
    (pact,) = doc.agreements
    assert "naval logistics agreement" in pact.evidence[0].quote


def test_an_agreement_in_other_words_stands_where_its_facts_do():
    tally = adapter.Tally()
    doc = convert([
        lx.data.Extraction(extraction_class="agreement", extraction_text="arms purchase",
                           attributes={"type": "arms_transfer", "status": "negotiating",
                                       "parties": ["Peru", "Spain"]}),
        found("date", "Friday", role="signed"),
        lx.data.Extraction(extraction_class="agreement", extraction_text="naval alliance",
                           attributes={"type": "alliance", "parties": ["Chile"]}),
    ], tally)
    (deal,) = doc.agreements
    assert deal.evidence[0].quote.startswith("SANTIAGO")  # the sentence of "Friday"
    assert [p.span[0] for p in deal.parties] == [TEXT.index("Peru signed"), TEXT.index("Spain")]
    assert tally.counts["agreement unaligned, placed at its first fact"] == 1
    assert tally.counts["agreement unaligned, words not in the article: dropped"] == 1
