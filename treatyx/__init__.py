"""treatyx: structured, source-grounded facts about defence agreements from news text.

    from treatyx import Extractor, extract, validate, evaluate, load_results, to_frame
    from treatyx import build_dataset
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from treatyx.version import __version__ as __version__  # the package says its version

__all__ = [
    "Extractor", "build_dataset", "evaluate", "extract", "load_results", "to_frame", "validate",
]

if TYPE_CHECKING:
    from treatyx.api import Extractor, extract
    from treatyx.dataset import build_dataset
    from treatyx.evaluation import evaluate
    from treatyx.results import load_results
    from treatyx.tables import to_frame
    from treatyx.validation import validate

_HOMES = {
    "Extractor": "treatyx.api",
    "extract": "treatyx.api",
    "build_dataset": "treatyx.dataset",
    "evaluate": "treatyx.evaluation",
    "load_results": "treatyx.results",
    "to_frame": "treatyx.tables",
    "validate": "treatyx.validation",
}


def __getattr__(name: str) -> Any:
    """Lazy exports: `import treatyx` stays fast, and pandas loads only for to_frame."""
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'treatyx' has no attribute {name!r}")
