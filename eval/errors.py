#!/usr/bin/env python3
"""Count a backend's errors per cause, so that fixes go to causes rather than articles.

    eval/errors.py rules --split realdev     # eval/results/private/rules-realdev.jsonl
    eval/errors.py local --split realdev --pred /work/main/eval/results/private/local-realdev.jsonl
    eval/errors.py rules --split dev         # eval/results/rules-dev.jsonl
    eval/errors.py rules --split labels      # eval/results/rules-labels.jsonl

Scores the predictions as `treatyx eval --errors` does, then gives every error a cause
from the gold/prediction pairing and the source text (heuristics; "other" where they
cannot tell). Writes counts only, never article text, to
eval/results/errors-<backend>-<split>.md (or prints with --print).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from treatyx.evaluation import ErrorItem, evaluate, pair_agreements, party_key  # noqa: E402
from treatyx.loading import LoadError, SourceDocument, iter_documents  # noqa: E402
from treatyx.models import Agreement, Document  # noqa: E402
from treatyx.normalize import find_dates, find_durations, find_money  # noqa: E402
from treatyx.results import load_results  # noqa: E402

REALDEV = Path(os.environ.get("TREATYX_REALDEV", ROOT.parent / "shared" / "realdev"))
RESULTS = ROOT / "eval" / "results"

# A dateline: "OSLO -", "TALLINN, Dec 5 (Reuters) -", "Tokyo, Sept. 10 (Jiji Press) --".
_DATELINE = re.compile(r"^[ \t]*([A-Z][\w .'-]{1,30}?)(?:,[^\n]{0,40}?\))?\s*[-–—]{1,2}\s", re.M)
_REACTS = re.compile(r"\b(?:prompt\w*|anger\w*|condemn\w*|critici[sz]\w*|protest\w*|warn\w*|"
                     r"concern\w*|oppos\w*|react\w*|object\w*|slam\w*|denounc\w*|welcom\w*)\b",
                     re.IGNORECASE)
_COMPANY = re.compile(r"\b(?:company|companies|corp\w*|firm|Ltd|Inc|group|maker|manufacturer|"
                      r"contractor|-built|Dassault|Boeing|Lockheed|Airbus|Naval Group)\b",
                      re.IGNORECASE)
_HISTORY = re.compile(r"\bdecades?\b|\b(?:past|last|previous|earlier)\b", re.IGNORECASE)


def _sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    stops = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    return text[left:min(stops) if stops else len(text)]


def _in_evidence(agreement: Agreement, start: int, end: int) -> bool:
    return any(e.span[0] <= start and end <= e.span[1] for e in agreement.evidence)


class Classifier:
    """The cause of each error of one document."""

    def __init__(self, gold: Document, pred: Document | None, source: SourceDocument | None):
        self.gold, self.pred = gold, pred
        self.text = source.text if source else ""
        self.published = source.published if source else gold.published
        self.pred_agreements = pred.agreements if pred else []

    def cause(self, error: ErrorItem) -> str:
        g, p = error.gold_agreement, error.pred_agreement
        if p is None:
            return self._unpaired_gold(g)
        if g is None:
            return self._unpaired_pred(p)
        gold, pred = self.gold.agreements[g], self.pred_agreements[p]
        handler = getattr(self, f"_{error.field}")
        return handler(error, gold, pred)

    # --- agreements that were not paired -------------------------------------------

    def _unpaired_gold(self, g: int) -> str:
        gold = self.gold.agreements[g]
        keys = {party_key(x) for x in gold.parties}
        pairs = pair_agreements(self.gold.agreements, self.pred_agreements)
        paired = {p for _, p in pairs}
        near = [(i, a) for i, a in enumerate(self.pred_agreements)
                if keys & {party_key(x) for x in a.parties}]
        if not near:
            return "agreement missed"
        free = [a for i, a in near if i not in paired]
        if not free:
            return "agreement merged into another deal of the same parties"
        return "agreement found, not paired: " + self._why_unpaired(gold, free[0])

    def _unpaired_pred(self, p: int) -> str:
        pred = self.pred_agreements[p]
        if not self.gold.agreements:
            return "deal taken in an article that reports none"
        keys = {party_key(x) for x in pred.parties}
        paired = {g for g, _ in pair_agreements(self.gold.agreements, self.pred_agreements)}
        unpaired_near = [a for i, a in enumerate(self.gold.agreements) if i not in paired
                         and keys & {party_key(x) for x in a.parties}]
        if unpaired_near:
            return "agreement found, not paired: " + self._why_unpaired(unpaired_near[0], pred)
        if any(keys & {party_key(x) for x in a.parties} for a in self.gold.agreements):
            return "deal taken twice, or a background deal of the same parties"
        return "background deal taken (other parties)"

    def _why_unpaired(self, gold: Agreement, pred: Agreement) -> str:
        """Why a prediction sharing a party with a gold agreement was not paired with it."""
        gold_keys = {party_key(x) for x in gold.parties if not x.optional}
        extra = [x for x in pred.parties if party_key(x) not in gold_keys]
        causes = sorted({self._extra_party(x) for x in extra})
        if causes:
            return causes[0]
        return "a party missed"

    def _extra_party(self, party) -> str:
        if not party.span:
            return "extra party: other"
        start, end = party.span
        line_start = self.text.rfind("\n", 0, start) + 1
        dateline = _DATELINE.match(self.text, line_start)
        if dateline and dateline.start(1) <= start and end <= dateline.end(1) + 1:
            return "dateline city taken as a party"
        sentence = _sentence_around(self.text, start, end)
        if party.kind != "state":
            return "organisation misnamed or not a party"
        if _COMPANY.search(sentence):
            return "extra party: a company's country, or a party next to a company"
        if _REACTS.search(sentence):
            return "party that only reacts"
        return "extra party: other"

    # --- fields of paired agreements -----------------------------------------------

    def _parties(self, error: ErrorItem, gold: Agreement, pred: Agreement) -> str:
        if error.kind == "fn":
            party = next(x for x in gold.parties if party_key(x) == error.value.casefold()
                         or x.iso3 == error.value)
            if party.span and _in_evidence(pred, *party.span):
                return "party missed: named in the agreement's sentence"
            return "party missed: named only outside the sentences taken"
        party = next((x for x in pred.parties if (x.iso3 or x.name) == error.value), None)
        return self._extra_party(party) if party else "extra party: other"

    def _type(self, error: ErrorItem, gold: Agreement, pred: Agreement) -> str:
        if pred.type.value == "other":
            return "type wrong: no cue read (other)"
        return f"type wrong: {pred.type.value} taken for {gold.type.value}"

    def _status(self, error: ErrorItem, gold: Agreement, pred: Agreement) -> str:
        return f"status wrong: {pred.status.value} taken for {gold.status.value}"

    def _amounts(self, error: ErrorItem, gold: Agreement, pred: Agreement) -> str:
        if error.kind == "fn":
            fact = next(a for a in gold.amounts
                        if not a.optional and _amount_label(a) == error.value)
            read = [m.value for m in find_money(fact.mention)]
            if not any(m.currency == fact.currency and abs(m.value - fact.value)
                       <= 0.01 * fact.value for m in read):
                return "amount unread (the normaliser does not read its words)"
            if any(a.span and fact.span and a.span[0] <= fact.span[0] < a.span[1]
                   for a in pred.amounts):
                return "amount misread"
            return "amount missed: not in the sentences taken"
        fact = next((a for a in pred.amounts if _amount_label(a) == error.value), None)
        if fact and any(a.span and fact.span and a.span[0] <= fact.span[0] < a.span[1]
                        for a in gold.amounts):
            return "amount misread"
        return "amount of something else (price, background deal, budget)"

    def _durations(self, error: ErrorItem, gold: Agreement, pred: Agreement) -> str:
        if error.kind == "fn":
            fact = next(d for d in gold.durations if not d.optional and d.value == error.value)
            if not any(m.value == fact.value for m in find_durations(fact.mention)):
                return "duration unread"
            return "duration missed: not in the sentences taken"
        fact = next((d for d in pred.durations if d.value == error.value), None)
        if fact and _HISTORY.search(fact.mention):
            return "history taken as a duration (\"a decade\", \"past five years\")"
        return "duration of something else"

    def _dates(self, error: ErrorItem, gold: Agreement, pred: Agreement) -> str:
        if error.kind == "fn":
            fact = next(d for d in gold.dates if not d.optional and _date_label(d) == error.value)
            if fact.span and any(d.span and d.span[0] < fact.span[1] and fact.span[0] < d.span[1]
                                 for d in pred.dates):
                return "date misread (value or granularity)"
            if fact.span:
                sentence = _sentence_around(self.text, *fact.span)
                found = find_dates(sentence, self.published)
                if not any(m.value.value == fact.value and m.value.granularity == fact.granularity
                           for m in found):
                    return "date unread (the normaliser does not resolve its words)"
                if _in_evidence(pred, *fact.span):
                    return "date missed: other"
            return "date missed: not in the sentences taken"
        fact = next((d for d in pred.dates if _date_label(d) == error.value), None)
        if fact is None:
            return "date of something else"
        if any(d.span and fact.span and d.span[0] < fact.span[1] and fact.span[0] < d.span[1]
               for d in gold.dates):
            return "date misread (value or granularity)"
        if self.published and fact.value == self.published.isoformat():
            return "report day taken as a date of the agreement"
        years = [int(d.value[:4]) for d in gold.dates] or (
            [self.published.year] if self.published else [])
        if years and int(fact.value[:4]) < min(years):
            return "background (earlier) date taken"
        return "date of something else"

    def _date_roles(self, error: ErrorItem, gold: Agreement, pred: Agreement) -> str:
        return "date role wrong"


def _amount_label(amount) -> str:
    value = amount.value
    shown = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return f"{amount.currency} {shown}" + (f"/{amount.period}" if amount.period else "")


def _date_label(date) -> str:
    return f"{date.value}/{date.granularity}"


def count_causes(gold: list[Document], pred: list[Document],
                 sources: dict[str, SourceDocument]) -> tuple[Counter, Counter, Counter]:
    """(errors per cause, fp per cause, fn per cause) and the report's per-field totals."""
    report = evaluate(gold, pred, texts={k: v.text for k, v in sources.items()})
    by_id = {d.doc_id: d for d in pred}
    gold_by_id = {d.doc_id: d for d in gold}
    total, fps, fns = Counter(), Counter(), Counter()
    for error in report.errors:
        classifier = Classifier(gold_by_id[error.doc_id], by_id.get(error.doc_id),
                                sources.get(error.doc_id))
        cause = classifier.cause(error)
        field = error.field
        key = (field if field != "date_roles" else "date_roles", cause)
        total[key] += 1
        (fps if error.kind == "fp" else fns)[key] += 1
    return total, fps, fns


