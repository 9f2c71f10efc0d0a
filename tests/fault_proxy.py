"""A fault-injecting HTTP proxy on 127.0.0.1, in front of any OpenAI-compatible server.

It breaks some chat requests on purpose, the ways real endpoints and the networks in
front of them do, so that treatyx's transport can be tested and measured against them:

- `429`: refused with Retry-After, never forwarded;
- `500`: an internal error, never forwarded;
- `html`: a 200 that is an HTML page (a captive portal, a proxy's error page);
- `garbage`: forwarded and computed, then answered with a cut-off JSON body;
- `drop`: forwarded and computed, then the connection closed without an answer;
- `slow`: forwarded, and the answer held back `slow_seconds` (past a client's timeout).

Faults come from a fixed `script` (in order, one per chat request) and then at random
with the given `rates` (seeded: the same run breaks the same way). Everything else, and
every GET, passes through unchanged. `python tests/fault_proxy.py UPSTREAM_BASE_URL
[--rate KIND=P ...] [--seed N] [--slow S]` runs one and prints its base URL.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import random
import socket
import threading
import time
from collections import Counter, deque
from urllib.parse import urlsplit

from scripted_server import QuietHandler, ThreadedServer

KINDS = ("429", "500", "html", "garbage", "drop", "slow")


class FaultProxy(ThreadedServer):
    def __init__(self, upstream: str, *, script: list[str | None] | None = None,
                 rates: dict[str, float] | None = None, seed: int = 0,
                 slow_seconds: float = 5.0, retry_after: float = 1.0) -> None:
        target = urlsplit(upstream)
        self.upstream_host, self.upstream_port = target.hostname, target.port or 80
        self.upstream_path = target.path.rstrip("/")
        self.script: deque[str | None] = deque(script or [])
        self.rates = rates or {}
        unknown = set(self.rates) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {KINDS}")
        self.random = random.Random(seed)
        self.slow_seconds, self.retry_after = slow_seconds, retry_after
        self.faults: Counter[str] = Counter()
        """Faults injected so far, by kind ("none": passed through)."""
        self.lock = threading.Lock()
        proxy = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                self._relay(*proxy.forward("GET", self.path, b"", self.headers))

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                kind = proxy.next_fault() if self.path.endswith("/chat/completions") else None
                with proxy.lock:
                    proxy.faults[kind or "none"] += 1
                if kind == "429":
                    self.answer(429, b'{"error": {"message": "slow down (fault proxy)"}}',
                                {"retry-after": f"{proxy.retry_after:g}"})
                elif kind == "500":
                    self.answer(500, b'{"error": {"message": "internal (fault proxy)"}}')
                elif kind == "html":
                    self.answer(200, b"<html><body><h1>Service unavailable</h1></body></html>",
                                content_type="text/html")
                else:
                    status, data, headers = proxy.forward("POST", self.path, body, self.headers)
                    if kind == "garbage":
                        self.answer(200, data[: len(data) // 2])
                    elif kind == "drop":
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                    else:
                        if kind == "slow":
                            time.sleep(proxy.slow_seconds)
                        self._relay(status, data, headers)

            def _relay(self, status: int, data: bytes, headers: dict[str, str]) -> None:
                self.answer(status, data, {k: v for k, v in headers.items()
                                           if k.lower() in ("retry-after", "retry-after-ms")},
                            content_type=headers.get("content-type", "application/json"))

        super().__init__(Handler, self.upstream_path)

    def next_fault(self) -> str | None:
        with self.lock:
            if self.script:
                return self.script.popleft()
            draw = self.random.random()
        for kind, rate in self.rates.items():
            if draw < rate:
                return kind
            draw -= rate
        return None

    def forward(self, method: str, path: str, body: bytes, headers) -> tuple[int, bytes, dict]:
        """The upstream's answer to the same request (the proxy's paths are the upstream's;
        no timeout: it may compute long)."""
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port)
        try:
            sent = {k: v for k, v in headers.items()
                    if k.lower() in ("content-type", "authorization", "accept")}
            connection.request(method, path, body=body or None, headers=sent)
            answer = connection.getresponse()
            return answer.status, answer.read(), dict(answer.getheaders())
        finally:
            connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python tests/fault_proxy.py")
    parser.add_argument("upstream", help="the server's base URL, e.g. http://127.0.0.1:8080/v1")
    parser.add_argument("--rate", action="append", default=[], metavar="KIND=P",
                        help=f"probability of a fault per chat request; KIND in {KINDS}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--slow", type=float, default=5.0, help="seconds a slow answer waits")
    args = parser.parse_args()
    rates = {kind: float(p) for kind, p in (item.split("=", 1) for item in args.rate)}
    with FaultProxy(args.upstream, rates=rates, seed=args.seed,
                    slow_seconds=args.slow) as proxy:
        print(proxy.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
        print(json.dumps(dict(proxy.faults)), flush=True)


if __name__ == "__main__":
    main()
