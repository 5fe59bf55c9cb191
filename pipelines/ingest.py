"""The single writer of a distributed crawl: fetch results from Redis into SQLite.

Reliable queue consumption: a result is moved (LMOVE) from the shared list into this
ingester's processing list, written with the same code as a local crawl (`write_fetch`,
one transaction per fetch), and removed from the processing list only after the commit.
An ingester that dies leaves its processing list; the next one starts by putting it back,
and the idempotent upserts absorb whatever was already committed.
"""

from __future__ import annotations

import json
import logging

from sqlite_utils.db import NotFoundError

from pipelines.redis_results import RESULTS_KEY, decode_result
from pipelines.store import write_fetch
from pipelines.writer import Counts

logger = logging.getLogger(__name__)

REJECTED_KEY = f"{RESULTS_KEY}:rejected"


class UnknownSource(ValueError):
    """A result for a source this database's config does not have (a worker's other config)."""


_POISON = (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, NotFoundError,
           UnknownSource)


class Ingester:
    """Drains fetch results from Redis into the database, acknowledging after each commit."""

    def __init__(self, server, db, *, consumer: str = "ingester", run_id: int | None = None,
                 backoff_after: int = 5, batch: int = 50):
        self.server = server
        self.db = db
        self.processing = f"{RESULTS_KEY}:processing:{consumer}"
        self.run_id, self.backoff_after, self.batch = run_id, backoff_after, batch
        self.stats = Counts()
        self.sources = {row[0] for row in db.execute("SELECT id FROM sources")}

    def recover(self) -> int:
        """Put back what a previous ingester of this name claimed but did not acknowledge."""
        moved = 0
        while self.server.lmove(self.processing, RESULTS_KEY, "LEFT", "RIGHT") is not None:
            moved += 1
        if moved:
            logger.warning("%d results claimed by a previous ingester will be written again",
                           moved)
        return moved

    def backlog(self) -> int:
        """Results waiting in Redis, including any claimed and not yet acknowledged."""
        return self.server.llen(RESULTS_KEY) + self.server.llen(self.processing)

    def drain(self, *, block: float = 0) -> int:
        """Write every result waiting now (waiting up to `block` s for a first one)."""
        total = 0
        while entries := self._claim(block if total == 0 else 0):
            for entry in entries:
                self._write(entry)
            self._acknowledge(entries)
            total += len(entries)
        return total

    def _claim(self, block: float) -> list[bytes]:
        if block > 0:
            first = self.server.blmove(RESULTS_KEY, self.processing, block, "RIGHT", "LEFT")
        else:
            first = self.server.lmove(RESULTS_KEY, self.processing, "RIGHT", "LEFT")
        if first is None:
            return []
        with self.server.pipeline(transaction=False) as pipe:
            for _ in range(self.batch - 1):
                pipe.lmove(RESULTS_KEY, self.processing, "RIGHT", "LEFT")
            return [first, *(entry for entry in pipe.execute() if entry is not None)]

    def _write(self, entry: bytes) -> None:
        try:
            status, docs = decode_result(entry)
            if status["source_id"] not in self.sources:
                raise UnknownSource(f"no source {status['source_id']!r} in the config; do the "
                                    "workers use the same rivalwatch.toml?")
            write_fetch(self.db, status, docs, stats=self.stats, run_id=self.run_id,
                        backoff_after=self.backoff_after)
        except _POISON as exc:
            # One unusable result must not block the rest: keep it aside for a person.
            logger.error("result rejected (kept in %s): %s: %s", REJECTED_KEY,
                         type(exc).__name__, exc)
            self.server.lpush(REJECTED_KEY, entry)
            self.stats.inc_value("rivalwatch/results_rejected")

    def _acknowledge(self, entries: list[bytes]) -> None:
        with self.server.pipeline(transaction=False) as pipe:
            for entry in entries:
                pipe.lrem(self.processing, 1, entry)
            pipe.execute()
        self.stats.inc_value("rivalwatch/results_ingested", len(entries))
