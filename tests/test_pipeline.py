"""One document through the pipeline: what any backend's extraction becomes."""

from treatyx import validation as v
from treatyx.extractors.base import Extraction
from treatyx.extractors.rules import RulesBackend
from treatyx.loading import document_from_text
from treatyx.models import Usage
from treatyx.pipeline import MAX_FACTS, assemble, process


def test_an_agreement_carries_at_most_max_facts_of_a_kind():
    amounts = " ".join(f"${n} million," for n in range(1, 400))
    text = f"Japan and Australia signed a defence pact worth {amounts} on Thursday.\n"
    source = document_from_text(text, "many")
    extraction = RulesBackend().extract(source)
    assert len(extraction.agreements[0].amounts) > MAX_FACTS  # what the rules read

    document = assemble(source, RulesBackend(), Extraction(
        agreements=extraction.agreements, usage=Usage(), notes=[]), seconds=0.0)

    assert len(document.agreements[0].amounts) == MAX_FACTS
    [note] = [i for i in document.validation.issues if i.code == v.TOO_MANY_FACTS]
    assert note.path == "agreements[0].amounts" and note.message.startswith("399 amounts")
    assert process(source, RulesBackend()).agreements[0].amounts[:3] == \
        document.agreements[0].amounts[:3]
