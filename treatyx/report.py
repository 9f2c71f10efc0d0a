"""A self-contained HTML page for checking treatyx output by eye before publishing.

Researchers trust a fact when they see its words in the article, so the page shows each
document's text with every fact's span highlighted next to the agreements as cards, the
validator's issues marked where they apply, and filters to narrow a corpus down.

Everything taken from a document is untrusted article text: it is escaped with
`html.escape` on the way into HTML, and the data for the script travels in a JSON block
with `<`, `>` and `&` escaped, so nothing in an article can close a tag or open one. The
page loads nothing from the network, and its Content-Security-Policy allows only its own
script (by hash), so a mistake in escaping would still not run foreign code.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from itertools import pairwise
from pathlib import Path

from treatyx.models import SPANNED_FIELDS, Agreement, Document, Issue
from treatyx.spans import locate

FIELDS = SPANNED_FIELDS
KIND = {
    "parties": "party",
    "amounts": "amount",
    "durations": "duration",
    "dates": "date",
    "evidence": "evidence",
}
_PATH = re.compile(r"^agreements\[(\d+)\](?:\.(\w+)\[(\d+)\])?")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


@dataclass
class _Fact:
    """One fact as the page shows it; `span` is where it is highlighted, if anywhere."""

    id: str
    agreement: int
    field: str
    mention: str
    value: str
    span: tuple[int, int] | None
    moved: bool = False
    issues: list[Issue] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return KIND[self.field]

    @property
    def severity(self) -> str | None:
        severities = {i.severity for i in self.issues}
        return "error" if "error" in severities else ("warning" if severities else None)


@dataclass
class _Doc:
    """A document with its facts and issues sorted by where they belong."""

    key: str
    document: Document
    text: str | None
    facts: list[_Fact]
    agreement_issues: dict[int, list[Issue]]
    other_issues: list[Issue]

    def facts_of(self, a: int) -> list[_Fact]:
        return [f for f in self.facts if f.agreement == a]


# --- public API ----------------------------------------------------------------------


def render_report(
    documents: list[Document], texts: Mapping[str, str], *, title: str = "treatyx review"
) -> str:
    """The review page for `documents`; `texts[doc_id]` is the text their spans index into
    (else `doc.text`; without either, the cards are shown with a note)."""
    documents = list(documents)
    docs = [_prepare(f"d{i}", d, texts.get(d.doc_id, d.text)) for i, d in enumerate(documents)]
    data = {"facts": {f.id: _fact_data(d, f) for d in docs for f in d.facts}}
    body = "\n".join(_render_doc(d) for d in docs) or '<p class="empty">No documents.</p>'
    script = _asset("report.js")
    script_hash = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{script_hash}'"
    )
    return _asset("report.html").format(
        title=_e(title),
        csp=csp,
        css=_asset("report.css"),
        filters=_render_filters(documents),
        legend=_LEGEND,
        n_agreements=sum(len(d.agreements) for d in documents),
        n_docs=len(documents),
        body=body,
        data=_json_for_script(data),
        js=script,
    )


def write_report(
    documents: list[Document],
    texts: Mapping[str, str],
    path: Path,
    *,
    title: str = "treatyx review",
) -> None:
    """Write the review page to `path` (UTF-8)."""
    Path(path).write_text(render_report(documents, texts, title=title), encoding="utf-8")


# --- facts, spans and issues ------------------------------------------------------------


def _prepare(key: str, doc: Document, text: str | None) -> _Doc:
    issues = doc.validation.issues if doc.validation else []
    by_fact: dict[tuple[int, str, int], list[Issue]] = {}
    by_agreement: dict[int, list[Issue]] = {}
    other: list[Issue] = []
    for issue in issues:
        match = _PATH.match(issue.path)
        if not match or int(match.group(1)) >= len(doc.agreements):
            other.append(issue)
            continue
        a = int(match.group(1))
        by_agreement.setdefault(a, []).append(issue)
        if match.group(2):
            by_fact.setdefault((a, match.group(2), int(match.group(3))), []).append(issue)
    facts = []
    for a, agreement in enumerate(doc.agreements):
        anchor = _anchor(agreement, text)
        for name in FIELDS:
            for k, fact in enumerate(getattr(agreement, name)):
                words = fact.quote if name == "evidence" else fact.mention
                span, moved = _where(text, words, fact.span, anchor)
                facts.append(
                    _Fact(
                        id=f"{key}-a{a}-{name}-{k}",
                        agreement=a,
                        field=name,
                        mention=words,
                        value=_describe(name, fact),
                        span=span,
                        moved=moved,
                        issues=by_fact.get((a, name, k), []),
                    )
                )
    return _Doc(key, doc, text, facts, by_agreement, other)


def _anchor(agreement: Agreement, text: str | None) -> int | None:
    for evidence in agreement.evidence:
        if evidence.span and text and text[evidence.span[0] : evidence.span[1]] == evidence.quote:
            return evidence.span[0]
    return None


def _where(
    text: str | None, words: str, span: tuple[int, int] | None, anchor: int | None
) -> tuple[tuple[int, int] | None, bool]:
    """The span to highlight: the given one when it holds the words, else the words' own
    place (flagged as moved); near matches are not guessed, the validator reports those."""
    if not text:
        return None, False
    if (
        span is not None
        and 0 <= span[0] < span[1] <= len(text)
        and text[span[0] : span[1]] == words
    ):
        return (span[0], span[1]), False
    found = locate(text, words, span, near=anchor)
    if found.where in ("exact", "moved"):
        return found.span, True
    return None, False


def _describe(name: str, fact) -> str:
    """The normalised value in words, as a reviewer compares it with the mention."""
    if name == "parties":
        if fact.kind == "organisation":
            return f"{fact.name} (organisation)"
        cow = "—" if fact.cow is None else fact.cow
        return f"{fact.name} · ISO3 {fact.iso3 or '—'} · COW {cow}"
    if name == "amounts":
        text = f"{fact.currency} {_compact(fact.value)}"
        if fact.period:
            text += f" a {fact.period}"
        return text + (" (approximate)" if fact.approximate else "")
    if name == "durations":
        return f"{fact.value} ({_human_duration(fact.value)})"
    if name == "dates":
        return f"{fact.value} ({fact.granularity}) · {fact.role}"
    return "evidence"


def _compact(value: float) -> str:
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= size:
            return f"{value / size:.6g} {word}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


_UNITS = {"Y": "year", "M": "month", "W": "week", "D": "day"}


def _human_duration(value: str) -> str:
    date_part = value[1:].split("T", 1)[0]
    parts = [
        f"{n} {_UNITS[u]}{'' if n == '1' else 's'}"
        for n, u in re.findall(r"(\d+)([YMWD])", date_part)
    ]
    return ", ".join(parts) or value


def _fact_data(doc: _Doc, fact: _Fact) -> dict:
    agreement = doc.document.agreements[fact.agreement]
    return {
        "kind": fact.kind,
        "value": fact.value,
        "mention": fact.mention,
        "span": list(fact.span) if fact.span else None,
        "moved": fact.moved,
        "card": f"{doc.key}-a{fact.agreement}",
        "agreement": f"#{fact.agreement + 1} {agreement.type.value} ({agreement.status.value})",
        "issues": [
            {"code": i.code, "severity": i.severity, "message": i.message} for i in fact.issues
        ],
    }


def _json_for_script(data: object) -> str:
    """JSON that cannot end its <script> element: `</script>` in an article stays text."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- the highlighted text -------------------------------------------------------------


