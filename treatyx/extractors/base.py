"""What every extraction backend gives back, so the pipeline treats them alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from treatyx.loading import SourceDocument
from treatyx.models import Agreement, Issue, Usage


@dataclass
class Extraction:
    agreements: list[Agreement]
    usage: Usage = field(default_factory=Usage)
    notes: list[Issue] = field(default_factory=list)
    """Findings made while extracting (e.g. a value the normaliser could not read)."""


class Backend(Protocol):
    name: str
    model: str | None
    prompt_version: str | None

    def extract(self, document: SourceDocument) -> Extraction: ...
