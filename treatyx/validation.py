"""The grounding validator: every fact is checked by rules against the source text.

It trusts nothing an extractor says. Words must stand in the text (spans are repaired
when they merely point at the wrong place), values must be what the normalisers read
from those words, and the agreement as a whole must make sense as of publication.
The codes are stable: users filter on them, and the README lists them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from treatyx.models import FACT_FIELDS, SPANNED_FIELDS, Agreement, Document, Issue, Validation
from treatyx.normalize import lookup_party, parse_duration, parse_money, resolve_date
from treatyx.spans import locate

# Grounding
UNGROUNDED = "TX101"
SPAN_REPAIRED = "TX102"
NEAR_MATCH = "TX103"
OUTSIDE_BODY = "TX104"
# Values against their mention
AMOUNT_MISMATCH = "TX201"
AMOUNT_UNREADABLE = "TX202"
DURATION_MISMATCH = "TX211"
DURATION_UNREADABLE = "TX212"
DATE_MISMATCH = "TX221"
DATE_UNREADABLE = "TX222"
PARTY_CODES = "TX231"
PARTY_MENTION = "TX232"
PARTY_UNKNOWN = "TX233"
# The agreement as a whole
SIGNED_AFTER_PUBLICATION = "TX301"
PLANNED_BUT_SIGNED = "TX302"
DUPLICATE_FACT = "TX303"
NO_PARTY = "TX304"
NO_EVIDENCE = "TX305"
TOO_MANY_FACTS = "TX306"
# What an extractor repaired on its own
REPAIRED = "TX401"
SCREENED = "TX402"
FELL_BACK = "TX403"

CODES: dict[str, tuple[str, str]] = {
    UNGROUNDED: ("error", "a mention or evidence quote does not occur in the source text"),
    SPAN_REPAIRED: ("warning", "the words occur, but not at the given span; the span was repaired"),
    NEAR_MATCH: ("warning", "only a near match occurs (case, quotes, a typo); mention and span "
                 "were set to the source's words"),
    OUTSIDE_BODY: ("error", "the words occur only outside the article body (web boilerplate)"),
    AMOUNT_MISMATCH: ("error", "value, currency, period or approximate differ from the mention"),
    AMOUNT_UNREADABLE: ("warning", "the money normaliser cannot read the mention; value unchecked"),
    DURATION_MISMATCH: ("error", "the ISO duration differs from the mention"),
    DURATION_UNREADABLE: ("warning", "the duration normaliser cannot read the mention"),
    DATE_MISMATCH: ("error", "the date differs from the mention resolved against `published`"),
    DATE_UNREADABLE: ("warning", "the date cannot be resolved (unreadable, or no `published`)"),
    PARTY_CODES: ("error", "iso3/cow/kind do not belong to the party's name"),
    PARTY_MENTION: ("error", "the mention names a different party"),
    PARTY_UNKNOWN: ("warning", "the party's mention or name is not in the party table"),
    SIGNED_AFTER_PUBLICATION: ("error", "a `signed` date after publication, while the status "
                               "says the signing has happened"),
    PLANNED_BUT_SIGNED: ("error", "status `planned` with a `signed` date before publication"),
    DUPLICATE_FACT: ("warning", "the same fact appears twice in one agreement"),
    NO_PARTY: ("error", "an agreement has no party"),
    TOO_MANY_FACTS: ("warning", "an agreement carried more facts of one kind than any news "
                     "report gives (`MAX_FACTS`, 50); the rest were left out"),
    NO_EVIDENCE: ("warning", "an agreement has no evidence quote that stands in the article "
                  "body (`--strict` drops it)"),
    REPAIRED: ("warning", "the LLM extractor repaired or completed the model's answer (a fact "
               "far from the agreement's evidence dropped, a status its evidence contradicts "
               "corrected, a type or fact read from the evidence)"),
    SCREENED: ("warning", "the screen found no agreement language near a party and defence "
               "words, so the model was not asked (`--no-screen` sends every article)"),
    FELL_BACK: ("warning", "a piece of the article was read by the rules: the model's answer "
                "was cut at the token cap or stayed invalid through the re-asks"),
}
"""code -> (severity, what it means)."""


def issue(code: str, path: str, message: str) -> Issue:
    return Issue(code=code, severity=CODES[code][0], path=path, message=message)


@dataclass
class Checked:
    """The document with repaired spans/mentions, and what the validator found."""

    document: Document
    issues: list[Issue]

    @property
    def ok(self) -> bool:
        return not any(i.severity == "error" for i in self.issues)


def validate(
    document: Document, text: str, *, body: tuple[int, int] | None = None
) -> list[Issue]:
    """Check `document` against its source `text`; the contract's library entry point."""
    return check(document, text, body=body).issues


def check(document: Document, text: str, *, body: tuple[int, int] | None = None) -> Checked:
    """Validate and repair: the returned document has spans that index into `text`."""
    doc = document.model_copy(deep=True)
    issues: list[Issue] = []
    for i, agreement in enumerate(doc.agreements):
        issues.extend(_check_agreement(agreement, f"agreements[{i}]", text, body, doc.published))
    return Checked(doc, issues)


