"""Build treatyx/normalize/data/cow_states.csv from the `countrycode` package's code list.

    pip download --no-deps countrycode==0.6.0 && python tools/build_party_table.py WHEEL

The Correlates of War state numbers and abbreviations in that list come from the COW
State System Membership List (v2016); ISO 3166-1 alpha-3 codes from ISO. The list maps
codes of countries that exist, so six historical COW states it lacks are written by hand
below (HISTORICAL), and the table is checked against well-known codes before it is written.
"""

from __future__ import annotations

import csv
import io
import pickle
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "treatyx" / "normalize" / "data" / "cow_states.csv"

# Short English names where the list's own name is not the one news uses.
SHORT_NAMES = {
    "USA": "United States", "GBR": "United Kingdom", "KOR": "South Korea",
    "PRK": "North Korea", "RUS": "Russia", "IRN": "Iran", "SYR": "Syria", "VNM": "Vietnam",
    "LAO": "Laos", "BOL": "Bolivia", "VEN": "Venezuela", "TZA": "Tanzania", "MDA": "Moldova",
    "COD": "DR Congo", "COG": "Congo", "CIV": "Ivory Coast", "CZE": "Czech Republic",
    "MKD": "North Macedonia", "BRN": "Brunei", "FSM": "Micronesia", "CPV": "Cape Verde",
    "SWZ": "Eswatini", "TLS": "Timor-Leste", "MMR": "Myanmar", "KNA": "Saint Kitts and Nevis",
    "VCT": "Saint Vincent and the Grenadines", "LCA": "Saint Lucia", "BHS": "Bahamas",
    "GMB": "Gambia", "PSE": "Palestine", "TWN": "Taiwan", "CHN": "China", "TUR": "Turkey",
    "TTO": "Trinidad and Tobago", "ATG": "Antigua and Barbuda", "BIH": "Bosnia and Herzegovina",
    "STP": "Sao Tome and Principe",
}  # fmt: skip

# COW v2016 states missing from the countrycode list (no country of today maps to them),
# written by hand from the COW list: (ccode, abbreviation, COW name).
HISTORICAL = [
    (89, "UPC", "United Provinces of Central America"),
    (99, "GCL", "Great Colombia"),
    (260, "GFR", "German Federal Republic"),
    (563, "TRA", "Transvaal"),
    (564, "OFS", "Orange Free State"),
    (730, "KOR", "Korea"),
]

# Codes every user of the table relies on: the build fails if the source disagrees.
WELL_KNOWN = {
    "USA": 2, "CAN": 20, "GBR": 200, "FRA": 220, "DEU": 255, "RUS": 365, "CHN": 710,
    "TWN": 713, "KOR": 732, "PRK": 731, "JPN": 740, "IND": 750, "PAK": 770, "AUS": 900,
    "ISR": 666, "UKR": 369, "TUR": 640, "PHL": 840, "IDN": 850, "VNM": 816, "SAU": 670,
    "ARE": 696, "EGY": 651, "BRA": 140, "NZL": 920, "POL": 290, "SWE": 380, "FIN": 375,
    "XKX": 347,
}  # fmt: skip


def _present(value: object) -> bool:
    return value is not None and value == value  # NaN is not equal to itself


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        codes = pickle.load(io.BytesIO(archive.read("countrycode/data/codelist.pickle")))
    rows = []
    for i, cow in enumerate(codes["cown"]):
        if not _present(cow):
            continue
        iso3 = codes["iso3c"][i] if _present(codes["iso3c"][i]) else ""
        if codes["cowc"][i] == "KOS":
            iso3 = "XKX"  # no ISO 3166-1 code; XKX is the user-assigned code the EU and IMF use
        if codes["cowc"][i] == "PAP":
            iso3 = ""  # the Papal States (1816-1870) are not the Vatican, which COW never lists
        name = SHORT_NAMES.get(iso3, codes["country.name.en"][i] if iso3 else "")
        rows.append((int(cow), codes["cowc"][i], codes["cow.name"][i], iso3, name))
    # COW keeps 345 for Yugoslavia and its successor Serbia; ISO has SRB for the latter.
    rows.append((345, "YUG", "Serbia", "SRB", "Serbia"))
    rows += [(cow, abbr, name, "", "") for cow, abbr, name in HISTORICAL]
    rows = sorted((cow, abbr, cow_name, iso3, name or cow_name)
                  for cow, abbr, cow_name, iso3, name in rows)  # fmt: skip
    by_iso3 = {row[3]: row[0] for row in rows if row[3]}
    wrong = {
        iso3: by_iso3.get(iso3) for iso3, cow in WELL_KNOWN.items() if by_iso3.get(iso3) != cow
    }
    if wrong:
        raise SystemExit(f"COW codes differ from the well-known ones: {wrong}")
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        handle.write("# Correlates of War state system (v2016) with ISO 3166-1 alpha-3 codes.\n")
        handle.write(
            "# Source: the code list of the `countrycode` package 0.6.0 (PyPI; "
            "github.com/vincentarelbundock/pycountrycode), columns cown, cowc, cow.name, "
            "iso3c; built by tools/build_party_table.py. By hand: COW states 89, 99, 260, "
            "563, 564, 730 (missing from that list); Kosovo has no ISO code: XKX; historical "
            "states have no iso3; 345 is both Yugoslavia and Serbia.\n"
        )
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["cow", "cowc", "cow_name", "iso3", "name"])
        writer.writerows(rows)
    print(f"{len(rows)} rows ({len({r[0] for r in rows})} COW states) written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
