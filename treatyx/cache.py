"""An on-disk cache of extractions, so a rerun never pays twice for the same answer.

Keyed by everything that decides the answer: endpoint, model, mode, prompt version,
chunking and the document's text. SQLite in WAL mode keeps concurrent writers (several
processes on one corpus) safe. Nothing secret is stored: no key, no headers.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
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
    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / "extractions.sqlite3"
        self._local = threading.local()
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS extraction "
                       "(key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def get(self, key: str) -> Extraction | None:
        row = self._connect().execute("SELECT value FROM extraction WHERE key = ?",
                                      (key,)).fetchone()
        if row is None:
            return None
        data = json.loads(row[0])
        return Extraction(
            agreements=[Agreement.model_validate(a) for a in data["agreements"]],
            usage=Usage.model_validate(data["usage"]),
            notes=[Issue.model_validate(n) for n in data["notes"]],
        )

    def put(self, key: str, extraction: Extraction) -> None:
        value = json.dumps({
            "agreements": [a.model_dump(mode="json") for a in extraction.agreements],
            "usage": extraction.usage.model_dump(),
            "notes": [n.model_dump() for n in extraction.notes],
        }, ensure_ascii=False)
        self._connect().execute("INSERT OR REPLACE INTO extraction (key, value) VALUES (?, ?)",
                                (key, value))

    def __len__(self) -> int:
        return self._connect().execute("SELECT COUNT(*) FROM extraction").fetchone()[0]
