"""The validator checks every fact against the source; these read as examples of its codes."""

from pathlib import Path

from treatyx import validation as v
from treatyx.models import Amount, Document


def codes(issues):
    return sorted(i.code for i in issues)


def test_the_seed_gold_is_fully_grounded(seed, seed_gold):
    issues = v.validate(seed_gold, seed.text, body=(seed.body_start, seed.body_end))
    assert [i for i in issues if i.severity == "error"] == []


def test_an_amount_that_is_not_in_the_text_is_ungrounded(seed, seed_gold):
    seed_gold.agreements[0].amounts[0] = Amount(
        value=9.8e9, currency="USD", mention="$9.8 billion", span=(1371, 1383))
    issues = v.validate(seed_gold, seed.text)
    assert [(i.code, i.severity, i.path) for i in issues if i.code == v.UNGROUNDED] == [
        (v.UNGROUNDED, "error", "agreements[0].amounts[0]")]


def test_a_value_that_disagrees_with_its_mention_is_an_error(seed, seed_gold):
    seed_gold.agreements[0].amounts[0].value = 9.0e9
    seed_gold.agreements[0].durations[0].value = "P4Y"
    issues = v.validate(seed_gold, seed.text)
    assert {v.AMOUNT_MISMATCH, v.DURATION_MISMATCH} <= set(codes(issues))


def test_wrong_offsets_are_repaired_with_a_warning(seed, seed_gold):
    amount = seed_gold.agreements[0].amounts[0]
    amount.span = (0, 12)
    checked = v.check(seed_gold, seed.text)
    assert [i.code for i in checked.issues if i.path == "agreements[0].amounts[0]"] == [
        v.SPAN_REPAIRED]
    repaired = checked.document.agreements[0].amounts[0]
    assert seed.text[repaired.span[0]:repaired.span[1]] == "$9.3 billion"


def test_a_near_match_takes_the_source_words(seed, seed_gold):
    evidence = seed_gold.agreements[2].evidence[0]
    evidence.quote = evidence.quote.replace("Australia signed", "Australia  signed")
    evidence.span = None
    checked = v.check(seed_gold, seed.text)
    assert v.NEAR_MATCH in codes(checked.issues)
    assert "Australia signed" in checked.document.agreements[2].evidence[0].quote


def test_party_codes_must_belong_to_the_name(seed, seed_gold):
    seed_gold.agreements[0].parties[1].cow = 741
    assert v.PARTY_CODES in codes(v.validate(seed_gold, seed.text))


def test_a_party_mention_must_name_that_party(seed, seed_gold):
    japan = seed_gold.agreements[2].parties[0]
    japan.mention, japan.span = "Australia", None
    assert v.PARTY_MENTION in codes(v.validate(seed_gold, seed.text))


def test_dates_are_resolved_against_publication(seed, seed_gold):
    seed_gold.agreements[2].dates[0].value = "2022-01-07"  # "Thursday" before 8 Jan is the 6th
    assert v.DATE_MISMATCH in codes(v.validate(seed_gold, seed.text))


def test_signed_after_publication_and_planned_but_signed(seed, seed_gold):
    signed = seed_gold.agreements[2]
    signed.dates[0].value = "2022-01-13"
    signed.dates[0].mention, signed.dates[0].span = "Thursday", None
    assert v.SIGNED_AFTER_PUBLICATION in codes(v.validate(seed_gold, seed.text))

    planned = seed_gold.model_copy(deep=True)
    planned.agreements[2].dates[0].value = "2022-01-06"
    planned.agreements[2].status = "planned"
    assert v.PLANNED_BUT_SIGNED in codes(v.validate(planned, seed.text))


def test_duplicates_and_agreements_without_parties(seed, seed_gold):
    agreement = seed_gold.agreements[0]
    agreement.amounts.append(agreement.amounts[0].model_copy())
    seed_gold.agreements[1].parties = []
    found = codes(v.validate(seed_gold, seed.text))
    assert v.DUPLICATE_FACT in found and v.NO_PARTY in found


def test_words_only_in_the_boilerplate_are_rejected(seed):
    doc = Document.model_validate({
        "doc_id": "seed", "published": "2022-01-08",
        "agreements": [{
            "type": "other", "status": "announced",
            "parties": [{"name": "Poland", "iso3": "POL", "cow": 290, "kind": "state",
                         "mention": "Polish"}],
        }],
    })
    issues = v.validate(doc, seed.text, body=(seed.body_start, seed.body_end))
    assert v.OUTSIDE_BODY in codes(issues)


def test_strict_drops_what_has_errors_and_keeps_it_listed(seed, seed_gold):
    seed_gold.agreements[0].amounts[0].value = 1.0
    kept = v.apply(seed_gold, seed.text, strict=True)
    assert kept.agreements[0].amounts == []
    assert kept.validation.ok
    dropped = [i for i in kept.validation.issues if i.code == v.AMOUNT_MISMATCH]
    assert dropped and dropped[0].message.endswith("Dropped (--strict).")


def test_every_code_is_documented_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    assert all(code in readme for code in v.CODES)


def test_an_agreement_without_supported_evidence_is_flagged_and_dropped_under_strict(seed,
                                                                                      seed_gold):
    seed_gold.agreements[0].evidence[0].quote = "Japan and the US signed a $1 trillion pact."
    seed_gold.agreements[1].evidence = []
    lenient = v.apply(seed_gold, seed.text)
    assert not lenient.validation.ok
    flagged = [i.path for i in lenient.validation.issues if i.code == v.NO_EVIDENCE]
    assert flagged == ["agreements[0]", "agreements[1]"]

    strict = v.apply(seed_gold, seed.text, strict=True)
    assert len(strict.agreements) == len(seed_gold.agreements) - 2
    assert strict.validation.ok and v.validate(strict, seed.text) == []
