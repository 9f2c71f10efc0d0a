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
    script_hash = base64.b64encode(hashlib.sha256(_JS.encode()).digest()).decode()
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{script_hash}'"
    )
    return _PAGE.format(
        title=_e(title),
        csp=csp,
        css=_CSS,
        filters=_render_filters(documents),
        legend=_LEGEND,
        n_agreements=sum(len(d.agreements) for d in documents),
        n_docs=len(documents),
        body=body,
        data=_json_for_script(data),
        js=_JS,
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

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{css}</style>
</head>
<body>
<header class="top">
<div class="bar"><h1>{title}</h1>
<span id="shown" class="shown">{n_agreements} agreements in {n_docs} documents</span></div>
<div class="bar"><form id="filters" class="filters">{filters}</form>{legend}</div>
</header>
<main>
{body}
</main>
<div id="popover" class="popover" hidden></div>
<script type="application/json" id="treatyx-data">{data}</script>
<script>{js}</script>
</body>
</html>
"""

_CSS = """
:root { --party:#dbeafe; --party-b:#3b82f6; --amount:#dcfce7; --amount-b:#16a34a;
  --duration:#f3e8ff; --duration-b:#9333ea; --date:#fef3c7; --date-b:#d97706;
  --ev:#f1f5f9; --ev-b:#94a3b8; --err:#dc2626; --warn:#ea9a0c; --ink:#1e293b; --mute:#64748b; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #f8fafc; }
header.top { position: sticky; top: 0; z-index: 5; background: #fff;
  border-bottom: 1px solid #e2e8f0; padding: 8px 20px; box-shadow: 0 1px 3px rgba(0,0,0,.05); }
.bar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 20px; margin: 2px 0; }
h1 { font-size: 18px; margin: 0; }
.shown { color: var(--mute); }
.filters { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: center; }
.filters label { font-size: 12px; color: var(--mute); }
.filters select, .filters button { font: inherit; font-size: 13px; margin-left: 4px;
  padding: 2px 4px; border: 1px solid #cbd5e1; border-radius: 4px; background: #fff;
  color: var(--ink); }
.legend { display: flex; gap: 6px; font-size: 12px; margin-left: auto; }
main { padding: 8px 20px 40px; }
.doc { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 14px 18px;
  margin: 14px 0; }
.doc h2 { font-size: 17px; margin: 0 0 2px; }
.meta, .summary { margin: 0; color: var(--mute); font-size: 12.5px; }
.summary { color: var(--ink); margin-top: 2px; }
.bad { color: var(--err); font-weight: 600; }
.meh { color: #b45309; font-weight: 600; }
.cols { display: grid; grid-template-columns: minmax(0, 72ch) minmax(320px, 1fr); gap: 28px;
  margin-top: 10px; align-items: start; }
@media (max-width: 900px) { .cols { grid-template-columns: 1fr; } }
.text { white-space: pre-wrap; font: 15px/1.7 Georgia, "Times New Roman", serif; max-width: 75ch; }
.cards { position: sticky; top: 86px; max-height: calc(100vh - 100px); overflow: auto;
  display: flex; flex-direction: column; gap: 10px; padding: 2px; }
mark.hl { background: none; color: inherit; border-radius: 2px; cursor: pointer; padding: 0; }
mark.ev { background: var(--ev); text-decoration: underline 2px var(--ev-b);
  text-underline-offset: 4px; }
mark.ev-err { text-decoration: underline wavy 1.5px var(--err); }
mark.ev-warn { text-decoration: underline wavy 1.5px var(--warn); }
mark.k-party { background: var(--party); box-shadow: inset 0 -2px var(--party-b); }
mark.k-amount { background: var(--amount); box-shadow: inset 0 -2px var(--amount-b); }
mark.k-duration { background: var(--duration); box-shadow: inset 0 -2px var(--duration-b); }
mark.k-date { background: var(--date); box-shadow: inset 0 -2px var(--date-b); }
mark.err { outline: 2px solid var(--err); outline-offset: 1px; }
mark.warn { outline: 2px dashed var(--warn); outline-offset: 1px; }
mark[data-badge]::after { content: attr(data-badge); font: 600 9.5px/1 system-ui, sans-serif;
  vertical-align: super; margin-left: 2px; padding: 1px 3px; border-radius: 3px; color: #fff;
  background: var(--warn); }
mark.err[data-badge]::after, mark.ev-err[data-badge]::after { background: var(--err); }
mark.muted { background: none; box-shadow: none; outline: none; text-decoration: none; }
mark.muted::after { display: none; }
mark.active { background: #fde047 !important; }
.legend mark { padding: 1px 5px; cursor: default; font-size: 12px; }
.card { border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 12px; background: #fff;
  transition: box-shadow .15s; }
.card.linked { box-shadow: 0 0 0 2px #2563eb; }
.card header { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; font-size: 12px; }
.card h3 { font-size: 14px; margin: 6px 0 2px; }
.card h4 { font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: var(--mute);
  margin: 8px 0 2px; }
.card ul { list-style: none; margin: 0; padding: 0; }
.card footer { margin-top: 8px; font-size: 11.5px; color: var(--mute); }
.type { background: #1e293b; color: #fff; border-radius: 10px; padding: 1px 8px; }
.status { border: 1px solid #94a3b8; border-radius: 10px; padding: 0 8px; }
.state { margin-left: auto; }
.state.good { color: #15803d; }
.state.unchecked { color: var(--mute); }
li.fact { padding: 2px 6px; margin: 2px 0; border-left: 3px solid transparent; border-radius: 3px;
  cursor: pointer; font-size: 13px; }
li.fact:hover, li.fact.active { background: #fef9c3; }
li.k-party { border-color: var(--party-b); }
li.k-amount { border-color: var(--amount-b); }
li.k-duration { border-color: var(--duration-b); }
li.k-date { border-color: var(--date-b); }
li.k-evidence { border-color: var(--ev-b); color: #334155; font-size: 12.5px; }
.val { font-weight: 600; margin-right: 6px; }
q { color: var(--mute); font-style: italic; }
li.k-evidence q { color: inherit; }
.tag { display: inline-block; font-size: 10.5px; padding: 0 4px; margin-left: 4px;
  border-radius: 3px; background: #e2e8f0; color: #334155; font-style: normal; }
.tag.error { background: var(--err); color: #fff; }
.tag.warning { background: var(--warn); color: #fff; }
.tag.missing { background: #fee2e2; color: #991b1b; }
ul.issues { list-style: none; padding: 0; margin: 8px 0 0; font-size: 12.5px; }
li.issue { padding: 3px 6px; border-radius: 4px; margin: 2px 0; }
li.issue.error { background: #fef2f2; border-left: 3px solid var(--err); }
li.issue.warning { background: #fffbeb; border-left: 3px solid var(--warn); }
.note { color: var(--mute); font-style: italic; }
.popover { position: absolute; z-index: 10; max-width: 420px; background: #0f172a; color: #f8fafc;
  border-radius: 6px; padding: 8px 10px; font-size: 12.5px;
  box-shadow: 0 4px 14px rgba(0,0,0,.25); }
.popover p { margin: 2px 0 0; }
.popover div + div { margin-top: 6px; padding-top: 6px; border-top: 1px solid #334155; }
.popover b { color: #93c5fd; }
.popover .error { color: #fca5a5; }
.popover .warning { color: #fcd34d; }
.flash { animation: flash 1.2s; }
@keyframes flash { 0%, 60% { background: #fde047; } }
[hidden] { display: none !important; }
"""

_JS = r"""
(() => {
  const data = JSON.parse(document.getElementById('treatyx-data').textContent);
  const names = ['type', 'status', 'party', 'validation'];
  const control = (n) => document.getElementById('f-' + n);
  const cards = [...document.querySelectorAll('.card')];
  const marks = [...document.querySelectorAll('mark.hl[data-f]')];

  function matches(card, f) {
    const d = card.dataset;
    if (f.type && d.type !== f.type) return false;
    if (f.status && d.status !== f.status) return false;
    if (f.party && !d.parties.includes('|' + f.party + '|')) return false;
    if (f.validation === 'ok' && (d.checked !== '1' || +d.errors > 0)) return false;
    if (f.validation === 'errors' && !(+d.errors > 0)) return false;
    if (f.validation === 'warnings' && !(+d.warnings > 0)) return false;
    return true;
  }

  // The one filter routine: the controls and the URL fragment both end here.
  function applyFilters(f) {
    const active = names.some((n) => f[n]);
    const visible = new Set();
    for (const card of cards) {
      const ok = matches(card, f);
      card.hidden = !ok;
      if (ok) visible.add(card.id);
    }
    let docsShown = 0;
    for (const doc of document.querySelectorAll('section.doc')) {
      const any = doc.querySelector('.card:not([hidden])') !== null;
      doc.hidden = active && !any;
      if (!doc.hidden) docsShown += 1;
    }
    for (const m of marks) {
      m.classList.toggle('muted', active && !m.dataset.a.split(' ').some((a) => visible.has(a)));
    }
    document.getElementById('shown').textContent =
      `${visible.size} of ${cards.length} agreements in ${docsShown} of ` +
      `${document.querySelectorAll('section.doc').length} documents`;
    document.body.dataset.filter = names.filter((n) => f[n]).map((n) => n + '=' + f[n]).join('&');
  }

  function fromControls() {
    const f = {};
    for (const n of names) f[n] = control(n).value;
    return f;
  }

  function fromHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    for (const n of names) {
      const c = control(n);
      const v = params.get(n) || '';
      c.value = [...c.options].some((o) => o.value === v) ? v : '';
    }
    applyFilters(fromControls());
  }

  function onChange() {
    const f = fromControls();
    const q = new URLSearchParams();
    for (const n of names) if (f[n]) q.set(n, f[n]);
    history.replaceState(null, '', q.toString() ? '#' + q : location.pathname);
    applyFilters(f);
  }

  for (const n of names) control(n).addEventListener('change', onChange);
  document.getElementById('f-reset').addEventListener('click', () => {
    for (const n of names) control(n).value = '';
    onChange();
  });
  window.addEventListener('hashchange', fromHash);

  // Linking text and cards.
  const factIds = (el) => (el.dataset.f || '').split(' ').filter(Boolean);
  // A piece inside an evidence sentence stands for its own fact, not for the sentence.
  function primary(mark) {
    const ids = factIds(mark);
    const own = ids.filter((id) => data.facts[id] && data.facts[id].kind !== 'evidence');
    return own.length ? own : ids;
  }
  const cardsOf = (ids) => [...new Set(ids.map((id) => data.facts[id] && data.facts[id].card))];
  const linked = [];
  function link(ids, cardIds) {
    unlink();
    for (const id of ids) {
      for (const el of document.querySelectorAll(`[data-f~="${id}"]`)) {
        el.classList.add('active');
        linked.push([el, 'active']);
      }
    }
    for (const cid of cardIds) {
      const card = document.getElementById(cid);
      if (card) { card.classList.add('linked'); linked.push([card, 'linked']); }
    }
  }
  function unlink() {
    while (linked.length) { const [el, cls] = linked.pop(); el.classList.remove(cls); }
  }

  const pop = document.getElementById('popover');
  function showPopover(mark) {
    pop.replaceChildren();
    for (const id of primary(mark)) {
      const f = data.facts[id];
      if (!f) continue;
      const box = document.createElement('div');
      const head = document.createElement('b');
      head.textContent = f.kind + ': ';
      box.append(head, f.value);
      const line = (cls, text) => {
        const p = document.createElement('p');
        p.className = cls;
        p.textContent = text;
        box.append(p);
      };
      const quote = f.mention.length > 80 ? f.mention.slice(0, 77) + '…' : f.mention;
      line('where', `agreement ${f.agreement} · “${quote}”` +
        (f.span ? ` [${f.span[0]}, ${f.span[1]})` : '') + (f.moved ? ' (span moved)' : ''));
      for (const i of f.issues) line(i.severity, `${i.code} ${i.severity}: ${i.message}`);
      pop.append(box);
    }
    const r = mark.getBoundingClientRect();
    pop.hidden = false;
    const right = scrollX + innerWidth - pop.offsetWidth - 8;
    pop.style.left = Math.max(8, Math.min(r.left + scrollX, right)) + 'px';
    const below = r.bottom + 6 + pop.offsetHeight < innerHeight;
    pop.style.top = (below ? r.bottom + 6 : r.top - 6 - pop.offsetHeight) + scrollY + 'px';
  }

  let pinned = null;
  document.addEventListener('mouseover', (ev) => {
    if (pinned) return;
    const m = ev.target.closest('mark.hl[data-f]');
    const li = ev.target.closest('li.fact');
    const card = ev.target.closest('.card');
    if (m) link(primary(m), cardsOf(primary(m)));
    else if (li) link(factIds(li), [card.id]);
    else if (card) link(facts_of(card), [card.id]);
    else unlink();
  });
  const facts_of = (card) => [...card.querySelectorAll('li.fact')].flatMap(factIds);

  document.addEventListener('click', (ev) => {
    const m = ev.target.closest('mark.hl[data-f]');
    const li = ev.target.closest('li.fact');
    if (m) {
      pinned = m;
      link(primary(m), cardsOf(primary(m)));
      showPopover(m);
      const card = document.getElementById(cardsOf(primary(m))[0]);
      if (card) card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      return;
    }
    pinned = null;
    pop.hidden = true;
    if (li) {
      const target = document.querySelector(`mark.hl[data-f~="${factIds(li)[0]}"]`);
      if (target) {
        target.scrollIntoView({ block: 'center', behavior: 'smooth' });
        target.classList.remove('flash');
        void target.offsetWidth;
        target.classList.add('flash');
      }
    }
  });
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') { pinned = null; pop.hidden = true; unlink(); }
  });

  fromHash();
})();
"""
