"""Numbers in digits and English words, the base of amounts and durations."""


import duckling
import pytest

from treatyx.normalize.numbers import parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("9.3", 9.3),
        ("1,200", 1200),
        ("five", 5),
        ("twenty-one", 21),
        ("a hundred", 100),
        ("one thousand two hundred", 1200),
        ("three hundred and twelve thousand", 312000),
        ("a dozen", 12),
        ("half", 0.5),
        ("3 million", 3_000_000),
        ("2.5bn", 2_500_000_000),
        ("30 lakh", 3_000_000),
        ("1.2 lakh crore", 1_200_000_000_000),
        ("5,000 crore", 50_000_000_000),
        ("minus 1,200,000", -1_200_000),
    ],
)
def test_reads_digits_words_and_scales(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    "text", ["", "in 2022", "five years", "a", "one hundred and", "1,2", "many", "dollars"]
)
def test_text_that_is_not_one_number_reads_as_none(text):
    assert parse_number(text) is None


@pytest.mark.parametrize("row", duckling.params("numeral.jsonl"))
def test_duckling_numeral_corpus(row):
    assert parse_number(row["text"]) == pytest.approx(row["value"], rel=1e-6)
