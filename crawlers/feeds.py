"""Turn a downloaded RSS, Atom or JSON Feed document into feed entries.

Scrapy does the fetching; this module only reads bytes. RSS and Atom go through
feedparser (with the HTTP charset and the feed URL, so encodings and relative links
come out right); JSON Feed is read by `crawlers.jsonfeed` into the same shapes.
"""

import calendar
import codecs
import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from html.entities import name2codepoint
from urllib.parse import urljoin
from xml.parsers import expat
from xml.sax import SAXParseException

import feedparser
from dateutil import parser as dateutil_parser

from crawlers.text import html_to_text, normalise_whitespace

logger = logging.getLogger(__name__)

ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_UTF16_32_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)
# Everything that may precede the root element: comments, processing instructions
# and the DOCTYPE (with its internal subset); then comes the root element.
_PROLOG_ITEM = re.compile(
    r"\s*(?:<!--.*?-->|<\?.*?\?>|<!DOCTYPE\s+([\w.:-]+)[^\[>]*(?:\[(.*?)\])?\s*>)",
    re.DOTALL | re.IGNORECASE,
)
_ROOT = re.compile(r"\s*<([A-Za-z_][\w.:-]*)")
_EMAIL = re.compile(r"(?:mailto:)?[^\s<>()\[\]@]+@[^\s<>()\[\]@]+\.[^\s<>()\[\]@]+")
_EMPTY_BRACKETS = re.compile(r"[(<\[]\s*[)>\]]")
_MAX_ENTITY_VALUE = 1024
_SNIFF_BYTES = 65536
_CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.DOTALL)
_BARE_AMPERSAND = re.compile(rb"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][\w.-]*;)")
_NAMED_REF = re.compile(rb"&([A-Za-z][\w.-]*);")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_DEFAULTS = (datetime(2000, 1, 1), datetime(2001, 2, 2))


@dataclass
class FeedEntry:
    """One item of a feed, ready to become a document."""

    guid: str | None
    url: str | None
    title: str
    text: str
    published_at: str | None
    updated_at: str | None
    author: str | None
    content_html: str | None = None  # the entry's markup, for release notes' lists


@dataclass
class ParsedFeed:
    """A feed's own title and link, and its entries in document order."""

    format: str
    title: str | None
    link: str | None
    entries: list[FeedEntry]


class FeedError(ValueError):
    """The downloaded bytes are not a usable feed; the message is shown to users."""


def parse_feed(body: bytes, url: str, *, content_type: str | None = None) -> ParsedFeed:
    """Entries of an RSS, Atom or JSON Feed document, from the downloaded bytes."""
    if not body or not body.strip():
        raise FeedError("empty response")
    if _looks_like_json(body, content_type):
        # Imported here because jsonfeed builds the dataclasses defined above.
        from crawlers.jsonfeed import parse_json_feed

        return parse_json_feed(body, url, content_type=content_type)
    if _is_html_page(_prolog_text(body)):
        raise FeedError("not a feed: the server returned an HTML page")
    _refuse_unsafe_entities(body)
    return _parse_xml_feed(body, url, content_type)


