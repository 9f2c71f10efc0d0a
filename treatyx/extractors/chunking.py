"""Splitting a long article into pieces a model's context can hold.

Pieces end on paragraph boundaries (a model reads whole paragraphs best) and overlap by
a paragraph, so an agreement reported across a boundary is seen whole at least once.
Offsets stay document offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHARS_PER_TOKEN = 4
"""A conservative rule of thumb for English news text with BPE tokenisers."""


@dataclass(frozen=True)
class Chunk:
    start: int
    end: int


def estimate_tokens(text: str) -> int:
    return len(text) // CHARS_PER_TOKEN + 1


def paragraphs(text: str, start: int, end: int) -> list[Chunk]:
    """Paragraph spans in text[start:end]: blocks separated by blank lines (or single lines)."""
    pieces: list[Chunk] = []
    cursor = start
    for gap in re.finditer(r"\n[ \t]*\n\s*|\n(?=\S)", text[start:end]):
        piece_end = start + gap.start()
        if piece_end > cursor:
            pieces.append(Chunk(cursor, piece_end))
        cursor = start + gap.end()
    if end > cursor:
        pieces.append(Chunk(cursor, end))
    return pieces


def chunk(text: str, start: int, end: int, *, max_tokens: int, overlap: int = 1) -> list[Chunk]:
    """Chunks of whole paragraphs under `max_tokens` each (a longer paragraph stands alone)."""
    paras = paragraphs(text, start, end)
    if not paras:
        return []
    if estimate_tokens(text[start:end]) <= max_tokens:
        return [Chunk(paras[0].start, paras[-1].end)]
    chunks: list[Chunk] = []
    first = 0
    while first < len(paras):
        last = first
        while (last + 1 < len(paras)
               and estimate_tokens(text[paras[first].start : paras[last + 1].end]) <= max_tokens):
            last += 1
        chunks.append(Chunk(paras[first].start, paras[last].end))
        if last + 1 >= len(paras):
            break
        first = max(last + 1 - overlap, first + 1)
    return chunks
