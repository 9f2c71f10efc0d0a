"""The output contract (shared/spec/output-format.md, version 1) as pydantic models.

Extractors write these, the validator and evaluator read them, and gold files load
through them too, so one definition keeps every part of treatyx honest about the format.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

SCHEMA_VERSION = "1"

OffsetSpan = Annotated[
    tuple[Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]],
    Field(description="[start, end] character offsets into the document text, end exclusive"),
]


def _is_false(value: object) -> bool:
    return value is False


def _is_none(value: object) -> bool:
    return value is None


class AgreementType(StrEnum):
    alliance = "alliance"
    defence_cooperation = "defence_cooperation"
    basing_access = "basing_access"
    host_nation_support = "host_nation_support"
    arms_transfer = "arms_transfer"
    research_development = "research_development"
    intelligence_sharing = "intelligence_sharing"
    logistics = "logistics"
    training_exercises = "training_exercises"
    security_assistance = "security_assistance"
    other = "other"


class AgreementStatus(StrEnum):
    planned = "planned"
    negotiating = "negotiating"
    announced = "announced"
    signed = "signed"
    in_force = "in_force"
    extended = "extended"
    suspended = "suspended"
    terminated = "terminated"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


Mention = Annotated[str, Field(min_length=1, description="the exact words of the source")]
Optional = Annotated[
    bool,
    Field(exclude_if=_is_false, description="gold only: loosely supported, not scored"),
]
MaybeSpan = Annotated[OffsetSpan | None, Field(exclude_if=_is_none)]


def _integral(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


class Party(_Model):
    name: str = Field(description='English short name: "United States", "NATO"')
    iso3: str | None = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3")
    cow: int | None = Field(description="Correlates of War state number")
    kind: Literal["state", "organisation"]
    mention: Mention
    span: MaybeSpan = None
    optional: Optional = False

    @property
    def key(self) -> str:
        """Who the party is, whichever words named it: the ISO3 code, else the name (an
        organisation). Merging, deduplication and repairs compare parties by it."""
        return self.iso3 or self.name


class Amount(_Model):
    value: Annotated[float, PlainSerializer(_integral)] = Field(
        ge=0, description="in units of the currency"
    )
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217")
    period: Literal["year", "month"] | None = None
    approximate: bool = False
    mention: Mention
    span: MaybeSpan = None
    optional: Optional = False


class Duration(_Model):
    value: str = Field(
        pattern=r"^P(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(\d+H)?(\d+M)?(\d+S)?)?$",
        min_length=3,
        description="ISO 8601 duration: P5Y, P18M",
    )
    mention: Mention
    span: MaybeSpan = None
    optional: Optional = False


DateRole = Literal["signed", "announced", "effective", "expires", "other"]
Granularity = Literal["day", "month", "year"]


class DateFact(_Model):
    value: str = Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    granularity: Granularity
    role: DateRole
    mention: Mention
    span: MaybeSpan = None
    optional: Optional = False


class Evidence(_Model):
    quote: str = Field(min_length=1)
    span: MaybeSpan = None


# The contract calls evidence entries "Span".
Span = Evidence


VALUED_FIELDS = ("amounts", "durations", "dates")
"""An agreement's facts that carry a value read from their mention."""
FACT_FIELDS = ("parties", *VALUED_FIELDS)
"""An agreement's facts: each is grounded in the source by its mention."""
SPANNED_FIELDS = (*FACT_FIELDS, "evidence")
"""Every list of an agreement whose entries point into the source (facts and quotes)."""


class Agreement(_Model):
    name: str | None = None
    type: AgreementType
    status: AgreementStatus
    parties: list[Party] = Field(default_factory=list)
    amounts: list[Amount] = Field(default_factory=list)
    durations: list[Duration] = Field(default_factory=list)
    dates: list[DateFact] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)

    @property
    def sides(self) -> frozenset[str]:
        """Who made it (the parties' keys): agreements of the same parties have the same
        sides, whatever words named them."""
        return frozenset(p.key for p in self.parties)


class Usage(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            requests=self.requests + other.requests,
        )


class ExtractorInfo(_Model):
    backend: str
    model: str | None = None
    prompt_version: str | None = None
    usage: Usage = Field(default_factory=Usage)
    seconds: float = 0.0


Severity = Literal["error", "warning"]


class Issue(_Model):
    code: str = Field(pattern=r"^TX\d{3}$")
    severity: Severity
    path: str
    message: str


class Validation(_Model):
    ok: bool
    issues: list[Issue] = Field(default_factory=list)


class Document(_Model):
    schema_version: Literal["1"] = SCHEMA_VERSION
    doc_id: str
    title: str | None = None
    published: dt.date | None = None
    agreements: list[Agreement] = Field(default_factory=list)
    extractor: ExtractorInfo | None = Field(default=None, exclude_if=_is_none)
    validation: Validation | None = Field(default=None, exclude_if=_is_none)
    text: str | None = Field(default=None, exclude_if=_is_none)

    def to_json(self, indent: int | None = None) -> str:
        return self.model_dump_json(indent=indent)


def output_json_schema() -> dict:
    """The JSON Schema of one output document, as committed under schemas/."""
    schema = Document.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://treatyx.dev/schemas/treatyx-output-v1.schema.json"
    schema["title"] = "treatyx output document, format version 1"
    return schema
