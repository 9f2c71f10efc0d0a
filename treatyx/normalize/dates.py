"""Dates in news text, resolved against the publication date.

"Thursday" in an article of Saturday 8 January 2022 is 2022-01-06 (news reports the
past); "will sign on Friday" looks forward (2022-01-14). Absolute dates keep the grain
they are written in: "January 2022" is a month, "2021" a year.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from treatyx.normalize.base import Match

Granularity = Literal["day", "month", "year"]
Tense = Literal["past", "future"]


@dataclass(frozen=True)
class DateValue:
    value: str
    granularity: Granularity


MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
WEEKDAYS = {"monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2,
            "wed": 2, "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
            "saturday": 5, "sat": 5, "sunday": 6, "sun": 6}
ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "twenty-first": 21, "twenty-second": 22,
    "twenty-third": 23, "twenty-fourth": 24, "twenty-fifth": 25, "twenty-sixth": 26,
    "twenty-seventh": 27, "twenty-eighth": 28, "twenty-ninth": 29, "thirtieth": 30,
    "thirty-first": 31,
}
# Holidays on a fixed day of the year.
FIXED_HOLIDAYS = {
    "christmas": (12, 25), "christmas day": (12, 25), "xmas": (12, 25),
    "christmas eve": (12, 24), "new year's day": (1, 1), "new years day": (1, 1),
    "new year's eve": (12, 31), "new years eve": (12, 31), "halloween": (10, 31),
    "valentine's day": (2, 14), "valentines day": (2, 14), "independence day": (7, 4),
    "veterans day": (11, 11), "veteran's day": (11, 11), "boxing day": (12, 26),
    "st patrick's day": (3, 17), "st. patrick's day": (3, 17), "saint patrick's day": (3, 17),
    "st patricks day": (3, 17), "may day": (5, 1), "labour day": (5, 1),
    "all saints day": (11, 1), "all saints' day": (11, 1), "earth day": (4, 22),
    "april fools": (4, 1), "april fool's day": (4, 1), "april fools day": (4, 1),
    "armistice day": (11, 11), "remembrance day": (11, 11), "bastille day": (7, 14),
    "flag day": (6, 14), "groundhog day": (2, 2), "womens day": (3, 8),
    "women's day": (3, 8), "international women's day": (3, 8), "juneteenth": (6, 19),
    "epiphany": (1, 6), "assumption day": (8, 15), "all souls day": (11, 2),
    "national day": (10, 1),
}
# US holidays on the n-th weekday of a month: (month, weekday, n); n = -1 for the last.
NTH_WEEKDAY_HOLIDAYS = {
    "thanksgiving": (11, 3, 4), "thanksgiving day": (11, 3, 4), "labor day": (9, 0, 1),
    "memorial day": (5, 0, -1), "mlk day": (1, 0, 3), "martin luther king day": (1, 0, 3),
    "martin luther king's day": (1, 0, 3), "martin luther king jr. day": (1, 0, 3),
    "mlk jr. day": (1, 0, 3), "presidents day": (2, 0, 3), "presidents' day": (2, 0, 3),
    "president's day": (2, 0, 3), "columbus day": (10, 0, 2), "mother's day": (5, 6, 2),
    "mothers day": (5, 6, 2), "father's day": (6, 6, 3), "fathers day": (6, 6, 3),
    "black friday": (11, 4, 4),
}

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_ORDINAL = "|".join(sorted(ORDINALS, key=len, reverse=True))
_DAY = rf"(?:(?P<dn>[0-3]?\d)(?:st|nd|rd|th)?|(?P<dw>{_ORDINAL}))"
_YEAR = r"(?P<y>(?:1[89]|20)\d{2})"
_HOLIDAY = "|".join(re.escape(h) for h in sorted([*FIXED_HOLIDAYS, *NTH_WEEKDAY_HOLIDAYS],
                                                  key=len, reverse=True))

_FORMS: list[tuple[str, str]] = [
    ("iso", r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
    ("mdy_slash", r"(?P<m>[01]?\d)/(?P<d>[0-3]?\d)(?:/(?P<yy>\d{2}|\d{4}))?"),
    ("dmy", rf"(?:(?:the\s+)?{_DAY}(?:\s+of)?\s+(?P<mon>{_MONTH})\.?,?(?:\s+{_YEAR})?)"),
    ("mdy", rf"(?:(?P<mon>{_MONTH})\.?\s+{_DAY}(?:,?\s+{_YEAR})?)"),
    ("month_year", rf"(?:(?P<mon>{_MONTH})\.?,?\s+(?:of\s+)?{_YEAR})"),
    ("holiday", rf"(?:(?P<rel>next|last|this)\s+)?(?P<hol>{_HOLIDAY})(?:\s+(?:of\s+)?{_YEAR})?"),
    ("weekday_rel", rf"(?P<rel>last|next|this|coming|past)\s+(?P<wd>{_WEEKDAY})\.?"),
    ("weekday", rf"(?P<wd>{_WEEKDAY})(?:,?\s+(?P<wmon>{_MONTH})\.?\s*(?P<wdn>[0-3]?\d)"
                rf"(?:st|nd|rd|th)?)?\.?"),
    ("relative_day", r"(?P<rd>today|yesterday|tomorrow|tonight|the day before yesterday|"
                     r"the day after tomorrow|at this time|now)"),
    ("relative_month", r"(?P<rm>(?:earlier|later)\s+this\s+month|this\s+month|last\s+month|"
                       r"next\s+month|the\s+previous\s+month|the\s+following\s+month|"
                       r"the\s+coming\s+month|the\s+past\s+month)"),
    ("relative_year", r"(?P<ry>(?:earlier|later)\s+this\s+year|this\s+year|last\s+year|"
                      r"next\s+year|the\s+previous\s+year|the\s+following\s+year|"
                      r"the\s+coming\s+year|the\s+current\s+year)"),
    ("month_rel", rf"(?P<mrel>last|next|this|coming|past)\s+(?P<mon>{_MONTH})"),
    ("month", rf"(?:in\s+|by\s+|until\s+|since\s+|from\s+|of\s+|early\s+|mid-?|late\s+)?"
              rf"(?P<mon>{_MONTH})\.?"),
    ("year", rf"(?:in\s+|by\s+|until\s+|since\s+)?{_YEAR}"),
]
_COMPILED = [(name, re.compile(rf"(?<![\w/-])(?:{form})(?![\w/-])", re.IGNORECASE))
             for name, form in _FORMS]
_WORD_MONTHS = {"may", "march", "mar", "jan", "jun", "sat", "sun", "wed", "mon", "dec", "sep"}
"""Month/weekday words that are also ordinary words: only capitalised in running text."""


def _ymd(year: int, month: int, day: int) -> DateValue | None:
    try:
        return DateValue(dt.date(year, month, day).isoformat(), "day")
    except ValueError:
        return None


def _nearest_year(month: int, day: int, reference: dt.date, tense: Tense | None) -> int:
    """The year that puts month/day nearest the reference, in the tense's direction."""
    year = reference.year
    try:
        candidate = dt.date(year, month, day)
    except ValueError:
        return year
    if tense == "future" and candidate < reference:
        return year + 1
    if tense != "future" and candidate > reference + dt.timedelta(days=31 if tense is None
                                                                   else 0):
        return year - 1
    return year


