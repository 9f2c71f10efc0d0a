import csv
import datetime as dt
import sys

import pandas as pd
import pytest

from treatyx import build_dataset
from treatyx.cli import main
from treatyx.errors import TablesError
from treatyx.models import Agreement, Amount, DateFact, Document, Party

USA = Party(name="United States", iso3="USA", cow=2, kind="state", mention="US")
POL = Party(name="Poland", iso3="POL", cow=290, kind="state", mention="Warsaw")
NATO = Party(name="NATO", iso3=None, cow=None, kind="organisation", mention="NATO")


def usd(value: float) -> Amount:
    return Amount(value=value, currency="USD", mention=f"${value}")


def doc(doc_id, published, status="signed", type="arms_transfer", parties=(USA, POL),
        **fields) -> Document:
    agreement = Agreement(type=type, status=status, parties=list(parties), **fields)
    return Document(doc_id=doc_id, published=dt.date.fromisoformat(published),
                    agreements=[agreement])


SIGNED = DateFact(value="2020-02-03", granularity="day", role="signed", mention="Monday")
JETS = [
    doc("announce", "2019-05-28", status="announced", amounts=[usd(1.4e9)]),
    doc("sign", "2020-02-04", dates=[SIGNED], amounts=[usd(1.5e9)], name="F-35 deal"),
    doc("sign_again", "2020-02-05", amounts=[usd(1.5e9)]),
    doc("drills", "2020-02-05", type="training_exercises", parties=(USA, POL, NATO)),
]


def test_reports_of_one_sale_are_one_agreement_with_their_conflict_visible():
    dataset = build_dataset(JETS)

    jets = next(row for row in dataset.agreements if row["type"] == "arms_transfer")
    assert jets["n_reports"] == 3
    assert jets["doc_ids"] == "announce;sign;sign_again"
    assert (jets["status"], jets["name"]) == ("signed", "F-35 deal")
    assert jets["status_history"] == "announced:2019-05-28;signed:2020-02-04"
    assert (jets["signed"], jets["year"], jets["year_source"]) == ("2020-02-03", 2020, "signed")
    assert (jets["first_reported"], jets["last_reported"]) == ("2019-05-28", "2020-02-05")
    # Two reports say 1.5 billion, one 1.4: the column takes the majority, conflicts both.
    assert jets["amount_USD"] == 1.5e9
    assert jets["conflicts"] == "amount_USD: 1400000000 | 1500000000"
    assert jets["grouped_by"] == "parties;type;time"
    drills = next(row for row in dataset.agreements if row["type"] == "training_exercises")
    assert (drills["year"], drills["year_source"], drills["grouped_by"]) == (
        2020, "first_report", "single report")


def test_every_report_names_its_agreement():
    dataset = build_dataset(JETS)

    ids = {row["doc_id"]: row["agreement_id"] for row in dataset.reports}
    assert ids["announce"] == ids["sign"] == ids["sign_again"] != ids["drills"]
    assert [row["linked_by"] for row in dataset.reports] == ["first", "first", "time", "time"]


def test_dyad_years_follow_dcad_and_count_agreements_not_reports():
    dataset = build_dataset(JETS)

    row = dataset.dyad_years[0]
    assert (row["ccode1"], row["ccode2"], row["abbrev1"], row["abbrev2"], row["year"]) == (
        2, 290, "USA", "POL", 2020)
    assert row["n_agreements"] == 2  # the sale and the drills; NATO is not a state
    assert (row["arms_transfer"], row["training_exercises"], row["alliance"]) == (1, 1, 0)
    assert len(row["agreement_ids"].split(";")) == 2


def test_agreement_ids_are_stable_across_reruns_and_input_order():
    first = build_dataset(JETS).agreements
    again = build_dataset(list(reversed(JETS))).agreements

    assert [r["agreement_id"] for r in first] == [r["agreement_id"] for r in again]


