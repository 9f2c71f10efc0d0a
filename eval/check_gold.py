"""Check (and with --fix, repair) the gold files against the articles they annotate.

Gold is only worth scoring against when every fact points at the exact words of its
article, so this script holds each gold file to the contract in
shared/spec/output-format.md: spans match mentions, doc_id and published match the
article, party codes agree with the COW table. Spans are tedious to count by hand,
so --fix computes them from the mentions.

    python eval/check_gold.py [--fix] [SPLIT_DIR...]

(default: eval/gold/dev, test, grouping, grouping-test, labels)

Exit status 1 while any problem remains.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from treatyx.models import FACT_FIELDS, Agreement, Document

EVAL = Path(__file__).resolve().parent
DEFAULT_SPLITS = tuple(
    EVAL / "gold" / split for split in ("dev", "test", "grouping", "grouping-test", "labels"))
COW_TABLE = EVAL.parent / "treatyx" / "normalize" / "data" / "cow_states.csv"
GRANULARITY_LENGTH = {"year": 4, "month": 7, "day": 10}


@dataclass(frozen=True)
class Article:
    text: str
    published: dt.date | None
    body: tuple[int, int]
    """Region of `text` before web boilerplate; a fix prefers occurrences inside it."""


class Skip(Exception):
    """The article exists but cannot be loaded here; the gold file is not checked."""


@dataclass
class Report:
    files: int = 0
    facts: int = 0
    fixed: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


# --- finding and loading the article ------------------------------------------------


def articles_dir(gold_dir: Path) -> Path:
    """eval/gold/<split> -> eval/articles/<split>."""
    return gold_dir.parent.parent / "articles" / gold_dir.name


def load_article(directory: Path, doc_id: str) -> Article | None:
    """The article `doc_id` from a .txt, .html/.htm, or a *.jsonl row; None if absent."""
    for suffix in (".txt", ".text"):
        path = directory / f"{doc_id}{suffix}"
        if path.is_file():
            return _from_loader(path) or _plain_text(path)
    for suffix in (".html", ".htm"):
        path = directory / f"{doc_id}{suffix}"
        if path.is_file():
            article = _from_loader(path)
            if article is None:
                raise Skip("loader not available")
            return article
    for path in sorted(directory.glob("*.jsonl")):
        row = _jsonl_rows(path).get(doc_id)
        if row is not None:
            return row
    return None


def _from_loader(path: Path) -> Article | None:
    try:
        from treatyx.errors import LoadError
        from treatyx.loading import load_document
    except ImportError:
        return None
    try:
        doc = load_document(path)
    except LoadError as error:
        raise Skip(str(error)) from None
    return Article(doc.text, doc.published, (doc.body_start, doc.body_end))


def _plain_text(path: Path) -> Article:
    """Fallback while treatyx.loading is missing: the whole text, no date."""
    text = path.read_bytes().decode("utf-8-sig")
    return Article(text, None, (0, len(text)))


_JSONL_CACHE: dict[Path, dict[str, Article]] = {}


def _jsonl_rows(path: Path) -> dict[str, Article]:
    if path not in _JSONL_CACHE:
        rows: dict[str, Article] = {}
        for line in path.read_text(encoding="utf-8-sig").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            published = row.get("published")
            text = row["text"]
            rows[str(row["id"])] = Article(
                text, dt.date.fromisoformat(published[:10]) if published else None, (0, len(text))
            )
        _JSONL_CACHE[path] = rows
    return _JSONL_CACHE[path]


def article_ids(directory: Path) -> set[str]:
    """Every doc_id that the split's articles provide (to find articles without gold)."""
    if not directory.is_dir():
        return set()
    suffixes = {".txt", ".text", ".html", ".htm"}
    ids = {p.stem for p in directory.iterdir() if p.suffix.lower() in suffixes}
    for path in sorted(directory.glob("*.jsonl")):
        ids.update(_jsonl_rows(path))
    return ids


# --- party codes ----------------------------------------------------------------------


