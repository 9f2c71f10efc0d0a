"""The evaluator on the seed gold and hand-made perturbations of it.

The seed gold has three agreements: 0 host nation support (USA, JPN; $9.3 billion, P5Y,
an optional Thursday date), 1 research and development (USA, JPN; Thursday, announced),
2 defence cooperation (JPN, AUS; Thursday, signed).
"""

import pytest
from rich.console import Console

from treatyx.eval_report import render_markdown, render_table
from treatyx.evaluation import ALL, FIELDS, EvalReport, FieldScore, evaluate
from treatyx.models import Agreement, AgreementType, Issue, Party, Validation

KOREA = Party(name="South Korea", iso3="KOR", cow=732, kind="state", mention="Seoul")


def counts(report: EvalReport) -> dict[str, tuple[int, int, int]]:
    scores = {**report.fields, "agreements": report.agreements}
    return {name: (s.tp, s.fp, s.fn) for name, s in scores.items()}


def changed(before: EvalReport, after: EvalReport) -> dict[str, tuple[int, int, int]]:
    """Per field, how (tp, fp, fn) moved; fields that did not move are left out."""
    old, new = counts(before), counts(after)
    return {
        name: tuple(b - a for a, b in zip(old[name], new[name], strict=True))
        for name in old
        if old[name] != new[name]
    }


@pytest.fixture
def perfect(seed_gold) -> EvalReport:
    return evaluate([seed_gold], [seed_gold])


@pytest.fixture
def pred(seed_gold):
    """A prediction to perturb: the gold itself, copied."""
    return seed_gold.model_copy(deep=True)


def test_the_seed_gold_against_itself_scores_one_everywhere(perfect):
    for field in (*FIELDS, ALL):
        score = perfect.fields[field]
        assert (score.precision, score.recall, score.f1) == (1.0, 1.0, 1.0), field
        assert score.fp == score.fn == 0
    assert perfect.agreements.tp == 3 and perfect.agreements.f1 == 1.0
    # The optional Thursday date of agreement 0 is not counted: two dates, not three.
    assert counts(perfect)["dates"] == (2, 0, 0)
    assert counts(perfect)["parties"] == (6, 0, 0)
    assert perfect.errors == [] and perfect.missing_predictions == []
    assert perfect.documents == 1 and [d.doc_id for d in perfect.by_doc] == ["seed"]


def test_all_is_the_micro_sum_without_date_roles(perfect):
    fields = ("parties", "type", "status", "amounts", "durations", "dates")
    assert perfect.fields[ALL].tp == sum(perfect.fields[f].tp for f in fields)


def test_a_wrong_amount_is_one_false_positive_and_one_false_negative(seed_gold, pred, perfect):
    pred.agreements[0].amounts[0].value = 9.0e9

    report = evaluate([seed_gold], [pred])

    assert changed(perfect, report) == {"amounts": (-1, 1, 1), ALL: (-1, 1, 1)}
    assert {(e.kind, e.value) for e in report.errors} == {
        ("fp", "USD 9000000000"),
        ("fn", "USD 9300000000"),
    }
    assert all(e.gold_agreement == 0 == e.pred_agreement for e in report.errors)


@pytest.mark.parametrize(("value", "matches"), [(9.35e9, True), (9.207e9, True), (9.4e9, False)])
def test_amounts_match_within_one_percent(seed_gold, pred, perfect, value, matches):
    pred.agreements[0].amounts[0].value = value

    report = evaluate([seed_gold], [pred])

    assert (changed(perfect, report) == {}) is matches


def test_an_amount_needs_the_same_currency_and_period(seed_gold, pred, perfect):
    pred.agreements[0].amounts[0].period = "year"

    report = evaluate([seed_gold], [pred])

    assert changed(perfect, report)["amounts"] == (-1, 1, 1)
    assert ("fp", "USD 9300000000/year") in {(e.kind, e.value) for e in report.errors}


def test_a_missing_party_is_a_false_negative_and_the_pair_holds(seed_gold, pred, perfect):
    del pred.agreements[0].parties[1]  # Japan; {USA} against {USA, JPN}: Jaccard 0.5

    report = evaluate([seed_gold], [pred])

    assert changed(perfect, report) == {"parties": (-1, 0, 1), ALL: (-1, 0, 1)}
    assert [(e.kind, e.value) for e in report.errors] == [("fn", "JPN")]


def test_a_wrong_party_below_half_overlap_unpairs_the_agreement(seed_gold, pred, perfect):
    pred.agreements[2].parties[0] = KOREA  # {KOR, AUS} against {JPN, AUS}: Jaccard 1/3

    report = evaluate([seed_gold], [pred])

    # Every fact of gold agreement 2 is missed and every fact of the prediction is spurious:
    # two parties, type, status and the Thursday date on each side.
    assert changed(perfect, report) == {
        "agreements": (-1, 1, 1),
        "parties": (-2, 2, 2),
        "type": (-1, 1, 1),
        "status": (-1, 1, 1),
        "dates": (-1, 1, 1),
        "date_roles": (-1, 0, 0),  # roles are only judged on paired, matched dates
        ALL: (-5, 5, 5),
    }
    assert {e.gold_agreement for e in report.errors if e.kind == "fn"} == {2}
    assert {e.pred_agreement for e in report.errors if e.kind == "fp"} == {2}


