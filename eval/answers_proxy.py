#!/usr/bin/env python3
"""A recording proxy in front of a model server: every answer is kept, a repeated request
is answered from the record. Changes to what treatyx does with the answers (post-processing,
adjudication) are then measured on the model's very answers, in seconds, without model time.

    flock /tmp/treatyx-model.lock .venv/bin/treatyx model serve --port 8091 &
    python eval/answers_proxy.py --upstream http://127.0.0.1:8091 --port 8092 \\
        --record eval/results/private/answers.jsonl &
    eval/run local --split realdev --base-url http://127.0.0.1:8092/v1

With `--offline` nothing goes upstream: a request not in the record gets a 503 (which
treatyx counts as a failed document), so a replay never spends model time by surprise.
The record quotes articles (realdev's are not ours): keep it under eval/results/private/.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Record:
    """Answers by the sha256 of the request body, appended to a JSONL file as they come."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.answers: dict[str, dict] = {}
        self.lock = threading.Lock()
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                row = json.loads(line)
                self.answers[row["key"]] = row
        self.hits = self.misses = 0

    @staticmethod
    def key(body: bytes) -> str:
        return hashlib.sha256(body).hexdigest()

    def get(self, key: str) -> dict | None:
        with self.lock:
            found = self.answers.get(key)
            self.hits += found is not None
            self.misses += found is None
            return found

    def put(self, key: str, status: int, body: bytes) -> None:
        row = {"key": key, "status": status, "body": body.decode("utf-8")}
        with self.lock:
            self.answers[key] = row
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(row) + "\n")


def handler(record: Record, upstream: str | None) -> type[BaseHTTPRequestHandler]:
    class Proxy(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self, method: str, body: bytes | None) -> tuple[int, bytes]:
            if upstream is None:
                return 503, json.dumps({"error": {"message": "not in the record (offline)",
                                                  "type": "unavailable"}}).encode()
            request = urllib.request.Request(upstream + self.path, data=body, method=method,
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=3600) as answer:
                    return answer.status, answer.read()
            except urllib.error.HTTPError as failed:
                return failed.code, failed.read()

        def do_GET(self) -> None:
            """/v1/models and /props are recorded too: offline, the model's name (which
            every request body carries) and the slots are the recorded server's."""
            key = f"GET {self.path}"
            found = record.get(key)
            if found is None or upstream is not None:
                status, answer = self._forward("GET", None)
                if status == 200 and self.path in ("/v1/models", "/props"):
                    record.put(key, status, answer)
                self._send(status, answer)
                return
            self._send(found["status"], found["body"].encode("utf-8"))

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            key = Record.key(body)
            found = record.get(key)
            if found is not None:
                self._send(found["status"], found["body"].encode("utf-8"))
                return
            status, answer = self._forward("POST", body)
            if status == 200:
                record.put(key, status, answer)
            self._send(status, answer)

    return Proxy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", help="the model server's root, e.g. http://127.0.0.1:8091")
    parser.add_argument("--offline", action="store_true", help="answer only from the record")
    parser.add_argument("--port", type=int, default=8092)
    parser.add_argument("--record", type=Path, required=True)
    args = parser.parse_args()
    if not args.offline and not args.upstream:
        parser.error("--upstream, or --offline")
    record = Record(args.record)
    upstream = None if args.offline else args.upstream.rstrip("/")
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler(record, upstream))
    print(f"proxy on http://127.0.0.1:{args.port}/v1, {len(record.answers)} answers recorded",
          flush=True)
    try:
        server.serve_forever()
    finally:
        print(f"hits {record.hits}, misses {record.misses}", flush=True)


if __name__ == "__main__":
    main()
