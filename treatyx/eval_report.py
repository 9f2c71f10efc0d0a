"""Showing an EvalReport: rich tables for the terminal, markdown for eval/results/*.md."""

from __future__ import annotations

from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from treatyx.evaluation import ALL, FIELDS, EvalReport, FieldScore

_ROWS = (*FIELDS, ALL)


def _pct(value: float) -> str:
    return f"{value:.3f}"


def _cells(score: FieldScore) -> list[str]:
    return [
        _pct(score.precision),
        _pct(score.recall),
        _pct(score.f1),
        str(score.tp),
        str(score.fp),
        str(score.fn),
    ]


def _rows(report: EvalReport) -> list[tuple[str, FieldScore]]:
    return [(field, report.fields[field]) for field in _ROWS] + [
        ("agreements (detection)", report.agreements)
    ]


def _summary_lines(report: EvalReport) -> list[str]:
    grounding = (
        "n/a (no validation in predictions)"
        if report.grounding_rate is None
        else f"{report.grounding_rate:.3f} of {report.grounding_facts} predicted facts"
    )
    skipped = (
        f" ({report.hallucination_docs_skipped} document(s) without text skipped)"
        if report.hallucination_docs_skipped
        else ""
    )
    lines = [
        f"documents: {report.documents}",
        f"grounding rate: {grounding}",
        f"hallucinated mentions: {report.hallucinations}{skipped}",
    ]
    for label, ids in (
        ("missing predictions (scored as false negatives)", report.missing_predictions),
        ("predictions not in gold (ignored)", report.extra_predictions),
        ("repeated predictions (first one scored)", report.duplicate_predictions),
    ):
        if ids:
            lines.append(f"{label}: {', '.join(ids)}")
    return lines


def render_table(report: EvalReport, *, by_doc: bool = False, errors: bool = False) -> Group:
    """The scores as rich tables; `by_doc` adds a row per document, `errors` every fp/fn."""
    parts: list = []
    table = Table(title="treatyx eval")
    table.add_column("field")
    for name in ("P", "R", "F1", "tp", "fp", "fn"):
        table.add_column(name, justify="right")
    for field, score in _rows(report):
        style = "bold" if field in (ALL, "agreements (detection)") else None
        table.add_row(field, *_cells(score), style=style)
    parts.append(table)
    parts.append(Text("\n".join(_summary_lines(report))))
    if by_doc:
        parts.append(_by_doc_table(report))
    if errors:
        parts.append(_errors_table(report))
    return Group(*parts)


# Short headings keep the per-document table within an 80-column terminal.
_SHORT = {
    "parties": "par",
    "type": "type",
    "status": "stat",
    "amounts": "amt",
    "durations": "dur",
    "dates": "date",
    "date_roles": "role",
    ALL: "all",
}


def _by_doc_table(report: EvalReport) -> Table:
    table = Table(
        title="F1 per document",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    table.add_column("doc_id", no_wrap=True)
    for name in ("agr", *(_SHORT[field] for field in _ROWS)):
        table.add_column(name, justify="right")
    for doc in report.by_doc:
        name = f"{doc.doc_id} (missing)" if doc.missing else doc.doc_id
        scores = [doc.agreements, *(doc.fields[field] for field in _ROWS)]
        table.add_row(name, *(f"{score.f1:.2f}" for score in scores))
    return table


def _errors_table(report: EvalReport) -> Table:
    table = Table(
        title=f"errors ({len(report.errors)})",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    for name in ("doc_id", "field", "kind"):
        table.add_column(name, no_wrap=True)
    table.add_column("value", overflow="fold")
    for name in ("gold#", "pred#"):  # the agreement's index in gold and in the prediction
        table.add_column(name, justify="right", no_wrap=True)
    for item in report.errors:
        table.add_row(
            item.doc_id,
            item.field,
            item.kind,
            item.value,
            "" if item.gold_agreement is None else str(item.gold_agreement),
            "" if item.pred_agreement is None else str(item.pred_agreement),
        )
    return table


def render_markdown(report: EvalReport) -> str:
    """A markdown table of the scores and the summary figures, for eval/results/*.md."""
    lines = ["| field | P | R | F1 | tp | fp | fn |", "|---|---:|---:|---:|---:|---:|---:|"]
    for field, score in _rows(report):
        name = f"**{field}**" if field == ALL else field
        lines.append("| " + " | ".join([name, *_cells(score)]) + " |")
    lines.append("")
    lines += [f"- {line}" for line in _summary_lines(report)]
    lines.append("")
    lines.append(
        "`all` is the micro sum over parties, type, status, amounts, durations and dates; "
        "`date_roles` counts the roles of matched dates only."
    )
    return "\n".join(lines) + "\n"
