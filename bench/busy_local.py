"""`--backend local` on a busy machine: N articles with CPU-burning processes beside it.

    flock /tmp/treatyx-model.lock python bench/busy_local.py [--burners 4] [--articles 22]

Starts the burners (each a Python busy loop bounded in time), runs
`treatyx extract ARTICLES --backend local --no-cache -o OUT` (the real CLI, a child
process), kills the burners and prints: documents done and failed, wall time, requests
and the run's own summary lines. The articles are the eval set's test split, then dev,
in name order (ours: no copyright question).
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


def articles(count: int) -> list[Path]:
    found = [*sorted((ROOT / "eval/articles/test").glob("*.txt")),
             *sorted((ROOT / "eval/articles/dev").glob("*.txt"))]
    return found[:count]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--burners", type=int, default=4)
    parser.add_argument("--articles", type=int, default=22)
    parser.add_argument("--limit", type=float, default=3600.0,
                        help="seconds the burners may run at most")
    args = parser.parse_args()
    # bounded by their own clock (a `timeout` wrapper, killed, would leave its child running)
    burn = f"import time\nend = time.time() + {args.limit}\nwhile time.time() < end: pass"
    burners = [subprocess.Popen([sys.executable, "-c", burn]) for _ in range(args.burners)]
    try:
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "out.jsonl"
            started = time.monotonic()
            done = subprocess.run([sys.executable, "-m", "treatyx", "extract",
                                   *map(str, articles(args.articles)), "--backend", "local",
                                   "--no-cache", "-o", str(out)],
                                  capture_output=True, text=True)
            seconds = time.monotonic() - started
            docs = [json.loads(line) for line in out.read_text().splitlines()] \
                if out.exists() else []
            errors = Path(f"{out}.errors.jsonl")
            failed = len(errors.read_text().splitlines()) if errors.exists() else 0
    finally:
        for burner in burners:
            burner.kill()
        for burner in burners:
            burner.wait()
    requests = sum(d["extractor"]["usage"]["requests"] for d in docs)
    print(f"| {args.articles} articles, {args.burners} burners | {len(docs)} done, {failed} "
          f"failed | {seconds:.0f} s wall ({seconds / max(len(docs), 1):.1f} s/article) | "
          f"{requests} requests | exit {done.returncode} |")
    print("\n".join(line for line in done.stderr.splitlines() if line.startswith("treatyx:")))


if __name__ == "__main__":
    main()
