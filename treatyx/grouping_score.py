"""How well reports were grouped into agreements, against gold agreement ids.

Gold grouping is a `reports.csv` beside the gold files, in the format `treatyx dataset`
writes (`doc_id`, `agreement`, `agreement_id`): the gold annotator's own ids, one per
unique agreement. A prediction's reports are first paired with the gold reports of the
same document, as `treatyx eval` pairs agreements (parties, then type); grouping is then
scored on the paired reports, so that detection errors (counted separately, as
`unpaired`) do not pass for grouping errors.

Two standard measures of a clustering against a gold one:

- pairwise: of the pairs of reports put in one agreement, how many are one in gold
  (precision), and of the gold's pairs, how many were put together (recall);
- B-cubed: per report, the share of its predicted agreement that belongs to its gold
  agreement (precision) and the share of its gold agreement found in its predicted one
  (recall), averaged over reports (Bagga and Baldwin, 1998).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from pydantic import BaseModel

from treatyx.evaluation import pair_agreements
from treatyx.models import Document

ReportKey = tuple[str, int]
"""(doc_id, index of the agreement in its document)."""


class Measure(BaseModel):
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


class GroupingScore(BaseModel):
    pairwise: Measure
    bcubed: Measure
    reports: int
    """Paired reports scored."""
    gold_agreements: int
    predicted_agreements: int
    unpaired_gold: int = 0
    unpaired_predicted: int = 0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "pairwise_precision": self.pairwise.precision,
            "pairwise_recall": self.pairwise.recall,
            "pairwise_f1": self.pairwise.f1,
            "bcubed_precision": self.bcubed.precision,
            "bcubed_recall": self.bcubed.recall,
            "bcubed_f1": self.bcubed.f1,
            "reports": self.reports,
            "gold_agreements": self.gold_agreements,
            "predicted_agreements": self.predicted_agreements,
            "unpaired_gold": self.unpaired_gold,
            "unpaired_predicted": self.unpaired_predicted,
        }


def read_ids(path: str | Path) -> dict[ReportKey, str]:
    """A reports.csv (gold, or `treatyx dataset`'s) as {(doc_id, agreement): agreement_id}."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return {(row["doc_id"], int(row["agreement"])): row["agreement_id"]
                for row in csv.DictReader(handle)}


def _pairs(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def score_clusters(
    gold: Mapping[ReportKey, str], predicted: Mapping[ReportKey, str]
) -> GroupingScore:
    """Pairwise and B-cubed scores over the reports both mappings hold."""
    keys = [key for key in gold if key in predicted]
    both = Counter((gold[k], predicted[k]) for k in keys)
    gold_sizes = Counter(gold[k] for k in keys)
    predicted_sizes = Counter(predicted[k] for k in keys)
    together = _pairs(both.values())
    predicted_pairs, gold_pairs = _pairs(predicted_sizes.values()), _pairs(gold_sizes.values())
    pairwise = Measure(
        precision=together / predicted_pairs if predicted_pairs else 1.0,
        recall=together / gold_pairs if gold_pairs else 1.0,
    )
    n = len(keys)
    # Each of the n_gp reports in cell (g, p) scores n_gp / |p| and n_gp / |g|.
    bcubed = Measure(
        precision=sum(c * c / predicted_sizes[p] for (_, p), c in both.items()) / n if n else 0,
        recall=sum(c * c / gold_sizes[g] for (g, _), c in both.items()) / n if n else 0.0,
    )
    return GroupingScore(pairwise=pairwise, bcubed=bcubed, reports=n,
                         gold_agreements=len(gold_sizes),
                         predicted_agreements=len(predicted_sizes))


def pair_reports(gold: Iterable[Document], predicted: Iterable[Document]) -> dict[ReportKey, int]:
    """{(doc_id, predicted index): gold index} for the reports `treatyx eval` pairs."""
    by_id = {document.doc_id: document for document in predicted}
    pairs: dict[ReportKey, int] = {}
    for document in gold:
        other = by_id.get(document.doc_id)
        if other is None:
            continue
        for g, p in pair_agreements(document.agreements, other.agreements):
            pairs[(document.doc_id, p)] = g
    return pairs


def score_grouping(
    gold: list[Document],
    gold_ids: Mapping[ReportKey, str],
    predicted: list[Document],
    predicted_ids: Mapping[ReportKey, str],
) -> GroupingScore:
    """Score a prediction's grouping (`predicted_ids`, e.g. from `build_dataset`) on the
    reports paired with gold reports; unpaired reports on either side are counted."""
    pairs = pair_reports(gold, predicted)
    translated = {(doc_id, pairs[(doc_id, p)]): agreement_id
                  for (doc_id, p), agreement_id in predicted_ids.items() if (doc_id, p) in pairs}
    score = score_clusters(gold_ids, translated)
    score.unpaired_gold = len(gold_ids) - score.reports
    score.unpaired_predicted = len(predicted_ids) - len(translated)
    return score