def apply(
    document: Document, text: str, *, body: tuple[int, int] | None = None, strict: bool = False
) -> Document:
    """Validate, repair and record the result in `document.validation`.

    With `strict`, every kept fact is supported: facts with an error are dropped, and an
    agreement too when it has no party or no supported evidence left (TX305). They stay
    listed in `validation.issues`, whose paths name the positions before dropping. `ok`
    always speaks of what is kept: the kept document is checked again.
    """
    checked = check(document, text, body=body)
    doc, issues = checked.document, checked.issues
    if not strict:
        doc.validation = Validation(ok=checked.ok, issues=issues)
        return doc
    doc = drop_errors(doc, issues)
    issues = [i.model_copy(update={"message": f"{i.message} Dropped (--strict)."})
              if _drops(i) else i for i in issues]
    doc.validation = Validation(ok=check(doc, text, body=body).ok, issues=issues)
    return doc


def _drops(issue: Issue) -> bool:
    """What --strict removes: a fact or agreement with an error, an unsupported agreement."""
    return issue.severity == "error" or issue.code == NO_EVIDENCE


def drop_errors(document: Document, issues: list[Issue]) -> Document:
    bad = {i.path for i in issues if _drops(i)}
    kept = []
    for a, agreement in enumerate(document.agreements):
        base = f"agreements[{a}]"
        if base in bad:
            continue
        for field in SPANNED_FIELDS:
            facts = getattr(agreement, field)
            setattr(agreement, field, [f for k, f in enumerate(facts)
                                       if f"{base}.{field}[{k}]" not in bad])
        if agreement.parties and agreement.evidence:
            kept.append(agreement)
    document.agreements = kept
    return document


# --- per agreement -----------------------------------------------------------------


def _check_agreement(
    agreement: Agreement,
    path: str,
    text: str,
    body: tuple[int, int] | None,
    published: dt.date | None,
) -> Iterator[Issue]:
    anchor = _anchor(agreement, text)
    for field in FACT_FIELDS:
        for k, fact in enumerate(getattr(agreement, field)):
            fact_path = f"{path}.{field}[{k}]"
            grounding = list(_ground(fact, "mention", fact_path, text, body, anchor))
            yield from grounding
            if any(g.severity == "error" for g in grounding):
                continue
            yield from _VALUE_CHECKS[field](fact, fact_path, published)
    supported = 0
    for k, evidence in enumerate(agreement.evidence):
        grounding = list(_ground(evidence, "quote", f"{path}.evidence[{k}]", text, body, None))
        supported += not any(g.severity == "error" for g in grounding)
        yield from grounding
    if not supported:
        yield issue(NO_EVIDENCE, path, "No evidence quote of this agreement stands in the "
                    "article body: nothing in the text supports it.")
    yield from _check_whole(agreement, path, published)


def _anchor(agreement: Agreement, text: str) -> int | None:
    """Where the agreement's evidence stands, to choose among repeated mentions."""
    for evidence in agreement.evidence:
        found = locate(text, evidence.quote, evidence.span)
        if found.where != "absent":
            return found.start
    return None


def _ground(fact, attr: str, path: str, text: str, body, anchor) -> Iterator[Issue]:
    words: str = getattr(fact, attr)
    found = locate(text, words, fact.span, near=anchor, within=body)
    if found.where == "absent":
        yield issue(UNGROUNDED, path, f"{words!r} does not occur in the source text.")
        return
    if found.where == "fuzzy":
        source_words = text[found.start : found.end]
        setattr(fact, attr, source_words)
        yield issue(NEAR_MATCH, path, f"{words!r} does not occur; the source says "
                    f"{source_words!r} (similarity {found.score:.0f}), used instead.")
    elif found.where == "moved":
        yield issue(SPAN_REPAIRED, path, f"{words!r} is not at {list(fact.span or [])}; "
                    f"span set to [{found.start}, {found.end}].")
    fact.span = found.span
    if body is not None and not (body[0] <= found.start and found.end <= body[1]):
        yield issue(OUTSIDE_BODY, path, f"{words!r} stands only outside the article body "
                    f"(at {found.start}), in web boilerplate.")


def _check_party(party, path: str, published) -> Iterator[Issue]:
    by_name = lookup_party(party.name)
    by_mention = lookup_party(party.mention)
    if by_name is None and by_mention is None:
        yield issue(PARTY_UNKNOWN, path, f"Neither {party.name!r} nor {party.mention!r} is in "
                    "the party table; codes unchecked.")
        return
    reference = by_name or by_mention
    if (party.iso3, party.cow, party.kind) != (reference.iso3, reference.cow, reference.kind):
        yield issue(PARTY_CODES, path, f"{party.name!r} is iso3={reference.iso3}, "
                    f"cow={reference.cow}, kind={reference.kind}, not iso3={party.iso3}, "
                    f"cow={party.cow}, kind={party.kind}.")
    if by_mention is None:
        yield issue(PARTY_UNKNOWN, path, f"The mention {party.mention!r} is not a known name "
                    f"of {party.name!r}; check it names the party.")
    elif by_mention.name != reference.name:
        yield issue(PARTY_MENTION, path, f"The mention {party.mention!r} names "
                    f"{by_mention.name}, not {party.name}.")


