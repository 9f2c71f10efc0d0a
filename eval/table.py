#!/usr/bin/env python3
"""The README's results table, from eval/results/<backend>.json (written by eval/run).

    python eval/table.py            # prints the markdown table
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
BACKENDS = ("rules", "local")
SETS = {"test": "", "grouping-test": "-grouping-test", "dev": "-dev", "grouping": "-grouping",
        "labels": "-labels", "realdev": "-realdev"}
"""Each set's results file suffix: eval/results/<backend><suffix>.json; the held-out sets
(test, grouping-test) first, then those tuned on."""
FIELDS = ("parties", "type", "status", "amounts", "durations", "dates", "date_roles", "all")


def table(results: Path = RESULTS, backends: tuple[str, ...] = BACKENDS) -> str:
    """A column per backend and set (held out: the test split and grouping-test; tuned on:
    the dev split, the grouping and labels sets and real-news realdev)."""
    runs = {f"`{b}` {name}": json.loads((results / f"{b}{suffix}.json").read_text("utf-8"))
            for name, suffix in SETS.items() for b in backends
            if (results / f"{b}{suffix}.json").exists()}
    header = "| F1 | " + " | ".join(runs) + " |"
    lines = [header, "|---|" + "---:|" * len(runs)]
    for name in FIELDS:
        label = f"**{name}**" if name == "all" else name
        cells = [f"{run['scores']['fields'][name]['f1']:.3f}" for run in runs.values()]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    rows = {
        "agreement detection": lambda r: f"{r['scores']['agreements']['f1']:.3f}",
        "precision / recall (all)": lambda r: "{:.3f} / {:.3f}".format(
            r["scores"]["fields"]["all"]["precision"], r["scores"]["fields"]["all"]["recall"]),
        "grounding rate": lambda r: f"{r['scores']['grounding_rate']:.3f}",
        "hallucinated mentions": lambda r: str(r["scores"]["hallucinations"]),
        "seconds per article": lambda r: f"{r['meta']['seconds_per_document']:.2f}",
        "prompt tokens per article": lambda r: f"{r['meta']['prompt_tokens_per_document']:.0f}",
    }
    for label, cell in rows.items():
        lines.append(f"| {label} | " + " | ".join(cell(run) for run in runs.values()) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(table() + "\n")
