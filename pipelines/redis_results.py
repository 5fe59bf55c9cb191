"""Last item pipeline of a distributed worker: fetch results go to Redis, not SQLite.

Workers never open the database (a single-writer local file); `rivalwatch ingest` drains
the results list into it (pipelines/ingest.py). A result is pushed in one MULTI with the
acknowledgement of the queue entries it answers, so a worker that dies leaves either both
undone (the request is fetched again) or both done.
"""

from __future__ import annotations

import json
import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured
from scrapy_redis.connection import get_redis_from_settings

from pipelines.store import fetch_fields

logger = logging.getLogger(__name__)

RESULTS_KEY = "rivalwatch:results"


def encode_result(item) -> bytes:
    """A fetch result (status fields and documents) as JSON bytes."""
    status, docs = fetch_fields(item)
    return json.dumps({**status, "documents": docs}, ensure_ascii=False).encode("utf-8")


def decode_result(entry: bytes) -> tuple[dict, list[dict]]:
    """The status fields and document dicts of an encoded result."""
    data = json.loads(entry)
    docs = data.pop("documents")
    return data, docs


class RedisResultPipeline:
    """Pushes each fetch result to the shared results list and acknowledges its request."""

    def __init__(self, crawler, server):
        self.crawler = crawler
        self.server = server

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("RIVALWATCH_REDIS_URL"):
            raise NotConfigured("not a distributed crawl")
        return cls(crawler, get_redis_from_settings(crawler.settings))

    def process_item(self, item, spider=None):
        spider = spider or self.crawler.spider
        processing = getattr(spider, "redis_processing", None)  # set by the Redis queue
        with self.server.pipeline() as pipe:
            pipe.lpush(RESULTS_KEY, encode_result(item))
            if processing is not None:
                processing.ack(ItemAdapter(item)["source_id"], pipe)
            pipe.execute()
        self.crawler.stats.inc_value("rivalwatch/results_queued")
        return item
