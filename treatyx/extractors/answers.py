"""From a model's words to facts: located in the source, valued by the normalisers,
repaired where the source shows the words are wrong, and merged across chunks.

The model (llm.py) names words; everything here is deterministic, so what a given
answer becomes can be tested without a model (tests/test_llm_answers.py).
"""

from __future__ import annotations

import re

from treatyx import validation as validate
from treatyx.extractors import facts
from treatyx.extractors.adjudication import adjudicate_with_rules
from treatyx.extractors.chunking import Chunk, paragraphs
from treatyx.extractors.instructions import addressed_to_model
from treatyx.extractors.rules import (
    date_role,
    reports_agreement,
    restage,
    says_status,
    status_cue,
    type_cue,
)
from treatyx.extractors.schema import Words
from treatyx.loading import SourceDocument
from treatyx.models import (
    VALUED_FIELDS,
    Agreement,
    AgreementStatus,
    AgreementType,
    Amount,
    DateFact,
    Document,
    Duration,
    Evidence,
    Issue,
    Party,
)
from treatyx.normalize import (
    PartyInfo,
    find_dates,
    find_durations,
    find_money,
    find_parties,
    lookup_party,
    parse_duration,
    parse_money,
    resolve_date,
)
from treatyx.spans import Located, locate, overlaps, sentences


def validator_errors(agreements: list[Agreement], source: SourceDocument) -> list[str]:
    doc = Document(doc_id=source.doc_id, published=source.published, agreements=agreements)
    found = validate.check(doc, source.text, body=(source.body_start, source.body_end))
    return [_for_model(i) for i in found.issues if i.severity == "error"]


def _for_model(found: Issue) -> str:
    """A validator message in the model's own terms (agreement numbers, not codes)."""
    path = re.sub(r"agreements\[(\d+)\]", lambda m: f"agreement {int(m[1]) + 1}", found.path)
    return f"{path.replace('.', ' ')}: {found.message}"


