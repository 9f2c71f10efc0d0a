"""Dates in news text, resolved against the publication date.

An article is written on its publication date, so relative words ("Thursday", "last
month", "in March") are resolved against it. Where the words leave the direction open
the tense decides, and without a tense:

- a bare weekday is the most recent one, the publication day included: news reports
  the past ("said on Thursday");
- a date or month without a year, a day of the month alone, or a holiday is the nearest
  occurrence (ties go to the past): in a February article "in March" is the coming
  March, "in October" the last one;
- "next Tuesday" is the Tuesday of next week, "this Monday" the coming one.

With tense="future" a bare weekday is strictly after the publication day ("will sign on
Friday"); with "past" it may be the day itself. There is no week grain: "last week" is
the month it fell in, or None when it straddles two. Modifiers keep the grain of what
they modify: "mid-2023" is a year, "early January" a month.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from treatyx.normalize.base import Match

Granularity = Literal["day", "month", "year"]
Tense = Literal["past", "future"]
Groups = dict[str, str]


@dataclass(frozen=True)
class DateValue:
    """`value` is `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, as `granularity` says."""

    value: str
    granularity: Granularity


MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
          "sixteenth", "seventeenth", "eighteenth", "nineteenth"]  # fmt: skip
ORDINALS = {word: n for n, word in enumerate(_UNITS + _TEENS + ["twentieth"], start=1)}
ORDINALS |= {f"twenty{sep}{word}": 20 + n for n, word in enumerate(_UNITS, 1) for sep in "- "}
ORDINALS |= {"thirtieth": 30, "thirty-first": 31, "thirty first": 31}
NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip


def _easter(year: int) -> dt.date:
    """Western Easter Sunday (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weeks = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weeks) // 451
    month, day = divmod(h + weeks - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date | None:
    """The n-th `weekday` of the month (n = -1: the last), or None past its end."""
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1)
            if dt.date(year, month, d).weekday() == weekday]  # fmt: skip
    if n == 0 or not -len(days) <= n <= len(days):
        return None
    return dt.date(year, month, days[n if n < 0 else n - 1])


def _fixed(month: int, day: int) -> Callable[[int], dt.date]:
    return lambda year: dt.date(year, month, day)


def _nth(month: int, weekday: int, n: int) -> Callable[[int], dt.date | None]:
    return lambda year: _nth_weekday(year, month, weekday, n)


def _weekday_nearest(month: int, day: int) -> Callable[[int], dt.date]:
    """Observed on the nearest weekday when it falls at a weekend (Boss's Day)."""

    def on(year: int) -> dt.date:
        date = dt.date(year, month, day)
        return date + dt.timedelta(days={5: -1, 6: 1}.get(date.weekday(), 0))

    return on


def _kings_day(year: int) -> dt.date:
    date = dt.date(year, 4, 27)
    return date - dt.timedelta(days=1) if date.weekday() == 6 else date


_THANKSGIVING = _nth(11, 3, 4)
# Holidays with a Gregorian rule, keyed without apostrophes; the regex accepts them either way.
HOLIDAYS: dict[str, Callable[[int], dt.date | None]] = {
    "christmas": _fixed(12, 25), "christmas day": _fixed(12, 25), "xmas": _fixed(12, 25),
    "christmas eve": _fixed(12, 24), "new year's day": _fixed(1, 1),
    "new year's eve": _fixed(12, 31), "halloween": _fixed(10, 31),
    "valentine's day": _fixed(2, 14), "valentine day": _fixed(2, 14),
    "independence day": _fixed(7, 4), "veterans day": _fixed(11, 11),
    "armistice day": _fixed(11, 11), "remembrance day": _fixed(11, 11),
    "boxing day": _fixed(12, 26), "st patrick's day": _fixed(3, 17),
    "st. patrick's day": _fixed(3, 17), "saint patrick's day": _fixed(3, 17),
    "st paddy's day": _fixed(3, 17), "saint paddy's day": _fixed(3, 17),
    "may day": _fixed(5, 1), "bastille day": _fixed(7, 14), "world vegan day": _fixed(11, 1),
    "international women's day": _fixed(3, 8), "juneteenth": _fixed(6, 19),
    "thanksgiving": _THANKSGIVING, "thanksgiving day": _THANKSGIVING,
    "black friday": lambda year: _THANKSGIVING(year) + dt.timedelta(days=1),  # type: ignore[operator]
    "labor day": _nth(9, 0, 1), "memorial day": _nth(5, 0, -1), "columbus day": _nth(10, 0, 2),
    "mlk day": _nth(1, 0, 3), "mlk jr. day": _nth(1, 0, 3),
    "martin luther king day": _nth(1, 0, 3), "martin luther king's day": _nth(1, 0, 3),
    "martin luther king jr. day": _nth(1, 0, 3), "civil rights day": _nth(1, 0, 3),
    "presidents' day": _nth(2, 0, 3), "president's day": _nth(2, 0, 3),
    "mother's day": _nth(5, 6, 2), "father's day": _nth(6, 6, 3),
    "boss's day": _weekday_nearest(10, 16), "boss's": _weekday_nearest(10, 16),
    "boss day": _weekday_nearest(10, 16), "king's day": _kings_day, "koningsdag": _kings_day,
    "easter": _easter, "easter sunday": _easter,
}  # fmt: skip


def _key(words: str) -> str:
    return " ".join(re.sub(r"['’]", "", words.lower()).split())


_HOLIDAY_BY_KEY = {_key(name): rule for name, rule in HOLIDAYS.items()}


def _alternation(words) -> str:
    escaped = (re.escape(w).replace(r"\ ", r"\s+").replace("'", "['’]?")
               for w in sorted(words, key=len, reverse=True))  # fmt: skip
    return "(?:" + "|".join(escaped) + ")"


# Pieces of the patterns. Each form captures whole pieces; the _read_* helpers parse them.
_MON = _alternation(MONTHS) + r"\.?"
_WD = _alternation(WEEKDAYS)
_HOL = _alternation(HOLIDAYS)
_ORD = rf"(?:\d{{1,2}}(?:st|nd|rd|th)|{_alternation(ORDINALS)})"
_DAY = rf"(?:(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d)|{_alternation(ORDINALS)})"
_NUM = rf"(?:\d{{1,2}}|{_alternation(NUMBER_WORDS)})"
_UNIT = r"(?:day|week|fortnight|month|year)"
_YEAR4 = r"(?:1\d|20)\d{2}(?:\s*a\.?d\b\.?)?"
_YREL = r"(?:this|last|next|the\s+current|current|the\s+previous|the\s+following|the\s+coming)"
_YEARSPEC = rf"(?:(?:of\s+)?{_YEAR4}|(?:of\s+)?{_YREL}\s+(?:year|yr))"
_MREL = r"(?:the\s+)?(?:this|last|next|current|previous|following|coming)\s+month|the\s+month"
_MONTHSPEC = rf"(?:(?:the\s+)?{_MON}(?:,?\s+{_YEARSPEC})?|{_MREL})"
_MOD = r"(?P<mod>(?:early|late|earlier|later|mid-?|(?:the\s+)?(?:end|start|beginning|middle)\s+of)\s*)?"  # noqa: E501


def _read_day(words: str) -> int:
    words = " ".join(words.lower().split())
    return ORDINALS[words] if words in ORDINALS else int(re.sub(r"\D", "", words))


def _read_number(words: str) -> int:
    words = words.lower()
    return NUMBER_WORDS[words] if words in NUMBER_WORDS else int(words)


def _read_month(words: str) -> int:
    return MONTHS[words.lower().rstrip(".")]


def _read_weekday(words: str) -> int:
    word = words.lower().rstrip(".")
    return WEEKDAYS[word] if word in WEEKDAYS else WEEKDAYS[word.removesuffix("s")]


def _read_year(words: str, reference: dt.date | None) -> int | None:
    """A four- or two-digit year, or "next year" against the reference."""
    words = " ".join(words.lower().split())
    if digits := re.search(r"\d+", words):
        year = int(digits.group())
        return year if len(digits.group()) == 4 else year + (1900 if year >= 50 else 2000)
    if reference is None:
        return None
    shift = 1 if re.search(r"next|following|coming", words) else (
        -1 if re.search(r"last|previous", words) else 0)  # fmt: skip
    return reference.year + shift


def _shift_months(date: dt.date, months: int) -> dt.date:
    year, month = divmod(date.year * 12 + date.month - 1 + months, 12)
    return dt.date(year, month + 1, min(date.day, calendar.monthrange(year, month + 1)[1]))


def _shift(date: dt.date, n: int, unit: str) -> dt.date:
    unit = unit.lower()
    if unit in ("month", "year"):
        return _shift_months(date, n * (12 if unit == "year" else 1))
    return date + dt.timedelta(days=n * {"day": 1, "week": 7, "fortnight": 14}[unit])


def _day(date: dt.date | None) -> DateValue | None:
    return None if date is None else DateValue(date.isoformat(), "day")


def _month(year: int, month: int) -> DateValue:
    return DateValue(f"{year:04d}-{month:02d}", "month")


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _pick(
    rule: Callable[[int], dt.date | None],
    reference: dt.date,
    tense: Tense | None,
    strict: bool = False,
) -> dt.date | None:
    """The occurrence of a yearly date that the tense points at; nearest without one."""
    dates = [d for y in range(reference.year - 4, reference.year + 5) if (d := rule(y))]
    past = [d for d in dates if d < reference or (d == reference and not strict)]
    future = [d for d in dates if d > reference or (d == reference and not strict)]
    if tense == "past":
        return max(past, default=None)
    if tense == "future":
        return min(future, default=None)
    return min(dates, key=lambda d: (abs((d - reference).days), d > reference), default=None)


def _pick_month(month: int, reference: dt.date, tense: Tense | None) -> tuple[int, int]:
    """The year of a month named without one: same rule as _pick, counted in months."""
    now = reference.year * 12 + reference.month - 1
    options = [y * 12 + month - 1 for y in (reference.year - 1, reference.year, reference.year + 1)]
    if tense == "past":
        chosen = max(o for o in options if o <= now)
    elif tense == "future":
        chosen = min(o for o in options if o >= now)
    else:
        chosen = min(options, key=lambda o: (abs(o - now), o > now))
    return chosen // 12, month


def _month_of(
    words: str, reference: dt.date | None, tense: Tense | None
) -> tuple[int | None, int] | None:
    """(year, month) of a month phrase; year None when a named month has no year."""
    words = " ".join(words.lower().split())
    if words.startswith("the "):
        words = words[4:]
    if words.endswith("month"):
        if reference is None:
            return None
        shift = 1 if re.match(r"next|following|coming", words) else (
            -1 if re.match(r"last|previous", words) else 0)  # fmt: skip
        moved = _shift_months(reference.replace(day=1), shift)
        return moved.year, moved.month
    found = re.match(rf"({_MON}),?(?:\s+(.+))?$", words)
    if not found:
        return None
    month = _read_month(found.group(1))
    if found.group(2) is None:
        return None, month
    year = _read_year(found.group(2), reference)
    return None if year is None else (year, month)


def _on_month(
    words: str,
    rule: Callable[[int, int], dt.date | None],
    reference: dt.date | None,
    tense: Tense | None,
) -> DateValue | None:
    """A day fixed within a month phrase ("first Tuesday of October", "20 of next month")."""
    spec = _month_of(words, reference, tense)
    if spec is None:
        return None
    year, month = spec
    if year is not None:
        return _day(rule(year, month))
    if reference is None:
        return None
    return _day(_pick(lambda y: rule(y, month), reference, tense))


def _weekday_of(reference: dt.date, weekday: int, tense: Tense | None) -> dt.date:
    if tense == "future":
        return reference + dt.timedelta(days=(weekday - reference.weekday()) % 7 or 7)
    return reference - dt.timedelta(days=(reference.weekday() - weekday) % 7)


def _monday(reference: dt.date, weeks: int) -> dt.date:
    return reference - dt.timedelta(days=reference.weekday()) + dt.timedelta(weeks=weeks)


_WEEK = {"last": -1, "this": 0, "next": 1}


# Resolvers: one per form, from the match's groups to a value (None: cannot say).
def _r_iso(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    return _day(_date(int(g["y"]), int(g["m"]), int(g["d"])))


def _r_iso_month(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    return _month(int(g["y"]), int(g["m"])) if 1 <= int(g["m"]) <= 12 else None


def _r_numeric(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    """Month first, as Duckling's plain English does; day first when it cannot be a month."""
    month, day = int(g["a"]), int(g["b"])
    if month > 12 >= day:
        month, day = day, month
    if g.get("y"):
        return _day(_date(_read_year(g["y"], ref) or 0, month, day))
    return None if ref is None else _day(_pick(lambda y: _date(y, month, day), ref, tense))


def _r_dated(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    """Day and month, perhaps a year and a weekday that picks the year."""
    month, day = _read_month(g["mon"]), _read_day(g["day"])
    if g.get("year"):
        year = _read_year(g["year"], ref)
        return None if year is None else _day(_date(year, month, day))
    if ref is None:
        return None
    if g.get("wd"):
        weekday = _read_weekday(g["wd"])
        years = sorted(range(ref.year - 11, ref.year + 12), key=lambda y: abs(y - ref.year))
        fits = [d for y in years if (d := _date(y, month, day)) and d.weekday() == weekday]
        if fits:
            return _day(min(fits, key=lambda d: abs((d - ref).days)))
    return _day(_pick(lambda y: _date(y, month, day), ref, tense))


def _r_month_year(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    year = _read_year(g["year"], ref)
    return None if year is None else _month(year, _read_month(g["mon"]))


def _r_weekday_dom(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    """ "Tuesday the 19th": the nearest month, in the tense's direction, where that fits."""
    if ref is None:
        return None
    weekday, day = _read_weekday(g["wd"]), _read_day(g["day"])
    step = -1 if tense == "past" else 1
    for k in range(0, 28):
        first = _shift_months(ref.replace(day=1), k * step)
        date = _date(first.year, first.month, day)
        if date and date.weekday() == weekday:
            return _day(date)
    return None


def _r_weekday(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    if ref is None:
        return None
    weekday = _read_weekday(g["wd"])
    rel = (g.get("rel") or "").lower()
    if rel == "next":  # of next week
        return _day(_monday(ref, 1) + dt.timedelta(days=weekday))
    if rel in ("last", "past"):
        return _day(ref - dt.timedelta(days=(ref.weekday() - weekday) % 7 or 7))
    if rel == "coming":
        return _day(_weekday_of(ref, weekday, "future"))
    if rel == "this":
        return _day(_weekday_of(ref, weekday, "past") if tense == "past" else
                    ref + dt.timedelta(days=(weekday - ref.weekday()) % 7))  # fmt: skip
    return _day(_weekday_of(ref, weekday, tense))


def _r_weekday_week(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    if ref is None:
        return None
    return _day(_monday(ref, _WEEK[g["wk"].lower()]) + dt.timedelta(days=_read_weekday(g["wd"])))


def _r_weekday_after_next(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    if ref is None:
        return None
    return _day(_weekday_of(ref, _read_weekday(g["wd"]), "future") + dt.timedelta(days=7))


def _r_weekday_count(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    """ "3 Fridays from now", "2 Thursdays ago"."""
    if ref is None:
        return None
    n, weekday = _read_number(g["n"]), _read_weekday(g["wd"])
    back = g["dir"].lower() in ("ago", "back")
    first = _weekday_of(ref, weekday, "future") if not back else (
        ref - dt.timedelta(days=(ref.weekday() - weekday) % 7 or 7))  # fmt: skip
    return _day(first + dt.timedelta(weeks=(n - 1) * (-1 if back else 1)))


def _r_relative_day(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    if ref is None:
        return None
    words = " ".join(g["rd"].lower().split())
    shift = {"yesterday": -1, "the day before yesterday": -2, "the day after tomorrow": 2}.get(
        words, 1 if words.startswith("tomorrow") else 0
    )
    return _day(ref + dt.timedelta(days=shift))


def _r_relative(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    """ "last month", "earlier this year", "the end of the year", "next week"."""
    words = " ".join(g["rel"].lower().split())
    if ref is None or (words in ("the month", "the year") and not g.get("mod")):
        return None
    shift = 1 if re.match(r"(the )?(next|following|coming)", words) else (
        -1 if re.match(r"(the )?(last|previous)", words) else 0)  # fmt: skip
    if words.endswith(("year", "yr")):
        return DateValue(f"{ref.year + shift:04d}", "year")
    if words.endswith("month"):
        moved = _shift_months(ref.replace(day=1), shift)
        return _month(moved.year, moved.month)
    monday = _monday(ref, shift)
    sunday = monday + dt.timedelta(days=6)
    return _month(monday.year, monday.month) if monday.month == sunday.month else None


def _r_month_rel(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    if ref is None:
        return None
    month, rel = _read_month(g["mon"]), (g.get("rel") or "").lower()
    if rel == "this":
        return _month(ref.year, month)
    if rel in ("last", "past"):
        return _month(ref.year - (month >= ref.month), month)
    year = ref.year + (month <= ref.month)  # next, coming, "after next"
    return _month(year + (rel == "after next"), month)


def _r_month(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    return None if ref is None else _month(*_pick_month(_read_month(g["mon"]), ref, tense))


def _r_year(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    return DateValue(f"{_read_year(g['year'], ref):04d}", "year")


def _holiday_in(g: Groups, year: int) -> dt.date | None:
    return _HOLIDAY_BY_KEY[_key(g["hol"])](year)


def _r_holiday(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    if g.get("year"):
        year = _read_year(g["year"], ref)
        return None if year is None else _day(_holiday_in(g, year))
    if ref is None:
        return None
    rel = (g.get("rel") or "").lower()
    direction: Tense | None = {"last": "past", "next": "future", "this": "future"}.get(rel, tense)
    return _day(_pick(lambda y: _holiday_in(g, y), ref, direction, strict=rel == "last"))


def _r_anchor_shift(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    """ "Thanksgiving in 9 months", "March in a year": the anchor in the year shifted to."""
    if ref is None:
        return None
    n = _read_number(g["n"]) * (-1 if (g.get("dir") or "").lower() == "ago" else 1)
    year = _shift(ref, n, g["unit"]).year
    if g.get("mon"):
        return _month(year, _read_month(g["mon"]))
    return _day(_holiday_in(g, year))


def _r_shift(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    """ "three weeks ago", "in 2 years": years keep the month, shorter units the day."""
    if ref is None:
        return None
    unit, n = g["unit"].lower(), _read_number(g["n"])
    direction = (g.get("dir") or "in").lower()
    date = _shift(ref, -n if direction in ("ago", "back") else n, unit)
    if unit == "year" and "today" not in direction:
        return _month(date.year, date.month)
    return _day(date)


def _r_upcoming(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    if ref is None:
        return None
    unit = g["unit"].lower()
    date = _shift(ref, _read_number(g["n"]), unit)
    if unit == "year":
        return DateValue(f"{date.year:04d}", "year")
    return _month(date.year, date.month) if unit == "month" else _day(date)


def _r_nth_weekday(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    weekday = _read_weekday(g["wd"])
    n = -1 if g["ord"].lower() == "last" else _read_day(g["ord"])
    return _on_month(g["ms"], lambda y, m: _nth_weekday(y, m, weekday, n), ref, tense)


def _r_nth_day(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    """ "third day of October", "fifth last day of May", "20th of next month"."""
    if not g.get("ord") and not g.get("last"):
        return None  # "every day in March"
    n = _read_day(g["ord"]) if g.get("ord") else 1
    from_end = bool(g.get("last"))

    def rule(year: int, month: int) -> dt.date | None:
        length = calendar.monthrange(year, month)[1]
        return _date(year, month, length + 1 - n if from_end else n)

    return _on_month(g["ms"], rule, ref, tense)


def _r_day_of_month(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    """ "on the 15th": that day of the nearest month."""
    if ref is None:
        return None
    day = _read_day(g["day"])
    months = [_shift_months(ref.replace(day=1), k) for k in (-1, 0, 1)]
    dates = [d for m in months if (d := _date(m.year, m.month, day))]
    return _day(_closest(dates, ref, tense))


def _closest(dates: list[dt.date], ref: dt.date, tense: Tense | None) -> dt.date | None:
    if tense:
        dates = [d for d in dates if (d <= ref if tense == "past" else d >= ref)]
    return min(dates, key=lambda d: (abs((d - ref).days), d > ref), default=None)


def _r_ides(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    month = _read_month(g["mon"])
    day = 15 if month in (3, 5, 7, 10) else 13
    return None if ref is None else _day(_pick(lambda y: _date(y, month, day), ref, tense))


def _r_after(g: Groups, ref: dt.date | None, tense: Tense | None) -> DateValue | None:
    """ "three days after Easter", "a year from Christmas", "third Tuesday after X"."""
    anchor = resolve_date(g["rest"], ref, tense)
    if anchor is None or anchor.granularity != "day":
        return None
    base = dt.date.fromisoformat(anchor.value)
    if g.get("wd"):
        weekday = _read_weekday(g["wd"])
        return _day(
            _weekday_of(base, weekday, "future") + dt.timedelta(weeks=_read_day(g["ord"]) - 1)
        )  # noqa: E501
    n = _read_number(g["n"]) * (-1 if g["dir"].lower() == "before" else 1)
    return _day(_shift(base, n, g["unit"]))


Resolver = Callable[[Groups, "dt.date | None", "Tense | None"], "DateValue | None"]
_DMY = rf"(?:the\s+)?(?P<day>{_DAY})(?:\s+of\s+|\s*[/-]?\s*)(?P<mon>{_MON})"
_MDY = rf"(?P<mon>{_MON})\s*(?:the\s+)?(?P<day>{_DAY})"
_Y = rf"(?:\s*[,/-]?\s*(?P<year>{_YEARSPEC}|\d{{2}}(?!\d)))?"
_SHIFT = rf"(?P<n>{_NUM})\s+(?P<unit>{_UNIT})s?"
_ANCHOR = rf"(?:(?P<mon>{_MON})|(?P<hol>{_HOL}))"

# (name, pattern, resolver, found by find_dates). resolve_date tries them in this order.
_FORMS: list[tuple[str, str, Resolver, bool]] = [
    ("iso", r"(?P<y>\d{4})([-/])(?P<m>\d{1,2})\2(?P<d>\d{1,2})", _r_iso, True),
    ("iso_month", r"(?P<y>\d{4})[-/](?P<m>\d{1,2})", _r_iso_month, False),
    (
        "numeric",
        r"(?P<a>\d{1,2})\s*([/.-])\s*(?P<b>\d{1,2})(?:\2(?P<y>\d{4}|\d{2}))?",
        _r_numeric,
        True,
    ),
    ("month_numeric", r"(?P<m>\d{1,2})/(?P<y>\d{4})", _r_iso_month, False),
    ("weekday_dmy", rf"(?P<wd>{_WD})\.?,?\s+{_DMY}{_Y}", _r_dated, True),
    ("weekday_mdy", rf"(?P<wd>{_WD})\.?,?\s+{_MDY}{_Y}", _r_dated, True),
    ("mdy_weekday", rf"{_MDY},?\s+(?P<wd>{_WD})\.?", _r_dated, False),
    ("dmy", _DMY + _Y, _r_dated, True),
    ("mdy", _MDY + _Y, _r_dated, True),
    ("month_year", rf"{_MOD}(?P<mon>{_MON}),?\s+(?P<year>{_YEARSPEC})", _r_month_year, True),
    (
        "weekday_dom",
        rf"(?P<wd>{_WD})\.?,?\s+(?:the\s+)?(?P<day>\d{{1,2}}(?:st|nd|rd|th))",
        _r_weekday_dom,
        True,
    ),
    (
        "weekday_week",
        rf"(?P<wd>{_WD})\s+(?:of\s+|from\s+)?(?P<wk>this|next|last)\s+week",
        _r_weekday_week,
        True,
    ),
    (
        "week_weekday",
        rf"(?P<wk>this|next|last)\s+week['’]?s\s+(?P<wd>{_WD})",
        _r_weekday_week,
        True,
    ),
    ("weekday_after_next", rf"(?P<wd>{_WD})\s+after\s+next", _r_weekday_after_next, True),
    (
        "weekday_count",
        rf"(?P<n>{_NUM})\s+(?P<wd>{_WD})s\s+(?P<dir>from\s+now|hence|ago|back)",
        _r_weekday_count,
        True,
    ),
    ("weekday_rel", rf"(?P<rel>last|next|this|coming|past)\s+(?P<wd>{_WD})\.?", _r_weekday, True),
    ("weekday", rf"(?P<wd>{_WD})\.?", _r_weekday, True),
    (
        "relative_day",
        r"(?P<rd>today|tonight|tomorrows?|yesterday|the\s+day\s+before\s+yesterday"
        r"|the\s+day\s+after\s+tomorrow)",
        _r_relative_day,
        True,
    ),
    ("now", r"(?P<rd>at\s+this\s+time)", _r_relative_day, False),
    (
        "relative",
        rf"{_MOD}(?P<rel>{_YREL}\s+(?:year|yr|month|week)|the\s+(?:year|month))",
        _r_relative,
        True,
    ),
    ("current", r"(?P<rel>current\s+(?:year|month))", _r_relative, True),
    (
        "nth_weekday",
        rf"(?:the\s+)?(?P<ord>{_ORD}|last)\s+(?P<wd>{_WD})\s+(?:of|in)\s+"
        rf"(?P<ms>{_MONTHSPEC})",
        _r_nth_weekday,
        True,
    ),
    (
        "nth_day",
        rf"(?:the\s+)?(?:(?P<ord>{_ORD})\s+)?(?P<last>last\s+)?day\s+(?:of|in)\s+"
        rf"(?P<ms>{_MONTHSPEC})",
        _r_nth_day,
        True,
    ),
    ("day_of_rel_month", rf"(?:the\s+)?(?P<ord>{_DAY})\s+of\s+(?P<ms>{_MREL})", _r_nth_day, True),
    # "next Feb. 16" is a day: the month pattern leaves it to the day patterns
    ("month_rel", rf"(?P<rel>last|next|this|coming|past)\s+(?P<mon>{_MON})(?!\.?\s+\d)",
     _r_month_rel, True),
    ("month_after_next", rf"(?P<mon>{_MON})\s+(?P<rel>after\s+next)", _r_month_rel, True),
    ("anchor_in", rf"{_ANCHOR}\s+in\s+{_SHIFT}", _r_anchor_shift, False),
    ("anchor_ago", rf"{_ANCHOR}\s+{_SHIFT}\s+(?P<dir>from\s+now|ago)", _r_anchor_shift, False),
    (
        "holiday",
        rf"(?:(?P<rel>this|next|last)\s+)?(?P<hol>{_HOL})(?:\s+(?P<year>{_YEARSPEC}))?",
        _r_holiday,
        True,
    ),
    ("ides", rf"the\s+ides\s+of\s+(?P<mon>{_MON})", _r_ides, False),
    ("month", rf"{_MOD}(?P<mon>{_MON})", _r_month, True),
    ("year", rf"{_MOD}(?P<year>{_YEAR4})", _r_year, True),
    ("shift", rf"{_SHIFT}\s+(?P<dir>ago|back|hence|from\s+now|from\s+today)", _r_shift, True),
    ("shift_in", rf"in\s+{_SHIFT}", _r_shift, False),
    ("upcoming", rf"upcoming\s+{_SHIFT}", _r_upcoming, False),
    ("n_upcoming", rf"(?P<n>{_NUM})\s+upcoming\s+(?P<unit>{_UNIT})s?", _r_upcoming, False),
    (
        "after",
        rf"(?:{_SHIFT}|(?P<ord>{_ORD})\s+(?P<wd>{_WD}))\s+(?P<dir>after|before|from)\s+"
        r"(?P<rest>.+)",
        _r_after,
        False,
    ),
    ("day_of_month", rf"the\s+(?P<day>{_DAY})", _r_day_of_month, True),
]
_START, _END = r"(?<![\w$€£])(?<!\d[/.,-])", r"(?![\w'’]|[/.,-]\d)"
_COMPILED = [(name, re.compile(_START + rf"(?:{form})" + _END, re.IGNORECASE), resolver, find)
             for name, form, resolver, find in _FORMS]  # fmt: skip
_LEAD = re.compile(
    r"^(?:on|in|during|around|about|at|by|since|until|till|from|of|sometime\s+in|back\s+in)"
    r"\s+(?=\S)", re.IGNORECASE)  # fmt: skip


def resolve_date(text: str, reference: dt.date | None,
                 tense: Tense | None = None) -> DateValue | None:  # fmt: skip
    """The date that `text` states as a whole ("on Thursday", "14 October 2021").

    `reference` is the publication date; relative words without one give None.
    """
    text = " ".join(text.replace("’", "'").split()).rstrip(",;:")
    for candidate in (text, _LEAD.sub("", text)):
        for _name, pattern, resolver, _find in _COMPILED:
            match = pattern.fullmatch(candidate)
            if match and (value := _resolve(resolver, match, reference, tense)):
                return value
    return None


def _resolve(resolver: Resolver, match: re.Match[str], reference: dt.date | None,
             tense: Tense | None) -> DateValue | None:  # fmt: skip
    groups = {k: v for k, v in match.groupdict().items() if v is not None}
    try:
        return resolver(groups, reference, tense)
    except (ValueError, KeyError, OverflowError):
        return None


# Words before (or, failing that, after) a date that say whether it is past or to come.
_CUES = re.compile(
    r"\b(?P<future>will|shall|would|may|might|(?:is|are|was|were)\s+(?:due|set|expected|scheduled|slated|"
    r"going)\s+to|(?:is|are)\s+to|to\s+be\s+\w+|due\s+to|set\s+to|expected|scheduled|"
    r"planned|plans?\s+to|intends?\s+to|aims?\s+to|upcoming|forthcoming|next|to\s+(?:sign|hold|"
    r"meet|visit|start|begin|take|launch|conclude|finalise|finalize|ratify))\b"
    r"|\b(?P<past>[a-z]+ed|said|met|held|took|signed|agreed|was|were|had|did|came|made|"
    r"began|told|sent|gave|wrote|went|last)\b")  # fmt: skip
_CLAUSE_END = re.compile(r"[.;:!?](?:\s|$)|\n")


def _tense(text: str, start: int, end: int) -> Tense | None:
    """The nearest cue before the date within its sentence, else the first one after."""
    stops = [m.end() for m in _CLAUSE_END.finditer(text, 0, start)]
    begin = stops[-1] if stops else 0
    before = list(_CUES.finditer(text, begin, start))
    stop = _CLAUSE_END.search(text, end)
    comma = text.find(",", end)
    limit = min(stop.start() if stop else len(text), comma if comma >= 0 else len(text))
    after = _CUES.search(text, end, limit)
    cue = before[-1] if before else after
    if cue is None:
        return None
    return "future" if cue.group("future") else "past"


def find_dates(text: str, reference: dt.date | None) -> list[Match[DateValue]]:
    """Every date expression in `text`, in order, without overlaps (the longest wins).

    The mention is the date words alone ("Thursday", not "on Thursday"); each date's
    tense comes from the words of its sentence ("will sign on Friday").
    """
    found: list[tuple[int, int, DateValue]] = []
    for name, pattern, resolver, find in _COMPILED:
        if not find:
            continue
        for match in pattern.finditer(text):
            if not _plausible(name, match, text):
                continue
            start, end = match.span()
            if (word := re.search(r"(\w+)\.$", match.group())) and word.group(1).lower() in _FULL:
                end -= 1  # "on Thursday." ends the sentence, not an abbreviation
            value = _resolve(resolver, match, reference, _tense(text, start, end))
            if value is not None:
                found.append((start, end, value))
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    kept: list[tuple[int, int, DateValue]] = []
    for start, end, value in found:
        if all(end <= s or e <= start for s, e, _ in kept):
            kept.append((start, end, value))
    return [Match(s, e, text[s:e], v) for s, e, v in sorted(kept, key=lambda k: k[0])]


# What running text needs before a word is taken for a date (resolve_date trusts its caller).
_FULL = {
    w for w in [*MONTHS, *WEEKDAYS] if len(w) > 5 or w in ("may", "june", "july", "march", "april")
}
_BARE_MONTH_NEEDS_LEAD = {"may", "march", "june"}
_LEADS = {
    "in", "since", "by", "until", "till", "from", "during", "of", "early", "late", "mid",
    "last", "next", "this", "and", "or", "through", "before", "after", "between", "to", "on",
    "end", "start", "beginning", "middle", "for",
}  # fmt: skip
_DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "our", "that", "this", "these"}
_NOT_A_DAY = re.compile(  # "Sunday Times", "Saturday Night Live"
    r"\s+(?:Times|Telegraph|Express|Mirror|Herald|Post|Observer|Star|Independent|Tribune|"
    r"Morning|Night|People|Sport|Service|School|Bloody)\b")  # fmt: skip
_NOT_A_YEAR = re.compile(
    r"\s*(?:%|percent|per\s+cent|troops|soldiers|personnel|people|men|women|members|km|"
    r"kilometres|kilometers|miles|metres|meters|feet|tonnes|tons|units|missiles|aircraft|"
    r"jets|tanks|rounds|vehicles|ships|dollars|euros|pounds|hours|\w+\s+(?:dollars|euros))\b",
    re.IGNORECASE)  # fmt: skip


def _word_before(text: str, start: int) -> str:
    words = re.findall(r"[\w'’.-]+", text[max(0, start - 30) : start])
    return words[-1] if words else ""


def _plausible(name: str, match: re.Match[str], text: str) -> bool:
    """Reject months that are words ("they may sign"), names and numbers that are not years."""
    groups = {k: v for k, v in match.groupdict().items() if v is not None}
    for key in ("mon", "wd", "hol"):
        if key in groups and not groups[key][0].isupper():
            return False  # news capitalises months, weekdays and holidays
    mon, wd = groups.get("mon", ""), groups.get("wd", "")
    before = _word_before(text, match.start())
    month = mon.rstrip(".").lower()
    if name == "month" and (
        month not in _FULL
        or (month in _BARE_MONTH_NEEDS_LEAD and not groups.get("mod")
            and before.lower().rstrip("-") not in _LEADS)
    ):  # fmt: skip
        return False
    if name in ("weekday", "weekday_rel") and (
        wd.lower() not in _FULL or _NOT_A_DAY.match(text, match.end())
    ):
        return False
    if name == "mdy" and not groups["day"][0].isdigit():
        return False  # "in March first talks": only digits after a month
    if "year" in groups and re.fullmatch(r"\d{2}", groups["year"].strip(" ,/-")):
        return False  # "6 January 15 people": no two-digit years in running text
    if name == "numeric" and len(groups.get("y", "")) != 4:
        return False
    if name == "year" and not groups.get("mod"):
        if before[:1].isupper() and before.lower() not in _LEADS | _DETERMINERS | set(MONTHS):
            return False  # "Vision 2030", "Resolution 2022"
        if _NOT_A_YEAR.match(text, match.end()) or before.lower() in ("no.", "#", "number"):
            return False
    if name == "relative" and re.search(r"previous|following", groups["rel"], re.I):
        return False  # relative to the story's own time, not to the publication date
    if name == "holiday" and _key(groups["hol"]) == "bosss":
        return False  # "the Boss's decision"
    if name == "day_of_month":
        return before.lower() == "on" and not re.match(r"\s+[a-z]", text[match.end() :])
    return True
