"""The library face: `from treatyx import Extractor, extract, validate, evaluate, ...`.

These read as a notebook would use treatyx; the README's Python example is run as is.
"""

import asyncio
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from treatyx import Extractor, evaluate, extract, load_results, to_frame, validate
from treatyx.cli import main
from treatyx.models import Document

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "eval" / "articles" / "dev" / "seed.txt"
PACT = "Japan and Australia signed a defence pact on Thursday."


@pytest.fixture
def rules():
    with Extractor(backend="rules") as extractor:
        yield extractor


def summary(doc: Document) -> list[tuple]:
    """What an agreement says, without the timing that differs from run to run."""
    return [(a.type, a.status, [p.iso3 for p in a.parties], [d.value for d in a.dates])
            for a in doc.agreements]


# --- one document --------------------------------------------------------------------


def test_extract_gives_a_document_of_the_output_contract(rules):
    doc = rules.extract(PACT, published="2022-01-08", doc_id="pact")
    assert isinstance(doc, Document)
    assert (doc.doc_id, str(doc.published)) == ("pact", "2022-01-08")
    assert summary(doc) == [("defence_cooperation", "signed", ["JPN", "AUS"], ["2022-01-06"])]
    assert doc.extractor.backend == "rules" and doc.validation.ok


def test_the_seed_text_gives_what_the_cli_gives(rules, capsys):
    doc = rules.extract(SEED.read_text(encoding="utf-8"), doc_id="seed")
    assert main(["extract", str(SEED), "--backend", "rules"]) == 0
    printed = Document.model_validate_json(capsys.readouterr().out)
    assert (doc.title, doc.published) == (printed.title, printed.published)
    assert doc.agreements == printed.agreements


def test_a_published_date_may_be_a_date_and_a_row_may_be_a_mapping(rules):
    row = {"id": "r1", "text": PACT, "title": "Pact", "published": "2022-01-08"}
    from_row = rules.extract(row)
    from_date = rules.extract(PACT, published=dt.date(2022, 1, 8), doc_id="r1", title="Pact")
    assert (from_row.doc_id, from_row.title) == ("r1", "Pact")
    assert summary(from_row) == summary(from_date)


def test_bad_input_raises_a_value_error_naming_the_problem(rules):
    with pytest.raises(ValueError, match="empty document"):
        rules.extract("  \n")


def test_the_one_off_extract_function_opens_and_closes_a_backend():
    doc = extract(PACT, backend="rules", published="2022-01-08", doc_id="once")
    assert doc.doc_id == "once" and len(doc.agreements) == 1


# --- many documents ------------------------------------------------------------------


class Recording:
    """An iterable of documents that records how many were taken from it."""

    def __init__(self, texts):
        self.texts, self.taken = texts, 0

    def __iter__(self):
        for n, text in enumerate(self.texts):
            self.taken = n + 1
            yield {"id": f"d{n}", "text": text, "published": "2022-01-08"}


def test_extract_many_streams_results_before_the_input_is_exhausted(rules):
    source = Recording([PACT, "Nothing happened.", "India and France signed a jet deal."])
    results = rules.extract_many(source)
    first = next(results)
    assert first.doc_id == "d0"
    assert source.taken == 1  # the other two are not read yet
    assert [d.doc_id for d in results] == ["d1", "d2"]
    assert source.taken == 3


def test_extract_many_gives_every_good_document_and_then_lists_the_bad(rules):
    got = []
    with pytest.raises(RuntimeError, match=r"1 document\(s\) failed: item 1: empty document"):
        for doc in rules.extract_many([PACT, "   ", {"id": "last", "text": PACT}]):
            got.append(doc.doc_id)
    assert got == ["doc0", "last"]


def test_the_async_variants_give_what_the_sync_ones_give(rules):
    texts = [PACT, "Seoul and Warsaw will sign an arms deal on Friday."]

    async def run():
        one = await rules.aextract(PACT, published="2022-01-08", doc_id="a")
        many = [doc async for doc in rules.aextract_many(Recording(texts))]
        return one, many

    one, many = asyncio.run(run())
    assert summary(one) == summary(rules.extract(PACT, published="2022-01-08", doc_id="a"))
    assert [summary(d) for d in many] == [summary(d) for d in
                                          rules.extract_many(Recording(texts))]
    assert [d.doc_id for d in many] == ["d0", "d1"]