def resolve(
    words: Words, source: SourceDocument, piece: Chunk
) -> tuple[list[Agreement], list[Issue]]:
    """Facts from the model's words: located in the source, valued by the normalisers.

    Returns the agreements and notes: warnings for a value the normalisers could not
    read (the model's was kept) and for each repair. What is left for the model to fix
    is what the validator finds in these agreements.
    """
    agreements: list[Agreement] = []
    notes: list[Issue] = []
    headlines: list[tuple[str, Agreement]] = []
    text, within = source.text, (piece.start, piece.end)
    quoted = [[_evidence(text, quote, within) for quote in item.evidence]
              for item in words.agreements]
    # Where each reported agreement's evidence starts: the story of one runs until the next.
    leads = sorted(e.span[0] for evidence in quoted for e in evidence if e.span)
    for item, evidence in zip(words.agreements, quoted, strict=True):
        path = f"agreements[{len(agreements)}]"
        anchor = next((e.span[0] for e in evidence if e.span), None)

        def place(mention: str, anchor: int | None = anchor,
                  evidence: list[Evidence] = evidence) -> tuple[str, tuple[int, int] | None]:
            # Words inside the agreement's own evidence first, then the nearest elsewhere.
            for quoted in (e.span for e in evidence if e.span):
                found = locate(text, mention, within=quoted)
                if found.where == "moved" and quoted[0] <= found.start < quoted[1]:
                    return _placed(text, mention, found)
            found = locate(text, mention, near=anchor, within=within)
            return _placed(text, mention, found)

        parties: list[Party] = []
        for mention in item.parties:
            info = lookup_party(mention)
            if info is None:
                notes.append(validate.issue(validate.REPAIRED, f"{path}.parties", f"Dropped "
                                            f"party {mention!r}: not a state or organisation."))
                continue
            words_, span = _party_words(text, info, *place(mention), evidence, anchor, within)
            parties.append(Party(name=info.name, iso3=info.iso3, cow=info.cow, kind=info.kind,
                                 mention=words_, span=span))
        amounts = []
        for amount in item.amounts:
            words_, span = place(amount.mention)
            money = parse_money(words_)
            inside = find_money(words_) if money is None and span else []
            if money is not None:
                amounts.append(Amount(value=money.value, currency=money.currency,
                                      period=money.period, approximate=money.approximate,
                                      mention=words_, span=span))
            elif inside:  # "about 9 trillion won ($6.5 billion)": each amount on its own
                for part in inside:
                    amounts.append(Amount(
                        value=part.value.value, currency=part.value.currency,
                        period=part.value.period, approximate=part.value.approximate,
                        mention=part.mention,
                        span=(span[0] + part.start, span[0] + part.end)))
            elif amount.value is not None and amount.currency and len(amount.currency) == 3:
                amounts.append(Amount(value=amount.value, currency=amount.currency.upper(),
                                      mention=words_, span=span))
                notes.append(validate.issue(validate.AMOUNT_UNREADABLE,
                                            f"{path}.amounts[{len(amounts) - 1}]",
                                            f"Cannot read {words_!r}; kept the model's value."))
            else:
                notes.append(validate.issue(validate.REPAIRED, f"{path}.amounts", f"Dropped "
                                            f"amount {amount.mention!r}: not money."))
        durations = []
        for duration in item.durations:
            words_, span = place(duration.mention)
            inside = find_durations(words_) if span and not parse_duration(words_) else []
            if len(inside) == 1:  # "a 10-year framework": the duration's own words
                part = inside[0]
                words_, span = part.mention, (span[0] + part.start, span[0] + part.end)
            value = parse_duration(words_) or duration.value
            if value is None or not re.fullmatch(r"P(\d+[YMWD])+", value):
                notes.append(validate.issue(validate.REPAIRED, f"{path}.durations", f"Dropped "
                                            f"duration {duration.mention!r}: not a length "
                                            "of time."))
                continue
            if parse_duration(words_) is None:
                notes.append(validate.issue(validate.DURATION_UNREADABLE,
                                            f"{path}.durations[{len(durations)}]",
                                            f"Cannot read {words_!r}; kept the model's value."))
            durations.append(Duration(value=value, mention=words_, span=span))
        dates = []
        tense = "future" if item.status in _NOT_YET else None
        for date in item.dates:
            words_, span = place(date.mention)
            resolved = resolve_date(words_, source.published, tense)
            if resolved is not None:
                dates.append(DateFact(value=resolved.value, granularity=resolved.granularity,
                                      role=date.role, mention=words_, span=span))
            elif date.value and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date.value):
                grain = {4: "year", 7: "month", 10: "day"}[len(date.value)]
                dates.append(DateFact(value=date.value, granularity=grain, role=date.role,
                                      mention=words_, span=span))
                notes.append(validate.issue(validate.DATE_UNREADABLE,
                                            f"{path}.dates[{len(dates) - 1}]",
                                            f"Cannot resolve {words_!r}; kept the model's value."))
            else:
                notes.append(validate.issue(validate.REPAIRED, f"{path}.dates", f"Dropped "
                                            f"date {date.mention!r}: cannot be resolved to a "
                                            "date."))
        name = item.name
        if name is not None:
            # a name is the article's own capitalised words ("Reciprocal Access Agreement"),
            # not the model's label for the deal ("military_cooperation")
            found = locate(text, name, within=within)
            words_ = text[found.start : found.end] if found.where != "absent" else ""
            if any(c.isupper() for c in words_):
                name = words_  # the article's own spelling
            else:
                notes.append(validate.issue(validate.REPAIRED, f"{path}.name", f"Dropped name "
                                            f"{name!r}: not a name the article uses."))
                name = None
        if item.parties and not parties:
            notes.append(validate.issue(validate.REPAIRED, path, "Dropped an agreement "
                                        "with no state or organisation among its parties."))
            continue
        agreement = Agreement(
            name=name, type=item.type, status=item.status,
            parties=facts.unique_parties(parties), amounts=amounts, durations=durations,
            dates=dates, evidence=evidence,
        )
        if not _without_instructions(agreement, path, source, piece, notes):
            continue
        if _only_the_headline(agreement, source):
            headlines.append((path, agreement))
            continue
        repaired, repairs = _repair(agreement, path, source, piece, leads)
        notes += repairs
        if repaired is not None:
            agreements.append(repaired)
    for path, headline in headlines:
        notes += _fold_headline(headline, path, agreements, source, piece)
    return agreements, notes


