"""Seconds and requests per article against article length, with the local model.

    flock /tmp/treatyx-model.lock python bench/long_articles.py [--sets realdev long] \
        [--budget 840] [--private eval/results/private/long_articles.jsonl]
    python bench/long_articles.py --report      # the tables from bench/long_articles.jsonl

Real articles are longer than the eval ones. This runs `--backend local` (no response
cache, one document at a time, the screen off so every article is asked) over the
articles of ../shared/realdev, the BBC politics articles that pass the screen and the BBC
politics articles nearest 5,000, 7,500, 10,000 and 15,000 characters, picked
so that lengths spread from the shortest to the longest, until the time budget is spent.
Per article: body characters, seconds, requests, prompt tokens; then the same by length
band and least-squares slopes (requests and seconds per 1,000 characters).

Each article's figures are appended to `--rows` (bench/long_articles.jsonl: ids and
numbers only, the texts are not ours); a rerun skips the articles already there, so runs
within separate lock turns add up. `--private` also writes the output documents, for
reading by eye, to a git-ignored path.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

from treatyx import Extractor, screen  # noqa: E402
from treatyx.loading import SourceDocument, iter_documents  # noqa: E402

SHARED = c.ROOT.parent / "shared"
SETS = {"realdev": "realdev", "screened": "bbc politics, screen passes",
        "long": "bbc politics, long"}
LONG = (5000, 7500, 10_000, 15_000)
BANDS = [(0, 2000), (2000, 3000), (3000, 4500), (4500, 7000), (7000, 100_000)]


def articles(sets: list[str]) -> list[tuple[str, SourceDocument]]:
    """realdev: ../shared/realdev; screened: the BBC politics articles that pass the
    screen; long: the BBC politics articles nearest LONG characters (the section is
    mostly short)."""
    found = []
    if "realdev" in sets:
        found += [(SETS["realdev"], d) for d in iter_documents(sorted((SHARED / "realdev").glob(
            "d*.txt"))) if isinstance(d, SourceDocument)]
    bbc = SHARED / "testdata" / "bbc" / "bbc.jsonl"
    politics = [d for d in iter_documents([bbc])
                if isinstance(d, SourceDocument) and "-politics-" in d.doc_id]
    if "screened" in sets:
        found += [(SETS["screened"], d) for d in politics if screen.passes(d)]
    if "long" in sets:
        longest = {min(politics, key=lambda d: abs(len(d.body) - n)).doc_id for n in LONG}
        found += [(SETS["long"], d) for d in politics if d.doc_id in longest]
    return found


def spread(items: list[tuple[str, SourceDocument]]) -> list[tuple[str, SourceDocument]]:
    """Sorted by length, then taken at 0, 1, 1/2, 1/4, 3/4, 1/8 ... of the way: wherever
    the budget cuts the list, the lengths measured spread from shortest to longest."""
    ordered = sorted(items, key=lambda item: len(item[1].body))
    last = len(ordered) - 1
    picked: dict[int, None] = dict.fromkeys([0, last])
    parts = 2
    while len(picked) < len(ordered):
        for k in range(1, parts, 2):
            picked.setdefault(round(last * k / parts))
        parts *= 2
    return [ordered[i] for i in picked]


def slope(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least squares y = a + b x: (a, b)."""
    mx, my = statistics.mean(xs), statistics.mean(ys)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs)
    return my - b * mx, b


def main() -> None:
    parser = c.arguments(__doc__)
    parser.add_argument("--sets", nargs="+", default=["screened", "realdev", "long"],
                        choices=list(SETS), help="measured set by set, in this order")
    parser.add_argument("--budget", type=float, default=840.0, help="seconds of extraction")
    parser.add_argument("--rows", type=Path, default=c.ROOT / "bench" / "long_articles.jsonl",
                        help="figures per article are appended here (ids and numbers only)")
    parser.add_argument("--private", type=Path, help="write the output documents here")
    parser.add_argument("--report", action="store_true", help="only print the tables")
    args = parser.parse_args()
    if not args.report:
        measure(args)
    report([json.loads(line) for line in args.rows.read_text().splitlines() if line])


def measure(args) -> None:
    c.begin(args, "long")
    print(f"load average before: {c.load_average()}")
    done = set()
    if args.rows.exists():
        done = {json.loads(line)["doc_id"] for line in args.rows.read_text().splitlines()
                if line}
    private = args.private.open("a", encoding="utf-8") if args.private else None
    started = time.perf_counter()
    with Extractor(backend="local", cache=False, concurrency=1, screen=False) as extractor, \
            args.rows.open("a", encoding="utf-8") as rows:
        found = articles(args.sets)
        # set by set in the order of --sets, lengths spread within each
        ordered = [a for name in args.sets for a in spread(
            [a for a in found if a[0] == SETS[name]])]
        for corpus, source in ordered:
            if source.doc_id in done:
                continue
            if time.perf_counter() - started > args.budget:
                break
            document = extractor.extract(source)
            usage = document.extractor.usage
            row = {"set": corpus, "doc_id": source.doc_id, "chars": len(source.body),
                   "seconds": document.extractor.seconds, "requests": usage.requests,
                   "prompt_tokens": usage.prompt_tokens,
                   "agreements": len(document.agreements), "load": c.load_average()}
            rows.write(json.dumps(row) + "\n")
            rows.flush()
            print(f"  {row}", file=sys.stderr, flush=True)
            if private:
                private.write(document.model_dump_json() + "\n")
                private.flush()
    if private:
        private.close()
    print(f"measured for {time.perf_counter() - started:.0f} s; "
          f"load average after: {c.load_average()}\n")


def report(rows: list[dict]) -> None:
    print("| set | doc_id | body chars | seconds | requests | prompt tokens | agreements |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in sorted(rows, key=lambda r: r["chars"]):
        print(f"| {r['set']} | {r['doc_id']} | {r['chars']:,} | {r['seconds']:.1f} | "
              f"{r['requests']} | {r['prompt_tokens']:,} | {r['agreements']} |")
    print("\n| body chars | articles | seconds (mean) | requests (mean) | s per 1,000 chars |")
    print("|---|---:|---:|---:|---:|")
    for low, high in BANDS:
        band = [r for r in rows if low <= r["chars"] < high]
        if band:
            per = statistics.mean(r["seconds"] / r["chars"] * 1000 for r in band)
            print(f"| {low:,}-{high:,} | {len(band)} | "
                  f"{statistics.mean(r['seconds'] for r in band):.1f} | "
                  f"{statistics.mean(r['requests'] for r in band):.2f} | {per:.1f} |")
    if len(rows) >= 3:
        xs = [r["chars"] / 1000 for r in rows]
        a_req, b_req = slope(xs, [r["requests"] for r in rows])
        a_sec, b_sec = slope(xs, [r["seconds"] for r in rows])
        print(f"\nleast squares over {len(rows)} articles: requests = {a_req:.2f} + "
              f"{b_req:.2f} per 1,000 chars; seconds = {a_sec:.1f} + {b_sec:.1f} per 1,000 "
              "chars")


if __name__ == "__main__":
    main()
