"""Dates as news writes them, resolved against the article's publication date."""

import datetime as dt
from pathlib import Path

import duckling
import pytest

from treatyx.normalize.dates import DateValue, find_dates, resolve_date

ROOT = Path(__file__).resolve().parents[1]
SEED_DAY = dt.date(2022, 1, 8)  # the seed article: Saturday 8 January 2022


def day(value: str) -> DateValue:
    return DateValue(value, "day")


def month(value: str) -> DateValue:
    return DateValue(value, "month")


def year(value: str) -> DateValue:
    return DateValue(value, "year")


def test_seed_weekdays_look_back_unless_the_clause_looks_forward():
    assert resolve_date("on Thursday", SEED_DAY) == day("2022-01-06")
    assert resolve_date("last Thursday", SEED_DAY) == day("2022-01-06")
    assert resolve_date("Friday", SEED_DAY, tense="future") == day("2022-01-14")
    [friday] = find_dates("Japan and the US will sign the agreement on Friday.", SEED_DAY)
    assert (friday.mention, friday.value) == ("Friday", day("2022-01-14"))
    assert resolve_date("earlier this month", SEED_DAY) == month("2022-01")


def test_the_publication_weekday_is_that_day_unless_the_date_is_to_come():
    assert resolve_date("Saturday", SEED_DAY) == day("2022-01-08")
    assert resolve_date("Saturday", SEED_DAY, tense="past") == day("2022-01-08")
    assert resolve_date("Saturday", SEED_DAY, tense="future") == day("2022-01-15")
    assert resolve_date("next Saturday", SEED_DAY) == day("2022-01-15")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("6 January", day("2022-01-06")),
        ("January 6", day("2022-01-06")),
        ("Jan. 6", day("2022-01-06")),
        ("6th of January", day("2022-01-06")),
        ("the sixth of January", day("2022-01-06")),
        ("14 October 2021", day("2021-10-14")),
        ("Oct 14, 2021", day("2021-10-14")),
        ("2021-10-14", day("2021-10-14")),
        ("Thursday, January 6, 2022", day("2022-01-06")),
        ("January 2022", month("2022-01")),
        ("January last year", month("2021-01")),
        ("2021", year("2021")),
        ("in 2021", year("2021")),
        ("mid-2023", year("2023")),
        ("early next year", year("2023")),
        ("late October", month("2021-10")),
        ("today", day("2022-01-08")),
        ("yesterday", day("2022-01-07")),
        ("tomorrow", day("2022-01-09")),
        ("last month", month("2021-12")),
        ("next month", month("2022-02")),
        ("this year", year("2022")),
        ("last year", year("2021")),
        ("next year", year("2023")),
        ("by the end of the year", year("2022")),
        ("Christmas 2013", day("2013-12-25")),
        ("New Year's Day", day("2022-01-01")),
        ("three years ago", month("2019-01")),
    ],
)
def test_news_wording(words, expected):
    assert resolve_date(words, SEED_DAY) == expected


def test_a_month_without_a_year_is_the_nearest_unless_the_tense_says_otherwise():
    assert resolve_date("in March", SEED_DAY) == month("2022-03")
    assert resolve_date("in March", SEED_DAY, tense="past") == month("2021-03")
    assert resolve_date("back in October", SEED_DAY) == month("2021-10")
    assert resolve_date("in October", SEED_DAY, tense="future") == month("2022-10")
    assert resolve_date("in January", SEED_DAY, tense="past") == month("2022-01")


def test_weeks_have_no_grain_of_their_own():
    assert resolve_date("last week", dt.date(2022, 1, 20)) == month("2022-01")
    assert resolve_date("last week", SEED_DAY) is None  # 27 Dec - 2 Jan straddles two months


def test_relative_words_need_a_publication_date():
    assert resolve_date("Thursday", None) is None
    assert resolve_date("last month", None) is None
    assert resolve_date("14 October 2021", None) == day("2021-10-14")
    assert resolve_date("sometime", SEED_DAY) is None


