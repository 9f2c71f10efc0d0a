"""Writing results: whole lines or a one-line error naming the file, never a traceback."""

import json
import os
import subprocess
import sys

from full_disk import ROOT, run_with_file_size_limit

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