def iso_utc(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` for an aware datetime; a naive one is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(ISO_UTC)


def lenient_date(raw: object) -> str | None:
    """A date string in any common format as ISO 8601 UTC, or None when unreadable."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        # dateutil fills missing parts from a default (today, by default): parsing
        # twice with different defaults shows whether the year, month and day were
        # really in the string, so a partial date never turns into the crawl date.
        first, second = (dateutil_parser.parse(raw, default=d) for d in _DEFAULTS)
    except (ValueError, OverflowError):
        return None
    return iso_utc(first) if first == second else None


def single_line(text: str) -> str:
    """Text on one line, as titles and names should be."""
    return " ".join(normalise_whitespace(text).splitlines())


# --- sniffing and safety -------------------------------------------------------------


def _looks_like_json(body: bytes, content_type: str | None) -> bool:
    first = body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if first in (b"{", b"["):
        return True
    return first != b"<" and "json" in (content_type or "").lower()


def _prolog_text(body: bytes) -> str:
    """The document as text, good enough to read its prolog and root element name."""
    head = body[:_SNIFF_BYTES]
    for bom, encoding in _UTF16_32_BOMS:
        if head.startswith(bom):
            return head.decode(encoding, "replace")
    # Every feed encoding we meet is ASCII-compatible in the markup of the prolog.
    return head.decode("latin-1").lstrip("\xef\xbb\xbf")


def _is_html_page(head: str) -> bool:
    """True when the DOCTYPE or the root element says this is a web page."""
    doctype, pos = None, 0
    while (match := _PROLOG_ITEM.match(head, pos)) and match.end() > pos:
        doctype, pos = match.group(1) or doctype, match.end()
    root = _ROOT.match(head, pos)
    names = {(name or "").rsplit(":", 1)[-1].lower() for name in (doctype, root and root[1])}
    return "html" in names


class _PrologRead(Exception):
    """Raised to stop expat at the root element: entities are all declared by then."""


def _refuse_unsafe_entities(body: bytes) -> None:
    """Refuse entity declarations that could read files or expand without bound."""
    is_unicode = body.startswith(tuple(bom for bom, _ in _UTF16_32_BOMS))
    # Read as Latin-1 whatever the prolog says: the markup of a DTD is ASCII, and
    # expat cannot decode multi-byte encodings such as Shift_JIS by itself.
    parser = expat.ParserCreate(None if is_unicode else "iso-8859-1")
    parser.EntityDeclHandler = _check_entity
    parser.StartElementHandler = _stop_at_root
    try:
        parser.Parse(body, True)
    except (_PrologRead, expat.ExpatError):
        return


def _stop_at_root(*_: object) -> None:
    raise _PrologRead


def _check_entity(name, is_parameter, value, base, system_id, public_id, notation) -> None:
    if is_parameter or system_id or public_id or notation:
        raise FeedError(
            "not a feed: refused an XML document that declares external entities "
            "(a known attack that can read server files)"
        )
    if value and (len(value) > _MAX_ENTITY_VALUE or "&" in value):
        raise FeedError(
            "not a feed: refused an XML document whose entities expand into each "
            "other (a known attack that exhausts memory)"
        )


# --- RSS and Atom through feedparser -------------------------------------------------


def _parse_xml_feed(body: bytes, url: str, content_type: str | None) -> ParsedFeed:
    # No content-location: feedparser would then resolve every relative URI inside every
    # entry's markup (a quarter of its time), and we keep only text; entry links are made
    # absolute by _absolute, and xml:base is still honoured by feedparser itself.
    headers = {}
    if content_type:
        headers["content-type"] = content_type
    result = _read_with_feedparser(body, headers)
    if not result.entries:
        raise FeedError(_no_entries_reason(result, content_type))
    if result.bozo:
        logger.info("feed %s is not well-formed, kept what was readable: %s",
                    url, result.get("bozo_exception"))
    feed = result.feed
    # Atom entries without an author inherit the feed's (RFC 4287, 4.2.1).
    atom = (result.version or "").startswith("atom")
    feed_author = _author(feed, atom) if atom else None
    entries = [_entry(entry, url, atom, feed_author) for entry in result.entries]
    return ParsedFeed(
        format=result.version or "unknown",
        title=_title(feed) or None,
        link=_absolute(feed.get("link"), url),
        # A download cut off inside an item leaves an item with nothing in it.
        entries=[e for e in entries if e.title or e.text or e.url or e.guid],
    )


def _read_with_feedparser(body: bytes, headers: dict) -> feedparser.FeedParserDict:
    """feedparser's result, retried once with stray ampersands escaped."""
    result = feedparser.parse(body, response_headers=headers)
    if not isinstance(result.get("bozo_exception"), SAXParseException):
        return result
    repaired = _escape_ampersands(body)
    if repaired == body:
        return result
    # Hand-made feeds often leave "R&D" or "&nbsp;" unescaped; feedparser's fallback
    # parser would turn "R&D update" into "R&D; update".
    retry = feedparser.parse(repaired, response_headers=headers)
    return retry if len(retry.entries) >= len(result.entries) else result


def _escape_ampersands(body: bytes) -> bytes:
    """The document with bare `&` escaped and HTML named entities made numeric."""
    if body.startswith(tuple(bom for bom, _ in _UTF16_32_BOMS)):
        return body
    parts = _CDATA.split(body)
    return b"".join(part if part.startswith(b"<![CDATA[") else _fix_refs(part) for part in parts)


def _fix_refs(markup: bytes) -> bytes:
    markup = _BARE_AMPERSAND.sub(b"&amp;", markup)
    return _NAMED_REF.sub(_numeric_ref, markup)


def _numeric_ref(match: re.Match) -> bytes:
    name = match.group(1).decode("ascii")
    if name in _XML_ENTITIES or name not in name2codepoint:
        return match.group(0)
    return b"&#%d;" % name2codepoint[name]


def _no_entries_reason(result: feedparser.FeedParserDict, content_type: str | None) -> str:
    error = result.get("bozo_exception")
    if result.version and not isinstance(error, SAXParseException):
        return "feed has no entries"
    if (content_type or "").split(";")[0].strip().lower() in _HTML_TYPES:
        return "not a feed: the server returned an HTML page"
    if error is None:
        return "not a feed: the document is XML but not RSS or Atom"
    return f"not a feed: could not parse XML: {_describe(error)}"


def _describe(error: Exception) -> str:
    if isinstance(error, SAXParseException):
        where = f"line {error.getLineNumber()}, column {error.getColumnNumber()}"
        return f"{error.getMessage()} ({where})"
    return str(error)


def _entry(
    entry: feedparser.FeedParserDict, feed_url: str, atom: bool, feed_author: str | None
) -> FeedEntry:
    published = _entry_date(entry, "published")
    updated = _entry_date(entry, "updated")
    return FeedEntry(
        guid=_text_or_none(entry.get("id")),
        url=_absolute(entry.get("link"), feed_url),
        title=_title(entry),
        text=_entry_text(entry),
        # An entry dated only once (Atom's required <updated>, RSS 1.0's dc:date)
        # was published then as far as anyone reading the feed can tell.
        published_at=published or updated,
        updated_at=updated,
        author=_author(entry, atom) or feed_author,
        content_html=_entry_markup(entry),
    )


def _entry_date(entry: feedparser.FeedParserDict, key: str) -> str | None:
    # dict.get: feedparser's own get() falls back from updated to published.
    parsed = dict.get(entry, f"{key}_parsed")
    if parsed:
        return time.strftime(ISO_UTC, time.gmtime(calendar.timegm(parsed)))
    return lenient_date(dict.get(entry, key))


def _title(node: feedparser.FeedParserDict) -> str:
    title = node.get("title", "")
    if node.get("title_detail", {}).get("type") in _HTML_TYPES:
        title = html_to_text(title)
    return single_line(title)


def _entry_text(entry: feedparser.FeedParserDict) -> str:
    """Full content when the feed has it, else the summary, as plain text."""
    contents = entry.get("content") or []
    detail = next((c for c in contents if c.get("value", "").strip()), None)
    if detail is None and entry.get("summary", "").strip():
        detail = entry.get("summary_detail") or {"value": entry.summary, "type": "text/html"}
    if detail is None:
        return ""
    if detail.get("type") == "text/plain":
        return normalise_whitespace(detail["value"])
    return html_to_text(detail["value"])


def _entry_markup(entry: feedparser.FeedParserDict) -> str | None:
    """The entry's HTML content or summary (feedparser has sanitised it), if it has any."""
    for detail in [*(entry.get("content") or []), entry.get("summary_detail") or {}]:
        if detail.get("type") in _HTML_TYPES and detail.get("value", "").strip():
            return detail["value"]
    return None


def _author(node: feedparser.FeedParserDict, atom: bool) -> str | None:
    """Author names; Atom has them in elements, RSS in one "email (Name)" string."""
    if not atom:
        return person_name(dict.get(node, "author"))
    names = [a.get("name") or a.get("email") for a in node.get("authors", [])]
    names = [single_line(n) for n in names if n and n.strip()]
    return ", ".join(dict.fromkeys(names)) or None


def person_name(raw: object) -> str | None:
    """The name in "jane@x.example (Jane Doe)" or "Jane Doe <jane@x.example>"."""
    if not isinstance(raw, str):
        return None
    # Not feedparser's author_detail: its e-mail pattern cuts long TLDs (.agency).
    name = _EMPTY_BRACKETS.sub("", _EMAIL.sub("", raw))
    name = single_line(name.strip(" ()<>[]\t\n"))
    if name:
        return name
    email = _EMAIL.search(raw)
    return email.group(0).removeprefix("mailto:") if email else None


def _absolute(link: str | None, base: str) -> str | None:
    link = (link or "").strip()
    return urljoin(base, link) if link else None


def _text_or_none(value: object) -> str | None:
    text = single_line(str(value)) if value is not None else ""
    return text or None
