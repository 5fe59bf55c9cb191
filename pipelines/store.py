"""Last item pipeline: write a fetch's documents and its source's health to SQLite.

Each fetch result is written in one transaction, documents and validators together, so
stored validators (ETag) never get ahead of stored documents: a crash can lose a fetch
but never make the next crawl skip what was not written. `write_fetch` is that write; the
ingester of a distributed crawl (pipelines/ingest.py) calls it too.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter

from pipelines import documents, health, pagewatch
from pipelines.normalise import documents_of
from pipelines.storage import transaction, utc_now
from pipelines.writer import WriterFailed, WriterProcess

logger = logging.getLogger(__name__)


class StorePipeline:
    """Writes what the spiders found, through a writer process; counts outcomes in the stats."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = crawler.settings.get("RIVALWATCH_DB")
        self.run_id = crawler.settings.getint("RIVALWATCH_RUN_ID") or None
        self.writer: WriterProcess | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.writer = WriterProcess(
            str(self.db_path or spider.config.db_path), spider.config, run_id=self.run_id,
            backoff_after=spider.config.crawl.backoff_after_failures)
        spider.source_state = self.writer.source_state

    def close_spider(self, spider=None):
        self.writer.close()

    async def process_item(self, item, spider=None):
        status, docs = fetch_fields(item)
        try:
            counts = await self.writer.write(status, docs)
        except WriterFailed as exc:
            logger.error("could not store %s: %s", status["source_id"], exc)
            self.stats.inc_value("rivalwatch/store_errors")
            return item
        counts.add_to(self.stats)
        return item


def fetch_fields(item) -> tuple[dict, list[dict]]:
    """A fetch result as plain dicts: its status fields, and each document's fields."""
    return _fields(ItemAdapter(item)), [_fields(doc) for doc in documents_of(item)]


def write_fetch(db, status: dict, docs: list[dict], *, stats, run_id: int | None = None,
                backoff_after: int = 5) -> None:
    """Write one fetch's documents and its source's health in one transaction.

    Idempotent: writing the same fetch twice stores nothing new the second time. `stats`
    has Scrapy's `inc_value(key, count=1)`; outcomes are counted as `rivalwatch/...`.
    """
    now = utc_now()
    with transaction(db):
        outcomes = [_store(db, doc, now, stats) for doc in docs]
        _record_status(db, status, stats, new_items=outcomes.count(documents.NEW),
                       run_id=run_id, backoff_after=backoff_after)
    for outcome in outcomes:
        stats.inc_value(f"rivalwatch/documents_{outcome}")


def _store(db, doc: dict, now: str, stats) -> str:
    if doc["kind"] != "snapshot":
        return documents.store_document(db, doc, now)[0]
    previous = documents.find_existing(db, doc)
    outcome, row = documents.store_document(db, doc, now)
    changed = previous is not None and outcome == documents.UPDATED
    if changed and pagewatch.record_page_change(db, previous, doc, now):
        stats.inc_value("rivalwatch/page_changes")
    if doc.get("price_points"):
        changes = pagewatch.record_prices(db, row, doc["price_points"], now)
        stats.inc_value("rivalwatch/price_changes", len(changes))
    return outcome


def _record_status(db, status: dict, stats, *, new_items: int, run_id: int | None,
                   backoff_after: int) -> None:
    if status["ok"]:
        health.record_success(db, status, new_items=new_items)
        key = "not_modified" if status.get("not_modified") else "ok"
        stats.inc_value(f"rivalwatch/sources_{key}")
    else:
        health.record_failure(db, status, run_id=run_id, backoff_after=backoff_after)
        stats.inc_value("rivalwatch/sources_failed")


def _fields(adapter: ItemAdapter) -> dict:
    """A shallow dict of an item (ItemAdapter.asdict deep-copies, which is slow here)."""
    return {name: adapter.get(name) for name in adapter.field_names() if name != "documents"}
