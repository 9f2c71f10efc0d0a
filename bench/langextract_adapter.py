"""LangExtract's extractions as treatyx documents, so `treatyx eval` can score the peer.

LangExtract returns flat extractions (a class, the words, attributes, a char_interval).
The adapter makes the output contract from them the way treatyx's own extractors do:
parties through `lookup_party`, money, durations and dates read by treatyx's normalisers
from each extraction's own words, evidence the sentence of the agreement's words. It
invents nothing: an extraction whose words are not in the article is dropped (counted).
A fact belongs to the agreement it follows in LangExtract's list, as the few-shot example
shows them (an agreement, then its dates, durations and amounts); facts before any
agreement go to the nearest one (the same sentence first).

Duck-typed on LangExtract's `Extraction` (extraction_class, extraction_text,
char_interval.start_pos/end_pos, attributes), so this module does not import langextract.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from treatyx.extractors import facts
from treatyx.loading import SourceDocument
from treatyx.models import (
    Agreement,
    AgreementStatus,
    AgreementType,
    Amount,
    DateFact,
    Document,
    Duration,
    Party,
)
from treatyx.normalize import Match, find_parties, lookup_party
from treatyx.spans import Sentence, locate, sentences

DATE_ROLES = ("signed", "announced", "effective", "expires", "other")
DEFAULT_STATUS = AgreementStatus.announced
"""When the model's status is not one of the contract's: no status word read, no claim."""


@dataclass
class Tally:
    """What the adapter had to drop or default, per cause (reported beside the scores)."""

    counts: Counter = field(default_factory=Counter)

    def add(self, cause: str) -> None:
        self.counts[cause] += 1


@dataclass
class _Placed:
    cls: str
    words: str
    start: int
    end: int
    attributes: dict[str, Any]


def to_document(
    extractions: list[Any],
    source: SourceDocument,
    *,
    offset: int = 0,
    tally: Tally | None = None,
) -> Document:
    """The treatyx document for LangExtract's `extractions` of `source`.

    `offset`: where the text LangExtract read starts in `source.text` (its body), so
    char_intervals become document offsets."""
    tally = tally if tally is not None else Tally()
    text = source.text
    split = sentences(text, source.body_start, source.body_end)
    groups: list[tuple[_Placed | None, list[_Placed]]] = []
    orphans: list[_Placed] = []
    for extraction in extractions:
        cls = (extraction.extraction_class or "").strip().lower()
        if cls == "agreement":
            groups.append((_place(extraction, text, offset, source, tally, keep=True), []))
        elif (fact := _place(extraction, text, offset, source, tally)) is not None:
            (groups[-1][1] if groups else orphans).append(fact)
    kept: list[tuple[_Placed, Agreement, list[_Placed]]] = []
    for head, group in groups:
        if head is not None and head.start < 0:  # words not in the article: at its facts
            if not group:
                tally.add("agreement unaligned, words not in the article: dropped")
                continue
            tally.add("agreement unaligned, placed at its first fact")
            head = _Placed("agreement", head.words, group[0].start, group[0].start,
                           head.attributes)
        agreement = _agreement(head, text, split, tally) if head else None
        if agreement is None:
            for fact in group:
                tally.add(f"{fact.cls} of a dropped agreement")
            continue
        kept.append((head, agreement, group))
    for fact in orphans:
        if kept:
            kept[_nearest(fact, [k[0] for k in kept], split)][2].append(fact)
        else:
            tally.add(f"{fact.cls} without an agreement")
    for _, agreement, group in kept:
        for fact in group:
            _attach(fact, agreement, text, source.published, split, tally)
    return Document(doc_id=source.doc_id, title=source.title, published=source.published,
                    agreements=[agreement for _, agreement, _ in kept])


def _place(extraction: Any, text: str, offset: int, source: SourceDocument,
           tally: Tally, *, keep: bool = False) -> _Placed | None:
    """Where the extraction's words stand in the document: LangExtract's alignment, else
    treatyx's own search for those words in the body; neither, and it is dropped (`keep`:
    returned at -1, for an agreement that its facts may place)."""
    cls = (extraction.extraction_class or "").strip().lower()
    words = (extraction.extraction_text or "").strip()
    if cls not in ("agreement", "amount", "duration", "date"):
        tally.add("unknown class")
        return None
    if not words:
        tally.add(f"{cls} without words")
        return None
    interval = extraction.char_interval
    start = getattr(interval, "start_pos", None)
    end = getattr(interval, "end_pos", None)
    if start is not None and end is not None and end > start:
        start, end = start + offset, end + offset
    else:
        found = locate(text, words, within=(source.body_start, source.body_end))
        if found.where == "absent":
            if keep:
                return _Placed(cls, words, -1, -1, dict(extraction.attributes or {}))
            tally.add(f"{cls} unaligned, words not in the article")
            return None
        tally.add(f"{cls} unaligned, found by treatyx")
        start, end = found.span
    return _Placed(cls, text[start:end], start, end, dict(extraction.attributes or {}))


def _sentence_of(position: int, split: list[Sentence]) -> Sentence | None:
    for sentence in split:
        if sentence.start <= position < sentence.end:
            return sentence
    return None


def _agreement(head: _Placed, text: str, split: list[Sentence], tally: Tally) -> Agreement | None:
    sentence = _sentence_of(head.start, split)
    region = (sentence.start, sentence.end) if sentence else (head.start, head.end)
    parties = _parties(head.attributes.get("parties"), text, head.start, tally)
    if not parties:
        tally.add("agreement without a party in treatyx's table: dropped")
        return None
    return Agreement(
        name=None,
        type=_enum(AgreementType, head.attributes.get("type"), AgreementType.other, "type", tally),
        status=_enum(AgreementStatus, head.attributes.get("status"), DEFAULT_STATUS, "status",
                     tally),
        parties=parties,
        evidence=[facts.evidence(text, *region)],
    )


def _parties(named: Any, text: str, near: int, tally: Tally) -> list[Party]:
    """Each name the model gave, found in the text nearest the agreement's words and
    resolved through treatyx's party table."""
    if isinstance(named, str):
        named = [named]
    found: list[Party] = []
    for name in named or []:
        name = str(name).strip()
        info = lookup_party(name) if name else None
        if info is None:
            tally.add("party not in treatyx's table")
            continue
        where = locate(text, name, near=near)
        if where.where == "absent":
            # the model's spelling is not the article's: take the table's nearest mention
            mentions = [m for m in find_parties(text) if m.value == info]
            if not mentions:
                tally.add("party not mentioned in the article")
                continue
            match = min(mentions, key=lambda m: abs(m.start - near))
        else:
            match = Match(where.start, where.end, text[where.start:where.end], info)
        found.append(facts.party(match))
    return facts.unique_parties(found)


