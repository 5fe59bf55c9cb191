"""A writer process that owns the crawl's SQLite connection.

Scrapy parses on one core; writing (lookups, inserts, full-text indexing) runs beside it
on another, in a process forked when the spider opens. Fetch results go to it in order
over a pipe and are written one transaction each by `write_fetch`; each reply resolves
the awaiting item, so a spider closes only once everything it yielded is committed.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
import traceback
from collections import Counter
from itertools import count

logger = logging.getLogger(__name__)


class WriterFailed(RuntimeError):
    """The writer process could not write a fetch (the traceback is in the message)."""


class Counts(Counter):
    """Outcome counts with Scrapy's `inc_value`, gathered where the writing happens."""

    def inc_value(self, key: str, count: int = 1) -> None:
        self[key] += count

    def add_to(self, stats) -> None:
        for key, value in self.items():
            stats.inc_value(key, value)


def _serve(connection, db_path: str, config, options: dict) -> None:
    """The writer process's loop: open, then write each fetch it is sent, until close."""
    from pipelines.registry import source_state, sync_config
    from pipelines.storage import open_db
    from pipelines.store import write_fetch

    db = open_db(db_path)
    sync_config(db, config)
    connection.send(("opened", source_state(db)))
    while (message := _receive(connection)) is not None:
        number, status, docs = message
        counts = Counts()
        try:
            write_fetch(db, status, docs, stats=counts, **options)
            connection.send((number, dict(counts), None))
        except Exception:  # noqa: BLE001 - reported to the crawl, which logs and goes on
            connection.send((number, {}, traceback.format_exc(limit=8)))
    db.close()


def _receive(connection):
    try:
        message = connection.recv()
    except EOFError:  # the crawl process is gone
        return None
    return None if message == "close" else message


class WriterProcess:
    """The crawl side of the writer: send fetches, await their commit."""

    def __init__(self, db_path: str, config, *, run_id: int | None, backoff_after: int):
        context = multiprocessing.get_context("fork")
        self.connection, child_end = context.Pipe()
        options = {"run_id": run_id, "backoff_after": backoff_after}
        self.process = context.Process(target=_serve, args=(child_end, db_path, config, options),
                                       name="rivalwatch-writer", daemon=True)
        self.process.start()
        child_end.close()
        self.numbers = count()
        self.waiting: dict[int, asyncio.Future] = {}
        self.send_lock = threading.Lock()
        self.source_state = self._opened()
        self.reader = threading.Thread(target=self._read_replies, daemon=True,
                                       name="rivalwatch-writer-replies")
        self.reader.start()

    def _opened(self) -> dict:
        tag, state = self.connection.recv()
        assert tag == "opened"
        return state

    async def write(self, status: dict, docs: list[dict]) -> Counts:
        """Send one fetch to the writer; returns its outcome counts once committed."""
        number = next(self.numbers)
        future = asyncio.get_running_loop().create_future()
        self.waiting[number] = future
        with self.send_lock:
            self.connection.send((number, status, docs))
        return await future

    def _read_replies(self) -> None:
        while True:
            try:
                number, counts, error = self.connection.recv()
            except (EOFError, OSError):
                return
            future = self.waiting.pop(number)
            future.get_loop().call_soon_threadsafe(_settle, future, counts, error)

    def close(self) -> None:
        """Ask the writer to finish (it has answered every fetch by now) and wait for it."""
        with self.send_lock:
            self.connection.send("close")
        self.process.join(timeout=60)
        self.connection.close()


def _settle(future: asyncio.Future, counts: dict, error: str | None) -> None:
    if future.done():
        return
    if error:
        future.set_exception(WriterFailed(error))
    else:
        future.set_result(Counts(counts))
