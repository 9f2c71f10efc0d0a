"""Keeping secrets out of what treatyx writes: the API key and a URL's credentials.

A server may echo the key back in an error ("Incorrect API key provided: sk-..."), and a
base URL may carry `user:pass@`; every message about an endpoint passes through here
before it reaches stderr or an errors file.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_USERINFO = re.compile(r"(?<=//)[^/@\s]+@")


def without_credentials(url: str) -> str:
    """The URL as it may be shown: `https://user:pass@host/v1` -> `https://host/v1`."""
    return _USERINFO.sub("", url)


def url_credentials(url: str | None) -> tuple[str, ...]:
    """The user name and password a URL carries (empty when none)."""
    if not url:
        return ()
    parts = urlsplit(url)
    return tuple(p for p in (parts.username, parts.password) if p)


class Redactor:
    """`redactor(text)`: the text with every secret replaced by `***`."""

    def __init__(self, *secrets: str | None) -> None:
        # Longest first, so that a secret containing another is hidden whole; very short
        # strings (a user name "a") would blank out ordinary words, and hide nothing.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    @classmethod
    def for_endpoint(cls, api_key: str | None, base_url: str | None) -> Redactor:
        return cls(api_key, *url_credentials(base_url))

    def __call__(self, text: str) -> str:
        text = _USERINFO.sub("***@", text)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


__all__ = ["Redactor", "url_credentials", "without_credentials"]
