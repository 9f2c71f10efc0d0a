"""treatyx results as pandas tables, for analysis and for merging with COW / ATOP data.

Four levels: `agreement` (one row per agreement), `party` (agreement x party), `amount`
(one row per amount) and `dyad-year` (pairs of state parties, keyed like the Correlates of
War and ATOP dyad files: `ccode1 < ccode2`, `year`). Dates stay ISO strings because they
may be partial ("2022-01", "2022"); missing integers use pandas' nullable `Int64`.

pandas and pyarrow are the optional extra `treatyx[tables]`, so they are imported only here,
inside the functions, and a missing one is reported as a `TablesError` with the fix.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from treatyx.dating import report_year
from treatyx.errors import TablesError
from treatyx.models import Agreement, AgreementType, Document

if TYPE_CHECKING:
    import pandas

LEVELS = ("agreement", "party", "amount", "dyad-year")
FORMATS = ("csv", "parquet")
_COW_STATES = Path(__file__).parent / "normalize" / "data" / "cow_states.csv"
_DURATION = re.compile(
    r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$"
)
# Length of each ISO duration field in years, in the order of the groups of _DURATION.
_YEARS_PER_UNIT = (1, 1 / 12, 7 / 365.25, 1 / 365.25, 1 / 8766, 1 / 525960, 1 / 31557600)


def _pandas():
    try:
        import pandas
    except ImportError:
        raise TablesError("pandas is not installed: pip install 'treatyx[tables]'") from None
    return pandas


def require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise TablesError("pyarrow is not installed: pip install 'treatyx[tables]'") from None


def duration_years(value: str | None) -> float | None:
    """An ISO 8601 duration in years (P18M -> 1.5), with 365.25-day years."""
    match = _DURATION.match(value or "")
    if not match or value == "P":
        return None
    return sum(int(n) * unit for n, unit in zip(match.groups(), _YEARS_PER_UNIT, strict=True) if n)


@cache
def state_abbreviations() -> dict[int, str]:
    lines = _COW_STATES.read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    abbreviations: dict[int, str] = {}
    for row in rows:  # 345 appears twice (Serbia, Yugoslavia) with the same cowc
        abbreviations.setdefault(int(row["cow"]), row["cowc"])
    return abbreviations


def _each_agreement(results: Iterable[Document]) -> Iterator[tuple[Document, int, Agreement]]:
    for document in results:
        for index, agreement in enumerate(document.agreements):
            yield document, index, agreement


def _key(document: Document, index: int, agreement: Agreement) -> dict[str, Any]:
    return {
        "doc_id": document.doc_id,
        "agreement": index,
        "type": agreement.type.value,
        "status": agreement.status.value,
    }


def _joined(values: Iterable[Any]) -> str | None:
    return ";".join(str(v) for v in values) or None


def _amount_column(currency: str, period: str | None) -> str:
    return f"amount_{currency}" if period is None else f"amount_per_{period}_{currency}"


def _agreement_rows(results: list[Document]) -> tuple[list[dict[str, Any]], list[str]]:
    amount_columns = sorted(
        {
            _amount_column(amount.currency, amount.period)
            for _, _, agreement in _each_agreement(results)
            for amount in agreement.amounts
        }
    )
    rows = []
    for document, index, agreement in _each_agreement(results):
        parties = agreement.parties
        # Partial ISO dates sort correctly as text ("2021-12" < "2022" < "2022-01-06").
        dates = sorted(agreement.dates, key=lambda d: d.value)
        signed = next((d for d in dates if d.role == "signed"), None)
        duration = agreement.durations[0].value if agreement.durations else None
        issues = document.validation.issues if document.validation else None
        row = _key(document, index, agreement) | {
            "published": document.published.isoformat() if document.published else None,
            "name": agreement.name,
            "parties": _joined(p.name for p in parties),
            "iso3s": _joined(sorted({p.iso3 for p in parties if p.iso3})),
            "cow_codes": _joined(sorted({p.cow for p in parties if p.cow is not None})),
            "n_parties": len(parties),
            "signed": signed.value if signed else None,
            "signed_granularity": signed.granularity if signed else None,
            "first_date": dates[0].value if dates else None,
            "duration": duration,
            "duration_years": duration_years(duration),
        }
        row |= dict.fromkeys(amount_columns)
        for amount in agreement.amounts:
            column = _amount_column(amount.currency, amount.period)
            row[column] = (row[column] or 0.0) + amount.value
        row |= {
            "validation_ok": document.validation.ok if document.validation else None,
            "n_errors": None if issues is None else sum(i.severity == "error" for i in issues),
            "n_warnings": None if issues is None else sum(i.severity == "warning" for i in issues),
            "backend": document.extractor.backend if document.extractor else None,
            "model": document.extractor.model if document.extractor else None,
        }
        rows.append(row)
    columns = [
        *("doc_id", "published", "agreement", "name", "type", "status", "parties", "iso3s"),
        *("cow_codes", "n_parties", "signed", "signed_granularity", "first_date", "duration"),
        "duration_years",
        *amount_columns,
        *("validation_ok", "n_errors", "n_warnings", "backend", "model"),
    ]
    return rows, columns


def _party_rows(results: list[Document]) -> tuple[list[dict[str, Any]], list[str]]:
    rows = [
        _key(document, index, agreement)
        | {"name": p.name, "iso3": p.iso3, "cow": p.cow, "kind": p.kind, "mention": p.mention}
        for document, index, agreement in _each_agreement(results)
        for p in agreement.parties
    ]
    return rows, ["doc_id", "agreement", "type", "status", "name", "iso3", "cow", "kind", "mention"]


def _amount_rows(results: list[Document]) -> tuple[list[dict[str, Any]], list[str]]:
    rows = [
        _key(document, index, agreement)
        | {
            "value": a.value,
            "currency": a.currency,
            "period": a.period,
            "approximate": a.approximate,
            "mention": a.mention,
        }
        for document, index, agreement in _each_agreement(results)
        for a in agreement.amounts
    ]
    columns = ["doc_id", "agreement", "type", "status", "value", "currency", "period"]
    return rows, [*columns, "approximate", "mention"]


def _dyad_rows(results: list[Document]) -> tuple[list[dict[str, Any]], list[str]]:
    abbreviations = state_abbreviations()
    rows = []
    for document, index, agreement in _each_agreement(results):
        # Organisations have no COW code, and a state named twice is one member.
        codes = sorted({p.cow for p in agreement.parties if p.kind == "state" and p.cow})
        year, source = report_year(agreement, document.published)
        for i, ccode1 in enumerate(codes):
            for ccode2 in codes[i + 1 :]:
                rows.append(
                    {
                        "ccode1": ccode1,
                        "ccode2": ccode2,
                        "year": year,
                        "year_source": source,
                        "abbrev1": abbreviations.get(ccode1),
                        "abbrev2": abbreviations.get(ccode2),
                    }
                    | _key(document, index, agreement)
                )
    columns = ["ccode1", "ccode2", "abbrev1", "abbrev2", "year", "year_source"]
    return rows, [*columns, "doc_id", "agreement", "type", "status"]


_BUILDERS: dict[str, Callable[[list[Document]], tuple[list[dict[str, Any]], list[str]]]] = {
    "agreement": _agreement_rows,
    "party": _party_rows,
    "amount": _amount_rows,
    "dyad-year": _dyad_rows,
}
# Nullable dtypes so that a missing value does not turn a column into floats or objects;
# every other column is text ("string"), so parquet files of any batch share one schema.
_DTYPES = {
    "agreement": "int64",
    "n_parties": "int64",
    "duration_years": "float64",
    "validation_ok": "boolean",
    "n_errors": "Int64",
    "n_warnings": "Int64",
    "cow": "Int64",
    "value": "float64",
    "approximate": "bool",
    "ccode1": "int64",
    "ccode2": "int64",
    "year": "Int64",
    "n_reports": "int64",
    "n_agreements": "int64",
} | {kind.value: "int64" for kind in AgreementType}


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise TablesError(f"unknown level {level!r}: use one of {', '.join(LEVELS)}")


def frame_of(rows: list[dict[str, Any]], columns: list[str]) -> pandas.DataFrame:
    """Rows as a DataFrame with treatyx's dtypes (nullable integers, text as "string")."""
    pd = _pandas()
    frame = pd.DataFrame(rows, columns=columns)
    numbers = {c: "float64" for c in columns if c.startswith("amount_")}
    return frame.astype({c: _DTYPES.get(c, "string") for c in columns} | numbers)


