"""Which agreement reports of a corpus report the same agreement.

Forty outlets reporting one fighter-jet sale are one agreement; the same two states'
host-nation deals of 2016 and 2022 are two. The rule, applied to reports in time order
(publication date, else the report's own date) within a block of reports that name the
same parties:

1. **parties**: the same set of parties (ISO3 codes for states, names for organisations).
   This is the block: reports of other party sets are never compared, so grouping is
   linear in the corpus, not quadratic. A report that names one party only names too
   few (an agreement has two; its extractor missed the others): after the blocks, it
   joins the agreement of more parties, its party among them and reported within the
   window of it, that it fits best by the rules below, else its own block's.
2. **type**: a type the agreement's reports already have (a report of type `other`, or
   an agreement only of `other`, fits any). Next best, a kindred type: the umbrella
   `defence_cooperation` (a report that speaks of the deal only in general terms, or an
   agreement only so reported, fits any type) and the types of `kindred_types` (a
   missile developed together and bought is an arms sale to one outlet, research to
   another). Outlets and extractors disagree on types more widely (a basing deal
   reported as training), so a report of another type still joins when its name or its
   day of signing ties it to the agreement.
3. **document**: two reports of one document are two agreements (its extractor said so).
4. **name**: when both the report and the agreement have names, one of the agreement's
   names is similar (rapidfuzz token-set ratio >= `name_similarity`, or one is the
   acronym of the other); a different name is a different agreement.
5. **signed**: a signed date of the report no more than `signed_tolerance_days` from
   one of the agreement's (outlets resolve "on Thursday" differently; further apart is
   another signing). A report before signing (planned, announced) that gives a signed
   date in the past contradicts itself, and that date is not used.
6. **time**: the report is at most `window_days` after the agreement's latest report,
   unless it gives the same signed date (month or day) as the agreement, as a
   ratification report years later does.
7. **progression**: a report whose status is earlier in the life of an agreement
   (planned < announced < signed < in force) than one the agreement already reached,
   published more than `regression_days` after its latest report, is a new round of
   talks, not the same agreement; likewise an `extended` report more than
   `regression_days` after the agreement was signed starts the renewal as an agreement of
   its own (as the 2016 and 2022 host-nation agreements are two), unless a matching name
   or signed date ties it.

A report that fits several agreements joins the one with the strongest evidence (its
own type, then a kindred type, then a matching name, then a matching signed date, then the
nearest in time); one that fits none starts a new agreement. Each report records what
tied it (`linked_by`: `name`, `signed`, `time`; `first` for the report that started the
agreement). Amounts never split or join: outlets disagree about money, and a disagreement
is kept visible, not used as evidence.

The order is fixed by the reports themselves (party set, time, doc_id, index), so the
same input gives the same groups and the same ids whatever order the files come in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from rapidfuzz import fuzz

from treatyx.dating import as_day, own_date, own_dates, period
from treatyx.models import Agreement, AgreementStatus, DateFact, Document


@dataclass(frozen=True)
class GroupingRule:
    """Every threshold of the grouping rule, in one place (see the module docstring)."""

    window_days: int = 730
    regression_days: int = 120
    signed_tolerance_days: int = 60
    name_similarity: float = 85.0
    umbrella_type: str = "defence_cooperation"
    """The type of a deal reported only in general terms: it fits a deal of any type."""
    kindred_types: frozenset[frozenset[str]] = frozenset({
        frozenset({"arms_transfer", "research_development"}),
    })
    """Types outlets and extractors give one deal: a weapon developed and bought together."""


RULE = GroupingRule()

# The life of an agreement: a later report may move it forward, not back.
STAGE = {
    AgreementStatus.planned: 0,
    AgreementStatus.negotiating: 0,
    AgreementStatus.announced: 1,
    AgreementStatus.signed: 2,
    AgreementStatus.in_force: 3,
    AgreementStatus.extended: 3,
    AgreementStatus.suspended: 4,
    AgreementStatus.terminated: 4,
}
_SIGNED = STAGE[AgreementStatus.signed]
_WORD = re.compile(r"[a-z0-9]+")
_FILLER = {"the", "a", "an", "of", "on", "and", "for", "between"}


@dataclass(frozen=True)
class Report:
    """One agreement as one document reports it."""

    doc_id: str
    index: int
    published: dt.date | None
    agreement: Agreement

    @cached_property
    def parties(self) -> tuple[str, ...]:
        """The block key: sorted ISO3 codes, or names for organisations and codeless states."""
        keys = {p.key for p in self.agreement.parties}
        return tuple(sorted(keys))

    @cached_property
    def signings(self) -> list[DateFact]:
        """The signed dates the report gives, each said as exactly as the report says it.
        A date that contradicts the report's own status is dropped: a report before signing
        (planned, negotiating, announced) cannot have been signed by the day it was
        published (the validator's TX302; extractors take "said on Thursday" for the
        signing), and a report of a signed agreement cannot have been signed after it."""
        dates = [d for d in own_dates(self.agreement, self.published) if d.role == "signed"]
        if self.published is not None:
            if STAGE[self.agreement.status] < _SIGNED:
                dates = [d for d in dates if period(d)[1] > self.published]
            else:
                dates = [d for d in dates if period(d)[0] <= self.published]
        return [d for d in dates if not any(
            len(o.value) > len(d.value) and o.value.startswith(d.value) for o in dates)]

    @cached_property
    def time(self) -> dt.date | None:
        """When the report stands: its publication, else its own date."""
        if self.published is not None:
            return self.published
        found, _ = own_date(self.agreement, None)
        return as_day(found.value) if found else None


def reports_of(results: Iterable[Document]) -> Iterator[Report]:
    """Each agreement of each document, without its evidence quotes (not needed to group
    or reconcile; dropping them halves the memory a large corpus takes)."""
    for document in results:
        for index, agreement in enumerate(document.agreements):
            slim = agreement.model_copy(update={"evidence": []})
            yield Report(document.doc_id, index, document.published, slim)


@dataclass(eq=False)
class Group:
    """Reports of one agreement, in time order, with what tied each one in."""

    agreement_id: str
    number: int = 0
    reports: list[Report] = field(default_factory=list)
    linked_by: list[str] = field(default_factory=list)
    types: set[str] = field(default_factory=set)
    doc_ids: set[str] = field(default_factory=set)
    names: list[str] = field(default_factory=list)
    signed: list[DateFact] = field(default_factory=list)
    last_time: dt.date | None = None
    stage: int = 0
    signed_time: dt.date | None = None
    extended: bool = False

    @property
    def grouped_by(self) -> str:
        """The evidence that grouped the reports: `parties`, `type` (or `types differ`, when
        a name or day of signing tied reports of several types) and each kind of link used
        (`name`, `signed`, `time`); `single report` for one report."""
        links = sorted(set(self.linked_by) - {"first"})
        if not links:
            return "single report"
        return ";".join(["parties", "type" if len(self.types) <= 1 else "types differ", *links])

    def add(self, report: Report, link: str) -> None:
        agreement = report.agreement
        self.reports.append(report)
        self.linked_by.append(link)
        self.doc_ids.add(report.doc_id)
        if agreement.type.value != "other":
            self.types.add(agreement.type.value)
        if agreement.name and normal_name(agreement.name) not in self.names:
            self.names.append(normal_name(agreement.name))
        self.signed.extend(d for d in report.signings if not any(
            d.value == known.value and d.granularity == known.granularity
            for known in self.signed))
        time = report.time
        if time is not None and (self.last_time is None or time > self.last_time):
            self.last_time = time
        stage = STAGE[agreement.status]
        self.stage = max(self.stage, stage)
        if stage >= _SIGNED and self.signed_time is None:
            self.signed_time = time
        self.extended |= agreement.status == AgreementStatus.extended


def normal_name(name: str) -> str:
    return " ".join(w for w in _WORD.findall(name.casefold()) if w not in _FILLER)


def _acronym(short: str, long: str) -> bool:
    letters = "".join(w[0] for w in long.split())
    return short.replace(" ", "") in (letters, letters.rstrip("s"))


def names_match(a: str, b: str, rule: GroupingRule = RULE) -> bool:
    """Whether two normalised names name one agreement."""
    if not a or not b:
        return False
    if fuzz.token_set_ratio(a, b) >= rule.name_similarity:
        return True
    short, long = sorted((a, b), key=len)
    return " " not in short and _acronym(short, long)


def days_apart(a: DateFact, b: DateFact) -> int:
    """Days between two (possibly partial) dates: 0 when one's period holds the other."""
    (a0, a1), (b0, b1) = period(a), period(b)
    return max((b0 - a1).days, (a0 - b1).days, 0)