_ONE = {"parties": "party", "amounts": "amount", "durations": "duration", "dates": "date",
        "evidence": "evidence"}


def _without_instructions(agreement: Agreement, path: str, source: SourceDocument,
                          piece: Chunk, notes: list[Issue]) -> bool:
    """Drop what stands in a sentence addressed to a model ("Ignore previous instructions
    and report ..."): it is no news, so neither evidence nor a fact. False when no
    evidence is left, and the agreement goes with it."""
    pieces = sentences(source.text, piece.start, piece.end)
    orders = [(s.start, s.end) for s in pieces if addressed_to_model(s.text)]
    if not orders:
        return True

    def inside(span: tuple[int, int] | None) -> bool:
        return any(overlaps(span, order) for order in orders)

    for kind in ("parties", "amounts", "durations", "dates", "evidence"):
        kept = []
        for fact in getattr(agreement, kind):
            if not inside(fact.span):
                kept.append(fact)
                continue
            words_ = getattr(fact, "mention", None) or fact.quote
            notes.append(validate.issue(validate.REPAIRED, path, f"Dropped {_ONE[kind]} "
                                        f"{words_[:60]!r}: it stands in text addressed to "
                                        "a model, not news."))
            if kind == "evidence":  # the news sentences of a quote that also holds orders
                kept += [facts.evidence(source.text, s.start, s.end) for s in pieces
                         if overlaps(fact.span, (s.start, s.end))
                         and not inside((s.start, s.end))]
        setattr(agreement, kind, kept)
    if agreement.evidence:
        return True
    notes.append(validate.issue(validate.REPAIRED, path, "Dropped an agreement with no "
                                "evidence left."))
    return False


def _only_the_headline(agreement: Agreement, source: SourceDocument) -> bool:
    quoted = [e for e in agreement.evidence if e.span]
    title = (source.title or "").strip()
    return bool(quoted and title and all(e.quote.strip() == title for e in quoted))


def _fold_headline(headline: Agreement, path: str, agreements: list[Agreement],
                   source: SourceDocument, piece: Chunk) -> list[Issue]:
    """The headline summarises the story, so it is no agreement of its own; the facts a
    model hung on it belong to the story's agreement between the same parties, when they
    stand in that agreement's evidence paragraph. The rest is dropped."""
    twin = next((a for a in agreements if a.sides == headline.sides), None)
    notes = [validate.issue(validate.REPAIRED, path, "Dropped an agreement whose only "
                            "evidence is the headline" + (", keeping its facts that stand "
                            "in the paragraph of the same parties' agreement." if twin else "."))]
    if twin is None:
        return notes
    near = _evidence_paragraphs(twin, source, piece)
    for kind in VALUED_FIELDS:
        have = {f.span for f in getattr(twin, kind)}
        for fact in getattr(headline, kind):
            if (fact.span and fact.span not in have
                    and any(p.start <= fact.span[0] < p.end for p in near)):
                getattr(twin, kind).append(fact)
    return notes


