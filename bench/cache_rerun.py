"""A rerun answered from the response cache: no request reaches the endpoint.

    python bench/cache_rerun.py [--docs 400] [--latency 0.25] [--concurrency 16]

Three runs of the real CLI on one synthetic corpus against the scripted server (fixed
latency), with the cache on in a fresh --cache-dir:

1. first run: every document is a request; the answers go into the cache;
2. rerun with a fresh -o: every document is a cache hit (no request may reach the
   server), then validated and written again;
3. rerun with the same -o as run 2: the output already holds every doc_id, so nothing is
   extracted at all (the resume path).

The cache key includes the endpoint's URL, so the reruns use the same server (port).
"""

from __future__ import annotations

import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

HITS = re.compile(r"(\d+) document\(s\), (\d+) failed, .*?(\d+) requests, (\d+) cache hit")


def extract(server, corpus: Path, out: Path, cache: Path, concurrency: int):
    before = len(server.requests)
    run = c.run_timed(c.treatyx_cmd(
        "extract", str(corpus), "-o", str(out), "--backend", "openai",
        "--base-url", server.base_url, "--api-key", "dummy", "--model", "scripted",
        "--concurrency", str(concurrency), "--cache-dir", str(cache)))
    found = HITS.search(run["stderr"])
    counts = tuple(int(x) for x in found.groups()) if found else (0, 0, 0, 0)
    return {"wall": run["wall"], "cpu": run["cpu"], "requests": len(server.requests) - before,
            "docs": counts[0], "hits": counts[3]}


def sequence(server, corpus: Path, work: Path, docs: int, concurrency: int) -> list[dict]:
    """First run, rerun with a fresh -o, rerun with the same -o; a fresh cache."""
    c.cleanup(work)
    work.mkdir(parents=True)
    cache = work / "cache"
    first = extract(server, corpus, work / "first.jsonl", cache, concurrency)
    c.check_output(work / "first.jsonl", docs)
    rerun = extract(server, corpus, work / "rerun.jsonl", cache, concurrency)
    c.check_output(work / "rerun.jsonl", docs)
    resume = extract(server, corpus, work / "rerun.jsonl", cache, concurrency)
    c.check_output(work / "rerun.jsonl", docs)
    first["cache_mib"] = sum(p.stat().st_size for p in cache.rglob("*")
                             if p.is_file()) / 2**20
    if rerun["requests"] != 0 or rerun["hits"] != docs:
        raise SystemExit(f"the rerun was not answered from the cache: {rerun}")
    return [first, rerun, resume]


def main() -> None:
    parser = c.arguments(__doc__)
    parser.add_argument("--docs", type=int, default=400)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3, help="sequences (median)")
    args = parser.parse_args()
    work = c.begin(args, "cache")
    runs = []
    try:
        corpus = c.write_corpus(work / "corpus.jsonl", args.docs)
        with c.scripted_server(args.latency) as server:
            for r in range(args.repeat):
                runs.append(c.undisturbed(f"cache sequence {r + 1}", sequence, server, corpus,
                                          work / "run", args.docs, args.concurrency))
                print(f"  sequence {r + 1}: " + ", ".join(f"{x['wall']:.2f} s" for x in runs[-1]),
                      file=sys.stderr, flush=True)
    finally:
        c.cleanup(work)

    names = ["first run (cache empty)", "rerun, fresh -o (all cache hits)",
             "rerun, same -o (all done: resume skips)"]
    med = [{k: statistics.median(seq[i][k] for seq in runs) for k in ("wall", "cpu")}
           | {k: max(seq[i][k] for seq in runs) for k in ("requests", "hits", "docs")}
           for i in range(3)]
    print(f"\n{args.docs} synthetic documents, scripted server latency {args.latency} s, "
          f"--concurrency {args.concurrency}, cache in a fresh --cache-dir "
          f"({runs[0][0]['cache_mib']:.1f} MiB after the first run); median of {args.repeat} "
          "sequences\n")
    print("| run | wall s | requests seen by the server | cache hits | docs written | "
          "treatyx CPU s | ms/doc (wall) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, x in zip(names, med, strict=True):
        print(f"| {name} | {x['wall']:.2f} | {x['requests']} | {x['hits']} | {x['docs']} | "
              f"{x['cpu']:.2f} | {1000 * x['wall'] / args.docs:.1f} |")
    speedup = med[0]["wall"] / med[1]["wall"]
    hit_ms = 1000 * (med[1]["wall"] - med[2]["wall"]) / args.docs
    print(f"\nrerun from the cache: {speedup:.1f}x faster than the first run. Wall includes "
          "the interpreter start, imports and opening the backend, which the resume run "
          f"also pays: a cache hit costs about {hit_ms:.1f} ms per document beyond it "
          "((rerun - resume) / docs). Requests and cache hits: the largest of the sequences.")
    c.report_disturbance()


if __name__ == "__main__":
    main()
