"""The shared request queue of a distributed crawl: scrapy-redis, made reliable.

scrapy-redis keeps the scheduler queue and the dupefilter in Redis, so every worker pops
from one queue. Its queues forget a request once popped, so a worker that dies loses what
it was fetching. Here a pop moves the entry (LMOVE) into the worker's own processing list,
where it stays until the source's result is in Redis; a dead worker's list (its heartbeat
key expired) goes back to the queue. The Redis layout:

    rivalwatch:<spider>:requests                 the queue (LPUSH in, LMOVE out)
    rivalwatch:<spider>:processing:<worker>      entries a worker holds
    rivalwatch:<spider>:processing:<worker>:alive   its heartbeat (a key with a TTL)
    rivalwatch:processing                        hash: processing list -> its queue
    rivalwatch:<spider>:dupefilter               fingerprints seeded in this crawl
    rivalwatch:crawl                             hash: id, state, requests, seeded_at
"""

from __future__ import annotations

import hashlib
import json
import logging

from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base
from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)

QUEUE_KEY = "rivalwatch:%(spider)s:requests"
DUPEFILTER_KEY = "rivalwatch:%(spider)s:dupefilter"
PROCESSING_LISTS = "rivalwatch:processing"
CRAWL_KEY = "rivalwatch:crawl"
RUNNING, DONE = "running", "done"


def processing_key(queue_key: str, worker_id: str) -> str:
    """The list where a worker keeps the entries of queue_key it is working on."""
    return f"{queue_key.rsplit(':', 1)[0]}:processing:{worker_id}"


def alive_key(processing: str) -> str:
    return f"{processing}:alive"


def source_of(request) -> str:
    """Which source a request fetches (its URL when it carries no source id)."""
    return request.meta.get("source_id") or request.url


class ProcessingList:
    """One worker's claim on entries of one queue, held by source until acknowledged."""

    def __init__(self, server, queue_key: str, worker_id: str):
        self.server = server
        self.queue_key = queue_key
        self.key = processing_key(queue_key, worker_id)
        self.held: dict[str, list[bytes]] = {}

    def beat(self, ttl: float) -> None:
        """Say this worker is alive for ttl seconds more (and keep its list registered)."""
        with self.server.pipeline() as pipe:
            pipe.set(alive_key(self.key), 1, px=int(ttl * 1000))
            pipe.hset(PROCESSING_LISTS, self.key, self.queue_key)
            pipe.execute()

    def hold(self, source: str, entry: bytes) -> None:
        self.held.setdefault(source, []).append(entry)

    def ack(self, source: str, pipe=None) -> int:
        """Forget the entries held for a source (on pipe, to commit with something else)."""
        entries = self.held.pop(source, [])
        for entry in entries:
            (pipe or self.server).lrem(self.key, 1, entry)
        return len(entries)

    def give_back(self) -> int:
        """Return every entry of this list to the queue (a worker idle or closing)."""
        self.held.clear()
        return move_all(self.server, self.key, self.queue_key)


def move_all(server, source: str, destination: str) -> int:
    """Move a list's entries to the consuming (right) end of another, oldest last."""
    moved = 0
    while server.lmove(source, destination, "LEFT", "RIGHT") is not None:
        moved += 1
    return moved


def requeue_orphans(server) -> int:
    """Put back in their queue the entries of workers whose heartbeat expired."""
    moved = 0
    for processing, queue in processing_lists(server).items():
        if server.exists(alive_key(processing)):
            continue
        count = move_all(server, processing, queue)
        if count:
            logger.warning("worker of %s is gone: %d requests back in the queue",
                           processing, count)
        moved += count
        server.hdel(PROCESSING_LISTS, processing)
    return moved


def processing_lists(server) -> dict[str, str]:
    """Every registered processing list and the queue its entries came from."""
    return {_text(k): _text(v) for k, v in server.hgetall(PROCESSING_LISTS).items()}


def pending_requests(server, queue_key: str | None = None) -> int:
    """Requests queued or held by a worker (of one queue, or of every queue)."""
    lists = processing_lists(server)
    held = [p for p, q in lists.items() if queue_key is None or q == queue_key]
    queues = [queue_key] if queue_key else list(server.scan_iter(QUEUE_KEY % {"spider": "*"}))
    with server.pipeline(transaction=False) as pipe:
        for key in [*queues, *held]:
            pipe.llen(key)
        return sum(pipe.execute())


def crawl_state(server) -> dict:
    """The current crawl's id and state (running or done); empty before the first seed."""
    return {_text(k): _text(v) for k, v in server.hgetall(CRAWL_KEY).items()}


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else value


class ReliableQueue(Base):
    """A FIFO scheduler queue for scrapy-redis whose pop hands the entry to this worker.

    The worker acknowledges a source's entries when its result reaches Redis (the result
    pipeline), when the spider fails on it, or when it schedules a follow-up request for
    the source (a retry or a redirect), which then replaces it in the queue.
    """

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        worker_id = spider.settings.get("RIVALWATCH_WORKER_ID")
        if not worker_id:
            raise ValueError("ReliableQueue needs the RIVALWATCH_WORKER_ID setting")
        self.processing = ProcessingList(server, self.key, worker_id)
        self.processing.beat(spider.settings.getfloat("RIVALWATCH_REDIS_HEARTBEAT_TTL", 15))
        self.processing.give_back()  # a previous worker of this id cannot still hold them
        spider.redis_processing = self.processing

    def __len__(self):
        return self.server.llen(self.key)

    def push(self, request):
        with self.server.pipeline() as pipe:
            pipe.lpush(self.key, self._encode_request(request))
            self.processing.ack(source_of(request), pipe)
            pipe.execute()

    def pop(self, timeout=0):
        # Never blocks: the scheduler is polled from the reactor thread.
        entry = self.server.lmove(self.key, self.processing.key, "RIGHT", "LEFT")
        if entry is None:
            return None
        try:
            request = self._decode_request(entry)
        except Exception:
            logger.exception("dropping an undecodable request entry from %s", self.key)
            self.server.lrem(self.processing.key, 1, entry)
            return None
        self.processing.hold(source_of(request), entry)
        return request


class SourceDupeFilter(RFPDupeFilter):
    """The Redis dupefilter, keyed by source as well as URL.

    Two sources may share a URL (a competitor's feed that is also an industry feed); a
    local crawl fetches both, so a distributed one does too.
    """

    def request_fingerprint(self, request):
        data = {"method": request.method, "url": canonicalize_url(request.url),
                "body": (request.body or b"").hex(), "source": request.meta.get("source_id")}
        return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).hexdigest()