def _weekday(reference: dt.date, weekday: int, tense: Tense | None, rel: str | None) -> dt.date:
    delta = (reference.weekday() - weekday) % 7
    if rel in ("next", "coming") or (tense == "future" and rel is None):
        ahead = (weekday - reference.weekday()) % 7 or 7
        if rel == "next" and ahead < 2:
            ahead += 7
        return reference + dt.timedelta(days=ahead)
    if rel == "this":
        return reference + dt.timedelta(days=(weekday - reference.weekday()) % 7)
    if rel in ("last", "past"):
        return reference - dt.timedelta(days=delta or 7)
    return reference - dt.timedelta(days=delta)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1))
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _resolve(name: str, m: re.Match[str], reference: dt.date | None,
             tense: Tense | None) -> DateValue | None:
    g = {k: v for k, v in m.groupdict().items() if v is not None}
    if name == "iso":
        return _ymd(int(g["y"]), int(g["m"]), int(g["d"]))
    if name == "mdy_slash":
        month, day = int(g["m"]), int(g["d"])
        if "yy" in g:
            year = int(g["yy"])
            year += 0 if year >= 100 else (1900 if year >= 50 else 2000)
            return _ymd(year, month, day)
        return None if reference is None else _ymd(
            _nearest_year(month, day, reference, tense or "future"), month, day)
    if name in ("dmy", "mdy"):
        month = MONTHS[g["mon"].lower()]
        day = int(g["dn"]) if "dn" in g else ORDINALS[g["dw"].lower()]
        if "y" in g:
            return _ymd(int(g["y"]), month, day)
        if reference is None:
            return None
        return _ymd(_nearest_year(month, day, reference, tense), month, day)
    if name == "month_year":
        return DateValue(f"{int(g['y']):04d}-{MONTHS[g['mon'].lower()]:02d}", "month")
    if name == "year":
        return DateValue(g["y"], "year")
    if name == "holiday":
        key = g["hol"].lower()
        year = int(g["y"]) if "y" in g else None
        if year is None and reference is None:
            return None
        rel = g.get("rel", "").lower()
        def on(y: int) -> dt.date:
            if key in FIXED_HOLIDAYS:
                return dt.date(y, *FIXED_HOLIDAYS[key])
            month, weekday, n = NTH_WEEKDAY_HOLIDAYS[key]
            return _nth_weekday(y, month, weekday, n)
        if year is not None:
            return DateValue(on(year).isoformat(), "day")
        assert reference is not None
        this = on(reference.year)
        if rel == "last":
            day = this if this < reference else on(reference.year - 1)
        elif rel == "next" or (rel != "this" and (tense == "future" or tense is None)):
            day = this if this >= reference else on(reference.year + 1)
        else:
            day = this if this <= reference else on(reference.year - 1)
        return DateValue(day.isoformat(), "day")
    if reference is None:
        return None
    if name in ("weekday", "weekday_rel"):
        weekday = WEEKDAYS[g["wd"].lower().rstrip(".")]
        if "wmon" in g:  # "Wed, Feb 13"
            month, day = MONTHS[g["wmon"].lower()], int(g["wdn"])
            return _ymd(_nearest_year(month, day, reference, "future"), month, day)
        return DateValue(_weekday(reference, weekday, tense, g.get("rel", "").lower() or None)
                         .isoformat(), "day")
    if name == "relative_day":
        word = " ".join(g["rd"].lower().split())
        shift = {"today": 0, "tonight": 0, "now": 0, "at this time": 0, "yesterday": -1,
                 "tomorrow": 1, "the day before yesterday": -2, "the day after tomorrow": 2}
        return DateValue((reference + dt.timedelta(days=shift[word])).isoformat(), "day")
    if name == "relative_month":
        word = " ".join(g["rm"].lower().split())
        by = -1 if word in ("last month", "the previous month", "the past month") else (
            1 if word in ("next month", "the following month", "the coming month") else 0)
        year, month = _shift_month(reference.year, reference.month, by)
        return DateValue(f"{year:04d}-{month:02d}", "month")
    if name == "relative_year":
        word = " ".join(g["ry"].lower().split())
        by = -1 if word in ("last year", "the previous year") else (
            1 if word in ("next year", "the following year", "the coming year") else 0)
        return DateValue(f"{reference.year + by:04d}", "year")
    if name in ("month_rel", "month"):
        month = MONTHS[g["mon"].lower()]
        rel = g.get("mrel", "").lower()
        year = reference.year
        if rel in ("next", "coming") or (not rel and tense == "future"):
            if month <= reference.month:
                year += 1
        elif rel in ("last", "past"):
            year -= month >= reference.month
        elif not rel and month > reference.month:
            year -= 1
        return DateValue(f"{year:04d}-{month:02d}", "month")
    return None


