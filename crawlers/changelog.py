"""Split a changelog page into one entry per release, whatever shape the page takes.

Markdown, plain text and reStructuredText are read line by line; HTML is read with
lxml into the same stream of headings, items and paragraphs. Releases are found by
their headings (a version or a date at the level most releases use) or, for card and
timeline layouts, by the run of sibling elements that each carry a date or version.
"""

import codecs
import re

from cssselect import SelectorError

from crawlers.changelog_entries import build_entry, split_blocks
from crawlers.changelog_html import find_cards, html_blocks, main_region, parse_html
from crawlers.changelog_markdown import text_blocks
from crawlers.changelog_model import (
    ITEM_TYPES,
    NoEntriesFound,
    ReleaseEntry,
    ReleaseItem,
)

__all__ = ["ITEM_TYPES", "NoEntriesFound", "ReleaseEntry", "ReleaseItem", "split_changelog"]

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_EXTENSIONS = {
    "md": "markdown", "markdown": "markdown", "mdown": "markdown", "txt": "text",
    "text": "text", "rst": "rst", "rest": "rst", "html": "html", "htm": "html", "xhtml": "html",
}
_MEDIA = {
    "text/html": "html", "application/xhtml+xml": "html", "text/markdown": "markdown",
    "text/x-markdown": "markdown", "text/x-rst": "rst", "text/prs.fallenstein.rst": "rst",
}
_HTML_SNIFF = re.compile(
    r"^\s*(?:<!doctype html|<html|<head|<body|<\?xml)|<(?:div|p|h[1-6]|ul)[\s>]", re.IGNORECASE
)
_RST_SNIFF = re.compile(r"^(\S.*)\n([=\-~^\"'*+#])\2{2,}\s*$|^\.\. \w", re.MULTILINE)


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_body(body: bytes | str, content_type: str | None) -> str:
    """Text of the body: header charset, then meta charset, then UTF-8 with replacement."""
    if isinstance(body, str):
        return body
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", "replace")
    header = _CT_CHARSET.search(content_type or "")
    meta = _CHARSET.search(body[:4096])
    for name in (header and header.group(1), meta and meta.group(1).decode("ascii", "ignore")):
        if name and (codec := _codec(name)):
            return body.decode(codec, "replace")
    return body.decode("utf-8", "replace")


def detect_format(text: str, url: str, content_type: str | None) -> str:
    """"html", "markdown", "text" or "rst": from the media type, the URL, then the text."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in _MEDIA:
        return _MEDIA[media]
    path = url.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1]
    extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    if extension in _EXTENSIONS:
        return _EXTENSIONS[extension]
    head = text[:4096]
    if _HTML_SNIFF.search(head):
        return "html"
    if _RST_SNIFF.search(head) and "#" not in head[:200]:
        return "rst"
    return "markdown"


def _select(root, selector: str | None, name: str) -> list:
    if not selector:
        return []
    try:
        return root.cssselect(selector)
    except SelectorError as error:
        raise ValueError(f"{name} {selector!r} is not a valid CSS selector: {error}") from None


def _html_entries(text: str, url: str, entry_selector, version_selector, date_selector):
    root = parse_html(text)
    marks = {element: "version" for element in _select(root, version_selector, "version_selector")}
    marks.update({el: "date" for el in _select(root, date_selector, "date_selector")})
    if entry_selector:
        chosen = _select(root, entry_selector, "entry_selector")
        return [build_entry(html_blocks(el, marks), url, el.get("id")) for el in chosen]
    main = main_region(root)
    releases = split_blocks(html_blocks(main, marks))
    cards = [] if version_selector else find_cards(main)
    if len(cards) >= max(len(releases), 2):
        return [build_entry(html_blocks(card, marks), url, card.get("id")) for card in cards]
    return [build_entry(blocks, url) for blocks in releases]


def split_changelog(
    body: bytes | str,
    url: str,
    *,
    content_type: str | None = None,
    entry_selector: str | None = None,
    version_selector: str | None = None,
    date_selector: str | None = None,
) -> list[ReleaseEntry]:
    """Split a changelog document into release entries, newest first as on the page."""
    text = decode_body(body, content_type)
    kind = detect_format(text, url, content_type)
    if kind == "html":
        entries = _html_entries(text, url, entry_selector, version_selector, date_selector)
    else:
        entries = [build_entry(blocks, url) for blocks in split_blocks(text_blocks(text, kind))]
    if not entries:
        raise NoEntriesFound()
    return entries
