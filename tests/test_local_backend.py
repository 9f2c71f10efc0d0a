"""The local backend owns its llama.cpp server (the real model): as many requests in
flight as the server reports slots, no client timeout while the server makes progress,
and a response cache that hits on a rerun (its key holds no port)."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from treatyx import local_model
from treatyx.local_model import BACKEND_SERVER

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not (local_model.is_pulled() and local_model.server_installed()),
                       reason="local model not pulled (run `treatyx model pull`)"),
]


def extract(article: Path, cache: Path, *options: str) -> tuple[dict, str]:
    done = subprocess.run([sys.executable, "-m", "treatyx", "extract", str(article),
                           "--backend", "local", "--cache-dir", str(cache), *options],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


@pytest.fixture(scope="module")
def article(tmp_path_factory) -> Path:
    """A new article (never in any cache)."""
    path = tmp_path_factory.mktemp("news") / "pact.txt"
    path.write_text(f"Japan and Australia signed a defence cooperation agreement in "
                    f"Tokyo on Thursday. (ref {uuid.uuid4().hex})\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory, article):
    """The same new article twice, with a cache of its own beside the pulled model."""
    cache = tmp_path_factory.mktemp("cache")
    model = local_model.model_path()
    (cache / "models").mkdir()
    (cache / "models" / model.name).symlink_to(model)
    marker = model.with_name(model.name + ".sha256")
    (cache / "models" / marker.name).write_text(marker.read_text())
    # --timeout 1: a second without progress would fail a request; computing one takes
    # longer than that on two cores, and must not time out while the server works.
    first = extract(article, cache, "--timeout", "1")
    second = extract(article, cache)
    return first, second


def test_the_server_is_asked_for_its_slots(runs):
    (_, said), _ = runs
    assert f"{BACKEND_SERVER['parallel']} slot(s)" in said


def test_no_client_timeout_fires_while_the_server_makes_progress(runs):
    (document, said), _ = runs
    assert document["extractor"]["usage"]["requests"] >= 1
    assert "1 failed" not in said and "abandoned" not in said


def test_the_rerun_is_answered_from_the_cache(runs):
    (first, _), (second, said) = runs
    assert "1 cache hit(s)" in said and " 0 requests," in said
    assert second["agreements"] == first["agreements"]


def test_a_server_the_user_runs_gives_what_the_owned_one_gives(runs, article, tmp_path):
    """`--backend local --base-url`: the local design on a llama.cpp server already
    running (a GPU machine, a shared server), its model and slots asked of it."""
    (first, _), _ = runs
    with local_model.LocalServer(local_model.model_path(), **BACKEND_SERVER) as server:
        document, said = extract(article, tmp_path / "cache", "--base-url", server.base_url,
                                 "--no-cache")
    assert f"on the server at {server.base_url}, {BACKEND_SERVER['parallel']} slot(s)" in said
    assert document["agreements"] == first["agreements"]

