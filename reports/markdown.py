"""Markdown that scraped text cannot break out of.

Every value a template prints is escaped unless it is a `Markdown` (text this module
built). Links go only to http(s) URLs.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!~&$])")
_LINE_START = re.compile(r"^(\s*)([-+=]|\d+(?=[.)]))")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_SPACES = re.compile(r"\s+")


class Markdown(str):
    """Text that is already safe markdown; templates print it as it is."""


def strip_controls(text: str) -> str:
    """Text without control characters (newlines kept)."""
    return _CONTROL.sub("", text)


def escape_md(value: object, *, limit: int | None = None, line_start: bool = False) -> Markdown:
    """Scraped text as literal inline markdown: one line, every special character escaped.

    With line_start, also escape what would open a list or heading at the start of a line.
    """
    if isinstance(value, Markdown):
        return value
    text = _SPACES.sub(" ", _CONTROL.sub(" ", "" if value is None else str(value))).strip()
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = _SPECIAL.sub(r"\\\1", text)
    return Markdown(_LINE_START.sub(_escape_line_start, text) if line_start else text)


def _escape_line_start(match: re.Match) -> str:
    lead, marker = match.group(1), match.group(2)
    return f"{lead}{marker}\\" if marker[0].isdigit() else f"{lead}\\{marker}"


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), made safe to put inside markdown link parentheses."""
    if not url:
        return None
    url = _CONTROL.sub("", url).strip()
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return None
    return quote(url, safe=":/?#@!$&'*+,;=%~.-_").replace("(", "%28").replace(")", "%29")


def link(text: object, url: str | None) -> Markdown:
    """[text](url) with the text escaped; plain escaped text when the URL is unsafe."""
    label = escape_md(text) or Markdown("untitled")
    href = safe_url(url)
    return Markdown(f"[{label}]({href})") if href else label
