"""Deterministic normalisers shared by the extractors and the validator.

Each turns the exact words of a source into a value (`parse_*`, `resolve_date`,
`lookup_party`) or scans a text for every such mention (`find_*`).
"""

from treatyx.normalize.base import Match
from treatyx.normalize.dates import DateValue, find_dates, resolve_date
from treatyx.normalize.duration import find_durations, parse_duration
from treatyx.normalize.money import Money, find_money, parse_money
from treatyx.normalize.numbers import parse_number
from treatyx.normalize.parties import PartyInfo, find_parties, lookup_party

__all__ = [
    "DateValue",
    "Match",
    "Money",
    "PartyInfo",
    "find_dates",
    "find_durations",
    "find_money",
    "find_parties",
    "lookup_party",
    "parse_duration",
    "parse_money",
    "parse_number",
    "resolve_date",
]
