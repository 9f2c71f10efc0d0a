"""document -> extraction -> normalised facts -> validation -> output, for one document.

Every backend's result passes through the same validator here, so an output document
always says how far its facts are grounded in the source.
"""

from __future__ import annotations

import time

from treatyx import validation as validate
from treatyx.extractors.base import Backend, Extraction, Provenance
from treatyx.loading import SourceDocument
from treatyx.models import Agreement, Document, ExtractorInfo, Issue

MAX_FACTS = 50
"""Facts of one kind (parties, amounts, ...) one agreement may carry. A news report gives a
handful; thousands (a 5 MB paragraph read as one agreement) cost the validator and the
reader everything and say nothing."""


def process(
    source: SourceDocument,
    backend: Backend,
    *,
    strict: bool = False,
    include_text: bool = False,
) -> Document:
    started = time.perf_counter()
    extraction = backend.extract(source)
    return assemble(source, backend, extraction, seconds=time.perf_counter() - started,
                    strict=strict, include_text=include_text)


def assemble(
    source: SourceDocument,
    origin: Provenance,
    extraction: Extraction,
    *,
    seconds: float,
    strict: bool = False,
    include_text: bool = False,
) -> Document:
    """The output document: extraction validated against the source, with provenance."""
    capped = cap_facts(extraction.agreements)
    document = Document(
        doc_id=source.doc_id,
        title=source.title,
        published=source.published,
        agreements=extraction.agreements,
    )
    document = validate.apply(
        document, source.text, body=(source.body_start, source.body_end), strict=strict
    )
    notes = extraction.notes + capped
    if notes and document.validation is not None:
        document.validation.issues = notes + document.validation.issues
    document.extractor = ExtractorInfo(
        backend=origin.name,
        model=origin.model,
        prompt_version=origin.prompt_version,
        usage=extraction.usage,
        seconds=round(seconds, 3),
    )
    if include_text:
        document.text = source.text
    return document


def cap_facts(agreements: list[Agreement], limit: int = MAX_FACTS) -> list[Issue]:
    """Cut each agreement's lists to `limit` facts (the first ones, as extracted), in place;
    a TX306 note says where and how many were left out."""
    notes = []
    for a, agreement in enumerate(agreements):
        for field in ("parties", "amounts", "durations", "dates", "evidence"):
            facts = getattr(agreement, field)
            if len(facts) > limit:
                setattr(agreement, field, facts[:limit])
                notes.append(validate.issue(
                    validate.TOO_MANY_FACTS, f"agreements[{a}].{field}",
                    f"{len(facts):,} {field}; the first {limit} kept, the rest left out."))
    return notes
