"""Durations: "five years", "a decade", "10-year", "18 months" -> ISO 8601 ("P5Y").

Values keep the unit the text uses (18 months is P18M, not P1Y6M); mixed units are
written as ISO does ("2 years and 3 months" is P2Y3M, "an hour and a half" PT1H30M).
A fraction moves down a unit (1.5 years is P1Y6M); a fraction of a month, which ISO
cannot write, makes the whole length days (a month and a half is P45D, as Duckling says).

What is not a duration here:
- ages ("a 10-year-old", "ten years old");
- points in time said as a distance: "two years ago", "two years later", "three years
  after the signing", "five years from now" (they say when, not how long);
- a unit without a number ("for years", "minutes");
- "a year" as a rate ("$5bn a year", "twice a year"): "a"/"an" + unit counts only after
  words that introduce a length ("for a year", "within a decade", "nearly a decade").
A lead-in such as "over the next" belongs to the mention ("over the next five years",
as in the seed gold); a bare "for" or "over" does not.
"""

from __future__ import annotations

import re
from fractions import Fraction

from treatyx.normalize.base import Match
from treatyx.normalize.numbers import NUMBER_PATTERN, parse_decimal

# unit -> (ISO field, how many of that field one unit is)
UNITS: dict[str, tuple[str, int]] = {
    "century": ("Y", 100), "centuries": ("Y", 100), "decade": ("Y", 10), "year": ("Y", 1),
    "yr": ("Y", 1), "quarter": ("M", 3), "month": ("M", 1), "fortnight": ("D", 14),
    "week": ("W", 1), "wk": ("W", 1), "day": ("D", 1), "hour": ("H", 1), "hr": ("H", 1),
    "h": ("H", 1), "minute": ("TM", 1), "min": ("TM", 1), "m": ("TM", 1), "'": ("TM", 1),
    "second": ("S", 1), "sec": ("S", 1), "s": ("S", 1), '"': ("S", 1),
}  # fmt: skip
_UNIT = (
    r"(?:centur(?:y|ies)|decades?|years?|yrs?|quarters?|months?|fortnights?|weeks?|wks?|days?"
    r"|hours?|hrs?|minutes?|mins?|seconds?|secs?)(?![\w'])"
)
# Only when the whole text is a duration: in news "2m" is money and "5'" a height.
_SHORT_UNIT = r"""(?:(?<=[\d/ ])(?:h|m|s)(?!\w)|(?<=\d)['"])"""
_SINGULAR = r"(?:century|decade|year|quarter|month|fortnight|week)\b"
_QUANTITY = rf"(?:{NUMBER_PATTERN}|\b\d+\s?/\s?\d+|\ban?\b|\banother\b)"
_FRACTION = r"(?:one|two|three|an?)"
_MODIFIER = r"(?:more|additional|extra|further|less|fewer)"
_LEAD = (
    r"(?:(?:(?:over|for|during|within|in|throughout|across)\s+)?the\s+"
    r"(?:next|coming|past|last|following|previous)\s+"
    r"|for\s+a\s+(?:further\s+)?period\s+of\s+)"
)
# Words after which "a year" is a length ("for a year"), not a rate ("$5bn a year").
_LENGTH_WORDS = {
    "for", "by", "within", "in", "over", "about", "around", "nearly", "almost", "than",
    "least", "of", "lasted", "lasting", "last", "lasts", "extended", "extend", "extends",
    "just", "only", "to", "up", "roughly", "approximately", "some", "another", "during",
    "half", "after",
}  # fmt: skip
_NOT_A_LENGTH = re.compile(
    r"[\s-]*olds?\b|\s+(?:ago|earlier|later|hence|before|after|since|prior|from\s+now"
    r"|of\s+age|back)\b",
    re.IGNORECASE,
)


def _component(unit: str, named: bool) -> str:
    """One "number unit" piece; `named` gives the groups that `_piece` reads."""

    def g(name: str) -> str:
        return f"?P<{name}>" if named else "?:"

    return (
        rf"(?:({g('half_of')}half)\s+(?:an?\s+)?({g('u_half')}{unit})"
        rf"|(?:an?\s+)?({g('quarter_of')}quarter)\s+(?:of\s+)?(?:an?\s+)?"
        rf"({g('u_quarter')}(?!quarter){unit})"
        rf"|({g('q')}{_QUANTITY})"
        rf"(?:\s+and\s+(?:({g('fn')}{_FRACTION})\s+)?({g('fr')}half|quarters?)(?:\s+of)?"
        rf"(?:\s+an?)?)?"
        rf"(?:\s+{_MODIFIER})?\s*-?\s*({g('u')}{unit})"
        rf"(?:\s+and\s+(?:an?\s+)?({g('half_after')}half)\b)?)"
    )