def _render_text(doc: _Doc) -> str:
    """Split at every span boundary; each piece is one <mark> naming all facts over it,
    so overlapping and nested spans never break the text."""
    text = doc.text or ""
    placed = [f for f in doc.facts if f.span]
    bounds = sorted({0, len(text)} | {s for f in placed for s in f.span})
    out = []
    for start, end in pairwise(bounds):
        piece = _e(text[start:end])
        over = [f for f in placed if f.span[0] <= start and end <= f.span[1]]
        out.append(_render_piece(doc, piece, over, end) if over else piece)
    return "".join(out)


def _render_piece(doc: _Doc, piece: str, over: list[_Fact], end: int) -> str:
    facts = [f for f in over if f.field != "evidence"]
    evidence = [f for f in over if f.field == "evidence"]
    classes = ["hl"]
    if facts:
        inner = min(facts, key=lambda f: f.span[1] - f.span[0])
        classes.append(f"k-{inner.kind}")
        severities = {f.severity for f in facts}
        if "error" in severities:
            classes.append("err")
        elif "warning" in severities:
            classes.append("warn")
    if evidence:
        classes.append("ev")
        severities = {f.severity for f in evidence}
        if "error" in severities:
            classes.append("ev-err")
        elif "warning" in severities:
            classes.append("ev-warn")
    attrs = [
        f'class="{" ".join(classes)}"',
        f'data-f="{_e(" ".join(f.id for f in over))}"',
        f'data-a="{_e(" ".join(sorted({f"{doc.key}-a{f.agreement}" for f in over})))}"',
        f'title="{_e(_tooltip(doc, over))}"',
    ]
    badges = sorted({i.code for f in over if f.span[1] == end for i in f.issues})
    if badges:
        attrs.append(f'data-badge="{_e(" ".join(badges))}"')
    return f"<mark {' '.join(attrs)}>{piece}</mark>"


