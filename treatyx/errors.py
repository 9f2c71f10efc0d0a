"""What can go wrong, named once: every error treatyx raises on purpose is a TreatyxError.

This module imports nothing of treatyx, so any layer may raise any of these without
reaching up to the layer that reports them (the CLI turns them into one line and an exit
code; the library lets them through).
"""

from __future__ import annotations

from pathlib import Path


class TreatyxError(Exception):
    """A problem treatyx can name in one line; the root of its errors."""


class UsageError(TreatyxError):
    """A problem with how treatyx was called: options, backends, missing parts (CLI exit 2)."""


class EndpointError(UsageError):
    """The endpoint cannot be used at all (connection refused, unknown host, key refused):
    the run stops at once instead of failing every document the same way (CLI exit 2)."""


class OptionError(UsageError, ValueError):
    """A bad option value: a usage error for the CLI, a ValueError for library callers."""


class FileProblem(TreatyxError):
    """A problem with one file or item: `str(error)` is "<path>[:<line>]: <problem>"."""

    def __init__(self, path: str | Path, problem: str, line: int | None = None) -> None:
        self.path, self.line = str(path), line
        self.problem = " ".join(problem.split())  # one line, whatever the cause said
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {self.problem}")

    def __reduce__(self):  # the default would call __init__ with the message alone
        return (type(self), (self.path, self.problem, self.line))


class LoadError(FileProblem, ValueError):
    """One bad input document.

    A ValueError, so that library callers can catch bad input as they would anywhere else."""


class ResultsError(FileProblem):
    """A file that does not hold treatyx documents."""


class OutputError(FileProblem):
    """An output that cannot be written (a full disk, a file size limit): "<path>: ..."."""


class ModelError(TreatyxError, RuntimeError):
    """The model could not be fetched, verified or served (one line, fit for the CLI)."""


class BatchError(TreatyxError):
    """A batch directory or batch that cannot be used as asked (one line)."""


class TablesError(TreatyxError):
    """A bad level or format, or a missing optional dependency."""


__all__ = ["BatchError", "EndpointError", "FileProblem", "LoadError", "ModelError",
           "OutputError", "ResultsError", "TablesError", "TreatyxError", "UsageError"]
