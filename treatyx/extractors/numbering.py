"""An article as numbered sentences, so that a model answers numbers, not copies.

A small model that must copy a sentence to cite it misquotes it, runs out of tokens or
loses its place in nested quotes; given `[7] ...` it answers `7`, and the evidence,
its span and the facts read from it are exact by construction. Numbers are the
document's (they do not restart in each chunk), and a sentence addressed to a model
(instructions.py) gets no number: the model cannot cite it, so no fact comes from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from treatyx.extractors.chunking import Chunk
from treatyx.extractors.instructions import addressed_to_model
from treatyx.loading import SourceDocument
from treatyx.spans import Sentence, sentences


@dataclass(frozen=True)
class Numbered:
    """The sentences of one piece of a document, by their document-wide number."""

    sentences: dict[int, Sentence]
    headline: str | None = None
    withheld: int = 0
    """Sentences left out because they are addressed to a model."""

    def text(self) -> str:
        lines = [f"Headline: {self.headline}"] if self.headline else []
        lines += [f"[{n}] {s.text}" for n, s in self.sentences.items()]
        return "\n".join(lines)


def numbered(document: SourceDocument, piece: Chunk | None = None) -> Numbered:
    """The numbered sentences of `piece` (default: the whole body). A headline (the title
    standing alone as a line without a full stop) is shown for context, unnumbered:
    it summarises the story and is no evidence of its own."""
    body = sentences(document.text, document.body_start, document.body_end)
    headline = _headline(document)
    chosen: dict[int, Sentence] = {}
    number, withheld, shown_headline = 0, 0, None
    for sentence in body:
        if headline and sentence.text.strip() == headline:
            if piece is None or piece.start <= sentence.start < piece.end:
                shown_headline = headline
            continue
        if addressed_to_model(sentence.text):
            withheld += piece is None or piece.start <= sentence.start < piece.end
            continue
        number += 1
        if piece is None or piece.start <= sentence.start < piece.end:
            chosen[number] = sentence
    if piece is not None and headline and shown_headline is None and chosen \
            and min(chosen) == 1:
        shown_headline = headline
    return Numbered(sentences=chosen, headline=shown_headline, withheld=withheld)


def _headline(document: SourceDocument) -> str | None:
    title = (document.title or "").strip()
    if not title or title[-1] in ".!?\"'”’" or addressed_to_model(title):
        return None
    return title
