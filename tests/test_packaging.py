"""The wheel a user installs carries every file the package reads, and the installed
package finds them (the prompts live at the top of the repository, not in treatyx/).

CI goes further (.ci/wheel-check): a fresh venv, the dependencies, an extraction."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from treatyx.extractors.prompting import load_prompt

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, cwd=out)
    return next(out.glob("treatyx-*.whl"))


def test_the_wheel_holds_every_prompt_and_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    prompts = {"treatyx/prompts/" + p.relative_to(ROOT / "prompts").as_posix()
               for p in (ROOT / "prompts").rglob("*") if p.is_file()}
    data = {p.relative_to(ROOT).as_posix()
            for p in (ROOT / "treatyx").rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc")}
    assert prompts and data
    assert prompts | data <= names, sorted((prompts | data) - names)


def test_the_wheel_holds_every_subpackage(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "treatyx").rglob("__init__.py")}
    assert packages <= names, sorted(packages - names)


def test_installed_away_from_the_checkout_it_reads_its_own_prompts(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    probe = ("import treatyx.extractors.prompting as p; "
             "print(p.prompts_dir()); print(p.load_prompt().version)")
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("TREATYX_PROMPTS_DIR", None)
    shown = subprocess.run([sys.executable, "-c", probe], env=env, cwd=tmp_path,
                           check=True, capture_output=True, text=True).stdout.split()
    assert shown == [str(target / "treatyx" / "prompts"), load_prompt().version]
