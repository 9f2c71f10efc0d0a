"""Money: "$9.3 billion", "Rs 5,000 crore", "about 1.2 trillion won a year".

Conventions, chosen for English-language news:
- Plain "$" and "dollars" are US dollars (other dollars are written A$, C$, "Canadian
  dollars"); "¥" is yen, "Rs" is Indian rupees, bare "pounds" are sterling.
- A hedge right before the amount makes it approximate and belongs to the mention, so the
  mention alone re-reads to the same value. Estimates ("about", "nearly", "some") and
  bounds ("more than", "up to", "at least", "under") both count: either way the text
  does not give the exact figure, and the contract has one flag for that.
- A period after the amount ("a year", "annually", "per month") belongs to the mention.
- Words that are also common English ("won", "rand", "real") only count after digits or a
  scale word ("5 trillion won"), so "the two sides won" is no amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from treatyx.normalize.base import Match
from treatyx.normalize.numbers import NUMBER_PATTERN, SCALE_WORDS, SUFFIXES, parse_decimal


@dataclass(frozen=True)
class Money:
    value: float
    currency: str
    period: Literal["year", "month"] | None = None
    approximate: bool = False


_CODES = """
USD EUR GBP JPY CNY INR KRW AUD CAD NZD HKD SGD TWD RUB ILS PLN SEK NOK DKK CHF SAR AED TRY PHP
IDR MYR THB VND EGP ZAR BRL MXN UAH PKR QAR KWD BDT NGN KES LBP BGN MNT BHD OMR JOD IQD IRR CZK
HUF RON ARS CLP COP PEN LKR NPR AFN KZT GEL AMD AZN BYN RSD DZD MAD TND LYD ETB
"""
ISO_CODES = frozenset(_CODES.split())
# Symbols written before the number (case as written; codes are added below).
SYMBOLS: dict[str, str] = {
    "US$": "USD", "U.S.$": "USD", "US $": "USD", "U.S. $": "USD", "$US": "USD", "A$": "AUD",
    "AU$": "AUD", "C$": "CAD", "CA$": "CAD", "NZ$": "NZD", "HK$": "HKD", "S$": "SGD",
    "NT$": "TWD", "R$": "BRL", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "JP¥": "JPY",
    "CN¥": "CNY", "RMB": "CNY", "₹": "INR", "Rs.": "INR", "Rs": "INR", "₩": "KRW", "₪": "ILS",
    "₽": "RUB", "₺": "TRY", "₴": "UAH", "₱": "PHP", "₦": "NGN", "฿": "THB", "₫": "VND",
    "RM": "MYR", "Rp": "IDR",
}  # fmt: skip
# Symbols that may also follow the number ("20€", "10$", "3.14US$", "20Rs", "42RM").
SYMBOLS_AFTER = {s: SYMBOLS[s] for s in ("US$", "$", "€", "£", "¥", "₹", "₩", "Rs", "RM")}
SYMBOLS_AFTER["zł"] = "PLN"
# Currency words after the number, lower case; "s?" plurals are added by the pattern.
WORDS: dict[str, str] = {
    "dollar": "USD", "us dollar": "USD", "u.s. dollar": "USD", "american dollar": "USD",
    "australian dollar": "AUD", "canadian dollar": "CAD", "new zealand dollar": "NZD",
    "hong kong dollar": "HKD", "singapore dollar": "SGD", "taiwan dollar": "TWD",
    "new taiwan dollar": "TWD", "euro": "EUR", "€ur": "EUR", "pound sterling": "GBP",
    "pounds sterling": "GBP", "sterling": "GBP", "pound": "GBP", "british pound": "GBP",
    "lebanese pound": "LBP", "egyptian pound": "EGP", "egyptianpound": "EGP", "yen": "JPY",
    "japanese yen": "JPY", "won": "KRW", "korean won": "KRW", "south korean won": "KRW",
    "rupee": "INR", "indian rupee": "INR", "pakistani rupee": "PKR", "sri lankan rupee": "LKR",
    "nepalese rupee": "NPR", "yuan": "CNY", "chinese yuan": "CNY", "renminbi": "CNY",
    "ruble": "RUB", "rouble": "RUB", "russian ruble": "RUB", "russian rouble": "RUB",
    "shekel": "ILS", "new israeli shekel": "ILS", "ringgit": "MYR", "malaysia ringgit": "MYR",
    "malaysian ringgit": "MYR", "tugrik": "MNT", "kuwaiti dinar": "KWD", "iraqi dinar": "IQD",
    "jordanian dinar": "JOD", "bahraini dinar": "BHD", "algerian dinar": "DZD",
    "serbian dinar": "RSD", "qatari riyal": "QAR", "saudi riyal": "SAR", "saudiriyal": "SAR",
    "omani rial": "OMR", "iranian rial": "IRR", "uae dirham": "AED", "emirati dirham": "AED",
    "moroccan dirham": "MAD", "lira": "TRY", "turkish lira": "TRY", "hryvnia": "UAH",
    "hryvnya": "UAH", "zloty": "PLN", "forint": "HUF", "czech koruna": "CZK",
    "swedish krona": "SEK", "swedish kronor": "SEK", "norwegian krone": "NOK",
    "norwegian kroner": "NOK", "danish krone": "DKK", "danish kroner": "DKK",
    "swiss franc": "CHF", "brazilian real": "BRL", "reais": "BRL", "mexican peso": "MXN",
    "philippine peso": "PHP", "rand": "ZAR", "south african rand": "ZAR", "naira": "NGN",
    "rupiah": "IDR", "baht": "THB", "dong": "VND", "taka": "BDT", "afghani": "AFN",
    "bulgarian lev": "BGN", "leva": "BGN", "tenge": "KZT", "norwegian crown": "NOK",
    "danish crown": "DKK", "swedish crown": "SEK", "czech crown": "CZK",
}  # fmt: skip
# Crowns without a nationality: whose they are is said nearby ("Denmark ... 2.1 billion
# kroner"); the nearest country or demonym before the amount decides, else they go unread.
CROWNS = {"krone": None, "kroner": None, "kronor": "SEK", "krona": "SEK", "crown": None}
CROWN_NATIONS = {"danish": "DKK", "denmark": "DKK", "norwegian": "NOK", "norway": "NOK",
                 "swedish": "SEK", "sweden": "SEK", "czech": "CZK"}  # fmt: skip
_CROWN_NATION = re.compile(rf"\b(?:{'|'.join(CROWN_NATIONS)})\b", re.IGNORECASE)
# Only when the whole text is the amount: in running text these are ordinary words.
WHOLE_TEXT_WORDS = {"le": "EGP", "l.e": "EGP", "l.e.": "EGP", "geneh": "EGP",
                    "genihat masriya": "EGP"}  # fmt: skip
# Ordinary English words too: need digits or a scale word before them.
COMMON_WORDS = {"won", "rand", "dong", "real", "lira", "leva", "taka", "crown"}
MINOR_UNITS = r"cents?|c|pence|p|sens?|kopiykas?|kopecks?|paise|fils"

HEDGES = (
    "about", "around", "roughly", "nearly", "almost", "approximately", "approx.", "some",
    "an estimated", "estimated", "close to", "circa", "just over", "just under", "well over",
    "more than", "over", "at least", "up to", "less than", "under", "upwards of",
    "in excess of", "as much as", "as little as", "an approximate",
)  # fmt: skip
# "handed over $5 million" hands money over; it does not hedge it.
_OVER_VERBS = (
    r"(?:hand|hands|handed|handing|turn|turns|turned|turning|took|take|takes|taking"
    r"|sign|signs|signed|signing|pass|passed|passing|paid|pay|pays|paying)"
)

PERIODS: dict[str, Literal["year", "month"]] = {
    "year": "year", "annum": "year", "yr": "year", "annually": "year", "yearly": "year",
    "month": "month", "monthly": "month", "mo": "month",
}  # fmt: skip


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _word_alternation(words) -> str:
    # A plural "s" or "es" may follow any word: "dollars", "Euros", "crores rupees".
    return rf"(?:{_alternation(words)})(?:e?s)?"


_PREFIX = _alternation(list(SYMBOLS) + sorted(ISO_CODES))
_AFTER_SYMBOL = _alternation(list(SYMBOLS_AFTER) + sorted(ISO_CODES))
_ABBREVIATION = r"(?:(?<=\d)\s?(?i:bn|mn|mln|bln|tn|trn)|(?<=\d)(?i:k|m|b))(?![A-Za-z])"
_HEDGE = rf"(?P<hedge>(?<![\w-])(?i:{_alternation(HEDGES)})\s+)?"
_PERIOD = (
    r"(?P<period>,?\s+(?i:a|per|each|every)[\s-]+(?i:year|annum|month)\b"
    r"|,?\s+(?i:per\s+annum|annually|yearly|monthly|a\s+yr)\b"
    r"|\s?/\s?(?i:year|yr|annum|month|mo)\b)"
    r"(?![\s-]*(?i:ago|earlier|later|before|after|old|long|on)\b)"
    r"(?![\s-]*(?i:from)\s+(?i:now|today|then|here)\b)"
)


def _pattern(whole: bool) -> re.Pattern[str]:
    words = dict(WORDS, **WHOLE_TEXT_WORDS) if whole else WORDS
    word = rf"(?i:{_word_alternation({**words, **CROWNS})})"
    number = rf"(?P<number>{NUMBER_PATTERN})(?P<abbr>{_ABBREVIATION})?"
    if whole:  # "a dollar", "a euro"; in running text "a dollar" is rarely an amount
        number = rf"(?:(?P<article>(?i:an?))(?=\s+{word})|{number})"
    minor_number = NUMBER_PATTERN.replace("?P<", "?P<m_")
    minor_unit = rf"\s?(?P<minor_unit>(?i:{MINOR_UNITS}))(?![A-Za-z])"
    minor = rf"(?P<minor>\s+(?i:and\s+)?(?P<minor_number>{minor_number}){minor_unit})?"
    if whole:  # "$20 43", "3 GBP and one"
        minor = rf"(?P<minor>,?\s+(?i:and\s+)?(?P<minor_number>{minor_number})(?:{minor_unit})?)?"
    forms = [
        rf"(?<![A-Za-z0-9])(?P<prefix>{_PREFIX})\s?{number.replace('?P<', '?P<p_')}",
        rf"{number}(?:\s?(?P<after>{_AFTER_SYMBOL})|[\s-]?(?P<word>{word}))(?![A-Za-z])",
    ]
    if whole:  # "ringgit 42"
        forms.append(rf"(?P<word_first>{word})\s+{number.replace('?P<', '?P<w_')}")
    article = r"(?:(?i:an?)\s+)?" if whole else ""
    body = "|".join(f"(?:{form})" for form in forms)
    return re.compile(rf"{article}{_HEDGE}(?:{body}){minor}(?:{_PERIOD})?")


_FIND = _pattern(whole=False)
_RANGE = re.compile(r"\s*(?:-|–|—|to)\s*[$€£¥₹]?\d")
_WHOLE = _pattern(whole=True)


def _group(match: re.Match[str], name: str) -> str | None:
    for prefix in ("", "p_", "w_"):
        key = prefix + name
        if key in match.re.groupindex and match[key] is not None:
            return match[key]
    return None


def _currency(match: re.Match[str], text: str = "") -> str | None:
    groups = match.groupdict()
    if groups["prefix"]:
        return SYMBOLS.get(groups["prefix"], groups["prefix"])
    if groups["after"]:
        return SYMBOLS_AFTER.get(groups["after"], groups["after"])
    word = re.sub(r"\s+", " ", (groups["word"] or groups.get("word_first") or "").lower())
    singular = re.sub(r"e?s\b", "", word)
    for key in (word, singular, re.sub(r"s$", "", word)):
        if key in WORDS or key in WHOLE_TEXT_WORDS:
            return WORDS.get(key) or WHOLE_TEXT_WORDS[key]
        if key in CROWNS:
            nations = _CROWN_NATION.findall(text, 0, match.start()) or _CROWN_NATION.findall(text)
            return CROWNS[key] or (CROWN_NATIONS[nations[-1].lower()] if nations else None)
    return None


def _value(match: re.Match[str], text: str) -> Money | None:
    """The amount a candidate states, or None when context shows it is none."""
    currency = _currency(match, text)
    number_text = _group(match, "number")
    if currency is None:
        return None
    value = Decimal(1) if number_text is None else parse_decimal(number_text)  # "a dollar"
    if value is None:
        return None
    abbreviation = _group(match, "abbr")
    if abbreviation:
        value *= SUFFIXES[abbreviation.strip().lower()]
    scaled = bool(abbreviation) or bool(
        number_text and re.search(rf"(?i)\b{SCALE_WORDS}\b", number_text)
    )
    word = (match.groupdict().get("word") or match.groupdict().get("word_first") or "").lower()
    year_like = bool(number_text and re.fullmatch(r"(?:19|20)\d\d", number_text))
    if re.sub(r"s$", "", word) in COMMON_WORDS and (
        year_like or not (scaled or re.search(r"\d", number_text or ""))
    ):
        return None  # "the two sides won", "a 2019 RAND study"
    if word in ("pound", "pounds") and re.match(r"\s+of\b", text[match.end() :]):
        return None  # "500 pounds of explosives" is a weight
    if match["minor"]:
        cents = parse_decimal(match["minor_number"])
        if scaled or cents is None or not 0 <= cents < 100 or cents != int(cents):
            return None  # "$5 million 43" is not cents
        value += cents / 100
    if not match["period"] and _RANGE.match(text, match.end()):
        return None  # "$5-6 billion": a range, which one value cannot state
    hedge = (match["hedge"] or "").strip().lower()
    if hedge == "over" and re.search(rf"(?i)\b{_OVER_VERBS}\s*$", text[: match.start()]):
        return None  # "handed over $5m"; the caller retries without the hedge
    if year_like and re.search(r"(?i)\b(?:in|constant|fiscal|real|FY)\s*$", text[: match.start()]):
        return None  # "in 2022 dollars" is a price level, not an amount
    period = match["period"]
    if period:
        period = PERIODS[re.findall(r"[a-z]+", period.lower())[-1]]
    return Money(float(value), currency, period, bool(match["hedge"]))


def parse_money(text: str) -> Money | None:
    """The amount that `text` states as a whole ("$9.3 billion", "about €20m a year")."""
    text = text.strip()
    match = _WHOLE.fullmatch(text)
    return _value(match, text) if match else None


def find_money(text: str) -> list[Match[Money]]:
    """Every amount in `text`, in order, without overlaps, hedge and period included."""
    found: list[Match[Money]] = []
    position = 0
    while match := _FIND.search(text, position):
        money = _value(match, text)
        if money is None and match["hedge"]:
            # "handed over $5m": the amount stands without the word before it
            inner = _FIND.match(text, match.end("hedge"))
            if inner is not None:
                match, money = inner, _value(inner, text)
        if money is None:
            position = match.start() + 1
            continue
        found.append(Match(match.start(), match.end(), match.group(), money))
        position = match.end()
    return found
