"""Numbers written in digits or English words, the base of amounts and durations.

`parse_number` reads one whole text. `NUMBER_PATTERN` is the regex that the money and
duration scanners embed to find number phrases in running text; it leaves out forms that
are only safe when the whole text is known to be a number (single-letter suffixes such
as "3M", fractions such as "1/5", "a few", "single"), because in news "2m" may be minutes
and "2/15" a date.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_UNITS = {
    "zero": 0, "naught": 0, "nought": 0, "nil": 0,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
# Multipliers applied to everything said before them within their group; Indian lakh (10^5)
# and crore (10^7) with their common spellings, and dozen, which English scales like them.
_SCALES = {
    "dozen": 12, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12,
    "lakh": 10**5, "lac": 10**5, "lkh": 10**5, "crore": 10**7, "cr": 10**7, "krore": 10**7,
    "kr": 10**7, "koti": 10**7,
}  # fmt: skip
# Attached abbreviations ("3M", "2.5bn"), only read when the whole text is a number.
SUFFIXES = {
    "k": 10**3, "m": 10**6, "mn": 10**6, "mln": 10**6, "g": 10**9, "b": 10**9, "bn": 10**9,
    "bln": 10**9, "t": 10**12, "tn": 10**12, "trn": 10**12, "l": 10**5,
}  # fmt: skip
_VAGUE = {"few": 3, "a few": 3, "a couple": 2, "couple": 2, "a pair": 2, "pair": 2,
          "single": 1, "half": Decimal("0.5"), "a half": Decimal("0.5")}  # fmt: skip

_WORD = "|".join(sorted(list(_UNITS)[4:] + list(_TENS) + ["zero"], key=len, reverse=True))
# Scale words safe to find in running text (not "cr", "kr", "l": too short to trust there).
SCALE_WORDS = (
    r"(?:hundreds?|thousands?|millions?|billions?|trillions?|lakhs?|lacs?|crores?|dozens?)"
)
_AND_AFTER_SCALE = "".join(
    f"(?<={w})" if i == 0 else f"|(?<={w})"
    for i, w in enumerate(["hundred", "thousand", "million", "billion", "lakh", "crore"])
)
_WORD_TOKEN = rf"(?:{_WORD}|{SCALE_WORDS})"
_WORD_PHRASE = (
    # A count comes first: "multi-billion dollar" and "millions of" state no number.
    rf"(?:\ban?\s+{SCALE_WORDS}|\b(?:{_WORD}))\b"
    rf"(?:(?:[\s-]+|(?:{_AND_AFTER_SCALE})\s+and\s+){_WORD_TOKEN}\b){{0,12}}"
    rf"(?:\s+point(?:\s+(?:{_WORD})\b)+)?(?:\s+{SCALE_WORDS}\b)*"
)
_DIGITS = r"(?:(?<![\d,])(?<!\d\.)(?:\d{1,3}(?:,\d{2,3})+(?!\d)|\d+)(?:\.\d+)?|(?<![\d.])\.\d+)"
# One number phrase in running text: "9.3", "1,200", "2.5 billion", "1.2 lakh crore",
# "twenty-one", "a hundred", "three hundred and twelve thousand".
NUMBER_PATTERN = rf"(?:{_DIGITS}(?:[\s-]*\b{SCALE_WORDS}\b)*|{_WORD_PHRASE}\b)"


def parse_number(text: str) -> float | None:
    """The value of a text that is one number as a whole, else None."""
    value = parse_decimal(text)
    return None if value is None else float(value)


def parse_decimal(text: str) -> Decimal | None:
    """`parse_number` without float rounding, so 9.3 billion is exactly 9300000000."""
    s = re.sub(r"\s+", " ", text.strip().lower())
    if not s:
        return None
    pair = re.fullmatch(r"(.+?) ?\((.+)\)", s)
    if pair:  # "forty-five (45)": the figure repeated in the other notation
        first, second = parse_decimal(pair[1]), parse_decimal(pair[2])
        return first if first is not None and first == second else None
    sign = re.match(r"(?:-|−|minus |negative )\s*", s)
    if sign:
        value = _unsigned(s[sign.end() :])
        return None if value is None else -value
    return _unsigned(s)


def _unsigned(s: str) -> Decimal | None:
    if s in _VAGUE:
        return Decimal(_VAGUE[s])
    s = re.sub(r" of$", "", s)  # "a dozen of", "a couple of"
    if s in _VAGUE:
        return Decimal(_VAGUE[s])
    fraction = re.fullmatch(r"(\d+) ?/ ?(\d+)", s)
    if fraction:
        denominator = int(fraction[2])
        return Decimal(int(fraction[1])) / denominator if denominator else None
    suffixed = re.fullmatch(r"(\d[\d,]*(?:\.\d+)?|\.\d+) ?([a-z]+)", s)
    if suffixed and suffixed[2] in SUFFIXES:
        base = _digits(suffixed[1])
        return None if base is None else base * SUFFIXES[suffixed[2]]
    return _words(s)


def _digits(token: str) -> Decimal | None:
    if "," in token and not re.fullmatch(r"\d{1,3}(?:,\d{2,3})+(?:\.\d+)?", token):
        return None
    try:
        return Decimal(token.replace(",", ""))
    except InvalidOperation:
        return None


def _scale(word: str) -> int | None:
    if word in _SCALES:
        return _SCALES[word]
    if word.endswith("s") and word[:-1] in _SCALES:  # "three billions", "12 lakhs"
        return _SCALES[word[:-1]]
    return None


def _words(s: str) -> Decimal | None:
    """Words and digits combined by English grouping: each scale multiplies its group."""
    tokens = re.findall(r"\d[\d,]*(?:\.\d+)?|\.\d+|[a-z]+|\S", s.replace("-", " "))
    total = Decimal(0)  # finished groups ("three crore" in "three crore twelve lakh")
    current = Decimal(0)  # the group being said
    last_scale = None
    seen = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in ("a", "an") and i == 0 and len(tokens) > 1:
            following = tokens[1]
            if following != "hundred" and _scale(following) is None:
                return None
            current = Decimal(1)
        elif token == "and":
            if i == 0 or not (tokens[i - 1] in ("hundred", "hundreds") or _scale(tokens[i - 1])):
                return None
        elif token == "point":
            digits = ""
            i += 1
            while i < len(tokens) and (tokens[i] in _UNITS and _UNITS[tokens[i]] < 10):
                digits += str(_UNITS[tokens[i]])
                i += 1
            if not digits and i < len(tokens) and tokens[i].isdigit():
                digits = tokens[i]
                i += 1
            if not digits:
                return None
            current += Decimal("0." + digits)
            seen = True
            continue
        elif token[0].isdigit() or token[0] == ".":
            value = _digits(token)
            if value is None or current:
                return None
            current = value
            seen = True
        elif token in _UNITS or token in _TENS:
            value = _UNITS.get(token, _TENS.get(token, 0))
            part = current % 100
            if current and part and not (part >= 20 and part % 10 == 0 and value < 10):
                # "one twenty two" = 122: figures read out digit group by digit group
                current = current * (100 if value >= 10 else 10) + value
            else:
                current += value
            seen = True
        elif token in ("hundred", "hundreds"):
            current = (current or 1) * 100
            seen = True
        elif (scale := _scale(token)) is not None:
            group = current or (Decimal(1) if not total else Decimal(0))
            if total and last_scale is not None and last_scale < scale:
                total = (total + group) * scale  # "three thousand millions"
            else:
                total += group * scale
            last_scale = scale
            current = Decimal(0)
            seen = True
        else:
            return None
        i += 1
    if tokens[-1] == "and":
        return None
    return total + current if seen else None
