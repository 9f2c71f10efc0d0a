"""Party names in news, resolved to states (ISO3 + COW) and organisations."""

import csv
from pathlib import Path

import pytest

from treatyx.normalize.parties import PartyInfo, find_parties, lookup_party

COW_CSV = Path(__file__).resolve().parents[1] / "treatyx" / "normalize" / "data" / "cow_states.csv"


def _cow_rows() -> list[dict[str, str]]:
    lines = COW_CSV.read_text(encoding="utf-8").splitlines()
    return list(csv.DictReader(line for line in lines if not line.startswith("#")))


def _found(text: str) -> list[tuple[int, int, str, str | None]]:
    return [(m.start, m.end, m.mention, m.value.iso3 or m.value.name) for m in find_parties(text)]


def test_a_capital_names_its_government():
    assert lookup_party("Washington") == PartyInfo("United States", "USA", 2, "state")
    assert lookup_party("Seoul") == PartyInfo("South Korea", "KOR", 732, "state")
    assert lookup_party("Kiev") == lookup_party("Kyiv") == PartyInfo("Ukraine", "UKR", 369, "state")
    assert lookup_party("New Delhi").iso3 == "IND"
    assert lookup_party("Canberra").cow == 900


@pytest.mark.parametrize(
    "text", ["Japan's", "Japan’s", "Japanese", "Tokyo", "the Japanese government"]
)
def test_possessives_demonyms_and_capitals_of_japan(text):
    assert lookup_party(text) == PartyInfo("Japan", "JPN", 740, "state")


@pytest.mark.parametrize(
    ("text", "iso3", "cow"),
    [
        ("United States of America", "USA", 2),
        ("U.S.", "USA", 2),
        ("American", "USA", 2),
        ("Pentagon", "USA", 2),
        ("the Republic of Korea", "KOR", 732),
        ("ROK", "KOR", 732),
        ("DPRK", "PRK", 731),
        ("PRC", "CHN", 710),
        ("Taiwan", "TWN", 713),
        ("UK", "GBR", 200),
        ("British", "GBR", 200),
        ("UAE", "ARE", 696),
        ("Kremlin", "RUS", 365),
        ("Australian", "AUS", 900),
        ("Indian", "IND", 750),
        ("Türkiye", "TUR", 640),
        ("Brasilia", "BRA", 140),  # the package spells it Brasília
        ("Côte d’Ivoire", "CIV", 437),
        ("Kosovo", "XKX", 347),
    ],
)
def test_short_forms_resolve_to_iso3_and_cow(text, iso3, cow):
    info = lookup_party(text)
    assert (info.iso3, info.cow, info.kind) == (iso3, cow, "state")


def test_short_names_are_the_ones_news_uses():
    names = [lookup_party(t).name for t in ["USA", "ROK", "Britain", "Russian Federation", "PRC"]]
    assert names == ["United States", "South Korea", "United Kingdom", "Russia", "China"]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("NATO", "NATO"),
        ("EU", "European Union"),
        ("United Nations", "United Nations"),
        ("ASEAN", "ASEAN"),
        ("AU", "African Union"),
        ("GCC", "Gulf Cooperation Council"),
    ],
)
def test_organisations_have_no_state_codes(text, name):
    assert lookup_party(text) == PartyInfo(name, None, None, "organisation")


def test_historical_states_keep_their_cow_code_without_iso3():
    assert lookup_party("East Germany") == PartyInfo(
        "German Democratic Republic", None, 265, "state"
    )
    assert lookup_party("Yugoslavia") == PartyInfo("Yugoslavia", None, 345, "state")
    assert lookup_party("Serbia") == PartyInfo("Serbia", "SRB", 345, "state")


@pytest.mark.parametrize("text", ["us", "Us", "Korean", "Brussels", "Hong Kong", "Japan and Korea"])
def test_words_that_name_no_single_party(text):
    assert lookup_party(text) is None


