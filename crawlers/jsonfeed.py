"""Read JSON Feed 1.0 and 1.1 documents into the same entries as RSS and Atom.

feedparser does not read JSON Feed, so this follows https://jsonfeed.org/version/1.1
directly: `items` in document order, dates in RFC 3339, authors inherited from the
feed, and relative URLs resolved against the feed's `home_page_url`.
"""

import codecs
import json
import re
from urllib.parse import urljoin

from crawlers.feeds import FeedEntry, FeedError, ParsedFeed, lenient_date, single_line
from crawlers.text import html_to_text, normalise_whitespace

_VERSION_PREFIX = "https://jsonfeed.org/version/"
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def parse_json_feed(body: bytes, url: str, *, content_type: str | None = None) -> ParsedFeed:
    """Entries of a JSON Feed document, from the downloaded bytes."""
    document = _load(body, content_type)
    if not isinstance(document, dict) or not _version(document):
        raise FeedError("not a feed: the JSON is not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("not a feed: the JSON Feed has no list of items")
    base = _url(document.get("home_page_url"), url) or url
    feed_author = _authors(document)
    entries = [_entry(item, base, feed_author) for item in items if isinstance(item, dict)]
    if not entries:
        raise FeedError("feed has no entries")
    return ParsedFeed(
        format=_format(_version(document)),
        title=_string(document.get("title")),
        link=_url(document.get("home_page_url"), url),
        entries=entries,
    )


def _load(body: bytes, content_type: str | None) -> object:
    charset = _charset(content_type)
    try:
        return json.loads(body.decode(charset).lstrip("\ufeff") if charset else body)
    except UnicodeDecodeError:
        reason = f"the text is not valid {charset or 'UTF-8'}"
        raise FeedError(f"not a feed: could not parse JSON: {reason}") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise FeedError(f"not a feed: could not parse JSON: {error.msg} ({where})") from None


def _charset(content_type: str | None) -> str | None:
    """The charset the server declared, when Python knows it."""
    match = _CHARSET.search(content_type or "")
    try:
        return codecs.lookup(match.group(1)).name if match else None
    except LookupError:
        return None


def _version(document: dict) -> str | None:
    version = document.get("version")
    if isinstance(version, str) and version.startswith(_VERSION_PREFIX):
        return version.removeprefix(_VERSION_PREFIX)
    return None


def _format(version: str) -> str:
    """`json10` for version 1, `json11` for 1.1, like feedparser's `rss20`."""
    major, _, minor = version.partition(".")
    return f"json{major}{minor or '0'}"


def _entry(item: dict, base: str, feed_author: str | None) -> FeedEntry:
    published = lenient_date(item.get("date_published"))
    updated = lenient_date(item.get("date_modified"))
    return FeedEntry(
        guid=_string(item.get("id")),
        url=_url(item.get("url"), base) or _url(item.get("external_url"), base),
        title=_string(item.get("title")) or "",
        text=_text(item),
        published_at=published or updated,
        updated_at=updated,
        author=_authors(item) or feed_author,
        content_html=_string(item.get("content_html")),
    )


def _text(item: dict) -> str:
    """Full content when the item has it (HTML first), else its summary."""
    if isinstance(item.get("content_html"), str) and item["content_html"].strip():
        return html_to_text(item["content_html"])
    for key in ("content_text", "summary"):
        if isinstance(item.get(key), str) and item[key].strip():
            return normalise_whitespace(item[key])
    return ""


def _authors(obj: dict) -> str | None:
    """Names of `authors` (1.1) or `author` (1.0), joined by commas."""
    people = obj.get("authors")
    if not isinstance(people, list):
        people = [obj.get("author")]
    names = [_string(p.get("name")) for p in people if isinstance(p, dict)]
    names = [name for name in names if name]
    return ", ".join(dict.fromkeys(names)) or None


def _url(value: object, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return urljoin(base, value.strip())


def _string(value: object) -> str | None:
    # Ids are strings in the spec, but numbers turn up in the wild.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return single_line(str(value)) or None
