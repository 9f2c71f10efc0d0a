"""`treatyx extract` against the scripted server: a small corpus, the command line."""

from __future__ import annotations

import json
from pathlib import Path

from scripted_server import ScriptedServer, Step

NO_AGREEMENT = json.dumps({"agreements": []})


def article(n: int) -> str:
    return f"Story {n}. Japan and Australia signed a defence cooperation pact in Tokyo."


def write_corpus(path: Path, ids: list[str], text=article) -> Path:
    """A JSONL corpus, one row per id; `text(n)` gives each row's text."""
    rows = [json.dumps({"id": doc_id, "text": text(n)}) for n, doc_id in enumerate(ids)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def answering(content: str = NO_AGREEMENT, delay: float = 0.0):
    """A `default` for ScriptedServer: every request gets `content` after `delay`."""
    return lambda body: Step(content=content, delay=delay)


def extract_args(server: ScriptedServer, cache_dir: Path, *args: str,
                 model: str = "scripted") -> list[str]:
    """`treatyx extract` through the openai backend at the scripted server."""
    return ["extract", *args, "--backend", "openai", "--model", model,
            "--base-url", server.base_url, "--api-key", "sk-test-not-a-real-key",
            "--cache-dir", str(cache_dir)]


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def ids(path: Path) -> list[str]:
    return [doc["doc_id"] for doc in lines(path)]
