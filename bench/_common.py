"""Shared pieces of the benchmarks: the machine, a synthetic corpus, the scripted server.

Not a benchmark itself. Each bench/*.py imports it by path, so `python bench/x.py` works
from the repository root in any venv where treatyx is installed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


# --- the machine -------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "nproc": str(os.cpu_count()),
        "ram": ram,
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def revision() -> str:
    """The commit measured, and whether treatyx/ differs from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True,
                              text=True).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "?"
    dirty = git("status", "--porcelain", "--", "treatyx", "prompts")
    return commit + (" (treatyx/ or prompts/ modified)" if dirty else "")


def print_machine() -> None:
    m = machine()
    print(f"machine: {m['nproc']} cores, {m['ram']} RAM, {m['cpu']}, Python {m['python']}, "
          f"{m['platform']}; treatyx {revision()} at {ROOT}; run {m['date']}")


WAIT = True
"""Wait for an idle machine before each timed run (the scripts' --no-wait clears it)."""
SEEN: list[str] = []
"""Each time a watch() saw a local model server running: what was being measured."""


def model_servers() -> list[str]:
    found = subprocess.run(["pgrep", "-f", "local_model serve"], capture_output=True,
                           text=True).stdout.split()
    return [p for p in found if int(p) != os.getpid()]


def wait_for_idle(timeout: float = 1200.0, every: float = 20.0) -> None:
    """Wait until no local llama.cpp server (`local_model serve`) runs on this machine:
    it takes both cores and would distort every figure."""
    started = time.monotonic()
    while True:
        found = model_servers()
        if not found:
            return
        if time.monotonic() - started > timeout:
            print(f"warning: a local model server is still running (pids {found}); "
                  "figures may be distorted", file=sys.stderr)
            return
        print(f"waiting for the local model server to stop (pids {found})...",
              file=sys.stderr, flush=True)
        time.sleep(every)


@contextlib.contextmanager
def watch(what: str, every: float = 0.5):
    """Look for a local model server every `every` s while the block runs; each sighting
    goes into SEEN (the block's figures are then distorted)."""
    stop = threading.Event()
    seen = []

    def poll() -> None:
        while not stop.is_set():
            if model_servers():
                seen.append(what)
                return
            stop.wait(every)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        stop.set()
        thread.join()
        SEEN.extend(seen)


def undisturbed(what: str, measure, *args, tries: int = 5):
    """`measure(*args)` again until no local model server ran during it (at most `tries`
    times; the last result is kept, and reported as distorted, if none was clean)."""
    tries = tries if WAIT else 1
    for attempt in range(1, tries + 1):
        if WAIT:
            wait_for_idle()
        before = len(SEEN)
        result = measure(*args)
        if len(SEEN) == before:
            return result
        print(f"{what}: a local model server ran during attempt {attempt}; "
              + ("measuring again" if attempt < tries else "keeping it, distorted"),
              file=sys.stderr, flush=True)
    DISTORTED.append(what)
    return result


DISTORTED: list[str] = []


def report_disturbance() -> None:
    if DISTORTED:
        print(f"\nWARNING: a local model server ran during {', '.join(DISTORTED)} in every "
              "attempt: those figures are distorted.")
    else:
        retried = len(SEEN)
        print("\nNo local model server ran during any measurement kept here"
              + (f" ({retried} disturbed attempt(s) were measured again)." if retried else "."))


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# --- a synthetic corpus ------------------------------------------------------------

COUNTRIES = [
    "France", "Germany", "Japan", "India", "Brazil", "Poland", "Kenya", "Norway", "Chile",
    "Vietnam", "Indonesia", "Egypt", "Canada", "Mexico", "Peru", "Ghana", "Nigeria", "Spain",
    "Italy", "Greece", "Turkey", "Sweden", "Finland", "Estonia", "Latvia", "Lithuania",
    "Romania", "Bulgaria", "Morocco", "Senegal",
]
NUMBERS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]

ARTICLE = "\n\n".join([
    "{a} and {b} sign defence cooperation pact",
    "{a} and {b} signed a defence cooperation agreement on Thursday, under which {a} will "
    "pay ${amount} billion over the next {years} years to support joint training and "
    "exercises.",
    "The accord, reached after {months} months of talks, covers officer exchanges, shared "
    "maintenance of equipment and regular exercises, officials in both capitals said. A "
    "first joint exercise is planned for the autumn, and a working group will meet twice a "
    "year to review progress.",
    "Ministers from both governments described the deal as a sign of growing trust. \"This "
    "agreement gives our forces the means to train together and to respond together,\" one "
    "of them told reporters after the ceremony, adding that details of the financing would "
    "be set out in the budget (line {serial}).",
    "Analysts said the agreement reflects a wider effort by both countries to diversify "
    "their security partnerships, and that further arrangements on procurement could "
    "follow next year.",
])

SENTENCE = re.compile(
    r"(?P<a>[A-Z][a-z]+) and (?P<b>[A-Z][a-z]+) signed a defence cooperation agreement on "
    r"Thursday, under which (?P=a) will pay (?P<amount>\$[\d.]+ billion) over the next "
    r"(?P<years>\w+ years) to support joint training and exercises\."
)


def letters(i: int) -> str:
    """i as letters (no digits: a number such as 2023 would be read as a year)."""
    out = ""
    for _ in range(4):
        i, k = divmod(i, 26)
        out = chr(ord("A") + k) + out
    return out


