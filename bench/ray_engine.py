"""10,000 documents with the rules backend: one process against `--engine ray`, in one run.

    python bench/ray_engine.py [--docs 10000] [--actors 2]

Both through the real CLI (`treatyx extract CORPUS -o OUT --backend rules`, then the same
with `--engine ray`, which starts a local Ray cluster on this machine for the run), on the
synthetic ~1.2 KB articles of bench/_common.py. Reports wall seconds and docs/s for each,
the Ray run's fixed start-up (a run of 10 documents), and checks that both outputs hold
the same documents and facts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402


def run(corpus: Path, out: Path, docs: int, *extra: str) -> dict:
    out.unlink(missing_ok=True)
    result = c.run_timed(c.treatyx_cmd("extract", str(corpus), "-o", str(out),
                                       "--backend", "rules", *extra))
    c.check_output(out, docs, valid=False)
    return result


def facts(path: Path) -> dict[str, dict]:
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        document = json.loads(line)
        del document["extractor"]["seconds"]
        found[document["doc_id"]] = document
    return found


def main() -> None:
    parser = c.arguments(__doc__)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--actors", type=int, help="--ray-actors (default: one per CPU)")
    args = parser.parse_args()
    work = c.begin(args, "ray")
    actors = ["--ray-actors", str(args.actors)] if args.actors else []
    rows = []
    try:
        corpus = c.write_corpus(work / "corpus.jsonl", args.docs)
        small = c.write_corpus(work / "small.jsonl", 10)
        plain, ray = work / "plain.jsonl", work / "ray.jsonl"
        for name, out, extra in (("one process", plain, []),
                                 ("--engine ray", ray, ["--engine", "ray", *actors])):
            result = c.undisturbed(name, run, corpus, out, args.docs, *extra, tries=2)
            rows.append((name, args.docs, result["wall"], args.docs / result["wall"],
                         result["maxrss_mib"]))
            print(f"  {name}: {result['wall']:.1f} s", file=sys.stderr, flush=True)
        same = facts(plain) == facts(ray)
        startup = c.undisturbed("ray 10 docs", run, small, work / "small-ray.jsonl", 10,
                                "--engine", "ray", *actors, tries=2)
    finally:
        c.cleanup(work)

    print()
    print("| engine | docs | wall s | docs/s | driver peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    for name, docs, wall, rate, rss in rows:
        print(f"| {name} | {docs:,} | {wall:.1f} | {rate:.0f} | {rss:.0f} |")
    print(f"\n--engine ray on 10 documents (start-up and shut-down of the local cluster): "
          f"{startup['wall']:.1f} s")
    print(f"same documents and facts in both outputs: {'yes' if same else 'NO'}")
    print(f"load average after: {c.load_average()}")
    c.report_disturbance()


if __name__ == "__main__":
    main()
