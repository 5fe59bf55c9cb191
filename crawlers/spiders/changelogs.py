"""The changelog spider: changelog pages become one release document per entry."""

from crawlers.changelog import NoEntriesFound, split_changelog
from crawlers.items import DocumentItem
from crawlers.spiders.base import SourceSpider, utc_now
from crawlers.spiders.feeds import _content_type


class ChangelogsSpider(SourceSpider):
    """Every `kind = "changelog"` source."""

    name = "changelogs"
    kinds = ("changelog",)
    source_errors = (NoEntriesFound,)

    def parse_documents(self, response, source):
        entries = split_changelog(
            response.body, response.url, content_type=_content_type(response),
            entry_selector=source.entry_selector, version_selector=source.version_selector,
            date_selector=source.date_selector,
        )
        fetched_at = utc_now()
        for entry in entries:
            yield DocumentItem(
                source_id=source.id, competitor_id=source.competitor_id, kind="release",
                url=entry.anchor_url or response.url, title=entry.title, text=entry.body,
                published_at=entry.released_on, guid=release_key(entry),
                fetched_at=fetched_at, release=entry.to_dict(),
            )


def release_key(entry) -> str:
    """What makes a changelog entry the same across crawls: its version, else date and title."""
    if entry.version:
        return f"version:{entry.version}"
    return f"entry:{entry.released_on or ''}|{entry.title.strip().lower()}"
