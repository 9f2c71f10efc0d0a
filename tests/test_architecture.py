"""The import layers of pyproject.toml's [tool.importlinter] hold: data flows one way
(faces -> pipeline -> extractors -> validation/normalize -> models/errors), no circles."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept():
    pytest.importorskip("importlinter", reason="import-linter comes with the `test` extra")
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache", "--no-logo"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-1000:]
    assert "Contracts: 2 kept, 0 broken." in done.stdout
