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
    """JSONL output opened for appending, knowing which documents it already holds.

    Entering takes an exclusive lock on the file (two runs on one output would write every
    document twice): a second run is refused with an OutputError. The failures of earlier
    runs stay listed in `<out>.errors.jsonl` until this run redoes their documents; only a
    run that went through all its inputs (`complete()`) replaces the list with its own, so
    an interrupted rerun never loses one.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.repaired = False
        self.done: set[str] = set()
        self.previous_failures: list[dict] = []
        self._out: BinaryIO | None = None
        self._errors: BinaryIO | None = None
        self._redone: set[tuple[str, str]] = set()
        self._failed: list[dict] = []
        self._complete = False

    def __enter__(self) -> ResumableOutput:
        if self.path.is_dir():
            raise OutputError(self.path, "is a directory; give a file name")
        if self.path.exists() and not self.path.is_file():
            raise OutputError(self.path, "not a regular file (a resumable output is read "
                              "back by the next run); give a file name")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._out = self.path.open("ab", buffering=0)
        except OSError as error:  # a place we may not write
            raise OutputError(self.path, f"cannot write: {error.strerror or error}") from None
        try:
            _lock(self._out, self.path)
            self.repaired = repair_torn_tail(self.path)
            self.done = done_ids(self.path)
            self.previous_failures = [row for row in _failures(errors_path(self.path))
                                      if row["doc_id"] not in self.done]
            self._errors = errors_path(self.path).open("ab", buffering=0)
        except BaseException:
            self._out.close()
            raise
        return self

    def complete(self) -> None:
        """Every input was visited: the earlier failures not met again are gone for good
        (their files were fixed or left out), so the list holds this run's alone."""
        self._complete = True

    def __exit__(self, *exc) -> None:
        for handle in (self._errors, self._out):  # the output last: it holds the lock
            if handle is not None:
                handle.close()
        kept = [] if self._complete else [
            row for row in self.previous_failures
            if row["doc_id"] not in self.done and _key(row) not in self._redone]
        _rewrite(errors_path(self.path), kept + self._failed)

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
        row = {"doc_id": doc_id, "source": source, "error": reason}
        _append(self._errors, json.dumps(row, ensure_ascii=False) + "\n",
                errors_path(self.path))
        self._failed.append(row)
        self._redone.add(_key(row))


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


def _failures(path: Path) -> list[dict]:
    """The rows of an errors file, the last one of each document (a run killed before it
    could tidy the file leaves earlier rows and its own appended)."""
    if not path.exists():
        return []
    rows: dict[tuple[str, str], dict] = {}
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                row = json.loads(line)
                rows[_key(row)] = {"doc_id": str(row["doc_id"]), "source": str(row["source"]),
                                   "error": str(row["error"])}
            except (ValueError, KeyError, TypeError):
                continue
    return list(rows.values())


def _key(row: dict) -> tuple[str, str]:
    """A failure is of a document (its doc_id), or of an input that gave none (its file)."""
    return (str(row["doc_id"]), "" if row["doc_id"] else str(row["source"]))


def _rewrite(path: Path, rows: list[dict]) -> None:
    """Replace the errors file at once (write aside, rename); no rows, no file. When this
    fails (a full disk) the file keeps what was appended, a superset: nothing is lost."""
    if not rows:
        path.unlink(missing_ok=True)
        return
    scratch = path.with_name(path.name + ".part")
    try:
        with scratch.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        scratch.replace(path)
    except OSError:
        scratch.unlink(missing_ok=True)


def _lock(handle: BinaryIO, path: Path) -> None:
    """An exclusive lock on the open output, held until it is closed (and by the kernel
    only: a killed run leaves no stale lock behind)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise OutputError(path, "another treatyx run is writing to this output; wait for "
                          "it to finish, or choose another -o") from None
