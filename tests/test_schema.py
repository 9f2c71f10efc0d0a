"""The committed JSON Schema is the models' schema: regenerate it with
`treatyx schema > schemas/treatyx-output-v1.schema.json` when the models change."""

import json
from pathlib import Path

from treatyx.cli import main
from treatyx.models import Document, output_json_schema

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "schemas" / "treatyx-output-v1.schema.json"


def test_committed_schema_matches_the_models():
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == output_json_schema(), (
        "schemas/ is stale: run `treatyx schema > schemas/treatyx-output-v1.schema.json`"
    )


def test_schema_command_prints_the_schema(capsys):
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == output_json_schema()


def test_gold_files_load_through_the_models_and_dump_back_unchanged():
    for path in sorted((ROOT / "eval" / "gold").rglob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        assert Document.model_validate(raw).model_dump(mode="json") == raw, path.name


def test_enums_match_the_contract():
    schema = output_json_schema()["$defs"]
    assert "host_nation_support" in schema["AgreementType"]["enum"]
    assert schema["AgreementStatus"]["enum"] == [
        "planned", "negotiating", "announced", "signed",
        "in_force", "extended", "suspended", "terminated",
    ]


def test_the_readme_shows_what_the_first_command_prints_today(capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = readme.split("<!-- seed-output -->\n```json\n", 1)[1].split("\n```", 1)[0]
    assert main(["extract", str(ROOT / "eval/articles/dev/seed.txt"), "--backend", "rules"]) == 0
    shown, printed = json.loads(shown), json.loads(capsys.readouterr().out)
    for document in (shown, printed):
        document["extractor"]["seconds"] = None  # the one field that differs run to run
    assert shown == printed, "README's seed output is stale: paste the rules output again"
