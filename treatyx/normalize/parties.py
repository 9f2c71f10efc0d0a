"""Parties: states of the Correlates of War system (ISO3 + COW code) and organisations.

States come from the vendored COW table (data/cow_states.csv, source named in it);
their demonyms, capitals and alternative spellings from the `countryinfo` package.
Only what no package has is written here: news short forms ("US", "ROK"), seats of
government used for governments ("Pentagon", "Kremlin"), and the organisations.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from treatyx.normalize.base import Match


@dataclass(frozen=True)
class PartyInfo:
    name: str
    iso3: str | None
    cow: int | None
    kind: Literal["state", "organisation"]


# Short forms and names that news uses and no package lists, by ISO3.
EXTRA_ALIASES: dict[str, list[str]] = {
    "USA": ["US", "U.S.", "U.S.A.", "USA", "America", "United States of America", "Pentagon",
            "White House", "State Department", "Americans"],
    "GBR": ["UK", "U.K.", "Britain", "Great Britain", "British", "Whitehall", "Downing Street"],
    "KOR": ["ROK", "Republic of Korea", "South Korean", "South Koreans", "Seoul"],
    "PRK": ["DPRK", "Democratic People's Republic of Korea", "North Korean", "North Koreans",
            "Pyongyang"],
    "CHN": ["PRC", "People's Republic of China", "Chinese", "Beijing"],
    "TWN": ["Taipei", "Taiwanese", "Republic of China"],
    "RUS": ["Russian Federation", "Kremlin", "Russian", "Russians", "Moscow"],
    "UKR": ["Kyiv", "Kiev", "Ukrainian", "Ukrainians"],
    "ARE": ["UAE", "U.A.E.", "Emirati", "Emiratis", "Abu Dhabi"],
    "IND": ["New Delhi", "Indian"],
    "DEU": ["Berlin", "German", "Germans", "Federal Republic of Germany"],
    "TUR": ["Türkiye", "Turkiye", "Turkish", "Ankara"],
    "PHL": ["Philippines", "Philippine", "Filipino", "Manila"],
    "CZE": ["Czechia", "Czech"],
    "MMR": ["Burma", "Burmese"],
    "NLD": ["Holland", "Dutch", "The Hague"],
    "CIV": ["Côte d'Ivoire", "Cote d'Ivoire"],
    "VNM": ["Viet Nam", "Vietnamese", "Hanoi"],
    "ISR": ["Israeli", "Israelis", "Jerusalem"],
    "SAU": ["Saudi", "Saudis", "Riyadh", "Kingdom of Saudi Arabia"],
    "AUS": ["Canberra", "Australian", "Australians"],
    "JPN": ["Tokyo", "Japanese"],
    "FRA": ["Paris", "French", "Elysee", "Élysée"],
    "POL": ["Warsaw", "Polish", "Poles"],
    "IRN": ["Tehran", "Iranian", "Islamic Republic of Iran"],
    "PAK": ["Islamabad", "Pakistani"],
    "COD": ["Democratic Republic of the Congo", "DRC", "Kinshasa"],
    "SRB": ["Belgrade", "Serbian"],
    "XKX": ["Pristina", "Kosovar"],
    "NZL": ["Wellington", "New Zealander"],
    "BIH": ["Bosnia", "Sarajevo"],
    "MKD": ["Macedonia", "Skopje"],
    "SWZ": ["Swaziland"],
    "CPV": ["Cabo Verde"],
    "TLS": ["East Timor"],
}

ORGANISATIONS: dict[str, list[str]] = {
    "NATO": ["NATO", "Nato", "North Atlantic Treaty Organization",
             "North Atlantic Treaty Organisation", "North Atlantic Alliance"],
    "European Union": ["EU", "E.U.", "European Union"],
    "United Nations": ["UN", "U.N.", "United Nations"],
    "ASEAN": ["ASEAN", "Association of Southeast Asian Nations"],
    "African Union": ["African Union", "AU"],
    "Gulf Cooperation Council": ["GCC", "Gulf Cooperation Council"],
    "OSCE": ["OSCE", "Organization for Security and Co-operation in Europe"],
    "CSTO": ["CSTO", "Collective Security Treaty Organization"],
    "Shanghai Cooperation Organisation": ["SCO", "Shanghai Cooperation Organisation",
                                          "Shanghai Cooperation Organization"],
    "Arab League": ["Arab League", "League of Arab States"],
    "ECOWAS": ["ECOWAS", "Economic Community of West African States"],
}

# Capitals and demonyms that are also ordinary words or shared by several states.
_NOT_ALIASES = {"male", "victoria", "kingston", "city", "korean", "congolese", "guinean",
                "dominican", "sudanese", "yemeni", "vietnamese of the south", "georgian",
                "samoan", "irish", "us", "american samoan"}

# A match followed by one of these words names a place or thing, not a government.
_NOT_A_PARTY_AFTER = re.compile(
    r"\s+(Ocean|Sea|Peninsula|Strait|Samoa|Airlines?|Express|Football|Open|Cup|League)\b")

_CAPS_ONLY = re.compile(r"^[A-Z.]{2,6}$")
"""Abbreviations such as US, UK, EU, AU match in capitals only ("us" is not a party)."""


@dataclass(frozen=True)
class _Table:
    exact: dict[str, PartyInfo]
    folded: dict[str, PartyInfo]
    pattern: re.Pattern[str]


def _states() -> list[tuple[PartyInfo, str]]:
    rows = []
    text = (Path(__file__).parent / "data" / "cow_states.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    for row in csv.DictReader(lines):
        info = PartyInfo(row["name"], row["iso3"] or None, int(row["cow"]), "state")
        rows.append((info, row["cow_name"]))
    return rows


def _countryinfo_aliases() -> dict[str, list[str]]:
    from countryinfo import all_countries

    aliases: dict[str, list[str]] = {}
    for country in all_countries():
        try:
            iso3 = country.iso(3)
            demonym, capital = country.demonym(), country.capital()
            names = [country.name(), demonym, *country.alt_spellings()]
        except Exception:  # an entry without one of the fields: skip it
            continue
        capitals = capital if isinstance(capital, list) else [capital]
        names += [c.removesuffix(" D.C.") for c in capitals if isinstance(c, str)]
        if isinstance(demonym, str) and demonym and not demonym.endswith(("s", "ese")):
            names.append(demonym + "s")
        aliases.setdefault(str(iso3).upper(), []).extend(n for n in names
                                                          if isinstance(n, str) and n)
    return aliases


def _usable(alias: str) -> bool:
    alias = alias.strip()
    if len(alias) < 2 or alias.lower() in _NOT_ALIASES:
        return False
    # Two-letter codes ("JP") and all-caps codes are not how news names states, except
    # the curated short forms in EXTRA_ALIASES.
    return not (len(alias) <= 3 and alias.isupper())


@cache
def _table() -> _Table:
    exact: dict[str, PartyInfo] = {}
    folded: dict[str, PartyInfo] = {}
    ambiguous: set[str] = set()

    def add(alias: str, info: PartyInfo, curated: bool) -> None:
        alias = alias.strip()
        if not alias or (not curated and not _usable(alias)):
            return
        if _CAPS_ONLY.match(alias):
            exact.setdefault(alias, info)
            return
        key = alias.casefold()
        if key in folded and folded[key] != info and not curated:
            ambiguous.add(key)
            return
        if curated or key not in folded:
            folded[key] = info

    states = _states()
    by_iso3 = {info.iso3: info for info, _ in states if info.iso3}
    for info, cow_name in states:  # historical states too, by their COW name
        add(info.name, info, True)
        add(cow_name, info, info.iso3 is None)
    for iso3, aliases in EXTRA_ALIASES.items():
        for alias in aliases:
            add(alias, by_iso3[iso3], True)
    for iso3, aliases in _countryinfo_aliases().items():
        if iso3 in by_iso3:
            for alias in aliases:
                add(alias, by_iso3[iso3], False)
    for name, aliases in ORGANISATIONS.items():
        org = PartyInfo(name, None, None, "organisation")
        for alias in aliases:
            add(alias, org, True)
    for key in ambiguous:
        folded.pop(key, None)
    alternatives = sorted(set(exact) | set(folded), key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w.])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w])",
        re.IGNORECASE,
    )
    return _Table(exact, folded, pattern)


def _strip(text: str) -> str:
    text = " ".join(text.split())
    text = re.sub(r"(?:['’]s|s['’])$", lambda m: "s" if m[0].startswith("s") else "", text)
    return re.sub(r"^(?:the|The)\s+", "", text)


def _info(words: str) -> PartyInfo | None:
    table = _table()
    if words in table.exact:
        return table.exact[words]
    if _CAPS_ONLY.match(words):
        return None
    return table.folded.get(words.casefold())


def lookup_party(text: str) -> PartyInfo | None:
    """The party that `text` names as a whole: "Japan's", "Washington", "NATO"."""
    words = _strip(text)
    return _info(words) or _info(words.rstrip("."))


def find_parties(text: str) -> list[Match[PartyInfo]]:
    """Every party mention in `text`, longest first, without possessive endings."""
    found = []
    for match in _table().pattern.finditer(text):
        words = match.group()
        if not words[0].isupper():
            continue  # "china" in "fine china", "us"
        if _NOT_A_PARTY_AFTER.match(text, match.end()):
            continue
        info = _info(words)
        if info is None and words.endswith("."):  # "U.S." then a sentence end: "in the U.S."
            words = words[:-1]
            info = _info(words)
        if info is not None:
            found.append(Match(match.start(), match.start() + len(words), words, info))
    return found
