"""The screen's recall on gold agreements and the model work it saves on a news stream.

    python bench/screen.py [--bbc ../shared/testdata/bbc/bbc.jsonl] [--cost OUT.jsonl ...]

- recall: for every gold agreement of eval/gold/{dev,test} and ../shared/realdev, does
  its article pass the screen (and does a passing window overlap its evidence)?
- the BBC stream: the share of articles, per section, that the screen sends on, and the
  screen's own ms per article;
- savings: requests and seconds the local backend would not spend, from the measured
  per-article cost of local runs (`--cost`: treatyx output JSONL of `--backend local`
  runs, e.g. eval/results/local.jsonl; their mean seconds and requests per article).

Prints markdown; reads ../shared, writes nothing (the BBC and realdev texts are not ours).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

from treatyx import screen  # noqa: E402
from treatyx.loading import iter_documents  # noqa: E402

SHARED = c.ROOT.parent / "shared"


def gold_sets() -> dict[str, list[tuple]]:
    """set name -> [(document, gold dict)], for the eval splits and realdev."""
    sets: dict[str, list[tuple]] = {}
    for split in ("dev", "test"):
        docs = {d.doc_id: d for d in iter_documents([c.ROOT / "eval" / "articles" / split])}
        sets[split] = [(docs[g["doc_id"]], g) for g in _golds(c.ROOT / "eval" / "gold" / split,
                                                              "*.json")]
    realdev = SHARED / "realdev"
    if realdev.is_dir():
        docs = {d.doc_id: d for d in iter_documents(sorted(realdev.glob("d*.txt")))}
        sets["realdev"] = [(docs[g["doc_id"]], g) for g in _golds(realdev, "*.gold.json")]
    return sets


def _golds(folder: Path, pattern: str) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob(pattern))]


def _evidence_spans(document, agreement: dict) -> list[tuple[int, int]]:
    spans = []
    for evidence in agreement["evidence"]:
        if evidence.get("span"):
            spans.append(tuple(evidence["span"]))
        elif (at := document.text.find(evidence["quote"])) >= 0:
            spans.append((at, at + len(evidence["quote"])))
    return spans


def recall_table(sets: dict[str, list[tuple]]) -> None:
    print("| set | articles | gold agreements | article passes | a passing window holds "
          "its evidence |")
    print("|---|---:|---:|---:|---:|")
    for name, pairs in sets.items():
        agreements = passed = near = 0
        for document, gold in pairs:
            windows = list(screen.windows(document))
            for agreement in gold["agreements"]:
                agreements += 1
                passed += bool(windows)
                near += any(s < we and ws < e for s, e in _evidence_spans(document, agreement)
                            for ws, we in windows)
                if not windows:
                    print(f"  missed: {name} {document.doc_id}", file=sys.stderr)
        print(f"| {name} | {len(pairs)} | {agreements} | {passed} ({passed / agreements:.0%}) "
              f"| {near} ({near / agreements:.0%}) |")


def stream_table(path: Path) -> tuple[int, int]:
    sent, total, times = collections.Counter(), collections.Counter(), []
    for document in iter_documents([path]):
        section = document.doc_id.split("-")[1] if document.doc_id.count("-") >= 2 else "all"
        started = time.perf_counter()
        passes = screen.passes(document)
        times.append(time.perf_counter() - started)
        total[section] += 1
        sent[section] += passes
    print("\n| section | articles | sent to the model | share |")
    print("|---|---:|---:|---:|")
    for section in sorted(total):
        print(f"| {section} | {total[section]} | {sent[section]} | "
              f"{sent[section] / total[section]:.1%} |")
    n, s = sum(total.values()), sum(sent.values())
    print(f"| **all** | {n} | {s} | {s / n:.1%} |")
    print(f"\nscreen: {statistics.mean(times) * 1000:.2f} ms per article on average, "
          f"{sum(times):.1f} s for all {n}")
    return n, s


def savings(n: int, sent: int, costs: list[Path]) -> None:
    rows = [json.loads(line) for path in costs
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["extractor"]["usage"]["requests"]]
    if not rows:
        return
    seconds = statistics.mean(r["extractor"]["seconds"] for r in rows)
    requests = statistics.mean(r["extractor"]["usage"]["requests"] for r in rows)
    skipped = n - sent
    print(f"\nlocal backend, measured: {seconds:.1f} s and {requests:.2f} requests per article "
          f"({len(rows)} articles of {', '.join(str(p) for p in costs)})")
    print("\n| | without the screen | with it | saved |")
    print("|---|---:|---:|---:|")
    print(f"| requests | {n * requests:,.0f} | {sent * requests:,.0f} | "
          f"{skipped * requests:,.0f} |")
    print(f"| hours on 2 cores | {n * seconds / 3600:.1f} | {sent * seconds / 3600:.2f} | "
          f"{skipped * seconds / 3600:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, default=SHARED / "testdata" / "bbc" / "bbc.jsonl")
    parser.add_argument("--cost", type=Path, nargs="*",
                        default=[c.ROOT / "eval" / "results" / "local.jsonl"])
    args = parser.parse_args()
    c.print_machine()
    print()
    recall_table(gold_sets())
    n, sent = stream_table(args.bbc)
    savings(n, sent, args.cost)


if __name__ == "__main__":
    main()
