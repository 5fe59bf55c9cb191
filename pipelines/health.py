"""Record each fetch's outcome on its source row, and failures in fetch_errors."""

from __future__ import annotations

import datetime as dt

from sqlite_utils import Database

BACKOFF_BASE_HOURS = 1
BACKOFF_MAX_HOURS = 7 * 24


def record_success(db: Database, status: dict, *, new_items: int) -> None:
    """A fetch that worked (a 304 included): reset the failure count, keep validators."""
    changes = {
        "last_fetched_at": status["fetched_at"], "last_success_at": status["fetched_at"],
        "last_status": status.get("status"), "consecutive_failures": 0, "last_error": None,
        "next_attempt_after": None,
    }
    if not status.get("not_modified"):
        changes.update(etag=status.get("etag"), last_modified=status.get("last_modified"))
    if new_items:
        changes["last_new_item_at"] = status["fetched_at"]
    _update_source(db, status["source_id"], changes)


def _update_source(db: Database, source_id: str, changes: dict) -> None:
    # Plain SQL: a re-crawl does this once per source and little else.
    assignments = ", ".join(f"[{column}] = ?" for column in changes)
    db.execute(f"UPDATE sources SET {assignments} WHERE id = ?", [*changes.values(), source_id])


def record_failure(db: Database, status: dict, *, run_id: int | None,
                   backoff_after: int) -> None:
    """A failed fetch: count it, say why, and back the source off after repeated failures."""
    (previous,) = db.execute("SELECT consecutive_failures FROM sources WHERE id = ?",
                             [status["source_id"]]).fetchone()
    failures = (previous or 0) + 1
    _update_source(db, status["source_id"], {
        "last_fetched_at": status["fetched_at"], "last_status": status.get("status"),
        "consecutive_failures": failures, "last_error": status.get("message"),
        "next_attempt_after": backoff_until(status["fetched_at"], failures, backoff_after),
    })
    db["fetch_errors"].insert({
        "run_id": run_id, "source_id": status["source_id"], "url": status["url"],
        "occurred_at": status["fetched_at"], "status": status.get("status"),
        "error_type": status.get("error_type"), "message": status.get("message"),
    })


def backoff_until(now: str, failures: int, backoff_after: int) -> str | None:
    """When a source that failed `failures` times in a row may be tried again (None: now)."""
    if failures < backoff_after:
        return None
    hours = min(BACKOFF_BASE_HOURS * 2 ** (failures - backoff_after), BACKOFF_MAX_HOURS)
    when = dt.datetime.strptime(now, "%Y-%m-%dT%H:%M:%SZ") + dt.timedelta(hours=hours)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
