"""Scoring predictions against gold files (output-format.md, "How the evaluator scores").

Agreements are paired one to one (Hungarian matching), then facts are counted per field
inside each pair. The conventions that the contract leaves open:

- P/R/F1 of a field with a zero denominator is 1.0 when the field has no error at all
  (fp = fn = 0, e.g. no durations in gold nor prediction) and 0.0 otherwise, so gold
  scored against itself is 1.0 everywhere and empty against empty does not divide by 0.
- Party sets are keyed by `iso3`, or by the case-folded `name` for organisations. An
  optional gold party counts toward the pairing Jaccard only when the prediction has it.
- Amounts, durations and dates match one to one: a gold fact absorbs one prediction, so
  a repeated prediction is a false positive beyond the first. Required gold facts are
  matched before optional ones; among equals, amounts prefer the closest value and dates
  the same role. Amount values agree within 1% of the gold value.
- `date_roles` is counted only over dates matched by value and granularity to a required
  gold date in a paired agreement: equal roles are a tp, different roles an fp (the
  predicted role) and an fn (the gold role). Unmatched dates affect `dates` only, so
  `date_roles` precision reads "of the dates found, how many have the right role".
- `all` is the micro sum over parties, type, status, amounts, durations and dates; it
  leaves out `date_roles`, which would count a date twice.
- Optional gold facts: matching one is neither tp nor fp; missing one is not an fn.
- A gold document without a prediction counts all its facts as false negatives;
  predictions for documents not in gold are listed and otherwise ignored, as are later
  copies of a doc_id already predicted (the first one is scored).
- Grounding: a predicted fact (party, amount, duration, date) is ungrounded when an
  error-level issue's `path` is its path or lies under it. A document whose
  `validation.ok` is true has no error left on its facts (under `--strict` the issues
  name facts already dropped, at their old positions), so none of its facts is ungrounded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Literal, TypeVar

import numpy as np
from pydantic import BaseModel, Field, computed_field
from scipy.optimize import linear_sum_assignment

from treatyx.models import (
    FACT_FIELDS,
    Agreement,
    Amount,
    DateFact,
    Document,
    Duration,
    Party,
)

SCORED_FIELDS = ("parties", "type", "status", "amounts", "durations", "dates")
FIELDS = (*SCORED_FIELDS, "date_roles")
ALL = "all"

MIN_PARTY_JACCARD = 0.5
TYPE_BONUS = 0.5
AMOUNT_TOLERANCE = 0.01

# Fact matching weights: required gold facts first, then optional ones, then the tie-breaker
# (always below 1), so that a closer amount or a same-role date never costs a match.
_REQUIRED, _OPTIONAL = 1e6, 1e3


class FieldScore(BaseModel):
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def _ratio(self, part: int, whole: int) -> float:
        if whole:
            return part / whole
        return 1.0 if self.fp == self.fn == 0 else 0.0

    @computed_field
    @property
    def precision(self) -> float:
        return self._ratio(self.tp, self.tp + self.fp)

    @computed_field
    @property
    def recall(self) -> float:
        return self._ratio(self.tp, self.tp + self.fn)

    @computed_field
    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: FieldScore) -> FieldScore:
        return FieldScore(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn)


class ErrorItem(BaseModel):
    doc_id: str
    field: str
    kind: Literal["fp", "fn"]
    value: str = Field(description='short form: "USD 9300000000", "P5Y", "2022-01-06/day"')
    gold_agreement: int | None = None
    pred_agreement: int | None = None


class DocScore(BaseModel):
    doc_id: str
    missing: bool = Field(False, description="no prediction for this gold document")
    fields: dict[str, FieldScore]
    agreements: FieldScore


class EvalReport(BaseModel):
    documents: int
    fields: dict[str, FieldScore]
    agreements: FieldScore
    missing_predictions: list[str] = Field(default_factory=list)
    extra_predictions: list[str] = Field(default_factory=list)
    duplicate_predictions: list[str] = Field(default_factory=list)
    grounding_rate: float | None = None
    grounding_facts: int = Field(0, description="predicted facts the grounding rate is over")
    hallucinations: int = 0
    hallucination_docs_skipped: int = 0
    by_doc: list[DocScore] = Field(default_factory=list)
    errors: list[ErrorItem] = Field(default_factory=list)


def evaluate(
    gold: Iterable[Document],
    predictions: Iterable[Document],
    *,
    texts: Mapping[str, str] | None = None,
) -> EvalReport:
    """Score `predictions` against `gold`; `texts` (doc_id -> text) enable the
    hallucination count for predictions written without `--include-text`."""
    gold_docs = list(gold)
    seen: set[str] = set()
    for doc in gold_docs:
        if doc.doc_id in seen:
            raise ValueError(f"gold lists doc_id {doc.doc_id!r} twice")
        seen.add(doc.doc_id)
    predicted: dict[str, Document] = {}
    duplicates: list[str] = []
    for doc in predictions:
        if doc.doc_id in predicted:
            duplicates.append(doc.doc_id)
        else:
            predicted[doc.doc_id] = doc

    by_doc: list[DocScore] = []
    errors: list[ErrorItem] = []
    for doc in gold_docs:
        tally = _Tally(doc.doc_id)
        prediction = predicted.get(doc.doc_id)
        _score_document(doc, prediction, tally)
        by_doc.append(tally.score(missing=prediction is None))
        errors.extend(tally.errors)

    scored = [predicted[d.doc_id] for d in gold_docs if d.doc_id in predicted]
    grounded, graded = _grounding(scored)
    hallucinations, skipped = _hallucinations(scored, texts or {})
    return EvalReport(
        documents=len(gold_docs),
        fields={f: _sum(d.fields[f] for d in by_doc) for f in (*FIELDS, ALL)},
        agreements=_sum(d.agreements for d in by_doc),
        missing_predictions=[d.doc_id for d in gold_docs if d.doc_id not in predicted],
        extra_predictions=[i for i in predicted if i not in seen],
        duplicate_predictions=duplicates,
        grounding_rate=grounded / graded if graded else None,
        grounding_facts=graded,
        hallucinations=hallucinations,
        hallucination_docs_skipped=skipped,
        by_doc=by_doc,
        errors=errors,
    )


def _sum(scores: Iterable[FieldScore]) -> FieldScore:
    total = FieldScore()
    for score in scores:
        total = total + score
    return total


# --- counting ---------------------------------------------------------------------


class _Tally:
    """Counts and error items of one document."""

    def __init__(self, doc_id: str) -> None:
        self.doc_id = doc_id
        self.counts = {f: FieldScore() for f in FIELDS}
        self.agreements = FieldScore()
        self.errors: list[ErrorItem] = []

    def tp(self, field: str) -> None:
        self.counts[field].tp += 1

    def miss(self, kind: Literal["fp", "fn"], field: str, value: str, g: int | None, p: int | None):
        score = self.counts[field]
        setattr(score, kind, getattr(score, kind) + 1)
        self.errors.append(
            ErrorItem(
                doc_id=self.doc_id,
                field=field,
                kind=kind,
                value=value,
                gold_agreement=g,
                pred_agreement=p,
            )
        )

    def score(self, *, missing: bool) -> DocScore:
        fields = dict(self.counts)
        fields[ALL] = _sum(fields[f] for f in SCORED_FIELDS)
        return DocScore(
            doc_id=self.doc_id, missing=missing, fields=fields, agreements=self.agreements
        )


def _score_document(gold: Document, prediction: Document | None, tally: _Tally) -> None:
    predicted = prediction.agreements if prediction else []
    pairs = pair_agreements(gold.agreements, predicted)
    for g, p in pairs:
        _score_pair(gold.agreements[g], predicted[p], g, p, tally)
    paired_gold = {g for g, _ in pairs}
    paired_pred = {p for _, p in pairs}
    tally.agreements = FieldScore(
        tp=len(pairs),
        fp=len(predicted) - len(pairs),
        fn=len(gold.agreements) - len(pairs),
    )
    for g, agreement in enumerate(gold.agreements):
        if g not in paired_gold:
            for field, value in _facts(agreement, required_only=True):
                tally.miss("fn", field, value, g, None)
    for p, agreement in enumerate(predicted):
        if p not in paired_pred:
            for field, value in _facts(agreement, required_only=False):
                tally.miss("fp", field, value, None, p)


def _facts(agreement: Agreement, *, required_only: bool) -> Iterable[tuple[str, str]]:
    """(field, short value) of every fact of an agreement, each once."""
    parties = [p for p in agreement.parties if not (required_only and p.optional)]
    if required_only:  # gold parties are a set
        parties = list({party_key(p): p for p in parties}.values())
    yield from (("parties", p.key) for p in parties)
    yield "type", f"type={agreement.type.value}"
    yield "status", f"status={agreement.status.value}"
    for field, label in (("amounts", _amount_label), ("durations", _duration_label)):
        for fact in getattr(agreement, field):
            if not (required_only and fact.optional):
                yield field, label(fact)
    for date in agreement.dates:
        if not (required_only and date.optional):
            yield "dates", _date_label(date)


def _score_pair(gold: Agreement, pred: Agreement, g: int, p: int, tally: _Tally) -> None:
    _score_parties(gold.parties, pred.parties, g, p, tally)
    for field in ("type", "status"):
        gold_value, pred_value = getattr(gold, field).value, getattr(pred, field).value
        if gold_value == pred_value:
            tally.tp(field)
        else:
            tally.miss("fp", field, f"{field}={pred_value}", g, p)
            tally.miss("fn", field, f"{field}={gold_value}", g, p)
    _score_facts("amounts", gold.amounts, pred.amounts, _amounts_agree, _amount_label, g, p, tally)
    _score_facts(
        "durations",
        gold.durations,
        pred.durations,
        lambda x, y: 0.0 if x.value == y.value else None,
        _duration_label,
        g,
        p,
        tally,
    )
    matched = _score_facts("dates", gold.dates, pred.dates, _dates_agree, _date_label, g, p, tally)
    for gold_date, pred_date in matched:
        if gold_date.role == pred_date.role:
            tally.tp("date_roles")
        else:
            tally.miss("fp", "date_roles", f"{_date_label(pred_date)} role={pred_date.role}", g, p)
            tally.miss("fn", "date_roles", f"{_date_label(gold_date)} role={gold_date.role}", g, p)


def _score_parties(gold: list[Party], pred: list[Party], g: int, p: int, tally: _Tally) -> None:
    required = {party_key(x): x for x in gold if not x.optional}
    optional = {party_key(x) for x in gold if x.optional} - required.keys()
    seen: set[str] = set()
    for party in pred:
        key = party_key(party)
        if key in seen or (key not in required and key not in optional):
            tally.miss("fp", "parties", party.key, g, p)
        elif key in required:
            tally.tp("parties")
        seen.add(key)
    for key, party in required.items():
        if key not in seen:
            tally.miss("fn", "parties", party.key, g, p)


Fact = TypeVar("Fact", Amount, Duration, DateFact)


def _score_facts(
    field: str,
    gold: Sequence[Fact],
    pred: Sequence[Fact],
    agree: Callable[[Fact, Fact], float | None],
    label: Callable[[Fact], str],
    g: int,
    p: int,
    tally: _Tally,
) -> list[tuple[Fact, Fact]]:
    """Count one field of a pair; returns the (gold, prediction) matches on required gold."""
    matches = match_facts(gold, pred, agree)
    matched_pred = {j for _, j in matches}
    matched_gold = {i for i, _ in matches}
    required_matches = [(gold[i], pred[j]) for i, j in matches if not gold[i].optional]
    for _ in required_matches:
        tally.tp(field)
    for j, fact in enumerate(pred):
        if j not in matched_pred:
            tally.miss("fp", field, label(fact), g, p)
    for i, fact in enumerate(gold):
        if i not in matched_gold and not fact.optional:
            tally.miss("fn", field, label(fact), g, p)
    return required_matches


# --- matching ---------------------------------------------------------------------


def party_key(party: Party) -> str:
    return party.iso3 or party.name.strip().casefold()


def party_jaccard(gold: Agreement, pred: Agreement) -> float:
    """Party-set overlap; an optional gold party counts only when the prediction has it."""
    predicted = {party_key(x) for x in pred.parties}
    expected = {party_key(x) for x in gold.parties if not x.optional or party_key(x) in predicted}
    union = expected | predicted
    return len(expected & predicted) / len(union) if union else 0.0


def pair_agreements(gold: Sequence[Agreement], pred: Sequence[Agreement]) -> list[tuple[int, int]]:
    """(gold index, prediction index) pairs maximising Jaccard + 0.5 for an equal type."""

    def score(g: Agreement, p: Agreement) -> float:
        jaccard = party_jaccard(g, p)
        if jaccard < MIN_PARTY_JACCARD:
            return 0.0
        return jaccard + (TYPE_BONUS if g.type == p.type else 0.0)

    return _assign(gold, pred, score)


def match_facts(
    gold: Sequence[Fact], pred: Sequence[Fact], agree: Callable[[Fact, Fact], float | None]
) -> list[tuple[int, int]]:
    """One-to-one (gold index, prediction index) matches; `agree` gives None for facts that
    do not match, else a tie-breaking preference in [0, 1)."""

    def score(g: Fact, p: Fact) -> float:
        preference = agree(g, p)
        if preference is None:
            return 0.0
        return (_OPTIONAL if g.optional else _REQUIRED) + preference

    return _assign(gold, pred, score)


_Item = TypeVar("_Item")


def _assign(gold: Sequence[_Item], pred: Sequence[_Item],
            score: Callable[[_Item, _Item], float]) -> list[tuple[int, int]]:
    """The one-to-one (gold index, prediction index) pairs of the highest total `score`,
    in gold order; a pair scoring 0 is not allowed."""
    if not gold or not pred:
        return []
    scores = np.array([[score(g, p) for p in pred] for g in gold], dtype=float)
    # Forbidden pairs score 0 and every allowed pair more, so dropping the zero pairs
    # that a full assignment needs leaves a maximum matching of allowed pairs.
    rows, cols = linear_sum_assignment(scores, maximize=True)
    return sorted((int(i), int(j)) for i, j in zip(rows, cols, strict=True) if scores[i, j] > 0)


def _amounts_agree(gold: Amount, pred: Amount) -> float | None:
    if gold.currency != pred.currency or gold.period != pred.period:
        return None
    gap = abs(pred.value - gold.value)
    if gold.value == 0:
        return 0.0 if gap == 0 else None
    relative = gap / abs(gold.value)
    return 0.5 * (1 - relative) if relative <= AMOUNT_TOLERANCE + 1e-12 else None


def _dates_agree(gold: DateFact, pred: DateFact) -> float | None:
    if gold.value != pred.value or gold.granularity != pred.granularity:
        return None
    return 0.5 if gold.role == pred.role else 0.0


def _amount_label(amount: Amount) -> str:
    value = amount.value
    shown = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return f"{amount.currency} {shown}" + (f"/{amount.period}" if amount.period else "")


def _duration_label(duration: Duration) -> str:
    return duration.value


def _date_label(date: DateFact) -> str:
    return f"{date.value}/{date.granularity}"


# --- grounding and hallucination ----------------------------------------------------


def _fact_paths(doc: Document) -> Iterable[tuple[str, str]]:
    """(path, mention) of every predicted fact, paths as the validator writes them."""
    for a, agreement in enumerate(doc.agreements):
        for field in FACT_FIELDS:
            for k, fact in enumerate(getattr(agreement, field)):
                yield f"agreements[{a}].{field}[{k}]", fact.mention


def _grounding(predictions: Iterable[Document]) -> tuple[int, int]:
    """(grounded facts, facts) over the predictions that carry a validation."""
    grounded = graded = 0
    for doc in predictions:
        if doc.validation is None:
            continue
        bad = set()
        if not doc.validation.ok:
            bad = {i.path for i in doc.validation.issues if i.severity == "error"}
        for path, _ in _fact_paths(doc):
            graded += 1
            grounded += not any(_under(issue, path) for issue in bad)
    return grounded, graded


def _under(issue_path: str, fact_path: str) -> bool:
    """Whether an issue concerns the fact: its path is the fact's or lies under it.
    A fact path ends in "]", so `amounts[1]` is no prefix of `amounts[10]`."""
    return issue_path.startswith(fact_path)


def _hallucinations(predictions: Iterable[Document], texts: Mapping[str, str]) -> tuple[int, int]:
    """(facts whose mention is not in the text, documents skipped for want of a text)."""
    found = skipped = 0
    for doc in predictions:
        text = texts.get(doc.doc_id) or doc.text
        if text is None:
            skipped += 1
            continue
        found += sum(mention not in text for _, mention in _fact_paths(doc))
    return found, skipped
