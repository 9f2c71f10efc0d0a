"""Turning normaliser matches into contract facts.

Both extractors end here, so a value is always what the normaliser read from the words
that the fact quotes, and the LLM never supplies a number, a code or a date itself.
"""

from __future__ import annotations

import datetime as dt

from treatyx.models import Amount, DateFact, DateRole, Duration, Evidence, Party
from treatyx.normalize import (
    DateValue,
    Match,
    Money,
    PartyInfo,
    find_dates,
    find_durations,
    find_money,
    parse_duration,
    parse_money,
    resolve_date,
)


def party(match: Match[PartyInfo], offset: int = 0) -> Party:
    info = match.value
    return Party(
        name=info.name,
        iso3=info.iso3,
        cow=info.cow,
        kind=info.kind,
        mention=match.mention,
        span=(match.start + offset, match.end + offset),
    )


def amount(match: Match[Money], offset: int = 0) -> Amount:
    money = match.value
    return Amount(
        value=money.value,
        currency=money.currency,
        period=money.period,
        approximate=money.approximate,
        mention=match.mention,
        span=(match.start + offset, match.end + offset),
    )


def duration(match: Match[str], offset: int = 0) -> Duration:
    return Duration(
        value=match.value, mention=match.mention, span=(match.start + offset, match.end + offset)
    )


def date(match: Match[DateValue], role: DateRole, offset: int = 0) -> DateFact:
    return DateFact(
        value=match.value.value,
        granularity=match.value.granularity,
        role=role,
        mention=match.mention,
        span=(match.start + offset, match.end + offset),
    )


def read_amounts(words: str, start: int) -> list[Amount]:
    """The money that words quoted at `start` of the text state: all the words as one
    amount, else every amount inside them ("8.6bn euros ($12bn)"), each spanning its own
    words; none when the normaliser reads none."""
    money = parse_money(words)
    if money is not None:
        return [amount(Match(start, start + len(words), words, money))]
    return [amount(part, start) for part in find_money(words)]


def read_duration(words: str, start: int) -> Duration | None:
    """The length of time that words quoted at `start` state: all the words, else the one
    duration inside them ("a 10-year framework"); None for none, or for several."""
    value = parse_duration(words)
    if value is not None:
        return duration(Match(start, start + len(words), words, value))
    inside = find_durations(words)
    return duration(inside[0], start) if len(inside) == 1 else None


def read_date(words: str, role: DateRole, published: dt.date | None,
              start: int) -> DateFact | None:
    """The date that words quoted at `start` state, resolved against `published`: all the
    words, else the one date inside them; None for none, or for several."""
    value = resolve_date(words, published)
    if value is not None:
        return date(Match(start, start + len(words), words, value), role)
    inside = find_dates(words, published)
    return date(inside[0], role, start) if len(inside) == 1 else None


def evidence(text: str, start: int, end: int) -> Evidence:
    return Evidence(quote=text[start:end], span=(start, end))


def unique_parties(parties: list[Party]) -> list[Party]:
    """First mention of each party: "Japan ... Japan's ... Tokyo" is one party."""
    seen: set[str] = set()
    kept = []
    for p in parties:
        if p.key not in seen:
            seen.add(p.key)
            kept.append(p)
    return kept
