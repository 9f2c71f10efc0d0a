"""Writing results so that a batch survives interruption.

Each finished document is appended and flushed at once; a rerun with the same output
skips the doc_ids already there, repairs a torn last line left by a crash, and retries
the documents that failed (listed in `<out>.errors.jsonl`).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import BinaryIO

from treatyx.errors import OutputError
from treatyx.models import Document


def errors_path(output: Path) -> Path:
    return output.with_name(output.name + ".errors.jsonl")


class ResumableOutput:
    """JSONL output opened for appending, knowing which documents it already holds."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.repaired = repair_torn_tail(path)
        self.done: set[str] = done_ids(path)
        self.previous_failures: dict[str, str] = _failures(errors_path(path))
        self._out: BinaryIO | None = None
        self._errors: BinaryIO | None = None

    def __enter__(self) -> ResumableOutput:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._out = self.path.open("ab", buffering=0)
        # Failures are retried on each run, so this run starts their list afresh.
        self._errors = errors_path(self.path).open("wb", buffering=0)
        return self

    def __exit__(self, *exc) -> None:
        for handle in (self._out, self._errors):
            if handle is not None:
                handle.close()
        error_file = errors_path(self.path)
        if error_file.exists() and error_file.stat().st_size == 0:
            error_file.unlink()

    def write(self, document: Document) -> None:
        assert self._out is not None
        _append(self._out, document.model_dump_json() + "\n", self.path, sync=True)
        self.done.add(document.doc_id)

    def resume_notes(self) -> list[str]:
        """What reopening the file found, for the user: a repaired tail, work already done."""
        notes = []
        if self.repaired:
            notes.append(f"{self.path}: cut a torn last line left by an interrupted run")
        if self.done:
            notes.append(f"{self.path}: {len(self.done)} document(s) already done; "
                         "skipping them")
        return notes

    def record(self, outcome) -> str | None:
        """A runner `Outcome`: its document appended, or its error listed (and returned)."""
        if outcome.document is not None:
            self.write(outcome.document)
            return None
        self.fail(outcome.doc_id or "", outcome.source, outcome.error or "")
        return outcome.error

    def fail(self, doc_id: str, source: str, reason: str) -> None:
        assert self._errors is not None
        _append(self._errors, json.dumps({"doc_id": doc_id, "source": source, "error": reason},
                                         ensure_ascii=False) + "\n", errors_path(self.path))


def _append(handle: BinaryIO, line: str, path: Path, *, sync: bool = False) -> None:
    """One whole line or nothing: on a failed write (a full disk) the part written is cut
    off again, and the error names the file."""
    fd = handle.fileno()
    end = os.fstat(fd).st_size
    data = memoryview(line.encode("utf-8"))
    try:
        while data:
            data = data[os.write(fd, data):]
        if sync:
            os.fsync(fd)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, end)
        raise OutputError(path, f"cannot write: {error.strerror or error}") from None


def repair_torn_tail(path: Path) -> bool:
    """Cut a last line that a crash left unfinished (no newline or not JSON)."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb+") as handle:
        data = handle.read()
        keep = len(data)
        if not data.endswith(b"\n"):
            keep = data.rfind(b"\n") + 1
        else:
            last_start = data.rfind(b"\n", 0, len(data) - 1) + 1
            try:
                json.loads(data[last_start:])
            except ValueError:
                keep = last_start
        if keep == len(data):
            return False
        handle.truncate(keep)
        return True


def done_ids(path: Path) -> set[str]:
    if not path.exists():
        return set()
    ids = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                try:
                    ids.add(json.loads(line)["doc_id"])
                except (ValueError, KeyError, TypeError):
                    continue
    return ids


def _failures(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    failures = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
            failures[row["doc_id"]] = row["error"]
        except (ValueError, KeyError, TypeError):
            continue
    return failures
