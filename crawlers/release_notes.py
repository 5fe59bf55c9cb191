"""Read one release from a release feed entry: a GitHub releases Atom feed, a releases RSS.

A feed carries one release per entry, so there is nothing to split: the title names the
version, the feed dates the release, and the content's lists are the items. Every rule
(versions, dates, item types, breaking) is the changelog splitter's, so a release reads
the same whether it came from the changelog page or from the feed.
"""

from lxml import etree

from crawlers.changelog_blocks import Block
from crawlers.changelog_dates import parse_date
from crawlers.changelog_entries import describe, entry_items, is_breaking
from crawlers.changelog_html import html_blocks, parse_html
from crawlers.changelog_model import ReleaseEntry
from crawlers.text import normalise_whitespace


def _content_blocks(content_html: str | None) -> list[Block]:
    """Headings, list items and paragraphs of the entry's HTML content."""
    if not content_html or not content_html.strip():
        return []
    try:
        return html_blocks(parse_html(content_html))
    except etree.ParserError:  # markup with nothing in it, such as a lone comment
        return []


def release_from_feed_entry(
    title: str, content_html: str | None, text: str, published_at: str | None, url: str | None
) -> dict:
    """One release feed entry as a release, in the shape of ReleaseEntry.to_dict()."""
    heading = describe(title)
    blocks = _content_blocks(content_html)
    items = entry_items(blocks)
    name = heading.rest or heading.version or normalise_whitespace(title)
    body = normalise_whitespace(text or "") or "\n".join(b.text for b in blocks if b.text)
    entry = ReleaseEntry(
        version=heading.version,
        # The feed's own date; a date written in the title only when the feed gives none.
        released_on=parse_date(published_at or "") or heading.date,
        title=name,
        body=body,
        items=items,
        breaking=is_breaking(blocks, items, name, body),
        anchor_url=url,
    )
    return entry.to_dict()
