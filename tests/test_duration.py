"""Durations as news writes them, read into ISO 8601."""


import duckling
import pytest

from treatyx.normalize.duration import find_durations, parse_duration


def test_seed_sentence_keeps_the_lead_in_in_the_mention():
    text = "Japan has agreed to pay $9.3 billion ... over the next five years, Blinken said."
    [match] = find_durations(text)
    assert match.mention == "over the next five years"
    assert text[match.start : match.end] == match.mention
    assert match.value == "P5Y"


def test_seed_article_duration_is_the_gold_one(seed, seed_gold):
    gold = seed_gold.agreements[0].durations[0]
    [match] = find_durations(seed.text)
    assert ((match.start, match.end), match.value) == (gold.span, gold.value)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("five years", "P5Y"),
        ("a decade", "P10Y"),
        ("two decades", "P20Y"),
        ("10-year", "P10Y"),
        ("two-year", "P2Y"),
        ("18 months", "P18M"),
        ("a century", "P100Y"),
        ("half a century", "P50Y"),
        ("over the next four years", "P4Y"),
        ("over the next year", "P1Y"),
        ("six weeks", "P6W"),
        ("90 days", "P90D"),
        ("48 hours", "PT48H"),
        ("an hour and a half", "PT1H30M"),
        ("2 years and 3 months", "P2Y3M"),
        ("1.5 years", "P1Y6M"),
        ("one and a half years", "P1Y6M"),
        ("3 quarters", "P9M"),
        ("two more years", "P2Y"),
        ("a quarter of a century", "P25Y"),
    ],
)
def test_parses_lengths(text, iso):
    assert parse_duration(text) == iso


def test_finds_adjectives_and_lengths_in_running_text():
    text = "They signed a 10-year pact, extended it by a year and agreed a six-month review."
    assert [(m.mention, m.value) for m in find_durations(text)] == [
        ("10-year", "P10Y"),
        ("a year", "P1Y"),
        ("six-month", "P6M"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "a 10-year-old boy",
        "she is ten years old",
        "two years ago",  # says when, not how long
        "three years after the war",
        "for years",
        "years",
        "$5bn a year",  # a rate
        "twice a year",
        "One day the treaty will lapse",
        "in 2014",
    ],
)
def test_finds_nothing_where_there_is_no_length(text):
    assert find_durations(text) == []


@pytest.mark.parametrize("row", duckling.params("duration.jsonl"))
def test_duckling_duration_corpus(row):
    if any(test(row) for _, test in duckling.scope().DURATION_RULES):
        pytest.skip("out of scope for news (see eval/results/duckling.md)")
    assert parse_duration(row["text"]) in (row["iso"], row["iso_compound"])


@pytest.mark.parametrize("row", duckling.params("negative.jsonl", "duration"))
def test_duckling_duration_negatives(row):
    assert find_durations(row["text"]) == []
