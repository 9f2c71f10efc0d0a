"""Where the time of an LLM batch goes: py-spy over `treatyx extract` at high concurrency.

    pip install --target /tmp/pyspy py-spy   # once, outside the project's venv
    python bench/profile_concurrency.py [--concurrency 64] [--docs 1280] [--py-spy PATH]

Samples every thread of the CLI (py-spy record --threads, active samples only) while it
extracts a synthetic corpus against the scripted server (0.25 s latency), then sums the
samples of each thread into buckets: each sample goes to the deepest bucket on its stack.
CPU ms per document = samples / rate / documents.
"""

from __future__ import annotations

import collections
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as c  # noqa: E402

BUCKETS = [  # (label, pattern on "function (file)"); the deepest match on a stack wins
    ("instructor: Jinja templating of every message, every request",
     r"^handle_templating \(instructor"),
    ("instructor: JSON schema of the response model, every request",
     r"^(ArticleWords\.model_json_schema|response_schema|openai_schema) "),
    ("instructor: response model preparation (pydantic create_model)",
     r"^prepare_response_model \(instructor"),
    ("instructor's retry loop, tenacity, treatyx's rate limiter, hooks",
     r"^(retry_async_v2|new_create_async|AsyncInstructor\.create) "),
    ("openai client: request options, transform, response parse",
     r"^(AsyncCompletions\.create|AsyncAPIClient\.(post|request)) "),
    ("HTTP: httpx/httpcore, sockets", r"^AsyncClient\.send \(httpx"),
    ("parse the answer (pydantic, JSON)", r"^OpenAIJSONHandler\.parse_response "),
    ("treatyx: resolve + validator on the answer (inside instructor)",
     r"^ArticleWords\.grounded_in_source "),
    ("treatyx: assemble (validator, provenance) after the answer", r"^Runner\._finish "),
    ("main thread: write (JSON dump, flush, fsync)", r"^ResumableOutput\.write "),
    ("main thread: loading the corpus", r"^(iter_documents|_iter_jsonl) "),
    ("main thread: runner (submit, wait, tally, progress)", r"^Runner\.run "),
    ("start-up: imports", r"^_find_and_load "),
    ("event loop itself (selectors, callbacks)", r"^BaseEventLoop\._run_once "),
]


def frame_key(frame: str) -> str:
    return re.sub(r":\d+\)$", ")", frame)


def bucket_of(frames: list[str]) -> str:
    for frame in reversed(frames):  # deepest first
        key = frame_key(frame)
        for label, pattern in BUCKETS:
            if re.search(pattern, key):
                return label
    return "other"


def main() -> None:
    parser = c.arguments(__doc__)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--docs", type=int, default=1280)
    parser.add_argument("--latency", type=float, default=0.25)
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or "/tmp/pyspy/bin/py-spy")
    args = parser.parse_args()
    if not Path(args.py_spy).exists():
        raise SystemExit("py-spy not found: pip install --target /tmp/pyspy py-spy")
    work = c.begin(args, "profile")
    try:
        corpus = c.write_corpus(work / "corpus.jsonl", args.docs)
        raw = work / "profile.txt"
        with c.scripted_server(args.latency) as server:
            def record() -> list[float]:
                out = work / "out.jsonl"
                out.unlink(missing_ok=True)
                before = len(server.arrivals)
                c.run_timed([args.py_spy, "record", "--threads", "-r", str(args.rate),
                             "-f", "raw", "-o", str(raw), "--", *c.treatyx_cmd(
                                 "extract", str(corpus), "-o", str(out), "--backend", "openai",
                                 "--base-url", server.base_url, "--api-key", "dummy",
                                 "--model", "scripted", "--concurrency",
                                 str(args.concurrency), "--no-cache")])
                c.check_output(out, args.docs)
                return server.arrivals[before:]

            arrivals = c.undisturbed("profile", record)
        batch = arrivals[-1] + args.latency - arrivals[0]
        per_thread: dict[str, collections.Counter] = collections.defaultdict(
            collections.Counter)
        for line in raw.read_text().splitlines():
            stack, count = line.rsplit(" ", 1)
            frames = stack.split(";")
            thread = re.sub(r"^thread \(\d+\):? ?", "", frames[0]) or "(unnamed)"
            per_thread[thread][bucket_of(frames[1:])] += int(count)
    finally:
        c.cleanup(work)

    print(f"\n{args.docs} documents at --concurrency {args.concurrency}, latency "
          f"{args.latency} s: {args.docs / batch:.1f} docs/s over the batch "
          f"(ideal {args.concurrency / args.latency:.0f}); py-spy at {args.rate} Hz, active "
          "samples only (a thread waiting is not sampled)\n")
    print("| thread | where | CPU s | ms/doc | share of the thread |")
    print("|---|---|---:|---:|---:|")
    for thread, buckets in sorted(per_thread.items(), key=lambda kv: -sum(kv[1].values())):
        total = sum(buckets.values())
        for label, samples in buckets.most_common():
            seconds = samples / args.rate
            print(f"| {thread} | {label} | {seconds:.2f} | "
                  f"{1000 * seconds / args.docs:.2f} | {100 * samples / total:.0f}% |")
        print(f"| **{thread}** | **all** | **{total / args.rate:.2f}** | "
              f"**{1000 * total / args.rate / args.docs:.2f}** | 100% |")
    c.report_disturbance()


if __name__ == "__main__":
    main()
