"""Money: "$9.3 billion", "Rs 5,000 crore", "about 1.2 trillion won a year".

Plain "$" and "dollars" are read as US dollars, the convention of English-language news
(a Canadian or Australian amount is written C$ or A$ there). A hedge before the amount
("about", "nearly") and a period after it ("a year") belong to the mention, so the
mention alone re-reads to the same value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from treatyx.normalize.base import Match
from treatyx.normalize.numbers import NUMBER_PATTERN, parse_number


@dataclass(frozen=True)
class Money:
    value: float
    currency: str
    period: Literal["year", "month"] | None = None
    approximate: bool = False


# Symbols and codes written before the number, longest first.
PREFIXES: dict[str, str] = {
    "US$": "USD", "U.S.$": "USD", "USD": "USD", "A$": "AUD", "AU$": "AUD", "AUD": "AUD",
    "C$": "CAD", "CA$": "CAD", "CAD": "CAD", "NZ$": "NZD", "NZD": "NZD", "HK$": "HKD",
    "HKD": "HKD", "S$": "SGD", "SGD": "SGD", "NT$": "TWD", "TWD": "TWD", "R$": "BRL",
    "$": "USD", "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP", "¥": "JPY", "JPY": "JPY",
    "JP¥": "JPY", "CN¥": "CNY", "RMB": "CNY", "CNY": "CNY", "₹": "INR", "Rs.": "INR",
    "Rs": "INR", "INR": "INR", "₩": "KRW", "KRW": "KRW", "₽": "RUB", "RUB": "RUB",
    "₪": "ILS", "ILS": "ILS", "zł": "PLN", "PLN": "PLN", "SEK": "SEK", "NOK": "NOK",
    "DKK": "DKK", "CHF": "CHF", "SAR": "SAR", "AED": "AED", "TRY": "TRY", "₺": "TRY",
    "PHP": "PHP", "₱": "PHP", "IDR": "IDR", "Rp": "IDR", "MYR": "MYR", "RM": "MYR",
    "THB": "THB", "฿": "THB", "VND": "VND", "₫": "VND", "EGP": "EGP", "ZAR": "ZAR",
    "BRL": "BRL", "MXN": "MXN", "UAH": "UAH", "₴": "UAH", "PKR": "PKR", "QAR": "QAR",
    "KWD": "KWD", "BDT": "BDT", "NGN": "NGN", "₦": "NGN", "KES": "KES",
}

# Words (and codes) written after the number.
SUFFIXES: dict[str, str] = {
    "us dollars": "USD", "u.s. dollars": "USD", "american dollars": "USD",
    "australian dollars": "AUD", "canadian dollars": "CAD", "new zealand dollars": "NZD",
    "hong kong dollars": "HKD", "singapore dollars": "SGD", "taiwan dollars": "TWD",
    "new taiwan dollars": "TWD", "dollars": "USD", "dollar": "USD", "bucks": "USD",
    "buck": "USD", "euros": "EUR", "euro": "EUR", "eur": "EUR", "€": "EUR", "€ur": "EUR",
    "pounds sterling": "GBP", "pounds": "GBP", "pound": "GBP", "sterling": "GBP",
    "quid": "GBP", "gbp": "GBP", "£": "GBP", "yen": "JPY", "jpy": "JPY", "won": "KRW",
    "krw": "KRW", "rupees": "INR", "rupee": "INR", "indian rupees": "INR", "inr": "INR",
    "pakistani rupees": "PKR", "yuan": "CNY", "renminbi": "CNY", "rmb": "CNY", "cny": "CNY",
    "roubles": "RUB", "rubles": "RUB", "rouble": "RUB", "ruble": "RUB", "shekels": "ILS",
    "shekel": "ILS", "zloty": "PLN", "zlotys": "PLN", "złoty": "PLN", "zł": "PLN",
    "kronor": "SEK", "swedish kronor": "SEK", "norwegian kroner": "NOK", "danish kroner": "DKK",
    "swiss francs": "CHF", "francs": "CHF", "riyals": "SAR", "saudi riyals": "SAR",
    "dirhams": "AED", "lira": "TRY", "liras": "TRY", "turkish lira": "TRY", "pesos": "PHP",
    "philippine pesos": "PHP", "rupiah": "IDR", "ringgit": "MYR", "baht": "THB",
    "dong": "VND", "rand": "ZAR", "reais": "BRL", "hryvnias": "UAH", "hryvnia": "UAH",
    "naira": "NGN", "cents": "USD_CENT", "cent": "USD_CENT", "pence": "GBP_PENCE",
    "p": "GBP_PENCE", "c": "USD_CENT", "kuwaiti dinar": "KWD", "kuwaiti dinars": "KWD",
    "lebanese pounds": "LBP", "lebanese pound": "LBP", "egyptian pounds": "EGP",
    "egyptian pound": "EGP", "egyptianpound": "EGP", "le": "EGP", "l.e": "EGP", "l.e.": "EGP",
    "geneh": "EGP", "genihat masriya": "EGP", "qatari riyals": "QAR", "qatari riyal": "QAR",
    "saudiriyal": "SAR", "saudi riyal": "SAR", "ringgits": "MYR", "malaysia ringgit": "MYR",
    "malaysian ringgit": "MYR", "malaysia ringgits": "MYR", "malaysian ringgits": "MYR",
    "tugriks": "MNT", "tugrik": "MNT", "bulgarian lev": "BGN", "leva": "BGN",
    "kopiykas": "UAH_KOPIYKA", "korean won": "KRW", "south korean won": "KRW",
    "chinese yuan": "CNY", "japanese yen": "JPY",
}
ISO_CODES = {"USD", "EUR", "GBP", "JPY", "CNY", "INR", "KRW", "AUD", "CAD", "NZD", "HKD", "SGD",
             "TWD", "RUB", "ILS", "PLN", "SEK", "NOK", "DKK", "CHF", "SAR", "AED", "TRY", "PHP",
             "IDR", "MYR", "THB", "VND", "EGP", "ZAR", "BRL", "MXN", "UAH", "PKR", "QAR", "KWD",
             "BDT", "NGN", "KES", "LBP", "BGN", "MNT", "BHD", "OMR", "JOD", "IQD", "IRR"}
"""ISO 4217 codes accepted before or after a number ("USD 5 million", "42 KWD")."""
SUFFIXES.update({code.lower(): code for code in ISO_CODES})
SUFFIXES.update({"rm": "MYR", "us$": "USD", "$": "USD", "rs": "INR", "rs.": "INR", "₹": "INR",
                 "¥": "JPY", "₩": "KRW"})
PREFIXES.update({code: code for code in ISO_CODES})
MINOR_UNITS = r"cents?|c|pence|p|sen|sens|kopiykas?|kopecks?"

HEDGES = ("about", "around", "roughly", "nearly", "almost", "approximately", "some",
          "close to", "an estimated", "approx.", "circa", "just under", "just over",
          "an approximate")
"""Words before an amount that make it approximate ("more than" and "up to" state a
bound, not an estimate, so they are not here)."""

PERIODS: dict[str, Literal["year", "month"]] = {
    "a year": "year", "per year": "year", "each year": "year", "every year": "year",
    "per annum": "year", "annually": "year", "a yr": "year", "yearly": "year",
    "a month": "month", "per month": "month", "each month": "month", "every month": "month",
    "monthly": "month",
}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_HEDGE = rf"(?P<hedge>(?:{_alternation(HEDGES)})\s+)?"
_PERIOD = rf"(?P<period>[\s,]+(?:{_alternation(PERIODS)}))?"
_PREFIX_RE = re.compile(
    _HEDGE + rf"(?P<prefix>{_alternation(PREFIXES)})\s?(?P<number>{NUMBER_PATTERN})"
    + rf"(?:\s+(?P<tail>{_alternation(s for s in SUFFIXES if s in ('dollars', 'dollar'))}))?"
    + _PERIOD,
    re.IGNORECASE,
)
_SUFFIX_RE = re.compile(
    _HEDGE + rf"(?P<number>{NUMBER_PATTERN})\s?(?P<suffix>{_alternation(SUFFIXES)})(?![\w])"
    + _PERIOD,
    re.IGNORECASE,
)
_CASE_SENSITIVE_PREFIXES = {"Rs", "Rs.", "Rp", "RM", "R$"}


def _value(match: re.Match[str]) -> Money | None:
    groups = match.groupdict()
    prefix = groups.get("prefix")
    if prefix is not None:
        currency = PREFIXES.get(prefix) or PREFIXES.get(prefix.upper())
        if prefix.upper() in {p.upper() for p in _CASE_SENSITIVE_PREFIXES} and (
                prefix not in _CASE_SENSITIVE_PREFIXES):
            return None
    else:
        currency = SUFFIXES[groups["suffix"].lower()]
    number_text = groups["number"]
    if re.fullmatch(r"(?i)an?", number_text.strip()):
        number = 1.0 if prefix is None else None  # "a dollar", not "$a"
    else:
        number = parse_number(number_text)
    if number is None or currency is None:
        return None
    if currency.endswith("_CENT"):
        currency, number = "USD", number / 100
    elif currency.endswith("_PENCE"):
        currency, number = "GBP", number / 100
    elif currency.endswith("_KOPIYKA"):
        currency, number = "UAH", number / 100
    period = groups.get("period")
    return Money(
        value=number,
        currency=currency,
        period=PERIODS[period.strip(" ,").lower()] if period else None,
        approximate=bool(groups.get("hedge")),
    )


def _candidates(text: str) -> list[tuple[int, int, Money]]:
    found = []
    for pattern in (_PREFIX_RE, _SUFFIX_RE):
        for match in pattern.finditer(text):
            if match.start() > 0 and (text[match.start() - 1].isalnum()
                                      and match.group()[0].isalnum()):
                continue  # inside a word
            money = _value(match)
            if money is not None:
                found.append((match.start(), match.end(), money))
    return found


_WORD_FIRST_RE = re.compile(
    rf"(?P<suffix>{_alternation(s for s in SUFFIXES if len(s) > 3)})\s+"
    rf"(?P<number>{NUMBER_PATTERN})",
    re.IGNORECASE,
)
_MINOR_RE = re.compile(
    rf"\s*(?:and\s+)?(?P<minor>\d{{1,2}}|[a-z-]+(?:\s+[a-z-]+)?)\s*(?:{MINOR_UNITS})?\s*$",
    re.IGNORECASE,
)


def parse_money(text: str) -> Money | None:
    """The amount `text` states as a whole, or None.

    Beyond what `find_money` finds in running text, a whole text may be written
    currency-first ("ringgit 42"), with an article ("a US$4.7 billion") or with a minor
    unit ("$20 and 43c", "3 GBP 1 pence").
    """
    text = text.strip()
    if re.match(r"(?i)an?\s+\S*[$€£¥₹₩]", text):
        return parse_money(re.sub(r"(?i)^an?\s+", "", text))
    candidates = _candidates(text)
    for start, end, money in candidates:
        if start == 0 and end == len(text):
            return money
    if (word_first := _WORD_FIRST_RE.fullmatch(text)) and (money := _value(word_first)):
        return money
    for start, end, money in candidates:
        if start == 0 and money.value == int(money.value) and money.value < 1e6:
            minor = _MINOR_RE.fullmatch(text[end:])
            cents = parse_number(minor["minor"]) if minor else None
            if cents is not None and 0 <= cents < 100 and cents == int(cents):
                return Money(money.value + cents / 100, money.currency, money.period,
                             money.approximate)
    return None


def find_money(text: str) -> list[Match[Money]]:
    """Every amount in `text`, longest first where two overlap, in order of position."""
    chosen: list[tuple[int, int, Money]] = []
    for start, end, money in sorted(_candidates(text), key=lambda c: (c[0] - c[1], c[0])):
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, money))
    chosen.sort()
    return [Match(s, e, text[s:e], m) for s, e, m in chosen]