def article(i: int) -> dict:
    """Document i of the synthetic corpus: distinct text (so distinct cache keys), about
    1.2 KB like the eval articles, one agreement with parties, an amount, a duration and
    a date the validator can check."""
    rng = random.Random(i)
    a, b = rng.sample(COUNTRIES, 2)
    text = ARTICLE.format(a=a, b=b, amount=f"{rng.randint(1, 99) / 10:.1f}",
                          years=rng.choice(NUMBERS), months=rng.choice(NUMBERS),
                          serial=letters(i))
    return {"id": f"syn{i:06d}", "title": f"{a} and {b} sign defence cooperation pact",
            "published": "2022-01-08", "text": text}


def write_corpus(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(json.dumps(article(i), ensure_ascii=False) + "\n")
    return path


def answer_for(request: dict) -> str:
    """The extraction a good model returns for a synthetic article in `request`."""
    prompt = request["messages"][-1]["content"]
    found = SENTENCE.search(prompt)
    if found is None:
        return json.dumps({"agreements": []})
    return json.dumps({"agreements": [{
        "name": None, "type": "defence_cooperation", "status": "signed",
        "parties": [found["a"], found["b"]],
        "amounts": [{"mention": found["amount"]}],
        "durations": [{"mention": f"over the next {found['years']}"}],
        "dates": [{"mention": "Thursday", "role": "signed"}],
        "evidence": [found[0]],
    }]})


# --- the scripted server -----------------------------------------------------------


def scripted_module():
    """tests/scripted_server.py, imported by path (tests/ is not a package)."""
    path = ROOT / "tests" / "scripted_server.py"
    spec = importlib.util.spec_from_file_location("scripted_server", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["scripted_server"] = module
    spec.loader.exec_module(module)
    return module


def scripted_server(latency: float, backlog: int = 256):
    """A ScriptedServer whose every answer is a valid extraction after `latency` seconds.

    Two settings of the toy server are changed from outside (the file is the tests'):
    - TCP_NODELAY on its sockets: BaseHTTPRequestHandler writes the headers and the body
      in two send() calls, and Nagle's algorithm holds the body until the client's
      delayed ACK (40 ms on Linux), which adds 40 ms to every answer (measured: 44 ms
      per request at zero delay, 2 ms with TCP_NODELAY). Real servers set it.
    - the listen backlog, from socketserver's 5 to `backlog`, so that 64 connections
      opened at once are not dropped and retried after 1 s."""
    module = scripted_module()
    arrivals: list[float] = []

    def default(body: dict):
        arrivals.append(time.perf_counter())
        return module.Step(content=answer_for(body), delay=latency, prompt_tokens=1000,
                           completion_tokens=120)

    server = module.ScriptedServer(default=default)
    server.arrivals = arrivals  # perf_counter() of each request's arrival
    server.httpd.socket.listen(backlog)
    return server


# --- running treatyx ---------------------------------------------------------------


def treatyx_cmd(*args: str) -> list[str]:
    return [PYTHON, "-m", "treatyx", *args]


def run_timed(cmd: list[str], *, env: dict | None = None) -> dict:
    """Run `cmd` to the end: started/ended (perf_counter), wall seconds, the child's own
    rusage (peak RSS in MiB, CPU seconds; via os.wait4, so earlier children do not mask
    it) and its stderr. Raises when it fails."""
    with watch(" ".join(cmd[2:5])):
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                                cwd=ROOT, text=True)
        _, err = proc.communicate()
        ended = time.perf_counter()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{err[-3000:]}")
    usage = proc_rusage.get(proc.pid, {})
    return {"started": started, "ended": ended, "wall": ended - started, "stderr": err,
            "cpu": usage.get("user", 0.0) + usage.get("sys", 0.0),
            "maxrss_mib": usage.get("maxrss_mib", 0.0)}


proc_rusage: dict[int, dict] = {}


def _install_wait4_hook() -> None:
    """Popen reaps its child with os.waitpid; route it through os.wait4 to keep the rusage
    (peak RSS, CPU seconds) of each child separately."""
    original = os.waitpid

    def waitpid(pid: int, options: int):
        if pid > 0:
            pid_, status, usage = os.wait4(pid, options)
            if pid_:
                proc_rusage[pid_] = {"maxrss_mib": usage.ru_maxrss / 1024,
                                     "user": usage.ru_utime, "sys": usage.ru_stime}
            return pid_, status
        return original(pid, options)

    os.waitpid = waitpid


_install_wait4_hook()


def check_output(path: Path, n: int, *, valid: bool = True) -> int:
    """Every line a document, n distinct doc_ids, no errors file, and (`valid`) every
    document with an agreement and no validator error; returns the count."""
    ids = set()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            if valid and (not doc["validation"]["ok"] or not doc["agreements"]):
                raise AssertionError(f"{path}: {doc['doc_id']} not valid: {doc['validation']}")
            ids.add(doc["doc_id"])
    if len(ids) != n:
        raise AssertionError(f"{path}: {len(ids)} documents, expected {n}")
    errors = path.with_name(path.name + ".errors.jsonl")
    if errors.exists():
        raise AssertionError(f"{errors} exists: {errors.read_text()[:500]}")
    return len(ids)


def children_maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def tmpdir(name: str) -> Path:
    import tempfile

    path = Path(tempfile.mkdtemp(prefix=f"treatyx-bench-{name}-"))
    return path


def cleanup(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def arguments(doc: str | None) -> argparse.ArgumentParser:
    """A benchmark's command line: its own options go on this, --no-wait is shared."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n")[0])
    parser.add_argument("--no-wait", action="store_true", help="do not wait for an idle machine")
    return parser


def begin(args: argparse.Namespace, name: str) -> Path:
    """Say which machine this is and give the run a scratch folder (see `tmpdir`)."""
    global WAIT
    WAIT = not args.no_wait
    print_machine()
    return tmpdir(name)
