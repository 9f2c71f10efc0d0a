"""What every extraction backend gives back, so the pipeline treats them alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from treatyx.extractors.loop import BackgroundLoop
from treatyx.loading import SourceDocument
from treatyx.models import Agreement, Issue, Usage


@dataclass
class Extraction:
    agreements: list[Agreement]
    usage: Usage = field(default_factory=Usage)
    notes: list[Issue] = field(default_factory=list)
    """Findings made while extracting (e.g. a value the normaliser could not read)."""


class Provenance(Protocol):
    """Where an extraction came from, as each output's `extractor` records it: a backend,
    or the manifest of a batch that a backend's requests were sent in."""

    name: str
    """The backend's registry name ("rules", "openai", "local")."""
    model: str | None
    prompt_version: str | None


class Backend(Provenance, Protocol):
    """An extraction backend as the pipeline uses it; registry.py opens one by name."""

    loop: BackgroundLoop | None
    """The event loop that `aextract` runs on, for documents in flight at once; None: the
    backend is synchronous and fast, and the runner calls `extract` in turn."""

    def identity(self) -> tuple:
        """What decides its answers, for the cache key; never a secret such as an API key."""
        ...

    def extract(self, document: SourceDocument) -> Extraction: ...

    async def aextract(self, document: SourceDocument, usage: Usage | None = None
                       ) -> Extraction:
        """`extract` on `loop`, so that many documents can be in flight at once. `usage`,
        when given, is filled as the work goes: a failed document's cost."""
        ...

    def close(self) -> None:
        """Free what it holds (a client, a loop); opened backends are closed by the registry."""
        ...
