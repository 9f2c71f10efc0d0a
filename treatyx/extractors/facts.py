"""Turning normaliser matches into contract facts.

Both extractors end here, so a value is always what the normaliser read from the words
that the fact quotes, and the LLM never supplies a number, a code or a date itself.
"""

from __future__ import annotations

from treatyx.models import Amount, DateFact, DateRole, Duration, Evidence, Party
from treatyx.normalize import DateValue, Match, Money, PartyInfo


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