def test_the_seed_gives_three_agreements_in_two_dyads(seed_gold):
    dataset = build_dataset([seed_gold])

    assert sorted((r["type"], r["year_source"]) for r in dataset.agreements) == [
        ("defence_cooperation", "signed"),
        ("host_nation_support", "announced"),
        ("research_development", "announced"),
    ]
    assert [r["n_agreements"] for r in dataset.dyad_years] == [2, 1]  # USA-JPN, JPN-AUS


def test_csv_needs_no_pandas(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)

    paths = build_dataset(JETS).write(tmp_path)

    assert [p.name for p in paths] == ["agreements.csv", "reports.csv", "dyad_year.csv"]
    with (tmp_path / "dyad_year.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["ccode1"] == "2" and rows[0]["agreement_ids"]


def test_parquet_keeps_the_types_and_needs_pyarrow(tmp_path, monkeypatch):
    build_dataset(JETS).write(tmp_path, "parquet")
    frame = pd.read_parquet(tmp_path / "dyad_year.parquet")
    assert frame.ccode1.dtype == "int64" and frame.year.dtype == "Int64"

    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(TablesError, match="pyarrow is not installed"):
        build_dataset(JETS).write(tmp_path / "other", "parquet")


def test_the_command_writes_the_tables_and_names_a_bad_input(tmp_path, capsys):
    corpus = tmp_path / "out.jsonl"
    corpus.write_text("".join(d.to_json() + "\n" for d in JETS), encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")

    code = main(["dataset", str(corpus), str(bad), "-o", str(tmp_path / "ds")])

    assert code == 1
    err = capsys.readouterr().err
    assert f"{bad}:1: invalid JSON" in err
    assert "4 report(s) of 4 document(s) -> 2 agreement(s), 1 dyad-year(s)" in err
    agreements = pd.read_csv(tmp_path / "ds" / "agreements.csv")
    assert agreements.n_reports.tolist() == [3, 1]


def test_dyad_years_merge_with_a_cow_style_table(tmp_path):
    build_dataset(JETS).write(tmp_path)
    cow = pd.DataFrame({"ccode1": [2, 2], "ccode2": [290, 290], "year": [2019, 2020]})

    merged = cow.merge(pd.read_csv(tmp_path / "dyad_year.csv"), on=["ccode1", "ccode2", "year"],
                       how="left")

    assert merged.n_agreements.fillna(0).tolist() == [0, 2]


def test_a_document_given_twice_counts_once(tmp_path, capsys):
    corpus = tmp_path / "out.jsonl"
    corpus.write_text("".join(d.to_json() + "\n" for d in JETS), encoding="utf-8")

    code = main(["dataset", str(corpus), str(corpus), "-o", str(tmp_path / "ds")])

    assert code == 1
    err = capsys.readouterr().err
    assert "4 doc_id(s) already read were skipped (announce, sign, sign_again, ...)" in err
    assert "4 report(s) of 4 document(s) -> 2 agreement(s)" in err


def test_signed_dates_are_reconciled_to_the_most_precise_and_disagreements_listed():
    def signed(value):
        granularity = {7: "month", 10: "day"}[len(value)]
        return DateFact(value=value, granularity=granularity, role="signed", mention=value)

    corpus = [
        doc("month", "2020-02-20", dates=[signed("2020-02")]),
        doc("day", "2020-02-21", dates=[signed("2020-02-03")]),
        doc("other_day", "2020-02-22", dates=[signed("2020-02-04")]),
        doc("day_again", "2020-02-23", dates=[signed("2020-02-03")]),
    ]

    row = build_dataset(corpus).agreements[0]

    assert row["n_reports"] == 4
    assert (row["signed"], row["signed_granularity"]) == ("2020-02-03", "day")
    # "2020-02" agrees with both days; the two days disagree with each other.
    assert row["conflicts"] == "signed: 2020-02 | 2020-02-03 | 2020-02-04"
