"""An on-disk cache of extractions, so a rerun never pays twice for the same answer.

Keyed by everything that decides the answer: endpoint, model, mode, prompt version,
chunking and the document's text. SQLite in WAL mode keeps concurrent writers (several
processes on one corpus) safe. Nothing secret is stored: no key, no headers.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

from treatyx.extractors.base import Extraction
from treatyx.models import Agreement, Issue, Usage


def cache_key(*parts: object) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


class ExtractionCache:
    """Never the reason a document fails: the cache is an optimisation. A bad entry (garbage,
    the wrong shape) is a miss and is replaced by the next answer; a file that is not a
    readable SQLite database is set aside (renamed `*.corrupt-N`) with a one-line warning
    and a fresh one started; a failed read or write (a full disk, a lock held too long)
    is a miss or a skipped write, warned about once."""

    FILE = "extractions.sqlite3"

    def __init__(self, directory: Path, *, warn: Callable[[str], None] | None = None) -> None:
        self.path = directory / self.FILE
        self._warn_to = warn or _warn
        self._warned: set[str] = set()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self.enabled = True
        try:
            directory.mkdir(parents=True, exist_ok=True)
            self._open_checked()
        except (sqlite3.Error, OSError) as error:
            self._disable(f"cannot open the response cache {self.path}: {_reason(error)}; "
                          "running without it")

    def _open_checked(self) -> None:
        try:
            self._create()
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) and not _corrupt(error):
                raise
            self.close()
            aside = _set_aside(self.path)
            self._warn(f"the response cache {self.path} is damaged ({_reason(error)}); "
                       f"moved to {aside.name} and started afresh")
            self._create()

    def _create(self) -> None:
        db = self._connect()
        db.execute("CREATE TABLE IF NOT EXISTS extraction "
                   "(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        (verdict,) = db.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed ({verdict})")

    def _connect(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            # one connection per thread; `close` may close them all from any thread
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                 check_same_thread=False)
            try:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
            except sqlite3.Error:
                db.close()
                raise
            self._local.db = db
            with self._lock:
                self._all.append(db)
        return db

    def close(self) -> None:
        """Close every thread's connection (the last one folds the WAL into the file)."""
        with self._lock:
            connections, self._all = self._all, []
        for db in connections:
            with contextlib.suppress(sqlite3.Error):
                db.close()
        self._local = threading.local()

    def __enter__(self) -> ExtractionCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, key: str) -> Extraction | None:
        if not self.enabled:
            return None
        try:
            row = self._connect().execute("SELECT value FROM extraction WHERE key = ?",
                                          (key,)).fetchone()
        except sqlite3.Error as error:
            self._failed("read", error)
            return None
        if row is None:
            return None
        try:
            data = json.loads(row[0])
            return Extraction(
                agreements=[Agreement.model_validate(a) for a in data["agreements"]],
                usage=Usage.model_validate(data["usage"]),
                notes=[Issue.model_validate(n) for n in data["notes"]],
            )
        except (ValueError, TypeError, KeyError, AttributeError):  # garbage: a miss
            return None  # the next answer replaces it (INSERT OR REPLACE)

    def put(self, key: str, extraction: Extraction) -> None:
        if not self.enabled:
            return
        value = json.dumps({
            "agreements": [a.model_dump(mode="json") for a in extraction.agreements],
            "usage": extraction.usage.model_dump(),
            "notes": [n.model_dump() for n in extraction.notes],
        }, ensure_ascii=False)
        try:
            self._connect().execute("INSERT OR REPLACE INTO extraction (key, value) "
                                    "VALUES (?, ?)", (key, value))
        except sqlite3.Error as error:
            self._failed("write", error)

    def _failed(self, what: str, error: sqlite3.Error) -> None:
        if _corrupt(error):  # the next run sets the file aside; this one goes on without it
            self._disable(f"the response cache {self.path} is damaged ({_reason(error)}); "
                          "running without it (the next run starts a fresh one)")
        else:
            self._warn(f"cannot {what} the response cache {self.path}: {_reason(error)}; "
                       "the documents go on without it", once=what)

    def _disable(self, message: str) -> None:
        self.enabled = False
        self._warn(message, once="disabled")

    def _warn(self, message: str, once: str | None = None) -> None:
        if once is not None:
            if once in self._warned:
                return
            self._warned.add(once)
        self._warn_to(message)

    def __len__(self) -> int:
        if not self.enabled:
            return 0
        return self._connect().execute("SELECT COUNT(*) FROM extraction").fetchone()[0]


def _warn(message: str) -> None:
    warnings.warn(message, RuntimeWarning, stacklevel=3)


def _reason(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _corrupt(error: sqlite3.Error) -> bool:
    """Damage to the file itself (not a full disk, a lock or a read-only place)."""
    text = str(error).lower()
    return isinstance(error, sqlite3.DatabaseError) and (
        "malformed" in text or "not a database" in text or "encrypted" in text)


def _set_aside(path: Path) -> Path:
    """Rename a damaged cache file (and its WAL/SHM companions) out of the way."""
    n = 1
    while path.with_name(f"{path.name}.corrupt-{n}").exists():
        n += 1
    aside = path.with_name(f"{path.name}.corrupt-{n}")
    path.replace(aside)
    for companion in ("-wal", "-shm"):
        extra = path.with_name(path.name + companion)
        if extra.exists():
            extra.replace(aside.with_name(aside.name + companion))
    return aside
