import datetime as dt
import math
import sys

import pandas as pd
import pytest

from treatyx.models import (
    Agreement,
    Amount,
    DateFact,
    Document,
    Duration,
    ExtractorInfo,
    Issue,
    Party,
    Validation,
)
from treatyx.tables import (
    LEVELS,
    TablesError,
    collapse_dyad_years,
    duration_years,
    export,
    to_frame,
)

USA = Party(name="United States", iso3="USA", cow=2, kind="state", mention="US")
JPN = Party(name="Japan", iso3="JPN", cow=740, kind="state", mention="Japan")
KOR = Party(name="South Korea", iso3="KOR", cow=732, kind="state", mention="Seoul")
NATO = Party(name="NATO", iso3=None, cow=None, kind="organisation", mention="NATO")


def money(value: float, currency: str, period=None) -> Amount:
    return Amount(value=value, currency=currency, period=period, mention=f"{value} {currency}")


def document(*agreements: Agreement, published=dt.date(2023, 5, 1), **fields) -> Document:
    return Document(doc_id="d1", published=published, agreements=list(agreements), **fields)


def test_agreement_level_of_the_seed_gold(seed_gold):
    frame = to_frame([seed_gold])

    assert len(frame) == 3
    first = frame.iloc[0]
    assert (first.doc_id, first.published, first.agreement) == ("seed", "2022-01-08", 0)
    assert (first.type, first.status) == ("host_nation_support", "planned")
    assert first.parties == "United States;Japan"
    assert (first.iso3s, first.cow_codes, first.n_parties) == ("JPN;USA", "2;740", 2)
    assert (first.duration, first.duration_years) == ("P5Y", 5.0)
    assert first.amount_USD == 9_300_000_000
    assert frame.amount_USD.isna().tolist() == [False, True, True]
    assert frame.signed.isna().tolist() == [True, True, False]
    assert frame.signed[2] == "2022-01-06" and frame.signed_granularity[2] == "day"
    assert frame.first_date.tolist() == ["2022-01-06"] * 3
    # A gold file carries no validation or extractor.
    assert frame.validation_ok.isna().all() and frame.backend.isna().all()


def test_agreement_level_totals_amounts_per_currency_and_period():
    agreement = Agreement(
        type="arms_transfer",
        status="signed",
        parties=[USA, JPN],
        amounts=[money(100, "USD"), money(50, "USD"), money(20, "EUR"), money(7, "USD", "year")],
        durations=[Duration(value="P18M", mention="18 months")],
        dates=[
            DateFact(value="2023-04", granularity="month", role="signed", mention="in April"),
            DateFact(value="2023-03-02", granularity="day", role="announced", mention="March 2"),
        ],
    )
    other = Agreement(type="logistics", status="planned", parties=[USA])
    issues = [
        Issue(code="TX101", severity="error", path="agreements[0]", message="m"),
        Issue(code="TX201", severity="warning", path="agreements[0]", message="m"),
        Issue(code="TX202", severity="warning", path="agreements[1]", message="m"),
    ]
    result = document(
        agreement,
        other,
        extractor=ExtractorInfo(backend="rules"),
        validation=Validation(ok=False, issues=issues),
    )

    frame = to_frame([result], level="agreement")

    assert [c for c in frame.columns if c.startswith("amount")] == [
        "amount_EUR",
        "amount_USD",
        "amount_per_year_USD",
    ]
    row = frame.iloc[0]
    assert (row.amount_USD, row.amount_EUR, row.amount_per_year_USD) == (150, 20, 7)
    assert (row.signed, row.signed_granularity, row.first_date) == (
        "2023-04",
        "month",
        "2023-03-02",
    )
    assert row.duration_years == 1.5
    assert frame.amount_USD.isna().tolist() == [False, True]
    assert (row.validation_ok, row.n_errors, row.n_warnings, row.backend) == (False, 1, 2, "rules")
    assert pd.isna(row.model)


@pytest.mark.parametrize(
    ("value", "years"),
    [("P5Y", 5.0), ("P18M", 1.5), ("P1Y6M", 1.5), ("P2W", 14 / 365.25), ("P10D", 10 / 365.25)],
)
def test_duration_years(value, years):
    assert math.isclose(duration_years(value), years)


def test_duration_years_of_nothing_is_none():
    assert duration_years(None) is None
    assert duration_years("five years") is None


def test_party_level_of_the_seed_gold(seed_gold):
    frame = to_frame([seed_gold], level="party")

    assert len(frame) == 6
    assert dict(zip(frame.iso3, frame.cow, strict=True)) == {"USA": 2, "JPN": 740, "AUS": 900}
    assert frame.agreement.tolist() == [0, 0, 1, 1, 2, 2]
    assert set(frame.kind) == {"state"}


def test_party_level_keeps_an_organisation_without_codes():
    frame = to_frame(
        [document(Agreement(type="alliance", status="signed", parties=[USA, NATO]))], "party"
    )

    assert frame.name.tolist() == ["United States", "NATO"]
    assert frame.cow.isna().tolist() == [False, True]
    assert frame.cow.dtype == "Int64"  # stays integer despite the missing code


def test_amount_level_of_the_seed_gold(seed_gold):
    frame = to_frame([seed_gold], level="amount")

    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row.agreement, row.value, row.currency) == (0, 9_300_000_000, "USD")
    assert pd.isna(row.period) and not row.approximate and row.mention == "$9.3 billion"