def test_find_dates_in_the_seed_article():
    text = (ROOT / "eval" / "articles" / "dev" / "seed.txt").read_text(encoding="utf-8")
    found = find_dates(text, SEED_DAY)
    for match in found:
        assert text[match.start : match.end] == match.mention
    thursdays = [m for m in found if m.mention == "Thursday"]
    assert len(thursdays) == 3 and {m.value for m in thursdays} == {day("2022-01-06")}
    assert ("Friday", day("2022-01-07")) in [(m.mention, m.value) for m in found]
    assert ("October", month("2021-10")) in [(m.mention, m.value) for m in found]


def test_find_dates_takes_the_tense_from_the_clause():
    text = (
        "The two sides signed a pact on Thursday and are due to sign another on Friday. "
        "Ministers met in March; talks are expected to resume in March."
    )
    found = [(m.mention, m.value) for m in find_dates(text, dt.date(2022, 1, 12))]
    assert found == [
        ("Thursday", day("2022-01-06")),
        ("Friday", day("2022-01-14")),
        ("March", month("2021-03")),
        ("March", month("2022-03")),
    ]


def test_find_dates_keeps_the_whole_date_and_leaves_out_the_preposition():
    text = "The deal, signed on 14 October 2021, runs until mid-2023."
    found = find_dates(text, SEED_DAY)
    assert [m.mention for m in found] == ["14 October 2021", "mid-2023"]
    assert text[found[0].start - 3 : found[0].start] == "on "


@pytest.mark.parametrize(
    "text",
    [
        "Japan agreed to pay $9.3 billion over the next five years.",
        "a 10-year plan for 2000 troops under Vision 2030 and Resolution 2231",
        "They may sign the deal, and protesters will march to the embassy.",
        "He told the Sunday Times that the second round was 24/7 work, 3-1.",
        "Every day in the month the first ship sails.",
    ],
)
def test_find_dates_ignores_words_that_only_look_like_dates(text):
    assert find_dates(text, SEED_DAY) == []


def _in_scope() -> list[dict]:
    rules = duckling.scope().DATE_RULES
    return [r for r in duckling.rows("date.jsonl") if not any(test(r) for _, test in rules)]


def _score(rows: list[dict], tense) -> float:
    right = 0
    for row in rows:
        got = resolve_date(row["text"], dt.date.fromisoformat(row["reference"]), tense)
        right += got == DateValue(row["value"], row["granularity"])
    return right / len(rows)


def test_duckling_dates_in_scope():
    """Duckling reads an open direction forward, so its convention is tense="future".

    Without a tense we follow news (weekdays look back, the rest takes the nearest
    occurrence); the rows lost that way differ only in direction.
    """
    rows = _in_scope()
    assert _score(rows, "future") >= 0.97
    assert _score(rows, None) >= 0.83


def test_an_open_direction_resolves_to_one_of_the_two_tenses():
    """The validator accepts the past or the future reading; the default must be one."""
    for row in _in_scope():
        reference = dt.date.fromisoformat(row["reference"])
        default = resolve_date(row["text"], reference)
        readings = {resolve_date(row["text"], reference, t) for t in ("past", "future")}
        assert default is None or default in readings, row["text"]


def test_duckling_negatives_find_no_date():
    rows = duckling.rows("negative.jsonl", "date")
    assert rows
    for row in rows:
        assert find_dates(row["text"], dt.date(2013, 2, 12)) == [], row["text"]


def test_next_month_and_day_is_that_day_to_come():
    reference = dt.date(2015, 2, 12)
    found = find_dates("the deal could be signed by next Feb. 16 or Feb. 17", reference)
    assert [(m.mention, m.value.value) for m in found] == [
        ("Feb. 16", "2015-02-16"), ("Feb. 17", "2015-02-17")]
    [month] = find_dates("the talks resume next February", reference)
    assert month.value.value == "2016-02"