def same_signing(a: DateFact, b: DateFact) -> bool:
    """Equal signed dates at their common granularity, month or finer."""
    if "year" in (a.granularity, b.granularity):
        return False
    length = min(len(a.value), len(b.value))
    return a.value[:length] == b.value[:length]


def _gap(report: Report, since: dt.date | None) -> int:
    time = report.time
    return (time - since).days if time is not None and since is not None else 0


def link(group: Group, report: Report, rule: GroupingRule = RULE) -> str | None:
    """What ties `report` to `group` (`name`, `signed`, `time`), or None if it does not fit."""
    agreement = report.agreement
    if report.doc_id in group.doc_ids:
        return None
    typed = type_fit(report.agreement.type.value, group.types, rule) > 0
    name = normal_name(agreement.name) if agreement.name else ""
    named = False
    if name and group.names:
        named = any(names_match(name, known, rule) for known in group.names)
        if not named:
            return None
    pairs = [(mine, known) for mine in report.signings for known in group.signed]
    if pairs and all(days_apart(a, b) > rule.signed_tolerance_days for a, b in pairs):
        return None  # no signed date of the report fits one of the agreement's
    same_signed = any(same_signing(a, b) for a, b in pairs)
    same_day = any(a.granularity == "day" and a.value == b.value for a, b in pairs)
    if not typed and not (named or same_day):
        return None
    gap = _gap(report, group.last_time)
    if gap > rule.window_days and not same_signed:
        return None
    tied = named or same_signed
    stage = STAGE[agreement.status]
    if not tied and gap > rule.regression_days and stage < group.stage:
        return None
    renewal = agreement.status == AgreementStatus.extended and not group.extended
    if not tied and renewal and _gap(report, group.signed_time) > rule.regression_days:
        return None
    return "name" if named else "signed" if same_signed else "time"


