import json
from pathlib import Path

import pytest

from treatyx.errors import ResultsError
from treatyx.results import iter_results, load_results


def as_json(doc, **update) -> str:
    return doc.model_copy(update=update).model_dump_json()


def test_a_directory_loads_every_json_and_jsonl_in_it_sorted(seed_gold, tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a.json").write_text(as_json(seed_gold, doc_id="a"), encoding="utf-8")
    (tmp_path / "b" / "c.jsonl").write_text(
        as_json(seed_gold, doc_id="c1") + "\n\n" + as_json(seed_gold, doc_id="c2") + "\n",
        encoding="utf-8",
    )
    # Neither a document nor a list of them: extract's failure list and other files.
    (tmp_path / "b" / "c.jsonl.errors.jsonl").write_text('{"doc_id": "x"}\n', encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not JSON", encoding="utf-8")

    docs = load_results(tmp_path)

    assert [d.doc_id for d in docs] == ["a", "c1", "c2"]
    assert docs[0].agreements == seed_gold.agreements


def test_the_dev_gold_loads_as_documents():
    docs = load_results(Path(__file__).resolve().parents[1] / "eval" / "gold" / "dev")

    assert "seed" in {d.doc_id for d in docs}
    assert len({d.doc_id for d in docs}) == len(docs)


def test_a_json_list_of_documents(seed_gold, tmp_path):
    path = tmp_path / "gold.json"
    path.write_text(
        json.dumps([json.loads(as_json(seed_gold, doc_id=i)) for i in ("x", "y")]),
        encoding="utf-8",
    )

    assert [d.doc_id for d in load_results(path)] == ["x", "y"]
    assert load_results(path)[1].agreements == seed_gold.agreements


def test_a_bad_jsonl_line_is_named_by_number(seed_gold, tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text(as_json(seed_gold) + "\n" + '{"doc_id": "torn", "agree\n', encoding="utf-8")

    with pytest.raises(ResultsError) as caught:
        load_results(path)

    assert str(caught.value).startswith(f"{path}:2: invalid JSON")
    assert caught.value.line == 2 and "\n" not in str(caught.value)


def test_iter_results_streams_up_to_the_bad_line(seed_gold, tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text(as_json(seed_gold) + "\n" + "[]\n", encoding="utf-8")

    stream = iter_results(path)

    assert next(stream).doc_id == "seed"
    with pytest.raises(ResultsError, match=r":2: expected a JSON object, got list"):
        next(stream)


def test_a_document_off_the_model_names_its_first_field_error(seed_gold, tmp_path):
    data = json.loads(as_json(seed_gold))
    data["agreements"][1]["type"] = "friendship"
    data["agreements"][2]["status"] = "rumoured"
    path = tmp_path / "bad.jsonl"
    path.write_text(as_json(seed_gold, doc_id="ok") + "\n" + json.dumps(data) + "\n")

    with pytest.raises(ResultsError) as caught:
        load_results(path)

    message = str(caught.value)
    assert message.startswith(f"{path}:2: not a treatyx document: agreements.1.type: ")
    assert "(and 1 more)" in message


def test_a_bad_item_in_a_json_list_is_named_by_index(seed_gold, tmp_path):
    path = tmp_path / "gold.json"
    path.write_text(json.dumps([json.loads(as_json(seed_gold)), {"agreements": []}]))

    with pytest.raises(ResultsError, match=r"gold\.json: item 1: not a treatyx document: doc_id"):
        load_results(path)


def test_invalid_json_and_a_missing_path(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "doc_id": "x",\n  oops\n}', encoding="utf-8")

    with pytest.raises(ResultsError, match=r"broken\.json:3: invalid JSON"):
        load_results(path)
    with pytest.raises(ResultsError, match="no such file"):
        load_results(tmp_path / "nowhere.jsonl")
