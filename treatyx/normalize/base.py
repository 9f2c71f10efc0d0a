"""What every normaliser returns when it scans text: a value and where its words stand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Match(Generic[T]):
    """`text[start:end] == mention`, and `value` is what those words normalise to."""

    start: int
    end: int
    mention: str
    value: T
