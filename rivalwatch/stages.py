"""The stages as the CLI runs them: each records itself in `runs`."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.runs import finish_run, start_run
from pipelines.storage import open_db
from rivalwatch.crawling import CrawlFailed, crawl
from rivalwatch.project import EXIT_OK, EXIT_SOURCES_FAILED, Project, RivalwatchError

logger = logging.getLogger(__name__)


@dataclass
class CrawlOutcome:
    """What a crawl did, in words and numbers."""

    summary: str
    failed: int
    stats: dict


def run_crawl(project: Project, *, kinds=None, source_ids=None, run_id: int | None = None,
              settings: dict | None = None) -> CrawlOutcome:
    """Crawl into the project's database; records a `runs` row unless given one."""
    db = open_db(project.db_path)
    own_run = run_id is None
    run_id = run_id or start_run(db, "crawl")
    started = time.monotonic()
    try:
        result = crawl(project.config_path, project.db_path, kinds=kinds,
                       source_ids=source_ids, run_id=run_id, settings=settings)
    except CrawlFailed as exc:
        if own_run:
            finish_run(db, run_id, status="failed", exit_code=1, stats={}, timings={},
                       error=str(exc))
        raise RivalwatchError(str(exc)) from None
    outcome = _outcome(db, run_id, result.stats)
    if own_run:
        finish_run(db, run_id, status="sources_failed" if outcome.failed else "ok",
                   exit_code=EXIT_SOURCES_FAILED if outcome.failed else EXIT_OK,
                   stats=outcome.stats, timings={"crawl": round(time.monotonic() - started, 3)})
    db.close()
    return outcome


_COUNTS = ("sources_ok", "sources_not_modified", "sources_failed", "documents_new",
           "documents_updated", "documents_unchanged", "page_changes", "price_changes")


def _outcome(db, run_id: int, raw_stats: dict) -> CrawlOutcome:
    stats = {name: int(raw_stats.get(f"rivalwatch/{name}", 0)) for name in _COUNTS}
    stats["requests"] = int(raw_stats.get("downloader/request_count", 0))
    lines = [
        f"Sources: {stats['sources_ok']} fetched, {stats['sources_not_modified']} not modified "
        f"(304), {stats['sources_failed']} failed.",
        f"Documents: {stats['documents_new']} new, {stats['documents_updated']} updated, "
        f"{stats['documents_unchanged']} unchanged. Page changes: {stats['page_changes']}; "
        f"price changes: {stats['price_changes']}.",
    ]
    for error in db.query("SELECT source_id, message FROM fetch_errors WHERE run_id = ? "
                          "ORDER BY source_id", [run_id]):
        lines.append(f"  FAILED {error['source_id']}: {error['message']}")
    return CrawlOutcome("\n".join(lines), stats["sources_failed"], stats)


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
    outcome = _outcome(db, run_id, stats)
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


@dataclass
class StageOutcome:
    """A stage's one-line summary and its counts."""

    summary: str
    stats: dict


def run_tag(project: Project, *, workers: int = 1) -> StageOutcome:
    """Tag what needs tagging, with a progress bar on a terminal."""
    from nlp.model import ModelNotInstalled
    from pipelines.tagging import pending_count, tag_documents
    from rivalwatch.progress import progress_bar

    db = open_db(project.db_path)
    try:
        with progress_bar("Tagging", total=pending_count(db)) as advance:
            stats = tag_documents(db, project.config, workers=workers, progress=advance)
    except ModelNotInstalled as exc:
        raise RivalwatchError(str(exc)) from None
    finally:
        db.close()
    counts = stats.as_dict()
    reasons = ", ".join(f"{n} {why}" for why, n in counts["skipped_reasons"].items())
    summary = f"Tagged {counts['tagged']} documents ({counts['words']} words)"
    return StageOutcome(summary + (f"; skipped {reasons}." if reasons else "."), counts)