_STRENGTH = {"name": 2, "signed": 1, "time": 0}


def type_fit(kind: str, types: set[str], rule: GroupingRule = RULE) -> int:
    """How a report's type fits an agreement's types: 2 the same (or `other`, or an
    agreement of no known type), 1 kindred (see the module docstring), 0 another type."""
    if kind == "other" or not types or kind in types:
        return 2
    specific = types - {rule.umbrella_type}
    if kind == rule.umbrella_type or not specific:
        return 1
    return int(any(_kindred(kind, known, rule) for known in specific))


@lru_cache(maxsize=1024)
def _kindred(kind: str, known: str, rule: GroupingRule) -> bool:
    return frozenset({kind, known}) in rule.kindred_types


def _agreement_id(report: Report) -> str:
    """Named after the agreement's first report, so reruns on the same input agree."""
    digest = hashlib.sha1(f"{report.doc_id}\x1f{report.index}".encode()).hexdigest()
    return f"tx-{digest[:12]}"


def _order(report: Report) -> tuple:
    time = report.time
    return (report.parties, time is None, time or dt.date.min, report.doc_id, report.index)


def group_reports(results: Iterable[Document], rule: GroupingRule = RULE) -> list[Group]:
    """The agreements of a corpus: its reports grouped by the rule, in block order; then
    the reports that name one party only (`_join_partial`)."""
    reports = sorted(reports_of(results), key=_order)
    groups: list[Group] = []
    partial: list[list[Report]] = []
    start = 0
    while start < len(reports):
        end = start
        while end < len(reports) and reports[end].parties == reports[start].parties:
            end += 1
        if len(reports[start].parties) == 1:
            partial.append(reports[start:end])
        else:
            groups.extend(_group_block(reports[start:end], rule))
        start = end
    by_party = _by_party_year(groups, rule)
    for block in partial:
        left = [r for r in block if not _join_partial(r, by_party, rule)]
        groups.extend(_group_block(left, rule))
    return groups


