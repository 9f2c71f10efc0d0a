"""The `treatyx` command as a user runs it: what it prints, what it writes, how it fails.

Every test runs on a "fresh machine": no endpoint configured and an empty cache directory
(no pulled local model), so `--backend auto` falls back to the offline rules backend.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from treatyx.cli import main
from treatyx.loading import load_document
from treatyx.models import Document

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "eval" / "articles" / "dev" / "seed.txt"
PACT = "Japan and Australia signed a defence pact on Thursday.\n"
NO_MODEL_SAID = "no model configured"


@pytest.fixture(autouse=True)
def fresh_machine(monkeypatch, tmp_path):
    """No OPENAI_* / TREATYX_MODEL, and a cache directory that holds no local model."""
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TREATYX_MODEL"):
        monkeypatch.delenv(name, raising=False)
    cache = tmp_path / "empty-cache"
    cache.mkdir()
    monkeypatch.setenv("TREATYX_CACHE_DIR", str(cache))


def treatyx(capsys, *args) -> tuple[int, str, str]:
    """Run the command as its console script does: (exit code, stdout, stderr)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exit:  # argparse's usage errors
        code = exit.code
    out = capsys.readouterr()
    return code, out.out, out.err


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(path_or_text: Path | str) -> list[Document]:
    text = path_or_text.read_text(encoding="utf-8") if isinstance(path_or_text, Path) else (
        path_or_text)
    return [Document.model_validate_json(line) for line in text.splitlines()]


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "error:" in line]


# --- the seed ------------------------------------------------------------------------


def test_extract_the_seed_prints_one_pretty_document(capsys):
    code, out, err = treatyx(capsys, "extract", SEED, "--backend", "rules")
    assert code == 0
    assert out.startswith("{\n  ")  # pretty, not one line
    doc = Document.model_validate_json(out)
    assert (doc.doc_id, doc.title, str(doc.published)) == (
        "seed", "US, Japan To Sign New Military Partnership Deal", "2022-01-08")
    assert doc.extractor.backend == "rules"
    assert doc.validation.ok and doc.validation.issues == []
    assert "1 document(s), 0 failed" in err


def test_the_seed_gives_the_host_nation_deal_and_the_japan_australia_pact(capsys):
    _, out, _ = treatyx(capsys, "extract", SEED, "--backend", "rules")
    doc = Document.model_validate_json(out)
    [hns] = [a for a in doc.agreements if a.type == "host_nation_support"]
    assert {p.iso3 for p in hns.parties} == {"USA", "JPN"}
    assert hns.status == "planned"
    assert [(a.value, a.currency, a.mention) for a in hns.amounts] == [
        (9.3e9, "USD", "$9.3 billion")]
    assert [d.value for d in hns.durations] == ["P5Y"]
    [pact] = [a for a in doc.agreements if {p.iso3 for p in a.parties} == {"JPN", "AUS"}]
    assert (pact.status, [d.value for d in pact.dates]) == ("signed", ["2022-01-06"])


def test_nothing_in_the_seed_output_comes_from_after_related_stories(capsys):
    _, out, _ = treatyx(capsys, "extract", SEED, "--backend", "rules")
    doc = Document.model_validate_json(out)
    seed = load_document(SEED)
    facts = [f for a in doc.agreements for f in (*a.parties, *a.amounts, *a.durations, *a.dates)]
    assert facts
    for fact in facts:
        start, end = fact.span
        assert seed.body_start <= start < end <= seed.body_end
        assert seed.text[start:end] == fact.mention
    assert {p.iso3 for a in doc.agreements for p in a.parties} <= {"USA", "JPN", "AUS"}


def test_with_no_model_configured_stderr_says_rules_was_chosen(capsys):
    code, out, err = treatyx(capsys, "extract", SEED)
    assert code == 0
    assert NO_MODEL_SAID in err and "rules backend" in err
    assert Document.model_validate_json(out).extractor.backend == "rules"


def test_choosing_rules_explicitly_needs_no_excuse(capsys):
    _, _, err = treatyx(capsys, "extract", SEED, "--backend", "rules")
    assert NO_MODEL_SAID not in err


# --- JSONL ---------------------------------------------------------------------------


def test_several_inputs_print_jsonl_one_line_per_document(capsys, tmp_path):
    pact = write(tmp_path / "pact.txt", PACT)
    code, out, _ = treatyx(capsys, "extract", SEED, pact, "--backend", "rules")
    assert code == 0
    assert [d.doc_id for d in jsonl(out)] == ["seed", "pact"]


