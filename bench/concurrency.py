"""Documents per second at concurrency 1, 4, 16 and 64 against a fixed-latency server.

    python bench/concurrency.py [--latency 0.25] [--seconds 5] [--repeat 3]

A scripted OpenAI-compatible server (tests/scripted_server.py) answers every request
with a valid extraction after a fixed delay. The synthetic corpus has distinct articles
(one chunk each, so one request per document when the answer validates), and each run is
the real CLI:

    treatyx extract corpus.jsonl -o out.jsonl --backend openai --base-url URL
        --api-key dummy --model scripted --concurrency C --no-cache

The ideal is C / latency / requests-per-document. "wall" is the whole command, including
the interpreter start and imports (about a second, whatever C is); "batch" is from the
first request reaching the server to the last answer leaving it, the part --concurrency
can change, and the efficiency is measured on it.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

SUMMARY = re.compile(r"(\d+) document\(s\), (\d+) failed, .*?(\d+) requests, ")


def run_once(server, corpus: Path, out: Path, docs: int, concurrency: int,
             latency: float) -> dict:
    out.unlink(missing_ok=True)  # a fresh output each attempt (else it resumes)
    before = len(server.requests)
    server_cpu = sum(os.times()[:2])
    run = c.run_timed(c.treatyx_cmd(
        "extract", str(corpus), "-o", str(out), "--backend", "openai",
        "--base-url", server.base_url, "--api-key", "dummy", "--model", "scripted",
        "--concurrency", str(concurrency), "--no-cache"))
    server_cpu = sum(os.times()[:2]) - server_cpu  # this process: the server's threads
    c.check_output(out, docs)
    found = SUMMARY.search(run["stderr"])
    if found is None:
        raise RuntimeError(f"no summary line in stderr:\n{run['stderr']}")
    done, failed, requests = int(found[1]), int(found[2]), int(found[3])
    arrivals = server.arrivals[before:]
    if (done, failed) != (docs, 0) or len(arrivals) != requests:
        raise RuntimeError(f"{done} done, {failed} failed, {requests} requests counted, "
                           f"{len(arrivals)} seen by the server")
    # the batch proper: first request in to last answer out (the answer leaves `latency`
    # after its request came in), so interpreter start, imports and opening the backend
    # are not in it
    batch = arrivals[-1] + latency - arrivals[0]
    return {"wall": run["wall"], "batch": batch, "startup": arrivals[0] - run["started"],
            "tail": run["ended"] - (arrivals[-1] + latency), "requests": len(arrivals),
            "cpu": run["cpu"], "server_cpu": server_cpu, "rss": run["maxrss_mib"]}


def main() -> None:
    parser = c.arguments(__doc__)
    parser.add_argument("--latency", type=float, default=0.25, help="seconds per answer")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="ideal length of each run; docs = C x seconds / latency")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16, 64])
    parser.add_argument("--repeat", type=int, default=3, help="runs per level (median)")
    args = parser.parse_args()

    work = c.begin(args, "concurrency")
    print(f"latency {args.latency} s per request; load average before: {c.load_average()}")
    rows = []
    try:
        with c.scripted_server(args.latency) as server:
            for concurrency in args.concurrency:
                docs = max(20, round(concurrency * args.seconds / args.latency))
                corpus = c.write_corpus(work / f"corpus{docs}.jsonl", docs)
                runs = []
                for r in range(args.repeat):
                    out = work / f"out-c{concurrency}-{r}.jsonl"
                    runs.append(c.undisturbed(f"concurrency {concurrency} run {r + 1}",
                                              run_once, server, corpus, out, docs,
                                              concurrency, args.latency))
                    x = runs[-1]
                    print(f"  c={concurrency} run {r + 1}: batch {x['batch']:.2f} s, wall "
                          f"{x['wall']:.2f} s (start {x['startup']:.2f} s, tail "
                          f"{x['tail']:.2f} s), {x['cpu']:.2f} s CPU",
                          file=sys.stderr, flush=True)
                per_doc = runs[0]["requests"] / docs
                med = {k: statistics.median(x[k] for x in runs)
                       for k in ("wall", "batch", "startup", "cpu", "server_cpu")}
                ideal = concurrency / args.latency / per_doc
                rate = docs / med["batch"]
                rows.append((concurrency, docs, per_doc, med["wall"], med["startup"],
                             med["batch"], rate, docs / med["wall"], ideal, 100 * rate / ideal,
                             med["cpu"], med["server_cpu"], max(x["rss"] for x in runs)))
    finally:
        c.cleanup(work)

    print()
    print("| concurrency | docs | requests/doc | wall s | start s | batch s | docs/s (batch) "
          "| docs/s (wall) | ideal docs/s | efficiency | treatyx CPU s | server CPU s "
          "| peak RSS MiB |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (conc, docs, per_doc, wall, start, batch, rate, wall_rate, ideal, eff, cpu,
         server_cpu, rss) in rows:
        print(f"| {conc} | {docs} | {per_doc:.2f} | {wall:.2f} | {start:.2f} | {batch:.2f} | "
              f"{rate:.1f} | {wall_rate:.1f} | {ideal:.1f} | {eff:.0f}% | {cpu:.2f} | "
              f"{server_cpu:.2f} | {rss:.0f} |")
    print(f"\nmedian of {args.repeat} runs each. start: process start to the first request; "
          "batch: first request in to last answer out; efficiency = docs/s (batch) / ideal. "
          "Every output checked: one valid line per document, no errors file, requests seen "
          "by the server = treatyx's own count.")
    c.report_disturbance()


if __name__ == "__main__":
    main()
