"""How often the treatyx normalisers agree with Duckling's English test corpus.

    python eval/duckling_accuracy.py [--data DIR] [--out eval/results/duckling.md] [--failures]

Only rows in scope for news about defence agreements are scored. A row is out of scope
when such a report would not say it (a price in cents, a length to the second, a date
given as a movable religious festival), never because we get it wrong; every rule and
the rows it removes are written out with the result.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import re
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Facebook's corpus (BSD), kept outside the repository beside the other outside data.
DEFAULT_DATA = ROOT.parent / "shared" / "testdata" / "duckling"
DEFAULT_OUT = ROOT / "eval" / "results" / "duckling.md"

Row = dict
Rule = tuple[str, Callable[[Row], bool]]  # (why a report would not say it, test)

# Holidays whose date follows the Gregorian calendar (fixed day or "fourth Thursday"):
# a report may date a signing by them. All other Duckling holidays move with a lunar,
# lunisolar or church calendar (Eid, Diwali, Easter, Passover...); news about defence
# agreements gives those dates as dates.
GREGORIAN_HOLIDAYS = {
    "Christmas", "New Year's Eve", "New Year's Day", "Valentine's Day", "Halloween",
    "St Patrick's Day", "Thanksgiving Day", "Martin Luther King's Day", "Black Friday",
    "Boss's Day", "King's Day", "World Vegan Day",
}  # fmt: skip

MONEY_RULES: list[Rule] = [
    (
        "cents said apart from the whole units ('$20 and 43c', '20 Rupees 43'): "
        "agreement amounts are never given to the cent",
        lambda r: r["value"] != int(r["value"]) and "." not in r["text"],
    ),
    (
        "Arabic transliterations ('42 geneh', 'genihat masriya'): not English news wording",
        lambda r: bool(re.search(r"(?i)\bgen(?:eh|ihat)\b", r["text"])),
    ),
]
DURATION_RULES: list[Rule] = [
    (
        "lengths stated to the second ('1 second', '1 hour and 15 seconds'): no defence "
        "agreement runs for a number of seconds",
        lambda r: bool(re.search(r"(?i)\bsec(?:ond)?s?\b|\"", r["text"])),
    ),
    (
        "single-letter or prime units (2m, 2', 1/2h): in news '2m' is two million",
        lambda r: bool(re.search(r"(?i)\d\s*(?:m|h)$|\d'$", r["text"])),
    ),
]
NUMERAL_RULES: list[Rule] = []
DATE_RULES: list[Rule] = [
    (
        "holidays on a lunar, lunisolar or church calendar (Eid, Diwali, Easter, Yom "
        "Kippur...): reports on defence agreements give such days as dates",
        lambda r: bool(r.get("holiday")) and r["holiday"] not in GREGORIAN_HOLIDAYS,
    ),
    (
        "years before 1000 AD ('in 14 a.d.')",
        lambda r: int(r["value"][:4]) < 1000,
    ),
]


@dataclass
class Score:
    name: str
    rows: int = 0
    removed: list[tuple[str, int]] = field(default_factory=list)
    correct: int = 0
    failures: list[str] = field(default_factory=list)
    unavailable: str | None = None

    @property
    def in_scope(self) -> int:
        return self.rows - sum(n for _, n in self.removed)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.in_scope if self.in_scope and not self.unavailable else None


def _normalisers() -> dict[str, types.ModuleType | str]:
    """Each normaliser module, or why it cannot be imported (dates may not exist yet)."""
    try:
        importlib.import_module("treatyx.normalize")
    except Exception:  # the package imports every normaliser; load ours without it
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        importlib.import_module("treatyx")
        package = types.ModuleType("treatyx.normalize")
        package.__path__ = [str(ROOT / "treatyx" / "normalize")]
        sys.modules["treatyx.normalize"] = package
    modules: dict[str, types.ModuleType | str] = {}
    for name in ("numbers", "money", "duration", "dates"):
        try:
            modules[name] = importlib.import_module(f"treatyx.normalize.{name}")
        except Exception as error:  # noqa: BLE001 - report any failure as "not available"
            modules[name] = f"{type(error).__name__}: {error}"
    return modules


def _rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def _scope(score: Score, rows: list[Row], rules: list[Rule]) -> list[Row]:
    score.rows = len(rows)
    kept = rows
    for why, test in rules:
        before = len(kept)
        kept = [r for r in kept if not test(r)]
        score.removed.append((why, before - len(kept)))
    return kept


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


def score_money(rows: list[Row], money) -> Score:
    score = Score("money.jsonl")
    for row in _scope(score, rows, MONEY_RULES):
        got = money.parse_money(row["text"])
        expected = row["currency"] or "USD"  # plain dollars: we say USD, as news does
        if got is not None and got.currency == expected and _close(got.value, row["value"]):
            score.correct += 1
        else:
            score.failures.append(f"{row['text']!r}: want {row['value']:g} {expected}, got {got}")
    return score


def score_duration(rows: list[Row], duration) -> Score:
    score = Score("duration.jsonl")
    for row in _scope(score, rows, DURATION_RULES):
        got = duration.parse_duration(row["text"])
        if got in (row["iso"], row["iso_compound"]):
            score.correct += 1
        else:
            score.failures.append(
                f"{row['text']!r}: want {row['iso_compound']} or {row['iso']}, got {got}"
            )
    return score


def score_numeral(rows: list[Row], numbers) -> Score:
    score = Score("numeral.jsonl")
    for row in _scope(score, rows, NUMERAL_RULES):
        got = numbers.parse_number(row["text"])
        if got is not None and _close(got, row["value"]):
            score.correct += 1
        else:
            score.failures.append(f"{row['text']!r}: want {row['value']:g}, got {got}")
    return score


def score_date(rows: list[Row], dates, tense: str | None = None) -> Score:
    """`tense=None` reads a bare weekday as news does (the past: "signed on Thursday");
    Duckling reads it forward, as treatyx does for future wording ("will sign on Friday")."""
    score = Score("date.jsonl" if tense is None else f"date.jsonl (tense={tense})")
    kept = _scope(score, rows, DATE_RULES)
    if isinstance(dates, str):
        score.unavailable = dates
        return score
    for row in kept:
        reference = dt.date.fromisoformat(row["reference"])
        try:
            got = dates.resolve_date(row["text"], reference, tense)
        except Exception as error:  # noqa: BLE001 - a crash on one row is a failure
            got = f"error {type(error).__name__}: {error}"
        pair = (getattr(got, "value", None), getattr(got, "granularity", None))
        if pair == (row["value"], row["granularity"]):
            score.correct += 1
        else:
            score.failures.append(
                f"{row['text']!r} (ref {row['reference']}): want {row['value']} "
                f"{row['granularity']}, got {pair if got is not None else None}"
            )
    return score


def score_negative(rows: list[Row], dimension: str, module, find: str) -> Score:
    score = Score(f"negative.jsonl ({dimension})")
    kept = _scope(score, [r for r in rows if r["dimension"] == dimension], [])
    if isinstance(module, str):
        score.unavailable = module
        return score
    reference = dt.date(2013, 2, 12)  # Duckling's test "now"
    for row in kept:
        args = (row["text"], reference) if dimension == "date" else (row["text"],)
        found = getattr(module, find)(*args)
        if not found:
            score.correct += 1
        else:
            score.failures.append(f"{row['text']!r}: found {[m.mention for m in found]}")
    return score


def run(data: Path) -> list[Score]:
    modules = _normalisers()
    for name in ("numbers", "money", "duration"):
        if isinstance(modules[name], str):
            raise SystemExit(f"treatyx.normalize.{name} does not import: {modules[name]}")
    negative = _rows(data / "negative.jsonl")
    return [
        score_money(_rows(data / "money.jsonl"), modules["money"]),
        score_duration(_rows(data / "duration.jsonl"), modules["duration"]),
        score_numeral(_rows(data / "numeral.jsonl"), modules["numbers"]),
        score_date(_rows(data / "date.jsonl"), modules["dates"]),
        score_date(_rows(data / "date.jsonl"), modules["dates"], "future"),
        score_negative(negative, "money", modules["money"], "find_money"),
        score_negative(negative, "duration", modules["duration"], "find_durations"),
        score_negative(negative, "date", modules["dates"], "find_dates"),
    ]


def table(scores: list[Score]) -> str:
    lines = ["| file | rows | in scope | correct | accuracy |", "|---|---:|---:|---:|---:|"]
    for s in scores:
        if s.unavailable:
            lines.append(f"| {s.name} | {s.rows} | {s.in_scope} | - | not available |")
        else:
            accuracy = f"{s.accuracy:.1%}" if s.accuracy is not None else "-"
            lines.append(f"| {s.name} | {s.rows} | {s.in_scope} | {s.correct} | {accuracy} |")
    return "\n".join(lines)


def report(scores: list[Score], data: Path) -> str:
    try:
        shown = data.resolve().relative_to(ROOT)
    except ValueError:
        try:
            shown = Path("..", data.resolve().relative_to(ROOT.parent))
        except ValueError:
            shown = data
    parts = [
        "# Normalisers against the Duckling English corpus",
        "",
        f"Made by `python eval/duckling_accuracy.py` from `{shown}`. Money counts as right "
        "when the value is within 1e-6 (relative) and the currency is equal; plain dollars "
        "(Duckling: no country) count as right when we say USD. A duration is right when "
        "our ISO value equals Duckling's own unit (`iso`) or the compound form "
        "(`iso_compound`). Negative rows are right when our `find_*` finds nothing. Dates are "
        "scored twice: as treatyx reads news by default (a bare weekday or holiday is the "
        "last one: \"signed on Thursday\"), and with `tense=\"future\"`, which treatyx uses "
        "for future wording (\"will sign on Friday\") and which is Duckling's own default. "
        "Failures are listed for both.",
        "",
        table(scores),
        "",
        "## Out of scope",
        "",
        "Rows that a news report about a defence agreement would not say. Duckling's times "
        "of day, intervals and week or quarter grains were already left out of the corpus "
        "(see its README).",
        "",
    ]
    for s in scores:
        if s.removed and any(n for _, n in s.removed):
            parts.append(f"- {s.name}:")
            parts.extend(f"  - {why}: {n} row{'s' * (n != 1)}" for why, n in s.removed)
        elif not s.name.startswith("negative"):
            parts.append(f"- {s.name}: none")
    parts += ["", "## Failures (in scope)", ""]
    for s in scores:
        if s.unavailable:
            parts.append(f"- {s.name}: not available ({s.unavailable})")
        elif s.failures:
            parts.append(f"- {s.name} ({len(s.failures)}):")
            parts.extend(f"  - {line}" for line in s.failures)
        else:
            parts.append(f"- {s.name}: none")
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="folder of the Duckling JSONL files")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown report")
    parser.add_argument("--failures", action="store_true", help="print failures too")
    args = parser.parse_args(argv)
    data = args.data or DEFAULT_DATA
    if not (data / "money.jsonl").is_file():
        parser.error(f"no Duckling corpus in {data} (give its folder with --data)")
    scores = run(data)
    text = report(scores, data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(table(scores))
    if args.failures:
        print(text.split("## Failures (in scope)", 1)[1].strip())
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
