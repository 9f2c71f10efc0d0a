"""The published results are what the committed predictions score, and the README
shows them: rescoring eval/results/<backend>.jsonl must give eval/results/<backend>.json."""

import importlib.util
import json
from pathlib import Path

import pytest

from treatyx import evaluate, load_results
from treatyx.errors import LoadError
from treatyx.loading import iter_documents

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "eval" / "results"


def _table_module():
    spec = importlib.util.spec_from_file_location("eval_table", ROOT / "eval" / "table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("backend", ["rules", "local"])
def test_committed_scores_are_what_the_committed_predictions_score(backend):
    published = json.loads((RESULTS / f"{backend}.json").read_text(encoding="utf-8"))
    articles = ROOT / "eval" / "articles" / "test"
    texts = {d.doc_id: d.text for d in iter_documents([articles])
             if not isinstance(d, LoadError)}
    report = evaluate(load_results(ROOT / "eval" / "gold" / "test"),
                      load_results(RESULTS / f"{backend}.jsonl"), texts=texts)
    for name, scores in published["scores"]["fields"].items():
        assert report.fields[name].f1 == pytest.approx(scores["f1"]), name
    assert report.agreements.f1 == pytest.approx(published["scores"]["agreements"]["f1"])


def test_the_readme_table_is_the_committed_results():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("<!-- eval-table -->\n", 1)[1].split("\n<!-- /eval-table -->", 1)[0]
    assert shown == _table_module().table(), "README is stale: paste `python eval/table.py`"