def render(backend: str, split: str, total: Counter, fps: Counter, fns: Counter,
           scores, note: str = "", command: str = "") -> str:
    lines = [f"# Errors per cause: `{backend}` on {split}", ""]
    if note:
        lines += [note.rstrip("\n"), ""]
    lines += [f"From `{command}`: every false positive and false "
             "negative of `treatyx eval --errors`, given a cause by heuristics over the "
             "gold/prediction pairing and the source text (counts only). An error of an "
             "unpaired agreement counts once per fact of it.", "",
             f"all-F1 {scores.fields['all'].f1:.3f} (P {scores.fields['all'].precision:.3f}, "
             f"R {scores.fields['all'].recall:.3f}); agreement detection "
             f"{scores.agreements.f1:.3f} (tp {scores.agreements.tp}, fp {scores.agreements.fp}, "
             f"fn {scores.agreements.fn}).", "",
             "| field | cause | fp | fn | errors |", "|---|---|---:|---:|---:|"]
    for (field, cause), n in sorted(total.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1])):
        lines.append(f"| {field} | {cause} | {fps[(field, cause)]} | {fns[(field, cause)]} | {n} |")
    by_cause: Counter = Counter()
    for (field, cause), n in total.items():
        if field != "date_roles":
            short = cause if cause.startswith("agreement found") else cause.split(":")[0]
            by_cause[short] += n
    lines += ["", "Largest causes over all fields (`all`, without date roles):", "",
              "| cause | errors |", "|---|---:|"]
    lines += [f"| {cause} | {n} |" for cause, n in by_cause.most_common()]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("backend")
    parser.add_argument("--split", default="realdev",
                        choices=["dev", "test", "realdev", "grouping", "grouping-test", "labels"])
    parser.add_argument("--pred", type=Path, help="predictions (default: eval/run's output)")
    parser.add_argument("--print", action="store_true", help="print instead of writing")
    parser.add_argument("--only-predicted", action="store_true",
                        help="score only the documents the predictions cover (a partial run)")
    args = parser.parse_args()
    stem = args.backend if args.split == "test" else f"{args.backend}-{args.split}"
    if args.split == "realdev":
        articles = gold_dir = REALDEV
        default = RESULTS / "private" / f"{stem}.jsonl"
    else:
        articles = ROOT / "eval" / "articles" / args.split
        gold_dir = ROOT / "eval" / "gold" / args.split
        default = RESULTS / f"{stem}.jsonl"
    pred_path = args.pred or default
    if not pred_path.exists():
        parser.error(f"{pred_path}: no predictions (run eval/run {args.backend} "
                     f"--split {args.split} first)")
    paths = sorted(articles.glob("*.txt")) if articles == REALDEV else [articles]
    sources = {d.doc_id: d for d in iter_documents(paths) if not isinstance(d, LoadError)}
    gold, pred = load_results(gold_dir), load_results(pred_path)
    note = ""
    if args.only_predicted:
        covered = {d.doc_id for d in pred}
        note = (f"Partial run: {len(covered)} of {len(gold)} documents predicted; only those "
                "are scored.\n\n")
        gold = [d for d in gold if d.doc_id in covered]
    total, fps, fns = count_causes(gold, pred, sources)
    report = evaluate(gold, pred)
    command = " ".join(["eval/errors.py", *(a.replace(str(ROOT.parent), "..")
                                            for a in sys.argv[1:])])
    out = render(args.backend, args.split, total, fps, fns, report, note, command)
    if args.print:
        sys.stdout.write(out)
    else:
        target = RESULTS / f"errors-{args.backend}-{args.split}.md"
        target.write_text(out, encoding="utf-8")
        print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
