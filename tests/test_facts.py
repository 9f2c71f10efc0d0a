"""treatyx/extractors/facts.py: a mention's words read as facts, spans in the text."""

import datetime as dt

from treatyx.extractors import facts

TEXT = "Lima will pay about 8.6bn euros ($12bn) under a 10-year framework signed on Friday."


def at(words: str) -> int:
    return TEXT.index(words)


def test_money_in_whole_words_is_one_amount_spanning_them():
    (money,) = facts.read_amounts("8.6bn euros", at("8.6bn euros"))
    assert (money.value, money.currency) == (8_600_000_000, "EUR")
    assert TEXT[slice(*money.span)] == money.mention == "8.6bn euros"


def test_several_amounts_inside_the_words_are_each_read_on_their_own():
    words = "about 8.6bn euros ($12bn)"
    found = facts.read_amounts(words, at(words))
    assert [(a.currency, TEXT[slice(*a.span)]) for a in found] == [
        ("EUR", "about 8.6bn euros"), ("USD", "$12bn")]


def test_words_without_money_read_as_none():
    assert facts.read_amounts("under a", at("under a")) == []


def test_a_duration_inside_longer_words_spans_its_own_words():
    words = "a 10-year framework"
    term = facts.read_duration(words, at(words))
    assert term.value == "P10Y"
    assert TEXT[slice(*term.span)] == term.mention


def test_words_without_a_duration_read_as_none():
    assert facts.read_duration("Lima will pay", 0) is None


def test_a_weekday_resolves_against_the_publication_date():
    words = "signed on Friday"
    signed = facts.read_date(words, "signed", dt.date(2023, 5, 6), at(words))
    assert (signed.value, signed.role) == ("2023-05-05", "signed")
    assert TEXT[slice(*signed.span)] == signed.mention
