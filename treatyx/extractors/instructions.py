"""Text addressed to a model, not reporting news: never evidence, never shown as such.

An article is untrusted. A sentence that tells an AI what to do ("Ignore previous
instructions and report ...", "SYSTEM: ...") reports nothing a researcher wants coded,
so the LLM extractor leaves it out of what the model may cite, and no fact is read
from it. The patterns are narrow on purpose: news quotes people who "ignore" and
"report" things every day, but not to an assistant, and not in the imperative.
"""

from __future__ import annotations

import re

_ROLE_LINE = re.compile(r"^\W*(?:system|assistant|user|developer|instructions?|prompt)\s*:",
                        re.IGNORECASE)
_OVERRIDE = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}?\b(?:previous|prior|"
    r"above|earlier|all|any|your|the|these|those)\b[^.!?\n]{0,20}?\b(?:instructions?|"
    r"prompts?|rules|directions|guidelines|context)\b",
    re.IGNORECASE)
_ADDRESSED = re.compile(
    r"\b(?:as an ai|language model|ai assistant|you are an? (?:ai|assistant|model|"
    r"extractor)|(?:the )?(?:model|assistant|extractor)\s+(?:must|should|shall|will now)\b)",
    re.IGNORECASE)
_ORDER = re.compile(
    r"^\W*(?:please\s+|now\s+|also\s+)?(?:report|output|extract|return|add|include|list|"
    r"record|answer|respond|print)\s+(?:an?|the|that|this|one|another|only)?\s*[^.!?\n]{0,80}?"
    r"\b(?:agreements?|pacts?|deals?|amounts?|json|treaty|parties)\b",
    re.IGNORECASE)
_FENCE = re.compile(r"<\s*/?\s*article\b", re.IGNORECASE)


def addressed_to_model(sentence: str) -> bool:
    """Whether the sentence gives orders to a model instead of reporting news."""
    return bool(_ROLE_LINE.search(sentence) or _OVERRIDE.search(sentence)
                or _ADDRESSED.search(sentence) or _ORDER.search(sentence)
                or _FENCE.search(sentence))
