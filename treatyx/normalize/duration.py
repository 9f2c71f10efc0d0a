"""Durations: "five years", "a decade", "10-year", "18 months" -> ISO 8601 ("P5Y").

Values keep the unit the text uses (18 months is P18M, not P1Y6M), except that mixed
units are written as ISO does ("2 years and 3 months" is P2Y3M, "an hour and a half"
PT1H30M). "two years ago" says when, not how long, so it is no duration.
"""

from __future__ import annotations

import re

from treatyx.normalize.base import Match
from treatyx.normalize.numbers import NUMBER_PATTERN, parse_number

# unit word -> (ISO designator, multiplier, time part?)
UNITS: dict[str, tuple[str, int, bool]] = {
    "century": ("Y", 100, False), "centuries": ("Y", 100, False),
    "decade": ("Y", 10, False), "decades": ("Y", 10, False),
    "year": ("Y", 1, False), "years": ("Y", 1, False), "yr": ("Y", 1, False),
    "yrs": ("Y", 1, False), "y": ("Y", 1, False),
    "quarter": ("M", 3, False), "quarters": ("M", 3, False), "qtr": ("M", 3, False),
    "qtrs": ("M", 3, False),
    "month": ("M", 1, False), "months": ("M", 1, False), "mo": ("M", 1, False),
    "mos": ("M", 1, False), "mnth": ("M", 1, False), "mnths": ("M", 1, False),
    "week": ("W", 1, False), "weeks": ("W", 1, False), "wk": ("W", 1, False),
    "wks": ("W", 1, False),
    "day": ("D", 1, False), "days": ("D", 1, False), "d": ("D", 1, False),
    "hour": ("H", 1, True), "hours": ("H", 1, True), "hr": ("H", 1, True),
    "hrs": ("H", 1, True), "h": ("H", 1, True),
    "minute": ("M", 1, True), "minutes": ("M", 1, True), "min": ("M", 1, True),
    "mins": ("M", 1, True), "m": ("M", 1, True),
    "second": ("S", 1, True), "seconds": ("S", 1, True), "sec": ("S", 1, True),
    "secs": ("S", 1, True), "s": ("S", 1, True), '"': ("S", 1, True), "'": ("M", 1, True),
}
_SHORT_UNITS = {"y", "d", "h", "m", "s", '"', "'"}
"""Single-letter units only right after digits ("2h", "30m"), never after a word."""

_UNIT = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
_LEAD = (r"(?P<lead>(?:over|for|during|within|in)\s+(?:the\s+)?(?:next|coming|past|last)\s+"
         r"|for\s+(?:a\s+period\s+of\s+)?|(?:the\s+)?(?:next|coming)\s+)?")
_MODIFIER = r"(?:\s+(?:more|extra|additional|further|less|fewer))?"
_ONE = (rf"(?P<number>{NUMBER_PATTERN}|an?(?=\s)|another)?{_MODIFIER}\s*(?:-\s*)?"
        rf"(?P<unit>{_UNIT})"
        rf"(?P<half>\s+and\s+an?\s+half)?")
_PATTERN = re.compile(
    rf"(?<![\w-]){_LEAD}{_ONE}(?P<more>(?:,?\s+(?:and\s+)?(?:{NUMBER_PATTERN}|an?(?=\s))\s*-?\s*"
    rf"(?:{_UNIT}))*)(?![\w-])(?!\s+(?:ago|old)\b)",
    re.IGNORECASE,
)
_PART = re.compile(rf"(?P<number>{NUMBER_PATTERN}|an?(?=\s)){_MODIFIER}\s*-?\s*"
                   rf"(?P<unit>{_UNIT})(?![\w])",
                   re.IGNORECASE)


def _amounts(text: str) -> dict[str, float] | None:
    """unit designator (time units prefixed with T) -> amount, for each "N unit" in text."""
    parts: dict[str, float] = {}
    for part in _PART.finditer(text):
        number_text, unit = part["number"], part["unit"].lower()
        if unit in _SHORT_UNITS and not number_text[-1:].isdigit():
            return None
        number = 1.0 if number_text.lower() in ("a", "an") else parse_number(number_text)
        if number is None:
            return None
        designator, factor, is_time = UNITS[unit]
        key = ("T" if is_time else "") + designator
        parts[key] = parts.get(key, 0) + number * factor
    return parts or None


