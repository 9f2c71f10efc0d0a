import datetime as dt

from treatyx.grouping import (
    GroupingRule,
    days_apart,
    group_reports,
    names_match,
    normal_name,
    type_fit,
)
from treatyx.models import Agreement, DateFact, Document, Party

USA = Party(name="United States", iso3="USA", cow=2, kind="state", mention="US")
JPN = Party(name="Japan", iso3="JPN", cow=740, kind="state", mention="Japan")
PHL = Party(name="Philippines", iso3="PHL", cow=840, kind="state", mention="Manila")


def signed(value: str) -> DateFact:
    granularity = {4: "year", 7: "month", 10: "day"}[len(value)]
    return DateFact(value=value, granularity=granularity, role="signed", mention=value)


def report(doc_id, published, type="defence_cooperation", status="signed", parties=(USA, JPN),
           **fields) -> Document:
    agreement = Agreement(type=type, status=status, parties=list(parties), **fields)
    return Document(doc_id=doc_id, published=dt.date.fromisoformat(published),
                    agreements=[agreement])


def clusters(documents) -> list[list[str]]:
    return sorted(sorted(r.doc_id for r in g.reports) for g in group_reports(documents))


def test_a_pact_planned_signed_and_ratified_over_months_is_one_agreement():
    corpus = [
        report("planned", "2023-01-10", status="planned"),
        report("signed", "2023-03-02", dates=[signed("2023-03-01")]),
        report("ratified", "2023-11-20", status="in_force"),
    ]

    groups = group_reports(corpus)

    assert len(groups) == 1
    assert groups[0].linked_by == ["first", "time", "time"]
    assert groups[0].grouped_by == "parties;type;time"


def test_the_same_parties_two_types_on_one_day_are_two_agreements():
    corpus = [report("a", "2023-03-02", type="logistics"),
              report("b", "2023-03-02", type="intelligence_sharing")]

    assert clusters(corpus) == [["a"], ["b"]]


def test_a_renewal_years_later_is_a_new_agreement():
    corpus = [
        report("first", "2016-01-22", type="host_nation_support",
               name="Special Measures Agreement"),
        report("renewal", "2021-12-21", type="host_nation_support", status="extended",
               name="Special Measures Agreement"),
    ]

    assert clusters(corpus) == [["first"], ["renewal"]]


def test_a_ratification_years_later_is_tied_by_its_signed_date():
    corpus = [
        report("signed", "2022-01-06", dates=[signed("2022-01-06")]),
        report("in_force", "2024-08-13", status="in_force", dates=[signed("2022-01")]),
    ]

    groups = group_reports(corpus)

    assert [g.linked_by for g in groups] == [["first", "signed"]]


def test_a_different_name_is_a_different_agreement_and_a_name_missing_is_no_evidence():
    corpus = [
        report("raa", "2023-03-02", name="Reciprocal Access Agreement"),
        report("unnamed", "2023-03-02"),
        report("acsa", "2023-03-03", name="Cross-Servicing Agreement"),
        report("acronym", "2023-03-05", name="RAA"),
    ]

    assert clusters(corpus) == [["acronym", "raa", "unnamed"], ["acsa"]]


def test_signed_dates_months_apart_are_two_signings():
    corpus = [report("a", "2023-03-02", dates=[signed("2023-03-01")]),
              report("b", "2023-09-02", dates=[signed("2023-08-30")])]

    assert clusters(corpus) == [["a"], ["b"]]


def test_a_new_round_of_talks_after_a_signing_is_a_new_agreement():
    corpus = [report("signed", "2023-03-02"),
              report("talks", "2024-02-01", status="negotiating")]

    assert clusters(corpus) == [["signed"], ["talks"]]


def test_other_party_sets_are_never_grouped_and_the_order_of_input_does_not_matter():
    corpus = [report("jp", "2023-03-02"), report("ph", "2023-03-02", parties=(USA, PHL)),
              report("jp2", "2023-03-03")]

    forward = group_reports(corpus)
    backward = group_reports(list(reversed(corpus)))

    assert clusters(corpus) == [["jp", "jp2"], ["ph"]]
    assert [g.agreement_id for g in forward] == [g.agreement_id for g in backward]


def test_the_window_is_one_threshold_of_the_rule():
    corpus = [report("a", "2023-01-01"), report("b", "2023-03-01")]

    assert clusters(corpus) == [["a", "b"]]
    assert len(group_reports(corpus, GroupingRule(window_days=30))) == 2


def test_names_match_by_words_and_acronyms():
    assert names_match(normal_name("the Enhanced Defense Cooperation Agreement"),
                       normal_name("Defense Cooperation Agreement"))
    assert names_match(normal_name("EDCA"), normal_name("Enhanced Defense Cooperation Agreement"))
    assert not names_match(normal_name("AUKUS"), normal_name("Quad"))


def test_days_apart_of_partial_dates():
    assert days_apart(signed("2023-03"), signed("2023-03-17")) == 0
    assert days_apart(signed("2023-03-01"), signed("2023-03-11")) == 10
    assert days_apart(signed("2022"), signed("2023-01-05")) == 5


def test_two_reports_of_one_document_are_two_agreements():
    two = Document(doc_id="both", published=dt.date(2023, 3, 2), agreements=[
        Agreement(type="logistics", status="signed", parties=[USA, JPN]),
        Agreement(type="logistics", status="signed", parties=[USA, JPN]),
    ])

    assert len(group_reports([two])) == 2


