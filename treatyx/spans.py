"""Finding where a fact's words stand in the source.

Extractors and the validator both need it: the LLM gives words without offsets, and
offsets that a model or a hand-edit got wrong must be repaired, not trusted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz

FUZZY_THRESHOLD = 90.0
"""partial_ratio score (0-100) above which a near match counts as the same words."""

Where = Literal["exact", "moved", "fuzzy", "absent"]


@dataclass(frozen=True)
class Located:
    where: Where
    start: int = -1
    end: int = -1
    score: float = 0.0

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


def overlaps(one: tuple[int, int] | None, other: tuple[int, int] | None) -> bool:
    """Whether two (start, end) spans share a character; a missing span shares none."""
    return bool(one and other and one[0] < other[1] and other[0] < one[1])


def occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of `needle`."""
    if not needle:
        return []
    found, at = [], text.find(needle)
    while at != -1:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _nearest(starts: list[int], near: int) -> int:
    return min(starts, key=lambda s: (abs(s - near), s))


def locate(
    text: str,
    mention: str,
    span: tuple[int, int] | None = None,
    *,
    near: int | None = None,
    within: tuple[int, int] | None = None,
) -> Located:
    """Where `mention` stands: at `span`, elsewhere, nearly, or nowhere.

    `near` (an offset) picks among several occurrences, which matters for words like
    "Japan" that a long article repeats; `within` prefers occurrences inside a region
    such as the article body.
    """
    if span is not None and text[span[0] : span[1]] == mention:
        return Located("exact", span[0], span[1], 100.0)
    starts = occurrences(text, mention)
    if starts:
        if within is not None:
            inside = [s for s in starts if within[0] <= s and s + len(mention) <= within[1]]
            starts = inside or starts
        anchor = near if near is not None else (span[0] if span else starts[0])
        start = _nearest(starts, anchor)
        return Located("moved", start, start + len(mention), 100.0)
    return _fuzzy(text, mention)


def _fuzzy(text: str, mention: str) -> Located:
    """Best near match of `mention` in `text` (case, quotes, spacing, small typos)."""
    if len(mention) < 4:
        return Located("absent")
    normalised = _fold(mention)
    for match in re.finditer(re.escape(normalised), _fold(text), flags=re.IGNORECASE):
        # _fold keeps offsets (one character for one character), so the spans agree.
        return Located("fuzzy", match.start(), match.end(), 99.0)
    result = fuzz.partial_ratio_alignment(mention, text, score_cutoff=FUZZY_THRESHOLD)
    if result is None:
        return Located("absent")
    if _digits(text[result.dest_start : result.dest_end]) != _digits(mention):
        return Located("absent")  # "$9.8 billion" is not a typo of "$9.3 billion"
    return Located("fuzzy", result.dest_start, result.dest_end, result.score)


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\xa0": " "})


def _fold(text: str) -> str:
    return text.translate(_FOLD)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


_SENTENCE_END = re.compile(r"""(?<=[.!?])["'”’)]*\s+(?=["'“‘(]?[A-Z0-9])|\n\s*\n|\n(?=\S)""")
_ABBREVIATIONS = ("U.S.", "U.K.", "U.N.", "Mr.", "Mrs.", "Ms.", "Dr.", "Gen.", "Lt.", "Col.",
                  "Jan.", "Feb.", "Aug.", "Sept.", "Sep.", "Oct.", "Nov.", "Dec.", "No.", "St.",
                  "Rs.", "vs.", "e.g.", "i.e.")


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Split `text[start:end]` into sentences that keep document offsets.

    Deliberately simple (punctuation plus line breaks, with a list of abbreviations that
    do not end a sentence): news prose is regular, and the offsets matter more than
    linguistic finesse.
    """
    end = len(text) if end is None else end
    out: list[Sentence] = []
    cursor = start
    for boundary in _SENTENCE_END.finditer(text, start, end):
        before = text[cursor : boundary.start()]
        if before.endswith(_ABBREVIATIONS) and not boundary.group().startswith("\n"):
            continue
        _append(out, text, cursor, boundary.start())
        cursor = boundary.end()
    _append(out, text, cursor, end)
    return out


def _append(out: list[Sentence], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end, text[start:end]))
