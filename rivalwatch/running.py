"""`rivalwatch run`: every stage in order under the database's lock, recorded in `runs`."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.runs import finish_run, start_run
from pipelines.storage import open_db
from rivalwatch.project import EXIT_OK, EXIT_SOURCES_FAILED, Project, RivalwatchError
from rivalwatch.stages import run_crawl, run_report, run_tag, run_trends

logger = logging.getLogger(__name__)


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
    from rivalwatch.redis_stages import run_distributed_crawl

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
