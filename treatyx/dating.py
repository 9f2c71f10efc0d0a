"""When an agreement happened, from its own dates only.

An article about a 2023 extension may say the deal "dates back to 1988": that date is
background (role `other`), and dating the agreement by it put a 2023 dyad in 1988. So an
agreement is dated by its own signing, entry into force or announcement, in that order,
and only then by the report's publication; `expires` and `other` dates never date it.
Of several dates of one role, the one the news is about is the nearest to publication
(`news_date`): an article on a 2023 signing that recalls the 1988 one is dated 2023.
A renewal (status `extended`) is dated by its own news: a date more than
`RENEWAL_BACKGROUND_DAYS` before the report is the original agreement's, not the renewal's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache

from treatyx.models import Agreement, AgreementStatus, DateFact

OWN_ROLES = ("signed", "effective", "announced")
"""Date roles that date the agreement itself, in order of preference."""
RENEWAL_BACKGROUND_DAYS = 366


def news_date(
    dates: Iterable[DateFact], role: str, published: dt.date | None
) -> DateFact | None:
    """The date of one role that the news is about: a date said more exactly elsewhere in
    the report ("July" beside "21 July") gives way to it, and of the rest the nearest to
    publication wins (the new signing, not the original of 1988 the article recalls)."""
    found = [d for d in dates if d.role == role]
    finest = [d for d in found if not any(
        len(o.value) > len(d.value) and o.value.startswith(d.value) for o in found)]
    if published is None:
        return min(finest, key=lambda d: (-len(d.value), d.value), default=None)

    def distance(date: DateFact) -> int:
        start, end = period(date)
        return max((start - published).days, (published - end).days, 0)

    return min(finest, key=lambda d: (distance(d), -len(d.value), d.value), default=None)


def own_dates(agreement: Agreement, published: dt.date | None) -> list[DateFact]:
    """The dates of OWN_ROLES that date this agreement (see the module docstring)."""
    dates = [d for d in agreement.dates if d.role in OWN_ROLES]
    if agreement.status == AgreementStatus.extended and published is not None:
        oldest = published - dt.timedelta(days=RENEWAL_BACKGROUND_DAYS)
        dates = [d for d in dates if period(d)[1] >= oldest]
    return dates


def own_date(
    agreement: Agreement, published: dt.date | None
) -> tuple[DateFact | None, str | None]:
    """The date that dates the agreement and its role, or (None, None)."""
    dates = own_dates(agreement, published)
    for role in OWN_ROLES:
        found = news_date(dates, role, published)
        if found is not None:
            return found, role
    return None, None


def report_year(agreement: Agreement, published: dt.date | None) -> tuple[int | None, str | None]:
    """The year of one agreement report and its source: a role of OWN_ROLES, else
    `published`, else (None, None)."""
    found, role = own_date(agreement, published)
    if found is not None:
        return int(found.value[:4]), role
    if published is not None:
        return published.year, "published"
    return None, None


def as_day(value: str) -> dt.date:
    """The first day of a partial ISO date ("2023-04" -> 2023-04-01)."""
    year, month, day = (value.split("-") + ["1", "1"])[:3]
    return dt.date(int(year), int(month), int(day))


def period(date: DateFact) -> tuple[dt.date, dt.date]:
    """The first and last day a (possibly partial) date stands for."""
    return _period(date.value, date.granularity)


@lru_cache(maxsize=1 << 16)
def _period(value: str, granularity: str) -> tuple[dt.date, dt.date]:
    """Cached: grouping a large corpus compares the same few thousand dates millions of
    times."""
    start = as_day(value)
    if granularity == "year":
        return start, dt.date(start.year, 12, 31)
    if granularity == "month":
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return start, following - dt.timedelta(days=1)
    return start, start
