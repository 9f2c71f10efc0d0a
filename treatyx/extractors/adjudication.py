"""The rules' reading as the judge of a small model's agreements (the `sentences` design).

A 1.5B model tells well which deals an article reports and between whom, and badly how
many there are between the same parties, of what kind and at what stage; the rules read
the words' own cues for those. Here the two readings meet: what each decides, and the
notes that say what changed. Measured step by step in eval/results/local-experiments.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from treatyx import validation as validate
from treatyx.extractors.rules import RulesBackend, about_defence, restage, speaks_of_defence
from treatyx.loading import SourceDocument
from treatyx.models import Agreement, Issue
from treatyx.spans import overlaps


def adjudicate_with_rules(agreements: list[Agreement], notes: list[Issue],
                          source: SourceDocument) -> list[Issue]:
    """Adjudicate the document's agreements against the rules' reading of its text, then
    drop one-sided doubles, in place; returns `notes` with the steps' notes, every path
    numbering the agreements as they now stand."""
    steps: list[Callable[[list[Agreement]], list[Issue]]] = [
        partial(adjudicate, RulesBackend().extract(source).agreements,
                headline=source.title or ""),
        drop_one_sided_doubles,
    ]
    for step in steps:
        before = list(agreements)
        notes = _renumbered(notes + step(agreements), before, agreements)
    return notes


def adjudicate(reading: list[Agreement], agreements: list[Agreement], headline: str = ""
               ) -> list[Issue]:
    """Check the model's agreements against another reading (the rules'), in place.

    Where that reading reports the same agreement (the same parties, from overlapping
    sentences if it can), its type and status stand: the model decides which agreements
    the article reports and between whom, and the words' own cues name their kind and
    stage better than a 1.5B model does. An agreement it does not report, beside one of
    the same parties that it does, is the model's double or a background deal of the same
    parties, and is dropped. Where the rules read more agreements between parties the
    model reports than it does, theirs are added: the model names who made deals, the
    rules count them. An agreement the model gives one party (or none the article names)
    is one the rules read between that party and others in the same sentences (its
    parties are completed), or none: an agreement has two sides ("I agree." is no arms
    deal). One that shares a party and a sentence with a reading of as many parties had
    one party swapped ("the US and China" for "Sri Lanka and the US"): the reading's
    parties stand. One the rules do not read, whose sentences and `headline` name nothing
    military, is no defence agreement ("a free trade agreement"), and is dropped. Notes
    say what changed. (Measured step by step in eval/results/local-experiments.md.)"""
    notes: list[Issue] = []
    free = list(reading)
    twins: list[Agreement | None] = [None] * len(agreements)
    for by_sentence in (True, False):  # twins from overlapping sentences first
        for number, agreement in enumerate(agreements):
            if twins[number] is not None:
                continue
            same = [r for r in free if r.sides == agreement.sides
                    and (not by_sentence or _share_sentences(agreement, r))]
            if same:
                twins[number] = same[0]
                free.remove(same[0])
    for number, agreement in enumerate(agreements):  # one party: the rules name the other
        if twins[number] is None and len(agreement.sides) <= 1:
            wider = [r for r in free if agreement.sides < r.sides
                     and _share_sentences(agreement, r)]
            if wider:
                twins[number] = wider[0]
                free.remove(wider[0])
    for number, agreement in enumerate(agreements):  # a party swapped: the rules' stand
        if twins[number] is None:
            near = [r for r in free if agreement.sides & r.sides
                    and len(r.sides) == len(agreement.sides)
                    and _share_sentences(agreement, r)]
            if near:
                twins[number] = near[0]
                free.remove(near[0])
    kept = []
    for number, (agreement, twin) in enumerate(zip(agreements, twins, strict=True)):
        path = f"agreements[{number}]"
        if twin is None:
            if any(other is not None and a.sides == agreement.sides
                   for a, other in zip(agreements, twins, strict=True)):
                notes.append(validate.issue(
                    validate.REPAIRED, path, f"Dropped {_named(agreement)}: the rules do not "
                    "read it beside one of the same parties that they do."))
                continue
            if len(agreement.sides) <= 1:
                notes.append(validate.issue(
                    validate.REPAIRED, path, f"Dropped {_named(agreement)}: "
                    f"{'one party' if agreement.sides else 'no party'}, and the rules read "
                    "no agreement of it."))
                continue
            if not (about_defence(agreement) or speaks_of_defence(headline)):
                notes.append(validate.issue(
                    validate.REPAIRED, path, f"Dropped {_named(agreement)}: its sentences "
                    "speak of nothing military, and the rules read no agreement of it."))
                continue
        elif twin.sides != agreement.sides:
            notes.append(validate.issue(
                validate.REPAIRED, f"{path}.parties", f"Parties completed to "
                f"{', '.join(p.name for p in twin.parties)}: the rules read the same sentences "
                "so."))
            agreement.parties = [p.model_copy() for p in twin.parties]
        if twin is not None and (twin.type, twin.status) != (agreement.type, agreement.status):
            notes.append(validate.issue(
                validate.REPAIRED, path, f"Type and status {agreement.type.value}/"
                f"{agreement.status.value} set to {twin.type.value}/{twin.status.value}: "
                "the rules read the same agreement so."))
            agreement.type = twin.type
            restage(agreement, twin.status)
        if twin is not None:  # the same date read by the rules: their role stands
            for fact in agreement.dates:
                same = next((d for d in twin.dates if overlaps(d.span, fact.span)), None)
                if same is not None:
                    fact.role = same.role
        kept.append(agreement)
    reported = {a.sides for a in kept}
    for number, extra in enumerate((r for r in free if r.sides in reported),
                                   start=len(agreements)):
        notes.append(validate.issue(
            validate.REPAIRED, f"agreements[{number}]", "Added the rules' reading of "
            f"another {extra.type.value} agreement between the same parties."))
        kept.append(extra.model_copy(deep=True))
    agreements[:] = kept
    return notes


def _renumbered(notes: list[Issue], before: list[Agreement], after: list[Agreement]
                ) -> list[Issue]:
    """Notes whose paths number `before` (then the agreements a step added, in order),
    numbering `after` instead: an agreement a step dropped has no path left, its notes
    speak of the document's agreements."""
    known = {id(a) for a in before}
    numbered = before + [a for a in after if id(a) not in known]
    where = {id(a): number for number, a in enumerate(after)}

    def move(match: re.Match[str]) -> str:
        old = int(match[1])
        new = where.get(id(numbered[old])) if old < len(numbered) else None
        return f"agreements[{new}]{match[2]}" if new is not None else "agreements"

    return [n.model_copy(update={"path": re.sub(r"^agreements\[(\d+)\](.*)$", move, n.path)})
            for n in notes]