def test_a_jsonl_corpus_gives_a_line_per_row(capsys, tmp_path):
    corpus = write(tmp_path / "corpus.jsonl", "\n".join(
        json.dumps({"id": i, "text": PACT, "published": "2022-01-08"}) for i in ("a", "b")))
    _, out, _ = treatyx(capsys, "extract", corpus, "--backend", "rules")
    assert [(d.doc_id, len(d.agreements)) for d in jsonl(out)] == [("a", 1), ("b", 1)]


def test_output_file_gets_jsonl_and_stdout_stays_empty(capsys, tmp_path):
    out_file = tmp_path / "out.jsonl"
    code, out, err = treatyx(capsys, "extract", SEED, "-o", out_file, "--backend", "rules")
    assert (code, out) == (0, "")
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert Document.model_validate_json(lines[0]).doc_id == "seed"


# --- bad inputs ----------------------------------------------------------------------


def _missing(tmp_path):
    return tmp_path / "missing.txt", "no such file"


def _latin1(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Accord de défense signé.".encode("latin-1"))
    return path, "not UTF-8 text (undecodable byte 0xe9"


def _blank(tmp_path):
    return write(tmp_path / "blank.txt", " \n\t\n"), "empty document (only whitespace)"


@pytest.mark.parametrize("bad_input", [_missing, _latin1, _blank],
                         ids=["missing file", "undecodable bytes", "empty document"])
@pytest.mark.parametrize("to_file", [False, True], ids=["stdout", "-o"])
def test_a_bad_input_is_one_error_line_and_the_others_are_still_written(
        capsys, tmp_path, bad_input, to_file):
    bad, problem = bad_input(tmp_path)
    good = write(tmp_path / "good.txt", PACT)
    out_file = tmp_path / "out.jsonl"
    args = ["extract", bad, good, "--backend", "rules"] + (["-o", out_file] if to_file else [])
    code, out, err = treatyx(capsys, *args)
    assert code == 1
    [line] = error_lines(err)
    assert line.startswith(f"treatyx: error: {bad}: {problem}")
    assert "Traceback" not in err
    assert "1 document(s), 1 failed" in err
    written = jsonl(out_file) if to_file else jsonl(out)
    assert [d.doc_id for d in written] == ["good"]


def test_failures_are_listed_next_to_the_output_file(capsys, tmp_path):
    bad, _ = _missing(tmp_path)
    out_file = tmp_path / "out.jsonl"
    treatyx(capsys, "extract", bad, SEED, "-o", out_file, "--backend", "rules")
    [failure] = [json.loads(line) for line in
                 (tmp_path / "out.jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert failure["error"] == f"{bad}: no such file"


def test_a_malformed_jsonl_line_is_named_by_line_and_the_rest_is_processed(capsys, tmp_path):
    rows = [json.dumps({"id": "first", "text": PACT}), '{"id": "second", "text": ',
            json.dumps({"id": "third", "text": PACT})]
    corpus = write(tmp_path / "corpus.jsonl", "\n".join(rows) + "\n")
    code, out, err = treatyx(capsys, "extract", corpus, "--backend", "rules")
    assert code == 1
    assert [d.doc_id for d in jsonl(out)] == ["first", "third"]
    [line] = error_lines(err)
    assert line.startswith(f"treatyx: error: {corpus}:2: malformed JSON")


@pytest.mark.parametrize(
    ("option", "named"),
    [
        (["--backend", "gpt5"], "argument --backend: invalid choice: 'gpt5'"),
        (["--published", "8 Jan 2022"], "argument --published: not a YYYY-MM-DD date"),
        (["--concurrency", "0"], "argument --concurrency: must be at least 1"),
        (["--concurrency", "two"], "argument --concurrency: not a whole number: 'two'"),
        (["--mode", "xml"], "argument --mode: invalid choice: 'xml'"),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["--timeout", "-1"], "argument --timeout: must be a positive number of seconds"),
        (["--max-retries", "-1"], "argument --max-retries: must not be negative"),
        (["--max-bytes", "-5"], "argument --max-bytes: must not be negative"),
    ],
)
def test_an_unknown_option_value_is_a_usage_error(capsys, option, named):
    code, out, err = treatyx(capsys, "extract", SEED, *option)
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"treatyx extract: error: {named}" + err.split(named)[1]
                                .split("\n")[0], "try `treatyx extract --help`"]
    assert "Traceback" not in err


def test_an_output_path_that_is_a_directory_is_a_usage_error(capsys, tmp_path):
    code, out, err = treatyx(capsys, "extract", SEED, "-o", tmp_path, "--backend", "rules")
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"treatyx: error: {tmp_path}: is a directory; give a file name"]


