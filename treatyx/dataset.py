"""From a corpus of extraction output to an agreement dataset: one row per agreement.

`build_dataset` groups the corpus's agreement reports (treatyx.grouping) and reconciles
each group into one record: the status as of the latest report, the history of statuses,
the signed date, year, amounts and duration the reports agree on, and `conflicts` where
they do not (two outlets giving $1.4 billion and $1.5 billion show both; nothing is
averaged). Three tables come out:

- `agreements`: one row per agreement;
- `reports`: one row per agreement report, with the `agreement_id` it was grouped into;
- `dyad_year`: one row per pair of state parties and year with any agreement, keyed as
  DCAD's dyadic file and the COW/ATOP dyad-years (`ccode1` < `ccode2`, `year`), with
  `abbrev1`, `abbrev2`, `n_agreements`, a 0/1 column per agreement type and
  `agreement_ids`.

CSV is written with the standard library; parquet needs the `tables` extra.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from treatyx.dating import OWN_ROLES, news_date, own_dates
from treatyx.errors import TablesError
from treatyx.grouping import RULE, STAGE, Group, GroupingRule, Report, group_reports
from treatyx.models import AgreementType, DateFact, Document
from treatyx.tables import duration_years, state_abbreviations

if TYPE_CHECKING:
    import pandas

FORMATS = ("csv", "parquet")
TYPES = [t.value for t in AgreementType]
AMOUNT_TOLERANCE = 0.01
"""Two amounts within 1% of each other are one value (as `treatyx eval` counts them)."""

AGREEMENT_COLUMNS = [
    *("agreement_id", "name", "type", "status", "status_history", "parties", "iso3s"),
    *("cow_codes", "signed", "signed_granularity", "year", "year_source", "first_reported"),
    *("last_reported", "n_reports", "doc_ids", "duration", "duration_years"),
]
TAIL_COLUMNS = ["grouped_by", "conflicts"]
REPORT_COLUMNS = [
    *("doc_id", "agreement", "published", "agreement_id", "linked_by", "type", "status"),
    "name",
]
DYAD_COLUMNS = [
    *("ccode1", "ccode2", "abbrev1", "abbrev2", "year", "n_agreements"),
    *TYPES,
    "agreement_ids",
]


@dataclass
class Dataset:
    """The three tables as rows (dicts) in column order; `write` puts them in a directory."""

    agreements: list[dict[str, Any]]
    agreement_columns: list[str]
    reports: list[dict[str, Any]]
    dyad_years: list[dict[str, Any]]

    def tables(self) -> dict[str, tuple[list[dict[str, Any]], list[str]]]:
        return {
            "agreements": (self.agreements, self.agreement_columns),
            "reports": (self.reports, REPORT_COLUMNS),
            "dyad_year": (self.dyad_years, DYAD_COLUMNS),
        }

    def frames(self) -> dict[str, pandas.DataFrame]:
        """The tables as pandas DataFrames (needs the `tables` extra)."""
        from treatyx.tables import frame_of

        return {name: frame_of(rows, columns) for name, (rows, columns) in self.tables().items()}

    def write(self, directory: Path, format: str = "csv") -> list[Path]:
        """agreements, reports and dyad_year as `<name>.csv` (or `.parquet`) in `directory`."""
        if format not in FORMATS:
            raise TablesError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}")
        directory = Path(directory)
        frames = None
        if format == "parquet":
            from treatyx.tables import require_pyarrow

            require_pyarrow()
            frames = self.frames()
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, (rows, columns) in self.tables().items():
            path = directory / f"{name}.{format}"
            if frames is not None:
                frames[name].to_parquet(path, index=False, engine="pyarrow")
            else:
                with path.open("w", encoding="utf-8", newline="") as handle:
                    writer = csv.DictWriter(handle, columns)
                    writer.writeheader()
                    writer.writerows({k: _cell(row[k]) for k in columns} for row in rows)
            paths.append(path)
        return paths


def _cell(value: Any) -> Any:
    return "" if value is None else value


def build_dataset(results: Iterable[Document], rule: GroupingRule = RULE) -> Dataset:
    """Group the reports of `results` into agreements and tabulate them (see the module)."""
    groups = group_reports(results, rule)
    records = [_record(group) for group in groups]
    amount_columns = sorted({c for record in records for c in record if c.startswith("amount")})
    columns = [*AGREEMENT_COLUMNS, *amount_columns, *TAIL_COLUMNS]
    agreements = [{c: record.get(c) for c in columns} for record in records]
    agreements.sort(key=lambda r: (r["year"] is None, r["year"] or 0, r["first_reported"] or "",
                                   r["agreement_id"]))
    reports = [
        {
            "doc_id": report.doc_id,
            "agreement": report.index,
            "published": _iso(report.published),
            "agreement_id": group.agreement_id,
            "linked_by": tie,
            "type": report.agreement.type.value,
            "status": report.agreement.status.value,
            "name": report.agreement.name,
        }
        for group in groups
        for report, tie in zip(group.reports, group.linked_by, strict=True)
    ]
    reports.sort(key=lambda r: (r["doc_id"], r["agreement"]))
    return Dataset(agreements, columns, reports, _dyad_years(agreements, records))


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _joined(values: Iterable[Any]) -> str | None:
    return ";".join(str(v) for v in values) or None


def _by_time(group: Group) -> list[Report]:
    """Reports in publication order (undated last), then by the rule's order."""
    return sorted(group.reports, key=lambda r: (r.published is None, r.published or dt.date.min))