def _check_amount(amount, path: str, published) -> Iterator[Issue]:
    parsed = parse_money(amount.mention)
    if parsed is None:
        yield issue(AMOUNT_UNREADABLE, path, f"Cannot read {amount.mention!r} as money; "
                    "value unchecked.")
        return
    problems = []
    if parsed.currency != amount.currency:
        problems.append(f"currency {parsed.currency}, not {amount.currency}")
    if abs(parsed.value - amount.value) > 1e-6 * max(1.0, abs(parsed.value)):
        problems.append(f"value {parsed.value:g}, not {amount.value:g}")
    if parsed.period != amount.period:
        problems.append(f"period {parsed.period}, not {amount.period}")
    if parsed.approximate and not amount.approximate:
        problems.append("approximate (the mention hedges), not exact")
    if problems:
        yield issue(AMOUNT_MISMATCH, path, f"{amount.mention!r} reads as " + "; ".join(problems)
                    + ".")


def _check_duration(duration, path: str, published) -> Iterator[Issue]:
    parsed = parse_duration(duration.mention)
    if parsed is None:
        yield issue(DURATION_UNREADABLE, path, f"Cannot read {duration.mention!r} as a "
                    "duration; value unchecked.")
    elif parsed != duration.value:
        yield issue(DURATION_MISMATCH, path, f"{duration.mention!r} reads as {parsed}, "
                    f"not {duration.value}.")


def _check_date(date, path: str, published) -> Iterator[Issue]:
    if published is None and not _absolute(date.value, date.mention):
        yield issue(DATE_UNREADABLE, path, f"{date.mention!r} cannot be resolved without a "
                    "publication date; value unchecked.")
        return
    readings = {resolve_date(date.mention, published, tense) for tense in ("past", "future")}
    readings.discard(None)
    if not readings:
        yield issue(DATE_UNREADABLE, path, f"Cannot resolve {date.mention!r}; value unchecked.")
    elif not any((r.value, r.granularity) == (date.value, date.granularity) for r in readings):
        shown = " or ".join(sorted(f"{r.value} ({r.granularity})" for r in readings))
        yield issue(DATE_MISMATCH, path, f"{date.mention!r} resolves to {shown}, not "
                    f"{date.value} ({date.granularity}).")


def _absolute(value: str, mention: str) -> bool:
    return value[:4] in mention


_VALUE_CHECKS = {
    "parties": _check_party,
    "amounts": _check_amount,
    "durations": _check_duration,
    "dates": _check_date,
}


def _check_whole(agreement: Agreement, path: str, published: dt.date | None) -> Iterator[Issue]:
    if not agreement.parties:
        yield issue(NO_PARTY, path, "The agreement names no party.")
    signed = [d for d in agreement.dates if d.role == "signed"]
    for date in signed if published is not None else []:
        after = _day_after(date.value, published)
        if after and agreement.status not in _NOT_YET_SIGNED:
            yield issue(SIGNED_AFTER_PUBLICATION, path, f"Signed on {date.value}, after "
                        f"publication on {published.isoformat()}.")
        elif not after and agreement.status == "planned" and _day_before(date.value, published):
            yield issue(PLANNED_BUT_SIGNED, path, f"Status is planned, but it was signed "
                        f"on {date.value}, before publication; status should be signed.")
    for field in FACT_FIELDS:
        seen: dict[tuple, int] = {}
        for k, fact in enumerate(getattr(agreement, field)):
            key = _fact_key(field, fact)
            if key in seen:
                yield issue(DUPLICATE_FACT, f"{path}.{field}[{k}]", f"Repeats "
                            f"{field}[{seen[key]}] ({key[0]}).")
            else:
                seen[key] = k


_NOT_YET_SIGNED = {"planned", "negotiating", "announced"}
"""Statuses for which a `signed` date is the date a signing is set for, so may be ahead."""


def _fact_key(field: str, fact) -> tuple:
    if field == "parties":
        return (fact.key,)
    if field == "amounts":
        return (f"{fact.currency} {fact.value:g}", fact.period)
    if field == "dates":
        return (fact.value, fact.role)
    return (fact.value,)


def _day_before(value: str, published: dt.date) -> bool:
    """True only when the date is certainly before publication, whatever its granularity."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return dt.date(*parts) < published
    if len(parts) == 2:
        return (parts[0], parts[1]) < (published.year, published.month)
    return parts[0] < published.year


def _day_after(value: str, published: dt.date) -> bool:
    """True only when the date is certainly after publication, whatever its granularity."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        return dt.date(*parts) > published
    if len(parts) == 2:
        return (parts[0], parts[1]) > (published.year, published.month)
    return parts[0] > published.year
