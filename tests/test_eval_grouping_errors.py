"""eval/grouping_errors.py: a wrongly grouped pair is put down to the fields that split it."""

import datetime as dt
import importlib.util
import sys
from pathlib import Path

from treatyx.models import Agreement, Document, Party

ROOT = Path(__file__).resolve().parents[1]
USA = Party(name="United States", iso3="USA", cow=2, kind="state", mention="US")
PHL = Party(name="Philippines", iso3="PHL", cow=840, kind="state", mention="Manila")
AUS = Party(name="Australia", iso3="AUS", cow=900, kind="state", mention="Canberra")


def _module():
    spec = importlib.util.spec_from_file_location("eval_grouping_errors",
                                                  ROOT / "eval" / "grouping_errors.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _doc(doc_id, published, kind, *parties, status="signed"):
    agreement = Agreement(type=kind, status=status, parties=list(parties))
    return Document(doc_id=doc_id, published=dt.date.fromisoformat(published),
                    agreements=[agreement])


def test_a_pair_split_by_a_wrong_type_and_one_split_by_a_party_too_many_are_told_apart():
    gold = [_doc("signed", "2025-06-12", "logistics", PHL, AUS),
            _doc("second", "2025-06-13", "logistics", PHL, AUS),
            _doc("senate", "2026-02-10", "logistics", PHL, AUS, status="in_force"),
            _doc("sites", "2025-06-20", "basing_access", USA, PHL)]
    ids = {("signed", 0): "G1", ("second", 0): "G1", ("senate", 0): "G1", ("sites", 0): "G2"}
    predicted = [_doc("signed", "2025-06-12", "logistics", PHL, AUS),
                 _doc("second", "2025-06-13", "intelligence_sharing", PHL, AUS),
                 _doc("senate", "2026-02-10", "logistics", PHL, AUS, USA, status="in_force"),
                 _doc("sites", "2025-06-20", "basing_access", USA, PHL)]

    missed, merged, n_missed, n_merged = _module().errors(gold, ids, predicted)

    assert (n_missed, n_merged) == (3, 0)
    assert missed == {"type": 1, "parties": 1, "parties+type": 1}
    assert merged == {}
