"""What the model fills in: each agreement as the article's own words.

Plain data, apart from the backend that asks for it (llm.py: the answer models, their
compact JSON schema, the re-ask) and from the code that reads it (answers.py: words ->
located, valued facts), so that those two import this and not each other.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from treatyx.models import AgreementStatus, AgreementType, DateRole


class AmountWords(BaseModel):
    mention: str = Field(description="the exact words: number and currency")
    value: float | None = Field(default=None, description="optional: the number")
    currency: str | None = Field(default=None, description="optional: ISO 4217 code")


class DurationWords(BaseModel):
    mention: str = Field(description="the exact words: number and unit")
    value: str | None = Field(default=None, description="optional: ISO 8601")


class DateWords(BaseModel):
    mention: str = Field(description="the exact date words")
    role: DateRole
    value: str | None = Field(default=None, description="optional: YYYY-MM-DD, YYYY-MM or YYYY")


class AgreementWords(BaseModel):
    name: str | None = None
    type: AgreementType
    status: AgreementStatus
    parties: list[str] = Field(description="exact words naming each party")
    amounts: list[AmountWords] = Field(default_factory=list)
    durations: list[DurationWords] = Field(default_factory=list)
    dates: list[DateWords] = Field(default_factory=list)
    evidence: list[str] = Field(description="the sentence(s) reporting it, copied exactly")


class Words(Protocol):
    """An answer as words, what `answers.resolve` and `answers.judge` read: a model's
    `ArticleWords`, or the words of the sentences a `CitedArticle` cites."""

    agreements: list[AgreementWords]
