"""SIGINT/SIGTERM in the middle of `treatyx extract -o`: no finished document is lost,
and running the same command again completes the rest. A real process, a real signal."""

import signal
import subprocess
import sys
import time

import pytest
from scripted_cli import answering, extract_args, ids, write_corpus
from scripted_server import ScriptedServer

from treatyx.cli import main

DOCS = [f"d{n:02}" for n in range(24)]


def start_extract(server, tmp_path, *extra: str) -> subprocess.Popen:
    corpus = write_corpus(tmp_path / "corpus.jsonl", DOCS)
    argv = extract_args(server, tmp_path / "cache", str(corpus), "-o",
                        str(tmp_path / "out.jsonl"), "--concurrency", "2", *extra)
    return subprocess.Popen([sys.executable, "-m", "treatyx", *argv], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_lines(path, count: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.02)
    raise AssertionError(f"{path} never reached {count} lines")


@pytest.mark.parametrize(("sent", "exit_code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)],
                         ids=["SIGTERM", "SIGINT"])
def test_a_signal_keeps_every_finished_document_and_a_rerun_does_the_rest(tmp_path, sent,
                                                                          exit_code):
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=answering(delay=0.2)) as server:
        process = start_extract(server, tmp_path)
        wait_for_lines(out, 3)
        process.send_signal(sent)
        _, err = process.communicate(timeout=30)
        asked = len(server.requests)

    assert process.returncode == exit_code, err
    assert "Traceback" not in err
    assert "run the same command again to extract the rest" in err
    assert "document(s), 0 failed" in err  # the summary
    done = ids(out)  # every line is complete JSON
    assert len(done) == len(set(done)) == asked < len(DOCS)  # those in flight were finished

    with ScriptedServer(default=answering()) as server:
        argv = extract_args(server, tmp_path / "cache", str(tmp_path / "corpus.jsonl"),
                            "-o", str(out))
        assert main(argv) == 0
        assert len(server.requests) == len(DOCS) - len(done)
    assert sorted(ids(out)) == DOCS


def test_a_second_signal_stops_at_once_without_waiting_for_requests_in_flight(tmp_path):
    out = tmp_path / "out.jsonl"
    with ScriptedServer(default=answering(delay=3.0)) as server:
        process = start_extract(server, tmp_path)
        wait_for_lines(out, 2, timeout=60)
        time.sleep(0.2)  # the next requests are in flight now
        started = time.monotonic()
        process.send_signal(signal.SIGINT)
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)

    assert time.monotonic() - started < 2.5  # not the 3 s those requests take
    assert process.returncode == 130, err
    assert "Traceback" not in err and "Task was destroyed" not in err
    assert "run the same command again" in err
    assert len(set(ids(out))) == len(ids(out)) == 2  # the two finished before the signals
