"""The generic source spider: one request per configured source, outcomes as items."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

import scrapy

from crawlers.items import FetchResultItem
from rivalwatch.config import Config, Source, load_config

logger = logging.getLogger(__name__)


class SourceError(Exception):
    """The source answered, but its content cannot be used; the message says why."""


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


class SourceSpider(scrapy.Spider):
    """Fetches every configured source of the kinds it handles; subclasses parse them."""

    kinds: tuple[str, ...] = ()
    source_errors: tuple[type[Exception], ...] = (SourceError,)

    def __init__(self, config: str | None = None, source: str | None = None,
                 kind: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.config_path = config
        self.source_filter = set(source.split(",")) if source else None
        self.kind_filter = set(kind.split(",")) if kind else None
        self.source_state: dict[str, dict] = {}  # filled by the store pipeline on open

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        path = spider.config_path or crawler.settings.get("RIVALWATCH_CONFIG")
        spider.config = load_config(path)
        _apply_config_settings(crawler.settings, spider.config)
        return spider

    def selected_sources(self) -> list[Source]:
        """The config's sources this spider handles, after the -a source/kind filters."""
        return [
            s for s in self.config.sources()
            if s.kind in self.kinds
            and (self.source_filter is None or s.id in self.source_filter)
            and (self.kind_filter is None or s.kind in self.kind_filter)
        ]

    async def start(self):
        for source in self.selected_sources():
            state = self.source_state.get(source.id, {})
            if _backing_off(state):
                logger.info("source %s is backing off until %s", source.id,
                            state["next_attempt_after"])
                continue
            yield self.request_for(source, state)

    def request_for(self, source: Source, state: dict) -> scrapy.Request:
        return scrapy.Request(
            source.url, callback=self.parse_source, errback=self.source_failed,
            cb_kwargs={"source": source}, dont_filter=True,
            meta={"source_id": source.id, "handle_httpstatus_list": [304],
                  "validators": {k: state.get(k) for k in ("etag", "last_modified")}},
        )

    def parse_source(self, response, source: Source) -> Iterator:
        if response.status == 304:
            yield self._status(source, response, not_modified=True)
            return
        try:
            documents = list(self.parse_documents(response, source))
        except self.source_errors as exc:
            yield self._failure(source, "content", str(exc), response.status)
            return
        yield self._status(source, response, documents=documents)

    def parse_documents(self, response, source: Source) -> Iterable:
        """The DocumentItems of a fetched source; raise one of source_errors when unusable."""
        raise NotImplementedError

    def source_failed(self, failure):
        from crawlers.failures import describe_failure

        source = failure.request.cb_kwargs["source"]
        error_type, message, status = describe_failure(failure.value)
        logger.warning("source %s failed: %s", source.id, message)
        yield self._failure(source, error_type, message, status)

    def _status(self, source: Source, response, **fields) -> FetchResultItem:
        headers = response.headers
        return FetchResultItem(
            source_id=source.id, url=source.url, ok=True, status=response.status,
            etag=_header(headers, b"ETag"), last_modified=_header(headers, b"Last-Modified"),
            fetched_at=utc_now(), **fields,
        )

    def _failure(self, source: Source, error_type: str, message: str,
                 status: int | None) -> FetchResultItem:
        return FetchResultItem(source_id=source.id, url=source.url, ok=False, status=status,
                                error_type=error_type, message=message, fetched_at=utc_now())


def _header(headers, name: bytes) -> str | None:
    value = headers.get(name)
    return value.decode("latin-1") if value else None


def _backing_off(state: dict) -> bool:
    until = state.get("next_attempt_after")
    return bool(until) and until > utc_now()


def _apply_config_settings(settings, config: Config) -> None:
    crawl = config.crawl
    values = {
        "USER_AGENT": config.project.user_agent,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "DOWNLOAD_TIMEOUT": crawl.download_timeout,
        "DOWNLOAD_MAXSIZE": crawl.max_size_mb * 1024 * 1024,
        "CONCURRENT_REQUESTS": crawl.concurrent_requests,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_per_domain,
        "AUTOTHROTTLE_ENABLED": crawl.autothrottle,
        "RETRY_TIMES": crawl.retries,
        "RIVALWATCH_DB": settings.get("RIVALWATCH_DB") or str(config.db_path),
    }
    for name, value in values.items():
        if settings.getpriority(name) is None or settings.getpriority(name) <= 20:
            settings.set(name, value, priority="spider")