def test_an_extra_predicted_agreement_is_all_false_positives(seed_gold, pred, perfect):
    extra = pred.agreements[0].model_copy(deep=True)
    pred.agreements.append(extra)

    report = evaluate([seed_gold], [pred])

    # Even its optional date is an fp: optional gold cannot excuse an unpaired prediction.
    assert changed(perfect, report) == {
        "agreements": (0, 1, 0),
        "parties": (0, 2, 0),
        "type": (0, 1, 0),
        "status": (0, 1, 0),
        "amounts": (0, 1, 0),
        "durations": (0, 1, 0),
        "dates": (0, 1, 0),
        ALL: (0, 7, 0),
    }
    assert report.agreements.precision == 3 / 4


def test_a_wrong_type_keeps_the_pair_and_costs_one_type_fact(seed_gold, pred, perfect):
    pred.agreements[2].type = AgreementType.alliance

    report = evaluate([seed_gold], [pred])

    assert changed(perfect, report) == {"type": (-1, 1, 1), ALL: (-1, 1, 1)}
    assert ("fn", "type=defence_cooperation") in {(e.kind, e.value) for e in report.errors}


def test_pairing_prefers_the_agreement_of_the_same_type(seed_gold, pred, perfect):
    # Agreements 0 and 1 share their parties; only the type tells them apart.
    pred.agreements[0], pred.agreements[1] = pred.agreements[1], pred.agreements[0]

    report = evaluate([seed_gold], [pred])

    assert changed(perfect, report) == {}


def test_a_swapped_date_role_moves_date_roles_only(seed_gold, pred, perfect):
    pred.agreements[2].dates[0].role = "announced"  # gold: signed

    report = evaluate([seed_gold], [pred])

    assert changed(perfect, report) == {"date_roles": (-1, 1, 1)}
    assert {(e.kind, e.value) for e in report.errors} == {
        ("fp", "2022-01-06/day role=announced"),
        ("fn", "2022-01-06/day role=signed"),
    }


def test_a_date_of_another_granularity_is_another_date(seed_gold, pred, perfect):
    pred.agreements[2].dates[0].value, pred.agreements[2].dates[0].granularity = "2022-01", "month"

    report = evaluate([seed_gold], [pred])

    assert changed(perfect, report) == {
        "dates": (-1, 1, 1),
        "date_roles": (-1, 0, 0),
        ALL: (-1, 1, 1),
    }


def test_the_optional_thursday_date_neither_rewards_nor_penalises(seed_gold, pred, perfect):
    without = pred.model_copy(deep=True)
    without.agreements[0].dates = []
    wrong_role = pred.model_copy(deep=True)
    wrong_role.agreements[0].dates[0].role = "signed"

    assert changed(perfect, evaluate([seed_gold], [without])) == {}
    assert changed(perfect, evaluate([seed_gold], [wrong_role])) == {}


def test_a_repeated_predicted_fact_is_a_false_positive_beyond_the_first(seed_gold, pred, perfect):
    first = pred.agreements[0]
    first.amounts.append(first.amounts[0].model_copy())
    first.parties.append(first.parties[0].model_copy())

    report = evaluate([seed_gold], [pred])

    assert changed(perfect, report) == {"amounts": (0, 1, 0), "parties": (0, 1, 0), ALL: (0, 2, 0)}


def test_a_missing_document_is_all_false_negatives_and_listed(seed_gold, perfect):
    twin = seed_gold.model_copy(update={"doc_id": "twin"})
    stranger = seed_gold.model_copy(update={"doc_id": "stranger"})

    report = evaluate([seed_gold, twin], [seed_gold, stranger])

    assert report.missing_predictions == ["twin"]
    assert report.extra_predictions == ["stranger"]
    for field in (*FIELDS, ALL):
        if field == "date_roles":  # unpaired dates have no role to judge
            assert counts(report)[field] == counts(perfect)[field]
            continue
        tp = perfect.fields[field].tp
        assert counts(report)[field] == (tp, 0, tp), field
    twin_score = report.by_doc[1]
    assert twin_score.missing and twin_score.fields[ALL].recall == 0.0
    assert twin_score.agreements.fn == 3


def test_an_error_issue_on_one_amount_lowers_grounding_by_one_fact(seed_gold, pred):
    facts = sum(
        len(a.parties) + len(a.amounts) + len(a.durations) + len(a.dates) for a in pred.agreements
    )
    clean = pred.model_copy(update={"validation": Validation(ok=True)})
    pred.validation = Validation(
        ok=False,
        issues=[
            Issue(code="TX101", severity="error", path="agreements[0].amounts[0]", message="m"),
            Issue(code="TX102", severity="warning", path="agreements[0].parties[0]", message="m"),
            Issue(code="TX110", severity="error", path="agreements[0]", message="not a fact"),
        ],
    )

    assert evaluate([seed_gold], [seed_gold]).grounding_rate is None  # no validation
    assert evaluate([seed_gold], [clean]).grounding_rate == 1.0
    report = evaluate([seed_gold], [pred])
    assert report.grounding_rate == pytest.approx(1 - 1 / facts)
    assert report.grounding_facts == facts


