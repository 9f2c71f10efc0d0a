"""eval/errors.py: each error of an evaluation gets a cause, from the pairing and the text."""

import datetime as dt
import importlib.util
from pathlib import Path

from treatyx.extractors import facts
from treatyx.loading import document_from_text
from treatyx.models import Agreement, Document
from treatyx.normalize import find_parties

ROOT = Path(__file__).resolve().parents[1]


def _errors_module():
    spec = importlib.util.spec_from_file_location("eval_errors", ROOT / "eval" / "errors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TEXT = ("OSLO - Norway and Poland signed a defence pact on Monday.\n"
        "Denmark and Sweden signed a logistics pact.\n")


def _agreement(text: str, *names: str, kind: str = "defence_cooperation") -> Agreement:
    found = [m for m in find_parties(text) if m.mention in names]
    first = min(m.start for m in found)
    end = text.index("\n", first)
    return Agreement(type=kind, status="signed",
                     parties=[facts.party(m) for m in found],
                     evidence=[facts.evidence(text, text.rfind("\n", 0, first) + 1, end)])


def test_a_dateline_city_and_a_missed_deal_are_named_as_such():
    source = document_from_text(TEXT, "x", published=dt.date(2024, 1, 10))
    gold = Document(doc_id="x", agreements=[
        _agreement(TEXT, "Norway", "Poland"),
        _agreement(TEXT, "Denmark", "Sweden", kind="logistics")])
    pred = Document(doc_id="x", agreements=[_agreement(TEXT, "OSLO", "Norway", "Poland")])
    total, fps, fns = _errors_module().count_causes([gold], [pred], {"x": source})
    assert fps[("parties", "dateline city taken as a party")] == 1
    assert fns[("type", "agreement missed")] == 1
    assert fns[("parties", "agreement missed")] == 2
