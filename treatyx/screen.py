"""A cheap screen in front of the model: can this article report a defence agreement at all?

A news archive is almost all sport, markets and culture; asking a model about each
article costs ~21 s on the local model or a paid request. The screen is deterministic
and takes about a millisecond: an article passes when one sentence of its body carries
agreement language (a status cue of the rules backend: signed, agreed, suspended, will
sign ...) and the sentences around it (one either side) hold an agreement word or kind
(deal, pact, military cooperation, jets ...), defence vocabulary and a party (or the
headline names one). It is tuned for recall, not precision: the model decides.

Measured (bench/screen.py, bench/RESULTS.md): every gold agreement of the eval splits and
../shared/realdev stands in a passing window; 1.5% of 2,223 BBC articles pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from treatyx import validation
from treatyx.extractors.base import Extraction
from treatyx.extractors.rules import MILITARY_KIT, reports_agreement, status_cue, type_cue
from treatyx.loading import SourceDocument
from treatyx.normalize import find_parties
from treatyx.spans import sentences

WINDOW = 1
"""Sentences either side of the agreement-language sentence that count as near it."""

DEFENCE = re.compile(
    r"\b(?:defen[cs]e|military|militar\w+|army|armies|navy|naval|air ?force|armed forces|"
    r"troops|soldiers|marines|forces|arms|aircraft|NATO|alliance|allies|security|bases?|"
    rf"basing|nuclear|Pentagon|intelligence|peacekeep\w*|combat|war|{MILITARY_KIT})\b",
    re.IGNORECASE,
)
"""Words without which no defence agreement is reported; broad on purpose ("security",
"forces"), since a word too many costs one request and a word too few loses a deal."""


def windows(document: SourceDocument) -> Iterator[tuple[int, int]]:
    """The stretches of the body that may report a defence agreement, in order."""
    if not DEFENCE.search(document.text, document.body_start, document.body_end):
        return
    body = sentences(document.text, document.body_start, document.body_end)
    headline_party = bool(document.title and find_parties(document.title))
    for i, sentence in enumerate(body):
        if status_cue(sentence.text) is None:
            continue
        start, end = body[max(0, i - WINDOW)].start, body[min(len(body), i + WINDOW + 1) - 1].end
        near = document.text[start:end]
        if not (reports_agreement(near) or type_cue(near)) or not DEFENCE.search(near):
            continue
        if headline_party or find_parties(near):
            yield start, end


def wanted(choice: bool | None, backend: str) -> bool:
    """`--screen`/`--no-screen`, or by default: on for the LLM backends, off for `rules`
    (which costs less than the screen saves)."""
    return choice if choice is not None else backend != "rules"


def passes(document: SourceDocument) -> bool:
    """Whether the article goes to the model."""
    return next(windows(document), None) is not None


def skipped() -> Extraction:
    """What a screened-out article gets: no agreements, no request, and a note saying so
    (so `--no-screen` can be pointed at exactly these documents later)."""
    note = validation.issue(
        validation.SCREENED, "agreements",
        "the screen found no agreement language near a party and defence words, so the "
        "model was not asked; extract with --no-screen to send it")
    return Extraction(agreements=[], notes=[note])