def drop_one_sided_doubles(agreements: list[Agreement]) -> list[Issue]:
    """Drop, in place, an agreement with one party who is a party of another agreement
    of the document: an agreement has two sides, and a small model that names one has
    mostly seen a deal it reports in full elsewhere ("France" beside "Egypt, France").
    A one-sided agreement alone stays (its partner may go unnamed: "the two countries").
    (realdev, the model's recorded answers: 3 false agreements fewer, none lost.)"""
    notes: list[Issue] = []
    kept = []
    for number, agreement in enumerate(agreements):
        sides = agreement.sides
        if len(sides) == 1 and any(len(other.sides) > 1 and sides < other.sides
                                   for other in agreements):
            notes.append(validate.issue(
                validate.REPAIRED, f"agreements[{number}]", f"Dropped {_named(agreement)}: "
                "its one party is a party of another agreement reported here."))
            continue
        kept.append(agreement)
    agreements[:] = kept
    return notes


def _share_sentences(one: Agreement, other: Agreement) -> bool:
    return any(overlaps(e.span, f.span) for e in one.evidence for f in other.evidence)


def _named(agreement: Agreement) -> str:
    """An agreement as a note names it: "the arms_transfer agreement of France, Egypt"."""
    parties = ", ".join(p.name for p in agreement.parties)
    return f"the {agreement.type.value} agreement " + (f"of {parties}" if parties else
                                                       "naming no party")


