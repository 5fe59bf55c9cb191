"""Last item pipeline: write a fetch's documents and its source's health to SQLite.

Each fetch result is written in one transaction, documents and validators together, so
stored validators (ETag) never get ahead of stored documents: a crash can lose a fetch
but never make the next crawl skip what was not written.
"""

from __future__ import annotations

import logging

from itemadapter import ItemAdapter

from pipelines import documents, health, pagewatch
from pipelines.normalise import documents_of
from pipelines.registry import source_state, sync_config
from pipelines.storage import open_db, transaction, utc_now

logger = logging.getLogger(__name__)


class StorePipeline:
    """Writes what the spiders found; counts outcomes in the crawl stats."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.db_path = crawler.settings.get("RIVALWATCH_DB")
        self.run_id = crawler.settings.getint("RIVALWATCH_RUN_ID") or None
        self.backoff_after = crawler.settings.getint("RIVALWATCH_BACKOFF_AFTER", 5)
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self, spider=None):
        spider = spider or self.crawler.spider
        self.db = open_db(self.db_path or spider.config.db_path)
        sync_config(self.db, spider.config)
        spider.source_state = source_state(self.db)
        self.backoff_after = spider.config.crawl.backoff_after_failures

    def close_spider(self, spider=None):
        self.db.close()

    def process_item(self, item, spider=None):
        status = _fields(ItemAdapter(item))
        docs = [_fields(doc) for doc in documents_of(item)]
        self._write_fetch(status, docs)
        return item

    def _write_fetch(self, status: dict, docs: list[dict]) -> None:
        now = utc_now()
        with transaction(self.db):
            outcomes = [self._store(doc, now) for doc in docs]
            self._record_status(status, new_items=outcomes.count(documents.NEW))
        for outcome in outcomes:
            self.stats.inc_value(f"rivalwatch/documents_{outcome}")

    def _store(self, doc: dict, now: str) -> str:
        if doc["kind"] != "snapshot":
            return documents.store_document(self.db, doc, now)[0]
        previous = documents.find_existing(self.db, doc)
        outcome, row = documents.store_document(self.db, doc, now)
        changed = previous is not None and outcome == documents.UPDATED
        if changed and pagewatch.record_page_change(self.db, previous, doc, now):
            self.stats.inc_value("rivalwatch/page_changes")
        if doc.get("price_points"):
            changes = pagewatch.record_prices(self.db, row, doc["price_points"], now)
            self.stats.inc_value("rivalwatch/price_changes", len(changes))
        return outcome

    def _record_status(self, status: dict, *, new_items: int) -> None:
        if status["ok"]:
            health.record_success(self.db, status, new_items=new_items)
            key = "not_modified" if status.get("not_modified") else "ok"
            self.stats.inc_value(f"rivalwatch/sources_{key}")
        else:
            health.record_failure(self.db, status, run_id=self.run_id,
                                  backoff_after=self.backoff_after)
            self.stats.inc_value("rivalwatch/sources_failed")


def _fields(adapter: ItemAdapter) -> dict:
    """A shallow dict of an item (ItemAdapter.asdict deep-copies, which is slow here)."""
    return {name: adapter.get(name) for name in adapter.field_names() if name != "documents"}
