"""The feed spider: RSS, Atom and JSON Feed sources become articles or releases."""

from crawlers.feeds import FeedError, parse_feed
from crawlers.items import DocumentItem
from crawlers.release_notes import release_from_feed_entry
from crawlers.spiders.base import SourceSpider, utc_now


class FeedsSpider(SourceSpider):
    """Every `kind = "feed"` source and every `[[feeds]]` entry."""

    name = "feeds"
    kinds = ("feed",)
    source_errors = (FeedError,)

    def parse_documents(self, response, source):
        content_type = _content_type(response)
        feed = parse_feed(response.body, response.url, content_type=content_type)
        kind = "release" if source.releases else "article"
        fetched_at = utc_now()
        for entry in feed.entries:
            yield DocumentItem(
                source_id=source.id, competitor_id=source.competitor_id, kind=kind,
                url=entry.url, title=entry.title, text=entry.text,
                published_at=entry.published_at or entry.updated_at, guid=entry.guid,
                fetched_at=fetched_at, release=_release(entry) if source.releases else None,
            )


def _release(entry) -> dict:
    return release_from_feed_entry(entry.title, entry.content_html, entry.text,
                                   entry.published_at or entry.updated_at, entry.url)


def _content_type(response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None
