#!/usr/bin/env python3
"""Score how treatyx groups agreement reports into agreements, against the grouping gold set.

    python eval/grouping.py          # gold reports, and rules/local output where present
    python eval/grouping.py --split grouping-test   # the held-out grouping set

The gold set is eval/articles/grouping (44 articles written for the project, reporting 17
agreements over days to years) with gold files in eval/gold/grouping and the gold
agreement ids in eval/gold/grouping/reports.csv. Three inputs are grouped by
`treatyx.build_dataset`:

- `gold reports`: the gold files themselves, so the score is the grouping rule's alone;
- `rules`, `local`: eval/results/<backend>-grouping.jsonl, written by
  `eval/run <backend> --split grouping`; their reports are paired with gold reports per
  document first (as `treatyx eval` pairs agreements) and scored on the paired ones.

The held-out set eval/articles/grouping-test (18 articles, 8 agreements, written after the
rule's last change and never used to change it) is scored the same way with
`--split grouping-test`, from eval/results/<backend>-grouping-test.jsonl.

Writes eval/results/<split>.json and <split>.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from treatyx.dataset import build_dataset  # noqa: E402
from treatyx.grouping import RULE  # noqa: E402
from treatyx.grouping_score import read_ids, score_grouping  # noqa: E402
from treatyx.results import load_results  # noqa: E402

RESULTS = ROOT / "eval" / "results"
SPLITS = ("grouping", "grouping-test")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="grouping", choices=SPLITS)
    split = parser.parse_args().split
    gold_dir = ROOT / "eval" / "gold" / split
    gold = load_results(gold_dir)
    gold_ids = read_ids(gold_dir / "reports.csv")
    inputs = {"gold reports": gold}
    for backend in ("rules", "local"):
        path = RESULTS / f"{backend}-{split}.jsonl"
        if path.exists():
            inputs[backend] = load_results(path)
    scores = {}
    for label, documents in inputs.items():
        dataset = build_dataset(documents)
        ids = {(r["doc_id"], r["agreement"]): r["agreement_id"] for r in dataset.reports}
        scores[label] = score_grouping(gold, gold_ids, documents, ids).as_dict()
    summary = {
        "split": split,
        "articles": len(gold),
        "gold_reports": len(gold_ids),
        "gold_agreements": len(set(gold_ids.values())),
        "rule": {key: sorted(sorted(v) for v in value) if isinstance(value, frozenset) else value
                 for key, value in RULE.__dict__.items()},
        "scores": scores,
    }
    (RESULTS / f"{split}.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    markdown = render(summary)
    (RESULTS / f"{split}.md").write_text(markdown, encoding="utf-8")
    print(markdown, end="")
    return 0


def render(summary: dict) -> str:
    split = summary.get("split", "grouping")
    option = "" if split == "grouping" else f" --split {split}"
    scores = summary["scores"]
    labels = list(scores)
    rows = [
        ("B-cubed F1", "bcubed_f1"), ("B-cubed precision", "bcubed_precision"),
        ("B-cubed recall", "bcubed_recall"), ("pairwise F1", "pairwise_f1"),
        ("pairwise precision", "pairwise_precision"), ("pairwise recall", "pairwise_recall"),
        ("reports scored (paired with gold)", "reports"),
        ("agreements among them: found / gold", None),
        ("unpaired gold / predicted reports", None),
    ]
    lines = [
        "# Grouping reports into agreements",
        "",
        f"{summary['articles']} articles of eval/articles/{split}, {summary['gold_reports']} "
        f"agreement reports, {summary['gold_agreements']} gold agreements. "
        f"`python eval/grouping.py{option}`.",
        "",
        "| | " + " | ".join(f"`{label}`" if label != "gold reports" else label
                            for label in labels) + " |",
        "|---|" + "---:|" * len(labels),
    ]
    for title, key in rows:
        cells = []
        for label in labels:
            s = scores[label]
            if key == "reports":
                cells.append(str(s["reports"]))
            elif title.startswith("agreements"):
                cells.append(f"{s['predicted_agreements']} / {s['gold_agreements']}")
            elif title.startswith("unpaired"):
                cells.append(f"{s['unpaired_gold']} / {s['unpaired_predicted']}")
            else:
                cells.append(f"{s[key]:.3f}")
        bold = "**" if key == "bcubed_f1" else ""
        lines.append(f"| {bold}{title}{bold} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def table_lines(markdown: str) -> str:
    """The table of grouping.md, as the README shows it."""
    return "\n".join(line for line in markdown.splitlines() if line.startswith("|"))


if __name__ == "__main__":
    sys.exit(main())