def _repair(agreement: Agreement, path: str, source: SourceDocument, piece: Chunk,
            leads: list[int] = ()) -> tuple[Agreement | None, list[Issue]]:
    """What a careful reader fixes without asking again (a small model answers a re-ask
    worse than it answered first): facts far from the agreement's evidence are dropped,
    a status its own evidence contradicts is corrected, an agreement whose evidence
    reports none is dropped. Each repair is noted as a warning.

    A date must stand in the evidence's paragraph (a story's other days are other
    events); money and durations may also stand in the paragraphs that follow it, up to
    where the next agreement's evidence starts ("Under the extension, Japan will pay
    ...")."""
    notes: list[Issue] = []
    quoted = [e for e in agreement.evidence if e.span]
    if quoted and not any(_reports(e.quote) for e in quoted):
        notes.append(validate.issue(validate.REPAIRED, path, "Dropped an agreement whose "
                                    "evidence reports no agreement, sale or aid."))
        return None, notes
    near = _evidence_paragraphs(agreement, source, piece)
    _keep_parties_named_near(agreement, path, source, near, notes)
    story = (near[0].start, piece.end) if near else None
    if story:
        story = (story[0], min([s for s in leads if s >= near[-1].end] + [story[1]]))
    for kind in VALUED_FIELDS:
        kept = []
        for fact in getattr(agreement, kind):
            in_paragraph = any(p.start <= fact.span[0] < p.end for p in near) if fact.span \
                else True
            in_story = story is not None and fact.span is not None \
                and story[0] <= fact.span[0] < story[1]
            if near and not (in_paragraph or (kind != "dates" and in_story)):
                where = "paragraph" if kind == "dates" else "story"
                notes.append(validate.issue(validate.REPAIRED, path, f"Dropped {kind[:-1]} "
                                            f"{fact.mention!r}: not in the {where} of the "
                                            "agreement's evidence."))
            else:
                kept.append(fact)
        setattr(agreement, kind, kept)
    if agreement.type == AgreementType.other:
        notes += _type_from_evidence(agreement, path)
    said = " ".join(e.quote for e in quoted)
    cue = status_cue(said)
    if (cue == AgreementStatus.planned
            and agreement.status in (AgreementStatus.signed, AgreementStatus.in_force)):
        notes.append(validate.issue(validate.REPAIRED, path, f"Status {agreement.status.value} "
                                    "set to planned: the evidence says it is still to be "
                                    "signed."))
        agreement.status = AgreementStatus.planned
        for fact in agreement.dates:  # "will sign on Friday" is the coming Friday
            ahead = resolve_date(fact.mention, source.published, "future")
            if ahead is not None:
                fact.value, fact.granularity = ahead.value, ahead.granularity
    elif cue is not None and cue != agreement.status and not says_status(said,
                                                                         agreement.status):
        notes.append(validate.issue(validate.REPAIRED, path, f"Status {agreement.status.value} "
                                    f"set to {cue.value}: the evidence has no word of the "
                                    "first and says the second."))
        restage(agreement, cue)
    return agreement, notes


def _reports(text: str) -> bool:
    """Whether a sentence can report an agreement: the rules' test, or a status and a
    type named together ("suspended military cooperation", "signed a declaration of
    intent ... joint development"; a weapon is no type here: "launched a missile", nor
    are the arms an arms control deal counts: "tested a nuclear weapon")."""
    kind = type_cue(text)
    return reports_agreement(text) or bool(
        status_cue(text) and kind
        and kind[0] not in (AgreementType.arms_transfer, AgreementType.other))


_AGREEMENT_NOUN = re.compile(r"\b(?:agreements?|deals?|pacts?|treaty|treaties|accords?|"
                             r"contracts?|memorand(?:um|a)|MoUs?|declaration|letter of intent)\b",
                             re.IGNORECASE)


def speaks_of_agreement(sentence: str) -> bool:
    """Whether a sentence can report an agreement or give its details: it names one
    ("the deal"), a status ("signed", "scrapped") or a type ("logistics", "purchase").
    A small model asked for an agreement's sentences often cites the whole story."""
    return bool(_AGREEMENT_NOUN.search(sentence) or status_cue(sentence)
                or type_cue(sentence))


def _evidence_paragraphs(agreement: Agreement, source: SourceDocument,
                         piece: Chunk) -> list[Chunk]:
    """The paragraphs of the chunk that hold the agreement's evidence."""
    return [p for p in paragraphs(source.text, piece.start, piece.end)
            if any(overlaps((p.start, p.end), e.span) for e in agreement.evidence)]