def resolve_date(text: str, reference: dt.date | None,
                 tense: Tense | None = None) -> DateValue | None:
    """The date `text` states as a whole, e.g. "on Thursday", "14 October 2021"."""
    text = " ".join(text.strip().split())
    text = re.sub(r"(?i)^(?:on|in|at|by|since|until|from|of)\s+(?=\w)", "", text)
    for name, pattern in _COMPILED:
        match = pattern.fullmatch(text)
        if match:
            return _resolve(name, match, reference, tense)
    return None


_FUTURE_CUE = re.compile(
    r"\b(?:will|shall|would|to be|is to|are to|due to|set to|expected to|scheduled|plans? to|"
    r"planned|next|upcoming|going to|intends? to|aims? to)\b", re.IGNORECASE)


def _tense(text: str, start: int) -> Tense | None:
    clause_start = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start), 0)
    return "future" if _FUTURE_CUE.search(text, clause_start, start) else None


def find_dates(text: str, reference: dt.date | None) -> list[Match[DateValue]]:
    """Every date in `text`, in order; the tense comes from the clause before each."""
    taken: list[tuple[int, int, DateValue]] = []
    for name, pattern in _COMPILED:
        for match in pattern.finditer(text):
            start, end = match.start(), match.end()
            words = match.group()
            if name in ("month", "weekday", "year") and words.split()[0].lower() in (
                    "in", "by", "until", "since", "from", "of", "early", "late"):
                start += len(words.split()[0]) + 1
                words = text[start:end]
            if name in ("month", "weekday") and (words.split()[0].lower().rstrip(".")
                                                 in _WORD_MONTHS | {"may"}) and (
                    not words[0].isupper()):
                continue
            if name == "month" and words.lower() == "may" and _modal_may(text, end):
                continue
            if name == "year" and _not_a_year(text, start, end):
                continue
            if any(start < e and s < end for s, e, _ in taken):
                continue
            value = _resolve(name, match, reference, _tense(text, start))
            if value is not None:
                taken.append((start, end, value))
    taken.sort(key=lambda t: t[0])
    return [Match(s, e, text[s:e], v) for s, e, v in taken]


def _modal_may(text: str, end: int) -> bool:
    """ "may" followed by a verb ("they May sign") is the modal, not the month."""
    following = text[end:end + 20].split()
    return bool(following) and not following[0][:1].isdigit() and following[0].lower() not in (
        "this", "next", "last")


def _not_a_year(text: str, start: int, end: int) -> bool:
    """ "$2022 million", "2022 troops", "Resolution 2022": a number, not a year."""
    before = text[max(0, start - 2):start]
    after = text[end:end + 12].lower()
    return ("$" in before or re.match(r"\s*(?:million|billion|troops|soldiers|people|km|"
                                      r"tonnes|tons|units|%)", after) is not None)
