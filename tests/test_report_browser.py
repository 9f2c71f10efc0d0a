"""The review page in a real browser: its script runs under the page's own
Content-Security-Policy, filters hide cards, and hostile article text stays text.

Headless Chromium renders the page and dumps the DOM after the script has run; a filter
is chosen through the URL fragment (#type=...), which sets the same controls and calls
the same routine as choosing it in the page.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from treatyx.models import Document
from treatyx.report import write_report

pytestmark = pytest.mark.e2e

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
ARTEFACTS = Path(__file__).resolve().parent / "artefacts"
HOSTILE = (
    "Poland bought 180 K2 tanks from South Korea for $6.5 billion. "
    "<script>alert(1)</script><img src=x onerror=alert(1)>"
)


class Dom(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def all(self, tag: str, cls: str | None = None) -> list[dict]:
        return [
            a
            for t, a in self.elements
            if t == tag and (cls is None or cls in (a.get("class") or "").split())
        ]


def chromium(tmp_path: Path, *args: str) -> str:
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    done = subprocess.run(
        [CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=90, check=True
    )
    return done.stdout


def second_document() -> Document:
    start = HOSTILE.index("$6.5 billion")
    return Document.model_validate(
        {
            "doc_id": "k2<script>",
            "title": "K2 <img src=x onerror=alert(1)>",
            "agreements": [
                {
                    "type": "arms_transfer",
                    "status": "signed",
                    "parties": [
                        {"name": "Poland", "iso3": "POL", "cow": 290, "kind": "state",
                         "mention": "Poland", "span": [0, 6]},
                        {"name": "South Korea", "iso3": "KOR", "cow": 732, "kind": "state",
                         "mention": "South Korea", "span": [32, 43]},
                    ],
                    "amounts": [{"value": 6.5e9, "currency": "USD", "mention": "$6.5 billion",
                                 "span": [start, start + 12]}],
                    "evidence": [{"quote": HOSTILE[:61], "span": [0, 61]}],
                }
            ],
            "validation": {"ok": True, "issues": []},
        }
    )  # fmt: skip


@pytest.fixture
def report(tmp_path, seed, seed_gold) -> Path:
    path = tmp_path / "report.html"
    second = second_document()
    write_report([seed_gold, second], {"seed": seed.text, second.doc_id: HOSTILE}, path)
    return path


def test_page_highlights_facts_and_keeps_hostile_text_inert(tmp_path, report):
    dom = Dom(chromium(tmp_path, "--dump-dom", report.as_uri()))

    marks = [m for m in dom.all("mark", "hl") if "data-f" in m]
    highlighted = {f for m in marks for f in m["data-f"].split()}
    assert len(highlighted) == 14 + 4  # every fact of both documents
    assert len(dom.all("article", "card")) == 4
    assert not dom.all("img")
    assert len(dom.all("script")) == 2
    assert not any("onerror" in attrs for _, attrs in dom.elements)


def test_type_filter_hides_other_agreements_and_documents(tmp_path, report):
    dom = Dom(chromium(tmp_path, "--dump-dom", report.as_uri() + "#type=research_development"))

    shown = {c["id"]: "hidden" not in c for c in dom.all("article", "card")}
    assert shown == {"d0-a0": False, "d0-a1": True, "d0-a2": False, "d1-a0": False}
    sections = {s["id"]: "hidden" not in s for s in dom.all("section", "doc")}
    assert sections == {"d0": True, "d1": False}
    muted = {f for m in dom.all("mark", "muted") for f in m["data-f"].split()}
    assert "d0-a0-amounts-0" in muted and "d0-a1-parties-0" not in muted
    (body,) = dom.all("body")
    assert body["data-filter"] == "type=research_development"


def test_party_filter(tmp_path, report):
    dom = Dom(chromium(tmp_path, "--dump-dom", report.as_uri() + "#party=AUS"))

    shown = [c["id"] for c in dom.all("article", "card") if "hidden" not in c]
    assert shown == ["d0-a2"]


def test_screenshot(tmp_path, report):
    ARTEFACTS.mkdir(exist_ok=True)
    shot = ARTEFACTS / "report.png"
    shot.unlink(missing_ok=True)
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1400,1000", report.as_uri())

    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