def test_every_state_of_the_cow_list_that_exists_today_resolves_by_its_names():
    rows = [row for row in _cow_rows() if row["iso3"]]
    assert len(rows) >= 190
    for row in rows:
        for name in (row["name"], row["cow_name"]):
            info = lookup_party(name)
            assert info is not None, name
            assert (info.iso3, info.cow) == (row["iso3"], int(row["cow"])), name


def test_the_cow_table_holds_the_whole_state_system():
    codes = {int(row["cow"]) for row in _cow_rows()}
    assert len(codes) == 221
    assert {2, 200, 255, 260, 265, 365, 710, 713, 730, 731, 732, 740, 990} <= codes


def test_seed_sentence_gives_every_mention_with_offsets():
    text = (
        "Japan and the US will sign a new agreement covering the continued "
        "basing of American troops in Japan"
    )
    found = _found(text)
    assert found == [
        (0, 5, "Japan", "JPN"),
        (14, 16, "US", "USA"),
        (76, 84, "American", "USA"),
        (95, 100, "Japan", "JPN"),
    ]
    assert all(text[start:end] == mention for start, end, mention, _ in found)


def test_the_longest_name_wins_and_hyphens_split_pairs():
    assert _found("South Korea and Papua New Guinea") == [
        (0, 11, "South Korea", "KOR"),
        (16, 32, "Papua New Guinea", "PNG"),
    ]
    assert _found("the US-Japan alliance") == [(4, 6, "US", "USA"), (7, 12, "Japan", "JPN")]


def test_possessive_endings_stay_outside_the_mention():
    assert _found("Japan’s Prime Minister and China's") == [
        (0, 5, "Japan", "JPN"),
        (27, 32, "China", "CHN"),
    ]


def test_mentions_keep_the_source_spelling():
    assert _found("UNITED\nSTATES and Cote d'Ivoire") == [
        (0, 13, "UNITED\nSTATES", "USA"),
        (18, 31, "Cote d'Ivoire", "CIV"),
    ]
    assert _found("in the U.S. Then") == [(7, 11, "U.S.", "USA")]


@pytest.mark.parametrize(
    "text",
    [
        "let us sign it",
        "US$9.3 billion",
        "the Indian Ocean and American Samoa",
        "Latin American states in the South China Sea",
        "New Mexico and the Niger Delta",
        "the Washington Post and the Paris Agreement",
        "Jordan Peterson at Seoul National University",
        "fine china and a turkey",
        "piracy in the Gulf of Guinea and the Sea of Japan",
    ],
)
def test_places_people_and_common_words_are_not_parties(text):
    assert find_parties(text) == []


def test_a_title_keeps_a_first_name_state_a_party():
    assert _found("Chad President Deby and the Jordan Armed Forces") == [
        (0, 4, "Chad", "TCD"),
        (28, 34, "Jordan", "JOR"),
    ]


def test_every_party_in_the_seed_article_is_found_at_its_offsets(seed):
    found = find_parties(seed.text)
    assert {m.value.name for m in found} >= {"United States", "Japan", "Australia", "China"}
    assert all(seed.text[m.start : m.end] == m.mention for m in found)


def test_the_european_defence_agency_is_an_organisation_in_either_spelling():
    [found] = find_parties("The Pentagon and the European Defense Agency signed a pact.")[1:]
    assert (found.mention, found.value.name, found.value.kind) == (
        "European Defense Agency", "European Defence Agency", "organisation")


@pytest.mark.parametrize("text, iso3", [("US Army", "USA"), ("the Greek navy", "GRC"),
                                         ("the Indian Air Force", "IND"),
                                         ("Japan's defence minister", "JPN")])
def test_a_states_forces_and_ministers_name_the_state(text, iso3):
    assert lookup_party(text).iso3 == iso3


@pytest.mark.parametrize("text", ["French shipbuilder Naval Group", "Polish Apache crews"])
def test_a_company_or_crew_named_after_a_state_is_not_the_state(text):
    assert lookup_party(text) is None
