"""Writing results: whole lines or a one-line error naming the file, never a traceback."""

import json
import os
import signal
import subprocess
import sys
import time

import scripted_cli
from full_disk import ROOT, run_with_file_size_limit
from scripted_server import ScriptedServer, Step

from treatyx.cli import main

SEED = ROOT / "eval" / "articles" / "dev" / "seed.txt"


def write_corpus(path, n):
    rows = [json.dumps({"id": f"d{k}", "text": f"Story {k}. Japan and Australia signed a "
                        "defence pact on Thursday."}) for k in range(n)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_output_on_a_full_disk_is_one_line_naming_the_file(tmp_path):
    corpus = write_corpus(tmp_path / "corpus.jsonl", 30)
    out = tmp_path / "out.jsonl"
    done = run_with_file_size_limit(3000, ["extract", str(corpus), "--backend", "rules",
                                           "-o", str(out)], tmp_path)
    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert errors == [f"treatyx: error: {out}: cannot write: File too large"], done.stderr
    assert "Traceback" not in done.stderr
    assert all(json.loads(line) for line in out.read_text().splitlines())  # no torn line


def test_stdout_on_a_full_disk_is_one_line(tmp_path):
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "treatyx", "extract", "--backend", "rules",
                               str(SEED)],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=60,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1] == (
        "treatyx: error: <stdout>: cannot write: No space left on device")


def test_a_report_on_a_full_disk_is_one_line_naming_the_file(tmp_path):
    out = tmp_path / "out.jsonl"
    assert main(["extract", str(SEED), "--backend",
                 "rules", "--include-text", "-o", str(out)]) == 0
    page = tmp_path / "report.html"
    done = run_with_file_size_limit(2000, ["report", str(out), "-o", str(page)], tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"treatyx: error: {page}: cannot write: File too large"]


# --- reruns and concurrent runs --------------------------------------------------------

DOCS = [f"d{n:02}" for n in range(20)]
FAILING = DOCS[::2]


def failing_corpus(tmp_path):
    return scripted_cli.write_corpus(
        tmp_path / "corpus.jsonl", DOCS,
        text=lambda n: scripted_cli.article(n) + (" FAILS." if DOCS[n] in FAILING else ""))


def refuse_failing(body):
    if "FAILS." in json.dumps(body):
        return Step(status=400)
    return Step(content=scripted_cli.NO_AGREEMENT, delay=0.2)


def failed_ids(out):
    errors = out.with_name(out.name + ".errors.jsonl")
    return [row["doc_id"] for row in scripted_cli.lines(errors)] if errors.exists() else []


def test_an_interrupted_rerun_keeps_the_failures_it_did_not_redo(tmp_path):
    corpus, out, cache = failing_corpus(tmp_path), tmp_path / "out.jsonl", tmp_path / "cache"
    with ScriptedServer(default=refuse_failing) as server:
        assert main(scripted_cli.extract_args(server, cache, str(corpus), "-o", str(out))) == 1
    assert sorted(failed_ids(out)) == FAILING

    with ScriptedServer(default=scripted_cli.answering(delay=0.5)) as server:
        argv = scripted_cli.extract_args(server, cache, str(corpus), "-o", str(out),
                                         "--concurrency", "1")
        rerun = subprocess.Popen([sys.executable, "-m", "treatyx", *argv], cwd=tmp_path,
                                 stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while len(scripted_cli.ids(out)) < len(DOCS) - len(FAILING) + 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        rerun.send_signal(signal.SIGTERM)
        _, err = rerun.communicate(timeout=30)
    assert rerun.returncode == 143, err

    done, failed = scripted_cli.ids(out), failed_ids(out)
    assert 2 <= len(set(FAILING) & set(done)) < len(FAILING)
    assert sorted(done + failed) == DOCS  # each document in exactly one of the two files

    with ScriptedServer(default=scripted_cli.answering()) as server:
        assert main(scripted_cli.extract_args(server, cache, str(corpus), "-o", str(out))) == 0
    assert sorted(scripted_cli.ids(out)) == DOCS and failed_ids(out) == []


def test_a_failure_whose_input_was_removed_goes_with_the_next_complete_run(tmp_path):
    corpus, out, cache = failing_corpus(tmp_path), tmp_path / "out.jsonl", tmp_path / "cache"
    with ScriptedServer(default=refuse_failing) as server:
        main(scripted_cli.extract_args(server, cache, str(corpus), "-o", str(out)))
        scripted_cli.write_corpus(corpus, [d for d in DOCS if d not in FAILING])
        assert main(scripted_cli.extract_args(server, cache, str(corpus), "-o", str(out))) == 0
    assert failed_ids(out) == []


def test_a_second_run_on_the_same_output_is_refused(tmp_path, capsys):
    corpus, out = failing_corpus(tmp_path), tmp_path / "out.jsonl"
    with ScriptedServer(default=scripted_cli.answering(delay=0.3)) as server:
        argv = scripted_cli.extract_args(server, tmp_path / "cache", str(corpus), "-o",
                                         str(out), "--concurrency", "1")
        first = subprocess.Popen([sys.executable, "-m", "treatyx", *argv], cwd=tmp_path,
                                 stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 30
        while not scripted_cli.ids(out) if out.exists() else True:
            assert time.monotonic() < deadline
            time.sleep(0.05)

        second = main(argv)

        _, err = first.communicate(timeout=60)
    assert second == 2
    assert capsys.readouterr().err.splitlines() == [
        f"treatyx: error: {out}: another treatyx run is writing to this output; wait for it "
        "to finish, or choose another -o"]
    assert first.returncode == 0, err
    assert sorted(scripted_cli.ids(out)) == DOCS  # each once


def test_an_output_that_is_not_a_regular_file_is_refused(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert main(["extract", str(SEED), "--backend", "rules", "-o", str(fifo)]) == 2
    [line] = capsys.readouterr().err.splitlines()[-1:]
    assert line.startswith(f"treatyx: error: {fifo}: not a regular file")