def to_frame(results: Iterable[Document], level: str = "agreement") -> pandas.DataFrame:
    """A table of treatyx results at one level (see LEVELS and the module docstring).

    At the dyad-year level, several agreements of one dyad in one year give one row each,
    so that type and status stay per agreement; `collapse_dyad_years` merges them.
    """
    _check_level(level)
    _pandas()
    rows, columns = _BUILDERS[level](list(results))
    return frame_of(rows, columns)


def collapse_dyad_years(frame: pandas.DataFrame) -> pandas.DataFrame:
    """One row per dyad-year (ccode1, ccode2, year), ready to merge with a COW/ATOP dyad file.

    `n_agreements` counts the agreements; `types`, `statuses` and `doc_ids` join their
    distinct values, sorted, with ";".
    """
    pd = _pandas()
    keys = ["ccode1", "ccode2", "year"]
    extra = [c for c in ("abbrev1", "abbrev2") if c in frame.columns]

    def join(values: pandas.Series) -> str:
        return ";".join(sorted({str(v) for v in values.dropna()}))

    if frame.empty:
        columns = [*keys, *extra, "n_agreements", "types", "statuses", "doc_ids"]
        return pd.DataFrame(columns=columns).astype(frame.dtypes[keys].to_dict())
    grouped = frame.groupby(keys, dropna=False, sort=True)
    collapsed = grouped.agg(
        **{c: (c, "first") for c in extra},
        n_agreements=("agreement", "size"),
        types=("type", join),
        statuses=("status", join),
        doc_ids=("doc_id", join),
    )
    return collapsed.reset_index()


def _format(path: Path, format: str | None) -> str:
    suffix = path.suffix.lstrip(".").lower()
    if format in FORMATS and suffix in FORMATS and suffix != format:  # parquet in a .csv
        raise TablesError(f"{path}: the suffix .{suffix} contradicts --format {format}; "
                          f"name the file .{format}, or leave --format out")
    chosen = format or suffix
    if chosen not in FORMATS:
        given = f"format {format!r}" if format else f"file suffix {path.suffix!r}"
        raise TablesError(f"unknown {given}: use one of {', '.join(FORMATS)}")
    return chosen


def export(
    results: Iterable[Document], path: Path, *, level: str, format: str | None = None
) -> int:
    """Write the table of one level to CSV or parquet (by `format`, else the suffix).

    Returns the number of rows written.
    """
    _check_level(level)
    path = Path(path)
    chosen = _format(path, format)
    _pandas()
    if chosen == "parquet":
        require_pyarrow()
    frame = to_frame(results, level)
    path.parent.mkdir(parents=True, exist_ok=True)
    if chosen == "csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False, engine="pyarrow")
    return len(frame)