def _tooltip(doc: _Doc, facts: Iterable[_Fact]) -> str:
    lines = []
    for f in facts:
        agreement = doc.document.agreements[f.agreement]
        lines.append(f"{f.kind}: {f.value} — agreement #{f.agreement + 1} ({agreement.type.value})")
        lines.extend(f"  {i.code} {i.severity}: {i.message}" for i in f.issues)
    return "\n".join(lines)


# --- cards -------------------------------------------------------------------------


def _label(value: str) -> str:
    return value.replace("_", " ")


def _party_key(party) -> str:
    return party.key.replace("|", "/")


def _counts(issues: Iterable[Issue]) -> tuple[int, int]:
    issues = list(issues)
    errors = sum(i.severity == "error" for i in issues)
    return errors, len(issues) - errors


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _render_card(doc: _Doc, a: int, agreement: Agreement) -> str:
    key = f"{doc.key}-a{a}"
    issues = doc.agreement_issues.get(a, [])
    errors, warnings = _counts(issues)
    checked = doc.document.validation is not None
    if not checked:
        state = '<span class="state unchecked">not validated</span>'
    elif errors or warnings:
        parts = [_plural(n, w) for n, w in ((errors, "error"), (warnings, "warning")) if n]
        state = f'<span class="state {"bad" if errors else "meh"}">{", ".join(parts)}</span>'
    else:
        state = '<span class="state good">✓ ok</span>'
    parties = "|".join(_party_key(p) for p in agreement.parties)
    name = _e(agreement.name) if agreement.name else f"Agreement #{a + 1}"
    rows = []
    for name_, heading in (
        ("parties", "Parties"),
        ("amounts", "Amounts"),
        ("durations", "Durations"),
        ("dates", "Dates"),
        ("evidence", "Evidence"),
    ):
        facts = [f for f in doc.facts_of(a) if f.field == name_]
        if facts:
            items = "".join(_render_fact_row(doc, agreement, f) for f in facts)
            rows.append(f"<h4>{heading}</h4><ul>{items}</ul>")
    listed = "".join(
        f'<li class="issue {i.severity}"><b>{_e(i.code)}</b> '
        f"<code>{_e(_short_path(i.path))}</code> {_e(i.message)}</li>"
        for i in issues
    )
    return (
        f'<article class="card" id="{key}" data-doc="{doc.key}" '
        f'data-type="{_e(agreement.type.value)}" data-status="{_e(agreement.status.value)}" '
        f'data-parties="|{_e(parties)}|" data-errors="{errors}" data-warnings="{warnings}" '
        f'data-checked="{int(checked)}">'
        f'<header><span class="type">{_e(_label(agreement.type.value))}</span>'
        f'<span class="status s-{_e(agreement.status.value)}">{_e(_label(agreement.status.value))}'
        f"</span>{state}</header>"
        f"<h3>{name}</h3>{''.join(rows) or '<p class=note>No facts.</p>'}"
        f"{f'<ul class=issues>{listed}</ul>' if listed else ''}"
        f"{f'<footer>{footer}</footer>' if (footer := _extractor_line(doc.document)) else ''}"
        "</article>"
    )


def _short_path(path: str) -> str:
    return re.sub(r"^agreements\[\d+\]\.?", "", path) or "agreement"


_MOVED = "the given span does not hold these words; shown where they stand"


def _render_fact_row(doc: _Doc, agreement: Agreement, fact: _Fact) -> str:
    mention = fact.mention if len(fact.mention) <= 160 else fact.mention[:157] + "…"
    where = ""
    if not fact.span:
        where = '<span class="tag missing">not in text</span>' if doc.text else ""
    elif fact.moved:
        where = f'<span class="tag moved" title="{_MOVED}">span moved</span>'
    codes = "".join(
        f'<span class="tag {i.severity}" title="{_e(i.message)}">{_e(i.code)}</span>'
        for i in fact.issues
    )
    value = "" if fact.field == "evidence" else f'<span class="val">{_e(fact.value)}</span>'
    return (
        f'<li class="fact k-{fact.kind}" data-f="{fact.id}" tabindex="0">'
        f"{value}<q>{_e(mention)}</q>{where}{codes}</li>"
    )


def _extractor_line(doc: Document) -> str:
    ex = doc.extractor
    if ex is None:
        return ""
    parts = [ex.backend]
    if ex.model:
        parts.append(ex.model)
    if ex.prompt_version:
        parts.append(f"prompt {ex.prompt_version}")
    if ex.usage.requests:
        parts.append(
            f"{ex.usage.requests} req, {ex.usage.prompt_tokens}+{ex.usage.completion_tokens} tokens"
        )
    if ex.seconds:
        parts.append(f"{ex.seconds:.1f} s")
    return "extractor: " + _e(" · ".join(parts))


