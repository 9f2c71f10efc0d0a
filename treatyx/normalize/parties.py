"""Parties: states of the Correlates of War system (ISO3 + COW code) and organisations.

States come from the vendored COW table (data/cow_states.csv, source named in it); their
demonyms, capitals and alternative spellings from the `countryinfo` package. Written here
is only what no package has: news short forms ("US", "ROK"), seats of government used for
governments ("Pentagon", "Kremlin"), and the organisations.

Decisions:
- Historical COW states keep iso3 None; Kosovo has the user-assigned "XKX". "Soviet Union"
  and "USSR" are COW 365 (Russia), as COW counts them; "Korea" alone is South Korea.
- Abbreviations match in capitals only: "us" and "Us" are not the United States.
- A match right after a direction or a "Gulf of" ("South China Sea", "Latin American",
  "New Mexico", "Gulf of Guinea") or before a geographic or media word ("Indian Ocean",
  "American Samoa", "Washington Post", "US$") is not a party.
- Capitals and the states that are also first names (Chad, Jordan, Georgia) are not a party
  when a capitalised word other than a title follows ("Jordan Peterson", "Paris Agreement",
  "Seoul Olympics"); "Jordan King Abdullah" still is. A given name before ("Michael Jordan")
  and the US state of Georgia are not detected.
- Left out: "Brussels" (EU, NATO or Belgium), "Korean" and other demonyms shared by two
  states, territories outside the COW list (Hong Kong, Palestine), and groupings whose
  members are the parties (Quad, AUKUS, Five Eyes).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
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


# Names, short forms and demonyms that news uses and `countryinfo` lacks; keyed by ISO3,
# or by COW code for a historical state.
SHORT_FORMS: dict[str | int, list[str]] = {
    "USA": ["US", "U.S.", "U.S.A.", "USA", "America", "United States of America"],
    "GBR": ["UK", "U.K.", "Britain", "Great Britain", "Britons"],
    "KOR": ["ROK", "Korea", "Republic of Korea", "South Koreans"],
    "PRK": ["DPRK", "Democratic People's Republic of Korea", "North Koreans"],
    "CHN": ["PRC", "People's Republic of China", "Chinese"],
    "TWN": ["Taiwanese", "Republic of China", "Chinese Taipei"],
    "RUS": ["Russian Federation", "Russian", "Russians", "Soviet Union", "USSR", "Soviet"],
    "UKR": ["Ukrainian", "Ukrainians"],
    "ARE": ["UAE", "U.A.E.", "Emirati", "Emiratis"],
    "IND": ["Indian", "Indians"],
    "DEU": ["German", "Germans", "Federal Republic of Germany"],
    "TUR": ["Türkiye", "Turkish", "Turks"],
    "PHL": ["Philippine", "Filipino", "Filipinos"],
    "CZE": ["Czechia", "Czech"],
    "MMR": ["Burma", "Burmese"],
    "NLD": ["Holland", "Dutch"],
    "CIV": ["Côte d'Ivoire", "Ivorian"],
    "VNM": ["Viet Nam", "Vietnamese", "North Vietnam"],
    "ISR": ["Israeli", "Israelis"],
    "SAU": ["Saudi", "Saudis", "Kingdom of Saudi Arabia"],
    "AUS": ["Australian", "Australians"],
    "JPN": ["Japanese"],
    "FRA": ["French"],
    "POL": ["Polish", "Poles"],
    "IRN": ["Iranian", "Iranians", "Islamic Republic of Iran"],
    "PAK": ["Pakistani", "Pakistanis"],
    "COD": ["Democratic Republic of the Congo", "DRC", "DR Congo"],
    "SRB": ["Serbian"],
    "XKX": ["Kosovar"],
    "NZL": ["New Zealander"],
    "BIH": ["Bosnia", "Bosnian"],
    "MKD": ["Macedonia"],
    "SWZ": ["Swaziland"],
    "CPV": ["Cabo Verde"],
    "TLS": ["East Timor", "Timorese"],
    "ARG": ["Argentine", "Argentinian", "Argentinians"],
    "SVN": ["Slovenian"],
    "KAZ": ["Kazakh"],
    "UZB": ["Uzbek"],
    "NPL": ["Nepali", "Nepalese"],
    "GEO": ["Georgian"],
    "SDN": ["Sudanese"],
    "YEM": ["Yemeni"],
    "IRL": ["Irish"],
    "WSM": ["Samoan"],
    "KGZ": ["Kyrgyz"],
    "TJK": ["Tajik"],
    "TKM": ["Turkmen"],
    265: ["East Germany", "GDR"],
    260: ["West Germany"],
    345: ["Serbia and Montenegro"],
    678: ["North Yemen"],
    680: ["South Yemen"],
    817: ["South Vietnam"],
}

# Capitals and seats of government that `countryinfo` lacks or spells otherwise.
CAPITALS: dict[str, list[str]] = {
    "USA": ["Washington"],
    "UKR": ["Kyiv", "Kiev"],
    "IND": ["New Delhi", "Delhi"],
    "ISR": ["Tel Aviv"],
    "NLD": ["The Hague"],
    "BOL": ["La Paz"],
    "KAZ": ["Astana"],
    "CIV": ["Abidjan"],
    "TZA": ["Dar es Salaam"],
    "YEM": ["Sanaa"],
}

# Offices that news uses for a government; never taken for a place or a person.
INSTITUTIONS: dict[str, list[str]] = {
    "USA": ["Pentagon", "White House", "State Department"],
    "GBR": ["Whitehall", "Downing Street"],
    "RUS": ["Kremlin"],
    "FRA": ["Elysee", "Élysée", "Quai d'Orsay"],
    "CHN": ["Zhongnanhai"],
}

ORGANISATIONS: dict[str, list[str]] = {
    "NATO": ["NATO", "Nato", "North Atlantic Treaty Organization",
             "North Atlantic Treaty Organisation", "North Atlantic Alliance"],
    "European Union": ["EU", "E.U.", "European Union"],
    "European Defence Agency": ["European Defence Agency", "European Defense Agency", "EDA"],
    "United Nations": ["UN", "U.N.", "United Nations"],
    "ASEAN": ["ASEAN", "Asean", "Association of Southeast Asian Nations"],
    "African Union": ["African Union", "AU"],
    "Gulf Cooperation Council": ["GCC", "Gulf Cooperation Council"],
    "OSCE": ["OSCE", "Organization for Security and Co-operation in Europe",
             "Organization for Security and Cooperation in Europe"],
    "CSTO": ["CSTO", "Collective Security Treaty Organization"],
    "Shanghai Cooperation Organisation": ["SCO", "Shanghai Cooperation Organisation",
                                          "Shanghai Cooperation Organization"],
    "Arab League": ["Arab League", "League of Arab States"],
    "ECOWAS": ["ECOWAS", "Economic Community of West African States"],
}  # fmt: skip

# Places whose names hold a state's name; found as a whole so that neither part is a party.
PLACES = [
    "American Samoa",
    "New Guinea",
    "New Mexico",
    "Northern Ireland",
    "Northern Cyprus",
    "British Virgin Islands",
    "US Virgin Islands",
    "British Indian Ocean Territory",
    "French Guiana",
    "French Polynesia",
    "Western Sahara",
    "Washington State",
]

FIRST_NAME_STATES = ["Chad", "Jordan", "Georgia"]

# `countryinfo` words that are common words, other places, or shared by several states.
_NOT_ALIASES = {
    "male",
    "malé",
    "victoria",
    "kingston",
    "georgetown",
    "san josé",
    "brussels",
    "wales",
    "welsh",
    "amsterdam",
    "korean",
    "congolese",
    "guinean",
    "dominican",
}

# A title after a capital or a first-name state keeps it a government ("Jordan King").
_TITLES = {"President", "Prime", "Premier", "Foreign", "Defence", "Defense", "Minister",
           "Ministry", "Government", "King", "Queen", "Crown", "Prince", "Emir", "Sultan",
           "Army", "Navy", "Air", "Armed", "Military", "Parliament", "Embassy", "Ambassador",
           "Cabinet", "Chief", "Supreme", "Special", "Coast"}  # fmt: skip

_NOT_A_PARTY_AFTER = re.compile(
    r"[ \t]*\$|\s+(?:Ocean|Sea|Peninsula|Straits?|Gulf|Bay|River|Delta|Basin|Canal|Samoa|"
    r"Polynesia|Guiana|Columbia|Virgin|Subcontinent|Airlines?|Airways|Express|Post|Times|"
    r"Daily|Herald|Journal|Cup|Open|League|Football)\b"
)
_NOT_A_PARTY_BEFORE = re.compile(
    r"\b(?:(?:Latin|South|North|Central|Native|Pan|New|East|West|Northern|Southern|Eastern|"
    r"Western)[ \t-]+|(?:Gulf|Sea|Bay|Straits?|Isthmus) of[ \t]+)$"
)
_FOLLOWER = re.compile(r"[ \t]+([A-Z][a-z]+)")
_CAPS_ONLY = re.compile(r"^[A-Z.]{2,6}$")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})
_STATE_ORGAN_WORDS = {"the", "government", "of", "administration", "authorities", "state",
                     "army", "navy", "air", "force", "forces", "armed", "military", "marines",
                     "coast", "guard", "defence", "defense", "ministry", "ministries",
                     "department", "minister", "ministers", "secretary", "officials",
                     "cabinet", "parliament"}
"""Words around one party's name that make a phrase name the state acting through its
government, forces or ministers: "the Japanese government", "US Army", "Greek navy"."""


def _fold(text: str) -> str:
    """The lookup key: case, accents, curly apostrophes and spacing do not matter."""
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.split()).casefold()


@dataclass
class _Table:
    exact: dict[str, PartyInfo] = field(default_factory=dict)  # capitals-only short forms
    folded: dict[str, PartyInfo] = field(default_factory=dict)
    risky: set[str] = field(default_factory=set)  # folded keys that may name a place or person
    forms: set[str] = field(default_factory=set)  # every spelling the pattern must find
    places: set[str] = field(default_factory=set)  # folded keys of places, never a party
    pattern: re.Pattern[str] | None = None

    def add(self, alias: str, info: PartyInfo, *, risky: bool = False) -> None:
        alias = " ".join(alias.split())
        self.forms.add(alias)
        if _CAPS_ONLY.match(alias):
            self.exact[alias] = info
            return
        key = _fold(alias)
        self.folded[key] = info
        self.forms.add(key)  # the accent-free spelling ("Brasilia")
        if risky:
            self.risky.add(key)
        else:  # a state named like its capital ("Singapore") is a name first
            self.risky.discard(key)


def _states() -> list[tuple[PartyInfo, str]]:
    text = (Path(__file__).parent / "data" / "cow_states.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return [
        (PartyInfo(row["name"], row["iso3"] or None, int(row["cow"]), "state"), row["cow_name"])
        for row in csv.DictReader(lines)
    ]


def _countryinfo_aliases() -> dict[str, tuple[list[str], list[str]]]:
    """ISO3 -> (names and demonyms, capitals) as `countryinfo` has them."""
    from countryinfo import all_countries

    aliases: dict[str, tuple[list[str], list[str]]] = {}
    for country in all_countries():
        try:
            iso3, name = str(country.iso(3)).upper(), country.name()
            demonym, capital = country.demonym(), country.capital()
            spellings = country.alt_spellings()
        except Exception:  # an entry without one of the fields has nothing to add
            continue
        if name == "Wales":
            continue
        names = [name, *spellings]
        if isinstance(demonym, str) and demonym:
            names.append(demonym)
            if not demonym.endswith(("s", "ese", "sh", "ch")):
                names.append(demonym + "s")
        capitals = capital if isinstance(capital, list) else [capital]
        caps = [c.removesuffix(" D.C.") for c in capitals if isinstance(c, str) and c]
        entry = aliases.setdefault(iso3, ([], []))
        entry[0].extend(n for n in names if isinstance(n, str))
        entry[1].extend(caps)
    return aliases


def _usable(alias: str) -> bool:
    """Package spellings worth matching: Latin script, not a code ("JP"), not a common word."""
    key = _fold(alias)
    return (
        len(key) > 2
        and key.isascii()
        and key not in _NOT_ALIASES
        and not (len(alias) <= 3 and alias.isupper())
    )


@cache
def _table() -> _Table:
    table = _Table()
    states = _states()
    # Current states last, so that "Korea" of today wins over the Korea of 1887-1905.
    states.sort(key=lambda pair: pair[0].iso3 is not None)
    by_iso3 = {info.iso3: info for info, _ in states if info.iso3}
    historical = {info.cow: info for info, _ in states if info.iso3 is None}
    by_cow = {info.cow: info for info, _ in states if info.iso3} | historical

    # Spellings from the package first: any that two states share is dropped, and the
    # curated names below overwrite the rest.
    package: dict[str, tuple[PartyInfo, bool]] = {}
    shared: set[str] = set()
    for iso3, (names, capitals) in _countryinfo_aliases().items():
        if iso3 not in by_iso3:
            continue
        for alias, is_capital in [(n, False) for n in names] + [(c, True) for c in capitals]:
            if not _usable(alias):
                continue
            key = _fold(alias)
            if key in package and package[key][0] != by_iso3[iso3]:
                shared.add(key)
            package.setdefault(key, (by_iso3[iso3], is_capital))
            table.forms |= {" ".join(alias.split()), key}
    for key, (info, is_capital) in package.items():
        if key not in shared:
            table.folded[key] = info
            if is_capital:
                table.risky.add(key)
    table.forms = {form for form in table.forms if _fold(form) in table.folded}

    for info, cow_name in states:
        table.add(cow_name, info)
        table.add(info.name, info)
    for owner, aliases in SHORT_FORMS.items():
        info = by_iso3[owner] if isinstance(owner, str) else by_cow[owner]
        for alias in aliases:
            table.add(alias, info)
    for iso3, aliases in CAPITALS.items():
        for alias in aliases:
            table.add(alias, by_iso3[iso3], risky=True)
    for iso3, aliases in INSTITUTIONS.items():
        for alias in aliases:
            table.add(alias, by_iso3[iso3])
    for name in FIRST_NAME_STATES:
        table.risky.add(_fold(name))
    for name, aliases in ORGANISATIONS.items():
        org = PartyInfo(name, None, None, "organisation")
        for alias in aliases:
            table.add(alias, org)

    for place in PLACES:
        table.forms.add(place)
        table.places.add(_fold(place))
    table.pattern = re.compile(
        r"(?<![\w.])" + _trie_pattern(table.forms) + r"(?!\w)", re.IGNORECASE
    )
    return table


def _trie_pattern(forms: set[str]) -> str:
    """One pattern for all spellings, as a trie: far faster than 2,000 alternatives, and
    greedy, so the longest spelling wins ("Papua New Guinea" over "Guinea")."""
    trie: dict = {}
    for form in forms:
        node = trie
        for char in " ".join(form.lower().split()):
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [_char_pattern(char) + emit(child) for char, child in node.items() if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a spelling may end here; try the longer ones first
            return body + "?" if len(branches) == 1 and len(body) == 1 else f"(?:{body})?"
        return body

    return emit(trie)


def _char_pattern(char: str) -> str:
    """Any spacing between words, straight or curly apostrophes."""
    return {" ": r"\s+", "'": "['’ʼ]"}.get(char, re.escape(char))


def _info(words: str) -> PartyInfo | None:
    table = _table()
    words = " ".join(words.split())
    if _CAPS_ONLY.match(words) and words in table.exact:
        return table.exact[words]  # "US"; "us" and "Us" fall through and find nothing
    return table.folded.get(_fold(words))


def _candidates(text: str) -> list[str]:
    """The text as given, then without a possessive, a leading "the", a final full stop."""
    words = " ".join(text.split()).strip(",;:")
    found = [words]
    bare = re.sub(r"(?:['’ʼ]s|(?<=s)['’ʼ])$", "", words)
    for form in (bare, re.sub(r"^the\s+", "", bare, flags=re.IGNORECASE)):
        found += [form, form.rstrip(".")]
    return found


def lookup_party(text: str) -> PartyInfo | None:
    """The party that `text` names as a whole: "Japan's", "Washington", "NATO".

    Words that only say "its government" (forces, ministers) around one party name it too:
    "the Japanese government", "the Government of Japan", "US Army".
    """
    for words in _candidates(text):
        info = _info(words)
        if info is not None:
            return info
    matches = find_parties(text)
    if not matches or len({m.value for m in matches}) != 1:
        return None
    rest = text
    for match in reversed(matches):
        rest = rest[: match.start] + " " + rest[match.end :]
    rest_words = re.sub(r"['’ʼ]s\b", " ", rest).lower().split()
    return matches[0].value if set(rest_words) <= _STATE_ORGAN_WORDS else None


def _is_party(text: str, start: int, end: int, key: str) -> bool:
    """Cheap context checks against places, media and people named like a state."""
    if _NOT_A_PARTY_AFTER.match(text, end):
        return False
    if _NOT_A_PARTY_BEFORE.search(text, max(0, start - 12), start):
        return False
    if key in _table().risky:
        follower = _FOLLOWER.match(text, end)
        if follower and follower.group(1) not in _TITLES:
            return False
    return True


def find_parties(text: str) -> list[Match[PartyInfo]]:
    """Every party mention in `text`, longest first, without possessive endings."""
    table = _table()
    assert table.pattern is not None
    found = []
    for match in table.pattern.finditer(text):
        words = match.group()
        if not words[0].isupper() or _fold(words) in table.places:
            continue  # "china" in "fine china", "us"
        info = _info(words)
        if info is None and words.endswith("."):  # "U.S." then a sentence end: "in the U.S."
            words = words[:-1]
            info = _info(words)
        end = match.start() + len(words)
        if info is not None and _is_party(text, match.start(), end, _fold(words)):
            found.append(Match(match.start(), end, words, info))
    return found