# --- results, validation, evaluation, tables -----------------------------------------


def test_load_results_reads_back_what_the_cli_wrote(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    pact = tmp_path / "pact.txt"
    pact.write_text(PACT, encoding="utf-8")
    assert main(["extract", str(SEED), str(pact), "-o", str(out), "--backend", "rules"]) == 0
    documents = load_results(out)
    assert [d.doc_id for d in documents] == ["seed", "pact"]
    assert [json.loads(d.model_dump_json()) for d in documents] == [
        json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_validate_finds_a_fact_the_text_does_not_support(rules):
    doc = rules.extract(PACT, published="2022-01-08")
    assert validate(doc, PACT) == []
    doc.agreements[0].parties[1].mention = "New Zealand"
    assert [i.code for i in validate(doc, PACT)] == ["TX101"]


def test_evaluate_scores_the_seed_against_its_gold(rules, seed_gold):
    doc = rules.extract(SEED.read_text(encoding="utf-8"), doc_id="seed")
    report = evaluate([seed_gold], [doc])
    assert report.documents == 1
    assert report.agreements.tp == len(seed_gold.agreements)


def test_to_frame_gives_a_row_per_agreement(rules):
    frame = to_frame([rules.extract(SEED.read_text(encoding="utf-8"), doc_id="seed")])
    assert list(frame["type"]) == ["research_development", "host_nation_support",
                                   "defence_cooperation"]
    assert frame["amount_USD"].max() == 9.3e9


# --- the README example --------------------------------------------------------------


def readme_python_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Use it from Python\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```python\n(.*?)^```$", section, flags=re.S | re.M)


def test_the_readme_python_example_runs_and_prints_the_seed_amount():
    blocks = readme_python_blocks()
    assert blocks, "README has no ```python block under '## Use it from Python'"
    done = subprocess.run([sys.executable, "-c", "\n".join(blocks)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "9,300,000,000 USD" in done.stdout
    assert "errors: []" in done.stdout


def test_extract_many_fails_odd_items_alone_with_a_clear_error(rules):
    items = [{"id": "a", "text": PACT}, {"id": "five", "text": 5}, {"id": "none", "text": None},
             {"id": ["x"], "text": PACT}, 42, {"id": "z", "text": PACT}]
    got = []
    with pytest.raises(RuntimeError) as raised:
        for doc in rules.extract_many(items):
            got.append(doc.doc_id)
    assert got == ["a", "z"]  # the items after the bad ones still came
    message = str(raised.value)
    assert message.startswith("4 document(s) failed: ")
    assert "item 1: `text` must be a string, not int" in message
    assert "item 2: `text` must be a string, not NoneType" in message
    assert "item 3: `id` must be a non-empty string or number, not list ['x']" in message
    assert "item 4: not a document: a int" in message
    with pytest.raises(ValueError, match="`text` must be a string"):
        rules.extract({"text": 5})


@pytest.mark.parametrize("name", ["OpenAI", "bogus", "", None])
def test_an_unknown_backend_name_is_a_value_error_naming_the_choices(name):
    with pytest.raises(ValueError, match=r"unknown backend .*: choose one of auto, rules, "):
        Extractor(backend=name)  # raised at once: no model started


@pytest.mark.parametrize("options", [{"timeout": -1}, {"timeout": 0}, {"max_retries": -1},
                                     {"concurrency": 0}, {"max_bytes": 0}])
def test_bad_numeric_options_are_value_errors(options):
    with pytest.raises(ValueError, match=next(iter(options))):
        Extractor(backend="rules", **options)


def test_a_text_over_the_size_limit_is_refused_alone(rules):
    with Extractor(backend="rules", max_bytes=2_000) as small:
        got = []
        with pytest.raises(RuntimeError, match=r"item 0: document too large: 3,000 bytes, over "
                                               r"the limit of 2,000"):
            got.extend(d.doc_id for d in small.extract_many(["x" * 3000, PACT]))
    assert got == ["doc1"]
