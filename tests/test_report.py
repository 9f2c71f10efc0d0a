"""The HTML review page: what a reviewer sees must be the document, faithfully and safely."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from html.parser import HTMLParser

import pytest

from treatyx.models import Document, ExtractorInfo, Issue, Validation
from treatyx.report import render_report, write_report

HOSTILE = (
    "Atlantis and Japan signed a <script>alert(1)</script> arms deal "
    "<img src=x onerror=alert(1)> worth $5 million on Monday."
)
VOID = {"meta", "br", "img", "input", "hr", "link"}


class Page(HTMLParser):
    """The parsed page: elements with their attributes, the text under each fact's
    highlights, each document's displayed text, and the script blocks."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.fact_text: dict[str, str] = defaultdict(str)
        self.doc_text: dict[str, str] = defaultdict(str)
        self.scripts: list[tuple[dict, str]] = []
        self._stack: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs))
        if tag not in VOID:
            self._stack.append((tag, attrs))

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        section = text = None
        for tag, attrs in self._stack:
            if tag == "section":
                section = attrs["id"]
            if tag == "div" and attrs.get("class") == "text":
                text = True
            if tag == "mark" and "data-f" in attrs:
                for fact_id in attrs["data-f"].split():
                    self.fact_text[fact_id] += data
            if tag == "script":
                self.scripts.append((attrs, data))
        if section and text:
            self.doc_text[section] += data

    def find(self, tag: str, **attrs) -> list[dict]:
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        return [
            a
            for t, a in self.elements
            if t == tag and all(v in (a.get(k) or "").split() for k, v in wanted.items())
        ]


def hostile_document() -> Document:
    start = HOSTILE.index("$5 million")
    return Document.model_validate(
        {
            "doc_id": "evil</script><b>",
            "title": "<i>Deal</i> & more",
            "agreements": [
                {
                    "name": "<script>x()</script>",
                    "type": "arms_transfer",
                    "status": "signed",
                    "parties": [
                        {
                            "name": "Japan",
                            "iso3": "JPN",
                            "cow": 740,
                            "kind": "state",
                            "mention": "Japan",
                            "span": [13, 18],
                        }
                    ],
                    "amounts": [
                        {
                            "value": 5e6,
                            "currency": "USD",
                            "mention": "$5 million",
                            "span": [start, start + 10],
                        }
                    ],
                    "evidence": [{"quote": HOSTILE, "span": [0, len(HOSTILE)]}],
                }
            ],
            "validation": {
                "ok": False,
                "issues": [
                    {
                        "code": "TX232",
                        "severity": "error",
                        "path": "agreements[0].parties[0]",
                        "message": "</script><img src=x onerror=alert(2)>",
                    }
                ],
            },
        }
    )


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def fact_ids(doc: Document, key: str = "d0"):
    """(id, words) of every fact, in the page's id scheme d{doc}-a{agreement}-{field}-{k}."""
    for a, agreement in enumerate(doc.agreements):
        for field in ("parties", "amounts", "durations", "dates", "evidence"):
            for k, fact in enumerate(getattr(agreement, field)):
                words = fact.quote if field == "evidence" else fact.mention
                yield f"{key}-a{a}-{field}-{k}", words


def test_seed_renders_text_cards_and_summary(seed, seed_gold):
    page = Page(render_report([seed_gold], {"seed": seed.text}))

    cards = page.find("article", **{"class": "card"})
    assert [c["data-type"] for c in cards] == [a.type.value for a in seed_gold.agreements]
    assert page.doc_text["d0"] == seed.text  # highlighting never changes the text
    html = render_report([seed_gold], {"seed": seed.text})
    assert "3 agreements · 11 facts · 3 evidence quotes · 0 errors · 0 warnings" in visible(html)
    assert "ISO3 JPN · COW 740" in html and "USD 9.3 billion" in html and "P5Y (5 years)" in html


def test_every_fact_mention_is_inside_its_highlights(seed, seed_gold):
    page = Page(render_report([seed_gold], {"seed": seed.text}))

    facts = list(fact_ids(seed_gold))
    assert len(facts) == 14
    for fact_id, words in facts:
        assert page.fact_text[fact_id] == words, fact_id
    # a party inside an evidence sentence: one piece names both facts
    assert page.find("mark", data_f="d0-a0-parties-1")[0]["data-f"].split() == [
        "d0-a0-parties-1",
        "d0-a0-evidence-0",
    ]


