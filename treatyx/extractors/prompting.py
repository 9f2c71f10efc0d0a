"""Prompts from the files in prompts/, and the version stamp that every output carries.

The prompts are files so that a change to them is a reviewable diff, and their hash
(`prompt_version`) tells which prompt produced a result and keys the response cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROMPTS_ENV = "TREATYX_PROMPTS_DIR"


def prompts_dir() -> Path:
    """$TREATYX_PROMPTS_DIR if set; else treatyx/prompts in an installed wheel (pyproject
    maps the repository's prompts/ there); else prompts/ at the top of a checkout.
    The package's own copy comes first: beside an installed package, `../prompts` is
    site-packages/prompts, which any other distribution may own."""
    if override := os.environ.get(PROMPTS_ENV):
        return Path(override)
    here = Path(__file__).resolve()
    for candidate in (here.parents[1] / "prompts", here.parents[2] / "prompts"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"no prompts/ directory near {here}; set {PROMPTS_ENV}")


@dataclass(frozen=True)
class Example:
    published: str
    article: str
    output: dict


@dataclass(frozen=True)
class Prompt:
    system: str
    user_template: str
    examples: tuple[Example, ...]
    version: str

    def messages(self, published: str, article: str) -> list[dict[str, str]]:
        """System prompt, few-shot turns, then the user turn holding the fenced article.

        The article is filled in last, in one pass, and nothing reads the result as a
        template again, so text inside an article cannot act as one.
        """
        messages = [{"role": "system", "content": self.system}]
        for example in self.examples:
            messages.append({"role": "user",
                             "content": self.user_turn(example.published, example.article)})
            messages.append({"role": "assistant",
                             "content": json.dumps(example.output, ensure_ascii=False)})
        messages.append({"role": "user", "content": self.user_turn(published, article)})
        return messages

    def user_turn(self, published: str, article: str) -> str:
        # dedent as instructor's own templating did, so that requests (and the answers
        # recorded in eval/results) stay byte for byte what they were
        before, _, after = self.user_template.partition("{{ article }}")
        return textwrap.dedent(before.replace("{{ published }}", published)
                               + fence(article) + after)


_TAG = re.compile(r"<(?=\s*/?\s*article\b)", re.IGNORECASE)


def fence(article: str) -> str:
    """Keep the article inside its fence: a tag in the text that opens or closes it, in
    any case and spacing (`</ARTICLE>`, `</article >`, `< /Article>`), cannot end it
    early."""
    return _TAG.sub(lambda _: "<\\", article)


@cache
def load_prompt(directory: Path | None = None) -> Prompt:
    directory = directory or prompts_dir()
    # its own files only: a subdirectory with a system.md is another design's prompt
    files = sorted([*directory.glob("*.md"), *(directory / "examples").glob("*.json")])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(path.read_bytes())
    system = "\n\n".join(
        (directory / name).read_text(encoding="utf-8").strip()
        for name in ("system.md", "definitions.md")
    )
    examples = tuple(
        Example(**json.loads(path.read_text(encoding="utf-8")))
        for path in sorted((directory / "examples").glob("*.json"))
    )
    return Prompt(
        system=system,
        user_template=(directory / "user.md").read_text(encoding="utf-8").strip(),
        examples=examples,
        version=digest.hexdigest()[:12],
    )
