from pathlib import Path

import pytest

from treatyx.loading import load_document
from treatyx.models import Document

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "eval" / "articles" / "dev" / "seed.txt"
SEED_GOLD = ROOT / "eval" / "gold" / "dev" / "seed.json"


@pytest.fixture
def seed():
    """The motivating article, as loaded (text, title, published, body)."""
    return load_document(SEED)


@pytest.fixture
def seed_gold() -> Document:
    return Document.model_validate_json(SEED_GOLD.read_text(encoding="utf-8"))