# --- documents and page ---------------------------------------------------------------


def _render_doc(doc: _Doc) -> str:
    d = doc.document
    errors, warnings = _counts(d.validation.issues if d.validation else [])
    n_facts = sum(f.field != "evidence" for f in doc.facts)
    n_evidence = len(doc.facts) - n_facts
    shown = sum(1 for f in doc.facts if f.span)
    summary = " · ".join(
        [
            _plural(len(d.agreements), "agreement"),
            _plural(n_facts, "fact"),
            _plural(n_evidence, "evidence quote"),
            f'<span class="{"bad" if errors else ""}">{_plural(errors, "error")}</span>',
            f'<span class="{"meh" if warnings else ""}">{_plural(warnings, "warning")}</span>',
            f"{shown}/{len(doc.facts)} highlighted" if doc.text else "no text",
        ]
    )
    if d.validation is None:
        summary += " · not validated"
    meta = [f"<code>{_e(d.doc_id)}</code>"]
    if d.published:
        meta.append(f"published {d.published.isoformat()}")
    if d.extractor:
        meta.append(_extractor_line(d))
    other = "".join(
        f'<li class="issue {i.severity}"><b>{_e(i.code)}</b> <code>{_e(i.path)}</code> '
        f"{_e(i.message)}</li>"
        for i in doc.other_issues
    )
    if doc.text:
        text = f'<div class="text">{_render_text(doc)}</div>'
    else:
        text = (
            '<p class="note">No source text for this document, so its spans cannot be shown. '
            "Pass the source with <code>--source</code>, or write the output with "
            "<code>--include-text</code>.</p>"
        )
    cards = "".join(_render_card(doc, a, ag) for a, ag in enumerate(d.agreements))
    if not cards:
        cards = '<p class="note">No agreement reported.</p>'
    return (
        f'<section class="doc" id="{doc.key}" data-n="{len(d.agreements)}">'
        f"<h2>{_e(d.title or d.doc_id)}</h2>"
        f'<p class="meta">{" · ".join(meta)}</p><p class="summary">{summary}</p>'
        f"{f'<ul class=issues>{other}</ul>' if other else ''}"
        f'<div class="cols"><div class="textcol">{text}</div>'
        f'<div class="cards">{cards}</div></div></section>'
    )


def _options(values: Iterable[tuple[str, str]]) -> str:
    return "".join(f'<option value="{_e(v)}">{_e(label)}</option>' for v, label in values)


def _render_filters(documents: list[Document]) -> str:
    agreements = [a for d in documents for a in d.agreements]
    types = sorted({a.type.value for a in agreements})
    statuses = sorted(
        {a.status.value for a in agreements}, key=lambda s: list(_STATUS_ORDER).index(s)
    )
    parties: dict[str, str] = {}
    for a in agreements:
        for p in a.parties:
            parties.setdefault(_party_key(p), f"{p.name} ({p.iso3})" if p.iso3 else p.name)
    party_options = sorted(parties.items(), key=lambda kv: kv[1].lower())
    return (
        '<label>Type <select id="f-type"><option value="">all</option>'
        f"{_options((t, _label(t)) for t in types)}</select></label>"
        '<label>Status <select id="f-status"><option value="">all</option>'
        f"{_options((s, _label(s)) for s in statuses)}</select></label>"
        '<label>Party <select id="f-party"><option value="">all</option>'
        f"{_options(party_options)}</select></label>"
        '<label>Validation <select id="f-validation"><option value="">all</option>'
        '<option value="ok">ok (no errors)</option><option value="errors">has errors</option>'
        '<option value="warnings">has warnings</option></select></label>'
        '<button type="button" id="f-reset">reset</button>'
    )


_STATUS_ORDER = (
    "planned",
    "negotiating",
    "announced",
    "signed",
    "in_force",
    "extended",
    "suspended",
    "terminated",
)

_LEGEND = (
    '<span class="legend">'
    '<mark class="hl k-party">party</mark><mark class="hl k-amount">amount</mark>'
    '<mark class="hl k-duration">duration</mark><mark class="hl k-date">date</mark>'
    '<mark class="hl ev">evidence</mark><mark class="hl k-party err">error</mark>'
    '<mark class="hl k-party warn">warning</mark></span>'
)


@cache
def _asset(name: str) -> str:
    """The page's template, style and script: files in treatyx/assets/, so that they read
    (and diff) as HTML, CSS and JavaScript."""
    return (files("treatyx") / "assets" / name).read_text(encoding="utf-8")
