import datetime as dt
import math
from pathlib import Path

import pytest

from treatyx.grouping_score import read_ids, score_clusters, score_grouping
from treatyx.models import Agreement, Document, Party
from treatyx.results import load_results

GOLD = Path(__file__).resolve().parents[1] / "eval" / "gold" / "grouping"
USA = Party(name="United States", iso3="USA", cow=2, kind="state", mention="US")
POL = Party(name="Poland", iso3="POL", cow=290, kind="state", mention="Poland")


def test_a_perfect_grouping_scores_one():
    gold = {("a", 0): "x", ("b", 0): "x", ("c", 0): "y"}
    predicted = {("a", 0): "1", ("b", 0): "1", ("c", 0): "2"}

    score = score_clusters(gold, predicted)

    assert score.bcubed.f1 == score.pairwise.f1 == 1.0
    assert (score.reports, score.gold_agreements, score.predicted_agreements) == (3, 2, 2)


def test_one_agreement_split_in_two_loses_recall_not_precision():
    gold = {("a", 0): "x", ("b", 0): "x", ("c", 0): "x", ("d", 0): "x"}
    predicted = {("a", 0): "1", ("b", 0): "1", ("c", 0): "2", ("d", 0): "2"}

    score = score_clusters(gold, predicted)

    assert score.pairwise.precision == 1.0 and score.pairwise.recall == 2 / 6
    assert score.bcubed.precision == 1.0 and score.bcubed.recall == 0.5


def test_two_agreements_merged_lose_precision_not_recall():
    gold = {("a", 0): "x", ("b", 0): "y"}
    predicted = {("a", 0): "1", ("b", 0): "1"}

    score = score_clusters(gold, predicted)

    assert score.pairwise.precision == 0.0 and score.pairwise.recall == 1.0
    assert score.bcubed.precision == 0.5 and score.bcubed.recall == 1.0
    assert math.isclose(score.bcubed.f1, 2 / 3)


def test_predicted_reports_are_paired_with_gold_reports_of_their_document():
    def doc(doc_id, *types):
        agreements = [Agreement(type=t, status="signed", parties=[USA, POL]) for t in types]
        return Document(doc_id=doc_id, published=dt.date(2024, 1, 1), agreements=agreements)

    gold = [doc("a", "arms_transfer", "logistics"), doc("b", "arms_transfer")]
    gold_ids = {("a", 0): "x", ("a", 1): "y", ("b", 0): "x"}
    # The prediction lists a's agreements the other way round and misses b's.
    predicted = [doc("a", "logistics", "arms_transfer"), doc("b")]
    predicted_ids = {("a", 0): "p", ("a", 1): "q"}

    score = score_grouping(gold, gold_ids, predicted, predicted_ids)

    assert score.reports == 2 and score.bcubed.f1 == 1.0
    assert (score.unpaired_gold, score.unpaired_predicted) == (1, 0)


@pytest.mark.parametrize(("split", "reports", "agreements"),
                         [("grouping", 40, 15), ("grouping-test", 15, 5)])
def test_the_gold_ids_cover_every_gold_report(split, reports, agreements):
    gold = GOLD.parent / split
    ids = read_ids(gold / "reports.csv")
    found = {(d.doc_id, i) for d in load_results(gold) for i in range(len(d.agreements))}

    assert set(ids) == found
    assert len(found) >= reports and len(set(ids.values())) >= agreements


def _eval_grouping():
    import importlib.util

    path = GOLD.parents[2] / "eval" / "grouping.py"
    spec = importlib.util.spec_from_file_location("eval_grouping", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("split", ["grouping", "grouping-test"])
def test_the_published_grouping_scores_are_what_the_committed_predictions_score(split):
    import json

    from treatyx.dataset import build_dataset

    results = GOLD.parents[2] / "eval" / "results"
    published = json.loads((results / f"{split}.json").read_text(encoding="utf-8"))
    gold_dir = GOLD.parent / split
    gold = load_results(gold_dir)
    for label, scores in published["scores"].items():
        documents = gold if label == "gold reports" else load_results(
            results / f"{label}-{split}.jsonl")
        ids = {(r["doc_id"], r["agreement"]): r["agreement_id"]
               for r in build_dataset(documents).reports}
        score = score_grouping(gold, read_ids(gold_dir / "reports.csv"), documents, ids)
        assert score.bcubed.f1 == scores["bcubed_f1"], label
        assert score.pairwise.f1 == scores["pairwise_f1"], label


@pytest.mark.parametrize("split", ["grouping", "grouping-test"])
def test_the_readme_grouping_table_is_the_published_one(split):
    root = GOLD.parents[2]
    readme = (root / "README.md").read_text(encoding="utf-8")
    shown = readme.split(f"<!-- {split}-table -->\n", 1)[1].split(f"\n<!-- /{split}-table -->")[0]
    published = (root / "eval" / "results" / f"{split}.md").read_text(encoding="utf-8")

    assert shown == _eval_grouping().table_lines(published)