def run_trends(project: Project, *, full: bool = False, window: str = "week") -> StageOutcome:
    """Recompute the trend tables (only windows touched since the last run unless full)."""
    from pipelines.trending import compute_trends

    db = open_db(project.db_path)
    try:
        stats = compute_trends(db, window=window, full=full)
    finally:
        db.close()
    details = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in sorted(stats.items())
                        if isinstance(value, int) and not isinstance(value, bool))
    return StageOutcome(f"Trends updated: {details}.", stats)


def report_window(week: str | None, since: dt.date | None, today: dt.date):
    """The window a report covers, from --week / --since / the default."""
    from reports.weeks import default_week, parse_week
    from reports.weeks import since as since_window

    if week and since:
        raise RivalwatchError("give --week or --since, not both")
    if since:
        return since_window(since, today)
    if week:
        try:
            return parse_week(week)
        except ValueError as exc:
            raise RivalwatchError(str(exc)) from None
    return default_week(today)


def run_report(project: Project, *, week: str | None = None, since: dt.date | None = None,
               output: Path | None = None, today: dt.date, format: str = "md") -> Path:
    """Write the markdown report for a window and return its path."""
    from reports.weekly import write_report

    window = report_window(week, since, today)
    db = open_db(project.db_path)
    try:
        return write_report(db, project.config, window, output, format=format)
    finally:
        db.close()


@dataclass
class RunOutcome:
    """What `rivalwatch run` did: per-stage summaries, the report, the exit code."""

    lines: list[str]
    exit_code: int


def run_all(project: Project, *, today: dt.date, workers: int = 1,
            redis_url: str | None = None, crawl_timeout: float = 3600) -> RunOutcome:
    """Crawl, tag, trends and report under the database's lock; recorded in `runs`.

    With redis_url the crawl is distributed: seeded in Redis, fetched by the workers
    (`rivalwatch crawl --redis`), and ingested here as the results arrive.
    """
    from rivalwatch.lock import run_lock
    from rivalwatch.logs import log_to_file

    with run_lock(project.db_path):
        log_to_file(project.db_path)
        db = open_db(project.db_path)
        run_id = start_run(db, "run")
        try:
            crawl_stage = (
                (lambda: run_distributed_crawl(project, redis_url, run_id=run_id,
                                               timeout=crawl_timeout))
                if redis_url else (lambda: run_crawl(project, run_id=run_id)))
            return _run_stages(project, db, run_id, today=today, workers=workers,
                               crawl_stage=crawl_stage)
        finally:
            db.close()


def _run_stages(project: Project, db, run_id: int, *, today: dt.date, workers: int,
                crawl_stage) -> RunOutcome:
    timings, stats, lines = {}, {}, []
    stages = [
        ("crawl", crawl_stage),
        ("tag", lambda: run_tag(project, workers=workers)),
        ("trends", lambda: run_trends(project)),
        ("report", lambda: run_report(project, today=today)),
    ]
    failed_sources = 0
    for name, stage in stages:
        started = time.monotonic()
        try:
            outcome = stage()
        except Exception as exc:
            logger.exception("stage %s failed", name)
            finish_run(db, run_id, status="failed", exit_code=1, stats=stats,
                       timings=timings, error=f"{name}: {exc}")
            raise RivalwatchError(f"the {name} stage failed: {exc}") from exc
        timings[name] = round(time.monotonic() - started, 3)
        summary, stats[name] = _describe(outcome)
        failed_sources += getattr(outcome, "failed", 0)
        lines.append(f"{name}: {summary}")
    code = EXIT_SOURCES_FAILED if failed_sources else EXIT_OK
    finish_run(db, run_id, status="sources_failed" if failed_sources else "ok", exit_code=code,
               stats=stats, timings=timings)
    return RunOutcome(lines, code)


def _describe(outcome) -> tuple[str, dict]:
    if isinstance(outcome, Path):
        return f"wrote {outcome}", {"path": str(outcome)}
    return outcome.summary.replace("\n", " "), outcome.stats
