"""Distributed crawling on Redis with scrapy-redis: the coordinator's side.

Topology: one coordinator (`rivalwatch run --redis URL`, next to the database) seeds the
crawl and is its single writer; any number of workers (`rivalwatch crawl --redis URL`,
anywhere, with the same config) share the scrapy-redis queue and dupefilter and push
their results to Redis. The worker side lives in crawlers/redis_queue.py,
crawlers/redis_worker.py and pipelines/redis_results.py; the writer in pipelines/ingest.py.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from pathlib import Path

from crawlers.redis_queue import (
    CRAWL_KEY,
    DONE,
    DUPEFILTER_KEY,
    PROCESSING_LISTS,
    QUEUE_KEY,
    RUNNING,
    SourceDupeFilter,
    alive_key,
    pending_requests,
    processing_lists,
    requeue_orphans,
)
from pipelines.storage import utc_now

logger = logging.getLogger(__name__)


class RedisUnavailable(RuntimeError):
    """Redis cannot be reached at the URL given; the message names it."""


class CrawlTimedOut(RuntimeError):
    """The workers did not finish the crawl in time; what arrived was still written."""


def connect(url: str):
    """A Redis client for url, checked with a PING."""
    import redis

    server = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
    try:
        server.ping()
    except redis.RedisError as exc:
        raise RedisUnavailable(f"cannot reach Redis at {url}: {exc}. Is redis-server "
                               "running there (and the URL redis://HOST:PORT/DB)?") from None
    return server


def new_worker_id() -> str:
    """A worker id unique across machines and restarts: host, pid and a random tag."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def worker_settings(project_settings, redis_url: str, worker_id: str) -> dict:
    """Scrapy settings that turn a crawl process into a worker of the shared crawl."""
    pipelines = dict(project_settings.getdict("ITEM_PIPELINES"))
    pipelines.pop("pipelines.store.StorePipeline", None)
    pipelines["pipelines.redis_results.RedisResultPipeline"] = 300  # results to Redis
    extensions = dict(project_settings.getdict("EXTENSIONS"))
    extensions["crawlers.redis_worker.RedisWorker"] = 600  # heartbeat, reaping, closing
    middlewares = dict(project_settings.getdict("SPIDER_MIDDLEWARES"))
    middlewares["crawlers.redis_worker.SeededStart"] = 10  # start requests come from Redis
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "crawlers.redis_queue.ReliableQueue",
        "SCHEDULER_QUEUE_KEY": QUEUE_KEY,
        "SCHEDULER_DUPEFILTER_KEY": DUPEFILTER_KEY,
        "DUPEFILTER_CLASS": "crawlers.redis_queue.SourceDupeFilter",
        # The queue is shared: a worker that finishes must not clear it for the others.
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": redis_url,
        "RIVALWATCH_REDIS_URL": redis_url,
        "RIVALWATCH_WORKER_ID": worker_id,
        "ITEM_PIPELINES": pipelines,
        "EXTENSIONS": extensions,
        "SPIDER_MIDDLEWARES": middlewares,
    }


def seed_crawl(server, config_path: Path, state: dict[str, dict], *, kinds=None,
               source_ids=None) -> int:
    """Start a new crawl: one request per due source, carrying its stored validators.

    `state` is the database's per-source state (`pipelines.registry.source_state`).
    Returns how many requests were queued.
    """
    from rivalwatch.crawling import kinds_to_crawl

    _reset(server)
    seeded = 0
    for kind in kinds_to_crawl(config_path, kinds, source_ids):
        spider = _seeding_spider(kind, config_path, state, source_ids)
        seeded += _seed_spider(server, spider)
    server.hset(CRAWL_KEY, mapping={"id": secrets.token_hex(6), "state": RUNNING,
                                    "requests": seeded, "seeded_at": utc_now()})
    logger.info("seeded %d requests", seeded)
    return seeded


def _reset(server) -> None:
    """Forget the previous crawl's queues and fingerprints, and dead workers' claims."""
    pending = pending_requests(server)
    if pending and server.hget(CRAWL_KEY, "state") == RUNNING.encode():
        logger.warning("the previous crawl still had %d requests; starting over", pending)
    for pattern in (QUEUE_KEY, DUPEFILTER_KEY):
        for key in server.scan_iter(pattern % {"spider": "*"}):
            server.delete(key)
    for processing in processing_lists(server):
        if not server.exists(alive_key(processing)):
            server.delete(processing)
            server.hdel(PROCESSING_LISTS, processing)


def _seeding_spider(kind: str, config_path: Path, state: dict, source_ids):
    from scrapy.settings import Settings
    from scrapy.spiderloader import SpiderLoader

    from rivalwatch.config import load_config
    from rivalwatch.crawling import SPIDERS_BY_KIND

    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    spider_cls = SpiderLoader.from_settings(settings).load(SPIDERS_BY_KIND[kind])
    spider = spider_cls(config=str(config_path),
                        source=",".join(source_ids) if source_ids else None)
    spider.config = load_config(config_path)
    spider.source_state = state
    return spider


def _seed_spider(server, spider) -> int:
    from scrapy_redis.queue import FifoQueue

    queue = FifoQueue(server, spider, QUEUE_KEY)  # the layout ReliableQueue pops from
    dupefilter = SourceDupeFilter(server, DUPEFILTER_KEY % {"spider": spider.name})
    seeded = 0
    for request in _start_requests(spider):
        if not dupefilter.request_seen(request):
            queue.push(request)
            seeded += 1
    return seeded


def _start_requests(spider) -> list:
    """The spider's own start requests: its sources minus those backing off."""

    async def collect():
        return [request async for request in spider.start()]

    return asyncio.run(collect())


def finish_crawl(server, ingester, *, timeout: float, poll: float = 0.5) -> None:
    """Ingest results as they arrive until the workers have drained the crawl.

    Dead workers' requests go back to the queue meanwhile. Raises CrawlTimedOut when
    work is still queued or held after `timeout` seconds (what arrived is written).
    """
    deadline = time.monotonic() + timeout
    ingester.recover()
    while True:
        requeue_orphans(server)
        ingester.drain(block=poll)
        pending = pending_requests(server)
        if pending == 0 and ingester.backlog() == 0:
            break
        if time.monotonic() > deadline:
            raise CrawlTimedOut(f"the workers left {pending} sources unfetched after "
                                f"{timeout:g} s; are workers running "
                                "(rivalwatch crawl --redis URL)?")
    server.hset(CRAWL_KEY, "state", DONE)