def test_crossing_spans_split_without_losing_text():
    text = "Alpha Beta Gamma Delta"
    doc = Document.model_validate(
        {
            "doc_id": "x",
            "agreements": [
                {
                    "type": "other",
                    "status": "signed",
                    "parties": [
                        {"name": "A", "iso3": None, "cow": None, "kind": "organisation",
                         "mention": "Alpha Beta", "span": [0, 10]},
                        {"name": "B", "iso3": None, "cow": None, "kind": "organisation",
                         "mention": "Beta Gamma", "span": [6, 16]},
                    ],
                }
            ],
        }
    )  # fmt: skip
    page = Page(render_report([doc], {"x": text}))

    assert page.doc_text["d0"] == text
    assert page.fact_text["d0-a0-parties-0"] == "Alpha Beta"
    assert page.fact_text["d0-a0-parties-1"] == "Beta Gamma"
    assert [m["data-f"] for m in page.find("mark") if "data-f" in m] == [
        "d0-a0-parties-0",
        "d0-a0-parties-0 d0-a0-parties-1",
        "d0-a0-parties-1",
    ]


def test_hostile_article_renders_as_text():
    doc = hostile_document()
    html = render_report([doc], {doc.doc_id: HOSTILE})
    page = Page(html)

    assert not page.find("img") and not page.find("i")
    assert not any("onerror" in attrs or "src" in attrs for _, attrs in page.elements)
    assert len(page.scripts) == 2  # the data block and the page's own script
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert page.doc_text["d0"] == HOSTILE
    data_attrs, data_text = next(s for s in page.scripts if s[0].get("type") == "application/json")
    assert "<" not in data_text
    data = json.loads(data_text)
    assert data["facts"]["d0-a0-evidence-0"]["mention"] == HOSTILE
    assert data["facts"]["d0-a0-parties-0"]["issues"][0]["message"].startswith("</script>")


def test_page_loads_nothing_from_the_network(seed, seed_gold):
    html = render_report([seed_gold, hostile_document()], {"seed": seed.text})

    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert not re.search(r"url\(|@import", html, re.I)
    assert "https://" not in html and "http://" not in html
    assert "default-src 'none'" in html


def test_issues_are_marked_on_spans_and_listed_on_cards(seed, seed_gold):
    doc = seed_gold.model_copy(deep=True)
    doc.extractor = ExtractorInfo(backend="rules")
    doc.validation = Validation(
        ok=False,
        issues=[
            Issue(code="TX201", severity="error", path="agreements[0].amounts[0]",
                  message="'$9.3 billion' reads as value 9.3e+09, not 9.3e+08."),
            Issue(code="TX303", severity="warning", path="agreements[1].dates[0]",
                  message="Repeats dates[0]."),
            Issue(code="TX304", severity="error", path="agreements[2]",
                  message="The agreement names no party."),
        ],
    )  # fmt: skip
    html = render_report([doc], {"seed": seed.text})
    page = Page(html)

    (amount,) = page.find("mark", data_f="d0-a0-amounts-0")
    assert "err" in amount["class"].split() and amount["data-badge"] == "TX201"
    assert "9.3e+08" in amount["title"]
    date_marks = page.find("mark", data_f="d0-a1-dates-0")
    assert any("warn" in m["class"].split() for m in date_marks)
    cards = {c["id"]: c for c in page.find("article")}
    assert (cards["d0-a0"]["data-errors"], cards["d0-a1"]["data-warnings"]) == ("1", "1")
    assert cards["d0-a2"]["data-errors"] == "1"
    assert "The agreement names no party." in html
    assert "2 errors · 1 warning" in visible(html) and "extractor: rules" in html


def test_missing_spans_are_located_and_absent_words_flagged(seed, seed_gold):
    doc = seed_gold.model_copy(deep=True)
    doc.agreements[0].amounts[0].span = None
    doc.agreements[0].parties[0].mention = "Washington"
    html = render_report([doc], {"seed": seed.text})
    page = Page(html)

    assert page.fact_text["d0-a0-amounts-0"] == "$9.3 billion"
    assert "d0-a0-parties-0" not in page.fact_text
    row = re.search(r'<li [^>]*data-f="d0-a0-parties-0"[^>]*>(.*?)</li>', html).group(1)
    assert "not in text" in row and "Washington" in row


def test_document_without_text_shows_cards_and_a_note(seed_gold, tmp_path):
    out = tmp_path / "report.html"
    write_report([seed_gold], {}, out)
    html = out.read_text(encoding="utf-8")
    page = Page(html)

    assert len(page.find("article")) == 3
    assert not page.find("mark", data_f="d0-a0-parties-0")
    assert "No source text for this document" in html


def test_text_falls_back_to_the_documents_own(seed, seed_gold):
    doc = seed_gold.model_copy(update={"text": seed.text})
    page = Page(render_report([doc], {}))

    assert page.doc_text["d0"] == seed.text


@pytest.mark.parametrize("title", ["treatyx review", "<Review> & co"])
def test_filters_offer_what_the_documents_hold(seed, seed_gold, title):
    html = render_report([seed_gold, hostile_document()], {"seed": seed.text}, title=title)
    page = Page(html)

    options = [o["value"] for o in page.find("option")]
    assert {"research_development", "arms_transfer", "planned", "JPN", "AUS"} <= set(options)
    assert {"ok", "errors", "warnings"} <= set(options)
    assert f"<title>{title.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}" in html
