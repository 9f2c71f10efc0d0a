"""A scripted OpenAI-compatible server on 127.0.0.1, speaking the real wire format.

Tests and benchmarks use it for what a real model cannot be made to do on cue: 429s
with Retry-After, 500s, slow answers, invalid JSON. Each request takes the next step of
the script; when the script is empty, `default` answers (or a 500 says so).

It also speaks the Batch API (file upload, batches, file content): each line of a batch
is answered the same way, the moment the batch is created; the batch then reports
`in_progress` for `batch_polls` retrievals before `completed`.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


@dataclass
class Step:
    status: int = 200
    content: str | None = None
    """The assistant message's content (for status 200)."""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    prompt_tokens: int = 100
    completion_tokens: int = 20
    raw: bytes | None = None
    """Sent as the body instead of a completion or an error (a broken server's answer)."""
    content_type: str = "application/json"
    error: str | None = None
    """The error message of a non-200 answer (default: `scripted <status>`)."""
    finish_reason: str = "stop"
    """"length" says the answer was cut at max_tokens."""


@dataclass
class Visit:
    """One request as the server saw it: when it arrived and was answered (on
    `time.monotonic`, the clock of the test process) and with what status."""

    arrived: float
    status: int | None = None
    answered: float | None = None


def completion(content: str, prompt_tokens: int = 100, completion_tokens: int = 20,
               finish_reason: str = "stop") -> dict:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion",
        "created": 0,
        "model": "scripted",
        "choices": [{"index": 0, "finish_reason": finish_reason,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


class QuietHandler(BaseHTTPRequestHandler):
    """The HTTP framing of the test servers here (this one and fault_proxy.py): HTTP/1.1
    with keep-alive, no request log, and an answer sent whole by `answer`."""

    protocol_version = "HTTP/1.1"
    # headers and body go in two writes; with Nagle's algorithm on, the body would
    # wait for the client's delayed ACK, 40 ms on every answer
    disable_nagle_algorithm = True

    def log_message(self, *args) -> None:
        pass

    def answer(self, status: int, data: bytes, headers: dict[str, str] | None = None,
               content_type: str = "application/json") -> None:
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test) before the answer: nothing to answer


class ThreadedServer:
    """A server of `handler`s on a free port of 127.0.0.1, serving from a daemon thread
    inside `with`; its base URL ends in `base_path`."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], base_path: str) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.base_path = base_path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.base_path}"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class ScriptedServer(ThreadedServer):
    def __init__(self, steps: list[Step] | None = None,
                 default: Callable[[dict], Step] | None = None, *, batch_polls: int = 0,
                 batch_id: Callable[[int], str] = "batch_{}".format) -> None:
        self.steps: deque[Step] = deque(steps or [])
        self.batch_id = batch_id
        """The id of the n-th batch (a hostile server's ids are a test's choice)."""
        self.default = default
        self.batch_polls = batch_polls
        self.files: dict[str, bytes] = {}
        self.batches: dict[str, dict] = {}
        self.batch_requests: list[dict] = []
        """The lines of every batch, as uploaded."""
        self.requests: list[dict] = []
        self.visits: list[Visit] = []
        """In arrival order, as `requests`."""
        self.lock = threading.Lock()
        server = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                if match := re.fullmatch(r"/v1/batches/(.+)", self.path):
                    self._send(*server.batch(urllib.parse.unquote(match[1])))
                    return
                if match := re.fullmatch(r"/v1/files/([^/]+)/content", self.path):
                    self._send_bytes(server.files.get(match[1]))
                    return
                self._send(200, {"object": "list", "data": [{"id": "scripted",
                                                              "object": "model"}]})

            def do_POST(self) -> None:
                if self.path.endswith(("/files", "/batches")):
                    self._batch_api()
                    return
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with server.lock:
                    server.requests.append(body)
                    visit = Visit(arrived=time.monotonic())
                    server.visits.append(visit)
                    step = server.steps.popleft() if server.steps else None
                if step is None:
                    step = server.default(body) if server.default else Step(status=500)
                if step.delay:
                    time.sleep(step.delay)
                visit.status = step.status
                if step.raw is not None:
                    self._send_bytes(step.raw, step.status, step.content_type)
                elif step.status != 200:
                    error = {"error": {"message": step.error or f"scripted {step.status}",
                                       "type": "scripted", "code": step.status}}
                    self._send(step.status, error, step.headers)
                else:
                    self._send(200, completion(step.content or "", step.prompt_tokens,
                                               step.completion_tokens, step.finish_reason),
                               step.headers)
                visit.answered = time.monotonic()

            def _batch_api(self) -> None:
                data = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path.endswith("/files"):
                    self._send(200, server.upload(self.headers["content-type"], data))
                else:
                    self._send(*server.create_batch(json.loads(data)))

            def _send_bytes(self, data: bytes | None, status: int = 200,
                            content_type: str = "application/octet-stream") -> None:
                if data is None:
                    self._send(404, {"error": {"message": "no such file", "type": "scripted"}})
                    return
                self.answer(status, data, content_type=content_type)

            def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
                self.answer(status, json.dumps(payload).encode(), headers)

        super().__init__(Handler, "/v1")

    # --- the Batch API ---------------------------------------------------------------

    def upload(self, content_type: str, data: bytes) -> dict:
        head = f"content-type: {content_type}\r\n\r\n".encode()
        form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + data)
        fields = {part.get_param("name", header="content-disposition"): part
                  for part in form.iter_parts()}
        content = fields["file"].get_payload(decode=True)
        with self.lock:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = content
        return {"id": file_id, "object": "file", "bytes": len(content), "created_at": 0,
                "filename": fields["file"].get_filename() or "upload",
                "purpose": fields["purpose"].get_content().strip(), "status": "processed"}

    def create_batch(self, request: dict) -> tuple[int, dict]:
        """Answers every line at once, as a chat request would be answered. A line that is
        not a POST to the batch's endpoint, or repeats a custom_id, fails the batch."""
        content = self.files.get(request["input_file_id"])
        if content is None:
            return 404, {"error": {"message": "no such file", "type": "scripted"}}
        lines = [json.loads(line) for line in content.decode().splitlines() if line.strip()]
        ids = [line.get("custom_id") for line in lines]
        problems = [{"code": "invalid_request", "line": number,
                     "message": "not a POST to the batch's endpoint, or a repeated custom_id"}
                    for number, line in enumerate(lines, start=1)
                    if line.get("method") != "POST" or line.get("url") != request["endpoint"]
                    or ids.count(line.get("custom_id")) > 1]
        output, errors = [], []
        for number, line in enumerate([] if problems else lines, start=1):
            with self.lock:
                self.batch_requests.append(line)
                step = self.steps.popleft() if self.steps else None
            if step is None:
                step = self.default(line["body"]) if self.default else Step(status=500)
            body = (completion(step.content or "", step.prompt_tokens, step.completion_tokens)
                    if step.status == 200 else
                    {"error": {"message": f"scripted {step.status}", "type": "scripted"}})
            result = {"id": f"batch_req_{number}", "custom_id": line["custom_id"], "error": None,
                      "response": {"status_code": step.status, "request_id": f"req_{number}",
                                   "body": body}}
            (output if step.status == 200 else errors).append(json.dumps(result) + "\n")
        with self.lock:
            files = {}
            for kind, results in (("output", output), ("error", errors)):
                if results:
                    files[kind] = f"file-{len(self.files) + 1}"
                    self.files[files[kind]] = "".join(results).encode()
            batch_id = self.batch_id(len(self.batches) + 1)
            final = ({"status": "failed", "errors": {"object": "list", "data": problems}}
                     if problems else
                     {"status": "completed", "output_file_id": files.get("output"),
                      "error_file_id": files.get("error")})
            self.batches[batch_id] = {
                "id": batch_id, "object": "batch", "endpoint": request["endpoint"],
                "input_file_id": request["input_file_id"],
                "completion_window": request["completion_window"], "created_at": 0,
                "metadata": request.get("metadata"), "polls": self.batch_polls, "final": final,
                "request_counts": {"total": len(lines), "completed": len(output),
                                   "failed": len(errors)},
            }
            return 200, self._batch_state(batch_id)

    def batch(self, batch_id: str) -> tuple[int, dict]:
        with self.lock:
            if batch_id not in self.batches:
                return 404, {"error": {"message": "no such batch", "type": "scripted"}}
            state = self._batch_state(batch_id)
            self.batches[batch_id]["polls"] -= 1
            return 200, state

    def _batch_state(self, batch_id: str) -> dict:
        batch = self.batches[batch_id]
        shown = {k: v for k, v in batch.items() if k not in ("polls", "final")}
        if batch["polls"] > 0:
            counts = {**batch["request_counts"], "completed": 0, "failed": 0}
            return {**shown, "status": "in_progress", "request_counts": counts}
        return {**shown, **batch["final"]}


def main() -> None:
    """`python tests/scripted_server.py ANSWER_FILE`: answer every chat request with the
    file's text (for checks from outside the test suite, such as CI's installed wheel);
    prints the base URL, then serves until killed."""
    import sys
    from pathlib import Path

    content = Path(sys.argv[1]).read_text(encoding="utf-8")
    with ScriptedServer(default=lambda body: Step(content=content)) as server:
        print(server.base_url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