# --- options -------------------------------------------------------------------------


def test_published_overrides_the_date_that_relative_dates_resolve_against(capsys):
    _, out, _ = treatyx(capsys, "extract", SEED, "--backend", "rules",
                        "--published", "2022-01-15")
    doc = Document.model_validate_json(out)
    assert str(doc.published) == "2022-01-15"
    thursdays = {d.value for a in doc.agreements for d in a.dates if d.mention == "Thursday"}
    assert thursdays == {"2022-01-13"}


def test_include_text_writes_the_text_that_spans_index_into(capsys):
    _, out, _ = treatyx(capsys, "extract", SEED, "--backend", "rules", "--include-text")
    doc = Document.model_validate_json(out)
    assert doc.text == SEED.read_text(encoding="utf-8")
    amount = doc.agreements[1].amounts[0]
    assert doc.text[amount.span[0]:amount.span[1]] == "$9.3 billion"


def test_without_include_text_no_text_is_written(capsys):
    _, out, _ = treatyx(capsys, "extract", SEED, "--backend", "rules")
    assert "text" not in json.loads(out)


def test_strict_drops_what_the_validator_rejects_and_keeps_it_listed(capsys, tmp_path):
    # Signed on a date after publication: the validator's TX301.
    future = write(tmp_path / "future.txt",
                   "Japan and Australia signed a defence pact on 12 March 2022.\n")
    common = ["extract", future, "--backend", "rules", "--published", "2022-01-08"]

    code, out, _ = treatyx(capsys, *common)
    lenient = Document.model_validate_json(out)
    assert code == 0
    assert len(lenient.agreements) == 1
    assert not lenient.validation.ok
    assert [i.code for i in lenient.validation.issues] == ["TX301"]

    code, out, _ = treatyx(capsys, *common, "--strict")
    strict = Document.model_validate_json(out)
    assert code == 0
    assert strict.agreements == []
    assert strict.validation.ok
    [issue] = strict.validation.issues
    assert issue.code == "TX301" and issue.message.endswith("Dropped (--strict).")


# --- validate ------------------------------------------------------------------------


@pytest.fixture
def seed_output(capsys, tmp_path) -> Path:
    out_file = tmp_path / "out.jsonl"
    assert treatyx(capsys, "extract", SEED, "-o", out_file, "--backend", "rules")[0] == 0
    return out_file


def test_validate_passes_the_output_of_extract(capsys, seed_output):
    code, out, err = treatyx(capsys, "validate", seed_output, "--source", SEED)
    assert (code, out) == (0, "")
    assert "1 document(s) checked: 0 error(s)" in err


def test_validate_fails_when_a_fact_is_not_in_the_source(capsys, seed_output, tmp_path):
    doc = json.loads(seed_output.read_text(encoding="utf-8"))
    doc["agreements"][1]["amounts"][0]["mention"] = "$9.8 billion"  # the text says $9.3
    broken = write(tmp_path / "broken.jsonl", json.dumps(doc) + "\n")
    code, out, _ = treatyx(capsys, "validate", broken, "--source", SEED)
    assert code == 1
    assert out.splitlines() == [
        "seed: error TX101 agreements[1].amounts[0]: "
        "'$9.8 billion' does not occur in the source text."]


def test_validate_reads_the_text_written_with_include_text(capsys, tmp_path):
    out_file = tmp_path / "out.jsonl"
    treatyx(capsys, "extract", SEED, "-o", out_file, "--backend", "rules", "--include-text")
    assert treatyx(capsys, "validate", out_file)[0] == 0


def test_validate_without_any_source_text_says_so_and_fails(capsys, seed_output):
    code, _, err = treatyx(capsys, "validate", seed_output)
    assert code == 1
    assert f"{seed_output}: seed: no source text" in err


