"""Amounts of money as news writes them, read into value, currency, period and hedge."""


import duckling
import pytest

from treatyx.normalize.money import Money, find_money, parse_money


def test_seed_sentence_has_one_amount_in_us_dollars():
    text = "Japan has agreed to pay $9.3 billion to upkeep the presence of American forces"
    [match] = find_money(text)
    assert match.mention == "$9.3 billion"
    assert text[match.start : match.end] == match.mention
    assert match.value == Money(9_300_000_000, "USD", None, False)


def test_seed_article_amount_is_the_gold_one(seed, seed_gold):
    gold = seed_gold.agreements[0].amounts[0]
    [match] = find_money(seed.text)
    assert (match.start, match.end) == gold.span
    assert (match.value.value, match.value.currency) == (gold.value, gold.currency)


@pytest.mark.parametrize(
    ("text", "value", "currency"),
    [
        ("$9.3bn", 9.3e9, "USD"),
        ("US$4.7 billion", 4.7e9, "USD"),
        ("€2.5 billion", 2.5e9, "EUR"),
        ("5 million euros", 5e6, "EUR"),
        ("USD 5 million", 5e6, "USD"),
        ("EUR 20", 20, "EUR"),
        ("20€", 20, "EUR"),
        ("£2.1bn", 2.1e9, "GBP"),
        ("A$270 million", 2.7e8, "AUD"),
        ("HK$5bn", 5e9, "HKD"),
        ("¥500 billion", 5e11, "JPY"),
        ("1.2 trillion won", 1.2e12, "KRW"),
        ("Rs 5,000 crore", 5e10, "INR"),
        ("₹1.2 lakh crore", 1.2e12, "INR"),
        ("100 million yuan", 1e8, "CNY"),
        ("ten shekels", 10, "ILS"),
        ("3 billion roubles", 3e9, "RUB"),
        ("ten dollars", 10, "USD"),
    ],
)
def test_parses_symbols_codes_words_and_scales(text, value, currency):
    money = parse_money(text)
    assert money is not None
    assert (money.value, money.currency) == (pytest.approx(value), currency)


def test_period_and_hedge_belong_to_the_mention():
    text = "Seoul will pay about 1.2 trillion won a year, and Tokyo $5m per month."
    first, second = find_money(text)
    assert first.mention == "about 1.2 trillion won a year"
    assert first.value == Money(1.2e12, "KRW", "year", True)
    assert second.mention == "$5m per month"
    assert second.value.period == "month"
    for match in (first, second):  # the mention alone reads the same
        assert parse_money(match.mention) == match.value


@pytest.mark.parametrize(
    "hedge", ["about", "nearly", "roughly", "around", "an estimated", "more than", "up to"]
)
def test_hedges_and_bounds_make_an_amount_approximate(hedge):
    assert parse_money(f"{hedge} $3 billion").approximate


def test_handing_over_money_is_no_hedge():
    [match] = find_money("They handed over $5 million in cash.")
    assert match.mention == "$5 million"
    assert not match.value.approximate


def test_hyphenated_amounts_as_adjectives():
    [match] = find_money("Oslo placed a 2-billion-dollar order for coastal radars")
    assert match.mention == "2-billion-dollar"
    assert match.value == Money(2_000_000_000, "USD")
    assert parse_money("a 300-million-euro").value == 300_000_000


def test_crowns_spelled_out_with_their_nation():
    text = "The ministry will pay 500 million Norwegian crowns ($47 million) for the boats"
    assert [(m.mention, m.value.currency) for m in find_money(text)] == [
        ("500 million Norwegian crowns", "NOK"), ("$47 million", "USD")]
    assert parse_money("3 billion Swedish crowns") == Money(3_000_000_000, "SEK")


def test_bare_kroner_take_the_nation_named_nearby():
    text = "Denmark will receive about 1.4 billion kroner (£160 million) for the old trainers."
    [kroner, pounds] = find_money(text)
    assert kroner.value == Money(1_400_000_000, "DKK", None, True)
    assert pounds.value == Money(160_000_000, "GBP")
    assert find_money("the deal was worth 4 billion kroner") == []  # whose kroner?


@pytest.mark.parametrize("text", ["annually", "a year", "per annum", "each year"])
def test_yearly_periods(text):
    assert parse_money(f"$600m {text}").period == "year"


def test_a_year_from_a_date_is_a_yearly_amount():
    [match] = find_money("Seoul will pay 1.2 trillion won a year from 2027")
    assert match.value.period == "year"
    assert find_money("about $1.2 billion a year from now")[0].value.period is None


def test_a_year_ago_is_no_period():
    [match] = find_money("about $1.2 billion a year ago")
    assert match.mention == "about $1.2 billion"
    assert match.value.period is None


@pytest.mark.parametrize(
    "text",
    [
        "the US won the vote",
        "the two sides won praise",
        "Mrs 5 and Hrs 20",
        "the deal was signed in 2022",
        "nearly 300 troops",
        "in 2022 dollars",
        "exactly dollars",
        "a range of $5-6 billion",
        "a multi-billion dollar deal",
        "500 pounds of explosives",  # a weight
        "a 2019 RAND study",
        "the two crowns of the kingdom",
    ],
)
def test_finds_nothing_where_there_is_no_amount(text):
    assert find_money(text) == []


@pytest.mark.parametrize("row", duckling.params("money.jsonl"))
def test_duckling_money_corpus(row):
    if any(test(row) for _, test in duckling.scope().MONEY_RULES):
        pytest.skip("out of scope for news (see eval/results/duckling.md)")
    money = parse_money(row["text"])
    assert money is not None
    # Duckling leaves plain dollars without a country; news means US dollars.
    assert money.currency == (row["currency"] or "USD")
    assert money.value == pytest.approx(row["value"], rel=1e-6)


@pytest.mark.parametrize("row", duckling.params("negative.jsonl", "money"))
def test_duckling_money_negatives(row):
    assert find_money(row["text"]) == []