def test_an_issue_path_names_its_fact_exactly(seed_gold, pred):
    pred.validation = Validation(
        ok=False,
        issues=[
            Issue(code="TX101", severity="error", path="agreements[0].parties[10]", message="m"),
            Issue(code="TX101", severity="error", path="agreements[2].dates[0].span", message="m"),
        ],
    )

    report = evaluate([seed_gold], [pred])

    assert report.grounding_rate == pytest.approx(1 - 1 / report.grounding_facts)


def test_strict_output_lists_dropped_facts_but_its_kept_facts_are_grounded(seed_gold, pred):
    # Under --strict, ok is true and the error paths name facts that were removed.
    pred.validation = Validation(
        ok=True,
        issues=[
            Issue(code="TX101", severity="error", path="agreements[0].amounts[0]", message="m")
        ],
    )

    assert evaluate([seed_gold], [pred]).grounding_rate == 1.0


def test_a_mention_not_in_the_text_is_a_hallucination(seed, seed_gold, pred):
    pred.agreements[0].parties[1].mention = "Tokyo"

    assert evaluate([seed_gold], [pred], texts={"seed": seed.text}).hallucinations == 1
    assert evaluate([seed_gold], [seed_gold], texts={"seed": seed.text}).hallucinations == 0
    with_text = pred.model_copy(update={"text": seed.text})
    assert evaluate([seed_gold], [with_text]).hallucinations == 1
    no_text = evaluate([seed_gold], [pred])
    assert (no_text.hallucinations, no_text.hallucination_docs_skipped) == (0, 1)


def test_organisations_are_matched_by_name(seed_gold, pred, perfect):
    nato = Party(name="NATO", iso3=None, cow=None, kind="organisation", mention="NATO")
    gold = seed_gold.model_copy(deep=True)
    gold.agreements[2].parties.append(nato)
    pred.agreements[2].parties.append(nato.model_copy(update={"name": "Nato"}))

    assert changed(perfect, evaluate([gold], [pred])) == {
        "parties": (1, 0, 0),
        ALL: (1, 0, 0),
    }


def test_empty_against_empty_and_the_undefined_ratio_convention():
    report = evaluate([], [])
    assert report.fields[ALL].f1 == 1.0 and report.documents == 0
    assert report.grounding_rate is None
    # No prediction at all while gold has facts: nothing to praise.
    assert FieldScore(tp=0, fp=0, fn=3).precision == 0.0
    assert FieldScore(tp=0, fp=2, fn=0).recall == 0.0
    assert FieldScore(tp=2, fp=2, fn=0).f1 == pytest.approx(2 / 3)


def test_a_gold_without_agreements_against_an_empty_prediction(seed_gold):
    quiet = seed_gold.model_copy(update={"doc_id": "quiet", "agreements": []})
    chatty = quiet.model_copy(update={"agreements": [seed_gold.agreements[0]]})

    assert evaluate([quiet], [quiet]).agreements.f1 == 1.0
    report = evaluate([quiet], [chatty])
    assert report.agreements.precision == 0.0 and report.fields[ALL].tp == 0


def test_the_report_serialises_with_its_ratios(seed_gold, pred):
    pred.agreements[0].amounts[0].value = 1.0
    data = evaluate([seed_gold], [pred]).model_dump(mode="json")

    assert data["fields"]["amounts"] == {
        "tp": 0,
        "fp": 1,
        "fn": 1,
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
    }
    assert data["errors"][0]["field"] == "amounts"


def test_a_repeated_gold_doc_id_is_refused(seed_gold):
    with pytest.raises(ValueError, match="seed"):
        evaluate([seed_gold, seed_gold], [])


def test_renderings_show_every_field(seed_gold, pred):
    pred.agreements[2].dates[0].role = "other"
    report = evaluate([seed_gold], [pred])

    markdown = render_markdown(report)
    assert "| date_roles | 0.500 | 0.500 | 0.500 | 1 | 1 | 1 |" in markdown
    assert "grounding rate: n/a" in markdown
    console = Console(record=True, width=120)
    console.print(render_table(report, by_doc=True, errors=True))
    shown = console.export_text()
    assert "agreements (detection)" in shown and "role=other" in shown and "seed" in shown


def test_an_agreement_list_with_a_party_less_prediction_does_not_pair(seed_gold, pred, perfect):
    pred.agreements[1] = Agreement(type="research_development", status="announced")

    report = evaluate([seed_gold], [pred])

    assert counts(report)["agreements"] == (2, 1, 1)
