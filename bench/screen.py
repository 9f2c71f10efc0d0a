"""The screen's recall on gold agreements and the model work it saves on a news stream.

    python bench/screen.py [--bbc ../shared/testdata/bbc/bbc.jsonl] [--cost ROWS.jsonl]

- recall: for every gold agreement of eval/gold/{dev,test} and ../shared/realdev, does
  its article pass the screen (and does a passing window overlap its evidence)?
- the BBC stream: the share of articles, per section, that the screen sends on, and the
  screen's own ms per article;
- savings: requests and seconds the local backend would not spend, each article's from
  its length by the line through the measured local runs of bench/long_articles.py
  (`--cost`, default bench/long_articles.jsonl).

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


def stream_table(path: Path) -> list[tuple[int, bool]]:
    """Prints the share sent per section; gives (body chars, sent) for every article."""
    sent, total, times, articles = collections.Counter(), collections.Counter(), [], []
    for document in iter_documents([path]):
        section = document.doc_id.split("-")[1] if document.doc_id.count("-") >= 2 else "all"
        started = time.perf_counter()
        passes = screen.passes(document)
        times.append(time.perf_counter() - started)
        total[section] += 1
        sent[section] += passes
        articles.append((len(document.body), passes))
    print("\n| section | articles | sent to the model | share |")
    print("|---|---:|---:|---:|")
    for section in sorted(total):
        print(f"| {section} | {total[section]} | {sent[section]} | "
              f"{sent[section] / total[section]:.1%} |")
    n, s = sum(total.values()), sum(sent.values())
    print(f"| **all** | {n} | {s} | {s / n:.1%} |")
    print(f"\nscreen: {statistics.mean(times) * 1000:.2f} ms per article on average, "
          f"{sum(times):.1f} s for all {n}")
    return articles


def _fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    mx, my = statistics.mean(xs), statistics.mean(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs)
    return my - b * mx, b


def savings(articles: list[tuple[int, bool]], cost: Path) -> None:
    """Requests and hours of the local backend with and without the screen: per article
    from its length, by the least-squares line through the measured local runs of
    bench/long_articles.py (`chars`, `seconds`, `requests` per article)."""
    rows = [json.loads(line) for line in cost.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    if len(rows) < 3:
        return
    xs = [r["chars"] for r in rows]
    seconds, requests = _fit(xs, [r["seconds"] for r in rows]), _fit(
        xs, [r["requests"] for r in rows])

    def total(fit: tuple[float, float], which) -> float:
        return sum(max(0.0, fit[0] + fit[1] * chars) for chars, sent in articles
                   if which(sent))

    print(f"\nlocal backend, measured on {len(rows)} articles ({cost.name}): seconds = "
          f"{seconds[0]:.1f} + {seconds[1] * 1000:.1f} per 1,000 chars, requests = "
          f"{requests[0]:.2f} + {requests[1] * 1000:.2f} per 1,000 chars")
    print("\n| | without the screen | with it | saved |")
    print("|---|---:|---:|---:|")
    for name, fit, scale, form in (("requests", requests, 1, ",.0f"),
                                   ("hours on 2 cores", seconds, 3600, ",.1f")):
        every, kept = total(fit, lambda _: True) / scale, total(fit, bool) / scale
        print(f"| {name} | {every:{form}} | {kept:{form}} | {every - kept:{form}} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bbc", type=Path, default=SHARED / "testdata" / "bbc" / "bbc.jsonl")
    parser.add_argument("--cost", type=Path,
                        default=c.ROOT / "bench" / "long_articles.jsonl",
                        help="per-article figures of local runs (bench/long_articles.py)")
    args = parser.parse_args()
    c.print_machine()
    print()
    recall_table(gold_sets())
    articles = stream_table(args.bbc)
    if args.cost.exists():
        savings(articles, args.cost)


if __name__ == "__main__":
    main()
