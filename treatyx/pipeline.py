"""document -> extraction -> normalised facts -> validation -> output, for one document.

Every backend's result passes through the same validator here, so an output document
always says how far its facts are grounded in the source.
"""

from __future__ import annotations

import time

from treatyx import validation as validate
from treatyx.extractors.base import Backend, Extraction, Provenance
from treatyx.loading import SourceDocument
from treatyx.models import Document, ExtractorInfo


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
    document = Document(
        doc_id=source.doc_id,
        title=source.title,
        published=source.published,
        agreements=extraction.agreements,
    )
    document = validate.apply(
        document, source.text, body=(source.body_start, source.body_end), strict=strict
    )
    if extraction.notes and document.validation is not None:
        document.validation.issues = extraction.notes + document.validation.issues
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
