"""Choosing and opening a backend by name: the one table of backends."""

import pytest

from treatyx import Extractor
from treatyx.cli import build_parser
from treatyx.errors import UsageError
from treatyx.extractors.registry import NAMES, OPENERS, BackendOptions, choose, open_backend


def test_an_unknown_backend_is_a_usage_error_before_anything_starts():
    with pytest.raises(UsageError, match="unknown backend 'bogus'.*auto, rules, openai, local"):
        Extractor(backend="bogus")
    with pytest.raises(UsageError):
        BackendOptions(backend="bogus")


def test_the_cli_offers_the_registry_s_backends():
    args = build_parser().parse_args(["extract", "x.txt", "--backend", "local"])
    assert args.backend == "local"
    assert ("auto", *OPENERS) == NAMES
    with pytest.raises(SystemExit):
        build_parser().parse_args(["extract", "x.txt", "--backend", "bogus"])


def test_auto_chooses_a_configured_endpoint():
    assert choose(BackendOptions(base_url="http://127.0.0.1:9/v1")) == "openai"
    assert choose(BackendOptions(backend="rules", base_url="http://127.0.0.1:9/v1")) == "rules"


def test_read_evidence_is_on_for_the_local_model_only_unless_asked():
    assert BackendOptions().reads_evidence("local") is True
    assert BackendOptions().reads_evidence("openai") is False
    assert BackendOptions(read_evidence=False).reads_evidence("local") is False
    assert BackendOptions(read_evidence=True).reads_evidence("openai") is True


def test_an_opened_backend_states_its_identity_and_is_closed_after_the_block():
    said = []
    with open_backend(BackendOptions(backend="rules"), say=said.append) as backend:
        assert backend.name == "rules" and backend.loop is None
        assert backend.identity()[0] == "rules"
    assert said == []  # asked for by name: nothing to explain


def test_the_registry_decides_read_evidence_for_the_backend_it_opens():
    options = BackendOptions(backend="openai", model="m", base_url="http://127.0.0.1:9/v1")
    with open_backend(options) as backend:  # no request is made
        assert backend.read_evidence is False
    options.read_evidence = True
    with open_backend(options) as backend:
        assert backend.read_evidence is True
