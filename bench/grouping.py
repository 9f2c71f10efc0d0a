"""Grouping 100,000 agreement reports into agreements: seconds and peak memory.

    python bench/grouping.py [--sizes 10000 100000] [--popular 0.1]

A synthetic corpus in the shapes of the grouping gold set (eval/gold/grouping): each
synthetic agreement copies the reports of one gold agreement (its statuses, names, types,
amounts, dates and the days between its reports), moved to a random day between 1980 and
2026 and to a random pair (or trio) of 150 states; `--popular` of them go to one dyad
(the United States and Japan), so that one block holds thousands of reports over 46
years, as a real corpus's busiest dyad would. One document per report, in JSONL.

Runs `treatyx dataset corpus.jsonl -o DIR` (the real CLI, a child process: load, group,
reconcile, write CSV) and, in this process, `group_reports` alone on the loaded documents.
Grouping compares a report only with the agreements of its own party set seen within the
window (or sharing its month of signing), so ten times the reports should take about ten
times as long; quadratic grouping would take a hundred times.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

from treatyx.grouping import group_reports  # noqa: E402
from treatyx.grouping_score import read_ids  # noqa: E402
from treatyx.models import Document, Party  # noqa: E402
from treatyx.results import load_results  # noqa: E402

GOLD = c.ROOT / "eval" / "gold" / "grouping"
START, END = dt.date(1980, 1, 1), dt.date(2026, 1, 1)


def templates() -> list[list[tuple[Document, int]]]:
    """The gold agreements, each as its reports (document, index) in publication order."""
    documents = {d.doc_id: d for d in load_results(GOLD)}
    by_id: dict[str, list[tuple[Document, int]]] = {}
    for (doc_id, index), gid in sorted(read_ids(GOLD / "reports.csv").items()):
        by_id.setdefault(gid, []).append((documents[doc_id], index))
    return [sorted(r, key=lambda x: x[0].published) for r in by_id.values()]


def states() -> list[Party]:
    from treatyx.normalize.parties import lookup_party

    rows = (c.ROOT / "treatyx/normalize/data/cow_states.csv").read_text().splitlines()
    parties = []
    for row in rows:
        fields = row.split(",")
        if row.startswith(("#", "cow,")) or not fields[3]:
            continue
        info = lookup_party(fields[4])
        if info is not None and info.iso3 == fields[3]:
            parties.append(Party(name=info.name, iso3=info.iso3, cow=info.cow, kind="state",
                                 mention=fields[4]))
    wanted = [p for p in parties if p.iso3 in ("USA", "JPN")]
    return wanted + [p for p in parties if p not in wanted][:148]


def shift_date(value: str, days: int) -> str:
    year, month, day = (value.split("-") + ["01", "01"])[:3]
    moved = dt.date(int(year), int(month), int(day)) + dt.timedelta(days=days)
    return moved.isoformat()[: len(value)]


def synthetic(n_reports: int, popular: float, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    shapes, pool = templates(), states()
    usa, jpn = (next(p for p in pool if p.iso3 == code) for code in ("USA", "JPN"))
    documents: list[Document] = []
    k = 0
    while len(documents) < n_reports:
        shape = rng.choice(shapes)
        first = shape[0][0].published
        offset = (START - first).days + rng.randrange((END - START).days)
        n_states = sum(p.kind == "state" for p in shape[0][0].agreements[shape[0][1]].parties)
        chosen = [usa, jpn] if rng.random() < popular and n_states == 2 else rng.sample(
            pool, n_states)
        for j, (document, index) in enumerate(shape):
            agreement = document.agreements[index]
            others = [p for p in agreement.parties if p.kind != "state"]
            dates = [d.model_copy(update={"value": shift_date(d.value, offset)})
                     for d in agreement.dates]
            moved = agreement.model_copy(update={"parties": chosen + others, "dates": dates})
            documents.append(Document(doc_id=f"s{k:06d}_{j}", title=document.title,
                                      published=document.published + dt.timedelta(days=offset),
                                      agreements=[moved]))
        k += 1
    return documents[:n_reports]


def main() -> int:
    parser = c.arguments(__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--popular", type=float, default=0.1,
                        help="share of two-state agreements on one dyad (default 0.1)")
    args = parser.parse_args()
    scratch = c.begin(args, "grouping")
    rows = []
    try:
        for size in args.sizes:
            documents = synthetic(size, args.popular)
            corpus = scratch / f"reports-{size}.jsonl"
            with corpus.open("w", encoding="utf-8") as out:
                for document in documents:
                    out.write(document.to_json() + "\n")
            out_dir = scratch / f"dataset-{size}"

            def cli(corpus=corpus, out_dir=out_dir):
                return c.run_timed(c.treatyx_cmd("dataset", str(corpus), "-o", str(out_dir)))

            result = c.undisturbed(f"dataset {size}", cli)
            started = time.perf_counter()
            groups = group_reports(documents)
            grouping = time.perf_counter() - started
            busiest = max(sum(1 for d in documents if {p.iso3 for p in d.agreements[0].parties}
                              == {"USA", "JPN"}), 0)
            made = len({d.doc_id.split("_")[0] for d in documents})
            rows.append((size, made, len(groups), busiest, grouping, result["wall"],
                         result["maxrss_mib"], corpus.stat().st_size / 2**20))
            print(f"{size:,} reports: {len(groups):,} agreements, grouping {grouping:.2f} s, "
                  f"CLI {result['wall']:.1f} s, peak {result['maxrss_mib']:.0f} MiB "
                  f"(load average {c.load_average()})", flush=True)
    finally:
        c.cleanup(scratch)
    print("\n| reports | synthetic agreements | agreements found | reports on the busiest dyad "
          "| group_reports s | `treatyx dataset` s | peak RSS MiB | corpus MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size, made, agreements, busiest, grouping, wall, rss, mib in rows:
        print(f"| {size:,} | {made:,} | {agreements:,} | {busiest:,} | {grouping:.2f} | "
              f"{wall:.1f} | {rss:.0f} | {mib:.1f} |")
    if len(rows) > 1:
        (small, *_), (large, *_) = rows[0], rows[-1]
        ratio = rows[-1][4] / rows[0][4]
        print(f"\n{large // small}x the reports: group_reports {ratio:.1f}x the time.")
    c.report_disturbance()
    return 0


if __name__ == "__main__":
    sys.exit(main())
