"""Running treatyx as on a full disk: a process whose files cannot grow past a size."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_with_file_size_limit(limit: int, argv: list[str], cwd: Path):
    """`python -m treatyx ...` in a process whose files cannot grow past `limit` bytes, as
    on a full disk (a write past it fails with EFBIG)."""
    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "treatyx", *argv], cwd=cwd, env=env,
                          preexec_fn=limited, capture_output=True, text=True, timeout=120)
