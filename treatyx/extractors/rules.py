"""The offline extractor: agreement language, then the facts in its sentence.

It needs no model, so it is the default when none is configured and the baseline every
LLM result is compared with. It reads sentence by sentence: a sentence that names an
agreement (deal, pact, treaty ...) together with a signing/agreeing verb reports one;
its parties, amounts, durations and dates come from the normalisers.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from treatyx.extractors import facts
from treatyx.extractors.base import Extraction
from treatyx.loading import SourceDocument
from treatyx.models import Agreement, AgreementStatus, AgreementType, DateRole, Party, Usage
from treatyx.normalize import DateValue, Match, find_dates, find_durations, find_money, find_parties
from treatyx.spans import Sentence, sentences

_AGREEMENT = re.compile(
    r"\b(agreements?|deals?|pacts?|treaty|treaties|accords?|memorand(?:um|a)(?: of understanding)?|"
    r"MoUs?|arrangements?|partnership|contracts?|framework|package|leases?|"
    r"(?:letters?|declarations?) of intent|(?:co-?operation|action) plans?|road ?maps?|"
    r"exchanges? of notes|protocols?|charters?|documents?)\b",
    re.IGNORECASE,
)
# Words that name a deal already reported ("the programme would cost A$368 billion") but
# would report none of their own: a budget has programmes too.
_AGREEMENT_AGAIN = re.compile(_AGREEMENT.pattern[:-3] + r"|programmes?|programs?)\b",
                              re.IGNORECASE)

WEAPONS = (r"warships?|submarines?|frigates?|corvettes?|destroyers?|patrol (?:boats?|vessels?)|"
           r"fighters?|jets?|warplanes?|helicopters?|drones?|tanks?|armou?red vehicles?|"
           r"howitzers?|artillery|rockets?|launchers?|missiles?|interceptors?|HIMARS|"
           r"air[- ]defen[cs]e systems?|weapons?|weaponry|armaments?|ammunition|munitions?|"
           r"armou?red personnel carriers?|APCs?|(?:naval|navy|coast[- ]guard|military) "
           r"(?:ships?|vessels?|boats?)|rifles?|Rafale|F-\d+\w*|Sukhois?|MiGs?|"
           r"(?:Su|S)-\d{2,3}\w*")
"""Arms by name, one list for every rule that asks whether words speak of arms (a sale's
type, the military world of a deal, the screen); "aircraft" is not among them, an airline
buys aircraft too."""
MILITARY_KIT = rf"{WEAPONS}|radars?"
"""Arms and the military's other kit: words of the military world, but radars are shared
("share data from their radars") as often as sold."""

# Status cues, most specific first; the earliest cue in the sentence wins.
_STATUS: list[tuple[AgreementStatus, str]] = [
    (AgreementStatus.terminated, r"scrap\w*|cancel\w*|withdr[ae]w\w*|pull(?:ed|s)? out|"
                                 r"terminat\w*|expired|abandon\w*|tore up|revok\w*|"
                                 r"break(?:s|ing)? off|broke off|(?:being )?ended|denounc\w*|"
                                 r"lapse[sd]?|torn up|tears? up|tearing up|"
                                 r"walk(?:ed|s|ing)? away from|pull(?:ed|s|ing)? the plug on"),
    (AgreementStatus.suspended, r"suspend\w*|froze|frozen|freez\w*|halt\w*|on hold|on ice|"
                                r"paus(?:e|ed|es|ing)|shelv\w*|mothball\w*"),
    (AgreementStatus.extended, r"(?:extend\w*|renew\w*|prolong\w*)(?! (?:\w+ )?(?:support|"
                               r"assistance|help|residency|permits?|invitations?)\b)|"
                               r"roll(?:ed|s|ing)? over"),
    (AgreementStatus.in_force, r"ratif\w*|(?:entered|enters?|came|come|comes|went|goes?) "
                               r"into (?:force|effect)|took effect|takes? effect|"
                               r"(?:parliament|senate|congress|lawmakers|legislature|"
                               r"Riksdag|Bundestag|Storting|Sejm|Duma|Knesset|Diet) "
                               r"(?:[\w-]+ ){0,3}(?:approved|passed|endorsed) (?:the|an?) "
                               r"(?:[\w-]+ ){0,4}(?:agreement|deal|pact|treaty|accord)"),
    (AgreementStatus.negotiating, r"close to (?:finali[sz]\w*|sign\w*|agree\w*|a deal)|"
                                  r"no deal has|not (?:yet )?(?:been )?(?:finali[sz]ed|concluded)|"
                                  r"(?:is|are) (?:negotiating|in talks)|"
                                  r"in (?:advanced |early |preliminary |final )?"
                                  r"(?:discussions|negotiations)"),
    (AgreementStatus.planned, r"will sign|(?:is|are|was|were) (?:due|set|expected|scheduled) to "
                              r"sign|to be signed|plan\w* to (?:sign|buy|acquire|purchase)|"
                              r"(?:is|are) to sign|to sign|(?:could|would|will|may|might|should) "
                              r"(?:soon )?be (?:signed|finali[sz]ed|concluded)|"
                              r"due to be (?:signed|finali[sz]ed|concluded)"),
    (AgreementStatus.negotiating, r"negotiat\w*|talks"),
    (AgreementStatus.signed, r"signed|signs|inked|concluded|sealed|signing|penned|"
                             r"put pen to paper"),
    (AgreementStatus.announced, r"agreed|agree|reached|launch\w*|announc\w*|unveil\w*|approv\w*|"
                                r"clinched|struck|finali[sz]ed|initial(?:l)?ed"),
]
_STATUS_RE = [(status, re.compile(rf"\b(?:{cues})\b", re.IGNORECASE)) for status, cues in _STATUS]

# Type cues in order of precedence: the first type with a cue in the sentence wins.
_TYPE: list[tuple[AgreementType, str]] = [
    (AgreementType.host_nation_support, r"host[- ]nation support|cost[- ]sharing|special measures|"
                                        r"upkeep|stationing costs?|shar(?:e|es|ing) the costs? of "
                                        r"(?:keeping|stationing|hosting)|"
                                        r"(?:costs?|bill) (?:of|for) (?:[\w,-]+ ){0,8}?"
                                        r"(?:stationed|stationing|hosting)"),
    (AgreementType.intelligence_sharing, r"intelligence|information[- ]sharing|GSOMIA|"
                                         r"classified information|information security|"
                                         r"domain awareness|data[- ]sharing|"
                                         r"shar(?:e|es|ing) (?:\w+ ){0,2}data"),
    (AgreementType.logistics, r"logistic\w*|cross[- ]servicing|refuel\w*|LEMOA|ACSA|"
                              r"military transportation"),
    (AgreementType.alliance, r"mutual defen[cs]e|alliance treaty|collective defen[cs]e|"
                             r"strategic alliance|mutual (?:military )?assistance|"
                             r"defen[cs]e alliance|(?:come|came|comes|coming) to "
                             r"(?:each other's|the other's|one another's) aid|defend each other|"
                             r"(?:assistance|aid) to each other|if (?:either (?:side |party |"
                             r"country |one )?|one (?:of them )?)?(?:is|was|were|are) attacked|"
                             r"if attacked"),
    (AgreementType.other, r"arms control|non-?proliferation|disarmament|nuclear (?:accidents?|"
                          r"risks?|weapons?|arsenals?)|warheads|test[- ]ban|"
                          r"confidence[- ]building"),
    (AgreementType.research_development, r"research|co-?develop\w*|joint development|"
                                         r"co-?produc\w*|technolog\w*|defen[cs]e[- ]industr\w*|"
                                         r"joint(?:ly)? (?:develop|design|build|produc)\w*|"
                                         r"industrial (?:collaboration|cooperation)"),
    (AgreementType.security_assistance, r"military aid|security assistance|aid package|"
                                        r"military financing|grants?|loans?|credit lines?|"
                                        r"lines? of credit|donat\w*|gift\w*|free of charge|"
                                        r"(?:military|defen[cs]e) assistance"),
    (AgreementType.basing_access, r"bas(?:e|es|ing)|reciprocal access|visiting forces|"
                                  r"status of (?:[\w.]+ )?forces|access to|rotational|"
                                  r"troops? (?:in|on)|lease|fleet|transit"),
    (AgreementType.arms_transfer, r"purchas\w*|procure\w*|buy\w*|sale|sell\w*|acquir\w*|"
                                  rf"aircraft|{WEAPONS}"),
    (AgreementType.training_exercises, r"exercises?|training|drills?|education\w*|"
                                       r"train(?:s|ed|ing)? (?:[\w'’-]+ ){0,3}?(?:troops|"
                                       r"soldiers|forces|pilots|officers|personnel|sailors|"
                                       r"cadets)"),
    (AgreementType.defence_cooperation, r"defen[cs]e cooperation|military cooperation|"
                                        r"security cooperation|security pact|defen[cs]e pact|"
                                        r"security declaration|defen[cs]e co-operation|"
                                        r"partnership|cooperation|co-operation|"
                                        r"defen[cs]e (?:accords?|agreements?|pacts?|memorand\w*|"
                                        r"MoUs?)"),
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
    loop: None = None  # fast and synchronous: documents are read in turn

    def identity(self) -> tuple:
        return (self.name, "", None, None, None, None, None, None)

    async def aextract(self, document: SourceDocument, usage: Usage | None = None
                       ) -> Extraction:
        return self.extract(document)

    def close(self) -> None:
        pass

    def extract(self, document: SourceDocument) -> Extraction:
        text = document.text
        body = sentences(text, document.body_start, document.body_end)
        headline_parties = self._headline_parties(document, body)
        reference = document.published or _latest_date(document)
        found: list[Agreement] = []
        several: set[int] = set()  # deals first reported as "signed five agreements"
        history = False  # the sentence before told history: "That announcement ..." goes on
        previous: list[Party] = []
        for sentence, whole in _clauses(body):
            sentence_parties = _parties(sentence, cut_reactions=False)
            told_before = history and bool(_THAT.match(sentence.text))
            history = _is_background(sentence.text, reference, document.published is None)
            if (history and (_HISTORY.search(sentence.text)
                             or _referred_to(found, sentence_parties, sentence.text) is None)
                    or told_before):
                previous = sentence_parties or previous
                history = True
                continue  # "the first pact, signed in 2019": history, not the news
            made = self._from_sentence(document, sentence, headline_parties, previous, found,
                                       whole)
            if sentence_parties:
                previous = sentence_parties
            if not made:
                # "The pact runs for ten years": no signing word, but facts of a deal
                # already reported.
                earlier = _referred_to(found, sentence_parties, sentence.text)
                if earlier is not None:
                    facts_ = self._facts(document, sentence, earlier)
                    _add_facts(_one_of_several(found, several, earlier, sentence, facts_),
                               facts_)
                continue
            for agreement in made:
                earlier = _referred_to(found, agreement.parties, sentence.text)
                if earlier is not None and len(made) == 1:
                    _add_facts(_one_of_several(found, several, earlier, sentence, agreement),
                               agreement)
                else:
                    _merge_into(found, agreement)
                    if _SEVERAL_ANY.search(sentence.text):
                        several.add(id(found[-1]))
        for agreement in found:
            _settle(agreement, document)
        return Extraction(agreements=[a for a in found if about_defence(a)])

    def _facts(self, document: SourceDocument, sentence: Sentence,
               about: Agreement) -> Agreement:
        """The money, durations and dates of a sentence that speaks of `about` again. Its
        dates take their role from its own words: "the pact will be reviewed next year"
        does not date the signing."""
        cue = _status(sentence.text)
        role: DateRole = _DATE_ROLE[cue] if cue else "other"
        return Agreement(
            type=about.type, status=about.status, parties=about.parties,
            amounts=_amounts(sentence), durations=_durations(sentence),
            dates=_dates(sentence, document, role),
            evidence=[facts.evidence(document.text, sentence.start, sentence.end)],
        )

    def _headline_parties(self, document: SourceDocument, body: list[Sentence]) -> list[Party]:
        if _is_headline(document, body[0] if body else None):
            return _parties(body[0], cut_reactions=False)
        return []

    def _from_sentence(
        self,
        document: SourceDocument,
        sentence: Sentence,
        headline_parties: list[Party],
        previous: list[Party],
        found: list[Agreement],
        whole: str,
    ) -> list[Agreement]:
        if _is_headline(document, sentence) and sentence.text == document.title:
            return []  # a headline summarises the story; its deal is reported below
        status = _status(sentence.text)
        if status is None or not _names_agreement(whole, status):
            return []
        parties = _parties(sentence, cut_reactions=True)
        if len(parties) < 2 and _with_company(sentence.text):
            return []  # a state's contract with a company is no agreement between parties
        if len(parties) < 2:
            extra = headline_parties if len(headline_parties) >= 2 else _partners(
                found, parties) or previous
            parties = facts.unique_parties(parties + extra)
        if not parties:
            return []
        kinds = _types_of_several(sentence.text) or [_type(sentence.text)]
        return [Agreement(
            type=kind,
            status=status,
            parties=parties,
            amounts=_amounts(sentence),
            durations=_durations(sentence),
            dates=_dates(sentence, document, _DATE_ROLE[status]),
            evidence=[facts.evidence(document.text, sentence.start, sentence.end)],
        ) for kind in kinds]


# --- what a sentence says ----------------------------------------------------------

# "OSLO -", "TALLINN, Dec 5 (Reuters) -", "Sydney (VNA) –", "New Delhi:": where the
# story was filed, not who signed.
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Za-z.'’-]*\s?){1,3}(?:,\s*[A-Z][a-z]{2,4}\.?\s+\d{1,2}(?:,\s*\d{4})?)?"
    r"\s*(?:\([^)\n]{1,30}\))?\s*(?:--|[-–—:])\s*")
# A company on the other side: "a contract with Cubic Corporation", "with Naval Group".
_COMPANY = re.compile(
    r"\bwith\s+(?:the\s+)?(?:[A-Z][\w&.-]*\s+){1,3}(?:Corporation|Corp\.?|Inc\.?|Ltd\.?|"
    r"Limited|Group|Systems|Industries|Aerospace|Technologies|Aviation|Dynamics|Company)\b")
# A party named right before these words is the home of a company, not a signatory.
_COMPANY_AFTER = re.compile(
    r"^(?:['’]s)?\s+(?:(?:state-owned|state-run|defen[cs]e|arms|aerospace|private)\s+)*"
    r"(?:company|companies|firm|firms|contractor|manufacturer|maker|shipbuilder|shipyard|"
    r"conglomerate)\b", re.IGNORECASE)
# History: "earlier this year", "the first time", "already has ... with"; not "for the
# first time in half a century", which says what is new.
_HISTORY = re.compile(
    r"\b(?:earlier this year|last year|years? ago|previously|in the past|"
    r"first time(?! in (?:more than |over |nearly |almost )?(?:a |half a |\w+ )?"
    r"(?:decades?|century|years|generations?)\b)|"
    r"already ha(?:s|ve)|the first (?:[\w-]+ ){0,3}(?:agreement|deal|pact|treaty)|"
    r"(?:succeeds|replaces) (?:an?|the) (?:earlier |previous )?[\w-]+)\b",
    re.IGNORECASE)
_BACKGROUND_DAYS = 180
_THAT = re.compile(r"(?:That|This|Those|These)\s+(?:announcement|decision|move|step|deal|"
                   r"agreement|pact|accord|treaty)\b")
# Words right before a date that give its role whatever the sentence's status.
_ROLE_BEFORE: list[tuple[DateRole, re.Pattern[str]]] = [
    ("expires", re.compile(r"\b(?:until|till|through|expir\w*(?: in| on)?|runs? (?:to|until)|"
                           r"valid (?:until|to|through)|to remain [\w ]{0,40}?until(?: at least)?|"
                           r"until at least)\s+$", re.IGNORECASE)),
    ("effective", re.compile(r"\b(?:from|starting|effective|into force (?:on|in))\s+$",
                             re.IGNORECASE)),
    ("announced", re.compile(r"\b(?:said|says|announced|told|confirmed|reported)\s+(?:on\s+)?$",
                             re.IGNORECASE)),
    ("signed", re.compile(r"\bsigned\s+(?:it\s+)?(?:in|on)\s+$", re.IGNORECASE)),
]
_DEAL_NOUN = r"(?:agreement|deal|pact|accord|arrangement|treaty|MoU|memorandum)"
# "two agreements", or two named one after the other: "a logistics agreement and a
# separate intelligence-sharing agreement".
_SEVERAL = re.compile(r"\b(?:two|three|four|2|3|4)\s+(?:major\s+|new\s+|separate\s+)?"
                      r"(?:agreements|deals|pacts|accords|MoUs|memorand(?:a|ums))\b|"
                      rf"\b{_DEAL_NOUN}\s+(?:and|as well as)\s+(?:an?|another)\s+"
                      rf"(?:[\w-]+\s+){{1,4}}{_DEAL_NOUN}\b",
                      re.IGNORECASE)
_WORDS_BEFORE_NOUN = re.compile(r"((?:[\w-]+\s+){1,4})$")
_COOPERATION = re.compile(r"\b(?:military|defen[cs]e|security)\s+co-?operation\b", re.IGNORECASE)


_BUYING = re.compile(r"\b(?:buy|buys|bought|buying|purchas\w*|acquir\w*|order(?:s|ed)?|"
                     r"sell|sells|sold|selling)\b", re.IGNORECASE)


def _names_agreement(sentence: str, status: AgreementStatus) -> bool:
    """An agreement noun; a purchase of arms ("unveiled a plan under which Canberra will
    buy submarines from Washington"); or cooperation that is suspended or ended
    ("suspended military cooperation with Australia")."""
    if _AGREEMENT.search(sentence):
        return True
    arms = _TYPE_RE_BY_KIND[AgreementType.arms_transfer]
    if _BUYING.search(sentence) and arms.search(_BUYING.sub("", sentence)):
        return True
    return status in (AgreementStatus.suspended, AgreementStatus.terminated) and bool(
        _COOPERATION.search(sentence))


# "Sweden signed an agreement this month, and Denmark signed its own on Thursday": two
# deals, one to a clause.
_CLAUSE = re.compile(r",\s+(?:and|while|whereas)\s+|;\s+")


def _clauses(body: list[Sentence]) -> list[tuple[Sentence, str]]:
    """The sentences, those that report a deal per clause split into their clauses; each
    with its whole sentence, whose agreement noun a clause may lean on ("signed its own")."""
    out: list[tuple[Sentence, str]] = []
    for sentence in body:
        cuts = list(_CLAUSE.finditer(sentence.text))
        bounds = [0, *[m.end() for m in cuts]]
        ends = [*[m.start() for m in cuts], len(sentence.text)]
        parts = [Sentence(sentence.start + a, sentence.start + b, sentence.text[a:b])
                 for a, b in zip(bounds, ends, strict=True)]
        if len(parts) < 2 or not all(_status(p.text) and find_parties(p.text) for p in parts):
            parts = [sentence]
        out += [(part, sentence.text) for part in parts]
    return out


def _with_company(sentence: str) -> bool:
    return bool(_COMPANY.search(sentence))


def _dateline_end(sentence: str) -> int:
    found = _DATELINE.match(sentence)
    return found.end() if found else 0


def _latest_date(document: SourceDocument) -> dt.date | None:
    """Without a publication date, the latest year the story names stands in for it."""
    years = [int(m.group()) for m in re.finditer(r"\b(?:19|20)\d\d\b", document.body)]
    return dt.date(max(years), 12, 31) if years else None


def _is_background(sentence: str, reference: dt.date | None, guessed: bool) -> bool:
    """A sentence about history: its wording says so, or every date it gives lies half a
    year or more before the story (two years before the latest year the story names,
    when it has no publication date)."""
    if _HISTORY.search(sentence):
        return True
    if reference is None or _status(sentence) is None:
        return False
    dates = [m.value for m in find_dates(sentence, reference)]
    gap = dt.timedelta(days=2 * 365 if guessed else _BACKGROUND_DAYS)
    return bool(dates) and all(_date_end(d) < reference - gap for d in dates)


def _date_end(value) -> dt.date:
    """The last day a date value covers ("2019" -> 31 December 2019)."""
    parts = [int(x) for x in value.value.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31)
    if len(parts) == 2:
        return dt.date(parts[0], parts[1], 28)
    return dt.date(*parts[:3])


def _amounts(sentence: Sentence) -> list:
    return [facts.amount(m, sentence.start) for m in find_money(sentence.text)]


# "a decade and a half" since a last visit, "three decades of ties": history, not terms.
_HISTORY_BEFORE = re.compile(r"\b(?:in|over|past|last|previous|nearly|almost|after|than|since)"
                             r"\s+(?:the\s+)?(?:past\s+|last\s+)?$", re.IGNORECASE)
_HISTORY_AFTER = re.compile(r"^\s+(?:of|ago|old|earlier|before|since)\b", re.IGNORECASE)


# "Russia sought to extend it for 49 years, while Tajikistan wanted 10": positions in a
# negotiation, not the terms agreed.
_DEMAND = re.compile(r"\b(?:sought|wanted|demanded|asked for|proposed|insisted)\b", re.IGNORECASE)


def _durations(sentence: Sentence) -> list:
    text = sentence.text
    if _DEMAND.search(text):
        return []
    return [facts.duration(m, sentence.start) for m in find_durations(text)
            if not m.value.startswith("PT")  # "a 30-minute call"
            and not _HISTORY_BEFORE.search(text[:m.start])
            and not _HISTORY_AFTER.match(text[m.end:])]


def _dates(sentence: Sentence, document: SourceDocument, role: DateRole) -> list:
    text = sentence.text
    skip = _dateline_end(text)
    ending = _status(text) in (AgreementStatus.suspended, AgreementStatus.terminated)
    found = [facts.date(m, _role_near(text, m.start, role, ending), sentence.start)
             for m in find_dates(text, document.published) if m.start >= skip]
    for span in _YEAR_RANGE.finditer(text):  # "the plan for 2024-2028": its first and last year
        for group, span_role in ((1, "effective"), (2, "expires")):
            year = Match(span.start(group), span.end(group), span.group(group),
                         DateValue(span.group(group), "year"))
            found.append(facts.date(year, span_role, sentence.start))
    return found


_YEAR_OF_DEAL = re.compile(r"(?:19|20)\d\d\s+(?:[\w-]+\s+){0,2}?" + _AGREEMENT.pattern[2:],
                           re.IGNORECASE)
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s?[-–]\s?((?:19|20)\d\d)\b")


def _role_near(sentence: str, start: int, default: DateRole, ending: bool) -> DateRole:
    """The role the words before a date give it; a suspension or an ending "from
    mid-December" dates that event, which the contract files under "other". A year
    naming the deal ("the 2012 accord") is when it was signed."""
    if _YEAR_OF_DEAL.match(sentence, start):
        return "signed"
    before = sentence[max(0, start - 45):start]
    for role, pattern in _ROLE_BEFORE:
        if pattern.search(before):
            # an ending is dated as such ("announced on Monday it was pulling out")
            return "other" if ending and role in ("effective", "announced") else role
    return default


def _types_of_several(sentence: str) -> list[AgreementType]:
    """"signed two agreements on education exchanges and logistics": one per type named,
    when the sentence counts several and names as many kinds."""
    if not _SEVERAL.search(sentence):
        return []
    kinds: list[AgreementType] = []
    for kind, pattern in _TYPE_RE:
        if pattern.search(sentence) and kind not in kinds:
            kinds.append(kind)
    return kinds if len(kinds) >= 2 else []


_SEVERAL_ANY = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+|several|a number of|multiple)\s+"
    r"(?:[\w-]+\s+){0,2}(?:agreements|deals|pacts|accords|MoUs|contracts|memorand(?:a|ums))\b",
    re.IGNORECASE)


def _one_of_several(found: list[Agreement], several: set[int], earlier: Agreement,
                    sentence: Sentence, facts_: Agreement) -> Agreement:
    """The deal a sentence speaks of. When the story first reported several at once
    ("scrapped five agreements with Russia"), "the agreement on military intelligence"
    is one of them of its own kind: it joins the deal of that kind, or becomes one."""
    if id(earlier) not in several:
        return earlier
    cue = _named_type(sentence.text) or type_cue(sentence.text)
    if cue is None or cue[0] == earlier.type:
        return earlier
    for old in found:
        if _key(old) == (_key(earlier)[0], cue[0]):
            return old
    status = _status(sentence.text) or earlier.status
    # reported together, they share the date they were reported with ("on Thursday")
    dates = [d.model_copy() for d in earlier.dates[:1]]
    new = Agreement(type=cue[0], status=status, parties=earlier.parties, dates=dates)
    found.append(new)
    several.add(id(new))
    return new


def _partners(found: list[Agreement], parties: list[Party]) -> list[Party]:
    """The parties of the latest deal that shares one with this sentence: a story's
    follow-up names one side ("premature to sign a treaty with Japan")."""
    named = {p.key for p in parties}
    for old in reversed(found):
        if named & {p.key for p in old.parties}:
            return old.parties
    return []


def _settle(agreement: Agreement, document: SourceDocument) -> None:
    """The type and status of a deal read over all its sentences: the first sentence may
    say only "the deal was announced"; a later one that it was ratified or extended."""
    quotes = [e.quote for e in agreement.evidence]
    if agreement.type == AgreementType.other and not any(
            _TYPE_RE_BY_KIND[AgreementType.other].search(q) for q in quotes):
        for quote in [*map(_affirmed, quotes), document.title or ""]:
            if cue := _named_type(quote) or type_cue(quote):
                agreement.type = cue[0]
                break
    for quote in quotes:
        later = _status(quote)
        if later in _DECISIVE and agreement.status not in _DECISIVE:
            agreement.status = later
            break


# Words of the military world: a deal needs one of them in its sentences, so that a
# footballer's new contract, a record deal or a takeover is not taken.
_DEFENCE = re.compile(
    r"\b(?:military|militar\w+|defen[cs]e|arms|armed|troops?|army|armies|navy|naval|"
    r"air forces?|security|soldiers?|forces|bases?|nuclear|war|allies|alliance|NATO|"
    r"Pentagon|strategic|intelligence|cross-servicing|visiting forces|peacekeep\w*|"
    rf"{MILITARY_KIT})\b",
    re.IGNORECASE)


def about_defence(agreement: Agreement) -> bool:
    """Whether the deal's sentences speak of the military world at all: "Diageo agreed
    to buy a wine company" has a buyer and a sale, but no arms. Kinds whose cues are
    military words already (intelligence, logistics, basing ...) need no more."""
    return agreement.type in _MILITARY_KINDS or any(
        speaks_of_defence(e.quote) for e in agreement.evidence)


def speaks_of_defence(text: str) -> bool:
    """Whether the words name the military world, leaving out what a deal does not cover."""
    return bool(_DEFENCE.search(_affirmed(text)))


# What a deal leaves out: "It does not cover public procurement in defence".
_LEFT_OUT = re.compile(r"\b(?:(?:does|do|did|will|would)\s+)?not\s+(?:cover|include|involve|"
                       r"extend to|concern|apply to)\b.*", re.IGNORECASE | re.DOTALL)


def _affirmed(quote: str) -> str:
    """The words of a sentence up to what it says the deal leaves out."""
    return _LEFT_OUT.sub("", quote)


_MILITARY_KINDS = {AgreementType.intelligence_sharing, AgreementType.logistics,
                   AgreementType.host_nation_support, AgreementType.basing_access,
                   AgreementType.alliance}


_DECISIVE = {AgreementStatus.terminated, AgreementStatus.suspended, AgreementStatus.extended,
             AgreementStatus.in_force}


def _is_headline(document: SourceDocument, sentence: Sentence | None) -> bool:
    """Whether the sentence is the document's headline. A file without one gives its
    lead as the title; a lead ends in a full stop or runs long, a headline does neither."""
    title = document.title
    return bool(title and sentence and sentence.text.startswith(title)
                and not title.rstrip("\"'”’ ").endswith(".") and len(title) <= _HEADLINE_CHARS)


_HEADLINE_CHARS = 160


def reports_agreement(text: str) -> bool:
    """Whether the words can report an agreement at all: an agreement noun with something
    happening to it ("signed a pact", "revoked an agreement"), a sale or purchase ("will
    buy"; a weapon alone is none: "fired a missile"), or aid. A pledge to revise a strategy
    cannot, nor talk of "a framework for the future of the alliance"."""
    return bool((_AGREEMENT.search(text) and _status(text) is not None)
                or _TRADE.search(text)
                or _TYPE_RE_BY_KIND[AgreementType.security_assistance].search(text))


# Arms change hands: a weapon named without one of these ("fired a missile") is no sale.
_TRADE = re.compile(r"\b(?:sale|sales|purchas\w*|procure\w*|buy\w*|sell\w*|sold|acquir\w*|"
                    r"order(?:s|ed)?)\b", re.IGNORECASE)


def date_role(status: AgreementStatus) -> DateRole:
    """The role of a date in a sentence reporting an agreement with this status ("signed
    on Thursday": signed; "ratified in May": effective)."""
    return _DATE_ROLE[status]


def restage(agreement: Agreement, status: AgreementStatus) -> None:
    """Give the agreement another status; a date whose role came from the old one
    ("signed on Thursday" read as the signing) takes the new one's role."""
    for fact in agreement.dates:
        if fact.role == date_role(agreement.status):
            fact.role = date_role(status)
    agreement.status = status


def status_cue(sentence: str) -> AgreementStatus | None:
    """The status that the sentence's wording signals ("will sign" -> planned), if any."""
    return _status(sentence)


def says_status(text: str, status: AgreementStatus) -> bool:
    """Whether the words hold a cue of this status anywhere ("signed" for signed), not
    only as the status they signal first."""
    return any(kind == status and _real(pattern, text, kind) for kind, pattern in _STATUS_RE)


def type_cue(sentence: str) -> tuple[AgreementType, str] | None:
    """The type that the sentence's wording signals ("military cooperation" ->
    defence_cooperation) and the words that signal it, if any."""
    for kind, pattern in _TYPE_RE:
        if found := pattern.search(sentence):
            return kind, found.group()
    return None


def _status(sentence: str) -> AgreementStatus | None:
    """The earliest cue; "announced" or "talks" only when nothing more specific is said
    ("announced it was breaking off the accords" is a termination)."""
    weak = (AgreementStatus.announced, AgreementStatus.negotiating)
    hits = [(status in weak, m.start(), rank, status)
            for rank, (status, pattern) in enumerate(_STATUS_RE)
            if (m := _real(pattern, sentence, status))]
    return min(hits)[3] if hits else None


# A stage the sentence only foresees, makes a condition of or threatens: "must ratify the
# treaty before it takes effect", "threatened to scrap the deal" report no such stage.
_UNREAL = re.compile(
    r"\b(?:before|once|unless|if|must|needs? to|has to|have to|yet to|could|would|might|"
    r"threat\w*(?: to)?|vow\w* to|call\w* (?:for|on)|urg\w*|demand\w*|sought to|seek\w* to|"
    r"want\w* to|propos\w* to|refus\w* to)\s+(?:[\w'’-]+\s+){0,4}$",
    re.IGNORECASE)


def _real(pattern: re.Pattern[str], sentence: str, status: AgreementStatus
          ) -> re.Match[str] | None:
    """The first cue of a decisive stage that the sentence reports as having happened (or
    as decided: "will put the pact on hold"); any cue of the other stages."""
    for found in pattern.finditer(sentence):
        if status not in _DECISIVE or not _UNREAL.search(sentence[:found.start()]):
            return found
    return None


def _type(sentence: str) -> AgreementType:
    cue = _named_type(sentence) or type_cue(sentence)
    if cue and cue[0] == AgreementType.defence_cooperation and _TYPE_RE_BY_KIND[
            AgreementType.basing_access].search(sentence):
        return AgreementType.basing_access  # "a defence cooperation agreement giving access"
    return cue[0] if cue else AgreementType.other


def _named_type(sentence: str) -> tuple[AgreementType, str] | None:
    """The type in an agreement's own name, which outranks the rest of the sentence: "the
    Defence Cooperation Agreement ... allows troops to continue training"."""
    for noun in _AGREEMENT.finditer(sentence):
        words = _WORDS_BEFORE_NOUN.search(sentence[:noun.start()])
        if words and (cue := type_cue(words.group(1))):
            return cue
    return None


def _parties(sentence: Sentence, *, cut_reactions: bool) -> list[Party]:
    text = sentence.text
    end = len(text)
    if cut_reactions and (reaction := _REACTION.search(text)):
        end = reaction.start()
    matches = [m for m in find_parties(text) if m.end <= end
               and not _COMPANY_AFTER.match(text[m.end:])]
    dateline = _dateline_end(text)
    told = [m for m in matches if m.start >= dateline]
    if dateline and (len(told) >= 2 or any(m.value.name == d.value.name for d in matches
                                          if d.start < dateline for m in told)):
        matches = told  # "OSLO - Norway and Poland signed": Oslo only files the story
    venues = [m for m in matches if _is_venue(text, m)]
    others = {m.value.name for m in matches} - {m.value.name for m in venues}
    if venues and len(others) >= 2:
        matches = [m for m in matches if m not in venues]  # "... will sign in Kuala Lumpur"
    return facts.unique_parties([facts.party(m, sentence.start) for m in matches])


_VENUE_BEFORE = re.compile(r"\b(?:in|at)\s+$")


def _is_venue(text: str, match) -> bool:
    """A city named as the place of a meeting ("in Kuala Lumpur"): not the country's name,
    an abbreviation or a demonym."""
    mention = match.mention
    return bool(_VENUE_BEFORE.search(text[:match.start])) and mention != match.value.name \
        and not mention.isupper() and not re.search(r"(?:an|ese|ish|i)$", mention)


def _key(agreement: Agreement) -> tuple[frozenset[str], AgreementType]:
    return agreement.sides, agreement.type


def _merge_into(found: list[Agreement], new: Agreement) -> None:
    """Sentences that report the same agreement (same parties, same type, or a type that
    only one of them names; or some of its parties and its type) become one."""
    parties, kind = _key(new)
    for old in found:
        old_parties, old_kind = _key(old)
        if (old_parties == parties and (kind == old_kind or AgreementType.other in (kind, old_kind))
                or (parties < old_parties and kind == old_kind)):
            if old.type == AgreementType.other:
                old.type = new.type
            _add_facts(old, new)
            return
    found.append(new)


def _add_facts(old: Agreement, new: Agreement) -> None:
    old.amounts += new.amounts
    old.durations += new.durations
    seen = {(d.value, d.granularity) for d in old.dates}
    old.dates += [d for d in new.dates if (d.value, d.granularity) not in seen]
    # "a 2018 agreement ... signed in September 2018": the month says it all
    old.dates = [d for d in old.dates if not (d.granularity == "year" and any(
        e.value.startswith(d.value + "-") and e.role == d.role for e in old.dates))]
    old.evidence += new.evidence


# "the deal", "this agreement", "the 2018 military pact": words that point back at an
# agreement already reported; "a new", "another", "separate" announce a different one.
_BACK_REFERENCE = re.compile(
    r"\b(?:the|this|that|its|their|\w+['’]s)\s+(?:[\w-]+\s+){0,3}?"
    + _AGREEMENT_AGAIN.pattern[2:-2] + r"\b",
    re.IGNORECASE,
)
_ANOTHER = re.compile(r"\b(?:an?\s+new|another|separate|second|also\s+signed)\b", re.IGNORECASE)


def _referred_to(found: list[Agreement], parties: list[Party],
                 sentence: str) -> Agreement | None:
    """The agreement this sentence speaks of again ("the deal runs for ten years"), so
    that it adds facts to that agreement instead of making another one."""
    if not found or _ANOTHER.search(sentence):
        return None
    first_noun = _AGREEMENT_AGAIN.search(sentence)
    pointer = _BACK_REFERENCE.search(sentence)
    if first_noun is None or pointer is None or pointer.end() != first_noun.end():
        return None
    named = {p.key for p in parties}
    for old in reversed(found):
        if named <= {p.key for p in old.parties}:
            return old
    for old in reversed(found):  # "the accord ... in Delhi, countering China": still it
        if named & {p.key for p in old.parties}:
            return old
    return None
