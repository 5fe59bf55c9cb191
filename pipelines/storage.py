"""The database: the one owner of the schema, its migrations, indexes, views and FTS.

Every table of the public schema (DESIGN.md) is created here. Later changes are new
migrations appended to MIGRATIONS; a migration is never edited once released.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 30_000
MIGRATIONS = Migrations("rivalwatch")


def utc_now() -> str:
    """The current time as ISO 8601 UTC with a Z, to the second."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def connect(path: str | Path, *, readonly: bool = False) -> Database:
    """A Database on path in WAL mode with a busy timeout (no schema changes)."""
    path = Path(path)
    if readonly:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return Database(conn)


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) the database at path and bring its schema up to date."""
    db = connect(path)
    migrate(db)
    return db


def migrate(db: Database) -> None:
    """Apply every pending migration."""
    MIGRATIONS.apply(db)


@contextmanager
def transaction(db: Database) -> Iterator[Database]:
    """One write transaction (BEGIN IMMEDIATE, so writers queue instead of deadlocking)."""
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.execute("COMMIT")


@MIGRATIONS()
def m001_initial_schema(db: Database) -> None:
    _create_registry_tables(db)
    _create_document_tables(db)
    _create_signal_tables(db)
    _create_tag_tables(db)
    _create_trend_tables(db)
    _create_run_tables(db)
    _create_indexes(db)
    db["documents"].enable_fts(["title", "text"], create_triggers=True, tokenize="porter")


def _create_registry_tables(db: Database) -> None:
    db["competitors"].create(
        {"id": str, "name": str, "aliases": str, "products": str, "homepage": str,
         "active": int, "synced_at": str},
        pk="id", not_null={"name"},
    )
    db["sources"].create(
        {"id": str, "competitor_id": str, "kind": str, "url": str, "label": str,
         "releases": int, "active": int, "stale_after_days": int, "etag": str,
         "last_modified": str, "last_fetched_at": str, "last_success_at": str,
         "last_new_item_at": str, "last_status": int, "consecutive_failures": int,
         "last_error": str, "next_attempt_after": str, "synced_at": str},
        pk="id", not_null={"kind", "url"}, defaults={"consecutive_failures": 0, "active": 1},
        foreign_keys=[("competitor_id", "competitors", "id")],
    )


def _create_document_tables(db: Database) -> None:
    db["documents"].create(
        {"id": int, "source_id": str, "competitor_id": str, "kind": str, "url": str,
         "guid": str, "dedupe_key": str, "title": str, "published_at": str,
         "fetched_at": str, "updated_at": str, "text": str, "content_hash": str,
         "revision": int, "tagged_at": str, "tagged_hash": str, "tag_skipped": str},
        pk="id", not_null={"source_id", "kind", "dedupe_key"}, defaults={"revision": 1},
        foreign_keys=[("source_id", "sources", "id"), ("competitor_id", "competitors", "id")],
    )
    db["document_revisions"].create(
        {"id": int, "document_id": int, "revision": int, "replaced_at": str, "title": str,
         "text": str, "content_hash": str, "published_at": str},
        pk="id", foreign_keys=[("document_id", "documents", "id")],
    )
    db["releases"].create(
        {"document_id": int, "competitor_id": str, "source_id": str, "version": str,
         "released_on": str, "title": str, "items": str, "item_counts": str,
         "breaking": int, "anchor_url": str},
        pk="document_id",
        foreign_keys=[("document_id", "documents", "id"), ("competitor_id", "competitors", "id"),
                      ("source_id", "sources", "id")],
    )


def _create_signal_tables(db: Database) -> None:
    db["page_changes"].create(
        {"id": int, "source_id": str, "competitor_id": str, "document_id": int,
         "detected_at": str, "old_hash": str, "new_hash": str, "diff": str, "added": str,
         "removed": str, "significance": float},
        pk="id",
        foreign_keys=[("source_id", "sources", "id"), ("competitor_id", "competitors", "id"),
                      ("document_id", "documents", "id")],
    )
    db["price_points"].create(
        {"id": int, "source_id": str, "competitor_id": str, "plan": str, "amount": float,
         "currency": str, "period": str, "unit": str, "contact_sales": int,
         "first_seen_at": str, "last_seen_at": str, "current": int},
        pk="id",
        foreign_keys=[("source_id", "sources", "id"), ("competitor_id", "competitors", "id")],
    )
    db["price_changes"].create(
        {"id": int, "source_id": str, "competitor_id": str, "detected_at": str, "plan": str,
         "change": str, "old": str, "new": str, "summary": str},
        pk="id",
        foreign_keys=[("source_id", "sources", "id"), ("competitor_id", "competitors", "id")],
    )


def _create_tag_tables(db: Database) -> None:
    db["entities"].create(
        {"id": str, "label": str, "name": str, "competitor_id": str, "first_seen_at": str},
        pk="id", foreign_keys=[("competitor_id", "competitors", "id")],
    )
    db["mentions"].create(
        {"document_id": int, "entity_id": str, "count": int},
        pk=("document_id", "entity_id"),
        foreign_keys=[("document_id", "documents", "id"), ("entity_id", "entities", "id")],
    )
    db["events"].create(
        {"id": int, "document_id": int, "competitor_id": str, "type": str, "evidence": str,
         "source": str},
        pk="id",
        foreign_keys=[("document_id", "documents", "id"), ("competitor_id", "competitors", "id")],
    )
    db["keyphrases"].create(
        {"document_id": int, "phrase": str, "count": int},
        pk=("document_id", "phrase"), foreign_keys=[("document_id", "documents", "id")],
    )


def _create_trend_tables(db: Database) -> None:
    db["trends"].create(
        {"window": str, "window_start": str, "term_kind": str, "term": str, "count": int,
         "baseline": float, "score": float},
        pk=("window", "window_start", "term_kind", "term"),
    )


def _create_run_tables(db: Database) -> None:
    db["runs"].create(
        {"id": int, "command": str, "started_at": str, "finished_at": str, "status": str,
         "exit_code": int, "stats": str, "stage_timings": str, "error": str},
        pk="id",
    )
    db["fetch_errors"].create(
        {"id": int, "run_id": int, "source_id": str, "url": str, "occurred_at": str,
         "status": int, "error_type": str, "message": str},
        pk="id", foreign_keys=[("run_id", "runs", "id"), ("source_id", "sources", "id")],
    )


_INDEXES = {
    "documents": [(["source_id", "dedupe_key"], True), (["competitor_id", "published_at"], False),
                  (["kind", "published_at"], False), (["published_at"], False),
                  (["content_hash"], False), (["tagged_at"], False)],
    "document_revisions": [(["document_id"], False)],
    "releases": [(["competitor_id", "released_on"], False)],
    "page_changes": [(["source_id", "detected_at"], False), (["detected_at"], False)],
    "price_points": [(["source_id", "plan", "period", "current"], False)],
    "price_changes": [(["competitor_id", "detected_at"], False)],
    "mentions": [(["entity_id"], False)],
    "events": [(["document_id", "type"], False), (["type"], False)],
    "keyphrases": [(["phrase"], False)],
    "trends": [(["window", "window_start", "score"], False), (["term_kind", "term"], False)],
    "fetch_errors": [(["source_id", "occurred_at"], False), (["run_id"], False)],
    "runs": [(["started_at"], False)],
}


def _create_indexes(db: Database) -> None:
    for table, indexes in _INDEXES.items():
        for columns, unique in indexes:
            db[table].create_index(columns, unique=unique, if_not_exists=True)


@MIGRATIONS()
def m002_trend_tables(db: Database) -> None:
    db["trend_windows"].create(
        {"window": str, "window_start": str, "documents": int, "computed_at": str},
        pk=("window", "window_start"),
    )
    db["trend_state"].create(
        {"window": str, "tagged_through": str, "baseline_windows": int, "min_support": int,
         "computed_at": str},
        pk="window",
    )
    db["trend_document_windows"].create(
        {"window": str, "document_id": int, "window_start": str},
        pk=("window", "document_id"),
    )
    db["first_mentions"].create(
        {"window": str, "window_start": str, "entity_id": str, "document_id": int},
        pk=("window", "entity_id"),
        foreign_keys=[("entity_id", "entities", "id"), ("document_id", "documents", "id")],
    )
    db["share_of_voice"].create(
        {"window": str, "window_start": str, "competitor_id": str, "mentions": int,
         "share": float},
        pk=("window", "window_start", "competitor_id"),
        foreign_keys=[("competitor_id", "competitors", "id")],
    )
    db["first_mentions"].create_index(["window", "window_start"])
    db["first_mentions"].create_index(["document_id"])
    db["trends"].create_index(["window", "term_kind", "term", "window_start", "count"])
    # Covers the trend stage's per-window reads, so they never touch the document text.
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_documents_when ON documents ("
        "COALESCE(published_at, fetched_at), tagged_at, tag_skipped, source_id, competitor_id, "
        "published_at, fetched_at)"
    )
