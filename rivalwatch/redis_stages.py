"""The stages of a distributed crawl: a worker, the ingester, and the coordinator's crawl."""

from __future__ import annotations

import time

from pipelines.runs import finish_run, start_run
from pipelines.storage import open_db
from rivalwatch.crawling import CrawlFailed, crawl
from rivalwatch.project import EXIT_OK, EXIT_SOURCES_FAILED, Project, RivalwatchError
from rivalwatch.stages import CrawlOutcome, crawl_outcome


def run_worker(project: Project, redis_url: str, *, kinds=None, wait: float = 60,
               settings: dict | None = None) -> CrawlOutcome:
    """Work on the distributed crawl seeded in Redis until it is done; no database writes."""
    extra = {"RIVALWATCH_REDIS_WAIT": wait, **(settings or {})}
    try:
        result = crawl(project.config_path, project.db_path, kinds=kinds, settings=extra,
                       redis_url=_checked_redis(redis_url))
    except CrawlFailed as exc:
        raise RivalwatchError(str(exc)) from None
    stats = {"results_queued": result.count("results_queued"),
             "requests": int(result.stats.get("downloader/request_count", 0))}
    summary = (f"Worker done: {stats['results_queued']} source results sent to Redis "
               f"({stats['requests']} requests).")
    return CrawlOutcome(summary, 0, stats)


def run_ingest(project: Project, redis_url: str, *, follow: bool = False,
               timeout: float = 3600) -> CrawlOutcome:
    """Write the results waiting in Redis into the database (with follow: until drained)."""
    from pipelines.registry import sync_config

    server = _connect(redis_url)
    db = open_db(project.db_path)
    run_id, started = start_run(db, "ingest"), time.monotonic()
    try:
        sync_config(db, project.config)
        ingester = _ingester(project, server, db, run_id)
        if follow:
            _finish_crawl(server, ingester, timeout)
        else:
            ingester.recover()
            ingester.drain()
    except RivalwatchError as exc:
        finish_run(db, run_id, status="failed", exit_code=1, stats={}, timings={},
                   error=str(exc))
        db.close()
        raise
    outcome = _ingested(db, run_id, ingester.stats)
    finish_run(db, run_id, status="sources_failed" if outcome.failed else "ok",
               exit_code=EXIT_SOURCES_FAILED if outcome.failed else EXIT_OK,
               stats=outcome.stats, timings={"ingest": round(time.monotonic() - started, 3)})
    db.close()
    return outcome


def run_distributed_crawl(project: Project, redis_url: str, *, run_id: int,
                          timeout: float = 3600, kinds=None, source_ids=None) -> CrawlOutcome:
    """Seed the crawl in Redis, then ingest the workers' results until they are done."""
    from pipelines.registry import source_state, sync_config
    from rivalwatch.distributed import seed_crawl

    server = _connect(redis_url)
    db = open_db(project.db_path)
    try:
        sync_config(db, project.config)
        seeded = seed_crawl(server, project.config_path, source_state(db), kinds=kinds,
                            source_ids=source_ids)
        ingester = _ingester(project, server, db, run_id)
        _finish_crawl(server, ingester, timeout)
        outcome = _ingested(db, run_id, ingester.stats)
    finally:
        db.close()
    outcome.stats["seeded"] = seeded
    return outcome


def _ingested(db, run_id: int, stats) -> CrawlOutcome:
    """A crawl's outcome from the ingester's counts; rejected results count as failures."""
    outcome = crawl_outcome(db, run_id, stats)
    rejected = stats.get("rivalwatch/results_rejected", 0)
    if rejected:
        from pipelines.ingest import REJECTED_KEY

        outcome.summary += (f"\n  REJECTED {rejected} results (kept in Redis list "
                            f"{REJECTED_KEY}; the log says why).")
        outcome.failed += rejected
        outcome.stats["results_rejected"] = rejected
    return outcome


def _checked_redis(redis_url: str) -> str:
    _connect(redis_url).close()
    return redis_url


def _connect(redis_url: str):
    try:
        from rivalwatch.distributed import RedisUnavailable, connect
    except ImportError as exc:
        raise RivalwatchError(f"distributed crawling needs the {exc.name} package: "
                              "pip install 'rivalwatch[redis]'") from None

    try:
        return connect(redis_url)
    except RedisUnavailable as exc:
        raise RivalwatchError(str(exc)) from None


def _ingester(project: Project, server, db, run_id: int):
    from pipelines.ingest import Ingester

    return Ingester(server, db, run_id=run_id,
                    backoff_after=project.config.crawl.backoff_after_failures)


def _finish_crawl(server, ingester, timeout: float) -> None:
    from rivalwatch.distributed import CrawlTimedOut, finish_crawl

    try:
        finish_crawl(server, ingester, timeout=timeout)
    except CrawlTimedOut as exc:
        raise RivalwatchError(str(exc)) from None
