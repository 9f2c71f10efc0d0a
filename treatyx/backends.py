"""Choosing and opening an extraction backend from options and the environment.

The choice is always said on stderr and recorded in each output's `extractor`, so a
result never hides which model (or no model) produced it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from treatyx.extractors.base import Backend
from treatyx.extractors.rules import RulesBackend


@dataclass
class BackendOptions:
    backend: str = "auto"
    model: str | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    mode: str | None = None
    max_retries: int = 2
    timeout: float = 120.0
    cache_dir: Path | None = None
    rpm: int | None = None
    """Requests per minute, shared by all requests in flight (None: no limit)."""
    tpm: int | None = None
    """Tokens per minute, estimated before sending and corrected after (None: no limit)."""
    read_evidence: bool | None = None
    """Complete agreements from their evidence's words (None: on for local, off for openai;
    see LLMBackend.read_evidence)."""

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> BackendOptions:
        return cls(**{name: getattr(args, name) for name in cls.__dataclass_fields__
                      if hasattr(args, name)})

    def resolved(self) -> BackendOptions:
        """Fill what the user left out from the environment (TREATYX_MODEL, OPENAI_*)."""
        env = os.environ
        return BackendOptions(
            backend=self.backend,
            model=self.model or env.get("TREATYX_MODEL"),
            base_url=self.base_url or env.get("OPENAI_BASE_URL"),
            api_key=self.api_key or env.get("OPENAI_API_KEY"),
            mode=self.mode,
            max_retries=self.max_retries,
            timeout=self.timeout,
            cache_dir=self.cache_dir,
            rpm=self.rpm,
            tpm=self.tpm,
            read_evidence=self.read_evidence,
        )


def choose(options: BackendOptions) -> str:
    """auto -> a configured endpoint, else the pulled local model (when the `local` extra
    that runs it is installed), else rules."""
    if options.backend != "auto":
        return options.backend
    if options.base_url or options.api_key:
        return "openai"
    from treatyx import local_model

    if local_model.is_pulled(options.cache_dir) and local_model.server_installed():
        return "local"
    return "rules"


@contextmanager
def open_backend(
    options: BackendOptions, *, say: Callable[[str], None] = lambda _: None
) -> Iterator[Backend]:
    options = options.resolved()
    name = choose(options)
    if name == "rules":
        if options.backend == "auto":
            say("no model configured (no --base-url/OPENAI_BASE_URL/OPENAI_API_KEY, no pulled "
                "local model with treatyx[local] installed): using the offline rules backend")
        yield RulesBackend()
        return
    from treatyx.extractors.llm import open_llm_backend

    with open_llm_backend(name, options, say=say) as backend:
        yield backend
