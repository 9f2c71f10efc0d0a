"""Which extraction backends there are, and opening one by name.

To add a backend, write its class (the `Backend` protocol in base.py) and put one opener
under its name in OPENERS below: the CLI's --backend choices, `Extractor`'s check and
`auto` all read that table. The choice is always said on stderr and recorded in each
output's `extractor`, so a result never hides which model (or no model) produced it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from treatyx.errors import UsageError

if TYPE_CHECKING:
    from treatyx.extractors.base import Backend

Say = Callable[[str], None]


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
    """Complete agreements from their evidence's words (None: `reads_evidence` decides;
    see LLMBackend.read_evidence)."""

    def __post_init__(self) -> None:
        if self.backend not in NAMES:  # before anything starts (a model, a server)
            raise UsageError(f"unknown backend {self.backend!r}: "
                             f"choose one of {', '.join(NAMES)}")

    @classmethod
    def from_args(cls, args: Any) -> BackendOptions:
        """From the CLI's parsed arguments: the options it has, under the same names."""
        return cls(**{name: getattr(args, name) for name in cls.__dataclass_fields__
                      if hasattr(args, name)})

    def resolved(self) -> BackendOptions:
        """Fill what the user left out from the environment (TREATYX_MODEL, OPENAI_*)."""
        env = os.environ
        return replace(self, model=self.model or env.get("TREATYX_MODEL"),
                       base_url=self.base_url or env.get("OPENAI_BASE_URL"),
                       api_key=self.api_key or env.get("OPENAI_API_KEY"))

    def reads_evidence(self, name: str) -> bool:
        """`read_evidence` as asked, else on for the local model only: a small model reads
        an agreement's evidence worse than the rules do; a large one reads it well."""
        return self.read_evidence if self.read_evidence is not None else name == "local"


Opener = Callable[[BackendOptions, Say], AbstractContextManager["Backend"]]


def _open_rules(options: BackendOptions, say: Say) -> AbstractContextManager[Backend]:
    from treatyx.extractors.rules import RulesBackend

    return closing(RulesBackend())


def _open_openai(options: BackendOptions, say: Say) -> AbstractContextManager[Backend]:
    from treatyx.extractors.llm import open_llm_backend

    return open_llm_backend("openai", options, say=say)


def _open_local(options: BackendOptions, say: Say) -> AbstractContextManager[Backend]:
    from treatyx.extractors.llm import open_llm_backend

    return open_llm_backend("local", options, say=say)


OPENERS: dict[str, Opener] = {"rules": _open_rules, "openai": _open_openai,
                              "local": _open_local}
"""Each backend's name and how to open it for the duration of a `with` block."""
NAMES = ("auto", *OPENERS)


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
def open_backend(options: BackendOptions, *, say: Say = lambda _: None) -> Iterator[Backend]:
    """The chosen backend, open for the block, its read_evidence decided here once."""
    options = options.resolved()
    name = choose(options)
    if name == "rules" and options.backend == "auto":
        say("no model configured (no --base-url/OPENAI_BASE_URL/OPENAI_API_KEY, no pulled "
            "local model with treatyx[local] installed): using the offline rules backend")
    options = replace(options, read_evidence=options.reads_evidence(name))
    with OPENERS[name](options, say) as backend:
        yield backend


__all__ = ["NAMES", "OPENERS", "BackendOptions", "Opener", "choose", "open_backend"]