def _iso(parts: dict[str, float]) -> str | None:
    # Fractions go down a unit: 1.5 hours is PT1H30M, half a year P6M.
    down = {"Y": ("M", 12), "M": ("D", 30), "W": ("D", 7), "D": ("TH", 24), "TH": ("TM", 60),
            "TM": ("TS", 60)}
    parts = dict(parts)
    for key in ("Y", "M", "W", "D", "TH", "TM"):
        value = parts.get(key, 0)
        if value != int(value) and key in down:
            lower, factor = down[key]
            parts[key] = int(value)
            parts[lower] = parts.get(lower, 0) + (value - int(value)) * factor
    if any(v != int(v) for v in parts.values()) or not any(parts.values()):
        return None
    date = "".join(f"{int(parts[k])}{k}" for k in ("Y", "M", "W", "D") if parts.get(k))
    time = "".join(f"{int(parts[k])}{k[1]}" for k in ("TH", "TM", "TS") if parts.get(k))
    return "P" + date + ("T" + time if time else "")


def _value(match: re.Match[str]) -> str | None:
    number = match["number"]
    unit = match["unit"].lower()
    if number is None:
        if unit in _SHORT_UNITS or not match["lead"]:
            return None  # bare "years"; "the next year" with a lead is one year
        number = "a"
    if number.lower() == "another":
        number = "a"
    body = f"{number} {unit}" + (match["more"] or "")
    parts = _amounts(body)
    if parts is None:
        return None
    if match["half"]:
        designator, factor, is_time = UNITS[unit]
        key = ("T" if is_time else "") + designator
        parts[key] = parts.get(key, 0) + 0.5 * factor
    return _iso(parts)


_FRACTIONS = [
    (re.compile(r"(?i)\b(\w+) and two quarters?(?: of)?\b"), 0.5),
    (re.compile(r"(?i)\b(\w+) and three quarters?(?: of)?\b"), 0.75),
    (re.compile(r"(?i)\b(\w+) and (?:a |one )?quarters?(?: of)?\b"), 0.25),
    (re.compile(r"(?i)\b(\w+) and (?:a |an |one )?half\b(?: an?\b)?"), 0.5),
]


def _fractions(text: str) -> str:
    """ "one and a half hours" -> "1.5 hours", "1/2 hour" -> "0.5 hour"."""
    text = re.sub(r"\b1/2\s*", "0.5 ", text)
    text = re.sub(r"(?i)^half\s+(?:an?\s+)?", "0.5 ", text)
    # "an hour and a half", "a month and half": the fraction of the unit just named
    text = re.sub(r"(?i)^(an?|one|\d+)\s+(\w+?)s?\s+and\s+(?:an?\s+)?half$",
                  lambda m: f"{(parse_number(m[1]) or 1) + 0.5:g} {m[2]}", text)
    for pattern, fraction in _FRACTIONS:
        def add(match: re.Match[str], fraction: float = fraction) -> str:
            whole = parse_number(match[1])
            return match[0] if whole is None else f"{whole + fraction:g} "
        text = pattern.sub(add, text)
    return re.sub(r"(?i)\bof (hours?|minutes?)\b", r"\1", " ".join(text.split()))


def parse_duration(text: str) -> str | None:
    """The ISO 8601 duration `text` states as a whole, or None."""
    text = text.strip()
    if not _PATTERN.fullmatch(text):
        text = _fractions(text)
    half = re.fullmatch(r"(?i)half\s+an?\s+(\w+)", text)
    if half and half[1].lower() in UNITS:
        designator, factor, is_time = UNITS[half[1].lower()]
        return _iso({("T" if is_time else "") + designator: 0.5 * factor})
    match = _PATTERN.fullmatch(text)
    return _value(match) if match else None


def find_durations(text: str) -> list[Match[str]]:
    """Every duration in `text`, with lead-ins such as "over the next" in the mention."""
    found = []
    for match in _PATTERN.finditer(text):
        value = _value(match)
        if value is None:
            continue
        if match["number"] and re.fullmatch(r"\d{4}", match["number"].strip()):
            continue  # "2022 years"? no: a year number followed by a unit word
        found.append(Match(match.start(), match.end(), match.group(), value))
    return found