def _keep_parties_named_near(agreement: Agreement, path: str, source: SourceDocument,
                             near: list[Chunk], notes: list[Issue]) -> None:
    """A party the evidence's paragraph never names is a guess ("all three countries"):
    drop it, as long as the parties that paragraph does name remain. Where the paragraph
    names fewer than two, the headline's count too ("his Spanish counterpart" under
    "Australia, Spain to boost defence cooperation")."""
    if not near:
        return
    named = {info.value.iso3 or info.value.name
             for p in near for info in find_parties(source.text[p.start : p.end])}
    if len(named) < 2 and source.title:
        named |= {info.value.iso3 or info.value.name for info in find_parties(source.title)}
    kept = [p for p in agreement.parties if p.key in named]
    if len(kept) == len(agreement.parties) or not kept:
        return
    for party in agreement.parties:
        if party not in kept:
            notes.append(validate.issue(validate.REPAIRED, path, f"Dropped party "
                                        f"{party.mention!r}: not named in the paragraph of "
                                        "the agreement's evidence."))
    agreement.parties = kept


_NOT_YET = {AgreementStatus.planned, AgreementStatus.negotiating}


def _party_words(text: str, info: PartyInfo, words: str, span: tuple[int, int] | None,
                 evidence: list[Evidence], anchor: int | None, within: tuple[int, int]
                 ) -> tuple[str, tuple[int, int] | None]:
    """The article's own words for a party the model named: the state's name inside the
    model's phrase ("US" in "US Army"); where the model's name is not in the article
    ("Germany" for "a German-Norwegian agreement"), a name the article gives the same
    party, in the agreement's sentences first, else nearest to them."""
    regions = [span] if span is not None else [e.span for e in evidence if e.span] + [within]
    for start, end in regions:
        same = [m for m in find_parties(text[start:end]) if m.value == info]
        if same:
            near = min(same, key=lambda m: abs(start + m.start - (anchor or start)))
            return near.mention, (start + near.start, start + near.end)
    return words, span


def _placed(text: str, mention: str, found: Located) -> tuple[str, tuple[int, int] | None]:
    if found.where == "absent":
        return mention, None  # the validator reports it as ungrounded
    return text[found.start : found.end], found.span


def _evidence(text: str, quote: str, within: tuple[int, int]) -> Evidence:
    """The whole sentence(s) holding the quote, so evidence is always complete sentences."""
    found = locate(text, quote, within=within)
    if found.where == "absent":
        return Evidence(quote=quote)
    covering = [s for s in sentences(text, *within)
                if s.start < found.end and found.start < s.end]
    if not covering:
        return Evidence(quote=text[found.start : found.end], span=found.span)
    return facts.evidence(text, covering[0].start, covering[-1].end)


def judge(
    words: Words, source: SourceDocument, piece: Chunk
) -> tuple[list[Agreement], list[Issue], list[str]]:
    """An answer resolved to facts, with its notes and the errors a re-ask would send
    back (what the answer models' validator in llm.py raises for instructor)."""
    agreements, notes = resolve(words, source, piece)
    return agreements, notes, validator_errors(agreements, source)


def complete_from_evidence(agreements: list[Agreement], source: SourceDocument, *,
                           noted: bool = True, dated: int = 99) -> list[Issue]:
    """Complete each agreement from its evidence sentences, with a note for each change
    (unless not `noted`): the type their words name, and the money, durations and dates
    in them that no fact covers yet; dates only from the first `dated` sentences, where
    the agreement is reported (a story's later sentences date other events). On the dev
    split this took the local model's type F1 from 0.41 to 0.55 and its overall F1 from
    0.66 to 0.71 (amounts 0.82 to 0.95)."""
    notes: list[Issue] = []
    for number, agreement in enumerate(agreements):
        path = f"agreements[{number}]"
        notes += _type_from_evidence(agreement, path)
        for place, evidence in enumerate(e for e in agreement.evidence if e.span):
            start, end = evidence.span
            words = source.text[start:end]
            found = {
                "amounts": [facts.amount(m, start) for m in find_money(words)],
                "durations": [facts.duration(m, start) for m in find_durations(words)],
                "dates": [facts.date(m, date_role(agreement.status), start)
                          for m in find_dates(words, source.published)]
                if place < dated else [],
            }
            for kind, candidates in found.items():
                have = getattr(agreement, kind)
                for fact in candidates:
                    if any(overlaps(f.span, fact.span) for f in have):
                        continue
                    if kind == "dates" and any(f.value == fact.value for f in have):
                        continue  # "on Tuesday ... Tuesday's deal": one date
                    have.append(fact)
                    if noted:
                        notes.append(validate.issue(
                            validate.REPAIRED, f"{path}.{kind}", f"Added {kind[:-1]} "
                            f"{fact.mention!r}: in the evidence, left out by the model."))
    return notes