def test_dyad_year_level_of_the_seed_gold(seed_gold):
    frame = to_frame([seed_gold], level="dyad-year")

    dyads = list(zip(frame.ccode1, frame.ccode2, frame.year, strict=True))
    assert dyads == [(2, 740, 2022), (2, 740, 2022), (740, 900, 2022)]
    assert (frame.ccode1 < frame.ccode2).all()
    # Two agreements are dated only by an announcement; Japan-Australia was signed.
    assert frame.year_source.tolist() == ["announced", "announced", "signed"]
    assert frame.abbrev1.tolist() == ["USA", "USA", "JPN"]
    assert frame.abbrev2.tolist() == ["JPN", "JPN", "AUL"]
    assert frame.type.tolist() == [
        "host_nation_support",
        "research_development",
        "defence_cooperation",
    ]


def test_dyad_year_is_the_agreements_own_year_not_a_background_date():
    day = dict(granularity="day")
    extension = Agreement(
        type="basing_access",
        status="extended",
        parties=[USA, Party(name="Spain", iso3="ESP", cow=230, kind="state", mention="Spain")],
        dates=[
            DateFact(value="1988", granularity="year", role="other", mention="1988"),
            DateFact(value="2023-05-09", role="signed", mention="Tuesday", **day),
        ],
    )
    renewal_citing_the_original = extension.model_copy(
        update={"dates": [DateFact(value="1988", granularity="year", role="signed",
                                   mention="signed in 1988")]}
    )

    frame = to_frame([document(extension), document(renewal_citing_the_original)], "dyad-year")

    assert frame.year.tolist() == [2023, 2023]
    assert frame.year_source.tolist() == ["signed", "published"]


def test_dyad_year_skips_organisations_and_pairs_every_state():
    alliance = Agreement(type="alliance", status="signed", parties=[JPN, NATO, USA, KOR])

    frame = to_frame([document(alliance)], level="dyad-year")

    assert list(zip(frame.ccode1, frame.ccode2, strict=True)) == [(2, 732), (2, 740), (732, 740)]
    assert frame.year.tolist() == [2023] * 3
    assert set(frame.year_source) == {"published"}


def test_dyad_year_without_any_date_has_no_year():
    pact = Agreement(type="alliance", status="signed", parties=[USA, JPN])

    frame = to_frame([document(pact, published=None)], level="dyad-year")

    assert len(frame) == 1
    assert pd.isna(frame.year[0]) and pd.isna(frame.year_source[0])


def test_collapse_dyad_years_gives_one_row_per_dyad_year(seed_gold):
    collapsed = collapse_dyad_years(to_frame([seed_gold], level="dyad-year"))

    assert len(collapsed) == 2
    usa_japan = collapsed.iloc[0]
    assert (usa_japan.ccode1, usa_japan.ccode2, usa_japan.year) == (2, 740, 2022)
    assert usa_japan.n_agreements == 2
    assert usa_japan.types == "host_nation_support;research_development"
    assert collapsed.n_agreements.tolist() == [2, 1]


def test_collapsed_dyad_years_merge_with_a_cow_style_dyad_file(seed_gold):
    cow = pd.DataFrame({"ccode1": [2, 740], "ccode2": [740, 900], "year": [2022, 2022]})

    merged = cow.merge(collapse_dyad_years(to_frame([seed_gold], "dyad-year")), how="left")

    assert merged.n_agreements.tolist() == [2, 1]


@pytest.mark.parametrize("level", LEVELS)
def test_csv_round_trip(seed_gold, tmp_path, level):
    frame = to_frame([seed_gold], level)
    path = tmp_path / "out.csv"

    assert export([seed_gold], path, level=level) == len(frame)

    pd.testing.assert_frame_equal(pd.read_csv(path, dtype=frame.dtypes.to_dict()), frame)


@pytest.mark.parametrize("level", LEVELS)
def test_parquet_round_trip(seed_gold, tmp_path, level):
    path = tmp_path / "out.data"

    rows = export([seed_gold], path, level=level, format="parquet")

    back = pd.read_parquet(path)
    assert len(back) == rows
    pd.testing.assert_frame_equal(back, to_frame([seed_gold], level))


def test_no_results_give_an_empty_table_with_its_columns():
    frame = to_frame([], level="party")

    assert frame.empty
    assert frame.columns.tolist()[:4] == ["doc_id", "agreement", "type", "status"]


def test_a_bad_level_or_format_is_a_tables_error(seed_gold, tmp_path):
    with pytest.raises(TablesError, match="unknown level 'treaty'"):
        to_frame([seed_gold], level="treaty")
    with pytest.raises(TablesError, match="unknown level"):
        export([seed_gold], tmp_path / "a.csv", level="dyad")
    with pytest.raises(TablesError, match="unknown file suffix '.xlsx'"):
        export([seed_gold], tmp_path / "a.xlsx", level="party")
    with pytest.raises(TablesError, match="unknown format 'json'"):
        export([seed_gold], tmp_path / "a.csv", level="party", format="json")


def test_missing_pandas_is_a_clear_error(seed_gold, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)

    with pytest.raises(
        TablesError, match=r"pandas is not installed: pip install 'treatyx\[tables\]'"
    ):
        to_frame([seed_gold])


def test_missing_pyarrow_is_a_clear_error_for_parquet_only(seed_gold, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pyarrow", None)

    with pytest.raises(TablesError, match="pyarrow is not installed"):
        export([seed_gold], tmp_path / "a.parquet", level="agreement")
    assert not (tmp_path / "a.parquet").exists()
    assert export([seed_gold], tmp_path / "a.csv", level="agreement") == 3




def test_a_suffix_that_contradicts_the_format_is_refused(seed_gold, tmp_path):
    with pytest.raises(TablesError, match=r"the suffix \.csv contradicts --format parquet"):
        export([seed_gold], tmp_path / "x.csv", level="agreement", format="parquet")
    assert not (tmp_path / "x.csv").exists()
    assert export([seed_gold], tmp_path / "x.parquet", level="agreement", format="parquet")
