"""Peak memory of `treatyx extract` on a 10,000-document corpus against a 1,000-document one.

    python bench/memory.py [--sizes 1000 10000] [--latency 0.01] [--concurrency 16]

Runs the real CLI on synthetic JSONL corpora (distinct ~1 KB articles) with the offline
rules backend, and with the openai backend against the scripted server (cache off,
fixed latency). Peak RSS is the child's own (os.wait4 rusage, ru_maxrss). A batch that
streams has the same peak at both sizes, give or take what it must remember per document
(the doc_ids seen, a few dozen bytes each); growth in proportion to the corpus means
something holds the corpus or the results.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402


def run(backend: str, corpus: Path, out: Path, docs: int, server=None,
        concurrency: int = 16) -> dict:
    out.unlink(missing_ok=True)  # a fresh output each attempt (else it resumes)
    args = ["extract", str(corpus), "-o", str(out), "--backend", backend]
    if backend == "openai":
        args += ["--base-url", server.base_url, "--api-key", "dummy", "--model", "scripted",
                 "--concurrency", str(concurrency), "--no-cache"]
    result = c.run_timed(c.treatyx_cmd(*args))
    c.check_output(out, docs, valid=backend != "rules")
    return result


def loader_peak_mib(corpus: Path) -> float:
    import tracemalloc

    from treatyx.loading import iter_documents

    tracemalloc.start()
    try:
        for _ in iter_documents([corpus]):
            pass
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = c.arguments(__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--latency", type=float, default=0.01)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--backends", nargs="+", default=["rules", "openai"])
    args = parser.parse_args()

    work = c.begin(args, "memory")
    rows = []
    loader = []
    try:
        with c.scripted_server(args.latency) as server:
            for size in args.sizes:
                corpus = c.write_corpus(work / f"corpus{size}.jsonl", size)
                mib = corpus.stat().st_size / 2**20
                for backend in args.backends:
                    out = work / f"out-{backend}-{size}.jsonl"
                    result = c.undisturbed(f"memory {backend} {size}", run, backend, corpus,
                                           out, size, server, args.concurrency, tries=2)
                    rows.append((backend, size, mib, result["maxrss_mib"], result["wall"],
                                 out.stat().st_size / 2**20))
                    print(f"  {backend} {size}: {result['maxrss_mib']:.1f} MiB peak, "
                          f"{result['wall']:.1f} s", file=sys.stderr, flush=True)
                    out.unlink()
                loader.append((size, loader_peak_mib(corpus)))
    finally:
        c.cleanup(work)

    print()
    print("| backend | docs | corpus MiB | output MiB | peak RSS MiB | growth vs smallest "
          "| wall s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    first: dict[str, float] = {}
    for backend, size, mib, rss, wall, out_mib in rows:
        base = first.setdefault(backend, rss)
        print(f"| {backend} | {size:,} | {mib:.1f} | {out_mib:.1f} | {rss:.1f} | "
              f"{rss - base:+.1f} MiB | {wall:.1f} |")
    if args.backends and "openai" in args.backends:
        print(f"\nopenai: scripted server, latency {args.latency} s, concurrency "
              f"{args.concurrency}, --no-cache.")
    print("\nWhere it goes: peak memory allocated by Python (tracemalloc) while only iterating "
          "`treatyx.loading.iter_documents` over the corpus, in this process:\n")
    print("| docs | loader peak MiB |")
    print("|---:|---:|")
    for size, peak in loader:
        print(f"| {size:,} | {peak:.1f} |")
    c.report_disturbance()


if __name__ == "__main__":
    main()