def cow_table() -> dict[str, int]:
    """ISO3 -> COW number of the states in the project's party table."""
    lines = [
        line
        for line in COW_TABLE.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    return {row["iso3"]: int(row["cow"]) for row in csv.DictReader(lines) if row["iso3"]}


def party_problems(party: BaseModel, cow: dict[str, int]) -> Iterator[str]:
    if party.kind == "organisation":
        if party.iso3 is not None or party.cow is not None:
            yield "an organisation has null iso3 and cow"
    elif party.iso3 is None or party.cow is None:
        yield "a state needs both iso3 and cow"
    elif party.iso3 not in cow:
        yield f"iso3 {party.iso3} is not a state of the COW table"
    elif cow[party.iso3] != party.cow:
        yield f"cow {party.cow} does not match {party.iso3} (COW {cow[party.iso3]})"
    try:
        from treatyx.normalize.parties import lookup_party
    except ImportError:
        return
    key = party.name if party.kind == "organisation" else party.key
    for label, words in (("name", party.name), ("mention", party.mention)):
        info = lookup_party(words)
        if info is not None and (info.iso3 or info.name) != key:
            yield f"{label} {words!r} names {info.name}, not {key}"


# --- spans --------------------------------------------------------------------------


def _occurrences(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at != -1:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _distance(start: int, end: int, anchors: list[tuple[int, int]]) -> int:
    """Characters between [start, end) and the nearest anchor (0 when inside one)."""
    return min(max(a_start - end, start - a_end, 0) for a_start, a_end in anchors)


def place(
    text: str,
    words: str,
    span: tuple[int, int] | None,
    anchors: list[tuple[int, int]],
    body: tuple[int, int],
) -> tuple[tuple[int, int] | None, str | None]:
    """The span `words` should have, and a problem when none can be chosen.

    Several occurrences are settled by the agreement's evidence: the one nearest it wins
    (the first, among those inside it); without evidence the choice is ambiguous.
    """
    if span is not None and text[span[0] : span[1]] == words:
        return span, None
    starts = _occurrences(text, words)
    inside = [s for s in starts if body[0] <= s and s + len(words) <= body[1]]
    starts = inside or starts
    if not starts:
        return None, "not found in the article text" + _near_miss(text, words)
    if len(starts) > 1:
        if not anchors:
            return None, f"occurs {len(starts)} times and there is no evidence to choose by"
        starts.sort(key=lambda s: (_distance(s, s + len(words), anchors), s))
    return (starts[0], starts[0] + len(words)), None


def _near_miss(text: str, words: str) -> str:
    """A hint for a typo'd mention: the closest words of the text, if any are close."""
    try:
        from treatyx.spans import locate
    except ImportError:
        return ""
    found = locate(text, words)
    return f" (closest: {text[found.start : found.end]!r})" if found.where == "fuzzy" else ""


def fix_agreement(
    agreement: Agreement, where: str, article: Article, fix: bool, report: Report
) -> bool:
    """Check every span of one agreement; returns whether a span was changed."""
    changed = False

    def settle(
        item: BaseModel, words: str, path: str, anchors: list[tuple[int, int]]
    ) -> tuple[int, int] | None:
        nonlocal changed
        span, problem = place(article.text, words, item.span, anchors, article.body)
        if problem:
            report.problems.append(f"{path}: {words!r} {problem}")
        elif span != item.span:
            if fix:
                item.span, changed = span, True
                report.fixed += 1
            else:
                state = "missing" if item.span is None else f"wrong ({list(item.span)})"
                report.problems.append(f"{path}: span {state}; {words!r} is at {list(span)}")
        return span

    if not agreement.parties:
        report.problems.append(f"{where}: an agreement needs at least one party")
    if not agreement.evidence:
        report.problems.append(f"{where}: no evidence quote")
    placed = [
        settle(e, e.quote, f"{where}.evidence[{i}]", []) for i, e in enumerate(agreement.evidence)
    ]
    anchors = [span for span in placed if span is not None]
    for name in FACT_FIELDS:
        for i, fact in enumerate(getattr(agreement, name)):
            report.facts += 1
            settle(fact, fact.mention, f"{where}.{name}[{i}]", anchors)
    return changed


# --- one gold file --------------------------------------------------------------------


def check_file(path: Path, fix: bool, report: Report, cow: dict[str, int]) -> None:
    raw = path.read_text(encoding="utf-8")
    try:
        doc = Document.model_validate_json(raw)
    except ValidationError as error:
        for detail in error.errors():
            where = ".".join(str(part) for part in detail["loc"])
            report.problems.append(f"{path}: {where}: {detail['msg']}")
        return
    report.files += 1
    if doc.doc_id != path.stem:
        report.problems.append(f"{path}: doc_id {doc.doc_id!r} is not the file stem")
    try:
        article = load_article(articles_dir(path.parent), path.stem)
    except Skip as reason:
        report.skipped += 1
        print(f"{path}: skipped: {reason}")
        return
    if article is None:
        report.problems.append(f"{path}: no article {path.stem} in {articles_dir(path.parent)}")
        return
    if article.published is not None and doc.published != article.published:
        report.problems.append(
            f"{path}: published {doc.published} but the article is dated {article.published}"
        )
    changed = False
    for a, agreement in enumerate(doc.agreements):
        where = f"{path}: agreements[{a}]"
        for p, party in enumerate(agreement.parties):
            for problem in party_problems(party, cow):
                report.problems.append(f"{where}.parties[{p}]: {problem}")
        for d, date in enumerate(agreement.dates):
            if len(date.value) != GRANULARITY_LENGTH[date.granularity]:
                report.problems.append(
                    f"{where}.dates[{d}]: value {date.value} is not of granularity "
                    f"{date.granularity}"
                )
            elif date.granularity == "day":
                try:
                    dt.date.fromisoformat(date.value)
                except ValueError:
                    report.problems.append(f"{where}.dates[{d}]: {date.value} is no date")
        changed |= fix_agreement(agreement, where, article, fix, report)
    canonical = json.dumps(doc.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    if fix and (changed or canonical.rstrip("\n") != raw.rstrip("\n")):
        path.write_text(canonical, encoding="utf-8")


def check_split(gold_dir: Path, fix: bool, report: Report, cow: dict[str, int]) -> None:
    if not gold_dir.is_dir():
        report.problems.append(f"{gold_dir}: no such directory")
        return
    gold = sorted(gold_dir.glob("*.json"))
    for path in gold:
        check_file(path, fix, report, cow)
    missing = article_ids(articles_dir(gold_dir)) - {p.stem for p in gold}
    for doc_id in sorted(missing):
        report.problems.append(f"{articles_dir(gold_dir)}: article {doc_id} has no gold file")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--fix",
        action="store_true",
        help="set missing or wrong spans from the mentions and rewrite files",
    )
    parser.add_argument(
        "splits",
        nargs="*",
        type=Path,
        metavar="SPLIT_DIR",
        help="gold directories (default: eval/gold/dev, test, grouping, grouping-test, labels)",
    )
    args = parser.parse_args(argv)
    report, cow = Report(), cow_table()
    for gold_dir in args.splits or DEFAULT_SPLITS:
        check_split(gold_dir, args.fix, report, cow)
    for problem in report.problems:
        print(problem)
    print(
        f"files: {report.files}, facts: {report.facts}, problems: {len(report.problems)}"
        + (f", spans fixed: {report.fixed}" if args.fix else "")
        + (f", skipped: {report.skipped}" if report.skipped else "")
    )
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