def test_another_type_joins_only_when_the_day_of_signing_ties_it():
    day = [signed("2021-07-21")]
    corpus = [
        report("signed", "2021-07-21", type="training_exercises", dates=day),
        report("same_day", "2021-07-23", type="basing_access", dates=day),
        report("undated", "2021-07-24", type="logistics"),
    ]

    groups = group_reports(corpus)

    assert clusters(corpus) == [["same_day", "signed"], ["undated"]]
    assert groups[0].grouped_by == "parties;types differ;signed"


def test_a_signed_date_in_the_past_of_a_planned_report_is_not_used():
    corpus = [
        report("planned", "2024-02-08", status="planned", dates=[signed("2024-02-05")]),
        report("signed", "2024-04-17", dates=[signed("2024-04-17")]),
    ]

    assert clusters(corpus) == [["planned", "signed"]]


def test_one_fitting_signed_date_of_several_is_enough():
    corpus = [
        report("signed", "2024-03-28", dates=[signed("2024-03-28")]),
        report("ratified", "2024-06-12", status="in_force",
               dates=[signed("2024-03"), signed("2024-06-11")]),
    ]

    assert [g.linked_by for g in group_reports(corpus)] == [["first", "signed"]]


def test_a_deal_first_reported_in_general_terms_joins_it_under_its_own_type():
    corpus = [
        report("to_sign", "2025-06-05", type="defence_cooperation", status="planned"),
        report("signed", "2025-06-12", type="logistics", dates=[signed("2025-06-12")]),
        report("ratified", "2026-02-10", type="logistics", status="in_force"),
    ]

    groups = group_reports(corpus)

    assert clusters(corpus) == [["ratified", "signed", "to_sign"]]
    assert groups[0].grouped_by == "parties;types differ;time"


def test_a_weapon_developed_together_is_one_deal_as_research_or_as_a_sale():
    corpus = [
        report("talks", "2024-02-08", type="arms_transfer", status="planned"),
        report("signed", "2024-04-17", type="research_development"),
        report("industry", "2024-04-18", type="arms_transfer"),
    ]

    assert clusters(corpus) == [["industry", "signed", "talks"]]


def test_a_report_in_general_terms_does_not_glue_deals_of_two_types_together():
    corpus = [
        report("logistics", "2025-06-12", type="logistics", parties=(USA, PHL)),
        report("intelligence", "2025-06-13", type="intelligence_sharing", parties=(USA, PHL)),
        report("more_intelligence", "2025-06-20", type="intelligence_sharing",
               parties=(USA, PHL)),
        report("general", "2025-06-21", type="defence_cooperation", parties=(USA, PHL)),
    ]

    assert clusters(corpus) == [["general", "intelligence", "more_intelligence"],
                                ["logistics"]]


def test_types_neither_kindred_nor_general_stay_apart():
    assert type_fit("logistics", {"logistics"}) == 2
    assert type_fit("defence_cooperation", {"logistics"}) == 1
    assert type_fit("logistics", {"defence_cooperation"}) == 1
    assert type_fit("research_development", {"arms_transfer"}) == 1
    assert type_fit("intelligence_sharing", {"logistics", "defence_cooperation"}) == 0
    assert type_fit("research_development", {"arms_transfer"},
                    GroupingRule(kindred_types=frozenset())) == 0


def test_a_signed_date_that_contradicts_the_report_is_not_used():
    corpus = [
        # "plan to sign, the ministry said on Thursday": Thursday is no signing
        report("planned", "2024-02-08", status="planned", dates=[signed("2024-02-08")]),
        report("signed", "2024-04-17", dates=[signed("2024-04-17")]),
        # a deal reported signed cannot have been signed after the report
        report("later", "2024-04-20", dates=[signed("2030")]),
    ]

    assert clusters(corpus) == [["later", "planned", "signed"]]


GRC = Party(name="Greece", iso3="GRC", cow=350, kind="state", mention="Athens")
FRA = Party(name="France", iso3="FRA", cow=220, kind="state", mention="Paris")


def test_a_report_naming_one_party_joins_the_agreement_of_that_party_it_fits():
    corpus = [
        report("talks", "2024-01-20", type="arms_transfer", status="negotiating",
               parties=(GRC, FRA)),
        report("signed", "2024-03-28", type="arms_transfer", parties=(GRC, FRA),
               dates=[signed("2024-03-28")]),
        report("ratified", "2024-06-12", type="arms_transfer", status="in_force",
               parties=(FRA,), dates=[signed("2024-03")]),
        report("other_deal", "2024-06-13", type="training_exercises", parties=(FRA, JPN)),
    ]

    groups = group_reports(corpus)

    assert clusters(corpus) == [["other_deal"], ["ratified", "signed", "talks"]]
    deal = next(g for g in groups if len(g.reports) == 3)
    assert [r.doc_id for r in deal.reports] == ["talks", "signed", "ratified"]
    assert deal.linked_by == ["first", "time", "signed"]


def test_a_report_naming_one_party_that_fits_no_agreement_stands_alone():
    corpus = [
        report("sale", "2024-03-28", type="arms_transfer", parties=(GRC, FRA)),
        report("drills", "2024-04-02", type="training_exercises", parties=(FRA,)),
        report("years_before", "2019-05-02", type="arms_transfer", parties=(FRA,)),
        report("also_drills", "2024-04-03", type="training_exercises", parties=(FRA,)),
    ]

    assert clusters(corpus) == [["also_drills", "drills"], ["sale"], ["years_before"]]
