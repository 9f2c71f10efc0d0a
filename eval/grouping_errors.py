#!/usr/bin/env python3
"""Why a backend's output is grouped wrongly: extraction or the grouping rule.

    python eval/grouping_errors.py [--split grouping]

For each backend's predictions on the grouping split (eval/results/<backend>-grouping.jsonl),
take the pairs of paired reports that gold puts in one agreement and the prediction splits
(missed pairs), and the pairs the prediction puts together that gold keeps apart (wrong
merges). A pair's cause is the smallest set of extracted fields (parties, type, status,
dates, name) which, corrected to the gold report's values in the whole prediction, groups
the pair as gold does: `type` alone means the extractor's type split it; `parties+dates`
means both had to be right. A pair that no correction fixes is the rule's fault (`rule`).

Writes eval/results/grouping-errors.md (counts only).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from treatyx.dataset import build_dataset  # noqa: E402
from treatyx.grouping_score import ReportKey, pair_reports, read_ids  # noqa: E402
from treatyx.models import Document  # noqa: E402
from treatyx.results import load_results  # noqa: E402

FIELDS = ("parties", "type", "status", "dates", "name")
RESULTS = ROOT / "eval" / "results"


def grouped(documents: list[Document]) -> dict[ReportKey, str]:
    return {(r["doc_id"], r["agreement"]): r["agreement_id"]
            for r in build_dataset(documents).reports}


def corrected(gold: dict[str, Document], predicted: list[Document],
              pairs: dict[ReportKey, int], fields: tuple[str, ...]) -> list[Document]:
    """The prediction with `fields` of each paired report set to its gold report's."""
    out = []
    for document in predicted:
        agreements = []
        for index, agreement in enumerate(document.agreements):
            g = pairs.get((document.doc_id, index))
            if g is not None and fields:
                truth = gold[document.doc_id].agreements[g]
                agreement = agreement.model_copy(
                    update={f: getattr(truth, f) for f in fields})
            agreements.append(agreement)
        out.append(document.model_copy(update={"agreements": agreements}))
    return out


def errors(gold_docs: list[Document], gold_ids: dict[ReportKey, str],
           predicted: list[Document]) -> tuple[Counter, Counter, int, int]:
    """(causes of missed pairs, causes of wrong merges, missed pairs, wrong merges)."""
    gold = {d.doc_id: d for d in gold_docs}
    pairs = pair_reports(gold_docs, predicted)
    keys = sorted(pairs)

    def verdicts(ids: dict[ReportKey, str]) -> dict[tuple[ReportKey, ReportKey], bool]:
        """For each pair of paired reports: is the prediction's grouping wrong?"""
        out = {}
        for a, b in itertools.combinations(keys, 2):
            same_gold = gold_ids[(a[0], pairs[a])] == gold_ids[(b[0], pairs[b])]
            out[(a, b)] = (ids[a] == ids[b]) != same_gold
        return out

    wrong = {p for p, bad in verdicts(grouped(predicted)).items() if bad}
    fixed_by: dict[tuple[str, ...], set] = {}
    for size in range(1, len(FIELDS) + 1):
        for fields in itertools.combinations(FIELDS, size):
            ids = grouped(corrected(gold, predicted, pairs, fields))
            fixed_by[fields] = {p for p, bad in verdicts(ids).items() if not bad}
    missed, merged = Counter(), Counter()
    n_missed = n_merged = 0
    for a, b in wrong:
        same_gold = gold_ids[(a[0], pairs[a])] == gold_ids[(b[0], pairs[b])]
        cause = next(("+".join(f) for f, fixed in fixed_by.items() if (a, b) in fixed), "rule")
        if same_gold:
            missed[cause] += 1
            n_missed += 1
        else:
            merged[cause] += 1
            n_merged += 1
    return missed, merged, n_missed, n_merged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="grouping")
    args = parser.parse_args()
    gold_dir = ROOT / "eval" / "gold" / args.split
    gold_docs = load_results(gold_dir)
    gold_ids = read_ids(gold_dir / "reports.csv")
    lines = [f"# Grouping errors by cause ({args.split} split)", "",
             "`python eval/grouping_errors.py"
             + (f" --split {args.split}" if args.split != "grouping" else "") + "`: pairs of "
             "paired reports grouped unlike gold, each put down to the smallest set of "
             "extracted fields that, corrected to gold, groups it as gold does "
             "(`rule`: no correction does).", ""]
    for backend in ("rules", "local"):
        path = RESULTS / f"{backend}-{args.split}.jsonl"
        if not path.exists():
            continue
        missed, merged, n_missed, n_merged = errors(gold_docs, gold_ids, load_results(path))
        lines += [f"## `{backend}`", "",
                  f"{n_missed} gold pairs split, {n_merged} pairs wrongly merged.", ""]
        if n_missed or n_merged:
            lines += ["| cause | pairs split | pairs wrongly merged |", "|---|---:|---:|"]
            for cause in sorted(set(missed) | set(merged), key=lambda c: -missed[c] - merged[c]):
                lines.append(f"| {cause} | {missed[cause]} | {merged[cause]} |")
            lines.append("")
    text = "\n".join(lines)
    (RESULTS / f"{args.split}-errors.md").write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
