"""A spider as one worker of a distributed crawl: heartbeat, dead peers, when to stop.

Enabled by `rivalwatch crawl --redis URL` (the RIVALWATCH_REDIS_URL setting). The worker
takes its requests from the seeded Redis queue, keeps a heartbeat so others can tell it is
alive, returns dead workers' requests to the queue, and stops once the crawl it joined has
nothing left queued or held by anyone.
"""

from __future__ import annotations

import logging
import time

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.connection import get_redis_from_settings
from twisted.internet.task import LoopingCall

from crawlers.redis_queue import (
    DONE,
    PROCESSING_LISTS,
    RUNNING,
    alive_key,
    crawl_state,
    pending_requests,
    requeue_orphans,
    source_of,
)

logger = logging.getLogger(__name__)


class SeededStart:
    """Spider middleware of a worker: its start requests are the ones seeded in Redis.

    The coordinator seeds one request per source carrying the validators stored in the
    database, which a worker does not have, so the spider's own start() is not used.
    """

    async def process_start(self, start):
        return
        yield  # an async generator that yields nothing


class RedisWorker:
    """Heartbeat, reaping and closing for a spider that works off the shared queue."""

    def __init__(self, crawler, server, *, interval: float, ttl: float, wait: float):
        self.crawler = crawler
        self.server = server
        self.interval, self.ttl, self.wait = interval, ttl, wait
        self.processing = None
        self.finished_before = None  # the id of a crawl already done when this worker began
        self.opened_at = time.monotonic()
        self.loop = LoopingCall(self.tick)

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        if not settings.get("RIVALWATCH_REDIS_URL"):
            raise NotConfigured("not a distributed crawl")
        worker = cls(crawler, get_redis_from_settings(settings),
                     interval=settings.getfloat("RIVALWATCH_REDIS_POLL", 1.0),
                     ttl=settings.getfloat("RIVALWATCH_REDIS_HEARTBEAT_TTL", 15),
                     wait=settings.getfloat("RIVALWATCH_REDIS_WAIT", 60))
        for handler, signal in [(worker.spider_opened, signals.spider_opened),
                                (worker.spider_idle, signals.spider_idle),
                                (worker.spider_closed, signals.spider_closed),
                                (worker.spider_error, signals.spider_error),
                                (worker.item_dropped, signals.item_dropped),
                                (worker.request_dropped, signals.request_dropped)]:
            crawler.signals.connect(handler, signal=signal)
        return worker

    def spider_opened(self, spider):
        self.processing = spider.redis_processing
        self.opened_at = time.monotonic()
        state = crawl_state(self.server)
        if state.get("state") == DONE:
            self.finished_before = state["id"]
        self.loop.start(self.interval, now=True)

    def tick(self) -> None:
        """Beat, reap dead workers, and wake the engine when the queue has work."""
        self.processing.beat(self.ttl)
        requeue_orphans(self.server)
        if self.server.llen(self.processing.queue_key):
            self._wake_engine()

    def _wake_engine(self) -> None:
        # An engine with nothing to do polls its scheduler only every 5 s; seeded or
        # requeued work should start at once. Scrapy has no public call for this.
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def spider_idle(self, spider):
        # Idle means nothing is downloading or in the pipelines: whatever this worker
        # still holds was lost on the way (an error with no result) and must be redone.
        if self.processing.held or self.server.llen(self.processing.key):
            logger.warning("%d requests held while idle go back to the queue",
                           self.processing.give_back())
        if not self.finished():
            raise DontCloseSpider

    def finished(self) -> bool:
        """True when the crawl this worker joined has nothing left, or none came in time."""
        state = crawl_state(self.server)
        if state.get("state") == RUNNING:
            return pending_requests(self.server, self.processing.queue_key) == 0
        if state.get("id") not in (None, self.finished_before):
            return True  # a crawl that ran while this worker was up is over
        if time.monotonic() - self.opened_at > self.wait:
            logger.warning("no crawl was seeded within %s s; stopping", self.wait)
            return True
        return False

    def spider_closed(self, spider, reason):
        if self.loop.running:
            self.loop.stop()
        returned = self.processing.give_back()
        if returned:
            logger.warning("closing (%s): %d requests back in the queue", reason, returned)
        self.server.delete(alive_key(self.processing.key))
        self.server.hdel(PROCESSING_LISTS, self.processing.key)

    def spider_error(self, failure, response, spider):
        if response is not None:
            self.processing.ack(source_of(response.request))

    def item_dropped(self, item, response, exception, spider):
        self.processing.ack(ItemAdapter(item).get("source_id"))

    def request_dropped(self, request, spider):
        self.processing.ack(source_of(request))
