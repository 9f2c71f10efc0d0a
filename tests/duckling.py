"""Duckling's English test corpus for the normaliser tests, read from ../shared/testdata.

The corpus is Facebook's (BSD), not the project's, so the repository holds no copy: where
the folder is absent, every corpus test skips and says so. The project's own examples
stay in the test files.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "testdata" / "duckling"
ABSENT = "no Duckling corpus in ../shared/testdata/duckling (outside data, not in the repository)"


def rows(name: str, dimension: str | None = None) -> list[dict]:
    """The rows of one corpus file (of one dimension, for negative.jsonl); skips the
    calling test when the corpus is absent."""
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(ABSENT)
    found = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in found if dimension is None or r["dimension"] == dimension]


def params(name: str, dimension: str | None = None) -> list:
    """`rows` for @pytest.mark.parametrize, with each row's text as its id; one skipped
    case naming the missing folder when the corpus is absent."""
    if not (CORPUS / name).is_file():
        return [pytest.param(None, id="no-corpus", marks=pytest.mark.skip(reason=ABSENT))]
    return [pytest.param(r, id=r["text"]) for r in rows(name, dimension)]


def scope() -> ModuleType:
    """eval/duckling_accuracy.py, whose rules say which rows news would not say."""
    if "duckling_accuracy" not in sys.modules:
        path = ROOT / "eval" / "duckling_accuracy.py"
        spec = importlib.util.spec_from_file_location("duckling_accuracy", path)
        sys.modules["duckling_accuracy"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules["duckling_accuracy"])
    return sys.modules["duckling_accuracy"]
