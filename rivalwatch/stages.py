"""The local stages as the CLI runs them: crawl, tag, trends, report."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from pipelines.runs import finish_run, start_run
from pipelines.storage import open_db
from rivalwatch.crawling import CrawlFailed, crawl
from rivalwatch.project import EXIT_OK, EXIT_SOURCES_FAILED, Project, RivalwatchError


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
    outcome = crawl_outcome(db, run_id, result.stats)
    if own_run:
        finish_run(db, run_id, status="sources_failed" if outcome.failed else "ok",
                   exit_code=EXIT_SOURCES_FAILED if outcome.failed else EXIT_OK,
                   stats=outcome.stats, timings={"crawl": round(time.monotonic() - started, 3)})
    db.close()
    return outcome


_COUNTS = ("sources_ok", "sources_not_modified", "sources_failed", "documents_new",
           "documents_updated", "documents_unchanged", "page_changes", "price_changes")


def crawl_outcome(db, run_id: int, raw_stats: dict) -> CrawlOutcome:
    """A crawl's counts, in words and numbers, with each failed source's reason."""
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
