import datetime as dt

from treatyx.dating import news_date, own_date, period, report_year
from treatyx.models import Agreement, DateFact, Party

SPAIN = Party(name="Spain", iso3="ESP", cow=230, kind="state", mention="Spain")
PUBLISHED = dt.date(2023, 5, 10)


def date(value, role, granularity="day") -> DateFact:
    return DateFact(value=value, granularity=granularity, role=role, mention=value)


def agreement(*dates, status="signed") -> Agreement:
    return Agreement(type="basing_access", status=status, parties=[SPAIN], dates=list(dates))


def test_signing_dates_an_agreement_before_entry_into_force_and_announcement():
    pact = agreement(date("2023-06-01", "effective"), date("2023-05-09", "signed"),
                     date("2023-04-02", "announced"))

    assert report_year(pact, PUBLISHED) == (2023, "signed")
    assert own_date(pact, PUBLISHED)[0].value == "2023-05-09"


def test_a_background_date_never_dates_the_agreement():
    pact = agreement(date("1988", "other", "year"), date("2030", "expires", "year"))

    assert report_year(pact, PUBLISHED) == (2023, "published")
    assert report_year(pact, None) == (None, None)


def test_a_renewal_is_dated_by_its_own_news_not_the_original_signing():
    renewal = agreement(date("1988", "signed", "year"), date("2023-05-09", "effective"),
                        status="extended")

    assert report_year(renewal, PUBLISHED) == (2023, "effective")
    # The same date on a report of the original signing does date it.
    assert report_year(agreement(date("1988", "signed", "year")), PUBLISHED) == (1988, "signed")


def test_period_of_partial_dates():
    assert period(date("2024-02", "signed", "month")) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert period(date("2023", "signed", "year"))[1] == dt.date(2023, 12, 31)


def test_the_news_date_is_the_exact_one_nearest_to_publication():
    said_twice = [date("2021-07", "signed", "month"), date("2021-07-21", "signed"),
                  date("2021-07-02", "announced")]
    recalled = [date("1988", "signed", "year"), date("2023-05-09", "signed")]

    assert news_date(said_twice, "signed", dt.date(2021, 7, 23)).value == "2021-07-21"
    assert news_date(said_twice, "signed", None).value == "2021-07-21"
    assert news_date(said_twice, "effective", None) is None
    assert news_date(recalled, "signed", PUBLISHED).value == "2023-05-09"
    assert report_year(agreement(*recalled), PUBLISHED) == (2023, "signed")