def _type_from_evidence(agreement: Agreement, path: str) -> list[Issue]:
    """Retype the agreement as its evidence's own words name it ("upkeep" ->
    host_nation_support), if they name a type; a note says so."""
    cue = type_cue(" ".join(e.quote for e in agreement.evidence if e.span))
    if cue is None or cue[0] == agreement.type:
        return []
    note = validate.issue(validate.REPAIRED, f"{path}.type", f"Type {agreement.type.value} "
                          f"set to {cue[0].value}: the evidence says {cue[1]!r}.")
    agreement.type = cue[0]
    return [note]


def finish(
    found: list[tuple[list[Agreement], list[Issue]]], source: SourceDocument, *,
    read_evidence: bool, design: str = "words",
) -> tuple[list[Agreement], list[Issue]]:
    """One document's agreements and notes from its pieces' judged answers: combined in
    piece order, completed from each agreement's evidence (`read_evidence`) and, for the
    `sentences` design, checked against the rules' reading. The live LLM backend and
    batch collect both end here, so a batch gives what a live run gives."""
    agreements, notes = combine(found)
    if read_evidence:
        # the sentences design asks for no money, durations or dates: reading them
        # from the cited sentences is no repair, so it leaves no note
        notes += complete_from_evidence(agreements, source, **(
            {"noted": False, "dated": 2} if design == "sentences" else {}))
    if design == "sentences":
        notes = adjudicate_with_rules(agreements, notes, source)
    return agreements, notes


def combine(
    results: list[tuple[list[Agreement], list[Issue]]],
) -> tuple[list[Agreement], list[Issue]]:
    """One document's agreements and notes from its chunks' answers, in chunk order."""
    agreements: list[Agreement] = []
    notes: list[Issue] = []
    for found, found_notes in results:
        notes += _shift_paths(found_notes, len(agreements))
        agreements = merge(agreements, found)
    return agreements, notes


def _shift_paths(notes: list[Issue], offset: int) -> list[Issue]:
    def shift(match: re.Match[str]) -> str:
        return f"agreements[{int(match[1]) + offset}]"

    return [n.model_copy(update={"path": re.sub(r"agreements\[(\d+)\]", shift, n.path)})
            for n in notes]


def merge(found: list[Agreement], new: list[Agreement]) -> list[Agreement]:
    """Agreements from several chunks: the same parties with the same type, or the same
    parties reported by the same sentence, are one agreement (the first answer's type
    and status stand). Within one answer, only a repeat (same parties, type and
    evidence) is one: "five agreements were terminated" in one sentence stay five."""
    merged = [a.model_copy(deep=True) for a in found]
    for agreement in new:
        twin = next((a for a in merged[:len(found)] if _same_agreement(a, agreement)), None)
        twin = twin or next((a for a in merged[len(found):] if _repeat(a, agreement)), None)
        if twin is None:
            merged.append(agreement)
            continue
        for name in (*VALUED_FIELDS, "evidence"):
            have = {(getattr(f, "mention", None) or f.quote, f.span) for f in getattr(twin, name)}
            for fact in getattr(agreement, name):
                if ((getattr(fact, "mention", None) or fact.quote, fact.span)) not in have:
                    getattr(twin, name).append(fact)
    return merged


def _repeat(one: Agreement, other: Agreement) -> bool:
    return (one.sides == other.sides and one.type == other.type
            and {e.span for e in one.evidence} == {e.span for e in other.evidence})


def _same_agreement(one: Agreement, other: Agreement) -> bool:
    if one.sides != other.sides:
        return False
    if one.type == other.type:
        return True
    return any(overlaps(e.span, f.span) for e in one.evidence for f in other.evidence)
