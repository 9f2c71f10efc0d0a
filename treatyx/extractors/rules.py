"""The offline extractor: agreement language, then the facts in its sentence.

It needs no model, so it is the default when none is configured and the baseline every
LLM result is compared with. It reads sentence by sentence: a sentence that names an
agreement (deal, pact, treaty ...) together with a signing/agreeing verb reports one;
its parties, amounts, durations and dates come from the normalisers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from treatyx.extractors import facts
from treatyx.extractors.base import Extraction
from treatyx.loading import SourceDocument
from treatyx.models import Agreement, AgreementStatus, AgreementType, DateRole, Party
from treatyx.normalize import find_dates, find_durations, find_money, find_parties
from treatyx.spans import Sentence, sentences

_AGREEMENT = re.compile(
    r"\b(agreements?|deals?|pacts?|treaty|treaties|accords?|memorand(?:um|a) of understanding|"
    r"MoUs?|arrangements?|partnership|contracts?|framework|package)\b",
    re.IGNORECASE,
)

# Status cues, most specific first; the earliest cue in the sentence wins.
_STATUS: list[tuple[AgreementStatus, str]] = [
    (AgreementStatus.terminated, r"scrap\w*|cancel\w*|withdr[ae]w\w*|pull(?:ed|s)? out|"
                                 r"terminat\w*|expired|abandon\w*|tore up|revok\w*|"
                                 r"break(?:s|ing)? off|broke off|(?:being )?ended|denounc\w*"),
    (AgreementStatus.suspended, r"suspend\w*|froze|frozen|freez\w*|halt\w*"),
    (AgreementStatus.extended, r"(?:extend\w*|renew\w*|prolong\w*)(?! (?:\w+ )?(?:support|"
                               r"assistance|help|residency|permits?|invitations?)\b)"),
    (AgreementStatus.in_force, r"ratif\w*|(?:entered|enter|came|come|comes) into force|"
                               r"took effect"),
    (AgreementStatus.negotiating, r"close to (?:finali[sz]\w*|sign\w*|agree\w*|a deal)|"
                                  r"no deal has|not (?:yet )?(?:been )?(?:finali[sz]ed|concluded)|"
                                  r"(?:is|are) (?:negotiating|in talks)"),
    (AgreementStatus.planned, r"will sign|(?:is|are|was|were) (?:due|set|expected|scheduled) to "
                              r"sign|to be signed|plan\w* to (?:sign|buy|acquire|purchase)|"
                              r"(?:is|are) to sign|to sign|(?:could|would|will|may|might|should) "
                              r"(?:soon )?be (?:signed|finali[sz]ed|concluded)|"
                              r"due to be (?:signed|finali[sz]ed|concluded)"),
    (AgreementStatus.negotiating, r"negotiat\w*|talks"),
    (AgreementStatus.signed, r"signed|signs|inked|concluded|sealed|signing"),
    (AgreementStatus.announced, r"agreed|agree|reached|launch\w*|announc\w*|unveil\w*|approv\w*|"
                                r"clinched|struck"),
]
_STATUS_RE = [(status, re.compile(rf"\b(?:{cues})\b", re.IGNORECASE)) for status, cues in _STATUS]

# Type cues in order of precedence: the first type with a cue in the sentence wins.
_TYPE: list[tuple[AgreementType, str]] = [
    (AgreementType.host_nation_support, r"host[- ]nation support|cost[- ]sharing|special measures|"
                                        r"upkeep|stationing costs?"),
    (AgreementType.intelligence_sharing, r"intelligence|information[- ]sharing|GSOMIA|"
                                         r"classified information|information security"),
    (AgreementType.logistics, r"logistic\w*|cross[- ]servicing|refuel\w*|LEMOA|ACSA|"
                              r"military transportation|transit"),
    (AgreementType.alliance, r"mutual defen[cs]e|alliance treaty|collective defen[cs]e|"
                             r"strategic alliance|mutual (?:military )?assistance|"
                             r"defen[cs]e alliance|come to each other's aid"),
    (AgreementType.research_development, r"research|co-?develop\w*|joint development|"
                                         r"co-?produc\w*|technolog\w*|defen[cs]e[- ]industr\w*|"
                                         r"industrial (?:collaboration|cooperation)"),
    (AgreementType.security_assistance, r"military aid|security assistance|aid package|"
                                        r"military financing|grants?|loans?|credit lines?|"
                                        r"lines? of credit"),
    (AgreementType.basing_access, r"bas(?:e|es|ing)|reciprocal access|visiting forces|"
                                  r"status of forces|access to|rotational|troops? (?:in|on)|"
                                  r"lease|fleet"),
    (AgreementType.arms_transfer, r"purchas\w*|procure\w*|buy\w*|sale|sell\w*|acquir\w*|"
                                  r"fighters?|jets?|tanks?|submarines?|frigates?|missiles?|"
                                  r"howitzers?|helicopters?|aircraft|drones?|warships?|weapons?|"
                                  r"rifles?|patrol (?:boats?|vessels?)|Rafale|F-\d+\w*"),
    (AgreementType.training_exercises, r"exercises?|training|drills?|education\w*"),
    (AgreementType.defence_cooperation, r"defen[cs]e cooperation|military cooperation|"
                                        r"security cooperation|security pact|defen[cs]e pact|"
                                        r"security declaration|defen[cs]e co-operation|"
                                        r"partnership|cooperation|co-operation"),
]
_TYPE_RE = [(kind, re.compile(rf"\b(?:{cues})\b", re.IGNORECASE)) for kind, cues in _TYPE]
_TYPE_RE_BY_KIND = dict(_TYPE_RE)

# A state named after these words reacts to the agreement rather than joining it.
_REACTION = re.compile(
    r",\s*(?:prompting|drawing|angering|which|a move|in a move|sparking)\b|;|\bwhile\b|"
    r"\b(?:condemned|criticised|criticized|protested|warned)\b",
    re.IGNORECASE,
)

_DATE_ROLE: dict[AgreementStatus, DateRole] = {
    AgreementStatus.signed: "signed",
    AgreementStatus.planned: "signed",
    AgreementStatus.announced: "announced",
    AgreementStatus.in_force: "effective",
    AgreementStatus.extended: "effective",
    AgreementStatus.terminated: "other",
    AgreementStatus.suspended: "other",
    AgreementStatus.negotiating: "other",
}


@dataclass
class RulesBackend:
    """Keyword rules over sentences; deterministic, offline, a few ms an article."""

    name: str = "rules"
    model: str | None = None
    prompt_version: str | None = None

    def extract(self, document: SourceDocument) -> Extraction:
        text = document.text
        body = sentences(text, document.body_start, document.body_end)
        headline_parties = self._headline_parties(document, body)
        found: list[Agreement] = []
        previous: list[Party] = []
        for sentence in body:
            agreement = self._from_sentence(document, sentence, headline_parties, previous)
            sentence_parties = _parties(sentence, cut_reactions=False)
            if sentence_parties:
                previous = sentence_parties
            if agreement is None:
                # "The pact runs for ten years": no signing word, but facts of a deal
                # already reported.
                earlier = _referred_to(found, sentence_parties, sentence.text)
                if earlier is not None:
                    _add_facts(earlier, self._facts(document, sentence, earlier))
                continue
            earlier = _referred_to(found, agreement.parties, sentence.text)
            if earlier is not None:
                _add_facts(earlier, agreement)
            else:
                _merge_into(found, agreement)
        return Extraction(agreements=found)

    def _facts(self, document: SourceDocument, sentence: Sentence,
               about: Agreement) -> Agreement:
        """The money, durations and dates of a sentence that speaks of `about` again. Its
        dates take their role from its own words: "the pact will be reviewed next year"
        does not date the signing."""
        offset = sentence.start
        cue = _status(sentence.text)
        role: DateRole = _DATE_ROLE[cue] if cue else "other"
        return Agreement(
            type=about.type, status=about.status, parties=about.parties,
            amounts=[facts.amount(m, offset) for m in find_money(sentence.text)],
            durations=[facts.duration(m, offset) for m in find_durations(sentence.text)],
            dates=[facts.date(m, role, offset)
                   for m in find_dates(sentence.text, document.published)],
            evidence=[facts.evidence(document.text, sentence.start, sentence.end)],
        )

    def _headline_parties(self, document: SourceDocument, body: list[Sentence]) -> list[Party]:
        if document.title and body and body[0].text.startswith(document.title):
            return _parties(body[0], cut_reactions=False)
        return []

    def _from_sentence(
        self,
        document: SourceDocument,
        sentence: Sentence,
        headline_parties: list[Party],
        previous: list[Party],
    ) -> Agreement | None:
        if document.title and sentence.text == document.title:
            return None  # a headline summarises the story; its deal is reported below
        noun = _AGREEMENT.search(sentence.text)
        status = _status(sentence.text)
        if noun is None or status is None:
            return None
        parties = _parties(sentence, cut_reactions=True)
        if len(parties) < 2:
            extra = headline_parties if len(headline_parties) >= 2 else previous
            parties = facts.unique_parties(parties + extra)
        if not parties:
            return None
        offset = sentence.start
        reference = document.published
        return Agreement(
            type=_type(sentence.text),
            status=status,
            parties=parties,
            amounts=[facts.amount(m, offset) for m in find_money(sentence.text)],
            durations=[facts.duration(m, offset) for m in find_durations(sentence.text)],
            dates=[facts.date(m, _DATE_ROLE[status], offset)
                   for m in find_dates(sentence.text, reference)],
            evidence=[facts.evidence(document.text, sentence.start, sentence.end)],
        )


def reports_agreement(text: str) -> bool:
    """Whether the words can report an agreement at all: an agreement noun with something
    happening to it ("signed a pact", "revoked an agreement"), a sale or purchase ("will
    buy"), or aid. A pledge to revise a strategy cannot, nor talk of "a framework for the
    future of the alliance"."""
    return bool((_AGREEMENT.search(text) and _status(text) is not None)
                or _TYPE_RE_BY_KIND[AgreementType.arms_transfer].search(text)
                or _TYPE_RE_BY_KIND[AgreementType.security_assistance].search(text))


def date_role(status: AgreementStatus) -> DateRole:
    """The role of a date in a sentence reporting an agreement with this status ("signed
    on Thursday": signed; "ratified in May": effective)."""
    return _DATE_ROLE[status]


def status_cue(sentence: str) -> AgreementStatus | None:
    """The status that the sentence's wording signals ("will sign" -> planned), if any."""
    return _status(sentence)


def type_cue(sentence: str) -> tuple[AgreementType, str] | None:
    """The type that the sentence's wording signals ("military cooperation" ->
    defence_cooperation) and the words that signal it, if any."""
    for kind, pattern in _TYPE_RE:
        if found := pattern.search(sentence):
            return kind, found.group()
    return None


def _status(sentence: str) -> AgreementStatus | None:
    hits = [(m.start(), rank, status) for rank, (status, pattern) in enumerate(_STATUS_RE)
            if (m := pattern.search(sentence))]
    return min(hits)[2] if hits else None


def _type(sentence: str) -> AgreementType:
    cue = type_cue(sentence)
    return cue[0] if cue else AgreementType.other


def _parties(sentence: Sentence, *, cut_reactions: bool) -> list[Party]:
    end = len(sentence.text)
    if cut_reactions and (reaction := _REACTION.search(sentence.text)):
        end = reaction.start()
    matches = [m for m in find_parties(sentence.text) if m.end <= end]
    return facts.unique_parties([facts.party(m, sentence.start) for m in matches])


def _key(agreement: Agreement) -> tuple[frozenset[str], AgreementType]:
    return frozenset(p.iso3 or p.name for p in agreement.parties), agreement.type


def _merge_into(found: list[Agreement], new: Agreement) -> None:
    """Sentences that report the same agreement (same parties, same type) become one."""
    for old in found:
        if _key(old) == _key(new):
            _add_facts(old, new)
            return
    found.append(new)


def _add_facts(old: Agreement, new: Agreement) -> None:
    old.amounts += new.amounts
    old.durations += new.durations
    old.dates += new.dates
    old.evidence += new.evidence


# "the deal", "this agreement", "the 2018 military pact": words that point back at an
# agreement already reported; "a new", "another", "separate" announce a different one.
_BACK_REFERENCE = re.compile(
    r"\b(?:the|this|that|its|their)\s+(?:[\w-]+\s+){0,3}?" + _AGREEMENT.pattern[2:-2] + r"\b",
    re.IGNORECASE,
)
_ANOTHER = re.compile(r"\b(?:an?\s+new|another|separate|second|also\s+signed)\b", re.IGNORECASE)


def _referred_to(found: list[Agreement], parties: list[Party],
                 sentence: str) -> Agreement | None:
    """The agreement this sentence speaks of again ("the deal runs for ten years"), so
    that it adds facts to that agreement instead of making another one."""
    if not found or _ANOTHER.search(sentence):
        return None
    first_noun = _AGREEMENT.search(sentence)
    pointer = _BACK_REFERENCE.search(sentence)
    if first_noun is None or pointer is None or pointer.end() != first_noun.end():
        return None
    named = {p.iso3 or p.name for p in parties}
    for old in reversed(found):
        if named <= {p.iso3 or p.name for p in old.parties}:
            return old
    return None
