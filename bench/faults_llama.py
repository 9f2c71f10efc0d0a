"""`--backend openai --concurrency 4` through the fault proxy in front of a real
single-slot llama.cpp server (the pulled model): are documents lost, what does each cost?

    flock /tmp/treatyx-model.lock python bench/faults_llama.py [--articles 5] [--timeout 60]

The server is `treatyx model serve`'s (LocalServer, one slot); the proxy is
tests/fault_proxy.py with the rates below (seeded). Prints documents done/failed, wall
time, requests per document (from each output's `extractor.usage`), the faults the proxy
injected and treatyx's own summary of them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fault_proxy import FaultProxy  # noqa: E402

from treatyx.local_model import LocalServer  # noqa: E402

RATES = {"429": 0.1, "500": 0.1, "html": 0.05, "garbage": 0.05, "drop": 0.05, "slow": 0.1}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--slow", type=float, default=90.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    paths = sorted((ROOT / "eval/articles/dev").glob("*.txt"))[: args.articles]
    with LocalServer(parallel=1, ctx_size=8192) as server, \
            FaultProxy(server.base_url, rates=RATES, seed=args.seed,
                       slow_seconds=args.slow) as proxy, \
            tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out.jsonl"
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "treatyx", "extract", *map(str, paths),
                               "--backend", "openai", "--model", server.model,
                               "--base-url", proxy.base_url, "--api-key", "none",
                               "--concurrency", "4", "--timeout", str(args.timeout),
                               "--no-cache", "-o", str(out)], capture_output=True, text=True)
        seconds = time.monotonic() - started
        docs = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
        errors = Path(f"{out}.errors.jsonl")
        failed = errors.read_text().splitlines() if errors.exists() else []
    per_doc = [d["extractor"]["usage"]["requests"] for d in docs]
    print(f"| {len(paths)} articles, --concurrency 4, --timeout {args.timeout:g} | "
          f"{len(docs)} done, {len(failed)} lost | {seconds:.0f} s | requests per document "
          f"{per_doc} (mean {sum(per_doc) / max(len(per_doc), 1):.1f}) | exit {done.returncode} |")
    print("proxy injected:", json.dumps(dict(proxy.faults)))
    print("\n".join(line for line in done.stderr.splitlines() if line.startswith("treatyx:")))
    for line in failed:
        print("lost:", json.loads(line).get("error"))


if __name__ == "__main__":
    main()