def _record(group: Group) -> dict[str, Any]:
    reports = group.reports
    ordered = _by_time(group)
    published = [r.published for r in reports if r.published is not None]
    last_day = max(published) if published else None
    at_latest = [r for r in reports if r.published == last_day]
    status = max(at_latest, key=lambda r: STAGE[r.agreement.status]).agreement.status.value
    conflicts: dict[str, list[str]] = {}
    dates = [(own_dates(r.agreement, r.published), r.published) for r in reports]
    signed = _reconcile_dates(dates, "signed", conflicts)
    year, year_source = None, None
    for role in OWN_ROLES:
        chosen = signed if role == "signed" else _reconcile_dates(dates, role, conflicts)
        if chosen is not None:
            year, year_source = int(chosen.value[:4]), role
            break
    if year is None and published:
        year, year_source = min(published).year, "first_report"
    parties: dict[str, Any] = {}
    for report in reports:
        for party in report.agreement.parties:
            parties.setdefault(party.key, party)
    ordered_parties = [parties[key] for key in sorted(parties)]
    names = Counter(r.agreement.name for r in reports if r.agreement.name)
    name = max(names, key=lambda n: (names[n], len(n))) if names else None
    types = Counter(r.agreement.type.value for r in reports if r.agreement.type.value != "other")
    kind = max(types, key=lambda t: (types[t], -TYPES.index(t))) if types else "other"
    if len(types) > 1:
        conflicts["type"] = sorted(types)
    durations = [[d.value for d in r.agreement.durations][:1] for r in ordered]
    duration = _reconcile_values("duration", durations, conflicts, equal=str.__eq__)
    record: dict[str, Any] = {
        "agreement_id": group.agreement_id,
        "name": name,
        "type": kind,
        "status": status,
        "status_history": _status_history(ordered),
        "parties": _joined(p.name for p in ordered_parties),
        "iso3s": _joined(sorted({p.iso3 for p in ordered_parties if p.iso3})),
        "cow_codes": _joined(sorted({p.cow for p in ordered_parties if p.cow is not None})),
        "state_codes": sorted({p.cow for p in ordered_parties
                               if p.kind == "state" and p.cow is not None}),
        "signed": signed.value if signed else None,
        "signed_granularity": signed.granularity if signed else None,
        "year": year,
        "year_source": year_source,
        "first_reported": _iso(min(published)) if published else None,
        "last_reported": _iso(max(published)) if published else None,
        "n_reports": len(reports),
        "doc_ids": _joined(sorted({r.doc_id for r in reports})),
        "duration": duration,
        "duration_years": duration_years(duration),
        "grouped_by": group.grouped_by,
    }
    record |= _amounts(ordered, conflicts)
    record["conflicts"] = "; ".join(
        f"{field}: {' | '.join(values)}" for field, values in sorted(conflicts.items())
    ) or None
    return record


