"""`--engine ray` and `extract_dataset` on a real local Ray cluster (2 CPUs): the same
documents as a plain run, resuming from -o, and a killed actor losing nothing.

Ray starts a dozen processes, so the cluster is started once for the module and the runs
are few."""

import itertools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from treatyx.cli import main

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "testdata" / "bbc" / "bbc.jsonl"
EVAL = [str(ROOT / "eval" / "articles" / split) for split in ("dev", "test")]


def test_without_ray_the_engine_is_a_one_line_usage_error_naming_the_extra(tmp_path):
    script = ("import sys; sys.modules['ray'] = None; from treatyx.cli import main; "
              f"sys.exit(main(['extract', {EVAL[0]!r}, '--engine', 'ray', '--backend', 'rules']))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == ("treatyx: error: --engine ray needs Ray: "
                           "pip install 'treatyx[ray]'\n")


def test_ray_options_without_the_engine_are_a_usage_error(capsys):
    assert main(["extract", EVAL[0], "--backend", "rules", "--ray-actors", "2"]) == 2
    assert "--ray-address and --ray-actors need --engine ray" in capsys.readouterr().err


ray = pytest.importorskip("ray", reason="treatyx[ray] is not installed")


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, logging_level="WARNING", log_to_driver=False,
             include_dashboard=False)
    yield
    ray.shutdown()


def _documents(path: Path) -> dict[str, dict]:
    """doc_id -> document, less the seconds each took."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        document = json.loads(line)
        del document["extractor"]["seconds"]
        assert document["doc_id"] not in found, document["doc_id"]
        found[document["doc_id"]] = document
    return found


@pytest.mark.skipif(not BBC.is_file(), reason="../shared/testdata/bbc is not here")
def test_ray_gives_the_documents_and_facts_of_a_plain_run_and_resumes(cluster, tmp_path):
    corpus = tmp_path / "bbc500.jsonl"
    with BBC.open(encoding="utf-8") as rows:
        corpus.write_text("".join(itertools.islice(rows, 500)), encoding="utf-8")
    plain, distributed = tmp_path / "plain.jsonl", tmp_path / "ray.jsonl"
    assert main(["extract", str(corpus), *EVAL, "--backend", "rules", "-o", str(plain)]) == 0

    # The eval articles first, then everything: the second run does only the BBC rows.
    ray_args = ["--backend", "rules", "--engine", "ray", "-o", str(distributed)]
    assert main(["extract", *EVAL, *ray_args]) == 0
    assert main(["extract", str(corpus), *EVAL, *ray_args]) == 0

    expected = _documents(plain)
    assert len(expected) == 533
    assert sum(bool(d["agreements"]) for d in expected.values()) >= 20  # facts to compare
    assert _documents(distributed) == expected


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _ours(pid: int) -> bool:
    """Started by this test process (another run's cluster on the machine is not ours)."""
    while pid > 1:
        pid = _parent(pid)
        if pid == os.getpid():
            return True
    return False


def _actor_pids() -> list[int]:
    found = subprocess.run(["pgrep", "-f", "TreatyxWorker"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split() if _ours(int(pid))]


def test_an_actor_killed_mid_run_loses_no_document(cluster):
    from treatyx.ray_engine import extract_dataset

    rows = [{"id": f"d{n}", "text": f"Story {n}. Japan and Australia signed a defence pact.",
             "published": "2022-01-08"} for n in range(400)]
    rows.append({"id": "no-text"})
    dataset = extract_dataset(ray.data.from_items(rows), backend="rules", batch_size=5)
    seen, killed = [], None
    for row in dataset.iter_rows():
        seen.append(row)
        if len(seen) == 20:
            killed = _actor_pids()[0]
            os.kill(killed, signal.SIGKILL)
    assert killed is not None
    assert sorted(r["doc_id"] for r in seen if r["document"]) == sorted(f"d{n}"
                                                                        for n in range(400))
    [bad] = [r for r in seen if r["error"]]
    assert bad["error"] == "row no-text: a row needs `id` and `text`"
    document = json.loads(seen[0]["document"])
    assert document["published"] == "2022-01-08"
    assert [p["iso3"] for p in document["agreements"][0]["parties"]] == ["JPN", "AUS"]