def _enum(kind, value: Any, default, what: str, tally: Tally):
    words = str(value or "").strip().lower().replace("-", "_").replace(" ", "_")
    words = words.replace("defense", "defence")
    try:
        return kind(words)
    except ValueError:
        tally.add(f"{what} not in the contract: defaulted")
        return default


def _nearest(fact: _Placed, heads: list[_Placed], split: list[Sentence]) -> int:
    """The index of the agreement whose words share the fact's sentence, else of the
    closest before it, else of the closest after it."""
    sentence = _sentence_of(fact.start, split)

    def key(index: int) -> tuple[int, int, int]:
        head = heads[index]
        same = sentence is not None and sentence.start <= head.start < sentence.end
        return (0 if same else 1, 0 if head.start <= fact.start else 1,
                abs(fact.start - head.start))

    return min(range(len(heads)), key=key)


def _attach(fact: _Placed, agreement: Agreement, text: str, published: dt.date | None,
            split: list[Sentence], tally: Tally) -> None:
    values = _read(fact, published)
    if not values:
        tally.add(f"{fact.cls} unread by treatyx's normalisers")
        return
    for value in values:
        if isinstance(value, Amount):
            agreement.amounts.append(value)
        elif isinstance(value, Duration):
            agreement.durations.append(value)
        else:
            agreement.dates.append(value)
    sentence = _sentence_of(fact.start, split)
    if sentence and all(e.span != (sentence.start, sentence.end) for e in agreement.evidence):
        agreement.evidence.append(facts.evidence(text, sentence.start, sentence.end))


def _read(fact: _Placed, published: dt.date | None) -> list[Amount | Duration | DateFact]:
    """The fact's value from its own words, as treatyx reads them (`facts.read_*`): the
    whole words first, else what the normaliser finds inside them (the span shrinks to
    those words): every amount inside ("8.6bn euros ($12bn)"), one duration or date."""
    if fact.cls == "amount":
        return facts.read_amounts(fact.words, fact.start)
    if fact.cls == "duration":
        value = facts.read_duration(fact.words, fact.start)
    else:
        role = str(fact.attributes.get("role") or "other").strip().lower()
        role = role if role in DATE_ROLES else "other"
        value = facts.read_date(fact.words, role, published, fact.start)
    return [value] if value is not None else []