def _years(time: dt.date | None, rule: GroupingRule) -> range:
    """The years whose agreements a report at `time` may join (the window either side)."""
    if time is None:
        return range(0)
    reach = rule.window_days // 365 + 1
    return range(time.year - reach, time.year + reach + 1)


def _by_party_year(groups: list[Group], rule: GroupingRule) -> dict[tuple[str, int], list[Group]]:
    """Agreements of two or more parties under each party and each year they were reported
    in, so that a one-party report is compared with a few years of its party's agreements,
    not with all of them."""
    index: dict[tuple[str, int], list[Group]] = defaultdict(list)
    for group in groups:
        years = {r.time.year for r in group.reports if r.time is not None}
        for party in group.reports[0].parties:
            for year in years:
                index[(party, year)].append(group)
    return index


def _join_partial(
    report: Report, by_party: dict[tuple[str, int], list[Group]], rule: GroupingRule
) -> bool:
    """A report naming one party only names too few for an agreement: its extractor missed
    the others. It joins the agreement of more parties, that party among them, that it
    fits best by the rule (within the window either side of that agreement's reports);
    False when none fits, and it is grouped with its own party set's reports."""
    (party,) = report.parties
    time = report.time
    best: tuple[tuple, Group, str] | None = None
    seen: set[int] = set()
    for year in _years(time, rule):
        for group in by_party.get((party, year), []):
            if id(group) in seen:
                continue
            seen.add(id(group))
            first = group.reports[0].time
            if time is not None and first is not None and (first - time).days > rule.window_days:
                continue
            found = _fit(group, report, rule)
            if found is not None and (best is None or (found[0], group.agreement_id) > (
                    best[0], best[1].agreement_id)):
                best = (found[0], group, found[1])
    if best is None:
        return False
    _, group, tie = best
    group.add(report, tie)
    ordered = sorted(zip(group.reports, group.linked_by, strict=True),
                     key=lambda pair: (pair[0].time is None, pair[0].time or dt.date.min))
    group.reports = [r for r, _ in ordered]
    group.linked_by = [link for _, link in ordered]
    return True


def _fit(group: Group, report: Report, rule: GroupingRule) -> tuple[tuple, str] | None:
    """How well `report` fits `group` (type fit, strength of the tie, nearness in time) and
    the tie, or None if it does not. Only a name or a day of signing lets a report join an
    agreement of another type."""
    fit = type_fit(report.agreement.type.value, group.types, rule)
    loose = bool(report.agreement.name) or any(
        d.granularity == "day" for d in report.signings)
    if not loose and not fit:
        return None
    tie = link(group, report, rule)
    if tie is None:
        return None
    return (fit, _STRENGTH[tie], -abs(_gap(report, group.last_time))), tie


def _group_block(reports: list[Report], rule: GroupingRule) -> list[Group]:
    """One party set's reports, in time order. Only agreements seen within the window
    (`active`) or sharing a signed month (`by_signed`) are candidates, so a block of
    thousands of agreements is not compared pairwise."""
    groups: list[Group] = []
    active: list[Group] = []
    by_signed: dict[str, list[Group]] = defaultdict(list)
    for report in reports:
        time = report.time
        if time is not None:
            active = [
                g for g in active
                if g.last_time is None or (time - g.last_time).days <= rule.window_days
            ]
        candidates = list(active)
        months = {d.value[:7] for d in report.signings if d.granularity != "year"}
        seen = {id(g) for g in candidates}
        for month in months:
            found = [g for g in by_signed[month] if id(g) not in seen]
            seen.update(id(g) for g in found)
            candidates += found
        best: tuple[tuple, Group, str] | None = None
        for group in candidates:
            found = _fit(group, report, rule)
            if found is None:
                continue
            score = (*found[0], group.number)
            if best is None or score > best[0]:
                best = (score, group, found[1])
        if best is None:
            group = Group(_agreement_id(report), len(groups))
            group.add(report, "first")
            groups.append(group)
            active.append(group)
        else:
            _, group, tie = best
            group.add(report, tie)
            if group not in active:
                active.append(group)
        for month in months:
            if group not in by_signed[month]:
                by_signed[month].append(group)
    return groups