def test_validate_names_a_broken_output_file_by_line(capsys, tmp_path):
    broken = write(tmp_path / "out.jsonl", '{"doc_id": "a"}\n{oops\n')
    code, _, err = treatyx(capsys, "validate", broken)
    assert code == 1
    assert error_lines(err) == [
        f"treatyx: error: {broken}:2: invalid JSON: Expecting property name enclosed in "
        "double quotes"]


# --- python -m treatyx ---------------------------------------------------------------


def run_module(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "TREATYX_MODEL")}
    return subprocess.run([sys.executable, "-m", "treatyx", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_python_m_treatyx_help_lists_the_commands():
    done = run_module("--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: treatyx")
    for command in ("extract", "validate", "eval", "schema", "export", "report", "model"):
        assert command in done.stdout


def test_python_m_treatyx_extracts_the_seed_on_a_fresh_machine():
    # TREATYX_CACHE_DIR points at the fixture's empty directory (the env is inherited).
    done = run_module("extract", str(SEED.relative_to(ROOT)))
    assert done.returncode == 0, done.stderr
    assert NO_MODEL_SAID in done.stderr
    doc = Document.model_validate_json(done.stdout)
    assert doc.extractor.backend == "rules"
    assert len(doc.agreements) == 3


def test_python_m_treatyx_reports_a_missing_file_without_a_traceback(tmp_path):
    done = run_module("extract", str(tmp_path / "nope.txt"), "--backend", "rules")
    assert done.returncode == 1
    assert done.stdout == ""
    assert error_lines(done.stderr) == [f"treatyx: error: {tmp_path / 'nope.txt'}: no such file"]
    assert "Traceback" not in done.stderr


def test_source_takes_one_path_and_leaves_the_output_alone(capsys, seed_output):
    code, out, err = treatyx(capsys, "validate", "--source", SEED, seed_output)
    assert code == 0 and "1 document(s) checked: 0 error(s)" in err
    code, _, err = treatyx(capsys, "validate", "--source", SEED, "--source", SEED, seed_output)
    assert code == 0


def test_a_fifo_named_on_the_command_line_does_not_hang(tmp_path):
    fifo = tmp_path / "news.txt"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "treatyx", "extract", "--backend", "rules",
                           str(fifo), str(SEED), "-o", str(tmp_path / "out.jsonl")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"treatyx: error: {fifo}: not a regular file" in done.stderr
    assert [d.doc_id for d in jsonl(tmp_path / "out.jsonl")] == ["seed"]


def test_a_directory_run_names_its_skips_and_unsupported_files(capsys, tmp_path):
    write(tmp_path / "pact.txt", PACT)
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 Japan and Australia signed a pact.")
    (tmp_path / "fake.txt").write_bytes(b"%PDF-1.4\nBT (Japan and Australia signed.) Tj ET")
    code, out, err = treatyx(capsys, "extract", tmp_path, "--backend", "rules")
    assert code == 1 and len(out.splitlines()) == 1
    assert f"treatyx: warning: {tmp_path}: skipped 1 file(s): 1 in unsupported formats (.pdf)" \
        in err.splitlines()
    assert f"treatyx: error: {tmp_path / 'fake.txt'}: unsupported format: a PDF document, " \
        "not text; convert it to .txt, .html or .jsonl first" in err.splitlines()


def test_a_document_over_max_bytes_is_one_error_naming_it(capsys, tmp_path):
    big = write(tmp_path / "big.txt", PACT * 400)
    code, out, err = treatyx(capsys, "extract", big, SEED, "--backend", "rules",
                             "--max-bytes", "20k")
    assert code == 1 and Document.model_validate_json(out).doc_id == "seed"
    assert error_lines(err) == [f"treatyx: error: {big}: document too large: 22,000 bytes, "
                                "over the limit of 20,000 (--max-bytes)"]


def test_an_output_inside_the_input_directory_is_never_read_as_input(capsys, tmp_path):
    # news/out.jsonl and news/out.jsonl.errors.jsonl are JSONL files in the input folder:
    # read back as a corpus while written, they would feed the run itself
    news = tmp_path / "news"
    news.mkdir()
    (news / "seed.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    write(news / "out.jsonl.errors.jsonl", '{"doc_id": "gone", "error": "earlier"}\n')
    for _ in range(2):
        code, _, err = treatyx(capsys, "extract", news, "--backend", "rules",
                               "-o", news / "out.jsonl")
        assert code == 0, err
    assert [d.doc_id for d in jsonl(news / "out.jsonl")] == ["seed"]