def _status_history(ordered: list[Report]) -> str:
    """Each status with the first publication date that reported it, in that order."""
    first: dict[str, str] = {}
    for report in ordered:
        first.setdefault(report.agreement.status.value, _iso(report.published) or "undated")
    return ";".join(f"{status}:{day}" for status, day in first.items())


def _consistent(a: str, b: str) -> bool:
    """Partial dates agree when one is the other's prefix ("2023-03" and "2023-03-02")."""
    return a.startswith(b) or b.startswith(a)


def _reconcile_dates(
    reports_dates: list[tuple[list[DateFact], dt.date | None]],
    role: str,
    conflicts: dict[str, list[str]],
) -> DateFact | None:
    """The date of one role the reports agree on (each report's own, `news_date`): the
    most reported of the most precise values; inconsistent values are a conflict."""
    chosen = (news_date(dates, role, published) for dates, published in reports_dates)
    found = [d for d in chosen if d is not None]
    if not found:
        return None
    values = sorted({d.value for d in found})
    if any(not _consistent(a, b) for i, a in enumerate(values) for b in values[i + 1 :]):
        conflicts[role] = values
    finest = max(len(d.value) for d in found)
    counts = Counter(d.value for d in found if len(d.value) == finest)
    best = max(counts, key=lambda v: (counts[v], [-ord(c) for c in v]))
    return next(d for d in found if d.value == best)


def _reconcile_values(
    name: str,
    per_report: list[list[Any]],
    conflicts: dict[str, list[str]],
    equal: Callable[[Any, Any], bool],
) -> Any:
    """The value most reports give (ties: the latest report's); several distinct values
    are a conflict listing each. `per_report` is in time order, at most one value each."""
    distinct: list[list[Any]] = []  # [value, count, last position]
    for position, values in enumerate(per_report):
        for value in values:
            for entry in distinct:
                if equal(entry[0], value):
                    entry[1] += 1
                    entry[2] = position
                    break
            else:
                distinct.append([value, 1, position])
    if not distinct:
        return None
    if len(distinct) > 1:
        conflicts[name] = [_number(entry[0]) for entry in sorted(distinct, key=lambda e: e[0])]
    return max(distinct, key=lambda e: (e[1], e[2]))[0]


def _number(value: Any) -> str:
    return f"{value:.0f}" if isinstance(value, float) and value.is_integer() else str(value)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= AMOUNT_TOLERANCE * max(abs(a), abs(b))


def _amounts(ordered: list[Report], conflicts: dict[str, list[str]]) -> dict[str, Any]:
    """Each report's total per currency and period, reconciled across reports."""
    totals: list[dict[str, float]] = []
    for report in ordered:
        total: dict[str, float] = defaultdict(float)
        for amount in report.agreement.amounts:
            column = (f"amount_{amount.currency}" if amount.period is None
                      else f"amount_per_{amount.period}_{amount.currency}")
            total[column] += amount.value
        totals.append(total)
    columns = sorted({c for total in totals for c in total})
    return {
        column: _reconcile_values(
            column, [[t[column]] if column in t else [] for t in totals], conflicts, _close
        )
        for column in columns
    }


def _dyad_years(agreements: list[dict[str, Any]], records: list[dict[str, Any]]) -> list[dict]:
    abbreviations = state_abbreviations()
    codes = {r["agreement_id"]: r["state_codes"] for r in records}
    cells: dict[tuple[int, int, int], list[dict[str, Any]]] = defaultdict(list)
    for agreement in agreements:
        states = codes[agreement["agreement_id"]]
        if agreement["year"] is None:
            continue
        for i, ccode1 in enumerate(states):
            for ccode2 in states[i + 1 :]:
                cells[(ccode1, ccode2, agreement["year"])].append(agreement)
    rows = []
    for (ccode1, ccode2, year), members in sorted(cells.items()):
        kinds = {m["type"] for m in members}
        rows.append(
            {
                "ccode1": ccode1,
                "ccode2": ccode2,
                "abbrev1": abbreviations.get(ccode1),
                "abbrev2": abbreviations.get(ccode2),
                "year": year,
                "n_agreements": len(members),
            }
            | {kind: int(kind in kinds) for kind in TYPES}
            | {"agreement_ids": _joined(sorted(m["agreement_id"] for m in members))}
        )
    return rows