def _pattern(whole: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    unit = f"(?:{_UNIT}|{_SHORT_UNIT})" if whole else _UNIT
    piece, named = _component(unit, False), _component(unit, True)
    separator = r"(?:\s*,\s*|\s+)(?:and\s+)?"
    body = rf"(?:{piece}(?:{separator}{piece}){{0,6}}|(?P<bare>{_SINGULAR}))"
    full = rf"(?<![\w-])(?P<lead>{_LEAD})?{body}(?!\w)(?!-(?!long\b))"
    return re.compile(full, re.IGNORECASE), re.compile(named, re.IGNORECASE)


_FIND, _PIECE = _pattern(whole=False)
_WHOLE, _WHOLE_PIECE = _pattern(whole=True)
_TRAILING_MINUTES = re.compile(
    rf"(?P<head>.*\b(?:hours?|hrs?))\s+(?:and\s+)?(?P<minutes>{NUMBER_PATTERN})", re.IGNORECASE
)


def _unit(word: str) -> tuple[str, int]:
    word = word.lower()
    if word in UNITS:
        return UNITS[word]
    return UNITS[re.sub(r"s$", "", word)]


def _quantity(text: str) -> Fraction | None:
    text = " ".join(text.lower().split())
    if text in ("a", "an", "another"):
        return Fraction(1)
    fraction = re.fullmatch(r"(\d+) ?/ ?(\d+)", text)
    if fraction:
        return Fraction(int(fraction[1]), int(fraction[2])) if int(fraction[2]) else None
    value = parse_decimal(text)
    return None if value is None or value < 0 else Fraction(value)


def _piece(match: re.Match[str]) -> tuple[str, Fraction] | None:
    """(ISO field, amount in that field) for one "number unit" piece."""
    if match["half_of"]:
        field, size = _unit(match["u_half"])
        return field, Fraction(size, 2)
    if match["quarter_of"]:
        field, size = _unit(match["u_quarter"])
        return field, Fraction(size, 4)
    amount = _quantity(match["q"])
    if amount is None:
        return None
    if match["fr"]:
        count = _quantity(match["fn"]) if match["fn"] else Fraction(1)
        amount += count * (Fraction(1, 2) if match["fr"].lower() == "half" else Fraction(1, 4))
    if match["half_after"]:
        amount += Fraction(1, 2)
    field, size = _unit(match["u"])
    return field, amount * size


_DOWN = {"Y": ("M", 12), "W": ("D", 7), "D": ("H", 24), "H": ("TM", 60), "TM": ("S", 60)}


def _iso(parts: dict[str, Fraction]) -> str | None:
    parts = dict(parts)
    if parts.get("M", 0) != int(parts.get("M", 0)):  # no half months in ISO: say days
        parts["D"] = parts.get("D", 0) + parts.pop("M") * 30
    if "W" in parts and len([v for v in parts.values() if v]) > 1:
        parts["D"] = parts.get("D", 0) + parts.pop("W") * 7  # weeks stand alone in ISO
    for field in ("Y", "W", "D", "H", "TM"):
        value = parts.get(field, Fraction(0))
        if value != int(value):
            lower, factor = _DOWN[field]
            parts[field] = Fraction(int(value))
            parts[lower] = parts.get(lower, 0) + (value - int(value)) * factor
    if any(v != int(v) for v in parts.values()) or not any(parts.values()):
        return None
    date = "".join(f"{int(parts[f])}{f}" for f in ("Y", "M", "W", "D") if parts.get(f))
    time = "".join(f"{int(parts[f])}{f[-1]}" for f in ("H", "TM", "S") if parts.get(f))
    return "P" + date + ("T" + time if time else "")


def _value(match: re.Match[str], piece: re.Pattern[str]) -> str | None:
    if match["bare"]:
        return (
            _iso({_unit(match["bare"])[0]: Fraction(_unit(match["bare"])[1])})
            if match["lead"] and not match["lead"].lower().startswith("the")
            else None
        )  # "over the next year" is one year; "the next year" or a bare "year" is nothing
    body = match.group()[len(match["lead"] or "") :]
    parts: dict[str, Fraction] = {}
    for part in piece.finditer(body):
        read = _piece(part)
        if read is None:
            return None
        field, amount = read
        parts[field] = parts.get(field, Fraction(0)) + amount
    return _iso(parts)


def parse_duration(text: str) -> str | None:
    """The ISO 8601 duration that `text` states as a whole ("over the next five years")."""
    text = " ".join(text.split())
    match = _WHOLE.fullmatch(text)
    if match:
        return _value(match, _WHOLE_PIECE)
    trailing = _TRAILING_MINUTES.fullmatch(text)  # "1 hour thirty", "2 hours and 10"
    if trailing:
        head, minutes = parse_duration(trailing["head"]), _quantity(trailing["minutes"])
        if head and minutes is not None and minutes < 60 and "M" not in head.split("T")[-1]:
            return head + f"{int(minutes)}M" if "T" in head else None
    return None


def _is_rate(text: str, match: re.Match[str]) -> bool:
    """ "$5bn a year", "twice a year", "one day soon": a unit read as a rate or an idiom."""
    if match["lead"] or match["bare"]:
        return False
    head = re.match(r"(?i)(an?|one)\s+([a-z]+)", match.group())
    if not head or head[2].lower() in ("half", "quarter"):
        return False
    if head[1].lower() == "one" and head[2].lower() != "day":
        return False
    if re.match(r"[\s-]*long\b", text[match.end() :]):
        return False  # "a year-long mission"
    before = text[: match.start()].rstrip()
    if (not before or before[-1] in ".,;:(\"'") and head[1].lower() != "one":
        return False  # "A decade of talks ..."; but "One day, ..." is an idiom
    previous = re.findall(r"[A-Za-z]+$", before)
    return not previous or previous[0].lower() not in _LENGTH_WORDS


def find_durations(text: str) -> list[Match[str]]:
    """Every duration in `text`, in order, with a lead-in such as "over the next" included."""
    found: list[Match[str]] = []
    for match in _FIND.finditer(text):
        if _NOT_A_LENGTH.match(text, match.end()) or _is_rate(text, match):
            continue
        value = _value(match, _PIECE)
        if value is not None:
            found.append(Match(match.start(), match.end(), match.group(), value))
    return found
